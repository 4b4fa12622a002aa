"""Bad coolant-flow input raises a typed rackflow error naming the item."""

from __future__ import annotations

import math

import pytest
import rackflow as rf
from rackflow.testing.meshes import box


@pytest.fixture
def channel() -> rf.Mesh:
    return rf.Mesh.from_meshio(box((6, 3, 3), (0.01, 0.002, 0.002)))


def test_missing_inlet_or_outlet(channel: rf.Mesh) -> None:
    case = rf.Case(channel)
    case.fluid("box", "water")
    with pytest.raises(rf.CaseError, match="no inlet and no outlet"):
        case.solve()
    case.inlet("xmin", flow_lpm=0.01)
    with pytest.raises(rf.CaseError, match="no outlet"):
        case.solve()


@pytest.mark.parametrize("flow", [0.0, -1.0, math.nan, math.inf])
def test_non_physical_flow_rate(channel: rf.Mesh, flow: float) -> None:
    case = rf.Case(channel)
    case.fluid("box", "water")
    case.outlet("xmax")
    # NaN and infinities cannot cross the JSON contract (refused at the call); a rate of zero or
    # below is the core's to refuse, with every other problem
    with pytest.raises(rf.CaseError, match="inlet 'xmin'"):
        case.inlet("xmin", flow_lpm=flow, temperature_c=20.0)
        case.validate()


def test_flow_given_twice_or_not_at_all(channel: rf.Mesh) -> None:
    case = rf.Case(channel)
    with pytest.raises(rf.CaseError, match="exactly one"):
        case.inlet("xmin", flow_lpm=0.1, velocity_m_s=0.1)
    with pytest.raises(rf.CaseError, match="exactly one"):
        case.inlet("xmin")


def test_unknown_coolant_lists_the_known_ones(channel: rf.Mesh) -> None:
    case = rf.Case(channel)
    with pytest.raises(rf.CaseError, match=r"(?i)unknown coolant.*PG25"):
        case.fluid("box", "unobtainium")


def test_bad_constant_property_names_it(channel: rf.Mesh) -> None:
    from rackflow.testing.fluids import ConstantFluid

    case = rf.Case(channel)
    with pytest.raises(rf.CaseError, match="viscosity_pa_s"):
        case.fluid("box", ConstantFluid(viscosity_pa_s=-1.0))


def test_fluid_cut_off_from_every_inlet() -> None:
    regions = {
        "a": lambda c: c[:, 0] < 0.004,
        "wall": lambda c: (c[:, 0] >= 0.004) & (c[:, 0] < 0.006),
        "b": lambda c: c[:, 0] >= 0.006,
    }
    mesh = rf.Mesh.from_meshio(box((10, 2, 2), (0.01, 0.002, 0.002), regions=regions))
    case = rf.Case(mesh)
    case.fluid("a", "water")
    case.fluid("b", "water")
    case.inlet("xmin", flow_lpm=0.01)
    case.outlet("xmax")
    with pytest.raises(rf.CaseError, match=r"regions \['b'\]\) are not connected to any inlet"):
        case.solve()


def test_inlet_temperature_outside_the_coolant_range(channel: rf.Mesh) -> None:
    case = rf.Case(channel)
    case.fluid("box", "water")
    case.inlet("xmin", flow_lpm=0.01, temperature_c=-20.0)
    case.outlet("xmax")
    with pytest.raises(rf.CaseError, match="valid range"):
        case.solve()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("non_orthogonal_correctors", -1, "non-negative integer"),
        ("non_orthogonal_correctors", 1.5, "non-negative integer"),
        ("non_orthogonal_correctors", 11, r"0\.\.=10"),
        ("flow_max_iterations", True, "non-negative integer"),
        ("velocity_relaxation", math.nan, "must be finite"),
        ("velocity_relaxation", 1.2, r"\(0, 1\]"),
        ("pressure_tolerance", math.inf, "must be finite"),
    ],
)
def test_bad_flow_settings_name_the_setting(channel: rf.Mesh, key: str, value: object, message: str) -> None:
    case = rf.Case(channel)
    case.fluid("box", "water")
    case.inlet("xmin", flow_lpm=0.01)
    case.outlet("xmax")
    with pytest.raises(rf.CaseError, match=f"{key}.*{message}"):
        case.solve(progress=False, **{key: value})
