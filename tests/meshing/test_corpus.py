"""The geometry corpus (issue 16 A): every plate at its smallest size, with its regions, patches,
cell count, exact volumes and areas (from the drawing's dimensions), laminar design point, and
a mesh rackflow builds; prism layers; the CLI; CAD export.

Generation takes 5-45 s a plate at 5e4 cells on the shared, loaded 2-core machine (docs/corpus.md);
the module generates each plate once.
"""

from __future__ import annotations

import math
from pathlib import Path

import meshio
import numpy as np
import pytest
import rackflow as rf
from rackflow import cli
from rackflow.meshing import CORPUS, GENERATORS, serpentine_plate, two_inlet_plate
from rackflow.meshing.corpus import PG25_DENSITY_KG_M3, PG25_VISCOSITY_PA_S

pytest.importorskip("gmsh")

TARGET = 50_000
PI = math.pi


def _rounded_half(dx: float, dy: float, r: float) -> float:
    """Area of a dx x dy rectangle with two corners rounded to radius r."""
    return dx * dy - 2 * (1 - PI / 4) * r**2


def _disc(d: float) -> float:
    return PI * d**2 / 4


def _port(d: float) -> tuple[float, float]:
    """A round port's area and tolerance: its mesh is a polygon of some 20-40 sides at these
    sizes, 0.4-1.6 % smaller than the circle."""
    return _disc(d), 3e-2


def _flat(a: float) -> tuple[float, float]:
    """A rectangle's area: exact."""
    return a, 1e-9


# Plan areas (m²) times depths of the coolant of each default plate, from its docstring's
# dimensions; and the total height of the stack.
def _serpentine() -> tuple[float, float]:
    w, s, hc, n, lx = 0.004, 0.003, 0.0025, 5, 0.060
    r_in, r_out = s / 2, s / 2 + w
    xa, xb = r_out + s, lx - r_out - s
    runs = xb + (n - 2) * (xb - xa) + (lx - xa)
    return (runs * w + (n - 1) * PI / 2 * (r_out**2 - r_in**2)) * hc, 0.002 + hc + 0.0015


def _pinfin() -> tuple[float, float]:
    cavity = 0.032 * 0.024 - (4 - PI) * 0.003**2
    pins = 42 * _disc(0.0015)
    return (cavity - pins) * 0.002 + 2 * _disc(0.004) * 0.002, 0.006


def _manifold() -> tuple[float, float]:
    width = 10 * 0.0012 + 9 * 0.001
    plan = 10 * 0.0012 * 0.020 + 2 * _rounded_half(0.009, width, 0.003)
    return plan * 0.002 + 2 * _disc(0.005) * 0.002, 0.006


def _jet() -> tuple[float, float]:
    rc = 0.024 / 8
    chamber = _rounded_half(0.027, 0.024, rc)
    plenum = 0.024 * 0.024 - (4 - PI) * rc**2
    return chamber * 0.0015 + 9 * _disc(0.0015) * 0.001 + plenum * 0.003 + _disc(0.005) * 0.002, 0.0095


def _two_inlet() -> tuple[float, float]:
    width = 8 * 0.0012 + 7 * 0.001
    plan = 2 * 8 * 0.0012 * 0.014 + 2 * _rounded_half(0.008, width, 0.0025) + 0.008 * width
    return plan * 0.002 + (2 * _disc(0.004) + _disc(0.006)) * 0.002, 0.006


# Faceting: a pin of 1.5 mm at 0.75 mm cells is a polygon of about a dozen sides, 4 % smaller
# than the circle, which leaves 1 % more coolant in the pin-fin cavity.
VOLUME_REL = {"pinfin-staggered": 1.5e-2, "pinfin-inline": 1.5e-2}

