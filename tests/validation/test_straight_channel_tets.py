"""Issue 16: second-order convection on Gmsh tetrahedra (bare, and with boundary-layer prisms on the
wetted walls) converges with refinement, measured on a straight conjugate channel against
hexahedra of the same channel.

The case is ``benchmarks/straight_channel_cht.py`` (the corpus serpentine's 4 × 2.5 mm channel,
straight and 20 mm long, in copper; PG25 at 35 °C, Re 1,347, Pr 12.7; 1.67e5 W/m² on the floor).
On flow-aligned hexahedra the defaults converge (stop 28/29: Nu_m 26.4 → 26.3 and ΔP_static
221 → 227 Pa from 0.125 to 0.083 mm cubes; Shah's developing-flow ΔP 228–233 Pa). The test asks
the tetrahedra at the defaults (Gmsh OCC, ``Mesh.MeshSizeMax`` 0.6, 0.4 and 0.27 mm) to approach
the 0.125 mm hexahedra's Nu_m and ΔP_static monotonically, the finest within 5 %.

It does not yet (strict xfail). Measured on main (stop 29, ``python -m
benchmarks.straight_channel_cht``): hexahedra 0.125 mm Nu_m 26.40, ΔP 221.3 Pa; tetrahedra at
the defaults Nu_m 18.49 / 26.10 / 31.04 (−30 %, −1 %, +18 %: through the answer and on) and ΔP
138.2 / 192.8 / 194.5 Pa (−38 %, −13 %, −12 %), with 224 / 712 / 2,123 coolant cells of the
energy and 0 / all / 3,092 of the momentum made first order (the 0.4 mm flow fell back to first
order entirely). Nu_m · y₁ / D_h stays 0.73–0.95: the coolant beyond the wall cell acts as mixed,
the first-order tetrahedra's cross-stream false diffusion (RESULTS.md, stop 28 end and stop 29).
About 5 CPU minutes (the 0.27 mm tetrahedra take 4 of them).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.straight_channel_cht import mesh_for, solve

TET_SIZES_MM = (0.6, 0.4, 0.27)
HEX_SIZE_MM = 0.125
WITHIN = 0.05


def _row(kind: str, h_mm: float, directory: Path) -> dict:
    path, y1 = mesh_for(kind, h_mm, directory)
    spec = {"kind": kind, "h_mm": h_mm, "path": str(path), "y1_m": y1, "settings": {"threads": 2}}
    return solve(spec)


@pytest.mark.validation
@pytest.mark.xfail(
    strict=True,
    reason="second order on tetrahedra falls back to first order in part and does not converge "
    "with refinement: Nu_m 18.49 / 26.10 / 31.04 and ΔP 138 / 193 / 195 Pa against the hexahedra's "
    "26.40 and 221 Pa (stop 29)",
)
def test_tet_second_order_approaches_the_hexahedra(tmp_path_factory: pytest.TempPathFactory) -> None:
    directory = Path(tmp_path_factory.mktemp("straight_channel"))
    reference = _row("hex", HEX_SIZE_MM, directory)
    assert "error" not in reference, reference.get("error")
    rows = [_row("tet", h, directory) for h in TET_SIZES_MM]
    for row in rows:
        assert "error" not in row, row.get("error")
        # the energy identity holds whatever the scheme
        assert abs(row["balance"]) < 1e-6
    for key in ("Nu_m", "dP_static_Pa"):
        errors = [abs(row[key] / reference[key] - 1.0) for row in rows]
        summary = f"{key}: hexahedra {reference[key]:.4g}, tetrahedra {[round(r[key], 4) for r in rows]}"
        assert errors[0] > errors[1] > errors[2], f"not approaching with refinement; {summary}"
        assert errors[2] < WITHIN, f"finest tetrahedra {errors[2]:.1%} off; {summary}"


LAYERED_SIZES_MM = (0.6, 0.4)


@pytest.mark.validation
@pytest.mark.xfail(
    strict=True,
    reason="tetrahedra with from_cad's default boundary layers (two prism layers from h/10, 0.22 h in all) "
    "still drift with refinement: Nu_m 30.90 / 32.99 and ΔP 188.8 / 206.1 Pa at 0.6 / 0.4 mm against the "
    "hexahedra's 26.3 and 227 Pa (with layers from h/6: 27.84 / 29.02 / 30.35 at 0.6 / 0.4 / 0.27 mm; stop 30)",
)
def test_layered_tetrahedra_approach_the_hexahedra(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Issue 16: a user's CAD meshed by ``from_cad(boundary_layers={})`` (prisms on the wetted
    walls, tetrahedra in the core) should converge like the swept prisms did (stop 29). About
    1.5 CPU minutes."""
    directory = Path(tmp_path_factory.mktemp("straight_channel_layers"))
    reference = _row("hex", HEX_SIZE_MM, directory)
    assert "error" not in reference, reference.get("error")
    rows = [_row("tetbl", h, directory) for h in LAYERED_SIZES_MM]
    for row in rows:
        assert "error" not in row, row.get("error")
        assert abs(row["balance"]) < 1e-6
    for key in ("Nu_m", "dP_static_Pa"):
        errors = [abs(row[key] / reference[key] - 1.0) for row in rows]
        summary = f"{key}: hexahedra {reference[key]:.4g}, layered {[round(r[key], 4) for r in rows]}"
        assert errors[0] > errors[1], f"not approaching with refinement; {summary}"
        assert errors[1] < WITHIN, f"finest layered mesh {errors[1]:.1%} off; {summary}"
