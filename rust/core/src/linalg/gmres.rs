//! Restarted GMRES (Saad & Schultz 1986), right-preconditioned and matrix-free: the operator is
//! a closure, so it can be a Jacobian–vector product of a nonlinear residual (Newton–Krylov) or
//! an operator that no stored matrix holds (deferred corrections taken implicitly). Unlike a
//! fixed-point iteration it needs no contraction, only a spectrum the preconditioner clusters.

use super::krylov::{failure, Preconditioner, SolveInfo};
use super::{axpy, dot, norm};
use crate::{Error, Result};

/// GMRES limits.
#[derive(Debug, Clone, Copy)]
pub struct GmresSettings {
    /// Krylov vectors kept before a restart.
    pub restart: usize,
    /// Most iterations in all.
    pub max_iterations: usize,
    /// Stop at ‖b − A x‖ ≤ this (absolute).
    pub tolerance: f64,
}

/// Solve `A x = b` for the operator `apply(v, out)` (`out = A v`) with right preconditioner
/// `m`, within `settings`. `x` holds the start and receives the solution. Non-convergence is not
/// an error here (the caller judges the residual); a breakdown to NaN is.
pub fn gmres(
    apply: &mut dyn FnMut(&[f64], &mut [f64]),
    b: &[f64],
    x: &mut [f64],
    m: &dyn Preconditioner,
    settings: GmresSettings,
    stop: &dyn Fn() -> bool,
) -> Result<SolveInfo> {
    let n = b.len();
    let GmresSettings {
        restart,
        max_iterations,
        tolerance,
    } = settings;
    let restart = restart.max(1);
    let mut r = vec![0.0; n];
    let mut w = vec![0.0; n];
    let mut z = vec![0.0; n];
    let residual =
        |apply: &mut dyn FnMut(&[f64], &mut [f64]), x: &[f64], r: &mut [f64], w: &mut [f64]| {
            apply(x, w);
            for i in 0..n {
                r[i] = b[i] - w[i];
            }
            norm(r)
        };
    let mut beta = residual(apply, x, &mut r, &mut w);
    let initial = beta;
    let b_norm = norm(b);
    let scale = if b_norm > 0.0 { b_norm } else { 1.0 };
    let mut iterations = 0;
    while beta > tolerance && iterations < max_iterations {
        if !beta.is_finite() {
            return Err(failure(
                "GMRES",
                format!("the residual is not finite after {iterations} iterations"),
                vec![initial / scale],
            ));
        }
        // Arnoldi on A M⁻¹ with modified Gram–Schmidt; Givens rotations keep the least-squares
        // residual of the small Hessenberg problem
        let mut basis: Vec<Vec<f64>> = vec![r.iter().map(|v| v / beta).collect()];
        let mut h = vec![vec![0.0; restart]; restart + 1];
        let (mut cs, mut sn) = (vec![0.0; restart], vec![0.0; restart]);
        let mut g = vec![0.0; restart + 1];
        g[0] = beta;
        let mut k = 0;
        while k < restart && iterations < max_iterations {
            if stop() {
                return Err(Error::Interrupted);
            }
            m.apply(&basis[k], &mut z);
            apply(&z, &mut w);
            for (j, v) in basis.iter().enumerate() {
                h[j][k] = dot(&w, v);
                axpy(-h[j][k], v, &mut w);
            }
            h[k + 1][k] = norm(&w);
            for j in 0..k {
                let t = cs[j] * h[j][k] + sn[j] * h[j + 1][k];
                h[j + 1][k] = -sn[j] * h[j][k] + cs[j] * h[j + 1][k];
                h[j][k] = t;
            }
            let rho = h[k][k].hypot(h[k + 1][k]);
            if rho == 0.0 {
                // the new direction adds nothing: solve with the columns so far
                iterations += 1;
                break;
            }
            cs[k] = h[k][k] / rho;
            sn[k] = h[k + 1][k] / rho;
            h[k][k] = rho;
            h[k + 1][k] = 0.0;
            g[k + 1] = -sn[k] * g[k];
            g[k] *= cs[k];
            let next_norm = norm(&w);
            k += 1;
            iterations += 1;
            if g[k].abs() <= tolerance || next_norm == 0.0 {
                break;
            }
            basis.push(w.iter().map(|v| v / next_norm).collect());
        }
        // y = H⁻¹ g (upper triangular), x += M⁻¹ (V y)
        let mut y = vec![0.0; k];
        for i in (0..k).rev() {
            let s: f64 = (i + 1..k).map(|j| h[i][j] * y[j]).sum();
            y[i] = (g[i] - s) / h[i][i];
        }
        let mut update = vec![0.0; n];
        for (v, yi) in basis.iter().zip(&y) {
            axpy(*yi, v, &mut update);
        }
        m.apply(&update, &mut z);
        axpy(1.0, &z, x);
        beta = residual(apply, x, &mut r, &mut w);
    }
    Ok(SolveInfo {
        iterations,
        initial_residual: initial / scale,
        final_residual: beta / scale,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::{Csr, Jacobi};

    /// A non-symmetric tridiagonal system (advection–diffusion) that restarted GMRES solves to
    /// its tolerance, through a closure operator.
    #[test]
    fn solves_a_nonsymmetric_system() {
        let n = 200;
        let rows: Vec<Vec<(u32, f64)>> = (0..n)
            .map(|i| {
                let mut r = vec![(i as u32, 3.0)];
                if i > 0 {
                    r.insert(0, ((i - 1) as u32, -2.0));
                }
                if i + 1 < n {
                    r.push(((i + 1) as u32, -0.5));
                }
                r
            })
            .collect();
        let a = Csr::from_rows(
            n,
            n,
            || (),
            |_, i, cols, vals| {
                for &(j, v) in &rows[i] {
                    cols.push(j);
                    vals.push(v);
                }
            },
        );
        let exact: Vec<f64> = (0..n).map(|i| (i as f64 * 0.1).sin()).collect();
        let mut b = vec![0.0; n];
        a.mul_vec(&exact, &mut b);
        let mut x = vec![0.0; n];
        let info = gmres(
            &mut |v, out| a.mul_vec(v, out),
            &b,
            &mut x,
            &Jacobi::new(&a),
            GmresSettings {
                restart: 8,
                max_iterations: 500,
                tolerance: 1e-10 * norm(&b),
            },
            &|| false,
        )
        .unwrap();
        assert!(info.final_residual < 1e-9, "{info:?}");
        // more iterations than one cycle holds: the restarts carried the solve
        assert!(info.iterations > 8, "{info:?}");
        for (xi, ei) in x.iter().zip(&exact) {
            assert!((xi - ei).abs() < 1e-8);
        }
    }
}
