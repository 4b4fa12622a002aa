"""Mesh convergence of a turbulent cold plate: one channel unit of a copper plate with water at
channel Re ≈ 20,000, k-ω SST, on three uniformly refined hexahedral meshes (ratio 2).

The unit (``rackflow.meshing.channel_unit``): a 2 × 2 mm channel over a 1 mm copper base,
half a 0.5 mm fin on each side (symmetry planes), 40 mm long; 100 W on the base's bottom face;
water at 35 °C and 1.68 L/min (7 m/s). The first cell centres sit at y⁺ ≈ 140 / 70 / 36 on the
three meshes, so all three stay in the log layer (wall functions; a refinement that moved the
wall cells across y⁺_lam would measure the switch of wall treatment, not the discretisation).

Prints per mesh: cells, R_th (hottest solid cell to inlet over the power), ΔP (mean total
pressure, inlet to outlet), outlet temperature, energy balance, wall y⁺ (min/mean/max), flow
iterations, wall time; then Richardson's observed order p, the extrapolated value and the
grid-convergence index of the finest mesh (Roache, safety factor 1.25) for R_th and ΔP.

Run: ``python -m benchmarks.turbulent_convergence [--levels 4,8,16] [--threads 1] [--flow-lpm 1.68]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import rackflow as rf
from rackflow.meshing import channel_unit

from benchmarks._common import grid_convergence, load_average, machine_info

LENGTH_M = 0.04
CHANNEL_M = 0.002
FLOW_LPM = 1.68
POWER_W = 100.0
INLET_C = 35.0


def solve(cells_across: int, threads: int | None, flow_lpm: float = FLOW_LPM) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = channel_unit(
            Path(tmp) / "unit.msh",
            length_m=LENGTH_M,
            channel_width_m=CHANNEL_M,
            channel_height_m=CHANNEL_M,
            base_thickness_m=0.001,
            n_along=5 * cells_across,
            cells_across_channel=cells_across,
            binary=True,
        )
        mesh = rf.load_mesh(path)
    case = rf.Case(mesh)
    case.solid("solid", material="copper")
    case.fluid("fluid", coolant="water", turbulence="k-omega-sst")
    case.inlet("inlet", flow_lpm=flow_lpm, temperature_c=INLET_C)
    case.outlet("outlet", pressure_pa=0.0)
    case.heat_flux("heated", power_w=POWER_W)
    case.symmetry("symmetry_sides")
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the y⁺ band is printed instead
        result = case.solve(progress=False, threads=threads)
    wall = time.perf_counter() - start
    d = result.summary().to_dict()
    t_max = max(result.max_temperature_c(r) for r in ("solid",))
    y_plus = [v for k, v in result.y_plus_by_patch.items() if k.startswith("interface")]
    return {
        "cells_across": cells_across,
        "cells": mesh.n_cells,
        "rth_k_w": (t_max - INLET_C) / POWER_W,
        "dp_pa": result.pressure_drop_pa("inlet", "outlet"),
        "t_out_c": d["outlet_temperature_c"],
        "balance": result.energy_balance_error,
        "y_plus": (
            min(v[0] for v in y_plus),
            sum(v[1] for v in y_plus) / len(y_plus),
            max(v[2] for v in y_plus),
        ),
        "flow_it": d["flow_iterations"],
        "wall_s": wall,
    }


def richardson(coarse: float, medium: float, fine: float, ratio: float) -> tuple[float, float, float]:
    """Observed order, extrapolated value and the fine mesh's GCI (safety factor 1.25)."""
    g = grid_convergence(coarse, medium, fine, ratio)
    if g.oscillatory:  # as before Celik's procedure moved to _common: no order for oscillation
        return float("nan"), float("nan"), float("nan")
    return g.order, g.extrapolated, g.gci_fine


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--levels", default="4,8,16", help="cells across the channel, coarse to fine (ratio 2)"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--flow-lpm", type=float, default=FLOW_LPM, help="water flow, L/min (1.68: Re ≈ 20,000)"
    )
    args = parser.parse_args()
    levels = [int(v) for v in args.levels.split(",")]
    print(f"{machine_info()}; load {load_average()}")
    rows = [solve(n, args.threads, args.flow_lpm) for n in levels]
    print(f"flow {args.flow_lpm} L/min")
    print(
        "| cells across | cells | R_th K/W | ΔP Pa | T_out °C | balance | wall y⁺ min/mean/max | flow it. | wall s |"
    )
    print("|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for r in rows:
        yp = "/".join(f"{v:.0f}" for v in r["y_plus"])
        print(
            f"| {r['cells_across']} | {r['cells']:,} | {r['rth_k_w']:.5f} | {r['dp_pa']:.1f} | {r['t_out_c']:.3f} "
            f"| {r['balance']:.1e} | {yp} | {r['flow_it']:.0f} | {r['wall_s']:.1f} |"
        )
    if len(rows) >= 3:
        a, b, c = rows[-3:]
        ratio = c["cells_across"] / b["cells_across"]
        for key, label in (("rth_k_w", "R_th"), ("dp_pa", "ΔP")):
            p, extrapolated, gci = richardson(a[key], b[key], c[key], ratio)
            change = (c[key] - b[key]) / c[key]
            print(
                f"{label}: change between the two finest {change:+.2%}; observed order {p:.2f}; "
                f"extrapolated {extrapolated:.5g}; GCI(fine) {gci:.2%}"
            )
    print(f"load {load_average()}")


if __name__ == "__main__":
    main()
