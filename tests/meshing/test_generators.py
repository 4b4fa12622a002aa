"""Mesh generators: names, exact measures, conformity, validation, bundled meshes.

Run with ``PYTHONPATH=python pytest tests/meshing``. Generated meshes are kept
small (the machine is shared); anything slower than ~5 s is marked slow.
"""

from __future__ import annotations

import inspect
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import meshio
import numpy as np
import pytest
import rackflow.meshing as M
from rackflow.meshing import (
    CHANNEL_UNIT_LEVELS,
    GENERATORS,
    channel_unit,
    duct,
    estimate_cells,
    gpu_stack,
    microchannel_coldplate,
    pinfin_coldplate,
    refinement_for_cells,
)

REPO = Path(__file__).resolve().parents[2]
MESHES = REPO / "meshes"
REL = 1e-9

# gmsh linear element node order: the six tetrahedra of a hexahedron around diagonal 0-6.
_HEX_TETS = np.array([[0, 1, 2, 6], [0, 2, 3, 6], [0, 3, 7, 6], [0, 7, 4, 6], [0, 4, 5, 6], [0, 5, 1, 6]])


def _tet_volumes(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    a, b, c, d = (p[t[:, i]] for i in range(4))
    return np.einsum("ij,ij->i", b - a, np.cross(c - a, d - a)) / 6.0


def _tri_areas(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    a, b, c = (p[t[:, i]] for i in range(3))
    return 0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1)


def _cells(m: meshio.Mesh, name: str) -> dict[str, np.ndarray]:
    """Connectivity of the named physical group, by cell type."""
    out = {}
    for ctype, idx in m.cell_sets_dict[name].items():
        if len(idx):
            out[ctype] = m.cells_dict[ctype][idx]
    return out


def volume(m: meshio.Mesh, name: str) -> float:
    total = 0.0
    for ctype, conn in _cells(m, name).items():
        if ctype == "hexahedron":
            tets = conn[:, _HEX_TETS].reshape(-1, 4)
        elif ctype == "pyramid":
            tets = conn[:, [[0, 1, 2, 4], [0, 2, 3, 4]]].reshape(-1, 4)
        elif ctype == "tetra":
            tets = conn
        else:
            raise AssertionError(f"unexpected 3D cell type {ctype} in {name}")
        v = _tet_volumes(m.points, tets)
        assert np.all(v > 0), f"inverted cells in {name}"
        total += v.sum()
    return total


def area(m: meshio.Mesh, name: str) -> float:
    total = 0.0
    for ctype, conn in _cells(m, name).items():
        if ctype == "quad":
            tris = conn[:, [[0, 1, 2], [0, 2, 3]]].reshape(-1, 3)
        elif ctype == "triangle":
            tris = conn
        else:
            raise AssertionError(f"unexpected 2D cell type {ctype} in {name}")
        total += _tri_areas(m.points, tris).sum()
    return total


def shared_points(m: meshio.Mesh, a: str, b: str) -> int:
    pa = np.unique(np.concatenate([c.ravel() for c in _cells(m, a).values()]))
    pb = np.unique(np.concatenate([c.ravel() for c in _cells(m, b).values()]))
    return len(np.intersect1d(pa, pb))


def n_cells(m: meshio.Mesh, name: str) -> int:
    return sum(len(c) for c in _cells(m, name).values())


def names_by_dim(m: meshio.Mesh) -> tuple[set[str], set[str]]:
    regions = {k for k, (_, dim) in m.field_data.items() if dim == 3}
    patches = {k for k, (_, dim) in m.field_data.items() if dim == 2}
    return regions, patches


def approx(a: float, b: float, rel: float = REL) -> bool:
    return abs(a - b) <= rel * abs(b)


# ---------------------------------------------------------------- gpu_stack


def test_gpu_stack_regions_volumes_patches(tmp_path: Path) -> None:
    p = gpu_stack(tmp_path / "s.msh", mesh_size_m=0.003, mesh_size_z_m=0.001)
    m = meshio.read(p)
    regions, patches = names_by_dim(m)
    assert regions == {"die", "tim", "lid", "base"}
    assert patches == {"coolant_side", "board"}
    assert set(m.cells_dict) == {"hexahedron", "quad"}
    expect = {
        "die": 0.0285**2 * 0.0008,
        "tim": 0.0285**2 * 0.0001,
        "lid": 0.045**2 * 0.002,
        "base": 0.06**2 * 0.004,
    }
    for name, v in expect.items():
        assert approx(volume(m, name), v), name
    assert approx(area(m, "coolant_side"), 0.06**2)
    assert approx(area(m, "board"), 0.0285**2)
    # Top of base at z = 6.9 mm, board at z = 0.
    top = m.points[np.unique(_cells(m, "coolant_side")["quad"])]
    assert np.allclose(top[:, 2], 0.0069)
    for a, b in (("die", "tim"), ("tim", "lid"), ("lid", "base")):
        assert shared_points(m, a, b) > 0, (a, b)
    assert shared_points(m, "die", "lid") == 0
    assert shared_points(m, "die", "base") == 0
    assert n_cells(m, "die") + n_cells(m, "tim") + n_cells(m, "lid") + n_cells(m, "base") == estimate_cells(
        gpu_stack, mesh_size_m=0.003, mesh_size_z_m=0.001
    )


def test_gpu_stack_default_size_and_determinism(tmp_path: Path) -> None:
    n = estimate_cells("gpu-stack")
    assert 20_000 <= n <= 60_000
    a = gpu_stack(tmp_path / "a.msh", mesh_size_m=0.004)
    b = gpu_stack(tmp_path / "b.msh", mesh_size_m=0.004)
    assert a.read_bytes() == b.read_bytes()


def test_outward_patch_orientation(tmp_path: Path) -> None:
    """Boundary quads point out of the domain (right-hand rule), which readers may rely on."""
    m = meshio.read(gpu_stack(tmp_path / "s.msh", mesh_size_m=0.005, mesh_size_z_m=0.002))
    for name, nz in (("coolant_side", 1.0), ("board", -1.0)):
        q = _cells(m, name)["quad"]
        p = m.points
        n = np.cross(p[q[:, 1]] - p[q[:, 0]], p[q[:, 2]] - p[q[:, 0]])
        assert np.all(np.sign(n[:, 2]) == nz), name


# ------------------------------------------------------ microchannel plate

SMALL_CP = {
    "channels": 5,
    "channel_width_m": 0.001,
    "fin_thickness_m": 0.0005,
    "channel_height_m": 0.002,
    "base_thickness_m": 0.001,
    "cover_thickness_m": 0.0005,
    "footprint_m": (0.02, 0.012),
    "die_size_m": (0.006, 0.006),
    "lid_size_m": (0.01, 0.01),
    "mesh_size_m": 0.002,
    "cells_across_channel": 2,
    "cells_channel_height": 3,
}


def test_microchannel_with_package(tmp_path: Path) -> None:
    p = microchannel_coldplate(tmp_path / "c.msh", **SMALL_CP)
    m = meshio.read(p)
    regions, patches = names_by_dim(m)
    assert regions == {"die", "tim", "lid", "base", "channels"}
    assert patches == {"inlet", "outlet"}
    n, w, hc, lx, ly = 5, 0.001, 0.002, 0.02, 0.012
    v_ch = n * w * hc * lx
    assert approx(volume(m, "channels"), v_ch)
    assert approx(volume(m, "base"), lx * ly * (0.001 + hc + 0.0005) - v_ch)
    assert approx(volume(m, "die"), 0.006**2 * 0.0008)
    assert approx(volume(m, "tim"), 0.006**2 * 0.0001)
    assert approx(volume(m, "lid"), 0.01**2 * 0.002)
    assert approx(area(m, "inlet"), n * w * hc)
    assert approx(area(m, "outlet"), n * w * hc)
    assert np.allclose(m.points[np.unique(_cells(m, "inlet")["quad"]), 0], 0.0)
    assert np.allclose(m.points[np.unique(_cells(m, "outlet")["quad"]), 0], lx)
    assert shared_points(m, "channels", "base") > 0
    assert shared_points(m, "lid", "base") > 0
    assert shared_points(m, "channels", "lid") == 0
    total = sum(n_cells(m, r) for r in regions)
    assert total == estimate_cells("coldplate", **SMALL_CP)


def test_microchannel_plenum_no_package(tmp_path: Path) -> None:
    kw = dict(SMALL_CP, with_package=False, plenum_length_m=0.003)
    m = meshio.read(microchannel_coldplate(tmp_path / "c.msh", **kw))
    regions, _ = names_by_dim(m)
    assert regions == {"base", "channels"}
    finned = 5 * 0.001 + 6 * 0.0005
    v = 5 * 0.001 * 0.002 * (0.02 - 0.006) + 2 * 0.003 * finned * 0.002
    assert approx(volume(m, "channels"), v)
    assert approx(area(m, "inlet"), finned * 0.002)
    assert m.points[:, 2].min() == 0.0


def test_microchannel_offset_die(tmp_path: Path) -> None:
    kw = dict(SMALL_CP, die_position_m=(0.008, 0.006))
    m = meshio.read(microchannel_coldplate(tmp_path / "c.msh", **kw))
    die = m.points[np.unique(_cells(m, "die")["hexahedron"])]
    assert np.isclose(die[:, 0].min(), 0.005) and np.isclose(die[:, 0].max(), 0.011)
    assert approx(volume(m, "die"), 0.006**2 * 0.0008)


def test_microchannel_refinement_targets() -> None:
    assert 50_000 <= estimate_cells("coldplate") <= 150_000
    for target in (2e5, 1e6, 3e6):
        r = refinement_for_cells("coldplate", target)
        n = estimate_cells("coldplate", refine=r)
        assert n >= target
        assert estimate_cells("coldplate", refine=r * 0.999) < target
        assert n < 1.15 * target


# ------------------------------------------------------- channel unit, duct


def test_channel_unit_levels() -> None:
    counts = {k: estimate_cells(channel_unit, **v) for k, v in CHANNEL_UNIT_LEVELS.items()}
    assert counts == {"coarse": 15_360, "medium": 122_880, "fine": 983_040}


def test_channel_unit(tmp_path: Path) -> None:
    m = meshio.read(channel_unit(tmp_path / "u.msh", n_along=20, cells_across_channel=2))
    regions, patches = names_by_dim(m)
    assert regions == {"solid", "fluid"}
    assert patches == {"inlet", "outlet", "heated", "symmetry_sides", "top"}
    length, hf, w, hc, tb = 0.02, 0.0005, 0.001, 0.002, 0.001
    width = 2 * hf + w
    assert approx(volume(m, "fluid"), w * hc * length)
    assert approx(volume(m, "solid"), width * (tb + hc) * length - w * hc * length)
    assert approx(area(m, "inlet"), w * hc)
    assert approx(area(m, "heated"), width * length)
    assert approx(area(m, "symmetry_sides"), 2 * (tb + hc) * length)
    assert approx(area(m, "top"), width * length)
    assert shared_points(m, "solid", "fluid") > 0
    # Uniform cross-section: every hexahedron has the same volume.
    conn = m.cells_dict["hexahedron"]
    v = _tet_volumes(m.points, conn[:, _HEX_TETS].reshape(-1, 4)).reshape(-1, 6).sum(1)
    assert np.allclose(v, v[0], rtol=1e-9)


def test_duct_hex(tmp_path: Path) -> None:
    m = meshio.read(
        duct(
            tmp_path / "d.msh",
            length_m=0.01,
            width_m=0.002,
            height_m=0.001,
            cells=(10, 4, 2),
        )
    )
    regions, patches = names_by_dim(m)
    assert regions == {"fluid"} and patches == {"inlet", "outlet", "walls"}
    assert len(m.cells_dict["hexahedron"]) == 80
    assert approx(volume(m, "fluid"), 0.01 * 0.002 * 0.001)
    assert approx(area(m, "inlet"), 0.002 * 0.001)
    assert approx(area(m, "walls"), 2 * 0.01 * (0.002 + 0.001))


def test_duct_tetra(tmp_path: Path) -> None:
    p = duct(
        tmp_path / "d.msh",
        length_m=0.01,
        width_m=0.002,
        height_m=0.001,
        cells=(10, 4, 2),
        tetra=True,
    )
    m = meshio.read(p)
    assert "tetra" in m.cells_dict and "hexahedron" not in m.cells_dict
    assert approx(volume(m, "fluid"), 0.01 * 0.002 * 0.001)
    assert approx(area(m, "outlet"), 0.002 * 0.001)
    assert approx(area(m, "walls"), 2 * 0.01 * (0.002 + 0.001))


# ---------------------------------------------------------------- pin fins

SMALL_PF = {
    "footprint_m": (0.012, 0.012),
    "side_wall_m": 0.002,
    "pin_size_m": 0.0015,
    "pitch_m": (0.004, 0.003),
    "pins": (2, 2),
    "die_size_m": (0.005, 0.005),
    "lid_size_m": (0.008, 0.008),
    "mesh_size_m": 0.001,
    "coarse_mesh_size_m": 0.002,
}


def test_pinfin_square_exact(tmp_path: Path) -> None:
    kw = dict(SMALL_PF, pin_shape="square", arrangement="inline")
    m = meshio.read(pinfin_coldplate(tmp_path / "p.msh", **kw))
    regions, patches = names_by_dim(m)
    assert regions == {"die", "tim", "lid", "base", "channels"}
    assert patches == {"inlet", "outlet"}
    lx = ly = 0.012
    tb, hp, tc, ws, d = 0.002, 0.002, 0.001, 0.002, 0.0015
    v_fluid = lx * (ly - 2 * ws) * hp - 4 * d * d * hp
    assert approx(volume(m, "channels"), v_fluid)
    assert approx(volume(m, "base"), lx * ly * (tb + hp + tc) - v_fluid)
    assert approx(volume(m, "lid"), 0.008**2 * 0.002)
    assert approx(area(m, "inlet"), (ly - 2 * ws) * hp)
    assert approx(area(m, "outlet"), (ly - 2 * ws) * hp)
    for a, b in (("channels", "base"), ("die", "tim"), ("tim", "lid"), ("lid", "base")):
        assert shared_points(m, a, b) > 0, (a, b)
    assert shared_points(m, "channels", "lid") == 0
    # The thin die and TIM are structured hexahedra, not sliver tetrahedra.
    assert set(_cells(m, "tim")) == {"hexahedron"}
    assert set(_cells(m, "die")) == {"hexahedron"}
    assert approx(volume(m, "tim"), 0.005**2 * 0.0001)


def test_pinfin_round_staggered(tmp_path: Path) -> None:
    kw = dict(SMALL_PF, with_package=False, pins=(3, 2), pitch_m=(0.003, 0.003))
    m = meshio.read(pinfin_coldplate(tmp_path / "p.msh", **kw))
    regions, _ = names_by_dim(m)
    assert regions == {"base", "channels"}
    v_fluid = 0.012 * 0.008 * 0.002 - 6 * np.pi * 0.00075**2 * 0.002
    # Polygonal cylinders: the volume converges from above, not exactly.
    assert approx(volume(m, "channels"), v_fluid, rel=2e-2)
    total = 0.012 * 0.012 * 0.005
    assert approx(volume(m, "channels") + volume(m, "base"), total)


# --------------------------------------------------------------- validation

BAD = [
    (gpu_stack, {"die_thickness_m": 0.0}, "die_thickness_m"),
    (gpu_stack, {"tim_thickness_m": -1e-4}, "tim_thickness_m"),
    (gpu_stack, {"die_size_m": (0.05, 0.02)}, "die_size_m"),
    (gpu_stack, {"lid_size_m": (0.07, 0.045)}, "lid_size_m"),
    (gpu_stack, {"mesh_size_m": 0}, "mesh_size_m"),
    (gpu_stack, {"base_size_m": (0.06,)}, "base_size_m"),
    (microchannel_coldplate, {"channels": 40}, "channels"),
    (microchannel_coldplate, {"channels": 0}, "channels"),
    (microchannel_coldplate, {"channels": 2.5}, "channels"),
    (microchannel_coldplate, {"channel_width_m": -0.001}, "channel_width_m"),
    (microchannel_coldplate, {"plenum_length_m": 0.03}, "plenum_length_m"),
    (microchannel_coldplate, {"lid_size_m": (0.06, 0.045)}, "lid_size_m"),
    (microchannel_coldplate, {"die_position_m": (0.01, 0.025)}, "lid_size_m"),
    (microchannel_coldplate, {"cells_across_channel": 0}, "cells_across_channel"),
    (microchannel_coldplate, {"refine": 0.0}, "refine"),
    (channel_unit, {"half_fin_m": 0.0}, "half_fin_m"),
    (channel_unit, {"n_along": 0}, "n_along"),
    (duct, {"cells": (10, 0, 2)}, "cells"),
    (duct, {"cells": (10, 2)}, "cells"),
    (duct, {"length_m": -1.0}, "length_m"),
    (pinfin_coldplate, {"pitch_m": (0.003, 0.0015)}, "pitch_m"),
    (
        pinfin_coldplate,
        {"pitch_m": (0.0015, 0.003), "arrangement": "inline"},
        "pitch_m",
    ),
    (pinfin_coldplate, {"pins": (12, 20)}, "pins"),
    (pinfin_coldplate, {"pin_shape": "hexagon"}, "pin_shape"),
    (pinfin_coldplate, {"side_wall_m": 0.03}, "side_wall_m"),
    (pinfin_coldplate, {"pin_size_m": 0.0}, "pin_size_m"),
]


@pytest.mark.parametrize(("gen", "kwargs", "param"), BAD, ids=[f"{g.__name__}-{p}" for g, _, p in BAD])
def test_bad_parameters_name_the_parameter(tmp_path: Path, gen, kwargs: dict, param: str) -> None:
    with pytest.raises(ValueError, match=re.escape(param)):
        gen(tmp_path / "x.msh", **kwargs)
    assert not (tmp_path / "x.msh").exists()


def test_bad_suffix(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="path"):
        duct(tmp_path / "x.vtu", cells=(2, 2, 2))


def test_estimate_rejects_unknown_parameter() -> None:
    with pytest.raises(ValueError, match="chanels"):
        estimate_cells("coldplate", chanels=3)


def test_missing_gmsh_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gmsh", None)
    with pytest.raises(ImportError, match=re.escape("pip install rackflow[mesh]")):
        duct(tmp_path / "x.msh", cells=(2, 2, 2))
    # Estimates need no gmsh.
    assert estimate_cells("duct", cells=(2, 3, 4)) == 24


def test_import_without_gmsh_or_core() -> None:
    """The meshing package imports with gmsh blocked (gmsh loads lazily inside the generators)."""
    code = "import sys; sys.modules['gmsh'] = None\nimport rackflow.meshing as M; print(sorted(M.GENERATORS))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "python")},
    )
    assert "coldplate" in out.stdout


