"""Warm starts (``Case.solve(initial=...)``): fewer iterations, the same answer, clear errors."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import rackflow as rf
from rackflow.errors import ConvectionFallbackWarning
from rackflow.testing.meshes import box

#: the conjugate driver stops its flow ↔ energy passes when temperatures move less than this, K
COUPLING_TOLERANCE_K = 1e-3


@pytest.fixture(scope="module")
def channel_mesh() -> rf.Mesh:
    regions = {"base": lambda c: c[:, 2] < 0.001, "channel": lambda c: c[:, 2] >= 0.001}
    return rf.Mesh.from_meshio(box((16, 4, 8), (0.01, 0.001, 0.002), regions=regions))


def conjugate(mesh: rf.Mesh, flow_lpm: float = 0.02, inlet_c: float = 30.0) -> rf.Case:
    """Copper under a water channel (properties follow the temperature: coupling passes)."""
    case = rf.Case(mesh)
    case.solid("base", "copper")
    case.fluid("channel", "water")
    case.heat_flux("zmin", flux_w_m2=5e5)
    case.inlet("xmin", flow_lpm=flow_lpm, temperature_c=inlet_c)
    case.outlet("xmax")
    return case


def iterations(result: rf.Result) -> tuple[int, int]:
    return result.report["flow_iterations"], result.report["outer_iterations"]


def assert_same_answer(a: rf.Result, b: rf.Result) -> None:
    sa, sb = a.summary().to_dict(), b.summary().to_dict()
    for key in ("max_temperature_c", "max_temperature_c.base", "outlet_temperature_c"):
        assert sa[key] == pytest.approx(sb[key], abs=COUPLING_TOLERANCE_K), key
    np.testing.assert_allclose(a.temperature_c, b.temperature_c, atol=COUPLING_TOLERANCE_K)
    # the flow converges to 1e-7 normalised momentum residuals; the pressure drop to well within 1e-4
    assert sa["pressure_drop_pa"] == pytest.approx(sb["pressure_drop_pa"], rel=1e-4)
    assert sa["coolant_heat_w"] == pytest.approx(sb["coolant_heat_w"], rel=1e-6)


def test_warm_start_from_itself_converges_at_once(channel_mesh: rf.Mesh) -> None:
    cold = conjugate(channel_mesh).solve(threads=1)
    warm = conjugate(channel_mesh).solve(threads=1, initial=cold)
    assert_same_answer(warm, cold)
    cold_flow, cold_outer = iterations(cold)
    warm_flow, warm_outer = iterations(warm)
    assert cold.report["coupling_passes"] >= 3
    # one pass, or a second when the first flow solve met only the looser intermediate tolerance
    assert warm.report["coupling_passes"] <= 2
    assert warm_flow < cold_flow / 10
    assert warm_outer < cold_outer


def test_warm_start_from_another_inlet_temperature_saves_flow_iterations(channel_mesh: rf.Mesh) -> None:
    neighbour = conjugate(channel_mesh, inlet_c=30.0).solve(threads=1)
    cold = conjugate(channel_mesh, inlet_c=35.0).solve(threads=1)
    warm = conjugate(channel_mesh, inlet_c=35.0).solve(threads=1, initial=neighbour)
    assert_same_answer(warm, cold)
    assert iterations(warm)[0] < 0.8 * iterations(cold)[0]
    assert warm.max_temperature_c() > neighbour.max_temperature_c() + 3.0  # not the neighbour's answer
    # the neighbour's temperatures are shifted by the inlet change (exact for constant properties):
    # the first pass moves them less than half as far as from an unshifted start (1.06 vs 5.0 K)
    unshifted = conjugate(channel_mesh, inlet_c=35.0).solve(
        threads=1, initial={"temperature_c": neighbour.temperature_c, "velocity_m_s": neighbour.velocity_m_s}
    )
    assert_same_answer(unshifted, cold)
    first_change = warm.report["coupling_history"][0][2]
    assert 0 < first_change < 0.5 * unshifted.report["coupling_history"][0][2]
    assert unshifted.report["coupling_history"][0][2] == pytest.approx(5.0, rel=0.1)


@pytest.mark.parametrize("scale", [True, False])
def test_warm_start_from_another_flow_rate_gives_that_flow_rates_answer(
    channel_mesh: rf.Mesh, scale: bool
) -> None:
    # (on this small channel a start from another flow rate saves no flow iterations; the sweep
    # benchmark measures what it saves on the bundled cold plate)
    neighbour = conjugate(channel_mesh, flow_lpm=0.02).solve(threads=1)
    cold = conjugate(channel_mesh, flow_lpm=0.03, inlet_c=35.0).solve(threads=1)
    warm = conjugate(channel_mesh, flow_lpm=0.03, inlet_c=35.0).solve(
        threads=1, initial=neighbour, scale_initial_flow=scale
    )
    assert_same_answer(warm, cold)
    assert warm.pressure_drop_pa("xmin", "xmax") > 1.2 * neighbour.pressure_drop_pa("xmin", "xmax")


def test_arrays_instead_of_a_result(channel_mesh: rf.Mesh) -> None:
    cold = conjugate(channel_mesh).solve(threads=1)
    # temperatures and velocities only: face fluxes are rebuilt from the velocity
    start = {"temperature_c": list(cold.temperature_c), "velocity_m_s": cold.velocity_m_s}
    warm = conjugate(channel_mesh).solve(threads=1, initial=start)
    assert_same_answer(warm, cold)
    assert iterations(warm)[0] < iterations(cold)[0]


def test_conduction_warm_start_starts_closer() -> None:
    regions = {"die": lambda c: c[:, 2] < 0.002, "base": lambda c: c[:, 2] >= 0.002}
    mesh = rf.Mesh.from_meshio(box((8, 8, 4), (0.04, 0.04, 0.008), regions=regions))

    def case(power_w: float) -> rf.Case:
        c = rf.Case(mesh)
        c.solid("die", "silicon", power_w=power_w)  # k(T): outer iterations
        c.solid("base", "copper")
        c.convective("zmax", htc_w_m2k=5e3, ambient_c=30.0)
        return c

    neighbour = case(180.0).solve(threads=1)
    cold = case(200.0).solve(threads=1)
    warm = case(200.0).solve(threads=1, initial=neighbour)
    np.testing.assert_allclose(warm.temperature_c, cold.temperature_c, rtol=1e-7)
    # the neighbour's field starts an order of magnitude closer; the outer iterations reduce the
    # residual by about 1e3 each, so this small case needs no fewer of them
    assert warm.report["residual_history"][0] < 0.1 * cold.report["residual_history"][0]
    assert warm.report["outer_iterations"] <= cold.report["outer_iterations"]


def test_bad_initial_arrays_are_clear_errors(channel_mesh: rf.Mesh) -> None:
    n = channel_mesh.n_cells
    case = conjugate(channel_mesh)
    with pytest.raises(rf.CaseError, match=rf"initial temperature_k has 3 values; the mesh needs {n}"):
        case.solve(initial={"temperature_c": [30.0, 31.0, 32.0]})
    t = np.full(n, 30.0)
    t[5] = np.nan
    with pytest.raises(rf.CaseError, match="initial temperature_k is not finite at index 5"):
        case.solve(initial={"temperature_c": t})
    with pytest.raises(rf.CaseError, match=rf"initial velocity_m_s has shape \[{n}, 2\]"):
        case.solve(initial={"velocity_m_s": np.zeros((n, 2))})
    with pytest.raises(
        rf.CaseError, match=rf"initial mass_flux_kg_s has 7 values; the mesh needs {channel_mesh.n_faces}"
    ):
        case.solve(initial={"velocity_m_s": np.zeros((n, 3)), "mass_flux_kg_s": np.zeros(7)})
    with pytest.raises(rf.CaseError, match="mass_flux_kg_s needs the initial velocity_m_s"):
        case.solve(initial={"mass_flux_kg_s": np.zeros(channel_mesh.n_faces)})
    with pytest.raises(rf.CaseError, match=r"unknown initial field\(s\) \['temperature_k'\]"):
        case.solve(initial={"temperature_k": np.full(n, 300.0)})
    with pytest.raises(rf.CaseError, match="initial pressure_pa must be an array of numbers"):
        case.solve(initial={"pressure_pa": ["a"] * n})
    with pytest.raises(rf.CaseError, match="not both"):
        case.solve(initial={"temperature_c": np.full(n, 30.0)}, initial_temperature_c=30.0)
    with pytest.raises(rf.CaseError, match="must be a rackflow Result or a mapping"):
        case.solve(initial=np.zeros(n))  # type: ignore[arg-type]
    with pytest.raises(rf.CaseError, match="must be positive \\(kelvin\\)"):
        case.solve(initial={"temperature_c": np.full(n, -300.0)})


def test_flow_fields_on_a_conduction_case_are_an_error() -> None:
    mesh = rf.Mesh.from_meshio(box((3, 3, 3), (0.01, 0.01, 0.01)))
    case = rf.Case(mesh)
    case.solid("box", "copper", power_w=1.0)
    case.convective("zmax", htc_w_m2k=100.0, ambient_c=20.0)
    with pytest.raises(rf.CaseError, match="the case has no coolant flow"):
        case.solve(initial={"velocity_m_s": np.zeros((27, 3))})


@pytest.fixture(scope="module")
def tet_channel(tmp_path_factory: pytest.TempPathFactory) -> rf.Mesh:
    """A 10 × 2 × 1 mm channel of Gmsh (Delaunay) tetrahedra: non-orthogonal faces."""
    from rackflow.testing.meshes import gmsh_box_tetra

    path = tmp_path_factory.mktemp("tet") / "channel.msh"
    return rf.load_mesh(gmsh_box_tetra(str(path), (0.01, 0.002, 0.001), 2.5e-4))


def tet_flow(mesh: rf.Mesh, flow_lpm: float) -> rf.Case:
    # constant properties: one flow solve, whose converged state the warm start must reproduce
    water = rf.Coolant(
        "water at 30 °C",
        density_kg_m3=995.7,
        viscosity_pa_s=7.97e-4,
        conductivity_w_mk=0.615,
        specific_heat_j_kgk=4178.0,
    )
    case = rf.Case(mesh)
    case.fluid("box", coolant=water)
    case.inlet("xmin", flow_lpm=flow_lpm, temperature_c=30.0)
    case.outlet("xmax")
    case.heat_flux("zmin", flux_w_m2=1e4)
    return case


def test_warm_start_from_itself_converges_at_once_on_tetrahedra(tet_channel: rf.Mesh, tmp_path: Path) -> None:
    # issue 16: the second-order solve of these tetrahedra converged at relaxation 0.675 with its
    # limiter held and 836 cells made first order (68 before the Rhie–Chow dissipation became the
    # unrelaxed diagonal's); a start from its own result that knew none of that (nor the
    # pressure's non-orthogonal flux) began at momentum residuals 8e-3 and took 1,322 iterations
    # to a pressure drop 0.03 % off. Since stop 30 (Venkatakrishnan's limiter and a local
    # pseudo-time step) they converge at 0.9 with no cell first order (457 iterations, measured):
    # the start must still reproduce the limiter, the per-cell relaxation and the pressure's
    # non-orthogonal flux the result converged with
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvectionFallbackWarning)
        cold = tet_flow(tet_channel, 0.05).solve(threads=1)
    assert cold.momentum_relaxation == 0.9
    assert int(cold.report["flow_first_order_cells"]) == 0
    # the same discretisation
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvectionFallbackWarning)
        warm = tet_flow(tet_channel, 0.05).solve(threads=1, initial=cold)
    first = warm.report["flow_history"][0]
    assert max(first[:3]) < 1e-6 and first[4] < 1e-5, first
    assert warm.report["flow_iterations"] <= 5, (
        warm.report["flow_iterations"],
        cold.report["flow_iterations"],
    )
    assert warm.summary().to_dict()["pressure_drop_pa"] == pytest.approx(
        cold.summary().to_dict()["pressure_drop_pa"], rel=1e-5
    )
    np.testing.assert_allclose(warm.velocity_m_s, cold.velocity_m_s, rtol=0, atol=1e-5 * 0.417)
    # the energy's held limiter and non-orthogonal bound are carried too: before, the warm start
    # held its own (at iterations 35 and 66 against 43 and 73) and its hottest cell was 0.023 K
    # off; the corpus microchannel plate's was 1.0 K off, single coolant cells 15 K
    assert cold.energy_limiter is not None and cold.energy_non_orthogonal_scale is not None
    assert cold.energy_limiter.shape == (tet_channel.n_cells,)
    assert cold.energy_non_orthogonal_scale.shape == (tet_channel.n_faces,)
    assert warm.report["energy_limiter_frozen_at"] is None, warm.report["energy_limiter_frozen_at"]
    # (its flow moved by the flow's tolerance: a few passes settle that; 4 measured, cold 80+)
    assert warm.report["outer_iterations"] <= 6, warm.report["outer_iterations"]
    assert warm.report["outer_iterations"] < cold.report["outer_iterations"] / 10
    rise = float(cold.temperature_c.max()) - 30.0
    np.testing.assert_allclose(warm.temperature_c, cold.temperature_c, rtol=0, atol=1e-5 * rise)
    np.testing.assert_array_equal(warm.energy_limiter, cold.energy_limiter)
    # a sweep's stored fields carry the same (a power sweep's neighbour at this flow rate)
    from rackflow.sweep import Store
    from rackflow.sweep.worker import result_fields

    store = Store(tmp_path / "sweep")
    store.write_fields("p0", result_fields(cold))
    stored = store.read_fields("p0", n_cells=tet_channel.n_cells, n_faces=tet_channel.n_faces)
    assert stored is not None
    held = ("momentum_limiter", "momentum_relaxation", "energy_limiter", "energy_non_orthogonal_scale")
    assert set(held) <= set(stored), sorted(stored)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvectionFallbackWarning)
        again = tet_flow(tet_channel, 0.05).solve(threads=1, initial=stored)
    assert again.report["flow_iterations"] <= 5 and again.report["outer_iterations"] <= 6
    np.testing.assert_allclose(again.temperature_c, cold.temperature_c, rtol=0, atol=1e-5 * rise)


def test_held_energy_corrections_are_checked(channel_mesh: rf.Mesh) -> None:
    n, faces = channel_mesh.n_cells, channel_mesh.n_faces
    case = conjugate(channel_mesh)
    t = np.full(n, 30.0)
    with pytest.raises(
        rf.CaseError, match=r"initial energy_limiter must lie in \[0, 1\], got 1.5 at index 2"
    ):
        limit = np.ones(n)
        limit[2] = 1.5
        case.solve(initial={"temperature_c": t, "energy_limiter": limit})
    with pytest.raises(
        rf.CaseError, match=f"initial energy_non_orthogonal_scale has 3 values; the mesh needs {faces}"
    ):
        case.solve(initial={"temperature_c": t, "energy_non_orthogonal_scale": np.ones(3)})
    with pytest.raises(
        rf.CaseError, match="energy_limiter or energy_non_orthogonal_scale needs the initial temperature_k"
    ):
        case.solve(initial={"energy_limiter": np.ones(n)})


def test_a_carried_first_order_fallback_solves_first_order_at_once(tet_channel: rf.Mesh) -> None:
    # a power or inlet-temperature sweep of a plate whose flow converges only with the first-order
    # fallback: each neighbour at the same flow rate goes there directly (the corpus microchannel
    # plate repeated 520 failing second-order iterations per point); at another flow rate the
    # neighbour tries second order again. These tetrahedra converge at second order at every
    # laminar rate tried (0.012–0.1 L/min, 1,100–1,900 iterations; they fell back at 0.025 before
    # the Rhie–Chow dissipation became the unrelaxed diagonal's; 286 at 0.025 with stop 30's
    # Venkatakrishnan limiter and pseudo-time step), so a limit of 200 flow iterations makes the
    # second-order attempts fail, as the plate's limit did (126 first-order iterations, measured)
    limit = {"flow_max_iterations": 200}
    with pytest.warns(ConvectionFallbackWarning, match="first-order upwind at velocity_relaxation 0.7"):
        cold = tet_flow(tet_channel, 0.025).solve(threads=1, **limit)
    assert cold.momentum_first_order_fallback and cold.momentum_relaxation == 0.7
    with pytest.warns(ConvectionFallbackWarning, match="first-order upwind at velocity_relaxation 0.7"):
        warm = tet_flow(tet_channel, 0.025).solve(threads=1, initial=cold, **limit)
    assert warm.report["flow_first_order_fallback"] == 0.7
    assert warm.report["flow_iterations"] <= 5, (
        warm.report["flow_iterations"],
        cold.report["flow_iterations"],
    )
    np.testing.assert_allclose(warm.velocity_m_s, cold.velocity_m_s, rtol=0, atol=1e-5 * 0.21)
    rise = float(cold.temperature_c.max()) - 30.0
    np.testing.assert_allclose(warm.temperature_c, cold.temperature_c, rtol=0, atol=1e-5 * rise)
    # second order again (measured: 1,117 iterations at the carried α 0.7, no cell made first order
    # in the momentum)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvectionFallbackWarning)
        other = tet_flow(tet_channel, 0.02).solve(threads=1, initial=cold)
    assert other.report["flow_first_order_fallback"] is None and not other.momentum_first_order_fallback
    # its energy is bounded: nothing is held from the 0.025 L/min result (another flow rate), but
    # the passes start from its temperatures, freeze the limiter at pass 35 of that path, and the
    # held system's solution put 8 core cells 0.28–0.98 K below the 30 °C inlet; the energy's
    # bounds repair made them and their neighbours first order (26 cells) and it converged with
    # no coolant cell below 29.99 °C. Solved fresh at 0.02 L/min (another flow: the momentum's
    # held limiter depends on its path too) the energy needs no repair, nor from the uniform
    # start on this flow; from the 0.025 L/min temperatures on this flow it needs the same 26
    # (benchmarks/RESULTS.md, "A warm start at another flow rate")
    assert float(other.temperature_c.min()) > 30.0 - 0.25
    with pytest.raises(
        rf.CaseError, match=r"momentum_first_order_fallback must be one finite value, got \[NaN\]"
    ):
        tet_flow(tet_channel, 0.025).solve(
            initial={"velocity_m_s": cold.velocity_m_s, "momentum_first_order_fallback": [np.nan]}
        )
    with pytest.raises(rf.CaseError, match=r"momentum_non_orthogonal_limit must be one value in \(0, 1\]"):
        tet_flow(tet_channel, 0.025).solve(
            initial={"velocity_m_s": cold.velocity_m_s, "momentum_non_orthogonal_limit": [1.5]}
        )


@pytest.mark.filterwarnings("ignore::rackflow.errors.ConvectionFallbackWarning")
def test_a_sweeps_neighbour_at_the_same_flow_rate_solves_the_same_discrete_system(
    tet_channel: rf.Mesh, tmp_path: Path
) -> None:
    # a heat-flux sweep of these tetrahedra: the second point starts from the first's stored
    # fields and takes the scheme that converged (1,518 second-order flow iterations for the
    # first point, measured; 312 with the first-order fallback this flow rate took before the
    # Rhie–Chow dissipation became the unrelaxed diagonal's) and the same energy
    # discretisation, so its temperature rise scales exactly (constant properties: a linear
    # system)
    from rackflow.sweep import Sweep

    table = Sweep(tet_flow(tet_channel, 0.025), **{"flux_w_m2.zmin": [1e4, 1.25e4]}).run(
        store=tmp_path / "s", workers=0, progress=False
    )
    assert (table["status"] == "ok").all(), table["error"].tolist()
    assert table["warm_start_from"][1] == table["point_id"][0]
    assert table["flow_iterations"][1] <= 5, table["flow_iterations"].tolist()
    rise = table["max_temperature_c"] - 30.0
    assert rise[1] == pytest.approx(1.25 * rise[0], rel=1e-6)
