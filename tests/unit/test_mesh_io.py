"""Loading meshes: formats, cell types, names, quality, and malformed input."""

from __future__ import annotations

from pathlib import Path

import meshio
import numpy as np
import pytest
import rackflow as rf
from rackflow.testing.meshes import box


@pytest.mark.parametrize("cells", ["hexahedron", "tetra", "mixed"])
def test_regions_patches_volumes(cells: str) -> None:
    regions = {"left": lambda c: c[:, 0] < 0.5, "right": lambda c: c[:, 0] >= 0.5}
    mesh = rf.Mesh.from_meshio(box((4, 3, 3), (1.0, 2.0, 3.0), cells, regions=regions))
    assert mesh.regions == ["left", "right"]
    assert mesh.patches == ["xmin", "xmax", "ymin", "ymax", "zmin", "zmax"]
    assert mesh.cell_volumes.sum() == pytest.approx(6.0, rel=1e-12)
    assert mesh.region_volume("left") == pytest.approx(3.0, rel=1e-12)
    assert mesh.patch_area("zmax") == pytest.approx(2.0, rel=1e-12)
    assert mesh.cell_centers.shape == (mesh.n_cells, 3)
    (a, b, area), *_ = mesh.interfaces()
    assert {a, b} == {"left", "right"} and area == pytest.approx(6.0, rel=1e-12)
    q = mesh.quality()
    assert set(q) >= {"max_non_orthogonality_deg", "max_skewness", "max_volume_ratio"}


def test_untagged_boundary_faces_form_one_patch(tmp_path: Path) -> None:
    m = box((2, 2, 2))
    keep = [i for i, b in enumerate(m.cells) if b.type != "quad" or i != 1]  # drop the xmax faces
    trimmed = meshio.Mesh(
        m.points,
        [m.cells[i] for i in keep],
        cell_data={"gmsh:physical": [m.cell_data["gmsh:physical"][i] for i in keep]},
        field_data=m.field_data,
    )
    mesh = rf.Mesh.from_meshio(trimmed)
    assert mesh.has_untagged and mesh.patches[-1] == "untagged"
    assert mesh.patch_area("untagged") == pytest.approx(1.0)


@pytest.mark.parametrize("fmt", ["gmsh22", "vtu"])
def test_formats_round_trip(tmp_path: Path, fmt: str) -> None:
    m = box((3, 2, 2), cells="mixed", regions={"a": lambda c: c[:, 0] < 0.5, "b": lambda c: c[:, 0] >= 0.5})
    path = tmp_path / f"mesh.{ {'gmsh22': 'msh', 'vtu': 'vtu'}[fmt] }"
    if fmt == "gmsh22":
        meshio.write(path, m, file_format="gmsh22", binary=False)
    else:
        # formats without Gmsh's name table carry regions through integer cell data
        m2 = meshio.Mesh(m.points, [c for c in m.cells if c.dim == 3])
        tags = [t for t, c in zip(m.cell_data["gmsh:physical"], m.cells, strict=True) if c.dim == 3]
        m2.cell_data["CellEntityIds"] = tags
        meshio.write(path, m2)
    mesh = rf.load_mesh(path)
    assert mesh.n_cells == sum(len(c.data) for c in m.cells if c.dim == 3)
    assert len(mesh.regions) == 2
    assert mesh.cell_volumes.sum() == pytest.approx(1.0)


