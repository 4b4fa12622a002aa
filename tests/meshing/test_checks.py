"""Pre-solve mesh checks (issue 16 C): each defect on a deliberately broken mesh, found by
``Mesh.check`` (typed findings) and raised by ``Case.solve`` before any iteration, naming the
regions, patch and positions; and the same meshes made right pass."""

from __future__ import annotations

import re
import time
from pathlib import Path

import meshio
import numpy as np
import pytest
import rackflow as rf
from rackflow.testing.meshes import box

gmsh = pytest.importorskip("gmsh")

FACE = 0.004 * 0.002  # the shared face of the two boxes below, m²


def _two_boxes(path: Path, *, fragment: bool, size: float = 0.001) -> Path:
    """A solid box x in [0, 4] mm and a coolant box x in [4, 10] mm (4 x 2 mm section), touching
    on x = 4 mm; without ``fragment`` each is meshed on its own (the face is there twice)."""
    from rackflow.meshing._gmsh import add_physical, entities_in_box, gmsh_session, write_msh

    with gmsh_session("two_boxes") as g:
        occ = g.model.occ
        solid = occ.addBox(0, 0, 0, 0.004, 0.004, 0.002)
        fluid = occ.addBox(0.004, 0, 0, 0.006, 0.004, 0.002)
        if fragment:
            occ.fragment([(3, solid)], [(3, fluid)])
        occ.synchronize()
        add_physical(3, [solid], "base")
        add_physical(3, [fluid], "fluid")
        add_physical(2, entities_in_box(2, (0.010, 0, 0), (0.010, 0.004, 0.002)), "outlet")
        add_physical(2, entities_in_box(2, (0, 0, 0), (0, 0.004, 0.002)), "heated")
        # the coolant enters through its y = 0 face
        add_physical(2, entities_in_box(2, (0.004, 0, 0), (0.010, 0, 0.002)), "inlet")
        g.option.setNumber("Mesh.MeshSizeMax", size)
        g.model.mesh.generate(3)
        return write_msh(path)


def _case(mesh: rf.Mesh) -> rf.Case:
    case = rf.Case(mesh)
    case.solid("base", material="copper")
    case.fluid("fluid", coolant="water")
    case.inlet("inlet", flow_lpm=0.05, temperature_c=30.0)
    case.outlet("outlet")
    case.heat_flux("heated", power_w=5.0)
    return case


# ------------------------------------------------------------------ non-conforming interface


def test_boxes_meshed_without_fragment_are_non_conforming(tmp_path: Path) -> None:
    """Refused when the mesh is built (before any case exists), naming both regions, the
    overlapping area, positions on the shared plane and the fix."""
    path = _two_boxes(tmp_path / "apart.msh", fragment=False)
    with pytest.raises(rf.MeshError) as err:
        rf.load_mesh(path)
    first = str(err.value).splitlines()[0]
    assert re.match(
        r"regions 'base' and 'fluid' touch over 8\.000e-06 m² \(\d+ face pairs\) without sharing mesh faces",
        first,
    )
    assert "occ.fragment" in first
    positions = re.findall(r"\(([-\d.]+), ([-\d.]+), ([-\d.]+)\) mm", first.split("e.g. at")[1])
    assert positions and all(x == "4.000" for x, _, _ in positions)  # on the plane x = 4 mm


def test_boxes_fragmented_are_conforming(tmp_path: Path) -> None:
    mesh = rf.load_mesh(_two_boxes(tmp_path / "joined.msh", fragment=True))
    assert mesh.interfaces()[0][2] == pytest.approx(FACE, rel=1e-9)
    assert mesh.check("fluid", "inlet", "outlet") == []


def test_region_touching_itself(tmp_path: Path) -> None:
    """Two coolant volumes meshed apart: the coolant region touches itself without sharing faces."""
    from rackflow.meshing._gmsh import add_physical, gmsh_session, write_msh

    with gmsh_session("self") as g:
        a = g.model.occ.addBox(0, 0, 0, 0.002, 0.002, 0.002)
        b = g.model.occ.addBox(0.002, 0, 0, 0.002, 0.002, 0.002)
        g.model.occ.synchronize()
        add_physical(3, [a, b], "fluid")
        g.option.setNumber("Mesh.MeshSizeMax", 0.001)
        g.model.mesh.generate(3)
        path = write_msh(tmp_path / "self.msh")
    with pytest.raises(rf.MeshError, match=r"^region 'fluid' touches itself over 4\.000e-06 m²"):
        rf.load_mesh(path)


# ------------------------------------------------------------------ inlet on solid faces


