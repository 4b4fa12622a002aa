//! Serde description of a network (JSON in) and of its solution (JSON out). SI units,
//! temperatures in kelvin, flows in m³/s; Python converts at its edge.

use serde::{Deserialize, Serialize};

use super::fluid::FluidTable;

/// A whole network: coolant, nodes, edges and solver settings.
///
/// The edges come either as `edges` (one record per edge, each with its component) or as a
/// `table` (columns of indices into shared components: the compact form of large networks,
/// where thousands of plates and hoses share a handful of components). Not both.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// Coolant property table (one coolant per network; a facility loop coupled through a
    /// heat exchanger shares it, which is adequate when both sides are water-like).
    pub fluid: FluidTable,
    /// Optional node data; nodes named only by edges get elevation 0.
    #[serde(default)]
    pub nodes: Vec<NodeSpec>,
    /// The components.
    #[serde(default)]
    pub edges: Vec<EdgeSpec>,
    /// The compact form of nodes and edges.
    #[serde(default)]
    pub table: Option<NetworkTable>,
    /// Solver controls.
    #[serde(default)]
    pub settings: NetworkSettings,
}

/// Nodes and edges as columns: edge `i` runs from node `edge_from[i]` to node `edge_to[i]`
/// through component `components[edge_component[i]]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkTable {
    /// Unique node names.
    pub node_names: Vec<String>,
    /// Node elevations [m]; empty means all 0.
    #[serde(default)]
    pub node_elevation_m: Vec<f64>,
    /// Nodes with a fixed pressure (expansion tanks) ...
    #[serde(default)]
    pub fixed_pressure_nodes: Vec<u32>,
    /// ... and their pressures [Pa].
    #[serde(default)]
    pub fixed_pressure_pa: Vec<f64>,
    /// Components, each used by one or more edges.
    pub components: Vec<Component>,
    /// Unique edge names.
    pub edge_names: Vec<String>,
    /// Upstream node of each edge (for positive flow).
    pub edge_from: Vec<u32>,
    /// Downstream node of each edge.
    pub edge_to: Vec<u32>,
    /// Component of each edge.
    pub edge_component: Vec<u32>,
}

/// Node data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Unique name.
    pub name: String,
    /// Height above datum [m] (hydrostatic head of edges without their own elevation change).
    #[serde(default)]
    pub elevation_m: f64,
    /// Fixed pressure (an expansion tank); at most one per hydraulically connected part.
    #[serde(default)]
    pub pressure_pa: Option<f64>,
}

/// An edge from node `from` to node `to`; positive flow runs from → to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeSpec {
    /// Unique name.
    pub name: String,
    /// Upstream node (for positive flow).
    pub from: String,
    /// Downstream node.
    pub to: String,
    /// What the edge is.
    pub component: Component,
}

/// A ΔP–flow table: flows ≥ 0 ascending, pressure drops ≥ 0; odd extension to reverse flow.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowTable {
    /// Volume flows [m³/s].
    pub flow_m3_s: Vec<f64>,
    /// Pressure drops [Pa].
    pub pressure_drop_pa: Vec<f64>,
}

/// Cold-plate characteristic.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ColdPlateCurve {
    /// `ΔP = a·x + b·x·|x|`, `R = c0 + c1·x^(−n)·(1 + γ·(T_in − T_ref))` with `x = Q/Q_ref`.
    Fit {
        /// Reference flow Q_ref [m³/s].
        reference_flow_m3_s: f64,
        /// `a` [Pa] (laminar part; scaled by μ/μ_ref when `reference_viscosity_pa_s` is set).
        pressure_linear_pa: f64,
        /// `b` [Pa] (inertial part; scaled by ρ/ρ_ref when `reference_density_kg_m3` is set).
        pressure_quadratic_pa: f64,
        /// `c0` [K/W].
        resistance_base_k_w: f64,
        /// `c1` [K/W].
        resistance_coefficient_k_w: f64,
        /// `n` [-].
        resistance_exponent: f64,
        /// Characterised flow range [m³/s].
        flow_min_m3_s: f64,
        /// Characterised flow range [m³/s].
        flow_max_m3_s: f64,
        /// Viscosity of the characterisation coolant [Pa·s].
        #[serde(default)]
        reference_viscosity_pa_s: Option<f64>,
        /// Density of the characterisation coolant [kg/m³].
        #[serde(default)]
        reference_density_kg_m3: Option<f64>,
        /// `γ` [1/K]: the convective part of R scales with `1 + γ·(T_in − T_ref)`.
        #[serde(default)]
        resistance_temperature_coefficient_per_k: f64,
        /// `T_ref` [K], the inlet temperature the resistance refers to (needed with `γ`).
        #[serde(default)]
        reference_temperature_k: Option<f64>,
        /// Characterised inlet-temperature range [K] (checked like the flow range).
        #[serde(default)]
        temperature_min_k: Option<f64>,
        /// Characterised inlet-temperature range [K].
        #[serde(default)]
        temperature_max_k: Option<f64>,
    },
    /// Monotone interpolation of measured points.
    Table {
        /// Flows [m³/s], ascending, > 0.
        flow_m3_s: Vec<f64>,
        /// Pressure drops [Pa].
        pressure_drop_pa: Vec<f64>,
        /// Thermal resistances GPU → coolant inlet [K/W].
        thermal_resistance_k_w: Vec<f64>,
    },
}

