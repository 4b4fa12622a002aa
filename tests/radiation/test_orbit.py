"""rackflow.orbit: the absorbed-flux formula's behaviour, the Earth view factor against direct
integration, eclipses against the shadow geometry, the lumped panel against exact solutions."""

from __future__ import annotations

import math

import numpy as np
import pytest
import rackflow as rf
from rackflow import orbit

SIGMA = 5.670374419e-8


def test_absorbed_flux_terms() -> None:
    kw = {"absorptivity": 0.2, "emissivity": 0.9, "view_factor_earth": 0.3}
    sun = 0.2 * 1361.0
    albedo = 0.2 * 1361.0 * 0.3 * 0.3
    ir = 0.9 * 237.0 * 0.3
    assert orbit.absorbed_flux_w_m2(**kw) == pytest.approx(sun + albedo + ir, rel=1e-15)
    assert orbit.absorbed_flux_w_m2(**kw, in_eclipse=True) == pytest.approx(ir, rel=1e-15)
    assert orbit.absorbed_flux_w_m2(**kw, sun_angle_deg=60.0) == pytest.approx(
        0.5 * sun + albedo + ir, rel=1e-14
    )
    assert orbit.absorbed_flux_w_m2(**kw, sun_angle_deg=120.0, albedo_angle_deg=95.0) == pytest.approx(
        ir, rel=1e-15
    )
    with pytest.raises(rf.CaseError, match="absorptivity"):
        orbit.absorbed_flux_w_m2(absorptivity=0.0, emissivity=0.9, view_factor_earth=0.3)
    with pytest.raises(rf.CaseError, match="view_factor_earth"):
        orbit.absorbed_flux_w_m2(absorptivity=0.2, emissivity=0.9, view_factor_earth=1.2)


def _earth_view_factor_by_quadrature(altitude_m: float, tilt_deg: float, n: int = 1500) -> float:
    """(1/π) ∫ max(0, cos θ) dΩ over the Earth's disc, midpoint rule in (ψ, φ) about the nadir."""
    big_h = (orbit.EARTH_RADIUS_M + altitude_m) / orbit.EARTH_RADIUS_M
    psi_max = math.asin(1.0 / big_h)
    lam = math.radians(tilt_deg)
    psi = (np.arange(n) + 0.5) / n * psi_max
    phi = (np.arange(2 * n) + 0.5) / (2 * n) * 2 * math.pi
    p, f = np.meshgrid(psi, phi, indexing="ij")
    cos_theta = math.cos(lam) * np.cos(p) + math.sin(lam) * np.sin(p) * np.cos(f)
    return float((np.maximum(cos_theta, 0.0) * np.sin(p)).sum() * (psi_max / n) * (math.pi / n) / math.pi)


@pytest.mark.parametrize("altitude_m", [400e3, 550e3, 2000e3, 35_786e3])
@pytest.mark.parametrize("tilt_deg", [0.0, 45.0, 75.0, 90.0, 110.0, 150.0])
def test_earth_view_factor_matches_integration(altitude_m: float, tilt_deg: float) -> None:
    # the midpoint rule's error at n = 1500 is below 1e-7 here
    exact = _earth_view_factor_by_quadrature(altitude_m, tilt_deg)
    assert orbit.earth_view_factor(altitude_m, tilt_deg) == pytest.approx(exact, abs=1e-7)


def test_eclipse_fraction_matches_the_shadow_geometry() -> None:
    for altitude_m, beta in [(400e3, 0.0), (550e3, 0.0), (550e3, 40.0), (1000e3, 55.0)]:
        period = orbit.orbital_period_s(altitude_m)
        t = (np.arange(200_000) + 0.5) / 200_000 * period
        _, _, shadow = orbit._orbit_state(altitude_m, beta, t)
        assert orbit.eclipse_fraction(altitude_m, beta) == pytest.approx(shadow.mean(), abs=2e-5)
    assert orbit.eclipse_fraction(550e3, orbit.critical_beta_deg(550e3) + 0.1) == 0.0
    # the project's reference orbit: 95.5 min with 35.6 min of eclipse at 550 km, β = 0
    assert orbit.orbital_period_s(550e3) / 60 == pytest.approx(95.5, abs=0.05)
    assert orbit.eclipse_duration_s(550e3, 0.0) / 60 == pytest.approx(35.6, abs=0.05)


def test_orbit_profile_of_a_zenith_radiator() -> None:
    # a zenith-facing plate sees no Earth; at β = 0 it is sunlit with cos u for |u| < 90°,
    # and the eclipse lies within the night half: its orbit mean is α S / π
    prof = orbit.orbit_absorbed_flux(absorptivity=0.2, emissivity=0.9, points=720)
    assert prof.mean() == pytest.approx(0.2 * 1361.0 / math.pi, rel=1e-4)
    assert prof(0.0) == pytest.approx(0.2 * 1361.0)
    entry, exit_ = prof.events_s
    assert exit_ - entry == pytest.approx(orbit.eclipse_duration_s(550e3), rel=1e-9)
    assert prof(0.5 * (entry + exit_)) == 0.0


