"""OpenFOAM on the straight conjugate channel's identical meshes (issue 16): does
``chtMultiRegionSimpleFoam`` show the same mean Nusselt number as rackflow on the Gmsh
tetrahedra, and the same rise of it with refinement?

The case is ``benchmarks/straight_channel_cht.py`` (a 4 × 2.5 mm channel, 20 mm long, in copper;
PG25 at 35 °C with constant properties, Re 1,347, Pr 12.7; 1.67e5 W/m² on the floor), its meshes
``mesh_for("hex" | "tet", h)`` (the msh files rackflow solves, byte for byte). They go through the
corpus pipeline (one concept, one home): :mod:`benchmarks.openfoam.corpus_simplefoam` converts the
mesh (``gmshToFoam``, ``splitMeshRegions -cellZonesOnly``) and solves the coolant flow with
``simpleFoam`` (``FLOW``: second-order ``bounded Gauss linearUpwind grad(U)`` on a ``Gauss
linear`` gradient, ``limited corrected 0.5``, one non-orthogonal corrector, residuals 1e-6), and
:mod:`benchmarks.openfoam.corpus_cht` solves the conjugate energy with
``chtMultiRegionSimpleFoam`` on that flow (``frozenFlow``, exact for constant properties; h
residual 1e-8), with the coolant's h convected by ``bounded Gauss linearUpwind grad(h)`` on a
limited Gauss gradient (``--settings``: ``linearUpwind-venkat-frozen``, the corpus reference's;
``linearUpwind-frozen`` Barth–Jespersen as rackflow's default; ``linearUpwind-unlimited-frozen``).
Copper has rackflow's conductivity at 35 °C (constant).

Reported exactly as ``benchmarks.straight_channel_cht.channel_outputs`` defines them: Nu_m =
P / (A_wet (T̄_solid − (T_in + T_out)/2)) · D_h / k (T̄_solid the copper's volume mean, from
``writeCellVolumes``; T_out the outlet's mixed-cup temperature, from the face fluxes φ; P the heater
power), ΔP_static (area-mean static pressures, inlet to outlet, simpleFoam's run), R_th (hottest
copper cell over the inlet, per watt), the energy balance, iterations and the last residuals.

    python -m benchmarks.openfoam.straight_channel --hex 0.125 --tet 0.6,0.4,0.27 \\
        --json tests/validation/reference/straight_channel_cht.json
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import cache_dir, markdown_table, print_header
from benchmarks.openfoam import corpus_cht, corpus_simplefoam, foam
from benchmarks.straight_channel_cht import A_WET, D_H, FIN, FLUX, T_IN, L, W, mesh_for

FLOW = "linearUpwind-gradLinear"
ENERGY = "linearUpwind-venkat-frozen"
TARGET = 1000  # a placeholder in the corpus pipeline's recipe and directory names (the size is h)


def name_of(kind: str, h_mm: float) -> str:
    return f"straight_{kind}_{h_mm:g}"


def register(kind: str, h_mm: float) -> str:
    """Register the straight channel's ``kind`` mesh of size ``h_mm`` with the corpus pipeline;
    returns its name there."""
    from rackflow.meshing.corpus import CorpusCase

    name = name_of(kind, h_mm)

    def generator(path: Path, **_: Any) -> Path:
        src, _y1 = mesh_for(kind, h_mm)
        shutil.copyfile(src, path)
        return path

    generator.__name__ = f"straight_channel_{kind}"
    corpus_simplefoam.EXTRA_DESIGNS[name] = CorpusCase(
        generator=generator,
        coolant="PG25",
        inlet_temperature_c=T_IN,
        flow_lpm={"inlet": 0.4},
        power_w=FLUX * L * (W + 2 * FIN),
        regions=("solid", "fluid"),
        fluid="fluid",
        patches=("heated", "inlet", "outlet"),
        reynolds={},
        summary=f"the straight conjugate channel, {kind} {h_mm:g} mm",
    )
    return name


def solid_mean_temperature_c(case: Path, region: str = "solid") -> float:
    """The volume mean of the region's cell temperatures at the last time (``writeCellVolumes``)."""
    last = foam.time_dirs(case)[-1]
    foam.run_util(
        case,
        ["postProcess", "-region", region, "-time", last, "-func", "writeCellVolumes"],
        log_name=f"writeCellVolumes.{region}",
    )
    v, _ = foam.read_field(case / last / region / "V")
    t, _ = foam.read_field(case / last / region / "T")
    t = np.atleast_1d(np.asarray(t, dtype=float))
    v = np.broadcast_to(np.asarray(v, dtype=float), t.shape)  # "uniform" on equal cubes
    return float(np.dot(v, t) / v.sum()) - 273.15


