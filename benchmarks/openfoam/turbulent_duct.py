"""Issue 17's turbulent benchmark table, square duct: rackflow k-ω SST against OpenFOAM
simpleFoam kOmegaSST on the identical hexahedral mesh and the same cores (1 and 2): time to a
converged ΔP, iterations, peak memory.

Case: a straight square duct, side ``SIDE`` 10 mm, ``LENGTH`` 200 mm (20 D_h), water-like ρ 1000,
μ 1e-3, Re_Dh ``RE`` (50,000: U 5 m/s), uniform inlet with 5 % intensity and mixing length
0.07 D_h (k = 1.5 (I U)², ω = √k / (C_μ^¼ L)), outlet p = 0; uniform hexahedra n × n across and
``axial_cells(n)`` along (n = 40: 200,000 cells; n = 20: 25,000), so every wall cell sits in
the log layer (wall functions; y⁺ ≈ 30 at n = 40). Re 6,062 is not used: rackflow stalls on a
plain hexahedral duct there (benchmarks/RESULTS.md, the serpentine section).

OpenFOAM: the mesh by blockMesh and the case by ``benchmarks.openfoam.corpus_sst`` (``duct_mesh``,
``write_case`` with the ``simplec`` settings: SIMPLEC, U 0.9, k/ω 0.7, bounded linearUpwind on
``cellLimited leastSquares 1`` for U, upwind for k and ω, GAMG/DIC for p; ``kqRWallFunction``,
``omegaWallFunction`` not blended, ``nutkWallFunction``), stopping when the initial residuals
are below ``FOAM_TOL``; 2 ranks by ``decomposePar`` (``simple`` along x). rackflow: the same
mesh from ``rackflow.testing.meshes.box``, ``turbulence="k-omega-sst"``, ``convection=
"linear_upwind"``, default tolerances, ``threads`` 1 or 2, in a child process.

Time to a converged ΔP: both codes' whole-process wall time to their own convergence (mesh input
and start-up included), and for OpenFOAM also the loop time up to the iteration after which its
sampled static ΔP stays within 0.1 % of the final value (``settled``; a lower bound on what a
user would have to run, since a user cannot know when that happened). Peak memory: GNU time's
maximum RSS (the summed ranks' for OpenFOAM on 2 cores).

    python -m benchmarks.openfoam.turbulent_duct [--n 20,40] [--cores 1,2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import cache_dir, run_timed
from benchmarks.openfoam import foam
from benchmarks.openfoam.corpus_simplefoam import dp_history, pressure_drops, settled
from benchmarks.openfoam.corpus_sst import C_MU, DESIGN, duct_mesh, write_case

SIDE = 0.010
LENGTH = 0.200
RE = 50_000.0
RHO, MU = 1000.0, 1e-3
SPEED = RE * MU / (RHO * SIDE)
FLOW_LPM = SPEED * SIDE * SIDE * 60000.0
FOAM_TOL = {"p": 1e-5, "U": 1e-6, "k": 1e-5, "omega": 1e-5}


def axial_cells(n: int) -> int:
    return round(125 * n / 40)


def inlet() -> dict[str, float]:
    k = 1.5 * (0.05 * SPEED) ** 2
    return {"k_m2_s2": k, "omega_1_s": float(np.sqrt(k) / (C_MU**0.25 * 0.07 * SIDE))}


def run_foam(n: int, nprocs: int, root: Path) -> dict[str, Any]:
    cells = (axial_cells(n), n, n)
    base = root / f"duct_n{n}"
    mesh_root = base / "mesh"
    if not (mesh_root / "foam" / "constant" / "fluid" / "polyMesh" / "faces").exists():
        duct_mesh(mesh_root, (LENGTH, SIDE, SIDE), cells)
    case = base / f"simpleFoam_np{nprocs}"
    props = {"density_kg_m3": RHO, "viscosity_pa_s": MU}
    write_case(case, mesh_root, "simplec", 5000, props, inlet(), flow_lpm=FLOW_LPM, residual_tol=FOAM_TOL)
    if nprocs > 1:
        foam.write_decompose_dict(case, nprocs)
        foam.run_util(case, ["decomposePar", "-force"])
    load = os.getloadavg()[0]
    # ranks yield the core while they wait (the machine is shared: busy-polling ranks stall each
    # other when a third process holds a core)
    env = {**foam.foam_env(), "OMPI_MCA_mpi_yield_when_idle": "1"}
    timed, log = foam.run_solver(case, "simpleFoam", nprocs, env=env)
    hist = dp_history(case, DESIGN["plate"], RHO)
    iters = len(re.findall(r"^Time = \d+", log, re.M))
    row: dict[str, Any] = {
        "code": "simpleFoam",
        "n": n,
        "cells": int(np.prod(cells)),
        "cores": nprocs,
        "converged": "SIMPLE solution converged" in log,
        "iterations": iters,
        "wall_s": timed.wall_s,
        "max_rss_mb": timed.extra.get("tree_rss_mb", timed.max_rss_mb) if nprocs > 1 else timed.max_rss_mb,
        "dp_static_pa": hist[-1][1] if hist else float("nan"),
        "load_1min": [load, os.getloadavg()[0]],
    }
    row.update(settled(hist))
    where = case if nprocs == 1 else case / "processor0"
    prof = foam.profiling_totals(where, foam.time_dirs(where)[-1])
    loop = next((v for k, v in prof.items() if k.startswith("time.run()")), float("nan"))
    row["loop_s"] = loop
    if iters:
        row["dp_settled_0p1pct_loop_s"] = (
            loop * min(row.get("dp_settled_0p1pct_iteration", iters), iters) / iters
        )
    if nprocs == 1:
        row["dp_total_pa"] = pressure_drops(case, DESIGN["plate"], RHO)["dp_total_pa"]
    return row


def rackflow_child(n: int, threads: int) -> None:
    """The rackflow side, in its own process so that its peak memory is its own; prints JSON."""
    import rackflow as rf
    from rackflow.testing.fluids import ConstantFluid
    from rackflow.testing.meshes import box

    t0 = time.perf_counter()
    mesh = rf.Mesh.from_meshio(box((axial_cells(n), n, n), (LENGTH, SIDE, SIDE)))
    case = rf.Case(mesh)
    fluid = ConstantFluid(
        density_kg_m3=RHO, viscosity_pa_s=MU, specific_heat_j_kgk=4180.0, conductivity_w_mk=0.6
    )
    # the reference uses `omegaWallFunction` with `blended false`: the same wall model
    case.fluid(mesh.regions[0], fluid, turbulence="k-omega-sst", wall_treatment="switching")
    case.inlet("xmin", velocity_m_s=SPEED, temperature_c=20.0)
    case.outlet("xmax")
    for p in ("ymin", "ymax", "zmin", "zmax"):
        case.wall(p)
    t1 = time.perf_counter()
    result = case.solve(progress=False, threads=threads, convection="linear_upwind")
    t2 = time.perf_counter()
    out = {
        "setup_s": t1 - t0,
        "solve_s": t2 - t1,
        "iterations": int(result.report["flow_iterations"]),
        "dp_total_pa": result.pressure_drop_pa("xmin", "xmax"),
        "dp_static_pa": result.static_pressure_pa("xmin") - result.static_pressure_pa("xmax"),
        "y_plus": {k: list(v) for k, v in result.y_plus_by_patch.items()},
    }
    print("RESULT " + json.dumps(out), flush=True)


def run_rackflow(n: int, threads: int) -> dict[str, Any]:
    load = os.getloadavg()[0]
    cmd = [sys.executable, "-m", "benchmarks.openfoam.turbulent_duct", "--rackflow-child", f"{n},{threads}"]
    timed = run_timed(cmd, cwd=Path(__file__).resolve().parents[2], sample_tree=False)
    timed.check("rackflow child")
    line = next(x for x in timed.stdout.splitlines() if x.startswith("RESULT "))
    child = json.loads(line[len("RESULT ") :])
    return {
        "code": "rackflow",
        "n": n,
        "cells": axial_cells(n) * n * n,
        "cores": threads,
        "converged": True,
        "wall_s": timed.wall_s,
        "max_rss_mb": timed.max_rss_mb,
        "load_1min": [load, os.getloadavg()[0]],
        **child,
    }


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| cells | cores | code | iterations | wall time to converged (process) | "
        "solve / loop | ΔP settled ±0.1 % (loop) | peak memory | ΔP total | ΔP static | load |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|"
    )
    out = [head]
    for r in rows:
        solve = r.get("solve_s", r.get("loop_s", float("nan")))
        settled_s = r.get("dp_settled_0p1pct_loop_s")
        out.append(
            f"| {r['cells']:,} | {r['cores']} | {r['code']} | {r['iterations']} | {r['wall_s']:.1f} s | "
            f"{solve:.1f} s | {'–' if settled_s is None else f'{settled_s:.1f} s'} | {r['max_rss_mb']:.0f} MB | "
            f"{r.get('dp_total_pa', float('nan')):.1f} Pa | {r.get('dp_static_pa', float('nan')):.1f} Pa | "
            f"{r['load_1min'][0]:.1f}–{r['load_1min'][1]:.1f} |"
        )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", default="20,40", help="cells across the side (comma-separated)")
    ap.add_argument("--cores", default="1,2")
    ap.add_argument("--codes", default="rackflow,openfoam")
    ap.add_argument("--json", help="write the rows here")
    ap.add_argument("--rackflow-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rackflow_child:
        n, threads = (int(v) for v in args.rackflow_child.split(","))
        rackflow_child(n, threads)
        return
    root = cache_dir("openfoam", "turbulent_duct")
    rows: list[dict[str, Any]] = []
    for n in (int(v) for v in args.n.split(",")):
        for cores in (int(v) for v in args.cores.split(",")):
            for code in args.codes.split(","):
                try:
                    row = run_rackflow(n, cores) if code == "rackflow" else run_foam(n, cores, root)
                except (RuntimeError, subprocess.SubprocessError) as err:
                    row = {"code": code, "n": n, "cores": cores, "error": str(err).splitlines()[0][:300]}
                    print(json.dumps(row), flush=True)
                    continue
                rows.append(row)
                print(json.dumps(row), flush=True)
                if args.json:
                    Path(args.json).write_text(
                        json.dumps(
                            {
                                "command": " ".join(
                                    ["python -m benchmarks.openfoam.turbulent_duct", *sys.argv[1:]]
                                ),
                                "openfoam_version": foam.foam_version(),
                                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                "host": platform.node(),
                                "rows": rows,
                            },
                            indent=1,
                        )
                        + "\n"
                    )
    print(table(rows))


if __name__ == "__main__":
    main()
