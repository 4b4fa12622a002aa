"""Named solver choices, as enums: one home for the spellings the Python API, case files and the
core share (the core's serde enums ``ConvectionScheme``, ``PreconditionerKind``,
``TurbulenceModel`` and ``ThermalWallFunction`` use the same names). Each is a
:class:`~enum.StrEnum`, so a plain string (``convection="upwind"``) is accepted wherever a member
is, and compares equal to it."""

from __future__ import annotations

from enum import StrEnum


class ConvectionScheme(StrEnum):
    """How convected face values are formed (``solve(convection=...)``)."""

    #: Bounded second order; the momentum falls back to first-order upwind (with a
    #: :class:`~rackflow.errors.ConvectionFallbackWarning`) when the flow diverges or stalls.
    AUTO = "auto"
    #: Bounded second order or an error.
    LINEAR_UPWIND = "linear_upwind"
    #: First-order upwind.
    UPWIND = "upwind"


class Preconditioner(StrEnum):
    """Preconditioner of the energy system (``solve(preconditioner=...)``)."""

    #: Smoothed-aggregation multigrid.
    AMG = "amg"
    #: Diagonal scaling (for comparisons).
    JACOBI = "jacobi"


class TurbulenceModel(StrEnum):
    """The flow model of a coolant region (``case.fluid(..., turbulence=...)``)."""

    #: k-ω SST above an inlet Reynolds number of 2,000, laminar below (resolved in Python).
    AUTO = "auto"
    #: Laminar Navier–Stokes.
    LAMINAR = "laminar"
    #: Menter's k-ω SST with automatic wall treatment.
    K_OMEGA_SST = "k-omega-sst"


class ThermalWallFunction(StrEnum):
    """The temperature law of the wall of a turbulent coolant region's walls
    (``case.fluid(..., thermal_wall_function=...)``; the core's serde enum of the same name)."""

    #: Kader's (1981) law blended across the viscous sublayer and the log layer: the closer to
    #: Gnielinski's correlation on the developed pipe and duct (benchmarks/RESULTS.md).
    KADER = "kader"
    #: Jayatilleke's (1969) P-function law, switched at the thermal sublayer's edge, as
    #: OpenFOAM's ``compressible::alphatJayatillekeWallFunction`` (Pr_t 0.85): for like-for-like
    #: comparisons with OpenFOAM cases that use it.
    JAYATILLEKE = "jayatilleke"


class WallTreatment(StrEnum):
    """How a turbulent coolant region's walls follow the wall cells' y⁺
    (``case.fluid(..., wall_treatment=...)``; the core's serde enum of the same name)."""

    #: Blended through the buffer layer: ω = (ω_vis^1.5 + ω_log^1.5)^(1/1.5) in the wall cell
    #: with ω_log the larger of the wall shear's (Menter & Esch's automatic wall treatment) and the
    #: wall cell's k's (OpenFOAM's), and its
    #: production and the wall's eddy viscosity from Spalding's law of the wall, so heat and
    #: pressure drop barely move with the first cell's y⁺ (benchmarks/RESULTS.md, stops 27–29).
    BLENDED = "blended"
    #: Switched at y⁺ = 11.53 between the viscous-sublayer and log-law values, as OpenFOAM's
    #: ``omegaWallFunction`` with ``blended false`` and ``nutkWallFunction``: for like-for-like
    #: comparisons with OpenFOAM cases made that way.
    SWITCHING = "switching"
    #: The blended treatment with the wall cells in the viscous sublayer (below y⁺ ≈ 6) resolved:
    #: their ω solved from a wall-face value and the heat through the wall layer's eddy
    #: conductivity in series, so f and Nu barely move with the first cell from y⁺ 0.05 to 2 (the
    #: developed pipe at Re 5·10⁴: f +2.5…+2.8 % of Petukhov's, where the blended treatment gives
    #: −9.4…+2.1 %); it carries the converged model's own offsets where those are large (Re 10⁴,
    #: Pr 7: Nu +14 % of Gnielinski's). The same as ``"blended"`` from y⁺ ≈ 6
    #: (benchmarks/RESULTS.md, stops 31, 32 and 34).
    BLENDED_SUBLAYER = "blended-sublayer"


#: The solver settings that take one of a few names, and their enum.
CHOICE_SETTINGS: dict[str, type[StrEnum]] = {
    "convection": ConvectionScheme,
    "preconditioner": Preconditioner,
}


def names(choice: type[StrEnum]) -> tuple[str, ...]:
    """The spellings of an enum's members, for messages and schema checks."""
    return tuple(m.value for m in choice)
