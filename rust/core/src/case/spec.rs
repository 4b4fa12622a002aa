//! Serde types of a case. SI units, temperatures in kelvin; the Python API converts at its edge.

use crate::physics::Property;
use crate::radiation::RadiationSpec;
pub use crate::radiation::{Enclosure, Radiation};
use serde::{Deserialize, Serialize};

/// A whole case.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Conducting regions.
    #[serde(default)]
    pub solids: Vec<Solid>,
    /// Coolant regions.
    #[serde(default)]
    pub fluids: Vec<Fluid>,
    /// Contact resistances between pairs of regions.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// Boundary conditions by patch; patches without one are adiabatic.
    #[serde(default)]
    pub boundaries: Vec<Boundary>,
    /// Solver control.
    #[serde(default)]
    pub settings: Settings,
    /// Optional extra volumetric heat source per mesh cell, W/m³ (power maps, manufactured solutions).
    #[serde(default)]
    pub cell_power_density_w_m3: Option<Vec<f64>>,
    /// Patches radiating to a sink (see [`Radiation`]); in addition to their thermal condition.
    #[serde(default)]
    pub radiation: Vec<Radiation>,
    /// Grey diffuse radiation enclosures among patches (see [`Enclosure`]).
    #[serde(default)]
    pub enclosures: Vec<Enclosure>,
}

impl Case {
    /// The case's radiation as the radiation layer reads it.
    pub fn radiation_spec(&self) -> RadiationSpec<'_> {
        RadiationSpec {
            sinks: &self.radiation,
            enclosures: &self.enclosures,
            symmetry_patches: self
                .boundaries
                .iter()
                .filter(|b| matches!(b, Boundary::Symmetry { .. }))
                .map(Boundary::patch)
                .collect(),
        }
    }
}

/// A solid material.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    /// Name, for messages and reports.
    pub name: String,
    /// Thermal conductivity, W/(m·K).
    pub conductivity_w_mk: Property,
    /// Density, kg/m³ (transient solves).
    #[serde(default)]
    pub density_kg_m3: Option<f64>,
    /// Specific heat, J/(kg·K) (transient solves).
    #[serde(default)]
    pub specific_heat_j_kgk: Option<f64>,
}

/// A conducting region, optionally heated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Solid {
    /// Region name in the mesh.
    pub region: String,
    /// Its material.
    pub material: Material,
    /// Total power spread uniformly over the region's volume, W.
    #[serde(default)]
    pub power_w: Option<f64>,
    /// Or a volumetric power density, W/m³.
    #[serde(default)]
    pub power_density_w_m3: Option<f64>,
}

/// A coolant with temperature-dependent properties (kelvin tables or constants).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coolant {
    /// Name, for messages and reports.
    pub name: String,
    /// Density, kg/m³.
    pub density_kg_m3: Property,
    /// Dynamic viscosity, Pa·s.
    pub viscosity_pa_s: Property,
    /// Thermal conductivity, W/(m·K).
    pub conductivity_w_mk: Property,
    /// Specific heat, J/(kg·K).
    pub specific_heat_j_kgk: Property,
}

/// A coolant region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fluid {
    /// Region name in the mesh.
    pub region: String,
    /// Its coolant.
    pub coolant: Coolant,
    /// Its flow model (the Python layer resolves `auto` from the inlet Reynolds number).
    #[serde(default)]
    pub turbulence: TurbulenceModel,
    /// The temperature law of the wall its turbulent walls conduct with.
    #[serde(default)]
    pub thermal_wall_function: crate::physics::thermal_wall::ThermalWallFunction,
    /// How its turbulent walls follow the wall cells' y⁺ (blended or switched).
    #[serde(default)]
    pub wall_treatment: crate::physics::flow::WallTreatment,
}

/// The flow model of a coolant region.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TurbulenceModel {
    /// Laminar Navier–Stokes.
    #[default]
    #[serde(rename = "laminar")]
    Laminar,
    /// The k-ω SST model with automatic wall treatment.
    #[serde(rename = "k-omega-sst")]
    KOmegaSst,
}

