"""Exact solutions used by the validation tests (and usable by anyone checking a build)."""

from __future__ import annotations

import functools
import math

import numpy as np

from rackflow.materials import ABSOLUTE_ZERO_C


class ManufacturedConduction:
    """A smooth 3D temperature field with conductivity linear in temperature.

    ``T = T0 + A sin(a x + φ) cos(b y) (1 + c z²)`` (K) and ``k(T) = k0 (1 + β (T − T0))``, so the
    conductivity varies in space through the temperature. The source that makes it exact is
    ``q''' = −∇·(k ∇T) = −k ∇²T − k'(T) |∇T|²``.
    """

    T0 = 300.0
    A = 40.0
    a, phi, b, c = 1.5, 0.3, 1.2, 0.5
    k0, beta = 10.0, 0.005

    def temperature_k(self, p: np.ndarray) -> np.ndarray:
        x, y, z = p[:, 0], p[:, 1], p[:, 2]
        return self.T0 + self.A * np.sin(self.a * x + self.phi) * np.cos(self.b * y) * (1 + self.c * z**2)

    def temperature_c(self, p: np.ndarray) -> np.ndarray:
        return self.temperature_k(p) + ABSOLUTE_ZERO_C

    def conductivity_table_c(self) -> list[tuple[float, float]]:
        """k(T) as a two-point table in °C (exact, since k is linear in T)."""
        t_lo, t_hi = 200.0, 400.0
        return [(t + ABSOLUTE_ZERO_C, self.k0 * (1 + self.beta * (t - self.T0))) for t in (t_lo, t_hi)]

    def source_w_m3(self, p: np.ndarray) -> np.ndarray:
        x, y, z = p[:, 0], p[:, 1], p[:, 2]
        f, fp = np.sin(self.a * x + self.phi), self.a * np.cos(self.a * x + self.phi)
        g, gp = np.cos(self.b * y), -self.b * np.sin(self.b * y)
        h, hp, hpp = 1 + self.c * z**2, 2 * self.c * z, 2 * self.c
        laplacian = self.A * (-(self.a**2) * f * g * h - self.b**2 * f * g * h + f * g * hpp)
        grad2 = self.A**2 * ((fp * g * h) ** 2 + (f * gp * h) ** 2 + (f * g * hp) ** 2)
        t = self.temperature_k(p)
        k = self.k0 * (1 + self.beta * (t - self.T0))
        return -k * laplacian - self.k0 * self.beta * grad2


