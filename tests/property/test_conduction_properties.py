"""Properties every conduction solution must have, for random cases (hypothesis)."""

from __future__ import annotations

import numpy as np
import rackflow as rf
from hypothesis import given
from hypothesis import strategies as st
from rackflow.testing.meshes import box

REGIONS = {"a": lambda c: c[:, 0] < 0.5, "b": lambda c: c[:, 0] >= 0.5}
MESHES = {
    cells: box((3, 2, 2), (1.0, 0.6, 0.4), cells, regions=REGIONS, jitter=0.2)
    for cells in ("hexahedron", "tetra")
}

conductivity = st.floats(0.5, 500.0)
temperature = st.floats(-20.0, 150.0)
power = st.floats(0.0, 200.0)
cells = st.sampled_from(["hexahedron", "tetra"])


def solve(mesh_or_meshio, ka, kb, pa, pb, t_left, t_right, h=None, rc=0.0):  # type: ignore[no-untyped-def]
    mesh = mesh_or_meshio if isinstance(mesh_or_meshio, rf.Mesh) else rf.Mesh.from_meshio(mesh_or_meshio)
    case = rf.Case(mesh)
    case.solid("a", rf.Material("a", conductivity_w_mk=ka), power_w=pa)
    case.solid("b", rf.Material("b", conductivity_w_mk=kb), power_w=pb)
    if rc:
        case.contact("a", "b", resistance_m2k_w=rc)
    case.fixed_temperature("xmin", temperature_c=t_left)
    if h is None:
        case.fixed_temperature("xmax", temperature_c=t_right)
    else:
        case.convective("xmax", htc_w_m2k=h, ambient_c=t_right)
    return case.solve(tolerance=1e-11).temperature_c


@given(cells, conductivity, conductivity, power, power, temperature, temperature, st.floats(0.0, 1e-2))
def test_linear_in_sources_and_boundary_temperatures(c, ka, kb, pa, pb, t1, t2, rc):  # type: ignore[no-untyped-def]
    mesh = rf.Mesh.from_meshio(MESHES[c])
    full = solve(mesh, ka, kb, pa, pb, t1, t2, rc=rc)
    only_sources = solve(mesh, ka, kb, pa, pb, 0.0, 0.0, rc=rc)
    only_walls = solve(mesh, ka, kb, 0.0, 0.0, t1, t2, rc=rc)
    scale = max(1.0, np.abs(full).max())
    assert np.allclose(full, only_sources + only_walls, atol=1e-7 * scale)
    doubled = solve(mesh, ka, kb, 2 * pa, 2 * pb, 0.0, 0.0, rc=rc)
    assert np.allclose(doubled, 2 * only_sources, atol=1e-7 * scale)


@given(cells, conductivity, conductivity, temperature, temperature, st.one_of(st.none(), st.floats(1.0, 1e4)))
def test_maximum_principle_without_sources(c, ka, kb, t1, t2, h):  # type: ignore[no-untyped-def]
    t = solve(MESHES[c], ka, kb, 0.0, 0.0, t1, t2, h=h)
    lo, hi = min(t1, t2), max(t1, t2)
    span = max(hi - lo, 1e-9)
    slack = 1e-9 + 1e-8 * span  # °C conversion round-off
    assert t.min() >= lo - slack and t.max() <= hi + slack


@given(cells, st.floats(-1.0, 1.0), st.floats(-1.0, 1.0), st.floats(-1.0, 1.0), st.floats(0, 2 * np.pi))
def test_invariant_under_translation_and_rotation(c, dx, dy, dz, angle):  # type: ignore[no-untyped-def]
    base = MESHES[c]
    reference = solve(base, 20.0, 200.0, 5.0, 10.0, 40.0, 20.0, h=500.0)
    rot = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1.0]])
    moved = base.copy()
    moved.points = base.points @ rot.T + np.array([dx, dy, dz])
    t = solve(moved, 20.0, 200.0, 5.0, 10.0, 40.0, 20.0, h=500.0)
    assert np.allclose(t, reference, atol=1e-7 * np.abs(reference).max())
