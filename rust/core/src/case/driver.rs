//! The solve driver: outer iterations (non-linear conductivity, non-orthogonal correction),
//! linear solves, convergence and divergence detection, and the result's balances.

use super::initial::InitialState;
use super::spec::{Case, ConvectionScheme, PreconditionerKind};
use super::validate::Resolved;
use crate::error::{Equation, Status};
use crate::linalg::{
    cg, Amg, AmgSettings, Anderson, Jacobi, Preconditioner, SolidCorrectedIlu, SolveSettings,
};
use crate::mesh::Mesh;
use crate::physics::energy::Conduction;
use crate::{Error, Monitor, Result};
use std::sync::Arc;
use std::time::Instant;

/// What the solve did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SolveReport {
    /// Outer iterations (assemblies) of the energy equation, summed over coupling passes.
    pub outer_iterations: usize,
    /// Linear-solver iterations of each outer iteration (all coupling passes).
    pub linear_iterations: Vec<usize>,
    /// Normalised energy residual at each outer iteration.
    pub residual_history: Vec<f64>,
    /// Wall time of set-up (operators, multigrid), s, summed over coupling passes.
    pub setup_time_s: f64,
    /// Wall time of the energy solves, s, summed over coupling passes.
    pub solve_time_s: f64,
    /// Threads used.
    pub threads: usize,
    /// Multigrid levels (unknowns per level), when used.
    pub multigrid_levels: Vec<usize>,
    /// Flow (SIMPLEC) iterations, when coolant flow was solved.
    pub flow_iterations: usize,
    /// Flow residuals per iteration: Ux, Uy, Uz, p, continuity.
    pub flow_history: Vec<[f64; 5]>,
    /// Wall time of the flow solve, s.
    pub flow_time_s: f64,
    /// The momentum relaxation of the first-order upwind fallback when the default (`auto`)
    /// second-order flow solve diverged or stalled; `None`: the momentum used the scheme asked
    /// for.
    pub flow_first_order_fallback: Option<f64>,
    /// Coolant cells whose momentum convection a stalled second-order flow solve made first
    /// order (and relaxed harder), where the velocity kept swinging (see
    /// `physics::flow::FlowSolution::first_order_cells`); 0: second order throughout.
    pub flow_first_order_cells: usize,
    /// A flow whose residuals stalled above their tolerances but whose monitored outputs
    /// (inlet-to-outlet static pressure drops, flow shares) were statistically stationary, with
    /// their measured variation (laminar: only when no retry converged); `None`: converged to
    /// the tolerances.
    pub flow_stationary: Option<crate::physics::flow::Stationary>,
    /// The energy outer iteration at which the second-order convection limiter was frozen
    /// because the passes stalled (see `Conduction::freeze_limiter`).
    pub energy_limiter_frozen_at: Option<usize>,
    /// The energy outer iteration from which the non-orthogonal corrections were limited
    /// because the passes stalled (see `Conduction::limit_non_orthogonal`).
    pub energy_non_orthogonal_limited_at: Option<usize>,
    /// Coolant cells whose energy convection was made first order because the second-order
    /// passes stalled there or left them outside the maximum principle's bounds (colder than
    /// every supply, hotter than everything that heats them; see `Conduction::first_order_in`);
    /// 0: second order throughout (where asked for).
    pub energy_first_order_cells: usize,
    /// Whether the energy equation was solved.
    pub energy_solved: bool,
    /// The flow model of the coolant: `"laminar"` or `"k-omega-sst"` (empty without flow).
    pub flow_model: String,
    /// Turbulent flow: per wall patch of the coolant (interfaces to a solid region are
    /// `interface:<region>`), the wall y⁺ from the wall shear: `[min, area-weighted mean, max]`.
    pub y_plus_by_patch: std::collections::BTreeMap<String, [f64; 3]>,
    /// Flow ↔ energy passes (temperature-dependent coolant properties).
    pub coupling_passes: usize,
    /// Passes whose coolant properties took half the temperature change because the passes
    /// oscillated.
    pub coupling_relaxed_passes: usize,
    /// Per coupling pass: flow iterations of the flow solve it used, energy outer iterations,
    /// largest temperature change from the pass before (K; −1 for a cold first pass), and
    /// 1 when the pass stopped at the looser intermediate tolerances (else 0).
    pub coupling_history: Vec<[f64; 4]>,
    /// When the coupling passes settled on their outputs (the flow of the last passes stalled in
    /// a statistically stationary state whose local velocities still move, see
    /// [`COUPLING_OUTPUTS`]): the last pass's largest local temperature change and largest
    /// change of an output (hottest temperature, region mean temperatures), K; `None`: every
    /// cell settled.
    pub coupling_settled_on_outputs: Option<[f64; 2]>,
}

/// A converged solution with its balances.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Cell temperatures, K.
    pub temperature_k: Vec<f64>,
    /// Heat flow into the domain through each patch, W.
    pub patch_heat_flow_w: Vec<f64>,
    /// Heat generated in each region, W.
    pub region_source_w: Vec<f64>,
    /// Heat flow across each contact, from region a to region b, W.
    pub contact_heat_flow_w: Vec<f64>,
    /// (Σ heat in through boundaries + Σ sources) / (heat throughput).
    pub energy_balance_error: f64,
    /// Solver statistics.
    pub report: SolveReport,
    /// Cell velocities, m/s (zero in solids; empty without coolant flow).
    pub velocity_m_s: Vec<[f64; 3]>,
    /// Cell static pressure, Pa (zero in solids; empty without coolant flow).
    pub pressure_pa: Vec<f64>,
    /// Face mass flux along each face's normal, kg/s (empty without coolant flow).
    pub mass_flux_kg_s: Vec<f64>,
    /// Mass flow into the domain through each patch, kg/s.
    pub patch_mass_flow_kg_s: Vec<f64>,
    /// Area-weighted mean total pressure on each patch, Pa (NaN where no coolant).
    pub patch_total_pressure_pa: Vec<f64>,
    /// Area-weighted mean static pressure on each patch, Pa (NaN where no coolant).
    pub patch_static_pressure_pa: Vec<f64>,
    /// Σ|cell continuity error| / inflow.
    pub mass_imbalance: f64,
    /// Turbulent viscosity per cell, Pa·s (zero in solids; empty for laminar or no flow).
    pub turbulent_viscosity_pa_s: Vec<f64>,
    /// The largest y⁺ of each cell's wall faces (zero elsewhere; empty for laminar or no
    /// flow).
    pub y_plus: Vec<f64>,
    /// Turbulence kinetic energy k per cell, m²/s² (zero in solids; empty for laminar or no
    /// flow), for warm starts.
    pub turbulence_k: Vec<f64>,
    /// Specific dissipation rate ω per cell, 1/s (zero in solids; empty for laminar or no
    /// flow), for warm starts.
    pub turbulence_omega: Vec<f64>,
    /// 1 in the coolant cells whose momentum convection a stalled second-order flow solve made
    /// first order (see `physics::flow::FlowSolution::first_order_cells`), else 0 (empty when
    /// none), for warm starts.
    pub momentum_first_order: Vec<f64>,
    /// The momentum convection's limiter per cell and component that the second-order flow's
    /// converged iteration used (see `physics::flow::FlowSolution::held_limiter`; 1 in solids;
    /// empty for first order), for warm starts.
    pub momentum_limiter: Vec<[f64; 3]>,
    /// The momentum relaxation the flow converged with (the first-order fallback's, when it took
    /// it; see `physics::flow::FlowSolution::relaxation`), for warm starts.
    pub momentum_relaxation: Option<f64>,
    /// The energy convection's limiter per cell that a stalled second-order solve held to
    /// converge (see `physics::energy::Conduction::freeze_limiter`; 0 in cells made first order;
    /// empty when none was held), for warm starts.
    pub energy_limiter: Vec<f64>,
    /// The factor per face bounding the energy's non-orthogonal corrections that a stalled solve
    /// held (see `physics::energy::Conduction::limit_non_orthogonal`; 1 on boundary faces; empty
    /// when unbounded), for warm starts.
    pub energy_non_orthogonal_scale: Vec<f64>,
    /// Whether the flow converged only with the first-order fallback (at `momentum_relaxation`),
    /// for warm starts.
    pub momentum_first_order_fallback: bool,
    /// The bound of the non-orthogonal corrections the flow converged with (`None`: unbounded),
    /// for warm starts.
    pub momentum_non_orthogonal_limit: Option<f64>,
    /// The k-ω SST's velocity-gradient limiter per cell and component that the turbulent flow's
    /// last iteration used (see `physics::flow::FlowSolution::held_turbulence_limiter`; 1 in
    /// solids; empty for laminar or no flow), for warm starts.
    pub turbulence_limiter: Vec<[f64; 3]>,
    /// Per face, 1 where the turbulent flow's last iteration took the k-ω wall treatment's
    /// log-layer branch, else 0 (see `physics::flow::FlowSolution::wall_log_layer`; empty for
    /// laminar or no flow), for warm starts.
    pub wall_log_layer: Vec<f64>,
}

impl Solution {
    /// A solution with no temperatures and no flow yet (flow-only solves fill the flow).
    pub(super) fn without_temperatures(mesh: &Mesh, threads: usize) -> Solution {
        Solution {
            temperature_k: Vec::new(),
            patch_heat_flow_w: vec![0.0; mesh.n_patches()],
            region_source_w: vec![0.0; mesh.region_names.len()],
            contact_heat_flow_w: Vec::new(),
            energy_balance_error: 0.0,
            report: SolveReport {
                threads,
                ..Default::default()
            },
            velocity_m_s: Vec::new(),
            pressure_pa: Vec::new(),
            mass_flux_kg_s: Vec::new(),
            patch_mass_flow_kg_s: Vec::new(),
            patch_total_pressure_pa: Vec::new(),
            patch_static_pressure_pa: Vec::new(),
            mass_imbalance: 0.0,
            turbulent_viscosity_pa_s: Vec::new(),
            y_plus: Vec::new(),
            turbulence_k: Vec::new(),
            turbulence_omega: Vec::new(),
            momentum_first_order: Vec::new(),
            momentum_limiter: Vec::new(),
            momentum_relaxation: None,
            energy_limiter: Vec::new(),
            energy_non_orthogonal_scale: Vec::new(),
            momentum_first_order_fallback: false,
            momentum_non_orthogonal_limit: None,
            turbulence_limiter: Vec::new(),
            wall_log_layer: Vec::new(),
        }
    }
}

pub(super) use crate::linalg::residual::{residual_and_normalisation, round_off_scale};

/// The energy operator of a resolved case: conduction, the coolant's advection when there is
/// flow, and the case's radiation (whose terms make every outer iteration re-assemble).
pub(super) fn energy_operator<'m>(
    mesh: &'m Mesh,
    case: &Case,
    resolved: &Resolved,
    convection: Option<crate::physics::energy::Convection>,
    monitor: &dyn Monitor,
) -> Result<(
    Conduction<'m>,
    Option<super::radiation_terms::RadiationTerms>,
)> {
    let radiation = super::radiation_terms::RadiationTerms::new(mesh, case, monitor)?;
    let eq = conduction_operator(mesh, resolved, convection, radiation.is_some());
    Ok((eq, radiation))
}

/// The conduction and advection part of [`energy_operator`] (no radiation terms built): a
/// transient solve whose flow follows a profile rebuilds it with each new flow.
pub(super) fn conduction_operator<'m>(
    mesh: &'m Mesh,
    resolved: &Resolved,
    convection: Option<crate::physics::energy::Convection>,
    nonlinear_boundaries: bool,
) -> Conduction<'m> {
    let mut eq = Conduction::new(
        mesh,
        resolved.conductivity.clone(),
        resolved.power_density.clone(),
        resolved.patch.clone(),
        &resolved.contacts,
        resolved.face_temperature.clone(),
        resolved.cell_source.clone(),
    );
    if let Some(cv) = convection {
        eq = eq
            .with_convection(cv)
            .with_inlets(resolved.inlet_patch.clone());
    }
    if nonlinear_boundaries {
        eq = eq.with_nonlinear_boundaries();
    }
    eq
}

/// Whether a case asks for temperatures: solids, thermal boundary conditions or inlet temperatures.
pub(super) fn needs_energy(case: &Case) -> bool {
    use super::spec::Boundary;
    !case.solids.is_empty()
        || case.fluids.is_empty()
        || case.boundaries.iter().any(|b| match b {
            Boundary::FixedTemperature { .. }
            | Boundary::HeatFlux { .. }
            | Boundary::Convective { .. } => true,
            Boundary::Inlet { temperature_k, .. } => temperature_k.is_some(),
            _ => false,
        })
}

/// Whether coolant properties follow the temperature (flow ↔ energy coupling passes).
fn variable_properties(case: &Case) -> bool {
    case.fluids
        .iter()
        .any(|f| !f.coolant.density_kg_m3.is_constant() || !f.coolant.viscosity_pa_s.is_constant())
}

/// Coupling passes stop when temperatures move less than `settings.coupling_tolerance_k` between
/// passes (default 1e-3 K) or less than this fraction of the temperature span, whichever is larger: a flow solved to
/// its tolerances still moves a hot spot 80 K above the inlet by about 1e-3 K from pass to pass.
const COUPLING_TOLERANCE_OF_SPAN: f64 = 1e-4;
/// Flow solves of passes whose properties will still change (temperatures moved more than this
/// many coupling tolerances) stop at looser tolerances; the last flow solve is always tight.
const LOOSE_PASS_FACTOR: f64 = 10.0;

/// Most loose coupling passes of a solve: the U-channel plate at 0.57 mm takes 6 at its 30 °C
/// inlet (main's sums 4) before its change falls under [`LOOSE_PASS_FACTOR`] tolerances.
const MAX_LOOSE_PASSES: usize = 6;

/// Coupling passes whose flow stalled in a statistically stationary state (laminar wakes that
/// keep moving, `physics::flow::Stationary`) cannot settle cell by cell: each flow solve stops
/// where the wakes happen to be. Such passes settle when the outputs move less than the
/// coupling tolerance: the hottest temperature and every region's volume-mean temperature. On
/// the bundled pin-fin plate (temperature-dependent PG25 at 1.5 L/min) the second tight pass
/// moved one coolant cell by 1.5 K but the hottest temperature by 1.4 mK (tolerance 11.7 mK),
/// its flow's ΔP by 1.0e-4 over its last 400 iterations.
const COUPLING_OUTPUTS: &str = "the hottest temperature and every region's mean temperature";

/// The outputs a coupling pass whose flow only stalled is judged by (see [`COUPLING_OUTPUTS`]):
/// the hottest temperature, then every region's volume-mean temperature, K.
fn coupling_outputs(mesh: &Mesh, t: &[f64]) -> Vec<f64> {
    let regions = mesh.region_names.len();
    let (mut sum, mut volume) = (vec![0.0; regions], vec![0.0; regions]);
    for (c, &tc) in t.iter().enumerate() {
        let r = mesh.cell_region[c] as usize;
        sum[r] += tc * mesh.cell_volume[c];
        volume[r] += mesh.cell_volume[c];
    }
    std::iter::once(t.iter().copied().fold(f64::NEG_INFINITY, f64::max))
        .chain(
            sum.iter()
                .zip(&volume)
                .filter(|(_, &v)| v > 0.0)
                .map(|(s, v)| s / v),
        )
        .collect()
}

/// Share of a pass's temperature change the coolant properties take when the coupling passes
/// oscillate.
const PROPERTY_RELAXATION: f64 = 0.5;

/// Solve a case on a mesh: coolant flow where there are fluids, then temperatures.
/// Runs on a rayon pool of `case.settings.threads` threads.
pub fn solve(mesh: &Mesh, case: &Case, monitor: &dyn Monitor) -> Result<Solution> {
    solve_from(mesh, case, &InitialState::default(), monitor)
}

/// [`solve`] starting from `initial` (a warm start, e.g. the fields of a neighbouring case): the
/// converged answer is the same as from a cold start, within the solver tolerances.
pub fn solve_from(
    mesh: &Mesh,
    case: &Case,
    initial: &InitialState<'_>,
    monitor: &dyn Monitor,
) -> Result<Solution> {
    initial.validate(
        mesh,
        !case.fluids.is_empty(),
        case.settings.initial_temperature_k.is_some(),
    )?;
    let threads = case
        .settings
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Case(format!("cannot start {threads} threads: {e}")))?;
    let validated = validate_all(mesh, case, false)?;
    if !case.fluids.is_empty() {
        crate::keep_work_memory();
    }
    pool.install(|| {
        super::precheck::mesh_defects(mesh, case)?; // mesh::checks, before any solve
        let flow = if case.fluids.is_empty() {
            None
        } else {
            // properties will follow the temperature: the first flow solve need not be tight
            let loose = variable_properties(case) && needs_energy(case);
            Some(solve_flow(mesh, case, initial, loose, monitor)?)
        };
        let mut flow = flow;
        // the energy corrections a converged solve held, held again by a start from its result
        // (with coolant, at the same flow rate: another flow's temperatures need their own)
        let mut held = initial.energy_held(mesh);
        let mut solution = if let Some(resolved) = validated {
            match flow.take() {
                None => run(
                    mesh,
                    case,
                    resolved,
                    None,
                    initial.temperature_k,
                    false,
                    monitor,
                    threads,
                    held.as_mut(),
                )?,
                Some(outcome) => {
                    let (solution, outcome) =
                        conjugate(mesh, case, &resolved, outcome, initial, monitor, threads)?;
                    flow = Some(outcome);
                    solution
                }
            }
        } else {
            Solution::without_temperatures(mesh, threads)
        };
        solution.report.energy_solved = needs_energy(case);
        if let Some(f) = flow {
            f.attach(mesh, &mut solution);
        }
        Ok(solution)
    })
}

/// The steady coolant flow with properties at temperatures `t`, as the energy equation's
/// advection (`None` without coolant), and its fields and report: a transient solve freezes it,
/// or re-solves it when the inflow follows a profile. The flow fields of `warm` (a previous flow,
/// or the steady solution the run starts from) start the solve, scaled to this case's inflow.
pub(super) fn frozen_flow(
    mesh: &Mesh,
    case: &Case,
    t: &[f64],
    warm: &InitialState<'_>,
    monitor: &dyn Monitor,
) -> Result<(Option<crate::physics::energy::Convection>, Solution)> {
    if case.fluids.is_empty() {
        return Ok((None, Solution::without_temperatures(mesh, 0)));
    }
    let start = InitialState {
        temperature_k: Some(t),
        scale_to_inflow: true,
        ..*warm
    };
    let outcome = solve_flow(mesh, case, &start, false, monitor)?;
    let mut specific_heat: Vec<Option<crate::physics::Property>> =
        vec![None; mesh.region_names.len()];
    for f in &case.fluids {
        if let Some(r) = mesh.region_index(&f.region) {
            specific_heat[r] = Some(f.coolant.specific_heat_j_kgk.clone());
        }
    }
    let convection = crate::physics::energy::Convection {
        mass_flux: outcome.parent_mass_flux(mesh),
        specific_heat,
        reference_k: outcome.setup.reference_temperature_k,
        second_order: case.settings.convection.second_order(),
        turbulent_viscosity: outcome.parent_turbulent_viscosity(mesh),
        thermal_walls: outcome.thermal_walls(mesh, case),
    };
    let mut fields = Solution::without_temperatures(mesh, 0);
    outcome.attach(mesh, &mut fields);
    Ok((Some(convection), fields))
}

