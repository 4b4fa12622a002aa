"""Sweeps: results equal direct solves, the store resumes and survives SIGKILL, failures are rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rackflow as rf
import sweep_cases
from rackflow.errors import RackflowWarning, SweepError
from rackflow.sweep import Store, Sweep, read_store

HERE = Path(__file__).parent
AXES = {"power_w.die": [50.0, 150.0], "htc_w_m2k.zmax": [2000.0, 8000.0]}


@pytest.fixture(scope="module")
def mesh() -> rf.Mesh:
    return sweep_cases.mesh()


def test_grid_matches_direct_solves_in_process(mesh: rf.Mesh, tmp_path: Path) -> None:
    sweep = Sweep(sweep_cases.case(mesh), **AXES)
    assert len(sweep) == 4
    table = sweep.run(store=tmp_path / "s", workers=0, progress=False)
    assert list(table.columns[:3]) == ["power_w.die", "htc_w_m2k.zmax", "status"]
    assert (table["status"] == "ok").all()
    for _, row in table.iterrows():
        direct = sweep_cases.case(mesh, power_w=row["power_w.die"], htc_w_m2k=row["htc_w_m2k.zmax"]).solve()
        assert row["max_temperature_c.die"] == pytest.approx(direct.max_temperature_c("die"), rel=1e-8)
        assert row["heat_flow_w.zmax"] == pytest.approx(-row["power_w.die"], rel=1e-6)
    # hotter with more power, cooler with more convection
    t = table.set_index(["power_w.die", "htc_w_m2k.zmax"])["max_temperature_c.die"]
    assert t[(150.0, 2000.0)] > t[(50.0, 2000.0)] and t[(150.0, 2000.0)] > t[(150.0, 8000.0)]


def test_processes_give_the_same_table_and_store_resumes(mesh: rf.Mesh, tmp_path: Path) -> None:
    store = tmp_path / "sweep.parquet"
    sweep = Sweep(sweep_cases.case(mesh), **AXES)
    first = sweep.run(store=store, workers=2, progress=False)
    assert sweep.last_run["solved"] == 4 and sweep.last_run["workers"] == 2
    assert set(first["threads"]) == {max(1, (os.cpu_count() or 1) // 2)}
    serial = Sweep(sweep_cases.case(mesh), **AXES).run(
        store=None, workers=0, progress=False, warm_start=False
    )
    np.testing.assert_allclose(first["max_temperature_c.die"], serial["max_temperature_c.die"], rtol=1e-8)
    # a second run with the same store solves nothing and returns the same numbers
    again = Sweep(sweep_cases.case(mesh), **AXES)
    second = again.run(store=store, workers=2, progress=False)
    assert again.last_run == {**again.last_run, "skipped": 4, "solved": 0}
    pd.testing.assert_frame_equal(first, second)
    # the store is plain Parquet: every part reads on its own
    parts = sorted(store.glob("part-*.parquet"))
    assert len(parts) == 4
    assert len(pd.read_parquet(parts[0])) == 1
    assert len(read_store(store)) == 4


def test_changed_case_is_a_different_point(mesh: rf.Mesh, tmp_path: Path) -> None:
    store = tmp_path / "s"
    a = Sweep(sweep_cases.case(mesh), **{"power_w.die": [50.0, 100.0]})
    a.run(store=store, workers=0, progress=False)
    b = Sweep(sweep_cases.case(mesh, htc_w_m2k=1234.0), **{"power_w.die": [50.0, 100.0]})
    b.run(store=store, workers=0, progress=False)
    assert b.last_run["skipped"] == 0 and b.last_run["solved"] == 2
    # and the same case built again hashes the same (stable JSON description)
    c = Sweep(sweep_cases.case(sweep_cases.mesh()), **{"power_w.die": [100.0]})
    c.run(store=store, workers=0, progress=False)
    assert c.last_run["skipped"] == 1


def test_failed_points_are_rows_and_the_sweep_continues(mesh: rf.Mesh, tmp_path: Path) -> None:
    sweep = Sweep(
        sweep_cases.case(mesh), solver_settings={"max_iterations": 60}, **{"power_w.die": [10.0, -5.0, 20.0]}
    )
    table = sweep.run(store=tmp_path / "s", workers=0, progress=False)
    assert list(table["status"]) == ["ok", "failed", "ok"]
    assert "power_w must be finite and non-negative" in table["error"][1]
    assert np.isnan(table["max_temperature_c.die"][1])
    # a point that does not converge is recorded with the solver's error
    diverge = Sweep(
        sweep_cases.case(mesh), solver_settings={"max_iterations": 1}, **{"power_w.die": [10.0, 20.0]}
    )
    t2 = diverge.run(store=tmp_path / "s", workers=0, progress=False)
    assert (t2["status"] == "failed").all()
    assert t2["error"].str.contains("ConvergenceError").all()
    # failed points are not retried unless asked
    again = Sweep(
        sweep_cases.case(mesh), solver_settings={"max_iterations": 1}, **{"power_w.die": [10.0, 20.0]}
    )
    again.run(store=tmp_path / "s", workers=0, progress=False)
    assert again.last_run["skipped"] == 2
    again.run(store=tmp_path / "s", workers=0, progress=False, retry_failed=True)
    assert again.last_run["solved"] == 2


def test_warm_start_uses_nearest_finished_point(mesh: rf.Mesh, tmp_path: Path) -> None:
    powers = [50.0, 60.0, 70.0, 300.0]
    cold = Sweep(sweep_cases.case(mesh), **{"power_w.die": powers}).run(
        store=None, workers=0, progress=False, warm_start=False
    )
    warm = Sweep(sweep_cases.case(mesh), **{"power_w.die": powers}).run(store=None, workers=0, progress=False)
    assert cold["warm_start_from"].isna().all()
    assert pd.isna(warm["warm_start_from"][0])
    # point 2 (70 W) starts from the fields of point 1 (60 W), the nearest, not from point 0
    assert warm["warm_start_from"][2] == warm["point_id"][1]
    assert warm["warm_start_from"][3] == warm["point_id"][2]
    np.testing.assert_allclose(warm["max_temperature_c"], cold["max_temperature_c"], rtol=1e-7)
    # silicon's k(T) needs outer iterations; a start from a neighbour's field needs no more of
    # them (this small case converges in three either way) and fewer linear iterations
    assert warm["outer_iterations"][1:].sum() <= cold["outer_iterations"][1:].sum()
    assert warm["linear_iterations"][1:].sum() < cold["linear_iterations"][1:].sum()


def test_resumed_sweep_warm_starts_from_the_stored_fields(mesh: rf.Mesh, tmp_path: Path) -> None:
    store = tmp_path / "s"
    Sweep(sweep_cases.case(mesh), **{"power_w.die": [50.0, 300.0]}).run(
        store=store, workers=0, progress=False
    )
    files = sorted(p.name for p in Store(store).fields_dir.glob("*.npz"))
    assert len(files) == 2
    # a new process would have nothing in memory: the 60 W point starts from the stored 50 W fields
    more = Sweep(sweep_cases.case(mesh), **{"power_w.die": [50.0, 60.0, 300.0]})
    table = more.run(store=store, workers=2, progress=False)
    assert more.last_run["solved"] == 1
    assert table["warm_start_from"][1] == table["point_id"][0]
    direct = sweep_cases.case(mesh, power_w=60.0).solve()
    assert table["max_temperature_c"][1] == pytest.approx(direct.max_temperature_c(), rel=1e-7)


def test_unusable_field_files_mean_a_cold_start(mesh: rf.Mesh, tmp_path: Path) -> None:
    store = tmp_path / "s"
    first = Sweep(sweep_cases.case(mesh), **{"power_w.die": [50.0]}).run(
        store=store, workers=0, progress=False
    )
    path = Store(store).fields_path(first["point_id"][0])
    # an object array would need pickle to load: it is refused, never unpickled
    np.savez(path, temperature_c=np.array([{"x": 1}], dtype=object), allow_pickle=True)
    sweep = Sweep(sweep_cases.case(mesh), **{"power_w.die": [50.0, 60.0]})
    with pytest.warns(RackflowWarning, match=r"field file .*fields.*unusable"):
        table = sweep.run(store=store, workers=0, progress=False)
    assert pd.isna(table["warm_start_from"][1]) and table["status"][1] == "ok"
    path.write_bytes(b"not a zip file")
    with pytest.warns(RackflowWarning, match="unusable"):
        assert Store(store).read_fields(first["point_id"][0]) is None


def test_points_and_latin_hypercube(mesh: rf.Mesh) -> None:
    pts = Sweep.points(sweep_cases.case(mesh), [{"power_w.die": 10.0}, {"power_w.die": 30.0}])
    assert pts.point_list == [{"power_w.die": 10.0}, {"power_w.die": 30.0}]
    lhs = Sweep.latin_hypercube(
        sweep_cases.case(mesh),
        n=8,
        seed=3,
        **{"power_w.die": (10.0, 90.0), "material.base": ["copper", "al6061"]},
    )
    p = np.array([q["power_w.die"] for q in lhs.point_list])
    # one point in each of the 8 strata of [10, 90]
    assert sorted(np.floor((p - 10.0) / 10.0).astype(int)) == list(range(8))
    assert sorted(q["material.base"] for q in lhs.point_list).count("copper") == 4
    same = Sweep.latin_hypercube(
        sweep_cases.case(mesh),
        n=8,
        seed=3,
        **{"power_w.die": (10.0, 90.0), "material.base": ["copper", "al6061"]},
    )
    assert same.point_list == lhs.point_list
    table = Sweep.points(
        sweep_cases.case(mesh), [{"material.base": "al6061"}, {"material.base": "copper"}]
    ).run(store=None, workers=0, progress=False)
    # aluminium conducts worse than copper: the die runs hotter
    assert table["max_temperature_c.die"][0] > table["max_temperature_c.die"][1]


def test_builder_sweep_in_processes(tmp_path: Path) -> None:
    sweep = Sweep(sweep_cases.build, cells=[3, 5], **{"htc_w_m2k.zmax": [3000.0, 6000.0]})
    assert sweep.builder_axes == ["cells"]
    table = sweep.run(store=tmp_path / "b", workers=2, progress=False)
    assert (table["status"] == "ok").all(), table["error"].tolist()
    direct = sweep_cases.build(cells=5)
    direct.convective("zmax", htc_w_m2k=6000.0, ambient_c=30.0)
    row = table[(table["cells"] == 5) & (table["htc_w_m2k.zmax"] == 6000.0)].iloc[0]
    assert row["max_temperature_c.die"] == pytest.approx(direct.solve().max_temperature_c("die"), rel=1e-8)


@pytest.mark.parametrize(
    ("axes", "match"),
    [
        ({"nonsense.die": [1.0]}, "unknown sweep axis 'nonsense.die'"),
        ({"power_w": [1.0]}, "needs a target"),
        ({"power_w.nowhere": [1.0]}, "power_w.nowhere"),
        ({"htc_w_m2k.zmin": [1.0]}, "patch 'zmin' has no condition"),
        ({"resistance_m2k_w.die+base": [1e-5]}, "<a>-<b>"),
        ({"flow_lpm": [1.0]}, r"flow_lpm.*inlets \[\]"),
        ({"power_w.die": []}, "has no values"),
        ({"power_w.die": 5.0}, "needs a list"),
    ],
)
def test_bad_axes_name_the_axis(mesh: rf.Mesh, axes: dict, match: str) -> None:
    with pytest.raises(SweepError, match=match):
        Sweep(sweep_cases.case(mesh), **axes)


def test_contact_axis(mesh: rf.Mesh) -> None:
    table = Sweep(sweep_cases.case(mesh), **{"resistance_m2k_w.die-base": [1e-6, 1e-4]}).run(
        store=None, workers=0, progress=False
    )
    assert table["max_temperature_c.die"][1] > table["max_temperature_c.die"][0]


def test_malformed_stores_name_the_file(mesh: rf.Mesh, tmp_path: Path) -> None:
    sweep = Sweep(sweep_cases.case(mesh), **{"power_w.die": [10.0, 20.0]})
    a_file = tmp_path / "plain.parquet"
    a_file.write_bytes(b"PAR1 not really")
    with pytest.raises(SweepError, match=r"plain\.parquet' is a file"):
        sweep.run(store=a_file, workers=0, progress=False)
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(SweepError, match="not a rackflow sweep store"):
        sweep.run(store=foreign, workers=0, progress=False)
    store = tmp_path / "good"
    sweep.run(store=store, workers=0, progress=False)
    part = sorted(store.glob("part-*.parquet"))[0]
    part.write_bytes(b"garbage")
    with pytest.raises(SweepError, match=part.name):
        sweep.run(store=store, workers=0, progress=False)
    (tmp_path / "good.rackflow" / "store.json").write_text("{not json")
    with pytest.raises(SweepError, match=r"marker .* is malformed"):
        Store(store)


def test_sigkill_leaves_a_readable_store_and_resume_finishes(tmp_path: Path) -> None:
    store = tmp_path / "killed"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(HERE)!r})
        from rackflow.sweep import Sweep
        import sweep_cases
        if __name__ == "__main__":
            Sweep(sweep_cases.slow_build, cells=[3, 4, 5, 6, 7, 8], delay_s=[0.4]).run(
                store={str(store)!r}, workers=1, progress=False)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(list(store.glob("part-*.parquet"))) < 2:
            time.sleep(0.05)
            assert proc.poll() is None, "the sweep ended before it could be killed"
        # kill the whole group (parent and its worker) without warning
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    stored = read_store(store)
    assert 2 <= len(stored) < 6
    assert (stored["status"] == "ok").all()
    # delay_s is part of the point, so the resume uses the same value
    sweep = Sweep(sweep_cases.slow_build, cells=[3, 4, 5, 6, 7, 8], delay_s=[0.4])
    table = sweep.run(store=store, workers=0, progress=False)
    assert sweep.last_run["skipped"] == len(stored)
    assert (table["status"] == "ok").all() and len(table) == 6
    # the killed run's temporaries (its process is gone) were cleaned; the folder holds only parts
    assert not list(Store(store).tmp_dir.iterdir())
    assert {p.name.startswith("part-") for p in store.iterdir()} == {True}


def test_progress_bar_reports_failures(mesh: rf.Mesh, capsys: pytest.CaptureFixture[str]) -> None:
    Sweep(sweep_cases.case(mesh), **{"power_w.die": [10.0, -1.0]}).run(store=None, workers=0, progress=True)
    err = capsys.readouterr().err
    assert "2/2" in err and "failed=1" in err
