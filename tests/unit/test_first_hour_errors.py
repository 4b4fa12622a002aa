"""Issue 18's hostile inputs that reach the core: thread counts, special files, the flow regime,
failed solves that leave something to look at, typed convergence statuses."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import rackflow as rf
from rackflow.case import available_cores
from rackflow.errors import FlowRegimeWarning, ThreadsWarning
from rackflow.testing.meshes import box


@pytest.fixture
def channel() -> rf.Mesh:
    return rf.Mesh.from_meshio(box((24, 4, 4), (0.02, 0.002, 0.002)))


def _heated_channel(mesh: rf.Mesh, flow_lpm: float = 0.05) -> rf.Case:
    case = rf.Case(mesh)
    case.fluid("box", coolant="water")
    case.inlet("xmin", flow_lpm=flow_lpm, temperature_c=30.0)
    case.outlet("xmax")
    case.heat_flux("ymin", flux_w_m2=2e4)
    return case


# ----- item 3: thread counts -------------------------------------------------------------------
def test_far_too_many_threads_is_an_error_before_solving(channel: rf.Mesh) -> None:
    case = _heated_channel(channel)
    with pytest.raises(rf.CaseError, match="threads=4096"):
        case.solve(threads=4096)


def test_more_threads_than_cores_are_capped_with_a_warning(channel: rf.Mesh) -> None:
    case = _heated_channel(channel)
    cores = available_cores()
    with pytest.warns(ThreadsWarning, match=f"using {cores}"):
        result = case.solve(threads=cores + 1)
    assert result.report["threads"] == cores


# ----- item 4: special files --------------------------------------------------------------------
def test_a_fifo_is_refused_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "plate.msh"
    os.mkfifo(fifo)
    # in a subprocess: a regression would block for ever on open()
    code = f"import rackflow as rf\ntry:\n    rf.load_mesh({str(fifo)!r})\nexcept rf.MeshError as e:\n    print('MeshError', e)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "MeshError" in out.stdout and "FIFO" in out.stdout, out.stdout + out.stderr


def test_a_link_to_dev_zero_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "zero.msh"
    link.symlink_to("/dev/zero")
    with pytest.raises(rf.MeshError, match="device"):
        rf.load_mesh(link)


# ----- item 8: the flow regime -------------------------------------------------------------------
def test_laminar_model_above_transition_warns_naming_region_and_reynolds(channel: rf.Mesh) -> None:
    # 2 mm square duct, water at 30 °C: Re = ρ Q D_h / (A μ) ≈ 9,400 at 1.5 L/min
    case = _heated_channel(channel, flow_lpm=1.5)
    (region, reynolds) = case.inlet_reynolds_numbers()["xmin"]
    assert region == "box"
    assert reynolds == pytest.approx(995.6 * 1.5 / 60_000 * 0.002 / (0.002**2 * 7.97e-4), rel=0.02)
    with pytest.warns(FlowRegimeWarning, match=r"region 'box'.*Reynolds number of [0-9,]+"):
        case._check_flow_regime()


def test_a_reynolds_number_far_outside_every_model_is_an_error(channel: rf.Mesh) -> None:
    case = _heated_channel(channel, flow_lpm=1000.0)
    with pytest.raises(rf.CaseError, match=r"inlet 'xmin'.*Reynolds number"):
        case.solve()


def test_laminar_flow_does_not_warn(channel: rf.Mesh, recwarn: pytest.WarningsRecorder) -> None:
    _heated_channel(channel)._check_flow_regime()
    assert not [w for w in recwarn if issubclass(w.category, FlowRegimeWarning)]


# ----- item 22: a failed solve leaves its last iterate ----------------------------------------------
def test_failed_flow_solve_has_a_partial_result(channel: rf.Mesh, tmp_path: Path) -> None:
    case = _heated_channel(channel)
    with pytest.raises(rf.ConvergenceError) as info:
        case.solve(flow_max_iterations=5)
    err = info.value
    assert (err.status, err.equation) == ("max_iterations", "flow")
    partial = err.partial_result
    assert partial is not None and not partial.converged
    assert partial.velocity_m_s.shape == (channel.n_cells, 3)
    assert np.isfinite(partial.velocity_m_s).all() and np.abs(partial.velocity_m_s).max() > 0
    assert partial.residual is not None and partial.residual.shape == (channel.n_cells,)
    saved = partial.save(tmp_path / "failed.vtu")
    import meshio

    assert "residual" in meshio.read(saved).cell_data
    assert "NOT CONVERGED" in repr(partial)


def test_failed_energy_solve_has_temperatures_and_the_flow(channel: rf.Mesh) -> None:
    case = _heated_channel(channel)
    with pytest.raises(rf.ConvergenceError) as info:
        case.solve(max_iterations=1, tolerance=1e-14)
    err = info.value
    assert err.equation == "energy"
    partial = err.partial_result
    assert partial.temperature_c.shape == (channel.n_cells,)
    assert 30.0 <= partial.temperature_c.min() and partial.temperature_c.max() < 100.0
    assert partial.velocity_m_s.shape == (channel.n_cells, 3)


def test_coupling_passes_are_settings_and_their_failure_says_so(channel: rf.Mesh) -> None:
    case = rf.Case(channel)
    case.fluid("box", coolant="PG25")  # temperature-dependent properties: coupling passes
    case.inlet("xmin", flow_lpm=0.05, temperature_c=30.0)
    case.outlet("xmax")
    case.heat_flux("ymin", flux_w_m2=2e5)
    with pytest.raises(rf.ConvergenceError, match="did not settle in 1 coupling passes") as info:
        case.solve(max_coupling_passes=1, coupling_tolerance_k=1e-9)
    assert (info.value.status, info.value.equation) == ("max_iterations", "coupling")
    with pytest.raises(rf.CaseError, match="coupling_tolerance_k"):
        case.solve(coupling_tolerance_k=-1.0)


def test_convergence_status_is_typed_for_callers() -> None:
    """The typed status is what callers branch on; the message is for people."""
    code = textwrap.dedent(
        """
        import rackflow as rf
        from rackflow.testing.meshes import box
        case = rf.Case(rf.Mesh.from_meshio(box((8, 2, 2), (0.01, 0.002, 0.002))))
        case.fluid("box", coolant="water")
        case.inlet("xmin", flow_lpm=0.05, temperature_c=30.0)
        case.outlet("xmax")
        try:
            case.solve(flow_max_iterations=2)
        except rf.ConvergenceError as e:
            print(e.status)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "max_iterations", out.stderr
