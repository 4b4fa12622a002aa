"""The coolant library: one home for coolant properties (networks and conjugate heat transfer).

Built-in coolants are tables generated once with CoolProp by ``data/generate_coolants.py`` and
committed as ``data/coolants.json``:

* ``water``: IAPWS-95 / IAPWS 2008 viscosity / IAPWS 2011 conductivity, 101.325 kPa.
* ``PG10`` … ``PG60`` (propylene glycol, mass %), ``EG10`` … ``EG60`` (ethylene glycol):
  Melinder (2010), *Properties of Secondary Working Fluids for Indirect Systems*, IIR, as
  implemented in CoolProp (``INCOMP::MPG``/``INCOMP::MEG``). ``propylene_glycol(x)`` and
  ``ethylene_glycol(x)`` interpolate between the 5 % steps.
* ``HFE7100`` and ``SylthermXLT``: single-phase dielectrics (manufacturers' data sheets as
  fitted in CoolProp).

Properties are linear in temperature between 1 K table points (2 K for SylthermXLT); the
tables reproduce CoolProp to < 0.1 % (see ``tests/network/test_coolants.py``).
"""

from __future__ import annotations

import json
import math
import warnings
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from rackflow.errors import CaseError, MaterialError, PropertyRangeWarning, did_you_mean
from rackflow.units import ABSOLUTE_ZERO_C

ArrayLike = float | npt.ArrayLike
PROPERTY_NAMES = (
    "density_kg_m3",
    "viscosity_pa_s",
    "conductivity_w_mk",
    "specific_heat_j_kgk",
)
_P_ATM = 101_325.0
_KELVIN = -ABSOLUTE_ZERO_C
_WATER_MOLAR_MASS = 18.015


@cache
def _data() -> dict[str, Any]:
    text = resources.files("rackflow.data").joinpath("coolants.json").read_text()
    return json.loads(text)["coolants"]


