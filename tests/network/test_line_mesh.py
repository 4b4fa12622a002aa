"""Networks from line meshes: Gmsh physical groups name the components, the geometry gives pipe
lengths and elevations."""

from __future__ import annotations

from pathlib import Path

import meshio
import numpy as np
import pytest
from rackflow import Network
from rackflow.errors import CaseFileError, MeshError, NetworkError
from rackflow.network import default_cold_plate_model

MODEL = default_cold_plate_model()
POINTS = np.array(
    [
        [0.0, 0.0, 0.0],  # 0 tank (CDU outlet)
        [0.0, 0.0, 0.2],  # 1 pump outlet
        [0.0, 0.0, 1.2],  # 2
        [0.0, 0.0, 2.2],  # 3 top of the riser
        [0.4, 0.0, 2.2],  # 4 plate inlets
        [0.6, 0.0, 2.2],  # 5 plate outlets
        [0.6, 0.0, 0.0],  # 6 CDU inlet
    ]
)
GROUPS = {  # name: (tag, dim, cells)
    "pump": (1, 1, [[0, 1]]),
    "riser": (2, 1, [[1, 2], [2, 3]]),
    "qd": (3, 1, [[3, 4]]),
    "gpu": (4, 1, [[4, 5], [4, 5]]),
    "drop": (5, 1, [[5, 6]]),
    "cdu": (6, 1, [[6, 0]]),
    "tank": (7, 0, [[0]]),
}
COMPONENTS = {
    "pump": {"kind": "flow_source", "flow_lpm": 2.0},
    "riser": {"kind": "pipe", "diameter_m": 0.01},
    "qd": {"kind": "loss", "k": 2.0, "diameter_m": 0.008},
    "gpu": {"kind": "cold_plate", "model": "plate", "power_w": 700.0},
    "drop": {"kind": "duct", "width_m": 0.012, "height_m": 0.008},
    "cdu": {"kind": "cdu", "supply_c": 30.0, "approach_k": 2.0},
}


def line_mesh(groups: dict = GROUPS) -> meshio.Mesh:  # type: ignore[type-arg]
    cells, physical = [], []
    for tag, dim, cc in groups.values():
        cells.append(("line" if dim == 1 else "vertex", np.array(cc)))
        physical.append(np.full(len(cc), tag))
    return meshio.Mesh(
        POINTS,
        cells,
        cell_data={"gmsh:physical": physical, "gmsh:geometrical": physical},
        field_data={name: np.array([tag, dim]) for name, (tag, dim, _) in groups.items()},
    )


def by_hand() -> Network:
    net = Network("PG25")
    for i, p in enumerate(POINTS):
        net.node("tank" if i == 0 else f"p{i}", elevation_m=p[2])
    net.flow_source("tank", "p1", flow_lpm=2.0, name="pump")
    net.pipe("p1", "p2", diameter_m=0.01, length_m=1.0, elevation_m=1.0, name="riser[0]")
    net.pipe("p2", "p3", diameter_m=0.01, length_m=1.0, elevation_m=1.0, name="riser[1]")
    net.loss("p3", "p4", k=2.0, diameter_m=0.008, name="qd")
    net.cold_plate("p4", "p5", model=MODEL, power_w=700.0, name="gpu[0]")
    net.cold_plate("p4", "p5", model=MODEL, power_w=700.0, name="gpu[1]")
    net.duct("p5", "p6", width_m=0.012, height_m=0.008, length_m=2.2, elevation_m=-2.2, name="drop")
    net.cdu("p6", "tank", supply_c=30.0, approach_k=2.0, name="cdu")
    return net


def check_same(net: Network) -> None:
    ref = by_hand().solve()
    got = net.solve()
    assert sorted(got.edges.index) == sorted(ref.edges.index)
    for e in ref.edges.index:
        assert got.flow_lpm(e) == pytest.approx(ref.flow_lpm(e), rel=1e-12)
        assert got.pressure_drop_pa(e) == pytest.approx(ref.pressure_drop_pa(e), rel=1e-12, abs=1e-9)
    plates = got.cold_plates().set_index("name")
    assert plates.loc["gpu[0]", "gpu_temperature_c"] == pytest.approx(
        ref.cold_plates().set_index("name").loc["gpu[0]", "gpu_temperature_c"], rel=1e-12
    )
    assert got.flow_lpm("gpu[0]") == pytest.approx(got.flow_lpm("gpu[1]"), rel=1e-12)  # in parallel


def test_line_mesh_builds_the_same_network() -> None:
    net = Network.from_line_mesh(line_mesh(), COMPONENTS, models={"plate": MODEL})
    riser = net.edge("riser[1]")
    assert riser.params["length_m"] == pytest.approx(1.0)
    assert riser.params["elevation_m"] == pytest.approx(1.0)
    assert net.nodes["p3"]["elevation_m"] == pytest.approx(2.2)
    assert net.positions["tank"] == (0.0, 0.0, 0.0)
    check_same(net)


def test_gmsh_file(tmp_path: Path) -> None:
    path = tmp_path / "loop.msh"
    line_mesh().write(path, file_format="gmsh22", binary=False)
    net = Network.from_line_mesh(path, COMPONENTS, models={"plate": MODEL})
    assert net.name == "loop"
    check_same(net)


