//! Sparse linear algebra: compressed sparse rows ([`Csr`]), Krylov solvers ([`cg`], [`bicgstab`])
//! with Jacobi and block symmetric Gauss–Seidel preconditioners, the smoothed-aggregation
//! algebraic multigrid preconditioner ([`Amg`]), ILU(0) ([`Ilu0`]) and their combination for
//! conjugate energy systems ([`SolidCorrectedIlu`]).
//! Vector kernels split work over rayon's current thread pool; callers choose the pool.

mod amg;
mod anderson;
mod csr;
mod gmres;
mod ilu;
mod krylov;
mod probing;
pub mod residual;
mod solid_corrected;
mod triple;

pub use amg::{Amg, AmgSettings};
pub use anderson::Anderson;
pub use csr::{Accumulator, Csr, Csr32};
pub use gmres::{gmres, GmresSettings};
pub use ilu::Ilu0;
pub use krylov::{
    bicgstab, cg, cg_measured, Jacobi, Preconditioner, SolveInfo, SolveSettings,
    SymmetricGaussSeidel,
};
pub use probing::Probing;
pub use solid_corrected::{BoundSolidCorrectedIlu, SolidCorrectedIlu};
pub use triple::bicgstab3;

use rayon::prelude::*;

/// Rows per rayon task; small vectors stay on one thread.
pub(crate) const CHUNK: usize = 8192;

/// A vector of `n` copies of `value`, written in parallel: the solvers' work vectors come from
/// reused heap memory during flow solves (see `keep_work_memory`), which a plain `vec!` clears on
/// one thread.
pub(crate) fn filled<T: Copy + Send + Sync>(n: usize, value: T) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    v.par_extend((0..n).into_par_iter().with_min_len(CHUNK).map(|_| value));
    v
}

/// A copy of `x`, written in parallel (see [`filled`]).
pub(crate) fn copied<T: Copy + Send + Sync>(x: &[T]) -> Vec<T> {
    let mut v = Vec::with_capacity(x.len());
    v.par_extend(x.par_iter().with_min_len(CHUNK).copied());
    v
}

/// Parallel dot product.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.par_chunks(CHUNK)
        .zip(b.par_chunks(CHUNK))
        .map(|(x, y)| x.iter().zip(y).map(|(p, q)| p * q).sum::<f64>())
        .sum()
}

/// Euclidean norm, in parallel.
pub fn norm(v: &[f64]) -> f64 {
    dot(v, v).sqrt()
}

/// `y += alpha x`, in parallel.
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    y.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK))
        .for_each(|(y, x)| {
            for (a, b) in y.iter_mut().zip(x) {
                *a += alpha * b;
            }
        });
}