/// Conjugate heat transfer: energy over solids and coolant with the flow's mass fluxes; coolant
/// properties follow the temperature, so flow and energy alternate until both settle. Each pass
/// starts from the previous pass's temperatures (the first from `start`, when given).
fn conjugate<'m>(
    mesh: &'m Mesh,
    case: &Case,
    resolved: &Resolved,
    mut outcome: FlowOutcome<'m>,
    initial: &InitialState<'_>,
    monitor: &dyn Monitor,
    threads: usize,
) -> Result<(Solution, FlowOutcome<'m>)> {
    use crate::physics::energy::Convection;
    let mut specific_heat: Vec<Option<crate::physics::Property>> =
        vec![None; mesh.region_names.len()];
    for f in &case.fluids {
        if let Some(r) = mesh.region_index(&f.region) {
            specific_heat[r] = Some(f.coolant.specific_heat_j_kgk.clone());
        }
    }
    let variable = variable_properties(case);
    let reference_k = outcome.setup.reference_temperature_k;
    // a warm start's temperatures count as the pass before the first: when the first pass hardly
    // moves them, flow and energy have settled
    let mut previous: Option<Vec<f64>> = initial.temperature_k.map(<[f64]>::to_vec);
    let mut passes = 0;
    let mut last_change = f64::INFINITY;
    let mut property_temperature: Option<Vec<f64>> = None;
    let mut relaxed_passes = 0usize;
    // a start from a result at the same flow rate with its temperatures (a restart; a power
    // sweep's neighbour) solves its first pass tight (`solve_flow`): from the same case's result,
    // whose flow with the switches it held (`InitialState::turbulence_limiter` and the rest) is a
    // fixed point, the pass settles when it hardly moves the temperatures. Those temperatures
    // count as a tight pass's, and the energy corrections it holds are the result's, which that
    // solve's first tight pass tightened already: they are tightened again only after a loose
    // pass (another point's far temperatures). Solved loose first, tightened again and with the
    // SST switches recomputed, a restart of a user's U-channel plate at 0.8 mm took 6 passes
    // and moved one coolant cell 1.06 K (stop 35)
    let restart = outcome.start_at_same_inflow && initial.temperature_k.is_some();
    let mut tightened = restart;
    let mut tight_from_now = false;
    let mut previous_loose = !restart;
    // the energy corrections a converged solve held, held again by a start from its result at
    // the same flow rate (another flow's temperatures need their own)
    let mut frozen = initial
        .energy_held(mesh)
        .filter(|_| outcome.start_at_same_inflow)
        .unwrap_or_default();
    let mut totals = SolveReport::default();
    let mut flow_counted = 0;
    loop {
        passes += 1;
        let flow_iterations = outcome.flow.history.len() - flow_counted;
        flow_counted = outcome.flow.history.len();
        let convection = Convection {
            mass_flux: outcome.parent_mass_flux(mesh),
            specific_heat: specific_heat.clone(),
            reference_k,
            second_order: case.settings.convection.second_order(),
            turbulent_viscosity: outcome.parent_turbulent_viscosity(mesh),
            thermal_walls: outcome.thermal_walls(mesh, case),
        };
        let mut solution = run(
            mesh,
            case,
            resolved.clone(),
            Some(convection),
            previous.as_deref(),
            outcome.loose,
            monitor,
            threads,
            Some(&mut frozen),
        )
        .map_err(|e| {
            // the energy equation failed on a converged flow: show that flow with its temperatures
            let flow = crate::error::PartialFields {
                velocity_m_s: outcome.flow.velocity.clone(),
                pressure_pa: outcome.flow.pressure.clone(),
                ..Default::default()
            };
            let flow = flow_fields_on_parent(&flow, &outcome.setup, mesh);
            let e = e.with_partial(|p| {
                p.velocity_m_s = flow.velocity_m_s;
                p.pressure_pa = flow.pressure_pa;
            });
            let e = on_flow(e, &outcome, case.settings.convection);
            if variable {
                in_pass(e, "energy", passes)
            } else {
                e
            }
        })?;
        let pass_outer = solution.report.outer_iterations;
        totals.outer_iterations += pass_outer;
        totals
            .linear_iterations
            .extend_from_slice(&solution.report.linear_iterations);
        totals
            .residual_history
            .extend_from_slice(&solution.report.residual_history);
        totals.setup_time_s += solution.report.setup_time_s;
        totals.solve_time_s += solution.report.solve_time_s;
        solution.report.outer_iterations = totals.outer_iterations;
        solution.report.linear_iterations = totals.linear_iterations.clone();
        solution.report.residual_history = totals.residual_history.clone();
        solution.report.setup_time_s = totals.setup_time_s;
        solution.report.solve_time_s = totals.solve_time_s;
        let change = previous.as_ref().map_or(f64::INFINITY, |p: &Vec<f64>| {
            p.iter()
                .zip(&solution.temperature_k)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max)
        });
        solution.report.coupling_passes = passes;
        solution.report.coupling_relaxed_passes = relaxed_passes;
        totals.coupling_history.push([
            flow_iterations as f64,
            pass_outer as f64,
            if change.is_finite() { change } else { -1.0 },
            if outcome.loose { 1.0 } else { 0.0 },
        ]);
        solution.report.coupling_history = totals.coupling_history.clone();
        let (t_min, t_max) = solution
            .temperature_k
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &t| {
                (lo.min(t), hi.max(t))
            });
        let tolerance = case
            .settings
            .coupling_tolerance_k
            .max(COUPLING_TOLERANCE_OF_SPAN * (t_max - t_min));
        // a pass whose flow (and the pass before's) stalled stationary is judged by its outputs
        let output_change = previous
            .as_ref()
            .filter(|_| outcome.flow.stationary.is_some() && !previous_loose)
            .map(|p| {
                coupling_outputs(mesh, p)
                    .iter()
                    .zip(coupling_outputs(mesh, &solution.temperature_k))
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max)
            });
        let settled_on_outputs =
            change >= tolerance && output_change.is_some_and(|o| o < tolerance);
        let settled = (change < tolerance || settled_on_outputs) && !outcome.loose;
        previous_loose = outcome.loose;
        if settled_on_outputs && settled {
            solution.report.coupling_settled_on_outputs =
                Some([change, output_change.unwrap_or_default()]);
        }
        if !variable || settled || passes >= case.settings.max_coupling_passes {
            if variable && !settled {
                return Err(Error::convergence(
                    Status::MaxIterations,
                    Equation::Coupling,
                    format!(
                        "flow and temperature did not settle in {passes} coupling passes (largest temperature change per pass {} K, tolerance {tolerance:.3e} K{}); raise the settings max_coupling_passes or coupling_tolerance_k",
                        totals
                            .coupling_history
                            .iter()
                            .filter(|h| h[2] >= 0.0)
                            .map(|h| format!("{:.3}", h[2]))
                            .collect::<Vec<_>>()
                            .join(", "),
                        output_change.map_or(String::new(), |o| format!(
                            "; the flow stalled in a stationary state and {COUPLING_OUTPUTS} moved by {o:.3e} K in the last pass"
                        ))
                    ),
                    Vec::new(),
                ));
            }
            return Ok((solution, outcome));
        }
        previous = Some(solution.temperature_k.clone());
        // once a pass is tight, every later one is: a loose pass's own error (its flow and
        // energy stop far earlier) moved the corpus serpentine with temperature-dependent PG25
        // by 0.066 K, just enough to loosen the next pass again, and the passes alternated
        // loose and tight without settling (0.15, 0.004 loose, 0.066, ...)
        // and after MAX_LOOSE_PASSES loose passes the next is tight whatever the change: loose
        // passes repair only a field far outside the maximum principle's bounds, so a few
        // coolant cells left below the inlet can swing by kelvins from pass to pass and keep
        // every pass loose (the example U-channel plate at 0.57 mm with its inlet at 30.001 °C:
        // 20 loose passes, one coolant cell between 28.5 and 34.9 °C, the coldest 16 K below
        // the inlet, not settled)
        let loose =
            !tight_from_now && passes < MAX_LOOSE_PASSES && change > LOOSE_PASS_FACTOR * tolerance;
        // factors held since the first passes were computed for temperatures far from these:
        // they may allow overshoots (a coolant cell of the corpus serpentine converged 31 K
        // below the inlet); the first tight pass lowers them to its start temperatures, once.
        // Lowering them at every pass kept the passes from settling (0.2–0.3 K a pass for 25
        // passes); lowering them again at the settled temperatures moved another cell 0.9 K
        tightened &= !outcome.loose;
        if !loose && !tight_from_now && !tightened {
            frozen.tighten_next();
        }
        tight_from_now |= !loose;
        // the coolant properties follow the temperatures; when a pass did not halve the change
        // of the one before, the passes oscillate (viscosity ↔ temperature on pin-fin plates
        // of the corpus moved 4–10 K a pass for 10 passes): the properties then take half the
        // step, which leaves the fixed point where it is
        let oscillating = passes >= 2 && change > 0.5 * last_change;
        last_change = change;
        let property_t: Vec<f64> = match (&property_temperature, oscillating) {
            (Some(old), true) => old
                .iter()
                .zip(&solution.temperature_k)
                .map(|(o, t)| o + PROPERTY_RELAXATION * (t - o))
                .collect(),
            _ => solution.temperature_k.clone(),
        };
        if oscillating {
            relaxed_passes += 1;
        }
        let scheme = outcome.momentum_scheme();
        outcome = outcome
            .with_temperature(mesh, case, &property_t, loose, monitor)
            .map_err(|e| in_pass(e, "flow", passes + 1))?;
        // the held energy corrections belong to the flow they were frozen on: a flow that fell
        // back to another momentum scheme is another flow, whose energy freezes its own (a
        // user's pin-fin cavity at 0.7 mm fell back to first order in pass 4, and the limiter
        // frozen in pass 1 on the second-order flow's temperatures left a coolant cell at
        // −50.6 K there)
        if outcome.momentum_scheme() != scheme {
            frozen = crate::physics::energy::FrozenCorrections::default();
        }
        property_temperature = Some(property_t);
    }
}

/// Momentum relaxation factors of the first-order fallback, tried in turn. Measured on the
/// geometry corpus (`benchmarks/corpus.py`, Gmsh tetrahedra at 5e4 cells): without local first
/// order the bounded second-order momentum solve stalled on the serpentine plate at every
/// relaxation tried (0.9, 0.7, 0.5; with and without the non-orthogonal, skewness and wall
/// corrections; with frozen limiters and with relaxed deferred corrections) while first-order
/// upwind converges at 0.7 (566 iterations); 0.675 stalled there, 0.5 converged on five of the
/// six plates. With local first order the serpentine no longer needs this fallback.
const FALLBACK_RELAXATIONS: [f64; 2] = [0.7, 0.5];

/// Momentum relaxation of an explicit scheme's second retry, after its first (at three quarters
/// of the settings' relaxation) stalled. The converged flow does not depend on it (the face fluxes
/// carry the unrelaxed diagonal's Rhie–Chow dissipation), only the path does: the two-channel
/// manifold of hexahedra (`testing/manifold.py`) stalls at 0.675 with explicit `linear_upwind`
/// and converges at 0.5 in 335 iterations, as does the corpus serpentine's 5e4 tetrahedra (1,652
/// iterations). Not for `auto`: there the serpentine's retry at 0.5 took local first-order
/// rounds in 6,082 coolant cells (40 %) with this relaxation and in none at 0.50004, while at
/// 0.675 it makes 90 cells first order.
const RETRY_RELAXATION: f64 = 0.5;

/// Momentum relaxation of the last two flow attempts (first order, the non-orthogonal
/// corrections as the settings ask, then bounded), after every other stalled with no stationary
/// state kept or only a period-2 mode. A user's U-channel plate (Gmsh OCC, a 90° inner
/// corner into the connecting channel, 18,031 default tetrahedra, PG25 at Re ≈ 1,300) stalls at
/// first order in a period-2 oscillation that neither decays at 0.5 (residuals equal to 7 digits
/// every second iteration, in the separation behind the corner) nor with a non-orthogonal
/// corrector; at 0.3 the same iteration converges.
const LAST_RELAXATION: f64 = 0.3;

/// Largest variation of a turbulent flow's monitored outputs (static pressure drops relative to
/// their means, flow shares) over the stationarity window for the ladder's last attempts (first
/// order at [`LAST_RELAXATION`] or below, also when a coupling pass carries them as its settings)
/// to be accepted as statistically stationary, ten times the usual
/// (`physics::flow::stationary::STATIONARY_TOLERANCE`): a k-ω SST flow that no attempt brings
/// within the usual bound is returned with its measured variation (a `StationaryFlowWarning`)
/// rather than lost. A user's U-channel copper plate (Gmsh OCC, 117,222 default tetrahedra, water
/// at 1 L/min, Re 8,300) stalled in all six attempts with residuals 1e-4–1e-6 and ΔP varying by
/// 6.0e-3 / 1.4e-3 / 3.6e-3 / 4.7e-3 / 4.0e-3 / 2.4e-3 over the last 400 iterations, flow shares
/// by at most 1.6e-4, and ended in a `ConvergenceError` after 1,047 CPU s (stop 32); bounding only
/// the last two attempts then got it through that pass, and the next pass, which carries first
/// order at 0.3 as its settings, failed so (ΔP varying by 2.3e-3 / 3.0e-3).
const LAST_TURBULENT_STATIONARY_TOLERANCE: f64 = 1e-2;

/// The attempt as solved: a turbulent flow's attempts at the ladder's end (first order at
/// [`LAST_RELAXATION`] or below) accept [`LAST_TURBULENT_STATIONARY_TOLERANCE`].
fn with_stationary_bound(
    flow: &crate::physics::flow::Flow,
    attempt: &crate::physics::flow::FlowSettings,
) -> crate::physics::flow::FlowSettings {
    let last = flow.is_turbulent()
        && !attempt.second_order
        && attempt.velocity_relaxation <= LAST_RELAXATION;
    crate::physics::flow::FlowSettings {
        stationary_tolerance: if last {
            LAST_TURBULENT_STATIONARY_TOLERANCE.max(attempt.stationary_tolerance)
        } else {
            attempt.stationary_tolerance
        },
        ..*attempt
    }
}

/// The bound of the non-orthogonal corrections in the last flow attempt, as a fraction of the
/// orthogonal flux (OpenFOAM's `limited corrected 0.5`, the setting its simpleFoam converged the
/// corpus tetrahedra with).
const NON_ORTHOGONAL_LIMIT: f64 = 0.5;

/// Which ending of the attempt before it a retry is taken after.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Taken {
    Always,
    /// Only after a divergence (bounded non-orthogonal corrections: a stall is not their doing).
    AfterDivergence,
    /// Only after a stall or the iteration limit.
    AfterStall,
    /// Only after a stall or the iteration limit, when no stationary state is kept or the
    /// kept one is a period-2 mode of the iteration (`Stationary::period_two`).
    AfterStallWithNothingSettledKept,
}

/// A converged flow, the momentum relaxation of the first-order fallback that produced it
/// (`None`: the scheme the settings asked for), and the bound of its non-orthogonal corrections
/// (`None`: unbounded, as the settings ask).
type FlowAttempt = (crate::physics::flow::FlowSolution, Option<f64>, Option<f64>);

