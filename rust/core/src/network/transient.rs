//! Networks in time: coolant transport, the heat capacity of GPUs and plates, CDU control.
//!
//! The hydraulics are quasi-steady (incompressible coolant, no fluid inertia): they are solved
//! again when a flow input changes or the temperatures have moved by more than
//! `hydraulic_update_k` since the last solve (the coolant properties follow them). Between
//! those solves the flows are frozen.
//!
//! Energy, per time step `dt` (implicit Euler), in one sweep along the flow:
//!
//! * **Pipes and ducts** hold coolant in `N = ⌈L / max_cell_length_m⌉` cells of fixed mass
//!   `M = ρ₀·A·L/N` (ρ₀ the density at the start) and carry it by first-order upwind, implicit
//!   in time: `M·(h_c' − h_c) = ṁ·dt·(h_{c−1}' − h_c')`. This keeps the mean transit time of a
//!   pipe exactly `L/U` (the first moment of its response) and spreads a front as diffusion
//!   with `D = U·(Δx + U·dt)/2`: after a pipe the variance of the transit time is
//!   `(L/U)·(Δx + U·dt)/U` (`Δx = L/N`). Nodes, fittings, pumps and plates hold no coolant.
//! * **Cold plates**: the GPU package and plate are one lumped capacity `C` between the load
//!   and the coolant at the plate's inlet, `C·dT_gpu/dt = P − (T_gpu − T_in)/R(Q, T_in)`;
//!   the coolant takes `(T_gpu − T_in)/R`. In steady state `T_gpu = T_in + R·P`, the steady
//!   model. `C` defaults to [`DEFAULT_PLATE_HEAT_CAPACITY_J_K`]; 0 makes the GPU follow at once.
//!   A plate with a [`ThermalLadder`] (fitted to a 3D step response) has a Cauer chain instead:
//!   capacities `C_j` to ground, the load into node 1 (the GPU), resistances `R_j = s_j·R(Q, T_in)`
//!   (`s_j` the ladder's shares, summing to 1) along the chain to the coolant at the inlet; each
//!   step solves the chain's tridiagonal implicit-Euler system, and the coolant takes
//!   `(T_n − T_in)/R_n`. The steady state is again `T_gpu = T_in + R·P`. Ladders characterised
//!   at several flows give the plate the ladder at its flow (capacities and shares interpolated
//!   in ln Q, [`ThermalLadder::at_flow`]), taken again at every hydraulic solve, so a plate
//!   whose flow follows a pump's profile has the ladder of its current flow. The node
//!   temperatures are kept across such a change (the GPU's temperature is continuous); the
//!   energy the changed capacities then hold is reported apart (`ladder_refit_energy_j`).
//! * **CDUs** pass coolant in one step: what entered during a step (its energy `ṁ·dt·h_in`)
//!   leaves during the next, less the heat the exchanger takes. So the sweep never waits for
//!   a loop to close, and the energy of every parcel is accounted for. A set-point CDU's
//!   outlet follows its set-point ([`CduControl`]): at once, by a first-order lag, or under a
//!   PI controller acting on the heat removed from a well-mixed exchanger volume; a limit
//!   (`ua_w_k`) holds the heat within what the exchanger gives fully open, never below 0.
//!   ε–NTU CDUs act on the inlet states of the step before.
//!
//! Energy is conserved to round-off: the stored energy (cells, plates, exchanger volumes,
//! parcels in transit) changes each step by exactly `dt·(Σ P − heat leaving through CDUs
//! without a modelled facility side)`, plus the energy of ladders re-interpolated at a new flow;
//! the solution reports all three, step by step.

use serde::{Deserialize, Serialize};
use std::time::Instant;

use super::fluid::Props;
use super::model::{CduThermal, ColdSide, Kind, Model, PlateCurve};
use super::radiator::RadiatorSpec;
use super::solver::{effectiveness, FlowProgram, Solver};
use super::spec::{CduControl, ThermalLadder, DEFAULT_PLATE_HEAT_CAPACITY_J_K};
use crate::error::{Error, Result};
use crate::Monitor;

/// How a profile reads between its breakpoints.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Interpolation {
    /// Linear between breakpoints.
    #[default]
    Linear,
    /// Each value held until the next breakpoint.
    Step,
}

/// A value against time; the end values hold outside the breakpoints.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    /// Strictly increasing times [s].
    pub time_s: Vec<f64>,
    /// Values at those times.
    pub value: Vec<f64>,
    /// Linear or step.
    #[serde(default)]
    pub interpolation: Interpolation,
}

impl ProfileSpec {
    pub(crate) fn check(&self, what: &str) -> Result<()> {
        let (t, v) = (&self.time_s, &self.value);
        if t.is_empty() || t.len() != v.len() {
            return Err(Error::Network(format!(
                "{what}: a profile needs as many values as times, at least one; got {} times and {} values",
                t.len(),
                v.len()
            )));
        }
        if t.iter().chain(v).any(|x| !x.is_finite()) {
            return Err(Error::Network(format!(
                "{what}: profile times and values must be finite"
            )));
        }
        if let Some(i) = t.windows(2).position(|w| w[1] <= w[0]) {
            return Err(Error::Network(format!(
                "{what}: profile times must increase strictly; time {} ({} s) does not follow {} s",
                i + 1,
                t[i + 1],
                t[i]
            )));
        }
        Ok(())
    }

    /// The value at time `t` [s].
    pub fn at(&self, t: f64) -> f64 {
        let (ts, vs) = (&self.time_s, &self.value);
        let n = ts.len();
        if t <= ts[0] {
            return vs[0];
        }
        if t >= ts[n - 1] {
            return vs[n - 1];
        }
        let i = ts.partition_point(|&x| x <= t) - 1; // ts[i] <= t < ts[i + 1]
        match self.interpolation {
            Interpolation::Step => vs[i],
            Interpolation::Linear => {
                let s = (t - ts[i]) / (ts[i + 1] - ts[i]);
                vs[i] + s * (vs[i + 1] - vs[i])
            }
        }
    }
}

