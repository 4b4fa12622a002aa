"""Parameter sweeps: :class:`Sweep`, the axis registry and the resumable Parquet store.

See :class:`rackflow.sweep.core.Sweep` for the API and :mod:`rackflow.sweep.axes` for axis names.
"""

from rackflow.sweep.axes import AXES, apply_axis, register_axis
from rackflow.sweep.core import Sweep
from rackflow.sweep.store import Store, read_store

__all__ = ["AXES", "Store", "Sweep", "apply_axis", "read_store", "register_axis"]
