//! Binding of the coolant-network solver: JSON in, JSON out for the record form; for large
//! networks the edge and node columns arrive as NumPy arrays and lists and the solution leaves
//! as NumPy arrays (moved, not copied). The GIL is released while solving.

use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rackflow_core::network::{NetworkSolution, NetworkSpec, NetworkTable, TransientSettings};

use crate::errors::to_py_err;
use crate::interrupt;

/// Solves a coolant network described by `spec_json` (see `rackflow_core::network::NetworkSpec`)
/// and returns the `NetworkResult` as JSON. Raises `NetworkError` (or `ConvergenceError`).
#[pyfunction]
fn solve_network(py: Python<'_>, spec_json: &str) -> PyResult<String> {
    py.detach(|| rackflow_core::network::solve_json(spec_json))
        .map_err(|e| to_py_err(py, e))
}

fn slice<'a, T: numpy::Element>(a: &'a PyReadonlyArray1<'_, T>, name: &str) -> PyResult<&'a [T]> {
    a.as_slice()
        .map_err(|_| PyValueError::new_err(format!("{name} must be a contiguous 1D array")))
}

/// The spec of `spec_json` (whose `table` holds the components, fixed pressures and nothing
/// else) with the table's columns filled from the arrays.
#[allow(clippy::too_many_arguments)]
fn table_spec(
    spec_json: &str,
    node_names: Vec<String>,
    node_elevation_m: &PyReadonlyArray1<'_, f64>,
    edge_names: Vec<String>,
    edge_from: &PyReadonlyArray1<'_, u32>,
    edge_to: &PyReadonlyArray1<'_, u32>,
    edge_component: &PyReadonlyArray1<'_, u32>,
) -> PyResult<NetworkSpec> {
    let mut spec: NetworkSpec = serde_json::from_str(spec_json).map_err(|e| {
        crate::errors::NetworkError::new_err(format!("network specification is not valid: {e}"))
    })?;
    let table = spec.table.get_or_insert_with(NetworkTable::default);
    table.node_names = node_names;
    table.node_elevation_m = slice(node_elevation_m, "node_elevation_m")?.to_vec();
    table.edge_names = edge_names;
    table.edge_from = slice(edge_from, "edge_from")?.to_vec();
    table.edge_to = slice(edge_to, "edge_to")?.to_vec();
    table.edge_component = slice(edge_component, "edge_component")?.to_vec();
    Ok(spec)
}

/// Moves the solution's columns into a dict of NumPy arrays; the rest (balances, iteration
/// counts, warnings) as JSON.
fn solution_dict<'py>(
    py: Python<'py>,
    sol: NetworkSolution,
) -> PyResult<(Bound<'py, PyDict>, String)> {
    let d = PyDict::new(py);
    let columns: [(&str, Vec<f64>); 21] = [
        ("node_pressure_pa", sol.node_pressure_pa),
        ("node_temperature_k", sol.node_temperature_k),
        ("node_elevation_m", sol.node_elevation_m),
        ("node_mass_imbalance", sol.node_mass_imbalance),
        ("edge_flow_m3_s", sol.edge_flow_m3_s),
        ("edge_mass_flow_kg_s", sol.edge_mass_flow_kg_s),
        ("edge_pressure_drop_pa", sol.edge_pressure_drop_pa),
        ("edge_velocity_m_s", sol.edge_velocity_m_s),
        ("edge_reynolds", sol.edge_reynolds),
        ("edge_friction_factor", sol.edge_friction_factor),
        ("edge_inlet_temperature_k", sol.edge_inlet_temperature_k),
        ("edge_outlet_temperature_k", sol.edge_outlet_temperature_k),
        ("edge_heat_w", sol.edge_heat_w),
        ("edge_hydraulic_power_w", sol.edge_hydraulic_power_w),
        ("plate_flow_m3_s", sol.plate_flow_m3_s),
        ("plate_inlet_temperature_k", sol.plate_inlet_temperature_k),
        ("plate_outlet_temperature_k", sol.plate_outlet_temperature_k),
        ("plate_pressure_drop_pa", sol.plate_pressure_drop_pa),
        (
            "plate_thermal_resistance_k_w",
            sol.plate_thermal_resistance_k_w,
        ),
        ("plate_gpu_temperature_k", sol.plate_gpu_temperature_k),
        ("plate_power_w", sol.plate_power_w),
    ];
    for (name, values) in columns {
        d.set_item(name, values.into_pyarray(py))?;
    }
    let plate_edge: Vec<u64> = sol.plate_edge.iter().map(|&k| k as u64).collect();
    d.set_item("plate_edge", plate_edge.into_pyarray(py))?;
    let info = serde_json::json!({
        "energy_balance": sol.energy_balance,
        "max_mass_imbalance": sol.max_mass_imbalance,
        "iterations": sol.iterations,
        "warnings": sol.warnings,
        "warning_kinds": sol.warning_kinds,
        "times": sol.times,
    });
    Ok((d, info.to_string()))
}

