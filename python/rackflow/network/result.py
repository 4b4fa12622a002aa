"""The solution of a steady network solve: flows, pressures, temperatures, cold plates."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rackflow.errors import CaseError
from rackflow.network import plots
from rackflow.network.edges import KELVIN as _K
from rackflow.network.edges import LPM as _LPM
from rackflow.network.edges import Edge

if TYPE_CHECKING:
    import pandas as pd

    from rackflow.network.builder import Network


class NetworkResult:
    """Solution of a :class:`Network`: flows, pressures, temperatures, cold-plate table."""

    def __init__(
        self, network: Network, data: dict[str, Any], timing: dict[str, float] | None = None
    ) -> None:
        self.network = network
        self.raw = data
        self.timing = timing or {}
        self.warnings: list[str] = list(data["warnings"])
        self.iterations: dict[str, int] = dict(data["iterations"])
        self.energy_balance: dict[str, float] = dict(data["energy_balance"])
        self.max_mass_imbalance: float = float(data["max_mass_imbalance"])

    @cached_property
    def nodes(self) -> pd.DataFrame:
        """Per node: pressure_pa, temperature_c, elevation_m, mass_imbalance (index: name)."""
        import pandas as pd

        nodes = pd.DataFrame(self.raw["nodes"]).set_index("name")
        nodes["temperature_c"] = nodes["temperature_k"] - _K
        return nodes

    @cached_property
    def edges(self) -> pd.DataFrame:
        """Per edge: kind, from, to, flow_lpm, pressure_drop_pa, inlet_c, outlet_c, heat_w, ..."""
        import pandas as pd

        edges = pd.DataFrame(self.raw["edges"]).set_index("name")
        edges["flow_lpm"] = edges["flow_m3_s"] / _LPM
        edges["inlet_c"] = edges["inlet_temperature_k"] - _K
        edges["outlet_c"] = edges["outlet_temperature_k"] - _K
        return edges

    def _edge_row(self, edge_or_name: Edge | str) -> pd.Series:
        key = edge_or_name.name if isinstance(edge_or_name, Edge) else edge_or_name
        if key not in self.edges.index:
            raise CaseError(f"unknown edge {key!r}")
        return self.edges.loc[key]

    def _node_row(self, node: str) -> pd.Series:
        if node not in self.nodes.index:
            raise CaseError(f"unknown node {node!r}")
        return self.nodes.loc[node]

    def flow_lpm(self, edge_or_name: Edge | str) -> float:
        """Volume flow [L/min] through an edge (positive from its first to its second node)."""
        return float(self._edge_row(edge_or_name)["flow_lpm"])

    def pressure_drop_pa(self, edge_or_name: Edge | str) -> float:
        """p(first node) - p(second node) [Pa]."""
        return float(self._edge_row(edge_or_name)["pressure_drop_pa"])

    def pressure_pa(self, node: str) -> float:
        """Static pressure [Pa] at a node (relative to the reference node)."""
        return float(self._node_row(node)["pressure_pa"])

    def temperature_c(self, node: str) -> float:
        """Coolant temperature [°C] at a node."""
        return float(self._node_row(node)["temperature_c"])

    def cold_plates(self) -> pd.DataFrame:
        """One row per cold plate: name, flow_lpm, inlet_c, outlet_c, pressure_drop_pa,
        thermal_resistance_k_w, gpu_temperature_c, power_w."""
        import pandas as pd

        df = pd.DataFrame(self.raw["cold_plates"])
        if df.empty:
            return pd.DataFrame(
                columns=[
                    "name",
                    "flow_lpm",
                    "inlet_c",
                    "outlet_c",
                    "pressure_drop_pa",
                    "thermal_resistance_k_w",
                    "gpu_temperature_c",
                    "power_w",
                ]
            )
        return pd.DataFrame(
            {
                "name": df["name"],
                "flow_lpm": df["flow_m3_s"] / _LPM,
                "inlet_c": df["inlet_temperature_k"] - _K,
                "outlet_c": df["outlet_temperature_k"] - _K,
                "pressure_drop_pa": df["pressure_drop_pa"],
                "thermal_resistance_k_w": df["thermal_resistance_k_w"],
                "gpu_temperature_c": df["gpu_temperature_k"] - _K,
                "power_w": df["power_w"],
            }
        )

    def summary(self) -> NetworkSummary:
        """Worst GPU, maldistribution, pump operating points, pumping power, energy balance."""
        plates = self.cold_plates()
        d: dict[str, Any] = {
            "network": self.network.name,
            "coolant": self.network.coolant.name,
            "cold_plates": len(plates),
        }
        if len(plates):
            worst = plates.loc[plates["gpu_temperature_c"].idxmax()]
            d["worst_gpu"] = worst["name"]
            d["worst_gpu_temperature_c"] = float(worst["gpu_temperature_c"])
            d["worst_gpu_flow_lpm"] = float(worst["flow_lpm"])
            d["best_gpu_temperature_c"] = float(plates["gpu_temperature_c"].min())
            d["plate_flow_min_lpm"] = float(plates["flow_lpm"].min())
            d["plate_flow_max_lpm"] = float(plates["flow_lpm"].max())
            d["maldistribution_max_over_min"] = d["plate_flow_max_lpm"] / d["plate_flow_min_lpm"]
        pumps = self.edges[self.edges["kind"].isin(["pump", "flow_source"])]
        if len(pumps) <= 3:
            for name, row in pumps.iterrows():
                d[f"pump {name} flow_lpm"] = float(row["flow_lpm"])
                d[f"pump {name} pressure_rise_pa"] = float(-row["pressure_drop_pa"])
        else:
            d["pumps"] = len(pumps)
            d["pump_flow_range_lpm"] = f"{pumps['flow_lpm'].min():.4g} .. {pumps['flow_lpm'].max():.4g}"
            rise = -pumps["pressure_drop_pa"]
            d["pump_rise_range_pa"] = f"{rise.min():.4g} .. {rise.max():.4g}"
        d["pumping_power_w"] = float(pumps["hydraulic_power_w"].sum())
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
