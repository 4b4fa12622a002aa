"""Issue 19, item 4: a cold plate's step response from ``solve_transient``, fitted as an RC ladder,
reproduces the 3D plate on a different power trace, alone and inside a network.

The plate (generated, 1,280 hexahedra, a few seconds in all): 20 × 4 mm in plan, a 0.5 mm silicon
die heated from below the whole plan, a 0.25 mm interface layer (4 W/(m·K)), a 1.25 mm copper
base and a 2 mm water channel over it, 0.3 L/min at 30 °C; constant properties, so the 3D problem
is linear in the power and a ladder can represent it exactly up to its fit. The ladder is fitted
to a step from 10 to 20 W; it is checked on a pulse train of 10–30 W (pulses of 10 ms to 4 s,
the power also falling below its start) against ``solve_transient`` of the same case.

Reference: the 3D run itself (adaptive steps at 1e-4 of the rise). Tolerance: 1 % of the peak
rise at every accepted step of the 3D run (the issue's item: "a cold-plate model gains a step
response / RC ladder fitted from solve_transient"; the 1 % is the brief's).
"""

from __future__ import annotations

import numpy as np
import pytest
import rackflow as rf
from rackflow.testing.meshes import box

pytestmark = pytest.mark.validation

FLOW_LPM = 0.3
END_S = 12.0
TRACE = rf.Profile(
    time_s=[0.0, 0.05, 0.06, 0.3, 0.8, 1.5, 4.0, 6.0, 6.02, 6.5],
    value=[10.0, 30.0, 10.0, 25.0, 10.0, 30.0, 5.0, 30.0, 10.0, 10.0],
    interpolation="step",
)
SI = rf.Material("si", conductivity_w_mk=150.0, density_kg_m3=2330.0, specific_heat_j_kgk=700.0)
WATER = rf.Coolant(
    "water-const", density_kg_m3=998.0, viscosity_pa_s=1e-3, conductivity_w_mk=0.6, specific_heat_j_kgk=4180.0
)


def plate_case() -> rf.Case:
    """The small plate, 10 W in the die."""
    z = lambda c: c[:, 2]  # noqa: E731
    regions = {
        "die": lambda c: z(c) < 0.0005,
        "tim": lambda c: (z(c) >= 0.0005) & (z(c) < 0.00075),
        "base": lambda c: (z(c) >= 0.00075) & (z(c) < 0.002),
        "channel": lambda c: z(c) >= 0.002,
    }
    case = rf.Case(rf.Mesh.from_meshio(box((20, 4, 16), (0.02, 0.004, 0.004), regions=regions)))
    case.solid("die", SI, power_w=10.0)
    case.solid(
        "tim", rf.Material("tim", conductivity_w_mk=4.0, density_kg_m3=2500.0, specific_heat_j_kgk=800.0)
    )
    case.solid(
        "base", rf.Material("cu", conductivity_w_mk=400.0, density_kg_m3=8960.0, specific_heat_j_kgk=385.0)
    )
    case.fluid("channel", WATER)
    case.inlet("xmin", flow_lpm=FLOW_LPM, temperature_c=30.0)
    case.outlet("xmax")
    return case


@pytest.fixture(scope="module")
def model() -> rf.ColdPlateModel:
    """Characterised at three flows, with the step response at the middle one."""
    return rf.characterise(
        plate_case(), flow_lpm=[0.2, FLOW_LPM, 0.45], region="die", step_response_flow_lpm=FLOW_LPM
    )


@pytest.fixture(scope="module")
def pulse_run(model: rf.ColdPlateModel) -> tuple[np.ndarray, np.ndarray]:
    """The 3D run of the pulse train: accepted step times and the die's hottest rise."""
    case = plate_case()
    start = case.solve()
    case.solid("die", SI, power_w=TRACE)
    assert model.ladder is not None
    run = case.solve_transient(
        END_S,
        initial=start,
        output_times_s=[0.0, END_S],
        step_tolerance_k=model.ladder.fit_info["step_tolerance_k"],
    )
    t_max = run.step_max_temperature_c("die")
    return run.step_times_s, t_max - t_max[0]


def test_fitted_ladder_reproduces_the_3d_pulse_train(
    model: rf.ColdPlateModel, pulse_run: tuple[np.ndarray, np.ndarray]
) -> None:
    """The ladder fitted to the step (two terms here, 0.10 % misfit on the step) gives the 3D
    pulse-train rise within 1 % of its peak at every step (measured 0.19 %, peak 68.0 K)."""
    ladder = model.ladder
    assert ladder is not None
    assert ladder.fit_info["flow_lpm"] == FLOW_LPM
    assert ladder.fit_info["max_misfit"] <= ladder.fit_info["fit_tolerance"]
    # the ladder's total is the steady resistance the characterisation found at this flow
    assert ladder.resistance_k_w == pytest.approx(model.points["thermal_resistance_k_w"][1], rel=2e-3)
    times, rise = pulse_run
    error = np.abs(ladder.response(times, TRACE) - rise).max() / rise.max()
    assert error < 0.01, error


