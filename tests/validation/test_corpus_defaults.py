"""Issue 16: a user-drawn plate (Gmsh OpenCASCADE, default tetrahedra) solved with no settings.

The serpentine plate of the corpus at about 5e4 cells, at its design point (PG25 at 35 °C,
0.4 L/min, Re about 1,350, 150 W). The bounded second-order momentum solve stalls on this mesh
in a few hundred cells at the tips of the divider walls, where the velocity keeps swinging (see
``benchmarks/RESULTS.md``), so the default ``convection="auto"`` makes the momentum convection
first order (and relaxes harder) in those cells only, second order elsewhere, and says so; an
explicit ``"linear_upwind"`` converges at second order in every cell (its retry with the
non-orthogonal corrections bounded), and one that cannot converge fails with a diagnostic that names what was tried. With coolant
properties held at the inlet temperature (one flow solve), and with temperature-dependent PG25
(flow ↔ temperature coupling passes).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import rackflow as rf
from rackflow.errors import ConvectionFallbackWarning, ConvergenceError
from rackflow.meshing import CORPUS

pytestmark = pytest.mark.validation

PLATE = "serpentine"


@pytest.fixture(scope="module")
def serpentine_mesh(tmp_path_factory: pytest.TempPathFactory) -> rf.Mesh:
    path = Path(tmp_path_factory.mktemp("corpus")) / "serpentine.msh"
    CORPUS[PLATE].generator(path, target_cells=50_000, cells="tetra", binary=True)
    return rf.load_mesh(path)


def design_case(mesh: rf.Mesh, constant_properties: bool, plate: str = PLATE) -> rf.Case:
    design = CORPUS[plate]
    case = rf.Case(mesh)
    for region in design.regions:
        if region != design.fluid:
            case.solid(region, material="copper")
    coolant: object = design.coolant
    if constant_properties:
        props = rf.get_coolant(design.coolant).properties(design.inlet_temperature_c)
        coolant = rf.Coolant(
            "PG25 at the inlet temperature",
            **{
                k: float(props[k])
                for k in ("density_kg_m3", "viscosity_pa_s", "conductivity_w_mk", "specific_heat_j_kgk")
            },
        )
    case.fluid(design.fluid, coolant=coolant)
    for patch, flow in design.flow_lpm.items():
        case.inlet(patch, flow_lpm=flow, temperature_c=design.inlet_temperature_c)
    case.outlet("outlet", pressure_pa=0.0)
    case.heat_flux("heated", power_w=design.power_w)
    return case


def test_default_settings_converge_at_second_order(serpentine_mesh: rf.Mesh) -> None:
    case = design_case(serpentine_mesh, constant_properties=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = case.solve(threads=1)
    fallbacks = [w for w in caught if issubclass(w.category, ConvectionFallbackWarning)]
    # a warning for the momentum's local first order and one for the energy's, each only if it
    # made cells first order (the energy repairs coolant cells that the held limiter left colder
    # than the inlet or hotter than the copper)
    local = result.report["energy_first_order_cells"]
    swinging = result.report["flow_first_order_cells"]
    assert len(fallbacks) == (swinging > 0) + (local > 0), [str(w.message) for w in caught]
    fluid_cells = len(serpentine_mesh.cells_of(CORPUS[PLATE].fluid))
    assert local <= 0.01 * fluid_cells
    # no first-order fallback of the whole momentum, and at most a few cells made first order
    # (measured: 90 of 15,110 coolant cells, 0.6 %, with the unrelaxed diagonal's dissipation,
    # 1,620 retry iterations; 266 before it)
    assert result.report["flow_first_order_fallback"] is None
    assert swinging <= 0.03 * fluid_cells
    # energy identity: the heater's power leaves with the coolant (adiabatic elsewhere)
    assert abs(result.energy_balance_error) < 1e-3
    inlet = next(iter(CORPUS[PLATE].flow_lpm))
    rise = result.outlet_temperature_c("outlet") - CORPUS[PLATE].inlet_temperature_c
    cp = float(rf.get_coolant("PG25").properties(35.0)["specific_heat_j_kgk"])
    # bulk rise from the outlet's mean temperature (area- not flow-weighted: a few per cent)
    assert result.mass_flow_kg_s(inlet) * cp * rise == pytest.approx(CORPUS[PLATE].power_w, rel=5e-2)
    assert result.mass_imbalance < 1e-5
    dp = result.pressure_drop_pa(inlet, "outlet")
    # a second-order answer: simpleFoam's second-order ΔP on this plate is 2,001 Pa on these
    # 5e4 tetrahedra (plain-gradient linearUpwind, ΔP steady), 2,183 / 2,190 Pa on the 2e5
    # tetrahedra / prisms; first-order upwind gives 2,327 (5e4) to 2,814 Pa (2e5). Measured: 2,066
    # (2,084 before the Rhie–Chow dissipation became the unrelaxed diagonal's)
    assert 1_950.0 < dp < 2_250.0


def test_explicit_second_order_converges_in_every_cell(serpentine_mesh: rf.Mesh) -> None:
    """``linear_upwind`` asked for explicitly: no local first order, no fallback. With
    Barth–Jespersen the retry at 0.5 converged (probe 813 iterations, retry 1,652, ΔP 2,020.0 Pa
    against simpleFoam's 2,001 on these tetrahedra, +0.95 %). With the laminar momentum's
    Venkatakrishnan limiter and pseudo-time step (stop 30) the attempts at 0.9 and 0.675 diverge
    within 15 iterations; the retry with the non-orthogonal corrections bounded converges (855
    iterations, no cell first order) at ΔP 2,083.7 Pa, +4.1 % of simpleFoam's unlimited-gradient
    2,001 and −4.4 % of its Barth–Jespersen-limited 2,179 (stop 31)."""
    case = design_case(serpentine_mesh, constant_properties=True)
    result = case.solve(threads=1, convection="linear_upwind")
    assert result.report["flow_first_order_fallback"] is None
    assert result.report["flow_first_order_cells"] == 0
    assert abs(result.energy_balance_error) < 1e-3
    inlet = next(iter(CORPUS[PLATE].flow_lpm))
    # a second-order answer, as the default test above asks: the same ΔP as the defaults (the peer
    # comparison, a strict xfail at this size and a pass at 2e5, is test_corpus_vs_openfoam's)
    assert 1_950.0 < result.pressure_drop_pa(inlet, "outlet") < 2_250.0


def test_explicit_second_order_reports_what_it_tried(serpentine_mesh: rf.Mesh) -> None:
    """A flow that cannot converge (a velocity tolerance below round-off) under an explicit scheme
    ends in a ConvergenceError that names every attempt: the probe at the settings' relaxation,
    the retry at three quarters of it, after its divergence the same with the non-orthogonal
    corrections bounded and, after that one's stall, the retry at 0.5."""
    case = design_case(serpentine_mesh, constant_properties=True)
    with pytest.raises(ConvergenceError) as info:
        case.solve(threads=1, convection="linear_upwind", velocity_tolerance=1e-18)
    err = info.value
    assert err.status in ("stalled", "diverged")
    assert err.equation == "flow"
    text = str(err)
    assert "did not converge in 4 attempts" in text, text
    for relaxation in ("0.9", "0.5", "0.675", "0.675 with non-orthogonal corrections limited to 0.5"):
        assert f"second order at velocity_relaxation {relaxation}" in text, text


def test_default_settings_converge_with_temperature_dependent_coolant(serpentine_mesh: rf.Mesh) -> None:
    case = design_case(serpentine_mesh, constant_properties=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvectionFallbackWarning)
        result = case.solve(threads=1)
    assert abs(result.energy_balance_error) < 1e-3
    assert result.report["coupling_passes"] <= 20
    # maximum principle: no heat sink anywhere, so no coolant colder than the inlet beyond the
    # second-order scheme's small undershoot (a limiter held from the first passes once let a
    # cell converge at 3.8 °C; measured now: 0.12 K below the inlet at worst)
    assert float(result.temperature_c.min()) > CORPUS[PLATE].inlet_temperature_c - 0.5
    assert result.mass_imbalance < 1e-5


@pytest.mark.parametrize("plate", ["microchannel-manifold", "two-inlet"])
def test_stalled_energy_passes_recover_by_local_first_order(plate: str, tmp_path: Path) -> None:
    """Plates whose energy passes stalled (the microchannel manifold at a residual of 2e-3, a few
    hundred coolant cells swinging between 22 and 107 °C under the held second-order correction,
    Newton–Krylov failing too; the two-inlet plate's 85° tetrahedra at 8.5e-6) converge with no
    settings: the stalled cells are made first order, the warning says so, and what is left is
    second order, bounded and conservative."""
    path = tmp_path / f"{plate}.msh"
    CORPUS[plate].generator(path, target_cells=50_000, cells="tetra", binary=True)
    mesh = rf.load_mesh(path)
    case = design_case(mesh, constant_properties=True, plate=plate)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = case.solve(threads=1)
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvectionFallbackWarning)]
    assert any("energy convection" in m for m in messages), messages
    local = result.report["energy_first_order_cells"]
    fluid_cells = len(mesh.cells_of(CORPUS[plate].fluid))
    # a local repair, not a first-order solve in disguise
    assert 0 < local < 0.2 * fluid_cells, (local, fluid_cells)
    assert abs(result.energy_balance_error) < 1e-3
    assert result.mass_imbalance < 1e-5
    # the momentum too stays second order but in its swinging cells. Microchannel manifold: the
    # iteration budget counts from the last local round (it re-converged within 300 iterations
    # of each round and fell back to first order everywhere at 3,000 before; now 3,142
    # iterations, 4,466 of 37,120 coolant cells first order). Two-inlet: the second-order
    # retry diverges in 68° cells, then converges with the non-orthogonal corrections bounded
    # (measured: 3,499 of 42,857 coolant cells first order; it fell back to first order
    # everywhere at velocity_relaxation 0.5 before)
    assert result.report["flow_first_order_fallback"] is None
    assert result.report["flow_first_order_cells"] < 0.2 * fluid_cells
    design = CORPUS[plate]
    assert float(result.temperature_c.min()) > design.inlet_temperature_c - 0.5
    cp = float(rf.get_coolant(design.coolant).properties(design.inlet_temperature_c)["specific_heat_j_kgk"])
    flow = sum(result.mass_flow_kg_s(p) for p in design.flow_lpm)
    rise = result.outlet_temperature_c("outlet") - design.inlet_temperature_c
    assert flow * cp * rise == pytest.approx(design.power_w, rel=5e-2)


