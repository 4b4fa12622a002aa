"""OpenFOAM simpleFoam kOmegaSST on the impinging round jet (issue 17): the plate's Nusselt
number on the identical wedge mesh rackflow solves (``benchmarks/impinging_jet.py``), as the
same-model SST reference of ``tests/validation/test_turbulence_jet.py``.

Mesh: ``rackflow.testing.meshes.impinging_jet_wedge(D, 2, refine)`` written as gmsh msh 2.2 by
meshio and converted by ``gmshToFoam``: the same cells. The inner cylinder ``axis`` is a
``symmetry`` patch as in rackflow; the wedge's sides ``side0``/``side1`` are OpenFOAM ``wedge``
patches by default (``--sides wedge``). With ``symmetry`` sides, as rackflow has them, v1912
grows a spurious turbulent wake along the axis from the pipe's inlet on (centre-line speed
0.52 m/s instead of 1.39 m/s 20 D downstream, k 0.065 instead of 0.005 m²/s²), which rackflow's
symmetry sides do not (its developed pipe profile equals OpenFOAM's with wedge sides to
0.01 m/s); for a swirl-free axisymmetric flow the two conditions are the same physics. The plate,
the pipe wall and the exit plane ``top`` are walls (the confined jet, ``--top wall``) or ``top`` a
symmetry plane (``--top symmetry``).

Physics as the rackflow case (``benchmarks.impinging_jet.build_case``): ν = 1e-6 m²/s, uniform
inlet U = 1.15 m/s (Re_D 23,000) with k = 1.5 (0.05 U)² and ω = √k / (C_μ^¼ 0.07 D), outlet
p = 0 with zero-gradient U, k, ω, T. Walls: ``kqRWallFunction``, ``omegaWallFunction``
(``blended false``), ``nutkWallFunction`` (rackflow's automatic wall treatment). The energy
equation is OpenFOAM's ``scalarTransport`` function object solved every iteration on the
current flow, with the diffusivity ν/Pr + ν_t/Pr_t (``alphaD`` 1/0.71, ``alphaDt`` 1/0.85:
rackflow's Pr_t) and on the plate a fixed gradient q/k (1,000 W/m² into the fluid of
k = c_p μ / Pr); Nu = q D / (k (T_face − T_jet)) with T_face the plate's face value.

Settings: SIMPLEC (``consistent``), U 0.9, k and ω 0.7, ``bounded Gauss linearUpwind`` on
``cellLimited leastSquares 1`` for U and T, upwind for k and ω, p by GAMG/DIC. A fixed number of
iterations (``--max-iter``, 3,000), no stop on residuals: the flow converges in about 900
(p 1e-5, k and ω 1e-6), but the temperature of ``scalarTransport`` is not part of SIMPLE's
convergence check, and with one correction per iteration (``nCorr 1``) the explicit part of its
limited linear-upwind convection converges so slowly that the outer wall jet's Nu still rose by
1 % per 500 iterations at iteration 3,000 (r/D 3: 68.1, 69.3, 70.2, 71.0 at 1,500–3,000). So T
is solved with ``nCorr 20`` (21 corrections of the explicit part per SIMPLE iteration). The stored ``nusselt_change_over_last_write`` is the largest relative change of Nu over
the last ``WRITE_EVERY`` iterations.

    python -m benchmarks.openfoam.impinging_jet_sst [--refine 1] [--top wall] [--sides wedge] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import time
from pathlib import Path
from typing import Any

import meshio
import numpy as np

from benchmarks._common import cache_dir
from benchmarks.openfoam import foam
from benchmarks.openfoam.corpus_simplefoam import patch_faces

D = 0.02
H_D = 2.0
RE, NU, PR, PR_T = 23_000.0, 1e-6, 0.71, 0.85
SPEED = RE * NU / D
RHO, CP = 1000.0, 4000.0
CONDUCTIVITY = CP * RHO * NU / PR
FLUX = 1000.0
T_JET = 20.0
C_MU = 0.09
WRITE_EVERY = 500
STATIONS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0)
WALLS = ("plate", "pipe_wall", "top")
#: What the references of the case say, with what of it was available here (stored with the runs).
LITERATURE = {
    "baughn_shimizu_1989": {
        "citation": "Baughn, J. W., Shimizu, S. (1989). Heat transfer measurements from a surface with uniform "
        "heat flux and an impinging jet. J. Heat Transfer 111(4):1096-1098",
        "case": "free jet from a fully developed pipe, H/D = 2, 6, 10, 14, Re_D 23,750, uniform heat flux",
        "data": "ERCOFTAC classic collection case C.25 (file ij2lr-nuss.dat: Nu/Re^0.7 against r/D, 'Expts. of "
        "Baughn et al'): not available in this workplace, so no test compares with it yet",
    },
    "cooper_et_al_1993": {
        "citation": "Cooper, D., Jackson, D. C., Launder, B. E., Liao, G. X. (1993). Impinging jet studies for "
        "turbulence model assessment - I. Flow-field experiments. Int. J. Heat Mass Transfer 36(10):2675-2684",
        "data": "the flow field of the same configuration (ERCOFTAC C.25): not used here",
    },
    "martin_1977": {
        "citation": "Martin, H. (1977). Heat and mass transfer between impinging gas jets and solid surfaces. "
        "Adv. Heat Transfer 13:1-60 (single round nozzle; as given in Incropera & DeWitt)",
        "form": "Nu_avg(r) = Pr^0.42 G F, G = (D/r)(1 - 1.1 D/r) / (1 + 0.1 (H/D - 6) D/r), "
        "F = 2 Re^0.5 (1 + 0.005 Re^0.55)^0.5",
        "validity": "2,000 <= Re <= 400,000, 2 <= H/D <= 12, 2.5 <= r/D <= 7.5",
        "implemented": "benchmarks.impinging_jet.martin_average_nusselt",
    },
    "vieser_esch_menter_2002": {
        "citation": "Vieser, W., Esch, T., Menter, F. (2002). Heat transfer predictions using advanced two-equation "
        "turbulence models. CFX Validation Report CFX-VAL10/0602",
        "statement": "SST on this case (H/D = 2, Re 23,000) against Baughn's data; its numbers were not available "
        "here",
    },
    "zuckerman_lior_2006": {
        "citation": "Zuckerman, N., Lior, N. (2006). Jet impingement heat transfer: physics, correlations, and "
        "numerical modeling. Adv. Heat Transfer 39:565-631",
        "statement": "SST rated good-fair for impinging jets; it over-predicts the stagnation Nusselt number "
        "(errors of the order of 20-40 %, as recalled from the review's model table; not re-read here)",
    },
}
SYMMETRY = ("axis", "side0", "side1")


def write_case(case: Path, refine: float, top: str, max_iter: int, sides: str = "wedge") -> int:
    """Mesh, fields and dictionaries; returns the cell count. ``sides`` is the OpenFOAM type of
    the wedge's two sides: ``wedge`` (the default) or ``symmetry`` (as in rackflow; in
    OpenFOAM v1912 it grows a spurious turbulent wake along the axis, see the module notes)."""
    from rackflow.testing.meshes import impinging_jet_wedge

    foam.clean_case(case)
    mesh = impinging_jet_wedge(D, H_D, refine)
    msh = case / "jet.msh"
    case.mkdir(parents=True, exist_ok=True)
    mesh.cell_data["gmsh:geometrical"] = mesh.cell_data["gmsh:physical"]
    meshio.write(msh, mesh, file_format="gmsh22", binary=False)
    walls = [w for w in WALLS if w != "top" or top == "wall"]
    symmetry = [*(SYMMETRY if sides == "symmetry" else ("axis",)), *(["top"] if top == "symmetry" else [])]
    wedges = [] if sides == "symmetry" else ["side0", "side1"]
    k_in = 1.5 * (0.05 * SPEED) ** 2
    w_in = float(np.sqrt(k_in) / (C_MU**0.25 * 0.07 * D))
    functions = f"""
    T
    {{
        type            scalarTransport;
        libs            (solverFunctionObjects);
        field           T;
        phi             phi;
        alphaD          {1 / PR:.10g};
        alphaDt         {1 / PR_T:.10g};
        nCorr           20;
        resetOnStartUp  false;
    }}
    residuals
    {{
        type solverInfo;
        libs (utilityFunctionObjects);
        fields (p U k omega T);
        writeResidualFields no;
    }}"""
    foam.write_control_dict(case, "simpleFoam", max_iter, write_interval=WRITE_EVERY, functions=functions)
    foam.write_file(case, "system/fvSchemes", "dictionary", "ddtSchemes { default steadyState; }")
    foam.write_file(case, "system/fvSolution", "dictionary", "")
    foam.run_util(case, ["gmshToFoam", str(msh)])
    msh.unlink()
    kinds = {
        **dict.fromkeys(walls, "wall"),
        **dict.fromkeys(symmetry, "symmetry"),
        **dict.fromkeys(wedges, "wedge"),
    }
    foam.retype_patches(case, kinds, drop_physical_type=True)
    foam.write_file(
        case,
        "system/fvSolution",
        "dictionary",
        """
