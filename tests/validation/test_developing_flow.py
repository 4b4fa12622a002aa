"""Issue 3: laminar flow developing from a uniform inlet between parallel plates (a rectangular
duct of aspect ratio → 0) against Shah's correlation of the apparent friction factor
(``rackflow.testing.analytic.shah_apparent_friction_re``; validation.md §4; numbers in
benchmarks/RESULTS.md).

Half the gap (centre-line symmetry, one wall), one cell thick, hexahedra graded towards the
inlet; Re = ū·D_h/ν = 1000 with D_h = twice the gap, up to x⁺ = x/(D_h·Re) = 0.06.

What is compared: the static pressure drop between stations, from x⁺ = 0.002 (past the
uniform inlet's corner singularity, whose local drop keeps growing as the mesh is refined and is
not in a boundary-layer correlation) to x⁺ = 0.005 … 0.05, in dynamic pressures, against the
same difference of Shah's ``4·f_app·Re·x⁺``. Tolerance: Shah states his correlation within
±2.4 % of the solutions it fits (as the apparent friction from the inlet); taken at both ends
of an interval that allows ``2.4 %·(Δp*₂ + Δp*₁)/(Δp*₂ − Δp*₁)`` on the difference (10 %,
5.7 %, 4.0 %, 3.0 % for the stations below). The mesh adds little: the default 120 × 16 mesh and
the 240 × 32 (``pytest -m slow``) and 480 × 64 meshes differ by under 0.5 % on these differences
(RESULTS.md). x⁺ = 0.01 misses (+6.6 %, mesh-converged +7.0 %, against 5.7 %) and is kept as a
strict xfail.
"""

from __future__ import annotations

import numpy as np
import pytest
import rackflow as rf
from rackflow.testing.analytic import shah_pressure_drop_number
from rackflow.testing.fluids import ConstantFluid
from rackflow.testing.meshes import box, stretch, structured_field

REYNOLDS = 1000.0
GAP = 1e-3
START = 0.002  # x⁺ of the first station
SHAH_ACCURACY = 0.024
MISSES_AT_0_01 = pytest.mark.xfail(
    strict=True,
    reason="x⁺ 0.002 → 0.01: +6.6 % (mesh-converged +7.0 %) above Shah's correlation, against "
    "5.7 % from its stated ±2.4 % (RESULTS.md); open",
)


def developing_drops(nx: int, ny: int, stations: list[float]) -> dict[float, float]:
    """Static pressure drop from x⁺ = START to each station, in dynamic pressures ρū²/2."""
    dh, mu, rho = 2 * GAP, 1e-3, 1000.0
    speed = REYNOLDS * mu / (rho * dh)
    length = 0.06 * dh * REYNOLDS
    grading = 5.0  # first cell 0.035 of the gap on the default mesh
    m = box((nx, ny, 1), (1.0, GAP / 2, GAP / 2 / ny))
    mesh = rf.Mesh.from_meshio(stretch(m, 0, lambda s: length * np.expm1(grading * s) / np.expm1(grading)))
    case = rf.Case(mesh)
    case.fluid(mesh.regions[0], ConstantFluid(density_kg_m3=rho, viscosity_pa_s=mu))
    case.inlet("xmin", velocity_m_s=speed)
    case.outlet("xmax", pressure_pa=0.0)
    case.wall("ymax")
    for patch in ("ymin", "zmin", "zmax"):
        case.symmetry(patch)
    result = case.solve()
    assert result.mass_imbalance < 1e-6
    shape = (nx, ny, 1)
    centres, volumes = mesh.cell_centers, mesh.cell_volumes
    p = structured_field(centres, result.pressure_pa, shape)[:, :, 0]
    v = structured_field(centres, volumes, shape)[:, :, 0]
    x = structured_field(centres, centres[:, 0], shape)[:, 0, 0]
    mean_p = (p * v).sum(axis=1) / v.sum(axis=1)  # area-mean pressure of each cell layer

    def at(x_plus: float) -> float:
        return float(np.interp(x_plus * dh * REYNOLDS, x, mean_p))

    q = 0.5 * rho * speed**2
    return {s: (at(START) - at(s)) / q for s in stations}


STATIONS = [0.005, pytest.param(0.01, marks=MISSES_AT_0_01), 0.02, 0.05]


def _check(drops: dict[float, float], station: float) -> None:
    ref_start, ref = (float(shah_pressure_drop_number(x, "parallel_plates")) for x in (START, station))
    tolerance = SHAH_ACCURACY * (ref + ref_start) / (ref - ref_start)
    error = drops[station] / (ref - ref_start) - 1.0
    assert abs(error) < tolerance, (station, drops[station], ref - ref_start, error, tolerance)


@pytest.fixture(scope="module")
def default_mesh_drops() -> dict[float, float]:
    return developing_drops(120, 16, [0.005, 0.01, 0.02, 0.05])


@pytest.mark.validation
@pytest.mark.parametrize("station", STATIONS)
def test_developing_pressure_drop_between_plates(
    default_mesh_drops: dict[float, float], station: float
) -> None:
    _check(default_mesh_drops, station)


@pytest.fixture(scope="module")
def fine_mesh_drops() -> dict[float, float]:
    return developing_drops(240, 32, [0.005, 0.01, 0.02, 0.05])


@pytest.mark.slow  # not validation: CI runs the default mesh above; `pytest -m slow` runs this
@pytest.mark.parametrize("station", STATIONS)
def test_developing_pressure_drop_between_plates_fine(
    fine_mesh_drops: dict[float, float], station: float
) -> None:
    _check(fine_mesh_drops, station)
