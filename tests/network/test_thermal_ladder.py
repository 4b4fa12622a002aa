"""Thermal ladders (issue 19, item 4): the Foster fit, its Cauer form, its response to a power
trace, and a network plate that integrates it. References are closed forms: a Foster ladder's
step and ramp responses, superposition of steps, and its impedance Z(s)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rackflow as rf
from rackflow import ColdPlateModel, Network, ThermalLadder
from rackflow.errors import CaseError, CaseFileError
from rackflow.testing.fluids import constant_coolant

R3 = [0.004, 0.012, 0.02]  # K/W
TAU3 = [0.02, 0.7, 9.0]  # s


def _impedance(r: np.ndarray, c: np.ndarray, s: complex) -> complex:
    """Input impedance of a Cauer ladder (capacities to ground, the last resistance to the coolant)."""
    z = 0.0
    for rj, cj in zip(r[::-1], c[::-1], strict=True):
        z = 1.0 / (s * cj + 1.0 / (rj + z))
    return z


def test_fit_recovers_a_three_term_ladder_and_picks_three_terms() -> None:
    """Samples of an exact three-term response, log-spaced over 1 ms to 60 s: the fit needs three
    terms for a 0.01 % misfit, and recovers R and τ to 1e-4."""
    exact = ThermalLadder(R3, TAU3)
    t = np.geomspace(1e-3, 60.0, 200)
    fit = ThermalLadder.fit(t, exact.step_response(t), fit_tolerance=1e-4)
    assert fit.terms == 3
    assert [d["terms"] for d in fit.fit_info["tried"]] == [1, 2, 3]
    assert fit.fit_info["tried"][1]["max_misfit"] > 1e-4  # two terms cannot do it
    np.testing.assert_allclose(fit.resistances_k_w, R3, rtol=1e-4)
    np.testing.assert_allclose(fit.time_constants_s, TAU3, rtol=1e-4)


def test_fit_stops_at_the_fewest_terms_within_the_tolerance() -> None:
    exact = ThermalLadder(R3, TAU3)
    t = np.geomspace(1e-3, 60.0, 200)
    fit = ThermalLadder.fit(t, exact.step_response(t), fit_tolerance=0.05)
    assert fit.terms < 3
    assert fit.fit_info["max_misfit"] <= 0.05


@pytest.mark.parametrize(
    ("r", "tau"),
    [([0.03], [5.0]), (R3, TAU3), ([0.001, 0.003, 0.01, 0.02], [1e-3, 0.05, 2.0, 100.0])],
)
def test_cauer_form_has_the_foster_impedance(r: list[float], tau: list[float]) -> None:
    """Z(s) of the Cauer ladder equals Σ Rᵢ/(1 + sτᵢ) over eight decades of s (rel. 1e-9); all
    its elements are positive and its resistances sum to the Foster total."""
    ladder = ThermalLadder(r, tau)
    rc, cc = ladder.cauer()
    assert np.all(rc > 0) and np.all(cc > 0)
    assert rc.sum() == pytest.approx(ladder.resistance_k_w, rel=1e-9)
    for s in np.geomspace(1e-4, 1e4, 17):
        for arg in (s, 1j * s):
            foster = np.sum(np.asarray(r) / (1 + arg * np.asarray(tau)))
            assert abs(_impedance(rc, cc, arg) - foster) <= 1e-9 * abs(foster)


def test_response_to_steps_is_the_superposition_of_step_responses() -> None:
    """A step profile's response is Σ ΔP_k Z(t − t_k) exactly."""
    ladder = ThermalLadder(R3, TAU3)
    times = [0.0, 0.05, 0.3, 2.0, 2.01, 7.0]
    values = [100.0, 700.0, 140.0, 700.0, 500.0, 0.0]
    profile = rf.Profile(time_s=times, value=values, interpolation="step")
    t = np.linspace(0.0, 30.0, 3001)
    expected = sum(
        (values[k] - values[k - 1]) * ladder.step_response(t - times[k]) for k in range(1, len(times))
    )
    np.testing.assert_allclose(ladder.response(t, profile), expected, rtol=0, atol=1e-12 * 700 * 0.036)


def test_response_to_a_ramp_is_the_integral_of_the_step_response() -> None:
    """A linear ramp of slope a from t = 0: rise Σ Rᵢ a (t − τᵢ(1 − e^(−t/τᵢ)))."""
    ladder = ThermalLadder(R3, TAU3)
    a = 50.0
    profile = rf.Profile(time_s=[0.0, 10.0], value=[200.0, 200.0 + 10 * a])
    t = np.linspace(0.0, 10.0, 101)
    r, tau = np.asarray(R3), np.asarray(TAU3)
    expected = (r * a * (t[:, None] - tau * -np.expm1(-t[:, None] / tau))).sum(axis=1)
    np.testing.assert_allclose(ladder.response(t, profile), expected, rtol=1e-10, atol=1e-12)


