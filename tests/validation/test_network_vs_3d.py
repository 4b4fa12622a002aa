"""Issue 6: a network of separately characterised parts against a full 3D solve of the same
small manifold with two channels (``rackflow.testing.manifold``; numbers in
``benchmarks/RESULTS.md``).

Reference: the issue asks that the network agree with the 3D solve "within the
characterisation error", taken here as the larger of the two channels' ΔP fit errors.

Mesh: 0.125 mm cells, 8 layers (36 864 cells in 3D, the 0.5 mm channels four cells wide), about
20 s a comparison on one thread. On the coarser 0.25 mm mesh (channels two cells wide) neither
solve is near mesh convergence, and the comparison there moved with the discretisation rather
than with the network: since stop 25's Rhie–Chow dissipation (V/a_P of the unrelaxed diagonal)
the 3D ΔP is 2,392 Pa against the network's 2,282, −4.6 % against fit errors of 3.3 % (before
it: 2,359 Pa, −3.3 %). Refining (stop 26, RESULTS.md), with the dissipation fix:

    cell     cells    3D ΔP    network   error    fit errors (A, B)
    0.25     4,608    2,392    2,282     −4.6 %   3.3 %, 3.3 %
    0.125   36,864    2,882    2,777     −3.6 %   4.0 %, 4.2 %
    0.083  124,416    3,057    2,991     −2.2 %   3.5 %, 5.4 %
    0.0625 294,912    3,122    3,084     −1.2 %   3.4 %, 4.8 %

the network's miss shrinks steadily as both converge; 0.125 mm is the coarsest mesh on which it
is inside the fit error (by 0.5 points: a change moving either ΔP by ~0.5 % shows here).
"""

from __future__ import annotations

import pytest
from rackflow.testing.manifold import MM, Comparison, compare

CELL_M = 0.125 * MM
NZ = 8


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare(cell_m=CELL_M, nz=NZ)


@pytest.mark.validation
def test_flow_split_within_the_characterisation_error(comparison: Comparison) -> None:
    c = comparison
    tolerance = max(c.fit_error.values())
    assert tolerance < 0.06  # the fit errors measured before (4.0 %, 4.2 %) set the tolerance
    # 3D 0.6711, network 0.6787: +1.15 % (RESULTS.md stop 26); the channels alone were +5.7 %
    assert abs(c.share_error) < tolerance, (c.share_3d, c.share_network, c.fit_error)


@pytest.mark.validation
def test_overall_pressure_drop_within_the_characterisation_error(comparison: Comparison) -> None:
    # The sharp entries take Idelchik's laminar K(Re) (about 0.50 and 0.58 at Re ≈ 890 and 660
    # against 0.40 turbulent): 3D 2,882 Pa, network 2,777 Pa, −3.6 % against fit errors of 4.0 %
    # and 4.2 % (RESULTS.md stop 26; with the turbulent K it is −7.4 %, the test below).
    c = comparison
    assert abs(c.pressure_drop_error) < max(c.fit_error.values()), (
        c.pressure_drop_3d_pa,
        c.pressure_drop_network_pa,
        c.fit_error,
    )


@pytest.mark.validation
def test_turbulent_entry_coefficient_misses_the_pressure_drop() -> None:
    """The same network with Idelchik's turbulent entry K: more than the fit error low, i.e. the
    check above does distinguish the entry models (−7.4 % against 4.2 % on this mesh)."""
    c = compare(laminar_entry=False, cell_m=CELL_M, nz=NZ)
    assert c.pressure_drop_error < -max(c.fit_error.values())
