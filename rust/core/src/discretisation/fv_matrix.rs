//! The finite-volume matrix: what every `fvm` operator returns and what equations are composed of.
//!
//! An [`FvMatrix`] is the discrete, volume-integrated form of an expression in one cell field
//! `x`, linear (or linearised) in `x`: `E(x) ≈ A x − b`, with `A` held as a diagonal and one
//! coefficient per internal face for each side, as in OpenFOAM's `lduMatrix`:
//!
//! ```text
//! E_c(x) = diag[c]·x[c] + Σ_{f: owner(f)=c} upper[f]·x[neighbour(f)]
//!                       + Σ_{f: neighbour(f)=c} lower[f]·x[owner(f)] − source[c]
//! ```
//!
//! Expressions add and subtract (`fvm::ddt(..) + fvm::div(..) - fvm::laplacian(..)`), and an
//! equation is solved for `E(x) = 0`, that is `A x = b`. Boundary conditions are already in the
//! diagonal and the source (OpenFOAM's internal and boundary coefficients), so the matrix is
//! square in the cells.

use super::pattern::CellPattern;
use crate::linalg::{Amg, AmgSettings, Csr, Preconditioner, SolveInfo, SolveSettings};
use crate::mesh::Mesh;
use crate::Result;
use rayon::prelude::*;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};

/// A cell-centred linear system in face-coefficient form (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct FvMatrix {
    /// Coefficient of `x[c]` in row `c`.
    pub diag: Vec<f64>,
    /// Per internal face: coefficient of the neighbour's value in the owner's row.
    pub upper: Vec<f64>,
    /// Per internal face: coefficient of the owner's value in the neighbour's row.
    pub lower: Vec<f64>,
    /// The explicit part `b`, per cell.
    pub source: Vec<f64>,
}

impl FvMatrix {
    /// The zero expression on a mesh.
    pub fn zeros(mesh: &Mesh) -> Self {
        FvMatrix {
            diag: vec![0.0; mesh.n_cells()],
            upper: vec![0.0; mesh.n_internal_faces],
            lower: vec![0.0; mesh.n_internal_faces],
            source: vec![0.0; mesh.n_cells()],
        }
    }

    /// Number of cells (rows).
    pub fn n_cells(&self) -> usize {
        self.diag.len()
    }

    /// Whether `A` is symmetric (`upper == lower` on every face).
    pub fn is_symmetric(&self) -> bool {
        self.upper == self.lower
    }

    /// `A x`, per cell.
    pub fn apply(&self, mesh: &Mesh, x: &[f64]) -> Vec<f64> {
        let mut ax: Vec<f64> = self.diag.iter().zip(x).map(|(d, v)| d * v).collect();
        for f in 0..mesh.n_internal_faces {
            let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
            ax[p] += self.upper[f] * x[q];
            ax[q] += self.lower[f] * x[p];
        }
        ax
    }

    /// The residual `b − A x`, per cell (the negated expression `−E(x)`).
    pub fn residual(&self, mesh: &Mesh, x: &[f64]) -> Vec<f64> {
        let ax = self.apply(mesh, x);
        self.source.iter().zip(ax).map(|(b, a)| b - a).collect()
    }

    /// The off-diagonal part applied to `x` and moved to the right: `H(x) = b − Σ off · x_nb`,
    /// per cell, so that `x = H(x) / A` at convergence (pressure–velocity coupling's `H` and `A`).
    pub fn h(&self, mesh: &Mesh, x: &[f64]) -> Vec<f64> {
        let mut h = self.source.clone();
        for f in 0..mesh.n_internal_faces {
            let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
            h[p] -= self.upper[f] * x[q];
            h[q] -= self.lower[f] * x[p];
        }
        h
    }

    /// The diagonal per unit volume, `A_c / V_c` (the `A` of SIMPLE-family coupling).
    pub fn a(&self, mesh: &Mesh) -> Vec<f64> {
        self.diag
            .iter()
            .zip(&mesh.cell_volume)
            .map(|(d, v)| d / v)
            .collect()
    }

    /// Implicit under-relaxation by `alpha` about `previous` (Patankar): the diagonal grows to
    /// `A_c / α` and the source gains `(1 − α)/α · A_c · x_prev`, so the fixed point is unchanged.
    pub fn relax(&mut self, alpha: f64, previous: &[f64]) {
        self.diag
            .par_iter_mut()
            .zip(self.source.par_iter_mut())
            .zip(previous.par_iter())
            .for_each(|((d, b), x)| {
                let relaxed = *d / alpha;
                *b += (relaxed - *d) * x;
                *d = relaxed;
            });
    }

    /// `self + fvm::sp(mesh, coefficient)`, the implicit source added in place: the same sums
    /// without building a second matrix (the k-ω SST's sources, assembled every outer iteration).
    pub fn plus_sp(mut self, mesh: &Mesh, coefficient: &[f64]) -> Self {
        for ((d, c), v) in self.diag.iter_mut().zip(coefficient).zip(&mesh.cell_volume) {
            *d += c * v;
        }
        self
    }

