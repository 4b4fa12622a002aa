"""Heat transfer with coolant flow against theory.

* Fully developed Nusselt number between parallel plates with uniform heat flux on both walls:
  Nu = 140/17 = 8.2353 (validation.md §3b, exact), within 3 % (the issue's level).
* A conjugate channel (copper base under a water channel, heated from below): the discrete energy
  balance closes to 1e-8, the coolant picks up all the heat, and with bounded convection the
  coolant temperature stays between the inlet temperature and the hottest wall.
"""

from __future__ import annotations

import numpy as np
import pytest
import rackflow as rf
from rackflow.testing.fluids import ConstantFluid
from rackflow.testing.meshes import box

pytestmark = pytest.mark.validation


def test_parallel_plates_uniform_flux_nusselt() -> None:
    gap, k, cp, mu, rho = 0.002, 0.6, 1000.0, 1e-3, 1000.0  # Pr = μ cp / k = 1.67
    dh = 2 * gap
    speed = 10 * mu / (rho * dh)  # Re = 10
    length = 30 * dh
    q = 1000.0
    mesh = rf.Mesh.from_meshio(box((120, 24, 1), (length, gap, gap / 24)))
    case = rf.Case(mesh)
    case.fluid(
        "box",
        ConstantFluid(density_kg_m3=rho, viscosity_pa_s=mu, conductivity_w_mk=k, specific_heat_j_kgk=cp),
    )
    case.inlet("xmin", velocity_m_s=speed, temperature_c=20.0)
    case.outlet("xmax")
    case.heat_flux("ymin", flux_w_m2=q)
    case.heat_flux("ymax", flux_w_m2=q)
    case.symmetry("zmin")
    case.symmetry("zmax")
    result = case.solve(velocity_tolerance=1e-8)
    assert abs(result.energy_balance_error) < 1e-8
    x, y = mesh.cell_centers[:, 0], mesh.cell_centers[:, 1]
    station = x[np.argmin(np.abs(x - 0.75 * length))]
    column = np.abs(x - station) < 1e-12
    order = np.argsort(y[column])
    t = result.temperature_c[column][order]
    u = result.velocity_m_s[column, 0][order]
    bulk = np.sum(u * t) / np.sum(u)
    # wall temperature: the wall-adjacent cell plus the conduction drop over half a cell
    dy = gap / 24
    wall = t[0] + q * (dy / 2) / k
    nusselt = q * dh / (k * (wall - bulk))
    assert nusselt == pytest.approx(140 / 17, rel=0.03)


def test_conjugate_channel_balance_and_bounds() -> None:
    regions = {"base": lambda c: c[:, 2] < 0.001, "channel": lambda c: c[:, 2] >= 0.001}
    mesh = rf.Mesh.from_meshio(box((40, 8, 16), (0.01, 0.001, 0.002), regions=regions))
    case = rf.Case(mesh)
    case.solid("base", rf.Material("copper-400", conductivity_w_mk=400.0))
    case.fluid(
        "channel",
        ConstantFluid(
            density_kg_m3=997.0, viscosity_pa_s=8.55e-4, conductivity_w_mk=0.613, specific_heat_j_kgk=4179.0
        ),
    )
    case.heat_flux("zmin", flux_w_m2=5e5)
    case.inlet("xmin", velocity_m_s=0.5, temperature_c=26.85)
    case.outlet("xmax")
    result = case.solve()
    assert abs(result.energy_balance_error) < 1e-8
    heat = 5e5 * 0.01 * 0.001
    assert result.coolant_heat_w() == pytest.approx(heat, rel=1e-6)
    t_in = 26.85
    fluid = result.temperature_c[mesh.cells_of("channel")]
    assert fluid.min() >= t_in - 1e-6
    assert fluid.max() <= result.max_temperature_c("base") + 1e-6
    mdot = result.mass_flow_kg_s("xmin")
    assert result.outlet_temperature_c("xmax") == pytest.approx(t_in + heat / (mdot * 4179.0), rel=1e-3)


def test_library_coolant_properties_follow_temperature() -> None:
    regions = {"base": lambda c: c[:, 2] < 0.001, "channel": lambda c: c[:, 2] >= 0.001}
    mesh = rf.Mesh.from_meshio(box((30, 6, 12), (0.01, 0.001, 0.002), regions=regions))

    def solve(power: float) -> rf.Result:
        case = rf.Case(mesh)
        case.solid("base", "copper")
        case.fluid("channel", "water")
        case.heat_flux("zmin", power_w=power)
        case.inlet("xmin", flow_lpm=0.03, temperature_c=25.0)
        case.outlet("xmax")
        return case.solve()

    cold, hot = solve(0.2), solve(12.0)
    # hotter water is less viscous: the pressure drop falls as the heat load rises
    assert hot.pressure_drop_pa("xmin", "xmax") < 0.95 * cold.pressure_drop_pa("xmin", "xmax")
    assert hot.report["coupling_passes"] > 1
    assert abs(hot.energy_balance_error) < 1e-8


