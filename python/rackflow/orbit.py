"""The orbital thermal environment and a lumped radiator panel: reference models for radiators.

Environment (values from ECSS-E-ST-10-04 as quoted in the project's reference notes,
``domain.md`` §6b and ``validation.md`` §11): solar constant 1,361 W/m² at 1 AU, Earth albedo
0.3 (0–0.4), Earth infrared 237 W/m² (150–250), deep-space sink about 3 K.

**Absorbed flux** on a surface (Gilmore, *Spacecraft Thermal Control Handbook*, 2nd ed., ch. 2;
Fortescue et al., *Spacecraft Systems Engineering*, 4th ed., ch. 11), W/m²::

    q_abs = α S max(0, cos θ_sun)                 direct sunlight (none in eclipse)
          + α S a F_E max(0, cos θ_albedo)        sunlight reflected by the Earth (none in eclipse)
          + ε q_IR F_E                            Earth infrared (absorbed with ε: Kirchhoff, grey in the infrared)

with α the solar absorptance, ε the infrared emittance, S the solar flux, a the albedo, F_E the
view factor from the surface to the Earth, θ_sun the angle between the surface normal and the
Sun, and θ_albedo the solar zenith angle at the sub-satellite point (albedo is reflected sunlight
and vanishes over the night side; the cosine is the usual first approximation).

**Earth view factor** of a flat plate at altitude h whose normal makes the angle λ with the nadir
(Howell, *A Catalog of Radiation Heat Transfer Configuration Factors*, "differential planar element
to a sphere, element tilted"): with H = (R + h)/R, x = (H² − 1)^½,
``F = cos λ / H²`` when the plate sees the whole Earth disc (λ ≤ arccos(1/H)), else
``F = [cos λ arccos y − x sin λ (1 − y²)^½] / (π H²) + arctan(sin λ (1 − y²)^½ / x) / π`` with
``y = −x cot λ``, and 0 once the plate faces wholly away. The tests check it against direct
numerical integration of ``(1/π) ∫ cos θ dΩ`` over the Earth's disc (agreement to 1e-7).

**Eclipse** of a circular orbit at altitude h with Sun angle β to the orbit plane (Gilmore,
ch. 2, cylindrical shadow): the fraction of the orbit in shadow is
``f_E = arccos((h² + 2 R h)^½ / ((R + h) cos β)) / π`` when |β| < β* = arcsin(R/(R + h)),
else 0. At 550 km and β = 0 the period is 95.5 min with 35.6 min in eclipse, the
"95-minute orbit with a 35-minute eclipse" of the project's radiator examples.

**Lumped radiator panel** (one node, isothermal)::

    m c dT/dt = P + A_abs q_abs(t) − ε σ A_rad (T⁴ − T_sink⁴)

with the equilibrium ``T = ((P + A_abs q_abs)/(ε σ A_rad) + T_sink⁴)^¼``. :meth:`RadiatorPanel.simulate`
integrates it with an adaptive Dormand–Prince 5(4) Runge–Kutta method (error per step below
``rtol |T| + atol``; no SciPy needed), stepping exactly onto the output times and onto the
discontinuities of an orbit's forcing (eclipse entry and exit, the profile's samples).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rackflow.errors import CaseError
from rackflow.materials import ABSOLUTE_ZERO_C

#: Stefan–Boltzmann constant, W/(m²·K⁴) (CODATA 2018, exact).
STEFAN_BOLTZMANN = 5.670374419e-8
#: Total solar irradiance at 1 AU, W/m².
SOLAR_W_M2 = 1361.0
#: Mean Earth albedo.
ALBEDO = 0.3
#: Mean Earth infrared (outgoing long-wave) flux, W/m².
EARTH_IR_W_M2 = 237.0
#: Mean Earth radius, m.
EARTH_RADIUS_M = 6_371_000.0
#: Earth's gravitational parameter, m³/s².
EARTH_MU_M3_S2 = 3.986004418e14
#: Deep-space sink, °C (3 K).
DEEP_SPACE_C = -270.15


def _number(
    what: str, value: Any, lo: float | None = None, hi: float | None = None, *, open_lo: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise CaseError(f"{what} must be a number, got {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise CaseError(f"{what} must be finite, got {v}")
    if lo is not None and (v < lo or (open_lo and v == lo)):
        raise CaseError(f"{what} must be {'above' if open_lo else 'at least'} {lo}, got {v}")
    if hi is not None and v > hi:
        raise CaseError(f"{what} must be at most {hi}, got {v}")
    return v


def _fraction(what: str, value: Any) -> float:
    """A number in (0, 1]: emissivity, absorptivity."""
    return _number(what, value, 0.0, 1.0, open_lo=True)


def absorbed_flux_w_m2(
    *,
    absorptivity: float,
    emissivity: float,
    view_factor_earth: float,
    solar_w_m2: float = SOLAR_W_M2,
    albedo: float = ALBEDO,
    earth_ir_w_m2: float = EARTH_IR_W_M2,
    sun_angle_deg: float = 0.0,
    albedo_angle_deg: float = 0.0,
    in_eclipse: bool = False,
) -> float:
    """External flux absorbed by a surface, W/m² (see the module documentation for the formula).

    ``absorptivity`` is the solar absorptance α and ``emissivity`` the infrared emittance ε,
    both in (0, 1]; ``view_factor_earth`` the surface's view factor to the Earth (see
    :func:`earth_view_factor`); ``sun_angle_deg`` the angle between the surface normal and the
    Sun (no direct sunlight beyond 90°); ``albedo_angle_deg`` the solar zenith angle at the
    sub-satellite point (0 at orbit noon); ``in_eclipse`` removes sunlight and albedo.
    """
    alpha = _fraction("absorptivity", absorptivity)
    eps = _fraction("emissivity", emissivity)
    f_e = _number("view_factor_earth", view_factor_earth, 0.0, 1.0)
    s = _number("solar_w_m2", solar_w_m2, 0.0)
    a = _number("albedo", albedo, 0.0, 1.0)
    ir = _number("earth_ir_w_m2", earth_ir_w_m2, 0.0)
    sun = _number("sun_angle_deg", sun_angle_deg)
    zenith = _number("albedo_angle_deg", albedo_angle_deg)
    q = eps * ir * f_e
    if not in_eclipse:
        q += alpha * s * max(0.0, math.cos(math.radians(sun)))
        q += alpha * s * a * f_e * max(0.0, math.cos(math.radians(zenith)))
    return q


def earth_view_factor(altitude_m: float, tilt_deg: float = 0.0) -> float:
    """View factor from a flat plate at ``altitude_m`` to the Earth; ``tilt_deg`` is the angle
    between the plate's normal and the nadir (0: facing the Earth, 90: edge-on, 180: facing away)."""
    h = _number("altitude_m", altitude_m, 0.0, open_lo=True)
    lam = math.radians(_number("tilt_deg", tilt_deg, 0.0, 180.0))
    big_h = (EARTH_RADIUS_M + h) / EARTH_RADIUS_M
    x = math.sqrt(big_h**2 - 1.0)
    if lam <= math.acos(1.0 / big_h):
        return math.cos(lam) / big_h**2
    if lam >= math.pi / 2 + math.asin(1.0 / big_h):
        return 0.0
    y = -x / math.tan(lam)
    root = math.sqrt(max(0.0, 1.0 - y * y))
    return (math.cos(lam) * math.acos(y) - x * math.sin(lam) * root) / (math.pi * big_h**2) + math.atan(
        math.sin(lam) * root / x
    ) / math.pi


