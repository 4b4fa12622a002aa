//! Steady solution of a network: Newton on nodal pressures (global gradient form) for the
//! hydraulics, an enthalpy sweep along the flow for the temperatures, iterated because the
//! coolant properties depend on the local temperature.
//!
//! Hydraulics. Unknowns are the edge mass flows `m` and node pressures `p`. Each edge obeys
//! `p_a − p_b = F_e(m_e)` (friction, fittings, cold plate, minus pump rise, plus hydrostatic
//! head); each node conserves mass. Linearising `F_e` with slope `r_e` gives
//! `m_e' = c_e + (p_a − p_b)/r_e` with `c_e = m_e − F_e/r_e`; substituting into the node
//! balances leaves a weighted graph Laplacian in `p` (one reference pressure per hydraulically
//! connected part), factorised directly. Every full step therefore conserves mass to round-off
//! whatever the nonlinear residual; a backtracking line search on the edge residuals damps it.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Instant;

use super::fluid::Props;
use super::model::{
    pressure_drop_from, CduThermal, ColdSide, Kind, LossCoefficient, Model, PlateCurve, UnionFind,
    GRAVITY,
};
use super::replicas::{Parts, System, NONE};
use super::sparse::Factor;
use super::spec::{
    ColdPlateResult, EdgeResult, EnergyBalance, IterationReport, NetworkResult, NetworkSolution,
    NodeResult, PhaseTimes, WarningKind,
};
use crate::error::{Error, Result};

const LPM: f64 = 60_000.0;

/// Solves a validated model.
pub fn solve_model(model: &Model) -> Result<NetworkSolution> {
    let clock = Instant::now();
    let solver = Solver::new(model)?;
    let setup_s = clock.elapsed().as_secs_f64();
    let mut sol = solver.run()?;
    sol.times.setup_s = setup_s;
    Ok(sol)
}

pub(super) struct Solver<'a> {
    pub(super) m: &'a Model,
    /// Unknown index of each node (`NONE`: reference node with fixed pressure).
    unknown: Vec<usize>,
    n_unknown: usize,
    /// Pressure of reference nodes.
    p_ref: Vec<f64>,
    /// The hydraulically separate parts and the groups of identical ones.
    parts: Parts,
    /// The system the hydraulics solve (the parts that do not copy another), kept between
    /// solves while the grouping holds.
    system: Mutex<System>,
    /// The edges' end nodes and flags, apart from the (large) edge records: the hot loops
    /// read only these.
    pub(super) ea: Vec<usize>,
    pub(super) eb: Vec<usize>,
    /// Each flow source with its volume flow [m³/s].
    pub(super) fixed_flows: Vec<(usize, f64)>,
    /// Heat of each cold plate [W] (0 on other edges).
    pub(super) power: Vec<f64>,
    /// Edges incident to each node, as CSR (`inc[inc_ptr[i]..inc_ptr[i + 1]]`).
    inc_ptr: Vec<usize>,
    inc: Vec<usize>,
    /// Edges whose outlet enthalpy is set by a heat exchanger, not by their inlet.
    pub(super) cut: Vec<bool>,
    /// CDU edges, with their facility edge if they have one.
    pub(super) cdus: Vec<(usize, Option<usize>)>,
    /// For each cut edge: its CDU and that CDU's facility edge (`NONE` elsewhere); built once,
    /// not per energy pass (an 18 MB table at 769k edges).
    cut_owner: Vec<(usize, Option<usize>)>,
    /// Spanning forest of the resistive edges, rooted at the reference nodes: nodes from the
    /// leaves inwards, each with the edge to its parent.
    tree: Vec<(usize, usize)>,
}

/// The flow graph at given flows, ordered for a sweep along the flow: each node after every
/// node it draws coolant from (and after the inlets of the exchangers that set the enthalpy
/// of the coolant it receives), as far as the flow allows.
pub(super) struct FlowProgram {
    /// Nodes in sweep order.
    pub order: Vec<usize>,
    /// Flowing edges into the node at each position of `order` (CSR over positions).
    pub in_ptr: Vec<usize>,
    pub in_edges: Vec<usize>,
    /// Flowing edges out of it whose outlet follows from their inlet (not exchangers).
    pub out_ptr: Vec<usize>,
    pub out_edges: Vec<usize>,
    /// |mass flow| of each edge, 0 where it does not flow [kg/s].
    pub absm: Vec<f64>,
    /// Upstream and downstream node of each edge at these flows.
    pub up: Vec<usize>,
    pub down: Vec<usize>,
    /// Nodes on cycles of plain edges: coolant circulating without passing an exchanger.
    pub circulating: Vec<usize>,
    /// Every node is ordered after all it draws from, exchanger dependencies included (no
    /// loop closes but through an exchanger's cut).
    pub complete: bool,
}

/// Edge functions `F`, slopes `dF/dm` and the unscaled residual norms (largest |residual| and
/// the sum of squares, in Pa and Pa²; divide by the pressure scale and its square).
#[derive(Default)]
struct Eval {
    f: Vec<f64>,
    r: Vec<f64>,
    res_max: f64,
    merit: f64,
}

/// The converged state of a steady solve.
pub(super) struct SteadyState {
    /// Mass flows [kg/s].
    pub mf: Vec<f64>,
    /// Node pressures [Pa].
    pub p: Vec<f64>,
    /// Node temperatures [K] and enthalpies [J/kg].
    pub t: Vec<f64>,
    pub h: Vec<f64>,
    /// Coolant properties per edge.
    pub props: Vec<Props>,
    pub energy: Energy,
    pub newton: usize,
    pub sweeps: usize,
    pub coupling: usize,
    pub times: PhaseTimes,
    /// Colebrook starts of the last evaluation.
    pub guess: Vec<f64>,
}

pub(super) struct Energy {
    pub h_out: Vec<f64>,
    pub heat: Vec<f64>,
    pub sweeps: usize,
    pub heat_out: f64,
    /// Coolant circulating without passing a CDU (with no heat on the loop), reported.
    circulation: Option<String>,
}

