"""Sweep throughput: a 24-point sweep on 2 local workers and on a 2-worker Dask LocalCluster.

Default case: the bundled cold plate of ``rackflow demo`` (conjugate flow + heat: die, TIM,
lid, copper base, PG25 in 20 microchannels), swept over flow rate × inlet temperature
(4 × 6 points). ``--refine`` meshes the same plate coarser with the generator
(``rackflow.meshing.microchannel_coldplate``); ``--refine 1`` is the bundled 89,506-cell mesh.
``--case conduction`` keeps the earlier conduction benchmark (a die on a copper block).

Prints a markdown table: points per hour, the solve time per point, the overhead beyond the
solves themselves, and the iterations warm starts save. Overheads are measured two ways:

* in the worker: per-point wall time (rebuild the case from its JSON description, solve,
  summarise, hand back the fields) against the core's own solve time (flow + energy);
* end to end: worker-seconds the sweep occupied (wall time × workers) against the core's solve
  time summed over the points. This includes worker start-up, shipping the mesh and the
  warm-start fields, idle slots, scheduling and writing every point (row and fields) to the store.

Warm starts: each point starts from the full fields (temperature, velocity, pressure, mass
fluxes) of the nearest finished point; cold starts from rest at a uniform temperature. A
separate in-process check measures whether scaling the flow by the flow-rate ratio helps.

Run: ``nice python benchmarks/sweep_bench.py`` (``--small`` for a quick check, ``--no-dask``
to skip the cluster).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import rackflow as rf
from rackflow.sweep import Sweep

# cold plate grid: flow rate (L/min) x inlet temperature (°C)
FLOWS_LPM = [1.0, 1.5, 2.0, 2.5]
INLETS_C = [25.0, 30.0, 35.0, 40.0, 45.0, 50.0]
# conduction grid
POWERS = [100.0, 150.0, 200.0, 250.0, 300.0, 350.0]
HTCS = [4e3, 8e3, 12e3, 20e3]


def coldplate_case(refine: float, cache: Path) -> rf.Case:
    """The demo's conjugate cold plate, on the bundled mesh (refine 1) or a coarser one."""
    from rackflow import demo

    if refine == 1.0:
        path = demo.find_mesh(cache)
    else:
        from rackflow.meshing import microchannel_coldplate

        cache.mkdir(parents=True, exist_ok=True)
        path = microchannel_coldplate(cache / f"coldplate_refine{refine}.msh", refine=refine, binary=True)
    return demo.build_case(rf.load_mesh(path))


def conduction_case(n: int) -> rf.Case:
    """A die on a copper base; silicon's conductivity falls with temperature (outer iterations)."""
    from rackflow.testing.meshes import box

    regions = {"die": lambda c: c[:, 2] < 0.002, "base": lambda c: c[:, 2] >= 0.002}
    mesh = rf.Mesh.from_meshio(box((n, n, 16), (0.04, 0.04, 0.008), regions=regions))
    case = rf.Case(mesh)
    case.solid("die", "silicon", power_w=200.0)
    case.solid("base", "copper")
    case.contact("die", "base", resistance_m2k_w=1e-5)
    case.convective("zmax", htc_w_m2k=8e3, ambient_c=35.0)
    return case


def measure(
    label: str, case: rf.Case, axes: dict[str, list[float]], n_workers: int, **run: Any
) -> dict[str, Any]:
    store = Path(tempfile.mkdtemp()) / "bench.parquet"
    sweep = Sweep(case, **axes)
    start = time.perf_counter()
    table = sweep.run(store=store, progress=False, **run)
    wall = time.perf_counter() - start
    shutil.rmtree(store.parent)
    assert (table["status"] == "ok").all(), table["error"].dropna().tolist()
    core = table["solve_time_s"].sum()
    return {
        "run": label,
        "points": len(table),
        "wall_s": wall,
        "points_per_hour": len(table) / wall * 3600,
        "solve_per_point_s": core / len(table),
        "in_worker_overhead": (table["wall_time_s"].sum() - core) / core,
        "end_to_end_overhead": (wall * n_workers - core) / core,
        "flow_iterations": int(table["flow_iterations"].sum()) if "flow_iterations" in table else 0,
        "outer_iterations": int(table["outer_iterations"].sum()),
        "linear_iterations": int(table["linear_iterations"].sum()),
        "warm_started": int(table["warm_start_from"].notna().sum()),
        "table": table,
    }


