"""ColdPlateModel: fits recover known curves, report error, round-trip as plain JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rackflow import ColdPlateModel
from rackflow.errors import CaseError, CaseFileError


@settings(max_examples=25, deadline=None)
@given(
    a=st.floats(500, 20_000),
    b=st.floats(0, 20_000),
    c0=st.floats(0.005, 0.05),
    c1=st.floats(0.005, 0.05),
    n=st.floats(0.3, 1.5),
)
def test_fit_recovers_exact_curves(a: float, b: float, c0: float, c1: float, n: float) -> None:
    q = np.array([0.5, 0.8, 1.2, 1.8, 2.5, 3.5])
    m = ColdPlateModel.from_points(q, a * q + b * q**2, c0 + c1 * q**-n)
    assert m.pressure_drop_pa(1.1) == pytest.approx(a * 1.1 + b * 1.21, rel=1e-6)
    assert m.thermal_resistance_k_w(1.1) == pytest.approx(c0 + c1 * 1.1**-n, rel=1e-4)
    assert m.fit_error["pressure_drop_max_rel"] < 1e-6
    assert m.fit_error["thermal_resistance_max_rel"] < 1e-4


def test_noisy_datasheet_reports_fit_error_and_range() -> None:
    q = [0.5, 1.0, 1.5, 2.0]
    m = ColdPlateModel.from_points(q, [2100, 7600, 15500, 26000], [0.052, 0.036, 0.031, 0.029])
    assert 0 < m.fit_error["pressure_drop_max_rel"] < 0.1
    assert m.flow_range_lpm == (0.5, 2.0)
    a, b = m.pressure_coefficients_pa
    assert a >= 0
    assert b >= 0
    assert "fit error" in repr(m)


def test_save_load_round_trip(tmp_path: Path) -> None:
    q = np.array([0.5, 1.0, 2.0])
    m = ColdPlateModel.from_points(
        q, 4000 * q + 3000 * q**2, 0.02 + 0.01 / q, coolant="PG25", temperature_c=40
    )
    path = tmp_path / "plate.json"
    m.save(path)
    data = json.loads(path.read_text())
    assert data["format"] == "rackflow.ColdPlateModel"
    back = ColdPlateModel.load(path)
    assert back.to_core() == m.to_core()
    assert back.coolant == "PG25"


def test_load_rejects_foreign_or_broken_files(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text('{"format": "pickle", "payload": "..."}')
    with pytest.raises(CaseFileError, match="format"):
        ColdPlateModel.load(p)
    p.write_text('{"format": "rackflow.ColdPlateModel", "pressure_coefficients_pa": [1, 1]}')
    with pytest.raises(CaseFileError, match="resistance_coefficients"):
        ColdPlateModel.load(p)


@pytest.mark.parametrize(
    ("q", "dp", "r"),
    [
        ([1.0], [1.0], [1.0]),
        ([1, 2], [1, -2], [1, 1]),
        ([1, 2], [1, 2], [1, 1, 1]),
        ([1, 1], [1, 2], [1, 1]),
    ],
)
def test_bad_points(q: list, dp: list, r: list) -> None:
    with pytest.raises(CaseError):
        ColdPlateModel.from_points(q, dp, r)
