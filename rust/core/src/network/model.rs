//! The validated, index-based form of a [`NetworkSpec`]: every check on user data happens
//! here, once, and reports every problem found, each naming its edge or node.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::curve::Pchip;
use super::fittings;
use super::fluid::{Fluid, Props};
use super::friction;
use super::spec::{
    CduControl, ColdPlateCurve, Component, FlowTable, NetworkSettings, NetworkSpec, NetworkTable,
    SuddenContraction, ThermalLadder,
};
use crate::error::{Error, Result};

/// A fast, non-cryptographic hash for the name lookups of large networks (the multiplicative
/// "Fx" hash of rustc); names come from the user's own model, so flooding is no concern.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Hash maps and sets keyed by names.
pub type FxBuild = BuildHasherDefault<FxHasher>;

/// Standard gravity [m/s²].
pub const GRAVITY: f64 = 9.806_65;

/// A loss table as an odd, monotone function of flow through the origin.
#[derive(Debug, Clone)]
pub struct OddTable {
    pub curve: Pchip,
    pub q_max: f64,
}

impl OddTable {
    fn new(table: &FlowTable, what: &str) -> Result<Self> {
        let (mut q, mut dp) = (table.flow_m3_s.clone(), table.pressure_drop_pa.clone());
        if q.len() != dp.len() {
            return Err(Error::Network(format!(
                "{what}: expecting as many pressure drops as flows, got {} and {}",
                dp.len(),
                q.len()
            )));
        }
        if q.iter().chain(&dp).any(|v| !v.is_finite() || *v < 0.0) {
            return Err(Error::Network(format!(
                "{what}: flows and pressure drops must be finite and ≥ 0"
            )));
        }
        if q.first().is_some_and(|&v| v > 0.0) {
            q.insert(0, 0.0);
            dp.insert(0, 0.0);
        }
        if dp.first().is_some_and(|&v| v != 0.0) {
            return Err(Error::Network(format!(
                "{what}: the pressure drop at zero flow must be 0"
            )));
        }
        let curve = Pchip::new(&q, &dp, what)?;
        Ok(Self {
            q_max: curve.x_max(),
            curve,
        })
    }

    /// ΔP and dΔP/dQ.
    pub fn eval(&self, q: f64) -> (f64, f64) {
        let (v, s) = self.curve.eval(q.abs());
        (v * q.signum(), s)
    }
}

/// A cold-plate characteristic ready to evaluate.
#[derive(Debug, Clone)]
pub enum PlateCurve {
    Fit {
        q_ref: f64,
        a: f64,
        b: f64,
        c0: f64,
        c1: f64,
        n: f64,
        q_min: f64,
        q_max: f64,
        mu_ref: Option<f64>,
        rho_ref: Option<f64>,
        gamma: f64,
        t_ref: f64,
        t_range: Option<(f64, f64)>,
    },
    Table {
        dp: OddTable,
        rth: Pchip,
        q_min: f64,
        q_max: f64,
    },
}

impl PlateCurve {
    /// ΔP and dΔP/dQ at volume flow `q` with coolant properties `pr`.
    pub fn pressure_drop(&self, q: f64, pr: Props) -> (f64, f64) {
        match self {
            Self::Fit {
                q_ref,
                a,
                b,
                mu_ref,
                rho_ref,
                ..
            } => {
                let a = a * mu_ref.map_or(1.0, |m| pr.mu / m);
                let b = b * rho_ref.map_or(1.0, |r| pr.rho / r);
                let x = q / q_ref;
                (a * x + b * x * x.abs(), (a + 2.0 * b * x.abs()) / q_ref)
            }
            Self::Table { dp, .. } => dp.eval(q),
        }
    }

    /// Thermal resistance at flow `q` > 0 and coolant inlet temperature `t_in` [K].
    pub fn resistance(&self, q: f64, t_in: f64) -> f64 {
        match self {
            Self::Fit {
                q_ref,
                c0,
                c1,
                n,
                gamma,
                t_ref,
                ..
            } => c0 + c1 * (q / q_ref).powf(-n) * (1.0 + gamma * (t_in - t_ref)),
            Self::Table { rth, .. } => rth.eval(q).0,
        }
    }

    /// Characterised inlet-temperature range, where the model has one.
    pub fn temperature_range(&self) -> Option<(f64, f64)> {
        match self {
            Self::Fit { t_range, .. } => *t_range,
            Self::Table { .. } => None,
        }
    }

    /// Characterised flow range.
    pub fn range(&self) -> (f64, f64) {
        match self {
            Self::Fit { q_min, q_max, .. } | Self::Table { q_min, q_max, .. } => (*q_min, *q_max),
        }
    }
}

/// Cold side of a CDU.
#[derive(Debug, Clone)]
pub enum ColdSide {
    /// Facility water not modelled: inlet temperature and heat-capacity rate.
    External { t_in: f64, capacity_w_k: f64 },
    /// Another edge of the network is the facility side.
    Edge(usize),
}

/// Thermal model of a CDU.
#[derive(Debug, Clone)]
pub enum CduThermal {
    /// Secondary outlet held at `t_out` (a set-point, or facility supply + approach); the heat
    /// goes to the cold side when there is one, and is limited by ε–NTU when `ua` is given.
    Setpoint {
        t_out: f64,
        cold: Option<ColdSide>,
        ua: Option<f64>,
    },
    /// Counterflow ε–NTU.
    Ntu { ua: f64, cold: ColdSide },
}

