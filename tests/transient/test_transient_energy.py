"""Transient solves through the Python API (issue 19): closed forms in time on hexahedra and
tetrahedra, step profiles, the conjugate transport delay, results over time, bad input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import rackflow as rf
from rackflow.testing.meshes import box

COPPER = rf.Material("cu", conductivity_w_mk=400.0, density_kg_m3=8933.0, specific_heat_j_kgk=385.0)


def _cube(cells: str = "hexahedron") -> rf.Mesh:
    return rf.Mesh.from_meshio(box((4, 4, 4), (0.01, 0.01, 0.01), cells=cells))


def test_lumped_capacitance_after_a_power_step() -> None:
    """A 10 mm copper cube (Bi = hL/k = 2.5e-4) after a 1 W step at t = 0:
    T = T∞ + P/(hA)(1 − e^(−t/τ)) within 0.5 % of the rise at every output time."""
    case = rf.Case(_cube())
    case.solid("box", material=COPPER, power_w=rf.Profile(time_s=[0.0], value=[1.0]))
    for side in ("xmin", "xmax", "ymin", "ymax", "zmin", "zmax"):
        case.convective(side, htc_w_m2k=10.0, ambient_c=25.0)
    run = case.solve_transient(end_time_s=6000.0, initial_temperature_c=25.0)  # about 10 τ
    tau = 8933.0 * 385.0 * 1e-6 / (10.0 * 6e-4)
    rise = 1.0 / (10.0 * 6e-4)
    exact = 25.0 + rise * (1.0 - np.exp(-run.times_s / tau))
    np.testing.assert_allclose(run.mean_temperature_c("box"), exact, atol=5e-3 * rise)
    assert run.time_constant_s("box", after_s=0.0) == pytest.approx(tau, rel=0.01)
    assert run.report["discrete_stored_change_j"] == pytest.approx(run.report["heat_in_j"], rel=1e-6)


def test_lumped_block_follows_an_ambient_temperature_profile() -> None:
    """The same copper cube without power, its convective ambient a step profile (25 °C, then
    45 °C from 600 s): T = 45 − 20 e^(−(t − 600)/τ) after the step, 25 °C before it, within
    0.5 % of the 20 K change (the ambient temperature takes a Profile like the other inputs)."""
    case = rf.Case(_cube())
    case.solid("box", material=COPPER)
    ambient = rf.Profile(time_s=[0.0, 600.0], value=[25.0, 45.0], interpolation="step")
    for side in ("xmin", "xmax", "ymin", "ymax", "zmin", "zmax"):
        case.convective(side, htc_w_m2k=10.0, ambient_c=ambient)
    run = case.solve_transient(end_time_s=4000.0, initial_temperature_c=25.0)
    tau = 8933.0 * 385.0 * 1e-6 / (10.0 * 6e-4)
    after = np.clip(run.times_s - 600.0, 0.0, None)
    exact = np.where(run.times_s < 600.0, 25.0, 45.0 - 20.0 * np.exp(-after / tau))
    np.testing.assert_allclose(run.mean_temperature_c("box"), exact, atol=5e-3 * 20.0)


@pytest.mark.parametrize("cells", ["hexahedron", "tetra"])
def test_semi_infinite_solid_after_a_surface_step(cells: str) -> None:
    """A long copper bar (40 mm, insulated sides) whose x = 0 face steps from 20 to 120 °C:
    before the heat reaches the far end, T = T_s + (T_0 − T_s) erf(x / (2√(αt))) — within 1.5 %
    of the step on 40 cells along (the spatial error of the mesh), on hexahedra and tetrahedra."""
    mesh = rf.Mesh.from_meshio(box((40, 2, 2), (0.04, 0.002, 0.002), cells=cells))
    case = rf.Case(mesh)
    case.solid("box", material=COPPER)
    case.fixed_temperature("xmin", temperature_c=rf.Profile(time_s=[0.0], value=[120.0]))
    end = 0.6  # √(α t) ≈ 2.7 mm: far end untouched
    run = case.solve_transient(end_time_s=end, initial_temperature_c=20.0, output_times_s=[0.2, end])
    alpha = 400.0 / (8933.0 * 385.0)
    x = mesh.cell_centers[:, 0]
    erf = np.vectorize(math.erf)
    for k, t in enumerate(run.times_s):
        exact = 120.0 + (20.0 - 120.0) * erf(x / (2.0 * math.sqrt(alpha * t)))
        assert np.abs(run.temperature_c[k] - exact).max() < 0.015 * 100.0


def test_composite_slab_with_contact_resistance_reaches_its_series_solution() -> None:
    """Copper | aluminium slab with a contact resistance, 5 kW/m² in at x = 0 from t = 0, 20 °C
    held at x = L: after 20 time constants the profile is the steady series solution (contact jump q·R)."""
    mesh = rf.Mesh.from_meshio(
        box(
            (20, 1, 1),
            (0.02, 0.001, 0.001),
            regions={"cu": lambda c: c[:, 0] < 0.01, "al": lambda c: c[:, 0] >= 0.01},
        )
    )
    case = rf.Case(mesh)
    case.solid("cu", material=COPPER)
    case.solid("al", material="aluminium_6061")
    case.contact("cu", "al", resistance_m2k_w=2e-4)
    case.heat_flux("xmin", flux_w_m2=rf.Profile(time_s=[0.0], value=[5e3]))
    case.fixed_temperature("xmax", temperature_c=20.0)
    # the copper behind the contact has τ ≈ ρcL·(R + L/k_al) ≈ 9 s: 200 s is 20 τ
    run = case.solve_transient(end_time_s=200.0, initial_temperature_c=20.0, output_times_s=[200.0])
    steady = case.solve()
    np.testing.assert_allclose(run.temperature_c[-1], steady.temperature_c, atol=1e-3)
    # the jump across the contact is q·R = 1 K
    x = mesh.cell_centers[:, 0]
    left, right = np.argmax(np.where(x < 0.01, x, -1)), np.argmin(np.where(x >= 0.01, x, 1))
    drop = run.temperature_c[-1][left] - run.temperature_c[-1][right]
    conduction = 5e3 * (0.0005 / 400.0 + 0.0005 / 167.0)
    assert drop == pytest.approx(1.0 + conduction, rel=1e-3)


def _composite_series(k1, c1, k2, c2, a, length, resistance, flux, t_far, terms=60):
    """T(x, t) of a two-layer slab (layer 1 on 0 < x < a with volumetric heat capacity c1, layer
    2 to ``length``) with a contact resistance between them, a flux into x = 0 from t = 0 and
    ``t_far`` held at x = length, from ``t_far`` everywhere: the steady series profile plus the
    eigenfunction series of the composite (cos in layer 1, sin to the far face in layer 2;
    eigenvalues from flux continuity and the contact jump, coefficients by orthogonality with
    weight ρc)."""
    b = length - a
    d1, d2 = k1 / c1, k2 / c2

    def steady(x):
        t2a = t_far + flux * b / k2
        return np.where(
            x >= a, t_far + flux * (length - x) / k2, t2a + flux * resistance + flux * (a - x) / k1
        )

    def g(beta):
        l1, l2 = beta / math.sqrt(d1), beta / math.sqrt(d2)
        return (
            math.cos(l1 * a) * math.cos(l2 * b)
            - resistance * k1 * l1 * math.sin(l1 * a) * math.cos(l2 * b)
            - (k1 * l1 / (k2 * l2)) * math.sin(l1 * a) * math.sin(l2 * b)
        )

    def mode(beta, x):
        l1, l2 = beta / math.sqrt(d1), beta / math.sqrt(d2)
        s2 = math.sin(l2 * b)
        if abs(s2) > 0.1:  # the contact jump, else flux continuity, fixes the layer-2 amplitude
            amp = (math.cos(l1 * a) - resistance * k1 * l1 * math.sin(l1 * a)) / s2
        else:
            amp = k1 * l1 * math.sin(l1 * a) / (k2 * l2 * math.cos(l2 * b))
        return np.where(x < a, np.cos(l1 * x), amp * np.sin(l2 * (length - x)))

    betas, lo, g_lo = [], 1e-6, g(1e-6)
    while len(betas) < terms:  # roots by scanning and bisection
        hi = lo + 1e-3
        g_hi = g(hi)
        if g_lo * g_hi < 0:
            left, right = lo, hi
            for _ in range(60):
                mid = 0.5 * (left + right)
                left, right = (left, mid) if g(left) * g(mid) <= 0 else (mid, right)
            betas.append(0.5 * (left + right))
        lo, g_lo = hi, g_hi
    xs = np.linspace(0.0, length, 200_001)
    weight = np.where(xs < a, c1, c2)
    start = t_far - steady(xs)
    coefficients = [
        np.trapezoid(weight * start * mode(beta, xs), xs) / np.trapezoid(weight * mode(beta, xs) ** 2, xs)
        for beta in betas
    ]
    return lambda x, t: (
        steady(x)
        + sum(
            c * mode(beta, x) * math.exp(-beta * beta * t)
            for beta, c in zip(betas, coefficients, strict=True)
        )
    )


def test_composite_slab_with_contact_resistance_follows_its_series_solution() -> None:
    """Copper | aluminium slab (10 + 10 mm, constant properties) with a 2e-4 m²K/W contact, 5
    kW/m² into x = 0 from t = 0, 20 °C held at x = L: every cell within 1e-3 K of the composite's
    eigenfunction series at 1, 3, 10 and 30 s (the first time constant is 9.3 s; the rise at the
    heated face is 0.18, 0.42, 0.95 and 1.37 K, of which the contact's q·R is 1 K at the end)."""
    k1, rho1, c1 = 400.0, 8933.0, 385.0
    k2, rho2, c2 = 167.0, 2700.0, 896.0
    mesh = rf.Mesh.from_meshio(
        box(
            (20, 1, 1),
            (0.02, 0.001, 0.001),
            regions={"cu": lambda c: c[:, 0] < 0.01, "al": lambda c: c[:, 0] >= 0.01},
        )
    )
    case = rf.Case(mesh)
    case.solid(
        "cu", material=rf.Material("cu", conductivity_w_mk=k1, density_kg_m3=rho1, specific_heat_j_kgk=c1)
    )
    case.solid(
        "al", material=rf.Material("al", conductivity_w_mk=k2, density_kg_m3=rho2, specific_heat_j_kgk=c2)
    )
    case.contact("cu", "al", resistance_m2k_w=2e-4)
    case.heat_flux("xmin", flux_w_m2=rf.Profile(time_s=[0.0], value=[5e3]))
    case.fixed_temperature("xmax", temperature_c=20.0)
    times = [1.0, 3.0, 10.0, 30.0]
    run = case.solve_transient(
        end_time_s=30.0, initial_temperature_c=20.0, output_times_s=times, step_tolerance_k=1e-5
    )
    exact = _composite_series(k1, rho1 * c1, k2, rho2 * c2, 0.01, 0.02, 2e-4, 5e3, 20.0)
    x = mesh.cell_centers[:, 0]
    for k, t in enumerate(times):
        error = np.abs(run.temperature_c[k] - exact(x, t)).max()
        assert error < 1e-3, f"at {t} s the slab differs from the series by {error:.3g} K"


def test_inlet_temperature_step_reaches_the_outlet_after_the_transport_delay() -> None:
    """Water at 0.02 m/s through a 20 mm channel with adiabatic walls: an inlet step from 20 to
    30 °C reaches the outlet after the transport delay L/U = 1 s. The outlet is still within 1 K
    of 20 °C at 0.5 s, above 29.5 °C at 2.5 s, and crosses 25 °C within 15 % of L/U (the spread
    is the developed velocity profile's and the scheme's numerical diffusion)."""
    mesh = rf.Mesh.from_meshio(box((40, 3, 3), (0.02, 0.002, 0.002)))
    case = rf.Case(mesh)
    water = rf.Coolant(
        "water-const",
        density_kg_m3=998.0,
        viscosity_pa_s=1e-3,
        conductivity_w_mk=0.6,
        specific_heat_j_kgk=4180.0,
    )
    case.fluid("box", coolant=water)
    case.inlet(
        "xmin",
        velocity_m_s=0.02,
        temperature_c=rf.Profile(time_s=[0.0, 0.05], value=[20.0, 30.0]),
    )
    case.outlet("xmax")
    start = case.solve()
    run = case.solve_transient(end_time_s=2.5, initial=start, output_times_s=np.linspace(0, 2.5, 51))
    outlet = run.outlet_temperature_c("xmax")
    at = lambda t: float(np.interp(t, run.times_s, outlet))  # noqa: E731
    assert at(0.5) < 21.0
    assert at(2.5) > 29.5
    # the half-way crossing is the mean residence time (mean of the developed profile ≈ L / U)
    half = float(np.interp(25.0, outlet, run.times_s))
    assert half == pytest.approx(0.02 / 0.02, rel=0.15)


def test_results_over_time(tmp_path: Path) -> None:
    case = rf.Case(_cube())
    case.solid("box", material=COPPER, power_w=rf.Profile(time_s=[0, 10, 10.001, 100], value=[0, 0, 5, 5]))
    case.convective("zmax", htc_w_m2k=500.0, ambient_c=25.0)
    run = case.solve_transient(
        end_time_s=100.0, initial_temperature_c=25.0, output_times_s=np.linspace(0, 100, 11)
    )
    frame = run.to_frame()
    assert list(frame["time_s"]) == pytest.approx(list(np.linspace(0, 100, 11)))
    assert {"max_temperature_c.box", "heat_flow_w.zmax", "power_w.box"} <= set(frame.columns)
    mid = run.at(55.0)
    assert mid.max_temperature_c("box") == pytest.approx(
        0.5 * (run.max_temperature_c("box")[5] + run.max_temperature_c("box")[6]), rel=1e-9
    )
    # the step is landed on: nothing moves before 10 s
    assert run.step_max_temperature_c("box")[run.step_times_s <= 10.0].max() == pytest.approx(25.0, abs=1e-9)
    pvd = run.save(tmp_path / "run.pvd")
    assert pvd.exists() and len(list((tmp_path / "run").glob("*.vtu"))) == 11
    png = run.plot("box", path=tmp_path / "tj.png")
    assert (tmp_path / "tj.png").stat().st_size > 1000 and png is not None


def test_animation_renders_frames(tmp_path: Path) -> None:
    pytest.importorskip("pyvista")
    case = rf.Case(_cube())
    case.solid("box", material=COPPER, power_w=2.0)
    case.convective("zmax", htc_w_m2k=500.0, ambient_c=25.0)
    run = case.solve_transient(end_time_s=50.0, initial_temperature_c=25.0, output_times_s=[0, 25, 50])
    gif = run.animate(tmp_path / "run.gif")
    from PIL import Image

    with Image.open(gif) as image:
        assert image.n_frames == 3


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"end_time_s": -1.0, "initial_temperature_c": 20.0}, "end_time_s"),
        ({"end_time_s": 1.0}, "initial_temperature_c"),
        ({"end_time_s": 1.0, "initial_temperature_c": 20.0, "output_times_s": [5.0]}, "output time 5"),
        ({"end_time_s": 1.0, "initial_temperature_c": 20.0, "time_step_s": -0.1}, "time_step_s"),
        (
            {"end_time_s": 1.0, "initial_temperature_c": 20.0, "flow_update_fraction": -0.1},
            "flow_update_fraction",
        ),
        ({"end_time_s": 2.0, "initial_temperature_c": 20.0, "start_time_s": 2.0}, "after start_time_s"),
    ],
)
def test_bad_time_control_is_named(kwargs: dict, expected: str) -> None:
    case = rf.Case(_cube())
    case.solid("box", material=COPPER, power_w=1.0)
    case.fixed_temperature("zmax", temperature_c=25.0)
    with pytest.raises(rf.CaseError, match=expected):
        case.solve_transient(**kwargs)


