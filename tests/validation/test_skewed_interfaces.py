"""Conduction across region interfaces of contrasting conductivity on a badly skewed tetrahedral
mesh: the bundled pin-fin cold plate (Gmsh tetrahedra, non-orthogonality up to 70°, skewness
1.7, a 1 mm cover meshed at 2.5 mm). There the deferred-correction passes stall (their explicit
corrections outweigh the implicit part) and used to end in a ConvergenceError; the solver now
hands over to Newton–Krylov (GMRES on the same discretisation) and must converge, with the
energy balance of every validation case."""

from __future__ import annotations

from pathlib import Path

import pytest
import rackflow as rf

MESH = Path(__file__).resolve().parents[2] / "meshes" / "coldplate_pinfin.msh"


@pytest.mark.validation
def test_pinfin_plate_with_a_low_conductivity_coolant_region_converges() -> None:
    mesh = rf.load_mesh(MESH)
    case = rf.Case(mesh)
    case.solid("die", material="silicon", power_w=700.0)
    case.solid("tim", material="tim")
    case.solid("lid", material="copper")
    case.solid("base", material="copper")
    # a conducting stand-in for the coolant, ten times below copper
    case.solid("channels", material=rf.Material("stand-in", conductivity_w_mk=40.0))
    case.fixed_temperature("inlet", temperature_c=35.0)
    case.fixed_temperature("outlet", temperature_c=35.0)
    result = case.solve()
    assert abs(result.energy_balance_error) < 1e-8
    assert result.heat_flow_w("inlet") + result.heat_flow_w("outlet") == pytest.approx(-700.0, rel=1e-8)
    # the passes stalled first (the fallback ran): 30 passes without a tenfold drop
    assert result.report["outer_iterations"] > 30
    assert 35.0 < result.temperature_c.max() < 400.0
