"""Conduction-only GPU package stack: die, TIM, lid and a solid copper base."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import _checks as ck
from ._blocks import BlockGrid, make_axis


def _grid(p: dict[str, Any]) -> BlockGrid:
    """Block grid of the stack, centred on x = y = 0 with the die bottom at z = 0."""
    die = ck.pair("die_size_m", p["die_size_m"])
    lid = ck.pair("lid_size_m", p["lid_size_m"])
    base = ck.pair("base_size_m", p["base_size_m"])
    t_die = ck.positive("die_thickness_m", p["die_thickness_m"])
    t_tim = ck.positive("tim_thickness_m", p["tim_thickness_m"])
    t_lid = ck.positive("lid_thickness_m", p["lid_thickness_m"])
    t_base = ck.positive("base_thickness_m", p["base_thickness_m"])
    h = ck.positive("mesh_size_m", p["mesh_size_m"])
    hz = ck.positive("mesh_size_z_m", p["mesh_size_z_m"])
    refine = ck.positive("refine", p["refine"])
    ck.inside(
        "die_size_m",
        (0, 0),
        die,
        (-lid[0] / 2, -lid[1] / 2),
        (lid[0] / 2, lid[1] / 2),
        "the lid",
    )
    ck.inside(
        "lid_size_m",
        (0, 0),
        lid,
        (-base[0] / 2, -base[1] / 2),
        (base[0] / 2, base[1] / 2),
        "the base",
    )

    axes = []
    for ax in range(2):
        half = base[ax] / 2
        breaks = (-lid[ax] / 2, lid[ax] / 2, -die[ax] / 2, die[ax] / 2)
        axes.append(make_axis([(-half, half, h)], breaks, refine))
    z = [
        0.0,
        t_die,
        t_die + t_tim,
        t_die + t_tim + t_lid,
        t_die + t_tim + t_lid + t_base,
    ]
    zaxis = make_axis([(z[i], z[i + 1], hz) for i in range(4)], (), refine)
    g = BlockGrid(axes[0], axes[1], zaxis)
    g.paint("die", (-die[0] / 2, -die[1] / 2, z[0]), (die[0] / 2, die[1] / 2, z[1]))
    g.paint("tim", (-die[0] / 2, -die[1] / 2, z[1]), (die[0] / 2, die[1] / 2, z[2]))
    g.paint("lid", (-lid[0] / 2, -lid[1] / 2, z[2]), (lid[0] / 2, lid[1] / 2, z[3]))
    g.paint("base", (-base[0] / 2, -base[1] / 2, z[3]), (base[0] / 2, base[1] / 2, z[4]))
    g.add_patch("coolant_side", "+z", regions=["base"], lo=(-1, -1, z[4]))
    g.add_patch("board", "-z", regions=["die"], hi=(1, 1, z[0]))
    return g


def gpu_stack(
    path: str | os.PathLike[str],
    *,
    die_size_m: Sequence[float] = (0.0285, 0.0285),
    die_thickness_m: float = 0.0008,
    tim_thickness_m: float = 0.0001,
    lid_size_m: Sequence[float] = (0.045, 0.045),
    lid_thickness_m: float = 0.002,
    base_size_m: Sequence[float] = (0.06, 0.06),
    base_thickness_m: float = 0.004,
    mesh_size_m: float = 0.001,
    mesh_size_z_m: float = 0.0005,
    refine: float = 1.0,
    binary: bool = False,
) -> Path:
    """Mesh a conduction-only GPU package stack in hexahedra.

    From the bottom: the die, a TIM layer with the die's footprint, the lid and
    a solid copper cold-plate base without channels. All boxes are centred on
    x = y = 0; the die bottom is at z = 0. The mesh is a conformal
    block-structured hexahedral grid (interfaces share nodes).

    Parameters
    ----------
    path
        Output ``.msh`` file (msh 4.1).
    die_size_m
        Die footprint (x, y), m. H100: 814 mm^2 ~ 28.5 mm square.
    die_thickness_m
        Die thickness, m.
    tim_thickness_m
        TIM bond line between die and lid, m.
    lid_size_m
        Lid (integrated heat spreader) footprint (x, y), m; must contain the die.
    lid_thickness_m
        Lid thickness, m.
    base_size_m
        Cold-plate base footprint (x, y), m; must contain the lid.
    base_thickness_m
        Base thickness, m.
    mesh_size_m
        In-plane (x, y) cell size, m.
    mesh_size_z_m
        Through-thickness cell size, m (every layer gets at least one cell).
    refine
        Multiplies the cell count of every grid interval (2 = twice as fine
        in each direction, about 8x the cells).
    binary
        Write binary msh 4.1 instead of ASCII.

    Returns
    -------
    pathlib.Path
        ``path``. Regions ``die``, ``tim``, ``lid``, ``base``; patches
        ``coolant_side`` (top of the base) and ``board`` (bottom of the die);
        every other boundary face is untagged (adiabatic).
    """
    p = dict(locals())
    g = _grid(p)
    return g.write(path, model_name="gpu_stack", binary=binary)
