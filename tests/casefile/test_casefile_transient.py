"""Case files with time profiles (inline breakpoints or a CSV log) and a [transient] table."""

from __future__ import annotations

from pathlib import Path

import meshio
import numpy as np
import pytest
import rackflow as rf
from rackflow import casefile
from rackflow.errors import CaseFileError
from rackflow.testing.meshes import box

REGIONS = {"die": lambda c: c[:, 2] < 0.002, "base": lambda c: c[:, 2] >= 0.002}
POWER = rf.Profile(time_s=[0.0, 1.0, 1.2, 5.0], value=[20.0, 20.0, 80.0, 80.0])
AMBIENT = rf.Profile(time_s=[0.0, 3.0], value=[25.0, 30.0], interpolation="step")
TRANSIENT = {"end_time_s": 6.0, "time_step_s": 0.25, "output_interval_s": 1.5}


@pytest.fixture
def mesh_file(tmp_path: Path) -> Path:
    path = tmp_path / "block.msh"
    meshio.write(
        path, box((4, 4, 4), (0.04, 0.04, 0.008), regions=REGIONS), file_format="gmsh22", binary=False
    )
    return path


def _case(mesh: rf.Mesh) -> rf.Case:
    case = rf.Case(mesh)
    case.solid("die", "silicon", power_w=POWER)
    case.solid("base", "copper")
    case.convective("zmax", htc_w_m2k=3000.0, ambient_c=AMBIENT)
    return case


def test_profiles_and_transient_table_round_trip(mesh_file: Path, tmp_path: Path) -> None:
    case = _case(rf.load_mesh(mesh_file))
    path = tmp_path / "plate.toml"
    case.to_toml(path, transient=TRANSIENT)
    loaded = casefile.load(path)
    assert loaded.transient == TRANSIENT
    assert loaded.case.profiles[("power_w", "die")] == POWER
    back = loaded.case.profiles[("temperature", "zmax")]
    assert back == AMBIENT and back.interpolation == "step"
    # written again, the text is the same (profiles stay profiles, not their t = 0 values)
    assert loaded.case.to_toml() == case.to_toml(transient=TRANSIENT)
    # the output interval becomes output times that end at the end time
    keywords = casefile.transient_keywords(loaded.transient)
    assert keywords["output_times_s"] == pytest.approx([0.0, 1.5, 3.0, 4.5, 6.0])
    assert "output_interval_s" not in keywords


def test_a_power_density_profile_round_trips(mesh_file: Path, tmp_path: Path) -> None:
    """A solid's power_density_w_m3 may be a profile in a case file as in Python."""
    case = rf.Case(rf.load_mesh(mesh_file))
    density = POWER.scaled(1e6)
    case.solid("die", "silicon", power_density_w_m3=density)
    case.solid("base", "copper")
    case.convective("zmax", htc_w_m2k=3000.0, ambient_c=25.0)
    path = tmp_path / "density.toml"
    case.to_toml(path, transient=TRANSIENT)
    loaded = casefile.load(path)
    assert loaded.case.profiles[("power_density_w_m3", "die")] == density
    assert ("power_w", "die") not in loaded.case.profiles
    assert loaded.case.to_toml() == case.to_toml(transient=TRANSIENT)
    text = (
        path.read_text()
        .replace("time_s = [", "time_s = [-1.0, ", 1)
        .replace("value = [", "value = [-1.0, ", 1)
    )
    with pytest.raises(CaseFileError, match=r"solids\.die.*power_density_w_m3 profile has negative values"):
        casefile.loads(text, base_dir=tmp_path)


