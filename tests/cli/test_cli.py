"""The command line: every command's help, outputs on disk, one-line errors and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import types
from collections.abc import Sequence
from pathlib import Path

import meshio
import numpy as np
import pandas as pd
import pytest
import rackflow as rf
from matplotlib.image import imread
from rackflow import casefile, cli
from rackflow.testing.meshes import box

REGIONS = {"die": lambda c: c[:, 2] < 0.002, "base": lambda c: c[:, 2] >= 0.002}


def write_mesh(path: Path, n: int = 4) -> Path:
    meshio.write(
        path, box((n, n, 4), (0.04, 0.04, 0.008), regions=REGIONS), file_format="gmsh22", binary=False
    )
    return path


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    mesh = rf.load_mesh(write_mesh(tmp_path / "block.msh"))
    case = rf.Case(mesh)
    case.solid("die", "silicon", power_w=40.0)
    case.solid("base", "copper")
    case.convective("zmax", htc_w_m2k=3000.0, ambient_c=25.0)
    path = tmp_path / "plate.toml"
    case.to_toml(path, sweep={"axes": {"power_w.die": [20.0, 40.0, 60.0]}})
    return path


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ([], ["demo", "run", "sweep", "render", "mesh", "Exit codes"]),
        (["demo"], ["--sweep", "--flow-sweep", "--out", "--no-render", "--workers"]),
        (["run"], ["--out", "--threads", "--no-render", "JSON"]),
        (["sweep"], ["--store", "--workers", "--scheduler", "--retry-failed", "ADDRESS"]),
        (["render"], ["--slice", "--clip", "--camera", "--size", "--regions"]),
        (["mesh"], ["generator"]),
    ],
)
def test_help(command: list[str], expected: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main([*command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for word in expected:
        assert word in out, word


def test_run_writes_vtu_json_png(case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert cli.main(["run", str(case_file), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "rackflow steady solve" in printed
    summary = json.loads((out / "plate.json").read_text())
    direct = casefile.load(case_file).case.solve()
    assert summary["summary"]["max_temperature_c.die"] == pytest.approx(
        direct.max_temperature_c("die"), rel=1e-9
    )
    assert summary["n_cells"] == direct.mesh.n_cells
    assert (out / "plate.vtu").stat().st_size > 0
    assert imread(out / "plate.png")[..., :3].std() > 0.05


def test_bad_input_is_one_line_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[mesh]\npath = "nowhere.msh"\n[solids.die]\nmaterial = "cheese"\n')
    assert cli.main(["run", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("rackflow: error: CaseFileError:") and "mesh.path" in err
    assert len(err.splitlines()) == 1
    with pytest.raises(rf.errors.CaseFileError):
        cli.main(["--debug", "run", str(bad)])


def test_check_lists_every_problem_on_one_line(
    case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["run", str(case_file), "--check"]) == 0
    assert "no problems found" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    loaded = casefile.load(case_file)
    loaded.case.solids["die"].power_w = -1.0
    loaded.case.to_toml(bad, solver={"tolerance": 2.0})
    assert cli.main(["run", str(bad), "--check"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("rackflow: error: CaseError: 2 problems: ")
    assert "settings.tolerance" in err and "power_w must be finite and non-negative" in err


def test_no_traceback_from_the_real_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "rackflow.cli", "render", str(tmp_path / "missing.vtu")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert (
        proc.stderr.strip()
        == f"rackflow: error: RackflowError: result file '{tmp_path / 'missing.vtu'}' does not exist"
    )
    usage = subprocess.run(
        [sys.executable, "-m", "rackflow.cli", "frobnicate"], capture_output=True, text=True
    )
    assert usage.returncode == 2


def test_sweep_resumes(case_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "s.parquet"
    args = ["sweep", str(case_file), "--store", str(store), "--workers", "0", "--quiet"]
    assert cli.main(args) == 0
    assert "3 solved (0 failed), 0 from the store" in capsys.readouterr().out
    table = pd.read_csv(store.with_suffix(".csv"))
    assert list(table["power_w.die"]) == [20.0, 40.0, 60.0]
    assert table["max_temperature_c.die"].is_monotonic_increasing
    assert cli.main(args) == 0
    assert "0 solved (0 failed), 3 from the store" in capsys.readouterr().out


def test_render_a_saved_result(case_file: Path, tmp_path: Path) -> None:
    result = casefile.load(case_file).case.solve()
    vtu = result.save(tmp_path / "r.vtu")
    png = tmp_path / "r.png"
    assert cli.main(["render", str(vtu), "--out", str(png), "--size", "320x240", "--slice", "z=0.004"]) == 0
    img = imread(png)
    assert img.shape[:2] == (240, 320) and img[..., :3].std() > 0.05
    assert cli.main(["render", str(vtu), "--slice", "z=far"]) == 1


def test_mesh_without_generators(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(casefile, "available_generators", lambda: None)
    assert cli.main(["mesh", "coldplate", "--channels", "40"]) == 1
    assert "rackflow.meshing" in capsys.readouterr().err


def test_mesh_options_come_from_the_generator_signature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict = {}

    def block(path: Path, cells: int = 3, height_mm: float = 8.0, label: str = "x") -> Path:
        """A block mesh for tests."""
        seen.update(cells=cells, height_mm=height_mm, label=label)
        return write_mesh(Path(path), n=cells)

    fake = types.ModuleType("rackflow.meshing")
    fake.GENERATORS = {"block": block}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "rackflow.meshing", fake)
    monkeypatch.setattr(rf, "meshing", fake, raising=False)
    with pytest.raises(SystemExit):
        cli.main(["mesh", "block", "--help"])
    helptext = capsys.readouterr().out
    assert "--cells INT" in helptext and "--height-mm FLOAT" in helptext and "A block mesh" in helptext
    out = tmp_path / "b.msh"
    assert cli.main(["mesh", "block", "--cells", "5", "--height-mm", "2.5", "--out", str(out)]) == 0
    assert seen == {"cells": 5, "height_mm": 2.5, "label": "x"}
    assert rf.load_mesh(out).n_cells == 5 * 5 * 4
    with pytest.raises(SystemExit) as info:
        cli.main(["mesh", "block", "--cells", "many"])
    assert info.value.code == 2


def test_demo_sweep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--sweep", "--out", str(tmp_path), "--workers", "0", "--quiet"]) == 0
    table = pd.read_csv(tmp_path / "demo-sweep.csv")
    assert len(table) == 5 and (table["status"] == "ok").all()
    # more coolant-side convection, lower junction-to-coolant resistance
    assert np.all(np.diff(table["thermal_resistance_k_w.die"]) < 0)
    assert imread(tmp_path / "demo-sweep.png")[..., :3].std() > 0.05


def test_demo_flow_sweep_is_exclusive_with_sweep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["demo", "--sweep", "--flow-sweep", "--out", str(tmp_path)])
    assert code != 0
    assert "--sweep or --flow-sweep" in capsys.readouterr().err
    assert not (tmp_path / "demo-flow-sweep.csv").exists()


@pytest.mark.slow
def test_demo_flow_sweep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Five conjugate solves of the bundled cold plate (~20 s each)."""
    assert cli.main(["demo", "--flow-sweep", "--out", str(tmp_path), "--workers", "2", "--quiet"]) == 0
    table = pd.read_csv(tmp_path / "demo-flow-sweep.csv").sort_values("flow_lpm")
    assert list(table["flow_lpm"]) == cli.DEMO_SWEEP_FLOW_LPM
    assert (table["status"] == "ok").all()
    # more flow: lower die-to-inlet resistance, higher pressure drop
    assert np.all(np.diff(table["thermal_resistance_k_w.die"]) < 0)
    assert np.all(np.diff(table["pressure_drop_pa"]) > 0)
    for name in ("demo-flow-sweep-rth.png", "demo-flow-sweep-dp.png"):
        assert imread(tmp_path / name)[..., :3].std() > 0.05
    assert "pressure_drop_pa" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"rackflow {rf.__version__}"


