//! Transient temperatures: `ρc ∂T/∂t + ∇·(ṁ c T) − ∇·(k∇T) = q(t)` with time-varying powers,
//! fluxes and boundary temperatures, the coolant flow frozen at its steady solution (it settles
//! in milliseconds; the copper in seconds). The equation is the steady energy operator plus
//! [`fvm::ddt`](crate::discretisation::fvm::ddt): second-order backward differences (BDF2, variable
//! step), one implicit Euler step at the start and after each jump of a step profile. Steps
//! are fixed when given, else chosen from a local error estimate (the BDF2 corrector against a
//! quadratic extrapolation of the last three levels) and landed exactly on every breakpoint of
//! the profiles. Fixed steps also land on the output times; adaptive ones do not (an output
//! between two levels is the quadratic through the last three, of the scheme's order), so
//! closely spaced outputs do not cap the step.
//!
//! A step's cost: where the operator is linear (flow frozen, constant properties, no deferred
//! corrections, no radiation) its spatial part is assembled once, and again only when an
//! input's value changes; a step writes its time derivative into the diagonal and the
//! right-hand side and makes one linear solve, started from the extrapolated predictor and
//! stopped once the temperatures are provably within a hundredth of the step's error
//! allowance. The preconditioner is kept while the step stays within a factor four of the one it
//! was built for. The solve runs on a pool of `threads` threads.
//!
//! Profiles change only the boundary and source values of the energy equation from step to step
//! ([`Conditions`]): the case is resolved once. A flow-rate profile at an inlet makes the flow
//! quasi-steady: the steady flow is solved again, warm-started from the previous flow scaled to
//! the new inflow, whenever an inflow differs from the one the current flow was solved for by
//! more than `flow_update_fraction` (1 % by default), or by any amount at a step that lands on a
//! breakpoint (so a plateau after a ramp has its own flow), and the energy equation takes the new
//! mass fluxes from that step on. This is right where the flow settles much faster than the solids
//! (milliseconds against seconds in a cold plate), not for the flow's own start-up.

use super::driver::EnergyPreconditioner;
use super::driver::{
    conduction_operator, energy_operator, energy_preconditioner, frozen_flow, needs_energy,
    outside_supply_bounds, residual_and_normalisation, step_supply_bounds, SolveReport,
};
use super::initial::InitialState;
use super::spec::{Boundary, Case};
use super::validate::{PatchCondition, Resolved};
use crate::discretisation::fv_matrix::FvMatrix;
use crate::discretisation::fvm;
use crate::discretisation::pattern::CellPattern;
use crate::error::{name_list, Equation, Status};
use crate::linalg::{Csr, Preconditioner};
use crate::mesh::Mesh;
use crate::physics::energy::Conduction;
use crate::{Error, Monitor, Result};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What a time-varying input drives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProfileTarget {
    /// A solid region's total power, W.
    PowerW {
        /// Region name.
        region: String,
    },
    /// A heat-flux patch's value, in the unit it was given (W/m² or total W).
    HeatFlux {
        /// Patch name.
        patch: String,
    },
    /// A patch temperature, K: fixed temperature, inlet temperature or convective ambient.
    TemperatureK {
        /// Patch name.
        patch: String,
    },
    /// The external flux absorbed by a patch radiating to a sink, W/m² (an orbit's sunlight,
    /// albedo and planet infrared).
    AbsorbedFlux {
        /// Patch name.
        patch: String,
    },
    /// An inlet's inflow, in the unit of the rate the inlet gives (m/s, m³/s or kg/s): the flow
    /// is re-solved (quasi-steady) as it changes.
    Inflow {
        /// Patch name.
        patch: String,
    },
}

/// A piecewise-linear or piecewise-constant input against time, SI values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeProfile {
    /// What it drives.
    pub target: ProfileTarget,
    /// Breakpoint times, s (strictly increasing).
    pub time_s: Vec<f64>,
    /// Values at the breakpoints.
    pub value: Vec<f64>,
    /// Each value held until the next breakpoint (a jump at each breakpoint) instead of linear.
    #[serde(default)]
    pub step: bool,
}

impl TimeProfile {
    /// Whether the input jumps (step) or changes slope (linear) at breakpoint `i`.
    pub fn changes_at(&self, i: usize) -> bool {
        let (t, v) = (&self.time_s, &self.value);
        if self.step {
            return i > 0 && v[i] != v[i - 1];
        }
        let slope = |j: usize| (v[j + 1] - v[j]) / (t[j + 1] - t[j]);
        let left = if i == 0 { 0.0 } else { slope(i - 1) };
        let right = if i + 1 == t.len() { 0.0 } else { slope(i) };
        (left - right).abs() > 1e-12 * left.abs().max(right.abs())
    }

    /// The value at `t` (end values held outside the breakpoints).
    pub fn at(&self, t: f64) -> f64 {
        let (ts, vs) = (&self.time_s, &self.value);
        if t <= ts[0] {
            return vs[0];
        }
        if t >= ts[ts.len() - 1] {
            return vs[vs.len() - 1];
        }
        let i = ts.partition_point(|&x| x <= t) - 1;
        if self.step {
            vs[i]
        } else {
            let w = (t - ts[i]) / (ts[i + 1] - ts[i]);
            vs[i] + w * (vs[i + 1] - vs[i])
        }
    }
}

/// Time control of a transient solve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transient {
    /// Start time, s.
    #[serde(default)]
    pub start_time_s: f64,
    /// End time, s.
    pub end_time_s: f64,
    /// Fixed step, s; `None`: adaptive.
    #[serde(default)]
    pub time_step_s: Option<f64>,
    /// Times at which whole fields are kept, s; `None`: 101 evenly spaced.
    #[serde(default)]
    pub output_times_s: Option<Vec<f64>>,
    /// Local temperature error allowed per adaptive step, K.
    #[serde(default = "default_step_tolerance")]
    pub step_tolerance_k: f64,
    /// Most steps (accepted and rejected).
    #[serde(default = "default_max_steps")]
    pub max_steps: usize,
    /// Time-varying inputs.
    #[serde(default)]
    pub profiles: Vec<TimeProfile>,
    /// With an inflow profile: the flow is solved again when an inflow differs from the one the
    /// current flow was solved for by more than this fraction.
    #[serde(default = "default_flow_update_fraction")]
    pub flow_update_fraction: f64,
}

fn default_flow_update_fraction() -> f64 {
    0.01
}

fn default_step_tolerance() -> f64 {
    0.01
}

fn default_max_steps() -> usize {
    100_000
}

