"""Smoke tests of the benchmark harness: tiny meshes, physics sanity, no timing assertions."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

# the benchmarks package lives at the repository root, next to tests/
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks import plate_mesh
from benchmarks.openfoam import foam

pytestmark = pytest.mark.benchmark


def test_hex_plate_mesh_groups(tmp_path: Path) -> None:
    meshio = pytest.importorskip("meshio")
    path = plate_mesh.write_hex_mesh(20, tmp_path / "plate20.msh")
    m = meshio.read(path)
    hexes = np.concatenate([b.data for b in m.cells if b.type == "hexahedron"])
    assert len(hexes) == 20 * 20 * 5
    tags = np.concatenate(
        [d for b, d in zip(m.cells, m.cell_data["gmsh:physical"], strict=True) if b.type == "quad"]
    )
    quads = np.concatenate([b.data for b in m.cells if b.type == "quad"])
    names = {int(v[0]): k for k, v in m.field_data.items()}
    area = {}
    for tag in np.unique(tags):
        p = m.points[quads[tags == tag]]
        a = 0.5 * np.linalg.norm(np.cross(p[:, 2] - p[:, 0], p[:, 3] - p[:, 1]), axis=1)
        area[names[int(tag)]] = a.sum()
    assert area["heater"] == pytest.approx(0.0016)
    assert area["bottom"] == pytest.approx(0.0084)
    assert area["top"] == pytest.approx(0.01)
    assert area["sides"] == pytest.approx(0.004)


@pytest.mark.skipif(not foam.available(), reason="OpenFOAM not installed (apt-get install -y openfoam time)")
def test_laplacianfoam_plate_energy_balance(tmp_path: Path) -> None:
    from benchmarks.openfoam import plate_laplacian

    r = plate_laplacian.run(20, nprocs=1, root=tmp_path)
    assert r["cells"] == 2000
    assert r["final_residual"] < 1e-8
    # 1000 W in through the heater must leave through the top; mean top face 300 K + P/(h A)
    assert r["Q_out_W"] == pytest.approx(1000.0, rel=1e-5)
    assert r["T_top_mean_K"] == pytest.approx(310.0, rel=1e-6)
    assert 330.0 < r["T_max_K"] < 345.0


def test_developing_plates_grading_reproduces_the_test_mesh() -> None:
    # blockMesh's simpleGrading ratio (last cell / first, geometric) must give the nodes of
    # x = L·expm1(g s)/expm1(g) that the rackflow test builds
    import math

    from benchmarks.openfoam import developing_plates as dp

    nx = 120
    ratio = math.exp(dp.GRADING * (nx - 1) / nx)
    step = ratio ** (1.0 / (nx - 1))
    widths = step ** np.arange(nx)
    blockmesh = np.concatenate([[0.0], np.cumsum(widths) / widths.sum()])
    s = np.arange(nx + 1) / nx
    assert np.allclose(blockmesh, np.expm1(dp.GRADING * s) / np.expm1(dp.GRADING), rtol=0, atol=1e-12)


@pytest.mark.skipif(not foam.available(), reason="OpenFOAM not installed (apt-get install -y openfoam time)")
def test_simplefoam_developing_plates_reproduces_its_reference(tmp_path: Path) -> None:
    from benchmarks.openfoam import developing_plates as dp

    drops, info = dp.run(120, 16, tmp_path)
    stored = np.loadtxt(dp.REFERENCE, delimiter=",", comments="#")
    for nx, n, x_plus, drop in stored:
        if (nx, n) == (120, 16):
            assert drops[x_plus] == pytest.approx(drop, rel=1e-5)
    assert info["iterations"] > 10
