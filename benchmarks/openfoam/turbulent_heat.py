"""Turbulent heat transfer against OpenFOAM on the identical mesh (issue 17, the heat part).

The corpus serpentine's channel as a straight duct (4 × 2.5 × 60 mm, uniform hexahedra, as
``corpus_sst --duct``), PG25 at 35 °C with constant properties, inlet 5 % intensity and
0.07 D_h, every wall held at 45 °C. The outlet temperature (mixed mean) is fixed by the wall
heat transfer, so it tests the thermal wall treatment and the turbulent conductivity together:

- OpenFOAM v1912 ``buoyantSimpleFoam`` with g = 0 (rhoConst, hConst, const transport), k-ω SST,
  ``kqRWallFunction`` / ``omegaWallFunction`` (``blended false``, as rackflow and the other
  references) / ``nutkWallFunction`` and
  ``compressible::alphatJayatillekeWallFunction`` (Pr_t 0.85), SIMPLE (p_rgh 0.3, U and h 0.7), bounded
  linearUpwind for U and h, upwind for k and ω, ``grad(U)`` (the gradient kOmegaSST's production
  and ν_t limiter see) ``cellLimited leastSquares 1`` as rackflow's (until 2026-12-05 it was
  the default ``Gauss linear``);
- rackflow: ``turbulence="k-omega-sst"``, ``fixed_temperature`` walls, ``convection="linear_upwind"``,
  Kader's thermal wall function (the default) or, with ``--thermal-wall-function jayatilleke``,
  OpenFOAM's; ``wall_treatment="switching"`` (the references' ``blended false``) unless
  ``--wall-treatment blended``.

Prints per flow: both codes' outlet temperature, heat to the coolant (ṁ c_p ΔT), ΔP and
iterations, the difference in heat, and the largest difference of k, ω and ν_t in the first
cells from a wall (``near_wall`` in the reference). Run: ``python -m benchmarks.openfoam.turbulent_heat
[--flows 5.4,1.8] [--cells 60,16,10] [--thermal-wall-function kader|jayatilleke]
[--wall-treatment switching|blended] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import cache_dir, load_average, machine_info
from benchmarks.openfoam import foam
from benchmarks.openfoam.corpus_sst import C_MU, DESIGN, properties, rackflow_duct_case

LENGTH, WIDTH, DEPTH = 0.060, 0.004, 0.0025
T_WALL_C = 45.0
#: Where the near-wall turbulence is compared: fractions of the length, and the number of cells
#: from the y = 0 wall along the mid-depth row.
PROFILE_STATIONS = (1 / 6, 1 / 2, 11 / 12)
PROFILE_DEPTH = 5


def near_wall_profiles(fields: dict[str, np.ndarray], cells: tuple[int, int, int]) -> dict[str, Any]:
    """Each field (cell values in blockMesh order: x fastest, then y, then z) along the
    mid-depth row from the y = 0 wall at every station: ``{name: [[cell 0..], ..]}``."""
    nx, ny, nz = cells
    stations = [int(f * nx) for f in PROFILE_STATIONS]
    out: dict[str, Any] = {"x_cell": stations}
    for name, v in fields.items():
        out[name] = [[float(v[(nz // 2 * ny + j) * nx + i]) for j in range(PROFILE_DEPTH)] for i in stations]
    return out


def blockmesh_order(centres: np.ndarray, cells: tuple[int, int, int]) -> np.ndarray:
    """Indices that put cell values of a uniform box mesh in blockMesh order."""
    nx, ny, nz = cells
    ijk = np.floor(centres / np.array([LENGTH / nx, WIDTH / ny, DEPTH / nz])).astype(int)
    order = np.empty(len(centres), dtype=int)
    order[(ijk[:, 2] * ny + ijk[:, 1]) * nx + ijk[:, 0]] = np.arange(len(centres))
    return order


def _fields(
    k_in: float, omega_in: float, speed: float, t_in: float, t_wall: float
) -> dict[str, tuple[str, str]]:
    """(class, body) of every 0/ field: inlet, outlet, walls."""
    walls = "walls"

    def field(internal: str, inlet: str, outlet: str, wall: str) -> str:
        return (
            f"internalField {internal};\nboundaryField {{\n inlet {{ {inlet} }}\n outlet {{ {outlet} }}\n"
            f" {walls} {{ {wall} }}\n}}"
        )

    return {
        "U": (
            "volVectorField",
            "dimensions [0 1 -1 0 0 0 0];\n"
            + field(
                f"uniform ({speed} 0 0)",
                f"type fixedValue; value uniform ({speed} 0 0);",
                "type inletOutlet; inletValue uniform (0 0 0); value uniform (0 0 0);",
                "type noSlip;",
            ),
        ),
        "p_rgh": (
            "volScalarField",
            "dimensions [1 -1 -2 0 0 0 0];\n"
            + field(
                "uniform 1e5",
                "type fixedFluxPressure; value uniform 1e5;",
                "type fixedValue; value uniform 1e5;",
                "type fixedFluxPressure; value uniform 1e5;",
            ),
        ),
        "p": (
            "volScalarField",
            "dimensions [1 -1 -2 0 0 0 0];\n"
            + field(
                "uniform 1e5",
                "type calculated; value uniform 1e5;",
                "type calculated; value uniform 1e5;",
                "type calculated; value uniform 1e5;",
            ),
        ),
        "T": (
            "volScalarField",
            "dimensions [0 0 0 1 0 0 0];\n"
            + field(
                f"uniform {t_in}",
                f"type fixedValue; value uniform {t_in};",
                f"type inletOutlet; inletValue uniform {t_in}; value uniform {t_in};",
                f"type fixedValue; value uniform {t_wall};",
            ),
        ),
        "k": (
            "volScalarField",
            "dimensions [0 2 -2 0 0 0 0];\n"
            + field(
                f"uniform {k_in}",
                f"type fixedValue; value uniform {k_in};",
                f"type inletOutlet; inletValue uniform {k_in}; value uniform {k_in};",
                f"type kqRWallFunction; value uniform {k_in};",
            ),
        ),
        "omega": (
            "volScalarField",
            "dimensions [0 0 -1 0 0 0 0];\n"
            + field(
                f"uniform {omega_in}",
                f"type fixedValue; value uniform {omega_in};",
                f"type inletOutlet; inletValue uniform {omega_in}; value uniform {omega_in};",
                # v1912's omegaWallFunction defaults to `blended true` (ω = √(ω_vis² + ω_log²) and
                # the log-law production on every wall face); rackflow implements the switching
                # treatment, as every other turbulent reference here. Left at the default, the
                # reference at Re 6,062 took 58.7 W instead of 28.5 W (stop 19's "−44.6 %")
                f"type omegaWallFunction; blended false; value uniform {omega_in};",
            ),
        ),
        "nut": (
            "volScalarField",
            "dimensions [0 2 -1 0 0 0 0];\n"
            + field(
                "uniform 0",
                "type calculated; value uniform 0;",
                "type calculated; value uniform 0;",
                "type nutkWallFunction; value uniform 0;",
            ),
        ),
        "alphat": (
            "volScalarField",
            "dimensions [1 -1 -1 0 0 0 0];\n"
            + field(
                "uniform 0",
                "type calculated; value uniform 0;",
                "type calculated; value uniform 0;",
                "type compressible::alphatJayatillekeWallFunction; Prt 0.85; value uniform 0;",
            ),
        ),
    }


def openfoam(
    case: Path, flow_lpm: float, cells: tuple[int, int, int], props: dict[str, float], max_iter: int
) -> dict[str, Any]:
    nx, ny, nz = cells
    area = WIDTH * DEPTH
    dh = 4 * area / (2 * (WIDTH + DEPTH))
    speed = flow_lpm / 60000.0 / area
    k_in = 1.5 * (DESIGN["turbulence_intensity"] * speed) ** 2
    omega_in = float(np.sqrt(k_in) / (C_MU**0.25 * 0.07 * dh))
    t_in = DESIGN["inlet_temperature_c"] + 273.15
    rho, mu, cp, kf = (
        props[k] for k in ("density_kg_m3", "viscosity_pa_s", "specific_heat_j_kgk", "conductivity_w_mk")
    )
    foam.clean_case(case)
    foam.write_file(
        case,
        "system/controlDict",
        "dictionary",
        f"application buoyantSimpleFoam; startFrom startTime; startTime 0; stopAt endTime; endTime {max_iter};"
        f" deltaT 1; writeControl timeStep; writeInterval {max_iter}; writeFormat ascii; writePrecision 10;"
        " writeCompression off; timeFormat general; runTimeModifiable false;",
    )
    foam.write_file(
        case,
        "system/blockMeshDict",
        "dictionary",
        f"""
