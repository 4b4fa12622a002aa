"""Edges of a coolant network and the components they carry.

Each component is a typed, frozen dataclass that mirrors one variant of the core's
``network::spec::Component`` enum (``Pipe`` ↔ ``pipe``, ``Duct`` ↔ ``duct``, ...), holding its
parameters in the units of the :class:`~rackflow.network.Network` call that made it;
``to_core()`` gives the core's serde form (SI, kelvin). An :class:`Edge` joins two named nodes
through one component. Components are immutable and may be shared by many edges (a template
builds one ``Pipe`` for every server hose of a hall); changing an edge's parameters through
``edge.params[...] = ...`` gives that edge its own modified copy.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from rackflow import _core
from rackflow.coldplate_model import ColdPlateModel
from rackflow.errors import NetworkError
from rackflow.profile import Profile
from rackflow.radiator_model import RadiatorModel

LPM = 1.0 / 60_000.0  # m³/s per L/min
KELVIN = 273.15


def _finite(owner: str, **values: Any) -> None:
    for key, v in values.items():
        if v is None or isinstance(v, Profile):  # a Profile checked its own values
            continue
        try:
            ok = math.isfinite(float(v))
        except (TypeError, ValueError):
            raise NetworkError(f"{owner}: {key} must be a number, got {v!r}") from None
        if not ok:
            raise NetworkError(f"{owner}: {key} must be finite, got {v!r}")


def _curve(owner: str, key: str, points: Iterable[Sequence[float]]) -> tuple[list[float], list[float]]:
    """(flow_lpm, pressure_pa) pairs → (flows m³/s, pressures Pa)."""
    try:
        pts = [(float(q), float(p)) for q, p in points]
    except (TypeError, ValueError):
        raise NetworkError(f"{owner}: {key} must be a list of (flow_lpm, pressure_pa) pairs") from None
    for q, p in pts:
        _finite(owner, **{key: q}, pressure=p)
    return [q * LPM for q, _ in pts], [p for _, p in pts]


def _constant(value: float | Profile, owner: str, key: str) -> float:
    """The value of a constant input; a time-varying Profile is refused for a steady solve
    unless it is constant."""
    if isinstance(value, Profile):
        if not value.is_constant():
            raise NetworkError(
                f"{owner}: {key} is a time-varying Profile; a steady solve needs a number "
                "(use Network.simulate for time-varying inputs, or profile.at(t) for one time)"
            )
        return float(value.value[0])
    return float(value)


def contraction_k(
    area_ratio: float, reynolds_number: float | None = None, *, owner: str = "contraction"
) -> float:
    """Loss coefficient of a sharp-edged sudden contraction on the downstream (channel) velocity,
    σ = downstream / upstream area (I. E. Idelchik, *Handbook of Hydraulic Resistance*, 3rd ed.
    1994 / 4th ed. 2007). A total-pressure loss (the vena contracta and its re-expansion); the
    acceleration to the channel velocity is not a loss.

    * ``reynolds_number=None``: the turbulent value ``K = 0.5·(1 − σ)^0.75`` (diagram 4-9,
      Re > 10⁴; K → 0.5 for entry from a large plenum, 0 for σ → 1).
    * ``reynolds_number`` Re = V·D_h/ν of the channel: diagram 4-10 (10 < Re < 10⁴, σ = 0.1–0.6),
      interpolated linearly in ln Re and σ; K rises as Re falls (5 at Re = 10, about 0.5 at
      Re = 1000 against 0.40 turbulent for σ = 0.25). Extensions: K ∝ 1/Re below 10, a blend
      to the turbulent value over 10⁴–2·10⁴, the σ = 0.1 row below σ = 0.1 and the σ = 0.6 row
      scaled as the turbulent formula above 0.6. The table is the contraction's local loss; the
      channel's own friction, developing or developed, belongs to the channel's element
      (a channel characterised from a uniform inlet already holds its development).
    The table and its interpolation live in the core (``rackflow._core.sudden_contraction_k``),
    which the network solver evaluates at every flow."""
    _finite(owner, area_ratio=area_ratio, reynolds_number=reynolds_number)
    s = float(area_ratio)
    if not 0.0 <= s <= 1.0:
        raise NetworkError(f"{owner}: area_ratio must be in [0, 1], got {area_ratio!r}")
    if reynolds_number is None:
        return _core.sudden_contraction_k(s)
    if not float(reynolds_number) > 0.0:
        raise NetworkError(f"{owner}: reynolds_number must be > 0, got {reynolds_number!r}")
    return _core.sudden_contraction_k(s, float(reynolds_number))


def expansion_k(area_ratio: float, momentum_coefficient: float = 1.0, *, owner: str = "expansion") -> float:
    """Loss coefficient of a sudden expansion on the upstream (channel) velocity, from the
    momentum balance of the mixing region (Borda–Carnot): ``K = β·(1 − 2σ) + σ²`` with
    σ = upstream / downstream area and β = ⟨u²⟩/ū² the momentum coefficient of the entering
    profile; β = 1 gives the classical ``(1 − σ)²``. The loss is of area-weighted total
    pressure ``p + ρ⟨u²⟩/2`` upstream (as ``Result.pressure_drop_pa`` measures it) to
    ``p + ρū²/2`` of the mixed flow downstream."""
    _finite(owner, area_ratio=area_ratio, momentum_coefficient=momentum_coefficient)
    s, beta = float(area_ratio), float(momentum_coefficient)
    if not 0.0 <= s <= 1.0:
        raise NetworkError(f"{owner}: area_ratio must be in [0, 1], got {area_ratio!r}")
    if not 1.0 <= beta <= 3.0:
        raise NetworkError(f"{owner}: momentum_coefficient must be in [1, 3], got {momentum_coefficient!r}")
    return beta * (1.0 - 2.0 * s) + s * s


def default_cold_plate_model() -> ColdPlateModel:
    """An illustrative GPU cold plate (not a product): ΔP ≈ 8 kPa and R ≈ 0.035 K/W at 1 L/min."""
    q = np.array([0.4, 0.7, 1.0, 1.5, 2.0, 3.0])
    return ColdPlateModel.from_points(
        flow_lpm=q,
        pressure_drop_pa=4000.0 * q + 4000.0 * q**2,
        thermal_resistance_k_w=0.020 + 0.015 * q**-0.7,
        coolant="PG25",
        temperature_c=35.0,
        name="generic-gpu-plate",
    )


# ---------------------------------------------------------------------- components
@dataclass(frozen=True, slots=True)
class Pipe:
    """Pipe or hose: Darcy–Weisbach, Colebrook, laminar 64/Re (core ``pipe``)."""

    kind: ClassVar[str] = "pipe"
    diameter_m: float
    length_m: float
    roughness_m: float = 1.5e-6
    #: Elevation change b − a [m]; ``None``: from the node elevations.
    elevation_m: float | None = None

    def to_core(self) -> dict[str, Any]:
        c: dict[str, Any] = {
            "type": "pipe",
            "diameter_m": self.diameter_m,
            "length_m": self.length_m,
            "roughness_m": self.roughness_m,
        }
        if self.elevation_m is not None:
            c["elevation_m"] = self.elevation_m
        return c


@dataclass(frozen=True, slots=True)
class Duct:
    """Rectangular duct: hydraulic diameter, the rectangle's laminar f·Re (core ``duct``)."""

    kind: ClassVar[str] = "duct"
    width_m: float
    height_m: float
    length_m: float
    roughness_m: float = 1.5e-6
    elevation_m: float | None = None
    #: Flow joining along the segment at right angles [L/min].
    side_inflow_lpm: float = 0.0

    def to_core(self) -> dict[str, Any]:
        c: dict[str, Any] = {
            "type": "duct",
            "width_m": self.width_m,
            "height_m": self.height_m,
            "length_m": self.length_m,
            "roughness_m": self.roughness_m,
            "side_inflow_m3_s": self.side_inflow_lpm * LPM,
        }
        if self.elevation_m is not None:
            c["elevation_m"] = self.elevation_m
        return c