/// Solve the flow; if it diverges or stalls, recover from the same start. With the default
/// `auto` convection each second-order attempt first makes the momentum convection first order
/// in the cells whose velocity keeps swinging (`FlowSettings::local_first_order`: on the
/// serpentine plate's 5e4 tetrahedra 266 cells at the divider tips, after which it converges at
/// α_U 0.675). The settings' scheme is retried once at three quarters of the relaxation, after
/// a divergence once more with its non-orthogonal corrections bounded (an explicit scheme once
/// more at [`RETRY_RELAXATION`] after a stall); then,
/// with the default `auto` convection, the momentum equations fall back to first-order upwind (relaxations
/// [`FALLBACK_RELAXATIONS`] in turn) and the solution says so. Last, wherever first order is
/// allowed (`auto`, and `upwind` asked for: [`ConvectionScheme::allows_first_order`]), first
/// order with the non-orthogonal corrections bounded, then at [`LAST_RELAXATION`]. A first attempt that creeps too
/// slowly to converge within twice its budget stops early (`physics::flow`'s pace projection);
/// one still converging at the end of its budget goes on, up to twice it.
fn solve_flow_retrying(
    flow: &crate::physics::flow::Flow,
    settings: &crate::physics::flow::FlowSettings,
    scheme: ConvectionScheme,
    monitor: &dyn Monitor,
    start: Option<crate::physics::flow::FlowSolution>,
) -> Result<FlowAttempt> {
    // a second-order attempt that took local first-order rounds may also creep to its
    // iteration limit (the microchannel-manifold plate's 5e4 tetrahedra: residuals 3–5 times
    // their tolerances at 3,000): the first-order fallback converges there
    let recoverable = |status: Status, attempt: &crate::physics::flow::FlowSettings| {
        matches!(status, Status::Diverged | Status::Stalled)
            || (status == Status::MaxIterations
                && attempt.second_order
                && settings.local_first_order)
    };
    // the first attempt as before local rounds existed: where the relaxation alone is the
    // cause (the two-channel manifold of hexahedra, below) the retry at a lower relaxation
    // converges at second order everywhere, while local rounds at 0.9 made 36 of its cells
    // first order; the retries may take local rounds
    // a warm start from a converged solve relaxes first as that solve converged (the path, not
    // the fixed point, depends on the relaxation: `FlowSolution::relaxation`), or lower when the
    // settings ask for less, when it is solved in the order the settings' scheme asks for (the
    // default's first-order fallback carries its own relaxation, `FlowOutcome::
    // first_order_fallback`): with `upwind` asked for, a user's U-channel plate (SST, 18,031
    // tetrahedra) converged at 0.5 in each coupling pass after stalls at 0.9 and 0.675, the
    // passes' flows costing three times what they need
    let carried = start
        .as_ref()
        .and_then(|s| s.relaxation)
        .filter(|&a| settings.second_order == scheme.second_order() && a > 0.0 && a <= 1.0);
    let first_settings = crate::physics::flow::FlowSettings {
        local_first_order: false,
        velocity_relaxation: carried.map_or(settings.velocity_relaxation, |a| {
            a.min(settings.velocity_relaxation)
        }),
        ..*settings
    };
    // a laminar attempt that stalled in a stationary state, kept for when no attempt converges
    let mut kept: Option<(
        crate::physics::flow::FlowSolution,
        crate::physics::flow::FlowSettings,
    )> = None;
    let first = match solve_attempt(flow, &first_settings, monitor, start.clone(), &mut kept) {
        Ok(solution) => return Ok((solution, None, settings.non_orthogonal_limit)),
        Err(Error::Convergence(first)) if recoverable(first.status, &first_settings) => first,
        Err(other) => return Err(other),
    };
    // the relaxation alone is often the cause, whatever the status: the Re 10 Poiseuille pipe
    // of 19,000 Gmsh tetrahedra diverges at 0.9 and converges at 0.675 (316 iterations), the
    // two-channel manifold of hexahedra (`testing/manifold.py`) stalls at 0.9 and converges at
    // 0.675 (823 iterations, 323 cells made first order by local rounds, ΔP as at 0.5 within
    // 0.01 %): the scheme the settings ask for is tried once more before any fallback
    // each attempt, and after which ending of the attempt before it it is taken
    let mut attempts = Vec::new();
    let gentler = 0.75 * settings.velocity_relaxation;
    let retry_relaxation = if settings.velocity_relaxation > 0.5 {
        attempts.push((
            crate::physics::flow::FlowSettings {
                velocity_relaxation: gentler,
                ..*settings
            },
            Taken::Always,
        ));
        gentler
    } else {
        settings.velocity_relaxation
    };
    if settings.second_order && settings.non_orthogonal_limit.is_none() {
        // a second-order retry that diverged (not stalled) is tried once more with the
        // non-orthogonal corrections bounded (OpenFOAM's `limited corrected 0.5`), still second
        // order (with local rounds under `auto`): the two-inlet plate's 5e4 tetrahedra (85°
        // non-orthogonal) diverged within 50 iterations at 0.675 in 68° cells by the walls of
        // the second and seventh channels just before the collector, and converges so in 2,906
        // iterations with 3,499 of 42,857 coolant cells (8 %) made first order by local rounds.
        // An explicit scheme too: the bound is not the convection the user chose (the corpus
        // serpentine's 5e4 tetrahedra with `linear_upwind` diverged at 0.9 and 0.675 within 15
        // iterations and converge so in 855, no cell first order; stop 31). Only after a
        // divergence: a stall is not the corrections' doing and would cost a second budget
        attempts.push((
            crate::physics::flow::FlowSettings {
                velocity_relaxation: retry_relaxation,
                non_orthogonal_limit: Some(NON_ORTHOGONAL_LIMIT),
                ..*settings
            },
            Taken::AfterDivergence,
        ));
    }
    if scheme != ConvectionScheme::Auto && retry_relaxation > RETRY_RELAXATION {
        // an explicit scheme has no fallback: after a stall it is tried once more at
        // [`RETRY_RELAXATION`]
        attempts.push((
            crate::physics::flow::FlowSettings {
                velocity_relaxation: RETRY_RELAXATION,
                ..*settings
            },
            Taken::AfterStall,
        ));
    }
    if scheme == ConvectionScheme::Auto
        && settings.second_order
        && settings.non_orthogonal_limit.is_none()
    {
        attempts.extend(FALLBACK_RELAXATIONS.iter().map(|&alpha| {
            (
                crate::physics::flow::FlowSettings {
                    second_order: false,
                    velocity_relaxation: alpha.min(settings.velocity_relaxation),
                    ..*settings
                },
                Taken::Always,
            )
        }));
    }
    if scheme.allows_first_order() {
        // last: the non-orthogonal corrections bounded by half the orthogonal fluxes, as
        // OpenFOAM's `limited corrected 0.5` (what simpleFoam needed on the corpus tetrahedra);
        // cells near 85° carry corrections larger than the fluxes they correct. First order, so
        // `upwind` asked for explicitly takes these as the default's fallback does (the bound
        // is not the convection the user chose, as for the bounded retry above): a user's
        // U-channel copper plate (SST, 117,222 tetrahedra) stalled with `upwind` at 0.9, 0.675
        // and 0.5, not stationary within the usual bound, where the defaults converge (stop 34)
        attempts.push((
            crate::physics::flow::FlowSettings {
                second_order: false,
                velocity_relaxation: 0.5_f64.min(settings.velocity_relaxation),
                non_orthogonal_limit: Some(NON_ORTHOGONAL_LIMIT),
                ..*settings
            },
            Taken::Always,
        ));
        // and once more, relaxed harder, after a stall that left no stationary state to return
        // or only a period-2 mode: such a mode of the SIMPLEC iteration can sit at neutral
        // stability at 0.5 and decay below it. Where the kept state's wakes keep moving, as on
        // the bundled pin-fin plate, another attempt would only swap one stationary state for
        // another from pass to pass. First with the non-orthogonal corrections as the settings
        // ask, then bounded: a user's pin-fin cavity of 36,443 tetrahedra kept a period-2 mode
        // at 0.5 (ΔP 517.6 Pa, local mass imbalance 6e-3) and converges at 0.3 to
        // 511.4 Pa unbounded, 517.4 Pa bounded (stop 32); the bound is a change of the
        // discretisation, taken only where the unbounded one fails
        attempts.extend(
            [settings.non_orthogonal_limit, Some(NON_ORTHOGONAL_LIMIT)].map(|limit| {
                (
                    crate::physics::flow::FlowSettings {
                        second_order: false,
                        velocity_relaxation: LAST_RELAXATION.min(settings.velocity_relaxation),
                        non_orthogonal_limit: limit,
                        ..*settings
                    },
                    Taken::AfterStallWithNothingSettledKept,
                )
            }),
        );
    }
    let describe = |s: &crate::physics::flow::FlowSettings| {
        format!(
            "{} at velocity_relaxation {}{}",
            if s.second_order {
                "second order"
            } else {
                "first-order upwind"
            },
            s.velocity_relaxation,
            match s.non_orthogonal_limit {
                Some(psi) => format!(" with non-orthogonal corrections limited to {psi}"),
                None => String::new(),
            }
        )
    };
    let mut tried_settings = vec![first_settings];
    let mut tried = vec![format!("{}: {}", describe(settings), first.message)];
    let mut last = first;
    // whether the last attempt before the last relaxed ones diverged: those are each taken on
    // the ending of the ladder, not of one another
    let mut diverged = last.status == Status::Diverged;
    for (attempt, taken) in &attempts {
        if *taken != Taken::AfterStallWithNothingSettledKept {
            diverged = last.status == Status::Diverged;
        }
        if (*taken == Taken::AfterDivergence && !diverged)
            || (*taken == Taken::AfterStall && diverged)
            || (*taken == Taken::AfterStallWithNothingSettledKept
                && (diverged
                    || kept
                        .as_ref()
                        .is_some_and(|(k, _)| !k.stationary.is_some_and(|s| s.period_two))))
            || tried_settings.iter().any(|t| same_attempt(t, attempt))
        {
            continue;
        }
        tried_settings.push(*attempt);
        match solve_attempt(flow, attempt, monitor, start.clone(), &mut kept) {
            Ok(solution) => {
                let fallback = (attempt.second_order != settings.second_order)
                    .then_some(attempt.velocity_relaxation);
                return Ok((solution, fallback, attempt.non_orthogonal_limit));
            }
            Err(Error::Convergence(again)) if recoverable(again.status, attempt) => {
                tried.push(format!("{}: {}", describe(attempt), again.message));
                last = again;
            }
            Err(other) => return Err(other),
        }
    }
    // a stationary state of first-order attempts is as good an answer with `upwind` asked for
    // as with the default's fallback; `linear_upwind` asks for second order or an error: a
    // stall stays one, stationary or not
    if let Some((solution, attempt)) = kept.filter(|_| scheme.allows_first_order()) {
        let fallback =
            (attempt.second_order != settings.second_order).then_some(attempt.velocity_relaxation);
        return Ok((solution, fallback, attempt.non_orthogonal_limit));
    }
    if tried.len() > 1 {
        last.message = format!(
            "the flow did not converge in {} attempts ({}); look at the mesh near the worst cell (`rackflow mesh check`, Gmsh `Mesh.Optimize`/`Mesh.OptimizeNetgen`)",
            tried.len(),
            tried.join("; then ")
        );
    }
    Err(Error::Convergence(last))
}

/// One flow attempt. A laminar attempt whose residuals stalled with its outputs statistically
/// stationary (`Flow::judge_stationary`) counts as stalled here, its state kept in `kept` (of
/// such states the nearest to its tolerances): the attempts after it go on as before, and only
/// when none converges is the kept state the answer (with `FlowSolution::stationary` saying so),
/// and only where first order is allowed (`auto` or `upwind`; a `linear_upwind` stall stays an
/// error).
fn solve_attempt(
    flow: &crate::physics::flow::Flow,
    attempt: &crate::physics::flow::FlowSettings,
    monitor: &dyn Monitor,
    start: Option<crate::physics::flow::FlowSolution>,
    kept: &mut Option<(
        crate::physics::flow::FlowSolution,
        crate::physics::flow::FlowSettings,
    )>,
) -> Result<crate::physics::flow::FlowSolution> {
    let solution = flow.solve(&with_stationary_bound(flow, attempt), monitor, start)?;
    let Some(stationary) = solution.stationary.filter(|_| !flow.is_turbulent()) else {
        return Ok(solution);
    };
    let last = solution.history.last().copied().unwrap_or([f64::NAN; 5]);
    let error = Error::convergence(
        Status::Stalled,
        Equation::Flow,
        format!(
            "flow stalled at iteration {} (residuals Ux {:.2e}, Uy {:.2e}, Uz {:.2e}, p {:.2e}, continuity {:.2e}) with its outputs statistically stationary (over the last {} iterations the static pressure drops varied by {:.1e} of their means and the flow shares by {:.1e})",
            solution.history.len(),
            last[0],
            last[1],
            last[2],
            last[3],
            last[4],
            stationary.iterations,
            stationary.pressure_drop_variation,
            stationary.split_variation
        ),
        solution.history.iter().map(|r| r[3]).collect(),
    )
    .with_partial(|p| {
        p.velocity_m_s.clone_from(&solution.velocity);
        p.pressure_pa.clone_from(&solution.pressure);
    });
    // the nearest to its tolerances: on the bundled pin-fin plate the second-order attempt at
    // 0.675 stalled stationary at continuity 8.0e-3 (ΔP within 5.7e-4), first-order upwind at
    // 0.7 at 1.6e-3 (ΔP within 8.8e-6)
    let distance = |s: &crate::physics::flow::FlowSolution,
                    a: &crate::physics::flow::FlowSettings| {
        let r = s.history.last().copied().unwrap_or([f64::INFINITY; 5]);
        let tolerances = [
            a.velocity_tolerance,
            a.velocity_tolerance,
            a.velocity_tolerance,
            a.pressure_tolerance,
            a.mass_tolerance,
        ];
        r.iter()
            .zip(tolerances)
            .map(|(r, t)| r / t)
            .fold(0.0, f64::max)
    };
    if kept
        .as_ref()
        .is_none_or(|(k, a)| distance(&solution, attempt) < distance(k, a))
    {
        *kept = Some((solution, *attempt));
    }
    Err(error)
}

/// Whether two flow attempts would solve the same discretisation at the same relaxation: from
/// the same start the second fails as the first did. A coupling pass that carries the
/// first-order fallback (upwind at 0.5, bounded corrections) would otherwise repeat it as its
/// last attempt (the bundled pin-fin plate's tenth pass: 832 iterations twice, to the same
/// stall), as would `auto` at a relaxation of 0.5, whose two first-order fallbacks coincide.
fn same_attempt(
    a: &crate::physics::flow::FlowSettings,
    b: &crate::physics::flow::FlowSettings,
) -> bool {
    a.second_order == b.second_order
        && a.velocity_relaxation == b.velocity_relaxation
        && a.non_orthogonal_limit == b.non_orthogonal_limit
        && (!a.second_order || a.local_first_order == b.local_first_order)
}

/// Largest energy-balance error a converged solve may return: 0.1 % (the conjugate target), or
/// more when the user loosened the tolerance that far.
fn balance_limit(tolerance: f64) -> f64 {
    1e-3_f64.max(10.0 * tolerance)
}

/// Why a converged temperature field cannot be right, if it cannot: below absolute zero, or
/// energy not conserved (a property off by orders of magnitude, usually a unit error). Below
/// absolute zero is the inputs' doing (a sink larger than any boundary can feed, usually a sign
/// error) only where something takes heat out: with no sink (`floor`, the maximum principle's
/// lowest supply temperature, is `Some`) the inputs cannot make any cell colder than that
/// supply, and the field is the discretisation's failure on this flow and mesh, said with what
/// the solver `tried`.
fn non_physical(
    mesh: &Mesh,
    t: &[f64],
    balance: f64,
    tolerance: f64,
    floor: Option<f64>,
    tried: &str,
    eq: &Conduction,
) -> Option<(String, Option<[f64; 3]>)> {
    let coldest = (0..t.len()).min_by(|&i, &j| t[i].total_cmp(&t[j]))?;
    let region = &mesh.region_names[mesh.cell_region[coldest] as usize];
    if t[coldest] <= 0.0 {
        let message = match floor {
            Some(floor) => format!(
                "the energy solve's discretisation is unbounded on this flow: a cell falls below absolute zero ({:.4e} K = {:.4e} °C in region '{region}' at {:?} m) although nothing takes heat out (every heat input is positive and the coldest supply is {:.2} °C, so no cell can be colder than that); the solver tried {tried}; {}",
                t[coldest],
                t[coldest] - 273.15,
                mesh.cell_centre[coldest],
                floor - 273.15,
                unbounded_remedy(eq),
            ),
            None => format!(
                "the solution falls below absolute zero ({:.4e} K = {:.4e} °C in region '{region}' at {:?} m): more heat is taken out than the boundaries can supply; check the signs and sizes of power_w, flux_w_m2 and power densities (positive heats the part)",
                t[coldest],
                t[coldest] - 273.15,
                mesh.cell_centre[coldest]
            ),
        };
        return Some((message, Some(mesh.cell_centre[coldest])));
    }
    if !(balance.abs() <= balance_limit(tolerance)) {
        return Some((format!(
            "the converged solution does not conserve energy (balance error {:.3e} of the heat throughput, limit {:.1e}): a material or coolant property is probably off by orders of magnitude (check units: conductivity W/m·K, specific heat J/kg·K, density kg/m³)",
            balance,
            balance_limit(tolerance)
        ), None));
    }
    None
}

/// What an energy solve did to converge, for a message: its convection scheme and what it held,
/// bounded, repaired and handed over.
fn energy_tried(
    eq: &Conduction,
    second_order: bool,
    report: &SolveReport,
    held_limiter: bool,
    newton_krylov: bool,
    bounds_rounds: usize,
    lowers_order: bool,
) -> String {
    if !eq.is_convective() {
        return "conduction only".into();
    }
    let mut tried = vec![if second_order {
        "second-order convection".to_string()
    } else {
        "first-order convection".to_string()
    }];
    match report.energy_limiter_frozen_at {
        Some(at) => tried.push(format!("its limiter held from outer iteration {at}")),
        None if held_limiter => tried.push("its limiter held from an earlier pass".into()),
        None => {}
    }
    if report.energy_first_order_cells > 0 {
        tried.push(format!(
            "{} coolant cells made first order",
            report.energy_first_order_cells
        ));
    }
    if let Some(at) = report.energy_non_orthogonal_limited_at {
        tried.push(format!(
            "the non-orthogonal corrections bounded from outer iteration {at}"
        ));
    }
    if newton_krylov {
        tried.push("Newton–Krylov after the passes stalled".into());
    }
    if bounds_rounds > 0 {
        tried.push(if lowers_order {
            format!(
                "{bounds_rounds} rounds of first order where coolant cells left the supply bounds"
            )
        } else {
            format!(
                "{bounds_rounds} rounds of the held limiter lowered to the field's own where coolant cells left the supply bounds"
            )
        });
    }
    tried.join(", ")
}

/// The lowest temperature the maximum principle allows, where it applies: with no sink anywhere
/// (no negative power density or cell source, no heat drawn out through a fixed flux, no
/// radiation), no cell can be colder than the coldest fixed wall, ambient or inlet temperature.
/// `None` where the principle does not apply (or nothing fixes a temperature).
fn lowest_supply_temperature(mesh: &Mesh, resolved: &Resolved, radiation: bool) -> Option<f64> {
    if radiation
        || resolved.power_density.iter().any(|&q| q < 0.0)
        || resolved
            .cell_source
            .as_ref()
            .is_some_and(|q| q.iter().any(|&x| x < 0.0))
    {
        return None;
    }
    let mut lowest = f64::INFINITY;
    for (p, condition) in resolved.patch.iter().enumerate() {
        if mesh.patch_faces(p).is_empty() {
            continue;
        }
        match *condition {
            super::PatchCondition::Flux(q) if q < 0.0 => return None,
            super::PatchCondition::Fixed(tb) | super::PatchCondition::Convective(_, tb) => {
                let faces = resolved.face_temperature[p].as_deref().unwrap_or(&[]);
                lowest = faces.iter().fold(lowest.min(tb), |m, &x| m.min(x));
            }
            _ => {}
        }
    }
    lowest.is_finite().then_some(lowest)
}

/// The highest temperature the maximum principle allows in the coolant, where it applies: with
/// no heat source inside the coolant (no positive power density or cell source in a coolant
/// cell, no radiation, whose surface exchange this does not follow), no coolant cell can be
/// hotter than the hottest thing that heats it: a solid cell, a fixed wall, ambient or inlet
/// temperature, or the face of a heat-flux wall on the coolant. It moves with the solid's
/// temperatures, so it belongs to the field `t`. `None` where the principle does not apply (or
/// there is no coolant).
fn highest_heating_temperature(
    mesh: &Mesh,
    resolved: &Resolved,
    eq: &Conduction,
    t: &[f64],
    radiation: bool,
) -> Option<f64> {
    let heated = |c: usize| {
        resolved.power_density[mesh.cell_region[c] as usize] > 0.0
            || resolved.cell_source.as_ref().is_some_and(|q| q[c] > 0.0)
    };
    if radiation || !eq.is_convective() || (0..t.len()).any(|c| eq.fluid_cell(c) && heated(c)) {
        return None;
    }
    let mut highest = (0..t.len())
        .filter(|&c| !eq.fluid_cell(c))
        .fold(f64::NEG_INFINITY, |m, c| m.max(t[c]));
    for (p, condition) in resolved.patch.iter().enumerate() {
        if mesh.patch_faces(p).is_empty() {
            continue;
        }
        match *condition {
            super::PatchCondition::Fixed(tb) | super::PatchCondition::Convective(_, tb) => {
                let faces = resolved.face_temperature[p].as_deref().unwrap_or(&[]);
                highest = faces.iter().fold(highest.max(tb), |m, &x| m.max(x));
            }
            super::PatchCondition::Flux(q) if q > 0.0 => {
                highest = mesh
                    .patch_faces(p)
                    .filter_map(|f| eq.heated_coolant_wall_temperature(f, t))
                    .fold(highest, f64::max);
            }
            _ => {}
        }
    }
    highest.is_finite().then_some(highest)
}

/// The maximum principle's bounds on a temperature field, where they apply: no cell colder than
/// the coldest supply (`floor`, [`lowest_supply_temperature`]), no coolant cell hotter than the
/// hottest thing that heats it (`ceiling`, [`highest_heating_temperature`]). A bounded scheme
/// keeps both; a second-order convection whose limiter is held from other temperatures, or an
/// unbounded deferred correction on a poor cell, can break either.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct SupplyBounds {
    floor: Option<f64>,
    ceiling: Option<f64>,
}

