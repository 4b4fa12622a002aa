//! The case: a serde description of what to solve ([`Case`]), its validation against a mesh
//! (every problem reported at once), the solve driver and the result with its engineering numbers.

mod driver;
pub mod flow_setup;
mod initial;
pub mod memory;
mod precheck;
mod radiation_terms;
mod spec;
pub mod transient;
mod validate;

pub use driver::{solve, solve_from, validate, Solution, SolveReport};
pub use initial::InitialState;
pub use spec::{
    Boundary, Case, Contact, ConvectionScheme, Coolant, Enclosure, Fluid, Material,
    PreconditionerKind, Radiation, Settings, Solid,
};
pub use transient::{
    solve_transient, solve_transient_from, solve_transient_keeping, ProfileTarget, TimeProfile,
    Transient, TransientFailure, TransientSolution,
};
pub use validate::{PatchCondition, Resolved};
