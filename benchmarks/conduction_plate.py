"""Conduction-plate benchmark: rackflow against OpenFOAM laplacianFoam on the same hexahedral grid.

0.1 x 0.1 x 0.01 m copper plate (k = 400 W/m/K), 1000 W into a centred 40 x 40 mm heater patch on
the bottom, top convective (h = 1e4 W/m^2/K, 26.85 °C), other faces adiabatic; N x N x N/4 hexahedra
for each N in --sizes, plus an unstructured ~1e6-cell tetrahedral mesh (rackflow only: laplacianFoam
is run on the hex grids it can build identically with blockMesh).  Tolerance 1e-8 (each code's own
normalised residual), 1 and 2 threads / MPI ranks.

Per mesh and thread count it prints, for rackflow:
* in-process: mesh load, setup and solve time (``result.report`` and a perf_counter around
  ``case.solve``), outer and linear iterations;
* a separate process ``load_mesh + solve + save(.vtu)`` under ``/usr/bin/time -v``: wall time and
  peak RSS, the numbers comparable with the laplacianFoam process;
and for OpenFOAM the laplacianFoam process (mesh read, solve, field write; blockMesh and
decomposePar excluded) and the ratios.

    python -m benchmarks.conduction_plate                       # everything (~10 min)
    python -m benchmarks.conduction_plate --sizes 40,80 --skip-tet --markdown
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import plate_mesh
from benchmarks._common import (
    cache_dir,
    load_average,
    machine_info,
    markdown_table,
    plain_table,
    print_header,
    run_timed,
)

TOLERANCE = 1e-8
POWER_W = 1000.0
HTC = 1.0e4
AMBIENT_C = 26.85
TET_CELLS = 1_000_000

# Targets from the issue, checked for the 1.0e6-cell hex case (N = 160) at 2 threads.
TARGET_N = 160
TARGET_SOLVE_S = 5.0
TARGET_PROCESS_SPEEDUP = 3.0

# The whole-process rackflow run: same work an OpenFOAM user's process does (read the mesh
# file, solve, write the result).  Prints one JSON line; RSS after imports is reported so the
# interpreter's own share of the peak is visible.
_PROCESS_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
import rackflow as rf
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")
path, threads, tol, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
base_rss = rss_mb()
t1 = time.perf_counter()
mesh = rf.load_mesh(path)
t2 = time.perf_counter()
case = rf.Case(mesh)
case.solid("plate", material=rf.Material("copper-400", conductivity_w_mk=400.0))
case.heat_flux("heater", power_w=1000.0)
case.convective("top", htc_w_m2k=1.0e4, ambient_c=26.85)
result = case.solve(tolerance=tol, threads=threads)
t3 = time.perf_counter()
result.save(out)
t4 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "solve_call_s": t3 - t2, "save_s": t4 - t3,
                  "base_rss_mb": base_rss, "cells": int(mesh.n_cells),
                  "T_max_C": float(result.temperature_c.max()), "report": result.report}))
"""


def import_rackflow() -> Any:
    try:
        import rackflow
    except ImportError as exc:
        raise SystemExit(
            "benchmarks.conduction_plate: `import rackflow` failed "
            f"({exc}).\nBuild and install it first (`pip install -e .` / `maturin develop --release` in the "
            "repository root), or run with --skip-rackflow to time OpenFOAM alone."
        ) from exc
    return rackflow


def _linear_total(report: dict[str, Any]) -> int:
    lin = report.get("linear_iterations", [])
    return int(sum(lin)) if isinstance(lin, list) else int(lin)


