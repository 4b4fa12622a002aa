//! A per-cell initial state for a solve (a warm start from a previous solution): temperatures and,
//! for coolant flow, velocities, pressures and face mass fluxes, all on the parent mesh.

use super::flow_setup::FlowSetup;
use crate::discretisation::fvc;
use crate::mesh::{dot, norm, sub as minus, Mesh};
use crate::physics::energy::FrozenCorrections;
use crate::physics::flow::{FlowBc, FlowSolution};
use crate::{Error, Result};

/// Fields to start a solve from, borrowed (no copies at the API edge). Every field is optional;
/// what is missing starts as in a cold solve. Lengths are those of the parent mesh.
#[derive(Debug, Clone, Copy, Default)]
pub struct InitialState<'a> {
    /// Cell temperatures, K (`n_cells`).
    pub temperature_k: Option<&'a [f64]>,
    /// Cell velocities, m/s, flattened row by row (`3 n_cells`; ignored in solid cells).
    pub velocity_m_s: Option<&'a [f64]>,
    /// Cell static pressure, Pa (`n_cells`; ignored in solid cells).
    pub pressure_pa: Option<&'a [f64]>,
    /// Face mass flux along each face's normal, kg/s (`n_faces`); recomputed from the velocity
    /// (linear interpolation) when missing.
    pub mass_flux_kg_s: Option<&'a [f64]>,
    /// Turbulence kinetic energy k per cell, m²/s² (`n_cells`; used with `turbulence_omega`
    /// when the coolant is turbulent, ignored in solid cells and for laminar flow).
    pub turbulence_k: Option<&'a [f64]>,
    /// Specific dissipation rate ω per cell, 1/s (`n_cells`; with `turbulence_k`).
    pub turbulence_omega: Option<&'a [f64]>,
    /// Turbulent viscosity μ_t per cell, Pa·s (`n_cells`; with `turbulence_k` and
    /// `turbulence_omega`). Without it the first iteration takes `ρ k / ω`, which the SST
    /// limiter lowers where the strain rate is high (near walls and in shear layers).
    pub turbulent_viscosity: Option<&'a [f64]>,
    /// Per cell, nonzero where the momentum convection of the solve this state comes from was
    /// made first order in a local round (`n_cells`; ignored in solid cells): the start keeps
    /// them so, as that solve ended.
    pub momentum_first_order: Option<&'a [f64]>,
    /// The momentum convection limiter the solve this state comes from converged with, held
    /// (`3 n_cells`, flattened row by row): a start from the same flow rate holds it, so that its
    /// converged field is a fixed point from the first iteration; a start scaled to another
    /// inflow computes its own.
    pub momentum_limiter: Option<&'a [f64]>,
    /// The momentum relaxation the solve this state comes from converged with (one value): the
    /// start relaxes so first (the path to the fixed point depends on it, the fixed point not).
    pub momentum_relaxation: Option<&'a [f64]>,
    /// Nonzero (one value) when the flow this state comes from converged only with the first-order
    /// fallback (at `momentum_relaxation`): a start at the same flow rate goes there directly
    /// instead of repeating the second-order attempts that failed (520 iterations on the corpus
    /// microchannel plate's 5e4 tetrahedra).
    pub momentum_first_order_fallback: Option<&'a [f64]>,
    /// The bound of the non-orthogonal corrections the flow this state comes from converged with
    /// (one value in (0, 1]): a start at the same flow rate bounds them so from the first attempt.
    pub momentum_non_orthogonal_limit: Option<&'a [f64]>,
    /// The k-ω SST's velocity-gradient limiter the turbulent flow this state comes from ended
    /// with (`3 n_cells`, flattened row by row): a start from the same flow rate holds it, as a
    /// coupling pass holds its predecessor's, so that the converged turbulent field is a fixed
    /// point from the first iteration; a start scaled to another inflow computes its own.
    pub turbulence_limiter: Option<&'a [f64]>,
    /// Per face (`n_faces`), nonzero where that flow's k-ω wall treatment took the log-layer
    /// branch: held with [`InitialState::turbulence_limiter`], under the same rule.
    pub wall_log_layer: Option<&'a [f64]>,
    /// The energy convection limiter the solve this state comes from held to converge
    /// (`n_cells`, in [0, 1]; needs `temperature_k`): a start at the same flow rate holds it, as
    /// a coupling pass holds its predecessor's, so that its converged temperatures are a fixed
    /// point from the first iteration (without it the corpus microchannel plate's warm start from
    /// its own result converged 1.0 K hotter, 15 K apart in single coolant cells).
    pub energy_limiter: Option<&'a [f64]>,
    /// The factors bounding the energy's non-orthogonal corrections that solve held (`n_faces`,
    /// in [0, 1]; boundary entries unused; needs `temperature_k`), held with the limiter.
    pub energy_non_orthogonal_scale: Option<&'a [f64]>,
    /// Scale the initial velocity, mass flux and pressure (about the outlet pressure) by the ratio
    /// of this case's inflow to the initial state's, so a start from another flow rate is closer.
    pub scale_to_inflow: bool,
}

