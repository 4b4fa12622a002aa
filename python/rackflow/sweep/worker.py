"""What runs in a sweep worker process: rebuild the case, solve, return one flat row.

The mesh travels once per worker (process-pool initializer, or a Dask scattered payload) and is
cached per process by its digest, so a point costs only its case description (small JSON-able
data) and the solve. Everything here is importable by name, so it works with ``spawn`` and Dask.

A local worker process runs :func:`serve`: it takes one task at a time from its pipe, answers
with the row, and exits as soon as its parent process is gone (a watchdog thread waits on the
parent's sentinel), so killing a sweep never leaves workers behind.
"""

from __future__ import annotations

import importlib
import os
import signal
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rackflow.errors import RackflowError

#: per-process cache: mesh digest -> (Mesh, arrays)
_CACHE: dict[str, tuple[Any, dict[str, np.ndarray]]] = {}
_DEFAULT_THREADS: list[int | None] = [None]


@dataclass
class Payload:
    """Data every worker needs once: the mesh (flat arrays) and the case's large arrays."""

    digest: str
    flat: Any  # rackflow.io.meshio_reader.FlatMesh (numpy arrays)
    source: str
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    #: for Dask: threads per worker keyed by worker host
    threads_by_host: dict[str, int] = field(default_factory=dict)


def init_worker(payload: Payload | None, threads: int | None) -> None:
    """Process-pool initializer: limit threads, build and cache the mesh once."""
    if threads is not None:
        # mesh construction uses rayon's global pool: keep it to this worker's share of the cores
        os.environ["RAYON_NUM_THREADS"] = str(threads)
    _DEFAULT_THREADS[0] = threads
    if payload is not None:
        _mesh(payload)


#: exit status of a worker whose parent died
PARENT_GONE_EXIT = 3


def _exit_with_parent() -> None:
    """Start a daemon thread that ends this process as soon as its parent process is gone.

    It waits on the parent's sentinel (end of file on a pipe only the parent holds, or the
    parent's process handle on Windows) and, on POSIX, also notices being re-parented.
    """
    import multiprocessing
    import multiprocessing.connection

    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None) if parent is not None else None
    ppid = os.getppid()

    def watch() -> None:
        while True:
            if sentinel is not None:
                try:
                    gone = bool(multiprocessing.connection.wait([sentinel], timeout=1.0))
                except OSError:
                    gone = True
            else:
                time.sleep(1.0)
                gone = False
            if gone or (os.name == "posix" and os.getppid() != ppid):
                os._exit(PARENT_GONE_EXIT)

    threading.Thread(target=watch, name="rackflow-sweep-parent-watch", daemon=True).start()


