"""Bad input raises a typed rackflow error naming the offending item; nothing panics."""

from __future__ import annotations

import math

import pytest
import rackflow as rf
from rackflow.testing.meshes import box


@pytest.fixture
def mesh() -> rf.Mesh:
    regions = {"die": lambda c: c[:, 2] < 0.5, "lid": lambda c: c[:, 2] >= 0.5}
    return rf.Mesh.from_meshio(box((2, 2, 4), regions=regions))


def test_unknown_names_list_the_known_ones(mesh: rf.Mesh) -> None:
    # the case records names; the core checks them against the mesh, all at once, in
    # validate() and before any solve
    case = rf.Case(mesh)
    case.solid("dye", "silicon")
    case.convective("top", htc_w_m2k=10.0, ambient_c=25.0)
    with pytest.raises(rf.CaseError, match=r"unknown region 'dye'.*\['die', 'lid'\]") as info:
        case.validate()
    assert "unknown patch 'top'" in str(info.value) and "zmax" in str(info.value)
    with pytest.raises(rf.CaseError, match=r"unknown patch 'top'.*zmax"):
        case.solve()
    # a material name is Python's to resolve (the library lives here)
    with pytest.raises(rf.CaseError, match=r"unknown material 'unobtainium'.*copper"):
        case.solid("die", "unobtainium")
    # a near miss names the closest library names
    with pytest.raises(rf.CaseError, match=r"unknown material 'aluminium' \(did you mean 'aluminium_6061'"):
        case.solid("die", "aluminium")
    with pytest.raises(rf.CaseError, match=r"unknown coolant 'PG-25x' \(did you mean 'PG25'\?\)"):
        case.fluid("lid", coolant="PG-25x")