/// The run: fields at the output times and the traces of every accepted step.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TransientSolution {
    /// Output times, s.
    pub output_times_s: Vec<f64>,
    /// Cell temperatures at each output time, K (output-major).
    #[serde(skip)]
    pub temperature_k: Vec<Vec<f64>>,
    /// Heat flow into the domain per patch at each output time (conduction, advection and
    /// radiation), W.
    pub patch_heat_flow_w: Vec<Vec<f64>>,
    /// Power of each region at each output time, W.
    pub region_source_w: Vec<Vec<f64>>,
    /// Coolant mass flow into the domain through each patch at each output time, kg/s (empty
    /// without coolant).
    #[serde(skip)]
    pub patch_mass_flow_kg_s: Vec<Vec<f64>>,
    /// Mixed-mean temperature of the coolant leaving through each patch at each output time, K
    /// (NaN where none leaves; empty without coolant).
    #[serde(skip)]
    pub patch_outflow_temperature_k: Vec<Vec<f64>>,
    /// Accepted step end times, s (with the start).
    pub step_times_s: Vec<f64>,
    /// Hottest temperature of each region at each accepted step, K (step-major).
    pub step_max_temperature_k: Vec<Vec<f64>>,
    /// Steps accepted and rejected.
    pub steps_accepted: usize,
    /// Steps rejected by the error control.
    pub steps_rejected: usize,
    /// Linear-solver iterations over the run.
    pub linear_iterations: usize,
    /// Σ_n Δt_n Q(t_n+1): the heat in (boundaries and sources) as the implicit scheme applies
    /// it, J.
    pub heat_in_j: f64,
    /// ∫ Q dt by the trapezoidal rule over the accepted steps, J: compare with `stored_change_j`
    /// for the time discretisation's accuracy.
    pub heat_in_trapezoid_j: f64,
    /// Stored-energy change E(end) − E(start) = Σ ρcV (T_end − T_start), J.
    pub stored_change_j: f64,
    /// Stored-energy change in the scheme's own discrete form Σ_n Δt_n Σ_c ddt_c, J: equals
    /// `heat_in_j` to the solver tolerance (the discrete conservation statement).
    pub discrete_stored_change_j: f64,
    /// The frozen steady flow (fields and report; no temperatures), when there is coolant.
    #[serde(skip)]
    pub flow: Option<super::driver::Solution>,
    /// Flow iterations of the frozen flow (of every flow solve, with an inflow profile).
    pub flow_iterations: usize,
    /// Flow solves after the first (an inflow profile moved by more than
    /// `flow_update_fraction`) …
    pub flow_updates: usize,
    /// … at these times, s …
    pub flow_update_times_s: Vec<f64>,
    /// … taking this long in all (with the first), s.
    pub flow_time_s: f64,
    /// Wall time, s.
    pub solve_time_s: f64,
    /// Of which: assembling the energy system (outer iterations), s …
    pub assembly_time_s: f64,
    /// … preconditioner set-ups, s (and how many) …
    pub preconditioner_time_s: f64,
    /// Preconditioner set-ups.
    pub preconditioner_builds: usize,
    /// Steps whose linear solve failed with a preconditioner kept from an earlier step and
    /// were solved again with one built for their own matrix (see [`PRECONDITIONER_BAND`]).
    pub preconditioner_stall_rebuilds: usize,
    /// … and linear solves, s.
    pub linear_time_s: f64,
    /// Outer (assembly + solve) iterations over the run.
    pub outer_iterations: usize,
    /// Linear steps whose solve was continued after its first stop to prove the temperatures
    /// within a hundredth of the step allowance.
    pub linear_rounds: usize,
    /// Σ_n Δt_n Σ_i r_i over the linear steps, J: the energy the steps' linear solves left
    /// unbalanced (`r = b − A T` after the solve, summed over the cells). The convective term
    /// is conservative and the boundary and source terms are evaluated as assembled, so
    /// `discrete_stored_change_j − heat_in_j` equals minus this up to round-off: it is what
    /// limits the discrete balance of a linear run (a diagnostic, one residual per step).
    pub residual_imbalance_j: f64,
}

/// A transient solve that failed part-way: why, and the run up to its last completed step.
#[derive(Debug, Clone)]
pub struct TransientFailure {
    /// What stopped the run (the failing step's time is in a step failure's message).
    pub error: Error,
    /// The steps completed before the failure, as a successful run to the last of them would
    /// have kept them (outputs at the output times reached, every accepted step's trace, the
    /// energy tallies, the flow of the last completed step); `None` when the run failed before
    /// its start was recorded (validation, the first flow solve). The work counters include
    /// the failed step's.
    pub completed: Option<Box<TransientSolution>>,
}

/// Heat capacity ρc per cell, J/(m³K) at temperature `t`: solids from their material, coolant from
/// its properties; names every region that lacks density or specific heat.
fn capacity(mesh: &Mesh, case: &Case, t: &[f64]) -> Result<Vec<f64>> {
    let n_regions = mesh.region_names.len();
    let mut solid: Vec<Option<f64>> = vec![None; n_regions];
    let mut fluid: Vec<Option<&super::spec::Coolant>> = vec![None; n_regions];
    let mut missing = Vec::new();
    for s in &case.solids {
        if let Some(r) = mesh.region_index(&s.region) {
            match (s.material.density_kg_m3, s.material.specific_heat_j_kgk) {
                (Some(rho), Some(c)) if rho > 0.0 && c > 0.0 => solid[r] = Some(rho * c),
                _ => missing.push(format!("'{}' (material '{}')", s.region, s.material.name)),
            }
        }
    }
    for f in &case.fluids {
        if let Some(r) = mesh.region_index(&f.region) {
            fluid[r] = Some(&f.coolant);
        }
    }
    if !missing.is_empty() {
        return Err(Error::Case(format!(
            "a transient solve needs the density and specific heat of every solid: give density_kg_m3 and specific_heat_j_kgk for regions {}",
            missing.join(", ")
        )));
    }
    Ok((0..mesh.n_cells())
        .map(|c| {
            let r = mesh.cell_region[c] as usize;
            match (solid[r], fluid[r]) {
                (Some(rc), _) => rc,
                (None, Some(coolant)) => {
                    coolant.density_kg_m3.at(t[c]) * coolant.specific_heat_j_kgk.at(t[c])
                }
                _ => 0.0,
            }
        })
        .collect())
}