def test_one_term_ladder_misses_the_pulse_train(pulse_run: tuple[np.ndarray, np.ndarray]) -> None:
    """The same check rejects a lumped (one-term) fit of the same step: the short pulses ride on
    the die's fast time constant, which one term cannot hold (error above 1 %; measured 15.1 %)."""
    case = plate_case()
    lumped = rf.characterise_step_response(case, region="die", max_terms=1)
    assert lumped.terms == 1
    times, rise = pulse_run
    error = np.abs(lumped.response(times, TRACE) - rise).max() / rise.max()
    assert error > 0.01, error


def test_network_with_the_plate_reproduces_its_3d_response(
    model: rf.ColdPlateModel, pulse_run: tuple[np.ndarray, np.ndarray]
) -> None:
    """A loop at the characterised flow with the inlet held at 30 °C: the plate's GPU rise
    (implicit Euler, 0.5 ms steps) within 1 % of the 3D peak rise at every output (measured
    0.30 %; 1.04 % at 2 ms steps, the step lag of the inputs against the die's 44 ms mode)."""
    net = rf.Network(WATER)
    net.cdu("back", "in", setpoint_c=30.0, name="cdu")
    net.cold_plate("in", "out", model=model, power_w=TRACE, name="plate")
    net.flow_source("out", "back", flow_lpm=FLOW_LPM, name="pump")
    run = net.simulate(end_time_s=END_S, time_step_s=5e-4)
    assert run.energy_balance_error() < 1e-9
    gpu = run.gpu_c("plate")
    times, rise = pulse_run
    reference = np.interp(run.output_times_s, times, rise)
    error = np.abs(gpu - gpu[0] - reference).max() / rise.max()
    assert error < 0.01, error


# ----- ladders by flow ------------------------------------------------------------------------

#: characterised step-response flows around FLOW_LPM (0.3 L/min is their geometric mean, where
#: the interpolation in ln Q takes half of each)
LOW_LPM, HIGH_LPM = 0.2, 0.45
STEP = rf.Profile(time_s=[0.0, 1e-6], value=[10.0, 20.0], interpolation="step")


def _rise_time_s(times: np.ndarray, rise: np.ndarray) -> float:
    """63 % rise time of a step response sampled at ``times`` (linear between samples)."""
    target = 0.632 * rise[-1]
    k = int(np.argmax(rise >= target))
    return float(np.interp(target, rise[k - 1 : k + 1], times[k - 1 : k + 1]))


def _network_step(model: rf.ColdPlateModel, flow_lpm: float) -> tuple[np.ndarray, np.ndarray]:
    """A loop at ``flow_lpm`` with the inlet held at 30 °C, the plate's power stepping 10 → 20 W:
    output times and the GPU's rise (0.5 ms steps)."""
    net = rf.Network(WATER)
    net.cdu("back", "in", setpoint_c=30.0, name="cdu")
    net.cold_plate("in", "out", model=model, power_w=STEP, name="plate")
    net.flow_source("out", "back", flow_lpm=flow_lpm, name="pump")
    run = net.simulate(end_time_s=END_S, time_step_s=5e-4)
    assert run.energy_balance_error() < 1e-9
    gpu = run.gpu_c("plate")
    return np.asarray(run.output_times_s), gpu - gpu[0]


@pytest.fixture(scope="module")
def model_by_flow() -> rf.ColdPlateModel:
    """Characterised at three flows, with step responses at the outer two only."""
    return rf.characterise(
        plate_case(),
        flow_lpm=[LOW_LPM, FLOW_LPM, HIGH_LPM],
        region="die",
        step_response_flow_lpm=[LOW_LPM, HIGH_LPM],
    )


def test_ladders_by_flow_are_kept_with_as_many_terms(model_by_flow: rf.ColdPlateModel, tmp_path) -> None:
    ladders = model_by_flow.ladders
    assert list(ladders) == [LOW_LPM, HIGH_LPM]
    assert model_by_flow.ladder is None
    assert len({lad.terms for lad in ladders.values()}) == 1
    for q, lad in ladders.items():
        assert lad.fit_info["flow_lpm"] == q
        # each ladder's total is the steady resistance at its flow
        k = model_by_flow.points["flow_lpm"].index(q)
        assert lad.resistance_k_w == pytest.approx(
            model_by_flow.points["thermal_resistance_k_w"][k], rel=2e-3
        )
    # the slow time constant falls with the flow (the convective resistance does)
    assert ladders[HIGH_LPM].time_constants_s[-1] < ladders[LOW_LPM].time_constants_s[-1]
    path = tmp_path / "plate.json"
    model_by_flow.save(path)
    again = rf.ColdPlateModel.load(path)
    assert again.ladders == ladders


