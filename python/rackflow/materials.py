"""Solid materials: a small cited library and user-defined :class:`Material`.

Conductivity may depend on temperature: give a table of ``(temperature_c, conductivity_w_mk)``
pairs; the core interpolates linearly and holds the end values beyond the table.

Sources
-------
* Copper and silicon: Bergman, Lavine, Incropera & DeWitt, *Fundamentals of Heat and Mass
  Transfer*, 7th ed., Table A.1 (pure copper; pure silicon), 100–600 K.
* Aluminium 6061-T6: ASM Aerospace Specification Metals, "Aluminum 6061-T6; 6061-T651"
  (167 W/m·K at 25 °C); temperature dependence within ±5 % over 0–150 °C, treated as constant.
* SAC305 solder (Sn96.5Ag3.0Cu0.5): 58 W/m·K, Indium Corporation SAC305 data sheet.
* Indium (solder TIM): 86 W/m·K, Indium Corporation "Indium metal" data sheet.
* Generic thermal interface material: 5 W/m·K, a mid-range phase-change/grease value
  (vendor data sheets span 1–12 W/m·K); override with your product's number.
* FR-4 through-plane: 0.3 W/m·K (IPC-4101 typical).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from rackflow.errors import CaseError, MaterialError, did_you_mean
from rackflow.units import ABSOLUTE_ZERO_C


def _check_positive(material: str, prop: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MaterialError(f"material '{material}': {prop} must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise MaterialError(f"material '{material}': {prop} must be finite and positive, got {value}")


@dataclass(frozen=True)
class Material:
    """A solid material.

    Parameters
    ----------
    name
        Name used in reports.
    conductivity_w_mk
        Thermal conductivity in W/(m·K): a number, or a sequence of
        ``(temperature_c, conductivity_w_mk)`` pairs for temperature-dependent conductivity.
    density_kg_m3, specific_heat_j_kgk
        Optional, for reports and future transient solves.
    source
        Where the data come from.
    """

    name: str
    conductivity_w_mk: float | Sequence[tuple[float, float]]
    density_kg_m3: float | None = None
    specific_heat_j_kgk: float | None = None
    source: str = field(default="user", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise MaterialError(f"a material needs a non-empty name, got {self.name!r}")
        k = self.conductivity_w_mk
        if isinstance(k, int | float) and not isinstance(k, bool):
            _check_positive(self.name, "conductivity_w_mk", float(k))
        else:
            try:
                pairs = [(float(t), float(v)) for t, v in k]  # type: ignore[union-attr]
            except (TypeError, ValueError):
                raise MaterialError(
                    f"material '{self.name}': conductivity_w_mk must be a number or "
                    f"(temperature_c, value) pairs, got {k!r}"
                ) from None
            if not pairs:
                raise MaterialError(f"material '{self.name}': the conductivity table is empty")
            for t, v in pairs:
                _check_positive(self.name, "conductivity_w_mk", v)
                if not math.isfinite(t) or t <= ABSOLUTE_ZERO_C:
                    raise MaterialError(f"material '{self.name}': table temperature {t} °C is not physical")
            if any(b[0] <= a[0] for a, b in itertools.pairwise(pairs)):
                raise MaterialError(
                    f"material '{self.name}': table temperatures must increase strictly, got "
                    f"{[p[0] for p in pairs]}"
                )
            object.__setattr__(self, "conductivity_w_mk", tuple(pairs))
        for prop in ("density_kg_m3", "specific_heat_j_kgk"):
            value = getattr(self, prop)
            if value is not None:
                _check_positive(self.name, prop, value)

    @property
    def temperature_dependent(self) -> bool:
        """Whether conductivity varies with temperature."""
        return not isinstance(self.conductivity_w_mk, int | float)

    def conductivity_at(self, temperature_c: float) -> float:
        """Conductivity at a temperature (°C), as the core evaluates it."""
        k = self.conductivity_w_mk
        if isinstance(k, int | float):
            return float(k)
        ts = [p[0] for p in k]
        vs = [p[1] for p in k]
        if temperature_c <= ts[0]:
            return vs[0]
        if temperature_c >= ts[-1]:
            return vs[-1]
        for i in range(len(ts) - 1):
            if ts[i] <= temperature_c <= ts[i + 1]:
                w = (temperature_c - ts[i]) / (ts[i + 1] - ts[i])
                return vs[i] + w * (vs[i + 1] - vs[i])
        return vs[-1]

    def to_core(self) -> dict[str, object]:
        """The serde form the core reads (kelvin)."""
        k = self.conductivity_w_mk
        if isinstance(k, int | float):
            prop: object = float(k)
        else:
            prop = {
                "temperature_k": [t - ABSOLUTE_ZERO_C for t, _ in k],
                "value": [v for _, v in k],
            }
        out: dict[str, object] = {"name": self.name, "conductivity_w_mk": prop}
        if self.density_kg_m3 is not None:
            out["density_kg_m3"] = float(self.density_kg_m3)
        if self.specific_heat_j_kgk is not None:
            out["specific_heat_j_kgk"] = float(self.specific_heat_j_kgk)
        return out


def _kelvin_table(pairs_k: Sequence[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    return tuple((t + ABSOLUTE_ZERO_C, k) for t, k in pairs_k)


COPPER = Material(
    "copper",
    _kelvin_table([(200.0, 413.0), (300.0, 401.0), (400.0, 393.0), (600.0, 379.0)]),
    density_kg_m3=8933.0,
    specific_heat_j_kgk=385.0,
    source="Incropera et al., Fundamentals of Heat and Mass Transfer, 7th ed., Table A.1 (pure copper)",
)
SILICON = Material(
    "silicon",
    _kelvin_table([(200.0, 264.0), (300.0, 148.0), (400.0, 98.9), (600.0, 61.9)]),
    density_kg_m3=2330.0,
    specific_heat_j_kgk=712.0,
    source="Incropera et al., Fundamentals of Heat and Mass Transfer, 7th ed., Table A.1 (pure silicon)",
)
ALUMINIUM_6061 = Material(
    "aluminium_6061",
    167.0,
    density_kg_m3=2700.0,
    specific_heat_j_kgk=896.0,
    source="ASM Aerospace Specification Metals, Aluminum 6061-T6",
)
SOLDER_SAC305 = Material(
    "solder_sac305",
    58.0,
    density_kg_m3=7400.0,
    specific_heat_j_kgk=232.0,
    source="Indium Corporation SAC305 data sheet",
)
INDIUM = Material(
    "indium", 86.0, density_kg_m3=7310.0, specific_heat_j_kgk=233.0, source="Indium Corporation data sheet"
)
TIM_GENERIC = Material(
    "tim",
    5.0,
    density_kg_m3=2500.0,
    specific_heat_j_kgk=1000.0,
    source="generic grease/phase-change TIM (vendor range 1–12 W/m·K)",
)
FR4 = Material("fr4", 0.3, density_kg_m3=1850.0, specific_heat_j_kgk=1100.0, source="IPC-4101 typical")

#: The built-in library, by name (aliases included).
LIBRARY: dict[str, Material] = {
    "copper": COPPER,
    "silicon": SILICON,
    "aluminium_6061": ALUMINIUM_6061,
    "aluminum_6061": ALUMINIUM_6061,
    "al6061": ALUMINIUM_6061,
    "solder": SOLDER_SAC305,
    "solder_sac305": SOLDER_SAC305,
    "sac305": SOLDER_SAC305,
    "indium": INDIUM,
    "tim": TIM_GENERIC,
    "fr4": FR4,
}


def get_material(material: str | Material) -> Material:
    """A library material by name, or the given :class:`Material`."""
    if isinstance(material, Material):
        return material
    if isinstance(material, str):
        try:
            return LIBRARY[material.lower()]
        except KeyError:
            raise CaseError(
                f"unknown material '{material}'{did_you_mean(material, list(LIBRARY))}; known materials: "
                f"{sorted(set(LIBRARY))} (or pass rackflow.Material(...))"
            ) from None
    raise CaseError(f"material must be a name or a rackflow.Material, got {type(material).__name__}")
