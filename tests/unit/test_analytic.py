"""The exact solutions in rackflow.testing.analytic against independently published values."""

from __future__ import annotations

import numpy as np
import pytest
from rackflow.testing.analytic import graetz_local_nusselt

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
