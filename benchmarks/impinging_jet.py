"""Impinging round jet with k-ω SST (issue 17): Baughn & Shimizu (1989) / Cooper et al. (1993),
H/D = 2, Re_D 23,000, Pr 0.71, uniform heat flux on the plate.

The local Nusselt number Nu(r/D) = q D / (k (T_w − T_jet)) along the plate, from a 5° wedge one
hexahedron thick (``rackflow.testing.meshes.impinging_jet_wedge``: symmetry sides, a symmetry
inner cylinder at r = 0.01 D instead of the axis), a pipe 40 D long with a uniform inlet (5 %,
0.07 D) so that the jet leaves developed, the jet region 6 D in radius with the radial outlet at
r = 6 D, cells graded to y⁺ < 0.3 on the plate (low-Re). The wall temperature is the plate
cell's plus q y / k (conduction over the half cell, valid at such y⁺). Solved as the dynamically
similar liquid flow (ρ 1000, μ 1e-3, k from Pr 0.71).

The experiments' jet is free: it entrains the still surroundings through the plane of the pipe
exit. rackflow has no opening (entrainment) condition — an outlet may not take in net flow — so
the exit plane (``top``) is, by ``--top``:

- ``wall``: a no-slip confinement plate (a confined jet; the default, the first exploration's);
- ``symmetry``: a slip plane, the surroundings recirculate through the radial outlet;
- ``entrain``: an inlet of jet-temperature fluid at ``--entrain`` × the jet speed (default
  1 %), a crude stand-in for the free jet's entrainment (the outlet then takes jet and
  entrained flow).

How much the plate's Nu depends on that choice is part of what this script measures. Numbers
and the comparison with the experiment, the Martin (1977) correlation and published SST results
in benchmarks/RESULTS.md; the test is ``tests/validation/test_turbulence_jet.py``.

    python -m benchmarks.impinging_jet [--refine 1.5] [--top wall|symmetry|entrain] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

import numpy as np
import rackflow as rf
from rackflow.testing.fluids import ConstantFluid
from rackflow.testing.meshes import impinging_jet_wedge

D = 0.02
H_D = 2.0
RE, RHO, MU, CP, PR = 23_000.0, 1000.0, 1e-3, 4000.0, 0.71
SPEED = RE * MU / (RHO * D)
CONDUCTIVITY = CP * MU / PR
FLUX = 1000.0
T_JET = 20.0
STATIONS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0)
#: The step's solve settings (the SST steady state converges slowly).
SOLVE = {
    "velocity_tolerance": 1e-5,
    "pressure_tolerance": 1e-4,
    "mass_tolerance": 1e-5,
    "flow_max_iterations": 6000,
}


def build_case(
    mesh: rf.Mesh, top: str = "wall", entrain: float = 0.01, wall_treatment: str = "blended"
) -> rf.Case:
    fluid = ConstantFluid(
        density_kg_m3=RHO, viscosity_pa_s=MU, specific_heat_j_kgk=CP, conductivity_w_mk=CONDUCTIVITY
    )
    case = rf.Case(mesh)
    case.fluid("coolant", fluid, turbulence="k-omega-sst", wall_treatment=wall_treatment)
    case.inlet(
        "inlet", velocity_m_s=SPEED, temperature_c=T_JET, turbulence_intensity=0.05, length_scale_m=0.07 * D
    )
    case.outlet("outlet")
    if top == "wall":
        case.wall("top")
    elif top == "symmetry":
        case.symmetry("top")
    elif top == "entrain":
        case.inlet(
            "top",
            velocity_m_s=entrain * SPEED,
            temperature_c=T_JET,
            turbulence_intensity=0.05,
            length_scale_m=0.07 * D,
        )
    else:
        raise ValueError(f"top must be wall, symmetry or entrain, not {top!r}")
    case.heat_flux("plate", flux_w_m2=FLUX)
    for patch in ("axis", "side0", "side1"):
        case.symmetry(patch)
    return case


def plate_nusselt(mesh: rf.Mesh, temperature_c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """r/D and Nu of the plate's cells, sorted by radius."""
    centres = mesh.cell_centers
    radius = np.hypot(centres[:, 1], centres[:, 2]) / D
    row = np.isclose(centres[:, 0], centres[:, 0].max())
    order = np.argsort(radius[row])
    wall_gap = H_D * D - centres[row, 0][order]
    t_wall = temperature_c[row][order] + FLUX * wall_gap / CONDUCTIVITY
    return radius[row][order], FLUX * D / (CONDUCTIVITY * (t_wall - T_JET))


