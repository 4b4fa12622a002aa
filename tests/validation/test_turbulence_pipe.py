"""Turbulent flow with k-ω SST (issue 17): fully developed round pipe, friction and heat transfer.

A 5° sector of a round pipe (D = 20 mm, 80 D long), one hexahedron thick in θ, symmetry planes
on the sector sides and on a tiny inner cylinder at 1 % of the radius (no degenerate cells on
the axis): the axisymmetric pipe at the cost of a 2D mesh. Periodic boundaries are not
available, so the pipe is long; a uniform inlet (5 % intensity) develops well before the
measuring section 0.6–0.95 of the length (48–76 D).

- Friction: the developed pressure gradient as a Darcy factor against Petukhov's
  `f = (0.790 ln Re − 1.64)⁻²` (Colebrook's smooth-pipe value, within 2 % of it here, is
  printed).
- Heat transfer: a fixed wall temperature (30 °C, inlet 20 °C); the mixed-mean (velocity
  weighted) temperature T_b(x) of each cross-section decays as
  `ln(T_w − T_b) = −4 St x / D + c` once developed, so `Nu = St Re Pr` from the fitted slope over
  0.5–0.95 of the length. Reference: Gnielinski's correlation (with Petukhov's f). It is stated
  for both wall conditions; a uniform wall temperature gives a few per cent less than a uniform
  flux at Pr 0.7 and nearly the same at Pr 7 (Kays & Crawford), so this comparison is, if
  anything, against the larger value.
- Both sides of the automatic wall treatment (the default, ``wall_treatment="blended"``): a
  mesh graded to y⁺ ≈ 0.1–0.2 at the first cell centre (low-Re: laminar sublayer resolved,
  laminar + eddy conductivity at the wall), and uniform meshes with the first cell centre at
  y⁺ ≈ 50–60 (wall functions: Spalding's law for the wall shear and the wall cell's production,
  ω blended from the wall shear's u_τ, Kader's thermal wall function at the shear y⁺). Pr 7 is solved warm-started from
  the Pr 0.7 result (k and ω too).

Measured with the blended treatment (2026-12-06, benchmarks/RESULTS.md "Blended wall
treatment"): low-Re f +2.7 %, −0.0 %, +0.5 % and Nu +5.7/+9.9 %, +3.6/+3.3 %, +5.3/+4.8 % at Re
1e4, 5e4, 1e5 (Pr 0.7/7); wall functions f +1.6 % and +0.8 %, Nu +2.8/+1.6 % and +2.3/+0.6 % at
Re 5e4 and 1e5 (stop 29: ω_log the larger of the wall shear's and k's, binomial n = 1.5; stop
28's √k-based hypotenuse: f +2.3 / +1.4 %, Nu +3.6/+2.1, +3.0/+1.0 %; the switching treatment,
OpenFOAM's `blended false`: f −2.2 / −1.9 %, Nu within 2 %). At Re 1e4 with wall functions (y⁺ ≈
30 puts the first cell centre at a tenth of the radius) f is +4.0 % and Nu +10.0 / +10.7 % (stop
28: +5.2 %, +11.7 / +11.5 %; switching: f −5.2 %, Nu +6.5 %): kept as a strict xfail, failing on
Nu. Not the thermal wall function (stop 30): with Kader's law the wall-function pipe at wall y⁺
11–49 is within +0.6…+2.4 % (Pr 0.7) and −2.9…−5.3 % (Pr 7) of the wall-resolved SST converged in
its first cell (y⁺ 0.0125, 74 graded cells), which is itself +8.0 / +14.4 % of Gnielinski (f
+5.4 %) at Re 1e4; Gnielinski's (Re − 1000) lowers his Nu there by 2.4 / 8.0 % below Petukhov's own
formula (1.07, 12.7), of which the resolved SST is +5.4 / +5.3 %. The low-Re test at Re 1e4
passes (+5.7 / +9.9 %, f +2.7 %) because its first cell (y⁺ 0.11–0.16) is not converged: fixing
ω in the wall cell at 6ν/(β₁y²) (OpenFOAM's ``omegaWallFunction``, ours) lowers f and Nu as the
first cell grows — the pipe at Re 5e4: f +2.1 / +1.4 / −0.1 / −3.3 / −6.6 % at y⁺ 0.05 / 0.1 /
0.2 / 0.5 / 1.0 (growth 1.1), and simpleFoam v1912 on the half channel loses as much as rackflow
between y⁺ 0.08 and 2.7 (−9.0 % against −9.2 %; benchmarks/RESULTS.md stop 30).
The square duct (a quarter with symmetry planes, wall functions, Re 5e4) is compared with the
square-duct friction of Jones (1976): f −3.9 %, Nu −7.2 % of Gnielinski; against the round pipe
at D_h (f −6.4 %) it is a strict xfail. The linear SST's duct is 7.0–8.3 % below its round pipe
on the same grid at every y⁺ (no secondary flow; see the test). The low-Re pipes are unchanged
by stop 29 to the printed digits.

Jayatilleke's thermal law instead of the default Kader's (blended treatment, benchmarks/RESULTS.md
stop 27), wall functions, Nu at Pr 0.7/7: +6.9/−1.5 % at Re 5e4, +6.1/−2.5 % at Re 1e5,
+14.2/+7.2 % at Re 1e4 (f unchanged); the square duct Nu −3.5 %.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
import rackflow as rf
from rackflow.errors import WallTreatmentWarning
from rackflow.testing.analytic import colebrook_friction_factor, gnielinski_nusselt, petukhov_friction_factor
from rackflow.testing.fluids import ConstantFluid
from rackflow.testing.meshes import pipe_sector

pytestmark = pytest.mark.validation

D, RHO, MU, CP = 0.02, 1000.0, 1e-3, 4000.0
LENGTH = 80 * D
T_IN, T_WALL = 20.0, 30.0


def pipe_case(mesh: rf.Mesh, reynolds: float, prandtl: float) -> tuple[rf.Case, float]:
    speed = reynolds * MU / (RHO * D)
    fluid = ConstantFluid(
        density_kg_m3=RHO, viscosity_pa_s=MU, specific_heat_j_kgk=CP, conductivity_w_mk=CP * MU / prandtl
    )
    case = rf.Case(mesh)
    case.fluid("coolant", fluid, turbulence="k-omega-sst")
    case.inlet(
        "inlet", velocity_m_s=speed, temperature_c=T_IN, turbulence_intensity=0.05, length_scale_m=0.07 * D
    )
    case.outlet("outlet")
    case.fixed_temperature("wall", T_WALL)
    for patch in ("axis", "side0", "side1"):
        case.symmetry(patch)
    return case, speed


def darcy(result: rf.Result, mesh: rf.Mesh, speed: float) -> float:
    x = mesh.cell_centers[:, 0]
    sel = (x > 0.6 * LENGTH) & (x < 0.95 * LENGTH)
    gradient = -np.polyfit(x[sel], result.pressure_pa[sel], 1)[0]
    return gradient * D / (0.5 * RHO * speed**2)


def nusselt(result: rf.Result, mesh: rf.Mesh, reynolds: float, prandtl: float) -> float:
    x = mesh.cell_centers[:, 0]
    stations, column = np.unique(np.round(x / LENGTH, 9), return_inverse=True)
    weight = result.velocity_m_s[:, 0] * mesh.cell_volumes
    bulk = np.bincount(column, weight * result.temperature_c) / np.bincount(column, weight)
    sel = (stations > 0.5) & (stations < 0.95)
    slope = -np.polyfit(stations[sel] * LENGTH, np.log(T_WALL - bulk[sel]), 1)[0]
    return slope * D / 4 * reynolds * prandtl


def check_pipe(
    mesh: rf.Mesh, reynolds: float, label: str, buffer_layer: bool = False
) -> list[tuple[float, float, float]]:
    """Solve Pr 0.7, then Pr 7 warm-started; returns (f error, Nu error at Pr 0.7, at Pr 7).
    ``buffer_layer``: the wall's mean y⁺ lies between the two wall treatments, and the solve
    must say so with a :class:`WallTreatmentWarning`."""
    out = []
    previous = None
    errors = []
    for prandtl in (0.7, 7.0):
        case, speed = pipe_case(mesh, reynolds, prandtl)
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", WallTreatmentWarning)
            result = case.solve(
                initial=previous, velocity_tolerance=1e-6, pressure_tolerance=1e-5, velocity_relaxation=0.7
            )
        seconds = time.perf_counter() - start
        assert any(issubclass(w.category, WallTreatmentWarning) for w in caught) == buffer_layer, caught
        assert result.report["flow_model"] == "k-omega-sst"
        f = darcy(result, mesh, speed)
        nu = nusselt(result, mesh, reynolds, prandtl)
        f_ref, nu_ref = petukhov_friction_factor(reynolds), gnielinski_nusselt(reynolds, prandtl)
        lo, mean, hi = result.y_plus_by_patch["wall"]
        print(
            f"{label} Re {reynolds:g} Pr {prandtl:g}: f {f:.5f} vs Petukhov {f_ref:.5f} ({100 * (f / f_ref - 1):+.1f} %), "
            f"Colebrook {100 * (f / colebrook_friction_factor(reynolds, 0.0) - 1):+.1f} %; Nu {nu:.1f} vs Gnielinski {nu_ref:.1f} "
            f"({100 * (nu / nu_ref - 1):+.1f} %); wall y+ {lo:.3g}/{mean:.3g}/{hi:.3g}; "
            f"{result.report['flow_iterations']} iterations, {seconds:.1f} s, {mesh.n_cells} cells"
        )
        out.append((f, f_ref, nu, nu_ref, lo, hi))
        errors.append(f"f {f / f_ref - 1:+.3f}, Nu(Pr {prandtl:g}) {nu / nu_ref - 1:+.3f}")
        previous = result
    for f, f_ref, nu, nu_ref, _, _ in out:
        assert f == pytest.approx(f_ref, rel=0.05), errors
        assert nu == pytest.approx(nu_ref, rel=0.10), errors
    return out


@pytest.mark.parametrize(
    ("reynolds", "radial", "grading"),
    [(1e4, 40, 3.0), (5e4, 50, 3.5), (1e5, 60, 4.0)],
    ids=["1e4", "5e4", "1e5"],
)
def test_developed_pipe_with_low_re_walls(reynolds: float, radial: int, grading: float) -> None:
    mesh = rf.Mesh.from_meshio(pipe_sector(80, radial, LENGTH, D / 2, grading))
    out = check_pipe(mesh, reynolds, "low-Re")
    # the first cell centres sit in the viscous sublayer
    assert max(hi for *_, hi in out) < 1.0


@pytest.mark.parametrize(
    ("reynolds", "radial"),
    [
        pytest.param(
            1e4,
            5,
            marks=pytest.mark.xfail(
                strict=True,
                reason="wall functions at Re 1e4 with y+ ≈ 30: f +4.0 % of Petukhov (passes), Nu +10.0 / +10.7 % "
                "of Gnielinski at Pr 0.7 / 7 (blended, Kader). Not the thermal wall function: the wall-resolved "
                "SST converged in its first cell (y+ 0.0125) is itself Nu +8.0 / +14.4 %, f +5.4 % at Re 1e4, and "
                "Kader's law at wall y+ 11–49 stays within +0.6…+2.4 % / −2.9…−5.3 % of it (stop 30); not the "
                "core's resolution (stop 28)",
            ),
        ),
        (5e4, 12),
        (1e5, 20),
    ],
    ids=["1e4", "5e4", "1e5"],
)
def test_developed_pipe_with_wall_functions(reynolds: float, radial: int) -> None:
    mesh = rf.Mesh.from_meshio(pipe_sector(80, radial, LENGTH, D / 2))
    out = check_pipe(mesh, reynolds, "wall functions")
    # the first cell centres sit in the log layer
    assert min(lo for *_, lo, _ in out) > 25.0


#: Re*/Re_Dh of a square duct: Jones (1976, "An improvement in the calculation of turbulent
#: friction in rectangular ducts", J. Fluids Eng. 98, 173–181) applies the circular-pipe law at
#: the laminar-equivalent diameter's Reynolds number, Re* = Re_Dh (2/3 + 11/24 α(2 − α)) for
#: aspect ratio α ≤ 1: 1.125 for a square (= 64/56.9, the laminar f Re of a square duct), 2/3 for
#: parallel plates (Dean's channel correlation, which the channel tests use, is this value).
JONES_SQUARE = 2 / 3 + 11 / 24


@pytest.fixture(scope="module")
def square_duct() -> tuple[float, float, float]:
    """A quarter of a square duct (side D_h, symmetry on the two centre planes, 60 D_h long,
    12 × 12 uniform cells, first cell y⁺ ≈ 50), Re_Dh 5e4, Pr 0.7, wall functions (blended,
    Kader): the developed Darcy f, Nu (D_h) and the walls' mean y⁺."""
    from rackflow.testing.meshes import box

    reynolds, prandtl, dh, length = 5e4, 0.7, D, 60 * D
    mesh = rf.Mesh.from_meshio(box((60, 12, 12), (length, dh / 2, dh / 2)))
    speed = reynolds * MU / (RHO * dh)
    fluid = ConstantFluid(
        density_kg_m3=RHO, viscosity_pa_s=MU, specific_heat_j_kgk=CP, conductivity_w_mk=CP * MU / prandtl
    )
    case = rf.Case(mesh)
    case.fluid("box", fluid, turbulence="k-omega-sst")
    case.inlet("xmin", velocity_m_s=speed, temperature_c=T_IN, length_scale_m=0.07 * dh)
    case.outlet("xmax")
    for wall in ("ymin", "zmin"):
        case.fixed_temperature(wall, T_WALL)
    for plane in ("ymax", "zmax"):
        case.symmetry(plane)
    result = case.solve(velocity_tolerance=1e-6, pressure_tolerance=1e-5, velocity_relaxation=0.7)
    x = mesh.cell_centers[:, 0]
    sel = (x > 0.6 * length) & (x < 0.95 * length)
    f = -np.polyfit(x[sel], result.pressure_pa[sel], 1)[0] * dh / (0.5 * RHO * speed**2)
    stations, column = np.unique(np.round(x / length, 9), return_inverse=True)
    weight = result.velocity_m_s[:, 0] * mesh.cell_volumes
    bulk = np.bincount(column, weight * result.temperature_c) / np.bincount(column, weight)
    s = (stations > 0.5) & (stations < 0.95)
    nu = -np.polyfit(stations[s] * length, np.log(T_WALL - bulk[s]), 1)[0] * dh / 4 * reynolds * prandtl
    y_plus = result.y_plus_by_patch["ymin"][1]
    print(
        f"square duct Re {reynolds:g}: f {100 * (f / petukhov_friction_factor(reynolds) - 1):+.2f} % of Petukhov at Re_Dh, "
        f"{100 * (f / petukhov_friction_factor(JONES_SQUARE * reynolds) - 1):+.2f} % at Jones's Re*; "
        f"Nu {100 * (nu / gnielinski_nusselt(reynolds, prandtl) - 1):+.2f} % of Gnielinski; y+ {result.y_plus_by_patch}"
    )
    return f, nu, y_plus


