"""Units at the API edge: rackflow works in SI and kelvin inside; users give °C and L/min.

One home for every conversion factor, so that no module writes 273.15 or 60,000 itself.
"""

from __future__ import annotations

from typing import Any

#: 0 K in °C.
ABSOLUTE_ZERO_C = -273.15
#: m³/s in one L/min.
M3_S_PER_LPM = 1.0 / 60_000.0


def kelvin(temperature_c: Any) -> Any:
    """°C → K (numbers or NumPy arrays)."""
    return temperature_c - ABSOLUTE_ZERO_C


def celsius(temperature_k: Any) -> Any:
    """K → °C (numbers or NumPy arrays)."""
    return temperature_k + ABSOLUTE_ZERO_C


def m3_s(flow_lpm: Any) -> Any:
    """L/min → m³/s."""
    return flow_lpm * M3_S_PER_LPM


def lpm(flow_m3_s: Any) -> Any:
    """m³/s → L/min."""
    return flow_m3_s / M3_S_PER_LPM
