"""Manifold elements: rectangular ducts, sudden contractions and expansions, and the momentum
coefficient that links an expansion to a characterisation solve."""

from __future__ import annotations

import math

import pytest
import rackflow as rf
from rackflow import Network
from rackflow.errors import NetworkError
from rackflow.network import contraction_k, expansion_k
from rackflow.testing.analytic import colebrook_friction_factor
from rackflow.testing.fluids import constant_coolant
from rackflow.testing.meshes import box

CONST = constant_coolant()


# Shah & London (1978), table 44: laminar f·Re (Darcy) of rectangles by aspect ratio.
@pytest.mark.parametrize(("aspect", "f_re"), [(1.0, 56.91), (0.5, 62.19), (0.25, 72.93), (0.125, 82.34)])
def test_duct_laminar_matches_shah_london(aspect: float, f_re: float) -> None:
    w, h, length = 0.004, 0.004 * aspect, 0.5
    net = Network(CONST)
    net.flow_source("a", "b", flow_lpm=0.05)
    duct = net.duct("b", "a", width_m=w, height_m=h, length_m=length)
    r = net.solve()
    dh = 2 * w * h / (w + h)
    v = 0.05 / 60_000 / (w * h)
    assert 1000.0 * v * dh / 1e-3 < 2300
    # the core's polynomial against the table: within the table's 4 digits
    assert r.pressure_drop_pa(duct) == pytest.approx(f_re / 2 * 1e-3 * length * v / dh**2, rel=1e-3)


def test_duct_turbulent_is_colebrook_on_the_hydraulic_diameter() -> None:
    w, h, length, eps = 0.03, 0.01, 2.0, 1e-5
    net = Network(CONST)
    net.flow_source("a", "b", flow_lpm=200.0)
    duct = net.duct("b", "a", width_m=w, height_m=h, length_m=length, roughness_m=eps)
    r = net.solve()
    dh = 2 * w * h / (w + h)
    v = 200.0 / 60_000 / (w * h)
    re = 1000.0 * v * dh / 1e-3
    assert re > 4000
    f = colebrook_friction_factor(re, eps / dh)
    assert r.pressure_drop_pa(duct) == pytest.approx(f * length / dh * 500.0 * v * v, rel=1e-9)


def test_contraction_and_expansion_coefficients() -> None:
    assert contraction_k(0.0) == 0.5  # sharp entry from a large plenum (Idelchik)
    assert contraction_k(0.5) == pytest.approx(0.5 * 0.5**0.75)
    for s in (0.0, 0.2, 0.6):
        assert expansion_k(s) == pytest.approx((1 - s) ** 2)  # Borda-Carnot, uniform profile
    assert expansion_k(0.0, 4 / 3) == pytest.approx(4 / 3)  # free discharge of Poiseuille flow


# Idelchik, Handbook of Hydraulic Resistance, diagram 4-10 (sharp-edged sudden contraction,
# 10 < Re < 1e4, Re = w0·Dh/ν of the narrow section): (σ = F0/F1, Re, ζ) read from the table.
IDELCHIK_4_10 = [
    (0.1, 10.0, 5.00),
    (0.1, 1000.0, 0.64),
    (0.2, 200.0, 0.95),
    (0.2, 4000.0, 0.60),
    (0.3, 50.0, 1.50),
    (0.3, 1000.0, 0.44),
    (0.4, 500.0, 0.50),
    (0.4, 5000.0, 0.50),
    (0.5, 20.0, 2.70),
    (0.5, 10000.0, 0.25),
    (0.6, 100.0, 0.80),
    (0.6, 2000.0, 0.15),
]


@pytest.mark.parametrize(("sigma", "re", "k"), IDELCHIK_4_10)
def test_contraction_k_follows_idelchiks_laminar_table(sigma: float, re: float, k: float) -> None:
    assert contraction_k(sigma, re) == pytest.approx(k, abs=1e-12)


def test_contraction_k_between_and_beyond_the_table() -> None:
    # between rows and columns: linear in σ, linear in ln Re
    assert contraction_k(0.25, 1000.0) == pytest.approx(0.5 * (0.50 + 0.44))
    t = math.log(700 / 500) / math.log(1000 / 500)
    assert contraction_k(0.2, 700.0) == pytest.approx(0.70 + t * (0.50 - 0.70))
    # creeping flow: K ∝ 1/Re below the table, so ΔP is linear in the flow
    assert contraction_k(0.3, 2.0) == pytest.approx(5.0 * 10 / 2)
    # turbulent from Re = 2e4 on; the table's σ = 0.1 row below σ = 0.1
    for sigma in (0.0, 0.25, 0.9):
        assert contraction_k(sigma, 2e4) == contraction_k(sigma, 1e6) == contraction_k(sigma)
    assert contraction_k(0.0, 300.0) == contraction_k(0.1, 300.0)
    # above σ = 0.6 the 0.6 row scaled as the turbulent formula, vanishing at σ = 1
    assert contraction_k(0.8, 100.0) == pytest.approx(0.80 * (0.2 / 0.4) ** 0.75)
    # at Re ~ 1e3 a laminar entry loses more than the turbulent K
    assert contraction_k(0.25, 900.0) > 1.2 * contraction_k(0.25)
    with pytest.raises(NetworkError, match="reynolds_number"):
        contraction_k(0.25, -1.0)


