//! Three systems with one matrix, solved side by side: the three velocity components of a
//! momentum equation share their matrix (no symmetry planes), so every matrix–vector product and
//! Gauss–Seidel pass reads the matrix once for all three. SpMV is memory-bound, and the matrix
//! is most of the traffic (12 bytes per entry against 8 per vector element), so a pass over
//! three interleaved vectors costs about 1.3 single passes instead of 3.

use super::krylov::SymmetricGaussSeidel;
use super::{copied, filled, Csr, SolveInfo, SolveSettings, CHUNK};
use crate::mesh::Vec3;
use crate::{Error, Result};
use rayon::prelude::*;

/// `y = A x` for three interleaved vectors.
fn mul3(a: &Csr, x: &[Vec3], y: &mut [Vec3]) {
    y.par_chunks_mut(CHUNK).enumerate().for_each(|(chunk, ys)| {
        let start = chunk * CHUNK;
        for (k, yi) in ys.iter_mut().enumerate() {
            let i = start + k;
            let mut s = [0.0; 3];
            for e in a.row_ptr[i]..a.row_ptr[i + 1] {
                let (v, xj) = (a.val[e], x[a.col[e] as usize]);
                s[0] += v * xj[0];
                s[1] += v * xj[1];
                s[2] += v * xj[2];
            }
            *yi = s;
        }
    });
}

/// `r = b − A x` for three interleaved vectors.
fn residual3(a: &Csr, b: &[Vec3], x: &[Vec3], r: &mut [Vec3]) {
    mul3(a, x, r);
    r.par_iter_mut().zip(b).for_each(|(r, b)| {
        for k in 0..3 {
            r[k] = b[k] - r[k];
        }
    });
}

/// Per-component dot products.
fn dot3(a: &[Vec3], b: &[Vec3]) -> Vec3 {
    a.par_chunks(CHUNK)
        .zip(b.par_chunks(CHUNK))
        .map(|(x, y)| {
            let mut s = [0.0; 3];
            for (p, q) in x.iter().zip(y) {
                for k in 0..3 {
                    s[k] += p[k] * q[k];
                }
            }
            s
        })
        .reduce(|| [0.0; 3], |p, q| [p[0] + q[0], p[1] + q[1], p[2] + q[2]])
}

fn norm3(a: &[Vec3]) -> Vec3 {
    let d = dot3(a, a);
    [d[0].sqrt(), d[1].sqrt(), d[2].sqrt()]
}

impl SymmetricGaussSeidel<'_> {
    /// [`Preconditioner::apply`](super::Preconditioner::apply) to three interleaved vectors.
    fn apply3(&self, r: &[Vec3], z: &mut [Vec3]) {
        let a = self.matrix();
        z.par_chunks_mut(CHUNK).enumerate().for_each(|(block, zb)| {
            let start = block * CHUNK;
            let end = start + zb.len();
            for i in start..end {
                let mut s = r[i];
                for e in a.row_ptr[i]..self.diagonal_position(i) {
                    let j = a.col[e] as usize;
                    if j >= start {
                        let (v, zj) = (a.val[e], zb[j - start]);
                        for k in 0..3 {
                            s[k] -= v * zj[k];
                        }
                    }
                }
                let w = self.inverse_diagonal(i);
                zb[i - start] = [s[0] * w, s[1] * w, s[2] * w];
            }
            for i in (start..end).rev() {
                let mut s = [0.0; 3];
                for e in self.diagonal_position(i) + 1..a.row_ptr[i + 1] {
                    let j = a.col[e] as usize;
                    if j < end {
                        let (v, zj) = (a.val[e], zb[j - start]);
                        for k in 0..3 {
                            s[k] += v * zj[k];
                        }
                    }
                }
                let w = self.inverse_diagonal(i);
                for k in 0..3 {
                    zb[i - start][k] -= s[k] * w;
                }
            }
        });
    }
}

