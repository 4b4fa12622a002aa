"""OpenFOAM simpleFoam kOmegaSST reference on a turbulent rack supply manifold (issue 17): the
second turbulent geometry next to the serpentine plate (:mod:`benchmarks.openfoam.corpus_sst`),
on the identical mesh rackflow loads.

Geometry and mesh (``MESH``): :func:`rackflow.meshing.pipe.rack_manifold` — a 20 mm bore header,
300 mm long, closed at its far end, with three 8 mm branches 60 mm long at x = 100, 170 and
240 mm, two OpenCASCADE cylinder families fused, gmsh tetrahedra (3 mm in the header, 1.3 mm in
the branches), written as binary msh 4.1 (its SHA-256 recorded), converted through msh 2.2 by
``gmshToFoam``; the ``wall`` patch is made a wall.

Design point (``DESIGN``): water at 25 °C (rackflow's coolant library, constant properties),
20 L/min into the header: 1.06 m/s, header Re ≈ 23,700; each branch carries about a third
(Re ≈ 18,000 at an even split).

Physics and OpenFOAM settings as the serpentine's reference (``corpus_sst.write_case``:
SIMPLEC, bounded linearUpwind on cellLimited leastSquares for U, bounded upwind for k and ω,
``kqRWallFunction``, ``omegaWallFunction`` with ``blended false``, ``nutkWallFunction``, inlet
k and ω from 5 % intensity and 0.07 D_h of the inlet patch: rackflow's defaults); every branch
outlet at p = 0 with zero-gradient U, k, ω (well posed in both codes: the split is the flow's).

Reported per outlet: ΔP (area-mean total pressure, inlet minus outlet, as
``Result.pressure_drop_pa``), the static drop, the flow (L/min) and the split (fraction of the
inlet flow); y⁺ of the wall, iterations, wall time, peak memory, last residuals.

    python -m benchmarks.openfoam.manifold_sst --json tests/validation/reference/turbulent_manifold.json

``--rackflow`` runs rackflow on the same mesh (``turbulence="auto"``, default settings, one
thread) and stores its numbers next to simpleFoam's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import cache_dir, print_header
from benchmarks.openfoam import foam
from benchmarks.openfoam.corpus_simplefoam import gmsh_version, patch_faces
from benchmarks.openfoam.corpus_sst import C_MU, settings_record, write_case, y_plus

#: The generator's parameters (SI) for the reference mesh.
MESH: dict[str, Any] = {
    "header_diameter_m": 20e-3,
    "header_length_m": 0.30,
    "branch_diameter_m": 8e-3,
    "branch_length_m": 0.06,
    "branch_positions_m": [0.10, 0.17, 0.24],
    "header_cell_size_m": 3.0e-3,
    "branch_cell_size_m": 1.3e-3,
}
DESIGN: dict[str, Any] = {
    "coolant": "water",
    "inlet_temperature_c": 25.0,
    "flow_lpm": 20.0,
    "turbulence_intensity": 0.05,
    "length_scale_fraction_of_dh": 0.07,
}
SETTING = "simplec"


def outlets() -> tuple[str, ...]:
    return tuple(f"outlet_{i}" for i in range(1, len(MESH["branch_positions_m"]) + 1))


def properties() -> dict[str, float]:
    import rackflow as rf

    c = rf.get_coolant(DESIGN["coolant"]).properties(DESIGN["inlet_temperature_c"])
    return {k: float(v) for k, v in c.items()}


def write_mesh(path: Path) -> Path:
    from rackflow.meshing.pipe import rack_manifold

    return rack_manifold(
        path, **{**MESH, "branch_positions_m": tuple(MESH["branch_positions_m"])}, binary=True
    )


def make_mesh(root: Path) -> dict[str, Any]:
    """The manifold mesh, converted for OpenFOAM under ``root/foam/constant/fluid/polyMesh`` (as
    ``corpus_sst.write_case`` reads it); reused when the recipe matches."""
    recipe = {
        "generator": "rackflow.meshing.pipe.rack_manifold",
        **MESH,
        "binary": True,
        "gmsh_version": gmsh_version(),
    }
    stamp = root / "recipe.json"
    if stamp.exists() and json.loads(stamp.read_text()).get("recipe") == recipe:
        return json.loads(stamp.read_text())
    foam.clean_case(root)
    root.mkdir(parents=True, exist_ok=True)
    msh = root / "manifold.msh"
    t0 = time.perf_counter()
    write_mesh(msh)
    mesh_s = time.perf_counter() - t0
    msh22 = root / "manifold.v22.msh"
    case = root / "foam"
    case.mkdir()
    foam.write_control_dict(case, "simpleFoam", 1)
    foam.write_file(case, "system/fvSchemes", "dictionary", "")
    foam.write_file(case, "system/fvSolution", "dictionary", "")
    log = foam.gmsh_to_foam(msh, case, msh22)
    msh22.unlink()
    counts = {k: int(v) for k, v in re.findall(r"^\s+(hex|prism|pyr|tet)\s*:\s*(\d+)", log, re.M)}
    foam.retype_walls(case, ["wall"], drop_physical_type=True)
    poly = case / "constant" / "polyMesh"
    dst = case / "constant" / "fluid"
    dst.mkdir()
    poly.rename(dst / "polyMesh")
    out = {
        "recipe": recipe,
        "msh_sha256": hashlib.sha256(msh.read_bytes()).hexdigest(),
        "mesh_s": mesh_s,
        "cells_total": sum(counts.values()),
        "cell_types_total": counts,
    }
    stamp.write_text(json.dumps(out, indent=1))
    return out


def inlet_turbulence(msh: Path) -> dict[str, float]:
    """Inlet speed, D_h (4A/P of the inlet patch), mixing length, k and ω as rackflow's defaults."""
    import rackflow as rf

    mesh = rf.load_mesh(msh)
    area = mesh.patch_area("inlet")
    dh = 4.0 * area / mesh.patch_perimeter("inlet")
    speed = DESIGN["flow_lpm"] / 60000.0 / area
    k = 1.5 * (DESIGN["turbulence_intensity"] * speed) ** 2
    length = DESIGN["length_scale_fraction_of_dh"] * dh
    return {
        "inlet_area_m2": area,
        "hydraulic_diameter_m": dh,
        "speed_m_s": speed,
        "mixing_length_m": length,
        "k_m2_s2": k,
        "omega_1_s": float(np.sqrt(k) / (C_MU**0.25 * length)),
    }


