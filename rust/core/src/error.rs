//! Typed errors of the core. Every failure the core can meet is one of these; none panics.
//! The binding maps each variant to a Python exception class of the same meaning.

use thiserror::Error;

/// Everything that can go wrong in the core.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// The mesh is malformed: bad connectivity, degenerate or inverted cells, non-conforming faces.
    #[error("{0}")]
    Mesh(String),
    /// The case description is inconsistent or incomplete (unknown names, missing data, bad values).
    #[error("{0}")]
    Case(String),
    /// A material or coolant property is unusable (NaN, non-positive, outside its range).
    #[error("{0}")]
    Material(String),
    /// A coolant network is malformed or has no operating point.
    #[error("{0}")]
    Network(String),
    /// A linear solve failed to reach its tolerance.
    #[error("{message}")]
    LinearSolver {
        /// Human-readable diagnostic.
        message: String,
        /// Relative residual after each iteration.
        history: Vec<f64>,
    },
    /// The outer (non-linear) iteration did not converge or diverged.
    #[error("{message}")]
    Convergence {
        /// Human-readable diagnostic naming the equation and, where known, the worst cell.
        message: String,
        /// Residual after each outer iteration.
        history: Vec<f64>,
    },
    /// The caller asked the solve to stop (Ctrl-C in Python).
    #[error("solve interrupted")]
    Interrupted,
}

/// Result alias of the core.
pub type Result<T> = std::result::Result<T, Error>;

/// A list of names as Python prints it (`['a', 'b']`), for messages that reach Python users.
pub fn name_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("'{}'", s.as_ref())).collect();
    format!("[{}]", quoted.join(", "))
}

/// One message listing every problem found (a single problem stands alone).
pub fn problem_list(mut problems: Vec<String>) -> String {
    if problems.len() == 1 {
        problems.remove(0)
    } else {
        format!(
            "{} problems in the case:\n  - {}",
            problems.len(),
            problems.join("\n  - ")
        )
    }
}
