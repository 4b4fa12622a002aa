"""The sweep store: a plain Parquet dataset of one-row parts, and a companion folder beside it.

Layout (store format 2)::

    sweep.parquet/             part-<point_id>.parquet: one row per finished point, nothing else
    sweep.parquet.rackflow/    store.json (format and column schema), lock,
                               fields/<point_id>.npz (warm-start fields), tmp/ (writes in progress),
                               series/<point_id>.parquet (time series of transient points)

The dataset folder holds nothing but complete Parquet parts with one common schema, so it reads
directly: ``pandas.read_parquet("sweep.parquet")``, ``polars.read_parquet("sweep.parquet/*.parquet")``,
``duckdb.sql("SELECT * FROM 'sweep.parquet/*.parquet'")``, or :func:`read_sweep`.

Why one-row parts: each is written in the companion ``tmp/`` folder and renamed into place
(atomic), so a sweep killed at any instant leaves only complete parts; parts are named by the
point's hash, so a re-run finds its finished points by name. Several sweeps (processes) can share
a store: writes hold the store's lock (an OS file lock on ``lock``), temporaries carry their
writer's process id and only those whose writer is gone are cleaned, and creating a store
tolerates a concurrent creator. When a row brings a new column (the first solved point after
failed ones, another sweep's axes) or turns an integer column into a float one, every part is
rewritten to the wider schema under the lock; ``store.json`` records the schema, and a part that
does not match it (a tampered file) raises :class:`~rackflow.errors.SweepError` naming the file and
the column.

The field files are plain float64 NumPy arrays read without pickle (``allow_pickle=False``), so
loading a store never executes code; a field file that is unreadable, non-finite or of the wrong
shape is ignored with a warning (the points that would have started from it start cold).

Stores of format 1 (marker and field files inside the Parquet folder) are still read, and are
converted to format 2 when a sweep writes into them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import threading
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from rackflow.case import INITIAL_FIELDS
from rackflow.errors import RackflowWarning, SweepError
from rackflow.units import ABSOLUTE_ZERO_C

#: the companion folder's suffix: ``sweep.parquet`` -> ``sweep.parquet.rackflow``
COMPANION_SUFFIX = ".rackflow"
META = "store.json"
STORE_VERSION = 2
#: the marker of format-1 stores (inside the Parquet folder)
LEGACY_MARKER = "rackflow-sweep-store.json"
_LEGACY_FIELDS = "fields-"
_PART = "part-"
#: the arrays a field file may hold (the names ``Case.solve(initial=...)`` takes)
FIELD_NAMES = INITIAL_FIELDS
#: columns whose type is fixed whatever their first values (``None`` would make them null-typed)
FIXED_TYPES = {
    "point_id": "string",
    "status": "string",
    "error": "string",
    "warm_start_from": "string",
    "wall_time_s": "double",
    "threads": "int64",
}
STATUSES = ("ok", "failed")
#: temporaries older than this are removed whoever wrote them (a writer on another host)
STALE_AFTER_S = 24 * 3600.0
_HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]

Schema = list[tuple[str, str]]


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise SweepError(
            "a sweep store needs pyarrow: pip install 'rackflow[sweep]' (or pass store=None)"
        ) from None
    return pa, pq


# ----- column types ------------------------------------------------------------------------------
def _kind(value: Any) -> str:
    """The store type of one cell value."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    raise SweepError(f"a sweep store holds numbers, strings and booleans, got {type(value).__name__}")


def _arrow_kind(arrow_type: Any) -> str:
    pa, _ = _pyarrow()
    if pa.types.is_null(arrow_type):
        return "null"
    if pa.types.is_boolean(arrow_type):
        return "bool"
    if pa.types.is_int64(arrow_type):
        return "int64"
    if pa.types.is_float64(arrow_type):
        return "double"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    return str(arrow_type)


def _arrow_type(kind: str) -> Any:
    pa, _ = _pyarrow()
    return {
        "null": pa.null(),
        "bool": pa.bool_(),
        "int64": pa.int64(),
        "double": pa.float64(),
        "string": pa.string(),
    }[kind]


def _wider(have: str, new: str) -> str | None:
    """The type holding both, or None when they conflict."""
    if have == new or new == "null":
        return have
    if have == "null":
        return new
    if {have, new} == {"int64", "double"}:
        return "double"
    return None


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    if isinstance(value, list | tuple | dict):  # a builder parameter that is not a scalar
        return json.dumps(value, sort_keys=True)
    return value


