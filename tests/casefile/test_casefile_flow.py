"""Case files for coolant flow: fluids, inlet/outlet/wall/symmetry, flow settings, round trips."""

from __future__ import annotations

from pathlib import Path

import meshio
import numpy as np
import pytest
import rackflow as rf
from rackflow import casefile
from rackflow.coolants import known_coolants
from rackflow.errors import CaseFileError
from rackflow.sweep import Sweep
from rackflow.testing.fluids import ConstantFluid
from rackflow.testing.meshes import box

REGIONS = {"base": lambda c: c[:, 2] < 0.001, "channel": lambda c: c[:, 2] >= 0.001}
WATERISH = ConstantFluid(
    density_kg_m3=997.0, viscosity_pa_s=8.55e-4, conductivity_w_mk=0.613, specific_heat_j_kgk=4179.0
)


@pytest.fixture
def cht_mesh_file(tmp_path: Path) -> Path:
    path = tmp_path / "meshes" / "cht.msh"
    path.parent.mkdir(parents=True)
    mesh = box((12, 3, 6), (0.01, 0.001, 0.002), regions=REGIONS)
    meshio.write(path, mesh, file_format="gmsh22", binary=False)
    return path


def cht_case(mesh: rf.Mesh, coolant: object = WATERISH) -> rf.Case:
    case = rf.Case(mesh)
    case.solid("base", "copper", power_w=2.0)
    case.fluid("channel", coolant)
    case.heat_flux("zmin", flux_w_m2=2e5)
    case.inlet("xmin", velocity_m_s=0.3, temperature_c=30.0)
    case.outlet("xmax", pressure_pa=5.0)
    case.symmetry("ymin")
    case.wall("zmax", velocity_m_s=(0.01, 0.0, 0.0))
    return case


SOLVER = {"convection": "upwind", "velocity_tolerance": 1e-8, "flow_max_iterations": 400}


def assert_same_results(a: rf.Result, b: rf.Result) -> None:
    assert a.has_flow and b.has_flow
    np.testing.assert_allclose(b.temperature_c, a.temperature_c, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.velocity_m_s, a.velocity_m_s, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.pressure_pa, a.pressure_pa, rtol=1e-12, atol=1e-12)
    assert b.pressure_drop_pa("xmin", "xmax") == pytest.approx(a.pressure_drop_pa("xmin", "xmax"), rel=1e-12)


def test_cht_round_trip_solves_identically(cht_mesh_file: Path, tmp_path: Path) -> None:
    case = cht_case(rf.load_mesh(cht_mesh_file))
    path = tmp_path / "cases" / "cht.toml"
    path.parent.mkdir()
    text = case.to_toml(path, solver=SOLVER)
    for line in (
        "[fluids.channel.coolant]",
        'kind = "inlet"',
        "velocity_m_s = 0.3",
        'kind = "outlet"',
        "pressure_pa = 5.0",
        'kind = "symmetry"',
        "velocity_m_s = [0.01, 0.0, 0.0]",
        'convection = "upwind"',
    ):
        assert line in text
    loaded = casefile.load(path)
    assert loaded.solver == SOLVER
    again = loaded.case
    assert {p: (b.kind, b.values) for p, b in again.boundaries.items()} == {
        p: (b.kind, b.values) for p, b in case.boundaries.items()
    }
    np.testing.assert_array_equal(again.boundaries["zmax"].face_values["velocity_m_s"], [0.01, 0.0, 0.0])
    assert again.to_toml(tmp_path / "cases" / "copy.toml") == text
    # Case.from_toml reads the same file
    assert set(rf.Case.from_toml(path).fluids) == {"channel"}
    assert_same_results(case.solve(**SOLVER), again.solve(**loaded.solver))


def test_library_coolant_and_flow_rate_round_trip(cht_mesh_file: Path, tmp_path: Path) -> None:
    case = cht_case(rf.load_mesh(cht_mesh_file), coolant="PG25")
    case.inlet("xmin", flow_lpm=0.05, temperature_c=35.0)
    path = tmp_path / "pg.toml"
    text = case.to_toml(path)
    assert 'coolant = "PG25"' in text and "flow_lpm = 0.05" in text
    again = rf.Case.from_toml(path)
    assert again.fluids["channel"].coolant is case.fluids["channel"].coolant
    assert_same_results(case.solve(convection="upwind"), again.solve(convection="upwind"))
    # mass flow works the same way
    case.inlet("xmin", mass_flow_kg_s=1e-3, temperature_c=35.0)
    assert "mass_flow_kg_s = 0.001" in case.to_toml(path)
    assert rf.Case.from_toml(path).boundaries["xmin"].values == {
        "mass_flow_kg_s": 1e-3,
        "temperature_c": 35.0,
    }