solvers
{
    p { solver GAMG; smoother DIC; tolerance 1e-10; relTol 0.05; }
    "(U|k|omega)" { solver smoothSolver; smoother symGaussSeidel; tolerance 1e-14; relTol 0.1; }
    T { solver PBiCGStab; preconditioner DILU; tolerance 1e-12; relTol 0.01; }
}
SIMPLE
{
    nNonOrthogonalCorrectors 0;
    consistent      yes;
}
relaxationFactors
{
    equations { U 0.9; k 0.7; omega 0.7; T 1; }
}
""",
    )
    foam.write_file(
        case,
        "system/fvSchemes",
        "dictionary",
        """
ddtSchemes { default steadyState; }
gradSchemes { default Gauss linear; grad(U) cellLimited leastSquares 1; grad(T) cellLimited leastSquares 1; }
divSchemes
{
    default         none;
    div(phi,U)      bounded Gauss linearUpwind grad(U);
    div(phi,T)      bounded Gauss linearUpwind grad(T);
    div(phi,k)      bounded Gauss upwind;
    div(phi,omega)  bounded Gauss upwind;
    div((nuEff*dev2(T(grad(U))))) Gauss linear;
}
laplacianSchemes { default Gauss linear corrected; }
interpolationSchemes { default linear; }
snGradSchemes { default corrected; }
wallDist { method meshWave; correctWalls true; }
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
    bcs: dict[str, dict[str, str]] = {
        "U": {
            "inlet": f"{{ type fixedValue; value uniform ({SPEED:.10g} 0 0); }}",
            "outlet": "{ type zeroGradient; }",
        },
        "p": {"inlet": "{ type zeroGradient; }", "outlet": "{ type fixedValue; value uniform 0; }"},
        "k": {
            "inlet": f"{{ type fixedValue; value uniform {k_in:.12g}; }}",
            "outlet": "{ type zeroGradient; }",
        },
        "omega": {
            "inlet": f"{{ type fixedValue; value uniform {w_in:.12g}; }}",
            "outlet": "{ type zeroGradient; }",
        },
        "nut": {
            "inlet": "{ type calculated; value uniform 0; }",
            "outlet": "{ type calculated; value uniform 0; }",
        },
        "T": {
            "inlet": f"{{ type fixedValue; value uniform {T_JET:g}; }}",
            "outlet": "{ type zeroGradient; }",
        },
    }
    for w in walls:
        bcs["U"][w] = "{ type noSlip; }"
        bcs["p"][w] = "{ type zeroGradient; }"
        bcs["k"][w] = f"{{ type kqRWallFunction; value uniform {k_in:.12g}; }}"
        bcs["omega"][w] = f"{{ type omegaWallFunction; blended false; value uniform {w_in:.12g}; }}"
        bcs["nut"][w] = "{ type nutkWallFunction; value uniform 0; }"
        bcs["T"][w] = "{ type zeroGradient; }"
    bcs["T"]["plate"] = (
        f"{{ type fixedGradient; gradient uniform {FLUX / CONDUCTIVITY:.12g}; value uniform {T_JET:g}; }}"
    )
    for s in symmetry:
        for f in bcs:
            bcs[f][s] = "{ type symmetry; }"
    for s in wedges:
        for f in bcs:
            bcs[f][s] = "{ type wedge; }"
    fields = {
        "U": ("volVectorField", "[0 1 -1 0 0 0 0]", "uniform (0 0 0)"),
        "p": ("volScalarField", "[0 2 -2 0 0 0 0]", "uniform 0"),
        "k": ("volScalarField", "[0 2 -2 0 0 0 0]", f"uniform {k_in:.12g}"),
        "omega": ("volScalarField", "[0 0 -1 0 0 0 0]", f"uniform {w_in:.12g}"),
        "nut": ("volScalarField", "[0 2 -1 0 0 0 0]", "uniform 0"),
        "T": ("volScalarField", "[0 0 0 1 0 0 0]", f"uniform {T_JET:g}"),
    }
    for name, (cls, dims, internal) in fields.items():
        foam.write_boundary_field(case, name, cls, dims, internal, bcs[name])
    return len(mesh.cells_dict["hexahedron"])


