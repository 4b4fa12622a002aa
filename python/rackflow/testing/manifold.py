"""Two channels on common plenums: a network of separately characterised parts against a full 3D
solve of the same geometry (issue 6's network validation; ``benchmarks/network_vs_3d.py`` and
``tests/validation/test_network_vs_3d.py``).

Geometry (water, flow in +x): a passage ``12 × 6 × 0.5 mm``; inlet and outlet plenums 2 mm long
over the full 6 mm width; between them channel A (1.0 mm wide, y 0.5–1.5 mm) and channel B
(0.5 mm wide, y 4.0–4.5 mm), both 8 mm long; the rest of the middle is blocked. The inlet is the
whole ``xmin`` face at a fixed flow, the outlet the ``xmax`` face.

The network models the same geometry from parts, each characterised on its own (nothing is
fitted to the two-channel solve):

* each channel is a cold-plate model fitted to 3D solves of the straight channel alone (uniform
  inlet, same cell size), which also give the momentum coefficient β of its exit profile;
* the inlet plenum is a lateral manifold of rectangular ducts fed through its side by the
  uniform inlet (friction, plus the combining-flow momentum loss of a side-fed header);
* entry from the plenum is a sharp-edged sudden contraction (σ = the channels' area over the
  plenum section, as for a heat-exchanger core on headers) with Idelchik's laminar/transition K at
  the channel's Reynolds number (``Network.contraction(..., hydraulic_diameter_m=...)``; the
  channels' characterisation from a uniform inlet already holds their own flow development);
  exit is a free discharge (Borda–Carnot with σ = 0 and the channel's β), because the 2 mm
  outlet plenum is shorter than a jet needs to reattach, and the outlet fixes the static pressure.

Both the flow split and the overall pressure drop agree within the characterisation error
(``benchmarks/RESULTS.md``); with the turbulent entry K (``laminar_entry=False``) the pressure
drop is about 8 % low: the sharp entries at Re ≈ 10³ lose more than the turbulent coefficient.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import rackflow as rf
from rackflow.testing.meshes import box
from rackflow.units import M3_S_PER_LPM

MM = 1e-3
LENGTH, WIDTH, HEIGHT = 12 * MM, 6 * MM, 0.5 * MM
PLENUM = 2 * MM
CHANNELS = {"A": (0.5 * MM, 1.5 * MM), "B": (4.0 * MM, 4.5 * MM)}
FLOWS_LPM = (0.005, 0.01, 0.02, 0.04, 0.06)
TEMPERATURE_C = 20.0  # flow-only 3D solves take coolant properties at 20 °C
_LPM = M3_S_PER_LPM


def _span(name: str) -> float:
    lo, hi = CHANNELS[name]
    return hi - lo


@dataclass
class Comparison:
    """Numbers of one comparison (flows in L/min, pressures in Pa)."""

    flow_lpm: float
    share_3d: dict[str, float]
    share_network: dict[str, float]
    pressure_drop_3d_pa: float
    pressure_drop_network_pa: float
    fit_error: dict[str, float]
    momentum_coefficient: dict[str, float]
    area_ratio: float
    cells_3d: int
    network_parts: dict[str, float] = field(default_factory=dict)

    @property
    def share_error(self) -> float:
        """Relative error of channel A's flow share, network against 3D."""
        return self.share_network["A"] / self.share_3d["A"] - 1.0

    @property
    def pressure_drop_error(self) -> float:
        """Relative error of the overall pressure drop, network against 3D."""
        return self.pressure_drop_network_pa / self.pressure_drop_3d_pa - 1.0


def _fluid_cells(c: np.ndarray) -> np.ndarray:
    x, y = c[:, 0], c[:, 1]
    inside = (x < PLENUM) | (x > LENGTH - PLENUM)
    for lo, hi in CHANNELS.values():
        inside |= (y > lo) & (y < hi)
    return inside


