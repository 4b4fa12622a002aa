"""Sweep axes: a registry of setters, one small function per kind of case parameter.

An axis name is ``<quantity>`` or ``<quantity>.<target>``: ``power_w.die``,
``htc_w_m2k.coolant_side``, ``resistance_m2k_w.lid-base``. The quantity selects a setter
registered with :func:`register_axis`; the setter changes one case parameter through the
public :class:`~rackflow.case.Case` calls, so every value is validated exactly as in a script.

Adding an axis (coolant flow, when it exists) is one function::

    @register_axis("flow_lpm", target="optional")
    def _flow(case, target, value):
        case.inlet(target or _single_inlet(case), flow_lpm=value, ...)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from rackflow.errors import CaseError, SweepError

if TYPE_CHECKING:
    from rackflow.case import Case

Setter = Callable[["Case", "str | None", Any], None]


@dataclass(frozen=True)
class AxisKind:
    """A registered quantity: its setter and whether it needs a ``.<target>``."""

    quantity: str
    setter: Setter
    target: Literal["required", "optional", "none"]
    doc: str


AXES: dict[str, AxisKind] = {}


def register_axis(
    quantity: str, *, target: Literal["required", "optional", "none"] = "required"
) -> Callable[[Setter], Setter]:
    """Register ``setter(case, target, value)`` for axes named ``quantity[.target]``."""

    def decorate(setter: Setter) -> Setter:
        AXES[quantity] = AxisKind(quantity, setter, target, (setter.__doc__ or "").strip())
        return setter

    return decorate


def parse_axis(name: str) -> tuple[AxisKind, str | None]:
    """Split an axis name into its registered quantity and target; SweepError when unknown."""
    quantity, _, target = name.partition(".")
    kind = AXES.get(quantity)
    if kind is None:
        raise SweepError(f"unknown sweep axis '{name}'; known quantities: {sorted(AXES)}")
    if kind.target == "required" and not target:
        raise SweepError(f"sweep axis '{name}' needs a target: '{quantity}.<name>'")
    if kind.target == "none" and target:
        raise SweepError(f"sweep axis '{quantity}' takes no target, got '{name}'")
    return kind, (target or None)


def apply_axis(case: Case, name: str, value: Any) -> None:
    """Set one axis value on a case (raises CaseError for bad values)."""
    kind, target = parse_axis(name)
    if hasattr(value, "item"):  # numpy scalars from grids and Latin hypercubes
        value = value.item()
    kind.setter(case, target, value)


# ----- thermal axes ------------------------------------------------------------------------------
def _boundary(case: Case, patch: str, kinds: tuple[str, ...], quantity: str) -> Any:
    b = case.boundaries.get(patch)
    if b is None or b.kind not in kinds:
        have = "no condition" if b is None else f"a {b.kind} condition"
        raise CaseError(
            f"axis '{quantity}.{patch}': patch '{patch}' has {have}; it needs a {' or '.join(kinds)} "
            "condition in the base case"
        )
    return b


@register_axis("power_w")
def _power_w(case: Case, target: str | None, value: Any) -> None:
    """Heat load of a solid region (W), or total power of a heat-flux patch."""
    assert target is not None
    if target in case.solids:
        s = case.solids[target]
        case.solid(target, s.material, power_w=value)
        return
    if target in case.boundaries and case.boundaries[target].kind == "heat_flux":
        case.heat_flux(target, power_w=value)
        return
    raise CaseError(
        f"axis 'power_w.{target}': '{target}' is neither a solid region of the case "
        f"{sorted(case.solids)} nor a heat-flux patch"
    )


@register_axis("power_density_w_m3")
def _power_density(case: Case, target: str | None, value: Any) -> None:
    """Uniform volumetric heat source of a solid region (W/m³)."""
    assert target is not None
    if target not in case.solids:
        raise CaseError(f"axis 'power_density_w_m3.{target}': no solid region '{target}' in the case")
    case.solid(target, case.solids[target].material, power_density_w_m3=value)


@register_axis("material")
def _material(case: Case, target: str | None, value: Any) -> None:
    """Material of a solid region (library name or rackflow.Material)."""
    assert target is not None
    s = case.solids.get(target)
    if s is None:
        raise CaseError(f"axis 'material.{target}': no solid region '{target}' in the case")
    power = _kept(case, "power_w", target, s.power_w)
    density = _kept(case, "power_density_w_m3", target, s.power_density_w_m3)
    case.solid(target, value, power_w=power, power_density_w_m3=density)


@register_axis("htc_w_m2k")
def _htc(case: Case, target: str | None, value: Any) -> None:
    """Heat-transfer coefficient of a convective patch (W/m²·K)."""
    assert target is not None
    b = _boundary(case, target, ("convective",), "htc_w_m2k")
    case.convective(
        target, htc_w_m2k=value, ambient_c=_kept(case, "temperature", target, b.values["ambient_c"])
    )


@register_axis("ambient_c")
def _ambient(case: Case, target: str | None, value: Any) -> None:
    """Ambient temperature of a convective patch (°C)."""
    assert target is not None
    b = _boundary(case, target, ("convective",), "ambient_c")
    case.convective(target, htc_w_m2k=b.values["htc_w_m2k"], ambient_c=value)


@register_axis("temperature_c", target="optional")
def _temperature(case: Case, target: str | None, value: Any) -> None:
    """Fixed temperature of a patch (°C); without a target, the coolant inlet temperature."""
    if target is None or (target in case.boundaries and case.boundaries[target].kind == "inlet"):
        _inlet_temperature(case, target, value)
        return
    _boundary(case, target, ("fixed_temperature",), "temperature_c")
    case.fixed_temperature(target, temperature_c=value)


@register_axis("flux_w_m2")
def _flux(case: Case, target: str | None, value: Any) -> None:
    """Heat flux into a heat-flux patch (W/m²)."""
    assert target is not None
    _boundary(case, target, ("heat_flux",), "flux_w_m2")
    case.heat_flux(target, flux_w_m2=value)


@register_axis("resistance_m2k_w")
def _resistance(case: Case, target: str | None, value: Any) -> None:
    """Contact resistance between two regions, ``resistance_m2k_w.<a>-<b>`` (m²·K/W)."""
    assert target is not None
    regions = set(case.mesh.regions)
    # region names may contain '-': try every split point
    for i, ch in enumerate(target):
        if ch == "-" and target[:i] in regions and target[i + 1 :] in regions:
            case.contact(target[:i], target[i + 1 :], resistance_m2k_w=value)
            return
    raise CaseError(
        f"axis 'resistance_m2k_w.{target}': name two regions as '<a>-<b>'; regions are {sorted(regions)}"
    )


# ----- coolant axes ------------------------------------------------------------------------------------
def _kept(case: Case, kind: str, target: str, value: Any) -> Any:
    """The time profile of ``(kind, target)`` when the case has one, else ``value``: an axis that
    sets one input of a call keeps the other inputs' profiles (a transient sweep over the
    material keeps the power trace)."""
    return case.profiles.get((kind, target), value)


def _inlet(case: Case, target: str | None, quantity: str) -> Any:
    inlets = [p for p, b in case.boundaries.items() if b.kind == "inlet"]
    if target is None:
        if len(inlets) != 1:
            raise CaseError(
                f"axis '{quantity}': the case has inlets {inlets}; name one as '{quantity}.<inlet>'"
            )
        target = inlets[0]
    return _boundary(case, target, ("inlet",), quantity)


@register_axis("flow_lpm", target="optional")
def _flow_lpm(case: Case, target: str | None, value: Any) -> None:
    """Coolant volume flow at an inlet, ``flow_lpm[.<inlet>]`` (L/min)."""
    b = _inlet(case, target, "flow_lpm")
    temperature = _kept(case, "temperature", b.patch, b.values.get("temperature_c"))
    case.inlet(b.patch, flow_lpm=value, temperature_c=temperature)


@register_axis("inlet_temperature_c", target="optional")
def _inlet_temperature(case: Case, target: str | None, value: Any) -> None:
    """Coolant inlet temperature, ``inlet_temperature_c[.<inlet>]`` (°C)."""
    b = _inlet(case, target, "inlet_temperature_c")
    rate = {
        k: _kept(case, k, b.patch, v)
        for k, v in b.values.items()
        if k in ("flow_lpm", "mass_flow_kg_s", "velocity_m_s")
    }
    case.inlet(b.patch, temperature_c=value, **rate)


@register_axis("coolant", target="optional")
def _coolant(case: Case, target: str | None, value: Any) -> None:
    """The coolant of a fluid region, ``coolant[.<region>]`` (a library name such as ``PG25``)."""
    regions = list(case.fluids)
    if target is None:
        if len(regions) != 1:
            raise CaseError(
                f"axis 'coolant': the case has fluid regions {regions}; name one as 'coolant.<region>'"
            )
        target = regions[0]
    if target not in case.fluids:
        raise CaseError(
            f"axis 'coolant.{target}': '{target}' is not a fluid region; fluid regions: {regions}"
        )
    # the region keeps its flow model, thermal wall function and wall treatment
    old = case.fluids[target]
    case.fluid(
        target,
        coolant=value,
        turbulence=old.turbulence,
        thermal_wall_function=old.thermal_wall_function,
        wall_treatment=old.wall_treatment,
    )
