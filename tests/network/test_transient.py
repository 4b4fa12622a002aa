"""Networks in time (``Network.simulate``), validated against closed forms: plug-flow delay
and the stated numerical diffusion of a pipe, the steady solution at constant inputs, a CDU's
first-order lag and PI responses, energy conservation step by step."""

from __future__ import annotations

import math

import numpy as np
import pytest
import rackflow as rf
from rackflow import ColdPlateModel, Network
from rackflow.errors import CaseError, NetworkError
from rackflow.testing.fluids import constant_coolant

CONST = constant_coolant()  # ρ 1000 kg/m³, c_p 4000 J/(kg·K)
RHO_CP = 1000.0 * 4000.0


def _flat_plate(r_k_w: float = 0.01) -> ColdPlateModel:
    """A plate of constant thermal resistance and a linear pressure drop."""
    return ColdPlateModel.from_points(
        flow_lpm=[0.5, 20.0, 40.0],
        pressure_drop_pa=[50.0, 2000.0, 4000.0],
        thermal_resistance_k_w=[r_k_w, r_k_w, r_k_w],
    )


def _pipe_step(
    dt: float, length: float = 10.0, cell: float = 0.5
) -> tuple[rf.network.NetworkTransientResult, float]:
    """A loop whose CDU steps its outlet from 20 to 30 °C at t = 0: the pipe after it carries
    the front to node 'out'. Returns the run and the mean velocity."""
    d, q_lpm = 0.02, 6.0
    net = Network(CONST)
    setpoint = rf.Profile(time_s=[0.0, dt / 2], value=[20.0, 30.0], interpolation="step")
    net.cdu("back", "in", setpoint_c=setpoint, name="cdu")
    net.pipe("in", "out", diameter_m=d, length_m=length, name="pipe")
    net.flow_source("out", "back", flow_lpm=q_lpm, name="pump")
    u = q_lpm / 60_000 / (math.pi * d * d / 4)
    tau = length / u
    run = net.simulate(end_time_s=25 * tau, time_step_s=dt, max_cell_length_m=cell, plates=[])
    return run, u


@pytest.mark.parametrize(("dt", "cell"), [(0.5, 0.5), (0.05, 0.25), (2.0, 1.0)])
def test_pipe_delay_is_length_over_velocity_with_the_stated_diffusion(dt: float, cell: float) -> None:
    """Implicit upwind keeps a pipe's mean transit time L/U exactly (its first moment), and
    spreads the front with variance (L/U)·(Δx + U·dt)/U, i.e. numerical diffusion
    D = U·(Δx + U·dt)/2 (module docstring of rackflow_core::network::transient). The moments
    come from the outlet's step response y_n, read as constant over each step:
    mean = dt·Σ(1 − y_n), E[delay²] = dt²·Σ(2n − 1)(1 − y_n)."""
    length = 10.0
    run, u = _pipe_step(dt, length, cell)
    # the outlet node of the pipe: the return temperature of the CDU
    t_out = run.return_c("cdu")
    y = (t_out - 20.0) / 10.0
    tail = 1.0 - y[1:]
    assert abs(tail[-1]) < 1e-13  # run long enough for the moments
    n = np.arange(1, len(y))
    mean = dt * tail.sum()
    second = dt * dt * ((2 * n - 1) * tail).sum()
    cells = math.ceil(length / cell)
    dx = length / cells
    tau = length / u
    assert mean == pytest.approx(tau, rel=1e-9)
    variance = second - mean * mean
    assert variance == pytest.approx(tau * (dx + u * dt) / u, rel=1e-8)
    # the front arrives around L/U: half-way within one standard deviation of it
    t_half = run.times_s[np.argmax(y >= 0.5)]
    assert abs(t_half - tau) < math.sqrt(variance) + dt


