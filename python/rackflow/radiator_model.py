"""Radiator-panel characteristics: heat rejected and pressure drop against flow and inlet temperature.

A :class:`RadiatorModel` is to a pumped-loop radiator panel what a
:class:`~rackflow.coldplate_model.ColdPlateModel` is to a cold plate: the curves a coolant
network uses for every panel, from 3D solves (:func:`rackflow.characterise_radiator`) or from
data (:meth:`RadiatorModel.from_points`).

**The thermal model.** Coolant of heat-capacity rate ``C = ṁ c_p`` enters at ``T_in`` and
cools along the panel as it radiates::

    C dT/dx = −(A_eff / L) ε σ (T⁴ − T_e⁴),      T_e⁴ = T_sink⁴ + q_abs / (ε σ)

so that ``G(T_in) − G(T_out) = ε σ A_eff / C`` with ``G' = 1/(T⁴ − T_e⁴)``, in closed form::

    G(T) = [ln|(T − T_e)/(T + T_e)| − 2 arctan(T/T_e)] / (4 T_e³)

(evaluated for ``T ≫ T_e`` as ``−T⁻³ Σ_j (T_e/T)^{4j}/(4j + 3)``, free of the cancellation
of the closed form). The heat rejected is ``Q = C (T_in − T_out)``. ``A_eff`` is the
effective radiating area: the panel's area times its fin efficiency, less what the coolant
film and the tube wall hold back. It is found from each characterised point by inverting the
relation exactly (so the model reproduces its points to round-off) and interpolated linearly
in ln(flow) and in inlet temperature (held at the ends of the range outside it).

**Another environment** (an absorbed flux or sink other than the characterisation's) enters
through ``T_e`` with the same ``A_eff``: the fin efficiency is applied to the net exchange
with the effective sink. This is exact for the characterised environment and an approximation
elsewhere (the fin efficiency of a radiating fin depends weakly on its sink temperature;
Lieblein's parameter involves ``T_e/T_b``); the tests measure it against 3D solves.

**Pressure drop**: ``ΔP = a·x + b·x²`` (``x = Q / 1 L/min``, ``a, b ≥ 0``) fitted at each
characterised inlet temperature, the coefficients interpolated linearly between them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rackflow.coolants import PROPERTY_NAMES, Coolant, get_coolant
from rackflow.errors import CaseError, CaseFileError
from rackflow.orbit import STEFAN_BOLTZMANN, OrbitProfile, Transient, _dormand_prince
from rackflow.profile import Profile
from rackflow.thermal_ladder import _nonneg_lstsq
from rackflow.units import kelvin

_LPM = 1.0 / 60_000.0  # m³/s per L/min
_FORMAT = "rackflow.RadiatorModel"


def _g(t: float, a: float) -> float:
    """An antiderivative of 1/(T⁴ − a⁴) (T ≠ a, both > 0)."""
    u = a / t
    if u < 0.5:
        # −T⁻³ Σ u^{4j}/(4j + 3): the closed form less its constant −π/(4a³), without cancellation
        s, term, j = 0.0, 1.0, 0
        u4 = u**4
        while True:
            add = term / (4 * j + 3)
            s += add
            if add < 1e-17 * s:
                break
            term *= u4
            j += 1
        return -s / t**3
    return (math.log(abs((t - a) / (t + a))) + 2.0 * math.atan(u)) / (4.0 * a**3)


def _outlet_k(t_in: float, a: float, ntu: float) -> float:
    """Outlet temperature (K) of coolant entering at ``t_in`` (K) with ``εσA_eff/C = ntu`` (K⁻³)
    against the effective sink ``a`` (K): solves ``G(T_out) = G(T_in) − ntu`` on T_in's side of a."""
    if ntu <= 0.0 or t_in == a:
        return t_in
    target = _g(t_in, a) - ntu
    lo, hi = (a, t_in) if t_in > a else (t_in, a)
    t = t_in
    for _ in range(200):
        # Newton on G(T) = target (G' = 1/(T⁴ − a⁴)), kept inside the bracket
        step = (_g(t, a) - target) * (t**4 - a**4)
        cand = t - step
        if t_in > a:
            if _g(t, a) > target:
                hi = t
            else:
                lo = t
        else:
            if _g(t, a) > target:
                lo = t
            else:
                hi = t
        if not (lo < cand < hi):
            cand = 0.5 * (lo + hi)
        if abs(cand - t) <= 1e-13 * t:
            return cand
        t = cand
    return t