def plate_nusselt(case: Path, last: str) -> tuple[np.ndarray, np.ndarray]:
    """r/D and Nu of the plate's faces at time ``last``, sorted by radius. The face temperature
    is the owner cell's plus the fixed gradient times the centre-to-face normal distance (what
    ``fixedGradient`` evaluates; rackflow's benchmark does the same)."""
    foam.run_util(case, ["simpleFoam", "-postProcess", "-func", "writeCellCentres", "-time", last], "centres")
    areas, owner = patch_faces(case / "constant" / "polyMesh")["plate"]
    c_int, c_b = foam.read_field(case / last / "C")
    t_int, _ = foam.read_field(case / last / "T")
    face = np.asarray(c_b["plate"]["value"], dtype=float)
    normal = areas / np.linalg.norm(areas, axis=1)[:, None]
    gap = np.einsum("ij,ij->i", normal, face - np.asarray(c_int, dtype=float)[owner])
    t_face = np.asarray(t_int, dtype=float)[owner] + FLUX / CONDUCTIVITY * gap
    radius = np.hypot(face[:, 1], face[:, 2]) / D
    order = np.argsort(radius)
    return radius[order], FLUX * D / (CONDUCTIVITY * (t_face[order] - T_JET))


def run(
    refine: float = 1.0,
    top: str = "wall",
    max_iter: int = 3000,
    sides: str = "wedge",
    root: Path | None = None,
) -> dict[str, Any]:
    case = (root or cache_dir("openfoam", "impinging_jet")) / f"jet_{top}_{sides}_{refine:g}"
    cells = write_case(case, refine, top, max_iter, sides)
    load = os.getloadavg()[0]
    timed, log = foam.run_solver(case, "simpleFoam", 1)
    times = foam.time_dirs(case)
    r_d, nu = plate_nusselt(case, times[-1])
    before = plate_nusselt(case, times[-2])[1] if len(times) > 2 else np.full_like(nu, np.nan)
    lines = foam.solve_lines(log)
    last = {
        f: next((x.initial for x in reversed(lines) if x.field == f), float("nan"))
        for f in ("p", "Ux", "k", "omega", "T")
    }
    from benchmarks.impinging_jet import average_nusselt

    return {
        "refine": refine,
        "top": top,
        "sides": sides,
        "cells": cells,
        "converged": "SIMPLE solution converged" in log,
        "iterations": len(re.findall(r"^Time = \d+", log, re.M)),
        "last_initial_residuals": last,
        "wall_s": timed.wall_s,
        "max_rss_mb": timed.max_rss_mb,
        "load_1min": [load, os.getloadavg()[0]],
        "stations_r_d": list(STATIONS),
        "nusselt": [float(np.interp(s, r_d, nu)) for s in STATIONS],
        "average_nusselt": {f"{s:g}": average_nusselt(r_d, nu, s) for s in (2.5, 3.0, 4.0, 5.0)},
        "nusselt_change_over_last_write": float(np.max(np.abs(nu / before - 1))),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--refine", type=float, default=1.0)
    ap.add_argument("--top", default="wall", help="comma-separated of wall, symmetry")
    ap.add_argument("--max-iter", type=int, default=3000)
    ap.add_argument("--sides", default="wedge", choices=("wedge", "symmetry"))
    ap.add_argument("--json", help="write the runs to this file (with the command and settings)")
    args = ap.parse_args()
    runs = []
    for top in args.top.split(","):
        row = run(args.refine, top, args.max_iter, args.sides)
        runs.append(row)
        print(
            f"simpleFoam kOmegaSST jet, top {top}, refine {args.refine:g}: {row['cells']} cells, converged "
            f"{row['converged']} in {row['iterations']} it., {row['wall_s']:.1f} s, {row['max_rss_mb']:.0f} MB"
        )
        print("r/D  " + "  ".join(f"{s:5g}" for s in STATIONS))
        print("Nu   " + "  ".join(f"{v:5.1f}" for v in row["nusselt"]), flush=True)
    if args.json:
        out = {
            "command": f"python -m benchmarks.openfoam.impinging_jet_sst --refine {args.refine:g} --top {args.top} "
            f"--sides {args.sides} --max-iter {args.max_iter} --json {args.json}",
            "load_1min_at_write": os.getloadavg()[0],
            "openfoam_version": foam.foam_version(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "host": platform.node(),
            "case": {
                "mesh": f"rackflow.testing.meshes.impinging_jet_wedge({D}, {H_D}, refine)",
                "re_d": RE,
                "prandtl": PR,
                "turbulent_prandtl": PR_T,
                "flux_w_m2": FLUX,
                "conductivity_w_mk": CONDUCTIVITY,
                "inlet": "uniform U, 5 % intensity, mixing length 0.07 D",
                "walls": "kqRWallFunction, omegaWallFunction (blended false), nutkWallFunction",
                "energy": "scalarTransport function object, alphaD 1/Pr, alphaDt 1/Pr_t, plate fixedGradient q/k",
                "schemes": "SIMPLEC; U and T bounded linearUpwind (cellLimited leastSquares 1); k, omega upwind",
                "iterations": "fixed (--max-iter), no residual stop",
            },
            "runs": runs,
            "literature": LITERATURE,
        }
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
