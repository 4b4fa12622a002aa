"""What the current solver does with the geometry corpus, at default settings.

For each plate of ``rackflow.meshing.CORPUS`` (issue 16) at its smallest documented size
(``target_cells`` 5e4), builds the design-point case (copper ``base`` and ``lid``/``cover``,
PG25 at 35 °C through every inlet at its design flow, outlet at 0 Pa, the design power as a
heat flux on ``heated``) and solves it with default settings. Prints one row per plate: cells
and cell types, whether it converged, flow iterations, wall time, R_th (hottest ``base`` cell
to inlet over the power) and ΔP (mean total pressure, inlet to outlet), or the failure's
status, equation and last residual. Each plate runs in its own process under a time limit,
so one slow plate does not hold up the table.

``--setting velocity_relaxation=0.5`` (repeatable) changes a solver setting from its default;
``--conduction`` solves temperatures only, the coolant region as a solid of the coolant's
conductivity (no flow), to tell energy-on-tetrahedra problems from flow ones;
``--constant-properties`` holds the coolant's properties at the inlet temperature (one flow
solve, no flow–temperature coupling passes).

Run: ``python -m benchmarks.corpus [--cells tetra|prism] [--only serpentine,two-inlet]
[--target-cells 50000] [--timeout 1200] [--threads 1] [--setting K=V] [--conduction]
[--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CELL_NAMES = {10: "tet", 12: "hex", 13: "prism", 14: "pyramid"}


def cell_types(path: Path) -> str:
    """Counts of each 3D cell type in a mesh file, e.g. ``tet 41,019``."""
    import meshio

    m = meshio.read(path)
    counts: dict[str, int] = {}
    names = {"tetra": "tet", "hexahedron": "hex", "wedge": "prism", "pyramid": "pyramid"}
    for block in m.cells:
        if block.type in names:
            counts[names[block.type]] = counts.get(names[block.type], 0) + len(block.data)
    return " + ".join(f"{k} {v:,}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def build_case(name: str, mesh: Any, conduction: bool = False, constant: bool = False) -> Any:
    """The design-point case of corpus plate ``name`` on ``mesh``; with ``conduction`` the
    coolant is a solid of its conductivity and the inlets are fixed at the inlet temperature."""
    import rackflow as rf
    from rackflow.meshing import CORPUS

    design = CORPUS[name]
    case = rf.Case(mesh)
    for region in design.regions:
        if region != design.fluid:
            case.solid(region, material="copper")
    if conduction:
        k = float(rf.get_coolant(design.coolant).properties(design.inlet_temperature_c)["conductivity_w_mk"])
        case.solid(design.fluid, material=rf.Material(f"{design.coolant} (still)", conductivity_w_mk=k))
        for patch in design.flow_lpm:
            case.fixed_temperature(patch, temperature_c=design.inlet_temperature_c)
    else:
        coolant: Any = design.coolant
        if constant:
            props = rf.get_coolant(design.coolant).properties(design.inlet_temperature_c)
            coolant = rf.Coolant(
                f"{design.coolant} at {design.inlet_temperature_c:g} °C",
                **{
                    k: float(props[k])
                    for k in ("density_kg_m3", "viscosity_pa_s", "conductivity_w_mk", "specific_heat_j_kgk")
                },
            )
        case.fluid(design.fluid, coolant=coolant)
        for patch, flow in design.flow_lpm.items():
            case.inlet(patch, flow_lpm=flow, temperature_c=design.inlet_temperature_c)
        case.outlet("outlet", pressure_pa=0.0)
    case.heat_flux("heated", power_w=design.power_w)
    return case


def parse_settings(items: list[str] | None) -> dict[str, Any]:
    """``["velocity_relaxation=0.5", "convection=upwind"]`` -> settings (numbers as numbers)."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, _, value = item.partition("=")
        try:
            out[key] = int(value)
        except ValueError:
            try:
                out[key] = float(value)
            except ValueError:
                out[key] = value
    return out


def run_one(
    name: str,
    cells: str,
    target: int,
    threads: int | None,
    settings: dict[str, Any] | None = None,
    conduction: bool = False,
    constant: bool = False,
) -> dict[str, Any]:
    """Mesh and solve one plate in this process; a dict of the row's numbers."""
    import rackflow as rf
    from rackflow.errors import ConvergenceError, RackflowError
    from rackflow.meshing import CORPUS

    design = CORPUS[name]
    row: dict[str, Any] = {"plate": name, "cells_kind": cells}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.msh"
        start = time.perf_counter()
        design.generator(path, target_cells=target, cells=cells, binary=True)
        row["mesh_s"] = time.perf_counter() - start
        row["types"] = cell_types(path)
        mesh = rf.load_mesh(path)
    row["cells"] = mesh.n_cells
    q = mesh.quality()
    row["max_non_orthogonality_deg"] = q["max_non_orthogonality_deg"]
    case = build_case(name, mesh, conduction, constant)
    settings = {**(settings or {}), **({"threads": threads} if threads else {})}
    start = time.perf_counter()
    try:
        result = case.solve(progress=False, **settings)
    except ConvergenceError as err:
        row["wall_s"] = time.perf_counter() - start
        row["converged"] = False
        row["status"] = getattr(err, "status", "?")
        row["equation"] = getattr(err, "equation", "?")
        history = list(getattr(err, "history", []) or [])
        row["iterations"] = len(history)
        row["last_residual"] = history[-1] if history else float("nan")
        row["error"] = str(err).splitlines()[0][:160]
        return row
    except RackflowError as err:
        row["wall_s"] = time.perf_counter() - start
        row["converged"] = False
        row["status"] = type(err).__name__
        row["error"] = str(err).splitlines()[0][:160]
        return row
    row["wall_s"] = time.perf_counter() - start
    row["converged"] = True
    row["flow_iterations"] = int(result.report.get("flow_iterations", 0))
    row["outer_iterations"] = int(result.report.get("outer_iterations", 0))
    inlet = next(iter(design.flow_lpm))
    row["rth_k_w"] = (result.max_temperature_c("base") - design.inlet_temperature_c) / design.power_w
    row["dp_pa"] = float("nan") if conduction else result.pressure_drop_pa(inlet, "outlet")
    row["balance"] = result.energy_balance_error
    for key in (
        "coupling_passes",
        "energy_first_order_cells",
        "flow_first_order_fallback",
        "flow_first_order_cells",
    ):
        row[key] = result.report.get(key)
    if not conduction:
        row["coolant_min_c"] = result.min_temperature_c(design.fluid)
    return row


