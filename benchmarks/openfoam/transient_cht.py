"""OpenFOAM chtMultiRegionFoam (transient) against rackflow's ``solve_transient``: the channel
unit after a power step (issue 19, benchmark item 1 at small size).

Geometry, materials, coolant, inlet and outlet as :mod:`benchmarks.openfoam.channel_cht` (one
channel of a copper cold plate, 20 mm along the flow, 1 mm water channel between two half-fins
over a 1 mm base; copper k 400 W/m·K, ρ 8960 kg/m³, c_p 385 J/kg·K; water with constant
properties; inlet 0.5 m/s at 300 K), on the same uniform hexahedral grid in both codes
(``grid_for_cells``: 1.5e4 → n 6, nx 69, 14,904 cells; rackflow's
``channel_unit(cells_across_channel=n, n_along=nx)``).

The power step: the bottom flux steps from 20 % to 100 % of 5e5 W/m² (4 W → 20 W) at t = 0,
from the steady state at 20 %; 3 s are simulated (about 6 time constants). The flow is frozen at
its steady solution in both codes (constant properties: the flow does not depend on temperature).

* OpenFOAM v1912: ``chtMultiRegionSimpleFoam`` to the steady state at 20 % (upwind, as
  ``channel_cht``), then ``chtMultiRegionFoam`` from those fields (U, p, p_rgh, the conservative
  fluxes φ, T) with ``frozenFlow yes`` (energy only, in both regions), the flux at 100 %, fixed
  steps of ``--dt`` with ``backward`` (BDF2) time derivatives (the first step included), bounded
  upwind convection of h, ``nOuterCorrectors`` ``--outer`` (the regions are coupled through
  their interface conditions once per outer corrector). The hottest solid cell is recorded
  every step (``volFieldValue``).
* rackflow: the steady solve at 20 % (upwind, flow tolerances 1e-6, energy 1e-8) is the initial
  state; ``solve_transient`` with the flux at 100 %, upwind, fixed steps of ``--dt`` (variable-step
  BDF2 after one Euler step, every region in one implicit system), and with adaptive steps
  (``step_tolerance_k`` 0.01, the default).

Reported: wall time and CPU seconds (whole process for OpenFOAM's transient run, GNU time, and
its time loop alone from ``ExecutionTime``; the in-process ``solve_transient`` call for
rackflow), linear iterations, steps, the hottest solid temperature every 0.02 s in both codes, the largest
difference over the run from the time-converged answer (rackflow's smallest fixed step) and from
OpenFOAM's reference run, the time constant (63 % of the rise), and the cheapest run of each code
within 0.1, 0.05 and 0.01 K of the converged curve with the CPU ratio. ``--write-reference`` stores
OpenFOAM's T_max(t) in ``tests/validation/reference/openfoam_transient_cht.json`` for
``tests/validation/test_transient_openfoam.py``.

    python -m benchmarks.openfoam.transient_cht                      # OpenFOAM and rackflow
    python -m benchmarks.openfoam.transient_cht --write-reference    # also store the reference
    python -m benchmarks.openfoam.transient_cht --skip-openfoam      # rackflow against the stored one
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import cache_dir, print_header
from benchmarks.openfoam import channel_cht as of_cht
from benchmarks.openfoam import foam

Q_HIGH = of_cht.Q_BOTTOM
Q_LOW = 0.2 * of_cht.Q_BOTTOM
END_S = 3.0
DT_S = 0.005
#: T_max(t) is compared at these intervals (rackflow's output times; OpenFOAM records every step)
COMPARE_EVERY_S = 0.02
RHO_SOLID, CP_SOLID = 8960.0, 385.0  # channel_cht's solid thermophysicalProperties
REFERENCE = (
    Path(__file__).resolve().parents[2] / "tests" / "validation" / "reference" / "openfoam_transient_cht.json"
)
COMMAND = "python -m benchmarks.openfoam.transient_cht"


def _steady(root: Path, n: int, nx: int) -> tuple[Path, str, float]:
    """chtMultiRegionSimpleFoam at 20 % power; the case, its last time and wall time."""
    case = root / f"steady_n{n}_nx{nx}"
    of_cht.prepare(case, n, nx, 1, q_bottom=Q_LOW)
    timed, _ = foam.run_solver(case, "chtMultiRegionSimpleFoam", 1)
    return case, foam.time_dirs(case)[-1], timed.wall_s


_FLUID_SOLUTION = """
solvers
{
    "(U|h|p_rgh|rho)" { solver PBiCGStab; preconditioner DILU; tolerance 1e-10; relTol 0; }
    "(U|h|p_rgh|rho)Final" { solver PBiCGStab; preconditioner DILU; tolerance 1e-10; relTol 0; }
}
PIMPLE
{
    frozenFlow yes;
    momentumPredictor no;
    nOuterCorrectors OUTER;
    nCorrectors 1;
    nNonOrthogonalCorrectors 0;
}
relaxationFactors { equations { ".*" 1; } }
"""

_SOLID_SOLUTION = """
solvers
{
    "h|hFinal" { solver PCG; preconditioner DIC; tolerance 1e-10; relTol 0; }
}
PIMPLE { nNonOrthogonalCorrectors 0; }
"""


def _transient_case(steady: Path, last: str, case: Path, dt: float, end: float, outer: int) -> None:
    foam.clean_case(case)
    shutil.copytree(steady / "constant", case / "constant")
    shutil.copytree(steady / "system", case / "system")
    for region, names in (("fluid", ("U", "p", "p_rgh", "T", "phi")), ("solid", ("T", "p"))):
        (case / "0" / region).mkdir(parents=True, exist_ok=True)
        for name in names:
            src = steady / last / region / name
            if src.exists():
                text = src.read_text()
                if region == "solid" and name == "T":
                    text, count = re.subn(
                        r"(heated\s*\{[^}]*?q\s+uniform\s+)([0-9.eE+-]+)", rf"\g<1>{Q_HIGH:.10g}", text
                    )
                    if count != 1:
                        raise RuntimeError("could not set the heated flux in the solid's T")
                text = re.sub(r'location\s+"[^"]*";', f'location "0/{region}";', text)
                (case / "0" / region / name).write_text(text)
    tmax = (
        "    tmax_solid\n    {\n        type volFieldValue;\n        libs (fieldFunctionObjects);\n"
        "        region solid;\n        regionType all;\n        operation max;\n        fields (T);\n"
        "        writeFields false;\n        log false;\n        executeControl timeStep;\n"
        "        executeInterval 1;\n        writeControl timeStep;\n        writeInterval 1;\n    }"
    )
    foam.write_file(
        case,
        "system/controlDict",
        "dictionary",
        f"""