/// Checks of the time control and the profiles, all problems at once.
fn validate(mesh: &Mesh, case: &Case, spec: &Transient) -> Result<()> {
    let mut problems = Vec::new();
    if !(spec.start_time_s.is_finite() && spec.end_time_s.is_finite())
        || spec.end_time_s <= spec.start_time_s
    {
        problems.push(format!(
            "end_time_s ({}) must be after the start ({})",
            spec.end_time_s, spec.start_time_s
        ));
    }
    if let Some(dt) = spec.time_step_s {
        if !(dt.is_finite() && dt > 0.0) {
            problems.push(format!("time_step_s must be positive, got {dt}"));
        }
    }
    if !(spec.step_tolerance_k.is_finite() && spec.step_tolerance_k > 0.0) {
        problems.push(format!(
            "step_tolerance_k must be positive, got {}",
            spec.step_tolerance_k
        ));
    }
    if let Some(times) = &spec.output_times_s {
        if let Some(t) = times
            .iter()
            .find(|&&t| !(t >= spec.start_time_s && t <= spec.end_time_s))
        {
            problems.push(format!(
                "output time {t} s is outside the run [{}, {}] s",
                spec.start_time_s, spec.end_time_s
            ));
        }
        if times.windows(2).any(|w| w[1] <= w[0]) {
            problems.push("output_times_s must be strictly increasing".into());
        }
    }
    if !(spec.flow_update_fraction.is_finite() && spec.flow_update_fraction >= 0.0) {
        problems.push(format!(
            "flow_update_fraction must be a non-negative fraction, got {}",
            spec.flow_update_fraction
        ));
    }
    for p in &spec.profiles {
        let what = match &p.target {
            ProfileTarget::Inflow { patch } => {
                let inlet = case
                    .boundaries
                    .iter()
                    .any(|b| b.patch() == patch && matches!(b, Boundary::Inlet { .. }));
                if !inlet {
                    problems.push(format!(
                        "a flow-rate profile names patch '{patch}', which is no coolant inlet of the case"
                    ));
                }
                format!("flow-rate profile of inlet '{patch}'")
            }
            ProfileTarget::PowerW { region } => {
                if !case.solids.iter().any(|s| &s.region == region) {
                    problems.push(format!(
                        "a power profile names region '{region}', which is no solid of the case"
                    ));
                }
                format!("power profile of region '{region}'")
            }
            ProfileTarget::HeatFlux { patch } | ProfileTarget::TemperatureK { patch } => {
                let ok = case.boundaries.iter().any(|b| {
                    b.patch() == patch
                        && matches!(
                            (&p.target, b),
                            (ProfileTarget::HeatFlux { .. }, Boundary::HeatFlux { .. })
                                | (
                                    ProfileTarget::TemperatureK { .. },
                                    Boundary::FixedTemperature { .. }
                                        | Boundary::Inlet { .. }
                                        | Boundary::Convective { .. }
                                )
                        )
                });
                if !ok {
                    problems.push(format!(
                        "a profile names patch '{patch}', which has no condition of that kind; the mesh has patches {}",
                        name_list(&mesh.patch_names)
                    ));
                }
                format!("profile of patch '{patch}'")
            }
            ProfileTarget::AbsorbedFlux { patch } => {
                if !case.radiation.iter().any(|r| &r.patch == patch) {
                    problems.push(format!(
                        "an absorbed-flux profile names patch '{patch}', which radiates to no sink"
                    ));
                }
                format!("absorbed-flux profile of patch '{patch}'")
            }
        };
        if p.time_s.is_empty() || p.time_s.len() != p.value.len() {
            problems.push(format!(
                "{what}: {} times and {} values",
                p.time_s.len(),
                p.value.len()
            ));
        } else if p.time_s.iter().chain(&p.value).any(|v| !v.is_finite()) {
            problems.push(format!("{what}: times and values must be finite"));
        } else if p.time_s.windows(2).any(|w| w[1] <= w[0]) {
            problems.push(format!("{what}: times must be strictly increasing"));
        } else {
            // linear or step, the extremes are at the breakpoints
            let low = p.value.iter().copied().fold(f64::INFINITY, f64::min);
            match &p.target {
                ProfileTarget::PowerW { .. } if low < 0.0 => {
                    problems.push(format!("{what}: powers must be non-negative, got {low} W"));
                }
                ProfileTarget::TemperatureK { .. } if low <= 0.0 => {
                    problems.push(format!(
                        "{what}: temperatures must be above absolute zero, got {low} K"
                    ));
                }
                ProfileTarget::Inflow { .. } if low <= 0.0 => {
                    problems.push(format!("{what}: the inflow must stay positive, got {low}"));
                }
                _ => {}
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Case(crate::error::problem_list(problems)))
    }
}

/// The case with every profile's value at time `t`.
fn case_at(case: &Case, spec: &Transient, t: f64) -> Case {
    let mut at = case.clone();
    for p in &spec.profiles {
        let v = p.at(t);
        match &p.target {
            ProfileTarget::PowerW { region } => {
                for s in at.solids.iter_mut().filter(|s| &s.region == region) {
                    s.power_w = Some(v);
                    s.power_density_w_m3 = None;
                }
            }
            ProfileTarget::HeatFlux { patch } => {
                for b in at.boundaries.iter_mut().filter(|b| b.patch() == patch) {
                    if let Boundary::HeatFlux {
                        flux_w_m2, power_w, ..
                    } = b
                    {
                        if power_w.is_some() {
                            *power_w = Some(v);
                        } else {
                            *flux_w_m2 = Some(v);
                        }
                    }
                }
            }
            ProfileTarget::TemperatureK { patch } => {
                for b in at.boundaries.iter_mut().filter(|b| b.patch() == patch) {
                    match b {
                        Boundary::FixedTemperature { temperature_k, .. } => *temperature_k = v,
                        Boundary::Inlet { temperature_k, .. } => *temperature_k = Some(v),
                        Boundary::Convective { ambient_k, .. } => *ambient_k = v,
                        _ => {}
                    }
                }
            }
            ProfileTarget::AbsorbedFlux { patch } => {
                for r in at.radiation.iter_mut().filter(|r| &r.patch == patch) {
                    r.absorbed_flux_w_m2 = v;
                }
            }
            ProfileTarget::Inflow { patch } => {
                for b in at.boundaries.iter_mut().filter(|b| b.patch() == patch) {
                    if let Boundary::Inlet {
                        velocity_m_s,
                        volume_flow_m3_s,
                        mass_flow_kg_s,
                        ..
                    } = b
                    {
                        for rate in [velocity_m_s, volume_flow_m3_s, mass_flow_kg_s] {
                            if rate.is_some() {
                                *rate = Some(v);
                            }
                        }
                    }
                }
            }
        }
    }
    at
}

/// Where a profile's value goes in the energy equation's conditions.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// A region's power density: the power over the region's volume, m³.
    Power { region: usize, volume: f64 },
    /// A patch's heat flux: per area, or a total over the patch area (m²).
    Flux { patch: usize, area: Option<f64> },
    /// A patch's fixed (or inlet) temperature or convective ambient.
    Temperature { patch: usize },
}

/// The energy equation's source and boundary values at any time: the case's resolved values with
/// each profile's value written into its slot, so a step changes these values only (the case is
/// resolved once, at the start).
struct Conditions {
    power_density: Vec<f64>,
    patch: Vec<PatchCondition>,
    face_temperature: Vec<Option<Vec<f64>>>,
    slots: Vec<(usize, Slot)>,
}

impl Conditions {
    fn new(mesh: &Mesh, case: &Case, spec: &Transient, resolved: &Resolved) -> Conditions {
        let volumes = mesh.region_volumes();
        let areas = mesh.patch_areas();
        let mut slots = Vec::new();
        for (i, p) in spec.profiles.iter().enumerate() {
            let slot = match &p.target {
                ProfileTarget::PowerW { region } => {
                    mesh.region_index(region).map(|r| Slot::Power {
                        region: r,
                        volume: volumes[r],
                    })
                }
                ProfileTarget::HeatFlux { patch } => mesh.patch_index(patch).map(|q| {
                    let total = case.boundaries.iter().any(|b| {
                        b.patch() == patch
                            && matches!(
                                b,
                                Boundary::HeatFlux {
                                    power_w: Some(_),
                                    ..
                                }
                            )
                    });
                    Slot::Flux {
                        patch: q,
                        area: total.then_some(areas[q]),
                    }
                }),
                ProfileTarget::TemperatureK { patch } => mesh
                    .patch_index(patch)
                    .map(|q| Slot::Temperature { patch: q }),
                // the flow and radiation models take these themselves
                ProfileTarget::Inflow { .. } | ProfileTarget::AbsorbedFlux { .. } => None,
            };
            if let Some(slot) = slot {
                slots.push((i, slot));
            }
        }
        Conditions {
            power_density: resolved.power_density.clone(),
            patch: resolved.patch.clone(),
            face_temperature: resolved.face_temperature.clone(),
            slots,
        }
    }

    /// The profiles' values at time `t` (those the energy equation takes), in slot order.
    fn values(&self, spec: &Transient, t: f64) -> Vec<f64> {
        self.slots
            .iter()
            .map(|&(i, _)| spec.profiles[i].at(t))
            .collect()
    }

    /// Writes the conditions at time `t` into `eq`.
    fn apply(&self, spec: &Transient, t: f64, eq: &mut Conduction) {
        let (power_density, patch) = self.at(spec, t);
        eq.set_conditions(power_density, patch, self.face_temperature.clone());
    }