def test_ladder_round_trips_through_the_model_file(tmp_path) -> None:
    ladder = ThermalLadder(R3, TAU3, fit={"max_misfit": 0.001})
    model = ColdPlateModel.from_points([1.0, 2.0, 3.0], [100.0, 300.0, 600.0], [0.05, 0.04, 0.036])
    with_ladder = model.with_ladder(ladder)
    assert model.ladder is None and with_ladder.ladder is ladder
    path = tmp_path / "plate.json"
    with_ladder.save(path)
    back = ColdPlateModel.load(path)
    assert back.ladder == ladder
    assert back.ladder.fit_info == {"max_misfit": 0.001}
    data = json.loads(path.read_text())
    data["ladder"]["time_constants_s"] = [1.0, -1.0, 2.0]
    path.write_text(json.dumps(data))
    with pytest.raises(CaseFileError, match="ladder"):
        ColdPlateModel.load(path)


@pytest.mark.parametrize(
    ("r", "tau", "match"),
    [([], [], "at least one"), ([0.1, 0.2], [1.0], "as many"), ([0.1], [0.0], "finite and > 0")],
)
def test_bad_ladders_are_refused(r: list[float], tau: list[float], match: str) -> None:
    with pytest.raises(CaseError, match=match):
        ThermalLadder(r, tau)


def test_fit_refuses_a_response_that_does_not_start_at_zero() -> None:
    with pytest.raises(CaseError, match="t = 0 must be 0"):
        ThermalLadder.fit([0.0, 1.0, 2.0, 3.0], [0.1, 0.2, 0.3, 0.35])


# ---------------------------------------------------------------- in a network
CONST = constant_coolant()
FLOW_LPM = 2.0


def _model(ladder: ThermalLadder | None, r_k_w: float = 0.036) -> ColdPlateModel:
    model = ColdPlateModel.from_points(
        flow_lpm=[0.5, 2.0, 4.0],
        pressure_drop_pa=[500.0, 2000.0, 4000.0],
        thermal_resistance_k_w=[r_k_w, r_k_w, r_k_w],
    )
    return model.with_ladder(ladder)


def _loop(
    model: ColdPlateModel,
    power: rf.Profile | float,
    heat_capacity_j_k: float | None = None,
    flow_lpm: float = FLOW_LPM,
) -> Network:
    net = Network(CONST)
    net.cdu("back", "in", setpoint_c=30.0, name="cdu")
    net.cold_plate("in", "out", model=model, power_w=power, heat_capacity_j_k=heat_capacity_j_k, name="plate")
    net.flow_source("out", "back", flow_lpm=flow_lpm, name="pump")
    return net


TRACE = rf.Profile(
    time_s=[0.0, 0.1, 0.4, 3.0, 3.05, 8.0, 20.0],
    value=[140.0, 700.0, 300.0, 700.0, 140.0, 700.0, 140.0],
    interpolation="step",
)


def test_network_plate_follows_its_ladder_to_first_order() -> None:
    """A plate at constant flow and inlet temperature whose model carries a three-term ladder:
    its GPU temperature rise (implicit Euler in time) converges on the ladder's exact response at
    first order, within 1 % of the peak rise at 1 ms steps (measured 0.68 %: the inputs act from
    the start of the step that ends at their breakpoint, a lag of one step at 112 K/s after each
    jump, τ₁ = 20 ms; 2.4 % at 4 ms); the run starts at the steady curve value and conserves
    energy to round-off."""
    ladder = ThermalLadder(R3, TAU3)
    model = _model(ladder)
    net = _loop(model, TRACE)
    errors = []
    for dt in (4e-3, 1e-3):
        run = net.simulate(end_time_s=30.0, time_step_s=dt)
        gpu = run.gpu_c("plate")
        assert gpu[0] == pytest.approx(30.0 + 0.036 * 140.0, abs=1e-9)
        assert run.energy_balance_error() < 1e-9
        exact = ladder.response(run.output_times_s, TRACE)
        peak = exact.max()
        errors.append(float(np.abs(gpu - gpu[0] - exact).max() / peak))
    assert errors[1] < 0.01, errors
    assert errors[0] / errors[1] > 3.0, errors  # 4× smaller steps: about 4× smaller error


