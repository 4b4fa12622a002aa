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
    case.fluid("box", coolant="water", turbulence="laminar")  # "auto" would choose k-ω SST
    (region, reynolds) = case.inlet_reynolds_numbers()["xmin"]
    assert region == "box"
    assert reynolds == pytest.approx(995.6 * 1.5 / 60_000 * 0.002 / (0.002**2 * 7.97e-4), rel=0.02)
    with pytest.warns(FlowRegimeWarning, match=r"region 'box'.*Reynolds number of [0-9,]+"):
        case._flow_regime_problems()


def test_a_reynolds_number_far_outside_every_model_is_an_error(channel: rf.Mesh) -> None:
    case = _heated_channel(channel, flow_lpm=1000.0)
    with pytest.raises(rf.CaseError, match=r"inlet 'xmin'.*Reynolds number"):
        case.solve()


def test_laminar_flow_does_not_warn(channel: rf.Mesh, recwarn: pytest.WarningsRecorder) -> None:
    _heated_channel(channel)._flow_regime_problems()
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


# ----- item 7: non-physical answers are errors --------------------------------------------------
def _block() -> rf.Case:
    case = rf.Case(rf.Mesh.from_meshio(box((6, 6, 3), (0.02, 0.02, 0.004))))
    case.solid("box", material="copper")
    case.fixed_temperature("zmax", temperature_c=25.0)
    return case


def test_a_temperature_below_absolute_zero_is_an_error_naming_the_cause() -> None:
    case = _block()
    case.heat_flux("zmin", power_w=-1e9)
    with pytest.raises(rf.ConvergenceError, match=r"below absolute zero.*power_w") as info:
        case.solve()
    assert info.value.status == "non_physical"
    assert info.value.partial_result.temperature_c.min() < -273.15


def test_an_energy_balance_far_off_is_an_error(channel: rf.Mesh) -> None:
    absurd = rf.Coolant(
        "absurd", density_kg_m3=1000.0, viscosity_pa_s=1e-3, conductivity_w_mk=0.6, specific_heat_j_kgk=1e20
    )
    case = rf.Case(channel)
    case.fluid("box", coolant=absurd)
    case.inlet("xmin", flow_lpm=0.05, temperature_c=30.0)
    case.outlet("xmax")
    case.heat_flux("ymin", flux_w_m2=2e4)
    with pytest.raises(rf.RackflowError, match=r"conserve energy|specific_heat") as info:
        case.solve()
    if isinstance(info.value, rf.ConvergenceError):
        assert info.value.status in ("non_physical", "diverged", "stalled", "max_iterations")


# ----- item 9: floating bodies ----------------------------------------------------------------------
def _two_bodies() -> rf.Mesh:
    """Two copper blocks 3 mm apart, sharing no faces; the upper one's boundary untagged."""
    import meshio

    lower = box((4, 4, 2), (0.01, 0.01, 0.002), regions={"lower": lambda c: np.ones(len(c), bool)})
    upper = box((4, 4, 2), (0.01, 0.01, 0.002), origin=(0.0, 0.0, 0.005))
    offset = len(lower.points)
    blocks, tags = [], []
    for block, tag in zip(lower.cells, lower.cell_data["gmsh:physical"], strict=True):
        blocks.append((block.type, block.data))
        tags.append(tag)
    for block, tag in zip(upper.cells, upper.cell_data["gmsh:physical"], strict=True):
        if block.type == "hexahedron":
            blocks.append((block.type, block.data + offset))
            tags.append(np.full(len(tag), 101))
    field_data = dict(lower.field_data)
    field_data["upper"] = np.array([101, 3])
    merged = meshio.Mesh(
        np.vstack([lower.points, upper.points]),
        blocks,
        cell_data={"gmsh:physical": tags},
        field_data=field_data,
    )
    return rf.Mesh.from_meshio(merged)


def test_a_body_with_no_heat_path_is_named_before_solving() -> None:
    case = rf.Case(_two_bodies())
    case.solid("lower", material="copper", power_w=10.0)
    case.solid("upper", material="copper", power_w=10.0)
    case.fixed_temperature("zmin", temperature_c=25.0)
    with pytest.raises(rf.CaseError, match=r"\['upper'\].*no heat path"):
        case.solve()
    # the same with the floating body cooled solves
    case.convective("untagged", htc_w_m2k=100.0, ambient_c=25.0)
    assert case.solve().max_temperature_c("upper") > 25.0


# ----- item 10: one-line errors instead of tracebacks ----------------------------------------------
def test_unusable_numbers_and_callables_name_the_item() -> None:
    case = rf.Case(rf.Mesh.from_meshio(box((6, 6, 3), (0.02, 0.02, 0.004))))
    with pytest.raises(rf.CaseError, match="power_w must be finite"):
        case.solid("box", material="copper", power_w=10**400)
    with pytest.raises(rf.CaseError, match=r"returned shape \(3,\)"):
        case.solid("box", material="copper", power_density_w_m3=lambda xyz: np.ones(3))
    with pytest.raises(rf.CaseError, match="must return numbers"):
        case.solid("box", material="copper", power_density_w_m3=lambda xyz: ["hot"] * len(xyz))


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("preconditioner", None, "'preconditioner' must be one of"),
        ("convection", 3, "'convection' must be one of"),
        ("tolerance", "small", "'tolerance' must be a number"),
        ("velocity_relaxation", [0.5], "'velocity_relaxation' must be a number"),
    ],
)
def test_a_wrong_typed_setting_is_named(setting: str, value: object, expected: str) -> None:
    case = _block()
    with pytest.raises(rf.CaseError, match=expected):
        case.solve(**{setting: value})


def test_a_deeply_nested_case_file_is_a_case_file_error(tmp_path: Path) -> None:
    from rackflow import casefile

    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 20000 + "]" * 20000 + "\n")
    with pytest.raises(rf.CaseFileError, match="nested too deeply"):
        casefile.load(path)


@pytest.mark.parametrize("value", ["-5", '"long"', "2.5"])
def test_bad_generator_parameters_in_a_case_file_are_named(tmp_path: Path, value: str) -> None:
    from rackflow import casefile

    path = tmp_path / "case.toml"
    path.write_text(f'[mesh]\ngenerator = "channel-unit"\nparams = {{ n_along = {value} }}\n')
    with pytest.raises(rf.CaseFileError, match="n_along"):
        casefile.load(path)


def test_bad_generator_parameters_on_the_command_line_are_one_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rackflow.cli", "mesh", "channel-unit", "--n-along", "-5", "--out", "x.msh"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert "n_along" in out.stderr
