"""Smoke tests of the rackflow sides of the flow/CHT benchmarks on tiny meshes (seconds, no timing)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

# the benchmarks package lives at the repository root, next to tests/
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks import channel_cht, coldplate_scaling, duct_flow
from benchmarks.openfoam import channel_cht as of_cht
from benchmarks.openfoam import duct_simplefoam as of_duct

pytest.importorskip("gmsh")


def test_section_analysis_recovers_a_linear_pressure_gradient() -> None:
    nx = 40
    x = np.repeat((np.arange(nx) + 0.5) * duct_flow.L / nx, 6)
    gradient = -2.0e4  # Pa/m
    p = gradient * (x - duct_flow.L)
    out = duct_flow.section_analysis(x, p, nx)
    dh = 4.0 * duct_flow.W * duct_flow.H / (2.0 * (duct_flow.W + duct_flow.H))
    expected = -gradient * dh**2 / (2.0 * duct_flow.U_IN * duct_flow.NU * duct_flow.RHO)
    assert out["fRe"] == pytest.approx(expected, rel=1e-10)
    assert out["dp_Pa"] == pytest.approx(-gradient * duct_flow.L, rel=1e-10)


def test_duct_rackflow_side(tmp_path: Path) -> None:
    from rackflow.meshing import duct

    n = 3
    path = duct(
        tmp_path / "duct.msh",
        length_m=duct_flow.L,
        width_m=duct_flow.W,
        height_m=duct_flow.H,
        cells=(30, 6, 3),
    )
    r = duct_flow.rackflow_solve(n, threads=1, mesh_file=path)
    assert "error" not in r
    assert r["cells"] == 20 * n**3 == 20 * of_duct.n_for_cells(20 * n**3) ** 3  # blockMesh's count
    assert r["converged"] and r["iterations"] > 0
    assert r["mass_imbalance"] < 1e-6
    # the section-mean static drop and the solver's total-pressure drop describe the same flow
    assert r["dp_Pa"] == pytest.approx(r["dp_total_Pa"], rel=0.05)
    assert 0.0 < r["fRe"] < duct_flow.FRE_EXACT


def test_channel_unit_rackflow_side(tmp_path: Path) -> None:
    from rackflow.meshing import channel_unit

    n, nx = 2, 10
    path = channel_unit(tmp_path / "unit.msh", cells_across_channel=n, n_along=nx)
    r = channel_cht.rackflow_solve(n, nx, threads=1, convection="upwind", mesh_file=path)
    assert "error" not in r
    assert r["cells"] == nx * 6 * n * n  # the OpenFOAM case's grid: nx * 2n * 3n
    power = of_cht.Q_BOTTOM * of_cht.L * of_cht.WIDTH
    rise = power / (of_cht.RHO * of_cht.CP * of_cht.U_IN * of_cht.CHANNEL * of_cht.LAYER)
    assert r["T_out_mixed_K"] - of_cht.T_IN == pytest.approx(rise, rel=1e-3)
    assert abs(r["energy_balance"]) < 1e-8
    assert r["T_solid_max_K"] > r["T_out_mixed_K"] and r["dP_Pa"] > 0.0


def test_coldplate_rackflow_side(tmp_path: Path) -> None:
    from rackflow.meshing import microchannel_coldplate

    path = microchannel_coldplate(tmp_path / "plate.msh", refine=0.3)
    r = coldplate_scaling.rackflow_solve(path, threads=1, tolerance="1e-4")
    assert "error" not in r
    assert r["rth_k_w"] > 0.0 and r["dp_pa"] > 0.0
    assert abs(r["balance"]) < 1e-4
    assert coldplate_scaling.settings_for("1e-4")["tolerance"] == pytest.approx(1e-6)
    assert coldplate_scaling.settings_for("default") == {}


@pytest.mark.skipif(
    not Path("/usr/bin/time").exists(), reason="GNU time (Debian package 'time') not installed"
)
def test_a_timed_out_run_is_killed_with_its_child() -> None:
    import time

    from benchmarks._common import run_timed

    t0 = time.perf_counter()
    run = run_timed(["sh", "-c", "sleep 30"], timeout=1.0)
    # GNU time and the sleep under it both die at the timeout: the pipes close at once
    assert time.perf_counter() - t0 < 10.0
    assert run.returncode != 0
