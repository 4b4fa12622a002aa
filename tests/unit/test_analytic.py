"""The exact solutions in rackflow.testing.analytic against independently published values."""

from __future__ import annotations

import numpy as np
import pytest
from rackflow.testing.analytic import (
    colebrook_friction_factor,
    gnielinski_nusselt,
    graetz_local_nusselt,
    petukhov_friction_factor,
)

# validation.md §4a: circular tube, local Nu_x,T (120-term Chebyshev eigen-expansion)
TUBE_X = [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1, 2e-1]
TUBE_NU = [22.279, 17.560, 12.824, 10.130, 8.036, 6.002, 4.916, 4.172, 3.710, 3.658, 3.657]


def test_graetz_tube_reproduces_the_reference_table() -> None:
    nu = graetz_local_nusselt(TUBE_X, "tube")
    # the table's values are rounded to 4-5 digits
    assert np.allclose(nu, TUBE_NU, rtol=3e-4)


def test_graetz_developed_limits() -> None:
    # validation.md §3b: Nu_T = 3.6568 (tube), 7.5407 (parallel plates)
    assert graetz_local_nusselt(1.0, "tube")[0] == pytest.approx(3.6568, rel=1e-4)
    assert graetz_local_nusselt(1.0, "plates")[0] == pytest.approx(7.5407, rel=1e-4)


def test_graetz_plates_decrease_monotonically_along_the_entry() -> None:
    nu = graetz_local_nusselt(np.geomspace(1e-4, 0.1, 30), "plates")
    assert np.all(np.diff(nu) < 0)


def test_graetz_rejects_unknown_geometry() -> None:
    with pytest.raises(ValueError, match="plates"):
        graetz_local_nusselt(0.01, "square")


def test_shah_developing_flow_limits_and_a_hand_value() -> None:
    from rackflow.testing.analytic import shah_apparent_friction_re, shah_pressure_drop_number

    # no table of f_app·Re was readable here (validation.md §4 gives the equation only): check
    # the transcription by hand at x⁺ = 0.01 (tube): 34.4 + (31.25 + 16 − 34.4)/(1 + 2.1)
    assert shah_apparent_friction_re(0.01, "circular") == pytest.approx(34.4 + 12.85 / 3.1, rel=1e-12)
    limits = {"circular": (16.0, 1.25), "parallel_plates": (24.0, 0.674), "square": (14.227, 1.43)}
    for geometry, (f_re, k_inf) in limits.items():
        # near the inlet the boundary-layer limit 3.44/√x⁺, far downstream f·Re + K(∞)/(4x⁺)
        assert shah_apparent_friction_re(1e-7, geometry) == pytest.approx(3.44 / np.sqrt(1e-7), rel=1e-3)
        far = np.array([1.0, 10.0])
        assert shah_apparent_friction_re(far, geometry) == pytest.approx(f_re + k_inf / (4 * far), rel=1e-3)
        assert shah_pressure_drop_number(10.0, geometry) == pytest.approx(4 * f_re * 10.0 + k_inf, rel=1e-5)


@pytest.mark.parametrize("reynolds", [1e4, 1e5, 1e6])
def test_petukhov_within_two_percent_of_smooth_colebrook(reynolds: float) -> None:
    assert petukhov_friction_factor(reynolds) == pytest.approx(
        colebrook_friction_factor(reynolds, 0.0), rel=0.02
    )


def test_gnielinski_near_dittus_boelter_in_its_range() -> None:
    # Dittus–Boelter (heating) 0.023 Re^0.8 Pr^0.4 is itself good to about 25 % (Incropera §8.5);
    # here the two differ by −10 … +20 %
    for reynolds in (1e4, 1e5):
        for prandtl in (0.7, 7.0):
            dittus_boelter = 0.023 * reynolds**0.8 * prandtl**0.4
            assert gnielinski_nusselt(reynolds, prandtl) == pytest.approx(dittus_boelter, rel=0.25)
    assert gnielinski_nusselt(1e4, 7.0) > gnielinski_nusselt(1e4, 0.7)
