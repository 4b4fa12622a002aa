"""OpenFOAM simpleFoam reference run: laminar flow in a straight rectangular duct.

Duct L x W x H = 40 x 2 x 1 mm, nu = 1e-6 m^2/s, uniform inlet 0.1 m/s, outlet p = 0, no-slip walls.
D_h = 4A/P = 1.333 mm, Re = U D_h / nu = 133 (laminar; hydrodynamic entry length ~0.05 Re D_h ~ 9 mm).
Mesh: one blockMesh block of N x 2n x n uniform hexahedra with N = 10 n (cells = 20 n^3:
n = 20 -> 1.6e5, n = 30 -> 5.4e5); cells are 0.2 mm x 0.05 mm x 0.05 mm at n = 20.

simpleFoam v1912, laminar, SIMPLEC (``consistent yes``), ``bounded Gauss linearUpwind grad(U)``;
stops when the initial residuals are below 1e-6 (p) and 1e-7 (U) via ``residualControl``.

Reported: process wall time and peak RSS, SIMPLE iterations, pressure drop, and f·Re in the
developed region (slope of the section-mean pressure between x = 0.5 L and 0.875 L), to compare with
the Shah & London value f·Re = 15.548 (Fanning) for aspect ratio 0.5.

    python -m benchmarks.openfoam.duct_simplefoam --cells 1.6e5,5.4e5 --np 1,2
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import cache_dir, markdown_table, print_header
from benchmarks.openfoam import foam

L, W, H = 0.040, 0.002, 0.001
NU = 1.0e-6
U_IN = 0.1
RHO_REPORT = 1000.0  # only to quote the drop in Pa; simpleFoam's p is kinematic (p/rho)
FRE_EXACT = 15.548  # Shah & London, Fanning, aspect ratio 0.5
DEVELOPED = (0.5, 0.875)  # fraction of L used for the developed-flow pressure gradient
P_TOL = 1e-6
U_TOL = 1e-7


def n_for_cells(cells: float) -> int:
    """Cross-section resolution n for a target count (cells = 10n * 2n * n)."""
    return max(2, round((cells / 20.0) ** (1.0 / 3.0)))


def write_case(case: Path, n: int, max_iter: int = 20000, p_rel_tol: float = 0.01) -> None:
    nx, ny, nz = 10 * n, 2 * n, n
    foam.write_file(
        case,
        "system/blockMeshDict",
        "dictionary",
        f"""