/// A sharp-edged sudden contraction into a channel, for a loss whose K depends on Re.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuddenContraction {
    /// Channel area over the upstream area, σ in [0, 1).
    pub area_ratio: f64,
    /// Hydraulic diameter of the channel, for its Reynolds number [m].
    pub hydraulic_diameter_m: f64,
}

/// The component an edge represents.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Component {
    /// Straight pipe or hose: Darcy–Weisbach, Colebrook, laminar 64/Re, blended transition.
    Pipe {
        /// Inner diameter [m].
        diameter_m: f64,
        /// Length [m].
        length_m: f64,
        /// Absolute roughness [m].
        #[serde(default)]
        roughness_m: f64,
        /// Elevation change to − from [m]; defaults to the node elevation difference.
        #[serde(default)]
        elevation_m: Option<f64>,
    },
    /// Rectangular duct (a manifold or channel of that section): Darcy–Weisbach on the hydraulic
    /// diameter, laminar f·Re of the rectangle (Shah & London), Colebrook turbulent.
    Duct {
        /// Side of the section [m].
        width_m: f64,
        /// Other side of the section [m].
        height_m: f64,
        /// Length [m].
        length_m: f64,
        /// Absolute roughness [m].
        #[serde(default)]
        roughness_m: f64,
        /// Elevation change to − from [m]; defaults to the node elevation difference.
        #[serde(default)]
        elevation_m: Option<f64>,
        /// Flow joining along the length at right angles [m³/s] (a header fed through its side,
        /// a plenum behind a uniform inlet): adds the combining-flow momentum loss
        /// `ρ·q_side·Q/A²` (Bajura & Jones 1976), which sums to `ρV²/2` along a header.
        #[serde(default)]
        side_inflow_m3_s: f64,
    },
    /// Fitting, valve or quick disconnect: `K·ρv²/2` on `diameter_m`, or a ΔP–flow table.
    Loss {
        /// Loss coefficient [-].
        #[serde(default)]
        k: Option<f64>,
        /// Diameter defining the velocity of `k` [m].
        #[serde(default)]
        diameter_m: Option<f64>,
        /// Alternative: measured ΔP against flow.
        #[serde(default)]
        table: Option<FlowTable>,
        /// Alternative to `k` (with `diameter_m` for the channel velocity): a sharp-edged sudden
        /// contraction whose K follows the channel Reynolds number (Idelchik's diagram 4-10,
        /// blending to the turbulent value; `network::fittings`).
        #[serde(default)]
        sudden_contraction: Option<SuddenContraction>,
    },
    /// Cold plate: hydraulic and thermal characteristic plus the heat of its GPU.
    ColdPlate {
        /// Characteristic; `None` is an error reported with the plate's name.
        #[serde(default)]
        model: Option<ColdPlateCurve>,
        /// Heat into the coolant [W].
        power_w: f64,
        /// Lumped heat capacity of the GPU package and plate [J/K], for transients (0: none;
        /// absent: [`DEFAULT_PLATE_HEAT_CAPACITY_J_K`]).
        #[serde(default)]
        heat_capacity_j_k: Option<f64>,
        /// A thermal ladder from the GPU to the coolant instead of one lumped capacity
        /// (exclusive with `heat_capacity_j_k`).
        #[serde(default)]
        ladder: Option<ThermalLadder>,
        /// Thermal ladders characterised at several flows (each with its `flow_m3_s`, as many
        /// terms each, flows ascending; exclusive with `ladder` and `heat_capacity_j_k`): a
        /// transient takes the ladder at the plate's flow (see [`ThermalLadder::at_flow`]).
        #[serde(default)]
        ladders: Vec<ThermalLadder>,
    },
    /// Pump with a pressure-rise curve (flows ascending from ≥ 0, rise falling).
    Pump {
        /// Flows [m³/s].
        flow_m3_s: Vec<f64>,
        /// Pressure rise [Pa].
        pressure_rise_pa: Vec<f64>,
    },
    /// Fixed volume flow (an ideal positive-displacement pump or a flow-controlled loop).
    FlowSource {
        /// Flow [m³/s].
        flow_m3_s: f64,
    },
    /// Coolant distribution unit: heat exchanger to the facility loop.
    ///
    /// Three thermal models: `setpoint_k` (a controlled CDU: the secondary outlet held at the
    /// set-point, the heat passed to `facility_edge` if given, limited by ε–NTU when `ua_w_k`
    /// is given, as a three-way valve on a constant primary flow), `supply_k` + `approach_k`
    /// (outlet at supply + approach), or `ua_w_k` alone (ε–NTU against the facility side).
    Cdu {
        /// Secondary outlet set-point [K] of a controlled CDU.
        #[serde(default)]
        setpoint_k: Option<f64>,
        /// Facility supply temperature [K] (cold inlet), unless `facility_edge` is set.
        #[serde(default)]
        supply_k: Option<f64>,
        /// Approach: secondary outlet = supply + approach [K].
        #[serde(default)]
        approach_k: Option<f64>,
        /// Conductance UA [W/K] for the ε–NTU (counterflow) model.
        #[serde(default)]
        ua_w_k: Option<f64>,
        /// Facility-side flow for ε–NTU when the facility loop is not modelled [m³/s].
        #[serde(default)]
        facility_flow_m3_s: Option<f64>,
        /// Facility-side specific heat [J/(kg·K)] (default water, 4180).
        #[serde(default)]
        facility_specific_heat_j_kgk: Option<f64>,
        /// Facility-side density [kg/m³] (default water, 997).
        #[serde(default)]
        facility_density_kg_m3: Option<f64>,
        /// Name of the edge that is the facility side of this exchanger (ε–NTU both sides).
        #[serde(default)]
        facility_edge: Option<String>,
        /// Secondary-side pressure drop; none means a negligible one.
        #[serde(default)]
        pressure_drop: Option<FlowTable>,
        /// How the outlet follows its set-point in a transient (steady solves hold it).
        #[serde(default)]
        control: Option<CduControl>,
    },
}

