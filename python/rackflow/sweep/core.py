"""Parameter sweeps: grids, point lists and Latin hypercubes over case parameters.

``Sweep(case, **axes).run(store=...)`` solves every point in worker processes (or on a Dask
cluster), appends each finished point to a resumable Parquet store, warm-starts each point from
the nearest finished one, and returns one table row per point.
"""

from __future__ import annotations

import concurrent.futures as cf
import inspect
import itertools
import math
import os
import pickle
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rackflow import casefile
from rackflow.errors import CaseError, MaterialError, RackflowWarning, SweepError
from rackflow.sweep.axes import AXES, apply_axis, parse_axis
from rackflow.sweep.pool import WorkerPool
from rackflow.sweep.store import Store
from rackflow.sweep.worker import Payload, init_worker, run_point

if TYPE_CHECKING:
    import pandas as pd

    from rackflow.case import Case

Builder = Callable[..., "Case"]

#: Columns every sweep table has after the inputs, in this order.
STATUS_COLUMNS = ["status", "error"]
TRAILING_COLUMNS = ["wall_time_s", "threads", "warm_start_from", "point_id"]

#: Finished points whose fields a sweep keeps in memory for warm starts (older ones are read back
#: from the store's field files when they are the nearest).
FIELDS_IN_MEMORY = 32


