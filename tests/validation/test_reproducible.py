"""Issue 16: the same case gives the same bits in every run, at any thread count.

Stop 34 measured the bundled pin-fin plate at two threads taking 128 / 131 / 128 outer iterations in
its first coupling pass in three runs of one build, and its final R_th at 0.15912 and 0.15940 K/W in
two: rayon's sums added their partials in a tree shaped by work stealing, so dot products, norms
and residuals differed in their last bits from run to run, and a converged case's path (and with a
frozen limiter, its answer) with them. Since stop 35 every reduction adds fixed blocks in order
(``rackflow_core::linalg::ordered_sum``).

The case: ``benchmarks/straight_channel_cht.py``'s conjugate channel on Gmsh OCC tetrahedra of
0.4 mm (33,017 cells, so every field is several 8,192-row blocks), solved at the defaults with
two threads twice and with one thread once: every field bit for bit, and the same iterations.
About 45 CPU seconds.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.straight_channel_cht import channel_case, mesh_for

pytestmark = pytest.mark.validation


def _solve(mesh: object, threads: int) -> object:
    case, _ = channel_case(mesh)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = case.solve(threads=threads)
    # the energy's bounds repair makes some coolant cells first order (383, measured): the
    # warnings, and the cells, must be the same in every run too
    result.caught = sorted(str(w.message) for w in caught)
    return result


def _outputs(result: object) -> dict:
    """The summary's numbers but its timing."""
    return {k: v for k, v in result.summary().to_dict().items() if k != "solve_time_s"}


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def test_a_tetrahedral_conjugate_case_gives_the_same_bits_every_run_at_any_thread_count(
    tmp_path: Path,
) -> None:
    import rackflow as rf

    path, _ = mesh_for("tet", 0.4, tmp_path)
    mesh = rf.load_mesh(path)
    assert mesh.n_cells > 4 * 8192
    first, again, single = _solve(mesh, 2), _solve(mesh, 2), _solve(mesh, 1)
    for other, label in ((again, "second run, 2 threads"), (single, "1 thread")):
        for field in ("temperature_c", "velocity_m_s", "pressure_pa"):
            a, b = getattr(first, field), getattr(other, field)
            differ = int(np.count_nonzero(_bits(a) != _bits(b)))
            assert differ == 0, f"{label}: {field} differs in {differ} of {a.size} values"
        for key in ("flow_iterations", "coupling_passes"):
            assert other.report.get(key) == first.report.get(key), (label, key)
        assert _outputs(other) == _outputs(first), label
        assert other.caught == first.caught, label