def test_pipe_delay_follows_the_current_velocity() -> None:
    """The pump halves its flow at 1 s and the CDU's outlet steps 20 → 30 °C at 2 s: every edge
    of the loop carries the new flow, and the front's mean transit through the pipe is L/U at
    the new velocity (exactly, as at a constant flow: the cells keep their mass), with the
    stated variance, twice the transit at the starting flow. Before stop 20 only the pump's
    own edge took the new flow: the hydraulics saw vanishing edge residuals and kept the old
    flows, so the front crossed at the starting velocity."""
    d, length, dt, cell = 0.02, 10.0, 0.05, 0.25
    q_start, q_end = 6.0, 3.0
    t_front = 2.0 + dt / 2
    net = Network(CONST)
    setpoint = rf.Profile(time_s=[0.0, t_front], value=[20.0, 30.0], interpolation="step")
    net.cdu("back", "in", setpoint_c=setpoint, name="cdu")
    net.pipe("in", "out", diameter_m=d, length_m=length, name="pipe")
    flow = rf.Profile(time_s=[0.0, 1.0 + dt / 2], value=[q_start, q_end], interpolation="step")
    net.flow_source("out", "back", flow_lpm=flow, name="pump")
    u = q_end / 60_000 / (math.pi * d * d / 4)
    tau = length / u
    run = net.simulate(end_time_s=t_front + 25 * tau, time_step_s=dt, max_cell_length_m=cell, plates=[])
    np.testing.assert_allclose(run.columns["final_edge_flow_m3_s"] * 60_000, q_end, rtol=1e-12)
    y = (run.return_c("cdu") - 20.0) / 10.0
    entered = int(np.searchsorted(run.times_s, t_front))  # first step at 30 °C
    assert np.all(y[:entered] == 0.0)
    tail = 1.0 - y[entered:]
    # settled to round-off (the enthalpies after the flow change carry 4e-13 of the step)
    assert abs(tail[-1]) < 1e-12
    n = np.arange(1, len(tail) + 1)
    mean = dt * tail.sum()
    second = dt * dt * ((2 * n - 1) * tail).sum()
    dx = length / math.ceil(length / cell)
    assert mean == pytest.approx(tau, rel=1e-9)
    assert second - mean * mean == pytest.approx(tau * (dx + u * dt) / u, rel=1e-8)


def test_constant_inputs_reach_the_steady_solution() -> None:
    """From a uniform 20 °C, a rack with temperature-dependent PG25 at constant inputs runs
    to the steady solution (hydraulics solved every step with the current properties)."""
    net = Network.rack(servers=2, plates_per_server=3, reverse_return=True)
    steady = net.solve(temperature_tolerance_k=1e-13)
    run = net.simulate(end_time_s=600.0, time_step_s=1.0, initial=20.0, hydraulic_update_k=0.0)
    nodes = steady.nodes
    final = np.array([run.final_temperature_c(n) for n in nodes.index])
    np.testing.assert_allclose(final, nodes["temperature_c"].to_numpy(), rtol=0, atol=1e-9)
    plates = steady.cold_plates().set_index("name")
    gpu = run.gpu_temperature_c[-1]
    np.testing.assert_allclose(
        gpu, plates.loc[run.plate_names, "gpu_temperature_c"].to_numpy(), rtol=0, atol=1e-9
    )
    for e in ("pump", "gpu1_2", "qd_in0"):
        assert run.final_flow_lpm(e) == pytest.approx(steady.flow_lpm(e), rel=1e-9)


def test_steady_start_stays_steady() -> None:
    net = Network.rack(servers=2, plates_per_server=2)
    steady = net.solve()
    run = net.simulate(end_time_s=5.0, time_step_s=0.5)
    worst = steady.summary()["worst_gpu_temperature_c"]
    np.testing.assert_allclose(run.worst_gpu_temperature_c, worst, rtol=0, atol=1e-9)


def _one_plate_loop(control: dict, power: float | rf.Profile, setpoint: float | rf.Profile) -> Network:
    """Flow source → plate (no heat capacity) → CDU → back: 12 L/min of CONST, ṁ·c_p = 800 W/K."""
    net = Network(CONST)
    net.flow_source("c", "a", flow_lpm=12.0, name="pump")
    net.cold_plate("a", "b", model=_flat_plate(), power_w=power, heat_capacity_j_k=0.0, name="gpu")
    net.cdu("b", "c", setpoint_c=setpoint, name="cdu", **control)
    return net