def test_pin_fin_momentum_stays_second_order(tmp_path: Path) -> None:
    """The staggered pin fins (pin Re about 300, where the wakes are near their own instability)
    at defaults: second order but in the cells local rounds made first order, no whole-momentum
    fallback. A swing counted over the iterations without progress only (not since the last
    round) got there on branch `geo` (commit a2fb5be: 1,182 iterations, 1,079 cells) but made
    the two-inlet plate fall back instead, so it was reverted. Until stop 30 a strict xfail: the
    fins fell back to whole-momentum first order (α 0.5) after the second-order retry at 0.675
    stalled (1,723 iterations). With the laminar momentum's Venkatakrishnan limiter and pseudo-time
    step (stop 30) it stays second order (stop 31: 1,017 flow iterations, 1,880 of 21,871 coolant
    cells, 8.6 %, made first order by local rounds, ΔP 556.9 Pa, 40 CPU s)."""
    plate = "pinfin-staggered"
    path = tmp_path / f"{plate}.msh"
    CORPUS[plate].generator(path, target_cells=50_000, cells="tetra", binary=True)
    mesh = rf.load_mesh(path)
    case = design_case(mesh, constant_properties=True, plate=plate)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvectionFallbackWarning)
        result = case.solve(threads=1)
    fluid_cells = len(mesh.cells_of(CORPUS[plate].fluid))
    assert result.report["flow_first_order_fallback"] is None
    assert 0 < result.report["flow_first_order_cells"] < 0.1 * fluid_cells
    assert result.mass_imbalance < 1e-5
    assert abs(result.energy_balance_error) < 1e-3
