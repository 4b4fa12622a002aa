"""The CAD path (issue 16 B): corpus plates exported to STEP by gmsh and meshed back through
``rackflow.meshing.from_cad`` and ``rackflow mesh step``; the open-model form; the errors."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rackflow as rf
from rackflow import cli
from rackflow.errors import MeshError
from rackflow.meshing import CadEntity, from_cad, serpentine_plate, two_inlet_plate
from rackflow.meshing.cad import layer_heights

gmsh = pytest.importorskip("gmsh")


@pytest.fixture(scope="module")
def serpentine_step(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return serpentine_plate(tmp_path_factory.mktemp("cad") / "serpentine.step")


def _serpentine_fluid() -> float:
    w, s, hc, lx = 0.004, 0.003, 0.0025, 0.060
    r_in, r_out = s / 2, s / 2 + w
    xa, xb = r_out + s, lx - r_out - s
    runs = xb + 3 * (xb - xa) + (lx - xa)
    return (runs * w + 4 * math.pi / 2 * (r_out**2 - r_in**2)) * hc


def test_step_round_trip(serpentine_step: Path, tmp_path: Path) -> None:
    out = from_cad(
        serpentine_step,
        fluid="@0.0005,0.006,0.00325",  # a point in the first run, by the inlet
        solid={"base": "z<0.004", "lid": "z>0.004"},  # by centre of mass
        inlet="x=0",
        outlet="x=0.06",
        patches={"heated": "z=0"},
        out=tmp_path / "plate.msh",
        size_m=0.001,
    )
    mesh = rf.load_mesh(out)
    assert sorted(mesh.regions) == ["base", "fluid", "lid"]
    assert sorted(mesh.patches) == ["heated", "inlet", "outlet", "untagged"]
    assert mesh.region_volume("fluid") == pytest.approx(_serpentine_fluid(), rel=5e-3)
    assert mesh.region_volume("lid") == pytest.approx(0.060 * 0.040 * 0.0015, rel=1e-9)
    total = sum(mesh.region_volume(r) for r in mesh.regions)
    assert total == pytest.approx(0.060 * 0.040 * 0.006, rel=1e-9)
    assert mesh.patch_area("inlet") == pytest.approx(0.004 * 0.0025, rel=1e-9)
    assert mesh.patch_area("outlet") == pytest.approx(0.004 * 0.0025, rel=1e-9)
    assert mesh.patch_area("heated") == pytest.approx(0.060 * 0.040, rel=1e-9)  # the whole bottom
    pairs = {frozenset((a, b)) for a, b, _ in mesh.interfaces()}
    assert pairs == {frozenset(p) for p in (("base", "fluid"), ("fluid", "lid"), ("base", "lid"))}
    assert [f for f in mesh.check("fluid", "inlet", "outlet") if f.fatal] == []


def test_cli_round_trip_with_two_inlets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Three ports on the lid's top plane told apart by their centres; a second inlet patch."""
    step = two_inlet_plate(tmp_path / "two.step")
    out = tmp_path / "two.msh"
    argv = [
        "mesh",
        "step",
        str(step),
        "--fluid",
        "@0.008,0.015,0.003",
        "--solid",
        "base=z<0.004",
        "--solid",
        "lid=z>0.004",
        "--inlet",
        "z=0.006,x<0.015",
        "--patch",
        "inlet_2=z=0.006,x>0.045",
        "--outlet",
        "z=0.006,x>0.025,x<0.035",
        "--patch",
        "heated=z=0",
        "--size-m",
        "0.0008",
        "--out",
        str(out),
    ]
    assert cli.main(argv) == 0
    text = capsys.readouterr().out
    assert f"wrote {out}" in text
    assert "error:" not in text
    mesh = rf.load_mesh(out)
    assert sorted(mesh.patches) == ["heated", "inlet", "inlet_2", "outlet", "untagged"]
    for patch, d in (("inlet", 0.004), ("inlet_2", 0.004), ("outlet", 0.006)):
        # round ports are polygons: a few per cent short of the circle
        assert mesh.patch_area(patch) == pytest.approx(math.pi * d**2 / 4, rel=3e-2), patch
    centres = {p: mesh.patch_face_centers(p).mean(axis=0) for p in ("inlet", "inlet_2", "outlet")}
    assert centres["inlet"][0] == pytest.approx(0.008, abs=1e-4)
    assert centres["inlet_2"][0] == pytest.approx(0.052, abs=1e-4)
    assert centres["outlet"][0] == pytest.approx(0.030, abs=1e-4)


