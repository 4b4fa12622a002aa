"""Issue 17: k-ω SST on a turbulent corpus serpentine plate against OpenFOAM simpleFoam kOmegaSST
on the identical mesh.

``reference/corpus_sst.json`` (``benchmarks/openfoam/corpus_sst.py``; the command, the OpenFOAM
settings, the mesh recipe and the msh file's SHA-256 are stored in it) holds simpleFoam's ΔP
(area-mean total pressure, inlet to outlet) of the corpus serpentine (one 4 × 2.5 mm channel,
five runs, four bends) with PG25 at 35 °C and 1.8 L/min (channel Re ≈ 6,060), inlet 5 %
intensity and 0.07 D_h, on the generator's prism-layer mesh (``cells="prism"``, 8 graded layers
on floor and lid, none on the side walls). Both codes use the same automatic wall treatment
(``omegaWallFunction`` not blended, ``nutkWallFunction``, ``kqRWallFunction``), bounded linear
upwind for U and upwind for k and ω. The pressure drops must agree within 3 %.

Measured (2026-12-05, v1912, 49,520 prisms): simpleFoam 28,576 Pa (mean over iterations
760–1,500; the static ΔP swings ±0.23 % and the residuals stall near 1e-3, as rackflow's do),
rackflow 37,645 Pa: **+31.7 %** at first (stopped at loose tolerances: at its defaults the flow
stalled in all five attempts). Since viscous-branch wall faces add no production (stop 19, as
v1912's ``omegaWallFunction``), rackflow converges at its default tolerances (1,786 iterations,
17 min loaded) to **31,230 Pa: +9.3 %**, still a strict xfail. With the SST on the limited velocity
gradient and its ν_t limiter in every cell (2026-12-05, stop 21: the straight channel below now
within 0.3 % at both Re): 31,496 Pa, **+10.2 %** (2,106 iterations, 884 s at load 5).
Re-measured 2026-12-06 (stop 24, main at ``0c7107a``): 31,554 Pa, **+10.4 %** (2,073 iterations,
accepted as statistically stationary). **The SST is not the cause** (``benchmarks/RESULTS.md``,
"Stop 24: where the serpentine's +10 % is"): in the first run both codes' k now decay alike along
the centre line (the "rackflow's k grows" of the first measurement, +31.7 %, is gone since stops
19 and 21; k within 4 % of simpleFoam's to x = 40 mm, 11 % below it at 50 mm), and rackflow's SST run alone on simpleFoam's velocity
field reproduces simpleFoam's k and ν_t (5 mm slab means within 1–3 % in all five runs; cell by
cell median 1.4 %). The excess is rackflow's *momentum* in the four bends: on simpleFoam's ν_t
frozen, rackflow's flow gives 30,134 Pa (+5.5 %), with separation bubbles downstream of the bends
3–10 times as many cells as simpleFoam's, a deeper pressure minimum and a 2–2.6 kPa recovery
after each (simpleFoam 0.3 kPa); the SST then answers the larger separation with more k
downstream, which doubles the excess. The straight channel meshed as the serpentine is (prisms,
no side-wall layers) agrees in k along the centre line (within 1 %) and in the developed
pressure gradient (0.4 %). The same mesh laminar at 0.4 L/min (Re 1,350), second order in both
codes, shows the same signature without any turbulence model: rackflow 2,252 Pa against
simpleFoam's 2,099 (+7.3 %), the runs' gradients equal and 30–40 Pa more lost at every bend.

**The cause was SIMPLEC's Rhie–Chow dissipation** (stop 26, helper ``rad``, ``benchmarks/RESULTS.md``):
rackflow's converged face fluxes carried ``V/(a_P − α Σa_N)``, about ten times the unrelaxed
``V/a_P`` at α_U 0.9, which overstated the bends' losses (``Flow::consistent_dissipation_flux``,
lead, stop 25: the laminar serpentine +7.3 → +3.4 %). With it rackflow converges at its defaults
to its tolerances (2,217 iterations, 623 s at load 3–4, no stationary fallback) to **29,261 Pa:
+2.40 %** (measured 2026-12-06), and the test passes. The separation bubbles after bends 2–5 hold
55 / 22 / 22 / 32 cells with reversed axial velocity (simpleFoam 31 / 20 / 24 / 8; before 79 / 143
/ 314 / 28), ν_t's 5 mm slab means in runs 1–4 are within about 5 % of simpleFoam's (run 5: up to 19 % above), and what is
left is mostly in the last bend (0.45 of the 0.69 kPa excess between mid-run 4 and mid-run 5).

The same channel straight (``reference/corpus_sst_duct.json``, ``corpus_sst --duct``: 4 × 2.5 ×
60 mm, 9,600 uniform hexahedra) separates the two: at Re 18,186, every wall cell in the log
layer, rackflow is +0.70 % of simpleFoam (tested within 3 %); at the design point's Re 6,062
simpleFoam converges in 167 iterations; rackflow stalled there until the viscous-branch wall
faces stopped adding production (as v1912's ``omegaWallFunction``) and is now −1.1 % on 9,600 and
+2.3 % on 38,400 hexahedra (``reference/corpus_sst_duct_fine.json``), tested within 3 %.

The serpentine at 5.4 L/min (``reference/corpus_sst_5p4.json``, ``corpus_sst --flow-lpm 5.4``; Re
18,186, every wall cell above y⁺ 11.5): simpleFoam 221,049 Pa (the last half's mean, residuals
stalled near 1e-3), rackflow converged at its defaults (2,235 iterations) to 261,683 Pa:
**+18.4 %** (measured before the viscous-branch change), a strict xfail, though the straight
channel at this Re agrees to +0.70 %. With the unrelaxed diagonal's Rhie–Chow dissipation
(2026-12-06, stop 26): **225,495 Pa, +2.01 %** (1,507 iterations, 227 s at load 6, accepted as
statistically stationary: ΔP variation 1.5e-6 over 400 iterations), and the test passes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from rackflow.errors import StationaryFlowWarning, WallTreatmentWarning

REFERENCE = Path(__file__).parent / "reference" / "corpus_sst.json"
#: Second order throughout (no fallback), default tolerances.
SETTINGS = {"convection": "linear_upwind"}


def _reference() -> dict:
    return json.loads(REFERENCE.read_text())


def _run(ref: dict) -> dict:
    return next(r for r in ref["runs"] if r["setting"] == ref["reference_setting"])


def test_reference_records_the_command_mesh_and_settings() -> None:
    ref = _reference()
    assert ref["command"].startswith("python -m benchmarks.openfoam.corpus_sst")
    assert ref["settings"]["openfoam_version"] == "v1912"
    assert "kOmegaSST" in ref["settings"]["application"]
    run = _run(ref)
    assert run["setting"] in ref["settings"]["settings"]
    assert len(run["mesh"]["msh_sha256"]) == 64
    assert set(run["mesh"]["recipe"]) >= {"generator", "plate", "target_cells", "cells", "gmsh_version"}
    # a turbulent design point, and wall y+ recorded per wall patch
    assert 5_000 < run["reynolds"] < 8_000
    assert set(run["y_plus"]) == set(run["walls"])
    # the reference is steady to well within the tolerance: its ΔP's swing over the last half of
    # the run is under 1 %
    swing = run["dp_static_last_half_pa"]
    assert (swing["max"] - swing["min"]) / swing["mean"] < 0.01


# not validation: a 134k-cell solve of about 2,200 iterations (10–15 min, by load); `pytest -m slow`
# runs it, the straight-duct tests below keep the comparison in CI
@pytest.mark.slow
def test_serpentine_pressure_drop_matches_simplefoam_komegasst(tmp_path: Path) -> None:
    """Measured +2.40 % (29,261 Pa against 28,576, 2,217 iterations, 2026-12-06); +10.4 % before
    the Rhie–Chow dissipation became the unrelaxed diagonal's (module docstring)."""
    ref = _reference()
    # converges to its tolerances; the lid's first cells are in the buffer layer, and the user is told so
    dp, run = _serpentine_dp(ref, _run(ref), tmp_path, SETTINGS, (WallTreatmentWarning, "buffer layer"))
    assert dp == pytest.approx(run["dp_total_pa"], rel=0.03)


