"""OpenFOAM simpleFoam kOmegaSST reference: turbulent half plane channel on the identical mesh.

Half channel (wall at y = 0, symmetry plane at the centre line y = h), full height H = 2h =
10 mm, 50 H long, one cell thick (OpenFOAM ``empty`` front and back; rackflow symmetry planes,
the same 2D problem), ν = 1e-6 m²/s, uniform inlet U at Re = U 2H / ν = 5·10⁴, 5 % intensity
and mixing length 0.07 · 2H, outlet p = 0. blockMesh grades y geometrically (``simpleGrading``);
rackflow builds the same points (``channel_points``), so the meshes are identical.

Two meshes: ``lowre`` (80 × 60, first cell centre y⁺ ≈ 0.1, low-Re walls) and ``wf`` (80 × 8
uniform, y⁺ ≈ 40, wall functions). OpenFOAM v1912: ``kOmegaSST``, walls ``nutkWallFunction``,
``kqRWallFunction``, ``omegaWallFunction`` (not blended); SIMPLEC (``consistent yes``),
``bounded Gauss linearUpwind grad(U)`` for U, ``bounded Gauss upwind`` for k and ω,
``leastSquares`` gradients, ``cellLimited leastSquares 1`` for ``grad(U)`` (rackflow's bounded
second order, and the gradient kOmegaSST's production and ν_t limiter see: with unlimited
``leastSquares`` simpleFoam gave 1,717.0 Pa on ``wf``, with the limited one 1,793.3 Pa; ``lowre``
2,008.9 and 2,005.5 Pa), exact wall distance (``meshWave`` is exact for a plane wall);
stops at initial residuals 1e-6 (p) and 1e-7 (U, k, ω).

Reported: the static pressure drop (inlet patch area mean minus the outlet's 0), kg/m³ 1000.

    python -m benchmarks.openfoam.turbulence_channel --json tests/validation/reference/openfoam_turbulent_channel.json
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import cache_dir, print_header
from benchmarks.openfoam import foam

H = 0.01
HALF = H / 2
LENGTH = 50 * H
THICK = H / 10
NU = 1e-6
RHO = 1000.0
REYNOLDS = 5e4
U_IN = REYNOLDS * NU / (2 * H)
INTENSITY = 0.05
MIXING = 0.07 * 2 * H
K_IN = 1.5 * (INTENSITY * U_IN) ** 2
OMEGA_IN = np.sqrt(K_IN) / (0.09**0.25 * MIXING)
MESHES = {"lowre": {"nx": 80, "ny": 60, "ratio": 400.0}, "wf": {"nx": 80, "ny": 8, "ratio": 1.0}}
P_TOL, U_TOL = 1e-6, 1e-7


def channel_points(ny: int, ratio: float) -> np.ndarray:
    """blockMesh's point distribution over [0, h] for ``ny`` cells with last/first size ``ratio``."""
    if ny == 1 or ratio == 1.0:
        return np.linspace(0.0, HALF, ny + 1)
    q = ratio ** (1.0 / (ny - 1))
    sizes = q ** np.arange(ny)
    return np.concatenate([[0.0], np.cumsum(sizes) / sizes.sum() * HALF])


