"""Characterising a cold plate with 3D solves: the bridge from the conjugate solver to networks.

``characterise(case, flow_lpm=[...])`` runs the sweep machinery over a cold-plate case (one
3D conjugate solve per flow rate) and fits a :class:`~rackflow.coldplate_model.ColdPlateModel`
(pressure drop and junction-to-inlet thermal resistance against flow) that a
:class:`~rackflow.network.Network` uses for every plate of a rack.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rackflow.case import Case
from rackflow.coldplate_model import ColdPlateModel
from rackflow.errors import CaseError


def _single(kind: str, case: Case) -> str:
    names = [p for p, b in case.boundaries.items() if b.kind == kind]
    if len(names) != 1:
        raise CaseError(
            f"characterise: the case needs exactly one {kind} (has {names}); name it with {kind}="
        )
    return names[0]


def characterise(
    case: Case,
    flow_lpm: Sequence[float],
    *,
    coolant: Any = None,
    temperature_c: float | Sequence[float] | None = None,
    region: str | None = None,
    inlet: str | None = None,
    outlet: str | None = None,
    store: str | Path | None = None,
    workers: int | None = 0,
    name: str = "",
) -> ColdPlateModel:
    """Fit a cold-plate model from 3D solves at each flow rate (L/min).

    ``region`` is the heat source whose maximum temperature defines R_th (default: the single
    powered solid); ``coolant``/``temperature_c`` override the case's coolant and inlet
    temperature. A list of inlet temperatures sweeps them too, and the model's resistance then
    depends on the inlet temperature (reference: the middle of the range).
    ``workers=0`` solves in this process; ``store`` makes the sweep resumable.
    """
    from rackflow.sweep import Sweep

    flows = [float(q) for q in flow_lpm]
    if len(flows) < 2:
        raise CaseError("characterise: give at least two flow rates")
    inlet = inlet or _single("inlet", case)
    outlet = outlet or _single("outlet", case)
    powered = [r for r, s in case.solids.items() if (s.power_w or s.power_density_w_m3)]
    region = region or (powered[0] if len(powered) == 1 else None)
    if region is None:
        raise CaseError(f"characterise: name the heat source with region= (powered solids: {powered})")
    axes: dict[str, Sequence[Any]] = {f"flow_lpm.{inlet}": flows}
    if coolant is not None:
        axes["coolant"] = [coolant]
    temperatures = None
    if temperature_c is not None:
        try:
            temperatures = [float(t) for t in np.atleast_1d(np.asarray(temperature_c, dtype=float))]
        except (TypeError, ValueError):
            raise CaseError(
                f"characterise: temperature_c must be a number or a list of numbers, got {temperature_c!r}"
            ) from None
    if temperatures is not None:
        axes[f"temperature_c.{inlet}"] = temperatures
    table = Sweep(case, **axes).run(store=store, workers=workers, progress=False)
    failed = table[table["status"] != "ok"]
    if len(failed):
        raise CaseError(
            f"characterise: {len(failed)} of {len(table)} solves failed: {failed['error'].iloc[0]}"
        )
    table = table.sort_values(f"flow_lpm.{inlet}")
    used = coolant if coolant is not None else next(iter(case.fluids.values())).coolant
    used = used if isinstance(used, str) or hasattr(used, "properties") else None
    swept = temperatures is not None and len(set(temperatures)) > 1
    if swept:
        t_in = None  # from_points takes the middle of the range
    elif temperatures is not None:
        t_in = temperatures[0]
    else:
        t_in = case.boundaries[inlet].values.get("temperature_c")
    return ColdPlateModel.from_points(
        flow_lpm=table[f"flow_lpm.{inlet}"].to_numpy(),
        pressure_drop_pa=table["pressure_drop_pa"].to_numpy(),
        thermal_resistance_k_w=table[f"thermal_resistance_k_w.{region}"].to_numpy(),
        coolant=used,
        temperature_c=t_in,
        name=name or f"characterised {region}",
        inlet_c=table[f"temperature_c.{inlet}"].to_numpy() if swept else None,
    )