/// Contact resistance on the faces two regions share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// First region.
    pub region_a: String,
    /// Second region.
    pub region_b: String,
    /// Area-specific resistance, m²·K/W.
    pub resistance_m2k_w: f64,
}

/// A thermal boundary condition on a patch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Boundary {
    /// Fixed temperature.
    FixedTemperature {
        /// Patch name.
        patch: String,
        /// Temperature, K.
        temperature_k: f64,
        /// Optional temperature of each face of the patch (patch face order), K; overrides `temperature_k`.
        #[serde(default)]
        face_temperature_k: Option<Vec<f64>>,
    },
    /// Imposed heat flux into the domain, per area or as a total spread over the patch.
    HeatFlux {
        /// Patch name.
        patch: String,
        /// Flux into the domain, W/m².
        #[serde(default)]
        flux_w_m2: Option<f64>,
        /// Or total power into the domain, W.
        #[serde(default)]
        power_w: Option<f64>,
    },
    /// Convection to an ambient: q = h (T_ambient − T_wall) into the domain.
    Convective {
        /// Patch name.
        patch: String,
        /// Heat-transfer coefficient, W/(m²·K).
        htc_w_m2k: f64,
        /// Ambient temperature, K.
        ambient_k: f64,
    },
    /// No heat flow.
    Adiabatic {
        /// Patch name.
        patch: String,
    },
    /// Coolant inlet: uniform normal inflow given as a speed, a volume flow or a mass flow.
    Inlet {
        /// Patch name.
        patch: String,
        /// Inflow speed, m/s.
        #[serde(default)]
        velocity_m_s: Option<f64>,
        /// Or volume flow, m³/s.
        #[serde(default)]
        volume_flow_m3_s: Option<f64>,
        /// Or mass flow, kg/s.
        #[serde(default)]
        mass_flow_kg_s: Option<f64>,
        /// Inlet temperature, K (needed when the energy equation is solved).
        #[serde(default)]
        temperature_k: Option<f64>,
        /// Turbulence intensity of the inflow (k-ω SST), fraction; default 0.05.
        #[serde(default)]
        turbulence_intensity: Option<f64>,
        /// Turbulence mixing length of the inflow, m; default 0.07 of the patch's hydraulic
        /// diameter.
        #[serde(default)]
        length_scale_m: Option<f64>,
    },
    /// Coolant outlet at a fixed static pressure.
    Outlet {
        /// Patch name.
        patch: String,
        /// Static pressure, Pa.
        pressure_pa: f64,
    },
    /// A no-slip wall, optionally moving (tangentially) with a velocity, m/s.
    Wall {
        /// Patch name.
        patch: String,
        /// Wall velocity, m/s.
        #[serde(default)]
        velocity_m_s: Option<[f64; 3]>,
    },
    /// A symmetry plane (flow and heat).
    Symmetry {
        /// Patch name.
        patch: String,
    },
}

impl Boundary {
    /// The patch this condition applies to.
    pub fn patch(&self) -> &str {
        match self {
            Boundary::FixedTemperature { patch, .. }
            | Boundary::HeatFlux { patch, .. }
            | Boundary::Convective { patch, .. }
            | Boundary::Adiabatic { patch }
            | Boundary::Inlet { patch, .. }
            | Boundary::Outlet { patch, .. }
            | Boundary::Wall { patch, .. }
            | Boundary::Symmetry { patch } => patch,
        }
    }
}

/// How convected face values are formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConvectionScheme {
    /// Bounded second order, and for the momentum equations first-order upwind instead when the
    /// second-order flow solve diverges or stalls; for the energy equation first order in the
    /// coolant cells where its passes stall (the default; the report says so).
    Auto,
    /// Bounded second order: upwind plus a limited linear extrapolation; a flow solve that does
    /// not converge with it is an error.
    LinearUpwind,
    /// First-order upwind.
    Upwind,
}

impl ConvectionScheme {
    /// Whether the solve starts with the bounded second-order scheme.
    pub fn second_order(self) -> bool {
        matches!(self, Self::Auto | Self::LinearUpwind)
    }
}

