"""Rack-scale coolant networks: pipes, fittings, quick disconnects, cold plates, pumps, CDUs.

A :class:`Network` records components between named nodes (each call returns the edge); the
Rust core (``rackflow._core.solve_network``) solves hydraulics by Newton on node pressures and
temperatures by an enthalpy pass, with coolant properties at the local temperature.

Units at this edge: flows in L/min, temperatures in °C, pressures in Pa, lengths in m.
"""

from __future__ import annotations

import inspect
import json
import math
import time
import tomllib
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from rackflow import _core
from rackflow.coldplate_model import ColdPlateModel
from rackflow.coolants import Coolant, get_coolant
from rackflow.errors import (
    CaseError,
    CaseFileError,
    NetworkError,
    PropertyRangeWarning,
    RackflowWarning,
)

_LPM = 1.0 / 60_000.0  # m³/s per L/min
_K = 273.15


@dataclass
class Edge:
    """One component of a network; ``params`` are in the units of the call that made it."""

    name: str
    kind: str
    a: str
    b: str
    params: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Edge({self.kind} {self.name!r}: {self.a} -> {self.b})"


def _finite(owner: str, **values: Any) -> None:
    for key, v in values.items():
        if v is None:
            continue
        try:
            ok = math.isfinite(float(v))
        except (TypeError, ValueError):
            raise NetworkError(f"{owner}: {key} must be a number, got {v!r}") from None
        if not ok:
            raise NetworkError(f"{owner}: {key} must be finite, got {v!r}")


def _curve(owner: str, key: str, points: Iterable[Sequence[float]]) -> tuple[list[float], list[float]]:
    try:
        pts = [(float(q), float(p)) for q, p in points]
    except (TypeError, ValueError):
        raise NetworkError(f"{owner}: {key} must be a list of (flow_lpm, pressure_pa) pairs") from None
    for q, p in pts:
        _finite(owner, **{key: q}, pressure=p)
    return [q * _LPM for q, _ in pts], [p for _, p in pts]


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


