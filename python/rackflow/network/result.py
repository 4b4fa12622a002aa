"""The solution of a steady network solve: flows, pressures, temperatures, cold plates.

The core returns the solution as columns (NumPy arrays, one entry per node, edge or plate);
the tables (``nodes``, ``edges``, ``cold_plates()``) are built from them when first asked for,
so that solving a hall of 760,000 edges does not pay for tables nobody reads.
"""

from __future__ import annotations

import warnings
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rackflow.errors import CaseError, PropertyRangeWarning, RackflowWarning
from rackflow.network import plots
from rackflow.network.edges import KELVIN as _K
from rackflow.network.edges import LPM as _LPM
from rackflow.network.edges import Edge

if TYPE_CHECKING:
    import pandas as pd

    from rackflow.network.builder import Network

#: Warning class for each kind of warning the core reports (it names the kind; the message
#: text is never inspected).
WARNING_CATEGORIES: dict[str, type[Warning]] = {"property_range": PropertyRangeWarning}
# "extrapolation", "setpoint" and anything new are RackflowWarning.


class NetworkResult:
    """Solution of a :class:`Network`: flows, pressures, temperatures, cold-plate table.

    Columns as NumPy arrays: :attr:`columns` (``node_*`` in :attr:`node_names` order,
    ``edge_*`` in the network's edge order, ``plate_*`` in cold-plate order, SI and kelvin).
    """

    def __init__(
        self, network: Network, columns: dict[str, np.ndarray], info: dict[str, Any], arrays: dict[str, Any]
    ) -> None:
        self.network = network
        #: The solution's columns (SI, kelvin), as the core returned them.
        self.columns = columns
        #: Wall times [s]: ``prepare_s``, ``core_s``, ``result_s`` (set by the solve) and the
        #: core's phases ``core_model_s``, ``core_setup_s``, ``core_hydraulics_s``,
        #: ``core_energy_s``, ``core_results_s``.
        self.timing: dict[str, float] = {f"core_{k}": float(v) for k, v in info.get("times", {}).items()}
        self.warnings: list[str] = list(info["warnings"])
        self._warning_kinds: list[str] = list(info.get("warning_kinds", []))
        self.iterations: dict[str, int] = dict(info["iterations"])
        self.energy_balance: dict[str, float] = dict(info["energy_balance"])
        self.max_mass_imbalance: float = float(info["max_mass_imbalance"])
        #: Node names in the order of the ``node_*`` columns.
        self.node_names: list[str] = arrays["node_names"]
        self._edge_names: list[str] = arrays["edge_names"]
        self._edge_from = arrays["edge_from"]
        self._edge_to = arrays["edge_to"]
        kinds = np.array([c.kind for c in network._components] or [""], dtype=object)
        self._edge_kind = kinds[arrays["edge_component"]] if len(arrays["edge_component"]) else kinds[:0]

    def _warn(self, stacklevel: int = 2) -> None:
        kinds = self._warning_kinds + ["other"] * (len(self.warnings) - len(self._warning_kinds))
        for message, kind in zip(self.warnings, kinds, strict=True):
            warnings.warn(message, WARNING_CATEGORIES.get(kind, RackflowWarning), stacklevel=stacklevel + 1)

    @cached_property
    def _edge_position(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self._edge_names)}

    @cached_property
    def _node_position(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.node_names)}

    def _edge_index(self, edge_or_name: Edge | str) -> int:
        key = edge_or_name.name if isinstance(edge_or_name, Edge) else edge_or_name
        i = self._edge_position.get(key)
        if i is None:
            raise CaseError(f"unknown edge {key!r}")
        return i

    def _node_index(self, node: str) -> int:
        i = self._node_position.get(node)
        if i is None:
            raise CaseError(f"unknown node {node!r}")
        return i

    @cached_property
    def nodes(self) -> pd.DataFrame:
        """Per node: pressure_pa, temperature_k, temperature_c, elevation_m, mass_imbalance
        (index: name)."""
        import pandas as pd

        c = self.columns
        return pd.DataFrame(
            {
                "pressure_pa": c["node_pressure_pa"],
                "temperature_k": c["node_temperature_k"],
                "elevation_m": c["node_elevation_m"],
                "mass_imbalance": c["node_mass_imbalance"],
                "temperature_c": c["node_temperature_k"] - _K,
            },
            index=pd.Index(self.node_names, name="name"),
        )

    @cached_property
    def edges(self) -> pd.DataFrame:
        """Per edge: kind, from, to, flow_m3_s, flow_lpm, mass_flow_kg_s, pressure_drop_pa,
        velocity_m_s, reynolds, friction_factor (NaN where not defined), inlet_c, outlet_c,
        heat_w, hydraulic_power_w (index: name)."""
        import pandas as pd

        c = self.columns
        names = np.array(self.node_names, dtype=object)
        return pd.DataFrame(
            {
                "kind": pd.Categorical(self._edge_kind),
                "from": names[self._edge_from],
                "to": names[self._edge_to],
                "flow_m3_s": c["edge_flow_m3_s"],
                "mass_flow_kg_s": c["edge_mass_flow_kg_s"],
                "pressure_drop_pa": c["edge_pressure_drop_pa"],
                "velocity_m_s": c["edge_velocity_m_s"],
                "reynolds": c["edge_reynolds"],
                "friction_factor": c["edge_friction_factor"],
                "inlet_temperature_k": c["edge_inlet_temperature_k"],
                "outlet_temperature_k": c["edge_outlet_temperature_k"],
                "heat_w": c["edge_heat_w"],
                "hydraulic_power_w": c["edge_hydraulic_power_w"],
                "flow_lpm": c["edge_flow_m3_s"] / _LPM,
                "inlet_c": c["edge_inlet_temperature_k"] - _K,
                "outlet_c": c["edge_outlet_temperature_k"] - _K,
            },
            index=pd.Index(self._edge_names, name="name"),
        )

    def flow_lpm(self, edge_or_name: Edge | str) -> float:
        """Volume flow [L/min] through an edge (positive from its first to its second node)."""
        return float(self.columns["edge_flow_m3_s"][self._edge_index(edge_or_name)] / _LPM)

    def pressure_drop_pa(self, edge_or_name: Edge | str) -> float:
        """p(first node) - p(second node) [Pa]."""
        return float(self.columns["edge_pressure_drop_pa"][self._edge_index(edge_or_name)])

    def pressure_pa(self, node: str) -> float:
        """Static pressure [Pa] at a node (relative to the reference node)."""
        return float(self.columns["node_pressure_pa"][self._node_index(node)])

    def temperature_c(self, node: str) -> float:
        """Coolant temperature [°C] at a node."""
        return float(self.columns["node_temperature_k"][self._node_index(node)] - _K)

    def cold_plates(self) -> pd.DataFrame:
        """One row per cold plate: name, flow_lpm, inlet_c, outlet_c, pressure_drop_pa,
        thermal_resistance_k_w, gpu_temperature_c, power_w."""
        import pandas as pd

        c = self.columns
        names = self._edge_names
        return pd.DataFrame(
            {
                "name": pd.Series([names[k] for k in c["plate_edge"].tolist()], dtype=object),
                "flow_lpm": c["plate_flow_m3_s"] / _LPM,
                "inlet_c": c["plate_inlet_temperature_k"] - _K,
                "outlet_c": c["plate_outlet_temperature_k"] - _K,
                "pressure_drop_pa": c["plate_pressure_drop_pa"],
                "thermal_resistance_k_w": c["plate_thermal_resistance_k_w"],
                "gpu_temperature_c": c["plate_gpu_temperature_k"] - _K,
                "power_w": c["plate_power_w"],
            }
        )

    def radiators(self) -> pd.DataFrame:
        """One row per radiator panel: name, flow_lpm, inlet_c, outlet_c, heat_rejected_w,
        pressure_drop_pa."""
        e = self.edges[self.edges["kind"] == "radiator"]
        return (
            e.reset_index()[["name", "flow_lpm", "inlet_c", "outlet_c", "heat_w", "pressure_drop_pa"]]
            .assign(heat_w=lambda d: -d["heat_w"])
            .rename(columns={"heat_w": "heat_rejected_w"})
        )

    def summary(self) -> NetworkSummary:
        """Worst GPU, maldistribution, pump operating points, pumping power, energy balance."""
        c = self.columns
        d: dict[str, Any] = {
            "network": self.network.name,
            "coolant": self.network.coolant.name,
            "cold_plates": len(c["plate_edge"]),
        }
        if len(c["plate_edge"]):
            gpu = c["plate_gpu_temperature_k"] - _K
            flow = c["plate_flow_m3_s"] / _LPM
            w = int(np.argmax(gpu))
            d["worst_gpu"] = self._edge_names[int(c["plate_edge"][w])]
            d["worst_gpu_temperature_c"] = float(gpu[w])
            d["worst_gpu_flow_lpm"] = float(flow[w])
            d["best_gpu_temperature_c"] = float(gpu.min())
            d["plate_flow_min_lpm"] = float(flow.min())
            d["plate_flow_max_lpm"] = float(flow.max())
            d["maldistribution_max_over_min"] = d["plate_flow_max_lpm"] / d["plate_flow_min_lpm"]
        pumps = np.flatnonzero((self._edge_kind == "pump") | (self._edge_kind == "flow_source"))
        flow = c["edge_flow_m3_s"][pumps] / _LPM
        rise = -c["edge_pressure_drop_pa"][pumps]
        if len(pumps) <= 3:
            for i, k in enumerate(pumps.tolist()):
                name = self._edge_names[k]
                d[f"pump {name} flow_lpm"] = float(flow[i])
                d[f"pump {name} pressure_rise_pa"] = float(rise[i])
        else:
            d["pumps"] = len(pumps)
            d["pump_flow_range_lpm"] = f"{flow.min():.4g} .. {flow.max():.4g}"
            d["pump_rise_range_pa"] = f"{rise.min():.4g} .. {rise.max():.4g}"
        d["pumping_power_w"] = float(c["edge_hydraulic_power_w"][pumps].sum())
        d["heat_in_w"] = self.energy_balance["heat_in_w"]
        d["heat_out_w"] = self.energy_balance["heat_out_w"]
        d["energy_balance_error"] = self.energy_balance["relative_error"]
        d["max_mass_imbalance"] = self.max_mass_imbalance
        d["newton_iterations"] = self.iterations["newton"]
        d["coupling_passes"] = self.iterations["coupling"]
        if "core_s" in self.timing:
            d["solve_time_s"] = self.timing["core_s"]
        return NetworkSummary(d)

    # ---------------------------------------------------------------- drawing
    def render(
        self,
        path: str | Path | None = None,
        *,
        by: str = "temperature",
        window_size: tuple[int, int] = (1024, 768),
        radius_m: float | None = None,
        off_screen: bool = True,
    ) -> Any:
        """Draws the loop as tubes coloured by ``temperature`` (°C) or ``flow`` (L/min);
        writes a PNG when ``path`` is given. Returns the pyvista plotter (closed if saved)."""
        return plots.render(
            self, path, by=by, window_size=window_size, radius_m=radius_m, off_screen=off_screen
        )

    def plot_gpu_temperatures(self, path: str | Path | None = None, *, limit_c: float | None = None) -> Any:
        """Bar chart of GPU temperatures (worst in red); saved to ``path`` if given."""
        return plots.plot_gpu_temperatures(self, path, limit_c=limit_c)


class NetworkSummary(dict):
    """The summary of a network solve; prints as a table, ``to_dict()`` gives the values."""

    def to_dict(self) -> dict[str, Any]:
        return dict(self)

    def __str__(self) -> str:
        width = max(len(k) for k in self)
        rows = []
        for k, v in self.items():
            text = f"{v:.6g}" if isinstance(v, float) else str(v)
            rows.append(f"{k.ljust(width)}  {text}")
        return "\n".join(rows)


__all__ = ["NetworkResult", "NetworkSummary"]