impl SupplyBounds {
    /// The lowest and highest temperatures `t` may take: each bound widened by `fraction` of
    /// the field's span beyond it, or by `least` kelvin, whichever is larger (−∞/+∞ without it).
    fn limits(&self, t: &[f64], fraction: f64, least: f64) -> (f64, f64) {
        let low = self.floor.map_or(f64::NEG_INFINITY, |floor| {
            let hottest = t.iter().fold(floor, |m, &x| m.max(x));
            floor - (fraction * (hottest - floor)).max(least)
        });
        let high = self.ceiling.map_or(f64::INFINITY, |ceiling| {
            let coldest = t.iter().fold(ceiling, |m, &x| m.min(x));
            ceiling + (fraction * (ceiling - coldest)).max(least)
        });
        (low, high)
    }
}

/// The maximum principle's bounds on the new level `t` of one implicit time step, whose time
/// derivative `ddt` (Euler or BDF2) has each cell's row read `D_c T_c + (spatial terms) =
/// D_c T*_c + …` with `T*_c = s_c / D_c`: the previous levels as the scheme holds the cell to
/// them (the previous level itself for Euler; BDF2's `((1+ω) T⁰ − ω²/(1+ω) T⁻¹)/a₀`, which may
/// lie outside both levels, so the previous level alone bounds no BDF2 step). `T*_c` is one more
/// neighbour with a positive coefficient, so a bounded scheme keeps the steady bounds of the
/// step's conditions (`resolved`, at the new time) widened to `T*`: with no sink anywhere no
/// cell is colder than the coldest supply or `T*_c` of any cell; with no source in the coolant
/// no coolant cell is hotter than the hottest solid cell (at the new level), wall or inlet, or
/// `T*_c` of any coolant cell. A steady bound that does not apply (`None`) stays so.
pub(super) fn step_supply_bounds(
    mesh: &Mesh,
    resolved: &Resolved,
    eq: &Conduction,
    t: &[f64],
    ddt: &crate::discretisation::FvMatrix,
    radiation: bool,
) -> SupplyBounds {
    let held = |c: usize| (ddt.diag[c] > 0.0).then(|| ddt.source[c] / ddt.diag[c]);
    let cells = 0..t.len();
    SupplyBounds {
        floor: lowest_supply_temperature(mesh, resolved, radiation)
            .map(|floor| cells.clone().filter_map(held).fold(floor, f64::min)),
        ceiling: highest_heating_temperature(mesh, resolved, eq, t, radiation).map(|ceiling| {
            cells
                .filter(|&c| eq.fluid_cell(c))
                .filter_map(held)
                .fold(ceiling, f64::max)
        }),
    }
}

/// What a user can change when the energy operator `eq`'s field leaves the maximum principle's
/// bounds: the mesh, and, when the coolant's convection is second order (`auto` or
/// `linear_upwind`), the first-order scheme, which is bounded by construction; with `upwind`
/// already in use, or no coolant, only the mesh is left (what remains unbounded is the
/// non-orthogonal corrections of poor cells).
fn unbounded_remedy(eq: &Conduction) -> &'static str {
    if eq.second_order_convection() {
        "improve the mesh near that point (Gmsh `Mesh.Optimize`/`Mesh.OptimizeNetgen`, `rackflow mesh check`) or solve with convection='upwind'"
    } else if eq.is_convective() {
        "the convection is first-order upwind already, so improve the mesh near that point (Gmsh `Mesh.Optimize`/`Mesh.OptimizeNetgen`, `rackflow mesh check`)"
    } else {
        "improve the mesh near that point (Gmsh `Mesh.Optimize`/`Mesh.OptimizeNetgen`, `rackflow mesh check`)"
    }
}

/// Why a field violates the maximum principle, if it does: a cell colder than the floor, or a
/// coolant cell hotter than the ceiling, by more than 5 % of the temperature span or 0.5 K,
/// whichever is larger. A bounded scheme cannot do that; an unbounded deferred correction on a
/// poor cell can (a convection limiter held from temperatures 20 K away once put a coolant cell
/// at 3.8 °C with the inlet at 35 °C; a second-order convection in a near-stagnant corner of the
/// corpus serpentine put one at 102.1 °C with the hottest solid at 64.5 °C).
pub(super) fn outside_supply_bounds(
    mesh: &Mesh,
    eq: &Conduction,
    t: &[f64],
    bounds: SupplyBounds,
) -> Option<(String, Option<[f64; 3]>)> {
    let (low, high) = bounds.limits(t, 0.05, 0.5);
    let region = |c: usize| &mesh.region_names[mesh.cell_region[c] as usize];
    if let Some(floor) = bounds.floor {
        let coldest = (0..t.len()).min_by(|&i, &j| t[i].total_cmp(&t[j]))?;
        if t[coldest] < low {
            let below = t.iter().filter(|&&x| x < low).count();
            return Some((format!(
                "the solution is colder than every wall, ambient and inlet temperature ({:.2} °C in region '{}' at {:?} m, {:.2} K below the coldest supply of {:.2} °C; {below} cells more than {:.2} K below), which no heat path allows: a deferred correction on poor cells is unbounded there; {}",
                t[coldest] - 273.15,
                region(coldest),
                mesh.cell_centre[coldest],
                floor - t[coldest],
                floor - 273.15,
                floor - low,
                unbounded_remedy(eq)
            ), Some(mesh.cell_centre[coldest])));
        }
    }
    let ceiling = bounds.ceiling?;
    let coolant = || (0..t.len()).filter(|&c| eq.fluid_cell(c));
    let hottest = coolant().max_by(|&i, &j| t[i].total_cmp(&t[j]))?;
    if t[hottest] <= high {
        return None;
    }
    let above = coolant().filter(|&c| t[c] > high).count();
    Some((format!(
        "the coolant is hotter than every solid, wall and inlet that can heat it ({:.2} °C in region '{}' at {:?} m, {:.2} K above the hottest of them at {:.2} °C; {above} coolant cells more than {:.2} K above), which no heat path allows: {}; {}",
        t[hottest] - 273.15,
        region(hottest),
        mesh.cell_centre[hottest],
        t[hottest] - ceiling,
        ceiling - 273.15,
        high - ceiling,
        if eq.second_order_convection() {
            "a second-order convection overshoots there (a near-stagnant corner or a poor cell)"
        } else {
            "the non-orthogonal corrections of poor cells overshoot there"
        },
        unbounded_remedy(eq)
    ), Some(mesh.cell_centre[hottest])))
}

/// A non-physical energy field says which flow it was solved on: the momentum scheme that flow
/// converged with and whether it stopped at a loose pass's tolerances (the energy on another
/// flow, or the same flow converged further, may be bounded).
fn on_flow(e: Error, outcome: &FlowOutcome, convection: ConvectionScheme) -> Error {
    match e {
        Error::Convergence(mut f)
            if f.status == Status::NonPhysical && f.equation == Equation::Energy =>
        {
            let scheme = match outcome.first_order_fallback {
                Some(alpha) => format!(
                    "first-order momentum at relaxation {alpha} after the second order did not converge"
                ),
                None if convection.second_order() => "second-order momentum".into(),
                None => "first-order momentum".into(),
            };
            let tolerances = if outcome.loose {
                ", solved to an early coupling pass's looser tolerances"
            } else {
                ""
            };
            let stationary = if outcome.flow.stationary.is_some() {
                ", a stationary state that did not converge"
            } else {
                ""
            };
            f.message = format!("{} (the flow: {scheme}{stationary}{tolerances})", f.message);
            Error::Convergence(f)
        }
        other => other,
    }
}

/// A failure inside a flow ↔ temperature coupling pass says which pass and which solve failed.
fn in_pass(e: Error, solve: &str, pass: usize) -> Error {
    match e {
        Error::Convergence(mut f) => {
            f.message = format!("coupling pass {pass}, {solve} solve: {}", f.message);
            Error::Convergence(f)
        }
        other => other,
    }
}

/// The energy equation's last iterate and residual on a failed solve (only finite temperatures:
/// a diverged field is no picture of anything).
fn energy_iterate(partial: &mut crate::error::PartialFields, t: &[f64], r: &[f64]) {
    if t.iter().all(|x| x.is_finite()) {
        partial.temperature_k = t.to_vec();
        partial.residual = r.to_vec();
    }
}

/// A failed flow solve's last iterate, moved from the fluid sub-mesh to the parent mesh.
fn flow_iterate_on_parent(
    e: Error,
    setup: &super::flow_setup::FlowSetup<'_>,
    mesh: &Mesh,
) -> Error {
    e.with_partial(|p| {
        if p.velocity_m_s.len() == setup.mesh.n_cells() {
            let sub = std::mem::take(p);
            *p = flow_fields_on_parent(&sub, setup, mesh);
        }
    })
}

/// Fluid sub-mesh fields on the parent mesh: zero velocity and residual, and the datum pressure,
/// off the coolant; absolute pressures.
fn flow_fields_on_parent(
    sub: &crate::error::PartialFields,
    setup: &super::flow_setup::FlowSetup<'_>,
    mesh: &Mesh,
) -> crate::error::PartialFields {
    let n = mesh.n_cells();
    let mut out = crate::error::PartialFields {
        temperature_k: sub.temperature_k.clone(),
        velocity_m_s: vec![[0.0; 3]; n],
        pressure_pa: vec![setup.pressure_datum_pa; n],
        residual: vec![0.0; if sub.residual.is_empty() { 0 } else { n }],
    };
    for (i, c) in setup.map.cells().enumerate() {
        out.velocity_m_s[c] = sub.velocity_m_s[i];
        out.pressure_pa[c] = sub.pressure_pa[i] + setup.pressure_datum_pa;
        if let Some(r) = sub.residual.get(i) {
            out.residual[c] = *r;
        }
    }
    out
}

/// The flow solver's settings from the case's; `loose` for a coupling pass whose properties will
/// still change (tolerances 100 times looser, at most 1e-3).
fn flow_settings(s: &super::Settings, loose: bool) -> crate::physics::flow::FlowSettings {
    let relax = |tol: f64| {
        if loose {
            (100.0 * tol).min(1e-3).max(tol)
        } else {
            tol
        }
    };
    crate::physics::flow::FlowSettings {
        second_order: s.convection.second_order(),
        velocity_relaxation: s.velocity_relaxation,
        velocity_tolerance: relax(s.velocity_tolerance),
        pressure_tolerance: relax(s.pressure_tolerance),
        mass_tolerance: relax(s.mass_tolerance),
        max_iterations: s.flow_max_iterations,
        non_orthogonal_correctors: s.non_orthogonal_correctors,
        non_orthogonal_limit: None,
        local_first_order: s.convection == ConvectionScheme::Auto,
        ..Default::default()
    }
}

/// Whether a flow solve's last iteration meets the case's (tight) tolerances.
fn meets_tight(s: &super::Settings, flow: &crate::physics::flow::FlowSolution) -> bool {
    flow.history
        .last()
        .is_some_and(|r| flow_settings(s, false).converged(r))
}

/// Every problem of the flow solver's settings.
fn flow_settings_problems(s: &super::Settings) -> Vec<String> {
    let mut problems = Vec::new();
    if !(s.velocity_relaxation > 0.0 && s.velocity_relaxation <= 1.0) {
        problems.push(format!(
            "settings.velocity_relaxation must lie in (0, 1], got {}",
            s.velocity_relaxation
        ));
    }
    for (name, v) in [
        ("velocity_tolerance", s.velocity_tolerance),
        ("pressure_tolerance", s.pressure_tolerance),
        ("mass_tolerance", s.mass_tolerance),
    ] {
        if !(v > 0.0 && v < 1.0) {
            problems.push(format!("settings.{name} must lie in (0, 1), got {v}"));
        }
    }
    if !(s.coupling_tolerance_k.is_finite() && s.coupling_tolerance_k > 0.0) {
        problems.push(format!(
            "settings.coupling_tolerance_k must be positive, got {}",
            s.coupling_tolerance_k
        ));
    }
    if s.max_coupling_passes == 0 {
        problems.push("settings.max_coupling_passes must be at least 1, got 0".to_string());
    }
    if s.non_orthogonal_correctors > 10 {
        problems.push(format!(
            "settings.non_orthogonal_correctors must lie in 0..=10, got {}",
            s.non_orthogonal_correctors
        ));
    }
    problems
}

/// Check everything about `case` on `mesh` that can be checked before solving — its thermal
/// part, its flow part (names, inlets and outlets, reachability), its radiation and every
/// setting — without solving anything, and report every problem in one error
/// ([`Error::Case`], or [`Error::Material`] when only material properties are wrong). What
/// `rackflow.Case.validate()` calls; [`solve`] runs the same checks first.
pub fn validate(mesh: &Mesh, case: &Case) -> Result<()> {
    validate_all(mesh, case, true).map(|_| ())
}

/// Check everything about a case that can be checked before solving — its thermal part, its
/// flow part, its radiation and every setting — and report every problem in one error, so that
/// a bad tolerance is not found after minutes of flow iterations. The flow set-up's own checks
/// run when something else failed or when `flow_setup` (a validation without a solve), since a
/// good case builds the set-up once, in the flow solve.
fn validate_all(mesh: &Mesh, case: &Case, flow_setup: bool) -> Result<Option<Resolved>> {
    let mut problems: Vec<String> = Vec::new();
    let mut material_only = true;
    let collect = |e: Error, problems: &mut Vec<String>| match e {
        Error::Case(m) | Error::Material(m) => {
            problems.extend(crate::error::split_problems(&m));
        }
        other => problems.push(other.to_string()),
    };
    let resolved = if needs_energy(case) {
        match Resolved::new(case, mesh) {
            Ok(r) => Some(r),
            Err(e) => {
                material_only &= matches!(e, Error::Material(_));
                collect(e, &mut problems);
                None
            }
        }
    } else {
        None
    };
    let radiation = crate::radiation::radiation_problems(mesh, &case.radiation_spec());
    material_only &= radiation.is_empty();
    problems.extend(radiation);
    if !case.fluids.is_empty() {
        let settings = flow_settings_problems(&case.settings);
        material_only &= settings.is_empty();
        problems.extend(settings);
        // the flow set-up's own checks (names, inlets and outlets, reachability)
        if flow_setup || !problems.is_empty() {
            if let Err(e) = super::flow_setup::resolve(case, mesh) {
                material_only &= matches!(e, Error::Material(_));
                collect(e, &mut problems);
            }
        }
    }
    if problems.is_empty() {
        return Ok(resolved);
    }
    // the thermal and flow checks may name the same unknown patch: list each problem once
    let mut seen = std::collections::HashSet::new();
    problems.retain(|p| seen.insert(p.clone()));
    let text = crate::error::problem_list(problems);
    Err(if material_only {
        Error::Material(text)
    } else {
        Error::Case(text)
    })
}

/// The flow problem with the k-ω SST model when the set-up asks for it.
fn with_turbulence<'m>(
    flow: crate::physics::flow::Flow<'m>,
    setup: &super::flow_setup::FlowSetup<'_>,
    case: &Case,
) -> crate::physics::flow::Flow<'m> {
    match &setup.turbulence_inlet {
        Some(inlet) => flow
            .with_turbulence(inlet.clone(), setup.viscosity.clone())
            .with_wall_treatment(
                setup
                    .coolant_of_cell
                    .iter()
                    .map(|&f| case.fluids[f].wall_treatment)
                    .collect(),
            ),
        None => flow,
    }
}

/// The flow part of a solution, on the parent mesh.
struct FlowOutcome<'m> {
    setup: super::flow_setup::FlowSetup<'m>,
    flow: crate::physics::flow::FlowSolution,
    time_s: f64,
    /// Whether the last flow solve stopped at the looser tolerances of an intermediate pass.
    loose: bool,
    /// The momentum relaxation of the first-order fallback, when the second-order solve did
    /// not converge (see [`solve_flow_retrying`]); later passes solve with it directly.
    first_order_fallback: Option<f64>,
    /// The bound of the non-orthogonal corrections of the attempt that converged (see
    /// [`solve_flow_retrying`]); later passes solve with it.
    non_orthogonal_limit: Option<f64>,
    /// Whether the flow started from an initial state at this case's inflow (whose energy
    /// corrections the energy solve may then hold).
    start_at_same_inflow: bool,
}

impl FlowOutcome<'_> {
    /// The momentum discretisation the flow converged with: the first-order fallback's
    /// relaxation and the non-orthogonal corrections' bound, when the attempts took either.
    fn momentum_scheme(&self) -> (Option<f64>, Option<f64>) {
        (self.first_order_fallback, self.non_orthogonal_limit)
    }
}

fn solve_flow<'m>(
    mesh: &'m Mesh,
    case: &Case,
    initial: &InitialState<'_>,
    loose: bool,
    monitor: &dyn Monitor,
) -> Result<FlowOutcome<'m>> {
    use crate::physics::flow::Flow;
    let start = Instant::now();
    let mut mark = Instant::now();
    let mut setup = super::flow_setup::resolve(case, mesh)?;
    crate::ptime("flow set-up", &mut mark);
    if let Some(t) = initial.temperature_k {
        // properties at the warm start's temperatures, as the coupling passes would set them
        setup.set_properties(case, t);
    }
    let s = &case.settings;
    let problems = flow_settings_problems(s);
    if !problems.is_empty() {
        return Err(Error::Case(crate::error::problem_list(problems)));
    }
    let (mut first, start_at_same_inflow) = match initial.flow_start(&setup) {
        Some((start, same)) => (Some(start), same),
        None => (None, false),
    };
    // a start at the same flow rate with temperatures (a restart) solves its first pass tight
    // (see `conjugate`)
    let loose = loose && !(start_at_same_inflow && initial.temperature_k.is_some());
    let mut settings = flow_settings(s, loose);
    // a start from a converged result at the same flow rate solves with the scheme that
    // converged there (as a coupling pass does), instead of repeating the attempts that failed
    let carried_fallback = match initial.momentum_scheme() {
        Some((second_order, relaxation, limit))
            if start_at_same_inflow && s.convection == ConvectionScheme::Auto =>
        {
            let alpha = relaxation.map_or(settings.velocity_relaxation, |a| {
                a.min(settings.velocity_relaxation)
            });
            settings.non_orthogonal_limit = limit.or(settings.non_orthogonal_limit);
            (!second_order && settings.second_order).then(|| {
                settings.second_order = false;
                settings.velocity_relaxation = alpha;
                alpha
            })
        }
        _ => None,
    };
    let flow = with_turbulence(
        Flow::new(
            &setup.mesh,
            setup.density.clone(),
            setup.viscosity.clone(),
            setup.bc.clone(),
        ),
        &setup,
        case,
    );
    crate::ptime("flow operators", &mut mark);
    if let Some(start) = first.as_mut() {
        // outlets hold their pressure from the first iteration on
        for p in 0..setup.mesh.n_patches() {
            if let crate::physics::flow::FlowBc::Outlet(pressure) = setup.bc[p] {
                let ni = setup.mesh.n_internal_faces;
                for f in setup.mesh.patch_faces(p) {
                    start.boundary_pressure[f - ni] = pressure;
                }
            }
        }
        flow.extrapolate_boundary_pressure(start);
    }
    let (solved, first_order_fallback, non_orthogonal_limit) =
        solve_flow_retrying(&flow, &settings, s.convection, monitor, first)
            .map_err(|e| flow_iterate_on_parent(e, &setup, mesh))?;
    crate::ptime("flow solve", &mut mark);
    // an outlet that takes coolant in overall means inlet and outlet are swapped or the outlet is misplaced
    for p in 0..setup.mesh.n_patches() {
        if let crate::physics::flow::FlowBc::Outlet(_) = setup.bc[p] {
            let out: f64 = setup.mesh.patch_faces(p).map(|f| solved.mass_flux[f]).sum();
            if out < -1e-6 * flow.inflow().max(f64::MIN_POSITIVE) {
                return Err(Error::Case(format!(
                    "outlet '{}' takes in {:.3e} kg/s of coolant overall: check which patch is the inlet",
                    setup.mesh.patch_names[p], -out
                )));
            }
        }
    }
    Ok(FlowOutcome {
        first_order_fallback: first_order_fallback.or(carried_fallback),
        non_orthogonal_limit,
        start_at_same_inflow,
        setup,
        loose: loose && !meets_tight(s, &solved),
        flow: solved,
        time_s: start.elapsed().as_secs_f64(),
    })
}

