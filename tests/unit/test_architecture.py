"""The import structure: no Python import circle at module level, and no Rust core module importing
a layer above it (issue 15). Lazy imports inside functions are how thin convenience methods
(``case.to_toml``, ``result.render``) reach I/O and rendering; they are not circles at import."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "python" / "rackflow"


def _module_name(path: Path) -> str:
    name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return name.removesuffix(".__init__")


def _module_level_imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Modules of the package imported when ``path`` is imported (not in functions, not under
    ``TYPE_CHECKING``); parent packages, which every import runs first anyway, left out."""
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
                continue
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = name.split(".")
                    keep = len(parts) - node.level + (1 if path.name == "__init__.py" else 0)
                    base = ".".join(parts[:keep] + ([node.module] if node.module else []))
                found.add(base)
                found.update(f"{base}.{a.name}" for a in node.names)
            for field in ("body", "orelse", "finalbody"):
                if isinstance(node, ast.ClassDef | ast.If | ast.Try | ast.With | ast.For | ast.While):
                    visit(getattr(node, field, []) or [])
            if isinstance(node, ast.Try):
                for handler in node.handlers:
                    visit(handler.body)

    visit(ast.parse(path.read_text()).body)
    parts = name.split(".")
    parents = {".".join(parts[:k]) for k in range(1, len(parts))}
    return {m for m in found if m in known and m != name and m not in parents}


def test_no_python_import_circles() -> None:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {m: _module_level_imports(p, m, set(files)) for m, p in files.items()}
    # depth-first search for a back edge
    state: dict[str, int] = {}
    path: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycles.append([*path[path.index(n) :], n])
            elif n not in state:
                visit(n)
        path.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "import circles:\n" + "\n".join(" -> ".join(c) for c in cycles)


#: The Rust core's layers and what each may use (the case layer orchestrates; nothing uses it).
ALLOWED = {
    "mesh": set(),
    "linalg": {"mesh"},
    "discretisation": {"mesh", "linalg"},
    "physics": {"mesh", "linalg", "discretisation", "error"},
    # radiation is a model beside physics: its spec types live in it and the case re-exports them
    "radiation": {"mesh", "linalg", "discretisation", "error"},
    "network": {"error", "physics", "radiation"},
    "case": {"mesh", "linalg", "discretisation", "physics", "radiation", "error", "network"},
}


def test_no_rust_layer_imports_a_layer_above_it() -> None:
    core = ROOT / "rust" / "core" / "src"
    wrong = []
    for layer, allowed in ALLOWED.items():
        for source in (core / layer).rglob("*.rs"):
            for used in set(re.findall(r"crate::(\w+)", source.read_text())):
                if used in ALLOWED and used != layer and used not in allowed:
                    wrong.append(f"{source.relative_to(ROOT)} uses crate::{used}")
    assert not wrong, "\n".join(sorted(wrong))
