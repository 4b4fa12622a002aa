"""OpenFOAM simpleFoam kOmegaSST reference on a turbulent corpus serpentine plate (issue 17): the
coolant flow on the identical mesh rackflow loads, at a turbulent design point.

Mesh: as :mod:`benchmarks.openfoam.corpus_simplefoam` (``make_mesh``: the corpus generator at
``target_cells``/``cells``, gmsh msh 2.2, ``gmshToFoam``, ``splitMeshRegions -cellZonesOnly
-overwrite``, the coolant region ``fluid`` alone with its interfaces to the metal as no-slip
walls); the msh file's SHA-256 is recorded. ``cells="prism"`` sweeps the channel layer as 8
layers of prisms graded 1.25 from floor and lid (the side walls of the channel get none).

Design point (``DESIGN``): the corpus serpentine (one 4 × 2.5 mm channel, D_h 3.08 mm, five runs
and four bends) with PG25 at 35 °C, constant properties from rackflow's coolant library, at
1.8 L/min: 3.0 m/s, channel Re ≈ 6,060 (the corpus design point, 0.4 L/min, is laminar).

Physics, both codes: incompressible, uniform inlet velocity for the flow rate
(``flowRateInletVelocity``), inlet k = 1.5 (I U)² with I = 5 % and ω = √k / (C_μ^¼ L) with
L = 0.07 D_h of the inlet patch (4A/P from the mesh: rackflow's defaults); outlet p = 0, zero
gradient for U, k, ω. Walls: OpenFOAM's automatic switch ``kqRWallFunction``,
``omegaWallFunction`` (``blended false``), ``nutkWallFunction``, which is what rackflow's
automatic wall treatment implements (its module documentation).

OpenFOAM settings (``SETTINGS``, the expert's choice on these meshes): SIMPLEC (``consistent``),
U 0.9 and k, ω 0.7 (or SIMPLE p 0.3 / U 0.7 / k, ω 0.5), ``bounded Gauss linearUpwind grad(U)``
on ``cellLimited leastSquares 1`` (rackflow's bounded second order: least-squares gradient,
Barth–Jespersen limiter), ``bounded Gauss upwind`` for k and ω (as rackflow), ``Gauss linear
limited corrected 0.5`` laplacians, one non-orthogonal corrector, ``meshWave`` wall distance
with near-wall correction; p by GAMG/DIC, U, k, ω by symmetric Gauss–Seidel. Converged when the
initial residuals are below ``RESIDUAL_TOL`` (``residualControl``); the area-mean static ΔP is
sampled every 10 iterations so a run stopped at the iteration limit can still be judged.

Reported: ΔP as ``Result.pressure_drop_pa`` (area-weighted mean total pressure p + ρ|u|²/2,
inlet minus outlet) and the static drop, y⁺ per wall patch (OpenFOAM's ``yPlus`` function
object: min / mean / max), SIMPLE iterations, wall time, peak memory, last residuals.

    python -m benchmarks.openfoam.corpus_sst --json tests/validation/reference/corpus_sst.json
    python -m benchmarks.openfoam.corpus_sst --duct 1.8,5.4 [--duct-cells 60,16,10]

``--rackflow`` runs rackflow on the same mesh and design point too (``turbulence="k-omega-sst"``,
default settings, one thread) and prints both.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import cache_dir, print_header
from benchmarks.openfoam import foam
from benchmarks.openfoam.corpus_simplefoam import (
    _fluid_boundary,
    dp_history,
    make_mesh,
    pressure_drops,
    settled,
)

#: The turbulent design point of the serpentine plate.
DESIGN: dict[str, Any] = {
    "plate": "serpentine",
    "coolant": "PG25",
    "inlet_temperature_c": 35.0,
    "flow_lpm": 1.8,
    "turbulence_intensity": 0.05,
    "length_scale_fraction_of_dh": 0.07,
}
C_MU = 0.09
RESIDUAL_TOL = {"p": 1e-6, "U": 1e-6, "k": 1e-6, "omega": 1e-6}

_COMMON = {
    "grad_U": "cellLimited leastSquares 1",
    "div_U": "bounded Gauss linearUpwind grad(U)",
    "div_turb": "bounded Gauss upwind",
}
#: name -> schemes and relaxation (SIMPLEC when ``consistent``)
SETTINGS: dict[str, dict[str, Any]] = {
    "simplec": {**_COMMON, "consistent": True, "p": 1.0, "U": 0.9, "turb": 0.7},
    "simple": {**_COMMON, "consistent": False, "p": 0.3, "U": 0.7, "turb": 0.5},
    "simple-upwind": {
        **_COMMON,
        "div_U": "bounded Gauss upwind",
        "consistent": False,
        "p": 0.3,
        "U": 0.7,
        "turb": 0.5,
    },
}
N_NON_ORTH = 1


def properties(coolant: str, temperature_c: float) -> dict[str, float]:
    import rackflow as rf

    return {k: float(v) for k, v in rf.get_coolant(coolant).properties(temperature_c).items()}


def inlet_turbulence(msh: Path, flow_lpm: float) -> dict[str, float]:
    """Inlet speed, D_h (4A/P of the inlet patch on the mesh), mixing length, k and ω, exactly as
    rackflow forms its defaults (``Case.inlet``)."""
    import rackflow as rf

    mesh = rf.load_mesh(msh)
    area = mesh.patch_area("inlet")
    dh = 4.0 * area / mesh.patch_perimeter("inlet")
    speed = flow_lpm / 60000.0 / area
    length = DESIGN["length_scale_fraction_of_dh"] * dh
    k = 1.5 * (DESIGN["turbulence_intensity"] * speed) ** 2
    omega = np.sqrt(k) / (C_MU**0.25 * length)
    return {
        "inlet_area_m2": area,
        "hydraulic_diameter_m": dh,
        "speed_m_s": speed,
        "mixing_length_m": length,
        "k_m2_s2": k,
        "omega_1_s": float(omega),
    }


def write_case(
    case: Path,
    mesh_root: Path,
    setting: str,
    max_iter: int,
    props: dict[str, float],
    inlet: dict[str, float],
    flow_lpm: float | None = None,
    residual_tol: dict[str, float] | None = None,
    outlets: tuple[str, ...] = ("outlet",),
) -> list[str]:
    """The simpleFoam kOmegaSST case of the coolant region (at ``flow_lpm``, default the design
    flow; stopping at ``residual_tol``, default ``RESIDUAL_TOL``; every patch of ``outlets`` at
    p = 0); returns the wall patch names (the corpus interfaces and any patch of type wall)."""
    s = SETTINGS[setting]
    foam.clean_case(case)
    src = mesh_root / "foam" / "constant" / "fluid" / "polyMesh"
    dst = case / "constant" / "polyMesh"
    dst.mkdir(parents=True)
    for name in ("points", "faces", "owner", "neighbour"):
        shutil.copy(src / name, dst / name)
    text, _ = _fluid_boundary((src / "boundary").read_text())
    (dst / "boundary").write_text(text)
    walls = re.findall(r"^\s{4}(\w+)\s*\n\s{4}\{[^}]*type\s+wall;", text, re.M)
    sample = "\n".join(
        f"    dp_{p}\n    {{\n        type surfaceFieldValue;\n        libs (fieldFunctionObjects);\n"
        f"        regionType patch;\n        name {p};\n        operation areaAverage;\n        fields (p);\n"
        "        writeFields false;\n        log false;\n        executeControl timeStep;\n        executeInterval 10;\n"
        "        writeControl timeStep;\n        writeInterval 10;\n    }"
        for p in ("inlet", *outlets)
    )
    # initial residuals on disk while the run goes (the log is only read at the end)
    sample += (
        "\n    residuals\n    {\n        type solverInfo;\n        libs (utilityFunctionObjects);\n"
        "        fields (p U k omega);\n        writeResidualFields no;\n    }"
    )
    foam.write_control_dict(case, "simpleFoam", max_iter, functions=sample)
    tols = "\n".join(f"        {k} {v:g};" for k, v in (residual_tol or RESIDUAL_TOL).items())
    relax_p = f"fields {{ p {s['p']:g}; }}" if s["p"] < 1.0 else ""
    foam.write_file(
        case,
        "system/fvSolution",
        "dictionary",
        f"""
