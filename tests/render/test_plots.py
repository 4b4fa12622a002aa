"""Design curves: files are written, non-blank, with one line per hue value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rackflow as rf
from matplotlib.image import imread
from rackflow.errors import SweepError
from rackflow.plots import label


@pytest.fixture
def table() -> pd.DataFrame:
    rows = []
    for coolant, k in (("water", 1.0), ("PG25", 1.3)):
        for q in (0.5, 1.0, 2.0):
            rows.append(
                {
                    "flow_lpm": q,
                    "coolant": coolant,
                    "status": "ok",
                    "thermal_resistance_k_w.die": k * 0.02 / q**0.5,
                    "pressure_drop_pa": k * 3000 * q**1.8,
                }
            )
    rows.append({"flow_lpm": 3.0, "coolant": "water", "status": "failed"})
    return pd.DataFrame(rows)


def test_png_is_written_and_not_blank(table: pd.DataFrame, tmp_path: Path) -> None:
    out = rf.plot_curves(
        table, x="flow_lpm", y="thermal_resistance_k_w.die", hue="coolant", path=tmp_path / "r.png"
    )
    assert out == tmp_path / "r.png"
    img = imread(out)
    assert img.shape[0] > 300 and img.shape[1] > 500
    assert img[..., :3].std() > 0.05


def test_one_line_per_hue_and_failed_rows_left_out(table: pd.DataFrame) -> None:
    fig = rf.plot_curves(table, x="flow_lpm", y="thermal_resistance_k_w.die", hue="coolant")
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    water = next(line for line in ax.lines if "water" in line.get_label())
    np.testing.assert_allclose(water.get_xdata(), [0.5, 1.0, 2.0])
    assert ax.get_xlabel() == "flow [L/min]"
    assert ax.get_ylabel() == "thermal resistance (die) [K/W]"


def test_pump_curve_and_budget_on_pressure_axes(table: pd.DataFrame, tmp_path: Path) -> None:
    fig = rf.plot_curves(
        table,
        x="flow_lpm",
        y="pressure_drop_pa",
        hue="coolant",
        pump_curve=[(0.0, 40000.0), (1.0, 30000.0), (3.0, 0.0)],
        pressure_budget_pa=20000.0,
    )
    assert len(fig.axes) == 1  # pressure on pressure: no second axis
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert "pump curve" in labels and "pressure budget" in labels
    twin = rf.plot_curves(table, x="flow_lpm", y="thermal_resistance_k_w.die", pressure_budget_pa=1e4)
    assert len(twin.axes) == 2
    svg = rf.plot_curves(table, x="flow_lpm", y="pressure_drop_pa", path=tmp_path / "dp.svg")
    assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in svg.read_text()


def test_bad_columns_name_the_column(table: pd.DataFrame) -> None:
    with pytest.raises(SweepError, match="no column 'nope'"):
        rf.plot_curves(table, x="flow_lpm", y="nope")
    with pytest.raises(SweepError, match="no successful points"):
        rf.plot_curves(table[table["status"] == "failed"], x="flow_lpm", y="pressure_drop_pa")


def test_labels() -> None:
    assert label("htc_w_m2k.lid_top") == "htc (lid_top) [W/m²·K]"
    assert label("resistance_m2k_w.a-b") == "resistance (a-b) [m²·K/W]"
    assert label("max_temperature_c") == "max temperature [°C]"
