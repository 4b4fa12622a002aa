"""Networks in time: :meth:`Network.simulate` and its record, :class:`NetworkTransientResult`.

The model (in the Rust core, ``network::transient``): quasi-steady hydraulics solved again
when a flow input changes or the temperatures drift; coolant carried through pipes and ducts
in upwind cells (implicit in time: the mean transit time of a pipe is exactly L/U and a front
spreads as diffusion with ``D = U·(Δx + U·dt)/2``); a lumped heat capacity per GPU and plate;
CDUs that pass coolant in one step and follow their set-point at once, by a first-order lag or
under a PI controller. Energy is conserved to round-off, and the record says so step by step.

Units at this edge: times in s, temperatures in °C, flows in L/min, heat in W.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rackflow import _core
from rackflow.errors import CaseError, NetworkError
from rackflow.network.edges import KELVIN as _K
from rackflow.network.edges import LPM as _LPM
from rackflow.network.edges import Cdu, ColdPlate, Edge, FlowSource, Radiator, _finite
from rackflow.profile import Profile

if TYPE_CHECKING:
    import pandas as pd

    from rackflow.network.builder import Network


def inputs(net: Network) -> list[dict[str, Any]]:
    """The core's input groups: one per (quantity, Profile), with the edges it drives and its
    values in SI (W, m³/s, K)."""
    kinds = np.asarray(net._edge_component, dtype=np.int64)
    groups: dict[tuple[str, int, float, float], dict[str, Any]] = {}
    for ci, c in enumerate(net._components):
        driven: list[tuple[str, Profile, float, float]] = []
        if isinstance(c, ColdPlate) and isinstance(c.power_w, Profile):
            driven.append(("power_w", c.power_w, 1.0, 0.0))
        elif isinstance(c, FlowSource) and isinstance(c.flow_lpm, Profile):
            driven.append(("flow_m3_s", c.flow_lpm, _LPM, 0.0))
        elif isinstance(c, Cdu):
            if isinstance(c.setpoint_c, Profile):
                driven.append(("setpoint_k", c.setpoint_c, 1.0, _K))
            elif isinstance(c.supply_c, Profile) and c.approach_k is not None:
                driven.append(("setpoint_k", c.supply_c, 1.0, _K + float(c.approach_k)))
            elif isinstance(c.supply_c, Profile):
                edge = net._first_edge_with(c)
                raise NetworkError(
                    f"cdu {edge!r}: a time-varying supply_c needs approach_k (an ε-NTU CDU's "
                    "facility supply does not vary in time); use setpoint_c for a controlled CDU"
                )
        if not driven:
            continue
        edges = np.flatnonzero(kinds == ci)
        if edges.size == 0:
            continue
        for quantity, profile, scale, offset in driven:
            key = (quantity, id(profile), scale, offset)
            group = groups.get(key)
            if group is None:
                group = groups[key] = {
                    "quantity": quantity,
                    "profile": {
                        "time_s": profile.time_s.tolist(),
                        "value": (profile.value * scale + offset).tolist(),
                        "interpolation": profile.interpolation,
                    },
                    "edges": [],
                }
            group["edges"].extend(edges.tolist())
    return list(groups.values())


def simulate(
    net: Network,
    *,
    end_time_s: float,
    time_step_s: float,
    output_interval_s: float | None = None,
    initial: str | float = "steady",
    max_cell_length_m: float = 0.5,
    hydraulic_update_k: float = 0.5,
    plates: Sequence[Edge | str] | None = None,
    progress: Callable[[int, dict[str, float]], Any] | None = None,
    allow_extrapolation: bool = False,
    tolerance: float = 1e-10,
    max_iterations: int = 100,
    max_coupling_iterations: int = 30,
) -> NetworkTransientResult:
    """Runs ``net`` in time; see :meth:`Network.simulate`."""
    _finite(
        "simulate",
        end_time_s=end_time_s,
        time_step_s=time_step_s,
        output_interval_s=output_interval_s,
        max_cell_length_m=max_cell_length_m,
        hydraulic_update_k=hydraulic_update_k,
    )
    if isinstance(initial, str):
        if initial != "steady":
            raise NetworkError(f"simulate: initial must be 'steady' or a temperature in °C, got {initial!r}")
        initial_k = None
    else:
        _finite("simulate", initial=initial)
        initial_k = float(initial) + _K
    record = None
    if plates is not None:
        record = []
        for p in plates:
            e = net.edge(p)
            if e.kind != "cold_plate":
                raise NetworkError(f"simulate: plates lists {e.name!r}, a {e.kind}, not a cold plate")
            record.append(e._index)
    settings = {
        "allow_extrapolation": bool(allow_extrapolation),
        "tolerance": float(tolerance),
        "max_iterations": int(max_iterations),
        "max_coupling_iterations": int(max_coupling_iterations),
    }
    t0 = time.perf_counter()
    radiators = [(k, e.component) for k, e in enumerate(net.edges) if isinstance(e.component, Radiator)]
    if radiators:
        seen: set[int] = set()
        for k, c in radiators:
            if id(c) in seen:
                raise NetworkError(
                    f"radiator {net.edges[k].name!r}: shares its component with another edge; give each its own"
                )
            seen.add(id(c))
        if initial_k is None:
            # the steady start: each panel's outlet at its model's, in the environment of time 0
            net._solve_with_radiators({**settings, "temperature_tolerance_k": 1e-6}, at_time_s=0.0)
    spec, arrays = net._table(settings, at_time_s=0.0)
    transient = {
        "end_time_s": float(end_time_s),
        "time_step_s": float(time_step_s),
        "output_interval_s": None if output_interval_s is None else float(output_interval_s),
        "max_cell_length_m": float(max_cell_length_m),
        "hydraulic_update_k": float(hydraulic_update_k),
        "initial_temperature_k": initial_k,
        "inputs": inputs(net),
        "record_plates": record,
        "radiators": [c.to_transient(k) for k, c in radiators],
    }
    text, transient_text = json.dumps(spec, allow_nan=False), json.dumps(transient, allow_nan=False)
    t1 = time.perf_counter()
    columns, info = _core.simulate_network_table(
        text,
        transient_text,
        arrays["node_names"],
        arrays["node_elevation_m"],
        arrays["edge_names"],
        arrays["edge_from"],
        arrays["edge_to"],
        arrays["edge_component"],
        progress,
    )
    t2 = time.perf_counter()
    result = NetworkTransientResult(net, columns, json.loads(info), arrays)
    result.timing.update({"prepare_s": t1 - t0, "core_s": t2 - t1, "result_s": time.perf_counter() - t2})
    return result


class NetworkTransientResult:
    """The record of :meth:`Network.simulate`.

    Per step (``times_s``): ``worst_gpu_temperature_c`` (the hottest GPU of the network),
    ``cdu_supply_c`` / ``cdu_return_c`` / ``cdu_heat_w`` (steps × CDUs, columns in
    ``cdu_names`` order), ``radiator_inlet_c`` / ``radiator_outlet_c`` / ``radiator_heat_w`` /
    ``radiator_absorbed_flux_w_m2`` (steps × radiators, ``radiator_names`` order),
    ``energy_stored_j``, ``heat_in_w``, ``heat_out_w`` (CDUs without a facility side and
    radiators), ``ladder_refit_energy_j`` (the energy plates' ladders by flow gain when they are
    taken again at a new flow: capacities changed at kept node temperatures). Per output time
    (``output_times_s``): ``plate_inlet_c`` and ``gpu_temperature_c`` (times × plates, columns in
    ``plate_names`` order). Tables: :meth:`to_frame`.
    """

    def __init__(
        self, network: Network, columns: dict[str, np.ndarray], info: dict[str, Any], arrays: dict[str, Any]
    ) -> None:
        self.network = network
        self.columns = columns
        #: Transport cells, hydraulic solves, Newton iterations, core times.
        self.info = info
        self.timing: dict[str, float] = {
            "core_initial_s": float(info["initial_s"]),
            "core_loop_s": float(info["loop_s"]),
            "core_hydraulics_s": float(info["hydraulics_s"]),
        }
        self._edge_names: list[str] = arrays["edge_names"]
        self._node_names: list[str] = arrays["node_names"]
        c = columns
        self.times_s: np.ndarray = c["times_s"]
        self.output_times_s: np.ndarray = c["output_times_s"]
        n_t, n_out = len(self.times_s), len(self.output_times_s)
        n_plates, n_cdus = len(c["plate_edge"]), len(c["cdu_edge"])
        self.plate_names: list[str] = [self._edge_names[k] for k in c["plate_edge"].tolist()]
        self.cdu_names: list[str] = [self._edge_names[k] for k in c["cdu_edge"].tolist()]
        self.plate_inlet_c = c["plate_inlet_temperature_k"].reshape(n_out, n_plates) - _K
        self.gpu_temperature_c = c["plate_gpu_temperature_k"].reshape(n_out, n_plates) - _K
        self.worst_gpu_temperature_c = c["worst_gpu_temperature_k"] - _K
        self.cdu_supply_c = c["cdu_supply_temperature_k"].reshape(n_t, n_cdus) - _K
        self.cdu_return_c = c["cdu_return_temperature_k"].reshape(n_t, n_cdus) - _K
        self.cdu_heat_w = c["cdu_heat_w"].reshape(n_t, n_cdus)
        n_rad = len(c["radiator_edge"])
        self.radiator_names: list[str] = [self._edge_names[k] for k in c["radiator_edge"].tolist()]
        #: Radiators at every step (steps × radiators, columns in ``radiator_names`` order): the
        #: panel's inlet (its heat capacity's temperature) and outlet [°C], the heat it takes
        #: from the loop [W] and the flux it absorbs [W/m²].
        self.radiator_inlet_c = c["radiator_inlet_temperature_k"].reshape(n_t, n_rad) - _K
        self.radiator_outlet_c = c["radiator_outlet_temperature_k"].reshape(n_t, n_rad) - _K
        self.radiator_heat_w = c["radiator_heat_w"].reshape(n_t, n_rad)
        self.radiator_absorbed_flux_w_m2 = c["radiator_absorbed_flux_w_m2"].reshape(n_t, n_rad)
        self.energy_stored_j: np.ndarray = c["energy_stored_j"]
        self.heat_in_w: np.ndarray = c["heat_in_w"]
        self.heat_out_w: np.ndarray = c["heat_out_w"]
        self.ladder_refit_energy_j: np.ndarray = c["ladder_refit_energy_j"]

    # ------------------------------------------------------------------ lookups
    @cached_property
    def worst_gpu(self) -> list[str]:
        """The hottest GPU's plate at every step."""
        return [self._edge_names[k] for k in self.columns["worst_gpu_edge"].tolist()]

    def _plate(self, edge_or_name: Edge | str) -> int:
        key = edge_or_name.name if isinstance(edge_or_name, Edge) else edge_or_name
        try:
            return self.plate_names.index(key)
        except ValueError:
            raise CaseError(f"no recorded cold plate {key!r}") from None

    def _cdu(self, edge_or_name: Edge | str) -> int:
        key = edge_or_name.name if isinstance(edge_or_name, Edge) else edge_or_name
        try:
            return self.cdu_names.index(key)
        except ValueError:
            raise CaseError(f"unknown cdu {key!r}; CDUs: {self.cdu_names[:10]}") from None

    def gpu_c(self, plate: Edge | str) -> np.ndarray:
        """GPU temperature [°C] of one plate at the output times."""
        return self.gpu_temperature_c[:, self._plate(plate)]

    def inlet_c(self, plate: Edge | str) -> np.ndarray:
        """Coolant temperature [°C] at one plate's inlet at the output times."""
        return self.plate_inlet_c[:, self._plate(plate)]

    def supply_c(self, cdu: Edge | str) -> np.ndarray:
        """A CDU's outlet (supply) temperature [°C] at every step."""
        return self.cdu_supply_c[:, self._cdu(cdu)]

    def return_c(self, cdu: Edge | str) -> np.ndarray:
        """A CDU's inlet (return) temperature [°C] at every step."""
        return self.cdu_return_c[:, self._cdu(cdu)]

    def final_temperature_c(self, node: str) -> float:
        """Coolant temperature [°C] at a node at the end."""
        try:
            i = self._node_names.index(node)
        except ValueError:
            raise CaseError(f"unknown node {node!r}") from None
        return float(self.columns["final_node_temperature_k"][i] - _K)

    def final_flow_lpm(self, edge_or_name: Edge | str) -> float:
        """Flow [L/min] through an edge at the end."""
        key = edge_or_name.name if isinstance(edge_or_name, Edge) else edge_or_name
        try:
            k = self._edge_names.index(key)
        except ValueError:
            raise CaseError(f"unknown edge {key!r}") from None
        return float(self.columns["final_edge_flow_m3_s"][k] / _LPM)

    # ------------------------------------------------------------------ checks and summaries
    def energy_balance_error(self) -> float:
        """Largest step error of the energy balance, ``|ΔE − E_refit − dt·(heat in − heat out)|``,
        relative to the step's largest heat flow ``dt·max(heat in, heat out)``; ``E_refit``
        (``ladder_refit_energy_j``) is what ladders by flow gained by being taken again at a new
        flow, zero without them."""
        if len(self.times_s) < 2:
            return 0.0
        dt = np.diff(self.times_s)
        change = np.diff(self.energy_stored_j) - self.ladder_refit_energy_j[1:]
        flux = dt * (self.heat_in_w[1:] - self.heat_out_w[1:])
        scale = dt * np.maximum(np.maximum(self.heat_in_w[1:], np.abs(self.heat_out_w[1:])), 1e-300)
        return float(np.max(np.abs(change - flux) / scale))

    def settling_time_s(
        self, series: Any, *, after_s: float = 0.0, until_s: float | None = None, band: float = 0.5
    ) -> float:
        """Time [s] after ``after_s`` from which ``series`` (one value per step) stays within
        ``band`` of its value at ``until_s`` (default: the end) up to ``until_s``; 0 if it
        never leaves the band."""
        values = np.asarray(series, dtype=float)
        if values.shape != self.times_s.shape:
            raise CaseError(
                f"settling_time_s: expecting one value per step ({len(self.times_s)}), got {values.shape}"
            )
        end = (
            len(self.times_s) - 1
            if until_s is None
            else int(np.searchsorted(self.times_s, until_s, side="right")) - 1
        )
        window = (self.times_s >= after_s) & (np.arange(len(values)) <= end)
        outside = np.flatnonzero(window & (np.abs(values - values[end]) > band))
        if outside.size == 0:
            return 0.0
        return float(self.times_s[min(outside[-1] + 1, end)] - after_s)

    def summary(self) -> dict[str, Any]:
        """Peak and final worst GPU temperature, the CDUs' largest supply above set-point, the
        energy balance, counts and times."""
        worst = self.worst_gpu_temperature_c
        i = int(np.argmax(worst))
        d: dict[str, Any] = {
            "network": self.network.name,
            "steps": len(self.times_s) - 1,
            "end_time_s": float(self.times_s[-1]),
            "peak_worst_gpu_temperature_c": float(worst[i]),
            "peak_at_s": float(self.times_s[i]),
            "peak_gpu": self.worst_gpu[i],
            "final_worst_gpu_temperature_c": float(worst[-1]),
        }
        if self.cdu_names:
            d["max_cdu_supply_c"] = float(self.cdu_supply_c.max())
            d["max_cdu_return_c"] = float(self.cdu_return_c.max())
        if self.radiator_names:
            d["radiator_inlet_c_range"] = (
                float(self.radiator_inlet_c.min()),
                float(self.radiator_inlet_c.max()),
            )
            d["radiator_outlet_c_range"] = (
                float(self.radiator_outlet_c.min()),
                float(self.radiator_outlet_c.max()),
            )
        d["energy_balance_error"] = self.energy_balance_error()
        d["cells"] = int(self.info["cells"])
        d["hydraulic_solves"] = int(self.info["hydraulic_solves"])
        d.update(self.timing)
        return d

    # ------------------------------------------------------------------ tables
    def to_frame(self, what: str = "plates", *, layout: str = "long") -> pd.DataFrame:
        """A table of the record.

        ``what``: ``"plates"`` (inlet and GPU temperature of every recorded plate at the output
        times), ``"cdus"`` (supply, return and heat of every CDU at every step),
        ``"radiators"`` (inlet, outlet, heat and absorbed flux of every radiator at every step) or
        ``"summary"`` (per step: worst GPU, heat in and out, stored energy). ``layout``:
        ``"long"`` (one row per time and item: columns ``time_s``, ``plate``/``cdu`` and the
        quantities) or ``"wide"`` (one row per time, columns (quantity, item))."""
        import pandas as pd

        if layout not in ("long", "wide"):
            raise CaseError(f"to_frame: layout must be 'long' or 'wide', got {layout!r}")
        if what == "summary":
            return pd.DataFrame(
                {
                    "time_s": self.times_s,
                    "worst_gpu_c": self.worst_gpu_temperature_c,
                    "worst_gpu": self.worst_gpu,
                    "heat_in_w": self.heat_in_w,
                    "heat_out_w": self.heat_out_w,
                    "energy_stored_j": self.energy_stored_j,
                    "ladder_refit_energy_j": self.ladder_refit_energy_j,
                }
            )
        if what == "plates":
            times, names = self.output_times_s, self.plate_names
            quantities = {"inlet_c": self.plate_inlet_c, "gpu_c": self.gpu_temperature_c}
            item = "plate"
        elif what == "cdus":
            times, names = self.times_s, self.cdu_names
            quantities = {
                "supply_c": self.cdu_supply_c,
                "return_c": self.cdu_return_c,
                "heat_w": self.cdu_heat_w,
            }
            item = "cdu"
        elif what == "radiators":
            times, names = self.times_s, self.radiator_names
            quantities = {
                "inlet_c": self.radiator_inlet_c,
                "outlet_c": self.radiator_outlet_c,
                "heat_w": self.radiator_heat_w,
                "absorbed_flux_w_m2": self.radiator_absorbed_flux_w_m2,
            }
            item = "radiator"
        else:
            raise CaseError(
                f"to_frame: what must be 'plates', 'cdus', 'radiators' or 'summary', got {what!r}"
            )
        if layout == "wide":
            parts = {
                q: pd.DataFrame(v, index=pd.Index(times, name="time_s"), columns=names)
                for q, v in quantities.items()
            }
            return pd.concat(parts, axis=1, names=["quantity", item])
        n_t, n_i = len(times), len(names)
        data: dict[str, Any] = {
            "time_s": np.repeat(times, n_i),
            item: pd.Categorical.from_codes(np.tile(np.arange(n_i), n_t), categories=names),
        }
        for q, v in quantities.items():
            data[q] = v.reshape(-1)
        return pd.DataFrame(data)

    def plot(self, path: str | Path | None = None, *, cdus: Sequence[str] | None = None) -> Any:
        """Worst GPU temperature and CDU supply temperatures against time (the first CDUs,
        or ``cdus``); saved to ``path`` if given."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
        ax1.plot(self.times_s, self.worst_gpu_temperature_c, color="tab:red")
        ax1.set_ylabel("worst GPU [°C]")
        names = list(cdus) if cdus is not None else self.cdu_names[:4]
        for name in names:
            ax2.plot(self.times_s, self.supply_c(name), label=f"{name} supply")
        ax2.set_ylabel("CDU supply [°C]")
        ax2.set_xlabel("time [s]")
        if names:
            ax2.legend(fontsize=7)
        ax1.set_title(f"{self.network.name}: in time")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=100)
            plt.close(fig)
        return fig


__all__ = ["NetworkTransientResult", "simulate"]
