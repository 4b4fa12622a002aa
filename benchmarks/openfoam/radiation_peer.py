"""OpenFOAM peer of rackflow's surface radiation (issue 20): a straight radiating fin, heat
rejected and time side by side on identical meshes.

The shared case: an aluminium fin (k = 167 W/m/K, constant) 150 mm long (x), 50 mm wide (y)
and 2 mm thick (z); the base (x = 0) held at 80 °C; both faces (z = 0 and z = 2 mm) emitting
with ε = 0.85, grey and diffuse, to a sink (no view between them); tip and sides adiabatic.

* ``space``: radiation to a 3 K sink (``case.radiation(face, emissivity=0.85, sink_c=-270.15)``);
* ``air``: a terrestrial fin, convection h = 10 W/m²/K to 25 °C plus radiation to 25 °C
  surroundings (``case.convective`` and ``case.radiation`` on the same faces).

Meshes: nx × ny × nz uniform hexahedra written once as Gmsh msh 2.2 (meshio) with physical
groups; rackflow reads that file and OpenFOAM converts the same file (``gmshToFoam``), so both
discretise identical cells.

OpenFOAM v1912: ``chtMultiRegionSimpleFoam`` with one solid region (``heSolidThermo``,
``constIso`` κ = 167), the faces ``externalWallHeatFluxTemperature`` in ``mode coefficient``
with ``emissivity 0.85`` and ``Ta`` the sink (the radiative flux εσ(T_f⁴ − T_a⁴) linearised
about the face temperature of the previous iteration, added to h(T_f − T_a); ``h`` = 1e-30 for
the space case), the base ``fixedValue``, the rest ``zeroGradient``. Each SIMPLE iteration
solves the enthalpy to 1e-12 (PCG/DIC, relTol 0); the run stops when the initial residual of
h is below 1e-9 (``runTimeControl``). No mesh scaling is needed (solid only). The heat
rejected is read from the written fields: the base's conduction Σ κ (T_b − T_P) A / (Δx/2)
and, as its energy balance, the faces' Σ [εσ(T_f⁴ − T_a⁴) + h (T_f − T_a)] A.

Run: ``python -m benchmarks.openfoam.radiation_peer [--levels 1,2,3] [--write-reference]``
(``nice -n 10`` on a shared machine). ``--write-reference`` stores the OpenFOAM numbers in
``tests/validation/reference/openfoam_radiating_fin.json`` with the command used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import cache_dir, markdown_table, print_header
from benchmarks.openfoam import foam

LENGTH_M, WIDTH_M, THICKNESS_M = 0.15, 0.05, 0.002
CONDUCTIVITY_W_MK, DENSITY_KG_M3, SPECIFIC_HEAT_J_KGK = 167.0, 2700.0, 896.0
BASE_C = 80.0
EMISSIVITY = 0.85
SIGMA = 5.670374419e-8
CASES: dict[str, dict[str, float]] = {
    "space": {"sink_c": -270.15, "htc_w_m2k": 0.0},
    "air": {"sink_c": 25.0, "htc_w_m2k": 10.0},
}
#: (nx, ny, nz) per level
LEVELS: dict[int, tuple[int, int, int]] = {
    1: (60, 10, 2),
    2: (120, 20, 4),
    3: (240, 40, 8),
    4: (480, 80, 16),
}
TAGS = {"fin": (1, 3), "base": (2, 2), "front": (3, 2), "back": (4, 2), "tip": (5, 2), "sides": (6, 2)}
REFERENCE = (
    Path(__file__).resolve().parents[2] / "tests" / "validation" / "reference" / "openfoam_radiating_fin.json"
)


def write_fin_mesh(path: Path, nx: int, ny: int, nz: int) -> Path:
    """The fin as nx × ny × nz uniform hexahedra, msh 2.2 ASCII with physical groups ``fin``
    (volume), ``base`` (x = 0), ``tip`` (x = L), ``back`` (z = 0), ``front`` (z = t) and
    ``sides`` (y = 0, W); boundary quads oriented outwards."""
    import meshio

    xs, ys, zs = (np.linspace(0.0, d, n + 1) for d, n in ((LENGTH_M, nx), (WIDTH_M, ny), (THICKNESS_M, nz)))
    zz, yy, xx = np.meshgrid(zs, ys, xs, indexing="ij")
    points = np.column_stack([xx.ravel(), yy.ravel(), zz.ravel()])

    def nid(i: Any, j: Any, k: Any) -> Any:
        return i + (nx + 1) * (j + (ny + 1) * k)

    k, j, i = (a.ravel() for a in np.meshgrid(np.arange(nz), np.arange(ny), np.arange(nx), indexing="ij"))
    hexes = np.column_stack(
        [
            nid(i, j, k),
            nid(i + 1, j, k),
            nid(i + 1, j + 1, k),
            nid(i, j + 1, k),
            nid(i, j, k + 1),
            nid(i + 1, j, k + 1),
            nid(i + 1, j + 1, k + 1),
            nid(i, j + 1, k + 1),
        ]
    )
    groups: list[tuple[str, np.ndarray]] = []
    jj, ii = (a.ravel() for a in np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij"))
    for kk, name, up in ((0, "back", False), (nz, "front", True)):
        kv = np.full_like(ii, kk)
        a, b, c, d = nid(ii, jj, kv), nid(ii + 1, jj, kv), nid(ii + 1, jj + 1, kv), nid(ii, jj + 1, kv)
        groups.append((name, np.column_stack([a, b, c, d] if up else [a, d, c, b])))
    kk, jj = (a.ravel() for a in np.meshgrid(np.arange(nz), np.arange(ny), indexing="ij"))
    for iv, name, pos in ((0, "base", False), (nx, "tip", True)):
        ii = np.full_like(jj, iv)
        a, b, c, d = nid(ii, jj, kk), nid(ii, jj + 1, kk), nid(ii, jj + 1, kk + 1), nid(ii, jj, kk + 1)
        groups.append((name, np.column_stack([a, b, c, d] if pos else [a, d, c, b])))
    kk, ii = (a.ravel() for a in np.meshgrid(np.arange(nz), np.arange(nx), indexing="ij"))
    sides = []
    for jv, pos in ((0, False), (ny, True)):
        jj = np.full_like(ii, jv)
        a, b, c, d = nid(ii, jj, kk), nid(ii, jj, kk + 1), nid(ii + 1, jj, kk + 1), nid(ii + 1, jj, kk)
        sides.append(np.column_stack([a, b, c, d] if pos else [a, d, c, b]))
    groups.append(("sides", np.concatenate(sides)))
    quads = np.concatenate([q for _, q in groups])
    qtag = np.concatenate([np.full(len(q), TAGS[n][0]) for n, q in groups])
    htag = np.full(len(hexes), TAGS["fin"][0])
    mesh = meshio.Mesh(
        points,
        [("quad", quads), ("hexahedron", hexes)],
        cell_data={"gmsh:physical": [qtag, htag], "gmsh:geometrical": [qtag, htag]},
        field_data={name: np.array(v) for name, v in TAGS.items()},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    meshio.write(path, mesh, file_format="gmsh22", binary=False)
    return path


def mesh_path(level: int) -> Path:
    nx, ny, nz = LEVELS[level]
    path = cache_dir("radiation_peer") / f"fin_{nx}x{ny}x{nz}.msh"
    if not path.exists():
        write_fin_mesh(path, nx, ny, nz)
    return path


def rackflow_case(mesh_file: Path, case_name: str) -> Any:
    import rackflow as rf

    spec = CASES[case_name]
    case = rf.Case(rf.load_mesh(mesh_file))
    case.solid(
        "fin",
        material=rf.Material(
            "aluminium k167",
            conductivity_w_mk=CONDUCTIVITY_W_MK,
            density_kg_m3=DENSITY_KG_M3,
            specific_heat_j_kgk=SPECIFIC_HEAT_J_KGK,
        ),
    )
    case.fixed_temperature("base", temperature_c=BASE_C)
    for face in ("front", "back"):
        if spec["htc_w_m2k"] > 0:
            case.convective(face, htc_w_m2k=spec["htc_w_m2k"], ambient_c=spec["sink_c"])
        case.radiation(face, emissivity=EMISSIVITY, sink_c=spec["sink_c"])
    return case


def run_rackflow(mesh_file: Path, case_name: str) -> dict[str, Any]:
    """Solves the shared case with rackflow; heat rejected (W, the base's heat flow), the
    energy balance, outer iterations and times."""
    t0 = time.perf_counter()
    case = rackflow_case(mesh_file, case_name)
    t1 = time.perf_counter()
    result = case.solve()
    t2 = time.perf_counter()
    base = float(result.heat_flow_w("base"))
    faces = -float(result.heat_flow_w("front")) - float(result.heat_flow_w("back"))
    report = getattr(result, "report", {}) or {}
    return {
        "heat_rejected_w": base,
        "faces_w": faces,
        "energy_balance": float(result.energy_balance_error),
        "tip_c": float(result.temperature_c.min()),
        "load_s": t1 - t0,
        "solve_s": t2 - t1,
        "outer_iterations": report.get("energy_iterations", report.get("outer_iterations")),
    }


# ----- OpenFOAM --------------------------------------------------------------------------------


def _control_dict(case: Path, max_iter: int) -> None:
    functions = """
    stop
    {
        type runTimeControl;
        libs (utilityFunctionObjects);
        region fin;
        conditions
        {
            c_h { type equationInitialResidual; fields (h); value 1e-9; mode minimum; }
        }
        satisfiedAction end;
    }
"""
    foam.write_file(
        case,
        "system/controlDict",
        "dictionary",
        f"""
application chtMultiRegionSimpleFoam;
startFrom startTime; startTime 0; stopAt endTime; endTime {max_iter}; deltaT 1;
writeControl timeStep; writeInterval {max_iter}; purgeWrite 0; writeFormat ascii;
writePrecision 15; writeCompression off; timeFormat general; timePrecision 6;
runTimeModifiable false;
functions
{{
{functions}
}}
""",
    )


def write_openfoam_case(case: Path, mesh_file: Path, case_name: str, max_iter: int = 500) -> None:
    spec = CASES[case_name]
    foam.clean_case(case)
    _control_dict(case, max_iter)
    plain = """
ddtSchemes { default steadyState; }
gradSchemes { default Gauss linear; }
divSchemes { default none; }
laplacianSchemes { default Gauss linear corrected; }
interpolationSchemes { default linear; }
snGradSchemes { default corrected; }
"""
    foam.write_file(case, "system/fvSchemes", "dictionary", plain)
    foam.write_file(case, "system/fvSolution", "dictionary", "")
    foam.run_util(case, ["gmshToFoam", str(mesh_file)], log_name="gmshToFoam")
    (case / "constant" / "fin").mkdir(parents=True, exist_ok=True)
    (case / "constant" / "polyMesh").rename(case / "constant" / "fin" / "polyMesh")
    foam.write_file(case, "constant/regionProperties", "dictionary", "regions ( fluid () solid (fin) );\n")
    foam.write_file(
        case, "constant/g", "uniformDimensionedVectorField", "dimensions [0 1 -2 0 0 0 0];\nvalue (0 0 0);\n"
    )
    foam.write_file(
        case,
        "constant/fin/thermophysicalProperties",
        "dictionary",
        f"""
thermoType
{{
    type heSolidThermo; mixture pureMixture; transport constIso; thermo hConst;
    equationOfState rhoConst; specie specie; energy sensibleEnthalpy;
}}
mixture
{{
    specie {{ molWeight 27; }}
    transport {{ kappa {CONDUCTIVITY_W_MK:g}; }}
    thermodynamics {{ Hf 0; Cp {SPECIFIC_HEAT_J_KGK:g}; }}
    equationOfState {{ rho {DENSITY_KG_M3:g}; }}
}}
""",
    )
    foam.write_file(
        case, "constant/fin/radiationProperties", "dictionary", "radiation off;\nradiationModel none;\n"
    )
    foam.write_file(case, "system/fin/fvSchemes", "dictionary", plain)
    foam.write_file(
        case,
        "system/fin/fvSolution",
        "dictionary",
        """
solvers { h { solver PCG; preconditioner DIC; tolerance 1e-12; relTol 0; } }
SIMPLE { nNonOrthogonalCorrectors 0; }
relaxationFactors { equations { h 1; } }
""",
    )
    t_base, t_a = BASE_C + 273.15, spec["sink_c"] + 273.15
    h = spec["htc_w_m2k"] if spec["htc_w_m2k"] > 0 else 1e-30
    radiating = (
        f"type externalWallHeatFluxTemperature; mode coefficient; h uniform {h:g}; Ta constant {t_a:.10g}; "
        f"emissivity {EMISSIVITY:g}; kappaMethod solidThermo; value uniform {t_base:.10g};"
    )
    bcs = {
        "base": f"type fixedValue; value uniform {t_base:.10g};",
        "front": radiating,
        "back": radiating,
        "tip": "type zeroGradient;",
        "sides": "type zeroGradient;",
    }

    def field(name: str, dims: str, internal: str, bc: dict[str, str]) -> None:
        body = "\n".join(f"    {k} {{ {v} }}" for k, v in bc.items())
        foam.write_file(
            case,
            f"0/fin/{name}",
            "volScalarField",
            f"dimensions {dims};\ninternalField uniform {internal};\nboundaryField\n{{\n{body}\n}}\n",
        )

    field("T", "[0 0 0 1 0 0 0]", f"{t_base:.10g}", bcs)
    field("p", "[1 -1 -2 0 0 0 0]", "1e5", {k: "type calculated; value uniform 1e5;" for k in bcs})


def analyse_openfoam(case: Path, case_name: str, level: int) -> dict[str, float]:
    """Heat through the base (conduction to the first cells) and off the faces (from their
    written face temperatures), W."""
    spec = CASES[case_name]
    nx, ny, nz = LEVELS[level]
    last = foam.time_dirs(case)[-1]
    internal, patches = foam.read_field(case / last / "fin" / "T")
    t_cells = np.atleast_1d(np.asarray(internal, dtype=float))
    foam.run_util(
        case,
        ["postProcess", "-func", "writeCellCentres", "-region", "fin", "-time", last],
        log_name="centres",
    )
    centres, _ = foam.read_field(case / last / "fin" / "C")
    centres = np.asarray(centres, dtype=float).reshape(-1, 3)
    dx, dy, dz = LENGTH_M / nx, WIDTH_M / ny, THICKNESS_M / nz
    first = centres[:, 0] < dx
    assert int(first.sum()) == ny * nz
    t_base = BASE_C + 273.15
    base = float(np.sum(CONDUCTIVITY_W_MK * (t_base - t_cells[first]) / (0.5 * dx)) * dy * dz)
    t_a, h = spec["sink_c"] + 273.15, spec["htc_w_m2k"]
    faces = 0.0
    for name in ("front", "back"):
        tf = np.asarray(patches[name]["value"], dtype=float)
        faces += float(np.sum(EMISSIVITY * SIGMA * (tf**4 - t_a**4) + h * (tf - t_a)) * dx * dy)
    return {"heat_rejected_w": base, "faces_w": faces, "tip_c": float(t_cells.min() - 273.15)}


def run_openfoam(mesh_file: Path, case_name: str, level: int, max_iter: int = 500) -> dict[str, Any]:
    case = cache_dir("radiation_peer") / f"foam_{case_name}_L{level}"
    write_openfoam_case(case, mesh_file, case_name, max_iter)
    run, log = foam.run_solver(case, "chtMultiRegionSimpleFoam")
    lines = [s for s in foam.solve_lines(log) if s.field == "h"]
    _, clock_s = foam.execution_times(log)
    out = analyse_openfoam(case, case_name, level)
    out.update(
        {
            "iterations": len(lines),
            "last_initial_residual": lines[-1].initial if lines else float("nan"),
            "process_s": run.wall_s,
            "loop_clock_s": clock_s,
            "peak_rss_mb": run.max_rss_mb,
            "converged": bool(lines) and lines[-1].initial < 1e-9,
        }
    )
    return out


def fin_1d_w(case_name: str) -> float:
    """The heat rejected by the 1D fin (the converged first-integral solution of
    ``rackflow.testing.radiation_analytic``; no through-thickness gradient), W."""
    from rackflow.testing.radiation_analytic import radiating_fin_efficiency

    spec = CASES[case_name]
    t_b, t_s = BASE_C + 273.15, spec["sink_c"] + 273.15
    eta = radiating_fin_efficiency(
        length_m=LENGTH_M,
        thickness_m=THICKNESS_M,
        conductivity_w_mk=CONDUCTIVITY_W_MK,
        emissivity=EMISSIVITY,
        base_temperature_k=t_b,
        sink_k=t_s,
        htc_w_m2k=spec["htc_w_m2k"],
        ambient_k=t_s,
    )
    ideal = EMISSIVITY * SIGMA * (t_b**4 - t_s**4) + spec["htc_w_m2k"] * (t_b - t_s)
    return eta * 2.0 * LENGTH_M * WIDTH_M * ideal


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--levels", default="1,2,3", help="mesh levels (1: 60×10×2, 2: 120×20×4, 3: 240×40×8, 4: 480×80×16)"
    )
    ap.add_argument("--cases", default="space,air")
    ap.add_argument("--write-reference", action="store_true")
    args = ap.parse_args()
    print_header(
        "Radiating fin: rackflow against OpenFOAM chtMultiRegionSimpleFoam (externalWallHeatFluxTemperature)"
    )
    load = os.getloadavg()[0]
    rows, runs = [], []
    for level in (int(v) for v in args.levels.split(",")):
        mesh_file = mesh_path(level)
        sha = hashlib.sha256(mesh_file.read_bytes()).hexdigest()
        for case_name in args.cases.split(","):
            ours = run_rackflow(mesh_file, case_name)
            peer = run_openfoam(mesh_file, case_name, level)
            diff = ours["heat_rejected_w"] / peer["heat_rejected_w"] - 1.0
            nx, ny, nz = LEVELS[level]
            rows.append(
                {
                    "case": case_name,
                    "cells": f"{nx}×{ny}×{nz} ({nx * ny * nz:,})",
                    "rackflow Q W": f"{ours['heat_rejected_w']:.4f}",
                    "OpenFOAM Q W": f"{peer['heat_rejected_w']:.4f}",
                    "difference": f"{100 * diff:+.3f} %",
                    "1D fin Q W": f"{fin_1d_w(case_name):.4f}",
                    "OpenFOAM faces/base − 1": f"{peer['faces_w'] / peer['heat_rejected_w'] - 1:+.1e}",
                    "rackflow solve s (+ mesh load)": f"{ours['solve_s']:.2f} (+{ours['load_s']:.2f})",
                    "OpenFOAM process (loop) s": f"{peer['process_s']:.2f} ({peer['loop_clock_s']:.2f})",
                    "OpenFOAM it.": f"{peer['iterations']}{'' if peer['converged'] else ' (not converged)'}",
                    "OpenFOAM process / rackflow load + solve": (
                        f"{peer['process_s'] / (ours['load_s'] + ours['solve_s']):.1f}×"
                    ),
                }
            )
            runs.append(
                {
                    "case": case_name,
                    "level": level,
                    "cells": [nx, ny, nz],
                    "msh_sha256": sha,
                    "openfoam": peer,
                    "rackflow": ours,
                    "fin_1d_w": fin_1d_w(case_name),
                    "load_average_1min": os.getloadavg()[0],
                }
            )
            print(rows[-1], flush=True)
    print(markdown_table(rows))
    print(f"load average at start {load:.1f}")
    if args.write_reference:
        data = {
            "description": "Straight radiating fin (see benchmarks/openfoam/radiation_peer.py): heat "
            "rejected by OpenFOAM v1912 chtMultiRegionSimpleFoam on the mesh rackflow reads",
            "openfoam_version": foam.foam_version(),
            "meshio_version": __import__("meshio").__version__,
            "command": "nice -n 10 python -m benchmarks.openfoam.radiation_peer " + " ".join(sys.argv[1:]),
            "solver": "chtMultiRegionSimpleFoam, one solid region; faces externalWallHeatFluxTemperature "
            "mode coefficient with emissivity; base fixedValue; h PCG/DIC to 1e-12 each iteration; "
            "stop at initial residual 1e-9",
            "geometry": {
                "length_m": LENGTH_M,
                "width_m": WIDTH_M,
                "thickness_m": THICKNESS_M,
                "conductivity_w_mk": CONDUCTIVITY_W_MK,
                "base_c": BASE_C,
                "emissivity": EMISSIVITY,
            },
            "cases": CASES,
            "levels": {str(k): list(v) for k, v in LEVELS.items()},
            "runs": [
                {k: v for k, v in r.items() if k != "rackflow"} | {"rackflow_at_run": r["rackflow"]}
                for r in runs
            ],
        }
        REFERENCE.write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {REFERENCE}")


if __name__ == "__main__":
    main()