    /// The region power densities and patch conditions at time `t`.
    fn at(&self, spec: &Transient, t: f64) -> (Vec<f64>, Vec<PatchCondition>) {
        let mut power_density = self.power_density.clone();
        let mut patch = self.patch.clone();
        for &(i, slot) in &self.slots {
            let v = spec.profiles[i].at(t);
            match slot {
                Slot::Power { region, volume } => power_density[region] = v / volume,
                Slot::Flux { patch: q, area } => {
                    patch[q] = PatchCondition::Flux(area.map_or(v, |a| v / a));
                }
                Slot::Temperature { patch: q } => {
                    patch[q] = match patch[q] {
                        PatchCondition::Fixed(_) => PatchCondition::Fixed(v),
                        PatchCondition::Convective(h, _) => PatchCondition::Convective(h, v),
                        other => other,
                    };
                }
            }
        }
        (power_density, patch)
    }
}

/// Breakpoints inside the run where an input jumps (step profiles) or changes slope (linear
/// ones), sorted, with whether it jumps there. A logged trace repeats values: its other rows are
/// no breakpoints, so the steps need not land on them (nor restart after them).
fn breakpoints(spec: &Transient) -> Vec<(f64, bool)> {
    let mut out: Vec<(f64, bool)> = spec
        .profiles
        .iter()
        .flat_map(|p| {
            (0..p.time_s.len())
                .filter(|&i| p.changes_at(i))
                .map(move |i| (p.time_s[i], p.step))
        })
        .filter(|&(t, _)| t > spec.start_time_s && t < spec.end_time_s)
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out.dedup_by(|a, b| {
        if (a.0 - b.0).abs() <= 1e-12 * b.0.abs().max(1.0) {
            b.1 |= a.1;
            true
        } else {
            false
        }
    });
    out
}

/// Solve `case` in time from `start` (steady temperatures, or uniform `initial_temperature_k`).
pub fn solve_transient(
    mesh: &Mesh,
    case: &Case,
    spec: &Transient,
    start: Option<&[f64]>,
    monitor: &dyn Monitor,
) -> Result<TransientSolution> {
    let initial = InitialState {
        temperature_k: start,
        ..InitialState::default()
    };
    solve_transient_from(mesh, case, spec, &initial, monitor)
}

/// [`solve_transient`] from an initial state: its temperatures start the run (else the uniform
/// `initial_temperature_k`), and its velocity, pressure and mass fluxes (those of the steady
/// solution the run starts from) warm-start the first flow solve, scaled to the inflow at the
/// start time, so it takes a few iterations instead of a solve from rest.
///
/// Runs on a rayon pool of `case.settings.threads` threads (all cores when unset), as the steady
/// solve does: without it every parallel loop of a step was handed from the calling thread to
/// rayon's global pool and waited for, which on the 14,904-cell channel unit cost more than the
/// arithmetic.
pub fn solve_transient_from(
    mesh: &Mesh,
    case: &Case,
    spec: &Transient,
    initial: &InitialState<'_>,
    monitor: &dyn Monitor,
) -> Result<TransientSolution> {
    solve_transient_keeping(mesh, case, spec, initial, monitor).map_err(|f| f.error)
}

/// [`solve_transient_from`] that keeps the steps a failed run completed (a step that does not
/// converge or is non-physical, an interrupt): nothing a long run finished is lost.
pub fn solve_transient_keeping(
    mesh: &Mesh,
    case: &Case,
    spec: &Transient,
    initial: &InitialState<'_>,
    monitor: &dyn Monitor,
) -> std::result::Result<TransientSolution, TransientFailure> {
    let threads = case
        .settings
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| TransientFailure {
            error: Error::Case(format!("cannot start {threads} threads: {e}")),
            completed: None,
        })?;
    let clock = std::time::Instant::now();
    // the run fills `out` step by step, so that a failure keeps what it completed
    let mut out = TransientSolution::default();
    match pool.install(|| run(mesh, case, spec, initial, monitor, &mut out)) {
        Ok(()) => Ok(out),
        Err(error) => {
            out.solve_time_s = clock.elapsed().as_secs_f64();
            let completed = (!out.step_times_s.is_empty()).then(|| Box::new(out));
            Err(TransientFailure { error, completed })
        }
    }
}

