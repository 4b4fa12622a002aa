"""Parameter sweeps: :class:`Sweep`, the axis registry and the resumable Parquet store.

See :class:`rackflow.sweep.core.Sweep` for the API, :mod:`rackflow.sweep.axes` for axis names and
:mod:`rackflow.sweep.store` for the store's layout (a plain Parquet dataset).
"""

from rackflow.sweep.axes import AXES, apply_axis, register_axis
from rackflow.sweep.core import Sweep
from rackflow.sweep.store import Store, read_store, read_sweep, read_sweep_series

__all__ = [
    "AXES",
    "Store",
    "Sweep",
    "apply_axis",
    "read_store",
    "read_sweep",
    "read_sweep_series",
    "register_axis",
]
