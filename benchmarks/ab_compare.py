"""Two rackflow builds side by side on the issue-15 benchmarks, alternately in the same minutes.

The architecture issue asks the composed assembly to stay within 3 % of the hand-written one on
four benchmarks: conduction on 1e6 hexahedra, laminar duct flow on 1.6e5, the conjugate channel
unit on 1.2e5 and the bundled cold plate at 2e5. This runs each case's in-process solve (the
benchmark scripts' own functions) once per round in each interpreter, A B B A A B …, so load
drifts hit both alike, and prints the median solve time of each, their ratio and whether the
engineering numbers agree.

    python -m benchmarks.ab_compare --python-a /tmp/venv_before/bin/python --rounds 3
    python -m benchmarks.ab_compare --python-a OLD --python-b NEW --cases duct,channel

``--python-a``/``--python-b`` are interpreters with the two builds installed (a virtual
environment with a wheel of the older commit, say); B defaults to this interpreter.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks._common import load_average, machine_info, markdown_table

ROOT = Path(__file__).resolve().parent.parent

#: case name → (Python expression evaluated in the worker giving the benchmark's result dict,
#: the keys compared between the builds, the key holding the solve time)
CASES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "conduction_1e6": (
        "__import__('benchmarks.conduction_plate', fromlist=['x']).rackflow_in_process("
        "__import__('benchmarks.plate_mesh', fromlist=['x']).write_hex_mesh(160), {threads}, 1e-8)",
        ("T_max_C", "Q_top_W", "outer_iterations"),
        "solve_s",
    ),
    "duct_1.6e5": (
        "__import__('benchmarks.duct_flow', fromlist=['x']).rackflow_solve(20, {threads})",
        ("dp_total_Pa", "iterations"),
        "solve_s",
    ),
    "channel_1.2e5": (
        "(lambda m, g: m.rackflow_solve(*g(1.2e5), {threads}, 'linear_upwind'))("
        "__import__('benchmarks.channel_cht', fromlist=['x']), "
        "__import__('benchmarks.openfoam.channel_cht', fromlist=['x']).grid_for_cells)",
        ("T_solid_max_K", "T_out_mixed_K", "dP_Pa", "iterations"),
        "solve_s",
    ),
    "coldplate_2e5": (
        "(lambda m: m.rackflow_solve(m.mesh_path(2e5)[0], {threads}))("
        "__import__('benchmarks.coldplate_scaling', fromlist=['x']))",
        ("t_max_c", "dp_pa", "rth_k_w", "flow_it"),
        "solve_s",
    ),
}

_WORKER = """
import json, sys
sys.path.insert(0, {root!r})
result = {expression}
print("AB-RESULT " + json.dumps(result, default=float))
"""


def run_once(python: str, case: str, threads: int) -> dict[str, Any]:
    """One in-process solve of ``case`` in a fresh ``python`` process; its result dict."""
    expression = CASES[case][0].format(threads=threads)
    code = _WORKER.format(root=str(ROOT), expression=expression)
    proc = subprocess.run(
        [python, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False
    )
    for line in proc.stdout.splitlines():
        if line.startswith("AB-RESULT "):
            return json.loads(line[len("AB-RESULT ") :])
    raise RuntimeError(f"{case} under {python} failed:\n{proc.stderr[-3000:]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python-a", required=True, help="interpreter of build A (the reference)")
    ap.add_argument("--python-b", default=sys.executable, help="interpreter of build B")
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES))
    ap.add_argument("--rounds", type=int, default=3, help="solves per build and case")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)

    info = machine_info()
    print(f"# A/B: {args.python_a} (A) vs {args.python_b} (B); {info}; load {load_average()}")
    rows = []
    for case in [c for c in args.cases.split(",") if c]:
        times: dict[str, list[float]] = {"A": [], "B": []}
        results: dict[str, dict[str, Any]] = {}
        for round_ in range(args.rounds):
            order = ("A", "B") if round_ % 2 == 0 else ("B", "A")
            for build in order:
                python = args.python_a if build == "A" else args.python_b
                result = run_once(python, case, args.threads)
                times[build].append(float(result[CASES[case][2]]))
                results[build] = result
                print(f"  {case} round {round_ + 1} {build}: {times[build][-1]:.3f} s", flush=True)
        keys = CASES[case][1]
        differences = [(float("nan"), "")]
        for key in keys:
            a, b = results["A"].get(key), results["B"].get(key)
            if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                differences.append((abs(a - b) / max(abs(a), 1e-300), key))
        largest = max(differences, key=lambda d: -1.0 if d[0] != d[0] else d[0])
        median_a, median_b = statistics.median(times["A"]), statistics.median(times["B"])
        rows.append(
            {
                "case": case,
                "A median s": f"{median_a:.3f}",
                "B median s": f"{median_b:.3f}",
                "B/A": f"{median_b / median_a:.3f}",
                "A runs": " ".join(f"{t:.2f}" for t in times["A"]),
                "B runs": " ".join(f"{t:.2f}" for t in times["B"]),
                "largest relative difference": f"{largest[0]:.1e} ({largest[1]})",
            }
        )
    print()
    print(markdown_table(rows) if args.markdown else json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
