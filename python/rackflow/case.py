"""Cases: what to solve on a mesh, described with the calls of the public contract.

A :class:`Case` is declarative data: regions with materials and heat sources, contacts and
boundary conditions, in engineering units at this edge (°C, W, W/m², L/min). ``solve`` turns it
into the SI/kelvin description the Rust core validates and solves.

Checking is the core's: names against the mesh, signs and ranges of values, settings, the flow
and radiation set-up are checked once, by ``rackflow_core::case::validate``, which reports every
problem in one :class:`CaseError`. :meth:`Case.validate` runs it without solving; ``solve`` runs
it first. The calls here check only what the core cannot see: Python types and callables,
numbers JSON cannot carry (NaN, infinities), temperatures in °C (absolute zero and the
kelvin-by-mistake warning), and flow-regime limits computed from the coolant tables.
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from rackflow import _core, units
from rackflow.coolant_adapter import coolant_to_core, resolve_coolant, valid_range_c
from rackflow.errors import (
    CaseError,
    ConvectionFallbackWarning,
    ConvergenceError,
    LaminarTurbulentFlowWarning,
    PropertyRangeWarning,
    RackflowWarning,
    StationaryFlowWarning,
    ThermalLayerWarning,
    ThreadsWarning,
    WallTreatmentWarning,
    did_you_mean,
)
from rackflow.materials import ABSOLUTE_ZERO_C, Material, get_material
from rackflow.mesh import Mesh
from rackflow.profile import Profile
from rackflow.settings import CHOICE_SETTINGS, ThermalWallFunction, TurbulenceModel, WallTreatment, names

if TYPE_CHECKING:
    from rackflow.result import Result
    from rackflow.transient import TransientResult

#: Above this inlet Reynolds number a laminar solution warns (pipe and duct transition).
LAMINAR_LIMIT_RE = 2300.0
#: Above this no flow model here applies: a unit mistake, usually.
MAX_REYNOLDS = 1e7
#: ``turbulence="auto"`` chooses k-ω SST above this inlet Reynolds number, laminar below.
AUTO_TURBULENT_RE = 2000.0
#: The flow models of ``case.fluid(..., turbulence=...)``.
TURBULENCE_MODELS = names(TurbulenceModel)
#: The temperature laws of the wall of ``case.fluid(..., thermal_wall_function=...)``.
THERMAL_WALL_FUNCTIONS = names(ThermalWallFunction)
#: The wall treatments of ``case.fluid(..., wall_treatment=...)``.
WALL_TREATMENTS = names(WallTreatment)
#: Incompressible flow only: the inlet Mach number must stay below this.
MAX_MACH = 0.1
#: The automatic wall treatment is accurate with a wall patch's mean first-cell y⁺ up to the
#: first value (viscous sublayer resolved, low-Re walls) or between the other two (log layer,
#: wall functions); elsewhere a :class:`WallTreatmentWarning` names the patch. The lower edge of
#: the wall-function range is measured, not the textbook 30: developed pipes with wall functions
#: (benchmarks/RESULTS.md, "Backward-facing step … y⁺ warning") stay within 5 % of Petukhov's f
#: and 10 % of Gnielinski's Nu down to y⁺ 18, reach Nu +9 to +18 % at y⁺ 12.5–13, and below
#: y⁺ 11.5 (low-Re walls on a mesh too coarse for them) the flow stalls.
WALL_Y_PLUS_RANGES = (5.0, 15.0, 500.0)
#: The blended wall treatment (the default) is accurate with a wall patch's mean first-cell y⁺
#: up to this value; above it a :class:`WallTreatmentWarning` names the patch (beyond the log
#: layer). Its buffer layer is not warned about: on the turbulent-heat duct (PG25, Pr 12.7;
#: benchmarks/RESULTS.md, stop 28) with wall y⁺ 3, 9, 17 and 29 (Re 6,062) or 3 to 61 (Re
#: 18,186) the heat stays within 1.8 % and 6.6 % (1.3 % from y⁺ 9 up) of its mean, and ΔP within
#: −4.4…+9.3 % of the wall-resolved solve, where the switching treatment's heat fell by 57 % at
#: y⁺ 17; the
#: developed pipes' f and Nu at y⁺ 50–60 are within 4 % of Petukhov and Gnielinski.
BLENDED_WALL_Y_PLUS_MAX = 500.0

#: A heat-carrying wall of a laminar coolant whose wall cells are taller (along the wall normal,
#: area mean) than this many times the laminar thermal entry layer's mean thickness gets a
#: :class:`ThermalLayerWarning` (``Case.thermal_layer_resolution``). The layer's thickness scale is
#: Lévêque's δ_T = D_h (x / (D_h Re Pr))^⅓ (the conduction thickness k / h_x is 0.93 δ_T for a
#: developed velocity), x the face's distance from the nearest inlet of its region (on a bent
#: passage shorter than the path: the estimate errs towards warning). Chosen from the straight
#: conjugate channel (Re 1,347, Pr 12.7, δ_T 0.17 mm; benchmarks/RESULTS.md, stop 32): on its
#: hexahedra the ratio 0.73 (0.125 mm) gives Nu_m +1.1 % of the converged 26.15 (and −0.8 % of
#: chtMultiRegionSimpleFoam's on the same mesh), 1.46 (0.25 mm) −19 %, 2.9 (0.5 mm) −55 %; on its
#: Gmsh tetrahedra 3.6 / 2.5 / 1.7 / 1.26 (0.6 / 0.4 / 0.27 / 0.2 mm) give −29 / −2 / +25 % at
#: the first three (OpenFOAM's on the same meshes −31 / −5 / +25 %): a wall cell taller than the
#: layer mixes it with the bulk. Thin wall prisms under coarse tetrahedra pass (from_cad's
#: default layers: 0.35 / 0.23) and are still +17 / +23 % off: necessary, not sufficient.
THERMAL_LAYER_RATIO_MAX = 1.0
#: The boundary conditions through which a coolant wall carries heat.
_HEATED_WALL_KINDS = ("fixed_temperature", "heat_flux", "convective")

#: Fields ``Case.solve(initial=...)`` takes, with their units.
INITIAL_FIELDS = (
    "temperature_c",
    "velocity_m_s",
    "pressure_pa",
    "mass_flux_kg_s",
    "turbulence_k_m2_s2",
    "turbulence_omega_1_s",
    "turbulent_viscosity_pa_s",
    "momentum_first_order",
    "momentum_limiter",
    "momentum_relaxation",
    "energy_limiter",
    "energy_non_orthogonal_scale",
    "momentum_first_order_fallback",
    "momentum_non_orthogonal_limit",
    "turbulence_limiter",
    "wall_log_layer",
    "inlet_temperature_c",
)
#: The initial fields a conduction case takes (a result with coolant flow also gives the rest).
_THERMAL_FIELDS = ("temperature_c", "inlet_temperature_c", "energy_limiter", "energy_non_orthogonal_scale")

#: Above this a temperature in °C is probably a kelvin value passed by mistake.
_SUSPICIOUS_C = 250.0


def _number(what: str, value: Any, *, positive: bool = False, non_negative: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise CaseError(f"{what} must be a number, got {value!r}")
    try:
        v = float(value)
    except OverflowError:
        raise CaseError(
            f"{what} must be finite, got an integer of {len(str(abs(int(value))))} digits"
        ) from None
    if not math.isfinite(v):
        raise CaseError(f"{what} must be finite, got {v}")
    if positive and v <= 0:
        raise CaseError(f"{what} must be positive, got {v}")
    if non_negative and v < 0:
        raise CaseError(f"{what} must not be negative, got {v}")
    return v


def _temperature_c(what: str, value: Any) -> float:
    t = _number(what, value)
    if t <= ABSOLUTE_ZERO_C:
        raise CaseError(f"{what} = {t} °C is below absolute zero")
    if t > _SUSPICIOUS_C:
        warnings.warn(
            f"{what} = {t} °C is unusually high for electronics cooling; temperatures are in °C, "
            f"not kelvin ({t} K would be {t + ABSOLUTE_ZERO_C:.2f} °C)",
            RackflowWarning,
            stacklevel=3,
        )
    return t


def _fraction(what: str, value: Any) -> float:
    """An emissivity or absorptivity: a number in (0, 1]."""
    v = _number(what, value)
    if not 0.0 < v <= 1.0:
        raise CaseError(f"{what} must lie in (0, 1], got {v}")
    return v


@dataclass
class SolidSpec:
    """A conducting region."""

    region: str
    material: Material
    power_w: float | None = None
    power_density_w_m3: float | None = None


@dataclass
class FluidSpec:
    """A coolant region."""

    region: str
    coolant: Any
    turbulence: TurbulenceModel = TurbulenceModel.AUTO
    thermal_wall_function: ThermalWallFunction = ThermalWallFunction.KADER
    wall_treatment: WallTreatment = WallTreatment.BLENDED


@dataclass
class ContactSpec:
    """A contact resistance between two regions."""

    region_a: str
    region_b: str
    resistance_m2k_w: float


@dataclass
class BoundarySpec:
    """A thermal boundary condition: kind plus its values (°C at this level)."""

    patch: str
    kind: str
    values: dict[str, float] = field(default_factory=dict)
    #: per-face values (patch face order), °C for temperatures
    face_values: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class RadiationSpec:
    """A patch radiating to a black sink, less an absorbed external flux (°C at this level)."""

    patch: str
    emissivity: float
    sink_c: float
    #: flux absorbed from outside (absorptivity × incident solar, albedo, planet IR), W/m²
    absorbed_flux_w_m2: float = 0.0


@dataclass
class EnclosureSpec:
    """A grey diffuse radiation enclosure among patches (°C at this level)."""

    patches: list[str]
    emissivity: dict[str, float]
    #: rays cast from each radiation zone (None: the core's default)
    rays: int | None = None
    #: sink temperature of an open enclosure (None: closed)
    sink_c: float | None = None


#: The inflow quantities of an inlet (each may be a profile).
INLET_RATE_KEYS = ("flow_lpm", "mass_flow_kg_s", "velocity_m_s")


class Case:
    """An empty case on a mesh; add regions and boundary conditions, then :meth:`solve`."""

    def __init__(self, mesh: Mesh) -> None:
        if not isinstance(mesh, Mesh):
            raise CaseError(
                f"Case needs a rackflow Mesh (from rackflow.load_mesh), got {type(mesh).__name__}"
            )
        self.mesh = mesh
        self.solids: dict[str, SolidSpec] = {}
        self.contacts: list[ContactSpec] = []
        self.boundaries: dict[str, BoundarySpec] = {}
        self.fluids: dict[str, FluidSpec] = {}
        #: extra volumetric heat per cell (W/m³) from spatially varying power maps
        self.cell_power_density_w_m3: np.ndarray | None = None
        #: time-varying inputs: (kind, region or patch) -> Profile (°C for temperatures); steady
        #: solves use their value at t = 0
        self.profiles: dict[tuple[str, str], Profile] = {}
        #: patches radiating to a sink, by patch (radiation issue)
        self.radiation_conditions: dict[str, RadiationSpec] = {}
        #: radiation enclosures (radiation issue)
        self.enclosures: list[EnclosureSpec] = []

    # ----- regions ---------------------------------------------------------------------------
    def _region(self, region: str) -> str:
        """A known region, for calls that need its cells now (callables); other calls record the
        name and :meth:`validate` reports an unknown one with every other problem."""
        if region not in self.mesh.regions:
            raise CaseError(
                f"unknown region '{region}'{did_you_mean(region, self.mesh.regions)}; the mesh has regions {self.mesh.regions}"
            )
        return region

    def _patch(self, patch: str) -> str:
        """A known patch, for calls that need its faces now (callables, radiation); see
        :meth:`_region`."""
        if patch not in self.mesh.patches:
            raise CaseError(
                f"unknown patch '{patch}'{did_you_mean(patch, self.mesh.patches)}; the mesh has patches {self.mesh.patches}"
            )
        return patch

    def solid(
        self,
        region: str,
        material: str | Material,
        power_w: float | Profile | None = None,
        power_density_w_m3: float | Profile | Callable[[np.ndarray], Any] | None = None,
    ) -> SolidSpec:
        """A conducting region of a library material (``"copper"``) or a :class:`Material`.

        ``power_w`` spreads a total heat load uniformly over the region's volume;
        ``power_density_w_m3`` gives it per volume instead: a number, or a function of the cell
        centres (an n × 3 array, m) returning W/m³ per cell, for non-uniform power maps. Either
        may be a :class:`Profile` in time (W or W/m³, uniform over the region) for
        :meth:`solve_transient`; a steady solve takes its value at t = 0.
        """
        mat = get_material(material)
        if callable(power_density_w_m3) and not isinstance(power_density_w_m3, Profile):
            # a power map replaces any power profile of the region
            self.profiles.pop(("power_w", region), None)
            self.profiles.pop(("power_density_w_m3", region), None)
            cells = self.mesh.cells_of(self._region(region))
            try:
                values = np.asarray(power_density_w_m3(self.mesh.cell_centers[cells]), dtype=np.float64)
            except (TypeError, ValueError, OverflowError) as e:
                raise CaseError(
                    f"region '{region}': the power density function must return numbers, W/m³ ({e})"
                ) from None
            if values.shape not in ((), (len(cells),), (len(cells), 1)):
                raise CaseError(
                    f"region '{region}': the power density function returned shape {values.shape}; "
                    f"expected one value per cell ({len(cells)},) for the (n, 3) cell centres it was given"
                )
            values = np.broadcast_to(values.reshape(-1) if values.ndim else values, (len(cells),))
            if not np.isfinite(values).all():
                raise CaseError(f"region '{region}': the power density function returned non-finite values")
            if (values < 0).any():
                raise CaseError(f"region '{region}': the power density function returned negative values")
            if self.cell_power_density_w_m3 is None:
                self.cell_power_density_w_m3 = np.zeros(self.mesh.n_cells)
            self.cell_power_density_w_m3[cells] = values
            if power_w is not None:
                raise CaseError(f"region '{region}': give power_w or power_density_w_m3, not both")
            spec = SolidSpec(region, mat, None, None)
            self.solids[region] = spec
            return spec
        if power_w is not None and power_density_w_m3 is not None:
            raise CaseError(f"region '{region}': give power_w or power_density_w_m3, not both")
        power_w = self._profiled("power_w", region, power_w, non_negative=True)
        power_density_w_m3 = self._profiled(
            "power_density_w_m3", region, power_density_w_m3, non_negative=True
        )
        pw = None if power_w is None else _number(f"region '{region}': power_w", power_w)
        pd = (
            None
            if power_density_w_m3 is None
            else _number(f"region '{region}': power_density_w_m3", power_density_w_m3)
        )
        spec = SolidSpec(region, mat, pw, pd)
        self.solids[region] = spec
        return spec

    def fluid(
        self,
        region: str,
        coolant: Any = "water",
        turbulence: str = "auto",
        thermal_wall_function: str = "kader",
        wall_treatment: str = "blended",
    ) -> FluidSpec:
        """A coolant region: a library coolant name (``"water"``, ``"PG25"``) or a
        :class:`rackflow.Coolant`. Its boundary faces are no-slip walls unless told otherwise.

        ``turbulence``: ``"laminar"``, ``"k-omega-sst"`` (Menter's SST with automatic wall
        treatment) or ``"auto"`` (the default): SST when the region's largest inlet hydraulic
        Reynolds number is above 2,000, laminar below; the summary says which was chosen.

        ``thermal_wall_function``: the temperature law of the wall the coolant side of its
        turbulent walls (and interfaces to solids) conducts with: ``"kader"`` (the default,
        Kader 1981, blended across the viscous sublayer and the log layer; the closer on the
        developed pipe to Gnielinski's correlation and to the wall-resolved model, Pr 0.7–12.7,
        though not on the developing duct of the cold plate at Pr 12.7: benchmarks/RESULTS.md
        stop 27) or ``"jayatilleke"`` (Jayatilleke 1969, OpenFOAM's
        ``alphatJayatillekeWallFunction``, for like-for-like comparisons with it). A laminar
        solve has no wall function.

        ``wall_treatment``: how the turbulent walls follow the first cell's y⁺: ``"blended"``
        (the default: ω, the wall cell's production and the wall shear blend continuously from
        the viscous sublayer through the buffer layer to the log layer, from the wall shear of
        Spalding's law of the wall; pressure drop stays within 5 % of the wall-resolved solve
        for wall y⁺ 1–35 on the cold plate's duct, benchmarks/RESULTS.md stop 29), ``"switching"`` (switched at
        y⁺ = 11.53 as OpenFOAM's ``omegaWallFunction`` with ``blended false``, for like-for-like
        comparisons with cases made that way) or ``"blended-sublayer"`` (blended, with the wall
        cells below y⁺ ≈ 6 resolved: f and Nu flat in the first cell's y⁺ from 0.05 to 2, where
        ``"blended"`` loses up to 10 points of f; see :class:`~rackflow.settings.WallTreatment`)."""
        if not isinstance(turbulence, str) or turbulence not in TURBULENCE_MODELS:
            raise CaseError(
                f"fluid '{region}': unknown turbulence model {turbulence!r}; the models are "
                f"{', '.join(repr(m) for m in TURBULENCE_MODELS)}"
            )
        # the turbulent walls' model choices: each is checked the same way
        wall_options = (
            (
                "thermal_wall_function",
                "thermal wall function",
                thermal_wall_function,
                THERMAL_WALL_FUNCTIONS,
                ThermalWallFunction.KADER,
            ),
            ("wall_treatment", "wall treatment", wall_treatment, WALL_TREATMENTS, WallTreatment.BLENDED),
        )
        for _, label, value, options, _ in wall_options:
            if not isinstance(value, str) or value not in options:
                raise CaseError(
                    f"fluid '{region}': unknown {label} {value!r}; the {label}s are "
                    f"{', '.join(repr(m) for m in options)}"
                )
        if region in self.solids and turbulence != "auto":
            raise CaseError(
                f"turbulence={turbulence!r} requested on region '{region}', which is a solid; "
                "turbulence applies to coolant regions only"
            )
        for keyword, label, value, _, default in wall_options:
            if value == default:
                continue
            if region in self.solids:
                raise CaseError(
                    f"{keyword}={value!r} requested on region '{region}', which is a solid; "
                    f"{label}s apply to turbulent coolant regions only"
                )
            if turbulence == TurbulenceModel.LAMINAR:
                raise CaseError(
                    f"fluid '{region}': {keyword}={value!r} with turbulence='laminar'; a {label} applies "
                    "to turbulent walls only (use turbulence='auto' or 'k-omega-sst')"
                )
        spec = FluidSpec(
            region,
            resolve_coolant(coolant),
            TurbulenceModel(turbulence),
            ThermalWallFunction(thermal_wall_function),
            WallTreatment(wall_treatment),
        )
        self.fluids[region] = spec
        return spec

    def contact(self, region_a: str, region_b: str, resistance_m2k_w: float) -> ContactSpec:
        """A contact (thermal interface) resistance on the faces two regions share, m²·K/W."""
        r = _number(f"contact '{region_a}'–'{region_b}': resistance_m2k_w", resistance_m2k_w)
        self.contacts = [c for c in self.contacts if {c.region_a, c.region_b} != {region_a, region_b}]
        spec = ContactSpec(region_a, region_b, r)
        self.contacts.append(spec)
        return spec

    def _profiled(
        self, kind: str, target: str, value: Any, *, non_negative: bool = False, temperature: bool = False
    ) -> Any:
        """Record ``value`` as the time profile of ``(kind, target)`` when it is a :class:`Profile`
        and return its value at t = 0 for steady solves; forget an earlier profile otherwise."""
        if not isinstance(value, Profile):
            self.profiles.pop((kind, target), None)
            return value
        values = value.at(value.breakpoints_s)
        if non_negative and (values < 0).any():
            i = int(np.argmax(values < 0))
            raise CaseError(
                f"'{target}': the {kind} profile has negative values ({values[i]:g} at "
                f"t = {value.breakpoints_s[i]:g} s); it must be non-negative"
            )
        if temperature and (values <= ABSOLUTE_ZERO_C).any():
            raise CaseError(f"'{target}': the temperature profile goes below absolute zero (°C values)")
        self.profiles[(kind, target)] = value
        return float(value.at(0.0))

    # ----- thermal boundary conditions -------------------------------------------------------
    def _set(self, patch: str, kind: str, **values: float) -> BoundarySpec:
        spec = BoundarySpec(patch, kind, values)
        self.boundaries[patch] = spec
        return spec

    def fixed_temperature(
        self, patch: str, temperature_c: float | Profile | Callable[[np.ndarray], Any]
    ) -> BoundarySpec:
        """Fixed wall temperature, °C: a number, a :class:`Profile` in time, or a function of the
        face centres (k × 3, m)."""
        temperature_c = self._profiled("temperature", patch, temperature_c, temperature=True)
        if callable(temperature_c):
            centres = self.mesh.patch_face_centers(self._patch(patch))
            values = np.broadcast_to(np.asarray(temperature_c(centres), dtype=np.float64), (len(centres),))
            if not np.isfinite(values).all() or (values <= ABSOLUTE_ZERO_C).any():
                raise CaseError(f"patch '{patch}': the temperature function returned non-physical values")
            spec = self._set(patch, "fixed_temperature", temperature_c=float(values.mean()))
            spec.face_values["temperature_c"] = np.array(values)
            return spec
        return self._set(
            patch,
            "fixed_temperature",
            temperature_c=_temperature_c(f"patch '{patch}': temperature_c", temperature_c),
        )

    def heat_flux(
        self, patch: str, flux_w_m2: float | None = None, power_w: float | None = None
    ) -> BoundarySpec:
        """Heat flux into the domain: per area (W/m²) or a total (W) spread over the patch."""
        if (flux_w_m2 is None) == (power_w is None):
            raise CaseError(f"patch '{patch}': give exactly one of flux_w_m2 or power_w")
        if flux_w_m2 is not None:
            flux_w_m2 = self._profiled("heat_flux", patch, flux_w_m2)
            return self._set(patch, "heat_flux", flux_w_m2=_number(f"patch '{patch}': flux_w_m2", flux_w_m2))
        power_w = self._profiled("heat_flux", patch, power_w)
        return self._set(patch, "heat_flux", power_w=_number(f"patch '{patch}': power_w", power_w))

    def convective(self, patch: str, htc_w_m2k: float, ambient_c: float) -> BoundarySpec:
        """Convection to an ambient: heat in = h (T_ambient − T_wall); ``ambient_c`` may be a
        :class:`Profile` in time."""
        ambient_c = self._profiled("temperature", patch, ambient_c, temperature=True)
        return self._set(
            patch,
            "convective",
            htc_w_m2k=_number(f"patch '{patch}': htc_w_m2k", htc_w_m2k),
            ambient_c=_temperature_c(f"patch '{patch}': ambient_c", ambient_c),
        )

    def adiabatic(self, patch: str) -> BoundarySpec:
        """No heat flow (the default for every patch without a condition)."""
        return self._set(patch, "adiabatic")

    # ----- flow boundary conditions ------------------------------------------------------------
    def inlet(
        self,
        patch: str,
        flow_lpm: float | Profile | None = None,
        *,
        mass_flow_kg_s: float | Profile | None = None,
        velocity_m_s: float | Profile | None = None,
        temperature_c: float | Profile | None = None,
        turbulence_intensity: float = 0.05,
        length_scale_m: float | None = None,
    ) -> BoundarySpec:
        """Coolant inlet with a uniform normal inflow: volume flow (L/min), mass flow or speed.

        A turbulent (k-ω SST) coolant enters with ``turbulence_intensity`` (fraction, default
        0.05) and the mixing length ``length_scale_m`` (default 0.07 of the patch's hydraulic
        diameter); a laminar one ignores both.

        The rate and ``temperature_c`` may be :class:`Profile` objects for
        :meth:`solve_transient`; steady solves take their value at t = 0. A flow-rate profile
        makes the transient flow quasi-steady: the steady flow is solved again (warm-started)
        whenever the rate has moved by more than ``flow_update_fraction`` (1 %) since the last
        flow solve.
        """
        given = {
            k: v
            for k, v in (
                ("flow_lpm", flow_lpm),
                ("mass_flow_kg_s", mass_flow_kg_s),
                ("velocity_m_s", velocity_m_s),
            )
            if v is not None
        }
        if len(given) != 1:
            raise CaseError(
                f"inlet '{patch}': give exactly one of flow_lpm, mass_flow_kg_s or velocity_m_s (got {sorted(given)})"
            )
        ((key, value),) = given.items()
        for other in INLET_RATE_KEYS:
            if other != key:
                self.profiles.pop((other, patch), None)
        if isinstance(value, Profile) and value.min() <= 0.0:
            raise CaseError(
                f"inlet '{patch}': the {key} profile must stay positive (it reaches {value.min():g}); "
                "a transient solve re-solves the flow as the rate changes, and cannot stop it"
            )
        value = self._profiled(key, patch, value)
        if temperature_c is not None:
            temperature_c = self._profiled("temperature", patch, temperature_c, temperature=True)
        else:
            self.profiles.pop(("temperature", patch), None)
        v = _number(f"inlet '{patch}': {key}", value)
        intensity = _number(f"inlet '{patch}': turbulence_intensity", turbulence_intensity)
        if intensity > 1.0:
            raise CaseError(
                f"inlet '{patch}': turbulence_intensity is a fraction (0.05 is 5 %), got {intensity:g}"
            )
        values: dict[str, float] = {key: v}
        if intensity != 0.05:
            values["turbulence_intensity"] = intensity
        if length_scale_m is not None:
            values["length_scale_m"] = _number(f"inlet '{patch}': length_scale_m", length_scale_m)
        if temperature_c is not None:
            values["temperature_c"] = _temperature_c(f"inlet '{patch}': temperature_c", temperature_c)
        return self._set(patch, "inlet", **values)

    def outlet(self, patch: str, pressure_pa: float = 0.0) -> BoundarySpec:
        """Coolant outlet at a fixed static (gauge) pressure, Pa."""
        return self._set(patch, "outlet", pressure_pa=_number(f"outlet '{patch}': pressure_pa", pressure_pa))

    def wall(self, patch: str, velocity_m_s: tuple[float, float, float] | None = None) -> BoundarySpec:
        """A no-slip wall (the default), optionally moving tangentially with ``velocity_m_s``."""
        spec = self._set(patch, "wall")
        if velocity_m_s is not None:
            v = [_number(f"wall '{patch}': velocity_m_s", x) for x in velocity_m_s]
            if len(v) != 3:
                raise CaseError(f"wall '{patch}': velocity_m_s needs three components, got {len(v)}")
            spec.face_values["velocity_m_s"] = np.asarray(v)
        return spec

    def symmetry(self, patch: str) -> BoundarySpec:
        """A symmetry plane for flow and heat."""
        return self._set(patch, "symmetry")

    # ----- the core's description --------------------------------------------------------------
    def to_core(self, **settings: Any) -> dict[str, Any]:
        """The case in the core's serde form (SI, kelvin)."""
        boundaries = []
        models = self.flow_models()
        turbulent = any(model is TurbulenceModel.K_OMEGA_SST for model, _ in models.values())
        for b in self.boundaries.values():
            entry: dict[str, Any] = {"kind": b.kind, "patch": b.patch}
            if b.kind == "inlet":
                if turbulent and "length_scale_m" not in b.values and b.patch in self.mesh.patches:
                    # 0.07 D_h of the patch itself (the core knows no patch perimeters)
                    area = self.mesh.patch_area(b.patch)
                    entry["length_scale_m"] = 0.07 * 4.0 * area / self.mesh.patch_perimeter(b.patch)
                for key, value in b.values.items():
                    if key == "flow_lpm":
                        entry["volume_flow_m3_s"] = units.m3_s(value)
                    elif key == "temperature_c":
                        entry["temperature_k"] = value - ABSOLUTE_ZERO_C
                    else:
                        entry[key] = value
                boundaries.append(entry)
                continue
            if b.kind == "wall":
                if "velocity_m_s" in b.face_values:
                    entry["velocity_m_s"] = [float(x) for x in b.face_values["velocity_m_s"]]
                boundaries.append(entry)
                continue
            for key, value in b.values.items():
                if key.endswith("_c"):
                    entry[key.removesuffix("_c") + "_k"] = value - ABSOLUTE_ZERO_C
                else:
                    entry[key] = value
            for key, array in b.face_values.items():
                entry["face_" + key.removesuffix("_c") + "_k"] = (array - ABSOLUTE_ZERO_C).tolist()
            boundaries.append(entry)
        core_settings: dict[str, Any] = {}
        for key, value in settings.items():
            if key == "initial_temperature_c":
                core_settings["initial_temperature_k"] = _temperature_c(key, value) - ABSOLUTE_ZERO_C
            elif key in _COUNT_SETTINGS:
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise CaseError(f"solver setting '{key}' must be a non-negative integer, got {value!r}")
                core_settings[key] = value
            elif key in CHOICE_SETTINGS:
                choice = CHOICE_SETTINGS[key]
                if value not in names(choice):
                    raise CaseError(
                        f"solver setting '{key}' must be one of {list(names(choice))}, got {value!r}"
                    )
                core_settings[key] = choice(value).value
            elif key in _SETTINGS:
                if value is None and key in _OPTIONAL_SETTINGS:
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise CaseError(f"solver setting '{key}' must be a number, got {value!r}")
                if not math.isfinite(value):
                    raise CaseError(f"solver setting '{key}' must be finite, got {value!r}")
                core_settings[key] = value
            else:
                raise CaseError(
                    f"unknown solver setting '{key}'; known settings: {sorted(_SETTINGS | {'initial_temperature_c'})}"
                )
        return {
            "solids": [
                {
                    "region": s.region,
                    "material": s.material.to_core(),
                    "power_w": s.power_w,
                    "power_density_w_m3": s.power_density_w_m3,
                }
                for s in self.solids.values()
            ],
            "fluids": [
                {
                    "region": f.region,
                    "coolant": coolant_to_core(f.coolant),
                    "turbulence": models[f.region][0].value,
                    "thermal_wall_function": ThermalWallFunction(f.thermal_wall_function).value,
                    "wall_treatment": WallTreatment(f.wall_treatment).value,
                }
                for f in self.fluids.values()
            ],
            "contacts": [
                {"region_a": c.region_a, "region_b": c.region_b, "resistance_m2k_w": c.resistance_m2k_w}
                for c in self.contacts
            ],
            "boundaries": boundaries,
            "settings": core_settings,
            "cell_power_density_w_m3": (
                None if self.cell_power_density_w_m3 is None else self.cell_power_density_w_m3.tolist()
            ),
            **self._radiation_to_core(),
        }

    def validate(self, **settings: Any) -> Case:
        """Check the whole case, with the solver ``settings`` :meth:`solve` would get, without
        solving: every problem (unknown regions and patches, bad values, missing materials or
        temperature references, settings out of range, the flow and radiation set-up) in one
        :class:`CaseError` listing each (:class:`MaterialError` when only material properties
        are wrong). ``solve`` runs the same checks first; call this to find them all sooner.
        Returns the case."""
        if "threads" in settings and settings["threads"] is not None:
            settings["threads"] = checked_threads(settings["threads"])
        self._check(self.to_core(**settings), core=True)
        return self

    def _check(self, description: dict[str, Any], *, core: bool) -> None:
        """The checks before a solve: the flow-regime limits Python computes from the coolant
        tables and, with ``core`` or when one of those fails, the core's; every problem in one
        :class:`CaseError`. (``solve`` leaves the core's check to the core's solve, which runs it
        first, so a good case is checked once.)"""
        problems = self._coolant_temperature_problems() + self._flow_regime_problems()
        if not (problems or core):
            return
        try:
            _core.validate_case(self.mesh._core, json.dumps(description))
        except CaseError as err:
            if not problems:
                raise
            problems = [*getattr(err, "problems", [str(err)]), *problems]
        if problems:
            many = f"{len(problems)} problems in the case:\n  - " + "\n  - ".join(problems)
            error = CaseError(problems[0] if len(problems) == 1 else many)
            error.problems = problems  # type: ignore[attr-defined]  # as the core's errors carry them
            raise error

    def solve(
        self,
        *,
        progress: bool | Callable[[int, dict[str, float]], None] | None = None,
        initial: Result | Mapping[str, Any] | None = None,
        scale_initial_flow: bool = True,
        **settings: Any,
    ) -> Result:
        """Steady solve. Raises on bad input and on non-convergence; Ctrl-C stops it cleanly.

        Settings: ``tolerance`` (normalised residual, default 1e-10), ``max_iterations``,
        ``linear_tolerance``, ``linear_max_iterations``, ``threads`` (default: all cores),
        ``initial_temperature_c``, ``preconditioner`` (``"amg"`` or ``"jacobi"``).
        Coolant flow: ``convection`` (``"auto"``, the default: bounded second order, and for the
        momentum first-order upwind with a :class:`ConvectionFallbackWarning` when the
        second-order flow diverges or stalls, after a second-order retry at three quarters of the
        relaxation (with local first-order rounds in cells whose velocity keeps swinging) and,
        when that retry diverged, once more with the non-orthogonal corrections bounded at half
        the orthogonal part (OpenFOAM's ``limited corrected 0.5``); ``"linear_upwind"``: second
        order or an error; ``"upwind"``: first order throughout, with the default's first-order
        recovery: a stalled flow is retried at 0.5 with the non-orthogonal corrections bounded
        and then at 0.3, and coolant cells the energy leaves outside the inlet-to-heater bounds
        lose their non-orthogonal corrections), ``velocity_relaxation`` (default 0.9; the converged
        flow does not depend on it, only the way there; with an explicit scheme a diverging
        solve is retried at three quarters of it, after that retry's divergence once more with the
        non-orthogonal corrections bounded as above, and after a stall at 0.5),
        ``velocity_tolerance`` (1e-7),
        ``pressure_tolerance`` (1e-6), ``mass_tolerance`` (fraction of the inflow, 1e-6),
        ``flow_max_iterations`` (3000; at least a third of it more after a local first-order round, and more while the pace of the residuals gets it to convergence, at most twice it in all; a first attempt too slow to converge in twice it stops early; a turbulent solve that stalls with statistically stationary outputs returns them with a :class:`~rackflow.errors.StationaryFlowWarning`, a laminar one only with ``convection='auto'`` or ``'upwind'`` when no retry converges), ``non_orthogonal_correctors`` (extra pressure solves per
        iteration on non-orthogonal meshes such as tetrahedra, default 0).
        Temperature-dependent coolant properties: flow and temperature alternate until no
        temperature moves more than ``coupling_tolerance_k`` (1e-3 K) between passes, at most
        ``max_coupling_passes`` (20) passes.
        ``progress=True`` keeps one compact line of residuals updated (the default for coolant
        flow at an interactive terminal); a callable receives ``(iteration, {name: residual})``.

        ``initial`` warm-starts the solve from the fields of a previous :class:`Result` on the same
        mesh (a neighbouring design point), or from a mapping of per-cell arrays:
        ``temperature_c`` (n_cells, °C), ``velocity_m_s`` (n_cells × 3), ``pressure_pa``
        (n_cells), ``mass_flux_kg_s`` (n_faces; recomputed from the velocity when missing) and,
        for turbulent coolant, ``turbulence_k_m2_s2`` and ``turbulence_omega_1_s`` (n_cells,
        together) and optionally ``turbulent_viscosity_pa_s`` (n_cells, with them; without it
        the first iteration takes ρ k / ω, above the SST-limited value near walls); a previous
        turbulent :class:`Result` gives all three, scaled as the flow; and the discretisation the
        flow converged with: ``momentum_first_order`` (n_cells, nonzero in the cells whose
        momentum convection local rounds made first order; :attr:`Result.momentum_first_order`)
        and ``momentum_limiter`` (n_cells × 3, the held convection limiter;
        :attr:`Result.momentum_limiter`, held only at the same flow rate) and
        ``momentum_relaxation`` (one value, the relaxation it converged at: the answer does not
        depend on it, the way there does; :attr:`Result.momentum_relaxation`), ``momentum_first_order_fallback`` (one
        value, nonzero when it converged only with the first-order fallback) and
        ``momentum_non_orthogonal_limit`` (one value, the bound of its non-orthogonal corrections;
        both used at the same flow rate only, where the start solves with that scheme at once),
        for turbulent coolant ``turbulence_limiter`` (n_cells × 3, the SST's velocity-gradient
        limiter) and ``wall_log_layer`` (n_faces, nonzero on the wall treatment's log-layer
        branch; :attr:`Result.turbulence_limiter`, :attr:`Result.wall_log_layer`; held only at
        the same flow rate, with ``turbulence_k_m2_s2``), and the energy's: ``energy_limiter``
        (n_cells) and ``energy_non_orthogonal_scale`` (n_faces), the convection limiter and the
        non-orthogonal correction bounds a stalled second-order energy solve held
        (:attr:`Result.energy_limiter`, :attr:`Result.energy_non_orthogonal_scale`; held only at
        the same flow rate, with ``temperature_c``), so that a start from a converged result
        is converged from its first iteration; all
        in this mesh's cell order (which differs from the file's when the mesh was renumbered:
        see :attr:`Mesh.input_cell_order`).
        Any subset may be given. When the initial state's coolant inlet temperature is known
        (``inlet_temperature_c`` in the mapping, or the result's case had one) and differs from
        this case's, the initial temperatures are shifted by the difference, which is the exact
        change for constant properties. A start from a converged result of the same case is
        converged at once (the same answer): a start at the same flow rate with the result's
        temperatures and held energy corrections solves its first coupling pass to the final
        tolerances and settles there when the pass hardly moves them. A start from another state (another flow rate,
        power or inlet temperature) converges to an answer within the solver tolerances of a cold
        start's only where the solve's schemes are fixed ones: where it holds a second-order
        convection limiter (the momentum's, or a stalled energy solve's) or makes cells first
        order locally, the converged field depends on the path to it. Measured on the
        6,699-tetrahedron channel (warm from 0.025 L/min, solved at 0.02 L/min, against a cold
        start; benchmarks/RESULTS.md stop 27): the flow's pressure drop 0.14 % apart; the
        temperatures started from the other rate's on the same flow, single cells 0.30 K apart
        and the hottest coolant 0.040 K (2.3 % of its 1.75 K rise); the whole warm start's
        hottest coolant 0.084 K. So warm-started points (a sweep's) agree with cold-started ones
        to about that, not to the solver tolerances. With
        ``scale_initial_flow`` (default) the initial velocity, mass flux and pressure are scaled
        by the ratio of this case's inflow to the initial state's, which helps when the flow
        rate changed. ``initial`` and ``initial_temperature_c`` exclude each other.
        """
        if "threads" in settings and settings["threads"] is not None:
            settings["threads"] = checked_threads(settings["threads"])
        callback: Callable[[int, dict[str, float]], None] | None
        if progress is None:
            # a compact progress line by default for (slower) flow solves at an interactive terminal
            progress = bool(self.fluids) and sys.stderr.isatty()
        if progress is True:
            callback = _print_progress
        elif callable(progress):
            callback = progress
        else:
            callback = None
        description = self.to_core(**settings)
        self._check(description, core=False)
        start = self._initial_arrays(initial)
        try:
            raw = _core.solve_case(
                self.mesh._core, json.dumps(description), callback, start, bool(scale_initial_flow)
            )
        except ConvergenceError as err:
            # the last iterate, to look at where it failed (save it, render it)
            fields = getattr(err, "partial_fields", None)
            err.partial_result = None
            if fields is not None:
                from rackflow.result import Result

                err.partial_result = Result._partial(self, fields, str(err))
            raise
        finally:
            if callback is _print_progress:
                print(file=sys.stderr, flush=True)
        from rackflow.result import Result

        result = Result(self, raw)
        result._inlet_temperature_c = self._single_inlet_temperature_c()
        fallback = result.report.get("flow_first_order_fallback")
        if fallback is not None:
            warnings.warn(
                "the second-order flow solve diverged or stalled; the momentum equations were solved "
                f"with first-order upwind at velocity_relaxation {fallback:g} (temperatures keep the "
                "second-order scheme). Refine the mesh or pass convection='linear_upwind' to make this an error",
                ConvectionFallbackWarning,
                stacklevel=2,
            )
        for key, what in (
            ("flow_first_order_cells", "the second-order momentum iteration kept swinging"),
            (
                "energy_first_order_cells",
                "the second-order energy convection stalled or left coolant colder than the inlet or hotter than "
                "everything that heats it",
            ),
        ):
            cells = int(result.report.get(key, 0) or 0)
            if cells:
                warnings.warn(
                    f"{what} in {cells} coolant cells; the solver made the convection first order there (second "
                    "order elsewhere) and converged. Those cells are usually poor ones: improve the mesh there (Gmsh "
                    "`Mesh.Optimize`, `Mesh.OptimizeNetgen`) or pass convection='upwind' for a first-order answer "
                    "throughout",
                    ConvectionFallbackWarning,
                    stacklevel=2,
                )
        stationary = result.report.get("flow_stationary")
        if stationary:
            warnings.warn(
                "the flow's residuals stalled above their tolerances; the result is its statistically "
                f"stationary state (over the last {stationary['iterations']} iterations the static pressure drops "
                f"varied by {stationary['pressure_drop_variation']:.1e} of their means and the flow shares by "
                f"{stationary['split_variation']:.1e})"
                + (
                    "; the flow ↔ temperature coupling passes were judged by the hottest and the region-mean "
                    f"temperatures, which moved by {outputs[1]:.1e} K in the last pass, while the coolant's local "
                    f"temperatures still moved by up to {outputs[0]:.2g} K"
                    if (outputs := result.report.get("coupling_settled_on_outputs"))
                    else ""
                ),
                StationaryFlowWarning,
                stacklevel=2,
            )
        _warn_wall_treatment(result, self._wall_treatments(result.y_plus_by_patch))
        if result.has_temperature and result.has_flow:
            result._thermal_layer = self.thermal_layer_resolution()
            _warn_thermal_layer(result._thermal_layer)
        if result.has_temperature:
            for f in self.fluids.values():
                lo, hi = valid_range_c(f.coolant)
                t = result.temperature_c[self.mesh.cells_of(f.region)]
                if t.min() < lo or t.max() > hi:
                    warnings.warn(
                        f"coolant '{f.coolant.name}' in region '{f.region}' reaches {t.min():.1f}–{t.max():.1f} °C, "
                        f"outside its valid range {lo:.1f}–{hi:.1f} °C; properties were held at the range ends",
                        PropertyRangeWarning,
                        stacklevel=2,
                    )
        return result

    def solve_transient(
        self,
        end_time_s: float,
        time_step_s: float | None = None,
        output_times_s: Any = None,
        initial: Result | None = None,
        *,
        start_time_s: float = 0.0,
        step_tolerance_k: float = 0.01,
        flow_update_fraction: float = 0.01,
        progress: bool | Callable[[int, dict[str, float]], None] | None = None,
        **settings: Any,
    ) -> TransientResult:
        """Temperatures in time: powers, fluxes and patch temperatures may be :class:`Profile` objects.

        Second-order implicit time stepping (variable-step BDF2; one Euler step at the start and
        after each jump of a step profile). Steps are chosen from a local error estimate so that
        each step's temperature error stays below ``step_tolerance_k`` (K) and land on every
        profile breakpoint, unless ``time_step_s`` fixes them (fixed steps land on every
        breakpoint and output time too, with a shorter step where one falls between two steps). ``initial`` is a steady
        :class:`Result` (the usual start) or ``None`` (uniform ``initial_temperature_c``, a
        setting). Coolant flow is frozen at its steady solution for the case's flow rates (the
        flow settles in milliseconds, the copper in seconds). When an inlet's rate is a
        :class:`Profile` the flow is quasi-steady instead: at each step whose rate differs from
        the one the current flow was solved for by more than ``flow_update_fraction`` (default
        0.01, i.e. 1 %), the steady flow is solved again at the new rate, warm-started from the
        previous flow scaled to the new rate, and the energy equation takes its mass fluxes from
        that step on (``run.report["flow_updates"]`` counts these solves). Fields are kept at
        ``output_times_s`` (default: 101 evenly spaced times); every accepted step's hottest
        temperature per region is kept too. Other ``settings`` are those of :meth:`solve`.

        A run that fails part-way (a step whose energy equation does not converge or whose
        temperatures are non-physical, a flow update that fails, Ctrl-C or a ``progress``
        callback that raises) raises as a steady solve does (:class:`ConvergenceError` naming the
        failing step's time, ``KeyboardInterrupt``, the callback's exception), with
        ``err.partial_result`` a :class:`TransientResult` of the steps completed before it
        (``partial`` True, ``completed_to_s`` the last completed step's time): the outputs
        reached and every accepted step's trace, as a run ending at that step would have kept
        them. It is ``None`` when the run failed before its start (validation, the first flow
        solve).
        """
        from rackflow.result import Result
        from rackflow.transient import TransientResult, profiles_to_core

        end = _number("end_time_s", end_time_s)
        start = _number("start_time_s", start_time_s)
        if end <= start:
            raise CaseError(f"end_time_s ({end}) must be after start_time_s ({start})")
        spec: dict[str, Any] = {
            "start_time_s": start,
            "end_time_s": end,
            "step_tolerance_k": _number("step_tolerance_k", step_tolerance_k, positive=True),
            "profiles": profiles_to_core(self),
            "flow_update_fraction": _number("flow_update_fraction", flow_update_fraction, non_negative=True),
        }
        if time_step_s is not None:
            spec["time_step_s"] = _number("time_step_s", time_step_s, positive=True)
        if output_times_s is not None:
            try:
                times = np.atleast_1d(np.asarray(output_times_s, dtype=np.float64))
            except (TypeError, ValueError):
                raise CaseError(
                    f"output_times_s must be a list of times in s, got {output_times_s!r}"
                ) from None
            if times.ndim != 1:
                raise CaseError(f"output_times_s must be a flat list of times, got shape {times.shape}")
            bad = np.flatnonzero(~np.isfinite(times))
            if bad.size:
                i = int(bad[0])
                raise CaseError(f"output_times_s[{i}] is {float(times[i])!r}; output times must be finite")
            spec["output_times_s"] = [float(t) for t in times]
        temperature_k = None
        initial_flow = None
        if initial is not None:
            if not isinstance(initial, Result) or not initial.has_temperature:
                raise CaseError("initial must be a steady rackflow Result with temperatures")
            if initial.mesh.n_cells != self.mesh.n_cells:
                raise CaseError(
                    f"initial result is on a mesh of {initial.mesh.n_cells} cells; this case's has {self.mesh.n_cells}"
                )
            if "initial_temperature_c" in settings:
                raise CaseError("give initial or initial_temperature_c, not both")
            temperature_k = np.ascontiguousarray(initial.temperature_c, dtype=np.float64) - ABSOLUTE_ZERO_C
            if initial.has_flow and self.fluids:
                # the steady start's flow warm-starts the run's first flow solve
                flow = self._initial_arrays(initial) or {}
                initial_flow = {k: v for k, v in flow.items() if k != "temperature_k"} or None
        elif "initial_temperature_c" not in settings:
            raise CaseError(
                "solve_transient starts from a steady result (initial=case.solve()) or a uniform "
                "initial_temperature_c=..."
            )
        if "threads" in settings and settings["threads"] is not None:
            settings["threads"] = checked_threads(settings["threads"])
        description = self.to_core(**settings)
        self._check(description, core=False)
        callback = progress if callable(progress) else None
        try:
            raw = _core.solve_transient_case(
                self.mesh._core,
                json.dumps(description),
                json.dumps(spec),
                callback,
                temperature_k,
                initial_flow,
            )
        except BaseException as err:
            # the steps completed before the failure (a step that did not converge or was
            # non-physical, Ctrl-C, a progress callback that raised): nothing finished is lost
            completed = getattr(err, "partial_run", None)
            if completed is not None:
                del err.partial_run
                err.partial_result = TransientResult(self, completed, initial, partial=True)
                err.add_note(
                    f"the run completed {err.partial_result.report.get('steps_accepted', 0)} steps to "
                    f"{err.partial_result.completed_to_s:.6g} s: err.partial_result holds them"
                )
            elif isinstance(err, ConvergenceError):
                err.partial_result = None
            raise
        return TransientResult(self, raw, initial)

    def _wall_treatments(self, patches: Mapping[str, Any]) -> dict[str, WallTreatment]:
        """The wall treatment of each of these wall patches (``"interface:<solid>"`` for the
        interfaces to a solid region): its coolant region's, and switching where coolants of
        both treatments touch the patch (the one that warns more)."""
        regions = self.mesh.regions
        of_region = {f.region: WallTreatment(f.wall_treatment) for f in self.fluids.values()}
        out = {}
        pairs = self.mesh.interfaces() if any(p.startswith("interface:") for p in patches) else []
        for patch in patches:
            if patch.startswith("interface:"):
                solid = patch.split(":", 1)[1]
                touching = {b if a == solid else a for a, b, _ in pairs if solid in (a, b)}
            else:
                cells = self.mesh.patch_face_cells(patch)
                touching = {regions[i] for i in np.unique(self.mesh.region_of_cell[cells])}
            found = {of_region[r] for r in touching if r in of_region}
            # the one that warns more first; "blended" also when no coolant touches the patch
            ranked = (WallTreatment.SWITCHING, WallTreatment.BLENDED, WallTreatment.BLENDED_SUBLAYER)
            out[patch] = next((t for t in ranked if t in found), WallTreatment.BLENDED)
        return out

    def _initial_arrays(self, initial: Result | Mapping[str, Any] | None) -> dict[str, np.ndarray] | None:
        """The core's initial-state arrays (kelvin, float64, C order; no copies but kelvin)."""
        if initial is None:
            return None
        from rackflow.result import Result

        if isinstance(initial, Result):
            if initial.mesh is not self.mesh and initial.mesh.n_cells != self.mesh.n_cells:
                raise CaseError(
                    f"initial result is on a mesh of {initial.mesh.n_cells} cells; this case's has "
                    f"{self.mesh.n_cells}"
                )
            fields: dict[str, Any] = initial.warm_start_fields()
            if not self.fluids:
                # a conduction case takes the temperatures only
                fields = {k: v for k, v in fields.items() if k in _THERMAL_FIELDS}
            elif "pressure_pa" in fields:
                # the core works about the highest outlet pressure; a start from a case at another
                # level (gauge vs absolute) carries its pressure differences only
                fields["pressure_pa"] = fields["pressure_pa"] + (
                    self._pressure_datum_pa() - initial.case._pressure_datum_pa()
                )
        elif isinstance(initial, Mapping):
            fields = dict(initial)
        else:
            raise CaseError(
                f"initial must be a rackflow Result or a mapping of arrays, got {type(initial).__name__}"
            )
        unknown = sorted(set(fields) - set(INITIAL_FIELDS))
        if unknown:
            raise CaseError(f"unknown initial field(s) {unknown}; expected some of {list(INITIAL_FIELDS)}")
        out: dict[str, np.ndarray] = {}
        shift = 0.0
        old_inlet = fields.pop("inlet_temperature_c", None)
        new_inlet = self._single_inlet_temperature_c()
        if old_inlet is not None:
            try:
                old = float(np.asarray(old_inlet, dtype=np.float64))
            except (TypeError, ValueError):
                raise CaseError(f"initial inlet_temperature_c must be a number, got {old_inlet!r}") from None
            if not np.isfinite(old):
                raise CaseError(f"initial inlet_temperature_c must be finite, got {old}")
            if new_inlet is not None:
                shift = new_inlet - old
        for name, value in fields.items():
            if value is None:
                continue
            try:
                array = np.ascontiguousarray(value, dtype=np.float64)
            except (TypeError, ValueError):
                raise CaseError(f"initial {name} must be an array of numbers") from None
            if name == "temperature_c":
                out["temperature_k"] = array + (shift - ABSOLUTE_ZERO_C)
            else:
                out[name] = array
        return out

    def _pressure_datum_pa(self) -> float:
        """The highest outlet pressure (the level the core solves about), Pa; 0 without outlets."""
        levels = [b.values["pressure_pa"] for b in self.boundaries.values() if b.kind == "outlet"]
        return max(levels, default=0.0)

    def _single_inlet_temperature_c(self) -> float | None:
        """The coolant inlet temperature when every inlet that gives one gives the same, °C."""
        values = {
            b.values["temperature_c"]
            for b in self.boundaries.values()
            if b.kind == "inlet" and b.values.get("temperature_c") is not None
        }
        return float(values.pop()) if len(values) == 1 else None

    def _coolant_temperature_problems(self) -> list[str]:
        """Inlet temperatures must lie between the coolants' freezing and boiling points."""
        problems = []
        for b in self.boundaries.values():
            if b.kind != "inlet" or "temperature_c" not in b.values:
                continue
            t = b.values["temperature_c"]
            for f in self.fluids.values():
                lo, hi = valid_range_c(f.coolant)
                if not lo <= t <= hi:
                    problems.append(
                        f"inlet '{b.patch}': {t} °C is outside the valid range of coolant '{f.coolant.name}' "
                        f"({lo:.1f}–{hi:.1f} °C: freezing or boiling)"
                    )
        return problems

    def inlet_reynolds_numbers(self) -> dict[str, tuple[str, float]]:
        """Hydraulic Reynolds number ρ U D_h / μ of each inlet (D_h = 4 A / perimeter of the patch,
        properties at the inlet temperature), with the fluid region behind it: ``{inlet: (region,
        Re)}``. Known before solving: it decides whether the laminar model applies."""
        from rackflow.coolant_adapter import property_at

        out: dict[str, tuple[str, float]] = {}
        region_names = self.mesh.regions
        for b in self.boundaries.values():
            if b.kind != "inlet" or b.patch not in self.mesh.patches:
                continue
            cells = self.mesh.patch_face_cells(b.patch)
            region = region_names[int(self.mesh.region_of_cell[cells[0]])] if len(cells) else ""
            fluid = self.fluids.get(region)
            if fluid is None:
                continue
            t_c = b.values.get("temperature_c", 20.0)
            rho = property_at(fluid.coolant, "density_kg_m3", t_c)
            mu = property_at(fluid.coolant, "viscosity_pa_s", t_c)
            area = self.mesh.patch_area(b.patch)
            if "velocity_m_s" in b.values:
                speed = b.values["velocity_m_s"]
            elif "flow_lpm" in b.values:
                speed = units.m3_s(b.values["flow_lpm"]) / area
            elif "mass_flow_kg_s" in b.values:
                speed = b.values["mass_flow_kg_s"] / (rho * area)
            else:
                continue
            hydraulic_diameter = 4.0 * area / self.mesh.patch_perimeter(b.patch)
            out[b.patch] = (region, rho * speed * hydraulic_diameter / mu)
        return out

    def thermal_layer_resolution(self) -> dict[str, dict[str, Any]]:
        """How the heat-carrying walls of each laminar coolant region resolve the thermal entry
        layer, known before solving: ``{wall: {...}}`` for each interface to a solid region
        (``"interface:<solid>"``) and each coolant patch with a temperature, heat flux or
        convection condition, with the region, the wall cells' area-mean ``cell_height_m`` along
        the wall normal (:meth:`Mesh.wall_cells`), the layer's area-mean ``layer_thickness_m``
        (Lévêque's D_h (x / (D_h Re Pr))^⅓, x the distance from the nearest inlet of the region;
        Re and D_h of its inlet with the largest Reynolds number, Pr at that inlet's temperature),
        their ``ratio`` (a :class:`ThermalLayerWarning` above :data:`THERMAL_LAYER_RATIO_MAX`),
        ``reynolds`` and ``prandtl``. Turbulent regions are left out (their wall treatment is
        the :class:`WallTreatmentWarning`'s)."""
        from rackflow.coolant_adapter import property_at

        out: dict[str, dict[str, Any]] = {}
        models = self.flow_models()
        inlets = self.inlet_reynolds_numbers()
        for f in self.fluids.values():
            if models.get(f.region, (TurbulenceModel.LAMINAR, 0.0))[0] is not TurbulenceModel.LAMINAR:
                continue
            mine = [(patch, re) for patch, (region, re) in inlets.items() if region == f.region]
            if not mine:
                continue
            inlet, reynolds = max(mine, key=lambda e: e[1])
            t_c = self.boundaries[inlet].values.get("temperature_c", 20.0)
            prandtl = (
                property_at(f.coolant, "specific_heat_j_kgk", t_c)
                * property_at(f.coolant, "viscosity_pa_s", t_c)
                / property_at(f.coolant, "conductivity_w_mk", t_c)
            )
            d_h = 4.0 * self.mesh.patch_area(inlet) / self.mesh.patch_perimeter(inlet)
            origins = []
            for patch, _ in mine:
                a = self.mesh.patch_face_areas(patch)
                origins.append(a @ self.mesh.patch_face_centers(patch) / a.sum())
            for name, w in self.mesh.wall_cells(f.region).items():
                if name.startswith("interface:"):
                    if name.split(":", 1)[1] not in self.solids:
                        continue
                else:
                    b = self.boundaries.get(name)
                    if b is None or b.kind not in _HEATED_WALL_KINDS:
                        continue
                x = np.min([np.linalg.norm(w["centers"] - o, axis=1) for o in origins], axis=0)
                layer = d_h * np.cbrt(x / (d_h * reynolds * prandtl))
                a = w["areas"]
                height, thickness = float(a @ w["heights"]) / a.sum(), float(a @ layer) / a.sum()
                out[name] = {
                    "region": f.region,
                    "cell_height_m": height,
                    "layer_thickness_m": thickness,
                    "ratio": height / thickness,
                    "reynolds": reynolds,
                    "prandtl": prandtl,
                }
        return out

    def flow_models(self) -> dict[str, tuple[TurbulenceModel, float]]:
        """The flow model each coolant region is solved with, and the largest inlet hydraulic
        Reynolds number behind the choice: ``{region: ("laminar" | "k-omega-sst", Re)}``.
        ``turbulence="auto"`` is SST above Re 2,000. When any region is turbulent, the core
        solves the whole coolant with SST (a laminar region's k then stays small)."""
        reynolds: dict[str, float] = {}
        for region, re in self.inlet_reynolds_numbers().values():
            reynolds[region] = max(reynolds.get(region, 0.0), re)
        out: dict[str, tuple[TurbulenceModel, float]] = {}
        for f in self.fluids.values():
            re = reynolds.get(f.region, 0.0)
            model = TurbulenceModel(f.turbulence)
            if model is TurbulenceModel.AUTO:
                model = TurbulenceModel.K_OMEGA_SST if re > AUTO_TURBULENT_RE else TurbulenceModel.LAMINAR
            out[f.region] = (model, re)
        return out

    def _flow_regime_problems(self) -> list[str]:
        """Warn when a laminar region runs above the transition; the problems far outside any
        model (Reynolds number above 10⁷, inlet Mach number above 0.1)."""
        problems = []
        models = self.flow_models()
        for inlet, (region, reynolds) in self.inlet_reynolds_numbers().items():
            if reynolds > MAX_REYNOLDS:
                problems.append(
                    f"inlet '{inlet}' (region '{region}'): the Reynolds number is {reynolds:.3g}, far above "
                    f"what any flow model here covers ({MAX_REYNOLDS:.0e}); check flow_lpm and the mesh units (metres)"
                )
                continue
            mach = self._inlet_mach(inlet, region)
            if mach > MAX_MACH:
                problems.append(
                    f"inlet '{inlet}' (region '{region}'): the inlet Mach number is about {mach:.2g}, above "
                    f"{MAX_MACH} where incompressible flow holds; check the flow rate and the mesh units (metres)"
                )
                continue
            laminar = models.get(region, (TurbulenceModel.LAMINAR, 0.0))[0] is TurbulenceModel.LAMINAR
            if reynolds > LAMINAR_LIMIT_RE and laminar:
                warnings.warn(
                    f"inlet '{inlet}': region '{region}' has an inlet Reynolds number of {reynolds:,.0f}, above "
                    f"the laminar limit ({LAMINAR_LIMIT_RE:,.0f}), and is solved laminar; the flow is likely "
                    "turbulent and the laminar solution under-predicts pressure drop and heat transfer "
                    "(use turbulence='auto' or 'k-omega-sst')",
                    LaminarTurbulentFlowWarning,
                    stacklevel=4,  # the caller of solve() or validate()
                )
        return problems

    def _inlet_mach(self, inlet: str, region: str) -> float:
        """The inlet speed over a speed of sound: 1,400 m/s for a liquid coolant (water and glycol
        mixtures are 1,450–1,600), 340 m/s for a gas (density below 10 kg/m³)."""
        from rackflow.coolant_adapter import property_at

        b = self.boundaries[inlet]
        fluid = self.fluids[region]
        t_c = b.values.get("temperature_c", 20.0)
        rho = property_at(fluid.coolant, "density_kg_m3", t_c)
        area = self.mesh.patch_area(inlet)
        if "velocity_m_s" in b.values:
            speed = b.values["velocity_m_s"]
        elif "flow_lpm" in b.values:
            speed = units.m3_s(b.values["flow_lpm"]) / area
        else:
            speed = b.values.get("mass_flow_kg_s", 0.0) / (rho * area)
        return speed / (340.0 if rho < 10.0 else 1400.0)

    def __repr__(self) -> str:
        return (
            f"Case(mesh={self.mesh.source!r}, solids={list(self.solids)}, "
            f"boundaries={ {k: v.kind for k, v in self.boundaries.items()} })"
        )

    # ----- case files (thin: rackflow.casefile does the work) --------------------------------
    def to_toml(self, path: Any = None, **options: Any) -> str:
        """The case as TOML text (also written to ``path``); see :func:`rackflow.casefile.to_toml`."""
        from rackflow import casefile

        if self.radiation_conditions or self.enclosures:
            raise CaseError("case files cannot hold radiation conditions or enclosures yet")
        return casefile.to_toml(self, path, **options)

    @classmethod
    def from_toml(cls, source: Any, *, mesh: Mesh | None = None) -> Case:
        """A case from a TOML file path or text; see :func:`rackflow.casefile.from_toml`."""
        from rackflow import casefile

        return casefile.from_toml(source, mesh=mesh)

    # ----- radiation (issue 20) ------------------------------------------------------------------
    def _radiating_patch(self, patch: Any, owner: str) -> str:
        """A patch name (the core checks that it is a boundary patch radiating once)."""
        if not isinstance(patch, str):
            raise CaseError(f"{owner}: a patch name must be a string, got {patch!r}")
        return patch

    def _radiation_problems(self) -> list[str]:
        """Conflicts between radiation and the patches' other conditions (they can be set in any order)."""
        problems = []
        radiating = [(p, f"radiation on '{p}'") for p in self.radiation_conditions]
        for k, e in enumerate(self.enclosures):
            radiating += [(p, f"enclosure {k + 1} {e.patches}") for p in e.patches]
        for patch, owner in radiating:
            b = self.boundaries.get(patch)
            if b is not None and b.kind in ("inlet", "outlet", "symmetry"):
                what = "a symmetry plane" if b.kind == "symmetry" else f"a coolant {b.kind}"
                problems.append(f"{owner}: patch '{patch}' is {what} and cannot radiate")
            elif self.fluids and patch in self.mesh.patches:
                regions = {
                    self.mesh.regions[int(r)]
                    for r in np.unique(self.mesh.region_of_cell[self.mesh.patch_face_cells(patch)])
                }
                if regions and regions <= set(self.fluids):
                    problems.append(
                        f"{owner}: patch '{patch}' bounds only coolant (region {sorted(regions)}); "
                        "radiation leaves solid surfaces: put it on the wall's outside"
                    )
        return problems

    def radiation(
        self,
        patch: str,
        emissivity: float = 0.85,
        sink_c: float = -270.15,
        absorbed_flux_w_m2: float | Profile = 0.0,
        *,
        absorptivity: float | None = None,
        incident_flux_w_m2: float | None = None,
    ) -> RadiationSpec:
        """The patch radiates as a grey surface to a black sink (deep space at 3 K by default).

        Net heat lost per area: ``q = ε σ (T⁴ − T_sink⁴) − absorbed_flux_w_m2`` (W/m²), in addition
        to the patch's own condition (adiabatic by default, or convective or a heat flux).
        ``absorbed_flux_w_m2`` is the external flux the surface absorbs (see
        :func:`rackflow.orbit.absorbed_flux_w_m2`), or a :class:`Profile` of it in time for
        :meth:`solve_transient` (an orbit: ``rf.orbit.orbit_absorbed_flux(...).to_profile()``;
        steady solves take its value at t = 0); or give ``incident_flux_w_m2`` with the
        surface's ``absorptivity`` (solar absorptance α, which may differ from ε).
        Emissivity and absorptivity lie in (0, 1]; the sink is above absolute zero (°C). The
        patch, the emissivity's range and a patch radiating twice are checked by :meth:`validate`
        (and before any solve) with every other problem.
        """
        owner = f"radiation on '{patch}'"
        self._radiating_patch(patch, owner)
        eps = _number(f"{owner}: emissivity", emissivity)
        sink = _number(f"{owner}: sink_c", sink_c)
        if sink <= ABSOLUTE_ZERO_C:
            raise CaseError(f"{owner}: sink_c = {sink} °C is not above absolute zero ({ABSOLUTE_ZERO_C} °C)")
        if isinstance(absorbed_flux_w_m2, Profile) and absorptivity is not None:
            raise CaseError(
                f"{owner}: give absorbed_flux_w_m2 or absorptivity with incident_flux_w_m2, not both"
            )
        profile = absorbed_flux_w_m2 if isinstance(absorbed_flux_w_m2, Profile) else None
        if profile is not None and (profile.at(profile.breakpoints_s) < 0).any():
            raise CaseError(f"{owner}: the absorbed_flux_w_m2 profile has negative values")
        absorbed = _number(
            f"{owner}: absorbed_flux_w_m2",
            float(profile.at(0.0)) if profile is not None else absorbed_flux_w_m2,
            non_negative=True,
        )
        if (absorptivity is None) != (incident_flux_w_m2 is None):
            raise CaseError(f"{owner}: give absorptivity and incident_flux_w_m2 together")
        if absorptivity is not None:
            if absorbed != 0.0:
                raise CaseError(
                    f"{owner}: give absorbed_flux_w_m2 or absorptivity with incident_flux_w_m2, not both"
                )
            alpha = _fraction(f"{owner}: absorptivity", absorptivity)
            absorbed = alpha * _number(f"{owner}: incident_flux_w_m2", incident_flux_w_m2, non_negative=True)
        spec = RadiationSpec(patch, eps, sink, absorbed)
        previous = self.radiation_conditions.get(patch)
        self.radiation_conditions[patch] = spec
        problems = self._radiation_problems()
        if problems:
            if previous is None:
                del self.radiation_conditions[patch]
            else:
                self.radiation_conditions[patch] = previous
            raise CaseError(problems[0])
        # a Profile drives the absorbed flux in solve_transient; a number forgets an earlier one
        self._profiled("absorbed_flux", patch, absorbed_flux_w_m2)
        return spec

    def radiation_enclosure(
        self,
        patches: list[str],
        emissivity: float | Mapping[str, float],
        rays: int | None = None,
        *,
        sink_c: float | None = None,
    ) -> EnclosureSpec:
        """The patches exchange radiation as grey diffuse surfaces through view factors.

        ``emissivity`` is one value for all patches or ``{patch: ε}`` naming every patch, each
        in (0, 1]. The view factors are computed by ray casting (``rays`` per radiation zone;
        ``None``: about two million rays per enclosure, at least 4,096 per zone), once per
        geometry (cached). A closed enclosure (the default) must surround its space; with
        ``sink_c`` (°C) it is open and what the patches do not see of each other is a black sink
        at that temperature.

        The patches (known boundary patches, each radiating once), a missing or extra emissivity
        and the emissivities' range are checked by :meth:`validate` (and before any solve) with
        every other problem.
        """
        owner = "radiation_enclosure"
        if isinstance(patches, str) or not isinstance(patches, list | tuple):
            raise CaseError(f"{owner}: patches must be a list of patch names, got {patches!r}")
        names = list(patches)
        owner = f"radiation_enclosure {names}"
        for p in names:
            self._radiating_patch(p, owner)
        if isinstance(emissivity, Mapping):
            eps = {
                self._radiating_patch(p, owner): _number(f"{owner}: emissivity of '{p}'", e)
                for p, e in emissivity.items()
            }
        else:
            value = _number(f"{owner}: emissivity", emissivity)
            eps = dict.fromkeys(names, value)
        if rays is not None and (isinstance(rays, bool) or not isinstance(rays, int) or rays < 1):
            raise CaseError(
                f"{owner}: rays must be a positive integer (rays per radiation zone), got {rays!r}"
            )
        if rays is not None and _view_factor_error(rays) > 0.01:
            warnings.warn(
                f"{owner}: {rays} rays per zone gives view factors with an estimated error of about "
                f"{100 * _view_factor_error(rays):.1f} % (the ray caster's worst analytic case misses "
                f"1.2 % at 32,768 rays a zone, the error falling as rays^-0.6); 1 % needs about "
                f"{_RAYS_FOR_ONE_PERCENT:,} rays a zone, or leave rays=None for the default budget",
                RackflowWarning,
                stacklevel=2,
            )
        sink = None
        if sink_c is not None:
            sink = _number(f"{owner}: sink_c", sink_c)
            if sink <= ABSOLUTE_ZERO_C:
                raise CaseError(
                    f"{owner}: sink_c = {sink} °C is not above absolute zero ({ABSOLUTE_ZERO_C} °C)"
                )
        spec = EnclosureSpec(names, eps, rays, sink)
        self.enclosures.append(spec)
        problems = self._radiation_problems()
        if problems:
            self.enclosures.pop()
            raise CaseError(problems[0])
        return spec

    def _radiation_to_core(self) -> dict[str, Any]:
        """The ``radiation`` and ``enclosures`` entries of the core's description (kelvin)."""
        problems = self._radiation_problems()
        if problems:
            raise CaseError(problems[0] if len(problems) == 1 else "; ".join(problems))
        return {
            "radiation": [
                {
                    "patch": r.patch,
                    "emissivity": r.emissivity,
                    "sink_k": r.sink_c - ABSOLUTE_ZERO_C,
                    "absorbed_flux_w_m2": r.absorbed_flux_w_m2,
                }
                for r in self.radiation_conditions.values()
            ],
            "enclosures": [
                {
                    "patches": list(e.patches),
                    "emissivity": dict(e.emissivity),
                    "sink_k": None if e.sink_c is None else e.sink_c - ABSOLUTE_ZERO_C,
                    "rays_per_zone": e.rays,
                }
                for e in self.enclosures
            ],
        }


