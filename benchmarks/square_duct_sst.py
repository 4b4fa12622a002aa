"""The square duct against the round pipe with k-ω SST on the same wall-normal grid (issue 17).

The developed pipe of ``tests/validation/test_turbulence_pipe.py`` (a 5° sector, D 20 mm,
80 D long) and the developed square duct (a quarter with symmetry on the two centre planes,
side D_h = D, 60 D_h long), water-like constant properties, a uniform inlet (5 % intensity,
0.07 D), wall at 30 °C, inlet 20 °C. Both are meshed with the same wall-normal nodes: the pipe's
radius R equals the duct's half side, so ``uniform:N`` (N cells from the wall to the axis /
centre plane) or ``graded:Y+:RATIO:N`` (a first cell of height ``2 y⁺ ν/u_τ`` with u_τ from
Petukhov's f, growing by RATIO up to the uniform N's cell, ``rackflow.testing.meshes.
graded_nodes``) gives the same first cells in both, and the ratio duct/pipe isolates the
geometry from the mesh and the wall treatment.

Printed per run: the developed Darcy f (pressure gradient over 0.6–0.95 L) against Petukhov at
Re_Dh and at Jones's (1976) laminar-equivalent Reynolds number ``1.125 Re_Dh`` (a square duct),
Nu from the bulk temperature's decay over 0.5–0.95 L against Gnielinski (Petukhov's f, D_h),
the wall y⁺ (min/mean/max), iterations and the solve's CPU seconds; then per grid the duct's f
and Nu relative to the pipe's. One thread; ``--thermal-wall-functions`` as ``case.fluid``.

    python -m benchmarks.square_duct_sst [--re 5e4] [--pr 0.7] [--geometries pipe,duct]
        [--grids uniform:6,uniform:12,graded:0.1:1.25:12] [--thermal-wall-functions kader]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from typing import TYPE_CHECKING

import numpy as np
from rackflow.testing.analytic import gnielinski_nusselt, petukhov_friction_factor

from benchmarks._common import load_average

if TYPE_CHECKING:
    import meshio

D, RHO, MU, CP = 0.02, 1000.0, 1e-3, 4000.0
T_IN, T_WALL = 20.0, 30.0
PIPE_LENGTH, DUCT_LENGTH = 80 * D, 60 * D
INNER_FRACTION = 0.01  # the pipe sector's axis cylinder (rackflow.testing.meshes.pipe_sector)
JONES_SQUARE = 2 / 3 + 11 / 24  # Re*/Re_Dh of a square duct, Jones (1976): 1.125


def wall_nodes(grid: str, extent: float, reynolds: float) -> np.ndarray:
    """Wall-normal nodes over [0, extent] for ``uniform:N`` or ``graded:Y+:RATIO:N``."""
    from rackflow.testing.meshes import graded_nodes

    kind, *args = grid.split(":")
    half = D / 2
    if kind == "uniform":
        return np.linspace(0.0, extent, int(args[0]) + 1)
    y_plus, ratio, n = float(args[0]), float(args[1]), int(args[2])
    u_tau = reynolds * MU / (RHO * D) * np.sqrt(petukhov_friction_factor(reynolds) / 8)
    return graded_nodes(0.0, extent, 2 * y_plus * MU / RHO / u_tau, None, ratio, half / n)


def mesh(geometry: str, grid: str, reynolds: float) -> meshio.Mesh:
    from rackflow.testing.meshes import box, pipe_sector, stretch

    half = D / 2
    if geometry == "pipe":
        nodes = wall_nodes(grid, half * (1 - INNER_FRACTION), reynolds)
        return pipe_sector(
            80, len(nodes) - 1, PIPE_LENGTH, half, inner_fraction=INNER_FRACTION, wall_distances_m=nodes
        )
    nodes = wall_nodes(grid, half, reynolds)
    n = len(nodes) - 1
    m = box((60, n, n), (DUCT_LENGTH, 1.0, 1.0))

    def mapping(s: np.ndarray) -> np.ndarray:
        return np.interp(s, np.linspace(0.0, 1.0, n + 1), nodes)

    return stretch(stretch(m, 1, mapping), 2, mapping)


def solve(geometry: str, grid: str, reynolds: float, prandtl: float, law: str) -> dict[str, object]:
    import rackflow as rf
    from rackflow.testing.fluids import ConstantFluid

    m = rf.Mesh.from_meshio(mesh(geometry, grid, reynolds))
    speed = reynolds * MU / (RHO * D)
    fluid = ConstantFluid(
        density_kg_m3=RHO, viscosity_pa_s=MU, specific_heat_j_kgk=CP, conductivity_w_mk=CP * MU / prandtl
    )
    case = rf.Case(m)
    if geometry == "pipe":
        region, inlet, outlet, walls, planes = (
            "coolant",
            "inlet",
            "outlet",
            ("wall",),
            ("axis", "side0", "side1"),
        )
        length = PIPE_LENGTH
    else:
        region, inlet, outlet, walls, planes = "box", "xmin", "xmax", ("ymin", "zmin"), ("ymax", "zmax")
        length = DUCT_LENGTH
    case.fluid(region, fluid, turbulence="k-omega-sst", thermal_wall_function=law)
    case.inlet(
        inlet, velocity_m_s=speed, temperature_c=T_IN, turbulence_intensity=0.05, length_scale_m=0.07 * D
    )
    case.outlet(outlet)
    for wall in walls:
        case.fixed_temperature(wall, T_WALL)
    for plane in planes:
        case.symmetry(plane)
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = case.solve(velocity_tolerance=1e-6, pressure_tolerance=1e-5, velocity_relaxation=0.7)
    cpu = time.process_time() - start
    x = m.cell_centers[:, 0]
    sel = (x > 0.6 * length) & (x < 0.95 * length)
    f = -np.polyfit(x[sel], result.pressure_pa[sel], 1)[0] * D / (0.5 * RHO * speed**2)
    stations, column = np.unique(np.round(x / length, 9), return_inverse=True)
    weight = result.velocity_m_s[:, 0] * m.cell_volumes
    bulk = np.bincount(column, weight * result.temperature_c) / np.bincount(column, weight)
    s = (stations > 0.5) & (stations < 0.95)
    nu = -np.polyfit(stations[s] * length, np.log(T_WALL - bulk[s]), 1)[0] * D / 4 * reynolds * prandtl
    lo, mean, hi = result.y_plus_by_patch[walls[0]]
    return {
        "geometry": geometry,
        "grid": grid,
        "reynolds": reynolds,
        "prandtl": prandtl,
        "thermal_wall_function": law,
        "cells": m.n_cells,
        "f": float(f),
        "f_vs_petukhov_pct": 100 * (f / petukhov_friction_factor(reynolds) - 1),
        "f_vs_jones_pct": 100 * (f / petukhov_friction_factor(JONES_SQUARE * reynolds) - 1),
        "nu": float(nu),
        "nu_vs_gnielinski_pct": 100 * (nu / gnielinski_nusselt(reynolds, prandtl) - 1),
        "wall_y_plus": [lo, mean, hi],
        "iterations": result.report["flow_iterations"],
        "cpu_s": cpu,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--re", type=float, default=5e4)
    ap.add_argument("--pr", type=float, default=0.7)
    ap.add_argument("--geometries", default="pipe,duct")
    ap.add_argument(
        "--grids", default="uniform:6,uniform:8,uniform:12,uniform:16,uniform:24,graded:0.1:1.25:12"
    )
    ap.add_argument("--thermal-wall-functions", default="kader")
    ap.add_argument("--json", help="append the rows (one JSON object a line) to this file")
    args = ap.parse_args()
    print(
        f"# square duct vs pipe, k-ω SST, Re {args.re:g}, Pr {args.pr:g}; load {load_average()}", flush=True
    )
    rows = []
    for law in args.thermal_wall_functions.split(","):
        for grid in args.grids.split(","):
            by_geometry = {}
            for geometry in args.geometries.split(","):
                row = solve(geometry, grid, args.re, args.pr, law)
                by_geometry[geometry] = row
                rows.append(row)
                print(
                    f"{geometry} {grid} ({law}): f {row['f']:.5f} ({row['f_vs_petukhov_pct']:+.2f} % Petukhov, "
                    f"{row['f_vs_jones_pct']:+.2f} % Jones), Nu {row['nu']:.2f} ({row['nu_vs_gnielinski_pct']:+.2f} % "
                    f"Gnielinski); wall y+ {'/'.join(f'{v:.3g}' for v in row['wall_y_plus'])}; {row['cells']} cells, "
                    f"{row['iterations']} iterations, {row['cpu_s']:.1f} s CPU",
                    flush=True,
                )
            if {"pipe", "duct"} <= by_geometry.keys():
                pipe, duct = by_geometry["pipe"], by_geometry["duct"]
                print(
                    f"  duct / pipe on {grid}: f {100 * (duct['f'] / pipe['f'] - 1):+.2f} %, "
                    f"Nu {100 * (duct['nu'] / pipe['nu'] - 1):+.2f} %",
                    flush=True,
                )
    if args.json:
        with open(args.json, "a") as out:
            for row in rows:
                out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
