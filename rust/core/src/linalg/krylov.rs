//! Preconditioned conjugate gradients (symmetric positive definite systems) and BiCGStab
//! (non-symmetric ones). Convergence is measured as ‖b − Ax‖₂ / ‖b‖₂.

use super::{axpy, copied, dot, filled, norm, Csr, CHUNK};
use crate::{Error, Result};
use rayon::prelude::*;

/// A preconditioner: `z ≈ A⁻¹ r`.
pub trait Preconditioner: Sync {
    /// Apply the preconditioner.
    fn apply(&self, r: &[f64], z: &mut [f64]);
}

/// Diagonal (Jacobi) preconditioner.
pub struct Jacobi {
    inv_diag: Vec<f64>,
}

impl Jacobi {
    /// From a matrix's diagonal.
    pub fn new(a: &Csr) -> Self {
        Self {
            inv_diag: a
                .diagonal()
                .iter()
                .map(|&d| if d != 0.0 { 1.0 / d } else { 1.0 })
                .collect(),
        }
    }
}

impl Preconditioner for Jacobi {
    fn apply(&self, r: &[f64], z: &mut [f64]) {
        z.par_iter_mut()
            .zip(r)
            .zip(&self.inv_diag)
            .for_each(|((z, r), d)| *z = r * d);
    }
}

/// Symmetric Gauss–Seidel preconditioner, `M = (D + L) D⁻¹ (D + U)`, applied independently on
/// fixed blocks of [`CHUNK`] rows (block Jacobi between blocks, so it runs in parallel and gives
/// the same result for any thread count). On the duct benchmark's momentum equations BiCGStab
/// needs 9.6 iterations per outer iteration with it against 25.9 with [`Jacobi`]; an apply costs
/// about two matrix–vector products.
pub struct SymmetricGaussSeidel<'a> {
    a: &'a Csr,
    /// Position of each row's diagonal entry in `a.col`/`a.val` (columns are sorted, so the
    /// strictly lower part of row i is `row_ptr[i]..diag[i]`, the upper `diag[i] + 1..`).
    diag: std::borrow::Cow<'a, [usize]>,
    inv_diag: Vec<f64>,
}

impl<'a> SymmetricGaussSeidel<'a> {
    /// For `a` (square, sorted columns, every diagonal entry stored; a zero one acts as 1).
    pub fn new(a: &'a Csr) -> Self {
        let diag: Vec<usize> = (0..a.n_rows)
            .into_par_iter()
            .with_min_len(CHUNK)
            .map(|i| a.find(i, i).unwrap_or(a.row_ptr[i]))
            .collect();
        Self::with_diagonal_positions(a, diag.into())
    }

    /// [`SymmetricGaussSeidel::new`] given the position of each row's diagonal entry (a caller
    /// that rebuilds the preconditioner for new values of one pattern finds them once).
    pub fn with_diagonal_positions(a: &'a Csr, diag: std::borrow::Cow<'a, [usize]>) -> Self {
        let inv_diag = (0..a.n_rows)
            .into_par_iter()
            .with_min_len(CHUNK)
            .map(|i| {
                let e = diag[i];
                let d = if e < a.row_ptr[i + 1] && a.col[e] as usize == i {
                    a.val[e]
                } else {
                    0.0
                };
                if d != 0.0 {
                    1.0 / d
                } else {
                    1.0
                }
            })
            .collect();
        Self { a, diag, inv_diag }
    }
}

impl SymmetricGaussSeidel<'_> {
    /// The matrix it was built on.
    pub(crate) fn matrix(&self) -> &Csr {
        self.a
    }
    /// Position of row `i`'s diagonal entry.
    #[inline]
    pub(crate) fn diagonal_position(&self, i: usize) -> usize {
        self.diag[i]
    }
    /// `1 / a_ii` (1 where the diagonal is zero).
    #[inline]
    pub(crate) fn inverse_diagonal(&self, i: usize) -> f64 {
        self.inv_diag[i]
    }
}

impl Preconditioner for SymmetricGaussSeidel<'_> {
    fn apply(&self, r: &[f64], z: &mut [f64]) {
        let a = self.a;
        z.par_chunks_mut(CHUNK).enumerate().for_each(|(block, zb)| {
            let start = block * CHUNK;
            let end = start + zb.len();
            // forward: (D + L) y = r, within the block
            for i in start..end {
                let mut s = r[i];
                for e in a.row_ptr[i]..self.diag[i] {
                    let j = a.col[e] as usize;
                    if j >= start {
                        s -= a.val[e] * zb[j - start];
                    }
                }
                zb[i - start] = s * self.inv_diag[i];
            }
            // backward: (D + U) z = D y
            for i in (start..end).rev() {
                let mut s = 0.0;
                for e in self.diag[i] + 1..a.row_ptr[i + 1] {
                    let j = a.col[e] as usize;
                    if j < end {
                        s += a.val[e] * zb[j - start];
                    }
                }
                zb[i - start] -= s * self.inv_diag[i];
            }
        });
    }
}

