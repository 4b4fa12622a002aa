//! One-dimensional steady coolant networks: pipes and hoses, fittings and quick disconnects,
//! cold plates characterised by the 3D solver (or a datasheet), pumps, fixed-flow sources and
//! CDUs (heat exchangers to the facility loop).
//!
//! Input is a [`NetworkSpec`] (serde; JSON from Python), output a [`NetworkResult`]. SI units,
//! temperatures in kelvin, volume flows in m³/s.
//!
//! * Hydraulics: Newton on node pressures with a direct sparse LDLᵀ of the nodal matrix
//!   (minimum-degree ordering), backtracking line search; mass is conserved at every node to
//!   round-off after every full step. Hydraulically separate parts that are copies of one
//!   another (a hall's rack loops behind their CDUs) and carry the same coolant are iterated
//!   once and copied (`replicas`).
//! * Friction: Darcy–Weisbach, 64/Re laminar, Colebrook turbulent, C¹ blend over 2300–4000.
//! * Energy: enthalpy sweep along the flow (exact mixing at junctions, plates add `P`, CDUs
//!   fix their outlet or act by ε–NTU), so GPU heat equals CDU heat to round-off.
//! * Properties at the local temperature; hydraulics and energy are iterated to a fixed point.

mod curve;
mod fittings;
mod fluid;
mod friction;
mod model;
mod radiator;
mod replicas;
mod solver;
mod sparse;
mod spec;
mod transient;

pub use fittings::{
    sudden_contraction_k, sudden_contraction_k_turbulent, CONTRACTION_AREA_RATIOS, CONTRACTION_K,
    CONTRACTION_REYNOLDS,
};
pub use fluid::FluidTable;
pub use friction::{colebrook, darcy, darcy_laminar, rectangular_f_re, swamee_jain};
pub use solver::effectiveness;
pub use spec::{
    CduControl, ColdPlateCurve, ColdPlateResult, Component, EdgeResult, EdgeSpec, EnergyBalance,
    FlowTable, IterationReport, NetworkResult, NetworkSettings, NetworkSolution, NetworkSpec,
    NetworkTable, NodeResult, NodeSpec, PhaseTimes, SuddenContraction, ThermalLadder, WarningKind,
    DEFAULT_PLATE_HEAT_CAPACITY_J_K, MAX_LADDER_TERMS,
};

pub use radiator::RadiatorSpec;
pub use transient::{
    InputGroup, Interpolation, ProfileSpec, Quantity, TransientSettings, TransientSolution,
};

use crate::error::{Error, Result};

/// Validates and solves a network; one record per node, edge and plate.
pub fn solve(spec: &NetworkSpec) -> Result<NetworkResult> {
    let model = model::Model::new(spec.clone())?;
    let solution = solver::solve_model(&model)?;
    Ok(solver::to_records(&model, &solution))
}

/// Validates and solves a network; the solution as columns (large networks). Takes the
/// specification by value: its names move into the model instead of being copied.
pub fn solve_columns(spec: NetworkSpec) -> Result<NetworkSolution> {
    let clock = std::time::Instant::now();
    let mut model = model::Model::new(spec)?;
    let model_s = clock.elapsed().as_secs_f64();
    let mut solution = solver::solve_model(&model)?;
    solution.times.model_s = model_s;
    solution.node_names = std::mem::take(&mut model.node_names);
    Ok(solution)
}

/// JSON in, JSON out: the form the Python binding calls.
pub fn solve_json(spec_json: &str) -> Result<String> {
    let spec: NetworkSpec = serde_json::from_str(spec_json)
        .map_err(|e| Error::Network(format!("network specification is not valid: {e}")))?;
    let result = solve(&spec)?;
    serde_json::to_string(&result)
        .map_err(|e| Error::Network(format!("could not serialise the network result: {e}")))
}

/// Validates a network and runs it in time (see [`transient`](self) for the model).
pub fn simulate_columns(
    spec: NetworkSpec,
    settings: &TransientSettings,
    monitor: &dyn crate::Monitor,
) -> Result<TransientSolution> {
    let model = model::Model::new(spec)?;
    transient::simulate(&model, settings, monitor)
}
