"""How the developed pipe's f and Nu move with where the first cell sits near the wall (issue 17).

The developed pipe of ``tests/validation/test_turbulence_pipe.py`` (a 5° sector, D 20 mm, 80 D
long, 80 axial cells, water-like constant properties, uniform inlet with 5 % intensity and
0.07 D, wall at 30 °C, inlet 20 °C), meshed with the first cell's centre at a chosen y⁺: the
radial nodes grow geometrically by ``--growth`` (1.1) from a first cell of height
``2 y⁺ ν/u_τ`` (u_τ from Petukhov's f) up to 0.05 R, or to the first cell itself where that
is larger (``rackflow.testing.meshes.graded_nodes``). Each mesh is solved at Pr 0.7 and then
at each further Prandtl number warm-started from the first (k and ω too), k-ω SST with the
default wall treatment (or ``--treatment``) and Kader's thermal law (or
``--thermal-wall-function``).

Printed per run: the wall's y⁺ (min/mean/max), the radial cell count, the developed Darcy f
(pressure gradient over 0.6–0.95 L) against Petukhov, Nu from the bulk temperature's decay
over 0.5–0.95 L against Gnielinski (Petukhov's f), the iterations and the solve's CPU seconds
(``time.process_time``); then a table, one row per first-cell y⁺. One thread.

    python -m benchmarks.wall_cell_sensitivity [--re 1e4,5e4] [--pr 0.7,7]
        [--y-plus 0.05,0.2,0.5,1,2,3,5,10,30,60] [--growth 1.1] [--treatment blended]
        [--thermal-wall-function kader] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from typing import Any

import numpy as np
from rackflow.testing.analytic import gnielinski_nusselt, petukhov_friction_factor

from benchmarks._common import load_average

D, RHO, MU, CP = 0.02, 1000.0, 1e-3, 4000.0
LENGTH = 80 * D
T_IN, T_WALL = 20.0, 30.0
INNER_FRACTION = 0.01  # the pipe sector's axis cylinder (rackflow.testing.meshes.pipe_sector)
CORE_CELL = 0.05  # of the radius: the largest radial cell unless the first cell is larger


def radial_nodes(y_plus: float, reynolds: float, growth: float) -> np.ndarray:
    """Wall distances of the radial nodes: first cell centre at ``y_plus``."""
    from rackflow.testing.meshes import graded_nodes

    half = D / 2
    u_tau = reynolds * MU / (RHO * D) * np.sqrt(petukhov_friction_factor(reynolds) / 8)
    first = 2 * y_plus * MU / RHO / u_tau
    extent = half * (1 - INNER_FRACTION)
    return graded_nodes(0.0, extent, first, None, growth, max(CORE_CELL * half, first))


def run(
    y_plus: float, reynolds: float, prandtls: list[float], growth: float, treatment: str, law: str
) -> list[dict[str, Any]]:
    import rackflow as rf
    from rackflow.testing.fluids import ConstantFluid
    from rackflow.testing.meshes import pipe_sector

    nodes = radial_nodes(y_plus, reynolds, growth)
    mesh = rf.Mesh.from_meshio(
        pipe_sector(80, len(nodes) - 1, LENGTH, D / 2, inner_fraction=INNER_FRACTION, wall_distances_m=nodes)
    )
    speed = reynolds * MU / (RHO * D)
    x = mesh.cell_centers[:, 0]
    stations, column = np.unique(np.round(x / LENGTH, 9), return_inverse=True)
    rows = []
    previous = None
    for prandtl in prandtls:
        fluid = ConstantFluid(
            density_kg_m3=RHO, viscosity_pa_s=MU, specific_heat_j_kgk=CP, conductivity_w_mk=CP * MU / prandtl
        )
        case = rf.Case(mesh)
        case.fluid(
            "coolant", fluid, turbulence="k-omega-sst", wall_treatment=treatment, thermal_wall_function=law
        )
        case.inlet(
            "inlet",
            velocity_m_s=speed,
            temperature_c=T_IN,
            turbulence_intensity=0.05,
            length_scale_m=0.07 * D,
        )
        case.outlet("outlet")
        case.fixed_temperature("wall", T_WALL)
        for patch in ("axis", "side0", "side1"):
            case.symmetry(patch)
        start = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = case.solve(
                initial=previous, velocity_tolerance=1e-6, pressure_tolerance=1e-5, velocity_relaxation=0.7
            )
        cpu = time.process_time() - start
        previous = result
        sel = (x > 0.6 * LENGTH) & (x < 0.95 * LENGTH)
        f = -np.polyfit(x[sel], result.pressure_pa[sel], 1)[0] * D / (0.5 * RHO * speed**2)
        weight = result.velocity_m_s[:, 0] * mesh.cell_volumes
        bulk = np.bincount(column, weight * result.temperature_c) / np.bincount(column, weight)
        s = (stations > 0.5) & (stations < 0.95)
        nu = -np.polyfit(stations[s] * LENGTH, np.log(T_WALL - bulk[s]), 1)[0] * D / 4 * reynolds * prandtl
        lo, mean, hi = result.y_plus_by_patch["wall"]
        row = {
            "first_cell_y_plus": y_plus,
            "reynolds": reynolds,
            "prandtl": prandtl,
            "growth": growth,
            "treatment": treatment,
            "thermal_wall_function": law,
            "radial_cells": len(nodes) - 1,
            "f_vs_petukhov_pct": 100 * (f / petukhov_friction_factor(reynolds) - 1),
            "nu_vs_gnielinski_pct": 100 * (nu / gnielinski_nusselt(reynolds, prandtl) - 1),
            "wall_y_plus": [lo, mean, hi],
            "iterations": result.report["flow_iterations"],
            "cpu_s": cpu,
        }
        print(
            f"Re {reynolds:g} y+ {y_plus:g} Pr {prandtl:g}: f {row['f_vs_petukhov_pct']:+.2f} % Petukhov, "
            f"Nu {row['nu_vs_gnielinski_pct']:+.2f} % Gnielinski; wall y+ {lo:.3g}/{mean:.3g}/{hi:.3g}; "
            f"{row['radial_cells']} radial cells, {row['iterations']} iterations, {cpu:.1f} s CPU",
            flush=True,
        )
        rows.append(row)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--re", default="1e4,5e4")
    ap.add_argument("--pr", default="0.7,7")
    ap.add_argument("--y-plus", default="0.05,0.2,0.5,1,2,3,5,10,30,60")
    ap.add_argument("--growth", type=float, default=1.1)
    ap.add_argument("--treatment", default="blended")
    ap.add_argument("--thermal-wall-function", default="kader")
    ap.add_argument("--json", help="append the rows (one JSON object a line) to this file")
    args = ap.parse_args()
    prandtls = [float(p) for p in args.pr.split(",")]
    print(
        f"# pipe f / Nu vs first-cell y+, k-ω SST ({args.treatment}, {args.thermal_wall_function}), "
        f"growth {args.growth:g}; load {load_average()}",
        flush=True,
    )
    rows: list[dict[str, Any]] = []
    for reynolds in (float(r) for r in args.re.split(",")):
        table = []
        for y_plus in (float(y) for y in args.y_plus.split(",")):
            out = run(y_plus, reynolds, prandtls, args.growth, args.treatment, args.thermal_wall_function)
            rows.extend(out)
            table.append(out)
        head = " | ".join(f"Nu Pr {p:g}" for p in prandtls)
        print(
            f"\nRe {reynolds:g}\n| first cell y+ (wall y+ mean) | radial cells | f | {head} | CPU s (Pr {prandtls[0]:g}) |"
        )
        print("|---|---|---|" + "---|" * len(prandtls) + "---|")
        for out in table:
            r0 = out[0]
            nus = " | ".join(f"{r['nu_vs_gnielinski_pct']:+.2f} %" for r in out)
            print(
                f"| {r0['first_cell_y_plus']:g} ({r0['wall_y_plus'][1]:.3g}) | {r0['radial_cells']} | "
                f"{r0['f_vs_petukhov_pct']:+.2f} % | {nus} | {r0['cpu_s']:.1f} |"
            )
        print(flush=True)
    if args.json:
        with open(args.json, "a") as out_file:
            for row in rows:
                out_file.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