/// Solves a network given as columns: `spec_json` holds the coolant, the shared components
/// (`table.components`), fixed pressures and settings; the arrays hold nodes and edges.
/// Returns (dict of NumPy columns, JSON of balances, iteration counts and warnings).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn solve_network_table<'py>(
    py: Python<'py>,
    spec_json: &str,
    node_names: Vec<String>,
    node_elevation_m: PyReadonlyArray1<'py, f64>,
    edge_names: Vec<String>,
    edge_from: PyReadonlyArray1<'py, u32>,
    edge_to: PyReadonlyArray1<'py, u32>,
    edge_component: PyReadonlyArray1<'py, u32>,
) -> PyResult<(Bound<'py, PyDict>, String)> {
    let spec = table_spec(
        spec_json,
        node_names,
        &node_elevation_m,
        edge_names,
        &edge_from,
        &edge_to,
        &edge_component,
    )?;
    let sol = interrupt::run(py, None, |_| rackflow_core::network::solve_columns(spec))?;
    solution_dict(py, sol)
}

/// Runs a network given as columns in time (`transient_json`: a `TransientSettings`); the
/// record as a dict of NumPy columns (2D records flattened row-major) and a JSON of counts and
/// times. `progress(step, {"time_s": ..., "worst_gpu_k": ...})` is called as steps finish;
/// Ctrl-C stops the run.
#[pyfunction]
#[pyo3(signature = (spec_json, transient_json, node_names, node_elevation_m, edge_names, edge_from, edge_to, edge_component, progress=None))]
#[allow(clippy::too_many_arguments)]
fn simulate_network_table<'py>(
    py: Python<'py>,
    spec_json: &str,
    transient_json: &str,
    node_names: Vec<String>,
    node_elevation_m: PyReadonlyArray1<'py, f64>,
    edge_names: Vec<String>,
    edge_from: PyReadonlyArray1<'py, u32>,
    edge_to: PyReadonlyArray1<'py, u32>,
    edge_component: PyReadonlyArray1<'py, u32>,
    progress: Option<Py<PyAny>>,
) -> PyResult<(Bound<'py, PyDict>, String)> {
    let spec = table_spec(
        spec_json,
        node_names,
        &node_elevation_m,
        edge_names,
        &edge_from,
        &edge_to,
        &edge_component,
    )?;
    let settings: TransientSettings = serde_json::from_str(transient_json).map_err(|e| {
        crate::errors::NetworkError::new_err(format!("transient settings are not valid: {e}"))
    })?;
    let sol = interrupt::run(py, progress, |monitor| {
        rackflow_core::network::simulate_columns(spec, &settings, monitor)
    })?;
    let d = PyDict::new(py);
    let floats: [(&str, Vec<f64>); 18] = [
        ("times_s", sol.times_s),
        ("output_times_s", sol.output_times_s),
        ("plate_inlet_temperature_k", sol.plate_inlet_temperature_k),
        ("plate_gpu_temperature_k", sol.plate_gpu_temperature_k),
        ("worst_gpu_temperature_k", sol.worst_gpu_temperature_k),
        ("cdu_supply_temperature_k", sol.cdu_supply_temperature_k),
        ("cdu_return_temperature_k", sol.cdu_return_temperature_k),
        ("cdu_heat_w", sol.cdu_heat_w),
        (
            "radiator_inlet_temperature_k",
            sol.radiator_inlet_temperature_k,
        ),
        (
            "radiator_outlet_temperature_k",
            sol.radiator_outlet_temperature_k,
        ),
        ("radiator_heat_w", sol.radiator_heat_w),
        (
            "radiator_absorbed_flux_w_m2",
            sol.radiator_absorbed_flux_w_m2,
        ),
        ("energy_stored_j", sol.energy_stored_j),
        ("ladder_refit_energy_j", sol.ladder_refit_energy_j),
        ("heat_in_w", sol.heat_in_w),
        ("heat_out_w", sol.heat_out_w),
        ("final_node_temperature_k", sol.final_node_temperature_k),
        ("final_edge_flow_m3_s", sol.final_edge_flow_m3_s),
    ];
    for (name, values) in floats {
        d.set_item(name, values.into_pyarray(py))?;
    }
    let index = |v: Vec<usize>| -> Vec<u64> { v.into_iter().map(|k| k as u64).collect() };
    d.set_item("plate_edge", index(sol.plate_edge).into_pyarray(py))?;
    d.set_item("worst_gpu_edge", index(sol.worst_gpu_edge).into_pyarray(py))?;
    d.set_item("cdu_edge", index(sol.cdu_edge).into_pyarray(py))?;
    d.set_item("radiator_edge", index(sol.radiator_edge).into_pyarray(py))?;
    let info = serde_json::json!({
        "cells": sol.cells,
        "hydraulic_solves": sol.hydraulic_solves,
        "newton_iterations": sol.newton_iterations,
        "initial_s": sol.initial_s,
        "loop_s": sol.loop_s,
        "hydraulics_s": sol.hydraulics_s,
    });
    Ok((d, info.to_string()))
}

/// Loss coefficient of a sharp-edged sudden contraction on the channel velocity at channel
/// Reynolds number `reynolds_number` (`None`: the turbulent value); the Python wrapper
/// `rackflow.network.contraction_k` checks the arguments.
#[pyfunction]
#[pyo3(signature = (area_ratio, reynolds_number=None))]
fn sudden_contraction_k(area_ratio: f64, reynolds_number: Option<f64>) -> f64 {
    match reynolds_number {
        Some(re) => rackflow_core::network::sudden_contraction_k(area_ratio, re).0,
        None => rackflow_core::network::sudden_contraction_k_turbulent(area_ratio),
    }
}

/// Adds the network functions to the extension module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(solve_network, m)?)?;
    m.add_function(wrap_pyfunction!(solve_network_table, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_network_table, m)?)?;
    m.add_function(wrap_pyfunction!(sudden_contraction_k, m)?)?;
    Ok(())
}