def test_demo_help_describes_the_cold_plate_demo(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["demo", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for words in ("microchannel", "1.5 L/min", "conjugate", "demo.json", "add a five-point sweep"):
        assert words in out, words
    assert "convective coolant side" not in out and "instead" not in out


@pytest.mark.parametrize("option", ["--flow-sweep", "--sweep"])
def test_demo_sweeps_add_to_the_demo(option: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rackflow import demo

    calls: list[str] = []
    monkeypatch.setattr(demo, "run", lambda out, **kw: calls.append("demo"))
    monkeypatch.setattr(cli, "_demo_flow_sweep", lambda args, out: calls.append("--flow-sweep"))
    monkeypatch.setattr(cli, "_demo_sweep", lambda args, out: calls.append("--sweep"))
    assert cli.main(["demo", option, "--out", str(tmp_path)]) == 0
    assert calls == ["demo", option]


def test_generator_help_keeps_the_docstring_layout(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("rackflow.meshing")
    with pytest.raises(SystemExit):
        cli.main(["mesh", "coldplate", "--help"])
    out = capsys.readouterr().out
    # the summary paragraph keeps its lines; the Parameters section became the options' help
    assert "conformal hexahedra.\n\nThe plate occupies" in out
    assert "----------" not in out and "Parameters" not in out
    assert re.search(r"--channels INT\s+Number of channels\. \(default: 20\)", out)
    assert re.search(r"--footprint-m X,Y\s+Plate outline", out)


def test_generator_pairs_are_comma_separated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict = {}

    def plate(path: Path, *, size_m: Sequence[float] = (0.04, 0.04), cells: int = 3) -> Path:
        """A plate.

        Parameters
        ----------
        path
            Output file.
        size_m
            Plate size (x, y), m.
        """
        seen.update(size_m=size_m, cells=cells)
        return write_mesh(Path(path), n=cells)

    fake = types.ModuleType("rackflow.meshing")
    fake.GENERATORS = {"plate": plate}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "rackflow.meshing", fake)
    monkeypatch.setattr(rf, "meshing", fake, raising=False)
    assert cli.main(["mesh", "plate", "--size-m", "0.05,0.03", "--out", str(tmp_path / "p.msh")]) == 0
    assert seen == {"size_m": (0.05, 0.03), "cells": 3}
    with pytest.raises(SystemExit) as info:
        cli.main(["mesh", "plate", "--size-m", "0.05"])
    assert info.value.code == 2
    assert "expected 2 comma-separated values" in capsys.readouterr().err


def test_loading_and_rendering_print_nothing(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """meshio's console output (a blank line for every .msh it first tries as ANSYS, coloured
    'Warning:' lines) stays out of rackflow's; it is logged at debug level instead."""
    path = write_mesh(tmp_path / "block.msh")
    with path.open("a") as f:
        f.write("$Comments\nwritten by a test\n")  # a section without its $EndComments
    capfd.readouterr()
    with caplog.at_level("DEBUG", logger="rackflow.io"):
        mesh = rf.load_mesh(path)
    assert mesh.n_cells == 4 * 4 * 4
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert "not closed" in caplog.text


def test_demo_without_the_cold_plate_mesh_or_gmsh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rackflow import datasets

    monkeypatch.setattr(datasets, "available", lambda name: False)
    assert cli.main(["demo", "--out", str(tmp_path), "--no-render"]) == 0
    out = capsys.readouterr().out
    assert "pip install 'rackflow[mesh]'" in out and "conduction-only GPU stack" in out
    assert (tmp_path / "demo.vtu").stat().st_size > 0
