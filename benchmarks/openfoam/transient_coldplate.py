"""OpenFOAM chtMultiRegionFoam (transient) against rackflow's ``solve_transient`` on the bundled
cold plate under a GPU power trace (issue 19, benchmark item 1).

Mesh: ``rf.datasets.coldplate_microchannel()`` (89,506 hexahedra: die, tim, lid, base,
channels), the same cells in both codes (gmsh msh 2.2 → ``gmshToFoam`` →
``splitMeshRegions -cellZonesOnly -overwrite``).

Physics, the same in both codes: the demonstration case (``rackflow.demo.build_case``) with
constant properties, because OpenFOAM's solid and fluid models here are constant-property:
silicon k at ``SILICON_AT_C``, copper at ``COPPER_AT_C`` (rackflow's tables), TIM 5 W/m·K;
densities and heat capacities of rackflow's materials; PG25 at the 35 °C inlet temperature;
1.5 L/min at 35 °C (uniform inlet velocity), outlet p = 0, every other outer face adiabatic, and
no contact resistance between lid and base (the demonstration case has 5e-6 m²K/W; OpenFOAM's
coupled patch would need a layer for it). The die power is a uniform volumetric source.

The trace: 140 W idle, 700 W from ``JUMP_UP_S`` (1 s) to ``JUMP_DOWN_S`` (31 s), idle again to
``END_S`` (60 s), from the steady idle state, as a step profile. OpenFOAM v1912's sources are
constant in time (``scalarSemiImplicitSource``'s rates are numbers, not functions of time), so
OpenFOAM runs the two powered intervals as two runs, the second restarted from the first's last
fields; each restart starts its ``backward`` (BDF2) time derivative with an Euler step, as
rackflow does after a jump of a step profile. The first second (steady idle) is not simulated
in OpenFOAM: its curve is shifted by 1 s.

* OpenFOAM: ``chtMultiRegionSimpleFoam`` (upwind, converged by ``runTimeControl``) to the steady
  state at idle, then ``chtMultiRegionFoam`` with ``frozenFlow yes`` (energy only), ``backward``
  time derivative, bounded upwind for h, fixed steps ``--openfoam dt:nOuterCorrectors``,
  PBiCGStab/DILU (coolant) and PCG/DIC (solids) to 1e-10; the hottest die cell every step
  (``volFieldValue``). Whole processes timed by GNU time (both runs summed), and the time loops
  alone (``ExecutionTime``).
* rackflow: the steady solve at idle (upwind) as the initial state, ``solve_transient`` with the
  power profile, upwind, fixed steps or adaptive (``step_tolerance_k``), one thread (OpenFOAM
  runs serial). Each run is its own process (``/usr/bin/time -v``: peak memory of the whole
  process, steady solve included); the transient's CPU seconds are timed in process.

Reported: steps, CPU and wall seconds, seconds per simulated second, peak memory, and the
largest difference of the die's hottest temperature from the converged curve (rackflow's
smallest fixed step) at the output times (every 0.1 s for 2 s after each jump, every 0.5 s
elsewhere). OpenFOAM's results are kept in the cache (``--rerun-openfoam`` runs them again).

    python -m benchmarks.openfoam.transient_coldplate                 # both codes
    python -m benchmarks.openfoam.transient_coldplate --openfoam none  # rackflow only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import (
    cache_dir,
    emit_worker_result,
    print_header,
    run_worker,
    served_as_worker,
)
from benchmarks.openfoam import foam

P_IDLE_W = 140.0
P_FULL_W = 700.0
JUMP_UP_S = 1.0
JUMP_DOWN_S = 31.0
END_S = 60.0
SILICON_AT_C = 60.0
COPPER_AT_C = 45.0
TIM = {"conductivity_w_mk": 5.0}
#: compared (and rackflow's fields kept) every 0.1 s for 2 s after each jump, every 0.5 s elsewhere
#: (each kept field is 0.7 MB; the peak memory counts them)
OUTPUT_TIMES_S = np.unique(
    np.round(
        np.concatenate(
            [
                np.arange(0.0, END_S + 1e-9, 0.5),
                np.arange(JUMP_UP_S, JUMP_UP_S + 2.0 + 1e-9, 0.1),
                np.arange(JUMP_DOWN_S, JUMP_DOWN_S + 2.0 + 1e-9, 0.1),
            ]
        ),
        10,
    )
)
SOLIDS = ("die", "tim", "lid", "base")
FLUID = "channels"
MODULE = "benchmarks.openfoam.transient_coldplate"


def properties() -> dict[str, dict[str, float]]:
    """Constant properties of every region (SI)."""
    import rackflow as rf
    from rackflow.demo import COOLANT, INLET_C

    def k_at(name: str, at_c: float) -> float:
        table = np.asarray(rf.get_material(name).conductivity_w_mk, dtype=float)
        return float(np.interp(at_c, table[:, 0], table[:, 1]))

    out: dict[str, dict[str, float]] = {}
    for region, name, k in (
        ("die", "silicon", k_at("silicon", SILICON_AT_C)),
        ("tim", "tim", TIM["conductivity_w_mk"]),
        ("lid", "copper", k_at("copper", COPPER_AT_C)),
        ("base", "copper", k_at("copper", COPPER_AT_C)),
    ):
        m = rf.get_material(name)
        out[region] = {
            "conductivity_w_mk": k,
            "density_kg_m3": float(m.density_kg_m3),
            "specific_heat_j_kgk": float(m.specific_heat_j_kgk),
        }
    out[FLUID] = {
        k: float(v)
        for k, v in rf.get_coolant(COOLANT).properties(INLET_C).items()
        if k in ("density_kg_m3", "viscosity_pa_s", "conductivity_w_mk", "specific_heat_j_kgk")
    }
    return out


# ----- rackflow -------------------------------------------------------------------------------


def rackflow_case(power: Any) -> Any:
    import rackflow as rf
    from rackflow.demo import FLOW_LPM, INLET_C

    props = properties()
    mesh = rf.load_mesh(rf.datasets.coldplate_microchannel())
    case = rf.Case(mesh)
    for region in SOLIDS:
        case.solid(
            region,
            material=rf.Material(f"{region}-const", **props[region]),
            power_w=power if region == "die" else None,
        )
    case.fluid(FLUID, coolant=rf.Coolant("PG25-const", **props[FLUID]))
    case.inlet("inlet", flow_lpm=FLOW_LPM, temperature_c=INLET_C)
    case.outlet("outlet", pressure_pa=0.0)
    return case


def trace() -> Any:
    import rackflow as rf

    return rf.Profile(
        time_s=[0.0, JUMP_UP_S, JUMP_DOWN_S],
        value=[P_IDLE_W, P_FULL_W, P_IDLE_W],
        interpolation="step",
    )


def solve_rackflow(
    time_step_s: float | None = None,
    step_tolerance_k: float = 0.01,
    output_times_s: Any = OUTPUT_TIMES_S,
    threads: int = 1,
) -> tuple[Any, Any, Any, dict[str, float]]:
    """The benchmark's rackflow run: the steady idle state, then the trace from it.

    Returns the case, the steady result, the transient run and the timings (steady and
    transient wall seconds, transient CPU seconds)."""
    case = rackflow_case(trace())
    t0 = time.perf_counter()
    steady = case.solve(
        convection="upwind",
        threads=threads,
        tolerance=1e-8,
        velocity_tolerance=1e-6,
        pressure_tolerance=1e-6,
        mass_tolerance=1e-6,
    )
    t1, c1 = time.perf_counter(), time.process_time()
    run = case.solve_transient(
        END_S,
        time_step_s=time_step_s,
        step_tolerance_k=step_tolerance_k,
        initial=steady,
        output_times_s=output_times_s,
        convection="upwind",
        threads=threads,
    )
    t2, c2 = time.perf_counter(), time.process_time()
    return case, steady, run, {"steady_wall_s": t1 - t0, "wall_s": t2 - t1, "cpu_s": c2 - c1}


def worker(spec: dict[str, Any]) -> None:
    case, steady, run, timing = solve_rackflow(spec.get("dt_s"), spec.get("step_tolerance_k", 0.01))
    rep = run.report
    emit_worker_result(
        {
            "cells": int(case.mesh.n_cells),
            **timing,
            "steps": int(rep["steps_accepted"]),
            "rejected": int(rep["steps_rejected"]),
            "linear_iterations": int(rep["linear_iterations"]),
            "preconditioner_builds": int(rep["preconditioner_builds"]),
            "time_s": [float(v) for v in run.times_s],
            "die_max_k": [float(v) + 273.15 for v in run.max_temperature_c("die")],
            "steady_die_max_k": float(steady.max_temperature_c("die")) + 273.15,
        }
    )


def run_rackflow(dt: float | None, tol: float = 0.01) -> dict[str, Any]:
    spec: dict[str, Any] = {"dt_s": dt, "step_tolerance_k": tol}
    load = os.getloadavg()[0]
    started = time.strftime("%H:%M", time.gmtime())
    r = dict(run_worker(MODULE, spec))
    r.update(
        code="rackflow",
        dt_s=dt,
        step_tolerance_k=None if dt is not None else tol,
        load=load,
        load_end=os.getloadavg()[0],
        clock=f"{started}–{time.strftime('%H:%M', time.gmtime())}",
    )
    return r


# ----- OpenFOAM -------------------------------------------------------------------------------


def make_mesh(root: Path) -> Path:
    """The bundled plate converted and split into regions (cached by the mesh file's hash)."""
    import rackflow as rf

    msh = Path(rf.datasets.coldplate_microchannel())
    sha = hashlib.sha256(msh.read_bytes()).hexdigest()
    case = root / "mesh"
    stamp = case / "sha256"
    if stamp.exists() and stamp.read_text() == sha:
        return case
    foam.clean_case(case)
    msh22 = root / "coldplate.v22.msh"
    _control_dict(case, "chtMultiRegionSimpleFoam", 0.0, 1.0, 1.0)
    foam.write_file(case, "system/fvSchemes", "dictionary", _PLAIN)
    foam.write_file(case, "system/fvSolution", "dictionary", "")
    foam.gmsh_to_foam(msh, case, msh22)
    foam.run_util(case, ["splitMeshRegions", "-cellZonesOnly", "-overwrite"])
    msh22.unlink()
    stamp.write_text(sha)
    return case


_PLAIN = """
ddtSchemes { default steadyState; }
gradSchemes { default Gauss linear; }
divSchemes { default none; }
laplacianSchemes { default Gauss linear corrected; }
interpolationSchemes { default linear; }
snGradSchemes { default corrected; }
"""


def _control_dict(case: Path, app: str, start: float, end: float, dt: float, functions: str = "") -> None:
    foam.write_file(
        case,
        "system/controlDict",
        "dictionary",
        f"""
application     {app};
startFrom       startTime;
startTime       {start:.10g};
stopAt          endTime;
endTime         {end:.10g};
deltaT          {dt:.10g};
adjustTimeStep  no;
writeControl    runTime;
writeInterval   {end - start:.10g};
purgeWrite      0;
writeFormat     ascii;
writePrecision  12;
writeCompression off;
timeFormat      general;
timePrecision   10;
runTimeModifiable false;
functions
{{
{functions}
}}
""",
    )


def patch_names(case: Path, region: str) -> list[str]:
    text = (case / "constant" / region / "polyMesh" / "boundary").read_text()
    return re.findall(r"^\s{4}(\w+)\s*\n\s{4}\{", text, re.M)


def write_case(case: Path, mesh: Path, *, transient: bool, power_w: float, outer: int = 1) -> None:
    """Regions, properties, schemes, solvers and (steady only) initial fields."""
    from rackflow.demo import FLOW_LPM, INLET_C

    props = properties()
    t_in = INLET_C + 273.15
    if not (case / "constant").exists():
        shutil.copytree(mesh / "constant", case / "constant")
        for junk in ("cellToRegion", "polyMesh"):
            p = case / "constant" / junk
            if p.is_dir():
                shutil.rmtree(p)
            else:
                p.unlink(missing_ok=True)
    foam.write_file(case, "system/fvSchemes", "dictionary", _PLAIN)
    foam.write_file(
        case,
        "system/fvSolution",
        "dictionary",
        f"PIMPLE {{ nOuterCorrectors {outer}; }}\n" if transient else "",
    )
    foam.write_file(
        case,
        "constant/regionProperties",
        "dictionary",
        f"regions ( fluid ({FLUID}) solid ({' '.join(SOLIDS)}) );\n",
    )
    foam.write_file(
        case, "constant/g", "uniformDimensionedVectorField", "dimensions [0 1 -2 0 0 0 0];\nvalue (0 0 0);\n"
    )
    f = props[FLUID]
    foam.write_file(
        case,
        f"constant/{FLUID}/thermophysicalProperties",
        "dictionary",
        f"""
thermoType
{{
    type heRhoThermo; mixture pureMixture; transport const; thermo hConst;
    equationOfState rhoConst; specie specie; energy sensibleEnthalpy;
}}
mixture
{{
    specie {{ molWeight 76; }}
    equationOfState {{ rho {f["density_kg_m3"]:.10g}; }}
    thermodynamics {{ Cp {f["specific_heat_j_kgk"]:.10g}; Hf 0; }}
    transport {{ mu {f["viscosity_pa_s"]:.10g}; Pr {f["specific_heat_j_kgk"] * f["viscosity_pa_s"] / f["conductivity_w_mk"]:.10g}; }}
}}
""",
    )
    foam.write_file(case, f"constant/{FLUID}/turbulenceProperties", "dictionary", "simulationType laminar;\n")
    ddt = "backward" if transient else "steadyState"
    foam.write_file(
        case,
        f"system/{FLUID}/fvSchemes",
        "dictionary",
        f"""
ddtSchemes {{ default {ddt}; }}
gradSchemes {{ default Gauss linear; }}
divSchemes
{{
    default         none;
    div(phi,U)      bounded Gauss upwind;
    div(phi,h)      bounded Gauss upwind;
    div(phi,K)      bounded Gauss upwind;
    div(((rho*nuEff)*dev2(T(grad(U))))) Gauss linear;
}}
laplacianSchemes {{ default Gauss linear corrected; }}
interpolationSchemes {{ default linear; }}
snGradSchemes {{ default corrected; }}
""",
    )
    if transient:
        fluid_solution = f"""
solvers
{{
    "(U|h|p_rgh|rho)" {{ solver PBiCGStab; preconditioner DILU; tolerance 1e-10; relTol 0; }}
    "(U|h|p_rgh|rho)Final" {{ solver PBiCGStab; preconditioner DILU; tolerance 1e-10; relTol 0; }}
}}
PIMPLE
{{
    frozenFlow yes;
    momentumPredictor no;
    nOuterCorrectors {outer};
    nCorrectors 1;
    nNonOrthogonalCorrectors 0;
}}
relaxationFactors {{ equations {{ ".*" 1; }} }}
"""
    else:
        fluid_solution = """
solvers
{
    p_rgh { solver GAMG; smoother DIC; tolerance 1e-9; relTol 0.01; }
    "(U|h)" { solver PBiCGStab; preconditioner DILU; tolerance 1e-10; relTol 0.1; }
}
SIMPLE
{
    momentumPredictor yes;
    nNonOrthogonalCorrectors 0;
    pRefCell 0;
    pRefValue 100000;
}
relaxationFactors
{
    fields { rho 1; p_rgh 0.3; }
    equations { U 0.7; h 0.9; }
}
"""
    foam.write_file(case, f"system/{FLUID}/fvSolution", "dictionary", fluid_solution)
    for solid in SOLIDS:
        s = props[solid]
        foam.write_file(
            case,
            f"constant/{solid}/thermophysicalProperties",
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
    transport {{ kappa {s["conductivity_w_mk"]:.10g}; }}
    thermodynamics {{ Hf 0; Cp {s["specific_heat_j_kgk"]:.10g}; }}
    equationOfState {{ rho {s["density_kg_m3"]:.10g}; }}
}}
""",
        )
        foam.write_file(
            case,
            f"system/{solid}/fvSchemes",
            "dictionary",
            _PLAIN.replace("default steadyState;", f"default {ddt};"),
        )
        if transient:
            solid_solution = """
