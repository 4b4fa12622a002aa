"""Issue 16: no coolant hotter than everything that heats it (the maximum principle from above).

With no heat source inside the coolant, a coolant cell cannot be hotter than the hottest solid
cell, wall or inlet temperature around it. A second-order convection can put it there all the
same: on the corpus serpentine plate, with an experimental flow change, a near-stagnant corner
cell converged at 102.1 °C with the hottest solid at 64.5 °C (``benchmarks/RESULTS.md``, stop 26).

Here a copper base heated from below (2e5 W/m²) carries a rib across a water channel, meshed
as jittered Kuhn tetrahedra (4,608 cells): in the separated flow behind the rib the second-order
energy convection overshoots. Measured on the build without the ceiling (main at 4982165): the
hottest coolant cell at 160.16 °C with the hottest copper at 134.91 °C; with first-order upwind
throughout the coolant stays below the copper (116.97 against 117.82 °C).
"""

from __future__ import annotations

import numpy as np
import pytest
import rackflow as rf
from rackflow.errors import ConvectionFallbackWarning, ConvergenceError
from rackflow.testing.fluids import constant_coolant
from rackflow.testing.meshes import box

INLET_C = 30.0


@pytest.fixture(scope="module")
def rib_case() -> rf.Case:
    regions = {
        "base": lambda c: (c[:, 2] < 0.001) | ((c[:, 0] > 0.004) & (c[:, 0] < 0.005) & (c[:, 2] < 0.003)),
        "channel": lambda c: np.ones(len(c), dtype=bool),
    }
    mesh = rf.Mesh.from_meshio(
        box((24, 4, 8), (0.012, 0.002, 0.004), cells="tetra", regions=regions, jitter=0.3, seed=0)
    )
    case = rf.Case(mesh)
    case.solid("base", "copper")
    case.fluid(
        "channel",
        constant_coolant("waterish"),
    )
    case.heat_flux("zmin", flux_w_m2=2e5)
    case.inlet("xmin", velocity_m_s=0.3, temperature_c=INLET_C)
    case.outlet("xmax", pressure_pa=0.0)
    case.symmetry("ymin")
    case.symmetry("ymax")
    return case


def hottest(case: rf.Case, temperature_c: np.ndarray) -> tuple[float, float, float]:
    """The hottest coolant cell, the hottest copper cell and the coldest coolant cell, °C."""
    coolant = temperature_c[case.mesh.cells_of("channel")]
    return float(coolant.max()), float(temperature_c[case.mesh.cells_of("base")].max()), float(coolant.min())


def test_an_overshooting_coolant_cell_is_made_first_order(rib_case: rf.Case) -> None:
    # the energy's local first order, and nothing else (pytest.warns re-raises any other warning)
    with pytest.warns(ConvectionFallbackWarning, match="hotter than everything that heats it"):
        result = rib_case.solve(threads=1, progress=False)
    coolant_max, solid_max, coolant_min = hottest(rib_case, result.temperature_c)
    # the ceiling is the hottest copper (no wall is hotter, the inlet is colder); the repair
    # leaves no coolant cell above it by more than 1 % of the span (measured: 135.32 °C against
    # 134.42 °C, 0.90 K in a 105.3 K span)
    ceiling = max(solid_max, INLET_C)
    assert coolant_max <= ceiling + 0.01 * (ceiling - min(coolant_min, ceiling))
    assert result.report["energy_first_order_cells"] > 0
    assert abs(result.energy_balance_error) < 1e-3


def test_second_order_or_an_error_rejects_the_overshoot(rib_case: rf.Case) -> None:
    # `linear_upwind` takes no local first order: the overshoot stays and the field is rejected,
    # naming where (measured: 157.26 °C, 21.81 K above the copper's 135.44 °C; with the flow of
    # the unrelaxed diagonal's Rhie–Chow dissipation 146.77 °C above 96.30 °C, and a cell at
    # −6.63 °C below the 30 °C inlet, which is named first)
    bounds = "hotter than every solid, wall and inlet|colder than every wall, ambient and inlet"
    with pytest.raises(ConvergenceError, match=bounds) as info:
        rib_case.solve(threads=1, progress=False, convection="linear_upwind")
    assert info.value.status == "non_physical"
    assert "region 'channel'" in str(info.value)
    partial = info.value.partial_result
    assert partial is not None
    coolant_max, solid_max, _ = hottest(rib_case, partial.temperature_c)
    assert coolant_max > solid_max + 5.0
