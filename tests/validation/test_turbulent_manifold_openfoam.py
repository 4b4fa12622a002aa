"""Issue 17: k-ω SST on a turbulent rack supply manifold against OpenFOAM simpleFoam kOmegaSST on
the identical mesh.

``reference/turbulent_manifold.json`` (``benchmarks/openfoam/manifold_sst.py``; the command, the
OpenFOAM settings, the mesh recipe and the msh file's SHA-256 are stored in it) holds simpleFoam's
ΔP (area-mean total pressure, inlet to each outlet) and flow split of a rack manifold drawn with
Gmsh OpenCASCADE (:func:`rackflow.meshing.pipe.rack_manifold`: a 20 mm header, 300 mm long and
closed at its far end, three 8 mm branches fused on, 40,248 tetrahedra) with water at 25 °C and
20 L/min (header Re ≈ 23,700), inlet 5 % intensity and 0.07 D_h, every outlet at 0 Pa. Both
codes use the same automatic wall treatment (``omegaWallFunction`` not blended,
``nutkWallFunction``, ``kqRWallFunction``), bounded linear upwind for U and upwind for k and ω.
rackflow runs at its defaults (``turbulence="auto"``). ΔP to every outlet and every branch's
share of the flow must agree within 3 %.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

REFERENCE = Path(__file__).parent / "reference" / "turbulent_manifold.json"


def _reference() -> dict:
    return json.loads(REFERENCE.read_text())


def test_reference_records_the_command_mesh_and_settings() -> None:
    ref = _reference()
    assert ref["command"].startswith("python -m benchmarks.openfoam.manifold_sst")
    assert ref["settings"]["openfoam_version"] == "v1912"
    assert "kOmegaSST" in ref["settings"]["application"]
    run = ref["foam"]
    assert len(run["mesh"]["msh_sha256"]) == 64
    assert run["mesh"]["recipe"]["generator"] == "rackflow.meshing.pipe.rack_manifold"
    assert 1e4 < run["reynolds_header"] < 1e5
    assert run["walls"] == ["wall"]
    # mass is conserved over the outlets in the reference
    total = sum(o["flow_lpm"] for o in run["outlets"].values())
    assert total == pytest.approx(ref["design"]["flow_lpm"], rel=1e-3)


@pytest.fixture(scope="module")
def rackflow_outlets(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """rackflow's ΔP and split on the reference's mesh (regenerated; its SHA-256 checked with the
    same gmsh), printed next to simpleFoam's."""
    gmsh = pytest.importorskip("gmsh")
    from rackflow.meshing.pipe import rack_manifold

    from benchmarks.openfoam import manifold_sst

    ref = _reference()
    recipe = dict(ref["foam"]["mesh"]["recipe"])
    params = {k: v for k, v in recipe.items() if k not in ("generator", "binary", "gmsh_version")}
    params["branch_positions_m"] = tuple(params["branch_positions_m"])
    path = rack_manifold(tmp_path_factory.mktemp("manifold") / "manifold.msh", **params, binary=True)
    if gmsh.__version__ == recipe["gmsh_version"]:
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == ref["foam"]["mesh"]["msh_sha256"]
    result = manifold_sst.rackflow_case(path).solve(progress=False, threads=1)
    out = manifold_sst.rackflow_table(result)
    for name, o in out["outlets"].items():
        f = ref["foam"]["outlets"][name]
        print(
            f"{name}: ΔP rackflow {o['dp_total_pa']:.1f} Pa, simpleFoam {f['dp_total_pa']:.1f} Pa "
            f"({o['dp_total_pa'] / f['dp_total_pa'] - 1:+.2%}); split {o['split']:.4f} vs {f['split']:.4f}"
        )
    return out


@pytest.mark.validation
def test_manifold_pressure_drop_to_every_outlet_matches_simplefoam(rackflow_outlets: dict) -> None:
    ref = _reference()["foam"]["outlets"]
    for name, o in rackflow_outlets["outlets"].items():
        assert o["dp_total_pa"] == pytest.approx(ref[name]["dp_total_pa"], rel=0.03), name


@pytest.mark.validation
def test_manifold_flow_split_matches_simplefoam(rackflow_outlets: dict) -> None:
    ref = _reference()["foam"]["outlets"]
    for name, o in rackflow_outlets["outlets"].items():
        assert o["split"] == pytest.approx(ref[name]["split"], rel=0.03), name
