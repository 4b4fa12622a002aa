"""Sweep throughput: a 24-point sweep on 2 local workers and on a 2-worker Dask LocalCluster.

Prints a markdown table: points per hour, the overhead beyond the solves themselves, and the
iterations warm starts save. Overheads are measured two ways:

* in the worker: per-point wall time (rebuild the case from its JSON description, solve,
  summarise) against the core's own setup + solve time;
* end to end: worker-seconds the sweep occupied (wall time × workers) against the core's solve
  time summed over the points. This includes worker start-up, shipping the mesh, idle slots,
  scheduling and writing every point to the Parquet store;
* against direct solves: the sweep's wall time against the same 24 solves run directly
  (``case.solve`` in a loop, one thread each) divided over the 2 workers. On a machine shared
  with other jobs this mostly measures their load (the load average is printed).

Run: ``python benchmarks/sweep_bench.py`` (about 2 minutes on 2 cores; ``--small`` for a quick
check). Set ``--cells`` to change the mesh (default 56 × 56 × 16 hexahedra).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import rackflow as rf
from rackflow.sweep import Sweep
from rackflow.testing.meshes import box

POWERS = [100.0, 150.0, 200.0, 250.0, 300.0, 350.0]
HTCS = [4e3, 8e3, 12e3, 20e3]


def base_case(n: int) -> rf.Case:
    """A die on a copper base; silicon's conductivity falls with temperature (outer iterations)."""
    regions = {"die": lambda c: c[:, 2] < 0.002, "base": lambda c: c[:, 2] >= 0.002}
    mesh = rf.Mesh.from_meshio(box((n, n, 16), (0.04, 0.04, 0.008), regions=regions))
    case = rf.Case(mesh)
    case.solid("die", "silicon", power_w=200.0)
    case.solid("base", "copper")
    case.contact("die", "base", resistance_m2k_w=1e-5)
    case.convective("zmax", htc_w_m2k=8e3, ambient_c=35.0)
    return case


def axes() -> dict[str, list[float]]:
    return {"power_w.die": POWERS, "htc_w_m2k.zmax": HTCS}


def direct(case: rf.Case) -> float:
    """The 24 solves run directly, one thread each: the work a sweep cannot avoid (seconds)."""
    total = 0.0
    for p in POWERS:
        for h in HTCS:
            case.solid("die", "silicon", power_w=p)
            case.convective("zmax", htc_w_m2k=h, ambient_c=35.0)
            t = time.perf_counter()
            case.solve(threads=1)
            total += time.perf_counter() - t
    return total


def measure(label: str, case: rf.Case, ideal_s: float, n_workers: int, **run: object) -> dict[str, object]:
    store = Path(tempfile.mkdtemp()) / "bench.parquet"
    sweep = Sweep(case, **axes())
    start = time.perf_counter()
    table = sweep.run(store=store, progress=False, **run)  # type: ignore[arg-type]
    wall = time.perf_counter() - start
    shutil.rmtree(store.parent)
    assert (table["status"] == "ok").all(), table["error"].dropna().tolist()
    core = table["solve_time_s"].sum()
    in_worker = (table["wall_time_s"].sum() - core) / core
    end_to_end = (wall * n_workers - core) / core
    return {
        "run": label,
        "points": len(table),
        "wall_s": wall,
        "points_per_hour": len(table) / wall * 3600,
        "in_worker_overhead": in_worker,
        "core_s": core,
        "end_to_end_overhead": end_to_end,
        "vs_direct": wall / (ideal_s / n_workers) - 1.0,
        "outer_iterations": int(table["outer_iterations"].sum()),
        "linear_iterations": int(table["linear_iterations"].sum()),
        "table": table,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=56, help="cells along x and y (default 56)")
    parser.add_argument("--small", action="store_true", help="quick check on a small mesh")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster run")
    args = parser.parse_args()
    n = 16 if args.small else args.cells
    load_before = f"{os.getloadavg()[0]:.2f}"
    case = base_case(n)
    print(f"mesh: {case.mesh.n_cells:,} cells; {len(POWERS) * len(HTCS)} points; {os.cpu_count()} cores")
    ideal = direct(case)
    case = base_case(n)
    print(f"direct solves, one thread each: {ideal:.2f} s in total ({ideal / 24:.3f} s per point)")
    rows = [
        measure("local, 2 workers, cold starts", case, ideal, 2, workers=2, warm_start=False),
        measure("local, 2 workers, warm starts", case, ideal, 2, workers=2, warm_start=True),
    ]
    if not args.no_dask:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, host="127.0.0.1"
            ) as cluster,
            Client(cluster) as client,
        ):
            rows.append(measure("Dask LocalCluster, 2 workers, warm", case, ideal, 2, client=client))
    cold, warm = rows[0], rows[1]
    saved_outer = 1 - warm["outer_iterations"] / cold["outer_iterations"]  # type: ignore[operator]
    saved_linear = 1 - warm["linear_iterations"] / cold["linear_iterations"]  # type: ignore[operator]
    np.testing.assert_allclose(
        warm["table"]["max_temperature_c"],  # type: ignore[index]
        cold["table"]["max_temperature_c"],  # type: ignore[index]
        rtol=1e-6,
    )
    print()
    print(
        "| run | points | wall s | points/hour | Σ solve s | in-worker overhead | end-to-end overhead "
        "| vs direct solves | outer it. | linear it. |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['run']} | {r['points']} | {r['wall_s']:.2f} | {r['points_per_hour']:,.0f} | {r['core_s']:.2f} | "
            f"{r['in_worker_overhead']:.1%} | {r['end_to_end_overhead']:.1%} | {r['vs_direct']:+.1%} | "
            f"{r['outer_iterations']} | {r['linear_iterations']} |"
        )
    print(f"\nload average before / after: {load_before} / {os.getloadavg()[0]:.2f}")
    print()
    print(
        f"warm starts (uniform start at the nearest finished point's mean temperature) saved "
        f"{saved_outer:.1%} of outer and {saved_linear:.1%} of linear iterations"
    )


if __name__ == "__main__":
    main()
