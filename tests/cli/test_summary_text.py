"""The printed summary: conditions are never cut, the coolant energy balance says it is relative
(in %), and each iteration count says what it counts."""

from __future__ import annotations

import re

import pytest
import rackflow as rf
from rackflow.testing.fluids import ConstantFluid
from rackflow.testing.meshes import box

REGIONS = {"base": lambda c: c[:, 2] < 0.001, "channel": lambda c: c[:, 2] >= 0.001}


@pytest.fixture(scope="module")
def text() -> str:
    mesh = rf.Mesh.from_meshio(
        box((10, 4, 6), (0.01, 0.003, 0.002), regions=REGIONS), source="channel block (test)"
    )
    case = rf.Case(mesh)
    case.solid("base", "copper", power_w=5.0)
    case.fluid(
        "channel",
        ConstantFluid(
            density_kg_m3=997.0, viscosity_pa_s=8.55e-4, conductivity_w_mk=0.613, specific_heat_j_kgk=4179.0
        ),
    )
    case.inlet("xmin", velocity_m_s=0.2, temperature_c=30.0)
    case.outlet("xmax")
    return str(case.solve().summary())


def test_conditions_are_not_cut(text: str) -> None:
    row = next(line for line in text.splitlines() if line.strip().startswith("xmin"))
    assert "inlet velocity_m_s=0.2, temperature_c=30" in row
    header = next(line for line in text.splitlines() if line.strip().startswith("patch"))
    # the numbers stay under their headings
    assert row.index("6.00") + len("6.00") == header.index("area mm²") + len("area mm²")


def test_coolant_energy_balance_is_labelled_relative(text: str) -> None:
    line = next(line for line in text.splitlines() if "coolant energy balance" in line)
    assert "(ṁ·cp·ΔT − heat in)/heat in" in line
    assert re.search(r": [+-]\d+\.\d\d % ", line)
    assert "vs heat in" not in text


def test_iteration_counts_say_what_they_count(text: str) -> None:
    assert re.search(r"flow: \d+ SIMPLEC iterations \(momentum and pressure correction\)", text)
    assert re.search(
        r"energy: \d+ outer iterations \(assemblies of the energy equation\), \d+ linear-solver", text
    )
    assert "flow iterations" not in text and "outer /" not in text