def orbital_period_s(altitude_m: float) -> float:
    """Period of a circular orbit at ``altitude_m``, s (Kepler's third law)."""
    a = EARTH_RADIUS_M + _number("altitude_m", altitude_m, 0.0, open_lo=True)
    return 2.0 * math.pi * math.sqrt(a**3 / EARTH_MU_M3_S2)


def critical_beta_deg(altitude_m: float) -> float:
    """The Sun angle to the orbit plane above which a circular orbit has no eclipse, degrees."""
    h = _number("altitude_m", altitude_m, 0.0, open_lo=True)
    return math.degrees(math.asin(EARTH_RADIUS_M / (EARTH_RADIUS_M + h)))


def eclipse_fraction(altitude_m: float, beta_deg: float = 0.0) -> float:
    """Fraction of a circular orbit spent in the Earth's (cylindrical) shadow."""
    h = _number("altitude_m", altitude_m, 0.0, open_lo=True)
    beta = abs(_number("beta_deg", beta_deg, -90.0, 90.0))
    if beta >= critical_beta_deg(h):
        return 0.0
    r = EARTH_RADIUS_M
    return math.acos(math.sqrt(h * h + 2.0 * r * h) / ((r + h) * math.cos(math.radians(beta)))) / math.pi


def eclipse_duration_s(altitude_m: float, beta_deg: float = 0.0) -> float:
    """Time in eclipse per orbit, s."""
    return eclipse_fraction(altitude_m, beta_deg) * orbital_period_s(altitude_m)


