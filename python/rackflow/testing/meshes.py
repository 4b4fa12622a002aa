"""Structured box meshes as ``meshio.Mesh`` objects, in every cell type rackflow supports.

``box(n, lengths, cells=...)`` fills ``[0, lx] × [0, ly] × [0, lz]`` with ``n = (nx, ny, nz)``
boxes, each one hexahedron, six tetrahedra (a conforming Kuhn split), or — for ``"mixed"`` —
hexahedra, six-pyramid boxes and wedge columns side by side. The six sides are patches
``xmin … zmax``; ``regions`` maps region names to predicates on cell centres. ``stretch`` maps
one coordinate (thin walls, grading) and ``structured_field`` reads cell values back as an
``(nx, ny, nz)`` array.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import meshio
import numpy as np

_KUHN = [(0, 1, 2, 6), (0, 2, 3, 6), (0, 3, 7, 6), (0, 7, 4, 6), (0, 4, 5, 6), (0, 5, 1, 6)]
# six pyramids on the box faces with the apex at the box centre (index 8); bases keep the quads
_PYRAMIDS = [(0, 3, 2, 1), (4, 5, 6, 7), (0, 1, 5, 4), (1, 2, 6, 5), (2, 3, 7, 6), (3, 0, 4, 7)]
# two wedges per box, split along the x–y diagonal 0–2 / 4–6
_WEDGES = [(0, 1, 2, 4, 5, 6), (0, 2, 3, 4, 6, 7)]


def box(
    n: Sequence[int],
    lengths: Sequence[float] = (1.0, 1.0, 1.0),
    cells: str = "hexahedron",
    regions: dict[str, Callable[[np.ndarray], np.ndarray]] | None = None,
    origin: Sequence[float] = (0.0, 0.0, 0.0),
    jitter: float = 0.0,
    seed: int = 0,
) -> meshio.Mesh:
    """A structured box mesh; ``jitter`` moves interior points randomly (fraction of a cell)."""
    nx, ny, nz = (int(v) for v in n)
    lx, ly, lz = (float(v) for v in lengths)
    xs, ys, zs = (np.linspace(0, ln, m + 1) for ln, m in ((lx, nx), (ly, ny), (lz, nz)))
    gx, gy, gz = np.meshgrid(xs, ys, zs, indexing="ij")
    points = np.c_[gx.ravel(), gy.ravel(), gz.ravel()]
    if jitter:
        rng = np.random.default_rng(seed)
        h = np.array([lx / nx, ly / ny, lz / nz])
        interior = (
            (gx.ravel() > 0)
            & (gx.ravel() < lx)
            & (gy.ravel() > 0)
            & (gy.ravel() < ly)
            & (gz.ravel() > 0)
            & (gz.ravel() < lz)
        )
        points[interior] += jitter * h * rng.uniform(-0.5, 0.5, size=(interior.sum(), 3))
    points = points + np.asarray(origin, dtype=float)

    def pid(i: np.ndarray, j: np.ndarray, k: np.ndarray) -> np.ndarray:
        return (i * (ny + 1) + j) * (nz + 1) + k

    i, j, k = (a.ravel() for a in np.meshgrid(np.arange(nx), np.arange(ny), np.arange(nz), indexing="ij"))
    corners = np.c_[
        pid(i, j, k), pid(i + 1, j, k), pid(i + 1, j + 1, k), pid(i, j + 1, k),
        pid(i, j, k + 1), pid(i + 1, j, k + 1), pid(i + 1, j + 1, k + 1), pid(i, j + 1, k + 1),
    ]  # fmt: skip
    blocks: list[tuple[str, np.ndarray]] = []
    if cells == "hexahedron":
        blocks.append(("hexahedron", corners))
    elif cells == "tetra":
        blocks.append(("tetra", np.concatenate([corners[:, list(t)] for t in _KUHN])))
    elif cells == "mixed":
        kind = (i + j) % 3  # columns: 0 hexahedra, 1 pyramids, 2 wedges (wedge columns keep their faces)
        blocks.append(("hexahedron", corners[kind == 0]))
        pyr = corners[kind == 1]
        centres = points[pyr].mean(axis=1)
        apex = len(points) + np.arange(len(pyr))
        points = np.vstack([points, centres])
        with_apex = np.c_[pyr, apex]
        blocks.append(("pyramid", np.concatenate([with_apex[:, [*b, 8]] for b in _PYRAMIDS])))
        blocks.append(("wedge", np.concatenate([corners[kind == 2][:, list(w)] for w in _WEDGES])))
    else:
        raise ValueError(f"cells must be 'hexahedron', 'tetra' or 'mixed', got {cells!r}")

    # boundary faces of the six sides
    faces: list[np.ndarray] = []
    tags: list[np.ndarray] = []

    def side(quads: np.ndarray, tag: int, split: bool) -> None:
        if split:
            lo = quads.min(axis=1)
            hi = quads.max(axis=1)
            other = np.sort(quads, axis=1)[:, 1:3]
            tris = np.concatenate([np.c_[lo, other[:, 0], hi], np.c_[lo, other[:, 1], hi]])
            faces.append(tris)
            tags.append(np.full(len(tris), tag))
        else:
            faces.append(quads)
            tags.append(np.full(len(quads), tag))

    a, b = np.meshgrid(np.arange(ny), np.arange(nz), indexing="ij")
    a, b = a.ravel(), b.ravel()
    tet = cells == "tetra"
    side(
        np.c_[pid(0 * a, a, b), pid(0 * a, a + 1, b), pid(0 * a, a + 1, b + 1), pid(0 * a, a, b + 1)], 1, tet
    )
    side(
        np.c_[
            pid(0 * a + nx, a, b),
            pid(0 * a + nx, a + 1, b),
            pid(0 * a + nx, a + 1, b + 1),
            pid(0 * a + nx, a, b + 1),
        ],
        2,
        tet,
    )
    a, b = np.meshgrid(np.arange(nx), np.arange(nz), indexing="ij")
    a, b = a.ravel(), b.ravel()
    side(
        np.c_[pid(a, 0 * a, b), pid(a + 1, 0 * a, b), pid(a + 1, 0 * a, b + 1), pid(a, 0 * a, b + 1)], 3, tet
    )
    side(
        np.c_[
            pid(a, 0 * a + ny, b),
            pid(a + 1, 0 * a + ny, b),
            pid(a + 1, 0 * a + ny, b + 1),
            pid(a, 0 * a + ny, b + 1),
        ],
        4,
        tet,
    )
    a, b = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    a, b = a.ravel(), b.ravel()
    for kk, tag in ((0, 5), (nz, 6)):
        quads = np.c_[
            pid(a, b, 0 * a + kk),
            pid(a + 1, b, 0 * a + kk),
            pid(a + 1, b + 1, 0 * a + kk),
            pid(a, b + 1, 0 * a + kk),
        ]
        if cells == "mixed":
            wedge_col = (a + b) % 3 == 2
            side(quads[~wedge_col], tag, False)
            q = quads[wedge_col]  # wedge columns: triangles along the 0–2 diagonal
            tris = np.concatenate([q[:, [0, 1, 2]], q[:, [0, 2, 3]]])
            faces.append(tris)
            tags.append(np.full(len(tris), tag))
        else:
            side(quads, tag, tet)

    # regions by predicate on cell centres
    field_data: dict[str, np.ndarray] = {}
    cell_blocks = []
    cell_tags = []
    names = list((regions or {"box": lambda c: np.ones(len(c), dtype=bool)}).keys())
    preds = list((regions or {"box": lambda c: np.ones(len(c), dtype=bool)}).values())
    for t, data in blocks:
        centres = points[data].mean(axis=1)
        tag = np.zeros(len(data), dtype=np.int64)
        for r, pred in enumerate(preds):
            hit = np.asarray(pred(centres), dtype=bool) & (tag == 0)
            tag[hit] = 100 + r
        if (tag == 0).any():
            raise ValueError("some cells fall in no region")
        cell_blocks.append((t, data))
        cell_tags.append(tag)
    for r, name in enumerate(names):
        field_data[name] = np.array([100 + r, 3])
    for tag, name in enumerate(("xmin", "xmax", "ymin", "ymax", "zmin", "zmax"), start=1):
        field_data[name] = np.array([tag, 2])
    face_blocks: list[tuple[str, np.ndarray]] = []
    face_tags: list[np.ndarray] = []
    for f, t in zip(faces, tags, strict=True):
        face_blocks.append(("triangle" if f.shape[1] == 3 else "quad", f))
        face_tags.append(t)
    return meshio.Mesh(
        points,
        cell_blocks + face_blocks,
        cell_data={"gmsh:physical": cell_tags + face_tags},
        field_data=field_data,
    )


def stretch(m: meshio.Mesh, axis: int, mapping: Callable[[np.ndarray], np.ndarray]) -> meshio.Mesh:
    """The mesh with coordinate ``axis`` of every point replaced by ``mapping(coordinate)``.

    A monotone mapping of one coordinate keeps a :func:`box` orthogonal (thin walls, graded
    cells); regions and patches are kept, since :func:`box` assigned them before the mapping."""
    points = np.array(m.points, dtype=float)
    points[:, axis] = mapping(points[:, axis])
    return meshio.Mesh(points, m.cells, cell_data=m.cell_data, field_data=m.field_data)


def structured_field(centres: np.ndarray, values: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """Cell values of a structured :func:`box` mesh (possibly :func:`stretch`-ed) as an
    ``(nx, ny, nz)`` array indexed like the cells' positions, whatever order the cells are in."""
    extent = np.ptp(centres, axis=0) + 1e-300
    key = np.round((centres - centres.min(axis=0)) / extent, 9)  # same layer → same key
    order = np.lexsort((key[:, 2], key[:, 1], key[:, 0]))
    return np.asarray(values)[order].reshape(tuple(shape))


