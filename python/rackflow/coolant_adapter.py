"""The bridge between coolant objects and the core's property tables.

Coolants come from :mod:`rackflow.coolants` (the library) or are user-defined; the core takes
each property as a constant or a kelvin table. This module only converts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rackflow.errors import CaseError
from rackflow.materials import ABSOLUTE_ZERO_C

PROPERTIES = ("density_kg_m3", "viscosity_pa_s", "conductivity_w_mk", "specific_heat_j_kgk")


def resolve_coolant(coolant: Any) -> Any:
    """A coolant object from a library name or an object."""
    try:
        from rackflow.coolants import get_coolant
    except ImportError:  # pragma: no cover - the library arrives with the coolant module
        get_coolant = None
    if get_coolant is not None:
        return get_coolant(coolant)
    if isinstance(coolant, str):
        raise CaseError(f"unknown coolant '{coolant}' (no coolant library in this build)")
    missing = [p for p in PROPERTIES if not hasattr(coolant, p)]
    if missing:
        raise CaseError(f"coolant {coolant!r} lacks properties {missing}")
    return coolant


def coolant_to_core(
    coolant: Any, t_min_c: float = -10.0, t_max_c: float = 100.0, n: int = 23
) -> dict[str, Any]:
    """The core's coolant description: constants, or tables over the coolant's valid range."""
    out: dict[str, Any] = {"name": str(getattr(coolant, "name", "coolant"))}
    table = getattr(coolant, "table", None)
    if callable(table) and not getattr(coolant, "constant", False):
        lo = max(t_min_c, float(getattr(coolant, "t_min_c", t_min_c)))
        hi = min(t_max_c, float(getattr(coolant, "t_max_c", t_max_c)))
        data = table(lo, hi, n)
        t_k = np.asarray(data["temperature_k"], dtype=float).tolist()
        for p in PROPERTIES:
            out[p] = {"temperature_k": t_k, "value": np.asarray(data[p], dtype=float).tolist()}
        return out
    for p in PROPERTIES:
        value = getattr(coolant, p)
        out[p] = float(value) if np.isscalar(value) else value
    _ = ABSOLUTE_ZERO_C
    return out
