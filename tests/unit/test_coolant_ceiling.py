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

import warnings

import numpy as np
import pytest
import rackflow as rf
from rackflow.errors import ConvectionFallbackWarning
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


def test_second_order_repairs_the_overshoot_at_second_order(rib_case: rf.Case) -> None:
    # `linear_upwind` takes no local first order. Until stop 35 the overshoot stayed and the field
    # was rejected (146.77 °C above the copper's 96.30 °C, a cell at −6.63 °C below the 30 °C
    # inlet): the limiter held from outer iteration 31 was stale for the converged field. Since
    # stop 36 its bounds repair lowers the held limiter in the cells out of bounds to the field's
    # own Barth–Jespersen factors, still second order (measured: coolant at most 128.49 °C against
    # the copper's 127.66 °C, 0.84 % of the span; coldest coolant 28.46 °C, 1.5 % of the span
    # below the inlet; no cell first order)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvectionFallbackWarning)
        result = rib_case.solve(threads=1, progress=False, convection="linear_upwind")
    assert result.report["energy_first_order_cells"] == 0
    assert result.report["energy_limiter_frozen_at"] is not None
    coolant_max, solid_max, coolant_min = hottest(rib_case, result.temperature_c)
    ceiling = max(solid_max, INLET_C)
    span = ceiling - min(coolant_min, INLET_C)
    assert coolant_max <= ceiling + 0.01 * span
    assert coolant_min >= INLET_C - 0.02 * span
    assert abs(result.energy_balance_error) < 1e-3
