"""Issue 16 at the corpus's largest size: the serpentine plate (Gmsh OCC, default tetrahedra, and
its prism-layer variant ``cells="prism"``) solved with first-order convection and otherwise no
settings converges at every documented size, with the energy identity and the mass balance
closed; and how far R_th and ΔP still move between the two finest sizes (the issue asks for 2 %).

CI runs the smallest size of each (``validation``, 30 s together); ``pytest -m slow`` the 2e5 and
1e6 ones (each 1e6 solve: 12-13 CPU minutes on one core and 1.9-2.0 GB;
``benchmarks/coldplate_convergence.py --corpus serpentine [--cells prism]`` prints the same
numbers with Celik's GCI). PG25 held at the inlet temperature (one flow solve), as
``test_corpus_defaults.py``, whose tests cover the defaults (second order) at 5e4.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import rackflow as rf
from rackflow.meshing import CORPUS

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.corpus import build_case

PLATE = "serpentine"
_SOLVED: dict[tuple[str, int], Any] = {}


def _solve(target: int, tmp_path_factory: pytest.TempPathFactory, cells: str = "tetra") -> Any:
    """The first-order solve at ``target`` cells of kind ``cells``, once per session."""
    if (cells, target) not in _SOLVED:
        path = Path(tmp_path_factory.mktemp(f"serpentine-{cells}-{target}")) / "serpentine.msh"
        # "prism": the 8 fixed layers the numbers below are for (the default until stop 29);
        # "prism-refined": the layers refined with the cell size (the default since)
        kind, layers = {
            "tetra": ("tetra", {}),
            "prism": ("prism", {"prism_layers": 8}),
            "prism-refined": ("prism", {"prism_layers": None}),
        }[cells]
        CORPUS[PLATE].generator(path, target_cells=target, cells=kind, binary=True, **layers)
        case = build_case(PLATE, rf.load_mesh(path), constant=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no fallback, no local first order: nothing to warn of
            # but the thermal entry layer these sizes do not resolve (ThermalLayerWarning, stop 32)
            warnings.simplefilter("ignore", rf.errors.ThermalLayerWarning)
            _SOLVED[cells, target] = case.solve(threads=1, progress=False, convection="upwind")
    return _SOLVED[cells, target]


def _numbers(result: Any) -> tuple[float, float]:
    design = CORPUS[PLATE]
    rth = (result.max_temperature_c("base") - design.inlet_temperature_c) / design.power_w
    return rth, result.pressure_drop_pa(next(iter(design.flow_lpm)), "outlet")


@pytest.mark.parametrize(
    ("cells", "target"),
    [
        # measured (stop 28): 51,474 cells, flow 700 + 324 iterations, R_th 0.18996 K/W, ΔP 2,191.5 Pa
        pytest.param("tetra", 50_000, marks=pytest.mark.validation),
        # 216,847 cells, 273 iterations, 0.13416 K/W, 2,529.2 Pa
        pytest.param("tetra", 200_000, marks=pytest.mark.slow),
        # 1,057,149 cells: the energy's Newton–Krylov gave up at 1.2e-7 (tolerance 1e-10) until its
        # GMRES restarted within its 31-vector basis (stop 28)
        pytest.param("tetra", 1_000_000, marks=pytest.mark.slow),
        # the prism-layer variant (8 graded layers over the depth at every size): 49,045 cells,
        # 197 iterations, 0.15530 K/W, 2,522.7 Pa, 7 CPU s (stop 28)
        pytest.param("prism", 50_000, marks=pytest.mark.validation),
        # 205,709 cells, 314 iterations, 0.13482 K/W, 2,583.2 Pa
        pytest.param("prism", 200_000, marks=pytest.mark.slow),
        # 1,040,444 cells (347,232 coolant), 333 iterations, 0.11919 K/W, 2,664.9 Pa, 12 CPU min
        pytest.param("prism", 1_000_000, marks=pytest.mark.slow),
        # layers refined with the cell size (stop 29): 52,722 cells (17,632 coolant), 198 iterations,
        # 0.17270 K/W, 2,359.9 Pa; 204,764 cells, 207 it., 0.13355 K/W, 2,620.9 Pa; 521,985 cells,
        # 240 it., 0.12510 K/W, 2,745.5 Pa (3.6 CPU min)
        pytest.param("prism-refined", 50_000, marks=pytest.mark.validation),
        pytest.param("prism-refined", 500_000, marks=pytest.mark.slow),
    ],
)
def test_first_order_converges_with_closed_balances(
    cells: str, target: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = _solve(target, tmp_path_factory, cells)
    assert result.report["flow_first_order_fallback"] is None
    # energy identity: the heater's power leaves with the coolant (adiabatic elsewhere)
    assert abs(result.energy_balance_error) < 1e-3
    assert result.mass_imbalance < 1e-5
    # first order is bounded: no coolant below the inlet
    assert result.min_temperature_c(CORPUS[PLATE].fluid) > CORPUS[PLATE].inlet_temperature_c - 1e-6


@pytest.mark.slow
@pytest.mark.parametrize(
    "cells",
    [
        pytest.param(
            "tetra",
            marks=pytest.mark.xfail(
                strict=True,
                reason="issue 16's 2 % between the two finest sizes is not met at first order: from 2e5 to 1e6 "
                "cells R_th moves -26.1 % (0.13416 -> 0.09914 K/W) and ΔP +35.0 % (2,529.2 -> 3,413.8 Pa), the ΔP "
                "steps growing (+338, then +885 Pa: no observed order); R_th's observed order 1.12 (Celik, ratios "
                "from all cells), GCI 55 % (stop 28, benchmarks/RESULTS.md)",
            ),
        ),
        pytest.param(
            "prism",
            marks=pytest.mark.xfail(
                strict=True,
                reason="not met on the prism-layer variant either: from 2e5 to 1e6 cells R_th moves -11.6 % "
                "(0.13482 -> 0.11919 K/W) and ΔP +3.2 % (2,583.2 -> 2,664.9 Pa), the ΔP steps growing (+60, then "
                "+82 Pa); R_th's observed order 0.77 (ratios from all cells), GCI 32 %; the 8 layers over the "
                "depth are the same at every size, so only the plan refines (stop 28, benchmarks/RESULTS.md)",
            ),
        ),
    ],
)
def test_two_finest_sizes_agree_within_two_percent(
    cells: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    medium = _numbers(_solve(200_000, tmp_path_factory, cells))
    fine = _numbers(_solve(1_000_000, tmp_path_factory, cells))
    for m, f in zip(medium, fine, strict=True):
        assert f == pytest.approx(m, rel=0.02)
