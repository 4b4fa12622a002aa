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