def _view_factor_error(rays: int) -> float:
    """Estimated worst relative error of ray-cast view factors at ``rays`` per zone: 1.2 % at
    2¹⁵ rays on the analytic cases of tests/radiation/test_view_factors.py, falling as
    ``rays^-0.6`` (measured; ``rust/core/src/radiation/view_factor.rs``)."""
    return 0.012 * (rays / 32768.0) ** -0.6


#: Rays per zone for an estimated 1 % (``_view_factor_error``).
_RAYS_FOR_ONE_PERCENT = math.ceil(32768.0 * 1.2 ** (1 / 0.6))


#: Settings that count something (iterations, correctors): non-negative integers.
_COUNT_SETTINGS = {
    "max_iterations",
    "linear_max_iterations",
    "flow_max_iterations",
    "non_orthogonal_correctors",
    "max_coupling_passes",
}
#: Settings whose ``None`` means "the default".
_OPTIONAL_SETTINGS = {"linear_tolerance", "threads", "initial_temperature_k"}
_SETTINGS = {
    "coupling_tolerance_k",
    "max_coupling_passes",
    "convection",
    "velocity_relaxation",
    "velocity_tolerance",
    "pressure_tolerance",
    "mass_tolerance",
    "flow_max_iterations",
    "non_orthogonal_correctors",
    "tolerance",
    "max_iterations",
    "linear_tolerance",
    "linear_max_iterations",
    "threads",
    "initial_temperature_k",
    "preconditioner",
}