convertToMeters 1;
vertices ( (0 0 0) ({LENGTH} 0 0) ({LENGTH} {WIDTH} 0) (0 {WIDTH} 0)
           (0 0 {DEPTH}) ({LENGTH} 0 {DEPTH}) ({LENGTH} {WIDTH} {DEPTH}) (0 {WIDTH} {DEPTH}) );
blocks ( hex (0 1 2 3 4 5 6 7) ({nx} {ny} {nz}) simpleGrading (1 1 1) );
edges ();
boundary (
 inlet {{ type patch; faces ((0 4 7 3)); }}
 outlet {{ type patch; faces ((1 2 6 5)); }}
 walls {{ type wall; faces ((0 1 5 4) (3 7 6 2) (0 3 2 1) (4 5 6 7)); }}
);
""",
    )
    foam.write_file(
        case,
        "system/fvSchemes",
        "dictionary",
        """
ddtSchemes { default steadyState; }
gradSchemes { default Gauss linear; limitedGrad cellLimited leastSquares 1; grad(U) cellLimited leastSquares 1; }
divSchemes {
  default none;
  div(phi,U) bounded Gauss linearUpwind limitedGrad;
  div(phi,h) bounded Gauss linearUpwind limitedGrad;
  div(phi,K) bounded Gauss upwind;
  div(phi,k) bounded Gauss upwind;
  div(phi,omega) bounded Gauss upwind;
  div(((rho*nuEff)*dev2(T(grad(U))))) Gauss linear;
}
laplacianSchemes { default Gauss linear corrected; }
interpolationSchemes { default linear; }
snGradSchemes { default corrected; }
wallDist { method meshWave; }
""",
    )
    foam.write_file(
        case,
        "system/fvSolution",
        "dictionary",
        """
