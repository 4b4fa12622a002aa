"""Ctrl-C stops a long solve cleanly, progress callbacks run, and their errors propagate."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
import rackflow as rf
from rackflow.testing.meshes import box

LONG_SOLVE = """
import sys, time
import rackflow as rf
from rackflow.testing.meshes import box
mesh = rf.Mesh.from_meshio(box((100, 100, 100)))  # 1e6 cells: the Jacobi-CG solve takes far longer than the test waits
case = rf.Case(mesh)
case.solid("box", "copper", power_w=10.0)
case.convective("zmax", htc_w_m2k=10.0, ambient_c=20.0)
print("solving", flush=True)
try:
    case.solve(preconditioner="jacobi", tolerance=1e-14, linear_max_iterations=10**7, max_iterations=10**6)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
"""


def test_ctrl_c_stops_a_solve_cleanly() -> None:
    proc = subprocess.Popen([sys.executable, "-c", LONG_SOLVE], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "solving"
    time.sleep(1.5)
    sent = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 3, out
    assert "interrupted" in out
    assert time.perf_counter() - sent < 10


def test_progress_callback_and_its_errors() -> None:
    mesh = rf.Mesh.from_meshio(box((4, 4, 4), jitter=0.2))
    case = rf.Case(mesh)
    case.solid("box", "silicon", power_w=1.0)
    case.convective("zmax", htc_w_m2k=100.0, ambient_c=20.0)
    seen: list[tuple[int, dict[str, float]]] = []
    case.solve(progress=lambda i, r: seen.append((i, r)))
    assert seen
    assert set(seen[0][1]) == {"energy"}

    def fail(i: int, r: dict[str, float]) -> None:
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        case.solve(progress=fail)
