"""Mesh convergence of the bundled microchannel cold plate (the demo case) on three meshes.

Prints R_th (die junction to inlet), pressure drop, outlet temperature, energy balance, cells,
iterations, wall time and peak memory per mesh, the change between the two finest meshes, and
the observed order of R_th and ΔP from the three (Richardson, refinement ratio from the cell
counts). Run: ``python -m benchmarks.coldplate_convergence [--refine 1.0,1.26,1.59]``.
"""

from __future__ import annotations

import argparse
import math
import resource
import tempfile
import time
from pathlib import Path

import rackflow as rf
from rackflow import demo
from rackflow.meshing import microchannel_coldplate


def solve(refine: float, threads: int | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = microchannel_coldplate(Path(tmp) / "plate.msh", refine=refine, binary=True)
        mesh = rf.load_mesh(path)
    case = demo.build_case(mesh)
    start = time.perf_counter()
    result = case.solve(threads=threads)
    wall = time.perf_counter() - start
    d = result.summary().to_dict()
    return {
        "refine": refine,
        "cells": mesh.n_cells,
        "rth_k_w": d["thermal_resistance_k_w.die"],
        "dp_pa": d["pressure_drop_pa"],
        "t_out_c": d["outlet_temperature_c"],
        "balance": result.energy_balance_error,
        "flow_it": d["flow_iterations"],
        "wall_s": wall,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--refine", default="1.0,1.26,1.59", help="three refinement factors, coarse to fine")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    rows = [solve(float(r), args.threads) for r in args.refine.split(",")]
    print("| refine | cells | R_th K/W | ΔP Pa | T_out °C | balance | flow it. | wall s | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['refine']:.2f} | {r['cells']:,} | {r['rth_k_w']:.5f} | {r['dp_pa']:.2f} | {r['t_out_c']:.3f} "
            f"| {r['balance']:.1e} | {r['flow_it']:.0f} | {r['wall_s']:.1f} | {r['peak_rss_mb']:.0f} |"
        )
    if len(rows) >= 3:
        a, b, c = rows[-3:]
        ratio = (c["cells"] / b["cells"]) ** (1 / 3)
        for key, label in (("rth_k_w", "R_th"), ("dp_pa", "ΔP")):
            change = (c[key] - b[key]) / c[key]
            e1, e2 = b[key] - a[key], c[key] - b[key]
            order = math.log(abs(e1 / e2)) / math.log(ratio) if e2 and e1 / e2 > 0 else float("nan")
            print(f"{label}: change between the two finest {change:+.2%}; observed order {order:.2f}")


if __name__ == "__main__":
    main()