/// K of a loss element: fixed, or following the Reynolds number.
#[derive(Debug, Clone)]
pub enum LossCoefficient {
    Constant(f64),
    /// Sharp-edged sudden contraction (`fittings::sudden_contraction_k`); Re on `d_h`.
    SuddenContraction {
        area_ratio: f64,
        d_h: f64,
    },
}

/// Hydraulic and thermal behaviour of an edge.
#[derive(Debug, Clone)]
pub enum Kind {
    /// Pipe or rectangular duct: `d` the hydraulic diameter, `f_re` the laminar f·Re.
    Pipe {
        d: f64,
        length: f64,
        rel_rough: f64,
        area: f64,
        f_re: f64,
        /// Side inflow of a combining header [m³/s] (0 for a plain pipe).
        side_q: f64,
    },
    /// `K·ρv²/2` on the velocity `Q/area`.
    KLoss {
        k: LossCoefficient,
        area: f64,
    },
    TableLoss(Arc<OddTable>),
    Plate {
        curve: Arc<PlateCurve>,
        power: f64,
        /// Lumped heat capacity for transients [J/K] (`None`: the default).
        capacity: Option<f64>,
        /// A thermal ladder instead of the lumped capacity: one, or several by flow.
        ladder: Option<Arc<Vec<ThermalLadder>>>,
    },
    Pump(Arc<Pchip>),
    Fixed(f64),
    Cdu {
        dp: Option<Arc<OddTable>>,
        thermal: CduThermal,
        /// How a set-point outlet follows its set-point in transients.
        control: Option<CduControl>,
    },
}

/// One validated edge.
#[derive(Debug, Clone)]
pub struct Edge {
    pub name: String,
    pub kind_name: &'static str,
    pub a: usize,
    pub b: usize,
    /// Elevation of `b` minus `a` [m].
    pub dz: f64,
    pub kind: Kind,
    /// Index of the specification's component this edge carries (edges with the same index
    /// behave alike).
    pub component: u32,
    /// Set when this edge is the facility side of the CDU with this index.
    pub facility_of: Option<usize>,
}

/// Pressure drop of a fluid-carrying edge at volume flow `q` (pumps negative), with its slope.
/// Excludes the hydrostatic term. Flow sources have none (their ΔP is a result).
/// The Colebrook iteration of a turbulent pipe starts from `x` (`1/√f` of the previous
/// evaluation of this edge, 0 for none), which receives the new one.
pub fn pressure_drop_from(kind: &Kind, q: f64, pr: Props, x: &mut f64) -> (f64, f64) {
    match kind {
        Kind::Pipe {
            d,
            length,
            rel_rough,
            area,
            f_re,
            side_q,
        } => {
            let v = q / area;
            let re = pr.rho * v.abs() * d / pr.mu;
            // combining-flow momentum: d(p + ρV²/2)/dx = −ρ V q'/A, linear in Q
            let side = pr.rho * side_q / (area * area);
            if re <= friction::RE_LAMINAR {
                // f = f_re/Re exactly: ΔP = (f_re/2) μ L v / D², linear in Q (defined at Q = 0).
                let g = 0.5 * f_re * pr.mu * length / (d * d * area) + side;
                (g * q, g)
            } else {
                // ΔP = f(Re)·(L/D)·ρ v|v|/2 ⇒ dΔP/dQ = (L/D)(ρ/2)(f'·dRe/dQ·v|v| + 2 f |v|/A).
                let (f, df) = friction::darcy_with_slope_laminar_from(re, *rel_rough, *f_re, x);
                let k = length / d * 0.5 * pr.rho;
                let dre_dq = pr.rho * d / (pr.mu * area) * q.signum();
                (
                    f * k * v * v.abs() + side * q,
                    k * (df * dre_dq * v * v.abs() + 2.0 * f * v.abs() / area) + side,
                )
            }
        }
        Kind::KLoss {
            k: LossCoefficient::Constant(k),
            area,
        } => {
            let c = 0.5 * k * pr.rho / (area * area);
            (c * q * q.abs(), 2.0 * c * q.abs())
        }
        Kind::KLoss {
            k: LossCoefficient::SuddenContraction { area_ratio, d_h },
            area,
        } => {
            let c = 0.5 * pr.rho / (area * area);
            // Re = re_per_q·|Q|; below Re = 10 K ∝ 1/Re, so ΔP is linear and finite at Q = 0
            let re_per_q = pr.rho * d_h / (pr.mu * area);
            let re = re_per_q * q.abs();
            let floor = fittings::CONTRACTION_REYNOLDS[0];
            if re < floor {
                let k_re = fittings::sudden_contraction_k(*area_ratio, floor).0 * floor;
                let g = c * k_re / re_per_q;
                (g * q, g)
            } else {
                // d(K(Re)·Q|Q|)/dQ = |Q|·(2K + Re·dK/dRe)
                let (k, dk_dre) = fittings::sudden_contraction_k(*area_ratio, re);
                (c * k * q * q.abs(), c * q.abs() * (2.0 * k + re * dk_dre))
            }
        }
        Kind::TableLoss(t) => t.eval(q),
        Kind::Plate { curve, .. } => curve.pressure_drop(q, pr),
        Kind::Pump(curve) => {
            let (rise, slope) = curve.eval(q);
            (-rise, -slope)
        }
        Kind::Fixed(_) => (0.0, 0.0),
        Kind::Cdu { dp, .. } => dp.as_ref().map_or((0.0, 0.0), |t| t.eval(q)),
    }
}

