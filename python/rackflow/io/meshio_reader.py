"""Reading any meshio format into the flat arrays the core builds a mesh from.

Regions come from Gmsh physical volumes (``gmsh:physical`` + ``field_data``), from meshio
``cell_sets``, or from integer cell data (``region_id``, ``CellEntityIds``); patches from tagged
2D cells the same way. Untagged 3D cells form the region ``unassigned``; a mesh without any tags
is one region ``domain``.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rackflow.errors import MeshError, ResourceError
from rackflow.io import gmsh_binary
from rackflow.io.quiet import quiet_meshio

#: meshio cell type → VTK cell type code used by the core.
VOLUME_TYPES = {"tetra": 10, "hexahedron": 12, "wedge": 13, "pyramid": 14}
FACE_TYPES = ("triangle", "quad", "polygon")
POLYHEDRON_PREFIX = "polyhedron"


@dataclass
class FlatMesh:
    """Flat arrays describing a mesh, plus what output writers need to rebuild it."""

    points: np.ndarray
    cell_types: np.ndarray
    cell_offsets: np.ndarray
    cell_connectivity: np.ndarray
    cell_region: np.ndarray
    region_names: list[str]
    patch_face_offsets: np.ndarray
    patch_face_connectivity: np.ndarray
    patch_face_patch: np.ndarray
    patch_names: list[str]
    #: the 3D cell blocks, in core cell order, as (meshio type, connectivity) for writers
    blocks: list[tuple[str, Any]]


def blocks_in_core_order(blocks: list[tuple[str, Any]], order: np.ndarray) -> list[tuple[str, Any]]:
    """The cell blocks with their rows in the core's cell order (``order[i]``: the input index of
    core cell ``i``). The core moves cells only within runs of one shape and region and never
    moves polyhedra, so each block keeps its shape and size and takes its rows from the blocks
    of its shape (in practice from itself)."""
    sizes = [len(data) for _, data in blocks]
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    out: list[tuple[str, Any]] = []
    for b, (kind, data) in enumerate(blocks):
        source = np.asarray(order[starts[b] : starts[b + 1]], dtype=np.int64)
        if kind.startswith(POLYHEDRON_PREFIX) or len(source) == 0:
            out.append((kind, data))
        elif source.min() >= starts[b] and source.max() < starts[b + 1]:
            out.append((kind, np.ascontiguousarray(data[source - starts[b]])))
        else:
            same = [k for k, (other, _) in enumerate(blocks) if other == kind]
            stacked = np.concatenate([blocks[k][1] for k in same])
            row = np.full(int(starts[-1]), -1, dtype=np.int64)
            first = 0
            for k in same:
                row[starts[k] : starts[k + 1]] = np.arange(first, first + sizes[k])
                first += sizes[k]
            out.append((kind, np.ascontiguousarray(stacked[row[source]])))
    return out


def out_of_memory(phase: str, needed_mb: float | None, detail: str = "") -> ResourceError:
    """A :class:`ResourceError` for a ``MemoryError`` met in Python (NumPy, meshio)."""
    what = f" ({detail})" if detail else ""
    need = f": it needs about {needed_mb:.0f} MB" if needed_mb else ""
    err = ResourceError(f"not enough memory for {phase}{what}{need}")
    err.phase, err.needed_mb, err.available_mb = phase, needed_mb or float("nan"), float("nan")
    return err


def read(path: str | Path) -> FlatMesh:
    """Read a mesh file with meshio."""
    import meshio

    path = Path(path)
    if not path.exists():
        raise MeshError(f"mesh file '{path}' does not exist")
    if path.is_dir():
        raise MeshError(f"mesh path '{path}' is a directory, not a mesh file")
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        # a FIFO would block for ever, a device such as /dev/zero would read until memory runs out
        kind = (
            "FIFO"
            if stat.S_ISFIFO(mode)
            else "device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "special file"
        )
        raise MeshError(f"mesh path '{path}' is a {kind}, not a regular file")
    try:
        m = gmsh_binary.read(path) if gmsh_binary.is_binary_msh22(path) else None
        if m is None:
            with quiet_meshio():  # meshio prints its warnings (coloured) to the terminal
                m = meshio.read(path)
    except MemoryError as e:
        size_mb = path.stat().st_size / 1e6
        raise out_of_memory(
            "reading the mesh file", needed_mb=None, detail=f"'{path}' is {size_mb:.0f} MB"
        ) from e
    except (Exception, SystemExit) as e:  # meshio raises many types (even SystemExit) on bad files
        raise MeshError(f"cannot read '{path}' as a mesh: {type(e).__name__}: {e}") from e
    return from_meshio(m, source=str(path))


def _block_tags(
    m: Any, index: int, block: Any, names_by_tag: dict[tuple[int, int], str]
) -> tuple[list[str], np.ndarray] | None:
    """Names and per-cell codes (−1: untagged) of block ``index``, or None without tags."""
    n = len(block.data)
    dim = 3 if (block.type in VOLUME_TYPES or block.type.startswith(POLYHEDRON_PREFIX)) else 2
    kind = "region" if dim == 3 else "patch"
    physical = m.cell_data.get("gmsh:physical")
    if physical is not None and names_by_tag:
        tags = np.asarray(physical[index], dtype=np.int64)
        unique, codes = np.unique(tags, return_inverse=True)
        names = [names_by_tag.get((int(t), dim), f"{kind}_{int(t)}") for t in unique]
        return names, codes.astype(np.int64)
    sets = {k: v for k, v in (m.cell_sets or {}).items() if not k.startswith("gmsh:")}
    if sets:
        codes = np.full(n, -1, dtype=np.int64)
        names: list[str] = []
        for name, per_block in sets.items():
            if index < len(per_block) and per_block[index] is not None and len(per_block[index]):
                codes[np.asarray(per_block[index], dtype=np.int64)] = len(names)
                names.append(str(name))
        return (names, codes) if names else None
    rackflow_keys = [k for k in m.cell_data if k.startswith("region_id:")]
    for key in [*rackflow_keys, "region_id", "CellEntityIds", "gmsh:physical", "medit:ref", "cell_tags"]:
        data = m.cell_data.get(key)
        if data is not None:
            tags = np.asarray(data[index]).reshape(n, -1)[:, 0].astype(np.int64)
            unique, codes = np.unique(tags, return_inverse=True)
            if key.startswith("region_id:") and dim == 3:
                known = key.removeprefix("region_id:").split("|")
                names = [known[t] if 0 <= t < len(known) else f"region_{t}" for t in unique.tolist()]
            else:
                names = [f"{kind}_{t}" for t in unique.tolist()]
            return names, codes.astype(np.int64)
    return None


class _Labels:
    """Accumulates per-cell name codes over blocks with a shared name table."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.codes: list[np.ndarray] = []

    def add(self, tagged: tuple[list[str], np.ndarray] | None, n: int) -> None:
        if tagged is None:
            self.codes.append(np.full(n, -1, dtype=np.int64))
            return
        names, codes = tagged
        lookup = np.empty(len(names) + 1, dtype=np.int64)
        lookup[-1] = -1
        for i, name in enumerate(names):
            if name not in self.names:
                self.names.append(name)
            lookup[i] = self.names.index(name)
        self.codes.append(lookup[codes])


