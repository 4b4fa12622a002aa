"""Issue 16: rackflow against OpenFOAM on the identical corpus mesh.

``reference/corpus_simplefoam.json`` (simpleFoam ΔP) and ``reference/corpus_cht.json``
(chtMultiRegionSimpleFoam R_th) were made by ``benchmarks/openfoam/corpus_simplefoam.py`` and
``corpus_cht.py`` (settings and the mesh recipe stored in them; see ``benchmarks/RESULTS.md``,
"OpenFOAM on the corpus"). Each test rebuilds the mesh from the recorded recipe (the generator
writes the same bytes with the recorded gmsh version; the cell counts are checked always) and
solves the same physics: PG25 held at its 35 °C library values, copper at its 35 °C library
conductivity (both as recorded in the reference), a uniform inlet velocity for the design flow,
outlet at 0 Pa, the design power spread over ``heated``. ΔP is the drop of area-mean total
pressure, R_th the hottest ``base`` cell over the inlet per watt, as the references define them.

``MATCHED`` is as close to the references' discretisation as rackflow allows: first-order upwind
for momentum and energy (OpenFOAM: ``bounded Gauss upwind`` for U and h), α_U 0.7 (OpenFOAM's U
relaxation; rackflow's converged answer does not depend on it). Targets: ΔP within 3 %, R_th
within 2 % (issue 16). The R_th reference is the energy alone on simpleFoam's converged flow
(``frozenFlow``, exact for constant properties; its h residuals reach 1e-8, where the coupled
run's stall): the coupled run's R_th is within 0.3 % of it on both serpentine meshes.

Measured (2026-12-05, v1912 references, rackflow one thread; load 4–9; the rows naming stop 25 re-measured
2026-12-06 after the converged fluxes took the Rhie–Chow dissipation of the unrelaxed diagonal):

| mesh (coolant cells) | quantity | OpenFOAM | rackflow | difference |
|---|---|---:|---:|---:|
| serpentine tetra 5e4 (15,110) | ΔP Pa | 2327.3 | 2191.5 (2205.7 before stop 25) | −5.84 % (−5.2 %) |
| serpentine tetra 5e4 | R_th K/W | 0.18758 | 0.18980 (0.18991 before stop 25; 0.18983 while its energy passes stalled into the non-orthogonal limit; 0.19501 before stop 20's interface fix) | +1.2 % (+4.0 %) |
| serpentine prism 5e4 (16,432) | ΔP Pa | 2490.8 | 2522.7 (2651.4 before stop 25) | +1.28 % (+6.4 %) |
| serpentine prism 5e4 | R_th K/W | 0.15425 | 0.1548 (0.15508 before stop 25) | +0.36 % (+0.5 %) |
| serpentine tetra 5e4, rackflow defaults | ΔP Pa | 2000.9 (linearUpwind) | 2052.1 (2083.6 before stop 25; 2206.7 with the first-order fallback) | +2.56 % (+4.1 %, +10.3 %) |
| serpentine tetra 2e5 (90,672), stop 20, ``slow`` | R_th K/W | 0.13221 | 0.13407 (0.14140 before the interface fix) | +1.4 % (+6.9 %) |
| serpentine tetra 5e4, rackflow defaults | R_th K/W | 0.20046 (linearUpwind h, Venkatakrishnan) | 0.19755 (0.20118 before stop 25) | −1.45 % (+0.36 %) |

Why they miss (both codes' cell fields compared cell by cell on the identical meshes; details in
``benchmarks/RESULTS.md``, "rackflow against OpenFOAM on the identical corpus mesh"):

- ΔP on the **tetrahedra**: rackflow's cell velocities do not carry the flow its face fluxes
  carry: the volume mean of u_x over the middle 30 mm of a straight run is 0.6287–0.6310 m/s
  against the bulk 0.6667 (−5.4 to −5.7 %, after stop 25; OpenFOAM 0.6672). So the wall shear is
  low: the straight runs' pressure gradient is 19–26 % below OpenFOAM's. The cause is the skewness correction of
  the Rhie–Chow face flux (``physics/flow.rs``, ``hby_a_flux``): with it switched off
  (experiment, not kept) the volume mean is 0.6673 and ΔP 2323.8 Pa, **−0.15 %** from
  simpleFoam, but the flow then needs α_U 0.3 (it stalls at 0.7 and 0.5).
  Stop 20 measured the correction against an exact answer (``test_tet_duct_openfoam.py`` and
  ``benchmarks/RESULTS.md``, "Stop 20 (lead)"): on a Delaunay-tet duct it is what makes f·Re
  converge on the exact value (without it +10.5 % at 0.5 mm), while simpleFoam on the same
  meshes drifts to +20 %; its cost is a cross-flow of 4 % of U at Re 1350 with first-order
  momentum on a mesh three cells across, which is this symptom. And first-order momentum on
  tetrahedra at this Re is dominated by false diffusion in both codes (duct: +24 % ΔP against
  hexahedra; OpenFOAM's own upwind ΔP here moves +21 % from 5e4 to 2e5 cells), so this row
  compares two first-order errors.
- ΔP on the **prisms**: the cell velocities carry the bulk in both codes (0.6672), the skewness
  correction is worth 0.65 % (2634.2 Pa without it); rackflow's straight-run gradient is 5.5 %
  below OpenFOAM's, while each of the four 180° bends loses 35–40 Pa more (+6.4 % in all) — before
  stop 25; that excess was SIMPLEC's Rhie–Chow dissipation (now +1.28 %; benchmarks/RESULTS.md, "The
  Rhie–Chow dissipation of SIMPLEC").
- R_th on the **tetrahedra** does not depend on that flow difference (0.19509 K/W on the flow
  without the skewness correction). The coolant temperatures agree cell by cell while the copper
  is 0.8 K warmer: rackflow corrects each side of the solid–fluid interface to its point on the
  face normal with that side's own least-squares gradient, and a coolant cell's gradient in its
  steep wall layer leaks into the tangential direction. Stop 20 (experiments, reverted): with
  the copper's gradient correcting both sides R_th is 0.18978 K/W (+1.2 %) at 5e4 and 0.13404
  (+1.4 %) at 2e5; with no interface correction (OpenFOAM's treatment) 0.18925 (+0.9 %) and
  0.13376 (+1.2 %). The first is also exact for piecewise-linear fields (``test_conjugate.py``),
  but on every interface it stalls the bundled pin-fin plate's energy
  (``test_skewed_interfaces.py``); kept on solid–coolant faces only (the pin-fin conduction plate
  has none), it gives the +1.2 % in the table.
  OpenFOAM's own non-orthogonal treatment moves its R_th by −0.07 % (corrected) / +0.3 %
  (uncorrected).
- Not the causes (measured): the ΔP definition (OpenFOAM's, with the cell pressures at its
  zero-gradient inlet, applied to rackflow's field changes ΔP by 0.3–0.5 %), OpenFOAM's
  relaxation dependence (U 0.5 / 0.9: −0.6 % / +0.6 %), its non-orthogonal correction of the
  flow (uncorrected / fully corrected: +0.6 % / 0.0 %), the references' energy balance
  (1.00003, 0.99999).

The default-settings comparison is against the only steady second-order ΔP at 5e4
(linearUpwind with the plain ``Gauss linear`` gradient on the serpentine tetrahedra: residuals
stall at 6.6e-5 / 1.0e-4, ΔP steady to 5e-7).

Second-order R_th (2026-12-06, helper ``net``; ``corpus_cht.py`` settings ``linearUpwind-*``):
chtMultiRegionSimpleFoam solves the energy alone on that simpleFoam flow (``frozenFlow``) with
``bounded Gauss linearUpwind grad(h)``, rackflow's default energy scheme (linear upwind on a
limited gradient). OpenFOAM's answer on these 5e4 tetrahedra depends on the h gradient's limiter
by more than the 2 % target:

| ``grad(h)`` (4,000 iterations) | R_th K/W | h residual (coolant) | balance | coolest coolant |
|---|---:|---:|---:|---:|
| ``cellLimited Gauss linear 1`` (Barth–Jespersen, rackflow's limiter) | 0.21047 (drifting) | 1.4e-3, stalled | 0.9990 | 34.68 °C |
| ``cellLimited leastSquares 1`` | 0.21127 (drifting) | 1.3e-2, stalled | 1.0006 | 32.5 °C |
| ``cellLimited<Venkatakrishnan> Gauss linear 1`` (``SECOND_ORDER_CHT``) | 0.20046 (settled) | 9.7e-5 | 1.0002 | 35.00 °C |
| ``cellLimited<cubic> 1.5 Gauss linear 1`` | 0.19499 (settled) | 3.4e-5 | 1.0000 | 35.00 °C |
| ``Gauss linear`` (no limiter) | 0.27651 | 1.9e-8 | 0.9996 | 22.73 °C (unbounded) |
| first-order h on the same flow (``upwindH-linearUpwindU-frozen``) | 0.18827 | 1.0e-8 | 1.0000 | 35.00 °C |

rackflow's defaults give 0.20118 K/W (limiter held after 31 energy passes, no first-order energy
cells; momentum first order in 266 cells): +0.36 % against the Venkatakrishnan reference (the
smooth form of rackflow's own limiter, and the one whose R_th settles that is closest to it),
+3.2 % against the cubic one, −4.4 % against the stalled Barth–Jespersen run. The flow's share is
small: first-order h moves 0.4 % from the first-order to the second-order flow (0.18758 → 0.18827),
so the 4–12 % between OpenFOAM's first and second order here is the energy scheme's. On the 2e5
tetrahedra (2,000 iterations) the limiters still differ as much: 0.13917 (cubic), 0.14439
(Venkatakrishnan), 0.15284 (Barth–Jespersen, stalled at 3.8e-4, coolant 0.16 K below the inlet).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

REFERENCE = Path(__file__).parent / "reference"
#: rackflow's settings closest to the references' discretisation (first-order upwind U and h)
MATCHED: dict[str, Any] = {"convection": "upwind", "velocity_relaxation": 0.7, "threads": 1}
DP_REL = 0.03
RTH_REL = 0.02
#: OpenFOAM's second-order R_th reference: energy alone on simpleFoam's second-order flow, h by
#: linear upwind on a Venkatakrishnan-limited gradient (the smooth form of the Barth–Jespersen
#: limiter rackflow's energy uses; module docstring for the other limiters)
SECOND_ORDER_CHT = "linearUpwind-venkat-frozen"


def _runs(name: str) -> list[dict[str, Any]]:
    return json.loads((REFERENCE / name).read_text())["runs"]


def _flow_reference(plate: str, kind: str, target: int, setting: str) -> dict[str, Any]:
    return next(
        r
        for r in _runs("corpus_simplefoam.json")
        if (r["plate"], r["cells_kind"], r["target_cells"], r["setting"], r["np"])
        == (plate, kind, target, setting, 1)
    )


def _cht_reference(plate: str, kind: str, target: int, setting: str) -> dict[str, Any]:
    return next(
        r
        for r in _runs("corpus_cht.json")
        if (r["plate"], r["cells_kind"], r["target_cells"], r["setting"]) == (plate, kind, target, setting)
    )


def _mesh(recipe_run: dict[str, Any], tmp_path: Path) -> Any:
    """The reference's mesh, rebuilt from its recipe; same bytes with the same gmsh, same counts."""
    gmsh = pytest.importorskip("gmsh")
    import rackflow as rf
    from rackflow.meshing import CORPUS

    from benchmarks.openfoam.corpus_simplefoam import reference_layers

    mesh_info = recipe_run["mesh"]
    recipe = mesh_info["recipe"]
    path = CORPUS[recipe["plate"]].generator(
        tmp_path / "plate.msh",
        target_cells=recipe["target_cells"],
        cells=recipe["cells"],
        binary=recipe["binary"],
        **reference_layers(recipe),
    )
    if gmsh.__version__ == recipe["gmsh_version"]:
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == mesh_info["msh_sha256"]
    mesh = rf.load_mesh(path)
    assert mesh.n_cells == mesh_info["cells_total"]
    assert len(mesh.cells_of(mesh_info["fluid_region"])) == mesh_info["fluid_cells"]
    return mesh


