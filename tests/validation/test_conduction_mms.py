"""Order of accuracy by a manufactured solution (Roache 2002) with temperature-dependent k.

Reference: exact field of ``rackflow.testing.analytic.ManufacturedConduction``; tolerance: the
observed L2 order over three refinements must reach 1.8 on hexahedra and mixed meshes and 1.6
on tetrahedra (the issue's acceptance levels for a second-order scheme).
"""

from __future__ import annotations

import numpy as np
import pytest
import rackflow as rf
from rackflow.testing.analytic import ManufacturedConduction
from rackflow.testing.meshes import box

pytestmark = pytest.mark.validation

MMS = ManufacturedConduction()


def l2_error(n: int, cells: str, jitter: float = 0.0) -> float:
    mesh = rf.Mesh.from_meshio(box((n, n, n), (1.0, 1.0, 1.0), cells, jitter=jitter))
    case = rf.Case(mesh)
    material = rf.Material("mms", conductivity_w_mk=MMS.conductivity_table_c())
    case.solid("box", material=material, power_density_w_m3=MMS.source_w_m3)
    for side in mesh.patches:
        case.fixed_temperature(side, temperature_c=MMS.temperature_c)
    result = case.solve(tolerance=1e-11)
    assert abs(result.energy_balance_error) < 1e-8
    exact = MMS.temperature_c(mesh.cell_centers)
    v = mesh.cell_volumes
    return float(np.sqrt(np.sum(v * (result.temperature_c - exact) ** 2) / v.sum()))


@pytest.mark.parametrize(
    ("cells", "sizes", "min_order"),
    [
        ("hexahedron", (6, 12, 24), 1.8),
        ("mixed", (6, 12, 24), 1.8),
        ("tetra", (4, 8, 16), 1.6),
    ],
)
def test_observed_order(cells: str, sizes: tuple[int, ...], min_order: float) -> None:
    errors = [l2_error(n, cells) for n in sizes]
    orders = [np.log2(errors[i] / errors[i + 1]) for i in range(len(errors) - 1)]
    assert errors[-1] < errors[0]
    assert min(orders) >= min_order, f"{cells}: L2 errors {errors}, observed orders {orders}"


def test_distorted_hexahedra_stay_second_order() -> None:
    errors = [l2_error(n, "hexahedron", jitter=0.3) for n in (6, 12, 24)]
    order = np.log2(errors[1] / errors[2])
    assert order >= 1.6, f"errors {errors}"