def write_case(case: Path, nx: int, ny: int, ratio: float, max_iter: int = 20000) -> None:
    foam.write_file(
        case,
        "system/blockMeshDict",
        "dictionary",
        f"""
convertToMeters 1;
vertices
(
    (0 0 0) ({LENGTH:g} 0 0) ({LENGTH:g} {HALF:g} 0) (0 {HALF:g} 0)
    (0 0 {THICK:g}) ({LENGTH:g} 0 {THICK:g}) ({LENGTH:g} {HALF:g} {THICK:g}) (0 {HALF:g} {THICK:g})
);
blocks ( hex (0 1 2 3 4 5 6 7) ({nx} {ny} 1) simpleGrading (1 {ratio:.12g} 1) );
edges ();
boundary
(
    inlet  {{ type patch; faces ((0 4 7 3)); }}
    outlet {{ type patch; faces ((1 2 6 5)); }}
    wall   {{ type wall;  faces ((0 1 5 4)); }}
    centre {{ type symmetryPlane; faces ((3 7 6 2)); }}
    frontAndBack {{ type empty; faces ((0 3 2 1) (4 5 6 7)); }}
);
mergePatchPairs ();
""",
    )
    foam.write_file(
        case,
        "system/controlDict",
        "dictionary",
        f"""
application     simpleFoam;
startFrom       startTime;
startTime       0;
stopAt          endTime;
endTime         {max_iter};
deltaT          1;
writeControl    timeStep;
writeInterval   {max_iter};
purgeWrite      0;
writeFormat     ascii;
writePrecision  12;
writeCompression off;
timeFormat      general;
timePrecision   6;
runTimeModifiable false;
""",
    )
    foam.write_file(
        case,
        "system/fvSchemes",
        "dictionary",
        """
ddtSchemes { default steadyState; }
gradSchemes { default leastSquares; grad(U) cellLimited leastSquares 1; }
divSchemes
{
    default         none;
    div(phi,U)      bounded Gauss linearUpwind grad(U);
    div(phi,k)      bounded Gauss upwind;
    div(phi,omega)  bounded Gauss upwind;
    div((nuEff*dev2(T(grad(U))))) Gauss linear;
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
        f"""
solvers
{{
    p {{ solver GAMG; smoother DIC; tolerance 1e-10; relTol 0.01; }}
    "(U|k|omega)" {{ solver smoothSolver; smoother symGaussSeidel; tolerance 1e-12; relTol 0.1; }}
}}
SIMPLE
{{
    nNonOrthogonalCorrectors 0;
    consistent      yes;
    residualControl {{ p {P_TOL:g}; U {U_TOL:g}; k {U_TOL:g}; omega {U_TOL:g}; }}
}}
relaxationFactors
{{
    equations {{ U 0.9; k 0.7; omega 0.7; }}
}}
""",
    )
    foam.write_file(
        case, "constant/transportProperties", "dictionary", f"transportModel Newtonian;\nnu {NU:g};\n"
    )
    foam.write_file(
        case,
        "constant/turbulenceProperties",
        "dictionary",
        "simulationType RAS;\nRAS { RASModel kOmegaSST; turbulence on; printCoeffs on; }\n",
    )
    common = "centre { type symmetryPlane; }\n    frontAndBack { type empty; }"
    fields = {
        "U": (
            "volVectorField",
            "[0 1 -1 0 0 0 0]",
            f"uniform ({U_IN:.12g} 0 0)",
            f"inlet {{ type fixedValue; value uniform ({U_IN:.12g} 0 0); }}\n    outlet {{ type zeroGradient; }}\n"
            "    wall { type noSlip; }",
        ),
        "p": (
            "volScalarField",
            "[0 2 -2 0 0 0 0]",
            "uniform 0",
            "inlet { type zeroGradient; }\n    outlet { type fixedValue; value uniform 0; }\n"
            "    wall { type zeroGradient; }",
        ),
        "k": (
            "volScalarField",
            "[0 2 -2 0 0 0 0]",
            f"uniform {K_IN:.12g}",
            f"inlet {{ type fixedValue; value uniform {K_IN:.12g}; }}\n    outlet {{ type zeroGradient; }}\n"
            f"    wall {{ type kqRWallFunction; value uniform {K_IN:.12g}; }}",
        ),
        "omega": (
            "volScalarField",
            "[0 0 -1 0 0 0 0]",
            f"uniform {OMEGA_IN:.12g}",
            f"inlet {{ type fixedValue; value uniform {OMEGA_IN:.12g}; }}\n    outlet {{ type zeroGradient; }}\n"
            f"    wall {{ type omegaWallFunction; blended false; value uniform {OMEGA_IN:.12g}; }}",
        ),
        "nut": (
            "volScalarField",
            "[0 2 -1 0 0 0 0]",
            "uniform 0",
            "inlet { type calculated; value uniform 0; }\n    outlet { type calculated; value uniform 0; }\n"
            "    wall { type nutkWallFunction; value uniform 0; }",
        ),
    }
    for name, (cls, dims, internal, patches) in fields.items():
        foam.write_file(
            case,
            f"0/{name}",
            cls,
            f"dimensions {dims};\ninternalField {internal};\nboundaryField\n{{\n    {patches}\n    {common}\n}}\n",
        )


def inlet_pressure(case: Path, nx: int, ny: int, ratio: float) -> float:
    """Area-mean static pressure on the inlet patch, Pa (ρ 1000): the inlet's p is zero-gradient,
    so its face values are those of the first column of cells (blockMesh numbers x fastest)."""
    last = foam.time_dirs(case)[-1]
    internal, _ = foam.read_field(case / last / "p")
    p = np.asarray(internal, dtype=float).reshape(ny, nx)
    heights = np.diff(channel_points(ny, ratio))
    return float(np.dot(p[:, 0], heights) / heights.sum()) * RHO


def run(name: str, root: Path | None = None) -> dict[str, Any]:
    m = MESHES[name]
    case = (root or cache_dir("openfoam")) / f"turbulent_channel_{name}"
    foam.clean_case(case)
    write_case(case, m["nx"], m["ny"], m["ratio"])
    foam.run_util(case, ["blockMesh"])
    timed, log = foam.run_solver(case, "simpleFoam", 1)
    lines = foam.solve_lines(log)
    return {
        "mesh": name,
        **m,
        "cells": m["nx"] * m["ny"],
        "dp_pa": inlet_pressure(case, m["nx"], m["ny"], m["ratio"]),
        "simple_iterations": len([s for s in lines if s.field == "p"]),
        "converged": "SIMPLE solution converged" in log,
        "wall_s": timed.wall_s,
        "max_rss_mb": timed.max_rss_mb,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description="simpleFoam kOmegaSST turbulent channel reference")
    ap.add_argument("--meshes", default="lowre,wf")
    ap.add_argument("--json", help="write the reference to this file")
    args = ap.parse_args()
    print_header(f"simpleFoam kOmegaSST turbulent half channel (OpenFOAM {foam.foam_version()})")
    rows = []
    for name in args.meshes.split(","):
        r = run(name)
        rows.append(r)
        print(json.dumps(r), flush=True)
    if args.json:
        ref = {
            "command": "python -m benchmarks.openfoam.turbulence_channel --json " + args.json,
            "openfoam_version": foam.foam_version(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "host": platform.node(),
            "geometry_m": {"full_height": H, "length": LENGTH, "thickness": THICK},
            "nu_m2_s": NU,
            "rho_kg_m3": RHO,
            "reynolds": REYNOLDS,
            "inlet": {"velocity_m_s": U_IN, "intensity": INTENSITY, "mixing_length_m": MIXING},
            "runs": rows,
        }
        Path(args.json).write_text(json.dumps(ref, indent=1) + "\n")


if __name__ == "__main__":
    main()
