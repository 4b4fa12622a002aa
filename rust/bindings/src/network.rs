//! Binding of the coolant-network solver: JSON in, JSON out, GIL released while solving.

use pyo3::prelude::*;

use crate::errors::to_py_err;

/// Solves a coolant network described by `spec_json` (see `rackflow_core::network::NetworkSpec`)
/// and returns the `NetworkResult` as JSON. Raises `NetworkError` (or `ConvergenceError`).
#[pyfunction]
fn solve_network(py: Python<'_>, spec_json: &str) -> PyResult<String> {
    py.detach(|| rackflow_core::network::solve_json(spec_json))
        .map_err(|e| to_py_err(py, e))
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
    m.add_function(wrap_pyfunction!(sudden_contraction_k, m)?)?;
    Ok(())
}
