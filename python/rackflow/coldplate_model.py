"""Cold-plate characteristics: pressure drop and thermal resistance against flow.

A :class:`ColdPlateModel` holds smooth fitted curves, from a vendor datasheet
(:meth:`ColdPlateModel.from_points`) or from 3D solves (``rackflow.characterise``):

* pressure drop ``ΔP = a·x + b·x²`` with ``x = Q / (1 L/min)``, ``a, b ≥ 0`` (laminar plus
  inertial losses), least squares on the relative error;
* thermal resistance GPU → coolant inlet ``R = c0 + c1·x^(-n)``, ``c0, c1 ≥ 0``, ``n ≥ 0``
  (convective resistance falling with flow towards a conduction floor), least squares on
  the relative error with ``n`` found by a bounded 1-D search;
* where the points span inlet temperatures (``inlet_c``), the convective part also scales with
  ``1 + γ·(T_in − T_ref)`` (coolant properties change with temperature), and the ΔP points are
  brought to the reference temperature by the viscosity and density ratios before the fit.

Models are saved as plain JSON (loading never executes code).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rackflow.coolants import Coolant, get_coolant
from rackflow.errors import CaseError, CaseFileError
from rackflow.thermal_ladder import ThermalLadder, _nonneg_lstsq
from rackflow.units import kelvin

_LPM = 1.0 / 60_000.0  # m³/s per L/min
_FORMAT = "rackflow.ColdPlateModel"


def _fit_resistance(
    x: np.ndarray, r: np.ndarray, dt: np.ndarray | None = None
) -> tuple[float, float, float, float]:
    """``c0, c1, n, γ`` of ``R = c0 + c1·x^(-n)·(1 + γ·dt)`` (γ = 0 without ``dt``)."""

    def solve(n: float) -> tuple[float, np.ndarray]:
        cols = [np.ones_like(x), x ** (-n)]
        if dt is not None:
            cols.append(dt * x ** (-n))
        basis = np.column_stack(cols) / r[:, None]
        if dt is None:
            coef = _nonneg_lstsq(basis, np.ones_like(x))
        else:  # c0, c1 ≥ 0; the temperature term (c1·γ) takes either sign
            best: tuple[float, np.ndarray] | None = None
            for keep in ([0, 1, 2], [1, 2], [0, 2]):
                c, *_ = np.linalg.lstsq(basis[:, keep], np.ones_like(x), rcond=None)
                if np.any(c[:-1] < 0):
                    continue
                full = np.zeros(3)
                full[keep] = c
                err = float(np.sum((basis @ full - 1.0) ** 2))
                if best is None or err < best[0]:
                    best = (err, full)
            coef = best[1] if best is not None else np.zeros(3)
        return float(np.sum((basis @ coef - 1.0) ** 2)), coef

    def result(n: float) -> tuple[float, float, float, float]:
        c = solve(n)[1]
        gamma = float(c[2] / c[1]) if dt is not None and c[1] > 0 else 0.0
        return float(c[0]), float(c[1]), float(n), gamma

    if len(np.unique(x)) < 3:
        return result(0.8)  # typical laminar-to-developing exponent when the data cannot fix it
    grid = np.linspace(0.0, 3.0, 61)
    errs = [solve(n)[0] for n in grid]
    k = int(np.argmin(errs))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    g = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        if solve(a)[0] < solve(b)[0]:
            hi = b
        else:
            lo = a
    return result(0.5 * (lo + hi))


class ColdPlateModel:
    """Fitted pressure-drop and thermal-resistance curves of one cold plate."""

    def __init__(
        self,
        *,
        pressure_coefficients_pa: tuple[float, float],
        resistance_coefficients: tuple[float, float, float],
        flow_range_lpm: tuple[float, float],
        points: dict[str, list[float]] | None = None,
        coolant: str | None = None,
        temperature_c: float | None = None,
        reference_viscosity_pa_s: float | None = None,
        reference_density_kg_m3: float | None = None,
        resistance_temperature_coefficient_per_k: float = 0.0,
        temperature_range_c: tuple[float, float] | None = None,
        name: str = "",
        heat_capacity_j_k: float | None = None,
        ladder: ThermalLadder | None = None,
        ladders: Mapping[float, ThermalLadder] | None = None,
    ) -> None:
        a, b = (float(v) for v in pressure_coefficients_pa)
        if ladder is not None and not isinstance(ladder, ThermalLadder):
            raise CaseError(f"ColdPlateModel: ladder must be a ThermalLadder, got {type(ladder).__name__}")
        by_flow = _ladders_by_flow(ladders)
        if by_flow and ladder is not None:
            raise CaseError("ColdPlateModel: give ladder or ladders (by flow), not both")
        if heat_capacity_j_k is not None:
            heat_capacity_j_k = float(heat_capacity_j_k)
            if not (math.isfinite(heat_capacity_j_k) and heat_capacity_j_k >= 0):
                raise CaseError(
                    f"ColdPlateModel: heat_capacity_j_k must be finite and >= 0, got {heat_capacity_j_k}"
                )
        gamma = float(resistance_temperature_coefficient_per_k)
        if not math.isfinite(gamma):
            raise CaseError("ColdPlateModel: resistance_temperature_coefficient_per_k must be finite")
        if gamma != 0.0 and temperature_c is None:
            raise CaseError("ColdPlateModel: a temperature-dependent resistance needs temperature_c")
        if temperature_range_c is not None:
            t_lo, t_hi = (float(v) for v in temperature_range_c)
            if not (math.isfinite(t_lo) and math.isfinite(t_hi) and t_lo <= t_hi):
                raise CaseError(
                    f"ColdPlateModel: temperature range must satisfy min <= max, got {temperature_range_c}"
                )
            temperature_range_c = (t_lo, t_hi)
        c0, c1, n = (float(v) for v in resistance_coefficients)
        q_lo, q_hi = (float(v) for v in flow_range_lpm)
        for key, v in (("a", a), ("b", b), ("c0", c0), ("c1", c1), ("n", n)):
            if not (math.isfinite(v) and v >= 0):
                raise CaseError(f"ColdPlateModel: coefficient {key} must be finite and >= 0, got {v}")
        if a + b <= 0 or c0 + c1 <= 0:
            raise CaseError("ColdPlateModel: pressure drop and thermal resistance must not vanish")
        if not (0 < q_lo < q_hi and math.isfinite(q_hi)):
            raise CaseError(f"ColdPlateModel: flow range must satisfy 0 < min < max, got {flow_range_lpm}")
        self.pressure_coefficients_pa = (a, b)
        self.resistance_coefficients = (c0, c1, n)
        self.flow_range_lpm = (q_lo, q_hi)
        self.points = points or {}
        self.coolant = coolant
        self.temperature_c = temperature_c
        self.reference_viscosity_pa_s = reference_viscosity_pa_s
        self.reference_density_kg_m3 = reference_density_kg_m3
        self.resistance_temperature_coefficient_per_k = gamma
        self.temperature_range_c = temperature_range_c
        self.name = name
        #: Lumped heat capacity of the GPU package and plate [J/K] for network transients
        #: (``Network.simulate``); ``None`` leaves the network's default (308 J/K).
        self.heat_capacity_j_k = heat_capacity_j_k
        #: The junction's response in time (a :class:`~rackflow.ThermalLadder`, e.g. fitted to a
        #: 3D step response by ``characterise(..., step_response_flow_lpm=...)``):
        #: ``Network.simulate`` integrates it for the plate instead of the lumped capacity, with
        #: its resistances scaled to the curve's ``R(Q, T_in)``.
        self.ladder = ladder
        #: Ladders characterised at several flows, ``{flow_lpm: ThermalLadder}`` ascending (as
        #: many terms each; ``characterise(..., step_response_flow_lpm=[...])``):
        #: ``Network.simulate`` gives each plate the ladder at its current flow, taken again at
        #: every hydraulic solve (Cauer capacities and resistance shares interpolated in ln Q
        #: between the two characterised flows around it, the nearest one outside them; node
        #: temperatures kept across a change), with its resistances scaled to the curve's
        #: ``R(Q, T_in)``. Empty without.
        self.ladders: dict[float, ThermalLadder] = by_flow
        self.fit_error = self._fit_error()

    @classmethod
    def from_points(
        cls,
        flow_lpm: npt.ArrayLike,
        pressure_drop_pa: npt.ArrayLike,
        thermal_resistance_k_w: npt.ArrayLike,
        coolant: str | Coolant | None = None,
        temperature_c: float | None = None,
        name: str = "",
        *,
        inlet_c: npt.ArrayLike | None = None,
        heat_capacity_j_k: float | None = None,
        ladder: ThermalLadder | None = None,
        ladders: Mapping[float, ThermalLadder] | None = None,
    ) -> ColdPlateModel:
        """Fits a model to datasheet (or simulated) points at several flows.

        ``coolant``/``temperature_c`` record the coolant of the data: the network then scales
        the laminar part of ΔP with viscosity and the inertial part with density. ``inlet_c``
        gives each point's coolant inlet temperature (needs ``coolant``): points at two or more
        temperatures fit the resistance's temperature coefficient γ, with ``temperature_c``
        (default: the middle of the range) as the reference. ``heat_capacity_j_k``: the GPU
        package's and plate's lumped heat capacity for network transients (e.g. the plate's
        mass × c_p: 0.8 kg of copper is 308 J/K). ``ladder``: a :class:`~rackflow.ThermalLadder`
        for network transients instead (e.g. a datasheet's Foster coefficients); ``ladders``:
        ladders by flow, ``{flow_lpm: ThermalLadder}`` (see :attr:`ladders`).
        """
        arrays = {}
        keys = ["flow_lpm", "pressure_drop_pa", "thermal_resistance_k_w"]
        values = [flow_lpm, pressure_drop_pa, thermal_resistance_k_w]
        for key, vals in zip(keys, values, strict=True):
            arr = np.asarray(vals, dtype=float).ravel()
            if arr.size < 2:
                raise CaseError(f"ColdPlateModel.from_points: {key} needs at least 2 points")
            if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
                raise CaseError(f"ColdPlateModel.from_points: {key} must be finite and > 0")
            arrays[key] = arr
        if inlet_c is not None:
            arr = np.asarray(inlet_c, dtype=float).ravel()
            if not np.all(np.isfinite(arr)):
                raise CaseError("ColdPlateModel.from_points: inlet_c must be finite")
            if coolant is None:
                raise CaseError("ColdPlateModel.from_points: inlet_c needs the coolant of the data")
            arrays["inlet_c"] = arr
        sizes = {k: v.size for k, v in arrays.items()}
        if len(set(sizes.values())) != 1:
            raise CaseError(f"ColdPlateModel.from_points: lengths differ: {sizes}")
        t_pts = arrays.get("inlet_c")
        order = (
            np.lexsort((t_pts, arrays["flow_lpm"])) if t_pts is not None else np.argsort(arrays["flow_lpm"])
        )
        q, dp, r = (arrays[k][order] for k in keys)
        t_pts = None if t_pts is None else t_pts[order]
        pairs = q if t_pts is None else np.c_[q, t_pts]
        if len(np.unique(pairs, axis=0)) != len(q):
            what = "flow_lpm values" if t_pts is None else "(flow_lpm, inlet_c) pairs"
            raise CaseError(f"ColdPlateModel.from_points: {what} must be distinct")
        swept = t_pts is not None and len(np.unique(t_pts)) >= 2
        if t_pts is not None and temperature_c is None:
            temperature_c = 0.5 * float(t_pts.min() + t_pts.max())
        mu = rho = None
        coolant_name = None
        scale_mu = scale_rho = np.ones_like(q)
        if coolant is not None:
            cool = get_coolant(coolant)
            coolant_name = cool.name
            t = 35.0 if temperature_c is None else float(temperature_c)
            props = cool.properties(t)
            mu, rho = props["viscosity_pa_s"], props["density_kg_m3"]
            temperature_c = t
            if t_pts is not None:
                at = [cool.properties(float(ti)) for ti in t_pts]
                scale_mu = np.array([pp["viscosity_pa_s"] for pp in at]) / mu
                scale_rho = np.array([pp["density_kg_m3"] for pp in at]) / rho
        basis = np.column_stack([q * scale_mu, q * q * scale_rho]) / dp[:, None]
        a, b = _nonneg_lstsq(basis, np.ones_like(q))
        dt = None if not swept or t_pts is None or temperature_c is None else t_pts - temperature_c
        c0, c1, n, gamma = _fit_resistance(q, r, dt)
        points = {
            "flow_lpm": q.tolist(),
            "pressure_drop_pa": dp.tolist(),
            "thermal_resistance_k_w": r.tolist(),
        }
        if t_pts is not None:
            points["inlet_c"] = t_pts.tolist()
        return cls(
            pressure_coefficients_pa=(float(a), float(b)),
            resistance_coefficients=(c0, c1, n),
            flow_range_lpm=(float(q[0]), float(q[-1])),
            points=points,
            coolant=coolant_name,
            temperature_c=temperature_c,
            reference_viscosity_pa_s=mu,
            reference_density_kg_m3=rho,
            resistance_temperature_coefficient_per_k=gamma,
            temperature_range_c=(float(t_pts.min()), float(t_pts.max()))
            if swept and t_pts is not None
            else None,
            name=name,
            heat_capacity_j_k=heat_capacity_j_k,
            ladder=ladder,
            ladders=ladders,
        )

    def with_ladder(self, ladder: ThermalLadder | None) -> ColdPlateModel:
        """A copy of this model carrying ``ladder`` (``None``: without one)."""
        data = self.to_dict()
        data["ladder"] = None
        data["ladders"] = None
        out = ColdPlateModel.from_dict(data)
        if ladder is not None and not isinstance(ladder, ThermalLadder):
            raise CaseError(f"with_ladder: expecting a ThermalLadder, got {type(ladder).__name__}")
        out.ladder = ladder
        return out

    def _property_scale(self, inlet_c: Any) -> tuple[Any, Any]:
        """Viscosity and density ratios to the reference coolant at ``inlet_c`` (1 without)."""
        if inlet_c is None or self.coolant is None or self.reference_viscosity_pa_s is None:
            return 1.0, 1.0
        cool = get_coolant(self.coolant)
        t = np.atleast_1d(np.asarray(inlet_c, dtype=float))
        props = [cool.properties(float(ti)) for ti in t]
        mu = np.array([pp["viscosity_pa_s"] for pp in props]) / self.reference_viscosity_pa_s
        rho = np.array([pp["density_kg_m3"] for pp in props]) / (self.reference_density_kg_m3 or 1.0)
        if np.ndim(inlet_c) == 0:
            return float(mu[0]), float(rho[0])
        return mu, rho

    def pressure_drop_pa(self, flow_lpm: npt.ArrayLike, inlet_c: npt.ArrayLike | None = None) -> Any:
        """ΔP [Pa] at ``flow_lpm`` (vectorised), with the reference coolant at its reference
        temperature or at ``inlet_c`` (viscosity and density scaling, as in a network)."""
        x = np.asarray(flow_lpm, dtype=float)
        a, b = self.pressure_coefficients_pa
        mu, rho = self._property_scale(inlet_c)
        out = np.asarray(a * mu * x + b * rho * x * np.abs(x))
        return float(out) if out.ndim == 0 else out

    def thermal_resistance_k_w(self, flow_lpm: npt.ArrayLike, inlet_c: npt.ArrayLike | None = None) -> Any:
        """Thermal resistance GPU → coolant inlet [K/W] at ``flow_lpm`` > 0 (vectorised) and
        coolant inlet temperature ``inlet_c`` (default: the reference temperature)."""
        x = np.asarray(flow_lpm, dtype=float)
        if np.any(x <= 0):
            raise CaseError("thermal_resistance_k_w: flow_lpm must be > 0")
        c0, c1, n = self.resistance_coefficients
        gamma = self.resistance_temperature_coefficient_per_k
        dt = 0.0 if inlet_c is None or gamma == 0.0 else np.asarray(inlet_c, dtype=float) - self.temperature_c
        out = np.asarray(c0 + c1 * x ** (-n) * (1.0 + gamma * dt))
        return float(out) if out.ndim == 0 else out

    def _fit_error(self) -> dict[str, float]:
        if not self.points:
            return {"pressure_drop_max_rel": 0.0, "thermal_resistance_max_rel": 0.0}
        q = np.asarray(self.points["flow_lpm"])
        dp = np.asarray(self.points["pressure_drop_pa"])
        r = np.asarray(self.points["thermal_resistance_k_w"])
        t = self.points.get("inlet_c")
        return {
            "pressure_drop_max_rel": float(np.max(np.abs(self.pressure_drop_pa(q, t) / dp - 1))),
            "thermal_resistance_max_rel": float(np.max(np.abs(self.thermal_resistance_k_w(q, t) / r - 1))),
        }

    def __repr__(self) -> str:
        a, b = self.pressure_coefficients_pa
        c0, c1, n = self.resistance_coefficients
        lo, hi = self.flow_range_lpm
        e = self.fit_error
        gamma = self.resistance_temperature_coefficient_per_k
        temp = f"·(1 {gamma:+.3g}·(T_in - {self.temperature_c:g} °C))" if gamma else ""
        return (
            f"ColdPlateModel(ΔP = {a:.4g}·Q + {b:.4g}·Q² Pa,"
            f" R = {c0:.4g} + {c1:.4g}·Q^-{n:.3g}{temp} K/W, Q in L/min, valid {lo:g}-{hi:g} L/min,"
            f" fit error ΔP {e['pressure_drop_max_rel']:.2%},"
            f" R {e['thermal_resistance_max_rel']:.2%})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {
            "format": _FORMAT,
            "version": 1,
            "name": self.name,
            "pressure_coefficients_pa": list(self.pressure_coefficients_pa),
            "resistance_coefficients": list(self.resistance_coefficients),
            "flow_range_lpm": list(self.flow_range_lpm),
            "points": self.points,
            "fit_error": self.fit_error,
            "coolant": self.coolant,
            "temperature_c": self.temperature_c,
            "reference_viscosity_pa_s": self.reference_viscosity_pa_s,
            "reference_density_kg_m3": self.reference_density_kg_m3,
            "resistance_temperature_coefficient_per_k": self.resistance_temperature_coefficient_per_k,
            "temperature_range_c": None
            if self.temperature_range_c is None
            else list(self.temperature_range_c),
            "heat_capacity_j_k": self.heat_capacity_j_k,
            "ladder": None if self.ladder is None else self.ladder.to_dict(),
            "ladders": [{"flow_lpm": q, "ladder": lad.to_dict()} for q, lad in self.ladders.items()] or None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "data") -> ColdPlateModel:
        """Rebuilds a model from :meth:`to_dict` output; errors name the missing/bad key."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise CaseFileError(
                f"{source}: not a rackflow cold-plate model (key 'format' must be {_FORMAT!r})"
            )
        for key in ("pressure_coefficients_pa", "resistance_coefficients", "flow_range_lpm"):
            if key not in data:
                raise CaseFileError(f"{source}: missing key {key!r}")
        try:
            return cls(
                pressure_coefficients_pa=tuple(data["pressure_coefficients_pa"]),
                resistance_coefficients=tuple(data["resistance_coefficients"]),
                flow_range_lpm=tuple(data["flow_range_lpm"]),
                points=data.get("points") or {},
                coolant=data.get("coolant"),
                temperature_c=data.get("temperature_c"),
                reference_viscosity_pa_s=data.get("reference_viscosity_pa_s"),
                reference_density_kg_m3=data.get("reference_density_kg_m3"),
                resistance_temperature_coefficient_per_k=data.get(
                    "resistance_temperature_coefficient_per_k", 0.0
                ),
                temperature_range_c=None
                if data.get("temperature_range_c") is None
                else tuple(data["temperature_range_c"]),
                name=data.get("name", ""),
                heat_capacity_j_k=data.get("heat_capacity_j_k"),
                ladder=None
                if data.get("ladder") is None
                else ThermalLadder.from_dict(data["ladder"], source=f"{source}: ladder"),
                ladders={
                    float(e["flow_lpm"]): ThermalLadder.from_dict(e["ladder"], source=f"{source}: ladders")
                    for e in data.get("ladders") or []
                },
            )
        except (TypeError, ValueError, KeyError) as exc:
            raise CaseFileError(f"{source}: malformed cold-plate model: {exc}") from None

    def time_constant_s(self, flow_lpm: npt.ArrayLike, inlet_c: npt.ArrayLike | None = None) -> Any:
        """Thermal time constant ``R(Q)·C`` [s] of the GPU and plate at ``flow_lpm`` (needs
        :attr:`heat_capacity_j_k`)."""
        if self.heat_capacity_j_k is None:
            raise CaseError(f"ColdPlateModel {self.name!r}: no heat_capacity_j_k, so no time constant")
        return self.thermal_resistance_k_w(flow_lpm, inlet_c) * self.heat_capacity_j_k

    def save(self, path: str | Path) -> None:
        """Writes the model as JSON."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=2))

    @classmethod
    def load(cls, path: str | Path) -> ColdPlateModel:
        """Reads a model written by :meth:`save` (plain JSON; never executes code)."""
        p = Path(path)
        try:
            data = json.loads(p.read_text())
        except json.JSONDecodeError as exc:
            raise CaseFileError(f"{p}: not valid JSON: {exc}") from None
        return cls.from_dict(data, source=str(p))

    def to_core(self) -> dict[str, Any]:
        """The ``model`` block of a core network spec (SI units)."""
        a, b = self.pressure_coefficients_pa
        c0, c1, n = self.resistance_coefficients
        lo, hi = self.flow_range_lpm
        return {
            "type": "fit",
            "reference_flow_m3_s": _LPM,
            "pressure_linear_pa": a,
            "pressure_quadratic_pa": b,
            "resistance_base_k_w": c0,
            "resistance_coefficient_k_w": c1,
            "resistance_exponent": n,
            "flow_min_m3_s": lo * _LPM,
            "flow_max_m3_s": hi * _LPM,
            "reference_viscosity_pa_s": self.reference_viscosity_pa_s,
            "reference_density_kg_m3": self.reference_density_kg_m3,
            **self._temperature_core(),
        }

    def _temperature_core(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        gamma = self.resistance_temperature_coefficient_per_k
        if gamma != 0.0 and self.temperature_c is not None:
            out["resistance_temperature_coefficient_per_k"] = gamma
            out["reference_temperature_k"] = kelvin(self.temperature_c)
        if self.temperature_range_c is not None:
            out["temperature_min_k"] = kelvin(self.temperature_range_c[0])
            out["temperature_max_k"] = kelvin(self.temperature_range_c[1])
        return out


__all__ = ["ColdPlateModel"]


def _ladders_by_flow(ladders: Mapping[float, ThermalLadder] | None) -> dict[float, ThermalLadder]:
    """Ladders by flow checked and sorted by flow (L/min); empty for ``None`` or ``{}``."""
    if not ladders:
        return {}
    if not isinstance(ladders, Mapping):
        raise CaseError(
            f"ColdPlateModel: ladders must map flow_lpm to ThermalLadder, got {type(ladders).__name__}"
        )
    out: dict[float, ThermalLadder] = {}
    pairs = sorted(((float(q), lad) for q, lad in ladders.items()), key=lambda p: p[0])
    if len({q for q, _ in pairs}) != len(pairs):
        raise CaseError(f"ColdPlateModel: ladders by flow repeat a flow: {[q for q, _ in pairs]}")
    for q, lad in pairs:
        if not (math.isfinite(q) and q > 0):
            raise CaseError(f"ColdPlateModel: ladders' flows must be finite and > 0, got {q}")
        if not isinstance(lad, ThermalLadder):
            raise CaseError(
                f"ColdPlateModel: ladders must be ThermalLadder objects, got {type(lad).__name__}"
            )
        out[q] = lad
    if len(out) < 2:
        raise CaseError("ColdPlateModel: ladders by flow need at least two flows (one ladder: give ladder=)")
    terms = {q: lad.terms for q, lad in out.items()}
    if len(set(terms.values())) != 1:
        raise CaseError(f"ColdPlateModel: ladders by flow need as many terms each, got {terms} (flow: terms)")
    return out
