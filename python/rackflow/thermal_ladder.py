"""Thermal ladders: a cold plate's junction response in time as a few RC terms.

A :class:`ThermalLadder` holds a **Foster** ladder, the thermal impedance after a power step

    Z_th(t) = Σᵢ Rᵢ · (1 − exp(−t / τᵢ))      [K/W],

the form datasheets give and the one fitted here: :meth:`ThermalLadder.fit` fits it to a sampled
step response, choosing the number of terms (1 to ``max_terms``) as the fewest whose largest
misfit stays within ``fit_tolerance`` of the final rise; :func:`characterise_step_response`
obtains that response from a 3D :meth:`Case.solve_transient <rackflow.case.Case.solve_transient>`
of a cold-plate case. The fit is variable projection: for given time constants the resistances
are a non-negative least-squares problem (solved exactly), and the logarithms of the time
constants are refined by Levenberg–Marquardt from a greedy start on a log-spaced grid (numpy
only; no optimisation library is needed for at most a handful of terms).

A Foster ladder's nodes are not physical (its capacities sit in series, so the heat reaches the
coolant at once); a network needs capacities to ground, so :meth:`ThermalLadder.cauer` converts it
to the equivalent **Cauer** ladder (same Z(s), continued-fraction expansion), which
``Network.simulate`` integrates for a plate whose :class:`~rackflow.ColdPlateModel` carries the
ladder. :meth:`ThermalLadder.response` is the ladder's junction rise for any power trace (exact
for a piecewise-linear or stepwise power).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from rackflow.errors import CaseError, CaseFileError
from rackflow.profile import Profile

if TYPE_CHECKING:
    from rackflow.case import Case
    from rackflow.result import Result
    from rackflow.transient import TransientResult

_FORMAT = "rackflow.ThermalLadder"


def _nonneg_lstsq(basis: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Least squares with non-negative coefficients for a handful of columns (exhaustive over the
    active sets; exact)."""
    ncol = basis.shape[1]
    best: tuple[float, np.ndarray] | None = None
    for mask in range(1, 2**ncol):
        cols = [j for j in range(ncol) if mask >> j & 1]
        coef, *_ = np.linalg.lstsq(basis[:, cols], target, rcond=None)
        if np.any(coef < 0):
            continue
        full = np.zeros(ncol)
        full[cols] = coef
        err = float(np.sum((basis @ full - target) ** 2))
        if best is None or err < best[0]:
            best = (err, full)
    return best[1] if best is not None else np.zeros(ncol)


def _basis(t: np.ndarray, log_tau: np.ndarray) -> np.ndarray:
    return -np.expm1(-t[:, None] / np.exp(log_tau)[None, :])


