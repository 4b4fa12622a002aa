"""Incompressible flow does not depend on the pressure level: an outlet at atmospheric pressure
(absolute, 101,325 Pa) or far above gives the same pressure drop, velocities and temperatures as
one at 0 Pa gauge, with every pressure shifted by the outlet's level (issue 18, item 6: an outlet
at 101,325 Pa made the README's cold plate diverge at iteration 1)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rackflow as rf
from rackflow.testing.meshes import box

MESHES = Path(__file__).resolve().parents[2] / "meshes"


def _channel_case(outlet_pa: float) -> rf.Case:
    mesh = rf.Mesh.from_meshio(box((24, 4, 4), (0.02, 0.002, 0.002)))
    case = rf.Case(mesh)
    case.fluid("box", coolant="water")
    case.inlet("xmin", flow_lpm=0.05, temperature_c=30.0)
    case.outlet("xmax", pressure_pa=outlet_pa)
    case.heat_flux("ymin", flux_w_m2=2e4)
    return case


def _same(a: rf.Result, b: rf.Result, shift_pa: float) -> None:
    assert b.pressure_drop_pa("xmin", "xmax") == pytest.approx(a.pressure_drop_pa("xmin", "xmax"), rel=1e-9)
    np.testing.assert_allclose(b.temperature_c, a.temperature_c, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(b.velocity_m_s, a.velocity_m_s, rtol=1e-9, atol=1e-12)
    dp = float(np.ptp(a.pressure_pa))
    np.testing.assert_allclose(b.pressure_pa - shift_pa, a.pressure_pa, rtol=0, atol=1e-9 * max(dp, shift_pa))
    assert b.report["flow_iterations"] == a.report["flow_iterations"]


@pytest.mark.parametrize("outlet_pa", [101_325.0, 2.5e6, -5e4])
def test_outlet_pressure_level_does_not_change_the_answer(outlet_pa: float) -> None:
    gauge = _channel_case(0.0).solve()
    absolute = _channel_case(outlet_pa).solve()
    _same(gauge, absolute, outlet_pa)
    assert absolute.static_pressure_pa("xmax") == pytest.approx(
        outlet_pa, abs=1e-6 * max(abs(outlet_pa), 1.0)
    )


def test_warm_start_across_pressure_levels() -> None:
    """A warm start from a gauge result into an absolute case starts as from the gauge case."""
    start = _channel_case(0.0).solve()
    gauge = _channel_case(0.0).solve(initial=start)
    absolute = _channel_case(101_325.0).solve(initial=start)
    _same(gauge, absolute, 101_325.0)


def test_readme_cold_plate_at_atmospheric_outlet_pressure() -> None:
    from rackflow.demo import build_case

    mesh = rf.load_mesh(MESHES / "coldplate_microchannel.msh")
    gauge = build_case(mesh).solve()
    case = build_case(mesh)
    case.outlet("outlet", pressure_pa=101_325.0)
    atmospheric = case.solve()
    assert atmospheric.pressure_drop_pa("inlet", "outlet") == pytest.approx(
        gauge.pressure_drop_pa("inlet", "outlet"), rel=1e-9
    )
    assert atmospheric.max_temperature_c("die") == pytest.approx(gauge.max_temperature_c("die"), rel=1e-9)
