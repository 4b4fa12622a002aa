"""The two wall options of a turbulent coolant (issue 17): ``case.fluid(...,
thermal_wall_function="kader" | "jayatilleke")`` and ``case.fluid(...,
wall_treatment="blended" | "switching" | "blended-sublayer")``, their checks, case files, sweeps and effects. The laws
themselves are tested in the core (``physics::thermal_wall`` against the published formulas,
``physics::flow::turbulence`` for the law of the wall); the validation against OpenFOAM is
``tests/validation/test_turbulent_heat_openfoam.py``, the y⁺ sensitivity is measured by
``benchmarks/turbulent_wall_yplus.py`` (benchmarks/RESULTS.md)."""

from __future__ import annotations

import json
from enum import StrEnum

import numpy as np
import pytest
import rackflow as rf
from rackflow import _core
from rackflow.result import _wall_treatment
from rackflow.settings import ThermalWallFunction, WallTreatment
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


def heated_duct(mesh: rf.Mesh, flow_lpm: float = 1.0, **options: str) -> rf.Case:
    """Water through the duct between walls at 40 °C; ``options`` are ``case.fluid``'s wall options
    (none: the defaults)."""
    case = rf.Case(mesh)
    case.fluid("box", coolant=WATER_30C, turbulence="k-omega-sst", **options)
    case.inlet("xmin", flow_lpm=flow_lpm, temperature_c=30.0)
    case.outlet("xmax")
    for p in ("ymin", "ymax", "zmin", "zmax"):
        case.fixed_temperature(p, 40.0)
    return case


#: Each wall option: its keyword, its default, the other choice and the words its errors use.
OPTIONS = pytest.mark.parametrize(
    ("option", "default", "other", "words"),
    [
        ("thermal_wall_function", ThermalWallFunction.KADER, "jayatilleke", "thermal wall function"),
        ("wall_treatment", WallTreatment.BLENDED, "switching", "wall treatment"),
    ],
)


@OPTIONS
def test_unknown_name_lists_the_available_ones(
    duct: rf.Mesh, option: str, default: StrEnum, other: str, words: str
) -> None:
    case = rf.Case(duct)
    with pytest.raises(rf.CaseError, match=rf"unknown {words} 'spalding'.*'{default}', '{other}'"):
        case.fluid("box", coolant="water", **{option: "spalding"})
    with pytest.raises(rf.CaseError, match=f"unknown {words}"):
        case.fluid("box", coolant="water", **{option: None})  # type: ignore[arg-type]


@OPTIONS
def test_on_a_solid_or_a_laminar_region_is_an_error(
    duct: rf.Mesh, option: str, default: StrEnum, other: str, words: str
) -> None:
    case = rf.Case(duct)
    case.solid("box", material="copper")
    with pytest.raises(rf.CaseError, match=rf"{option}='{other}'.*region 'box'.*solid"):
        case.fluid("box", coolant="water", **{option: other})
    case = rf.Case(duct)
    with pytest.raises(rf.CaseError, match=rf"{option}='{other}' with turbulence='laminar'"):
        case.fluid("box", coolant="water", turbulence="laminar", **{option: other})
    # the default is no request: a laminar region takes it
    case.fluid("box", coolant="water", turbulence="laminar", **{option: str(default)})


@OPTIONS
def test_default_reaches_the_core(
    duct: rf.Mesh, option: str, default: StrEnum, other: str, words: str
) -> None:
    plain = heated_duct(duct)
    assert getattr(plain.fluids["box"], option) == default
    (fluid,) = plain.to_core()["fluids"]
    assert fluid[option] == str(default)
    (fluid,) = heated_duct(duct, **{option: other}).to_core()["fluids"]
    assert fluid[option] == other
    # the core refuses a name it does not know (a JSON case written by hand)
    description = heated_duct(duct).to_core()
    description["fluids"][0][option] = "spalding"
    with pytest.raises(rf.CaseError, match="spalding"):
        _core.validate_case(duct._core, json.dumps(description))


@OPTIONS
def test_case_file_round_trip(duct: rf.Mesh, option: str, default: StrEnum, other: str, words: str) -> None:
    text = heated_duct(duct, **{option: other}).to_toml(mesh_path="duct.msh")
    assert f'{option} = "{other}"' in text
    assert getattr(rf.Case.from_toml(text, mesh=duct).fluids["box"], option) == other
    # the default is not written, so existing case files and sweep hashes do not change
    assert option not in heated_duct(duct).to_toml(mesh_path="duct.msh")
    bad = text.replace(f'"{other}"', '"spalding"')
    with pytest.raises(rf.CaseFileError, match="spalding"):
        rf.Case.from_toml(bad, mesh=duct)


@OPTIONS
def test_a_coolant_sweep_keeps_the_regions_models(
    duct: rf.Mesh, option: str, default: StrEnum, other: str, words: str
) -> None:
    case = heated_duct(duct, **{option: other})
    apply_axis(case, "coolant", "PG25")
    fluid = case.fluids["box"]
    assert fluid.coolant.name == "PG25"
    assert fluid.turbulence == "k-omega-sst"
    assert getattr(fluid, option) == other