def gmsh_box_tetra(path: str, size: Sequence[float], cell_size_m: float) -> str:
    """An unstructured (Delaunay) tetrahedral mesh of the box [0, size], written by gmsh, with
    the patches of :func:`box` (``xmin`` … ``zmax``) and the region ``box``: the kind of
    tetrahedra a user's own Gmsh meshes contain, unlike the Kuhn-split grids of :func:`box`."""
    from rackflow.meshing._gmsh import add_physical, entities_in_box, gmsh_session, write_msh

    lx, ly, lz = (float(v) for v in size)
    with gmsh_session("box") as gmsh:
        gmsh.model.occ.addBox(0, 0, 0, lx, ly, lz)
        gmsh.model.occ.synchronize()
        gmsh.option.setNumber("Mesh.MeshSizeMin", cell_size_m)
        gmsh.option.setNumber("Mesh.MeshSizeMax", cell_size_m)
        gmsh.model.mesh.generate(3)
        hi = (lx, ly, lz)
        for axis, letter in enumerate("xyz"):
            for side, value in (("min", 0.0), ("max", hi[axis])):
                lo_pt = [0.0, 0.0, 0.0]
                hi_pt = list(hi)
                lo_pt[axis] = hi_pt[axis] = value
                add_physical(2, entities_in_box(2, lo_pt, hi_pt), f"{letter}{side}")
        add_physical(3, [tag for _, tag in gmsh.model.getEntities(3)], "box")
        write_msh(path)
    return path


