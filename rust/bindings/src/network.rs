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

/// Adds the network functions to the extension module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(solve_network, m)?)?;
    Ok(())
}