def from_meshio(m: Any, source: str = "<meshio.Mesh>") -> FlatMesh:
    """Convert a ``meshio.Mesh``."""
    points = np.ascontiguousarray(np.asarray(m.points, dtype=np.float64))
    if points.ndim != 2 or points.shape[1] not in (2, 3):
        raise MeshError(f"{source}: points must be an n × 3 array, got shape {points.shape}")
    if points.shape[1] == 2:
        raise MeshError(f"{source}: the mesh is two-dimensional; rackflow needs 3D cells")
    names_by_tag: dict[tuple[int, int], str] = {}
    for name, value in (m.field_data or {}).items():
        v = np.asarray(value).ravel()
        if v.size == 2 and np.issubdtype(v.dtype, np.integer):
            names_by_tag[(int(v[0]), int(v[1]))] = str(name)

    cell_types: list[np.ndarray] = []
    connectivity: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    regions = _Labels()
    patches = _Labels()
    face_conn: list[np.ndarray] = []
    face_len: list[np.ndarray] = []
    blocks: list[tuple[str, Any]] = []
    # int32 vertex indices where they fit: the arrays live as long as the mesh (the writers use
    # the blocks, which share their memory with the connectivity of a single-block mesh)
    index = np.int32 if len(points) < np.iinfo(np.int32).max else np.int64
    for i, block in enumerate(m.cells):
        t = block.type
        if t in VOLUME_TYPES:
            data = np.ascontiguousarray(block.data, dtype=index)
            n, k = data.shape
            cell_types.append(np.full(n, VOLUME_TYPES[t], dtype=np.uint8))
            connectivity.append(data.ravel())
            lengths.append(np.full(n, k, dtype=np.int64))
            blocks.append((t, data))
        elif t.startswith(POLYHEDRON_PREFIX):
            streams = []
            for cell in block.data:
                faces = [np.asarray(f, dtype=np.int64).ravel() for f in cell]
                stream = [len(faces)]
                for f in faces:
                    stream.append(len(f))
                    stream.extend(int(v) for v in f)
                streams.append(np.asarray(stream, dtype=np.int64))
            n = len(streams)
            cell_types.append(np.full(n, 42, dtype=np.uint8))
            connectivity.extend(streams)
            lengths.append(np.asarray([len(s) for s in streams], dtype=np.int64))
            blocks.append((t, block.data))
        elif t in FACE_TYPES:
            tagged = _block_tags(m, i, block, names_by_tag)
            if tagged is None:
                continue
            before = len(patches.codes)
            patches.add(tagged, len(block.data))
            keep = patches.codes[before] >= 0
            patches.codes[before] = patches.codes[before][keep]
            if t == "polygon":
                cells = [
                    np.asarray(c, dtype=np.int64).ravel() for c, k in zip(block.data, keep, strict=True) if k
                ]
                face_conn.extend(cells)
                face_len.append(np.asarray([len(c) for c in cells], dtype=np.int64))
            else:
                data = np.asarray(block.data, dtype=np.int64)[keep]
                face_conn.append(data.ravel())
                face_len.append(np.full(len(data), data.shape[1], dtype=np.int64))
            continue
        else:
            continue  # lines and vertices carry no volume
        regions.add(_block_tags(m, i, block, names_by_tag), n)
    if not cell_types:
        found = sorted({b.type for b in m.cells})
        raise MeshError(
            f"{source}: no 3D cells (found {found}); rackflow needs tetra, hexahedron, wedge, pyramid "
            "or polyhedron cells — a 2D-only mesh cannot be solved"
        )
    cell_region = np.concatenate(regions.codes)
    region_names = list(regions.names)
    if (cell_region < 0).any():
        region_names.append("unassigned" if region_names else "domain")
        cell_region[cell_region < 0] = len(region_names) - 1
    # drop names no cell uses (a tag table may list more groups than this block set holds)
    used = np.unique(cell_region)
    remap = np.full(len(region_names), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    cell_region = remap[cell_region]
    region_names = [region_names[i] for i in used.tolist()]
    patch_names = patches.names
    overlap = set(patch_names) & set(region_names)
    if overlap:
        raise MeshError(f"{source}: names used for both a region and a patch: {sorted(overlap)}")

    def joined(parts: list[np.ndarray]) -> np.ndarray:
        # one block (the usual case at 1e6 cells) needs no concatenation copy
        return np.ascontiguousarray(parts[0]) if len(parts) == 1 else np.concatenate(parts)

    lens = joined(lengths)
    total = int(lens.sum())
    offsets = np.zeros(len(lens) + 1, dtype=np.int32 if total < np.iinfo(np.int32).max else np.int64)
    np.cumsum(lens, out=offsets[1:])
    flen = np.concatenate(face_len) if face_len else np.zeros(0, dtype=np.int64)
    f_offsets = np.zeros(len(flen) + 1, dtype=np.int64)
    np.cumsum(flen, out=f_offsets[1:])
    return FlatMesh(
        points=points,
        cell_types=joined(cell_types),
        cell_offsets=offsets,
        cell_connectivity=joined(connectivity),
        cell_region=np.ascontiguousarray(cell_region, dtype=np.int32),
        region_names=region_names,
        patch_face_offsets=f_offsets,
        patch_face_connectivity=(
            np.concatenate(face_conn) if face_conn else np.zeros(0, dtype=np.int64)
        ).astype(np.int64),
        patch_face_patch=(
            np.concatenate(patches.codes) if patches.codes else np.zeros(0, dtype=np.int64)
        ).astype(np.int64),
        patch_names=patch_names,
        blocks=blocks,
    )