def test_region_without_material(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    case.solid("die", "silicon", power_w=1.0)
    case.convective("zmax", htc_w_m2k=10.0, ambient_c=25.0)
    with pytest.raises(rf.CaseError, match=r"regions without a material: \['lid'\]"):
        case.solve()


@pytest.mark.parametrize("k", [math.nan, math.inf, -1.0, 0.0])
def test_bad_conductivity(k: float) -> None:
    with pytest.raises(rf.MaterialError, match="conductivity_w_mk"):
        rf.Material("bad", conductivity_w_mk=k)


def test_bad_conductivity_table() -> None:
    with pytest.raises(rf.MaterialError, match="increase"):
        rf.Material("bad", conductivity_w_mk=[(50.0, 10.0), (20.0, 12.0)])
    with pytest.raises(rf.MaterialError, match="positive"):
        rf.Material("bad", conductivity_w_mk=[(20.0, 10.0), (50.0, -1.0)])


def test_negative_contact_resistance_and_nan_power(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    # NaN cannot cross the JSON contract: refused at the call
    with pytest.raises(rf.CaseError, match="power_w must be finite"):
        case.solid("die", "silicon", power_w=math.nan)
    # signs and ranges are the core's to check, with everything else
    case.contact("die", "lid", resistance_m2k_w=-1e-5)
    case.solid("die", "silicon", power_w=-5.0)
    with pytest.raises(rf.CaseError, match="resistance_m2k_w must be finite and non-negative") as info:
        case.validate()
    assert "power_w must be finite and non-negative, got -5" in str(info.value)


def test_several_problems_are_listed_in_one_error(mesh: rf.Mesh) -> None:
    # issue 15's bad input: an unknown patch, a negative conductivity (here on the contact
    # resistance and the power too: a rackflow.Material refuses a negative conductivity when it is
    # made) and a tolerance of 2, all in one CaseError, from validate() and from solve()
    case = rf.Case(mesh)
    case.solid("die", "silicon", power_w=-1.0)
    case.solid("lid", "copper")
    case.contact("die", "lid", resistance_m2k_w=-1e-5)
    case.convective("top", htc_w_m2k=10.0, ambient_c=25.0)
    case.fixed_temperature("zmin", temperature_c=20.0)
    expected = (
        "unknown patch 'top'",
        "power_w must be finite and non-negative",
        "resistance_m2k_w must be finite and non-negative",
        "settings.tolerance must lie in (0, 1), got 2",
    )
    for call in (case.validate, case.solve):
        with pytest.raises(rf.CaseError) as info:
            call(tolerance=2.0)
        text = str(info.value)
        assert text.startswith("4 problems in the case:"), text
        for problem in expected:
            assert problem in text, (problem, text)


def test_a_negative_conductivity_is_listed_with_the_other_problems(mesh: rf.Mesh) -> None:
    # the same through the JSON contract the sweeps and case files use: a conductivity the core
    # is given negative is one more problem in the list
    import json

    from rackflow import _core

    case = rf.Case(mesh)
    case.solid("die", "silicon")
    case.solid("lid", "copper")
    case.convective("top", htc_w_m2k=10.0, ambient_c=25.0)
    description = case.to_core(tolerance=2.0)
    description["solids"][0]["material"]["conductivity_w_mk"] = -5.0
    with pytest.raises(rf.CaseError) as info:
        _core.validate_case(mesh._core, json.dumps(description))
    text = str(info.value)
    for problem in ("unknown patch 'top'", "conductivity of material", "settings.tolerance"):
        assert problem in text, (problem, text)


def test_validate_passes_a_good_case_and_returns_it(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    case.solid("die", "silicon", power_w=1.0)
    case.solid("lid", "copper")
    case.convective("zmax", htc_w_m2k=10.0, ambient_c=25.0)
    assert case.validate(tolerance=1e-8) is case


def test_no_temperature_reference(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    case.solid("die", "silicon", power_w=1.0)
    case.solid("lid", "copper")
    case.heat_flux("zmin", flux_w_m2=-100.0)
    with pytest.raises(rf.CaseError, match="no temperature reference"):
        case.solve()


def test_every_problem_is_reported_at_once(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    case.solid("die", "silicon")
    with pytest.raises(rf.CaseError) as info:
        case.solve()
    text = str(info.value)
    assert "without a material" in text and "no temperature reference" in text


def test_units_are_checked_at_the_edge(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    with pytest.raises(rf.CaseError, match="below absolute zero"):
        case.fixed_temperature("zmin", temperature_c=-300.0)
    with pytest.warns(rf.errors.RackflowWarning, match="kelvin"):
        case.convective("zmax", htc_w_m2k=10.0, ambient_c=300.0)
    case.convective("zmax", htc_w_m2k=0.0, ambient_c=25.0)
    with pytest.raises(rf.CaseError, match="htc_w_m2k must be finite and positive"):
        case.validate()
    with pytest.raises(rf.CaseError, match="must be a number"):
        case.heat_flux("zmin", flux_w_m2="100")  # type: ignore[arg-type]
    with pytest.raises(rf.CaseError, match="unknown solver setting 'tol'"):
        case.solid("die", "silicon")
        case.solid("lid", "copper")
        case.fixed_temperature("zmin", temperature_c=20.0)
        case.solve(tol=1e-6)
    with pytest.raises(rf.CaseError, match="threads"):
        case.solve(threads=0)


def test_non_convergence_carries_the_history(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    case.solid("die", rf.Material("kT", conductivity_w_mk=[(0.0, 1.0), (100.0, 300.0)]), power_w=50.0)
    case.solid("lid", "copper")
    case.convective("zmax", htc_w_m2k=50.0, ambient_c=25.0)
    with pytest.raises(rf.ConvergenceError) as info:
        case.solve(max_iterations=2)
    assert len(info.value.history) >= 2


def test_no_panic_reaches_python() -> None:
    # malformed arrays straight into the binding: typed errors, never a PanicException
    import numpy as np
    from rackflow import _core

    pts = np.zeros((4, 3))
    with pytest.raises(rf.MeshError):
        _core.build_mesh(
            pts,
            np.array([10], dtype=np.uint8),
            np.array([0, 4], dtype=np.int64),
            np.array([0, 1, 2, 7], dtype=np.int64),
            np.array([0], dtype=np.int64),
            ["a"],
            np.array([0], dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            [],
        )
    with pytest.raises(rf.MeshError):
        _core.build_mesh(
            pts,
            np.array([10], dtype=np.uint8),
            np.array([0, 9], dtype=np.int64),
            np.array([0, 1, 2, 3], dtype=np.int64),
            np.array([0], dtype=np.int64),
            ["a"],
            np.array([0], dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            [],
        )
    with pytest.raises(rf.CaseError, match="malformed case"):
        mesh = rf.Mesh.from_meshio(box((1, 1, 1)))
        _core.solve_case(mesh._core, "{not json", None)