def test_saved_result_carries_flow_fields(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import meshio

    regions = {"base": lambda c: c[:, 2] < 0.001, "channel": lambda c: c[:, 2] >= 0.001}
    mesh = rf.Mesh.from_meshio(box((10, 4, 8), (0.01, 0.001, 0.002), regions=regions))
    case = rf.Case(mesh)
    case.solid("base", "copper", power_w=1.0)
    case.fluid("channel", "water")
    case.inlet("xmin", flow_lpm=0.05, temperature_c=25.0)
    case.outlet("xmax")
    result = case.solve()
    back = meshio.read(result.save(tmp_path / "cht.vtu"))
    assert np.allclose(np.concatenate(back.cell_data["velocity_m_s"]), result.velocity_m_s)
    assert np.allclose(np.concatenate(back.cell_data["pressure_pa"]), result.pressure_pa)
    assert np.allclose(np.concatenate(back.cell_data["temperature_c"]), result.temperature_c)


def duct_nusselt_t(
    aspect: float, n_short: int, n_long: int, nx: int, length_dh: float, span_dh: tuple[float, float]
) -> float:
    """Nu_T of a rectangular duct (quarter, symmetry planes; half-width a, half-height b = aspect·a)
    from the axial decay of T_b − T_wall over ``span_dh`` hydraulic diameters."""
    a, b = 0.001, 0.001 * aspect
    dh = 4 * (2 * a) * (2 * b) / (2 * (2 * a + 2 * b))
    mu, rho, k, cp = 1e-3, 1000.0, 0.5, 1000.0  # Pr = 2, Re = 50: Pe = 100
    speed = 50 * mu / (rho * dh)
    length = length_dh * dh
    mesh = rf.Mesh.from_meshio(box((nx, n_long, n_short), (length, a, b)))
    case = rf.Case(mesh)
    case.fluid(
        "box",
        ConstantFluid(density_kg_m3=rho, viscosity_pa_s=mu, conductivity_w_mk=k, specific_heat_j_kgk=cp),
    )
    case.inlet("xmin", velocity_m_s=speed, temperature_c=80.0)
    case.outlet("xmax")
    case.fixed_temperature("ymax", temperature_c=20.0)
    case.fixed_temperature("zmax", temperature_c=20.0)
    case.symmetry("ymin")
    case.symmetry("zmin")
    result = case.solve(velocity_tolerance=1e-8)
    x = mesh.cell_centers[:, 0]
    stations = np.unique(np.round(x, 12))
    bulk = []
    for x0 in stations:
        s = np.abs(x - x0) < 1e-12
        flux = result.velocity_m_s[s, 0] * mesh.cell_volumes[s]
        bulk.append(np.sum(flux * result.temperature_c[s]) / np.sum(flux))
    developed = (stations > span_dh[0] * dh) & (stations < span_dh[1] * dh)
    slope = np.polyfit(stations[developed], np.log(np.asarray(bulk)[developed] - 20.0), 1)[0]
    return -slope * rho * cp * speed * dh**2 / (4 * k)


@pytest.mark.parametrize(
    ("aspect", "n_short", "n_long", "nx", "length_dh", "span_dh", "exact"),
    [
        (1.0, 10, 10, 90, 15, (6, 12), 2.9775),
        # the flat duct develops thermally much more slowly (its corners): measure further down
        (0.25, 6, 24, 180, 30, (18, 27), 4.4405),
    ],
)
def test_rectangular_duct_uniform_wall_temperature_nusselt(
    aspect: float,
    n_short: int,
    n_long: int,
    nx: int,
    length_dh: float,
    span_dh: tuple[float, float],
    exact: float,
) -> None:
    # validation.md §3b exact Nu_T; Pe = 100 keeps axial conduction below the tolerance
    assert duct_nusselt_t(aspect, n_short, n_long, nx, length_dh, span_dh) == pytest.approx(exact, rel=0.03)


# --- the solid–fluid interface on Gmsh OpenCASCADE tetrahedra (issue 16, stop 20) ---------------
# Copper (400 W/m/K) against a 0.5 W/m/K region, the coolant's conductivity contrast. Measured
# (2026-12-05, benchmarks/RESULTS.md "Stop 20"): with each side's own least-squares gradient
# correcting its point on the face normal (rackflow), with no interface correction
# (OpenFOAM's coupled patches) and with the better conductor's gradient for both (experiment,
# reverted: the bundled pin-fin plate's energy then stalls, see test_skewed_interfaces.py):
#
# | case | each side's own (kept) | no correction | better conductor's |
# |---|---:|---:|---:|
# | tilted composite wall, max error / ΔT, h 0.4 / 0.2 mm | 4e-10 / 1e-9 | 1.2e-2 / 8.0e-3 | 3e-10 / 1e-9 |
# | curved wall layer, copper mean error, h 0.14 mm | −0.921 % | −0.806 % | −0.806 % |
# | curved wall layer, L2 error / peak rise, h 0.14 mm | 5.03e-3 | 4.51e-3 | 4.51e-3 |

COPPER_K, LAYER_K = 400.0, 0.5


def _gmsh_slab(path, size_m: float, width: float = 4e-3, a: float = 1e-3, b: float = 3e-3):  # type: ignore[no-untyped-def]
    """Copper box 0 < y < a under a layer a < y < b (Gmsh OCC fragments, default tetrahedra)."""
    gmsh = pytest.importorskip("gmsh")
    gmsh.initialize()
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        occ = gmsh.model.occ
        occ.fragment(
            [(3, occ.addBox(0, 0, 0, width, a, width))], [(3, occ.addBox(0, a, 0, width, b - a, width))]
        )
        occ.synchronize()
        volumes = [t for _, t in gmsh.model.getEntities(3)]
        below = [t for t in volumes if occ.getCenterOfMass(3, t)[1] < a]
        gmsh.model.addPhysicalGroup(3, below, name="copper")
        gmsh.model.addPhysicalGroup(3, [t for t in volumes if t not in below], name="layer")
        patches: dict[str, list[int]] = {"bottom": [], "top": [], "sides": []}
        for _, s in gmsh.model.getEntities(2):
            box_ = gmsh.model.getBoundingBox(2, s)
            if box_[4] - box_[1] > 1e-6:
                patches["sides"].append(s)
            elif box_[1] < 1e-6:
                patches["bottom"].append(s)
            elif box_[1] > b - 1e-6:
                patches["top"].append(s)
        for name, surfaces in patches.items():
            gmsh.model.addPhysicalGroup(2, surfaces, name=name)
        gmsh.option.setNumber("Mesh.MeshSizeMin", size_m)
        gmsh.option.setNumber("Mesh.MeshSizeMax", size_m)
        gmsh.model.mesh.generate(3)
        gmsh.write(str(path))
    finally:
        gmsh.finalize()
    return rf.load_mesh(path)


def _gmsh_rod(path, size_m: float, r1: float = 1e-3, r2: float = 2e-3, length: float = 1e-3):  # type: ignore[no-untyped-def]
    """Copper rod r < r1 inside a sleeve r1 < r < r2 (Gmsh OCC fragments, default tetrahedra)."""
    gmsh = pytest.importorskip("gmsh")
    gmsh.initialize()
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        occ = gmsh.model.occ
        occ.fragment(
            [(3, occ.addCylinder(0, 0, 0, 0, 0, length, r2))],
            [(3, occ.addCylinder(0, 0, 0, 0, 0, length, r1))],
        )
        occ.synchronize()
        volumes = [t for _, t in gmsh.model.getEntities(3)]
        rod = [t for t in volumes if gmsh.model.getBoundingBox(3, t)[3] < 1.5 * r1]
        gmsh.model.addPhysicalGroup(3, rod, name="copper")
        gmsh.model.addPhysicalGroup(3, [t for t in volumes if t not in rod], name="layer")
        ends, mantle = [], []
        for _, s in gmsh.model.getEntities(2):
            box_ = gmsh.model.getBoundingBox(2, s)
            if box_[5] - box_[2] < 1e-6:
                ends.append(s)
            elif box_[3] > 1.5 * r1:
                mantle.append(s)
        gmsh.model.addPhysicalGroup(2, mantle, name="mantle")
        gmsh.model.addPhysicalGroup(2, ends, name="ends")
        gmsh.option.setNumber("Mesh.MeshSizeMin", size_m)
        gmsh.option.setNumber("Mesh.MeshSizeMax", size_m)
        gmsh.model.mesh.generate(3)
        gmsh.write(str(path))
    finally:
        gmsh.finalize()
    return rf.load_mesh(path)


@pytest.mark.parametrize("size_m", [4e-4, 2e-4])
def test_tilted_composite_wall_on_gmsh_tetrahedra_is_exact(tmp_path, size_m: float) -> None:  # type: ignore[no-untyped-def]
    """Piecewise linear with a gradient along the interface as well as across it: the scheme is
    exact. Without the interface correction (OpenFOAM's coupled patches) the error is 1.2 % / 0.8 %
    of the temperature difference across the layer."""
    a, flux = 1e-3, 1e6
    along = 0.3 * flux / LAYER_K

    def exact(x: np.ndarray) -> np.ndarray:
        across = np.where(x[:, 1] < a, -flux / COPPER_K, -flux / LAYER_K) * (x[:, 1] - a)
        return 1e4 + along * (x[:, 0] + 0.5 * x[:, 2]) + across

    mesh = _gmsh_slab(tmp_path / "slab.msh", size_m)
    case = rf.Case(mesh)
    case.solid("copper", material=rf.Material("copper", conductivity_w_mk=COPPER_K))
    case.solid("layer", material=rf.Material("layer", conductivity_w_mk=LAYER_K))
    for patch in ("bottom", "top", "sides"):
        case.fixed_temperature(patch, temperature_c=exact)
    result = case.solve(tolerance=1e-12)
    rise = flux * 2e-3 / LAYER_K
    assert np.abs(result.temperature_c - exact(mesh.cell_centers)).max() < 1e-7 * rise
    assert abs(result.energy_balance_error) < 1e-8


@pytest.mark.xfail(
    strict=True,
    reason="copper mean error −0.921 % (bound 0.85 %), L2 5.03e-3 (bound 4.8e-3) on the finest mesh: each side's "
    "own least-squares gradient corrects the interface; the better conductor's for both gives −0.806 % / 4.51e-3 "
    "but stalls the pin-fin plate's energy (stop 20, benchmarks/RESULTS.md)",
)
def test_wall_layer_across_a_curved_interface(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A heated copper rod in a sleeve whose manufactured temperature has a thin exponential wall
    layer next to the copper (a source in the sleeve: the stand-in of a coolant's thermal boundary
    layer), T = 0 on the mantle: the copper's volume-mean temperature and the L2 error converge,
    and on the finest mesh are as small as with the better conductor's gradient at the interface."""
    r1, r2, delta, power = 1e-3, 2e-3, 2e-4, 1e6
    c = 2 * power * r1 / LAYER_K

    def layer(r: np.ndarray) -> np.ndarray:
        g = (r - r1) - delta * (1 - np.exp(-(r - r1) / delta))
        return -(power * r1**2 / (2 * LAYER_K)) * np.log(r / r1) - c * g

    shift = -float(layer(np.array([r2]))[0])

    def exact(x: np.ndarray) -> np.ndarray:
        r = np.hypot(x[:, 0], x[:, 1])
        return shift + np.where(r < r1, power * (r1**2 - r**2) / (4 * COPPER_K), layer(np.maximum(r, r1)))

    def source(x: np.ndarray) -> np.ndarray:
        r = np.hypot(x[:, 0], x[:, 1])
        e = np.exp(-(r - r1) / delta)
        return LAYER_K * c * (e / delta + (1 - e) / r)

    peak = shift + power * r1**2 / (4 * COPPER_K)
    copper_errors, l2_errors = [], []
    for size_m in (3e-4, 2e-4, 1.4e-4):
        mesh = _gmsh_rod(tmp_path / f"rod{size_m:.0e}.msh", size_m)
        case = rf.Case(mesh)
        case.solid(
            "copper", material=rf.Material("copper", conductivity_w_mk=COPPER_K), power_density_w_m3=power
        )
        case.solid(
            "layer", material=rf.Material("layer", conductivity_w_mk=LAYER_K), power_density_w_m3=source
        )
        case.fixed_temperature("mantle", temperature_c=0.0)
        result = case.solve(tolerance=1e-10)
        assert abs(result.energy_balance_error) < 1e-8
        t, v, e = result.temperature_c, mesh.cell_volumes, exact(mesh.cell_centers)
        copper = mesh.cells_of("copper")
        copper_errors.append(
            float(np.sum(v[copper] * (t[copper] - e[copper])) / np.sum(v[copper] * e[copper]))
        )
        l2_errors.append(float(np.sqrt(np.sum(v * (t - e) ** 2) / np.sum(v))) / peak)
    print(f"copper mean errors {copper_errors}, L2 errors {l2_errors}")
    # measured: copper −2.805 / −1.697 / −0.921 %, L2 1.58e-2 / 9.42e-3 / 5.03e-3 (better conductor's
    # gradient: −2.457 / −1.488 / −0.806 %, 1.43e-2 / 8.48e-3 / 4.51e-3)
    assert abs(copper_errors[0]) > abs(copper_errors[1]) > abs(copper_errors[2])
    assert l2_errors[0] > l2_errors[1] > l2_errors[2]
    assert abs(copper_errors[2]) < 0.0085
    assert l2_errors[2] < 4.8e-3
