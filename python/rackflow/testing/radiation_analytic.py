"""Reference solutions for radiation: the straight radiating (and convecting) fin.

A straight fin of constant thickness ``t``, length ``L`` and conductivity ``k``, its base held at
``T_b`` and its tip adiabatic, losing heat from both faces by radiation to a black sink at
``T_s`` (emissivity ε) and by convection to ``T_∞`` (coefficient h)::

    k t T'' = 2 ε σ (T⁴ − T_s⁴) + 2 h (T − T_∞),     T(0) = T_b,  T'(L) = 0

(validation.md §11; Lieblein, NASA TN D-196, 1959, for the purely radiating fin). With
``θ = T/T_b`` and ``ξ = x/L``::

    θ'' = N_r (θ⁴ − θ_s⁴) + N_h (θ − θ_∞),    N_r = 2 ε σ T_b³ L² / (k t),   N_h = 2 h L² / (k t) = (mL)²

``N_r`` is the radiation–conduction parameter. The fin efficiency is the heat the fin loses
over what it would lose at the base temperature everywhere::

    η = Q / (2 L w [ε σ (T_b⁴ − T_s⁴) + h (T_b − T_∞)]) = −θ'(0) / [N_r (1 − θ_s⁴) + N_h (1 − θ_∞)]

Two independent methods solve it:

* :func:`fin_first_integral` — the equation has the first integral
  ``θ'²/2 = G(θ) − G(θ_tip)`` with ``G' = g(θ) = N_r (θ⁴ − θ_s⁴) + N_h (θ − θ_∞)``, so the tip
  temperature solves ``∫_{θ_tip}^1 dθ / (2 (G(θ) − G(θ_tip)))^½ = 1`` (one unknown, found by
  bisection to machine precision), and then ``−θ'(0) = (2 (G(1) − G(θ_tip)))^½`` exactly. The
  integral's inverse-square-root end point is removed by ``θ = θ_tip + (1 − θ_tip) s²`` and the
  rest integrated by tanh–sinh quadrature (Takahasi & Mori 1974), exact to about 1e-13 here.
* :func:`fin_collocation` — a boundary-value solver: Chebyshev collocation on N + 1
  Gauss–Lobatto points (Trefethen, *Spectral Methods in MATLAB*, 2000, ``cheb``) with Newton's
  method and continuation in N_r; spectral (exponential) convergence for this smooth solution.
  The base heat is the Clenshaw–Curtis integral of the loss along the fin (the fin's energy
  balance ``−θ'(0) = ∫ g(θ) dξ``, the tip being adiabatic).

The tests compare the two (1e-10), the small-N_r expansion ``η = 1 − (4/3) N_r + O(N_r²)``,
the long-fin limit ``η → (2/(5 N_r))^½`` (θ_tip → 0, 0 K sink), and the convective limit
``η = tanh(mL)/(mL)`` (Incropera et al., §3.6; validation.md §7: 0.76159 at mL = 1,
0.48201 at mL = 2). Lieblein's tabulated efficiencies themselves were not available to this
project (NASA TN D-196 was not in the searchable sources); a comparison with them is still open.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

STEFAN_BOLTZMANN = 5.670374419e-8


@dataclass(frozen=True)
class FinSolution:
    """A solved fin: efficiency, tip temperature ratio θ_tip = T_tip/T_b and base slope −θ'(0)."""

    efficiency: float
    tip_ratio: float
    base_gradient: float
    #: (ξ, θ) samples of the profile (collocation only; empty for the first-integral method)
    profile: tuple[np.ndarray, np.ndarray] | None = None


def _g(theta: np.ndarray | float, n_rad: float, n_conv: float, sink: float, ambient: float) -> np.ndarray:
    return n_rad * (np.asarray(theta) ** 4 - sink**4) + n_conv * (np.asarray(theta) - ambient)


def _denominator(n_rad: float, n_conv: float, sink: float, ambient: float) -> float:
    return n_rad * (1.0 - sink**4) + n_conv * (1.0 - ambient)


