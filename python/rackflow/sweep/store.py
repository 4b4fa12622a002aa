"""The sweep store: a folder of one-row Parquet files, one per finished point.

Why a folder of parts instead of one growing file: each part is written to a temporary name
and renamed into place (atomic on POSIX and Windows), so a sweep killed at any instant leaves
only complete parts plus, at worst, a stray temporary file that readers ignore. Parts are named
by the point's hash, so re-running a sweep finds its finished points by name, and several
sweeps can share a store. Parts are plain Parquet (data, never pickles) and
``pandas.read_parquet`` reads a single part; :func:`read_store` reads them all.

Next to a part, ``fields-<point_id>.npz`` may hold that point's fields (temperature, velocity,
pressure, mass flux) for warm-starting resumed sweeps: plain float64 NumPy arrays, written and
read without pickle (``allow_pickle=False``), so loading a store never executes code.
"""

from __future__ import annotations

import json
import os
import uuid
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rackflow.errors import SweepError

MARKER = "rackflow-sweep-store.json"
_FIELDS = "fields-"
#: the arrays a field file may hold (the names ``Case.solve(initial=...)`` takes)
FIELD_NAMES = ("temperature_c", "velocity_m_s", "pressure_pa", "mass_flux_kg_s", "inlet_temperature_c")
STORE_VERSION = 1
_PART = "part-"


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise SweepError(
            "a sweep store needs pyarrow: pip install 'rackflow[sweep]' (or pass store=None)"
        ) from None
    return pa, pq


class Store:
    """A sweep store folder (created on first use)."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        marker = self.path / MARKER
        if self.path.exists() and not self.path.is_dir():
            raise SweepError(
                f"sweep store '{self.path}' is a file; a rackflow store is a folder of Parquet parts "
                "(choose another store path)"
            )
        if self.path.is_dir():
            if marker.exists():
                try:
                    meta = json.loads(marker.read_text(encoding="utf-8"))
                    version = int(meta["rackflow_sweep_store"])
                except (OSError, ValueError, KeyError, TypeError):
                    raise SweepError(f"sweep store marker '{marker}' is malformed") from None
                if version > STORE_VERSION:
                    raise SweepError(
                        f"sweep store '{self.path}' has format {version}; this rackflow reads up to {STORE_VERSION}"
                    )
            elif any(self.path.iterdir()):
                raise SweepError(
                    f"'{self.path}' is a folder that is not a rackflow sweep store (no {MARKER}); "
                    "refusing to write into it"
                )
            elif create:
                self._write_marker()
        elif create:
            self.path.mkdir(parents=True)
            self._write_marker()
        else:
            raise SweepError(f"sweep store '{self.path}' does not exist")

    def _write_marker(self) -> None:
        (self.path / MARKER).write_text(json.dumps({"rackflow_sweep_store": STORE_VERSION}) + "\n")

    def part_path(self, point_id: str) -> Path:
        """Where a point's row lives."""
        return self.path / f"{_PART}{point_id}.parquet"

    def ids(self) -> set[str]:
        """Point ids with a part in the store."""
        return {p.name[len(_PART) : -len(".parquet")] for p in self.path.glob(f"{_PART}*.parquet")}

    def write(self, row: Mapping[str, Any]) -> Path:
        """Write one row atomically (temporary file, then rename)."""
        pa, pq = _pyarrow()
        final = self.part_path(str(row["point_id"]))
        tmp = self.path / f".tmp-{final.stem}-{os.getpid()}-{uuid.uuid4().hex[:8]}.parquet"
        table = pa.Table.from_pylist([dict(row)])
        try:
            pq.write_table(table, tmp)
            os.replace(tmp, final)
        finally:
            if tmp.exists():
                tmp.unlink()
        return final

    def read_rows(self, ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Rows of the given point ids (all when None); a malformed part raises SweepError naming it."""
        _, pq = _pyarrow()
        wanted = self.ids() if ids is None else set(ids) & self.ids()
        rows = []
        for point_id in sorted(wanted):
            part = self.part_path(point_id)
            try:
                table = pq.read_table(part)
                records = table.to_pylist()
            except Exception as e:  # pyarrow raises several types for corrupt files
                raise SweepError(
                    f"sweep store part '{part}' is unreadable ({type(e).__name__}: {e}); delete it to "
                    "recompute that point"
                ) from None
            if len(records) != 1 or records[0].get("point_id") != point_id:
                raise SweepError(f"sweep store part '{part}' does not hold the row of point {point_id}")
            rows.append(records[0])
        return rows

    def fields_path(self, point_id: str) -> Path:
        """Where a point's fields live."""
        return self.path / f"{_FIELDS}{point_id}.npz"

    def write_fields(self, point_id: str, fields: Mapping[str, Any]) -> Path:
        """Write a point's fields atomically (uncompressed ``.npz`` of float64 arrays, no pickle)."""
        import numpy as np

        arrays = {k: np.asarray(fields[k], dtype=np.float64) for k in FIELD_NAMES if k in fields}
        final = self.fields_path(point_id)
        tmp = self.path / f".tmp-{final.stem}-{os.getpid()}-{uuid.uuid4().hex[:8]}.npz"
        try:
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)  # float64 arrays: never pickled
            os.replace(tmp, final)
        finally:
            if tmp.exists():
                tmp.unlink()
        return final

    def read_fields(self, point_id: str) -> dict[str, Any] | None:
        """A point's fields, or None when there is no usable field file (a warning says why)."""
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
        except Exception as e:  # numpy raises several types for corrupt or hostile files
            from rackflow.errors import RackflowWarning

            warnings.warn(
                f"sweep store field file '{path}' is unusable ({type(e).__name__}: {e}); "
                "the points that would start from it start cold",
                RackflowWarning,
                stacklevel=2,
            )
            return None
        return fields

    def clean_temporary(self) -> int:
        """Remove temporary files left by killed runs; returns how many."""
        n = 0
        for tmp in self.path.glob(".tmp-*"):
            tmp.unlink(missing_ok=True)
            n += 1
        return n


def read_store(path: str | Path) -> Any:
    """Every row in a sweep store as a ``pandas.DataFrame`` (all sweeps that share it)."""
    import pandas as pd

    store = Store(path, create=False)
    return pd.DataFrame.from_records(store.read_rows())
