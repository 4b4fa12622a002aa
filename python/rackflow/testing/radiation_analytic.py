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


@dataclass(frozen=True)
class PanelSizing:
    """The fin-efficiency sizing of a tube-and-sheet panel: heat rejected (W), coolant outlet
    (K), and the coolant, tube-root and fin-efficiency profiles along the tube."""

    heat_w: float
    outlet_k: float
    x_m: np.ndarray
    coolant_k: np.ndarray
    root_k: np.ndarray
    efficiency: np.ndarray


def tube_sheet_panel(
    *,
    length_m: float,
    pitch_m: float,
    sheet_thickness_m: float,
    tube_outer_m: tuple[float, float],
    bore_m: tuple[float, float],
    conductivity_w_mk: float,
    emissivity: float,
    sink_k: float,
    mass_flow_kg_s: float,
    specific_heat_j_kgk: float,
    fluid_conductivity_w_mk: float,
    inlet_k: float,
    nusselt: float = 3.608,
    steps: int = 400,
) -> PanelSizing:
    """Fin-efficiency sizing of a pumped tube-in-sheet radiator panel (one tube per pitch, the
    tube centred on the sheet's mid-plane, both faces radiating to a black sink at ``sink_k``).

    The method of radiator sizing codes (the tube-fin method of NASA TM-78185 and its
    relatives; here as stated, not as transcribed): per unit length of tube, the coolant at
    ``T_f`` loses through its film (``h = Nu k_f / D_h`` on the bore's perimeter; Nu = 3.608,
    fully developed laminar flow in a square duct with a peripherally uniform wall temperature,
    Shah & London 1978) to the tube at ``T_r``; the tube's exposed faces radiate at ``T_r``
    and the sheet on either side is a straight fin of length ``(pitch − w_o)/2`` from the tube,
    radiating from both faces, whose efficiency is the converged 1D solution
    (:func:`fin_first_integral`) at ``N_r(T_r)``::

        q'(T_r) = ε σ (T_r⁴ − T_s⁴) [2 w_o + 2 (h_o − t) + 4 L_f η(N_r(T_r))]
        T_f − T_r = q' / (h P),         ṁ c_p dT_f/dx = −q'

    marched along the tube with the classical fourth-order Runge–Kutta method in ``steps``
    steps. Neglected, as in the method: conduction along the tube in the sheet and the
    coolant, the tube wall's resistance, the thermal entrance (a higher film coefficient over
    its first ``0.05 Re Pr D_h``) and the sheet's through-thickness gradient.
    """
    w_o, h_o = tube_outer_m
    w_i, h_i = bore_m
    t = sheet_thickness_m
    fin = (pitch_m - w_o) / 2
    hp = nusselt * fluid_conductivity_w_mk / (4 * w_i * h_i / (2 * (w_i + h_i))) * 2 * (w_i + h_i)
    exposed = 2 * w_o + 2 * (h_o - t)
    capacity = mass_flow_kg_s * specific_heat_j_kgk
    # η over the root temperatures the panel can see, tabulated once (linear interpolation on
    # 1 K steps: error ~ (Δ²/8) η'' ~ 1e-7 for these fins)
    lo = max(sink_k * 1.001, inlet_k - 150.0)
    table_t = np.arange(lo, inlet_k + 2.0, 1.0)
    table_eta = np.array(
        [
            radiating_fin_efficiency(
                length_m=fin,
                thickness_m=t,
                conductivity_w_mk=conductivity_w_mk,
                emissivity=emissivity,
                base_temperature_k=tr,
                sink_k=sink_k,
            )
            for tr in table_t
        ]
    )

    def loss(tr: float) -> tuple[float, float]:
        eta = float(np.interp(tr, table_t, table_eta))
        return emissivity * STEFAN_BOLTZMANN * (tr**4 - sink_k**4) * (exposed + 4 * fin * eta), eta

    def root(tf: float) -> tuple[float, float, float]:
        tr = tf
        for _ in range(100):  # T_r = T_f − q'(T_r)/(hP): a contraction (dq'/dT_r ≪ hP here)
            q, eta = loss(tr)
            new = tf - q / hp
            if abs(new - tr) < 1e-12 * tf:
                break
            tr = new
        q, eta = loss(tr)
        return tr, q, eta

    dx = length_m / steps
    tf = inlet_k
    xs, tfs, trs, etas = [0.0], [tf], [root(tf)[0]], [root(tf)[2]]
    for i in range(steps):
        k1 = -root(tf)[1] / capacity
        k2 = -root(tf + 0.5 * dx * k1)[1] / capacity
        k3 = -root(tf + 0.5 * dx * k2)[1] / capacity
        k4 = -root(tf + dx * k3)[1] / capacity
        tf += dx * (k1 + 2 * k2 + 2 * k3 + k4) / 6
        tr, _, eta = root(tf)
        xs.append((i + 1) * dx)
        tfs.append(tf)
        trs.append(tr)
        etas.append(eta)
    return PanelSizing(
        heat_w=capacity * (inlet_k - tf),
        outlet_k=tf,
        x_m=np.array(xs),
        coolant_k=np.array(tfs),
        root_k=np.array(trs),
        efficiency=np.array(etas),
    )


__all__ = [
    "FinSolution",
    "PanelSizing",
    "fin_collocation",
    "fin_first_integral",
    "radiating_fin_efficiency",
    "tube_sheet_panel",
]
