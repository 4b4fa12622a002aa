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

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
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
        if getattr(result, "is_turbulent", False):
            grid.cell_data["turbulent_viscosity_ratio"] = np.asarray(result.turbulent_viscosity_ratio)
            grid.cell_data["y_plus"] = np.asarray(result.y_plus)
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
    """A saved result (``Result.save``, any meshio format) as a grid with ``temperature_c`` and,
    for coolant-flow results, ``velocity_m_s``, ``velocity_magnitude_m_s`` and ``pressure_pa``."""
    import meshio

    from rackflow.io.quiet import quiet_meshio
    from rackflow.io.writers import REGION_PREFIX

    pv = _pyvista()
    path = Path(path)
    if not path.is_file():
        raise RackflowError(f"result file '{path}' does not exist")
    try:
        with quiet_meshio():
            m = meshio.read(path)
    except (Exception, SystemExit) as e:  # meshio raises many types on bad files
        raise RackflowError(f"cannot read '{path}' as a result: {type(e).__name__}: {e}") from None
    volume = [i for i, b in enumerate(m.cells) if b.type in _VTK_CELL]
    if not volume:
        raise RackflowError(f"'{path}' has no volume cells to render")
    if "temperature_c" not in m.cell_data and "velocity_m_s" not in m.cell_data:
        raise RackflowError(
            f"'{path}' has no cell data 'temperature_c' or 'velocity_m_s' (it has {sorted(m.cell_data)}); "
            "save results with Result.save"
        )
    region_key = next((k for k in m.cell_data if k.startswith(REGION_PREFIX)), None)
    grid = pv.from_meshio(meshio.Mesh(m.points, [m.cells[i] for i in volume]))

    def joined(name: str) -> np.ndarray:
        return np.concatenate([np.asarray(m.cell_data[name][i]) for i in volume])

    if "temperature_c" in m.cell_data:
        grid.cell_data["temperature_c"] = joined("temperature_c").astype(np.float64).reshape(-1)
    if "velocity_m_s" in m.cell_data:
        velocity = joined("velocity_m_s").astype(np.float64).reshape(grid.n_cells, -1)[:, :3]
        grid.cell_data["velocity_m_s"] = velocity
        grid.cell_data["velocity_magnitude_m_s"] = np.linalg.norm(velocity, axis=1)
    if "pressure_pa" in m.cell_data:
        grid.cell_data["pressure_pa"] = joined("pressure_pa").astype(np.float64).reshape(-1)
    if region_key is not None:
        names = region_key[len(REGION_PREFIX) :].split("|")
        _add_regions(grid, joined(region_key).astype(np.int32).reshape(-1), names)
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


def _ports(result: Result) -> list[dict[str, Any]]:
    """Coolant inlets and outlets for labels and flow arrows: name, kind, face centres, the
    outward normal and a label with the inlet condition or the mixed-mean outlet temperature."""
    mesh = result.mesh
    ports = []
    for patch, b in result.case.boundaries.items():
        if b.kind not in ("inlet", "outlet") or patch not in mesh.patches:
            continue
        centres = np.asarray(mesh.patch_face_centers(patch), dtype=np.float64)
        if len(centres) == 0:
            continue
        inward = np.asarray(mesh.cell_centers, dtype=np.float64)[mesh.patch_face_cells(patch)] - centres
        normal = -inward.mean(axis=0)
        normal /= np.linalg.norm(normal) or 1.0
        words = [patch]
        if b.kind == "inlet":
            if "temperature_c" in b.values:
                words.append(f"{b.values['temperature_c']:.1f} °C")
            if "flow_lpm" in b.values:
                words.append(f"{b.values['flow_lpm']:g} L/min")
            elif "velocity_m_s" in b.values:
                words.append(f"{b.values['velocity_m_s']:g} m/s")
        elif getattr(result, "has_temperature", False) and getattr(result, "has_flow", False):
            try:
                words.append(f"{result.outlet_temperature_c(patch):.1f} °C mixed mean")
            except RackflowError:
                pass
        label = words[0] + (": " + ", ".join(words[1:]) if len(words) > 1 else "")
        ports.append({"name": patch, "kind": b.kind, "centres": centres, "normal": normal, "label": label})
    return ports


