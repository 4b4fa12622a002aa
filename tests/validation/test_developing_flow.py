"""Issue 3: laminar flow developing from a uniform inlet, between parallel plates and in a square
duct, against Shah's correlation of the apparent friction factor
(``rackflow.testing.analytic.shah_apparent_friction_re`` with Shah's constants for each section;
validation.md §4; numbers in benchmarks/RESULTS.md).

Hexahedra graded towards the inlet, symmetry on the cut planes (half the plate gap, one cell
thick; a quarter of the square duct); Re = ū·D_h/ν = 1000, up to x⁺ = x/(D_h·Re) = 0.06.

What is compared: the static pressure drop between stations (area-mean pressure of the cell
layers), from x⁺ = 0.002 (past the uniform inlet's corner singularity, whose local drop keeps
growing as the mesh is refined and is not in a boundary-layer correlation) to x⁺ = 0.005 … 0.05,
in dynamic pressures, against the same difference of Shah's ``4·f_app·Re·x⁺``. Tolerance: Shah
states his correlation within ±2.4 % of the solutions it fits (as the apparent friction from the
inlet); taken at both ends of an interval that allows ``2.4 %·(Δp*₂ + Δp*₁)/(Δp*₂ − Δp*₁)`` on
the difference (about 10 %, 5.7 %, 4.0–4.2 %, 3.1–3.3 % for the four stations). The mesh adds
at most 0.55 % on these differences between the default and the ``slow`` meshes
(RESULTS.md). Between plates x⁺ = 0.01 misses (+6.5 %, mesh-converged +7.0 %, against 5.7 %)
and is kept as a strict xfail; the square duct meets all four.

OpenFOAM's simpleFoam on the identical plate meshes (``benchmarks/openfoam/developing_plates.py``,
stored in ``reference/openfoam_developing_plates.csv``) misses Shah by the same amount (+6.7 %,
+7.0 % on the fine mesh) and agrees with rackflow to 0.3 % (0.07 % on the fine mesh) at every
station: the miss is the correlation's, near the inlet, not the solver's. The plates are also
checked against those drops, within 0.5 %.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rackflow as rf
from rackflow.testing.analytic import shah_pressure_drop_number
from rackflow.testing.fluids import ConstantFluid
from rackflow.testing.meshes import box, stretch, structured_field

REYNOLDS = 1000.0
START = 0.002  # x⁺ of the first station
SHAH_ACCURACY = 0.024
OPENFOAM = Path(__file__).parent / "reference" / "openfoam_developing_plates.csv"
# the two codes' discretisations (convection scheme, face-flux interpolation) differ by
# 0.04–0.28 % on the default mesh and 0.01–0.06 % on the fine one (2026-12-06)
OPENFOAM_AGREEMENT = 0.005
MISSES_AT_0_01 = pytest.mark.xfail(
    strict=True,
    reason="x⁺ 0.002 → 0.01: +6.52 % above Shah's correlation on 120×16 (+6.91 % on the slow 240×32), "
    "against 5.73 % from its stated ±2.4 % (RESULTS.md); OpenFOAM on the same meshes: +6.7 % (+7.0 %)",
)


def developing_drops(section: str, nx: int, n: int, stations: list[float]) -> dict[float, float]:
    """Static pressure drop from x⁺ = START to each station, in dynamic pressures ρū²/2.

    ``section``: ``parallel_plates`` (half the gap, n cells across, one cell thick) or
    ``square`` (a quarter of the duct, n × n cells); both 1 mm across, symmetry on the cut
    planes, graded towards the inlet (first cell 0.035 of the width at nx = 120)."""
    width, mu, rho = 1e-3, 1e-3, 1000.0
    dh = 2 * width if section == "parallel_plates" else width
    speed = REYNOLDS * mu / (rho * dh)
    length = 0.06 * dh * REYNOLDS
    grading = 5.0
    half = width / 2
    shape = (nx, n, 1) if section == "parallel_plates" else (nx, n, n)
    m = box(shape, (1.0, half, half / n if section == "parallel_plates" else half))
    mesh = rf.Mesh.from_meshio(stretch(m, 0, lambda s: length * np.expm1(grading * s) / np.expm1(grading)))
    case = rf.Case(mesh)
    case.fluid(mesh.regions[0], ConstantFluid(density_kg_m3=rho, viscosity_pa_s=mu))
    case.inlet("xmin", velocity_m_s=speed)
    case.outlet("xmax", pressure_pa=0.0)
    walls = ["ymax"] if section == "parallel_plates" else ["ymax", "zmax"]
    for patch in ("ymin", "ymax", "zmin", "zmax"):
        (case.wall if patch in walls else case.symmetry)(patch)
    result = case.solve()
    assert result.mass_imbalance < 1e-6
    centres, volumes = mesh.cell_centers, mesh.cell_volumes
    p = structured_field(centres, result.pressure_pa, shape).reshape(nx, -1)
    v = structured_field(centres, volumes, shape).reshape(nx, -1)
    x = structured_field(centres, centres[:, 0], shape).reshape(nx, -1)[:, 0]
    mean_p = (p * v).sum(axis=1) / v.sum(axis=1)  # area-mean pressure of each cell layer

    def at(x_plus: float) -> float:
        return float(np.interp(x_plus * dh * REYNOLDS, x, mean_p))

    q = 0.5 * rho * speed**2
    return {s: (at(START) - at(s)) / q for s in stations}


STATIONS = [0.005, 0.01, 0.02, 0.05]
PLATE_STATIONS = [0.005, pytest.param(0.01, marks=MISSES_AT_0_01), 0.02, 0.05]


def _check(drops: dict[float, float], section: str, station: float) -> None:
    ref_start, ref = (float(shah_pressure_drop_number(x, section)) for x in (START, station))
    tolerance = SHAH_ACCURACY * (ref + ref_start) / (ref - ref_start)
    error = drops[station] / (ref - ref_start) - 1.0
    assert abs(error) < tolerance, (station, drops[station], ref - ref_start, error, tolerance)


def _check_openfoam(drops: dict[float, float], nx: int, n: int, station: float) -> None:
    table = np.loadtxt(OPENFOAM, delimiter=",", comments="#")  # nx, n, x_plus, drop
    row = table[(table[:, 0] == nx) & (table[:, 1] == n) & np.isclose(table[:, 2], station)]
    assert len(row) == 1, (nx, n, station)
    assert drops[station] == pytest.approx(row[0, 3], rel=OPENFOAM_AGREEMENT)


@pytest.fixture(scope="module")
def plates() -> dict[float, float]:
    return developing_drops("parallel_plates", 120, 16, STATIONS)


@pytest.fixture(scope="module")
def square() -> dict[float, float]:
    return developing_drops("square", 100, 12, STATIONS)


@pytest.mark.validation
@pytest.mark.parametrize("station", PLATE_STATIONS)
def test_developing_pressure_drop_between_plates(plates: dict[float, float], station: float) -> None:
    _check(plates, "parallel_plates", station)


@pytest.mark.validation
@pytest.mark.parametrize("station", STATIONS)
def test_developing_pressure_drop_in_a_square_duct(square: dict[float, float], station: float) -> None:
    _check(square, "square", station)


@pytest.mark.validation
@pytest.mark.parametrize("station", STATIONS)
def test_developing_pressure_drop_between_plates_matches_openfoam(
    plates: dict[float, float], station: float
) -> None:
    _check_openfoam(plates, 120, 16, station)


@pytest.fixture(scope="module")
def plates_fine() -> dict[float, float]:
    return developing_drops("parallel_plates", 240, 32, STATIONS)


@pytest.fixture(scope="module")
def square_fine() -> dict[float, float]:
    return developing_drops("square", 160, 16, STATIONS)


# not validation: CI runs the default meshes above; `pytest -m slow` runs these (~1 min)
@pytest.mark.slow
@pytest.mark.parametrize("station", PLATE_STATIONS)
def test_developing_pressure_drop_between_plates_fine(
    plates_fine: dict[float, float], station: float
) -> None:
    _check(plates_fine, "parallel_plates", station)


@pytest.mark.slow
@pytest.mark.parametrize("station", STATIONS)
def test_developing_pressure_drop_between_plates_fine_matches_openfoam(
    plates_fine: dict[float, float], station: float
) -> None:
    _check_openfoam(plates_fine, 240, 32, station)


@pytest.mark.slow
@pytest.mark.parametrize("station", STATIONS)
def test_developing_pressure_drop_in_a_square_duct_fine(
    square_fine: dict[float, float], station: float
) -> None:
    _check(square_fine, "square", station)
