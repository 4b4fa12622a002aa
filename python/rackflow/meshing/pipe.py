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