@dataclass(frozen=True, slots=True)
class Loss:
    """Fitting, valve, quick disconnect, contraction or expansion (core ``loss``): ``k`` on
    ``diameter_m``, a ΔP table, or a sudden contraction whose K follows the Reynolds number."""

    kind: ClassVar[str] = "loss"
    k: float | None = None
    diameter_m: float | None = None
    #: (flows m³/s, pressure drops Pa).
    table: tuple[list[float], list[float]] | None = None
    #: ``"contraction"`` or ``"expansion"`` when made by those methods.
    fitting: str | None = None
    area_m2: float | None = None
    area_ratio: float | None = None
    hydraulic_diameter_m: float | None = None
    momentum_coefficient: float | None = None

    def to_core(self) -> dict[str, Any]:
        if self.table is not None:
            q, dp = self.table
            return {"type": "loss", "table": {"flow_m3_s": list(q), "pressure_drop_pa": list(dp)}}
        if self.hydraulic_diameter_m is not None:  # a contraction with K(Re)
            contraction = {"area_ratio": self.area_ratio, "hydraulic_diameter_m": self.hydraulic_diameter_m}
            return {"type": "loss", "diameter_m": self.diameter_m, "sudden_contraction": contraction}
        return {"type": "loss", "k": self.k, "diameter_m": self.diameter_m}