def _check_fraction(what: str, value: float) -> float:
    v = float(value)
    if not (math.isfinite(v) and 0.0 < v <= 1.0):
        raise CaseError(f"RadiatorModel: {what} must lie in (0, 1], got {value!r}")
    return v


class RadiatorModel:
    """Heat rejected and pressure drop of one radiator panel against flow and inlet temperature.

    Build one with :func:`rackflow.characterise_radiator` (3D solves) or :meth:`from_points`.
    ``effective_area_m2`` is a table over ``inlet_c`` (rows) and ``flow_lpm`` (columns);
    ``pressure_coefficients_pa`` holds ``(a, b)`` of ``ΔP = a x + b x²`` per inlet temperature.
    """

    def __init__(
        self,
        *,
        flow_lpm: Sequence[float],
        inlet_c: Sequence[float],
        effective_area_m2: npt.ArrayLike,
        pressure_coefficients_pa: npt.ArrayLike,
        radiating_area_m2: float,
        emissivity: float,
        sink_c: float = -270.15,
        absorbed_flux_w_m2: float = 0.0,
        coolant: str | Coolant = "PG25",
        heat_capacity_j_k: float | None = None,
        points: dict[str, list[float]] | None = None,
        name: str = "",
    ) -> None:
        self.flow_lpm = np.asarray(flow_lpm, dtype=float)
        self.inlet_c = np.asarray(inlet_c, dtype=float)
        self.effective_area_m2 = np.asarray(effective_area_m2, dtype=float).reshape(
            len(self.inlet_c), len(self.flow_lpm)
        )
        self.pressure_coefficients_pa = np.asarray(pressure_coefficients_pa, dtype=float).reshape(
            len(self.inlet_c), 2
        )
        if len(self.flow_lpm) < 1 or np.any(np.diff(self.flow_lpm) <= 0) or np.any(self.flow_lpm <= 0):
            raise CaseError(f"RadiatorModel: flow_lpm must be positive and increasing, got {self.flow_lpm}")
        if len(self.inlet_c) < 1 or np.any(np.diff(self.inlet_c) <= 0):
            raise CaseError(f"RadiatorModel: inlet_c must be increasing, got {self.inlet_c}")
        for what, arr in (
            ("effective_area_m2", self.effective_area_m2),
            ("pressure_coefficients_pa", self.pressure_coefficients_pa),
        ):
            if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise CaseError(f"RadiatorModel: {what} must be finite and >= 0")
        self.radiating_area_m2 = float(radiating_area_m2)
        if not (math.isfinite(self.radiating_area_m2) and self.radiating_area_m2 > 0):
            raise CaseError(f"RadiatorModel: radiating_area_m2 must be > 0, got {radiating_area_m2!r}")
        self.emissivity = _check_fraction("emissivity", emissivity)
        self.sink_c = float(sink_c)
        if not (math.isfinite(self.sink_c) and self.sink_c > -273.15):
            raise CaseError(f"RadiatorModel: sink_c must be above absolute zero (-273.15 °C), got {sink_c!r}")
        self.absorbed_flux_w_m2 = float(absorbed_flux_w_m2)
        if not (math.isfinite(self.absorbed_flux_w_m2) and self.absorbed_flux_w_m2 >= 0):
            raise CaseError(f"RadiatorModel: absorbed_flux_w_m2 must be >= 0, got {absorbed_flux_w_m2!r}")
        self.coolant = get_coolant(coolant)
        self.heat_capacity_j_k = None if heat_capacity_j_k is None else float(heat_capacity_j_k)
        self.points = points or {}
        self.name = name

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_points(
        cls,
        *,
        flow_lpm: npt.ArrayLike,
        inlet_c: npt.ArrayLike,
        heat_rejected_w: npt.ArrayLike,
        pressure_drop_pa: npt.ArrayLike,
        radiating_area_m2: float,
        emissivity: float,
        sink_c: float = -270.15,
        absorbed_flux_w_m2: float = 0.0,
        coolant: str | Coolant = "PG25",
        heat_capacity_j_k: float | None = None,
        name: str = "",
    ) -> RadiatorModel:
        """A model from measured or computed points on a full grid of flows × inlet temperatures
        (one entry per point, any order), at the environment given (``absorbed_flux_w_m2`` is the
        mean over ``radiating_area_m2``)."""
        q = np.asarray(flow_lpm, dtype=float).ravel()
        t = np.asarray(inlet_c, dtype=float).ravel()
        heat = np.asarray(heat_rejected_w, dtype=float).ravel()
        dp = np.asarray(pressure_drop_pa, dtype=float).ravel()
        if not (len(q) == len(t) == len(heat) == len(dp)) or len(q) == 0:
            raise CaseError(
                "RadiatorModel.from_points: give one flow, inlet temperature, heat and ΔP per point"
            )
        if not np.all(np.isfinite(np.concatenate([q, t, heat, dp]))):
            raise CaseError("RadiatorModel.from_points: every value must be finite")
        flows, temps = np.unique(q), np.unique(t)
        if len(flows) * len(temps) != len(q):
            raise CaseError(
                f"RadiatorModel.from_points: the points must cover a full grid of flows × inlet "
                f"temperatures (got {len(q)} points on {len(flows)} flows × {len(temps)} temperatures)"
            )
        eps = _check_fraction("emissivity", emissivity)
        coolant_obj = get_coolant(coolant)
        te = _effective_sink_k(sink_c, absorbed_flux_w_m2, eps)
        area = np.zeros((len(temps), len(flows)))
        coefs = np.zeros((len(temps), 2))
        for i, tin in enumerate(temps):
            for j, flow in enumerate(flows):
                k = np.flatnonzero((q == flow) & (t == tin))
                if len(k) != 1:
                    raise CaseError(f"RadiatorModel.from_points: point ({flow} L/min, {tin} °C) given twice")
                c = _capacity_w_k(coolant_obj, flow, tin)
                t_in = kelvin(tin)
                t_out = t_in - heat[k[0]] / c
                if (t_in - te) * (t_out - te) <= 0 or heat[k[0]] * (t_in - te) < 0:
                    raise CaseError(
                        f"RadiatorModel.from_points: at {flow:g} L/min and {tin:g} °C the panel rejects "
                        f"{heat[k[0]]:.4g} W, which crosses or opposes the effective sink "
                        f"({te - 273.15:.2f} °C)"
                    )
                area[i, j] = (
                    c * (_g(t_in, te) - _g(t_out, te)) / (eps * STEFAN_BOLTZMANN) if t_out != t_in else 0.0
                )
            sel = t == tin
            x = q[sel]
            basis = np.column_stack([x, x * x]) / np.maximum(dp[sel], 1e-300)[:, None]
            coefs[i] = _nonneg_lstsq(basis, np.ones(len(x))) if np.all(dp[sel] > 0) else 0.0
        return cls(
            flow_lpm=flows,
            inlet_c=temps,
            effective_area_m2=area,
            pressure_coefficients_pa=coefs,
            radiating_area_m2=radiating_area_m2,
            emissivity=eps,
            sink_c=sink_c,
            absorbed_flux_w_m2=absorbed_flux_w_m2,
            coolant=coolant_obj,
            heat_capacity_j_k=heat_capacity_j_k,
            points={
                "flow_lpm": q.tolist(),
                "inlet_c": t.tolist(),
                "heat_rejected_w": heat.tolist(),
                "pressure_drop_pa": dp.tolist(),
            },
            name=name,
        )

    # ------------------------------------------------------------------ evaluation
    def _interp_area(self, flow_lpm: float, inlet_c: float) -> float:
        lq = np.log(self.flow_lpm)
        x = math.log(max(flow_lpm, 1e-300))
        rows = [np.interp(x, lq, row) if len(lq) > 1 else row[0] for row in self.effective_area_m2]
        return float(np.interp(inlet_c, self.inlet_c, rows)) if len(rows) > 1 else float(rows[0])

    def effective_area_m2_at(self, flow_lpm: float, inlet_c: float) -> float:
        """``A_eff`` (m²) at a flow and inlet temperature (interpolated; held outside the range)."""
        return self._interp_area(float(flow_lpm), float(inlet_c))

    def outlet_temperature_c(
        self,
        flow_lpm: float,
        inlet_c: float,
        *,
        absorbed_flux_w_m2: float | None = None,
        sink_c: float | None = None,
    ) -> float:
        """Coolant outlet temperature, °C (environment: the characterisation's unless given)."""
        flow, tin = float(flow_lpm), float(inlet_c)
        if not (math.isfinite(flow) and flow > 0 and math.isfinite(tin)):
            raise CaseError(
                f"RadiatorModel: need a positive flow and a finite inlet temperature, got {flow_lpm!r}, {inlet_c!r}"
            )
        te = _effective_sink_k(
            self.sink_c if sink_c is None else sink_c,
            self.absorbed_flux_w_m2 if absorbed_flux_w_m2 is None else absorbed_flux_w_m2,
            self.emissivity,
        )
        c = _capacity_w_k(self.coolant, flow, tin)
        ntu = self.emissivity * STEFAN_BOLTZMANN * self._interp_area(flow, tin) / c
        return _outlet_k(kelvin(tin), te, ntu) - 273.15

    def heat_rejected_w(
        self,
        flow_lpm: float,
        inlet_c: float,
        *,
        absorbed_flux_w_m2: float | None = None,
        sink_c: float | None = None,
    ) -> float:
        """Net heat the panel takes from the coolant (radiated less absorbed), W."""
        t_out = self.outlet_temperature_c(
            flow_lpm, inlet_c, absorbed_flux_w_m2=absorbed_flux_w_m2, sink_c=sink_c
        )
        return _capacity_w_k(self.coolant, float(flow_lpm), float(inlet_c)) * (float(inlet_c) - t_out)

    def pressure_drop_pa(self, flow_lpm: npt.ArrayLike, inlet_c: float | None = None) -> Any:
        """Pressure drop, Pa (at ``inlet_c``, default the middle of the characterised range)."""
        t = 0.5 * (self.inlet_c[0] + self.inlet_c[-1]) if inlet_c is None else float(inlet_c)
        if len(self.inlet_c) > 1:
            a = np.interp(t, self.inlet_c, self.pressure_coefficients_pa[:, 0])
            b = np.interp(t, self.inlet_c, self.pressure_coefficients_pa[:, 1])
        else:
            a, b = self.pressure_coefficients_pa[0]
        x = np.asarray(flow_lpm, dtype=float)
        return a * x + b * x * x

    def __repr__(self) -> str:
        return (
            f"RadiatorModel({self.name!r}: {self.radiating_area_m2:.4g} m² radiating, ε {self.emissivity:g}, "
            f"{self.flow_lpm[0]:g}–{self.flow_lpm[-1]:g} L/min, {self.inlet_c[0]:g}–{self.inlet_c[-1]:g} °C, "
            f"A_eff {self.effective_area_m2.min():.4g}–{self.effective_area_m2.max():.4g} m²)"
        )

    def in_parallel(self, count: float, *, name: str = "") -> RadiatorModel:
        """``count`` of these panels side by side, fed in parallel (a radiator wing of ``count``
        tube segments): flows, areas, heat and heat capacity times ``count``, the pressure drop
        of one panel at ``1/count`` of the flow. ``count`` may be fractional (sizing)."""
        n = float(count)
        if not (math.isfinite(n) and n > 0):
            raise CaseError(f"RadiatorModel.in_parallel: count must be > 0, got {count!r}")
        a, b = self.pressure_coefficients_pa[:, 0], self.pressure_coefficients_pa[:, 1]
        pts = dict(self.points)
        if pts:
            pts = {
                **pts,
                "flow_lpm": [q * n for q in pts["flow_lpm"]],
                "heat_rejected_w": [h * n for h in pts["heat_rejected_w"]],
            }
        return RadiatorModel(
            flow_lpm=self.flow_lpm * n,
            inlet_c=self.inlet_c,
            effective_area_m2=self.effective_area_m2 * n,
            pressure_coefficients_pa=np.column_stack([a / n, b / n**2]),
            radiating_area_m2=self.radiating_area_m2 * n,
            emissivity=self.emissivity,
            sink_c=self.sink_c,
            absorbed_flux_w_m2=self.absorbed_flux_w_m2,
            coolant=self.coolant,
            heat_capacity_j_k=None if self.heat_capacity_j_k is None else self.heat_capacity_j_k * n,
            points=pts,
            name=name or f"{n:g} × {self.name}",
        )

    # ------------------------------------------------------------------ in time
    def simulate(
        self,
        *,
        power_w: float | Callable[[float], float],
        flow_lpm: float,
        heat_capacity_j_k: float | None = None,
        absorbed_flux_w_m2: float | Profile | OrbitProfile | Callable[[float], float] | None = None,
        end_time_s: float,
        initial_c: float,
        output_times_s: Sequence[float] | np.ndarray | None = None,
        rtol: float = 1e-8,
        atol: float = 1e-8,
    ) -> Transient:
        """A pumped loop through this panel in time, lumped: ``C dT_in/dt = P(t) − Q(ṁ, T_in, q(t))``.

        ``T_in`` is the panel's inlet (the loop's hottest point, the heat load being just
        upstream); ``C`` (``heat_capacity_j_k``, default the model's) the loop's heat capacity
        (panels, coolant, plates); ``absorbed_flux_w_m2`` (W/m², the mean over the radiating
        area) a number, a :class:`~rackflow.Profile`, an :class:`~rackflow.orbit.OrbitProfile`
        (periodic) or a function of time. Quasi-steady panel: its own response (the coolant's transit, a few seconds) is
        short against an orbit. Returns the inlet temperature at ``output_times_s``."""
        cap = self.heat_capacity_j_k if heat_capacity_j_k is None else float(heat_capacity_j_k)
        if cap is None or not (math.isfinite(cap) and cap > 0):
            raise CaseError("RadiatorModel.simulate: give heat_capacity_j_k > 0 (J/K of the loop)")
        flow = float(flow_lpm)
        end = float(end_time_s)
        power = power_w if callable(power_w) else (lambda _t, p=float(power_w): p)
        breaks: list[float] = []
        if absorbed_flux_w_m2 is None:
            absorbed: Callable[[float], float] = lambda _t: self.absorbed_flux_w_m2  # noqa: E731
        elif isinstance(absorbed_flux_w_m2, Profile):
            given = absorbed_flux_w_m2
            absorbed = lambda t: float(given.at(t))  # noqa: E731
            breaks = [float(b) for b in given.breakpoints_s]
        elif isinstance(absorbed_flux_w_m2, OrbitProfile):
            prof = absorbed_flux_w_m2
            absorbed = lambda t: float(prof(t))  # noqa: E731
            orbits = int(end // prof.period_s) + 1
            breaks = [k * prof.period_s + s for k in range(orbits) for s in (*prof.time_s, *prof.events_s)]
        elif callable(absorbed_flux_w_m2):
            absorbed = absorbed_flux_w_m2
        else:
            q_const = float(absorbed_flux_w_m2)
            absorbed = lambda _t: q_const  # noqa: E731
        out = (
            np.linspace(0.0, end, 500) if output_times_s is None else np.asarray(output_times_s, dtype=float)
        )
        stops = sorted({0.0, end, *(b for b in [*breaks, *out.tolist()] if 0.0 < b < end)})

        def rhs(t: float, y: float) -> float:
            q = self.heat_rejected_w(flow, y - 273.15, absorbed_flux_w_m2=max(0.0, absorbed(t)))
            return (power(t) - q) / cap

        values, steps = _dormand_prince(rhs, kelvin(float(initial_c)), stops, rtol, atol)
        at = dict(zip(stops, values, strict=True))
        return Transient(
            time_s=out.copy(), temperature_c=np.array([at[float(t)] for t in out]) - 273.15, steps=steps
        )

    # ------------------------------------------------------------------ files
    def to_dict(self) -> dict[str, Any]:
        """A plain-JSON form."""
        return {
            "format": _FORMAT,
            "version": 1,
            "name": self.name,
            "flow_lpm": self.flow_lpm.tolist(),
            "inlet_c": self.inlet_c.tolist(),
            "effective_area_m2": self.effective_area_m2.tolist(),
            "pressure_coefficients_pa": self.pressure_coefficients_pa.tolist(),
            "radiating_area_m2": self.radiating_area_m2,
            "emissivity": self.emissivity,
            "sink_c": self.sink_c,
            "absorbed_flux_w_m2": self.absorbed_flux_w_m2,
            "coolant": _coolant_to_json(self.coolant),
            "heat_capacity_j_k": self.heat_capacity_j_k,
            "points": self.points,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "data") -> RadiatorModel:
        """The model :meth:`to_dict` wrote."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise CaseFileError(f"{source}: not a {_FORMAT} file")
        try:
            return cls(
                flow_lpm=data["flow_lpm"],
                inlet_c=data["inlet_c"],
                effective_area_m2=data["effective_area_m2"],
                pressure_coefficients_pa=data["pressure_coefficients_pa"],
                radiating_area_m2=data["radiating_area_m2"],
                emissivity=data["emissivity"],
                sink_c=data["sink_c"],
                absorbed_flux_w_m2=data["absorbed_flux_w_m2"],
                coolant=_coolant_from_json(data.get("coolant")),
                heat_capacity_j_k=data.get("heat_capacity_j_k"),
                points=data.get("points"),
                name=data.get("name", ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CaseFileError(f"{source}: {_FORMAT} entry missing or malformed: {exc}") from None

    def save(self, path: str | Path) -> None:
        """Writes the model as JSON."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=2))

    @classmethod
    def load(cls, path: str | Path) -> RadiatorModel:
        """Reads a model written by :meth:`save` (plain JSON; never executes code)."""
        p = Path(path)
        try:
            data = json.loads(p.read_text())
        except json.JSONDecodeError as exc:
            raise CaseFileError(f"{p}: not valid JSON: {exc}") from None
        return cls.from_dict(data, source=str(p))


def _coolant_to_json(coolant: Coolant) -> str | dict[str, Any]:
    """A library coolant by name; a constant-property one by its properties."""
    if not coolant.is_constant:
        return coolant.name
    props = coolant.properties(20.0)
    return {"name": coolant.name, **{k: float(props[k]) for k in PROPERTY_NAMES}}


def _coolant_from_json(value: Any) -> Coolant:
    if isinstance(value, dict):
        return Coolant(
            value["name"],
            **{k: value[k] for k in PROPERTY_NAMES},
        )
    return get_coolant(value or "PG25")


def _effective_sink_k(sink_c: float, absorbed_flux_w_m2: float, emissivity: float) -> float:
    """``T_e = (T_sink⁴ + q_abs/(εσ))^¼``, K."""
    s, q = float(sink_c), float(absorbed_flux_w_m2)
    if not (math.isfinite(s) and s > -273.15):
        raise CaseError(f"sink_c must be above absolute zero (-273.15 °C), got {sink_c!r}")
    if not (math.isfinite(q) and q >= 0):
        raise CaseError(f"absorbed_flux_w_m2 must be >= 0, got {absorbed_flux_w_m2!r}")
    return (kelvin(s) ** 4 + q / (emissivity * STEFAN_BOLTZMANN)) ** 0.25


def _capacity_w_k(coolant: Coolant, flow_lpm: float, inlet_c: float) -> float:
    """``ṁ c_p`` (W/K) of ``flow_lpm`` at ``inlet_c``."""
    p = coolant.properties(inlet_c)
    return float(p["density_kg_m3"]) * flow_lpm * _LPM * float(p["specific_heat_j_kgk"])


__all__ = ["RadiatorModel"]