/// What an input profile drives.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// A cold plate's heat load [W].
    PowerW,
    /// A flow source's volume flow [m³/s].
    FlowM3S,
    /// A set-point CDU's outlet set-point [K].
    SetpointK,
}

/// One profile driving one quantity of several edges.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputGroup {
    /// What it drives.
    pub quantity: Quantity,
    /// The values against time.
    pub profile: ProfileSpec,
    /// The edges it drives (indices in the network's edge order).
    pub edges: Vec<u32>,
}

fn default_cell_length() -> f64 {
    0.5
}

fn default_hydraulic_update() -> f64 {
    0.5
}

/// Controls of a transient run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransientSettings {
    /// End of the run [s] (it starts at 0).
    pub end_time_s: f64,
    /// Time step [s].
    pub time_step_s: f64,
    /// Interval of the per-plate records [s]; `None`: every step.
    #[serde(default)]
    pub output_interval_s: Option<f64>,
    /// Longest transport cell of a pipe or duct [m].
    #[serde(default = "default_cell_length")]
    pub max_cell_length_m: f64,
    /// Temperature change [K] since the last hydraulic solve that triggers another (0: every
    /// step).
    #[serde(default = "default_hydraulic_update")]
    pub hydraulic_update_k: f64,
    /// Start from this uniform temperature [K] instead of the steady state at time 0.
    #[serde(default)]
    pub initial_temperature_k: Option<f64>,
    /// The time-varying inputs.
    #[serde(default)]
    pub inputs: Vec<InputGroup>,
    /// The plates whose temperatures are recorded (edge indices); `None`: all.
    #[serde(default)]
    pub record_plates: Option<Vec<u32>>,
    /// Radiator panels: set-point CDU edges of the specification that are, in time, panels
    /// with a heat capacity in a time-varying environment ([`RadiatorSpec`]).
    #[serde(default)]
    pub radiators: Vec<RadiatorSpec>,
}

/// A transient run's record, as columns. Per-step arrays have `times_s.len()` entries (the
/// start included); 2D arrays are row-major, one row per time.
#[derive(Debug, Clone, Default)]
pub struct TransientSolution {
    /// Times of every step [s], from 0.
    pub times_s: Vec<f64>,
    /// Times of the plate records [s].
    pub output_times_s: Vec<f64>,
    /// Edge index of each recorded plate.
    pub plate_edge: Vec<usize>,
    /// Coolant temperature at each recorded plate's inlet [K], output times × plates.
    pub plate_inlet_temperature_k: Vec<f64>,
    /// GPU temperature of each recorded plate [K], output times × plates.
    pub plate_gpu_temperature_k: Vec<f64>,
    /// Hottest GPU of the whole network at every step [K] and its edge index.
    pub worst_gpu_temperature_k: Vec<f64>,
    pub worst_gpu_edge: Vec<usize>,
    /// Edge index of each CDU.
    pub cdu_edge: Vec<usize>,
    /// CDU outlet (supply) and inlet (return) temperatures [K], steps × CDUs.
    pub cdu_supply_temperature_k: Vec<f64>,
    pub cdu_return_temperature_k: Vec<f64>,
    /// Heat each CDU takes from its loop [W], steps × CDUs.
    pub cdu_heat_w: Vec<f64>,
    /// Edge index of each radiator (in the settings' order).
    pub radiator_edge: Vec<usize>,
    /// Radiator inlet (its heat capacity's) and outlet temperatures [K], steps × radiators.
    pub radiator_inlet_temperature_k: Vec<f64>,
    pub radiator_outlet_temperature_k: Vec<f64>,
    /// Heat each radiator takes from its loop [W] and the flux it absorbs [W/m²], steps ×
    /// radiators.
    pub radiator_heat_w: Vec<f64>,
    pub radiator_absorbed_flux_w_m2: Vec<f64>,
    /// Energy stored in coolant, plates, exchangers and parcels in transit [J], per step.
    pub energy_stored_j: Vec<f64>,
    /// Energy [J] the plates' ladders gained at each step by being re-interpolated at a new
    /// flow (ladders by flow only): the capacities change, the node temperatures are kept, so
    /// the stored energy moves by `Σ ΔC_j·(T_j − T_ref)` without a heat flow. A modelling term,
    /// reported so the balance `ΔE = dt·(in − out) + this` can still be checked exactly.
    pub ladder_refit_energy_j: Vec<f64>,
    /// Heat of all plates [W], per step.
    pub heat_in_w: Vec<f64>,
    /// Heat leaving through CDUs without a modelled facility side and radiators [W], per step.
    pub heat_out_w: Vec<f64>,
    /// Node temperatures [K] and edge volume flows [m³/s] at the end.
    pub final_node_temperature_k: Vec<f64>,
    pub final_edge_flow_m3_s: Vec<f64>,
    /// Transport cells, hydraulic solves and their Newton iterations.
    pub cells: usize,
    pub hydraulic_solves: usize,
    pub newton_iterations: usize,
    /// Wall time [s]: initial state, the time loop, its hydraulic solves.
    pub initial_s: f64,
    pub loop_s: f64,
    pub hydraulics_s: f64,
}

/// Neumaier's compensated sum.
#[derive(Default)]
struct CompensatedSum {
    sum: f64,
    carry: f64,
}

impl CompensatedSum {
    fn add(&mut self, v: f64) {
        let t = self.sum + v;
        if self.sum.abs() >= v.abs() {
            self.carry += (self.sum - t) + v;
        } else {
            self.carry += (v - t) + self.sum;
        }
        self.sum = t;
    }

    fn value(&self) -> f64 {
        self.sum + self.carry
    }
}

/// A cold plate's thermal state: a Cauer chain of one node (lumped) or more (a ladder).
struct Plate {
    edge: usize,
    /// Node capacities [J/K], the GPU's first; one zero capacity: the GPU follows at once.
    capacity: Vec<f64>,
    /// Each link's share of the plate's resistance (summing to 1).
    share: Vec<f64>,
    /// Node temperatures [K], the GPU's first.
    t: Vec<f64>,
    /// `R = r0 + r1·(1 + γ·(T_in − T_ref))` at the current flow.
    r0: f64,
    r1: f64,
    gamma: f64,
    t_ref: f64,
}

