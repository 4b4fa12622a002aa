"""Issue 16: second-order convection on Gmsh tetrahedra (bare, and with boundary-layer prisms on the
wetted walls) converges with refinement, measured on a straight conjugate channel against
hexahedra of the same channel.

The case is ``benchmarks/straight_channel_cht.py`` (the corpus serpentine's 4 × 2.5 mm channel,
straight and 20 mm long, in copper; PG25 at 35 °C, Re 1,347, Pr 12.7; 1.67e5 W/m² on the floor).
On flow-aligned hexahedra the defaults converge (stop 28/29: Nu_m 26.4 → 26.3 and ΔP_static
221 → 227 Pa from 0.125 to 0.083 mm cubes; Shah's developing-flow ΔP 228–233 Pa). The test asks
the tetrahedra at the defaults (Gmsh OCC, ``Mesh.MeshSizeMax`` 0.6, 0.4 and 0.27 mm) to approach
the 0.125 mm hexahedra's Nu_m and ΔP_static monotonically, the finest within 5 %.

The momentum does since stop 30, the energy not yet. Measured on main at stop 29 (``python -m
benchmarks.straight_channel_cht``): hexahedra 0.125 mm Nu_m 26.40, ΔP 221.3 Pa; tetrahedra at
the defaults Nu_m 18.49 / 26.10 / 31.04 and ΔP 138.2 / 192.8 / 194.5 Pa, with 0 / all / 3,092
momentum cells first order (the 0.4 mm flow fell back to first order entirely). Since stop 30 the
laminar momentum has Venkatakrishnan's smooth limiter, recomputed every iteration, and a local
pseudo-time step, and converges at second order in every cell: hexahedra 0.125 mm Nu_m 26.44,
ΔP 223.0 Pa; tetrahedra ΔP 125.1 / 173.3 / 215.3 Pa (−44 %, −22 %, −3.5 %: the pressure-drop test
passes) and Nu_m 18.5 / 25.66 / 33.11 (−30 %, −3 %, +25 %: through the answer and on, strict
xfail), with 144 / 383 / 1,819 coolant cells of the energy made first order by its Barth–Jespersen
fallback: Nu_m · y₁ / D_h stays 0.78–0.95, the coolant beyond the wall cell mixed by first-order
cross-stream false diffusion (RESULTS.md, stop 28 end, stops 29 and 30). Stop 31 (helper ``net``)
measured that those first-order cells are not the cause (without the repair Nu_m is 18.46 / 25.40 /
32.24): the limiter itself is, averaging 0.2–0.4 within 0.2 mm of the wall, and second-order upwind
with the face-neighbour least-squares gradient and a weaker limiter (Venkatakrishnan's, bounds over
the vertex neighbours or the outflow faces only, none) is unstable on these tetrahedra at cell
Péclet 1e2–1e3 (a pseudo-time march diverges exponentially). With a Green–Gauss gradient for the
convection the unlimited scheme is stable, and gives Nu_m 15.40 / 21.78 / 28.68: still rising at
0.27 mm — RESULTS.md, stop 31.

Stop 32 (helper ``net``) ran OpenFOAM on the identical meshes (``benchmarks/openfoam/straight_channel.py``:
simpleFoam's second-order flow, then chtMultiRegionSimpleFoam's energy on it with ``linearUpwind`` on a
Venkatakrishnan-limited Gauss gradient; ``reference/straight_channel_cht.json``): Nu_m 26.64 on the
0.125 mm hexahedra and 18.00 / 24.71 / 32.81 on the tetrahedra — the same rise through the answer as
rackflow's. The tetrahedra's Nu_m is a resolution fact: their wall cells are 3.6 / 2.5 / 1.7 times as
tall as the Pr 12.7 thermal entry layer is thick (0.17 mm; ``Case.thermal_layer_resolution``, a
``ThermalLayerWarning``), the hexahedra's 0.73. ``test_heat_transfer_agrees_with_openfoam_on_the_identical_meshes``
holds rackflow to OpenFOAM on those meshes.
About 3 CPU minutes (the 0.27 mm tetrahedra take 2 of them).
"""

from __future__ import annotations

