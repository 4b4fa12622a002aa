"""A straight conjugate channel on hexahedra and on Gmsh tetrahedra (issue 16): does the
convection converge with refinement?

The corpus serpentine's channel, 4 × 2.5 mm (D_h 3.08 mm), straight and 20 mm long, in copper
(0.5 mm half-fin each side, 1 mm floor, 0.5 mm lid); PG25 held at 35 °C (Re 1,347, Pr 12.7),
uniform inlet 0.667 m/s, 1.67e5 W/m² on the floor (16.7 W), outlet 0 Pa, all else adiabatic.
Thermal entry (x* = 3.8e-4) with a developing velocity (x⁺ = 4.8e-3).

Meshes: ``hex`` is ``rackflow.meshing.channel_unit`` (uniform cubes of size h: 4 mm / h across
the channel, L / 2h along); ``tet`` is the two boxes drawn in Gmsh's OpenCASCADE kernel and
meshed by ``rackflow.meshing.from_cad`` (fragmented, default tetrahedra of size h in both
regions), as a user would; ``tetbl`` is the same with ``from_cad(boundary_layers={})``: two prism
layers (h/10 growing by 1.2) on every wetted wall, tetrahedra in the core. Meshes are cached in
``benchmarks/.cache/straight_channel``.

Per mesh: cells (coolant), y₁ (mean height of the first coolant centres above the floor: h/2 on
hexahedra, measured on tetrahedra over the tets with a face on the floor), the mean Nusselt
number Nu_m = q / (A_wet (T̄_solid − (T_in + T_out)/2)) · D_h / k (four walls wetted, the copper's
volume mean as the wall temperature), Nu_m · y₁ / D_h (≈ 1 when the coolant beyond the wall cell
acts as fully mixed), the static pressure drop (area means), R_th (hottest copper cell over the
inlet, per heater watt), flow and energy iterations, process CPU seconds, and what the solve
used: the scheme asked for, the first-order fallback, the cells made first order. References:
Shah's developing-flow ΔP 228–233 Pa; Nu_m about 22–28 (Graetz / Lévêque / simultaneously
developing; see benchmarks/RESULTS.md, stop 28).

    python -m benchmarks.straight_channel_cht                       # hex 0.125,0.083; tet 0.6,0.4,0.27
    python -m benchmarks.straight_channel_cht --tet 0.6,0.4 --hex "" --convection upwind,auto
    python -m benchmarks.straight_channel_cht --tet 0.27 --setting convection=linear_upwind --json rows.json
    python -m benchmarks.straight_channel_cht --hex "" --tet "" --tetbl 0.6,0.4,0.27,0.2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._common import (
    add_output_arguments,
    cache_dir,
    emit_worker_result,
    load_average,
    markdown_table,
    plain_table,
    run_worker,
    served_as_worker,
)

L = 0.020  # channel length, m
W = 0.004  # channel width
H = 0.0025  # channel height
FIN = 0.0005  # half-fin each side
FLOOR = 0.001  # copper under the channel
LID = 0.0005  # copper over the channel
U_IN = 0.4 / 60_000.0 / (W * H)  # m/s: 0.4 L/min through the channel (0.667)
T_IN = 35.0  # °C
FLUX = 150.0 / (0.03 * 0.03)  # W/m², the serpentine's 150 W over 30 × 30 mm
COOLANT = "PG25"
D_H = 4 * W * H / (2 * (W + H))
A_WET = 2 * (W + H) * L
SHAH_DP = (228.0, 233.0)

COLUMNS = [
    "mesh",
    "h_mm",
    "convection",
    "cells",
    "coolant_cells",
    "y1_mm",
    "Nu_m",
    "Nu_y1_Dh",
    "dP_static_Pa",
    "Rth_K_W",
    "flow_it",
    "energy_it",
    "cpu_s",
    "used",
]


def _tet_mesh(h_mm: float, directory: Path, layers: bool = False) -> tuple[Path, float]:
    """The Gmsh OCC tetrahedra of size ``h_mm`` (cached in ``directory``) and y₁, m; with
    ``layers``, from_cad's default boundary layers on the coolant's walls (``tetbl``)."""
    path = directory / f"{'tetbl' if layers else 'tet'}-{h_mm:g}.msh"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        return path, float(json.loads(meta.read_text())["y1_m"])
    import gmsh
    import numpy as np
    from rackflow.meshing import from_cad

    h = h_mm * 1e-3
    gmsh.initialize()
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("straight_channel")
        occ = gmsh.model.occ
        occ.addBox(0, 0, 0, L, W + 2 * FIN, FLOOR + H + LID)
        coolant = occ.addBox(0, FIN, FLOOR, L, W, H)
        occ.synchronize()
        tol = 1e-6  # OCC pads its bounding boxes

        def end(x: float) -> Any:
            # the coolant's end face only (the copper's frame lies in the same plane)
            return lambda e: (
                abs(e.bbox[0] - x) < tol
                and abs(e.bbox[3] - x) < tol
                and e.within((x, FIN, FLOOR), (x, FIN + W, FLOOR + H), tol)
            )

        from_cad(
            None,
            fluid=coolant,  # the copper box holds the channel's box: select by tag
            inlet=end(0.0),
            outlet=end(L),
            patches={"heated": "z=0"},
            out=path,
            size_m=h,
            solid_size_m=h,
            boundary_layers={} if layers else None,
            binary=True,
        )
        # y₁: the coolant cells with a face on the floor (tets, or the first layer's prisms),
        # their centres' mean height
        tags, coords, _ = gmsh.model.mesh.getNodes()
        z_of = np.zeros(int(tags.max()) + 1)
        z_of[tags.astype(np.int64)] = coords.reshape(-1, 3)[:, 2]
        heights = []
        for dim, group in gmsh.model.getPhysicalGroups(3):
            if gmsh.model.getPhysicalName(dim, group) != "fluid":
                continue
            for vol in gmsh.model.getEntitiesForPhysicalGroup(dim, group):
                types, _, nodes = gmsh.model.mesh.getElements(3, vol)
                for t, n in zip(types, nodes, strict=True):
                    if t not in (4, 6):  # tetrahedra, prisms
                        continue
                    z = z_of[n.astype(np.int64)].reshape(-1, 4 if t == 4 else 6)
                    on_floor = (np.abs(z - FLOOR) < 1e-9).sum(axis=1) >= 3
                    heights.append(z[on_floor].mean(axis=1) - FLOOR)
        y1 = float(np.concatenate(heights).mean())
    finally:
        gmsh.finalize()
    meta.write_text(json.dumps({"y1_m": y1}))
    return path, y1


def _hex_mesh(h_mm: float, directory: Path) -> tuple[Path, float]:
    """``channel_unit`` cubes of size ``h_mm`` (cached in ``directory``) and y₁ = h/2, m."""
    from rackflow.meshing import channel_unit

    n = round(W * 1e3 / h_mm)
    h = W / n
    path = directory / f"hex-{n}.msh"
    if not path.exists():
        channel_unit(
            path,
            length_m=L,
            half_fin_m=FIN,
            channel_width_m=W,
            channel_height_m=H,
            base_thickness_m=FLOOR,
            cover_thickness_m=LID,
            cells_across_channel=n,
            n_along=round(L / (2 * h)),
            binary=True,
        )
    return path, h / 2


def mesh_for(kind: str, h_mm: float, directory: Path | None = None) -> tuple[Path, float]:
    """The mesh of ``kind`` (``hex``/``tet``/``tetbl``) and size ``h_mm`` (written once into
    ``directory``, default ``benchmarks/.cache/straight_channel``) and its y₁, m."""
    directory = directory or cache_dir("straight_channel")
    if kind == "hex":
        return _hex_mesh(h_mm, directory)
    return _tet_mesh(h_mm, directory, layers=kind == "tetbl")


def channel_case(mesh: Any) -> tuple[Any, Any]:
    """The channel's case on a mesh with regions ``solid`` / ``fluid`` and patches ``inlet``,
    ``outlet``, ``heated``: copper, PG25 with constant properties at T_IN, and the coolant's
    properties (for the Nusselt number)."""
    import rackflow as rf

    props = rf.get_coolant(COOLANT).properties(T_IN)
    coolant = rf.Coolant(
        f"{COOLANT} at {T_IN:g} °C",
        **{
            k: float(props[k])
            for k in ("density_kg_m3", "viscosity_pa_s", "conductivity_w_mk", "specific_heat_j_kgk")
        },
    )
    case = rf.Case(mesh)
    case.solid("solid", material="copper")
    case.fluid("fluid", coolant=coolant)
    case.inlet("inlet", velocity_m_s=U_IN, temperature_c=T_IN)
    case.outlet("outlet", pressure_pa=0.0)
    case.heat_flux("heated", flux_w_m2=FLUX)
    return case, props


def channel_outputs(result: Any, props: Any) -> dict[str, float]:
    """Nu_m (q / (A_wet (T̄_solid − (T_in + T_out)/2)) · D_h / k), the static and total pressure
    drops, R_th (hottest copper over the inlet per heater watt), T_out and the energy balance."""
    q = result.heat_flow_w("heated")
    t_out = result.outlet_temperature_c("outlet")
    dt = result.mean_temperature_c("solid") - (T_IN + t_out) / 2
    return {
        "Nu_m": q / (A_WET * dt) * D_H / float(props["conductivity_w_mk"]),
        "dP_static_Pa": result.static_pressure_pa("inlet") - result.static_pressure_pa("outlet"),
        "dP_total_Pa": result.pressure_drop_pa("inlet", "outlet"),
        "Rth_K_W": (result.max_temperature_c("solid") - T_IN) / q,
        "T_out_c": t_out,
        "balance": float(result.energy_balance_error),
    }


def solve(spec: dict[str, Any]) -> dict[str, Any]:
    """Load and solve one mesh in this process: the row's numbers."""
    import resource
    import warnings

    import rackflow as rf

    path, y1 = Path(spec["path"]), float(spec["y1_m"])
    mesh = rf.load_mesh(path)
    case, props = channel_case(mesh)
    row: dict[str, Any] = {
        "mesh": spec["kind"],
        "h_mm": spec["h_mm"],
        "convection": spec["settings"].get("convection", "auto"),
        "settings": spec["settings"],
        "cells": int(mesh.n_cells),
        "coolant_cells": len(mesh.cells_of("fluid")),
        "y1_mm": 1e3 * y1,
    }

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    c0 = cpu()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = case.solve(**spec["settings"])
        except Exception as err:  # reported in the row
            result = None
            row["error"] = f"{type(err).__name__}: {str(err)[:500]}"
            partial = getattr(err, "partial_result", None)
            if partial is not None and partial.has_temperature:
                row["partial_coolant_min_c"] = partial.min_temperature_c("fluid")
    row["cpu_s"] = cpu() - c0
    row["warnings"] = [f"{w.category.__name__}: {str(w.message)[:300]}" for w in caught]
    if result is None:
        row["used"] = "FAILED"
        return row
    rep = result.report
    outputs = channel_outputs(result, props)
    used = []
    if rep.get("flow_first_order_fallback"):
        used.append("flow fell back to first order")
    for key, what in (("flow_first_order_cells", "momentum"), ("energy_first_order_cells", "energy")):
        if rep.get(key):
            used.append(f"{rep[key]} {what} cells first order")
    row.update(
        **outputs,
        Nu_y1_Dh=outputs["Nu_m"] * y1 / D_H,
        coolant_min_c=result.min_temperature_c("fluid"),
        flow_it=rep.get("flow_iterations"),
        energy_it=rep.get("outer_iterations"),
        flow_time_s=rep.get("flow_time_s"),
        energy_time_s=rep.get("solve_time_s"),
        report={k: v for k, v in rep.items() if isinstance(v, (int, float, str, bool)) or v is None},
        used="; ".join(used) or "as asked",
    )
    return row


