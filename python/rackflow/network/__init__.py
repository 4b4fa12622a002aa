"""Rack-scale coolant networks: pipes, fittings, quick disconnects, cold plates, pumps, CDUs.

A :class:`Network` records components between named nodes (each call returns the edge); the
Rust core solves hydraulics by Newton on node pressures and temperatures by an enthalpy pass,
with coolant properties at the local temperature.

Modules: :mod:`~rackflow.network.edges` (the typed components, mirroring the core's component
enum), :mod:`~rackflow.network.builder` (:class:`Network`), :mod:`~rackflow.network.templates`
(rack, hall), :mod:`~rackflow.network.line_mesh` and :mod:`~rackflow.network.casefile`
(networks from line meshes and TOML), :mod:`~rackflow.network.result` (:class:`NetworkResult`),
:mod:`~rackflow.network.plots`, :mod:`~rackflow.network.transient` (``Network.simulate`` and
:class:`NetworkTransientResult`).

Units at this edge: flows in L/min, temperatures in °C, pressures in Pa, lengths in m.
"""

from rackflow.network.builder import Network
from rackflow.network.edges import (
    Cdu,
    ColdPlate,
    Duct,
    Edge,
    FlowSource,
    Loss,
    Pipe,
    Pump,
    Radiator,
    contraction_k,
    default_cold_plate_model,
    expansion_k,
)
from rackflow.network.result import NetworkResult, NetworkSummary
from rackflow.network.transient import NetworkTransientResult

__all__ = [
    "Cdu",
    "ColdPlate",
    "Duct",
    "Edge",
    "FlowSource",
    "Loss",
    "Network",
    "NetworkResult",
    "NetworkSummary",
    "NetworkTransientResult",
    "Pipe",
    "Pump",
    "Radiator",
    "contraction_k",
    "default_cold_plate_model",
    "expansion_k",
]