@pytest.mark.parametrize("tau", [2.0, 8.0])
def test_lag_cdu_follows_the_first_order_response(tau: float) -> None:
    """A set-point step from 30 to 40 °C through a first-order lag: T = 40 − 10·exp(−t/τ).
    Implicit Euler is first order in dt: the error halves with the step (order 1 ± 0.1)
    and is below 1.5 % of the step at dt = τ/200."""
    step = rf.Profile(time_s=[0.0, 1e-6], value=[30.0, 40.0], interpolation="step")
    errors = []
    for dt in (tau / 50, tau / 100, tau / 200):
        net = _one_plate_loop({"control": "lag", "time_constant_s": tau}, 2000.0, step)
        run = net.simulate(end_time_s=5 * tau, time_step_s=dt)
        exact = 40.0 - 10.0 * np.exp(-run.times_s / tau)
        errors.append(np.max(np.abs(run.supply_c("cdu")[1:] - exact[1:])))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(np.abs(orders - 1.0) < 0.1), orders
    assert errors[-1] < 0.015 * 10.0


def test_pi_cdu_matches_the_second_order_closed_form() -> None:
    """A load step ΔP on a loop with a PI-controlled CDU (exchanger capacity C, gains Kp, Ki)
    and no other storage: C·ė = P − Q, Q = Kp·e + Ki·∫e, so C·ë + Kp·ė + Ki·e = 0 after the
    step with e(0) = 0, ė(0) = ΔP/C: e = ΔP/(C·ω_d)·exp(−ζ·ω_n·t)·sin(ω_d·t), ω_n = √(Ki/C),
    ζ = Kp/(2√(C·Ki)). The discrete loop carries the load to the CDU one step later and adds
    ṁ·c_p·dt to its capacity: first order in dt (order 1 ± 0.15), below 1 % of the peak at
    dt = 0.0125 s."""
    cap, kp, ki, p0, dp = 20_000.0, 2400.0, 800.0, 2000.0, 3000.0
    wn, zeta = math.sqrt(ki / cap), kp / (2 * math.sqrt(cap * ki))
    wd = wn * math.sqrt(1 - zeta * zeta)
    load = rf.Profile(time_s=[0.0, 1e-6], value=[p0, p0 + dp], interpolation="step")
    control = {"control": "pi", "kp_w_k": kp, "ki_w_k_s": ki, "heat_capacity_j_k": cap}
    errors, peak = [], 0.0
    for dt in (0.05, 0.025, 0.0125):
        run = _one_plate_loop(control, load, 35.0).simulate(end_time_s=40.0, time_step_s=dt)
        t = run.times_s
        exact = dp / (cap * wd) * np.exp(-zeta * wn * t) * np.sin(wd * t)
        e = run.supply_c("cdu") - 35.0
        peak = exact.max()
        errors.append(np.max(np.abs(e - exact)))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(np.abs(orders - 1.0) < 0.15), orders
    assert errors[-1] < 0.01 * peak


def test_energy_is_conserved_step_by_step() -> None:
    """Power steps, a flow that changes (hydraulics solved again) and a lagged CDU: the stored
    energy changes each step by dt·(heat in − heat out) to round-off."""
    net = Network(CONST)
    flow = rf.Profile(time_s=[0.0, 5.0, 6.0], value=[10.0, 10.0, 4.0])
    power = rf.Profile(time_s=[0.0, 1.0, 1.5, 8.0, 8.5], value=[500.0, 500.0, 3000.0, 3000.0, 800.0])
    net.flow_source("c", "a", flow_lpm=flow, name="pump")
    net.pipe("a", "a2", diameter_m=0.01, length_m=2.0)
    net.cold_plate("a2", "b", model=_flat_plate(0.02), power_w=power, heat_capacity_j_k=150.0, name="gpu")
    net.pipe("b", "b2", diameter_m=0.01, length_m=3.0)
    net.cdu("b2", "c", setpoint_c=30.0, control="lag", time_constant_s=3.0, name="cdu")
    run = net.simulate(end_time_s=20.0, time_step_s=0.05)
    assert run.info["hydraulic_solves"] > 1
    assert run.energy_balance_error() < 1e-9
    total_in = np.sum(run.heat_in_w[1:]) * 0.05
    assert run.energy_stored_j[-1] - run.energy_stored_j[0] == pytest.approx(
        total_in - np.sum(run.heat_out_w[1:]) * 0.05, rel=1e-9, abs=1e-6 * total_in
    )


