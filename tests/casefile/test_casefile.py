"""Case files: round trips, every problem reported at once with key and line, no code runs."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import meshio
import pytest
import rackflow as rf
from rackflow import casefile
from rackflow.errors import CaseFileError
from rackflow.sweep import Sweep
from rackflow.testing.meshes import box

REGIONS = {"die": lambda c: c[:, 2] < 0.002, "base": lambda c: c[:, 2] >= 0.002}


def write_mesh(path: Path, n: int = 4) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    meshio.write(
        path, box((n, n, 4), (0.04, 0.04, 0.008), regions=REGIONS), file_format="gmsh22", binary=False
    )
    return path


@pytest.fixture
def mesh_file(tmp_path: Path) -> Path:
    return write_mesh(tmp_path / "meshes" / "block.msh")


def full_case(mesh: rf.Mesh) -> rf.Case:
    case = rf.Case(mesh)
    case.solid("die", rf.Material("my_si", conductivity_w_mk=[(20.0, 150.0), (100.0, 110.0)]), power_w=50.0)
    case.solid("base", "copper")
    case.contact("die", "base", resistance_m2k_w=1e-5)
    case.convective("zmax", htc_w_m2k=5000.0, ambient_c=30.0)
    case.heat_flux("xmin", power_w=2.0)
    case.fixed_temperature("ymin", temperature_c=25.0)
    case.adiabatic("ymax")
    return case


def test_round_trip_text_and_numbers(mesh_file: Path, tmp_path: Path) -> None:
    case = full_case(rf.load_mesh(mesh_file))
    path = tmp_path / "cases" / "plate.toml"
    path.parent.mkdir()
    text = case.to_toml(path, solver={"tolerance": 1e-9, "max_iterations": 80})
    assert 'path = "../meshes/block.msh"' in text  # relative to the case file
    loaded = casefile.load(path)
    assert loaded.solver == {"tolerance": 1e-9, "max_iterations": 80}
    again = loaded.case
    assert again.solids["die"].material == case.solids["die"].material
    assert {p: (b.kind, b.values) for p, b in again.boundaries.items()} == {
        p: (b.kind, b.values) for p, b in case.boundaries.items()
    }
    # writing the loaded case gives the same text (solver settings travel with it)
    assert again.to_toml(tmp_path / "cases" / "copy.toml") == text
    assert again.solve(**loaded.solver).max_temperature_c() == pytest.approx(
        case.solve(**loaded.solver).max_temperature_c(), rel=1e-12
    )


def test_text_with_relative_mesh_and_library_and_inline_materials(mesh_file: Path) -> None:
    text = """
    [mesh]
    path = "meshes/block.msh"

    [solids.die]
    material = { name = "gan", conductivity_w_mk = 130.0 }
    power_w = 20.0

    [solids.base]
    material = "Al6061"

    [boundaries.zmax]
    kind = "convective"
    htc_w_m2k = 1000.0
    ambient_c = 25.0
    """
    loaded = casefile.loads(text, base_dir=mesh_file.parent.parent)
    assert loaded.case.solids["die"].material.conductivity_w_mk == 130.0
    assert loaded.case.solids["base"].material.name == "aluminium_6061"
    assert loaded.case.solve().heat_flow_w("zmax") == pytest.approx(-20.0, rel=1e-8)


def test_every_problem_reported_with_key_and_line(mesh_file: Path) -> None:
    text = """[mesh]
path = "meshes/block.msh"

[solids.die]
material = "unobtainium"
power_w = "lots"

[solids.base]
material = "copper"
colour = "red"

[[contacts]]
between = ["die"]
resistance_m2k_w = 1e-5

[boundaries.zmax]
kind = "convective"
htc_w_m2k = 1000.0

[boundaries.top]
kind = "adiabatic"

[solver]
tolerance = "tight"
turbo = true

