"""Issue 17: k-ω SST on a turbulent rack supply manifold against OpenFOAM simpleFoam kOmegaSST on
the identical mesh.

``reference/turbulent_manifold.json`` (``benchmarks/openfoam/manifold_sst.py``; the command, the
OpenFOAM settings, the mesh recipe and the msh file's SHA-256 are stored in it) holds simpleFoam's
ΔP (area-mean total pressure, inlet to each outlet) and flow split of a rack manifold drawn with
Gmsh OpenCASCADE (:func:`rackflow.meshing.pipe.rack_manifold`: a 20 mm header, 300 mm long and
closed at its far end, three 8 mm branches fused on, 40,248 tetrahedra) with water at 25 °C and
20 L/min (header Re ≈ 23,700), inlet 5 % intensity and 0.07 D_h, every outlet at 0 Pa. Both
codes use the same automatic wall treatment (``omegaWallFunction`` not blended,
``nutkWallFunction``, ``kqRWallFunction``), bounded linear upwind for U and upwind for k and ω.
rackflow runs at its defaults (``turbulence="auto"``). The static ΔP (the inlet's mean static
pressure), the total ΔP to every outlet and every branch's share of the flow must agree within 3 %.

Measured (2026-12-05, v1912, one thread, load 6–11 on 2 cores): simpleFoam's residuals stall
near 2e-3 (U) on these tetrahedra; its inlet pressure is within 0.3 % of its final value from
iteration 180 and swings ±2 Pa (0.05 %) over iterations 1,000–2,000 (896 s, 168 MB for 2,000
iterations). rackflow at its defaults ended in a ConvergenceError after five attempts (second
order at 0.9 diverges at iteration 178, the rest stall at continuity ≈ 8e-3). Why (2026-12-06,
RESULTS stop 23): with ν_t frozen the first-order momentum converges (continuity 1.9e-6 at α_U
0.525); with the SST live, 7–18 wall faces crossed y⁺_lam every iteration (the wall treatment's
branch switches ω by 17 % and the wall cell's k production on or off), and with those branches
held the residuals still stall near 3e-4, oscillating (periods ≈ 60–135 iterations) in the
header's closed end past the last branch, whatever the k, ω and ν_t relaxation: a limit cycle of
the SST–momentum coupling. A stalled turbulent solve now holds its wall branches with the limiter
and is returned when its static pressure drops and flow shares vary by at most 0.1 % over 400
iterations (``StationaryFlowWarning``, ``report["flow_stationary"]``). At the defaults (1,216 s
at load 5–7, the first-order fallback at 0.7, stationary after 790 of its iterations with
variations 8.2e-5 and 3.1e-5, continuity 3.7e-3): static ΔP 3,951.6 Pa (**−4.57 %**), total
−3.49 / −1.50 / −6.28 %, splits 0.3240 / 0.3346 / 0.3414 (within 1.4 %): first-order momentum.
Before the SST saw the limited velocity gradient (below), stopped at the stalled level
(``STALLED``: 803 iterations, 98 s, 105 MB): the splits agree
(0.3244 / 0.3362 / 0.3396 against 0.3247 / 0.3387 / 0.3367, within 0.9 %), the static ΔP is
**+5.15 %** (4,354 against 4,141 Pa) and the total ΔP to the outlets +5.8 / +12.6 / +8.4 %; on to 944 iterations (velocity and
pressure tolerances 2.3e-3) the static ΔP moves by 0.02 % (4,355.0 Pa) and the splits by 0.1 %.
Where (slab means of the cell fields on the identical cells): along the whole header rackflow's
pressure is simpleFoam's plus 235 ± 15 Pa and the velocity within 3 %, so the header's friction
and the pressure recovery past each branch agree; the excess is made in the branches (entrance
and pipe), where rackflow's ν_t/ν was 40–70 % above simpleFoam's (21–25 against 14–15 in the
branch cores; 18 against 13–15 in the header) and the low pressure of the entrance separation
is half as deep (−580 against −1,061 Pa in the first branch).

Cell by cell against simpleFoam's fields at 600 iterations (static ΔP 4,137 Pa, the reference's
within 0.1 %), the turbulence difference had two sources, both in the velocity gradient the SST
sees. (1) simpleFoam's ``fvc::grad(U)`` in ``kOmegaSST::correct()`` is the reference's
``cellLimited leastSquares 1``; rackflow's production used the unlimited least-squares gradient,
whose tetrahedra overshoot in the branch entrances' shear layers: k in the branches 1.6–2.3×
simpleFoam's, ω 1.2–1.5×. (2) rackflow set ν_t = k/ω in log-layer wall cells (no SST limiter):
with the limited gradient their k and ω were within 10 % of simpleFoam's but ν_t 2–3× (15–19
against 4–9). With the model's gradient limited and the SST limiter in every cell, as
kOmegaSST's (2026-12-05, 946 iterations at ``STALLED``, 329 s at load 6): k, ω and ν_t in the
branch cores and the wall cells within about 0–20 % of simpleFoam's (ν_t/ν 10–23 against
10–26; wall cells 5–8 against 4–9), the header's within 15 %. The static ΔP is **+3.77 %**
(4,297 against 4,141 Pa) and the total ΔP to the outlets +4.1 / +7.9 / +5.1 %, the splits
within 1.4 %: still strict xfails. With the turbulence now alike, what is left is in the
momentum: the header's pressure is simpleFoam's + 186 ± 14 Pa, the entrance low of the first
branch still about half as deep, the wall cells' speed 11 % below simpleFoam's in the branches
(5 % in the header, interior cells within 1–2.5 %), and the cell velocities carry 2 % less than
the face fluxes (Σ u V / L over header slabs 19.6 L/min, simpleFoam's 20.1–20.2) — the
signature of rackflow's momentum on tetrahedra in ``test_tet_duct_openfoam`` (laminar: volume
mean of the axial velocity 0.99–1.00 of the bulk, simpleFoam's 1.004–1.009). rackflow's
momentum equation also has no ``div(ν_eff dev2(T(∇U)))`` term, which simpleFoam's has.

Both candidates measured (2026-12-06, ``STALLED`` unless said, one thread, load 4–9). Baseline
re-run: 1,242 iterations, static ΔP **+3.65 %** (4,292 Pa), total +3.88 / +7.57 / +4.86 %.
(a) simpleFoam's explicit ``fvc::div((nuEff)*dev2(T(fvc::grad(U))))`` (limited gradient, boundary
gradient with the face's normal derivative, wall-function ν_t on walls; commit aa785da on branch
``rad``): static ΔP −0.3 % only (4,279 Pa, +3.34 %, at a looser stop: with it the residuals stall
twice as high, continuity 1.6–2.4e-2, also with the source relaxed 0.5, so ``STALLED`` ends in a
ConvergenceError) — not enabled. (b) The gap between cell velocities and face fluxes is
rackflow's skewness correction of the Rhie–Chow face interpolation (``Flow::hby_a_flux``), which
simpleFoam does not have: switched off for a test run, the wall cells' speed is within 1 % of
simpleFoam's (was −11.7 % in the branches, −5 % in the header), the branch slab means of the
axial velocity 2.13–2.18 against 2.14–2.19 m/s (was 2.05–2.08), the first branch's entrance low
−1,075 against −1,316 Pa (was −896), and the static ΔP **+2.94 %** (4,263 Pa; total +4.5 / +5.4 /
+6.2 %, 1,023 iterations). That correction is what puts rackflow's laminar tetrahedral duct within
3 % of the exact f·Re where simpleFoam is +20 % (``test_tet_duct_openfoam``), so it stays: the
remaining difference on these tetrahedra is at least as likely simpleFoam's as rackflow's.

With the Rhie–Chow dissipation of the unrelaxed diagonal (``Flow::consistent_dissipation_flux``,
which put the turbulent serpentine's prisms within 3 %; stop 26, helper ``rad``, ``STALLED``,
1,153 iterations, 126 s at load 4): static ΔP **+4.56 %** (4,329.9 Pa), total +5.64 / +9.05 /
+6.36 %, splits 0.3224 / 0.3374 / 0.3402 (within 1.1 %). On these tetrahedra it moves the other
way: the header's pressure is simpleFoam's + 215 ± 12 Pa (was + 183 ± 13), the first branch's entrance
low shallower still (slab mean −668 against −1,124 Pa; was −761), the branches' cell velocities
unchanged (2.07–2.18 against 2.15–2.25 m/s).

simpleFoam's non-orthogonal treatment (``limited corrected 0.5`` and ``nNonOrthogonalCorrectors
1``; stop 30, helper ``rad``, the bound through a throwaway build): static ΔP +4.39 % at
``STALLED`` (339 iterations), +4.82 % at tolerances 2e-3 (650; the test's settings there +4.65 %);
the corrector alone +4.91 %, the bound alone +5.21 %. Not the cause.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

REFERENCE = Path(__file__).parent / "reference" / "turbulent_manifold.json"


def _reference() -> dict:
    return json.loads(REFERENCE.read_text())


def test_reference_records_the_command_mesh_and_settings() -> None:
    ref = _reference()
    assert ref["command"].startswith("python -m benchmarks.openfoam.manifold_sst")
    assert ref["settings"]["openfoam_version"] == "v1912"
    assert "kOmegaSST" in ref["settings"]["application"]
    run = ref["foam"]
    assert len(run["mesh"]["msh_sha256"]) == 64
    assert run["mesh"]["recipe"]["generator"] == "rackflow.meshing.pipe.rack_manifold"
    assert 1e4 < run["reynolds_header"] < 1e5
    assert run["walls"] == ["wall"]
    # mass is conserved over the outlets in the reference
    total = sum(o["flow_lpm"] for o in run["outlets"].values())
    assert total == pytest.approx(ref["design"]["flow_lpm"], rel=1e-3)


#: rackflow's flow residuals stall on these tetrahedra as simpleFoam's do (Uz, p ≈ 2e-3,
#: continuity ≈ 8e-3 of the inflow after 2,000 iterations), so at its default tolerances it ends in
#: a ConvergenceError; the comparison stops at the stalled level, second order throughout.
STALLED = {
    "convection": "linear_upwind",
    "velocity_relaxation": 0.675,
    "velocity_tolerance": 3e-3,
    "pressure_tolerance": 3e-3,
    "mass_tolerance": 1e-2,
    "flow_max_iterations": 3000,
}


def _mesh(tmp_path: Path) -> Path:
    """The reference's mesh, regenerated (its SHA-256 checked with the same gmsh)."""
    gmsh = pytest.importorskip("gmsh")
    from rackflow.meshing.pipe import rack_manifold

    ref = _reference()
    recipe = dict(ref["foam"]["mesh"]["recipe"])
    params = {k: v for k, v in recipe.items() if k not in ("generator", "binary", "gmsh_version")}
    params["branch_positions_m"] = tuple(params["branch_positions_m"])
    path = rack_manifold(tmp_path / "manifold.msh", **params, binary=True)
    if gmsh.__version__ == recipe["gmsh_version"]:
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == ref["foam"]["mesh"]["msh_sha256"]
    return path