import json
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


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list[dict]]:
    """The 0.125 mm hexahedra and the tetrahedra, each solved once at the defaults."""
    directory = Path(tmp_path_factory.mktemp("straight_channel"))
    reference = _row("hex", HEX_SIZE_MM, directory)
    assert "error" not in reference, reference.get("error")
    tets = [_row("tet", h, directory) for h in TET_SIZES_MM]
    for row in tets:
        assert "error" not in row, row.get("error")
        # the energy identity holds whatever the scheme
        assert abs(row["balance"]) < 1e-6
    return reference, tets


def _approaches(key: str, reference: dict, tets: list[dict]) -> None:
    errors = [abs(row[key] / reference[key] - 1.0) for row in tets]
    summary = f"{key}: hexahedra {reference[key]:.4g}, tetrahedra {[round(r[key], 4) for r in tets]}"
    assert errors[0] > errors[1] > errors[2], f"not approaching with refinement; {summary}"
    assert errors[2] < WITHIN, f"finest tetrahedra {errors[2]:.1%} off; {summary}"


@pytest.mark.validation
def test_tet_pressure_drop_approaches_the_hexahedra(rows: tuple[dict, list[dict]]) -> None:
    """The momentum at second order in every cell (no fallback, no cell made first order)."""
    reference, tets = rows
    for row in tets:
        assert row["report"].get("flow_first_order_fallback") is None, row["used"]
        assert not row["report"].get("flow_first_order_cells"), row["used"]
    _approaches("dP_static_Pa", reference, tets)


#: ``benchmarks/openfoam/straight_channel.py``: chtMultiRegionSimpleFoam on the identical meshes
OPENFOAM = Path(__file__).parent / "reference" / "straight_channel_cht.json"
OPENFOAM_ENERGY = "linearUpwind-venkat-frozen"


def _openfoam(kind: str, h_mm: float) -> dict:
    runs = json.loads(OPENFOAM.read_text())["runs"]
    return next(
        r for r in runs if (r["mesh"], r["h_mm"], r["energy_setting"]) == (kind, h_mm, OPENFOAM_ENERGY)
    )


@pytest.mark.validation
def test_heat_transfer_agrees_with_openfoam_on_the_identical_meshes(rows: tuple[dict, list[dict]]) -> None:
    """Issue 16: Nu_m within 5 % of chtMultiRegionSimpleFoam's on the same hexahedra and on every
    tetrahedral mesh — the tetrahedra's Nu_m rising through the answer with refinement (the strict
    xfail below) is OpenFOAM's too, a property of these meshes, not of rackflow — and R_th within 2 %
    on the hexahedra. Measured (stop 32): Nu_m −0.8 / +2.8 / +3.8 / −0.7 %, R_th +1.1 / −2.7 / −2.8 /
    +2.0 % on the 0.125 mm hexahedra and the 0.6 / 0.4 / 0.27 mm tetrahedra. The finest tetrahedra's
    R_th sits on the issue's 2 % bound (0.918048 K/W with two threads, +2.0003 %; 0.918045 with one,
    +1.99999 %, against 0.900045): a test there would pass or fail by the thread count, so it is not
    asserted either way (stop 32, lead)."""
    reference, tets = rows
    for row in (reference, *tets):
        peer = _openfoam(row["mesh"], row["h_mm"])
        summary = (
            f"{row['mesh']} {row['h_mm']} mm: R_th {row['Rth_K_W']:.4f} / {peer['Rth_K_W']:.4f} K/W, "
            f"Nu_m {row['Nu_m']:.2f} / {peer['Nu_m']:.2f} (rackflow / OpenFOAM)"
        )
        # the identical mesh: gmsh is deterministic (the reference records the msh's SHA-256)
        assert row["coolant_cells"] == peer["fluid_cells"], summary
        assert abs(peer["balance"]) < 1e-3, summary
        assert row["Nu_m"] == pytest.approx(peer["Nu_m"], rel=0.05), summary
        if row is reference:
            assert row["Rth_K_W"] == pytest.approx(peer["Rth_K_W"], rel=0.02), summary