impl InitialState<'_> {
    /// Whether nothing is given.
    pub fn is_empty(&self) -> bool {
        self.temperature_k.is_none()
            && self.velocity_m_s.is_none()
            && self.pressure_pa.is_none()
            && self.mass_flux_kg_s.is_none()
            && self.turbulence_k.is_none()
            && self.turbulence_omega.is_none()
            && self.turbulent_viscosity.is_none()
            && self.momentum_first_order.is_none()
            && self.momentum_limiter.is_none()
            && self.momentum_relaxation.is_none()
            && self.energy_limiter.is_none()
            && self.energy_non_orthogonal_scale.is_none()
            && self.momentum_first_order_fallback.is_none()
            && self.momentum_non_orthogonal_limit.is_none()
            && self.turbulence_limiter.is_none()
            && self.wall_log_layer.is_none()
    }

    /// The momentum scheme the flow this state comes from converged with, when it is not the
    /// first attempt's (the first-order fallback, or bounded non-orthogonal corrections):
    /// `(second order, relaxation, non-orthogonal bound)`.
    pub(crate) fn momentum_scheme(&self) -> Option<(bool, Option<f64>, Option<f64>)> {
        let first = |v: Option<&[f64]>| v.and_then(|a| a.first().copied());
        let fallback = first(self.momentum_first_order_fallback).is_some_and(|x| x != 0.0);
        let limit = first(self.momentum_non_orthogonal_limit);
        (fallback || limit.is_some()).then(|| (!fallback, first(self.momentum_relaxation), limit))
    }

    /// The energy corrections to hold (see [`InitialState::energy_limiter`]), if any were given.
    pub(crate) fn energy_held(&self, mesh: &Mesh) -> Option<FrozenCorrections> {
        (self.energy_limiter.is_some() || self.energy_non_orthogonal_scale.is_some()).then(|| {
            FrozenCorrections::held(
                self.energy_limiter,
                self.energy_non_orthogonal_scale,
                mesh.n_internal_faces,
            )
        })
    }

    /// Check lengths and values against the mesh and the case; every problem at once.
    pub fn validate(&self, mesh: &Mesh, has_flow: bool, uniform_temperature: bool) -> Result<()> {
        let n = mesh.n_cells();
        let mut problems = Vec::new();
        let mut check = |name: &str, field: Option<&[f64]>, expected: usize, what: &str| {
            let Some(v) = field else { return };
            if v.len() != expected {
                problems.push(format!(
                    "initial {name} has {} values; the mesh needs {expected} ({what})",
                    v.len()
                ));
            } else if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                problems.push(format!(
                    "initial {name} is not finite at index {i} ({})",
                    v[i]
                ));
            }
        };
        check("temperature_k", self.temperature_k, n, "one per cell");
        check("velocity_m_s", self.velocity_m_s, 3 * n, "three per cell");
        check("pressure_pa", self.pressure_pa, n, "one per cell");
        check(
            "mass_flux_kg_s",
            self.mass_flux_kg_s,
            mesh.n_faces(),
            "one per face",
        );
        check("turbulence_k", self.turbulence_k, n, "one per cell");
        check("turbulence_omega", self.turbulence_omega, n, "one per cell");
        check(
            "turbulent_viscosity",
            self.turbulent_viscosity,
            n,
            "one per cell",
        );
        check(
            "momentum_first_order",
            self.momentum_first_order,
            n,
            "one per cell",
        );
        check(
            "momentum_limiter",
            self.momentum_limiter,
            3 * n,
            "three per cell",
        );
        check(
            "turbulence_limiter",
            self.turbulence_limiter,
            3 * n,
            "three per cell",
        );
        check(
            "wall_log_layer",
            self.wall_log_layer,
            mesh.n_faces(),
            "one per face",
        );
        check("energy_limiter", self.energy_limiter, n, "one per cell");
        check(
            "energy_non_orthogonal_scale",
            self.energy_non_orthogonal_scale,
            mesh.n_faces(),
            "one per face",
        );
        for (name, field) in [
            ("energy_limiter", self.energy_limiter),
            (
                "energy_non_orthogonal_scale",
                self.energy_non_orthogonal_scale,
            ),
        ] {
            if let Some(i) = field.and_then(|v| v.iter().position(|x| !(0.0..=1.0).contains(x))) {
                problems.push(format!(
                    "initial {name} must lie in [0, 1], got {} at index {i}",
                    field.unwrap_or_default()[i]
                ));
            }
        }
        if (self.energy_limiter.is_some() || self.energy_non_orthogonal_scale.is_some())
            && self.temperature_k.is_none()
        {
            problems.push(
                "an initial energy_limiter or energy_non_orthogonal_scale needs the initial temperature_k too"
                    .into(),
            );
        }
        if let Some(a) = self.momentum_non_orthogonal_limit {
            if a.len() != 1 || !(a[0] > 0.0 && a[0] <= 1.0) {
                problems.push(format!(
                    "initial momentum_non_orthogonal_limit must be one value in (0, 1], got {a:?}"
                ));
            }
        }
        if let Some(a) = self.momentum_first_order_fallback {
            if a.len() != 1 || !a[0].is_finite() {
                problems.push(format!(
                    "initial momentum_first_order_fallback must be one finite value, got {a:?}"
                ));
            }
        }
        if let Some(a) = self.momentum_relaxation {
            if a.len() != 1 || !(a[0] > 0.0 && a[0] <= 1.0) {
                problems.push(format!(
                    "initial momentum_relaxation must be one value in (0, 1], got {a:?}"
                ));
            }
        }
        if (self.momentum_first_order.is_some()
            || self.momentum_limiter.is_some()
            || self.momentum_relaxation.is_some()
            || self.momentum_first_order_fallback.is_some()
            || self.momentum_non_orthogonal_limit.is_some())
            && self.velocity_m_s.is_none()
        {
            problems.push(
                "an initial momentum_first_order, momentum_limiter, momentum_relaxation, momentum_first_order_fallback or momentum_non_orthogonal_limit needs the initial velocity_m_s too"
                    .into(),
            );
        }
        if (self.turbulence_limiter.is_some() || self.wall_log_layer.is_some())
            && self.turbulence_k.is_none()
        {
            problems.push(
                "an initial turbulence_limiter or wall_log_layer needs turbulence_k and turbulence_omega too"
                    .into(),
            );
        }
        if self.turbulent_viscosity.is_some() && self.turbulence_k.is_none() {
            problems.push(
                "an initial turbulent_viscosity needs turbulence_k and turbulence_omega too".into(),
            );
        }
        if let Some(i) = self
            .turbulent_viscosity
            .and_then(|v| v.iter().position(|&x| x < 0.0))
        {
            problems.push(format!(
                "initial turbulent_viscosity must not be negative, got {} in cell {i}",
                self.turbulent_viscosity.unwrap_or_default()[i]
            ));
        }
        if self.turbulence_k.is_some() != self.turbulence_omega.is_some() {
            problems.push("an initial turbulence_k needs turbulence_omega too, and back".into());
        }
        if self.velocity_m_s.is_none() && self.turbulence_k.is_some() {
            problems.push(
                "an initial turbulence_k and turbulence_omega need the initial velocity_m_s too"
                    .into(),
            );
        }
        if let Some(t) = self.temperature_k {
            if let Some(i) = t.iter().position(|&x| x.is_finite() && x <= 0.0) {
                problems.push(format!(
                    "initial temperature_k must be positive (kelvin), got {} in cell {i}",
                    t[i]
                ));
            }
            if uniform_temperature {
                problems.push(
                    "give either settings.initial_temperature_k or an initial temperature field, not both"
                        .into(),
                );
            }
        }
        let flow_given = self.velocity_m_s.is_some()
            || self.pressure_pa.is_some()
            || self.mass_flux_kg_s.is_some();
        if flow_given && !has_flow {
            problems.push(
                "an initial velocity, pressure or mass flux was given, but the case has no coolant flow"
                    .into(),
            );
        }
        if self.velocity_m_s.is_none() && self.mass_flux_kg_s.is_some() {
            problems.push("an initial mass_flux_kg_s needs the initial velocity_m_s too".into());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Case(problems.join("; ")))
        }
    }

    /// The flow solver's start on the fluid sub-mesh, or `None` without an initial velocity, and
    /// whether the start's inflow is this case's (a start from the same flow rate).
    pub(crate) fn flow_start(&self, setup: &FlowSetup<'_>) -> Option<(FlowSolution, bool)> {
        let velocity = self.velocity_m_s?;
        let sub = &setup.mesh;
        let map = &setup.map;
        let ni = sub.n_internal_faces;
        let u: Vec<[f64; 3]> = map
            .cells()
            .map(|c| [velocity[3 * c], velocity[3 * c + 1], velocity[3 * c + 2]])
            .collect();
        let pressure: Vec<f64> = match self.pressure_pa {
            Some(p) => map
                .cells()
                .map(|c| p[c] - setup.pressure_datum_pa)
                .collect(),
            None => vec![0.0; sub.n_cells()],
        };
        let mass_flux: Vec<f64> = match self.mass_flux_kg_s {
            Some(m) => map
                .faces()
                .map(|(f, flip)| if flip { -m[f] } else { m[f] })
                .collect(),
            None => (0..sub.n_faces())
                .map(|f| {
                    let p = sub.owner[f] as usize;
                    if f < ni {
                        let q = sub.neighbour[f] as usize;
                        let dp = norm(minus(sub.face_centre[f], sub.cell_centre[p]));
                        let dq = norm(minus(sub.face_centre[f], sub.cell_centre[q]));
                        let w = dq / (dp + dq).max(f64::MIN_POSITIVE);
                        let rho = fvc::linear(w, setup.density[p], setup.density[q]);
                        let uf = fvc::linear(w, u[p], u[q]);
                        rho * dot(uf, sub.face_area[f])
                    } else {
                        match setup.bc[sub.patch_of_face(f)] {
                            // inlets are reset by the solver; no flow through walls and symmetry planes
                            FlowBc::Outlet(_) => setup.density[p] * dot(u[p], sub.face_area[f]),
                            _ => 0.0,
                        }
                    }
                })
                .collect(),
        };
        // k scales with the square of the speed and ω with the speed (a flow at another rate
        // has the same shape); cells of the model's floor stay positive
        let (mut k, mut omega, mut mu_t) = (Vec::new(), Vec::new(), Vec::new());
        if let (Some(k0), Some(w0)) = (self.turbulence_k, self.turbulence_omega) {
            let fits = k0.len() == w0.len() && map.cells().all(|c| c < k0.len());
            if setup.turbulence_inlet.is_some()
                && fits
                && k0.iter().chain(w0).all(|x| x.is_finite())
            {
                k = map.cells().map(|c| k0[c].max(0.0)).collect();
                omega = map.cells().map(|c| w0[c]).collect();
                if omega.iter().any(|&w| w <= 0.0) {
                    (k, omega) = (Vec::new(), Vec::new());
                } else if let Some(m0) = self.turbulent_viscosity {
                    if m0.len() == k0.len() && m0.iter().all(|x| x.is_finite() && *x >= 0.0) {
                        mu_t = map.cells().map(|c| m0[c]).collect();
                    }
                }
            }
        }
        let first_order_cells: Vec<u32> = match self.momentum_first_order {
            Some(fo) => map
                .cells()
                .enumerate()
                .filter(|&(_, c)| fo[c] != 0.0)
                .map(|(i, _)| i as u32)
                .collect(),
            None => Vec::new(),
        };
        let mut held_limiter: Vec<[f64; 3]> = match self.momentum_limiter {
            Some(l) => map
                .cells()
                .map(|c| [l[3 * c], l[3 * c + 1], l[3 * c + 2]])
                .collect(),
            None => Vec::new(),
        };
        let mut turbulence_limiter: Vec<[f64; 3]> = match self.turbulence_limiter {
            Some(l) if !k.is_empty() => map
                .cells()
                .map(|c| [l[3 * c], l[3 * c + 1], l[3 * c + 2]])
                .collect(),
            _ => Vec::new(),
        };
        let mut wall_log_layer: Vec<bool> = match self.wall_log_layer {
            Some(w) if !k.is_empty() => map.faces().skip(ni).map(|(f, _)| w[f] != 0.0).collect(),
            _ => Vec::new(),
        };
        let (mut u, mut pressure, mut mass_flux) = (u, pressure, mass_flux);
        let same_inflow;
        {
            let (mut new, mut old, mut outlet, mut n_outlet) = (0.0, 0.0, 0.0, 0usize);
            for f in ni..sub.n_faces() {
                match setup.bc[sub.patch_of_face(f)] {
                    FlowBc::Inlet(speed) => {
                        new +=
                            setup.density[sub.owner[f] as usize] * speed * norm(sub.face_area[f]);
                        old -= mass_flux[f];
                    }
                    FlowBc::Outlet(p) => {
                        outlet += p;
                        n_outlet += 1;
                    }
                    _ => {}
                }
            }
            let ratio = new / old;
            same_inflow = (ratio - 1.0).abs() <= 1e-9;
            if !same_inflow {
                // another flow rate: its limiter is its own (the held one would bias its answer)
                held_limiter.clear();
                turbulence_limiter.clear();
                wall_log_layer.clear();
            }
            if self.scale_to_inflow
                && ratio.is_finite()
                && ratio > 0.0
                && (ratio - 1.0).abs() > 1e-12
            {
                let p_out = outlet / n_outlet.max(1) as f64;
                u.iter_mut()
                    .for_each(|v| v.iter_mut().for_each(|x| *x *= ratio));
                mass_flux.iter_mut().for_each(|m| *m *= ratio);
                pressure
                    .iter_mut()
                    .for_each(|p| *p = p_out + ratio * (*p - p_out));
                k.iter_mut().for_each(|x| *x *= ratio * ratio);
                omega.iter_mut().for_each(|x| *x *= ratio);
                // μ_t = ρ k / ω (or its limited form) scales as the speed
                mu_t.iter_mut().for_each(|x| *x *= ratio);
            }
        }
        // boundary pressures: zero gradient from the adjacent cell (outlets are reset by the solver)
        let boundary_pressure = (ni..sub.n_faces())
            .map(|f| pressure[sub.owner[f] as usize])
            .collect();
        let start = FlowSolution {
            velocity: u,
            pressure,
            mass_flux,
            boundary_pressure,
            k,
            omega,
            turbulent_viscosity: mu_t,
            first_order_cells,
            held_limiter,
            held_turbulence_limiter: turbulence_limiter,
            wall_log_layer,
            relaxation: self.momentum_relaxation.and_then(|a| a.first().copied()),
            converged_first_order_start: same_inflow
                && self
                    .momentum_scheme()
                    .is_some_and(|(second_order, _, _)| !second_order),
            iterations: 0,
            history: Vec::new(),
            ..Default::default()
        };
        Some((start, same_inflow))
    }
}