EXPECTED = {
    "serpentine": (
        _serpentine,
        (0.060, 0.040),
        {"inlet": _flat(0.004 * 0.0025), "outlet": _flat(0.004 * 0.0025), "heated": _flat(0.03**2)},
    ),
    "pinfin-staggered": (
        _pinfin,
        (0.040, 0.032),
        {"inlet": _port(0.004), "outlet": _port(0.004), "heated": _flat(0.02**2)},
    ),
    "pinfin-inline": (
        _pinfin,
        (0.040, 0.032),
        {"inlet": _port(0.004), "outlet": _port(0.004), "heated": _flat(0.02**2)},
    ),
    "microchannel-manifold": (
        _manifold,
        (0.050, 0.036),
        {"inlet": _port(0.005), "outlet": _port(0.005), "heated": _flat(0.02**2)},
    ),
    "jet-impingement": (
        _jet,
        (0.030, 0.030),
        {"inlet": _port(0.005), "outlet": _flat(0.024 * 0.0015), "heated": _flat(0.016**2)},
    ),
    "two-inlet": (
        _two_inlet,
        (0.060, 0.030),
        {
            "inlet": _port(0.004),
            "inlet_2": _port(0.004),
            "outlet": _port(0.006),
            "heated": _flat(2 * 0.012**2),
        },
    ),
}