class Network:
    """A coolant network; nodes are named by strings, every edge method returns the edge."""

    def __init__(self, coolant: str | Coolant = "PG25", *, name: str = "network") -> None:
        self.coolant = get_coolant(coolant)
        self.name = name
        self.edges: list[Edge] = []
        self._by_name: dict[str, Edge] = {}
        self.nodes: dict[str, dict[str, Any]] = {}
        #: Optional 3D node positions [m] for rendering (templates fill them).
        self.positions: dict[str, tuple[float, float, float]] = {}

    # ---------------------------------------------------------------- building
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
        self.nodes[name] = {"elevation_m": float(elevation_m), "pressure_pa": pressure_pa}
        if position_m is not None:
            self.positions[name] = tuple(float(v) for v in position_m)  # type: ignore[assignment]
        return name

    def _add(self, kind: str, a: str, b: str, name: str | None, params: dict[str, Any]) -> Edge:
        if not isinstance(a, str) or not isinstance(b, str):
            raise NetworkError(f"{kind}: node names must be strings, got {a!r}, {b!r}")
        name = name or f"{kind}{len(self.edges)}"
        if name in self._by_name:
            raise NetworkError(f"edge name {name!r} is used twice")
        edge = Edge(name, kind, a, b, params)
        self.edges.append(edge)
        self._by_name[name] = edge
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
        owner = f"pipe {name!r}"
        _finite(
            owner,
            diameter_m=diameter_m,
            length_m=length_m,
            roughness_m=roughness_m,
            elevation_m=elevation_m,
        )
        return self._add(
            "pipe",
            a,
            b,
            name,
            {
                "diameter_m": diameter_m,
                "length_m": length_m,
                "roughness_m": roughness_m,
                "elevation_m": elevation_m,
            },
        )

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
        owner = f"duct {name!r}"
        _finite(
            owner,
            width_m=width_m,
            height_m=height_m,
            length_m=length_m,
            roughness_m=roughness_m,
            elevation_m=elevation_m,
            side_inflow_lpm=side_inflow_lpm,
        )
        params = {
            "width_m": width_m,
            "height_m": height_m,
            "length_m": length_m,
            "roughness_m": roughness_m,
            "elevation_m": elevation_m,
            "side_inflow_lpm": side_inflow_lpm,
        }
        return self._add("duct", a, b, name, params)

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
        params: dict[str, Any] = {"k": k, "diameter_m": diameter_m}
        if table is not None:
            params["table"] = _curve(owner, "table", table)
        return self._add("loss", a, b, name, params)

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
        extra: dict[str, Any] = {"area_ratio": area_ratio}
        if hydraulic_diameter_m is not None:
            _finite(owner, hydraulic_diameter_m=hydraulic_diameter_m)
            if not hydraulic_diameter_m > 0:
                raise NetworkError(f"{owner}: hydraulic_diameter_m must be > 0, got {hydraulic_diameter_m!r}")
            extra["hydraulic_diameter_m"] = float(hydraulic_diameter_m)
        return self._fitting("contraction", a, b, name, k, area_m2, extra)

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
        params = {"k": k, "diameter_m": d, "fitting": kind, "area_m2": float(area_m2), **extra}
        return self._add("loss", a, b, name or f"{kind}{len(self.edges)}", params)

    def cold_plate(
        self,
        a: str,
        b: str,
        *,
        model: ColdPlateModel | None = None,
        power_w: float,
        name: str | None = None,
    ) -> Edge:
        """Cold plate with its characteristic and the heat load of the GPU it cools."""
        _finite(f"cold_plate {name!r}", power_w=power_w)
        if model is not None and not isinstance(model, ColdPlateModel):
            raise NetworkError(
                f"cold_plate {name!r}: model must be a ColdPlateModel, got {type(model).__name__}"
            )
        return self._add("cold_plate", a, b, name, {"model": model, "power_w": power_w})

    def pump(
        self, a: str, b: str, *, curve_lpm_pa: Iterable[Sequence[float]], name: str | None = None
    ) -> Edge:
        """Pump from ``a`` to ``b`` with a falling curve of (flow_lpm, pressure rise Pa)."""
        q, p = _curve(f"pump {name!r}", "curve_lpm_pa", curve_lpm_pa)
        return self._add("pump", a, b, name, {"flow_m3_s": q, "pressure_rise_pa": p})

    def flow_source(self, a: str, b: str, *, flow_lpm: float, name: str | None = None) -> Edge:
        """Fixed volume flow from ``a`` to ``b``."""
        _finite(f"flow_source {name!r}", flow_lpm=flow_lpm)
        return self._add("flow_source", a, b, name, {"flow_lpm": flow_lpm})

    def cdu(
        self,
        a: str,
        b: str,
        *,
        supply_c: float | None = None,
        approach_k: float | None = None,
        ua_w_k: float | None = None,
        facility_flow_lpm: float | None = None,
        facility_edge: Edge | str | None = None,
        pressure_drop: Iterable[Sequence[float]] | None = None,
        name: str | None = None,
    ) -> Edge:
        """CDU: outlet = ``supply_c + approach_k``, or counterflow ε-NTU with ``ua_w_k`` against
        ``facility_flow_lpm`` at ``supply_c`` or against another edge (``facility_edge``)."""
        owner = f"cdu {name!r}"
        _finite(
            owner,
            supply_c=supply_c,
            approach_k=approach_k,
            ua_w_k=ua_w_k,
            facility_flow_lpm=facility_flow_lpm,
        )
        params: dict[str, Any] = {
            "supply_c": supply_c,
            "approach_k": approach_k,
            "ua_w_k": ua_w_k,
            "facility_flow_lpm": facility_flow_lpm,
            "facility_edge": facility_edge.name if isinstance(facility_edge, Edge) else facility_edge,
        }
        if pressure_drop is not None:
            params["pressure_drop"] = _curve(owner, "pressure_drop", pressure_drop)
        return self._add("cdu", a, b, name, params)

    def edge(self, edge_or_name: Edge | str) -> Edge:
        """The edge of that name (CaseError if unknown)."""
        key = edge_or_name.name if isinstance(edge_or_name, Edge) else edge_or_name
        try:
            return self._by_name[key]
        except KeyError:
            raise CaseError(f"unknown edge {key!r}") from None

    def set_power(self, power_w: float, plates: Iterable[Edge | str] | None = None) -> None:
        """Sets the heat load of the given cold plates (all by default)."""
        for e in self.edges if plates is None else (self.edge(p) for p in plates):
            if e.kind == "cold_plate":
                e.params["power_w"] = power_w

    # ---------------------------------------------------------------- solving
    def _component(self, e: Edge) -> dict[str, Any]:
        p = e.params
        if e.kind == "pipe":
            c = {
                "type": "pipe",
                "diameter_m": p["diameter_m"],
                "length_m": p["length_m"],
                "roughness_m": p["roughness_m"],
            }
            if p["elevation_m"] is not None:
                c["elevation_m"] = p["elevation_m"]
            return c
        if e.kind == "duct":
            c = {"type": "duct", **{k: v for k, v in p.items() if v is not None and k != "side_inflow_lpm"}}
            c["side_inflow_m3_s"] = p["side_inflow_lpm"] * _LPM
            return c
        if e.kind == "loss":
            if "table" in p:
                q, dp = p["table"]
                return {"type": "loss", "table": {"flow_m3_s": q, "pressure_drop_pa": dp}}
            if p.get("hydraulic_diameter_m") is not None:  # a contraction with K(Re)
                contraction = {
                    "area_ratio": p["area_ratio"],
                    "hydraulic_diameter_m": p["hydraulic_diameter_m"],
                }
                return {"type": "loss", "diameter_m": p["diameter_m"], "sudden_contraction": contraction}
            return {"type": "loss", "k": p["k"], "diameter_m": p["diameter_m"]}
        if e.kind == "cold_plate":
            model = p["model"]
            return {
                "type": "cold_plate",
                "power_w": p["power_w"],
                "model": None if model is None else model.to_core(),
            }
        if e.kind == "pump":
            return {
                "type": "pump",
                "flow_m3_s": p["flow_m3_s"],
                "pressure_rise_pa": p["pressure_rise_pa"],
            }
        if e.kind == "flow_source":
            return {"type": "flow_source", "flow_m3_s": p["flow_lpm"] * _LPM}
        c = {"type": "cdu"}
        if p["supply_c"] is not None:
            c["supply_k"] = p["supply_c"] + _K
        for key in ("approach_k", "ua_w_k", "facility_edge"):
            if p[key] is not None:
                c[key] = p[key]
        if p["facility_flow_lpm"] is not None:
            c["facility_flow_m3_s"] = p["facility_flow_lpm"] * _LPM
        if "pressure_drop" in p:
            q, dp = p["pressure_drop"]
            c["pressure_drop"] = {"flow_m3_s": q, "pressure_drop_pa": dp}
        return c

    def to_spec(self, **settings: Any) -> dict[str, Any]:
        """The core's JSON specification (SI, kelvin)."""
        lo, hi = self.coolant.valid_range_c
        fluid = self.coolant.to_core(max(lo, -20.0), min(hi, 120.0), n=141)
        nodes = [
            {"name": k, **{kk: vv for kk, vv in v.items() if vv is not None}} for k, v in self.nodes.items()
        ]
        cache: dict[int, dict[str, Any]] = {}
        edges = []
        for e in self.edges:
            model = e.params.get("model") if e.kind == "cold_plate" else None
            if model is not None:
                # Thousands of plates share one model: convert it once.
                core = cache.setdefault(id(model), model.to_core())
                comp = {"type": "cold_plate", "power_w": e.params["power_w"], "model": core}
            else:
                comp = self._component(e)
            edges.append({"name": e.name, "from": e.a, "to": e.b, "component": comp})
        return {"fluid": fluid, "nodes": nodes, "edges": edges, "settings": settings}

    def solve(
        self,
        *,
        allow_extrapolation: bool = False,
        tolerance: float = 1e-10,
        max_iterations: int = 100,
        max_coupling_iterations: int = 30,
    ) -> NetworkResult:
        """Solves the network.

        Raises NetworkError (bad input, no operating point, flow outside a characterised range
        unless ``allow_extrapolation``) or ConvergenceError.
        """
        spec = self.to_spec(
            allow_extrapolation=bool(allow_extrapolation),
            tolerance=float(tolerance),
            max_iterations=int(max_iterations),
            max_coupling_iterations=int(max_coupling_iterations),
        )
        t0 = time.perf_counter()
        text = json.dumps(spec, allow_nan=False)
        t1 = time.perf_counter()
        out = _core.solve_network(text)
        t2 = time.perf_counter()
        result = NetworkResult(self, json.loads(out), timing={"build_s": t1 - t0, "core_s": t2 - t1})
        for w in result.warnings:
            category = PropertyRangeWarning if "property table" in w else RackflowWarning
            warnings.warn(w, category, stacklevel=2)
        return result

    # ---------------------------------------------------------------- templates
    @classmethod
    def rack(
        cls,
        servers: int = 8,
        plates_per_server: int = 8,
        *,
        model: ColdPlateModel | None = None,
        power_w: float = 700.0,
        coolant: str | Coolant = "PG25",
        supply_c: float = 32.0,
        approach_k: float = 3.0,
        reverse_return: bool = False,
        pump_curve_lpm_pa: Sequence[Sequence[float]] | None = None,
        manifold_diameter_m: float = 0.035,
        server_pitch_m: float = 0.178,
        hose_diameter_m: float = 0.0127,
        hose_length_m: float = 1.0,
        qd_k: float = 2.0,
        branch_diameter_m: float = 0.0064,
        branch_length_m: float = 0.4,
    ) -> Network:
        """An N-server x M-plate rack: in-rack CDU and pump at the bottom, vertical supply and
        return manifolds at the rear, per-server hoses with quick disconnects (``qd_in{s}``,
        ``qd_out{s}``) and a tray manifold feeding the plates (``gpu{s}_{j}``) in parallel.
        ``reverse_return`` takes the return out at the top (equal path lengths)."""
        net = cls(coolant, name=f"rack {servers}x{plates_per_server}")
        _add_rack(
            net,
            "",
            servers=servers,
            plates=plates_per_server,
            model=model or default_cold_plate_model(),
            power_w=power_w,
            reverse=reverse_return,
            manifold_d=manifold_diameter_m,
            pitch=server_pitch_m,
            hose_d=hose_diameter_m,
            hose_l=hose_length_m,
            qd_k=qd_k,
            branch_d=branch_diameter_m,
            branch_l=branch_length_m,
            origin=(0.0, 0.0),
        )
        net.pump(
            "cdu_out",
            "s0",
            curve_lpm_pa=pump_curve_lpm_pa or _rack_pump_curve(servers * plates_per_server),
            name="pump",
        )
        net.cdu("cdu_in", "cdu_out", supply_c=supply_c, approach_k=approach_k, name="cdu")
        return net

    @classmethod
    def hall(
        cls,
        racks: int = 100,
        *,
        servers: int = 8,
        plates_per_server: int = 8,
        model: ColdPlateModel | None = None,
        power_w: float = 700.0,
        coolant: str | Coolant = "PG25",
        facility_supply_c: float = 32.0,
        cdu_ua_w_k: float = 15_000.0,
        rack_pitch_m: float = 0.6,
        header_diameter_m: float = 0.2,
        reverse_return: bool = False,
    ) -> Network:
        """A hall of identical racks (as :meth:`rack`, each with an ε-NTU CDU) on one shared
        facility loop: plant (chiller at ``facility_supply_c``), facility pump, supply and
        return headers along the row, and each rack CDU's primary side between them."""
        net = cls(coolant, name=f"hall of {racks} racks")
        model = model or default_cold_plate_model()
        n_plates = servers * plates_per_server
        for r in range(racks):
            p = f"r{r}/"
            x0 = r * rack_pitch_m
            _add_rack(
                net,
                p,
                servers=servers,
                plates=plates_per_server,
                model=model,
                power_w=power_w,
                reverse=reverse_return,
                manifold_d=0.035,
                pitch=0.178,
                hose_d=0.0127,
                hose_l=1.0,
                qd_k=2.0,
                branch_d=0.0064,
                branch_l=0.4,
                origin=(x0, 0.0),
            )
            net.pump(f"{p}cdu_out", f"{p}s0", curve_lpm_pa=_rack_pump_curve(n_plates), name=f"{p}pump")
            hx = net.loss(f"fs{r}", f"fr{r}", k=4.0, diameter_m=0.05, name=f"{p}cdu_primary")
            net.cdu(f"{p}cdu_in", f"{p}cdu_out", ua_w_k=cdu_ua_w_k, facility_edge=hx, name=f"{p}cdu")
            for node, y in ((f"fs{r}", -1.0), (f"fr{r}", -1.3)):
                net.positions[node] = (x0, y, -0.5)
            if r > 0:
                net.pipe(
                    f"fs{r - 1}",
                    f"fs{r}",
                    diameter_m=header_diameter_m,
                    length_m=rack_pitch_m,
                    name=f"fsup{r}",
                )
                net.pipe(
                    f"fr{r}",
                    f"fr{r - 1}",
                    diameter_m=header_diameter_m,
                    length_m=rack_pitch_m,
                    name=f"fret{r}",
                )
        flow = racks * n_plates * 1.5  # L/min at the plant, ~1.5 L/min per kW-class GPU
        net.cdu("fr0", "plant_out", supply_c=facility_supply_c, approach_k=0.0, name="plant")
        net.pump(
            "plant_out",
            "fs0",
            curve_lpm_pa=[
                (0, 250e3),
                (0.5 * flow, 230e3),
                (flow, 180e3),
                (1.5 * flow, 90e3),
                (2 * flow, 0),
            ],
            name="facility_pump",
        )
        net.positions["plant_out"] = (-1.0, -1.15, -0.5)
        return net

    # ---------------------------------------------------------------- files
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
        """A network from a line mesh (a file meshio reads, e.g. Gmsh ``.msh``, or a
        ``meshio.Mesh``) whose physical groups name the components.

        Every line cell is one edge from its first to its second point, of the kind given for its
        group in ``components``: ``{"riser": {"kind": "pipe", "diameter_m": 0.035}, "qd":
        {"kind": "loss", "k": 2.0, "diameter_m": 0.0127}, "gpu": {"kind": "cold_plate",
        "model": "plate", "power_w": 700.0}}`` (``model`` names an entry of ``models`` or is a
        :class:`ColdPlateModel`). Pipes and ducts take their length and elevation change from the
        geometry (coordinates × ``length_scale`` in m, z up); other kinds ignore the length.
        Edges are named after their group (``riser[0]``, ``riser[1]``, ... when it has several
        cells). Nodes are the points ``p<index>``, or the name of a vertex physical group holding
        that one point; their elevation and drawing position come from the coordinates.
        """
        import meshio

        from rackflow.errors import MeshError

        where = str(mesh) if isinstance(mesh, (str, Path)) else "line mesh"
        if isinstance(mesh, (str, Path)):
            try:
                mesh = meshio.read(mesh)
            except Exception as exc:  # meshio raises many types
                raise MeshError(f"{where}: could not read the line mesh: {exc}") from None
        _finite(where, length_scale=length_scale)
        if not length_scale > 0:
            raise NetworkError(f"{where}: length_scale must be > 0, got {length_scale!r}")
        points = np.asarray(mesh.points, dtype=float) * float(length_scale)
        if points.shape[1] == 2:
            points = np.c_[points, np.zeros(len(points))]
        physical = mesh.cell_data.get("gmsh:physical")
        if physical is None:
            raise MeshError(f"{where}: no physical groups (cell data 'gmsh:physical')")
        names = {(int(v[1]), int(v[0])): k for k, v in mesh.field_data.items()}  # (dim, tag) -> name
        lines: list[tuple[str, int, int]] = []
        node_name: dict[int, str] = {}
        for block, tags in zip(mesh.cells, physical, strict=True):
            dim = {"vertex": 0, "line": 1}.get(block.type)
            if dim is None:
                continue  # surfaces and volumes of the same file are not part of the network
            for cell, tag in zip(block.data, tags, strict=True):
                group = names.get((dim, int(tag)))
                if group is None:
                    raise MeshError(f"{where}: a {block.type} cell has physical tag {tag} without a name")
                if dim == 0:
                    node_name[int(cell[0])] = group
                else:
                    lines.append((group, int(cell[0]), int(cell[1])))
        if not lines:
            raise MeshError(f"{where}: no line cells in a physical group")
        groups = {g for g, _, _ in lines}
        unknown = sorted(groups - set(components))
        if unknown:
            raise NetworkError(f"{where}: physical groups {unknown} have no entry in components")
        unused = sorted(set(components) - groups)
        if unused:
            raise NetworkError(f"{where}: components {unused} name no physical group of line cells")
        net = cls(coolant, name=name or (Path(where).stem if where != "line mesh" else where))
        used = sorted({i for _, a, b in lines for i in (a, b)})
        for i in used:
            node = node_name.get(i, f"p{i}")
            net.node(node, elevation_m=float(points[i, 2]), position_m=tuple(points[i]))
        count = {g: sum(1 for h, _, _ in lines if h == g) for g in groups}
        seen: dict[str, int] = {}
        for group, i, j in lines:
            k = seen.get(group, 0)
            seen[group] = k + 1
            spec = dict(components[group])
            kind = spec.pop("kind", None)
            owner = f"{where}: components[{group!r}]"
            if kind not in _EDGE_KINDS:
                raise NetworkError(f"{owner}: kind must be one of {list(_EDGE_KINDS)}, got {kind!r}")
            if kind in ("pipe", "duct"):
                spec.setdefault("length_m", float(np.linalg.norm(points[j] - points[i])))
                spec.setdefault("elevation_m", float(points[j, 2] - points[i, 2]))
            if kind == "cold_plate" and isinstance(spec.get("model"), str):
                key = spec["model"]
                if models is None or key not in models:
                    raise NetworkError(f"{owner}: unknown model {key!r}; models: {sorted(models or {})}")
                spec["model"] = models[key]
            method = getattr(net, kind)
            if "name" in spec:
                raise NetworkError(f"{owner}: edges are named after their group; drop 'name'")
            _check_keys(method, spec, owner, NetworkError)
            edge_name = group if count[group] == 1 else f"{group}[{k}]"
            method(node_name.get(i, f"p{i}"), node_name.get(j, f"p{j}"), name=edge_name, **spec)
        return net

    @classmethod
    def from_toml(cls, path: str | Path) -> Network:
        """Reads a network from TOML (data only; never executes code). See ``docs`` in tests for
        the layout: ``coolant``, ``[models.NAME]`` (points or ``file``), ``[[nodes]]``,
        ``[[pipe]]``, ``[[loss]]``, ``[[cold_plate]]``, ``[[pump]]``, ``[[flow_source]]``,
        ``[[cdu]]``, a ``[rack]`` table for the template, or a ``[line_mesh]`` table (``file``,
        ``length_scale``, ``[line_mesh.components.GROUP]`` as in :meth:`from_line_mesh`, models
        by name). Errors name the key."""
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise CaseFileError(f"{p}: not valid TOML: {exc}") from None
        known = {"coolant", "name", "models", "nodes", "rack", "line_mesh", *_EDGE_KINDS}
        for key in data:
            if key not in known:
                raise CaseFileError(f"{p}: unknown key {key!r}; expected one of {sorted(known)}")
        coolant = data.get("coolant", "PG25")
        if isinstance(coolant, dict):
            try:
                coolant = Coolant(**coolant)
            except TypeError as exc:
                raise CaseFileError(f"{p}: [coolant]: {exc}") from None
        models: dict[str, ColdPlateModel] = {}
        for mname, mdata in data.get("models", {}).items():
            where = f"{p}: models.{mname}"
            if not isinstance(mdata, dict):
                raise CaseFileError(f"{where}: expected a table")
            if "file" in mdata:
                models[mname] = ColdPlateModel.load(p.parent / str(mdata["file"]))
            else:
                try:
                    models[mname] = ColdPlateModel.from_points(**mdata)
                except TypeError as exc:
                    raise CaseFileError(f"{where}: {exc}") from None
        if "line_mesh" in data:
            lm = data["line_mesh"]
            where = f"{p}: line_mesh"
            if not isinstance(lm, dict) or "file" not in lm:
                raise CaseFileError(f"{where}: expected a table with 'file' (and 'components')")
            extra = sorted(set(lm) - {"file", "components", "length_scale"})
            if extra:
                raise CaseFileError(
                    f"{where}: unknown key {extra[0]!r}; allowed: components, file, length_scale"
                )
            return cls.from_line_mesh(
                p.parent / str(lm["file"]),
                lm.get("components", {}),
                coolant=coolant,
                models=models,
                length_scale=float(lm.get("length_scale", 1.0)),
                name=str(data.get("name", p.stem)),
            )
        if "rack" in data:
            args = dict(data["rack"])
            if "model" in args:
                args["model"] = _lookup_model(models, args["model"], f"{p}: rack.model")
            _check_keys(cls.rack, args, f"{p}: rack")
            return cls.rack(coolant=coolant, **args)
        net = cls(coolant, name=str(data.get("name", p.stem)))
        for i, nd in enumerate(data.get("nodes", [])):
            if "name" not in nd:
                raise CaseFileError(f"{p}: nodes[{i}]: missing key 'name'")
            args = {k: v for k, v in nd.items() if k != "name"}
            _check_keys(net.node, args, f"{p}: nodes[{i}]")
            net.node(nd["name"], **args)
        for kind in _EDGE_KINDS:
            for i, entry in enumerate(data.get(kind, [])):
                where = f"{p}: {kind}[{i}]"
                if not isinstance(entry, dict):
                    raise CaseFileError(f"{where}: expected a table")
                args = dict(entry)
                for key in ("from", "to"):
                    if key not in args:
                        raise CaseFileError(f"{where}: missing key {key!r}")
                a, b = str(args.pop("from")), str(args.pop("to"))
                if kind == "cold_plate" and "model" in args:
                    args["model"] = _lookup_model(models, args["model"], f"{where}.model")
                method = getattr(net, kind)
                _check_keys(method, args, where)
                method(a, b, **args)
        return net


