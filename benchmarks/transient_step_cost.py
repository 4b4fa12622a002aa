"""Cost of one transient step on the bundled cold plate, the power following a profile (issue 19).

``--conduction`` runs a conduction-only block of 90,000 cells instead (cheaper steps, so what a
step costs besides its linear solves shows).

Times every accepted step of a fixed-step run (progress callback timestamps, so the flow solve
before the first step is left out) and reports the median step, the mean step after the first two
(which build the preconditioner), and the run's assembly / preconditioner / linear-solve split.
Run it on two builds to compare them, e.g. before and after a change to how profiles update the
energy equation:

    python -m benchmarks.transient_step_cost [--threads N] [--steps 30] [--label after]
    PYTHONPATH=/path/to/old/python python -m benchmarks.transient_step_cost --label before
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

TRACE = {"time_s": [0.0, 1.0, 1.2, 31.2, 31.4], "value": [140.0, 140.0, 700.0, 700.0, 140.0]}
STEP_S = 0.1


def worker(spec: dict[str, Any]) -> None:
    import time

    import numpy as np
    import rackflow as rf
    from rackflow.demo import build_case

    if spec.get("conduction"):
        # a conduction-only block of about the cold plate's size: cheap steps, so the per-step
        # overhead outside the linear solve shows
        from rackflow.testing.meshes import box

        regions = {"die": lambda c: c[:, 2] < 0.001, "base": lambda c: c[:, 2] >= 0.001}
        mesh = rf.Mesh.from_meshio(box((60, 60, 25), (0.06, 0.06, 0.005), regions=regions))
        case = rf.Case(mesh)
        case.solid("base", material="copper")
        case.convective("zmax", htc_w_m2k=20000.0, ambient_c=35.0)
    else:
        mesh = rf.load_mesh(rf.datasets.coldplate_microchannel())
        case = build_case(mesh)
    case.solid("die", material="silicon", power_w=rf.Profile(**TRACE))
    stamps: list[float] = []
    t0 = time.perf_counter()
    run = case.solve_transient(
        end_time_s=spec["steps"] * STEP_S,
        time_step_s=STEP_S,
        initial_temperature_c=35.0,
        output_times_s=[0.0, spec["steps"] * STEP_S],
        # the flow solve before the first step reports its iterations through the same hook
        progress=lambda step, values: "time_s" in values and stamps.append(time.perf_counter()),
        threads=spec["threads"],
    )
    total = time.perf_counter() - t0
    steps = np.diff(stamps)
    emit_worker_result(
        {
            "cells": mesh.n_cells,
            "steps": len(stamps),
            "median_step_s": float(np.median(steps)),
            "mean_step_s": float(np.mean(steps[1:])),
            "before_first_step_s": stamps[0] - t0,
            "total_s": total,
            "assembly_s": run.report["assembly_time_s"],
            "preconditioner_s": run.report["preconditioner_time_s"],
            "linear_s": run.report["linear_time_s"],
            "outer_iterations": run.report["outer_iterations"],
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--label", default="this build")
    ap.add_argument("--conduction", action="store_true", help="a conduction-only block instead")
    add_output_arguments(ap)
    args = ap.parse_args()
    if served_as_worker(args, worker):
        return
    what = "a conduction-only block" if args.conduction else "the bundled cold plate"
    print_header(f"Transient step cost on {what} ({args.label})")
    r = run_worker(
        "benchmarks.transient_step_cost",
        {"threads": args.threads, "steps": args.steps, "conduction": args.conduction},
    )
    if "error" in r:
        print(r["error"])
        return
    row = {
        "build": args.label,
        "cells": r["cells"],
        "steps": r["steps"],
        "median step ms": round(1e3 * float(r["median_step_s"]), 1),
        "mean step ms (after 1st)": round(1e3 * float(r["mean_step_s"]), 1),
        "assembly s": round(float(r["assembly_s"]), 2),
        "preconditioner s": round(float(r["preconditioner_s"]), 2),
        "linear s": round(float(r["linear_s"]), 2),
        "outer iterations": r["outer_iterations"],
        "flow + set-up s": round(float(r["before_first_step_s"]), 1),
    }
    print((markdown_table if args.markdown else plain_table)([row]))


if __name__ == "__main__":
    main()
