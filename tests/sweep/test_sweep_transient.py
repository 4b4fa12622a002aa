"""Sweeps over transient cases: each row holds the largest value of every summary metric over
the run, each point's time series is kept in the store, and a re-run resumes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rackflow as rf
from rackflow import casefile
from rackflow.errors import SweepError
from rackflow.sweep import Sweep
from rackflow.testing.meshes import box
from rackflow.transient import run_transient

REGIONS = {"die": lambda c: c[:, 2] < 0.002, "base": lambda c: c[:, 2] >= 0.002}
TRANSIENT = {"end_time_s": 10.0, "time_step_s": 0.5, "output_interval_s": 1.0}
HTC = [1000.0, 4000.0]


def _case() -> rf.Case:
    case = rf.Case(rf.Mesh.from_meshio(box((4, 4, 4), (0.04, 0.04, 0.008), regions=REGIONS)))
    case.solid(
        "die", "silicon", power_w=rf.Profile(time_s=[0.0, 1.0, 1.5, 6.0, 6.5], value=[10, 10, 60, 60, 10])
    )
    case.solid("base", "copper")
    case.convective("zmax", htc_w_m2k=2000.0, ambient_c=25.0)
    return case


@pytest.mark.parametrize("workers", [0, 1])
def test_transient_sweep_rows_and_series(workers: int, tmp_path: Path) -> None:
    case = _case()
    store = tmp_path / "sweep.parquet"
    sweep = Sweep(case, transient=TRANSIENT, **{"htc_w_m2k.zmax": HTC})
    table = sweep.run(store=store, workers=workers, progress=False)
    assert list(table["status"]) == ["ok", "ok"]
    series = rf.read_sweep_series(store)
    assert len(series) == 2 * 11 and set(series["point_id"]) == set(table["point_id"])
    for htc, (_, row) in zip(HTC, table.iterrows(), strict=True):
        case.convective("zmax", htc_w_m2k=htc, ambient_c=25.0)
        direct = run_transient(case, TRANSIENT)
        peak = direct.step_max_temperature_c("die").max()
        assert row["max_temperature_c.die"] == pytest.approx(peak, abs=1e-6)
        assert row["max_temperature_c"] == pytest.approx(peak, abs=1e-6)
        assert row["power_w.die"] == pytest.approx(60.0)
        assert row["steps_accepted"] == direct.report["steps_accepted"]
        mine = series[series["point_id"] == row["point_id"]]
        assert list(mine["time_s"]) == pytest.approx(list(direct.times_s))
        assert np.allclose(mine["max_temperature_c.die"], direct.max_temperature_c("die"), atol=1e-6)
        assert np.allclose(
            sweep.series[row["point_id"]]["heat_flow_w.zmax"], direct.heat_flow_w("zmax"), atol=1e-6
        )
    # a weaker heat-transfer coefficient runs hotter
    assert table["max_temperature_c.die"].iloc[0] > table["max_temperature_c.die"].iloc[1] + 1.0
    # resumed: nothing solved again, the series come back from the store
    again = Sweep(case, transient=TRANSIENT, **{"htc_w_m2k.zmax": HTC})
    again.run(store=store, workers=0, progress=False)
    assert again.last_run["skipped"] == 2 and again.last_run["solved"] == 0
    assert set(again.series) == set(table["point_id"])


def test_transient_and_steady_points_are_different_points(tmp_path: Path) -> None:
    store = tmp_path / "sweep.parquet"
    Sweep(_case(), **{"htc_w_m2k.zmax": HTC}).run(store=store, workers=0, progress=False)
    sweep = Sweep(_case(), transient=TRANSIENT, **{"htc_w_m2k.zmax": HTC})
    sweep.run(store=store, workers=0, progress=False)
    assert sweep.last_run["solved"] == 2


def test_a_case_file_sweep_with_a_transient_table(tmp_path: Path) -> None:
    import meshio

    mesh_path = tmp_path / "block.msh"
    meshio.write(
        mesh_path, box((4, 4, 4), (0.04, 0.04, 0.008), regions=REGIONS), file_format="gmsh22", binary=False
    )
    case = _case()
    loaded_mesh = rf.load_mesh(mesh_path)
    on_file = rf.Case(loaded_mesh)
    for region, spec in case.solids.items():
        on_file.solid(region, spec.material, power_w=case.profiles.get(("power_w", region), spec.power_w))
    on_file.convective("zmax", htc_w_m2k=2000.0, ambient_c=25.0)
    path = tmp_path / "plate.toml"
    on_file.to_toml(path, sweep={"axes": {"htc_w_m2k.zmax": HTC}}, transient=TRANSIENT)
    sweep = Sweep.from_casefile(casefile.load(path))
    assert sweep.transient == TRANSIENT
    table = sweep.run(store=None, workers=0, progress=False)
    assert (table["status"] == "ok").all() and "steps_accepted" in table.columns
    assert len(sweep.series) == 2


def test_a_bad_transient_table_is_refused() -> None:
    with pytest.raises(SweepError, match="end_time_s"):
        Sweep(_case(), transient={"time_step_s": 0.1}, **{"htc_w_m2k.zmax": HTC})


def test_axes_keep_the_profiles_of_the_inputs_they_do_not_set() -> None:
    from rackflow.sweep import apply_axis

    case = _case()
    ambient = rf.Profile(time_s=[0.0, 5.0], value=[25.0, 30.0])
    case.convective("zmax", htc_w_m2k=2000.0, ambient_c=ambient)
    power = case.profiles[("power_w", "die")]
    apply_axis(case, "material.die", "copper")
    apply_axis(case, "htc_w_m2k.zmax", 3000.0)
    assert case.profiles[("power_w", "die")] == power
    assert case.profiles[("temperature", "zmax")] == ambient
    # the axis that sets the profiled input replaces its profile
    apply_axis(case, "ambient_c.zmax", 20.0)
    assert ("temperature", "zmax") not in case.profiles


def test_inlet_axes_keep_the_other_inlet_profile() -> None:
    from rackflow.sweep import apply_axis

    case = rf.Case(rf.Mesh.from_meshio(box((4, 2, 2), (0.01, 0.002, 0.002))))
    case.fluid("box", "water")
    flow = rf.Profile(time_s=[0.0, 1.0], value=[0.1, 0.2])
    inlet_t = rf.Profile(time_s=[0.0, 1.0], value=[20.0, 30.0])
    case.inlet("xmin", flow_lpm=flow, temperature_c=20.0)
    case.outlet("xmax")
    apply_axis(case, "inlet_temperature_c", 25.0)
    assert case.profiles[("flow_lpm", "xmin")] == flow
    case.inlet("xmin", flow_lpm=0.1, temperature_c=inlet_t)
    apply_axis(case, "flow_lpm", 0.3)
    assert case.profiles[("temperature", "xmin")] == inlet_t
    assert ("flow_lpm", "xmin") not in case.profiles
