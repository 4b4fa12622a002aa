"""Results: fields as NumPy arrays, the engineering numbers, the summary table and output files."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rackflow.case import BLENDED_WALL_Y_PLUS_MAX, THERMAL_LAYER_RATIO_MAX, WALL_Y_PLUS_RANGES
from rackflow.errors import CaseError, MeshError
from rackflow.materials import ABSOLUTE_ZERO_C
from rackflow.mesh import UNTAGGED
from rackflow.settings import TurbulenceModel, WallTreatment

if TYPE_CHECKING:
    from rackflow.case import Case


class Result:
    """A converged steady solution.

    ``temperature_c`` is the core's array converted to °C in place (no copy) and read-only.
    """

    def __init__(self, case: Case, raw: dict[str, Any]) -> None:
        self.case = case
        self.mesh = case.mesh
        t = raw["temperature_k"]
        t -= -ABSOLUTE_ZERO_C  # in place: the array the core handed over becomes °C
        t.flags.writeable = False
        self._temperature_c: np.ndarray | None = t if len(t) else None
        self._velocity: np.ndarray | None = raw["velocity_m_s"] if len(raw["velocity_m_s"]) else None
        self._pressure: np.ndarray | None = raw["pressure_pa"] if len(raw["pressure_pa"]) else None
        self._mass_flux: np.ndarray | None = raw["mass_flux_kg_s"] if len(raw["mass_flux_kg_s"]) else None
        for array in (self._velocity, self._pressure, self._mass_flux):
            if array is not None:
                array.flags.writeable = False
        self._patch_mass_flow = dict(zip(self.mesh.patches, raw["patch_mass_flow_kg_s"], strict=False))
        self._patch_total_p = dict(zip(self.mesh.patches, raw["patch_total_pressure_pa"], strict=False))
        self._patch_static_p = dict(zip(self.mesh.patches, raw["patch_static_pressure_pa"], strict=False))
        self.mass_imbalance: float = float(raw["mass_imbalance"])
        self._patch_heat_flow_w = dict(zip(self.mesh.patches, raw["patch_heat_flow_w"], strict=True))
        self._region_source_w = dict(zip(self.mesh.regions, raw["region_source_w"], strict=True))
        self._contact_heat_flow_w = list(raw["contact_heat_flow_w"])
        self.energy_balance_error: float = float(raw["energy_balance_error"])
        self.report: dict[str, Any] = json.loads(raw["report_json"])
        self._cells = {r: self.mesh.cells_of(r) for r in self.mesh.regions}
        #: the case's coolant inlet temperature when solved (°C), for warm starts
        self._inlet_temperature_c: float | None = None
        #: ``Case.thermal_layer_resolution()`` of the solve (laminar coolant walls that carry heat)
        self._thermal_layer: dict[str, dict[str, Any]] = {}
        #: the memory the solve was estimated to need before it started, MB
        self.estimated_memory_mb: float = float(raw.get("estimated_memory_mb", math.nan))
        #: False for the last iterate of a failed solve (``ConvergenceError.partial_result``)
        self.converged: bool = bool(raw.get("converged", True))
        #: the failed equation's residual per cell (failed solves only)
        self.residual: np.ndarray | None = raw.get("residual")
        self._turbulent_viscosity: np.ndarray | None = raw.get("turbulent_viscosity_pa_s")
        self._y_plus: np.ndarray | None = raw.get("y_plus")
        self._turbulence_k: np.ndarray | None = raw.get("turbulence_k_m2_s2")
        self._turbulence_omega: np.ndarray | None = raw.get("turbulence_omega_1_s")
        #: 1 in the coolant cells whose momentum convection the second-order flow solve made
        #: first order in local rounds (``None``: none); a warm start keeps them so
        self.momentum_first_order: np.ndarray | None = raw.get("momentum_first_order")
        #: the momentum convection limiter per cell and component, shape (n_cells, 3), when the
        #: second-order flow converged with it held (``None`` otherwise); a warm start at the same
        #: flow rate holds it, so that this solution is converged from the start
        self.momentum_limiter: np.ndarray | None = raw.get("momentum_limiter")
        #: the momentum relaxation the flow converged with (``None`` without flow); a warm start
        #: relaxes so first (the answer does not depend on it; the way there does)
        self.momentum_relaxation: float | None = raw.get("momentum_relaxation")
        #: whether the flow converged only with the first-order fallback (at
        #: :attr:`momentum_relaxation`); a warm start at the same flow rate solves so at once
        self.momentum_first_order_fallback: bool = bool(raw.get("momentum_first_order_fallback", False))
        #: the bound of the non-orthogonal corrections the flow converged with (``None``:
        #: unbounded); a warm start at the same flow rate bounds them so
        self.momentum_non_orthogonal_limit: float | None = raw.get("momentum_non_orthogonal_limit")
        #: the k-ω SST's velocity-gradient limiter per cell and component, shape (n_cells, 3),
        #: that the turbulent flow's last iteration used (``None``: laminar or no flow); a warm
        #: start at the same flow rate holds it, with :attr:`wall_log_layer`
        self.turbulence_limiter: np.ndarray | None = raw.get("turbulence_limiter")
        #: per face, 1 where the turbulent flow's last iteration took the k-ω wall treatment's
        #: log-layer branch (``None``: laminar or no flow); held with :attr:`turbulence_limiter`
        self.wall_log_layer: np.ndarray | None = raw.get("wall_log_layer")
        #: the energy convection's limiter per cell that a stalled second-order energy solve held
        #: to converge (0 where it made the convection first order; ``None``: none held); a warm
        #: start at the same flow rate holds it, so that these temperatures are converged from
        #: the start
        self.energy_limiter: np.ndarray | None = raw.get("energy_limiter")
        #: the factor per face bounding the energy's non-orthogonal corrections that solve held
        #: (``None``: unbounded); held with :attr:`energy_limiter`
        self.energy_non_orthogonal_scale: np.ndarray | None = raw.get("energy_non_orthogonal_scale")
        #: the flow model of each coolant region and the inlet Reynolds number behind it:
        #: ``{region: ("laminar" | "k-omega-sst", Re)}``
        self.flow_models: dict[str, tuple[TurbulenceModel, float]] = {}
        if case.fluids:
            try:
                self.flow_models = case.flow_models()
            except (CaseError, MeshError):
                pass

    @classmethod
    def _partial(cls, case: Case, fields: dict[str, Any], message: str) -> Result:
        """The last iterate of a failed solve, flagged ``converged = False``: savable and renderable,
        its balances NaN (nothing balanced)."""
        n_patches, n_regions = len(case.mesh.patches), len(case.mesh.regions)
        t = np.asarray(fields.get("temperature_k", np.empty(0)), dtype=np.float64).copy()
        velocity = np.asarray(fields.get("velocity_m_s", np.empty((0, 3))), dtype=np.float64)
        residual = np.asarray(fields.get("residual", np.empty(0)), dtype=np.float64)
        raw: dict[str, Any] = {
            "temperature_k": t,
            "velocity_m_s": velocity if velocity.size else np.empty((0, 3)),
            "pressure_pa": np.asarray(fields.get("pressure_pa", np.empty(0)), dtype=np.float64),
            "mass_flux_kg_s": np.empty(0),
            "patch_mass_flow_kg_s": [math.nan] * n_patches,
            "patch_total_pressure_pa": [math.nan] * n_patches,
            "patch_static_pressure_pa": [math.nan] * n_patches,
            "mass_imbalance": math.nan,
            "patch_heat_flow_w": [math.nan] * n_patches,
            "region_source_w": [math.nan] * n_regions,
            "contact_heat_flow_w": [],
            "energy_balance_error": math.nan,
            "report_json": json.dumps(
                {"failure": message, "outer_iterations": 0, "linear_iterations": [], "flow_iterations": 0}
            ),
            "converged": False,
            "residual": residual if residual.size == case.mesh.n_cells else None,
        }
        return cls(case, raw)

    # ----- fields ----------------------------------------------------------------------------
    @property
    def temperature_c(self) -> np.ndarray:
        """Cell temperatures, °C (read-only)."""
        if self._temperature_c is None:
            raise CaseError("this solve computed no temperatures (a flow-only case)")
        return self._temperature_c

    def warm_start_fields(self) -> dict[str, np.ndarray]:
        """This result's fields under the names ``Case.solve(initial=...)`` takes (the ones it
        has): temperatures with the inlet temperature they were solved for, the flow, k and ω of a
        turbulent coolant, and the discretisation the solve converged with (the momentum's
        first-order cells, held limiter, relaxation, fallback and non-orthogonal bound; a
        turbulent flow's SST limiter and wall branches; the energy's held limiter and
        non-orthogonal bounds), without which the converged field is
        not converged for the restart (issue 16). Pressures are this case's."""
        fields: dict[str, Any] = {}
        if self.has_temperature:
            fields["temperature_c"] = self.temperature_c
            fields["inlet_temperature_c"] = self._inlet_temperature_c
            fields["energy_limiter"] = self.energy_limiter
            fields["energy_non_orthogonal_scale"] = self.energy_non_orthogonal_scale
        if self.has_flow:
            fields["velocity_m_s"] = self.velocity_m_s
            fields["pressure_pa"] = self.pressure_pa
            fields["mass_flux_kg_s"] = self.mass_flux_kg_s
            fields["momentum_first_order"] = self.momentum_first_order
            fields["momentum_limiter"] = self.momentum_limiter
            if self.momentum_relaxation is not None:
                fields["momentum_relaxation"] = [self.momentum_relaxation]
            if self.momentum_first_order_fallback:
                fields["momentum_first_order_fallback"] = [1.0]
            if self.momentum_non_orthogonal_limit is not None:
                fields["momentum_non_orthogonal_limit"] = [self.momentum_non_orthogonal_limit]
            if self.turbulence_k_m2_s2 is not None:
                fields["turbulence_k_m2_s2"] = self.turbulence_k_m2_s2
                fields["turbulence_omega_1_s"] = self.turbulence_omega_1_s
                fields["turbulent_viscosity_pa_s"] = self.turbulent_viscosity_pa_s
                fields["turbulence_limiter"] = self.turbulence_limiter
                fields["wall_log_layer"] = self.wall_log_layer
        return {k: np.asarray(v, dtype=np.float64) for k, v in fields.items() if v is not None}

    @property
    def has_flow(self) -> bool:
        """Whether coolant flow was solved."""
        return self._velocity is not None

    @property
    def has_temperature(self) -> bool:
        """Whether the energy equation was solved."""
        return self._temperature_c is not None

    def _flow(self, array: np.ndarray | None) -> np.ndarray:
        if array is None:
            raise CaseError("this case has no coolant flow")
        return array

    @property
    def velocity_m_s(self) -> np.ndarray:
        """Cell velocities, shape (n_cells, 3), m/s (zero in solids)."""
        return self._flow(self._velocity)

    @property
    def pressure_pa(self) -> np.ndarray:
        """Cell static (gauge) pressure, Pa (zero in solids)."""
        return self._flow(self._pressure)

    @property
    def mass_flux_kg_s(self) -> np.ndarray:
        """Mass flux through every mesh face along its normal, kg/s."""
        return self._flow(self._mass_flux)

    @property
    def is_turbulent(self) -> bool:
        """Whether the coolant was solved with the k-ω SST model."""
        return self._turbulent_viscosity is not None

    @property
    def turbulent_viscosity_ratio(self) -> np.ndarray:
        """μ_t / μ per cell (zero in solids and for laminar flow), μ at the cell temperature."""
        ratio = np.zeros(self.mesh.n_cells)
        if self._turbulent_viscosity is None:
            self._flow(self._velocity)
            return ratio
        from rackflow.coolant_adapter import property_at

        t = self._temperature_c
        for region, fluid in self.case.fluids.items():
            cells = self._cells[region]
            t_c = t[cells] if t is not None else np.full(len(cells), 20.0)
            mu = np.array([property_at(fluid.coolant, "viscosity_pa_s", float(x)) for x in t_c])
            ratio[cells] = self._turbulent_viscosity[cells] / mu
        return ratio

    @property
    def turbulent_viscosity_pa_s(self) -> np.ndarray | None:
        """Turbulent viscosity μ_t per cell, Pa·s (zero in solids; ``None`` for laminar flow)."""
        return self._turbulent_viscosity

    @property
    def y_plus(self) -> np.ndarray:
        """The largest wall y⁺ of each cell's wall faces (from the wall shear; zero elsewhere
        and for laminar flow)."""
        if self._y_plus is None:
            self._flow(self._velocity)
            return np.zeros(self.mesh.n_cells)
        return self._y_plus

    @property
    def y_plus_by_patch(self) -> dict[str, tuple[float, float, float]]:
        """Wall y⁺ (from the wall shear) of each wall patch of a turbulent coolant as ``(min,
        area-weighted mean, max)``; interfaces to a solid region are ``"interface:<region>"``.
        Empty for laminar flow."""
        table = self.report.get("y_plus_by_patch") or {}
        return {patch: (float(v[0]), float(v[1]), float(v[2])) for patch, v in table.items()}

    @property
    def turbulence_k_m2_s2(self) -> np.ndarray | None:
        """Turbulence kinetic energy k per cell, m²/s² (zero in solids; ``None`` for laminar flow)."""
        return self._turbulence_k

    @property
    def turbulence_omega_1_s(self) -> np.ndarray | None:
        """Specific dissipation rate ω of the k-ω SST model per cell, 1/s (zero in solids; ``None``
        for laminar flow)."""
        return self._turbulence_omega

    def _patch_value(self, table: dict[str, float], patch: str) -> float:
        self._flow(self._velocity)
        if patch not in self.mesh.patches:
            raise CaseError(f"unknown patch '{patch}'; the mesh has patches {self.mesh.patches}")
        value = table.get(patch, float("nan"))
        if value is None or not np.isfinite(value):
            raise CaseError(f"patch '{patch}' does not bound the coolant")
        return float(value)

    def mass_flow_kg_s(self, patch: str) -> float:
        """Coolant mass flow through a patch, kg/s, positive into the domain."""
        self._flow(self._velocity)
        if patch not in self.mesh.patches:
            raise CaseError(f"unknown patch '{patch}'; the mesh has patches {self.mesh.patches}")
        return float(self._patch_mass_flow.get(patch, 0.0))

    def total_pressure_pa(self, patch: str) -> float:
        """Area-weighted mean total pressure p + ρu²/2 on a patch, Pa."""
        return self._patch_value(self._patch_total_p, patch)

    def static_pressure_pa(self, patch: str) -> float:
        """Area-weighted mean static pressure on a patch, Pa."""
        return self._patch_value(self._patch_static_p, patch)

    def outlet_temperature_c(self, patch: str) -> float:
        """Mixed-mean (mass-flux weighted) coolant temperature leaving through a patch, °C."""
        flux = self._flow(self._mass_flux)
        start, end = self.mesh.patch_face_range(patch)
        cells = self.mesh.patch_face_cells(patch)
        out = np.clip(flux[start:end], 0.0, None)
        if out.sum() <= 0:
            raise CaseError(f"no coolant leaves through patch '{patch}'")
        return float(np.dot(out, self.temperature_c[cells]) / out.sum())

    def coolant_heat_w(self) -> float:
        """Heat picked up by the coolant (out through outlets minus in through inlets), W."""
        ports = [p for p, b in self.case.boundaries.items() if b.kind in ("inlet", "outlet")]
        return -sum(self.heat_flow_w(p) for p in ports)

    def _coolant_property(self, name: str, temperature_c: float) -> float:
        from rackflow.coolant_adapter import property_at

        return property_at(next(iter(self.case.fluids.values())).coolant, name, temperature_c)

    def reynolds_number(self, inlet: str) -> float:
        """Inlet Reynolds number ρ U D_h / μ with D_h = 4 A / perimeter of the inlet patch."""
        t_c = self._inlets().get(inlet, 20.0)
        rho = self._coolant_property("density_kg_m3", t_c)
        mu = self._coolant_property("viscosity_pa_s", t_c)
        area = self.mesh.patch_area(inlet)
        speed = self.mass_flow_kg_s(inlet) / (rho * area)
        hydraulic_diameter = 4 * area / self.mesh.patch_perimeter(inlet)
        return rho * speed * hydraulic_diameter / mu

    def momentum_coefficient(self, patch: str) -> float:
        """Momentum coefficient β = ⟨u_n²⟩/⟨u_n⟩² (area means) of the flow through a patch: 1 for
        a uniform profile, 4/3 for developed pipe flow; the factor of the dynamic part of
        :meth:`total_pressure_pa` and of a sudden expansion's loss (``network.expansion_k``)."""
        flux = self._flow(self._mass_flux)
        self._patch_value(self._patch_total_p, patch)  # checks the patch bounds the coolant
        start, end = self.mesh.patch_face_range(patch)
        area = self.mesh.patch_face_areas(patch)
        un = flux[start:end] / area  # ρ·u_n; ρ cancels in β where it is uniform over the patch
        mean = float(np.dot(area, un)) / float(area.sum())
        if mean == 0.0:
            raise CaseError(f"no net flow through patch '{patch}'")
        return float(np.dot(area, un * un)) / float(area.sum()) / mean**2

    def pressure_drop_pa(self, inlet: str, outlet: str) -> float:
        """Drop of area-weighted mean total pressure from ``inlet`` to ``outlet``, Pa."""
        return self.total_pressure_pa(inlet) - self.total_pressure_pa(outlet)

    # ----- engineering numbers ---------------------------------------------------------------
    def _region_cells(self, region: str) -> np.ndarray:
        try:
            return self._cells[region]
        except KeyError:
            raise CaseError(f"unknown region '{region}'; the mesh has regions {self.mesh.regions}") from None

    def max_temperature_c(self, region: str | None = None) -> float:
        """Maximum cell temperature of a region (or of the whole domain), °C."""
        t = self.temperature_c if region is None else self.temperature_c[self._region_cells(region)]
        return float(t.max())

    def min_temperature_c(self, region: str | None = None) -> float:
        """Minimum cell temperature of a region (or of the whole domain), °C."""
        t = self.temperature_c if region is None else self.temperature_c[self._region_cells(region)]
        return float(t.min())

    def mean_temperature_c(self, region: str | None = None) -> float:
        """Volume-weighted mean temperature of a region (or of the whole domain), °C."""
        cells = np.arange(self.mesh.n_cells) if region is None else self._region_cells(region)
        v = self.mesh.cell_volumes[cells]
        return float(np.dot(self.temperature_c[cells], v) / v.sum())

    def heat_flow_w(self, patch: str) -> float:
        """Heat flow through a patch, W, positive into the domain."""
        try:
            return float(self._patch_heat_flow_w[patch])
        except KeyError:
            raise CaseError(f"unknown patch '{patch}'; the mesh has patches {self.mesh.patches}") from None

    def power_w(self, region: str) -> float:
        """Heat generated in a region, W."""
        self._region_cells(region)
        return float(self._region_source_w[region])

    def contact_heat_flow_w(self, region_a: str, region_b: str) -> float:
        """Heat flow across a contact, from ``region_a`` to ``region_b``, W."""
        for c, q in zip(self.case.contacts, self._contact_heat_flow_w, strict=True):
            if (c.region_a, c.region_b) == (region_a, region_b):
                return float(q)
            if (c.region_a, c.region_b) == (region_b, region_a):
                return -float(q)
        raise CaseError(f"no contact between '{region_a}' and '{region_b}' in this case")

    def _inlets(self) -> dict[str, float]:
        return {
            p: b.values["temperature_c"]
            for p, b in self.case.boundaries.items()
            if b.kind == "inlet" and "temperature_c" in b.values
        }

    def _flux_heat_into_w(self, region: str) -> float:
        """Heat entering a region through the ``heat_flux`` patches on its cells, W."""
        index = self.mesh.regions.index(region)
        total = 0.0
        for patch, spec in self.case.boundaries.items():
            if spec.kind == "heat_flux" and np.all(
                self.mesh.region_of_cell[self.mesh.patch_face_cells(patch)] == index
            ):
                total += self.heat_flow_w(patch)
        return total

    def thermal_resistance_k_w(
        self, region: str, inlet: str | None = None, reference_c: float | None = None
    ) -> float:
        """``(T_max(region) − T_ref) / P(region)`` in K/W.

        P is the heat the region generates or, where it generates none, the heat that enters it
        through its ``heat_flux`` patches (a plate loaded on its face, as a user's CAD plate
        usually is). The reference is the temperature of coolant inlet ``inlet``, or
        ``reference_c``; by default the case's single coolant inlet, else its single convective
        ambient or fixed temperature.
        """
        power = self.power_w(region)
        if power <= 0:
            power = self._flux_heat_into_w(region)
        if power <= 0:
            raise CaseError(
                f"region '{region}' generates no heat and no heat_flux patch heats it; a thermal resistance "
                "needs a heat source"
            )
        inlets = self._inlets()
        if inlet is not None:
            if inlet not in inlets:
                raise CaseError(
                    f"'{inlet}' is not a coolant inlet with a temperature; inlets: {sorted(inlets)}"
                )
            reference_c = inlets[inlet]
        elif reference_c is None and len(inlets) == 1:
            reference_c = next(iter(inlets.values()))
        if reference_c is None:
            refs = {
                b.values.get("ambient_c", b.values.get("temperature_c"))
                for b in self.case.boundaries.values()
                if b.kind in ("convective", "fixed_temperature")
            }
            if len(refs) != 1:
                raise CaseError(
                    f"the case has {len(refs)} reference temperatures {sorted(refs)}; pass reference_c="
                )
            reference_c = float(refs.pop())  # type: ignore[arg-type]
        return (self.max_temperature_c(region) - reference_c) / power

    # ----- reporting -------------------------------------------------------------------------
    def summary(self) -> Summary:
        """The engineering summary (prints as a table; ``.to_dict()`` is flat)."""
        return Summary(self)

    def save(self, path: str | Path, compress: bool = False) -> Path:
        """Write the mesh with cell temperatures, region ids and region names (any meshio format).

        ``.vtu`` is the recommended format (ParaView, PyVista). Its arrays are raw binary by
        default; ``compress=True`` zlib-compresses them (files about 3× smaller at 1e6 cells,
        written about 5× more slowly). Formats without compression ignore ``compress``.
        """
        from rackflow.io.writers import write_result

        return write_result(self, Path(path), compress=compress)

    def to_pyvista(self) -> Any:
        """The result as a ``pyvista.UnstructuredGrid`` with cell data."""
        from rackflow.viz import to_pyvista

        return to_pyvista(self)

    def render(self, field: str = "temperature", **kwargs: Any) -> Any:
        """Render a field headlessly to a PNG; see :func:`rackflow.viz.render`."""
        from rackflow.viz import render

        return render(self, field, **kwargs)

    def __repr__(self) -> str:
        if not self.converged:
            return f"Result(NOT CONVERGED: {self.report['failure']})"
        if not self.has_temperature:
            return f"Result(flow only, {self.report['flow_iterations']} iterations)"
        return f"Result(T max {self.max_temperature_c():.2f} °C, balance {self.energy_balance_error:.1e})"


