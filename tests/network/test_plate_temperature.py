"""Cold-plate models whose thermal resistance depends on the coolant inlet temperature."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rackflow as rf
from rackflow import ColdPlateModel, Network
from rackflow.coolants import get_coolant
from rackflow.errors import CaseError, NetworkError, RackflowWarning
from rackflow.testing.meshes import box

GAMMA, T_REF = 0.004, 35.0


def synthetic() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points made from a known law: ΔP with PG25's property ratios, R with γ."""
    q, t = (a.ravel() for a in np.meshgrid([0.5, 1.0, 2.0, 3.0], [25.0, 35.0, 45.0]))
    cool = get_coolant("PG25")
    ref = cool.properties(T_REF)
    props = [cool.properties(float(ti)) for ti in t]
    mu = np.array([p["viscosity_pa_s"] for p in props]) / ref["viscosity_pa_s"]
    rho = np.array([p["density_kg_m3"] for p in props]) / ref["density_kg_m3"]
    dp = 4000.0 * q * mu + 3000.0 * q * q * rho
    r = 0.02 + 0.015 * q**-0.7 * (1 + GAMMA * (t - T_REF))
    return q, t, dp, r


def model() -> ColdPlateModel:
    q, t, dp, r = synthetic()
    return ColdPlateModel.from_points(q, dp, r, coolant="PG25", temperature_c=T_REF, inlet_c=t)


def test_fit_recovers_the_temperature_law(tmp_path: Path) -> None:
    m = model()
    assert m.pressure_coefficients_pa == pytest.approx((4000.0, 3000.0), rel=1e-9)
    assert m.resistance_coefficients == pytest.approx((0.02, 0.015, 0.7), rel=1e-6)
    assert m.resistance_temperature_coefficient_per_k == pytest.approx(GAMMA, rel=1e-6)
    assert m.temperature_range_c == (25.0, 45.0)
    assert m.fit_error["thermal_resistance_max_rel"] < 1e-8
    assert m.thermal_resistance_k_w(1.0, 45.0) == pytest.approx(0.02 + 0.015 * (1 + 10 * GAMMA), rel=1e-6)
    m.save(tmp_path / "m.json")
    back = ColdPlateModel.load(tmp_path / "m.json")
    assert back.resistance_temperature_coefficient_per_k == m.resistance_temperature_coefficient_per_k
    assert back.temperature_range_c == m.temperature_range_c
    # a single temperature fits no coefficient; temperatures need the coolant
    q, t, dp, r = synthetic()
    one = t == 35.0
    m1 = ColdPlateModel.from_points(q[one], dp[one], r[one], coolant="PG25", inlet_c=t[one])
    assert m1.resistance_temperature_coefficient_per_k == 0.0 and m1.temperature_range_c is None
    with pytest.raises(CaseError, match="needs the coolant"):
        ColdPlateModel.from_points(q, dp, r, inlet_c=t)
    with pytest.raises(CaseError, match="pairs must be distinct"):
        ColdPlateModel.from_points([1, 1, 2], [1, 1, 2], [1, 1, 2], coolant="PG25", inlet_c=[30, 30, 30])


def loop(supply_c: float) -> tuple[Network, ColdPlateModel]:
    m = model()
    net = Network("PG25")
    net.flow_source("c", "a", flow_lpm=1.5)
    net.cold_plate("a", "b", model=m, power_w=700.0, name="gpu")
    net.cdu("b", "c", supply_c=supply_c, approach_k=0.0)
    return net, m


@pytest.mark.parametrize("supply_c", [27.0, 40.0])
def test_network_evaluates_r_at_the_plate_inlet(supply_c: float) -> None:
    net, m = loop(supply_c)
    plate = net.solve().cold_plates().set_index("name").loc["gpu"]
    assert plate["inlet_c"] == pytest.approx(supply_c, abs=1e-9)
    r = m.thermal_resistance_k_w(plate["flow_lpm"], plate["inlet_c"])
    assert plate["thermal_resistance_k_w"] == pytest.approx(r, rel=1e-12)
    assert plate["gpu_temperature_c"] == pytest.approx(supply_c + 700.0 * r, rel=1e-12)


def test_inlet_temperature_outside_the_characterised_range() -> None:
    net, _ = loop(50.0)
    with pytest.raises(NetworkError, match=r"'gpu': inlet temperature 50\.00 °C is outside"):
        net.solve()
    with pytest.warns(RackflowWarning, match=r"outside its characterised range 25\.00"):
        net.solve(allow_extrapolation=True)


def test_characterise_over_inlet_temperature() -> None:
    regions = {"base": lambda c: c[:, 2] < 0.001, "channel": lambda c: c[:, 2] >= 0.001}
    mesh = rf.Mesh.from_meshio(box((20, 4, 8), (0.01, 0.001, 0.002), regions=regions))
    case = rf.Case(mesh)
    case.solid("base", "copper", power_w=5.0)
    case.fluid("channel", "water")
    case.inlet("xmin", flow_lpm=0.05, temperature_c=25.0)
    case.outlet("xmax")
    m = rf.characterise(case, flow_lpm=[0.03, 0.06, 0.12], temperature_c=[20.0, 60.0], region="base")
    assert m.temperature_range_c == (20.0, 60.0) and m.temperature_c == 40.0
    assert m.resistance_temperature_coefficient_per_k != 0.0
    case.inlet("xmin", flow_lpm=0.06, temperature_c=40.0)  # between the swept temperatures
    r = case.solve()
    assert m.thermal_resistance_k_w(0.06, 40.0) == pytest.approx(r.thermal_resistance_k_w("base"), rel=0.02)
    assert m.pressure_drop_pa(0.06, 40.0) == pytest.approx(r.pressure_drop_pa("xmin", "xmax"), rel=0.05)
    with pytest.raises(CaseError, match="temperature_c must be a number"):
        rf.characterise(case, flow_lpm=[0.03, 0.06], temperature_c="warm", region="base")
