//! Solving a case: JSON case in, NumPy fields and plain numbers out.

use crate::interrupt;
use crate::mesh::Mesh;
use numpy::{IntoPyArray, PyArrayDyn, PyArrayMethods, PyReadonlyArrayDyn, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rackflow_core::case::{self, Case, InitialState};

/// The fields a warm start may give, in the order of [`InitialState`].
const INITIAL_FIELDS: [&str; 16] = [
    "temperature_k",
    "velocity_m_s",
    "pressure_pa",
    "mass_flux_kg_s",
    "turbulence_k_m2_s2",
    "turbulence_omega_1_s",
    "turbulent_viscosity_pa_s",
    "momentum_first_order",
    "momentum_limiter",
    "momentum_relaxation",
    "energy_limiter",
    "energy_non_orthogonal_scale",
    "momentum_first_order_fallback",
    "momentum_non_orthogonal_limit",
    "turbulence_limiter",
    "wall_log_layer",
];

/// Borrow the initial-state arrays of `initial` (a dict of float64 NumPy arrays); no copies.
fn initial_arrays<'py>(
    initial: Option<&Bound<'py, PyDict>>,
) -> PyResult<Vec<Option<PyReadonlyArrayDyn<'py, f64>>>> {
    let mut out: Vec<Option<PyReadonlyArrayDyn<'py, f64>>> = vec![None; INITIAL_FIELDS.len()];
    let Some(d) = initial else { return Ok(out) };
    for (key, value) in d.iter() {
        let name: String = key
            .extract()
            .map_err(|_| crate::errors::CaseError::new_err("initial state keys must be strings"))?;
        let Some(i) = INITIAL_FIELDS.iter().position(|&f| f == name) else {
            return Err(crate::errors::CaseError::new_err(format!(
                "unknown initial field '{name}'; expected one of {}",
                INITIAL_FIELDS.join(", ")
            )));
        };
        if value.is_none() {
            continue;
        }
        let array = value.cast::<PyArrayDyn<f64>>().map_err(|_| {
            crate::errors::CaseError::new_err(format!(
                "initial {name} must be a float64 NumPy array, got {}",
                value
                    .get_type()
                    .name()
                    .map_or_else(|_| "?".to_string(), |n| n.to_string())
            ))
        })?;
        let shape = array.shape().to_vec();
        let ok = match name.as_str() {
            "velocity_m_s" | "momentum_limiter" | "turbulence_limiter" => {
                shape.len() == 2 && shape[1] == 3 || shape.len() == 1
            }
            _ => shape.len() == 1,
        };
        if !ok {
            return Err(crate::errors::CaseError::new_err(format!(
                "initial {name} has shape {shape:?}; expected {}",
                if matches!(
                    name.as_str(),
                    "velocity_m_s" | "momentum_limiter" | "turbulence_limiter"
                ) {
                    "(n_cells, 3)"
                } else {
                    "a 1D array"
                }
            )));
        }
        out[i] = Some(array.readonly());
    }
    Ok(out)
}

/// Check a case (the core's JSON form) on `mesh` without solving: every thermal, flow,
/// radiation and settings problem in one `CaseError` (a `MaterialError` when only material
/// properties are wrong). Releases the GIL.
#[pyfunction]
pub fn validate_case(py: Python<'_>, mesh: &Mesh, case_json: &str) -> PyResult<()> {
    let case: Case = serde_json::from_str(case_json).map_err(|e| {
        crate::errors::CaseError::new_err(format!("malformed case description: {e}"))
    })?;
    let inner = mesh.inner.clone();
    py.detach(move || case::validate(&inner, &case))
        .map_err(|e| crate::errors::to_py_err(py, e))
}