application     chtMultiRegionFoam;
startFrom       startTime;
startTime       0;
stopAt          endTime;
endTime         {end:.10g};
deltaT          {dt:.10g};
adjustTimeStep  no;
writeControl    runTime;
writeInterval   {end:.10g};
purgeWrite      0;
writeFormat     ascii;
writePrecision  10;
writeCompression off;
timeFormat      general;
timePrecision   8;
runTimeModifiable false;
functions
{{
{tmax}
}}
""",
    )
    for region in ("fluid", "solid"):
        p = case / "system" / region / "fvSchemes"
        p.write_text(p.read_text().replace("default steadyState;", "default backward;"))
    foam.write_file(
        case, "system/fluid/fvSolution", "dictionary", _FLUID_SOLUTION.replace("OUTER", str(outer))
    )
    foam.write_file(case, "system/solid/fvSolution", "dictionary", _SOLID_SOLUTION)
    foam.write_file(case, "system/fvSolution", "dictionary", f"PIMPLE {{ nOuterCorrectors {outer}; }}\n")


def _read_tmax(case: Path) -> tuple[np.ndarray, np.ndarray]:
    files = sorted(case.glob("postProcessing/**/tmax_solid/**/volFieldValue*.dat")) or sorted(
        case.glob("postProcessing/**/volFieldValue*.dat")
    )
    if not files:
        raise RuntimeError(f"no volFieldValue output under {case / 'postProcessing'}")
    rows = [
        [float(v) for v in line.split()[:2]]
        for line in files[0].read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    a = np.asarray(rows)
    return a[:, 0], a[:, 1]


def run_openfoam(n: int, nx: int, dt: float, end: float, outer: int) -> dict[str, Any]:
    root = cache_dir("openfoam", "transient_cht")
    steady, last, steady_wall = _steady(root, n, nx)
    _, t0_solid = _steady_tmax(steady, last)
    case = root / f"transient_n{n}_nx{nx}_dt{dt:g}_outer{outer}"
    _transient_case(steady, last, case, dt, end, outer)
    load = os.getloadavg()[0]
    timed, log = foam.run_solver(case, "chtMultiRegionFoam", 1)
    t, tmax = _read_tmax(case)
    return {
        "code": "OpenFOAM chtMultiRegionFoam",
        "openfoam_version": foam.foam_version(),
        "cells": nx * 6 * n * n,
        "dt_s": dt,
        "steps": len(t),
        "outer_correctors": outer,
        "wall_s": timed.wall_s,
        "cpu_s": timed.user_s + timed.sys_s,
        "loop_cpu_s": loop_cpu_s(log),
        "max_rss_mb": timed.max_rss_mb,
        "steady_wall_s": steady_wall,
        "steady_iterations": int(last),
        "load": load,
        "time_s": [0.0, *t.tolist()],
        "solid_max_k": [t0_solid, *tmax.tolist()],
        "case_dir": str(case),
    }


def loop_cpu_s(log: str) -> float:
    """CPU seconds of the time loop alone: OpenFOAM's cumulative ``ExecutionTime`` after the last
    step minus that after the first, scaled by N / (N − 1) for the first step (start-up, mesh and
    field input are left out)."""
    cpu = [float(v) for v in re.findall(r"^ExecutionTime = (\S+) s", log, re.M)]
    if len(cpu) < 2:
        return float("nan")
    return (cpu[-1] - cpu[0]) * len(cpu) / (len(cpu) - 1)


def _steady_tmax(case: Path, last: str) -> tuple[str, float]:
    vals, _ = foam.read_field(case / last / "solid" / "T")
    return last, float(np.max(np.atleast_1d(vals)))


def rackflow_case(n: int, nx: int, mesh_dir: Path) -> Any:
    """The channel unit on the OpenFOAM grid with copper's density and heat capacity; the bottom
    flux at 20 %."""
    import rackflow as rf
    from rackflow.meshing import channel_unit

    path = mesh_dir / f"channel_unit_n{n}_nx{nx}.msh"
    if not path.exists():
        channel_unit(
            path,
            length_m=of_cht.L,
            half_fin_m=of_cht.FIN,
            channel_width_m=of_cht.CHANNEL,
            channel_height_m=of_cht.LAYER,
            base_thickness_m=of_cht.BASE,
            cells_across_channel=n,
            n_along=nx,
        )
    mesh = rf.load_mesh(path)
    case = rf.Case(mesh)
    copper = rf.Material(
        "copper-400", conductivity_w_mk=of_cht.K_SOLID, density_kg_m3=RHO_SOLID, specific_heat_j_kgk=CP_SOLID
    )
    case.solid("solid", material=copper)
    water = rf.Coolant(
        "water-const",
        density_kg_m3=of_cht.RHO,
        viscosity_pa_s=of_cht.MU,
        conductivity_w_mk=of_cht.K_FLUID,
        specific_heat_j_kgk=of_cht.CP,
    )
    case.fluid("fluid", coolant=water)
    case.inlet("inlet", velocity_m_s=of_cht.U_IN, temperature_c=of_cht.T_IN - 273.15)
    case.outlet("outlet", pressure_pa=0.0)
    case.heat_flux("heated", flux_w_m2=Q_LOW)
    return case


STEADY = {"convection": "upwind", "tolerance": 1e-8, "velocity_tolerance": 1e-6, "pressure_tolerance": 1e-6}


def run_rackflow(
    n: int,
    nx: int,
    dt: float | None,
    end: float,
    mesh_dir: Path,
    *,
    threads: int | None = 1,
    step_tolerance_k: float = 0.01,
) -> dict[str, Any]:
    """The power step in rackflow: fixed steps of ``dt`` or adaptive (``dt`` None)."""
    case = rackflow_case(n, nx, mesh_dir)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    steady = case.solve(**STEADY, mass_tolerance=1e-6, threads=threads)
    t1, c1 = time.perf_counter(), time.process_time()
    case.heat_flux("heated", flux_w_m2=Q_HIGH)
    out_times = np.round(np.arange(0.0, end + 1e-9, COMPARE_EVERY_S), 10)
    run = case.solve_transient(
        end,
        time_step_s=dt,
        initial=steady,
        output_times_s=out_times,
        step_tolerance_k=step_tolerance_k,
        convection="upwind",
        threads=threads,
    )
    t2, c2 = time.perf_counter(), time.process_time()
    rep = run.report
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "code": "rackflow",
        "cells": int(case.mesh.n_cells),
        "dt_s": dt,
        "step_tolerance_k": None if dt is not None else step_tolerance_k,
        "outer_correctors": None,
        "threads": threads,
        "steps": int(rep["steps_accepted"]),
        "rejected": int(rep["steps_rejected"]),
        "linear_iterations": int(rep["linear_iterations"]),
        "preconditioner_builds": int(rep["preconditioner_builds"]),
        "solve_time_s": float(rep["solve_time_s"]),
        "process_peak_rss_mb": peak_kb / 1024.0,
        "wall_s": t2 - t1,
        "cpu_s": c2 - c1,
        "steady_wall_s": t1 - t0,
        "load": load,
        "time_s": [float(v) for v in run.times_s],
        "solid_max_k": [float(v) + 273.15 for v in run.max_temperature_c("solid")],
    }


def at(times: list[float], values: list[float], t: np.ndarray) -> np.ndarray:
    return np.interp(t, np.asarray(times), np.asarray(values))


def time_constant(times: list[float], values: list[float]) -> float:
    """63.2 % of the rise from the first to the last value, by linear interpolation."""
    t, v = np.asarray(times), np.asarray(values)
    target = v[0] + (1 - np.exp(-1.0)) * (v[-1] - v[0])
    i = int(np.argmax(v >= target))
    return float(t[i - 1] + (target - v[i - 1]) * (t[i] - t[i - 1]) / (v[i] - v[i - 1]))


def _label(r: dict[str, Any]) -> str:
    if r["code"] == "rackflow":
        how = f"dt {r['dt_s']:g}" if r["dt_s"] is not None else f"adaptive {r['step_tolerance_k']:g} K"
        return f"rackflow {how}"
    return f"OpenFOAM dt {r['dt_s']:g}, {r['outer_correctors']} outer"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=float, default=1.5e4)
    ap.add_argument("--end", type=float, default=END_S)
    ap.add_argument(
        "--openfoam",
        default="0.005:3,0.005:1,0.01:1,0.01:2,0.02:1,0.02:2,0.001:1",
        help="OpenFOAM runs as dt:nOuterCorrectors; the first is the stored reference",
    )
    ap.add_argument(
        "--rackflow",
        default="0.005,0.001,adaptive:0.005,adaptive:0.01,adaptive:0.02,adaptive:0.05",
        help="rackflow runs: fixed dt, or adaptive:step_tolerance_k ('none': no run); the fixed run "
        "at the smallest dt is the time-converged answer the others are compared with",
    )
    ap.add_argument("--threads", type=int, default=1, help="rackflow threads (OpenFOAM runs serial)")
    ap.add_argument("--skip-openfoam", action="store_true", help="compare with the stored reference")
    ap.add_argument("--write-reference", action="store_true")
    ap.add_argument("--json", help="also write every row to this file")
    args = ap.parse_args(argv)
    n, nx = of_cht.grid_for_cells(args.cells)
    print_header("Channel unit after a power step: chtMultiRegionFoam vs rackflow solve_transient")
    rows: list[dict[str, Any]] = []
    if args.skip_openfoam:
        rows.append(json.loads(REFERENCE.read_text()))
    else:
        for spec in args.openfoam.split(","):
            dt, outer = spec.split(":")
            rows.append(run_openfoam(n, nx, float(dt), args.end, int(outer)))
            print(f"{_label(rows[-1])}: {rows[-1]['wall_s']:.2f} s", flush=True)
        if args.write_reference:
            stored = {k: v for k, v in rows[0].items() if k != "case_dir"}
            stored.update(
                command=" ".join([COMMAND, *(sys.argv[1:] if argv is None else argv)]),
                date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                q_low_w_m2=Q_LOW,
                q_high_w_m2=Q_HIGH,
                n=n,
                nx=nx,
                end_s=args.end,
                geometry_m={
                    "length": of_cht.L,
                    "half_fin": of_cht.FIN,
                    "channel_width": of_cht.CHANNEL,
                    "channel_height": of_cht.LAYER,
                    "base_thickness": of_cht.BASE,
                },
                solid={
                    "conductivity_w_mk": of_cht.K_SOLID,
                    "density_kg_m3": RHO_SOLID,
                    "specific_heat_j_kgk": CP_SOLID,
                },
                coolant={
                    "density_kg_m3": of_cht.RHO,
                    "viscosity_pa_s": of_cht.MU,
                    "conductivity_w_mk": of_cht.K_FLUID,
                    "specific_heat_j_kgk": of_cht.CP,
                },
                inlet={"velocity_m_s": of_cht.U_IN, "temperature_k": of_cht.T_IN},
                schemes="upwind convection (U and h), backward (BDF2) in time, frozenFlow; steady start by "
                "chtMultiRegionSimpleFoam (upwind) at the low flux",
            )
            REFERENCE.write_text(json.dumps(stored, indent=1) + "\n")
            print(f"wrote {REFERENCE}")
    mesh_dir = cache_dir("meshes")
    fixed = []
    for spec in [] if args.rackflow == "none" else args.rackflow.split(","):
        if spec.startswith("adaptive"):
            tol = float(spec.split(":")[1]) if ":" in spec else 0.01
            rows.append(
                run_rackflow(n, nx, None, args.end, mesh_dir, threads=args.threads, step_tolerance_k=tol)
            )
        else:
            rows.append(run_rackflow(n, nx, float(spec), args.end, mesh_dir, threads=args.threads))
            fixed.append(rows[-1])
        print(f"{_label(rows[-1])}: {rows[-1]['wall_s']:.2f} s", flush=True)
    grid = np.round(np.arange(0.0, args.end + 1e-9, COMPARE_EVERY_S), 10)
    of_ref = at(rows[0]["time_s"], rows[0]["solid_max_k"], grid)
    converged = min(fixed, key=lambda r: r["dt_s"]) if fixed else rows[0]
    conv = at(converged["time_s"], converged["solid_max_k"], grid)
    print(
        f"\nmax |dT| over the output times (every {COMPARE_EVERY_S:g} s); 'converged' = {_label(converged)}, "
        f"'OF ref' = {_label(rows[0])}\n"
    )
    head = [
        "run",
        "steps",
        "wall s",
        "cpu s",
        "loop cpu s",
        "lin. it.",
        "load",
        "tau s",
        "T(0) K",
        "T(end) K",
        "vs converged",
        "vs OF ref",
    ]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        v = at(r["time_s"], r["solid_max_k"], grid)
        print(
            f"| {_label(r)} | {r['steps']} | {r['wall_s']:.2f} | {r.get('cpu_s', float('nan')):.2f} | "
            f"{r.get('loop_cpu_s', r.get('cpu_s', float('nan'))):.2f} | {r.get('linear_iterations', '')} | "
            f"{r['load']:.1f} | {time_constant(r['time_s'], r['solid_max_k']):.4f} | {v[0]:.4f} | "
            f"{v[-1]:.4f} | {np.max(np.abs(v - conv)):.4f} | {np.max(np.abs(v - of_ref)):.5f} |"
        )
    print(
        "\nCheapest run of each code within each accuracy (max |ΔT| against the converged curve); CPU s "
        "as above ('loop': OpenFOAM's time loop without start-up, rackflow's solve_transient call):\n"
    )
    print(
        "| within | OpenFOAM run | CPU s (loop) | rackflow run | CPU s | rackflow faster by (whole / loop) |"
    )
    print("|---|---|---|---|---|---|")
    for within in (0.1, 0.05, 0.01):
        best: dict[str, dict[str, Any] | None] = {"OpenFOAM": None, "rackflow": None}
        for r in rows:
            if r is converged:
                continue
            err = float(np.max(np.abs(at(r["time_s"], r["solid_max_k"], grid) - conv)))
            code = "rackflow" if r["code"] == "rackflow" else "OpenFOAM"
            if err <= within and (best[code] is None or r["cpu_s"] < best[code]["cpu_s"]):
                best[code] = r
        o, f = best["OpenFOAM"], best["rackflow"]
        if o is None or f is None or "loop_cpu_s" not in o:
            print(
                f"| {within:g} K | {'—' if o is None else _label(o)} | | {'—' if f is None else _label(f)} | | |"
            )
            continue
        print(
            f"| {within:g} K | {_label(o)} | {o['cpu_s']:.2f} ({o['loop_cpu_s']:.2f}) | {_label(f)} | "
            f"{f['cpu_s']:.2f} | {o['cpu_s'] / f['cpu_s']:.1f}× / {o['loop_cpu_s'] / f['cpu_s']:.1f}× |"
        )
    print("\nT_max of the solid [K] every 0.5 s:")
    print("t s   " + "  ".join(f"{_label(r)[:22]:>22}" for r in rows))
    for i, t in enumerate(grid):
        if abs(t / 0.5 - round(t / 0.5)) < 1e-9:
            print(
                f"{t:4.1f}  "
                + "  ".join(f"{at(r['time_s'], r['solid_max_k'], grid)[i]:>22.4f}" for r in rows)
            )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
