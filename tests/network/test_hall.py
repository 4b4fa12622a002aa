"""Halls of racks as they are built (rows, pods, headers sized by velocity, reverse return,
set-point rack CDUs on the facility loop), controlled CDUs, and the plain reports of reverse and
circulating flow."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest
from rackflow import Network
from rackflow.errors import NetworkError, RackflowWarning
from rackflow.network.templates import PIPE_INNER_DIAMETERS_M, pipe_size_for
from rackflow.testing.fluids import constant_coolant

CONST = constant_coolant()


def _small_hall(**options: object) -> Network:
    args: dict = {"racks_per_row": 5, "rows_per_pod": 2}
    args.update(options)
    return Network.hall(23, **args)


def test_pipe_size_is_the_smallest_that_keeps_the_velocity() -> None:
    for q in (1e-4, 3e-3, 0.05, 0.9, 4.4):
        d = pipe_size_for(q, 2.5)
        assert q / (math.pi * d * d / 4) <= 2.5
        smaller = [s for s in PIPE_INNER_DIAMETERS_M if s < d]
        if smaller and d <= PIPE_INNER_DIAMETERS_M[-1]:
            assert q / (math.pi * smaller[-1] ** 2 / 4) > 2.5
    # beyond the largest listed size: the next 0.1 m
    assert pipe_size_for(4.4, 2.5) == pytest.approx(1.5)


def test_hall_layout_rows_pods_and_design() -> None:
    net = _small_hall()
    d = net.design
    assert (d["rows"], d["pods"]) == (5, 3)  # 23 racks: rows of 5 (the last of 3), pods of 2 rows
    names = {e.name for e in net.edges}
    assert {"pod0/pump", "pod2/pump", "plant", "main/sup2", "main/ret2", "row4/sup2"} <= names
    assert "row4/sup3" not in names  # the last row has 3 racks
    # every rack's CDU sits on the facility loop through its primary branch
    cdu = net.edge("r22/cdu").component
    assert cdu.facility_edge == "r22/cdu_primary" and cdu.setpoint_c == 35.0


def test_hall_headers_keep_the_velocity_limit_at_the_operating_point() -> None:
    net = _small_hall()
    r = net.solve()
    e = r.edges
    headers = e[e.index.str.match(r"^(row|pod|main)\d*/(sup|ret)\d+$")]
    assert len(headers) > 0
    primary = e[e.index.str.endswith("/cdu_primary")]
    design = net.design["facility_flow_per_rack_lpm"]
    # the pumps run on their curves, near (a little above) the design flow ...
    ratio = primary["flow_lpm"].to_numpy() / design
    assert 0.95 < ratio.min() and ratio.max() < 1.15
    # ... and the headers stay within the limit scaled by that excess
    assert headers["velocity_m_s"].abs().max() <= 2.5 * ratio.max()


def test_reverse_return_evens_the_facility_flows() -> None:
    flows = {}
    for reverse in (True, False):
        r = _small_hall(reverse_return=reverse).solve()
        e = r.edges
        q = e[e.index.str.endswith("/cdu_primary")]["flow_lpm"].to_numpy()
        flows[reverse] = q.max() / q.min()
    assert flows[True] < flows[False]
    assert flows[True] < 1.05


def test_hall_conserves_energy_and_rack_cdus_hold_their_setpoint() -> None:
    net = _small_hall(power_w=650.0)
    r = net.solve()
    assert r.energy_balance["heat_in_w"] == pytest.approx(23 * 64 * 650.0, rel=1e-12)
    assert r.energy_balance["relative_error"] < 1e-12
    e = r.edges
    cdus = e[e.index.str.match(r"^r\d+/cdu$")]
    np.testing.assert_allclose(cdus["outlet_c"], 35.0, atol=1e-9)
    # each rack's heat leaves through its own primary branch into the facility water ...
    primary = e[e.index.str.endswith("/cdu_primary")]
    np.testing.assert_allclose(primary["heat_w"].to_numpy(), -cdus["heat_w"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(primary["heat_w"], 64 * 650.0, rtol=1e-9)
    # ... and all of it through the plant
    assert -e.loc["plant", "heat_w"] == pytest.approx(23 * 64 * 650.0, rel=1e-10)


def _setpoint_loop(ua_w_k: float | None, power_w: float = 5000.0) -> tuple[Network, dict]:
    """A loop with a flow source, a plate of constant resistance and a set-point CDU whose
    facility side is external water at 20 °C and 10 L/min."""
    from rackflow import ColdPlateModel

    model = ColdPlateModel.from_points(
        flow_lpm=[1.0, 20.0, 40.0],
        pressure_drop_pa=[100.0, 2000.0, 4000.0],
        thermal_resistance_k_w=[0.01, 0.01, 0.01],
    )
    net = Network(CONST)
    net.flow_source("c", "a", flow_lpm=12.0, name="pump")
    net.cold_plate("a", "b", model=model, power_w=power_w, name="gpu")
    net.pipe("b", "h", diameter_m=0.02, length_m=1.0)
    net.cdu("h", "c", setpoint_c=30.0, ua_w_k=ua_w_k, supply_c=20.0, facility_flow_lpm=10.0, name="cdu")
    return net, {"m_cp": 12.0 / 60_000 * 1000.0 * 4000.0, "c_fac": 10.0 / 60_000 * 997.0 * 4180.0}


def test_setpoint_cdu_below_its_limit_holds_the_setpoint() -> None:
    net, _ = _setpoint_loop(ua_w_k=5000.0)
    r = net.solve()
    assert r.temperature_c("c") == pytest.approx(30.0, abs=1e-9)
    assert r.temperature_c("h") == pytest.approx(30.0 + 5000.0 / (12.0 / 60_000 * 1000.0 * 4000.0), abs=1e-9)


def test_setpoint_cdu_at_its_limit_warns_and_follows_the_exchanger() -> None:
    """ε-NTU counterflow (Incropera, Table 11.3): at its limit the CDU removes
    Q = ε·C_min·(T_hot,in − T_cold,in) = P in steady state, so T_hot,in = T_cold,in + P/(ε·C_min)."""
    ua = 300.0
    net, c = _setpoint_loop(ua_w_k=ua)
    with pytest.warns(RackflowWarning, match=r"cdu 'cdu' cannot hold its set-point 30.00 °C"):
        r = net.solve()
    ch, cc = c["m_cp"], c["c_fac"]
    cmin, cmax = min(ch, cc), max(ch, cc)
    ntu, cr = ua / cmin, cmin / cmax
    eps = (1 - math.exp(-ntu * (1 - cr))) / (1 - cr * math.exp(-ntu * (1 - cr)))
    t_hot_in = 20.0 + 5000.0 / (eps * cmin)
    assert r.temperature_c("h") == pytest.approx(t_hot_in, abs=1e-8)
    assert r.temperature_c("c") == pytest.approx(t_hot_in - 5000.0 / ch, abs=1e-8)


def test_setpoint_with_a_limit_needs_a_cold_side() -> None:
    net = Network(CONST)
    net.flow_source("a", "b", flow_lpm=1.0)
    net.cdu("b", "a", setpoint_c=30.0, ua_w_k=100.0, name="lonely")
    with pytest.raises(
        NetworkError, match=r"cdu 'lonely': a set-point limited by ua_w_k needs facility_edge"
    ):
        net.solve()


def test_circulation_is_reported_with_its_loop_and_what_to_resize() -> None:
    """Headers far too small for the flow (sized for 30 m/s) and almost no resistance in the
    branches: the far branches run backwards and the facility water circulates between
    branches without passing the plant. The error names the loop's edges, the branch running
    backwards, the fastest pipes and the diameter that would keep 2.5 m/s."""
    net = Network.hall(
        40,
        racks_per_row=40,
        servers=1,
        plates_per_server=2,
        max_velocity_m_s=30.0,
        cdu_primary_pressure_drop_pa=500.0,
        reverse_return=False,
    )
    with pytest.raises(NetworkError) as info:
        net.solve()
    text = str(info.value)
    assert "circulates through node" in text
    assert "against its direction" in text
    assert re_search(
        r"Reverse flow through 'r\d+/cdu_primary' \([\d.]+ L/min from 'r\d+/fr' back to 'r\d+/fs'\)", text
    )
    assert re_search(
        r"Fastest pipes: '[^']+' [\d.]+ m/s at [\d.]+ L/min in Ø 0.0158 m \(Ø ≥ [\d.]+ m keeps 2.5 m/s\)",
        text,
    )


def test_reverse_flow_through_a_facility_branch_warns() -> None:
    """A rack CDU's facility branch declared against the facility flow: the solve settles (the
    heat leaves through the plant) and warns, naming the branch and its flow."""
    net = Network(CONST)
    net.cdu("r", "p", supply_c=20.0, approach_k=0.0, name="plant")
    net.pump("p", "s", curve_lpm_pa=[(0, 50e3), (100, 0)], name="fpump")
    branch = net.loss("r", "s", k=5.0, diameter_m=0.02, name="branch")  # the flow runs s -> r
    net.flow_source("c", "a", flow_lpm=10.0)
    net.pipe("a", "h", diameter_m=0.02, length_m=1.0)
    net.cdu("h", "c", setpoint_c=30.0, facility_edge=branch, name="cdu")
    with pytest.warns(
        RackflowWarning,
        match=r"reverse flow through 1 exchanger edge\(s\): 'branch' \(facility side of a cdu, [\d.]+ L/min from 's' back to 'r'\)",
    ):
        r = net.solve()
    assert r.flow_lpm("branch") < 0


def re_search(pattern: str, text: str) -> bool:
    import re

    return re.search(pattern, text) is not None


def _same_solution(a, b) -> None:
    for col in ("mass_flow_kg_s", "inlet_temperature_k", "outlet_temperature_k", "pressure_drop_pa"):
        np.testing.assert_allclose(a.edges[col].to_numpy(), b.edges[col].to_numpy(), rtol=1e-12, atol=1e-12)
    for col in ("pressure_pa", "temperature_k"):
        np.testing.assert_allclose(a.nodes[col].to_numpy(), b.nodes[col].to_numpy(), rtol=1e-12, atol=1e-9)


def test_identical_rack_loops_are_solved_once_and_copied() -> None:
    net = _small_hall()
    copied, solved = net.solve(), net.solve(copy_identical_parts=False)
    # 23 rack loops behind their CDUs, identical down to the coolant: one is solved
    assert copied.iterations["copied_parts"] == 22
    assert solved.iterations["copied_parts"] == 0
    assert copied.iterations["solved_unknowns"] < solved.iterations["solved_unknowns"] / 10
    _same_solution(copied, solved)


def test_a_rack_loop_with_other_coolant_temperatures_is_solved_on_its_own() -> None:
    net = _small_hall()
    e = net.edge("r7/cdu")
    e.component = dataclasses.replace(e.component, setpoint_c=36.0)  # same hydraulics, warmer loop
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RackflowWarning)
        copied, solved = net.solve(), net.solve(copy_identical_parts=False)
    assert copied.iterations["copied_parts"] == 21
    _same_solution(copied, solved)
    assert copied.edges.loc["r7/cdu", "inlet_c"] > copied.edges.loc["r8/cdu", "inlet_c"] + 0.5
    # unregulated exchangers: each rack's loop follows its own facility flow, none is copied
    net = _small_hall(rack_supply_c=None)
    copied, solved = net.solve(), net.solve(copy_identical_parts=False)
    assert copied.iterations["copied_parts"] == 0
    _same_solution(copied, solved)


def test_a_training_job_through_a_hall_in_time() -> None:
    """Item 5 of issue 19 at two racks (the benchmark's 3,125 give the same per-rack answers):
    every GPU steps 140 → 700 W over 1.0–1.2 s and back at 31.2 s, rack CDUs under PI control.
    The run starts at the steady state at 20 % (to 1e-9 K), the worst junction peaks at the end
    of the full-power interval within 5 % of the steady full-load rise (30 s are 2.7 time
    constants of the 11 s GPU-and-plate lag), the CDU supply stays within 1 K of its set-point
    and returns towards it, the junction settles within 0.5 K before the run ends, and the
    energy balances step by step."""
    from rackflow import Profile

    job = Profile(time_s=[0.0, 1.0, 1.2, 31.2, 31.4], value=[140.0, 140.0, 700.0, 700.0, 140.0])
    pi = {"control": "pi", "kp_w_k": 25e3, "ki_w_k_s": 4e3, "heat_capacity_j_k": 1e5}
    hall = Network.hall(2, power_w=job, rack_supply_c=35.0, cdu_control=pi)
    run = hall.simulate(end_time_s=60.0, time_step_s=0.1, output_interval_s=1.0)
    hall.set_power(140.0)
    low = hall.solve().summary()["worst_gpu_temperature_c"]
    hall.set_power(700.0)
    high = hall.solve().summary()["worst_gpu_temperature_c"]
    worst = run.worst_gpu_temperature_c
    assert worst[0] == pytest.approx(low, abs=1e-9)
    peak = int(np.argmax(worst))
    assert run.times_s[peak] == pytest.approx(31.2, abs=0.15)
    assert high - 0.05 * (high - low) < worst[peak] < high
    racks = [i for i, name in enumerate(run.cdu_names) if name != "plant"]
    supply = run.cdu_supply_c[:, racks]
    assert np.abs(supply - 35.0).max() < 1.0
    assert np.abs(supply[-1] - 35.0).max() < 0.5 * np.abs(supply - 35.0).max()
    assert run.settling_time_s(worst, after_s=31.2) < 60.0 - 31.2
    assert run.energy_balance_error() < 1e-9