/// Solve `case_json` (the serde form of `rackflow_core::case::Case`) on `mesh`. Releases the GIL;
/// `progress(iteration, residuals)` is called from the calling thread. `initial` optionally
/// holds float64 arrays to start from (`temperature_k`, `velocity_m_s`, `pressure_pa`,
/// `mass_flux_kg_s`), borrowed without copies; `scale_initial_flow` scales the initial flow by
/// the ratio of the inflows (see `InitialState::scale_to_inflow`).
#[pyfunction]
#[pyo3(signature = (mesh, case_json, progress=None, initial=None, scale_initial_flow=true))]
pub fn solve_case<'py>(
    py: Python<'py>,
    mesh: &Mesh,
    case_json: &str,
    progress: Option<Py<PyAny>>,
    initial: Option<&Bound<'py, PyDict>>,
    scale_initial_flow: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let case: Case = serde_json::from_str(case_json).map_err(|e| {
        crate::errors::CaseError::new_err(format!("malformed case description: {e}"))
    })?;
    let arrays = initial_arrays(initial)?;
    let mut slices: Vec<Option<&[f64]>> = Vec::with_capacity(INITIAL_FIELDS.len());
    for (name, a) in INITIAL_FIELDS.iter().zip(&arrays) {
        slices.push(match a {
            None => None,
            Some(a) => Some(a.as_slice().map_err(|_| {
                crate::errors::CaseError::new_err(format!(
                    "initial {name} must be a C-contiguous array"
                ))
            })?),
        });
    }
    let start = InitialState {
        temperature_k: slices[0],
        velocity_m_s: slices[1],
        pressure_pa: slices[2],
        mass_flux_kg_s: slices[3],
        turbulence_k: slices[4],
        turbulence_omega: slices[5],
        turbulent_viscosity: slices[6],
        momentum_first_order: slices[7],
        momentum_limiter: slices[8],
        momentum_relaxation: slices[9],
        energy_limiter: slices[10],
        energy_non_orthogonal_scale: slices[11],
        momentum_first_order_fallback: slices[12],
        momentum_non_orthogonal_limit: slices[13],
        turbulence_limiter: slices[14],
        wall_log_layer: slices[15],
        scale_to_inflow: scale_initial_flow,
    };
    let inner = mesh.inner.clone();
    let estimated = case::memory::solve_bytes(&inner, &case);
    case::memory::check("the solve", estimated, crate::memory::available_bytes())
        .map_err(|e| crate::errors::to_py_err(py, e))?;
    let solution = interrupt::run(py, progress, |monitor| {
        case::solve_from(&inner, &case, &start, monitor)
    })?;
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
    if !solution.turbulent_viscosity_pa_s.is_empty() {
        d.set_item(
            "turbulent_viscosity_pa_s",
            solution.turbulent_viscosity_pa_s.into_pyarray(py),
        )?;
        d.set_item("y_plus", solution.y_plus.into_pyarray(py))?;
        d.set_item("turbulence_k_m2_s2", solution.turbulence_k.into_pyarray(py))?;
        d.set_item(
            "turbulence_omega_1_s",
            solution.turbulence_omega.into_pyarray(py),
        )?;
    }
    if !solution.momentum_first_order.is_empty() {
        d.set_item(
            "momentum_first_order",
            solution.momentum_first_order.into_pyarray(py),
        )?;
    }
    if !solution.momentum_limiter.is_empty() {
        let n = solution.momentum_limiter.len();
        let flat: Vec<f64> = solution
            .momentum_limiter
            .iter()
            .flatten()
            .copied()
            .collect();
        d.set_item("momentum_limiter", flat.into_pyarray(py).reshape([n, 3])?)?;
    }
    if !solution.turbulence_limiter.is_empty() {
        let n = solution.turbulence_limiter.len();
        let flat: Vec<f64> = solution
            .turbulence_limiter
            .iter()
            .flatten()
            .copied()
            .collect();
        d.set_item("turbulence_limiter", flat.into_pyarray(py).reshape([n, 3])?)?;
    }
    if !solution.wall_log_layer.is_empty() {
        d.set_item("wall_log_layer", solution.wall_log_layer.into_pyarray(py))?;
    }
    if let Some(alpha) = solution.momentum_relaxation {
        d.set_item("momentum_relaxation", alpha)?;
    }
    if solution.momentum_first_order_fallback {
        d.set_item("momentum_first_order_fallback", true)?;
    }
    if let Some(limit) = solution.momentum_non_orthogonal_limit {
        d.set_item("momentum_non_orthogonal_limit", limit)?;
    }
    if !solution.energy_limiter.is_empty() {
        d.set_item("energy_limiter", solution.energy_limiter.into_pyarray(py))?;
    }
    if !solution.energy_non_orthogonal_scale.is_empty() {
        d.set_item(
            "energy_non_orthogonal_scale",
            solution.energy_non_orthogonal_scale.into_pyarray(py),
        )?;
    }
    d.set_item("estimated_memory_mb", estimated / 1e6)?;
    let report = serde_json::to_string(&solution.report)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    d.set_item("report_json", report)?;
    Ok(d)
}

