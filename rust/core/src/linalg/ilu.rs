//! Incomplete LU factorisation with zero fill-in: the preconditioner for non-symmetric,
//! convection-dominated systems (coolant energy), where smoothed aggregation is not robust.

use super::krylov::Preconditioner;
use super::Csr;

/// ILU(0) factors stored on the matrix's own pattern (unit lower L, upper U).
pub struct Ilu0 {
    pattern: Csr,
    factors: IluFactors,
}

/// The values of ILU(0) factors without the pattern they live on (that of the factored matrix),
/// for preconditioners that keep the matrix anyway.
pub(crate) struct IluFactors {
    /// L below the diagonal, U on and above it, in the matrix's entry order.
    lu: Vec<f64>,
    /// Entry index of each row's diagonal.
    diag: Vec<usize>,
}

impl IluFactors {
    /// Factor `a` (square, sorted columns, every diagonal entry present and non-zero).
    pub(crate) fn new(a: &Csr) -> IluFactors {
        let mut lu = a.val.clone();
        let n = a.n_rows;
        let diag: Vec<usize> = (0..n)
            .map(|i| a.find(i, i).unwrap_or(a.row_ptr[i]))
            .collect();
        let mut position = vec![usize::MAX; n];
        for i in 0..n {
            for e in a.row_ptr[i]..a.row_ptr[i + 1] {
                position[a.col[e] as usize] = e;
            }
            for e in a.row_ptr[i]..diag[i] {
                let k = a.col[e] as usize;
                let pivot = lu[diag[k]];
                let factor = if pivot != 0.0 { lu[e] / pivot } else { 0.0 };
                lu[e] = factor;
                for g in diag[k] + 1..a.row_ptr[k + 1] {
                    let j = a.col[g] as usize;
                    let pos = position[j];
                    if pos != usize::MAX {
                        lu[pos] -= factor * lu[g];
                    }
                }
            }
            for e in a.row_ptr[i]..a.row_ptr[i + 1] {
                position[a.col[e] as usize] = usize::MAX;
            }
            if lu[diag[i]] == 0.0 {
                lu[diag[i]] = 1e-300;
            }
        }
        IluFactors { lu, diag }
    }

    /// `z = (LU)⁻¹ r` with the factors on `pattern` (the factored matrix's).
    pub(crate) fn solve(&self, pattern: &Csr, r: &[f64], z: &mut [f64]) {
        let lu = &self.lu;
        let n = pattern.n_rows;
        for i in 0..n {
            let mut s = r[i];
            for e in pattern.row_ptr[i]..self.diag[i] {
                s -= lu[e] * z[pattern.col[e] as usize];
            }
            z[i] = s;
        }
        for i in (0..n).rev() {
            let mut s = z[i];
            for e in self.diag[i] + 1..pattern.row_ptr[i + 1] {
                s -= lu[e] * z[pattern.col[e] as usize];
            }
            z[i] = s / lu[self.diag[i]];
        }
    }
}

impl Ilu0 {
    /// Factor `a` (square, sorted columns, every diagonal entry present and non-zero).
    pub fn new(a: &Csr) -> Ilu0 {
        Ilu0 {
            factors: IluFactors::new(a),
            pattern: Csr {
                n_rows: a.n_rows,
                n_cols: a.n_cols,
                row_ptr: a.row_ptr.clone(),
                col: a.col.clone(),
                val: Vec::new(),
            },
        }
    }
}

impl Preconditioner for Ilu0 {
    fn apply(&self, r: &[f64], z: &mut [f64]) {
        self.factors.solve(&self.pattern, r, z);
    }
}
