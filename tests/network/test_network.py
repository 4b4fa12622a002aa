"""Network API: physics checks through Python, bad input, TOML loading, headless rendering."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from rackflow import ColdPlateModel, Network
from rackflow.errors import CaseFileError, NetworkError, RackflowWarning
from rackflow.network import default_cold_plate_model
from rackflow.testing.analytic import colebrook_friction_factor
from rackflow.testing.fluids import constant_coolant

CONST = constant_coolant()


@pytest.mark.parametrize(("flow_lpm", "d"), [(60.0, 0.025), (0.3, 0.004)])
def test_single_pipe_darcy_weisbach(flow_lpm: float, d: float) -> None:
    net = Network(CONST)
    net.flow_source("a", "b", flow_lpm=flow_lpm)
    pipe = net.pipe("b", "a", diameter_m=d, length_m=3.0, roughness_m=1e-5)
    r = net.solve()
    q = flow_lpm / 60_000
    v = q / (math.pi * d * d / 4)
    re = 1000.0 * v * d / 1e-3
    f = 64 / re if re < 2300 else colebrook_friction_factor(re, 1e-5 / d)
    assert r.pressure_drop_pa(pipe) == pytest.approx(f * 3.0 / d * 500.0 * v * v, rel=1e-9)
    assert r.flow_lpm(pipe) == pytest.approx(flow_lpm, rel=1e-12)


def test_parallel_branches_even_and_square_root() -> None:
    net = Network(CONST)
    net.flow_source("r", "s", flow_lpm=120.0)
    same = [net.loss("s", "r", k=3.0, diameter_m=0.02) for _ in range(5)]
    r = net.solve()
    assert np.allclose([r.flow_lpm(e) for e in same], 24.0, rtol=1e-12, atol=0)

    net = Network(CONST)
    net.flow_source("r", "s", flow_lpm=120.0)
    b1 = net.loss("s", "r", k=1.5, diameter_m=0.02)
    b2 = net.loss("s", "r", k=6.0, diameter_m=0.02)
    r = net.solve()
    assert r.flow_lpm(b1) / r.flow_lpm(b2) == pytest.approx(2.0, rel=1e-10)


def test_pump_meets_system_curve_at_intersection() -> None:
    p0, qmax, k, d = 100e3, 200.0, 10.0, 0.03
    net = Network(CONST)
    pump = net.pump("a", "b", curve_lpm_pa=[(0, p0), (qmax, 0)])
    net.loss("b", "a", k=k, diameter_m=d)
    r = net.solve()
    c = k * 1000.0 / (2 * (math.pi * d * d / 4) ** 2) / 60_000**2  # Pa per (L/min)^2
    q = (-p0 / qmax + math.sqrt((p0 / qmax) ** 2 + 4 * c * p0)) / (2 * c)
    assert r.flow_lpm(pump) == pytest.approx(q, rel=1e-10)


@pytest.mark.parametrize("reverse", [False, True])
def test_rack_conservation_and_table(reverse: bool) -> None:
    r = Network.rack(servers=4, plates_per_server=4, reverse_return=reverse).solve()
    assert r.max_mass_imbalance <= 1e-12
    assert (r.nodes["mass_imbalance"] <= 1e-12).all()
    assert r.energy_balance["relative_error"] <= 1e-9
    assert r.energy_balance["heat_in_w"] == pytest.approx(16 * 700.0)
    plates = r.cold_plates()
    assert list(plates.columns) == [
        "name",
        "flow_lpm",
        "inlet_c",
        "outlet_c",
        "pressure_drop_pa",
        "thermal_resistance_k_w",
        "gpu_temperature_c",
        "power_w",
    ]
    assert r.temperature_c("cdu_out") == pytest.approx(35.0, abs=1e-9)
    assert (plates["gpu_temperature_c"] > plates["inlet_c"]).all()
    s = r.summary()
    assert s["worst_gpu"] in set(plates["name"])
    assert s["maldistribution_max_over_min"] >= 1.0
    assert s["pumping_power_w"] > 0
    assert "worst_gpu" in str(s)


def test_reverse_return_evens_out_the_flow() -> None:
    direct = Network.rack(reverse_return=False).solve().summary()
    reverse = Network.rack(reverse_return=True).solve().summary()
    assert reverse["maldistribution_max_over_min"] < direct["maldistribution_max_over_min"]


def test_blocked_quick_disconnect_starves_its_server() -> None:
    net = Network.rack(servers=4, plates_per_server=2)
    base = net.solve().cold_plates().set_index("name")
    net.edge("qd_in2").params["k"] = 2000.0
    blocked = net.solve(allow_extrapolation=True).cold_plates().set_index("name")
    assert blocked.loc["gpu2_0", "flow_lpm"] < 0.5 * base.loc["gpu2_0", "flow_lpm"]
    assert blocked.loc["gpu2_0", "gpu_temperature_c"] > base.loc["gpu2_0", "gpu_temperature_c"] + 5


def test_bad_inputs() -> None:
    net = Network(CONST)
    net.flow_source("a", "b", flow_lpm=10)
    net.pipe("b", "a", diameter_m=0.01, length_m=1)
    net.pipe("x", "y", diameter_m=0.01, length_m=1, name="island")
    with pytest.raises(NetworkError, match="disconnected"):
        net.solve()

    net = Network(CONST)
    net.pipe("a", "b", diameter_m=0.01, length_m=1)
    net.pipe("b", "a", diameter_m=0.01, length_m=1)
    with pytest.raises(NetworkError, match="no pump or flow source"):
        net.solve()

    net = Network(CONST)
    net.flow_source("a", "b", flow_lpm=1)
    net.cold_plate("b", "a", power_w=700, name="gpu3")
    with pytest.raises(NetworkError, match=r"gpu3.*no model"):
        net.solve()

    for kwargs in ({"diameter_m": 0.0, "length_m": 1.0}, {"diameter_m": 0.01, "length_m": -2.0}):
        net = Network(CONST)
        net.flow_source("a", "b", flow_lpm=1)
        net.pipe("b", "a", name="hose", **kwargs)
        with pytest.raises(NetworkError, match="hose"):
            net.solve()
    with pytest.raises(NetworkError, match="finite"):
        Network(CONST).pipe("a", "b", diameter_m=math.nan, length_m=1)

    net = Network(CONST)
    net.flow_source("a", "b", flow_lpm=1)
    net.loss("b", "a", k=0.0, diameter_m=0.01, name="qd")
    with pytest.raises(NetworkError, match="qd"):
        net.solve()

    net = Network(CONST)
    net.pump("a", "b", curve_lpm_pa=[(0, 1e5), (10, 9e4)], name="p1")
    net.loss("b", "a", k=0.5, diameter_m=0.05)
    with pytest.raises(NetworkError, match=r"p1.*never meets"):
        net.solve()


def test_flow_outside_characterised_range() -> None:
    def build() -> Network:
        net = Network(CONST)
        net.flow_source("a", "b", flow_lpm=6.0)
        net.cold_plate("b", "c", model=default_cold_plate_model(), power_w=500, name="gpu0")
        net.cdu("c", "a", supply_c=30, approach_k=3)
        return net

    with pytest.raises(NetworkError, match=r"gpu0.*characterised range"):
        build().solve()
    with pytest.warns(RackflowWarning, match="gpu0"):
        r = build().solve(allow_extrapolation=True)
    assert r.cold_plates()["flow_lpm"].iloc[0] == pytest.approx(6.0)


TOML = """
coolant = "PG25"
name = "two plates"
[models.plate]
flow_lpm = [0.5, 1.0, 2.0, 3.0]
pressure_drop_pa = [2500, 8000, 24000, 48000]
thermal_resistance_k_w = [0.05, 0.035, 0.028, 0.025]
[[pump]]
from = "cdu_out"
to = "s"
curve_lpm_pa = [[0, 60000], [4, 40000], [8, 0]]
name = "pump"
[[cold_plate]]
from = "s"
to = "r"
model = "plate"
power_w = 700
name = "gpu0"
[[cold_plate]]
from = "s"
to = "r"
model = "plate"
power_w = 700
name = "gpu1"
[[pipe]]
from = "r"
to = "cdu_in"
diameter_m = 0.01
length_m = 2.0
[[cdu]]
from = "cdu_in"
to = "cdu_out"
supply_c = 32
approach_k = 3
"""


def test_from_toml(tmp_path: Path) -> None:
    p = tmp_path / "net.toml"
    p.write_text(TOML)
    r = Network.from_toml(p).solve()
    plates = r.cold_plates()
    assert len(plates) == 2
    assert plates["flow_lpm"].iloc[0] == pytest.approx(plates["flow_lpm"].iloc[1], rel=1e-12)
    rack = tmp_path / "rack.toml"
    rack.write_text('coolant = "water"\n[rack]\nservers = 2\nplates_per_server = 3\nsupply_c = 30\n')
    assert len(Network.from_toml(rack).solve().cold_plates()) == 6


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (TOML.replace("diameter_m = 0.01", "diamter_m = 0.01"), "pipe\\[0\\].*diamter_m"),
        (
            TOML.replace('model = "plate"\npower_w = 700\nname = "gpu1"', 'model = "nope"\npower_w = 700'),
            "nope",
        ),
        (TOML.replace('from = "r"\nto = "cdu_in"', 'to = "cdu_in"'), "pipe\\[0\\].*'from'"),
        ('__import__ = "os"\n', "unknown key '__import__'"),
        ("coolant = [\n", "not valid TOML"),
    ],
)
def test_toml_errors_name_the_key(tmp_path: Path, text: str, match: str) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(CaseFileError, match=match):
        Network.from_toml(p)


def test_toml_model_file_is_plain_json(tmp_path: Path) -> None:
    q = np.array([0.5, 1.0, 2.0, 3.0])
    ColdPlateModel.from_points(q, 4000 * q + 4000 * q**2, 0.02 + 0.015 * q**-0.7).save(tmp_path / "m.json")
    (tmp_path / "n.toml").write_text(
        '[models.m]\nfile = "m.json"\n[rack]\nservers = 1\nplates_per_server = 2\nmodel = "m"\n'
    )
    assert len(Network.from_toml(tmp_path / "n.toml").solve().cold_plates()) == 2


@pytest.mark.parametrize("by", ["temperature", "flow"])
def test_render_headless_png(tmp_path: Path, by: str) -> None:
    from PIL import Image

    r = Network.rack(servers=2, plates_per_server=3).solve()
    path = tmp_path / f"{by}.png"
    r.render(path, by=by, window_size=(640, 480))
    img = np.asarray(Image.open(path).convert("RGB")).astype(float)
    assert img.shape == (480, 640, 3)
    assert img.std() > 5.0  # not blank
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 50  # tubes and colour bar drawn


def test_gpu_bar_chart(tmp_path: Path) -> None:
    from PIL import Image

    r = Network.rack(servers=2, plates_per_server=4).solve()
    path = tmp_path / "gpus.png"
    r.plot_gpu_temperatures(path, limit_c=85.0)
    img = np.asarray(Image.open(path).convert("RGB")).astype(float)
    assert img.shape[0] > 100
    assert img.std() > 5.0
