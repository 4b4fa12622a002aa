"""OpenFOAM simpleFoam reference runs on the geometry corpus (issue 16): the coolant flow of a
corpus plate, on the identical mesh rackflow loads.

Mesh recipe: ``rackflow.meshing.CORPUS[plate].generator(path, target_cells=…, cells=…,
binary=True)`` writes the whole plate (metal and coolant, msh 4.1); gmsh rewrites it as msh 2.2
(the format ``gmshToFoam`` v1912 reads); ``gmshToFoam`` makes one cell zone per physical volume
and ``splitMeshRegions -cellZonesOnly -overwrite`` cuts out the coolant region ``fluid``, whose
``fluid_to_<metal>`` interfaces become no-slip walls. The msh file's SHA-256 and cell counts are
recorded (the generators are deterministic for a given gmsh version: two runs give the same file).

Physics (``benchmarks/corpus.py`` ``build_case(..., constant=True)``): PG25 at the inlet
temperature (35 °C) with constant properties from rackflow's coolant library, laminar, a uniform
inlet velocity for the design flow (``flowRateInletVelocity``), outlet p = 0 (zero-gradient
velocity), no slip on every other face. ΔP as ``Result.pressure_drop_pa``: the drop of the
area-weighted mean total pressure p + ρ|u|²/2 (face values) from inlet to outlet; the static
drop is recorded too.

Settings (OpenFOAM tuned as an expert would on tetrahedra; ``SETTINGS``): SIMPLE with p 0.3 /
U 0.7 or SIMPLEC (``consistent``) with U 0.9, ``Gauss linear limited corrected 0.5`` laplacians
and ``limited corrected 0.5`` snGrad, one non-orthogonal corrector, convection first-order
``upwind``, ``linearUpwind`` on a cell-limited gradient, or ``limitedLinearV 1``; p by GAMG with
the DIC smoother, U by symmetric Gauss–Seidel. Converged when every initial residual is below
1e-6 (``residualControl``); the area-mean static ΔP is sampled every 10 iterations so a run that
stops at the iteration limit can still be judged (its last-10 % change is recorded).

Reported per run: SIMPLE iterations, wall time of the whole process and of the time loop
(``profiling``), peak memory (/usr/bin/time -v; summed over ranks for 2), ΔP total and static,
the last initial residuals.

    python -m benchmarks.openfoam.corpus_simplefoam --plates serpentine --target-cells 5e4 \\
        --cells tetra --settings upwind,linearUpwind --np 1,2 --json out.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._common import cache_dir, markdown_table, print_header
from benchmarks.openfoam import foam

RESIDUAL_TOL = {"p": 1e-6, "U": 1e-6}

#: Cases run through this pipeline that are not corpus plates (name -> a
#: ``rackflow.meshing.corpus.CorpusCase``), registered by their benchmark (the straight channel:
#: ``benchmarks.openfoam.straight_channel``).
EXTRA_DESIGNS: dict[str, Any] = {}


def design_of(plate: str) -> Any:
    """The design point of ``plate``: a corpus plate, or a case registered in ``EXTRA_DESIGNS``."""
    from rackflow.meshing import CORPUS

    return EXTRA_DESIGNS[plate] if plate in EXTRA_DESIGNS else CORPUS[plate]


#: name -> (convection scheme of U, gradient of U, SIMPLEC?, p relaxation, U relaxation)
SETTINGS: dict[str, dict[str, Any]] = {
    "upwind": {
        "div": "bounded Gauss upwind",
        "grad_U": "Gauss linear",
        "consistent": False,
        "p": 0.3,
        "U": 0.7,
    },
    "linearUpwind": {
        "div": "bounded Gauss linearUpwind grad(U)",
        "grad_U": "cellLimited Gauss linear 1",
        "consistent": False,
        "p": 0.3,
        "U": 0.7,
    },
    "limitedLinearV": {
        "div": "bounded Gauss limitedLinearV 1",
        "grad_U": "Gauss linear",
        "consistent": False,
        "p": 0.3,
        "U": 0.7,
    },
    "linearUpwind-gradLinear": {
        "div": "bounded Gauss linearUpwind grad(U)",
        "grad_U": "Gauss linear",
        "consistent": False,
        "p": 0.3,
        "U": 0.7,
    },
    # the smooth limiter of rackflow's laminar momentum (stop 31); OpenFOAM's Venkatakrishnan
    # function has no ε (rackflow's ε² = (K h / D_h)³ U², K 0.5), so it limits a little more
    "linearUpwind-venkat": {
        "div": "bounded Gauss linearUpwind grad(U)",
        "grad_U": "cellLimited<Venkatakrishnan> Gauss linear 1",
        "consistent": False,
        "p": 0.3,
        "U": 0.7,
    },
    "upwind-simplec": {
        "div": "bounded Gauss upwind",
        "grad_U": "Gauss linear",
        "consistent": True,
        "p": 1.0,
        "U": 0.9,
    },
    "linearUpwind-simplec": {
        "div": "bounded Gauss linearUpwind grad(U)",
        "grad_U": "cellLimited Gauss linear 1",
        "consistent": True,
        "p": 1.0,
        "U": 0.9,
    },
}
N_NON_ORTH = 1


# ----- mesh ---------------------------------------------------------------------------------------


def gmsh_version() -> str:
    import gmsh

    return str(gmsh.__version__)


#: Prism layers of the stored corpus references (``cells="prism"``; recipes without a
#: ``prism_layers`` entry were made with this fixed count).
REFERENCE_PRISM_LAYERS = 8


def reference_layers(recipe: dict[str, Any]) -> dict[str, Any]:
    """The generator keyword that rebuilds a stored recipe's prism layers (none for tetrahedra)."""
    if recipe["cells"] != "prism":
        return {}
    return {"prism_layers": recipe.get("prism_layers", REFERENCE_PRISM_LAYERS)}