def render(
    result: Result, field: str = "temperature", *, seed_patch: str | None = None, **options: Any
) -> Any:
    """Render a field of a result; see :func:`render_grid` for the options.

    Writes a PNG to ``path=`` (returns the path) or returns the image as an (h, w, 3) array,
    which notebooks show with ``PIL.Image.fromarray`` or ``matplotlib.pyplot.imshow``.
    Streamlines start at the faces of ``seed_patch`` (default: the case's inlets). Coolant
    inlets and outlets are labelled with their condition and an arrow in the flow direction
    (``ports=False`` leaves them out).
    """
    flow = getattr(result, "has_flow", False)
    if field in FLOW_FIELDS or options.get("streamlines") or options.get("glyphs"):
        if not flow:
            raise _no_velocity(f"rendering '{field}'" if field in FLOW_FIELDS else "streamlines and glyphs")
    if options.get("streamlines") and options.get("seeds") is None:
        options["seeds"] = _inlet_seeds(result, seed_patch)
    ports = options.pop("ports", True)
    options["ports"] = (_ports(result) if flow else None) if ports is True else (ports or None)
    return render_grid(to_pyvista(result), field, source=str(result.mesh.source), **options)


def render_file(result_path: str | Path, field: str = "temperature", **options: Any) -> Any:
    """Render a saved result file (``.vtu`` from :meth:`Result.save`); ``path=`` is the PNG."""
    grid = read_result_grid(result_path)
    return render_grid(grid, field, source=str(result_path), **options)


@contextlib.contextmanager
def quiet_vtk() -> Iterator[None]:
    """Keep VTK's own messages (``bad X server connection`` and other output-window and logger
    text, with ANSI colours) off the terminal while rackflow renders."""
    try:
        from vtkmodules.vtkCommonCore import vtkLogger, vtkObject
    except ImportError:  # pragma: no cover - VTK without the vtkmodules layout
        yield
        return
    verbosity = vtkLogger.GetCurrentVerbosityCutoff()
    warnings_shown = vtkObject.GetGlobalWarningDisplay()
    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_OFF)
    vtkObject.GlobalWarningDisplayOff()
    try:
        yield
    finally:
        vtkLogger.SetStderrVerbosity(verbosity)
        vtkObject.SetGlobalWarningDisplay(warnings_shown)


def _spans(values: np.ndarray) -> list[tuple[float, float]]:
    """Contiguous runs of sorted cell-centre coordinates (a gap of 1.5 typical spacings splits)."""
    u = np.unique(np.round(values, 12))
    if len(u) == 1:
        return [(float(u[0]), float(u[0]))]
    gaps = np.diff(u)
    split = gaps > 1.5 * float(np.median(gaps))
    starts = np.r_[0, np.flatnonzero(split) + 1]
    ends = np.r_[np.flatnonzero(split), len(u) - 1]
    return [(float(u[a]), float(u[b])) for a, b in zip(starts, ends, strict=True)]


def _default_cut(
    grid: Any, shown: Any, k: int, option: str, hottest: np.ndarray, fluid_ids: np.ndarray
) -> tuple[float, str]:
    """Where a cut normal to axis ``k`` goes when only the axis is given, and why.

    With coolant: the mid-plane of the coolant channel nearest the middle of the coolant region
    (snapped to a coolant cell centre, so the cut shows the coolant rather than a fin or a cell
    face). Without: a slice goes through the hottest cell (the plane of the heat source); a clip
    too, unless that keeps less than a quarter of the part (a heated bottom face would leave a
    sliver), then it cuts the part in the middle.
    """
    centres = np.asarray(shown.cell_centers().points)[:, k]
    if len(fluid_ids):
        coolant = np.asarray(grid.cell_centers().points)[fluid_ids, k]
        middle = 0.5 * (coolant.min() + coolant.max())
        lo, hi = min(_spans(coolant), key=lambda s: abs(0.5 * (s[0] + s[1]) - middle))
        mid = 0.5 * (lo + hi)
        where = (
            "mid-plane of the middle coolant channel"
            if len(_spans(coolant)) > 1
            else "mid-plane of the coolant"
        )
        return float(coolant[np.argmin(np.abs(coolant - mid))]), where
    lo, hi = shown.bounds[2 * k], shown.bounds[2 * k + 1]
    if option == "slice" or hottest[k] - lo >= 0.25 * (hi - lo):
        return float(hottest[k]), "through the hottest cell"
    return float(centres[np.argmin(np.abs(centres - 0.5 * (lo + hi)))]), "middle of the part"


