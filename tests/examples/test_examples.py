"""Every example runs at small size and writes what its docstring promises."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rackflow import errors as rf_errors

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OUTPUTS = {
    "first_conduction_case.py": ["first_case.vtu", "first_case.png", "first_case.toml"],
    "first_sweep.py": ["first_sweep.png", "first_sweep.csv", "first_sweep.parquet"],
    "import_gmsh_mesh.py": ["heater_plate.msh"],
    "own_cad_coldplate.py": ["own_cad_coldplate.msh", "own_cad_coldplate.vtu", "own_cad_coldplate.png"],
    "render_for_report.py": [
        "report/overview.png",
        "report/slice_through_hot_spot.png",
        "report/gpu_stack_clip.png",
    ],
    "rack_64gpu.py": ["gpu_temperatures.png", "rack_temperature.png", "gpu_temperatures_blocked.png"],
    "orbital_radiator_panel.py": ["orbital_radiator.csv"],
    "orbital_module.py": ["orbital_module.csv", "radiator_segment.msh"],
    "colossus_hall.py": ["colossus_hall.png", "colossus_hall_summary.csv"],
    "transient_gpu_trace.py": ["gpu_trace.png", "gpu_trace.csv", "gpu_trace_sweep.csv"],
}


def test_every_example_is_listed() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(OUTPUTS)


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_example_docstring(name: str) -> None:
    doc = ast.get_docstring(ast.parse((EXAMPLES / name).read_text()))
    assert doc is not None
    for part in ("What it demonstrates", "Run time", "How to run"):
        assert part in doc, f"{name}: docstring lacks '{part}'"


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_example_runs_small(name: str, tmp_path: Path) -> None:
    if name in ("import_gmsh_mesh.py", "own_cad_coldplate.py"):
        pytest.importorskip("gmsh")
    env = dict(os.environ, RACKFLOW_EXAMPLE_SMALL="1", RACKFLOW_EXAMPLE_OUT=str(tmp_path / "out"))
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for output in OUTPUTS[name]:
        assert (tmp_path / "out" / output).exists(), output
    # nothing but rackflow's own output: no VTK or meshio console warnings (ANSI-coloured), no
    # nameless meshes
    printed = proc.stdout + proc.stderr
    assert "\x1b[" not in printed, printed[-2000:]
    # rackflow's own warnings (a fallback the solver took, say) are output the user should see
    ours = tuple(f"{name}:" for name in dir(rf_errors) if name.endswith("Warning"))
    foreign = [
        line for line in printed.splitlines() if "Warning:" in line and not line.strip().startswith(ours)
    ]
    foreign = [line for line in foreign if not any(f" {tag}" in line for tag in ours)]
    assert not foreign and "bad X server" not in printed, printed[-2000:]
    assert "<meshio.Mesh>" not in printed


def test_examples_write_to_one_ignored_folder() -> None:
    """Without RACKFLOW_EXAMPLE_OUT every example writes under ./rackflow-output, which git ignores."""
    for name in OUTPUTS:
        text = (EXAMPLES / name).read_text()
        assert 'os.environ.get("RACKFLOW_EXAMPLE_OUT", "rackflow-output")' in text, name
    ignored = (EXAMPLES.parent / ".gitignore").read_text().split()
    assert "rackflow-output/" in ignored and ".venv/" in ignored