convertToMeters 1;
vertices
(
    (0 0 0) ({L:g} 0 0) ({L:g} {W:g} 0) (0 {W:g} 0)
    (0 0 {H:g}) ({L:g} 0 {H:g}) ({L:g} {W:g} {H:g}) (0 {W:g} {H:g})
);
blocks ( hex (0 1 2 3 4 5 6 7) ({nx} {ny} {nz}) simpleGrading (1 1 1) );
edges ();
boundary
(
    inlet  {{ type patch; faces ((0 4 7 3)); }}
    outlet {{ type patch; faces ((1 2 6 5)); }}
    walls  {{ type wall;  faces ((0 1 5 4) (3 7 6 2) (0 3 2 1) (4 5 6 7)); }}
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
writePrecision  10;
writeCompression off;
timeFormat      general;
timePrecision   6;
runTimeModifiable false;
profiling {{ active true; cpuInfo false; memInfo false; sysInfo false; }}
""",
    )
    foam.write_file(
        case,
        "system/fvSolution",
        "dictionary",
        f"""
solvers
{{
    p
    {{
        solver          GAMG;
        smoother        DIC;
        tolerance       1e-9;
        relTol          {p_rel_tol:g};
    }}
    U
    {{
        solver          smoothSolver;
        smoother        symGaussSeidel;
        tolerance       1e-10;
        relTol          0.1;
    }}
}}
SIMPLE
{{
    nNonOrthogonalCorrectors 0;
    consistent      yes;
    residualControl
    {{
        p               {P_TOL:g};
        U               {U_TOL:g};
    }}
}}
relaxationFactors
{{
    equations
    {{
        U               0.9;
        ".*"            0.9;
    }}
}}
""",
    )
    foam.write_laminar_simplefoam_setup(case, NU)
    foam.write_file(
        case,
        "0/U",
        "volVectorField",
        f"""
dimensions      [0 1 -1 0 0 0 0];
internalField   uniform (0 0 0);
boundaryField
{{
    inlet  {{ type fixedValue; value uniform ({U_IN:g} 0 0); }}
    outlet {{ type zeroGradient; }}
    walls  {{ type noSlip; }}
}}
""",
    )
    foam.write_file(
        case,
        "0/p",
        "volScalarField",
        """
dimensions      [0 2 -2 0 0 0 0];
internalField   uniform 0;
boundaryField
{
    inlet  { type zeroGradient; }
    outlet { type fixedValue; value uniform 0; }
    walls  { type zeroGradient; }
}
""",
    )


def analyse(case: Path, n: int) -> dict[str, float]:
    """Pressure drop and developed-region f·Re from the reconstructed (or serial) p field.

    blockMesh numbers the cells of a single block x-fastest, then y, then z, so the field reshapes
    to (z, y, x); for a decomposed case the processor fields are read in rank order, which with
    ``simple`` (n 2 1 1) decomposition is x-halves, so each is reshaped separately and joined in x.
    """
    nx, ny, nz = 10 * n, 2 * n, n
    procs = sorted(case.glob("processor*"), key=lambda p: int(p.name[len("processor") :]))
    roots = procs or [case]
    last = foam.time_dirs(roots[0])[-1]
    parts = []
    for r in roots:
        p_int, _ = foam.read_field(r / last / "p")
        arr = np.atleast_1d(np.asarray(p_int, dtype=float))
        parts.append(arr.reshape(nz, ny, arr.size // (nz * ny)))
    p = np.concatenate(parts, axis=2)
    assert p.shape == (nz, ny, nx)
    dx = L / nx
    x = (np.arange(nx) + 0.5) * dx
    p_sec = p.mean(axis=(0, 1))  # uniform cells: plain mean = area mean
    sel = (x >= DEVELOPED[0] * L) & (x <= DEVELOPED[1] * L)
    slope = float(np.polyfit(x[sel], p_sec[sel], 1)[0])
    dh = 4.0 * W * H / (2.0 * (W + H))
    f_re = -slope * dh**2 / (2.0 * U_IN * NU)
    # inlet pressure: extrapolate the first two section means to x = 0 (inlet p is zeroGradient)
    p_inlet = float(p_sec[0] - (p_sec[1] - p_sec[0]) / 2.0)
    return {
        "dp_kin_m2s2": p_inlet,
        "dp_Pa_rho1000": p_inlet * RHO_REPORT,
        "dpdx_developed_Pa_m_rho1000": slope * RHO_REPORT,
        "fRe": f_re,
        "fRe_err_rel": (f_re - FRE_EXACT) / FRE_EXACT,
        "Re": U_IN * dh / NU,
        "cells": float(nx * ny * nz),
    }


def run(
    cells: float, *, nprocs: int = 1, root: Path | None = None, p_rel_tol: float = 0.01
) -> dict[str, Any]:
    n = n_for_cells(cells)
    case = (root or cache_dir("openfoam")) / f"duct_n{n}_np{nprocs}"
    t0 = time.perf_counter()
    foam.clean_case(case)
    write_case(case, n, p_rel_tol=p_rel_tol)
    foam.run_util(case, ["blockMesh"])
    if nprocs > 1:
        foam.write_decompose_dict(case, nprocs)
        foam.run_util(case, ["decomposePar", "-force"])
    prep_s = time.perf_counter() - t0
    timed, log = foam.run_solver(case, "simpleFoam", nprocs)
    lines = foam.solve_lines(log)
    p_lines = [s for s in lines if s.field == "p"]
    u_lines = [s for s in lines if s.field.startswith("U")]
    iters = len(p_lines)  # one pressure solve per SIMPLE iteration (no non-orthogonal correctors)
    converged = "SIMPLE solution converged" in log
    exec_s, clock_s = foam.execution_times(log)
    out: dict[str, Any] = {
        "case": "duct",
        "n": n,
        "np": nprocs,
        "wall_s": timed.wall_s,
        "cpu_s": timed.user_s + timed.sys_s,  # all ranks (mpirun reaps them); MPI waits spin
        "max_rss_mb": timed.max_rss_mb,
        "tree_rss_mb": timed.extra.get("tree_rss_mb", float("nan")),
        "exec_cpu_s": exec_s,
        "clock_s": clock_s,
        "simple_iterations": iters,
        "converged": converged,
        "p_linear_iterations": sum(s.iterations for s in p_lines),
        "U_linear_iterations": sum(s.iterations for s in u_lines),
        "p_initial_residual_last": p_lines[-1].initial if p_lines else float("nan"),
        "U_initial_residual_last": max((s.initial for s in u_lines[-3:]), default=float("nan")),
        "prep_s": prep_s,
        "case_dir": str(case),
    }
    out.update(analyse(case, n))
    out["bytes_per_cell"] = out["tree_rss_mb"] * 1024**2 / out["cells"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="simpleFoam laminar duct reference runs")
    ap.add_argument("--cells", default="1.6e5", help="comma-separated target cell counts (1.6e5, 5.4e5)")
    ap.add_argument("--np", default="1,2", help="comma-separated MPI rank counts")
    ap.add_argument("--json", help="also write the result rows to this file")
    args = ap.parse_args()
    print_header(f"simpleFoam laminar duct (OpenFOAM {foam.foam_version()})")
    rows = []
    for cells in (float(s) for s in args.cells.split(",")):
        for nprocs in (int(s) for s in args.np.split(",")):
            r = run(cells, nprocs=nprocs)
            rows.append(r)
            print(
                f"cells {r['cells']:.0f} np={nprocs}: wall {r['wall_s']:.1f} s, {r['simple_iterations']} it "
                f"(converged {r['converged']}), RSS {r['tree_rss_mb']:.0f} MB, fRe {r['fRe']:.3f}",
                flush=True,
            )
    cols = [
        "cells",
        "np",
        "wall_s",
        "clock_s",
        "simple_iterations",
        "converged",
        "p_linear_iterations",
        "tree_rss_mb",
        "bytes_per_cell",
        "dp_Pa_rho1000",
        "fRe",
        "fRe_err_rel",
    ]
    print(markdown_table(rows, cols))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
