"""The radiating-fin reference solution: two independent methods, limits with closed forms.

Lieblein's tabulated efficiencies (NASA TN D-196) were not available to the project; the
checks here are the agreement of the two solvers and exact asymptotes (see the module
``rackflow.testing.radiation_analytic``)."""

from __future__ import annotations

import math

import pytest
from rackflow.testing.radiation_analytic import (
    STEFAN_BOLTZMANN,
    fin_collocation,
    fin_first_integral,
    radiating_fin_efficiency,
)

CASES = [
    (1e-3, 0.0, 0.0, 0.0),
    (0.01, 0.0, 0.0, 0.0),
    (0.1, 0.0, 0.0, 0.0),
    (0.5, 0.0, 0.0, 0.0),
    (1.0, 0.0, 0.0, 0.0),
    (2.0, 0.0, 0.0, 0.0),
    (5.0, 0.0, 0.0, 0.0),
    (10.0, 0.0, 0.0, 0.0),
    (50.0, 0.0, 0.0, 0.0),
    (1.0, 0.0, 0.5, 0.0),  # a warm sink
    (1.0, 2.0, 0.3, 0.8),  # radiation and convection
    (0.2, 4.0, 0.0, 0.9),
]


@pytest.mark.parametrize(("n_rad", "n_conv", "sink", "ambient"), CASES)
def test_two_methods_agree(n_rad: float, n_conv: float, sink: float, ambient: float) -> None:
    a = fin_first_integral(n_rad, n_conv, sink, ambient)
    b = fin_collocation(n_rad, n_conv, sink, ambient, points=64)
    # the collocation's rounding floor (its system's condition grows as points⁴) is ~1e-12 on
    # θ; the first integral is good to ~1e-14
    assert a.tip_ratio == pytest.approx(b.tip_ratio, abs=1e-10)
    assert a.base_gradient == pytest.approx(b.base_gradient, abs=1e-10)
    # the collocation's base heat is the integral of its loss; its slope at the base agrees
    xi, theta = b.profile
    assert xi[0] == 0.0 and xi[-1] == 1.0 and theta[0] == pytest.approx(1.0, abs=1e-14)
    assert a.efficiency == pytest.approx(b.efficiency, rel=1e-9)


def test_small_parameter_expansion() -> None:
    # θ = 1 + N θ1 + N² θ2 + …: η = 1 − (4/3) N + (44/15) N² + O(N³) (derived in the module doc of
    # this test: θ1 = ξ²/2 − ξ, θ2 = ξ⁴/6 − 2ξ³/3 + 4ξ/3, ∫(4θ2 + 6θ1²) = 44/15)
    for n in (1e-3, 2e-3):
        eta = fin_first_integral(n).efficiency
        second = (eta - 1.0 + 4.0 * n / 3.0) / n**2
        # the next term changes this by O(N): about 1 % at N = 2e-3 if its coefficient is ≤ 15
        assert second == pytest.approx(44.0 / 15.0, rel=0.02)


def test_long_fin_limit() -> None:
    # 0 K sink: −θ'(0) = (2 N (1 − θ_tip⁵)/5)^½ exactly, and θ_tip → 0 for a long fin, so
    # η √(5N/2) → 1; the collocation (independent of that relation) approaches it
    for n in (100.0, 400.0):
        b = fin_collocation(n, points=96)
        assert b.efficiency * math.sqrt(5 * n / 2) == pytest.approx(math.sqrt(1 - b.tip_ratio**5), abs=1e-9)
    assert fin_collocation(400.0, points=96).tip_ratio < 0.2


@pytest.mark.parametrize(("ml", "expected"), [(1.0, 0.76159), (2.0, 0.48201)])
def test_convective_limit_is_the_classical_fin(ml: float, expected: float) -> None:
    # validation.md §7 check values of η = tanh(mL)/(mL), 5 digits
    assert fin_first_integral(0.0, ml * ml).efficiency == pytest.approx(expected, abs=5e-6)
    assert fin_collocation(0.0, ml * ml).efficiency == pytest.approx(math.tanh(ml) / ml, rel=1e-12)
    # a vanishing radiation term on top changes nothing
    assert fin_first_integral(1e-12, ml * ml).efficiency == pytest.approx(math.tanh(ml) / ml, rel=1e-9)


def test_physical_units() -> None:
    # aluminium fin 0.1 m long, 2 mm thick, ε 0.9, base 350 K, space
    eta = radiating_fin_efficiency(
        length_m=0.1, thickness_m=2e-3, conductivity_w_mk=200.0, emissivity=0.9, base_temperature_k=350.0
    )
    n = 2 * 0.9 * STEFAN_BOLTZMANN * 350.0**3 * 0.1**2 / (200.0 * 2e-3)
    assert eta == pytest.approx(fin_first_integral(n).efficiency, rel=1e-15)
    # N ≈ 0.11: η ≈ 0.88, inside the 0.8–0.9 typical of radiator fins (domain.md §6b, Lunar Base Handbook)
    assert 0.8 < eta < 0.9
