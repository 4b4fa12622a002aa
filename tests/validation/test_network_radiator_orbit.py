"""Radiators in the transient network (issue 20): an orbital loop through a 95-minute orbit
with a 35-minute eclipse, against the lumped ODE of the same loop.

The loop: a flow source, one cold plate (GPU with a heat capacity behind a resistance) and one
radiator panel holding the loop's heat capacity, in a constant-property coolant (so h = c_p T
and the ODE has two states). The reference ODE is built here from the Python models
(``RadiatorModel.heat_rejected_w``, ``ColdPlateModel.thermal_resistance_k_w``), independent of
the core's code, and integrated by classical Runge–Kutta (RK4) at 1.25 s steps that land on
every breakpoint of the flux (its error, measured against 0.625 s steps, is below 1e-6 K)::

    T_out = T_r − Q(V̇, T_r, q(t)) / (ṁ c_p)                     (the quasi-steady panel)
    C_p dT_g/dt = P − (T_g − T_out)/R                            (GPU and plate)
    C_r dT_r/dt = ṁ c_p (T_out − T_r) + (T_g − T_out)/R          (the panel's capacity)

The network steps by implicit Euler (and a CDU-like exchanger passes what entered during one
step in the next), so it is first order in the time step: the tests check the error against
the ODE, its halving with the step, and the energy balance to round-off.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import rackflow as rf

pytestmark = pytest.mark.validation

COOLANT = rf.Coolant(
    "constant water-like",
    density_kg_m3=1000.0,
    viscosity_pa_s=1e-3,
    conductivity_w_mk=0.6,
    specific_heat_j_kgk=4000.0,
)
FLOW_LPM = 2.0
POWER_W = 2000.0
PERIOD_S, ECLIPSE_S = 95 * 60.0, 35 * 60.0
SUN_W_M2, ECLIPSE_W_M2 = 180.0, 60.0  # mean absorbed flux over the radiating area
PANEL_C_J_K, PLATE_C_J_K = 5.0e4, 2.0e3
ORBITS = 3


def radiator_model() -> rf.RadiatorModel:
    # an effective area that varies with flow and inlet temperature, as a characterised one does
    return rf.RadiatorModel(
        flow_lpm=[1.0, 2.5, 5.0],
        inlet_c=[0.0, 40.0, 90.0],
        effective_area_m2=[[5.6, 6.0, 6.2], [5.5, 5.9, 6.15], [5.3, 5.8, 6.1]],
        pressure_coefficients_pa=[[50.0, 20.0]] * 3,
        radiating_area_m2=7.0,
        emissivity=0.88,
        sink_c=-270.15,
        absorbed_flux_w_m2=SUN_W_M2,
        coolant=COOLANT,
        heat_capacity_j_k=PANEL_C_J_K,
        name="test panel",
    )


def plate_model() -> rf.ColdPlateModel:
    return rf.ColdPlateModel.from_points(
        flow_lpm=[1.0, 2.0, 4.0],
        pressure_drop_pa=[2e3, 5e3, 1.3e4],
        thermal_resistance_k_w=[0.014, 0.01, 0.008],
    )


def orbit_flux() -> rf.Profile:
    """Sunlit then eclipse, each orbit, with 60 s transitions (penumbra)."""
    t, v = [], []
    for k in range(ORBITS):
        t0 = k * PERIOD_S
        sunlit = PERIOD_S - ECLIPSE_S
        t += [t0, t0 + sunlit - 60.0, t0 + sunlit, t0 + PERIOD_S - 60.0]
        v += [SUN_W_M2, SUN_W_M2, ECLIPSE_W_M2, ECLIPSE_W_M2]
    t.append(ORBITS * PERIOD_S)
    v.append(SUN_W_M2)
    return rf.Profile(time_s=t, value=v)


def network(flux: rf.Profile | float) -> tuple[rf.Network, rf.RadiatorModel, rf.ColdPlateModel]:
    panel, plate = radiator_model(), plate_model()
    net = rf.Network(coolant=COOLANT, name="orbital loop")
    net.flow_source("radiator_out", "gpu_in", flow_lpm=FLOW_LPM, name="pump")
    net.cold_plate(
        "gpu_in", "gpu_out", model=plate, power_w=POWER_W, heat_capacity_j_k=PLATE_C_J_K, name="gpu"
    )
    net.radiator("gpu_out", "radiator_out", model=panel, absorbed_flux_w_m2=flux, name="radiator")
    return net, panel, plate


def reference(
    panel: rf.RadiatorModel,
    plate: rf.ColdPlateModel,
    flux: rf.Profile,
    times: np.ndarray,
    substep_s: float = 1.25,
):
    capacity_rate = 1000.0 * FLOW_LPM / 60_000.0 * 4000.0
    r = float(plate.thermal_resistance_k_w(FLOW_LPM))

    def outlet(t_r: float, q: float) -> float:
        return t_r - panel.heat_rejected_w(FLOW_LPM, t_r, absorbed_flux_w_m2=q) / capacity_rate

    def rhs(t: float, y: np.ndarray) -> list[float]:
        t_g, t_r = y
        t_out = outlet(t_r, float(flux.at(t)))
        gpu = (t_g - t_out) / r
        return [(POWER_W - gpu) / PLATE_C_J_K, (capacity_rate * (t_out - t_r) + gpu) / PANEL_C_J_K]

    # the steady start, independently: the panel rejects the load at T_r (bisection)
    q0 = float(flux.at(0.0))
    lo, hi = 0.0, 150.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if panel.heat_rejected_w(FLOW_LPM, mid, absorbed_flux_w_m2=q0) > POWER_W:
            hi = mid
        else:
            lo = mid
    t_r0 = 0.5 * (lo + hi)
    t_g0 = outlet(t_r0, q0) + r * POWER_W
    # RK4 on a grid holding every output time and every breakpoint of the flux
    grid = np.unique(np.concatenate([times, flux.time_s[flux.time_s < times[-1]]]))
    y = np.array([t_g0, t_r0])
    values = {0.0: y.copy()}
    for a, b in itertools.pairwise(grid):
        n = max(1, int(np.ceil((b - a) / substep_s - 1e-9)))
        h = (b - a) / n
        for i in range(n):
            t = a + i * h
            k1 = np.array(rhs(t, y))
            k2 = np.array(rhs(t + 0.5 * h, y + 0.5 * h * k1))
            k3 = np.array(rhs(t + 0.5 * h, y + 0.5 * h * k2))
            k4 = np.array(rhs(t + h, y + h * k3))
            y = y + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        values[float(b)] = y.copy()
    out = np.array([values[float(t)] for t in times])
    return out[:, 0], out[:, 1], (t_g0, t_r0)


@pytest.fixture(scope="module")
def runs():
    flux = orbit_flux()
    net, panel, plate = network(flux)
    out = {dt: net.simulate(end_time_s=ORBITS * PERIOD_S, time_step_s=dt) for dt in (20.0, 10.0, 5.0)}
    times = out[5.0].times_s
    gpu, radiator, start = reference(panel, plate, flux, times)
    return flux, panel, plate, out, (times, gpu, radiator, start)


def test_steady_start_is_the_lumped_equilibrium(runs) -> None:
    _, _, _, out, (_, _, _, (t_g0, t_r0)) = runs
    run = out[5.0]
    assert run.radiator_inlet_c[0, 0] == pytest.approx(t_r0, abs=1e-6)
    assert run.gpu_c("gpu")[0] == pytest.approx(t_g0, abs=1e-6)
    assert run.radiator_heat_w[0, 0] == pytest.approx(POWER_W, rel=1e-8)


def test_orbit_against_the_lumped_ode(runs) -> None:
    _, _, _, out, (times, gpu_ref, panel_ref, _) = runs
    errors = {}
    for dt, run in out.items():
        at = np.searchsorted(times, run.times_s)
        assert np.allclose(times[at], run.times_s)
        errors[dt] = (
            float(np.max(np.abs(run.gpu_c("gpu") - gpu_ref[at]))),
            float(np.max(np.abs(run.radiator_inlet_c[:, 0] - panel_ref[at]))),
        )
    swing = float(np.ptp(gpu_ref))
    # the orbit moves the junction by several kelvin; the 5 s network is within 1 % of that swing
    assert swing > 5.0
    assert errors[5.0][0] < 0.01 * swing and errors[5.0][1] < 0.01 * swing
    # first order: the error halves with the step (ratios 1.8–2.2)
    for coarse, fine in ((20.0, 10.0), (10.0, 5.0)):
        for j in (0, 1):
            assert 1.8 < errors[coarse][j] / errors[fine][j] < 2.2, errors


def test_energy_is_conserved_through_the_orbit(runs) -> None:
    out = runs[3]
    run = out[10.0]
    assert run.energy_balance_error() < 1e-9
    # heat out is the radiators' heat; in eclipse the panels reject more than the load
    np.testing.assert_allclose(run.heat_out_w, run.radiator_heat_w[:, 0], rtol=0, atol=1e-9)
    assert run.radiator_heat_w[:, 0].max() > POWER_W > run.radiator_heat_w[:, 0].min()
    frame = run.to_frame("radiators")
    assert list(frame.columns) == [
        "time_s",
        "radiator",
        "inlet_c",
        "outlet_c",
        "heat_w",
        "absorbed_flux_w_m2",
    ]
    assert run.cdu_names == []


def test_quasi_steady_plate_reproduces_the_lumped_radiator_model() -> None:
    """With no plate capacity the loop is RadiatorModel.simulate's (Dormand–Prince, another
    implementation): ``C dT/dt = P − Q(T, q(t))``."""
    flux = orbit_flux()
    net, panel, _ = network(flux)
    net.edge("gpu").component = rf.network.ColdPlate(plate_model(), POWER_W, 0.0)
    run = net.simulate(end_time_s=PERIOD_S, time_step_s=5.0)
    lumped = panel.simulate(
        power_w=POWER_W,
        flow_lpm=FLOW_LPM,
        absorbed_flux_w_m2=flux,
        end_time_s=PERIOD_S,
        initial_c=float(run.radiator_inlet_c[0, 0]),
        output_times_s=run.times_s,
        rtol=1e-10,
        atol=1e-10,
    )
    swing = float(np.ptp(lumped.temperature_c))
    assert np.max(np.abs(run.radiator_inlet_c[:, 0] - lumped.temperature_c)) < 0.01 * swing


def test_a_constant_environment_stays_at_the_steady_solve() -> None:
    net, _, _ = network(SUN_W_M2)
    steady = net.solve().radiators()
    run = net.simulate(end_time_s=600.0, time_step_s=10.0)
    assert run.radiator_outlet_c[-1, 0] == pytest.approx(float(steady["outlet_c"].iloc[0]), abs=1e-6)
    assert run.radiator_heat_w[-1, 0] == pytest.approx(POWER_W, rel=1e-7)


def test_radiator_inputs_are_checked() -> None:
    net, panel, _ = network(SUN_W_M2)
    with pytest.raises(rf.errors.NetworkError, match="absorbed_flux_w_m2 must be >= 0"):
        net.radiator("x", "y", model=panel, absorbed_flux_w_m2=rf.Profile(time_s=[0, 1], value=[1.0, -1.0]))
    with pytest.raises(rf.errors.NetworkError, match="heat_capacity_j_k must be >= 0"):
        net.radiator("x", "y", model=panel, heat_capacity_j_k=-1.0)
    net2, _, _ = network(orbit_flux())
    with pytest.raises(rf.errors.NetworkError, match="time-varying Profile"):
        net2.solve()
