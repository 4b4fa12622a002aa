"""What a new user's first commands install and where: the README's commands, the Makefile's
virtual environment, the core dependencies the README snippet needs, a publishable wheel tag."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_readme_snippet_needs_only_core_dependencies() -> None:
    core = {re.split(r"[<>=!~\[ ]", d)[0].lower() for d in PYPROJECT["project"]["dependencies"]}
    # the snippet's sweep store is Parquet (pyarrow), its progress bar tqdm; `make demo`
    # installs only the viz and mesh extras on top of the core
    assert {"numpy", "meshio", "pandas", "pyarrow", "tqdm"} <= core
    snippet = README[README.index("## Use it from Python") :]
    assert 'store="sweep.parquet"' in snippet
    assert "rf.datasets.coldplate_microchannel()" in snippet and '"meshes/' not in snippet.split("```")[1]


def test_readme_starts_with_the_two_commands() -> None:
    block = README[README.index("```bash") :].split("```")[1]
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands[1:3] == ["make demo", "make test"]
    assert "maturin build --release" in README[README.index("## Development") :]


def test_wheels_are_manylinux_on_the_stable_abi() -> None:
    compatibility = PYPROJECT["tool"]["maturin"]["compatibility"]
    assert re.fullmatch(r"manylinux(2014|_2_\d+)", compatibility)
    cargo = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    assert re.search(r'pyo3 = \{[^}]*"abi3-py311"', cargo)


def _dry_run(target: str, env: dict[str, str]) -> str:
    make = shutil.which("make")
    if make is None:  # pragma: no cover
        pytest.skip("no make here")
    proc = subprocess.run(
        [make, "-n", "-C", str(ROOT), target], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("target", ["demo", "test", "lint", "install", "install-test"])
def test_make_installs_into_a_virtual_environment(target: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    project = _dry_run(target, env)
    venv = str(ROOT / ".venv")
    assert "-m venv" in project and "using the project virtual environment" in project
    for line in project.splitlines():
        if re.search(r"pip install|pytest|ruff |rackflow demo", line) and "-m venv" not in line:
            assert venv in line, f"not in {venv}: {line}"
    active = _dry_run(target, dict(env, VIRTUAL_ENV="/opt/some-env"))
    assert "using the active virtual environment /opt/some-env" in active
    for line in active.splitlines():
        if re.search(r"pip install|pytest|ruff |rackflow demo", line) and "-m venv" not in line:
            assert "/opt/some-env/bin/" in line, line
            assert venv not in line


def test_venv_and_outputs_are_ignored() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".venv/" in ignored and "rackflow-output/" in ignored
