"""Local sweep worker processes: one point per worker at a time; a death is noticed at once.

Why not ``concurrent.futures.ProcessPoolExecutor``: when one of its workers dies the whole pool
breaks and does not say which point the dead worker held, nor how it died. Here each worker has
its own pipe, the parent waits on the pipes and the process sentinels together, and a worker
that dies (segfault, out-of-memory kill, SIGKILL) fails exactly the point it held, with the
cause (``worker process died (signal 9: SIGKILL)``); a replacement starts when there is work for
it, and the sweep goes on.
Workers that keep dying before they are ready stop the sweep with a :class:`SweepError`.

Start method: ``spawn`` (fork is unsafe: the parent may hold rayon's thread pool, which a forked
child inherits without its threads). Spawn normally re-runs the parent's main script in every
child (as ``__mp_main__``) so that functions defined there can be unpickled; a script without an
``if __name__ == "__main__":`` guard then starts a sweep inside each worker, which fails. A case
sweep's workers need nothing from that script (the case travels as data), nor does a builder
defined in an importable module, so those workers are started while ``sys.modules["__main__"]``
is a blank module: spawn's preparation data then names no main script, exactly as when the parent
is an interactive session, and the script is not imported. Only a builder (or a custom axis)
defined in the main script itself needs it, and then the script needs the guard; a worker that
dies while starting says so.

Workers exit when the parent process dies (see :func:`rackflow.sweep.worker.serve`).
"""

from __future__ import annotations

import collections
import multiprocessing
import multiprocessing.connection
import pickle
import signal
import sys
import threading
import time
import types
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from rackflow.errors import SweepError
from rackflow.sweep.worker import PARENT_GONE_EXIT, Payload, serve

#: consecutive deaths of workers that never became ready before the sweep stops
STARTUP_DEATHS = 3
#: seconds a stopping worker gets to exit before it is killed
STOP_GRACE_S = 10.0

_MAIN_SWAP = threading.Lock()


def describe_exit(exitcode: int | None) -> str:
    """``signal 9: SIGKILL``, ``exit code 1``..."""
    if exitcode is None:
        return "unknown exit status"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
        return f"signal {-exitcode}: {name}"
    if exitcode == PARENT_GONE_EXIT:
        return f"exit code {exitcode}: it lost its parent process"
    return f"exit code {exitcode}"


def start_process(process: multiprocessing.process.BaseProcess, import_main: bool) -> None:
    """Start a spawn process; unless ``import_main``, without re-running the main script in it."""
    if import_main:
        process.start()
        return
    with _MAIN_SWAP:
        main = sys.modules.get("__main__")
        # no __file__ and no __spec__: spawn.get_preparation_data names no main to import
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            process.start()
        finally:
            if main is not None:
                sys.modules["__main__"] = main
            else:
                del sys.modules["__main__"]


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Any
    ready: bool = False
    future: Future[dict[str, Any]] | None = None
    point_id: str | None = None