impl<'a> Solver<'a> {
    pub(super) fn new(m: &'a Model) -> Result<Self> {
        let n = m.node_names.len();
        let ne = m.edges.len();
        // One pass over the edge records (about 150 bytes each, 115 MB on a hall): the
        // columns the hot loops read.
        let mut ea = Vec::with_capacity(ne);
        let mut eb = Vec::with_capacity(ne);
        let mut fixed = Vec::with_capacity(ne);
        let mut power = Vec::with_capacity(ne);
        let mut cut = Vec::with_capacity(ne);
        let mut fixed_flows: Vec<(usize, f64)> = Vec::new();
        let mut cdus = Vec::new();
        for (k, e) in m.edges.iter().enumerate() {
            ea.push(e.a);
            eb.push(e.b);
            fixed.push(matches!(e.kind, Kind::Fixed(_)));
            power.push(match e.kind {
                Kind::Plate { power, .. } => power,
                _ => 0.0,
            });
            cut.push(matches!(e.kind, Kind::Cdu { .. }) || e.facility_of.is_some());
            match &e.kind {
                Kind::Fixed(q) => fixed_flows.push((k, *q)),
                Kind::Cdu { thermal, .. } => {
                    let f = match thermal {
                        CduThermal::Setpoint {
                            cold: Some(ColdSide::Edge(f)),
                            ..
                        }
                        | CduThermal::Ntu {
                            cold: ColdSide::Edge(f),
                            ..
                        } => Some(*f),
                        _ => None,
                    };
                    cdus.push((k, f));
                }
                _ => {}
            }
        }
        let mut uf = UnionFind::new(n);
        for k in 0..ne {
            if !fixed[k] {
                uf.union(ea[k], eb[k]);
            }
        }
        // One reference per resistively connected part: its fixed-pressure node or its first node.
        let mut reference: Vec<Option<usize>> = vec![None; n];
        for i in 0..n {
            if m.fixed_pressure[i].is_some() {
                let r = uf.find(i);
                if let Some(other) = reference[r] {
                    return Err(Error::Network(format!(
                        "nodes '{}' and '{}' both fix the pressure of the same connected part; keep one",
                        m.node_names[other], m.node_names[i]
                    )));
                }
                reference[r] = Some(i);
            }
        }
        let mut p_ref = vec![0.0; n];
        let mut unknown = vec![NONE; n];
        let mut n_unknown = 0;
        let mut net_fixed = vec![0.0; n];
        let mut q_scale = 0.0_f64;
        for &(k, q) in &fixed_flows {
            net_fixed[uf.find(ea[k])] -= q;
            net_fixed[uf.find(eb[k])] += q;
            q_scale = q_scale.max(q.abs());
        }
        for i in 0..n {
            let r = uf.find(i);
            if reference[r].is_none() {
                reference[r] = Some(i);
                if net_fixed[r].abs() > 1e-9 * q_scale {
                    return Err(Error::Network(format!(
                        "flow sources push a net {:.6} L/min into the part containing node '{}'; fixed flows must balance",
                        net_fixed[r] * LPM,
                        m.node_names[i]
                    )));
                }
            }
            if reference[r] == Some(i) {
                p_ref[i] = m.fixed_pressure[i].unwrap_or(m.settings.reference_pressure_pa);
            } else {
                unknown[i] = n_unknown;
                n_unknown += 1;
            }
        }
        let mut inc_ptr = vec![0usize; n + 1];
        for k in 0..ne {
            inc_ptr[ea[k] + 1] += 1;
            inc_ptr[eb[k] + 1] += 1;
        }
        for i in 0..n {
            inc_ptr[i + 1] += inc_ptr[i];
        }
        let mut fill = inc_ptr.clone();
        let mut inc = vec![0usize; 2 * ne];
        for k in 0..ne {
            for node in [ea[k], eb[k]] {
                inc[fill[node]] = k;
                fill[node] += 1;
            }
        }
        let mut cut_owner = vec![(NONE, None); ne];
        for &(c, f) in &cdus {
            cut_owner[c] = (c, f);
            if let Some(f) = f {
                cut_owner[f] = (c, Some(f));
            }
        }
        let mut parts = Parts::new(m, (&ea, &eb), &unknown, &p_ref);
        if !m.settings.copy_identical_parts {
            parts.classes.clear();
        }
        let system = Mutex::new(System::new(
            m,
            &parts,
            parts.structural(),
            &unknown,
            (&ea, &eb),
        ));
        let mut tree = Vec::new();
        let mut visited = vec![false; n];
        for root in 0..n {
            if unknown[root] != NONE || visited[root] {
                continue;
            }
            visited[root] = true;
            let mut queue = VecDeque::from([root]);
            while let Some(i) = queue.pop_front() {
                for &k in &inc[inc_ptr[i]..inc_ptr[i + 1]] {
                    if fixed[k] {
                        continue;
                    }
                    let j = if ea[k] == i { eb[k] } else { ea[k] };
                    if !visited[j] {
                        visited[j] = true;
                        tree.push((j, k));
                        queue.push_back(j);
                    }
                }
            }
        }
        tree.reverse();
        Ok(Self {
            tree,
            m,
            unknown,
            n_unknown,
            p_ref,
            parts,
            system,
            ea,
            eb,
            fixed_flows,
            power,
            inc_ptr,
            inc,
            cut,
            cdus,
            cut_owner,
        })
    }

    /// Edge functions and slopes of the solved edges of `sys` at compact state (m, p), and
    /// the residuals `p_a − p_b − F(m)` (in Pa, unscaled). `guess` holds each turbulent pipe's
    /// last `1/√f`, the start of its Colebrook iteration (one or two steps instead of four from
    /// scratch). The edges are evaluated in parallel; the reductions run in edge order, so
    /// results do not depend on the threads.
    fn evaluate(
        &self,
        sys: &System,
        mf: &[f64],
        p: &[f64],
        props: &[Props],
        guess: &mut [f64],
        out: &mut Eval,
    ) {
        use rayon::prelude::*;
        let edges = &self.m.edges;
        let ne = sys.edges.len();
        let Eval { f, r, .. } = out;
        f.resize(ne, 0.0);
        r.resize(ne, 0.0);
        f.par_iter_mut()
            .zip(r.par_iter_mut())
            .zip(guess.par_iter_mut())
            .enumerate()
            .with_min_len(4096)
            .for_each(|(j, ((fj, rj), gj))| {
                let e = &edges[sys.edges[j]];
                if sys.fixed[j] {
                    *fj = 0.0;
                    *rj = 0.0;
                    return;
                }
                let pr = props[j];
                let (dp, slope) = pressure_drop_from(&e.kind, mf[j] / pr.rho, pr, gj);
                *fj = dp + pr.rho * GRAVITY * e.dz;
                *rj = slope / pr.rho;
            });
        let r_max = r.iter().fold(0.0_f64, |a, v| a.max(*v));
        // Quadratic losses have zero slope at zero flow: floor the slope so the step exists.
        let floor = (1e-9 * r_max).max(1e-3);
        let mut res_max: f64 = 0.0;
        let mut merit = 0.0;
        for j in 0..ne {
            if sys.fixed[j] {
                continue;
            }
            r[j] = r[j].max(floor);
            let res = p[sys.a[j]] - p[sys.b[j]] - f[j];
            res_max = res_max.max(res.abs());
            merit += res * res;
        }
        out.res_max = res_max;
        out.merit = merit;
    }

    /// Newton iteration for the hydraulics at fixed properties; returns its iteration count.
    ///
    /// Parts of the network that are copies of another part (same structure, same coolant
    /// properties and fixed flows, bit for bit; see [`Parts`]) are not iterated: their
    /// representative is, and they receive its flows and pressures.
    pub(super) fn hydraulics(
        &self,
        mf: &mut [f64],
        p: &mut [f64],
        props: &[Props],
        guess: &mut [f64],
        tol: f64,
        fixed_flows: &[(usize, f64)],
    ) -> Result<usize> {
        for &(k, q) in fixed_flows {
            mf[k] = q * props[k].rho;
        }
        for (i, pi) in p.iter_mut().enumerate() {
            if self.unknown[i] == NONE {
                *pi = self.p_ref[i];
            }
        }
        let mut sys = self
            .system
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !self.parts.classes.is_empty() {
            let rep = self.parts.group(props, mf);
            if rep != sys.rep {
                *sys = System::new(
                    self.m,
                    &self.parts,
                    rep,
                    &self.unknown,
                    (&self.ea, &self.eb),
                );
            }
        }
        let sys = &*sys;
        let mut mc: Vec<f64> = sys.edges.iter().map(|&k| mf[k]).collect();
        let mut gc: Vec<f64> = sys.edges.iter().map(|&k| guess[k]).collect();
        let pc: Vec<Props> = sys.edges.iter().map(|&k| props[k]).collect();
        let mut xc: Vec<f64> = sys.nodes.iter().map(|&i| p[i]).collect();
        let it = self.hydraulics_compact(sys, &mut mc, &mut xc, &pc, &mut gc, tol)?;
        for (j, &k) in sys.edges.iter().enumerate() {
            mf[k] = mc[j];
            guess[k] = gc[j];
        }
        for (c, &i) in sys.nodes.iter().enumerate() {
            p[i] = xc[c];
        }
        sys.copy_followers(&self.parts, mf, guess, p);
        if it > 0 {
            self.balance(mf);
        }
        Ok(it)
    }