@pytest.mark.validation
@pytest.mark.xfail(
    strict=True,
    reason="ΔP_static on the identical tetrahedra is 125.1 / 173.3 / 215.3 Pa against simpleFoam's 138.2 / 188.1 / "
    "233.3 (−9.5 / −7.9 / −7.7 %) and +3.4 % on the 0.125 mm hexahedra (223.0 / 215.6); likely the momentum "
    "limiter (rackflow's Venkatakrishnan, simpleFoam's unlimited gradLinear; with Barth–Jespersen rackflow gave "
    "simpleFoam's 138.2 Pa at 0.6 mm in stop 29), not measured (stop 32)",
)
def test_pressure_drop_on_the_finest_tetrahedra_within_three_percent_of_simplefoam(
    rows: tuple[dict, list[dict]],
) -> None:
    """Issue 16's ΔP bound against OpenFOAM at the finest size both converge on."""
    _, tets = rows
    peer = _openfoam("tet", TET_SIZES_MM[-1])
    assert tets[-1]["dP_static_Pa"] == pytest.approx(peer["dP_static_Pa"], rel=0.03)


@pytest.mark.validation
def test_the_thermal_layer_check_flags_the_tetrahedra_not_the_hexahedra(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The ``ThermalLayerWarning``'s numbers (no solve): the 0.125 mm hexahedra (Nu_m within 1.1 % of
    the converged hexahedra and of OpenFOAM's) resolve the Pr 12.7 thermal entry layer, the 0.6 mm
    tetrahedra (Nu_m −29 %, OpenFOAM's −31 %) do not. Measured (stop 32): ratios 0.73 and 3.63,
    the layer's mean thickness 0.172 mm."""
    import rackflow as rf
    from rackflow.case import THERMAL_LAYER_RATIO_MAX

    from benchmarks.straight_channel_cht import channel_case

    directory = Path(tmp_path_factory.mktemp("straight_channel_layer"))
    ratios = {}
    for kind, h_mm in (("hex", HEX_SIZE_MM), ("tet", TET_SIZES_MM[0])):
        path, _ = mesh_for(kind, h_mm, directory)
        case, _ = channel_case(rf.load_mesh(path))
        walls = case.thermal_layer_resolution()
        assert list(walls) == ["interface:solid"], walls
        ratios[kind] = walls["interface:solid"]["ratio"]
    assert ratios["hex"] < THERMAL_LAYER_RATIO_MAX < ratios["tet"], ratios


LAYERED_SIZES_MM = (0.6, 0.4)


@pytest.mark.validation
@pytest.mark.xfail(
    strict=True,
    reason="a resolution fact of these tetrahedra, not a rackflow bug (stop 32): chtMultiRegionSimpleFoam on the "
    "identical meshes (linearUpwind on a Venkatakrishnan-limited Gauss gradient, settled) gives Nu_m 18.00 / 24.71 / "
    "32.81 at 0.6 / 0.4 / 0.27 mm against rackflow's 18.50 / 25.66 / 32.57 and the hexahedra's 26.64 (OpenFOAM) / "
    "26.44 (rackflow): the same rise through the answer. Their wall cells are 3.6 / 2.5 / 1.7 times as tall as the "
    "Pr 12.7 thermal entry layer is thick (0.17 mm; a ThermalLayerWarning says so); the 0.125 mm hexahedra's 0.73",
)
def test_tet_nusselt_number_approaches_the_hexahedra(rows: tuple[dict, list[dict]]) -> None:
    _approaches("Nu_m", *rows)


@pytest.mark.validation
@pytest.mark.xfail(
    strict=True,
    reason="tetrahedra with from_cad's default boundary layers (two prism layers from h/10, 0.22 h in all) "
    "still drift with refinement: Nu_m 30.59 / 32.26 (+15.7 / +22.0 %) and ΔP 199.6 / 208.0 Pa (−10.5 / −6.7 %) "
    "at 0.6 / 0.4 mm against the 0.125 mm hexahedra's 26.44 and 223.0 Pa, with the laminar momentum's "
    "Venkatakrishnan limiter (stop 31; on main's Barth–Jespersen 30.90 / 32.99 and 188.8 / 206.1 Pa, and with "
    "layers from h/6 Nu_m 27.84 / 29.02 / 30.35 at 0.6 / 0.4 / 0.27 mm; stop 30)",
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