def test_one_term_ladder_is_the_lumped_capacity() -> None:
    """A one-term ladder (R, τ = R·C) gives the lumped plate's run (C) to round-off."""
    c = 300.0
    lumped = _loop(_model(None), TRACE, heat_capacity_j_k=c).simulate(end_time_s=30.0, time_step_s=0.01)
    laddered = _loop(_model(ThermalLadder([0.036], [0.036 * c])), TRACE).simulate(
        end_time_s=30.0, time_step_s=0.01
    )
    np.testing.assert_allclose(laddered.gpu_c("plate"), lumped.gpu_c("plate"), rtol=0, atol=1e-10)


def test_ladder_scales_with_the_curve_and_settles_on_the_steady_solution() -> None:
    """At a flow other than the ladder's, the links scale with the curve's R(Q): from a uniform
    start the run settles on the steady network solution (1e-9 K)."""
    ladder = ThermalLadder(R3, TAU3)
    model = ColdPlateModel.from_points(
        flow_lpm=[0.5, 2.0, 4.0],
        pressure_drop_pa=[500.0, 2000.0, 4000.0],
        thermal_resistance_k_w=[0.06, 0.036, 0.03],
    ).with_ladder(ladder)
    net = _loop(model, 500.0)
    steady = net.solve().cold_plates()
    run = net.simulate(end_time_s=400.0, time_step_s=0.5, initial=25.0)
    assert run.gpu_c("plate")[-1] == pytest.approx(float(steady["gpu_temperature_c"].iloc[0]), abs=1e-9)


def test_a_plate_capacity_overrides_the_model_ladder() -> None:
    ladder = ThermalLadder(R3, TAU3)
    plate = _loop(_model(ladder), 500.0, heat_capacity_j_k=10.0).edge("plate").component
    core = plate.to_core()
    assert "ladder" not in core and core["heat_capacity_j_k"] == 10.0
    core = _loop(_model(ladder), 500.0).edge("plate").component.to_core()
    assert len(core["ladder"]["resistance_k_w"]) == 3


# ---------------------------------------------------------------- ladders by flow
SLOW = ThermalLadder([0.01, 0.026], [0.05, 12.0])  # characterised at 1 L/min
FAST = ThermalLadder([0.012, 0.024], [0.04, 6.0])  # characterised at 4 L/min


def _by_flow(ladders: dict[float, ThermalLadder]) -> ColdPlateModel:
    model = _model(None)
    data = model.to_dict()
    data["ladders"] = [{"flow_lpm": q, "ladder": lad.to_dict()} for q, lad in ladders.items()]
    return ColdPlateModel.from_dict(data)


def _gpu(model: ColdPlateModel, flow_lpm: float) -> np.ndarray:
    # some flows lie outside the characterised range on purpose (the nearest ladder is the point)
    net = _loop(model, TRACE, flow_lpm=flow_lpm)
    return net.simulate(end_time_s=20.0, time_step_s=0.01, allow_extrapolation=True).gpu_c("plate")


def test_ladders_by_flow_pick_the_characterised_one_at_its_flow_and_the_nearest_outside() -> None:
    """At a characterised flow the plate runs that ladder exactly (as the single-ladder model);
    outside the characterised flows, the nearest; between them, something in between (its
    slow time constant is interpolated), settling on the steady solution."""
    model = _by_flow({4.0: FAST, 1.0: SLOW})
    assert list(model.ladders) == [1.0, 4.0]
    for flow, ladder in ((1.0, SLOW), (4.0, FAST), (0.5, SLOW), (6.0, FAST)):
        np.testing.assert_allclose(_gpu(model, flow), _gpu(_model(ladder), flow), rtol=0, atol=1e-10)
    mid, slow, fast = _gpu(model, 2.0), _gpu(_model(SLOW), 2.0), _gpu(_model(FAST), 2.0)
    k = int(np.argmax(np.abs(slow - fast)))
    assert min(slow[k], fast[k]) < mid[k] < max(slow[k], fast[k])
    net = _loop(model, 500.0, flow_lpm=2.0)
    steady = float(net.solve().cold_plates()["gpu_temperature_c"].iloc[0])
    settled = net.simulate(end_time_s=400.0, time_step_s=0.5, initial=25.0).gpu_c("plate")[-1]
    assert settled == pytest.approx(steady, abs=1e-9)