@dataclass(frozen=True, slots=True)
class ColdPlate:
    """Cold plate: its characteristic and the heat of the GPU it cools (core ``cold_plate``)."""

    kind: ClassVar[str] = "cold_plate"
    model: ColdPlateModel | None
    power_w: float | Profile
    #: Lumped heat capacity of GPU package and plate [J/K] for transients; ``None``: the
    #: model's thermal ladders by flow or its ladder if it has them, else its
    #: ``heat_capacity_j_k``, else 308 J/K (0.8 kg of copper); 0: the GPU follows its load at once.
    heat_capacity_j_k: float | None = None

    def to_core(
        self, model_core: dict[str, Any] | None = None, *, owner: str = "cold_plate"
    ) -> dict[str, Any]:
        core = (
            model_core if model_core is not None else (None if self.model is None else self.model.to_core())
        )
        c = {"type": "cold_plate", "power_w": _constant(self.power_w, owner, "power_w"), "model": core}
        capacity = self.heat_capacity_j_k
        ladder = None if self.model is None else getattr(self.model, "ladder", None)
        ladders = {} if self.model is None else getattr(self.model, "ladders", {})
        if capacity is None and ladders:
            # ladders characterised at several flows: the core takes the one at the plate's flow
            c["ladders"] = [{**lad.to_core(), "flow_m3_s": q / 60000.0} for q, lad in ladders.items()]
            return c
        if capacity is None and ladder is not None:
            # the model's thermal ladder (from a 3D step response) unless the plate sets a capacity
            c["ladder"] = ladder.to_core()
            return c
        if capacity is None and self.model is not None:
            capacity = getattr(self.model, "heat_capacity_j_k", None)
        if capacity is not None:
            c["heat_capacity_j_k"] = float(capacity)
        return c


@dataclass(frozen=True, slots=True)
class Pump:
    """Pump with a falling pressure-rise curve (core ``pump``)."""

    kind: ClassVar[str] = "pump"
    #: Curve flows [m³/s].
    flow_m3_s: list[float]
    #: Curve pressure rises [Pa].
    pressure_rise_pa: list[float]

    def to_core(self) -> dict[str, Any]:
        return {
            "type": "pump",
            "flow_m3_s": list(self.flow_m3_s),
            "pressure_rise_pa": list(self.pressure_rise_pa),
        }


@dataclass(frozen=True, slots=True)
class FlowSource:
    """Fixed volume flow: a positive-displacement or flow-controlled pump (core ``flow_source``)."""

    kind: ClassVar[str] = "flow_source"
    flow_lpm: float | Profile

    def to_core(self, *, owner: str = "flow_source") -> dict[str, Any]:
        return {"type": "flow_source", "flow_m3_s": _constant(self.flow_lpm, owner, "flow_lpm") * LPM}


@dataclass(frozen=True, slots=True)
class Cdu:
    """Coolant distribution unit, a heat exchanger to the facility loop (core ``cdu``)."""

    kind: ClassVar[str] = "cdu"
    #: Secondary supply (outlet) set-point [°C] of a controlled CDU.
    setpoint_c: float | Profile | None = None
    supply_c: float | Profile | None = None
    approach_k: float | None = None
    ua_w_k: float | None = None
    facility_flow_lpm: float | None = None
    #: Name of the edge that is this exchanger's facility side.
    facility_edge: str | None = None
    #: Secondary-side (flows m³/s, pressure drops Pa).
    pressure_drop: tuple[list[float], list[float]] | None = None
    #: How the outlet follows its set-point in :meth:`Network.simulate`: ``None``/``"ideal"``
    #: (at once), ``"lag"`` (first order, ``time_constant_s``), ``"pi"`` (``kp_w_k``,
    #: ``ki_w_k_s`` on the heat removed, ``heat_capacity_j_k`` of the exchanger).
    control: str | None = None
    time_constant_s: float | None = None
    kp_w_k: float | None = None
    ki_w_k_s: float | None = None
    heat_capacity_j_k: float | None = None

    def core_control(self) -> dict[str, Any] | None:
        """The core's ``control`` entry."""
        if self.control is None:
            return None
        if self.control == "ideal":
            return {"type": "ideal"}
        if self.control == "lag":
            return {"type": "lag", "time_constant_s": self.time_constant_s}
        return {
            "type": "pi",
            "kp_w_k": self.kp_w_k,
            "ki_w_k_s": self.ki_w_k_s,
            "heat_capacity_j_k": self.heat_capacity_j_k,
        }

    def to_core(self, *, owner: str = "cdu") -> dict[str, Any]:
        c: dict[str, Any] = {"type": "cdu"}
        if self.setpoint_c is not None:
            c["setpoint_k"] = _constant(self.setpoint_c, owner, "setpoint_c") + KELVIN
        if self.control is not None:
            c["control"] = self.core_control()
        if self.supply_c is not None:
            c["supply_k"] = _constant(self.supply_c, owner, "supply_c") + KELVIN
        if self.approach_k is not None:
            c["approach_k"] = self.approach_k
        if self.ua_w_k is not None:
            c["ua_w_k"] = self.ua_w_k
        if self.facility_edge is not None:
            c["facility_edge"] = self.facility_edge
        if self.facility_flow_lpm is not None:
            c["facility_flow_m3_s"] = self.facility_flow_lpm * LPM
        if self.pressure_drop is not None:
            q, dp = self.pressure_drop
            c["pressure_drop"] = {"flow_m3_s": list(q), "pressure_drop_pa": list(dp)}
        return c