/// Validated network.
#[derive(Debug, Clone)]
pub struct Model {
    pub fluid: Fluid,
    pub node_names: Vec<String>,
    pub elevation: Vec<f64>,
    pub fixed_pressure: Vec<Option<f64>>,
    pub edges: Vec<Edge>,
    pub settings: NetworkSettings,
    /// Hydraulically connected part of each node (through any edge), as the smallest node
    /// index in it.
    pub hydraulic_root: Vec<usize>,
}

/// Problems with a pipe's or duct's roughness and elevation change; the elevation change if any.
fn check_roughness_and_elevation(
    what: &str,
    roughness_m: f64,
    elevation_m: Option<f64>,
    length_m: f64,
    problems: &mut Vec<String>,
) -> Option<f64> {
    if !(roughness_m.is_finite() && roughness_m >= 0.0) {
        problems.push(format!(
            "{what}: roughness_m must be finite and ≥ 0, got {roughness_m}"
        ));
    }
    let z = elevation_m?;
    if !z.is_finite() {
        problems.push(format!("{what}: elevation_m must be finite"));
    } else if z.abs() > length_m {
        problems.push(format!(
            "{what}: elevation change {z} m exceeds the length {length_m} m"
        ));
    }
    Some(z)
}

fn positive(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

impl Model {
    /// Checks a spec and builds the model; the error lists every problem found.
    pub fn new(spec: NetworkSpec) -> Result<Self> {
        let fluid = Fluid::new(&spec.fluid)?;
        let mut problems: Vec<String> = Vec::new();
        let table = match spec.table {
            Some(t) => {
                if !spec.nodes.is_empty() || !spec.edges.is_empty() {
                    return Err(Error::Network(
                        "give nodes and edges, or a table, not both".to_string(),
                    ));
                }
                t
            }
            None => rows_to_table(&spec, &mut problems),
        };
        Self::from_table(fluid, table, &spec.settings, problems)
    }

    /// Builds the model from the columnar form; `problems` carries what was found before.
    fn from_table(
        fluid: Fluid,
        mut t: NetworkTable,
        settings: &NetworkSettings,
        mut problems: Vec<String>,
    ) -> Result<Self> {
        let n = t.node_names.len();
        let ne = t.edge_names.len();
        if t.edge_from.len() != ne || t.edge_to.len() != ne || t.edge_component.len() != ne {
            return Err(Error::Network(format!(
                "table: expecting as many edge_from, edge_to and edge_component entries as edge names ({ne}), got {}, {} and {}",
                t.edge_from.len(),
                t.edge_to.len(),
                t.edge_component.len()
            )));
        }
        let elevation = if t.node_elevation_m.is_empty() {
            vec![0.0; n]
        } else if t.node_elevation_m.len() == n {
            t.node_elevation_m.clone()
        } else {
            return Err(Error::Network(format!(
                "table: expecting {n} node elevations, got {}",
                t.node_elevation_m.len()
            )));
        };
        let node_index = NameIndex::new(&t.node_names);
        let twice = node_index.repeats(&t.node_names);
        let mut next_twice = twice.iter().copied().peekable();
        for (i, name) in t.node_names.iter().enumerate() {
            if next_twice.next_if_eq(&i).is_some() {
                problems.push(format!("node '{name}' is defined twice"));
            }
            if !elevation[i].is_finite() {
                problems.push(format!("node '{name}': elevation_m must be finite"));
            }
        }
        drop(node_index);
        let mut fixed_pressure = vec![None; n];
        if t.fixed_pressure_nodes.len() != t.fixed_pressure_pa.len() {
            problems.push(
                "table: expecting as many fixed_pressure_pa as fixed_pressure_nodes".to_string(),
            );
        }
        for (&i, &p) in t.fixed_pressure_nodes.iter().zip(&t.fixed_pressure_pa) {
            match t.node_names.get(i as usize) {
                Some(name) if !p.is_finite() => {
                    problems.push(format!("node '{name}': pressure_pa must be finite"));
                }
                Some(_) => fixed_pressure[i as usize] = Some(p),
                None => problems.push(format!("table: fixed-pressure node {i} does not exist")),
            }
        }
        let nc = t.components.len();
        // The first edge carrying each component names it; the count says how many share it.
        let mut first = vec![usize::MAX; nc];
        let mut uses = vec![0usize; nc];
        for (k, &c) in t.edge_component.iter().enumerate() {
            let c = c as usize;
            if c >= nc {
                return Err(Error::Network(format!(
                    "edge '{}': component {c} does not exist ({nc} components)",
                    t.edge_names[k]
                )));
            }
            if first[c] == usize::MAX {
                first[c] = k;
            }
            uses[c] += 1;
        }
        let mut base: Vec<Option<ComponentKind>> = vec![None; nc];
        for c in 0..nc {
            if first[c] == usize::MAX {
                continue; // unused: a component replaced on every edge that carried it
            }
            let comp = &t.components[c];
            let mut what = format!("{} '{}'", kind_name(comp), t.edge_names[first[c]]);
            if uses[c] > 1 {
                what.push_str(&format!(
                    " (and {} more edges sharing its component)",
                    uses[c] - 1
                ));
            }
            base[c] = Some(component_kind(comp, &what, &mut problems));
        }
        let edge_index = NameIndex::new(&t.edge_names);
        let twice = edge_index.repeats(&t.edge_names);
        let mut next_twice = twice.iter().copied().peekable();
        let mut edges = Vec::with_capacity(ne);
        let mut facility_links: Vec<(usize, String)> = Vec::new();
        for k in 0..ne {
            let name = &t.edge_names[k];
            let comp = &t.components[t.edge_component[k] as usize];
            let what = kind_name(comp);
            if next_twice.next_if_eq(&k).is_some() {
                problems.push(format!("edge name '{name}' is used twice"));
            }
            let (a, b) = (t.edge_from[k] as usize, t.edge_to[k] as usize);
            if a >= n || b >= n {
                return Err(Error::Network(format!(
                    "{what} '{name}': node index {} does not exist ({n} nodes)",
                    a.max(b)
                )));
            }
            if a == b {
                problems.push(format!(
                    "{what} '{name}' connects node '{}' to itself",
                    t.node_names[a]
                ));
            }
            let Some((kind, dz, facility)) = &base[t.edge_component[k] as usize] else {
                continue;
            };
            if let Some(f) = facility {
                facility_links.push((k, f.clone()));
            }
            edges.push(Edge {
                name: String::new(), // moved in below
                kind_name: what,
                a,
                b,
                dz: dz.unwrap_or(elevation[b] - elevation[a]),
                kind: kind.clone(),
                component: t.edge_component[k],
                facility_of: None,
            });
        }
        let links: Vec<(usize, String, Option<usize>)> = facility_links
            .into_iter()
            .map(|(cdu, name)| {
                let f = edge_index.get(&t.edge_names, name.as_str());
                (cdu, name, f)
            })
            .collect();
        drop(edge_index);
        for (e, name) in edges.iter_mut().zip(std::mem::take(&mut t.edge_names)) {
            e.name = name;
        }
        for (cdu, name, f) in links {
            match f {
                Some(f)
                    if f != cdu
                        && !matches!(edges[f].kind, Kind::Cdu { .. } | Kind::Plate { .. }) =>
                {
                    if edges[f].facility_of.is_some() {
                        problems.push(format!("edge '{name}' is the facility side of two CDUs"));
                    }
                    edges[f].facility_of = Some(cdu);
                    if let Kind::Cdu {
                        thermal:
                            CduThermal::Ntu { cold, .. }
                            | CduThermal::Setpoint {
                                cold: Some(cold), ..
                            },
                        ..
                    } = &mut edges[cdu].kind
                    {
                        *cold = ColdSide::Edge(f);
                    }
                }
                _ => problems.push(format!(
                    "cdu '{}': facility_edge '{name}' is not a pipe, loss, pump or flow source of this network",
                    edges[cdu].name
                )),
            }
        }
        if edges.is_empty() && problems.is_empty() {
            problems.push("the network has no edges".to_string());
        }
        let s = settings;
        if !(positive(s.tolerance)
            && s.max_iterations > 0
            && s.max_coupling_iterations > 0
            && positive(s.temperature_tolerance_k))
        {
            problems.push("settings: tolerances must be > 0 and iteration limits ≥ 1".to_string());
        }
        if s.initial_temperature_k.is_some_and(|t| !positive(t))
            || !s.reference_pressure_pa.is_finite()
        {
            problems.push(
                "settings: initial_temperature_k must be > 0 and reference_pressure_pa finite"
                    .to_string(),
            );
        }
        if !problems.is_empty() {
            return Err(Error::Network(problems.join("; ")));
        }
        let mut model = Self {
            fluid,
            node_names: std::mem::take(&mut t.node_names),
            elevation,
            fixed_pressure,
            edges,
            settings: settings.clone(),
            hydraulic_root: Vec::new(),
        };
        model.hydraulic_root = model.check_topology()?;
        Ok(model)
    }

    /// Connectivity: one connected whole (counting CDU couplings), a pump or flow source in
    /// every hydraulic loop. Returns each node's hydraulic part (its smallest node index).
    fn check_topology(&self) -> Result<Vec<usize>> {
        let n = self.node_names.len();
        let mut all = UnionFind::new(n);
        let mut hyd = UnionFind::new(n);
        // one walk over the edge records: the driven edges are found on the way
        let mut driving = Vec::new();
        for e in &self.edges {
            all.union(e.a, e.b);
            hyd.union(e.a, e.b);
            if let Some(c) = e.facility_of {
                all.union(e.a, self.edges[c].a);
            }
            if matches!(e.kind, Kind::Pump(_) | Kind::Fixed(_)) {
                driving.push(e.a);
            }
        }
        let root = all.find(0);
        let stray: Vec<&str> = (0..n)
            .filter(|&i| all.find(i) != root)
            .map(|i| self.node_names[i].as_str())
            .collect();
        if !stray.is_empty() {
            return Err(Error::Network(format!(
                "the network is disconnected: node '{}'{} cannot be reached from node '{}'",
                stray[0],
                if stray.len() > 1 {
                    format!(" (and {} more)", stray.len() - 1)
                } else {
                    String::new()
                },
                self.node_names[0]
            )));
        }
        let mut driven = vec![false; n];
        for a in driving {
            driven[hyd.find(a)] = true;
        }
        let mut seen = vec![false; n];
        for i in 0..n {
            let r = hyd.find(i);
            if !driven[r] && !seen[r] {
                seen[r] = true;
                return Err(Error::Network(format!(
                    "the loop containing node '{}' has no pump or flow source",
                    self.node_names[i]
                )));
            }
        }
        Ok((0..n).map(|i| hyd.find(i)).collect())
    }
}

/// A component's behaviour, the elevation change it fixes and the facility edge it names.
type ComponentKind = (Kind, Option<f64>, Option<String>);

/// The hydraulic and thermal behaviour of one component, its elevation change if it fixes one,
/// and the name of its facility edge if it is a CDU coupled to one. `what` names the component
/// (by the first edge that carries it) in the problems found.
fn component_kind(c: &Component, what: &str, problems: &mut Vec<String>) -> ComponentKind {
    let mut facility = None;
    let mut dz = None;
    let kind = match c {
        Component::Pipe {
            diameter_m,
            length_m,
            roughness_m,
            elevation_m,
        } => {
            if !positive(*diameter_m) {
                problems.push(format!(
                    "{what}: diameter_m must be finite and > 0, got {diameter_m}"
                ));
            }
            if !positive(*length_m) {
                problems.push(format!(
                    "{what}: length_m must be finite and > 0, got {length_m}"
                ));
            }
            dz = check_roughness_and_elevation(
                what,
                *roughness_m,
                *elevation_m,
                *length_m,
                problems,
            );
            Kind::Pipe {
                d: *diameter_m,
                length: *length_m,
                rel_rough: roughness_m / diameter_m,
                area: std::f64::consts::PI * diameter_m * diameter_m / 4.0,
                f_re: 64.0,
                side_q: 0.0,
            }
        }
        Component::Duct {
            width_m,
            height_m,
            length_m,
            roughness_m,
            elevation_m,
            side_inflow_m3_s,
        } => {
            if !(side_inflow_m3_s.is_finite() && *side_inflow_m3_s >= 0.0) {
                problems.push(format!(
                    "{what}: side_inflow_m3_s must be finite and ≥ 0, got {side_inflow_m3_s}"
                ));
            }
            for (key, v) in [
                ("width_m", width_m),
                ("height_m", height_m),
                ("length_m", length_m),
            ] {
                if !positive(*v) {
                    problems.push(format!("{what}: {key} must be finite and > 0, got {v}"));
                }
            }
            dz = check_roughness_and_elevation(
                what,
                *roughness_m,
                *elevation_m,
                *length_m,
                problems,
            );
            let dh = 2.0 * width_m * height_m / (width_m + height_m);
            Kind::Pipe {
                d: dh,
                length: *length_m,
                rel_rough: roughness_m / dh,
                area: width_m * height_m,
                f_re: friction::rectangular_f_re(height_m / width_m),
                side_q: *side_inflow_m3_s,
            }
        }
        Component::Loss {
            k,
            diameter_m,
            table,
            sudden_contraction,
        } => match (k, diameter_m, table, sudden_contraction) {
            (Some(k), Some(d), None, None) => {
                if !positive(*k) {
                    problems.push(format!(
                        "{what}: loss coefficient k must be finite and > 0, got {k}"
                    ));
                }
                if !positive(*d) {
                    problems.push(format!(
                        "{what}: diameter_m must be finite and > 0, got {d}"
                    ));
                }
                Kind::KLoss {
                    k: LossCoefficient::Constant(*k),
                    area: std::f64::consts::PI * d * d / 4.0,
                }
            }
            (None, Some(d), None, Some(c)) => {
                let SuddenContraction {
                    area_ratio,
                    hydraulic_diameter_m,
                } = c;
                if !positive(*d) {
                    problems.push(format!(
                        "{what}: diameter_m must be finite and > 0, got {d}"
                    ));
                }
                if !(area_ratio.is_finite() && (0.0..1.0).contains(area_ratio)) {
                    problems.push(format!(
                        "{what}: area_ratio must be in [0, 1), got {area_ratio}"
                    ));
                }
                if !positive(*hydraulic_diameter_m) {
                    problems.push(format!(
                        "{what}: hydraulic_diameter_m must be finite and > 0, got {hydraulic_diameter_m}"
                    ));
                }
                Kind::KLoss {
                    k: LossCoefficient::SuddenContraction {
                        area_ratio: *area_ratio,
                        d_h: *hydraulic_diameter_m,
                    },
                    area: std::f64::consts::PI * d * d / 4.0,
                }
            }
            (None, None, Some(t), None) => match OddTable::new(t, what) {
                Ok(t) => Kind::TableLoss(Arc::new(t)),
                Err(err) => {
                    problems.push(err.to_string());
                    Kind::Fixed(0.0)
                }
            },
            _ => {
                problems.push(format!(
                    "{what}: give k and diameter_m, a sudden_contraction and diameter_m, or a table (exactly one)"
                ));
                Kind::Fixed(0.0)
            }
        },
        Component::ColdPlate {
            model,
            power_w,
            heat_capacity_j_k,
            ladder,
            ladders,
        } => {
            if let Some(l) = ladder {
                problems.extend(l.problems(what));
                if heat_capacity_j_k.is_some() {
                    problems.push(format!(
                        "{what}: give heat_capacity_j_k or a ladder, not both"
                    ));
                }
                if !ladders.is_empty() {
                    problems.push(format!(
                        "{what}: give a ladder or ladders by flow, not both"
                    ));
                }
            }
            if !ladders.is_empty() {
                problems.extend(ThermalLadder::table_problems(ladders, what));
                if heat_capacity_j_k.is_some() {
                    problems.push(format!(
                        "{what}: give heat_capacity_j_k or ladders, not both"
                    ));
                }
            }
            if !(power_w.is_finite() && *power_w >= 0.0) {
                problems.push(format!(
                    "{what}: power_w must be finite and ≥ 0, got {power_w}"
                ));
            }
            if heat_capacity_j_k.is_some_and(|c| !(c.is_finite() && c >= 0.0)) {
                problems.push(format!(
                    "{what}: heat_capacity_j_k must be finite and ≥ 0, got {}",
                    heat_capacity_j_k.unwrap_or(f64::NAN)
                ));
            }
            match model {
                None => {
                    problems.push(format!(
                        "{what} has no model (a ColdPlateModel is required)"
                    ));
                    Kind::Fixed(0.0)
                }
                Some(m) => match plate_curve(m, what) {
                    Ok(curve) => Kind::Plate {
                        curve: Arc::new(curve),
                        capacity: *heat_capacity_j_k,
                        ladder: match ladder {
                            Some(l) => Some(Arc::new(vec![l.clone()])),
                            None => (!ladders.is_empty()).then(|| Arc::new(ladders.clone())),
                        },
                        power: *power_w,
                    },
                    Err(err) => {
                        problems.push(err.to_string());
                        Kind::Fixed(0.0)
                    }
                },
            }
        }
        Component::Pump {
            flow_m3_s,
            pressure_rise_pa,
        } => {
            let curve = Pchip::new(flow_m3_s, pressure_rise_pa, what);
            match curve {
                Ok(c) if c.x_min() < 0.0 => {
                    problems.push(format!("{what}: curve flows must be ≥ 0"));
                    Kind::Pump(Arc::new(c))
                }
                Ok(c) => {
                    if pressure_rise_pa.windows(2).any(|w| w[1] > w[0]) {
                        problems.push(format!(
                            "{what}: the pressure rise must not increase with flow (a rising curve has several operating points)"
                        ));
                    }
                    if pressure_rise_pa.iter().all(|&p| p <= 0.0) {
                        problems.push(format!("{what}: the pressure rise is nowhere positive"));
                    }
                    Kind::Pump(Arc::new(c))
                }
                Err(err) => {
                    problems.push(err.to_string());
                    Kind::Fixed(0.0)
                }
            }
        }
        Component::FlowSource { flow_m3_s } => {
            if !flow_m3_s.is_finite() {
                problems.push(format!("{what}: flow_m3_s must be finite"));
            }
            Kind::Fixed(*flow_m3_s)
        }
        Component::Cdu {
            setpoint_k,
            supply_k,
            approach_k,
            ua_w_k,
            facility_flow_m3_s,
            facility_specific_heat_j_kgk,
            facility_density_kg_m3,
            facility_edge,
            pressure_drop,
            control,
        } => {
            let dp = pressure_drop
                .as_ref()
                .and_then(|t| match OddTable::new(t, what) {
                    Ok(t) => Some(Arc::new(t)),
                    Err(err) => {
                        problems.push(err.to_string());
                        None
                    }
                });
            if let Some(ctrl) = control {
                check_control(ctrl, what, problems);
            }
            if ua_w_k.is_some_and(|ua| !positive(ua)) {
                problems.push(format!(
                    "{what}: ua_w_k must be finite and > 0, got {}",
                    ua_w_k.unwrap_or(f64::NAN)
                ));
            }
            // The cold side of the exchanger: another edge, or facility water at a known
            // temperature and flow.
            let cp = facility_specific_heat_j_kgk.unwrap_or(4180.0);
            let rho = facility_density_kg_m3.unwrap_or(997.0);
            let cold = if let Some(name) = facility_edge {
                facility = Some(name.clone());
                Some(ColdSide::Edge(usize::MAX))
            } else {
                match (supply_k, facility_flow_m3_s) {
                    (Some(s), Some(q))
                        if positive(*s) && positive(*q) && positive(cp) && positive(rho) =>
                    {
                        Some(ColdSide::External {
                            t_in: *s,
                            capacity_w_k: rho * q * cp,
                        })
                    }
                    _ => None,
                }
            };
            let thermal = match (setpoint_k, approach_k, ua_w_k) {
                (Some(set), None, ua) => {
                    if !positive(*set) {
                        problems.push(format!(
                            "{what}: setpoint_k must be finite and > 0, got {set}"
                        ));
                    }
                    if ua.is_some() && cold.is_none() {
                        problems.push(format!(
                            "{what}: a set-point limited by ua_w_k needs facility_edge, or a positive supply temperature and facility_flow_m3_s"
                        ));
                    }
                    CduThermal::Setpoint {
                        t_out: *set,
                        cold: cold.clone(),
                        ua: *ua,
                    }
                }
                (None, Some(ap), None) => {
                    if !(ap.is_finite() && *ap >= 0.0) {
                        problems.push(format!(
                            "{what}: approach_k must be finite and ≥ 0, got {ap}"
                        ));
                    }
                    match supply_k {
                        Some(s) if positive(*s) => CduThermal::Setpoint {
                            t_out: s + ap,
                            cold: if facility_edge.is_some() {
                                cold.clone()
                            } else {
                                None
                            },
                            ua: None,
                        },
                        _ => {
                            problems.push(format!(
                                "{what}: supply temperature missing or not positive"
                            ));
                            CduThermal::Setpoint {
                                t_out: 300.0,
                                cold: None,
                                ua: None,
                            }
                        }
                    }
                }
                (None, None, Some(ua)) => match cold.clone() {
                    Some(cold) => CduThermal::Ntu { ua: *ua, cold },
                    None => {
                        problems.push(format!(
                            "{what}: ε–NTU needs facility_edge, or a positive supply temperature and facility_flow_m3_s"
                        ));
                        CduThermal::Ntu {
                            ua: 1.0,
                            cold: ColdSide::External {
                                t_in: 300.0,
                                capacity_w_k: 1.0,
                            },
                        }
                    }
                },
                (Some(_), Some(_), _) => {
                    problems.push(format!("{what}: give setpoint_k or approach_k, not both"));
                    CduThermal::Setpoint {
                        t_out: 300.0,
                        cold: None,
                        ua: None,
                    }
                }
                _ => {
                    problems.push(format!(
                        "{what}: give either approach_k or ua_w_k (or a setpoint_k)"
                    ));
                    CduThermal::Setpoint {
                        t_out: 300.0,
                        cold: None,
                        ua: None,
                    }
                }
            };
            if control.is_some() && !matches!(thermal, CduThermal::Setpoint { .. }) {
                problems.push(format!(
                    "{what}: control applies to a CDU with a set-point (setpoint_k, or supply_k and approach_k)"
                ));
            }
            Kind::Cdu {
                dp,
                thermal,
                control: control.clone(),
            }
        }
    };
    (kind, dz, facility)
}

/// The columnar form of a spec given as node and edge records (one component per edge).
fn rows_to_table(spec: &NetworkSpec, problems: &mut Vec<String>) -> NetworkTable {
    let mut t = NetworkTable::default();
    let mut index: HashMap<&str, u32> = HashMap::new();
    for nd in &spec.nodes {
        if index.contains_key(nd.name.as_str()) {
            problems.push(format!("node '{}' is defined twice", nd.name));
            continue;
        }
        let i = t.node_names.len() as u32;
        index.insert(&nd.name, i);
        t.node_names.push(nd.name.clone());
        t.node_elevation_m.push(nd.elevation_m);
        if let Some(p) = nd.pressure_pa {
            t.fixed_pressure_nodes.push(i);
            t.fixed_pressure_pa.push(p);
        }
    }
    for e in &spec.edges {
        for name in [&e.from, &e.to] {
            if !index.contains_key(name.as_str()) {
                index.insert(name, t.node_names.len() as u32);
                t.node_names.push(name.clone());
                t.node_elevation_m.push(0.0);
            }
        }
        t.edge_from.push(index[e.from.as_str()]);
        t.edge_to.push(index[e.to.as_str()]);
        t.edge_component.push(t.components.len() as u32);
        t.components.push(e.component.clone());
        t.edge_names.push(e.name.clone());
    }
    t
}

/// Problems with a CDU's transient control parameters.
fn check_control(control: &CduControl, what: &str, problems: &mut Vec<String>) {
    match control {
        CduControl::Ideal => {}
        CduControl::Lag { time_constant_s } => {
            if !positive(*time_constant_s) {
                problems.push(format!(
                    "{what}: control time_constant_s must be finite and > 0, got {time_constant_s}"
                ));
            }
        }
        CduControl::Pi {
            kp_w_k,
            ki_w_k_s,
            heat_capacity_j_k,
        } => {
            for (key, v) in [("kp_w_k", kp_w_k), ("ki_w_k_s", ki_w_k_s)] {
                if !(v.is_finite() && *v >= 0.0) {
                    problems.push(format!(
                        "{what}: control {key} must be finite and ≥ 0, got {v}"
                    ));
                }
            }
            if *kp_w_k + *ki_w_k_s <= 0.0 {
                problems.push(format!("{what}: control needs kp_w_k > 0 or ki_w_k_s > 0"));
            }
            if !positive(*heat_capacity_j_k) {
                problems.push(format!(
                    "{what}: control heat_capacity_j_k must be finite and > 0, got {heat_capacity_j_k}"
                ));
            }
        }
    }
}

fn kind_name(c: &Component) -> &'static str {
    match c {
        Component::Pipe { .. } => "pipe",
        Component::Duct { .. } => "duct",
        Component::Loss { .. } => "loss",
        Component::ColdPlate { .. } => "cold_plate",
        Component::Pump { .. } => "pump",
        Component::FlowSource { .. } => "flow_source",
        Component::Cdu { .. } => "cdu",
    }
}