@dataclass(frozen=True)
class OrbitProfile:
    """A time series over one orbit (``time_s``, ``value``), periodic with ``period_s``.

    Linear between samples; the samples include the eclipse entry and exit instants twice (the
    value just before and just after), so the steps of an eclipse are kept. Convert with
    :meth:`to_profile` where a ``rackflow.Profile`` is wanted.
    """

    time_s: np.ndarray
    value: np.ndarray
    period_s: float
    #: eclipse entry and exit times within the orbit, s (empty without eclipse)
    events_s: tuple[float, ...] = field(default=())

    def __call__(self, t: float | np.ndarray) -> Any:
        """The value at time(s) ``t``, s (periodic)."""
        tt = np.mod(np.asarray(t, dtype=float), self.period_s)
        return np.interp(tt, self.time_s, self.value)

    def mean(self) -> float:
        """Orbit average (trapezoidal over the samples; exact for the piecewise-linear series)."""
        return float(np.trapezoid(self.value, self.time_s) / self.period_s)

    def to_profile(self, orbits: int = 1) -> Any:
        """As ``rackflow.Profile`` (linear interpolation) over ``orbits`` consecutive orbits from
        t = 0 (a Profile holds its last value after its last time)."""
        import rackflow

        if isinstance(orbits, bool) or not isinstance(orbits, int) or orbits < 1:
            raise CaseError(f"orbits must be a positive integer, got {orbits!r}")
        times = [self.time_s + k * self.period_s for k in range(orbits)]
        values = [self.value] * orbits
        # the orbits meet at one time: keep the first orbit's end only once
        t = np.concatenate([times[0]] + [tk[1:] for tk in times[1:]])
        v = np.concatenate([values[0]] + [vk[1:] for vk in values[1:]])
        return rackflow.Profile(time_s=t.tolist(), value=v.tolist(), interpolation="linear")


_NAMED_NORMALS = {
    "zenith": (1.0, 0.0, 0.0),
    "nadir": (-1.0, 0.0, 0.0),
    "ram": (0.0, 1.0, 0.0),
    "orbit_normal": (0.0, 0.0, 1.0),
}


