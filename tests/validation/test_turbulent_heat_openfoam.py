"""Issue 17, the heat part: turbulent wall heat transfer against OpenFOAM on the identical mesh.

``reference/turbulent_heat_duct.json`` (``benchmarks/openfoam/turbulent_heat.py``; command,
OpenFOAM version, wall treatment and properties stored in it): the corpus serpentine's
4 × 2.5 × 60 mm channel as 60 × 16 × 10 uniform hexahedra, PG25 at 35 °C (constant properties,
Pr 12.7), inlet 5 % and 0.07 D_h, every wall at 45 °C; OpenFOAM v1912 ``buoyantSimpleFoam``
(g = 0) with k-ω SST, ``omegaWallFunction`` with ``blended false`` (rackflow's switching
treatment) and ``alphatJayatillekeWallFunction``. The heat taken up by the coolant (ṁ c_p ΔT of
the mixed outlet temperature) must agree within 3 %, and so must k, ω and ν_t in the first five
cells from a wall at three stations.

Stop 19's reference left ``blended`` at v1912's default, ``true`` (ω = √(ω_vis² + ω_log²) and
the log-law production on every wall face): its 58.7 W at Re 6,062 against rackflow's 32.5 W
(−44.6 %) and the "low near-wall ν_t" were the two codes running different wall models. Until
2026-12-05 (late) the reference's ``grad(U)``, the gradient kOmegaSST's production and ν_t
limiter see, was the default ``Gauss linear``; it is now ``cellLimited leastSquares 1``, the
gradient rackflow's SST uses (as the manifold, serpentine, jet and channel references). Measured
with the same wall model and the same gradient (2026-12-05):

- Re 6,062 (wall cells on the viscous branch): k, ω and ν_t agree within 1.4 % cell by cell
  (1.16 / 0.57 / 1.41 %); the heat is **+10.0 %** (31.19 W against 28.36 W). Jayatilleke's
  thermal law in rackflow instead of Kader's (an experiment on the earlier reference, not kept)
  closed the gap to +0.8 %: the difference is the thermal law of the wall. Gnielinski for a round
  tube: ≈ 71 W (81 W with the entrance factor), so both codes' switching treatment is far below
  it at this buffer-layer y⁺ (8–16), and Kader is the closer of the two laws.
- Re 18,186 (log layer): k, ω and ν_t within 0.5 % (0.47 / 0.12 / 0.39 %; with the earlier
  reference and ν_t = k/ω in log-layer wall cells the wall cell's ν_t was 3.4× OpenFOAM's); the
  heat is **+7.5 %** (193.10 W against 179.56 W), Kader against Jayatilleke again. Gnielinski
  ≈ 203 W (230 W with the entrance factor): Kader is the closer law, so it stays.

With OpenFOAM's own thermal law, ``case.fluid(..., thermal_wall_function="jayatilleke")``
(2026-12-06), the same solves give 28.61 W (+0.91 %) at Re 6,062 and 181.29 W (+0.96 %) at
Re 18,186: the like-for-like comparison passes within 3 %, and the Kader xfails above stay,
measured, as the default's difference from OpenFOAM's choice of law.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

REFERENCE = Path(__file__).parent / "reference" / "turbulent_heat_duct.json"


def _run(flow_lpm: float, thermal_wall_function: str = "kader") -> tuple[dict, dict]:
    from benchmarks.openfoam.turbulent_heat import rackflow as solve

    ref = json.loads(REFERENCE.read_text())
    run = next(r for r in ref["runs"] if r["flow_lpm"] == flow_lpm)
    assert run["foam"]["converged"]
    return run, solve(flow_lpm, tuple(run["cells"]), ref["properties"], thermal_wall_function)


def test_reference_records_command_and_settings() -> None:
    ref = json.loads(REFERENCE.read_text())
    assert ref["command"].startswith("python -m benchmarks.openfoam.turbulent_heat")
    assert ref["openfoam_version"] == "v1912"
    # rackflow's wall treatment switches; v1912's default `blended true` is a different model
    assert "omegaWallFunction (blended false)" in ref["wall_treatment"]
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
    reason="+7.5 % (193.10 W against 179.56 W): Kader's thermal law of the wall against OpenFOAM's "
    "Jayatilleke (the turbulence agrees within 0.5 %; Kader is the closer to Gnielinski, ≈ 203 W)",
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
    reason="+10.0 % (31.19 W against 28.36 W) at Re 6,062: Kader's thermal law of the wall against "
    "OpenFOAM's Jayatilleke (the turbulence agrees within 1.4 %; Gnielinski ≈ 71 W, Kader is the closer)",
)
def test_heat_at_the_transitional_design_point_matches_openfoam() -> None:
    run, ours = _run(1.8)
    print(
        f"Re {run['reynolds']:.0f}: rackflow {ours['heat_w']:.2f} W, OpenFOAM {run['foam']['heat_w']:.2f} W"
    )
    assert ours["heat_w"] == pytest.approx(run["foam"]["heat_w"], rel=0.03)


@pytest.mark.validation
@pytest.mark.parametrize(
    ("flow_lpm", "measured"),
    [
        pytest.param(5.4, "+0.96 % (181.29 W against 179.56 W)", id="log-layer"),
        pytest.param(1.8, "+0.91 % (28.61 W against 28.36 W)", id="transitional"),
    ],
)
def test_heat_with_openfoams_thermal_law_matches_openfoam(flow_lpm: float, measured: str) -> None:
    # the reference's alphatJayatillekeWallFunction in rackflow: the same turbulence and the same
    # law of the wall, so the heat must agree as the near-wall turbulence does; measured: see ids
    assert "alphatJayatillekeWallFunction" in json.loads(REFERENCE.read_text())["wall_treatment"]
    run, ours = _run(flow_lpm, "jayatilleke")
    print(
        f"Re {run['reynolds']:.0f}, Jayatilleke: rackflow {ours['heat_w']:.2f} W, "
        f"OpenFOAM {run['foam']['heat_w']:.2f} W (measured {measured})"
    )
    assert ours["heat_w"] == pytest.approx(run["foam"]["heat_w"], rel=0.03)


def _near_wall_difference(flow_lpm: float) -> float:
    run, ours = _run(flow_lpm)
    worst = 0.0
    for name in ("k_m2_s2", "omega_1_s", "nu_t_m2_s"):
        a, b = np.asarray(ours["near_wall"][name]), np.asarray(run["foam"]["near_wall"][name])
        diff = np.abs(a / b - 1.0)
        print(f"Re {run['reynolds']:.0f} {name}: largest difference {diff.max():.2%}")
        worst = max(worst, float(diff.max()))
    return worst


@pytest.mark.validation
def test_near_wall_turbulence_at_the_transitional_design_point_matches_openfoam() -> None:
    # wall cells at y⁺ 8–16 on the viscous branch, where stop 19 saw ν_t/ν 0.06 against 1.55;
    # measured 1.16 / 0.57 / 1.41 % (k, ω, ν_t)
    assert _near_wall_difference(1.8) < 0.03


@pytest.mark.validation
def test_near_wall_turbulence_in_the_log_layer_matches_openfoam() -> None:
    # measured 0.47 / 0.12 / 0.39 % (k, ω, ν_t): the SST limiter in every cell on the limited
    # velocity gradient, as kOmegaSST with `grad(U) cellLimited leastSquares 1`
    assert _near_wall_difference(5.4) < 0.03