/// A CDU's dynamic state.
struct Cdu {
    edge: usize,
    facility: Option<usize>,
    /// Outlet temperature of a lagged or PI-controlled exchanger [K].
    t_out: f64,
    /// PI integral of the error [K·s].
    integral: f64,
    setpoint: f64,
}

/// Settings checks; every problem named.
fn check(model: &Model, s: &TransientSettings) -> Result<usize> {
    let mut problems = Vec::new();
    if !(s.time_step_s.is_finite() && s.time_step_s > 0.0) {
        problems.push(format!(
            "time_step_s must be finite and > 0, got {}",
            s.time_step_s
        ));
    }
    if !(s.end_time_s.is_finite() && s.end_time_s > 0.0) {
        problems.push(format!(
            "end_time_s must be finite and > 0, got {}",
            s.end_time_s
        ));
    }
    if !(s.max_cell_length_m.is_finite() && s.max_cell_length_m > 0.0) {
        problems.push(format!(
            "max_cell_length_m must be finite and > 0, got {}",
            s.max_cell_length_m
        ));
    }
    if !(s.hydraulic_update_k.is_finite() && s.hydraulic_update_k >= 0.0) {
        problems.push(format!(
            "hydraulic_update_k must be finite and ≥ 0, got {}",
            s.hydraulic_update_k
        ));
    }
    if s.output_interval_s
        .is_some_and(|v| !(v.is_finite() && v > 0.0))
    {
        problems.push("output_interval_s must be finite and > 0".to_string());
    } else if let Some(v) = s.output_interval_s.filter(|&v| v > s.end_time_s) {
        problems.push(format!(
            "output_interval_s ({v} s) is longer than the run (end_time_s {} s): no output time after the start would lie inside it",
            s.end_time_s
        ));
    }
    if s.initial_temperature_k
        .is_some_and(|v| !(v.is_finite() && v > 0.0))
    {
        problems.push("initial_temperature_k must be finite and > 0".to_string());
    }
    let ne = model.edges.len();
    for g in &s.inputs {
        let what = format!("{:?} profile", g.quantity);
        if let Err(e) = g.profile.check(&what) {
            problems.push(e.to_string());
        } else {
            // linear or step, the extremes are at the breakpoints
            let (i, low) = g.profile.value.iter().copied().enumerate().fold(
                (0, f64::INFINITY),
                |a, (i, v)| if v < a.1 { (i, v) } else { a },
            );
            let at = g.profile.time_s[i];
            let first = g
                .edges
                .first()
                .and_then(|&k| model.edges.get(k as usize))
                .map_or_else(String::new, |e| format!("{} '{}': ", e.kind_name, e.name));
            match g.quantity {
                Quantity::PowerW if low < 0.0 => problems.push(format!(
                    "{first}the power_w profile must stay ≥ 0, got {low} W at t = {at} s"
                )),
                Quantity::SetpointK if low <= 0.0 => problems.push(format!(
                    "{first}the set-point profile goes below absolute zero ({:.2} °C at t = {at} s)",
                    low - 273.15
                )),
                _ => {}
            }
        }
        for &k in &g.edges {
            let Some(e) = model.edges.get(k as usize) else {
                problems.push(format!("{what}: edge {k} does not exist ({ne} edges)"));
                continue;
            };
            let fits = match g.quantity {
                Quantity::PowerW => matches!(e.kind, Kind::Plate { .. }),
                Quantity::FlowM3S => matches!(e.kind, Kind::Fixed(_)),
                Quantity::SetpointK => matches!(
                    e.kind,
                    Kind::Cdu {
                        thermal: CduThermal::Setpoint { .. },
                        ..
                    }
                ),
            };
            if !fits {
                problems.push(format!(
                    "{what} drives {} '{}', which has no such input",
                    e.kind_name, e.name
                ));
            }
        }
    }
    if let Some(rec) = &s.record_plates {
        for &k in rec {
            if !model
                .edges
                .get(k as usize)
                .is_some_and(|e| matches!(e.kind, Kind::Plate { .. }))
            {
                problems.push(format!("record_plates: edge {k} is not a cold plate"));
            }
        }
    }
    let mut seen = vec![false; ne];
    for r in &s.radiators {
        problems.extend(r.problems());
        match model.edges.get(r.edge as usize) {
            Some(e)
                if matches!(
                    e.kind,
                    Kind::Cdu {
                        thermal: CduThermal::Setpoint { .. },
                        control: None,
                        ..
                    }
                ) =>
            {
                if std::mem::replace(&mut seen[r.edge as usize], true) {
                    problems.push(format!("radiators: edge '{}' given twice", e.name));
                }
            }
            Some(e) => problems.push(format!(
                "radiators: {} '{}' is not an uncontrolled set-point exchanger",
                e.kind_name, e.name
            )),
            None => problems.push(format!(
                "radiators: edge {} does not exist ({ne} edges)",
                r.edge
            )),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Network(problems.join("; ")));
    }
    let steps = (s.end_time_s / s.time_step_s - 1e-9).ceil().max(1.0);
    if steps > 1e8 {
        return Err(Error::Network(format!(
            "end_time_s / time_step_s asks for {steps:.3e} steps; at most 1e8"
        )));
    }
    Ok(steps as usize)
}