/// Default lumped heat capacity of a cold plate with its GPU package [J/K]: 0.8 kg of copper
/// (0.8 kg · 385 J/(kg·K) ≈ 308 J/K), the order of a GPU cold plate's mass; with R ≈ 0.035 K/W
/// the plate's time constant R·C is about 11 s.
pub const DEFAULT_PLATE_HEAT_CAPACITY_J_K: f64 = 0.8 * 385.0;

/// A cold plate's thermal dynamics as a Cauer ladder (capacities to ground), GPU node first:
/// `C₁` at the GPU, `R₁` from it to node 2, …, `Rₙ` from node n to the coolant at the plate's
/// inlet. Typically fitted to a 3D step response (a Foster ladder, converted in Python).
///
/// The resistances are kept as shares of their sum: in a network each `R_j` is its share of the
/// plate curve's `R(Q, T_in)`, so the steady state is the curve's and the response at the
/// characterised flow is the ladder's; at other flows every resistance scales with the curve and
/// the capacities stay (an approximation: in a real plate the convective part changes most).
/// Ladders characterised at several flows (`flow_m3_s`) are interpolated at the plate's flow
/// instead ([`ThermalLadder::at_flow`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ThermalLadder {
    /// `R₁ … Rₙ` [K/W] (only their ratios are used).
    pub resistance_k_w: Vec<f64>,
    /// `C₁ … Cₙ` [J/K].
    pub capacitance_j_k: Vec<f64>,
    /// The flow it was characterised at [m³/s] (needed in a plate's `ladders`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_m3_s: Option<f64>,
}

