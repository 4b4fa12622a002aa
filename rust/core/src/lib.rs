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

/// Hand freed heap memory back to the operating system. glibc keeps freed blocks below its
/// (self-raising) mmap threshold for reuse, per thread arena, so after a large build the process
/// holds memory no later allocation on another thread can use: at 1e6 cells that was ~130 MB
/// of the peak. Called between the big phases (mesh build, matrix set-up); a no-op elsewhere.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: malloc_trim only returns free pages to the kernel; it is thread-safe.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Let the heap, not fresh `mmap`s, serve allocations up to 256 MiB and keep up to 256 MiB of
/// freed memory for reuse (glibc's `M_MMAP_THRESHOLD`, `M_TRIM_THRESHOLD`; process-wide, a
/// no-op elsewhere). A flow solve allocates the Krylov and multigrid work vectors of every
/// outer iteration anew; as fresh mappings each one costs its pages' faults and zeroing again:
/// on the duct benchmark (1.6e5 cells, 2 threads) 6.3 s against 5.9 s, at the same peak memory
/// (the explicit [`release_free_memory`] calls still hand memory back between phases).
pub fn keep_work_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn mallopt(
                param: std::os::raw::c_int,
                value: std::os::raw::c_int,
            ) -> std::os::raw::c_int;
        }
        const M_TRIM_THRESHOLD: std::os::raw::c_int = -1;
        const M_MMAP_THRESHOLD: std::os::raw::c_int = -3;
        const LIMIT: std::os::raw::c_int = 256 << 20;
        // SAFETY: mallopt only changes glibc's allocation thresholds; it is thread-safe.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, LIMIT);
            mallopt(M_TRIM_THRESHOLD, LIMIT);
        }
    }
}

/// Developer timing: with `RACKFLOW_PROFILE` set, print the wall and process CPU time since the
/// last mark to stderr, then restart the clock.
#[doc(hidden)]
pub fn ptime(label: &str, t: &mut std::time::Instant) {
    if std::env::var_os("RACKFLOW_PROFILE").is_some() {
        let cpu = std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|s| {
                let f: Vec<f64> = s
                    .rsplit(')')
                    .next()?
                    .split_whitespace()
                    .map(|x| x.parse().unwrap_or(0.0))
                    .collect();
                Some((f[11] + f[12]) / 100.0)
            })
            .unwrap_or(0.0);
        static LAST: std::sync::Mutex<f64> = std::sync::Mutex::new(0.0);
        let mut last = LAST.lock().unwrap();
        // Resident and peak-resident memory, MB: where the process peak is reached.
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let kb = |key: &str| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
                .unwrap_or(0.0)
                / 1024.0
        };
        eprintln!(
            "  [prof] {label}: wall {:.3}s cpu {:.2}s rss {:.0} MB peak {:.0} MB",
            t.elapsed().as_secs_f64(),
            cpu - *last,
            kb("VmRSS:"),
            kb("VmHWM:")
        );
        *last = cpu;
    }
    *t = std::time::Instant::now();
}
