"""Transient cold plate: the bundled microchannel plate under a GPU power trace (issue 19).

60 s of a training-style trace (140 W idle, a 0.2 s ramp to 700 W at 1 s, 30 s at full power,
back to 140 W) from the steady idle state: wall time per simulated second, steps taken by the
adaptive stepper at two error allowances and by fixed steps, the junction temperature's peak and
its error against a reference run with fixed 20 ms steps, and peak memory of the whole process.

    python -m benchmarks.transient_coldplate [--threads N] [--markdown] [--quick] [--flow-profile-only]

The case "pump halves at 15 s" also halves the coolant flow over 15–15.5 s (a pump profile): the
flow is then quasi-steady, solved again (warm-started) at each step where the rate has moved by
more than 1 %; its error column is left empty (other physics than the reference).

Each case runs in its own timed process (``/usr/bin/time -v``).
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks._common import (
    add_output_arguments,
    emit_worker_result,
    markdown_table,
    plain_table,
    print_header,
    run_worker,
    served_as_worker,
)

END_S = 60.0
TRACE = {"time_s": [0.0, 1.0, 1.2, 31.2, 31.4], "value": [140.0, 140.0, 700.0, 700.0, 140.0]}


def worker(spec: dict[str, Any]) -> None:
    import time

    import numpy as np
    import rackflow as rf
    from rackflow.demo import FLOW_LPM, INLET_C, build_case

    mesh = rf.load_mesh(rf.datasets.coldplate_microchannel())
    case = build_case(mesh)
    case.solid("die", material="silicon", power_w=rf.Profile(**TRACE))
    if spec.get("flow_profile"):
        pump = rf.Profile(time_s=[0.0, 15.0, 15.5], value=[FLOW_LPM, FLOW_LPM, 0.5 * FLOW_LPM])
        case.inlet("inlet", flow_lpm=pump, temperature_c=INLET_C)
    t0 = time.perf_counter()
    idle = case.solve(threads=spec["threads"])
    t1 = time.perf_counter()
    run = case.solve_transient(
        end_time_s=END_S,
        initial=idle,
        time_step_s=spec.get("time_step_s"),
        step_tolerance_k=spec.get("step_tolerance_k", 0.01),
        output_times_s=np.linspace(0.0, END_S, 241),
        threads=spec["threads"],
    )
    t2 = time.perf_counter()
    tj = run.max_temperature_c("die")
    emit_worker_result(
        {
            "cells": mesh.n_cells,
            "steady_s": t1 - t0,
            "transient_s": t2 - t1,
            "steps": run.report["steps_accepted"],
            "rejected": run.report["steps_rejected"],
            "tj_peak_c": float(tj.max()),
            "flow_updates": run.report.get("flow_updates", 0),
            "flow_time_s": run.report.get("flow_time_s", 0.0),
            "tj_series": [float(x) for x in tj],
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="skip the 20 ms reference (CI size)")
    ap.add_argument("--flow-profile-only", action="store_true", help="only the pump-profile case")
    add_output_arguments(ap)
    args = ap.parse_args()
    if served_as_worker(args, worker):
        return
    print_header("Transient cold plate: 60 s power trace (140 → 700 → 140 W)")
    cases = [
        ("adaptive 0.1 K", {"step_tolerance_k": 0.1}),
        ("adaptive 0.01 K", {"step_tolerance_k": 0.01}),
        ("fixed 0.1 s", {"time_step_s": 0.1}),
    ]
    if not args.quick:
        cases.append(("reference: fixed 20 ms", {"time_step_s": 0.02}))
    pump = ("pump halves at 15 s, adaptive 0.01 K", {"step_tolerance_k": 0.01, "flow_profile": True})
    cases = [pump] if args.flow_profile_only else [*cases, pump]
    results = {}
    for name, spec in cases:
        results[name] = run_worker("benchmarks.transient_coldplate", {"threads": args.threads, **spec})
    reference = results.get("reference: fixed 20 ms")
    rows = []
    for name, r in results.items():
        if "error" in r:
            rows.append({"case": name, "error": str(r["error"])[:80]})
            continue
        row = {
            "case": name,
            "cells": r["cells"],
            "steps": r["steps"],
            "rejected": r["rejected"],
            "transient s": round(float(r["transient_s"]), 1),
            "s per simulated s": round(float(r["transient_s"]) / END_S, 2),
            "T_j peak °C": round(float(r["tj_peak_c"]), 3),
            "flow re-solves (flow s)": f"{r['flow_updates']} ({float(r['flow_time_s']):.1f})",
            "peak MB": round(float(r["peak_rss_mb"])),
        }
        if reference is not None and "tj_series" in reference and name != pump[0]:
            ref = reference["tj_series"]
            row["max |ΔT_j| vs ref K"] = round(
                max(abs(a - b) for a, b in zip(r["tj_series"], ref, strict=True)), 4
            )
        rows.append(row)
    print((markdown_table if args.markdown else plain_table)(rows))


if __name__ == "__main__":
    main()