_EDGE_KINDS = (
    "pipe",
    "duct",
    "loss",
    "contraction",
    "expansion",
    "cold_plate",
    "pump",
    "flow_source",
    "cdu",
)


def _lookup_model(models: dict[str, ColdPlateModel], key: Any, where: str) -> ColdPlateModel:
    if key not in models:
        raise CaseFileError(f"{where}: unknown model {key!r}; defined models: {sorted(models)}")
    return models[key]


def _check_keys(
    method: Any, args: dict[str, Any], where: str, error: type[Exception] = CaseFileError
) -> None:
    sig = inspect.signature(method)
    allowed = {
        n
        for n, prm in sig.parameters.items()
        if prm.kind in (prm.KEYWORD_ONLY, prm.POSITIONAL_OR_KEYWORD) and n not in ("a", "b", "coolant")
    }
    for key in args:
        if key not in allowed:
            raise error(f"{where}: unknown key {key!r}; allowed: {sorted(allowed)}")
    missing = [
        n
        for n, prm in sig.parameters.items()
        if prm.kind == prm.KEYWORD_ONLY and prm.default is inspect.Parameter.empty and n not in args
    ]
    if missing:
        raise error(f"{where}: missing key {missing[0]!r}")


def _rack_pump_curve(n_plates: int) -> list[tuple[float, float]]:
    """A variable-speed CDU pump sized for ~1.3 L/min per plate (~25-40 kPa)."""
    q = 1.3 * n_plates
    return [(0.0, 60e3), (0.5 * q, 55e3), (q, 40e3), (1.5 * q, 18e3), (2.0 * q, 0.0)]


