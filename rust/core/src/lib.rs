//! # rackflow-core
//!
//! The numerical core of rackflow, with no Python dependency. Layers, from the bottom:
//!
//! * [`mesh`]: polyhedral mesh from cell/point arrays, face addressing (owner/neighbour),
//!   geometry, regions, patches, region interfaces and a quality report.
//! * [`linalg`]: compressed sparse rows, preconditioned conjugate gradients and
//!   smoothed-aggregation algebraic multigrid, multi-threaded with rayon.
//! * [`discretisation`]: finite-volume operators (cell gradients, diffusion with
//!   non-orthogonal correction and contact resistance).
//! * [`physics`]: temperature-dependent property curves and the conduction equation.
//! * [`case`]: the serde case description, its validation, the solve driver and the
//!   engineering metrics of a result.
//! * [`network`]: one-dimensional coolant networks.
//! * [`radiation`]: view factors by ray casting, grey-diffuse radiosity, radiation to a sink,
//!   and the per-face linearisation the energy equation adds as convective equivalents.
//!
//! SI units everywhere; temperatures in kelvin.

// Finite-volume loops index several per-cell and per-face arrays by the same entity number;
// iterator chains over four zipped slices read worse than `for f in 0..n_faces`.
#![allow(clippy::needless_range_loop)]
// `!(x > 0.0)` is deliberate: it is true for NaN, which is exactly what input checks must catch.
#![allow(clippy::neg_cmp_op_on_partial_ord)]
#![forbid(unsafe_code)]

pub mod case;
pub mod discretisation;
pub mod error;
pub mod linalg;
pub mod mesh;
pub mod network;
pub mod physics;
pub mod radiation;

pub use error::{Error, Result};

/// Hooks a long computation calls to report progress and to learn that it should stop.
pub trait Monitor: Sync {
    /// Called now and then; return `true` to stop the computation with [`Error::Interrupted`].
    fn should_stop(&self) -> bool {
        false
    }
    /// Outer iteration `iteration` finished with the named residuals.
    fn progress(&self, _iteration: usize, _residuals: &[(&str, f64)]) {}
}

/// A monitor that never stops and reports nothing.
pub struct Silent;
impl Monitor for Silent {}

/// Hooks the embedding application installs for what the core leaves to its edge: allocator
/// tuning (platform calls the core does not make itself: it has no `unsafe` code) and
/// developer profiling of the solve phases. Unset hooks do nothing.
#[derive(Clone, Copy)]
pub struct Hooks {
    /// Hand freed heap memory back to the operating system (between the big phases).
    pub release_free_memory: fn(),
    /// Keep freed work memory for reuse during flow solves rather than returning it.
    pub keep_work_memory: fn(),
    /// A phase finished after `seconds` of wall time (developer profiling).
    pub phase: fn(label: &str, seconds: f64),
}

static HOOKS: std::sync::OnceLock<Hooks> = std::sync::OnceLock::new();

/// Install the hooks (once per process; later calls are ignored).
pub fn install_hooks(hooks: Hooks) {
    let _ = HOOKS.set(hooks);
}

/// Hand freed heap memory back to the operating system, when the application installed a way to.
/// glibc keeps freed blocks below its mmap threshold for reuse, per thread arena, so after a
/// large build the process holds memory no later allocation on another thread can use: at 1e6
/// cells that was ~130 MB of the peak. Called between the big phases (mesh build, matrix
/// set-up).
pub fn release_free_memory() {
    if let Some(h) = HOOKS.get() {
        (h.release_free_memory)();
    }
}

/// Let the allocator keep freed work memory for reuse during a flow solve (the Krylov and
/// multigrid work vectors of every outer iteration are allocated anew; as fresh mappings each
/// costs its page faults and zeroing again: 6.3 s against 5.9 s on the duct benchmark).
pub fn keep_work_memory() {
    if let Some(h) = HOOKS.get() {
        (h.keep_work_memory)();
    }
}

/// Report `seconds` of wall time as phase `label` to the profiling hook.
#[doc(hidden)]
pub fn report_phase(label: &str, seconds: f64) {
    if let Some(h) = HOOKS.get() {
        (h.phase)(label, seconds);
    }
}

/// Report the wall time since `t` as phase `label` to the profiling hook, then restart `t`.
#[doc(hidden)]
pub fn ptime(label: &str, t: &mut std::time::Instant) {
    if let Some(h) = HOOKS.get() {
        (h.phase)(label, t.elapsed().as_secs_f64());
    }
    *t = std::time::Instant::now();
}
