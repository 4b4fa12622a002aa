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

use super::fluid::Props;
use super::model::{
    pressure_drop, CduThermal, ColdSide, Kind, LossCoefficient, Model, UnionFind, GRAVITY,
};
use super::sparse::Symbolic;
use super::spec::{
    ColdPlateResult, EdgeResult, EnergyBalance, IterationReport, NetworkResult, NetworkSolution,
    NodeResult,
};
use crate::error::{Error, Result};

const LPM: f64 = 60_000.0;

/// Solves a validated model.
pub fn solve_model(model: &Model) -> Result<NetworkSolution> {
    Solver::new(model)?.run()
}

struct Solver<'a> {
    m: &'a Model,
    /// Unknown index of each node (None: reference node with fixed pressure).
    unknown: Vec<Option<usize>>,
    n_unknown: usize,
    /// Pressure of reference nodes.
    p_ref: Vec<f64>,
    sym: Symbolic,
    /// Index into the pair list for edges joining two unknown nodes.
    pair: Vec<Option<usize>>,
    n_pairs: usize,
    /// Edges incident to each node.
    incident: Vec<Vec<usize>>,
    /// Edges whose outlet enthalpy is set by a heat exchanger, not by their inlet.
    cut: Vec<bool>,
    /// Spanning forest of the resistive edges, rooted at the reference nodes: nodes from the
    /// leaves inwards, each with the edge to its parent.
    tree: Vec<(usize, usize)>,
}

struct Eval {
    f: Vec<f64>,
    r: Vec<f64>,
    res_max: f64,
    merit: f64,
}

struct Energy {
    h_out: Vec<f64>,
    heat: Vec<f64>,
    sweeps: usize,
    heat_out: f64,
}

