"""OpenFOAM chtMultiRegionSimpleFoam reference run: one cold-plate channel unit.

Geometry (x along the flow, 20 mm long): across y, a 0.5 mm copper half-fin, a 1 mm water channel
and another 0.5 mm half-fin (the y = 0 and y = 2 mm planes are symmetry planes of a fin array);
vertically, a 1 mm copper base (z 0..1 mm) under a 2 mm channel layer (z 1..3 mm) closed by an
adiabatic lid.  Copper k = 400 W/m/K; water rho 997 kg/m^3, cp 4179 J/kg/K, mu 8.55e-4 Pa s,
k 0.613 W/m/K (Pr 5.83).  5e5 W/m^2 into the bottom (20 W on 20 x 2 mm), inlet 0.5 m/s at 300 K,
outlet fixed pressure, every other face adiabatic (no-slip for the water).

Mesh: blockMesh, 3 (y) x 2 (z) blocks, each block a cell zone (``solid`` / ``fluid``), split with
``splitMeshRegions -cellZonesOnly -overwrite``; n cells per mm across and up (n even so a half-fin
holds whole cells), nx along: 1.5e4 -> n 6, nx 69 (14,904 cells); 1.2e5 -> 0.1 mm cubes (120,000).

Schemes: first-order upwind for U and h (openfoam.md: linearUpwind undershoots the inlet
temperature by ~15 K here, bounded limitedLinear stalls near 1e-4).  chtMultiRegionSimpleFoam has
no residual stop of its own: a ``runTimeControl`` function object per region ends the run when
every equation's initial residual is below its threshold (one condition per field, ``mode
minimum``, a shared ``groupID`` so all must hold).

    python -m benchmarks.openfoam.channel_cht --cells 1.5e4,1.2e5 --np 1,2
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

L = 0.020
FIN = 0.0005
CHANNEL = 0.001
BASE = 0.001
LAYER = 0.002
WIDTH = 2 * FIN + CHANNEL
HEIGHT = BASE + LAYER
K_SOLID = 400.0
RHO, CP, MU, K_FLUID = 997.0, 4179.0, 8.55e-4, 0.613
Q_BOTTOM = 5.0e5
U_IN = 0.5
T_IN = 300.0
P_OUT = 1.0e5
TOL = {"fluid": {"p_rgh": 1e-6, "U": 1e-6, "h": 1e-7}, "solid": {"h": 1e-7}}
PATCHES = ("heated", "inlet", "outlet", "solid_ends", "sides", "lid", "fin_tops")
_PLAIN_SCHEMES = """
ddtSchemes { default steadyState; }
gradSchemes { default Gauss linear; }
divSchemes { default none; }
laplacianSchemes { default Gauss linear corrected; }
interpolationSchemes { default linear; }
snGradSchemes { default corrected; }
"""


def grid_for_cells(cells: float) -> tuple[int, int]:
    """(n, nx) for about ``cells`` cells: n cells per mm across and up (even, so a 0.5 mm half-fin
    holds n/2), nx along the 20 mm; cells = nx * 2n * 3n.  1.5e4 -> (6, 69): 14,904 cells;
    1.2e5 -> (10, 200): 0.1 mm cubes, 120,000 cells."""
    n_cube = (cells / (WIDTH * HEIGHT * L * 1e9)) ** (1.0 / 3.0)  # cells per mm for cubes
    n = 2 * max(1, int(n_cube / 2.0 + 0.5 + 1e-9))  # halves round up: 5.0 per mm -> 6
    nx = max(1, round(cells / (6 * n * n)))
    return n, nx


def write_case(case: Path, n: int, nx: int, max_iter: int = 5000) -> None:
    ys = (0.0, FIN, FIN + CHANNEL, WIDTH)
    zs = (0.0, BASE, HEIGHT)
    ny = [n // 2, n, n // 2]
    nz = [n, 2 * n]

    def v(i: int, j: int, k: int) -> int:
        return i + 2 * j + 8 * k

    verts = "\n".join(f"    ({x:g} {y:g} {z:g})" for z in zs for y in ys for x in (0.0, L))
    blocks = []
    faces: dict[str, list[tuple[int, ...]]] = {p: [] for p in PATCHES}
    for k in range(2):
        for j in range(3):
            c = [v(0, j, k), v(1, j, k), v(1, j + 1, k), v(0, j + 1, k)]
            c += [v(0, j, k + 1), v(1, j, k + 1), v(1, j + 1, k + 1), v(0, j + 1, k + 1)]
            fluid = (j, k) == (1, 1)
            zone = "fluid" if fluid else "solid"
            blocks.append(
                f"    hex ({' '.join(map(str, c))}) {zone} ({nx} {ny[j]} {nz[k]}) simpleGrading (1 1 1)"
            )
            x0, x1 = (c[0], c[3], c[7], c[4]), (c[1], c[5], c[6], c[2])
            faces["inlet" if fluid else "solid_ends"].append(x0)
            faces["outlet" if fluid else "solid_ends"].append(x1)
            if k == 0:
                faces["heated"].append((c[0], c[1], c[2], c[3]))
            if k == 1:
                faces["lid" if fluid else "fin_tops"].append((c[4], c[7], c[6], c[5]))
            if j == 0:
                faces["sides"].append((c[0], c[4], c[5], c[1]))
            if j == 2:
                faces["sides"].append((c[3], c[2], c[6], c[7]))

    def patch(name: str) -> str:
        kind = "wall" if name not in ("inlet", "outlet") else "patch"
        fs = " ".join(f"({' '.join(map(str, f))})" for f in faces[name])
        return f"    {name} {{ type {kind}; faces ({fs}); }}"

    foam.write_file(
        case,
        "system/blockMeshDict",
        "dictionary",
        f"convertToMeters 1;\nvertices\n(\n{verts}\n);\nblocks\n(\n"
        + "\n".join(blocks)
        + "\n);\nedges ();\nboundary\n(\n"
        + "\n".join(patch(p) for p in PATCHES)
        + "\n);\nmergePatchPairs ();\n",
    )
    stop = []
    for region, fields in TOL.items():
        conds = "\n".join(
            f"            c_{f} {{ type equationInitialResidual; fields ({f}); value {tol:g}; "
            f"mode minimum; groupID 1; }}"
            for f, tol in fields.items()
        )
        stop.append(
            f"    stop_{region}\n    {{\n        type runTimeControl;\n        libs (utilityFunctionObjects);\n"
            f"        region {region};\n        conditions\n        {{\n{conds}\n        }}\n"
            f"        satisfiedAction end;\n    }}"
        )
    foam.write_file(
        case,
        "system/controlDict",
        "dictionary",
        f"""
