"""View factors from Python: polygons, a case's enclosures on a mesh, the cache.

The analytic values are Howell's catalogue cases C-11 (opposed rectangles) and C-14
(perpendicular rectangles with a common edge); the closed-form functions are in
``rust/core/src/radiation/view_factor/tests.rs`` (there checked to 1 % at the default ray count
on many cases); here the unit cube's values (0.19982 opposite, 0.20004 adjacent, Incropera
Table 13.2) and the 1 % accuracy asked of the default.
"""

from __future__ import annotations

import meshio
import numpy as np
import pytest
import rackflow as rf
from rackflow.radiation import enclosure_view_factors, polygon_view_factors
from rackflow.testing.meshes import box

OPPOSITE = 0.199825
ADJACENT = 0.200044


def _cube_faces() -> tuple[np.ndarray, list[list[int]]]:
    """Unit cube, the six sides facing inwards."""
    p = np.array([[x, y, z] for z in (0, 1) for y in (0, 1) for x in (0, 1)], dtype=float)
    # vertex index = x + 2 y + 4 z; listed counter-clockwise seen from outside, then reversed
    outward = [
        [0, 4, 6, 2],  # x = 0, normal +x inwards
        [1, 3, 7, 5],  # x = 1, normal −x inwards
        [0, 1, 5, 4],  # y = 0, normal +y
        [2, 6, 7, 3],  # y = 1, normal −y
        [0, 2, 3, 1],  # z = 0, normal +z
        [4, 5, 7, 6],  # z = 1, normal −z
    ]
    return p, [f[::-1] for f in outward]


def test_polygon_view_factors_of_the_cube() -> None:
    points, faces = _cube_faces()
    vf = polygon_view_factors(points, faces, group_names=["cube"], groups=[0] * 6)
    f = vf.dense()
    assert vf.n_zones == 6
    for i in range(6):
        for j in range(6):
            expected = 0.0 if i == j else OPPOSITE if i // 2 == j // 2 else ADJACENT
            assert f[i, j] == pytest.approx(expected, rel=0.01, abs=0.0)
    assert np.abs(f.sum(axis=1) - 1.0).max() < 1e-12
    s = vf.area[:, None] * f
    assert np.abs(s - s.T).max() < 1e-12 * s.max()
    assert vf.info["reciprocity_error"] < 1e-12
    assert vf.get(0, 1) == f[0, 1]


def test_open_enclosure_leaks_to_the_sink() -> None:
    points, faces = _cube_faces()
    open_box = polygon_view_factors(points, faces[:5], closed=False)
    # the lid is missing: each side sees it with its catalogue factor
    assert open_box.sink[4] == pytest.approx(OPPOSITE, rel=0.01)
    assert open_box.sink[0] == pytest.approx(ADJACENT, rel=0.01)
    with pytest.raises(rf.CaseError, match=r"not closed.*'walls'"):
        polygon_view_factors(points, faces[:5], groups=[0] * 5, group_names=["walls"])


def test_polygon_input_errors() -> None:
    points, faces = _cube_faces()
    with pytest.raises(ValueError, match="refers to point 9"):
        polygon_view_factors(points, [[0, 1, 9]])
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        polygon_view_factors(points[:, :2], faces)
    with pytest.raises(rf.MeshError, match="degenerate"):
        polygon_view_factors(points, [[0, 1, 1]])
    with pytest.raises(rf.CaseError, match="rays_per_zone must be a positive integer"):
        polygon_view_factors(points, faces, rays_per_zone=0)


def _two_plates_mesh() -> rf.Mesh:
    """Two 1 × 1 × 0.1 blocks of 4 × 4 × 1 hexahedra, 0.5 apart: patches a_* and b_*."""
    a = box((4, 4, 1), (1.0, 1.0, 0.1))
    b = box((4, 4, 1), (1.0, 1.0, 0.1), origin=(0.0, 0.0, 0.6))
    n = len(a.points)
    cells, tags = [], []
    for block, data in zip(a.cells, a.cell_data["gmsh:physical"], strict=True):
        cells.append((block.type, block.data))
        tags.append(data)
    for block, data in zip(b.cells, b.cell_data["gmsh:physical"], strict=True):
        cells.append((block.type, block.data + n))
        tags.append(np.where(data < 100, data + 10, data))
    field_data = {}
    for name, (tag, dim) in a.field_data.items():
        if dim == 2:
            field_data[f"a_{name}"] = np.array([tag, 2])
            field_data[f"b_{name}"] = np.array([tag + 10, 2])
        else:
            field_data[name] = np.array([tag, dim])
    return rf.Mesh.from_meshio(
        meshio.Mesh(
            np.vstack([a.points, b.points]), cells, cell_data={"gmsh:physical": tags}, field_data=field_data
        )
    )


def test_enclosure_view_factors_are_cached(tmp_path) -> None:
    mesh = _two_plates_mesh()
    case = rf.Case(mesh)
    case.radiation_enclosure(["a_zmax", "b_zmin"], emissivity=0.9, sink_c=-270.15)
    (first,) = enclosure_view_factors(case, cache=tmp_path)
    assert not first.from_cache
    assert first.patches == ["a_zmax", "b_zmin"]
    assert first.n_zones == 32 and len(first.mesh_face) == 32
    assert first.info["reciprocity_error"] < 1e-12
    # the patch-to-patch factor of opposed unit squares 0.5 apart (C-11 at X = Y = 2: 0.41525)
    f = first.dense()
    lower = first.zone_of_face[:16]
    upper = first.zone_of_face[16:]
    f_ab = (first.area[lower, None] * f[np.ix_(lower, upper)]).sum() / first.area[lower].sum()
    assert f_ab == pytest.approx(0.415253, rel=0.01)
    assert len(list(tmp_path.glob("*.rfvf"))) == 1
    (second,) = enclosure_view_factors(case, cache=tmp_path)
    assert second.from_cache and second.key == first.key
    np.testing.assert_array_equal(second.value, first.value)
    # another ray count is another key
    other = rf.Case(mesh)
    with pytest.warns(rf.errors.RackflowWarning, match="estimated error of about"):
        other.radiation_enclosure(["a_zmax", "b_zmin"], emissivity=0.9, rays=1024, sink_c=-270.15)
    (third,) = enclosure_view_factors(other, cache=tmp_path)
    assert third.key != first.key and not third.from_cache


def test_closed_enclosure_that_leaks_names_its_patches(tmp_path) -> None:
    mesh = _two_plates_mesh()
    case = rf.Case(mesh)
    case.radiation_enclosure(["a_zmax", "b_zmin"], emissivity=0.9)
    with pytest.raises(
        rf.CaseError, match=r"enclosure \['a_zmax', 'b_zmin'\].*not closed.*'a_zmax' \(5\d\.\d\d % escapes"
    ):
        enclosure_view_factors(case, cache=False)
