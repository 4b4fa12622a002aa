"""Turbulence input (issue 17): model names, inlet turbulence, regime warnings and errors."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import rackflow as rf
from rackflow.errors import FlowRegimeWarning, LaminarTurbulentFlowWarning, WallTreatmentWarning
from rackflow.testing.meshes import box


@pytest.fixture(scope="module")
def duct() -> rf.Mesh:
    # a 2 mm square duct, 20 mm long
    return rf.Mesh.from_meshio(box((10, 4, 4), (0.02, 0.002, 0.002)))


def duct_case(mesh: rf.Mesh, flow_lpm: float, turbulence: str = "auto") -> rf.Case:
    case = rf.Case(mesh)
    case.fluid("box", coolant="water", turbulence=turbulence)
    case.inlet("xmin", flow_lpm=flow_lpm, temperature_c=30.0)
    case.outlet("xmax")
    return case


def test_unknown_model_lists_the_valid_ones(duct: rf.Mesh) -> None:
    case = rf.Case(duct)
    with pytest.raises(rf.CaseError, match=r"'k-epsilon'.*'auto', 'laminar', 'k-omega-sst'"):
        case.fluid("box", coolant="water", turbulence="k-epsilon")


def test_turbulence_on_a_solid_region_is_an_error(duct: rf.Mesh) -> None:
    case = rf.Case(duct)
    case.solid("box", material="copper")
    with pytest.raises(rf.CaseError, match=r"turbulence='k-omega-sst'.*region 'box'.*solid"):
        case.fluid("box", coolant="water", turbulence="k-omega-sst")


@pytest.mark.parametrize("bad", [-0.01, math.nan, math.inf, 2.0])
def test_bad_turbulence_intensity(duct: rf.Mesh, bad: float) -> None:
    # NaN, infinities and a percentage given for a fraction are refused at the call
    case = rf.Case(duct)
    case.fluid("box", coolant="water")
    with pytest.raises(rf.CaseError, match="turbulence_intensity"):
        case.inlet("xmin", flow_lpm=1.0, temperature_c=30.0, turbulence_intensity=bad)
        case.outlet("xmax")
        case.validate()  # signs and zero: the core's check, with every other problem


@pytest.mark.parametrize("bad", [-0.001, 0.0, math.nan])
def test_bad_length_scale(duct: rf.Mesh, bad: float) -> None:
    case = rf.Case(duct)
    case.fluid("box", coolant="water")
    with pytest.raises(rf.CaseError, match="length_scale_m"):
        case.inlet("xmin", flow_lpm=1.0, temperature_c=30.0, length_scale_m=bad)
        case.outlet("xmax")
        case.validate()  # signs and zero: the core's check, with every other problem


def test_auto_chooses_from_the_inlet_reynolds_number(duct: rf.Mesh) -> None:
    # Re = ρ Q D_h / (A μ) ≈ 6,300 at 1 L/min in a 2 mm duct of water at 30 °C
    assert duct_case(duct, 1.0).flow_models()["box"][0] == "k-omega-sst"
    assert duct_case(duct, 0.05).flow_models()["box"][0] == "laminar"
    assert duct_case(duct, 1.0, "laminar").flow_models()["box"][0] == "laminar"
    assert duct_case(duct, 0.05, "k-omega-sst").flow_models()["box"][0] == "k-omega-sst"


def test_laminar_above_transition_warns_naming_region_and_reynolds(duct: rf.Mesh) -> None:
    case = duct_case(duct, 1.0, "laminar")
    with pytest.warns(LaminarTurbulentFlowWarning, match=r"region 'box'.*Reynolds number of [0-9,]+"):
        case._flow_regime_problems()
    assert issubclass(LaminarTurbulentFlowWarning, FlowRegimeWarning)


def test_auto_above_transition_does_not_warn(duct: rf.Mesh) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", FlowRegimeWarning)
        duct_case(duct, 1.0)._flow_regime_problems()


def test_far_outside_every_model_is_an_error(duct: rf.Mesh) -> None:
    with pytest.raises(rf.CaseError, match="Reynolds number"):
        duct_case(duct, 2000.0).solve()


def test_a_mach_number_above_a_tenth_is_an_error(duct: rf.Mesh) -> None:
    case = rf.Case(duct)
    case.fluid("box", coolant="water")
    case.inlet("xmin", velocity_m_s=200.0, temperature_c=30.0)
    case.outlet("xmax")
    with pytest.raises(rf.CaseError, match="Mach"):
        case.solve()


def test_turbulent_duct_solves_and_reports(duct: rf.Mesh) -> None:
    case = duct_case(duct, 1.0)
    case.heat_flux("ymin", flux_w_m2=1e4)
    result = case.solve()
    assert result.report["flow_model"] == "k-omega-sst"
    assert result.is_turbulent
    ratio = result.turbulent_viscosity_ratio
    assert ratio.shape == (duct.n_cells,) and np.all(np.isfinite(ratio)) and ratio.max() > 1.0
    assert np.all(result.y_plus >= 0.0) and result.y_plus.max() > 0.0
    text = result.summary().__str__()
    assert "k-omega-sst (chosen by turbulence='auto'" in text
    d = result.summary().to_dict()
    assert d["y_plus_max"] > 0.0


def test_case_file_round_trip_keeps_turbulence(duct: rf.Mesh) -> None:
    case = duct_case(duct, 1.0, "k-omega-sst")
    case.inlet("xmin", flow_lpm=1.0, temperature_c=30.0, turbulence_intensity=0.02, length_scale_m=1e-4)
    text = case.to_toml(mesh_path="duct.msh")
    back = rf.Case.from_toml(text, mesh=duct)
    assert back.fluids["box"].turbulence == "k-omega-sst"
    assert back.boundaries["xmin"].values["turbulence_intensity"] == 0.02
    assert back.boundaries["xmin"].values["length_scale_m"] == 1e-4


def test_y_plus_range_per_wall_patch_in_report_and_summary(duct: rf.Mesh, tmp_path: Path) -> None:
    case = duct_case(duct, 1.0)
    result = case.solve()
    # the .vtu holds y⁺ and μ_t/μ per cell
    import meshio

    saved = meshio.read(result.save(tmp_path / "turbulent.vtu"))
    assert np.allclose(np.concatenate(saved.cell_data["y_plus"]), result.y_plus)
    assert np.allclose(
        np.concatenate(saved.cell_data["turbulent_viscosity_ratio"]), result.turbulent_viscosity_ratio
    )
    table = result.y_plus_by_patch
    # the four duct sides are walls (the default); inlet and outlet are not
    assert set(table) == {"ymin", "ymax", "zmin", "zmax"}
    for lo, mean, hi in table.values():
        assert 0.0 < lo <= mean <= hi
    assert max(hi for _, _, hi in table.values()) == pytest.approx(result.y_plus.max())
    d = result.summary().to_dict()
    assert d["y_plus_max:ymin"] == table["ymin"][2]
    assert d["y_plus_min:zmax"] == table["zmax"][0]
    assert "wall y⁺ on 'ymin': min" in str(result.summary())
    laminar = duct_case(duct, 0.05).solve()
    assert laminar.y_plus_by_patch == {} and laminar.turbulence_k_m2_s2 is None


def test_k_and_omega_warm_start_from_a_previous_result(duct: rf.Mesh) -> None:
    cold = duct_case(duct, 1.0).solve()
    k, omega = cold.turbulence_k_m2_s2, cold.turbulence_omega_1_s
    assert k is not None and omega is not None
    assert k.shape == omega.shape == (duct.n_cells,) and k.min() > 0.0 and omega.min() > 0.0
    # the same point warm-started: fewer iterations than without k and ω, the same answer
    warm = duct_case(duct, 1.0).solve(initial=cold)
    flow_only = {"velocity_m_s": cold.velocity_m_s, "pressure_pa": cold.pressure_pa}
    without = duct_case(duct, 1.0).solve(initial=flow_only)
    assert warm.report["flow_iterations"] < without.report["flow_iterations"]
    dp = cold.pressure_drop_pa("xmin", "xmax")
    assert warm.pressure_drop_pa("xmin", "xmax") == pytest.approx(dp, rel=1e-3)
    # a mapping may give them too; one without the other is an error
    with pytest.raises(rf.CaseError, match="turbulence_omega"):
        duct_case(duct, 1.0).solve(initial={"velocity_m_s": cold.velocity_m_s, "turbulence_k_m2_s2": k})


def test_a_restart_from_its_own_result_holds_the_sst_switches_and_settles_in_one_pass(
    duct: rf.Mesh,
) -> None:
    # issue 17: a turbulent result carries the SST velocity-gradient limiter and the wall
    # branches its flow ended with; a start from it at the same flow rate holds them, so its flow
    # starts converged and the first coupling pass is tight and settles
    case = duct_case(duct, 1.0)
    case.heat_flux("ymin", flux_w_m2=1e4)
    cold = case.solve(threads=1)
    limiter, log_layer = cold.turbulence_limiter, cold.wall_log_layer
    assert limiter is not None and log_layer is not None
    assert limiter.shape == (duct.n_cells, 3) and 0.0 <= limiter.min() and limiter.max() <= 1.0
    assert log_layer.shape == (duct.n_faces,) and set(np.unique(log_layer)) <= {0.0, 1.0}
    fields = cold.warm_start_fields()
    assert {"turbulence_limiter", "wall_log_layer"} <= set(fields)
    warm = case.solve(threads=1, initial=cold)
    assert warm.report["coupling_passes"] == 1, warm.report["coupling_history"]
    assert warm.report["flow_iterations"] <= 2
    np.testing.assert_allclose(warm.temperature_c, cold.temperature_c, rtol=0, atol=1e-3)
    np.testing.assert_array_equal(warm.turbulence_limiter, limiter)
    np.testing.assert_array_equal(warm.wall_log_layer, log_layer)
    with pytest.raises(rf.CaseError, match="initial turbulence_limiter has 3 values"):
        case.solve(initial={**fields, "turbulence_limiter": np.ones(3)})
    flow = {k: fields[k] for k in ("velocity_m_s", "wall_log_layer")}
    with pytest.raises(rf.CaseError, match="wall_log_layer needs turbulence_k"):
        case.solve(initial=flow)


def test_a_flow_regime_problem_is_listed_with_the_cores(duct: rf.Mesh) -> None:
    # Python's own check (the inlet Mach number, from the coolant tables) and the core's
    # (an unknown patch) in one CaseError, from validate() and from solve()
    case = rf.Case(duct)
    case.fluid("box", coolant="water")
    case.inlet("xmin", velocity_m_s=200.0, temperature_c=30.0)
    case.outlet("xmax")
    case.convective("top", htc_w_m2k=10.0, ambient_c=20.0)
    for call in (case.validate, case.solve):
        with pytest.raises(rf.CaseError) as info:
            call()
        problems = info.value.problems  # type: ignore[attr-defined]
        assert any("unknown patch 'top'" in p for p in problems), problems
        assert any("Mach" in p for p in problems), problems
        assert str(info.value).startswith(f"{len(problems)} problems in the case:")


def test_wall_y_plus_beyond_the_log_layer_warns_naming_the_patch(duct: rf.Mesh) -> None:
    # 4 × 4 cells across a 2 mm duct at 12 L/min: first cell centre y⁺ ≈ 600 (at 1 L/min ≈ 70,
    # wall functions: no warning, see test_turbulent_duct_solves_and_reports, which runs with
    # warnings as errors)
    with pytest.warns(WallTreatmentWarning) as caught:
        result = duct_case(duct, 12.0, "k-omega-sst").solve()
    messages = [str(w.message) for w in caught if issubclass(w.category, WallTreatmentWarning)]
    assert sorted(m.split("'")[1] for m in messages) == ["ymax", "ymin", "zmax", "zmin"]
    for m in messages:
        assert re.search(r"wall patch '[yz]m(in|ax)': mean first-cell y⁺ [5-9]\d\d .*above 500", m), m
    assert issubclass(WallTreatmentWarning, FlowRegimeWarning)
    lo, mean, hi = result.y_plus_by_patch["ymin"]
    assert lo <= mean <= hi and any(f"y⁺ {mean:.3g} (min {lo:.3g}, max {hi:.3g})" in m for m in messages)


@pytest.mark.parametrize(
    ("mean", "switching", "blended"),
    [
        (0.5, None, None),
        (4.9, None, None),
        (5.5, "buffer layer", None),
        (14.0, "buffer layer", None),
        (17.0, None, None),
        (450.0, None, None),
        (650.0, "above 500", "above 500"),
    ],
)
def test_wall_treatment_ranges(mean: float, switching: str | None, blended: str | None) -> None:
    # the classification on its own (a mean y⁺ of 5–15 does not converge on the duct meshes
    # tried with the switching treatment: 4 × 4 at 0.15 L/min, 20 × 20 and 24 × 24 at 1 L/min
    # all stall). The blended treatment (the default) is not warned about in the buffer layer:
    # its heat and ΔP barely move there (rackflow.case.BLENDED_WALL_Y_PLUS_MAX)
    from types import SimpleNamespace

    from rackflow.case import _warn_wall_treatment
    from rackflow.settings import WallTreatment

    fake = SimpleNamespace(
        y_plus_by_patch={"cold_wall": (0.5 * mean, mean, 2 * mean), "interface:fin": (mean, mean, mean)}
    )
    both = {"cold_wall", "interface:fin"}
    runs = [
        ({p: WallTreatment.SWITCHING for p in both}, switching),
        ({p: WallTreatment.BLENDED for p in both}, blended),
        ({}, blended),  # a patch missing from the treatments is blended (the default)
    ]
    for treatments, warns in runs:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _warn_wall_treatment(fake, treatments)  # type: ignore[arg-type]
        messages = [str(w.message) for w in caught if issubclass(w.category, WallTreatmentWarning)]
        if warns is None:
            assert messages == [], (treatments, messages)
        else:
            assert len(messages) == 2, (treatments, messages)
            assert (
                messages[0].startswith(f"wall patch 'cold_wall': mean first-cell y⁺ {mean:.3g}")
                and warns in messages[0]
            )
            assert messages[1].startswith("interface to solid region 'fin':") and warns in messages[1]
            if warns == "buffer layer":
                assert "wall_treatment='blended'" in messages[0]


def test_each_wall_patch_warns_by_its_coolants_treatment() -> None:
    # along x: a blended coolant, a solid fin, a switching coolant, a second fin touching only the
    # blended coolant: each wall patch and each interface to a solid takes its coolant's
    # treatment; one touching both coolants takes the switching one
    from rackflow.settings import WallTreatment

    regions = {
        "left": lambda c: c[:, 0] < 0.01,
        "fin": lambda c: (c[:, 0] > 0.01) & (c[:, 0] < 0.015),
        "right": lambda c: c[:, 0] > 0.015,
    }
    m = box((8, 2, 2), (0.02, 0.002, 0.002), regions=regions)
    mesh = rf.Mesh.from_meshio(m)
    case = rf.Case(mesh)
    case.fluid("left", coolant="water", turbulence="k-omega-sst")
    case.fluid("right", coolant="water", turbulence="k-omega-sst", wall_treatment="switching")
    case.solid("fin", "copper")
    patches = {"xmin": None, "xmax": None, "ymin": None, "interface:fin": None}
    assert case._wall_treatments(patches) == {
        "xmin": WallTreatment.BLENDED,
        "xmax": WallTreatment.SWITCHING,
        "ymin": WallTreatment.SWITCHING,
        "interface:fin": WallTreatment.SWITCHING,
    }
    blended_only = rf.Case(mesh)
    blended_only.fluid("left", coolant="water", turbulence="k-omega-sst")
    blended_only.solid("fin", "copper")
    assert blended_only._wall_treatments({"interface:fin": None}) == {"interface:fin": WallTreatment.BLENDED}
    # the resolved sublayer warns as the blended treatment; a patch it shares with one is the blended one's
    resolved = rf.Case(mesh)
    resolved.fluid("left", coolant="water", turbulence="k-omega-sst", wall_treatment="blended-sublayer")
    resolved.fluid("right", coolant="water", turbulence="k-omega-sst")
    resolved.solid("fin", "copper")
    assert resolved._wall_treatments({"xmin": None, "ymin": None}) == {
        "xmin": WallTreatment.BLENDED_SUBLAYER,
        "ymin": WallTreatment.BLENDED,
    }


@pytest.fixture(scope="module")
def graded_duct() -> rf.Mesh:
    # the same duct, 12 × 12 cells across graded towards the walls (tanh 2.5)
    from rackflow.testing.meshes import stretch

    m = box((10, 12, 12), (0.02, 0.002, 0.002))
    for axis in (1, 2):
        m = stretch(m, axis, lambda s: 0.001 * (1 + np.tanh(2.5 * (s / 0.001 - 1)) / np.tanh(2.5)))
    return rf.Mesh.from_meshio(m)


def test_resolved_sublayer_does_not_warn(graded_duct: rf.Mesh) -> None:
    # first cell centre y⁺ < 5: no WallTreatmentWarning
    case = duct_case(graded_duct, 0.3, "k-omega-sst")
    with warnings.catch_warnings():
        warnings.simplefilter("error", WallTreatmentWarning)
        result = case.solve()
    assert max(mean for _, mean, _ in result.y_plus_by_patch.values()) < 5.0


def test_turbulent_viscosity_warm_start(graded_duct: rf.Mesh) -> None:
    # low-Re walls, where the SST limiter sets μ_t in the wall cells
    duct = graded_duct
    cold = duct_case(duct, 1.0).solve()
    mu_t = cold.turbulent_viscosity_pa_s
    assert mu_t is not None and mu_t.shape == (duct.n_cells,) and mu_t.min() >= 0.0
    # a Result hands over μ_t with k and ω: the same point restarts converged; from k and ω
    # alone the first iteration's ρ k / ω (above the SST-limited μ_t) perturbs the flow
    warm = duct_case(duct, 1.0).solve(initial=cold)
    fields = {
        "velocity_m_s": cold.velocity_m_s,
        "pressure_pa": cold.pressure_pa,
        "mass_flux_kg_s": cold.mass_flux_kg_s,
        "temperature_c": cold.temperature_c,
        "turbulence_k_m2_s2": cold.turbulence_k_m2_s2,
        "turbulence_omega_1_s": cold.turbulence_omega_1_s,
    }
    without = duct_case(duct, 1.0).solve(initial=fields)
    print(
        f"iterations: {cold.report['flow_iterations']} cold, {warm.report['flow_iterations']} from the result, {without.report['flow_iterations']} from k and ω only"
    )
    assert warm.report["flow_iterations"] <= 2 < without.report["flow_iterations"]
    dp = cold.pressure_drop_pa("xmin", "xmax")
    assert warm.pressure_drop_pa("xmin", "xmax") == pytest.approx(dp, rel=1e-4)
    with pytest.raises(rf.CaseError, match="turbulent_viscosity must not be negative"):
        duct_case(duct, 1.0).solve(initial={**fields, "turbulent_viscosity_pa_s": -mu_t - 1.0})
    bare = {"velocity_m_s": cold.velocity_m_s, "turbulent_viscosity_pa_s": mu_t}
    with pytest.raises(rf.CaseError, match="turbulent_viscosity needs turbulence_k"):
        duct_case(duct, 1.0).solve(initial=bare)
    assert duct_case(duct, 0.05).solve().turbulent_viscosity_pa_s is None