class Coolant:
    """A coolant: constant properties (user-defined) or temperature tables (built-in).

    ``Coolant(name, density_kg_m3=..., viscosity_pa_s=..., conductivity_w_mk=...,
    specific_heat_j_kgk=...)`` defines a constant-property coolant. Every property must be
    finite and positive; otherwise :class:`~rackflow.errors.MaterialError` names it.
    """

    def __init__(
        self,
        name: str,
        *,
        density_kg_m3: float,
        viscosity_pa_s: float,
        conductivity_w_mk: float,
        specific_heat_j_kgk: float,
        freezing_point_c: float | None = None,
        max_temperature_c: float | None = None,
    ) -> None:
        values = {
            "density_kg_m3": density_kg_m3,
            "viscosity_pa_s": viscosity_pa_s,
            "conductivity_w_mk": conductivity_w_mk,
            "specific_heat_j_kgk": specific_heat_j_kgk,
        }
        for key, value in values.items():
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise MaterialError(f"coolant {name!r}: {key} must be a number, got {value!r}") from None
            if not (math.isfinite(v) and v > 0.0):
                raise MaterialError(f"coolant {name!r}: {key} must be finite and > 0, got {value!r}")
        self.name = str(name)
        self._temperature_c: np.ndarray | None = None
        self._tables = {k: np.array([float(v)]) for k, v in values.items()}
        self.freezing_point_c = -math.inf if freezing_point_c is None else float(freezing_point_c)
        self.max_temperature_c = math.inf if max_temperature_c is None else float(max_temperature_c)
        self.source = "user-defined, constant properties"
        self._water_mass_fraction: float | None = None
        self._glycol_molar_mass: float | None = None
        self._normal_boiling_point_c: float | None = None

    @classmethod
    def _from_table(cls, name: str, entry: dict[str, Any]) -> Coolant:
        t = np.asarray(entry["temperature_c"], dtype=float)
        first = {k: float(entry[k][0]) for k in PROPERTY_NAMES}
        obj = cls(
            name,
            **first,
            freezing_point_c=entry["freezing_point_c"],
            max_temperature_c=entry["max_temperature_c"],
        )
        obj._temperature_c = t
        obj._tables = {k: np.asarray(entry[k], dtype=float) for k in PROPERTY_NAMES}
        obj.source = entry["source"]
        obj._water_mass_fraction = entry.get("water_mass_fraction")
        obj._glycol_molar_mass = entry.get("glycol_molar_mass_g_mol")
        obj._normal_boiling_point_c = entry.get("normal_boiling_point_c")
        return obj

    @property
    def is_constant(self) -> bool:
        """True for a constant-property coolant."""
        return self._temperature_c is None

    @property
    def valid_range_c(self) -> tuple[float, float]:
        """Temperatures [°C] where the properties are valid: freezing point to maximum."""
        return (self.freezing_point_c, self.max_temperature_c)

    def __repr__(self) -> str:
        lo, hi = self.valid_range_c
        return f"Coolant({self.name!r}, valid {lo:g} to {hi:g} °C)"

    def _check_range(self, t: np.ndarray) -> None:
        lo, hi = self.valid_range_c
        if t.size and (np.nanmin(t) < lo - 1e-9 or np.nanmax(t) > hi + 1e-9):
            warnings.warn(
                f"coolant {self.name!r} evaluated at {np.nanmin(t):.2f}..{np.nanmax(t):.2f} °C,"
                f" outside its valid range {lo:g} to {hi:g} °C; properties held at the range ends",
                PropertyRangeWarning,
                stacklevel=3,
            )

    def properties(self, temperature_c: ArrayLike) -> dict[str, Any]:
        """Properties at ``temperature_c`` (scalar or array, vectorised).

        Returns a dict with ``density_kg_m3``, ``viscosity_pa_s``, ``conductivity_w_mk``,
        ``specific_heat_j_kgk``, ``kinematic_viscosity_m2_s`` and ``prandtl``; floats for a
        scalar input, arrays otherwise. Warns (PropertyRangeWarning) outside the valid range.
        """
        t = np.asarray(temperature_c, dtype=float)
        if not np.all(np.isfinite(t)):
            raise MaterialError(f"coolant {self.name!r}: temperature_c must be finite")
        self._check_range(t)
        out: dict[str, Any] = {}
        for key in PROPERTY_NAMES:
            table = self._tables[key]
            if self._temperature_c is None:
                out[key] = np.full(t.shape, table[0])
            else:
                out[key] = np.interp(t, self._temperature_c, table)
        out["kinematic_viscosity_m2_s"] = out["viscosity_pa_s"] / out["density_kg_m3"]
        out["prandtl"] = out["viscosity_pa_s"] * out["specific_heat_j_kgk"] / out["conductivity_w_mk"]
        if t.ndim == 0:
            return {k: float(v) for k, v in out.items()}
        return out

    def table(self, t_min_c: float, t_max_c: float, n: int = 41) -> dict[str, np.ndarray]:
        """Property table for the core: ``temperature_k`` plus the four properties (SI).

        The span is clipped to the valid range (the core holds properties constant beyond
        the table ends, and warns). A constant coolant gives a one-row table.
        """
        if self.is_constant:
            t_c = (
                np.array([0.5 * (t_min_c + t_max_c)])
                if math.isfinite(t_min_c + t_max_c)
                else np.array([25.0])
            )
        else:
            if not (math.isfinite(t_min_c) and math.isfinite(t_max_c) and t_max_c > t_min_c and n >= 2):
                raise MaterialError(
                    f"coolant {self.name!r}: table needs finite t_min_c < t_max_c and n >= 2,"
                    f" got {t_min_c}, {t_max_c}, {n}"
                )
            lo, hi = self.valid_range_c
            t_c = np.linspace(max(t_min_c, lo), min(t_max_c, hi), n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PropertyRangeWarning)
            props = self.properties(t_c)
        out = {"temperature_k": t_c + _KELVIN}
        out.update({k: np.asarray(props[k], dtype=float) for k in PROPERTY_NAMES})
        return out

    def to_core(self, t_min_c: float = -10.0, t_max_c: float = 90.0, n: int = 41) -> dict[str, Any]:
        """The ``fluid`` block of a core network spec (JSON-ready lists)."""
        tab = self.table(t_min_c, t_max_c, n)
        return {"name": self.name, **{k: [float(x) for x in v] for k, v in tab.items()}}

    def boiling_point_c(self, pressure_pa: float = _P_ATM) -> float:
        """Boiling temperature [°C] at ``pressure_pa``.

        Water: IAPWS-95 saturation table. Glycol mixtures: ideal-solution (Raoult) estimate
        from the water mole fraction, which is within a few kelvin below 60 % glycol.
        HFE7100: its normal boiling point (1 atm only). Others raise MaterialError.
        """
        p = float(pressure_pa)
        if not (math.isfinite(p) and p > 0.0):
            raise MaterialError(f"boiling_point_c: pressure_pa must be > 0, got {pressure_pa!r}")
        if self._normal_boiling_point_c is not None:
            if abs(p - _P_ATM) > 1.0:
                raise MaterialError(
                    f"coolant {self.name!r}: only the normal boiling point (101325 Pa) is known"
                )
            return float(self._normal_boiling_point_c)
        if self._water_mass_fraction is None:
            raise MaterialError(f"coolant {self.name!r}: no boiling data")
        sat = _data()["water"]["saturation"]
        t_sat = np.asarray(sat["temperature_c"])
        log_p = np.log(np.asarray(sat["pressure_pa"]))
        w = self._water_mass_fraction
        x_water = 1.0
        if self._glycol_molar_mass is not None and w < 1.0:
            n_w = w / _WATER_MOLAR_MASS
            x_water = n_w / (n_w + (1.0 - w) / self._glycol_molar_mass)
        target = math.log(p / x_water)
        if not (log_p[0] <= target <= log_p[-1]):
            raise MaterialError(
                f"coolant {self.name!r}: boiling point at {p:g} Pa is outside the saturation table"
                f" ({math.exp(log_p[0]):.0f}..{math.exp(log_p[-1]):.0f} Pa)"
            )
        return float(np.interp(target, log_p, t_sat))


