"""Parametric mesh generators (gmsh) for rackflow cases.

Every generator takes the output path and keyword-only SI parameters with
unit-suffixed names, validates them (ValueError naming the parameter), writes
msh 4.1 with gmsh physical groups naming regions (3D) and patches (2D), and
returns the path. gmsh is optional: it is imported only when a mesh is written
(``pip install rackflow[mesh]``); cell-count estimates need only NumPy.

``GENERATORS`` maps the CLI names (``rackflow mesh <name> ...``) to the
functions; their signatures and numpy-style docstrings describe the options.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from . import channel_unit as _channel_unit_mod
from . import coldplate as _coldplate_mod
from . import gpu_stack as _gpu_stack_mod
from . import radiator as _radiator_mod
from .cad import CadEntity, from_cad
from .channel_unit import CHANNEL_UNIT_LEVELS, channel_unit, duct
from .coldplate import COLDPLATE_PRESETS, microchannel_coldplate
from .corpus import (
    CORPUS,
    jet_impingement_plate,
    microchannel_manifold_plate,
    pinfin_inline_plate,
    pinfin_staggered_plate,
    serpentine_plate,
    two_inlet_plate,
)
from .gpu_stack import gpu_stack
from .pinfin import pinfin_coldplate
from .pipe import pipe, rack_manifold
from .radiator import RADIATOR_CHANNELS, radiator_panel

GENERATORS: dict[str, Callable[..., Any]] = {
    "coldplate": microchannel_coldplate,
    "pinfin": pinfin_coldplate,
    "gpu-stack": gpu_stack,
    "channel-unit": channel_unit,
    "duct": duct,
    "pipe": pipe,
    "rack-manifold": rack_manifold,
    "radiator-panel": radiator_panel,
    # the corpus of user-drawn plates (OCC booleans and fillets; tetrahedra or prism layers)
    "serpentine": serpentine_plate,
    "pinfin-staggered": pinfin_staggered_plate,
    "pinfin-inline": pinfin_inline_plate,
    "microchannel-manifold": microchannel_manifold_plate,
    "jet-impingement": jet_impingement_plate,
    "two-inlet": two_inlet_plate,
}

# Hexahedral generators whose cell count is known exactly before meshing.
_GRIDS: dict[Callable[..., Any], Callable[[dict[str, Any]], Any]] = {
    microchannel_coldplate: _coldplate_mod._grid,
    gpu_stack: _gpu_stack_mod._grid,
    channel_unit: _channel_unit_mod._unit_grid,
    duct: _channel_unit_mod._duct_grid,
    radiator_panel: _radiator_mod._grid,
}


def _resolve(generator: Callable[..., Any] | str) -> Callable[..., Any]:
    gen = GENERATORS.get(generator) if isinstance(generator, str) else generator
    if gen not in _GRIDS:
        raise ValueError(
            f"generator: no cell-count estimate for {generator!r}; "
            f"available: {sorted(k for k, v in GENERATORS.items() if v in _GRIDS)}"
        )
    return gen


def _params(gen: Callable[..., Any], overrides: dict[str, Any]) -> dict[str, Any]:
    sig = inspect.signature(gen)
    unknown = set(overrides) - set(sig.parameters)
    if unknown:
        raise ValueError(f"unknown parameter(s) for {gen.__name__}: {sorted(unknown)}")
    p = {k: v.default for k, v in sig.parameters.items() if v.default is not inspect.Parameter.empty}
    p.update(overrides)
    return p


def estimate_cells(generator: Callable[..., Any] | str, **params: Any) -> int:
    """Exact cell count a hexahedral generator would produce, without meshing.

    Parameters
    ----------
    generator
        A generator function or its ``GENERATORS`` name (hexahedral ones only:
        ``coldplate``, ``gpu-stack``, ``channel-unit``, ``duct`` with tetra=False,
        ``radiator-panel``).
    **params
        The generator's keyword parameters (defaults fill the rest).

    Returns
    -------
    int
        Number of 3D cells (volume elements).
    """
    gen = _resolve(generator)
    p = _params(gen, params)
    if p.get("tetra"):
        raise ValueError("tetra: estimate_cells covers hexahedral meshes only")
    return _GRIDS[gen](p).n_cells()


def refinement_for_cells(generator: Callable[..., Any] | str, target_cells: int, **params: Any) -> float:
    """Smallest ``refine`` factor giving at least ``target_cells`` cells.

    Counts grow in steps (every interval's count is rounded up), so the
    result is the first step at or above the target, found by bisection.

    Parameters
    ----------
    generator
        Generator function or ``GENERATORS`` name with a ``refine`` parameter.
    target_cells
        Wanted number of cells, e.g. 2e5, 1e6 or 3e6.
    **params
        Other generator parameters (``refine`` is ignored).

    Returns
    -------
    float
        The ``refine`` value to pass to the generator.
    """
    gen = _resolve(generator)
    if "refine" not in inspect.signature(gen).parameters:
        raise ValueError(f"generator: {gen.__name__} has no refine parameter")
    if target_cells <= 0:
        raise ValueError(f"target_cells must be > 0, got {target_cells!r}")
    params.pop("refine", None)

    def count(r: float) -> int:
        return estimate_cells(gen, refine=r, **params)

    lo, hi = 1e-3, 1.0
    while count(hi) < target_cells:
        lo, hi = hi, hi * 2
        if hi > 1e4:
            raise ValueError(f"target_cells={target_cells} is out of reach")
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        if count(mid) >= target_cells:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-4 * hi:
            break
    return hi


__all__ = [
    "CHANNEL_UNIT_LEVELS",
    "COLDPLATE_PRESETS",
    "CORPUS",
    "GENERATORS",
    "RADIATOR_CHANNELS",
    "CadEntity",
    "channel_unit",
    "duct",
    "estimate_cells",
    "from_cad",
    "gpu_stack",
    "jet_impingement_plate",
    "microchannel_coldplate",
    "microchannel_manifold_plate",
    "pinfin_coldplate",
    "pinfin_inline_plate",
    "pinfin_staggered_plate",
    "pipe",
    "rack_manifold",
    "radiator_panel",
    "refinement_for_cells",
    "serpentine_plate",
    "two_inlet_plate",
]
