//! The case: a serde description of what to solve ([`Case`]), its validation against a mesh
//! (every problem reported at once), the solve driver and the result with its engineering numbers.

mod driver;
mod spec;
mod validate;

pub use driver::{solve, Solution, SolveReport};
pub use spec::{Boundary, Case, Contact, Material, Settings, Solid};
pub use validate::{PatchCondition, Resolved};