fn plate_curve(m: &ColdPlateCurve, what: &str) -> Result<PlateCurve> {
    match m {
        ColdPlateCurve::Fit {
            reference_flow_m3_s,
            pressure_linear_pa,
            pressure_quadratic_pa,
            resistance_base_k_w,
            resistance_coefficient_k_w,
            resistance_exponent,
            flow_min_m3_s,
            flow_max_m3_s,
            reference_viscosity_pa_s,
            reference_density_kg_m3,
            resistance_temperature_coefficient_per_k: gamma,
            reference_temperature_k,
            temperature_min_k,
            temperature_max_k,
        } => {
            if !gamma.is_finite() {
                return Err(Error::Network(format!(
                    "{what}: model resistance_temperature_coefficient_per_k must be finite"
                )));
            }
            let t_ref = match reference_temperature_k {
                Some(t) if positive(*t) => *t,
                None if *gamma == 0.0 => 0.0,
                _ => {
                    return Err(Error::Network(format!(
                        "{what}: a temperature-dependent model needs reference_temperature_k > 0"
                    )))
                }
            };
            let t_range = match (temperature_min_k, temperature_max_k) {
                (None, None) => None,
                (Some(lo), Some(hi)) if positive(*lo) && hi.is_finite() && hi >= lo => {
                    Some((*lo, *hi))
                }
                _ => {
                    return Err(Error::Network(format!(
                        "{what}: model temperature range must satisfy 0 < temperature_min_k ≤ temperature_max_k"
                    )))
                }
            };
            let nonneg = [
                ("pressure_linear_pa", *pressure_linear_pa),
                ("pressure_quadratic_pa", *pressure_quadratic_pa),
                ("resistance_base_k_w", *resistance_base_k_w),
                ("resistance_coefficient_k_w", *resistance_coefficient_k_w),
                ("resistance_exponent", *resistance_exponent),
            ];
            if let Some((k, v)) = nonneg.iter().find(|(_, v)| !(v.is_finite() && *v >= 0.0)) {
                return Err(Error::Network(format!(
                    "{what}: model {k} must be finite and ≥ 0, got {v}"
                )));
            }
            if pressure_linear_pa + pressure_quadratic_pa <= 0.0 {
                return Err(Error::Network(format!(
                    "{what}: model has no pressure drop"
                )));
            }
            if !(positive(*reference_flow_m3_s)
                && positive(*flow_min_m3_s)
                && flow_max_m3_s.is_finite()
                && flow_max_m3_s > flow_min_m3_s)
            {
                return Err(Error::Network(format!(
                    "{what}: model flows must satisfy 0 < flow_min < flow_max and reference_flow > 0"
                )));
            }
            if reference_viscosity_pa_s.is_some_and(|v| !positive(v))
                || reference_density_kg_m3.is_some_and(|v| !positive(v))
            {
                return Err(Error::Network(format!(
                    "{what}: model reference properties must be > 0"
                )));
            }
            Ok(PlateCurve::Fit {
                q_ref: *reference_flow_m3_s,
                a: *pressure_linear_pa,
                b: *pressure_quadratic_pa,
                c0: *resistance_base_k_w,
                c1: *resistance_coefficient_k_w,
                n: *resistance_exponent,
                q_min: *flow_min_m3_s,
                q_max: *flow_max_m3_s,
                mu_ref: *reference_viscosity_pa_s,
                rho_ref: *reference_density_kg_m3,
                gamma: *gamma,
                t_ref,
                t_range,
            })
        }
        ColdPlateCurve::Table {
            flow_m3_s,
            pressure_drop_pa,
            thermal_resistance_k_w,
        } => {
            if flow_m3_s.first().is_some_and(|&q| q <= 0.0) {
                return Err(Error::Network(format!("{what}: model flows must be > 0")));
            }
            if thermal_resistance_k_w.iter().any(|r| !positive(*r)) {
                return Err(Error::Network(format!(
                    "{what}: model thermal resistances must be > 0"
                )));
            }
            let dp = OddTable::new(
                &FlowTable {
                    flow_m3_s: flow_m3_s.clone(),
                    pressure_drop_pa: pressure_drop_pa.clone(),
                },
                what,
            )?;
            let rth = Pchip::new(flow_m3_s, thermal_resistance_k_w, what)?;
            Ok(PlateCurve::Table {
                dp,
                q_min: rth.x_min(),
                q_max: rth.x_max(),
                rth,
            })
        }
    }
}