def test_plate_heat_capacity_gives_the_rc_response() -> None:
    """A GPU on a plate of capacity C and resistance R under a load step at constant inlet
    temperature: T_gpu − T_in = R·P·(1 − exp(−t/(R·C))) (implicit Euler at dt = RC/400)."""
    r, cap = 0.02, 300.0
    tau = r * cap
    load = rf.Profile(time_s=[0.0, 1e-6], value=[0.0, 1000.0], interpolation="step")
    net = Network(CONST)
    net.flow_source("c", "a", flow_lpm=12.0)
    net.cold_plate("a", "b", model=_flat_plate(r), power_w=load, heat_capacity_j_k=cap, name="gpu")
    net.cdu("b", "c", setpoint_c=30.0, name="cdu")
    dt = tau / 400
    run = net.simulate(end_time_s=5 * tau, time_step_s=dt)
    rise = run.gpu_c("gpu") - run.inlet_c("gpu")
    exact = r * 1000.0 * (1 - np.exp(-run.output_times_s / tau))
    assert np.max(np.abs(rise - exact)) < 2 * dt / tau * r * 1000.0


def test_records_and_tables() -> None:
    power = rf.Profile(time_s=[0.0, 2.0], value=[300.0, 700.0])
    net = Network.rack(servers=2, plates_per_server=2, power_w=power)
    run = net.simulate(end_time_s=3.0, time_step_s=0.5, output_interval_s=1.0, plates=["gpu0_0", "gpu1_1"])
    assert run.times_s.tolist() == pytest.approx([0, 0.5, 1, 1.5, 2, 2.5, 3])
    assert run.output_times_s.tolist() == pytest.approx([0, 1, 2, 3])
    assert run.plate_names == ["gpu0_0", "gpu1_1"]
    assert run.gpu_temperature_c.shape == (4, 2)
    long = run.to_frame("plates")
    assert list(long.columns) == ["time_s", "plate", "inlet_c", "gpu_c"] and len(long) == 8
    wide = run.to_frame("plates", layout="wide")
    assert wide.shape == (4, 4) and wide[("gpu_c", "gpu1_1")].iloc[-1] == pytest.approx(
        run.gpu_c("gpu1_1")[-1]
    )
    cdus = run.to_frame("cdus")
    assert set(cdus["cdu"]) == {"cdu"} and len(cdus) == 7
    summary = run.to_frame("summary")
    assert summary["worst_gpu_c"].iloc[-1] == pytest.approx(run.worst_gpu_temperature_c[-1])
    assert run.summary()["peak_worst_gpu_temperature_c"] == pytest.approx(run.worst_gpu_temperature_c.max())
    with pytest.raises(CaseError, match=r"no recorded cold plate 'gpu0_1'"):
        run.gpu_c("gpu0_1")
    with pytest.raises(CaseError, match=r"layout must be 'long' or 'wide'"):
        run.to_frame(layout="tall")


