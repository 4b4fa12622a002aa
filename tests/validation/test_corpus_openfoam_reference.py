"""Issue 16: the OpenFOAM references of the geometry corpus are on meshes rackflow can rebuild.

``reference/corpus_simplefoam.json`` (``benchmarks/openfoam/corpus_simplefoam.py``) and
``reference/corpus_cht.json`` (``benchmarks/openfoam/corpus_cht.py``) store simpleFoam's ΔP and
chtMultiRegionSimpleFoam's R_th with the recipe of each mesh (corpus generator, target_cells, cell
kind, gmsh version) and the SHA-256 of the msh file it wrote. A comparison of rackflow against
those numbers is only meaningful on the identical mesh: this checks that the generator still
writes it (same bytes with the recorded gmsh version, else the same coolant cell count).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

REFERENCE = Path(__file__).parent / "reference"


def _recipes() -> list[dict]:
    seen: dict[tuple, dict] = {}
    for name in ("corpus_simplefoam.json", "corpus_cht.json"):
        path = REFERENCE / name
        if not path.exists():
            continue
        for run in json.loads(path.read_text())["runs"]:
            mesh = run["mesh"]
            r = mesh["recipe"]
            key = (r["plate"], r["target_cells"], r["cells"])
            seen.setdefault(key, mesh)
    return [seen[k] for k in sorted(seen)]


def test_reference_files_record_the_recipe_and_settings() -> None:
    data = json.loads((REFERENCE / "corpus_simplefoam.json").read_text())
    assert data["settings"]["openfoam_version"] == "v1912"
    assert "dp_definition" in data["settings"]
    for run in data["runs"]:
        assert set(run["mesh"]["recipe"]) >= {"generator", "plate", "target_cells", "cells", "gmsh_version"}
        assert len(run["mesh"]["msh_sha256"]) == 64
        assert run["setting"] in data["settings"]["settings"]


@pytest.mark.validation
@pytest.mark.parametrize(
    "mesh",
    [m for m in _recipes() if m["recipe"]["target_cells"] <= 50_000],
    ids=lambda m: f"{m['recipe']['plate']}-{m['recipe']['cells']}-{m['recipe']['target_cells']}",
)
def test_corpus_generator_rebuilds_the_reference_mesh(mesh: dict, tmp_path: Path) -> None:
    gmsh = pytest.importorskip("gmsh")
    meshio = pytest.importorskip("meshio")
    from rackflow.meshing import CORPUS

    from benchmarks.openfoam.corpus_simplefoam import reference_layers

    recipe = mesh["recipe"]
    path = CORPUS[recipe["plate"]].generator(
        tmp_path / "plate.msh",
        target_cells=recipe["target_cells"],
        cells=recipe["cells"],
        binary=recipe["binary"],
        **reference_layers(recipe),
    )
    if gmsh.__version__ == recipe["gmsh_version"]:
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == mesh["msh_sha256"]
    m = meshio.read(path)
    fluid = sum(len(v) for v in m.cell_sets_dict[mesh["fluid_region"]].values())
    assert fluid == mesh["fluid_cells"]