/// [`solve_transient_from`] on the current thread pool, into `out` (empty on entry): after every
/// accepted step `out` is the run to that step, as a run ending there would return it.
fn run(
    mesh: &Mesh,
    case: &Case,
    spec: &Transient,
    initial: &InitialState<'_>,
    monitor: &dyn Monitor,
    out: &mut TransientSolution,
) -> Result<()> {
    let clock = std::time::Instant::now();
    let start = initial.temperature_k;
    validate(mesh, case, spec)?;
    initial.validate(mesh, !case.fluids.is_empty(), false)?;
    if !needs_energy(case) {
        return Err(Error::Case(
            "a transient solve needs temperatures: add solids or an inlet temperature".into(),
        ));
    }
    let n = mesh.n_cells();
    let initial_case = case_at(case, spec, spec.start_time_s);
    let resolved = Resolved::new(&initial_case, mesh)?;
    let mut t: Vec<f64> = match (start, case.settings.initial_temperature_k) {
        (Some(s), _) => s.to_vec(),
        (None, Some(t0)) => vec![t0; n],
        (None, None) => {
            return Err(Error::Case(
                "a transient solve starts from a steady result (initial=...) or a uniform initial_temperature_c"
                    .into(),
            ))
        }
    };
    if t.len() != n {
        return Err(Error::Case(format!(
            "the initial temperature has {} values for {n} cells",
            t.len()
        )));
    }
    let rho_c = capacity(mesh, case, &t)?;
    let flow_clock = std::time::Instant::now();
    let (convection, flow) = frozen_flow(mesh, &initial_case, &t, initial, monitor)?;
    out.flow_time_s += flow_clock.elapsed().as_secs_f64();
    out.flow_iterations = flow.report.flow_iterations;
    // the inflow profiles and the inflows the current flow was solved for
    let inflows: Vec<usize> = if convection.is_some() {
        (0..spec.profiles.len())
            .filter(|&i| matches!(spec.profiles[i].target, ProfileTarget::Inflow { .. }))
            .collect()
    } else {
        Vec::new()
    };
    let mut flow_inflow: Vec<f64> = inflows
        .iter()
        .map(|&i| spec.profiles[i].at(spec.start_time_s))
        .collect();
    let mut mass_flux: Option<Vec<f64>> = convection.as_ref().map(|c| c.mass_flux.clone());
    // the flow of the last accepted level (`out.flow`) and one solved for the step being taken,
    // which becomes it when the step is accepted
    out.flow = convection.is_some().then_some(flow);
    let mut step_flow: Option<super::driver::Solution> = None;
    let (mut eq, mut radiation) =
        energy_operator(mesh, &initial_case, &resolved, convection, monitor)?;
    let conditions = Conditions::new(mesh, case, spec, &resolved);
    // the case's conditions at the step being judged by the maximum principle (coolant only)
    let mut step_resolved = resolved.clone();
    if let Some(r) = radiation.as_mut() {
        r.update_absorbed(mesh, &initial_case);
    }
    let absorbed_profiles = spec
        .profiles
        .iter()
        .any(|p| matches!(p.target, ProfileTarget::AbsorbedFlux { .. }));
    let pattern = crate::discretisation::pattern::CellPattern::new(mesh);
    let mut a = eq.new_matrix();
    let mut b = vec![0.0; n];
    let mut r = vec![0.0; n];
    let stored = |t: &[f64]| -> f64 { (0..n).map(|c| rho_c[c] * mesh.cell_volume[c] * t[c]).sum() };
    let e_start = stored(&t);

    let outputs: Vec<f64> = spec.output_times_s.clone().unwrap_or_else(|| {
        (0..=100)
            .map(|i| spec.start_time_s + (spec.end_time_s - spec.start_time_s) * i as f64 / 100.0)
            .collect()
    });
    let span = spec.end_time_s - spec.start_time_s;
    // fixed steps land on the output times too (fields there are the scheme's own); adaptive
    // ones do not: an output between two levels is the quadratic through the last three (the
    // scheme's own order, see `dense_output`), so dense outputs do not cap the step
    let mut breaks = breakpoints(spec);
    if spec.time_step_s.is_some() {
        breaks.extend(
            outputs
                .iter()
                .filter(|&&t| t > spec.start_time_s && t < spec.end_time_s)
                .map(|&t| (t, false)),
        );
    }
    breaks.sort_by(|a, b| a.0.total_cmp(&b.0));
    breaks.dedup_by(|a, b| {
        if (a.0 - b.0).abs() <= 1e-12 * span.max(1.0) {
            b.1 |= a.1;
            true
        } else {
            false
        }
    });
    let tol = spec.step_tolerance_k;
    let fixed = spec.time_step_s;
    let restart_step = fixed.unwrap_or(1e-4 * span);
    let mut dt = restart_step;
    let mut now = spec.start_time_s;
    // history: the level before `t` and the step that led to it (None: next step is Euler)
    let mut previous: Option<(Vec<f64>, f64)> = None;
    let mut before_previous: Option<(Vec<f64>, f64)> = None;
    let mut preconditioner: Option<StepPreconditioner> = None;
    // Σ_i of the time derivative's diagonal the preconditioner was built with
    let mut preconditioner_ddt = f64::NAN;
    let mut spatial: Option<Spatial> = None;
    let mut next_output = 0;
    let mut settings_report = SolveReport::default();
    let region_max = |t: &[f64]| -> Vec<f64> {
        let mut m = vec![f64::NEG_INFINITY; mesh.region_names.len()];
        for c in 0..n {
            let r = mesh.cell_region[c] as usize;
            m[r] = m[r].max(t[c]);
        }
        m
    };
    // radiation's share of a patch's heat (`radiated`, W per patch) is added to its conduction
    let record_output = |out: &mut TransientSolution,
                         eq: &Conduction,
                         mass_flux: Option<&[f64]>,
                         radiated: Option<Vec<f64>>,
                         time: f64,
                         field: Vec<f64>| {
        let mut heat = radiated.unwrap_or_else(|| vec![0.0; mesh.n_patches()]);
        for (p, h) in heat.iter_mut().enumerate() {
            *h += mesh
                .patch_faces(p)
                .map(|f| eq.boundary_heat_in(f, &field))
                .sum::<f64>();
        }
        if let Some(flux) = mass_flux {
            let (mut inflow, mut outflow_t) = (Vec::new(), Vec::new());
            for p in 0..mesh.n_patches() {
                let (mut m_in, mut m_out, mut mt) = (0.0, 0.0, 0.0);
                for f in mesh.patch_faces(p) {
                    m_in -= flux[f];
                    let leaving = flux[f].max(0.0);
                    m_out += leaving;
                    mt += leaving * field[mesh.owner[f] as usize];
                }
                inflow.push(m_in);
                outflow_t.push(if m_out > 0.0 { mt / m_out } else { f64::NAN });
            }
            out.patch_mass_flow_kg_s.push(inflow);
            out.patch_outflow_temperature_k.push(outflow_t);
        }
        let mut sources = vec![0.0; mesh.region_names.len()];
        for c in 0..n {
            sources[mesh.cell_region[c] as usize] += eq.cell_source(c);
        }
        out.output_times_s.push(time);
        out.patch_heat_flow_w.push(heat);
        out.region_source_w.push(sources);
        out.temperature_k.push(field);
    };
    out.step_times_s.push(now);
    out.step_max_temperature_k.push(region_max(&t));
    // the start is an output when asked for
    while next_output < outputs.len() && outputs[next_output] <= now + 1e-12 * span {
        let radiated = match radiation.as_mut() {
            Some(r) => Some(r.patch_heat_in(mesh, &t)?),
            None => None,
        };
        record_output(
            out,
            &eq,
            mass_flux.as_deref(),
            radiated,
            outputs[next_output],
            t.clone(),
        );
        next_output += 1;
    }
    let mut heat_in_old = heat_into(mesh, &mut eq, &mut radiation, &t)?;
    let mut steps = 0usize;
    while now < spec.end_time_s - 1e-12 * span {
        steps += 1;
        if steps > spec.max_steps {
            return Err(Error::convergence(
                Status::MaxIterations,
                Equation::Energy,
                format!(
                    "transient solve took more than {} steps before reaching {} s (at {now:.6e} s, step {dt:.3e} s)",
                    spec.max_steps, spec.end_time_s
                ),
                Vec::new(),
            ));
        }
        // land on the next breakpoint and the end exactly
        let mut target = (now + dt).min(spec.end_time_s);
        let mut lands_on_jump = false;
        let mut lands_on_break = false;
        if let Some(&(tb, jump)) = breaks.iter().find(|(tb, _)| *tb > now + 1e-12 * span) {
            if tb <= target + 1e-12 * span {
                target = tb;
                lands_on_jump = jump;
                lands_on_break = true;
            }
        }
        let h = target - now;
        let ddt = match &previous {
            Some((older, h_old)) => fvm::ddt_variable(mesh, &rho_c, h, *h_old, &t, older),
            None => fvm::ddt(mesh, &rho_c, h, &t, None),
        };
        // sources at the new time level (implicit); just before a jump, its left-hand value
        let at = if lands_on_jump {
            target - 1e-9 * span
        } else {
            target
        };
        // quasi-steady flow: solved again when an inflow moved by more than the allowed fraction
        // (at a breakpoint, where a ramp ends, by any amount: a plateau's flow is its own)
        let allowed = if lands_on_break {
            1e-12
        } else {
            spec.flow_update_fraction
        };
        let moved = inflows
            .iter()
            .zip(&flow_inflow)
            .any(|(&i, &solved)| (spec.profiles[i].at(at) / solved - 1.0).abs() > allowed);
        if moved {
            let flow_clock = std::time::Instant::now();
            let case_flow = case_at(case, spec, at);
            let current_flow = step_flow.as_ref().or(out.flow.as_ref());
            let velocity: Option<Vec<f64>> =
                current_flow.map(|f| f.velocity_m_s.iter().flatten().copied().collect());
            let warm = InitialState {
                temperature_k: None,
                velocity_m_s: velocity.as_deref(),
                pressure_pa: current_flow.map(|f| f.pressure_pa.as_slice()),
                mass_flux_kg_s: current_flow.map(|f| f.mass_flux_kg_s.as_slice()),
                turbulence_k: current_flow
                    .map(|f| f.turbulence_k.as_slice())
                    .filter(|k| !k.is_empty()),
                turbulence_omega: current_flow
                    .map(|f| f.turbulence_omega.as_slice())
                    .filter(|w| !w.is_empty()),
                turbulent_viscosity: current_flow
                    .map(|f| f.turbulent_viscosity_pa_s.as_slice())
                    .filter(|m| !m.is_empty()),
                scale_to_inflow: true,
                ..InitialState::default()
            };
            // a failed flow update names its step, as the energy step failures do
            let (convection, flow) =
                frozen_flow(mesh, &case_flow, &t, &warm, monitor).map_err(|e| match e {
                    Error::Convergence(mut f) => {
                        f.message = format!(
                            "the flow update in the step to {target:.6e} s: {}",
                            f.message
                        );
                        Error::Convergence(f)
                    }
                    other => other,
                })?;
            out.flow_time_s += flow_clock.elapsed().as_secs_f64();
            out.flow_iterations += flow.report.flow_iterations;
            out.flow_updates += 1;
            out.flow_update_times_s.push(at);
            mass_flux = convection.as_ref().map(|c| c.mass_flux.clone());
            eq = conduction_operator(mesh, &resolved, convection, radiation.is_some());
            step_flow = Some(flow);
            flow_inflow = inflows.iter().map(|&i| spec.profiles[i].at(at)).collect();
            preconditioner = None; // a new advection operator
            spatial = None;
        }
        conditions.apply(spec, at, &mut eq);
        if absorbed_profiles {
            if let Some(r) = radiation.as_mut() {
                r.update_absorbed(mesh, &case_at(case, spec, at));
            }
        }
        // a linear operator's spatial part is assembled once (and again when an input's value
        // changes); a step writes only its time derivative into the diagonal and the source
        let linear = !eq.needs_outer_iterations() && radiation.is_none();
        if linear {
            let key = conditions.values(spec, at);
            if spatial.as_ref().is_none_or(|s| s.key != key) {
                let clock = std::time::Instant::now();
                out.outer_iterations += 1;
                eq.assemble(&t, &mut a, &mut b);
                spatial = Some(Spatial::new(&a, &b, &pattern, key));
                out.assembly_time_s += clock.elapsed().as_secs_f64();
            }
            if let Some(s) = &spatial {
                s.with_ddt(&ddt, &pattern, &mut a, &mut b);
            }
        }
        // kept while the time derivative's diagonal is within `PRECONDITIONER_BAND` of the one
        // it was built with (a ratio, so BDF2's step-ratio dependent coefficient counts)
        let ddt_scale: f64 = ddt.diag.iter().sum();
        let ddt_ratio = ddt_scale / preconditioner_ddt;
        if preconditioner.is_none() || !PRECONDITIONER_BAND.contains(&ddt_ratio) {
            let clock = std::time::Instant::now();
            out.preconditioner_builds += 1;
            if !linear {
                eq.assemble(&t, &mut a, &mut b);
                ddt.add_to_system(mesh, &pattern, &mut a, &mut b);
                if let Some(r) = radiation.as_mut() {
                    r.add(mesh, &eq, &t, &mut a, &mut b)?;
                }
            }
            preconditioner = Some(StepPreconditioner::new(
                &eq,
                &a,
                &case.settings,
                &mut settings_report,
            ));
            preconditioner_ddt = ddt_scale;
            out.preconditioner_time_s += clock.elapsed().as_secs_f64();
        }
        let Some(m) = preconditioner.as_ref() else {
            return Err(Error::Case("no preconditioner".into()));
        };
        // predictor: quadratic extrapolation of the last three levels (linear with two)
        let predicted: Option<Vec<f64>> = match (&previous, &before_previous) {
            (Some((t1, h1)), Some((t2, h2))) => Some(extrapolate(&t, t1, t2, h, *h1, *h2)),
            _ => None,
        };
        let mut t_new = predicted.clone().unwrap_or_else(|| t.clone());
        let mut converged = false;
        // a step's non-linear iteration (k(T), c(T), deferred corrections) stops when it moves
        // temperatures by a hundredth of the step's error allowance, or on the residual
        let settled_k = 1e-2 * tol;
        // … and when the step's energy imbalance Σ_i r_i (W) is below what a thousandth of that
        // would put into the whole heat capacity (so that the discrete energy balance closes far
        // below the temperature error)
        let settled_w = 1e-3 * settled_k * ddt.diag.iter().sum::<f64>();
        let mut last_change = f64::INFINITY;
        let mut anderson = crate::linalg::Anderson::new(5);
        // a kept preconditioner whose solve fails: the step is solved again with a new one
        let kept = preconditioner_ddt != ddt_scale;
        let mut stalled = false;
        for outer in 0..=case.settings.max_iterations.min(50) {
            if outer > 0 && !eq.needs_outer_iterations() {
                // a linear step: its one solve, to the linear tolerance, is the step's solution
                // (assembling again only to confirm the residual cost a quarter of the step)
                converged = true;
                break;
            }
            let clock = std::time::Instant::now();
            if !linear {
                out.outer_iterations += 1;
                eq.assemble(&t_new, &mut a, &mut b);
                ddt.add_to_system(mesh, &pattern, &mut a, &mut b);
                if let Some(r) = radiation.as_mut() {
                    r.add(mesh, &eq, &t_new, &mut a, &mut b)?;
                }
            }
            let (r_norm, scale) = residual_and_normalisation(&a, &b, &t_new, &mut r);
            out.assembly_time_s += clock.elapsed().as_secs_f64();
            let clock = std::time::Instant::now();
            let res = r_norm / scale;
            if outer > 0
                && (res <= case.settings.tolerance
                    || !eq.needs_outer_iterations()
                    || (last_change <= settled_k && r.iter().sum::<f64>().abs() <= settled_w))
            {
                converged = true;
                break;
            }
            let before = eq.needs_outer_iterations().then(|| t_new.clone());
            let bound = m.bind(&a);
            let never = || monitor.should_stop();
            let floor = 0.1 * case.settings.tolerance * scale;
            let dominance = (!eq.needs_outer_iterations())
                .then(|| row_dominance(&a))
                .filter(|d| d.iter().all(|&d| d > 0.0));
            let solve = |absolute_tolerance: f64, x: &mut Vec<f64>, max_iterations: usize| {
                let settings = crate::linalg::SolveSettings {
                    relative_tolerance: 0.0,
                    absolute_tolerance: absolute_tolerance.max(floor),
                    max_iterations,
                };
                if eq.is_convective() {
                    crate::linalg::bicgstab(&a, &b, x, &bound, settings, &never)
                } else {
                    crate::linalg::cg(&a, &b, x, &bound, settings, &never)
                }
            };
            let solved = match &dominance {
                // a non-linear step: a tenth of the residual per outer iteration
                None if eq.needs_outer_iterations() => solve(
                    0.1 * r_norm,
                    &mut t_new,
                    case.settings.linear_max_iterations,
                ),
                None => solve(0.0, &mut t_new, case.settings.linear_max_iterations),
                // a linear step's solve stops once its temperatures are provably within a
                // hundredth of the step's error allowance (as the non-linear iteration stops): the time derivative makes every row
                // strictly diagonally dominant, by δ_i = a_ii − Σ_j≠i |a_ij| > 0, and then the
                // error is at most max_i |r_i| / δ_i (the row of the largest error bounds it).
                // The Krylov solve stops on ‖r‖₂, first at the allowance times the rms δ, then
                // tighter until the bound holds.
                Some(delta) => {
                    let allowance = 1e-2 * tol;
                    let rms = (delta.iter().map(|d| d * d).sum::<f64>() / n as f64).sqrt();
                    // the step's energy imbalance Σ_i r_i (W) is held to what a thousandth of
                    // the allowance would put into the whole heat capacity (Σ_i δ_i ≈ Σ ρcV/Δt),
                    // so that the discrete energy balance closes far below the temperature error
                    // (not below the round-off of the sum: 1e3 ε Σ|b_i|)
                    let imbalance = (1e-3 * allowance * delta.iter().sum::<f64>())
                        .max(1e3 * f64::EPSILON * b.iter().map(|v| v.abs()).sum::<f64>());
                    let mut absolute = allowance * rms;
                    // BiCGStab stagnates near a residual of 1e-9 ‖b‖ on the 89,506-cell plate
                    // (the right-hand side holds the coolant's enthalpy flows in kelvin): never
                    // ask for less than 1e-8 ‖b‖
                    let attainable = 1e-8 * crate::linalg::norm(&b);
                    let mut total = crate::linalg::SolveInfo::default();
                    let mut rounds = 0;
                    loop {
                        // a continued solve that stalls keeps its last iterate
                        let info = match solve(
                            absolute.max(attainable),
                            &mut t_new,
                            if rounds == 0 {
                                case.settings.linear_max_iterations
                            } else {
                                100
                            },
                        ) {
                            Ok(info) => info,
                            Err(Error::LinearSolver { .. }) if rounds > 0 => break Ok(total),
                            Err(e) => break Err(e),
                        };
                        rounds += 1;
                        total.iterations += info.iterations;
                        total.final_residual = info.final_residual;
                        a.residual(&b, &t_new, &mut r);
                        let bound = r
                            .iter()
                            .zip(delta)
                            .map(|(r, d)| r.abs() / d)
                            .fold(0.0, f64::max);
                        let sum = r.iter().sum::<f64>().abs();
                        let excess = (bound / allowance).max(sum / imbalance);
                        if excess <= 1.0 || absolute <= floor.max(attainable) {
                            break Ok(total);
                        }
                        out.linear_rounds += 1;
                        absolute *= 0.5 / excess;
                    }
                }
            };
            let info = match solved {
                Ok(info) => info,
                Err(Error::LinearSolver { .. }) if kept => {
                    stalled = true;
                    out.linear_time_s += clock.elapsed().as_secs_f64();
                    break;
                }
                Err(e) => return Err(e),
            };
            out.linear_iterations += info.iterations;
            out.linear_time_s += clock.elapsed().as_secs_f64();
            if let Some(before) = before {
                t_new = anderson.next(&before, &t_new);
                last_change = t_new
                    .iter()
                    .zip(&before)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
            }
        }
        if stalled {
            // the same step again, with a preconditioner built for its matrix
            out.preconditioner_stall_rebuilds += 1;
            preconditioner = None;
            continue;
        }
        if !converged {
            return Err(Error::convergence(
                Status::MaxIterations,
                Equation::Energy,
                format!("the energy equation did not converge in the step to {target:.6e} s"),
                Vec::new(),
            )
            .with_partial(|p| p.temperature_k = t_new.clone()));
        }
        if let Some(bad) = t_new.iter().position(|x| !x.is_finite() || *x <= 0.0) {
            return Err(Error::convergence(
                Status::NonPhysical,
                Equation::Energy,
                format!(
                    "the temperature in cell {bad} at {:?} m became {} K in the step to {target:.6e} s",
                    mesh.cell_centre[bad], t_new[bad]
                ),
                Vec::new(),
            ));
        }
        // error control (adaptive only, with a full BDF2 history)
        if fixed.is_none() {
            if let Some(pred) = &predicted {
                let err = (2.0 / 11.0)
                    * t_new
                        .iter()
                        .zip(pred)
                        .map(|(a, b)| (a - b).abs())
                        .fold(0.0, f64::max);
                let factor = 0.9 * (tol / err.max(1e-300)).cbrt();
                if err > tol && h > 1e-9 * span {
                    out.steps_rejected += 1;
                    dt = h * factor.clamp(0.1, 0.9);
                    continue;
                }
                dt = h * factor.clamp(0.3, 2.0);
            } else {
                dt = h * 2.0;
            }
        }
        // accepted: with coolant, a bounded scheme keeps the step's field within the maximum
        // principle's bounds (`step_supply_bounds`: the steady ones of the step's conditions and
        // the previous levels as the time derivative holds each cell to them); a second-order
        // convection on a poor cell can break them, and a field that does is no answer. A linear
        // step's operator is two-point with upwind convection, bounded by construction: only
        // steps with deferred corrections are checked (checking every step made the linear 60 s
        // bundled plate run at 0.01 s steps take 84 s against 79, load 3)
        if eq.is_convective() && !linear {
            (step_resolved.power_density, step_resolved.patch) = conditions.at(spec, at);
            let bounds =
                step_supply_bounds(mesh, &step_resolved, &eq, &t_new, &ddt, radiation.is_some());
            if let Some((problem, position)) = outside_supply_bounds(mesh, &eq, &t_new, bounds) {
                let failure = Error::convergence(
                    Status::NonPhysical,
                    Equation::Energy,
                    format!(
                        "in the step to {target:.6e} s (the bounds include the previous time levels): {problem}"
                    ),
                    Vec::new(),
                );
                let failure = match position {
                    Some(position) => failure.at_position(position),
                    None => failure,
                };
                return Err(failure.with_partial(|p| p.temperature_k = t_new));
            }
        }
        if linear {
            a.residual(&b, &t_new, &mut r);
            out.residual_imbalance_j += h * r.iter().sum::<f64>();
        }
        let heat_in_new = heat_into(mesh, &mut eq, &mut radiation, &t_new)?;
        let storage: f64 = {
            let e = ddt.apply(mesh, &t_new);
            e.iter().zip(&ddt.source).map(|(x, s)| x - s).sum()
        };
        out.discrete_stored_change_j += h * storage;
        out.heat_in_j += h * heat_in_new;
        out.heat_in_trapezoid_j += 0.5 * h * (heat_in_old + heat_in_new);
        heat_in_old = heat_in_new;
        out.steps_accepted += 1;
        // outputs between now and target: the quadratic through the last three levels (linear
        // after a restart), with the inputs' values at the output time
        let mut between = false;
        while next_output < outputs.len() && outputs[next_output] <= target + 1e-12 * span {
            let time = outputs[next_output];
            let field = dense_output(&t, &t_new, previous.as_ref(), time - now, h);
            between |= time < at;
            conditions.apply(spec, time.min(at), &mut eq);
            let radiated = match radiation.as_mut() {
                Some(r) => Some(r.patch_heat_in(mesh, &field)?),
                None => None,
            };
            record_output(out, &eq, mass_flux.as_deref(), radiated, time, field);
            next_output += 1;
        }
        if between {
            conditions.apply(spec, at, &mut eq);
        }
        before_previous = previous.take();
        previous = Some((std::mem::replace(&mut t, t_new), h));
        now = target;
        out.step_times_s.push(now);
        out.step_max_temperature_k.push(region_max(&t));
        out.stored_change_j = stored(&t) - e_start;
        if let Some(flow) = step_flow.take() {
            out.flow = Some(flow);
        }
        monitor.progress(out.steps_accepted, &[("time_s", now)]);
        if monitor.should_stop() {
            return Err(Error::Interrupted);
        }
        if lands_on_jump {
            // the input jumps here: restart the history with a short Euler step
            previous = None;
            before_previous = None;
            if fixed.is_none() {
                dt = restart_step;
            }
        }
        if let Some(h_fixed) = fixed {
            dt = h_fixed;
        }
    }
    out.solve_time_s = clock.elapsed().as_secs_f64();
    Ok(())
}

