"""Rendering coolant flow for real, headless: velocity and pressure on the grid, velocity and
pressure colour maps with their bars, arrows and streamlines that change the picture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rackflow as rf
from matplotlib import colormaps
from matplotlib.image import imread
from rackflow import viz
from rackflow.errors import RackflowError
from rackflow.testing.fluids import ConstantFluid
from rackflow.testing.meshes import box

pytest.importorskip("pyvista")

W, H = 600, 400
REGIONS = {"base": lambda c: c[:, 2] < 0.001, "channel": lambda c: c[:, 2] >= 0.001}


@pytest.fixture(scope="module")
def result() -> rf.Result:
    try:
        viz.ensure_headless_backend()
    except RackflowError as e:  # pragma: no cover - machines without any GL library
        pytest.skip(str(e))
    mesh = rf.Mesh.from_meshio(box((20, 6, 8), (0.01, 0.003, 0.002), regions=REGIONS))
    case = rf.Case(mesh)
    case.solid("base", "copper", power_w=5.0)
    case.fluid(
        "channel",
        ConstantFluid(
            density_kg_m3=997.0, viscosity_pa_s=8.55e-4, conductivity_w_mk=0.613, specific_heat_j_kgk=4179.0
        ),
    )
    case.inlet("xmin", velocity_m_s=0.2, temperature_c=30.0)
    case.outlet("xmax")
    return case.solve()


def _render(result: rf.Result, field: str = "temperature", **options: object) -> np.ndarray:
    image = result.render(field, window_size=(W, H), camera="iso", **options)
    assert isinstance(image, np.ndarray) and image.shape == (H, W, 3)
    return image.astype(float) / 255.0


def _bar_column(img: np.ndarray, cmap: str) -> tuple[np.ndarray, np.ndarray]:
    """The column right of the picture with the most pixels of the colormap (the colour bar)."""
    lut = colormaps[cmap](np.linspace(0, 1, 256))[:, :3]
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for x in range(int(0.8 * W), int(0.95 * W)):
        column = img[int(0.12 * H) : int(0.88 * H), x]
        d = np.linalg.norm(column[:, None, :] - lut[None, :, :], axis=2)
        on_map = d.min(axis=1) < 0.06
        if best is None or on_map.mean() > best[0]:
            best = (on_map.mean(), d.argmin(axis=1) / 255.0, on_map)
    assert best is not None
    return best[1], best[2]


def test_grid_carries_velocity_and_pressure(result: rf.Result) -> None:
    grid = result.to_pyvista()
    np.testing.assert_array_equal(np.asarray(grid.cell_data["velocity_m_s"]), result.velocity_m_s)
    np.testing.assert_array_equal(np.asarray(grid.cell_data["pressure_pa"]), result.pressure_pa)
    np.testing.assert_allclose(
        np.asarray(grid.cell_data["velocity_magnitude_m_s"]), np.linalg.norm(result.velocity_m_s, axis=1)
    )
    assert list(grid.field_data["fluid_regions"]) == ["channel"]


@pytest.mark.parametrize(("field", "cmap"), [("velocity", "viridis"), ("pressure", "coolwarm")])
def test_flow_fields_render_with_their_colour_bar(result: rf.Result, field: str, cmap: str) -> None:
    img = _render(result, field)
    assert img.std() > 0.05, "blank image"
    fraction, on_map = _bar_column(img, cmap)
    assert on_map.mean() > 0.9, f"no {cmap} colour bar"
    rows = np.arange(len(fraction))[on_map]
    assert np.corrcoef(rows, fraction[on_map])[0, 1] < -0.95  # high values at the top
    temperature = _render(result)
    assert np.abs(img - temperature).mean() > 0.01


def test_pressure_title_and_png(result: rf.Result, tmp_path: Path) -> None:
    out = result.render("pressure", path=tmp_path / "p.png", window_size=(W, H))
    img = imread(out)
    assert img.shape[:2] == (H, W)
    assert img[..., :3].std() > 0.05


@pytest.mark.parametrize("option", ["glyphs", "streamlines"])
def test_arrows_and_streamlines_change_the_image(result: rf.Result, option: str) -> None:
    translucent = _render(result, opacity=0.35)
    drawn = _render(result, **{option: True})
    assert drawn.std() > 0.05
    changed = np.abs(drawn - translucent).max(axis=2) > 0.1
    assert changed.mean() > 0.01, f"{option} did not change the picture"

    # the accent colour (deepskyblue, seen through the translucent surface) makes those pixels bluer
    def blueness(im: np.ndarray) -> float:
        return float((im[..., 2] - im[..., 0])[changed].mean())

    assert blueness(drawn) > blueness(translucent) + 0.1
    # the temperature colour bar is still there
    _, on_map = _bar_column(drawn, "inferno")
    assert on_map.mean() > 0.9


def test_glyphs_are_subsampled_and_scaled(result: rf.Result, monkeypatch: pytest.MonkeyPatch) -> None:
    grid = result.to_pyvista()
    names = [str(n) for n in grid.field_data["region_names"]]
    fluid = viz._fluid_cells(grid, names)
    assert len(fluid) == result.mesh.cells_of("channel").size
    arrows = viz._glyphs(grid, fluid, None)
    one_arrow = rf_arrow_points()
    assert arrows.n_points == len(fluid) * one_arrow
    # the longest arrow is about the spacing of the arrows: within the domain's size, not a speck
    length = float(np.ptp(np.asarray(arrows.points)[:, 0]))
    assert 0.01 * 0.9 < length < 0.01 * 1.3
    monkeypatch.setattr(viz, "MAX_GLYPHS", 50)
    assert viz._glyphs(grid, fluid, None).n_points == 50 * one_arrow


def rf_arrow_points() -> int:
    import pyvista as pv

    return pv.Arrow().n_points


def test_streamlines_start_at_the_inlet_and_follow_the_flow(result: rf.Result) -> None:
    seeds = viz._inlet_seeds(result)
    assert seeds is not None and len(seeds) == min(len(result.mesh.patch_face_centers("xmin")), viz.MAX_SEEDS)
    grid = result.to_pyvista()
    fluid = viz._fluid_cells(grid, [str(n) for n in grid.field_data["region_names"]])
    lines = viz._streamlines(grid, fluid, seeds)
    x = np.asarray(lines.points)[:, 0]
    assert x.min() < 0.001 and x.max() > 0.009  # inlet to outlet along +x
    z = np.asarray(lines.points)[:, 2]
    assert z.min() >= 0.001 - 1e-9  # only in the coolant
    with pytest.raises(RackflowError, match="unknown seed patch 'nozzle'"):
        result.render(streamlines=True, seed_patch="nozzle", window_size=(64, 64))


def test_render_a_saved_flow_result(result: rf.Result, tmp_path: Path) -> None:
    """A saved coolant result keeps its velocity and pressure for rendering (rackflow render)."""
    vtu = result.save(tmp_path / "flow.vtu")
    grid = viz.read_result_grid(vtu)
    np.testing.assert_allclose(np.asarray(grid.cell_data["velocity_m_s"]), result.velocity_m_s)
    np.testing.assert_allclose(np.asarray(grid.cell_data["pressure_pa"]), result.pressure_pa)
    image = rf.render_file(vtu, "velocity", window_size=(W, H), camera="iso")
    assert isinstance(image, np.ndarray) and image.shape == (H, W, 3)
    _, on_map = _bar_column(image.astype(float) / 255.0, "viridis")
    assert on_map.mean() > 0.9, "no velocity colour bar"
    assert rf.render_file(vtu, "pressure", path=tmp_path / "p.png", window_size=(W, H)).exists()


@pytest.mark.parametrize(("axis", "k"), [("z", 2), ("y", 1)])
def test_cuts_go_through_the_coolant(result: rf.Result, axis: str, k: int) -> None:
    """clip='z' on a coolant result cuts the coolant at its mid-plane, not at the hottest cell
    (on the heated base, which would leave a sliver); the picture says where."""
    info: dict = {}
    image = result.render(clip=axis, window_size=(W, H), info=info)
    position = info["clip"]["position_m"]
    channel = result.mesh.cell_centers[result.mesh.cells_of("channel")][:, k]
    assert channel.min() <= position <= channel.max()
    assert abs(position - 0.5 * (channel.min() + channel.max())) <= np.ptp(np.unique(channel)) / 2 + 1e-12
    assert any(f"clip at {axis} = {position * 1e3:.2f} mm" in line for line in info["text"])
    # the coolant in view: part of the picture is coloured
    assert (np.abs(image.astype(float) / 255.0 - 1.0).sum(axis=2) > 0.1).mean() > 0.05


def test_ports_are_labelled_with_arrows(result: rf.Result) -> None:
    info: dict = {}
    with_ports = result.render(window_size=(W, H), camera="iso", info=info).astype(float)
    assert info["ports"] == ["xmin: 30.0 °C, 0.2 m/s", "xmax: 32.0 °C mixed mean"]
    without = result.render(window_size=(W, H), camera="iso", ports=False).astype(float)
    blue = np.array([0x1F, 0x5F, 0xBF], dtype=float)
    arrows = (np.abs(with_ports - blue).sum(axis=2) < 60) & (np.abs(without - blue).sum(axis=2) >= 60)
    assert arrows.sum() > 50, "no inlet or outlet arrows drawn"