def serve(conn: Any, payload: Payload | None, threads: int | None) -> None:
    """A local worker process: initialise, say ``ready``, then solve tasks until told to stop.

    Messages to the parent are ``("ready", pid)``, ``("row", row)``, ``("init_error", text)`` and
    ``("task_error", text)`` (a task that does not load here); from the parent, a task dict or None
    (stop).
    """
    # Ctrl-C reaches the whole process group: the parent decides, and stops its workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    try:
        init_worker(payload, threads)
    except BaseException as e:  # report, then exit: the parent raises a SweepError
        conn.send(("init_error", f"{type(e).__name__}: {e}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        except Exception as e:  # the task does not unpickle here (a builder this process cannot import)
            conn.send(("task_error", f"{type(e).__name__}: {e}"))
            continue
        if task is None:
            return
        try:
            row = run_point(task)
        except SystemExit as e:  # a builder that calls sys.exit(): that point fails, the worker lives
            row = {"point_id": task["point_id"], "status": "failed", "error": f"SystemExit: {e.code}"}
        conn.send(("row", row))


def _mesh(payload: Payload) -> tuple[Any, dict[str, np.ndarray]]:
    cached = _CACHE.get(payload.digest)
    if cached is None:
        import dataclasses

        from rackflow.mesh import Mesh

        # transports (Dask's pickle-5 buffers) may hand over read-only or non-contiguous arrays;
        # the core wants owned C-contiguous ones
        flat = dataclasses.replace(
            payload.flat,
            **{
                f.name: np.array(getattr(payload.flat, f.name), order="C")
                for f in dataclasses.fields(payload.flat)
                if isinstance(getattr(payload.flat, f.name), np.ndarray)
            },
        )
        mesh = Mesh(flat, payload.source)
        mesh._rackflow_digest = payload.digest  # type: ignore[attr-defined]
        cached = (mesh, payload.arrays)
        _CACHE.clear()  # one mesh per worker at a time: sweeps are sequential
        _CACHE[payload.digest] = cached
    return cached


def _dask_threads(payload: Payload) -> int | None:
    try:
        from distributed import get_worker

        host = get_worker().address.rsplit(":", 1)[0]
    except (ImportError, ValueError):
        return None
    return payload.threads_by_host.get(host)


def result_fields(result: Any) -> dict[str, np.ndarray]:
    """A result's fields under the names ``Case.solve(initial=...)`` takes."""
    return result.warm_start_fields()


def _usable_start(
    initial: dict[str, np.ndarray] | None, mesh: Any
) -> tuple[dict[str, np.ndarray] | None, str | None]:
    """``initial`` when it fits ``mesh`` (shapes, finite values), else None and why not."""
    if not initial:
        return initial, None
    from rackflow.sweep.store import fields_problem

    problem = fields_problem(initial, n_cells=mesh.n_cells, n_faces=mesh.n_faces)
    return (None, problem) if problem is not None else (initial, None)


def run_point(
    task: dict[str, Any],
    payload: Payload | None = None,
    dask: bool = False,
    initial: dict[str, np.ndarray] | None = None,
) -> dict[str, Any]:
    """Solve one point; never raises for a bad point (the row says ``failed`` and why).

    ``initial`` (or ``task["initial"]``) holds the fields of the finished point to warm-start
    from; fields that do not fit this point's mesh (shape) or are not finite are dropped (a cold
    start) and the row says why under ``"_cold_start"``. The returned row carries this point's own
    fields under ``"_fields"`` (the caller takes both out before storing the row) when
    ``task["return_fields"]`` is set.
    """
    from rackflow import casefile
    from rackflow.sweep.axes import apply_axis

    start = time.perf_counter()
    row: dict[str, Any] = {"point_id": task["point_id"]}
    settings = dict(task["settings"])
    threads = _dask_threads(payload) if (dask and payload is not None) else _DEFAULT_THREADS[0]
    if dask and payload is None:
        threads = None
    if threads is not None and "threads" not in settings:
        settings["threads"] = threads
    if initial is None:
        initial = task.get("initial")
    try:
        if task.get("builder") is not None:
            for module in task.get("axis_modules", ()):
                importlib.import_module(module)  # custom axes register themselves on import
            case = task["builder"](**task["builder_params"])
            for name, value in task["setter_params"].items():
                apply_axis(case, name, value)
        else:
            assert payload is not None or _CACHE, "worker has no mesh"
            mesh, arrays = _mesh(payload) if payload is not None else next(iter(_CACHE.values()))
            case = casefile.case_from_dict(task["description"], mesh=mesh, arrays=arrays).case
        initial, cold = _usable_start(initial, case.mesh)
        if cold is not None:
            row["_cold_start"] = cold
        if task.get("transient") is not None:
            from rackflow.transient import run_transient, transient_metrics

            run = run_transient(case, task["transient"], settings, initial=initial)
            row["status"] = "ok"
            row["error"] = None
            row.update(transient_metrics(run))
            row["_series"] = run.to_frame()
            # the steady start is what a neighbouring point's steady start warm-starts from
            if task.get("return_fields") and run._initial is not None:
                row["_fields"] = result_fields(run._initial)
        else:
            result = case.solve(initial=initial, **settings)
            metrics = result.summary().to_dict()
            row["status"] = "ok"
            row["error"] = None
            row.update(metrics)
            row["mean_temperature_c"] = result.mean_temperature_c() if result.has_temperature else None
            row["coupling_passes"] = result.report.get("coupling_passes", 0)
            if task.get("return_fields"):
                row["_fields"] = result_fields(result)
    except RackflowError as e:
        row["status"] = "failed"
        row["error"] = f"{type(e).__name__}: {e}"
    except Exception as e:  # a bug or a builder error must not end the sweep; keep where it happened
        tb = traceback.extract_tb(e.__traceback__)[-1]
        row["status"] = "failed"
        row["error"] = f"{type(e).__name__}: {e} (at {tb.filename}:{tb.lineno})"
    row["wall_time_s"] = time.perf_counter() - start
    row["threads"] = settings.get("threads")
    return row