impl<'m> FlowOutcome<'m> {
    /// The mass flux on every parent face (zero off the coolant).
    fn parent_mass_flux(&self, mesh: &Mesh) -> Vec<f64> {
        let mut flux = vec![0.0; mesh.n_faces()];
        for (i, (f, flipped)) in self.setup.map.faces().enumerate() {
            // interfaces to solids carry no flux; boundary faces keep their outward sign
            flux[f] = if flipped {
                -self.flow.mass_flux[i]
            } else {
                self.flow.mass_flux[i]
            };
        }
        flux
    }

    /// The turbulent viscosity on every parent cell (zero off the coolant; empty when laminar).
    fn parent_turbulent_viscosity(&self, mesh: &Mesh) -> Vec<f64> {
        if self.flow.turbulent_viscosity.is_empty() {
            return Vec::new();
        }
        let mut mu_t = vec![0.0; mesh.n_cells()];
        for (i, c) in self.setup.map.cells().enumerate() {
            mu_t[c] = self.flow.turbulent_viscosity[i];
        }
        mu_t
    }

    /// The wall faces of a turbulent coolant on the parent mesh, with what the energy
    /// equation's thermal wall function needs (empty when laminar).
    fn thermal_walls(&self, mesh: &Mesh, case: &Case) -> Vec<crate::physics::energy::ThermalWall> {
        use crate::physics::energy::C_MU;
        use crate::physics::flow::FlowBc;
        if self.flow.k.is_empty() {
            return Vec::new();
        }
        let mut law =
            vec![crate::physics::energy::ThermalWallFunction::default(); mesh.region_names.len()];
        let mut treatment =
            vec![crate::physics::flow::WallTreatment::default(); mesh.region_names.len()];
        for f in &case.fluids {
            if let Some(r) = mesh.region_index(&f.region) {
                law[r] = f.thermal_wall_function;
                treatment[r] = f.wall_treatment;
            }
        }
        let sub = &self.setup.mesh;
        let cells: Vec<usize> = self.setup.map.cells().collect();
        let faces: Vec<usize> = self.setup.map.faces().map(|(f, _)| f).collect();
        let ni = sub.n_internal_faces;
        let cmu25 = C_MU.powf(0.25);
        (ni..sub.n_faces())
            .filter(|&f| matches!(self.setup.bc[sub.patch_of_face(f)], FlowBc::Wall(_)))
            .map(|f| {
                let c = sub.owner[f] as usize;
                let region = mesh.cell_region[cells[c]] as usize;
                // the blended treatment's thermal law sits at the y⁺ of its wall shear
                // (Spalding's law at the cell's speed), the switching one's at the k-based y⁺
                let shear = self
                    .flow
                    .wall_y_plus
                    .get(f - ni)
                    .filter(|_| treatment[region].is_blended());
                let u_star = match shear {
                    Some(&y_plus) => {
                        y_plus * self.setup.viscosity[c]
                            / (self.setup.density[c]
                                * crate::discretisation::owner_distance(sub, f))
                    }
                    None => cmu25 * self.flow.k[c].max(0.0).sqrt(),
                };
                crate::physics::energy::ThermalWall {
                    face: faces[f],
                    cell: cells[c],
                    u_star,
                    density: self.setup.density[c],
                    viscosity: self.setup.viscosity[c],
                    law: law[region],
                    resolves_sublayer: treatment[region].resolves_sublayer(),
                }
            })
            .collect()
    }

    /// Re-solve the flow with properties at the given (parent-mesh) temperatures, warm-started.
    fn with_temperature(
        mut self,
        mesh: &Mesh,
        case: &Case,
        t: &[f64],
        loose: bool,
        monitor: &dyn Monitor,
    ) -> Result<FlowOutcome<'m>> {
        use crate::physics::flow::Flow;
        let start = Instant::now();
        self.setup.set_properties(case, t);
        let s = &case.settings;
        let mut settings = flow_settings(s, loose);
        if let Some(alpha) = self.first_order_fallback {
            settings.second_order = false;
            settings.velocity_relaxation = alpha;
        }
        settings.non_orthogonal_limit = self.non_orthogonal_limit;
        let flow = with_turbulence(
            Flow::new(
                &self.setup.mesh,
                self.setup.density.clone(),
                self.setup.viscosity.clone(),
                self.setup.bc.clone(),
            ),
            &self.setup,
            case,
        );
        let mut initial = self.flow.clone();
        initial.history.clear();
        // the coolant properties changed: the limiter is computed afresh for them; the relaxation
        // the last pass's second-order flow converged at is kept, so that its first attempt is
        // the one that converged (`solve_flow_retrying`'s carried relaxation) and not again the
        // probe at the settings' relaxation that stalled before it: a user's U-channel plate
        // (117,222 tetrahedra, SST) converged at 0.675 in pass 1 after 2,223 iterations at 0.9,
        // and pass 2 spent 1,442 more at 0.9 before the same stall (stop 33)
        //
        // A turbulent flow keeps the switches its last solve ended with (`FlowSolution::
        // held_limiter`, `held_turbulence_limiter`, `wall_log_layer`; the branches were always
        // carried): each pass then solves the same discretisation at new properties, and the
        // passes' flows differ by the properties only. Recomputed, each pass left the pass
        // before's fixed point and held them at whatever iterate its own stall came: a user's
        // U-channel plate at 0.57 mm (SST, water at 1 L/min) took 1,000–2,600 flow iterations
        // a pass and had not settled after 8 passes (energy's initial residual 2.9e-2 … 2.8e-3);
        // carried, 1–301 a pass and settled in 10 passes, 114 CPU s (stop 34). Carried for
        // laminar flows too (stop 36, branch `net`), the corpus serpentine with temperature-
        // dependent PG25 settled where its last bits made a period-two cycle, but a warm start
        // then differed from a cold solve by 7e-3 K on a hexahedral channel (each holds its own
        // pass-1 limiter): not taken
        if !flow.is_turbulent() {
            initial.held_limiter.clear();
        }
        let (solved, fallback, limit) =
            solve_flow_retrying(&flow, &settings, s.convection, monitor, Some(initial))
                .map_err(|e| flow_iterate_on_parent(e, &self.setup, mesh))?;
        self.first_order_fallback = self.first_order_fallback.or(fallback);
        self.non_orthogonal_limit = limit;
        self.loose = loose && !meets_tight(s, &solved);
        let mut history = std::mem::take(&mut self.flow.history);
        history.extend(solved.history.iter().copied());
        self.flow = solved;
        self.flow.iterations = history.len();
        self.flow.history = history;
        self.time_s += start.elapsed().as_secs_f64();
        Ok(self)
    }

    fn attach(self, mesh: &Mesh, solution: &mut Solution) {
        let sub = &self.setup.mesh;
        let map = &self.setup.map;
        let n = mesh.n_cells();
        let mut velocity = vec![[0.0; 3]; n];
        let mut pressure = vec![0.0; n];
        for (i, c) in map.cells().enumerate() {
            velocity[c] = self.flow.velocity[i];
            pressure[c] = self.flow.pressure[i] + self.setup.pressure_datum_pa;
        }
        let mut mass_flux = vec![0.0; mesh.n_faces()];
        for (i, (f, flipped)) in map.faces().enumerate() {
            mass_flux[f] = if flipped {
                -self.flow.mass_flux[i]
            } else {
                self.flow.mass_flux[i]
            };
        }
        let mut inflow = vec![0.0; mesh.n_patches()];
        let mut total = vec![f64::NAN; mesh.n_patches()];
        let mut statics = vec![f64::NAN; mesh.n_patches()];
        for sp in 0..sub.n_patches() {
            let Some(p) = mesh.patch_index(&sub.patch_names[sp]) else {
                continue;
            };
            let (mut area, mut pt, mut ps, mut m) = (0.0, 0.0, 0.0, 0.0);
            for f in sub.patch_faces(sp) {
                let a = crate::mesh::norm(sub.face_area[f]);
                let c = sub.owner[f] as usize;
                let rho = self.setup.density[c];
                let pb = self.flow.boundary_pressure[f - sub.n_internal_faces]
                    + self.setup.pressure_datum_pa;
                // face velocity from the mass flux (exact normal component) for the dynamic pressure
                let un = self.flow.mass_flux[f] / (rho * a);
                pt += a * (pb + 0.5 * rho * un * un);
                ps += a * pb;
                area += a;
                m -= self.flow.mass_flux[f];
            }
            inflow[p] = m;
            if area > 0.0 {
                total[p] = pt / area;
                statics[p] = ps / area;
            }
        }
        solution.mass_imbalance = self.flow.history.last().map_or(0.0, |h| h[4]);
        solution.report.flow_model = if self.flow.k.is_empty() {
            "laminar".into()
        } else {
            let mut mu_t = vec![0.0; n];
            let mut y_plus = vec![0.0f64; n];
            for (i, c) in map.cells().enumerate() {
                mu_t[c] = self.flow.turbulent_viscosity[i];
            }
            let cells: Vec<usize> = map.cells().collect();
            for (i, &yp) in self.flow.wall_y_plus.iter().enumerate() {
                let c = cells[sub.owner[sub.n_internal_faces + i] as usize];
                y_plus[c] = y_plus[c].max(yp);
            }
            let mut by_patch = std::collections::BTreeMap::new();
            for sp in 0..sub.n_patches() {
                if !matches!(self.setup.bc[sp], crate::physics::flow::FlowBc::Wall(_)) {
                    continue;
                }
                let (mut lo, mut hi, mut sum, mut area) = (f64::INFINITY, 0.0f64, 0.0, 0.0);
                for f in sub.patch_faces(sp) {
                    let Some(&yp) = self.flow.wall_y_plus.get(f - sub.n_internal_faces) else {
                        continue;
                    };
                    let a = crate::mesh::norm(sub.face_area[f]);
                    lo = lo.min(yp);
                    hi = hi.max(yp);
                    sum += a * yp;
                    area += a;
                }
                if area > 0.0 {
                    by_patch.insert(sub.patch_names[sp].clone(), [lo, sum / area, hi]);
                }
            }
            solution.report.y_plus_by_patch = by_patch;
            let mut k = vec![0.0; n];
            let mut omega = vec![0.0; n];
            for (i, c) in map.cells().enumerate() {
                k[c] = self.flow.k[i];
                omega[c] = self.flow.omega[i];
            }
            solution.turbulent_viscosity_pa_s = mu_t;
            solution.y_plus = y_plus;
            solution.turbulence_k = k;
            solution.turbulence_omega = omega;
            "k-omega-sst".into()
        };
        solution.velocity_m_s = velocity;
        solution.pressure_pa = pressure;
        solution.mass_flux_kg_s = mass_flux;
        solution.patch_mass_flow_kg_s = inflow;
        solution.patch_total_pressure_pa = total;
        solution.patch_static_pressure_pa = statics;
        solution.report.flow_iterations = self.flow.iterations;
        solution.report.flow_first_order_fallback = self.first_order_fallback;
        solution.report.flow_first_order_cells = self.flow.first_order_cells.len();
        solution.report.flow_stationary = self.flow.stationary;
        if !self.flow.first_order_cells.is_empty() {
            let cells: Vec<usize> = map.cells().collect();
            let mut first_order = vec![0.0; n];
            for &c in &self.flow.first_order_cells {
                first_order[cells[c as usize]] = 1.0;
            }
            solution.momentum_first_order = first_order;
        }
        if !self.flow.held_limiter.is_empty() {
            let mut limiter = vec![[1.0; 3]; n];
            for (i, c) in map.cells().enumerate() {
                limiter[c] = self.flow.held_limiter[i];
            }
            solution.momentum_limiter = limiter;
        }
        solution.momentum_relaxation = self.first_order_fallback.or(self.flow.relaxation);
        solution.momentum_first_order_fallback = self.first_order_fallback.is_some();
        solution.momentum_non_orthogonal_limit = self.non_orthogonal_limit;
        if !self.flow.held_turbulence_limiter.is_empty() {
            let mut limiter = vec![[1.0; 3]; n];
            for (i, c) in map.cells().enumerate() {
                limiter[c] = self.flow.held_turbulence_limiter[i];
            }
            solution.turbulence_limiter = limiter;
        }
        if !self.flow.wall_log_layer.is_empty() {
            let ni = sub.n_internal_faces;
            let mut log_layer = vec![0.0; mesh.n_faces()];
            for (i, (f, _)) in map.faces().enumerate().skip(ni) {
                if self
                    .flow
                    .wall_log_layer
                    .get(i - ni)
                    .copied()
                    .unwrap_or(false)
                {
                    log_layer[f] = 1.0;
                }
            }
            solution.wall_log_layer = log_layer;
        }
        solution.report.flow_history = self.flow.history;
        solution.report.flow_time_s = self.time_s;
    }
}

/// The energy system's preconditioner: a self-contained one, or the conjugate one that needs the
/// current matrix at each solve.
pub(super) enum EnergyPreconditioner {
    Plain(Box<dyn Preconditioner>),
    Conjugate(Box<SolidCorrectedIlu>),
}

impl EnergyPreconditioner {
    /// The preconditioner for a solve with the matrix `a` (the conjugate one needs it).
    pub(super) fn bind<'a>(&'a self, a: &'a crate::linalg::Csr) -> BoundEnergyPreconditioner<'a> {
        match self {
            EnergyPreconditioner::Plain(m) => BoundEnergyPreconditioner::Plain(m.as_ref()),
            EnergyPreconditioner::Conjugate(m) => {
                BoundEnergyPreconditioner::Conjugate(m.with_matrix(a))
            }
        }
    }
}

/// [`EnergyPreconditioner`] bound to the matrix of one solve.
pub(super) enum BoundEnergyPreconditioner<'a> {
    Plain(&'a dyn Preconditioner),
    Conjugate(crate::linalg::BoundSolidCorrectedIlu<'a>),
}

impl Preconditioner for BoundEnergyPreconditioner<'_> {
    fn apply(&self, r: &[f64], z: &mut [f64]) {
        match self {
            BoundEnergyPreconditioner::Plain(m) => m.apply(r, z),
            BoundEnergyPreconditioner::Conjugate(m) => m.apply(r, z),
        }
    }
}

/// The preconditioner of the energy system `a`.
pub(super) fn energy_preconditioner(
    eq: &Conduction,
    a: &Arc<crate::linalg::Csr>,
    settings: &super::Settings,
    report: &mut SolveReport,
) -> EnergyPreconditioner {
    if settings.preconditioner == PreconditionerKind::Jacobi {
        EnergyPreconditioner::Plain(Box::new(Jacobi::new(a)))
    } else if eq.is_convective() {
        // advection makes the system non-symmetric and convection-dominated in the coolant
        // (ILU), the copper conduction-dominated (multigrid on the solid block)
        let advected: Vec<bool> = (0..a.n_rows).map(|c| eq.fluid_cell(c)).collect();
        let ilu_amg = SolidCorrectedIlu::new(a, &advected);
        report.multigrid_levels = ilu_amg.multigrid_levels();
        EnergyPreconditioner::Conjugate(Box::new(ilu_amg))
    } else {
        let amg = Amg::shared(Arc::clone(a), AmgSettings::conduction());
        report.multigrid_levels = amg.stats().sizes;
        EnergyPreconditioner::Plain(Box::new(amg))
    }
}

/// Outer passes without a tenfold drop of the residual after which the deferred-correction
/// iteration counts as stalled and Newton–Krylov takes over.
const STALL_PASSES: usize = 30;

/// Rounds of local first-order convection (see [`Conduction::first_order_in`]) one energy solve
/// may take for stalled passes.
const LOCAL_FIRST_ORDER_ROUNDS: usize = 6;

/// Rounds of local first-order convection one energy solve may take for coolant cells a
/// converged field leaves outside the maximum principle's bounds ([`SupplyBounds`]).
const BOUNDS_REPAIR_ROUNDS: usize = 3;

/// Stall rounds that take the stalled cells alone; later ones take their face neighbours too.
/// Cells alone kept the corpus microchannel manifold's repair to 2,542–5,445 coolant cells
/// (7,600 with neighbours from the first round); the two-inlet plate needed the neighbours.
const CELLS_ALONE_ROUNDS: usize = 4;

/// The stall window after a round of cold-cell repair: the system is then linear (limiter held),
/// and what stalls is slow, steady deferred-correction convergence (0.96 a pass in the solid lid
/// of the corpus microchannel manifold), which Newton–Krylov finishes in a few steps.
const LOCAL_STALL_PASSES: usize = 15;

/// A cell whose residual is at least this fraction of the largest is part of a stalled region.
const STALLED_RESIDUAL_FRACTION: f64 = 0.01;

/// Newton–Krylov steps without a tenfold drop of the residual after which it gives up.
const NEWTON_STALL_STEPS: usize = 5;

/// Memory for the Newton–Krylov fallback's GMRES basis, bytes.
const GMRES_BASIS_BYTES: usize = 256 << 20;

/// Most GMRES iterations of a Newton–Krylov step, restarted when the basis is smaller: the
/// largest basis (300 vectors, meshes up to 1.1e5 cells, which never restart).
const NEWTON_KRYLOV_ITERATIONS: usize = 300;

/// Memory for the Newton–Krylov fallback's explicit Jacobian and its preconditioner, bytes …
const JACOBIAN_BYTES: usize = 256 << 20;

/// … per entry of the Jacobian: its values and columns …
const MATRIX_BYTES_PER_ENTRY: usize = 12;

