"""Mesh convergence of a cold plate on three meshes: the bundled microchannel plate (the demo
case) or a plate of the geometry corpus (issue 16).

Prints R_th (junction or hottest ``base`` cell to inlet, over the power), pressure drop,
energy balance, cells, iterations, time and peak memory per mesh, the change between the two
finest meshes, and Celik et al.'s (2008) observed order, Richardson extrapolation and
grid-convergence index of R_th and ΔP (refinement ratios from the cell counts, r = (N_fine /
N_coarse)^(1/3), unequal ratios allowed).

Demo plate: ``python -m benchmarks.coldplate_convergence [--refine 1.0,1.26,1.59]``.

Corpus plate at the defaults: ``python -m benchmarks.coldplate_convergence --corpus serpentine
--target-cells 5e4,2e5,1e6 [--cells tetra|prism] [--setting convection=upwind] [--threads 1]
[--mesh-dir /tmp/corpus_meshes] --json rows.json``. The case is ``benchmarks.corpus.build_case``
with PG25 held at the inlet temperature (one flow solve, as ``tests/validation/
test_corpus_defaults.py``). Each size is meshed (cached in ``--mesh-dir``) and solved in its own
process under ``/usr/bin/time -v`` (peak RSS of that process); the row records the flow's
attempts (outer iterations of each, read where the iteration count restarts), the cells made
first order, the warnings, the mass and energy balances and the process CPU seconds. Rows
already in ``--json`` for the same plate, cells, target and settings are reused, so the sizes
can be run one at a time (``--target-cells 1e6`` alone, then the table of all three).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from benchmarks._common import grid_convergence, load_average, run_worker


def solve(refine: float, threads: int | None) -> dict[str, float]:
    import rackflow as rf
    from rackflow import demo
    from rackflow.meshing import microchannel_coldplate

    with tempfile.TemporaryDirectory() as tmp:
        path = microchannel_coldplate(Path(tmp) / "plate.msh", refine=refine, binary=True)
        mesh = rf.load_mesh(path)
    case = demo.build_case(mesh)
    start = time.perf_counter()
    result = case.solve(threads=threads)
    wall = time.perf_counter() - start
    d = result.summary().to_dict()
    return {
        "refine": refine,
        "cells": mesh.n_cells,
        "rth_k_w": d["thermal_resistance_k_w.die"],
        "dp_pa": d["pressure_drop_pa"],
        "t_out_c": d["outlet_temperature_c"],
        "balance": result.energy_balance_error,
        "flow_it": d["flow_iterations"],
        "wall_s": wall,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def corpus_worker(spec: dict[str, Any]) -> None:
    """One corpus size in this process: mesh (cached), solve at the defaults plus
    ``spec["settings"]``, print the row. Progress goes to ``spec["log"]`` every 100 iterations."""
    import rackflow as rf
    from rackflow.meshing import CORPUS

    from benchmarks._common import emit_worker_result
    from benchmarks.corpus import build_case

    plate, cells, target = spec["plate"], spec["cells"], int(spec["target"])
    design = CORPUS[plate]
    layers = spec.get("prism_layers")  # None: tetrahedra; "refined" (wall_layers) or a count
    suffix = f"-layers-{layers}" if layers is not None else ""
    path = Path(spec["mesh_dir"]) / f"{plate}-{cells}-{target}{suffix}.msh"
    row: dict[str, Any] = {
        "plate": plate,
        "cells_kind": cells,
        "target": target,
        "settings": spec["settings"],
        "prism_layers": layers,
    }
    row["load_start"] = load_average()
    if not path.exists():
        start = time.perf_counter()
        extra = {} if layers is None else {"prism_layers": None if layers == "refined" else int(layers)}
        design.generator(path, target_cells=target, cells=cells, binary=True, **extra)
        row["mesh_s"] = time.perf_counter() - start
    mesh = rf.load_mesh(path)
    row["cells"] = mesh.n_cells
    row["coolant_cells"] = len(mesh.cells_of(design.fluid))
    case = build_case(plate, mesh, constant=True)
    log = open(spec["log"], "a", encoding="utf-8") if spec.get("log") else None
    calls: list[tuple[int, bool]] = []  # (iteration, flow?) of every progress call
    c0, w0 = _cpu(), time.perf_counter()
    flow_cpu = [0.0]

    def progress(iteration: int, residuals: dict[str, float]) -> None:
        flow = "p" in residuals
        if flow:
            flow_cpu[0] = _cpu() - c0
        calls.append((iteration, flow))
        if log and (iteration % 100 == 0 or not flow):
            res = " ".join(f"{k} {v:.2e}" for k, v in residuals.items())
            log.write(f"{time.strftime('%H:%M:%S')} {'flow' if flow else 'energy'} {iteration}: {res}\n")
            log.flush()

    settings = dict(spec["settings"])
    if spec.get("threads"):
        settings["threads"] = spec["threads"]
    result = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = case.solve(progress=progress, **settings)
        except Exception as err:  # reported in the row
            row["error"] = f"{type(err).__name__}: {str(err)[:600]}"
            history = list(getattr(err, "history", None) or [])
            row["history_tail"] = history[-60:]
            partial = getattr(err, "partial_result", None)
            if partial is not None and partial.temperature_c.size:
                # the last iterate (balances NaN): R_th of a failed energy solve, to compare
                row["partial_rth_k_w"] = (
                    partial.max_temperature_c("base") - design.inlet_temperature_c
                ) / design.power_w
    row["solve_wall_s"] = time.perf_counter() - w0
    row["solve_cpu_s"] = _cpu() - c0
    row["flow_cpu_s"] = flow_cpu[0]
    row["warnings"] = [f"{w.category.__name__}: {str(w.message)[:300]}" for w in caught]
    attempts, last = [], 0
    for it, flow in calls:
        if not flow:
            continue
        if it < last:
            attempts.append(last)
        last = it
    if last:
        attempts.append(last)
    row["attempts"] = attempts
    row["converged"] = result is not None
    if result is not None:
        rep = result.report
        inlet = next(iter(design.flow_lpm))
        row.update(
            rth_k_w=(result.max_temperature_c("base") - design.inlet_temperature_c) / design.power_w,
            dp_pa=result.pressure_drop_pa(inlet, "outlet"),
            t_out_c=result.outlet_temperature_c("outlet"),
            balance=result.energy_balance_error,
            mass_imbalance=result.mass_imbalance,
            coolant_min_c=result.min_temperature_c(design.fluid),
            flow_iterations=rep.get("flow_iterations"),
            outer_iterations=rep.get("outer_iterations"),
            fallback=rep.get("flow_first_order_fallback"),
            flow_first_order_cells=rep.get("flow_first_order_cells"),
            energy_first_order_cells=rep.get("energy_first_order_cells"),
            nonorth_limit=result.momentum_non_orthogonal_limit,
            flow_time_s=rep.get("flow_time_s"),
            energy_time_s=rep.get("solve_time_s"),
            energy_linear_iterations=list(rep.get("linear_iterations", []))[-40:],
            energy_residuals=list(rep.get("residual_history", []))[-40:],
        )
    row["load_end"] = load_average()
    row["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if log:
        log.write(f"{time.strftime('%H:%M:%S')} done: {json.dumps(row)}\n")
        log.close()
    emit_worker_result(row)


def _same(row: dict[str, Any], spec: dict[str, Any]) -> bool:
    """Whether a stored row is the run ``spec`` asks for (the same plate, cells, size, settings)."""
    return row.get("cells_kind") == spec["cells"] and all(
        row.get(k) == spec.get(k) for k in ("plate", "target", "settings", "prism_layers")
    )


def _order(c: float, m: float, f: float, nc: float, nm: float, nf: float, label: str) -> str:
    g = grid_convergence(c, m, f, (nf / nm) ** (1 / 3), (nm / nc) ** (1 / 3))
    kind = "oscillatory, " if g.oscillatory else ""
    return (
        f"{label}: change between the two finest {(f - m) / f:+.2%}; {kind}observed order {g.order:.2f}; "
        f"extrapolated {g.extrapolated:.5g}; e_a {g.approximate_error:.2%}, e_ext {g.extrapolated_error:.2%}; "
        f"GCI(fine) {g.gci_fine:.2%}"
    )


def corpus_main(args: argparse.Namespace) -> None:
    settings: dict[str, Any] = {}
    from benchmarks.corpus import parse_settings

    settings = parse_settings(args.setting)
    store = Path(args.json) if args.json else None
    rows: list[dict[str, Any]] = json.loads(store.read_text()) if store and store.exists() else []
    Path(args.mesh_dir).mkdir(parents=True, exist_ok=True)
    wanted = []
    for t in args.target_cells.split(","):
        spec = {
            "plate": args.corpus,
            "cells": args.cells,
            "target": int(float(t)),
            "settings": settings,
            "threads": args.threads,
            "mesh_dir": str(args.mesh_dir),
            "log": args.log,
            # prism rows name their layers (rows stored before stop 29 have none: 8 layers)
            "prism_layers": args.prism_layers or ("refined" if args.cells == "prism" else None),
        }
        have = next((r for r in rows if _same(r, spec)), None)
        if have is None:
            have = run_worker("benchmarks.coldplate_convergence", spec, timeout=args.timeout)
            have.update(
                {k: spec[k] for k in ("plate", "target", "settings", "prism_layers")}, cells_kind=args.cells
            )
            rows.append(have)
            if store:
                store.write_text(json.dumps(rows, indent=1) + "\n")
        wanted.append(have)
    what = ", ".join(args.setting) if args.setting else "default settings"
    print(f"{args.corpus}, {args.cells}, PG25 held at the inlet temperature, {what}, threads {args.threads}")
    print(
        "| target | cells (coolant) | converged | flow attempts (it.) | first-order cells (flow / energy) "
        "| R_th K/W | ΔP Pa | balance | mass | CPU s (flow) | wall s | peak RSS MB | load |"
    )
    print("|---:|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in wanted:
        done = r.get("converged")
        fo = (
            f"fallback α {r['fallback']:g}"
            if r.get("fallback") is not None
            else f"{r.get('flow_first_order_cells', '–')} / {r.get('energy_first_order_cells', '–')}"
        )
        numbers = (
            f"{r['rth_k_w']:.5f} | {r['dp_pa']:.1f} | {r['balance']:.1e} | {r['mass_imbalance']:.1e}"
            if done
            else "– | – | – | –"
        )
        print(
            f"| {r['target']:.0e} | {r.get('cells', 0):,} ({r.get('coolant_cells', 0):,}) | "
            f"{'yes' if done else '**no**'} | {', '.join(map(str, r.get('attempts', [])))} | {fo} | {numbers} | "
            f"{r.get('solve_cpu_s', float('nan')):.0f} ({r.get('flow_cpu_s', float('nan')):.0f}) | "
            f"{r.get('process_wall_s', float('nan')):.0f} | {r.get('peak_rss_mb', float('nan')):.0f} | "
            f"{r.get('load_start', '?')} → {r.get('load_end', '?')} |"
        )
        if r.get("error"):
            print(f"  - {r['target']:.0e}: {r['error'][:300]}")
    done = [r for r in wanted if r.get("converged")]
    if len(done) >= 3:
        a, b, c = done[-3:]
        for count, name in (("cells", "all cells"), ("coolant_cells", "coolant cells")):
            print(
                f"refinement ratios from {name}: r21 {(c[count] / b[count]) ** (1 / 3):.3f}, r32 {(b[count] / a[count]) ** (1 / 3):.3f}"
            )
            for key, label in (("rth_k_w", "R_th"), ("dp_pa", "ΔP")):
                print("  " + _order(a[key], b[key], c[key], a[count], b[count], c[count], label))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--refine", default="1.0,1.26,1.59", help="three refinement factors, coarse to fine")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--corpus", help="a corpus plate (rackflow.meshing.CORPUS) instead of the demo plate")
    parser.add_argument("--target-cells", default="5e4,2e5,1e6", help="corpus sizes, coarse to fine")
    parser.add_argument("--cells", default="tetra", choices=("tetra", "prism"))
    parser.add_argument(
        "--setting", action="append", metavar="K=V", help="a solver setting, e.g. convection=upwind"
    )
    parser.add_argument(
        "--prism-layers",
        default=None,
        help="cells=prism: a fixed layer count, or 'refined' (the default: layers refined with the "
        "cell size, rackflow.meshing._layered.wall_layers)",
    )
    parser.add_argument("--mesh-dir", default="/tmp/corpus_meshes", help="where corpus meshes are cached")
    parser.add_argument("--json", help="rows of corpus runs: read (reused) and appended")
    parser.add_argument("--log", help="append each corpus solve's progress (every 100 iterations) here")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per corpus size")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        corpus_worker(json.loads(args.worker))
        return
    if args.corpus:
        corpus_main(args)
        return
    rows = [solve(float(r), args.threads) for r in args.refine.split(",")]
    print("| refine | cells | R_th K/W | ΔP Pa | T_out °C | balance | flow it. | wall s | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['refine']:.2f} | {r['cells']:,} | {r['rth_k_w']:.5f} | {r['dp_pa']:.2f} | {r['t_out_c']:.3f} "
            f"| {r['balance']:.1e} | {r['flow_it']:.0f} | {r['wall_s']:.1f} | {r['peak_rss_mb']:.0f} |"
        )
    if len(rows) >= 3:
        a, b, c = rows[-3:]
        for key, label in (("rth_k_w", "R_th"), ("dp_pa", "ΔP")):
            print(_order(a[key], b[key], c[key], a["cells"], b["cells"], c["cells"], label))


if __name__ == "__main__":
    main()
