"""Issue 17, the heat part: turbulent wall heat transfer against OpenFOAM on the identical mesh.

``reference/turbulent_heat_duct.json`` (``benchmarks/openfoam/turbulent_heat.py``; command,
OpenFOAM version, properties stored in it): the corpus serpentine's 4 × 2.5 × 60 mm channel as
60 × 16 × 10 uniform hexahedra, PG25 at 35 °C (constant properties, Pr 12.7), inlet 5 % and
0.07 D_h, every wall at 45 °C; OpenFOAM v1912 ``buoyantSimpleFoam`` (g = 0) with k-ω SST and
``alphatJayatillekeWallFunction``. The heat taken up by the coolant (ṁ c_p ΔT of the mixed
outlet temperature) must agree within 3 %.

Measured (2026-12-05): at Re 18,186 (wall cells in the log layer, ΔP +0.70 %) rackflow takes
**+13.0 %** more heat (194.3 W against 171.9 W); Gnielinski with the entrance factor
(1 + (D/L)^⅔) gives about 230 W for a round tube, 203 W without it, and the square-duct test puts
rackflow's SST about 8–10 % below that in a duct: the difference is mostly the thermal law of
the wall (rackflow: Kader 1981, T⁺(40) ≈ 72 at Pr 12.7; OpenFOAM: Jayatilleke, ≈ 77). At Re
6,062 (wall cells on the viscous branch, ΔP −1.1 %) rackflow takes **−44.6 %** (32.5 W against
58.7 W; Gnielinski ≈ 70–80 W): rackflow's near-wall eddy conductivity at this transitional point
is far too low, not understood yet. Both are strict xfails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REFERENCE = Path(__file__).parent / "reference" / "turbulent_heat_duct.json"


def _run(flow_lpm: float) -> tuple[dict, dict]:
    from benchmarks.openfoam.turbulent_heat import rackflow as solve

    ref = json.loads(REFERENCE.read_text())
    run = next(r for r in ref["runs"] if r["flow_lpm"] == flow_lpm)
    assert run["foam"]["converged"]
    return run, solve(flow_lpm, tuple(run["cells"]), ref["properties"])


def test_reference_records_command_and_settings() -> None:
    ref = json.loads(REFERENCE.read_text())
    assert ref["command"].startswith("python -m benchmarks.openfoam.turbulent_heat")
    assert ref["openfoam_version"] == "v1912"
    assert {r["flow_lpm"] for r in ref["runs"]} == {5.4, 1.8}
    for r in ref["runs"]:
        # the OpenFOAM run's own energy: heat from the outlet temperature is positive and below
        # the most a 10 K wall excess could give (ṁ c_p × 10 K)
        props = ref["properties"]
        most = props["density_kg_m3"] * r["flow_lpm"] / 60000.0 * props["specific_heat_j_kgk"] * 10.0
        assert 0.0 < r["foam"]["heat_w"] < most


@pytest.mark.validation
@pytest.mark.xfail(
    strict=True,
    reason="+13.0 % (194.3 W against 171.9 W): Kader's thermal law of the wall against OpenFOAM's Jayatilleke",
)
def test_heat_in_the_log_layer_matches_openfoam() -> None:
    run, ours = _run(5.4)
    print(
        f"Re {run['reynolds']:.0f}: rackflow {ours['heat_w']:.2f} W, OpenFOAM {run['foam']['heat_w']:.2f} W"
    )
    assert ours["heat_w"] == pytest.approx(run["foam"]["heat_w"], rel=0.03)


@pytest.mark.validation
@pytest.mark.xfail(
    strict=True,
    reason="−44.6 % (32.5 W against 58.7 W) at Re 6,062 with the wall cells on the viscous branch",
)
def test_heat_at_the_transitional_design_point_matches_openfoam() -> None:
    run, ours = _run(1.8)
    print(
        f"Re {run['reynolds']:.0f}: rackflow {ours['heat_w']:.2f} W, OpenFOAM {run['foam']['heat_w']:.2f} W"
    )
    assert ours["heat_w"] == pytest.approx(run["foam"]["heat_w"], rel=0.03)
