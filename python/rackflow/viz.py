"""PyVista adapter and rendering that works headless, in scripts and in notebooks.

Rendering works without a display: when ``DISPLAY`` is unset, rackflow probes the VTK OpenGL
back ends (EGL, then OSMesa) in a subprocess, because a missing GL library makes VTK crash the
process instead of raising. ``.ci/run`` and ``make`` install the few Debian GL packages needed.

The pieces are :func:`to_pyvista` (a result as an ``UnstructuredGrid`` or a ``MultiBlock`` per
region), :func:`render` (a result to a PNG or an image array) and :func:`render_file` (a saved
``.vtu`` result, for ``rackflow render``). Results with coolant flow also carry
``velocity_m_s`` and ``pressure_pa``: :func:`render` draws their magnitude or value
(``field="velocity"``, ``field="pressure"``), velocity arrows on the coolant cells
(``glyphs=True``) and streamlines seeded at the inlet (``streamlines=True``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
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

#: field names accepted by render → cell-data array
FIELDS = {
    "temperature": "temperature_c",
    "temperature_c": "temperature_c",
    "velocity": "velocity_magnitude_m_s",
    "velocity_m_s": "velocity_magnitude_m_s",
    "pressure": "pressure_pa",
    "pressure_pa": "pressure_pa",
}
VELOCITY_FIELDS = ("velocity", "velocity_m_s")
FLOW_FIELDS = (*VELOCITY_FIELDS, "pressure", "pressure_pa")
#: cell-data array → (colour-bar title, default colormap, unit for the title line)
FIELD_STYLE = {
    "temperature_c": ("Temperature [°C]", "inferno"),
    "velocity_magnitude_m_s": ("Velocity [m/s]", "viridis"),
    "pressure_pa": ("Pressure [Pa]", "coolwarm"),
}
#: at most this many velocity arrows (coolant cells are subsampled beyond it)
MAX_GLYPHS = 3000
#: at most this many streamline seeds
MAX_SEEDS = 150
#: camera presets: name → (pyvista view method, negative)
CAMERAS = {
    "iso": ("view_isometric", False),
    "xy": ("view_xy", False),
    "-xy": ("view_xy", True),
    "xz": ("view_xz", False),
    "-xz": ("view_xz", True),
    "yz": ("view_yz", False),
    "-yz": ("view_yz", True),
}
BACKGROUND = "white"


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


def to_pyvista(result: Result, *, multiblock: bool = False) -> Any:
    """The result as PyVista data.

    Returns an ``UnstructuredGrid`` with cell data ``temperature_c``, ``region_id`` and
    ``region`` (the region's name per cell) and field data ``region_names``; results with
    coolant flow add cell data ``velocity_m_s`` (n × 3), ``velocity_magnitude_m_s`` and
    ``pressure_pa`` and field data ``fluid_regions``. With
    ``multiblock=True`` a ``MultiBlock`` with one such grid per region, keyed by region name.
    """
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
    if getattr(result, "has_temperature", True):
        grid.cell_data["temperature_c"] = np.asarray(result.temperature_c)
    _add_regions(grid, mesh.region_of_cell.astype(np.int32), list(mesh.regions))
    if getattr(result, "has_flow", False):
        velocity = np.asarray(result.velocity_m_s, dtype=np.float64)
        grid.cell_data["velocity_m_s"] = velocity
        grid.cell_data["velocity_magnitude_m_s"] = np.linalg.norm(velocity, axis=1)
        grid.cell_data["pressure_pa"] = np.asarray(result.pressure_pa, dtype=np.float64)
        fluids = [str(r) for r in getattr(result.case, "fluids", {})]
        if fluids:
            grid.field_data["fluid_regions"] = np.array(fluids, dtype=str)
    return _split(grid) if multiblock else grid


def _add_regions(grid: Any, region_id: np.ndarray, names: list[str]) -> None:
    grid.cell_data["region_id"] = region_id
    grid.cell_data["region"] = np.array(names, dtype=str)[region_id] if names else region_id.astype(str)
    grid.field_data["region_names"] = np.array(names, dtype=str)


def _split(grid: Any) -> Any:
    pv = _pyvista()
    blocks = pv.MultiBlock()
    for i, name in enumerate(grid.field_data["region_names"]):
        part = grid.extract_cells(np.flatnonzero(grid.cell_data["region_id"] == i))
        blocks[str(name)] = (
            part.cast_to_unstructured_grid() if hasattr(part, "cast_to_unstructured_grid") else part
        )
    return blocks


def read_result_grid(path: str | Path) -> Any:
    """A saved result (``Result.save``, any meshio format) as a grid with ``temperature_c``."""
    import meshio

    from rackflow.io.writers import REGION_PREFIX

    pv = _pyvista()
    path = Path(path)
    if not path.is_file():
        raise RackflowError(f"result file '{path}' does not exist")
    try:
        m = meshio.read(path)
    except (Exception, SystemExit) as e:  # meshio raises many types on bad files
        raise RackflowError(f"cannot read '{path}' as a result: {type(e).__name__}: {e}") from None
    volume = [i for i, b in enumerate(m.cells) if b.type in _VTK_CELL]
    if not volume:
        raise RackflowError(f"'{path}' has no volume cells to render")
    if "temperature_c" not in m.cell_data:
        raise RackflowError(
            f"'{path}' has no cell data 'temperature_c' (it has {sorted(m.cell_data)}); save results with Result.save"
        )
    region_key = next((k for k in m.cell_data if k.startswith(REGION_PREFIX)), None)
    cells = [m.cells[i] for i in volume]
    vol_mesh = meshio.Mesh(
        m.points, cells, cell_data={"temperature_c": [m.cell_data["temperature_c"][i] for i in volume]}
    )
    grid = pv.from_meshio(vol_mesh)
    grid.cell_data["temperature_c"] = np.concatenate(
        [np.asarray(m.cell_data["temperature_c"][i]) for i in volume]
    )
    if region_key is not None:
        names = region_key[len(REGION_PREFIX) :].split("|")
        ids = np.concatenate([np.asarray(m.cell_data[region_key][i]) for i in volume]).astype(np.int32)
        _add_regions(grid, ids, names)
    else:
        _add_regions(grid, np.zeros(grid.n_cells, dtype=np.int32), ["domain"])
    grid.field_data["source"] = np.array([str(path)])
    return grid


def _no_velocity(what: str) -> RackflowError:
    return RackflowError(
        f"{what} needs a coolant flow field; this result has no velocity field (solve a case with "
        "case.fluid(...), case.inlet(...) and case.outlet(...) to get one)"
    )


def _inlet_seeds(result: Result, patch: str | None = None) -> np.ndarray | None:
    """Streamline seeds just inside the inlet faces: halfway from each face to its cell centre."""
    mesh = result.mesh
    if patch is not None:
        patches = [patch]
    else:
        patches = [p for p, b in result.case.boundaries.items() if b.kind == "inlet"]
        if not patches and "inlet" in mesh.patches:
            patches = ["inlet"]
    if not patches:
        return None
    seeds = []
    for p in patches:
        if p not in mesh.patches:
            raise RackflowError(f"unknown seed patch '{p}'; the mesh has patches {mesh.patches}")
        faces = np.asarray(mesh.patch_face_centers(p), dtype=np.float64)
        cells = np.asarray(mesh.cell_centers, dtype=np.float64)[mesh.patch_face_cells(p)]
        seeds.append(faces + 0.5 * (cells - faces))
    return _subsample(np.concatenate(seeds), MAX_SEEDS)


def _subsample(points: np.ndarray, n: int) -> np.ndarray:
    """At most ``n`` rows, spread evenly and reproducibly."""
    if len(points) <= n:
        return points
    return points[np.linspace(0, len(points) - 1, n).round().astype(np.int64)]


def render(
    result: Result, field: str = "temperature", *, seed_patch: str | None = None, **options: Any
) -> Any:
    """Render a field of a result; see :func:`render_grid` for the options.

    Writes a PNG to ``path=`` (returns the path) or returns the image as an (h, w, 3) array,
    which notebooks show with ``PIL.Image.fromarray`` or ``matplotlib.pyplot.imshow``.
    Streamlines start at the faces of ``seed_patch`` (default: the case's inlets).
    """
    flow = getattr(result, "has_flow", False)
    if field in FLOW_FIELDS or options.get("streamlines") or options.get("glyphs"):
        if not flow:
            raise _no_velocity(f"rendering '{field}'" if field in FLOW_FIELDS else "streamlines and glyphs")
    if options.get("streamlines") and options.get("seeds") is None:
        options["seeds"] = _inlet_seeds(result, seed_patch)
    return render_grid(to_pyvista(result), field, source=str(result.mesh.source), **options)


def render_file(result_path: str | Path, field: str = "temperature", **options: Any) -> Any:
    """Render a saved result file (``.vtu`` from :meth:`Result.save`); ``path=`` is the PNG."""
    grid = read_result_grid(result_path)
    return render_grid(grid, field, source=str(result_path), **options)


def _cut(grid: Any, spec: Any, option: str, hottest: np.ndarray) -> tuple[str, np.ndarray]:
    """Normal and origin of a slice or clip: ``"z"`` (through the hottest cell) or ``("z", 0.003)``."""
    if isinstance(spec, str):
        axis, position = spec, None
    elif isinstance(spec, Sequence) and len(spec) == 2 and isinstance(spec[0], str):
        axis, position = spec[0], spec[1]
    else:
        raise RackflowError(f"{option} must be 'x', 'y', 'z' or (axis, position_m), got {spec!r}")
    if axis not in ("x", "y", "z"):
        raise RackflowError(f"{option} axis must be 'x', 'y' or 'z', got {axis!r}")
    origin = np.array(hottest, dtype=float)
    if position is not None:
        if isinstance(position, bool) or not isinstance(position, int | float):
            raise RackflowError(f"{option} position must be a number (m), got {position!r}")
        k = "xyz".index(axis)
        lo, hi = grid.bounds[2 * k], grid.bounds[2 * k + 1]
        if not lo <= position <= hi:
            raise RackflowError(
                f"{option} position {axis} = {position} m is outside the mesh ({lo} … {hi} m)"
            )
        origin[k] = float(position)
    return axis, origin


def render_grid(
    grid: Any,
    field: str = "temperature",
    *,
    path: str | Path | None = None,
    slice: Any = None,
    clip: Any = None,
    regions: Sequence[str] | None = None,
    window_size: tuple[int, int] = (1200, 800),
    cmap: str | None = None,
    clim: tuple[float, float] | None = None,
    camera: str | Sequence[Sequence[float]] = "auto",
    zoom: float = 1.0,
    show_edges: bool = False,
    outlines: bool = True,
    lighting: bool = True,
    title: str | None = None,
    source: str | None = None,
    streamlines: bool = False,
    glyphs: bool = False,
    seeds: np.ndarray | None = None,
    opacity: float | None = None,
    show: bool = False,
) -> Any:
    """Render a cell field of a rackflow grid.

    Parameters
    ----------
    grid
        From :func:`to_pyvista` or :func:`read_result_grid`.
    field
        ``"temperature"`` (°C, the default), or for coolant-flow results ``"velocity"`` (speed,
        m/s) and ``"pressure"`` (Pa); those two show the coolant regions unless ``regions``
        says otherwise.
    cmap
        Colormap; default ``inferno`` for temperature, ``viridis`` for velocity, ``coolwarm``
        for pressure.
    glyphs
        Arrows of the coolant velocity on the coolant cells (at most ``MAX_GLYPHS``, evenly
        subsampled), the longest about the spacing between arrows.
    streamlines
        Streamlines of the coolant velocity (interpolated to points) from ``seeds`` (an m × 3
        array; :func:`render` seeds them at the inlet faces), or from coolant cell centres.
    opacity
        Surface opacity; default 1, or 0.35 with glyphs or streamlines so they show through.
    path
        PNG file to write (returns the path); without it the image array is returned.
    slice, clip
        ``"x"``, ``"y"`` or ``"z"`` cut normal to that axis through the hottest cell, or
        ``(axis, position_m)``. ``clip`` removes the half on the positive side.
    regions
        Show only these regions (default: all).
    camera
        ``"auto"`` (isometric from the side of the hottest cell), ``"iso"``, ``"xy"`` (looking
        down −z), ``"xz"``, ``"yz"``, a ``-`` prefix for the opposite side, or a PyVista camera
        position ``[position, focal point, view up]``.
    clim
        Colour range (°C); default the range of the shown data.
    outlines
        Draw every region's feature edges, so region boundaries show on the surface.
    show
        Open an interactive window (or notebook widget) instead of rendering off screen.
    """
    pv = _pyvista()
    if field not in FIELDS:
        raise RackflowError(f"unknown field '{field}'; available: ['temperature', 'velocity', 'pressure']")
    flow = "velocity_m_s" in grid.cell_data
    if (field in FLOW_FIELDS or streamlines or glyphs) and not flow:
        raise _no_velocity(f"rendering '{field}'" if field in FLOW_FIELDS else "streamlines and glyphs")
    scalars = FIELDS[field]
    if scalars not in grid.cell_data:
        raise RackflowError(f"this result has no '{scalars}' to render (a flow-only solve?)")
    bar_title, default_cmap = FIELD_STYLE[scalars]
    cmap = cmap or default_cmap
    interactive = show and bool(os.environ.get("DISPLAY") or _in_notebook())
    if not interactive:
        ensure_headless_backend()
    names = [str(n) for n in grid.field_data["region_names"]]
    fluid_ids = _fluid_cells(grid, names) if flow else np.zeros(0, dtype=np.int64)
    if regions is None and field in FLOW_FIELDS and len(fluid_ids):
        regions = _fluid_region_names(grid, names)
    shown_grid = grid
    if regions is not None:
        unknown = [r for r in regions if r not in names]
        if unknown:
            raise RackflowError(f"unknown region(s) {unknown}; the result has regions {names}")
        keep = np.isin(grid.cell_data["region_id"], [names.index(r) for r in regions])
        shown_grid = grid.extract_cells(np.flatnonzero(keep))
    values = np.asarray(shown_grid.cell_data[scalars])
    hottest = np.asarray(shown_grid.cell_centers().points[int(np.argmax(values))])

    shown = shown_grid
    clip_plane = _cut(grid, clip, "clip", hottest) if clip is not None else None
    if clip_plane is not None:
        shown = shown.clip(normal=clip_plane[0], origin=clip_plane[1], invert=True)
    if slice is not None:
        axis, origin = _cut(grid, slice, "slice", hottest)
        shown = shown.slice(normal=axis, origin=origin)
        if shown.n_cells == 0:
            raise RackflowError(f"the slice {slice!r} does not cut the mesh")
    shown_values = np.asarray(shown.cell_data[scalars]) if shown.n_cells else values
    if clim is None:
        low = 0.0 if scalars == "velocity_magnitude_m_s" else float(shown_values.min())
        clim = (low, float(shown_values.max()))
    span = max(clim[1] - clim[0], 1e-9)
    digits = int(max(0, 2 - np.floor(np.log10(span))))
    bar = {
        "title": bar_title,
        "vertical": True,
        "fmt": f"%.{digits}f",
        "n_labels": 6,
        "position_x": 0.84,
        "position_y": 0.1,
        "height": 0.8,
        "width": 0.05,
        "color": "black",
        "title_font_size": 16,
        "label_font_size": 14,
    }
    plotter = pv.Plotter(off_screen=not interactive, window_size=list(window_size))
    plotter.set_background(BACKGROUND)
    if opacity is None:
        opacity = 0.35 if (glyphs or streamlines) else 1.0
    plotter.add_mesh(
        shown,
        scalars=scalars,
        cmap=cmap,
        clim=list(clim),
        show_edges=show_edges,
        scalar_bar_args=bar,
        lighting=lighting,
        preference="cell",
        opacity=float(opacity),
    )
    # arrows and streamlines: coloured by speed when the field is velocity, else one accent colour
    accent = "black" if scalars == "pressure_pa" else "deepskyblue"
    by_speed = {"scalars": "speed_m_s", "cmap": cmap, "clim": list(clim), "show_scalar_bar": False}
    if glyphs:
        arrows = _glyphs(grid, fluid_ids, clip_plane)
        if arrows is not None:
            if scalars == "velocity_magnitude_m_s":
                plotter.add_mesh(arrows, lighting=lighting, **by_speed)
            else:
                plotter.add_mesh(arrows, color=accent, lighting=lighting)
    if streamlines:
        lines = _streamlines(grid, fluid_ids, seeds)
        if lines is not None:
            style = {"line_width": 3, "render_lines_as_tubes": True, "lighting": lighting}
            if scalars == "velocity_magnitude_m_s":
                plotter.add_mesh(lines, **style, **by_speed)
            else:
                plotter.add_mesh(lines, color=accent, **style)
    if slice is not None:  # context for a slice: the outline of the whole part
        plotter.add_mesh(shown_grid.extract_feature_edges(), color="grey", line_width=1)
    if outlines:
        ids = shown_grid.cell_data["region_id"]
        for r in np.unique(ids):
            part = shown_grid.extract_cells(np.flatnonzero(ids == r))
            if part.n_cells:
                edges = part.extract_surface(algorithm="dataset_surface").extract_feature_edges(30)
                if clip_plane is not None:
                    edges = edges.clip(normal=clip_plane[0], origin=clip_plane[1], invert=True)
                if edges.n_points:
                    plotter.add_mesh(edges, color="grey", line_width=1)
    if source is None:
        source = str(grid.field_data["source"][0]) if "source" in grid.field_data else "rackflow"
    if title is None:
        if scalars == "temperature_c":
            title = f"{Path(source).name}: T max {float(values.max()):.1f} °C"
        elif scalars == "velocity_magnitude_m_s":
            title = f"{Path(source).name}: coolant speed max {float(values.max()):.3g} m/s"
        else:
            title = f"{Path(source).name}: pressure {float(values.min()):.4g} … {float(values.max()):.4g} Pa"
    plotter.add_text(
        title,
        font_size=10,
        color="black",
    )
    if camera == "auto":
        # isometric from the octant of the hottest cell, so the hot spot faces the viewer
        centre = np.array(shown_grid.center)
        direction = np.where(hottest >= centre, 1.0, -1.0)
        distance = float(np.linalg.norm(np.ptp(np.reshape(shown_grid.bounds, (3, 2)), axis=1))) or 1.0
        plotter.camera_position = [tuple(centre + direction * distance), tuple(centre), (0.0, 0.0, 1.0)]
    elif isinstance(camera, str):
        if camera not in CAMERAS:
            raise RackflowError(
                f"unknown camera '{camera}'; choose one of {list(CAMERAS)} or a camera position"
            )
        method, negative = CAMERAS[camera]
        if method == "view_isometric":
            plotter.view_isometric()
        else:
            getattr(plotter, method)(negative=negative)
    else:
        plotter.camera_position = [tuple(float(v) for v in p) for p in camera]
    plotter.reset_camera()
    if zoom != 1.0:
        plotter.camera.zoom(zoom)
    if interactive:
        plotter.show()
        return plotter
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        plotter.screenshot(str(path))
        plotter.close()
        return path
    image = plotter.screenshot(return_img=True)
    plotter.close()
    return image


def _fluid_region_names(grid: Any, names: list[str]) -> list[str]:
    if "fluid_regions" in grid.field_data:
        return [str(r) for r in grid.field_data["fluid_regions"]]
    ids = np.unique(np.asarray(grid.cell_data["region_id"])[_moving(grid)])
    return [names[i] for i in ids]


def _moving(grid: Any) -> np.ndarray:
    return np.flatnonzero(np.linalg.norm(np.asarray(grid.cell_data["velocity_m_s"]), axis=1) > 0)


def _fluid_cells(grid: Any, names: list[str]) -> np.ndarray:
    """Indices of the coolant cells: the fluid regions, or (without them) the moving cells."""
    if "fluid_regions" in grid.field_data:
        wanted = [names.index(str(r)) for r in grid.field_data["fluid_regions"] if str(r) in names]
        return np.flatnonzero(np.isin(grid.cell_data["region_id"], wanted))
    return _moving(grid)


def _glyphs(grid: Any, fluid_ids: np.ndarray, clip_plane: tuple[str, np.ndarray] | None) -> Any:
    """Velocity arrows on (a subsample of) the coolant cells, the longest ≈ the arrow spacing."""
    pv = _pyvista()
    centres = np.asarray(grid.cell_centers().points)[fluid_ids]
    velocity = np.asarray(grid.cell_data["velocity_m_s"])[fluid_ids]
    if clip_plane is not None:  # arrows only in the half that is shown
        k = "xyz".index(clip_plane[0])
        keep = centres[:, k] <= clip_plane[1][k]
        centres, velocity = centres[keep], velocity[keep]
    speed = np.linalg.norm(velocity, axis=1)
    moving = speed > 0
    if not moving.any():
        return None
    n_fluid = int(moving.sum())
    pick = _subsample(np.flatnonzero(moving), MAX_GLYPHS)
    # spacing of the arrows: the coolant volume shared among them
    sizes = grid.extract_cells(fluid_ids).compute_cell_sizes(length=False, area=False, volume=True)
    volume = float(np.abs(np.asarray(sizes.cell_data["Volume"])).sum())
    spacing = (volume / len(pick)) ** (1.0 / 3.0) if volume > 0 else 0.0
    if not np.isfinite(spacing) or spacing <= 0:
        spacing = 0.02 * float(np.linalg.norm(np.ptp(np.reshape(grid.bounds, (3, 2)), axis=1)))
    cell = (volume / n_fluid) ** (1.0 / 3.0) if volume > 0 else spacing
    length = max(spacing, 2.0 * cell)
    points = pv.PolyData(centres[pick])
    points["velocity_m_s"] = velocity[pick]
    points["speed_m_s"] = speed[pick]
    arrows = points.glyph(
        orient="velocity_m_s", scale="speed_m_s", factor=length / float(speed.max()), geom=pv.Arrow()
    )
    return arrows


def _streamlines(grid: Any, fluid_ids: np.ndarray, seeds: np.ndarray | None) -> Any:
    """Streamlines of the coolant velocity (cell data interpolated to points) from the seeds."""
    pv = _pyvista()
    if len(fluid_ids) == 0:
        return None
    fluid = grid.extract_cells(fluid_ids)
    fluid = fluid.cell_data_to_point_data(pass_cell_data=False)
    if seeds is None:
        seeds = _subsample(np.asarray(grid.cell_centers().points)[fluid_ids], MAX_SEEDS)
    seeds = np.asarray(seeds, dtype=np.float64).reshape(-1, 3)
    if len(seeds) == 0:
        return None
    diagonal = float(np.linalg.norm(np.ptp(np.reshape(fluid.bounds, (3, 2)), axis=1))) or 1.0
    lines = fluid.streamlines_from_source(
        pv.PolyData(seeds),
        vectors="velocity_m_s",
        integration_direction="forward",
        initial_step_length=0.3,
        step_unit="cl",
        max_steps=4000,
        max_length=20.0 * diagonal,
        compute_vorticity=False,
    )
    if lines.n_points == 0:
        return None
    lines["speed_m_s"] = np.linalg.norm(np.asarray(lines.point_data["velocity_m_s"]), axis=1)
    return lines


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"