/// Longest ladder a plate may carry.
pub const MAX_LADDER_TERMS: usize = 16;

impl ThermalLadder {
    /// Every problem with the ladder, each naming `what`.
    pub fn problems(&self, what: &str) -> Vec<String> {
        let mut out = Vec::new();
        let (r, c) = (&self.resistance_k_w, &self.capacitance_j_k);
        if r.is_empty() || r.len() != c.len() || r.len() > MAX_LADDER_TERMS {
            out.push(format!(
                "{what}: a ladder needs as many resistances as capacitances, 1 to {MAX_LADDER_TERMS}; got {} and {}",
                r.len(),
                c.len()
            ));
        }
        if r.iter().chain(c).any(|v| !(v.is_finite() && *v > 0.0)) {
            out.push(format!(
                "{what}: ladder resistances and capacitances must be finite and > 0"
            ));
        }
        if self.flow_m3_s.is_some_and(|q| !(q.is_finite() && q > 0.0)) {
            out.push(format!(
                "{what}: a ladder's flow_m3_s must be finite and > 0, got {}",
                self.flow_m3_s.unwrap_or(f64::NAN)
            ));
        }
        out
    }

    /// Every problem with a plate's ladders by flow, each naming `what`: each a valid ladder
    /// with its flow, at least two, flows strictly ascending, as many terms each.
    pub fn table_problems(table: &[ThermalLadder], what: &str) -> Vec<String> {
        let mut out: Vec<String> = table.iter().flat_map(|l| l.problems(what)).collect();
        if table.len() < 2 {
            out.push(format!(
                "{what}: ladders by flow need at least two (one ladder: give it as ladder)"
            ));
        }
        let flows: Vec<Option<f64>> = table.iter().map(|l| l.flow_m3_s).collect();
        if flows.iter().any(Option::is_none) {
            out.push(format!("{what}: every ladder by flow needs its flow_m3_s"));
        } else if flows.windows(2).any(|w| w[0] >= w[1]) {
            out.push(format!(
                "{what}: ladders by flow must be in strictly ascending flow_m3_s"
            ));
        }
        if table
            .windows(2)
            .any(|w| w[0].resistance_k_w.len() != w[1].resistance_k_w.len())
        {
            out.push(format!(
                "{what}: ladders by flow must have as many terms each (got {:?})",
                table
                    .iter()
                    .map(|l| l.resistance_k_w.len())
                    .collect::<Vec<_>>()
            ));
        }
        out
    }

    /// The ladder of a plate at flow `q` [m³/s] from ladders by flow (valid per
    /// [`ThermalLadder::table_problems`], or a single one): capacities (GPU first) and each link's
    /// share of the resistance. Between two characterised flows each capacitance and each share
    /// is interpolated linearly in ln q (the convective conductance goes as a power of the flow);
    /// outside them the nearest ladder is taken.
    pub fn at_flow(table: &[ThermalLadder], q: f64) -> (Vec<f64>, Vec<f64>) {
        let shares = |l: &ThermalLadder| -> Vec<f64> {
            let total: f64 = l.resistance_k_w.iter().sum();
            l.resistance_k_w.iter().map(|r| r / total).collect()
        };
        let flow = |l: &ThermalLadder| l.flow_m3_s.unwrap_or(f64::NAN);
        let q = q.abs();
        let last = table.len() - 1;
        let upper = table.iter().position(|l| flow(l) > q);
        let (lo, hi) = match upper {
            _ if table.len() == 1 => return (table[0].capacitance_j_k.clone(), shares(&table[0])),
            Some(0) => return (table[0].capacitance_j_k.clone(), shares(&table[0])),
            None => return (table[last].capacitance_j_k.clone(), shares(&table[last])),
            Some(k) => (&table[k - 1], &table[k]),
        };
        let w = (q.ln() - flow(lo).ln()) / (flow(hi).ln() - flow(lo).ln());
        let mix = |a: &[f64], b: &[f64]| -> Vec<f64> {
            a.iter().zip(b).map(|(a, b)| a + w * (b - a)).collect()
        };
        let capacity = mix(&lo.capacitance_j_k, &hi.capacitance_j_k);
        let share = mix(&shares(lo), &shares(hi));
        let total: f64 = share.iter().sum();
        (capacity, share.iter().map(|s| s / total).collect())
    }
}

