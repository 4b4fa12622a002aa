"""Constant-property fluids for tests and benchmarks (exact, so references need no property fits)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConstantFluid:
    """A fluid with constant properties (SI)."""

    name: str = "constant"
    density_kg_m3: float = 1000.0
    viscosity_pa_s: float = 1e-3
    conductivity_w_mk: float = 0.6
    specific_heat_j_kgk: float = 4180.0
    constant: bool = True