/// Tolerances of a linear solve.
#[derive(Debug, Clone, Copy)]
pub struct SolveSettings {
    /// Stop when ‖b − Ax‖ ≤ `relative_tolerance` ‖b‖.
    pub relative_tolerance: f64,
    /// Or when ‖b − Ax‖ ≤ `absolute_tolerance`.
    pub absolute_tolerance: f64,
    /// Give up after this many iterations.
    pub max_iterations: usize,
}

impl Default for SolveSettings {
    fn default() -> Self {
        Self {
            relative_tolerance: 1e-10,
            absolute_tolerance: 0.0,
            max_iterations: 1000,
        }
    }
}

/// What a linear solve did.
#[derive(Debug, Clone, Default)]
pub struct SolveInfo {
    /// Iterations taken.
    pub iterations: usize,
    /// ‖b − Ax₀‖ / ‖b‖.
    pub initial_residual: f64,
    /// ‖b − Ax‖ / ‖b‖ at exit.
    pub final_residual: f64,
}

pub(super) fn failure(name: &str, message: String, history: Vec<f64>) -> Error {
    Error::LinearSolver {
        message: format!("{name}: {message}"),
        history,
    }
}

/// Preconditioned conjugate gradients. `stop` is polled every few iterations to allow interruption.
pub fn cg(
    a: &Csr,
    b: &[f64],
    x: &mut [f64],
    m: &dyn Preconditioner,
    settings: SolveSettings,
    stop: &dyn Fn() -> bool,
) -> Result<SolveInfo> {
    cg_measured(a, b, x, m, |_| settings, stop)
}

/// [`cg`] whose tolerances come from the initial residual `b − A x`, which `settings` receives
/// (a caller that measures it its own way saves a matrix–vector product).
pub fn cg_measured(
    a: &Csr,
    b: &[f64],
    x: &mut [f64],
    m: &dyn Preconditioner,
    settings: impl FnOnce(&[f64]) -> SolveSettings,
    stop: &dyn Fn() -> bool,
) -> Result<SolveInfo> {
    let n = b.len();
    let b_norm = norm(b);
    let scale = if b_norm > 0.0 { b_norm } else { 1.0 };
    let mut r = filled(n, 0.0);
    a.residual(b, x, &mut r);
    let settings = settings(&r);
    let mut res = norm(&r) / scale;
    let mut history = vec![res];
    let done =
        |res: f64| res <= settings.relative_tolerance || res * scale <= settings.absolute_tolerance;
    let mut info = SolveInfo {
        iterations: 0,
        initial_residual: res,
        final_residual: res,
    };
    if done(res) || b_norm == 0.0 && res == 0.0 {
        return Ok(info);
    }
    let mut z = filled(n, 0.0);
    m.apply(&r, &mut z);
    let mut p = copied(&z);
    let mut rz = dot(&r, &z);
    let mut q = filled(n, 0.0);
    for it in 1..=settings.max_iterations {
        a.mul_vec(&p, &mut q);
        let pq = dot(&p, &q);
        if !(pq > 0.0) {
            return Err(failure(
                "conjugate gradients",
                format!("the matrix is not positive definite (pᵀAp = {pq:e} at iteration {it})"),
                history,
            ));
        }
        let alpha = rz / pq;
        res = update_and_norm(alpha, &p, &q, x, &mut r) / scale;
        history.push(res);
        info.iterations = it;
        info.final_residual = res;
        if !res.is_finite() {
            return Err(failure(
                "conjugate gradients",
                format!("residual became {res} at iteration {it}"),
                history,
            ));
        }
        if done(res) {
            return Ok(info);
        }
        if it % 4 == 0 && stop() {
            return Err(Error::Interrupted);
        }
        m.apply(&r, &mut z);
        let rz_new = dot(&r, &z);
        let beta = rz_new / rz;
        rz = rz_new;
        p.par_chunks_mut(CHUNK)
            .zip(z.par_chunks(CHUNK))
            .for_each(|(p, z)| {
                for (pi, zi) in p.iter_mut().zip(z) {
                    *pi = zi + beta * *pi;
                }
            });
    }
    Err(failure(
        "conjugate gradients",
        format!(
            "did not reach the relative residual {:e} in {} iterations (reached {res:e})",
            settings.relative_tolerance, settings.max_iterations
        ),
        history,
    ))
}