def _serpentine_dp(
    ref: dict, run: dict, tmp_path: Path, settings: dict[str, Any], warning: tuple[type[Warning], str]
) -> tuple[float, dict]:
    """rackflow's ΔP on the reference's mesh (regenerated; its SHA-256 checked with the same
    gmsh) at the reference's flow, printed next to simpleFoam's; the solve must warn ``warning``
    (category, message pattern)."""
    gmsh = pytest.importorskip("gmsh")
    import rackflow as rf
    from rackflow.meshing import CORPUS

    from benchmarks.openfoam.corpus_simplefoam import reference_layers

    design, recipe = ref["design"], run["mesh"]["recipe"]
    path = CORPUS[recipe["plate"]].generator(
        tmp_path / "plate.msh",
        target_cells=recipe["target_cells"],
        cells=recipe["cells"],
        binary=True,
        **reference_layers(recipe),
    )
    if gmsh.__version__ == recipe["gmsh_version"]:
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == run["mesh"]["msh_sha256"]
    mesh = rf.load_mesh(path)
    assert len(mesh.cells_of("fluid")) == run["fluid_cells"]
    props = run["properties"]
    case = rf.Case(mesh)
    for region in mesh.regions:
        if region != "fluid":
            case.solid(region, material="copper")
    coolant = rf.Coolant(
        "PG25 at 35 °C",
        density_kg_m3=props["density_kg_m3"],
        viscosity_pa_s=props["viscosity_pa_s"],
        conductivity_w_mk=props["conductivity_w_mk"],
        specific_heat_j_kgk=props["specific_heat_j_kgk"],
    )
    # simpleFoam's `omegaWallFunction` has `blended false`: the same wall model
    case.fluid("fluid", coolant=coolant, turbulence="k-omega-sst", wall_treatment="switching")
    case.inlet(
        "inlet", flow_lpm=run.get("flow_lpm", design["flow_lpm"]), temperature_c=design["inlet_temperature_c"]
    )
    case.outlet("outlet", pressure_pa=0.0)
    with pytest.warns(warning[0], match=warning[1]):
        result = case.solve(progress=False, threads=1, **settings)
    dp = result.pressure_drop_pa("inlet", "outlet")
    ref_dp = run.get("dp_total_mean_pa", run["dp_total_pa"])
    y_plus = {k: tuple(round(x, 1) for x in v) for k, v in result.y_plus_by_patch.items()}
    print(
        f"rackflow ΔP {dp:.1f} Pa, simpleFoam {ref_dp:.1f} Pa "
        f"({100 * (dp / ref_dp - 1):+.2f} %); {result.report['flow_iterations']} iterations; "
        f"y+ (min/mean/max) rackflow {y_plus}, simpleFoam {run['y_plus']}"
    )
    return dp, run