def outlet_table(case: Path, rho: float) -> dict[str, Any]:
    """Per outlet: total and static ΔP from the inlet (Pa), flow (L/min) and split, from the last
    time's ASCII fields (area-weighted face values, as rackflow's patch means)."""
    last = foam.time_dirs(case)[-1]
    geo = patch_faces(case / "constant" / "polyMesh")
    p_int, p_b = foam.read_field(case / last / "p")
    u_int, u_b = foam.read_field(case / last / "U")
    _, phi_b = foam.read_field(case / last / "phi")
    p_int = np.atleast_1d(np.asarray(p_int, dtype=float))
    u_int = np.asarray(u_int, dtype=float)
    means = {}
    for name in ("inlet", *outlets()):
        areas, own = geo[name]
        a = np.linalg.norm(areas, axis=1)
        pv = p_b[name].get("value")
        pf = p_int[own] if pv is None else np.broadcast_to(np.asarray(pv, dtype=float), a.shape)
        uv = u_b[name].get("value")
        uf = u_int[own] if uv is None else np.broadcast_to(np.asarray(uv, dtype=float), (len(a), 3))
        static = float(np.dot(a, pf) / a.sum()) * rho
        total = float(np.dot(a, pf + 0.5 * np.einsum("ij,ij->i", uf, uf)) / a.sum()) * rho
        # the face fluxes, not U·A: U on a zero-gradient outlet is its cell's, off by ~0.1 %
        flow = float(np.sum(phi_b[name]["value"])) * 60000.0
        means[name] = (static, total, flow)
    q_in = -means["inlet"][2]
    return {
        "inlet_flow_lpm": q_in,
        "outlets": {
            o: {
                "dp_total_pa": means["inlet"][1] - means[o][1],
                "dp_static_pa": means["inlet"][0] - means[o][0],
                "flow_lpm": means[o][2],
                "split": means[o][2] / q_in,
            }
            for o in outlets()
        },
    }