@dataclass(frozen=True, slots=True)
class Radiator:
    """Radiator panel: a :class:`~rackflow.radiator_model.RadiatorModel` rejecting the coolant's
    heat to its environment (``absorbed_flux_w_m2``, ``sink_c``: the model's when ``None``).

    In a steady solve the core sees a set-point exchanger whose outlet temperature
    :meth:`~rackflow.network.Network.solve` moves (Newton) until it is the model's outlet at
    the panel's flow and inlet; in :meth:`~rackflow.network.Network.simulate` the core's time
    loop runs the panel itself (:meth:`to_transient`): its heat capacity, well mixed at its
    inlet, feeding the quasi-steady panel in the environment of the moment."""

    kind: ClassVar[str] = "radiator"
    model: RadiatorModel
    absorbed_flux_w_m2: float | Profile | None = None
    sink_c: float | None = None
    heat_capacity_j_k: float | None = None

    def environment(self) -> dict[str, float | None]:
        """The environment arguments of the model's calls (a Profile must be constant here:
        steady solves read a time-varying one at a given time through ``_at_time``)."""
        q = self.absorbed_flux_w_m2
        if isinstance(q, Profile):
            q = _constant(q, "radiator", "absorbed_flux_w_m2")
        return {"absorbed_flux_w_m2": q, "sink_c": self.sink_c}

    def to_transient(self, edge: int) -> dict[str, Any]:
        """The core's time-loop form of this panel on edge index ``edge``: the model's table,
        its environment (the absorbed flux against time), its heat capacity and the model
        coolant's ρ·c_p (SI, kelvin)."""
        m = self.model
        q = m.absorbed_flux_w_m2 if self.absorbed_flux_w_m2 is None else self.absorbed_flux_w_m2
        if isinstance(q, Profile):
            flux = {
                "time_s": q.time_s.tolist(),
                "value": q.value.tolist(),
                "interpolation": q.interpolation,
            }
        else:
            flux = {"time_s": [0.0], "value": [float(q)], "interpolation": "linear"}
        cap = self.heat_capacity_j_k if self.heat_capacity_j_k is not None else m.heat_capacity_j_k
        lo, hi = m.coolant.valid_range_c
        temps = np.linspace(max(lo, -60.0), min(hi, 160.0), 111)
        props = m.coolant.properties(temps)
        return {
            "edge": int(edge),
            "flow_m3_s": (m.flow_lpm * LPM).tolist(),
            "inlet_k": (m.inlet_c + KELVIN).tolist(),
            "effective_area_m2": m.effective_area_m2.ravel().tolist(),
            "emissivity": m.emissivity,
            "sink_k": (m.sink_c if self.sink_c is None else self.sink_c) + KELVIN,
            "absorbed_flux_w_m2": flux,
            "heat_capacity_j_k": 0.0 if cap is None else float(cap),
            "rho_cp_temperature_k": (temps + KELVIN).tolist(),
            "rho_cp_j_m3_k": (
                np.asarray(props["density_kg_m3"]) * np.asarray(props["specific_heat_j_kgk"])
            ).tolist(),
        }

    def outlet(self, mass_flow_kg_s: float, inlet_c: float, coolant: Any) -> tuple[float, float]:
        """The outlet temperature (°C) at which this flow of the network's ``coolant`` gives up
        the model's heat at this inlet (``ṁ ∫ c_p dT`` over the outlet-to-inlet range), and its
        slope ``dT_out/dT_in``."""
        env = self.environment()

        def target(t_in: float) -> float:
            flow_lpm = mass_flow_kg_s / float(coolant.properties(t_in)["density_kg_m3"]) / LPM
            q = self.model.heat_rejected_w(flow_lpm, t_in, **env)
            t_out = t_in
            for _ in range(50):
                # the mean c_p over [T_out, T_in] by Simpson's rule (the core integrates its table)
                cp = float(
                    np.dot(
                        coolant.properties([t_in, 0.5 * (t_in + t_out), t_out])["specific_heat_j_kgk"],
                        [1 / 6, 4 / 6, 1 / 6],
                    )
                )
                new = t_in - q / (mass_flow_kg_s * cp)
                if abs(new - t_out) < 1e-12 * (1.0 + abs(new)):
                    break
                t_out = new
            return new

        dt = 0.05
        return target(inlet_c), (target(inlet_c + dt) - target(inlet_c - dt)) / (2 * dt)

    def to_core(self, state: tuple[float, float] | None = None) -> dict[str, Any]:
        """The core's ``cdu`` holding the outlet at ``state = (outlet_c, inlet_c)`` (the inlet
        temperature sets the pressure-drop curve's coolant properties)."""
        # no operating point: a component no edge carries any more (the core checks it all the same)
        outlet_c, inlet_c = state if state is not None else (float(self.model.inlet_c[0]),) * 2
        flows = np.linspace(0.0, 4.0 * float(self.model.flow_lpm[-1]), 33)
        dp = np.asarray(self.model.pressure_drop_pa(flows, inlet_c), dtype=float)
        return {
            "type": "cdu",
            "setpoint_k": outlet_c + KELVIN,
            "pressure_drop": {"flow_m3_s": (flows * LPM).tolist(), "pressure_drop_pa": dp.tolist()},
        }