def _plain(value: Any) -> Any:
    """JSON/Parquet-friendly scalar (numpy scalars become Python ones)."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise SweepError(f"sweep values must be finite, got {value}")
    return value


def _copy_case(case: Case) -> Case:
    arrays: dict[str, np.ndarray] = {}
    description = casefile.case_to_dict(case, mesh={"digest": "-"}, arrays=arrays)
    return casefile.case_from_dict(description, mesh=case.mesh, arrays=arrays).case


class Sweep:
    """A set of points over case parameters.

    Parameters
    ----------
    case_or_builder
        A :class:`~rackflow.case.Case` whose parameters the axes change, or a function
        ``build(**params) -> Case`` for parameters that change the mesh (channel count, fin
        thickness...). A builder must be importable by name (defined at module level) because
        worker processes call it. Worker processes do not run the script that starts the sweep
        (it needs no ``if __name__ == "__main__":`` guard), unless the builder is defined in that
        script: then they import it, and it needs the guard.
    solver_settings
        Keywords for :meth:`Case.solve` used at every point (``tolerance``, ``max_iterations``...).
        ``threads`` is chosen per worker unless given here.
    transient
        Solve every point in time: the keywords of a case file's ``[transient]`` table
        (``end_time_s``, ``time_step_s``, ``output_times_s`` or ``output_interval_s``,
        ``step_tolerance_k``, ``initial_temperature_c``; see
        :func:`rackflow.transient.run_transient`). Each point starts from its steady solution
        (warm-started from the nearest finished point) unless ``initial_temperature_c`` is given.
        A row then holds the largest value over the run of every summary metric (region
        temperatures at every accepted step; see
        :func:`rackflow.transient.transient_metrics`), and the point's time series (every metric
        at every output time) is kept in the store (:func:`rackflow.read_sweep_series`) and in
        :attr:`series` (``point_id`` → DataFrame) after :meth:`run`.
    **axes
        ``name=[values]``: the full grid (Cartesian product) of all axes. Names are
        ``<quantity>.<target>`` (see :data:`rackflow.sweep.axes.AXES`) or, with a builder, its
        parameter names. Dotted names go through ``**{"power_w.die": [...]}``.

    Examples
    --------
    >>> sweep = Sweep(case, **{"htc_w_m2k.coolant_side": [5e3, 1e4, 2e4]})   # doctest: +SKIP
    >>> table = sweep.run(store="sweep.parquet")                              # doctest: +SKIP
    """

    def __init__(
        self,
        case_or_builder: Case | Builder,
        /,
        *,
        solver_settings: Mapping[str, Any] | None = None,
        transient: Mapping[str, Any] | None = None,
        **axes: Sequence[Any],
    ) -> None:
        for name, values in axes.items():
            if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
                raise SweepError(f"sweep axis '{name}' needs a list of values, got {values!r}")
            if len(values) == 0:
                raise SweepError(f"sweep axis '{name}' has no values")
        points = [
            dict(zip(axes, combo, strict=True))
            for combo in itertools.product(*(list(v) for v in axes.values()))
        ]
        self._init(case_or_builder, points, solver_settings, mode="grid", transient=transient)

    # ----- other designs ---------------------------------------------------------------------
    @classmethod
    def points(
        cls,
        case_or_builder: Case | Builder,
        points: Sequence[Mapping[str, Any]],
        *,
        solver_settings: Mapping[str, Any] | None = None,
        transient: Mapping[str, Any] | None = None,
    ) -> Sweep:
        """An explicit list of points, each a dict of axis values (all with the same axes)."""
        if not points:
            raise SweepError("Sweep.points needs at least one point")
        names = list(points[0])
        for i, p in enumerate(points):
            if not isinstance(p, Mapping):
                raise SweepError(f"point {i} must be a dict of axis values, got {type(p).__name__}")
            if list(p) != names and set(p) != set(names):
                raise SweepError(f"point {i} has axes {sorted(p)}, point 0 has {sorted(names)}")
        self = cls.__new__(cls)
        self._init(
            case_or_builder, [dict(p) for p in points], solver_settings, mode="points", transient=transient
        )
        return self

    @classmethod
    def latin_hypercube(
        cls,
        case_or_builder: Case | Builder,
        *,
        n: int,
        seed: int = 0,
        solver_settings: Mapping[str, Any] | None = None,
        transient: Mapping[str, Any] | None = None,
        **ranges: Any,
    ) -> Sweep:
        """``n`` points, one in each of ``n`` equal strata of every axis, randomly paired.

        A range is ``(low, high)`` (uniform in between) or a list of choices (each used about
        ``n / len(choices)`` times).
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise SweepError(f"latin_hypercube needs a positive integer n, got {n!r}")
        rng = np.random.default_rng(seed)
        columns: dict[str, list[Any]] = {}
        for name, spec in ranges.items():
            strata = (rng.permutation(n) + rng.uniform(size=n)) / n
            if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(v, int | float) for v in spec):
                lo, hi = float(spec[0]), float(spec[1])
                if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
                    raise SweepError(f"latin_hypercube range '{name}' needs low < high, got {spec}")
                columns[name] = [lo + s * (hi - lo) for s in strata]
            elif isinstance(spec, list) and spec:
                columns[name] = [spec[min(int(s * len(spec)), len(spec) - 1)] for s in strata]
            else:
                raise SweepError(
                    f"latin_hypercube range '{name}' must be (low, high) or a list of choices, got {spec!r}"
                )
        if not columns:
            raise SweepError("latin_hypercube needs at least one range")
        points = [{k: v[i] for k, v in columns.items()} for i in range(n)]
        self = cls.__new__(cls)
        self._init(case_or_builder, points, solver_settings, mode="latin_hypercube", transient=transient)
        return self

    @classmethod
    def from_casefile(cls, loaded: casefile.CaseFile) -> Sweep:
        """The sweep a case file's ``[sweep]`` table describes."""
        spec = loaded.sweep
        if not spec:
            where = loaded.path or "the case file"
            raise SweepError(f"{where} has no [sweep] table")
        mode = spec.get("mode", "grid")
        settings = loaded.solver
        transient = loaded.transient
        if mode == "points":
            return cls.points(loaded.case, spec["points"], solver_settings=settings, transient=transient)
        if mode == "latin_hypercube":
            ranges = {
                k: (tuple(v) if len(v) == 2 and all(isinstance(x, int | float) for x in v) else list(v))
                for k, v in spec["axes"].items()
            }
            return cls.latin_hypercube(
                loaded.case,
                n=spec["n"],
                seed=spec.get("seed", 0),
                solver_settings=settings,
                transient=transient,
                **ranges,
            )
        return cls(loaded.case, solver_settings=settings, transient=transient, **spec["axes"])

    # ----- set-up ----------------------------------------------------------------------------
    def _init(
        self,
        case_or_builder: Case | Builder,
        points: list[dict[str, Any]],
        solver_settings: Mapping[str, Any] | None,
        mode: str,
        transient: Mapping[str, Any] | None = None,
    ) -> None:
        from rackflow.case import Case

        self.mode = mode
        self.solver_settings = dict(solver_settings or {})
        self.transient = _checked_transient(transient)
        #: time series of the transient points of the last :meth:`run` (point_id → DataFrame)
        self.series: dict[str, pd.DataFrame] = {}
        self.point_list = [{k: _plain(v) for k, v in p.items()} for p in points]
        self.axes = list(self.point_list[0]) if self.point_list else []
        if isinstance(case_or_builder, Case):
            self.case: Case | None = case_or_builder
            self.builder: Builder | None = None
            self.builder_axes: list[str] = []
            self._check_case_axes()
        elif callable(case_or_builder):
            self.case = None
            self.builder = case_or_builder
            self._split_builder_axes()
        else:
            raise SweepError(
                f"Sweep needs a rackflow Case or a function build(**params) -> Case, got {type(case_or_builder).__name__}"
            )
        try:
            casefile.description_digest(self.solver_settings)
        except (TypeError, ValueError):
            raise SweepError("solver_settings must be plain numbers and strings") from None

    def _check_case_axes(self) -> None:
        assert self.case is not None
        for name in self.axes:
            parse_axis(name)
            first = self.point_list[0][name]
            try:
                apply_axis(_copy_case(self.case), name, first)
            except (CaseError, MaterialError) as e:
                raise SweepError(f"sweep axis '{name}' does not apply to this case: {e}") from None

    def _split_builder_axes(self) -> None:
        assert self.builder is not None
        try:
            sig = inspect.signature(self.builder)
        except (TypeError, ValueError):
            sig = None
        takes_any = sig is None or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values()
        )
        names = set(sig.parameters) if sig is not None else set()
        self.builder_axes = []
        for name in self.axes:
            if name in names or (takes_any and "." not in name and name.partition(".")[0] not in AXES):
                self.builder_axes.append(name)
            else:
                try:
                    parse_axis(name)
                except SweepError:
                    raise SweepError(
                        f"sweep axis '{name}' is neither a parameter of {self._builder_name()} "
                        f"{sorted(names)} nor a case quantity {sorted(AXES)}"
                    ) from None

    def _builder_name(self) -> str:
        b = self.builder
        return f"{getattr(b, '__module__', '?')}.{getattr(b, '__qualname__', repr(b))}"

    def __len__(self) -> int:
        return len(self.point_list)

    def __repr__(self) -> str:
        what = self._builder_name() if self.builder is not None else repr(self.case)
        return f"Sweep({self.mode}, {len(self)} points over {self.axes} of {what})"

    # ----- points as tasks --------------------------------------------------------------------
    def _tasks(self) -> tuple[list[dict[str, Any]], Payload | None, list[dict[str, Any]]]:
        """Per-point tasks, the per-worker payload, and rows of points that fail before solving."""
        tasks: list[dict[str, Any]] = []
        early: list[dict[str, Any]] = []
        payload: Payload | None = None
        if self.case is not None:
            mesh = self.case.mesh
            arrays: dict[str, np.ndarray] = {}
            digest = casefile.mesh_digest(mesh)
            for index, point in enumerate(self.point_list):
                try:
                    case = _copy_case(self.case)
                    for name, value in point.items():
                        apply_axis(case, name, value)
                    description = casefile.case_to_dict(case, mesh={"digest": digest}, arrays=arrays)
                    error = None
                except (CaseError, MaterialError) as e:
                    description = {"mesh": {"digest": digest}, "base": "invalid", "point": point}
                    error = f"{type(e).__name__}: {e}"
                point_id = casefile.description_digest(
                    {"case": description, "settings": self.solver_settings, **self._transient_key()}
                )[:20]
                task = {
                    "index": index,
                    "point_id": point_id,
                    "params": point,
                    "description": description,
                    "settings": self.solver_settings,
                    "transient": self.transient,
                }
                if error is not None:
                    early.append({**point, "status": "failed", "error": error, "point_id": point_id})
                tasks.append(task)
            payload = Payload(digest=digest, flat=mesh._flat, source=mesh.source, arrays=arrays)
        else:
            identity = {"builder": self._builder_name(), "source": _source_digest(self.builder)}
            axis_modules = sorted(
                {
                    m
                    for m in (
                        getattr(parse_axis(k)[0].setter, "__module__", None)
                        for k in self.axes
                        if k not in self.builder_axes
                    )
                    if m and m != "__main__"
                }
            )
            for index, point in enumerate(self.point_list):
                point_id = casefile.description_digest(
                    {
                        "builder": identity,
                        "point": point,
                        "settings": self.solver_settings,
                        **self._transient_key(),
                    }
                )[:20]
                tasks.append(
                    {
                        "index": index,
                        "point_id": point_id,
                        "params": point,
                        "builder": self.builder,
                        "builder_params": {k: point[k] for k in self.builder_axes},
                        "setter_params": {k: v for k, v in point.items() if k not in self.builder_axes},
                        "axis_modules": axis_modules,
                        "settings": self.solver_settings,
                        "transient": self.transient,
                    }
                )
        return tasks, payload, early

    def _transient_key(self) -> dict[str, Any]:
        """What a transient sweep adds to each point's hash (nothing for a steady one, so the
        ids of steady points are unchanged)."""
        return {} if self.transient is None else {"transient": self.transient}

    # ----- running ----------------------------------------------------------------------------
    def run(
        self,
        store: str | Path | None = "sweep.parquet",
        workers: int | None = None,
        client: Any = None,
        progress: bool = True,
        *,
        warm_start: bool = True,
        retry_failed: bool = False,
    ) -> pd.DataFrame:
        """Solve every point; returns one row per point (inputs, status, error, metrics, timing).

        Parameters
        ----------
        store
            Folder of the resumable Parquet store (created if missing; ``None`` keeps nothing).
            Points already in it (same case, point and settings) are not solved again. The
            folder is a plain Parquet dataset (``pandas.read_parquet(store)``,
            :func:`rackflow.read_sweep`); rackflow's bookkeeping and the field files live in the
            folder ``<store>.rackflow`` beside it. Several sweeps, in several processes, may
            share a store.
        workers
            Local worker processes (default: the number of cores, at most the number of points).
            ``0`` solves in this process, which is handy in a debugger. Each worker's solver gets
            ``cores // workers`` threads, so the machine is not oversubscribed.
            A worker process that dies (segfault, out-of-memory kill) fails the point it held,
            with the cause in ``error``, and a new worker takes its place; workers that die while
            starting stop the sweep with a :class:`~rackflow.errors.SweepError`. Workers exit
            when this process dies.
        client
            A ``distributed.Client`` (or a scheduler address ``"tcp://host:8786"``): run the
            points on that Dask cluster instead, with the same store and semantics.
        progress
            Show a tqdm progress bar (points done, ETA, failures) on stderr.

        warm_start
            Start each point from the full fields (temperatures and, with coolant flow, velocity,
            pressure and face mass fluxes) of the nearest finished point on the same mesh (see
            ``Case.solve(initial=...)``); the flow is scaled by the ratio of the flow rates. Each
            row's ``warm_start_from`` names that point's ``point_id``. With a store, each point's
            fields are also kept beside it (``<store>.rackflow/fields/<point_id>.npz``, plain
            NumPy arrays read without pickle) so resumed sweeps warm-start too. Fields that do
            not fit (wrong shape, not finite) are ignored with a warning: that point starts cold.
        retry_failed
            Solve points again that the store records as failed.
        """
        import pandas as pd

        tasks, payload, early = self._tasks()
        self.series = {}
        st = Store(store) if store is not None else None
        if st is not None:
            st.clean_temporary()
            st.check_rows(self.point_list)  # a column type clash stops the sweep before it starts
        rows: dict[str, dict[str, Any]] = {}
        if st is not None:
            own = set(self.axes) | set(STATUS_COLUMNS) | set(TRAILING_COLUMNS)
            for row in st.read_rows(t["point_id"] for t in tasks):
                if row.get("status") == "ok" or not retry_failed:
                    # the store's other columns (other sweeps' axes and metrics) are null here
                    rows[row["point_id"]] = {k: v for k, v in row.items() if v is not None or k in own}
        for row in early:
            if row["point_id"] not in rows:
                rows[row["point_id"]] = row
                if st is not None:
                    st.write(row)
        pending = [t for t in tasks if t["point_id"] not in rows]
        skipped = len(tasks) - len(pending)
        self.last_run = {"skipped": skipped, "solved": 0, "failed": 0, "wall_time_s": 0.0}

        bar = _progress_bar(len(tasks), skipped, progress)
        failures = sum(1 for r in rows.values() if r.get("status") != "ok")
        start = time.perf_counter()
        try:
            if pending:
                runner = _Runner(self, st, payload, workers, client, warm_start)
                for row in runner.run(pending, list(rows.values())):
                    rows[row["point_id"]] = row
                    failures += row["status"] != "ok"
                    self.last_run["solved"] += 1
                    self.last_run["failed"] += row["status"] != "ok"
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix(failed=failures, refresh=False)
                self.last_run["workers"] = runner.n_slots
        finally:
            if bar is not None:
                bar.close()
        self.last_run["wall_time_s"] = time.perf_counter() - start

        if self.transient is not None and st is not None:
            for t in tasks:  # points from the store: their series too
                pid = t["point_id"]
                if pid not in self.series and rows[pid].get("status") == "ok":
                    frame = st.read_series(pid)
                    if frame is not None:
                        self.series[pid] = frame
        index = {t["point_id"]: t for t in tasks}
        ordered = []
        for t in tasks:
            row = dict(rows[t["point_id"]])
            for k, v in t["params"].items():
                row[k] = v  # inputs win over a same-named metric (power_w.<region> equals its input)
            ordered.append(row)
        del index
        table = pd.DataFrame.from_records(ordered)
        metrics = [
            c for c in table.columns if c not in set(self.axes) | set(STATUS_COLUMNS) | set(TRAILING_COLUMNS)
        ]
        for c in [*STATUS_COLUMNS, *TRAILING_COLUMNS]:
            if c not in table.columns:
                table[c] = None
        return table[[*self.axes, *STATUS_COLUMNS, *metrics, *TRAILING_COLUMNS]]


