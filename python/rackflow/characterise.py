"""Characterising a cold plate with 3D solves: the bridge from the conjugate solver to networks.

``characterise(case, flow_lpm=[...])`` runs the sweep machinery over a cold-plate case (one
3D conjugate solve per flow rate) and fits a :class:`~rackflow.coldplate_model.ColdPlateModel`
(pressure drop and junction-to-inlet thermal resistance against flow) that a
:class:`~rackflow.network.Network` uses for every plate of a rack.
``characterise_radiator(case, flow_lpm=[...], inlet_temperature_c=[...])`` does the same for a
radiator panel (:class:`~rackflow.radiator_model.RadiatorModel`: heat rejected and pressure
drop against flow and inlet temperature, at the case's radiative environment).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rackflow.case import Case
from rackflow.coldplate_model import ColdPlateModel
from rackflow.errors import CaseError
from rackflow.radiator_model import RadiatorModel
from rackflow.thermal_ladder import _heat_capacity_j_k


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
    step_response_flow_lpm: float | Sequence[float] | None = None,
    step_response: dict[str, Any] | None = None,
) -> ColdPlateModel:
    """Fit a cold-plate model from 3D solves at each flow rate (L/min).

    ``region`` is the heat source whose maximum temperature defines R_th (default: the single
    powered solid); ``coolant``/``temperature_c`` override the case's coolant and inlet
    temperature. A list of inlet temperatures sweeps them too, and the model's resistance then
    depends on the inlet temperature (reference: the middle of the range).
    ``workers=0`` solves in this process; ``store`` makes the sweep resumable.

    ``step_response_flow_lpm``: also run a power step in 3D at this flow (the case's coolant and
    inlet temperature) and fit the junction's response as a :class:`~rackflow.ThermalLadder`
    (``model.ladder``, used by ``Network.simulate``); ``step_response`` holds keywords of
    :func:`~rackflow.characterise_step_response` (``step_w``, ``end_time_s``, ``max_terms``, …).
    A list of two or more flows runs the step at each and gives ladders by flow instead
    (``model.ladders``, as many terms each: the most any flow's fit needs): a network plate then
    takes the ladder at its own flow, so its time constants follow the flow.
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
    ladder = None
    ladders = None
    if step_response_flow_lpm is not None:
        step_flows = [float(q) for q in np.atleast_1d(np.asarray(step_response_flow_lpm, dtype=float))]
        if len(step_flows) == 1:
            ladder = _step_response(case, inlet, region, step_flows[0], step_response or {})
        else:
            ladders = _step_responses(case, inlet, region, step_flows, step_response or {})
    elif step_response is not None:
        raise CaseError("characterise: step_response options need step_response_flow_lpm")
    return ColdPlateModel.from_points(
        ladder=ladder,
        ladders=ladders,
        flow_lpm=table[f"flow_lpm.{inlet}"].to_numpy(),
        pressure_drop_pa=table["pressure_drop_pa"].to_numpy(),
        thermal_resistance_k_w=table[f"thermal_resistance_k_w.{region}"].to_numpy(),
        coolant=used,
        temperature_c=t_in,
        name=name or f"characterised {region}",
        inlet_c=table[f"temperature_c.{inlet}"].to_numpy() if swept else None,
    )


def _step_response(case: Case, inlet: str, region: str, flow_lpm: float, options: dict[str, Any]) -> Any:
    """The ladder of a power step at ``flow_lpm``; the case's inlet is restored afterwards."""
    from rackflow.thermal_ladder import characterise_step_response

    if not (np.isfinite(flow_lpm) and flow_lpm > 0):
        raise CaseError(f"characterise: step_response_flow_lpm must be > 0, got {flow_lpm}")
    original = case.boundaries[inlet]
    profiles = dict(case.profiles)
    try:
        temperature = original.values.get("temperature_c")
        case.inlet(inlet, flow_lpm=flow_lpm, temperature_c=temperature)
        ladder = characterise_step_response(case, region=region, **options)
    finally:
        case.boundaries[inlet] = original
        case.profiles.clear()
        case.profiles.update(profiles)
    ladder.fit_info["flow_lpm"] = flow_lpm
    return ladder


def _step_responses(
    case: Case, inlet: str, region: str, flows: list[float], options: dict[str, Any]
) -> dict[float, Any]:
    """Ladders of a power step at each flow, refitted where needed to as many terms each (the
    most any flow's own fit took), so that a network can interpolate them between flows."""
    from rackflow.thermal_ladder import ThermalLadder

    if len(set(flows)) != len(flows):
        raise CaseError(f"characterise: step_response_flow_lpm repeats a flow: {flows}")
    ladders = {q: _step_response(case, inlet, region, q, options) for q in sorted(flows)}
    terms = max(lad.terms for lad in ladders.values())
    for q, lad in ladders.items():
        if lad.terms == terms:
            continue
        run, info = lad.run, lad.fit_info
        assert run is not None
        times = run.step_times_s - run.step_times_s[0]
        trace = run.step_max_temperature_c(region)
        refit = ThermalLadder.fit(
            times,
            (trace - trace[0]) / info["step_w"],
            max_terms=terms,
            fit_tolerance=min(info["fit_tolerance"], 1e-12),
        )
        if refit.terms != terms:
            raise CaseError(
                f"characterise: the step response at {q} L/min does not take {terms} terms (the most "
                f"of the other flows' fits; it fits {refit.terms}); give step_response={{'max_terms': ...}}"
            )
        refit.fit_info.update({k: v for k, v in info.items() if k not in refit.fit_info})
        refit.fit_info["refitted_to_terms"] = terms
        refit.run = run
        ladders[q] = refit
    return ladders


def characterise_radiator(
    case: Case,
    flow_lpm: Sequence[float],
    inlet_temperature_c: Sequence[float],
    *,
    inlet: str | None = None,
    outlet: str | None = None,
    heat_capacity_j_k: float | None = None,
    name: str = "",
    **settings: Any,
) -> RadiatorModel:
    """Fit a :class:`~rackflow.radiator_model.RadiatorModel` from 3D solves of a radiator-panel
    case on the grid ``flow_lpm`` × ``inlet_temperature_c`` (L/min, °C).

    The case holds the panel's environment: its ``case.radiation(...)`` patches (one sink
    temperature; the emissivity is their area-weighted mean, the absorbed flux the mean over
    their area). The heat rejected at each point is what the coolant loses
    (``-result.coolant_heat_w()``); the pressure drop is total-pressure inlet to outlet.
    ``heat_capacity_j_k`` is recorded for :meth:`RadiatorModel.simulate` and
    :meth:`Network.simulate` (default: the case's solids and coolant, m c summed over their
    cells). The solves run in this process (radiating
    cases cannot be written as case files, so they do not go through :class:`~rackflow.Sweep`);
    the case is left as it was. ``settings`` go to ``case.solve``.
    """
    flows = sorted({float(q) for q in flow_lpm})
    temps = sorted({float(t) for t in np.atleast_1d(np.asarray(inlet_temperature_c, dtype=float))})
    if len(flows) < 2:
        raise CaseError("characterise_radiator: give at least two flow rates")
    if not all(np.isfinite(flows)) or flows[0] <= 0:
        raise CaseError(f"characterise_radiator: flow rates must be positive, got {flows}")
    inlet = inlet or _single("inlet", case)
    outlet = outlet or _single("outlet", case)
    radiating = list(case.radiation_conditions.values())
    if not radiating:
        raise CaseError(
            "characterise_radiator: the case has no radiating patch; add case.radiation(patch, ...) "
            "for the panel's faces"
        )
    sinks = {r.sink_c for r in radiating}
    if len(sinks) != 1:
        raise CaseError(
            f"characterise_radiator: the radiating patches have different sinks {sorted(sinks)} °C"
        )
    areas = np.array([case.mesh.patch_area(case._patch(r.patch)) for r in radiating])
    total = float(areas.sum())
    emissivity = float(np.dot(areas, [r.emissivity for r in radiating]) / total)
    absorbed = float(np.dot(areas, [r.absorbed_flux_w_m2 for r in radiating]) / total)
    coolants = {id(f.coolant): f.coolant for f in case.fluids.values()}
    if len(coolants) != 1:
        raise CaseError("characterise_radiator: the panel needs exactly one coolant region")
    coolant = next(iter(coolants.values()))
    original = case.boundaries[inlet]
    profiles = dict(case.profiles)
    points: dict[str, list[float]] = {
        "flow_lpm": [],
        "inlet_c": [],
        "heat_rejected_w": [],
        "pressure_drop_pa": [],
    }
    try:
        for t in temps:
            for q in flows:
                case.inlet(inlet, flow_lpm=q, temperature_c=t)
                result = case.solve(**settings)
                points["flow_lpm"].append(q)
                points["inlet_c"].append(t)
                points["heat_rejected_w"].append(-result.coolant_heat_w())
                points["pressure_drop_pa"].append(result.pressure_drop_pa(inlet, outlet))
    finally:
        case.boundaries[inlet] = original
        case.profiles.clear()
        case.profiles.update(profiles)
    if heat_capacity_j_k is None:
        heat_capacity_j_k = _heat_capacity_j_k(case, 0.5 * (temps[0] + temps[-1]))
    return RadiatorModel.from_points(
        **points,
        radiating_area_m2=total,
        emissivity=emissivity,
        sink_c=sinks.pop(),
        absorbed_flux_w_m2=absorbed,
        coolant=coolant,
        heat_capacity_j_k=heat_capacity_j_k,
        name=name or f"characterised radiator ({', '.join(r.patch for r in radiating)})",
    )