def _add_rack(
    net: Network,
    p: str,
    *,
    servers: int,
    plates: int,
    model: ColdPlateModel,
    power_w: float,
    reverse: bool,
    manifold_d: float,
    pitch: float,
    hose_d: float,
    hose_l: float,
    qd_k: float,
    branch_d: float,
    branch_l: float,
    origin: tuple[float, float],
) -> None:
    if servers < 1 or plates < 1:
        raise NetworkError(f"rack: servers and plates_per_server must be >= 1, got {servers}, {plates}")
    x0, y0 = origin
    z0 = 0.3  # the CDU sits at the bottom of the rack
    pos = net.positions
    pos[f"{p}cdu_in"] = (x0 + 0.15, y0 + 0.5, 0.05)
    pos[f"{p}cdu_out"] = (x0 + 0.05, y0 + 0.5, 0.05)
    net.node(f"{p}cdu_in", elevation_m=0.05)
    net.node(f"{p}cdu_out", elevation_m=0.05)
    for s in range(servers):
        z = z0 + s * pitch
        for nm, xx in ((f"{p}s{s}", 0.05), (f"{p}r{s}", 0.15)):
            net.node(nm, elevation_m=z, position_m=(x0 + xx, y0 + 0.5, z))
        if s > 0:
            net.pipe(
                f"{p}s{s - 1}",
                f"{p}s{s}",
                diameter_m=manifold_d,
                length_m=pitch,
                name=f"{p}supply{s}",
            )
            if reverse:
                net.pipe(
                    f"{p}r{s - 1}",
                    f"{p}r{s}",
                    diameter_m=manifold_d,
                    length_m=pitch,
                    name=f"{p}return{s}",
                )
            else:
                net.pipe(
                    f"{p}r{s}",
                    f"{p}r{s - 1}",
                    diameter_m=manifold_d,
                    length_m=pitch,
                    name=f"{p}return{s}",
                )
        a, b, dist, coll = f"{p}srv{s}_a", f"{p}srv{s}_b", f"{p}srv{s}_in", f"{p}srv{s}_out"
        for nm, xx, yy in ((a, 0.05, 0.45), (b, 0.15, 0.45), (dist, 0.05, 0.1), (coll, 0.15, 0.1)):
            net.node(nm, elevation_m=z, position_m=(x0 + xx, y0 + yy, z))
        net.loss(f"{p}s{s}", a, k=qd_k, diameter_m=hose_d, name=f"{p}qd_in{s}")
        net.pipe(a, dist, diameter_m=hose_d, length_m=hose_l, name=f"{p}hose_in{s}")
        net.pipe(coll, b, diameter_m=hose_d, length_m=hose_l, name=f"{p}hose_out{s}")
        net.loss(b, f"{p}r{s}", k=qd_k, diameter_m=hose_d, name=f"{p}qd_out{s}")
        for j in range(plates):
            pin, pout = f"{p}p{s}_{j}_in", f"{p}p{s}_{j}_out"
            yy = y0 + 0.1 - 0.05 * (j + 1)
            net.node(pin, elevation_m=z, position_m=(x0 + 0.05, yy, z + 0.02))
            net.node(pout, elevation_m=z, position_m=(x0 + 0.15, yy, z + 0.02))
            net.pipe(dist, pin, diameter_m=branch_d, length_m=branch_l, name=f"{p}tube_in{s}_{j}")
            net.cold_plate(pin, pout, model=model, power_w=power_w, name=f"{p}gpu{s}_{j}")
            net.pipe(pout, coll, diameter_m=branch_d, length_m=branch_l, name=f"{p}tube_out{s}_{j}")
    top = f"{p}r{servers - 1}" if reverse else f"{p}r0"
    net.pipe(
        top,
        f"{p}cdu_in",
        diameter_m=manifold_d,
        length_m=0.5 + (pitch * servers if reverse else 0.3),
        name=f"{p}return_riser",
    )