def _check(n_rad: float, n_conv: float, sink: float, ambient: float) -> None:
    if not (n_rad >= 0 and n_conv >= 0 and n_rad + n_conv > 0):
        raise ValueError(f"need N_r ≥ 0, N_h ≥ 0, not both zero; got {n_rad}, {n_conv}")
    if not (0 <= sink < 1 and (n_conv == 0 or ambient < 1)):
        raise ValueError("the base must be hotter than the sink and the ambient (θ_s, θ_∞ < 1)")


@dataclass(frozen=True)
class _TanhSinh:
    nodes: np.ndarray
    weights: np.ndarray


def _tanh_sinh(level: int = 7) -> _TanhSinh:
    """Tanh–sinh nodes and weights on (0, 1), step 2^-level, truncated where weights underflow."""
    h = 2.0**-level
    k = np.arange(-int(6.0 / h), int(6.0 / h) + 1)
    u = k * h
    x = np.tanh(0.5 * math.pi * np.sinh(u))
    w = 0.5 * math.pi * np.cosh(u) / np.cosh(0.5 * math.pi * np.sinh(u)) ** 2 * h
    # map (−1, 1) → (0, 1); keep nodes strictly inside
    s = 0.5 * (x + 1.0)
    keep = (s > 0.0) & (s < 1.0) & (w > 1e-300)
    return _TanhSinh(s[keep], 0.5 * w[keep])


_QUADRATURE = _tanh_sinh()


def _mean_g(
    theta: np.ndarray | float, tip: float, n_rad: float, n_conv: float, sink: float, ambient: float
) -> np.ndarray:
    """``(G(θ) − G(tip)) / (θ − tip)``, the mean of g over [tip, θ], from the factored
    differences of powers (``θ⁵ − t⁵ = (θ − t)(θ⁴ + θ³t + θ²t² + θt³ + t⁴)``): no cancellation
    near the tip."""
    th = np.asarray(theta, dtype=float)
    quartic = (th**4 + th**3 * tip + th**2 * tip**2 + th * tip**3 + tip**4) / 5.0
    return n_rad * (quartic - sink**4) + n_conv * ((th + tip) / 2.0 - ambient)


def _length_for_tip(tip: float, n_rad: float, n_conv: float, sink: float, ambient: float) -> float:
    """ξ-length a fin with tip ratio ``tip`` needs: ``∫_tip^1 dθ / (2 (G(θ) − G(tip)))^½``, with
    ``θ = tip + (1 − tip) s²``: ``∫_0^1 2 (1 − tip)^½ / (2 mean_g)^½ ds``."""
    s = _QUADRATURE.nodes
    span = 1.0 - tip
    mean = _mean_g(tip + span * s**2, tip, n_rad, n_conv, sink, ambient)
    return float(np.sum(_QUADRATURE.weights * 2.0 * math.sqrt(span) / np.sqrt(2.0 * mean)))


def fin_first_integral(
    n_rad: float, n_conv: float = 0.0, sink: float = 0.0, ambient: float = 0.0
) -> FinSolution:
    """Fin efficiency by the first integral and bisection on the tip temperature (see the module
    documentation). ``sink`` = T_s/T_b, ``ambient`` = T_∞/T_b."""
    _check(n_rad, n_conv, sink, ambient)
    # the tip lies between the temperature where g vanishes (an infinitely long fin) and 1
    lo, hi = 0.0, 1.0
    if _g(0.0, n_rad, n_conv, sink, ambient) < 0:
        a, b = 0.0, 1.0
        for _ in range(200):
            m = 0.5 * (a + b)
            if _g(m, n_rad, n_conv, sink, ambient) < 0:
                a = m
            else:
                b = m
        lo = b
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if _length_for_tip(mid, n_rad, n_conv, sink, ambient) > 1.0:
            lo = mid  # too long: the tip must be warmer
        else:
            hi = mid
    tip = 0.5 * (lo + hi)
    gradient = math.sqrt(2.0 * (1.0 - tip) * float(_mean_g(1.0, tip, n_rad, n_conv, sink, ambient)))
    return FinSolution(gradient / _denominator(n_rad, n_conv, sink, ambient), tip, gradient)