def make_mesh(plate: str, target_cells: int, cells: str, root: Path) -> dict[str, Any]:
    """Generate the corpus mesh, convert it, split the regions; returns the recipe and counts.

    The converted case (``root/foam``, regions under ``constant/<region>/polyMesh``) is reused
    when the recipe matches (``recipe.json``)."""
    design = design_of(plate)
    recipe = {
        "generator": f"rackflow.meshing.corpus.{design.generator.__name__}",
        "plate": plate,
        "target_cells": int(target_cells),
        "cells": cells,
        "binary": True,
        "gmsh_version": gmsh_version(),
    }
    stamp = root / "recipe.json"
    if stamp.exists() and json.loads(stamp.read_text()).get("recipe") == recipe:
        return json.loads(stamp.read_text())
    foam.clean_case(root)
    msh = root / f"{plate}.msh"
    t0 = time.perf_counter()
    # the stored references were made on 8 fixed prism layers (the generators' default until
    # stop 29, now layers refined with the cell size): keep their meshes
    layers = reference_layers(recipe)
    design.generator(msh, target_cells=int(target_cells), cells=cells, binary=True, **layers)
    mesh_s = time.perf_counter() - t0
    sha = hashlib.sha256(msh.read_bytes()).hexdigest()
    msh22 = root / f"{plate}.v22.msh"
    case = root / "foam"
    case.mkdir()
    foam.write_control_dict(case, "simpleFoam", 1)
    foam.write_file(case, "system/fvSchemes", "dictionary", _PLAIN_SCHEMES)
    foam.write_file(case, "system/fvSolution", "dictionary", "")
    log = foam.gmsh_to_foam(msh, case, msh22)
    counts = {k: int(v) for k, v in re.findall(r"^\s+(hex|prism|pyr|tet)\s*:\s*(\d+)", log, re.M)}
    foam.run_util(case, ["splitMeshRegions", "-cellZonesOnly", "-overwrite"])
    msh22.unlink()
    quality = check_mesh(case, design.fluid)
    out = {
        "recipe": recipe,
        "msh_sha256": sha,
        "mesh_s": mesh_s,
        "cells_total": sum(counts.values()),
        "cell_types_total": counts,
        "fluid_region": design.fluid,
        **quality,
    }
    stamp.write_text(json.dumps(out, indent=1))
    return out