def full_solve(flow_lpm: float, cell_m: float, nz: int) -> tuple[dict[str, float], float, int]:
    """3D solve of the whole geometry: each channel's share of the flow and the overall drop
    (mean total pressure on the inlet − static pressure on the outlet), and the cell count."""
    n = (round(LENGTH / cell_m), round(WIDTH / cell_m), nz)
    regions = {"coolant": _fluid_cells, "blocked": lambda c: ~_fluid_cells(c)}
    mesh = rf.Mesh.from_meshio(box(n, (LENGTH, WIDTH, HEIGHT), regions=regions))
    case = rf.Case(mesh)
    case.fluid("coolant", "water")
    case.inlet("xmin", flow_lpm=flow_lpm)
    case.outlet("xmax")
    r = case.solve()
    # flow of each channel through the cell layer at mid-length (x = 6 mm lies on a face)
    c, vol = mesh.cell_centers, mesh.cell_volumes
    x_mid = c[np.argmin(np.abs(c[:, 0] - LENGTH / 2)), 0]
    layer = np.abs(c[:, 0] - x_mid) < 1e-3 * cell_m
    dx = LENGTH / n[0]
    q = {}
    for name, (lo, hi) in CHANNELS.items():
        s = layer & (c[:, 1] > lo) & (c[:, 1] < hi)
        q[name] = float(np.sum(r.velocity_m_s[s, 0] * vol[s]) / dx)
    total = sum(q.values())
    # the outlet fixes the static pressure; the jets leave through it unmixed
    dp = r.total_pressure_pa("xmin") - r.static_pressure_pa("xmax")
    return {k: v / total for k, v in q.items()}, dp, mesh.n_cells


def characterise_channel(
    width_m: float, flows_lpm: Sequence[float], cell_m: float, nz: int
) -> tuple[rf.ColdPlateModel, list[float]]:
    """3D solves of one straight channel (uniform inlet): fitted ΔP model and exit β per flow."""
    n = (round((LENGTH - 2 * PLENUM) / cell_m), round(width_m / cell_m), nz)
    mesh = rf.Mesh.from_meshio(box(n, (LENGTH - 2 * PLENUM, width_m, HEIGHT)))
    dps, betas = [], []
    for q in flows_lpm:
        case = rf.Case(mesh)
        case.fluid("box", "water")
        case.inlet("xmin", flow_lpm=q)
        case.outlet("xmax")
        r = case.solve()
        dps.append(r.pressure_drop_pa("xmin", "xmax"))
        betas.append(r.momentum_coefficient("xmax"))
    model = rf.ColdPlateModel.from_points(
        flow_lpm=flows_lpm,
        pressure_drop_pa=dps,
        # hydraulics only: a flat placeholder resistance (no heat in this comparison)
        thermal_resistance_k_w=[0.1] * len(flows_lpm),
        coolant="water",
        temperature_c=TEMPERATURE_C,
        name=f"channel {width_m / MM:g} mm",
    )
    return model, betas


def network(
    flow_lpm: float,
    models: dict[str, rf.ColdPlateModel],
    beta: dict[str, float],
    *,
    fittings: bool = True,
    exit_area_ratio: float = 0.0,
    plenum: bool = True,
    momentum: bool = True,
    laminar_entry: bool = True,
    lattice_m: float = 0.25 * MM,
) -> tuple[rf.Network, list[str], list[float]]:
    """The network of the parts; returns it with its inlet nodes and their inlet-face widths.

    * ``plenum``: the inlet plenum is a lateral manifold: nodes every ``lattice_m`` across the
      width (the part in front of a channel's mouth is one node), each fed its share of the
      uniform inlet flow, joined by ducts of the plenum's section (2 mm × 0.5 mm) carrying the
      lateral flow, with (``momentum``) the side-fed header's combining-flow loss; otherwise a
      single node.
    * ``fittings``: contraction into each channel (σ = channels' area / plenum section) and
      expansion out of it with ``exit_area_ratio``. The entry's K follows the channel Reynolds
      number (Idelchik's laminar/transition diagram, ``laminar_entry``) or is the turbulent
      constant. The default 0 is a free discharge: the
      outlet plenum (2 mm) is shorter than the 6–8 step heights a jet needs to reattach after a
      sudden expansion, so no pressure is recovered before the outlet, which fixes the static
      pressure (K = β, the whole dynamic pressure of the jet is lost to the static outlet).
    """
    area = {k: _span(k) * HEIGHT for k in CHANNELS}
    sigma = sum(area.values()) / (WIDTH * HEIGHT)
    net = rf.Network(coolant="water", name="two channels on plenums")
    # holds the loop at the 3D solves' 20 °C (properties, and the models' viscosity scaling)
    net.cdu("out", "supply", supply_c=TEMPERATURE_C, approach_k=0.0, name="supply")
    if plenum:
        ys = np.linspace(0.0, WIDTH, round(WIDTH / lattice_m) + 1)
        names = []
        for y in ys:
            mouth = [k for k, (lo, hi) in CHANNELS.items() if lo - 1e-12 <= y <= hi + 1e-12]
            names.append(f"mouth {mouth[0]}" if mouth else f"plenum y={y / MM:.3f} mm")
        widths = np.full(len(ys), lattice_m)
        widths[[0, -1]] = lattice_m / 2
        inlet: dict[str, float] = {}
        for n, w in zip(names, widths, strict=True):
            inlet[n] = inlet.get(n, 0.0) + float(w)
        for i, (n, w) in enumerate(inlet.items()):
            net.flow_source("supply", n, flow_lpm=flow_lpm * w / WIDTH, name=f"inflow {i}")
        for i in range(len(ys) - 1):
            if names[i] != names[i + 1]:
                net.duct(
                    names[i],
                    names[i + 1],
                    width_m=PLENUM,
                    height_m=HEIGHT,
                    length_m=float(ys[i + 1] - ys[i]),
                    side_inflow_lpm=flow_lpm * float(ys[i + 1] - ys[i]) / WIDTH if momentum else 0.0,
                    name=f"plenum {i}",
                )
        mouths = {k: f"mouth {k}" for k in CHANNELS}
    else:
        inlet = {"in": WIDTH}
        net.flow_source("supply", "in", flow_lpm=flow_lpm, name="inflow")
        mouths = {k: "in" for k in CHANNELS}
    for k in CHANNELS:
        a, b = mouths[k], "out"
        if fittings:
            a, b = f"{k} in", f"{k} out"
            dh = 2.0 * area[k] / (_span(k) + HEIGHT) if laminar_entry else None
            net.contraction(
                mouths[k], a, area_m2=area[k], area_ratio=sigma, hydraulic_diameter_m=dh, name=f"entry {k}"
            )
            net.expansion(
                b,
                "out",
                area_m2=area[k],
                area_ratio=exit_area_ratio,
                momentum_coefficient=beta[k],
                name=f"exit {k}",
            )
        net.cold_plate(a, b, model=models[k], power_w=0.0, name=k)
    return net, list(inlet), list(inlet.values())