# ----- the serpentine at 5.4 L/min (Re 18,186): every wall cell in the log layer ------------------

REFERENCE_5P4 = Path(__file__).parent / "reference" / "corpus_sst_5p4.json"


def test_reference_at_5p4_lpm_records_the_flow_and_log_layer_walls() -> None:
    ref = json.loads(REFERENCE_5P4.read_text())
    assert "--flow-lpm 5.4" in ref["command"]
    run = _run(ref)
    assert run["flow_lpm"] == ref["design"]["flow_lpm"] == 5.4
    assert 17_000 < run["reynolds"] < 19_000
    # the mesh is the 1.8 L/min reference's, cell for cell
    assert run["mesh"]["msh_sha256"] == _run(_reference())["mesh"]["msh_sha256"]
    # every wall cell above y+ 11.53 (k-based, OpenFOAM's switch): the log-layer branch only
    assert min(v[0] for v in run["y_plus"].values()) > 11.53
    swing = run["dp_static_last_half_pa"]
    assert (swing["max"] - swing["min"]) / swing["mean"] < 0.01


# a 134k-cell solve of about 1,500 iterations (4 min at load 6)
@pytest.mark.slow
def test_serpentine_at_5p4_lpm_matches_simplefoam_komegasst(tmp_path: Path) -> None:
    """Measured +2.01 % (225,495 Pa against 221,049, 2026-12-06); +18.4 % long before the Rhie–Chow
    dissipation became the unrelaxed diagonal's (module docstring)."""
    ref = json.loads(REFERENCE_5P4.read_text())
    # its residuals stall (as simpleFoam's, near 1e-3): accepted as statistically stationary
    dp, run = _serpentine_dp(
        ref, _run(ref), tmp_path, {"convection": "linear_upwind"}, (StationaryFlowWarning, "stationary")
    )
    assert dp == pytest.approx(run["dp_total_mean_pa"], rel=0.03)


