"""The same sweep on a Dask LocalCluster (two worker processes, loopback only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sweep_cases
from rackflow.sweep import Sweep

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, host="127.0.0.1"
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_dask_matches_local_and_shares_the_store(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    mesh = sweep_cases.mesh()
    axes = {"power_w.die": [40.0, 80.0, 120.0], "htc_w_m2k.zmax": [3000.0, 9000.0]}
    store = tmp_path / "dask.parquet"
    sweep = Sweep(sweep_cases.case(mesh), **axes)
    table = sweep.run(store=store, client=client, progress=False)
    assert (table["status"] == "ok").all(), table["error"].tolist()
    assert sweep.last_run["solved"] == 6 and sweep.last_run["workers"] == 2
    # two single-threaded workers on this host share its cores
    assert set(table["threads"]) == {
        max(1, (client.run(lambda: __import__("os").cpu_count()).popitem()[1]) // 2)
    }
    # the first two points start cold (nothing had finished); every later one starts from the
    # fields of a finished point, sent to the Dask worker
    sources = table["warm_start_from"].dropna()
    assert len(sources) == 4 and set(sources) <= set(table["point_id"])
    local = Sweep(sweep_cases.case(mesh), **axes).run(store=None, workers=0, progress=False)
    np.testing.assert_allclose(table["max_temperature_c.die"], local["max_temperature_c.die"], rtol=1e-7)
    # resuming locally from the Dask-written store solves nothing
    again = Sweep(sweep_cases.case(mesh), **axes)
    again.run(store=store, workers=0, progress=False)
    assert again.last_run["skipped"] == 6


def test_dask_builder_and_failures(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sweep = Sweep(sweep_cases.build, cells=[3, 4], power_w=[20.0, -1.0])
    table = sweep.run(store=tmp_path / "b", client=client, progress=False)
    assert list(table["status"]) == ["ok", "failed", "ok", "failed"]
    assert table["error"].dropna().str.contains("power_w must be finite and non-negative").all()


def test_missing_dask_is_a_clear_error(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from rackflow.errors import SweepError

    monkeypatch.setitem(__import__("sys").modules, "distributed", None)
    sweep = Sweep(sweep_cases.case(sweep_cases.mesh(3)), **{"power_w.die": [1.0]})
    with pytest.raises(SweepError, match=r"needs dask: pip install 'rackflow\[dask\]'"):
        sweep.run(store=None, client="tcp://127.0.0.1:1", progress=False)