def _flow(name: str, kind: str, timeout: float) -> dict[str, Any]:
    """simpleFoam's row for the mesh: run, or read back from a finished earlier run of the same
    case (its last time directory and log)."""
    import rackflow as rf

    mesh_root = cache_dir("openfoam", "corpus") / f"{name}_{kind}_{TARGET}"
    case = mesh_root / f"simpleFoam_{FLOW}_np1"
    log_path = case / "log.simpleFoam.np1"
    stamp = mesh_root / "recipe.json"
    if not (log_path.exists() and stamp.exists() and foam.time_dirs(case)[-1] != "0"):
        return corpus_simplefoam.run(name, TARGET, kind, FLOW, timeout=timeout)
    log = log_path.read_text()
    rho = float(rf.get_coolant("PG25").properties(T_IN)["density_kg_m3"])
    row: dict[str, Any] = {
        "converged": "SIMPLE solution converged" in log,
        "iterations": len(re.findall(r"^Time = \d+", log, re.M)),
        "clock_s": foam.execution_times(log)[1],
        "error": "",
        "fluid_cells": json.loads(stamp.read_text())["fluid_cells"],
        "mesh": json.loads(stamp.read_text()),
        "reused": str(case),
    }
    lines = foam.solve_lines(log)
    for field in ("p", "Ux", "Uy", "Uz"):
        fl = [s for s in lines if s.field == field]
        row[f"last_initial_residual_{field}"] = fl[-1].initial if fl else float("nan")
    row.update(corpus_simplefoam.pressure_drops(case, name, rho))
    hist = corpus_simplefoam.dp_history(case, name, rho)
    tail = [v for _, v in hist[-max(2, len(hist) // 10) :]]
    row["dp_static_last10pct_rel_change"] = (max(tail) - min(tail)) / abs(tail[-1]) if tail else None
    return row


def run(kind: str, h_mm: float, energy: str = ENERGY, timeout: float = 3600.0) -> dict[str, Any]:
    """simpleFoam's flow (reused when converged before), then the conjugate energy on it."""
    name = register(kind, h_mm)
    _, y1 = mesh_for(kind, h_mm)
    flow = _flow(name, kind, timeout)
    row: dict[str, Any] = {
        "mesh": kind,
        "h_mm": h_mm,
        "y1_mm": 1e3 * y1,
        "flow_setting": FLOW,
        "energy_setting": energy,
        "fluid_cells": flow["fluid_cells"],
        "flow_converged": flow["converged"],
        "flow_iterations": flow["iterations"],
        "flow_clock_s": flow["clock_s"],
        "dP_static_Pa": flow.get("dp_static_pa", float("nan")),
        "dP_total_Pa": flow.get("dp_total_pa", float("nan")),
        "flow_residuals": {k: v for k, v in flow.items() if k.startswith("last_initial_residual")},
        "mesh_recipe": flow["mesh"],
    }
    # simpleFoam's p residual stalls near 2e-6 on the 0.27 mm tetrahedra (tolerance 1e-6) with
    # ΔP settled to 1e-10: a converged flow for the energy
    row["flow_dp_last10pct_rel_change"] = flow.get("dp_static_last10pct_rel_change")
    settled = (
        flow.get("last_initial_residual_p", 1.0) < 1e-5
        and (flow.get("dp_static_last10pct_rel_change") or 1.0) < 1e-6
    )
    if not (flow["converged"] or settled):
        row["error"] = f"simpleFoam not converged: {flow['error']}"
        return row
    cht = corpus_cht.run(name, TARGET, kind, energy, timeout=timeout)
    row.update(
        energy_converged=cht["converged"],
        energy_iterations=cht["iterations"],
        energy_clock_s=cht["clock_s"],
        energy_residuals=cht["res_h_last_iteration"],
        # a run that stops at the iteration limit: how much the hottest copper cell still moved
        rth_last10pct_rel_change=cht.get("rth_last10pct_rel_change"),
        energy_error=cht["error"],
    )
    if "t_out_mixed_c" not in cht:
        row["error"] = f"chtMultiRegionSimpleFoam: {cht['error'] or cht.get('analyse_error')}"
        return row
    design = corpus_simplefoam.design_of(name)
    power = design.power_w
    t_out = cht["t_out_mixed_c"]
    t_solid = solid_mean_temperature_c(Path(cht["case_dir"]))
    k = cht["properties"]["k_fluid"]
    row.update(
        Nu_m=power / (A_WET * (t_solid - (T_IN + t_out) / 2)) * D_H / k,
        Rth_K_W=cht["rth_k_w"],
        T_out_c=t_out,
        T_solid_mean_c=t_solid,
        T_solid_max_c=cht["t_base_max_c"],
        coolant_min_c=cht["t_fluid_min_c"],
        balance=cht["energy_balance"] - 1.0,
        power_W=power,
    )
    row["Nu_y1_Dh"] = row["Nu_m"] * y1 / D_H
    return row


COLUMNS = [
    "mesh",
    "h_mm",
    "fluid_cells",
    "y1_mm",
    "Nu_m",
    "Nu_y1_Dh",
    "dP_static_Pa",
    "Rth_K_W",
    "balance",
    "coolant_min_c",
    "flow_iterations",
    "energy_iterations",
    "flow_clock_s",
    "energy_clock_s",
]


def _sizes(text: str) -> list[float]:
    return [float(s) for s in text.split(",") if s.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hex", default="0.125", help="hexahedron sizes, mm ('' for none)")
    ap.add_argument("--tet", default="0.6,0.4,0.27", help="tetrahedron sizes, mm ('' for none)")
    ap.add_argument("--settings", default=ENERGY, help="corpus_cht energy settings, comma-separated")
    ap.add_argument("--timeout", type=float, default=3600.0)
    ap.add_argument("--json", help="add the rows to this JSON reference file")
    args = ap.parse_args()
    print_header(f"OpenFOAM {foam.foam_version()} on the straight conjugate channel's meshes")
    rows = []
    for kind, sizes in (("hex", _sizes(args.hex)), ("tet", _sizes(args.tet))):
        for h_mm in sizes:
            for energy in args.settings.split(","):
                row = run(kind, h_mm, energy, timeout=args.timeout)
                rows.append(row)
                print(
                    ", ".join(f"{c} {row.get(c)}" for c in (*COLUMNS, "energy_setting", "error") if c in row),
                    flush=True,
                )
                if args.json:
                    path = Path(args.json)
                    data = json.loads(path.read_text()) if path.exists() else {"runs": []}
                    key = ("mesh", "h_mm", "energy_setting")
                    data["openfoam_version"] = foam.foam_version()
                    data["command"] = "python -m benchmarks.openfoam.straight_channel " + " ".join(
                        f"--{k} {v}"
                        for k, v in (("hex", args.hex), ("tet", args.tet), ("settings", args.settings))
                    )
                    data["runs"] = [
                        x for x in data["runs"] if tuple(x[k] for k in key) != tuple(row[k] for k in key)
                    ]
                    data["runs"].append(row)
                    path.write_text(json.dumps(data, indent=1, default=str) + "\n")
    print()
    print(markdown_table(rows, [*COLUMNS, "energy_setting"]))


if __name__ == "__main__":
    main()