def _case(plate: str, mesh: Any, cht: dict[str, Any]) -> Any:
    """The references' physics: constant PG25 and copper at the recorded 35 °C library values."""
    import rackflow as rf
    from rackflow.meshing import CORPUS

    design = CORPUS[plate]
    props = cht["properties"]
    library = rf.get_coolant(design.coolant).properties(design.inlet_temperature_c)
    # the references were made with these library values; a changed library would need new references
    assert float(library["density_kg_m3"]) == pytest.approx(props["rho"], rel=1e-9)
    assert float(library["viscosity_pa_s"]) == pytest.approx(props["mu"], rel=1e-9)
    assert float(library["specific_heat_j_kgk"]) == pytest.approx(props["cp"], rel=1e-9)
    assert float(library["conductivity_w_mk"]) == pytest.approx(props["k_fluid"], rel=1e-9)
    table = np.asarray(rf.get_material("copper").conductivity_w_mk, dtype=float)
    assert float(np.interp(design.inlet_temperature_c, table[:, 0], table[:, 1])) == pytest.approx(
        props["k_copper"], rel=1e-9
    )
    case = rf.Case(mesh)
    copper = rf.Material("copper at 35 °C", conductivity_w_mk=props["k_copper"])
    for region in design.regions:
        if region != design.fluid:
            case.solid(region, material=copper)
    coolant = rf.Coolant(
        "PG25 at 35 °C",
        density_kg_m3=props["rho"],
        viscosity_pa_s=props["mu"],
        conductivity_w_mk=props["k_fluid"],
        specific_heat_j_kgk=props["cp"],
    )
    case.fluid(design.fluid, coolant=coolant)
    for patch, flow in design.flow_lpm.items():
        case.inlet(patch, flow_lpm=flow, temperature_c=design.inlet_temperature_c)
    case.outlet("outlet", pressure_pa=0.0)
    case.heat_flux("heated", power_w=design.power_w)
    return case