def test_gmsh_41_file_with_physical_groups(tmp_path: Path) -> None:
    gmsh = pytest.importorskip("gmsh")
    path = tmp_path / "two.msh"
    gmsh.initialize(readConfigFiles=False, interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        a = gmsh.model.occ.addBox(0, 0, 0, 0.01, 0.01, 0.005)
        b = gmsh.model.occ.addBox(0, 0, 0.005, 0.01, 0.01, 0.005)
        gmsh.model.occ.fragment([(3, a)], [(3, b)])
        gmsh.model.occ.synchronize()
        gmsh.model.addPhysicalGroup(3, [a], name="bottom_block")
        gmsh.model.addPhysicalGroup(3, [b], name="top_block")
        low = gmsh.model.getEntitiesInBoundingBox(-1e-6, -1e-6, -1e-6, 0.010001, 0.010001, 1e-6, 2)
        gmsh.model.addPhysicalGroup(2, [t for _, t in low], name="floor")
        gmsh.option.setNumber("Mesh.MeshSizeMax", 0.002)
        gmsh.model.mesh.generate(3)
        gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
        gmsh.write(str(path))
    finally:
        gmsh.finalize()
    mesh = rf.load_mesh(path)
    assert set(mesh.regions) == {"bottom_block", "top_block"}
    assert "floor" in mesh.patches and "untagged" in mesh.patches
    assert mesh.patch_area("floor") == pytest.approx(1e-4, rel=1e-9)
    assert mesh.region_volume("top_block") == pytest.approx(5e-7, rel=1e-9)
    assert mesh.interfaces()[0][2] == pytest.approx(1e-4, rel=1e-9)


def test_missing_file_and_non_mesh_file(tmp_path: Path) -> None:
    with pytest.raises(rf.MeshError, match="does not exist"):
        rf.load_mesh(tmp_path / "nope.msh")
    junk = tmp_path / "junk.msh"
    junk.write_text("this is not a mesh\n")
    with pytest.raises(rf.MeshError, match=r"junk\.msh"):
        rf.load_mesh(junk)


def test_two_dimensional_mesh_is_rejected() -> None:
    m = meshio.Mesh(np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0.0]]), [("triangle", np.array([[0, 1, 2]]))])
    with pytest.raises(rf.MeshError, match="no 3D cells"):
        rf.Mesh.from_meshio(m)


def test_inverted_and_flat_cells_name_their_ids() -> None:
    m = box((2, 1, 1))
    hexes = m.cells[0].data
    flat = m.points.copy()
    flat[hexes[1, 4:], 2] = 0.0  # collapse cell 1 onto its bottom face
    with pytest.raises(rf.MeshError, match=r"zero-volume.*1"):
        rf.Mesh.from_meshio(meshio.Mesh(flat, [("hexahedron", hexes)]))
    twisted = m.points.copy()
    p2, p3 = hexes[0, 2], hexes[0, 3]
    twisted[[p2, p3]] = twisted[[p3, p2]]  # bow-tie bottom face in cell 0
    with pytest.raises(rf.MeshError, match="inverted"):
        rf.Mesh.from_meshio(meshio.Mesh(twisted, [("hexahedron", hexes[:1])]))


def test_duplicate_and_non_conforming_faces() -> None:
    m = box((2, 1, 1))
    hexes = m.cells[0].data
    with pytest.raises(rf.MeshError, match="duplicate"):
        rf.Mesh.from_meshio(meshio.Mesh(m.points, [("hexahedron", np.vstack([hexes, hexes[:1]]))]))
    # cell 1 gets its own copies of the four shared vertices: the two cells touch but do not connect
    pts = np.vstack([m.points, m.points[hexes[1, [0, 3, 4, 7]]]])
    detached = hexes.copy()
    detached[1, [0, 3, 4, 7]] = np.arange(len(m.points), len(m.points) + 4)
    with pytest.raises(rf.MeshError, match="non-conforming"):
        rf.Mesh.from_meshio(meshio.Mesh(pts, [("hexahedron", detached)]))


def test_out_of_range_vertex_is_a_mesh_error() -> None:
    m = box((1, 1, 1))
    bad = m.cells[0].data.copy()
    bad[0, 0] = 999
    with pytest.raises(rf.MeshError, match="out of range"):
        rf.Mesh.from_meshio(meshio.Mesh(m.points, [("hexahedron", bad)]))


def test_saved_result_reads_back_with_region_names(tmp_path: Path) -> None:
    regions = {"die": lambda c: c[:, 2] < 0.5, "lid": lambda c: c[:, 2] >= 0.5}
    mesh = rf.Mesh.from_meshio(box((2, 2, 4), regions=regions))
    case = rf.Case(mesh)
    case.solid("die", "silicon", power_w=10.0)
    case.solid("lid", "copper")
    case.convective("zmax", htc_w_m2k=100.0, ambient_c=25.0)
    result = case.solve()
    path = result.save(tmp_path / "out.vtu")
    back = meshio.read(path)
    assert np.allclose(np.concatenate(back.cell_data["temperature_c"]), result.temperature_c)
    again = rf.load_mesh(path)
    assert again.regions == ["die", "lid"]