    /// [`Solver::hydraulics`] on the solved parts, in the compact numbering of `sys`: `mf`,
    /// `props` and `guess` per solved edge, `p` per solved node.
    fn hydraulics_compact(
        &self,
        sys: &System,
        mf: &mut [f64],
        p: &mut [f64],
        props: &[Props],
        guess: &mut [f64],
        tol: f64,
    ) -> Result<usize> {
        let model = self.m;
        let (ea, eb, unknown) = (&sys.a, &sys.b, &sys.unknown);
        let ne = sys.edges.len();
        let n_unknown = sys.n_unknown();
        let mut ev = Eval::default();
        let mut ev_try = Eval::default();
        self.evaluate(sys, mf, p, props, guess, &mut ev);
        let mut p_scale =
            ev.f.iter()
                .chain(p.iter())
                .fold(1.0_f64, |a, v| a.max(v.abs()));
        if ev.res_max <= tol * p_scale
            && p.iter().any(|&v| v != 0.0)
            && conserves_mass(sys, mf, tol)
        {
            // already converged (a later coupling pass whose properties barely moved). The
            // edge residuals alone do not say so when a flow source has changed its flow (a
            // pump following a profile in time): the old flows then fit the old pressures but
            // break the node balances, and the rest of the loop would keep its old flow.
            return Ok(0);
        }
        let names = |u: usize| self.m.node_names[sys.nodes[sys.unknown_node[u]]].clone();
        let mut diag = vec![0.0; n_unknown];
        let mut off = vec![0.0; sys.n_pairs];
        let mut rhs = vec![0.0; n_unknown];
        let mut c = vec![0.0; ne];
        let mut p_new = p.to_vec();
        let mut m_new = mf.to_vec();
        let mut m_try = mf.to_vec();
        let mut p_try = p.to_vec();
        let mut factor = Factor::default();
        let mut work = Vec::new();
        let mut x = vec![0.0; n_unknown];
        for it in 1..=model.settings.max_iterations {
            diag.fill(0.0);
            off.fill(0.0);
            rhs.fill(0.0);
            for k in 0..ne {
                let (ua, ub) = (unknown[ea[k]], unknown[eb[k]]);
                if sys.fixed[k] {
                    if ua != NONE {
                        rhs[ua] -= mf[k];
                    }
                    if ub != NONE {
                        rhs[ub] += mf[k];
                    }
                    continue;
                }
                let w = 1.0 / ev.r[k];
                c[k] = mf[k] - ev.f[k] * w;
                if ua != NONE {
                    diag[ua] += w;
                    rhs[ua] -= c[k];
                    if ub == NONE {
                        rhs[ua] += w * p[eb[k]];
                    }
                }
                if ub != NONE {
                    diag[ub] += w;
                    rhs[ub] += c[k];
                    if ua == NONE {
                        rhs[ub] += w * p[ea[k]];
                    }
                }
                if sys.pair[k] != NONE {
                    off[sys.pair[k]] = -w;
                }
            }
            sys.sym.factor_into(&diag, &off, &names, &mut factor)?;
            sys.sym.solve_into(&factor, &rhs, &mut work, &mut x);
            for (i, pn) in p_new.iter_mut().enumerate() {
                *pn = if unknown[i] == NONE {
                    p[i]
                } else {
                    x[unknown[i]]
                };
            }
            for k in 0..ne {
                m_new[k] = if sys.fixed[k] {
                    mf[k]
                } else {
                    c[k] + (p_new[ea[k]] - p_new[eb[k]]) / ev.r[k]
                };
            }
            // Backtracking on the edge residuals; a convex combination of mass-conserving
            // states conserves mass, so damping never breaks the node balances. The first
            // step is taken whole: it is the one that establishes mass conservation.
            let mut lambda = 1.0;
            std::mem::swap(&mut m_try, &mut m_new);
            std::mem::swap(&mut p_try, &mut p_new);
            self.evaluate(sys, &m_try, &p_try, props, guess, &mut ev_try);
            while !(it == 1
                || ev_try.merit <= (1.0 - 1e-4 * lambda) * ev.merit
                || ev.merit < 1e-30 * p_scale * p_scale
                || lambda < 1e-4)
            {
                if lambda == 1.0 {
                    // keep the full step to blend from
                    std::mem::swap(&mut m_try, &mut m_new);
                    std::mem::swap(&mut p_try, &mut p_new);
                }
                lambda *= 0.5;
                for ((t, a), b) in m_try.iter_mut().zip(mf.iter()).zip(&m_new) {
                    *t = a + lambda * (b - a);
                }
                for ((t, a), b) in p_try.iter_mut().zip(p.iter()).zip(&p_new) {
                    *t = a + lambda * (b - a);
                }
                self.evaluate(sys, &m_try, &p_try, props, guess, &mut ev_try);
            }
            let (mut m_scale, mut step) = (1e-300_f64, 0.0_f64);
            for (x, y) in m_try.iter().zip(mf.iter()) {
                m_scale = m_scale.max(x.abs());
                step = step.max((x - y).abs());
            }
            mf.copy_from_slice(&m_try);
            p.copy_from_slice(&p_try);
            if it == 1 {
                // Pressures are only meaningful after the first step: set the scale from them.
                p_scale = ev_try
                    .f
                    .iter()
                    .chain(p.iter())
                    .fold(1.0_f64, |a, v| a.max(v.abs()));
            }
            std::mem::swap(&mut ev, &mut ev_try);
            if lambda == 1.0 && ev.res_max <= tol * p_scale && step <= 1e3 * tol * m_scale {
                return Ok(it);
            }
        }
        Err(Error::convergence(
            crate::error::Status::MaxIterations,
            crate::error::Equation::Network,
            format!(
                "network hydraulics did not converge in {} Newton iterations (largest relative edge residual {:.3e})",
                model.settings.max_iterations, ev.res_max / p_scale
            ),
            vec![ev.res_max / p_scale],
        ))
    }

    /// Removes the round-off mass imbalance left by the pressure solve (pressures of 1e5 Pa
    /// carry differences of 1 Pa) by pushing each node's residual to its parent along the
    /// spanning forest; the reference node receives the sum, which is zero by construction.
    fn balance(&self, mf: &mut [f64]) {
        let n = self.m.node_names.len();
        let mut net = vec![0.0; n];
        for (k, m) in mf.iter().enumerate() {
            net[self.ea[k]] += m;
            net[self.eb[k]] -= m;
        }
        for &(i, k) in &self.tree {
            let r = net[i];
            let parent = if self.ea[k] == i {
                mf[k] -= r;
                self.eb[k]
            } else {
                mf[k] += r;
                self.ea[k]
            };
            net[i] = 0.0;
            net[parent] += r;
        }
    }

    /// The program of `cached` updated to flows `mf` when they run the same way through the
    /// same edges (only the flow magnitudes changed), else a new one.
    pub(super) fn program_for(&self, mf: &[f64], cached: Option<FlowProgram>) -> FlowProgram {
        if let Some(mut prog) = cached {
            let m_max = mf.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
            let thr = 1e-12 * m_max;
            let same = (0..mf.len()).all(|k| {
                let flowing = mf[k].abs() > thr;
                flowing == (prog.absm[k] > 0.0)
                    && (!flowing || (mf[k] > 0.0) == (prog.up[k] == self.ea[k]))
            });
            if same {
                for (a, m) in prog.absm.iter_mut().zip(mf) {
                    *a = if m.abs() > thr { m.abs() } else { 0.0 };
                }
                return prog;
            }
        }
        self.program(mf)
    }

