//! Solving a case: JSON case in, NumPy fields and plain numbers out.

use crate::interrupt;
use crate::mesh::Mesh;
use numpy::{IntoPyArray, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rackflow_core::case::{self, Case};

/// Solve `case_json` (the serde form of `rackflow_core::case::Case`) on `mesh`. Releases the GIL;
/// `progress(iteration, residuals)` is called from the calling thread.
#[pyfunction]
#[pyo3(signature = (mesh, case_json, progress=None))]
pub fn solve_case<'py>(
    py: Python<'py>,
    mesh: &Mesh,
    case_json: &str,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let case: Case = serde_json::from_str(case_json).map_err(|e| {
        crate::errors::CaseError::new_err(format!("malformed case description: {e}"))
    })?;
    let inner = mesh.inner.clone();
    let solution = interrupt::run(py, progress, |monitor| case::solve(&inner, &case, monitor))?;
    let d = PyDict::new(py);
    d.set_item("temperature_k", solution.temperature_k.into_pyarray(py))?;
    d.set_item("patch_heat_flow_w", solution.patch_heat_flow_w)?;
    d.set_item("region_source_w", solution.region_source_w)?;
    d.set_item("contact_heat_flow_w", solution.contact_heat_flow_w)?;
    d.set_item("energy_balance_error", solution.energy_balance_error)?;
    let n_vel = solution.velocity_m_s.len();
    let flat: Vec<f64> = solution.velocity_m_s.iter().flatten().copied().collect();
    d.set_item("velocity_m_s", flat.into_pyarray(py).reshape([n_vel, 3])?)?;
    d.set_item("pressure_pa", solution.pressure_pa.into_pyarray(py))?;
    d.set_item("mass_flux_kg_s", solution.mass_flux_kg_s.into_pyarray(py))?;
    d.set_item("patch_mass_flow_kg_s", solution.patch_mass_flow_kg_s)?;
    d.set_item("patch_total_pressure_pa", solution.patch_total_pressure_pa)?;
    d.set_item(
        "patch_static_pressure_pa",
        solution.patch_static_pressure_pa,
    )?;
    d.set_item("mass_imbalance", solution.mass_imbalance)?;
    let report = serde_json::to_string(&solution.report)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    d.set_item("report_json", report)?;
    Ok(d)
}
