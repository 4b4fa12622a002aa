"""The README's Python, saved verbatim as a plain script (no main guard) and run the way a new user
runs it (issue 18: that script hung for ever in its sweep). Every ``python`` block of "Use it from
Python", in order, in one script, in a fresh folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _readme_python() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Use it from Python")
    section = text[start : text.index("\n## ", start)]
    blocks = [b.split("\n", 1)[1] for b in section.split("```")[1::2] if b.startswith("python")]
    return "\n".join(blocks)


@pytest.mark.validation
def test_the_readme_snippet_runs_as_a_plain_script(tmp_path: Path) -> None:
    script = tmp_path / "readme.py"
    script.write_text(_readme_python())
    assert "__main__" not in script.read_text()
    env = {**os.environ, "MPLBACKEND": "Agg"}
    out = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=1500, env=env
    )
    assert out.returncode == 0, out.stderr[-4000:]
    for produced in ("coldplate.vtu", "coldplate.png", "rth.png", "run.pvd", "run.gif"):
        assert (tmp_path / produced).exists(), produced
    assert (tmp_path / "sweep.parquet").is_dir()
