"""Conduction against closed-form solutions (Incropera et al., 7th ed., §3.1 and §3.5).

* Plane wall with uniform generation and convective faces: T(x) = q L²/(2k)(1 − x²/L²) + T∞ + qL/h.
  The cell-centred scheme is exact for a quadratic profile in the interior; the tolerance is
  1e-3 of the temperature rise on a 40-cell mesh.
* Composite wall with contact resistance: piecewise linear, so exact to round-off (1e-9 of ΔT)
  on hexahedra; on tetrahedra to 1e-6 of ΔT (deferred correction converged to 1e-11).
Every case also checks the global energy balance to 1e-8.
"""

from __future__ import annotations

import numpy as np
import pytest
import rackflow as rf
from rackflow.testing.meshes import box

pytestmark = pytest.mark.validation


@pytest.mark.parametrize("cells", ["hexahedron", "tetra"])
def test_plane_wall_with_generation_and_convection(cells: str) -> None:
    half, k, q, h, t_inf = 0.01, 20.0, 1.0e6, 500.0, 25.0
    mesh = rf.Mesh.from_meshio(box((40, 2, 2), (2 * half, 0.004, 0.004), cells))
    case = rf.Case(mesh)
    case.solid("box", material=rf.Material("k20", conductivity_w_mk=k), power_density_w_m3=q)
    case.convective("xmin", htc_w_m2k=h, ambient_c=t_inf)
    case.convective("xmax", htc_w_m2k=h, ambient_c=t_inf)
    result = case.solve(tolerance=1e-11)
    x = mesh.cell_centers[:, 0] - half
    exact = q * half**2 / (2 * k) * (1 - x**2 / half**2) + t_inf + q * half / h
    rise = q * half**2 / (2 * k)
    assert np.max(np.abs(result.temperature_c - exact)) < 1e-3 * rise
    assert abs(result.energy_balance_error) < 1e-8
    volume = mesh.region_volume("box")
    assert result.heat_flow_w("xmin") + result.heat_flow_w("xmax") == pytest.approx(-q * volume, rel=1e-9)


@pytest.mark.parametrize(("cells", "tolerance"), [("hexahedron", 1e-9), ("tetra", 1e-6)])
def test_composite_wall_with_contact_resistance(cells: str, tolerance: float) -> None:
    length, k1, k2, rc, t1, t2 = 0.01, 400.0, 4.0, 5e-5, 80.0, 30.0
    regions = {"copper": lambda c: c[:, 0] < length / 2, "tim": lambda c: c[:, 0] >= length / 2}
    mesh = rf.Mesh.from_meshio(box((20, 3, 3), (length, 0.003, 0.003), cells, regions=regions))
    case = rf.Case(mesh)
    case.solid("copper", material=rf.Material("cu", conductivity_w_mk=k1))
    case.solid("tim", material=rf.Material("tim", conductivity_w_mk=k2))
    case.contact("copper", "tim", resistance_m2k_w=rc)
    case.fixed_temperature("xmin", temperature_c=t1)
    case.fixed_temperature("xmax", temperature_c=t2)
    result = case.solve(tolerance=1e-12)
    flux = (t1 - t2) / (length / 2 / k1 + rc + length / 2 / k2)
    x = mesh.cell_centers[:, 0]
    exact = np.where(
        x < length / 2, t1 - flux * x / k1, t1 - flux * (length / 2 / k1 + rc) - flux * (x - length / 2) / k2
    )
    assert np.max(np.abs(result.temperature_c - exact)) < tolerance * (t1 - t2)
    area = 0.003 * 0.003
    assert result.heat_flow_w("xmin") == pytest.approx(flux * area, rel=10 * tolerance)
    assert result.contact_heat_flow_w("copper", "tim") == pytest.approx(flux * area, rel=10 * tolerance)
    assert abs(result.energy_balance_error) < 1e-8


def test_temperature_dependent_conductivity_matches_kirchhoff_transform() -> None:
    """Slab between two temperatures with k = k0(1 + βT): the Kirchhoff transform gives
    k0 (T + βT²/2) linear in x, so T(x) is known exactly; the table is linear, hence exact."""
    k0, beta, t1, t2, length = 100.0, 0.004, 150.0, 20.0, 0.02
    table = [(t, k0 * (1 + beta * t)) for t in (0.0, 200.0)]
    mesh = rf.Mesh.from_meshio(box((40, 1, 1), (length, 0.002, 0.002)))
    case = rf.Case(mesh)
    case.solid("box", material=rf.Material("kT", conductivity_w_mk=table))
    case.fixed_temperature("xmin", temperature_c=t1)
    case.fixed_temperature("xmax", temperature_c=t2)
    result = case.solve(tolerance=1e-12)

    def phi(t: np.ndarray | float) -> np.ndarray | float:
        return t + beta * np.square(t) / 2

    x = mesh.cell_centers[:, 0]
    target = phi(t1) + (phi(t2) - phi(t1)) * x / length
    exact = (-1 + np.sqrt(1 + 2 * beta * target)) / beta
    # second order in the cell size: the face conductivity is a harmonic mean of cell values
    assert np.max(np.abs(result.temperature_c - exact)) < 0.02
    assert abs(result.energy_balance_error) < 1e-8
    assert result.report["outer_iterations"] > 1