def _mix(name: str, fraction: float, prefix: str, label: str) -> Coolant:
    x = float(fraction)
    if not (math.isfinite(x) and 0.10 <= x <= 0.60):
        raise MaterialError(
            f"{label}: mass_fraction must be between 0.10 and 0.60 (Melinder range used), got {fraction!r}"
        )
    pct = x * 100.0
    lo = int(math.floor(pct / 5.0 + 1e-9) * 5)
    hi = min(lo + 5, 60)
    if abs(pct - lo) < 1e-9 or lo == hi:
        return get_coolant(f"{prefix}{lo}")
    a, b = _data()[f"{prefix}{lo}"], _data()[f"{prefix}{hi}"]
    s = (pct - lo) / 5.0
    t = np.arange(max(a["temperature_c"][0], b["temperature_c"][0]), 100.0 + 1e-9, 1.0)
    entry: dict[str, Any] = {"temperature_c": t}
    for key in PROPERTY_NAMES:
        va = np.interp(t, a["temperature_c"], a[key])
        vb = np.interp(t, b["temperature_c"], b[key])
        entry[key] = (1 - s) * va + s * vb
    entry["freezing_point_c"] = (1 - s) * a["freezing_point_c"] + s * b["freezing_point_c"]
    entry["freezing_point_c"] = max(entry["freezing_point_c"], float(t[0]))
    entry["max_temperature_c"] = 100.0
    entry["water_mass_fraction"] = 1.0 - x
    entry["glycol_molar_mass_g_mol"] = a["glycol_molar_mass_g_mol"]
    entry["source"] = f"{a['source']} / {b['source']}, linear in mass fraction"
    return Coolant._from_table(name, entry)


def propylene_glycol(mass_fraction: float) -> Coolant:
    """Aqueous propylene glycol at ``mass_fraction`` (0.10-0.60), e.g. 0.25 for PG25."""
    return _mix(f"PG{mass_fraction * 100:g}", mass_fraction, "PG", "propylene_glycol")


def ethylene_glycol(mass_fraction: float) -> Coolant:
    """Aqueous ethylene glycol at ``mass_fraction`` (0.10-0.60), e.g. 0.25 for EG25."""
    return _mix(f"EG{mass_fraction * 100:g}", mass_fraction, "EG", "ethylene_glycol")


def known_coolants() -> list[str]:
    """Names ``get_coolant`` accepts."""
    return list(_data().keys())


@cache
def _builtin(key: str) -> Coolant:
    return Coolant._from_table(key, _data()[key])


def get_coolant(coolant: str | Coolant) -> Coolant:
    """A :class:`Coolant` from a library name (case-insensitive) or a Coolant itself.

    Unknown names raise :class:`~rackflow.errors.CaseError` listing the known ones.
    """
    if isinstance(coolant, Coolant):
        return coolant
    if not isinstance(coolant, str):
        raise CaseError(f"coolant must be a name or a Coolant, got {type(coolant).__name__}")
    lookup = {k.lower().replace("-", "").replace("_", ""): k for k in _data()}
    key = lookup.get(coolant.lower().replace("-", "").replace("_", "").replace(" ", ""))
    if key is None:
        raise CaseError(
            f"unknown coolant {coolant!r}{did_you_mean(coolant, known_coolants())}; known coolants: {known_coolants()}"
        )
    return _builtin(key)


__all__ = [
    "Coolant",
    "ethylene_glycol",
    "get_coolant",
    "known_coolants",
    "propylene_glycol",
]