#: More threads than this many times the cores is a mistake, not a request.
MAX_THREADS_PER_CORE = 8


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _warn_wall_treatment(result: Result, treatments: Mapping[str, WallTreatment]) -> None:
    """A :class:`WallTreatmentWarning` for each wall patch whose mean y⁺ lies where its wall
    treatment (``treatments``, by patch; blended where absent) is not accurate: above
    :data:`BLENDED_WALL_Y_PLUS_MAX` for the blended treatment, outside both sides of
    :data:`WALL_Y_PLUS_RANGES` for the switching one."""
    low_re_max, log_min, log_max = WALL_Y_PLUS_RANGES
    for patch, (lo, mean, hi) in result.y_plus_by_patch.items():
        switching = treatments.get(patch, WallTreatment.BLENDED) == WallTreatment.SWITCHING
        top = log_max if switching else BLENDED_WALL_Y_PLUS_MAX
        if switching and low_re_max < mean < log_min:
            why = (
                f"in the buffer layer ({low_re_max:g}–{log_min:g}), where the switching wall treatment is "
                f"accurate neither as low-Re walls (y⁺ ≲ {low_re_max:g}, best ≈ 1) nor as wall functions (y⁺ "
                f"{log_min:g}–{log_max:g}): refine the cells next to it (prism layers), coarsen them, or use "
                "wall_treatment='blended'"
            )
        elif mean > top:
            why = (
                f"above {top:g}, beyond the log layer where wall functions hold: refine the cells next to it"
            )
        else:
            continue
        name = (
            f"interface to solid region '{patch.split(':', 1)[1]}'"
            if patch.startswith("interface:")
            else (f"wall patch '{patch}'")
        )
        warnings.warn(
            f"{name}: mean first-cell y⁺ {mean:.3g} (min {lo:.3g}, max {hi:.3g}) is {why}; its wall shear "
            "and heat transfer are the least reliable of the solution",
            WallTreatmentWarning,
            stacklevel=3,  # the caller of solve()
        )