/// A failed solve's last iterate as a dict of NumPy arrays (the keys of a result's raw fields).
pub fn partial_dict(py: Python<'_>, partial: rackflow_core::error::PartialFields) -> Py<PyAny> {
    let build = || -> PyResult<Py<PyAny>> {
        let d = PyDict::new(py);
        d.set_item("temperature_k", partial.temperature_k.into_pyarray(py))?;
        let n_vel = partial.velocity_m_s.len();
        let flat: Vec<f64> = partial.velocity_m_s.iter().flatten().copied().collect();
        d.set_item("velocity_m_s", flat.into_pyarray(py).reshape([n_vel, 3])?)?;
        d.set_item("pressure_pa", partial.pressure_pa.into_pyarray(py))?;
        d.set_item("residual", partial.residual.into_pyarray(py))?;
        Ok(d.into_any().unbind())
    };
    build().unwrap_or_else(|_| py.None())
}

/// Rows of equal length as a 2D float64 array.
fn matrix<'py>(py: Python<'py>, rows: Vec<Vec<f64>>, width: usize) -> PyResult<Bound<'py, PyAny>> {
    let n = rows.len();
    // one allocation of the final size, each row freed as it is copied: a transient's kept
    // fields are most of its memory, and collecting a flatten grows by doubling (two copies)
    let mut flat: Vec<f64> = Vec::with_capacity(n * width);
    for row in rows {
        flat.extend_from_slice(&row);
    }
    Ok(flat.into_pyarray(py).reshape([n, width])?.into_any())
}

/// Solve `case_json` in time under `transient_json` (the serde form of
/// `rackflow_core::case::Transient`) from `initial_temperature_k` (per cell, borrowed) or the
/// case's uniform initial temperature; `initial_flow` (`velocity_m_s`, `pressure_pa`,
/// `mass_flux_kg_s` of the steady start, borrowed) warm-starts the first flow solve. Releases
/// the GIL; `progress(step, {"time_s": t})`.
#[pyfunction]
#[pyo3(signature = (mesh, case_json, transient_json, progress=None, initial_temperature_k=None, initial_flow=None))]
pub fn solve_transient_case<'py>(
    py: Python<'py>,
    mesh: &Mesh,
    case_json: &str,
    transient_json: &str,
    progress: Option<Py<PyAny>>,
    initial_temperature_k: Option<PyReadonlyArrayDyn<'py, f64>>,
    initial_flow: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let case: Case = serde_json::from_str(case_json).map_err(|e| {
        crate::errors::CaseError::new_err(format!("malformed case description: {e}"))
    })?;
    let spec: case::Transient = serde_json::from_str(transient_json).map_err(|e| {
        crate::errors::CaseError::new_err(format!("malformed transient description: {e}"))
    })?;
    let start = match &initial_temperature_k {
        None => None,
        Some(a) => Some(a.as_slice().map_err(|_| {
            crate::errors::CaseError::new_err("initial temperatures must be a C-contiguous array")
        })?),
    };
    let flow_arrays = initial_arrays(initial_flow)?;
    if flow_arrays[0].is_some() {
        return Err(crate::errors::CaseError::new_err(
            "initial_flow holds velocity_m_s, pressure_pa and mass_flux_kg_s; the temperatures go in initial_temperature_k",
        ));
    }
    let mut flow: Vec<Option<&[f64]>> = Vec::with_capacity(4);
    for (name, a) in INITIAL_FIELDS.iter().zip(&flow_arrays) {
        flow.push(match a {
            None => None,
            Some(a) => Some(a.as_slice().map_err(|_| {
                crate::errors::CaseError::new_err(format!(
                    "initial {name} must be a C-contiguous array"
                ))
            })?),
        });
    }
    let initial = InitialState {
        temperature_k: start,
        velocity_m_s: flow[1],
        pressure_pa: flow[2],
        mass_flux_kg_s: flow[3],
        turbulence_k: flow.get(4).copied().flatten(),
        turbulence_omega: flow.get(5).copied().flatten(),
        turbulent_viscosity: flow.get(6).copied().flatten(),
        scale_to_inflow: true,
        ..InitialState::default()
    };
    let inner = mesh.inner.clone();
    let estimated = case::memory::solve_bytes(&inner, &case);
    case::memory::check(
        "the transient solve",
        estimated,
        crate::memory::available_bytes(),
    )
    .map_err(|e| crate::errors::to_py_err(py, e))?;
    // a failed run's completed steps go with its exception as `partial_run` (the dict a run returns)
    let run = interrupt::run_keeping(
        py,
        progress,
        |monitor| {
            case::solve_transient_keeping(&inner, &case, &spec, &initial, monitor)
                .map_err(|f| (f.error, f.completed))
        },
        |run| Some(Box::new(run)),
        |py, err, completed| {
            if let Some(run) = completed {
                // diagnostic: failing to attach it must not hide the error itself
                if let Ok(d) = transient_dict(py, &inner, *run) {
                    let _ = err.value(py).setattr("partial_run", d);
                }
            }
        },
    )?;
    transient_dict(py, &inner, run)
}

