"""What runs in a sweep worker process: rebuild the case, solve, return one flat row.

The mesh travels once per worker (process-pool initializer, or a Dask scattered payload) and is
cached per process by its digest, so a point costs only its case description (small JSON-able
data) and the solve. Everything here is importable by name, so it works with ``spawn`` and Dask.
"""

from __future__ import annotations

import os
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
    fields: dict[str, np.ndarray] = {}
    if result.has_temperature:
        fields["temperature_c"] = result.temperature_c
        if result._inlet_temperature_c is not None:
            fields["inlet_temperature_c"] = np.asarray(result._inlet_temperature_c, dtype=np.float64)
    if result.has_flow:
        fields["velocity_m_s"] = result.velocity_m_s
        fields["pressure_pa"] = result.pressure_pa
        fields["mass_flux_kg_s"] = result.mass_flux_kg_s
    return fields


def run_point(
    task: dict[str, Any],
    payload: Payload | None = None,
    dask: bool = False,
    initial: dict[str, np.ndarray] | None = None,
) -> dict[str, Any]:
    """Solve one point; never raises for a bad point (the row says ``failed`` and why).

    ``initial`` (or ``task["initial"]``) holds the fields of the finished point to warm-start
    from. The returned row carries this point's own fields under ``"_fields"`` (the caller takes
    them out before storing the row) when ``task["return_fields"]`` is set.
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
            case = task["builder"](**task["builder_params"])
            for name, value in task["setter_params"].items():
                apply_axis(case, name, value)
        else:
            assert payload is not None or _CACHE, "worker has no mesh"
            mesh, arrays = _mesh(payload) if payload is not None else next(iter(_CACHE.values()))
            case = casefile.case_from_dict(task["description"], mesh=mesh, arrays=arrays).case
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
