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
    python benchmarks/network_hall.py --before DIR --rounds 3 [racks ...]

``--before DIR``: side by side with another build of rackflow (a directory holding its
``rackflow`` package, put first on ``PYTHONPATH``): each round runs every size in a fresh
process of the other build and then of this one, so both see the same load; the table gains a
``build`` column and the solves are repeated ``--solves`` times per process (the best and the
worst are shown by rows).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
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


def _in_process(python_path: str | None, sizes: list[int], solves: int) -> list[dict[str, float]]:
    """The rows of ``sizes`` from a fresh process (``python_path`` first on its path)."""
    env = dict(os.environ)
    if python_path is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (python_path, env.get("PYTHONPATH")) if p)
    args = [sys.executable, __file__, "--json", "--solves", str(solves), *map(str, sizes)]
    out = subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("racks", type=int, nargs="*", default=[1, 10, 100, 1000, 3125])
    parser.add_argument("--before", help="directory holding another build's rackflow package")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--solves", type=int, default=1, help="solves per hall and process")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        rows = []
        for n in args.racks:
            for _ in range(args.solves):
                rows.append(run(n))
        print(json.dumps(rows))
        return
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the start")
    if args.before is None:
        print(table([run(n) for n in args.racks for _ in range(args.solves)]))
        return
    rows = []
    for r in range(1, args.rounds + 1):
        for build, path in (("before", args.before), ("after", None)):
            for row in _in_process(path, args.racks, args.solves):
                rows.append({"build": build, "round": r, **row})
    print(table(rows))


if __name__ == "__main__":
    main()