def _cut(
    grid: Any, shown: Any, spec: Any, option: str, hottest: np.ndarray, fluid_ids: np.ndarray
) -> tuple[str, np.ndarray, str]:
    """Normal, origin and a label of a slice or clip: ``"z"`` (a position chosen to show the part,
    see :func:`_default_cut`) or ``("z", 0.003)`` (metres)."""
    if isinstance(spec, str):
        axis, position = spec, None
    elif isinstance(spec, Sequence) and len(spec) == 2 and isinstance(spec[0], str):
        axis, position = spec[0], spec[1]
    else:
        raise RackflowError(f"{option} must be 'x', 'y', 'z' or (axis, position_m), got {spec!r}")
    if axis not in ("x", "y", "z"):
        raise RackflowError(f"{option} axis must be 'x', 'y' or 'z', got {axis!r}")
    k = "xyz".index(axis)
    origin = np.array(hottest, dtype=float)
    if position is None:
        origin[k], why = _default_cut(grid, shown, k, option, hottest, fluid_ids)
    else:
        if isinstance(position, bool) or not isinstance(position, int | float):
            raise RackflowError(f"{option} position must be a number (m), got {position!r}")
        lo, hi = grid.bounds[2 * k], grid.bounds[2 * k + 1]
        if not lo <= position <= hi:
            raise RackflowError(
                f"{option} position {axis} = {position} m is outside the mesh ({lo} … {hi} m)"
            )
        origin[k], why = float(position), ""
    where = f"{axis} = {origin[k] * 1e3:.2f} mm" + (f" ({why})" if why else "")
    if option == "clip":
        label = f"clip at {where}; {axis} > {origin[k] * 1e3:.2f} mm removed"
    else:
        label = f"slice at {where}"
    return axis, origin, label


def _nice(length: float) -> float:
    """1, 2 or 5 × 10^k at or below ``length``."""
    power = 10.0 ** np.floor(np.log10(length))
    return float(max(m for m in (1.0, 2.0, 5.0) if m * power <= length + 1e-15) * power)


class _View:
    """A parallel-projection camera as plain vectors, to place and frame things in pixels."""

    def __init__(self, focal: np.ndarray, direction: np.ndarray, up: np.ndarray, scale: float) -> None:
        self.direction = direction / np.linalg.norm(direction)  # from the camera to the focal point
        up = up - np.dot(up, self.direction) * self.direction
        self.up = up / np.linalg.norm(up)
        self.right = np.cross(self.direction, self.up)
        self.focal = np.asarray(focal, dtype=float)
        self.scale = float(scale)  # half the picture height, m

    def plane(self, points: np.ndarray) -> np.ndarray:
        """Coordinates in the picture plane (right, up), metres, relative to the focal point."""
        rel = np.asarray(points, dtype=float).reshape(-1, 3) - self.focal
        return np.c_[rel @ self.right, rel @ self.up]

    def fit(self, points: np.ndarray, box: tuple[float, float, float, float], aspect: float) -> None:
        """Pan and zoom so the points fill ``box`` = (left, bottom, right, top), fractions of the
        window, touching it on the tighter side."""
        xy = self.plane(points)
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        left, bottom, right, top = box
        self.scale = max((x1 - x0) / (2 * (right - left) * aspect), (y1 - y0) / (2 * (top - bottom)), 1e-12)
        cx = 0.5 * (x0 + x1) - self.scale * aspect * (left + right - 1.0)
        cy = 0.5 * (y0 + y1) - self.scale * (bottom + top - 1.0)
        self.focal = self.focal + cx * self.right + cy * self.up

    def pixels(self, points: np.ndarray, window_size: tuple[int, int]) -> np.ndarray:
        """(column, row) pixel coordinates, row 0 at the top of the image."""
        w, h = window_size
        xy = self.plane(points)
        col = (xy[:, 0] / (self.scale * w / h) + 1.0) * 0.5 * w
        row = (1.0 - xy[:, 1] / self.scale) * 0.5 * h
        return np.c_[col, row]

    def camera_position(self, distance: float) -> list[tuple[float, float, float]]:
        position = self.focal - self.direction * distance
        return [tuple(map(float, position)), tuple(map(float, self.focal)), tuple(map(float, self.up))]

    def to_dict(self) -> dict[str, Any]:
        return {
            "focal_point_m": [float(v) for v in self.focal],
            "direction": [float(v) for v in self.direction],
            "view_up": [float(v) for v in self.up],
            "parallel_scale_m": self.scale,
        }