def inlet_pressure_swing(case: Path, rho: float) -> dict[str, float]:
    """min / mean / max of the inlet's area-mean static pressure (Pa; every outlet is at 0) over
    the last half of the run, sampled every 10 iterations: how steady a run whose residuals stall
    (as on tetrahedra) has become."""
    files = sorted((case / "postProcessing" / "dp_inlet").glob("*/surfaceFieldValue.dat"))
    rows = [line.split() for line in files[0].read_text().splitlines() if line.strip() and line[0] != "#"]
    values = np.array([float(r[1]) for r in rows]) * rho
    half = values[len(values) // 2 :]
    return {
        "min": float(half.min()),
        "mean": float(half.mean()),
        "max": float(half.max()),
        "samples": len(half),
    }


def run_foam(root: Path, max_iter: int, timeout: float | None) -> dict[str, Any]:
    mesh = make_mesh(root)
    props = properties()
    inlet = inlet_turbulence(root / "manifold.msh")
    case = root / f"simpleFoam_sst_{SETTING}"
    walls = write_case(
        case, root, SETTING, max_iter, props, inlet, flow_lpm=DESIGN["flow_lpm"], outlets=outlets()
    )
    load_before = os.getloadavg()[0]
    timed, log = foam.run_solver(case, "simpleFoam", 1, timeout=timeout)
    lines = foam.solve_lines(log)
    row: dict[str, Any] = {
        "setting": SETTING,
        "np": 1,
        "converged": "SIMPLE solution converged" in log,
        "iterations": len(re.findall(r"^Time = \d+", log, re.M)),
        "wall_s": timed.wall_s,
        "max_rss_mb": timed.max_rss_mb,
        "load_1min": [load_before, os.getloadavg()[0]],
        "walls": walls,
        "mesh": mesh,
        "properties": {**props, "temperature_c": DESIGN["inlet_temperature_c"]},
        "inlet": inlet,
        "reynolds_header": props["density_kg_m3"]
        * inlet["speed_m_s"]
        * inlet["hydraulic_diameter_m"]
        / props["viscosity_pa_s"],
    }
    for field in ("p", "Ux", "Uy", "Uz", "k", "omega"):
        fl = [x for x in lines if x.field == field]
        row[f"last_initial_residual_{field}"] = fl[-1].initial if fl else float("nan")
    row.update(outlet_table(case, props["density_kg_m3"]))
    row["p_inlet_static_last_half_pa"] = inlet_pressure_swing(case, props["density_kg_m3"])
    row["y_plus"] = y_plus(case)
    return row


def rackflow_case(msh: Path, turbulence: str = "auto") -> Any:
    """rackflow's side: the reference's constant-property water, ``turbulence`` (default the
    automatic choice), the design inlet with the default 5 % / 0.07 D_h, every outlet at 0 Pa;
    the reference's wall model (``omegaWallFunction`` with ``blended false``)."""
    import rackflow as rf

    props = properties()
    case = rf.Case(rf.load_mesh(msh))
    keys = ("density_kg_m3", "viscosity_pa_s", "conductivity_w_mk", "specific_heat_j_kgk")
    coolant = rf.Coolant(f"water at {DESIGN['inlet_temperature_c']:g} °C", **{k: props[k] for k in keys})
    case.fluid("fluid", coolant=coolant, turbulence=turbulence, wall_treatment="switching")
    case.inlet("inlet", flow_lpm=DESIGN["flow_lpm"], temperature_c=DESIGN["inlet_temperature_c"])
    for o in outlets():
        case.outlet(o, pressure_pa=0.0)
    case.wall("wall")
    return case


def rackflow_table(result: Any) -> dict[str, Any]:
    rho = properties()["density_kg_m3"]
    q_in = result.mass_flow_kg_s("inlet")
    flows = {o: result.mass_flow_kg_s(o) for o in outlets()}
    return {
        "inlet_flow_lpm": abs(q_in) / rho * 60000.0,
        "outlets": {
            o: {
                "dp_total_pa": result.pressure_drop_pa("inlet", o),
                "dp_static_pa": result.static_pressure_pa("inlet") - result.static_pressure_pa(o),
                "flow_lpm": abs(flows[o]) / rho * 60000.0,
                "split": abs(flows[o]) / abs(q_in),
            }
            for o in outlets()
        },
    }


def run_rackflow(msh: Path, **settings: Any) -> dict[str, Any]:
    case = rackflow_case(msh)
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    result = case.solve(progress=False, threads=1, **settings)
    wall = time.perf_counter() - t0
    return {
        **rackflow_table(result),
        "turbulent": bool(result.is_turbulent),
        "flow_iterations": int(result.report.get("flow_iterations", 0)),
        "y_plus": {k: list(v) for k, v in result.y_plus_by_patch.items()},
        "wall_s": wall,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "load_1min": [load_before, os.getloadavg()[0]],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description="simpleFoam kOmegaSST on a turbulent rack manifold (issue 17)")
    ap.add_argument("--max-iter", type=int, default=4000)
    ap.add_argument("--timeout", type=float, default=3600.0)
    ap.add_argument("--rackflow", action="store_true", help="run rackflow on the same mesh too")
    ap.add_argument("--json", help="write the reference here")
    ap.add_argument(
        "--reanalyse", action="store_true", help="recompute the outlet table of the finished run in --json"
    )
    args = ap.parse_args()
    root = cache_dir("openfoam", "manifold_sst")
    if args.reanalyse:
        ref = json.loads(Path(args.json).read_text())
        case, rho = root / f"simpleFoam_sst_{SETTING}", ref["foam"]["properties"]["density_kg_m3"]
        ref["foam"].update(outlet_table(case, rho))
        ref["foam"]["p_inlet_static_last_half_pa"] = inlet_pressure_swing(case, rho)
        Path(args.json).write_text(json.dumps(ref, indent=1) + "\n")
        return
    print_header(f"simpleFoam kOmegaSST, turbulent rack manifold (OpenFOAM {foam.foam_version()})")
    row = run_foam(root, args.max_iter, args.timeout)
    print(json.dumps({k: v for k, v in row.items() if k not in ("mesh", "properties")}, indent=1), flush=True)
    ref: dict[str, Any] = {
        "command": f"python -m benchmarks.openfoam.manifold_sst --max-iter {args.max_iter}"
        + (" --rackflow" if args.rackflow else "")
        + (f" --json {args.json}" if args.json else ""),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "host": platform.node(),
        "design": DESIGN,
        "settings": {
            **settings_record(),
            "boundary_conditions": {
                "inlet": "U flowRateInletVelocity (design flow), p zeroGradient, k and omega fixedValue "
                "(k = 1.5 (I U)^2, omega = sqrt(k) / (Cmu^0.25 L))",
                "outlets": "every branch outlet p fixedValue 0; U, k, omega zeroGradient",
                "walls": "noSlip, kqRWallFunction, omegaWallFunction (blended false), nutkWallFunction",
            },
        },
        "foam": row,
    }
    if args.rackflow:
        rr = run_rackflow(root / "manifold.msh")
        print(f"rackflow: {json.dumps(rr, indent=1)}", flush=True)
        ref["rackflow"] = rr
    if args.json:
        Path(args.json).write_text(json.dumps(ref, indent=1) + "\n")


if __name__ == "__main__":
    main()
