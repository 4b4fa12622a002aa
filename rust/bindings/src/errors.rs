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

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("RackflowError", py.get_type::<RackflowError>())?;
    m.add("MeshError", py.get_type::<MeshError>())?;
    m.add("CaseError", py.get_type::<CaseError>())?;
    m.add("MaterialError", py.get_type::<MaterialError>())?;
    m.add("ConvergenceError", py.get_type::<ConvergenceError>())?;
    m.add("LinearSolverError", py.get_type::<LinearSolverError>())?;
    m.add("NetworkError", py.get_type::<NetworkError>())?;
    Ok(())
}

fn with_history(py: Python<'_>, err: PyErr, history: Vec<f64>) -> PyErr {
    // the history is diagnostic: failing to attach it must not hide the error itself
    let _ = err.value(py).setattr("history", history);
    err
}

/// Map a core error onto the Python exception of the same meaning.
pub fn to_py_err(py: Python<'_>, e: Error) -> PyErr {
    match e {
        Error::Mesh(m) => MeshError::new_err(m),
        Error::Case(m) => CaseError::new_err(m),
        Error::Material(m) => MaterialError::new_err(m),
        Error::Network(m) => NetworkError::new_err(m),
        Error::LinearSolver { message, history } => {
            with_history(py, LinearSolverError::new_err(message), history)
        }
        Error::Convergence { message, history } => {
            with_history(py, ConvergenceError::new_err(message), history)
        }
        Error::Interrupted => PyKeyboardInterrupt::new_err("rackflow solve interrupted"),
    }
}
