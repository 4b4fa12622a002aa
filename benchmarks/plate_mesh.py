"""Meshes of the conduction-plate benchmark, written as Gmsh files for ``rackflow.load_mesh``.

Geometry: a 0.1 x 0.1 x 0.01 m plate; a 40 x 40 mm heater patch centred on the bottom face (z = 0).
Physical groups: volume ``plate``; surfaces ``heater``, ``bottom`` (rest of z = 0), ``top`` (z = 0.01)
and ``sides`` (x and y faces).

The structured mesh is N x N x N/4 uniform hexahedra, the same grid blockMesh builds for the OpenFOAM
run (benchmarks/openfoam/plate_laplacian.py), so both solvers discretise identical cells. It is
written as binary msh 2.2 through meshio: meshio's msh 4.1 writer produces files its own reader
rejects, and msh 2.2 gives one cell block per element type, which keeps reading cheap.
The tetrahedral mesh is made by gmsh itself (OCC box with the heater rectangle fragmented into the
bottom face so the patch boundary is a mesh edge) and written by gmsh as msh 4.1.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from benchmarks._common import cache_dir

LX = LY = 0.1
LZ = 0.01
HEATER = 0.04
H0 = (LX - HEATER) / 2.0  # heater spans [H0, H0 + HEATER] in x and y
H1 = H0 + HEATER

# physical tags (any distinct integers; names are what the readers use)
TAGS = {"plate": (1, 3), "heater": (2, 2), "bottom": (3, 2), "top": (4, 2), "sides": (5, 2)}


def check_size(n: int) -> None:
    """The heater edges sit at 0.3 and 0.7 of the width: N must be a multiple of 10 for them to be
    cell faces, and of 4 for N/4 layers through the thickness."""
    if n % 20 != 0 or n <= 0:
        raise ValueError(f"N must be a positive multiple of 20 so the heater aligns with cell faces, got {n}")


def hex_mesh_path(n: int) -> Path:
    return cache_dir("meshes") / f"plate_hex_{n}.msh"


def tet_mesh_path(target_cells: int) -> Path:
    return cache_dir("meshes") / f"plate_tet_{target_cells}.msh"


def write_hex_mesh(n: int, path: Path | None = None, *, force: bool = False) -> Path:
    """Write (or reuse the cached) N x N x N/4 hexahedral plate mesh; returns the path."""
    import meshio

    check_size(n)
    path = path or hex_mesh_path(n)
    if path.exists() and not force:
        return path
    nx = ny = n
    nz = n // 4
    xs = np.linspace(0.0, LX, nx + 1)
    ys = np.linspace(0.0, LY, ny + 1)
    zs = np.linspace(0.0, LZ, nz + 1)
    # node id = i + (nx+1) * (j + (ny+1) * k)
    zz, yy, xx = np.meshgrid(zs, ys, xs, indexing="ij")
    points = np.column_stack([xx.ravel(), yy.ravel(), zz.ravel()])

    def nid(i: np.ndarray, j: np.ndarray, k: np.ndarray) -> np.ndarray:
        return i + (nx + 1) * (j + (ny + 1) * k)

    k, j, i = np.meshgrid(np.arange(nz), np.arange(ny), np.arange(nx), indexing="ij")
    i, j, k = i.ravel(), j.ravel(), k.ravel()
    # Gmsh/VTK hexahedron order: bottom quad counter-clockwise seen from +z, then the top quad
    hexes = np.column_stack(
        [
            nid(i, j, k),
            nid(i + 1, j, k),
            nid(i + 1, j + 1, k),
            nid(i, j + 1, k),
            nid(i, j, k + 1),
            nid(i + 1, j, k + 1),
            nid(i + 1, j + 1, k + 1),
            nid(i, j + 1, k + 1),
        ]
    )

    # boundary quads, ordered so the right-hand normal points out of the plate
    def zface(kk: int, outward_up: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        jj, ii = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
        ii, jj = ii.ravel(), jj.ravel()
        kv = np.full_like(ii, kk)
        a, b, c, d = nid(ii, jj, kv), nid(ii + 1, jj, kv), nid(ii + 1, jj + 1, kv), nid(ii, jj + 1, kv)
        q = np.column_stack([a, b, c, d] if outward_up else [a, d, c, b])
        cx = (ii + 0.5) * (LX / nx)
        cy = (jj + 0.5) * (LY / ny)
        return q, cx, cy

    bot, cx, cy = zface(0, outward_up=False)
    in_heater = (cx > H0) & (cx < H1) & (cy > H0) & (cy < H1)
    top, _, _ = zface(nz, outward_up=True)

    sides = []
    kk, jj = np.meshgrid(np.arange(nz), np.arange(ny), indexing="ij")
    kk, jj = kk.ravel(), jj.ravel()
    for ii, out_pos in ((np.zeros_like(jj), False), (np.full_like(jj, nx), True)):  # x = 0, x = LX
        a, b, c, d = nid(ii, jj, kk), nid(ii, jj + 1, kk), nid(ii, jj + 1, kk + 1), nid(ii, jj, kk + 1)
        sides.append(np.column_stack([a, b, c, d] if out_pos else [a, d, c, b]))
    kk, ii = np.meshgrid(np.arange(nz), np.arange(nx), indexing="ij")
    kk, ii = kk.ravel(), ii.ravel()
    for jj, out_pos in ((np.zeros_like(ii), False), (np.full_like(ii, ny), True)):  # y = 0, y = LY
        a, b, c, d = nid(ii, jj, kk), nid(ii, jj, kk + 1), nid(ii + 1, jj, kk + 1), nid(ii + 1, jj, kk)
        sides.append(np.column_stack([a, b, c, d] if out_pos else [a, d, c, b]))
    side = np.concatenate(sides)

    quads = np.concatenate([bot[in_heater], bot[~in_heater], top, side])
    qtag = np.concatenate(
        [
            np.full(int(in_heater.sum()), TAGS["heater"][0]),
            np.full(int((~in_heater).sum()), TAGS["bottom"][0]),
            np.full(len(top), TAGS["top"][0]),
            np.full(len(side), TAGS["sides"][0]),
        ]
    )
    htag = np.full(len(hexes), TAGS["plate"][0])
    mesh = meshio.Mesh(
        points,
        [("quad", quads), ("hexahedron", hexes)],
        cell_data={"gmsh:physical": [qtag, htag], "gmsh:geometrical": [qtag, htag]},
        field_data={name: np.array(v) for name, v in TAGS.items()},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.msh")
    meshio.write(tmp, mesh, file_format="gmsh22", binary=True)
    tmp.replace(path)  # atomic: a killed run never leaves a half-written cached mesh
    return path


def write_tet_mesh(target_cells: int = 1_000_000, path: Path | None = None, *, force: bool = False) -> Path:
    """Write (or reuse) an unstructured tetrahedral plate mesh of about ``target_cells`` cells.

    Uniform size h from the empirical gmsh Delaunay density (HXT: about 4.0 tets per h^3 of volume); the
    count lands within about 10 % of the target, which is all the benchmark needs.
    """
    import gmsh

    path = path or tet_mesh_path(target_cells)
    if path.exists() and not force:
        return path
    volume = LX * LY * LZ
    h = (4.0 * volume / target_cells) ** (1.0 / 3.0)
    gmsh.initialize(readConfigFiles=False, interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("plate")
        occ = gmsh.model.occ
        box = occ.addBox(0, 0, 0, LX, LY, LZ)
        rect = occ.addRectangle(H0, H0, 0, HEATER, HEATER)
        occ.fragment([(3, box)], [(2, rect)])
        occ.synchronize()
        e = 1e-6  # OCC bounding boxes are padded; 1e-9 finds nothing

        def in_box(dim: int, x0: float, y0: float, z0: float, x1: float, y1: float, z1: float) -> list[int]:
            return [
                t
                for _, t in gmsh.model.getEntitiesInBoundingBox(
                    x0 - e, y0 - e, z0 - e, x1 + e, y1 + e, z1 + e, dim
                )
            ]

        vols = [t for _, t in gmsh.model.getEntities(3)]
        heater = in_box(2, H0, H0, 0, H1, H1, 0)
        bottom = [t for t in in_box(2, 0, 0, 0, LX, LY, 0) if t not in heater]
        top = in_box(2, 0, 0, LZ, LX, LY, LZ)
        sides = [t for _, t in gmsh.model.getEntities(2) if t not in heater + bottom + top]
        for name, dim, tags in (
            ("plate", 3, vols),
            ("heater", 2, heater),
            ("bottom", 2, bottom),
            ("top", 2, top),
            ("sides", 2, sides),
        ):
            g = gmsh.model.addPhysicalGroup(dim, tags)
            gmsh.model.setPhysicalName(dim, g, name)
        gmsh.option.setNumber("Mesh.MeshSizeMin", h)
        gmsh.option.setNumber("Mesh.MeshSizeMax", h)
        gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
        gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
        gmsh.option.setNumber("General.NumThreads", 2)
        gmsh.option.setNumber("Mesh.Algorithm3D", 10)  # HXT: parallel Delaunay, much faster at 1e6
        gmsh.model.mesh.generate(3)
        gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
        gmsh.option.setNumber("Mesh.Binary", 1)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.msh")
        gmsh.write(str(tmp))
        tmp.replace(path)
    finally:
        gmsh.finalize()
    return path


def count_cells(path: Path) -> int:
    """Number of volume cells in a mesh file (reads it; for reporting only)."""
    import meshio

    m = meshio.read(path)
    return int(sum(len(b.data) for b in m.cells if b.dim == 3))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="40,80,160", help="comma-separated N for N x N x N/4 hex meshes")
    ap.add_argument("--tet", type=int, default=0, help="also write a tet mesh of about this many cells")
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()
    for n in (int(s) for s in args.sizes.split(",") if s):
        t0 = time.perf_counter()
        p = write_hex_mesh(n, force=args.force)
        print(f"N={n}: {p} ({p.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - t0:.1f} s)")
    if args.tet:
        t0 = time.perf_counter()
        p = write_tet_mesh(args.tet, force=args.force)
        print(f"tet: {p} ({count_cells(p)} cells, {time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
