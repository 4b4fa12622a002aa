"""rackflow: liquid-cooling thermal solver.

BRANCH-LOCAL MINIMAL ``__init__`` of the ``network`` branch; main's curated ``__init__`` replaces
it and adds the network names listed in ``__all__`` below.
"""

from rackflow.coldplate_model import ColdPlateModel
from rackflow.coolants import Coolant, get_coolant, known_coolants, propylene_glycol
from rackflow.network import Network, NetworkResult

__all__ = [
    "ColdPlateModel",
    "Coolant",
    "Network",
    "NetworkResult",
    "get_coolant",
    "known_coolants",
    "propylene_glycol",
]