def test_inlet_tagged_on_solid_faces(tmp_path: Path) -> None:
    """The inlet drawn across the whole y = 0 side: a third of it is metal. The flow enters
    through the coolant faces only (the others stay adiabatic walls), so that is a warning; an
    inlet with no coolant face at all is fatal."""
    from rackflow.meshing._gmsh import add_physical, entities_in_box, gmsh_session, write_msh

    with gmsh_session("inlet_on_solid") as g:
        occ = g.model.occ
        solid = occ.addBox(0, 0, 0, 0.004, 0.004, 0.002)
        fluid = occ.addBox(0.004, 0, 0, 0.008, 0.004, 0.002)
        occ.fragment([(3, solid)], [(3, fluid)])
        occ.synchronize()
        add_physical(3, [solid], "base")
        add_physical(3, [fluid], "fluid")
        add_physical(2, entities_in_box(2, (0, 0, 0), (0.012, 0, 0.002)), "inlet")
        add_physical(2, entities_in_box(2, (0.012, 0, 0), (0.012, 0.004, 0.002)), "outlet")
        add_physical(2, entities_in_box(2, (0, 0, 0), (0, 0.004, 0.002)), "heated")
        add_physical(2, entities_in_box(2, (0, 0.004, 0), (0.004, 0.004, 0.002)), "metal_side")
        g.option.setNumber("Mesh.MeshSizeMax", 0.001)
        g.model.mesh.generate(3)
        path = write_msh(tmp_path / "inlet.msh")
    mesh = rf.load_mesh(path)
    (f,) = [f for f in mesh.check("fluid", "inlet", "outlet") if f.kind == "inlet_on_solid"]
    assert not f.fatal
    assert f.patch == "inlet"
    assert f.regions == ("base",)
    assert f.area_m2 == pytest.approx(0.004 * 0.002, rel=1e-9)
    assert all(p[1] == 0.0 and p[0] < 0.004 for p in f.positions)
    assert re.match(
        r"inlet 'inlet': \d+ of its \d+ faces \(8\.000e-06 m²\) lie on cells of solid regions \['base'\]",
        f.message,
    )
    (g,) = [f for f in mesh.check("fluid", "metal_side", "outlet") if f.kind == "inlet_on_solid"]
    assert g.fatal and g.patch == "metal_side"
    assert g.area_m2 == pytest.approx(0.004 * 0.002, rel=1e-9)


# ------------------------------------------------------------------ outlet reachability


def test_coolant_with_no_path_to_an_outlet() -> None:
    """A blind coolant branch: fed by the inlet, joined to no outlet."""
    regions = {
        "fluid": lambda c: (c[:, 1] < 0.002) | ((c[:, 1] > 0.003) & (c[:, 0] < 0.005)),
        "base": lambda c: ~((c[:, 1] < 0.002) | ((c[:, 1] > 0.003) & (c[:, 0] < 0.005))),
    }
    m = box((10, 5, 2), (0.01, 0.005, 0.002), regions=regions)
    mesh = rf.Mesh.from_meshio(m)
    findings = mesh.check("fluid", "xmin", "xmax")
    (f,) = [f for f in findings if f.kind == "outlet_unreachable"]
    blind = (mesh.cell_centers[:, 1] > 0.003) & (mesh.cell_centers[:, 0] < 0.005)
    assert f.count == int(blind.sum()) == 5 * 2 * 2
    assert f.regions == ("fluid",)
    assert all(p[1] > 0.003 and p[0] < 0.005 for p in f.positions)
    case = rf.Case(mesh)
    case.solid("base", material="copper")
    case.fluid("fluid", coolant="water")
    case.inlet("xmin", flow_lpm=0.01, temperature_c=30.0)
    case.outlet("xmax")
    with pytest.raises(
        rf.CaseError,
        match=r"20 coolant cells \(in regions \['fluid'\].*not connected to any outlet \['xmax'\]",
    ):
        case.solve(progress=False)


# ------------------------------------------------------------------ thin passages