    /// The flow graph at flows `mf`, ordered for sweeping (see [`FlowProgram`]).
    pub(super) fn program(&self, mf: &[f64]) -> FlowProgram {
        let model = self.m;
        let n = model.node_names.len();
        let ne = mf.len();
        let m_max = mf.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
        let thr = 1e-12 * m_max;
        let absm: Vec<f64> = mf
            .iter()
            .map(|m| if m.abs() > thr { m.abs() } else { 0.0 })
            .collect();
        let up: Vec<usize> = (0..ne)
            .map(|k| if mf[k] > 0.0 { self.ea[k] } else { self.eb[k] })
            .collect();
        let down: Vec<usize> = (0..ne)
            .map(|k| if mf[k] > 0.0 { self.eb[k] } else { self.ea[k] })
            .collect();
        // Exchangers set their outlets from other nodes: ε–NTU outlets from both inlets,
        // facility sides from both inlets; a set-point outlet from nothing (when its limit is
        // not reached). These dependencies order the sweep beside the flowing edges.
        let mut extra: Vec<(usize, usize)> = Vec::new();
        for &(c, f) in &self.cdus {
            let ntu = matches!(
                model.edges[c].kind,
                Kind::Cdu {
                    thermal: CduThermal::Ntu { .. },
                    ..
                }
            );
            if absm[c] > 0.0 && ntu {
                extra.push((up[c], down[c]));
                if let Some(f) = f.filter(|&f| absm[f] > 0.0) {
                    extra.push((up[f], down[c]));
                }
            }
            if let Some(f) = f.filter(|&f| absm[f] > 0.0) {
                extra.push((up[f], down[f]));
                if absm[c] > 0.0 {
                    extra.push((up[c], down[f]));
                }
            }
        }
        // Arcs of the sweep order: plain edges plus the exchanger dependencies. Arcs of the
        // circulation check: every flowing edge but the CDUs themselves (a facility side adds
        // heat like a plate; only a CDU takes it out).
        let is_cdu: Vec<bool> = {
            let mut v = vec![false; ne];
            for &(c, _) in &self.cdus {
                v[c] = true;
            }
            v
        };
        let arc = |k: usize, with_extra: bool| -> bool {
            absm[k] > 0.0 && if with_extra { !self.cut[k] } else { !is_cdu[k] }
        };
        let kahn = |with_extra: bool| -> (Vec<usize>, Vec<bool>) {
            let mut indeg = vec![0usize; n];
            for k in 0..ne {
                if arc(k, with_extra) {
                    indeg[down[k]] += 1;
                }
            }
            let mut extra_ptr = vec![0usize; n + 1];
            if with_extra {
                for &(a, b) in &extra {
                    indeg[b] += 1;
                    extra_ptr[a + 1] += 1;
                }
            }
            for i in 0..n {
                extra_ptr[i + 1] += extra_ptr[i];
            }
            let mut extra_to = vec![0usize; if with_extra { extra.len() } else { 0 }];
            if with_extra {
                let mut fill = extra_ptr.clone();
                for &(a, b) in &extra {
                    extra_to[fill[a]] = b;
                    fill[a] += 1;
                }
            }
            // the order is its own first-in-first-out queue: nodes are appended when released
            // and visited from `head` on (the same sequence as a separate queue)
            let mut order: Vec<usize> = Vec::with_capacity(n);
            order.extend((0..n).filter(|&i| indeg[i] == 0));
            let mut head = 0;
            while head < order.len() {
                let i = order[head];
                head += 1;
                let mut release = |d: usize, order: &mut Vec<usize>| {
                    indeg[d] -= 1;
                    if indeg[d] == 0 {
                        order.push(d);
                    }
                };
                for &k in &self.inc[self.inc_ptr[i]..self.inc_ptr[i + 1]] {
                    if arc(k, with_extra) && up[k] == i {
                        release(down[k], &mut order);
                    }
                }
                for &d in &extra_to[extra_ptr[i]..extra_ptr[i + 1]] {
                    release(d, &mut order);
                }
            }
            let mut placed = vec![false; n];
            for &i in &order {
                placed[i] = true;
            }
            (order, placed)
        };
        let (mut order, placed) = kahn(true);
        let complete = order.len() == n;
        let mut circulating = Vec::new();
        if order.len() < n {
            // Either exchanger loops (iterated by the sweeps) or coolant circulating without
            // passing a CDU: the order over the flowing edges bar the CDUs tells them apart.
            // Kahn leaves the nodes downstream of a loop unplaced too; peeling the nodes with
            // no way forward inside the unplaced set keeps the loops (and what feeds them).
            let (_, reached) = kahn(false);
            let mut inside: Vec<bool> = reached.iter().map(|r| !r).collect();
            let mut outdeg = vec![0usize; n];
            for k in 0..ne {
                if arc(k, false) && inside[up[k]] && inside[down[k]] {
                    outdeg[up[k]] += 1;
                }
            }
            let mut stack: Vec<usize> = (0..n).filter(|&i| inside[i] && outdeg[i] == 0).collect();
            while let Some(i) = stack.pop() {
                inside[i] = false;
                for &k in &self.inc[self.inc_ptr[i]..self.inc_ptr[i + 1]] {
                    if arc(k, false) && down[k] == i && inside[up[k]] {
                        outdeg[up[k]] -= 1;
                        if outdeg[up[k]] == 0 {
                            stack.push(up[k]);
                        }
                    }
                }
            }
            circulating = (0..n).filter(|&i| inside[i]).collect();
            order.extend((0..n).filter(|&i| !placed[i]));
        }
        let mut in_ptr = Vec::with_capacity(n + 1);
        let mut out_ptr = Vec::with_capacity(n + 1);
        let mut in_edges = Vec::with_capacity(ne);
        let mut out_edges = Vec::with_capacity(ne);
        in_ptr.push(0);
        out_ptr.push(0);
        for &i in &order {
            for &k in &self.inc[self.inc_ptr[i]..self.inc_ptr[i + 1]] {
                if absm[k] > 0.0 {
                    if down[k] == i {
                        in_edges.push(k);
                    } else if !self.cut[k] {
                        out_edges.push(k);
                    }
                }
            }
            in_ptr.push(in_edges.len());
            out_ptr.push(out_edges.len());
        }
        FlowProgram {
            order,
            in_ptr,
            in_edges,
            out_ptr,
            out_edges,
            absm,
            up,
            down,
            circulating,
            complete,
        }
    }

    /// The cold-side state of CDU `c` (temperature [K] and heat-capacity rate [W/K]), from
    /// node enthalpies `h`, and its facility edge when that edge flows.
    pub(super) fn cold_state(
        &self,
        c: usize,
        facility: Option<usize>,
        prog: &FlowProgram,
        h: &[f64],
    ) -> (Option<(f64, f64)>, Option<usize>) {
        let fluid = &self.m.fluid;
        let Kind::Cdu { thermal, .. } = &self.m.edges[c].kind else {
            return (None, None);
        };
        let cold = match thermal {
            CduThermal::Setpoint { cold, .. } => cold.as_ref(),
            CduThermal::Ntu { cold, .. } => Some(cold),
        };
        match cold {
            Some(ColdSide::External { t_in, capacity_w_k }) => (Some((*t_in, *capacity_w_k)), None),
            Some(ColdSide::Edge(_)) => match facility.filter(|&f| prog.absm[f] > 0.0) {
                Some(f) => {
                    let tc = fluid.temperature(h[prog.up[f]]);
                    (Some((tc, prog.absm[f] * fluid.props(tc).cp)), Some(f))
                }
                None => (None, None),
            },
            None => (None, None),
        }
    }

    /// Heat [W] CDU `c` takes at node enthalpies `h` (set-point `t_set` [K]).
    fn cdu_q(&self, c: usize, facility: Option<usize>, prog: &FlowProgram, h: &[f64]) -> f64 {
        let Kind::Cdu { thermal, .. } = &self.m.edges[c].kind else {
            return 0.0;
        };
        let t_set = match thermal {
            CduThermal::Setpoint { t_out, .. } => *t_out,
            CduThermal::Ntu { .. } => f64::NAN,
        };
        let (cold, _) = self.cold_state(c, facility, prog, h);
        cdu_heat(
            thermal,
            &self.m.fluid,
            prog.absm[c],
            h[prog.up[c]],
            t_set,
            cold,
        )
    }

    /// Whether CDU `c`, taking heat `q` at enthalpies `h`, is held by something other than
    /// its set-point: an ε–NTU exchanger always, a set-point one whose limit binds.
    fn limit_binds(&self, c: usize, prog: &FlowProgram, h: &[f64], q: f64) -> bool {
        match &self.m.edges[c].kind {
            Kind::Cdu {
                thermal: CduThermal::Setpoint { t_out, ua, .. },
                ..
            } => {
                ua.is_some() && q != prog.absm[c] * (h[prog.up[c]] - self.m.fluid.enthalpy(*t_out))
            }
            _ => true,
        }
    }

    /// Whether one sweep in the order of `prog`, during which no exchanger's limit bound, gave
    /// the exact enthalpies `h`, so that a second would only confirm them: the order respects
    /// every dependency, no ε–NTU exchanger flows, and no set-point exchanger's limit binds at
    /// `h` either (its outlet is then its set-point whatever inlet it read, and its heat, read
    /// at its facility side's outlet, saw its final inlet, which the order puts first).
    fn one_sweep_is_exact(&self, prog: &FlowProgram, h: &[f64]) -> bool {
        prog.complete
            && self.cdus.iter().all(|&(c, f)| {
                prog.absm[c] == 0.0 || !self.limit_binds(c, prog, h, self.cdu_q(c, f, prog, h))
            })
    }