    /// `self − fvm::su(mesh, q)`, the explicit source added in place (see [`Self::plus_sp`]).
    pub fn minus_su(mut self, mesh: &Mesh, q: &[f64]) -> Self {
        for ((b, q), v) in self.source.iter_mut().zip(q).zip(&mesh.cell_volume) {
            *b += q * v;
        }
        self
    }

    /// The sum of each row's coefficients (zero for a pure flux-balance operator away from
    /// boundaries; a conservative operator's rows sum to its boundary and source terms).
    pub fn row_sums(&self, mesh: &Mesh) -> Vec<f64> {
        self.apply(mesh, &vec![1.0; self.n_cells()])
    }

    /// `A` written into a matrix of `pattern` (values overwritten).
    pub fn write_csr(&self, mesh: &Mesh, pattern: &CellPattern, matrix: &mut Csr) {
        matrix.val.iter_mut().for_each(|v| *v = 0.0);
        for (c, d) in self.diag.iter().enumerate() {
            matrix.val[pattern.diag[c].get()] += d;
        }
        for f in 0..mesh.n_internal_faces {
            matrix.val[pattern.upper[f].get()] += self.upper[f];
            matrix.val[pattern.lower[f].get()] += self.lower[f];
        }
    }

    /// Add this expression to a system `A x = b` already in `pattern`'s CSR form (a steady
    /// operator assembled elsewhere gains a time derivative or a boundary source this way).
    pub fn add_to_system(
        &self,
        mesh: &Mesh,
        pattern: &CellPattern,
        matrix: &mut Csr,
        rhs: &mut [f64],
    ) {
        for (c, d) in self.diag.iter().enumerate() {
            matrix.val[pattern.diag[c].get()] += d;
        }
        for f in 0..mesh.n_internal_faces {
            if self.upper[f] != 0.0 || self.lower[f] != 0.0 {
                matrix.val[pattern.upper[f].get()] += self.upper[f];
                matrix.val[pattern.lower[f].get()] += self.lower[f];
            }
        }
        rhs.iter_mut().zip(&self.source).for_each(|(b, s)| *b += s);
    }

    /// `A` as a new CSR matrix with `pattern`'s structure.
    pub fn to_csr(&self, mesh: &Mesh, pattern: &CellPattern) -> Csr {
        let mut matrix = pattern.matrix.clone();
        self.write_csr(mesh, pattern, &mut matrix);
        matrix
    }

    /// Solve `E(x) = 0` (`A x = b`) from the start in `x`: conjugate gradients for a symmetric
    /// `A`, BiCGStab otherwise, both preconditioned by smoothed-aggregation multigrid.
    pub fn solve(
        &self,
        mesh: &Mesh,
        pattern: &CellPattern,
        x: &mut [f64],
        settings: SolveSettings,
    ) -> Result<SolveInfo> {
        let a = self.to_csr(mesh, pattern);
        let amg = Amg::new(&a, AmgSettings::default());
        let m: &dyn Preconditioner = &amg;
        let never = || false;
        if self.is_symmetric() {
            crate::linalg::cg(&a, &self.source, x, m, settings, &never)
        } else {
            crate::linalg::bicgstab(&a, &self.source, x, m, settings, &never)
        }
    }
}

impl AddAssign<&FvMatrix> for FvMatrix {
    fn add_assign(&mut self, other: &FvMatrix) {
        let add = |a: &mut Vec<f64>, b: &Vec<f64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.diag, &other.diag);
        add(&mut self.upper, &other.upper);
        add(&mut self.lower, &other.lower);
        add(&mut self.source, &other.source);
    }
}

impl SubAssign<&FvMatrix> for FvMatrix {
    fn sub_assign(&mut self, other: &FvMatrix) {
        let sub = |a: &mut Vec<f64>, b: &Vec<f64>| a.iter_mut().zip(b).for_each(|(x, y)| *x -= y);
        sub(&mut self.diag, &other.diag);
        sub(&mut self.upper, &other.upper);
        sub(&mut self.lower, &other.lower);
        sub(&mut self.source, &other.source);
    }
}

impl Add for FvMatrix {
    type Output = FvMatrix;
    fn add(mut self, other: FvMatrix) -> FvMatrix {
        self += &other;
        self
    }
}

impl Sub for FvMatrix {
    type Output = FvMatrix;
    fn sub(mut self, other: FvMatrix) -> FvMatrix {
        self -= &other;
        self
    }
}

impl Neg for FvMatrix {
    type Output = FvMatrix;
    fn neg(self) -> FvMatrix {
        -1.0 * self
    }
}

impl Mul<FvMatrix> for f64 {
    type Output = FvMatrix;
    fn mul(self, mut m: FvMatrix) -> FvMatrix {
        for v in [&mut m.diag, &mut m.upper, &mut m.lower, &mut m.source] {
            v.iter_mut().for_each(|x| *x *= self);
        }
        m
    }
}