def _warn_thermal_layer(walls: Mapping[str, Mapping[str, Any]]) -> None:
    """A :class:`ThermalLayerWarning` for each heat-carrying coolant wall whose cells are taller
    than :data:`THERMAL_LAYER_RATIO_MAX` times the thermal entry layer
    (:meth:`Case.thermal_layer_resolution`)."""
    for name, w in walls.items():
        if w["ratio"] <= THERMAL_LAYER_RATIO_MAX:
            continue
        what = (
            f"interface to solid region '{name.split(':', 1)[1]}'"
            if name.startswith("interface:")
            else f"wall patch '{name}'"
        )
        warnings.warn(
            f"{what} of coolant region '{w['region']}': its wall cells are {1e3 * w['cell_height_m']:.3g} mm tall "
            f"along the wall normal (area mean), {w['ratio']:.2g} times the laminar thermal entry layer's mean "
            f"thickness {1e3 * w['layer_thickness_m']:.2g} mm (Re {w['reynolds']:.4g}, Pr {w['prandtl']:.3g}): the "
            "wall cells see the bulk and its heat transfer (Nusselt number, R_th) depends on the mesh. Add boundary "
            "layers: rf.meshing.from_cad(..., boundary_layers=...), a stack of several layers about "
            f"{1e3 * w['layer_thickness_m']:.2g} mm thick, or refine the mesh next to the wall",
            ThermalLayerWarning,
            stacklevel=3,  # the caller of solve()
        )


def checked_threads(threads: Any) -> int:
    """A thread count: more than the cores is capped with a warning; far more is an error."""
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise CaseError(f"threads must be a positive integer, got {threads!r}")
    cores = available_cores()
    if threads > MAX_THREADS_PER_CORE * cores:
        raise CaseError(
            f"threads={threads} is far more than this machine's {cores} cores; give at most {cores} (or None for all)"
        )
    if threads > cores:
        warnings.warn(
            f"threads={threads} is more than this machine's {cores} cores; using {cores}",
            ThreadsWarning,
            stacklevel=3,
        )
        return cores
    return threads


def _print_progress(iteration: int, residuals: dict[str, float]) -> None:
    text = "  ".join(f"{k} {v:.2e}" for k, v in residuals.items())
    print(f"\r  iteration {iteration:4d}  {text}", end="", file=sys.stderr, flush=True)
