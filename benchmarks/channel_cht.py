"""Channel-unit conjugate heat transfer (issue 4): rackflow against chtMultiRegionSimpleFoam.

One channel unit of a parallel-channel copper cold plate, 20 mm along the flow: across y a
0.5 mm copper half-fin, a 1 mm water channel, a 0.5 mm half-fin; vertically a 1 mm copper base
under the 2 mm channel layer; copper k = 400 W/m·K; water ρ 997, cp 4179, μ 8.55e-4, k 0.613
(constant); 5e5 W/m² into the bottom; uniform inlet 0.5 m/s at 300 K; outlet at 0 Pa (gauge);
every other face adiabatic (the y faces are symmetry planes of a periodic plate and lie in the
solid), the channel's top a no-slip wall.

Mesh: uniform cubes of 1/n mm across and up, nx cells along — the grid of
``benchmarks/openfoam/channel_cht.py`` (``grid_for_cells``: 1.5e4 → n 6, nx 69: 14,904 cells;
1.2e5 → n 10, nx 200: 120,000; 1e6 → n 20, nx 417: 1,000,800), written for rackflow by
``rackflow.meshing.channel_unit(cells_across_channel=n, n_along=nx)``; the counts are checked.

rackflow: second-order (bounded linear upwind, the default) and first-order upwind convection;
flow converged to normalised residuals U 1e-6, p 1e-6 and mass 1e-6 (OpenFOAM's run stops at
p_rgh 1e-6, U 1e-6, h 1e-7 initial residuals), then the energy equation to 1e-8. OpenFOAM:
first-order upwind (second order does not converge there; see benchmarks/README.md).

Reported side by side: whole-process wall time (GNU time; OpenFOAM's blockMesh,
splitMeshRegions and decomposePar not counted), iterations, peak RSS, maximum solid
temperature, mixed-mean outlet temperature and the static pressure drop inlet → outlet.

    python -m benchmarks.channel_cht                          # 1.5e4, 1.2e5, 1e6 cells
    python -m benchmarks.channel_cht --cells 1.5e4 --threads 1 --skip-openfoam
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
from benchmarks.openfoam import channel_cht as of_cht

KELVIN = 273.15
TARGET_SPEEDUP = 3.0
FLOW_TOL = {"velocity_tolerance": 1e-6, "pressure_tolerance": 1e-6, "mass_tolerance": 1e-6}
ENERGY_TOL = 1e-8

COLUMNS = [
    "code",
    "convection",
    "cells",
    "threads",
    "wall_s",
    "cpu_s",
    "solve_s",
    "iterations",
    "peak_rss_mb",
    "T_solid_max_K",
    "T_out_mixed_K",
    "dP_Pa",
    "load",
]


def mesh_path(n: int, nx: int) -> Path:
    """The cached channel-unit mesh on the OpenFOAM case's grid (binary msh 4.1)."""
    from rackflow.meshing import channel_unit

    path = cache_dir("meshes") / f"channel_unit_n{n}_nx{nx}.msh"
    if not path.exists():
        tmp = path.with_suffix(".tmp.msh")
        channel_unit(
            tmp,
            length_m=of_cht.L,
            half_fin_m=of_cht.FIN,
            channel_width_m=of_cht.CHANNEL,
            channel_height_m=of_cht.LAYER,
            base_thickness_m=of_cht.BASE,
            cells_across_channel=n,
            n_along=nx,
            binary=True,
        )
        tmp.replace(path)
    return path


def rackflow_solve(
    n: int, nx: int, threads: int, convection: str, mesh_file: Path | None = None
) -> dict[str, Any]:
    """Load and solve the channel unit in this process; timings and the engineering numbers."""
    import rackflow as rf

    t0 = time.perf_counter()
    mesh = rf.load_mesh(mesh_file or mesh_path(n, nx))
    t1 = time.perf_counter()
    case = rf.Case(mesh)
    case.solid("solid", material=rf.Material("copper-400", conductivity_w_mk=of_cht.K_SOLID))
    water = rf.Coolant(
        "water-const",
        density_kg_m3=of_cht.RHO,
        viscosity_pa_s=of_cht.MU,
        conductivity_w_mk=of_cht.K_FLUID,
        specific_heat_j_kgk=of_cht.CP,
    )
    case.fluid("fluid", coolant=water)
    case.inlet("inlet", velocity_m_s=of_cht.U_IN, temperature_c=of_cht.T_IN - KELVIN)
    case.outlet("outlet", pressure_pa=0.0)
    case.heat_flux("heated", flux_w_m2=of_cht.Q_BOTTOM)
    log = ProgressLog()
    out: dict[str, Any] = {
        "cells": int(mesh.n_cells),
        "threads": threads,
        "convection": convection,
        "load_s": t1 - t0,
    }
    try:
        result = case.solve(
            threads=threads, progress=log, convection=convection, tolerance=ENERGY_TOL, **FLOW_TOL
        )
    except rf.RackflowError as exc:
        out.update(error=f"{type(exc).__name__}: {exc}", iterations=len(log.flow()))
        return out
    out["solve_s"] = time.perf_counter() - t1
    rep = result.report
    flow = log.flow()
    out.update(
        iterations=int(rep["flow_iterations"]),
        energy_iterations=int(rep["outer_iterations"]),
        energy_linear_iterations=list(rep["linear_iterations"]),
        flow_time_s=float(rep["flow_time_s"]),
        energy_time_s=float(rep["solve_time_s"]),
        flow_done_s=flow[-1][0] if flow else float("nan"),
        T_solid_max_K=result.max_temperature_c("solid") + KELVIN,
        T_out_mixed_K=result.outlet_temperature_c("outlet") + KELVIN,
        dP_Pa=result.static_pressure_pa("inlet") - result.static_pressure_pa("outlet"),
        dP_total_Pa=result.pressure_drop_pa("inlet", "outlet"),
        T_fluid_min_K=result.min_temperature_c("fluid") + KELVIN,
        energy_balance=float(result.energy_balance_error),
    )
    return out