application     chtMultiRegionSimpleFoam;
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
functions
{{
{chr(10).join(stop[:1])}
}}
""",
    )
    # only the fluid region's control ends the run: the solid energy residual follows the fluid's
    # (it is driven by the coupled interface temperature) and a second, independent stop would end
    # the run as soon as either region alone is converged.
    # top-level schemes/solution: only read by the mesh utilities (splitMeshRegions), not the solver
    foam.write_file(case, "system/fvSchemes", "dictionary", _PLAIN_SCHEMES)
    foam.write_file(case, "system/fvSolution", "dictionary", "")
    foam.write_file(
        case, "constant/regionProperties", "dictionary", "regions ( fluid (fluid) solid (solid) );\n"
    )
    foam.write_file(
        case, "constant/g", "uniformDimensionedVectorField", "dimensions [0 1 -2 0 0 0 0];\nvalue (0 0 0);\n"
    )
    foam.write_file(
        case,
        "constant/fluid/thermophysicalProperties",
        "dictionary",
        f"""
thermoType
{{
    type heRhoThermo; mixture pureMixture; transport const; thermo hConst;
    equationOfState rhoConst; specie specie; energy sensibleEnthalpy;
}}
mixture
{{
    specie {{ molWeight 18; }}
    equationOfState {{ rho {RHO:g}; }}
    thermodynamics {{ Cp {CP:g}; Hf 0; }}
    transport {{ mu {MU:g}; Pr {CP * MU / K_FLUID:.6g}; }}
}}
""",
    )
    foam.write_file(case, "constant/fluid/turbulenceProperties", "dictionary", "simulationType laminar;\n")
    foam.write_file(
        case, "constant/fluid/radiationProperties", "dictionary", "radiation off;\nradiationModel none;\n"
    )
    foam.write_file(
        case,
        "constant/solid/thermophysicalProperties",
        "dictionary",
        f"""