def _project(t: np.ndarray, z: np.ndarray, log_tau: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Resistances (non-negative least squares) and residual for fixed time constants."""
    b = _basis(t, log_tau)
    r = _nonneg_lstsq(b, z)
    return r, b @ r - z


def _refine(t: np.ndarray, z: np.ndarray, log_tau: np.ndarray, iterations: int = 200) -> np.ndarray:
    """Levenberg–Marquardt on the log time constants of the projected residual."""
    x = np.array(log_tau, dtype=float)
    res = _project(t, z, x)[1]
    cost = float(res @ res)
    lam = 1e-3
    for _ in range(iterations):
        h = 1e-6
        jac = np.empty((res.size, x.size))
        for j in range(x.size):
            e = np.zeros_like(x)
            e[j] = h
            jac[:, j] = (_project(t, z, x + e)[1] - _project(t, z, x - e)[1]) / (2 * h)
        jtj, g = jac.T @ jac, jac.T @ res
        improved = False
        for _ in range(20):
            step = np.linalg.solve(jtj + lam * np.diag(np.diag(jtj) + 1e-300), -g)
            trial = x + np.clip(step, -2.0, 2.0)
            r_trial = _project(t, z, trial)[1]
            c_trial = float(r_trial @ r_trial)
            if c_trial < cost:
                improved = c_trial < cost * (1 - 1e-12)
                x, res, cost = trial, r_trial, c_trial
                lam = max(lam / 3.0, 1e-12)
                break
            lam *= 4.0
        if not improved:
            break
    return x


def _fit_terms(t: np.ndarray, z: np.ndarray, n: int, start: np.ndarray | None) -> np.ndarray:
    """Log time constants of an ``n``-term fit: greedy grid start (the previous fit plus the best
    added time constant), then refined."""
    grid = np.linspace(math.log(t[t > 0].min()) - 1.0, math.log(t.max()) + 1.0, 60)
    base = np.empty(0) if start is None else np.asarray(start, dtype=float)
    best: tuple[float, np.ndarray] | None = None
    for g in grid:
        trial = np.append(base, g)
        res = _project(t, z, trial)[1]
        cost = float(res @ res)
        if best is None or cost < best[0]:
            best = (cost, trial)
    assert best is not None
    return _refine(t, z, best[1])


class ThermalLadder:
    """A Foster thermal ladder ``Z_th(t) = Σ Rᵢ (1 − exp(−t/τᵢ))`` from the junction (GPU) to the
    coolant inlet, in K/W and s, terms sorted by time constant.

    ``fit`` records how it was obtained (data, misfit); ``source`` is free text (e.g. the 3D
    case). Built by :meth:`fit`, :func:`characterise_step_response`, or directly from datasheet
    coefficients; saved with its :class:`~rackflow.ColdPlateModel` (``model.ladder``).
    """

    def __init__(
        self,
        resistances_k_w: Sequence[float],
        time_constants_s: Sequence[float],
        *,
        fit: dict[str, Any] | None = None,
    ) -> None:
        r = np.asarray(resistances_k_w, dtype=float).ravel()
        tau = np.asarray(time_constants_s, dtype=float).ravel()
        if r.size == 0 or r.size != tau.size:
            raise CaseError(
                f"ThermalLadder: needs as many resistances as time constants, at least one; "
                f"got {r.size} and {tau.size}"
            )
        if r.size > 16:
            raise CaseError(f"ThermalLadder: at most 16 terms, got {r.size}")
        if not (np.all(np.isfinite(r)) and np.all(r > 0) and np.all(np.isfinite(tau)) and np.all(tau > 0)):
            raise CaseError(
                f"ThermalLadder: resistances and time constants must be finite and > 0, got {r.tolist()}, "
                f"{tau.tolist()}"
            )
        order = np.argsort(tau)
        self.resistances_k_w: np.ndarray = r[order]
        self.time_constants_s: np.ndarray = tau[order]
        self.resistances_k_w.flags.writeable = False
        self.time_constants_s.flags.writeable = False
        #: How the ladder was fitted: terms tried, misfits, data span (empty if given directly).
        self.fit_info: dict[str, Any] = dict(fit or {})
        #: The 3D run it was fitted to (:func:`characterise_step_response`; not saved).
        self.run: TransientResult | None = None
        self._core: dict[str, Any] | None = None

    # ------------------------------------------------------------------ construction
    @classmethod
    def fit(
        cls,
        time_s: npt.ArrayLike,
        impedance_k_w: npt.ArrayLike,
        *,
        max_terms: int = 4,
        fit_tolerance: float = 0.002,
    ) -> ThermalLadder:
        """Fits a Foster ladder to a sampled step response ``Z_th(t)`` (K/W after a 1 W step at
        ``t = 0``; the point at ``t = 0``, if given, must be 0).

        Tries 1, 2, … ``max_terms`` terms and keeps the fewest whose largest misfit over the
        samples is within ``fit_tolerance`` of the final value (default 0.2 %); if none is, the
        one with the smallest misfit. ``fit_info`` records every count tried.
        """
        t = np.asarray(time_s, dtype=float).ravel()
        z = np.asarray(impedance_k_w, dtype=float).ravel()
        if t.size != z.size or t.size < 3:
            raise CaseError(
                f"ThermalLadder.fit: needs matching time and value arrays of ≥ 3 points, got {t.size}, {z.size}"
            )
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(z))):
            raise CaseError("ThermalLadder.fit: times and values must be finite")
        if np.any(np.diff(t) <= 0) or t[0] < 0:
            raise CaseError("ThermalLadder.fit: times must be ≥ 0 and strictly increasing")
        if not (1 <= int(max_terms) <= 8):
            raise CaseError(f"ThermalLadder.fit: max_terms must be 1 to 8, got {max_terms}")
        if not (math.isfinite(fit_tolerance) and fit_tolerance > 0):
            raise CaseError(f"ThermalLadder.fit: fit_tolerance must be > 0, got {fit_tolerance}")
        keep = t > 0
        if t[0] == 0 and abs(z[0]) > 1e-9 * max(abs(z).max(), 1e-300):
            raise CaseError(f"ThermalLadder.fit: the response at t = 0 must be 0, got {z[0]}")
        t, z = t[keep], z[keep]
        final = float(z[-1])
        if not final > 0:
            raise CaseError(f"ThermalLadder.fit: the response must rise (final value {final} K/W)")
        tried: list[dict[str, Any]] = []
        chosen: tuple[np.ndarray, np.ndarray, float] | None = None
        start = None
        for n in range(1, int(max_terms) + 1):
            log_tau = _fit_terms(t, z, n, start)
            r, res = _project(t, z, log_tau)
            misfit = float(np.abs(res).max() / final)
            used = r > 0
            tried.append(
                {
                    "terms": int(used.sum()),
                    "max_misfit": misfit,
                    "resistances_k_w": r[used].tolist(),
                    "time_constants_s": np.exp(log_tau[used]).tolist(),
                }
            )
            if chosen is None or misfit < chosen[2] * (1 - 1e-9):
                chosen = (r[used], np.exp(log_tau[used]), misfit)
            if misfit <= fit_tolerance:
                break
            start = log_tau
        assert chosen is not None
        r, tau, misfit = chosen
        info = {
            "max_misfit": misfit,
            "fit_tolerance": float(fit_tolerance),
            "tried": tried,
            "samples": int(t.size),
            "time_span_s": [float(t[0]), float(t[-1])],
            "final_k_w": final,
        }
        return cls(r, tau, fit=info)

    # ------------------------------------------------------------------ evaluation
    @property
    def terms(self) -> int:
        """Number of RC terms."""
        return int(self.resistances_k_w.size)

    @property
    def resistance_k_w(self) -> float:
        """Steady (total) resistance ``Σ Rᵢ`` [K/W]."""
        return float(self.resistances_k_w.sum())

    @property
    def capacitances_j_k(self) -> np.ndarray:
        """Foster capacitances ``Cᵢ = τᵢ / Rᵢ`` [J/K]."""
        return self.time_constants_s / self.resistances_k_w

    def step_response(self, time_s: npt.ArrayLike) -> Any:
        """``Z_th(t)`` [K/W] after a 1 W step at ``t = 0`` (vectorised; 0 before the step)."""
        t = np.asarray(time_s, dtype=float)
        tt = np.clip(t, 0.0, None)[..., None]
        out = np.asarray((self.resistances_k_w * -np.expm1(-tt / self.time_constants_s)).sum(axis=-1))
        return float(out) if out.ndim == 0 else out

    def response(self, time_s: npt.ArrayLike, power_w: Profile | float) -> np.ndarray:
        """Junction rise [K] at ``time_s`` above the steady state of the power at the first of
        those times, for a power trace (a :class:`~rackflow.Profile` in W, or a constant).

        Exact for the profile's own interpolation (linear or step) between its breakpoints: each
        Foster term is integrated in closed form over every interval between breakpoints and
        output times."""
        times = np.asarray(time_s, dtype=float).ravel()
        if times.size == 0 or np.any(np.diff(times) < 0) or not np.all(np.isfinite(times)):
            raise CaseError("ThermalLadder.response: times must be finite and non-decreasing")
        profile = power_w if isinstance(power_w, Profile) else Profile.constant(float(power_w))
        knots = np.union1d(times, profile.time_s[(profile.time_s > times[0]) & (profile.time_s < times[-1])])
        r, tau = self.resistances_k_w, self.time_constants_s
        p0 = float(profile.at(knots[0]))
        theta = r * p0
        base = float(theta.sum())
        values = np.empty(knots.size)
        values[0] = 0.0
        step = profile.interpolation == "step"
        for k in range(1, knots.size):
            h = knots[k] - knots[k - 1]
            if step:
                # value held from the left knot (a step profile jumps at its breakpoints)
                pa = pb = float(profile.at(knots[k - 1]))
            else:
                pa, pb = float(profile.at(knots[k - 1])), float(profile.at(knots[k]))
            if h > 0:
                slope = (pb - pa) / h
                decay = np.exp(-h / tau)
                theta = r * (pb - tau * slope) + (theta - r * (pa - tau * slope)) * decay
            values[k] = float(theta.sum()) - base
        return np.interp(times, knots, values)

    # ------------------------------------------------------------------ Cauer form
    def cauer(self) -> tuple[np.ndarray, np.ndarray]:
        """The equivalent Cauer ladder (capacities to ground): resistances and capacitances,
        junction first, ``C₁`` at the junction and ``Rₙ`` into the coolant. Same impedance
        ``Z(s)`` as the Foster ladder, by continued-fraction expansion of its admittance
        (in a time scaled by the geometric mean of the τᵢ, for conditioning)."""
        P = np.polynomial.polynomial
        r, tau = self.resistances_k_w, self.time_constants_s
        scale = float(np.exp(np.log(tau).mean()))
        ts = tau / scale
        den = np.array([1.0])
        for tj in ts:
            den = P.polymul(den, [1.0, tj])
        num = np.zeros(ts.size)
        for i in range(ts.size):
            term = np.array([r[i]])
            for j in range(ts.size):
                if j != i:
                    term = P.polymul(term, [1.0, ts[j]])
            num[: term.size] += term
        res_c, cap_c = [], []
        # Z = num/den with deg den = deg num + 1: Y = den/num = s·C + 1/(R + Z_next)
        # (fixed-length coefficient arrays, ascending: numpy's polynomial helpers trim zeros)
        num = np.pad(num, (0, ts.size - num.size))
        for _ in range(ts.size):
            # den has one coefficient more than num; the leading terms cancel by construction
            c = den[-1] / num[-1]
            rem = den[:-1] - c * np.concatenate(([0.0], num[:-1]))
            rk = num[-1] / rem[-1]
            nxt = (num - rk * rem)[:-1]
            cap_c.append(c * scale)
            res_c.append(rk)
            num, den = nxt, rem
            if num.size == 0:
                break
        res, cap = np.array(res_c), np.array(cap_c)
        if res.size != ts.size or not (np.all(res > 0) and np.all(cap > 0) and np.all(np.isfinite(res))):
            raise CaseError(
                f"ThermalLadder.cauer: the conversion lost accuracy (R {res.tolist()}, C {cap.tolist()}); "
                "fewer or better separated terms convert cleanly"
            )
        return res, cap

    # ------------------------------------------------------------------ data
    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {
            "format": _FORMAT,
            "version": 1,
            "resistances_k_w": self.resistances_k_w.tolist(),
            "time_constants_s": self.time_constants_s.tolist(),
            "fit": self.fit_info,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "data") -> ThermalLadder:
        """Rebuilds a ladder from :meth:`to_dict` output; errors name the missing key."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise CaseFileError(f"{source}: not a rackflow thermal ladder (key 'format' must be {_FORMAT!r})")
        for key in ("resistances_k_w", "time_constants_s"):
            if key not in data:
                raise CaseFileError(f"{source}: thermal ladder: missing key {key!r}")
        try:
            return cls(data["resistances_k_w"], data["time_constants_s"], fit=data.get("fit") or {})
        except (TypeError, ValueError, CaseError) as exc:
            raise CaseFileError(f"{source}: malformed thermal ladder: {exc}") from None

    def to_core(self) -> dict[str, Any]:
        """The core's ``ladder`` block of a cold plate (the Cauer form; converted once)."""
        if self._core is None:
            res, cap = self.cauer()
            self._core = {"resistance_k_w": res.tolist(), "capacitance_j_k": cap.tolist()}
        return self._core

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ThermalLadder):
            return NotImplemented
        return bool(
            np.array_equal(self.resistances_k_w, other.resistances_k_w)
            and np.array_equal(self.time_constants_s, other.time_constants_s)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        terms = ", ".join(
            f"{r:.4g} K/W·{t:.4g} s" for r, t in zip(self.resistances_k_w, self.time_constants_s, strict=True)
        )
        misfit = self.fit_info.get("max_misfit")
        extra = "" if misfit is None else f", fit misfit {misfit:.2%}"
        return f"ThermalLadder({self.terms} terms: {terms}; R = {self.resistance_k_w:.4g} K/W{extra})"


def _heat_capacity_j_k(case: Case, temperature_c: float) -> float | None:
    """Σ ρ c V over the case's solids and coolant, J/K (None when a solid lacks ρ or c)."""
    from rackflow.coolants import get_coolant

    total = 0.0
    for region, spec in case.solids.items():
        m = spec.material
        if m.density_kg_m3 is None or m.specific_heat_j_kgk is None:
            return None
        total += m.density_kg_m3 * m.specific_heat_j_kgk * case.mesh.region_volume(region)
    for region, f in case.fluids.items():
        p = get_coolant(f.coolant).properties(temperature_c)
        total += float(p["density_kg_m3"]) * float(p["specific_heat_j_kgk"]) * case.mesh.region_volume(region)
    return total


def _powered_region(case: Case, region: str | None) -> str:
    powered = [r for r, s in case.solids.items() if (s.power_w or s.power_density_w_m3)]
    region = region or (powered[0] if len(powered) == 1 else None)
    if region is None:
        raise CaseError(
            f"characterise_step_response: name the heat source with region= (powered solids: {powered})"
        )
    return region


def characterise_step_response(
    case: Case,
    *,
    region: str | None = None,
    initial: Result | None = None,
    step_w: float | None = None,
    end_time_s: float | None = None,
    max_terms: int = 4,
    fit_tolerance: float = 0.002,
    step_tolerance_k: float | None = None,
    **settings: Any,
) -> ThermalLadder:
    """Fits a :class:`ThermalLadder` to a cold plate's junction response in 3D.

    From the steady state of ``case`` (``initial``, or solved here), the power of ``region`` (the
    single powered solid by default; its ``power_w`` must be a number) steps up by ``step_w``
    (default: its own power, i.e. doubles) and ``case.solve_transient`` follows it with the flow
    frozen; the junction impedance is ``Z_th(t) = (T_max(t) − T_max(0)) / step_w`` of the region's
    hottest temperature at every accepted step. The run lasts ``end_time_s`` (default: five
    times the lumped estimate ``(Σ ρ c V) · R_th`` of the case); a fitted time constant above a
    third of it raises, as the run cannot have fixed it. ``step_tolerance_k`` (the adaptive
    steps' error) defaults to 1e-4 of the expected rise. The case is left as it was; the 3D run
    is kept in ``ladder.run``. ``settings`` go to ``solve`` and ``solve_transient``.

    The fit is linear in the power: for temperature-dependent properties the ladder is the
    response to this step only.
    """
    region = _powered_region(case, region)
    spec = case.solids[region]
    p0 = spec.power_w
    if ("power_w", region) in case.profiles or not isinstance(p0, (int, float)) or spec.power_density_w_m3:
        raise CaseError(
            f"characterise_step_response: region '{region}' needs a constant power_w (W) to step from"
        )
    step = float(p0) if step_w is None else float(step_w)
    if not (math.isfinite(step) and step > 0):
        raise CaseError(f"characterise_step_response: step_w must be finite and > 0, got {step_w}")
    if initial is None:
        initial = case.solve(**settings)
    inlet_c = case._single_inlet_temperature_c()
    t_max0 = initial.max_temperature_c(region)
    r_est = (t_max0 - inlet_c) / float(p0) if inlet_c is not None and p0 > 0 else None
    if end_time_s is None:
        cap = _heat_capacity_j_k(case, inlet_c if inlet_c is not None else 25.0)
        if cap is None or r_est is None or not r_est > 0:
            raise CaseError(
                "characterise_step_response: cannot estimate the run's length (no single inlet "
                "temperature, or a material without density or specific heat); give end_time_s"
            )
        end_time_s = 5.0 * cap * r_est
    end = float(end_time_s)
    if step_tolerance_k is None:
        rise = step * (r_est if r_est is not None and r_est > 0 else 1.0)
        step_tolerance_k = 1e-4 * rise
    original = case.solids[region]
    try:
        case.solid(region, original.material, power_w=float(p0) + step)
        run = case.solve_transient(
            end, initial=initial, output_times_s=[0.0, end], step_tolerance_k=step_tolerance_k, **settings
        )
    finally:
        case.solids[region] = original
    times = run.step_times_s - run.step_times_s[0]
    z = (run.step_max_temperature_c(region) - run.step_max_temperature_c(region)[0]) / step
    ladder = ThermalLadder.fit(times, z, max_terms=max_terms, fit_tolerance=fit_tolerance)
    slowest = float(ladder.time_constants_s[-1])
    if slowest > end / 3.0:
        raise CaseError(
            f"characterise_step_response: the slowest fitted time constant ({slowest:.3g} s) is more "
            f"than a third of the run ({end:.3g} s); run longer (end_time_s={4 * slowest:.3g})"
        )
    ladder.fit_info.update(
        {
            "region": region,
            "step_w": step,
            "from_power_w": float(p0),
            "end_time_s": end,
            "steps": int(run.report.get("steps_accepted", len(times) - 1)),
            "step_tolerance_k": float(step_tolerance_k),
        }
    )
    ladder.run = run
    return ladder


__all__ = ["ThermalLadder", "characterise_step_response"]
