"""Issue 6: a network of separately characterised parts against a full 3D solve of the same
small manifold with two channels (``rackflow.testing.manifold``; numbers in
``benchmarks/RESULTS.md``).

Reference: the issue asks that the network agree with the 3D solve "within the
characterisation error", taken here as the larger of the two channels' ΔP fit errors (3.3 % on
this mesh). Mesh: 0.25 mm cells (4 608 in 3D, 0.5 mm channel two cells wide), a few seconds.
"""

from __future__ import annotations

import pytest
from rackflow.testing.manifold import Comparison, compare

# the 3D solve's second-order momentum takes local first-order rounds in the entry corners (323
# coolant cells, since stop 25's Rhie–Chow dissipation; none before): a converged answer
pytestmark = pytest.mark.filterwarnings("ignore::rackflow.errors.ConvectionFallbackWarning")


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare()


@pytest.mark.validation
def test_flow_split_within_the_characterisation_error(comparison: Comparison) -> None:
    c = comparison
    tolerance = max(c.fit_error.values())
    assert tolerance < 0.06  # the fit errors measured before (3.3 %, 3.3 %) set the tolerance
    # 3D 0.6657, network 0.6727: +1.06 % (RESULTS.md); the channels alone were +5.7 %
    assert abs(c.share_error) < tolerance, (c.share_3d, c.share_network, c.fit_error)


@pytest.mark.validation
def test_overall_pressure_drop_within_the_characterisation_error(comparison: Comparison) -> None:
    # The sharp entries take Idelchik's laminar K(Re) (about 0.50 and 0.58 at Re ≈ 890 and 660
    # against 0.40 turbulent): 3D 2359 Pa, network 2282 Pa, −3.3 % against fit errors of 3.3 %
    # (RESULTS.md; with the turbulent K it was −7.9 %, a strict xfail).
    c = comparison
    assert abs(c.pressure_drop_error) < max(c.fit_error.values()), (
        c.pressure_drop_3d_pa,
        c.pressure_drop_network_pa,
        c.fit_error,
    )


@pytest.mark.validation
def test_turbulent_entry_coefficient_misses_the_pressure_drop() -> None:
    """The same network with Idelchik's turbulent entry K: more than the fit error low, i.e. the
    check above does distinguish the entry models (−7.9 % on this mesh)."""
    c = compare(laminar_entry=False)
    assert c.pressure_drop_error < -max(c.fit_error.values())