/// … and with its own preconditioner: the flow-ordered copy (12) and ILU(0) factors (8), the
/// solid block's multigrid (8, an estimate: its coarse levels and their single-precision
/// copies). The corpus
/// microchannel plate's 1.5e6 entries raised the resident memory by 28 MB (19 B an entry, the
/// compact preconditioner freed); at 1e6 tetrahedra (1.8e7 entries) only the matrix fits.
const PRECONDITIONED_BYTES_PER_ENTRY: usize = 40;

/// Most colours (right-hand sides) a probed Jacobian may cost: one step's worth of the largest
/// Krylov basis. It is kept for the whole Newton call (7–10 steps on the corpus plates), so it
/// pays even where the memory budget gives a smaller basis (32 vectors at 1e6 cells).
const PROBE_COLOURS: usize = 300;

/// A lagged Newton–Krylov step that left more than this fraction of the residual before it (cut
/// it less than 5×) has the held linearisation's explicit matrix probed afresh for the next one
/// (the inexact Newton step asks for a tenth; on the corpus microchannel plate every step kept
/// the matrix of the first).
const REPROBE_CONTRACTION: f64 = 0.2;

/// The bounds repair's margin in a tight energy solve, (fraction of the span, least kelvin):
/// well inside what [`outside_supply_bounds`] rejects (the corpus microchannel manifold kept a
/// coolant cell 0.71 K below its inlet in a 30 K span at 2.5 %).
const REPAIR_MARGIN: (f64, f64) = (0.01, 0.25);

/// The bounds repair's margin in a loose coupling pass, whose small excursions the tight passes
/// after it repair (they hold its limiter): only a field outside the bounds by more than its
/// whole span is repaired there, an iterate no later pass starts well from. The example U-channel
/// plate at 0.57 mm with its inlet at 30.001 °C left the first (loose) pass's Newton–Krylov with
/// a coolant cell at −301 °C, and the solve failed (stop 36).
const LOOSE_REPAIR_MARGIN: (f64, f64) = (1.0, 1.0);

/// Coolant cells outside `bounds` by more than `margin` (fraction of the field's span, least
/// kelvin; [`REPAIR_MARGIN`] or [`LOOSE_REPAIR_MARGIN`]).
fn out_of_bounds_coolant_cells(
    eq: &Conduction,
    t: &[f64],
    bounds: SupplyBounds,
    margin: (f64, f64),
) -> Vec<usize> {
    if bounds == SupplyBounds::default() {
        return Vec::new();
    }
    let (low, high) = bounds.limits(t, margin.0, margin.1);
    (0..t.len())
        .filter(|&c| eq.fluid_cell(c) && (t[c] < low || t[c] > high))
        .collect()
}

/// The bounds repair of the coolant cells `outside` the maximum principle's bounds at `t`, as
/// (cells made first order, other changes). Where the scheme allows first order
/// (`may_lower_order`): first order in those cells and their neighbours, and two-point faces.
/// Where it does not (`linear_upwind` asked for): the held limiter lowered there to the
/// field's own Barth–Jespersen factors ([`Conduction::tighten_limiter_in`]), still the
/// second order asked for.
fn repair_bounds(
    eq: &mut Conduction,
    outside: &[usize],
    t: &[f64],
    may_lower_order: bool,
) -> (usize, usize) {
    if may_lower_order {
        (eq.first_order_in(outside, true), eq.two_point_in(outside))
    } else {
        (0, eq.tighten_limiter_in(outside, t))
    }
}

/// Coolant cells where a stalled iteration's residual `r` is at least
/// [`STALLED_RESIDUAL_FRACTION`] of its largest anywhere.
fn stalled_coolant_cells(eq: &Conduction, r: &[f64]) -> Vec<usize> {
    let worst = r.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    (0..r.len())
        .filter(|&c| eq.fluid_cell(c) && r[c].abs() >= STALLED_RESIDUAL_FRACTION * worst)
        .collect()
}

/// Newton–Krylov on the energy residual `F(T) = b(T) − A(T) T`, from `t`: each step solves
/// `J δ = F` by GMRES with `J v` a directional difference of the residual (exact for a linear
/// system with deferred corrections, whose operator no stored matrix holds), preconditioned as
/// the passes are. Where the deferred corrections of a badly skewed mesh outweigh the implicit
/// part, the passes' fixed-point iteration stalls or diverges; GMRES needs no contraction. The
/// discretisation is the passes' except at region interfaces, whose gradients each evaluation
/// recomputes from the temperatures alone in two passes (the passes keep iterating them), so that
/// `F` is a function: on a jittered two-region tetrahedral box the answers differ by 2e-7 of the
/// temperature rise, on a single region by round-off. A held (linear) Jacobian that fits in
/// [`JACOBIAN_BYTES`] is made an explicit matrix by coloured probing ([`crate::linalg::Probing`]
/// on [`Conduction::jacobian_pattern`]) and kept while its steps contract. Returns whether the
/// residual reached the tolerance.
#[allow(clippy::too_many_arguments)]
fn newton_krylov(
    eq: &mut Conduction,
    a: &mut Arc<crate::linalg::Csr>,
    b: &mut [f64],
    r: &mut [f64],
    t: &mut [f64],
    settings: &super::Settings,
    report: &mut SolveReport,
    monitor: &dyn Monitor,
) -> Result<bool> {
    let n = t.len();
    let affine = eq.is_affine();
    // a nonlinear system inside the operator (k(T), c_p(T), a live limiter) takes the Picard
    // Jacobian (see `Conduction::lag_linearisation`): a Krylov vector costs one right-hand side,
    // not one assembly
    let lagged = !affine && eq.can_lag();
    let stop = || monitor.should_stop();
    let mut preconditioner: Option<EnergyPreconditioner> = None;
    let mut scratch = (!affine && !lagged).then(|| (**a).clone());
    let mut perturbed_t = vec![0.0; n];
    let mut perturbed_b = vec![0.0; n];
    let mut b0 = vec![0.0; n];
    // the Krylov basis: up to 300 vectors within about 256 MB (the skewed pin-fin plate needed
    // 90–130 per step; the corpus microchannel plate's first steps 180–220: capped at 150 they
    // never reached their tenth, and the Newton steps cut the residual 2.2× instead of 10×)
    let restart = (GMRES_BASIS_BYTES / (8 * n.max(1))).clamp(20, 300);
    // the held operator is linear: made an explicit matrix by coloured probing, one right-hand
    // side per colour (47 on the corpus microchannel plate's 8.5e4 tetrahedra, against 180–220
    // Krylov vectors a step), its Krylov products are sparse products; a conjugate system is
    // preconditioned by its own ILU(0) + solid multigrid, which the compact matrix's only
    // approximates (the Krylov vectors a step halve)
    let probing = (affine || lagged)
        .then(|| crate::linalg::Probing::new(&eq.jacobian_pattern(a)))
        .filter(|p| {
            MATRIX_BYTES_PER_ENTRY * p.nnz() <= JACOBIAN_BYTES && p.n_colours() <= PROBE_COLOURS
        });
    let own_preconditioner = eq.is_convective()
        && probing
            .as_ref()
            .is_some_and(|p| PRECONDITIONED_BYTES_PER_ENTRY * p.nnz() <= JACOBIAN_BYTES);
    let advected: Vec<bool> = (0..n).map(|c| eq.fluid_cell(c)).collect();
    let mut jacobian: Option<(crate::linalg::Csr, Option<SolidCorrectedIlu>)> = None;
    let mut previous_res = f64::INFINITY;
    if affine {
        // b(T) = b(0) + N T: the correction operator is N v = b(v) − b(0)
        eq.reset_gradient();
        eq.assemble_source(&vec![0.0; n], &mut b0);
    }
    for step in 0..settings.max_iterations {
        if affine {
            eq.reset_gradient();
            eq.assemble_source(t, b);
        } else {
            preconditioner = None; // the hierarchy shares the matrix: let go before assembling
            eq.reset_gradient();
            eq.assemble(t, Arc::make_mut(a), b);
        }
        let (r_norm, scale) = residual_and_normalisation(a, b, t, r);
        let res = r_norm / scale;
        report.residual_history.push(res);
        report.outer_iterations += 1;
        monitor.progress(report.outer_iterations, &[("energy", res)]);
        if !res.is_finite() {
            return Err(Error::convergence(
                Status::Diverged,
                Equation::Energy,
                format!("energy Newton–Krylov step {step}: residual {res:e}"),
                report.residual_history.clone(),
            ));
        }
        if res <= settings.tolerance {
            return Ok(true);
        }
        // no tenfold drop in NEWTON_STALL_STEPS steps: give up rather than grind on (a case the
        // passes and Newton–Krylov both fail on should fail in reasonable time)
        let history = &report.residual_history;
        if step >= NEWTON_STALL_STEPS && res > 0.1 * history[history.len() - 1 - NEWTON_STALL_STEPS]
        {
            return Ok(false);
        }
        if lagged {
            eq.lag_linearisation(t);
            eq.reset_gradient();
            eq.assemble_source(&vec![0.0; n], &mut b0);
            // the held linearisation moves little from step to step: its explicit matrix is
            // kept while the steps it gives still contract (a chord step solves with it)
            if res > REPROBE_CONTRACTION * previous_res {
                jacobian = None;
            }
        }
        previous_res = res;
        if jacobian.as_ref().is_none_or(|(_, own)| own.is_none()) {
            preconditioner.get_or_insert_with(|| energy_preconditioner(eq, a, settings, report));
        }
        let base = r.to_vec();
        let t_norm = crate::linalg::norm(t);
        let a_ref: &crate::linalg::Csr = a;
        let t_ref: &[f64] = t;
        let mut matrix_free = |v: &[f64], out: &mut [f64]| {
            if affine || lagged {
                // J v = A v − N v
                eq.reset_gradient();
                eq.assemble_source(v, &mut perturbed_b);
                a_ref.mul_vec(v, out);
                for i in 0..n {
                    out[i] -= perturbed_b[i] - b0[i];
                }
                return;
            }
            let v_norm = crate::linalg::norm(v);
            if v_norm == 0.0 {
                out.iter_mut().for_each(|o| *o = 0.0);
                return;
            }
            let eps = f64::EPSILON.sqrt() * (1.0 + t_norm) / v_norm;
            for i in 0..n {
                perturbed_t[i] = t_ref[i] + eps * v[i];
            }
            let scratch = scratch
                .as_mut()
                .expect("a scratch matrix for nonlinear systems");
            eq.reset_gradient();
            eq.assemble(&perturbed_t, scratch, &mut perturbed_b);
            // J v = (A(T+εv)(T+εv) − b(T+εv) − (A T − b)) / ε, with A T − b = −base
            scratch.mul_vec(&perturbed_t, out);
            for i in 0..n {
                out[i] = (out[i] - perturbed_b[i] + base[i]) / eps;
            }
        };
        if let Some(p) = probing.as_ref().filter(|_| jacobian.is_none()) {
            let mut tp = Instant::now();
            let j = p.matrix(&mut matrix_free);
            let own = own_preconditioner.then(|| SolidCorrectedIlu::new(&j, &advected));
            crate::ptime("newton-krylov probing", &mut tp);
            jacobian = Some((j, own));
        }
        let mut explicit = |v: &[f64], out: &mut [f64]| {
            if let Some((j, _)) = &jacobian {
                j.mul_vec(v, out);
            }
        };
        let apply: &mut dyn FnMut(&[f64], &mut [f64]) = if jacobian.is_some() {
            &mut explicit
        } else {
            &mut matrix_free
        };
        let own = jacobian
            .as_ref()
            .and_then(|(j, own)| own.as_ref().map(|m| m.with_matrix(j)));
        let compact = preconditioner.as_ref().map(|m| m.bind(a_ref));
        let m: &dyn Preconditioner = if let Some(own) = &own {
            own
        } else if let Some(compact) = &compact {
            compact
        } else {
            return Err(Error::Case("no Newton–Krylov preconditioner".into()));
        };
        let mut delta = vec![0.0; n];
        // an inexact Newton step: a tenth of the current residual, or the final tolerance
        let target = (0.1 * r_norm).max(0.5 * settings.tolerance * scale);
        let limits = crate::linalg::GmresSettings {
            restart,
            // a basis the memory budget keeps small (31 vectors at 1e6 cells) restarts instead
            // of ending the step at its first cycle: on the corpus serpentine's 1e6 tetrahedra
            // (first-order energy) the steps so capped cut the residual about 2× instead of 10×,
            // and Newton–Krylov gave up at 1.2e-7 against the tolerance 1e-10
            max_iterations: restart.max(NEWTON_KRYLOV_ITERATIONS),
            tolerance: target,
        };
        let info = crate::linalg::gmres(apply, &base, &mut delta, m, limits, &stop);
        if lagged {
            eq.release_linearisation();
        }
        let info = info?;
        report.linear_iterations.push(info.iterations);
        for (ti, di) in t.iter_mut().zip(&delta) {
            *ti += di;
        }
    }
    Ok(false)
}