# ----- the lock ---------------------------------------------------------------------------------
@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive OS lock on ``path`` (other processes, and other Store objects, wait)."""
    try:
        fh = open(path, "a+b")
    except PermissionError:  # a read-only store: readers go without the lock
        yield
        return
    try:
        try:
            import fcntl
        except ImportError:  # Windows
            import msvcrt

            while True:
                try:
                    fh.seek(0)
                    msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
                    break
                except OSError:  # LK_LOCK gives up after 10 s; keep waiting
                    continue
            try:
                yield
            finally:
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        else:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    finally:
        fh.close()


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    except OSError:
        return True
    return True


class Store:
    """A sweep store (created on first use unless ``create=False``).

    ``path`` is the Parquet dataset folder; the companion folder ``<path>.rackflow`` beside it
    holds the store's schema, lock, field files and temporaries.
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        path = Path(path)
        if path.name in ("", ".", ".."):
            path = path.resolve()
        self.path = path
        self.companion = path.with_name(path.name + COMPANION_SUFFIX)
        self.fields_dir = self.companion / "fields"
        self.tmp_dir = self.companion / "tmp"
        #: a format-1 store opened read-only (marker and field files inside the Parquet folder)
        self.legacy = False
        self._thread_lock = threading.RLock()
        self._depth = 0
        if self.path.exists() and not self.path.is_dir():
            raise SweepError(
                f"sweep store '{self.path}' is a file; a rackflow store is a folder of Parquet parts "
                "(choose another store path)"
            )
        state = self._state()
        if not create:
            if state == "new":
                raise SweepError(f"sweep store '{self.path}' does not exist")
            if state in ("legacy", "adopt"):
                self.legacy = True
                if state == "legacy":
                    self.fields_dir = self.path
            return
        self.companion.mkdir(parents=True, exist_ok=True)
        with self._locked():
            state = self._state()  # again, now that no other writer can be half-way
            self.tmp_dir.mkdir(exist_ok=True)
            self.fields_dir.mkdir(exist_ok=True)
            self.path.mkdir(parents=True, exist_ok=True)
            if state == "new":
                self._write_meta([], migrating=False)
            elif state in ("legacy", "adopt") or (self.path / LEGACY_MARKER).exists():
                self._upgrade()
            elif not any(self._parts()):
                # the Parquet folder was emptied or removed: start the schema afresh
                self._write_meta([], migrating=False)

    # ----- what is at the path ---------------------------------------------------------------
    def _state(self) -> str:
        """``store`` (format 2), ``legacy`` (format 1), ``adopt`` (only parts), ``new``; raises
        for a folder that is not a store."""
        if (self.companion / META).exists():
            self._read_meta()  # a malformed or newer store.json raises here
            return "store"
        if not self.path.is_dir():
            return "new"
        if (self.path / LEGACY_MARKER).exists():
            self._check_legacy_marker()
            return "legacy"
        entries = [p.name for p in self.path.iterdir()]
        if not entries:
            return "new"
        if all(n.startswith(_PART) and n.endswith(".parquet") for n in entries):
            return "adopt"
        raise SweepError(
            f"'{self.path}' is a folder that is not a rackflow sweep store (no {self.companion.name}/{META} "
            "beside it, and it holds other files than part-*.parquet); refusing to write into it"
        )

    def _check_legacy_marker(self) -> None:
        marker = self.path / LEGACY_MARKER
        try:
            meta = json.loads(marker.read_text(encoding="utf-8"))
            version = int(meta["rackflow_sweep_store"])
        except (OSError, ValueError, KeyError, TypeError):
            raise SweepError(f"sweep store marker '{marker}' is malformed") from None
        if version != 1:
            raise SweepError(f"sweep store marker '{marker}' names format {version}; expected 1")

    # ----- store.json ------------------------------------------------------------------------
    def _read_meta(self) -> dict[str, Any]:
        meta_path = self.companion / META
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            version = int(meta["rackflow_sweep_store"])
            schema = [(str(name), str(kind)) for name, kind in meta["schema"]]
            migrating = bool(meta.get("migrating", False))
        except (OSError, ValueError, KeyError, TypeError):
            raise SweepError(f"sweep store marker '{meta_path}' is malformed") from None
        if version > STORE_VERSION:
            raise SweepError(
                f"sweep store '{self.path}' has format {version}; this rackflow reads up to {STORE_VERSION}"
            )
        for name, kind in schema:
            if kind not in ("null", "bool", "int64", "double", "string"):
                raise SweepError(
                    f"sweep store marker '{meta_path}' gives column '{name}' the unknown type {kind!r}"
                )
        return {"schema": schema, "migrating": migrating}

    def _write_meta(self, schema: Schema, *, migrating: bool) -> None:
        text = json.dumps(
            {
                "rackflow_sweep_store": STORE_VERSION,
                "schema": [list(c) for c in schema],
                "migrating": migrating,
            },
            indent=1,
        )
        tmp = self._tmp_path(META)
        try:
            tmp.write_text(text + "\n", encoding="utf-8")
            os.replace(tmp, self.companion / META)
        finally:
            tmp.unlink(missing_ok=True)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """The store's lock (re-entrant within this object)."""
        with self._thread_lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            with _file_lock(self.companion / "lock"):
                self._depth = 1
                try:
                    yield
                finally:
                    self._depth = 0

    def schema(self) -> Schema:
        """The store's columns and their types (``null``, ``bool``, ``int64``, ``double``, ``string``)."""
        if self.legacy:
            return self._legacy_schema()
        with self._locked():
            meta = self._read_meta()
            if meta["migrating"]:  # a writer was killed while rewriting parts: finish its work
                self._migrate(meta["schema"])
            return meta["schema"]

    def arrow_schema(self, schema: Schema | None = None) -> Any:
        """The store's schema as a ``pyarrow.Schema``."""
        pa, _ = _pyarrow()
        return pa.schema([(n, _arrow_type(k)) for n, k in (self.schema() if schema is None else schema)])

    # ----- temporaries -----------------------------------------------------------------------
    def _tmp_path(self, final_name: str) -> Path:
        """A temporary beside the dataset, named by its writer (pid, host) so only stale ones are cleaned."""
        return self.tmp_dir / f"{os.getpid()}.{_HOST}.{uuid.uuid4().hex[:8]}.{final_name}"

    def clean_temporary(self) -> int:
        """Remove temporaries whose writer is gone (its process died); returns how many.

        A temporary of a live writer (another sweep sharing the store) is left alone. Writers on
        another host cannot be checked: their temporaries go once they are a day old.
        """
        if self.legacy or not self.tmp_dir.is_dir():
            return 0
        n = 0
        now = time.time()
        for tmp in self.tmp_dir.iterdir():
            pid_text, _, rest = tmp.name.partition(".")
            host = rest.partition(".")[0]
            try:
                age = now - tmp.stat().st_mtime
            except FileNotFoundError:
                continue  # its writer renamed it into place meanwhile
            stale = age > STALE_AFTER_S
            if not stale and host == _HOST and pid_text.isdigit():
                stale = not _pid_alive(int(pid_text))
            elif not stale and not pid_text.isdigit():
                stale = age > 60.0  # not named by a writer: leave a minute for whoever made it
            if stale:
                tmp.unlink(missing_ok=True)
                n += 1
        return n

    # ----- parts -----------------------------------------------------------------------------
    def part_path(self, point_id: str) -> Path:
        """Where a point's row lives."""
        return self.path / f"{_PART}{point_id}.parquet"

    def _parts(self) -> Iterator[Path]:
        return self.path.glob(f"{_PART}*.parquet")

    def ids(self) -> set[str]:
        """Point ids with a part in the store."""
        return {p.name[len(_PART) : -len(".parquet")] for p in self._parts()}

    def _put(self, table: Any, final: Path) -> None:
        _, pq = _pyarrow()
        tmp = self._tmp_path(final.name)
        try:
            pq.write_table(table, tmp)
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)

    def _widen(self, schema: Schema, row: Mapping[str, Any], where: str) -> Schema:
        out = dict(schema)
        for name, value in row.items():
            kind = FIXED_TYPES.get(name) if value is None else _kind(value)
            kind = kind or "null"
            have = out.get(name)
            if have is None:
                out[name] = kind
                continue
            wider = _wider(have, kind)
            if wider is None:
                raise SweepError(
                    f"sweep store '{self.path}': column '{name}' holds {have} values but {where} has "
                    f"{value!r} ({kind}); use another store for this sweep"
                )
            out[name] = wider
        return list(out.items())

    def check_rows(self, rows: Iterable[Mapping[str, Any]], where: str = "this sweep") -> None:
        """Raise SweepError when values of ``rows`` do not fit the store's column types."""
        if self.legacy:
            return
        schema = self.schema()
        for row in rows:
            self._widen(schema, {k: _plain(v) for k, v in row.items()}, where)

    def write(self, row: Mapping[str, Any]) -> Path:
        """Write one row atomically (temporary file, then rename), widening the store's schema if needed."""
        if self.legacy:
            raise SweepError(f"sweep store '{self.path}' was opened read-only")
        pa, _ = _pyarrow()
        row = {k: _plain(v) for k, v in row.items()}
        final = self.part_path(str(row["point_id"]))
        with self._locked():
            schema = self.schema()
            wider = self._widen(schema, row, f"point {row['point_id']}")
            if wider != schema:
                self._migrate(wider)
            table = pa.Table.from_pylist(
                [{name: row.get(name) for name, _ in wider}], schema=self.arrow_schema(wider)
            )
            self._put(table, final)
        return final

    def _migrate(self, schema: Schema) -> None:
        """Rewrite every part to ``schema`` (under the lock; resumable if killed half-way)."""
        _, pq = _pyarrow()
        self._write_meta(schema, migrating=True)
        target = self.arrow_schema(schema)
        for part in sorted(self._parts()):
            try:
                table = pq.read_table(part)
            except Exception:  # an unreadable part: reading it names it
                continue
            if table.schema.remove_metadata().equals(target):
                continue
            conformed = _conform(table, target)
            if conformed is not None:  # a part that does not fit (tampered): reading it names it
                self._put(conformed, part)
        self._write_meta(schema, migrating=False)

    def _upgrade(self) -> None:
        """Turn a format-1 store (or a bare folder of parts) into a format-2 one (under the lock)."""
        _, pq = _pyarrow()
        schema: Schema = list(FIXED_TYPES.items())
        for part in sorted(self._parts()):
            try:
                arrow_schema = pq.read_schema(part)
            except Exception as e:
                raise SweepError(
                    f"sweep store part '{part}' is unreadable ({type(e).__name__}: {e}); delete it to "
                    "recompute that point"
                ) from None
            current = dict(schema)
            for field in arrow_schema:
                kind = _arrow_kind(field.type)
                have = current.get(field.name)
                wider = kind if have is None else _wider(have, kind)
                if wider is None or wider not in ("null", "bool", "int64", "double", "string"):
                    raise SweepError(
                        f"column '{field.name}' of sweep store part '{part}' holds {kind}, which does not "
                        f"fit the other parts' {have}"
                    )
                current[field.name] = wider
            schema = list(current.items())
        for legacy in self.path.glob(f"{_LEGACY_FIELDS}*.npz"):
            os.replace(legacy, self.fields_dir / f"{legacy.name[len(_LEGACY_FIELDS) :]}")
        for tmp in self.path.glob(".tmp-*"):  # format-1 temporaries (its writers cleaned them too)
            tmp.unlink(missing_ok=True)
        self._migrate(schema)
        (self.path / LEGACY_MARKER).unlink(missing_ok=True)

    def read_rows(self, ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Rows of the given point ids (all when None), checked against the store's schema.

        A part that is unreadable, does not hold its point's row, or whose columns differ from
        the store's (renamed, dropped, retyped) raises SweepError naming the file and the column.
        """
        _, pq = _pyarrow()
        wanted = self.ids() if ids is None else set(ids) & self.ids()
        rows = []
        with contextlib.nullcontext() if self.legacy else self._locked():
            schema = None if self.legacy else self.schema()
            for point_id in sorted(wanted):
                part = self.part_path(point_id)
                try:
                    table = pq.read_table(part)
                    records = table.to_pylist()
                except FileNotFoundError:
                    continue  # removed meanwhile
                except Exception as e:  # pyarrow raises several types for corrupt files
                    raise SweepError(
                        f"sweep store part '{part}' is unreadable ({type(e).__name__}: {e}); delete it to "
                        "recompute that point"
                    ) from None
                if schema is not None:
                    _check_part(part, table.schema, schema)
                if len(records) != 1 or records[0].get("point_id") != point_id:
                    raise SweepError(f"sweep store part '{part}' does not hold the row of point {point_id}")
                status = records[0].get("status")
                if status not in STATUSES:
                    raise SweepError(
                        f"column 'status' of sweep store part '{part}' holds {status!r}; expected one of {list(STATUSES)}"
                    )
                rows.append(records[0])
        return rows

    def _legacy_schema(self) -> Schema:
        _, pq = _pyarrow()
        out: dict[str, str] = {}
        for part in sorted(self._parts()):
            try:
                s = pq.read_schema(part)
            except Exception:
                continue
            for field in s:
                have = out.get(field.name)
                kind = _arrow_kind(field.type)
                out[field.name] = kind if have is None else (_wider(have, kind) or "string")
        return list(out.items())

    # ----- fields ----------------------------------------------------------------------------
    def fields_path(self, point_id: str) -> Path:
        """Where a point's fields live."""
        if self.legacy:
            return self.path / f"{_LEGACY_FIELDS}{point_id}.npz"
        return self.fields_dir / f"{point_id}.npz"

    def write_fields(self, point_id: str, fields: Mapping[str, Any]) -> Path:
        """Write a point's fields atomically (uncompressed ``.npz`` of float64 arrays, no pickle)."""
        import numpy as np

        if self.legacy:
            raise SweepError(f"sweep store '{self.path}' was opened read-only")
        arrays = {k: np.asarray(fields[k], dtype=np.float64) for k in FIELD_NAMES if k in fields}
        final = self.fields_path(point_id)
        tmp = self._tmp_path(final.name)
        try:
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)  # float64 arrays: never pickled
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
        return final

    def read_fields(
        self, point_id: str, *, n_cells: int | None = None, n_faces: int | None = None
    ) -> dict[str, Any] | None:
        """A point's fields, or None when there is no usable field file (a warning says why).

        Usable means: only the known arrays, float64, finite, the shapes of one mesh (and of
        ``n_cells`` cells and ``n_faces`` faces when given).
        """
        import numpy as np

        path = self.fields_path(point_id)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                unknown = sorted(set(data.files) - set(FIELD_NAMES))
                if unknown:
                    raise ValueError(f"unexpected arrays {unknown}")
                fields = {k: data[k] for k in data.files}
            for k, v in fields.items():
                if v.dtype != np.float64:
                    raise ValueError(f"array '{k}' has dtype {v.dtype}, expected float64")
            problem = fields_problem(fields, n_cells=n_cells, n_faces=n_faces)
            if problem is not None:
                raise ValueError(problem)
        except Exception as e:  # numpy raises several types for corrupt or hostile files
            warnings.warn(
                f"sweep store field file '{path}' is unusable ({type(e).__name__}: {e}); "
                "the points that would start from it start cold",
                RackflowWarning,
                stacklevel=2,
            )
            return None
        return fields

    # ----- time series of transient points ------------------------------------------------------
    @property
    def series_dir(self) -> Path:
        """Where the time series of transient points live (``<store>.rackflow/series``)."""
        return self.companion / "series"

    def write_series(self, point_id: str, frame: Any) -> Path:
        """Write a transient point's time series (a DataFrame, one row per output time) atomically."""
        if self.legacy:
            raise SweepError(f"sweep store '{self.path}' was opened read-only")
        self.series_dir.mkdir(exist_ok=True)
        final = self.series_dir / f"{point_id}.parquet"
        tmp = self._tmp_path(final.name)
        try:
            frame.to_parquet(tmp, index=False)
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
        return final

    def read_series(self, point_id: str) -> Any:
        """A transient point's time series, or None when the store has none for it."""
        import pandas as pd

        path = self.series_dir / f"{point_id}.parquet"
        return pd.read_parquet(path) if path.exists() else None


