"""rackflow.datasets: every bundled mesh is reachable without a source checkout (generated into
the cache with the generator that made it, byte for byte for the hexahedral ones)."""

from __future__ import annotations

import filecmp
import importlib.util
import re
import sys
from pathlib import Path

import pytest
import rackflow as rf
from rackflow import datasets
from rackflow.errors import RackflowError

MESHES_DIR = Path(__file__).resolve().parents[2] / "meshes"


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """As from a wheel: no checkout meshes/, the cache in a temporary folder."""
    monkeypatch.setattr(datasets, "_checkout_meshes", lambda: None)
    monkeypatch.setenv("RACKFLOW_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_one_function_per_bundled_mesh() -> None:
    bundled = sorted(p.name for p in MESHES_DIR.glob("*.msh"))
    assert sorted(datasets.MESHES) == bundled
    readme = (MESHES_DIR / "README.md").read_text()
    assert sorted(set(re.findall(r"\| `(\w+\.msh)` \|", readme))) == bundled
    for name in bundled:
        getter = getattr(rf.datasets, name.removesuffix(".msh"))
        assert getter.__doc__
        assert name.removesuffix(".msh") in datasets.__all__


def test_checkout_meshes_are_used_from_a_clone() -> None:
    assert rf.datasets.coldplate_microchannel() == MESHES_DIR / "coldplate_microchannel.msh"
    assert datasets.path("gpu_stack") == MESHES_DIR / "gpu_stack.msh"
    mesh = rf.load_mesh(rf.datasets.coldplate_microchannel())
    assert {"die", "channels"} <= set(mesh.regions) and {"inlet", "outlet"} <= set(mesh.patches)


@pytest.mark.parametrize("name", ["coldplate_microchannel", "gpu_stack"])
def test_generated_into_the_cache_when_not_bundled(
    installed: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("gmsh")
    path = getattr(rf.datasets, name)()
    assert path.parent == installed / "meshes" / rf.__version__
    assert filecmp.cmp(path, MESHES_DIR / f"{name}.msh", shallow=False), "not the bundled mesh"
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")], "temporary file left"

    # the second call finds the cached file and generates nothing
    def fail(self: datasets.BundledMesh, out: Path) -> Path:
        raise AssertionError("generated again")

    monkeypatch.setattr(datasets.BundledMesh, "generate", fail)
    assert getattr(rf.datasets, name)() == path


def test_without_gmsh_the_error_says_what_to_install(
    installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "gmsh", None)  # import gmsh raises ImportError
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "gmsh" else spec(name, *a)
    )
    assert not datasets.available("duct_hex")
    with pytest.raises(RackflowError, match=r"pip install 'rackflow\[mesh\]'"):
        rf.datasets.duct_hex()
    assert not list((installed / "meshes" / rf.__version__).iterdir()), "partial file left in the cache"
    assert datasets.available("coldplate_microchannel") is False
    monkeypatch.setattr(datasets, "_checkout_meshes", lambda: MESHES_DIR)
    assert datasets.available("coldplate_microchannel")


spec = importlib.util.find_spec


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("RACKFLOW_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert datasets.cache_dir() == tmp_path / "xdg" / "rackflow"
    monkeypatch.setenv("RACKFLOW_CACHE_DIR", str(tmp_path / "mine"))
    assert datasets.cache_dir() == tmp_path / "mine"


def test_unknown_mesh_names_the_available_ones() -> None:
    with pytest.raises(RackflowError, match=r"coldplate_microchannel\.msh"):
        datasets.path("teapot")
