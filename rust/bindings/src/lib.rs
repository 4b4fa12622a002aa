//! BRANCH-LOCAL MINIMAL MODULE for testing the `network` branch; main's lib.rs replaces it.
//! Main needs only: `mod network;` and `network::register(m)?;` inside `_core`.
#![deny(clippy::unwrap_used, clippy::expect_used)]

use pyo3::prelude::*;

mod errors;
mod network;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    network::register(m)?;
    Ok(())
}