def read_sweep_series(path: str | Path, point_id: str | Sequence[str] | None = None) -> Any:
    """The time series of a sweep's transient points as one long ``pandas.DataFrame``:
    ``point_id``, ``time_s`` and every summary metric at every output time (the columns of
    :meth:`TransientResult.to_frame <rackflow.transient.TransientResult.to_frame>`). Join it with
    :func:`read_sweep` on ``point_id`` for the inputs. ``point_id`` picks points (default: all)."""
    import pandas as pd

    store = Store(path, create=False)
    if isinstance(point_id, str):
        wanted: list[str] | None = [point_id]
    else:
        wanted = None if point_id is None else list(point_id)
    if wanted is None:
        wanted = (
            sorted(p.stem for p in store.series_dir.glob("*.parquet")) if store.series_dir.exists() else []
        )
    frames = []
    for pid in wanted:
        frame = store.read_series(pid)
        if frame is None:
            raise SweepError(f"sweep store '{store.path}' has no time series for point {pid!r}")
        frames.append(frame.assign(point_id=pid)[["point_id", *frame.columns]])
    if not frames:
        return pd.DataFrame({"point_id": pd.Series(dtype=str), "time_s": pd.Series(dtype=float)})
    return pd.concat(frames, ignore_index=True)


def fields_problem(
    fields: Mapping[str, Any], *, n_cells: int | None = None, n_faces: int | None = None
) -> str | None:
    """Why warm-start fields cannot be a start (wrong shape, not finite), or None when they can."""
    import numpy as np

    cells = n_cells
    for name in ("temperature_c", "pressure_pa", "velocity_m_s"):
        if fields.get(name) is None:
            continue
        v = np.asarray(fields[name])
        want_dims = 2 if name == "velocity_m_s" else 1
        if v.ndim != want_dims or (name == "velocity_m_s" and v.shape[1] != 3):
            expected = "(n_cells, 3)" if name == "velocity_m_s" else "(n_cells,)"
            return f"{name} has shape {v.shape}; expected {expected}"
        if cells is None:
            cells = v.shape[0]
        elif v.shape[0] != cells:
            return f"{name} has {v.shape[0]} cells; expected {cells}"
    for name, v in fields.items():
        if v is None:
            continue
        v = np.asarray(v)
        if v.dtype.kind not in "fiu":
            return f"{name} is not numeric ({v.dtype})"
        if name == "mass_flux_kg_s":
            if v.ndim != 1:
                return f"{name} has shape {v.shape}; expected (n_faces,)"
            if n_faces is not None and v.shape[0] != n_faces:
                return f"{name} has {v.shape[0]} faces; expected {n_faces}"
        if name == "inlet_temperature_c" and v.size != 1:
            return f"{name} has shape {v.shape}; expected one number"
        finite = np.isfinite(v)
        if not finite.all():
            i = int(np.flatnonzero(~finite.ravel())[0])
            return f"{name} is not finite at index {i}"
    t = fields.get("temperature_c")
    if t is not None and np.asarray(t).size and float(np.min(t)) <= ABSOLUTE_ZERO_C:
        return "temperature_c is below absolute zero"
    return None


