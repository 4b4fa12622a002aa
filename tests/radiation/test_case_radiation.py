"""The radiation API of a case: checks at the call, the core's description, the solve guard."""

from __future__ import annotations

import json
import math
import warnings

import meshio
import numpy as np
import pytest
import rackflow as rf
from rackflow.testing.meshes import box


@pytest.fixture(scope="module")
def mesh() -> rf.Mesh:
    """A 2 × 2 × 2 box in two regions with the sides as patches and an interior patch 'mid' on
    the plane between the regions."""
    m = box((2, 2, 2), regions={"lower": lambda c: c[:, 2] < 0.5, "upper": lambda c: c[:, 2] >= 0.5})

    def pid(i: int, j: int, k: int) -> int:
        return (i * 3 + j) * 3 + k

    mid = np.array(
        [
            [pid(i, j, 1), pid(i + 1, j, 1), pid(i + 1, j + 1, 1), pid(i, j + 1, 1)]
            for i in range(2)
            for j in range(2)
        ]
    )
    cells = [(b.type, b.data) for b in m.cells] + [("quad", mid)]
    tags = [*m.cell_data["gmsh:physical"], np.full(len(mid), 7)]
    field_data = dict(m.field_data)
    field_data["mid"] = np.array([7, 2])
    return rf.Mesh.from_meshio(
        meshio.Mesh(m.points, cells, cell_data={"gmsh:physical": tags}, field_data=field_data)
    )


def _reference_case(mesh: rf.Mesh) -> rf.Case:
    """A case with no problem of its own, to add radiation to."""
    case = rf.Case(mesh)
    case.solid("lower", "copper", power_w=1.0)
    case.solid("upper", "copper")
    case.convective("zmax", htc_w_m2k=10.0, ambient_c=20.0)
    return case


