"""Where the time of one tetrahedral serpentine cold-plate solve goes (issue 16).

Builds the corpus serpentine plate (``rackflow.meshing.CORPUS["serpentine"]``, Gmsh OCC default
tetrahedra) at ``target_cells`` (the generator's coolant size; the 2e5 plate has 216,847 cells),
caches the ``.msh`` file, and solves the case of ``tests/validation/test_corpus_vs_openfoam.py``
(copper, PG25 with constant properties at 35 °C, 150 W) with first-order upwind convection
forced (one flow attempt, no fallback cascade) and α_U 0.7, one thread. The solve runs in a
child process with ``RACKFLOW_PROFILE=1``; the child's phase lines and its Python-side timings
(mesh reading, building, quality report, case set-up, solve, results) are summed into one table
with the peak resident memory (``ru_maxrss``, what ``/usr/bin/time -v`` reports).

``--iterations N`` does a fixed amount of work instead: bounded second order (``linear_upwind``, one
attempt, α_U 0.7) for exactly N outer iterations (the solve stops at its iteration limit; no
energy solve), so that two builds do the same work; the child reports its process CPU seconds
of the solve and a hash of the per-iteration residuals, which two builds that compute the same
numbers share bit for bit. ``--defaults`` solves with no settings instead (``convection="auto"``, α_U 0.9 first, the
retries of ``case.solve``): every flow attempt's phases are summed, and ``progress`` in the
JSON holds the largest residual every 100 outer iterations of each attempt.
``--variable`` solves with temperature-dependent PG25 (property coupling passes).
``--python /path/to/python`` runs the child with another interpreter (an A/B against another
build: give ``--pythonpath`` to put that build's ``python/`` first); ``--ab OTHER_PYTHONPATH``
alternates this build and that one ``--rounds`` times in one run (the machine is noisy).

Run: ``python benchmarks/tet_plate_profile.py 2e5 [--variable] [--rounds 1] [--ab /tmp/base/python]
[--iterations 40] [--cache /tmp/rackflow-tet-plate]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PLATE = "serpentine"
PROFILE_LINE = re.compile(r"\[prof\] (?P<label>.*): wall (?P<wall>[0-9.]+)s cpu (?P<cpu>[0-9.]+)s")


def mesh_path(target: int, cache: Path) -> tuple[Path, float]:
    """The cached ``.msh`` of the plate at ``target`` cells, and the seconds spent making it
    (0 when it was cached)."""
    from rackflow.meshing import CORPUS

    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{PLATE}-tetra-{target}.msh"
    if path.exists():
        return path, 0.0
    start = time.perf_counter()
    CORPUS[PLATE].generator(path, target_cells=target, cells="tetra", binary=True)
    return path, time.perf_counter() - start


def child(path: Path, variable: bool, defaults: bool = False, iterations: int = 0) -> dict[str, Any]:
    """Load and solve in this process; the Python-side phase times and the answers."""
    times: dict[str, float] = {}

    def lap(name: str, start: float) -> float:
        now = time.perf_counter()
        times[name] = now - start
        return now

    t = time.perf_counter()
    import numpy as np
    import rackflow as rf
    from rackflow.io import meshio_reader
    from rackflow.meshing import CORPUS

    t = lap("python: import rackflow", t)
    flat = meshio_reader.read(path)
    t = lap("python: read .msh into flat arrays", t)
    mesh = rf.Mesh(flat, str(path))
    t = lap("python: build the rackflow Mesh (core)", t)
    quality = mesh.quality()
    t = lap("python: quality report", t)
    design = CORPUS[PLATE]
    case = rf.Case(mesh)
    table = np.asarray(rf.get_material("copper").conductivity_w_mk, dtype=float)
    k_copper = float(np.interp(design.inlet_temperature_c, table[:, 0], table[:, 1]))
    for region in design.regions:
        if region != design.fluid:
            case.solid(region, material=rf.Material("copper at 35 °C", conductivity_w_mk=k_copper))
    coolant: Any = design.coolant
    if not variable:
        props = rf.get_coolant(design.coolant).properties(design.inlet_temperature_c)
        keys = ("density_kg_m3", "viscosity_pa_s", "conductivity_w_mk", "specific_heat_j_kgk")
        coolant = rf.Coolant("PG25 at 35 °C", **{k: float(props[k]) for k in keys})
    case.fluid(design.fluid, coolant=coolant)
    for patch, flow in design.flow_lpm.items():
        case.inlet(patch, flow_lpm=flow, temperature_c=design.inlet_temperature_c)
    case.outlet("outlet", pressure_pa=0.0)
    case.heat_flux("heated", power_w=design.power_w)
    t = lap("python: case set-up", t)
    # the worst residual every 100 outer iterations, per attempt (an iteration count that
    # starts again marks a retry)
    history: list[tuple[int, float]] = []

    every: list[tuple[int, tuple[tuple[str, float], ...]]] = []

    def progress(iteration: int, residuals: dict[str, float]) -> None:
        every.append((iteration, tuple(sorted(residuals.items()))))
        if iteration % 100 == 0 or iteration == 1:
            history.append((iteration, max(residuals.values())))

    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    if iterations:
        try:
            case.solve(
                progress=progress,
                convection="linear_upwind",
                velocity_relaxation=0.7,
                flow_max_iterations=iterations,
                threads=1,
            )
            sys.exit(f"the flow converged within {iterations} iterations: ask for fewer")
        except rf.ConvergenceError:
            pass
    elif defaults:
        result = case.solve(progress=progress, threads=1)
    else:
        result = case.solve(progress=progress, convection="upwind", velocity_relaxation=0.7, threads=1)
    t = lap("python: case.solve (total)", t)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    solve_cpu = usage.ru_utime + usage.ru_stime - cpu
    residual_hash = hashlib.sha256(repr(every).encode()).hexdigest()[:16]
    if iterations:
        return {
            "times": times,
            "cells": mesh.n_cells,
            "fluid_cells": len(mesh.cells_of(design.fluid)),
            "max_non_orthogonality_deg": quality["max_non_orthogonality_deg"],
            "solve_cpu_s": solve_cpu,
            "residual_hash": residual_hash,
            "flow_iterations": len(every),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        }
    inlet = next(iter(design.flow_lpm))
    rth = (result.max_temperature_c("base") - design.inlet_temperature_c) / design.power_w
    dp = result.pressure_drop_pa(inlet, "outlet")
    lap("python: R_th and ΔP from the result", t)
    report = result.report
    return {
        "times": times,
        "cells": mesh.n_cells,
        "fluid_cells": len(mesh.cells_of(design.fluid)),
        "max_non_orthogonality_deg": quality["max_non_orthogonality_deg"],
        "rth_k_w": rth,
        "dp_pa": dp,
        "balance": result.energy_balance_error,
        "solve_cpu_s": solve_cpu,
        "residual_hash": residual_hash,
        "flow_iterations": int(report.get("flow_iterations", 0)),
        "energy_outer_iterations": int(report.get("outer_iterations", 0)),
        "coupling_passes": report.get("coupling_passes"),
        "progress": history,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "report": {
            k: report.get(k)
            for k in (
                "energy_limiter_frozen_at",
                "energy_non_orthogonal_limited_at",
                "energy_first_order_cells",
                "residual_history",
                "linear_iterations",
                "flow_time_s",
                "flow_first_order_cells",
                "flow_fallback",
            )
        },
    }


def run(
    path: Path,
    variable: bool,
    python: str,
    pythonpath: str | None,
    defaults: bool = False,
    iterations: int = 0,
) -> dict[str, Any]:
    """One profiled solve in a child process: its numbers and its phase table."""
    env = {**os.environ, "RACKFLOW_PROFILE": "1", "RAYON_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [python, __file__, "--child", str(path)] + (["--variable"] if variable else [])
    cmd += ["--defaults"] if defaults else []
    cmd += ["--iterations", str(iterations)] if iterations else []
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"child failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    phases: dict[str, list[float]] = {}
    for line in proc.stderr.splitlines():
        m = PROFILE_LINE.search(line)
        if m:
            # iteration counts in the label vary from run to run: sum under the label without them
            label = re.sub(r"\(\d+ outer iterations\)", "", m["label"]).strip()
            slot = phases.setdefault(label, [0.0, 0.0, 0])
            slot[0] += float(m["wall"])
            slot[1] += float(m["cpu"])
            slot[2] += 1
    out["phases"] = phases
    out["child_wall_s"] = wall
    out["labels_raw"] = [m["label"] for m in map(PROFILE_LINE.search, proc.stderr.splitlines()) if m]
    return out


def table(runs: list[tuple[str, dict[str, Any]]], mesh_s: float) -> str:
    """Markdown: one row per phase, one column per run."""
    names = [n for n, _ in runs]
    lines = ["| phase | " + " | ".join(f"{n} wall s" for n in names) + " |"]
    lines.append("|---|" + "---:|" * len(names))
    lines.append(
        "| mesh generation (Gmsh OCC, cached after the first run) | " + f"{mesh_s:.1f} |" * len(names)
    )
    labels: list[str] = []
    for _, r in runs:
        for key in list(r["times"]) + list(r["phases"]):
            if key not in labels:
                labels.append(key)
    for label in labels:
        cells = []
        for _, r in runs:
            if label in r["times"]:
                cells.append(f"{r['times'][label]:.2f}")
            elif label in r["phases"]:
                wall, _, count = r["phases"][label]
                cells.append(f"{wall:.2f}" + (f" ({count}×)" if count > 1 else ""))
            else:
                cells.append("–")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for key, fmt in (
        ("solve_cpu_s", "{:.2f}"),
        ("peak_rss_mb", "{:.0f}"),
        ("flow_iterations", "{}"),
        ("residual_hash", "{}"),
        ("energy_outer_iterations", "{}"),
        ("rth_k_w", "{:.6f}"),
        ("dp_pa", "{:.3f}"),
        ("balance", "{:.1e}"),
    ):
        if all(key in r for _, r in runs):
            lines.append(f"| {key} | " + " | ".join(fmt.format(r[key]) for _, r in runs) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("target", nargs="?", default="2e5", help="generator target_cells, e.g. 2e5")
    parser.add_argument("--variable", action="store_true", help="temperature-dependent PG25")
    parser.add_argument(
        "--defaults",
        action="store_true",
        help="default settings (auto convection, retries) instead of upwind at 0.7",
    )
    parser.add_argument(
        "--iterations",
        type=int,
        default=0,
        help="fixed work: exactly this many second-order outer iterations, no energy solve",
    )
    parser.add_argument("--cache", default="/tmp/rackflow-tet-plate", help="where the .msh files are kept")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--pythonpath", help="put this first on the child's PYTHONPATH")
    parser.add_argument("--ab", metavar="PYTHONPATH", help="alternate with the build whose python/ is here")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", help="write the runs here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child), args.variable, args.defaults, args.iterations)))
        return
    target = int(float(args.target))
    path, mesh_s = mesh_path(target, Path(args.cache))
    print(
        f"{PLATE} tetra {target:.0e}: {path} (meshed in {mesh_s:.1f} s); load {os.getloadavg()}", flush=True
    )
    runs: list[tuple[str, dict[str, Any]]] = []
    for k in range(args.rounds):
        order = [("this", args.pythonpath)] + ([("other", args.ab)] if args.ab else [])
        if k % 2:
            order.reverse()
        for name, pythonpath in order:
            r = run(path, args.variable, args.python, pythonpath, args.defaults, args.iterations)
            r["load"] = os.getloadavg()
            runs.append((f"{name} {k + 1}", r))
            answer = (
                f"residuals {r['residual_hash']}"
                if args.iterations
                else f"R_th {r['rth_k_w']:.6f} K/W, ΔP {r['dp_pa']:.3f} Pa"
            )
            print(
                f"{name} {k + 1}: {r['child_wall_s']:.1f} s, solve CPU {r['solve_cpu_s']:.2f} s, {answer}, "
                f"peak {r['peak_rss_mb']:.0f} MB, load {r['load'][0]:.1f}",
                flush=True,
            )
    r0 = runs[0][1]
    print(
        f"\n{r0['cells']:,} cells ({r0['fluid_cells']:,} coolant), max non-orthogonality "
        f"{r0['max_non_orthogonality_deg']:.1f}°\n"
    )
    print(table(runs, mesh_s))
    if args.json:
        Path(args.json).write_text(json.dumps([{"name": n, **r} for n, r in runs], indent=1))


if __name__ == "__main__":
    main()