def test_open_model_with_overlapping_volumes(tmp_path: Path) -> None:
    """The way users draw: a channel box inside a plate box, no boolean; named physical groups;
    a callback for the inlet. Fragment splits the plate, and the overlap is coolant."""
    gmsh.initialize(readConfigFiles=False, interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("user")
        occ = gmsh.model.occ
        plate = occ.addBox(0, 0, 0, 0.02, 0.01, 0.004)
        channel = occ.addBox(0, 0.003, 0.001, 0.02, 0.004, 0.002)
        occ.synchronize()
        gmsh.model.addPhysicalGroup(3, [plate], name="plate")
        gmsh.model.addPhysicalGroup(3, [channel], name="water")
        seen: list[CadEntity] = []

        def at_x0(e: CadEntity) -> bool:
            seen.append(e)
            return e.center[0] < 1e-9 and e.bbox[3] - e.bbox[0] < 1e-5

        out = from_cad(
            None,
            fluid={"coolant": "water"},
            inlet=at_x0,
            outlet="x=0.02",
            out=tmp_path / "user.msh",
            size_m=0.001,
        )
        assert gmsh.isInitialized()  # the caller's session stays open
    finally:
        gmsh.finalize()
    assert all(e.dim == 2 for e in seen)
    mesh = rf.load_mesh(out)
    assert sorted(mesh.regions) == ["coolant", "solid"]
    assert mesh.region_volume("coolant") == pytest.approx(0.02 * 0.004 * 0.002, rel=1e-9)
    assert mesh.region_volume("solid") == pytest.approx(0.02 * 0.01 * 0.004 - 0.02 * 0.004 * 0.002, rel=1e-9)
    assert mesh.patch_area("inlet") == pytest.approx(0.004 * 0.002, rel=1e-9)  # coolant faces only
    assert mesh.interfaces()[0][2] == pytest.approx(2 * (0.02 * 0.004 + 0.02 * 0.002), rel=1e-9)


def test_selector_matching_nothing_lists_the_candidates(serpentine_step: Path, tmp_path: Path) -> None:
    with pytest.raises(
        MeshError, match=r"fluid region 'fluid' selects no volume \(selector 'water'\); the volumes are: 1 '"
    ) as err:
        from_cad(serpentine_step, fluid="water", out=tmp_path / "x.msh")
    assert "mm)" in str(err.value)  # each volume's centre
    with pytest.raises(
        MeshError, match=r"patch 'inlet' selects no coolant boundary face \(selector 'x=0.03'\)"
    ):
        from_cad(
            serpentine_step,
            fluid="@0.0005,0.006,0.00325",
            inlet="x=0.03",
            out=tmp_path / "x.msh",
            size_m=0.002,
        )


def test_volume_in_two_solid_regions(serpentine_step: Path, tmp_path: Path) -> None:
    with pytest.raises(MeshError, match=r"is selected by regions 'a' and 'b'"):
        from_cad(
            serpentine_step,
            fluid="@0.0005,0.006,0.00325",
            solid={"a": "z>0.004", "b": "z>0.004"},
            out=tmp_path / "x.msh",
        )


def test_volumes_left_without_region(serpentine_step: Path, tmp_path: Path) -> None:
    with pytest.raises(MeshError, match=r"are in no region"):
        from_cad(
            serpentine_step, fluid="@0.0005,0.006,0.00325", solid={"lid": "z>0.004"}, out=tmp_path / "x.msh"
        )


def test_bad_arguments(serpentine_step: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nowhere\.step"):
        from_cad(tmp_path / "nowhere.step", fluid="fluid")
    with pytest.raises(ValueError, match=r"boundary_layers: 5 layers .* more than 0.5 x size_m"):
        from_cad(serpentine_step, fluid="fluid", boundary_layers={"layers": 5})
    with pytest.raises(ValueError, match="size_m must be > 0"):
        from_cad(serpentine_step, fluid="fluid", size_m=-1.0)
    with pytest.raises(ValueError, match="named both fluid and solid"):
        from_cad(serpentine_step, fluid={"a": 1}, solid={"a": 2})
    with pytest.raises(ValueError, match=r"out: give the \.msh file"):
        from_cad(None, fluid="fluid")


# A cold plate drawn the Gmsh OCC way: a plate box and a channel box inside it, no boolean;
# from_cad fragments them. Before fragment a point in the channel is inside both boxes.
_PLATE = (0.0, 0.0, 0.0, 0.02, 0.01, 0.004)
_CHANNEL = (0.0, 0.003, 0.001, 0.02, 0.004, 0.002)
_V_PLATE = 0.02 * 0.01 * 0.004
_V_CHANNEL = 0.02 * 0.004 * 0.002
_IN_CHANNEL = "@0.01,0.005,0.002"


@pytest.fixture(scope="module")
def nested_step(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plate and channel boxes written to STEP unfragmented (volumes 1 = plate, 2 = channel)."""
    path = tmp_path_factory.mktemp("nested") / "nested.step"
    gmsh.initialize(readConfigFiles=False, interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("nested")
        gmsh.model.occ.addBox(*_PLATE)
        gmsh.model.occ.addBox(*_CHANNEL)
        gmsh.model.occ.synchronize()
        gmsh.write(str(path))
    finally:
        gmsh.finalize()
    return path


def _assert_channel_is_fluid(out: Path, fluid: str = "fluid", solid: str = "solid") -> None:
    mesh = rf.load_mesh(out)
    assert sorted(mesh.regions) == sorted([fluid, solid])
    assert mesh.region_volume(fluid) == pytest.approx(_V_CHANNEL, rel=1e-9)
    assert mesh.region_volume(solid) == pytest.approx(_V_PLATE - _V_CHANNEL, rel=1e-9)


@pytest.mark.parametrize(
    "fluid",
    [
        _IN_CHANNEL,  # a point: the channel's piece, not the plate it was drawn in
        2,  # the channel's tag
        lambda e: e.size < 0.5 * _V_PLATE,  # a callback on the drawn volumes
        "y>0.004,y<0.006,x>0.009",  # conditions on centres: the plate's centre is at y = 5 mm too
        [_IN_CHANNEL, 2],  # a union naming the channel twice
    ],
    ids=["point", "tag", "callback", "conditions", "union"],
)
def test_channel_drawn_inside_plate(nested_step: Path, tmp_path: Path, fluid: Any) -> None:
    if fluid == "y>0.004,y<0.006,x>0.009":
        # the plate's centre meets these conditions as well as the channel's: refused, not all coolant
        with pytest.raises(
            MeshError, match=r"fluid region 'fluid' .* selects volume 1 .* and volume 2 .* drawn inside it"
        ):
            from_cad(nested_step, fluid=fluid, out=tmp_path / "x.msh", size_m=0.002)
        return
    _assert_channel_is_fluid(from_cad(nested_step, fluid=fluid, out=tmp_path / "x.msh", size_m=0.002))


def test_point_selectors_for_both_regions(nested_step: Path, tmp_path: Path) -> None:
    """A point in the plate's metal selects the plate's remaining piece, not the channel."""
    out = from_cad(
        nested_step,
        fluid={"water": _IN_CHANNEL},
        solid={"copper": "@0.01,0.0015,0.002"},
        out=tmp_path / "x.msh",
        size_m=0.002,
    )
    _assert_channel_is_fluid(out, "water", "copper")
    out = from_cad(nested_step, fluid=_IN_CHANNEL, solid={"copper": 1}, out=tmp_path / "y.msh", size_m=0.002)
    _assert_channel_is_fluid(out, "fluid", "copper")  # the plate by tag: coolant wins the overlap


def test_point_selector_errors(nested_step: Path, tmp_path: Path) -> None:
    kw: dict[str, Any] = {"out": tmp_path / "x.msh", "size_m": 0.002}
    # on the channel's top face, between the channel and the plate's metal
    with pytest.raises(
        MeshError,
        match=r"fluid region 'fluid': the point '@0.01,0.005,0.003' .* lies on the boundary of the pieces \d+ .*, \d+ ",
    ):
        from_cad(nested_step, fluid="@0.01,0.005,0.003", **kw)
    # on the plate's outer bottom face: one piece, but not strictly inside
    with pytest.raises(MeshError, match=r"'@0.01,0.0015,0' .* lies on the boundary of"):
        from_cad(nested_step, fluid="@0.01,0.0015,0", **kw)
    # outside every volume: the nearest are named with their distances
    with pytest.raises(
        MeshError,
        match=r"fluid region 'fluid': the point '@0.01,0.005,0.01' .* is in no volume; the nearest pieces are \d+ .*\(6.000, 7.000 mm away\)",
    ):
        from_cad(nested_step, fluid="@0.01,0.005,0.01", **kw)
    # one piece claimed by two regions' points
    with pytest.raises(MeshError, match=r"is selected by regions \['fluid', 'metal'\]"):
        from_cad(nested_step, fluid=_IN_CHANNEL, solid={"metal": _IN_CHANNEL}, **kw)
    # the plate and the channel both named for coolant by tag
    with pytest.raises(MeshError, match=r"selects volume 1 .* and volume 2 .* drawn inside it"):
        from_cad(nested_step, fluid=[1, 2], **kw)
    # a solid region whose only piece a fluid point takes
    with pytest.raises(MeshError, match=r"region 'metal' .* is left with no volume"):
        from_cad(nested_step, fluid=_IN_CHANNEL, solid={"metal": 2, "rest": 1}, **kw)
    # the plate selected as coolant and the channel as metal: the channel's piece is coolant too
    with pytest.raises(MeshError, match=r"region 'solid' \(selector 2\) is left with no volume"):
        from_cad(nested_step, fluid=1, solid=2, **kw)
    # one drawn volume selected by a fluid and a solid region, by tag and by callback
    with pytest.raises(MeshError, match=r"volume 2 .* is selected by regions 'fluid' and 'metal'"):
        from_cad(nested_step, fluid=2, solid={"metal": lambda e: e.size < 0.5 * _V_PLATE, "rest": 1}, **kw)


def test_cli_channel_drawn_inside_plate(
    nested_step: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli.msh"
    argv = ["mesh", "step", str(nested_step), "--fluid", _IN_CHANNEL, "--size-m", "0.0008", "--out", str(out)]
    assert cli.main(argv) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    _assert_channel_is_fluid(out)
    argv = [
        "mesh",
        "step",
        str(nested_step),
        "--fluid",
        "@0.01,0.005,0.01",
        "--out",
        str(tmp_path / "bad.msh"),
    ]
    assert cli.main(argv) != 0
    captured = capsys.readouterr()
    assert "is in no volume" in captured.out + captured.err
    assert not (tmp_path / "bad.msh").exists()


# Boundary layers (from_cad(boundary_layers=...)): prisms grown from the coolant's walls.


def _elements(path: Path) -> dict[str, dict[str, np.ndarray]]:
    """Per region of a written mesh: its cells' node coordinates by kind ("tet", "prism", ...)."""
    kinds = {4: "tet", 5: "hex", 6: "prism", 7: "pyramid"}
    out: dict[str, dict[str, np.ndarray]] = {}
    gmsh.initialize(readConfigFiles=False, interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.open(str(path))
        tags, xyz, _ = gmsh.model.mesh.getNodes()
        where = np.zeros(int(tags.max()) + 1, dtype=np.int64)
        where[tags.astype(np.int64)] = np.arange(len(tags))
        xyz = xyz.reshape(-1, 3)
        for dim, group in gmsh.model.getPhysicalGroups(3):
            region = out.setdefault(gmsh.model.getPhysicalName(dim, group), {})
            for vol in gmsh.model.getEntitiesForPhysicalGroup(dim, group):
                for t, nodes in zip(*gmsh.model.mesh.getElements(3, vol)[::2], strict=True):
                    k = kinds[int(t)]
                    x = xyz[where[nodes.astype(np.int64)]].reshape(
                        len(nodes) // (4 if k == "tet" else 6), -1, 3
                    )
                    region[k] = np.concatenate([region[k], x]) if k in region else x
    finally:
        gmsh.finalize()
    return out


def _wall_distance(x: np.ndarray) -> np.ndarray:
    """Distance of points from the nearest wall of the nested plate's channel box."""
    x0, y0, z0, lx, ly, lz = _CHANNEL
    del x0, lx  # the channel runs the plate's length: its ends are the inlet and outlet
    return np.minimum.reduce([x[..., 1] - y0, y0 + ly - x[..., 1], x[..., 2] - z0, z0 + lz - x[..., 2]])


def test_boundary_layers_on_a_drawn_channel(nested_step: Path, tmp_path: Path) -> None:
    """Prisms in the coolant along every wall, tetrahedra in its core and in the metal; the walls
    shared with the metal (conformal interface); inlet and outlet whole (layers' sides and cap)."""
    size = 0.0008
    out = from_cad(
        nested_step,
        fluid=_IN_CHANNEL,
        inlet="x=0",
        outlet="x=0.02",
        patches={"heated": "z=0"},
        out=tmp_path / "layers.msh",
        size_m=size,
        boundary_layers={},
    )
    stack = layer_heights({}, size)
    assert (
        len(stack) == 2 and stack[0] == pytest.approx(size / 10) and stack[-1] == pytest.approx(0.22 * size)
    )
    cells = _elements(out)
    assert sorted(cells["solid"]) == ["tet"]
    assert sorted(cells["fluid"]) == ["prism", "tet"]
    prisms, tets = cells["fluid"]["prism"], cells["fluid"]["tet"]
    # every prism within the stack of a wall, none of the core's tetrahedra on a wall
    assert _wall_distance(prisms).max() <= stack[-1] * (1 + 1e-9)
    assert _wall_distance(tets).min() > 0.5 * stack[0]
    # one prism per wall triangle in the first layer: the walls are lined all over
    on_wall = (np.abs(_wall_distance(prisms)) < 1e-12).sum(axis=1) == 3
    assert on_wall.sum() == len(prisms) // 2
    mesh = rf.load_mesh(out)
    assert mesh.region_volume("fluid") == pytest.approx(_V_CHANNEL, rel=1e-9)
    assert mesh.region_volume("solid") == pytest.approx(_V_PLATE - _V_CHANNEL, rel=1e-9)
    for patch in ("inlet", "outlet"):
        assert mesh.patch_area(patch) == pytest.approx(0.004 * 0.002, rel=1e-6), patch
    assert mesh.patch_area("heated") == pytest.approx(0.02 * 0.01, rel=1e-9)
    ((a, b, area),) = mesh.interfaces()
    assert {a, b} == {"fluid", "solid"}
    assert area == pytest.approx(2 * (0.02 * 0.004 + 0.02 * 0.002), rel=1e-9)
    assert [f.message for f in mesh.check("fluid", "inlet", "outlet") if f.fatal] == []


@pytest.fixture(scope="module")
def layered_channel(nested_step: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return from_cad(
        nested_step,
        fluid=_IN_CHANNEL,
        inlet="x=0",
        outlet="x=0.02",
        patches={"heated": "z=0"},
        out=tmp_path_factory.mktemp("layers") / "layers.msh",
        size_m=0.001,
        boundary_layers="auto",
    )


def _water(constant: bool) -> Any:
    if not constant:
        return "water"
    props = rf.get_coolant("water").properties(30.0)
    keys = ("density_kg_m3", "viscosity_pa_s", "conductivity_w_mk", "specific_heat_j_kgk")
    return rf.Coolant("water at 30 °C", **{k: float(props[k]) for k in keys})


@pytest.mark.parametrize(
    "constant",
    [
        True,
        pytest.param(
            False,
            marks=[
                pytest.mark.slow,  # 20 coupling passes: about a minute
                pytest.mark.xfail(
                    strict=True,
                    reason="measured (stop 30): with temperature-dependent water the coupling passes do not "
                    "settle at the defaults on the layered mesh (0.019-0.05 K per pass after 20 passes, "
                    "tolerance 1.4e-3 K; the same channel's plain tetrahedra settle in 8 passes, and the "
                    "layered mesh in 4 with convection='upwind')",
                ),
            ],
        ),
    ],
    ids=["constant_properties", "water"],
)
def test_boundary_layers_solve_at_the_defaults(layered_channel: Path, constant: bool) -> None:
    """The layered mesh solves with no settings; what the heater gives the metal leaves with
    the coolant (the walls conduct across the prisms' wall faces)."""
    case = rf.Case(rf.load_mesh(layered_channel))
    case.solid("solid", material="copper")
    case.fluid("fluid", coolant=_water(constant))
    case.inlet("inlet", velocity_m_s=0.2, temperature_c=30.0)
    case.outlet("outlet", pressure_pa=0.0)
    case.heat_flux("heated", flux_w_m2=5e4)
    result = case.solve()
    assert result.heat_flow_w("heated") == pytest.approx(10.0, rel=1e-9)
    assert abs(result.energy_balance_error) < 1e-6
    assert result.coolant_heat_w() == pytest.approx(10.0, rel=1e-6)
    # the mixed-mean outlet (cell values at the outlet faces) within 0.1 % of the enthalpy rise
    props = rf.get_coolant("water").properties(30.0)
    rise = 10.0 / (float(props["density_kg_m3"]) * float(props["specific_heat_j_kgk"]) * 0.2 * 0.004 * 0.002)
    assert result.outlet_temperature_c("outlet") - 30.0 == pytest.approx(rise, rel=1e-3)


def test_boundary_layers_on_the_serpentine(serpentine_step: Path, tmp_path: Path) -> None:
    """The corpus serpentine from STEP (four 180° bends, curved walls): layered and whole."""
    out = from_cad(
        serpentine_step,
        fluid="@0.0005,0.006,0.00325",
        solid={"base": "z<0.004", "lid": "z>0.004"},
        inlet="x=0",
        outlet="x=0.06",
        patches={"heated": "z=0"},
        out=tmp_path / "plate.msh",
        size_m=0.001,
        boundary_layers={},
    )
    cells = _elements(out)
    assert sorted(cells["fluid"]) == ["prism", "tet"]
    assert sorted(cells["base"]) == sorted(cells["lid"]) == ["tet"]
    mesh = rf.load_mesh(out)
    assert mesh.region_volume("fluid") == pytest.approx(_serpentine_fluid(), rel=5e-3)  # bends are polygons
    total = sum(mesh.region_volume(r) for r in mesh.regions)
    assert total == pytest.approx(0.060 * 0.040 * 0.006, rel=1e-9)
    for patch in ("inlet", "outlet"):
        assert mesh.patch_area(patch) == pytest.approx(0.004 * 0.0025, rel=1e-6), patch
    pairs = {frozenset((a, b)) for a, b, _ in mesh.interfaces()}
    assert pairs == {frozenset(p) for p in (("base", "fluid"), ("fluid", "lid"), ("base", "lid"))}
    assert [f for f in mesh.check("fluid", "inlet", "outlet") if f.fatal] == []
    # a thicker stack folds prisms inside out at the bends, which gmsh does not report: refused
    with pytest.raises(MeshError, match=r"boundary_layers: \d+ of the \d+ layer prisms are folded"):
        from_cad(
            serpentine_step,
            fluid="@0.0005,0.006,0.00325",
            inlet="x=0",
            outlet="x=0.06",
            out=tmp_path / "folded.msh",
            size_m=0.001,
            boundary_layers={"first_layer_m": 0.001 / 6, "layers": 2},
        )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"layer": 2}, r"unknown key\(s\) \['layer'\]; the keys are \['first_layer_m', 'layers', 'growth'\]"),
        ({"layers": 0}, r"boundary_layers\['layers'\] must be >= 1"),
        ({"layers": 1.5}, r"boundary_layers\['layers'\] must be an integer"),
        ({"growth": 0.9}, r"boundary_layers\['growth'\] must be between 1 and 2"),
        ({"first_layer_m": -1e-4}, r"boundary_layers\['first_layer_m'\] must be > 0"),
        ({"first_layer_m": 2e-4, "layers": 3}, r"stack 0.728 mm, more than 0.5 x size_m \(0.5 mm\)"),
        ("thick", r"expecting a mapping of .* or 'auto'"),
        ([("layers", 2)], r"expecting a mapping"),
    ],
)
def test_boundary_layer_keys(nested_step: Path, tmp_path: Path, spec: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        from_cad(nested_step, fluid=2, out=tmp_path / "x.msh", size_m=0.001, boundary_layers=spec)


def test_boundary_layers_unsupported_cases(tmp_path: Path) -> None:
    """Coolant regions touching each other: refused, saying what is supported."""
    gmsh.initialize(readConfigFiles=False, interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        occ = gmsh.model.occ
        occ.addBox(0, 0, 0, 0.02, 0.01, 0.004)
        a = occ.addBox(0, 0.003, 0.001, 0.01, 0.004, 0.002)
        b = occ.addBox(0.01, 0.003, 0.001, 0.01, 0.004, 0.002)
        occ.synchronize()
        with pytest.raises(NotImplementedError, match=r"coolant regions \['a', 'b'\] touch"):
            from_cad(
                None,
                fluid={"a": a, "b": b},
                inlet="x=0",
                outlet="x=0.02",
                out=tmp_path / "x.msh",
                size_m=0.001,
                boundary_layers={},
            )
    finally:
        gmsh.finalize()


def test_cli_boundary_layers(nested_step: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.msh"
    argv = ["mesh", "step", str(nested_step), "--fluid", _IN_CHANNEL, "--inlet", "x=0", "--outlet", "x=0.02"]
    argv += ["--size-m", "0.001", "--out", str(out)]
    assert cli.main([*argv, "--boundary-layers", "layers=1,first_layer_m=2e-4"]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert sorted(_elements(out)["fluid"]) == ["prism", "tet"]
    assert cli.main([*argv, "--boundary-layers", "layers=9"]) == 1
    err = capsys.readouterr().err
    assert "--boundary-layers: boundary_layers: 9 layers" in err
    assert cli.main([*argv, "--boundary-layers", "thick"]) == 1
    assert "--boundary-layers expects 'auto' or KEY=VALUE" in capsys.readouterr().err