def rackflow_in_process(mesh_path: Path, threads: int, tolerance: float) -> dict[str, Any]:
    """Time load, setup and solve inside this interpreter (no process start-up, no output)."""
    rf = import_rackflow()
    t0 = time.perf_counter()
    mesh = rf.load_mesh(mesh_path)
    t1 = time.perf_counter()
    case = rf.Case(mesh)
    case.solid("plate", material=rf.Material("copper-400", conductivity_w_mk=400.0))
    case.heat_flux("heater", power_w=POWER_W)
    case.convective("top", htc_w_m2k=HTC, ambient_c=AMBIENT_C)
    t2 = time.perf_counter()
    result = case.solve(tolerance=tolerance, threads=threads)
    t3 = time.perf_counter()
    rep = result.report
    out = {
        "cells": int(mesh.n_cells),
        "load_s": t1 - t0,
        "solve_call_s": t3 - t2,  # perf_counter around case.solve: includes the Python->core hand-over
        "setup_s": float(rep.get("setup_time_s", float("nan"))),
        "solve_s": float(rep.get("solve_time_s", float("nan"))),
        "outer_iterations": int(rep.get("outer_iterations", 0)),
        "linear_iterations": _linear_total(rep),
        "threads_used": rep.get("threads", threads),
        "T_max_C": float(result.temperature_c.max()),
        "T_mean_C": float(result.mean_temperature_c()),
        "Q_top_W": -float(result.heat_flow_w("top")),
        "balance_rel": float(result.energy_balance_error),
    }
    hist = rep.get("residual_history") or []
    if hist:
        out["final_residual"] = float(hist[-1])
    if "multigrid_levels" in rep:
        out["multigrid_levels"] = rep["multigrid_levels"]
    del result, case, mesh
    return out


def rackflow_process(mesh_path: Path, threads: int, tolerance: float) -> dict[str, Any]:
    """Whole process under /usr/bin/time -v: python start-up, import, read .msh, solve, write .vtu."""
    out_vtu = cache_dir("results") / f"{mesh_path.stem}_t{threads}.vtu"
    # The whole process on `threads` cores, as OpenFOAM gets `threads` ranks: mesh construction
    # runs on rayon's global pool, which would otherwise take every core of the machine.
    env = {**os.environ, "RAYON_NUM_THREADS": str(threads)}
    run = run_timed(
        [sys.executable, "-c", _PROCESS_SCRIPT, str(mesh_path), str(threads), repr(tolerance), str(out_vtu)],
        env=env,
        sample_tree=False,
    ).check("rackflow process")
    info = json.loads(run.stdout.strip().splitlines()[-1])
    return {
        "process_wall_s": run.wall_s,
        "process_rss_mb": run.max_rss_mb,
        "process_user_s": run.user_s,
        "import_s": info["import_s"],
        "process_load_s": info["load_s"],
        "process_solve_call_s": info["solve_call_s"],
        "save_s": info["save_s"],
        "base_rss_mb": info["base_rss_mb"],
        "process_T_max_C": info["T_max_C"],
    }


def openfoam_run(
    n: int, nprocs: int, tolerance: float, solver: str, mesh_format: str, repeat: int = 1
) -> dict[str, Any]:
    from benchmarks.openfoam import plate_laplacian

    return plate_laplacian.run(
        n, nprocs=nprocs, solver=solver, tolerance=tolerance, mesh_format=mesh_format, repeat=repeat
    )


