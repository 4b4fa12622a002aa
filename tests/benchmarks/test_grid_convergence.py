"""The grid-convergence index of the mesh-convergence benchmarks against Celik et al.'s worked
example (2008, J. Fluids Eng. 130, 078001, Table 1, column phi = p), with unequal refinement
ratios: the fixed point for the observed order is what a non-geometric mesh ladder needs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the benchmarks package lives at the repository root, next to tests/
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks._common import grid_convergence


def test_celik_table_1() -> None:
    # N 18,000 / 8,000 / 4,500 cells: r21 = 1.5, r32 = 1.333; published p 1.53, phi_ext 6.1685,
    # e_a 1.5 %, e_ext 1.7 %, GCI_fine 2.2 % (rounded as printed)
    g = grid_convergence(5.863, 5.972, 6.063, 1.5, 1.333)
    assert g.order == pytest.approx(1.53, abs=0.01)
    assert g.extrapolated == pytest.approx(6.1685, abs=1e-3)
    assert g.approximate_error == pytest.approx(0.015, abs=5e-4)
    assert g.extrapolated_error == pytest.approx(0.017, abs=5e-4)
    assert g.gci_fine == pytest.approx(0.022, abs=5e-4)
    assert not g.oscillatory


def test_equal_ratios_are_plain_richardson() -> None:
    # second-order exact data: phi = 1 + h^2 at h = 4, 2, 1
    g = grid_convergence(17.0, 5.0, 2.0, 2.0)
    assert g.order == pytest.approx(2.0)
    assert g.extrapolated == pytest.approx(1.0)
    assert g.gci_fine == pytest.approx(1.25 * (3.0 / 2.0) / 3.0)  # e_a = |5 - 2| / 2


def test_growing_changes_give_a_negative_order_and_oscillation_is_flagged() -> None:
    assert grid_convergence(1.0, 2.0, 4.0, 2.0).order == pytest.approx(-1.0)
    assert grid_convergence(1.0, 2.0, 1.5, 2.0).oscillatory