def check_mesh(case: Path, region: str) -> dict[str, Any]:
    log = foam.run_util(case, ["checkMesh", "-region", region], log_name=f"checkMesh.{region}")
    out: dict[str, Any] = {}
    m = re.search(r"^\s+cells:\s+(\d+)", log, re.M)
    out["fluid_cells"] = int(m.group(1)) if m else -1
    types = {
        k: int(v)
        for k, v in re.findall(r"^\s+(hexahedra|prisms|tetrahedra|pyramids|polyhedra):\s+(\d+)", log, re.M)
    }
    out["fluid_cell_types"] = {k: v for k, v in types.items() if v}
    m = re.search(r"non-orthogonality Max: (\S+) average: (\S+)", log)
    if m:
        out["fluid_max_non_orthogonality_deg"] = float(m.group(1))
        out["fluid_mean_non_orthogonality_deg"] = float(m.group(2))
    m = re.search(r"Max skewness = (\S+)", log)
    if m:
        out["fluid_max_skewness"] = float(m.group(1))
    return out


def _fluid_boundary(text: str) -> tuple[str, list[str]]:
    """The fluid region's boundary file with the mapped interfaces made plain walls."""
    walls = re.findall(r"^\s{4}(\w+)\s*\n\s{4}\{[^}]*type\s+mappedWall;", text, re.M)

    def plain(m: re.Match[str]) -> str:
        body = m.group(2)
        n = re.search(r"nFaces\s+\d+;", body)
        s = re.search(r"startFace\s+\d+;", body)
        assert n and s
        return f"    {m.group(1)}\n    {{\n        type            wall;\n        inGroups        1(wall);\n        {n.group(0)}\n        {s.group(0)}\n    }}"

    text = re.sub(r"^    (\w+)\s*\n    \{([^}]*type\s+mappedWall;[^}]*)\}", plain, text, flags=re.M)
    text = text.replace("physicalType    patch;\n", "")
    return text, walls


