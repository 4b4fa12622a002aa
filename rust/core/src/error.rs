//! Typed errors of the core. Every failure the core can meet is one of these; none panics.
//! The binding maps each variant to a Python exception class of the same meaning.

use thiserror::Error;

/// Why an iteration stopped without converging. Callers branch on this, never on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Status {
    /// Residuals grew without bound or became NaN.
    Diverged,
    /// Residuals stopped falling (oscillation or a plateau).
    Stalled,
    /// The iteration limit was reached while residuals were still falling.
    MaxIterations,
    /// The iterate converged to a non-physical state (below absolute zero, energy not conserved).
    NonPhysical,
}

/// The equation or loop an iteration failure belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Equation {
    /// Momentum and pressure (SIMPLEC).
    Flow,
    /// The energy equation (conduction, conjugate).
    Energy,
    /// The passes between flow and temperature-dependent properties.
    Coupling,
    /// A 1D coolant network's hydraulics or temperatures.
    Network,
}

/// The last iterate of a failed solve, on the parent mesh, so a caller can look at where it failed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PartialFields {
    /// Cell temperatures, K (empty when the energy equation was not reached).
    pub temperature_k: Vec<f64>,
    /// Cell velocities, m/s (empty without coolant flow).
    pub velocity_m_s: Vec<[f64; 3]>,
    /// Cell static pressure, Pa (empty without coolant flow).
    pub pressure_pa: Vec<f64>,
    /// Absolute residual of the failed equation per cell (empty when not known).
    pub residual: Vec<f64>,
}

/// An outer iteration that did not converge.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvergenceFailure {
    /// What went wrong.
    pub status: Status,
    /// Where.
    pub equation: Equation,
    /// Human-readable diagnostic naming the equation and, where known, the worst cell.
    pub message: String,
    /// Residual after each outer iteration.
    pub history: Vec<f64>,
    /// The last iterate, when the solver had one.
    pub partial: Option<Box<PartialFields>>,
}

/// Everything that can go wrong in the core.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
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
    #[error("{}", .0.message)]
    Convergence(Box<ConvergenceFailure>),
    /// Not enough memory for a phase of the work.
    #[error("not enough memory for {phase}: it needs about {needed_mb:.0} MB and {available_mb:.0} MB are available")]
    Resource {
        /// What was about to be allocated (e.g. "the mesh build", "the flow solve").
        phase: String,
        /// Estimated need, MB.
        needed_mb: f64,
        /// Memory available to this process, MB.
        available_mb: f64,
    },
    /// The caller asked the solve to stop (Ctrl-C in Python).
    #[error("solve interrupted")]
    Interrupted,
}

impl Error {
    /// A convergence failure without a last iterate.
    pub fn convergence(
        status: Status,
        equation: Equation,
        message: String,
        history: Vec<f64>,
    ) -> Error {
        Error::Convergence(Box::new(ConvergenceFailure {
            status,
            equation,
            message,
            history,
            partial: None,
        }))
    }

    /// A convergence failure with (more of) its last iterate filled in by `fill`; other errors
    /// pass unchanged.
    pub fn with_partial(self, fill: impl FnOnce(&mut PartialFields)) -> Error {
        match self {
            Error::Convergence(mut f) => {
                fill(f.partial.get_or_insert_with(Default::default));
                Error::Convergence(f)
            }
            other => other,
        }
    }

    /// The convergence failure's status, if this is one.
    pub fn status(&self) -> Option<Status> {
        match self {
            Error::Convergence(f) => Some(f.status),
            _ => None,
        }
    }
}

/// Result alias of the core.
pub type Result<T> = std::result::Result<T, Error>;

/// A list of names as Python prints it (`['a', 'b']`), for messages that reach Python users.
pub fn name_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("'{}'", s.as_ref())).collect();
    format!("[{}]", quoted.join(", "))
}

/// `Err(Error::Resource)` when `needed` bytes exceed `available` (`None`: unknown, accepted).
pub fn check_memory(phase: &str, needed: f64, available: Option<f64>) -> crate::Result<()> {
    match available {
        Some(available) if needed > available => Err(crate::Error::Resource {
            phase: phase.to_owned(),
            needed_mb: needed / 1e6,
            available_mb: available / 1e6,
        }),
        _ => Ok(()),
    }
}

/// The problems of a message made by [`problem_list`] (one, or each of its listed lines).
pub fn split_problems(message: &str) -> Vec<String> {
    match message.split_once(" problems in the case:\n  - ") {
        Some((count, rest)) if count.chars().all(|c| c.is_ascii_digit()) => {
            rest.split("\n  - ").map(str::to_owned).collect()
        }
        _ => vec![message.to_owned()],
    }
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
