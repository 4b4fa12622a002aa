"""PyVista adapter and headless rendering.

Rendering works without a display: when ``DISPLAY`` is unset, rackflow probes the VTK OpenGL
back ends (EGL, then OSMesa) in a subprocess, because a missing GL library makes VTK crash the
process instead of raising. ``.ci/run`` and ``make`` install the few Debian GL packages needed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rackflow.errors import RackflowError

if TYPE_CHECKING:
    from rackflow.result import Result

_VTK_CELL = {"tetra": 10, "hexahedron": 12, "wedge": 13, "pyramid": 14}
_SMOKE = (
    "import pyvista as pv; pl = pv.Plotter(off_screen=True, window_size=(64, 64)); "
    "pl.add_mesh(pv.Sphere()); img = pl.screenshot(return_img=True); pl.close(); assert img.std() > 0"
)
_backend_checked = False


def ensure_headless_backend() -> str | None:
    """Choose a VTK window back end that works here; returns its name (None with a display)."""
    global _backend_checked
    if os.environ.get("DISPLAY") and not os.environ.get("VTK_DEFAULT_OPENGL_WINDOW"):
        return None
    if _backend_checked:
        return os.environ.get("VTK_DEFAULT_OPENGL_WINDOW")
    candidates = (
        [os.environ["VTK_DEFAULT_OPENGL_WINDOW"]]
        if os.environ.get("VTK_DEFAULT_OPENGL_WINDOW")
        else ["vtkEGLRenderWindow", "vtkOSOpenGLRenderWindow"]
    )
    for candidate in candidates:
        env = dict(os.environ, VTK_DEFAULT_OPENGL_WINDOW=candidate)
        env.pop("DISPLAY", None)
        try:
            run = subprocess.run([sys.executable, "-c", _SMOKE], capture_output=True, timeout=120, env=env)
        except subprocess.TimeoutExpired:
            continue
        if run.returncode == 0:
            os.environ["VTK_DEFAULT_OPENGL_WINDOW"] = candidate
            _backend_checked = True
            return candidate
    raise RackflowError(
        "no headless OpenGL back end works on this machine; install Debian's libegl1 libgl1-mesa-dri "
        "(or libosmesa6), e.g. `make system-deps`, or run under xvfb-run"
    )


def _pyvista() -> Any:
    try:
        import pyvista as pv
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise RackflowError("rendering needs PyVista: pip install 'rackflow[viz]'") from None
    return pv


def to_pyvista(result: Result) -> Any:
    """An ``UnstructuredGrid`` with cell data ``temperature_c``, ``region_id`` and region names."""
    pv = _pyvista()
    mesh = result.mesh
    parts: list[np.ndarray] = []
    types: list[np.ndarray] = []
    for kind, data in mesh._flat.blocks:
        if kind not in _VTK_CELL:
            raise RackflowError(f"rendering of '{kind}' cells is not supported yet")
        conn = np.asarray(data, dtype=np.int64)
        parts.append(np.c_[np.full(len(conn), conn.shape[1]), conn].ravel())
        types.append(np.full(len(conn), _VTK_CELL[kind], dtype=np.uint8))
    grid = pv.UnstructuredGrid(np.concatenate(parts), np.concatenate(types), np.asarray(mesh.points))
    grid.cell_data["temperature_c"] = np.asarray(result.temperature_c)
    grid.cell_data["region_id"] = mesh.region_of_cell.astype(np.int32)
    grid.field_data["region_names"] = np.array(mesh.regions)
    return grid


def render(
    result: Result,
    field: str = "temperature",
    *,
    path: str | Path | None = None,
    slice: str | None = None,
    clip: str | None = None,
    window_size: tuple[int, int] = (1200, 800),
    cmap: str = "inferno",
    show_edges: bool = False,
    outlines: bool = True,
    title: str | None = None,
) -> Any:
    """Render a cell field; write a PNG to ``path`` (returns the path) or return the image array.

    ``slice="x"|"y"|"z"`` cuts through the hottest cell normal to that axis; ``clip`` likewise
    removes the half above the hottest cell. Region outlines are drawn as feature edges.
    """
    names = {"temperature": "temperature_c", "temperature_c": "temperature_c"}
    if field not in names:
        raise RackflowError(f"unknown field '{field}'; available: ['temperature']")
    pv = _pyvista()
    if path is not None or not os.environ.get("DISPLAY"):
        ensure_headless_backend()
        pv.OFF_SCREEN = True
    grid = to_pyvista(result)
    scalars = names[field]
    hottest = result.mesh.cell_centers[int(np.argmax(result.temperature_c))]
    plotter = pv.Plotter(off_screen=path is not None, window_size=list(window_size))
    clim = [float(result.temperature_c.min()), float(result.temperature_c.max())]
    span = max(clim[1] - clim[0], 1e-9)
    digits = int(max(0, 2 - np.floor(np.log10(span))))
    bar = {
        "title": "Temperature [°C]",
        "vertical": True,
        "fmt": f"%.{digits}f",
        "n_labels": 6,
        "position_x": 0.84,
        "position_y": 0.1,
        "height": 0.8,
        "width": 0.05,
    }
    shown = grid
    for option, value in (("slice", slice), ("clip", clip)):
        if value is not None and value not in ("x", "y", "z"):
            raise RackflowError(f"{option} must be 'x', 'y' or 'z', got {value!r}")
    if clip is not None:
        shown = grid.clip(normal=clip, origin=hottest, invert=True)
    if slice is not None:
        cut = grid.slice(normal=slice, origin=hottest)
        plotter.add_mesh(grid.extract_feature_edges(), color="grey", line_width=1)
        plotter.add_mesh(
            cut, scalars=scalars, cmap=cmap, clim=clim, show_edges=show_edges, scalar_bar_args=bar
        )
    else:
        plotter.add_mesh(
            shown, scalars=scalars, cmap=cmap, clim=clim, show_edges=show_edges, scalar_bar_args=bar
        )
    if outlines:
        for r in range(len(result.mesh.regions)):
            part = grid.extract_cells(np.flatnonzero(grid.cell_data["region_id"] == r))
            if part.n_cells:
                plotter.add_mesh(
                    part.extract_surface(algorithm="dataset_surface").extract_feature_edges(30),
                    color="white",
                    line_width=1,
                )
    plotter.add_text(title or f"{result.mesh.source}: T max {clim[1]:.1f} °C", font_size=10)
    plotter.view_isometric()
    plotter.camera.zoom(1.1)
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        plotter.screenshot(str(path))
        plotter.close()
        return path
    image = plotter.screenshot(return_img=True)
    plotter.close()
    return image