def _numbers(plate: str, result: Any) -> tuple[float, float]:
    from rackflow.meshing import CORPUS

    design = CORPUS[plate]
    inlet = next(iter(design.flow_lpm))
    rth = (result.max_temperature_c("base") - design.inlet_temperature_c) / design.power_w
    return result.pressure_drop_pa(inlet, "outlet"), rth


def test_references_hold_the_runs_compared_here() -> None:
    """The compared runs exist, converged (ΔP) or settled (R_th), with a closed energy balance."""
    for kind in ("tetra", "prism"):
        flow = _flow_reference("serpentine", kind, 50_000, "upwind")
        assert flow["converged"]
        cht = _cht_reference("serpentine", kind, 50_000, "upwind-frozen")
        assert cht["settings"]["div_h"] == "bounded Gauss upwind"
        assert cht["settings"]["frozen"]
        assert abs(cht["energy_balance"] - 1.0) < 1e-4
        assert cht["mesh"]["msh_sha256"] == flow["mesh"]["msh_sha256"]
    second = _flow_reference("serpentine", "tetra", 50_000, "linearUpwind-gradLinear")
    # residuals stalled, ΔP steady: its spread over the last 10 % of the run
    assert second["dp_static_last10pct_rel_change"] < 1e-5
    cht2 = _cht_reference("serpentine", "tetra", 50_000, SECOND_ORDER_CHT)
    # energy alone on that simpleFoam flow, second order for h, on the same mesh
    assert cht2["settings"]["frozen"]
    assert cht2["settings"]["init"] == second["setting"]
    assert cht2["settings"]["div_h"] == "bounded Gauss linearUpwind grad(h)"
    assert cht2["mesh"]["msh_sha256"] == second["mesh"]["msh_sha256"]
    # settled (hottest base temperature steady), balanced, and bounded (no coolant below the inlet)
    assert cht2["rth_last10pct_rel_change"] < 1e-4
    assert abs(cht2["energy_balance"] - 1.0) < 1e-3
    assert cht2["t_fluid_min_c"] > 35.0 - 1e-3


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Any]:
    """``solved(kind, "matched" | "defaults", target=50_000)``: the serpentine's result on the
    reference mesh (each solve once per module)."""
    cache: dict[tuple[str, str, int], Any] = {}

    def get(kind: str, settings: str, target: int = 50_000) -> Any:
        if (kind, settings, target) not in cache:
            flow = _flow_reference("serpentine", kind, target, "upwind")
            cht = _cht_reference("serpentine", kind, target, "upwind-frozen")
            mesh = _mesh(flow, tmp_path_factory.mktemp(f"serpentine-{kind}-{target}"))
            case = _case("serpentine", mesh, cht)
            if settings == "matched":
                result = case.solve(progress=False, **MATCHED)
            else:
                from rackflow.errors import ConvectionFallbackWarning

                with warnings.catch_warnings():
                    # the momentum's first-order fallback (the energy's local one too, if any)
                    warnings.simplefilter("ignore", ConvectionFallbackWarning)
                    result = case.solve(progress=False, threads=1)
            assert abs(result.energy_balance_error) < 1e-6
            cache[kind, settings, target] = result
        return cache[kind, settings, target]

    return get