thermoType
{{
    type heSolidThermo; mixture pureMixture; transport constIso; thermo hConst;
    equationOfState rhoConst; specie specie; energy sensibleEnthalpy;
}}
mixture
{{
    specie {{ molWeight 63.5; }}
    transport {{ kappa {K_SOLID:g}; }}
    thermodynamics {{ Hf 0; Cp 385; }}
    equationOfState {{ rho 8960; }}
}}
""",
    )
    foam.write_file(
        case, "constant/solid/radiationProperties", "dictionary", "radiation off;\nradiationModel none;\n"
    )
    foam.write_file(
        case,
        "system/fluid/fvSchemes",
        "dictionary",
        """
ddtSchemes { default steadyState; }
gradSchemes { default Gauss linear; }
divSchemes
{
    default         none;
    div(phi,U)      bounded Gauss upwind;
    div(phi,h)      bounded Gauss upwind;
    div(phi,K)      bounded Gauss upwind;
    div(((rho*nuEff)*dev2(T(grad(U))))) Gauss linear;
}
laplacianSchemes { default Gauss linear corrected; }
interpolationSchemes { default linear; }
snGradSchemes { default corrected; }
""",
    )
    foam.write_file(
        case,
        "system/fluid/fvSolution",
        "dictionary",
        """
solvers
{
    p_rgh { solver GAMG; smoother DIC; tolerance 1e-9; relTol 0.01; }
    "(U|h)" { solver PBiCGStab; preconditioner DILU; tolerance 1e-10; relTol 0.1; }
}
SIMPLE
{
    momentumPredictor yes;
    nNonOrthogonalCorrectors 0;
}
relaxationFactors
{
    fields { rho 1; p_rgh 0.7; }
    equations { U 0.7; h 0.9; }
}
""",
    )
    foam.write_file(case, "system/solid/fvSchemes", "dictionary", _PLAIN_SCHEMES)
    foam.write_file(
        case,
        "system/solid/fvSolution",
        "dictionary",
        """