def test_ladders_by_flow_follow_a_pump_flow_profile() -> None:
    """The pump steps from 1 to 4 L/min during the first time step. From a uniform start (the
    same state for every model) the plate runs the ladder of its current flow: exactly the
    single-ladder model FAST at 4 L/min (1e-10 K). Keeping the ladder of the starting flow (the
    behaviour before stop 20: SLOW, its links scaled to R(4 L/min)) misses it (measured
    4.5 K under the 140–700 W trace)."""
    model = _by_flow({1.0: SLOW, 4.0: FAST})
    flow = rf.Profile(time_s=[0.0, 1e-6], value=[1.0, 4.0], interpolation="step")

    def gpu(m: ColdPlateModel, flow_lpm: float | rf.Profile) -> np.ndarray:
        net = _loop(m, TRACE, flow_lpm=flow_lpm)
        return net.simulate(end_time_s=20.0, time_step_s=0.01, initial=30.0).gpu_c("plate")

    following = gpu(model, flow)
    np.testing.assert_allclose(following, gpu(_model(FAST), 4.0), rtol=0, atol=1e-10)
    assert np.abs(following - gpu(_model(SLOW), flow)).max() > 0.5


def test_ladders_by_flow_during_a_flow_ramp_conserve_energy_with_the_refit_term() -> None:
    """The flow ramps from 1 to 4 L/min over 4 s under the power trace: the ladder is taken
    again at every step of the ramp, its changed capacities hold energy at the kept node
    temperatures (reported as ``ladder_refit_energy_j``, non-zero here), and the balance with
    that term holds to round-off; without it, it would not. After the ramp the plate settles
    on the steady solution at 4 L/min."""
    model = _by_flow({1.0: SLOW, 4.0: FAST})
    flow = rf.Profile(time_s=[0.0, 2.0, 6.0], value=[1.0, 1.0, 4.0])
    net = _loop(model, TRACE, flow_lpm=flow)
    run = net.simulate(end_time_s=200.0, time_step_s=0.01)
    refit = run.ladder_refit_energy_j
    assert np.count_nonzero(refit) >= 300  # every step of the ramp
    assert np.all(refit[run.times_s < 2.0] == 0.0) and np.all(refit[run.times_s > 6.0 + 0.01] == 0.0)
    assert run.energy_balance_error() < 1e-9
    dt = np.diff(run.times_s)
    unaccounted = np.diff(run.energy_stored_j) - dt * (run.heat_in_w[1:] - run.heat_out_w[1:])
    assert np.abs(unaccounted).max() > 1e3 * 1e-9 * (dt * run.heat_in_w[1:]).max()
    steady = _loop(model, 140.0, flow_lpm=4.0).solve().cold_plates()
    assert run.gpu_c("plate")[-1] == pytest.approx(float(steady["gpu_temperature_c"].iloc[0]), abs=1e-9)


def test_ladders_by_flow_round_trip_and_reach_the_core(tmp_path) -> None:
    model = _by_flow({1.0: SLOW, 4.0: FAST})
    path = tmp_path / "plate.json"
    model.save(path)
    again = ColdPlateModel.load(path)
    assert again.ladders == {1.0: SLOW, 4.0: FAST} and again.ladder is None
    core = _loop(again, 500.0).edge("plate").component.to_core()
    assert "ladder" not in core
    assert [e["flow_m3_s"] for e in core["ladders"]] == pytest.approx([1.0 / 60000.0, 4.0 / 60000.0])
    assert again.with_ladder(SLOW).ladders == {}


@pytest.mark.parametrize(
    ("ladders", "match"),
    [
        ({1.0: SLOW}, "at least two"),
        ({1.0: SLOW, 4.0: ThermalLadder([0.036], [1.0])}, "as many terms"),
        ({0.0: SLOW, 4.0: FAST}, "finite and > 0"),
        ({1.0: SLOW, 4.0: "ladder"}, "ThermalLadder objects"),
    ],
)
def test_bad_ladders_by_flow_are_refused(ladders: dict, match: str) -> None:
    with pytest.raises(CaseError, match=match):
        ColdPlateModel(
            pressure_coefficients_pa=(100.0, 10.0),
            resistance_coefficients=(0.0, 0.036, 0.0),
            flow_range_lpm=(0.5, 4.0),
            ladders=ladders,
        )
    with pytest.raises(CaseError, match="not both"):
        ColdPlateModel(
            pressure_coefficients_pa=(100.0, 10.0),
            resistance_coefficients=(0.0, 0.036, 0.0),
            flow_range_lpm=(0.5, 4.0),
            ladder=SLOW,
            ladders={1.0: SLOW, 4.0: FAST},
        )


def test_ladders_by_flow_refuse_a_repeated_flow() -> None:
    with pytest.raises(CaseError, match="repeat a flow"):
        ColdPlateModel(
            pressure_coefficients_pa=(100.0, 10.0),
            resistance_coefficients=(0.0, 0.036, 0.0),
            flow_range_lpm=(0.5, 4.0),
            ladders={"1": SLOW, 1.0: FAST},
        )