def test_channel_one_cell_deep(tmp_path: Path) -> None:
    """The serpentine plate meshed at its channel depth: most coolant cells span floor to lid."""
    from rackflow.meshing import serpentine_plate

    coarse = rf.load_mesh(serpentine_plate(tmp_path / "coarse.msh", mesh_size_m=0.0025))
    (f,) = [f for f in coarse.check("fluid", "inlet", "outlet") if f.kind == "thin_passage"]
    assert f.fatal
    assert f.regions == ("fluid",)
    assert f.worst == pytest.approx(0.0025, rel=1e-6)  # the channel depth
    assert f.count > 0.25 * coarse.cells_of("fluid").size
    assert all(0.002 <= p[2] <= 0.0045 for p in f.positions)  # inside the channel layer
    case = rf.Case(coarse)
    case.solid("base", material="copper")
    case.solid("lid", material="copper")
    case.fluid("fluid", coolant="PG25")
    case.inlet("inlet", flow_lpm=0.4, temperature_c=35.0)
    case.outlet("outlet")
    case.heat_flux("heated", power_w=150.0)
    start = time.perf_counter()
    with pytest.raises(rf.MeshError, match=r"fluid region 'fluid' has passages one cell thick"):
        case.solve(progress=False)
    assert time.perf_counter() - start < 5.0  # raised before any iteration
    # the same plate in prism layers has vertices inside every passage
    prisms = rf.load_mesh(serpentine_plate(tmp_path / "prism.msh", mesh_size_m=0.0025, cells="prism"))
    assert not [f for f in prisms.check("fluid", "inlet", "outlet") if f.kind == "thin_passage"]


# ------------------------------------------------------------------ hopeless quality


def _sheared(shear: float) -> rf.Mesh:
    """Hexahedra sheared along x by ``shear`` per unit height: centre lines at atan(shear) to
    the horizontal faces' normals."""
    m = box((3, 3, 3), (1.0, 1.0, 1.0), regions={"block": lambda c: c[:, 0] > -1})
    m.points[:, 0] += shear * m.points[:, 2]
    return rf.Mesh.from_meshio(m)


def test_near_90_degree_non_orthogonality() -> None:
    mesh = _sheared(60.0)  # atan(60) = 89.05°
    (f,) = mesh.check()
    assert f.kind == "degenerate_cells"
    assert f.regions == ("block",)
    assert f.worst == pytest.approx(np.degrees(np.arctan(60.0)), abs=1e-6)
    assert "Mesh.OptimizeNetgen" in f.message
    case = rf.Case(mesh)
    case.solid("block", material="copper")
    case.fixed_temperature("zmin", temperature_c=20.0)
    case.heat_flux("zmax", power_w=1.0)
    with pytest.raises(rf.MeshError, match=r"region 'block': \d+ cells .*non-orthogonality up to 89\.0°"):
        case.solve()
    # 85° is poor but not hopeless: no finding
    ok = _sheared(np.tan(np.radians(85.0)))
    assert ok.check() == []


def test_slivers(tmp_path: Path) -> None:
    """A flat hexahedral layer of aspect ratio 20,000 between normal cells: slivers."""
    m = box((2, 2, 3), (1.0, 1.0, 1.0), regions={"block": lambda c: c[:, 0] > -1})
    levels = {0: 0.0, 1: 0.5, 2: 0.50001, 3: 1.0}  # z levels 0, 1/3, 2/3, 1 moved: a 1e-5 layer
    m.points[:, 2] = [levels[round(z * 3)] for z in m.points[:, 2]]
    mesh = rf.Mesh.from_meshio(m)
    (f,) = mesh.check()
    assert f.kind == "degenerate_cells"
    assert f.count == 4
    assert "4 slivers" in f.message
    assert all(abs(p[2] - 0.500005) < 1e-6 for p in f.positions)


def test_checks_are_fast_on_the_corpus(tmp_path: Path) -> None:
    from rackflow.meshing import two_inlet_plate

    mesh = rf.load_mesh(two_inlet_plate(tmp_path / "two.msh"))
    start = time.perf_counter()
    findings = mesh.check("fluid", ["inlet", "inlet_2"], "outlet")
    elapsed = time.perf_counter() - start
    assert [f for f in findings if f.fatal] == []
    assert elapsed < 1.0, elapsed


def test_unknown_names_raise_mesh_error() -> None:
    mesh = _sheared(0.0)
    with pytest.raises(rf.MeshError, match="unknown region 'coolant'"):
        mesh.check("coolant")
    with pytest.raises(rf.MeshError, match="unknown patch 'in'"):
        mesh.check("block", "in")


def test_meshio_read_of_the_broken_mesh_keeps_both_faces(tmp_path: Path) -> None:
    """The non-conforming file has the shared face twice: two node sets on x = 4 mm."""
    m = meshio.read(_two_boxes(tmp_path / "apart.msh", fragment=False))
    on_plane = np.isclose(m.points[:, 0], 0.004)
    unique = np.unique(np.round(m.points[on_plane] / 1e-9).astype(np.int64), axis=0)
    assert on_plane.sum() == 2 * len(unique)
