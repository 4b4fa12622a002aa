"""Laminar developed flow on Gmsh Delaunay tetrahedra: rackflow and simpleFoam against the exact f·Re.

Issue 16 asks for ΔP within 3 % of simpleFoam on the identical user mesh. This is the check of
the peer itself on tetrahedra, where the exact answer is known: a 4 × 2.5 mm duct (the corpus
serpentine's channel) 10 D_h long, Gmsh's default tetrahedra at a uniform size (the
``rackflow.testing.meshes.gmsh_box_tetra`` box), walls all round, Re 10 (developed after about
D_h/2), constant properties ρ 1000 kg/m³, μ 1e-3 Pa·s. Shah & London's f·Re (Darcy) for aspect
ratio 0.625 is 59.50.

simpleFoam v1912: laminar, SIMPLEC (``consistent yes``, U 0.7, p 1), ``bounded Gauss upwind``
(convection is negligible at Re 10), ``Gauss linear`` gradients, ``corrected`` laplacians and
one non-orthogonal corrector, residual controls p 1e-8 / U 1e-9; the identical mesh through
``gmshToFoam`` (format 2.2). Reported for both codes: f·Re from the slope of the cell pressures
over 0.5–0.9 of the length, the volume mean of the axial velocity there over the bulk velocity,
and the RMS cross-flow speed over the bulk velocity (zero in the exact solution).

    python -m benchmarks.openfoam.tet_duct [--sizes 8e-4,5e-4,3e-4] [--json out.json]

``--json tests/validation/reference/tet_duct_simplefoam.json`` writes the reference that
``tests/validation/test_tet_duct_openfoam.py`` reads.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import cache_dir, load_average, machine_info, markdown_table
from benchmarks.openfoam import foam

WIDTH, DEPTH = 0.004, 0.0025
HYDRAULIC_DIAMETER = 2 * WIDTH * DEPTH / (WIDTH + DEPTH)
LENGTH = 10 * HYDRAULIC_DIAMETER
RHO, MU = 1000.0, 1e-3
REYNOLDS = 10.0
SPEED = REYNOLDS * MU / (RHO * HYDRAULIC_DIAMETER)
#: Shah & London (1978), fully developed laminar flow, aspect ratio 2.5/4 (Darcy f·Re)
EXACT_FRE = 59.50
WALLS = ("ymin", "ymax", "zmin", "zmax")
DEVELOPED = (0.5, 0.9)


def make_mesh(path: Path, cell_size_m: float) -> dict[str, Any]:
    """The duct's Gmsh tetrahedra at ``cell_size_m``; its recipe and SHA-256."""
    import gmsh
    from rackflow.testing.meshes import gmsh_box_tetra

    gmsh_box_tetra(str(path), (LENGTH, WIDTH, DEPTH), cell_size_m)
    return {
        "recipe": {
            "generator": "rackflow.testing.meshes.gmsh_box_tetra",
            "size_m": [LENGTH, WIDTH, DEPTH],
            "cell_size_m": cell_size_m,
            "gmsh_version": str(gmsh.__version__),
        },
        "msh_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }


def developed_measures(
    centres: np.ndarray, volumes: np.ndarray, pressure_pa: np.ndarray, velocity: np.ndarray
) -> dict[str, float]:
    """f·Re, the axial volume mean over the bulk and the RMS cross-flow over the bulk in the
    developed part, the same for both codes."""
    x = centres[:, 0]
    sel = (x > DEVELOPED[0] * LENGTH) & (x < DEVELOPED[1] * LENGTH)
    gradient = -np.polyfit(x[sel], pressure_pa[sel], 1)[0]
    friction = gradient * HYDRAULIC_DIAMETER / (0.5 * RHO * SPEED**2)
    v = volumes[sel]
    axial = float(np.sum(velocity[sel, 0] * v) / np.sum(v))
    cross = float(np.sqrt(np.sum(v * np.sum(velocity[sel, 1:] ** 2, axis=1)) / np.sum(v)))
    return {
        "f_re": float(friction * REYNOLDS),
        "axial_mean_over_bulk": axial / SPEED,
        "cross_rms_over_bulk": cross / SPEED,
        "cells": len(x),
    }


def write_case(case: Path, msh: Path) -> None:
    foam.clean_case(case)
    (case / "system").mkdir(parents=True)
    foam.write_file(
        case,
        "system/controlDict",
        "dictionary",
        "application simpleFoam;\nstartFrom startTime;\nstartTime 0;\nstopAt endTime;\nendTime 20000;\n"
        "deltaT 1;\nwriteControl timeStep;\nwriteInterval 20000;\nwriteFormat ascii;\nwritePrecision 12;\n"
        "timeFormat general;\nrunTimeModifiable false;\n",
    )
    foam.write_file(
        case,
        "system/fvSolution",
        "dictionary",
        """
solvers
{
    p { solver GAMG; smoother DIC; tolerance 1e-12; relTol 0.05; }
    U { solver smoothSolver; smoother symGaussSeidel; tolerance 1e-14; relTol 0.1; }
}
SIMPLE { nNonOrthogonalCorrectors 1; consistent yes; residualControl { p 1e-8; U 1e-9; } }
relaxationFactors { fields { p 1; } equations { U 0.7; } }
""",
    )
    foam.write_file(
        case,
        "system/fvSchemes",
        "dictionary",
        """
ddtSchemes { default steadyState; }
gradSchemes { default Gauss linear; }
divSchemes { default none; div(phi,U) bounded Gauss upwind; div((nuEff*dev2(T(grad(U))))) Gauss linear; }
laplacianSchemes { default Gauss linear corrected; }
interpolationSchemes { default linear; }
snGradSchemes { default corrected; }
""",
    )
    foam.gmsh_to_foam(msh, case, case / "duct.msh")
    foam.retype_walls(case, WALLS)
    foam.write_file(
        case, "constant/transportProperties", "dictionary", f"transportModel Newtonian;\nnu {MU / RHO:g};\n"
    )
    foam.write_file(case, "constant/turbulenceProperties", "dictionary", "simulationType laminar;\n")
    foam.write_boundary_field(
        case,
        "U",
        "volVectorField",
        "[0 1 -1 0 0 0 0]",
        "uniform (0 0 0)",
        {
            "xmin": f"{{ type fixedValue; value uniform ({SPEED:.12g} 0 0); }}",
            "xmax": "{ type zeroGradient; }",
            **dict.fromkeys(WALLS, "{ type noSlip; }"),
        },
    )
    foam.write_boundary_field(
        case,
        "p",
        "volScalarField",
        "[0 2 -2 0 0 0 0]",
        "uniform 0",
        {
            "xmin": "{ type zeroGradient; }",
            "xmax": "{ type fixedValue; value uniform 0; }",
            **dict.fromkeys(WALLS, "{ type zeroGradient; }"),
        },
    )


def run_openfoam(msh: Path, case: Path) -> dict[str, Any]:
    write_case(case, msh)
    started = time.perf_counter()
    timed, _log = foam.run_solver(case, "simpleFoam")
    wall_s = time.perf_counter() - started
    for func in ("writeCellCentres", "writeCellVolumes"):
        foam.run_util(case, ["postProcess", "-func", func, "-latestTime"], log_name=f"postProcess.{func}")
    last = foam.time_dirs(case)[-1]
    fields = {name: foam.read_field(case / last / name)[0] for name in ("C", "V", "U", "p")}
    out = developed_measures(
        np.asarray(fields["C"]),
        np.asarray(fields["V"]),
        RHO * np.asarray(fields["p"]),
        np.asarray(fields["U"]),
    )
    out.update(
        {
            "iterations": int(last),
            "converged": int(last) < 20000,
            "wall_s": wall_s,
            "max_rss_mb": timed.max_rss_mb,
        }
    )
    return out


def run_rackflow(msh: Path, convection: str = "auto") -> dict[str, Any]:
    import rackflow as rf

    mesh = rf.load_mesh(str(msh))
    case = rf.Case(mesh)
    case.fluid(
        "box",
        rf.Coolant(
            "ρ 1000, μ 1e-3",
            density_kg_m3=RHO,
            viscosity_pa_s=MU,
            conductivity_w_mk=0.6,
            specific_heat_j_kgk=4000.0,
        ),
    )
    case.inlet("xmin", velocity_m_s=SPEED)
    case.outlet("xmax", pressure_pa=0.0)
    for wall in WALLS:
        case.wall(wall)
    started = time.perf_counter()
    result = case.solve(progress=False, threads=1, convection=convection)
    out = developed_measures(mesh.cell_centers, mesh.cell_volumes, result.pressure_pa, result.velocity_m_s)
    out.update({"iterations": int(result.report["flow_iterations"]), "wall_s": time.perf_counter() - started})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="8e-4,5e-4,3e-4", help="Gmsh cell sizes, m")
    ap.add_argument("--json", type=Path, help="write the reference here")
    args = ap.parse_args()
    root = cache_dir("tet_duct")
    runs = []
    for text in args.sizes.split(","):
        size = float(text)
        msh = root / f"duct_{text}.msh"
        mesh = make_mesh(msh, size)
        openfoam = run_openfoam(msh, root / f"foam_{text}")
        rackflow = run_rackflow(msh)
        runs.append({"cell_size_m": size, "mesh": mesh, "openfoam": openfoam, "rackflow_defaults": rackflow})
        print(
            f"{text}: OpenFOAM f·Re {openfoam['f_re']:.2f}, rackflow {rackflow['f_re']:.2f} (exact {EXACT_FRE})",
            flush=True,
        )
    rows = [
        {
            "cell size mm": r["cell_size_m"] * 1e3,
            "cells": r["openfoam"]["cells"],
            **{
                f"{code} f·Re": f"{r[key]['f_re']:.2f} ({100 * (r[key]['f_re'] / EXACT_FRE - 1):+.1f} %)"
                for code, key in (("simpleFoam", "openfoam"), ("rackflow", "rackflow_defaults"))
            },
            "cross-flow OF / rf": f"{r['openfoam']['cross_rms_over_bulk']:.4f} / {r['rackflow_defaults']['cross_rms_over_bulk']:.4f}",
            "u mean OF / rf": f"{r['openfoam']['axial_mean_over_bulk']:.4f} / {r['rackflow_defaults']['axial_mean_over_bulk']:.4f}",
        }
        for r in runs
    ]
    print(markdown_table(rows))
    if args.json:
        reference = {
            "description": __doc__.split("\n\n")[0],
            "command": "python -m benchmarks.openfoam.tet_duct --json " + str(args.json),
            "openfoam": foam.foam_version(),
            "machine": machine_info(),
            "load": load_average(),
            "exact_f_re": EXACT_FRE,
            "reynolds": REYNOLDS,
            "runs": runs,
        }
        args.json.write_text(json.dumps(reference, indent=1))


if __name__ == "__main__":
    main()
