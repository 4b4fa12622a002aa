"""The rack manifold generator: one fused fluid volume, its named patches and their areas."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

pytest.importorskip("gmsh")


def test_rack_manifold_has_fluid_inlet_outlets_and_wall(tmp_path: Path) -> None:
    import rackflow as rf
    from rackflow.meshing.pipe import rack_manifold

    path = rack_manifold(
        tmp_path / "m.msh",
        header_length_m=0.12,
        branch_positions_m=(0.04, 0.08),
        header_cell_size_m=5e-3,
        branch_cell_size_m=2.5e-3,
    )
    mesh = rf.load_mesh(path)
    assert mesh.regions == ["fluid"]
    assert sorted(mesh.patches) == ["inlet", "outlet_1", "outlet_2", "wall"]
    # faceted circles: under the bore's area, above a 10-gon's (93.5 % of it; the 8 mm branch
    # at 2.5 mm cells has about 10 edges round)
    for patch, bore in (("inlet", 0.020), ("outlet_1", 0.008), ("outlet_2", 0.008)):
        circle = math.pi * bore**2 / 4
        assert 0.93 * circle < mesh.patch_area(patch) < circle, patch


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"branch_positions_m": ()}, "branch_positions_m"),
        ({"branch_positions_m": (0.10, 0.105)}, "branch_positions_m"),
        ({"branch_positions_m": (0.299,)}, "branch_positions_m"),
        ({"branch_diameter_m": 0.02}, "branch_diameter_m"),
        ({"header_cell_size_m": -1.0}, "header_cell_size_m"),
    ],
)
def test_rack_manifold_rejects_impossible_geometry(tmp_path: Path, overrides: dict, named: str) -> None:
    from rackflow.meshing.pipe import rack_manifold

    with pytest.raises(ValueError, match=named):
        rack_manifold(tmp_path / "m.msh", **overrides)