/// The ratios of the time derivative's diagonal (Σ_i ρ_i c_i V_i times the scheme's coefficient
/// over the step) to the one a step's preconditioner was built with, within which it is kept.
///
/// Above 1 (a shorter step, or BDF2's 1 ms step after a 4 ms one: coefficient 1.2/h against
/// 1/h) the conjugate preconditioner's multigrid correction on the solids, built for the
/// smaller diagonal, over-corrects their smooth, time-derivative dominated modes by that ratio:
/// its error factor 1 − ratio times ILU's can come near +1, the preconditioned operator near
/// singular, and BiCGStab (and GMRES with the same preconditioner) stall. On the bundled plate,
/// fixed 4 ms steps landing on outputs every 5 ms, the 1 ms step at 1.010 s with the
/// preconditioner of the 4 ms Euler step (ratio 2.67) stalled at 3e-8 ‖b‖ after 2,000
/// BiCGStab iterations (GMRES(50): 1.8e-8 after 1,000); rebuilt, it takes one iteration. So the
/// band's top is 2 (the error factor of the correction stays within −1). Below 1 (a longer step)
/// the correction only falls short: a factor four cost the adaptive plate run 3 % more iterations
/// for half the builds of a factor two.
const PRECONDITIONER_BAND: std::ops::RangeInclusive<f64> = 0.25..=2.0;