def test_profiles_refused_by_a_steady_solve_and_bad_transient_input() -> None:
    power = rf.Profile(time_s=[0.0, 2.0], value=[300.0, 700.0])
    net = Network.rack(servers=1, plates_per_server=2, power_w=power)
    with pytest.raises(
        NetworkError,
        match=r"cold_plate 'gpu0_0': power_w is a time-varying Profile; a steady solve needs a number",
    ):
        net.solve()
    with pytest.raises(NetworkError, match=r"time_step_s must be finite and > 0"):
        net.simulate(end_time_s=1.0, time_step_s=0.0)
    with pytest.raises(NetworkError, match=r"plates lists 'pump', a pump, not a cold plate"):
        net.simulate(end_time_s=1.0, time_step_s=0.1, plates=["pump"])
    with pytest.raises(NetworkError, match=r"initial must be 'steady' or a temperature"):
        net.simulate(end_time_s=1.0, time_step_s=0.1, initial="cold")
    lonely = Network(CONST)
    lonely.flow_source("a", "b", flow_lpm=1.0)
    lonely.cdu(
        "b",
        "a",
        supply_c=rf.Profile(time_s=[0, 1], value=[20, 30]),
        ua_w_k=100.0,
        facility_flow_lpm=5.0,
        name="hx",
    )
    with pytest.raises(NetworkError, match=r"cdu 'hx': a time-varying supply_c needs approach_k"):
        lonely.simulate(end_time_s=1.0, time_step_s=0.1)
    with pytest.raises(NetworkError, match=r"control 'pi' needs kp_w_k, ki_w_k_s, heat_capacity_j_k"):
        lonely.cdu("b", "a", setpoint_c=30.0, control="pi", name="x")


def test_model_heat_capacity_is_the_plates_default() -> None:
    """A ColdPlateModel's heat capacity (saved with it) is used by plates without their own:
    the GPU's time constant R·C shows in the response to a load step."""
    base = _flat_plate(0.02)
    model = ColdPlateModel.from_dict({**base.to_dict(), "heat_capacity_j_k": 600.0})
    assert model.heat_capacity_j_k == 600.0
    assert model.time_constant_s(10.0) == pytest.approx(0.02 * 600.0)
    with pytest.raises(CaseError, match="heat_capacity_j_k must be finite and >= 0"):
        ColdPlateModel.from_dict({**base.to_dict(), "heat_capacity_j_k": -1.0})
    load = rf.Profile(time_s=[0.0, 1e-6], value=[0.0, 1000.0], interpolation="step")
    rises = {}
    for label, own in (("model", None), ("own", 300.0)):
        net = Network(CONST)
        net.flow_source("c", "a", flow_lpm=12.0)
        net.cold_plate("a", "b", model=model, power_w=load, heat_capacity_j_k=own, name="gpu")
        net.cdu("b", "c", setpoint_c=30.0, name="cdu")
        run = net.simulate(end_time_s=12.0, time_step_s=0.01)
        rise = run.gpu_c("gpu") - run.inlet_c("gpu")
        rises[label] = rise[np.searchsorted(run.output_times_s, 12.0)]  # one time constant of C = 600 J/K
    assert rises["model"] == pytest.approx(20.0 * (1 - math.exp(-1.0)), rel=2e-3)
    assert rises["own"] == pytest.approx(20.0 * (1 - math.exp(-2.0)), rel=2e-3)


def _pumped_plate(flow: rf.Profile) -> Network:
    """Flow source following ``flow`` → plate (1 kW, constant R, range 0.5–40 L/min) → CDU."""
    net = Network(CONST)
    net.flow_source("c", "a", flow_lpm=flow, name="pump")
    net.cold_plate("a", "b", model=_flat_plate(), power_w=1000.0, heat_capacity_j_k=100.0, name="gpu")
    net.cdu("b", "c", setpoint_c=30.0, name="cdu")
    return net