def best_of(repeat: int, key: str, fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``fn`` ``repeat`` times and keep the fastest by ``key``: on a shared machine the minimum
    is the least disturbed measurement (other jobs only ever add time)."""
    runs = [fn(*args) for _ in range(max(1, repeat))]
    best = min(runs, key=lambda r: r[key])
    best[f"{key}_all"] = [r[key] for r in runs]
    return best


def _solver_available() -> bool:
    from benchmarks.openfoam import foam

    return foam.available()


COLUMNS = [
    "mesh",
    "cells",
    "threads",
    "code",
    "solve_s",
    "loop_s",
    "process_wall_s",
    "outer_it",
    "linear_it",
    "final_residual",
    "peak_rss_mb",
    "bytes_per_cell",
    "T_max_C",
    "Q_top_W",
    "load",
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="rackflow vs OpenFOAM laplacianFoam: conduction plate")
    ap.add_argument("--sizes", default="40,80,160", help="comma-separated N for N x N x N/4 hex meshes")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread / MPI rank counts")
    ap.add_argument("--tolerance", type=float, default=TOLERANCE)
    ap.add_argument("--skip-openfoam", action="store_true")
    ap.add_argument("--skip-rackflow", action="store_true", help="OpenFOAM side only")
    ap.add_argument("--skip-tet", action="store_true")
    ap.add_argument("--tet-cells", type=int, default=TET_CELLS)
    ap.add_argument(
        "--of-solver", default="PCG-GAMG", help="fvSolution variant (see openfoam/plate_laplacian.py)"
    )
    ap.add_argument("--of-mesh-format", default="binary", choices=["ascii", "binary"])
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest is reported")
    ap.add_argument("--markdown", action="store_true", help="print markdown tables")
    ap.add_argument("--json", help="write all rows to this JSON file")
    args = ap.parse_args(argv)

    sizes = [int(s) for s in args.sizes.split(",") if s]
    threads = [int(s) for s in args.threads.split(",") if s]
    rf_where = "skipped"
    if not args.skip_rackflow:
        rf = import_rackflow()
        rf_where = f"rackflow {getattr(rf, '__version__', '?')} from {Path(rf.__file__).parent}"
    run_of = not args.skip_openfoam
    if run_of and not _solver_available():
        print(
            "OpenFOAM not found (apt-get install -y openfoam time): skipping the OpenFOAM side",
            file=sys.stderr,
        )
        run_of = False

    print_header("Conduction plate: rackflow vs OpenFOAM laplacianFoam")
    print(
        f"tolerance {args.tolerance:g}; OpenFOAM solver {args.of_solver}, {args.of_mesh_format} mesh; "
        f"repeat {args.repeat} (fastest kept); timings on a shared machine are noisy: see the load column"
    )
    print(rf_where)

    meshes: list[tuple[str, Path, int | None]] = []
    for n in sizes:
        t0 = time.perf_counter()
        p = plate_mesh.write_hex_mesh(n)
        print(f"mesh hex N={n}: {p.name} ({time.perf_counter() - t0:.1f} s incl. cache check)", flush=True)
        meshes.append((f"hex{n}", p, n))
    if not args.skip_tet:
        t0 = time.perf_counter()
        p = plate_mesh.write_tet_mesh(args.tet_cells)
        print(f"mesh tet: {p.name} ({time.perf_counter() - t0:.1f} s incl. cache check)", flush=True)
        meshes.append(("tet", p, None))

    rows: list[dict[str, Any]] = []
    ratios: list[dict[str, Any]] = []
    for label, path, n in meshes:
        for th in threads:
            rf_row: dict[str, Any] | None = None
            if not args.skip_rackflow:
                try:
                    ip = best_of(args.repeat, "solve_s", rackflow_in_process, path, th, args.tolerance)
                    pr = best_of(args.repeat, "process_wall_s", rackflow_process, path, th, args.tolerance)
                except Exception as exc:  # a rackflow bug must not hide the OpenFOAM numbers
                    print(f"{label} t={th} rackflow FAILED: {type(exc).__name__}: {exc}", flush=True)
                    ip = pr = None
            else:
                ip = pr = None
            if ip is not None and pr is not None:
                rf_row = {
                    "mesh": label,
                    "cells": ip["cells"],
                    "threads": th,
                    "code": "rackflow",
                    "solve_s": ip["solve_s"],
                    "loop_s": ip["solve_call_s"],
                    "process_wall_s": pr["process_wall_s"],
                    "outer_it": ip["outer_iterations"],
                    "linear_it": ip["linear_iterations"],
                    "final_residual": ip.get("final_residual"),
                    "peak_rss_mb": pr["process_rss_mb"],
                    "bytes_per_cell": pr["process_rss_mb"] * 1024**2 / ip["cells"],
                    "T_max_C": ip["T_max_C"],
                    "Q_top_W": ip["Q_top_W"],
                    "load": load_average(),
                    "detail": {**ip, **pr},
                }
                rows.append(rf_row)
                print(
                    f"{label} t={th} rackflow: solve {ip['solve_s']:.3f} s (call {ip['solve_call_s']:.3f} s, "
                    f"load {ip['load_s']:.2f} s), process {pr['process_wall_s']:.2f} s "
                    f"{pr['process_rss_mb']:.0f} MB, {ip['linear_iterations']} lin it, "
                    f"Tmax {ip['T_max_C']:.4f} C",
                    flush=True,
                )
            if run_of and n is not None:
                of = openfoam_run(n, th, args.tolerance, args.of_solver, args.of_mesh_format, args.repeat)
                of_row = {
                    "mesh": label,
                    "cells": int(of["cells"]),
                    "threads": th,
                    "code": f"OpenFOAM {args.of_solver}",
                    "solve_s": of["linsolve_s"],
                    "loop_s": of["loop_s"],
                    "process_wall_s": of["wall_s"],
                    "outer_it": 1,
                    "linear_it": of["linear_iterations"],
                    "final_residual": of["final_residual"],
                    "peak_rss_mb": of["tree_rss_mb"],
                    "bytes_per_cell": of["bytes_per_cell"],
                    "T_max_C": of["T_max_C"],
                    "Q_top_W": of["Q_out_W"],
                    "load": load_average(),
                    "detail": of,
                }
                rows.append(of_row)
                print(
                    f"{label} np={th} OpenFOAM: linear solve {of['linsolve_s']:.3f} s, process "
                    f"{of['wall_s']:.2f} s {of['tree_rss_mb']:.0f} MB, {of['linear_iterations']} it, "
                    f"Tmax {of['T_max_C']:.4f} C, Q_out {of['Q_out_W']:.3f} W",
                    flush=True,
                )
                if rf_row is not None:
                    ratios.append(
                        {
                            "mesh": label,
                            "threads": th,
                            "solve_speedup": of_row["solve_s"] / rf_row["solve_s"],
                            "process_speedup": of_row["process_wall_s"] / rf_row["process_wall_s"],
                            "memory_ratio": of_row["peak_rss_mb"] / rf_row["peak_rss_mb"],
                            "dT_max_K": rf_row["T_max_C"] - of_row["T_max_C"],
                        }
                    )

    table = markdown_table if args.markdown else plain_table
    print()
    print(table(rows, COLUMNS))
    if ratios:
        print("\nOpenFOAM / rackflow (>1 means rackflow is faster / smaller):\n")
        print(table(ratios))
    _check_targets(rows, ratios)
    if args.json:
        Path(args.json).write_text(
            json.dumps({"machine": machine_info(), "rows": rows, "ratios": ratios}, indent=1)
        )
    return 0


def _check_targets(rows: list[dict[str, Any]], ratios: list[dict[str, Any]]) -> None:
    """Print the issue's targets for the 1e6-cell hex case; a report, never an assertion."""
    label = f"hex{TARGET_N}"
    rf2 = next(
        (r for r in rows if r["mesh"] == label and r["threads"] == 2 and r["code"] == "rackflow"), None
    )
    if rf2 is None:
        return
    print(f"\nTargets ({label}, 2 threads):")
    ok = rf2["solve_s"] < TARGET_SOLVE_S
    print(f"  rackflow solve {rf2['solve_s']:.2f} s < {TARGET_SOLVE_S} s: {'PASS' if ok else 'FAIL'}")
    r2 = next((r for r in ratios if r["mesh"] == label and r["threads"] == 2), None)
    if r2 is not None:
        ok = r2["process_speedup"] >= TARGET_PROCESS_SPEEDUP
        print(
            f"  whole process {r2['process_speedup']:.2f}x faster than laplacianFoam "
            f"(target >= {TARGET_PROCESS_SPEEDUP}x): {'PASS' if ok else 'FAIL'}"
        )
        ok = r2["memory_ratio"] > 1.0
        print(
            f"  peak memory: OpenFOAM / rackflow = {r2['memory_ratio']:.2f} (target > 1): {'PASS' if ok else 'FAIL'}"
        )


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as exc:  # surface the failing command, not a traceback
        sys.exit(f"command failed: {exc.cmd}\n{exc.stderr}")