def _conform(table: Any, target: Any) -> Any | None:
    """``table`` with ``target``'s columns (missing ones null, integers widened), or None."""
    pa, _ = _pyarrow()
    names = set(table.schema.names)
    if not names <= set(target.names):
        return None
    columns = []
    for field in target:
        if field.name in names:
            column = table.column(field.name)
            if not column.type.equals(field.type):
                try:
                    column = column.cast(field.type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    return None
            columns.append(column)
        else:
            columns.append(pa.nulls(table.num_rows, type=field.type))
    return pa.Table.from_arrays(columns, schema=target)


def _check_part(part: Path, arrow_schema: Any, schema: Schema) -> None:
    have = {f.name: _arrow_kind(f.type) for f in arrow_schema}
    expected = dict(schema)
    for name, kind in schema:
        if name not in have:
            raise SweepError(
                f"sweep store part '{part}' has no column '{name}' (the store's columns: {list(expected)}); "
                "delete the part to recompute that point"
            )
        if have[name] != kind:
            raise SweepError(
                f"column '{name}' of sweep store part '{part}' holds {have[name]} values; the store's "
                f"column '{name}' holds {kind}"
            )
    for name in have:
        if name not in expected:
            raise SweepError(
                f"sweep store part '{part}' has a column '{name}' the store does not have "
                f"(the store's columns: {list(expected)})"
            )


def read_sweep(path: str | Path) -> Any:
    """Every row of a sweep store as a ``pandas.DataFrame`` (all sweeps that share it).

    The store's Parquet folder also reads directly (``pandas.read_parquet(path)``); this checks
    every part against the store's schema first and reads stores of the older format too.
    """
    import pandas as pd

    store = Store(path, create=False)
    rows = store.read_rows()
    if store.legacy:
        return pd.DataFrame.from_records(rows)
    pa, _ = _pyarrow()
    schema = store.arrow_schema()
    return pa.Table.from_pylist(rows, schema=schema).to_pandas()


#: the former name of :func:`read_sweep`
read_store = read_sweep