/// Names looked up by a sorted table of their hashes: cheaper to build than a hash map of
/// strings for the hundreds of thousands of names of a hall, and it finds repeated names.
struct NameIndex {
    /// (hash of the name, its position), sorted.
    sorted: Vec<(u64, u32)>,
}

impl NameIndex {
    fn hash(name: &str) -> u64 {
        let mut h = FxHasher::default();
        h.write(name.as_bytes());
        h.finish()
    }

    fn new(names: &[String]) -> Self {
        let mut sorted: Vec<(u64, u32)> = names
            .iter()
            .enumerate()
            .map(|(i, s)| (Self::hash(s), i as u32))
            .collect();
        sorted.sort_unstable();
        Self { sorted }
    }

    /// Positions of the names that repeat an earlier one, ascending.
    fn repeats(&self, names: &[String]) -> Vec<usize> {
        let mut out = Vec::new();
        let mut start = 0;
        while start < self.sorted.len() {
            let h = self.sorted[start].0;
            let mut end = start + 1;
            while end < self.sorted.len() && self.sorted[end].0 == h {
                end += 1;
            }
            // one hash, usually one name: compare within the run (positions ascending)
            let run = &self.sorted[start..end];
            for (j, &(_, b)) in run.iter().enumerate().skip(1) {
                let b = b as usize;
                if run[..j].iter().any(|&(_, a)| names[a as usize] == names[b]) {
                    out.push(b);
                }
            }
            start = end;
        }
        out.sort_unstable();
        out
    }