def test_jayatilleke_moves_only_the_wall_heat(duct: rf.Mesh) -> None:
    # Pr 5.44: Jayatilleke's T⁺ is above Kader's at these wall y⁺, so its walls conduct less;
    # the flow is the same solve (constant properties: the law enters the energy equation only)
    kader = heated_duct(duct).solve()
    explicit = heated_duct(duct, thermal_wall_function="kader").solve()
    jay = heated_duct(duct, thermal_wall_function="jayatilleke").solve()
    assert np.array_equal(explicit.temperature_c, kader.temperature_c)
    assert np.array_equal(jay.velocity_m_s, kader.velocity_m_s)
    q_kader = kader.summary().to_dict()["coolant_heat_w"]
    q_jay = jay.summary().to_dict()["coolant_heat_w"]
    assert 0.0 < q_jay < q_kader
    assert "thermal wall function jayatilleke" in str(jay.summary())
    assert "thermal wall function kader" in str(kader.summary())


#: Re ≈ 3,100: the wall cells' shear y⁺ ≈ 28 with the blended treatment
FLOW = 0.3


def test_blended_walls_carry_shear_and_heat_in_the_buffer_layer(duct: rf.Mesh) -> None:
    """On the coarse duct at Re ≈ 3,100 the switching treatment leaves the wall cells near the
    viscous branch; the blended one gives them the buffer layer's wall shear and production:
    more pressure drop and more heat (measured 252.6 → 349.5 Pa, 10.80 → 14.45 W). The
    explicit default is the default, bit for bit."""
    switching = heated_duct(duct, FLOW, wall_treatment="switching").solve()
    blended = heated_duct(duct, FLOW).solve()
    explicit = heated_duct(duct, FLOW, wall_treatment="blended").solve()
    assert np.array_equal(explicit.temperature_c, blended.temperature_c)
    q_s, q_b = (r.summary().to_dict()["coolant_heat_w"] for r in (switching, blended))
    dp_s, dp_b = (r.pressure_drop_pa("xmin", "xmax") for r in (switching, blended))
    print(
        f"switching {q_s:.2f} W {dp_s:.1f} Pa, blended {q_b:.2f} W {dp_b:.1f} Pa, y+ {blended.y_plus_by_patch}"
    )
    assert q_b > q_s and dp_b > dp_s
    assert "blended wall treatment" in str(blended.summary())
    assert "switching wall treatment" in str(switching.summary())
    # each wall patch's y⁺ line speaks for its coolant's treatment
    lines = [line for line in str(blended.summary()).splitlines() if "wall y⁺ on" in line]
    assert len(lines) == 4 and all("the buffer layer handled" in line for line in lines), lines
    lines = [line for line in str(switching.summary()).splitlines() if "wall y⁺ on" in line]
    assert len(lines) == 4 and not any("handled" in line for line in lines), lines
    assert all("wall functions (measured accurate from y⁺ 15)" in line for line in lines), lines


@pytest.mark.parametrize(
    ("lo", "hi", "treatment", "says", "not_says"),
    [
        (0.5, 4.0, WallTreatment.BLENDED, "viscous sublayer resolved", "buffer layer"),
        (0.5, 4.0, WallTreatment.SWITCHING, "viscous sublayer resolved", "buffer layer"),
        (6.0, 14.0, WallTreatment.BLENDED, "the buffer layer handled", "least accurate"),
        (2.0, 40.0, WallTreatment.BLENDED, "ΔP +5…+9 %", "least accurate"),
        (6.0, 14.0, WallTreatment.SWITCHING, "in the buffer layer (5–15), the least accurate", "some faces"),
        (2.0, 40.0, WallTreatment.SWITCHING, "some faces in the buffer layer (5–15)", "handled"),
        # the switching treatment's wall functions hold from y⁺ 15, not the textbook 30
        (16.0, 40.0, WallTreatment.SWITCHING, "wall functions (measured accurate from y⁺ 15)", "buffer"),
        (40.0, 650.0, WallTreatment.SWITCHING, "faces above y⁺ 500 are beyond the log layer", "buffer"),
        (6.0, 650.0, WallTreatment.BLENDED, "faces above y⁺ 500 are beyond the log layer", "least accurate"),
        (
            6.0,
            14.0,
            WallTreatment.BLENDED_SUBLAYER,
            "sublayer's wall cells resolved, the buffer layer",
            "least",
        ),
    ],
)
def test_summary_says_where_the_y_plus_sits_for_the_treatment(
    lo: float, hi: float, treatment: WallTreatment, says: str, not_says: str
) -> None:
    # the thresholds are the WallTreatmentWarning's (test_turbulence_input.py::test_wall_treatment_ranges):
    # the buffer layer is the least accurate range of the switching treatment only
    text = _wall_treatment(lo, hi, treatment)
    assert says in text and not_says not in text, text


def test_the_resolved_sublayer_is_a_third_wall_treatment(duct: rf.Mesh) -> None:
    """``"blended-sublayer"`` (the internal setting of stops 31–32, typed): accepted by the core,
    written to and read from case files; what it does is ``tests/validation/test_turbulence_sublayer.py``."""
    case = heated_duct(duct, wall_treatment="blended-sublayer")
    assert case.fluids["box"].wall_treatment == WallTreatment.BLENDED_SUBLAYER
    description = case.to_core()
    assert description["fluids"][0]["wall_treatment"] == "blended-sublayer"
    _core.validate_case(duct._core, json.dumps(description))
    text = case.to_toml(mesh_path="duct.msh")
    assert 'wall_treatment = "blended-sublayer"' in text
    assert rf.Case.from_toml(text, mesh=duct).fluids["box"].wall_treatment == "blended-sublayer"
