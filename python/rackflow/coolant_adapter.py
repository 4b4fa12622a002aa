"""The bridge between coolant objects and the core's property tables.

Coolants come from :mod:`rackflow.coolants` (the library, one home for their data) or are
duck-typed constant-property objects (tests, quick studies); the core takes each property as a
constant or a kelvin table. This module only converts.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from rackflow.coolants import Coolant, get_coolant
from rackflow.errors import CaseError, PropertyRangeWarning

PROPERTIES = ("density_kg_m3", "viscosity_pa_s", "conductivity_w_mk", "specific_heat_j_kgk")


def resolve_coolant(coolant: Any) -> Any:
    """A library coolant by name, a :class:`Coolant`, or an object carrying the four properties."""
    if isinstance(coolant, str | Coolant):
        return get_coolant(coolant)
    missing = [p for p in PROPERTIES if not hasattr(coolant, p)]
    if missing:
        raise CaseError(
            f"coolant {coolant!r} is neither a library name, a rackflow.Coolant nor has {missing}"
        )
    for p in PROPERTIES:
        value = getattr(coolant, p)
        if not (np.isscalar(value) and np.isfinite(value) and value > 0):
            raise CaseError(
                f"coolant {getattr(coolant, 'name', coolant)!r}: {p} must be finite and positive, got {value!r}"
            )
    return coolant


def valid_range_c(coolant: Any) -> tuple[float, float]:
    """Temperatures (°C) within which the coolant's properties are valid."""
    if isinstance(coolant, Coolant):
        return coolant.valid_range_c
    return (-float("inf"), float("inf"))


def coolant_to_core(coolant: Any, n: int = 41) -> dict[str, Any]:
    """The core's coolant description: tables over the valid range, or constants."""
    out: dict[str, Any] = {"name": str(getattr(coolant, "name", "coolant"))}
    if isinstance(coolant, Coolant) and not coolant.is_constant:
        lo, hi = coolant.valid_range_c
        data = coolant.table(lo, hi, n)
        t_k = np.asarray(data["temperature_k"], dtype=float).tolist()
        for p in PROPERTIES:
            out[p] = {"temperature_k": t_k, "value": np.asarray(data[p], dtype=float).tolist()}
        return out
    if isinstance(coolant, Coolant):
        data = coolant.table(20.0, 30.0, 2)
        for p in PROPERTIES:
            out[p] = float(np.asarray(data[p]).ravel()[0])
        return out
    for p in PROPERTIES:
        out[p] = float(getattr(coolant, p))
    return out


def property_at(coolant: Any, name: str, temperature_c: float) -> float:
    """One property (SI) of a coolant at a temperature (°C), held at the range ends like the core."""
    if isinstance(coolant, Coolant):
        lo, hi = coolant.valid_range_c
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PropertyRangeWarning)  # the solve already warned
            return float(coolant.properties(min(max(temperature_c, lo), hi))[name])
    return float(getattr(coolant, name))