solvers
{
    h { solver PCG; preconditioner DIC; tolerance 1e-10; relTol 0.1; }
}
SIMPLE { nNonOrthogonalCorrectors 0; }
relaxationFactors { equations { h 1; } }
""",
    )


def write_fields(case: Path, q_bottom: float = Q_BOTTOM) -> None:
    """Initial fields per region (``q_bottom`` W/m² into the bottom); written after
    splitMeshRegions, which would otherwise map (and overwrite) whatever is in 0/."""
    coupled_fluid = (
        "type compressible::turbulentTemperatureCoupledBaffleMixed; Tnbr T; kappaMethod fluidThermo; "
        f"value uniform {T_IN:g};"
    )
    coupled_solid = (
        "type compressible::turbulentTemperatureCoupledBaffleMixed; Tnbr T; kappaMethod solidThermo; "
        f"value uniform {T_IN:g};"
    )

    def field(rel: str, cls: str, dims: str, internal: str, bcs: dict[str, str]) -> None:
        # only the catch-all is a (quoted) regex: literal names take precedence over patterns,
        # while among quoted patterns the LAST one listed wins
        body = "\n".join(
            f"    {k if k.isidentifier() else repr(k).replace(chr(39), chr(34))} {{ {v} }}"
            for k, v in bcs.items()
        )
        foam.write_file(
            case,
            rel,
            cls,
            f"dimensions {dims};\ninternalField uniform {internal};\nboundaryField\n{{\n{body}\n}}\n",
        )

    wall_t = "type zeroGradient;"
    field(
        "0/fluid/U",
        "volVectorField",
        "[0 1 -1 0 0 0 0]",
        "(0 0 0)",
        {
            "inlet": f"type fixedValue; value uniform ({U_IN:g} 0 0);",
            "outlet": "type inletOutlet; inletValue uniform (0 0 0); value uniform (0 0 0);",
            ".*": "type noSlip;",
        },
    )
    field(
        "0/fluid/T",
        "volScalarField",
        "[0 0 0 1 0 0 0]",
        f"{T_IN:g}",
        {
            "inlet": f"type fixedValue; value uniform {T_IN:g};",
            "outlet": f"type inletOutlet; inletValue uniform {T_IN:g}; value uniform {T_IN:g};",
            "fluid_to_solid": coupled_fluid,
            ".*": wall_t,
        },
    )
    field(
        "0/fluid/p_rgh",
        "volScalarField",
        "[1 -1 -2 0 0 0 0]",
        f"{P_OUT:g}",
        {
            "outlet": f"type fixedValue; value uniform {P_OUT:g};",
            ".*": "type fixedFluxPressure; value uniform 1e5;",
        },
    )
    field(
        "0/fluid/p",
        "volScalarField",
        "[1 -1 -2 0 0 0 0]",
        f"{P_OUT:g}",
        {".*": f"type calculated; value uniform {P_OUT:g};"},
    )
    field(
        "0/solid/T",
        "volScalarField",
        "[0 0 0 1 0 0 0]",
        f"{T_IN:g}",
        {
            "heated": f"type externalWallHeatFluxTemperature; mode flux; q uniform {q_bottom:.10g}; "
            f"kappaMethod solidThermo; value uniform {T_IN:g};",
            "solid_to_fluid": coupled_solid,
            ".*": wall_t,
        },
    )
    field(
        "0/solid/p",
        "volScalarField",
        "[1 -1 -2 0 0 0 0]",
        f"{P_OUT:g}",
        {".*": f"type calculated; value uniform {P_OUT:g};"},
    )


def prepare(case: Path, n: int, nx: int, nprocs: int, q_bottom: float = Q_BOTTOM) -> None:
    foam.clean_case(case)
    write_case(case, n, nx)
    foam.run_util(case, ["blockMesh"])
    foam.run_util(case, ["splitMeshRegions", "-cellZonesOnly", "-overwrite"])
    write_fields(case, q_bottom)
    if nprocs > 1:
        foam.write_decompose_dict(case, nprocs)
        for region in ("fluid", "solid"):  # decomposePar -allRegions reads one per region
            d = case / "system" / region / "decomposeParDict"
            d.write_text((case / "system" / "decomposeParDict").read_text())
        foam.run_util(case, ["decomposePar", "-allRegions", "-force"], log_name="decomposePar")


def _region_values(
    case: Path, time_name: str, region: str, field: str
) -> tuple[np.ndarray, dict[str, list[dict]]]:
    procs = sorted(case.glob("processor*"), key=lambda p: int(p.name[len("processor") :]))
    roots = procs or [case]
    internals: list[np.ndarray] = []
    patches: dict[str, list[dict]] = {}
    for r in roots:
        vals, pts = foam.read_field(r / time_name / region / field)
        internals.append(np.atleast_1d(np.asarray(vals, dtype=float)))
        for k, v in pts.items():
            patches.setdefault(k, []).append(v)
    return np.concatenate(internals), patches


def _patch_array(entries: list[dict], key: str) -> np.ndarray:
    return np.concatenate([np.atleast_1d(np.asarray(e[key], dtype=float)) for e in entries if key in e])


def analyse(case: Path) -> dict[str, float]:
    """Max solid temperature, outlet mixed-mean (bulk) temperature and pressure drop.

    Uniform cells: every inlet/outlet face has the same area, so the flux-weighted mean is the
    U_x-weighted mean of the face values.
    """
    procs = sorted(case.glob("processor*"))
    last = foam.time_dirs(procs[0] if procs else case)[-1]
    ts, _ = _region_values(case, last, "solid", "T")
    _, tf_p = _region_values(case, last, "fluid", "T")
    _, u_p = _region_values(case, last, "fluid", "U")
    _, p_p = _region_values(case, last, "fluid", "p")
    t_out = _patch_array(tf_p["outlet"], "value")
    u_out = np.concatenate(
        [
            np.asarray(e["value"], dtype=float).reshape(-1, 3)
            for e in u_p["outlet"]
            if np.size(e.get("value", [])) > 1
        ]
    )
    ux = u_out[:, 0] if len(u_out) == len(t_out) else np.ones_like(t_out)
    t_mixed = float(np.sum(ux * t_out) / np.sum(ux))
    p_in = float(_patch_array(p_p["inlet"], "value").mean())
    p_out = float(_patch_array(p_p["outlet"], "value").mean())
    power = Q_BOTTOM * L * WIDTH
    t_mixed_expected = T_IN + power / (RHO * CP * U_IN * CHANNEL * LAYER)
    return {
        "T_solid_max_K": float(ts.max()),
        "T_out_mixed_K": t_mixed,
        "T_out_expected_K": t_mixed_expected,  # energy balance: T_in + P / (m_dot cp)
        "dP_Pa": p_in - p_out,
        "cells_solid": float(ts.size),
    }


def _last_index(lines: list[foam.SolveLine], field: str) -> int:
    """Offset from the end of the last solve line of ``field``."""
    for i, s in enumerate(reversed(lines)):
        if s.field == field:
            return i
    raise ValueError(f"no {field} solve in the log")


def run(cells: float, *, nprocs: int = 1, root: Path | None = None) -> dict[str, Any]:
    n, nx = grid_for_cells(cells)
    case = (root or cache_dir("openfoam")) / f"cht_n{n}_nx{nx}_np{nprocs}"
    t0 = time.perf_counter()
    prepare(case, n, nx, nprocs)
    prep_s = time.perf_counter() - t0
    timed, log = foam.run_solver(case, "chtMultiRegionSimpleFoam", nprocs)
    lines = foam.solve_lines(log)
    n_iter = len([s for s in lines if s.field == "p_rgh"])
    ncells = nx * 2 * n * 3 * n
    out: dict[str, Any] = {
        "case": "channel_cht",
        "cells_per_mm": n,
        "nx": nx,
        "cells": ncells,
        "np": nprocs,
        "wall_s": timed.wall_s,
        "cpu_s": timed.user_s + timed.sys_s,  # all ranks (mpirun reaps them); MPI waits spin
        "max_rss_mb": timed.max_rss_mb,
        "tree_rss_mb": timed.extra.get("tree_rss_mb", float("nan")),
        "iterations": n_iter,
        "stopped_by_control": "satisfied" in log.lower() or "stopping" in log.lower(),
        # initial residuals of the last iteration: fluid p_rgh, U (max component), fluid h and
        # solid h (the solid solve comes after the fluid's in each iteration)
        "res_p_rgh": lines[-1 - _last_index(lines, "p_rgh")].initial if lines else float("nan"),
        "res_U": max((s.initial for s in lines[-8:] if s.field in ("Ux", "Uy", "Uz")), default=float("nan")),
        "res_h_fluid": [s.initial for s in lines if s.field == "h"][-2] if lines else float("nan"),
        "res_h_solid": [s.initial for s in lines if s.field == "h"][-1] if lines else float("nan"),
        "prep_s": prep_s,
        "case_dir": str(case),
    }
    out.update(analyse(case))
    out["bytes_per_cell"] = out["tree_rss_mb"] * 1024**2 / ncells
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="chtMultiRegionSimpleFoam channel-unit reference runs")
    ap.add_argument("--cells", default="1.5e4", help="comma-separated target cell counts (1.5e4, 1.2e5)")
    ap.add_argument("--np", default="1,2", help="comma-separated MPI rank counts")
    ap.add_argument("--json", help="also write the result rows to this file")
    args = ap.parse_args()
    print_header(f"chtMultiRegionSimpleFoam channel unit (OpenFOAM {foam.foam_version()})")
    rows = []
    for cells in (float(s) for s in args.cells.split(",")):
        for nprocs in (int(s) for s in args.np.split(",")):
            r = run(cells, nprocs=nprocs)
            rows.append(r)
            print(
                f"cells {r['cells']} np={nprocs}: wall {r['wall_s']:.1f} s, {r['iterations']} it, "
                f"RSS {r['tree_rss_mb']:.0f} MB, Tsolid max {r['T_solid_max_K']:.3f} K, "
                f"T_out {r['T_out_mixed_K']:.3f} K (balance {r['T_out_expected_K']:.3f}), dP {r['dP_Pa']:.1f} Pa",
                flush=True,
            )
    cols = [
        "cells",
        "np",
        "wall_s",
        "iterations",
        "res_U",
        "res_h_solid",
        "tree_rss_mb",
        "bytes_per_cell",
        "T_solid_max_K",
        "T_out_mixed_K",
        "T_out_expected_K",
        "dP_Pa",
    ]
    print(markdown_table(rows, cols))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