def _report(kind: str, name: str, ours: float, theirs: float) -> None:
    print(
        f"serpentine {kind}: {name} rackflow {ours:.5g}, OpenFOAM {theirs:.5g} ({100 * (ours / theirs - 1):+.2f} %)"
    )


@pytest.mark.validation
@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(
            "tetra",
            marks=pytest.mark.xfail(
                strict=True,
                reason="−5.84 % (2191.5 against 2327.3 Pa; −5.2 % before stop 25's Rhie–Chow dissipation): on "
                "tetrahedra rackflow's cell velocities carry 5.4 % less than the bulk flow (the Rhie–Chow skewness "
                "correction; module docstring)",
            ),
        ),
        # measured +1.28 % (2522.7 against 2490.8 Pa); +6.4 % (each 180° bend 35–40 Pa more) while the
        # converged fluxes carried SIMPLEC's Rhie–Chow dissipation, V/(a_P − α Σa_N), before stop 25
        "prism",
    ],
)
def test_first_order_pressure_drop_matches_simplefoam(kind: str, solved: Callable[..., Any]) -> None:
    ref = _flow_reference("serpentine", kind, 50_000, "upwind")["dp_total_pa"]
    dp, _ = _numbers("serpentine", solved(kind, "matched"))
    _report(kind, "ΔP Pa", dp, ref)
    assert dp == pytest.approx(ref, rel=DP_REL)


