"""3D conjugate solves characterise a cold plate; the fitted model reproduces them."""

from __future__ import annotations

import numpy as np
import pytest
import rackflow as rf
from rackflow.testing.meshes import box


@pytest.fixture
def plate_case() -> rf.Case:
    regions = {"base": lambda c: c[:, 2] < 0.001, "channel": lambda c: c[:, 2] >= 0.001}
    mesh = rf.Mesh.from_meshio(box((20, 4, 8), (0.01, 0.001, 0.002), regions=regions))
    case = rf.Case(mesh)
    case.solid("base", "copper", power_w=5.0)
    case.fluid("channel", "water")
    case.inlet("xmin", flow_lpm=0.05, temperature_c=25.0)
    case.outlet("xmax")
    return case


def test_characterise_fits_the_solves(plate_case: rf.Case) -> None:
    flows = [0.03, 0.05, 0.08, 0.12]
    model = rf.characterise(plate_case, flow_lpm=flows, region="base")
    direct = []
    for q in (0.04, 0.1):
        plate_case.inlet("xmin", flow_lpm=q, temperature_c=25.0)
        r = plate_case.solve()
        direct.append((q, r.pressure_drop_pa("xmin", "xmax"), r.thermal_resistance_k_w("base")))
    for q, dp, rth in direct:  # between the characterised points the fit stays within a few per cent
        assert model.pressure_drop_pa(q) == pytest.approx(dp, rel=0.05)
        assert model.thermal_resistance_k_w(q) == pytest.approx(rth, rel=0.05)
    assert np.all(np.diff([model.pressure_drop_pa(q) for q in flows]) > 0)


def test_characterise_needs_two_flows_and_a_source(plate_case: rf.Case) -> None:
    with pytest.raises(rf.CaseError, match="two flow rates"):
        rf.characterise(plate_case, flow_lpm=[0.05])