def test_a_csv_profile_is_read_relative_to_the_case_file(mesh_file: Path, tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "gpu.csv").write_text(
        "timestamp, index, power.draw [W]\n"
        "2024/05/01 12:00:00.000, 0, 20.00 W\n"
        "2024/05/01 12:00:00.000, 1, 99.00 W\n"
        "2024/05/01 12:00:01.500, 0, 80.00 W\n"
        "2024/05/01 12:00:01.500, 1, 99.00 W\n"
    )
    text = f"""
[mesh]
path = "{mesh_file.as_posix()}"
[solids.die]
material = "silicon"
power_w = {{ csv = "logs/gpu.csv", value_column = "power.draw", where = {{ index = 0 }}, interpolation = "step" }}
[solids.base]
material = "copper"
[boundaries.zmax]
kind = "convective"
htc_w_m2k = 3000.0
ambient_c = 25.0
"""
    loaded = casefile.loads(text, base_dir=tmp_path)
    profile = loaded.case.profiles[("power_w", "die")]
    assert list(profile.time_s) == pytest.approx([0.0, 1.5])
    assert list(profile.value) == [20.0, 80.0]
    assert profile.interpolation == "step" and profile.unit == "W"
    assert loaded.case.solids["die"].power_w == 20.0  # steady solves take t = 0


def test_profile_and_transient_problems_are_named_at_once(mesh_file: Path, tmp_path: Path) -> None:
    (tmp_path / "trace.csv").write_text("time, watts\n0, 10\n1, 20\n")
    text = f"""
[mesh]
path = "{mesh_file.as_posix()}"
[solids.die]
material = "silicon"
power_w = {{ csv = "trace.csv", time_column = "time", value_column = "power" }}
[solids.base]
material = "copper"
[boundaries.zmax]
kind = "convective"
htc_w_m2k = 3000.0
ambient_c = {{ time_s = [0.0, 2.0, 1.0], value = [25.0, 26.0, 27.0] }}
[boundaries.zmin]
kind = "heat_flux"
power_w = {{ time_s = [0.0, nan], value = [1.0, 2.0] }}
[transient]
end_time_s = 0.0
time_step = 0.1
"""
    with pytest.raises(CaseFileError) as info:
        casefile.loads(text, base_dir=tmp_path)
    message = str(info.value)
    assert "5 problems" in message
    assert (
        "solids.die.power_w" in message
        and "'power' is not a column" in message
        and "['time', 'watts']" in message
    )
    assert "boundaries.zmax.ambient_c" in message and "increase strictly" in message
    assert "boundaries.zmin.power_w" in message and "finite" in message
    assert "transient.end_time_s" in message and "after start_time_s" in message
    assert "transient.time_step" in message and "unknown key" in message


def test_a_negative_power_profile_is_refused(mesh_file: Path) -> None:
    text = f"""
[mesh]
path = "{mesh_file.as_posix()}"
[solids.die]
material = "silicon"
power_w = {{ time_s = [0.0, 1.0], value = [10.0, -1.0] }}
"""
    with pytest.raises(CaseFileError, match=r"solids\.die.*negative"):
        casefile.loads(text)


def test_run_transient_follows_the_table(mesh_file: Path, tmp_path: Path) -> None:
    from rackflow.transient import run_transient, transient_metrics

    case = _case(rf.load_mesh(mesh_file))
    run = run_transient(case, TRANSIENT)
    assert run.times_s == pytest.approx([0.0, 1.5, 3.0, 4.5, 6.0])
    # the start is the steady state at t = 0 (20 W, 25 °C): nothing moves before the ramp at 1 s
    steady = case.solve()
    assert run.max_temperature_c("die")[0] == pytest.approx(steady.max_temperature_c("die"), abs=1e-6)
    assert run.step_max_temperature_c("die")[run.step_times_s <= 1.0] == pytest.approx(
        steady.max_temperature_c("die"), abs=1e-6
    )
    peaks = transient_metrics(run)
    assert peaks["max_temperature_c.die"] == pytest.approx(run.step_max_temperature_c("die").max())
    assert peaks["max_temperature_c"] == max(peaks["max_temperature_c.die"], peaks["max_temperature_c.base"])
    assert peaks["power_w.die"] == pytest.approx(80.0)
    assert 24 <= peaks["steps_accepted"] <= 30  # 0.25 s steps, landing on the breakpoints too
    # a uniform start when the table asks for one
    cold = run_transient(case, {**TRANSIENT, "initial_temperature_c": 25.0})
    assert np.allclose(cold.temperature_c[0], 25.0)