def test_raw_vtu_matches_meshio_writer(tmp_path: Path) -> None:
    # the direct raw writer (default) and meshio's (compress=True) describe the same grid
    mesh = rf.Mesh.from_meshio(box((3, 3, 2), cells="mixed"))
    case = rf.Case(mesh)
    case.solid("box", "copper", power_w=5.0)
    case.convective("zmax", htc_w_m2k=100.0, ambient_c=25.0)
    result = case.solve()
    raw = meshio.read(result.save(tmp_path / "raw.vtu"))
    reference = meshio.read(result.save(tmp_path / "zlib.vtu", compress=True))
    assert np.array_equal(raw.points, reference.points)
    assert (
        [b.type for b in raw.cells] == [b.type for b in reference.cells] == ["hexahedron", "pyramid", "wedge"]
    )
    for a, b in zip(raw.cells, reference.cells, strict=True):
        assert np.array_equal(a.data, b.data)
    assert raw.cell_data.keys() == reference.cell_data.keys()
    for name in raw.cell_data:
        for a, b in zip(raw.cell_data[name], reference.cell_data[name], strict=True):
            assert a.dtype == b.dtype and np.array_equal(a, b)
    pv = pytest.importorskip("pyvista")
    grid = pv.read(tmp_path / "raw.vtu")
    volumes = grid.compute_cell_sizes(length=False, area=False)["Volume"]
    # VTK reads the same cells (the test mesh's pyramids and wedges are mirrored in VTK's
    # convention, which the core's own face orientation does not care about: hence abs)
    assert np.allclose(np.abs(volumes), mesh.cell_volumes, rtol=1e-12)


def test_int32_indices_build_the_same_mesh_and_digest() -> None:
    # meshes keep int32 indices in Python; int64 arrays build the same mesh with the same digest
    import dataclasses

    from rackflow.casefile import mesh_digest
    from rackflow.io import meshio_reader

    narrow = meshio_reader.from_meshio(box((3, 2, 2), cells="mixed"))
    assert narrow.cell_connectivity.dtype == np.int32
    wide = dataclasses.replace(
        narrow,
        **{
            f.name: getattr(narrow, f.name).astype(np.int64)
            for f in dataclasses.fields(narrow)
            if isinstance(getattr(narrow, f.name), np.ndarray) and getattr(narrow, f.name).dtype.kind == "i"
        },
    )
    a, b = rf.Mesh(narrow), rf.Mesh(wide)
    assert np.array_equal(a.cell_volumes, b.cell_volumes) and a.n_faces == b.n_faces
    assert mesh_digest(a) == mesh_digest(b)
    assert not a.points.flags.writeable


def test_scattered_cell_numbering_is_renumbered_and_written_consistently(tmp_path: Path) -> None:
    # a tetrahedral box whose cells are shuffled (as Gmsh numbers its Delaunay tetrahedra): the
    # mesh renumbers them for locality, reports where each came from, and every array and the
    # written file follow the new numbering
    regions = {"left": lambda c: c[:, 0] < 0.5, "right": lambda c: c[:, 0] >= 0.5}
    m = box((8, 8, 8), cells="tetra", regions=regions)
    rng = np.random.default_rng(3)
    shuffled_cells, shuffled_data = [], {}
    for i, block in enumerate(m.cells):
        order = np.arange(len(block.data))
        if block.type == "tetra":  # shuffled within each region, regions one after the other
            order = rng.permutation(len(block.data))
            order = order[np.argsort(np.asarray(m.cell_data["gmsh:physical"][i])[order], kind="stable")]
        shuffled_cells.append((block.type, block.data[order]))
        for name, per_block in m.cell_data.items():
            shuffled_data.setdefault(name, []).append(np.asarray(per_block[i])[order])
    scattered = meshio.Mesh(m.points, shuffled_cells, cell_data=shuffled_data, field_data=m.field_data)
    mesh = rf.Mesh.from_meshio(scattered)
    order = mesh.input_cell_order
    assert order is not None and sorted(order) == list(range(mesh.n_cells))
    tets = np.concatenate([b.data for b in scattered.cells if b.type == "tetra"])
    assert np.allclose(scattered.points[tets[order]].mean(axis=1), mesh.cell_centers, atol=0.3 / 8)
    # a structured numbering stays as it is
    assert rf.Mesh.from_meshio(m).input_cell_order is None
    case = rf.Case(mesh)
    case.solid("left", "copper", power_w=10.0)
    case.solid("right", "al6061")
    case.convective("xmax", htc_w_m2k=500.0, ambient_c=25.0)
    result = case.solve()
    back = meshio.read(result.save(tmp_path / "out.vtu"))
    written = np.concatenate([b.data for b in back.cells])
    centres = back.points[written].mean(axis=1)
    volumes = (
        np.abs(
            np.einsum(
                "ij,ij->i",
                np.cross(
                    back.points[written[:, 1]] - back.points[written[:, 0]],
                    back.points[written[:, 2]] - back.points[written[:, 0]],
                ),
                back.points[written[:, 3]] - back.points[written[:, 0]],
            )
        )
        / 6.0
    )
    assert np.allclose(volumes, mesh.cell_volumes, rtol=1e-9)
    assert np.allclose(centres, mesh.cell_centers, atol=1e-12)
    assert np.allclose(np.concatenate(back.cell_data["temperature_c"]), result.temperature_c)
    # the same answer as the file's own numbering, cell by cell
    plain = rf.Case(rf.Mesh.from_meshio(m))
    plain.solid("left", "copper", power_w=10.0)
    plain.solid("right", "al6061")
    plain.convective("xmax", htc_w_m2k=500.0, ambient_c=25.0)
    reference = plain.solve()
    assert abs(result.max_temperature_c() - reference.max_temperature_c()) < 1e-6