def _orbit_state(
    altitude_m: float, beta_deg: float, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit position, unit Sun vector in the orbit frame, and the eclipse flag at times ``t``.

    Orbit frame: x towards orbit noon (the point nearest the Sun), y along the motion at noon,
    z the orbit normal; the Sun is at (cos β, 0, sin β)."""
    period = orbital_period_s(altitude_m)
    u = 2.0 * math.pi * np.asarray(t, dtype=float) / period
    pos = np.stack([np.cos(u), np.sin(u), np.zeros_like(u)], axis=-1)
    beta = math.radians(beta_deg)
    sun = np.array([math.cos(beta), 0.0, math.sin(beta)])
    along = pos @ sun
    perpendicular = np.sqrt(np.maximum(0.0, 1.0 - along**2)) * (EARTH_RADIUS_M + altitude_m)
    eclipse = (along < 0.0) & (perpendicular < EARTH_RADIUS_M)
    return pos, sun, eclipse


def orbit_absorbed_flux(
    *,
    absorptivity: float,
    emissivity: float,
    altitude_m: float = 550e3,
    beta_deg: float = 0.0,
    normal: str | Sequence[float] = "zenith",
    points: int = 240,
    solar_w_m2: float = SOLAR_W_M2,
    albedo: float = ALBEDO,
    earth_ir_w_m2: float = EARTH_IR_W_M2,
) -> OrbitProfile:
    """Absorbed flux (W/m²) over one circular orbit on a flat surface fixed in the local
    vertical frame, from orbit noon.

    ``normal`` is ``"zenith"`` (facing away from the Earth, the usual radiator attitude),
    ``"nadir"``, ``"ram"`` (along the motion), ``"orbit_normal"``, or a vector
    ``(radial, along-track, orbit-normal)``. The default orbit (550 km, β = 0) lasts 95.5 min
    with 35.6 min in eclipse. ``points`` samples are spread evenly over the orbit, and the eclipse
    entry and exit are added on both sides.
    """
    alpha = _fraction("absorptivity", absorptivity)
    eps = _fraction("emissivity", emissivity)
    h = _number("altitude_m", altitude_m, 0.0, open_lo=True)
    beta = _number("beta_deg", beta_deg, -90.0, 90.0)
    if isinstance(normal, str):
        if normal not in _NAMED_NORMALS:
            raise CaseError(f"normal must be one of {sorted(_NAMED_NORMALS)} or a 3-vector, got {normal!r}")
        n_lvlh = np.array(_NAMED_NORMALS[normal])
    else:
        n_lvlh = np.asarray(normal, dtype=float)
        if n_lvlh.shape != (3,) or not np.isfinite(n_lvlh).all() or np.linalg.norm(n_lvlh) == 0:
            raise CaseError(
                f"normal must be a non-zero (radial, along-track, orbit-normal) vector, got {normal!r}"
            )
        n_lvlh = n_lvlh / np.linalg.norm(n_lvlh)
    if isinstance(points, bool) or not isinstance(points, int) or points < 4:
        raise CaseError(f"points must be an integer of at least 4, got {points!r}")
    period = orbital_period_s(h)
    half = eclipse_fraction(h, beta) * period / 2.0
    events = (period / 2.0 - half, period / 2.0 + half) if half > 0 else ()
    base = np.linspace(0.0, period, points + 1)
    eps_t = 1e-9 * period
    t = np.sort(np.concatenate([base, *[[e - eps_t, e + eps_t] for e in events]]))
    pos, sun, eclipse = _orbit_state(h, beta, t)
    # the local vertical frame at each time: radial, along-track, orbit normal
    along_track = np.stack([-pos[:, 1], pos[:, 0], np.zeros(len(t))], axis=-1)
    normal_world = n_lvlh[0] * pos + n_lvlh[1] * along_track + n_lvlh[2] * np.array([0.0, 0.0, 1.0])
    cos_sun = normal_world @ sun
    tilt = np.degrees(np.arccos(np.clip(-(normal_world * pos).sum(axis=1), -1.0, 1.0)))
    zenith = np.degrees(np.arccos(np.clip(pos @ sun, -1.0, 1.0)))
    value = np.array(
        [
            absorbed_flux_w_m2(
                absorptivity=alpha,
                emissivity=eps,
                view_factor_earth=earth_view_factor(h, tl),
                solar_w_m2=solar_w_m2,
                albedo=albedo,
                earth_ir_w_m2=earth_ir_w_m2,
                sun_angle_deg=math.degrees(math.acos(min(1.0, max(-1.0, c)))),
                albedo_angle_deg=z,
                in_eclipse=bool(e),
            )
            for c, tl, z, e in zip(cos_sun, tilt, zenith, eclipse, strict=True)
        ]
    )
    return OrbitProfile(time_s=t, value=value, period_s=period, events_s=tuple(events))


@dataclass(frozen=True)
class Transient:
    """A lumped transient: times (s) and temperatures (°C), with the integrator's step count."""

    time_s: np.ndarray
    temperature_c: np.ndarray
    steps: int


@dataclass
class RadiatorPanel:
    """An isothermal radiator panel (one node).

    ``radiating_area_m2`` counts every radiating side (2 A for a panel radiating from both faces);
    ``absorbing_area_m2`` is the area the absorbed flux is given for (``None``: the radiating area);
    ``heat_capacity_j_k`` is m·c.
    """

    radiating_area_m2: float
    emissivity: float
    heat_capacity_j_k: float
    absorbing_area_m2: float | None = None
    sink_c: float = DEEP_SPACE_C

    def __post_init__(self) -> None:
        self.radiating_area_m2 = _number("radiating_area_m2", self.radiating_area_m2, 0.0, open_lo=True)
        self.emissivity = _fraction("emissivity", self.emissivity)
        self.heat_capacity_j_k = _number("heat_capacity_j_k", self.heat_capacity_j_k, 0.0, open_lo=True)
        if self.absorbing_area_m2 is not None:
            self.absorbing_area_m2 = _number("absorbing_area_m2", self.absorbing_area_m2, 0.0)
        self.sink_c = _number("sink_c", self.sink_c, ABSOLUTE_ZERO_C, open_lo=True)

    @property
    def _absorbing(self) -> float:
        return self.radiating_area_m2 if self.absorbing_area_m2 is None else self.absorbing_area_m2

    def net_heat_w(self, temperature_c: float, power_w: float, absorbed_w_m2: float = 0.0) -> float:
        """m c dT/dt: heat gained, W, at ``temperature_c``."""
        t = temperature_c - ABSOLUTE_ZERO_C
        ts = self.sink_c - ABSOLUTE_ZERO_C
        return (
            power_w
            + self._absorbing * absorbed_w_m2
            - self.emissivity * STEFAN_BOLTZMANN * self.radiating_area_m2 * (t**4 - ts**4)
        )

    def equilibrium_temperature_c(self, power_w: float, absorbed_w_m2: float = 0.0) -> float:
        """The steady temperature, °C: ``((P + A_abs q)/(ε σ A_rad) + T_sink⁴)^¼``."""
        p = _number("power_w", power_w)
        q = _number("absorbed_w_m2", absorbed_w_m2)
        ts = self.sink_c - ABSOLUTE_ZERO_C
        x = (p + self._absorbing * q) / (self.emissivity * STEFAN_BOLTZMANN * self.radiating_area_m2) + ts**4
        if x <= 0:
            raise CaseError(
                f"no equilibrium: the panel loses {-(p + self._absorbing * q):.3g} W with nothing to radiate"
            )
        return x**0.25 + ABSOLUTE_ZERO_C

    def simulate(
        self,
        *,
        power_w: float | Callable[[float], float],
        absorbed_w_m2: float | OrbitProfile | Callable[[float], float] = 0.0,
        end_time_s: float,
        initial_c: float,
        output_times_s: Sequence[float] | np.ndarray | None = None,
        rtol: float = 1e-9,
        atol: float = 1e-9,
        breakpoints_s: Sequence[float] = (),
    ) -> Transient:
        """Integrate ``m c dT/dt = P(t) + A_abs q_abs(t) − ε σ A_rad (T⁴ − T_sink⁴)`` from
        ``initial_c`` to ``end_time_s``; temperatures at ``output_times_s`` (default: 500 even
        times). An :class:`OrbitProfile` forcing adds its eclipse entries and exits (every orbit)
        to ``breakpoints_s``, where the integrator lands exactly and restarts."""
        end = _number("end_time_s", end_time_s, 0.0, open_lo=True)
        y0 = _number("initial_c", initial_c, ABSOLUTE_ZERO_C, open_lo=True) - ABSOLUTE_ZERO_C
        if callable(power_w):
            power = power_w
        else:
            p_const = _number("power_w", power_w)
            power = lambda _t: p_const  # noqa: E731
        if isinstance(absorbed_w_m2, OrbitProfile):
            profile = absorbed_w_m2
            absorbed: Callable[[float], float] = lambda t: float(profile(t))  # noqa: E731
            orbits = int(end // profile.period_s) + 1
            breaks = [k * profile.period_s + e for k in range(orbits) for e in profile.events_s]
            # the profile's sample times are kinks of the linear interpolation
            breaks += [k * profile.period_s + s for k in range(orbits) for s in profile.time_s]
        elif callable(absorbed_w_m2):
            absorbed = absorbed_w_m2
            breaks = []
        else:
            q = _number("absorbed_w_m2", absorbed_w_m2)
            absorbed = lambda _t: q  # noqa: E731
            breaks = []
        out = (
            np.linspace(0.0, end, 500) if output_times_s is None else np.asarray(output_times_s, dtype=float)
        )
        if out.ndim != 1 or (out < 0).any() or (out > end).any() or (np.diff(out) < 0).any():
            raise CaseError("output_times_s must be sorted times within [0, end_time_s]")
        # the integrator lands on every break and output time (no interpolation between steps)
        stops = sorted({0.0, end, *(b for b in [*breaks, *breakpoints_s, *out.tolist()] if 0.0 < b < end)})
        ts4 = (self.sink_c - ABSOLUTE_ZERO_C) ** 4
        k_rad = self.emissivity * STEFAN_BOLTZMANN * self.radiating_area_m2
        mc = self.heat_capacity_j_k
        a_abs = self._absorbing

        def rhs(t: float, y: float) -> float:
            return (power(t) + a_abs * absorbed(t) - k_rad * (y**4 - ts4)) / mc

        values, steps = _dormand_prince(rhs, y0, stops, rtol, atol)
        at_stop = dict(zip(stops, values, strict=True))
        temperature = np.array([at_stop[float(t)] for t in out]) + ABSOLUTE_ZERO_C
        return Transient(time_s=out.copy(), temperature_c=temperature, steps=steps)


# Dormand–Prince 5(4) coefficients (Dormand & Prince, J. Comput. Appl. Math. 6, 1980; Hairer,
# Nørsett & Wanner, Solving ODEs I, Table 5.2).
_C = (0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0)
_A = (
    (),
    (1 / 5,),
    (3 / 40, 9 / 40),
    (44 / 45, -56 / 15, 32 / 9),
    (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
    (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
    (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84),
)
_B5 = (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0)
_B4 = (5179 / 57600, 0.0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40)


def _dormand_prince(
    f: Callable[[float, float], float],
    y0: float,
    stops: list[float],
    rtol: float,
    atol: float,
) -> tuple[list[float], int]:
    """Adaptive scalar Dormand–Prince 5(4) (local extrapolation) through ``stops``, landing on
    each; the solution at every stop and the number of accepted steps."""
    y = y0
    values = [y0]
    steps = 0
    h = (stops[-1] - stops[0]) / 1000.0 if len(stops) > 1 else 0.0
    for a, b in itertools.pairwise(stops):
        t = a
        fy = f(t, y)
        while t < b:
            last = h >= b - t
            step = b - t if last else h
            k = [fy]
            for i in range(1, 7):
                yi = y + step * sum(aij * kj for aij, kj in zip(_A[i], k, strict=False))
                k.append(f(t + _C[i] * step, yi))
            y5 = y + step * sum(bi * ki for bi, ki in zip(_B5, k, strict=True))
            y4 = y + step * sum(bi * ki for bi, ki in zip(_B4, k, strict=True))
            err = abs(y5 - y4) / (atol + rtol * max(abs(y), abs(y5)))
            if err <= 1.0:
                t = b if last else t + step
                y, fy = y5, k[6]  # FSAL: the last stage is f at the new point
                steps += 1
            factor = min(5.0, max(0.2, 0.9 * (1.0 / max(err, 1e-16)) ** 0.2))
            # a step shortened to land on a stop does not shrink the next one
            h = max(h, step * factor) if (last and err <= 1.0) else step * factor
        values.append(y)
    return values, steps


__all__ = [
    "ALBEDO",
    "DEEP_SPACE_C",
    "EARTH_IR_W_M2",
    "EARTH_RADIUS_M",
    "SOLAR_W_M2",
    "STEFAN_BOLTZMANN",
    "OrbitProfile",
    "RadiatorPanel",
    "Transient",
    "absorbed_flux_w_m2",
    "critical_beta_deg",
    "earth_view_factor",
    "eclipse_duration_s",
    "eclipse_fraction",
    "orbit_absorbed_flux",
    "orbital_period_s",
]