solvers
{{
    p {{ solver GAMG; smoother DIC; tolerance 1e-10; relTol 0.05; }}
    "(U|k|omega)" {{ solver smoothSolver; smoother symGaussSeidel; tolerance 1e-14; relTol 0.1; }}
}}
SIMPLE
{{
    nNonOrthogonalCorrectors {N_NON_ORTH};
    consistent      {"yes" if s["consistent"] else "no"};
    residualControl
    {{
{tols}
    }}
}}
relaxationFactors
{{
    {relax_p}
    equations {{ U {s["U"]:g}; k {s["turb"]:g}; omega {s["turb"]:g}; }}
}}
""",
    )
    foam.write_file(
        case,
        "system/fvSchemes",
        "dictionary",
        f"""
ddtSchemes {{ default steadyState; }}
gradSchemes {{ default Gauss linear; grad(U) {s["grad_U"]}; }}
divSchemes
{{
    default         none;
    div(phi,U)      {s["div_U"]};
    div(phi,k)      {s["div_turb"]};
    div(phi,omega)  {s["div_turb"]};
    div((nuEff*dev2(T(grad(U))))) Gauss linear;
}}
laplacianSchemes {{ default Gauss linear limited corrected 0.5; }}
interpolationSchemes {{ default linear; }}
snGradSchemes {{ default limited corrected 0.5; }}
wallDist {{ method meshWave; correctWalls true; }}
""",
    )
    nu = props["viscosity_pa_s"] / props["density_kg_m3"]
    foam.write_file(
        case, "constant/transportProperties", "dictionary", f"transportModel Newtonian;\nnu {nu:.10g};\n"
    )
    foam.write_file(
        case,
        "constant/turbulenceProperties",
        "dictionary",
        "simulationType RAS;\nRAS { RASModel kOmegaSST; turbulence on; printCoeffs on; }\n",
    )
    q = (DESIGN["flow_lpm"] if flow_lpm is None else flow_lpm) / 60000.0
    k_in, w_in = inlet["k_m2_s2"], inlet["omega_1_s"]
    bcs: dict[str, dict[str, str]] = {
        "U": {
            "inlet": f"{{ type flowRateInletVelocity; volumetricFlowRate {q:.10g}; value uniform (0 0 0); }}"
        },
        "p": {"inlet": "{ type zeroGradient; }"},
        "k": {"inlet": f"{{ type fixedValue; value uniform {k_in:.12g}; }}"},
        "omega": {"inlet": f"{{ type fixedValue; value uniform {w_in:.12g}; }}"},
        "nut": {"inlet": "{ type calculated; value uniform 0; }"},
    }
    for o in outlets:
        bcs["U"][o] = bcs["k"][o] = bcs["omega"][o] = "{ type zeroGradient; }"
        bcs["p"][o] = "{ type fixedValue; value uniform 0; }"
        bcs["nut"][o] = "{ type calculated; value uniform 0; }"
    for w in walls:
        bcs["U"][w] = "{ type noSlip; }"
        bcs["p"][w] = "{ type zeroGradient; }"
        bcs["k"][w] = f"{{ type kqRWallFunction; value uniform {k_in:.12g}; }}"
        bcs["omega"][w] = f"{{ type omegaWallFunction; blended false; value uniform {w_in:.12g}; }}"
        bcs["nut"][w] = "{ type nutkWallFunction; value uniform 0; }"
    fields = {
        "U": ("volVectorField", "[0 1 -1 0 0 0 0]", "uniform (0 0 0)"),
        "p": ("volScalarField", "[0 2 -2 0 0 0 0]", "uniform 0"),
        "k": ("volScalarField", "[0 2 -2 0 0 0 0]", f"uniform {k_in:.12g}"),
        "omega": ("volScalarField", "[0 0 -1 0 0 0 0]", f"uniform {w_in:.12g}"),
        "nut": ("volScalarField", "[0 2 -1 0 0 0 0]", "uniform 0"),
    }
    for name, (cls, dims, internal) in fields.items():
        foam.write_boundary_field(case, name, cls, dims, internal, bcs[name])
    return walls


def y_plus(case: Path) -> dict[str, list[float]]:
    """min / mean / max y⁺ per wall patch at the last time (OpenFOAM's ``yPlus`` function object)."""
    log = foam.run_util(case, ["simpleFoam", "-postProcess", "-func", "yPlus", "-latestTime"], "yPlus")
    out = {}
    for m in re.finditer(
        r"patch (\w+) y\+ : min = (\S+), max = (\S+), average = (\S+)", log.replace("\n", " ")
    ):
        out[m.group(1)] = [float(m.group(2)), float(m.group(4).rstrip(",")), float(m.group(3).rstrip(","))]
    return out


def run(
    target_cells: int,
    cells: str,
    setting: str,
    *,
    max_iter: int = 6000,
    timeout: float | None = None,
    root: Path | None = None,
    reuse: bool = False,
    flow_lpm: float | None = None,
) -> dict[str, Any]:
    plate = DESIGN["plate"]
    flow = DESIGN["flow_lpm"] if flow_lpm is None else flow_lpm
    base = root or cache_dir("openfoam", "corpus")
    mesh_root = base / f"{plate}_{cells}_{target_cells}"
    mesh_root.mkdir(parents=True, exist_ok=True)
    mesh = make_mesh(plate, target_cells, cells, mesh_root)
    props = properties(DESIGN["coolant"], DESIGN["inlet_temperature_c"])
    rho = props["density_kg_m3"]
    inlet = inlet_turbulence(mesh_root / f"{plate}.msh", flow)
    case = mesh_root / (f"simpleFoam_sst_{setting}" + ("" if flow == DESIGN["flow_lpm"] else f"_{flow:g}lpm"))
    log_path, timing_path = case / "log.simpleFoam.np1", case / "timing.json"
    if reuse and log_path.exists():
        # analyse a finished run again (its times from timing.json, or the log's clock time)
        walls = re.findall(
            r"^\s{4}(fluid_to_\w+)\s*\n", (case / "constant" / "polyMesh" / "boundary").read_text(), re.M
        )
        log = log_path.read_text()
        timing = json.loads(timing_path.read_text()) if timing_path.exists() else {}
        load_before = timing.get("load_1min", [float("nan")] * 2)[0]
        wall_s = timing.get("wall_s", foam.execution_times(log)[1])
        rss = timing.get("max_rss_mb", float("nan"))
        error = timing.get("error", "")
    else:
        walls = write_case(case, mesh_root, setting, max_iter, props, inlet, flow_lpm=flow)
        load_before = os.getloadavg()[0]
        try:
            timed, log = foam.run_solver(case, "simpleFoam", 1, timeout=timeout)
            error = ""
            wall_s, rss = timed.wall_s, timed.max_rss_mb
        except RuntimeError as err:  # diverged (FOAM FATAL / floating point) or timed out
            log = log_path.read_text()
            error = str(err).splitlines()[0][:200]
            wall_s, rss = float("nan"), float("nan")
        timing_path.write_text(
            json.dumps(
                {
                    "wall_s": wall_s,
                    "max_rss_mb": rss,
                    "error": error,
                    "load_1min": [load_before, os.getloadavg()[0]],
                }
            )
        )
    lines = foam.solve_lines(log)
    iters = len(re.findall(r"^Time = \d+", log, re.M))
    row: dict[str, Any] = {
        "plate": plate,
        "target_cells": target_cells,
        "cells_kind": cells,
        "setting": setting,
        "flow_lpm": flow,
        "np": 1,
        "converged": "SIMPLE solution converged" in log,
        "iterations": iters,
        "error": error,
        "wall_s": wall_s,
        "max_rss_mb": rss,
        "fluid_cells": mesh["fluid_cells"],
        "walls": walls,
        "load_1min": [load_before, os.getloadavg()[0]],
    }
    for field in ("p", "Ux", "Uy", "Uz", "k", "omega"):
        fl = [x for x in lines if x.field == field]
        row[f"last_initial_residual_{field}"] = fl[-1].initial if fl else float("nan")
    times = foam.time_dirs(case)
    prof = foam.profiling_totals(case, times[-1]) if times else {}
    row["loop_s"] = next((v for k, v in prof.items() if k.startswith("time.run()")), float("nan"))
    if not error and times and times[-1] != "0":
        row.update(pressure_drops(case, plate, rho))
        row["y_plus"] = y_plus(case)
    hist = dp_history(case, plate, rho)
    row["dp_static_history_pa"] = hist[-20:]
    if len(hist) >= 20 and "dp_total_pa" in row:
        # a run whose ΔP oscillates about a steady value: statistics of the last half of the
        # samples, and the total ΔP shifted by the static mean's offset from the last sample
        half = np.array([v for _, v in hist[len(hist) // 2 :]])
        row["dp_static_last_half_pa"] = {
            "from_iteration": hist[len(hist) // 2][0],
            "mean": float(half.mean()),
            "min": float(half.min()),
            "max": float(half.max()),
        }
        row["dp_total_mean_pa"] = row["dp_total_pa"] + float(half.mean()) - hist[-1][1]
    row.update(settled(hist))
    if len(hist) >= 10:
        tail = [v for _, v in hist[-max(2, len(hist) // 10) :]]
        row["dp_static_last10pct_rel_change"] = (max(tail) - min(tail)) / abs(tail[-1])
    row["mesh"] = mesh
    row["properties"] = {**props, "temperature_c": DESIGN["inlet_temperature_c"]}
    row["inlet"] = inlet
    row["reynolds"] = rho * inlet["speed_m_s"] * inlet["hydraulic_diameter_m"] / props["viscosity_pa_s"]
    row["case_dir"] = str(case)
    return row


# ----- rackflow on the same mesh -------------------------------------------------------------------


def rackflow_case(mesh: Any, props: dict[str, float], flow_lpm: float | None = None) -> Any:
    """The turbulent design point in rackflow: copper metal, constant-property PG25 with k-ω SST,
    inlet at the design flow (default 5 % / 0.07 D_h), outlet 0 Pa, no heat."""
    import rackflow as rf

    case = rf.Case(mesh)
    for region in mesh.regions:
        if region != "fluid":
            case.solid(region, material="copper")
    coolant = rf.Coolant(
        f"{DESIGN['coolant']} at {DESIGN['inlet_temperature_c']:g} °C",
        **{
            k: props[k]
            for k in ("density_kg_m3", "viscosity_pa_s", "conductivity_w_mk", "specific_heat_j_kgk")
        },
    )
    # the references use `omegaWallFunction` with `blended false`: the same wall model
    case.fluid("fluid", coolant=coolant, turbulence="k-omega-sst", wall_treatment="switching")
    flow = DESIGN["flow_lpm"] if flow_lpm is None else flow_lpm
    case.inlet("inlet", flow_lpm=flow, temperature_c=DESIGN["inlet_temperature_c"])
    case.outlet("outlet", pressure_pa=0.0)
    return case


def run_rackflow(
    msh: Path, threads: int = 1, flow_lpm: float | None = None, **settings: Any
) -> dict[str, Any]:
    import rackflow as rf

    mesh = rf.load_mesh(msh)
    props = properties(DESIGN["coolant"], DESIGN["inlet_temperature_c"])
    case = rackflow_case(mesh, props, flow_lpm)
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    result = case.solve(progress=False, threads=threads, **settings)
    wall = time.perf_counter() - t0
    return {
        "dp_total_pa": result.pressure_drop_pa("inlet", "outlet"),
        "dp_static_pa": result.static_pressure_pa("inlet") - result.static_pressure_pa("outlet"),
        "flow_iterations": int(result.report.get("flow_iterations", 0)),
        "y_plus": {k: list(v) for k, v in result.y_plus_by_patch.items()},
        "wall_s": wall,
        "load_1min": [load_before, os.getloadavg()[0]],
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description="simpleFoam kOmegaSST on the turbulent corpus serpentine (issue 17)"
    )
    ap.add_argument("--target-cells", type=int, default=100_000)
    ap.add_argument("--cells", default="prism", choices=("tetra", "prism"))
    ap.add_argument("--settings", default="simplec", help=f"comma-separated of {list(SETTINGS)}")
    ap.add_argument("--max-iter", type=int, default=6000)
    ap.add_argument(
        "--flow-lpm", type=float, help=f"the coolant flow (default the design point's {DESIGN['flow_lpm']:g})"
    )
    ap.add_argument("--timeout", type=float, default=3600.0)
    ap.add_argument("--reuse", action="store_true", help="analyse finished runs again instead of rerunning")
    ap.add_argument("--rackflow", action="store_true", help="run rackflow on the same mesh too")
    ap.add_argument("--json", help="add the runs to this reference file")
    ap.add_argument(
        "--duct", metavar="L/MIN", help="only the straight-duct diagnostic at these flows (comma-separated)"
    )
    ap.add_argument("--duct-cells", default="60,16,10", help="nx,ny,nz of the duct")
    args = ap.parse_args()
    if args.duct:
        nx, ny, nz = (int(v) for v in args.duct_cells.split(","))
        runs = []
        for q in (float(v) for v in args.duct.split(",")):
            runs.append(duct(q, ny=ny, nz=nz, nx=nx))
            print(json.dumps(runs[-1]), flush=True)
        if args.json:
            ref = {
                "command": f"python -m benchmarks.openfoam.corpus_sst --duct {args.duct} --duct-cells "
                f"{args.duct_cells} --json {args.json}",
                "openfoam_version": foam.foam_version(),
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "host": platform.node(),
                "geometry_m": {"length": 0.060, "width": 0.004, "depth": 0.0025},
                "cells": [nx, ny, nz],
                "design": DESIGN,
                "properties": properties(DESIGN["coolant"], DESIGN["inlet_temperature_c"]),
                "settings": settings_record(),
                "runs": runs,
            }
            Path(args.json).write_text(json.dumps(ref, indent=1) + "\n")
        return
    print_header(f"simpleFoam kOmegaSST, turbulent serpentine (OpenFOAM {foam.foam_version()})")
    for setting in args.settings.split(","):
        r = run(
            args.target_cells,
            args.cells,
            setting,
            max_iter=args.max_iter,
            timeout=args.timeout,
            reuse=args.reuse,
            flow_lpm=args.flow_lpm,
        )
        print(
            f"{setting}: {r['fluid_cells']} fluid cells, Re {r['reynolds']:.0f}, converged {r['converged']} in "
            f"{r['iterations']} it., {r['wall_s']:.1f} s, {r['max_rss_mb']:.0f} MB, "
            f"ΔP {r.get('dp_total_pa', float('nan')):.1f} Pa (static {r.get('dp_static_pa', float('nan')):.1f}), "
            f"y+ {r.get('y_plus')} {r['error']}",
            flush=True,
        )
        if args.json:
            _merge(Path(args.json), r, args)
    if args.rackflow:
        msh = cache_dir("openfoam", "corpus") / f"{DESIGN['plate']}_{args.cells}_{args.target_cells}"
        rr = run_rackflow(msh / f"{DESIGN['plate']}.msh", flow_lpm=args.flow_lpm)
        print(f"rackflow: {json.dumps(rr)}", flush=True)


def settings_record() -> dict[str, Any]:
    return {
        "openfoam_version": foam.foam_version(),
        "application": "simpleFoam, RAS kOmegaSST (incompressible, Newtonian, constant properties)",
        "residual_control": RESIDUAL_TOL,
        "nNonOrthogonalCorrectors": N_NON_ORTH,
        "laplacianSchemes": "Gauss linear limited corrected 0.5",
        "snGradSchemes": "limited corrected 0.5",
        "wallDist": "meshWave, correctWalls true",
        "solvers": {
            "p": "GAMG smoother DIC relTol 0.05",
            "U|k|omega": "smoothSolver symGaussSeidel relTol 0.1",
        },
        "settings": SETTINGS,
        "boundary_conditions": {
            "inlet": "U flowRateInletVelocity (design flow), p zeroGradient, k and omega fixedValue "
            "(k = 1.5 (I U)^2, omega = sqrt(k) / (Cmu^0.25 L))",
            "outlet": "p fixedValue 0; U, k, omega zeroGradient",
            "walls": "noSlip, kqRWallFunction, omegaWallFunction (blended false), nutkWallFunction",
        },
        "dp_definition": "area-weighted mean of face p + rho|u|^2/2, inlet minus outlet (Result.pressure_drop_pa)",
    }


def _merge(path: Path, row: dict[str, Any], args: argparse.Namespace) -> None:
    data = json.loads(path.read_text()) if path.exists() else {"runs": []}
    flow = "" if args.flow_lpm is None else f" --flow-lpm {args.flow_lpm:g}"
    data["command"] = (
        f"python -m benchmarks.openfoam.corpus_sst --target-cells {args.target_cells} --cells {args.cells} "
        f"--settings {row['setting']} --max-iter {args.max_iter}{flow} --json {path}"
    )
    data.setdefault("reference_setting", row["setting"])  # the run the validation test compares with
    data["design"] = {**DESIGN, "flow_lpm": row["flow_lpm"]}
    data["settings"] = settings_record()
    data["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    data["host"] = platform.node()
    key = ("target_cells", "cells_kind", "setting", "flow_lpm")
    row = {k: v for k, v in row.items() if k != "case_dir"}
    same = lambda r: all(r.get(k, DESIGN[k] if k == "flow_lpm" else None) == row[k] for k in key)  # noqa: E731
    data["runs"] = [r for r in data["runs"] if not same(r)] + [row]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")


# ----- diagnostic: a straight duct of the serpentine's channel --------------------------------------


def duct_mesh(mesh_root: Path, size_m: tuple[float, float, float], cells: tuple[int, int, int]) -> None:
    """A straight duct ``size_m`` = (length, width, depth) of uniform hexahedra ``cells`` =
    (nx, ny, nz) by blockMesh, laid out as :func:`write_case` reads a corpus mesh (the coolant
    region ``fluid`` under ``mesh_root/foam``; patches ``inlet`` at x = 0, ``outlet``, and the walls
    as ``fluid_to_base`` (y = 0, y = width, z = 0) and ``fluid_to_lid`` (z = depth))."""
    (length, width, depth), (nx, ny, nz) = size_m, cells
    foam.clean_case(mesh_root)
    foam.write_file(
        mesh_root,
        "system/controlDict",
        "dictionary",
        "application blockMesh; startFrom startTime; startTime 0; stopAt endTime; endTime 1; deltaT 1;"
        " writeControl timeStep; writeInterval 1;",
    )
    foam.write_file(mesh_root, "system/fvSchemes", "dictionary", "")
    foam.write_file(mesh_root, "system/fvSolution", "dictionary", "")
    # the walls as mappedWall patches named like the corpus interfaces, so write_case treats them alike
    mapped = "type mappedWall; sampleMode nearestPatchFace; sampleRegion base; samplePatch x;"
    foam.write_file(
        mesh_root,
        "system/blockMeshDict",
        "dictionary",
        f"""
convertToMeters 1;
vertices ( (0 0 0) ({length} 0 0) ({length} {width} 0) (0 {width} 0)
           (0 0 {depth}) ({length} 0 {depth}) ({length} {width} {depth}) (0 {width} {depth}) );
blocks ( hex (0 1 2 3 4 5 6 7) ({nx} {ny} {nz}) simpleGrading (1 1 1) );
edges ();
boundary (
 inlet {{ type patch; faces ((0 4 7 3)); }}
 outlet {{ type patch; faces ((1 2 6 5)); }}
 fluid_to_base {{ {mapped} faces ((0 1 5 4) (3 7 6 2) (0 3 2 1)); }}
 fluid_to_lid {{ {mapped} faces ((4 5 6 7)); }}
);
""",
    )
    foam.run_util(mesh_root, ["blockMesh"])
    dst = mesh_root / "foam" / "constant" / "fluid" / "polyMesh"
    dst.parent.mkdir(parents=True)
    shutil.copytree(mesh_root / "constant" / "polyMesh", dst)


def rackflow_duct_case(
    cells: tuple[int, int, int],
    size_m: tuple[float, float, float],
    props: dict[str, float],
    flow_lpm: float,
    wall_treatment: str = "switching",
) -> Any:
    """rackflow's side of the straight-duct comparisons: the duct as uniform hexahedra
    (``testing.meshes.box``; patches ``xmin`` inlet, ``xmax`` outlet, the rest no-slip walls),
    the coolant at the reference's constant properties, k-ω SST, the design inlet, and the
    references' wall model (``omegaWallFunction`` with ``blended false``: ``"switching"``)."""
    import rackflow as rf
    from rackflow.testing.meshes import box

    mesh = rf.Mesh.from_meshio(box(cells, size_m))
    case = rf.Case(mesh)
    keys = ("density_kg_m3", "viscosity_pa_s", "conductivity_w_mk", "specific_heat_j_kgk")
    coolant = rf.Coolant("PG25 at 35 °C", **{k: props[k] for k in keys})
    case.fluid(mesh.regions[0], coolant=coolant, turbulence="k-omega-sst", wall_treatment=wall_treatment)
    case.inlet("xmin", flow_lpm=flow_lpm, temperature_c=DESIGN["inlet_temperature_c"])
    case.outlet("xmax")
    for p in ("ymin", "ymax", "zmin", "zmax"):
        case.wall(p)
    return case


def duct(
    flow_lpm: float, ny: int = 16, nz: int = 10, nx: int = 60, root: Path | None = None
) -> dict[str, Any]:
    """The serpentine's 4 × 2.5 mm channel as a straight 60 mm duct of uniform hexahedra
    (``nx × ny × nz``), the same coolant, inlet and wall treatment, in both codes: ΔP and wall
    y⁺. Separates the k-ω implementations' behaviour from the bends and the prism mesh."""

    length, width, depth = 0.060, 0.004, 0.0025
    props = properties(DESIGN["coolant"], DESIGN["inlet_temperature_c"])
    area = width * depth
    dh = 4 * area / (2 * (width + depth))
    speed = flow_lpm / 60000.0 / area
    k_in = 1.5 * (DESIGN["turbulence_intensity"] * speed) ** 2
    inlet = {"k_m2_s2": k_in, "omega_1_s": float(np.sqrt(k_in) / (C_MU**0.25 * 0.07 * dh))}
    base = (root or cache_dir("openfoam", "corpus_sst_duct")) / f"duct_{nx}x{ny}x{nz}_{flow_lpm:g}"
    mesh_root = base / "mesh"
    duct_mesh(mesh_root, (length, width, depth), (nx, ny, nz))
    case = base / "simpleFoam"
    write_case(case, mesh_root, "simplec", 3000, props, inlet, flow_lpm=flow_lpm)
    timed, log = foam.run_solver(case, "simpleFoam", 1)
    foam_dp = pressure_drops(case, DESIGN["plate"], props["density_kg_m3"])["dp_total_pa"]
    out: dict[str, Any] = {
        "cells": nx * ny * nz,
        "flow_lpm": flow_lpm,
        "reynolds": props["density_kg_m3"] * speed * dh / props["viscosity_pa_s"],
        "foam": {
            "converged": "SIMPLE solution converged" in log,
            "iterations": len(re.findall(r"^Time = \d+", log, re.M)),
            "wall_s": timed.wall_s,
            "dp_total_pa": foam_dp,
            "y_plus": y_plus(case),
        },
    }
    case_rf = rackflow_duct_case((nx, ny, nz), (length, width, depth), props, flow_lpm)
    from rackflow.errors import ConvergenceError

    t0 = time.perf_counter()
    try:
        r = case_rf.solve(progress=False, threads=1, convection="linear_upwind")
        out["rackflow"] = {
            "dp_total_pa": r.pressure_drop_pa("xmin", "xmax"),
            "iterations": int(r.report["flow_iterations"]),
            "y_plus": {k: list(v) for k, v in r.y_plus_by_patch.items()},
        }
    except ConvergenceError as err:
        out["rackflow"] = {"error": str(err).splitlines()[0][:300]}
    out["rackflow"]["wall_s"] = time.perf_counter() - t0
    return out


if __name__ == "__main__":
    main()