/// BiCGStab, right-preconditioned by `m` (built on `a`), on three systems `A x_k = b_k` at once;
/// component `k` stops at its own settings and keeps its own recurrence (the iterates are those
/// three separate solves would give). `settings` receives the initial residual `b − A x` and
/// returns each component's tolerances (a caller that measures the initial residual its own
/// way needs no second copy of it). A component whose solve breaks down or does not converge
/// makes the whole call an error, with the `x` reached so far.
pub fn bicgstab3(
    a: &Csr,
    b: &[Vec3],
    x: &mut [Vec3],
    m: &SymmetricGaussSeidel,
    settings: impl FnOnce(&[Vec3]) -> [SolveSettings; 3],
    stop: &dyn Fn() -> bool,
) -> Result<[SolveInfo; 3]> {
    let n = b.len();
    let b_norm = norm3(b);
    let scale = b_norm.map(|v| if v > 0.0 { v } else { 1.0 });
    let mut r = filled(n, [0.0; 3]);
    residual3(a, b, x, &mut r);
    let settings = settings(&r);
    let res0 = norm3(&r);
    let done = |k: usize, res: f64| {
        res / scale[k] <= settings[k].relative_tolerance || res <= settings[k].absolute_tolerance
    };
    let mut info: [SolveInfo; 3] = Default::default();
    let mut active = [true; 3];
    for k in 0..3 {
        info[k].initial_residual = res0[k] / scale[k];
        info[k].final_residual = res0[k] / scale[k];
        active[k] = !(done(k, res0[k]) || b_norm[k] == 0.0 && res0[k] == 0.0);
    }
    let max_iterations = settings.iter().map(|s| s.max_iterations).max().unwrap_or(0);
    let r_hat = copied(&r);
    let (mut rho, mut alpha, mut omega) = ([1.0; 3], [1.0; 3], [1.0; 3]);
    let mut v = filled(n, [0.0; 3]);
    let mut p = filled(n, [0.0; 3]);
    let mut y = filled(n, [0.0; 3]);
    let mut t = filled(n, [0.0; 3]);
    let breakdown = |what: String| Error::LinearSolver {
        message: format!("BiCGStab (three components): {what}"),
        history: Vec::new(),
    };
    for it in 1..=max_iterations {
        if !active.iter().any(|&a| a) {
            break;
        }
        let rho_new = dot3(&r_hat, &r);
        let mut beta = [0.0; 3];
        for k in (0..3).filter(|&k| active[k]) {
            if rho_new[k] == 0.0 || !rho_new[k].is_finite() {
                return Err(breakdown(format!(
                    "ρ = {:e} in component {k} at iteration {it}",
                    rho_new[k]
                )));
            }
            beta[k] = (rho_new[k] / rho[k]) * (alpha[k] / omega[k]);
            rho[k] = rho_new[k];
        }
        p.par_iter_mut().zip(&r).zip(&v).for_each(|((p, r), v)| {
            for k in 0..3 {
                p[k] = r[k] + beta[k] * (p[k] - omega[k] * v[k]);
            }
        });
        m.apply3(&p, &mut y);
        mul3(a, &y, &mut v);
        let rv = dot3(&r_hat, &v);
        let mut step = [0.0; 3];
        for k in (0..3).filter(|&k| active[k]) {
            alpha[k] = rho[k] / rv[k];
            step[k] = alpha[k];
        }
        // s = r − α v, in place of r (r is rebuilt from s below)
        r.par_iter_mut().zip(&v).for_each(|(r, v)| {
            for k in 0..3 {
                r[k] -= step[k] * v[k];
            }
        });
        x.par_iter_mut().zip(&y).for_each(|(x, y)| {
            for k in 0..3 {
                x[k] += step[k] * y[k];
            }
        });
        let was_active = active;
        let s_norm = norm3(&r);
        for k in (0..3).filter(|&k| was_active[k]) {
            if done(k, s_norm[k]) {
                active[k] = false;
                info[k].iterations = it;
                info[k].final_residual = s_norm[k] / scale[k];
            }
        }
        if !active.iter().any(|&a| a) {
            break;
        }
        // z = M⁻¹ s, in place of y (x has taken its step along y)
        let zz = &mut y;
        m.apply3(&r, zz);
        mul3(a, zz, &mut t);
        let tt = dot3(&t, &t);
        let ts = dot3(&t, &r);
        let mut step = [0.0; 3];
        for k in (0..3).filter(|&k| active[k]) {
            omega[k] = if tt[k] > 0.0 { ts[k] / tt[k] } else { 0.0 };
            step[k] = omega[k];
        }
        x.par_iter_mut().zip(&*zz).for_each(|(x, z)| {
            for k in 0..3 {
                x[k] += step[k] * z[k];
            }
        });
        r.par_iter_mut().zip(&t).for_each(|(r, t)| {
            for k in 0..3 {
                r[k] -= step[k] * t[k];
            }
        });
        let res = norm3(&r);
        let was_active = active;
        for k in (0..3).filter(|&k| was_active[k]) {
            info[k].iterations = it;
            info[k].final_residual = res[k] / scale[k];
            if !res[k].is_finite() {
                return Err(breakdown(format!(
                    "residual became {} in component {k} at iteration {it}",
                    res[k]
                )));
            }
            if done(k, res[k]) {
                active[k] = false;
            } else if omega[k] == 0.0 {
                return Err(breakdown(format!(
                    "ω = 0 in component {k} at iteration {it}"
                )));
            }
        }
        if it % 4 == 0 && stop() {
            return Err(Error::Interrupted);
        }
    }
    if let Some(k) = (0..3).find(|&k| active[k]) {
        return Err(breakdown(format!(
            "component {k} did not converge in {max_iterations} iterations (reached {:e})",
            info[k].final_residual
        )));
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::bicgstab;

    /// A convection–diffusion matrix on a 1D line, non-symmetric and diagonally dominant.
    fn convection_diffusion(n: usize) -> Csr {
        Csr::from_rows(
            n,
            n,
            || (),
            |_, i, cols: &mut Vec<u32>, vals: &mut Vec<f64>| {
                if i > 0 {
                    cols.push(i as u32 - 1);
                    vals.push(-1.6);
                }
                cols.push(i as u32);
                vals.push(2.5);
                if i + 1 < n {
                    cols.push(i as u32 + 1);
                    vals.push(-0.4);
                }
            },
        )
    }

    #[test]
    fn three_at_once_match_three_separate_solves() {
        let n = 20_000; // more than two blocks of the Gauss–Seidel preconditioner
        let a = convection_diffusion(n);
        let pre = SymmetricGaussSeidel::new(&a);
        let b: Vec<Vec3> = (0..n)
            .map(|i| {
                let x = i as f64 / n as f64;
                [1.0, (6.0 * x).sin(), if i % 7 == 0 { 3.0 } else { -0.5 }]
            })
            .collect();
        let settings = |tol: f64| SolveSettings {
            relative_tolerance: tol,
            absolute_tolerance: 0.0,
            max_iterations: 200,
        };
        let tolerances = [1e-10, 1e-6, 1e-8];
        let mut x3 = vec![[0.0; 3]; n];
        let info = bicgstab3(&a, &b, &mut x3, &pre, |_| tolerances.map(settings), &|| {
            false
        })
        .unwrap();
        for k in 0..3 {
            let bk: Vec<f64> = b.iter().map(|v| v[k]).collect();
            let mut xk = vec![0.0; n];
            let single =
                bicgstab(&a, &bk, &mut xk, &pre, settings(tolerances[k]), &|| false).unwrap();
            assert_eq!(single.iterations, info[k].iterations, "component {k}");
            let diff = xk
                .iter()
                .zip(&x3)
                .map(|(s, t)| (s - t[k]).abs())
                .fold(0.0f64, f64::max);
            assert!(diff < 1e-12, "component {k}: max difference {diff:e}");
            assert!(info[k].final_residual <= tolerances[k]);
        }
    }
}