def test_a_material_without_heat_capacity_is_named() -> None:
    case = rf.Case(_cube())
    case.solid("box", material=rf.Material("mystery", conductivity_w_mk=10.0), power_w=1.0)
    case.fixed_temperature("zmax", temperature_c=25.0)
    with pytest.raises(rf.CaseError, match=r"density.*'box'"):
        case.solve_transient(end_time_s=1.0, initial_temperature_c=25.0)


def test_profiles_refuse_negative_power_and_non_positive_flow() -> None:
    case = rf.Case(_cube())
    with pytest.raises(rf.CaseError, match="negative"):
        case.solid("box", material=COPPER, power_w=rf.Profile(time_s=[0, 1], value=[1.0, -1.0]))
    fluid = rf.Case(rf.Mesh.from_meshio(box((4, 2, 2), (0.01, 0.002, 0.002))))
    fluid.fluid("box", coolant="water")
    with pytest.raises(rf.CaseError, match="flow_lpm profile must stay positive"):
        fluid.inlet("xmin", flow_lpm=rf.Profile(time_s=[0, 1], value=[0.1, 0.0]), temperature_c=20.0)
    # a positive flow profile is taken (the steady value is the one at t = 0)
    spec = fluid.inlet("xmin", flow_lpm=rf.Profile(time_s=[0, 1], value=[0.1, 0.2]), temperature_c=20.0)
    assert spec.values["flow_lpm"] == pytest.approx(0.1)
    assert ("flow_lpm", "xmin") in fluid.profiles
    # a number replaces the profile
    fluid.inlet("xmin", flow_lpm=0.3, temperature_c=20.0)
    assert ("flow_lpm", "xmin") not in fluid.profiles