class Summary:
    """Engineering summary of a :class:`Result`."""

    def __init__(self, result: Result) -> None:
        self.result = result

    def _ports(self) -> tuple[list[str], list[str]]:
        kinds = {p: b.kind for p, b in self.result.case.boundaries.items()}
        return [p for p, k in kinds.items() if k == "inlet"], [p for p, k in kinds.items() if k == "outlet"]

    def to_dict(self) -> dict[str, float]:
        """Flat dict with snake_case keys carrying units (the sweep-table column names)."""
        r = self.result
        out: dict[str, float] = {}
        if r.has_temperature:
            for region in r.mesh.regions:
                out[f"max_temperature_c.{region}"] = r.max_temperature_c(region)
                out[f"mean_temperature_c.{region}"] = r.mean_temperature_c(region)
                out[f"min_temperature_c.{region}"] = r.min_temperature_c(region)
                generated = r.power_w(region) > 0
                if generated:
                    out[f"power_w.{region}"] = r.power_w(region)
                if generated or r._flux_heat_into_w(region) > 0:
                    try:
                        out[f"thermal_resistance_k_w.{region}"] = r.thermal_resistance_k_w(region)
                    except CaseError:
                        pass
            for patch in r.mesh.patches:
                out[f"heat_flow_w.{patch}"] = r.heat_flow_w(patch)
            out["max_temperature_c"] = r.max_temperature_c()
            out["energy_balance_error"] = r.energy_balance_error
        if r.has_flow:
            inlets, outlets = self._ports()
            for patch in inlets + outlets:
                out[f"mass_flow_kg_s.{patch}"] = r.mass_flow_kg_s(patch)
            if inlets and outlets:
                dp = r.pressure_drop_pa(inlets[0], outlets[0])
                out["pressure_drop_pa"] = dp
                volume_flow = sum(
                    r.mass_flow_kg_s(p) / r._coolant_property("density_kg_m3", r._inlets().get(p, 20.0))
                    for p in inlets
                )
                out["pumping_power_w"] = dp * volume_flow
            if r.has_temperature and inlets and outlets:
                t_in = r._inlets().get(inlets[0])
                t_out = r.outlet_temperature_c(outlets[0])
                out["outlet_temperature_c"] = t_out
                out["coolant_heat_w"] = r.coolant_heat_w()
                if t_in is not None:
                    cp = r._coolant_property("specific_heat_j_kgk", 0.5 * (t_in + t_out))
                    mdot = sum(r.mass_flow_kg_s(p) for p in inlets)
                    sources = sum(r._region_source_w.values()) + sum(
                        r.heat_flow_w(p)
                        for p, b in r.case.boundaries.items()
                        if b.kind not in ("inlet", "outlet")
                    )
                    if sources > 0:
                        out["coolant_energy_balance_error"] = (mdot * cp * (t_out - t_in) - sources) / sources
            if inlets:
                try:
                    out["reynolds_inlet"] = r.reynolds_number(inlets[0])
                except (CaseError, MeshError):
                    pass
            out["mass_imbalance"] = r.mass_imbalance
            out["flow_iterations"] = float(r.report["flow_iterations"])
            if r.is_turbulent:
                out["turbulent_viscosity_ratio_max"] = float(r.turbulent_viscosity_ratio.max())
                out["y_plus_max"] = float(r.y_plus.max())
                for patch, (lo, mean, hi) in r.y_plus_by_patch.items():
                    out[f"y_plus_min:{patch}"] = lo
                    out[f"y_plus_mean:{patch}"] = mean
                    out[f"y_plus_max:{patch}"] = hi
        out["outer_iterations"] = float(r.report["outer_iterations"])
        out["linear_iterations"] = float(sum(r.report["linear_iterations"]))
        out["solve_time_s"] = float(r.report["solve_time_s"] + r.report.get("flow_time_s", 0.0))
        return out

    def __str__(self) -> str:
        r = self.result
        mesh = r.mesh
        lines = [
            f"rackflow steady solve — {mesh.source}",
            f"  {mesh.n_cells:,} cells, {len(mesh.regions)} regions, {len(mesh.patches)} patches",
            "",
        ]
        if r.has_temperature:
            lines.append(
                f"  {'region':<14}{'material':<16}{'power W':>10}{'T min °C':>10}{'T mean °C':>11}{'T max °C':>10}{'R_th K/W':>10}"
            )
            for region in mesh.regions:
                solid = r.case.solids.get(region)
                fluid = r.case.fluids.get(region)
                material = (
                    solid.material.name
                    if solid
                    else (str(getattr(fluid.coolant, "name", "coolant")) if fluid else "-")
                )
                # a region loaded on its face shows the heat entering through its flux patches
                generated = r.power_w(region)
                power = generated if generated > 0 else max(r._flux_heat_into_w(region), 0.0)
                try:
                    rth = f"{r.thermal_resistance_k_w(region):10.4f}" if power > 0 else f"{'':>10}"
                except CaseError:
                    rth = f"{'n/a':>10}"
                lines.append(
                    f"  {region:<14}{material:<16}{power:10.2f}{r.min_temperature_c(region):10.2f}"
                    f"{r.mean_temperature_c(region):11.2f}{r.max_temperature_c(region):10.2f}{rth}"
                )
            lines.append("")
        conditions = {}
        for patch in mesh.patches:
            b = r.case.boundaries.get(patch)
            if b is None:
                cond = (
                    "adiabatic wall (untagged faces)"
                    if patch == UNTAGGED
                    else "adiabatic wall (no condition)"
                )
            else:
                vals = ", ".join(f"{k}={v:g}" for k, v in b.values.items())
                cond = f"{b.kind} {vals}".strip()
            conditions[patch] = cond
        # the condition column is as wide as its longest entry: nothing is cut
        width = max([34, *(len(c) + 2 for c in conditions.values())])
        header = f"  {'patch':<16}{'condition':<{width}}{'area mm²':>12}"
        header += f"{'heat in W':>12}" if r.has_temperature else ""
        header += f"{'mass in g/s':>13}{'p_tot Pa':>12}" if r.has_flow else ""
        lines.append(header)
        for patch in mesh.patches:
            row = f"  {patch:<16}{conditions[patch]:<{width}}{mesh.patch_area(patch) * 1e6:12.2f}"
            if r.has_temperature:
                row += f"{r.heat_flow_w(patch):12.3f}"
            if r.has_flow:
                m = r.mass_flow_kg_s(patch)
                try:
                    pt = f"{r.total_pressure_pa(patch):12.2f}"
                except CaseError:
                    pt = f"{'':>12}"
                row += f"{m * 1e3:13.4f}{pt}"
            lines.append(row)
        for c, q in zip(r.case.contacts, r._contact_heat_flow_w, strict=False):
            lines.append(
                f"  contact {c.region_a}→{c.region_b}: R'' = {c.resistance_m2k_w:g} m²K/W, {q:.3f} W"
            )
        lines.append("")
        d = self.to_dict()
        if r.has_temperature:
            sources = sum(r._region_source_w.values())
            lines.append(
                f"  heat generated {sources:.3f} W; energy balance (heat in + generated)/throughput: "
                f"{r.energy_balance_error:.2e}"
            )
        if r.has_flow:
            if "pressure_drop_pa" in d:
                lines.append(
                    f"  pressure drop {d['pressure_drop_pa']:.3f} Pa; pumping power {d['pumping_power_w'] * 1e3:.4f} mW"
                )
            if "outlet_temperature_c" in d:
                lines.append(
                    f"  coolant outlet {d['outlet_temperature_c']:.2f} °C (mixed mean); heat picked up by the "
                    f"coolant {d['coolant_heat_w']:.2f} W"
                )
                balance = d.get("coolant_energy_balance_error")
                if balance is not None:
                    lines.append(
                        f"  coolant energy balance (ṁ·cp·ΔT − heat in)/heat in: {balance * 100:+.2f} % "
                        "(cp at the mean coolant temperature)"
                    )
            if "reynolds_inlet" in d:
                lines.append(
                    f"  inlet Reynolds number {d['reynolds_inlet']:.0f} (hydraulic diameter of the inlet patch)"
                )
            for region, (model, reynolds) in r.flow_models.items():
                how = (
                    "chosen by turbulence='auto'"
                    if r.case.fluids[region].turbulence == TurbulenceModel.AUTO
                    else "as asked"
                )
                walls = (
                    f"; thermal wall function {r.case.fluids[region].thermal_wall_function}, "
                    f"{r.case.fluids[region].wall_treatment} wall treatment"
                    if model == TurbulenceModel.K_OMEGA_SST
                    else ""
                )
                lines.append(
                    f"  flow model of '{region}': {model} ({how}; largest inlet Reynolds number "
                    f"{reynolds:,.0f}){walls}"
                )
            if "y_plus_max" in d:
                lines.append(
                    f"  k-ω SST: largest μ_t/μ {d['turbulent_viscosity_ratio_max']:.1f}; wall y⁺ up to "
                    f"{d['y_plus_max']:.2f} (automatic wall treatment)"
                )
                treatments = r.case._wall_treatments(r.y_plus_by_patch)
                for patch, (lo, mean, hi) in r.y_plus_by_patch.items():
                    lines.append(
                        f"    wall y⁺ on '{patch}': min {lo:.3g}, mean {mean:.3g}, max {hi:.3g} "
                        f"({_wall_treatment(lo, hi, treatments[patch])})"
                    )
            for wall, w in r._thermal_layer.items():
                verdict = (
                    "resolved"
                    if w["ratio"] <= THERMAL_LAYER_RATIO_MAX
                    else "NOT resolved: add boundary layers"
                )
                lines.append(
                    f"    thermal entry layer on '{wall}': wall cells {1e3 * w['cell_height_m']:.3g} mm tall, layer "
                    f"≈ {1e3 * w['layer_thickness_m']:.2g} mm (ratio {w['ratio']:.2g}: {verdict})"
                )
            lines.append(f"  mass imbalance {r.mass_imbalance:.2e} of the inflow")
        rep = r.report
        lines.append(
            f"  solver: {rep['solve_time_s'] + rep.get('flow_time_s', 0.0):.2f} s on {rep['threads']} threads"
        )
        if r.has_flow:
            passes = int(rep.get("coupling_passes", 0) or 0)
            lines.append(
                f"    flow: {rep['flow_iterations']} SIMPLEC iterations (momentum and pressure correction)"
                + (f" over {passes} flow ↔ energy coupling passes" if passes > 1 else "")
            )
        if r.has_temperature:
            lines.append(
                f"    energy: {rep['outer_iterations']} outer iterations (assemblies of the energy equation), "
                f"{sum(rep['linear_iterations'])} linear-solver iterations in all"
            )
        if mesh.has_untagged:
            lines.append(
                "  note: boundary faces outside every patch are adiabatic (no-slip for coolant) walls ('untagged')"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def _wall_treatment(lo: float, hi: float, treatment: WallTreatment) -> str:
    """Where a wall patch's y⁺ range (``lo``–``hi``) sits for its wall treatment, on the
    thresholds of the :class:`~rackflow.errors.WallTreatmentWarning`
    (:data:`rackflow.case.WALL_Y_PLUS_RANGES`, :data:`rackflow.case.BLENDED_WALL_Y_PLUS_MAX`)."""
    low_re_max, log_min, log_max = WALL_Y_PLUS_RANGES
    if hi <= low_re_max:
        return "viscous sublayer resolved: low-Re walls"
    if treatment != WallTreatment.SWITCHING:
        # measured on the turbulent-heat duct (benchmarks/RESULTS.md, stop 28): over wall y⁺ 9–30
        # the heat stays within 1.0 % (Re 6,062) and 1.3 % (Re 18,186, to y⁺ 61) of its mean; ΔP is
        # +5.1 / +9.3 % of the wall-resolved solve at y⁺ 9 (the heat's offset from that solve,
        # +8…+16 %, is about as large at y⁺ 30, in the log layer: not the buffer layer's)
        resolved = (
            ", the sublayer's wall cells resolved" if treatment == WallTreatment.BLENDED_SUBLAYER else ""
        )
        text = (
            f"blended wall functions{resolved}, the buffer layer handled: on the turbulent-heat duct the heat "
            "within 2 % over y⁺ 9–30, ΔP +5…+9 % of the wall-resolved solve at y⁺ ≈ 9"
        )
        top = BLENDED_WALL_Y_PLUS_MAX
    elif lo >= log_min:
        text = f"wall functions (measured accurate from y⁺ {log_min:g})"
        top = log_max
    else:
        some = "" if low_re_max < lo and hi < log_min else "some faces "
        return (
            f"{some}in the buffer layer ({low_re_max:g}–{log_min:g}), the least accurate range of the "
            "switching wall treatment"
        )
    return text + (f"; faces above y⁺ {top:g} are beyond the log layer" if hi > top else "")