def test_orbit_profile_of_a_nadir_plate() -> None:
    prof = orbit.orbit_absorbed_flux(absorptivity=0.3, emissivity=0.8, normal="nadir", points=720)
    f = orbit.earth_view_factor(550e3, 0.0)
    entry, exit_ = prof.events_s
    # in eclipse only the Earth's infrared arrives; at noon IR and full albedo
    assert prof(0.5 * (entry + exit_)) == pytest.approx(0.8 * 237.0 * f, rel=1e-12)
    assert prof(0.0) == pytest.approx(0.8 * 237.0 * f + 0.3 * 1361.0 * 0.3 * f, rel=1e-12)
    with pytest.raises(rf.CaseError, match="normal must be one of"):
        orbit.orbit_absorbed_flux(absorptivity=0.3, emissivity=0.8, normal="up")


def test_panel_equilibrium_formula() -> None:
    panel = orbit.RadiatorPanel(radiating_area_m2=2.0, emissivity=0.9, heat_capacity_j_k=5000.0)
    p, q = 1000.0, 150.0
    expected = ((p / 2.0 + q) / (0.9 * SIGMA) + 3.0**4) ** 0.25 - 273.15
    assert panel.equilibrium_temperature_c(p, q) == pytest.approx(expected, rel=1e-14)
    t = panel.equilibrium_temperature_c(p, q)
    assert abs(panel.net_heat_w(t, p, q)) < 1e-9 * p
    # domain.md §6a: one side, ε = 0.90, 60 °C radiates 629 W/m² (3 K sink)
    one_side = orbit.RadiatorPanel(radiating_area_m2=1.0, emissivity=0.9, heat_capacity_j_k=1.0)
    assert one_side.equilibrium_temperature_c(629.0) == pytest.approx(60.0, abs=0.05)


def test_panel_cooling_matches_the_exact_solution() -> None:
    # no load, 0 K sink: m c T' = −ε σ A T⁴ ⇒ T = (T0⁻³ + 3 ε σ A t / (m c))^(−1/3)
    panel = orbit.RadiatorPanel(
        radiating_area_m2=2.0, emissivity=0.85, heat_capacity_j_k=9000.0, sink_c=-273.15 + 1e-9
    )
    t = np.linspace(0.0, 20_000.0, 41)
    run = panel.simulate(power_w=0.0, end_time_s=20_000.0, initial_c=80.0, output_times_s=t)
    exact = ((80.0 + 273.15) ** -3 + 3 * 0.85 * SIGMA * 2.0 * t / 9000.0) ** (-1 / 3) - 273.15
    # the integrator keeps each step's error below 1e-9 relative: 1e-6 K over the run
    np.testing.assert_allclose(run.temperature_c, exact, atol=1e-6)


def test_panel_settles_to_equilibrium_under_constant_load() -> None:
    panel = orbit.RadiatorPanel(radiating_area_m2=2.0, emissivity=0.9, heat_capacity_j_k=4500.0)
    run = panel.simulate(power_w=800.0, absorbed_w_m2=50.0, end_time_s=30_000.0, initial_c=-50.0)
    # time constant m c / (4 ε σ A T³) ≈ 330 s at the end: 90 time constants, fully settled
    assert run.temperature_c[-1] == pytest.approx(panel.equilibrium_temperature_c(800.0, 50.0), abs=1e-6)


def test_panel_orbit_transient_becomes_periodic() -> None:
    prof = orbit.orbit_absorbed_flux(absorptivity=0.2, emissivity=0.9, points=360)
    period = prof.period_s
    panel = orbit.RadiatorPanel(
        radiating_area_m2=2.0, emissivity=0.9, heat_capacity_j_k=4500.0, absorbing_area_m2=1.0
    )
    orbits = 8
    t = np.linspace(0.0, orbits * period, orbits * 96 + 1)
    run = panel.simulate(
        power_w=300.0, absorbed_w_m2=prof, end_time_s=orbits * period, initial_c=20.0, output_times_s=t
    )
    per_orbit = run.temperature_c[:-1].reshape(orbits, 96)
    # the slowest decay, at the coldest point, is τ = m c / (4 ε σ A T_min³); a difference of
    # at most 200 K at the start shrinks by exp(−P/τ) per orbit: after six orbits the last two
    # agree to that bound (plus the integrator's 1e-9 relative steps: 1e-6 K)
    t_min = run.temperature_c.min() + 273.15
    tau = 4500.0 / (4 * 0.9 * SIGMA * 2.0 * t_min**3)
    bound = 200.0 * math.exp(-6 * period / tau)
    assert bound < 1e-9
    np.testing.assert_allclose(per_orbit[-1], per_orbit[-2], atol=bound + 1e-6)
    # and the first orbits were not periodic yet
    assert np.abs(per_orbit[1] - per_orbit[0]).max() > 1e-3
    # the swing lies between the equilibria of the darkest and brightest instants
    lo = panel.equilibrium_temperature_c(300.0, prof.value.min())
    hi = panel.equilibrium_temperature_c(300.0, prof.value.max())
    assert lo < per_orbit[-1].min() < per_orbit[-1].max() < hi


def test_reachable_from_the_package() -> None:
    assert rf.orbit.absorbed_flux_w_m2 is orbit.absorbed_flux_w_m2
    assert "orbit" in dir(rf)
