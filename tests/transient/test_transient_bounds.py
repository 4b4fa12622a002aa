"""The maximum principle in time: no transient step may leave a coolant cell hotter than
everything that heats it (or colder than every supply), the previous levels included.

One implicit step with a bounded convection keeps each coolant cell within the bounds of a steady
solve with the step's conditions, widened to the previous levels as the time derivative holds the
cell to them (Euler: the previous field; BDF2: ``(4 T⁰ − T⁻¹)/3`` at equal steps, which may lie
beyond both levels). A second-order convection whose deferred correction is not iterated out (a
loose ``tolerance``) breaks them.

Here water enters a jittered tetrahedral channel (1,536 cells) at 90 °C into coolant at 30 °C,
fixed 1 ms steps, ``linear_upwind``, ``tolerance=0.9`` (one pass per step). Measured on the build
without the step bounds (main at 3f702db): the run returns a coolant cell at 120.40 °C, 30.40 K
above the inlet, the worst step 6.25 K above its bound; with the bounds the step to 6 ms is
rejected (103.52 °C, 4.69 K above its bound of 98.84 °C). With first-order ``upwind`` the step
operator is linear, two-point and upwind, bounded by construction and not checked; the run is
accepted (BDF2's own overshoot of the front stays within the step bounds: measured 1.71 K above
the inlet at 1 ms steps, none above a step bound).
"""

from __future__ import annotations

import numpy as np
import pytest
import rackflow as rf
from rackflow.errors import ConvergenceError
from rackflow.testing.fluids import constant_coolant
from rackflow.testing.meshes import box

INLET_C = 90.0
START_C = 30.0


def _front(convection: str, **settings: float) -> tuple[rf.Case, dict[str, object]]:
    # no warning from this mesh or its solves (measured): none is filtered, so any new one fails
    mesh = rf.Mesh.from_meshio(box((16, 4, 4), (0.008, 0.002, 0.002), cells="tetra", jitter=0.45, seed=1))
    case = rf.Case(mesh)
    case.fluid(
        "box",
        constant_coolant("waterish"),
    )
    case.inlet("xmin", velocity_m_s=0.3, temperature_c=rf.Profile(time_s=[0.0], value=[INLET_C]))
    case.outlet("xmax", pressure_pa=0.0)
    run = {
        "end_time_s": 0.01,
        "time_step_s": 1e-3,
        "output_times_s": list(np.linspace(0.0, 0.01, 11)),
        "threads": 1,
        "progress": False,
        "convection": convection,
        "initial_temperature_c": START_C,
        **settings,
    }
    return case, run


def test_a_second_order_step_above_its_bounds_is_rejected() -> None:
    case, run = _front("linear_upwind", tolerance=0.9)
    with pytest.raises(ConvergenceError, match="hotter than every solid, wall and inlet") as info:
        case.solve_transient(**run)
    assert info.value.status == "non_physical"
    message = str(info.value)
    assert "in the step to " in message and "previous time levels" in message
    assert "region 'box'" in message
    assert info.value.position_m is not None
    # the rejected step's field (kelvin; ``partial_result`` holds the steps before it, see
    # test_transient_partial): a coolant
    # cell well above the inlet, with nothing in the channel heated
    field_c = info.value.partial_fields["temperature_k"] - 273.15
    assert float(np.max(field_c)) > INLET_C + 3.0


def test_a_bounded_step_is_accepted_with_bdf2_overshooting_the_inlet() -> None:
    case, run = _front("upwind")
    result = case.solve_transient(**run)
    hottest = float(np.max(result.temperature_c))
    # BDF2 extrapolates the previous levels past the inlet temperature (measured 91.71 °C): the
    # step bound is the scheme's (4 T⁰ − T⁻¹)/3, which this stays within; the previous field
    # alone would be crossed by 0.44 of the allowance
    assert INLET_C + 0.5 < hottest < INLET_C + 5.0, hottest
    assert float(np.min(result.temperature_c)) > START_C - 0.5