@pytest.fixture(scope="module")
def smallest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every corpus plate at its smallest documented size (generated once for the module)."""
    folder = tmp_path_factory.mktemp("corpus")
    return {name: case.generator(folder / f"{name}.msh", binary=True) for name, case in CORPUS.items()}


def test_corpus_is_registered() -> None:
    assert set(CORPUS) == set(EXPECTED)
    for name, case in CORPUS.items():
        assert GENERATORS[name] is case.generator
        assert case.generator.__doc__ and "Default design" in case.generator.__doc__


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_plate_at_smallest_size(smallest: dict[str, Path], name: str) -> None:
    design = CORPUS[name]
    fluid_volume, height = EXPECTED[name][0]()
    footprint, areas = EXPECTED[name][1], EXPECTED[name][2]
    mesh = rf.load_mesh(smallest[name])
    assert sorted(mesh.regions) == sorted(design.regions)
    assert sorted(mesh.patches) == sorted([*design.patches, "untagged"])
    # about the target: a factor of two either way (more where the narrowest passage caps the size)
    assert 0.5 * TARGET <= mesh.n_cells <= 2.5 * TARGET, mesh.n_cells
    # the stack is filled without gaps or overlaps, and the coolant has the drawing's volume
    # (curved walls are faceted: a few 1e-4)
    total = sum(mesh.region_volume(r) for r in mesh.regions)
    assert total == pytest.approx(footprint[0] * footprint[1] * height, rel=1e-9)
    assert mesh.region_volume(design.fluid) == pytest.approx(fluid_volume, rel=VOLUME_REL.get(name, 5e-3))
    for patch, (area, rel) in areas.items():
        assert mesh.patch_area(patch) == pytest.approx(area, rel=rel), patch
    # coolant and metal share faces (fragment): the coolant's interfaces cover its walls
    touching = {frozenset((a, b)) for a, b, _ in mesh.interfaces()}
    for region in design.regions:
        if region != design.fluid:
            assert frozenset((region, design.fluid)) in touching
    # nothing for the pre-solve checks to refuse
    inlets = list(design.flow_lpm)
    assert [f for f in mesh.check(design.fluid, inlets, "outlet") if f.fatal] == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_design_point_is_laminar(smallest: dict[str, Path], name: str) -> None:
    """Re at each inlet from the mesh's own patch area and perimeter (D_h = 4A/P), PG25 at 35 °C
    from rackflow's coolant table, agrees with the documented number and is below 2,000; so are
    the documented Reynolds numbers inside the plate."""
    design = CORPUS[name]
    props = rf.get_coolant("PG25").properties(35.0)
    assert float(props["density_kg_m3"]) == pytest.approx(PG25_DENSITY_KG_M3, rel=2e-3)
    assert float(props["viscosity_pa_s"]) == pytest.approx(PG25_VISCOSITY_PA_S, rel=2e-3)
    mesh = rf.load_mesh(smallest[name])
    for patch, flow in design.flow_lpm.items():
        area, perimeter = mesh.patch_area(patch), mesh.patch_perimeter(patch)
        re = PG25_DENSITY_KG_M3 * flow / 60_000 / area * (4 * area / perimeter) / PG25_VISCOSITY_PA_S
        assert re < 2000, (patch, re)
        # (round ports are polygons: their area and perimeter are 0.5-1.6 % short)
        assert min(abs(re - v) / v for v in design.reynolds.values()) < 2e-2, (patch, re, design.reynolds)
    assert max(design.reynolds.values()) < 2000


def test_prism_layers_in_the_coolant(tmp_path: Path) -> None:
    """cells="prism": graded prisms fill the channel layer (coolant and fins), tetrahedra the
    floor and lid, on shared triangles; the first layer is thinner than the middle ones."""
    path = serpentine_plate(tmp_path / "prism.msh", cells="prism", prism_layers=6)
    m = meshio.read(path)
    kinds = {b.type for b in m.cells if b.type in ("tetra", "wedge", "pyramid", "hexahedron")}
    assert kinds == {"tetra", "wedge"}
    wedges = np.concatenate([b.data for b in m.cells if b.type == "wedge"])
    z = m.points[wedges][:, :, 2]
    assert z.min() == pytest.approx(0.002) and z.max() == pytest.approx(0.0045)
    heights = np.unique(np.round(np.ptp(z, axis=1), 9))
    assert len(heights) == 3  # six layers, symmetric grading: three distinct heights
    assert heights[0] < 0.7 * heights[-1]
    mesh = rf.load_mesh(path)
    assert mesh.region_volume("fluid") == pytest.approx(_serpentine()[0], rel=3e-3)
    assert [f for f in mesh.check("fluid", "inlet", "outlet") if f.fatal] == []


def test_wall_layers_refine_with_the_cell_size() -> None:
    """wall_layers: the first layer at each wall is a quarter of the cell size, the layers grow
    by at most 1.2 and are never thicker than the cell, symmetric, filling the depth; halving the
    cell size halves the first layer and adds layers (a fixed count would not refine the wall)."""
    from rackflow.meshing._layered import wall_layers

    depth = 0.0025
    counts = []
    for h in (0.0012, 0.0006, 0.0003, 0.00015):
        cum = np.array(wall_layers(depth, h))
        sizes = np.diff(np.r_[0.0, cum]) * depth
        assert cum[-1] == 1.0 and np.all(sizes > 0)
        assert sizes[0] == pytest.approx(h / 4, rel=1e-9) and sizes[-1] == pytest.approx(h / 4, rel=1e-9)
        np.testing.assert_allclose(sizes, sizes[::-1], rtol=1e-9)
        half = sizes[: len(sizes) // 2]
        assert np.all(half[1:] / half[:-1] <= 1.2 + 1e-9) and np.all(half[1:] >= half[:-1])
        assert sizes.max() <= h * (1 + 1e-9)
        counts.append(len(sizes))
    assert counts == sorted(counts) and counts[-1] > 2 * counts[0]
    # a depth thinner than the first layer rule allows: uniform layers, the count fills it
    thin = np.diff(np.r_[0.0, wall_layers(0.0002, 0.001)])
    np.testing.assert_allclose(thin, thin[0])


def test_prism_layers_refined_with_the_mesh(tmp_path: Path) -> None:
    """prism_layers=None sweeps the channel in wall_layers of the coolant cell size: the first
    prism on the floor and under the lid is h / 4 thick at mesh_size_m=h; for a target_cells
    the plate is redrawn with the layers of the size it is meshed at (about the target)."""
    from rackflow.meshing._layered import wall_layers

    h = 0.0012
    path = serpentine_plate(tmp_path / "refined.msh", mesh_size_m=h, cells="prism", prism_layers=None)
    m = meshio.read(path)
    wedges = np.concatenate([b.data for b in m.cells if b.type == "wedge"])
    z = m.points[wedges][:, :, 2]
    thick = np.round(np.ptp(z, axis=1), 9)
    assert thick.min() == pytest.approx(h / 4, rel=1e-6)
    bottom = np.round(z.min(axis=1), 9)
    assert thick[np.isclose(bottom, 0.002)].max() == pytest.approx(h / 4, rel=1e-6)
    assert len(np.unique(bottom)) == len(wall_layers(0.0025, h))
    coarse = rf.load_mesh(
        serpentine_plate(tmp_path / "t.msh", target_cells=TARGET, cells="prism", prism_layers=None)
    )
    assert 0.8 * TARGET <= coarse.n_cells <= 1.25 * TARGET
    assert [f for f in coarse.check("fluid", "inlet", "outlet") if f.fatal] == []


def test_target_cells_and_mesh_size(tmp_path: Path) -> None:
    coarse = rf.load_mesh(two_inlet_plate(tmp_path / "a.msh", mesh_size_m=0.0006)).n_cells
    fine = rf.load_mesh(two_inlet_plate(tmp_path / "b.msh", mesh_size_m=0.0004)).n_cells
    assert fine > 2 * coarse  # (0.6 / 0.4)^3 = 3.4 in the coolant
    with pytest.raises(ValueError, match="target_cells must be >= 1000"):
        two_inlet_plate(tmp_path / "c.msh", target_cells=10)
    with pytest.raises(ValueError, match="cells: expected one of"):
        two_inlet_plate(tmp_path / "c.msh", cells="hex")
    with pytest.raises(ValueError, match="passes must be odd"):
        serpentine_plate(tmp_path / "c.msh", passes=4)


@pytest.mark.slow
@pytest.mark.parametrize("target", [200_000, 1_000_000])
def test_larger_sizes(tmp_path: Path, target: int) -> None:
    mesh = rf.load_mesh(serpentine_plate(tmp_path / "big.msh", target_cells=target, binary=True))
    assert 0.6 * target <= mesh.n_cells <= 1.6 * target


def test_cli_builds_a_corpus_plate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "serpentine.msh"
    argv = ["mesh", "serpentine", "--mesh-size-m", "0.0012", "--cells", "prism", "--prism-layers", "4"]
    assert cli.main([*argv, "--out", str(out)]) == 0
    assert "regions ['base', 'fluid', 'lid']" in capsys.readouterr().out
    kinds = {b.type for b in meshio.read(out).cells}
    assert {"tetra", "wedge"} <= kinds


def test_cli_prism_layers_auto(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--prism-layers auto`` is the generator's ``prism_layers=None``: layers refined with the
    cell size (the first prism h / 4 thick); a number stays a fixed count."""
    out = tmp_path / "auto.msh"
    argv = ["mesh", "serpentine", "--mesh-size-m", "0.0012", "--cells", "prism", "--prism-layers", "auto"]
    assert cli.main([*argv, "--out", str(out)]) == 0
    m = meshio.read(out)
    wedges = np.concatenate([b.data for b in m.cells if b.type == "wedge"])
    assert np.ptp(m.points[wedges][:, :, 2], axis=1).min() == pytest.approx(0.0003, rel=1e-6)
    with pytest.raises(SystemExit):
        cli.main(["mesh", "serpentine", "--prism-layers", "many", "--out", str(out)])


def test_step_export_is_one_solid_per_region(tmp_path: Path) -> None:
    import gmsh

    path = serpentine_plate(tmp_path / "plate.step")
    assert path.read_text(errors="replace").startswith("ISO-10303-21")
    gmsh.initialize(readConfigFiles=False, interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.occ.importShapes(str(path))
        gmsh.model.occ.synchronize()
        volumes = sorted(gmsh.model.occ.getMass(3, t) for _, t in gmsh.model.getEntities(3))
    finally:
        gmsh.finalize()
    fluid, height = _serpentine()
    expected = sorted([fluid, 0.060 * 0.040 * 0.0015, 0.060 * 0.040 * (height - 0.0015) - fluid])
    assert volumes == pytest.approx(expected, rel=1e-9)