/// Heat into the domain through every boundary face plus the sources, W, at `t`.
fn heat_into(
    mesh: &Mesh,
    eq: &mut Conduction,
    radiation: &mut Option<super::radiation_terms::RadiationTerms>,
    t: &[f64],
) -> Result<f64> {
    let boundary: f64 = (mesh.n_internal_faces..mesh.n_faces())
        .map(|f| eq.boundary_heat_in(f, t))
        .sum();
    let sources: f64 = (0..mesh.n_cells()).map(|c| eq.cell_source(c)).sum();
    let radiated: f64 = match radiation.as_mut() {
        Some(r) => r.patch_heat_in(mesh, t)?.iter().sum(),
        None => 0.0,
    };
    Ok(boundary + sources + radiated)
}

/// The quadratic through `(−h1−h2, t2)`, `(−h1, t1)`, `(0, t0)` at `+h`.
fn extrapolate(t0: &[f64], t1: &[f64], t2: &[f64], h: f64, h1: f64, h2: f64) -> Vec<f64> {
    // Lagrange weights at x = h for nodes x0 = 0, x1 = −h1, x2 = −h1 − h2
    let (x0, x1, x2) = (0.0, -h1, -h1 - h2);
    let l1 = (h - x0) * (h - x2) / ((x1 - x0) * (x1 - x2));
    let l2 = (h - x0) * (h - x1) / ((x2 - x0) * (x2 - x1));
    // the weights sum to one: written on the differences from t0, a uniform field extrapolates to
    // itself exactly (no round-off drift of a field at rest)
    (0..t0.len())
        .map(|c| t0[c] + l1 * (t1[c] - t0[c]) + l2 * (t2[c] - t0[c]))
        .collect()
}