def pixels_of(points: np.ndarray, info: dict[str, Any]) -> np.ndarray:
    """Pixel (column, row) of world points in an image :func:`render_grid` drew with ``info=``."""
    cam = info["camera"]
    view = _View(
        np.asarray(cam["focal_point_m"]),
        np.asarray(cam["direction"]),
        np.asarray(cam["view_up"]),
        cam["parallel_scale_m"],
    )
    return view.pixels(points, tuple(info["window_size"]))


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
    lighting: bool = False,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    streamlines: bool = False,
    glyphs: bool = False,
    seeds: np.ndarray | None = None,
    opacity: float | None = None,
    ports: Sequence[dict[str, Any]] | None = None,
    coolant_cmap: str | None = None,
    scale_bar: bool = True,
    info: dict[str, Any] | None = None,
    show: bool = False,
) -> Any:
    """Render a cell field of a rackflow grid.

    The picture is an orthographic view framed to fill the space left of the colour bar, with a
    title (field maximum), a line saying where a slice or clip cuts, a scale bar in millimetres
    and, when ``ports`` are given (:func:`render` passes the case's inlets and outlets), labelled
    flow arrows. Surfaces are unlit by default, so every colour on them is a colour of the bar.

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
        ``"x"``, ``"y"`` or ``"z"``: a cut normal to that axis where it shows the part — the
        mid-plane of the coolant (of the coolant channel nearest the middle) when the result has
        coolant flow; otherwise a slice goes through the hottest cell and a clip too unless that
        would keep less than a quarter of the part (then the middle of the part). Or
        ``(axis, position_m)``. ``clip`` removes the part on the positive side. The position is
        written under the title.
    regions
        Show only these regions (default: all).
    camera
        ``"auto"`` (isometric from the side of the hottest cell, and from the cut side of a
        clip), ``"iso"``, ``"xy"`` (looking down −z), ``"xz"``, ``"yz"``, a ``-`` prefix for
        the opposite side, or a PyVista camera position ``[position, focal point, view up]``.
    zoom
        Magnify (> 1) or shrink the framed picture.
    clim
        Colour range; default the range of the shown data (from 0 for velocity).
    outlines
        Draw every region's feature edges, so region boundaries show on the surface.
    lighting
        Shade the surfaces (default off: shading darkens colours off the colour bar's scale).
    title, subtitle
        The first line (default: the file and the field's maximum) and an extra line under it.
    ports
        Inlets and outlets to label: dicts with ``name``, ``kind`` (``"inlet"``/``"outlet"``),
        ``centres`` (face centres, n × 3), ``normal`` (outward) and ``label``.
    coolant_cmap
        For temperature: draw the coolant with this colormap and its own colour bar and range
        (the solids keep ``cmap``), so the coolant's few kelvin of heating show. ``"coolant"``
        is rackflow's blue scale.
    scale_bar
        Draw a scale bar (a round number of millimetres) under the part.
    info
        A dict to fill with what was drawn: window size, camera, colour range, colormap, cut
        positions and labels, title; :func:`pixels_of` maps world points to pixels with it.
    show
        Open an interactive window (or notebook widget) instead of rendering off screen.
    """
    with quiet_vtk():
        return _render_grid(**locals())


