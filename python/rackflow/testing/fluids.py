"""Constant-property fluids for tests and benchmarks (exact, so references need no property fits)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rackflow import Coolant


@dataclass(frozen=True)
class ConstantFluid:
    """A fluid with constant properties (SI)."""

    name: str = "constant"
    density_kg_m3: float = 1000.0
    viscosity_pa_s: float = 1e-3
    conductivity_w_mk: float = 0.6
    specific_heat_j_kgk: float = 4180.0
    constant: bool = True


def constant_coolant(name: str = "const") -> Coolant:
    """A :class:`rackflow.Coolant` with constant water-like properties (ρ 1000, μ 1e-3,
    k 0.6, cp 4000), for tests whose references need exact properties (network tests, the
    coolant-bounds tests)."""
    from rackflow import Coolant

    return Coolant(
        name,
        density_kg_m3=1000.0,
        viscosity_pa_s=1e-3,
        conductivity_w_mk=0.6,
        specific_heat_j_kgk=4000.0,
    )
