"""Pin-fin cold plate (tetrahedra via gmsh OpenCASCADE), optionally on a GPU package."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import _checks as ck


def _pin_centres(p: dict[str, Any]) -> tuple[list[tuple[float, float]], dict[str, Any]]:
    """Validate the parameters and return pin centres (x, y) plus derived sizes."""
    lx, ly = ck.pair("footprint_m", p["footprint_m"])
    tb = ck.positive("base_thickness_m", p["base_thickness_m"])
    hp = ck.positive("pin_height_m", p["pin_height_m"])
    tc = ck.positive("cover_thickness_m", p["cover_thickness_m"])
    ws = ck.positive("side_wall_m", p["side_wall_m"])
    d = ck.positive("pin_size_m", p["pin_size_m"])
    px, py = ck.pair("pitch_m", p["pitch_m"])
    try:
        nx, ny = p["pins"]
    except (TypeError, ValueError):
        raise ValueError(f"pins must be (rows along x, pins per row), got {p['pins']!r}") from None
    nx = ck.positive_int("pins[0]", nx)
    ny = ck.positive_int("pins[1]", ny)
    shape = p["pin_shape"]
    if shape not in ("round", "square"):
        raise ValueError(f"pin_shape must be 'round' or 'square', got {shape!r}")
    arrangement = p["arrangement"]
    if arrangement not in ("inline", "staggered"):
        raise ValueError(f"arrangement must be 'inline' or 'staggered', got {arrangement!r}")
    ck.positive("mesh_size_m", p["mesh_size_m"])
    ck.positive("coarse_mesh_size_m", p["coarse_mesh_size_m"])
    if 2 * ws >= ly:
        raise ValueError(f"side_wall_m={ws}: two side walls leave no room in footprint_m[1]={ly}")
    stagger = py / 2 if (arrangement == "staggered" and nx > 1) else 0.0
    ext_x = (nx - 1) * px + d
    ext_y = (ny - 1) * py + stagger + d
    # Keep pins clear of the open ends and the side walls (no zero-thickness gaps).
    if ext_x >= lx:
        raise ValueError(f"pins: {nx} rows at pitch_m[0]={px} do not fit in footprint_m[0]={lx}")
    if ext_y >= ly - 2 * ws:
        raise ValueError(
            f"pins: {ny} pins per row at pitch_m[1]={py} do not fit in the "
            f"{ly - 2 * ws:.6g} m wide fluid zone (footprint_m[1] - 2 side_wall_m)"
        )
    x0 = 0.5 * (lx - ext_x) + d / 2
    y0 = 0.5 * (ly - ext_y) + d / 2
    centres = [(x0 + i * px, y0 + j * py + (stagger if i % 2 else 0.0)) for i in range(nx) for j in range(ny)]
    if len(centres) > 1:
        xy = np.asarray(centres)
        dx = np.abs(xy[:, None, 0] - xy[None, :, 0])
        dy = np.abs(xy[:, None, 1] - xy[None, :, 1])
        # Round pins touch at centre distance d, square (axis-aligned) ones at
        # Chebyshev distance d; a gap under 5 % of d would only make slivers.
        dist = np.hypot(dx, dy) if shape == "round" else np.maximum(dx, dy)
        np.fill_diagonal(dist, np.inf)
        if dist.min() < 1.05 * d:
            raise ValueError(f"pitch_m={tuple(p['pitch_m'])}: pins of pin_size_m={d} overlap or touch")
    return centres, {"lx": lx, "ly": ly, "tb": tb, "hp": hp, "tc": tc, "ws": ws, "d": d}


def _structured_box(gmsh: Any, vol: int, size: float) -> None:
    """Make a six-faced box volume a transfinite, recombined (hexahedral) block."""
    faces = [t for _, t in gmsh.model.getBoundary([(3, vol)], oriented=False)]
    if len(faces) != 6:
        return  # not a plain box after fragment: leave it to the tet mesher
    curves = {abs(t) for f in faces for _, t in gmsh.model.getBoundary([(2, f)], oriented=False)}
    for c in sorted(curves):
        x0, y0, z0, x1, y1, z1 = gmsh.model.getBoundingBox(1, c)
        length = max(x1 - x0, y1 - y0, z1 - z0)
        gmsh.model.mesh.setTransfiniteCurve(c, max(2, math.ceil(length / size - 1e-6) + 1))
    for f in faces:
        gmsh.model.mesh.setTransfiniteSurface(f)
        gmsh.model.mesh.setRecombine(2, f)
    gmsh.model.mesh.setTransfiniteVolume(vol)


def pinfin_coldplate(
    path: str | os.PathLike[str],
    *,
    footprint_m: Sequence[float] = (0.04, 0.04),
    base_thickness_m: float = 0.002,
    pin_height_m: float = 0.002,
    cover_thickness_m: float = 0.001,
    side_wall_m: float = 0.004,
    pin_shape: str = "round",
    pin_size_m: float = 0.0015,
    pitch_m: Sequence[float] = (0.003, 0.003),
    pins: Sequence[int] = (12, 10),
    arrangement: str = "staggered",
    with_package: bool = True,
    die_size_m: Sequence[float] = (0.0285, 0.0285),
    die_position_m: Sequence[float] | None = None,
    die_thickness_m: float = 0.0008,
    tim_thickness_m: float = 0.0001,
    lid_size_m: Sequence[float] = (0.035, 0.035),
    lid_thickness_m: float = 0.002,
    mesh_size_m: float = 0.0006,
    coarse_mesh_size_m: float = 0.0025,
    points_around_pin: int = 0,
    binary: bool = False,
) -> Path:
    """Mesh a pin-fin cold plate in conformal tetrahedra (hexahedra in die and TIM).

    The plate occupies ``[0, Lx] x [0, Ly]`` in plan with flow along +x. A
    fluid layer of height ``pin_height_m`` spans the full length (open at
    x = 0 and x = Lx) between two solid side walls, above the base and below
    the cover; pins join base and cover. The pin array is centred in the fluid
    layer; with ``staggered`` every second row (along x) is shifted by half
    the transverse pitch. The optional package (die, TIM, lid) sits below the
    plate with z = 0 at the die bottom. Regions are made conformal with
    OpenCASCADE ``fragment``.

    Parameters
    ----------
    path
        Output ``.msh`` file (msh 4.1).
    footprint_m
        Plate outline (Lx along the flow, Ly across), m.
    base_thickness_m
        Base below the pins, m.
    pin_height_m
        Pin height = fluid layer height, m.
    cover_thickness_m
        Cover above the pins, m.
    side_wall_m
        Solid side-wall thickness at y = 0 and y = Ly, m.
    pin_shape
        ``"round"`` (cylinders) or ``"square"`` (axis-aligned square prisms).
    pin_size_m
        Pin diameter or side, m.
    pitch_m
        Pin pitch (along the flow, across), m.
    pins
        (rows along x, pins per row).
    arrangement
        ``"staggered"`` or ``"inline"``.
    with_package
        Add ``die``, ``tim`` and ``lid`` below the plate.
    die_size_m
        Die footprint (x, y), m.
    die_position_m
        Die centre (x, y) in plate coordinates, m; None centres it.
    die_thickness_m
        Die thickness, m.
    tim_thickness_m
        TIM thickness, m.
    lid_size_m
        Lid footprint (x, y), m, centred on the die; must fit in the plate.
    lid_thickness_m
        Lid thickness, m.
    mesh_size_m
        Tetrahedron size in the fluid and on the pins, m.
    coarse_mesh_size_m
        Size away from the fluid (package, plate outside), m.
    points_around_pin
        Minimum mesh points around a round pin (gmsh curvature sizing);
        0 uses ``mesh_size_m`` only.
    binary
        Write binary msh 4.1.

    Returns
    -------
    pathlib.Path
        ``path``. Die and TIM are one layer of structured hexahedra (pyramids
        join them to the lid tets), because tets in a 0.1 mm layer are slivers.
        Regions ``base`` (plate solid incl. pins), ``channels``
        (coolant) and, with the package, ``die``, ``tim``, ``lid``; patches
        ``inlet`` (x = 0) and ``outlet`` (x = Lx) of the fluid layer.
    """
    p = dict(locals())
    centres, g = _pin_centres(p)
    lx, ly, tb, hp, tc, ws, d = (g[k] for k in ("lx", "ly", "tb", "hp", "tc", "ws", "d"))
    h_fine = float(mesh_size_m)
    h_coarse = max(float(coarse_mesh_size_m), h_fine)

    layers: list[tuple[str, tuple[float, float], float, float]] = []
    zp = 0.0
    if with_package:
        die = ck.pair("die_size_m", die_size_m)
        lid = ck.pair("lid_size_m", lid_size_m)
        t_die = ck.positive("die_thickness_m", die_thickness_m)
        t_tim = ck.positive("tim_thickness_m", tim_thickness_m)
        t_lid = ck.positive("lid_thickness_m", lid_thickness_m)
        c = (lx / 2, ly / 2) if die_position_m is None else ck.point2("die_position_m", die_position_m)
        ck.inside("lid_size_m", c, lid, (0.0, 0.0), (lx, ly), "the cold-plate footprint_m")
        ck.inside(
            "die_size_m",
            c,
            die,
            (c[0] - lid[0] / 2, c[1] - lid[1] / 2),
            (c[0] + lid[0] / 2, c[1] + lid[1] / 2),
            "the lid",
        )
        layers = [
            ("die", die, 0.0, t_die),
            ("tim", die, t_die, t_die + t_tim),
            ("lid", lid, t_die + t_tim, t_die + t_tim + t_lid),
        ]
        zp = t_die + t_tim + t_lid
    zc0, zc1 = zp + tb, zp + tb + hp

    from ._gmsh import add_physical, entities_in_box, gmsh_session, write_msh

    with gmsh_session("pinfin_coldplate") as gmsh:
        occ = gmsh.model.occ
        plate = occ.addBox(0.0, 0.0, zp, lx, ly, tb + hp + tc)
        fluid = occ.addBox(0.0, ws, zc0, lx, ly - 2 * ws, hp)
        pin_tags = []
        for x, y in centres:
            if pin_shape == "round":
                pin_tags.append(occ.addCylinder(x, y, zc0, 0.0, 0.0, hp, d / 2))
            else:
                pin_tags.append(occ.addBox(x - d / 2, y - d / 2, zc0, d, d, hp))
        pkg_tags = [
            occ.addBox(c[0] - s[0] / 2, c[1] - s[1] / 2, za, s[0], s[1], zb - za) for _, s, za, zb in layers
        ]
        tools = [(3, fluid)] + [(3, t) for t in pin_tags] + [(3, t) for t in pkg_tags]
        _, omap = occ.fragment([(3, plate)], tools)
        occ.synchronize()

        def children(i: int) -> set[int]:
            return {t for dim, t in omap[i] if dim == 3}

        plate_c, fluid_c = children(0), children(1)
        pin_c: set[int] = set()
        for i in range(len(pin_tags)):
            pin_c |= children(2 + i)
        fluid_v = sorted(fluid_c - pin_c)
        base_v = sorted((plate_c - fluid_c) | pin_c)
        for k, (name, *_rest) in enumerate(layers):
            add_physical(3, sorted(children(2 + len(pin_tags) + k)), name)
        add_physical(3, base_v, "base")
        add_physical(3, fluid_v, "channels")
        add_physical(2, entities_in_box(2, (0.0, ws, zc0), (0.0, ly - ws, zc1)), "inlet")
        add_physical(2, entities_in_box(2, (lx, ws, zc0), (lx, ly - ws, zc1)), "outlet")

        # Coarse everywhere, then fine on every point of the fluid and pins:
        # sizes interpolate from points, so the package stays cheap.
        all_pts = gmsh.model.getEntities(0)
        gmsh.model.mesh.setSize(all_pts, h_coarse)
        fine_pts = gmsh.model.getBoundary(
            [(3, v) for v in fluid_v], combined=False, oriented=False, recursive=True
        )
        gmsh.model.mesh.setSize(sorted(set(fine_pts)), h_fine)
        gmsh.option.setNumber("Mesh.MeshSizeMax", h_coarse)
        if pin_shape == "round" and points_around_pin > 0:
            # Resolve the pin circumference independently of mesh_size_m.
            gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", points_around_pin)
        # Die and TIM are thin boxes (0.1 mm TIM under ~2 mm tets): isotropic tets
        # there are slivers. Mesh them as one layer of structured hexahedra
        # instead; gmsh closes the quad faces towards the lid with pyramids.
        for k, _layer in enumerate(layers[:2]):  # die and TIM, when the package is modelled
            for vol in children(2 + len(pin_tags) + k):
                _structured_box(gmsh, vol, h_coarse)
        gmsh.option.setNumber("Mesh.Algorithm3D", 1)
        gmsh.model.mesh.generate(3)
        return write_msh(path, binary=binary)