def _checked_transient(transient: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A sweep's ``transient=`` table, checked as a case file's ``[transient]`` table is."""
    if transient is None:
        return None
    if not isinstance(transient, Mapping):
        raise SweepError(f"transient must be a table of solve_transient keywords, got {transient!r}")
    problems = casefile._Problems(None)
    plain = {
        k: _plain(v) if not isinstance(v, list | tuple) else [_plain(x) for x in v]
        for k, v in transient.items()
    }
    casefile._check_transient(problems, plain)
    if problems.items:
        raise SweepError("sweep transient: " + " | ".join(problems.items))
    return plain


def _source_digest(builder: Any) -> str:
    """Digest of a builder's source, so editing the builder invalidates stored points."""
    try:
        text = inspect.getsource(builder)
    except (OSError, TypeError):
        text = ""
    return casefile.description_digest({"source": text})[:16]


def _progress_bar(total: int, initial: int, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is in the sweep extra; no bar without it
        return None
    return tqdm(total=total, initial=initial, unit="point", desc="sweep", dynamic_ncols=True)


def _distance(a: Mapping[str, Any], b: Mapping[str, Any], scale: Mapping[str, float]) -> float:
    d = 0.0
    for k, va in a.items():
        vb = b.get(k)
        if isinstance(va, int | float) and isinstance(vb, int | float) and not isinstance(va, bool):
            d += ((va - vb) / scale.get(k, 1.0)) ** 2
        elif va != vb:
            d += 1.0
    return d


class _Runner:
    """The scheduling loop shared by local processes and Dask: keep every slot busy, and give each
    new point the fields of the nearest finished point as its start."""

    def __init__(
        self,
        sweep: Sweep,
        store: Store | None,
        payload: Payload | None,
        workers: int | None,
        client: Any,
        warm_start: bool,
    ) -> None:
        self.sweep = sweep
        self.store = store
        self.payload = payload
        self.warm_start = warm_start
        self.client = client
        self.workers = workers
        self.n_slots = 1
        self._payload_arg: Any = None
        self._own_client: Any = None  # a Client this runner opened from an address, closed at the end
        self._scale: dict[str, float] = {}
        #: point_id -> fields of finished points (most recent last), for warm starts
        self._fields: dict[str, dict[str, np.ndarray]] = {}
        #: points whose fields turned out not to fit (a worker started cold instead)
        self._bad_starts: set[str | None] = set()
        mesh = sweep.case.mesh if sweep.case is not None else None
        self._mesh_size = {"n_cells": mesh.n_cells, "n_faces": mesh.n_faces} if mesh is not None else {}
        for name in sweep.axes:
            values = [p[name] for p in sweep.point_list if isinstance(p[name], int | float)]
            if values:
                span = max(values) - min(values)
                self._scale[name] = span if span > 0 else 1.0

    # executor ---------------------------------------------------------------------------------
    def _local_pool(self, n_pending: int) -> tuple[WorkerPool | None, int]:
        cores = os.cpu_count() or 1
        workers = self.workers
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 0):
            raise SweepError(f"workers must be a non-negative integer, got {workers!r}")
        if workers == 0:
            init_worker(self.payload, self.sweep.solver_settings.get("threads"))
            return None, 1
        n = min(workers or cores, max(n_pending, 1))
        threads = self.sweep.solver_settings.get("threads") or max(1, cores // n)
        import_main, hint = False, ""
        builder = self.sweep.builder
        if builder is not None:
            try:
                pickle.dumps(builder)
            except (pickle.PicklingError, TypeError, AttributeError) as e:
                raise SweepError(
                    f"the builder {self.sweep._builder_name()} cannot be sent to worker processes "
                    f"({type(e).__name__}: {e}); define it at module level, or run with workers=0"
                ) from None
            in_main = [getattr(builder, "__module__", None)] + [
                getattr(parse_axis(k)[0].setter, "__module__", None)
                for k in self.sweep.axes
                if k not in self.sweep.builder_axes
            ]
            if "__main__" in in_main:
                # the workers must import the script to find its builder (or axis): spawn re-runs it
                import_main = True
                hint = (
                    f" The builder {self.sweep._builder_name()} (or a custom axis) is defined in the "
                    "script being run, which every worker imports to find it: put the script's work "
                    'under `if __name__ == "__main__":`, or move the builder into a module.'
                )
        pool = WorkerPool(n, self.payload, threads, import_main=import_main, hint=hint)
        return pool, n

    def _dask_executor(self) -> tuple[cf.Executor, int]:
        client = self.client
        if isinstance(client, str):
            try:
                from distributed import Client
            except ImportError:
                raise SweepError(
                    "running on a Dask scheduler needs dask: pip install 'rackflow[dask]'"
                ) from None
            try:
                client = self.client = Client(client, timeout="20s")
            except OSError as e:
                raise SweepError(f"cannot reach the Dask scheduler at {client!r}: {e}") from None
            self._own_client = client
        info = client.scheduler_info()
        workers = info.get("workers", {})
        if not workers:
            raise SweepError(f"the Dask cluster at {client.scheduler.address} has no workers")
        per_host: dict[str, int] = {}
        cores_by_host: dict[str, int] = {}
        for address, w in workers.items():
            host = address.rsplit(":", 1)[0]
            per_host[host] = per_host.get(host, 0) + int(w.get("nthreads", 1))
        cores = client.run(os.cpu_count)
        for address, c in cores.items():
            cores_by_host[address.rsplit(":", 1)[0]] = int(c or 1)
        slots = sum(per_host.values())
        if self.payload is not None:
            self.payload.threads_by_host = {
                h: max(1, cores_by_host.get(h, 1) // n) for h, n in per_host.items()
            }
            # one copy of the mesh per worker, not per point
            self._payload_arg = client.scatter(self.payload, broadcast=True, hash=False)
        return client.get_executor(pure=False), slots

    # loop -----------------------------------------------------------------------------------
    def _keep_fields(self, point_id: str, fields: dict[str, np.ndarray] | None) -> None:
        if not fields:
            return
        self._fields[point_id] = fields
        while len(self._fields) > FIELDS_IN_MEMORY:
            self._fields.pop(next(iter(self._fields)))
        if self.store is not None:
            self.store.write_fields(point_id, fields)

    def _fields_of(self, point_id: str) -> dict[str, np.ndarray] | None:
        if point_id in self._bad_starts:
            return None
        fields = self._fields.get(point_id)
        if fields is None and self.store is not None:
            fields = self.store.read_fields(point_id, **self._mesh_size)
            if fields is None:
                self._bad_starts.add(point_id)  # warn once, not at every point that looks for it
        return fields

    def _choose_start(
        self, task: dict[str, Any], finished: list[dict[str, Any]]
    ) -> tuple[str | None, dict[str, np.ndarray] | None]:
        """The nearest finished point with fields on the same mesh, and its fields."""
        if not self.warm_start:
            return None, None
        same_mesh = self.sweep.builder_axes
        candidates = []
        for row in finished:
            if row.get("status") != "ok":
                continue
            if any(row["_params"].get(k) != task["params"].get(k) for k in same_mesh):
                continue  # a builder parameter changes the mesh: its fields do not fit
            candidates.append((_distance(task["params"], row["_params"], self._scale), row["point_id"]))
        for _, point_id in sorted(candidates, key=lambda c: c[0]):
            fields = self._fields_of(point_id)
            if fields is not None:
                return point_id, fields
        return None, None

    def _start(self, task: dict[str, Any], finished: list[dict[str, Any]]) -> dict[str, Any]:
        source, fields = self._choose_start(task, finished)
        return {**task, "warm_start_from": source, "initial": fields, "return_fields": self.warm_start}

    def run(self, pending: list[dict[str, Any]], done: list[dict[str, Any]]) -> Any:
        """Yield rows as points finish (each already in the store)."""
        finished = []
        params = {t["point_id"]: t["params"] for t in pending}
        for row in done:
            if "_params" not in row:
                row = {**row, "_params": {k: row.get(k) for k in self.sweep.axes}}
            finished.append(row)
        dask = self.client is not None
        executor: cf.Executor | None = None
        pool: WorkerPool | None = None
        if dask:
            executor, self.n_slots = self._dask_executor()
        else:
            pool, self.n_slots = self._local_pool(len(pending))
        queue = list(pending)
        in_flight: dict[cf.Future[dict[str, Any]], dict[str, Any]] = {}

        def submit(task: dict[str, Any]) -> None:
            task = self._start(task, finished)
            wire = _wire(task)
            if executor is not None:
                # the fields go as their own scattered piece of data, not inside the task graph
                initial = wire.pop("initial", None)
                if initial is not None:
                    initial = self.client.scatter([initial], hash=False)[0]
                fut = executor.submit(run_point, wire, self._payload_arg, True, initial)
            else:
                assert pool is not None
                fut = pool.submit(wire)
            in_flight[fut] = {k: v for k, v in task.items() if k != "initial"}

        def finish(task: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
            fields = row.pop("_fields", None)
            series = row.pop("_series", None)
            if series is not None:
                self.sweep.series[row["point_id"]] = series
                if self.store is not None:
                    self.store.write_series(row["point_id"], series)
            cold = row.pop("_cold_start", None)
            source = task.get("warm_start_from")
            if cold is not None:
                warnings.warn(
                    f"sweep point {row['point_id']} started cold: the fields of point {source} do not "
                    f"fit it ({cold})",
                    RackflowWarning,
                    stacklevel=4,
                )
                self._bad_starts.add(source)
                source = None
            # inputs first, and they win over a same-named metric (power_w.<region> equals its input)
            row = {**task["params"], **row, **task["params"], "warm_start_from": source}
            self._keep_fields(row["point_id"], fields)
            if self.store is not None:
                self.store.write(row)
            finished.append({**row, "_params": params[row["point_id"]]})
            return row

        try:
            if executor is None and pool is None:  # workers=0: in this process
                for task in queue:
                    task = self._start(task, finished)
                    yield finish(task, run_point(_wire(task)))
                return
            while queue or in_flight:
                while queue and len(in_flight) < self.n_slots:
                    submit(queue.pop(0))
                if pool is not None:
                    # a dead worker's point comes back as a failed row naming the cause
                    done_now = pool.wait(in_flight)
                else:
                    done_now, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
                for fut in done_now:
                    task = in_flight.pop(fut)
                    try:
                        row = fut.result()
                    except Exception as e:  # Dask transport errors and the like: record, continue
                        row = {
                            "point_id": task["point_id"],
                            "status": "failed",
                            "error": f"{type(e).__name__}: {e}",
                        }
                    yield finish(task, row)
        finally:
            if pool is not None:
                pool.close(kill=bool(in_flight))
            for fut in in_flight:
                fut.cancel()
            if self._own_client is not None:
                self._own_client.close()


def _wire(task: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a task a worker needs (no scheduling bookkeeping)."""
    keys = (
        "point_id",
        "description",
        "settings",
        "initial",
        "return_fields",
        "builder",
        "builder_params",
        "setter_params",
        "axis_modules",
        "transient",
    )
    return {k: task[k] for k in keys if k in task}