@pytest.mark.parametrize("q_lpm", [0.002, 0.05, 0.6, 40.0])  # Re 5, 130, 1600, 1e5
def test_reynolds_dependent_contraction_in_a_network(q_lpm: float) -> None:
    w, h = 0.004, 0.002
    area, dh = w * h, 2 * w * h / (w + h)
    net = Network(CONST)
    net.flow_source("out", "plenum", flow_lpm=q_lpm)
    entry = net.contraction("plenum", "c0", area_m2=area, area_ratio=0.25, hydraulic_diameter_m=dh)
    net.duct("c0", "out", width_m=w, height_m=h, length_m=0.05)
    r = net.solve()
    v = q_lpm / 60_000 / area
    re = 1000.0 * v * dh / 1e-3
    assert entry.kind == "loss"
    assert r.pressure_drop_pa(entry) == pytest.approx(contraction_k(0.25, re) * 500.0 * v * v, rel=1e-9)
    assert r.edges.loc[entry.name, "reynolds"] == pytest.approx(re, rel=1e-9)


def test_fittings_in_a_network_lose_k_dynamic_pressures() -> None:
    area, q = 2e-5, 0.6  # m², L/min
    v = q / 60_000 / area
    net = Network(CONST)
    net.flow_source("out", "plenum", flow_lpm=q)
    entry = net.contraction("plenum", "c0", area_m2=area, area_ratio=0.25)
    net.duct("c0", "c1", width_m=0.01, height_m=0.002, length_m=0.05)
    exit_ = net.expansion("c1", "out", area_m2=area, area_ratio=0.1, momentum_coefficient=1.2)
    r = net.solve()
    assert entry.kind == exit_.kind == "loss"
    assert r.pressure_drop_pa(entry) == pytest.approx(0.5 * 0.75**0.75 * 500.0 * v * v, rel=1e-12)
    assert r.pressure_drop_pa(exit_) == pytest.approx((1.2 * 0.8 + 0.01) * 500.0 * v * v, rel=1e-12)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda n: n.duct("a", "b", width_m=0.0, height_m=0.01, length_m=1.0, name="d1"), "'d1'.*width_m"),
        (lambda n: n.duct("a", "b", width_m=0.01, height_m=0.01, length_m=-1.0, name="d2"), "'d2'.*length_m"),
        (lambda n: n.contraction("a", "b", area_m2=1e-4, area_ratio=1.5, name="c1"), "'c1'.*area_ratio"),
        (lambda n: n.contraction("a", "b", area_m2=0.0, area_ratio=0.5, name="c2"), "'c2'.*area_m2"),
        (lambda n: n.contraction("a", "b", area_m2=1e-4, area_ratio=1.0, name="c3"), "'c3'.*no loss"),
        (
            lambda n: n.contraction(
                "a", "b", area_m2=1e-4, area_ratio=0.5, hydraulic_diameter_m=0.0, name="c4"
            ),
            "'c4'.*hydraulic_diameter_m",
        ),
        (
            lambda n: n.expansion(
                "a", "b", area_m2=1e-4, area_ratio=0.5, momentum_coefficient=0.5, name="e1"
            ),
            "'e1'.*momentum",
        ),
        (
            lambda n: n.expansion(
                "a", "b", area_m2=1e-4, area_ratio=0.9, momentum_coefficient=1.3, name="e2"
            ),
            "'e2'.*no loss",
        ),
        (lambda n: n.expansion("a", "b", area_m2=1e-4, area_ratio=math.nan, name="e3"), "'e3'.*finite"),
    ],
)
def test_bad_manifold_elements_are_named(call, match: str) -> None:  # type: ignore[no-untyped-def]
    net = Network(CONST)
    with pytest.raises(NetworkError, match=match):
        call(net)
        net.flow_source("b", "a", flow_lpm=1.0)
        net.solve()


def test_momentum_coefficient_of_a_channel() -> None:
    mesh = rf.Mesh.from_meshio(box((24, 4, 4), (0.006, 0.001, 0.001)))
    case = rf.Case(mesh)
    case.fluid("box", "water")
    case.inlet("xmin", flow_lpm=0.02)
    case.outlet("xmax")
    r = case.solve()
    assert r.momentum_coefficient("xmin") == pytest.approx(1.0, abs=1e-9)  # uniform inlet
    beta = r.momentum_coefficient("xmax")
    assert 1.05 < beta < 1.5  # a developing profile, short of the developed square-duct value
    with pytest.raises(rf.CaseError, match="ymin"):
        r.momentum_coefficient("ymin")


def test_side_fed_header_loses_the_combining_momentum() -> None:
    """A header fed through its side (N equal inflows at its nodes) gains, over its friction,
    the combining-flow loss Σ ρ·q·Q_e/A² = ρ q² N(N+1)/(2A²) → ρV²/2 of the arriving flow."""
    n, q_lpm, w, h = 10, 0.02, 0.004, 0.001
    drops = {}
    for side in (0.0, q_lpm):
        net = Network(CONST)
        for i in range(n):
            net.flow_source("out", f"n{i}", flow_lpm=q_lpm)
            net.duct(f"n{i}", f"n{i + 1}", width_m=w, height_m=h, length_m=0.002, side_inflow_lpm=side)
        net.loss(f"n{n}", "out", k=1.0, diameter_m=0.01)
        r = net.solve()
        drops[side] = r.pressure_pa("n0") - r.pressure_pa(f"n{n}")
    q, area = q_lpm / 60_000, w * h
    assert 1000.0 * n * q / area * 2 * w * h / (w + h) / 1e-3 < 2300  # laminar: friction is linear
    expected = 1000.0 * q * q * n * (n + 1) / 2 / area**2
    assert drops[q_lpm] - drops[0.0] == pytest.approx(expected, rel=1e-9)
    with pytest.raises(NetworkError, match=r"'bad'.*side_inflow"):
        net = Network(CONST)
        net.duct("a", "b", width_m=w, height_m=h, length_m=1.0, side_inflow_lpm=-1.0, name="bad")
        net.flow_source("b", "a", flow_lpm=1.0)
        net.solve()
