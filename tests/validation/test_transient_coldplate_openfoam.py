"""Issue 19: the bundled cold plate under a GPU power trace against OpenFOAM chtMultiRegionFoam.

``reference/openfoam_transient_coldplate.json`` (``benchmarks/openfoam/transient_coldplate.py``;
the command is stored in the file) holds the hottest die temperature of the bundled plate
(89,506 hexahedra, the same cells in both codes) every OpenFOAM time step: die power 140 W →
700 W at 1 s → 140 W at 31 s, 60 s from the steady idle state, constant properties, frozen flow,
upwind. OpenFOAM ran fixed 20 ms steps (BDF2, Euler after each jump) with ten outer correctors,
which converge its segregated coupling of the five regions; it agrees with rackflow's fixed 10 ms
run within 0.0142 K at the benchmark's 153 output times.

The case is the benchmark's own (:func:`benchmarks.openfoam.transient_coldplate.solve_rackflow`).
The tolerance is the issue's 0.1 K (of a 58 K rise). Compared times: every stored time except
the first 0.1 s after each jump, where OpenFOAM's own start-up error dominates (its first 20 ms
step after the jump is first order: 1.15 K at 1.02 s with ten correctors, 0.087 K at 5 ms steps;
RESULTS.md, "What OpenFOAM needs for 0.1 K"). The validation test compares the adaptive run at
the benchmark's output times (every 0.1 s for 2 s after each jump, every 0.5 s elsewhere):
measured 0.0435 K at 2.1 s (0.103 K with adaptive 0.05 K steps, which would fail); the slow one
fixed 10 ms steps at every stored 20 ms time: measured 0.040 K at 31.14 s (0.747 K at 1.02 s if
the first 0.1 s after the jumps were compared). 2026-12-05, load 7: the validation test takes
17–21 s, the slow one about 3 min.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

REFERENCE = Path(__file__).parent / "reference" / "openfoam_transient_coldplate.json"
TOLERANCE_K = 0.1
#: OpenFOAM's first steps after a jump are its own start-up error (see the module docstring)
AFTER_JUMP_S = 0.1


def _reference() -> dict:
    return json.loads(REFERENCE.read_text())


def _compared(times: np.ndarray) -> np.ndarray:
    """The times not within ``AFTER_JUMP_S`` after a jump of the trace."""
    from benchmarks.openfoam.transient_coldplate import JUMP_DOWN_S, JUMP_UP_S

    keep = np.ones(times.shape, dtype=bool)
    for jump in (JUMP_UP_S, JUMP_DOWN_S):
        keep &= ~((times > jump + 1e-9) & (times < jump + AFTER_JUMP_S - 1e-9))
    return keep


def _stored(ref_t: np.ndarray, ref_v: np.ndarray, times: np.ndarray) -> np.ndarray:
    """The reference at ``times``: each a stored time, or (before the first jump, which OpenFOAM
    does not simulate: its record holds the steady idle value at 0 and 1 s) that steady value."""
    from benchmarks.openfoam.transient_coldplate import JUMP_UP_S

    idle = times <= JUMP_UP_S + 1e-9
    assert np.all(ref_v[ref_t <= JUMP_UP_S + 1e-9] == ref_v[0])
    idx = np.searchsorted(ref_t, times[~idle] - 1e-9)
    assert np.allclose(ref_t[idx], times[~idle], atol=1e-9), "a compared time is not a stored one"
    out = np.full(times.shape, ref_v[0])
    out[~idle] = ref_v[idx]
    return out


def _largest_difference(times: np.ndarray, die_max_k: np.ndarray) -> tuple[float, float, int]:
    """Largest |ΔT_die,max| against the reference at ``times`` (each a stored time), where,
    and how many times were compared."""
    ref = _reference()
    ref_t = np.asarray(ref["time_s"])
    ref_v = np.asarray(ref["die_max_k"])
    keep = _compared(times)
    theirs = _stored(ref_t, ref_v, times[keep])
    error = np.abs(die_max_k[keep] - theirs)
    worst = int(np.argmax(error))
    return float(error[worst]), float(times[keep][worst]), int(keep.sum())


@pytest.mark.validation
def test_reference_records_the_command_and_the_run() -> None:
    from benchmarks.openfoam.transient_coldplate import END_S, OUTPUT_TIMES_S

    ref = _reference()
    assert "benchmarks.openfoam.transient_coldplate" in ref["command"]
    assert ref["openfoam_version"] == "v1912"
    assert ref["dt_s"] == 0.02 and ref["outer_correctors"] == 10
    t = np.asarray(ref["time_s"])
    assert np.all(np.diff(t) > 0) and t[0] == 0.0 and abs(t[-1] - END_S) < 1e-9
    assert len(t) == len(ref["die_max_k"]) == ref["steps"] + 2
    # every compared output time is a stored one (or in the steady first second)
    assert _stored(t, np.asarray(ref["die_max_k"]), OUTPUT_TIMES_S).shape == OUTPUT_TIMES_S.shape
    rise = max(ref["die_max_k"]) - ref["die_max_k"][0]
    assert rise > 50.0


@pytest.mark.validation
def test_power_trace_follows_chtmultiregionfoam() -> None:
    from benchmarks.openfoam.transient_coldplate import solve_rackflow

    _, _, run, _ = solve_rackflow(step_tolerance_k=0.01)
    times = np.asarray(run.times_s)
    ours = run.max_temperature_c("die") + 273.15
    error, at, compared = _largest_difference(times, ours)
    assert compared >= 140
    assert error < TOLERANCE_K, (
        f"T_die,max differs from chtMultiRegionFoam by {error:.4g} K at t = {at:.2f} s"
    )


@pytest.mark.slow
def test_power_trace_at_every_stored_time() -> None:
    from benchmarks.openfoam.transient_coldplate import solve_rackflow

    _, _, run, _ = solve_rackflow(time_step_s=0.01, output_times_s=[0.0, 60.0])
    times = np.round(np.asarray(run.step_times_s), 9)
    ours = run.step_max_temperature_c("die") + 273.15
    on_grid = np.isclose(times / 0.02, np.round(times / 0.02), atol=1e-6)
    error, at, compared = _largest_difference(times[on_grid], ours[on_grid])
    assert compared >= 2900
    assert error < TOLERANCE_K, (
        f"T_die,max differs from chtMultiRegionFoam by {error:.4g} K at t = {at:.2f} s"
    )
