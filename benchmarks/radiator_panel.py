"""Radiator panels: the conjugate solve with radiation at growing size, and the orbital module.

Rows 1–3: the default ``rackflow.meshing.radiator_panel`` (0.5 m × 0.1 m, one 4 mm tube
embedded in a 1 mm aluminium sheet, PG50 at 0.2 L/min and 60 °C, both faces radiating to a
3 K sink) refined towards 5e5 cells: mesh time, solve time, outer (energy) iterations, flow
iterations, heat rejected and the energy balance. Row 4: the same panel with two fins per
tube on its front face, the front an open radiation enclosure (fins and sheet see each other;
what they do not see is deep space): view factors included. Then the orbital module example
end to end (``examples/orbital_module.py``, 8 racks, 1 MW).

    python -m benchmarks.radiator_panel                     # refine 2, 4, 6.8 + fins + example
    python -m benchmarks.radiator_panel --refine 2 4 --markdown
    python -m benchmarks.radiator_panel --refine --fins-refine 6.5 --no-example   # 5e5 cells, enclosure
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rackflow as rf
from rackflow.meshing import radiator_panel


def _case(path: Path, **mesh_options: float) -> tuple[rf.Case, float]:
    t0 = time.perf_counter()
    mesh = rf.load_mesh(radiator_panel(path, **mesh_options))
    meshed = time.perf_counter() - t0
    case = rf.Case(mesh)
    case.solid("sheet", "aluminium_6061")
    case.solid("tube", "aluminium_6061")
    if "fins" in mesh.regions:
        case.solid("fins", "aluminium_6061")
    case.fluid("coolant", "PG50")
    case.inlet("inlet", flow_lpm=0.2, temperature_c=60.0)
    case.outlet("outlet")
    return case, meshed


def run_panel(refine: float, fins: bool, folder: Path) -> dict[str, float | str]:
    options: dict[str, float] = {"refine": refine}
    if fins:
        options.update(fins_per_tube=2, fin_height_m=0.02)
    case, meshed = _case(folder / f"panel_{refine}_{int(fins)}.msh", **options)
    if fins:
        case.radiation_enclosure(["front"], emissivity=0.9, sink_c=-270.15)
    else:
        case.radiation("front", emissivity=0.9)
    case.radiation("back", emissivity=0.9)
    t0 = time.perf_counter()
    result = case.solve()
    solved = time.perf_counter() - t0
    report = result.report
    return {
        "cells": case.mesh.n_cells,
        "case": "fins, enclosure" if fins else "sink",
        "mesh_s": meshed,
        "solve_s": solved,
        "energy_iterations": report["outer_iterations"],
        "flow_iterations": report.get("flow_iterations", 0),
        "heat_w": -result.coolant_heat_w(),
        "balance": result.energy_balance_error,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refine", type=float, nargs="*", default=[2.0, 4.0, 6.8])
    parser.add_argument("--no-fins", action="store_true")
    parser.add_argument(
        "--fins-refine",
        type=float,
        nargs="*",
        default=[2.0],
        help="refinements of the finned enclosure panel",
    )
    parser.add_argument("--no-example", action="store_true")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(
        f"{_dt.datetime.now(_dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
        f"load {load:.1f}, Python {platform.python_version()}"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for r in args.refine:
            rows.append(run_panel(r, False, folder))
            print(rows[-1], flush=True)
        for r in [] if args.no_fins else args.fins_refine:
            rows.append(run_panel(r, True, folder))
            print(rows[-1], flush=True)
        example = None
        if not args.no_example:
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, str(Path(__file__).parents[1] / "examples" / "orbital_module.py"), tmp],
                check=True,
                capture_output=True,
            )
            example = time.perf_counter() - t0
    print(
        "\n| cells | radiation | mesh s | solve s | flow its | energy its | heat rejected W | energy balance |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['cells']:,} | {row['case']} | {row['mesh_s']:.2f} | {row['solve_s']:.1f} | "
            f"{row['flow_iterations']} | {row['energy_iterations']} | {row['heat_w']:.3f} | {row['balance']:.1e} |"
        )
    if example is not None:
        print(f"\norbital module example (8 racks, 1 MW) end to end: {example:.1f} s")


if __name__ == "__main__":
    main()