# ---------------------------------------------------------- CLI contract


def test_generators_introspectable() -> None:
    assert set(GENERATORS) == {
        "coldplate",
        "pinfin",
        "gpu-stack",
        "channel-unit",
        "duct",
        "pipe",
        "rack-manifold",
        "serpentine",
        "pinfin-staggered",
        "pinfin-inline",
        "microchannel-manifold",
        "jet-impingement",
        "two-inlet",
        "radiator-panel",
    }
    unitless = {
        "axial_cells",
        "channels",
        "cells_across_channel",
        "cells_across_fin",
        "cells_channel_height",
        "refine",
        "binary",
        "with_package",
        "n_along",
        "cells",
        "tetra",
        "pin_shape",
        "pins",
        "arrangement",
        "points_around_pin",
        "target_cells",
        "passes",
        "prism_layers",
        "jets",
        "tubes",
        "channel",
        "fins_per_tube",
        "bore_cells",
        "sheet_cells",
    }
    for name, gen in GENERATORS.items():
        sig = inspect.signature(gen)
        params = list(sig.parameters.values())
        assert params[0].name == "path"
        doc = inspect.getdoc(gen) or ""
        for prm in params[1:]:
            assert prm.kind is inspect.Parameter.KEYWORD_ONLY, (name, prm.name)
            assert prm.default is not inspect.Parameter.empty, (name, prm.name)
            assert prm.annotation is not inspect.Parameter.empty, (name, prm.name)
            assert re.search(rf"^{prm.name}$", doc, re.MULTILINE), (name, prm.name)
            assert prm.name.endswith("_m") or prm.name in unitless, (name, prm.name)
    assert M.__all__


