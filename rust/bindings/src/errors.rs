//! BRANCH-LOCAL STAND-IN for main's `errors.rs` (exception hierarchy + `to_py_err`).
//! Only here so the `network` branch can build and test its binding; at merge, keep main's.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(_core, RackflowError, PyException);
create_exception!(_core, MeshError, RackflowError);
create_exception!(_core, CaseError, RackflowError);
create_exception!(_core, MaterialError, RackflowError);
create_exception!(_core, ConvergenceError, RackflowError);
create_exception!(_core, LinearSolverError, RackflowError);
create_exception!(_core, NetworkError, CaseError);

/// Maps a core error to the Python exception of the same meaning.
pub fn to_py_err(e: rackflow_core::Error) -> PyErr {
    use rackflow_core::Error as E;
    let msg = e.to_string();
    match e {
        E::Mesh(_) => MeshError::new_err(msg),
        E::Case(_) => CaseError::new_err(msg),
        E::Material(_) => MaterialError::new_err(msg),
        E::Network(_) => NetworkError::new_err(msg),
        E::LinearSolver { .. } => LinearSolverError::new_err(msg),
        E::Convergence { .. } => ConvergenceError::new_err(msg),
        E::Interrupted => PyErr::new::<pyo3::exceptions::PyKeyboardInterrupt, _>(msg),
    }
}

/// Adds the exception classes to the module.
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