def pipe_sector(
    n_axial: int,
    n_radial: int,
    length_m: float,
    radius_m: float,
    grading: float = 0.0,
    angle_deg: float = 5.0,
    inner_fraction: float = 0.01,
    wall_distances_m: np.ndarray | None = None,
) -> meshio.Mesh:
    """A thin sector of a round pipe along x, one hexahedron thick in θ: the axisymmetric pipe
    with symmetry planes on the sector sides. Radial cells are graded towards the wall by
    ``tanh`` with ``grading`` (0: uniform), or sit at the given ``wall_distances_m`` (``n_radial
    + 1`` increasing nodes from 0 to the inner cylinder's distance, e.g. from
    :func:`graded_nodes`: the same wall-normal nodes as a :func:`box` wall); the axis is a tiny
    inner cylinder of ``inner_fraction`` of the radius (a symmetry patch, no degenerate cells).
    Patches: ``inlet`` (x = 0), ``outlet``, ``wall`` (r = R), ``axis`` and ``side0``/``side1``."""
    m = box((n_axial, n_radial, 1), (length_m, 1.0, 1.0))
    x, s, t = m.points[:, 0], m.points[:, 1], m.points[:, 2]
    if grading > 0:
        s = 1 + np.tanh(grading * (s - 1)) / np.tanh(grading)
    r0 = inner_fraction * radius_m
    r = radius_m - (radius_m - r0) * s  # s is the wall distance, fine at s = 0
    if wall_distances_m is not None:
        nodes = np.asarray(wall_distances_m, dtype=float)
        if len(nodes) != n_radial + 1 or not np.isclose(nodes[-1], radius_m - r0):
            raise ValueError("wall_distances_m: n_radial + 1 nodes from 0 to the inner cylinder")
        r = radius_m - np.interp(s, np.linspace(0.0, 1.0, n_radial + 1), nodes)
    theta = np.radians(angle_deg) * (0.5 - t)  # keeps the cells right-handed
    m.points = np.c_[x, r * np.cos(theta), r * np.sin(theta)]
    names = {
        "box": "coolant",
        "xmin": "inlet",
        "xmax": "outlet",
        "ymin": "wall",
        "ymax": "axis",
        "zmin": "side0",
        "zmax": "side1",
    }
    m.field_data = {names.get(k, k): v for k, v in m.field_data.items()}
    return m


