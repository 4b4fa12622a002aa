"""Benchmark: a datacenter hall of N 64-GPU racks on one shared facility loop.

Each rack is the 8x8 template (6 400 cold plates for 100 racks) with an ε-NTU CDU whose
primary side sits between the facility supply and return headers; a plant holds the facility
supply at 32 °C. Prints solve time, iterations and peak memory. Target: < 1 s for 100 racks.

    python benchmarks/network_hall.py [racks ...]
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc

import rackflow as rf


def run(racks: int) -> dict[str, float]:
    t0 = time.perf_counter()
    net = rf.Network.hall(racks)
    t1 = time.perf_counter()
    result = net.solve()
    t2 = time.perf_counter()
    summary = result.summary()
    # Memory in a second, traced run (tracemalloc slows Python allocation several-fold).
    tracemalloc.start()
    rf.Network.hall(racks).solve()
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "racks": racks,
        "plates": summary["cold_plates"],
        "edges": len(net.edges),
        "unknowns": result.iterations["unknowns"],
        "build_s": t1 - t0,
        "solve_s": t2 - t1,
        "core_s": result.timing["core_s"],
        "newton": result.iterations["newton"],
        "coupling": result.iterations["coupling"],
        "sweeps": result.iterations["energy_sweeps"],
        "py_peak_mb": py_peak / 2**20,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worst_gpu_c": summary["worst_gpu_temperature_c"],
        "maldist": summary["maldistribution_max_over_min"],
        "energy_err": summary["energy_balance_error"],
    }


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1, 10, 100]
    rows = [run(n) for n in sizes]
    cols = list(rows[0])
    fmt = {k: ("{:.3g}" if isinstance(rows[0][k], float) else "{}") for k in cols}
    table = [[fmt[k].format(r[k]) for k in cols] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in table)) for i, c in enumerate(cols)]
    print("  ".join(c.rjust(w) for c, w in zip(cols, widths, strict=True)))
    for t in table:
        print("  ".join(v.rjust(w) for v, w in zip(t, widths, strict=True)))


if __name__ == "__main__":
    main()
