"""rackflow: the liquid-cooling thermal solver for cold plates, servers and racks.

>>> import rackflow as rf
>>> mesh = rf.load_mesh("meshes/gpu_stack.msh")                     # doctest: +SKIP
>>> case = rf.Case(mesh)                                             # doctest: +SKIP
"""

from rackflow import errors
from rackflow._core import __version__
from rackflow.case import Case
from rackflow.characterise import characterise
from rackflow.coldplate_model import ColdPlateModel
from rackflow.coolants import Coolant, get_coolant, known_coolants, propylene_glycol
from rackflow.errors import (
    CaseError,
    CaseFileError,
    ConvergenceError,
    LinearSolverError,
    MaterialError,
    MeshError,
    RackflowError,
    SweepError,
)
from rackflow.materials import Material, get_material
from rackflow.mesh import Mesh, load_mesh
from rackflow.network import Network, NetworkResult
from rackflow.plots import plot_curves
from rackflow.result import Result, Summary
from rackflow.sweep import Sweep

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
    "RackflowError",
    "Result",
    "Summary",
    "Sweep",
    "SweepError",
    "__version__",
    "characterise",
    "errors",
    "get_coolant",
    "get_material",
    "known_coolants",
    "load_mesh",
    "plot_curves",
    "propylene_glycol",
]
