"""The demo's picture, drawn for real (headless): the README's ``docs/demo.png`` is what the demo
draws now (``make docs-image`` regenerates it with its ``docs/demo.json`` sidecar), and its die
face shows colours of the colour bar (unlit scalar surfaces)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rackflow as rf
from matplotlib import colormaps
from matplotlib.image import imread
from rackflow import demo, viz
from rackflow.errors import RackflowError

pytest.importorskip("pyvista")

DOCS = Path(__file__).resolve().parents[2] / "docs"
REGENERATE = "docs/demo.png is stale: run `make docs-image` and commit docs/demo.png and docs/demo.json"


@pytest.fixture(scope="module")
def sidecar() -> dict[str, Any]:
    return json.loads((DOCS / "demo.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> tuple[rf.Result, dict[str, Any], np.ndarray]:
    """The demo solved and its picture drawn as ``rackflow demo`` draws it (about 8 s)."""
    try:
        viz.ensure_headless_backend()
    except RackflowError as e:  # pragma: no cover - machines without any GL library
        pytest.skip(str(e))
    result = demo.build_case(rf.load_mesh(rf.datasets.coldplate_microchannel())).solve()
    png = tmp_path_factory.mktemp("demo") / "demo.png"
    info = demo.render_figure(result, png)
    return result, info, imread(png)[..., :3].astype(float)


def test_docs_image_and_sidecar_belong_together(sidecar: dict[str, Any]) -> None:
    png = (DOCS / "demo.png").read_bytes()
    assert hashlib.sha256(png).hexdigest() == sidecar["png_sha256"], REGENERATE
    image = imread(DOCS / "demo.png")
    assert list(image.shape[1::-1]) == sidecar["render"]["window_size"]
    # the figure settings in the code are the ones the checked-in picture was drawn with
    assert sidecar["figure"] == json.loads(json.dumps(demo.FIGURE)), REGENERATE
    assert "docs/demo.png" in (DOCS.parent / "README.md").read_text(encoding="utf-8")


def test_docs_image_is_what_the_demo_draws(drawn: tuple, sidecar: dict[str, Any]) -> None:
    result, info, image = drawn
    stored = sidecar["render"]
    # the same text, colour ranges, cut and camera ...
    assert info["text"] == stored["text"], REGENERATE
    assert info["colour_bars"] == stored["colour_bars"], REGENERATE
    assert info["clip"]["axis"] == stored["clip"]["axis"], REGENERATE
    assert info["clip"]["position_m"] == pytest.approx(stored["clip"]["position_m"], abs=1e-9), REGENERATE
    np.testing.assert_allclose(info["clim"], stored["clim"], atol=0.05, err_msg=REGENERATE)
    np.testing.assert_allclose(info["coolant_clim"], stored["coolant_clim"], atol=0.05, err_msg=REGENERATE)
    for key in ("focal_point_m", "direction", "view_up", "parallel_scale_m"):
        np.testing.assert_allclose(info["camera"][key], stored["camera"][key], rtol=1e-6, atol=1e-9)
    summary = result.summary().to_dict()
    for key, value in sidecar["summary"].items():
        assert summary[key] == pytest.approx(value, rel=2e-3), f"{key}: {REGENERATE}"
    # ... and the same picture: 8 × 8 pixel blocks agree (fonts and anti-aliasing may differ a little)
    stored_image = imread(DOCS / "demo.png")[..., :3].astype(float)
    assert stored_image.shape == image.shape, REGENERATE
    h, w = (s - s % 8 for s in image.shape[:2])

    def blocks(im: np.ndarray) -> np.ndarray:
        return im[:h, :w].reshape(h // 8, 8, w // 8, 8, 3).mean(axis=(1, 3))

    difference = np.abs(blocks(image) - blocks(stored_image)).max(axis=2)
    assert difference.mean() < 0.01 and np.quantile(difference, 0.995) < 0.15, REGENERATE


def test_die_face_shows_colour_bar_colours(drawn: tuple) -> None:
    """Every sampled pixel of the die's visible face is a colour of the solids' colormap, the
    colour of that cell's temperature (unlit: no shading or highlights move it off the bar)."""
    result, info, image = drawn
    mesh = result.mesh
    die = mesh.cells_of("die")
    centres = np.asarray(mesh.cell_centers)[die]
    temperature = np.asarray(result.temperature_c)[die]
    bottom = centres[:, 2] <= centres[:, 2].min() + 1e-9  # the die's bottom layer of cells
    cut = info["clip"]["position_m"]
    inset = 0.0015  # away from the die's edges, the cut and their outlines
    lo, hi = centres[:, :2].min(axis=0) - 0.0005, centres[:, :2].max(axis=0) + 0.0005
    keep = (
        bottom
        & (centres[:, 0] > lo[0] + inset)
        & (centres[:, 0] < hi[0] - inset)
        & (centres[:, 1] > lo[1] + inset)
        & (centres[:, 1] < min(hi[1], cut) - inset)
    )
    assert keep.sum() > 100, "the die face is not in view"
    face = centres[keep].copy()
    face[:, 2] = 0.0  # on the die's bottom face
    columns, rows = viz.pixels_of(face, info).round().astype(int).T
    h, w = image.shape[:2]
    assert ((columns >= 0) & (columns < w) & (rows >= 0) & (rows < h)).all()
    pixels = image[rows, columns]
    lut = colormaps[info["cmap"]](np.linspace(0.0, 1.0, 256))[:, :3]
    distance = np.linalg.norm(pixels[:, None, :] - lut[None, :, :], axis=2)
    assert distance.min(axis=1).max() < 0.03, "die-face colours off the colour bar"
    # and each is the colour of its own cell's temperature (within two steps of the 256)
    low, high = info["clim"]
    expected = np.clip((temperature[keep] - low) / (high - low) * 255.0, 0, 255)
    assert np.abs(distance.argmin(axis=1) - expected).max() <= 2.5
