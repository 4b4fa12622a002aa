"""The :class:`Network` builder: nodes, the edge methods, the steady solve.

A :class:`Network` records components between named nodes (each call returns the
:class:`~rackflow.network.edges.Edge`); the Rust core (``rackflow._core.solve_network``) solves
hydraulics by Newton on node pressures and temperatures by an enthalpy pass, with coolant
properties at the local temperature.

Units at this edge: flows in L/min, temperatures in °C, pressures in Pa, lengths in m.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import inspect
import json
import math
import time
import warnings
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rackflow import _core
from rackflow.coldplate_model import ColdPlateModel
from rackflow.coolants import Coolant, get_coolant
from rackflow.errors import CaseError, ConvergenceError, NetworkError, RackflowWarning
from rackflow.network import casefile, line_mesh, templates, transient
from rackflow.network.edges import (
    LPM,
    Cdu,
    ColdPlate,
    Component,
    Duct,
    Edge,
    FlowSource,
    Loss,
    Pipe,
    Pump,
    Radiator,
    _curve,
    _finite,
    contraction_k,
    expansion_k,
)
from rackflow.network.result import NetworkResult
from rackflow.network.transient import NetworkTransientResult
from rackflow.profile import Profile
from rackflow.radiator_model import RadiatorModel


class Network:
    """A coolant network; nodes are named by strings, every edge method returns the edge."""

    def __init__(self, coolant: str | Coolant = "PG25", *, name: str = "network") -> None:
        #: Radiator linearisations (ua_w_k, sink_k, inlet_c) by component id, set by solve.
        self._radiator_state: dict[int, tuple[float, float, float]] = {}
        self.coolant = get_coolant(coolant)
        self.name = name
        self.edges: list[Edge] = []
        self._by_name: dict[str, Edge] = {}
        # The columnar form the core reads, kept as the network grows so that a solve of a
        # hall of 760,000 edges does not walk the edge objects again.
        self._node_index: dict[str, int] = {}
        # (typed arrays: NumPy reads them without converting element by element)
        self._node_names: list[str] = []
        self._elevation = array("d")
        self._declared: dict[int, None] = {}  # nodes given data by node(), in order
        self._fixed_pressure: dict[int, float] = {}
        self._edge_from = array("q")
        self._edge_to = array("q")
        self._edge_component = array("q")
        self._components: list[Component] = []
        self._component_index: dict[int, int] = {}  # id(component) -> position in _components
        #: Optional 3D node positions [m] for rendering (templates fill them).
        self.positions: dict[str, tuple[float, float, float]] = {}
        #: What a template chose (header diameters, design flows, loop head), for reports.
        self.design: dict[str, Any] = {}

    # ---------------------------------------------------------------- building
    @property
    def nodes(self) -> Mapping[str, dict[str, Any]]:
        """The nodes given data by :meth:`node`: name → ``{"elevation_m", "pressure_pa"}``."""
        return _NodeData(self)

    def _node(self, name: str) -> int:
        i = self._node_index.get(name)
        if i is None:
            i = self._node_index[name] = len(self._node_names)
            self._node_names.append(name)
            self._elevation.append(0.0)
        return i

    def node(
        self,
        name: str,
        *,
        elevation_m: float = 0.0,
        pressure_pa: float | None = None,
        position_m: tuple[float, float, float] | None = None,
    ) -> str:
        """Declares node data: elevation, a fixed pressure (expansion tank), a drawing position."""
        _finite(f"node {name!r}", elevation_m=elevation_m, pressure_pa=pressure_pa)
        if not isinstance(name, str):
            raise NetworkError(f"node names must be strings, got {name!r}")
        i = self._node(name)
        self._elevation[i] = float(elevation_m)
        self._declared[i] = None
        if pressure_pa is None:
            self._fixed_pressure.pop(i, None)
        else:
            self._fixed_pressure[i] = float(pressure_pa)
        if position_m is not None:
            self.positions[name] = tuple(float(v) for v in position_m)  # type: ignore[assignment]
        return name

    def _component_id(self, component: Component) -> int:
        c = self._component_index.get(id(component))
        if c is None:
            c = self._component_index[id(component)] = len(self._components)
            self._components.append(component)  # kept alive, so its id stays its own
        return c

    def _component_changed(self, index: int, component: Component) -> None:
        self._edge_component[index] = self._component_id(component)

    def _drop_unused_components(self) -> None:
        """Forgets components no edge carries any more (replaced through ``edge.component`` or
        :meth:`set_power`), so that the core neither receives nor checks them: a replaced
        power Profile would otherwise still refuse a steady solve, naming no edge."""
        carried = np.frombuffer(self._edge_component, dtype=np.int64)
        used = np.bincount(carried, minlength=len(self._components)) > 0
        if used.all():
            return
        keep = np.flatnonzero(used)
        position = np.full(len(self._components), -1, dtype=np.int64)
        position[keep] = np.arange(keep.size)
        self._components = [self._components[i] for i in keep.tolist()]
        self._component_index = {id(c): i for i, c in enumerate(self._components)}
        self._edge_component = array("q", position[carried].tobytes())

    def connect(self, a: str, b: str, component: Component, *, name: str | None = None) -> Edge:
        """Adds an edge carrying ``component`` (a typed component of
        :mod:`rackflow.network.edges`, checked by the core at solve time) from ``a`` to ``b``.
        Components are immutable, so one may be shared by many edges."""
        kind = component.kind
        if not isinstance(a, str) or not isinstance(b, str):
            raise NetworkError(f"{kind}: node names must be strings, got {a!r}, {b!r}")
        name = name or f"{kind}{len(self.edges)}"
        if name in self._by_name:
            raise NetworkError(f"edge name {name!r} is used twice")
        edge = Edge(name, a, b, component)
        edge._net = self
        edge._index = len(self.edges)
        self.edges.append(edge)
        self._by_name[name] = edge
        self._edge_from.append(self._node(a))
        self._edge_to.append(self._node(b))
        self._edge_component.append(self._component_id(component))
        return edge

    def pipe(
        self,
        a: str,
        b: str,
        *,
        diameter_m: float,
        length_m: float,
        roughness_m: float = 1.5e-6,
        elevation_m: float | None = None,
        name: str | None = None,
    ) -> Edge:
        """Pipe or hose (Darcy-Weisbach, Colebrook; elevation change b - a, default from nodes)."""
        _finite(
            f"pipe {name!r}",
            diameter_m=diameter_m,
            length_m=length_m,
            roughness_m=roughness_m,
            elevation_m=elevation_m,
        )
        return self.connect(a, b, Pipe(diameter_m, length_m, roughness_m, elevation_m), name=name)

    def duct(
        self,
        a: str,
        b: str,
        *,
        width_m: float,
        height_m: float,
        length_m: float,
        roughness_m: float = 1.5e-6,
        elevation_m: float | None = None,
        side_inflow_lpm: float = 0.0,
        name: str | None = None,
    ) -> Edge:
        """Rectangular duct (a square or flat manifold, a channel): Darcy-Weisbach on the hydraulic
        diameter, the rectangle's laminar f·Re (Shah & London), Colebrook turbulent.

        ``side_inflow_lpm``: flow that joins along this segment at right angles (a header fed
        through its side, a plenum behind a uniform inlet; add that flow at the nodes too). It
        adds the combining-flow momentum loss ``ρ·q_side·Q/A²`` (Bajura & Jones 1976), which sums
        to ``ρV²/2`` of the arriving flow along a header."""
        _finite(
            f"duct {name!r}",
            width_m=width_m,
            height_m=height_m,
            length_m=length_m,
            roughness_m=roughness_m,
            elevation_m=elevation_m,
            side_inflow_lpm=side_inflow_lpm,
        )
        duct = Duct(width_m, height_m, length_m, roughness_m, elevation_m, side_inflow_lpm)
        return self.connect(a, b, duct, name=name)

    def loss(
        self,
        a: str,
        b: str,
        *,
        k: float | None = None,
        diameter_m: float | None = None,
        table: Iterable[Sequence[float]] | None = None,
        name: str | None = None,
    ) -> Edge:
        """Fitting, valve or quick disconnect.

        Either ``k`` on ``diameter_m`` (ΔP = k·rho·v²/2) or ``table`` of (flow_lpm, ΔP Pa) pairs.
        """
        owner = f"loss {name!r}"
        _finite(owner, k=k, diameter_m=diameter_m)
        curve = None if table is None else _curve(owner, "table", table)
        return self.connect(a, b, Loss(k=k, diameter_m=diameter_m, table=curve), name=name)

    def contraction(
        self,
        a: str,
        b: str,
        *,
        area_m2: float,
        area_ratio: float,
        hydraulic_diameter_m: float | None = None,
        name: str | None = None,
    ) -> Edge:
        """Sharp-edged sudden contraction from a plenum or wider duct ``a`` into a channel ``b``.

        ``area_m2`` is the channel's flow area, ``area_ratio`` σ = channel area / upstream area
        (for a bank of channels on a header: all channels' area over the header section). A
        :meth:`loss` on the channel velocity (for flow a → b) with ``K = contraction_k(σ)``, the
        turbulent value; given the channel's ``hydraulic_diameter_m``, K follows the channel
        Reynolds number at the solved flow and local coolant properties
        (``contraction_k(σ, Re)``, Idelchik's laminar and transition data below Re = 10⁴):
        use it for microchannels and other laminar entries, where the turbulent K is too low.
        """
        owner = f"contraction {name!r}"
        k = contraction_k(area_ratio, owner=owner)
        dh = None
        if hydraulic_diameter_m is not None:
            _finite(owner, hydraulic_diameter_m=hydraulic_diameter_m)
            if not hydraulic_diameter_m > 0:
                raise NetworkError(f"{owner}: hydraulic_diameter_m must be > 0, got {hydraulic_diameter_m!r}")
            dh = float(hydraulic_diameter_m)
        return self._fitting(
            "contraction", a, b, name, k, area_m2, {"area_ratio": area_ratio, "hydraulic_diameter_m": dh}
        )

    def expansion(
        self,
        a: str,
        b: str,
        *,
        area_m2: float,
        area_ratio: float,
        momentum_coefficient: float = 1.0,
        name: str | None = None,
    ) -> Edge:
        """Sudden expansion from a channel ``a`` (flow area ``area_m2``) into a plenum or wider
        duct ``b``; σ = channel area / downstream area, ``momentum_coefficient`` β = ⟨u²⟩/ū² of
        the profile leaving the channel (1 uniform, 4/3 developed pipe flow; measure it on a
        characterisation solve with ``Result.momentum_coefficient``). A :meth:`loss` with
        ``K = expansion_k(σ, β)`` on the channel velocity (for flow a → b)."""
        owner = f"expansion {name!r}"
        k = expansion_k(area_ratio, momentum_coefficient, owner=owner)
        extra = {"area_ratio": area_ratio, "momentum_coefficient": momentum_coefficient}
        return self._fitting("expansion", a, b, name, k, area_m2, extra)

    def _fitting(
        self, kind: str, a: str, b: str, name: str | None, k: float, area_m2: float, extra: dict[str, Any]
    ) -> Edge:
        owner = f"{kind} {name!r}"
        _finite(owner, area_m2=area_m2)
        if not area_m2 > 0:
            raise NetworkError(f"{owner}: area_m2 must be > 0, got {area_m2!r}")
        if not k > 0:
            raise NetworkError(f"{owner}: no loss (K = {k:.3g}) at this area ratio; leave the fitting out")
        d = math.sqrt(4.0 * float(area_m2) / math.pi)  # the loss element's velocity is Q / area
        loss = Loss(k=k, diameter_m=d, fitting=kind, area_m2=float(area_m2), **extra)
        return self.connect(a, b, loss, name=name or f"{kind}{len(self.edges)}")

    def cold_plate(
        self,
        a: str,
        b: str,
        *,
        model: ColdPlateModel | None = None,
        power_w: float | Profile,
        heat_capacity_j_k: float | None = None,
        name: str | None = None,
    ) -> Edge:
        """Cold plate with its characteristic and the heat load of the GPU it cools
        (``power_w`` in W, or a :class:`~rackflow.Profile` of W for :meth:`simulate`).

        ``heat_capacity_j_k``: lumped heat capacity of GPU package and plate for
        :meth:`simulate`; default the model's thermal ladders by flow (``model.ladders``: the one
        at the plate's current flow) or its ladder (``model.ladder``), fitted to 3D step responses, if it
        has them, else the model's ``heat_capacity_j_k``, else 308 J/K
        (0.8 kg of copper); 0 makes the GPU follow its load without lag."""
        owner = f"cold_plate {name!r}"
        _finite(owner, power_w=power_w, heat_capacity_j_k=heat_capacity_j_k)
        if model is not None and not isinstance(model, ColdPlateModel):
            raise NetworkError(f"{owner}: model must be a ColdPlateModel, got {type(model).__name__}")
        if heat_capacity_j_k is not None and heat_capacity_j_k < 0:
            raise NetworkError(f"{owner}: heat_capacity_j_k must be ≥ 0, got {heat_capacity_j_k!r}")
        return self.connect(a, b, ColdPlate(model, power_w, heat_capacity_j_k), name=name)

    def radiator(
        self,
        a: str,
        b: str,
        *,
        model: RadiatorModel,
        absorbed_flux_w_m2: float | Profile | None = None,
        sink_c: float | None = None,
        heat_capacity_j_k: float | None = None,
        name: str | None = None,
    ) -> Edge:
        """Radiator panel from ``a`` to ``b`` with its characteristic (``model``, a
        :class:`~rackflow.RadiatorModel`): it rejects ``model.heat_rejected_w(flow, inlet)`` and
        drops ``model.pressure_drop_pa(flow, inlet)``, the flow being the volume flow at its inlet
        temperature (the result tables give volume flows at the outlet). ``absorbed_flux_w_m2`` (W/m² over the
        panel's radiating area) and ``sink_c`` change its environment from the characterised one.

        Radiators take the place of CDUs as the loop's heat sink; a loop may hold both.

        In :meth:`simulate` the absorbed flux may be a :class:`~rackflow.Profile` (an orbit:
        ``rf.orbit.OrbitProfile.to_profile``), and the panel holds ``heat_capacity_j_k`` (J/K of
        panel metal and the coolant in it; default the model's, which
        :func:`~rackflow.characterise_radiator` records, else 0: quasi-steady), well mixed at
        its inlet and feeding the quasi-steady panel. :meth:`solve` needs a constant flux (a
        Profile is read at its time 0 only for the steady start of :meth:`simulate`)."""
        owner = f"radiator {name!r}"
        if not isinstance(model, RadiatorModel):
            raise NetworkError(f"{owner}: model must be a RadiatorModel, got {type(model).__name__}")
        _finite(
            owner, absorbed_flux_w_m2=absorbed_flux_w_m2, sink_c=sink_c, heat_capacity_j_k=heat_capacity_j_k
        )
        if isinstance(absorbed_flux_w_m2, Profile):
            if np.any(absorbed_flux_w_m2.value < 0):
                raise NetworkError(f"{owner}: absorbed_flux_w_m2 must be >= 0 at every time")
        elif absorbed_flux_w_m2 is not None and absorbed_flux_w_m2 < 0:
            raise NetworkError(f"{owner}: absorbed_flux_w_m2 must be >= 0, got {absorbed_flux_w_m2!r}")
        if heat_capacity_j_k is not None and heat_capacity_j_k < 0:
            raise NetworkError(f"{owner}: heat_capacity_j_k must be >= 0, got {heat_capacity_j_k!r}")
        if sink_c is not None and not sink_c > -273.15:
            raise NetworkError(f"{owner}: sink_c must be above absolute zero (-273.15 °C), got {sink_c!r}")
        # one component per edge: each panel is linearised at its own flow and inlet
        return self.connect(a, b, Radiator(model, absorbed_flux_w_m2, sink_c, heat_capacity_j_k), name=name)

    def pump(
        self, a: str, b: str, *, curve_lpm_pa: Iterable[Sequence[float]], name: str | None = None
    ) -> Edge:
        """Pump from ``a`` to ``b`` with a falling curve of (flow_lpm, pressure rise Pa)."""
        q, p = _curve(f"pump {name!r}", "curve_lpm_pa", curve_lpm_pa)
        return self.connect(a, b, Pump(q, p), name=name)

    def flow_source(self, a: str, b: str, *, flow_lpm: float | Profile, name: str | None = None) -> Edge:
        """Fixed volume flow from ``a`` to ``b`` (L/min, or a :class:`~rackflow.Profile` of L/min
        for :meth:`simulate`: a flow-controlled pump)."""
        _finite(f"flow_source {name!r}", flow_lpm=flow_lpm)
        return self.connect(a, b, FlowSource(flow_lpm), name=name)

    def cdu(
        self,
        a: str,
        b: str,
        *,
        setpoint_c: float | Profile | None = None,
        supply_c: float | Profile | None = None,
        approach_k: float | None = None,
        ua_w_k: float | None = None,
        facility_flow_lpm: float | None = None,
        facility_edge: Edge | str | None = None,
        pressure_drop: Iterable[Sequence[float]] | None = None,
        control: str | None = None,
        time_constant_s: float | None = None,
        kp_w_k: float | None = None,
        ki_w_k_s: float | None = None,
        heat_capacity_j_k: float | None = None,
        name: str | None = None,
    ) -> Edge:
        """CDU (coolant distribution unit), a heat exchanger from this loop to the facility.

        Thermal models:

        * ``setpoint_c``: a controlled CDU; its outlet (the secondary supply) is held at the
          set-point and the heat goes into ``facility_edge`` when given. With ``ua_w_k`` the
          heat is limited to what a counterflow exchanger of that UA gives with its facility
          side fully open (a three-way valve on a constant primary flow); a CDU that cannot
          hold its set-point warns.
        * ``supply_c`` + ``approach_k``: outlet = supply + approach.
        * ``ua_w_k`` alone: counterflow ε-NTU against ``facility_flow_lpm`` at ``supply_c``, or
          against ``facility_edge``.

        In :meth:`simulate`, a set-point CDU follows its set-point (which may be a
        :class:`~rackflow.Profile`) by ``control``: ``"ideal"`` (default: at once), ``"lag"``
        (first order, ``time_constant_s``) or ``"pi"`` (a PI controller on the heat removed,
        ``kp_w_k`` W/K and ``ki_w_k_s`` W/(K·s), from an exchanger volume of
        ``heat_capacity_j_k``).
        """
        owner = f"cdu {name!r}"
        _finite(
            owner,
            setpoint_c=setpoint_c,
            supply_c=supply_c,
            approach_k=approach_k,
            ua_w_k=ua_w_k,
            facility_flow_lpm=facility_flow_lpm,
            time_constant_s=time_constant_s,
            kp_w_k=kp_w_k,
            ki_w_k_s=ki_w_k_s,
            heat_capacity_j_k=heat_capacity_j_k,
        )
        controls: dict[str | None, tuple[str, ...]] = {
            None: (),
            "ideal": (),
            "lag": ("time_constant_s",),
            "pi": ("kp_w_k", "ki_w_k_s", "heat_capacity_j_k"),
        }
        if control not in controls:
            raise NetworkError(f"{owner}: control must be one of ['ideal', 'lag', 'pi'], got {control!r}")
        given = {
            "time_constant_s": time_constant_s,
            "kp_w_k": kp_w_k,
            "ki_w_k_s": ki_w_k_s,
            "heat_capacity_j_k": heat_capacity_j_k,
        }
        missing = [k for k in controls[control] if given[k] is None]
        if missing:
            raise NetworkError(f"{owner}: control {control!r} needs {', '.join(missing)}")
        extra = [k for k, v in given.items() if v is not None and k not in controls[control]]
        if extra:
            raise NetworkError(f"{owner}: {', '.join(extra)} belong to another control than {control!r}")
        cdu = Cdu(
            setpoint_c=setpoint_c,
            supply_c=supply_c,
            approach_k=approach_k,
            ua_w_k=ua_w_k,
            facility_flow_lpm=facility_flow_lpm,
            facility_edge=facility_edge.name if isinstance(facility_edge, Edge) else facility_edge,
            pressure_drop=None if pressure_drop is None else _curve(owner, "pressure_drop", pressure_drop),
            control=control,
            time_constant_s=time_constant_s,
            kp_w_k=kp_w_k,
            ki_w_k_s=ki_w_k_s,
            heat_capacity_j_k=heat_capacity_j_k,
        )
        return self.connect(a, b, cdu, name=name)

    def edge(self, edge_or_name: Edge | str) -> Edge:
        """The edge of that name (CaseError if unknown)."""
        key = edge_or_name.name if isinstance(edge_or_name, Edge) else edge_or_name
        try:
            return self._by_name[key]
        except KeyError:
            raise CaseError(f"unknown edge {key!r}") from None

    def set_power(self, power_w: float | Profile, plates: Iterable[Edge | str] | None = None) -> None:
        """Sets the heat load of the given cold plates (all by default)."""
        _finite("set_power", power_w=power_w)
        replaced: dict[int, ColdPlate] = {}  # plates sharing a component keep sharing one
        for e in self.edges if plates is None else (self.edge(p) for p in plates):
            c = e.component
            if isinstance(c, ColdPlate):
                new = replaced.get(id(c))
                if new is None:
                    new = replaced[id(c)] = dataclasses.replace(c, power_w=power_w)
                e.component = new

    # ---------------------------------------------------------------- solving
    def _fluid(self) -> dict[str, Any]:
        lo, hi = self.coolant.valid_range_c
        return self.coolant.to_core(max(lo, -20.0), min(hi, 120.0), n=141)

    def _core_components(self, at_time_s: float | None = None) -> list[dict[str, Any]]:
        """Every component in the core's form, in ``_components`` order. A time-varying
        Profile is read at ``at_time_s``, or refused (steady solves) naming the first edge
        that carries it."""
        models: dict[int, dict[str, Any]] = {}
        out = []
        for original in self._components:
            c = original if at_time_s is None else _at_time(original, at_time_s)
            try:
                if isinstance(c, ColdPlate):
                    # Thousands of plates share one model: convert it once.
                    model = None if c.model is None else models.setdefault(id(c.model), c.model.to_core())
                    out.append(c.to_core(model))
                elif isinstance(c, Radiator):
                    out.append(c.to_core(self._radiator_state.get(id(original))))
                else:
                    out.append(c.to_core())
            except NetworkError as exc:
                edge = self._first_edge_with(c)
                raise NetworkError(str(exc).replace(f"{c.kind}:", f"{c.kind} {edge!r}:", 1)) from None
        return out

    def _first_edge_with(self, component: Component) -> str:
        c = self._component_index.get(id(component))
        try:
            return self.edges[self._edge_component.index(c)].name  # type: ignore[arg-type]
        except ValueError:
            return "?"

    def _node_order(self) -> np.ndarray:
        """Node positions in the order the core numbers them: nodes given data first (in the
        order of their node() calls), then the nodes only edges name (in order of appearance);
        the first node of each connected part is its pressure reference."""
        n = len(self._node_names)
        declared = np.fromiter(self._declared, dtype=np.int64, count=len(self._declared))
        rest = np.ones(n, dtype=bool)
        rest[declared] = False
        return np.concatenate([declared, np.flatnonzero(rest)])

    def _table(
        self, settings: dict[str, Any], at_time_s: float | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The core's specification in columns: (JSON part, arrays and lists); Profiles read
        at ``at_time_s`` (None: refused)."""
        self._drop_unused_components()
        order = self._node_order()
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        names = self._node_names
        node_names = (
            [names[i] for i in order.tolist()] if not np.array_equal(order, np.arange(order.size)) else names
        )
        fixed = sorted(self._fixed_pressure.items(), key=lambda kv: rank[kv[0]])
        spec = {
            "fluid": self._fluid(),
            "table": {
                "node_names": [],
                "fixed_pressure_nodes": [int(rank[i]) for i, _ in fixed],
                "fixed_pressure_pa": [p for _, p in fixed],
                "components": self._core_components(at_time_s),
                "edge_names": [],
                "edge_from": [],
                "edge_to": [],
                "edge_component": [],
            },
            "settings": settings,
        }
        arrays = {
            "node_names": node_names,
            "node_elevation_m": np.frombuffer(self._elevation, dtype=np.float64)[order],
            "edge_names": list(self._by_name),  # the edges' names in edge order
            "edge_from": rank[np.frombuffer(self._edge_from, dtype=np.int64)].astype(np.uint32),
            "edge_to": rank[np.frombuffer(self._edge_to, dtype=np.int64)].astype(np.uint32),
            "edge_component": np.frombuffer(self._edge_component, dtype=np.int64).astype(np.uint32),
        }
        return spec, arrays

    def to_spec(self, **settings: Any) -> dict[str, Any]:
        """The core's JSON specification in its record form (one entry per node and edge; SI,
        kelvin): ``{"fluid", "nodes", "edges", "settings"}``."""
        self._drop_unused_components()
        components = self._core_components()
        nodes = [
            {"name": k, **{kk: vv for kk, vv in v.items() if vv is not None}} for k, v in self.nodes.items()
        ]
        edges = [
            {"name": e.name, "from": e.a, "to": e.b, "component": components[c]}
            for e, c in zip(self.edges, self._edge_component, strict=True)
        ]
        return {"fluid": self._fluid(), "nodes": nodes, "edges": edges, "settings": settings}

    def solve(
        self,
        *,
        allow_extrapolation: bool = False,
        tolerance: float = 1e-10,
        max_iterations: int = 100,
        max_coupling_iterations: int = 30,
        temperature_tolerance_k: float = 1e-6,
        copy_identical_parts: bool = True,
    ) -> NetworkResult:
        """Solves the network.

        Raises NetworkError (bad input, no operating point, flow outside a characterised range
        unless ``allow_extrapolation``, reverse flow through a cold plate, coolant circulating
        without a CDU; messages name the edges, their velocities and what to resize) or
        ConvergenceError. The hydraulics converge to ``tolerance`` (relative), the coupling with
        the temperature-dependent properties until the temperatures are within
        ``temperature_tolerance_k`` of the coupled solution (the change of the last pass, or,
        when successive changes shrink by more than half, their geometric remainder
        ``dt·ρ/(1 − ρ)``: a hall's passes shrink 150-fold, so a pass that would only confirm the
        last is saved). ``result.timing`` holds ``prepare_s`` (Python to core form),
        ``core_s`` (the core: checks and solve) and ``result_s``.

        ``copy_identical_parts`` (default): where several hydraulically separate parts are
        copies of one another (the rack loops of a hall behind their CDUs: same components,
        connections and elevations) and carry coolant of the same properties, bit for bit,
        the hydraulics solve one of them and copy its flows and pressures to the others; the
        check is repeated at every coupling pass, and a part whose coolant differs is solved
        on its own. ``result.iterations["copied_parts"]`` counts the copies of the last pass.
        False solves every part.
        """
        settings = {
            "allow_extrapolation": bool(allow_extrapolation),
            "tolerance": float(tolerance),
            "max_iterations": int(max_iterations),
            "max_coupling_iterations": int(max_coupling_iterations),
            "temperature_tolerance_k": float(temperature_tolerance_k),
            "copy_identical_parts": bool(copy_identical_parts),
        }
        if any(isinstance(c, Radiator) for c in self._components):
            return self._solve_with_radiators(settings)
        return self._solve_once(settings)

    def _solve_once(
        self, settings: dict[str, Any], *, warn: bool = True, at_time_s: float | None = None
    ) -> NetworkResult:
        with _no_cyclic_gc():
            return self._solve_once_unguarded(settings, warn=warn, at_time_s=at_time_s)

    def _solve_once_unguarded(
        self, settings: dict[str, Any], *, warn: bool = True, at_time_s: float | None = None
    ) -> NetworkResult:
        t0 = time.perf_counter()
        spec, arrays = self._table(settings, at_time_s)
        text = json.dumps(spec, allow_nan=False)
        t1 = time.perf_counter()
        columns, info = _core.solve_network_table(
            text,
            arrays["node_names"],
            arrays["node_elevation_m"],
            arrays["edge_names"],
            arrays["edge_from"],
            arrays["edge_to"],
            arrays["edge_component"],
        )
        t2 = time.perf_counter()
        result = NetworkResult(self, columns, json.loads(info), arrays)
        t3 = time.perf_counter()
        result.timing.update({"prepare_s": t1 - t0, "core_s": t2 - t1, "result_s": t3 - t2})
        if warn:
            result._warn(stacklevel=4)
        return result

    def _solve_with_radiators(
        self,
        settings: dict[str, Any],
        *,
        max_passes: int = 50,
        rtol: float = 1e-8,
        at_time_s: float | None = None,
    ) -> NetworkResult:
        """Steady solve with radiator panels. Each panel is a set-point exchanger in the core;
        its outlet ``s_i`` is moved until it equals the model's outlet ``f_i(T_in,i)`` at the
        panel's solved flow and inlet: Newton on ``r = s − f(T_in)`` with
        ``J = I − diag(d) A``, ``d_i = dT_out/dT_in`` of panel i and ``A_ij = ∂T_in,i/∂s_j`` the
        share of panel i's inlet coolant that last left panel j (mass-weighted mixing along
        the solved flows; heat added on the way shifts temperatures without changing A).
        Stops when every panel's heat agrees with its model to ``rtol`` (relative). Profiles
        are read at ``at_time_s`` (None: refused)."""
        edges = [(e, e.component) for e in self.edges if isinstance(e.component, Radiator)]
        # the panels in the environment of the moment (the state stays keyed by the component)
        now = {id(c): (c if at_time_s is None else _at_time(c, at_time_s)) for _, c in edges}
        seen: set[int] = set()
        for e, c in edges:
            if id(c) in seen:
                raise NetworkError(
                    f"radiator {e.name!r}: shares its component with another edge; give each its own"
                )
            seen.add(id(c))
        self._radiator_state = {}
        for _, c in edges:
            m = c.model
            t_in = float(m.inlet_c[-1])
            rho = float(self.coolant.properties(t_in)["density_kg_m3"])
            t_out, _ = now[id(c)].outlet(
                rho * math.sqrt(m.flow_lpm[0] * m.flow_lpm[-1]) * LPM, t_in, self.coolant
            )
            self._radiator_state[id(c)] = (t_out, t_in)
        worst = math.inf
        n = len(edges)
        for passes in range(1, max_passes + 1):
            result = self._solve_once(settings, warn=False, at_time_s=at_time_s)
            table = result.edges
            r, d, drop = np.zeros(n), np.zeros(n), np.zeros(n)
            for i, (e, c) in enumerate(edges):
                row = table.loc[e.name]
                mass = float(row["mass_flow_kg_s"])
                if mass <= 0:
                    raise NetworkError(
                        f"radiator {e.name!r}: no flow from {e.a!r} to {e.b!r} ({mass:.3g} kg/s); "
                        "a radiator carries coolant in its declared direction"
                    )
                t_in = float(row["inlet_c"])
                t_out, slope = now[id(c)].outlet(mass, t_in, self.coolant)
                setpoint = self._radiator_state[id(c)][0]
                r[i] = setpoint - t_out
                d[i] = slope
                drop[i] = max(abs(t_in - t_out), 1e-12)
                self._radiator_state[id(c)] = (setpoint, t_in)
            # the core's heat C (T_in − s) against the model's C (T_in − f): relative error |r|/(T_in − f)
            worst = float(np.max(np.abs(r) / drop))
            if worst <= rtol:
                result.iterations["radiator_passes"] = passes
                result._warn(stacklevel=4)
                for e, c in edges:
                    row = table.loc[e.name]
                    q, t = float(row["flow_lpm"]), float(row["inlet_c"])
                    m = c.model
                    if not (m.flow_lpm[0] <= q <= m.flow_lpm[-1] and m.inlet_c[0] <= t <= m.inlet_c[-1]):
                        warnings.warn(
                            f"radiator {e.name!r} runs at {q:.4g} L/min and {t:.4g} °C, outside its "
                            f"model's characterised {m.flow_lpm[0]:g}–{m.flow_lpm[-1]:g} L/min, "
                            f"{m.inlet_c[0]:g}–{m.inlet_c[-1]:g} °C (the effective area is held at "
                            "the range's edge)",
                            RackflowWarning,
                            stacklevel=3,
                        )
                return result
            shares = _last_sink_shares(table, [e.name for e, _ in edges])
            jacobian = np.eye(n) - d[:, None] * shares
            try:
                delta = np.linalg.solve(jacobian, -r)
            except np.linalg.LinAlgError:  # a panel feeding only itself: least squares
                delta = np.linalg.lstsq(jacobian, -r, rcond=None)[0]
            for i, (_, c) in enumerate(edges):
                setpoint, t_in = self._radiator_state[id(c)]
                self._radiator_state[id(c)] = (setpoint + float(delta[i]), t_in)
        raise ConvergenceError(
            f"network with radiators: the panels' heat still differs from their models by "
            f"{worst:.2e} (relative) after {max_passes} passes"
        )

    def simulate(
        self,
        *,
        end_time_s: float,
        time_step_s: float,
        output_interval_s: float | None = None,
        initial: str | float = "steady",
        max_cell_length_m: float = 0.5,
        hydraulic_update_k: float = 0.5,
        plates: Sequence[Edge | str] | None = None,
        progress: Callable[[int, dict[str, float]], Any] | None = None,
        allow_extrapolation: bool = False,
        tolerance: float = 1e-10,
        max_iterations: int = 100,
        max_coupling_iterations: int = 30,
    ) -> NetworkTransientResult:
        """Runs the network in time from 0 to ``end_time_s`` in steps of ``time_step_s`` [s]
        (a whole number of steps: the run ends at the first step at or after ``end_time_s``).

        Plate powers (``power_w``), flow sources (``flow_lpm``) and CDU set-points
        (``setpoint_c``, or ``supply_c`` with ``approach_k``) may be given as :class:`~rackflow.Profile` objects.

        * ``initial``: ``"steady"`` (the steady solution at the inputs of time 0) or a uniform
          coolant and GPU temperature [°C].
        * Coolant is carried through pipes and ducts in cells of at most ``max_cell_length_m``
          (upwind, implicit: each pipe keeps its mean transit time L/U exactly and spreads a
          front with the numerical diffusion ``D = U·(Δx + U·dt)/2``).
        * Cold plates: a lumped heat capacity per GPU and plate, ``cold_plate(...,
          heat_capacity_j_k=)`` (default 308 J/K, 0.8 kg of copper).
        * CDUs: ``cdu(..., control="ideal" | "lag" | "pi", ...)``.
        * Radiators (``radiator(..., absorbed_flux_w_m2=Profile, heat_capacity_j_k=...)``):
          a heat capacity well mixed at the panel's inlet feeding the characterised panel in
          the absorbed flux of the moment; ``result.radiator_*`` records them every step.
        * The hydraulics (quasi-steady) are solved again when a flow input changes or the
          temperatures have moved ``hydraulic_update_k`` [K] since the last solve (0: every
          step).
        * Per-plate temperatures are recorded every ``output_interval_s`` (rounded to a whole
          number of steps; default every step) and at the end, for ``plates`` (default all);
          the worst GPU and the CDUs every step.
        * After every hydraulic solve each cold plate must receive flow in its direction, and
          within its model's characterised flow and inlet-temperature ranges unless
          ``allow_extrapolation`` (as in :meth:`solve`): a NetworkError names the plates, the
          time and the fastest pipes.
        * ``progress(step, {"time_s": ..., "worst_gpu_k": ...})`` is called as steps finish;
          Ctrl-C stops the run.

        Returns a :class:`~rackflow.network.transient.NetworkTransientResult`. Raises
        NetworkError naming bad input or ConvergenceError.
        """
        return transient.simulate(
            self,
            end_time_s=end_time_s,
            time_step_s=time_step_s,
            output_interval_s=output_interval_s,
            initial=initial,
            max_cell_length_m=max_cell_length_m,
            hydraulic_update_k=hydraulic_update_k,
            plates=plates,
            progress=progress,
            allow_extrapolation=allow_extrapolation,
            tolerance=tolerance,
            max_iterations=max_iterations,
            max_coupling_iterations=max_coupling_iterations,
        )

    # ---------------------------------------------------------------- templates and files
    @classmethod
    def rack(cls, servers: int = 8, plates_per_server: int = 8, **options: Any) -> Network:
        """An N-server x M-plate rack; see :func:`rackflow.network.templates.rack`."""
        return templates.rack(cls, servers, plates_per_server, **options)

    @classmethod
    def hall(cls, racks: int = 100, **options: Any) -> Network:
        """A hall of racks on a facility loop; see :func:`rackflow.network.templates.hall`."""
        return templates.hall(cls, racks, **options)

    @classmethod
    def from_line_mesh(
        cls,
        mesh: str | Path | Any,
        components: Mapping[str, Mapping[str, Any]],
        *,
        coolant: str | Coolant = "PG25",
        models: Mapping[str, ColdPlateModel] | None = None,
        length_scale: float = 1.0,
        name: str | None = None,
    ) -> Network:
        """A network from a line mesh; see :func:`rackflow.network.line_mesh.from_line_mesh`."""
        return line_mesh.from_line_mesh(
            cls, mesh, components, coolant=coolant, models=models, length_scale=length_scale, name=name
        )

    @classmethod
    def from_toml(cls, path: str | Path) -> Network:
        """A network from a TOML file; see :func:`rackflow.network.casefile.from_toml`."""
        return casefile.from_toml(cls, path)


def _last_sink_shares(edges: Any, radiators: list[str]) -> np.ndarray:
    """``A_ij``: the share of radiator i's inlet coolant whose last exchanger was radiator j
    (zero for coolant last through a CDU), by mass-weighted mixing along the solved flows.

    ``edges`` is :attr:`NetworkResult.edges`. Radiators and CDUs cut the loops, so one pass in
    flow order settles every node; what remains on a cycle without an exchanger (a network the
    core would not solve) is swept until it settles."""
    n = len(radiators)
    index = {name: i for i, name in enumerate(radiators)}
    mass = edges["mass_flow_kg_s"].to_numpy()
    names = edges.index.to_list()
    kinds = edges["kind"].astype(str).to_numpy()
    up = np.where(mass >= 0, edges["from"].to_numpy(), edges["to"].to_numpy())
    down = np.where(mass >= 0, edges["to"].to_numpy(), edges["from"].to_numpy())
    flowing = np.abs(mass) > 0
    nodes = sorted(set(up[flowing]) | set(down[flowing]))
    position = {v: k for k, v in enumerate(nodes)}
    cut = np.array([k in ("radiator", "cdu") for k in kinds])
    incoming: dict[int, list[int]] = {position[v]: [] for v in nodes}
    indegree = np.zeros(len(nodes), dtype=int)
    for k in np.flatnonzero(flowing):
        incoming[position[down[k]]].append(int(k))
        if not cut[k]:
            indegree[position[down[k]]] += 1
    followers: dict[int, list[int]] = {position[v]: [] for v in nodes}
    for k in np.flatnonzero(flowing & ~cut):
        followers[position[up[k]]].append(position[down[k]])
    order = [v for v in range(len(nodes)) if indegree[v] == 0]
    for v in order:
        for w in followers[v]:
            indegree[w] -= 1
            if indegree[w] == 0:
                order.append(w)
    placed = set(order)
    order += [v for v in range(len(nodes)) if v not in placed]
    shares = np.zeros((len(nodes), n))
    for _ in range(1 if len(placed) == len(nodes) else 1000):
        change = 0.0
        for v in order:
            total = 0.0
            mixed = np.zeros(n)
            for k in incoming[v]:
                m = abs(mass[k])
                total += m
                if kinds[k] == "radiator":
                    mixed[index[names[k]]] += m
                elif kinds[k] != "cdu":
                    mixed += m * shares[position[up[k]]]
            if total > 0:
                mixed /= total
                change = max(change, float(np.max(np.abs(mixed - shares[v]), initial=0.0)))
                shares[v] = mixed
        if change < 1e-13:
            break
    return np.array([shares[position[up[list(names).index(name)]]] for name in radiators])


def _document(method: Any, source: Any) -> None:
    """The template's or reader's docstring and signature (its first parameter is the class)
    become the classmethod's: help() and the case-file key checks see the real keywords."""
    method.__func__.__doc__ = source.__doc__
    method.__func__.__signature__ = inspect.signature(source)


def _at_time(c: Component, t: float) -> Component:
    """``c`` with its Profiles read at time ``t``."""
    values = {
        f.name: getattr(c, f.name).at(t)
        for f in dataclasses.fields(c)
        if isinstance(getattr(c, f.name), Profile)
    }
    return dataclasses.replace(c, **values) if values else c


class _NodeData(Mapping[str, dict[str, Any]]):
    """Read-only view of the node data of a network (elevation, fixed pressure)."""

    __slots__ = ("_net",)

    def __init__(self, net: Network) -> None:
        self._net = net

    def __getitem__(self, name: str) -> dict[str, Any]:
        i = self._net._node_index.get(name)
        if i is None or i not in self._net._declared:
            raise KeyError(name)
        return {"elevation_m": self._net._elevation[i], "pressure_pa": self._net._fixed_pressure.get(i)}

    def __iter__(self) -> Iterator[str]:
        names = self._net._node_names
        return (names[i] for i in self._net._declared)

    def __len__(self) -> int:
        return len(self._net._declared)


_document(Network.rack, templates.rack)
_document(Network.hall, templates.hall)
_document(Network.from_line_mesh, line_mesh.from_line_mesh)
_document(Network.from_toml, casefile.from_toml)

__all__ = ["Network"]


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Holds Python's cyclic garbage collector while a solve moves a large network's columns
    (lists of a million names, the result's arrays): those allocations would trigger full
    collections that traverse every object the hall's builder made (0.05–0.25 s of a 3,125-rack
    solve, measured). The solve creates no reference cycles; reference counting frees it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
