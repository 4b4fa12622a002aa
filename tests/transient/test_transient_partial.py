"""A transient run that fails part-way keeps the steps it completed: ``err.partial_result`` is a
:class:`TransientResult` of them, flagged ``partial``, equal to the digit to a run of the same
trace that ends at the last completed step (the core hands over what it recorded, nothing is
solved again).

Two ways to fail: a step the supply-bounds check rejects (the second-order front of
``test_transient_bounds``: the step to 6 ms is rejected, measured) and a progress callback that
raises (the interrupt path Ctrl-C takes).
"""

from __future__ import annotations

import numpy as np
import pytest
import rackflow as rf
from rackflow.errors import ConvergenceError, RackflowError
from rackflow.testing.meshes import box
from test_transient_bounds import _front

COPPER = rf.Material("cu", conductivity_w_mk=400.0, density_kg_m3=8933.0, specific_heat_j_kgk=385.0)


def _assert_same_steps(partial: rf.TransientResult, prefix: rf.TransientResult) -> None:
    """Every field and trace the two runs store, bit for bit; the output times to round-off (a run
    ending at the partial's last step time takes that time, summed step by step, for an output
    time asked at it: 2e-19 s from the requested value was seen, depending on where the stop fell)."""
    np.testing.assert_allclose(partial.times_s, prefix.times_s, rtol=0.0, atol=1e-15)
    np.testing.assert_array_equal(partial.step_times_s, prefix.step_times_s)
    np.testing.assert_array_equal(partial.temperature_c, prefix.temperature_c)
    for region in prefix.mesh.regions:
        np.testing.assert_array_equal(
            partial.step_max_temperature_c(region), prefix.step_max_temperature_c(region)
        )
        np.testing.assert_array_equal(partial.power_w(region), prefix.power_w(region))
    for patch in prefix.mesh.patches:
        np.testing.assert_array_equal(partial.heat_flow_w(patch), prefix.heat_flow_w(patch))
    frame_a, frame_b = partial.to_frame(), prefix.to_frame()
    assert list(frame_a.columns) == list(frame_b.columns)
    np.testing.assert_array_equal(frame_a.to_numpy(), frame_b.to_numpy())
    for key in (
        "heat_in_j",
        "heat_in_trapezoid_j",
        "stored_change_j",
        "discrete_stored_change_j",
        "steps_accepted",
    ):
        assert partial.report[key] == prefix.report[key], key


def test_a_rejected_step_keeps_the_steps_before_it() -> None:
    case, run = _front("linear_upwind", tolerance=0.9)
    with pytest.raises(ConvergenceError, match=r"in the step to 6\.000000e-3 s") as info:
        case.solve_transient(**run)
    err = info.value
    assert err.status == "non_physical"
    partial = err.partial_result
    assert isinstance(partial, rf.TransientResult)
    assert partial.partial and partial.completed_to_s == pytest.approx(0.005, abs=1e-15)
    assert any("completed 5 steps to 0.005 s" in note for note in err.__notes__)
    # the rejected step's own field stays where it was (the last iterate, kelvin)
    assert float(np.max(err.partial_fields["temperature_k"] - 273.15)) > 93.0
    # the same trace, run to the last completed step: the outputs up to there
    outputs = [t for t in run["output_times_s"] if t <= partial.completed_to_s + 1e-15]
    prefix = case.solve_transient(**{**run, "end_time_s": partial.completed_to_s, "output_times_s": outputs})
    assert not prefix.partial and len(prefix.times_s) == 6
    _assert_same_steps(partial, prefix)
    # the partial run is a run: an instant of it, the frozen flow
    np.testing.assert_array_equal(partial.at(0.004).temperature_c, prefix.at(0.004).temperature_c)
    np.testing.assert_array_equal(partial.outlet_temperature_c("xmax"), prefix.outlet_temperature_c("xmax"))


class _Stop(Exception):
    pass


def _slab() -> rf.Case:
    mesh = rf.Mesh.from_meshio(box((40, 4, 4), (0.01, 0.002, 0.002), cells="hexahedron"))
    case = rf.Case(mesh)
    case.solid("box", material=COPPER)
    case.fixed_temperature("xmin", temperature_c=rf.Profile(time_s=[0.0], value=[120.0]))
    return case


def test_an_interrupted_run_keeps_the_steps_it_completed() -> None:
    case = _slab()
    times = list(np.linspace(0.0, 0.2, 2001))
    run = {
        "end_time_s": 0.2,
        "time_step_s": 1e-4,
        "initial_temperature_c": 20.0,
        "threads": 1,
        "output_times_s": times,
    }

    def stop(step: int, _: dict[str, float]) -> None:
        if step >= 3:
            raise _Stop

    with pytest.raises(_Stop) as info:
        case.solve_transient(progress=stop, **run)
    partial = info.value.partial_result
    # the core stops at the first step after the callback raised (it runs on another thread):
    # at least the three steps the callback saw, far from the 2,000 of the run
    assert partial.partial and 3 <= partial.report["steps_accepted"] < 100
    assert partial.completed_to_s == partial.step_times_s[-1] < 0.2
    prefix = case.solve_transient(
        **{**run, "end_time_s": partial.completed_to_s, "output_times_s": times[: len(partial.times_s)]}
    )
    _assert_same_steps(partial, prefix)


def test_a_partial_run_before_its_first_output_has_only_step_traces() -> None:
    case = _slab()

    def stop(step: int, _: dict[str, float]) -> None:
        raise _Stop

    with pytest.raises(_Stop) as info:
        case.solve_transient(
            end_time_s=0.2,
            time_step_s=1e-4,
            initial_temperature_c=20.0,
            threads=1,
            output_times_s=[0.2],
            progress=stop,
        )
    partial = info.value.partial_result
    assert len(partial.times_s) == 0 and partial.temperature_c.shape == (0, case.mesh.n_cells)
    assert len(partial.step_times_s) >= 2 and partial.step_max_temperature_c("box")[-1] > 20.0
    assert "partial" in repr(partial)
    with pytest.raises(RackflowError, match="before its first output time"):
        partial.at(0.0)


def test_a_run_that_fails_before_its_start_has_no_partial_result() -> None:
    case, run = _front("linear_upwind", flow_max_iterations=2)
    # the first (frozen) flow solve stops after 2 iterations: no step was taken
    with pytest.raises(ConvergenceError) as info:
        case.solve_transient(**run)
    assert info.value.equation == "flow"
    assert info.value.partial_result is None
