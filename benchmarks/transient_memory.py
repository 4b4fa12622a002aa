"""Where a transient run's memory goes (issue 19): the bundled cold plate of the OpenFOAM
side-by-side (89,506 cells) under its 60 s power trace, adaptive steps of 0.02 K, one thread.

Prints the process's resident memory (VmRSS) and its peak so far (VmHWM), in MB, after each
stage: Python, the imports, the case and its mesh, the steady solve (the initial state) and the
transient, keeping the fields at every output time of the comparison (``all``, 153 of them) or
at its start and end only (``ends``). Linux only (``/proc/self/status``).

    python -m benchmarks.transient_memory [all|ends]
"""

from __future__ import annotations

import sys


def _memory_mb() -> tuple[float, float]:
    with open("/proc/self/status", encoding="ascii") as f:
        status = dict(line.split(":", 1) for line in f)
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def main() -> None:
    kept = sys.argv[1] if len(sys.argv) > 1 else "all"
    if kept not in ("all", "ends"):
        raise SystemExit("usage: python -m benchmarks.transient_memory [all|ends]")
    stages = {"python": _memory_mb()}
    from benchmarks.openfoam.transient_coldplate import END_S, OUTPUT_TIMES_S, rackflow_case, trace

    stages["imports"] = _memory_mb()
    case = rackflow_case(trace())
    stages["case and mesh"] = _memory_mb()
    steady = case.solve(
        convection="upwind",
        threads=1,
        tolerance=1e-8,
        velocity_tolerance=1e-6,
        pressure_tolerance=1e-6,
        mass_tolerance=1e-6,
    )
    stages["steady solve"] = _memory_mb()
    times = OUTPUT_TIMES_S if kept == "all" else [0.0, END_S]
    case.solve_transient(
        END_S, initial=steady, convection="upwind", threads=1, step_tolerance_k=0.02, output_times_s=times
    )
    stages[f"transient, {len(times)} fields kept"] = _memory_mb()
    print(f"{'stage':<32} {'VmRSS MB':>9} {'VmHWM MB':>9}")
    for stage, (rss, peak) in stages.items():
        print(f"{stage:<32} {rss:>9.0f} {peak:>9.0f}")


if __name__ == "__main__":
    main()
