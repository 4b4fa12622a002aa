"""``Result.thermal_resistance_k_w(region)`` for a region heated through a ``heat_flux`` patch (a
user's CAD plate is loaded on its face, not by a volumetric source): the heat is what enters through
the region's flux patches (stop 34; before, "generates no heat")."""

from __future__ import annotations

import pytest
import rackflow as rf
from rackflow.testing.meshes import box

LENGTH, SIDE = 0.01, 0.002  # a 10 mm copper bar, 2 × 2 mm


def _bar(n: int = 20) -> rf.Case:
    case = rf.Case(rf.Mesh.from_meshio(box((n, 2, 2), (LENGTH, SIDE, SIDE))))
    case.solid("box", material="copper")
    case.heat_flux("xmin", power_w=4.0)
    case.fixed_temperature("xmax", 25.0)
    return case


def test_a_face_loaded_region_has_a_thermal_resistance() -> None:
    result = _bar().solve()
    power = result.heat_flow_w("xmin")
    assert power == pytest.approx(4.0, rel=1e-9)
    r = result.thermal_resistance_k_w("box")
    assert r == pytest.approx((result.max_temperature_c("box") - 25.0) / power, rel=1e-12)
    # a bar conducting end to end: (L − Δx/2)/(k A) to the hottest cell's centre, k of copper
    k = 398.0
    assert r == pytest.approx((LENGTH - LENGTH / 40) / (k * SIDE * SIDE), rel=0.03)
    # the summary carries it: the sweep table's column and the printed table's R_th and heat
    assert result.summary().to_dict()["thermal_resistance_k_w.box"] == r
    (row,) = [line for line in str(result.summary()).splitlines() if line.strip().startswith("box")]
    assert f"{r:.4f}" in row and "4.00" in row, row


def test_a_region_without_any_heat_still_says_so() -> None:
    case = rf.Case(rf.Mesh.from_meshio(box((4, 2, 2), (LENGTH, SIDE, SIDE))))
    case.solid("box", material="copper")
    case.fixed_temperature("xmin", 30.0)
    case.fixed_temperature("xmax", 25.0)
    result = case.solve()
    with pytest.raises(rf.CaseError, match="no heat_flux patch heats it"):
        result.thermal_resistance_k_w("box")