class NetworkResult:
    """Solution of a :class:`Network`: flows, pressures, temperatures, cold-plate table."""

    def __init__(
        self, network: Network, data: dict[str, Any], timing: dict[str, float] | None = None
    ) -> None:
        self.network = network
        self.raw = data
        self.timing = timing or {}
        self.warnings: list[str] = list(data["warnings"])
        self.iterations: dict[str, int] = dict(data["iterations"])
        self.energy_balance: dict[str, float] = dict(data["energy_balance"])
        self.max_mass_imbalance: float = float(data["max_mass_imbalance"])

    @cached_property
    def nodes(self) -> pd.DataFrame:
        """Per node: pressure_pa, temperature_c, elevation_m, mass_imbalance (index: name)."""
        import pandas as pd

        nodes = pd.DataFrame(self.raw["nodes"]).set_index("name")
        nodes["temperature_c"] = nodes["temperature_k"] - _K
        return nodes

    @cached_property
    def edges(self) -> pd.DataFrame:
        """Per edge: kind, from, to, flow_lpm, pressure_drop_pa, inlet_c, outlet_c, heat_w, ..."""
        import pandas as pd

        edges = pd.DataFrame(self.raw["edges"]).set_index("name")
        edges["flow_lpm"] = edges["flow_m3_s"] / _LPM
        edges["inlet_c"] = edges["inlet_temperature_k"] - _K
        edges["outlet_c"] = edges["outlet_temperature_k"] - _K
        return edges

    def _edge_row(self, edge_or_name: Edge | str) -> pd.Series:
        key = edge_or_name.name if isinstance(edge_or_name, Edge) else edge_or_name
        if key not in self.edges.index:
            raise CaseError(f"unknown edge {key!r}")
        return self.edges.loc[key]

    def _node_row(self, node: str) -> pd.Series:
        if node not in self.nodes.index:
            raise CaseError(f"unknown node {node!r}")
        return self.nodes.loc[node]

    def flow_lpm(self, edge_or_name: Edge | str) -> float:
        """Volume flow [L/min] through an edge (positive from its first to its second node)."""
        return float(self._edge_row(edge_or_name)["flow_lpm"])

    def pressure_drop_pa(self, edge_or_name: Edge | str) -> float:
        """p(first node) - p(second node) [Pa]."""
        return float(self._edge_row(edge_or_name)["pressure_drop_pa"])

    def pressure_pa(self, node: str) -> float:
        """Static pressure [Pa] at a node (relative to the reference node)."""
        return float(self._node_row(node)["pressure_pa"])

    def temperature_c(self, node: str) -> float:
        """Coolant temperature [°C] at a node."""
        return float(self._node_row(node)["temperature_c"])

    def cold_plates(self) -> pd.DataFrame:
        """One row per cold plate: name, flow_lpm, inlet_c, outlet_c, pressure_drop_pa,
        thermal_resistance_k_w, gpu_temperature_c, power_w."""
        import pandas as pd

        df = pd.DataFrame(self.raw["cold_plates"])
        if df.empty:
            return pd.DataFrame(
                columns=[
                    "name",
                    "flow_lpm",
                    "inlet_c",
                    "outlet_c",
                    "pressure_drop_pa",
                    "thermal_resistance_k_w",
                    "gpu_temperature_c",
                    "power_w",
                ]
            )
        return pd.DataFrame(
            {
                "name": df["name"],
                "flow_lpm": df["flow_m3_s"] / _LPM,
                "inlet_c": df["inlet_temperature_k"] - _K,
                "outlet_c": df["outlet_temperature_k"] - _K,
                "pressure_drop_pa": df["pressure_drop_pa"],
                "thermal_resistance_k_w": df["thermal_resistance_k_w"],
                "gpu_temperature_c": df["gpu_temperature_k"] - _K,
                "power_w": df["power_w"],
            }
        )

    def summary(self) -> NetworkSummary:
        """Worst GPU, maldistribution, pump operating points, pumping power, energy balance."""
        plates = self.cold_plates()
        d: dict[str, Any] = {
            "network": self.network.name,
            "coolant": self.network.coolant.name,
            "cold_plates": len(plates),
        }
        if len(plates):
            worst = plates.loc[plates["gpu_temperature_c"].idxmax()]
            d["worst_gpu"] = worst["name"]
            d["worst_gpu_temperature_c"] = float(worst["gpu_temperature_c"])
            d["worst_gpu_flow_lpm"] = float(worst["flow_lpm"])
            d["best_gpu_temperature_c"] = float(plates["gpu_temperature_c"].min())
            d["plate_flow_min_lpm"] = float(plates["flow_lpm"].min())
            d["plate_flow_max_lpm"] = float(plates["flow_lpm"].max())
            d["maldistribution_max_over_min"] = d["plate_flow_max_lpm"] / d["plate_flow_min_lpm"]
        pumps = self.edges[self.edges["kind"].isin(["pump", "flow_source"])]
        if len(pumps) <= 3:
            for name, row in pumps.iterrows():
                d[f"pump {name} flow_lpm"] = float(row["flow_lpm"])
                d[f"pump {name} pressure_rise_pa"] = float(-row["pressure_drop_pa"])
        else:
            d["pumps"] = len(pumps)
            d["pump_flow_range_lpm"] = f"{pumps['flow_lpm'].min():.4g} .. {pumps['flow_lpm'].max():.4g}"
            rise = -pumps["pressure_drop_pa"]
            d["pump_rise_range_pa"] = f"{rise.min():.4g} .. {rise.max():.4g}"
        d["pumping_power_w"] = float(pumps["hydraulic_power_w"].sum())
        d["heat_in_w"] = self.energy_balance["heat_in_w"]
        d["heat_out_w"] = self.energy_balance["heat_out_w"]
        d["energy_balance_error"] = self.energy_balance["relative_error"]
        d["max_mass_imbalance"] = self.max_mass_imbalance
        d["newton_iterations"] = self.iterations["newton"]
        d["coupling_passes"] = self.iterations["coupling"]
        if "core_s" in self.timing:
            d["solve_time_s"] = self.timing["core_s"]
        return NetworkSummary(d)

    # ---------------------------------------------------------------- drawing
    def _positions(self) -> dict[str, np.ndarray]:
        pos = {k: np.asarray(v, dtype=float) for k, v in self.network.positions.items()}
        missing = [n for n in self.nodes.index if n not in pos]
        if missing:
            # Layered layout along the flow for nodes without positions.
            order = {n: i for i, n in enumerate(self.nodes.index)}
            for i, n in enumerate(missing):
                pos[n] = np.array([float(i % 20), float(order[n] // 20), 0.0]) * 0.2
        return pos

    def render(
        self,
        path: str | Path | None = None,
        *,
        by: str = "temperature",
        window_size: tuple[int, int] = (1024, 768),
        radius_m: float | None = None,
        off_screen: bool = True,
    ) -> Any:
        """Draws the loop as tubes coloured by ``temperature`` (°C) or ``flow`` (L/min);
        writes a PNG when ``path`` is given. Returns the pyvista plotter (closed if saved)."""
        import pyvista as pv

        from rackflow.viz import ensure_headless_backend

        if by not in ("temperature", "flow"):
            raise CaseError(f"render: by must be 'temperature' or 'flow', got {by!r}")
        if off_screen:
            ensure_headless_backend()  # EGL or OSMesa without a display, not VTK's X warnings
        pos = self._positions()
        pts, lines, values = [], [], []
        for _name, row in self.edges.iterrows():
            a, b = pos[row["from"]], pos[row["to"]]
            if np.allclose(a, b):
                b = a + np.array([0.0, 0.0, 0.01])
            base = len(pts)
            pts.extend([a, b])
            lines.extend([2, base, base + 1])
            if by == "temperature":
                ta, tb = (
                    (row["inlet_c"], row["outlet_c"])
                    if row["flow_lpm"] >= 0
                    else (row["outlet_c"], row["inlet_c"])
                )
                values.extend([ta, tb])
            else:
                values.extend([abs(row["flow_lpm"])] * 2)
        poly = pv.PolyData(np.asarray(pts), lines=np.asarray(lines))
        label = "temperature [°C]" if by == "temperature" else "flow [L/min]"
        poly.point_data[label] = np.asarray(values)
        span = float(np.ptp(np.asarray(pts), axis=0).max()) or 1.0
        tubes = poly.tube(radius=radius_m or span / 300.0, n_sides=12)
        plotter = pv.Plotter(off_screen=off_screen, window_size=list(window_size))
        plotter.add_mesh(tubes, scalars=label, cmap="coolwarm" if by == "temperature" else "viridis")
        plotter.add_text(f"{self.network.name}: {label}", font_size=10)
        plotter.view_isometric()
        if path is not None:
            plotter.screenshot(str(path))
            plotter.close()
        return plotter

    def plot_gpu_temperatures(self, path: str | Path | None = None, *, limit_c: float | None = None) -> Any:
        """Bar chart of GPU temperatures (worst in red); saved to ``path`` if given."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        plates = self.cold_plates()
        fig, ax = plt.subplots(figsize=(max(6.0, 0.12 * len(plates) + 2), 4))
        colors = ["tab:blue"] * len(plates)
        if len(plates):
            colors[int(plates["gpu_temperature_c"].to_numpy().argmax())] = "tab:red"
        ax.bar(range(len(plates)), plates["gpu_temperature_c"], color=colors)
        if limit_c is not None:
            ax.axhline(limit_c, color="k", ls="--", lw=1, label=f"limit {limit_c:g} °C")
            ax.legend()
        ax.set_xlabel("cold plate")
        ax.set_ylabel("GPU temperature [°C]")
        if len(plates) <= 80:
            ax.set_xticks(range(len(plates)), plates["name"], rotation=90, fontsize=6)
        lo = float(plates["gpu_temperature_c"].min()) if len(plates) else 0.0
        ax.set_ylim(bottom=lo - 5.0)
        ax.set_title(f"{self.network.name}: GPU temperatures")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=100)
            plt.close(fig)
        return fig


class NetworkSummary(dict):
    """The summary of a network solve; prints as a table, ``to_dict()`` gives the values."""

    def to_dict(self) -> dict[str, Any]:
        return dict(self)

    def __str__(self) -> str:
        width = max(len(k) for k in self)
        rows = []
        for k, v in self.items():
            text = f"{v:.6g}" if isinstance(v, float) else str(v)
            rows.append(f"{k.ljust(width)}  {text}")
        return "\n".join(rows)


__all__ = ["Edge", "Network", "NetworkResult", "NetworkSummary", "default_cold_plate_model"]