# ----- the serpentine's channel as a straight duct (``corpus_sst --duct``) ------------------------

DUCT = Path(__file__).parent / "reference" / "corpus_sst_duct.json"


def _duct_case(ref: dict, flow_lpm: float) -> Any:
    from benchmarks.openfoam.corpus_sst import rackflow_duct_case

    g = ref["geometry_m"]
    return rackflow_duct_case(
        tuple(ref["cells"]), (g["length"], g["width"], g["depth"]), ref["properties"], flow_lpm
    )


@pytest.mark.validation
def test_straight_channel_with_wall_functions_matches_simplefoam() -> None:
    """Re 18,186, every wall cell in the log layer (y⁺ 28–44): measured +0.70 %."""
    ref = json.loads(DUCT.read_text())
    run = next(r for r in ref["runs"] if r["flow_lpm"] == 5.4)
    assert run["foam"]["converged"]
    result = _duct_case(ref, 5.4).solve(progress=False, threads=1, convection="linear_upwind")
    dp = result.pressure_drop_pa("xmin", "xmax")
    print(
        f"duct Re {run['reynolds']:.0f}: rackflow {dp:.1f} Pa, simpleFoam {run['foam']['dp_total_pa']:.1f} Pa"
    )
    assert dp == pytest.approx(run["foam"]["dp_total_pa"], rel=0.03)


DUCT_FINE = Path(__file__).parent / "reference" / "corpus_sst_duct_fine.json"


@pytest.mark.validation
@pytest.mark.parametrize("reference", [DUCT, DUCT_FINE], ids=["9600-hex", "38400-hex"])
def test_straight_channel_at_the_design_point_matches_simplefoam(reference: Path) -> None:
    """Re 6,062, first cells on the viscous branch: simpleFoam converges in 167 / 146 iterations
    (2,433 / 3,250 Pa). rackflow stalled here in a period-three cycle of the wall cells until a
    viscous-branch wall face stopped adding the cell's own production (v1912's
    `omegaWallFunction`); measured −1.1 % (103 iterations) and +2.3 % (120)."""
    ref = json.loads(reference.read_text())
    run = next(r for r in ref["runs"] if r["flow_lpm"] == 1.8)
    assert run["foam"]["converged"]
    # uniform cells put the first cell centres at y⁺ 4–16 (shear-based), and the user is told so
    with pytest.warns(WallTreatmentWarning, match="buffer layer"):
        result = _duct_case(ref, 1.8).solve(progress=False, threads=1, convection="linear_upwind")
    dp = result.pressure_drop_pa("xmin", "xmax")
    print(
        f"duct Re {run['reynolds']:.0f}, {run['cells']} cells: rackflow {dp:.1f} Pa "
        f"({result.report['flow_iterations']} iterations), simpleFoam {run['foam']['dp_total_pa']:.1f} Pa"
    )
    assert dp == pytest.approx(run["foam"]["dp_total_pa"], rel=0.03)
