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

The enclosure (``--enclosure-levels``): two such fins stacked 20 mm apart, the faces across
the gap an open grey enclosure whose openings are black at 3 K (rackflow
``case.radiation_enclosure([...], sink_c=...)``, ray-cast view factors) against OpenFOAM's
``viewFactor`` model (``faceAgglomerate``, ``viewFactorsGen``), which in v1912 acts only in a
fluid region: the gap is meshed as a still, non-conducting gas region (frozen flow) with its
openings black at 3 K, coupled to the fins by ``turbulentTemperatureRadCoupledMixed``.

Run: ``python -m benchmarks.openfoam.radiation_peer [--levels 1,2,3,4] [--enclosure-levels 1,2]
[--write-reference]``
(``nice -n 10`` on a shared machine). ``--write-reference`` stores the OpenFOAM numbers in
``tests/validation/reference/openfoam_radiating_fin.json`` with the command used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
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


# ----- the enclosure: two parallel fins that see each other ----------------------------------

#: gap between the two fins of the enclosure case [m]
GAP_M = 0.020
#: (nx, ny, nz per fin, layers across the gap) per enclosure level
ENCLOSURE_LEVELS: dict[int, tuple[int, int, int, int]] = {1: (50, 25, 2, 10), 2: (100, 50, 4, 20)}
#: OpenFOAM faceAgglomerate's nFacesInCoarsestLevel per patch
COARSEST_FACES = 2500
PAIR_TAGS = {
    "fin": (1, 3),
    "gap": (2, 3),
    "base": (3, 2),
    "outer": (4, 2),
    "tip": (5, 2),
    "sides": (6, 2),
    "opening": (7, 2),
    "inner": (8, 2),
}