def _render_grid(
    grid: Any,
    field: str,
    *,
    path: str | Path | None,
    slice: Any,
    clip: Any,
    regions: Sequence[str] | None,
    window_size: tuple[int, int],
    cmap: str | None,
    clim: tuple[float, float] | None,
    camera: str | Sequence[Sequence[float]],
    zoom: float,
    show_edges: bool,
    outlines: bool,
    lighting: bool,
    title: str | None,
    subtitle: str | None,
    source: str | None,
    streamlines: bool,
    glyphs: bool,
    seeds: np.ndarray | None,
    opacity: float | None,
    ports: Sequence[dict[str, Any]] | None,
    coolant_cmap: str | None,
    scale_bar: bool,
    info: dict[str, Any] | None,
    show: bool,
) -> Any:
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
    width, height = (int(v) for v in window_size)
    aspect = width / height
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
    cut_labels: list[str] = []
    clip_plane = None
    if clip is not None:
        axis, origin, label = _cut(grid, shown_grid, clip, "clip", hottest, fluid_ids)
        clip_plane = (axis, origin)
        cut_labels.append(label)
        shown = shown.clip(normal=axis, origin=origin, invert=True)
        if shown.n_cells == 0:
            raise RackflowError(f"the clip {clip!r} removes the whole part")
    slice_plane = None
    if slice is not None:
        axis, origin, label = _cut(grid, shown_grid, slice, "slice", hottest, fluid_ids)
        slice_plane = (axis, origin)
        cut_labels.append(label)
        shown = shown.slice(normal=axis, origin=origin)
        if shown.n_cells == 0:
            raise RackflowError(f"the slice {slice!r} does not cut the mesh")
    shown_values = np.asarray(shown.cell_data[scalars]) if shown.n_cells else values
    clim_given = clim is not None
    if clim is None:
        low = 0.0 if scalars == "velocity_magnitude_m_s" else float(shown_values.min())
        clim = (low, float(shown_values.max()))
    span = max(clim[1] - clim[0], 1e-9)
    digits = int(max(0, 2 - np.floor(np.log10(span))))
    font = max(8, round(height / 64))  # text sizes follow the picture: 12 pt at 800 px
    # the coolant in its own colours: split the shown cells into solids and coolant
    coolant_part = shown_solid = None
    coolant_clim: tuple[float, float] | None = None
    if coolant_cmap is not None and scalars == "temperature_c" and len(fluid_ids) and shown.n_cells:
        fluid_region_ids = np.unique(np.asarray(grid.cell_data["region_id"])[fluid_ids])
        is_coolant = np.isin(np.asarray(shown.cell_data["region_id"]), fluid_region_ids)
        if is_coolant.any() and not is_coolant.all():
            coolant_part = shown.extract_cells(np.flatnonzero(is_coolant))
            shown_solid = shown.extract_cells(np.flatnonzero(~is_coolant))
            coolant_values = np.asarray(coolant_part.cell_data[scalars])
            coolant_clim = (float(coolant_values.min()), float(coolant_values.max()))
            solid_values = np.asarray(shown_solid.cell_data[scalars])
            clim = clim if clim_given else (float(solid_values.min()), float(solid_values.max()))
            span = max(clim[1] - clim[0], 1e-9)
            digits = int(max(0, 2 - np.floor(np.log10(span))))
    # camera: a direction and view-up now, the framing once everything is placed
    shown_points = np.asarray(shown.extract_surface(algorithm="dataset_surface").points)
    if len(shown_points) == 0:
        shown_points = np.asarray(shown.points)
    centre = 0.5 * (shown_points.min(axis=0) + shown_points.max(axis=0))
    diagonal = float(np.linalg.norm(np.ptp(shown_points, axis=0))) or 1.0
    up = np.array([0.0, 0.0, 1.0])
    if camera == "auto":
        # isometric from the octant of the hottest cell, so the hot spot faces the viewer; a cut
        # is seen from its kept side, more face-on than isometric
        hot = (
            np.asarray(shown.cell_centers().points)[int(np.argmax(shown_values))]
            if shown.n_cells
            else hottest
        )
        direction = np.where(hot >= centre, 1.0, -1.0)
        cut = clip_plane or slice_plane
        if cut is not None:
            direction = direction * np.asarray(CUT_VIEW)
            direction["xyz".index(cut[0])] = 1.0
        view_dir = -direction
    elif isinstance(camera, str):
        if camera not in CAMERAS:
            raise RackflowError(
                f"unknown camera '{camera}'; choose one of {list(CAMERAS)} or a camera position"
            )
        view_dir, up = _preset_direction(camera)
    else:
        position, focal, up = (np.asarray([float(v) for v in p]) for p in camera)
        view_dir = focal - position
        centre = focal
    view = _View(centre, view_dir, up, 0.5 * diagonal)

    # layout: colour bars on the right, or under the part when that shows a wide part larger
    if source is None:
        source = str(grid.field_data["source"][0]) if "source" in grid.field_data else "rackflow"
    if title is None:
        if scalars == "temperature_c":
            title = f"{Path(source).name}: temperature, max {float(values.max()):.1f} °C"
        elif scalars == "velocity_magnitude_m_s":
            title = f"{Path(source).name}: coolant speed, max {float(values.max()):.3g} m/s"
        else:
            title = f"{Path(source).name}: pressure {float(values.min()):.4g} … {float(values.max()):.4g} Pa"
    lines_of_text = [title, *([subtitle] if subtitle else []), *cut_labels]
    margin = max(6, round(0.02 * height))
    line_height = round(1.7 * font)
    top = max(0.5, 1.0 - (margin + (len(lines_of_text) + 0.6) * line_height) / height)
    # room for the port labels centred over their arrows (about 0.6 em a character)
    longest = max((len(str(p["label"])) for p in ports or ()), default=0)
    side = min(0.3, 0.04 + 0.5 * longest * 0.62 * font / width) if ports else 0.04
    two_bars = coolant_part is not None
    if ports:  # the port labels stand a line above their arrows
        top -= 1.2 * line_height / height
    bottom = 0.03 + (1.5 * line_height / height if scale_bar else 0.0)  # the scale bar's label
    boxes = {
        "right": (side, bottom, (0.64 if two_bars else 0.78) - (side - 0.04), top),
        "bottom": (side, bottom + 0.15, 1.0 - side, top),
    }
    extent = np.ptp(view.plane(shown_points), axis=0)

    def picture_scale(box: tuple[float, float, float, float]) -> float:
        return min(
            (box[2] - box[0]) * aspect / max(extent[0], 1e-12), (box[3] - box[1]) / max(extent[1], 1e-12)
        )

    layout = "bottom" if picture_scale(boxes["bottom"]) > 1.25 * picture_scale(boxes["right"]) else "right"
    main_title = "Solids °C" if two_bars else bar_title
    if layout == "right":
        bar = _bar_style(main_title, digits, (0.87 if two_bars else 0.85, 0.1), font)
        coolant_bar = _bar_style("Coolant °C", 0, (0.74, 0.1), font)
    else:
        bar = _bar_style(main_title, digits, (0.54 if two_bars else 0.32, 0.02), font, vertical=False)
        coolant_bar = _bar_style("Coolant °C", 0, (0.1, 0.02), font, vertical=False)

    plotter = pv.Plotter(off_screen=not interactive, window_size=[width, height])
    plotter.set_background(BACKGROUND)
    if opacity is None:
        opacity = 0.35 if (glyphs or streamlines) else 1.0
    # unlit scalar surfaces (ambient 1, no diffuse or specular light): the colour of every cell is
    # the colour the bar gives its value
    surface = {
        "scalars": scalars,
        "show_edges": show_edges,
        "edge_color": "#505050",
        "lighting": lighting,
        "preference": "cell",
        "opacity": float(opacity),
    }
    if coolant_part is None or coolant_clim is None:
        plotter.add_mesh(shown, cmap=cmap, clim=list(clim), scalar_bar_args=bar, **surface)
    else:
        plotter.add_mesh(shown_solid, cmap=cmap, clim=list(clim), scalar_bar_args=bar, **surface)
        low, high = coolant_clim
        coolant_bar["fmt"] = f"%.{int(max(0, 2 - np.floor(np.log10(max(high - low, 1e-9)))))}f"
        plotter.add_mesh(
            coolant_part,
            cmap=_coolant_colormap(coolant_cmap or "coolant"),
            clim=[low, high if high > low else low + 1e-6],
            scalar_bar_args=coolant_bar,
            **surface,
        )
    _separate_bar_titles(plotter, font)
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
    line_width = max(1, round(height / 500))
    if slice is not None:  # context for a slice: the outline of the whole part
        plotter.add_mesh(shown_grid.extract_feature_edges(), color="grey", line_width=line_width)
    if outlines and shown.n_cells:
        # every region's feature edges on what is shown, so the layers show on a cut face too
        ids = np.asarray(shown.cell_data["region_id"])
        for r in np.unique(ids):
            part = shown.extract_cells(np.flatnonzero(ids == r))
            if part.n_cells:
                edges = part.extract_surface(algorithm="dataset_surface").extract_feature_edges(30)
                if edges.n_points:
                    plotter.add_mesh(edges, color="#404040", line_width=line_width)
    for i, text in enumerate(lines_of_text):
        y = height - margin - (i + 1) * line_height
        plotter.add_text(
            text, position=(margin, y), font_size=font if i == 0 else font - 2, color="black", font="arial"
        )

    frame = [shown_points]
    if scale_bar:
        bar_mesh, bar_label = _scale_bar(shown_points, view, diagonal)
        plotter.add_mesh(bar_mesh, color="black", line_width=max(2, 2 * line_width))
        frame.append(np.asarray(bar_mesh.points))
        plotter.add_point_labels(
            bar_label[0][None, :],
            [bar_label[1]],
            font_size=font,
            text_color="black",
            shape=None,
            show_points=False,
            always_visible=True,
            justification_horizontal="center",
            justification_vertical="top",
            font_family="arial",
            bold=False,
        )
    for port in ports or ():
        placed = _port_arrow(port, clip_plane, diagonal)
        if placed is None:  # the port is clipped away
            continue
        start, vector = placed
        plotter.add_mesh(
            pv.Arrow(
                start=start,
                direction=vector,
                scale=float(np.linalg.norm(vector)),
                tip_length=0.3,
                tip_radius=0.12,
                shaft_radius=0.045,
            ),
            color=PORT_COLOUR,
            lighting=False,
        )
        frame.append(np.vstack([start, start + vector]))
        # the label centred over the arrow's outer end, away from the part
        outer = start if port["kind"] == "inlet" else start + vector
        over = outer + view.up * 0.04 * diagonal
        plotter.add_point_labels(
            over[None, :],
            [port["label"]],
            font_size=font,
            text_color=PORT_COLOUR,
            shape=None,
            show_points=False,
            always_visible=True,
            justification_horizontal="center",
            justification_vertical="bottom",
            font_family="arial",
            bold=True,
        )
    view.fit(np.vstack(frame), boxes[layout], aspect)
    view.scale /= zoom
    plotter.enable_parallel_projection()
    plotter.camera_position = view.camera_position(distance=4.0 * diagonal)
    plotter.camera.parallel_scale = view.scale
    plotter.reset_camera_clipping_range()
    if info is not None:
        info.update(
            window_size=[width, height],
            field=field,
            scalars=scalars,
            cmap=cmap,
            clim=[float(clim[0]), float(clim[1])],
            title=title,
            text=lines_of_text,
            camera=view.to_dict(),
            clip=None
            if clip_plane is None
            else {"axis": clip_plane[0], "position_m": float(clip_plane[1]["xyz".index(clip_plane[0])])},
            slice=None
            if slice_plane is None
            else {"axis": slice_plane[0], "position_m": float(slice_plane[1]["xyz".index(slice_plane[0])])},
            lighting=bool(lighting),
            coolant_cmap=coolant_cmap if coolant_part is not None else None,
            coolant_clim=None if coolant_clim is None else [float(v) for v in coolant_clim],
            ports=[p["label"] for p in ports or ()],
            colour_bars=layout,
        )
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


