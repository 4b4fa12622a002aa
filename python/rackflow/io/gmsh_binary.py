"""A fast reader for binary Gmsh msh 2.2 files that gives exactly the ``meshio.Mesh`` meshio does.

meshio stays the reader of record. At 1e6 cells its msh 2.2 binary reader spends most of its
time in a Python loop over every element's tags; this module does the same parsing with NumPy
only. It handles the common case (linear elements, physical + geometrical tags, nodes numbered
1..n, no periodic or data sections) and returns ``None`` for anything else, so that meshio reads
the file. ``tests/unit/test_gmsh_binary.py`` checks that both readers give identical meshes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

_INT = np.dtype("<i4")
_DOUBLE = np.dtype("<f8")

#: Gmsh element type → (meshio type, nodes); linear elements only (meshio reorders higher-order ones).
_TYPES = {
    15: ("vertex", 1),
    1: ("line", 2),
    2: ("triangle", 3),
    3: ("quad", 4),
    4: ("tetra", 4),
    5: ("hexahedron", 8),
    6: ("wedge", 6),
    7: ("pyramid", 5),
}

#: Sections this reader understands; any other one hands the file to meshio.
_KNOWN = {"MeshFormat", "PhysicalNames", "Nodes", "Elements"}


class _Unsupported(Exception):
    """The file uses something this reader leaves to meshio."""


def is_binary_msh22(path: Path) -> bool:
    """Whether the file starts with a binary msh 2.2 header (double size 8)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError:
        return False
    lines = head.split(b"\n")
    return len(lines) > 2 and lines[0].strip() == b"$MeshFormat" and lines[1].split() == [b"2.2", b"1", b"8"]


def _line(f: BinaryIO) -> str:
    line = f.readline()
    if not line:
        raise _Unsupported("unexpected end of file")
    return line.decode("utf-8", errors="strict").strip()


def _end(f: BinaryIO, section: str) -> None:
    line = _line(f)
    while not line:  # binary blocks end with a newline before the closing tag
        line = _line(f)
    if line != f"$End{section}":
        raise _Unsupported(f"expected $End{section}, got {line[:40]!r}")


def _fromfile(f: BinaryIO, dtype: np.dtype, count: int) -> np.ndarray:
    data = np.fromfile(f, dtype=dtype, count=count)
    if data.size != count:
        raise _Unsupported("truncated binary block")
    return data


def _physical_names(f: BinaryIO) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for _ in range(int(_line(f))):
        dim, tag, name = _line(f).split(maxsplit=2)
        if (
            len(name) < 2
            or not (name.startswith('"') and name.endswith('"'))
            or any(c in name[1:-1] for c in '"\\')
        ):
            raise _Unsupported("physical name that needs shell-style unquoting")
        out[name[1:-1]] = np.array([int(tag), int(dim)])
    _end(f, "PhysicalNames")
    return out


def _nodes(f: BinaryIO) -> np.ndarray:
    n = int(_line(f))
    raw = _fromfile(f, np.dtype([("index", _INT), ("x", _DOUBLE, (3,))]), n)
    if not np.array_equal(raw["index"], np.arange(1, n + 1, dtype=np.int32)):
        raise _Unsupported("nodes not numbered 1..n")  # meshio remaps or rejects these
    points = np.ascontiguousarray(raw["x"])
    _end(f, "Nodes")
    return points


def _elements(f: BinaryIO) -> tuple[list[tuple[str, np.ndarray]], dict[str, list[np.ndarray]]]:
    total = int(_line(f))
    # consecutive runs of one type form a block (as in meshio); tags are pooled per type
    runs: list[tuple[str, list[np.ndarray]]] = []
    tags: dict[str, list[np.ndarray]] = {}
    read = 0
    while read < total:
        gmsh_type, count, n_tags = (int(v) for v in _fromfile(f, _INT, 3))
        if gmsh_type not in _TYPES or n_tags != 2 or count <= 0:
            raise _Unsupported("element type or tag count left to meshio")
        kind, nodes = _TYPES[gmsh_type]
        data = _fromfile(f, _INT, count * (1 + n_tags + nodes)).reshape(count, 1 + n_tags + nodes)
        if not runs or runs[-1][0] != kind:
            runs.append((kind, []))
        runs[-1][1].append(data[:, 1 + n_tags :])
        tags.setdefault(kind, []).append(data[:, 1 : 1 + n_tags])
        read += count
    _end(f, "Elements")
    cells = []
    for kind, parts in runs:
        conn = parts[0] if len(parts) == 1 else np.vstack(parts)
        cells.append((kind, (conn - 1).astype(np.int32, copy=False)))
    pooled = {kind: parts[0] if len(parts) == 1 else np.vstack(parts) for kind, parts in tags.items()}
    physical: list[np.ndarray] = []
    geometrical: list[np.ndarray] = []
    offset: dict[str, int] = {}
    for kind, conn in cells:
        start = offset.get(kind, 0)
        offset[kind] = start + len(conn)
        block = pooled[kind][start : start + len(conn)]
        physical.append(np.ascontiguousarray(block[:, 0], dtype=np.int32))
        geometrical.append(np.ascontiguousarray(block[:, 1], dtype=np.int32))
    return cells, {"gmsh:physical": physical, "gmsh:geometrical": geometrical}


def read(path: Path) -> Any | None:
    """The ``meshio.Mesh`` of a binary msh 2.2 file, or ``None`` when meshio should read it."""
    import meshio

    points: np.ndarray | None = None
    cells: list[tuple[str, np.ndarray]] = []
    cell_data: dict[str, list[np.ndarray]] = {}
    field_data: dict[str, np.ndarray] = {}
    try:
        with open(path, "rb") as f:
            if _line(f) != "$MeshFormat" or _line(f).split() != ["2.2", "1", "8"]:
                return None
            if int(_fromfile(f, _INT, 1)[0]) != 1:
                return None  # other endianness
            _end(f, "MeshFormat")
            while True:
                line = f.readline()
                if not line:
                    break
                section = line.decode("utf-8", errors="strict").strip()
                if not section:
                    continue
                if not section.startswith("$") or section[1:] not in _KNOWN:
                    return None
                if section == "$PhysicalNames":
                    field_data = _physical_names(f)
                elif section == "$Nodes":
                    points = _nodes(f)
                elif section == "$Elements":
                    if points is None:
                        return None
                    cells, cell_data = _elements(f)
                else:
                    return None  # a second $MeshFormat
    except (_Unsupported, ValueError, UnicodeDecodeError):
        return None
    if points is None or not cells:
        return None
    return meshio.Mesh(points, cells, cell_data=cell_data, field_data=field_data)