/// The field at `x` after the level `t0` (`0 < x ≤ h`), between `t0` and the new level `t1` at
/// `h`: the quadratic through the level before, `previous` = (`tp`, `hp`) at `−hp`, when there is
/// one (its error, O(h³), is of the order of the step's local error the adaptive steps control),
/// else the straight line.
fn dense_output(
    t0: &[f64],
    t1: &[f64],
    previous: Option<&(Vec<f64>, f64)>,
    x: f64,
    h: f64,
) -> Vec<f64> {
    match previous {
        Some((tp, hp)) => {
            // Lagrange weights at x for the nodes −hp, 0, h
            let hp = *hp;
            let lp = x * (x - h) / (hp * (hp + h));
            let l1 = (x + hp) * x / ((h + hp) * h);
            // the weights sum to one: on the differences from t0, a uniform field stays exact
            (0..t0.len())
                .map(|c| t0[c] + lp * (tp[c] - t0[c]) + l1 * (t1[c] - t0[c]))
                .collect()
        }
        None => {
            let w = x / h;
            t0.iter().zip(t1).map(|(a, b)| a + w * (b - a)).collect()
        }
    }
}

/// The spatial part `A_s T = b_s` of a linear energy system (the flow frozen, constant
/// properties, no deferred corrections, no radiation) for the inputs' values `key`: its
/// diagonal and right-hand side. Between steps the system matrix keeps `A_s`'s off-diagonal
/// entries, so a step writes `A_s + D_ddt` into the diagonal and `b_s + s_ddt` into the
/// right-hand side instead of assembling (about a third of a step's cost on the channel unit).
struct Spatial {
    diagonal: Vec<f64>,
    rhs: Vec<f64>,
    key: Vec<f64>,
}

impl Spatial {
    fn new(a: &Csr, b: &[f64], pattern: &CellPattern, key: Vec<f64>) -> Spatial {
        Spatial {
            diagonal: pattern.diag.iter().map(|p| a.val[p.get()]).collect(),
            rhs: b.to_vec(),
            key,
        }
    }

    /// `a`, `b` = the spatial system plus the time derivative `ddt` (diagonal and source only).
    fn with_ddt(&self, ddt: &FvMatrix, pattern: &CellPattern, a: &mut Csr, b: &mut [f64]) {
        for (c, p) in pattern.diag.iter().enumerate() {
            a.val[p.get()] = self.diagonal[c] + ddt.diag[c];
            b[c] = self.rhs[c] + ddt.source[c];
        }
    }
}

/// The preconditioner of a step's system.
enum StepPreconditioner {
    /// The steady solve's: ILU(0) with multigrid on the solids for a conjugate system,
    /// multigrid for conduction.
    Energy(EnergyPreconditioner),
}

impl StepPreconditioner {
    fn new(
        eq: &Conduction,
        a: &Csr,
        settings: &super::Settings,
        report: &mut SolveReport,
    ) -> StepPreconditioner {
        StepPreconditioner::Energy(energy_preconditioner(
            eq,
            &Arc::new(a.clone()),
            settings,
            report,
        ))
    }

    fn bind<'a>(&'a self, a: &'a Csr) -> BoundStep<'a> {
        match self {
            StepPreconditioner::Energy(m) => BoundStep::Energy(m.bind(a)),
        }
    }
}

enum BoundStep<'a> {
    Energy(super::driver::BoundEnergyPreconditioner<'a>),
}

impl Preconditioner for BoundStep<'_> {
    fn apply(&self, r: &[f64], z: &mut [f64]) {
        match self {
            BoundStep::Energy(m) => m.apply(r, z),
        }
    }
}

/// `δ_i = a_ii − Σ_j≠i |a_ij|` per row: all positive for a strictly diagonally dominant matrix,
/// whose solution error `e = A⁻¹ r` then has `‖e‖_∞ ≤ max_i |r_i| / δ_i` (in the row of the
/// largest |e_i|, `δ_i |e_i| ≤ |r_i|`).
fn row_dominance(a: &Csr) -> Vec<f64> {
    use rayon::prelude::*;
    (0..a.n_rows)
        .into_par_iter()
        .with_min_len(4096)
        .map(|i| {
            let mut d = 0.0;
            for e in a.row_ptr[i]..a.row_ptr[i + 1] {
                if a.col[e] as usize == i {
                    d += a.val[e];
                } else {
                    d -= a.val[e].abs();
                }
            }
            d
        })
        .collect()
}