def test_a_plate_that_loses_its_flow_is_named_with_the_time() -> None:
    """A pump profile that stops (or reverses) the loop's flow leaves the plate without coolant:
    its GPU temperature is undefined, so the run stops at the hydraulic solve that finds it,
    naming the plate and the time, as a steady solve does (before stop 21 the run went on and
    reported the GPU 2.5 K below its own inlet). A flow below the model's characterised range
    is refused likewise unless ``allow_extrapolation``."""
    for values, at in (([12.0, 0.0], "1"), ([12.0, -3.0], "0.8")):
        net = _pumped_plate(rf.Profile(time_s=[0.0, 1.0], value=values))
        with pytest.raises(NetworkError, match=rf"at t = {at} s: cold plate 'gpu' receives no flow"):
            net.simulate(end_time_s=4.0, time_step_s=0.1)
    slow = _pumped_plate(rf.Profile(time_s=[0.0, 1.0], value=[12.0, 0.1]))
    with pytest.raises(
        NetworkError,
        match=r"at t = 1 s: cold plate 'gpu': flow 0.1000 L/min is outside its characterised range "
        r"0.5000–40.0000 L/min; pass allow_extrapolation",
    ):
        slow.simulate(end_time_s=2.0, time_step_s=0.1)
    run = slow.simulate(end_time_s=2.0, time_step_s=0.1, allow_extrapolation=True)
    assert run.final_flow_lpm("gpu") == pytest.approx(0.1, rel=1e-9)


def test_input_profiles_out_of_bounds_and_output_records() -> None:
    """Bad input of a network in time: a plate power profile that goes negative, a set-point
    profile below absolute zero and an output interval longer than the run are refused,
    naming the edge and the time; the per-plate records always include the end of the run."""
    with pytest.raises(
        NetworkError, match=r"cold_plate 'gpu': the power_w profile must stay ≥ 0, got -100 W at t = 1 s"
    ):
        _one_plate_loop({}, rf.Profile(time_s=[0.0, 1.0], value=[100.0, -100.0]), 30.0).simulate(
            end_time_s=2.0, time_step_s=0.1
        )
    with pytest.raises(NetworkError, match=r"cdu 'cdu': the set-point profile goes below absolute zero"):
        _one_plate_loop({}, 1000.0, rf.Profile(time_s=[0.0, 1.0], value=[30.0, -300.0])).simulate(
            end_time_s=2.0, time_step_s=0.1
        )
    net = _one_plate_loop({}, 1000.0, 30.0)
    with pytest.raises(NetworkError, match=r"output_interval_s \(5 s\) is longer than the run"):
        net.simulate(end_time_s=1.0, time_step_s=0.1, output_interval_s=5.0)
    run = net.simulate(end_time_s=1.0, time_step_s=0.1, output_interval_s=0.3)
    assert run.output_times_s.tolist() == pytest.approx([0.0, 0.3, 0.6, 0.9, 1.0])
    assert run.gpu_c("gpu").shape == (5,)


def test_set_power_replaces_a_profile_for_steady_checks() -> None:
    """A network built for a job (plate powers a Profile) checked steady at fixed loads with
    ``set_power``: the replaced Profile components are forgotten (before stop 21 they still
    went to the core, and the steady solve refused 'cold_plate '?': power_w is a time-varying
    Profile'). The answers equal a network built with those powers."""
    job = rf.Profile(time_s=[0.0, 1.0, 1.2], value=[140.0, 140.0, 700.0])
    net = Network.rack(servers=2, plates_per_server=2, power_w=job)
    with pytest.raises(NetworkError, match=r"cold_plate 'gpu0_0': power_w is a time-varying Profile"):
        net.solve()
    for power in (140.0, 700.0):
        net.set_power(power)
        direct = Network.rack(servers=2, plates_per_server=2, power_w=power).solve()
        mine = net.solve()
        assert mine.summary()["worst_gpu_temperature_c"] == pytest.approx(
            direct.summary()["worst_gpu_temperature_c"], abs=1e-9
        )
        assert len(net.to_spec()["edges"]) == len(net.edges)
    net.set_power(job, plates=["gpu1_1"])
    run = net.simulate(end_time_s=2.0, time_step_s=0.5)
    assert run.heat_in_w[-1] == pytest.approx(3 * 700.0 + 700.0)
    assert run.heat_in_w[0] == pytest.approx(3 * 700.0 + 140.0)