def write_pair_mesh(path: Path, nx: int, ny: int, nz: int, ng: int, *, with_gap: bool) -> Path:
    """Two fins (the single fin's geometry) stacked in z with ``GAP_M`` between them, their
    bases at x = 0: nx × ny × nz hexahedra per fin. Patches ``base``, ``outer`` (the faces
    away from the gap), ``tip``, ``sides``; the faces across the gap are ``inner``
    (``with_gap=False``, for rackflow) or the interface to a ``gap`` region of ng layers whose
    outer faces are ``opening`` (``with_gap=True``, for OpenFOAM's viewFactor model, which
    works in a fluid region). The fin cells are the same in both."""
    import meshio

    zs = np.concatenate(
        [
            np.linspace(0.0, THICKNESS_M, nz + 1),
            np.linspace(THICKNESS_M, THICKNESS_M + GAP_M, ng + 1)[1:],
            np.linspace(THICKNESS_M + GAP_M, 2 * THICKNESS_M + GAP_M, nz + 1)[1:],
        ]
    )
    xs, ys = np.linspace(0.0, LENGTH_M, nx + 1), np.linspace(0.0, WIDTH_M, ny + 1)
    n_z = len(zs) - 1
    zz, yy, xx = np.meshgrid(zs, ys, xs, indexing="ij")
    points = np.column_stack([xx.ravel(), yy.ravel(), zz.ravel()])

    def nid(i: Any, j: Any, k: Any) -> Any:
        return i + (nx + 1) * (j + (ny + 1) * k)

    def in_gap(k: Any) -> Any:
        return (k >= nz) & (k < nz + ng)

    k, j, i = (a.ravel() for a in np.meshgrid(np.arange(n_z), np.arange(ny), np.arange(nx), indexing="ij"))
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
    keep = np.ones(len(hexes), dtype=bool) if with_gap else ~in_gap(k)
    htag = np.where(in_gap(k), PAIR_TAGS["gap"][0], PAIR_TAGS["fin"][0])
    quads, tags = [], []
    jj, ii = (a.ravel() for a in np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij"))
    z_faces = [(0, False, "outer"), (n_z, True, "outer")]
    if not with_gap:  # the fins' faces across the gap
        z_faces += [(nz, True, "inner"), (nz + ng, False, "inner")]
    for kk, up, name in z_faces:
        kv = np.full_like(ii, kk)
        a, b, c, d = nid(ii, jj, kv), nid(ii + 1, jj, kv), nid(ii + 1, jj + 1, kv), nid(ii, jj + 1, kv)
        quads.append(np.column_stack([a, b, c, d] if up else [a, d, c, b]))
        tags.append(np.full(len(ii), PAIR_TAGS[name][0]))
    kk, jj = (a.ravel() for a in np.meshgrid(np.arange(n_z), np.arange(ny), indexing="ij"))
    for iv, pos, name in ((0, False, "base"), (nx, True, "tip")):
        iv_ = np.full_like(jj, iv)
        a, b, c, d = nid(iv_, jj, kk), nid(iv_, jj + 1, kk), nid(iv_, jj + 1, kk + 1), nid(iv_, jj, kk + 1)
        quads.append(np.column_stack([a, b, c, d] if pos else [a, d, c, b]))
        tags.append(np.where(in_gap(kk), PAIR_TAGS["opening"][0], PAIR_TAGS[name][0]))
    kk, ii = (a.ravel() for a in np.meshgrid(np.arange(n_z), np.arange(nx), indexing="ij"))
    for jv, pos in ((0, False), (ny, True)):
        jv_ = np.full_like(ii, jv)
        a, b, c, d = nid(ii, jv_, kk), nid(ii, jv_, kk + 1), nid(ii + 1, jv_, kk + 1), nid(ii + 1, jv_, kk)
        quads.append(np.column_stack([a, b, c, d] if pos else [a, d, c, b]))
        tags.append(np.where(in_gap(kk), PAIR_TAGS["opening"][0], PAIR_TAGS["sides"][0]))
    q, qt = np.concatenate(quads), np.concatenate(tags)
    if not with_gap:
        q, qt = q[qt != PAIR_TAGS["opening"][0]], qt[qt != PAIR_TAGS["opening"][0]]
    hexes, htag = hexes[keep], htag[keep]
    used = np.unique(hexes)
    renumber = np.full(len(points), -1)
    renumber[used] = np.arange(len(used))
    names = {n: v for n, v in PAIR_TAGS.items() if with_gap or n not in ("gap", "opening")}
    if with_gap:
        names.pop("inner")
    mesh = meshio.Mesh(
        points[used],
        [("quad", renumber[q]), ("hexahedron", renumber[hexes])],
        cell_data={"gmsh:physical": [qt, htag], "gmsh:geometrical": [qt, htag]},
        field_data={n: np.array(v) for n, v in names.items()},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    meshio.write(path, mesh, file_format="gmsh22", binary=False)
    return path


def run_rackflow_pair(mesh_file: Path) -> dict[str, Any]:
    """The two fins with rackflow: outer faces to the 3 K sink, the inner faces an open
    enclosure (view factors by ray casting, default rays) whose openings are the sink."""
    import rackflow as rf

    t0 = time.perf_counter()
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
    case.radiation("outer", emissivity=EMISSIVITY, sink_c=-270.15)
    case.radiation_enclosure(["inner"], emissivity=EMISSIVITY, sink_c=-270.15)
    t1 = time.perf_counter()
    result = case.solve()
    t2 = time.perf_counter()
    return {
        "heat_rejected_w": float(result.heat_flow_w("base")),
        "outer_w": -float(result.heat_flow_w("outer")),
        "inner_w": -float(result.heat_flow_w("inner")),
        "energy_balance": float(result.energy_balance_error),
        "load_s": t1 - t0,
        "solve_s": t2 - t1,
    }


def write_openfoam_pair_case(case: Path, mesh_file: Path, max_iter: int = 400) -> None:
    """chtMultiRegionSimpleFoam: solid ``fin`` and a ``gap`` region holding the viewFactor
    model (a still, non-conducting gas: frozen flow, κ = 1e-8 W/m/K), its ``opening`` faces
    black at 3 K; the interfaces ``turbulentTemperatureRadCoupledMixed`` with the gap's qr."""
    import re

    foam.clean_case(case)
    foam.write_file(
        case,
        "system/controlDict",
        "dictionary",
        f"""
application chtMultiRegionSimpleFoam;
startFrom startTime; startTime 0; stopAt endTime; endTime {max_iter}; deltaT 1;
writeControl timeStep; writeInterval {max_iter}; writeFormat ascii; writePrecision 15;
timeFormat general; runTimeModifiable false;
functions
{{
    stop
    {{
        type runTimeControl; libs (utilityFunctionObjects); region fin;
        conditions {{ c_h {{ type equationInitialResidual; fields (h); value 1e-9; mode minimum; }} }}
        satisfiedAction end;
    }}
}}
""",
    )
    schemes = """
ddtSchemes { default steadyState; }
gradSchemes { default Gauss linear; }
divSchemes
{
    default none; div(phi,U) bounded Gauss upwind; div(phi,h) bounded Gauss upwind;
    div(phi,K) bounded Gauss upwind; div(phi,Ekp) bounded Gauss upwind;
    div(((rho*nuEff)*dev2(T(grad(U))))) Gauss linear;
}
laplacianSchemes { default Gauss linear corrected; }
interpolationSchemes { default linear; }
snGradSchemes { default corrected; }
"""
    foam.write_file(case, "system/fvSchemes", "dictionary", schemes)
    foam.write_file(case, "system/fvSolution", "dictionary", "")
    foam.run_util(case, ["gmshToFoam", str(mesh_file)], log_name="gmshToFoam")
    foam.run_util(case, ["splitMeshRegions", "-cellZonesOnly", "-overwrite"], log_name="splitMeshRegions")
    shutil.rmtree(case / "constant" / "polyMesh", ignore_errors=True)
    boundary = case / "constant" / "gap" / "polyMesh" / "boundary"
    text = boundary.read_text()
    group = "inGroups List<word> 2(wall viewFactorWall);"
    text = re.sub(r"(opening\s*\{\s*type\s+)patch;", rf"\1wall;\n        {group}", text)
    text = re.sub(
        r"(gap_to_fin\s*\{\s*type\s+mappedWall;)\s*inGroups\s+[^;]*;", rf"\1\n        {group}", text
    )
    boundary.write_text(text)
    foam.write_file(case, "constant/regionProperties", "dictionary", "regions ( fluid (gap) solid (fin) );\n")
    for where in ("constant/g", "constant/gap/g"):
        foam.write_file(
            case, where, "uniformDimensionedVectorField", "dimensions [0 1 -2 0 0 0 0];\nvalue (0 0 0);\n"
        )
    foam.write_file(
        case,
        "constant/gap/thermophysicalProperties",
        "dictionary",
        """
thermoType
{
    type heRhoThermo; mixture pureMixture; transport const; thermo hConst;
    equationOfState rhoConst; specie specie; energy sensibleEnthalpy;
}
mixture
{
    specie { molWeight 28.9; } equationOfState { rho 1; }
    thermodynamics { Cp 1000; Hf 0; } transport { mu 1e-5; Pr 1e6; }
}
""",
    )
    foam.write_file(case, "constant/gap/turbulenceProperties", "dictionary", "simulationType laminar;\n")
    foam.write_file(
        case,
        "constant/gap/radiationProperties",
        "dictionary",
        """
radiation on; radiationModel viewFactor;
viewFactorCoeffs { smoothing false; constantEmissivity true; nBands 1; }
solverFreq 1; absorptionEmissionModel none; scatterModel none; sootModel none;
""",
    )
    foam.write_file(
        case,
        "constant/gap/boundaryRadiationProperties",
        "dictionary",
        f"""
gap_to_fin
{{
    type opaqueDiffusive;
    wallAbsorptionEmissionModel {{ type constantAbsorption; absorptivity {EMISSIVITY:g}; emissivity {EMISSIVITY:g}; }}
}}
opening
{{
    type opaqueDiffusive;
    wallAbsorptionEmissionModel {{ type constantAbsorption; absorptivity 1; emissivity 1; }}
}}
""",
    )
    foam.write_file(
        case,
        "constant/gap/viewFactorsDict",
        "dictionary",
        f"""
gap_to_fin {{ nFacesInCoarsestLevel {COARSEST_FACES}; featureAngle 10; }}
opening {{ nFacesInCoarsestLevel {COARSEST_FACES}; featureAngle 10; }}
writeViewFactorMatrix true; writeFacesAgglomeration false; dumpRays false; maxDynListLength 100000000;
""",
    )
    foam.write_file(case, "system/gap/fvSchemes", "dictionary", schemes)
    foam.write_file(
        case,
        "system/gap/fvSolution",
        "dictionary",
        """
solvers
{
    h { solver PBiCGStab; preconditioner DILU; tolerance 1e-12; relTol 0; }
    "(p_rgh|rho|U)" { solver PCG; preconditioner DIC; tolerance 1e-8; relTol 0; }
}
SIMPLE { momentumPredictor no; nNonOrthogonalCorrectors 0; pRefCell 0; pRefValue 1e5; frozenFlow yes; }
relaxationFactors { equations { h 1; } fields { rho 1; p_rgh 0.7; } }
""",
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
    specie {{ molWeight 27; }} transport {{ kappa {CONDUCTIVITY_W_MK:g}; }}
    thermodynamics {{ Hf 0; Cp {SPECIFIC_HEAT_J_KGK:g}; }} equationOfState {{ rho {DENSITY_KG_M3:g}; }}
}}
""",
    )
    foam.write_file(
        case, "constant/fin/radiationProperties", "dictionary", "radiation off;\nradiationModel none;\n"
    )
    foam.write_file(case, "system/fin/fvSchemes", "dictionary", schemes)
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

    def patches(region: str) -> list[str]:
        t = (case / "constant" / region / "polyMesh" / "boundary").read_text()
        return re.findall(r"^\s{4}(\w+)\s*\n\s*\{", t, re.M)

    def field(region: str, name: str, cls: str, dims: str, internal: str, bc: dict[str, str]) -> None:
        body = "\n".join(f"    {k} {{ {v} }}" for k, v in bc.items())
        foam.write_file(
            case,
            f"0/{region}/{name}",
            cls,
            f"dimensions {dims};\ninternalField uniform {internal};\nboundaryField\n{{\n{body}\n}}\n",
        )

    t_base, t0 = BASE_C + 273.15, 340.0
    coupled = "type compressible::turbulentTemperatureRadCoupledMixed; Tnbr T;"
    gap = patches("gap")
    field(
        "gap",
        "T",
        "volScalarField",
        "[0 0 0 1 0 0 0]",
        f"{t0:g}",
        {
            p: "type fixedValue; value uniform 3;"
            if p == "opening"
            else f"{coupled} kappaMethod fluidThermo; qrNbr none; qr qr; value uniform {t0:g};"
            for p in gap
        },
    )
    field("gap", "U", "volVectorField", "[0 1 -1 0 0 0 0]", "(0 0 0)", {p: "type noSlip;" for p in gap})
    for name, bc in (
        ("p_rgh", "type fixedFluxPressure; value uniform 1e5;"),
        ("p", "type calculated; value uniform 1e5;"),
    ):
        field("gap", name, "volScalarField", "[1 -1 -2 0 0 0 0]", "1e5", {p: bc for p in gap})
    field(
        "gap",
        "qr",
        "volScalarField",
        "[1 0 -3 0 0 0 0]",
        "0",
        {p: "type greyDiffusiveRadiationViewFactor; qro uniform 0; value uniform 0;" for p in gap},
    )
    fin_bcs = {}
    for p in patches("fin"):
        if p == "base":
            fin_bcs[p] = f"type fixedValue; value uniform {t_base:.10g};"
        elif p == "outer":
            fin_bcs[p] = (
                "type externalWallHeatFluxTemperature; mode coefficient; h uniform 1e-30; Ta constant 3; "
                f"emissivity {EMISSIVITY:g}; kappaMethod solidThermo; value uniform {t_base:.10g};"
            )
        elif p.startswith("fin_to_"):
            fin_bcs[p] = f"{coupled} kappaMethod solidThermo; qrNbr qr; qr none; value uniform {t0:g};"
        else:
            fin_bcs[p] = "type zeroGradient;"
    field("fin", "T", "volScalarField", "[0 0 0 1 0 0 0]", f"{t0:g}", fin_bcs)
    field(
        "fin",
        "p",
        "volScalarField",
        "[1 -1 -2 0 0 0 0]",
        "1e5",
        {p: "type calculated; value uniform 1e5;" for p in fin_bcs},
    )


def run_openfoam_pair(mesh_file: Path, level: int) -> dict[str, Any]:
    nx, ny, nz, _ = ENCLOSURE_LEVELS[level]
    case = cache_dir("radiation_peer") / f"foam_enclosure_L{level}"
    write_openfoam_pair_case(case, mesh_file)
    agglomerate, _ = foam.run_solver(
        case, "faceAgglomerate", extra_args=["-region", "gap", "-dict", "constant/viewFactorsDict"]
    )
    factors, vf_log = foam.run_solver(case, "viewFactorsGen", extra_args=["-region", "gap"])
    run, log = foam.run_solver(case, "chtMultiRegionSimpleFoam")
    coarse = int(vf_log.split("coarse faces:")[1].split()[0])
    last = foam.time_dirs(case)[-1]
    internal, patches = foam.read_field(case / last / "fin" / "T")
    t_cells = np.atleast_1d(np.asarray(internal, dtype=float))
    foam.run_util(
        case,
        ["postProcess", "-func", "writeCellCentres", "-region", "fin", "-time", last],
        log_name="centres",
    )
    centres = np.asarray(foam.read_field(case / last / "fin" / "C")[0], dtype=float).reshape(-1, 3)
    dx, dy, dz = LENGTH_M / nx, WIDTH_M / ny, THICKNESS_M / nz
    first = centres[:, 0] < dx
    assert int(first.sum()) == 2 * ny * nz
    base = float(np.sum(CONDUCTIVITY_W_MK * (BASE_C + 273.15 - t_cells[first]) / (0.5 * dx)) * dy * dz)
    tf = np.asarray(patches["outer"]["value"], dtype=float)
    outer = float(np.sum(EMISSIVITY * SIGMA * (tf**4 - 3.0**4)) * dx * dy)
    _, qr = foam.read_field(case / last / "gap" / "qr")
    inner = -float(np.sum(np.asarray(qr["gap_to_fin"]["value"], dtype=float)) * dx * dy)
    lines = [s for s in foam.solve_lines(log) if s.field == "h"]
    return {
        "heat_rejected_w": base,
        "outer_w": outer,
        "inner_w": inner,
        "coarse_faces": coarse,
        "iterations": len(lines) // 2,
        "last_initial_residual": lines[-1].initial if lines else float("nan"),
        "converged": bool(lines) and lines[-1].initial < 1e-9,
        "faceAgglomerate_s": agglomerate.wall_s,
        "viewFactorsGen_s": factors.wall_s,
        "process_s": run.wall_s,
        "peak_rss_mb": max(run.max_rss_mb, factors.max_rss_mb),
    }


def enclosure(levels: list[int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows, runs = [], []
    for level in levels:
        nx, ny, nz, ng = ENCLOSURE_LEVELS[level]
        root = cache_dir("radiation_peer")
        ours_mesh = write_pair_mesh(root / f"pair_{nx}x{ny}x{nz}.msh", nx, ny, nz, ng, with_gap=False)
        peer_mesh = write_pair_mesh(root / f"pair_{nx}x{ny}x{nz}_gap{ng}.msh", nx, ny, nz, ng, with_gap=True)
        ours = run_rackflow_pair(ours_mesh)
        peer = run_openfoam_pair(peer_mesh, level)
        rows.append(
            {
                "cells (fins + gap)": f"2 × {nx}×{ny}×{nz} + {nx}×{ny}×{ng}",
                "rackflow Q W (inner)": f"{ours['heat_rejected_w']:.4f} ({ours['inner_w']:.4f})",
                "OpenFOAM Q W (inner)": f"{peer['heat_rejected_w']:.4f} ({peer['inner_w']:.4f})",
                "difference Q (inner)": (
                    f"{100 * (ours['heat_rejected_w'] / peer['heat_rejected_w'] - 1):+.3f} % "
                    f"({100 * (ours['inner_w'] / peer['inner_w'] - 1):+.2f} %)"
                ),
                "OpenFOAM coarse faces": peer["coarse_faces"],
                "rackflow load + solve s": f"{ours['load_s']:.2f} + {ours['solve_s']:.2f}",
                "OpenFOAM agglomerate + viewFactorsGen + solver s": (
                    f"{peer['faceAgglomerate_s']:.2f} + {peer['viewFactorsGen_s']:.2f} + {peer['process_s']:.2f}"
                ),
                "OpenFOAM it.": f"{peer['iterations']}{'' if peer['converged'] else ' (not converged)'}",
            }
        )
        runs.append(
            {
                "level": level,
                "cells": [nx, ny, nz, ng],
                "msh_sha256": hashlib.sha256(ours_mesh.read_bytes()).hexdigest(),
                "openfoam": peer,
                "rackflow_at_run": ours,
                "load_average_1min": os.getloadavg()[0],
            }
        )
        print(rows[-1], flush=True)
    return rows, runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--levels", default="1,2,3", help="mesh levels (1: 60×10×2, 2: 120×20×4, 3: 240×40×8, 4: 480×80×16)"
    )
    ap.add_argument("--cases", default="space,air")
    ap.add_argument("--enclosure-levels", default="1", help="two-fin enclosure levels ('' to skip)")
    ap.add_argument("--write-reference", action="store_true")
    args = ap.parse_args()
    print_header(
        "Radiating fin: rackflow against OpenFOAM chtMultiRegionSimpleFoam (externalWallHeatFluxTemperature)"
    )
    load = os.getloadavg()[0]
    rows, runs = [], []
    for level in (int(v) for v in args.levels.split(",") if v):
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
    enclosure_rows, enclosure_runs = enclosure([int(v) for v in args.enclosure_levels.split(",") if v])
    if enclosure_rows:
        print(markdown_table(enclosure_rows))
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
            "enclosure": {
                "description": "two fins of the single fin's geometry stacked in z, "
                f"{GAP_M * 1e3:g} mm apart, the faces across the gap an open grey enclosure (ε "
                f"{EMISSIVITY:g}) whose openings are black at 3 K, the outer faces to the 3 K sink; "
                "OpenFOAM: viewFactor model in a still non-conducting gas region (faceAgglomerate "
                f"nFacesInCoarsestLevel {COARSEST_FACES}, viewFactorsGen)",
                "levels": {str(k): list(v) for k, v in ENCLOSURE_LEVELS.items()},
                "runs": enclosure_runs,
            },
            "runs": [
                {k: v for k, v in r.items() if k != "rackflow"} | {"rackflow_at_run": r["rackflow"]}
                for r in runs
            ],
        }
        if REFERENCE.exists():
            # keep the stored runs this invocation did not repeat
            old = json.loads(REFERENCE.read_text())
            done = {(r["case"], r["level"]) for r in data["runs"]}
            data["runs"] = [r for r in old.get("runs", []) if (r["case"], r["level"]) not in done] + data[
                "runs"
            ]
            data["runs"].sort(key=lambda r: (r["level"], r["case"] != "space"))
            redone = {r["level"] for r in data["enclosure"]["runs"]}
            kept = [r for r in old.get("enclosure", {}).get("runs", []) if r["level"] not in redone]
            data["enclosure"]["runs"] = sorted(kept + data["enclosure"]["runs"], key=lambda r: r["level"])
            data["command"] = [
                *([old["command"]] if isinstance(old["command"], str) else old["command"]),
                data["command"],
            ]
        REFERENCE.write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {REFERENCE}")


if __name__ == "__main__":
    main()