/// How a controlled CDU's outlet follows its set-point in time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CduControl {
    /// The outlet is at the set-point at every instant (as in a steady solve).
    Ideal,
    /// The outlet follows the set-point as a first-order lag: `τ·dT/dt = T_set − T`.
    Lag {
        /// Time constant τ [s].
        time_constant_s: f64,
    },
    /// A PI controller sets the heat removed, `Q = Kp·e + Ki·∫e dt` with `e = T_out − T_set`,
    /// from a well-mixed exchanger volume of capacity `C`: `C·dT_out/dt = ṁ·c_p·(T_in − T_out) − Q`;
    /// `Q` is held in `[0, Q_max]` (ε–NTU limit when `ua_w_k` is given) without winding up.
    Pi {
        /// Proportional gain [W/K].
        kp_w_k: f64,
        /// Integral gain [W/(K·s)].
        ki_w_k_s: f64,
        /// Heat capacity of the exchanger's secondary side [J/K].
        heat_capacity_j_k: f64,
    },
}

/// Solver controls.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkSettings {
    /// Relative tolerance of the hydraulic Newton iteration.
    pub tolerance: f64,
    /// Newton iterations per hydraulic solve.
    pub max_iterations: usize,
    /// Hydraulics ↔ energy passes.
    pub max_coupling_iterations: usize,
    /// Temperature error that ends the coupling [K]: the last pass's change, or, when the
    /// passes contract by at least half, that change's geometric remainder `dt·ρ/(1 − ρ)`.
    pub temperature_tolerance_k: f64,
    /// Coolant temperature before the first energy pass [K] (default: the first CDU outlet).
    pub initial_temperature_k: Option<f64>,
    /// Pressure of the reference node of each part without a fixed-pressure node [Pa].
    pub reference_pressure_pa: f64,
    /// Extrapolate characterised curves beyond their range (with a warning) instead of failing.
    pub allow_extrapolation: bool,
    /// Solve one of each group of identical, hydraulically separate parts (rack loops behind
    /// their CDUs) carrying identical coolant, and copy its solution to the others.
    pub copy_identical_parts: bool,
}

impl Default for NetworkSettings {
    fn default() -> Self {
        Self {
            tolerance: 1e-10,
            max_iterations: 100,
            max_coupling_iterations: 30,
            temperature_tolerance_k: 1e-6,
            initial_temperature_k: None,
            reference_pressure_pa: 0.0,
            allow_extrapolation: false,
            copy_identical_parts: true,
        }
    }
}

/// Solution at a node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeResult {
    /// Name.
    pub name: String,
    /// Static pressure [Pa].
    pub pressure_pa: f64,
    /// Mixed coolant temperature [K].
    pub temperature_k: f64,
    /// Elevation [m].
    pub elevation_m: f64,
    /// |Σ inflow − Σ outflow| / max(Σ inflow, Σ outflow).
    pub mass_imbalance: f64,
}

/// Solution on an edge.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EdgeResult {
    /// Name.
    pub name: String,
    /// Component type (`pipe`, `duct`, `loss`, `cold_plate`, `pump`, `flow_source`, `cdu`).
    pub kind: String,
    /// Upstream node.
    pub from: String,
    /// Downstream node.
    pub to: String,
    /// Volume flow from → to [m³/s] at the edge's density.
    pub flow_m3_s: f64,
    /// Mass flow [kg/s].
    pub mass_flow_kg_s: f64,
    /// p(from) − p(to) [Pa].
    pub pressure_drop_pa: f64,
    /// Mean velocity, where a diameter is known [m/s].
    pub velocity_m_s: Option<f64>,
    /// Reynolds number, where a diameter is known.
    pub reynolds: Option<f64>,
    /// Darcy friction factor of pipes.
    pub friction_factor: Option<f64>,
    /// Coolant temperature entering [K].
    pub inlet_temperature_k: f64,
    /// Coolant temperature leaving [K].
    pub outlet_temperature_k: f64,
    /// Heat added to the coolant [W] (negative in a CDU).
    pub heat_w: f64,
    /// Hydraulic power delivered to the coolant by pumps and flow sources [W].
    pub hydraulic_power_w: f64,
}

