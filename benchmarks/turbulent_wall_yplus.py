"""How much the turbulent-heat duct's heat and ΔP move with the wall cells' y⁺ (issue 17).

The duct of ``benchmarks/openfoam/turbulent_heat.py`` (4 × 2.5 × 60 mm, PG25 at 35 °C with
constant properties, inlet 5 % intensity and 0.07 D_h, every wall at 45 °C), meshed with the
first cell's centre at a chosen y⁺ on all four walls: the cross-section's nodes grow
geometrically (ratio 1.25) from a first cell of height ``2 y⁺ ν/u_τ`` (u_τ from Filonenko's
friction factor at the inlet Reynolds number) to at most 0.25 mm (16 × 10 cells, the uniform
mesh of the OpenFOAM references) or the first cell itself; ``--nx`` cells along the duct. At
y⁺ ≈ 0.5 the viscous sublayer is resolved (low-Re walls, the truth for the model); coarser
meshes put the wall cells in the buffer and log layers, where a wall treatment's job is that
the heat and ΔP barely move.

Each mesh is solved with every wall treatment asked (``case.fluid(..., wall_treatment=...)``),
linear-upwind momentum and energy as the OpenFOAM comparison, one thread. Printed per run: the
wall y⁺ (min/mean/max over the walls), the heat to the coolant ṁ c_p ΔT, the static ΔP and
the iterations; and Gnielinski's heat (log-mean ΔT, round tube at D_h, Filonenko f) and
Filonenko's developed ΔP. Run: ``python -m benchmarks.turbulent_wall_yplus [--flows 1.8,5.4]
[--y-plus 0.5,3,8,15,30,60] [--treatments switching,blended]
[--thermal-wall-functions kader,jayatilleke] [--nx 30] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import load_average, machine_info
from benchmarks.openfoam.corpus_sst import DESIGN, properties

LENGTH, WIDTH, DEPTH = 0.060, 0.004, 0.0025
T_WALL_C = 45.0
GROWTH, CORE_CELL_M = 1.25, 0.25e-3


def filonenko(reynolds: float) -> float:
    return (1.82 * np.log10(reynolds) - 1.64) ** -2


def duct_numbers(flow_lpm: float, props: dict[str, float]) -> dict[str, float]:
    """Reynolds number, speed, D_h, u_τ, and the correlations' heat and developed ΔP."""
    rho, mu, cp, kf = (
        props[k] for k in ("density_kg_m3", "viscosity_pa_s", "specific_heat_j_kgk", "conductivity_w_mk")
    )
    area, perimeter = WIDTH * DEPTH, 2 * (WIDTH + DEPTH)
    dh = 4 * area / perimeter
    speed = flow_lpm / 60000.0 / area
    re = rho * speed * dh / mu
    f = filonenko(re)
    pr = mu * cp / kf
    nu = (f / 8) * (re - 1000) * pr / (1 + 12.7 * np.sqrt(f / 8) * (pr ** (2 / 3) - 1))
    h = nu * kf / dh
    m_dot = rho * speed * area
    q = (
        m_dot
        * cp
        * (T_WALL_C - DESIGN["inlet_temperature_c"])
        * (1 - np.exp(-h * perimeter * LENGTH / (m_dot * cp)))
    )
    return {
        "reynolds": re,
        "speed_m_s": speed,
        "dh_m": dh,
        "u_tau_m_s": speed * np.sqrt(f / 8),
        "gnielinski_heat_w": float(q),
        "filonenko_dp_pa": f * LENGTH / dh * 0.5 * rho * speed**2,
    }


def graded(length: float, first: float) -> np.ndarray:
    """Nodes on [0, length], cells growing by ``GROWTH`` from ``first`` at both ends up to the
    larger of ``CORE_CELL_M`` and ``first``."""
    from rackflow.testing.meshes import graded_nodes

    return graded_nodes(0.0, length, first, first, GROWTH, max(CORE_CELL_M, first))


def duct_mesh(nx: int, first_m: float) -> Any:
    import rackflow as rf
    from rackflow.testing.meshes import box, stretch

    ys, zs = graded(WIDTH, first_m), graded(DEPTH, first_m)
    m = box((nx, len(ys) - 1, len(zs) - 1), (LENGTH, WIDTH, DEPTH))
    m = stretch(m, 1, lambda y: np.interp(y, np.linspace(0, WIDTH, len(ys)), ys))
    m = stretch(m, 2, lambda z: np.interp(z, np.linspace(0, DEPTH, len(zs)), zs))
    return rf.Mesh.from_meshio(m)