/// One implicit-Euler step of a plate's Cauer chain (resistance `r` [K/W] shared among its
/// links, load [W] into node 0, the coolant at `t_in` [K] beyond the last link); returns the
/// heat into the coolant [W]. The tridiagonal system is solved by the Thomas algorithm (it is
/// diagonally dominant: every diagonal is its capacity over `dt` plus its two conductances).
fn chain_step(
    pl: &mut Plate,
    r: f64,
    load: f64,
    t_in: f64,
    dt: f64,
    scratch: &mut Vec<f64>,
) -> f64 {
    let n = pl.t.len();
    let g = |j: usize| 1.0 / (pl.share[j] * r); // conductance of link j (node j → j+1 or coolant)
    scratch.clear();
    scratch.resize(2 * n, 0.0);
    let (cp, dp) = scratch.split_at_mut(n);
    // forward sweep: node j's row is −G_{j−1}·T_{j−1} + (c_j + G_{j−1} + G_j)·T_j − G_j·T_{j+1} = rhs
    let mut g_prev = 0.0;
    for j in 0..n {
        let c = pl.capacity[j] / dt;
        let gj = g(j);
        let mut rhs = c * pl.t[j];
        if j == 0 {
            rhs += load;
        }
        if j + 1 == n {
            rhs += gj * t_in;
        }
        let diag = c + g_prev + gj;
        let (denom, prev_d) = if j == 0 {
            (diag, 0.0)
        } else {
            (diag - g_prev * cp[j - 1], dp[j - 1])
        };
        cp[j] = if j + 1 < n { gj / denom } else { 0.0 };
        dp[j] = (rhs + g_prev * prev_d) / denom;
        g_prev = gj;
    }
    pl.t[n - 1] = dp[n - 1];
    for j in (0..n - 1).rev() {
        pl.t[j] = dp[j] + cp[j] * pl.t[j + 1];
    }
    g(n - 1) * (pl.t[n - 1] - t_in)
}

/// Capacity of an exchanger at its limit: `ε·C_min·(T_hot − T_cold)` [W] for hot flow `m`
/// [kg/s] at enthalpy `h_hot`, against a cold side (temperature [K], capacity rate [W/K]).
fn limit(model: &Model, ua: f64, m: f64, h_hot: f64, cold: Option<(f64, f64)>) -> f64 {
    match cold {
        Some((tc, cc)) if cc > 0.0 && m > 0.0 => {
            let th = model.fluid.temperature(h_hot);
            let ch = m * model.fluid.props(th).cp;
            effectiveness(ua, ch, cc) * ch.min(cc) * (th - tc)
        }
        _ => 0.0,
    }
}

/// After a hydraulic solve at `time` [s]: every cold plate receives flow in its direction
/// and, unless `allow_extrapolation`, within its characterised ranges, as in a steady solve
/// (a plate without flow has no defined GPU temperature; its lumped model would report one).
fn plates_flowing(
    model: &Model,
    solver: &Solver,
    mf: &[f64],
    props: &[Props],
    t_node: &[f64],
    prog: &FlowProgram,
    time: f64,
) -> Result<()> {
    let m_max = mf.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
    let mut undefined = Vec::new();
    let mut outside = Vec::new();
    for (k, e) in model.edges.iter().enumerate() {
        if !matches!(e.kind, Kind::Plate { .. }) {
            continue;
        }
        let rho = props[k].rho;
        match solver.plate_check(k, mf[k] / rho, 1e-12 * m_max / rho, t_node[prog.up[k]]) {
            Err(msg) => undefined.push(msg),
            Ok(msgs) if !model.settings.allow_extrapolation => outside.extend(msgs),
            Ok(_) => {}
        }
    }
    if !undefined.is_empty() {
        let rho = model.fluid.props(model.fluid.range().0.max(273.15)).rho;
        let count = undefined.len();
        undefined.truncate(3);
        let fastest = solver.fastest_pipes(mf, rho, 3);
        return Err(Error::Network(format!(
            "at t = {time} s: {}{}{}; check the flow sources' and pumps' profiles, and enlarge the headers or use reverse return if a branch runs backwards",
            undefined.join("; "),
            if count > 3 { format!(" (and {} more plates)", count - 3) } else { String::new() },
            if fastest.is_empty() { String::new() } else { format!("; fastest pipes: {fastest}") }
        )));
    }
    if !outside.is_empty() {
        let count = outside.len();
        outside.truncate(3);
        return Err(Error::Network(format!(
            "at t = {time} s: {}{}; pass allow_extrapolation to extrapolate",
            outside.join("; "),
            if count > 3 {
                format!(" (and {} more)", count - 3)
            } else {
                String::new()
            },
        )));
    }
    Ok(())
}

