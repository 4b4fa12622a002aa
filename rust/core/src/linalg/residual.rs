//! The normalised residual, one home for every equation: OpenFOAM's normalisation
//! `‖A x − A x̄‖ + ‖b − A x̄‖` (with `x̄` the mean of `x`), so that neither an offset of the
//! solution (a temperature in kelvin) nor the scale of the equation makes a residual look
//! small. Tolerances of every equation are on `‖b − A x‖` divided by it.
//!
//! The flow equations take it in the 1-norm (OpenFOAM's `Σ|…|`, so flow tolerances read as
//! OpenFOAM's); the energy equation in the 2-norm, the norm its GMRES and Newton–Krylov steps
//! reduce. For the same field the two differ by a factor of order one (the distribution of the
//! residual over the cells), not by a power of the cell count.

use super::{Csr, CHUNK};
use crate::mesh::Vec3;
use rayon::prelude::*;

/// OpenFOAM's normalised residual as numerator Σ|b − Ax| and denominator
/// Σ|Ax − Ax̄| + Σ|b − Ax̄|, and the 2-norm ‖b − Ax‖ (the reference of a linear solve's
/// reduction), from one pass over the matrix for `b − Ax` and one for its row sums.
pub fn residual_measures(a: &Csr, b: &[f64], x: &[f64]) -> (f64, f64, f64) {
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    let mut r = vec![0.0; x.len()];
    a.residual(b, x, &mut r);
    residual_measures_of(a, b, mean, &r)
}

/// [`residual_measures`] given the residual `r = b − A x` and the mean of `x`.
pub fn residual_measures_of(a: &Csr, b: &[f64], mean: f64, r: &[f64]) -> (f64, f64, f64) {
    let (num, den, squares) = (0..b.len())
        .into_par_iter()
        .with_min_len(CHUNK)
        .map(|i| {
            let row_sum: f64 = a.val[a.row_ptr[i]..a.row_ptr[i + 1]].iter().sum();
            let axbar = row_sum * mean;
            let ax = b[i] - r[i];
            (
                r[i].abs(),
                (ax - axbar).abs() + (b[i] - axbar).abs(),
                r[i] * r[i],
            )
        })
        .reduce(|| (0.0, 0.0, 0.0), |p, q| (p.0 + q.0, p.1 + q.1, p.2 + q.2));
    (num, den, squares.sqrt())
}

/// The mean of each component of a vector field.
pub fn mean3(x: &[Vec3]) -> Vec3 {
    let sum = x
        .par_iter()
        .with_min_len(CHUNK)
        .copied()
        .reduce(|| [0.0; 3], |p, q| [p[0] + q[0], p[1] + q[1], p[2] + q[2]]);
    sum.map(|s| s / x.len().max(1) as f64)
}

/// [`residual_measures`] of three systems with one matrix (interleaved vectors), given their
/// residual `r = b − A x` and the mean of `x`.
pub fn residual_measures3(a: &Csr, b: &[Vec3], mean: Vec3, r: &[Vec3]) -> [(f64, f64, f64); 3] {
    let sums = (0..b.len())
        .into_par_iter()
        .with_min_len(CHUNK)
        .map(|i| {
            let row_sum: f64 = a.val[a.row_ptr[i]..a.row_ptr[i + 1]].iter().sum();
            let mut out = [[0.0; 3]; 3];
            for k in 0..3 {
                let axbar = row_sum * mean[k];
                let ax = b[i][k] - r[i][k];
                out[k] = [
                    r[i][k].abs(),
                    (ax - axbar).abs() + (b[i][k] - axbar).abs(),
                    r[i][k] * r[i][k],
                ];
            }
            out
        })
        .reduce(
            || [[0.0; 3]; 3],
            |p, q| {
                let mut s = p;
                for k in 0..3 {
                    for j in 0..3 {
                        s[k][j] += q[k][j];
                    }
                }
                s
            },
        );
    sums.map(|s| (s[0], s[1], s[2].sqrt()))
}

/// The residual `r = b − A T` and its 2-norm, with OpenFOAM's residual normalisation in the
/// 2-norm: ‖A T − A T̄‖ + ‖b − A T̄‖ with T̄ the mean field, so that an absolute temperature offset
/// does not make residuals look small. One pass over the rows (no further n-vectors: a
/// million-cell system would need four, 32 MB).
pub fn residual_and_normalisation(a: &Csr, b: &[f64], t: &[f64], r: &mut [f64]) -> (f64, f64) {
    let n = t.len();
    let mean = t.iter().sum::<f64>() / n as f64;
    // Σ (A T − A T̄)², Σ (b − A T̄)², Σ b², Σ (A T)², Σ r²
    let [d1, d2, bb, aa, rr] = r
        .par_iter_mut()
        .enumerate()
        .with_min_len(CHUNK)
        .map(|(i, ri)| {
            let (mut at, mut row_sum) = (0.0, 0.0);
            for e in a.row_ptr[i]..a.row_ptr[i + 1] {
                at += a.val[e] * t[a.col[e] as usize];
                row_sum += a.val[e];
            }
            *ri = b[i] - at;
            let abar = row_sum * mean;
            [
                (at - abar).powi(2),
                (b[i] - abar).powi(2),
                b[i] * b[i],
                at * at,
                *ri * *ri,
            ]
        })
        .reduce(
            || [0.0; 5],
            |x, y| {
                [
                    x[0] + y[0],
                    x[1] + y[1],
                    x[2] + y[2],
                    x[3] + y[3],
                    x[4] + y[4],
                ]
            },
        );
    // a uniform solution makes both terms vanish: fall back to a round-off floor of the raw system
    let floor = 1e-3 * (bb.sqrt() + aa.sqrt());
    (
        rr.sqrt(),
        (d1.sqrt() + d2.sqrt()).max(floor).max(f64::MIN_POSITIVE),
    )
}

/// `‖|A| |T|‖₂`: the size of the products a residual is formed from, so `ε` times it is the
/// round-off floor of `‖b − A T‖`.
pub fn round_off_scale(a: &Csr, t: &[f64]) -> f64 {
    (0..a.n_rows)
        .into_par_iter()
        .with_min_len(crate::linalg::CHUNK)
        .map(|i| {
            let row: f64 = (a.row_ptr[i]..a.row_ptr[i + 1])
                .map(|e| (a.val[e] * t[a.col[e] as usize]).abs())
                .sum();
            row * row
        })
        .sum::<f64>()
        .sqrt()
}
