"""A corpus of realistic cold plates drawn the way users draw them: Gmsh OpenCASCADE.

Each generator draws a plate in plan with OCC booleans (fuse, cut, intersect, fragment) and
fillets (rounded rectangles, annular bends), sweeps it through its layers (floor, coolant
passages, nozzle plate, plenum, lid; see :mod:`rackflow.meshing._layered`), fragments the
volumes so metal and coolant share conformal faces, and meshes it with gmsh's default
tetrahedra, or with graded prism layers in the coolant (``cells="prism"``: prisms in the
coolant layers, tetrahedra elsewhere, meeting on shared triangles).

Every plate has regions ``base`` (the machined plate), ``lid`` or ``cover`` and ``fluid``,
patches ``inlet`` and ``outlet`` (``inlet_2`` on the two-inlet plate) and a ``heated``
patch on the bottom where a die would sit; all other boundary faces are untagged
(adiabatic walls). ``target_cells`` sets the coolant cell size for about that many cells
(5e4, 2e5 and 1e6 are the documented sizes); ``mesh_size_m`` overrides it. The size never
exceeds half the narrowest coolant passage, so a very small target gives more cells than
asked for.

Design points (laminar, PG25 at 35 °C: ρ = 1012.5 kg/m³, μ = 1.542 mPa·s, from
reference/domain.md §5a) are in :data:`CORPUS` and in ``docs/corpus.md``; each generator's
docstring states its dimensions, flow and Reynolds numbers.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import _checks as ck
from ._layered import (
    CELL_KINDS,
    SOLID_SIZE_RATIO,
    Built,
    Layer,
    LayeredPlate,
    mesh_layered,
    mesh_to_target,
    sweep_counts,
)

#: PG25 at 35 °C (reference/domain.md §5a), the corpus coolant.
PG25_DENSITY_KG_M3 = 1012.5
PG25_VISCOSITY_PA_S = 1.542e-3


def reynolds(flow_lpm: float, area_m2: float, perimeter_m: float) -> float:
    """Reynolds number of PG25 at 35 °C in a passage: ρ V D_h / μ with D_h = 4A/P."""
    velocity = flow_lpm / 60_000.0 / area_m2
    return PG25_DENSITY_KG_M3 * velocity * (4.0 * area_m2 / perimeter_m) / PG25_VISCOSITY_PA_S


@dataclass(frozen=True)
class CorpusCase:
    """The design point of a corpus plate (its defaults): what to solve it at.

    ``flow_lpm`` maps each inlet patch to its flow; ``reynolds`` names the passages of the
    default geometry with their Reynolds numbers at that flow (all below 2,000).
    """

    generator: Callable[..., Path]
    coolant: str
    inlet_temperature_c: float
    flow_lpm: dict[str, float]
    power_w: float
    regions: tuple[str, ...]
    fluid: str
    patches: tuple[str, ...]
    reynolds: dict[str, float]
    summary: str


def _options(
    target_cells: Any, mesh_size_m: Any, cells: Any, prism_layers: Any
) -> tuple[float, float | None]:
    target = ck.positive("target_cells", target_cells)
    if target < 1000:
        raise ValueError(f"target_cells must be >= 1000, got {target_cells!r}")
    h = None if mesh_size_m is None else ck.positive("mesh_size_m", mesh_size_m)
    if cells not in CELL_KINDS:
        raise ValueError(f"cells: expected one of {CELL_KINDS}, got {cells!r}")
    if prism_layers is not None:
        ck.positive_int("prism_layers", prism_layers, minimum=2)
    return target, h


def _fluid_faces_on_plane(
    gmsh: Any, built: Built, axis: int, value: float, z0: float, z1: float
) -> list[int]:
    """Boundary faces of coolant volumes on the plane ``x[axis] = value`` between z0 and z1."""
    from ._gmsh import entities_in_box

    lo = [-1e3, -1e3, z0]
    hi = [1e3, 1e3, z1]
    lo[axis] = hi[axis] = value
    fluid = set(built.fluid_volumes())
    out = []
    for f in entities_in_box(2, lo, hi):
        up, _ = gmsh.model.getAdjacencies(2, f)
        if len(up) == 1 and int(up[0]) in fluid:
            out.append(f)
    return out


def _finish(
    gmsh: Any,
    draw: Callable[[float | None], tuple[LayeredPlate, Built, dict[str, list[int]]]],
    *,
    path: str | os.PathLike[str],
    target: float,
    mesh_size_m: float | None,
    cells: str,
    prism_layers: int | None,
    narrowest_m: float,
    binary: bool,
) -> Path:
    """Draw (``draw(layer_size_m)``: the plate's geometry, its :class:`Built` and patches),
    physical groups, sizes, 3D mesh, msh 4.1; or, for a CAD suffix, the geometry.

    With ``cells="prism"`` and ``prism_layers=None`` the coolant layers are swept in layers
    that refine with the coolant cell size h (:func:`~rackflow.meshing._layered.wall_layers`);
    for a ``target_cells`` the size depends on the layers and the layers on the size, so the
    plate is drawn at a first guess (half the narrowest passage), sized for the target, and
    redrawn with the layers of that size until the layer counts stop changing (at most three
    redraws; OCC sweeps fix their layers when drawn).
    """
    from ._gmsh import add_physical, write_msh

    refined = cells == "prism" and prism_layers is None
    guess = mesh_size_m if mesh_size_m is not None else narrowest_m / 2.0
    plate, built, patches = draw(guess if refined else None)
    if Path(path).suffix.lower() in CAD_EXPORT_SUFFIXES:
        return _write_cad(gmsh, built, Path(path))

    def to_target(layers: int | None, generate: bool = True) -> float:
        # reads ``plate`` and ``built`` as they are when called: the loop below redraws them
        return mesh_to_target(
            gmsh,
            built,
            plate.layers,
            target_cells=target,
            cells=cells,
            prism_layers=layers,
            h_max=narrowest_m / 2.0,
            generate=generate,
        )

    h, ratio = mesh_size_m, SOLID_SIZE_RATIO
    if refined and mesh_size_m is None:
        model = gmsh.model.getCurrent()
        for _ in range(4):
            h = to_target(None, generate=False)
            ratio = built.extra["solid_ratio"]
            if sweep_counts(plate.layers, h) == built.extra["sweep_layers"]:
                break
            gmsh.model.remove()
            gmsh.model.add(model)
            plate, built, patches = draw(h)

    for region in sorted(set(built.region_of_volume.values())):
        add_physical(3, built.volumes_of(region), region)
    for name, faces in patches.items():
        add_physical(2, faces, name)
    if h is not None:
        mesh_layered(gmsh, built, h_fluid=h, solid_ratio=ratio)
    else:
        to_target(prism_layers)
    return write_msh(path, binary=binary)


#: ``path`` suffixes for which a generator writes its OpenCASCADE geometry instead of a mesh.
CAD_EXPORT_SUFFIXES = (".step", ".stp", ".brep")


def _write_cad(gmsh: Any, built: Built, path: Path) -> Path:
    """Write the plate as CAD: one solid per region (the layered pieces fused, seams unified),
    fragmented so neighbouring regions share faces, as a user's CAD tool would export it. STEP
    written by gmsh carries no names: select the regions on import by position (see
    :func:`rackflow.meshing.from_cad`)."""
    occ = gmsh.model.occ
    solids = []
    for region in sorted(set(built.region_of_volume.values())):
        vols = [(3, v) for v in built.volumes_of(region)]
        if len(vols) > 1:
            fused, _ = occ.fuse(vols[:1], vols[1:])
            solids.extend(fused)
        else:
            solids.extend(vols)
    occ.fragment(solids, [])
    occ.synchronize()
    path.parent.mkdir(parents=True, exist_ok=True)
    from ._gmsh import quiet_stdout

    with quiet_stdout():
        gmsh.write(str(path))
    return path


def _rounded_half(occ: Any, x0: float, x1: float, y0: float, y1: float, radius: float, open_side: str) -> int:
    """A rectangle with its two corners on one side rounded: a rounded rectangle twice as long,
    cut in half by a box (an OCC boolean). ``open_side`` ("xmax" or "xmin") stays square."""
    dx, dy = x1 - x0, y1 - y0
    if open_side == "xmax":
        rr = occ.addRectangle(x0, y0, 0.0, 2 * dx, dy, roundedRadius=radius)
    else:
        rr = occ.addRectangle(x0 - dx, y0, 0.0, 2 * dx, dy, roundedRadius=radius)
    keep = occ.addRectangle(x0, y0 - dy, 0.0, dx, 3 * dy)
    out, _ = occ.intersect([(2, rr)], [(2, keep)])
    return out[0][1]


def _lidded_layers(
    floor_m: float,
    coolant_m: float,
    lid_m: float,
    coolant_layer: str,
    coolant_feature: str,
    ports: Sequence[str],
) -> list[Layer]:
    """Floor, coolant layer (fluid in ``coolant_feature``) and a lid with the ``ports`` bored through."""
    return [
        Layer("floor", floor_m, lambda f: "base"),
        Layer(coolant_layer, coolant_m, lambda f: "fluid" if coolant_feature in f else "base", coolant=True),
        Layer("lid", lid_m, lambda f: "fluid" if any(f"{p}_port" in f for p in ports) else "lid"),
    ]


def _assemble(
    gmsh: Any,
    outline: int,
    surfaces: dict[str, list[int]],
    layers: Sequence[Layer],
    *,
    ports: dict[str, tuple[float, float, float]],
    heaters: Sequence[tuple[float, float, float, float]],
    side_patches: Callable[[Built], dict[str, list[int]]] | None = None,
    cells: str,
    prism_layers: int | None,
    layer_size_m: float | None,
) -> tuple[LayeredPlate, Built, dict[str, list[int]]]:
    """The assembly every corpus plate shares, after its coolant is drawn in plan.

    Adds a port disk (feature ``NAME_port``) for each ``ports`` entry ``NAME: (x, y, diameter)``
    and the heater rectangles ``(x, y, dx, dy)``, in that order (it fixes the OCC tags, so the
    meshes stay the same), sweeps the plan through ``layers`` and builds it. Patches: each
    port's top face on the top layer, then ``side_patches(built)``, then ``heated`` under the
    heaters.
    """
    occ = gmsh.model.occ
    port_faces = {name: [occ.addDisk(x, y, 0.0, d / 2, d / 2)] for name, (x, y, d) in ports.items()}
    heated = [occ.addRectangle(x, y, 0.0, dx, dy) for x, y, dx, dy in heaters]
    features = {**surfaces, **{f"{name}_port": faces for name, faces in port_faces.items()}, "heater": heated}
    plate = LayeredPlate(outline, features, list(layers), {"fluid"})
    built = plate.build(gmsh, cells=cells, prism_layers=prism_layers, layer_size_m=layer_size_m)
    top = len(layers) - 1
    patches = {name: built.top_faces(top, f"{name}_port") for name in ports}
    patches.update(side_patches(built) if side_patches else {})
    patches["heated"] = built.bottom_faces(0, "heater")
    return plate, built, patches


# --------------------------------------------------------------------------- serpentine


def serpentine_plate(
    path: str | os.PathLike[str],
    *,
    footprint_m: tuple[float, float] = (0.060, 0.040),
    channel_width_m: float = 0.004,
    channel_depth_m: float = 0.0025,
    passes: int = 5,
    wall_m: float = 0.003,
    floor_thickness_m: float = 0.002,
    lid_thickness_m: float = 0.0015,
    heater_size_m: tuple[float, float] = (0.030, 0.030),
    target_cells: int = 50_000,
    mesh_size_m: float | None = None,
    cells: str = "tetra",
    prism_layers: int | None = None,
    binary: bool = False,
) -> Path:
    """Serpentine-channel cold plate: one channel snaking in ``passes`` straight runs.

    Plan: ``footprint_m`` (x along the runs, y across), corner at the origin, flow along +x in
    the first run. The channel (``channel_width_m`` x ``channel_depth_m``) is milled into a
    copper ``base`` over a ``floor_thickness_m`` floor, with ``wall_m`` between runs; the
    180° bends are half annuli (inner radius ``wall_m / 2``: filleted turns, a boolean of two
    discs and a box). The first run starts at x = 0 (``inlet``), the last ends at x = Lx
    (``outlet``; ``passes`` must be odd). A ``lid`` of ``lid_thickness_m`` closes it.
    ``heated`` is a ``heater_size_m`` rectangle centred on the bottom.

    Default design: 60 x 40 mm plate, 4 x 2.5 mm channel (D_h 3.08 mm), 5 runs, 2 mm floor,
    1.5 mm lid; PG25 at 35 °C, 0.4 L/min: 0.67 m/s, Re 1,350 (laminar); 150 W on a
    30 x 30 mm heater.

    Parameters
    ----------
    path
        Output ``.msh`` file (msh 4.1), or ``.step``/``.brep`` for the geometry (no mesh;
        one solid per region, for CAD round trips through :func:`~rackflow.meshing.from_cad`).
    footprint_m
        Plate size (x, y), m.
    channel_width_m
        Channel width, m.
    channel_depth_m
        Channel depth (coolant layer height), m.
    passes
        Number of straight runs (odd, >= 1).
    wall_m
        Metal between neighbouring runs, m (twice the bends' inner radius).
    floor_thickness_m
        Metal under the channel, m.
    lid_thickness_m
        Lid thickness, m.
    heater_size_m
        Heated patch on the bottom (x, y), m, centred.
    target_cells
        About how many cells to make (sets the coolant cell size).
    mesh_size_m
        Coolant cell size, m (overrides ``target_cells``); metal cells are twice as large.
    cells
        ``"tetra"`` (gmsh's default tetrahedra) or ``"prism"`` (graded prism layers in the
        channel layer, tetrahedra in floor and lid).
    prism_layers
        Prism layers across the channel depth (``cells="prism"``), graded 1.25 from the walls;
        ``None``: layers that refine with the coolant cell size h (first layer h / 4 at each wall,
        growing by at most 1.2, none thicker than h), so the wall spacing refines with
        ``target_cells`` (a fixed count keeps the first cell's distance from the wall).
    binary
        Write binary msh 4.1.

    Returns
    -------
    pathlib.Path
        ``path``. Regions ``base``, ``lid``, ``fluid``; patches ``inlet``, ``outlet``,
        ``heated``.
    """
    lx, ly = ck.pair("footprint_m", footprint_m)
    w = ck.positive("channel_width_m", channel_width_m)
    hc = ck.positive("channel_depth_m", channel_depth_m)
    n = ck.positive_int("passes", passes)
    if n % 2 == 0:
        raise ValueError(f"passes must be odd (inlet at x = 0, outlet at x = Lx), got {passes!r}")
    s = ck.positive("wall_m", wall_m)
    tf = ck.positive("floor_thickness_m", floor_thickness_m)
    tl = ck.positive("lid_thickness_m", lid_thickness_m)
    heater = ck.pair("heater_size_m", heater_size_m)
    target, h_user = _options(target_cells, mesh_size_m, cells, prism_layers)
    r_in, r_out = s / 2, s / 2 + w
    pitch = w + s
    span_y = (n - 1) * pitch + w
    if span_y >= ly - 2 * s:
        raise ValueError(
            f"passes: {n} runs of channel_width_m={w} at wall_m={s} need {span_y + 2 * s:.6g} m, wider than footprint_m[1]={ly}"
        )
    xa, xb = r_out + s, lx - r_out - s  # bend centres: runs go from xa to xb
    if xb - xa < 2 * w:
        raise ValueError(f"footprint_m[0]={lx} is too short for bends of outer radius {r_out:.6g} m")
    ck.inside("heater_size_m", (lx / 2, ly / 2), heater, (0.0, 0.0), (lx, ly), "the footprint_m")
    y0 = (ly - span_y) / 2  # lower edge of the first run

    from ._gmsh import gmsh_session

    with gmsh_session("serpentine_plate") as gmsh:

        def draw(layer_size_m: float | None) -> tuple[LayeredPlate, Built, dict[str, list[int]]]:
            occ = gmsh.model.occ
            outline = occ.addRectangle(0.0, 0.0, 0.0, lx, ly)
            channel: list[int] = []
            for k in range(n):
                ya = y0 + k * pitch
                x_start = 0.0 if k == 0 else xa
                x_end = lx if k == n - 1 else xb
                channel.append(occ.addRectangle(x_start, ya, 0.0, x_end - x_start, w))
            for k in range(n - 1):
                yc = y0 + k * pitch + w + s / 2  # between runs k and k + 1
                right = k % 2 == 0
                xc = xb if right else xa
                ring, _ = occ.cut(
                    [(2, occ.addDisk(xc, yc, 0.0, r_out, r_out))], [(2, occ.addDisk(xc, yc, 0.0, r_in, r_in))]
                )
                half = occ.addRectangle(xc if right else xc - r_out, yc - r_out, 0.0, r_out, 2 * r_out)
                bend, _ = occ.intersect(ring, [(2, half)])
                channel.extend(t for _, t in bend)
            fused, _ = occ.fuse([(2, channel[0])], [(2, t) for t in channel[1:]])
            hx, hy = heater
            return _assemble(
                gmsh,
                outline,
                {"channel": [t for _, t in fused]},
                _lidded_layers(tf, hc, tl, "channel", "channel", ()),
                ports={},
                heaters=[((lx - hx) / 2, (ly - hy) / 2, hx, hy)],
                side_patches=lambda built: {
                    "inlet": _fluid_faces_on_plane(gmsh, built, 0, 0.0, tf, tf + hc),
                    "outlet": _fluid_faces_on_plane(gmsh, built, 0, lx, tf, tf + hc),
                },
                cells=cells,
                prism_layers=prism_layers,
                layer_size_m=layer_size_m,
            )

        return _finish(
            gmsh,
            draw,
            path=path,
            target=target,
            mesh_size_m=h_user,
            cells=cells,
            prism_layers=prism_layers,
            narrowest_m=min(w, hc),
            binary=binary,
        )


# --------------------------------------------------------------------------- pin fins


def _pinfin(
    path: str | os.PathLike[str],
    arrangement: str,
    *,
    footprint_m: tuple[float, float],
    cavity_margin_m: float,
    cavity_depth_m: float,
    corner_radius_m: float,
    pin_diameter_m: float,
    pitch_m: tuple[float, float],
    pins: tuple[int, int],
    port_diameter_m: float,
    floor_thickness_m: float,
    lid_thickness_m: float,
    heater_size_m: tuple[float, float],
    target_cells: int,
    mesh_size_m: float | None,
    cells: str,
    prism_layers: int | None,
    binary: bool,
) -> Path:
    lx, ly = ck.pair("footprint_m", footprint_m)
    m = ck.positive("cavity_margin_m", cavity_margin_m)
    hc = ck.positive("cavity_depth_m", cavity_depth_m)
    rc = ck.positive("corner_radius_m", corner_radius_m)
    d = ck.positive("pin_diameter_m", pin_diameter_m)
    px, py = ck.pair("pitch_m", pitch_m)
    try:
        nx, ny = pins
    except (TypeError, ValueError):
        raise ValueError(f"pins must be (rows along x, pins per row), got {pins!r}") from None
    nx, ny = ck.positive_int("pins[0]", nx), ck.positive_int("pins[1]", ny)
    dp = ck.positive("port_diameter_m", port_diameter_m)
    tf = ck.positive("floor_thickness_m", floor_thickness_m)
    tl = ck.positive("lid_thickness_m", lid_thickness_m)
    heater = ck.pair("heater_size_m", heater_size_m)
    target, h_user = _options(target_cells, mesh_size_m, cells, prism_layers)
    cx0, cx1, cy0, cy1 = m, lx - m, m, ly - m
    if cx1 - cx0 <= 2 * rc or cy1 - cy0 <= 2 * rc:
        raise ValueError(f"cavity_margin_m={m}: no room for a cavity with corner_radius_m={rc}")
    stagger = py / 2 if arrangement == "staggered" and nx > 1 else 0.0
    ext_x, ext_y = (nx - 1) * px + d, (ny - 1) * py + stagger + d
    # inlet and outlet ports sit at the cavity ends, clear of the pins by one pin diameter
    port_x = (cx0 + 0.6 * dp, cx1 - 0.6 * dp)
    if dp > cy1 - cy0 - 2 * rc:
        raise ValueError(f"port_diameter_m={dp} does not fit across the cavity")
    if ext_x > port_x[1] - port_x[0] - dp - 2 * d:
        raise ValueError(f"pins: {nx} rows at pitch_m[0]={px} leave no room for the ports in the cavity")
    if ext_y > cy1 - cy0 - 2 * d + 1e-12:
        raise ValueError(f"pins: {ny} pins per row at pitch_m[1]={py} do not fit across the cavity")
    if min(px, py) < 1.2 * d:
        raise ValueError(f"pitch_m={tuple(pitch_m)}: pins of pin_diameter_m={d} touch or nearly touch")
    ck.inside("heater_size_m", (lx / 2, ly / 2), heater, (0.0, 0.0), (lx, ly), "the footprint_m")
    x0, y0 = (lx - ext_x) / 2 + d / 2, (ly - ext_y) / 2 + d / 2
    centres = [(x0 + i * px, y0 + j * py + (stagger if i % 2 else 0.0)) for i in range(nx) for j in range(ny)]
    gaps = [py - d, px - d] + ([math.hypot(px, py / 2) - d] if stagger else [])

    from ._gmsh import gmsh_session

    with gmsh_session(f"pinfin_{arrangement}_plate") as gmsh:

        def draw(layer_size_m: float | None) -> tuple[LayeredPlate, Built, dict[str, list[int]]]:
            occ = gmsh.model.occ
            outline = occ.addRectangle(0.0, 0.0, 0.0, lx, ly)
            cavity = occ.addRectangle(cx0, cy0, 0.0, cx1 - cx0, cy1 - cy0, roundedRadius=rc)
            pin_faces = [occ.addDisk(x, y, 0.0, d / 2, d / 2) for x, y in centres]
            # the coolant: the filleted cavity with the pins cut out (an OCC boolean)
            coolant, _ = occ.cut([(2, cavity)], [(2, t) for t in pin_faces])
            hx, hy = heater
            return _assemble(
                gmsh,
                outline,
                {"coolant": [t for _, t in coolant]},
                _lidded_layers(tf, hc, tl, "pins", "coolant", ("inlet", "outlet")),
                ports={"inlet": (port_x[0], ly / 2, dp), "outlet": (port_x[1], ly / 2, dp)},
                heaters=[((lx - hx) / 2, (ly - hy) / 2, hx, hy)],
                cells=cells,
                prism_layers=prism_layers,
                layer_size_m=layer_size_m,
            )

        return _finish(
            gmsh,
            draw,
            path=path,
            target=target,
            mesh_size_m=h_user,
            cells=cells,
            prism_layers=prism_layers,
            narrowest_m=min([hc, *gaps]),
            binary=binary,
        )


_PINFIN_DOC = """Pin-fin cold plate, {arrangement} round pins in a filleted cavity fed through the lid.

    Plan: ``footprint_m``, corner at the origin, flow along +x. A cavity of depth
    ``cavity_depth_m`` with ``corner_radius_m`` fillets (``cavity_margin_m`` of metal around it)
    is milled into the copper ``base`` over a ``floor_thickness_m`` floor; ``pins`` round pins
    of ``pin_diameter_m`` at ``pitch_m`` {stagger}stand in its middle (the pins are the
    cavity minus discs: an OCC cut). The ``lid`` has two round ports of ``port_diameter_m``
    at the cavity ends: ``inlet`` (x small) and ``outlet``, on the lid's top face. ``heated``
    is a ``heater_size_m`` rectangle centred on the bottom.

    Default design: 40 x 32 mm plate, 32 x 24 x 2 mm cavity with 3 mm fillets, 6 x 7 pins of
    1.5 mm at 3 mm pitch, 2 mm floor and lid, 4 mm ports; PG25 at 35 °C, 0.5 L/min: port
    0.66 m/s, Re 1,740; between the pins (narrowest section) {pin_re}; 100 W on a 20 x 20 mm
    heater.

    Parameters
    ----------
    path
        Output ``.msh`` file (msh 4.1), or ``.step``/``.brep`` for the geometry (no mesh;
        one solid per region, for CAD round trips through :func:`~rackflow.meshing.from_cad`).
    footprint_m
        Plate size (x, y), m.
    cavity_margin_m
        Metal around the cavity in plan, m.
    cavity_depth_m
        Cavity depth = pin height, m.
    corner_radius_m
        Fillet radius of the cavity's corners, m.
    pin_diameter_m
        Pin diameter, m.
    pitch_m
        Pin pitch (along the flow, across), m.
    pins
        (rows along x, pins per row).
    port_diameter_m
        Diameter of the inlet and outlet ports through the lid, m.
    floor_thickness_m
        Metal under the cavity, m.
    lid_thickness_m
        Lid thickness (port length), m.
    heater_size_m
        Heated patch on the bottom (x, y), m, centred.
    target_cells
        About how many cells to make (sets the coolant cell size).
    mesh_size_m
        Coolant cell size, m (overrides ``target_cells``); metal cells are twice as large.
    cells
        ``"tetra"`` or ``"prism"`` (graded prism layers over the cavity depth, tetrahedra in
        floor and lid).
    prism_layers
        Prism layers across the cavity depth (``cells="prism"``), graded 1.25 from the walls;
        ``None``: layers that refine with the coolant cell size h (first layer h / 4 at each wall,
        growing by at most 1.2, none thicker than h), so the wall spacing refines with
        ``target_cells`` (a fixed count keeps the first cell's distance from the wall).
    binary
        Write binary msh 4.1.

    Returns
    -------
    pathlib.Path
        ``path``. Regions ``base`` (with the pins), ``lid``, ``fluid``; patches ``inlet``,
        ``outlet``, ``heated``.
    """


def pinfin_staggered_plate(
    path: str | os.PathLike[str],
    *,
    footprint_m: tuple[float, float] = (0.040, 0.032),
    cavity_margin_m: float = 0.004,
    cavity_depth_m: float = 0.002,
    corner_radius_m: float = 0.003,
    pin_diameter_m: float = 0.0015,
    pitch_m: tuple[float, float] = (0.003, 0.003),
    pins: tuple[int, int] = (6, 7),
    port_diameter_m: float = 0.004,
    floor_thickness_m: float = 0.002,
    lid_thickness_m: float = 0.002,
    heater_size_m: tuple[float, float] = (0.020, 0.020),
    target_cells: int = 50_000,
    mesh_size_m: float | None = None,
    cells: str = "tetra",
    prism_layers: int | None = None,
    binary: bool = False,
) -> Path:
    return _pinfin(path, "staggered", **{k: v for k, v in locals().items() if k != "path"})


def pinfin_inline_plate(
    path: str | os.PathLike[str],
    *,
    footprint_m: tuple[float, float] = (0.040, 0.032),
    cavity_margin_m: float = 0.004,
    cavity_depth_m: float = 0.002,
    corner_radius_m: float = 0.003,
    pin_diameter_m: float = 0.0015,
    pitch_m: tuple[float, float] = (0.003, 0.003),
    pins: tuple[int, int] = (6, 7),
    port_diameter_m: float = 0.004,
    floor_thickness_m: float = 0.002,
    lid_thickness_m: float = 0.002,
    heater_size_m: tuple[float, float] = (0.020, 0.020),
    target_cells: int = 50_000,
    mesh_size_m: float | None = None,
    cells: str = "tetra",
    prism_layers: int | None = None,
    binary: bool = False,
) -> Path:
    return _pinfin(path, "inline", **{k: v for k, v in locals().items() if k != "path"})


pinfin_staggered_plate.__doc__ = _PINFIN_DOC.format(
    arrangement="staggered",
    stagger="(every second row shifted by half the transverse pitch) ",
    pin_re="0.31 m/s, Re_d 300 on the pin diameter",
)
pinfin_inline_plate.__doc__ = _PINFIN_DOC.format(
    arrangement="inline", stagger="", pin_re="0.31 m/s, Re_d 300 on the pin diameter"
)


# --------------------------------------------------------------------------- manifold


def _manifold_channels(
    occ: Any,
    x0: float,
    x1: float,
    y_lo: float,
    n: int,
    w: float,
    t: float,
) -> list[int]:
    """``n`` straight channels of width ``w`` between fins of ``t`` from x0 to x1."""
    return [occ.addRectangle(x0, y_lo + k * (w + t), 0.0, x1 - x0, w) for k in range(n)]


def microchannel_manifold_plate(
    path: str | os.PathLike[str],
    *,
    footprint_m: tuple[float, float] = (0.050, 0.036),
    channels: int = 10,
    channel_width_m: float = 0.0012,
    fin_thickness_m: float = 0.001,
    channel_length_m: float = 0.020,
    channel_depth_m: float = 0.002,
    manifold_length_m: float = 0.009,
    corner_radius_m: float = 0.003,
    port_diameter_m: float = 0.005,
    floor_thickness_m: float = 0.002,
    lid_thickness_m: float = 0.002,
    heater_size_m: tuple[float, float] = (0.020, 0.020),
    target_cells: int = 50_000,
    mesh_size_m: float | None = None,
    cells: str = "tetra",
    prism_layers: int | None = None,
    binary: bool = False,
) -> Path:
    """Straight microchannel cold plate with inlet and outlet manifolds fed through the lid.

    Plan: ``footprint_m``, corner at the origin, flow along +x. ``channels`` straight channels
    (``channel_width_m`` wide, ``channel_depth_m`` deep, ``channel_length_m`` long, separated by
    ``fin_thickness_m`` fins) are centred in the plate; a manifold of ``manifold_length_m`` at
    each end spans the finned width, its two outer corners filleted (``corner_radius_m``: a
    rounded rectangle halved by an OCC intersect) and the channels fused to it. Round ports of
    ``port_diameter_m`` through the ``lid`` over the manifold centres are ``inlet`` and
    ``outlet`` (lid top). ``heated`` is a ``heater_size_m`` rectangle centred on the bottom.

    Default design: 50 x 36 mm plate, 10 channels 1.2 x 2 mm (D_h 1.5 mm) by 20 mm between
    1 mm fins, 9 mm manifolds, 5 mm ports, 2 mm floor and lid; PG25 at 35 °C, 0.6 L/min: port
    0.51 m/s, Re 1,670; channels 0.42 m/s, Re 410; 150 W on a 20 x 20 mm heater.

    Parameters
    ----------
    path
        Output ``.msh`` file (msh 4.1), or ``.step``/``.brep`` for the geometry (no mesh;
        one solid per region, for CAD round trips through :func:`~rackflow.meshing.from_cad`).
    footprint_m
        Plate size (x, y), m.
    channels
        Number of channels.
    channel_width_m
        Channel width, m.
    fin_thickness_m
        Fin thickness between channels, m.
    channel_length_m
        Channel length between the manifolds, m.
    channel_depth_m
        Depth of channels and manifolds, m.
    manifold_length_m
        Length of each manifold along x, m.
    corner_radius_m
        Fillet radius of the manifolds' outer corners, m.
    port_diameter_m
        Port diameter, m.
    floor_thickness_m
        Metal under the channels, m.
    lid_thickness_m
        Lid thickness, m.
    heater_size_m
        Heated patch on the bottom (x, y), m, centred.
    target_cells
        About how many cells to make (sets the coolant cell size).
    mesh_size_m
        Coolant cell size, m (overrides ``target_cells``); metal cells are twice as large.
    cells
        ``"tetra"`` or ``"prism"`` (graded prism layers over the channel depth).
    prism_layers
        Prism layers across the channel depth (``cells="prism"``), graded 1.25 from the walls;
        ``None``: layers that refine with the coolant cell size h (first layer h / 4 at each wall,
        growing by at most 1.2, none thicker than h), so the wall spacing refines with
        ``target_cells`` (a fixed count keeps the first cell's distance from the wall).
    binary
        Write binary msh 4.1.

    Returns
    -------
    pathlib.Path
        ``path``. Regions ``base``, ``lid``, ``fluid``; patches ``inlet``, ``outlet``,
        ``heated``.
    """
    lx, ly = ck.pair("footprint_m", footprint_m)
    n = ck.positive_int("channels", channels)
    w = ck.positive("channel_width_m", channel_width_m)
    t = ck.positive("fin_thickness_m", fin_thickness_m)
    lc = ck.positive("channel_length_m", channel_length_m)
    hc = ck.positive("channel_depth_m", channel_depth_m)
    lm = ck.positive("manifold_length_m", manifold_length_m)
    rc = ck.positive("corner_radius_m", corner_radius_m)
    dp = ck.positive("port_diameter_m", port_diameter_m)
    tf = ck.positive("floor_thickness_m", floor_thickness_m)
    tl = ck.positive("lid_thickness_m", lid_thickness_m)
    heater = ck.pair("heater_size_m", heater_size_m)
    target, h_user = _options(target_cells, mesh_size_m, cells, prism_layers)
    width = n * w + (n - 1) * t
    if width > ly - 2 * t:
        raise ValueError(
            f"channels: {n} channels of {w} m with {t} m fins are wider than footprint_m[1]={ly}"
        )
    if lc + 2 * lm > lx - 2 * t:
        raise ValueError(
            f"channel_length_m + 2 manifold_length_m = {lc + 2 * lm:.6g} m does not fit in footprint_m[0]={lx}"
        )
    if dp > min(lm - rc / 2, width):
        raise ValueError(f"port_diameter_m={dp} does not fit in a manifold of {lm} x {width:.6g} m")
    if 2 * rc > min(lm, width):
        raise ValueError(f"corner_radius_m={rc} is too large for a manifold of {lm} x {width:.6g} m")
    ck.inside("heater_size_m", (lx / 2, ly / 2), heater, (0.0, 0.0), (lx, ly), "the footprint_m")
    xc0 = (lx - lc) / 2
    xc1 = xc0 + lc
    y_lo = (ly - width) / 2

    from ._gmsh import gmsh_session

    with gmsh_session("microchannel_manifold_plate") as gmsh:

        def draw(layer_size_m: float | None) -> tuple[LayeredPlate, Built, dict[str, list[int]]]:
            occ = gmsh.model.occ
            outline = occ.addRectangle(0.0, 0.0, 0.0, lx, ly)
            inlet_manifold = _rounded_half(occ, xc0 - lm, xc0, y_lo, y_lo + width, rc, "xmax")
            outlet_manifold = _rounded_half(occ, xc1, xc1 + lm, y_lo, y_lo + width, rc, "xmin")
            chans = _manifold_channels(occ, xc0, xc1, y_lo, n, w, t)
            coolant, _ = occ.fuse([(2, inlet_manifold)], [(2, outlet_manifold)] + [(2, c) for c in chans])
            hx, hy = heater
            return _assemble(
                gmsh,
                outline,
                {"coolant": [tg for _, tg in coolant]},
                _lidded_layers(tf, hc, tl, "channels", "coolant", ("inlet", "outlet")),
                ports={"inlet": (xc0 - lm / 2, ly / 2, dp), "outlet": (xc1 + lm / 2, ly / 2, dp)},
                heaters=[((lx - hx) / 2, (ly - hy) / 2, hx, hy)],
                cells=cells,
                prism_layers=prism_layers,
                layer_size_m=layer_size_m,
            )

        return _finish(
            gmsh,
            draw,
            path=path,
            target=target,
            mesh_size_m=h_user,
            cells=cells,
            prism_layers=prism_layers,
            narrowest_m=min(w, hc),
            binary=binary,
        )


# --------------------------------------------------------------------------- jet impingement


def jet_impingement_plate(
    path: str | os.PathLike[str],
    *,
    footprint_m: tuple[float, float] = (0.030, 0.030),
    wall_m: float = 0.003,
    jets: tuple[int, int] = (3, 3),
    jet_diameter_m: float = 0.0015,
    jet_pitch_m: float = 0.006,
    gap_m: float = 0.0015,
    nozzle_plate_m: float = 0.001,
    plenum_height_m: float = 0.003,
    port_diameter_m: float = 0.005,
    floor_thickness_m: float = 0.002,
    top_thickness_m: float = 0.002,
    heater_size_m: tuple[float, float] = (0.016, 0.016),
    target_cells: int = 50_000,
    mesh_size_m: float | None = None,
    cells: str = "tetra",
    prism_layers: int | None = None,
    binary: bool = False,
) -> Path:
    """Jet-impingement cold plate: an array of round jets striking the heated floor.

    Plan: ``footprint_m``, corner at the origin. Coolant enters through a round ``inlet`` port
    (``port_diameter_m``, top of the ``cover``) into a plenum (``plenum_height_m``), passes a
    nozzle plate (``nozzle_plate_m`` thick) through ``jets`` round holes of ``jet_diameter_m``
    at ``jet_pitch_m`` centred on the plate, impinges across a gap of ``gap_m`` on the copper
    ``base`` (floor ``floor_thickness_m``) and leaves sideways: the impingement chamber is open
    over its width at x = Lx (``outlet``). Plenum and chamber have filleted corners (rounded
    rectangles; ``wall_m`` of metal around them). ``cover`` is the housing: chamber walls,
    nozzle plate, plenum walls and top. ``heated`` is a ``heater_size_m`` rectangle centred on
    the bottom, under the jets.

    Default design: 30 x 30 mm, 3 x 3 jets of 1.5 mm at 6 mm pitch, 1.5 mm gap, 1 mm nozzle
    plate, 3 mm plenum, 5 mm port; PG25 at 35 °C, 0.5 L/min: port 0.42 m/s, Re 1,390; each
    jet 0.52 m/s, Re 520; outlet slot 24 x 1.5 mm, 0.23 m/s, Re 430; 150 W on 16 x 16 mm.

    Parameters
    ----------
    path
        Output ``.msh`` file (msh 4.1), or ``.step``/``.brep`` for the geometry (no mesh;
        one solid per region, for CAD round trips through :func:`~rackflow.meshing.from_cad`).
    footprint_m
        Plate size (x, y), m.
    wall_m
        Metal around plenum and chamber in plan, m.
    jets
        Number of jets (along x, along y).
    jet_diameter_m
        Jet (nozzle hole) diameter, m.
    jet_pitch_m
        Jet spacing in both directions, m.
    gap_m
        Nozzle-to-floor distance (impingement chamber height), m.
    nozzle_plate_m
        Nozzle plate thickness (jet length), m.
    plenum_height_m
        Inlet plenum height, m.
    port_diameter_m
        Inlet port diameter, m.
    floor_thickness_m
        Copper floor under the chamber, m.
    top_thickness_m
        Cover top over the plenum (inlet port length), m.
    heater_size_m
        Heated patch on the bottom (x, y), m, centred.
    target_cells
        About how many cells to make (sets the coolant cell size).
    mesh_size_m
        Coolant cell size, m (overrides ``target_cells``); metal cells are twice as large.
    cells
        ``"tetra"`` or ``"prism"`` (graded prism layers across the impingement gap and the
        plenum).
    prism_layers
        Prism layers across the gap and the plenum (``cells="prism"``), graded 1.25 from the walls;
        ``None``: layers that refine with the coolant cell size h (first layer h / 4 at each wall,
        growing by at most 1.2, none thicker than h), so the wall spacing refines with
        ``target_cells`` (a fixed count keeps the first cell's distance from the wall).
    binary
        Write binary msh 4.1.

    Returns
    -------
    pathlib.Path
        ``path``. Regions ``base``, ``cover``, ``fluid``; patches ``inlet``, ``outlet``,
        ``heated``.
    """
    lx, ly = ck.pair("footprint_m", footprint_m)
    s = ck.positive("wall_m", wall_m)
    try:
        jx, jy = jets
    except (TypeError, ValueError):
        raise ValueError(f"jets must be (along x, along y), got {jets!r}") from None
    jx, jy = ck.positive_int("jets[0]", jx), ck.positive_int("jets[1]", jy)
    dj = ck.positive("jet_diameter_m", jet_diameter_m)
    pj = ck.positive("jet_pitch_m", jet_pitch_m)
    g = ck.positive("gap_m", gap_m)
    tn = ck.positive("nozzle_plate_m", nozzle_plate_m)
    hp = ck.positive("plenum_height_m", plenum_height_m)
    dp = ck.positive("port_diameter_m", port_diameter_m)
    tf = ck.positive("floor_thickness_m", floor_thickness_m)
    tt = ck.positive("top_thickness_m", top_thickness_m)
    heater = ck.pair("heater_size_m", heater_size_m)
    target, h_user = _options(target_cells, mesh_size_m, cells, prism_layers)
    inner = (lx - 2 * s, ly - 2 * s)
    if min(inner) <= 0:
        raise ValueError(f"wall_m={s}: two walls leave no room in footprint_m={tuple(footprint_m)}")
    if pj < 1.5 * dj:
        raise ValueError(f"jet_pitch_m={pj}: jets of jet_diameter_m={dj} nearly touch")
    span = ((jx - 1) * pj + dj, (jy - 1) * pj + dj)
    if span[0] > inner[0] - 2 * dj or span[1] > inner[1] - 2 * dj:
        raise ValueError(
            f"jets: {jx} x {jy} jets at jet_pitch_m={pj} do not fit in the {inner[0]:.6g} x {inner[1]:.6g} m plenum"
        )
    if dp > min(inner) - 2 * s:
        raise ValueError(f"port_diameter_m={dp} does not fit over the plenum")
    ck.inside("heater_size_m", (lx / 2, ly / 2), heater, (0.0, 0.0), (lx, ly), "the footprint_m")
    rc = min(inner) / 8

    from ._gmsh import gmsh_session

    with gmsh_session("jet_impingement_plate") as gmsh:

        def draw(layer_size_m: float | None) -> tuple[LayeredPlate, Built, dict[str, list[int]]]:
            occ = gmsh.model.occ
            outline = occ.addRectangle(0.0, 0.0, 0.0, lx, ly)
            plenum = occ.addRectangle(s, s, 0.0, inner[0], inner[1], roundedRadius=rc)
            # the chamber runs out through the x = Lx wall: its x = Lx corners are square
            chamber = _rounded_half(occ, s, lx, s, ly - s, rc, "xmax")
            x0, y0 = (lx - (jx - 1) * pj) / 2, (ly - (jy - 1) * pj) / 2
            holes = [
                occ.addDisk(x0 + i * pj, y0 + j * pj, 0.0, dj / 2, dj / 2)
                for i in range(jx)
                for j in range(jy)
            ]
            hx, hy = heater
            layers = [
                Layer("floor", tf, lambda f: "base"),
                Layer("gap", g, lambda f: "fluid" if "chamber" in f else "base", coolant=True),
                Layer("nozzles", tn, lambda f: "fluid" if "jet" in f else "cover"),
                Layer("plenum", hp, lambda f: "fluid" if "plenum" in f else "cover", coolant=True),
                Layer("top", tt, lambda f: "fluid" if "inlet_port" in f else "cover"),
            ]
            return _assemble(
                gmsh,
                outline,
                {"plenum": [plenum], "chamber": [chamber], "jet": holes},
                layers,
                ports={"inlet": (lx / 2, ly / 2, dp)},
                heaters=[((lx - hx) / 2, (ly - hy) / 2, hx, hy)],
                side_patches=lambda built: {"outlet": _fluid_faces_on_plane(gmsh, built, 0, lx, tf, tf + g)},
                cells=cells,
                prism_layers=prism_layers,
                layer_size_m=layer_size_m,
            )

        return _finish(
            gmsh,
            draw,
            path=path,
            target=target,
            mesh_size_m=h_user,
            cells=cells,
            prism_layers=prism_layers,
            narrowest_m=min(g, dj, tn * 2),
            binary=binary,
        )


# --------------------------------------------------------------------------- two inlets


def two_inlet_plate(
    path: str | os.PathLike[str],
    *,
    footprint_m: tuple[float, float] = (0.060, 0.030),
    channels: int = 8,
    channel_width_m: float = 0.0012,
    fin_thickness_m: float = 0.001,
    channel_length_m: float = 0.014,
    channel_depth_m: float = 0.002,
    manifold_length_m: float = 0.008,
    collector_length_m: float = 0.008,
    corner_radius_m: float = 0.0025,
    port_diameter_m: float = 0.004,
    outlet_diameter_m: float = 0.006,
    floor_thickness_m: float = 0.002,
    lid_thickness_m: float = 0.002,
    heater_size_m: tuple[float, float] = (0.012, 0.012),
    target_cells: int = 50_000,
    mesh_size_m: float | None = None,
    cells: str = "tetra",
    prism_layers: int | None = None,
    binary: bool = False,
) -> Path:
    """Two-inlet cold plate (two dies): coolant enters at both ends and leaves in the middle.

    Plan: ``footprint_m``, corner at the origin, x along the plate. From each end a manifold
    (``manifold_length_m``, outer corners filleted with ``corner_radius_m``) feeds ``channels``
    straight channels (``channel_width_m`` x ``channel_depth_m`` by ``channel_length_m``, fins of
    ``fin_thickness_m``) running towards a central collector (``collector_length_m``); all fused
    into one coolant region milled into the copper ``base``. Ports through the ``lid``:
    ``inlet`` over the x-small manifold, ``inlet_2`` over the other (``port_diameter_m``),
    ``outlet`` over the collector (``outlet_diameter_m``). ``heated`` is two ``heater_size_m``
    rectangles on the bottom, centred under each channel bank (two dies).

    Default design: 60 x 30 mm, two banks of 8 channels 1.2 x 2 mm (D_h 1.5 mm) by 14 mm,
    1 mm fins, 8 mm manifolds and collector, 4 mm inlet ports, 6 mm outlet port, 2 mm floor and
    lid; PG25 at 35 °C, 0.4 L/min into each inlet: inlet ports 0.53 m/s, Re 1,390; outlet port
    (0.8 L/min) 0.47 m/s, Re 1,860; channels 0.35 m/s, Re 340; 2 x 75 W on 12 x 12 mm.

    Parameters
    ----------
    path
        Output ``.msh`` file (msh 4.1), or ``.step``/``.brep`` for the geometry (no mesh;
        one solid per region, for CAD round trips through :func:`~rackflow.meshing.from_cad`).
    footprint_m
        Plate size (x, y), m.
    channels
        Channels per bank.
    channel_width_m
        Channel width, m.
    fin_thickness_m
        Fin thickness between channels, m.
    channel_length_m
        Channel length of each bank, m.
    channel_depth_m
        Depth of channels, manifolds and collector, m.
    manifold_length_m
        Length of each end manifold along x, m.
    collector_length_m
        Length of the central collector along x, m.
    corner_radius_m
        Fillet radius of the manifolds' outer corners, m.
    port_diameter_m
        Diameter of the two inlet ports, m.
    outlet_diameter_m
        Diameter of the outlet port, m.
    floor_thickness_m
        Metal under the channels, m.
    lid_thickness_m
        Lid thickness, m.
    heater_size_m
        Size (x, y) of each of the two heated rectangles, m.
    target_cells
        About how many cells to make (sets the coolant cell size).
    mesh_size_m
        Coolant cell size, m (overrides ``target_cells``); metal cells are twice as large.
    cells
        ``"tetra"`` or ``"prism"`` (graded prism layers over the channel depth).
    prism_layers
        Prism layers across the channel depth (``cells="prism"``), graded 1.25 from the walls;
        ``None``: layers that refine with the coolant cell size h (first layer h / 4 at each wall,
        growing by at most 1.2, none thicker than h), so the wall spacing refines with
        ``target_cells`` (a fixed count keeps the first cell's distance from the wall).
    binary
        Write binary msh 4.1.

    Returns
    -------
    pathlib.Path
        ``path``. Regions ``base``, ``lid``, ``fluid``; patches ``inlet``, ``inlet_2``,
        ``outlet``, ``heated``.
    """
    lx, ly = ck.pair("footprint_m", footprint_m)
    n = ck.positive_int("channels", channels)
    w = ck.positive("channel_width_m", channel_width_m)
    t = ck.positive("fin_thickness_m", fin_thickness_m)
    lc = ck.positive("channel_length_m", channel_length_m)
    hc = ck.positive("channel_depth_m", channel_depth_m)
    lm = ck.positive("manifold_length_m", manifold_length_m)
    lo = ck.positive("collector_length_m", collector_length_m)
    rc = ck.positive("corner_radius_m", corner_radius_m)
    dp = ck.positive("port_diameter_m", port_diameter_m)
    do = ck.positive("outlet_diameter_m", outlet_diameter_m)
    tf = ck.positive("floor_thickness_m", floor_thickness_m)
    tl = ck.positive("lid_thickness_m", lid_thickness_m)
    heater = ck.pair("heater_size_m", heater_size_m)
    target, h_user = _options(target_cells, mesh_size_m, cells, prism_layers)
    width = n * w + (n - 1) * t
    total = 2 * lm + 2 * lc + lo
    if width > ly - 2 * t:
        raise ValueError(
            f"channels: {n} channels of {w} m with {t} m fins are wider than footprint_m[1]={ly}"
        )
    if total > lx - 2 * t:
        raise ValueError(
            f"2 manifold_length_m + 2 channel_length_m + collector_length_m = {total:.6g} m does not fit in footprint_m[0]={lx}"
        )
    if dp > min(lm - rc / 2, width) or do > min(lo, width):
        raise ValueError(
            f"port_diameter_m={dp} / outlet_diameter_m={do}: a port does not fit in its manifold"
        )
    if 2 * rc > min(lm, width):
        raise ValueError(f"corner_radius_m={rc} is too large for a manifold of {lm} x {width:.6g} m")
    x0 = (lx - total) / 2
    xs = [x0, x0 + lm, x0 + lm + lc, x0 + lm + lc + lo, x0 + lm + 2 * lc + lo, x0 + total]
    centres = ((xs[1] + xs[2]) / 2, (xs[3] + xs[4]) / 2)
    for c in centres:
        ck.inside("heater_size_m", (c, ly / 2), heater, (0.0, 0.0), (lx, ly), "the footprint_m")
    y_lo = (ly - width) / 2

    from ._gmsh import gmsh_session

    with gmsh_session("two_inlet_plate") as gmsh:

        def draw(layer_size_m: float | None) -> tuple[LayeredPlate, Built, dict[str, list[int]]]:
            occ = gmsh.model.occ
            outline = occ.addRectangle(0.0, 0.0, 0.0, lx, ly)
            m1 = _rounded_half(occ, xs[0], xs[1], y_lo, y_lo + width, rc, "xmax")
            m2 = _rounded_half(occ, xs[4], xs[5], y_lo, y_lo + width, rc, "xmin")
            collector = occ.addRectangle(xs[2], y_lo, 0.0, lo, width)
            bank1 = _manifold_channels(occ, xs[1], xs[2], y_lo, n, w, t)
            bank2 = _manifold_channels(occ, xs[3], xs[4], y_lo, n, w, t)
            coolant, _ = occ.fuse([(2, m1)], [(2, c) for c in [m2, collector, *bank1, *bank2]])
            hx, hy = heater
            ports = ("inlet", "inlet_2", "outlet")
            return _assemble(
                gmsh,
                outline,
                {"coolant": [tg for _, tg in coolant]},
                _lidded_layers(tf, hc, tl, "channels", "coolant", ports),
                ports={
                    "inlet": ((xs[0] + xs[1]) / 2, ly / 2, dp),
                    "inlet_2": ((xs[4] + xs[5]) / 2, ly / 2, dp),
                    "outlet": ((xs[2] + xs[3]) / 2, ly / 2, do),
                },
                heaters=[(c - hx / 2, (ly - hy) / 2, hx, hy) for c in centres],
                cells=cells,
                prism_layers=prism_layers,
                layer_size_m=layer_size_m,
            )

        return _finish(
            gmsh,
            draw,
            path=path,
            target=target,
            mesh_size_m=h_user,
            cells=cells,
            prism_layers=prism_layers,
            narrowest_m=min(w, hc),
            binary=binary,
        )


# --------------------------------------------------------------------------- registry


def _re_rect(flow_lpm: float, a: float, b: float) -> float:
    return reynolds(flow_lpm, a * b, 2 * (a + b))


def _re_round(flow_lpm: float, d: float) -> float:
    return reynolds(flow_lpm, math.pi * d**2 / 4, math.pi * d)


#: The corpus: ``GENERATORS`` name -> design point of the default geometry (what
#: ``benchmarks/corpus.py`` solves and ``docs/corpus.md`` tabulates).
CORPUS: dict[str, CorpusCase] = {
    "serpentine": CorpusCase(
        generator=serpentine_plate,
        coolant="PG25",
        inlet_temperature_c=35.0,
        flow_lpm={"inlet": 0.4},
        power_w=150.0,
        regions=("base", "fluid", "lid"),
        fluid="fluid",
        patches=("heated", "inlet", "outlet"),
        reynolds={"channel": _re_rect(0.4, 0.004, 0.0025)},
        summary="one 4 x 2.5 mm channel in 5 runs with annular bends, 60 x 40 mm",
    ),
    "pinfin-staggered": CorpusCase(
        generator=pinfin_staggered_plate,
        coolant="PG25",
        inlet_temperature_c=35.0,
        flow_lpm={"inlet": 0.5},
        power_w=100.0,
        regions=("base", "fluid", "lid"),
        fluid="fluid",
        patches=("heated", "inlet", "outlet"),
        reynolds={
            "port": _re_round(0.5, 0.004),
            # on the pin diameter at the narrowest section: 7 pins of 1.5 mm across 24 mm, 2 mm deep
            "pins": PG25_DENSITY_KG_M3
            * (0.5 / 60_000 / ((0.024 - 7 * 0.0015) * 0.002))
            * 0.0015
            / PG25_VISCOSITY_PA_S,
        },
        summary="6 x 7 staggered 1.5 mm pins in a filleted 32 x 24 x 2 mm cavity, ports in the lid",
    ),
    "pinfin-inline": CorpusCase(
        generator=pinfin_inline_plate,
        coolant="PG25",
        inlet_temperature_c=35.0,
        flow_lpm={"inlet": 0.5},
        power_w=100.0,
        regions=("base", "fluid", "lid"),
        fluid="fluid",
        patches=("heated", "inlet", "outlet"),
        reynolds={
            "port": _re_round(0.5, 0.004),
            "pins": PG25_DENSITY_KG_M3
            * (0.5 / 60_000 / ((0.024 - 7 * 0.0015) * 0.002))
            * 0.0015
            / PG25_VISCOSITY_PA_S,
        },
        summary="6 x 7 inline 1.5 mm pins in a filleted 32 x 24 x 2 mm cavity, ports in the lid",
    ),
    "microchannel-manifold": CorpusCase(
        generator=microchannel_manifold_plate,
        coolant="PG25",
        inlet_temperature_c=35.0,
        flow_lpm={"inlet": 0.6},
        power_w=150.0,
        regions=("base", "fluid", "lid"),
        fluid="fluid",
        patches=("heated", "inlet", "outlet"),
        reynolds={"port": _re_round(0.6, 0.005), "channel": _re_rect(0.6 / 10, 0.0012, 0.002)},
        summary="10 straight 1.2 x 2 mm channels between filleted manifolds, ports in the lid",
    ),
    "jet-impingement": CorpusCase(
        generator=jet_impingement_plate,
        coolant="PG25",
        inlet_temperature_c=35.0,
        flow_lpm={"inlet": 0.5},
        power_w=150.0,
        regions=("base", "cover", "fluid"),
        fluid="fluid",
        patches=("heated", "inlet", "outlet"),
        reynolds={
            "port": _re_round(0.5, 0.005),
            "jet": _re_round(0.5 / 9, 0.0015),
            "outlet": _re_rect(0.5, 0.024, 0.0015),
        },
        summary="3 x 3 jets of 1.5 mm onto the floor across a 1.5 mm gap, side outlet",
    ),
    "two-inlet": CorpusCase(
        generator=two_inlet_plate,
        coolant="PG25",
        inlet_temperature_c=35.0,
        flow_lpm={"inlet": 0.4, "inlet_2": 0.4},
        power_w=150.0,
        regions=("base", "fluid", "lid"),
        fluid="fluid",
        patches=("heated", "inlet", "inlet_2", "outlet"),
        reynolds={
            "inlet port": _re_round(0.4, 0.004),
            "outlet port": _re_round(0.8, 0.006),
            "channel": _re_rect(0.4 / 8, 0.0012, 0.002),
        },
        summary="two channel banks fed from both ends into a central outlet (two dies)",
    ),
}

__all__ = [
    "CORPUS",
    "CorpusCase",
    "jet_impingement_plate",
    "microchannel_manifold_plate",
    "pinfin_inline_plate",
    "pinfin_staggered_plate",
    "reynolds",
    "serpentine_plate",
    "two_inlet_plate",
]
