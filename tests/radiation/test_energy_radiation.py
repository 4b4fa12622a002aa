"""Radiation in the energy equation (issue 20): a plate radiating to deep space, radiation and
convection together, and a panel cooling in time against the lumped model of rackflow.orbit."""

from __future__ import annotations

import numpy as np
import pytest
import rackflow as rf
from rackflow.orbit import RadiatorPanel
from rackflow.testing.meshes import box

SIGMA = 5.670374419e-8


def _plate() -> rf.Mesh:
    # 100 × 100 × 2 mm
    return rf.Mesh.from_meshio(box((10, 10, 2), (0.1, 0.1, 0.002)))


def test_isothermal_plate_radiating_from_both_faces() -> None:
    """P = 50 W inside, 200 W/m² absorbed on each face, ε = 0.85 to a 3 K sink:
    T = ((P/A + α q)/(εσ) + T_sink⁴)^¼ per face area, to solver tolerance; the heat balance closes."""
    case = rf.Case(_plate())
    case.solid("box", material="aluminium_6061", power_w=50.0)
    for side in ("zmin", "zmax"):
        case.radiation(side, emissivity=0.85, sink_c=-270.15, absorbed_flux_w_m2=200.0)
    result = case.solve()
    exact = ((50.0 / 0.02 + 200.0) / (0.85 * SIGMA) + 3.0**4) ** 0.25 - 273.15
    assert result.max_temperature_c() == pytest.approx(exact, rel=1e-9)
    assert result.min_temperature_c() == pytest.approx(exact, rel=1e-9)
    # each face loses its half of the power plus what it absorbed: −(25 W), net of 2 W absorbed
    assert result.heat_flow_w("zmin") == pytest.approx(-25.0, rel=1e-8)
    assert abs(result.energy_balance_error) < 1e-8


def test_radiation_and_convection_on_one_patch_add() -> None:
    """A patch with both: the equilibrium solves P = A[h (T − T_a) + εσ(T⁴ − T_s⁴)] (a very
    conductive plate, so that one temperature holds through its thickness)."""
    case = rf.Case(_plate())
    case.solid("box", material=rf.Material("isothermal", conductivity_w_mk=1e5), power_w=30.0)
    case.convective("zmax", htc_w_m2k=10.0, ambient_c=25.0)
    case.radiation("zmax", emissivity=0.9, sink_c=25.0)
    t = case.solve().max_temperature_c() + 273.15
    area = 0.01
    heat = area * (10.0 * (t - 298.15) + 0.9 * SIGMA * (t**4 - 298.15**4))
    assert heat == pytest.approx(30.0, rel=1e-6)


def test_panel_cooling_in_time_follows_the_lumped_model() -> None:
    """A thin copper panel at 80 °C heated by 200 W, radiating from both faces to deep space with
    no absorbed flux: T(t) against rackflow.orbit's lumped panel (Dormand–Prince to 1e-9), within
    0.02 K at a step allowance of 0.5 mK per step (measured: 0.52, 0.025 K at 10, 2 mK)."""
    case = rf.Case(_plate())
    copper = rf.Material("cu", conductivity_w_mk=400.0, density_kg_m3=8933.0, specific_heat_j_kgk=385.0)
    case.solid("box", material=copper, power_w=200.0)
    for side in ("zmin", "zmax"):
        case.radiation(side, emissivity=0.9, sink_c=-270.15)
    times = np.linspace(0.0, 3000.0, 31)
    run = case.solve_transient(
        end_time_s=3000.0, initial_temperature_c=80.0, output_times_s=times, step_tolerance_k=5e-4
    )
    panel = RadiatorPanel(radiating_area_m2=0.02, emissivity=0.9, heat_capacity_j_k=8933.0 * 385.0 * 2e-5)
    lumped = panel.simulate(power_w=200.0, end_time_s=3000.0, initial_c=80.0, output_times_s=times)
    np.testing.assert_allclose(run.mean_temperature_c(), lumped.temperature_c, atol=0.02)
    # the per-patch heat flows over time include the radiation: εσA(T⁴ − T_s⁴) of the panel
    kelvin = run.mean_temperature_c() + 273.15
    radiated = 0.9 * SIGMA * 0.02 * (kelvin**4 - 3.0**4)
    np.testing.assert_allclose(-(run.heat_flow_w("zmin") + run.heat_flow_w("zmax")), radiated, rtol=1e-3)


def test_panel_over_an_orbit_follows_the_lumped_model() -> None:
    """A 100 × 100 × 2 mm aluminium panel carrying 20 W through two 550 km orbits (95.5 min, 35.6
    min of eclipse), its zenith face absorbing the orbit's sunlight, albedo and Earth infrared
    (white paint, α 0.2, ε 0.9; the flux an rf.Profile), both faces radiating to deep space:
    the 3D transient's mean temperature against rackflow.orbit's lumped panel with the same
    inputs (Dormand–Prince to 1e-9). The panel's time constant (m c / 4εσT³A ≈ 7 min) is short
    against the orbit, so it swings with the sunlight. Within 0.05 K at a step allowance of
    1 mK per step (measured 0.010 K at 10 and at 1 mK: the panel's own small gradients, not the
    time stepping)."""
    flux = rf.orbit.orbit_absorbed_flux(absorptivity=0.2, emissivity=0.9, altitude_m=550e3)
    orbits = 2
    end = orbits * flux.period_s
    case = rf.Case(_plate())
    aluminium = rf.Material("al", conductivity_w_mk=167.0, density_kg_m3=2700.0, specific_heat_j_kgk=896.0)
    case.solid("box", material=aluminium, power_w=20.0)
    case.radiation("zmax", emissivity=0.9, absorbed_flux_w_m2=flux.to_profile(orbits))
    case.radiation("zmin", emissivity=0.9)
    times = np.linspace(0.0, end, 97)
    run = case.solve_transient(
        end_time_s=end, initial_temperature_c=0.0, output_times_s=times, step_tolerance_k=1e-3
    )
    panel = RadiatorPanel(
        radiating_area_m2=0.02,
        emissivity=0.9,
        heat_capacity_j_k=2700.0 * 896.0 * 2e-5,
        absorbing_area_m2=0.01,
    )
    lumped = panel.simulate(
        power_w=20.0, absorbed_w_m2=flux, end_time_s=end, initial_c=0.0, output_times_s=times
    )
    swing = lumped.temperature_c.max() - lumped.temperature_c.min()
    assert swing > 30.0  # the comparison follows a real orbit's swing
    np.testing.assert_allclose(run.mean_temperature_c(), lumped.temperature_c, atol=0.05)
    # steady solves take the profile's value at t = 0 (orbit noon)
    noon = panel.equilibrium_temperature_c(20.0, float(flux.value[0]))
    assert case.solve().mean_temperature_c() == pytest.approx(noon, abs=1e-6)


def test_absorbed_flux_profile_checks() -> None:
    case = rf.Case(_plate())
    with pytest.raises(rf.CaseError, match="negative values"):
        case.radiation("zmax", absorbed_flux_w_m2=rf.Profile(time_s=[0.0, 10.0], value=[10.0, -1.0]))
    assert ("absorbed_flux", "zmax") not in case.profiles
    case.radiation("zmax", absorbed_flux_w_m2=rf.Profile(time_s=[0.0, 10.0], value=[10.0, 20.0]))
    assert case.radiation_conditions["zmax"].absorbed_flux_w_m2 == 10.0
    assert ("absorbed_flux", "zmax") in case.profiles
    case.radiation("zmax", absorbed_flux_w_m2=5.0)  # a number forgets the profile
    assert ("absorbed_flux", "zmax") not in case.profiles