def solve(mesh: Any, flow_lpm: float, props: dict[str, float], treatment: str, **kw: Any) -> dict[str, Any]:
    import rackflow as rf

    case = rf.Case(mesh)
    keys = ("density_kg_m3", "viscosity_pa_s", "conductivity_w_mk", "specific_heat_j_kgk")
    coolant = rf.Coolant("PG25 at 35 °C", **{k: props[k] for k in keys})
    case.fluid(mesh.regions[0], coolant=coolant, turbulence="k-omega-sst", wall_treatment=treatment, **kw)
    case.inlet("xmin", flow_lpm=flow_lpm, temperature_c=DESIGN["inlet_temperature_c"])
    case.outlet("xmax")
    for p in ("ymin", "ymax", "zmin", "zmax"):
        case.fixed_temperature(p, T_WALL_C)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # y⁺ band warnings: the y⁺ is reported
        r = case.solve(progress=False, threads=1, convection="linear_upwind")
    seconds = time.perf_counter() - start
    d = r.summary().to_dict()
    m_dot = props["density_kg_m3"] * flow_lpm / 60000.0
    walls = [r.y_plus_by_patch[p] for p in ("ymin", "ymax", "zmin", "zmax")]
    areas = [mesh.patch_area(p) for p in ("ymin", "ymax", "zmin", "zmax")]
    return {
        "treatment": treatment,
        "y_plus": [
            min(w[0] for w in walls),
            float(np.average([w[1] for w in walls], weights=areas)),
            max(w[2] for w in walls),
        ],
        "heat_w": m_dot
        * props["specific_heat_j_kgk"]
        * (d["outlet_temperature_c"] - DESIGN["inlet_temperature_c"]),
        "dp_static_pa": r.pressure_drop_pa("xmin", "xmax"),
        "iterations": int(r.report["flow_iterations"]),
        "wall_s": seconds,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flows", default="1.8,5.4", help="L/min, comma-separated")
    ap.add_argument("--y-plus", default="0.5,3,8,15,30,60", help="first cell centre's target y⁺")
    ap.add_argument("--treatments", default="switching,blended")
    ap.add_argument(
        "--thermal-wall-functions",
        default="kader",
        help="comma-separated: kader, jayatilleke (each per treatment)",
    )
    ap.add_argument("--nx", type=int, default=30)
    ap.add_argument("--json", help="append the runs here (JSON lines)")
    args = ap.parse_args()
    props = properties(DESIGN["coolant"], DESIGN["inlet_temperature_c"])
    print(f"{machine_info()}; load {load_average()}", flush=True)
    nu_kin = props["viscosity_pa_s"] / props["density_kg_m3"]
    for flow in (float(v) for v in args.flows.split(",")):
        ref = duct_numbers(flow, props)
        print(
            f"{flow} L/min, Re {ref['reynolds']:,.0f}: Gnielinski {ref['gnielinski_heat_w']:.2f} W, "
            f"Filonenko developed ΔP {ref['filonenko_dp_pa']:.0f} Pa, u_τ {ref['u_tau_m_s']:.4f} m/s",
            flush=True,
        )
        for target in (float(v) for v in args.y_plus.split(",")):
            first = 2 * target * nu_kin / ref["u_tau_m_s"]
            mesh = duct_mesh(args.nx, first)
            for treatment, law in itertools.product(
                args.treatments.split(","), args.thermal_wall_functions.split(",")
            ):
                run = solve(mesh, flow, props, treatment, thermal_wall_function=law)
                run.update(
                    flow_lpm=flow,
                    target_y_plus=target,
                    first_cell_m=first,
                    cells=mesh.n_cells,
                    thermal_wall_function=law,
                    **ref,
                )
                print(
                    f"  y+ target {target:5.1f} ({mesh.n_cells:6d} cells) {treatment:9s} {law:11s}: wall y+ "
                    f"{run['y_plus'][0]:.2f}/{run['y_plus'][1]:.2f}/{run['y_plus'][2]:.2f}, "
                    f"Q {run['heat_w']:.2f} W ({run['heat_w'] / ref['gnielinski_heat_w'] - 1:+.1%} Gn), "
                    f"ΔP {run['dp_static_pa']:.1f} Pa, {run['iterations']} it., {run['wall_s']:.1f} s",
                    flush=True,
                )
                if args.json:
                    with Path(args.json).open("a") as fh:
                        fh.write(json.dumps(run) + "\n")
    print(f"load {load_average()}")


if __name__ == "__main__":
    main()