def test_a_power_density_profile_is_the_same_power_per_volume() -> None:
    """``power_density_w_m3`` takes a Profile like ``power_w`` (W/m³, uniform over the region):
    the run is the one with ``power_w`` = density × volume to round-off, the steady solve takes
    its t = 0 value, a negative one is refused, and giving both is refused."""
    volume = 1e-6  # the 10 mm cube
    density = rf.Profile(time_s=[0.0, 10.0, 10.2], value=[1e5, 1e5, 5e5])
    runs, steady = [], []
    for kwargs in ({"power_density_w_m3": density}, {"power_w": density.scaled(volume)}):
        case = rf.Case(_cube())
        case.solid("box", material=COPPER, **kwargs)
        case.convective("zmax", htc_w_m2k=500.0, ambient_c=25.0)
        steady.append(case.solve().max_temperature_c("box"))
        runs.append(case.solve_transient(end_time_s=60.0, initial_temperature_c=25.0))
    assert steady[0] == pytest.approx(steady[1], abs=1e-9)
    np.testing.assert_allclose(runs[0].power_w("box"), runs[1].power_w("box"), rtol=1e-12)
    assert runs[0].power_w("box")[-1] == pytest.approx(0.5)
    np.testing.assert_allclose(runs[0].max_temperature_c("box"), runs[1].max_temperature_c("box"), atol=1e-9)
    assert runs[0].max_temperature_c("box")[-1] > runs[0].max_temperature_c("box")[0] + 1.0
    case = rf.Case(_cube())
    with pytest.raises(rf.CaseError, match="power_density_w_m3 profile has negative values"):
        case.solid("box", material=COPPER, power_density_w_m3=rf.Profile(time_s=[0, 1], value=[1e5, -1.0]))
    with pytest.raises(rf.CaseError, match="not both"):
        case.solid("box", material=COPPER, power_w=1.0, power_density_w_m3=density)


