"""Benchmark: steady solve of a datacenter hall of N 64-GPU racks (``Network.hall``).

Racks in rows of 25 and pods of 10 rows, headers sized for 2.5 m/s, reverse return, each
rack's set-point CDU on the facility loop, a pump per pod, one plant. 3,125 racks are the seed
system, a Colossus-class hall of 200,000 GPUs at 700 W (140 MW).

Prints, per hall size: edges, build time (Python template), solve time split into preparing
the core's columns, the core (model, setup, hydraulics, energy, results) and the result
object; wall and CPU seconds; Newton iterations, the unknown pressures solved for and the rack
loops copied from an identical one (``copy_identical_parts``); peak memory; load average at the
start. Target: the steady solve of 3,125 racks in under 2 s.

    python benchmarks/network_hall.py [racks ...]        # default 1 10 100 1000 3125
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import time

import rackflow as rf


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run(racks: int) -> dict[str, float]:
    gc.collect()
    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), _cpu()
    net = rf.Network.hall(racks)
    t1, c1 = time.perf_counter(), _cpu()
    result = net.solve()
    t2, c2 = time.perf_counter(), _cpu()
    summary = result.summary()
    timing = result.timing
    return {
        "racks": racks,
        "plates": summary["cold_plates"],
        "edges": len(net.edges),
        "load": load,
        "build_s": t1 - t0,
        "build_cpu_s": c1 - c0,
        "solve_s": t2 - t1,
        "solve_cpu_s": c2 - c1,
        "prepare_s": timing["prepare_s"],
        "core_s": timing["core_s"],
        "model_s": timing["core_model_s"],
        "setup_s": timing["core_setup_s"],
        "hydraulics_s": timing["core_hydraulics_s"],
        "energy_s": timing["core_energy_s"],
        "results_s": timing["core_results_s"],
        "newton": result.iterations["newton"],
        "solved_unknowns": result.iterations.get("solved_unknowns", result.iterations["unknowns"]),
        "copied_parts": result.iterations.get("copied_parts", 0),
        "passes": result.iterations["coupling"],
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worst_gpu_c": summary["worst_gpu_temperature_c"],
        "max/min flow": summary["maldistribution_max_over_min"],
        "energy_err": summary["energy_balance_error"],
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
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the start")
    print(table([run(n) for n in sizes]))


if __name__ == "__main__":
    main()