def graded_nodes(
    start: float,
    end: float,
    first_start: float | None,
    first_end: float | None,
    ratio: float,
    max_size: float,
) -> np.ndarray:
    """Node coordinates from ``start`` to ``end`` whose cells grow geometrically by about
    ``ratio`` from ``first_start`` (at ``start``) and ``first_end`` (at ``end``) up to
    ``max_size`` (``None``: no clustering at that end). The cell size is a piecewise-linear
    function of position and the nodes sit at integer values of its integrated inverse, scaled
    so that the count is whole."""
    s = np.linspace(start, end, 40001)
    size = np.full_like(s, max_size)
    if first_start is not None:
        size = np.minimum(size, first_start + (ratio - 1) * (s - start))
    if first_end is not None:
        size = np.minimum(size, first_end + (ratio - 1) * (end - s))
    inverse = 1 / size
    count = np.concatenate([[0.0], np.cumsum(0.5 * (inverse[1:] + inverse[:-1]) * np.diff(s))])
    n = max(1, int(np.rint(count[-1])))
    nodes = np.interp(np.linspace(0, count[-1], n + 1), count, s)
    nodes[0], nodes[-1] = start, end
    return nodes


def backward_step(
    step_m: float = 0.0127,
    refine: float = 1.0,
    first_cell_h: float = 1e-3,
    thickness_h: float = 0.1,
) -> meshio.Mesh:
    """The 2-D backward-facing step of Driver & Seegmiller (1985) as set up by the NASA
    Turbulence Modeling Resource (case 2DBFS) and OpenFOAM's ``backwardFacingStep2D`` tutorial,
    one hexahedron thick. In step heights h: inlet at x = −130, a symmetry plane on both sides
    for −130 < x < −110 (``lower_start``, ``upper_start``), walls from x = −110 (``lower_wall``
    at y = 1 upstream, the step face at x = 0 and y = 0 downstream; ``upper_wall`` at y = 9),
    outlet at x = 50; expansion ratio 9/8 = 1.125. Cells are graded geometrically towards
    every wall (first cell ``first_cell_h`` h thick, growth ≤ 1.2), towards the step corner
    and the plate's leading edge; ``refine`` divides every size (and the growth rate minus one).
    The sides ``side0``/``side1`` (z) are for symmetry planes; the region is ``air``."""
    r = 1.0 / refine
    g = lambda ratio: 1 + (ratio - 1) * r  # noqa: E731
    first = first_cell_h * r
    xs = np.concatenate(
        [
            graded_nodes(-130, -110, None, 0.5 * r, g(1.2), 5.0 * r)[:-1],
            graded_nodes(-110, 0, 0.5 * r, 0.04 * r, g(1.12), 4.0 * r)[:-1],
            graded_nodes(0, 14, 0.04 * r, None, g(1.1), 0.2 * r)[:-1],
            graded_nodes(14, 50, 0.2 * r, None, g(1.1), 2.0 * r),
        ]
    )
    ys = np.concatenate(
        [
            graded_nodes(0, 1, first, first, g(1.2), 0.08 * r)[:-1],
            graded_nodes(1, 9, first, first, g(1.2), 0.3 * r),
        ]
    )
    nx, ny = len(xs) - 1, len(ys) - 1
    m = box((nx, ny, 1), (1.0, 1.0, 1.0))
    i = np.rint(m.points[:, 0] * nx).astype(int)
    j = np.rint(m.points[:, 1] * ny).astype(int)
    points = np.c_[xs[i], ys[j], m.points[:, 2] * thickness_h] * step_m
    hexes = m.cells_dict["hexahedron"]
    centre = points[hexes].mean(axis=1) / step_m
    keep = ~((centre[:, 0] < 0) & (centre[:, 1] < 1))
    hexes = hexes[keep]
    # boundary faces: the faces of the kept hexahedra that belong to one of them only
    local = [(0, 3, 2, 1), (4, 5, 6, 7), (0, 1, 5, 4), (1, 2, 6, 5), (2, 3, 7, 6), (3, 0, 4, 7)]
    faces = np.concatenate([hexes[:, list(f)] for f in local])
    key = np.sort(faces, axis=1)
    _, inverse, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    faces = faces[counts[inverse.ravel()] == 1]
    c = points[faces].mean(axis=1) / step_m
    n = np.cross(points[faces[:, 1]] - points[faces[:, 0]], points[faces[:, 2]] - points[faces[:, 0]])
    n /= np.linalg.norm(n, axis=1)[:, None]
    eps = 1e-9
    names = ["inlet", "outlet", "lower_start", "upper_start", "lower_wall", "upper_wall", "side0", "side1"]
    tag = np.zeros(len(faces), dtype=int)
    rules = [
        np.abs(c[:, 0] + 130) < eps,
        np.abs(c[:, 0] - 50) < eps,
        (np.abs(n[:, 2]) < eps) & (c[:, 1] < 5) & (c[:, 0] < -110),
        (np.abs(n[:, 2]) < eps) & (c[:, 1] > 5) & (c[:, 0] < -110),
        (np.abs(n[:, 2]) < eps) & (c[:, 1] < 5),
        (np.abs(n[:, 2]) < eps) & (c[:, 1] > 5),
        (np.abs(n[:, 2]) > eps) & (c[:, 2] < 0.5 * thickness_h),
        (np.abs(n[:, 2]) > eps) & (c[:, 2] > 0.5 * thickness_h),
    ]
    for t, rule in enumerate(rules, start=1):
        tag[(tag == 0) & rule] = t
    if (tag == 0).any():
        raise ValueError("some boundary faces fall in no patch")
    field_data = {"air": np.array([100, 3])}
    field_data.update({name: np.array([t, 2]) for t, name in enumerate(names, start=1)})
    return meshio.Mesh(
        points,
        [("hexahedron", hexes), ("quad", faces)],
        cell_data={"gmsh:physical": [np.full(len(hexes), 100), tag]},
        field_data=field_data,
    )