solvers {
  p_rgh { solver GAMG; smoother DIC; tolerance 1e-9; relTol 0.05; }
  "(U|h|k|omega)" { solver smoothSolver; smoother symGaussSeidel; tolerance 1e-10; relTol 0.1; }
}
SIMPLE {
  momentumPredictor yes; nNonOrthogonalCorrectors 0;
  residualControl { p_rgh 1e-6; U 1e-6; h 1e-7; "(k|omega)" 1e-6; }
}
relaxationFactors { fields { p_rgh 0.3; } equations { U 0.7; h 0.7; "(k|omega)" 0.7; } }
""",
    )
    foam.write_file(
        case, "constant/g", "uniformDimensionedVectorField", "dimensions [0 1 -2 0 0 0 0]; value (0 0 0);"
    )
    foam.write_file(
        case,
        "constant/thermophysicalProperties",
        "dictionary",
        f"""
thermoType {{ type heRhoThermo; mixture pureMixture; transport const; thermo hConst;
  equationOfState rhoConst; specie specie; energy sensibleEnthalpy; }}
mixture {{
  specie {{ molWeight 18; }}
  equationOfState {{ rho {rho}; }}
  thermodynamics {{ Cp {cp}; Hf 0; }}
  transport {{ mu {mu}; Pr {mu * cp / kf}; }}
}}
""",
    )
    foam.write_file(
        case,
        "constant/turbulenceProperties",
        "dictionary",
        "simulationType RAS; RAS { RASModel kOmegaSST; turbulence on; printCoeffs off; }",
    )
    for name, (cls, body) in _fields(k_in, omega_in, speed, t_in, T_WALL_C + 273.15).items():
        foam.write_file(case, f"0/{name}", cls, body)
    foam.run_util(case, ["blockMesh"])
    timed, log = foam.run_solver(case, "buoyantSimpleFoam", 1)
    last = foam.time_dirs(case)[-1]
    _, t_b = foam.read_field(case / last / "T")
    _, phi_b = foam.read_field(case / last / "phi")
    _, p_b = foam.read_field(case / last / "p_rgh")
    flux = np.atleast_1d(np.asarray(phi_b["outlet"]["value"], dtype=float))
    t_out_faces = t_b["outlet"].get("value")
    t_out = np.broadcast_to(np.asarray(t_out_faces, dtype=float), flux.shape)
    t_mixed = float(np.dot(flux, t_out) / flux.sum())
    m_dot = float(flux.sum())
    p_in = float(np.mean(np.atleast_1d(np.asarray(p_b["inlet"]["value"], dtype=float))))
    turbulence = {
        n: np.asarray(foam.read_field(case / last / n)[0], dtype=float) for n in ("k", "omega", "nut")
    }
    return {
        "converged": "SIMPLE solution converged" in log,
        "iterations": len(re.findall(r"^Time = \d+", log, re.M)),
        "wall_s": timed.wall_s,
        "t_out_c": t_mixed - 273.15,
        "heat_w": m_dot * cp * (t_mixed - t_in),
        "dp_static_pa": p_in - 1e5,
        "near_wall": near_wall_profiles(
            {"k_m2_s2": turbulence["k"], "omega_1_s": turbulence["omega"], "nu_t_m2_s": turbulence["nut"]},
            cells,
        ),
    }


def rackflow(
    flow_lpm: float,
    cells: tuple[int, int, int],
    props: dict[str, float],
    thermal_wall_function: str = "kader",
    wall_treatment: str = "switching",
) -> dict[str, Any]:
    case = rackflow_duct_case(cells, (LENGTH, WIDTH, DEPTH), props, flow_lpm)
    (fluid,) = case.fluids.values()
    case.fluid(
        fluid.region,
        coolant=fluid.coolant,
        turbulence=fluid.turbulence,
        thermal_wall_function=thermal_wall_function,
        wall_treatment=wall_treatment,
    )
    for p in ("ymin", "ymax", "zmin", "zmax"):
        case.fixed_temperature(p, T_WALL_C)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # y⁺ band warnings: the y⁺ is reported
        r = case.solve(progress=False, threads=1, convection="linear_upwind")
    d = r.summary().to_dict()
    m_dot = props["density_kg_m3"] * flow_lpm / 60000.0
    order = blockmesh_order(np.asarray(r.mesh.cell_centers), cells)
    turbulence = {
        "k_m2_s2": r.turbulence_k_m2_s2[order],
        "omega_1_s": r.turbulence_omega_1_s[order],
        "nu_t_m2_s": r.turbulent_viscosity_pa_s[order] / props["density_kg_m3"],
    }
    return {
        "iterations": int(r.report["flow_iterations"]),
        "wall_s": time.perf_counter() - start,
        "t_out_c": d["outlet_temperature_c"],
        "heat_w": m_dot
        * props["specific_heat_j_kgk"]
        * (d["outlet_temperature_c"] - DESIGN["inlet_temperature_c"]),
        "dp_total_pa": r.pressure_drop_pa("xmin", "xmax"),
        "y_plus": {k: list(v) for k, v in r.y_plus_by_patch.items()},
        "near_wall": near_wall_profiles(turbulence, cells),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flows", default="5.4,1.8", help="L/min, comma-separated")
    ap.add_argument("--cells", default="60,16,10", help="nx,ny,nz")
    ap.add_argument("--max-iter", type=int, default=3000)
    ap.add_argument("--json", help="write the runs here (a reference file)")
    ap.add_argument(
        "--thermal-wall-function",
        default="kader",
        choices=("kader", "jayatilleke"),
        help="rackflow's temperature law of the wall (OpenFOAM's is Jayatilleke's)",
    )
    ap.add_argument(
        "--wall-treatment",
        default="switching",
        choices=("switching", "blended"),
        help="rackflow's wall treatment (the references' omegaWallFunction has blended false)",
    )
    args = ap.parse_args()
    cells = tuple(int(v) for v in args.cells.split(","))
    props = properties(DESIGN["coolant"], DESIGN["inlet_temperature_c"])
    print(f"{machine_info()}; load {load_average()}")
    runs = []
    for flow in (float(v) for v in args.flows.split(",")):
        case = cache_dir("openfoam", "turbulent_heat") / f"duct_{'x'.join(map(str, cells))}_{flow:g}"
        foam_run = openfoam(case, flow, cells, props, args.max_iter)
        rf_run = rackflow(flow, cells, props, args.thermal_wall_function, args.wall_treatment)
        area = WIDTH * DEPTH
        reynolds = (
            props["density_kg_m3"]
            * flow
            / 60000.0
            / area
            * (4 * area / (2 * (WIDTH + DEPTH)))
            / props["viscosity_pa_s"]
        )
        runs.append(
            {
                "flow_lpm": flow,
                "reynolds": reynolds,
                "cells": list(cells),
                "foam": foam_run,
                "rackflow": rf_run,
            }
        )
        diff = rf_run["heat_w"] / foam_run["heat_w"] - 1
        print(
            f"{flow} L/min (Re {reynolds:,.0f}): OpenFOAM T_out {foam_run['t_out_c']:.4f} °C, Q {foam_run['heat_w']:.2f} W, "
            f"{foam_run['iterations']} it. ({'converged' if foam_run['converged'] else 'NOT converged'}), "
            f"{foam_run['wall_s']:.0f} s; rackflow T_out {rf_run['t_out_c']:.4f} °C, Q {rf_run['heat_w']:.2f} W, "
            f"{rf_run['iterations']} it., {rf_run['wall_s']:.1f} s; heat {diff:+.2%}",
            flush=True,
        )
        for name in ("k_m2_s2", "omega_1_s", "nu_t_m2_s"):
            ours, theirs = (np.asarray(run["near_wall"][name]) for run in (rf_run, foam_run))
            print(f"  near-wall {name}: largest difference {np.max(np.abs(ours / theirs - 1)):.2%}")
    if args.json:
        ref = {
            "command": f"python -m benchmarks.openfoam.turbulent_heat --flows {args.flows} --cells {args.cells} --json {args.json}",
            "openfoam_version": foam.foam_version(),
            "date": machine_info()["date"],
            "geometry_m": {"length": LENGTH, "width": WIDTH, "depth": DEPTH},
            "wall_temperature_c": T_WALL_C,
            "wall_treatment": "kqRWallFunction, omegaWallFunction (blended false), nutkWallFunction, "
            "compressible::alphatJayatillekeWallFunction (Prt 0.85)",
            "design": {k: DESIGN[k] for k in ("inlet_temperature_c", "turbulence_intensity")},
            "properties": props,
            "runs": runs,
        }
        Path(args.json).write_text(json.dumps(ref, indent=1) + "\n")
    print(f"load {load_average()}")


if __name__ == "__main__":
    main()
