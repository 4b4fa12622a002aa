"""Drawings of a network result: the loop as tubes (PyVista), GPU temperatures as bars."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rackflow.errors import CaseError

if TYPE_CHECKING:
    from rackflow.network.result import NetworkResult


def positions(result: NetworkResult) -> dict[str, np.ndarray]:
    """Drawing positions of every node: the network's, else a grid."""
    pos = {k: np.asarray(v, dtype=float) for k, v in result.network.positions.items()}
    missing = [n for n in result.nodes.index if n not in pos]
    if missing:
        # Layered layout along the flow for nodes without positions.
        order = {n: i for i, n in enumerate(result.nodes.index)}
        for i, n in enumerate(missing):
            pos[n] = np.array([float(i % 20), float(order[n] // 20), 0.0]) * 0.2
    return pos


def render(
    result: NetworkResult,
    path: str | Path | None = None,
    *,
    by: str = "temperature",
    window_size: tuple[int, int] = (1024, 768),
    radius_m: float | None = None,
    off_screen: bool = True,
) -> Any:
    """Draws the loop as tubes coloured by ``temperature`` (°C) or ``flow`` (L/min);
    writes a PNG when ``path`` is given. Returns the pyvista plotter (closed if saved)."""
    import pyvista as pv

    from rackflow.viz import ensure_headless_backend

    if by not in ("temperature", "flow"):
        raise CaseError(f"render: by must be 'temperature' or 'flow', got {by!r}")
    if off_screen:
        ensure_headless_backend()  # EGL or OSMesa without a display, not VTK's X warnings
    pos = positions(result)
    pts, lines, values = [], [], []
    for _name, row in result.edges.iterrows():
        a, b = pos[row["from"]], pos[row["to"]]
        if np.allclose(a, b):
            b = a + np.array([0.0, 0.0, 0.01])
        base = len(pts)
        pts.extend([a, b])
        lines.extend([2, base, base + 1])
        if by == "temperature":
            ta, tb = (
                (row["inlet_c"], row["outlet_c"])
                if row["flow_lpm"] >= 0
                else (row["outlet_c"], row["inlet_c"])
            )
            values.extend([ta, tb])
        else:
            values.extend([abs(row["flow_lpm"])] * 2)
    poly = pv.PolyData(np.asarray(pts), lines=np.asarray(lines))
    label = "temperature [°C]" if by == "temperature" else "flow [L/min]"
    poly.point_data[label] = np.asarray(values)
    span = float(np.ptp(np.asarray(pts), axis=0).max()) or 1.0
    tubes = poly.tube(radius=radius_m or span / 300.0, n_sides=12)
    plotter = pv.Plotter(off_screen=off_screen, window_size=list(window_size))
    plotter.add_mesh(tubes, scalars=label, cmap="coolwarm" if by == "temperature" else "viridis")
    plotter.add_text(f"{result.network.name}: {label}", font_size=10)
    plotter.view_isometric()
    if path is not None:
        plotter.screenshot(str(path))
        plotter.close()
    return plotter


def plot_gpu_temperatures(
    result: NetworkResult, path: str | Path | None = None, *, limit_c: float | None = None
) -> Any:
    """Bar chart of GPU temperatures (worst in red); saved to ``path`` if given."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plates = result.cold_plates()
    fig, ax = plt.subplots(figsize=(max(6.0, 0.12 * len(plates) + 2), 4))
    colors = ["tab:blue"] * len(plates)
    if len(plates):
        colors[int(plates["gpu_temperature_c"].to_numpy().argmax())] = "tab:red"
    ax.bar(range(len(plates)), plates["gpu_temperature_c"], color=colors)
    if limit_c is not None:
        ax.axhline(limit_c, color="k", ls="--", lw=1, label=f"limit {limit_c:g} °C")
        ax.legend()
    ax.set_xlabel("cold plate")
    ax.set_ylabel("GPU temperature [°C]")
    if len(plates) <= 80:
        ax.set_xticks(range(len(plates)), plates["name"], rotation=90, fontsize=6)
    lo = float(plates["gpu_temperature_c"].min()) if len(plates) else 0.0
    ax.set_ylim(bottom=lo - 5.0)
    ax.set_title(f"{result.network.name}: GPU temperatures")
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
        plt.close(fig)
    return fig


__all__ = ["plot_gpu_temperatures", "positions", "render"]
