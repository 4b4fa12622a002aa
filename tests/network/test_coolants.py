"""Coolant library: tables against validation.md §8 (CoolProp 8.0), validation, ranges."""

from __future__ import annotations

import math

import numpy as np
import pytest
from rackflow.coolants import (
    Coolant,
    ethylene_glycol,
    get_coolant,
    known_coolants,
    propylene_glycol,
)
from rackflow.errors import CaseError, MaterialError, PropertyRangeWarning

# validation.md §8 at 101.325 kPa: T °C, rho, mu mPa s, k, cp.
WATER = [
    (20, 998.21, 1.0016, 0.5980, 4184.1),
    (40, 992.22, 0.6527, 0.6285, 4179.4),
    (80, 971.79, 0.3541, 0.6670, 4196.8),
]
PG25 = [
    (20, 1019.28, 2.4452, 0.4679, 3920.5),
    (30, 1014.90, 1.7761, 0.4769, 3944.6),
    (50, 1004.38, 1.0726, 0.4946, 3992.4),
    (80, 985.43, 0.6280, 0.5196, 4060.7),
]


@pytest.mark.parametrize(("name", "rows"), [("water", WATER), ("PG25", PG25)])
def test_tables_match_validation_reference(name: str, rows: list) -> None:
    c = get_coolant(name)
    for t, rho, mu, k, cp in rows:
        p = c.properties(float(t))
        assert p["density_kg_m3"] == pytest.approx(rho, rel=2e-4)
        assert p["viscosity_pa_s"] == pytest.approx(mu * 1e-3, rel=2e-3)
        assert p["conductivity_w_mk"] == pytest.approx(k, rel=2e-3)
        assert p["specific_heat_j_kgk"] == pytest.approx(cp, rel=2e-4)


def test_interpolation_between_table_points_is_accurate() -> None:
    # 35 °C lies between rows; domain.md §5a gives PG25 rho 1012.5, cp 3957, mu 1.542 mPa s.
    p = get_coolant("pg25").properties(35.0)
    assert p["density_kg_m3"] == pytest.approx(1012.5, rel=3e-4)
    assert p["specific_heat_j_kgk"] == pytest.approx(3957, rel=3e-4)
    assert p["viscosity_pa_s"] == pytest.approx(1.542e-3, rel=3e-3)


def test_vectorised_and_prandtl() -> None:
    c = get_coolant("water")
    p = c.properties(np.array([20.0, 40.0, 80.0]))
    assert p["viscosity_pa_s"].shape == (3,)
    assert np.all(np.diff(p["viscosity_pa_s"]) < 0)
    assert p["prandtl"][0] == pytest.approx(7.008, rel=3e-3)


def test_freezing_points_and_boiling() -> None:
    assert get_coolant("PG25").freezing_point_c == pytest.approx(-9.8, abs=0.1)
    assert get_coolant("EG25").freezing_point_c == pytest.approx(-11.0, abs=0.1)
    assert get_coolant("water").boiling_point_c() == pytest.approx(99.97, abs=0.1)
    assert get_coolant("water").boiling_point_c(2e5) == pytest.approx(120.2, abs=0.2)
    assert 100.0 < get_coolant("PG25").boiling_point_c() < 105.0


def test_concentration_functions_bracket_tables() -> None:
    pg25, pg30 = get_coolant("PG25"), get_coolant("PG30")
    mid = propylene_glycol(0.275).properties(30.0)["viscosity_pa_s"]
    lo, hi = pg25.properties(30.0)["viscosity_pa_s"], pg30.properties(30.0)["viscosity_pa_s"]
    assert lo < mid < hi
    assert propylene_glycol(0.25).properties(30.0) == pg25.properties(30.0)
    assert ethylene_glycol(0.4).freezing_point_c < -20
    with pytest.raises(MaterialError, match="mass_fraction"):
        propylene_glycol(0.9)


def test_out_of_range_warns() -> None:
    with pytest.warns(PropertyRangeWarning, match="PG25"):
        get_coolant("PG25").properties(-30.0)


def test_unknown_coolant_lists_known_names() -> None:
    with pytest.raises(CaseError, match="known coolants") as exc:
        get_coolant("PG99")
    assert "PG25" in str(exc.value)
    assert "water" in str(exc.value)
    assert {"water", "PG25", "EG25", "HFE7100", "SylthermXLT"} <= set(known_coolants())


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf, "x"])
def test_user_coolant_validation_names_property(bad: object) -> None:
    with pytest.raises(MaterialError, match="viscosity_pa_s"):
        Coolant(
            "mine",
            density_kg_m3=1000,
            viscosity_pa_s=bad,
            conductivity_w_mk=0.6,
            specific_heat_j_kgk=4000,
        )


def test_constant_coolant_and_core_table() -> None:
    c = Coolant(
        "mine",
        density_kg_m3=1000,
        viscosity_pa_s=1e-3,
        conductivity_w_mk=0.6,
        specific_heat_j_kgk=4000,
    )
    assert c.properties([10.0, 50.0])["density_kg_m3"].tolist() == [1000.0, 1000.0]
    tab = get_coolant("water").table(10.0, 60.0, 11)
    assert tab["temperature_k"][0] == pytest.approx(283.15)
    assert len(tab["viscosity_pa_s"]) == 11