#: the automatic camera's direction towards a cut (x, y, z weights; the cut's axis gets 1): a
#: third of the way round from the cut's normal, raised by about 30°
CUT_VIEW = (0.45, 0.45, 0.75)
#: colour of the inlet and outlet arrows and labels (off every default colormap's hue range)
PORT_COLOUR = "#1f5fbf"


def _preset_direction(name: str) -> tuple[np.ndarray, np.ndarray]:
    """View direction (camera → focal point) and view-up of a named camera."""
    if name == "iso":
        return np.array([-1.0, -1.0, -1.0]), np.array([0.0, 0.0, 1.0])
    method, negative = CAMERAS[name]
    sign = -1.0 if negative else 1.0
    plane = method.removeprefix("view_")
    normal = {"xy": 2, "xz": 1, "yz": 0}[plane]
    direction = np.zeros(3)
    # pyvista's view_xy looks down −z with y up; view_xz looks along +y with z up; view_yz along −x
    direction[normal] = {"xy": -1.0, "xz": 1.0, "yz": -1.0}[plane] * sign
    up = np.array([0.0, 1.0, 0.0]) if plane == "xy" else np.array([0.0, 0.0, 1.0])
    return direction, up


def _scale_bar(points: np.ndarray, view: _View, diagonal: float) -> tuple[Any, tuple[np.ndarray, str]]:
    """A bar of a round number of millimetres along x or y (whichever shows longer), just below
    the part on screen, with end ticks; and its label's anchor and text."""
    pv = _pyvista()
    lengths = [np.linalg.norm(view.plane(np.eye(3)[k] + view.focal)) for k in range(2)]
    k = int(np.argmax(lengths))
    extent = float(np.ptp(points[:, k]))
    length = _nice(0.3 * extent) if extent > 0 else _nice(0.3 * diagonal)
    xy = view.plane(points)
    lowest = points[int(np.argmin(xy[:, 1]))]
    down = -view.up * 0.08 * diagonal
    start = points.min(axis=0).copy()
    start[k] = points[:, k].min()
    # the bar's other two coordinates: those of the lowest point on screen, then moved down
    base = lowest.copy()
    base[k] = start[k]
    base = base + down
    end = base.copy()
    end[k] += length
    tick = -down * 0.25
    segments = np.array([base, end, base - tick, base + tick, end - tick, end + tick])
    lines = np.array([2, 0, 1, 2, 2, 3, 2, 4, 5])
    mesh = pv.PolyData(segments, lines=lines)
    millimetres = length * 1e3
    text = f"{millimetres:g} mm" if millimetres >= 1 else f"{millimetres * 1e3:g} µm"
    # the label under the bar's lower end on screen (under its middle when the bar is level)
    ends = view.plane(np.array([base, end]))[:, 1]
    level = abs(ends[0] - ends[1]) < 0.15 * length
    anchor = 0.5 * (base + end) if level else (base if ends[0] < ends[1] else end)
    return mesh, (anchor + down * 0.35, f"{text} ({'xyz'[k]})")


