"""rackflow: the liquid-cooling thermal solver for cold plates, servers and racks.

>>> import rackflow as rf
>>> mesh = rf.load_mesh("meshes/gpu_stack.msh")                     # doctest: +SKIP
>>> case = rf.Case(mesh)                                             # doctest: +SKIP
"""

from rackflow import errors
from rackflow._core import __version__
from rackflow.case import Case
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
from rackflow.plots import plot_curves
from rackflow.result import Result, Summary
from rackflow.sweep import Sweep

__all__ = [
    "Case",
    "CaseError",
    "CaseFileError",
    "ConvergenceError",
    "LinearSolverError",
    "Material",
    "MaterialError",
    "Mesh",
    "MeshError",
    "RackflowError",
    "Result",
    "Summary",
    "Sweep",
    "SweepError",
    "__version__",
    "errors",
    "get_material",
    "load_mesh",
    "plot_curves",
]