    /// The last position of `name` (the one a map insert would have kept).
    fn get(&self, names: &[String], name: &str) -> Option<usize> {
        let h = Self::hash(name);
        let from = self.sorted.partition_point(|&(x, _)| x < h);
        self.sorted[from..]
            .iter()
            .take_while(|&&(x, _)| x == h)
            .filter(|&&(_, i)| names[i as usize] == name)
            .map(|&(_, i)| i as usize)
            .last()
    }
}

/// Disjoint sets with path halving.
pub struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
        }
    }
    /// Representative of `i`.
    pub fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }
    /// Merges the sets of `a` and `b`.
    pub fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::NameIndex;

    #[test]
    fn name_index_finds_repeats_and_the_last_position() {
        let names: Vec<String> = ["a", "b", "a", "c", "b", "a"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let index = NameIndex::new(&names);
        assert_eq!(index.repeats(&names), vec![2, 4, 5]);
        assert_eq!(index.get(&names, "a"), Some(5));
        assert_eq!(index.get(&names, "c"), Some(3));
        assert_eq!(index.get(&names, "d"), None);
        let unique: Vec<String> = (0..1000).map(|i| format!("r{i}/n")).collect();
        let index = NameIndex::new(&unique);
        assert!(index.repeats(&unique).is_empty());
        assert_eq!(index.get(&unique, "r999/n"), Some(999));
    }
}