/// A transient run as the dict `solve_transient_case` returns.
fn transient_dict<'py>(
    py: Python<'py>,
    inner: &rackflow_core::mesh::Mesh,
    run: case::TransientSolution,
) -> PyResult<Bound<'py, PyDict>> {
    let n_cells = inner.n_cells();
    let n_patches = inner.n_patches();
    let n_regions = inner.region_names.len();
    let d = PyDict::new(py);
    if let Some(flow) = &run.flow {
        let n_vel = flow.velocity_m_s.len();
        let flat: Vec<f64> = flow.velocity_m_s.iter().flatten().copied().collect();
        d.set_item("velocity_m_s", flat.into_pyarray(py).reshape([n_vel, 3])?)?;
        d.set_item("pressure_pa", flow.pressure_pa.clone().into_pyarray(py))?;
        d.set_item(
            "mass_flux_kg_s",
            flow.mass_flux_kg_s.clone().into_pyarray(py),
        )?;
        d.set_item("patch_mass_flow_kg_s", flow.patch_mass_flow_kg_s.clone())?;
        d.set_item(
            "patch_total_pressure_pa",
            flow.patch_total_pressure_pa.clone(),
        )?;
        d.set_item(
            "patch_static_pressure_pa",
            flow.patch_static_pressure_pa.clone(),
        )?;
        d.set_item("mass_imbalance", flow.mass_imbalance)?;
    }
    d.set_item(
        "output_times_s",
        run.output_times_s.clone().into_pyarray(py),
    )?;
    d.set_item("step_times_s", run.step_times_s.clone().into_pyarray(py))?;
    let report = serde_json::to_string(&run).map_err(|e| PyValueError::new_err(e.to_string()))?;
    d.set_item("report_json", report)?;
    d.set_item("temperature_k", matrix(py, run.temperature_k, n_cells)?)?;
    d.set_item(
        "patch_heat_flow_w",
        matrix(py, run.patch_heat_flow_w, n_patches)?,
    )?;
    d.set_item(
        "region_source_w",
        matrix(py, run.region_source_w, n_regions)?,
    )?;
    d.set_item(
        "step_max_temperature_k",
        matrix(py, run.step_max_temperature_k, n_regions)?,
    )?;
    if !run.patch_mass_flow_kg_s.is_empty() {
        // per output time: the flow may follow a profile
        d.set_item(
            "output_patch_mass_flow_kg_s",
            matrix(py, run.patch_mass_flow_kg_s, n_patches)?,
        )?;
        d.set_item(
            "output_outflow_temperature_k",
            matrix(py, run.patch_outflow_temperature_k, n_patches)?,
        )?;
    }
    Ok(d)
}
