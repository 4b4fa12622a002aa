"""Golden regression cases: the summary numbers of every bundled mesh and a set of validation cases.

Each case builds its :class:`rackflow.Case` (or network) exactly as users and the validation tests
do and returns the flat summary (``Result.summary().to_dict()``) without wall-clock entries. The
numbers in ``golden.json`` were produced by the commit named there; ``test_regression.py``
compares every number to 1e-9 relative, so a refactoring that is meant to preserve behaviour
proves it, and a change that is meant to alter the numbers updates the file in its own commit
(``python tests/regression/update.py``) that says why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import rackflow as rf

MESHES = Path(__file__).resolve().parents[2] / "meshes"

#: Entries that measure the machine, not the answer.
VOLATILE = ("solve_time_s",)


def _numbers(summary: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in summary.items() if not k.startswith(VOLATILE)}


def coldplate_microchannel_coupled() -> dict[str, float]:
    """The README / demo case: die, TIM, lid, base, PG25 channels at 1.5 L/min (flow + energy)."""
    from rackflow.demo import build_case

    result = build_case(rf.load_mesh(MESHES / "coldplate_microchannel.msh")).solve()
    return _numbers(result.summary().to_dict())


def gpu_stack_conduction() -> dict[str, float]:
    """The conduction-only stack with a convective coolant side."""
    from rackflow.demo import conduction_case

    result = conduction_case(rf.load_mesh(MESHES / "gpu_stack.msh")).solve()
    return _numbers(result.summary().to_dict())


def channel_unit_cht() -> dict[str, float]:
    """The channel unit (coarse): constant-property water, uniform heated base (channel benchmark)."""
    case = rf.Case(rf.load_mesh(MESHES / "channel_unit_coarse.msh"))
    case.solid("solid", material=rf.Material("copper-400", conductivity_w_mk=400.0))
    water = rf.Coolant(
        "water-const",
        density_kg_m3=998.2,
        viscosity_pa_s=1.0e-3,
        conductivity_w_mk=0.6,
        specific_heat_j_kgk=4182.0,
    )
    case.fluid("fluid", coolant=water)
    case.inlet("inlet", velocity_m_s=0.5, temperature_c=25.0)
    case.outlet("outlet", pressure_pa=0.0)
    case.heat_flux("heated", flux_w_m2=1.0e5)
    return _numbers(case.solve().summary().to_dict())


def duct_hex_flow() -> dict[str, float]:
    """Laminar developing flow in the bundled 50 x 2 x 1 mm duct (flow only)."""
    case = rf.Case(rf.load_mesh(MESHES / "duct_hex.msh"))
    case.fluid("fluid", coolant="water")
    case.inlet("inlet", velocity_m_s=0.2, temperature_c=25.0)
    case.outlet("outlet", pressure_pa=0.0)
    return _numbers(case.solve().summary().to_dict())


def duct_hex_flow_upwind() -> dict[str, float]:
    """The same duct with first-order upwind convection and a heated wall (flow + energy)."""
    case = rf.Case(rf.load_mesh(MESHES / "duct_hex.msh"))
    case.fluid("fluid", coolant="water")
    case.inlet("inlet", velocity_m_s=0.2, temperature_c=25.0)
    case.outlet("outlet", pressure_pa=0.0)
    case.heat_flux("walls", flux_w_m2=2.0e4)
    return _numbers(case.solve(convection="upwind").summary().to_dict())


def pinfin_conduction() -> dict[str, float]:
    """The bundled tetrahedral pin-fin plate, coolant replaced by a conducting stand-in."""
    case = rf.Case(rf.load_mesh(MESHES / "coldplate_pinfin.msh"))
    case.solid("die", material="silicon", power_w=700.0)
    case.solid("tim", material="tim")
    case.solid("lid", material="copper")
    case.solid("base", material="copper")
    case.solid("channels", material=rf.Material("stand-in", conductivity_w_mk=40.0))
    case.fixed_temperature("inlet", temperature_c=35.0)
    case.fixed_temperature("outlet", temperature_c=35.0)
    return _numbers(case.solve().summary().to_dict())


def rack_network() -> dict[str, float]:
    """The README's rack: 8 servers x 8 plates at 700 W, PG25 at 32 °C."""
    net = rf.Network.rack(servers=8, plates_per_server=8, power_w=700.0, coolant="PG25", supply_c=32.0)
    result = net.solve()
    plates = result.cold_plates()
    out: dict[str, float] = {}
    for column in plates.columns:
        if plates[column].dtype.kind == "f":
            out[f"{column}.max"] = float(plates[column].max())
            out[f"{column}.min"] = float(plates[column].min())
    return out


#: name -> (builder, slow): slow cases run with the validation marker.
CASES: dict[str, tuple[Callable[[], dict[str, float]], bool]] = {
    "coldplate_microchannel_coupled": (coldplate_microchannel_coupled, False),
    "gpu_stack_conduction": (gpu_stack_conduction, False),
    "channel_unit_cht": (channel_unit_cht, False),
    "duct_hex_flow": (duct_hex_flow, False),
    "duct_hex_flow_upwind": (duct_hex_flow_upwind, False),
    "pinfin_conduction": (pinfin_conduction, True),
    "rack_network": (rack_network, False),
}