def test_developed_square_duct_with_wall_functions(square_duct: tuple[float, float, float]) -> None:
    """The square duct against the square-duct correlations: f against Petukhov's law at Jones's
    laminar-equivalent Reynolds number (1.125 Re_Dh; 2.6 % below Petukhov at Re_Dh 5e4), Nu
    against Gnielinski at D_h. Measured (stop 30): f −3.86 % of Jones, Nu −7.16 %.

    Why Jones and not the round pipe at D_h (the issue's wording, strict xfail below): a square
    duct's measured friction lies a few per cent below the round pipe's at the same Re_Dh, and
    Jones's Re* is the correlation of the rectangular ducts' data (it also gives the plane
    channel, Dean's correlation, to 1 % at Re_Dh 5e4). The DNS of Pirozzoli, Modesti, Orlandi &
    Grasso (2018, J. Fluid Mech. 840) finds hydraulic-diameter parametrizations "and
    modifications thereof" predict the square duct's friction. What k-ω SST cannot give is the
    secondary flow of the second kind (a linear eddy viscosity has no normal-stress anisotropy):
    Modesti, Pirozzoli, Orlandi & Grasso (2018, J. Fluid Mech. 847, R1) attribute about 6 % of
    the square duct's friction to the secondary motions (their suppression is partly made up by
    the turbulent stresses). Measured on the same wall-normal grid as the round pipe
    (``benchmarks.square_duct_sst``, benchmarks/RESULTS.md stop 30), the SST duct is 7.0–8.3 %
    below the SST pipe in f and 9.0–10.0 % in Nu on every grid from y⁺ 0.1 to 100, with wall
    functions or resolved walls: the model's, not the mesh's or the wall treatment's (the
    12 × 12 mesh is 1.7 % below the 24 × 24 in f). The low-Re duct (y⁺ 0.06, 77,760 cells) is
    −4.0 % of Jones, Nu −5.2 % of Gnielinski."""
    f, nu, y_plus = square_duct
    reynolds, prandtl = 5e4, 0.7
    assert 25.0 < y_plus < 100.0  # the first cell centres sit in the log layer
    assert f == pytest.approx(petukhov_friction_factor(JONES_SQUARE * reynolds), rel=0.05)
    assert nu == pytest.approx(gnielinski_nusselt(reynolds, prandtl), rel=0.10)


@pytest.mark.xfail(
    strict=True,
    reason="square duct, wall functions, Re 5e4: f −6.40 % of Petukhov at Re_Dh (the round pipe's value; "
    "−3.86 % of Jones's square-duct value, which the test above checks). Linear SST has no secondary flow "
    "(≈ 6 % of the square duct's friction in DNS, Modesti et al. 2018) and its duct is 7.0–8.3 % below its "
    "round pipe on the same grid at every y+ 0.1–100 (benchmarks.square_duct_sst, stop 30)",
)
def test_square_duct_friction_against_the_round_pipe_at_the_hydraulic_diameter(
    square_duct: tuple[float, float, float],
) -> None:
    f, _, _ = square_duct
    assert f == pytest.approx(petukhov_friction_factor(5e4), rel=0.05)
