"""Laminar flow against theory and the lid-driven cavity benchmark.

References: ../shared/reference/validation.md §1 (Ghia, Ghia & Shin 1982), §3b (exact fully
developed f·Re of rectangular ducts and parallel plates), §4 (Shah & London developing flow).
Tolerances are the issue's acceptance levels: f·Re within 1 % (plates) and 2 % (ducts, hexahedra),
3 % on tetrahedra, cavity centre-line RMS error below 0.01 of the lid speed on 128 × 128.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rackflow as rf
from rackflow.testing.fluids import ConstantFluid
from rackflow.testing.meshes import box

pytestmark = pytest.mark.validation
REFERENCE = Path(__file__).parent / "reference"


def channel_case(
    mesh: rf.Mesh, speed: float, fluid: ConstantFluid, walls: list[str], symmetry: list[str]
) -> rf.Case:
    case = rf.Case(mesh)
    case.fluid(mesh.regions[0], fluid)
    case.inlet("xmin", velocity_m_s=speed)
    case.outlet("xmax", pressure_pa=0.0)
    for p in walls:
        case.wall(p)
    for p in symmetry:
        case.symmetry(p)
    return case


def developed_gradient(result: rf.Result, mesh: rf.Mesh, x0: float, x1: float) -> float:
    """−dp/dx from a least-squares line through cell pressures in x0 < x < x1."""
    x = mesh.cell_centers[:, 0]
    sel = (x > x0) & (x < x1)
    slope = np.polyfit(x[sel], result.pressure_pa[sel], 1)[0]
    return -slope


def test_plane_poiseuille_profile_and_friction() -> None:
    h, length, mu, rho, speed = 0.01, 0.2, 1e-3, 1000.0, 0.001  # Re = ρU·2h/μ = 20
    fluid = ConstantFluid(density_kg_m3=rho, viscosity_pa_s=mu)
    mesh = rf.Mesh.from_meshio(box((100, 20, 1), (length, h, h / 20)))
    result = channel_case(mesh, speed, fluid, ["ymin", "ymax"], ["zmin", "zmax"]).solve(
        velocity_tolerance=1e-8
    )
    reynolds = rho * speed * 2 * h / mu
    f_fanning = developed_gradient(result, mesh, 0.5 * length, 0.9 * length) * h / (rho * speed**2)
    assert f_fanning * reynolds == pytest.approx(24.0, rel=0.01)
    x, y = mesh.cell_centers[:, 0], mesh.cell_centers[:, 1]
    column = np.abs(x - x[np.argmin(np.abs(x - 0.8 * length))]) < 1e-12
    exact = 1.5 * speed * (1 - (2 * y[column] / h - 1) ** 2)
    assert np.max(np.abs(result.velocity_m_s[column, 0] - exact)) < 0.01 * 1.5 * speed
    inflow = result.mass_flow_kg_s("xmin")
    assert inflow == pytest.approx(rho * speed * h * h / 20, rel=1e-12)
    assert result.mass_flow_kg_s("xmax") == pytest.approx(-inflow, rel=1e-8)


EXACT_FRE = {1.0: 14.2271, 0.5: 15.5481, 0.25: 18.2328, 0.125: 20.5846}


def duct_friction(
    aspect: float,
    cells: str,
    n_short: int,
    n_long: int,
    nx: int,
    angle: float = 0.0,
    tolerance: float = 1e-7,
    convection: str = "linear_upwind",
    full: bool = False,
    relaxation: float = 0.7,
) -> tuple[float, rf.Result]:
    """f·Re in a quarter duct (symmetry planes y=0, z=0), height 2b, width 2a, b/a = aspect;
    ``full`` meshes the whole section with walls all round instead."""
    a, b = 0.001, 0.001 * aspect  # half-width and half-height
    dh = 4 * (2 * a) * (2 * b) / (2 * (2 * a + 2 * b))
    length = 40 * dh
    mu, rho, speed = 1e-3, 1000.0, 0.01 * 1e-3 / dh  # Re = 10
    if full:
        m = box((nx, 2 * n_long, 2 * n_short), (length, 2 * a, 2 * b), cells)
    else:
        m = box((nx, n_long, n_short), (length, a, b), cells)
    if angle:
        rot = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1.0]])
        m.points = m.points @ rot.T
    mesh = rf.Mesh.from_meshio(m)
    fluid = ConstantFluid(density_kg_m3=rho, viscosity_pa_s=mu)
    walls, planes = (["ymin", "ymax", "zmin", "zmax"], []) if full else (["ymax", "zmax"], ["ymin", "zmin"])
    result = channel_case(mesh, speed, fluid, walls, planes).solve(
        velocity_tolerance=tolerance,
        pressure_tolerance=max(10 * tolerance, 1e-9),
        convection=convection,
        velocity_relaxation=relaxation,
    )
    x = mesh.cell_centers @ np.array([np.cos(angle), np.sin(angle), 0.0])
    sel = (x > 0.5 * length) & (x < 0.9 * length)
    gradient = -np.polyfit(x[sel], result.pressure_pa[sel], 1)[0]
    f = gradient * dh / (2 * rho * speed**2)
    return f * rho * speed * dh / mu, result


@pytest.mark.parametrize(
    ("aspect", "n_short", "n_long"), [(1.0, 12, 12), (0.5, 8, 16), (0.25, 6, 24), (0.125, 8, 64)]
)
def test_rectangular_duct_friction_hexahedra(aspect: float, n_short: int, n_long: int) -> None:
    fre, result = duct_friction(aspect, "hexahedron", n_short, n_long, 60)
    assert fre == pytest.approx(EXACT_FRE[aspect], rel=0.02)
    assert result.mass_imbalance < 1e-6


@pytest.mark.parametrize(("aspect", "n_short", "n_long"), [(1.0, 8, 8), (0.5, 8, 16)])
def test_rectangular_duct_friction_tetrahedra(aspect: float, n_short: int, n_long: int) -> None:
    # Kuhn-split hexahedra stretched 14:1 along the duct: non-orthogonality up to 82°, mean 59°
    fre, result = duct_friction(aspect, "tetra", n_short, n_long, 60)
    assert fre == pytest.approx(EXACT_FRE[aspect], rel=0.03)
    assert result.mass_imbalance < 1e-6


def test_rectangular_duct_friction_delaunay_tetrahedra(tmp_path: Path) -> None:
    """Unstructured (gmsh Delaunay) tetrahedra: f·Re within 3 % and no spurious cross-flow.
    Without the skewness correction of the face-flux interpolation this case was 4 % high with
    a cross-flow of 1.3 % of U (and 9.7 % high when run at Re = 100, where 8 Dh is still
    developing)."""
    from rackflow.testing.meshes import gmsh_box_tetra

    aspect, a = 0.5, 0.001
    b = a * aspect
    dh = 4 * (2 * a) * (2 * b) / (2 * (2 * a + 2 * b))
    length = 8 * dh
    mesh = rf.load_mesh(gmsh_box_tetra(str(tmp_path / "duct.msh"), (length, a, b), 1e-4))
    mu, rho, speed = 1e-3, 1000.0, 0.01 * 1e-3 / dh  # Re = 10: developed after about Dh/2
    fluid = ConstantFluid(density_kg_m3=rho, viscosity_pa_s=mu)
    result = channel_case(mesh, speed, fluid, ["ymax", "zmax"], ["ymin", "zmin"]).solve()
    fre = developed_gradient(result, mesh, 0.4 * length, 0.9 * length) * dh / (2 * rho * speed**2)
    fre *= rho * speed * dh / mu
    assert fre == pytest.approx(EXACT_FRE[aspect], rel=0.03)
    x = mesh.cell_centers[:, 0]
    developed = (x > 0.4 * length) & (x < 0.9 * length)
    cross = np.linalg.norm(result.velocity_m_s[developed, 1:], axis=1)
    volume = mesh.cell_volumes[developed]
    assert np.sqrt(np.sum(volume * cross**2) / np.sum(volume)) < 0.01 * speed


@pytest.mark.parametrize(("cells", "min_cells"), [("prism", 30_000), ("tetra", 15_000)])
def test_pipe_poiseuille_on_gmsh_cells(tmp_path: Path, cells: str, min_cells: int) -> None:
    """Hagen–Poiseuille f·Re = 16 in a circular pipe of gmsh prisms (triangles swept along the
    axis) or Delaunay tetrahedra; the 31-sided polygonal section alone makes f·Re about 1 %
    high. Measured: prisms +0.1 %, tetrahedra −1.2 % (+5 % before the skewness correction of the
    face fluxes)."""
    from rackflow.meshing.pipe import pipe

    d, length, speed, mu, rho = 1e-3, 5e-3, 0.01, 1e-3, 1000.0  # Re = 10
    path = tmp_path / "pipe.msh"
    mesh = rf.load_mesh(pipe(path, diameter_m=d, length_m=length, cell_size_m=1e-4, cells=cells))
    assert mesh.n_cells > min_cells
    case = rf.Case(mesh)
    case.fluid("fluid", ConstantFluid(density_kg_m3=rho, viscosity_pa_s=mu))
    case.inlet("inlet", velocity_m_s=speed)
    case.outlet("outlet", pressure_pa=0.0)
    case.wall("wall")
    result = case.solve()
    fre = developed_gradient(result, mesh, 0.4 * length, 0.9 * length) * d / (2 * rho * speed**2)
    assert fre * rho * speed * d / mu == pytest.approx(16.0, rel=0.03)
    assert result.mass_imbalance < 1e-6


@pytest.mark.parametrize(("convection", "rel"), [("upwind", 1e-6), ("linear_upwind", 1e-4)])
def test_duct_result_does_not_depend_on_mesh_rotation(convection: str, rel: float) -> None:
    # walls all round: symmetry planes add their implicit normal damping per Cartesian
    # component, which is frame dependent at the level of the discretisation error (~1e-4);
    # the limited scheme limits per Cartesian component, likewise
    base, r0 = duct_friction(1.0, "hexahedron", 4, 4, 30, tolerance=1e-10, convection=convection, full=True)
    turned, r1 = duct_friction(
        1.0, "hexahedron", 4, 4, 30, angle=0.7, tolerance=1e-10, convection=convection, full=True
    )
    assert turned == pytest.approx(base, rel=rel)
    assert r1.pressure_drop_pa("xmin", "xmax") == pytest.approx(r0.pressure_drop_pa("xmin", "xmax"), rel=rel)


def cavity_rms(re: float, n: int) -> tuple[float, float]:
    mesh = rf.Mesh.from_meshio(box((n, n, 1), (1.0, 1.0, 1.0 / n)))
    case = rf.Case(mesh)
    case.fluid("box", ConstantFluid(density_kg_m3=1.0, viscosity_pa_s=1.0 / re))
    for p in ("xmin", "xmax", "ymin"):
        case.wall(p)
    case.wall("ymax", velocity_m_s=(1.0, 0.0, 0.0))
    case.symmetry("zmin")
    case.symmetry("zmax")
    result = case.solve(velocity_tolerance=1e-6, pressure_tolerance=1e-6, velocity_relaxation=0.9)
    c = mesh.cell_centers
    u, v = result.velocity_m_s[:, 0], result.velocity_m_s[:, 1]
    h = 1.0 / n
    # centre lines lie on cell faces for even n: average the two neighbouring columns/rows
    col = np.abs(c[:, 0] - 0.5) < h
    row = np.abs(c[:, 1] - 0.5) < h
    ys, us = np.unique(c[col, 1]), None
    us = np.array([u[col & (np.abs(c[:, 1] - y) < 1e-12)].mean() for y in ys])
    xs = np.unique(c[row, 0])
    vs = np.array([v[row & (np.abs(c[:, 0] - x) < 1e-12)].mean() for x in xs])
    ref = np.genfromtxt(REFERENCE / "ghia1982.csv", delimiter=",", dtype=None, encoding=None, comments="#")
    column = 2 if re == 100 else 3
    errors_u, errors_v = [], []
    for line, coord, *vals in ref:
        target = vals[column - 2]
        if coord in (0.0, 1.0):
            continue  # wall values are boundary conditions
        if line == "v" and re == 400 and coord == 0.9063:
            continue  # −0.23827: the suspected misprint of Ghia's table (validation.md §1)
        if line == "u":
            errors_u.append(np.interp(coord, ys, us) - target)
        else:
            errors_v.append(np.interp(coord, xs, vs) - target)
    return float(np.sqrt(np.mean(np.square(errors_u)))), float(np.sqrt(np.mean(np.square(errors_v))))


@pytest.mark.parametrize("re", [100, 400])
def test_lid_driven_cavity_against_ghia(re: int) -> None:
    rms_u, rms_v = cavity_rms(re, 128)
    assert rms_u < 0.01
    assert rms_v < 0.01