def patch_faces(mesh_dir: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per patch of an ASCII polyMesh: (face area vectors, owner cells)."""
    pts_text = (mesh_dir / "points").read_text()
    body = pts_text[pts_text.index("(", pts_text.index("}")) :]
    nums = re.findall(r"\(([^()]*)\)", body)
    points = np.array([s.split() for s in nums], dtype=float)
    bnd = (mesh_dir / "boundary").read_text()
    patches = {
        m.group(1): (
            int(re.search(r"nFaces\s+(\d+)", m.group(2)).group(1)),
            int(re.search(r"startFace\s+(\d+)", m.group(2)).group(1)),
        )  # type: ignore[union-attr]
        for m in re.finditer(r"^\s{4}(\w+)\s*\n\s{4}\{([^}]*)\}", bnd, re.M)
    }
    faces_text = (mesh_dir / "faces").read_text()
    faces_text = faces_text[faces_text.index("}") + 1 :]
    faces = [list(map(int, f.split())) for f in re.findall(r"\d+\(([^()]*)\)", faces_text)]
    own_text = (mesh_dir / "owner").read_text()
    own_text = own_text[own_text.index("}") + 1 :]
    own_body = own_text[own_text.index("(") + 1 : own_text.rindex(")")]
    owner = np.array(own_body.split(), dtype=int)
    out = {}
    for name, (n, start) in patches.items():
        areas = np.zeros((n, 3))
        for i in range(n):
            f = points[faces[start + i]]
            c = f.mean(axis=0)
            for a, b in zip(f, np.roll(f, -1, axis=0), strict=True):
                areas[i] += 0.5 * np.cross(a - c, b - c)
        out[name] = (areas, owner[start : start + n])
    return out


# ----- case ---------------------------------------------------------------------------------------

_PLAIN_SCHEMES = """
ddtSchemes { default steadyState; }
gradSchemes { default Gauss linear; }
divSchemes { default none; }
laplacianSchemes { default Gauss linear corrected; }
interpolationSchemes { default linear; }
snGradSchemes { default corrected; }
"""


def write_flow_case(
    case: Path, mesh_root: Path, plate: str, setting: str, max_iter: int, props: dict[str, float]
) -> list[str]:
    """The simpleFoam case of the coolant region; returns the wall patch names."""
    design = design_of(plate)
    s = SETTINGS[setting]
    foam.clean_case(case)
    src = mesh_root / "foam" / "constant" / design.fluid / "polyMesh"
    dst = case / "constant" / "polyMesh"
    dst.mkdir(parents=True)
    for name in ("points", "faces", "owner", "neighbour"):
        shutil.copy(src / name, dst / name)
    text, walls = _fluid_boundary((src / "boundary").read_text())
    (dst / "boundary").write_text(text)
    sample = "\n".join(
        f"    dp_{p}\n    {{\n        type surfaceFieldValue;\n        libs (fieldFunctionObjects);\n"
        f"        regionType patch;\n        name {p};\n        operation areaAverage;\n        fields (p);\n"
        "        writeFields false;\n        log false;\n        executeControl timeStep;\n        executeInterval 10;\n"
        "        writeControl timeStep;\n        writeInterval 10;\n    }"
        for p in (*design.flow_lpm, "outlet")
    )
    foam.write_control_dict(case, "simpleFoam", max_iter, functions=sample)
    tols = "\n".join(f"        {k} {v:g};" for k, v in RESIDUAL_TOL.items())
    foam.write_file(
        case,
        "system/fvSolution",
        "dictionary",
        f"""
solvers
{{
    p {{ solver GAMG; smoother DIC; tolerance 1e-10; relTol 0.05; }}
    U {{ solver smoothSolver; smoother symGaussSeidel; tolerance 1e-12; relTol 0.1; }}
}}
SIMPLE
{{
    nNonOrthogonalCorrectors {N_NON_ORTH};
    consistent      {"yes" if s["consistent"] else "no"};
    residualControl
    {{
{tols}
    }}
}}
relaxationFactors
{{
    fields {{ p {s["p"]:g}; }}
    equations {{ U {s["U"]:g}; }}
}}
""",
    )
    foam.write_file(
        case,
        "system/fvSchemes",
        "dictionary",
        f"""
ddtSchemes {{ default steadyState; }}
gradSchemes {{ default Gauss linear; grad(U) {s["grad_U"]}; }}
divSchemes
{{
    default         none;
    div(phi,U)      {s["div"]};
    div((nuEff*dev2(T(grad(U))))) Gauss linear;
}}
laplacianSchemes {{ default Gauss linear limited corrected 0.5; }}
interpolationSchemes {{ default linear; }}
snGradSchemes {{ default limited corrected 0.5; }}
""",
    )
    nu = props["viscosity_pa_s"] / props["density_kg_m3"]
    foam.write_file(
        case, "constant/transportProperties", "dictionary", f"transportModel Newtonian;\nnu {nu:.10g};\n"
    )
    foam.write_file(case, "constant/turbulenceProperties", "dictionary", "simulationType laminar;\n")
    u_bc = {
        p: f"{{ type flowRateInletVelocity; volumetricFlowRate {q / 60000.0:.10g}; value uniform (0 0 0); }}"
        for p, q in design.flow_lpm.items()
    }
    u_bc["outlet"] = "{ type zeroGradient; }"
    p_bc = {p: "{ type zeroGradient; }" for p in design.flow_lpm}
    p_bc["outlet"] = "{ type fixedValue; value uniform 0; }"
    for w in walls:
        u_bc[w] = "{ type noSlip; }"
        p_bc[w] = "{ type zeroGradient; }"
    for name, cls, dims, internal, bcs in (
        ("U", "volVectorField", "[0 1 -1 0 0 0 0]", "uniform (0 0 0)", u_bc),
        ("p", "volScalarField", "[0 2 -2 0 0 0 0]", "uniform 0", p_bc),
    ):
        foam.write_boundary_field(case, name, cls, dims, internal, bcs)
    return walls


# ----- analysis -----------------------------------------------------------------------------------


def pressure_drops(case: Path, plate: str, rho: float) -> dict[str, float]:
    """Area-weighted mean total and static pressure drop, first inlet to outlet, Pa (and the
    per-inlet values), from the last time's ASCII fields."""
    design = design_of(plate)
    last = foam.time_dirs(case)[-1]
    geo = patch_faces(case / "constant" / "polyMesh")
    p_int, p_b = foam.read_field(case / last / "p")
    u_int, u_b = foam.read_field(case / last / "U")
    p_int = np.atleast_1d(np.asarray(p_int, dtype=float))
    u_int = np.asarray(u_int, dtype=float)

    def face_values(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        areas, own = geo[name]
        a = np.linalg.norm(areas, axis=1)
        pv = p_b[name].get("value")
        pf = p_int[own] if pv is None else np.broadcast_to(np.asarray(pv, dtype=float), a.shape)
        uv = u_b[name].get("value")
        uf = u_int[own] if uv is None else np.broadcast_to(np.asarray(uv, dtype=float), (len(a), 3))
        return a, pf, uf

    out: dict[str, float] = {}
    means: dict[str, tuple[float, float, float]] = {}
    for name in (*design.flow_lpm, "outlet"):
        a, pf, uf = face_values(name)
        static = float(np.dot(a, pf) / a.sum()) * rho
        total = float(np.dot(a, pf + 0.5 * np.einsum("ij,ij->i", uf, uf)) / a.sum()) * rho
        flux = float(np.einsum("ij,ij->i", uf, geo[name][0]).sum()) * 60000.0
        means[name] = (static, total, flux)
    first = next(iter(design.flow_lpm))
    out["dp_total_pa"] = means[first][1] - means["outlet"][1]
    out["dp_static_pa"] = means[first][0] - means["outlet"][0]
    for name in design.flow_lpm:
        if name != first:
            out[f"dp_total_pa_{name}"] = means[name][1] - means["outlet"][1]
    out["outlet_flow_lpm"] = means["outlet"][2]
    out["inlet_flow_lpm"] = -sum(means[n][2] for n in design.flow_lpm)
    return out


def dp_history(case: Path, plate: str, rho: float) -> list[tuple[int, float]]:
    """(iteration, area-mean static ΔP Pa) every 10 iterations from the surfaceFieldValue output."""
    first = next(iter(design_of(plate).flow_lpm))
    series = {}
    for name in (first, "outlet"):
        files = sorted((case / "postProcessing" / f"dp_{name}").glob("*/surfaceFieldValue.dat"))
        if not files:
            return []
        vals = {}
        for line in files[0].read_text().splitlines():
            if line.startswith("#") or not line.strip():
                continue
            t, v = line.split()[:2]
            vals[int(float(t))] = float(v)
        series[name] = vals
    its = sorted(set(series[first]) & set(series["outlet"]))
    return [(i, (series[first][i] - series["outlet"][i]) * rho) for i in its]


def settled(hist: list[tuple[int, float]]) -> dict[str, Any]:
    """Iterations after which the sampled static ΔP stays within 0.1 % and 1 % of its last value
    (the time to a converged ΔP, for runs whose residuals stall above the tolerance)."""
    out: dict[str, Any] = {}
    if not hist:
        return out
    final = hist[-1][1]
    for tol, key in ((1e-3, "dp_settled_0p1pct_iteration"), (1e-2, "dp_settled_1pct_iteration")):
        it = hist[0][0]
        for i, v in hist:
            if abs(v - final) > tol * abs(final):
                it = i + 10
        out[key] = it
    return out


def run(
    plate: str,
    target_cells: int,
    cells: str,
    setting: str,
    *,
    nprocs: int = 1,
    max_iter: int = 5000,
    timeout: float | None = None,
    root: Path | None = None,
) -> dict[str, Any]:
    import rackflow as rf

    design = design_of(plate)
    base = root or cache_dir("openfoam", "corpus")
    mesh_root = base / f"{plate}_{cells}_{target_cells}"
    mesh_root.mkdir(parents=True, exist_ok=True)
    mesh = make_mesh(plate, target_cells, cells, mesh_root)
    props = {
        k: float(v) for k, v in rf.get_coolant(design.coolant).properties(design.inlet_temperature_c).items()
    }
    rho = props["density_kg_m3"]
    case = mesh_root / f"simpleFoam_{setting}_np{nprocs}"
    walls = write_flow_case(case, mesh_root, plate, setting, max_iter, props)
    if nprocs > 1:
        foam.write_decompose_dict(case, nprocs)
        foam.run_util(case, ["decomposePar", "-force"])
    load_before = os.getloadavg()[0]
    try:
        timed, log = foam.run_solver(case, "simpleFoam", nprocs, timeout=timeout)
        error = ""
    except RuntimeError as err:  # diverged (FOAM FATAL / floating point) or timed out
        log = (case / f"log.simpleFoam.np{nprocs}").read_text()
        timed = None
        error = str(err).splitlines()[0][:200]
    lines = foam.solve_lines(log)
    iters = len(re.findall(r"^Time = \d+", log, re.M))
    converged = "SIMPLE solution converged" in log
    exec_s, clock_s = foam.execution_times(log)
    row: dict[str, Any] = {
        "plate": plate,
        "target_cells": target_cells,
        "cells_kind": cells,
        "setting": setting,
        "np": nprocs,
        "converged": converged,
        "iterations": iters,
        "error": error,
        "wall_s": timed.wall_s if timed else float("nan"),
        "clock_s": clock_s,
        "exec_cpu_s": exec_s,
        "max_rss_mb": timed.max_rss_mb if timed else float("nan"),
        "tree_rss_mb": timed.extra.get("tree_rss_mb", float("nan")) if timed else float("nan"),
        "fluid_cells": mesh["fluid_cells"],
        "walls": walls,
        # a shared 2-core machine: the 1-minute load before and after the run qualifies the times
        "load_1min": [load_before, os.getloadavg()[0]],
    }
    for field in ("p", "Ux", "Uy", "Uz"):
        fl = [s for s in lines if s.field == field]
        row[f"last_initial_residual_{field}"] = fl[-1].initial if fl else float("nan")
    procs = sorted(case.glob("processor*"))
    rank0 = procs[0] if procs else case
    times = foam.time_dirs(rank0)
    prof = foam.profiling_totals(rank0, times[-1]) if times else {}
    row["loop_s"] = next((v for k, v in prof.items() if k.startswith("time.run()")), float("nan"))
    row["main_s"] = next((v for k, v in prof.items() if k.startswith("application::main")), float("nan"))
    if timed and times and times[-1] != "0":
        if procs:
            foam.run_util(case, ["reconstructPar", "-latestTime"])
        row.update(pressure_drops(case, plate, rho))
    hist = dp_history(case, plate, rho)
    row["dp_static_history_pa"] = hist[-20:]
    row.update(settled(hist))
    if len(hist) >= 10:
        tail = [v for _, v in hist[-max(2, len(hist) // 10) :]]
        row["dp_static_last10pct_rel_change"] = (
            (max(tail) - min(tail)) / abs(tail[-1]) if tail[-1] else float("nan")
        )
    row["mesh"] = mesh
    row["properties"] = {
        "density_kg_m3": rho,
        "viscosity_pa_s": props["viscosity_pa_s"],
        "temperature_c": design.inlet_temperature_c,
    }
    row["case_dir"] = str(case)
    return row


def settings_record() -> dict[str, Any]:
    """The solver settings common to every row, for the reference file."""
    return {
        "openfoam_version": foam.foam_version(),
        "application": "simpleFoam (laminar, Newtonian, constant properties)",
        "residual_control": RESIDUAL_TOL,
        "nNonOrthogonalCorrectors": N_NON_ORTH,
        "laplacianSchemes": "Gauss linear limited corrected 0.5",
        "snGradSchemes": "limited corrected 0.5",
        "solvers": {"p": "GAMG smoother DIC relTol 0.05", "U": "smoothSolver symGaussSeidel relTol 0.1"},
        "settings": SETTINGS,
        "boundary_conditions": {
            "inlet": "flowRateInletVelocity (uniform normal velocity, design flow), p zeroGradient",
            "outlet": "p fixedValue 0, U zeroGradient",
            "walls": "noSlip (every fluid_to_<metal> interface)",
        },
        "dp_definition": "area-weighted mean of face p + rho|u|^2/2, first inlet minus outlet (Result.pressure_drop_pa)",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description="simpleFoam on the corpus plates (issue 16)")
    ap.add_argument("--plates", default="serpentine,pinfin-staggered,microchannel-manifold")
    ap.add_argument("--target-cells", default="50000", help="comma-separated")
    ap.add_argument("--cells", default="tetra", help="tetra, prism or both (comma-separated)")
    ap.add_argument("--settings", default="upwind,linearUpwind", help=f"comma-separated of {list(SETTINGS)}")
    ap.add_argument("--np", default="1,2")
    ap.add_argument("--max-iter", type=int, default=5000)
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--json", help="append the rows to this JSON reference file (keyed by run)")
    ap.add_argument("--table", metavar="JSON", help="only print the markdown table of a reference file")
    args = ap.parse_args()
    if args.table:
        print(results_table(json.loads(Path(args.table).read_text())["runs"]))
        return
    print_header(f"simpleFoam on the corpus (OpenFOAM {foam.foam_version()}, gmsh {gmsh_version()})")
    rows = []
    for plate in args.plates.split(","):
        for target in (int(float(t)) for t in args.target_cells.split(",")):
            for kind in args.cells.split(","):
                for setting in args.settings.split(","):
                    for nprocs in (int(n) for n in args.np.split(",")):
                        r = run(
                            plate,
                            target,
                            kind,
                            setting,
                            nprocs=nprocs,
                            max_iter=args.max_iter,
                            timeout=args.timeout,
                        )
                        rows.append(r)
                        print(
                            f"{plate} {kind} {target} {setting} np{nprocs}: cells {r['fluid_cells']}, "
                            f"converged {r['converged']} in {r['iterations']} it., wall {r['wall_s']:.1f} s "
                            f"(loop {r['loop_s']:.1f}), {r['tree_rss_mb']:.0f} MB, "
                            f"dP {r.get('dp_total_pa', float('nan')):.2f} Pa (static {r.get('dp_static_pa', float('nan')):.2f}) "
                            f"res p {r['last_initial_residual_p']:.1e} {r['error']}",
                            flush=True,
                        )
                        if args.json:
                            _merge(Path(args.json), r)
    cols = [
        "plate",
        "cells_kind",
        "fluid_cells",
        "setting",
        "np",
        "converged",
        "iterations",
        "wall_s",
        "loop_s",
        "tree_rss_mb",
        "dp_total_pa",
        "dp_static_pa",
    ]
    print(markdown_table(rows, cols))


def results_table(runs: list[dict[str, Any]]) -> str:
    """One markdown row per run: outcome, iterations, times, memory, ΔP."""
    head = (
        "| plate | cells (fluid) | kind | setting | cores | outcome | SIMPLE it. | ΔP within 0.1 % at it. "
        "| process s | loop s | peak MB | ΔP total Pa | ΔP static Pa | last p / U residual |\n"
        "|---|---:|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    lines = [head]
    for r in runs:
        change = r.get("dp_static_last10pct_rel_change", float("nan"))
        if r["converged"]:
            outcome = "converged"
        elif r.get("error"):
            outcome = "**failed**"
        elif change > 0.5:
            outcome = f"**diverged** (ΔP moves {change:.1e})"
        elif change < 1e-4:
            outcome = f"residual stalled, ΔP steady ({change:.0e})"
        else:
            outcome = f"**not converged** (ΔP moves {change:.1e})"
        res_u = max(r.get(f"last_initial_residual_U{c}", 0.0) for c in "xyz")
        lines.append(
            f"| {r['plate']} | {r['fluid_cells']:,} | {r['cells_kind']} {r['target_cells']:.0e} | {r['setting']} | {r['np']} "
            f"| {outcome} | {r['iterations']} | {r.get('dp_settled_0p1pct_iteration', '–')} | {r['wall_s']:.1f} "
            f"| {r['loop_s']:.1f} | {r['tree_rss_mb']:.0f} | {r.get('dp_total_pa', float('nan')):.1f} "
            f"| {r.get('dp_static_pa', float('nan')):.1f} | {r['last_initial_residual_p']:.1e} / {res_u:.1e} |"
        )
    return "\n".join(lines)


def _merge(path: Path, row: dict[str, Any]) -> None:
    """Add or replace ``row`` in the reference file (one entry per plate/size/kind/setting/np)."""
    data = json.loads(path.read_text()) if path.exists() else {"settings": settings_record(), "runs": []}
    data["settings"] = settings_record()
    key = ("plate", "target_cells", "cells_kind", "setting", "np")
    row = {k: v for k, v in row.items() if k != "case_dir"}
    data["runs"] = [r for r in data["runs"] if tuple(r[k] for k in key) != tuple(row[k] for k in key)] + [row]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")


if __name__ == "__main__":
    main()
