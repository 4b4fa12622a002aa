//! The exception hierarchy and the mapping of core errors onto it.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
use pyo3::prelude::*;
use rackflow_core::Error;

create_exception!(
    rackflow,
    RackflowError,
    PyException,
    "Base class of every error rackflow raises."
);
create_exception!(
    rackflow,
    MeshError,
    RackflowError,
    "The mesh is malformed or cannot be read."
);
create_exception!(
    rackflow,
    CaseError,
    RackflowError,
    "The case is inconsistent: unknown names, missing data, bad values."
);
create_exception!(
    rackflow,
    MaterialError,
    CaseError,
    "A material or coolant property is unusable."
);
create_exception!(
    rackflow,
    ConvergenceError,
    RackflowError,
    "A solve did not converge or diverged; `.history` holds the residuals."
);
create_exception!(
    rackflow,
    LinearSolverError,
    ConvergenceError,
    "A linear solve failed; `.history` holds its residuals."
);
create_exception!(
    rackflow,
    NetworkError,
    CaseError,
    "A coolant network is malformed or has no operating point."
);

/// `ResourceError(RackflowError, MemoryError)`: created at registration, since
/// `create_exception!` takes one base.
static RESOURCE_ERROR: pyo3::sync::PyOnceLock<Py<pyo3::types::PyType>> =
    pyo3::sync::PyOnceLock::new();

struct ResourceError;

impl ResourceError {
    fn new_err(message: String) -> PyErr {
        Python::attach(|py| match RESOURCE_ERROR.get(py) {
            Some(t) => PyErr::from_type(t.bind(py).clone(), message),
            None => pyo3::exceptions::PyMemoryError::new_err(message),
        })
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let bases = pyo3::types::PyTuple::new(
        py,
        [
            py.get_type::<RackflowError>().into_any(),
            py.get_type::<pyo3::exceptions::PyMemoryError>().into_any(),
        ],
    )?;
    let namespace = pyo3::types::PyDict::new(py);
    namespace.set_item(
        "__doc__",
        "Not enough memory for a phase of the work; `.phase`, `.needed_mb`, `.available_mb`.",
    )?;
    namespace.set_item("__module__", "rackflow")?;
    let resource = py
        .get_type::<pyo3::types::PyType>()
        .call1(("ResourceError", bases, namespace))?
        .cast_into::<pyo3::types::PyType>()?;
    let _ = RESOURCE_ERROR.set(py, resource.clone().unbind());
    m.add("ResourceError", resource)?;
    m.add("RackflowError", py.get_type::<RackflowError>())?;
    m.add("MeshError", py.get_type::<MeshError>())?;
    m.add("CaseError", py.get_type::<CaseError>())?;
    m.add("MaterialError", py.get_type::<MaterialError>())?;
    m.add("ConvergenceError", py.get_type::<ConvergenceError>())?;
    m.add("LinearSolverError", py.get_type::<LinearSolverError>())?;
    m.add("NetworkError", py.get_type::<NetworkError>())?;
    Ok(())
}

/// The snake_case name serde gives a unit variant (`Status::MaxIterations` → `"max_iterations"`).
fn serde_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn e_resource_message(phase: &str, needed_mb: f64, available_mb: f64) -> String {
    Error::Resource {
        phase: phase.to_owned(),
        needed_mb,
        available_mb,
    }
    .to_string()
}

fn with_history(py: Python<'_>, err: PyErr, history: Vec<f64>) -> PyErr {
    // the history is diagnostic: failing to attach it must not hide the error itself
    let _ = err.value(py).setattr("history", history);
    err
}

fn with_problems(py: Python<'_>, err: PyErr, message: &str) -> PyErr {
    // each problem of a case error on its own, for callers that list them with their own
    let _ = err
        .value(py)
        .setattr("problems", rackflow_core::error::split_problems(message));
    err
}

/// Map a core error onto the Python exception of the same meaning.
pub fn to_py_err(py: Python<'_>, e: Error) -> PyErr {
    match e {
        Error::Mesh(m) => MeshError::new_err(m),
        Error::Case(m) => with_problems(py, CaseError::new_err(m.clone()), &m),
        Error::Material(m) => with_problems(py, MaterialError::new_err(m.clone()), &m),
        Error::Network(m) => NetworkError::new_err(m),
        Error::LinearSolver { message, history } => {
            with_history(py, LinearSolverError::new_err(message), history)
        }
        Error::Convergence(failure) => {
            let f = *failure;
            let err = with_history(py, ConvergenceError::new_err(f.message), f.history);
            // typed fields for callers to branch on (never the message text)
            let value = err.value(py);
            let _ = value.setattr("status", serde_name(&f.status));
            let _ = value.setattr("equation", serde_name(&f.equation));
            if let Some(partial) = f.partial {
                let _ = value.setattr("partial_fields", crate::solve::partial_dict(py, *partial));
            }
            err
        }
        Error::Resource {
            phase,
            needed_mb,
            available_mb,
        } => {
            let message = e_resource_message(&phase, needed_mb, available_mb);
            let err = ResourceError::new_err(message);
            let value = err.value(py);
            let _ = value.setattr("phase", phase);
            let _ = value.setattr("needed_mb", needed_mb);
            let _ = value.setattr("available_mb", available_mb);
            err
        }
        Error::Interrupted => PyKeyboardInterrupt::new_err("rackflow solve interrupted"),
        // a variant added to the core later still reaches Python as a rackflow error
        other => RackflowError::new_err(other.to_string()),
    }
}
