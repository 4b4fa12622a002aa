"""``rackflow run`` of a case file with a [transient] table: peaks printed, series written."""

from __future__ import annotations

import json
from pathlib import Path

import meshio
import numpy as np
import pandas as pd
import pytest
import rackflow as rf
from rackflow import casefile, cli
from rackflow.testing.meshes import box
from rackflow.transient import run_transient

REGIONS = {"die": lambda c: c[:, 2] < 0.002, "base": lambda c: c[:, 2] >= 0.002}


@pytest.fixture
def transient_file(tmp_path: Path) -> Path:
    mesh_path = tmp_path / "block.msh"
    meshio.write(
        mesh_path, box((4, 4, 4), (0.04, 0.04, 0.008), regions=REGIONS), file_format="gmsh22", binary=False
    )
    case = rf.Case(rf.load_mesh(mesh_path))
    case.solid("die", "silicon", power_w=rf.Profile(time_s=[0.0, 2.0, 2.1], value=[10.0, 10.0, 60.0]))
    case.solid("base", "copper")
    case.convective("zmax", htc_w_m2k=3000.0, ambient_c=25.0)
    path = tmp_path / "step.toml"
    case.to_toml(path, transient={"end_time_s": 20.0, "output_interval_s": 2.0})
    return path


def test_run_transient_writes_series_and_peaks(
    transient_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert cli.main(["run", str(transient_file), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "transient:" in printed and "largest over the run" in printed
    frame = pd.read_csv(out / "step.csv")
    assert list(frame["time_s"]) == pytest.approx(list(np.arange(0.0, 20.1, 2.0)))
    loaded = casefile.load(transient_file)
    direct = run_transient(loaded.case, loaded.transient)
    assert list(frame["max_temperature_c.die"]) == pytest.approx(
        list(direct.max_temperature_c("die")), abs=1e-9
    )
    summary = json.loads((out / "step.json").read_text())
    assert summary["peaks"]["max_temperature_c.die"] == pytest.approx(
        direct.step_max_temperature_c("die").max(), abs=1e-9
    )
    # the die heats up after the step: its peak is well above its start
    assert summary["peaks"]["max_temperature_c.die"] > frame["max_temperature_c.die"][0] + 1.0
    assert summary["transient"] == {"end_time_s": 20.0, "output_interval_s": 2.0}
    assert (out / "step.pvd").exists() and len(list((out / "step").glob("*.vtu"))) == 11
    assert (out / "step.png").stat().st_size > 1000


def test_sweep_of_a_transient_case_file(
    transient_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loaded = casefile.load(transient_file)
    swept = tmp_path / "swept.toml"
    loaded.case.to_toml(swept, sweep={"axes": {"htc_w_m2k.zmax": [1500.0, 3000.0]}})
    store = tmp_path / "swept.parquet"
    assert cli.main(["sweep", str(swept), "--store", str(store), "--workers", "0", "--quiet"]) == 0
    table = pd.read_csv(tmp_path / "swept.csv")
    assert list(table["status"]) == ["ok", "ok"]
    assert table["max_temperature_c.die"].iloc[0] > table["max_temperature_c.die"].iloc[1]
    series = rf.read_sweep_series(store)
    assert len(series) == 2 * 11


def test_an_interrupted_transient_run_writes_the_steps_it_completed(
    transient_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C part-way through ``rackflow run`` (a progress callback that raises
    KeyboardInterrupt, the way the core sees Ctrl-C) exits 130 and leaves the output times it
    reached in ``{stem}.partial.csv``, equal to the same run's first rows (all of them when the
    run finished before it saw the stop)."""
    import rackflow.transient

    def interrupted(*args: object, **kwargs: object) -> object:
        def stop(step: int, _: dict[str, float]) -> None:
            if step >= 8:
                raise KeyboardInterrupt

        return run_transient(*args, **{**kwargs, "progress": stop})  # type: ignore[arg-type]

    monkeypatch.setattr(rackflow.transient, "run_transient", interrupted)
    out = tmp_path / "out"
    assert cli.main(["run", str(transient_file), "--out", str(out)]) == 130
    assert "before it stopped" in capsys.readouterr().err
    partial = pd.read_csv(out / "step.partial.csv")
    assert not (out / "step.csv").exists()
    # progress reaches the callback through a channel while the run goes on, so on a loaded
    # machine the run may finish before the stop at step 8 is seen: then every row is kept
    assert 1 <= len(partial) <= 11 and partial["time_s"].iloc[-1] <= 20.0
    loaded = casefile.load(transient_file)
    full = run_transient(loaded.case, loaded.transient)
    assert list(partial["max_temperature_c.die"]) == pytest.approx(
        list(full.max_temperature_c("die"))[: len(partial)], abs=1e-9
    )
