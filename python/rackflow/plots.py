"""Design curves from sweep tables (matplotlib, drawn without pyplot on the Agg canvas).

Drawing on a bare :class:`matplotlib.figure.Figure` keeps rackflow from switching the user's
pyplot back end, and works on servers without a display.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rackflow.errors import SweepError

#: unit suffixes of rackflow column names, longest first
_UNITS = [
    ("_w_m2k", "W/m²·K"),
    ("_m2k_w", "m²·K/W"),
    ("_k_w", "K/W"),
    ("_w_m2", "W/m²"),
    ("_w_m3", "W/m³"),
    ("_lpm", "L/min"),
    ("_pa", "Pa"),
    ("_c", "°C"),
    ("_w", "W"),
    ("_s", "s"),
    ("_k", "K"),
]


def label(column: str) -> str:
    """A readable axis label from a column name: ``max_temperature_c.die`` → ``max temperature (die) [°C]``."""
    quantity, _, target = column.partition(".")
    unit = ""
    for suffix, text in _UNITS:
        if quantity.endswith(suffix):
            quantity, unit = quantity[: -len(suffix)], text
            break
    words = re.sub(r"_+", " ", quantity).strip()
    if target:
        words += f" ({target})"
    return f"{words} [{unit}]" if unit else words


def _column(table: Any, name: str) -> None:
    if name not in table.columns:
        raise SweepError(f"the table has no column '{name}'; columns: {list(table.columns)}")


def plot_curves(
    table: Any,
    x: str,
    y: str | Sequence[str],
    hue: str | None = None,
    path: str | Path | None = None,
    *,
    pump_curve: Sequence[tuple[float, float]] | None = None,
    pressure_budget_pa: float | None = None,
    title: str | None = None,
    logx: bool = False,
    figsize: tuple[float, float] = (7.0, 4.5),
    dpi: int = 150,
) -> Any:
    """Plot ``y`` against ``x`` (one line per ``hue`` value) from a sweep table.

    Parameters
    ----------
    table
        A ``pandas.DataFrame`` such as :meth:`Sweep.run` returns; rows whose ``status`` is not
        ``"ok"`` are left out.
    x, y
        Column names (``y`` may be several, drawn on the same axes).
    hue
        Column whose values make separate curves (coolant, inlet temperature, material...).
    path
        Write the figure there (``.png``, ``.svg``, ``.pdf``) and return the path; otherwise
        return the :class:`matplotlib.figure.Figure`.
    pump_curve
        ``[(flow_lpm, pressure_pa), ...]`` of a pump, drawn against a pressure axis (the same
        axes when ``y`` is a pressure, else a second axis on the right).
    pressure_budget_pa
        A horizontal line marking the available pressure drop.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - only without the extra
        raise SweepError("plot_curves needs matplotlib: pip install 'rackflow[viz]'") from None

    ys = [y] if isinstance(y, str) else list(y)
    if not ys:
        raise SweepError("plot_curves needs at least one y column")
    for name in [x, *ys, *([hue] if hue else [])]:
        _column(table, name)
    data = table[table["status"] == "ok"] if "status" in table.columns else table
    if len(data) == 0:
        raise SweepError("the table has no successful points to plot")

    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    groups = [(None, data)] if hue is None else list(data.groupby(hue, sort=True))
    markers = "osD^v<>ph*"
    for i, (key, group) in enumerate(groups):
        group = group.sort_values(x)
        for j, col in enumerate(ys):
            parts = []
            if hue is not None:
                parts.append(f"{hue} = {key}")
            if len(ys) > 1:
                parts.append(label(col))
            ax.plot(
                group[x].to_numpy(dtype=float),
                group[col].to_numpy(dtype=float),
                marker=markers[(i + j) % len(markers)],
                label=", ".join(parts) or None,
            )
    ax.set_xlabel(label(x))
    ax.set_ylabel(label(ys[0]) if len(ys) == 1 else ", ".join(label(c) for c in ys))
    if logx:
        ax.set_xscale("log")
    ax.grid(True, alpha=0.3)

    y_is_pressure = all(c.partition(".")[0].endswith("_pa") for c in ys)
    pax = ax
    if pump_curve is not None or pressure_budget_pa is not None:
        if not y_is_pressure:
            pax = ax.twinx()
            pax.set_ylabel("pressure [Pa]")
        if pump_curve is not None:
            pts = np.asarray(pump_curve, dtype=float)
            if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) < 2:
                raise SweepError("pump_curve must be at least two (flow_lpm, pressure_pa) pairs")
            pax.plot(pts[:, 0], pts[:, 1], color="black", linestyle="--", label="pump curve")
        if pressure_budget_pa is not None:
            pax.axhline(float(pressure_budget_pa), color="crimson", linestyle=":", label="pressure budget")
    handles, labels = [], []
    for a in {id(ax): ax, id(pax): pax}.values():
        h, lab = a.get_legend_handles_labels()
        handles += h
        labels += lab
    if handles:
        ax.legend(handles, labels, fontsize="small")
    ax.set_title(title if title is not None else f"{label(ys[0])} vs {label(x)}", fontsize="medium")
    if path is None:
        return fig
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path