/// The energy solve; `start` (per-cell temperatures, K) replaces the uniform initial temperature;
/// `loose` (a coupling pass whose flow will still change) stops at a looser tolerance.
#[allow(clippy::too_many_arguments)]
fn run(
    mesh: &Mesh,
    case: &Case,
    resolved: Resolved,
    convection: Option<crate::physics::energy::Convection>,
    start_temperature: Option<&[f64]>,
    loose: bool,
    monitor: &dyn Monitor,
    threads: usize,
    frozen: Option<&mut crate::physics::energy::FrozenCorrections>,
) -> Result<Solution> {
    let start = Instant::now();
    let mut loosened = case.settings.clone();
    if loose {
        loosened.tolerance = (1e4 * loosened.tolerance).min(1e-6).max(loosened.tolerance);
        loosened.linear_tolerance = None;
    }
    let settings = &loosened;
    let n = mesh.n_cells();
    let initial = settings.initial_temperature_k.unwrap_or_else(|| {
        let refs: Vec<f64> = resolved
            .patch
            .iter()
            .filter_map(|c| match *c {
                super::PatchCondition::Fixed(t) | super::PatchCondition::Convective(_, t) => {
                    Some(t)
                }
                _ => None,
            })
            .collect();
        if refs.is_empty() {
            // no wall or ambient temperature (radiation only): start at room temperature
            293.15
        } else {
            refs.iter().sum::<f64>() / refs.len() as f64
        }
    });
    let mut tp = Instant::now();
    let (mut eq, mut radiation) = energy_operator(mesh, case, &resolved, convection, monitor)?;
    // a coupling pass holds what the pass before it froze: otherwise each pass freezes afresh
    // where its own iterations stall and solves a slightly different problem, and the passes
    // never settle (the corpus serpentine plateaued at 1–5 K a pass for 30 passes)
    let carried_first_order = frozen.as_deref().map_or(0, |f| f.first_order_cells);
    let tighten_first = frozen.as_deref().is_some_and(|f| {
        eq.hold_corrections(f);
        f.wants_tightening()
    });
    crate::ptime("conduction new", &mut tp);
    let mut t = match start_temperature {
        Some(start) => start.to_vec(),
        None => vec![initial; n],
    };
    // shared with the multigrid hierarchy, which then needs no copy of its finest level
    let mut a = Arc::new(eq.new_matrix());
    crate::release_free_memory(); // the operator set-up's temporaries, before the hierarchy
    crate::ptime("new_matrix", &mut tp);
    let mut b = vec![0.0; n];
    let mut r = vec![0.0; n];
    let mut report = SolveReport {
        threads,
        // the cells an earlier coupling pass made first order stay so (the held limiter)
        energy_first_order_cells: carried_first_order,
        ..Default::default()
    };
    let linear = SolveSettings {
        // one linear solve settles a linear, orthogonal case: solving it to the target, measured
        // against the initial field's normalisation as OpenFOAM does, is enough (the
        // normalisation of the solved field, which the outer check uses, is the larger one: it
        // adds the field's own variation; the outer check repeats the solve if not); outer
        // iterations need a tighter inner solve
        relative_tolerance: settings.linear_tolerance.unwrap_or(
            if eq.needs_outer_iterations() {
                0.1
            } else {
                1.0
            } * settings.tolerance,
        ),
        absolute_tolerance: 0.0,
        max_iterations: settings.linear_max_iterations,
    };
    let stop = || monitor.should_stop();
    let mut preconditioner: Option<EnergyPreconditioner> = None;
    let mut first_iterations = 0usize;
    let mut best = f64::INFINITY;
    let mut converged = false;
    let mut stalled = false;
    let mut limiter_frozen_at = 0usize;
    // a warm start's bounds are the converged result's: bounding further would change its
    // system (on the corpus microchannel plate the restart bounded them again and moved 0.26 K)
    let mut limited_here = frozen.as_deref().is_some_and(|f| f.holds_result_bounds());
    // `linear_upwind` asks for second order or an error: no local first order then, and its
    // bounds repair lowers the held limiter to the field's own (`repair_bounds`); `upwind` takes the repair's two-point faces (its convection is first order
    // already): a user's U-channel plate (SST, 18,031 tetrahedra) kept a coolant cell 2.92 K
    // below the inlet through the non-orthogonal corrections of its turbulent conductivity
    // with `upwind` asked for, where the defaults repaired it (stop 34)
    let may_lower_order = case.settings.convection.allows_first_order();
    let mut local_first_order_rounds = 0usize;
    let mut bounds_rounds = 0usize;
    // bounds rounds that changed something (for a failure's message)
    let mut repairs = 0usize;
    let mut stall_window = STALL_PASSES;
    // the maximum principle's bounds, for a second-order coolant solve: the floor is fixed, the
    // ceiling moves with the solid's temperatures; a loose coupling pass repairs only a field far
    // outside them (the tight passes after it repair the rest)
    let guarded = eq.is_convective();
    let margin = if loose {
        LOOSE_REPAIR_MARGIN
    } else {
        REPAIR_MARGIN
    };
    let radiating = radiation.is_some();
    let floor = guarded
        .then(|| lowest_supply_temperature(mesh, &resolved, radiating))
        .flatten();
    let bounds = |eq: &Conduction, t: &[f64]| SupplyBounds {
        floor,
        ceiling: guarded
            .then(|| highest_heating_temperature(mesh, &resolved, eq, t, radiating))
            .flatten(),
    };
    let mut anderson = Anderson::new(5);
    let mut radiation_change = f64::INFINITY;
    for outer in 0..=settings.max_iterations {
        crate::ptime("(loop)", &mut tp);
        // a system that does not depend on T is assembled once (re-assembling it would also
        // copy the matrix the hierarchy shares)
        if outer > 0 && eq.is_affine() {
            // constant conductivities: the matrix is that of the first pass, only the
            // corrections in b change (and the hierarchy's shared matrix needs no copy)
            if eq.needs_outer_iterations() {
                eq.assemble_source(&t, &mut b);
            }
        } else if outer == 0 || eq.needs_outer_iterations() {
            eq.assemble(&t, Arc::make_mut(&mut a), &mut b);
            if outer == 0 && tighten_first && eq.tighten_held_corrections(&t) {
                eq.assemble(&t, Arc::make_mut(&mut a), &mut b);
            }
            if let Some(r) = radiation.as_mut() {
                r.add(mesh, &eq, &t, Arc::make_mut(&mut a), &mut b)?;
            }
        }
        crate::ptime("assemble", &mut tp);
        let (r_norm, scale) = residual_and_normalisation(&a, &b, &t, &mut r);
        crate::ptime("residual+normalisation", &mut tp);
        let res = r_norm / scale;
        report.residual_history.push(res);
        report.outer_iterations = outer;
        monitor.progress(outer, &[("energy", res)]);
        if !res.is_finite() || (outer > 3 && res > 1e8 * best) {
            let worst = (0..n)
                .max_by(|&i, &j| r[i].abs().total_cmp(&r[j].abs()))
                .unwrap_or(0);
            return Err(Error::convergence(
                Status::Diverged,
                Equation::Energy,
                format!(
                    "energy equation diverged at outer iteration {outer} (residual {res:e}); worst cell {worst} in region '{}' at {:?} m",
                    mesh.region_names[mesh.cell_region[worst] as usize],
                    mesh.cell_centre[worst]
                ),
                report.residual_history.clone(),
            )
            .at_position(mesh.cell_centre[worst])
            .with_partial(|p| energy_iterate(p, &t, &r)));
        }
        best = best.min(res);
        // a radiating body is often nearly isothermal, where the normalised residual floors at
        // round-off (both of its normalisation terms vanish with the temperature differences):
        // its Newton iteration has converged when an update moves no temperature by more than
        // the tolerance times the temperature
        let (t_lo, t_hi) = t.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), x| {
            (lo.min(*x), hi.max(*x))
        });
        // the same floor meets any field that is uniform to round-off (equal wall temperatures
        // and no sources): there too the update decides
        let uniform = t_hi - t_lo <= 1e-9 * t_hi;
        let radiation_settled =
            (radiation.is_some() || uniform) && radiation_change <= settings.tolerance * t_hi;
        // a residual that stopped falling may have reached round-off: ‖b − A T‖ cannot go below
        // about ε ‖|A| |T|‖, whatever the normalisation (small temperature differences on a
        // large absolute level, contrasting conductivities); checked only when it stalls
        let at_round_off = outer > 0
            && res > settings.tolerance
            && res > 0.5 * report.residual_history[outer.saturating_sub(1)]
            && r_norm <= 1e3 * f64::EPSILON * round_off_scale(&a, &t);
        if outer > 0
            && (res <= settings.tolerance
                || at_round_off
                || radiation_settled
                || !eq.needs_outer_iterations()
                    && res
                        <= settings
                            .linear_tolerance
                            .map_or(settings.tolerance, |t| 10.0 * t))
        {
            // a held limiter bounds the temperatures it was computed for, not these: coolant
            // cells left colder than every supply or hotter than everything that heats them are
            // made first order and the passes go on (on the corpus microchannel manifold one
            // such cell converged 2.6 K below the inlet), and their faces two-point (the
            // non-orthogonal corrections are unbounded too)
            let (changed, faces) = if bounds_rounds < BOUNDS_REPAIR_ROUNDS {
                let outside = out_of_bounds_coolant_cells(&eq, &t, bounds(&eq, &t), margin);
                repair_bounds(&mut eq, &outside, &t, may_lower_order)
            } else {
                (0, 0)
            };
            if changed + faces == 0 {
                converged = true;
                break;
            }
            report.energy_first_order_cells += changed;
            bounds_rounds += 1;
            repairs += 1;
            stall_window = LOCAL_STALL_PASSES;
            limiter_frozen_at = outer;
            anderson = Anderson::new(5);
            eq.assemble(&t, Arc::make_mut(&mut a), &mut b);
            // a new system: its residual starts from its own level, not from the converged
            // one of the last (a user's U-channel plate jumped from 1e-10 to 1e-2 here and was
            // declared diverged)
            best = f64::INFINITY;
        }
        if outer == settings.max_iterations {
            break;
        }
        // no tenfold drop over STALL_PASSES passes: hand over to Newton–Krylov
        if eq.needs_outer_iterations()
            && radiation.is_none()
            && settings.preconditioner != PreconditionerKind::Jacobi
            && outer >= stall_window.max(limiter_frozen_at + stall_window)
            && res > 0.1 * report.residual_history[outer - stall_window]
        {
            // first hold the convection limiter fixed: what stalls on tetrahedra is its
            // switching; only a system that stalls without it goes to Newton–Krylov
            if limiter_frozen_at == 0 && eq.freeze_limiter(&t) {
                limiter_frozen_at = outer;
                report.energy_limiter_frozen_at = Some(outer);
                anderson = Anderson::new(5);
                eq.assemble(&t, Arc::make_mut(&mut a), &mut b);
                best = f64::INFINITY;
            } else if eq.is_convective() && !limited_here && eq.limit_non_orthogonal(&t) {
                limited_here = true;
                // then bound the non-orthogonal corrections by the two-point differences
                // (OpenFOAM's `limited 0.5`): corrections larger than the differences they
                // correct make the passes cycle on tetrahedra next to the coolant, where
                // Newton–Krylov failed on every corpus plate; conduction keeps its unlimited
                // corrections and goes to Newton–Krylov, which recovers it (the bundled pin-fin
                // plate: the limit would move R_th by 1 %)
                limiter_frozen_at = outer;
                report.energy_non_orthogonal_limited_at = Some(outer);
                anderson = Anderson::new(5);
                eq.assemble(&t, Arc::make_mut(&mut a), &mut b);
                best = f64::INFINITY;
            } else {
                stalled = true;
                break;
            }
        }
        if monitor.should_stop() {
            return Err(Error::Interrupted);
        }
        // a new hierarchy when the conductivities moved enough to slow the solver down
        let rebuild = preconditioner.is_none()
            || (eq.nonlinear
                && report
                    .linear_iterations
                    .last()
                    .is_some_and(|&it| it > 2 * first_iterations.max(5)));
        if rebuild {
            let t0 = Instant::now();
            preconditioner = Some(energy_preconditioner(&eq, &a, settings, &mut report));
            crate::release_free_memory(); // the hierarchy's set-up temporaries
            report.setup_time_s += t0.elapsed().as_secs_f64();
            crate::ptime("preconditioner setup", &mut tp);
        }
        let Some(m) = preconditioner.as_ref().map(|p| p.bind(&a)) else {
            return Err(Error::Case("no preconditioner".into()));
        };
        let previous = eq.needs_outer_iterations().then(|| t.clone());
        // deferred corrections and k(T) change the system every pass: a pass only needs to
        // cut the current residual by a modest factor (inexact Newton), not to reach the final
        // tolerance; the outer residual above is the true one, so the answer is unchanged
        let inexact = if eq.needs_outer_iterations() && settings.linear_tolerance.is_none() {
            0.1 * res * scale
        } else {
            0.0
        };
        let tolerance = SolveSettings {
            relative_tolerance: 0.0,
            absolute_tolerance: (linear.relative_tolerance * scale).max(inexact),
            ..linear
        };
        let info = if eq.is_convective() {
            crate::linalg::bicgstab(&a, &b, &mut t, &m, tolerance, &stop)?
        } else {
            cg(&a, &b, &mut t, &m, tolerance, &stop)?
        };
        crate::ptime("krylov", &mut tp);
        if let Some(previous) = &previous {
            radiation_change = t
                .iter()
                .zip(previous)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
        }
        if let Some(previous) = previous {
            // radiation's linearisation is Newton's tangent: mixing in older iterates (Anderson)
            // only blurs it (the residual floored at 2e-8 on a radiating plate)
            if radiation.is_none() {
                t = anderson.next(&previous, &t);
            }
        }
        if report.linear_iterations.is_empty() || rebuild {
            first_iterations = info.iterations;
        }
        crate::ptime("anderson", &mut tp);
        report.linear_iterations.push(info.iterations);
    }
    if stalled {
        drop(preconditioner);
        loop {
            converged = newton_krylov(
                &mut eq,
                &mut a,
                &mut b,
                &mut r,
                &mut t,
                settings,
                &mut report,
                monitor,
            )
            .map_err(|e| e.with_partial(|p| energy_iterate(p, &t, &r)))?;
            // Newton–Krylov solves the held system exactly, unbounded cells and all: repair
            // what it leaves outside the bounds, or where it stalls, and solve again
            if !eq.is_convective() {
                break;
            }
            let (changed, faces) = if converged && bounds_rounds < BOUNDS_REPAIR_ROUNDS {
                bounds_rounds += 1;
                let outside = out_of_bounds_coolant_cells(&eq, &t, bounds(&eq, &t), margin);
                let repaired = repair_bounds(&mut eq, &outside, &t, may_lower_order);
                repairs += usize::from(repaired.0 + repaired.1 > 0);
                repaired
            } else if !converged
                && may_lower_order
                && local_first_order_rounds < LOCAL_FIRST_ORDER_ROUNDS
            {
                let alone = local_first_order_rounds < CELLS_ALONE_ROUNDS;
                local_first_order_rounds += 1;
                (
                    eq.first_order_in(&stalled_coolant_cells(&eq, &r), !alone),
                    0,
                )
            } else {
                (0, 0)
            };
            if changed + faces == 0 {
                break;
            }
            report.energy_first_order_cells += changed;
        }
        crate::ptime("newton-krylov", &mut tp);
    }
    let held = eq.frozen_corrections();
    if let Some(frozen) = frozen {
        *frozen = held.clone();
        frozen.first_order_cells = report.energy_first_order_cells;
    }
    if !converged {
        return Err(Error::convergence(
            if stalled { Status::Stalled } else { Status::MaxIterations },
            Equation::Energy,
            format!(
                "energy equation did not converge in {} outer iterations{} (residual {:e}, tolerance {:e})",
                report.outer_iterations,
                if stalled {
                    " (the deferred-correction passes stalled; Newton–Krylov took over and did not reach the tolerance either)"
                } else {
                    ""
                },
                report.residual_history.last().copied().unwrap_or(f64::NAN),
                settings.tolerance
            ),
            report.residual_history.clone(),
        )
        .with_partial(|p| energy_iterate(p, &t, &r)));
    }
    if let Some(bad) = t.iter().position(|x| !x.is_finite()) {
        return Err(Error::convergence(
            Status::Diverged,
            Equation::Energy,
            format!("temperature is not finite in cell {bad}"),
            report.residual_history.clone(),
        ));
    }

    let patch_heat_flow_w: Vec<f64> = (0..mesh.n_patches())
        .map(|p| {
            mesh.patch_faces(p)
                .map(|f| eq.boundary_heat_in(f, &t))
                .sum()
        })
        .collect();
    let mut patch_heat_flow_w = patch_heat_flow_w;
    if let Some(r) = radiation.as_mut() {
        for (q, extra) in patch_heat_flow_w.iter_mut().zip(r.patch_heat_in(mesh, &t)?) {
            *q += extra;
        }
    }
    let mut region_source_w = vec![0.0; mesh.region_names.len()];
    for c in 0..n {
        region_source_w[mesh.cell_region[c] as usize] += eq.cell_source(c);
    }
    let mut contact_heat_flow_w = vec![0.0; resolved.contacts.len()];
    if !resolved.contacts.is_empty() {
        for f in 0..mesh.n_internal_faces {
            let ra = mesh.cell_region[mesh.owner[f] as usize] as usize;
            let rb = mesh.cell_region[mesh.neighbour[f] as usize] as usize;
            for (k, &(a, b, _)) in resolved.contacts.iter().enumerate() {
                if ra == a && rb == b {
                    contact_heat_flow_w[k] += eq.internal_heat_flow(f, &t);
                } else if ra == b && rb == a {
                    contact_heat_flow_w[k] -= eq.internal_heat_flow(f, &t);
                }
            }
        }
    }
    let sources: f64 = region_source_w.iter().sum();
    let boundary: f64 = patch_heat_flow_w.iter().sum();
    let throughput = sources
        .abs()
        .max(0.5 * patch_heat_flow_w.iter().map(|q| q.abs()).sum::<f64>());
    let energy_balance_error = if throughput > 0.0 {
        (boundary + sources) / throughput
    } else {
        0.0
    };
    report.solve_time_s = start.elapsed().as_secs_f64();
    // a balance of round-off against round-off (nothing flows: equal wall temperatures, no
    // sources) is no balance: judged only when the throughput stands above that floor
    let t_scale = t.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    let judged = throughput > 1e-9 * eq.boundary_conductance_sum() * t_scale;
    let balance = if judged { energy_balance_error } else { 0.0 };
    let tried = energy_tried(
        &eq,
        case.settings.convection.second_order(),
        &report,
        held.limit().is_some(),
        stalled,
        repairs,
        may_lower_order,
    );
    let problem = non_physical(
        mesh,
        &t,
        balance,
        settings.tolerance,
        lowest_supply_temperature(mesh, &resolved, radiating),
        &tried,
        &eq,
    )
    .or_else(|| {
        // a loose coupling pass is a step on the way, judged by the tight passes after it
        if loose {
            return None;
        }
        let bounds = SupplyBounds {
            floor: lowest_supply_temperature(mesh, &resolved, radiating),
            ceiling: highest_heating_temperature(mesh, &resolved, &eq, &t, radiating),
        };
        outside_supply_bounds(mesh, &eq, &t, bounds)
    });
    if let Some((problem, position)) = problem {
        let failure = Error::convergence(
            Status::NonPhysical,
            Equation::Energy,
            problem,
            report.residual_history.clone(),
        );
        let failure = match position {
            Some(position) => failure.at_position(position),
            None => failure,
        };
        return Err(failure.with_partial(|p| p.temperature_k = t));
    }
    Ok(Solution {
        temperature_k: t,
        patch_heat_flow_w,
        region_source_w,
        contact_heat_flow_w,
        energy_balance_error,
        report,
        velocity_m_s: Vec::new(),
        pressure_pa: Vec::new(),
        mass_flux_kg_s: Vec::new(),
        patch_mass_flow_kg_s: Vec::new(),
        patch_total_pressure_pa: Vec::new(),
        patch_static_pressure_pa: Vec::new(),
        mass_imbalance: 0.0,
        turbulent_viscosity_pa_s: Vec::new(),
        y_plus: Vec::new(),
        turbulence_k: Vec::new(),
        turbulence_omega: Vec::new(),
        momentum_first_order: Vec::new(),
        momentum_limiter: Vec::new(),
        momentum_relaxation: None,
        energy_limiter: held.limit().map(<[f64]>::to_vec).unwrap_or_default(),
        energy_non_orthogonal_scale: held
            .non_orthogonal_scale()
            .map(|scale| {
                let mut per_face = vec![1.0; mesh.n_faces()];
                per_face[..scale.len()].copy_from_slice(scale);
                per_face
            })
            .unwrap_or_default(),
        momentum_first_order_fallback: false,
        momentum_non_orthogonal_limit: None,
        turbulence_limiter: Vec::new(),
        wall_log_layer: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discretisation::PatchCondition;
    use crate::mesh::structured::{BoxArrays, BoxCells};
    use crate::physics::property::Property;

    fn resolved(mesh: &Mesh, patch: Vec<PatchCondition>) -> Resolved {
        let n_patches = mesh.n_patches();
        Resolved {
            conductivity: Vec::new(),
            power_density: vec![1e6; mesh.region_names.len()],
            patch,
            contacts: Vec::new(),
            face_temperature: vec![None; n_patches],
            cell_source: None,
            inlet_patch: vec![false; n_patches],
        }
    }

    #[test]
    fn only_a_turbulent_flow_s_first_order_attempts_at_the_last_relaxation_accept_the_loose_bound()
    {
        use crate::physics::flow::{Flow, FlowSettings};
        let mesh = BoxArrays::new([4, 2, 1], [0.04, 0.01, 0.001], BoxCells::Hexa)
            .build()
            .unwrap();
        let n = mesh.n_cells();
        let bc = crate::physics::flow::plate_channel_bc(1.0);
        let laminar = Flow::new(&mesh, vec![1000.0; n], vec![1e-3; n], bc.clone());
        let mut inlet = vec![None; 6];
        inlet[0] = Some((1e-3, 100.0));
        let turbulent = Flow::new(&mesh, vec![1000.0; n], vec![1e-3; n], bc)
            .with_turbulence(inlet, vec![1e-3; n]);
        let usual = FlowSettings::default().stationary_tolerance;
        assert!(usual < LAST_TURBULENT_STATIONARY_TOLERANCE);
        let bound = |flow: &Flow, second_order: bool, alpha: f64| {
            with_stationary_bound(
                flow,
                &FlowSettings {
                    second_order,
                    velocity_relaxation: alpha,
                    ..FlowSettings::default()
                },
            )
            .stationary_tolerance
        };
        // the ladder's last attempts, and a coupling pass that carries them (or a user's lower α)
        assert_eq!(
            bound(&turbulent, false, LAST_RELAXATION),
            LAST_TURBULENT_STATIONARY_TOLERANCE
        );
        assert_eq!(
            bound(&turbulent, false, 0.2),
            LAST_TURBULENT_STATIONARY_TOLERANCE
        );
        // not the attempts before them, not second order, not a laminar flow
        assert_eq!(bound(&turbulent, false, 0.5), usual);
        assert_eq!(bound(&turbulent, true, LAST_RELAXATION), usual);
        assert_eq!(bound(&laminar, false, LAST_RELAXATION), usual);
        // a looser bound the settings ask for is kept
        let loose = FlowSettings {
            second_order: false,
            velocity_relaxation: LAST_RELAXATION,
            stationary_tolerance: 0.05,
            ..FlowSettings::default()
        };
        assert_eq!(
            with_stationary_bound(&turbulent, &loose).stationary_tolerance,
            0.05
        );
    }

    #[test]
    fn an_attempt_identical_to_one_tried_is_recognised() {
        use crate::physics::flow::FlowSettings;
        let carried = FlowSettings {
            second_order: false,
            velocity_relaxation: 0.5,
            non_orthogonal_limit: Some(NON_ORTHOGONAL_LIMIT),
            ..FlowSettings::default()
        };
        // the coupling pass's carried fallback and the driver's last attempt
        let last = FlowSettings {
            local_first_order: true,
            ..carried
        };
        assert!(same_attempt(&carried, &last));
        assert!(!same_attempt(
            &carried,
            &FlowSettings {
                non_orthogonal_limit: None,
                ..carried
            }
        ));
        assert!(!same_attempt(
            &carried,
            &FlowSettings {
                velocity_relaxation: 0.7,
                ..carried
            }
        ));
        // second order with and without local rounds are different attempts
        let probe = FlowSettings::default();
        assert!(!same_attempt(
            &probe,
            &FlowSettings {
                local_first_order: true,
                ..probe
            }
        ));
        assert!(same_attempt(&probe, &probe));
    }

    #[test]
    fn the_maximum_principle_floor_is_the_coldest_supply_and_only_without_sinks() {
        let mesh = BoxArrays::new([2, 2, 2], [1.0, 1.0, 1.0], BoxCells::Hexa)
            .build()
            .unwrap();
        let n_patches = mesh.n_patches();
        let mut patch = vec![PatchCondition::Adiabatic; n_patches];
        patch[0] = PatchCondition::Fixed(300.0);
        patch[1] = PatchCondition::Convective(10.0, 290.0);
        let r = resolved(&mesh, patch.clone());
        assert_eq!(lowest_supply_temperature(&mesh, &r, false), Some(290.0));
        // radiation, a sink power density or a flux drawing heat out: no floor
        assert_eq!(lowest_supply_temperature(&mesh, &r, true), None);
        let mut sink = resolved(&mesh, patch.clone());
        sink.power_density[0] = -1.0;
        assert_eq!(lowest_supply_temperature(&mesh, &sink, false), None);
        patch[2] = PatchCondition::Flux(-100.0);
        assert_eq!(
            lowest_supply_temperature(&mesh, &resolved(&mesh, patch.clone()), false),
            None
        );
        // a field 3 K below a 290 K supply with a 20 K span fails; 0.4 K below passes
        let n = mesh.n_cells();
        let mut t = vec![300.0; n];
        t[0] = 310.0;
        t[1] = 289.6;
        let mut conducting = resolved(&mesh, patch);
        conducting.conductivity = vec![Property::Constant(1.0)];
        let eq = conduction_operator(&mesh, &conducting, None, false);
        let below_every_supply = |t: &[f64], floor: f64| {
            let bounds = SupplyBounds {
                floor: Some(floor),
                ceiling: None,
            };
            outside_supply_bounds(&mesh, &eq, t, bounds)
        };
        assert!(below_every_supply(&t, 290.0).is_none());
        t[1] = 287.0;
        let (message, position) = below_every_supply(&t, 290.0).unwrap();
        assert_eq!(position, Some(mesh.cell_centre[1]));
        assert!(message.contains("3.00 K below"), "{message}");
    }

    /// Four cells in a row along x: two copper ones (x < 2), two coolant ones, the inlet at
    /// 290 K on the coolant's end (xmax), a fixed 300 K wall on the copper's (xmin).
    fn solid_and_coolant() -> (Mesh, Resolved) {
        let mut arrays = BoxArrays::new([4, 1, 1], [4.0, 1.0, 1.0], BoxCells::Hexa);
        let centre_x = |c: usize| {
            let corners = &arrays.cell_connectivity[8 * c..8 * c + 8];
            corners
                .iter()
                .map(|&v| arrays.points[3 * v as usize])
                .sum::<f64>()
                / 8.0
        };
        arrays.cell_region = (0..4).map(|c| i64::from(centre_x(c) > 2.0)).collect();
        arrays.region_names = vec!["copper".into(), "coolant".into()];
        let mesh = arrays.build().unwrap();
        let mut patch = vec![PatchCondition::Adiabatic; mesh.n_patches()];
        patch[0] = PatchCondition::Fixed(300.0);
        patch[1] = PatchCondition::Fixed(290.0);
        let mut r = resolved(&mesh, patch);
        r.conductivity = vec![Property::Constant(400.0), Property::Constant(0.5)];
        r.power_density = vec![1e6, 0.0];
        r.inlet_patch[1] = true;
        (mesh, r)
    }

    #[test]
    fn a_stationary_coupling_pass_is_judged_by_the_hottest_and_region_mean_temperatures() {
        let (mesh, _) = solid_and_coolant();
        // copper cells (x < 2) at 310 and 330 K, coolant at 295 and 305 K
        let region_of = |c: usize| mesh.cell_region[c];
        let mut t: Vec<f64> = (0..4)
            .map(|c| if region_of(c) == 0 { 310.0 } else { 295.0 })
            .collect();
        let (first_copper, first_coolant) = (
            (0..4).find(|&c| region_of(c) == 0).unwrap(),
            (0..4).find(|&c| region_of(c) == 1).unwrap(),
        );
        t[first_copper] = 330.0;
        t[first_coolant] = 305.0;
        let outputs = coupling_outputs(&mesh, &t);
        assert_eq!(outputs.len(), 3);
        assert!((outputs[0] - 330.0).abs() < 1e-12);
        assert!((outputs[1] - 320.0).abs() < 1e-9, "{outputs:?}");
        assert!((outputs[2] - 300.0).abs() < 1e-9, "{outputs:?}");
        // a wake moving heat between two coolant cells moves no output
        t.swap(first_coolant, (0..4).rfind(|&c| region_of(c) == 1).unwrap());
        assert_eq!(coupling_outputs(&mesh, &t), outputs);
    }

    fn coolant_operator<'m>(mesh: &'m Mesh, r: &Resolved) -> Conduction<'m> {
        coolant_operator_of_order(mesh, r, true)
    }

    /// [`coolant_operator`] with second-order or first-order (upwind) advection.
    fn coolant_operator_of_order<'m>(
        mesh: &'m Mesh,
        r: &Resolved,
        second_order: bool,
    ) -> Conduction<'m> {
        let convection = crate::physics::energy::Convection {
            mass_flux: vec![0.0; mesh.n_faces()],
            specific_heat: vec![None, Some(Property::Constant(4000.0))],
            reference_k: 290.0,
            second_order,
            turbulent_viscosity: Vec::new(),
            thermal_walls: Vec::new(),
        };
        conduction_operator(mesh, r, Some(convection), false)
    }

    #[test]
    fn the_maximum_principle_ceiling_is_the_hottest_heater_and_only_without_coolant_sources() {
        let (mesh, mut r) = solid_and_coolant();
        let coolant: Vec<usize> = (0..4).filter(|&c| mesh.cell_region[c] == 1).collect();
        let solid: Vec<usize> = (0..4).filter(|&c| mesh.cell_region[c] == 0).collect();
        let mut t = vec![0.0; 4];
        t[solid[0]] = 320.0;
        t[solid[1]] = 310.0;
        t[coolant[0]] = 305.0;
        t[coolant[1]] = 295.0;
        let eq = coolant_operator(&mesh, &r);
        // the hottest solid cell (the powered copper), not the walls at 300 and 290 K
        assert_eq!(
            highest_heating_temperature(&mesh, &r, &eq, &t, false),
            Some(320.0)
        );
        // radiation, or heat released inside the coolant: no ceiling
        assert_eq!(highest_heating_temperature(&mesh, &r, &eq, &t, true), None);
        r.power_density[1] = 1.0;
        let eq = coolant_operator(&mesh, &r);
        assert_eq!(highest_heating_temperature(&mesh, &r, &eq, &t, false), None);
        r.power_density[1] = 0.0;
        let mut source = vec![0.0; 4];
        source[coolant[1]] = 1.0;
        r.cell_source = Some(source);
        let eq = coolant_operator(&mesh, &r);
        assert_eq!(highest_heating_temperature(&mesh, &r, &eq, &t, false), None);
        r.cell_source = None;
        // a wall hotter than the solid raises it; without coolant there is none
        r.patch[0] = PatchCondition::Fixed(330.0);
        let eq = coolant_operator(&mesh, &r);
        assert_eq!(
            highest_heating_temperature(&mesh, &r, &eq, &t, false),
            Some(330.0)
        );
        let conduction = conduction_operator(&mesh, &r, None, false);
        assert_eq!(
            highest_heating_temperature(&mesh, &r, &conduction, &t, false),
            None
        );
        r.patch[0] = PatchCondition::Fixed(300.0);
        // 100 W/m² into the coolant across its 0.5 m to the ymin wall at k = 0.5 W/m·K: the
        // wall's face stands 100 K above the coolant cell it heats (once assembled)
        r.patch[2] = PatchCondition::Flux(100.0);
        let mut eq = coolant_operator(&mesh, &r);
        let mut a = eq.new_matrix();
        let mut b = vec![0.0; 4];
        eq.assemble(&t, &mut a, &mut b);
        let ceiling = highest_heating_temperature(&mesh, &r, &eq, &t, false).unwrap();
        assert!((ceiling - 405.0).abs() < 1e-9, "{ceiling}");
        // a flux drawing heat out heats nothing
        r.patch[2] = PatchCondition::Flux(-100.0);
        let mut eq = coolant_operator(&mesh, &r);
        eq.assemble(&t, &mut a, &mut b);
        assert_eq!(
            highest_heating_temperature(&mesh, &r, &eq, &t, false),
            Some(320.0)
        );
    }

    #[test]
    fn coolant_cells_outside_either_bound_are_repaired_and_a_final_field_rejected() {
        let (mesh, r) = solid_and_coolant();
        let eq = coolant_operator(&mesh, &r);
        let coolant: Vec<usize> = (0..4).filter(|&c| mesh.cell_region[c] == 1).collect();
        let solid: Vec<usize> = (0..4).filter(|&c| mesh.cell_region[c] == 0).collect();
        let mut t = vec![0.0; 4];
        t[solid[0]] = 310.0;
        t[solid[1]] = 305.0;
        t[coolant[0]] = 300.0;
        t[coolant[1]] = 295.0;
        let bounds = SupplyBounds {
            floor: lowest_supply_temperature(&mesh, &r, false),
            ceiling: highest_heating_temperature(&mesh, &r, &eq, &t, false),
        };
        assert_eq!(bounds.floor, Some(290.0));
        assert_eq!(bounds.ceiling, Some(310.0));
        assert!(out_of_bounds_coolant_cells(&eq, &t, bounds, REPAIR_MARGIN).is_empty());
        assert!(outside_supply_bounds(&mesh, &eq, &t, bounds).is_none());
        // 0.6 K above the hottest solid in a 15 K span: past the repair margin (0.25 K), inside
        // the final allowance (0.75 K)
        t[coolant[0]] = 310.6;
        assert_eq!(
            out_of_bounds_coolant_cells(&eq, &t, bounds, REPAIR_MARGIN),
            vec![coolant[0]]
        );
        assert!(outside_supply_bounds(&mesh, &eq, &t, bounds).is_none());
        // 12 K above: rejected, named where; a solid cell that hot is no coolant's business
        t[coolant[0]] = 322.0;
        let (message, position) = outside_supply_bounds(&mesh, &eq, &t, bounds).unwrap();
        assert_eq!(position, Some(mesh.cell_centre[coolant[0]]));
        assert!(message.contains("12.00 K above"), "{message}");
        assert!(message.contains("region 'coolant'"), "{message}");
        // a loose coupling pass repairs only a field outside the bounds by more than its span
        // (15 K here): not 12 K above, but 16 K above
        assert!(out_of_bounds_coolant_cells(&eq, &t, bounds, LOOSE_REPAIR_MARGIN).is_empty());
        t[coolant[0]] = 326.0;
        assert_eq!(
            out_of_bounds_coolant_cells(&eq, &t, bounds, LOOSE_REPAIR_MARGIN),
            vec![coolant[0]]
        );
        // and a cell below absolute zero whatever the span (the U-channel plate's −301 °C)
        t[coolant[0]] = 310.0;
        t[coolant[1]] = -28.0;
        assert_eq!(
            out_of_bounds_coolant_cells(&eq, &t, bounds, LOOSE_REPAIR_MARGIN),
            vec![coolant[1]]
        );
        t[coolant[0]] = 322.0;
        // colder than the inlet too: both directions in one round
        t[coolant[1]] = 285.0;
        let mut both = vec![coolant[0], coolant[1]];
        both.sort_unstable();
        assert_eq!(
            out_of_bounds_coolant_cells(&eq, &t, bounds, REPAIR_MARGIN),
            both
        );
        let (message, _) = outside_supply_bounds(&mesh, &eq, &t, bounds).unwrap();
        assert!(message.contains("colder than every wall"), "{message}");
        // no bounds, no cells
        assert!(
            out_of_bounds_coolant_cells(&eq, &t, SupplyBounds::default(), REPAIR_MARGIN).is_empty()
        );
    }

    #[test]
    fn an_unbounded_field_advises_upwind_only_when_the_convection_is_not_upwind_already() {
        let (mesh, r) = solid_and_coolant();
        let coolant: Vec<usize> = (0..4).filter(|&c| mesh.cell_region[c] == 1).collect();
        let solid: Vec<usize> = (0..4).filter(|&c| mesh.cell_region[c] == 0).collect();
        let field = |cold: f64, hot: f64| {
            let mut t = vec![0.0; 4];
            (t[solid[0]], t[solid[1]]) = (310.0, 305.0);
            (t[coolant[0]], t[coolant[1]]) = (hot, cold);
            t
        };
        let advice = "solve with convection='upwind'";
        for second_order in [true, false] {
            let eq = coolant_operator_of_order(&mesh, &r, second_order);
            assert_eq!(eq.second_order_convection(), second_order);
            let bounds = |t: &[f64]| SupplyBounds {
                floor: lowest_supply_temperature(&mesh, &r, false),
                ceiling: highest_heating_temperature(&mesh, &r, &eq, t, false),
            };
            // 5 K below the 290 K inlet, then 12 K above the hottest solid
            let cold = field(285.0, 300.0);
            let hot = field(295.0, 322.0);
            let (below, _) = outside_supply_bounds(&mesh, &eq, &cold, bounds(&cold)).unwrap();
            let (above, _) = outside_supply_bounds(&mesh, &eq, &hot, bounds(&hot)).unwrap();
            assert!(below.contains("colder than every wall"), "{below}");
            assert!(above.contains("hotter than every solid"), "{above}");
            let mut cold = cold;
            cold[coolant[1]] = -50.0;
            let (frozen, _) = non_physical(
                &mesh,
                &cold,
                0.0,
                1e-10,
                bounds(&cold).floor,
                "first-order convection",
                &eq,
            )
            .unwrap();
            assert!(frozen.contains("unbounded on this flow"), "{frozen}");
            for message in [&below, &above, &frozen] {
                assert!(
                    message.contains("improve the mesh near that point"),
                    "{message}"
                );
                // advice for the settings in use: `upwind` is not advised to a user who has it
                assert_eq!(message.contains(advice), second_order, "{message}");
            }
            assert_eq!(
                above.contains("a second-order convection overshoots there"),
                second_order,
                "{above}"
            );
            if !second_order {
                for message in [&below, &above, &frozen] {
                    assert!(message.contains("first-order upwind already"), "{message}");
                }
                assert!(above.contains("non-orthogonal corrections"), "{above}");
            }
        }
        // no coolant (conduction only): no convection to advise on either way
        let eq = conduction_operator(&mesh, &r, None, false);
        let cold = field(285.0, 300.0);
        let bounds = SupplyBounds {
            floor: Some(290.0),
            ceiling: None,
        };
        let (message, _) = outside_supply_bounds(&mesh, &eq, &cold, bounds).unwrap();
        assert!(
            message.contains("improve the mesh near that point"),
            "{message}"
        );
        assert!(!message.contains("convection"), "{message}");
    }

    #[test]
    fn below_absolute_zero_with_no_sink_blames_the_discretisation_not_the_inputs() {
        let (mesh, mut r) = solid_and_coolant();
        let coolant = (0..4).find(|&c| mesh.cell_region[c] == 1).unwrap();
        let mut t = vec![300.0; 4];
        t[coolant] = -50.0;
        // every input heats: the coldest supply bounds the field, so the inputs cannot explain it
        let floor = lowest_supply_temperature(&mesh, &r, false);
        assert_eq!(floor, Some(290.0));
        let eq = coolant_operator(&mesh, &r);
        let (message, position) =
            non_physical(&mesh, &t, 0.0, 1e-10, floor, "second-order convection", &eq).unwrap();
        assert_eq!(position, Some(mesh.cell_centre[coolant]));
        assert!(message.contains("unbounded on this flow"), "{message}");
        assert!(
            message.contains("tried second-order convection"),
            "{message}"
        );
        assert!(message.contains("16.85 °C"), "{message}");
        assert!(!message.contains("power_w"), "{message}");
        // a sink (heat drawn out through a wall): the inputs may well be the cause
        r.patch[2] = PatchCondition::Flux(-1e9);
        let floor = lowest_supply_temperature(&mesh, &r, false);
        assert_eq!(floor, None);
        let (message, _) = non_physical(&mesh, &t, 0.0, 1e-10, floor, "", &eq).unwrap();
        assert!(
            message.contains("check the signs and sizes of power_w"),
            "{message}"
        );
    }

    #[test]
    fn a_time_step_is_bounded_by_its_supplies_and_the_previous_levels_as_the_scheme_holds_them() {
        use crate::discretisation::fvm;
        let (mesh, mut r) = solid_and_coolant();
        let eq = coolant_operator(&mesh, &r);
        let coolant: Vec<usize> = (0..4).filter(|&c| mesh.cell_region[c] == 1).collect();
        let solid: Vec<usize> = (0..4).filter(|&c| mesh.cell_region[c] == 0).collect();
        let capacity = vec![4e6; 4];
        let field = |s: [f64; 2], f: [f64; 2]| {
            let mut t = vec![0.0; 4];
            (t[solid[0]], t[solid[1]], t[coolant[0]], t[coolant[1]]) = (s[0], s[1], f[0], f[1]);
            t
        };
        let t = field([310.0, 305.0], [300.0, 295.0]);
        // Euler: the previous level is one more neighbour. A solid's previous level (400 K)
        // bounds no coolant from above (its new level does), but every cell's bounds the floor
        let old = field([400.0, 280.0], [285.0, 312.0]);
        let euler = fvm::ddt(&mesh, &capacity, 1.0, &old, None);
        let bounds = step_supply_bounds(&mesh, &r, &eq, &t, &euler, false);
        assert_eq!(bounds.floor, Some(280.0));
        assert_eq!(bounds.ceiling, Some(312.0));
        // BDF2 holds a cell to (4 T⁰ − T⁻¹)/3 at equal steps: 316 K from 312 after 300 K, beyond
        // both levels (so the previous level alone bounds no BDF2 step)
        let older = field([400.0, 280.0], [285.0, 300.0]);
        let bdf2 = fvm::ddt_variable(&mesh, &capacity, 1.0, 1.0, &old, &older);
        let bounds = step_supply_bounds(&mesh, &r, &eq, &t, &bdf2, false);
        assert!((bounds.ceiling.unwrap() - 316.0).abs() < 1e-9, "{bounds:?}");
        assert!((bounds.floor.unwrap() - 280.0).abs() < 1e-9, "{bounds:?}");
        // a coolant cell 0.5 K above passes (allowance: 5 % of the 21 K span); 4 K above fails,
        // named where
        let mut t = t;
        t[coolant[0]] = 316.5;
        assert!(outside_supply_bounds(&mesh, &eq, &t, bounds).is_none());
        t[coolant[0]] = 320.0;
        let (message, position) = outside_supply_bounds(&mesh, &eq, &t, bounds).unwrap();
        assert_eq!(position, Some(mesh.cell_centre[coolant[0]]));
        assert!(message.contains("4.00 K above"), "{message}");
        // the steady conditions decide where a bound applies: a sink anywhere, no floor; a source
        // in the coolant, no ceiling; radiation, neither
        r.power_density[0] = -1.0;
        assert_eq!(
            step_supply_bounds(&mesh, &r, &eq, &t, &euler, false).floor,
            None
        );
        r.power_density[0] = 1e6;
        assert_eq!(
            step_supply_bounds(&mesh, &r, &eq, &t, &euler, true),
            SupplyBounds::default()
        );
        r.power_density[1] = 1.0;
        let eq = coolant_operator(&mesh, &r);
        assert_eq!(
            step_supply_bounds(&mesh, &r, &eq, &t, &euler, false).ceiling,
            None
        );
    }
}