/// Solution at a cold plate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColdPlateResult {
    /// Edge name.
    pub name: String,
    /// Volume flow [m³/s].
    pub flow_m3_s: f64,
    /// Coolant inlet temperature [K].
    pub inlet_temperature_k: f64,
    /// Coolant outlet temperature [K].
    pub outlet_temperature_k: f64,
    /// Pressure drop [Pa].
    pub pressure_drop_pa: f64,
    /// Thermal resistance at this flow [K/W].
    pub thermal_resistance_k_w: f64,
    /// GPU temperature = inlet + R·P [K].
    pub gpu_temperature_k: f64,
    /// Heat load [W].
    pub power_w: f64,
}

/// Loop energy balance.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EnergyBalance {
    /// Heat added by cold plates [W].
    pub heat_in_w: f64,
    /// Heat leaving the modelled network through CDUs [W].
    pub heat_out_w: f64,
    /// |in − out| / max(in, out).
    pub relative_error: f64,
}

/// Iteration counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IterationReport {
    /// Newton iterations summed over all hydraulic solves.
    pub newton: usize,
    /// Hydraulics ↔ energy passes.
    pub coupling: usize,
    /// Energy sweeps summed over all passes.
    pub energy_sweeps: usize,
    /// Unknown pressures.
    pub unknowns: usize,
    /// Stored entries of the LDLᵀ factor (of the solved parts, last solve).
    pub factor_nnz: usize,
    /// Unknown pressures solved for (the rest copy identical parts), last solve.
    #[serde(default)]
    pub solved_unknowns: usize,
    /// Hydraulically separate parts that copied an identical part's solution, last solve.
    #[serde(default)]
    pub copied_parts: usize,
}

/// Everything a solve returns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetworkResult {
    /// Per node.
    pub nodes: Vec<NodeResult>,
    /// Per edge, in input order.
    pub edges: Vec<EdgeResult>,
    /// Per cold plate, in input order.
    pub cold_plates: Vec<ColdPlateResult>,
    /// Loop energy balance.
    pub energy_balance: EnergyBalance,
    /// Largest node mass imbalance.
    pub max_mass_imbalance: f64,
    /// Iteration counts.
    pub iterations: IterationReport,
    /// Extrapolations and out-of-table temperatures.
    pub warnings: Vec<String>,
}

/// Everything a solve returns, as columns: the form large networks are read in (the binding
/// hands each column to NumPy without copying). Node columns follow the model's node order
/// (the table's `node_names`, or nodes as first named by the records), edge columns the edge
/// order, plate columns the order of the cold plates among the edges.
#[derive(Debug, Clone, Default)]
pub struct NetworkSolution {
    /// Node names.
    pub node_names: Vec<String>,
    /// Static pressure [Pa].
    pub node_pressure_pa: Vec<f64>,
    /// Mixed coolant temperature [K].
    pub node_temperature_k: Vec<f64>,
    /// Elevation [m].
    pub node_elevation_m: Vec<f64>,
    /// |Σ inflow − Σ outflow| / max(Σ inflow, Σ outflow).
    pub node_mass_imbalance: Vec<f64>,
    /// Volume flow from → to [m³/s].
    pub edge_flow_m3_s: Vec<f64>,
    /// Mass flow [kg/s].
    pub edge_mass_flow_kg_s: Vec<f64>,
    /// p(from) − p(to) [Pa].
    pub edge_pressure_drop_pa: Vec<f64>,
    /// Mean velocity [m/s] (NaN where the edge has no diameter).
    pub edge_velocity_m_s: Vec<f64>,
    /// Reynolds number (NaN where the edge has no diameter).
    pub edge_reynolds: Vec<f64>,
    /// Darcy friction factor of pipes (NaN elsewhere).
    pub edge_friction_factor: Vec<f64>,
    /// Coolant temperature entering [K].
    pub edge_inlet_temperature_k: Vec<f64>,
    /// Coolant temperature leaving [K].
    pub edge_outlet_temperature_k: Vec<f64>,
    /// Heat added to the coolant [W].
    pub edge_heat_w: Vec<f64>,
    /// Hydraulic power delivered by pumps and flow sources [W].
    pub edge_hydraulic_power_w: Vec<f64>,
    /// Edge index of each cold plate.
    pub plate_edge: Vec<usize>,
    /// Volume flow [m³/s].
    pub plate_flow_m3_s: Vec<f64>,
    /// Coolant inlet temperature [K].
    pub plate_inlet_temperature_k: Vec<f64>,
    /// Coolant outlet temperature [K].
    pub plate_outlet_temperature_k: Vec<f64>,
    /// Pressure drop [Pa].
    pub plate_pressure_drop_pa: Vec<f64>,
    /// Thermal resistance at this flow [K/W].
    pub plate_thermal_resistance_k_w: Vec<f64>,
    /// GPU temperature = inlet + R·P [K].
    pub plate_gpu_temperature_k: Vec<f64>,
    /// Heat load [W].
    pub plate_power_w: Vec<f64>,
    /// Loop energy balance.
    pub energy_balance: EnergyBalance,
    /// Largest node mass imbalance.
    pub max_mass_imbalance: f64,
    /// Iteration counts.
    pub iterations: IterationReport,
    /// Extrapolations, out-of-table temperatures, set-points not held.
    pub warnings: Vec<String>,
    /// What each warning is about (callers choose a warning class by this, never by the text).
    pub warning_kinds: Vec<WarningKind>,
    /// Wall time of each phase.
    pub times: PhaseTimes,
}