def _fmt(r: dict[str, Any]) -> str:
    if r.get("converged"):
        outcome = f"yes | {r['flow_iterations']} | {r['outer_iterations']}"
        dp = "–" if r["dp_pa"] != r["dp_pa"] else f"{r['dp_pa']:.0f}"  # NaN: conduction only
        numbers = f"{r['wall_s']:.0f} | {r['rth_k_w']:.4f} | {dp}"
        if r.get("flow_first_order_fallback") is not None:
            order = f"first (α {r['flow_first_order_fallback']:g})"
        elif r.get("flow_first_order_cells"):
            order = f"second, {r['flow_first_order_cells']:,} cells first"
        else:
            order = "second" if r["dp_pa"] == r["dp_pa"] else "–"
        numbers += f" | {order}"
    else:
        detail = r.get("status", "?")
        if "equation" in r:
            detail = f"{r['equation']} {detail}, {r.get('iterations', 0)} it., residual {r.get('last_residual', float('nan')):.1e}"
        outcome = f"**no**: {detail} | – | –"
        wall = r.get("wall_s")
        numbers = f"{wall:.0f} | – | – | –" if wall is not None else "– | – | – | –"
    return (
        f"| {r['plate']} | {r.get('cells', 0):,} | {r.get('types', '?')} | "
        f"{r.get('max_non_orthogonality_deg', float('nan')):.1f} | {outcome} | {numbers} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cells", default="tetra", choices=("tetra", "prism"))
    parser.add_argument("--only", help="comma-separated plate names (default: the whole corpus)")
    parser.add_argument("--target-cells", type=int, default=50_000)
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per plate (default 1200)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--setting", action="append", metavar="K=V", help="a solver setting, e.g. velocity_relaxation=0.5"
    )
    parser.add_argument(
        "--conduction", action="store_true", help="temperatures only, the coolant a still solid"
    )
    parser.add_argument(
        "--constant-properties", action="store_true", help="coolant properties fixed at the inlet temperature"
    )
    parser.add_argument("--json", help="write the rows as JSON here")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one plate, print JSON
    args = parser.parse_args()
    if args.one:
        row = run_one(
            args.one,
            args.cells,
            args.target_cells,
            args.threads,
            parse_settings(args.setting),
            args.conduction,
            args.constant_properties,
        )
        print("ROW " + json.dumps(row))
        return
    from rackflow.meshing import CORPUS

    names = args.only.split(",") if args.only else list(CORPUS)
    rows = []
    for name in names:
        cmd = [
            sys.executable,
            "-m",
            "benchmarks.corpus",
            "--one",
            name,
            "--cells",
            args.cells,
            "--target-cells",
            str(args.target_cells),
            "--threads",
            str(args.threads),
            *[f"--setting={s}" for s in args.setting or []],
            *(["--conduction"] if args.conduction else []),
            *(["--constant-properties"] if args.constant_properties else []),
        ]
        start = time.perf_counter()
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, check=False)
            line = next((ln for ln in out.stdout.splitlines() if ln.startswith("ROW ")), None)
            if line is None:
                row = {"plate": name, "converged": False, "status": f"crashed (rc {out.returncode})"}
                row["error"] = out.stderr.strip().splitlines()[-1:] if out.stderr.strip() else ""
            else:
                row = json.loads(line[4:])
        except subprocess.TimeoutExpired:
            row = {"plate": name, "converged": False, "status": f"timeout after {args.timeout:.0f} s"}
            row["wall_s"] = time.perf_counter() - start
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    what = ", ".join(args.setting) if args.setting else "default solver settings"
    mode = (
        "conduction only (the coolant a still solid, inlets at the inlet temperature), "
        if args.conduction
        else ""
    )
    print(f"cells={args.cells}, target_cells={args.target_cells:,}, threads={args.threads}, {mode}{what}\n")
    print(
        "| plate | cells | cell types | max non-orth. ° | converged? | flow it. | energy it. | wall s | R_th K/W | ΔP Pa | momentum order |"
    )
    print("|---|---:|---|---:|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(_fmt(r))
    for r in rows:
        if r.get("error"):
            print(f"- {r['plate']}: {r['error']}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
