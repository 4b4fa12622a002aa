//! Incomplete LU factorisation with zero fill-in: the preconditioner for non-symmetric,
//! convection-dominated systems (coolant energy), where smoothed aggregation is not robust.

use super::krylov::Preconditioner;
use super::Csr;

/// ILU(0) factors stored on the matrix's own pattern (unit lower L, upper U).
pub struct Ilu0 {
    lu: Csr,
    diag: Vec<usize>,
}

impl Ilu0 {
    /// Factor `a` (square, sorted columns, every diagonal entry present and non-zero).
    pub fn new(a: &Csr) -> Ilu0 {
        let mut lu = a.clone();
        let n = a.n_rows;
        let diag: Vec<usize> = (0..n)
            .map(|i| a.find(i, i).unwrap_or(a.row_ptr[i]))
            .collect();
        let mut position = vec![usize::MAX; n];
        for i in 0..n {
            for e in lu.row_ptr[i]..lu.row_ptr[i + 1] {
                position[lu.col[e] as usize] = e;
            }
            for e in lu.row_ptr[i]..diag[i] {
                let k = lu.col[e] as usize;
                let pivot = lu.val[diag[k]];
                let factor = if pivot != 0.0 { lu.val[e] / pivot } else { 0.0 };
                lu.val[e] = factor;
                for g in diag[k] + 1..lu.row_ptr[k + 1] {
                    let j = lu.col[g] as usize;
                    let pos = position[j];
                    if pos != usize::MAX {
                        lu.val[pos] -= factor * lu.val[g];
                    }
                }
            }
            for e in lu.row_ptr[i]..lu.row_ptr[i + 1] {
                position[lu.col[e] as usize] = usize::MAX;
            }
            if lu.val[diag[i]] == 0.0 {
                lu.val[diag[i]] = 1e-300;
            }
        }
        Ilu0 { lu, diag }
    }
}

impl Preconditioner for Ilu0 {
    fn apply(&self, r: &[f64], z: &mut [f64]) {
        let lu = &self.lu;
        let n = lu.n_rows;
        for i in 0..n {
            let mut s = r[i];
            for e in lu.row_ptr[i]..self.diag[i] {
                s -= lu.val[e] * z[lu.col[e] as usize];
            }
            z[i] = s;
        }
        for i in (0..n).rev() {
            let mut s = z[i];
            for e in self.diag[i] + 1..lu.row_ptr[i + 1] {
                s -= lu.val[e] * z[lu.col[e] as usize];
            }
            z[i] = s / lu.val[self.diag[i]];
        }
    }
}