def test_renumbering_across_blocks_of_one_shape_keeps_written_cells_consistent(tmp_path: Path) -> None:
    # two consecutive tetra blocks of one region (two Gmsh volumes in one physical group): the
    # renumbering may move cells between the blocks, and the written file must still match
    m = box((8, 8, 8), cells="tetra")
    tets = m.cells[0].data[np.random.default_rng(5).permutation(len(m.cells[0].data))]
    half = len(tets) // 2
    tag = np.asarray(m.cell_data["gmsh:physical"][0])[:1]
    blocks = [("tetra", tets[:half]), ("tetra", tets[half:])]
    faces = [(b.type, b.data) for b in m.cells[1:]]
    tags = [np.repeat(tag, half), np.repeat(tag, len(tets) - half)] + [
        np.asarray(t) for t in m.cell_data["gmsh:physical"][1:]
    ]
    scattered = meshio.Mesh(
        m.points, blocks + faces, cell_data={"gmsh:physical": tags}, field_data=m.field_data
    )
    mesh = rf.Mesh.from_meshio(scattered)
    assert mesh.input_cell_order is not None
    # the renumbering did take cells across the block boundary
    assert (mesh.input_cell_order[:half] >= half).any()
    case = rf.Case(mesh)
    case.solid("box", "copper", power_w=1.0)
    case.fixed_temperature("xmin", temperature_c=20.0)
    result = case.solve()
    back = meshio.read(result.save(tmp_path / "out.vtu"))
    written = np.concatenate([b.data for b in back.cells])
    assert np.allclose(back.points[written].mean(axis=1), mesh.cell_centers, atol=1e-12)


def test_pipe_sector_at_given_wall_distances() -> None:
    """``pipe_sector(wall_distances_m=...)`` puts the radial nodes at those wall distances (the
    same wall-normal nodes as a box wall, for benchmarks.square_duct_sst) and rejects a node
    list of the wrong length or extent."""
    from rackflow.testing.meshes import graded_nodes, pipe_sector

    radius = 0.01
    nodes = graded_nodes(0.0, 0.99 * radius, 2e-6, None, 1.25, radius / 12)
    m = pipe_sector(4, len(nodes) - 1, 0.1, radius, wall_distances_m=nodes)
    distances = np.unique(np.round(radius - np.hypot(m.points[:, 1], m.points[:, 2]), 12))
    assert distances == pytest.approx(nodes, abs=1e-12)
    with pytest.raises(ValueError, match="wall_distances_m"):
        pipe_sector(4, len(nodes), 0.1, radius, wall_distances_m=nodes)
    with pytest.raises(ValueError, match="wall_distances_m"):
        pipe_sector(4, len(nodes) - 1, 0.1, radius, wall_distances_m=nodes * 0.5)
