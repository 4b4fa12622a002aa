"""Benchmark: a hall in time, from one rack to the seed system (3,125 racks, 200,000 GPUs).

Every GPU follows a training job: 20 % of 700 W, full power within 0.2 s at 1 s, back to 20 %
after 30 s; rack CDUs hold 35 °C under a PI controller (as ``examples/colossus_hall.py``).
60 s are simulated in 0.1 s steps, per-GPU temperatures kept once a second.

Prints, per hall size: edges, transport cells, build time (template), steady solve, the
transient run (initial state, time loop, its hydraulic solves), the output (the result object
and the ``to_frame`` tables of plates, CDUs and the summary), wall and CPU seconds, peak memory,
load average; and the job's results: worst junction at 20 % and its peak, CDU supply overshoot,
settling time after the step down, energy balance. Target: 60 s simulated faster than real time
(< 60 s wall) at 3,125 racks.

    python benchmarks/hall_transient.py [racks ...]      # default 1 10 100 1000 3125
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import time

import numpy as np
import rackflow as rf

JOB = rf.Profile(time_s=[0.0, 1.0, 1.2, 31.2, 31.4], value=[140.0, 140.0, 700.0, 700.0, 140.0])
PI = {"control": "pi", "kp_w_k": 25e3, "ki_w_k_s": 4e3, "heat_capacity_j_k": 1e5}


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run(racks: int, end_time_s: float = 60.0, time_step_s: float = 0.1) -> dict[str, float]:
    gc.collect()
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    net = rf.Network.hall(racks, power_w=JOB, rack_supply_c=35.0, cdu_control=PI)
    t1 = time.perf_counter()
    full = rf.Network.hall(racks, power_w=700.0, rack_supply_c=35.0, cdu_control=PI)
    t1s = time.perf_counter()
    steady = full.solve()
    t2, c2 = time.perf_counter(), _cpu()
    del full
    result = net.simulate(end_time_s=end_time_s, time_step_s=time_step_s, output_interval_s=1.0)
    t3, c3 = time.perf_counter(), _cpu()
    tables = [result.to_frame("plates"), result.to_frame("cdus"), result.to_frame("summary")]
    t4 = time.perf_counter()
    rows = sum(len(t) for t in tables)
    del tables
    racks_at = [i for i, name in enumerate(result.cdu_names) if name != "plant"]
    supply = result.cdu_supply_c[:, racks_at]
    worst = result.worst_gpu_temperature_c
    return {
        "racks": racks,
        "edges": len(net.edges),
        "cells": int(result.info["cells"]),
        "load": load,
        "build_s": t1 - t0,
        "steady_s": t2 - t1s,
        "sim_s": t3 - t2,
        "sim_cpu_s": c3 - c2,
        "initial_s": result.timing["core_initial_s"],
        "loop_s": result.timing["core_loop_s"],
        "hydraulics_s": result.timing["core_hydraulics_s"],
        "hyd_solves": int(result.info["hydraulic_solves"]),
        "result_s": result.timing["result_s"],
        "tables_s": t4 - t3,
        "table_rows": rows,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "gpu_20%_c": float(worst[0]),
        "gpu_peak_c": float(worst.max()),
        "supply_over_k": float(supply.max() - 35.0),
        "settle_s": result.settling_time_s(worst, after_s=31.2),
        "energy_err": result.energy_balance_error(),
        "steady_worst_c": steady.summary()["worst_gpu_temperature_c"],
    }


def table(rows: list[dict[str, float]]) -> str:
    cols = list(rows[0])
    fmt = {k: ("{:.3g}" if isinstance(rows[0][k], float) else "{}") for k in cols}
    cells = [[fmt[k].format(r[k]) for k in cols] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(cols, widths, strict=True))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(t, widths, strict=True)) for t in cells]
    return "\n".join(lines)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1, 10, 100, 1000, 3125]
    print(
        f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the start; numpy {np.__version__}"
    )
    print(table([run(n) for n in sizes]))


if __name__ == "__main__":
    main()