def flow_scaling_check(case: rf.Case) -> list[tuple[str, int, int, float]]:
    """Start 2.0 L/min from the 1.5 L/min fields, with and without scaling the flow."""
    from rackflow.sweep.axes import apply_axis

    def at(flow: float) -> rf.Case:
        apply_axis(case, "flow_lpm", flow)
        apply_axis(case, "inlet_temperature_c", 35.0)
        return case

    neighbour = at(1.5).solve(threads=1, progress=False)
    rows = []
    for label, kwargs in (
        ("cold", {}),
        ("warm, flow scaled by 2.0/1.5", {"initial": neighbour}),
        ("warm, flow not scaled", {"initial": neighbour, "scale_initial_flow": False}),
    ):
        r = at(2.0).solve(threads=1, progress=False, **kwargs)
        rows.append(
            (
                label,
                r.report["flow_iterations"],
                r.report["outer_iterations"],
                r.report["solve_time_s"] + r.report["flow_time_s"],
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=["coldplate", "conduction"], default="coldplate")
    parser.add_argument(
        "--refine", type=float, default=0.7, help="cold-plate mesh refinement (1 = bundled mesh; default 0.7)"
    )
    parser.add_argument("--cells", type=int, default=56, help="conduction: cells along x and y (default 56)")
    parser.add_argument("--small", action="store_true", help="quick check on a small mesh")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster run")
    args = parser.parse_args()
    load_before = os.getloadavg()
    cache = Path(tempfile.mkdtemp())
    if args.case == "coldplate":
        case = coldplate_case(0.4 if args.small else args.refine, cache)
        axes = {"flow_lpm": FLOWS_LPM, "inlet_temperature_c": INLETS_C}
    else:
        case = conduction_case(16 if args.small else args.cells)
        axes = {"power_w.die": POWERS, "htc_w_m2k.zmax": HTCS}
    n_points = int(np.prod([len(v) for v in axes.values()]))
    print(
        f"case: {args.case}; mesh: {case.mesh.n_cells:,} cells; {n_points} points; {os.cpu_count()} cores; "
        f"load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}"
    )
    rows = [
        measure("local, 2 workers, cold starts", case, axes, 2, workers=2, warm_start=False),
        measure("local, 2 workers, warm starts", case, axes, 2, workers=2, warm_start=True),
    ]
    if not args.no_dask:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, host="127.0.0.1"
            ) as cluster,
            Client(cluster) as client,
        ):
            rows.append(measure("Dask LocalCluster, 2 workers, warm starts", case, axes, 2, client=client))
    cold, warm = rows[0], rows[1]
    key = "max_temperature_c"
    difference = float(np.max(np.abs(warm["table"][key].to_numpy() - cold["table"][key].to_numpy())))
    print()
    print(
        "| run | points | wall s | points/hour | solve s/point | in-worker overhead | end-to-end overhead "
        "| flow it. | energy outer it. | linear it. | warm-started |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['run']} | {r['points']} | {r['wall_s']:.1f} | {r['points_per_hour']:,.0f} | "
            f"{r['solve_per_point_s']:.2f} | {r['in_worker_overhead']:.1%} | {r['end_to_end_overhead']:.1%} | "
            f"{r['flow_iterations']} | {r['outer_iterations']} | {r['linear_iterations']} | {r['warm_started']} |"
        )
    load_after = os.getloadavg()
    print(
        f"\nload average before / after: {load_before[0]:.2f} / {load_after[0]:.2f} "
        f"(5 min {load_after[1]:.2f}, 15 min {load_after[2]:.2f})"
    )
    print()
    for what in ("flow_iterations", "outer_iterations", "linear_iterations"):
        if cold[what]:
            print(f"warm starts saved {1 - warm[what] / cold[what]:.1%} of {what.replace('_', ' ')}")
    print(f"largest |T_max(warm) - T_max(cold)| over the points: {difference:.2e} K")
    if args.case == "coldplate":
        print("\nflow-rate change 1.5 -> 2.0 L/min at 35 °C, one thread, in process:")
        print("| start | flow it. | energy outer it. | solve s |")
        print("|---|---:|---:|---:|")
        for label, flow_it, outer_it, seconds in flow_scaling_check(case):
            print(f"| {label} | {flow_it} | {outer_it} | {seconds:.2f} |")
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
