"""The thermal wall function of a turbulent coolant (issue 17): ``case.fluid(...,
thermal_wall_function="kader" | "jayatilleke")``, its checks, case files, sweeps and its effect.
The laws themselves are tested in the core (``physics::thermal_wall``) against the published
formulas; the validation against OpenFOAM is ``tests/validation/test_turbulent_heat_openfoam.py``."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rackflow as rf
from rackflow import _core
from rackflow.settings import ThermalWallFunction
from rackflow.sweep import apply_axis
from rackflow.testing.meshes import box


@pytest.fixture(scope="module")
def duct() -> rf.Mesh:
    # a 2 mm square duct, 20 mm long (as test_turbulence_input.py)
    return rf.Mesh.from_meshio(box((10, 4, 4), (0.02, 0.002, 0.002)))


#: Water at 30 °C with constant properties (Pr 5.44): the flow does not depend on the temperature.
WATER_30C = rf.Coolant(
    "water at 30 °C",
    density_kg_m3=996.0,
    viscosity_pa_s=8.0e-4,
    conductivity_w_mk=0.615,
    specific_heat_j_kgk=4180.0,
)


def heated_duct(mesh: rf.Mesh, thermal_wall_function: str | None) -> rf.Case:
    case = rf.Case(mesh)
    if thermal_wall_function is None:
        case.fluid("box", coolant=WATER_30C, turbulence="k-omega-sst")
    else:
        case.fluid(
            "box", coolant=WATER_30C, turbulence="k-omega-sst", thermal_wall_function=thermal_wall_function
        )
    case.inlet("xmin", flow_lpm=1.0, temperature_c=30.0)
    case.outlet("xmax")
    for p in ("ymin", "ymax", "zmin", "zmax"):
        case.fixed_temperature(p, 40.0)
    return case


def test_unknown_name_lists_the_available_ones(duct: rf.Mesh) -> None:
    case = rf.Case(duct)
    with pytest.raises(
        rf.CaseError, match=r"unknown thermal wall function 'spalding'.*'kader', 'jayatilleke'"
    ):
        case.fluid("box", coolant="water", thermal_wall_function="spalding")
    with pytest.raises(rf.CaseError, match="unknown thermal wall function"):
        case.fluid("box", coolant="water", thermal_wall_function=None)  # type: ignore[arg-type]


def test_on_a_solid_or_a_laminar_region_is_an_error(duct: rf.Mesh) -> None:
    case = rf.Case(duct)
    case.solid("box", material="copper")
    with pytest.raises(rf.CaseError, match=r"thermal_wall_function='jayatilleke'.*region 'box'.*solid"):
        case.fluid("box", coolant="water", thermal_wall_function="jayatilleke")
    case = rf.Case(duct)
    with pytest.raises(rf.CaseError, match=r"turbulence='laminar'"):
        case.fluid("box", coolant="water", turbulence="laminar", thermal_wall_function="jayatilleke")
    # the default is no request: a laminar region takes it
    case.fluid("box", coolant="water", turbulence="laminar", thermal_wall_function="kader")


def test_default_is_kader_and_reaches_the_core(duct: rf.Mesh) -> None:
    default = heated_duct(duct, None)
    assert default.fluids["box"].thermal_wall_function == ThermalWallFunction.KADER
    (fluid,) = default.to_core()["fluids"]
    assert fluid["thermal_wall_function"] == "kader"
    (fluid,) = heated_duct(duct, "jayatilleke").to_core()["fluids"]
    assert fluid["thermal_wall_function"] == "jayatilleke"
    # the core refuses a name it does not know (a JSON case written by hand)
    description = heated_duct(duct, None).to_core()
    description["fluids"][0]["thermal_wall_function"] = "spalding"
    with pytest.raises(rf.CaseError, match="spalding"):
        _core.validate_case(duct._core, json.dumps(description))


def test_case_file_round_trip(duct: rf.Mesh) -> None:
    text = heated_duct(duct, "jayatilleke").to_toml(mesh_path="duct.msh")
    assert 'thermal_wall_function = "jayatilleke"' in text
    assert rf.Case.from_toml(text, mesh=duct).fluids["box"].thermal_wall_function == "jayatilleke"
    # the default is not written, so existing case files and sweep hashes do not change
    assert "thermal_wall_function" not in heated_duct(duct, None).to_toml(mesh_path="duct.msh")
    bad = text.replace('"jayatilleke"', '"spalding"')
    with pytest.raises(rf.CaseFileError, match="spalding"):
        rf.Case.from_toml(bad, mesh=duct)


def test_a_coolant_sweep_keeps_the_regions_models(duct: rf.Mesh) -> None:
    case = heated_duct(duct, "jayatilleke")
    apply_axis(case, "coolant", "PG25")
    fluid = case.fluids["box"]
    assert fluid.coolant.name == "PG25"
    assert fluid.turbulence == "k-omega-sst"
    assert fluid.thermal_wall_function == "jayatilleke"


def test_jayatilleke_moves_only_the_wall_heat(duct: rf.Mesh) -> None:
    # Pr 5.44: Jayatilleke's T⁺ is above Kader's at these wall y⁺, so its walls conduct less;
    # the flow is the same solve (constant properties: the law enters the energy equation only)
    kader = heated_duct(duct, None).solve()
    explicit = heated_duct(duct, "kader").solve()
    jay = heated_duct(duct, "jayatilleke").solve()
    assert np.array_equal(explicit.temperature_c, kader.temperature_c)
    assert np.array_equal(jay.velocity_m_s, kader.velocity_m_s)
    q_kader = kader.summary().to_dict()["coolant_heat_w"]
    q_jay = jay.summary().to_dict()["coolant_heat_w"]
    assert 0.0 < q_jay < q_kader
    assert "thermal wall function jayatilleke" in str(jay.summary())
    assert "thermal wall function kader" in str(kader.summary())