/// Wall time [s] of the phases of a network solve.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PhaseTimes {
    /// Checking the specification and building the model.
    pub model_s: f64,
    /// Numbering, sparsity pattern and ordering of the hydraulic system.
    pub setup_s: f64,
    /// Newton iterations (all coupling passes).
    pub hydraulics_s: f64,
    /// Enthalpy sweeps (all coupling passes).
    pub energy_s: f64,
    /// Per-edge results and checks.
    pub results_s: f64,
}

/// What a network warning is about; serialised in snake case (`property_range`, …), which the
/// Python layer maps to its warning classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WarningKind {
    /// A component's table was extrapolated (`allow_extrapolation`).
    Extrapolation,
    /// A set-point (CDU supply temperature, pump head) could not be held.
    Setpoint,
    /// Flow runs backwards through an exchanger, or circulates.
    ReverseFlow,
    /// A coolant temperature is outside its property table.
    PropertyRange,
}

#[cfg(test)]
mod ladder_tests {
    use super::ThermalLadder;

    fn ladder(r: [f64; 2], c: [f64; 2], q: f64) -> ThermalLadder {
        ThermalLadder {
            resistance_k_w: r.to_vec(),
            capacitance_j_k: c.to_vec(),
            flow_m3_s: Some(q),
        }
    }

    /// Between two characterised flows the capacities and shares are interpolated in ln Q (the
    /// geometric mean flow takes the mean); outside them the nearest ladder is taken.
    #[test]
    fn ladder_at_flow_interpolates_in_log_flow_and_clamps() {
        let table = [
            ladder([1.0, 3.0], [0.1, 1.0], 1e-5),
            ladder([1.0, 1.0], [0.2, 2.0], 4e-5),
        ];
        assert!(ThermalLadder::table_problems(&table, "p").is_empty());
        let (c, s) = ThermalLadder::at_flow(&table, 2e-5);
        assert!((c[0] - 0.15).abs() < 1e-12 && (c[1] - 1.5).abs() < 1e-12);
        assert!((s[0] - 0.375).abs() < 1e-12 && (s[1] - 0.625).abs() < 1e-12);
        assert_eq!(ThermalLadder::at_flow(&table, 1e-6).0, vec![0.1, 1.0]);
        assert_eq!(ThermalLadder::at_flow(&table, 1e-3).0, vec![0.2, 2.0]);
        // reverse flow takes the ladder of its magnitude
        assert_eq!(ThermalLadder::at_flow(&table, -2e-5).0, c);
        let unsorted = [table[1].clone(), table[0].clone()];
        assert_eq!(ThermalLadder::table_problems(&unsorted, "p").len(), 1);
        let mut three = table.to_vec();
        three[1].resistance_k_w.push(1.0);
        three[1].capacitance_j_k.push(1.0);
        assert_eq!(ThermalLadder::table_problems(&three, "p").len(), 1);
    }
}
