"""Exact solutions used by the validation tests (and usable by anyone checking a build)."""

from __future__ import annotations

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