impl<'a> Solver<'a> {
    fn new(m: &'a Model) -> Result<Self> {
        let n = m.node_names.len();
        let mut uf = UnionFind::new(n);
        for e in &m.edges {
            if !matches!(e.kind, Kind::Fixed(_)) {
                uf.union(e.a, e.b);
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
        let mut unknown = vec![None; n];
        let mut n_unknown = 0;
        let mut net_fixed = vec![0.0; n];
        for e in &m.edges {
            if let Kind::Fixed(q) = e.kind {
                net_fixed[uf.find(e.a)] -= q;
                net_fixed[uf.find(e.b)] += q;
            }
        }
        let q_scale = m
            .edges
            .iter()
            .map(|e| {
                if let Kind::Fixed(q) = e.kind {
                    q.abs()
                } else {
                    0.0
                }
            })
            .fold(0.0, f64::max);
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
                unknown[i] = Some(n_unknown);
                n_unknown += 1;
            }
        }
        let mut pairs = Vec::new();
        let mut pair = vec![None; m.edges.len()];
        let mut incident = vec![Vec::new(); n];
        let mut cut = vec![false; m.edges.len()];
        for (k, e) in m.edges.iter().enumerate() {
            incident[e.a].push(k);
            incident[e.b].push(k);
            cut[k] = matches!(e.kind, Kind::Cdu { .. }) || e.facility_of.is_some();
            if matches!(e.kind, Kind::Fixed(_)) {
                continue;
            }
            if let (Some(ua), Some(ub)) = (unknown[e.a], unknown[e.b]) {
                pair[k] = Some(pairs.len());
                pairs.push((ua, ub));
            }
        }
        let sym = Symbolic::new(n_unknown, &pairs);
        let mut tree = Vec::new();
        let mut visited = vec![false; n];
        for root in 0..n {
            if unknown[root].is_some() || visited[root] {
                continue;
            }
            visited[root] = true;
            let mut queue = VecDeque::from([root]);
            while let Some(i) = queue.pop_front() {
                for &k in &incident[i] {
                    let e = &m.edges[k];
                    if matches!(e.kind, Kind::Fixed(_)) {
                        continue;
                    }
                    let j = if e.a == i { e.b } else { e.a };
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
            sym,
            pair,
            n_pairs: pairs.len(),
            incident,
            cut,
        })
    }

    fn unknown_name(&self, u: usize) -> String {
        self.unknown
            .iter()
            .position(|&x| x == Some(u))
            .map_or_else(String::new, |i| self.m.node_names[i].clone())
    }

    /// Edge functions, slopes and residuals at state (m, p).
    fn evaluate(&self, mf: &[f64], p: &[f64], props: &[Props], p_scale: f64) -> Eval {
        let ne = self.m.edges.len();
        let mut f = vec![0.0; ne];
        let mut r = vec![0.0; ne];
        let mut r_max: f64 = 0.0;
        for (k, e) in self.m.edges.iter().enumerate() {
            if matches!(e.kind, Kind::Fixed(_)) {
                continue;
            }
            let pr = props[k];
            let (dp, slope) = pressure_drop(&e.kind, mf[k] / pr.rho, pr);
            f[k] = dp + pr.rho * GRAVITY * e.dz;
            r[k] = slope / pr.rho;
            r_max = r_max.max(r[k]);
        }
        // Quadratic losses have zero slope at zero flow: floor the slope so the step exists.
        let floor = (1e-9 * r_max).max(1e-3);
        let mut res_max: f64 = 0.0;
        let mut merit = 0.0;
        for (k, e) in self.m.edges.iter().enumerate() {
            if matches!(e.kind, Kind::Fixed(_)) {
                continue;
            }
            r[k] = r[k].max(floor);
            let res = (p[e.a] - p[e.b] - f[k]) / p_scale;
            res_max = res_max.max(res.abs());
            merit += res * res;
        }
        Eval {
            f,
            r,
            res_max,
            merit,
        }
    }

    /// Newton iteration for the hydraulics at fixed properties; returns its iteration count.
    fn hydraulics(&self, mf: &mut [f64], p: &mut [f64], props: &[Props]) -> Result<usize> {
        let model = self.m;
        for (k, e) in model.edges.iter().enumerate() {
            if let Kind::Fixed(q) = e.kind {
                mf[k] = q * props[k].rho;
            }
        }
        for (i, pi) in p.iter_mut().enumerate() {
            if self.unknown[i].is_none() {
                *pi = self.p_ref[i];
            }
        }
        let first = self.evaluate(mf, p, props, 1.0);
        let mut p_scale = first
            .f
            .iter()
            .chain(p.iter())
            .fold(1.0_f64, |a, v| a.max(v.abs()));
        let mut ev = self.evaluate(mf, p, props, p_scale);
        let tol = model.settings.tolerance;
        let names = |u: usize| self.unknown_name(u);
        for it in 1..=model.settings.max_iterations {
            let mut diag = vec![0.0; self.n_unknown];
            let mut off = vec![0.0; self.n_pairs];
            let mut rhs = vec![0.0; self.n_unknown];
            let mut c = vec![0.0; model.edges.len()];
            for (k, e) in model.edges.iter().enumerate() {
                if matches!(e.kind, Kind::Fixed(_)) {
                    if let Some(ua) = self.unknown[e.a] {
                        rhs[ua] -= mf[k];
                    }
                    if let Some(ub) = self.unknown[e.b] {
                        rhs[ub] += mf[k];
                    }
                    continue;
                }
                let w = 1.0 / ev.r[k];
                c[k] = mf[k] - ev.f[k] * w;
                if let Some(ua) = self.unknown[e.a] {
                    diag[ua] += w;
                    rhs[ua] -= c[k];
                    if self.unknown[e.b].is_none() {
                        rhs[ua] += w * p[e.b];
                    }
                }
                if let Some(ub) = self.unknown[e.b] {
                    diag[ub] += w;
                    rhs[ub] += c[k];
                    if self.unknown[e.a].is_none() {
                        rhs[ub] += w * p[e.a];
                    }
                }
                if let Some(q) = self.pair[k] {
                    off[q] = -w;
                }
            }
            let factor = self.sym.factor(&diag, &off, &names)?;
            let x = self.sym.solve(&factor, &rhs);
            let mut p_new = p.to_vec();
            for (pn, u) in p_new.iter_mut().zip(&self.unknown) {
                if let Some(u) = u {
                    *pn = x[*u];
                }
            }
            let mut m_new = mf.to_vec();
            for (k, e) in model.edges.iter().enumerate() {
                if !matches!(e.kind, Kind::Fixed(_)) {
                    m_new[k] = c[k] + (p_new[e.a] - p_new[e.b]) / ev.r[k];
                }
            }
            // Backtracking on the edge residuals; a convex combination of mass-conserving
            // states conserves mass, so damping never breaks the node balances. The first
            // step is taken whole: it is the one that establishes mass conservation.
            let mut lambda = 1.0;
            let (mut m_try, mut p_try, mut ev_try);
            loop {
                m_try = mf
                    .iter()
                    .zip(&m_new)
                    .map(|(a, b)| a + lambda * (b - a))
                    .collect::<Vec<_>>();
                p_try = p
                    .iter()
                    .zip(&p_new)
                    .map(|(a, b)| a + lambda * (b - a))
                    .collect::<Vec<_>>();
                ev_try = self.evaluate(&m_try, &p_try, props, p_scale);
                if it == 1
                    || ev_try.merit <= (1.0 - 1e-4 * lambda) * ev.merit
                    || ev.merit < 1e-30
                    || lambda < 1e-4
                {
                    break;
                }
                lambda *= 0.5;
            }
            let m_scale = m_try.iter().fold(1e-300_f64, |a, v| a.max(v.abs()));
            let step = m_try
                .iter()
                .zip(mf.iter())
                .fold(0.0_f64, |a, (x, y)| a.max((x - y).abs()));
            mf.copy_from_slice(&m_try);
            p.copy_from_slice(&p_try);
            if it == 1 {
                // Pressures are only meaningful after the first step: set the scale from them.
                p_scale = ev_try
                    .f
                    .iter()
                    .chain(p.iter())
                    .fold(1.0_f64, |a, v| a.max(v.abs()));
                ev_try = self.evaluate(mf, p, props, p_scale);
            }
            ev = ev_try;
            if lambda == 1.0 && ev.res_max <= tol && step <= 1e3 * tol * m_scale {
                self.balance(mf);
                return Ok(it);
            }
        }
        Err(Error::convergence(
            crate::error::Status::MaxIterations,
            crate::error::Equation::Network,
            format!(
                "network hydraulics did not converge in {} Newton iterations (largest relative edge residual {:.3e})",
                model.settings.max_iterations, ev.res_max
            ),
            vec![ev.res_max],
        ))
    }

    /// Removes the round-off mass imbalance left by the pressure solve (pressures of 1e5 Pa
    /// carry differences of 1 Pa) by pushing each node's residual to its parent along the
    /// spanning forest; the reference node receives the sum, which is zero by construction.
    fn balance(&self, mf: &mut [f64]) {
        let n = self.m.node_names.len();
        let mut net = vec![0.0; n];
        for (k, e) in self.m.edges.iter().enumerate() {
            net[e.a] += mf[k];
            net[e.b] -= mf[k];
        }
        for &(i, k) in &self.tree {
            let r = net[i];
            let e = &self.m.edges[k];
            let parent = if e.a == i {
                mf[k] -= r;
                e.b
            } else {
                mf[k] += r;
                e.a
            };
            net[i] = 0.0;
            net[parent] += r;
        }
    }

    /// Enthalpy sweep along the flow. `h` holds node enthalpies (updated in place).
    fn energy(&self, mf: &[f64], h: &mut [f64]) -> Result<Energy> {
        let model = self.m;
        let fluid = &model.fluid;
        let n = model.node_names.len();
        let ne = model.edges.len();
        let m_max = mf.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
        let thr = 1e-12 * m_max;
        let flowing = |k: usize| mf[k].abs() > thr;
        let upstream = |k: usize| {
            if mf[k] > 0.0 {
                model.edges[k].a
            } else {
                model.edges[k].b
            }
        };
        let downstream = |k: usize| {
            if mf[k] > 0.0 {
                model.edges[k].b
            } else {
                model.edges[k].a
            }
        };
        // Topological order of the flow graph without the exchanger edges (Kahn).
        let mut indeg = vec![0usize; n];
        for k in 0..ne {
            if flowing(k) && !self.cut[k] {
                indeg[downstream(k)] += 1;
            }
        }
        let mut queue: VecDeque<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
        let mut order = Vec::with_capacity(n);
        let mut placed = vec![false; n];
        while let Some(i) = queue.pop_front() {
            order.push(i);
            placed[i] = true;
            for &k in &self.incident[i] {
                if flowing(k) && !self.cut[k] && upstream(k) == i {
                    let d = downstream(k);
                    indeg[d] -= 1;
                    if indeg[d] == 0 {
                        queue.push_back(d);
                    }
                }
            }
        }
        let cyclic: Vec<usize> = (0..n).filter(|&i| !placed[i]).collect();
        order.extend_from_slice(&cyclic);

        let mut h_out = vec![0.0; ne];
        let mut heat = vec![0.0; ne];
        for k in 0..ne {
            h_out[k] = h[upstream(k)];
        }
        let h_tol = 1e-9;
        let max_sweeps = 2000;
        // Inlet nodes of ε–NTU exchangers: their enthalpy closes a loop through the exchanger
        // and converges geometrically; Aitken's Δ² on the last three sweeps removes most of it.
        let ntu_inlets: Vec<usize> = (0..ne)
            .filter(|&k| {
                flowing(k)
                    && matches!(
                        model.edges[k].kind,
                        Kind::Cdu {
                            thermal: CduThermal::Ntu { .. }
                                | CduThermal::Setpoint { cold: Some(_), .. },
                            ..
                        }
                    )
            })
            .map(upstream)
            .collect();
        let mut history: Vec<[f64; 3]> = vec![[0.0; 3]; ntu_inlets.len()];
        for sweep in 1..=max_sweeps {
            // Exchanger edges first, from the current inlet states.
            let mut heat_out = 0.0;
            for k in 0..ne {
                let e = &model.edges[k];
                let Kind::Cdu { thermal, .. } = &e.kind else {
                    continue;
                };
                if !flowing(k) {
                    continue;
                }
                let mh = mf[k].abs();
                let h_in = h[upstream(k)];
                let cold = match thermal {
                    CduThermal::Setpoint { cold, .. } => cold.as_ref(),
                    CduThermal::Ntu { cold, .. } => Some(cold),
                };
                let (cold_state, f) = match cold {
                    Some(ColdSide::External { t_in, capacity_w_k }) => {
                        (Some((*t_in, *capacity_w_k)), None)
                    }
                    Some(ColdSide::Edge(f)) => {
                        let f = *f;
                        if flowing(f) {
                            let tc = fluid.temperature(h[upstream(f)]);
                            (Some((tc, mf[f].abs() * fluid.props(tc).cp)), Some(f))
                        } else {
                            (None, Some(f))
                        }
                    }
                    None => (None, None),
                };
                let t_set = match thermal {
                    CduThermal::Setpoint { t_out, .. } => *t_out,
                    CduThermal::Ntu { .. } => f64::NAN,
                };
                let q = cdu_heat(thermal, fluid, mh, h_in, t_set, cold_state);
                h_out[k] = h_in - q / mh;
                heat[k] = -q;
                match f {
                    Some(f) if flowing(f) => {
                        h_out[f] = h[upstream(f)] + q / mf[f].abs();
                        heat[f] = q;
                    }
                    // no facility flow to take it: the heat leaves the modelled network
                    _ => heat_out += q,
                }
            }
            let mut change: f64 = 0.0;
            for &i in &order {
                let (mut sm, mut smh) = (0.0, 0.0);
                for &k in &self.incident[i] {
                    if flowing(k) && downstream(k) == i {
                        sm += mf[k].abs();
                        smh += mf[k].abs() * h_out[k];
                    }
                }
                if sm > 0.0 {
                    let hn = smh / sm;
                    change = change.max((hn - h[i]).abs());
                    h[i] = hn;
                }
                for &k in &self.incident[i] {
                    if flowing(k) && !self.cut[k] && upstream(k) == i {
                        let q = match model.edges[k].kind {
                            Kind::Plate { power, .. } => power,
                            _ => 0.0,
                        };
                        heat[k] = q;
                        h_out[k] = h[i] + q / mf[k].abs();
                    }
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
            if change <= h_tol && sweep > 1 {
                return Ok(Energy {
                    h_out,
                    heat,
                    sweeps: sweep,
                    heat_out,
                });
            }
        }
        let where_ = cyclic.first().copied().unwrap_or(0);
        Err(Error::Network(format!(
            "coolant temperatures do not settle: the flow circulates through node '{}' with heat added and no CDU removing it",
            model.node_names[where_]
        )))
    }

    fn run(&self) -> Result<NetworkSolution> {
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
        let mut mf = vec![1e-5 * rho0; ne];
        let mut newton = 0;
        let mut sweeps = 0;
        let mut coupling = 0;
        let mut props = vec![fluid.props(t0); ne];
        let mut energy = None;
        let mut converged = false;
        for pass in 1..=model.settings.max_coupling_iterations {
            coupling = pass;
            for (k, e) in model.edges.iter().enumerate() {
                props[k] = fluid.props(0.5 * (t[e.a] + t[e.b]));
            }
            newton += self.hydraulics(&mut mf, &mut p, &props)?;
            let en = self.energy(&mf, &mut h)?;
            sweeps += en.sweeps;
            let mut dt: f64 = 0.0;
            for i in 0..n {
                let tn = fluid.temperature(h[i]);
                dt = dt.max((tn - t[i]).abs());
                t[i] = tn;
            }
            energy = Some(en);
            if dt <= model.settings.temperature_tolerance_k {
                converged = true;
                break;
            }
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
        self.assemble(&mf, &p, &t, &props, &energy, newton, sweeps, coupling)
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        &self,
        mf: &[f64],
        p: &[f64],
        t: &[f64],
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
        let mut warning_kinds: Vec<&'static str> = Vec::new();
        let mut problems = Vec::new();
        let mut flag = |msg: String, problems: &mut Vec<String>| {
            if allow {
                warnings.push(format!("{msg} (extrapolated)"));
                warning_kinds.push("extrapolation");
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
        for (k, e) in model.edges.iter().enumerate() {
            let pr = props[k];
            let q = mf[k] / pr.rho;
            let (up, down) = if mf[k] >= 0.0 { (e.a, e.b) } else { (e.b, e.a) };
            let t_in = t[up];
            let t_out = if mf[k].abs() > thr {
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
                Kind::Plate { curve, power } => {
                    let (q_min, q_max) = curve.range();
                    if q <= thr / pr.rho {
                        problems.push(format!(
                            "cold plate '{}' receives {} (flow {:.3e} L/min); its GPU temperature is undefined",
                            e.name,
                            if q < 0.0 { "reverse flow" } else { "no flow" },
                            q * LPM
                        ));
                    } else {
                        if q < q_min * (1.0 - 1e-9) || q > q_max * (1.0 + 1e-9) {
                            flag(
                                format!(
                                    "cold plate '{}': flow {:.4} L/min is outside its characterised range {:.4}–{:.4} L/min",
                                    e.name,
                                    q * LPM,
                                    q_min * LPM,
                                    q_max * LPM
                                ),
                                &mut problems,
                            );
                        }
                        if let Some((t_lo, t_hi)) = curve.temperature_range() {
                            if t_in < t_lo - 1e-9 || t_in > t_hi + 1e-9 {
                                flag(
                                    format!(
                                        "cold plate '{}': inlet temperature {:.2} °C is outside its characterised range {:.2}–{:.2} °C",
                                        e.name,
                                        t_in - 273.15,
                                        t_lo - 273.15,
                                        t_hi - 273.15
                                    ),
                                    &mut problems,
                                );
                            }
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
        if !problems.is_empty() {
            return Err(Error::Network(problems.join("; ")));
        }
        let n = model.node_names.len();
        let mut inflow = vec![0.0; n];
        let mut outflow = vec![0.0; n];
        for (k, e) in model.edges.iter().enumerate() {
            if mf[k] >= 0.0 {
                outflow[e.a] += mf[k];
                inflow[e.b] += mf[k];
            } else {
                outflow[e.b] -= mf[k];
                inflow[e.a] -= mf[k];
            }
        }
        let (t_lo, t_hi) = fluid.range();
        // A one-row table is a constant-property coolant: valid everywhere.
        let outside: Vec<usize> = (0..n)
            .filter(|&i| t_hi > t_lo && (t[i] < t_lo - 1e-9 || t[i] > t_hi + 1e-9))
            .collect();
        if let Some(&i) = outside.first() {
            warning_kinds.push("property_range");
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
        sol.node_names = model.node_names.clone();
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
        sol.iterations = IterationReport {
            newton,
            coupling,
            energy_sweeps: sweeps,
            unknowns: self.n_unknown,
            factor_nnz: self.sym.nnz(),
        };
        sol.warnings = warnings;
        sol.warning_kinds = warning_kinds.into_iter().map(String::from).collect();
        Ok(sol)
    }
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
    let nodes = (0..sol.node_names.len())
        .map(|i| NodeResult {
            name: sol.node_names[i].clone(),
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
