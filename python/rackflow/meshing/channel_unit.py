"""Benchmark channel unit of a parallel-channel plate, and a plain rectangular duct."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import _checks as ck
from ._blocks import BlockGrid, make_axis

# Mesh-convergence levels of the default channel unit (20 x 2 x 3 mm):
# cells = n_along * (2 mm / h) * (3 mm / h) with h = channel_width / cells_across.
CHANNEL_UNIT_LEVELS: dict[str, dict[str, int]] = {
    "coarse": {"cells_across_channel": 4, "n_along": 160},  # 15,360 cells
    "medium": {"cells_across_channel": 8, "n_along": 320},  # 122,880 cells
    "fine": {"cells_across_channel": 16, "n_along": 640},  # 983,040 cells
}


def _unit_grid(p: dict[str, Any]) -> BlockGrid:
    length = ck.positive("length_m", p["length_m"])
    hf = ck.positive("half_fin_m", p["half_fin_m"])
    w = ck.positive("channel_width_m", p["channel_width_m"])
    hc = ck.positive("channel_height_m", p["channel_height_m"])
    tb = ck.positive("base_thickness_m", p["base_thickness_m"])
    tc = ck.non_negative("cover_thickness_m", p["cover_thickness_m"])
    n_along = ck.positive_int("n_along", p["n_along"])
    n_across = ck.positive_int("cells_across_channel", p["cells_across_channel"])
    refine = ck.positive("refine", p["refine"])
    # One cross-section cell size everywhere: the benchmark wants uniform cells.
    h = w / n_across
    width = 2 * hf + w
    zlev = [0.0, tb, tb + hc] + ([tb + hc + tc] if tc > 0 else [])
    g = BlockGrid(
        make_axis([(0.0, length, length / n_along)], (), refine),
        make_axis([(0.0, hf, h), (hf, hf + w, h), (hf + w, width, h)], (), refine),
        make_axis([(a, b, h) for a, b in itertools.pairwise(zlev)], (), refine),
    )
    g.paint("solid", (0.0, 0.0, 0.0), (length, width, zlev[-1]))
    g.paint("fluid", (0.0, hf, tb), (length, hf + w, tb + hc))
    g.add_patch("inlet", "-x", regions=["fluid"])
    g.add_patch("outlet", "+x", regions=["fluid"])
    g.add_patch("heated", "-z")
    g.add_patch("symmetry_sides", ("-y", "+y"))
    g.add_patch("top", "+z")
    return g


def channel_unit(
    path: str | os.PathLike[str],
    *,
    length_m: float = 0.02,
    half_fin_m: float = 0.0005,
    channel_width_m: float = 0.001,
    channel_height_m: float = 0.002,
    base_thickness_m: float = 0.001,
    cover_thickness_m: float = 0.0,
    n_along: int = 160,
    cells_across_channel: int = 4,
    refine: float = 1.0,
    binary: bool = False,
) -> Path:
    """Mesh one symmetric channel unit of a parallel-channel copper cold plate.

    Across y: half a fin, the channel, half a fin (the unit repeats by
    symmetry); along z: the base, then the channel layer, then an optional
    cover. Flow is along +x. The cross-section uses one uniform cell size
    ``channel_width_m / cells_across_channel``; the length has ``n_along``
    uniform cells. See ``CHANNEL_UNIT_LEVELS`` for the ~1.5e4 / 1.2e5 / 1e6
    cell levels of the default geometry.

    Parameters
    ----------
    path
        Output ``.msh`` file (msh 4.1).
    length_m
        Channel length (x), m.
    half_fin_m
        Half the fin thickness on each side of the channel (y), m.
    channel_width_m
        Channel width (y), m.
    channel_height_m
        Channel height (z), m.
    base_thickness_m
        Base thickness below the channel (z), m.
    cover_thickness_m
        Solid cover above the channel (z), m; 0 means none.
    n_along
        Cells along the length.
    cells_across_channel
        Cells across the channel width; sets the cross-section cell size.
    refine
        Multiplies every cell count (2 = twice as fine in each direction).
    binary
        Write binary msh 4.1.

    Returns
    -------
    pathlib.Path
        ``path``. Regions ``solid`` and ``fluid``; patches ``inlet`` and
        ``outlet`` (fluid ends), ``heated`` (bottom), ``symmetry_sides``
        (y = 0 and y = width) and ``top``. Solid end faces are untagged.
    """
    p = dict(locals())
    return _unit_grid(p).write(path, model_name="channel_unit", binary=binary)


def _duct_cells(p: dict[str, Any]) -> tuple[int, int, int]:
    cells = p["cells"]
    try:
        nx, ny, nz = cells
    except (TypeError, ValueError):
        raise ValueError(f"cells must be (nx, ny, nz), got {cells!r}") from None
    return (
        ck.positive_int("cells[0]", nx),
        ck.positive_int("cells[1]", ny),
        ck.positive_int("cells[2]", nz),
    )


def _duct_grid(p: dict[str, Any]) -> BlockGrid:
    dims = (
        ck.positive("length_m", p["length_m"]),
        ck.positive("width_m", p["width_m"]),
        ck.positive("height_m", p["height_m"]),
    )
    n = _duct_cells(p)
    axes = [make_axis([(0.0, d, d / k)]) for d, k in zip(dims, n, strict=True)]
    g = BlockGrid(*axes)
    g.paint("fluid", (0.0, 0.0, 0.0), dims)
    g.add_patch("inlet", "-x")
    g.add_patch("outlet", "+x")
    g.add_patch("walls", "any")
    return g


def duct(
    path: str | os.PathLike[str],
    *,
    length_m: float = 0.05,
    width_m: float = 0.002,
    height_m: float = 0.001,
    cells: Sequence[int] = (100, 20, 10),
    tetra: bool = False,
    binary: bool = False,
) -> Path:
    """Mesh a straight rectangular duct for flow validation.

    The duct spans ``[0, length] x [0, width] x [0, height]`` with flow along +x.

    Parameters
    ----------
    path
        Output ``.msh`` file (msh 4.1).
    length_m
        Duct length (x), m.
    width_m
        Duct width (y), m.
    height_m
        Duct height (z), m.
    cells
        (nx, ny, nz) uniform hexahedra. With ``tetra`` the unstructured
        tetrahedra use one isotropic size, the geometric mean
        ``(L W H / (nx ny nz))**(1/3)``, which gives ~5-6x as many cells.
    tetra
        Unstructured tetrahedra (gmsh Delaunay) instead of hexahedra.
    binary
        Write binary msh 4.1.

    Returns
    -------
    pathlib.Path
        ``path``. Region ``fluid``; patches ``inlet`` (x = 0), ``outlet``
        (x = L) and ``walls`` (the four side faces).
    """
    p = dict(locals())
    if not tetra:
        return _duct_grid(p).write(path, model_name="duct", binary=binary)

    from ._gmsh import add_physical, entities_in_box, gmsh_session, write_msh

    lx = ck.positive("length_m", length_m)
    ly = ck.positive("width_m", width_m)
    lz = ck.positive("height_m", height_m)
    nx, ny, nz = _duct_cells(p)
    size = (lx * ly * lz / (nx * ny * nz)) ** (1.0 / 3.0)
    with gmsh_session("duct") as gmsh:
        occ = gmsh.model.occ
        vol = occ.addBox(0.0, 0.0, 0.0, lx, ly, lz)
        occ.synchronize()
        inlet = entities_in_box(2, (0, 0, 0), (0, ly, lz))
        outlet = entities_in_box(2, (lx, 0, 0), (lx, ly, lz))
        faces = [t for _, t in gmsh.model.getBoundary([(3, vol)], oriented=False)]
        add_physical(3, [vol], "fluid")
        add_physical(2, inlet, "inlet")
        add_physical(2, outlet, "outlet")
        add_physical(2, [f for f in faces if f not in inlet + outlet], "walls")
        gmsh.option.setNumber("Mesh.MeshSizeMin", size)
        gmsh.option.setNumber("Mesh.MeshSizeMax", size)
        # Delaunay: robust and deterministic.
        gmsh.option.setNumber("Mesh.Algorithm3D", 1)
        gmsh.model.mesh.generate(3)
        return write_msh(path, binary=binary)
