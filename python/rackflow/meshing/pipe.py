"""A straight circular pipe: unstructured triangles swept into prisms, or tetrahedra.

The circular tube is where laminar theory is exact (Hagen–Poiseuille f·Re = 16, the Graetz
problem), and its curved wall cannot be meshed with a block grid, so it is the natural check of
the solver on the unstructured cells a user's own Gmsh meshes contain.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from ._checks import positive, positive_int
from ._gmsh import add_physical, entities_in_box, gmsh_session, write_msh

PIPE_CELLS = ("prism", "tetra")


def pipe(
    path: str | os.PathLike[str],
    *,
    diameter_m: float = 1e-3,
    length_m: float = 10e-3,
    cell_size_m: float | None = None,
    axial_cells: int | None = None,
    cells: str = "prism",
    binary: bool = False,
) -> Path:
    """Write a straight pipe along +x, from x = 0 to ``length_m``.

    Parameters
    ----------
    path
        Output ``.msh`` file (msh 4.1).
    diameter_m
        Inner diameter, m.
    length_m
        Length, m.
    cell_size_m
        Target cell size in the cross-section, m; default a tenth of the diameter.
    axial_cells
        Prism layers along the pipe (``cells="prism"`` only); default ``length_m / cell_size_m``.
    cells
        ``"prism"`` (the cross-section's triangles swept along the axis) or ``"tetra"``.
    binary
        Write binary msh.

    Returns
    -------
    pathlib.Path
        The written file. Region ``fluid``; patches ``inlet`` (x = 0), ``outlet`` and ``wall``.
    """
    d = positive("diameter_m", diameter_m)
    length = positive("length_m", length_m)
    h = positive("cell_size_m", cell_size_m) if cell_size_m is not None else d / 10
    if cells not in PIPE_CELLS:
        raise ValueError(f"cells: expected one of {PIPE_CELLS}, got {cells!r}")
    layers = (
        positive_int("axial_cells", axial_cells) if axial_cells is not None else max(1, math.ceil(length / h))
    )
    r = d / 2
    with gmsh_session("pipe") as gmsh:
        occ = gmsh.model.occ
        if cells == "prism":
            disk = occ.addDisk(0, 0, 0, r, r, zAxis=[1, 0, 0], xAxis=[0, 1, 0])
            occ.extrude([(2, disk)], length, 0, 0, numElements=[layers])
        else:
            occ.addCylinder(0, 0, 0, length, 0, 0, r)
        occ.synchronize()
        gmsh.option.setNumber("Mesh.MeshSizeMin", h)
        gmsh.option.setNumber("Mesh.MeshSizeMax", h)
        gmsh.model.mesh.generate(3)
        pad = 1.01 * r
        inlet = entities_in_box(2, (0, -pad, -pad), (0, pad, pad))
        outlet = entities_in_box(2, (length, -pad, -pad), (length, pad, pad))
        surfaces = [tag for _, tag in gmsh.model.getEntities(2)]
        add_physical(3, [tag for _, tag in gmsh.model.getEntities(3)], "fluid")
        add_physical(2, inlet, "inlet")
        add_physical(2, outlet, "outlet")
        add_physical(2, [s for s in surfaces if s not in inlet and s not in outlet], "wall")
        return write_msh(path, binary=binary)


def rack_manifold(
    path: str | os.PathLike[str],
    *,
    header_diameter_m: float = 20e-3,
    header_length_m: float = 0.30,
    branch_diameter_m: float = 8e-3,
    branch_length_m: float = 0.06,
    branch_positions_m: tuple[float, ...] = (0.10, 0.17, 0.24),
    header_cell_size_m: float = 3.5e-3,
    branch_cell_size_m: float = 1.6e-3,
    binary: bool = False,
) -> Path:
    """Write a rack supply manifold: a header pipe with branch pipes, as a user draws it in Gmsh
    OpenCASCADE (two cylinder families fused) and meshes it with tetrahedra.

    The header runs along +x from x = 0 (the inlet) to ``header_length_m`` (a closed end, as a
    supply header's far end); each branch leaves it along +y at ``branch_positions_m`` and ends
    ``branch_length_m`` beyond the header's wall.

    Parameters
    ----------
    path
        Output ``.msh`` file (msh 4.1).
    header_diameter_m
        Header bore, m.
    header_length_m
        Header length, m.
    branch_diameter_m
        Branch bore, m.
    branch_length_m
        Branch length from the header's wall to the branch outlet, m.
    branch_positions_m
        Axial positions of the branch axes along the header, m (increasing, clear of each
        other and of the header's ends).
    header_cell_size_m
        Tetrahedron size in the header, m.
    branch_cell_size_m
        Tetrahedron size in the branches, m (it applies within a branch bore of the branch
        pipes).
    binary
        Write binary msh.

    Returns
    -------
    pathlib.Path
        The written file. Region ``fluid``; patches ``inlet`` (x = 0), ``outlet_1`` …
        ``outlet_n`` (branch ends, in ``branch_positions_m`` order) and ``wall`` (the rest,
        the header's closed end included).
    """
    dh = positive("header_diameter_m", header_diameter_m)
    length = positive("header_length_m", header_length_m)
    db = positive("branch_diameter_m", branch_diameter_m)
    lb = positive("branch_length_m", branch_length_m)
    hh = positive("header_cell_size_m", header_cell_size_m)
    hb = positive("branch_cell_size_m", branch_cell_size_m)
    xs = [float(x) for x in branch_positions_m]
    if not xs:
        raise ValueError("branch_positions_m: expected at least one branch")
    if db >= dh:
        raise ValueError(f"branch_diameter_m ({db}) must be smaller than header_diameter_m ({dh})")
    for a, b in zip([0.0, *xs], [*xs, length], strict=True):
        if b - a <= db:
            raise ValueError(
                f"branch_positions_m: branches must be increasing, more than a branch bore apart and "
                f"clear of the header's ends, got {tuple(xs)} in a {length} m header"
            )
    rh, rb = dh / 2, db / 2
    y_out = rh + lb
    with gmsh_session("rack_manifold") as gmsh:
        occ = gmsh.model.occ
        header = occ.addCylinder(0, 0, 0, length, 0, 0, rh)
        # branches start on the header's axis so the fuse cuts a clean saddle through the wall
        branches = [occ.addCylinder(x, 0, 0, 0, y_out, 0, rb) for x in xs]
        occ.fuse([(3, header)], [(3, b) for b in branches])
        occ.synchronize()
        volumes = [tag for _, tag in gmsh.model.getEntities(3)]
        if len(volumes) != 1:
            raise RuntimeError(f"fuse left {len(volumes)} volumes, expected one (generator bug)")
        # branch size inside each branch (from the header's wall outward), header size elsewhere
        fields = []
        for x in xs:
            f = gmsh.model.mesh.field.add("Box")
            gmsh.model.mesh.field.setNumber(f, "VIn", hb)
            gmsh.model.mesh.field.setNumber(f, "VOut", hh)
            for key, value in (
                ("XMin", x - rb),
                ("XMax", x + rb),
                ("YMin", 0.5 * rh),
                ("YMax", y_out),
                ("ZMin", -rb),
                ("ZMax", rb),
            ):
                gmsh.model.mesh.field.setNumber(f, key, value)
            fields.append(f)
        fmin = gmsh.model.mesh.field.add("Min")
        gmsh.model.mesh.field.setNumbers(fmin, "FieldsList", fields)
        gmsh.model.mesh.field.setAsBackgroundMesh(fmin)
        for key in (
            "Mesh.MeshSizeFromPoints",
            "Mesh.MeshSizeFromCurvature",
            "Mesh.MeshSizeExtendFromBoundary",
        ):
            gmsh.option.setNumber(key, 0)
        gmsh.model.mesh.generate(3)
        inlet = entities_in_box(2, (0, -rh, -rh), (0, rh, rh))
        outlets = [entities_in_box(2, (x - rb, y_out, -rb), (x + rb, y_out, rb)) for x in xs]
        taken = set(inlet).union(*outlets)
        surfaces = [tag for _, tag in gmsh.model.getEntities(2)]
        add_physical(3, volumes, "fluid")
        add_physical(2, inlet, "inlet")
        for i, faces in enumerate(outlets, start=1):
            add_physical(2, faces, f"outlet_{i}")
        add_physical(2, [s for s in surfaces if s not in taken], "wall")
        return write_msh(path, binary=binary)