def _port_arrow(
    port: dict[str, Any], clip_plane: tuple[str, np.ndarray] | None, diagonal: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """Start and vector of a port's flow arrow, outside the part: into an inlet, out of an outlet.

    With a clip it sits at the port's face nearest the cut that is still shown (the channel the
    cut shows); otherwise at the middle of the port.
    """
    centres = np.asarray(port["centres"], dtype=float)
    normal = np.asarray(port["normal"], dtype=float)
    at = centres.mean(axis=0)
    if clip_plane is not None:
        k = "xyz".index(clip_plane[0])
        kept = centres[centres[:, k] <= clip_plane[1][k]]
        if len(kept) == 0:
            return None
        at = kept[int(np.argmax(kept[:, k]))]
    length = 0.12 * diagonal
    gap = 0.02 * diagonal
    if port["kind"] == "inlet":
        return at + normal * (gap + length), -normal * length
    return at + normal * gap, normal * length


def _bar_style(
    title: str, digits: int, at: tuple[float, float], font: int, vertical: bool = True
) -> dict[str, Any]:
    """A colour bar's PyVista arguments: vertical on the right, or horizontal under the part."""
    return {
        "title": title,
        "vertical": vertical,
        "fmt": f"%.{digits}f",
        "n_labels": 6,
        "position_x": at[0],
        "position_y": at[1],
        "height": 0.8 if vertical else 0.1,
        "width": 0.035 if vertical else 0.36,
        "color": "black",
        "title_font_size": font,
        "label_font_size": max(7, font - 1),
        "font_family": "arial",
    }


def _coolant_colormap(name: str) -> Any:
    """The coolant's colormap; ``"coolant"`` is rackflow's: Blues from navy (cold) to light blue,
    without the near-white end that vanishes on the background."""
    if name != "coolant":
        return name
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    return ListedColormap(colormaps["Blues"](np.linspace(1.0, 0.3, 256)), name="coolant")


def _separate_bar_titles(plotter: Any, font: int) -> None:
    """Keep each colour bar's title clear of its labels (VTK draws them touching): room under a
    vertical bar's title; a horizontal bar gets its labels below and its title as a text above."""
    width, height = plotter.window_size
    for bar in plotter.scalar_bars.values():
        if hasattr(bar, "SetVerticalTitleSeparation"):
            bar.SetVerticalTitleSeparation(12)
        if hasattr(bar, "SetTextPad"):
            bar.SetTextPad(6)
        if bar.GetOrientation() == 0:  # horizontal
            bar.SetTextPositionToPrecedeScalarBar()
            title = bar.GetTitle()
            bar.SetTitle("")
            x, y = bar.GetPosition()
            _, h = bar.GetPosition2()
            plotter.add_text(
                title,
                position=(round(x * width), round((y + h) * height) + 2),
                font_size=font - 2,
                color="black",
                font="arial",
            )


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


def animate_frames(
    results: Sequence[Result],
    times_s: Sequence[float],
    path: Path,
    field: str = "temperature",
    fps: int = 10,
    **options: Any,
) -> Path:
    """Render each result with one colour range and write them as an animation: ``.gif`` through
    Pillow, ``.mp4`` through imageio-ffmpeg when installed."""
    suffix = path.suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise RackflowError(f"an animation is a .gif or .mp4 file, got '{path.name}'")
    if suffix == ".mp4":
        # checked before the frames are rendered, which can take minutes
        try:
            import imageio.v3  # noqa: F401
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            raise RackflowError(
                "writing .mp4 needs imageio with ffmpeg (pip install imageio[ffmpeg]); use .gif"
            ) from None
    if field == "temperature" and options.get("clim") is None:
        lo = min(float(r.temperature_c.min()) for r in results)
        hi = max(float(r.temperature_c.max()) for r in results)
        options["clim"] = (lo, hi if hi > lo else lo + 1.0)
    options.setdefault("window_size", (800, 540))
    frames = []
    for result, t in zip(results, times_s, strict=True):
        image = render(result, field, subtitle=f"t = {t:.3g} s", **options)
        frames.append(np.asarray(image, dtype=np.uint8))
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".gif":
        from PIL import Image

        pictures = [Image.fromarray(f) for f in frames]
        pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=int(1000 / fps), loop=0)
    else:
        import imageio.v3 as iio

        iio.imwrite(path, np.stack(frames), fps=fps)
    return path
