"""The wall treatment of a turbulent coolant (issue 17): ``case.fluid(...,
wall_treatment="blended" | "switching")``, its checks, case files, sweeps and its effect. The
law of the wall is tested in the core (``physics::flow::turbulence``); the y⁺ sensitivity is
measured by ``benchmarks/turbulent_wall_yplus.py`` (benchmarks/RESULTS.md)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rackflow as rf
from rackflow import _core
from rackflow.settings import WallTreatment
from rackflow.sweep import apply_axis
from rackflow.testing.meshes import box


@pytest.fixture(scope="module")
def duct() -> rf.Mesh:
    # a 2 mm square duct, 20 mm long (as test_thermal_wall_function.py)
    return rf.Mesh.from_meshio(box((10, 4, 4), (0.02, 0.002, 0.002)))


#: Water at 30 °C with constant properties (Pr 5.44).
WATER_30C = rf.Coolant(
    "water at 30 °C",
    density_kg_m3=996.0,
    viscosity_pa_s=8.0e-4,
    conductivity_w_mk=0.615,
    specific_heat_j_kgk=4180.0,
)


def heated_duct(mesh: rf.Mesh, wall_treatment: str | None, flow_lpm: float = 1.0) -> rf.Case:
    case = rf.Case(mesh)
    if wall_treatment is None:
        case.fluid("box", coolant=WATER_30C, turbulence="k-omega-sst")
    else:
        case.fluid("box", coolant=WATER_30C, turbulence="k-omega-sst", wall_treatment=wall_treatment)
    case.inlet("xmin", flow_lpm=flow_lpm, temperature_c=30.0)
    case.outlet("xmax")
    for p in ("ymin", "ymax", "zmin", "zmax"):
        case.fixed_temperature(p, 40.0)
    return case


def test_unknown_name_lists_the_available_ones(duct: rf.Mesh) -> None:
    case = rf.Case(duct)
    with pytest.raises(rf.CaseError, match=r"unknown wall treatment 'spalding'.*'blended', 'switching'"):
        case.fluid("box", coolant="water", wall_treatment="spalding")
    with pytest.raises(rf.CaseError, match="unknown wall treatment"):
        case.fluid("box", coolant="water", wall_treatment=None)  # type: ignore[arg-type]


def test_on_a_solid_or_a_laminar_region_is_an_error(duct: rf.Mesh) -> None:
    case = rf.Case(duct)
    case.solid("box", material="copper")
    with pytest.raises(rf.CaseError, match=r"wall_treatment='switching'.*region 'box'.*solid"):
        case.fluid("box", coolant="water", wall_treatment="switching")
    case = rf.Case(duct)
    with pytest.raises(rf.CaseError, match=r"wall_treatment='switching' with turbulence='laminar'"):
        case.fluid("box", coolant="water", turbulence="laminar", wall_treatment="switching")
    # the default is no request: a laminar region takes it
    case.fluid("box", coolant="water", turbulence="laminar", wall_treatment="blended")


def test_default_is_blended_and_reaches_the_core(duct: rf.Mesh) -> None:
    default = heated_duct(duct, None)
    assert default.fluids["box"].wall_treatment == WallTreatment.BLENDED
    (fluid,) = default.to_core()["fluids"]
    assert fluid["wall_treatment"] == "blended"
    (fluid,) = heated_duct(duct, "switching").to_core()["fluids"]
    assert fluid["wall_treatment"] == "switching"
    # the core refuses a name it does not know (a JSON case written by hand)
    description = heated_duct(duct, None).to_core()
    description["fluids"][0]["wall_treatment"] = "spalding"
    with pytest.raises(rf.CaseError, match="spalding"):
        _core.validate_case(duct._core, json.dumps(description))


def test_case_file_round_trip(duct: rf.Mesh) -> None:
    text = heated_duct(duct, "switching").to_toml(mesh_path="duct.msh")
    assert 'wall_treatment = "switching"' in text
    assert rf.Case.from_toml(text, mesh=duct).fluids["box"].wall_treatment == "switching"
    # the default is not written, so existing case files and sweep hashes do not change
    assert "wall_treatment" not in heated_duct(duct, None).to_toml(mesh_path="duct.msh")
    bad = text.replace('"switching"', '"spalding"')
    with pytest.raises(rf.CaseFileError, match="spalding"):
        rf.Case.from_toml(bad, mesh=duct)


def test_a_coolant_sweep_keeps_the_wall_treatment(duct: rf.Mesh) -> None:
    case = heated_duct(duct, "switching")
    apply_axis(case, "coolant", "PG25")
    fluid = case.fluids["box"]
    assert fluid.coolant.name == "PG25"
    assert fluid.wall_treatment == "switching"


#: Re ≈ 3,100: the wall cells' shear y⁺ ≈ 28 with the blended treatment
FLOW = 0.3


def test_blended_walls_carry_shear_and_heat_in_the_buffer_layer(duct: rf.Mesh) -> None:
    """On the coarse duct at Re ≈ 3,100 the switching treatment leaves the wall cells near the
    viscous branch; the blended one gives them the buffer layer's wall shear and production:
    more pressure drop and more heat (measured 252.6 → 349.5 Pa, 10.80 → 14.45 W). The
    explicit default is the default, bit for bit."""
    switching = heated_duct(duct, "switching", FLOW).solve()
    blended = heated_duct(duct, None, FLOW).solve()
    explicit = heated_duct(duct, "blended", FLOW).solve()
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
    ],
)
def test_summary_says_where_the_y_plus_sits_for_the_treatment(
    lo: float, hi: float, treatment: WallTreatment, says: str, not_says: str
) -> None:
    # the thresholds are the WallTreatmentWarning's (test_turbulence_input.py::test_wall_treatment_ranges):
    # the buffer layer is the least accurate range of the switching treatment only
    from rackflow.result import _wall_treatment

    text = _wall_treatment(lo, hi, treatment)
    assert says in text and not_says not in text, text