def test_line_mesh_errors_name_the_group(tmp_path: Path) -> None:
    m = line_mesh()
    with pytest.raises(NetworkError, match=r"\['qd'\] have no entry"):
        Network.from_line_mesh(m, {k: v for k, v in COMPONENTS.items() if k != "qd"}, models={"plate": MODEL})
    with pytest.raises(NetworkError, match=r"\['hose'\] name no physical group"):
        Network.from_line_mesh(m, {**COMPONENTS, "hose": {"kind": "pipe"}}, models={"plate": MODEL})
    with pytest.raises(NetworkError, match=r"'gpu'.*unknown model 'plate'"):
        Network.from_line_mesh(m, COMPONENTS)
    with pytest.raises(NetworkError, match=r"'qd'.*kind must be"):
        Network.from_line_mesh(m, {**COMPONENTS, "qd": {"k": 2.0}}, models={"plate": MODEL})
    with pytest.raises(NetworkError, match=r"'riser'.*missing key 'diameter_m'"):
        Network.from_line_mesh(m, {**COMPONENTS, "riser": {"kind": "pipe"}}, models={"plate": MODEL})
    with pytest.raises(NetworkError, match=r"'riser'.*unknown key 'colour'"):
        bad = {**COMPONENTS, "riser": {"kind": "pipe", "diameter_m": 0.01, "colour": 1}}
        Network.from_line_mesh(m, bad, models={"plate": MODEL})
    with pytest.raises(MeshError, match="no physical groups"):
        Network.from_line_mesh(meshio.Mesh(POINTS, [("line", np.array([[0, 1]]))]), COMPONENTS)
    with pytest.raises(MeshError, match="could not read"):
        Network.from_line_mesh(tmp_path / "missing.msh", COMPONENTS)


def test_toml_names_a_line_mesh(tmp_path: Path) -> None:
    line_mesh().write(tmp_path / "loop.msh", file_format="gmsh22", binary=False)
    MODEL.save(tmp_path / "plate.json")
    (tmp_path / "loop.toml").write_text(
        """coolant = "PG25"
[models.plate]
file = "plate.json"
[line_mesh]
file = "loop.msh"
length_scale = 1.0
[line_mesh.components.pump]
kind = "flow_source"
flow_lpm = 2.0
[line_mesh.components.riser]
kind = "pipe"
diameter_m = 0.01
[line_mesh.components.qd]
kind = "loss"
k = 2.0
diameter_m = 0.008
[line_mesh.components.gpu]
kind = "cold_plate"
model = "plate"
power_w = 700.0
[line_mesh.components.drop]
kind = "duct"
width_m = 0.012
height_m = 0.008
[line_mesh.components.cdu]
kind = "cdu"
supply_c = 30.0
approach_k = 2.0
"""
    )
    check_same(Network.from_toml(tmp_path / "loop.toml"))
    (tmp_path / "bad.toml").write_text('[line_mesh]\nfile = "loop.msh"\nscale = 2\n')
    with pytest.raises(CaseFileError, match="line_mesh: unknown key 'scale'"):
        Network.from_toml(tmp_path / "bad.toml")


def test_mesh_written_by_gmsh(tmp_path: Path) -> None:
    """The same loop drawn with the Gmsh API (its own 4.1 file), the riser meshed in two."""
    gmsh = pytest.importorskip("gmsh")
    gmsh.initialize()
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        g = gmsh.model.geo
        p = [g.addPoint(*xyz) for xyz in POINTS[[0, 1, 3, 4, 5, 6]]]
        lines = {
            name: g.addLine(p[i], p[j])
            for name, (i, j) in {
                "pump": (0, 1),
                "riser": (1, 2),
                "qd": (2, 3),
                "gpu": (3, 4),
                "drop": (4, 5),
                "cdu": (5, 0),
            }.items()
        }
        g.synchronize()
        for name, line in lines.items():
            gmsh.model.setPhysicalName(1, gmsh.model.addPhysicalGroup(1, [line]), name)
            gmsh.model.mesh.setTransfiniteCurve(line, 3 if name == "riser" else 2)
        gmsh.model.setPhysicalName(0, gmsh.model.addPhysicalGroup(0, [p[0]]), "tank")
        gmsh.model.mesh.generate(1)
        gmsh.write(str(tmp_path / "loop.msh"))
    finally:
        gmsh.finalize()
    net = Network.from_line_mesh(tmp_path / "loop.msh", COMPONENTS, models={"plate": MODEL})
    assert [e.name for e in net.edges if e.kind == "pipe"] == ["riser[0]", "riser[1]"]
    assert sum(e.params["length_m"] for e in net.edges if e.kind == "pipe") == pytest.approx(2.0)
    assert net.edge("drop").params["elevation_m"] == pytest.approx(-2.2)
    r = net.solve()  # one plate here, so not the same loop as by_hand(): check the balances
    assert r.max_mass_imbalance <= 1e-12
    assert r.energy_balance["relative_error"] <= 1e-9
    assert r.energy_balance["heat_in_w"] == pytest.approx(700.0)