def test_radiation_is_recorded_in_kelvin(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    spec = case.radiation("zmax", emissivity=0.9, sink_c=-270.15, absorbed_flux_w_m2=150.0)
    assert spec == case.radiation_conditions["zmax"]
    case.radiation("zmin", emissivity=0.8, absorptivity=0.2, incident_flux_w_m2=1361.0)
    core = case.to_core()
    assert core["radiation"] == [
        {
            "patch": "zmax",
            "emissivity": 0.9,
            "sink_k": pytest.approx(3.0, abs=1e-12),
            "absorbed_flux_w_m2": 150.0,
        },
        {
            "patch": "zmin",
            "emissivity": 0.8,
            "sink_k": pytest.approx(3.0, abs=1e-12),
            "absorbed_flux_w_m2": pytest.approx(272.2),
        },
    ]
    assert core["enclosures"] == []
    json.dumps(core)  # plain JSON


def test_core_reads_the_whole_description(mesh: rf.Mesh) -> None:
    # the core parses the description Case.to_core() writes (serde, unknown fields refused) and
    # resolves its radiation on the mesh
    from rackflow import _core

    case = rf.Case(mesh)
    case.solid("lower", "copper")
    case.solid("upper", "copper")
    case.convective("zmax", htc_w_m2k=5.0, ambient_c=20.0)
    case.radiation("zmax", emissivity=0.9, absorbed_flux_w_m2=100.0)
    with pytest.warns(rf.errors.RackflowWarning, match="estimated error"):
        case.radiation_enclosure(["xmin", "xmax"], emissivity=0.5, rays=256, sink_c=-270.15)
    (enclosure,) = _core.enclosure_view_factors(mesh._core, json.dumps(case.to_core()), None, 1)
    assert enclosure["patches"] == ["xmin", "xmax"]
    assert len(enclosure["mesh_face"]) == 8


def test_radiation_defaults_are_deep_space(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    spec = case.radiation("xmin")
    assert (spec.emissivity, spec.sink_c, spec.absorbed_flux_w_m2) == (0.85, -270.15, 0.0)


def test_enclosure_is_recorded(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    with pytest.warns(rf.errors.RackflowWarning, match="estimated error"):
        case.radiation_enclosure(["xmin", "xmax"], emissivity={"xmin": 0.3, "xmax": 0.9}, rays=1000)
    case.radiation_enclosure(["ymin", "ymax"], emissivity=0.5, sink_c=20.0)
    assert case.to_core()["enclosures"] == [
        {
            "patches": ["xmin", "xmax"],
            "emissivity": {"xmin": 0.3, "xmax": 0.9},
            "sink_k": None,
            "rays_per_zone": 1000,
        },
        {
            "patches": ["ymin", "ymax"],
            "emissivity": {"ymin": 0.5, "ymax": 0.5},
            "sink_k": pytest.approx(293.15),
            "rays_per_zone": None,
        },
    ]


@pytest.mark.parametrize("eps", [math.nan, math.inf, "0.9", True])
def test_emissivity_that_is_not_a_finite_number_is_refused_at_the_call(mesh: rf.Mesh, eps: object) -> None:
    case = rf.Case(mesh)
    with pytest.raises(rf.CaseError, match=r"radiation on 'zmax': emissivity"):
        case.radiation("zmax", emissivity=eps)  # type: ignore[arg-type]
    with pytest.raises(rf.CaseError, match=r"radiation_enclosure \['xmin', 'xmax'\]: emissivity"):
        case.radiation_enclosure(["xmin", "xmax"], emissivity=eps)  # type: ignore[arg-type]
    with pytest.raises(rf.CaseError, match=r"emissivity of 'xmax'"):
        case.radiation_enclosure(["xmin", "xmax"], emissivity={"xmin": 0.5, "xmax": eps})  # type: ignore[dict-item]
    assert not case.radiation_conditions and not case.enclosures


@pytest.mark.parametrize("eps", [0.0, -0.1, 1.01])
def test_emissivity_outside_the_unit_interval_is_listed_by_validate(mesh: rf.Mesh, eps: float) -> None:
    # the range is the core's to check, with every other problem
    case = _reference_case(mesh)
    case.radiation("zmax", emissivity=eps)
    case.radiation_enclosure(["xmin", "xmax"], emissivity={"xmin": 0.5, "xmax": eps})
    with pytest.raises(rf.CaseError) as info:
        case.validate()
    text = str(info.value)
    assert f"radiation on 'zmax': emissivity must lie in (0, 1], got {eps:g}" in text
    assert f"emissivity of 'xmax' must lie in (0, 1], got {eps:g}" in text


def test_absorptivity_checks(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    with pytest.raises(rf.CaseError, match=r"absorptivity must lie in \(0, 1\], got 1.5"):
        case.radiation("zmax", absorptivity=1.5, incident_flux_w_m2=100.0)
    with pytest.raises(rf.CaseError, match="together"):
        case.radiation("zmax", absorptivity=0.5)
    with pytest.raises(rf.CaseError, match="not both"):
        case.radiation("zmax", absorbed_flux_w_m2=10.0, absorptivity=0.5, incident_flux_w_m2=100.0)
    with pytest.raises(rf.CaseError, match="absorbed_flux_w_m2 must not be negative"):
        case.radiation("zmax", absorbed_flux_w_m2=-1.0)


@pytest.mark.parametrize("sink_c", [-273.15, -300.0, math.nan])
def test_sink_at_or_below_absolute_zero_is_refused(mesh: rf.Mesh, sink_c: float) -> None:
    case = rf.Case(mesh)
    with pytest.raises(rf.CaseError, match="sink_c"):
        case.radiation("zmax", sink_c=sink_c)
    with pytest.raises(rf.CaseError, match="sink_c"):
        case.radiation_enclosure(["xmin", "xmax"], emissivity=0.5, sink_c=sink_c)


def test_unknown_patches_are_listed(mesh: rf.Mesh) -> None:
    # names and emissivity tables are the core's to check: every problem in one CaseError
    case = _reference_case(mesh)
    case.radiation("top")
    case.radiation_enclosure(["xmin", "bottom"], emissivity=0.5)
    case.radiation_enclosure(["ymin", "ymax"], emissivity={"ymin": 0.5, "zmin": 0.5})
    case.radiation_enclosure(["xmax", "xmax"], emissivity=0.5)
    case.radiation_enclosure([], emissivity=0.5)
    with pytest.raises(rf.CaseError) as info:
        case.validate()
    text = str(info.value)
    for expected in (
        "radiation on 'top': unknown patch 'top'; the mesh has patches ['xmin'",
        "enclosure 1 ['xmin', 'bottom']: unknown patch 'bottom'; the mesh has patches",
        "enclosure 2 ['ymin', 'ymax']: no emissivity for patch 'ymax'",
        "not in the enclosure: ['zmin']",
        "patch 'xmax' already radiates in enclosure 3",
        "enclosure 4 []: no patches",
    ):
        assert expected in text, (expected, text)
    case = rf.Case(mesh)
    with pytest.raises(rf.CaseError, match=r"list of patch names"):
        case.radiation_enclosure("xmin", emissivity=0.5)  # type: ignore[arg-type]
    with pytest.raises(rf.CaseError, match=r"rays must be a positive integer"):
        case.radiation_enclosure(["xmin"], emissivity=0.5, rays=0)


def test_interior_patch_cannot_radiate(mesh: rf.Mesh) -> None:
    assert "mid" in mesh.patches
    case = _reference_case(mesh)
    case.radiation("mid")
    with pytest.raises(rf.CaseError, match=r"patch 'mid' has no boundary faces \(it lies inside the domain"):
        case.validate()
    case = _reference_case(mesh)
    case.radiation_enclosure(["xmin", "mid"], emissivity=0.5)
    with pytest.raises(rf.CaseError, match=r"patch 'mid' has no boundary faces"):
        case.solve()


def test_a_patch_radiates_once(mesh: rf.Mesh) -> None:
    case = _reference_case(mesh)
    case.radiation_enclosure(["xmin", "xmax"], emissivity=0.5)
    case.radiation("xmin")
    case.radiation_enclosure(["xmax", "ymin"], emissivity=0.5)
    case.radiation("zmax")
    case.radiation_enclosure(["zmax", "ymax"], emissivity=0.5)
    with pytest.raises(rf.CaseError) as info:
        case.validate()
    text = str(info.value)
    for expected in (
        "patch 'xmin' already radiates in radiation on 'xmin'",
        "patch 'xmax' already radiates in enclosure 1",
        "patch 'zmax' already radiates in radiation on 'zmax'",
    ):
        assert expected in text, (expected, text)
    # a second call on the same patch replaces the first, like other conditions
    case.radiation("zmax", emissivity=0.3)
    assert case.radiation_conditions["zmax"].emissivity == 0.3


def test_radiation_on_flow_openings_and_symmetry_planes_is_refused(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    case.symmetry("ymin")
    with pytest.raises(rf.CaseError, match=r"'ymin' is a symmetry plane and cannot radiate"):
        case.radiation("ymin")
    assert "ymin" not in case.radiation_conditions
    # set in the other order: caught when the case is described for the core
    case.radiation("ymax")
    case.outlet("ymax")
    with pytest.raises(rf.CaseError, match=r"'ymax' is a coolant outlet and cannot radiate"):
        case.to_core()


def test_radiation_adds_to_a_convective_condition(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    case.convective("zmax", htc_w_m2k=5.0, ambient_c=20.0)
    case.radiation("zmax", emissivity=0.9)
    core = case.to_core()
    assert [b["kind"] for b in core["boundaries"] if b["patch"] == "zmax"] == ["convective"]
    assert core["radiation"][0]["patch"] == "zmax"


def test_radiating_case_solves_and_case_files_refuse_radiation(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    case.solid("lower", "copper", power_w=10.0)
    case.solid("upper", "copper")
    case.convective("zmax", htc_w_m2k=50.0, ambient_c=20.0)
    case.radiation("zmin", emissivity=0.9)
    radiating = case.solve()
    assert radiating.heat_flow_w("zmin") < 0.0  # the hot underside radiates to deep space
    with pytest.raises(rf.CaseError, match="case files cannot hold radiation"):
        case.to_toml()
    # without radiation the same case solves, and its description has empty radiation lists
    plain = rf.Case(mesh)
    plain.solid("lower", "copper", power_w=10.0)
    plain.solid("upper", "copper")
    plain.convective("zmax", htc_w_m2k=50.0, ambient_c=20.0)
    assert plain.to_core()["radiation"] == [] and plain.to_core()["enclosures"] == []
    result = plain.solve()
    assert result.max_temperature_c("lower") > 20.0


def test_too_few_rays_warn_with_the_estimated_error(mesh: rf.Mesh) -> None:
    case = rf.Case(mesh)
    # 1.2 % at 32,768 rays a zone, falling as rays^-0.6: 4,096 rays -> 4.2 %
    with pytest.warns(rf.errors.RackflowWarning, match=r"estimated error of about 4\.2 %.*about 44,404"):
        case.radiation_enclosure(["xmin", "xmax"], emissivity=0.5, rays=4096)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        case.radiation_enclosure(["ymin", "ymax"], emissivity=0.5, rays=50_000)  # about 0.9 %: quiet
        case.radiation_enclosure(["zmin"], emissivity=0.5, sink_c=-270.15)  # the default budget


def test_radiation_on_a_coolant_only_patch_is_refused() -> None:
    # a coolant box whose walls bound only the liquid: radiation leaves solid surfaces
    mesh = rf.Mesh.from_meshio(box((2, 2, 2), (0.01, 0.01, 0.01)))
    case = rf.Case(mesh)
    case.fluid("box", coolant="water")
    with pytest.raises(rf.CaseError, match=r"patch 'zmax' bounds only coolant \(region \['box'\]\)"):
        case.radiation("zmax")
    with pytest.raises(rf.CaseError, match=r"patch 'zmin' bounds only coolant"):
        case.radiation_enclosure(["zmin", "zmax"], emissivity=0.5)
    # declared before the region became coolant: caught when the case is described for the core
    other = rf.Case(mesh)
    other.radiation("zmax")
    other.fluid("box", coolant="water")
    with pytest.raises(rf.CaseError, match=r"bounds only coolant"):
        other.to_core()
    # a solid box radiates from the same patch
    solid = rf.Case(mesh)
    solid.solid("box", material="copper")
    solid.radiation("zmax")
