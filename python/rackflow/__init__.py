"""rackflow: the liquid-cooling thermal solver for cold plates, servers and racks.

>>> import rackflow as rf
>>> mesh = rf.load_mesh(rf.datasets.gpu_stack())                    # doctest: +SKIP
>>> case = rf.Case(mesh)                                             # doctest: +SKIP
"""

from typing import TYPE_CHECKING, Any

from rackflow import datasets, errors, units
from rackflow._core import __version__
from rackflow.case import Case
from rackflow.coolants import Coolant, get_coolant, known_coolants, propylene_glycol
from rackflow.errors import (
    CaseError,
    CaseFileError,
    ConvergenceError,
    LinearSolverError,
    MaterialError,
    MeshError,
    ProfileError,
    RackflowError,
    ResourceError,
    SweepError,
)
from rackflow.materials import Material, get_material
from rackflow.mesh import Mesh, load_mesh
from rackflow.profile import Profile
from rackflow.result import Result, Summary

if TYPE_CHECKING:
    from rackflow.characterise import characterise, characterise_radiator
    from rackflow.coldplate_model import ColdPlateModel
    from rackflow.network import Network, NetworkResult, NetworkTransientResult
    from rackflow.plots import plot_curves
    from rackflow.radiator_model import RadiatorModel
    from rackflow.sweep import Sweep, read_sweep, read_sweep_series
    from rackflow.thermal_ladder import ThermalLadder, characterise_step_response
    from rackflow.transient import TransientResult
    from rackflow.viz import render_file

# Imported on first use: the network (pandas), sweep (multiprocessing) and plotting layers are
# not needed to load a mesh and solve, and importing them costs a large share of start-up time.
_LAZY = {
    "characterise": "rackflow.characterise",
    "characterise_radiator": "rackflow.characterise",
    "RadiatorModel": "rackflow.radiator_model",
    "ColdPlateModel": "rackflow.coldplate_model",
    "Network": "rackflow.network",
    "NetworkResult": "rackflow.network",
    "NetworkTransientResult": "rackflow.network",
    "plot_curves": "rackflow.plots",
    "render_file": "rackflow.viz",
    "Sweep": "rackflow.sweep",
    "read_sweep": "rackflow.sweep",
    "read_sweep_series": "rackflow.sweep",
    "ThermalLadder": "rackflow.thermal_ladder",
    "characterise_step_response": "rackflow.thermal_ladder",
    # the results of solve_transient and Network.simulate, for type hints and isinstance
    "TransientResult": "rackflow.transient",
}


#: Submodules reachable as ``rackflow.<name>`` without importing them first (``rf.orbit``).
_SUBMODULES = {"orbit", "radiation"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"rackflow.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rackflow' has no attribute {name!r}")
    import importlib

    loaded = importlib.import_module(module)
    # every lazy name of that module at once: importing ``rackflow.characterise`` binds the
    # submodule to ``rackflow.characterise``, which the function of that name must replace
    for other, home in _LAZY.items():
        if home == module:
            globals()[other] = getattr(loaded, other)
    return globals()[name]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)


__all__ = [
    "Case",
    "CaseError",
    "CaseFileError",
    "ColdPlateModel",
    "ConvergenceError",
    "Coolant",
    "LinearSolverError",
    "Material",
    "MaterialError",
    "Mesh",
    "MeshError",
    "Network",
    "NetworkResult",
    "NetworkTransientResult",
    "Profile",
    "ProfileError",
    "RackflowError",
    "RadiatorModel",
    "ResourceError",
    "Result",
    "Summary",
    "Sweep",
    "SweepError",
    "ThermalLadder",
    "TransientResult",
    "__version__",
    "characterise",
    "characterise_radiator",
    "characterise_step_response",
    "datasets",
    "errors",
    "get_coolant",
    "get_material",
    "known_coolants",
    "load_mesh",
    "plot_curves",
    "propylene_glycol",
    "read_sweep",
    "read_sweep_series",
    "render_file",
    "units",
]
