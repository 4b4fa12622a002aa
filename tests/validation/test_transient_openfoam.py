"""Issue 19: a conjugate power step against OpenFOAM chtMultiRegionFoam.

``reference/openfoam_transient_cht.json`` (``benchmarks/openfoam/transient_cht.py``; the command
is stored in the file) holds the hottest copper temperature of the channel unit every OpenFOAM
time step after the bottom flux steps from 20 % to 100 % of 5e5 W/m² at t = 0, from the steady
state at 20 %, with the flow frozen. OpenFOAM ran on the same uniform hexahedral grid (14,904
cells), with the same convection scheme (upwind), the same time scheme and steps (BDF2 with an
Euler first step, 5 ms) and three outer correctors per step, which converge its segregated
region coupling. rackflow solves both regions in one implicit system, so the codes differ only
in how far their linear and coupling iterations are converged: their T_max(t) agree to about
1e-5 K over the 3 s (34 K of rise). The tolerance, 0.01 K, is a thousandth of the 34 K rise, far
below the 0.05 K the same OpenFOAM run moves by with one outer corrector instead of three (its
segregated coupling error).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

REFERENCE = Path(__file__).parent / "reference" / "openfoam_transient_cht.json"
TOLERANCE_K = 0.01

pytestmark = pytest.mark.validation


def test_reference_records_the_command_and_the_run() -> None:
    ref = json.loads(REFERENCE.read_text())
    assert ref["command"].startswith("python -m benchmarks.openfoam.transient_cht")
    assert ref["openfoam_version"] == "v1912"
    assert ref["outer_correctors"] == 3 and ref["dt_s"] == 0.005
    assert ref["cells"] == 14_904
    assert len(ref["time_s"]) == len(ref["solid_max_k"]) == round(ref["end_s"] / ref["dt_s"]) + 1


def test_power_step_follows_chtmultiregionfoam(tmp_path: Path) -> None:
    import rackflow as rf
    from rackflow.meshing import channel_unit

    ref = json.loads(REFERENCE.read_text())
    g = ref["geometry_m"]
    path = channel_unit(
        tmp_path / "unit.msh",
        length_m=g["length"],
        half_fin_m=g["half_fin"],
        channel_width_m=g["channel_width"],
        channel_height_m=g["channel_height"],
        base_thickness_m=g["base_thickness"],
        cells_across_channel=ref["n"],
        n_along=ref["nx"],
    )
    mesh = rf.load_mesh(path)
    assert mesh.n_cells == ref["cells"]
    case = rf.Case(mesh)
    case.solid("solid", material=rf.Material("copper-400", **ref["solid"]))
    case.fluid("fluid", coolant=rf.Coolant("water-const", **ref["coolant"]))
    case.inlet(
        "inlet",
        velocity_m_s=ref["inlet"]["velocity_m_s"],
        temperature_c=ref["inlet"]["temperature_k"] - 273.15,
    )
    case.outlet("outlet", pressure_pa=0.0)
    case.heat_flux("heated", flux_w_m2=ref["q_low_w_m2"])
    steady = case.solve(
        convection="upwind",
        tolerance=1e-8,
        velocity_tolerance=1e-6,
        pressure_tolerance=1e-6,
        mass_tolerance=1e-6,
    )
    case.heat_flux("heated", flux_w_m2=ref["q_high_w_m2"])
    times = np.round(np.arange(0.0, ref["end_s"] + 1e-9, 0.02), 10)
    run = case.solve_transient(
        ref["end_s"],
        time_step_s=ref["dt_s"],
        initial=steady,
        output_times_s=times,
        convection="upwind",
        threads=1,
    )
    ours = run.max_temperature_c("solid") + 273.15
    theirs = np.interp(run.times_s, ref["time_s"], ref["solid_max_k"])
    error = np.abs(ours - theirs)
    rise = ref["solid_max_k"][-1] - ref["solid_max_k"][0]
    assert rise > 30.0
    assert error.max() < TOLERANCE_K, (
        f"T_max(t) differs from chtMultiRegionFoam by up to {error.max():.4g} K "
        f"at t = {run.times_s[int(error.argmax())]:.3f} s"
    )
