"""The CAD path (issue 16 B): corpus plates exported to STEP by gmsh and meshed back through
``rackflow.meshing.from_cad`` and ``rackflow mesh step``; the open-model form; the errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import rackflow as rf
from rackflow import cli
from rackflow.errors import MeshError
from rackflow.meshing import CadEntity, from_cad, serpentine_plate, two_inlet_plate

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
    with pytest.raises(MeshError, match=r"lies in regions \['a', 'b'\]"):
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
    with pytest.raises(NotImplementedError, match="boundary_layers"):
        from_cad(serpentine_step, fluid="fluid", boundary_layers={"layers": 5})
    with pytest.raises(ValueError, match="size_m must be > 0"):
        from_cad(serpentine_step, fluid="fluid", size_m=-1.0)
    with pytest.raises(ValueError, match="named both fluid and solid"):
        from_cad(serpentine_step, fluid={"a": 1}, solid={"a": 2})
    with pytest.raises(ValueError, match=r"out: give the \.msh file"):
        from_cad(None, fluid="fluid")