/// Preconditioner of the energy system's Krylov solves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreconditionerKind {
    /// Smoothed-aggregation multigrid (ILU on the coolant block of conjugate systems).
    Amg,
    /// Diagonal scaling (for comparisons).
    Jacobi,
}

/// Solver control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Converged when the normalised energy residual falls below this.
    pub tolerance: f64,
    /// Maximum outer (non-linear and non-orthogonal correction) iterations.
    pub max_iterations: usize,
    /// Relative tolerance of each linear solve; `None`: half of `tolerance` for a linear case on
    /// an orthogonal mesh (one solve), a tenth of it when outer iterations are needed.
    pub linear_tolerance: Option<f64>,
    /// Maximum iterations of each linear solve.
    pub linear_max_iterations: usize,
    /// Worker threads; `None`: all cores.
    pub threads: Option<usize>,
    /// Initial temperature, K; `None`: the mean of the boundary temperatures.
    pub initial_temperature_k: Option<f64>,
    /// Preconditioner of the energy system.
    pub preconditioner: PreconditionerKind,
    /// Convection scheme of momentum and energy.
    pub convection: ConvectionScheme,
    /// Momentum under-relaxation factor.
    pub velocity_relaxation: f64,
    /// Flow converged when normalised momentum residuals fall below this …
    pub velocity_tolerance: f64,
    /// … the pressure residual below this …
    pub pressure_tolerance: f64,
    /// … and the mass imbalance below this fraction of the inflow.
    pub mass_tolerance: f64,
    /// Maximum flow (SIMPLEC) iterations.
    pub flow_max_iterations: usize,
    /// Extra pressure solves per flow iteration on non-orthogonal meshes.
    pub non_orthogonal_correctors: usize,
    /// Flow ↔ temperature coupling passes (temperature-dependent coolant properties) stop when
    /// no temperature moves more than this between passes, K (or 1e-4 of the temperature span,
    /// if larger).
    pub coupling_tolerance_k: f64,
    /// Most flow ↔ temperature coupling passes (default 20: the corpus serpentine of Gmsh
    /// tetrahedra with temperature-dependent PG25 settles in 12, the change per pass falling
    /// 2–5 times a pass from 24 K).
    pub max_coupling_passes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            tolerance: 1e-10,
            max_iterations: 200,
            linear_tolerance: None,
            linear_max_iterations: 2000,
            threads: None,
            initial_temperature_k: None,
            preconditioner: PreconditionerKind::Amg,
            convection: ConvectionScheme::Auto,
            velocity_relaxation: 0.9,
            velocity_tolerance: 1e-7,
            pressure_tolerance: 1e-6,
            mass_tolerance: 1e-6,
            flow_max_iterations: 3000,
            non_orthogonal_correctors: 0,
            coupling_tolerance_k: 1e-3,
            max_coupling_passes: 20,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_json_radiation_round_trip() {
        // the form `Case.to_core()` writes; absent lists default to empty (old cases unaffected)
        let json = r#"{
            "boundaries": [{"kind": "symmetry", "patch": "s"}],
            "radiation": [{"patch": "a_zmin", "emissivity": 0.9, "sink_k": 3.0, "absorbed_flux_w_m2": 120.0}],
            "enclosures": [{"patches": ["a_zmax", "b_zmin"], "emissivity": {"a_zmax": 0.8, "b_zmin": 0.7},
                            "sink_k": null, "rays_per_zone": 1000}]
        }"#;
        let case: Case = serde_json::from_str(json).unwrap();
        let back: Case = serde_json::from_str(&serde_json::to_string(&case).unwrap()).unwrap();
        assert_eq!(back, case);
        let spec = case.radiation_spec();
        assert_eq!(spec.sinks[0].absorbed_flux_w_m2, 120.0);
        assert_eq!(spec.enclosures[0].rays_per_zone, Some(1000));
        assert_eq!(spec.symmetry_patches, ["s"]);
        let old: Case = serde_json::from_str(r#"{"solids": []}"#).unwrap();
        assert!(old.radiation_spec().is_empty());
    }
}