def _worker(spec: dict[str, Any]) -> None:
    emit_worker_result(
        rackflow_solve(int(spec["n"]), int(spec["nx"]), int(spec["threads"]), str(spec["convection"]))
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", default="1.5e4,1.2e5,1e6", help="comma-separated target cell counts")
    ap.add_argument("--threads", default="1,2", help="rackflow threads / OpenFOAM ranks")
    ap.add_argument(
        "--convection", default="linear_upwind,upwind", help="rackflow schemes (linear_upwind, upwind)"
    )
    ap.add_argument("--skip-openfoam", action="store_true")
    ap.add_argument("--skip-rackflow", action="store_true")
    add_output_arguments(ap)
    args = ap.parse_args(argv)
    if served_as_worker(args, _worker):
        return 0
    print_header("Channel unit CHT: rackflow vs chtMultiRegionSimpleFoam")
    rows: list[dict[str, Any]] = []
    ratios: list[dict[str, Any]] = []
    for cells in (float(s) for s in args.cells.split(",")):
        n, nx = of_cht.grid_for_cells(cells)
        if not args.skip_rackflow:
            mesh_path(n, nx)
        for th in (int(s) for s in args.threads.split(",")):
            rf_rows = []
            if not args.skip_rackflow:
                for conv in args.convection.split(","):
                    r = run_worker(
                        "benchmarks.channel_cht", {"n": n, "nx": nx, "threads": th, "convection": conv}
                    )
                    row = {
                        "code": "rackflow",
                        "convection": conv,
                        "threads": th,
                        "wall_s": r["process_wall_s"],
                        "cpu_s": r["process_cpu_s"],
                        "peak_rss_mb": r["peak_rss_mb"],
                        "load": load_average(),
                        **{k: r.get(k) for k in ("cells", "solve_s", "iterations", "T_solid_max_K")},
                        **{k: r.get(k) for k in ("T_out_mixed_K", "dP_Pa")},
                        "detail": r,
                    }
                    if r.get("cells") not in (None, nx * 6 * n * n):
                        print(f"WARNING: rackflow mesh has {r['cells']} cells, OpenFOAM's {nx * 6 * n * n}")
                    rows.append(row)
                    if "error" in r:
                        print(f"n={n} nx={nx} t={th} {conv} rackflow FAILED: {r['error']}", flush=True)
                    else:
                        rf_rows.append(row)
                        print(
                            f"{r['cells']} cells t={th} rackflow {conv}: process {r['process_wall_s']:.1f} s "
                            f"(flow {r['flow_time_s']:.1f} s, energy {r['energy_time_s']:.1f} s), "
                            f"{r['iterations']} it, {r['peak_rss_mb']:.0f} MB, Ts {r['T_solid_max_K']:.3f} K, "
                            f"Tout {r['T_out_mixed_K']:.3f} K, dP {r['dP_Pa']:.1f} Pa (load {load_average()})",
                            flush=True,
                        )
            if not args.skip_openfoam:
                o = of_cht.run(cells, nprocs=th)
                of_row = {
                    "code": "chtMultiRegionSimpleFoam",
                    "convection": "upwind",
                    "cells": o["cells"],
                    "threads": th,
                    "wall_s": o["wall_s"],
                    "cpu_s": o["cpu_s"],
                    "iterations": o["iterations"],
                    "peak_rss_mb": o["tree_rss_mb"],
                    "T_solid_max_K": o["T_solid_max_K"],
                    "T_out_mixed_K": o["T_out_mixed_K"],
                    "dP_Pa": o["dP_Pa"],
                    "load": load_average(),
                    "detail": o,
                }
                rows.append(of_row)
                print(
                    f"{o['cells']} cells np={th} OpenFOAM: {o['wall_s']:.1f} s, {o['iterations']} it, "
                    f"{o['tree_rss_mb']:.0f} MB, Ts {o['T_solid_max_K']:.3f} K, Tout {o['T_out_mixed_K']:.3f} K, "
                    f"dP {o['dP_Pa']:.1f} Pa (load {load_average()})",
                    flush=True,
                )
                for row in rf_rows:
                    speedup = of_row["wall_s"] / row["wall_s"]
                    ratios.append(
                        {
                            "cells": row["cells"],
                            "threads": th,
                            "rackflow": row["convection"],
                            "speedup": speedup,
                            "cpu_ratio": of_row["cpu_s"] / row["cpu_s"],
                            "memory_ratio": of_row["peak_rss_mb"] / row["peak_rss_mb"],
                            "dT_solid_K": row["T_solid_max_K"] - of_row["T_solid_max_K"],
                            "dT_out_K": row["T_out_mixed_K"] - of_row["T_out_mixed_K"],
                            "dP_diff_pct": 100.0 * (row["dP_Pa"] - of_row["dP_Pa"]) / of_row["dP_Pa"],
                            "target": verdict(speedup >= TARGET_SPEEDUP),
                        }
                    )
    table = markdown_table if args.markdown else plain_table
    print()
    print(table(rows, COLUMNS))
    if ratios:
        print(f"\nOpenFOAM (upwind) / rackflow, whole process (target: speedup >= {TARGET_SPEEDUP}):\n")
        print(table(ratios))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"machine": machine_info(), "rows": rows, "ratios": ratios}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