def _cheb(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Chebyshev–Gauss–Lobatto points on [−1, 1] (descending) and the differentiation matrix."""
    x = np.cos(np.pi * np.arange(n + 1) / n)
    c = np.r_[2.0, np.ones(n - 1), 2.0] * (-1.0) ** np.arange(n + 1)
    dx = x[:, None] - x[None, :]
    d = np.outer(c, 1.0 / c) / (dx + np.eye(n + 1))
    d -= np.diag(d.sum(axis=1))
    return x, d


def _clenshaw_curtis(n: int) -> np.ndarray:
    """Clenshaw–Curtis weights on the n + 1 Chebyshev–Lobatto points of [−1, 1]."""
    w = np.zeros(n + 1)
    m = np.arange(n // 2 + 1)
    factor = np.where(m == 0, 1.0, 2.0) / (1.0 - 4.0 * m**2)
    if n % 2 == 0:
        factor[-1] *= 0.5  # the last cosine term is halved for even n
    for j in range(n + 1):
        w[j] = (factor * np.cos(2.0 * m * j * np.pi / n)).sum() * (1.0 if j in (0, n) else 2.0) / n
    return w


def fin_collocation(
    n_rad: float, n_conv: float = 0.0, sink: float = 0.0, ambient: float = 0.0, points: int = 48
) -> FinSolution:
    """Fin efficiency by Chebyshev collocation and Newton's method (see the module documentation)."""
    _check(n_rad, n_conv, sink, ambient)
    x, d = _cheb(points)
    xi = (1.0 - x) / 2.0  # ξ = 0 at x = 1 (index 0), ξ = 1 at x = −1 (index n)
    d1 = -2.0 * d  # d/dξ
    d2 = d1 @ d1
    theta = np.ones(points + 1)
    # continuation in N_r from a convective (or weakly radiating) start
    stages = [n_rad] if n_rad <= 1.0 else list(np.geomspace(1.0, n_rad, int(math.log10(n_rad)) * 4 + 2))
    for nr in stages:
        for _ in range(50):
            residual = d2 @ theta - _g(theta, nr, n_conv, sink, ambient)
            jac = d2 - np.diag(4.0 * nr * theta**3 + n_conv)
            residual[0] = theta[0] - 1.0
            jac[0] = 0.0
            jac[0, 0] = 1.0
            residual[-1] = d1[-1] @ theta
            jac[-1] = d1[-1]
            step = np.linalg.solve(jac, -residual)
            theta = theta + step
            # quadratic convergence down to the rounding floor of the collocation system
            # (its condition grows as points⁴: ~1e-13 here)
            if np.max(np.abs(step)) < 1e-12:
                break
        else:
            raise RuntimeError(f"Newton did not converge at N_r = {nr}")
    # the base heat as the integral of the loss (the discrete energy balance, Clenshaw–Curtis):
    # differentiating the interpolant at the base amplifies rounding by ~points², integrating
    # does not
    gradient = float(0.5 * _clenshaw_curtis(points) @ _g(theta, n_rad, n_conv, sink, ambient))
    return FinSolution(
        gradient / _denominator(n_rad, n_conv, sink, ambient), float(theta[-1]), gradient, (xi, theta)
    )


def radiating_fin_efficiency(
    *,
    length_m: float,
    thickness_m: float,
    conductivity_w_mk: float,
    emissivity: float,
    base_temperature_k: float,
    sink_k: float = 0.0,
    htc_w_m2k: float = 0.0,
    ambient_k: float = 0.0,
) -> float:
    """Efficiency of a straight fin radiating (and convecting) from both faces, adiabatic tip, in
    physical units (SI, kelvin)."""
    n_rad = (
        2.0
        * emissivity
        * STEFAN_BOLTZMANN
        * base_temperature_k**3
        * length_m**2
        / (conductivity_w_mk * thickness_m)
    )
    n_conv = 2.0 * htc_w_m2k * length_m**2 / (conductivity_w_mk * thickness_m)
    return fin_first_integral(
        n_rad, n_conv, sink_k / base_temperature_k, ambient_k / base_temperature_k
    ).efficiency


__all__ = [
    "FinSolution",
    "fin_collocation",
    "fin_first_integral",
    "radiating_fin_efficiency",
]
