"""What ``chtMultiRegionFoam`` needs (step, outer correctors) to follow the bundled cold plate
within 0.1 K in the two seconds after the 140 → 700 W jump (issue 19, benchmark item 1).

The case, mesh, steady start and OpenFOAM set-up are those of
``benchmarks.openfoam.transient_coldplate`` (its cache is reused); only the first powered interval
is run, for ``--window`` seconds. Reference: rackflow with fixed 2.5 ms steps (and 5 ms, to show
the reference's own step error), outputs every 5 ms. Errors: largest |ΔT_die,max| every 0.02 s
from 0.02 s after the jump, and on the full benchmark's grid (every 0.1 s).

    python -m benchmarks.openfoam.transient_coldplate_window --openfoam 0.02:1,0.02:3,0.02:10,0.01:10,0.005:10
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from benchmarks._common import cache_dir
from benchmarks.openfoam import transient_coldplate as T


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--window", type=float, default=2.0)
    ap.add_argument("--openfoam", default="0.02:1,0.02:3,0.02:10,0.01:10,0.005:10")
    args = ap.parse_args()
    root = cache_dir("openfoam", "transient_coldplate")
    store = root / f"window_{args.window:g}.json"
    data = json.loads(store.read_text()) if store.exists() else {}
    end = T.JUMP_UP_S + args.window
    if "rackflow_0.0025" not in data:
        case = T.rackflow_case(T.trace())
        steady = case.solve(
            convection="upwind",
            threads=1,
            tolerance=1e-8,
            velocity_tolerance=1e-6,
            pressure_tolerance=1e-6,
            mass_tolerance=1e-6,
        )
        for dt in (0.005, 0.0025):
            c0 = time.process_time()
            run = case.solve_transient(
                end,
                time_step_s=dt,
                initial=steady,
                output_times_s=np.arange(0.0, end + 1e-9, 0.005),
                convection="upwind",
                threads=2,
            )
            data[f"rackflow_{dt:g}"] = {
                "t": run.times_s.tolist(),
                "v": (run.max_temperature_c("die") + 273.15).tolist(),
                "cpu": time.process_time() - c0,
            }
            store.write_text(json.dumps(data))
    ref_t, ref_v = np.array(data["rackflow_0.0025"]["t"]), np.array(data["rackflow_0.0025"]["v"])
    r5 = data["rackflow_0.005"]
    print(f"rackflow 5 ms against 2.5 ms: {np.abs(np.interp(ref_t, r5['t'], r5['v']) - ref_v).max():.4f} K")
    mesh = T.make_mesh(root)
    st, last, _ = T.steady(root, mesh)
    fine = np.arange(T.JUMP_UP_S + 0.02, end + 1e-9, 0.02)
    coarse = np.round(np.arange(T.JUMP_UP_S + 0.1, end + 1e-9, 0.1), 10)
    print(
        "| OpenFOAM dt s | outer correctors | CPU s | max abs ΔT every 0.02 s K (at s) | on the 0.1 s grid K |"
    )
    print("|---|---|---|---|---|")
    for spec in args.openfoam.split(","):
        dt, outer = spec.split(":")
        key = f"of_dt{dt}_outer{outer}"
        if key not in data:
            case_dir = root / f"window_{key}"
            timed, _ = T._segment(
                st, last, case_dir, 0.0, args.window, float(dt), T.P_FULL_W, int(outer), mesh
            )
            ta, va = T._read_die_max(case_dir)
            data[key] = {
                "t": (ta + T.JUMP_UP_S).tolist(),
                "v": va.tolist(),
                "cpu": timed.user_s + timed.sys_s,
            }
            store.write_text(json.dumps(data))
        t, v = np.array(data[key]["t"]), np.array(data[key]["v"])
        e1 = np.abs(np.interp(fine, t, v) - np.interp(fine, ref_t, ref_v))
        e2 = np.abs(np.interp(coarse, t, v) - np.interp(coarse, ref_t, ref_v))
        print(
            f"| {dt} | {outer} | {data[key]['cpu']:.1f} | {e1.max():.4f} ({fine[e1.argmax()]:.2f}) | {e2.max():.4f} |"
        )


if __name__ == "__main__":
    main()