def impinging_jet_wedge(
    diameter_m: float = 0.02,
    height_d: float = 2.0,
    refine: float = 1.0,
    pipe_d: float = 40.0,
    outer_d: float = 6.0,
    inner_d: float = 0.01,
    angle_deg: float = 5.0,
) -> meshio.Mesh:
    """A round jet from a pipe of diameter D onto a flat plate, as a thin axisymmetric wedge one
    hexahedron thick (x along the jet axis; lengths in metres). The pipe runs from
    x = −``pipe_d`` D to its exit plane x = 0; the plate is at x = ``height_d`` D; the jet region
    reaches r = ``outer_d`` D. Patches: ``inlet`` (the pipe's entry), ``pipe_wall`` (r = D/2,
    x < 0), ``top`` (the exit plane, x = 0 and r > D/2), ``plate``, ``outlet`` (r = ``outer_d`` D),
    ``axis`` (a thin inner cylinder at ``inner_d`` D instead of the degenerate axis), and the
    wedge sides ``side0``/``side1``; region ``coolant``. Cells are graded geometrically towards
    the plate (first cell 2e-4 D, the plate's y⁺ stays below 0.3 at Re 23,000), the pipe wall and
    the jet's edge; ``refine`` divides every size."""
    r = 1.0 / refine
    xs = np.concatenate(
        [
            graded_nodes(-pipe_d, 0, None, 0.05 * r, 1.15, 1.0 * r)[:-1],
            graded_nodes(0, height_d, 0.02 * r, 2e-4 * r, 1.15, 0.08 * r),
        ]
    )
    rs = np.concatenate(
        [
            graded_nodes(inner_d, 0.5, None, 0.005 * r, 1.15, 0.04 * r)[:-1],
            graded_nodes(0.5, outer_d, 0.005 * r, None, 1.08, 0.15 * r),
        ]
    )
    nx, nr = len(xs) - 1, len(rs) - 1
    m = box((nx, nr, 1), (1.0, 1.0, 1.0))
    i = np.rint(m.points[:, 0] * nx).astype(int)
    j = np.rint(m.points[:, 1] * nr).astype(int)
    t = m.points[:, 2]
    theta = np.radians(angle_deg) * (0.5 - t)  # keeps the cells right-handed
    x, rad = xs[i] * diameter_m, rs[j] * diameter_m
    points = np.c_[x, rad * np.cos(theta), rad * np.sin(theta)]
    hexes = m.cells_dict["hexahedron"]
    keep = ~((xs[i][hexes].mean(axis=1) < 0) & (rs[j][hexes].mean(axis=1) > 0.5))
    hexes = hexes[keep]
    local = [(0, 3, 2, 1), (4, 5, 6, 7), (0, 1, 5, 4), (1, 2, 6, 5), (2, 3, 7, 6), (3, 0, 4, 7)]
    faces = np.concatenate([hexes[:, list(f)] for f in local])
    _, inverse, counts = np.unique(np.sort(faces, axis=1), axis=0, return_inverse=True, return_counts=True)
    faces = faces[counts[inverse.ravel()] == 1]
    fx, fr, ft = xs[i][faces], rs[j][faces], t[faces]
    const_x, const_r, const_t = (np.ptp(a, axis=1) < 1e-12 for a in (fx, fr, ft))
    cx, cr, ct = fx.mean(axis=1), fr.mean(axis=1), ft.mean(axis=1)
    names = ["inlet", "plate", "top", "outlet", "pipe_wall", "axis", "side0", "side1"]
    rules = [
        const_x & np.isclose(cx, -pipe_d),
        const_x & np.isclose(cx, height_d),
        const_x & np.isclose(cx, 0.0),
        const_r & np.isclose(cr, outer_d),
        const_r & np.isclose(cr, 0.5),
        const_r & np.isclose(cr, inner_d),
        const_t & (ct < 0.5),
        const_t & (ct > 0.5),
    ]
    tag = np.zeros(len(faces), dtype=int)
    for k, rule in enumerate(rules, start=1):
        tag[(tag == 0) & rule] = k
    if (tag == 0).any():
        raise ValueError("some boundary faces fall in no patch")
    field_data = {"coolant": np.array([100, 3])}
    field_data.update({name: np.array([k, 2]) for k, name in enumerate(names, start=1)})
    return meshio.Mesh(
        points,
        [("hexahedron", hexes), ("quad", faces)],
        cell_data={"gmsh:physical": [np.full(len(hexes), 100), tag]},
        field_data=field_data,
    )