@dataclass(eq=False)
class WorkerPool:
    """``n`` spawn workers, each solving one task at a time (see the module docstring)."""

    n: int
    payload: Payload | None
    threads: int | None
    import_main: bool = False
    hint: str = ""
    _workers: list[_Worker] = field(default_factory=list)
    _queue: collections.deque[tuple[Future[dict[str, Any]], dict[str, Any]]] = field(
        default_factory=collections.deque
    )
    _startup_deaths: int = 0
    _closed: bool = False

    def __post_init__(self) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        for _ in range(self.n):
            self._spawn()

    def _spawn(self) -> None:
        parent_end, child_end = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=serve,
            args=(child_end, self.payload, self.threads),
            name="rackflow-sweep-worker",
            daemon=True,
        )
        try:
            start_process(process, self.import_main)
        finally:
            child_end.close()
        self._workers.append(_Worker(process, parent_end))

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        return [w.process.pid for w in self._workers]

    # ----- tasks ------------------------------------------------------------------------------
    def submit(self, task: dict[str, Any]) -> Future[dict[str, Any]]:
        """Queue a task (``run_point``'s argument); the future's result is its row."""
        future: Future[dict[str, Any]] = Future()
        self._queue.append((future, task))
        self._dispatch()
        return future

    def _dispatch(self) -> None:
        # replace dead workers while there is work for them (a starting worker counts as free)
        free = sum(1 for w in self._workers if w.future is None)
        while not self._closed and len(self._queue) > free and len(self._workers) < self.n:
            self._spawn()
            free += 1
        for w in self._workers:
            if not self._queue:
                return
            if not w.ready or w.future is not None:
                continue
            future, task = self._queue.popleft()
            try:
                w.conn.send(task)
            except (pickle.PicklingError, TypeError, AttributeError) as e:
                self._queue.appendleft((future, task))
                raise SweepError(
                    f"a sweep point cannot be sent to a worker process ({type(e).__name__}: {e}); a "
                    "builder must be a function defined at module level (or run with workers=0)"
                ) from None
            except OSError:  # the worker just died: its sentinel says so on the next wait
                self._queue.appendleft((future, task))
                continue
            w.future, w.point_id = future, task["point_id"]

    def wait(self, futures: Any, poll_s: float = 1.0) -> set[Future[dict[str, Any]]]:
        """Block until one of ``futures`` is done (dead workers are handled meanwhile)."""
        while True:
            done = {f for f in futures if f.done()}
            if done:
                return done
            self._poll(poll_s)

    def _poll(self, timeout: float) -> None:
        waitables: dict[Any, tuple[str, _Worker]] = {}
        for w in self._workers:
            waitables[w.conn] = ("conn", w)
            waitables[w.process.sentinel] = ("sentinel", w)
        if not waitables:
            self._dispatch()
            return
        for obj in multiprocessing.connection.wait(list(waitables), timeout):
            what, w = waitables[obj]
            if w not in self._workers:
                continue  # already handled through its other waitable
            if what == "conn":
                try:
                    message = w.conn.recv()
                except (EOFError, OSError):
                    message = None  # the pipe closed: the worker is gone
                if message is not None:
                    self._handle(w, message)
                    continue
            self._died(w)
        self._dispatch()

    def _handle(self, w: _Worker, message: Any) -> None:
        kind, value = message
        if kind == "ready":
            w.ready = True
            self._startup_deaths = 0
        elif kind == "row":
            future, w.future, w.point_id = w.future, None, None
            if future is not None:
                future.set_result(value)
        elif kind == "task_error":
            future, w.future, point_id, w.point_id = w.future, None, w.point_id, None
            if future is not None:
                future.set_result(
                    {
                        "point_id": point_id,
                        "status": "failed",
                        "error": f"the worker process cannot load this point ({value}); a builder must "
                        "be importable by name from a module (or run with workers=0)",
                    }
                )
        elif kind == "init_error":
            raise SweepError(f"a sweep worker process could not set up the case: {value}")

    def _died(self, w: _Worker) -> None:
        # a last message sent just before the end still counts (a row, or the init error)
        try:
            while w.conn.poll():
                self._handle(w, w.conn.recv())
        except (EOFError, OSError):
            pass
        w.process.join(timeout=5.0)
        cause = describe_exit(w.process.exitcode)
        self._workers.remove(w)
        w.conn.close()
        if w.future is not None:
            w.future.set_result(
                {
                    "point_id": w.point_id,
                    "status": "failed",
                    "error": f"worker process died ({cause}) while solving this point",
                }
            )
        elif not w.ready:
            self._startup_deaths += 1
            if self._startup_deaths >= STARTUP_DEATHS:
                raise SweepError(
                    f"sweep worker processes die while starting ({cause}), {self._startup_deaths} "
                    f"in a row.{self.hint} Run with workers=0 to see the error in this process."
                )

    # ----- the end ----------------------------------------------------------------------------
    def close(self, *, kill: bool = False) -> None:
        """Stop the workers: ask them to exit (or kill them), and wait for them."""
        self._closed = True
        for w in self._workers:
            try:
                if kill:
                    w.process.kill()
                else:
                    w.conn.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + (1.0 if kill else STOP_GRACE_S)
        for w in self._workers:
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join(5.0)
            w.conn.close()
        for future, _ in self._queue:
            future.cancel()
        self._workers.clear()
        self._queue.clear()
