"""Exceptions and warnings raised by rackflow.

Every failure rackflow detects is a :class:`RackflowError` subclass whose message names the
offending item (file, region, patch, cell, key) and says what was expected. The Rust core
raises the same classes (they are created in the compiled module and re-exported here).
"""

from __future__ import annotations

import difflib

from rackflow import _core

RackflowError = _core.RackflowError
MeshError = _core.MeshError
CaseError = _core.CaseError
MaterialError = _core.MaterialError
ConvergenceError = _core.ConvergenceError
#: where a solve failed, m (the worst cell's centre), when the solver knows it; set per error
ConvergenceError.position_m = None
LinearSolverError = _core.LinearSolverError
NetworkError = _core.NetworkError
#: Not enough memory for a phase of the work (also a ``MemoryError``); ``.phase``, ``.needed_mb``,
#: ``.available_mb``.
ResourceError = _core.ResourceError


def did_you_mean(name: str, known: list[str]) -> str:
    """``" (did you mean 'x'?)"`` for the known names closest to a mistyped one (a prefix of a known
    name counts: ``aluminium`` for ``aluminium_6061``), or ``""``."""
    lowered = {k.lower(): k for k in known}
    key = name.lower()
    close = [lowered[k] for k in lowered if key and k.startswith(key)]
    close += [lowered[k] for k in difflib.get_close_matches(key, list(lowered), n=3, cutoff=0.7)]
    unique = list(dict.fromkeys(close))[:3]
    return " (did you mean " + " or ".join(f"'{k}'" for k in unique) + "?)" if unique else ""


class SweepError(RackflowError):
    """A sweep definition or its store is unusable."""


class CaseFileError(CaseError):
    """A case file (TOML) is malformed; the message names the key or line."""


class ProfileError(CaseError):
    """A time profile is unusable: empty, NaN or non-increasing times, NaN values, a CSV file
    without the named columns (the message lists the ones it has)."""


class RackflowWarning(UserWarning):
    """Base class of rackflow's warnings."""


class MeshQualityWarning(RackflowWarning):
    """The mesh is valid but of poor quality (high non-orthogonality or skewness)."""


class FlowRegimeWarning(RackflowWarning):
    """The coolant flow is outside the model's regime (laminar model above the transition)."""


class LaminarTurbulentFlowWarning(FlowRegimeWarning):
    """A coolant region solved laminar (``turbulence="laminar"``) runs above the transition
    Reynolds number (2,300); the message names the region and the Reynolds number."""


class WallTreatmentWarning(FlowRegimeWarning):
    """A wall patch of a turbulent coolant has its mean first-cell y⁺ where its wall treatment
    is not accurate: above 500, beyond the log layer (either treatment,
    ``rackflow.case.BLENDED_WALL_Y_PLUS_MAX``); with ``wall_treatment="switching"`` also in the
    buffer layer (5–15), between the resolved viscous sublayer (low-Re walls, y⁺ ≲ 5) and the
    log layer (wall functions, y⁺ 15–500; the lower edge measured on developed pipes, see
    ``rackflow.case.WALL_Y_PLUS_RANGES``). The message names the patch and its y⁺ range."""


class ThermalLayerWarning(RackflowWarning):
    """A heat-carrying wall of a laminar coolant (an interface to a solid, or a patch with a
    temperature, heat flux or convection condition) has wall cells taller, along the wall normal
    and on area average, than the laminar thermal entry layer is thick
    (``rackflow.case.THERMAL_LAYER_RATIO_MAX``; the layer's thickness scale is Lévêque's
    D_h (x / (D_h Re Pr))^⅓ at the distance x from the inlet). The wall cell then sees the bulk
    and the wall's heat transfer (Nusselt number, R_th) depends on the mesh: on the straight
    conjugate channel's Gmsh tetrahedra of 0.6 / 0.4 / 0.27 mm (wall cells 3.6 / 2.5 / 1.7 times
    the layer) Nu_m is 18.5 / 25.7 / 32.6 against the converged 26.2, and chtMultiRegionSimpleFoam's
    on the same meshes 18.0 / 24.7 / 32.8 (benchmarks/RESULTS.md, stop 32). Necessary, not
    sufficient: thin wall prisms under coarse tetrahedra pass the check and may still be off. The
    message names the patch or interface, the cell height and the layer thickness;
    ``Case.thermal_layer_resolution()`` gives the same numbers before solving."""


class ThreadsWarning(RackflowWarning):
    """More threads were asked for than the machine has cores; the count was capped."""


class PropertyRangeWarning(RackflowWarning):
    """A material or coolant property was evaluated outside its published range."""


class ConvectionFallbackWarning(RackflowWarning):
    """The default ``convection="auto"`` lowered the order somewhere: the second-order momentum
    iteration kept swinging in a few coolant cells, which were made first order (and relaxed
    harder; ``result.report["flow_first_order_cells"]`` counts them); or the second-order flow
    solve diverged or stalled anyway, so the momentum equations were solved with first-order
    upwind (``result.report["flow_first_order_fallback"]`` holds the momentum relaxation used);
    or the second-order energy passes stalled in some coolant cells, which were then solved
    first order (``result.report["energy_first_order_cells"]`` counts them). Pass
    ``convection="linear_upwind"`` to make any of them an error instead."""


class StationaryFlowWarning(RackflowWarning):
    """A flow solve stalled above its residual tolerances but its monitored outputs were
    statistically stationary, and the result is that stationary state: after the convection
    limiter (and, turbulent, the wall treatment's branches) were held, over the last 400
    iterations every inlet-to-outlet static pressure drop varied by at most 0.1 % of its mean and
    every open patch's share of the inflow by at most 0.001 (``result.report["flow_stationary"]``
    holds the window and the measured variations). A stalled solve whose outputs still drift
    remains a :class:`ConvergenceError`. A turbulent (k-ω SST) solve is accepted so at once; a
    laminar one only with ``convection="auto"`` (the default) or ``"upwind"`` and when none of
    the retries (lower relaxation, first-order fallback) converges, the stationary state nearest
    to its tolerances;
    a laminar state whose residuals repeat every second iteration (a period-2 mode of the
    iteration, ``report["flow_stationary"]["period_two"]``) is relaxed harder first. A turbulent
    solve that no attempt brings within 0.1 % is accepted by the last two (first order, relaxation
    0.3) within 1 % of each pressure drop and 0.01 of each share, with the measured variations
    in the report: an answer known to that band rather than none."""


__all__ = [
    "CaseError",
    "CaseFileError",
    "ConvectionFallbackWarning",
    "ConvergenceError",
    "FlowRegimeWarning",
    "LaminarTurbulentFlowWarning",
    "LinearSolverError",
    "MaterialError",
    "MeshError",
    "MeshQualityWarning",
    "NetworkError",
    "ProfileError",
    "PropertyRangeWarning",
    "RackflowError",
    "RackflowWarning",
    "ResourceError",
    "StationaryFlowWarning",
    "SweepError",
    "ThermalLayerWarning",
    "ThreadsWarning",
]
