"""Shared gmsh helpers: lazy import, session set-up, tagging, writing.

gmsh is an optional dependency (``pip install rackflow[mesh]``), so nothing in
this module imports it at module level; every helper calls :func:`require_gmsh`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

# OCC bounding boxes are padded; a 1e-9 tolerance finds nothing (see
# reference/ecosystem.md §2), 1e-6 m is far below any feature of a cold plate.
BBOX_TOL_M = 1e-6

# gmsh element type codes used here.
GMSH_QUAD = 3
GMSH_HEXA = 5


def require_gmsh() -> Any:
    """Import and return the ``gmsh`` module, or raise a helpful ImportError."""
    try:
        import gmsh
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "rackflow.meshing needs the gmsh Python package: pip install rackflow[mesh] "
            "(or pip install gmsh; on a bare Linux also install libGLU/libGL)"
        ) from exc
    return gmsh


@contextlib.contextmanager
def gmsh_session(model_name: str) -> Iterator[Any]:
    """Initialise gmsh for one generator call and always finalise it.

    ``readConfigFiles=False`` keeps a user's ~/.gmshrc from changing our meshes
    (determinism), ``interruptible=False`` lets the generators run in worker
    threads (gmsh otherwise installs a SIGINT handler, which only works in the
    main thread), and ``General.Terminal=0`` keeps the log quiet.
    """
    gmsh = require_gmsh()
    # Another caller (a user script) may already own a session; do not tear it down.
    owned = not gmsh.isInitialized()
    if owned:
        gmsh.initialize(readConfigFiles=False, interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.option.setNumber("General.Verbosity", 1)
        # One thread: the machine is shared and single-threaded meshing is reproducible.
        gmsh.option.setNumber("General.NumThreads", 1)
        gmsh.option.setNumber("Mesh.MaxNumThreads3D", 1)
        gmsh.model.add(model_name)
        yield gmsh
    finally:
        if owned:
            gmsh.finalize()
        else:
            gmsh.model.remove()


def entities_in_box(dim: int, lo: Sequence[float], hi: Sequence[float], tol: float = BBOX_TOL_M) -> list[int]:
    """Tags of the entities of dimension ``dim`` lying entirely inside a box."""
    gmsh = require_gmsh()
    found = gmsh.model.getEntitiesInBoundingBox(
        lo[0] - tol,
        lo[1] - tol,
        lo[2] - tol,
        hi[0] + tol,
        hi[1] + tol,
        hi[2] + tol,
        dim,
    )
    return sorted(tag for _, tag in found)


def add_physical(dim: int, tags: Sequence[int], name: str) -> int:
    """Create a named physical group; empty groups are a generator bug, so raise."""
    gmsh = require_gmsh()
    tags = sorted({int(t) for t in tags})
    if not tags:
        raise RuntimeError(f"physical group {name!r} would be empty (generator bug)")
    ptag = gmsh.model.addPhysicalGroup(dim, tags)
    # setPhysicalName rather than name=: portable to older gmsh (4.8 in Debian).
    gmsh.model.setPhysicalName(dim, ptag, name)
    return ptag


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Send the process's standard output to /dev/null for a moment: OpenCASCADE's STEP
    translator prints its statistics there from C++, past Python's ``sys.stdout``."""
    import sys

    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # no real file descriptor (captured): nothing to hide
        yield
        return
    saved = os.dup(fd)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def write_msh(path: str | os.PathLike[str], *, binary: bool = False) -> Path:
    """Write the current model as msh 4.1 (gmsh writes it; meshio's 4.1 writer is broken)."""
    gmsh = require_gmsh()
    out = Path(path)
    if out.suffix != ".msh":
        raise ValueError(f"path: expected a .msh file name, got {str(path)!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
    gmsh.option.setNumber("Mesh.Binary", 1 if binary else 0)
    # Only elements in physical groups are saved: no stray lines/points for meshio.
    gmsh.option.setNumber("Mesh.SaveAll", 0)
    gmsh.write(str(out))
    return out


def write_discrete_mesh(
    path: str | os.PathLike[str],
    points: np.ndarray,
    regions: dict[str, np.ndarray],
    patches: dict[str, np.ndarray],
    *,
    model_name: str,
    binary: bool = False,
) -> Path:
    """Write an all-hexahedral mesh built in NumPy through gmsh as msh 4.1.

    Parameters
    ----------
    path
        Output ``.msh`` file.
    points
        (n, 3) node coordinates in metres; node ``i`` gets gmsh tag ``i + 1``.
    regions
        Region name -> (m, 8) zero-based hexahedron connectivity (gmsh order).
    patches
        Patch name -> (k, 4) zero-based quadrilateral connectivity.
    model_name
        gmsh model name.
    binary
        Write binary msh 4.1 (about half the size of ASCII).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    with gmsh_session(model_name) as gmsh:
        mesh = gmsh.model.mesh
        n_points = points.shape[0]
        node_tags = np.arange(1, n_points + 1, dtype=np.uint64)
        next_elem = 1
        first = True
        for name, hexes in regions.items():
            ent = gmsh.model.addDiscreteEntity(3)
            if first:
                # A node belongs to exactly one gmsh entity; elements of other
                # entities may still reference it, so all nodes go on the first.
                mesh.addNodes(3, ent, node_tags, np.ascontiguousarray(points, float).ravel())
                first = False
            tags = np.arange(next_elem, next_elem + len(hexes), dtype=np.uint64)
            next_elem += len(hexes)
            mesh.addElementsByType(ent, GMSH_HEXA, tags, (hexes.astype(np.uint64) + 1).ravel())
            add_physical(3, [ent], name)
        for name, quads in patches.items():
            ent = gmsh.model.addDiscreteEntity(2)
            tags = np.arange(next_elem, next_elem + len(quads), dtype=np.uint64)
            next_elem += len(quads)
            mesh.addElementsByType(ent, GMSH_QUAD, tags, (quads.astype(np.uint64) + 1).ravel())
            add_physical(2, [ent], name)
        return write_msh(path, binary=binary)
