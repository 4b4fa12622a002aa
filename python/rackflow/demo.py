"""The bundled demonstration: a GPU on a liquid microchannel cold plate.

An H100-class die (700 W on 28.5 × 28.5 mm of silicon) sits on a thermal interface material
under a copper lid, on the copper base of a straight-microchannel cold plate. PG25 (the
datacenter default) enters at 35 °C and 1.5 L/min; flow and temperature are solved together
(conjugate heat transfer, properties following the temperature). A second TIM layer between lid
and cold plate is a contact resistance of 5 mm²·K/W. ``conduction_case`` keeps the earlier
conduction-only stack (convective coolant side) for machines without time for a flow solve.

:func:`run` prints the summary and writes ``demo.vtu``, ``demo.png`` (:func:`render_figure`)
and ``demo.json``: the summary numbers, the settings the picture was drawn with and what the
renderer placed (camera, colour ranges, text), and the PNG's SHA-256. ``docs/demo.png`` in the
repository is this picture (``make docs-image``); ``tests/render/test_demo_image.py`` redraws it
and fails when the checked-in picture is no longer what the demo draws.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from rackflow.case import Case
from rackflow.mesh import Mesh, load_mesh
from rackflow.result import Result

MESH_NAME = "coldplate_microchannel.msh"
STACK_MESH_NAME = "gpu_stack.msh"
COOLANT = "PG25"
FLOW_LPM = 1.5
INLET_C = 35.0
DIE_POWER_W = 700.0
COOLANT_HTC_W_M2K = 15_000.0
COOLANT_C = 35.0
LID_TO_PLATE_RESISTANCE_M2K_W = 5e-6

#: how the demo's picture is drawn (``Result.render`` options): the plate cut along the flow
#: through the middle channel, seen from below so the die face shows, the coolant in its own
#: colour scale, inlet and outlet labelled
FIGURE: dict[str, Any] = {
    "field": "temperature",
    "clip": "y",
    "coolant_cmap": "coolant",
    "window_size": (1200, 760),
}
#: the summary numbers ``demo.json`` records (keys of ``Summary.to_dict()``)
SUMMARY_KEYS = (
    "max_temperature_c.die",
    "thermal_resistance_k_w.die",
    "pressure_drop_pa",
    "pumping_power_w",
    "outlet_temperature_c",
    "coolant_heat_w",
    "reynolds_inlet",
)


def find_mesh(cache: Path | None = None, name: str = MESH_NAME) -> Path:
    """A bundled mesh (see :mod:`rackflow.datasets`; ``cache`` is unused, kept for callers)."""
    from rackflow import datasets

    return datasets.path(name)


def build_case(mesh: Mesh) -> Case:
    """The demonstration case on the microchannel cold-plate mesh (die, tim, lid, base, channels)."""
    case = Case(mesh)
    case.solid("die", material="silicon", power_w=DIE_POWER_W)
    case.solid("tim", material="tim")
    case.solid("lid", material="copper")
    case.solid("base", material="copper")
    case.fluid("channels", coolant=COOLANT)
    case.contact("lid", "base", resistance_m2k_w=LID_TO_PLATE_RESISTANCE_M2K_W)
    case.inlet("inlet", flow_lpm=FLOW_LPM, temperature_c=INLET_C)
    case.outlet("outlet", pressure_pa=0.0)
    return case


def conduction_case(mesh: Mesh) -> Case:
    """The conduction-only stack (regions die, tim, lid, base; convective coolant side)."""
    case = Case(mesh)
    case.solid("die", material="silicon", power_w=DIE_POWER_W)
    case.solid("tim", material="tim")
    case.solid("lid", material="copper")
    case.solid("base", material="copper")
    case.contact("lid", "base", resistance_m2k_w=LID_TO_PLATE_RESISTANCE_M2K_W)
    case.convective("coolant_side", htc_w_m2k=COOLANT_HTC_W_M2K, ambient_c=COOLANT_C)
    return case


def figure_text(result: Result) -> tuple[str, str]:
    """The picture's title and subtitle: the case and its engineering numbers."""
    d = result.summary().to_dict()
    title = (
        f"GPU cold plate: {DIE_POWER_W:.0f} W die, {COOLANT} at {INLET_C:g} °C and {FLOW_LPM:g} L/min"
        f" — die max {d['max_temperature_c.die']:.1f} °C"
    )
    subtitle = (
        f"R_th die to inlet {d['thermal_resistance_k_w.die']:.4f} K/W, ΔP {d['pressure_drop_pa']:.0f} Pa, "
        f"coolant out {d['outlet_temperature_c']:.1f} °C (mixed mean)"
    )
    return title, subtitle


def render_figure(result: Result, path: Path) -> dict[str, Any]:
    """Draw the demo's picture to ``path``; returns what the renderer placed (``info``)."""
    title, subtitle = figure_text(result)
    info: dict[str, Any] = {}
    result.render(**FIGURE, title=title, subtitle=subtitle, path=path, info=info)
    return info


def sidecar(result: Result, info: dict[str, Any] | None, png: Path | None) -> dict[str, Any]:
    """``demo.json``: summary numbers, the figure settings, the renderer's info, the PNG hash."""
    d = result.summary().to_dict()
    record: dict[str, Any] = {
        "case": {
            "mesh": Path(str(result.mesh.source)).name,
            "cells": result.mesh.n_cells,
            "die_power_w": DIE_POWER_W,
            "coolant": COOLANT,
            "flow_lpm": FLOW_LPM,
            "inlet_c": INLET_C,
        },
        "summary": {k: float(d[k]) for k in SUMMARY_KEYS if k in d},
        "figure": json.loads(json.dumps(FIGURE)),
    }
    if info is not None:
        record["render"] = info
    if png is not None and png.exists():
        record["png_sha256"] = hashlib.sha256(png.read_bytes()).hexdigest()
    return record


def run(out: Path, render: bool = True, threads: int | None = None) -> Result:
    """Solve the demo, print the summary, write ``demo.vtu``, ``demo.png`` and ``demo.json``."""
    out.mkdir(parents=True, exist_ok=True)
    mesh = load_mesh(find_mesh(name=MESH_NAME))
    case = build_case(mesh)
    result = case.solve(threads=threads)
    print(result.summary())
    vtu = result.save(out / "demo.vtu")
    print(f"\nwrote {vtu}")
    info = png = None
    if render:
        png = out / "demo.png"
        info = render_figure(result, png)
        print(f"wrote {png}")
    js = out / "demo.json"
    js.write_text(
        json.dumps(sidecar(result, info, png), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {js}")
    return result