def test_bad_output_times_are_named() -> None:
    """Non-finite or non-numeric output times are named (before stop 21 a NaN reached the
    core as 'malformed transient description: expected value at line 1 column 239')."""
    case = rf.Case(_cube())
    case.solid("box", material=COPPER, power_w=1.0)
    case.fixed_temperature("zmax", temperature_c=25.0)
    with pytest.raises(rf.CaseError, match=r"output_times_s\[1\] is nan"):
        case.solve_transient(end_time_s=1.0, initial_temperature_c=25.0, output_times_s=[0.5, float("nan")])
    with pytest.raises(rf.CaseError, match="output_times_s must be a list of times"):
        case.solve_transient(end_time_s=1.0, initial_temperature_c=25.0, output_times_s="end")
    run = case.solve_transient(end_time_s=1.0, initial_temperature_c=25.0, output_times_s=[0.5, 1.0])
    assert isinstance(run, rf.TransientResult)


def test_an_animation_format_is_checked_before_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``.mp4`` needs imageio-ffmpeg: without it the error comes before any frame is rendered
    (before stop 21, after rendering them all); another suffix is refused likewise."""
    import importlib.util

    import rackflow.viz

    case = rf.Case(_cube())
    case.solid("box", material=COPPER, power_w=2.0)
    case.convective("zmax", htc_w_m2k=500.0, ambient_c=25.0)
    run = case.solve_transient(end_time_s=50.0, initial_temperature_c=25.0, output_times_s=[0, 25, 50])
    with pytest.raises(rf.RackflowError, match=r"\.gif or \.mp4 file, got 'run\.avi'"):
        run.animate(tmp_path / "run.avi")
    if importlib.util.find_spec("imageio_ffmpeg") is None:

        def no_frames(*args: object, **kwargs: object) -> None:
            raise AssertionError("a frame was rendered before the format was checked")

        monkeypatch.setattr(rackflow.viz, "render", no_frames)
        with pytest.raises(rf.RackflowError, match=r"\.mp4 needs imageio with ffmpeg"):
            run.animate(tmp_path / "run.mp4")
    else:
        pytest.importorskip("pyvista")
        assert run.animate(tmp_path / "run.mp4").stat().st_size > 0
