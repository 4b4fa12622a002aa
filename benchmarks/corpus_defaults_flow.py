"""Flow at the defaults on each corpus plate (issue 16): attempts, iterations, fallback, CPU.

``python benchmarks/corpus_defaults_flow.py [--plates a,b] [--mesh-dir DIR] [--flow-only]``

The case is ``tests/validation/test_corpus_defaults.py::design_case`` (constant PG25, 5e4
default tetrahedra), one thread. The progress callback records process CPU seconds at every
call, so the flow's CPU time is read at its last iteration (before the energy), and the
attempts are read where the iteration count restarts.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "validation"))

import rackflow as rf
from rackflow.meshing import CORPUS
from test_corpus_defaults import design_case


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run(plate: str, mesh_dir: Path) -> dict[str, object]:
    path = mesh_dir / f"{plate}.msh"
    if not path.exists():
        CORPUS[plate].generator(path, target_cells=50_000, cells="tetra", binary=True)
    mesh = rf.load_mesh(path)
    case = design_case(mesh, constant_properties=True, plate=plate)
    calls: list[tuple[int, float, dict[str, float]]] = []

    def progress(iteration: int, residuals: dict[str, float]) -> None:
        calls.append((iteration, cpu(), dict(residuals)))

    c0, w0 = cpu(), time.perf_counter()
    error = None
    result = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = case.solve(threads=1, progress=progress)
        except Exception as err:  # reported in the table
            error = f"{type(err).__name__}: {str(err)[:300]}"
    c1, w1 = cpu(), time.perf_counter()
    flow_calls = [c for c in calls if any(k.startswith("U") or k in ("p", "continuity") for k in c[2])]
    attempts: list[int] = []
    last = 0
    for it, _, _ in flow_calls:
        if it < last:
            attempts.append(last)
        last = it
    if last:
        attempts.append(last)
    row: dict[str, object] = {
        "plate": plate,
        "cells": mesh.n_cells,
        "coolant": len(mesh.cells_of(CORPUS[plate].fluid)),
        "attempts": attempts,
        "flow_cpu_s": round(flow_calls[-1][1] - c0, 1) if flow_calls else None,
        "solve_cpu_s": round(c1 - c0, 1),
        "solve_wall_s": round(w1 - w0, 1),
        "error": error,
    }
    if result is not None:
        rep = result.report
        inlet = next(iter(CORPUS[plate].flow_lpm))
        row.update(
            flow_iterations=rep["flow_iterations"],
            flow_wall_s=round(rep["flow_time_s"], 1),
            fallback=rep["flow_first_order_fallback"],
            nonorth_limit=result.momentum_non_orthogonal_limit,
            first_order_cells=rep["flow_first_order_cells"],
            dp_pa=round(result.pressure_drop_pa(inlet, "outlet"), 2),
            t_max_c=round(float(result.temperature_c.max()), 3),
            energy_first_order_cells=rep["energy_first_order_cells"],
        )
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plates", default=",".join(CORPUS))
    parser.add_argument("--mesh-dir", type=Path, default=Path("/tmp/corpus_meshes"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    args.mesh_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for plate in args.plates.split(","):
        row = run(plate, args.mesh_dir)
        print(json.dumps(row), flush=True)
        rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