/// Runs a network in time; `monitor` may stop it and receives the time and worst GPU
/// temperature every step.
#[allow(clippy::too_many_lines)]
pub fn simulate(
    model: &Model,
    settings: &TransientSettings,
    monitor: &dyn Monitor,
) -> Result<TransientSolution> {
    let steps = check(model, settings)?;
    let clock = Instant::now();
    let fluid = &model.fluid;
    let solver = Solver::new(model)?;
    let n = model.node_names.len();
    let ne = model.edges.len();
    let dt = settings.time_step_s;
    let tol = model.settings.tolerance;

    // ------------------------------------------------------------ inputs at their t = 0 values
    let mut power = solver.power.clone();
    let mut fixed: Vec<(usize, f64)> = solver.fixed_flows.clone();
    let fixed_slot: Vec<usize> = {
        let mut v = vec![usize::MAX; ne];
        for (i, &(k, _)) in fixed.iter().enumerate() {
            v[k] = i;
        }
        v
    };
    let mut cdus: Vec<Cdu> = solver
        .cdus
        .iter()
        .map(|&(c, f)| Cdu {
            edge: c,
            facility: f,
            t_out: 0.0,
            integral: 0.0,
            setpoint: match &model.edges[c].kind {
                Kind::Cdu {
                    thermal: CduThermal::Setpoint { t_out, .. },
                    ..
                } => *t_out,
                _ => f64::NAN,
            },
        })
        .collect();
    let facility_owner: Vec<(usize, usize)> = cdus
        .iter()
        .filter_map(|c| c.facility.map(|f| (f, c.edge)))
        .collect();
    let cdu_slot: Vec<usize> = {
        let mut v = vec![usize::MAX; ne];
        for (i, c) in cdus.iter().enumerate() {
            v[c.edge] = i;
        }
        v
    };
    // radiators: their CDU edge's slot, the state of their heat capacity
    let mut rad_slot = vec![usize::MAX; ne];
    for (j, r) in settings.radiators.iter().enumerate() {
        rad_slot[r.edge as usize] = j;
    }
    let mut rad_t = vec![0.0; settings.radiators.len()];
    let mut rad_out = vec![0.0; settings.radiators.len()];
    let mut rad_heat = vec![0.0; settings.radiators.len()];
    let apply_inputs = |t: f64, power: &mut [f64], fixed: &mut [(usize, f64)], cdus: &mut [Cdu]| {
        for g in &settings.inputs {
            let v = g.profile.at(t);
            for &k in &g.edges {
                let k = k as usize;
                match g.quantity {
                    Quantity::PowerW => power[k] = v,
                    Quantity::FlowM3S => fixed[fixed_slot[k]].1 = v,
                    Quantity::SetpointK => cdus[cdu_slot[k]].setpoint = v,
                }
            }
        }
    };
    apply_inputs(0.0, &mut power, &mut fixed, &mut cdus);

    // ------------------------------------------------------------ initial state
    let (mut mf, mut p, mut props, mut guess, mut h, mut h_out, mut newton);
    match settings.initial_temperature_k {
        None => {
            let st = solver.run_state()?;
            mf = st.mf;
            p = st.p;
            props = st.props;
            guess = st.guess;
            h = st.h;
            h_out = st.energy.h_out;
            newton = st.newton;
        }
        Some(t0) => {
            props = vec![fluid.props(t0); ne];
            mf = vec![1e-5 * props[0].rho; ne];
            p = vec![0.0; n];
            guess = vec![0.0; ne];
            newton = solver.hydraulics(&mut mf, &mut p, &props, &mut guess, tol, &fixed)?;
            h = vec![fluid.enthalpy(t0); n];
            h_out = vec![fluid.enthalpy(t0); ne];
        }
    }
    let mut prog: FlowProgram = solver.program_for(&mf, None);
    let mut t_node: Vec<f64> = h.iter().map(|&x| fluid.temperature(x)).collect();
    plates_flowing(model, &solver, &mf, &props, &t_node, &prog, 0.0)?;
    let mut t_hydraulics = t_node.clone();
    let mut hydraulic_solves = 1;

    // transport cells: fixed masses at the starting density
    let mut cell_ptr = vec![0usize; ne + 1];
    for (k, e) in model.edges.iter().enumerate() {
        let cells = match e.kind {
            Kind::Pipe { length, .. } => {
                (length / settings.max_cell_length_m).ceil().max(1.0) as usize
            }
            _ => 0,
        };
        cell_ptr[k + 1] = cell_ptr[k] + cells;
    }
    let n_cells = cell_ptr[ne];
    let mut cell_mass = vec![0.0; n_cells];
    let mut cell_h = vec![0.0; n_cells];
    for (k, e) in model.edges.iter().enumerate() {
        if let Kind::Pipe { length, area, .. } = e.kind {
            let (a, b) = (cell_ptr[k], cell_ptr[k + 1]);
            let m = props[k].rho * area * length / (b - a) as f64;
            for c in a..b {
                cell_mass[c] = m;
                // a steady pipe carries its inlet enthalpy throughout
                cell_h[c] = h_out[k];
            }
        }
    }

    // plates
    let mut plate_of = vec![usize::MAX; ne];
    let mut plates: Vec<Plate> = Vec::new();
    for (k, e) in model.edges.iter().enumerate() {
        if let Kind::Plate {
            capacity, ladder, ..
        } = &e.kind
        {
            plate_of[k] = plates.len();
            let (capacity, share) = match ladder {
                // by flow: the ladder at the plate's flow (taken again at each hydraulic solve)
                Some(table) => ThermalLadder::at_flow(table, mf[k] / props[k].rho),
                None => (
                    vec![capacity.unwrap_or(DEFAULT_PLATE_HEAT_CAPACITY_J_K)],
                    vec![1.0],
                ),
            };
            let nodes = capacity.len();
            plates.push(Plate {
                edge: k,
                capacity,
                share,
                t: vec![0.0; nodes],
                r0: 0.0,
                r1: 0.0,
                gamma: 0.0,
                t_ref: 0.0,
            });
        }
    }
    let resistances = |plates: &mut [Plate], mf: &[f64], props: &[Props]| {
        for pl in plates.iter_mut() {
            let Kind::Plate { curve, .. } = &model.edges[pl.edge].kind else {
                continue;
            };
            let q = (mf[pl.edge] / props[pl.edge].rho).max(1e-300);
            match curve.as_ref() {
                PlateCurve::Fit {
                    q_ref,
                    c0,
                    c1,
                    n,
                    gamma,
                    t_ref,
                    ..
                } => {
                    pl.r0 = *c0;
                    pl.r1 = c1 * (q / q_ref).powf(-n);
                    pl.gamma = *gamma;
                    pl.t_ref = *t_ref;
                }
                PlateCurve::Table { .. } => {
                    pl.r0 = curve.resistance(q, 0.0);
                    pl.r1 = 0.0;
                    pl.gamma = 0.0;
                    pl.t_ref = 0.0;
                }
            }
        }
    };
    resistances(&mut plates, &mf, &props);
    let resistance = |pl: &Plate, t_in: f64| pl.r0 + pl.r1 * (1.0 + pl.gamma * (t_in - pl.t_ref));
    for pl in &mut plates {
        let t_in = t_node[prog.up[pl.edge]];
        let rise = resistance(pl, t_in) * power[pl.edge];
        // the steady chain: node j sits above the inlet by the load times the links after it
        let mut after = 1.0;
        for (t, s) in pl.t.iter_mut().zip(&pl.share) {
            *t = match settings.initial_temperature_k {
                None => t_in + rise * after,
                Some(t0) => t0,
            };
            after -= s;
        }
    }
    // CDUs: states and the parcels of the first step
    for c in &mut cdus {
        let k = c.edge;
        c.t_out = fluid.temperature(h_out[k]);
        if let Kind::Cdu {
            control: Some(CduControl::Pi {
                kp_w_k, ki_w_k_s, ..
            }),
            ..
        } = &model.edges[k].kind
        {
            if settings.initial_temperature_k.is_none() && *ki_w_k_s > 0.0 {
                // the integral that gives the steady heat with no error
                let q = prog.absm[k] * (h[prog.up[k]] - h_out[k]);
                c.integral = (q - kp_w_k * (c.t_out - c.setpoint)) / ki_w_k_s;
            }
        }
    }
    for (j, r) in settings.radiators.iter().enumerate() {
        let k = r.edge as usize;
        rad_t[j] = match settings.initial_temperature_k {
            None => t_node[prog.up[k]],
            Some(t0) => t0,
        };
        rad_out[j] = fluid.temperature(h_out[k]);
        rad_heat[j] = prog.absm[k] * (h[prog.up[k]] - h_out[k]);
    }
    let mut parcel = vec![0.0; ne]; // ṁ·h entering each exchanger edge during the last step
    let mut parcel_m = vec![0.0; ne];
    for k in 0..ne {
        if solver.cut[k] {
            parcel[k] = prog.absm[k] * h[prog.up[k]];
            parcel_m[k] = prog.absm[k];
        }
    }

    // ------------------------------------------------------------ records
    let mut out = TransientSolution {
        cells: n_cells,
        ..TransientSolution::default()
    };
    let recorded: Vec<usize> = match &settings.record_plates {
        Some(list) => list.iter().map(|&k| plate_of[k as usize]).collect(),
        None => (0..plates.len()).collect(),
    };
    out.plate_edge = recorded.iter().map(|&j| plates[j].edge).collect();
    out.cdu_edge = cdus
        .iter()
        .map(|c| c.edge)
        .filter(|&k| rad_slot[k] == usize::MAX)
        .collect();
    out.radiator_edge = settings.radiators.iter().map(|r| r.edge as usize).collect();
    let every = settings
        .output_interval_s
        .map_or(1, |v| ((v / dt).round() as usize).max(1));
    // Stored energy, from the starting enthalpy and temperature so the sum is of small terms,
    // and compensated (Neumaier): the balance then shows the scheme's conservation, not the
    // round-off of adding a million cells.
    let h_ref = h.first().copied().unwrap_or(0.0);
    let t_ref = fluid.temperature(h_ref);
    let stored =
        |cell_h: &[f64], plates: &[Plate], cdus: &[Cdu], rad_t: &[f64], parcel: &[f64]| -> f64 {
            let mut sum = CompensatedSum::default();
            for (r, t) in settings.radiators.iter().zip(rad_t) {
                sum.add(r.heat_capacity_j_k * (t - t_ref));
            }
            for (m, h) in cell_mass.iter().zip(cell_h) {
                sum.add(m * (h - h_ref));
            }
            for pl in plates {
                for (c, t) in pl.capacity.iter().zip(&pl.t) {
                    sum.add(c * (t - t_ref));
                }
            }
            for c in cdus {
                if let Kind::Cdu {
                    control:
                        Some(CduControl::Pi {
                            heat_capacity_j_k, ..
                        }),
                    ..
                } = &model.edges[c.edge].kind
                {
                    sum.add(heat_capacity_j_k * (c.t_out - t_ref));
                }
            }
            // parcels in transit keep absolute enthalpies: their mass changes with the flows
            for q in parcel {
                if *q != 0.0 {
                    sum.add(dt * q);
                }
            }
            sum.value()
        };
    let mut cdu_heat = vec![0.0; cdus.len()];
    let mut heat_out;
    {
        // the steady heat of each CDU at the start
        heat_out = 0.0;
        for (i, c) in cdus.iter().enumerate() {
            let k = c.edge;
            cdu_heat[i] = prog.absm[k] * (h[prog.up[k]] - h_out[k]);
            if c.facility.is_none_or(|f| prog.absm[f] == 0.0) {
                heat_out += cdu_heat[i];
            }
        }
    }
    let record = |out: &mut TransientSolution,
                  time: f64,
                  t_node: &[f64],
                  plates: &[Plate],
                  h_out: &[f64],
                  prog: &FlowProgram,
                  cdu_heat: &[f64],
                  rad: (&[f64], &[f64], &[f64]),
                  energy: f64,
                  heat_out: f64,
                  power: &[f64],
                  step: usize| {
        out.times_s.push(time);
        let (mut worst, mut at) = (f64::NEG_INFINITY, usize::MAX);
        for pl in plates {
            if pl.t[0] > worst {
                worst = pl.t[0];
                at = pl.edge;
            }
        }
        out.worst_gpu_temperature_k.push(worst);
        out.worst_gpu_edge.push(at);
        for i in 0..out.cdu_edge.len() {
            let c = out.cdu_edge[i];
            out.cdu_supply_temperature_k
                .push(fluid.temperature(h_out[c]));
            out.cdu_return_temperature_k.push(t_node[prog.up[c]]);
        }
        for &c in &out.cdu_edge {
            out.cdu_heat_w.push(cdu_heat[cdu_slot[c]]);
        }
        for (j, r) in settings.radiators.iter().enumerate() {
            out.radiator_inlet_temperature_k.push(rad.0[j]);
            out.radiator_outlet_temperature_k.push(rad.1[j]);
            out.radiator_heat_w.push(rad.2[j]);
            out.radiator_absorbed_flux_w_m2
                .push(r.absorbed_flux_w_m2.at(time).max(0.0));
        }
        out.energy_stored_j.push(energy);
        out.heat_in_w
            .push(plates.iter().map(|pl| power[pl.edge]).sum());
        out.heat_out_w.push(heat_out);
        if step % every == 0 || step == steps {
            out.output_times_s.push(time);
            for &j in &recorded {
                let pl = &plates[j];
                out.plate_inlet_temperature_k.push(t_node[prog.up[pl.edge]]);
                out.plate_gpu_temperature_k.push(pl.t[0]);
            }
        }
    };
    // Ladders by flow, taken again at the plates' current flows (after a hydraulic solve): the
    // energy their changed capacities hold at the kept node temperatures.
    let refit = |plates: &mut [Plate], mf: &[f64], props: &[Props]| -> f64 {
        let mut gained = CompensatedSum::default();
        for pl in plates.iter_mut() {
            let Kind::Plate {
                ladder: Some(table),
                ..
            } = &model.edges[pl.edge].kind
            else {
                continue;
            };
            if table.len() < 2 {
                continue;
            }
            let (capacity, share) = ThermalLadder::at_flow(table, mf[pl.edge] / props[pl.edge].rho);
            for ((c_new, c_old), t) in capacity.iter().zip(&pl.capacity).zip(&pl.t) {
                gained.add((c_new - c_old) * (t - t_ref));
            }
            pl.capacity = capacity;
            pl.share = share;
        }
        gained.value()
    };
    let e0 = stored(&cell_h, &plates, &cdus, &rad_t, &parcel);
    out.ladder_refit_energy_j.push(0.0);
    record(
        &mut out,
        0.0,
        &t_node,
        &plates,
        &h_out,
        &prog,
        &cdu_heat,
        (&rad_t, &rad_out, &rad_heat),
        e0,
        heat_out,
        &power,
        0,
    );
    out.initial_s = clock.elapsed().as_secs_f64();

    // ------------------------------------------------------------ the time loop
    let clock = Instant::now();
    let mut last_fixed: Vec<f64> = fixed.iter().map(|&(_, q)| q).collect();
    let mut hydraulics_s = 0.0;
    for step in 1..=steps {
        if monitor.should_stop() {
            return Err(Error::Interrupted);
        }
        let time = step as f64 * dt;
        apply_inputs(time, &mut power, &mut fixed, &mut cdus);
        let mut refit_j = 0.0;
        // hydraulics, when a flow input changed or the temperatures moved
        let flows_changed = fixed
            .iter()
            .zip(&last_fixed)
            .any(|(&(_, q), &q0)| (q - q0).abs() > 1e-12 * q0.abs().max(1e-12));
        let drift = t_node
            .iter()
            .zip(&t_hydraulics)
            .fold(0.0_f64, |a, (x, y)| a.max((x - y).abs()));
        if flows_changed || drift > settings.hydraulic_update_k {
            let c = Instant::now();
            for (k, pr) in props.iter_mut().enumerate() {
                *pr = fluid.props(0.5 * (t_node[solver.ea[k]] + t_node[solver.eb[k]]));
            }
            newton += solver.hydraulics(&mut mf, &mut p, &props, &mut guess, tol, &fixed)?;
            prog = solver.program_for(&mf, Some(prog));
            plates_flowing(model, &solver, &mf, &props, &t_node, &prog, time)?;
            resistances(&mut plates, &mf, &props);
            refit_j = refit(&mut plates, &mf, &props);
            t_hydraulics.copy_from_slice(&t_node);
            last_fixed = fixed.iter().map(|&(_, q)| q).collect();
            hydraulic_solves += 1;
            hydraulics_s += c.elapsed().as_secs_f64();
        }
        // exchangers: the parcels that entered during the last step leave, less their heat
        heat_out = 0.0;
        for (i, c) in cdus.iter_mut().enumerate() {
            let k = c.edge;
            let m = prog.absm[k];
            if m == 0.0 {
                cdu_heat[i] = 0.0;
                if rad_slot[k] != usize::MAX {
                    rad_heat[rad_slot[k]] = 0.0;
                }
                continue;
            }
            let h_in = if parcel_m[k] > 0.0 {
                parcel[k] / parcel_m[k]
            } else {
                h[prog.up[k]]
            };
            if rad_slot[k] != usize::MAX {
                // a radiator: its heat capacity, well mixed at the panel's inlet, implicit in
                // time, C·(T' − T)/dt = parcel − ṁ·h(T') (Newton), then the quasi-steady panel
                // at T'; the outlet enthalpy closes the balance exactly
                let j = rad_slot[k];
                let r = &settings.radiators[j];
                let cap = r.heat_capacity_j_k / dt;
                let t_prev = rad_t[j];
                let mut t_new = if cap > 0.0 {
                    t_prev
                } else {
                    fluid.temperature(h_in)
                };
                if cap > 0.0 {
                    for _ in 0..50 {
                        let f = cap * (t_new - t_prev) + m * fluid.enthalpy(t_new) - parcel[k];
                        let step = f / (cap + m * fluid.props(t_new).cp);
                        t_new -= step;
                        if step.abs() <= 1e-13 * t_new {
                            break;
                        }
                    }
                }
                let q_abs = r.absorbed_flux_w_m2.at(time);
                let q = r.heat_w(m / fluid.props(t_new).rho, t_new, q_abs);
                h_out[k] = (parcel[k] - cap * (t_new - t_prev) - q) / m;
                rad_t[j] = t_new;
                rad_out[j] = fluid.temperature(h_out[k]);
                rad_heat[j] = q;
                cdu_heat[i] = q;
                heat_out += q;
                continue;
            }
            let Kind::Cdu {
                thermal, control, ..
            } = &model.edges[k].kind
            else {
                continue;
            };
            let f = c.facility.filter(|&f| prog.absm[f] > 0.0);
            let cold = match thermal {
                CduThermal::Setpoint { cold, .. } => cold.as_ref(),
                CduThermal::Ntu { cold, .. } => Some(cold),
            };
            let cold_state = match cold {
                Some(ColdSide::External { t_in, capacity_w_k }) => Some((*t_in, *capacity_w_k)),
                Some(ColdSide::Edge(_)) => f.map(|f| {
                    let hf = if parcel_m[f] > 0.0 {
                        parcel[f] / parcel_m[f]
                    } else {
                        h[prog.up[f]]
                    };
                    let tc = fluid.temperature(hf);
                    (tc, prog.absm[f] * fluid.props(tc).cp)
                }),
                None => None,
            };
            let q = match thermal {
                CduThermal::Ntu { ua, .. } => limit(model, *ua, m, h_in, cold_state),
                CduThermal::Setpoint { ua, .. } => {
                    let q_max = ua.map(|ua| limit(model, ua, m, h_in, cold_state));
                    match control {
                        Some(CduControl::Pi {
                            kp_w_k,
                            ki_w_k_s,
                            heat_capacity_j_k,
                        }) => {
                            // C·(T' − T)/dt = parcel − ṁ·h(T') − Q, Q = Kp·e + Ki·(I + dt·e),
                            // e = T' − T_set; h linearised about T for the solve, the heat then
                            // defined by the energy balance so that it holds exactly.
                            let cap = *heat_capacity_j_k;
                            let t_prev = c.t_out;
                            let cp = fluid.props(t_prev).cp;
                            let h_prev = fluid.enthalpy(t_prev);
                            let ts = c.setpoint;
                            let base = cap * t_prev / dt + parcel[k] - m * (h_prev - cp * t_prev);
                            let mut t_new = (base + kp_w_k * ts - ki_w_k_s * c.integral
                                + ki_w_k_s * dt * ts)
                                / (cap / dt + m * cp + kp_w_k + ki_w_k_s * dt);
                            let e = t_new - ts;
                            let q_law = kp_w_k * e + ki_w_k_s * (c.integral + dt * e);
                            let hi = q_max.unwrap_or(f64::INFINITY);
                            if q_law < 0.0 || q_law > hi {
                                let q = q_law.clamp(0.0, hi.max(0.0));
                                t_new = (base - q) / (cap / dt + m * cp);
                            } else {
                                c.integral += dt * e;
                            }
                            let h_new = fluid.enthalpy(t_new);
                            let q = parcel[k] - m * h_new - cap * (t_new - t_prev) / dt;
                            c.t_out = t_new;
                            h_out[k] = h_new;
                            q
                        }
                        _ => {
                            let target = match control {
                                Some(CduControl::Lag { time_constant_s }) => {
                                    (c.t_out + dt / time_constant_s * c.setpoint)
                                        / (1.0 + dt / time_constant_s)
                                }
                                _ => c.setpoint,
                            };
                            let want = parcel[k] - m * fluid.enthalpy(target);
                            let q = match q_max {
                                Some(hi) => want.min(hi).max(0.0),
                                None => want,
                            };
                            c.t_out = if q == want {
                                target
                            } else {
                                fluid.temperature((parcel[k] - q) / m)
                            };
                            q
                        }
                    }
                }
            };
            if !matches!(control, Some(CduControl::Pi { .. }))
                || !matches!(thermal, CduThermal::Setpoint { .. })
            {
                h_out[k] = (parcel[k] - q) / m;
            }
            cdu_heat[i] = q;
            match f {
                Some(f) => h_out[f] = (parcel[f] + q) / prog.absm[f],
                None => heat_out += q,
            }
        }
        // facility sides of CDUs that do not flow pass their parcel on
        for &(f, c) in &facility_owner {
            if prog.absm[f] > 0.0 && prog.absm[c] == 0.0 {
                h_out[f] = parcel[f] / prog.absm[f];
            }
        }
        // one sweep along the flow, implicit in time
        let mut scratch = Vec::new();
        let mdt_of = |k: usize| prog.absm[k] * dt;
        for (pos, &i) in prog.order.iter().enumerate() {
            let (mut sm, mut smh) = (0.0, 0.0);
            for &k in &prog.in_edges[prog.in_ptr[pos]..prog.in_ptr[pos + 1]] {
                sm += prog.absm[k];
                smh += prog.absm[k] * h_out[k];
            }
            if sm > 0.0 {
                h[i] = smh / sm;
            }
            let hi = h[i];
            for &k in &prog.out_edges[prog.out_ptr[pos]..prog.out_ptr[pos + 1]] {
                let (a, b) = (cell_ptr[k], cell_ptr[k + 1]);
                if b > a {
                    let x = mdt_of(k);
                    let mut up = hi;
                    if prog.up[k] == solver.ea[k] {
                        for c in a..b {
                            let v = (cell_mass[c] * cell_h[c] + x * up) / (cell_mass[c] + x);
                            cell_h[c] = v;
                            up = v;
                        }
                    } else {
                        for c in (a..b).rev() {
                            let v = (cell_mass[c] * cell_h[c] + x * up) / (cell_mass[c] + x);
                            cell_h[c] = v;
                            up = v;
                        }
                    }
                    h_out[k] = up;
                } else if plate_of[k] != usize::MAX {
                    let pl = &mut plates[plate_of[k]];
                    let t_in = fluid.temperature(hi);
                    let r = resistance(pl, t_in);
                    let load = power[k];
                    let q = if pl.capacity[0] > 0.0 {
                        chain_step(pl, r, load, t_in, dt, &mut scratch)
                    } else {
                        pl.t[0] = t_in + r * load;
                        load
                    };
                    h_out[k] = hi + q / prog.absm[k];
                } else {
                    h_out[k] = hi;
                }
            }
        }
        for (t, &x) in t_node.iter_mut().zip(&h) {
            *t = fluid.temperature(x);
        }
        // the parcels entering the exchangers during this step
        for k in 0..ne {
            if solver.cut[k] {
                parcel[k] = prog.absm[k] * h[prog.up[k]];
                parcel_m[k] = prog.absm[k];
            }
        }
        let energy = stored(&cell_h, &plates, &cdus, &rad_t, &parcel);
        out.ladder_refit_energy_j.push(refit_j);
        record(
            &mut out,
            time,
            &t_node,
            &plates,
            &h_out,
            &prog,
            &cdu_heat,
            (&rad_t, &rad_out, &rad_heat),
            energy,
            heat_out,
            &power,
            step,
        );
        let worst = out
            .worst_gpu_temperature_k
            .last()
            .copied()
            .unwrap_or(f64::NAN);
        monitor.progress(step, &[("time_s", time), ("worst_gpu_k", worst)]);
    }
    out.loop_s = clock.elapsed().as_secs_f64();
    out.hydraulics_s = hydraulics_s;
    out.hydraulic_solves = hydraulic_solves;
    out.newton_iterations = newton;
    out.final_node_temperature_k = t_node;
    out.final_edge_flow_m3_s = (0..ne).map(|k| mf[k] / props[k].rho).collect();
    let _ = p;
    Ok(out)
}