Component = Pipe | Duct | Loss | ColdPlate | Pump | FlowSource | Cdu | Radiator
#: The component classes by their core tag.
COMPONENTS: dict[str, type] = {
    c.kind: c for c in (Pipe, Duct, Loss, ColdPlate, Pump, FlowSource, Cdu, Radiator)
}


class _Params(MutableMapping[str, Any]):
    """The component's parameters as a mapping; assigning one gives the edge its own copy."""

    __slots__ = ("_edge",)

    def __init__(self, edge: Edge) -> None:
        self._edge = edge

    def __getitem__(self, key: str) -> Any:
        if key not in self._names():
            raise KeyError(key)
        return getattr(self._edge.component, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self._names():
            raise NetworkError(
                f"{self._edge.kind} {self._edge.name!r}: no parameter {key!r}; parameters: {sorted(self._names())}"
            )
        self._edge.component = dataclasses.replace(self._edge.component, **{key: value})

    def __delitem__(self, key: str) -> None:
        raise NetworkError(f"{self._edge.kind} {self._edge.name!r}: parameters cannot be removed")

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def _names(self) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(self._edge.component))

    def __repr__(self) -> str:
        return repr(dict(self))


class Edge:
    """One edge of a network: ``component`` between nodes ``a`` and ``b`` (positive flow a → b)."""

    __slots__ = ("_component", "_index", "_net", "a", "b", "name")

    def __init__(self, name: str, a: str, b: str, component: Component) -> None:
        self.name = name
        self.a = a
        self.b = b
        self._component = component
        self._net: Any = None  # the Network holding this edge, told when the component changes
        self._index = -1

    @property
    def component(self) -> Component:
        """The typed component this edge carries (immutable; assign a new one to change it)."""
        return self._component

    @component.setter
    def component(self, value: Component) -> None:
        if type(value) not in _COMPONENT_TYPES:
            raise NetworkError(
                f"edge {self.name!r}: component must be one of {sorted(COMPONENTS)}, got {value!r}"
            )
        self._component = value
        if self._net is not None:
            self._net._component_changed(self._index, value)

    @property
    def kind(self) -> str:
        """The component's core tag (``"pipe"``, ``"loss"``, ``"cold_plate"``, ...)."""
        return self._component.kind

    @property
    def params(self) -> _Params:
        """The component's parameters (in the units of the call that made it), assignable."""
        return _Params(self)

    def __repr__(self) -> str:
        return f"Edge({self.kind} {self.name!r}: {self.a} -> {self.b})"


_COMPONENT_TYPES = frozenset(COMPONENTS.values())


__all__ = [
    "COMPONENTS",
    "Cdu",
    "ColdPlate",
    "Component",
    "Duct",
    "Edge",
    "FlowSource",
    "Loss",
    "Pipe",
    "Pump",
    "contraction_k",
    "default_cold_plate_model",
    "expansion_k",
]
