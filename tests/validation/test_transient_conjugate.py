"""Issue 19 validation: a conjugate case in time against a 3D reference of its own.

The bundled coarse channel unit (``meshes/channel_unit_coarse.msh``: 15,360 hexahedra, a 20 mm
water channel between copper half-fins over a 1 mm base, 5e4 W/m² into the bottom), water at
0.5 m/s, flow frozen at its steady solution. From the steady state with the inlet at 27 °C, the
inlet temperature ramps to 37 °C over 2 ms. The reference is the same case with fixed 0.1 ms
steps (Courant number 0.2 in the coolant).
"""

from __future__ import annotations

import numpy as np
import pytest
import rackflow as rf

pytestmark = pytest.mark.validation

LENGTH_M, SPEED_M_S = 0.02, 0.5
END_S = 0.2
OUTPUTS = np.linspace(0.0, END_S, 51)


@pytest.fixture(scope="module")
def case_and_start() -> tuple[rf.Case, rf.Result]:
    case = rf.Case(rf.load_mesh(rf.datasets.channel_unit_coarse()))
    case.solid(
        "solid",
        material=rf.Material("cu", conductivity_w_mk=400.0, density_kg_m3=8960.0, specific_heat_j_kgk=385.0),
    )
    case.fluid(
        "fluid",
        coolant=rf.Coolant(
            "water-const",
            density_kg_m3=998.0,
            viscosity_pa_s=1e-3,
            conductivity_w_mk=0.6,
            specific_heat_j_kgk=4180.0,
        ),
    )
    case.inlet(
        "inlet", velocity_m_s=SPEED_M_S, temperature_c=rf.Profile(time_s=[0.0, 0.002], value=[27.0, 37.0])
    )
    case.outlet("outlet", pressure_pa=0.0)
    case.heat_flux("heated", flux_w_m2=5e4)
    start = case.solve(
        convection="upwind",
        tolerance=1e-9,
        velocity_tolerance=1e-7,
        pressure_tolerance=1e-7,
        mass_tolerance=1e-7,
    )
    return case, start


def _run(case_and_start: tuple[rf.Case, rf.Result], **kwargs: object) -> rf.TransientResult:
    case, start = case_and_start
    return case.solve_transient(END_S, initial=start, output_times_s=OUTPUTS, convection="upwind", **kwargs)


@pytest.fixture(scope="module")
def reference(case_and_start: tuple[rf.Case, rf.Result]) -> rf.TransientResult:
    return _run(case_and_start, time_step_s=1e-4)


def test_outlet_response_converges_to_the_small_step_reference(
    case_and_start: tuple[rf.Case, rf.Result], reference: rf.TransientResult
) -> None:
    """The outlet's mixed-mean temperature: the adaptive run (1e-3 K allowance) within 0.05 K of the
    reference at every output, and fixed steps converging on it (errors at 2 ms and 1 ms steps,
    Courant numbers 4 and 2 across the front, fall by at least 1.6×)."""
    ref = reference.outlet_temperature_c("outlet")
    adaptive = _run(case_and_start, step_tolerance_k=1e-3).outlet_temperature_c("outlet")
    assert np.abs(adaptive - ref).max() < 0.05
    errors = [
        float(np.abs(_run(case_and_start, time_step_s=dt).outlet_temperature_c("outlet") - ref).max())
        for dt in (2e-3, 1e-3)
    ]
    assert errors[0] / errors[1] > 1.6, errors


def test_transport_delay_is_length_over_bulk_velocity(reference: rf.TransientResult) -> None:
    """The front reaches the outlet at the transport delay L/U = 40 ms: at half of it the outlet
    has not moved (within 1 % of the 10 K step), and it crosses half of its rise within 10 % of
    L/U (the developed profile's fast core and the upwind scheme's diffusion spread it)."""
    outlet = reference.outlet_temperature_c("outlet")
    times = reference.times_s
    delay = LENGTH_M / SPEED_M_S
    before, after = outlet[0], outlet[-1]
    assert after - before > 8.0
    assert float(np.interp(0.5 * delay, times, outlet)) - before < 0.1
    half = float(np.interp(0.5 * (before + after), outlet, times))
    assert half == pytest.approx(delay, rel=0.1)


def test_energy_is_conserved_over_the_run(reference: rf.TransientResult) -> None:
    """Heat in − heat out over the run (trapezoidal in time) equals the change of stored energy
    within 0.1 % of the heat put in (the issue's conjugate level); the scheme's own discrete
    balance holds to 1e-5 (measured 1.13e-6), and what it misses is exactly what the steps'
    linear solves leave in Σ rᵢ (``residual_imbalance_j``; see ``benchmarks/RESULTS.md``, "The
    conjugate discrete energy balance")."""
    rep = reference.report
    heat_in = rep["heat_in_trapezoid_j"]
    assert abs(heat_in) > 1.0
    assert abs(heat_in - rep["stored_change_j"]) < 1e-3 * abs(heat_in)
    # the issue asks 1e-6 of the heat in for conduction (the lumped-block tests) and 0.1 % for
    # conjugate cases. This run's discrete balance measured 1.13e-6: every step's BiCGStab solve
    # stops at its floor 1e-8 ‖b‖ (b holds ρcV/Δt times absolute kelvin; lower floors stall
    # BiCGStab on the bundled plate), leaving Σ rᵢ per step. The frozen flow's continuity
    # residual (1.3e-8 of the inflow) does not enter: the convective term is conservative.
    # Tighter variants measured (RESULTS.md) reach 1e-7 but double the linear iterations or
    # fail on the bundled plate; none is in.
    assert rep["discrete_stored_change_j"] == pytest.approx(rep["heat_in_j"], rel=1e-5)
    assert rep["discrete_stored_change_j"] - rep["heat_in_j"] == pytest.approx(
        -rep["residual_imbalance_j"], abs=1e-3 * abs(rep["residual_imbalance_j"]) + 1e-12 * abs(heat_in)
    )


def test_discrete_balance_at_the_conduction_level(reference: rf.TransientResult) -> None:
    """The scheme's discrete balance to the issue's conduction level, 1e-6 of the heat in. A strict
    xfail at 1.13e-6 until stop 21 (each step's BiCGStab stopped at 1e-8 ‖b‖); the energy
    preconditioner that factors the coolant in flow order brings the steps' residuals lower."""
    rep = reference.report
    print(
        f"discrete balance {abs(rep['discrete_stored_change_j'] / rep['heat_in_j'] - 1):.2e} of the heat in"
    )
    assert rep["discrete_stored_change_j"] == pytest.approx(rep["heat_in_j"], rel=1e-6)
