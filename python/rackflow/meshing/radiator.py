"""A pumped-loop radiator panel: face sheet, coolant tubes or a flat channel, optional fins.

The panel lies in the x–y plane with the coolant flowing along +x; +z is the side that faces
space ("front"). Everything is made of axis-aligned boxes, so it is meshed on the block grid of
:mod:`._blocks` (orthogonal hexahedra, conformal region interfaces, exact cell counts) and
written through gmsh, like the GPU stack and the straight-channel plates. Tubes have a
rectangular bore (a square tube of side ``tube_bore_m`` by default): a round tube's bore
would need unstructured cells, and the panel's heat rejection is governed by the sheet's
fin efficiency, not by the bore's shape.

Three constructions (``channel``):

* ``"embedded"``: tubes set into the sheet, centred on its mid-plane (an extruded
  tube-and-sheet panel, or a tube potted in a honeycomb panel's core);
* ``"bonded"``: tubes bonded to the back of the sheet (give the bond line with
  ``case.contact("tube", "sheet", resistance_m2k_w=...)``);
* ``"flat"``: a flat channel across the whole panel between a front and a back sheet, closed
  at its sides by bars of the tube wall's thickness (a roll-bonded or brazed plate panel).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import _checks as ck
from ._blocks import BlockGrid, make_axis

RADIATOR_CHANNELS = ("embedded", "bonded", "flat")


def _grid(p: dict[str, Any]) -> BlockGrid:
    length = ck.positive("length_m", p["length_m"])
    pitch = ck.positive("tube_pitch_m", p["tube_pitch_m"])
    tubes = ck.positive_int("tubes", p["tubes"])
    t = ck.positive("sheet_thickness_m", p["sheet_thickness_m"])
    bore = ck.pair("tube_bore_m", p["tube_bore_m"])
    wall = ck.positive("tube_wall_m", p["tube_wall_m"])
    channel = p["channel"]
    if channel not in RADIATOR_CHANNELS:
        raise ValueError(f"channel: expected one of {RADIATOR_CHANNELS}, got {channel!r}")
    fins = int(ck.non_negative("fins_per_tube", p["fins_per_tube"]))
    if fins != p["fins_per_tube"]:
        raise ValueError(f"fins_per_tube must be an integer, got {p['fins_per_tube']!r}")
    fin_h = ck.non_negative("fin_height_m", p["fin_height_m"])
    fin_t = ck.positive("fin_thickness_m", p["fin_thickness_m"])
    if fins and fin_h == 0.0:
        raise ValueError("fin_height_m must be > 0 when fins_per_tube > 0")
    h = ck.positive("mesh_size_m", p["mesh_size_m"])
    hx = ck.positive("mesh_size_x_m", p["mesh_size_x_m"]) if p["mesh_size_x_m"] is not None else 10 * h
    bore_cells = ck.positive_int("bore_cells", p["bore_cells"])
    sheet_cells = ck.positive_int("sheet_cells", p["sheet_cells"])
    refine = ck.positive("refine", p["refine"])

    width = tubes * pitch
    half_w = width / 2
    # tube (or side bar) boxes in y, and the z layers
    if channel == "flat":
        if 2 * wall >= width:
            raise ValueError("tube_wall_m: the side bars fill the panel (2 × tube_wall_m >= panel width)")
        gap = bore[1]
        z_back, z_channel, z_front = 0.0, t, t + gap
        z_top = z_front + t
        y_breaks = [-half_w + wall, half_w - wall]
        centres: list[float] = []
        outer = (0.0, 0.0)
    else:
        outer = (bore[0] + 2 * wall, bore[1] + 2 * wall)
        if outer[0] >= pitch:
            raise ValueError(
                f"tube_bore_m: the tube ({outer[0] * 1e3:.3g} mm wide with its walls) does not fit "
                f"in the tube pitch ({pitch * 1e3:.3g} mm)"
            )
        centres = [-half_w + (i + 0.5) * pitch for i in range(tubes)]
        if channel == "embedded":
            tube_z = (t / 2 - outer[1] / 2, t / 2 + outer[1] / 2)
        else:
            tube_z = (-outer[1], 0.0)
        y_breaks = [c + s * v for c in centres for s in (-1, 1) for v in (outer[0] / 2, bore[0] / 2)]
        z_top = max(t, tube_z[1])
    fin_y: list[float] = []
    if fins:
        sub = pitch / fins
        fin_y = [-half_w + k * pitch + (j + 0.5) * sub for k in range(tubes) for j in range(fins)]
        if fin_t >= sub:
            raise ValueError(
                "fin_thickness_m: the fins touch each other (thickness >= pitch / fins_per_tube)"
            )
        for y in fin_y:
            for c in centres:
                if abs(y - c) < (outer[0] + fin_t) / 2 and channel == "embedded":
                    raise ValueError(
                        "fins_per_tube: a fin stands on an embedded tube (choose an even number of fins)"
                    )
        y_breaks += [y + s * fin_t / 2 for y in fin_y for s in (-1, 1)]

    # axes: fine cells across the bore and the tube walls, the sheet at mesh_size_m
    x_axis = make_axis([(0.0, length, hx)], (), refine)
    bore_h_y = (bore[0] if channel != "flat" else width - 2 * wall) / bore_cells
    y_segments: list[tuple[float, float, float]] = []
    if channel == "flat":
        y_segments = [(-half_w, half_w, min(h, bore_h_y))]
    else:
        edge = -half_w
        for c in centres:
            lo, hi = c - outer[0] / 2, c + outer[0] / 2
            if lo > edge:
                y_segments.append((edge, lo, h))
            y_segments.append((lo, hi, min(bore[0] / bore_cells, wall)))
            edge = hi
        y_segments.append((edge, half_w, h))
    y_axis = make_axis(y_segments, y_breaks, refine)
    sheet_dz = t / sheet_cells
    bore_dz = bore[1] / bore_cells
    if channel == "flat":
        z_segments = [
            (z_back, z_channel, sheet_dz),
            (z_channel, z_front, bore_dz),
            (z_front, z_top, sheet_dz),
        ]
        z_fin_base = z_top
        z_space = z_top
    else:
        z_lo = min(0.0, tube_z[0])
        cuts = sorted({z_lo, 0.0, t, tube_z[0], tube_z[1], tube_z[0] + wall, tube_z[1] - wall, z_top})
        z_segments = []
        for a, b in itertools.pairwise(cuts):
            if b - a < 1e-12:
                continue
            inside_bore = tube_z[0] + wall - 1e-12 <= a and b <= tube_z[1] - wall + 1e-12
            in_sheet = -1e-12 <= a and b <= t + 1e-12
            size = bore_dz if inside_bore else (sheet_dz if in_sheet else min(wall, bore_dz))
            z_segments.append((a, b, size))
        z_fin_base = t
        z_space = t
    if fins:
        z_segments.append((z_fin_base, z_fin_base + fin_h, max(fin_h / 4, sheet_dz)))
    z_axis = make_axis(z_segments, (), refine)

    g = BlockGrid(x_axis, y_axis, z_axis)
    big = 10.0 * (length + width + z_axis.edges[-1] - z_axis.edges[0])
    if channel == "flat":
        g.paint("sheet", (-big, -big, z_back), (big, big, z_channel))
        g.paint("sheet", (-big, -big, z_front), (big, big, z_top))
        g.paint("tube", (-big, -big, z_channel), (big, big, z_front))
        g.paint("coolant", (-big, -half_w + wall, z_channel), (big, half_w - wall, z_front))
    else:
        g.paint("sheet", (-big, -big, 0.0), (big, big, t))
        for c in centres:
            g.paint("tube", (-big, c - outer[0] / 2, tube_z[0]), (big, c + outer[0] / 2, tube_z[1]))
        for c in centres:
            g.paint(
                "coolant", (-big, c - bore[0] / 2, tube_z[0] + wall), (big, c + bore[0] / 2, tube_z[1] - wall)
            )
    for y in fin_y:
        g.paint("fins", (-big, y - fin_t / 2, z_fin_base), (big, y + fin_t / 2, z_fin_base + fin_h))

    g.add_patch("inlet", "-x", regions=["coolant"])
    g.add_patch("outlet", "+x", regions=["coolant"])
    g.add_patch("ends", ("-x", "+x"))
    g.add_patch("sides", ("-y", "+y"), hi=(big, -half_w, big))
    g.add_patch("sides", ("-y", "+y"), lo=(-big, half_w, -big))
    # the space side: everything facing +z, and every flank above the sheet's front face (the
    # fins', an embedded tube's), so that the front is one open enclosure seen from space
    g.add_patch("front", "+z")
    g.add_patch("front", ("-y", "+y"), lo=(-big, -big, z_space))
    g.add_patch("back", "any")
    return g


def radiator_panel(
    path: str | os.PathLike[str],
    *,
    length_m: float = 0.5,
    tube_pitch_m: float = 0.1,
    tubes: int = 1,
    sheet_thickness_m: float = 1e-3,
    channel: str = "embedded",
    tube_bore_m: Sequence[float] = (4e-3, 4e-3),
    tube_wall_m: float = 1e-3,
    fins_per_tube: int = 0,
    fin_height_m: float = 0.0,
    fin_thickness_m: float = 1e-3,
    mesh_size_m: float = 2.5e-3,
    mesh_size_x_m: float | None = None,
    bore_cells: int = 4,
    sheet_cells: int = 1,
    refine: float = 1.0,
    binary: bool = False,
) -> Path:
    """Mesh a radiator panel (hexahedra): a face sheet with coolant tubes or a flat channel.

    Coolant flows along +x from ``x = 0`` to ``length_m``; the panel spans
    ``y ∈ [−W/2, W/2]`` with ``W = tubes × tube_pitch_m`` (one tube in the middle of each
    pitch); the sheet's back face is at ``z = 0`` and its front (space) face at
    ``z = sheet_thickness_m``.

    Parameters
    ----------
    path
        Output ``.msh`` file (msh 4.1).
    length_m
        Panel length along the flow, m.
    tube_pitch_m
        Tube spacing (the panel width per tube), m.
    tubes
        Number of parallel tubes.
    sheet_thickness_m
        Face-sheet thickness, m.
    channel
        ``"embedded"`` (tubes in the sheet, centred on its mid-plane), ``"bonded"`` (tubes on
        the back of the sheet) or ``"flat"`` (a flat channel across the panel between two sheets).
    tube_bore_m
        Bore (width across the panel, height through it), m; for ``"flat"`` the height is the
        channel gap and the width is ignored.
    tube_wall_m
        Tube wall thickness (for ``"flat"``: the side bars' width), m.
    fins_per_tube
        Longitudinal fins standing on the front face, evenly spaced in each pitch (0: none).
    fin_height_m
        Fin height above the front face, m.
    fin_thickness_m
        Fin thickness, m.
    mesh_size_m
        In-plane cell size across the sheet, m (the tubes are finer: ``bore_cells`` across).
    mesh_size_x_m
        Cell size along the flow, m (default ``10 × mesh_size_m``).
    bore_cells
        Cells across the bore's width and height (the flat channel's gap).
    sheet_cells
        Cells through the sheet's thickness.
    refine
        Multiplies every interval's cell count (2 = twice as fine in every direction).
    binary
        Write binary msh 4.1.

    Returns
    -------
    pathlib.Path
        ``path``. Regions ``sheet``, ``tube`` (the tube walls, or the flat channel's side bars),
        ``coolant`` and, with fins, ``fins``. Patches ``inlet`` and ``outlet`` (the coolant's
        ends), ``front`` (every face looking to +z, and every flank above the sheet's front face: the
        fins', an embedded tube's; the space side),
        ``back`` (the rest of the outside: the back face, the bonded tubes' outsides), ``sides``
        (the panel's edges at y = ±W/2: symmetry planes of a panel cut from a wider array) and
        ``ends`` (the solid ends at x = 0 and ``length_m``).
    """
    p = dict(locals())
    g = _grid(p)
    return g.write(path, model_name="radiator_panel", binary=binary)


__all__ = ["RADIATOR_CHANNELS", "radiator_panel"]