def network_solve(
    flow_lpm: float,
    models: dict[str, rf.ColdPlateModel],
    betas: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    passes: int = 20,
    **options: Any,
) -> tuple[dict[str, float], float, dict[str, float], dict[str, float]]:
    """Solves :func:`network`; β of each exit is taken at the channel's own flow (interpolated
    between the characterisation flows), a fixed point reached in a few solves. Returns the
    channels' flow shares, the overall drop (width-weighted mean inlet pressure − outlet), the
    β used and every edge's pressure drop."""
    area = {k: _span(k) for k in CHANNELS}
    guess = {k: flow_lpm * area[k] / sum(area.values()) for k in CHANNELS}
    beta = {k: float(np.interp(guess[k], *betas[k])) for k in CHANNELS}
    for _ in range(passes):
        net, inlets, widths = network(flow_lpm, models, beta, **options)
        res = net.solve()
        q = {k: res.flow_lpm(k) for k in CHANNELS}
        new = {k: float(np.interp(q[k], *betas[k])) for k in CHANNELS}
        done = max(abs(new[k] - beta[k]) for k in CHANNELS) < 1e-9
        beta = new
        if done:
            break
    else:
        raise RuntimeError("the exit momentum coefficients did not settle")
    total = sum(q.values())
    parts = {e.name: res.pressure_drop_pa(e) for e in net.edges if e.kind not in ("flow_source", "cdu")}
    p_in = float(np.dot([res.pressure_pa(n) for n in inlets], widths)) / WIDTH
    dp = p_in - res.pressure_pa("out")
    return {k: v / total for k, v in q.items()}, dp, beta, parts


def compare(
    flow_lpm: float = 0.06,
    *,
    cell_m: float = 0.25 * MM,
    nz: int = 4,
    flows_lpm: Sequence[float] = FLOWS_LPM,
    **options: Any,
) -> Comparison:
    """Full 3D solve against the network of separately characterised parts."""
    share_3d, dp_3d, cells = full_solve(flow_lpm, cell_m, nz)
    models, betas = {}, {}
    for k in CHANNELS:
        models[k], b = characterise_channel(_span(k), flows_lpm, cell_m, nz)
        betas[k] = (list(flows_lpm), b)
    share_net, dp_net, beta, parts = network_solve(flow_lpm, models, betas, **options)
    return Comparison(
        flow_lpm=flow_lpm,
        share_3d=share_3d,
        share_network=share_net,
        pressure_drop_3d_pa=dp_3d,
        pressure_drop_network_pa=dp_net,
        fit_error={k: m.fit_error["pressure_drop_max_rel"] for k, m in models.items()},
        momentum_coefficient=beta,
        area_ratio=sum(_span(k) for k in CHANNELS) / WIDTH,
        cells_3d=cells,
        network_parts=parts,
    )