@pytest.mark.validation
@pytest.mark.parametrize(
    "kind",
    [
        # measured +1.18 % (0.18980 against 0.18758 K/W, 2026-12-06; 0.18991 before stop 25; +1.20 %
        # while the energy passes stalled into the non-orthogonal limit, before the flow-ordered ILU;
        # +4.0 % while each side's own least-squares gradient corrected the solid–coolant interface,
        # before stop 20)
        "tetra",
        "prism",  # measured +0.54 %
    ],
)
def test_first_order_thermal_resistance_matches_openfoam(kind: str, solved: Callable[..., Any]) -> None:
    ref = _cht_reference("serpentine", kind, 50_000, "upwind-frozen")["rth_k_w"]
    _, rth = _numbers("serpentine", solved(kind, "matched"))
    _report(kind, "R_th K/W", rth, ref)
    assert rth == pytest.approx(ref, rel=RTH_REL)


# one solve of 2e5 cells took 22–31 min at load 8–10 (four agents on two cores): slow
@pytest.mark.slow
@pytest.mark.parametrize(
    "kind",
    [
        # measured 0.13407 against 0.13221 K/W (+1.41 %, 4.5 min at load 1); +6.9 % (0.14140) while
        # each side's own gradient corrected the solid–coolant interface, before stop 20
        "tetra",
        # the prisms (reference 0.13363 K/W) measured only with the reverted interface experiment: 0.13481, +0.9 %
    ],
)
def test_first_order_thermal_resistance_matches_openfoam_at_2e5(
    kind: str, solved: Callable[..., Any]
) -> None:
    """The same comparison on the references' 2e5 meshes, where R_th is 25–30 % below its 5e4 value
    in both codes (mesh convergence is far from done at 5e4; benchmarks/RESULTS.md, stop 20)."""
    ref = _cht_reference("serpentine", kind, 200_000, "upwind-frozen")["rth_k_w"]
    _, rth = _numbers("serpentine", solved(kind, "matched", 200_000))
    _report(kind, "2e5 R_th K/W", rth, ref)
    assert rth == pytest.approx(ref, rel=RTH_REL)