@pytest.fixture(scope="module")
def rackflow_outlets(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """rackflow's ΔP and split (``turbulence="auto"``, ``STALLED``), printed next to simpleFoam's."""
    from benchmarks.openfoam import manifold_sst

    path = _mesh(tmp_path_factory.mktemp("manifold"))
    result = manifold_sst.rackflow_case(path).solve(progress=False, threads=1, **STALLED)
    out = manifold_sst.rackflow_table(result)
    ref = _reference()["foam"]["outlets"]
    for name, o in out["outlets"].items():
        f = ref[name]
        print(
            f"{name}: ΔP rackflow {o['dp_total_pa']:.1f} Pa, simpleFoam {f['dp_total_pa']:.1f} Pa "
            f"({o['dp_total_pa'] / f['dp_total_pa'] - 1:+.2%}); static {o['dp_static_pa']:.1f} vs "
            f"{f['dp_static_pa']:.1f}; split {o['split']:.4f} vs {f['split']:.4f}"
        )
    return out


# not validation: three attempts at the default settings, 1,216 s at load 5–7
@pytest.mark.slow
def test_manifold_returns_a_stationary_result_at_the_defaults(tmp_path: Path) -> None:
    """No settings: the stalled solve's outputs are stationary and it is returned with a
    StationaryFlowWarning. Measured 2026-12-07 (stop 29, 78 s at load 2): second order throughout
    (no first-order fallback, no first-order cells; until stop 26 it was first-order upwind at 0.7),
    ΔP variation 6.8e-4 and split variation 2.7e-4 over 400 iterations, static ΔP 4,365.7 Pa
    (+5.4 % of simpleFoam's 4,140.9), splits 0.3205 / 0.3390 / 0.3405."""
    from rackflow.errors import StationaryFlowWarning

    from benchmarks.openfoam import manifold_sst

    with pytest.warns(StationaryFlowWarning):
        result = manifold_sst.rackflow_case(_mesh(tmp_path)).solve(progress=False, threads=1)
    print("first-order fallback:", result.report.get("flow_first_order_fallback"))
    stationary = result.report["flow_stationary"]
    assert stationary["iterations"] == 400
    assert stationary["pressure_drop_variation"] <= 1e-3
    assert stationary["split_variation"] <= 1e-3
    ref = _reference()["foam"]["outlets"]
    out = manifold_sst.rackflow_table(result)
    for name, o in out["outlets"].items():
        print(
            f"{name}: static ΔP {o['dp_static_pa']:.1f} vs {ref[name]['dp_static_pa']:.1f}, split {o['split']:.4f}"
        )
        assert o["split"] == pytest.approx(ref[name]["split"], rel=0.03), name


@pytest.mark.validation
@pytest.mark.xfail(
    strict=True,
    reason="+4.56 % (rackflow 4,330 Pa, simpleFoam 4,141 Pa, with the unrelaxed diagonal's Rhie–Chow dissipation; "
    "+3.65 % before it, +5.15 % before the SST saw the limited velocity gradient): made in the branch entrances; "
    "+2.94 % without rackflow's skewness correction of the face fluxes (on the old dissipation), which simpleFoam "
    "lacks and which puts rackflow's laminar tetrahedral duct within 3 % of the exact f·Re (module docstring)",
)
def test_manifold_static_pressure_drop_matches_simplefoam(rackflow_outlets: dict) -> None:
    # every outlet is at 0 Pa: one static drop, the inlet's mean static pressure
    ref = _reference()["foam"]["outlets"]
    for name, o in rackflow_outlets["outlets"].items():
        assert o["dp_static_pa"] == pytest.approx(ref[name]["dp_static_pa"], rel=0.03), name


@pytest.mark.validation
@pytest.mark.xfail(
    strict=True,
    reason="+5.6 % / +9.1 % / +6.4 % (rackflow 2,343 / 2,199 / 2,142 Pa, simpleFoam 2,218 / 2,017 / "
    "2,014 Pa, with the unrelaxed diagonal's Rhie–Chow dissipation; +3.9 / +7.6 / +4.9 % before it, +5.8 / "
    "+12.6 / +8.4 % before the SST saw the limited velocity gradient): the static excess plus the branch "
    "outlets' velocity profiles (module docstring)",
)
def test_manifold_pressure_drop_to_every_outlet_matches_simplefoam(rackflow_outlets: dict) -> None:
    ref = _reference()["foam"]["outlets"]
    for name, o in rackflow_outlets["outlets"].items():
        assert o["dp_total_pa"] == pytest.approx(ref[name]["dp_total_pa"], rel=0.03), name


@pytest.mark.validation
def test_manifold_flow_split_matches_simplefoam(rackflow_outlets: dict) -> None:
    ref = _reference()["foam"]["outlets"]
    for name, o in rackflow_outlets["outlets"].items():
        assert o["split"] == pytest.approx(ref[name]["split"], rel=0.03), name