    /// Enthalpy sweep along the flow. `h` holds node enthalpies (updated in place).
    ///
    /// Each sweep visits the nodes in flow order: a node mixes what flows in, then passes its
    /// enthalpy (plus a plate's heat) to the edges leaving it. An exchanger edge's outlet is
    /// computed when its downstream node is reached, from the current state of its inlets; in
    /// an order that respects those dependencies (set-point CDUs whose limits do not bind) one
    /// sweep is exact and ends the pass ([`Solver::one_sweep_is_exact`]). ε–NTU loops converge
    /// geometrically, sped up by Aitken's Δ².
    /// `previous`: the last pass's result, whose columns are refilled (fresh 6 MB columns
    /// each pass cost a hall thousands of page faults).
    fn energy(
        &self,
        mf: &[f64],
        h: &mut [f64],
        cache: &mut Option<FlowProgram>,
        previous: Option<Energy>,
    ) -> Result<Energy> {
        let model = self.m;
        let fluid = &model.fluid;
        let ne = model.edges.len();
        let prog = self.program_for(mf, cache.take());
        let (mut h_out, mut heat) = match previous {
            Some(e) => (e.h_out, e.heat),
            None => (Vec::new(), Vec::new()),
        };
        h_out.clear();
        h_out.extend(prog.up.iter().map(|&u| h[u]));
        heat.clear();
        heat.resize(ne, 0.0);
        // heat per unit mass flow of the plates: power / |m|
        let qm: Vec<f64> = (0..ne)
            .map(|k| {
                if prog.absm[k] > 0.0 {
                    self.power[k] / prog.absm[k]
                } else {
                    0.0
                }
            })
            .collect();
        let h_tol = 1e-9;
        let max_sweeps = if prog.circulating.is_empty() {
            2000
        } else {
            50
        };
        // Inlet nodes of ε–NTU and limited set-point exchangers: their enthalpy closes a loop
        // through the exchanger and converges geometrically; Aitken's Δ² on the last three
        // sweeps removes most of it.
        let ntu_inlets: Vec<usize> = self
            .cdus
            .iter()
            .filter(|&&(c, _)| {
                prog.absm[c] > 0.0
                    && matches!(
                        model.edges[c].kind,
                        Kind::Cdu {
                            thermal: CduThermal::Ntu { .. }
                                | CduThermal::Setpoint { cold: Some(_), .. },
                            ..
                        }
                    )
            })
            .map(|&(c, _)| prog.up[c])
            .collect();
        let mut history: Vec<[f64; 3]> = vec![[0.0; 3]; ntu_inlets.len()];
        // no exchanger's limit bound when the first sweep read it (possibly before its inlet
        // was final: an outlet it then set at its set-point is the final one all the same)
        let mut unbound_in_first = true;
        for sweep in 1..=max_sweeps {
            let mut change: f64 = 0.0;
            for (pos, &i) in prog.order.iter().enumerate() {
                let (mut sm, mut smh) = (0.0, 0.0);
                for &k in &prog.in_edges[prog.in_ptr[pos]..prog.in_ptr[pos + 1]] {
                    if self.cut[k] {
                        let (c, f) = self.cut_owner[k];
                        let q = self.cdu_q(c, f, &prog, h);
                        unbound_in_first &= sweep > 1 || !self.limit_binds(c, &prog, h, q);
                        h_out[k] = if k == c {
                            h[prog.up[c]] - q / prog.absm[c]
                        } else {
                            h[prog.up[k]] + q / prog.absm[k]
                        };
                    }
                    sm += prog.absm[k];
                    smh += prog.absm[k] * h_out[k];
                }
                if sm > 0.0 {
                    let hn = smh / sm;
                    change = change.max((hn - h[i]).abs());
                    h[i] = hn;
                }
                for &k in &prog.out_edges[prog.out_ptr[pos]..prog.out_ptr[pos + 1]] {
                    h_out[k] = h[i] + qm[k];
                }
            }
            for (j, &i) in ntu_inlets.iter().enumerate() {
                let hist = &mut history[j];
                *hist = [hist[1], hist[2], h[i]];
                if sweep >= 4 && sweep % 3 == 1 {
                    let (d1, d2) = (hist[1] - hist[0], hist[2] - hist[1]);
                    let denom = d2 - d1;
                    if denom.abs() > 1e-300 && (d2 / d1) > 0.0 && (d2 / d1) < 0.95 {
                        h[i] = hist[2] - d2 * d2 / denom;
                        change = change.max(h_tol * 2.0);
                    }
                }
            }
            if (change <= h_tol && sweep > 1)
                || (sweep == 1 && unbound_in_first && self.one_sweep_is_exact(&prog, h))
            {
                // The exchangers' heat at the final state: one value per CDU, given to its
                // facility edge or, without one, leaving the modelled network.
                let mut heat_out = 0.0;
                for &(c, f) in &self.cdus {
                    if prog.absm[c] == 0.0 {
                        continue;
                    }
                    let q = self.cdu_q(c, f, &prog, h);
                    heat[c] = -q;
                    match f.filter(|&f| prog.absm[f] > 0.0) {
                        Some(f) => heat[f] = q,
                        None => heat_out += q,
                    }
                }
                for k in 0..ne {
                    if !self.cut[k] && prog.absm[k] > 0.0 {
                        heat[k] = self.power[k];
                    }
                }
                let _ = fluid;
                // A loop without heat settles; it is worth a word only in a network with CDUs
                // (a pure hydraulic loop is often the whole point of the model).
                let circulation = (!prog.circulating.is_empty() && !self.cdus.is_empty())
                    .then(|| self.circulation_report(mf, &prog, true));
                *cache = Some(prog);
                return Ok(Energy {
                    h_out,
                    heat,
                    sweeps: sweep,
                    heat_out,
                    circulation,
                });
            }
        }
        Err(Error::Network(self.circulation_report(mf, &prog, false)))
    }

    /// Mean velocity [m/s] of edge `k` at mass flow `m` and density `rho`, where it has a
    /// flow area.
    fn velocity(&self, k: usize, m: f64, rho: f64) -> Option<f64> {
        match &self.m.edges[k].kind {
            Kind::Pipe { area, .. } | Kind::KLoss { area, .. } => Some(m / (rho * area)),
            _ => None,
        }
    }

    /// Cold plate `k` at volume flow `q` [m³/s] (flows at or below `q_floor` count as none)
    /// and inlet temperature `t_in` [K]: `Err` when it receives no or reverse flow (its GPU
    /// temperature is undefined), else the characterised ranges it lies outside (extrapolated
    /// with `allow_extrapolation`, refused without). One home for the steady results and the
    /// transient's hydraulic solves.
    pub(super) fn plate_check(
        &self,
        k: usize,
        q: f64,
        q_floor: f64,
        t_in: f64,
    ) -> std::result::Result<Vec<String>, String> {
        let e = &self.m.edges[k];
        let Kind::Plate { curve, .. } = &e.kind else {
            return Ok(Vec::new());
        };
        if q <= q_floor {
            return Err(format!(
                "cold plate '{}' receives {} (flow {:.3e} L/min); its GPU temperature is undefined",
                e.name,
                if q < 0.0 { "reverse flow" } else { "no flow" },
                q * LPM
            ));
        }
        let mut outside = Vec::new();
        let (q_min, q_max) = curve.range();
        if q < q_min * (1.0 - 1e-9) || q > q_max * (1.0 + 1e-9) {
            outside.push(format!(
                "cold plate '{}': flow {:.4} L/min is outside its characterised range {:.4}–{:.4} L/min",
                e.name,
                q * LPM,
                q_min * LPM,
                q_max * LPM
            ));
        }
        if let Some((t_lo, t_hi)) = curve.temperature_range() {
            if t_in < t_lo - 1e-9 || t_in > t_hi + 1e-9 {
                outside.push(format!(
                    "cold plate '{}': inlet temperature {:.2} °C is outside its characterised range {:.2}–{:.2} °C",
                    e.name,
                    t_in - 273.15,
                    t_lo - 273.15,
                    t_hi - 273.15
                ));
            }
        }
        Ok(outside)
    }