def martin_average_nusselt(r_d: np.ndarray | float, h_d: float = H_D, re: float = RE, pr: float = PR) -> Any:
    """Martin (1977) area-averaged Nusselt number of a single round nozzle over the disc of
    radius r (Incropera & DeWitt, Eq. 7.79; valid 2,000 ≤ Re ≤ 400,000, 2 ≤ H/D ≤ 12,
    2.5 ≤ r/D ≤ 7.5)."""
    a = 1.0 / np.asarray(r_d, dtype=float)  # D / r
    g = a * (1 - 1.1 * a) / (1 + 0.1 * (h_d - 6) * a)
    f = 2 * re**0.5 * (1 + 0.005 * re**0.55) ** 0.5
    return pr**0.42 * g * f


def average_nusselt(r_d: np.ndarray, nu: np.ndarray, upto: float) -> float:
    """Area-averaged Nu over the disc r ≤ ``upto`` D (the local Nu weighted by r dr)."""
    grid = np.linspace(0.0, upto, 2001)
    local = np.interp(grid, r_d, nu)
    return float(np.trapezoid(local * grid, grid) / np.trapezoid(grid, grid))


def run(
    refine: float = 1.0,
    top: str = "wall",
    entrain: float = 0.01,
    threads: int | None = None,
    wall_treatment: str = "blended",
) -> dict[str, Any]:
    mesh = rf.Mesh.from_meshio(impinging_jet_wedge(D, H_D, refine))
    case = build_case(mesh, top, entrain, wall_treatment)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    result = case.solve(progress=False, threads=threads, **SOLVE)
    seconds = time.perf_counter() - start
    r_d, nu = plate_nusselt(mesh, result.temperature_c)
    return {
        "refine": refine,
        "top": top,
        "entrain": entrain if top == "entrain" else None,
        "cells": mesh.n_cells,
        "iterations": int(result.report["flow_iterations"]),
        "seconds": seconds,
        "load_1min": [load, os.getloadavg()[0]],
        "plate_y_plus": list(result.y_plus_by_patch["plate"]),
        "stations_r_d": list(STATIONS),
        "nusselt": [float(np.interp(s, r_d, nu)) for s in STATIONS],
        "average_nusselt": {f"{s:g}": average_nusselt(r_d, nu, s) for s in (2.5, 3.0, 4.0, 5.0)},
        "r_d": r_d.tolist(),
        "nusselt_profile": nu.tolist(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--refine", type=float, default=1.0)
    ap.add_argument("--top", default="wall", help="comma-separated of wall, symmetry, entrain")
    ap.add_argument(
        "--entrain", type=float, default=0.01, help="entrainment speed / jet speed (--top entrain)"
    )
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", help="write the profiles to this file")
    args = ap.parse_args()
    rows = []
    for top in args.top.split(","):
        row = run(args.refine, top, args.entrain, args.threads)
        rows.append(row)
        print(
            f"impinging jet, top {top}{'' if row['entrain'] is None else ' ' + format(row['entrain'], 'g')}, refine "
            f"{args.refine:g}: {row['cells']} cells, {row['iterations']} iterations, {row['seconds']:.0f} s "
            f"(load {row['load_1min'][0]:.1f}); plate y+ {'/'.join(f'{v:.2g}' for v in row['plate_y_plus'])}"
        )
        print("r/D  " + "  ".join(f"{s:5g}" for s in STATIONS))
        print("Nu   " + "  ".join(f"{v:5.1f}" for v in row["nusselt"]))
        print(
            "area-mean Nu (r/D 2.5, 3, 4, 5): "
            + ", ".join(
                f"{row['average_nusselt'][f'{s:g}']:.1f} (Martin {martin_average_nusselt(s):.1f})"
                for s in (2.5, 3.0, 4.0, 5.0)
            ),
            flush=True,
        )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
