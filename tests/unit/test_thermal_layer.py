"""The laminar thermal entry layer check (issue 16, stop 32): a heat-carrying coolant wall whose
cells are taller than the layer is thick gets a ThermalLayerWarning naming it; the numbers are
``Case.thermal_layer_resolution()``, known before solving."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rackflow as rf
from rackflow.case import THERMAL_LAYER_RATIO_MAX
from rackflow.errors import ThermalLayerWarning
from rackflow.meshing import channel_unit

L, W = 0.01, 0.001  # a 1 × 1 mm channel, 10 mm long (D_h 1 mm)
U = 0.5


def _case(tmp_path: Path, n: int) -> rf.Case:
    path = channel_unit(
        tmp_path / f"unit-{n}.msh",
        length_m=L,
        channel_width_m=W,
        channel_height_m=W,
        half_fin_m=0.0005,
        base_thickness_m=0.0005,
        cover_thickness_m=0.0005,
        cells_across_channel=n,
        n_along=20,
    )
    case = rf.Case(rf.load_mesh(path))
    case.solid("solid", material="copper")
    case.fluid("fluid", coolant="PG25")
    case.inlet("inlet", velocity_m_s=U, temperature_c=35.0)
    case.outlet("outlet", pressure_pa=0.0)
    case.heat_flux("heated", flux_w_m2=1e5)
    return case


def test_wall_cell_heights_of_hexahedra(tmp_path: Path) -> None:
    walls = _case(tmp_path, 4).mesh.wall_cells("fluid")
    assert set(walls) == {"inlet", "outlet", "interface:solid"}
    np.testing.assert_allclose(walls["interface:solid"]["heights"], W / 4, rtol=1e-9)
    np.testing.assert_allclose(walls["inlet"]["heights"], L / 20, rtol=1e-9)
    # the interface: floor, two side walls and the lid of the channel
    assert walls["interface:solid"]["areas"].sum() == pytest.approx(4 * W * L, rel=1e-9)


def test_the_layer_thickness_is_leveques(tmp_path: Path) -> None:
    case = _case(tmp_path, 4)
    (name, w), *others = case.thermal_layer_resolution().items()
    assert name == "interface:solid" and not others  # inlet and outlet carry no heat through a wall
    props = rf.get_coolant("PG25").properties(35.0)
    nu = float(props["viscosity_pa_s"]) / float(props["density_kg_m3"])
    pr = float(props["specific_heat_j_kgk"] * props["viscosity_pa_s"] / props["conductivity_w_mk"])
    assert w["reynolds"] == pytest.approx(U * W / nu, rel=1e-6)
    assert w["prandtl"] == pytest.approx(pr, rel=1e-6)
    # the mean of D_h (x / (D_h Re Pr))^⅓ over 0 < x < L is 3/4 of its value at L (the faces'
    # distances from the inlet's centre are a little longer than x)
    leveque = 0.75 * W * (L / (W * w["reynolds"] * pr)) ** (1 / 3)
    assert w["layer_thickness_m"] == pytest.approx(leveque, rel=0.03)
    assert w["cell_height_m"] == pytest.approx(W / 4, rel=1e-9)


def test_coarse_wall_cells_warn_and_fine_ones_do_not(tmp_path: Path) -> None:
    assert (
        _case(tmp_path, 16).thermal_layer_resolution()["interface:solid"]["ratio"] < THERMAL_LAYER_RATIO_MAX
    )
    case = _case(tmp_path, 4)
    assert case.thermal_layer_resolution()["interface:solid"]["ratio"] > THERMAL_LAYER_RATIO_MAX
    with pytest.warns(
        ThermalLayerWarning, match="interface to solid region 'solid' of coolant region 'fluid'"
    ) as w:
        result = case.solve()
    message = str(next(x.message for x in w if x.category is ThermalLayerWarning))
    assert "boundary_layers=" in message
    assert "NOT resolved: add boundary layers" in str(result.summary())