    /// The fastest pipes and ducts, each with the diameter that would keep it at 2.5 m/s.
    pub(super) fn fastest_pipes(&self, mf: &[f64], rho: f64, count: usize) -> String {
        let mut fast: Vec<(f64, usize)> = (0..mf.len())
            .filter(|&k| matches!(self.m.edges[k].kind, Kind::Pipe { .. }))
            .filter_map(|k| self.velocity(k, mf[k], rho).map(|v| (v.abs(), k)))
            .collect();
        fast.sort_by(|a, b| b.0.total_cmp(&a.0));
        fast.iter()
            .take(count)
            .map(|&(v, k)| {
                let Kind::Pipe { d, .. } = self.m.edges[k].kind else {
                    return String::new();
                };
                let q = mf[k].abs() / rho;
                let need = (4.0 * q / (std::f64::consts::PI * 2.5)).sqrt();
                format!(
                    "'{}' {} m/s at {} L/min in Ø {d:.4} m (Ø ≥ {need:.3} m keeps 2.5 m/s)",
                    self.m.edges[k].name,
                    sig(v),
                    sig(q * LPM)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A plain statement of coolant circulating without passing an exchanger: the loop's
    /// edges with their flows and velocities, the ones running against their declared
    /// direction, the fastest pipes and what to resize.
    fn circulation_report(&self, mf: &[f64], prog: &FlowProgram, settled: bool) -> String {
        let model = self.m;
        let n = model.node_names.len();
        let rho = model.fluid.props(model.fluid.range().0.max(273.15)).rho;
        let mut on = vec![false; n];
        for &i in &prog.circulating {
            on[i] = true;
        }
        // Walk along flowing plain edges inside the circulating set until a node repeats.
        let mut cycle: Vec<usize> = Vec::new();
        if let Some(&start) = prog.circulating.first() {
            let mut seen_at = vec![NONE; n];
            let mut path: Vec<usize> = Vec::new();
            let mut i = start;
            while seen_at[i] == NONE {
                seen_at[i] = path.len();
                let next = self.inc[self.inc_ptr[i]..self.inc_ptr[i + 1]]
                    .iter()
                    .copied()
                    .find(|&k| {
                        prog.absm[k] > 0.0
                            && !matches!(model.edges[k].kind, Kind::Cdu { .. })
                            && prog.up[k] == i
                            && on[prog.down[k]]
                    });
                let Some(k) = next else { break };
                path.push(k);
                i = prog.down[k];
            }
            if seen_at[i] != NONE && seen_at[i] < path.len() {
                cycle = path[seen_at[i]..].to_vec();
            }
        }
        let describe = |k: usize| {
            let e = &model.edges[k];
            let q = mf[k] / rho * LPM;
            let v = self
                .velocity(k, mf[k], rho)
                .map_or(String::new(), |v| format!(", {:.2} m/s", v.abs()));
            let against = if mf[k] < 0.0 {
                ", against its direction"
            } else {
                ""
            };
            format!(
                "'{}' ({}, {:.1} L/min{v}{against})",
                e.name,
                e.kind_name,
                q.abs()
            )
        };
        let shown: Vec<String> = cycle.iter().take(8).map(|&k| describe(k)).collect();
        let more = if cycle.len() > 8 {
            format!(" and {} more", cycle.len() - 8)
        } else {
            String::new()
        };
        let backwards: Vec<String> = cycle
            .iter()
            .filter(|&&k| {
                mf[k] < 0.0
                    && (!matches!(model.edges[k].kind, Kind::Pipe { .. })
                        || model.edges[k].facility_of.is_some())
            })
            .take(4)
            .map(|&k| {
                let e = &model.edges[k];
                format!(
                    "'{}' ({} L/min from '{}' back to '{}')",
                    e.name,
                    sig((mf[k] / rho * LPM).abs()),
                    model.node_names[e.b],
                    model.node_names[e.a]
                )
            })
            .collect();
        let where_ = prog
            .circulating
            .first()
            .map_or_else(String::new, |&i| model.node_names[i].clone());
        let mut msg = if settled {
            format!(
                "coolant circulates through node '{where_}' without passing a CDU; the loop runs through {} edges: {}{more}",
                cycle.len(),
                shown.join(" → ")
            )
        } else {
            format!(
                "coolant temperatures do not settle: the flow circulates through node '{where_}' with heat added and no CDU removing it; the loop runs through {} edges: {}{more}",
                cycle.len(),
                shown.join(" → ")
            )
        };
        if !backwards.is_empty() {
            msg.push_str(&format!(". Reverse flow through {}", backwards.join(", ")));
        }
        msg.push_str(&format!(
            ". Fastest pipes: {}. A branch runs backwards when the pressure drop along the headers that feed it exceeds the drop across it: enlarge the headers, add resistance to the branches (balancing valves) or use reverse return",
            self.fastest_pipes(mf, rho, 3)
        ));
        msg
    }

    fn run(&self) -> Result<NetworkSolution> {
        let state = self.run_state()?;
        let clock = Instant::now();
        let mut sol = self.assemble(
            &state.mf,
            &state.p,
            &state.t,
            &state.h,
            &state.props,
            &state.energy,
            state.newton,
            state.sweeps,
            state.coupling,
        )?;
        let mut times = state.times;
        times.results_s = clock.elapsed().as_secs_f64();
        sol.times = times;
        Ok(sol)
    }

    /// The converged steady state: flows, pressures, temperatures and the energy pass.
    pub(super) fn run_state(&self) -> Result<SteadyState> {
        let model = self.m;
        let fluid = &model.fluid;
        let n = model.node_names.len();
        let ne = model.edges.len();
        let t0 = model.settings.initial_temperature_k.unwrap_or_else(|| {
            model
                .edges
                .iter()
                .find_map(|e| match &e.kind {
                    Kind::Cdu {
                        thermal:
                            CduThermal::Setpoint {
                                t_out, cold: None, ..
                            },
                        ..
                    } => Some(*t_out),
                    Kind::Cdu {
                        thermal:
                            CduThermal::Ntu {
                                cold: ColdSide::External { t_in, .. },
                                ..
                            },
                        ..
                    } => Some(*t_in),
                    _ => None,
                })
                .unwrap_or(300.0)
        });
        let mut h = vec![fluid.enthalpy(t0); n];
        let mut t = vec![t0; n];
        let mut p = vec![0.0; n];
        let rho0 = fluid.props(t0).rho;
        // A first guess of the flows at a typical scale: 1 m/s where an edge has a flow area,
        // a plate's reference flow, half a pump's curve. Newton's first step conserves mass
        // whatever the guess; a guess of the right order saves it several iterations.
        let mut mf: Vec<f64> = model
            .edges
            .iter()
            .map(|e| {
                rho0 * match &e.kind {
                    Kind::Pipe { area, .. } | Kind::KLoss { area, .. } => *area,
                    Kind::Plate { curve, .. } => match curve.as_ref() {
                        PlateCurve::Fit { q_ref, .. } => *q_ref,
                        PlateCurve::Table { q_min, q_max, .. } => 0.5 * (q_min + q_max),
                    },
                    Kind::Pump(c) => 0.5 * c.x_max(),
                    _ => 1e-5,
                }
            })
            .collect();
        let mut newton = 0;
        let mut guess = vec![0.0; ne];
        let mut sweeps = 0;
        let mut coupling = 0;
        let mut props = vec![fluid.props(t0); ne];
        let mut energy = None;
        let mut converged = false;
        // Early passes solve the hydraulics loosely (their properties are about to change);
        // once the temperatures move by less than a millikelvin, to the full tolerance. The
        // last pass is always a tight one.
        let mut dt_prev = f64::INFINITY;
        let mut program = None;
        let mut times = PhaseTimes::default();
        for pass in 1..=model.settings.max_coupling_iterations {
            coupling = pass;
            {
                use rayon::prelude::*;
                props
                    .par_iter_mut()
                    .enumerate()
                    .with_min_len(8192)
                    .for_each(|(k, pr)| {
                        *pr = fluid.props(0.5 * (t[self.ea[k]] + t[self.eb[k]]));
                    });
            }
            let loose = dt_prev > 1e-3;
            let tol = if loose {
                model.settings.tolerance.max(1e-6)
            } else {
                model.settings.tolerance
            };
            let clock = Instant::now();
            newton +=
                self.hydraulics(&mut mf, &mut p, &props, &mut guess, tol, &self.fixed_flows)?;
            times.hydraulics_s += clock.elapsed().as_secs_f64();
            let clock = Instant::now();
            let en = self.energy(&mf, &mut h, &mut program, energy.take())?;
            times.energy_s += clock.elapsed().as_secs_f64();
            sweeps += en.sweeps;
            let dt = {
                use rayon::prelude::*;
                t.par_iter_mut()
                    .zip(h.par_iter())
                    .with_min_len(8192)
                    .map(|(ti, &hi)| {
                        let tn = fluid.temperature(hi);
                        let change = (tn - *ti).abs();
                        *ti = tn;
                        change
                    })
                    .reduce(|| 0.0, f64::max)
            };
            energy = Some(en);
            // The passes converge linearly (each change about 1/150 of the one before on a
            // hall), so the distance to the coupled solution is about dt·ρ/(1 − ρ), ρ the ratio
            // of the last two changes. Stopping on that estimate instead of on the last change
            // saves the pass that would only confirm it (a fifth of a hall's solve).
            let rate = dt / dt_prev;
            let remaining = if rate < 0.5 {
                dt * rate / (1.0 - rate)
            } else {
                dt
            };
            if remaining.min(dt) <= model.settings.temperature_tolerance_k && !loose {
                converged = true;
                break;
            }
            dt_prev = dt;
        }
        let Some(energy) = energy else {
            return Err(Error::Network("no coupling pass ran".into()));
        };
        if !converged {
            return Err(Error::convergence(
                crate::error::Status::MaxIterations,
                crate::error::Equation::Network,
                format!(
                    "hydraulics and temperatures did not settle in {} coupling passes",
                    model.settings.max_coupling_iterations
                ),
                Vec::new(),
            ));
        }
        Ok(SteadyState {
            mf,
            p,
            t,
            h,
            props,
            energy,
            newton,
            sweeps,
            coupling,
            times,
            guess,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        &self,
        mf: &[f64],
        p: &[f64],
        t: &[f64],
        h: &[f64],
        props: &[Props],
        energy: &Energy,
        newton: usize,
        sweeps: usize,
        coupling: usize,
    ) -> Result<NetworkSolution> {
        let model = self.m;
        let fluid = &model.fluid;
        let allow = model.settings.allow_extrapolation;
        let mut warnings = Vec::new();
        let mut warning_kinds: Vec<WarningKind> = Vec::new();
        let mut problems = Vec::new();
        let mut flag = |msg: String, problems: &mut Vec<String>| {
            if allow {
                warnings.push(format!("{msg} (extrapolated)"));
                warning_kinds.push(WarningKind::Extrapolation);
            } else {
                problems.push(format!("{msg}; pass allow_extrapolation to extrapolate"));
            }
        };
        let m_max = mf.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
        let thr = 1e-12 * m_max;
        let ne = mf.len();
        let mut sol = NetworkSolution {
            edge_flow_m3_s: Vec::with_capacity(ne),
            edge_mass_flow_kg_s: Vec::with_capacity(ne),
            edge_pressure_drop_pa: Vec::with_capacity(ne),
            edge_velocity_m_s: Vec::with_capacity(ne),
            edge_reynolds: Vec::with_capacity(ne),
            edge_friction_factor: Vec::with_capacity(ne),
            edge_inlet_temperature_k: Vec::with_capacity(ne),
            edge_outlet_temperature_k: Vec::with_capacity(ne),
            edge_heat_w: Vec::with_capacity(ne),
            edge_hydraulic_power_w: Vec::with_capacity(ne),
            ..NetworkSolution::default()
        };
        let mut heat_in = 0.0;
        let mut setpoint_warnings = Vec::new();
        let mut reversed_plate = false;
        for (k, e) in model.edges.iter().enumerate() {
            let pr = props[k];
            let q = mf[k] / pr.rho;
            let (up, down) = if mf[k] >= 0.0 { (e.a, e.b) } else { (e.b, e.a) };
            let t_in = t[up];
            // `t[up]` is `fluid.temperature(h[up])`: an outlet at its inlet's enthalpy (every
            // edge without heat) needs no second conversion.
            let t_out = if mf[k].abs() > thr && energy.h_out[k] != h[up] {
                fluid.temperature(energy.h_out[k])
            } else {
                t_in
            };
            let mut velocity = None;
            let mut reynolds = None;
            let mut friction_factor = None;
            let mut hydraulic_power = 0.0;
            match &e.kind {
                Kind::Pipe {
                    d,
                    area,
                    rel_rough,
                    f_re,
                    ..
                } => {
                    let v = q / area;
                    let re = pr.rho * v.abs() * d / pr.mu;
                    velocity = Some(v);
                    reynolds = Some(re);
                    friction_factor =
                        (re > 0.0).then(|| super::friction::darcy_laminar(re, *rel_rough, *f_re));
                }
                Kind::KLoss { area, k } => {
                    let v = q / area;
                    velocity = Some(v);
                    let d = match k {
                        LossCoefficient::SuddenContraction { d_h, .. } => *d_h,
                        LossCoefficient::Constant(_) => (4.0 * area / std::f64::consts::PI).sqrt(),
                    };
                    reynolds = Some(pr.rho * v.abs() * d / pr.mu);
                }
                Kind::TableLoss(tab) => {
                    if q.abs() > tab.q_max * (1.0 + 1e-9) {
                        flag(
                            format!(
                                "loss '{}': flow {:.4} L/min is beyond its table (max {:.4} L/min)",
                                e.name,
                                q.abs() * LPM,
                                tab.q_max * LPM
                            ),
                            &mut problems,
                        );
                    }
                }
                Kind::Cdu { dp: Some(tab), .. } => {
                    if q.abs() > tab.q_max * (1.0 + 1e-9) {
                        flag(
                            format!(
                                "cdu '{}': flow {:.4} L/min is beyond its pressure-drop table (max {:.4} L/min)",
                                e.name,
                                q.abs() * LPM,
                                tab.q_max * LPM
                            ),
                            &mut problems,
                        );
                    }
                }
                Kind::Pump(curve) => {
                    let (rise, _) = curve.eval(q);
                    hydraulic_power = q * rise;
                    let shutoff = curve.eval(curve.x_min()).0;
                    if q < curve.x_min() * (1.0 - 1e-9) - 1e-15 {
                        flag(
                            format!(
                                "pump '{}' curve never meets the system curve: its largest pressure rise ({:.1} Pa) cannot drive the loop (the flow would be {:.4} L/min, below the curve's first point {:.4} L/min)",
                                e.name,
                                shutoff,
                                q * LPM,
                                curve.x_min() * LPM
                            ),
                            &mut problems,
                        );
                    } else if q > curve.x_max() * (1.0 + 1e-9) {
                        flag(
                            format!(
                                "pump '{}' curve never meets the system curve: the system would take {:.4} L/min, beyond the curve's last point ({:.4} L/min at {:.1} Pa); extend the curve to zero pressure rise",
                                e.name,
                                q * LPM,
                                curve.x_max() * LPM,
                                curve.eval(curve.x_max()).0
                            ),
                            &mut problems,
                        );
                    }
                }
                Kind::Fixed(_) => hydraulic_power = q * (p[e.b] - p[e.a]),
                Kind::Plate { curve, power, .. } => {
                    match self.plate_check(k, q, thr / pr.rho, t_in) {
                        Err(undefined) => {
                            problems.push(undefined);
                            reversed_plate = true;
                        }
                        Ok(outside) => {
                            for msg in outside {
                                flag(msg, &mut problems);
                            }
                            let rth = curve.resistance(q, t_in);
                            if !(rth > 0.0) {
                                problems.push(format!(
                                "cold plate '{}': its model gives a thermal resistance of {rth:.3e} K/W at {:.2} °C inlet",
                                e.name,
                                t_in - 273.15
                            ));
                            }
                            heat_in += power;
                            sol.plate_edge.push(k);
                            sol.plate_flow_m3_s.push(q);
                            sol.plate_inlet_temperature_k.push(t_in);
                            sol.plate_outlet_temperature_k.push(t_out);
                            sol.plate_pressure_drop_pa.push(p[e.a] - p[e.b]);
                            sol.plate_thermal_resistance_k_w.push(rth);
                            sol.plate_gpu_temperature_k.push(t_in + rth * power);
                            sol.plate_power_w.push(*power);
                        }
                    }
                }
                Kind::Cdu {
                    thermal:
                        CduThermal::Setpoint {
                            t_out: t_set,
                            ua: Some(ua),
                            ..
                        },
                    ..
                } => {
                    if mf[k].abs() > thr && t_out > t_set + 1e-6 {
                        setpoint_warnings.push(format!(
                            "cdu '{}' cannot hold its set-point {:.2} °C: its outlet is {:.2} °C with the exchanger at its limit (ua_w_k {ua:.0} W/K); raise ua_w_k, the facility flow or lower the facility supply temperature",
                            e.name,
                            t_set - 273.15,
                            t_out - 273.15
                        ));
                    }
                }
                Kind::Cdu { .. } => {}
            }
            let _ = down;
            sol.edge_flow_m3_s.push(q);
            sol.edge_mass_flow_kg_s.push(mf[k]);
            sol.edge_pressure_drop_pa.push(p[e.a] - p[e.b]);
            sol.edge_velocity_m_s.push(velocity.unwrap_or(f64::NAN));
            sol.edge_reynolds.push(reynolds.unwrap_or(f64::NAN));
            sol.edge_friction_factor
                .push(friction_factor.unwrap_or(f64::NAN));
            sol.edge_inlet_temperature_k.push(t_in);
            sol.edge_outlet_temperature_k.push(t_out);
            sol.edge_heat_w.push(energy.heat[k]);
            sol.edge_hydraulic_power_w.push(hydraulic_power);
        }
        if reversed_plate {
            let rho = fluid.props(fluid.range().0.max(273.15)).rho;
            problems.push(format!(
                "fastest pipes: {}; a branch runs backwards when the pressure drop along the headers that feed it exceeds the drop across it: enlarge the headers, add resistance to the branches or use reverse return",
                self.fastest_pipes(mf, rho, 3)
            ));
        }
        if !problems.is_empty() {
            return Err(Error::Network(problems.join("; ")));
        }
        for w in setpoint_warnings {
            warnings.push(w);
            warning_kinds.push(WarningKind::Setpoint);
        }
        let rho = fluid.props(fluid.range().0.max(273.15)).rho;
        // `cut`: the CDUs and their facility edges
        let backwards: Vec<String> = (0..ne)
            .filter(|&k| mf[k] < -thr && self.cut[k])
            .map(|k| {
                let e = &model.edges[k];
                format!(
                    "'{}' ({}, {} L/min from '{}' back to '{}')",
                    e.name,
                    if matches!(e.kind, Kind::Cdu { .. }) {
                        "cdu"
                    } else {
                        "facility side of a cdu"
                    },
                    sig(-mf[k] / rho * LPM),
                    model.node_names[e.b],
                    model.node_names[e.a]
                )
            })
            .collect();
        if !backwards.is_empty() {
            warning_kinds.push(WarningKind::ReverseFlow);
            warnings.push(format!(
                "reverse flow through {} exchanger edge(s): {}{}. Fastest pipes: {}. A branch runs backwards when the pressure drop along the headers that feed it exceeds the drop across it: enlarge the headers, add resistance to the branches or use reverse return",
                backwards.len(),
                backwards.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
                if backwards.len() > 5 { ", ..." } else { "" },
                self.fastest_pipes(mf, rho, 3)
            ));
        }
        if let Some(report) = &energy.circulation {
            warning_kinds.push(WarningKind::ReverseFlow);
            warnings.push(report.clone());
        }
        let n = model.node_names.len();
        let mut inflow = vec![0.0; n];
        let mut outflow = vec![0.0; n];
        for (k, (&a, &b)) in self.ea.iter().zip(&self.eb).enumerate() {
            if mf[k] >= 0.0 {
                outflow[a] += mf[k];
                inflow[b] += mf[k];
            } else {
                outflow[b] -= mf[k];
                inflow[a] -= mf[k];
            }
        }
        let (t_lo, t_hi) = fluid.range();
        // A one-row table is a constant-property coolant: valid everywhere.
        let outside: Vec<usize> = (0..n)
            .filter(|&i| t_hi > t_lo && (t[i] < t_lo - 1e-9 || t[i] > t_hi + 1e-9))
            .collect();
        if let Some(&i) = outside.first() {
            warning_kinds.push(WarningKind::PropertyRange);
            warnings.push(format!(
                "coolant temperature {:.2} °C at node '{}' ({} nodes in all) is outside the property table of {} ({:.1}–{:.1} °C); properties held at the table ends",
                t[i] - 273.15,
                model.node_names[i],
                outside.len(),
                fluid.name(),
                t_lo - 273.15,
                t_hi - 273.15
            ));
        }
        sol.node_mass_imbalance = (0..n)
            .map(|i| {
                let big = inflow[i].max(outflow[i]);
                if big > 0.0 {
                    (inflow[i] - outflow[i]).abs() / big
                } else {
                    0.0
                }
            })
            .collect();
        sol.max_mass_imbalance = sol
            .node_mass_imbalance
            .iter()
            .fold(0.0_f64, |a, v| a.max(*v));
        // The names are left to the caller: moved out of the model it owns (a copy of 569k
        // names cost 0.03–0.04 s of a hall's results), or read from the model by `to_records`.
        sol.node_pressure_pa = p.to_vec();
        sol.node_temperature_k = t.to_vec();
        sol.node_elevation_m = model.elevation.clone();
        let heat_out = energy.heat_out;
        let big = heat_in.max(heat_out);
        sol.energy_balance = EnergyBalance {
            heat_in_w: heat_in,
            heat_out_w: heat_out,
            relative_error: if big > 0.0 {
                (heat_in - heat_out).abs() / big
            } else {
                0.0
            },
        };
        let sys = self
            .system
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        sol.iterations = IterationReport {
            newton,
            coupling,
            energy_sweeps: sweeps,
            unknowns: self.n_unknown,
            factor_nnz: sys.sym.nnz(),
            solved_unknowns: sys.n_unknown(),
            copied_parts: sys.followers.len(),
        };
        sol.warnings = warnings;
        sol.warning_kinds = warning_kinds;
        Ok(sol)
    }
}

/// `v` with three significant digits (no exponent for the magnitudes of flows and speeds).
fn sig(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (2 - v.abs().log10().floor() as i32).clamp(0, 12) as usize;
    format!("{v:.digits$}")
}

/// Heat [W] a CDU takes from secondary flow `mh` [kg/s] entering at enthalpy `h_in`.
///
/// A set-point CDU removes what brings its outlet to `t_set` [K]; with `ua` and a cold side
/// (`cold`: temperature [K] and heat-capacity rate [W/K]) that heat is held within
/// `[0, ε·C_min·(T_in − T_cold)]` (a three-way valve cannot cool below what the exchanger
/// gives fully open, nor heat). An ε–NTU CDU removes `ε·C_min·(T_in − T_cold)`, nothing
/// without a flowing cold side.
pub fn cdu_heat(
    thermal: &CduThermal,
    fluid: &super::fluid::Fluid,
    mh: f64,
    h_in: f64,
    t_set: f64,
    cold: Option<(f64, f64)>,
) -> f64 {
    let capacity = |ua: f64| -> f64 {
        match cold {
            Some((tc, cc)) if cc > 0.0 => {
                let th = fluid.temperature(h_in);
                let ch = mh * fluid.props(th).cp;
                effectiveness(ua, ch, cc) * ch.min(cc) * (th - tc)
            }
            _ => 0.0,
        }
    };
    match thermal {
        CduThermal::Setpoint { ua, .. } => {
            let want = mh * (h_in - fluid.enthalpy(t_set));
            match ua {
                Some(ua) => want.min(capacity(*ua)).max(0.0),
                None => want,
            }
        }
        CduThermal::Ntu { ua, .. } => capacity(*ua),
    }
}

/// Counterflow heat-exchanger effectiveness from UA and the two heat-capacity rates.
pub fn effectiveness(ua: f64, c1: f64, c2: f64) -> f64 {
    let (cmin, cmax) = (c1.min(c2), c1.max(c2));
    let ntu = ua / cmin;
    let cr = cmin / cmax;
    if (1.0 - cr).abs() < 1e-9 {
        ntu / (1.0 + ntu)
    } else {
        let x = (-ntu * (1.0 - cr)).exp();
        (1.0 - x) / (1.0 - cr * x)
    }
}

/// The record form of a solution (one entry per node, edge and plate), for JSON.
pub fn to_records(model: &Model, sol: &NetworkSolution) -> NetworkResult {
    let nan_none = |v: f64| (!v.is_nan()).then_some(v);
    let nodes = (0..model.node_names.len())
        .map(|i| NodeResult {
            name: model.node_names[i].clone(),
            pressure_pa: sol.node_pressure_pa[i],
            temperature_k: sol.node_temperature_k[i],
            elevation_m: sol.node_elevation_m[i],
            mass_imbalance: sol.node_mass_imbalance[i],
        })
        .collect();
    let edges = model
        .edges
        .iter()
        .enumerate()
        .map(|(k, e)| EdgeResult {
            name: e.name.clone(),
            kind: e.kind_name.to_string(),
            from: model.node_names[e.a].clone(),
            to: model.node_names[e.b].clone(),
            flow_m3_s: sol.edge_flow_m3_s[k],
            mass_flow_kg_s: sol.edge_mass_flow_kg_s[k],
            pressure_drop_pa: sol.edge_pressure_drop_pa[k],
            velocity_m_s: nan_none(sol.edge_velocity_m_s[k]),
            reynolds: nan_none(sol.edge_reynolds[k]),
            friction_factor: nan_none(sol.edge_friction_factor[k]),
            inlet_temperature_k: sol.edge_inlet_temperature_k[k],
            outlet_temperature_k: sol.edge_outlet_temperature_k[k],
            heat_w: sol.edge_heat_w[k],
            hydraulic_power_w: sol.edge_hydraulic_power_w[k],
        })
        .collect();
    let cold_plates = (0..sol.plate_edge.len())
        .map(|j| ColdPlateResult {
            name: model.edges[sol.plate_edge[j]].name.clone(),
            flow_m3_s: sol.plate_flow_m3_s[j],
            inlet_temperature_k: sol.plate_inlet_temperature_k[j],
            outlet_temperature_k: sol.plate_outlet_temperature_k[j],
            pressure_drop_pa: sol.plate_pressure_drop_pa[j],
            thermal_resistance_k_w: sol.plate_thermal_resistance_k_w[j],
            gpu_temperature_k: sol.plate_gpu_temperature_k[j],
            power_w: sol.plate_power_w[j],
        })
        .collect();
    NetworkResult {
        nodes,
        edges,
        cold_plates,
        energy_balance: sol.energy_balance.clone(),
        max_mass_imbalance: sol.max_mass_imbalance,
        iterations: sol.iterations.clone(),
        warnings: sol.warnings.clone(),
    }
}

/// Whether flows `mf` (per solved edge of `sys`) balance at every node whose pressure is
/// solved for, to `tol` relative to the largest flow.
fn conserves_mass(sys: &System, mf: &[f64], tol: f64) -> bool {
    let mut net = vec![0.0; sys.n_unknown()];
    let mut m_scale = 0.0_f64;
    for (k, &m) in mf.iter().enumerate() {
        m_scale = m_scale.max(m.abs());
        let (ua, ub) = (sys.unknown[sys.a[k]], sys.unknown[sys.b[k]]);
        if ua != NONE {
            net[ua] -= m;
        }
        if ub != NONE {
            net[ub] += m;
        }
    }
    net.iter().all(|v| v.abs() <= tol * m_scale)
}
