"""Sweeps in the first hour: plain scripts, dying workers, killed sweeps, shared and tampered stores.

The tests that could hang run the sweep in a child process with a timeout, so a regression fails
instead of blocking the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import rackflow as rf
import sweep_cases
from rackflow.errors import RackflowWarning, SweepError
from rackflow.sweep import Store, Sweep

HERE = Path(__file__).parent
PREAMBLE = f"import sys\nsys.path.insert(0, {str(HERE)!r})\n"


def run_script(path: Path, body: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """Run ``body`` as the script ``path`` (a real file: spawn imports scripts by path)."""
    path.write_text(PREAMBLE + textwrap.dedent(body))
    proc = subprocess.Popen(
        [sys.executable, str(path)],
        cwd=path.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"{path.name} hung (no end within {timeout} s)")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def children(pid: int) -> dict[int, str]:
    """Live child processes of ``pid`` and their command lines (Linux /proc)."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out[int(entry.name)] = cmdline
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


# ----- 1: a script without a main guard; a worker that dies ----------------------------------------
def test_script_without_main_guard_runs_the_sweep(tmp_path: Path) -> None:
    # the README's pattern, saved as a plain script: workers must not re-run it
    result = run_script(
        tmp_path / "plain_script.py",
        f"""
        import json
        import rackflow as rf
        import sweep_cases

        case = sweep_cases.case(sweep_cases.mesh(3))
        sweep = rf.Sweep(case, **{{"power_w.die": [10.0, 20.0, 30.0]}})
        table = sweep.run(store={str(tmp_path / "sweep.parquet")!r}, workers=2, progress=False)
        print("RESULT", json.dumps(list(table["status"])))
        """,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("RESULT") == 1  # the script ran once: not again in each worker
    assert json.loads(result.stdout.split("RESULT", 1)[1]) == ["ok", "ok", "ok"]


def test_builder_in_an_unguarded_script_stops_with_a_sweep_error(tmp_path: Path) -> None:
    # a builder defined in the script: workers must import the script, which then needs the guard
    result = run_script(
        tmp_path / "builder_script.py",
        """
        import sweep_cases
        from rackflow.sweep import Sweep

        def build(cells=3):
            return sweep_cases.case(sweep_cases.mesh(cells))

        Sweep(build, cells=[3, 4]).run(store=None, workers=2, progress=False)
        """,
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("rackflow.errors.SweepError: sweep worker processes die while starting")
    assert 'if __name__ == "__main__":' in last


def test_a_killed_worker_fails_its_point_and_the_sweep_goes_on(tmp_path: Path) -> None:
    store = tmp_path / "s.parquet"
    result = run_script(
        tmp_path / "dying.py",
        f"""
        import json
        import sweep_cases
        from rackflow.sweep import Sweep

        if __name__ == "__main__":
            points = [{{"cells": c, "die": d}} for c, d in [(3, False), (4, True), (5, False), (6, False)]]
            table = Sweep.points(sweep_cases.dying_build, points).run(
                store={str(store)!r}, workers=2, progress=False
            )
            print("RESULT", json.dumps(table[["status", "error"]].to_dict("list")))
        """,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    table = json.loads(result.stdout.split("RESULT", 1)[1])
    assert table["status"] == ["ok", "failed", "ok", "ok"]
    assert table["error"][1] == "worker process died (signal 9: SIGKILL) while solving this point"
    stored = rf.read_sweep(store).set_index("cells")
    assert stored.loc[4, "status"] == "failed" and "signal 9" in stored.loc[4, "error"]


# ----- 5: workers die with the sweep ---------------------------------------------------------------
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_exit_when_the_sweep_process_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "long.py"
    script.write_text(
        PREAMBLE
        + textwrap.dedent(
            """
            import sweep_cases
            from rackflow.sweep import Sweep

            if __name__ == "__main__":
                Sweep(sweep_cases.slow_build, cells=[3, 4, 5, 6], delay_s=[120.0]).run(
                    store=None, workers=2, progress=False
                )
            """
        )
    )
    proc = subprocess.Popen([sys.executable, str(script)], start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        kids: dict[int, str] = {}
        while time.monotonic() < deadline:
            kids = children(proc.pid)
            if sum("spawn_main" in c for c in kids.values()) >= 2:
                break
            assert proc.poll() is None, "the sweep ended before it could be killed"
            time.sleep(0.1)
        assert sum("spawn_main" in c for c in kids.values()) >= 2, kids
        time.sleep(1.0)  # the workers are inside their points (sleeping in the builder)
        kids = children(proc.pid)  # the workers and multiprocessing's resource tracker
        proc.send_signal(signal.SIGKILL)  # the sweep process only, not its group
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in kids):
            time.sleep(0.1)
        left = {pid: c for pid, c in kids.items() if alive(pid)}
        assert not left, f"still running 10 s after the sweep was killed: {left}"
    finally:
        if proc.poll() is None:
            proc.kill()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ----- 11: shared stores ---------------------------------------------------------------------------
def start_together(tmp_path: Path, scripts: list[str]) -> list[subprocess.Popen[str]]:
    """Start scripts that each wait for the same instant (``START``) before their work."""
    start = time.time() + 2.0
    procs = []
    for i, body in enumerate(scripts):
        path = tmp_path / f"writer_{i}.py"
        text = PREAMBLE + f"import time\nSTART = {start!r}\n" + textwrap.dedent(body)
        path.write_text(text)
        procs.append(
            subprocess.Popen(
                [sys.executable, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    return procs


def finish(procs: list[subprocess.Popen[str]], timeout: float = 120.0) -> list[tuple[int, str, str]]:
    out = []
    for p in procs:
        try:
            o, e = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            pytest.fail("a store writer hung")
        out.append((p.returncode, o, e))
    return out


def test_a_starting_sweep_leaves_a_live_writers_temporaries_alone(tmp_path: Path) -> None:
    store = tmp_path / "shared.parquet"
    Store(store)
    writer = """
        from rackflow.sweep import Store
        while time.time() < START:
            time.sleep(0.001)
        store = Store(STORE)
        for i in range(300):
            store.write({"point_id": f"w{i:04d}", "status": "ok", "error": None, "x": float(i)})
        print("WROTE 300")
        """
    cleaner = """
        from rackflow.sweep import Store
        while time.time() < START:
            time.sleep(0.001)
        n = 0
        end = time.time() + 30
        while time.time() < end and len(list(Store(STORE).path.glob("part-*.parquet"))) < 300:
            Store(STORE).clean_temporary()  # what every Sweep.run does first
            n += 1
        print("CLEANED", n)
        """
    procs = start_together(
        tmp_path, [f"STORE = {str(store)!r}\n" + textwrap.dedent(s) for s in (writer, cleaner)]
    )
    (rc_w, out_w, err_w), (rc_c, out_c, err_c) = finish(procs)
    assert rc_w == 0 and "WROTE 300" in out_w, err_w[-3000:]
    assert rc_c == 0 and int(out_c.split("CLEANED")[1]) > 0, err_c[-3000:]
    assert len(rf.read_sweep(store)) == 300


def test_only_temporaries_of_dead_writers_are_cleaned(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(gone.stdout)
    from rackflow.sweep.store import _HOST

    dead = store.tmp_dir / f"{dead_pid}.{_HOST}.0000abcd.part-x.parquet"
    mine = store._tmp_path("part-y.parquet")
    other_host = store.tmp_dir / f"{dead_pid}.ffffffff.0000abcd.part-z.parquet"
    for f in (dead, mine, other_host):
        f.write_bytes(b"half a part")
    assert store.clean_temporary() == 1
    assert not dead.exists() and mine.exists() and other_host.exists()


def test_two_processes_create_the_same_stores_at_once(tmp_path: Path) -> None:
    body = """
        from rackflow.sweep import Store
        while time.time() < START:
            pass
        for i in range(20):
            Store(ROOT + f"/store{i}.parquet").write({"point_id": f"p{i}-{WHO}", "status": "ok", "error": None})
        print("OK")
        """
    procs = start_together(
        tmp_path,
        [f"ROOT = {str(tmp_path)!r}\nWHO = {who!r}\n" + textwrap.dedent(body) for who in ("a", "b")],
    )
    for rc, out, err in finish(procs):
        assert rc == 0 and "OK" in out, err[-3000:]
    for i in range(20):
        assert sorted(rf.read_sweep(tmp_path / f"store{i}.parquet")["point_id"]) == [f"p{i}-a", f"p{i}-b"]


def test_two_sweeps_share_a_store_at_once(tmp_path: Path) -> None:
    store = tmp_path / "shared.parquet"
    body = """
        import sweep_cases
        from rackflow.sweep import Sweep
        if __name__ == "__main__":
            while time.time() < START:
                time.sleep(0.001)
            case = sweep_cases.case(sweep_cases.mesh(3))
            table = Sweep(case, **AXES).run(store=STORE, workers=0, progress=False)
            print("STATUS", sorted(set(table["status"])))
        """
    axes = [
        {"power_w.die": [10.0 * k + 5.0 for k in range(1, 13)]},
        {"htc_w_m2k.zmax": [1e3 * k for k in range(1, 13)]},
    ]
    procs = start_together(
        tmp_path, [f"STORE = {str(store)!r}\nAXES = {a!r}\n" + textwrap.dedent(body) for a in axes]
    )
    for rc, out, err in finish(procs):
        assert rc == 0 and "STATUS ['ok']" in out, err[-3000:]
    # one dataset with both sweeps' columns (each null in the other's rows)
    table = pd.read_parquet(store)
    assert len(table) == 24 and (table["status"] == "ok").all()
    assert table["power_w.die"].notna().sum() >= 12 and table["htc_w_m2k.zmax"].notna().sum() == 12


# ----- 12: tampered stores, bad field files ----------------------------------------------------------
@pytest.fixture(scope="module")
def good_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("good") / "s.parquet"
    Sweep(sweep_cases.case(sweep_cases.mesh(3)), **{"power_w.die": [10.0, 20.0]}).run(
        store=store, workers=0, progress=False
    )
    return store


def copy_store(store: Path, to: Path) -> Path:
    shutil.copytree(store, to / store.name)
    shutil.copytree(store.with_name(store.name + ".rackflow"), to / (store.name + ".rackflow"))
    return to / store.name


@pytest.mark.parametrize(
    ("tamper", "column"),
    [
        (lambda t: t.rename_columns(["stat" if n == "status" else n for n in t.column_names]), "status"),
        (
            lambda t: t.set_column(
                t.schema.get_field_index("max_temperature_c"), "max_temperature_c", pa.array(["hot"])
            ),
            "max_temperature_c",
        ),
        (lambda t: t.drop_columns(["max_temperature_c.die"]), "max_temperature_c.die"),
    ],
    ids=["renamed-status", "metric-as-string", "metric-dropped"],
)
def test_a_tampered_part_names_the_file_and_the_column(
    good_store: Path, tmp_path: Path, tamper: object, column: str
) -> None:
    store = copy_store(good_store, tmp_path)
    part = sorted(store.glob("part-*.parquet"))[0]
    pq.write_table(tamper(pq.read_table(part)), part)  # type: ignore[operator]
    pattern = rf"{part.name}.*'{column}'|'{column}'.*{part.name}"
    with pytest.raises(SweepError, match=pattern):
        rf.read_sweep(store)
    with pytest.raises(SweepError, match=pattern):
        Sweep(sweep_cases.case(sweep_cases.mesh(3)), **{"power_w.die": [10.0, 20.0]}).run(
            store=store, workers=0, progress=False
        )


def test_a_wrong_status_value_is_refused(good_store: Path, tmp_path: Path) -> None:
    store = copy_store(good_store, tmp_path)
    part = sorted(store.glob("part-*.parquet"))[0]
    table = pq.read_table(part)
    pq.write_table(
        table.set_column(table.schema.get_field_index("status"), "status", pa.array(["done"])), part
    )
    with pytest.raises(SweepError, match=rf"'status' of sweep store part .*{part.name}.*'done'"):
        rf.read_sweep(store)


@pytest.mark.parametrize("damage", ["short", "nan", "velocity-shape"])
@pytest.mark.parametrize("kind", ["case", "builder"])
def test_a_bad_field_file_means_a_cold_start(tmp_path: Path, damage: str, kind: str) -> None:
    store = tmp_path / "s.parquet"
    if kind == "case":
        m = sweep_cases.mesh(3)

        def sweep(powers: list[float]) -> Sweep:
            return Sweep(sweep_cases.case(m), **{"power_w.die": powers})
    else:

        def sweep(powers: list[float]) -> Sweep:
            return Sweep(sweep_cases.build, cells=[3], **{"power_w.die": powers})

    first = sweep([50.0]).run(store=store, workers=0, progress=False)
    path = Store(store).fields_path(first["point_id"][0])
    with np.load(path) as data:
        fields = dict(data)
    t = fields["temperature_c"]
    if damage == "short":
        fields["temperature_c"] = t[:-1]
    elif damage == "nan":
        fields["temperature_c"] = np.where(np.arange(t.size) == 2, np.nan, t)
    else:
        fields["velocity_m_s"] = np.zeros((t.size, 2))
    np.savez(path, **fields)
    # the builder's mesh is unknown here: the worker finds that the fields do not fit
    with pytest.warns(RackflowWarning, match=r"unusable|do not fit"):
        table = sweep([50.0, 60.0]).run(store=store, workers=0, progress=False, retry_failed=True)
    assert list(table["status"]) == ["ok", "ok"], table["error"].tolist()
    assert pd.isna(table["warm_start_from"][1])
    direct = sweep_cases.case(sweep_cases.mesh(3), power_w=60.0).solve()
    assert table["max_temperature_c"][1] == pytest.approx(direct.max_temperature_c(), rel=1e-7)


# ----- 13: the store is a plain Parquet dataset ------------------------------------------------------
def test_the_store_reads_directly_with_pandas_and_read_sweep(tmp_path: Path) -> None:
    store = tmp_path / "sweep.parquet"
    # the failed point is written first, before any metric column exists: parts are widened
    sweep = Sweep(sweep_cases.case(sweep_cases.mesh(3)), **{"power_w.die": [10, -5.0, 20.5]})
    table = sweep.run(store=store, workers=2, progress=False)
    assert list(table["status"]) == ["ok", "failed", "ok"]
    direct = pd.read_parquet(store)
    assert sorted(direct.columns) == sorted(table.columns)
    assert len(direct) == 3
    read = rf.read_sweep(store)
    pd.testing.assert_frame_equal(direct, read)
    by_id = direct.set_index("point_id").loc[table["point_id"]]
    np.testing.assert_allclose(by_id["max_temperature_c.die"], table["max_temperature_c.die"])
    assert by_id["power_w.die"].dtype == np.float64  # 10 and 20.5 share one column type
    assert list(by_id["status"]) == ["ok", "failed", "ok"]
    # nothing but Parquet parts in the dataset folder
    assert {p.suffix for p in store.iterdir()} == {".parquet"}
    assert {p.name.startswith("part-") for p in store.iterdir()} == {True}


def test_the_store_reads_with_polars_and_duckdb(good_store: Path) -> None:
    n = len(rf.read_sweep(good_store))
    try:
        import polars as pl
    except ImportError:
        pl = None
    try:
        import duckdb
    except ImportError:
        duckdb = None
    if pl is None and duckdb is None:
        pytest.skip("neither polars nor duckdb is installed")
    if pl is not None:
        assert pl.read_parquet(str(good_store / "*.parquet")).height == n
    if duckdb is not None:
        assert duckdb.sql(f"SELECT count(*) FROM '{good_store}/*.parquet'").fetchall()[0][0] == n


def test_a_format_1_store_still_reads_and_resumes(tmp_path: Path) -> None:
    # build the old layout: marker and field files inside the folder, parts of their own schemas
    m = sweep_cases.mesh(3)
    powers = {"power_w.die": [50.0, -5.0, 60.0]}
    new = tmp_path / "new.parquet"
    first = Sweep(sweep_cases.case(m), **powers).run(store=new, workers=0, progress=False)
    old = tmp_path / "old.parquet"
    old.mkdir()
    (old / "rackflow-sweep-store.json").write_text('{"rackflow_sweep_store": 1}\n')
    for row in rf.read_sweep(new).to_dict("records"):
        row = {k: v for k, v in row.items() if not (isinstance(v, float) and np.isnan(v))}
        row = {k: v for k, v in row.items() if v is not None or k == "error"}
        pq.write_table(pa.Table.from_pylist([row]), old / f"part-{row['point_id']}.parquet")
    for f in Store(new).fields_dir.iterdir():
        shutil.copy(f, old / f"fields-{f.name}")
    # read as it is
    assert not (tmp_path / "old.parquet.rackflow").exists()
    read = rf.read_sweep(old)
    assert sorted(read["point_id"]) == sorted(first["point_id"])
    assert not (tmp_path / "old.parquet.rackflow").exists()  # reading changes nothing
    # a sweep resumes from it (nothing solved again, warm start from the moved field files)
    more = Sweep(sweep_cases.case(m), **{"power_w.die": [50.0, -5.0, 60.0, 55.0]})
    table = more.run(store=old, workers=0, progress=False)
    assert more.last_run["skipped"] == 3 and more.last_run["solved"] == 1
    assert table["warm_start_from"][3] in {first["point_id"][0], first["point_id"][2]}
    # and it is now a format-2 store: plain Parquet, fields beside it
    assert len(pd.read_parquet(old)) == 4
    assert {p.name.startswith("part-") for p in old.iterdir()} == {True}
    assert len(list(Store(old).fields_dir.glob("*.npz"))) == 3
