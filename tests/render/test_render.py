"""Rendering for real, headless: the PNG has the right size, is not blank, shows the hot corner
hot and carries a colour bar with the colormap's gradient."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import rackflow as rf
from matplotlib import colormaps
from matplotlib.image import imread
from rackflow import viz
from rackflow.errors import RackflowError
from rackflow.testing.meshes import box

pytest.importorskip("pyvista")

W, H = 600, 400


def _hot(c: np.ndarray) -> np.ndarray:
    return (c[:, 0] < 0.3) & (c[:, 1] < 0.3) & (c[:, 2] > 0.7)


@pytest.fixture(scope="module")
def result() -> rf.Result:
    try:
        viz.ensure_headless_backend()
    except RackflowError as e:  # pragma: no cover - machines without any GL library
        pytest.skip(str(e))
    mesh = rf.Mesh.from_meshio(box((8, 8, 8), regions={"hot": _hot, "body": lambda c: ~_hot(c)}))
    case = rf.Case(mesh)
    case.solid("hot", "copper", power_w=1000.0)
    case.solid("body", "al6061")
    case.convective("xmax", htc_w_m2k=100.0, ambient_c=20.0)
    return case.solve()


def _rgb(path: Path) -> np.ndarray:
    img = imread(path)
    return img[..., :3].astype(float)


def _colormap_fraction(pixels: np.ndarray, cmap: str = "inferno") -> tuple[np.ndarray, np.ndarray]:
    """Nearest colormap position (0 cold … 1 hot) of each pixel, and the colour distance."""
    lut = colormaps[cmap](np.linspace(0, 1, 256))[:, :3]
    d = np.linalg.norm(pixels[:, None, :] - lut[None, :, :], axis=2)
    return d.argmin(axis=1) / 255.0, d.min(axis=1)


def test_png_size_and_not_blank(result: rf.Result, tmp_path: Path) -> None:
    out = result.render("temperature", path=tmp_path / "t.png", window_size=(W, H))
    img = _rgb(out)
    assert img.shape == (H, W, 3)
    assert img.std() > 0.1


def test_hot_corner_is_hot_coloured(result: rf.Result, tmp_path: Path) -> None:
    # looking down −z: x to the right, y up, so the heated corner (x, y small) is bottom left
    img = _rgb(
        result.render(
            path=tmp_path / "top.png",
            camera="xy",
            lighting=False,
            outlines=False,
            scale_bar=False,
            window_size=(W, H),
        )
    )
    part = img[:, : int(0.72 * W)]  # left of the colour bar and its title
    body = np.argwhere(np.abs(part - 1.0).sum(axis=2) > 0.05)  # non-white pixels
    body = body[(body[:, 0] > 0.1 * H)]  # below the title line
    r0, c0 = body.min(axis=0)
    r1, c1 = body.max(axis=0)
    inset_r, inset_c = (r1 - r0) // 12, (c1 - c0) // 12
    corner_hot = img[r1 - inset_r, c0 + inset_c][None, :]
    corner_cold = img[r0 + inset_r, c1 - inset_c][None, :]
    hot_fraction, hot_d = _colormap_fraction(corner_hot)
    cold_fraction, cold_d = _colormap_fraction(corner_cold)
    assert hot_d[0] < 0.05 and cold_d[0] < 0.05  # unlit: pixels are colormap colours
    # the colour scale maps the top face's hottest cell near the top of the range
    t = result.temperature_c
    top_hot_cell = float(t[np.argmax(t)])
    expected = (top_hot_cell - t.min()) / np.ptp(t)
    assert hot_fraction[0] > 0.8 * expected
    assert cold_fraction[0] < 0.3
    assert corner_hot.sum() > corner_cold.sum() + 0.5


def test_colour_bar_shows_the_colormap_gradient(result: rf.Result, tmp_path: Path) -> None:
    img = _rgb(result.render(path=tmp_path / "bar.png", window_size=(W, H)))
    # the bar is on the right: take the column there with the most colormap-coloured pixels
    best = None
    for x in range(int(0.8 * W), int(0.95 * W)):
        column = img[int(0.12 * H) : int(0.88 * H), x]
        fraction, distance = _colormap_fraction(column)
        on_map = distance < 0.06
        if best is None or on_map.mean() > best[2].mean():
            best = (column, fraction, on_map)
    assert best is not None
    column, fraction, on_map = best
    assert on_map.mean() > 0.9, "the bar region is not filled with colormap colours"
    # hot at the top, cold at the bottom: colormap position falls with the row index
    rows = np.arange(len(column))[on_map]
    assert np.corrcoef(rows, fraction[on_map])[0, 1] < -0.95
    assert np.ptp(fraction[on_map]) > 0.8


def test_slice_clip_and_auto_camera_differ(result: rf.Result) -> None:
    plain = result.render(window_size=(W, H), camera="iso")
    assert isinstance(plain, np.ndarray) and plain.shape == (H, W, 3)
    sliced = result.render(slice="z", window_size=(W, H), camera="iso")
    clipped = result.render(clip=("y", 0.5), window_size=(W, H), camera="iso")
    auto = result.render(window_size=(W, H))
    for img in (sliced, clipped, auto):
        assert img.std() > 10
        assert np.abs(img.astype(int) - plain.astype(int)).mean() > 1.0

    # the auto camera looks at the heated corner: more hot colour than the fixed iso view
    def hot_pixels(im: np.ndarray) -> int:  # inferno's hot end is yellow: red high, blue low
        return int(((im[..., 0] > 200) & (im[..., 2] < 150)).sum())

    assert hot_pixels(auto) > hot_pixels(plain)


def test_regions_and_multiblock(result: rf.Result) -> None:
    grid = result.to_pyvista()
    assert set(grid.cell_data["region"]) == {"hot", "body"}
    assert list(grid.field_data["region_names"]) == ["hot", "body"]
    blocks = viz.to_pyvista(result, multiblock=True)
    assert list(blocks.keys()) == ["hot", "body"]
    assert sum(b.n_cells for b in blocks) == result.mesh.n_cells
    hot = blocks["hot"]
    assert (
        np.asarray(hot.cell_data["temperature_c"]).min()
        > np.asarray(blocks["body"].cell_data["temperature_c"]).min()
    )
    only = result.render(regions=["hot"], window_size=(W, H))
    assert only.std() > 5


def test_render_a_saved_result(result: rf.Result, tmp_path: Path) -> None:
    vtu = result.save(tmp_path / "r.vtu")
    grid = viz.read_result_grid(vtu)
    np.testing.assert_allclose(np.asarray(grid.cell_data["temperature_c"]), result.temperature_c)
    assert list(grid.field_data["region_names"]) == ["hot", "body"]
    out = viz.render_file(vtu, path=tmp_path / "r.png", window_size=(W, H))
    assert _rgb(out).std() > 0.1


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"slice": "w"}, "axis must be 'x', 'y' or 'z'"),
        ({"clip": ("z", 5.0)}, "outside the mesh"),
        ({"camera": "sideways"}, "unknown camera 'sideways'"),
        ({"regions": ["lid"]}, r"unknown region\(s\) \['lid'\]"),
        ({"streamlines": True}, "no velocity field"),
        ({"glyphs": True}, "no velocity field"),
    ],
)
def test_bad_options(result: rf.Result, options: dict, match: str) -> None:
    with pytest.raises(RackflowError, match=match):
        result.render(window_size=(64, 64), **options)


def test_flow_fields_need_a_flow_result(result: rf.Result) -> None:
    with pytest.raises(RackflowError, match="no velocity field"):
        result.render("velocity")
    with pytest.raises(RackflowError, match="no velocity field"):
        result.render("pressure", window_size=(64, 64))
    with pytest.raises(RackflowError, match="unknown field 'speed'"):
        result.render("speed", window_size=(64, 64))
    assert "velocity_m_s" not in result.to_pyvista().cell_data


def test_missing_or_bad_result_files(tmp_path: Path) -> None:
    with pytest.raises(RackflowError, match="does not exist"):
        viz.read_result_grid(tmp_path / "none.vtu")
    bad = tmp_path / "bad.vtu"
    bad.write_text("<VTKFile nonsense")
    with pytest.raises(RackflowError, match=r"bad\.vtu"):
        viz.read_result_grid(bad)


def test_renumbered_mesh_grid_matches_its_cells() -> None:
    # a shuffled tetrahedral box is renumbered for locality (Mesh.input_cell_order); the PyVista
    # grid must pair each cell with its own temperature
    m = box((8, 8, 8), cells="tetra")
    tets = m.cells[0].data[np.random.default_rng(7).permutation(len(m.cells[0].data))]
    m.cells[0] = type(m.cells[0])("tetra", tets)
    mesh = rf.Mesh.from_meshio(m)
    assert mesh.input_cell_order is not None
    case = rf.Case(mesh)
    case.solid("box", "copper", power_w=1.0)
    case.fixed_temperature("xmin", temperature_c=20.0)
    result = case.solve()
    grid = viz.to_pyvista(result)
    centres = np.asarray(grid.cell_centers().points)
    assert np.allclose(centres, mesh.cell_centers, atol=1e-12)
    assert np.array_equal(np.asarray(grid.cell_data["temperature_c"]), result.temperature_c)


def test_vtk_messages_stay_off_the_terminal(tmp_path: Path) -> None:
    """A DISPLAY without an X server (ssh -X gone stale) makes VTK print ANSI-coloured 'bad X
    server connection' lines; rackflow's rendering keeps them off the terminal."""
    script = (
        "import rackflow as rf\n"
        "from rackflow.testing.meshes import box\n"
        "case = rf.Case(rf.Mesh.from_meshio(box((3, 3, 3)), source='cube'))\n"
        "case.solid('box', 'copper', power_w=1.0)\n"
        "case.fixed_temperature('xmin', temperature_c=20.0)\n"
        f"case.solve().render(path={str(tmp_path / 'cube.png')!r}, window_size=(80, 60))\n"
    )
    env = dict(os.environ, DISPLAY=":97")
    env.pop("VTK_DEFAULT_OPENGL_WINDOW", None)
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    if proc.returncode != 0 or not (tmp_path / "cube.png").exists():  # pragma: no cover
        pytest.skip("VTK here cannot render off screen when the X server is missing")
    assert "bad X server" not in proc.stderr and "\x1b[" not in proc.stderr, proc.stderr[-2000:]


def test_clip_of_a_bottom_heated_part_keeps_the_part(tmp_path: Path) -> None:
    """The hottest cell on a heated bottom face: clip='z' through it would keep a sliver; the
    default cuts the part in the middle and says so."""
    mesh = rf.Mesh.from_meshio(
        box((6, 6, 8), regions={"chip": lambda c: c[:, 2] < 0.125, "lid": lambda c: c[:, 2] >= 0.125})
    )
    case = rf.Case(mesh)
    case.solid("chip", "silicon", power_w=50.0)
    case.solid("lid", "copper")
    case.convective("zmax", htc_w_m2k=500.0, ambient_c=20.0)
    result = case.solve()
    info: dict = {}
    image = result.render(clip="z", window_size=(W, H), info=info)
    assert 0.3 < info["clip"]["position_m"] < 0.7
    assert any("middle of the part" in line for line in info["text"])
    assert (np.abs(image.astype(float) / 255.0 - 1.0).sum(axis=2) > 0.1).mean() > 0.1
    info = {}
    result.render(slice="z", window_size=(W, H), info=info)  # a slice still goes through the heat
    assert info["slice"]["position_m"] < 0.125