def test_inline_coolant_table_in_text(cht_mesh_file: Path) -> None:
    text = """
    [mesh]
    path = "meshes/cht.msh"

    [solids.base]
    material = "copper"

    [fluids.channel]
    coolant = { name = "oil", density_kg_m3 = 850.0, viscosity_pa_s = 0.01, conductivity_w_mk = 0.13, specific_heat_j_kgk = 2000.0, max_temperature_c = 150.0 }

    [boundaries.xmin]
    kind = "inlet"
    flow_lpm = 0.02
    temperature_c = 40.0

    [boundaries.xmax]
    kind = "outlet"
    """
    loaded = casefile.loads(text, base_dir=cht_mesh_file.parent.parent)
    coolant = loaded.case.fluids["channel"].coolant
    assert isinstance(coolant, rf.Coolant) and coolant.name == "oil"
    assert coolant.valid_range_c[1] == 150.0
    assert loaded.case.boundaries["xmax"].values == {"pressure_pa": 0.0}
    out = loaded.case.to_toml()
    assert "max_temperature_c = 150.0" in out and "viscosity_pa_s = 0.01" in out


def test_unknown_coolant_lists_known_names(cht_mesh_file: Path) -> None:
    text = f"""
    [mesh]
    path = "{cht_mesh_file.as_posix()}"

    [fluids.channel]
    coolant = "PG99"
    """
    with pytest.raises(CaseFileError) as err:
        casefile.loads(text, source="bad.toml")
    message = str(err.value)
    assert "fluids.channel.coolant (line 6)" in message and "PG99" in message
    for name in known_coolants():
        assert repr(name) in message


def test_every_flow_problem_reported_at_once(cht_mesh_file: Path) -> None:
    text = f"""
    [mesh]
    path = "{cht_mesh_file.as_posix()}"

    [fluids.channel]
    coolant = {{ density_kg_m3 = 850.0, viscosity_pa_s = "thick" }}
    colour = "blue"

    [boundaries.xmin]
    kind = "inlet"
    flow_lpm = 1.0
    velocity_m_s = 0.2

    [boundaries.xmax]
    kind = "outlet"
    pressure_pa = "high"

    [boundaries.zmax]
    kind = "wall"
    velocity_m_s = [1.0, 0.0]

    [boundaries.ymin]
    kind = "symmetry"
    angle = 3

    [solver]
    convection = "quick"
    velocity_relaxation = "0.7"
    flow_max_iterations = 1.5
    """
    with pytest.raises(CaseFileError) as err:
        casefile.loads(text, source="flow.toml")
    message = str(err.value)
    expected = [
        "fluids.channel.coolant (line 6): an inline coolant needs ['conductivity_w_mk', 'specific_heat_j_kgk']",
        "fluids.channel.coolant.viscosity_pa_s",
        "fluids.channel.colour (line 7)",
        "boundaries.xmin (line 9): an inlet needs exactly one of",
        "boundaries.xmax.pressure_pa (line 16): must be a number",
        "boundaries.zmax.velocity_m_s (line 20): must be a list of three numbers",
        "boundaries.ymin.angle (line 24)",
        "solver.convection (line 27): must be one of ['auto', 'linear_upwind', 'upwind']",
        "solver.velocity_relaxation (line 28)",
        "solver.flow_max_iterations (line 29)",
    ]
    for piece in expected:
        assert piece in message, piece
    assert message.startswith(f"flow.toml: {len(expected)} problems")


def test_flow_sweep_copies_fluids_and_inlets(cht_mesh_file: Path) -> None:
    case = cht_case(rf.load_mesh(cht_mesh_file))
    sweep = Sweep(case, flow_lpm=[0.02, 0.05], solver_settings={"convection": "upwind"})
    table = sweep.run(store=None, workers=0, progress=False)
    assert (table["status"] == "ok").all(), table["error"].tolist()
    dp = table.sort_values("flow_lpm")["pressure_drop_pa"].to_numpy()
    assert dp[1] > 2 * dp[0] > 0