solvers { "h|hFinal" { solver PCG; preconditioner DIC; tolerance 1e-10; relTol 0; } }
PIMPLE { nNonOrthogonalCorrectors 0; }
"""
        else:
            solid_solution = """
solvers { h { solver PCG; preconditioner DIC; tolerance 1e-10; relTol 0.1; } }
SIMPLE { nNonOrthogonalCorrectors 0; }
relaxationFactors { equations { h 1; } }
"""
        foam.write_file(case, f"system/{solid}/fvSolution", "dictionary", solid_solution)
    foam.write_file(
        case,
        "constant/die/fvOptions",
        "dictionary",
        f"""
dieHeat
{{
    type            scalarSemiImplicitSource;
    active          yes;
    scalarSemiImplicitSourceCoeffs
    {{
        selectionMode   all;
        volumeMode      absolute;
        injectionRateSuSp {{ h ({power_w:.10g} 0); }}
    }}
}}
""",
    )
    if transient:
        return

    def field(rel: str, cls: str, dims: str, internal: str, bcs: dict[str, str]) -> None:
        body = "\n".join(f"    {k} {{ {v} }}" for k, v in bcs.items())
        foam.write_file(
            case,
            rel,
            cls,
            f"dimensions {dims};\ninternalField uniform {internal};\nboundaryField\n{{\n{body}\n}}\n",
        )

    def coupled(method: str) -> str:
        return f"type compressible::turbulentTemperatureCoupledBaffleMixed; Tnbr T; kappaMethod {method}; value uniform {t_in:g};"

    u_bc, t_bc, p_bc = {}, {}, {}
    for p in patch_names(case, FLUID):
        if p == "inlet":
            u_bc[p] = (
                f"type flowRateInletVelocity; volumetricFlowRate {FLOW_LPM / 60000.0:.10g}; value uniform (0 0 0);"
            )
            t_bc[p] = f"type fixedValue; value uniform {t_in:g};"
            p_bc[p] = "type fixedFluxPressure; value uniform 100000;"
        elif p == "outlet":
            u_bc[p] = "type inletOutlet; inletValue uniform (0 0 0); value uniform (0 0 0);"
            t_bc[p] = f"type inletOutlet; inletValue uniform {t_in:g}; value uniform {t_in:g};"
            p_bc[p] = "type fixedValue; value uniform 100000;"
        else:
            u_bc[p] = "type noSlip;"
            t_bc[p] = coupled("fluidThermo") if "_to_" in p else "type zeroGradient;"
            p_bc[p] = "type fixedFluxPressure; value uniform 100000;"
    field(f"0/{FLUID}/U", "volVectorField", "[0 1 -1 0 0 0 0]", "(0 0 0)", u_bc)
    field(f"0/{FLUID}/T", "volScalarField", "[0 0 0 1 0 0 0]", f"{t_in:g}", t_bc)
    field(f"0/{FLUID}/p_rgh", "volScalarField", "[1 -1 -2 0 0 0 0]", "100000", p_bc)
    field(
        f"0/{FLUID}/p",
        "volScalarField",
        "[1 -1 -2 0 0 0 0]",
        "100000",
        {p: "type calculated; value uniform 100000;" for p in patch_names(case, FLUID)},
    )
    for solid in SOLIDS:
        names = patch_names(case, solid)
        field(
            f"0/{solid}/T",
            "volScalarField",
            "[0 0 0 1 0 0 0]",
            f"{t_in:g}",
            {p: coupled("solidThermo") if "_to_" in p else "type zeroGradient;" for p in names},
        )
        field(
            f"0/{solid}/p",
            "volScalarField",
            "[1 -1 -2 0 0 0 0]",
            "100000",
            {p: "type calculated; value uniform 100000;" for p in names},
        )


def _die_max(name: str) -> str:
    return (
        f"    {name}\n    {{\n        type volFieldValue;\n        libs (fieldFunctionObjects);\n"
        "        region die;\n        regionType all;\n        operation max;\n        fields (T);\n"
        "        writeFields false;\n        log false;\n        executeControl timeStep;\n"
        "        executeInterval 1;\n        writeControl timeStep;\n        writeInterval 1;\n    }"
    )


def steady(root: Path, mesh: Path, max_iter: int = 6000) -> tuple[Path, str, float]:
    """chtMultiRegionSimpleFoam at idle power to convergence (cached); the case, its last time
    and wall time."""
    case = root / "steady"
    stamp = case / "done.json"
    if stamp.exists():
        d = json.loads(stamp.read_text())
        return case, d["last"], d["wall_s"]
    foam.clean_case(case)
    write_case(case, mesh, transient=False, power_w=P_IDLE_W)
    tol = {"p_rgh": 1e-6, "U": 1e-6, "h": 1e-8}
    stop = "\n".join(
        f"            c_{f} {{ type equationInitialResidual; fields ({f}); value {v:g}; mode minimum; groupID 1; }}"
        for f, v in tol.items()
    )
    functions = (
        f"    stop_{FLUID}\n    {{\n        type runTimeControl;\n        libs (utilityFunctionObjects);\n"
        f"        region {FLUID};\n        conditions\n        {{\n{stop}\n        }}\n        satisfiedAction end;\n    }}\n"
    )
    _control_dict(case, "chtMultiRegionSimpleFoam", 0, max_iter, 1, functions)
    timed, _ = foam.run_solver(case, "chtMultiRegionSimpleFoam", 1)
    last = foam.time_dirs(case)[-1]
    stamp.write_text(json.dumps({"last": last, "wall_s": timed.wall_s}))
    return case, last, timed.wall_s


def _segment(
    src: Path,
    src_time: str,
    case: Path,
    start: float,
    end: float,
    dt: float,
    power: float,
    outer: int,
    mesh: Path,
) -> tuple[Any, str]:
    foam.clean_case(case)
    write_case(case, mesh, transient=True, power_w=power, outer=outer)
    target = case / f"{start:.10g}"
    for region in (FLUID, *SOLIDS):
        (target / region).mkdir(parents=True, exist_ok=True)
        for name in ("U", "p", "p_rgh", "T", "phi"):
            p = src / src_time / region / name
            if p.exists():
                text = re.sub(r'location\s+"[^"]*";', f'location "{start:.10g}/{region}";', p.read_text())
                (target / region / name).write_text(text)
    _control_dict(case, "chtMultiRegionFoam", start, end, dt, _die_max("tmax_die"))
    return foam.run_solver(case, "chtMultiRegionFoam", 1)


def _read_die_max(case: Path) -> tuple[np.ndarray, np.ndarray]:
    files = sorted(case.glob("postProcessing/**/volFieldValue*.dat"))
    rows = [
        [float(v) for v in line.split()[:2]]
        for line in files[0].read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    a = np.asarray(rows)
    return a[:, 0], a[:, 1]


def run_openfoam(dt: float, outer: int, rerun: bool = False) -> dict[str, Any]:
    from benchmarks.openfoam.transient_cht import loop_cpu_s

    root = cache_dir("openfoam", "transient_coldplate")
    kept = root / f"result_dt{dt:g}_outer{outer}.json"
    if kept.exists() and not rerun:
        return {**json.loads(kept.read_text()), "cached": True}
    mesh = make_mesh(root)
    st, last, steady_wall = steady(root, mesh)
    t0_die = float(np.max(np.atleast_1d(foam.read_field(st / last / "die" / "T")[0])))
    load = os.getloadavg()[0]
    started = time.strftime("%H:%M", time.gmtime())
    hot_len, cold_len = JUMP_DOWN_S - JUMP_UP_S, END_S - JUMP_DOWN_S
    a = root / f"hot_dt{dt:g}_outer{outer}"
    timed_a, log_a = _segment(st, last, a, 0.0, hot_len, dt, P_FULL_W, outer, mesh)
    b = root / f"cold_dt{dt:g}_outer{outer}"
    timed_b, log_b = _segment(a, f"{hot_len:.10g}", b, hot_len, hot_len + cold_len, dt, P_IDLE_W, outer, mesh)
    ta, va = _read_die_max(a)
    tb, vb = _read_die_max(b)
    out = {
        "code": "OpenFOAM chtMultiRegionFoam",
        "openfoam_version": foam.foam_version(),
        "dt_s": dt,
        "outer_correctors": outer,
        "steps": len(ta) + len(tb),
        "wall_s": timed_a.wall_s + timed_b.wall_s,
        "cpu_s": timed_a.user_s + timed_a.sys_s + timed_b.user_s + timed_b.sys_s,
        "loop_cpu_s": loop_cpu_s(log_a) + loop_cpu_s(log_b),
        "peak_rss_mb": max(timed_a.max_rss_mb, timed_b.max_rss_mb),
        "steady_wall_s": steady_wall,
        "steady_iterations": int(float(last)),
        "load": load,
        "load_end": os.getloadavg()[0],
        "clock": f"{started}–{time.strftime('%H:%M', time.gmtime())}",
        "time_s": [0.0, JUMP_UP_S, *(ta + JUMP_UP_S).tolist(), *(tb + JUMP_UP_S).tolist()],
        "die_max_k": [t0_die, t0_die, *va.tolist(), *vb.tolist()],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    kept.write_text(json.dumps(out))
    return out


# ----- comparison -----------------------------------------------------------------------------


def _label(r: dict[str, Any]) -> str:
    if r["code"] == "rackflow":
        how = f"dt {r['dt_s']:g}" if r["dt_s"] is not None else f"adaptive {r['step_tolerance_k']:g} K"
        return f"rackflow {how}"
    return f"OpenFOAM dt {r['dt_s']:g}, {r['outer_correctors']} outer"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--openfoam", default="0.1:1,0.05:1,0.02:1", help="dt:nOuterCorrectors runs, or 'none'")
    ap.add_argument(
        "--rackflow",
        default="0.01,0.1,0.05,adaptive:0.01,adaptive:0.002",
        help="fixed dt or adaptive:step_tolerance_k; the first must be the finest fixed step (the converged curve)",
    )
    ap.add_argument("--rerun-openfoam", action="store_true", help="do not reuse cached OpenFOAM results")
    ap.add_argument("--json", help="also write every row to this file")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if served_as_worker(args, worker):
        return
    print_header("Bundled cold plate under a power trace: chtMultiRegionFoam vs rackflow solve_transient")
    rows: list[dict[str, Any]] = []
    for spec in [] if args.rackflow == "none" else args.rackflow.split(","):
        if spec.startswith("adaptive"):
            rows.append(run_rackflow(None, float(spec.split(":")[1])))
        else:
            rows.append(run_rackflow(float(spec)))
        r = rows[-1]
        print(f"{_label(r)}: {r.get('cpu_s', float('nan')):.1f} s CPU {r.get('error', '')}", flush=True)
    for spec in [] if args.openfoam == "none" else args.openfoam.split(","):
        dt, outer = spec.split(":")
        try:
            rows.append(run_openfoam(float(dt), int(outer), args.rerun_openfoam))
            cached = " (cached)" if rows[-1].get("cached") else ""
            print(f"{_label(rows[-1])}: {rows[-1]['cpu_s']:.1f} s CPU{cached}", flush=True)
        except RuntimeError as err:
            print(f"OpenFOAM dt {dt}, {outer} outer failed: {str(err)[:400]}", flush=True)
    if not rows or rows[0]["code"] != "rackflow":
        return
    grid = OUTPUT_TIMES_S
    ok = [r for r in rows if "error" not in r]
    converged = ok[0]
    conv = np.interp(grid, converged["time_s"], converged["die_max_k"])
    print(f"\nconverged curve: {_label(converged)}; T_die,max compared at {len(grid)} output times\n")
    foam_rows = [r for r in ok if r["code"] != "rackflow"]
    foam_ref = np.interp(grid, foam_rows[0]["time_s"], foam_rows[0]["die_max_k"]) if foam_rows else None
    head = [
        "run",
        "clock UTC",
        "load (start–end)",
        "steps",
        "linear it. (preconditioner builds)",
        "CPU s",
        "loop CPU s",
        "wall s",
        "wall s per simulated s",
        "CPU s per simulated s",
        "peak MB",
        "T_die peak K",
        "max |ΔT| vs converged K",
        "max |ΔT| vs OpenFOAM K" if foam_rows else "",
    ]
    head = [h for h in head if h]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in ok:
        v = np.interp(grid, r["time_s"], r["die_max_k"])
        r["max_error_k"] = float(np.max(np.abs(v - conv)))
        cells = [
            _label(r) + (" (cached)" if r.get("cached") else ""),
            r.get("clock", r.get("date", "")),
            f"{r['load']:.1f}–{r.get('load_end', float('nan')):.1f}",
            f"{r['steps']}",
            f"{r['linear_iterations']} ({r['preconditioner_builds']})" if "linear_iterations" in r else "",
            f"{r['cpu_s']:.1f}",
            f"{r.get('loop_cpu_s', r['cpu_s']):.1f}",
            f"{r['wall_s']:.1f}",
            f"{r['wall_s'] / END_S:.3f}",
            f"{r['cpu_s'] / END_S:.3f}",
            f"{r['peak_rss_mb']:.0f}",
            f"{max(r['die_max_k']):.3f}",
            f"{r['max_error_k']:.4f}",
        ]
        if foam_ref is not None:
            r["max_error_vs_openfoam_k"] = float(np.max(np.abs(v - foam_ref)))
            cells.append(f"{r['max_error_vs_openfoam_k']:.4f}")
        print("| " + " | ".join(cells) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
