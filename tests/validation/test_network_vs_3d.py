"""Issue 6: a network of separately characterised parts against a full 3D solve of the same
small manifold with two channels (``rackflow.testing.manifold``; numbers in
``benchmarks/RESULTS.md``).

Reference: the issue asks that the network agree with the 3D solve "within the
characterisation error", taken here as the larger of the two channels' ΔP fit errors (3.6 % on
this mesh). Mesh: 0.25 mm cells (4 608 in 3D, 0.5 mm channel two cells wide), a few seconds.
"""

from __future__ import annotations

import pytest
from rackflow.testing.manifold import Comparison, compare


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare()


@pytest.mark.validation
def test_flow_split_within_the_characterisation_error(comparison: Comparison) -> None:
    c = comparison
    tolerance = max(c.fit_error.values())
    assert tolerance < 0.06  # the fit errors measured before (3.6 %, 3.0 %) set the tolerance
    # 3D 0.6672, network 0.6690: +0.26 % (RESULTS.md); the channels alone were +5.5 %
    assert abs(c.share_error) < tolerance, (c.share_3d, c.share_network, c.fit_error)


@pytest.mark.validation
@pytest.mark.xfail(
    strict=True,
    reason="the network's overall ΔP is 6.9 % low (RESULTS.md): the 3D channels lose more behind "
    "the sharp entry at Re ~ 1e3 than Idelchik's coefficient and the characterised development",
)
def test_overall_pressure_drop_within_the_characterisation_error(comparison: Comparison) -> None:
    c = comparison
    assert abs(c.pressure_drop_error) < max(c.fit_error.values()), (
        c.pressure_drop_3d_pa,
        c.pressure_drop_network_pa,
    )