@functools.lru_cache(maxsize=4)
def _graetz_modes(geometry: str, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues β and weights c² of the Graetz problem (fully developed laminar velocity, no
    axial conduction, uniform wall temperature from x = 0), by a conservative second-order
    finite-volume discretisation of the wall-normal coordinate Y = y/D_h solved with a dense
    symmetric eigensolver. ``θ_b(x*) = Σ c² e^(−β x*)`` with ``x* = x/(D_h Pe)``."""
    if geometry == "plates":  # Y from the mid-plane (0) to the wall (1/4); D_h = 4 × half-gap
        half = 0.25
        nodes = np.linspace(0.0, half, n_nodes + 1)[:-1]  # the wall node (θ = 0) is dropped
        h = nodes[1] - nodes[0]
        speed = 1.5 * (1 - (nodes / half) ** 2)
        area = np.ones(n_nodes)  # the flux area across a control-volume face, per node above it
        volume = np.full(n_nodes, h)
        volume[0] = h / 2
    elif geometry == "tube":  # Y = r/D from the axis (0) to the wall (1/2)
        half = 0.5
        nodes = np.linspace(0.0, half, n_nodes + 1)[:-1]
        h = nodes[1] - nodes[0]
        speed = 2.0 * (1 - (nodes / half) ** 2)
        area = nodes + h / 2
        volume = nodes * h
        volume[0] = h * h / 8
    else:
        raise ValueError(f"geometry must be 'plates' or 'tube', got {geometry!r}")
    # stiffness (−d/dY (a dθ/dY)) with θ = 0 on the wall node just past the last node
    stiff = np.zeros((n_nodes, n_nodes))
    g = area / h
    idx = np.arange(n_nodes - 1)
    stiff[idx, idx] += g[:-1]
    stiff[idx + 1, idx + 1] += g[:-1]
    stiff[idx, idx + 1] -= g[:-1]
    stiff[idx + 1, idx] -= g[:-1]
    stiff[-1, -1] += g[-1]
    mass = speed * volume  # velocity-weighted control volumes
    scale = 1 / np.sqrt(mass)
    beta, vectors = np.linalg.eigh(stiff * scale[:, None] * scale[None, :])
    # θ_in = 1 = Σ c φ with M-orthonormal φ = scale·v: c = φᵀ M 1; θ_b = Σ c² e^(−βx*) / Σ M
    c = vectors.T @ (mass * scale)
    return beta, c**2 / mass.sum()


def graetz_local_nusselt(
    x_star: float | np.ndarray, geometry: str = "plates", n_nodes: int = 150
) -> np.ndarray:
    """Local Nusselt number ``Nu_x = h D_h / k`` of the thermal entry (Graetz) problem with a
    uniform wall temperature, at ``x* = x / (D_h Re Pr)`` (validation.md §4 convention).

    ``geometry``: ``"plates"`` (parallel plates, both walls at T_w, D_h = 2 × gap) or ``"tube"``
    (circular tube). Fully developed velocity, no axial conduction. From the bulk temperature:
    ``Nu_x = −(dθ_b/dx*) / (4 θ_b)``. Second-order accurate in ``1/n_nodes``; the tube values
    reproduce validation.md §4a's table (tests/unit/test_analytic.py)."""
    beta, weight = _graetz_modes(geometry, n_nodes)
    x = np.atleast_1d(np.asarray(x_star, dtype=float))[:, None]
    decay = weight * np.exp(-beta * x)
    return (decay @ beta) / (4 * decay.sum(axis=1))


def colebrook_friction_factor(reynolds: float, relative_roughness: float) -> float:
    """Darcy friction factor from the Colebrook–White equation, solved by fixed-point iteration
    to round-off (an independent reference for the network's pipe and duct losses)."""
    x = 8.0  # 1/√f
    for _ in range(200):
        x = -2.0 * math.log10(relative_roughness / 3.7 + 2.51 * x / reynolds)
    return 1.0 / x**2


def petukhov_friction_factor(reynolds: float) -> float:
    """Darcy friction factor of fully developed turbulent flow in a smooth tube, Petukhov (1970):
    ``(0.790 ln Re − 1.64)⁻²``, within 2 % of smooth Colebrook–White for Re 10⁴–10⁶ (+3.8 % at 4·10³)."""
    return (0.790 * math.log(reynolds) - 1.64) ** -2


def gnielinski_nusselt(reynolds: float, prandtl: float) -> float:
    """Nusselt number of fully developed turbulent flow in a smooth tube, Gnielinski (1976) with
    Petukhov's friction factor: ``(f/8)(Re − 1000) Pr / (1 + 12.7 √(f/8) (Pr^⅔ − 1))``, within
    about 10 % of measurements for Re 3·10³–5·10⁶ and Pr 0.5–2,000."""
    f = petukhov_friction_factor(reynolds)
    return (f / 8) * (reynolds - 1000) * prandtl / (1 + 12.7 * math.sqrt(f / 8) * (prandtl ** (2 / 3) - 1))


#: Constants of Shah's developing-flow correlation (Shah 1978; Shah & London 1978, eq. 192 for
#: the tube): fully developed Fanning f·Re, incremental pressure-drop number K(∞) and C. The
#: plate and square-duct constants are Shah's own for those sections, as quoted in public code
#: that uses them (Shah's paper was not readable here; validation.md §4's
#: rectangular form would keep the tube's K(∞) and C, which reads ~7 % low for a square duct,
#: benchmarks/RESULTS.md).
SHAH_DEVELOPING_FLOW = {
    "circular": (16.0, 1.25, 2.1e-4),
    "parallel_plates": (24.0, 0.674, 2.9e-5),
    "square": (14.227, 1.43, 2.9e-4),
}


def shah_apparent_friction_re(x_plus: float | np.ndarray, geometry: str = "circular") -> np.ndarray:
    """Apparent Fanning friction factor × Re of laminar flow developing from a uniform inlet,
    over the length 0 → x, against x⁺ = x/(D_h·Re) (R. K. Shah, "A correlation for laminar
    hydrodynamic entry length solutions", J. Fluids Eng. 100 (1978) 177–179; Shah & London,
    *Laminar Flow Forced Convection in Ducts*, 1978, eq. 192 for the tube; validation.md §4)::

        f_app·Re = 3.44/√x⁺ + [K(∞)/(4x⁺) + f·Re − 3.44/√x⁺] / (1 + C/x⁺²)

    with (f·Re, K(∞), C) of :data:`SHAH_DEVELOPING_FLOW`; Shah gives it within ±2.4 % of the
    entry-length solutions he correlated (boundary-layer type, i.e. Re → ∞; at finite Re the
    uniform inlet adds about 38/Re to K(∞), Chen 1973). The pressure drop from the inlet is
    ``Δp = 4·f_app·(x/D_h)·ρū²/2``, see :func:`shah_pressure_drop_number`."""
    f_re, k_inf, c = SHAH_DEVELOPING_FLOW[geometry]
    x = np.asarray(x_plus, dtype=float)
    lead = 3.44 / np.sqrt(x)
    return lead + (k_inf / (4.0 * x) + f_re - lead) / (1.0 + c / x**2)


def shah_pressure_drop_number(x_plus: float | np.ndarray, geometry: str = "circular") -> np.ndarray:
    """Static pressure drop from the uniform inlet to x⁺ in dynamic pressures,
    ``(p₀ − p(x))/(ρū²/2) = 4·f_app·Re·x⁺`` (:func:`shah_apparent_friction_re`); tends to
    ``4·f·Re·x⁺ + K(∞)`` far downstream."""
    x = np.asarray(x_plus, dtype=float)
    return 4.0 * shah_apparent_friction_re(x, geometry) * x
