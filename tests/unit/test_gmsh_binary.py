"""The fast binary msh 2.2 reader gives exactly meshio's mesh, and leaves other files to meshio."""

from __future__ import annotations

from pathlib import Path

import meshio
import numpy as np
import pytest
import rackflow as rf
from rackflow.io import gmsh_binary
from rackflow.testing.meshes import box


def _same(a: meshio.Mesh, b: meshio.Mesh) -> None:
    assert a.points.dtype == b.points.dtype and np.array_equal(a.points, b.points)
    assert [c.type for c in a.cells] == [c.type for c in b.cells]
    for ca, cb in zip(a.cells, b.cells, strict=True):
        assert ca.data.dtype == cb.data.dtype and np.array_equal(ca.data, cb.data)
    assert set(a.cell_data) == set(b.cell_data)
    for key in a.cell_data:
        for da, db in zip(a.cell_data[key], b.cell_data[key], strict=True):
            assert da.dtype == db.dtype and np.array_equal(da, db)
    assert set(a.field_data) == set(b.field_data)
    for key in a.field_data:
        assert np.array_equal(a.field_data[key], b.field_data[key])


def _regions() -> dict:
    return {"left part": lambda c: c[:, 0] < 0.4, "right": lambda c: c[:, 0] >= 0.4}


@pytest.mark.parametrize("cells", ["hexahedron", "tetra", "mixed"])
def test_same_mesh_as_meshio(tmp_path: Path, cells: str) -> None:
    path = tmp_path / "m.msh"
    meshio.write(
        path, box((4, 3, 2), (1.0, 2.0, 0.5), cells, regions=_regions()), file_format="gmsh22", binary=True
    )
    assert gmsh_binary.is_binary_msh22(path)
    fast = gmsh_binary.read(path)
    assert fast is not None
    _same(fast, meshio.read(path))


def test_interleaved_cell_types_form_blocks_like_meshio(tmp_path: Path) -> None:
    m = box((2, 2, 2), cells="mixed", regions=_regions())
    # reorder blocks so one type appears twice, apart: meshio keeps separate blocks and pools tags
    order = [*range(len(m.cells)), 0]
    cells = [m.cells[i] for i in order]
    phys = [m.cell_data["gmsh:physical"][i] + (k == len(order) - 1) for k, i in enumerate(order)]
    mixed = meshio.Mesh(m.points, cells, cell_data={"gmsh:physical": phys}, field_data=m.field_data)
    path = tmp_path / "m.msh"
    meshio.write(path, mixed, file_format="gmsh22", binary=True)  # geometrical tags padded with 0
    fast = gmsh_binary.read(path)
    assert fast is not None
    _same(fast, meshio.read(path))


def test_other_files_are_left_to_meshio(tmp_path: Path) -> None:
    m = box((2, 2, 2), regions=_regions())
    ascii_path = tmp_path / "a.msh"
    meshio.write(ascii_path, m, file_format="gmsh22", binary=False)
    assert not gmsh_binary.is_binary_msh22(ascii_path)
    assert gmsh_binary.read(ascii_path) is None
    v41 = tmp_path / "b.msh"
    meshio.write(
        v41, meshio.Mesh(m.points, [c for c in m.cells if c.type == "hexahedron"]), file_format="gmsh"
    )
    assert gmsh_binary.read(v41) is None
    with_data = meshio.Mesh(m.points, m.cells, point_data={"T": np.arange(len(m.points), dtype=float)},
                            cell_data=m.cell_data, field_data=m.field_data)  # fmt: skip
    data_path = tmp_path / "c.msh"
    meshio.write(data_path, with_data, file_format="gmsh22", binary=True)
    assert gmsh_binary.read(data_path) is None  # a $NodeData section: meshio reads it
    truncated = tmp_path / "d.msh"
    raw = (tmp_path / "c.msh").read_bytes()
    truncated.write_bytes(raw[: len(raw) // 2])
    assert gmsh_binary.read(truncated) is None
    with pytest.raises(rf.MeshError, match=r"d\.msh"):
        rf.load_mesh(truncated)


def test_load_mesh_gives_the_same_mesh_either_way(tmp_path: Path) -> None:
    path = tmp_path / "m.msh"
    meshio.write(path, box((3, 3, 2), cells="mixed", regions=_regions()), file_format="gmsh22", binary=True)
    fast = rf.load_mesh(path)
    slow = rf.Mesh.from_meshio(meshio.read(path))
    assert fast.regions == slow.regions == ["left part", "right"]
    assert fast.patches == slow.patches
    assert np.array_equal(fast.cell_volumes, slow.cell_volumes)
    assert np.array_equal(fast.region_of_cell, slow.region_of_cell)