/// CG's `x += α p`, `r −= α q` and `‖r‖` in one pass over the vectors: the operations and the
/// sum of `‖r‖²` (chunk by chunk, then over the chunks) of [`axpy`] twice and [`norm`].
fn update_and_norm(alpha: f64, p: &[f64], q: &[f64], x: &mut [f64], r: &mut [f64]) -> f64 {
    let minus_alpha = -alpha;
    x.par_chunks_mut(CHUNK)
        .zip(r.par_chunks_mut(CHUNK))
        .zip(p.par_chunks(CHUNK))
        .zip(q.par_chunks(CHUNK))
        .map(|(((x, r), p), q)| {
            for (a, b) in x.iter_mut().zip(p) {
                *a += alpha * b;
            }
            for (a, b) in r.iter_mut().zip(q) {
                *a += minus_alpha * b;
            }
            r.iter().zip(r.iter()).map(|(u, v)| u * v).sum::<f64>()
        })
        .sum::<f64>()
        .sqrt()
}

/// Right-preconditioned BiCGStab for non-symmetric systems.
pub fn bicgstab(
    a: &Csr,
    b: &[f64],
    x: &mut [f64],
    m: &dyn Preconditioner,
    settings: SolveSettings,
    stop: &dyn Fn() -> bool,
) -> Result<SolveInfo> {
    let n = b.len();
    let b_norm = norm(b);
    let scale = if b_norm > 0.0 { b_norm } else { 1.0 };
    let mut r = vec![0.0; n];
    a.residual(b, x, &mut r);
    let mut res = norm(&r) / scale;
    let mut history = vec![res];
    let done =
        |res: f64| res <= settings.relative_tolerance || res * scale <= settings.absolute_tolerance;
    let mut info = SolveInfo {
        iterations: 0,
        initial_residual: res,
        final_residual: res,
    };
    if done(res) || b_norm == 0.0 && res == 0.0 {
        return Ok(info);
    }
    let r_hat = r.clone();
    let (mut rho, mut alpha, mut omega) = (1.0, 1.0, 1.0);
    let mut v = vec![0.0; n];
    let mut p = vec![0.0; n];
    let mut y = vec![0.0; n];
    let mut s = vec![0.0; n];
    let mut zz = vec![0.0; n];
    let mut t = vec![0.0; n];
    for it in 1..=settings.max_iterations {
        let rho_new = dot(&r_hat, &r);
        if rho_new == 0.0 || !rho_new.is_finite() {
            return Err(failure(
                "BiCGStab",
                format!("breakdown (ρ = {rho_new:e}) at iteration {it}"),
                history,
            ));
        }
        let beta = (rho_new / rho) * (alpha / omega);
        rho = rho_new;
        p.par_iter_mut()
            .zip(&r)
            .zip(&v)
            .for_each(|((p, r), v)| *p = r + beta * (*p - omega * v));
        m.apply(&p, &mut y);
        a.mul_vec(&y, &mut v);
        alpha = rho / dot(&r_hat, &v);
        s.par_iter_mut()
            .zip(&r)
            .zip(&v)
            .for_each(|((s, r), v)| *s = r - alpha * v);
        axpy(alpha, &y, x);
        let s_norm = norm(&s) / scale;
        if done(s_norm) {
            info.iterations = it;
            info.final_residual = s_norm;
            return Ok(info);
        }
        m.apply(&s, &mut zz);
        a.mul_vec(&zz, &mut t);
        let tt = dot(&t, &t);
        omega = if tt > 0.0 { dot(&t, &s) / tt } else { 0.0 };
        axpy(omega, &zz, x);
        r.par_iter_mut()
            .zip(&s)
            .zip(&t)
            .for_each(|((r, s), t)| *r = s - omega * t);
        res = norm(&r) / scale;
        history.push(res);
        info.iterations = it;
        info.final_residual = res;
        if !res.is_finite() {
            return Err(failure(
                "BiCGStab",
                format!("residual became {res} at iteration {it}"),
                history,
            ));
        }
        if done(res) {
            return Ok(info);
        }
        if omega == 0.0 {
            return Err(failure(
                "BiCGStab",
                format!("breakdown (ω = 0) at iteration {it}"),
                history,
            ));
        }
        if it % 4 == 0 && stop() {
            return Err(Error::Interrupted);
        }
    }
    Err(failure(
        "BiCGStab",
        format!(
            "did not reach the relative residual {:e} in {} iterations (reached {res:e})",
            settings.relative_tolerance, settings.max_iterations
        ),
        history,
    ))
}
