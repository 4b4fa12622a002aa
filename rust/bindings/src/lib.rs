//! The PyO3 binding of rackflow-core, importable as `rackflow._core`.
//!
//! Thin on purpose: convert and validate NumPy inputs, release the GIL, call the core, map
//! errors to the exception hierarchy. The user API lives in the Python package.
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod errors;
mod interrupt;
mod memory;
mod mesh;
mod network;
mod radiation;
mod solve;
mod tooling;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    tooling::install();
    errors::register(m)?;
    m.add_class::<mesh::Mesh>()?;
    m.add_function(wrap_pyfunction!(mesh::build_mesh, m)?)?;
    m.add_function(wrap_pyfunction!(solve::solve_case, m)?)?;
    m.add_function(wrap_pyfunction!(solve::validate_case, m)?)?;
    m.add_function(wrap_pyfunction!(solve::solve_transient_case, m)?)?;
    m.add_function(wrap_pyfunction!(radiation::view_factors_polygons, m)?)?;
    m.add_function(wrap_pyfunction!(radiation::enclosure_view_factors, m)?)?;
    network::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
