"""Straight parallel microchannel cold plate (optionally on a GPU package)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import _checks as ck
from ._blocks import BlockGrid, make_axis

# Named parameter sets for microchannel_coldplate(path, **COLDPLATE_PRESETS[name]).
COLDPLATE_PRESETS: dict[str, dict[str, Any]] = {
    # Case A of reference/domain.md §8: H100 (814 mm^2 die) under a skived copper
    # plate, fins 0.2 mm / gaps 0.2 mm / 3 mm tall, 2.5 mm base; 222,188 cells.
    "h100-skived": {
        "channels": 75,
        "channel_width_m": 0.0002,
        "fin_thickness_m": 0.0002,
        "channel_height_m": 0.003,
        "base_thickness_m": 0.0025,
        "cover_thickness_m": 0.001,
        "footprint_m": (0.05, 0.05),
        "cells_across_channel": 2,
        "cells_channel_height": 8,
    },
}


def _grid(p: dict[str, Any]) -> BlockGrid:
    """Block grid: plate corner at x = y = 0, flow along +x, package below the plate."""
    n_ch = ck.positive_int("channels", p["channels"])
    w = ck.positive("channel_width_m", p["channel_width_m"])
    t = ck.positive("fin_thickness_m", p["fin_thickness_m"])
    hc = ck.positive("channel_height_m", p["channel_height_m"])
    tb = ck.positive("base_thickness_m", p["base_thickness_m"])
    tc = ck.non_negative("cover_thickness_m", p["cover_thickness_m"])
    lx, ly = ck.pair("footprint_m", p["footprint_m"])
    lp = ck.non_negative("plenum_length_m", p["plenum_length_m"])
    h = ck.positive("mesh_size_m", p["mesh_size_m"])
    hz = ck.positive("mesh_size_z_m", p["mesh_size_z_m"])
    n_across = ck.positive_int("cells_across_channel", p["cells_across_channel"])
    n_fin = p["cells_across_fin"]
    n_fin = max(1, round(n_across * t / w)) if n_fin is None else ck.positive_int("cells_across_fin", n_fin)
    n_height = ck.positive_int("cells_channel_height", p["cells_channel_height"])
    refine = ck.positive("refine", p["refine"])

    finned = n_ch * w + (n_ch + 1) * t
    if finned > ly * (1 + 1e-12):
        raise ValueError(
            f"channels: {n_ch} channels of channel_width_m={w} with fin_thickness_m={t} need "
            f"{finned:.6g} m, wider than footprint_m[1]={ly}"
        )
    if 2 * lp >= lx:
        raise ValueError(f"plenum_length_m={lp}: two plenums do not fit in footprint_m[0]={lx}")
    y0 = 0.5 * (ly - finned)

    # y: coarse sides, then fin / channel / fin ... with the requested cells across each.
    yseg: list[tuple[float, float, float]] = []
    if y0 > 0:
        yseg.append((0.0, y0, h))
    for k in range(n_ch):
        a = y0 + k * (w + t)
        yseg.append((a, a + t, t / n_fin))
        yseg.append((a + t, a + t + w, w / n_across))
    yseg.append((y0 + finned - t, y0 + finned, t / n_fin))
    if y0 > 0:
        yseg.append((y0 + finned, ly, h))
    # Snap the last edge: the sum of many widths drifts by an ulp or two.
    yseg[-1] = (yseg[-1][0], ly if y0 > 0 else y0 + finned, yseg[-1][2])

    zlev = [0.0]
    xbreaks = [lp, lx - lp]
    ybreaks: list[float] = []
    pkg = bool(p["with_package"])
    if pkg:
        die = ck.pair("die_size_m", p["die_size_m"])
        lid = ck.pair("lid_size_m", p["lid_size_m"])
        t_die = ck.positive("die_thickness_m", p["die_thickness_m"])
        t_tim = ck.positive("tim_thickness_m", p["tim_thickness_m"])
        t_lid = ck.positive("lid_thickness_m", p["lid_thickness_m"])
        pos = p["die_position_m"]
        c = (lx / 2, ly / 2) if pos is None else ck.point2("die_position_m", pos)
        ck.inside(
            "lid_size_m",
            c,
            lid,
            (0.0, 0.0),
            (lx, ly),
            "the cold-plate footprint_m (lid centred on die_position_m)",
        )
        ck.inside(
            "die_size_m",
            c,
            die,
            (c[0] - lid[0] / 2, c[1] - lid[1] / 2),
            (c[0] + lid[0] / 2, c[1] + lid[1] / 2),
            "the lid",
        )
        for size in (die, lid):
            xbreaks += [c[0] - size[0] / 2, c[0] + size[0] / 2]
            ybreaks += [c[1] - size[1] / 2, c[1] + size[1] / 2]
        zlev += [t_die, t_die + t_tim, t_die + t_tim + t_lid]
    zp = zlev[-1]
    zlev += [zp + tb, zp + tb + hc]
    if tc > 0:
        zlev.append(zp + tb + hc + tc)
    zseg = []
    for a, b in itertools.pairwise(zlev):
        is_channel = abs(a - (zp + tb)) < 1e-12
        zseg.append((a, b, (b - a) / n_height if is_channel else hz))

    g = BlockGrid(
        make_axis([(0.0, lx, h)], xbreaks, refine),
        make_axis(yseg, ybreaks, refine),
        make_axis(zseg, (), refine),
    )
    if pkg:
        for name, size, z_a, z_b in (
            ("die", die, zlev[0], zlev[1]),
            ("tim", die, zlev[1], zlev[2]),
            ("lid", lid, zlev[2], zlev[3]),
        ):
            g.paint(
                name,
                (c[0] - size[0] / 2, c[1] - size[1] / 2, z_a),
                (c[0] + size[0] / 2, c[1] + size[1] / 2, z_b),
            )
    g.paint("base", (0.0, 0.0, zp), (lx, ly, zlev[-1]))
    zc0, zc1 = zp + tb, zp + tb + hc
    for k in range(n_ch):
        a = y0 + k * (w + t) + t
        g.paint("channels", (lp, a, zc0), (lx - lp, a + w, zc1))
    if lp > 0:
        g.paint("channels", (0.0, y0, zc0), (lp, y0 + finned, zc1))
        g.paint("channels", (lx - lp, y0, zc0), (lx, y0 + finned, zc1))
    g.add_patch("inlet", "-x", regions=["channels"], hi=(0.0, ly, zc1))
    g.add_patch("outlet", "+x", regions=["channels"], lo=(lx, 0.0, zc0))
    return g


def microchannel_coldplate(
    path: str | os.PathLike[str],
    *,
    channels: int = 20,
    channel_width_m: float = 0.001,
    fin_thickness_m: float = 0.0005,
    channel_height_m: float = 0.003,
    base_thickness_m: float = 0.002,
    cover_thickness_m: float = 0.001,
    footprint_m: Sequence[float] = (0.05, 0.05),
    plenum_length_m: float = 0.0,
    with_package: bool = True,
    die_size_m: Sequence[float] = (0.0285, 0.0285),
    die_position_m: Sequence[float] | None = None,
    die_thickness_m: float = 0.0008,
    tim_thickness_m: float = 0.0001,
    lid_size_m: Sequence[float] = (0.045, 0.045),
    lid_thickness_m: float = 0.002,
    mesh_size_m: float = 0.0015,
    mesh_size_z_m: float = 0.0005,
    cells_across_channel: int = 4,
    cells_across_fin: int | None = None,
    cells_channel_height: int = 8,
    refine: float = 1.0,
    binary: bool = False,
) -> Path:
    """Mesh a straight parallel-microchannel cold plate in conformal hexahedra.

    The plate occupies ``[0, Lx] x [0, Ly]`` in plan with flow along +x; the
    channels run the full length and open at x = 0 (inlet) and x = Lx
    (outlet), or into plenums of ``plenum_length_m`` spanning the finned width.
    Across y the finned zone (``channels`` channels and ``channels + 1`` fins)
    is centred; solid side walls fill the rest. From the bottom: die, TIM (die
    footprint), lid (optional package, z = 0 at the die bottom), base plate,
    channel layer, cover. The grid is a tensor product, so package edges also
    cut the plate; all cells are orthogonal hexahedra.

    Parameters
    ----------
    path
        Output ``.msh`` file (msh 4.1).
    channels
        Number of channels.
    channel_width_m
        Channel width (y), m.
    fin_thickness_m
        Fin thickness (y), m; there are ``channels + 1`` fins.
    channel_height_m
        Channel (fin) height (z), m.
    base_thickness_m
        Copper between the lid (or the bottom) and the channels, m.
    cover_thickness_m
        Cover plate above the channels, m (0: channels closed by an untagged wall).
    footprint_m
        Plate outline (Lx along the flow, Ly across), m.
    plenum_length_m
        Length of the inlet and outlet plenums inside the footprint, m (0: none).
    with_package
        Add the ``die``, ``tim`` and ``lid`` regions below the plate.
    die_size_m
        Die footprint (x, y), m.
    die_position_m
        Die centre (x, y) in plate coordinates, m; None centres it.
    die_thickness_m
        Die thickness, m.
    tim_thickness_m
        TIM thickness between die and lid, m.
    lid_size_m
        Lid footprint (x, y), m, centred on the die; must fit in the plate.
    lid_thickness_m
        Lid thickness, m.
    mesh_size_m
        Cell size along the flow and in the solid side walls, m.
    mesh_size_z_m
        Through-thickness cell size of the solid layers, m.
    cells_across_channel
        Cells across each channel width.
    cells_across_fin
        Cells across each fin (None: in proportion to the channel cells, at least 1).
    cells_channel_height
        Cells over the channel height.
    refine
        Multiplies the cell count of every grid interval (use
        :func:`rackflow.meshing.refinement_for_cells` to hit a target count).
    binary
        Write binary msh 4.1 (about half the size of ASCII).

    Returns
    -------
    pathlib.Path
        ``path``. Regions ``die``, ``tim``, ``lid`` (with the package), ``base``
        (plate solid: base, fins, side walls, cover) and ``channels`` (coolant);
        patches ``inlet`` (x = 0) and ``outlet`` (x = Lx).
    """
    p = dict(locals())
    return _grid(p).write(path, model_name="microchannel_coldplate", binary=binary)