[extras]
x = 1
"""
    with pytest.raises(CaseFileError) as info:
        casefile.loads(text, base_dir=mesh_file.parent.parent, source="bad.toml")
    message = str(info.value)
    assert message.startswith("bad.toml: 9 problems:")
    assert "\n" not in message  # one line: the CLI prints it whole
    for expected in (
        "extras (line 27): unknown section",
        "solids.die.material (line 5): unknown material 'unobtainium'",
        "solids.die.power_w (line 6): must be a number",
        "solids.base.colour (line 10): unknown key(s) ['colour']",
        "contacts[0].between (line 12): must be a list of two region names",
        "boundaries.zmax (line 16): kind 'convective' needs ['ambient_c']",
        "boundaries.top (line 20): unknown patch 'top'",
        "solver.tolerance (line 24): must be int or float",
        "solver.turbo (line 25): unknown setting",
    ):
        assert expected in message, expected


def test_malformed_and_hostile_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[mesh\npath = 1\n")
    with pytest.raises(CaseFileError, match=r"bad\.toml: not valid TOML: .*line 1"):
        casefile.load(bad)
    with pytest.raises(CaseFileError, match="cannot read case file"):
        casefile.load(tmp_path / "missing.toml")
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CaseFileError, match="not UTF-8"):
        casefile.load(binary)
    with pytest.raises(CaseFileError, match=r"mesh \(line 1\): give exactly one of 'path' or 'generator'"):
        casefile.loads("[mesh]\n")
    with pytest.raises(CaseFileError, match="missing \\[mesh\\] table"):
        casefile.loads("[solids]\n")
    with pytest.raises(CaseFileError, match=r"mesh\.path.*does not exist"):
        casefile.loads('[mesh]\npath = "nowhere.msh"\n', base_dir=tmp_path)


def test_loading_never_runs_code(mesh_file: Path, tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    text = f"""
    [mesh]
    path = "meshes/block.msh"
    [solids.die]
    material = "__import__('pathlib').Path({str(sentinel)!r}).touch()"
    [boundaries.zmax]
    kind = "__import__('os').system('touch {sentinel}')"
    """
    with pytest.raises(CaseFileError) as info:
        casefile.loads(text, base_dir=mesh_file.parent.parent)
    assert "unknown material" in str(info.value) and "boundaries.zmax.kind" in str(info.value)
    assert not sentinel.exists()


def test_functions_cannot_be_written(mesh_file: Path) -> None:
    case = rf.Case(rf.load_mesh(mesh_file))
    case.solid("die", "silicon", power_density_w_m3=lambda c: 1e6 + 0 * c[:, 0])
    case.solid("base", "copper")
    with pytest.raises(CaseFileError, match="data, not code"):
        case.to_toml()
    in_memory = rf.Case(rf.Mesh.from_meshio(box((2, 2, 2))))
    with pytest.raises(CaseFileError, match="not loaded from a file"):
        in_memory.to_toml()


def test_sweep_section_runs(mesh_file: Path, tmp_path: Path) -> None:
    case = full_case(rf.load_mesh(mesh_file))
    path = tmp_path / "sweep.toml"
    case.to_toml(path, sweep={"mode": "grid", "axes": {"power_w.die": [10.0, 30.0], "htc_w_m2k.zmax": [2e3]}})
    loaded = casefile.load(path)
    sweep = Sweep.from_casefile(loaded)
    assert len(sweep) == 2
    table = sweep.run(store=None, workers=0, progress=False)
    assert (table["status"] == "ok").all()
    lhs = tmp_path / "lhs.toml"
    case.to_toml(
        lhs, sweep={"mode": "latin_hypercube", "n": 3, "seed": 1, "axes": {"power_w.die": [10.0, 30.0]}}
    )
    assert len(Sweep.from_casefile(casefile.load(lhs))) == 3
    with pytest.raises(CaseFileError, match=r"sweep\.n"):
        casefile.loads(lhs.read_text().replace("n = 3", "n = 0"), base_dir=tmp_path, source="lhs.toml")


def test_generator_route_with_a_stand_in_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict] = []

    def block(path: Path, cells: int = 3) -> Path:
        calls.append({"cells": cells})
        return write_mesh(Path(path), n=cells)

    fake = types.ModuleType("rackflow.meshing")
    fake.GENERATORS = {"block": block}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "rackflow.meshing", fake)
    import rackflow

    monkeypatch.setattr(rackflow, "meshing", fake, raising=False)
    text = """
    [mesh]
    generator = "block"
    params = { cells = 5 }
    [solids.die]
    material = "silicon"
    power_w = 5.0
    [solids.base]
    material = "copper"
    [boundaries.zmax]
    kind = "convective"
    htc_w_m2k = 500.0
    ambient_c = 20.0
    """
    loaded = casefile.loads(text, base_dir=tmp_path)
    assert calls == [{"cells": 5}]
    assert loaded.case.mesh.n_cells == 5 * 5 * 4
    casefile.loads(text, base_dir=tmp_path)  # cached by generator and parameters
    assert len(calls) == 1
    assert 'generator = "block"' in loaded.case.to_toml()
    with pytest.raises(CaseFileError, match=r"unknown generator 'plate'.*block"):
        casefile.loads(text.replace('"block"', '"plate"'), base_dir=tmp_path)
    with pytest.raises(CaseFileError, match=r"mesh\.params.*channels"):
        casefile.loads(text.replace("cells = 5", "channels = 5"), base_dir=tmp_path)


def test_real_generators_when_available() -> None:
    generators = casefile.available_generators()
    if generators is None:
        pytest.skip("rackflow.meshing is not in this build")
    assert all(callable(g) for g in generators.values())