@pytest.mark.validation
@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(
            "tetra",
            marks=pytest.mark.xfail(
                strict=True,
                reason="the volume mean of u_x is 0.6310 / 0.6301 / 0.6287 m/s in the three runs against the bulk "
                "0.6667 (−5.35 / −5.48 / −5.69 %, tolerance 0.5 %); 0.6673 without the Rhie–Chow skewness "
                "correction of the face flux (experiment, module docstring)",
            ),
        ),
        "prism",  # measured 0.6672
    ],
)
def test_cell_velocities_carry_the_bulk_flow(kind: str, solved: Callable[..., Any]) -> None:
    """Over the middle 30 mm of three straight runs (4 × 2.5 mm, bulk 0.4 L/min = 0.6667 m/s) the
    volume mean of the cell velocities along the run is the bulk velocity (OpenFOAM: 0.6672)."""
    from rackflow.meshing import CORPUS

    result = solved(kind, "matched")
    mesh = result.mesh
    cells = mesh.cells_of(CORPUS["serpentine"].fluid)
    x, v, u = mesh.cell_centers[cells], mesh.cell_volumes[cells], result.velocity_m_s[cells]
    bulk = CORPUS["serpentine"].flow_lpm["inlet"] / 60_000.0 / (4e-3 * 2.5e-3)
    for lo, hi in ((11e-3, 15e-3), (18e-3, 22e-3), (25e-3, 29e-3)):
        run = (x[:, 1] > lo) & (x[:, 1] < hi) & (x[:, 0] > 15e-3) & (x[:, 0] < 45e-3)
        # the selection is the straight's whole section: its volume is the box's
        assert v[run].sum() == pytest.approx(30e-3 * 4e-3 * 2.5e-3, rel=2e-2)
        mean = abs(float(np.dot(v[run], u[run, 0]) / v[run].sum()))
        print(
            f"serpentine {kind}: run y {lo * 1e3:.0f}–{hi * 1e3:.0f} mm: volume mean u_x {mean:.4f} m/s (bulk {bulk:.4f})"
        )
        assert mean == pytest.approx(bulk, rel=5e-3)