# ------------------------------------------------------------ bundled meshes


def _readme_rows() -> list[dict[str, str]]:
    text = (MESHES / "README.md").read_text()
    lines = [ln for ln in text.splitlines() if ln.startswith("|")]
    head = [h.strip().lower() for h in lines[0].strip("|").split("|")]
    rows = []
    for ln in lines[2:]:
        rows.append(dict(zip(head, (c.strip() for c in ln.strip("|").split("|")), strict=True)))
    return rows


def _names(cell: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", cell))


def test_readme_lists_every_bundled_mesh() -> None:
    listed = {_names(r["file"]).pop() for r in _readme_rows()}
    on_disk = {p.name for p in MESHES.glob("*.msh")}
    assert on_disk == listed
    assert {
        "gpu_stack.msh",
        "coldplate_microchannel.msh",
        "coldplate_pinfin.msh",
    } <= on_disk
    for name in on_disk:
        assert (MESHES / name).stat().st_size < 15e6, name
        assert (MESHES / "scripts" / name.replace(".msh", ".py")).exists(), name


@pytest.mark.parametrize("row", _readme_rows(), ids=lambda r: r["file"].strip("`"))
def test_bundled_mesh_matches_readme(row: dict[str, str]) -> None:
    path = MESHES / _names(row["file"]).pop()
    m = meshio.read(path)
    regions, patches = names_by_dim(m)
    assert regions == _names(row["regions"])
    assert patches == _names(row["patches"])
    counts = {t: len(c) for t, c in m.cells_dict.items()}
    for num, ctype in re.findall(r"([\d,]+)\s+(\w+)", row["cells"]):
        assert counts[ctype] == int(num.replace(",", "")), (ctype, counts)
    assert m.points[:, :].max() < 0.2  # metres, not millimetres


@pytest.mark.parametrize("script", ["gpu_stack", "coldplate_microchannel", "channel_unit_coarse", "duct_hex"])
def test_bundled_hex_mesh_is_reproducible(tmp_path: Path, script: str, monkeypatch) -> None:
    """The hex scripts regenerate exactly the committed mesh (generator drift check)."""
    sys.path.insert(0, str(MESHES / "scripts"))
    try:
        import _common
    finally:
        sys.path.pop(0)
    monkeypatch.setattr(_common, "MESHES", tmp_path)
    monkeypatch.syspath_prepend(str(MESHES / "scripts"))
    runpy.run_path(str(MESHES / "scripts" / f"{script}.py"), run_name="__main__")
    new = meshio.read(tmp_path / f"{script}.msh")
    old = meshio.read(MESHES / f"{script}.msh")
    assert np.array_equal(new.points, old.points)
    for t in old.cells_dict:
        assert np.array_equal(new.cells_dict[t], old.cells_dict[t]), t


# ------------------------------------------------------------ presets, slow


def test_h100_preset_estimate() -> None:
    kw = M.COLDPLATE_PRESETS["h100-skived"]
    assert estimate_cells("coldplate", **kw) == 222_188
    # 75 channels + 76 fins of 0.2 mm cover the 28.5 mm die.
    assert 75 * 0.0002 + 76 * 0.0002 > 0.0285


@pytest.mark.slow
def test_pinfin_default(tmp_path: Path) -> None:
    m = meshio.read(pinfin_coldplate(tmp_path / "p.msh", binary=True))
    regions, patches = names_by_dim(m)
    assert regions == {"die", "tim", "lid", "base", "channels"}
    assert patches == {"inlet", "outlet"}
    total = sum(volume(m, r) for r in ("base", "channels"))
    assert approx(total, 0.04 * 0.04 * 0.005)
    assert approx(area(m, "inlet"), 0.032 * 0.002)
    assert 80_000 < sum(n_cells(m, r) for r in regions) < 200_000


def test_microchannel_200k_matches_estimate(tmp_path: Path) -> None:
    r = refinement_for_cells("coldplate", 2e5)
    m = meshio.read(microchannel_coldplate(tmp_path / "c.msh", refine=r, binary=True))
    assert len(m.cells_dict["hexahedron"]) == estimate_cells("coldplate", refine=r)
    assert approx(volume(m, "channels"), 20 * 0.001 * 0.003 * 0.05)


def test_generator_runs_in_worker_thread(tmp_path: Path) -> None:
    """gmsh is initialised with interruptible=False, so threads work (no signal handler)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        fut = pool.submit(duct, tmp_path / "t.msh", cells=(4, 2, 2), tetra=True)
        path = fut.result(timeout=60)
    assert approx(volume(meshio.read(path), "fluid"), 0.05 * 0.002 * 0.001)