def test_network_between_characterised_flows_follows_the_3d_step(
    model: rf.ColdPlateModel, model_by_flow: rf.ColdPlateModel
) -> None:
    """At 0.3 L/min, between the two characterised flows, the network plate's 63 % rise time lies
    between those of the ladders at 0.2 and 0.45 L/min (measured 1.265 and 1.090 s) and within
    1 % of the 3D step response's at 0.3 L/min (the ladder fixture's own run, 10 → 20 W;
    measured 1.162 against 1.160 s), and its GPU rise follows that 3D response within 0.5 % of
    the final rise at every output (measured 0.21 %; 0.5 ms steps). Either single ladder with
    its resistances scaled to R(0.3), the approximation without ladders by flow, misses both
    (0.2 L/min: 1.184 s, 0.96 %; 0.45 L/min: 1.140 s, 0.70 %)."""
    ladder_3d = model.ladder
    assert ladder_3d is not None and ladder_3d.run is not None
    run3d = ladder_3d.run
    t3d = run3d.step_times_s - run3d.step_times_s[0]
    trace = run3d.step_max_temperature_c("die")
    rise3d = trace - trace[0]
    tau_3d = _rise_time_s(t3d, rise3d)
    low, high = model_by_flow.ladders[LOW_LPM], model_by_flow.ladders[HIGH_LPM]
    fine = np.linspace(0.0, END_S, 240_001)
    tau_low = _rise_time_s(fine, 10.0 * low.step_response(fine))
    tau_high = _rise_time_s(fine, 10.0 * high.step_response(fine))

    def check(m: rf.ColdPlateModel) -> tuple[float, float]:
        times, rise = _network_step(m, FLOW_LPM)
        reference = np.interp(times, t3d, rise3d)
        return _rise_time_s(times, rise), float(np.abs(rise - reference).max() / rise3d[-1])

    tau_mid, error = check(model_by_flow)
    assert tau_high < tau_mid < tau_low, (tau_high, tau_mid, tau_low)
    assert abs(tau_mid - tau_3d) < 0.01 * tau_3d, (tau_mid, tau_3d)
    assert error < 0.005, error
    for single in (low, high):
        tau_single, error_single = check(model_by_flow.with_ladder(single))
        assert abs(tau_single - tau_3d) > 0.01 * tau_3d or error_single > 0.005, (tau_single, error_single)


# ----- a pump that follows a flow profile ----------------------------------------------------

#: the flow rises from 0.2 to 0.45 L/min over 0.5–1 s; the die's power steps 10 → 20 W at 2 s
RAMP = rf.Profile(time_s=[0.0, 0.5, 1.0], value=[LOW_LPM, LOW_LPM, HIGH_LPM])
POWER_AFTER_RAMP = rf.Profile(time_s=[0.0, 2.0, 2.0 + 1e-6], value=[10.0, 10.0, 20.0])


def _network_on_the_ramp(model: rf.ColdPlateModel) -> tuple[np.ndarray, np.ndarray]:
    """The loop with the pump following RAMP, inlet held at 30 °C: output times and GPU °C."""
    net = rf.Network(WATER)
    net.cdu("back", "in", setpoint_c=30.0, name="cdu")
    net.cold_plate("in", "out", model=model, power_w=POWER_AFTER_RAMP, name="plate")
    net.flow_source("out", "back", flow_lpm=RAMP, name="pump")
    run = net.simulate(end_time_s=END_S, time_step_s=5e-4)
    assert run.energy_balance_error() < 1e-9
    return np.asarray(run.output_times_s), run.gpu_c("plate")


def test_network_plate_on_a_flow_ramp_follows_the_3d_plate(model_by_flow: rf.ColdPlateModel) -> None:
    """The 3D plate (``solve_transient`` with the inlet's flow following RAMP: quasi-steady flow
    solved again as the rate changes) against the network plate whose pump follows the same
    profile. With the ladder of its current flow (ladders by flow, taken again at every
    hydraulic solve) the GPU follows the 3D die within 1 % of the run's 35.4 K range at every
    output (measured 0.86 %, largest 0.3 s after the ramp, where the ladder scales the die's own
    links with the coolant's resistance). Either single ladder misses: the one of the starting
    flow, which is what a plate ran before stop 20 (measured 1.70 %), and the one of the final
    flow (1.34 %). The run ends on the 3D steady state within 0.01 K."""
    case = plate_case()
    case.inlet("xmin", flow_lpm=LOW_LPM, temperature_c=30.0)
    start = case.solve()
    case.inlet("xmin", flow_lpm=RAMP, temperature_c=30.0)
    case.solid("die", SI, power_w=POWER_AFTER_RAMP)
    run3d = case.solve_transient(END_S, initial=start, output_times_s=[0.0, END_S], step_tolerance_k=1e-3)
    assert run3d.report["flow_updates"] > 10
    t3d, die = run3d.step_times_s, run3d.step_max_temperature_c("die")
    span = die.max() - die.min()

    def error(model: rf.ColdPlateModel) -> tuple[float, float]:
        times, gpu = _network_on_the_ramp(model)
        deviation = gpu - np.interp(times, t3d, die)
        return float(np.abs(deviation).max() / span), float(abs(deviation[-1]))

    following, end = error(model_by_flow)
    assert following < 0.01, following
    assert end < 0.01, end
    for q in (LOW_LPM, HIGH_LPM):
        single, _ = error(model_by_flow.with_ladder(model_by_flow.ladders[q]))
        assert single > 0.01, (q, single)
