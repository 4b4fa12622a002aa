"""Scaling of the bundled microchannel cold plate (issue 4): time and memory to a converged answer.

The demo case (``rackflow.demo.build_case``: 700 W die, TIM, copper lid and base, 20 channels,
PG25 at 35 °C and 1.5 L/min, properties following the temperature) on
``rackflow.meshing.microchannel_coldplate`` meshes refined to about 2e5, 1e6 and 3e6 cells
(``refinement_for_cells``), with 1 and 2 threads, each in its own process under GNU time.

"Converged" means R_th (die junction → inlet) and ΔP changing by less than 0.1 %. The core
reports R_th and ΔP only at the end of a solve (flow to its residual criterion, then energy,
repeated while the coolant properties follow the temperature), so the change is measured
across solves instead of across iterations: each mesh is solved at the default criterion and
at looser ones (``--tolerances``: a level sets the flow's velocity, pressure and mass
tolerances to it and the energy tolerance to 1e-2 of it), and the table gives each run's
deviation from the tightest run of that mesh. The time to a converged answer is that of the
loosest run within 0.1 % of the tightest.

The progress callback's timestamps split each run into flow and energy time.

    python -m benchmarks.coldplate_scaling                              # 2e5, 1e6, 3e6; 1 and 2 threads
    python -m benchmarks.coldplate_scaling --cells 2e5 --threads 2 --tolerances default,1e-4
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._common import (
    ProgressLog,
    add_output_arguments,
    cache_dir,
    emit_worker_result,
    load_average,
    machine_info,
    markdown_table,
    plain_table,
    print_header,
    run_worker,
    served_as_worker,
    verdict,
)

CONVERGED = 1e-3  # relative change of R_th and ΔP that counts as converged
TARGET_CELLS = 1e6
TARGET_S = 120.0
TARGET_MB = 2048.0

COLUMNS = [
    "cells",
    "threads",
    "tolerance",
    "wall_s",
    "cpu_s",
    "solve_s",
    "flow_s",
    "energy_s",
    "flow_it",
    "passes",
    "peak_rss_mb",
    "rth_k_w",
    "dp_pa",
    "d_rth_pct",
    "d_dp_pct",
    "load",
]


def mesh_path(cells: float) -> tuple[Path, float]:
    """The cached cold-plate mesh refined to at least ``cells`` cells, and its refine factor."""
    from rackflow.meshing import microchannel_coldplate, refinement_for_cells

    refine = refinement_for_cells("coldplate", int(cells))
    path = cache_dir("meshes") / f"coldplate_refine{refine:.4f}.msh"
    if not path.exists():
        tmp = path.with_suffix(".tmp.msh")
        microchannel_coldplate(tmp, refine=refine, binary=True)
        tmp.replace(path)
    return path, refine


def settings_for(tolerance: str) -> dict[str, float]:
    """Solver settings of a ladder level: ``default`` or a number (flow tolerances; energy 1e-2 of it)."""
    if tolerance == "default":
        return {}
    t = float(tolerance)
    return {
        "velocity_tolerance": t,
        "pressure_tolerance": t,
        "mass_tolerance": t,
        "tolerance": 1e-2 * t,
    }


def rackflow_solve(mesh_file: Path, threads: int, tolerance: str = "default") -> dict[str, Any]:
    """Load and solve the demo case on ``mesh_file`` in this process."""
    import rackflow as rf
    from rackflow import demo

    t0 = time.perf_counter()
    mesh = rf.load_mesh(mesh_file)
    t1 = time.perf_counter()
    case = demo.build_case(mesh)
    log = ProgressLog()
    out: dict[str, Any] = {
        "cells": int(mesh.n_cells),
        "threads": threads,
        "tolerance": tolerance,
        "load_s": t1 - t0,
    }
    try:
        result = case.solve(threads=threads, progress=log, **settings_for(tolerance))
    except rf.RackflowError as exc:
        out.update(error=f"{type(exc).__name__}: {exc}", flow_it=len(log.flow()))
        return out
    out["solve_s"] = time.perf_counter() - t1
    rep = result.report
    summary = result.summary().to_dict()
    out.update(
        flow_it=int(rep["flow_iterations"]),
        energy_it=int(rep["outer_iterations"]),
        energy_linear_iterations=list(rep["linear_iterations"]),
        passes=int(rep["coupling_passes"]),
        flow_s=float(rep["flow_time_s"]),
        energy_s=float(out["solve_s"]) - float(rep["flow_time_s"]),
        rth_k_w=float(summary["thermal_resistance_k_w.die"]),
        dp_pa=float(summary["pressure_drop_pa"]),
        t_max_c=float(summary["max_temperature_c.die"]),
        t_out_c=float(summary["outlet_temperature_c"]),
        balance=float(result.energy_balance_error),
    )
    return out


def _worker(spec: dict[str, Any]) -> None:
    emit_worker_result(rackflow_solve(Path(spec["mesh"]), int(spec["threads"]), str(spec["tolerance"])))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", default="2e5,1e6,3e6", help="comma-separated target cell counts")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument(
        "--tolerances",
        default="default,1e-4",
        help="ladder of flow tolerances, tightest first ('default' = the solver's own criterion)",
    )
    add_output_arguments(ap)
    args = ap.parse_args(argv)
    if served_as_worker(args, _worker):
        return 0
    print_header("Bundled microchannel cold plate (demo case): scaling to a converged R_th and dP")
    rows: list[dict[str, Any]] = []
    best: list[dict[str, Any]] = []
    for cells in (float(s) for s in args.cells.split(",")):
        path, refine = mesh_path(cells)
        for th in (int(s) for s in args.threads.split(",")):
            ladder: list[dict[str, Any]] = []
            for tol in args.tolerances.split(","):
                r = run_worker(
                    "benchmarks.coldplate_scaling", {"mesh": str(path), "threads": th, "tolerance": tol}
                )
                row = {
                    "refine": refine,
                    "threads": th,
                    "tolerance": tol,
                    "wall_s": r["process_wall_s"],
                    "cpu_s": r["process_cpu_s"],
                    "peak_rss_mb": r["peak_rss_mb"],
                    "load": load_average(),
                    **{k: r.get(k) for k in ("cells", "solve_s", "flow_s", "energy_s", "flow_it", "passes")},
                    **{k: r.get(k) for k in ("rth_k_w", "dp_pa", "t_max_c", "balance")},
                    "detail": r,
                }
                rows.append(row)
                if "error" in r:
                    print(f"cells~{cells:.0e} t={th} tol={tol}: FAILED {r['error']}", flush=True)
                    continue
                ladder.append(row)
                print(
                    f"{r['cells']} cells t={th} tol={tol}: process {r['process_wall_s']:.1f} s (flow "
                    f"{r['flow_s']:.1f} s, {r['flow_it']} it, {r['passes']} passes), {r['peak_rss_mb']:.0f} MB, "
                    f"R_th {r['rth_k_w']:.5f} K/W, dP {r['dp_pa']:.2f} Pa (load {load_average()})",
                    flush=True,
                )
            if not ladder:
                continue
            ref = ladder[0]
            for row in ladder:
                row["d_rth_pct"] = 100.0 * (row["rth_k_w"] - ref["rth_k_w"]) / ref["rth_k_w"]
                row["d_dp_pct"] = 100.0 * (row["dp_pa"] - ref["dp_pa"]) / ref["dp_pa"]
            ok = [
                r
                for r in ladder
                if abs(r["d_rth_pct"]) < 100 * CONVERGED and abs(r["d_dp_pct"]) < 100 * CONVERGED
            ]
            fastest = min(ok, key=lambda r: r["wall_s"])
            best.append(
                {
                    "cells": fastest["cells"],
                    "threads": th,
                    "tolerance": fastest["tolerance"],
                    "wall_s": fastest["wall_s"],
                    "cpu_s": fastest["cpu_s"],
                    "flow_it": fastest["flow_it"],
                    "peak_rss_mb": max(r["peak_rss_mb"] for r in ladder),
                    "rth_k_w": fastest["rth_k_w"],
                    "dp_pa": fastest["dp_pa"],
                }
            )
    table = markdown_table if args.markdown else plain_table
    print()
    print(table(rows, COLUMNS))
    if best:
        print(f"\nTime to an answer within {100 * CONVERGED:g} % of the tightest run:\n")
        print(table(best))
        for b in best:
            if abs(b["cells"] - TARGET_CELLS) / TARGET_CELLS < 0.2:
                print(
                    f"target ({b['cells']} cells, {b['threads']} threads): {b['wall_s']:.1f} s < {TARGET_S:g} s "
                    f"and {b['peak_rss_mb']:.0f} MB < {TARGET_MB:g} MB: "
                    f"{verdict(b['wall_s'] < TARGET_S and b['peak_rss_mb'] < TARGET_MB)}"
                )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"machine": machine_info(), "rows": rows, "best": best}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