def _worker(spec: dict[str, Any]) -> None:
    emit_worker_result(solve(spec))


def _sizes(text: str) -> list[float]:
    return [float(s) for s in text.split(",") if s.strip()]


def main(argv: list[str] | None = None) -> int:
    from benchmarks.corpus import parse_settings

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hex", default="0.125,0.083", help="hexahedron sizes, mm ('' for none)")
    ap.add_argument("--tet", default="0.6,0.4,0.27", help="tetrahedron sizes (Mesh size), mm ('' for none)")
    ap.add_argument(
        "--tetbl",
        default="",
        help="sizes, mm, of tetrahedra with from_cad's default boundary layers on the wetted walls",
    )
    ap.add_argument(
        "--convection",
        default="",
        help="comma-separated convection schemes to run in turn (each with the --setting's)",
    )
    ap.add_argument(
        "--setting", action="append", metavar="K=V", help="a solver setting, e.g. convection=upwind"
    )
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per solve")
    add_output_arguments(ap)
    args = ap.parse_args(argv)
    if served_as_worker(args, _worker):
        return 0
    base = parse_settings(args.setting)
    base.setdefault("threads", args.threads)
    schemes = [s for s in args.convection.split(",") if s] or [base.get("convection", "auto")]
    rows: list[dict[str, Any]] = []
    for kind, sizes in (("hex", _sizes(args.hex)), ("tet", _sizes(args.tet)), ("tetbl", _sizes(args.tetbl))):
        for h_mm in sizes:
            path, y1 = mesh_for(kind, h_mm)
            for scheme in schemes:
                settings = {**base, "convection": scheme}
                spec = {"kind": kind, "h_mm": h_mm, "path": str(path), "y1_m": y1, "settings": settings}
                w0 = time.perf_counter()
                r = run_worker("benchmarks.straight_channel_cht", spec, timeout=args.timeout)
                r.setdefault("mesh", kind)
                r.setdefault("h_mm", h_mm)
                r.setdefault("convection", scheme)
                r.setdefault("used", "FAILED")
                r["load"] = load_average()
                r["wall_s"] = time.perf_counter() - w0
                rows.append(r)
                line = ", ".join(
                    f"{c} {r[c]:.4g}" if isinstance(r.get(c), float) else f"{c} {r.get(c)}" for c in COLUMNS
                )
                print(line + (f"; error {r['error'][:300]}" if "error" in r else ""), flush=True)
    table = markdown_table if args.markdown else plain_table
    print()
    print(table(rows, COLUMNS))
    print(f"\nreference: Shah's developing-flow ΔP {SHAH_DP[0]:g}–{SHAH_DP[1]:g} Pa; Nu_m about 22–28")
    if args.json:
        old = json.loads(Path(args.json).read_text())["rows"] if Path(args.json).exists() else []
        Path(args.json).write_text(json.dumps({"rows": old + rows}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