# validation: the default solve (34 s at load 1) is shared with the R_th test below. Measured +2.56 %
# (2052.1 against 2000.9 Pa) with Barth–Jespersen; +4.14 % (2083.6) with SIMPLEC's Rhie–Chow
# dissipation before stop 25, +10.3 % while the defaults fell back to whole-momentum first order;
# simpleFoam's own residuals stalled on this mesh (ΔP steady)
@pytest.mark.validation
@pytest.mark.xfail(
    strict=True,
    reason="+4.14 % (2083.7 against 2000.9 Pa) since stop 31's smooth (Venkatakrishnan) momentum limiter; on "
    "these 5e4 tetrahedra simpleFoam's own second-order ΔP moves 11 % with its U-gradient limiter (2,001 "
    "unlimited, 2,179 Barth–Jespersen, 2,218 Venkatakrishnan, the last not converged), and on the 2e5 "
    "tetrahedra the defaults are within 0.7 % of it (the slow test below; issue 16 asks for 3 % at the "
    "finest size both converge on)",
)
def test_default_settings_pressure_drop_against_second_order_simplefoam(
    solved: Callable[..., Any],
) -> None:
    """Rackflow with no settings (second order, first order in the few cells whose velocity kept
    swinging) against simpleFoam's steady second-order ΔP on the same tetrahedra."""
    ref = _flow_reference("serpentine", "tetra", 50_000, "linearUpwind-gradLinear")["dp_total_pa"]
    result = solved("tetra", "defaults")
    dp, rth = _numbers("serpentine", result)
    _report("tetra", "default ΔP Pa", dp, ref)
    print(
        f"serpentine tetra defaults: R_th {rth:.5f} K/W, momentum fallback {result.report['flow_first_order_fallback']}"
    )
    assert dp == pytest.approx(ref, rel=DP_REL)


# one default solve of the 2e5 tetrahedra: 390 CPU s (stop 31, helper geo: 2,168.1 Pa, −0.66 %; main
# before stop 31 −7.0 %)
@pytest.mark.slow
def test_default_settings_pressure_drop_against_second_order_simplefoam_at_2e5(
    solved: Callable[..., Any],
) -> None:
    """Issue 16's comparison at the finest corpus size both codes settle on: rackflow with no
    settings against simpleFoam's second-order ΔP (``linearUpwind``, plain gradient; residuals
    stalled, ΔP steady to 6e-9) on the same 2e5 tetrahedra."""
    flow = _flow_reference("serpentine", "tetra", 200_000, "linearUpwind-gradLinear")
    assert flow["dp_static_last10pct_rel_change"] < 1e-5
    dp, _ = _numbers("serpentine", solved("tetra", "defaults", 200_000))
    _report("tetra", "2e5 default ΔP Pa", dp, flow["dp_total_pa"])
    assert dp == pytest.approx(flow["dp_total_pa"], rel=DP_REL)


# the default solve (one per module, shared with the ΔP test above) took 60 s at load 6, 35 s at load 1
@pytest.mark.validation
@pytest.mark.parametrize(
    "setting",
    [
        # measured −1.45 % (0.19755 against 0.20046 K/W; +0.36 % with 0.20118 before stop 25's
        # Rhie–Chow dissipation moved the flow)
        SECOND_ORDER_CHT,
        # measured +1.31 % (0.19755 against 0.19499; +3.17 % before stop 25): OpenFOAM's own second-order
        # R_th on these 5e4 tetrahedra moves with the h gradient's limiter from 0.1950 (cubic) to 0.2005
        # (Venkatakrishnan) and 0.2105 (Barth–Jespersen, stalled); module docstring
        "linearUpwind-cubic-frozen",
    ],
)
def test_default_settings_thermal_resistance_against_second_order_openfoam(
    setting: str, solved: Callable[..., Any]
) -> None:
    """Rackflow with no settings (second-order energy on a held Barth–Jespersen limiter) against
    chtMultiRegionSimpleFoam's second-order energy (``bounded Gauss linearUpwind grad(h)``) on
    simpleFoam's second-order flow, same tetrahedra, for the two limiters of the h gradient whose
    R_th settles."""
    ref = _cht_reference("serpentine", "tetra", 50_000, setting)
    assert ref["rth_last10pct_rel_change"] < 1e-4
    _, rth = _numbers("serpentine", solved("tetra", "defaults"))
    _report("tetra", f"default R_th K/W ({setting})", rth, ref["rth_k_w"])
    assert rth == pytest.approx(ref["rth_k_w"], rel=RTH_REL)
