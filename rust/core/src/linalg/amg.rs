//! Smoothed-aggregation algebraic multigrid (Vaněk, Mandel & Brezina 1996) used as a
//! preconditioner: strength-of-connection filtering, greedy aggregation, a Jacobi-smoothed
//! tentative prolongator, Galerkin coarse operators, Chebyshev smoothing (symmetric, so the
//! V-cycle is a valid CG preconditioner) and a dense Cholesky solve on the coarsest level. The
//! hierarchy is built in double precision; the cycle's operators are stored in single precision.

use super::csr::Accumulator;
use super::krylov::Preconditioner;
use super::{filled, Csr, Csr32, CHUNK};
use rayon::prelude::*;
use std::sync::Arc;

/// AMG set-up parameters.
#[derive(Debug, Clone, Copy)]
pub struct AmgSettings {
    /// Strength threshold θ: `a_ij` is strong if |a_ij| ≥ θ √(a_ii a_jj).
    pub strength_threshold: f64,
    /// θ is multiplied by this on each coarser level: Galerkin operators spread their
    /// couplings over wider stencils, so a fixed θ finds ever fewer strong ones and coarsens
    /// slowly and erratically (Vaněk et al. halve it per level).
    pub strength_decay: f64,
    /// Stop coarsening below this many unknowns.
    pub coarse_size: usize,
    /// Chebyshev polynomial degree of the smoother.
    pub smoother_degree: usize,
    /// Maximum number of levels.
    pub max_levels: usize,
    /// Smooth the finest level with a single-precision copy of its matrix, as the coarser
    /// levels always are: faster (the products are bound by memory traffic) for one more copy
    /// of the values, which pays for a hierarchy whose finest matrix does not change
    /// (conduction), not for one refreshed every outer iteration (pressure).
    pub single_precision_finest: bool,
}

impl AmgSettings {
    /// For conduction (diffusion) matrices. A coupling weaker than 0.15 √(a_ii a_jj) is weak:
    /// an isotropic 7-point neighbour has 1/6, so cubes and ordinary tetrahedra aggregate
    /// fully, while stretched cells (a thin plate's flat hexahedra: in-plane 0.06, through the
    /// thickness 0.38) aggregate along their strong direction, and a low-conductivity layer's
    /// couplings to copper stay out of copper's aggregates. Measured on the 1e6-cell benchmark
    /// plate: 15 CG iterations instead of 23 with θ = 0, and a cheaper set-up; a cube mesh 17
    /// instead of 20.
    pub fn conduction() -> Self {
        Self {
            strength_threshold: 0.15,
            strength_decay: 0.5,
            single_precision_finest: true,
            ..Self::default()
        }
    }
}

impl Default for AmgSettings {
    fn default() -> Self {
        Self {
            strength_threshold: 0.0,
            strength_decay: 1.0,
            coarse_size: 400,
            smoother_degree: 2,
            max_levels: 25,
            single_precision_finest: false,
        }
    }
}

/// One level of the hierarchy. The cycle's operators are stored in single precision: a V-cycle
/// only approximates A⁻¹, and its products are bound by memory traffic (measured on the 1e6-cell
/// plate: 7 % less Krylov time on one thread, 12 % on two, same iteration count, and less memory
/// than double-precision coarse levels). Rounding keeps symmetric entries equal and R = Pᵀ, so
/// the V-cycle stays a symmetric preconditioner. The finest level may keep double precision
/// ([`AmgSettings::single_precision_finest`]).
struct Level {
    /// The double-precision matrix, on level 0 only (shared with the caller, see
    /// [`Amg::shared`]); coarser levels keep theirs only while the next level is built.
    a: Option<Arc<Csr>>,
    /// The single-precision matrix the cycle uses; on level 0 only when asked for.
    a32: Option<Csr32>,
    inv_diag: Vec<f64>,
    /// Chebyshev bounds on the spectrum of D⁻¹A.
    lambda_max: f64,
    p: Csr32,
    r: Csr32,
}

/// The multigrid hierarchy.
pub struct Amg {
    levels: Vec<Level>,
    coarse: Csr,
    coarse_factor: Vec<f64>,
    coarse_n: usize,
    degree: usize,
    /// The cycle's work vectors, kept from one application to the next (allocating and zeroing
    /// four vectors per level and application was a tenth of a pressure CG iteration); an
    /// application that finds them in use allocates its own.
    work: std::sync::Mutex<Vec<LevelWork>>,
}

/// One level's work vectors of the cycle: residual and correction on the level, right-hand
/// side and solution on the next coarser one.
#[derive(Default)]
struct LevelWork {
    r: Vec<f64>,
    d: Vec<f64>,
    coarse_b: Vec<f64>,
    coarse_x: Vec<f64>,
}

/// Statistics of a hierarchy.
#[derive(Debug, Clone)]
pub struct AmgStats {
    /// Unknowns per level.
    pub sizes: Vec<usize>,
    /// Σ nnz(A_l) / nnz(A_0).
    pub operator_complexity: f64,
}

impl Level {
    fn n_rows(&self) -> usize {
        self.a32
            .as_ref()
            .map_or_else(|| self.a.as_ref().map_or(0, |a| a.n_rows), |a| a.n_rows)
    }

    fn nnz(&self) -> usize {
        self.a32
            .as_ref()
            .map_or_else(|| self.a.as_ref().map_or(0, |a| a.nnz()), |a| a.nnz())
    }

    /// `r = b − A x` with the level's cycle operator.
    fn residual(&self, b: &[f64], x: &[f64], r: &mut [f64]) {
        match (&self.a32, &self.a) {
            (Some(a), _) => a.residual(b, x, r),
            (None, Some(a)) => a.residual(b, x, r),
            (None, None) => unreachable!("a level without a matrix (released and not refreshed)"),
        }
    }

    /// `out[i] = finish(i, r_i)` with `r = b − A x` and the level's cycle operator.
    fn residual_then(
        &self,
        b: &[f64],
        x: &[f64],
        out: &mut [f64],
        finish: impl Fn(usize, f64) -> f64 + Sync,
    ) {
        match (&self.a32, &self.a) {
            (Some(a), _) => a.residual_then(b, x, out, finish),
            (None, Some(a)) => a.residual_then(b, x, out, finish),
            (None, None) => unreachable!("a level without a matrix (released and not refreshed)"),
        }
    }
}

fn inv_diag(a: &Csr) -> Vec<f64> {
    a.diagonal()
        .iter()
        .map(|&d| if d != 0.0 { 1.0 / d } else { 0.0 })
        .collect()
}

/// Gershgorin bound on the spectral radius of D⁻¹A: a guaranteed upper bound, which the
/// Chebyshev smoother needs (an underestimate makes it amplify the top of the spectrum).
fn gershgorin(a: &Csr, inv_d: &[f64]) -> f64 {
    (0..a.n_rows)
        .into_par_iter()
        .with_min_len(CHUNK)
        .map(|i| {
            (a.row_ptr[i]..a.row_ptr[i + 1])
                .map(|e| a.val[e].abs())
                .sum::<f64>()
                * inv_d[i].abs()
        })
        .reduce(|| 0.0, f64::max)
}

/// Per stored entry of `a`: whether it is a strong coupling, |a_ij| ≥ θ √(a_ii a_jj) (the
/// diagonal counts as strong). Aggregation and the filtered prolongator smoothing share it.
fn strength(a: &Csr, theta: f64, diag: &[f64]) -> Vec<bool> {
    let mut strong = filled(a.nnz(), true);
    if theta > 0.0 {
        a.entry_blocks(&mut strong)
            .into_par_iter()
            .for_each(|(first_row, first, flags)| {
                let mut i = first_row;
                for (k, flag) in flags.iter_mut().enumerate() {
                    let e = first + k;
                    while e >= a.row_ptr[i + 1] {
                        i += 1;
                    }
                    let j = a.col[e] as usize;
                    *flag = j == i || a.val[e].abs() >= theta * (diag[i] * diag[j]).abs().sqrt();
                }
            });
    }
    strong
}

fn aggregate(a: &Csr, strong: &[bool]) -> (Vec<u32>, usize) {
    let n = a.n_rows;
    // strong neighbours, as a CSR pattern
    let graph = Csr::from_rows(
        n,
        n,
        || (),
        |_, i, cols, _| {
            cols.extend(
                (a.row_ptr[i]..a.row_ptr[i + 1])
                    .filter(|&e| strong[e] && a.col[e] as usize != i)
                    .map(|e| a.col[e]),
            );
        },
    );
    let strong = |i: usize| &graph.col[graph.row_ptr[i]..graph.row_ptr[i + 1]];
    const NONE: u32 = u32::MAX;
    let mut agg = vec![NONE; n];
    let mut n_agg = 0u32;
    // pass 1: root nodes whose whole strong neighbourhood is free
    for i in 0..n {
        if agg[i] != NONE || strong(i).is_empty() {
            continue;
        }
        if strong(i).iter().all(|&j| agg[j as usize] == NONE) {
            agg[i] = n_agg;
            for &j in strong(i) {
                agg[j as usize] = n_agg;
            }
            n_agg += 1;
        }
    }
    // pass 2: join a neighbouring aggregate
    let snapshot = agg.clone();
    for i in 0..n {
        if agg[i] != NONE {
            continue;
        }
        if let Some(&j) = strong(i).iter().find(|&&j| snapshot[j as usize] != NONE) {
            agg[i] = snapshot[j as usize];
        }
    }
    // pass 3: leftovers (isolated nodes, or neighbourhoods already taken) form their own aggregates
    for i in 0..n {
        if agg[i] != NONE {
            continue;
        }
        agg[i] = n_agg;
        for &j in strong(i) {
            if agg[j as usize] == NONE {
                agg[j as usize] = n_agg;
            }
        }
        n_agg += 1;
    }
    (agg, n_agg as usize)
}

/// Smoothed prolongator P = (I − ω D_F⁻¹A_F) P_tent with ω = 4 / (3 λ_max(D_F⁻¹A_F)), where
/// A_F is A with its weak connections (those aggregation ignored) lumped onto the diagonal
/// (Vaněk et al.'s filtered matrix). Smoothing with the full A would spread each aggregate's
/// basis function across the weak direction as well, which on stretched cells multiplies the
/// coarse stencils (operator complexity) without helping convergence.
fn prolongator(a: &Csr, strong: &[bool], diag: &[f64], agg: &[u32], n_agg: usize) -> Csr {
    let is_strong = |_: usize, e: usize| strong[e];
    // filtered diagonal: the weak off-diagonal entries move onto it (row sums kept); computed
    // per row where needed rather than stored, so θ = 0 (conduction) allocates nothing extra
    let filtered_diag = |i: usize| {
        diag[i]
            + (a.row_ptr[i]..a.row_ptr[i + 1])
                .filter(|&e| !is_strong(i, e))
                .map(|e| a.val[e])
                .sum::<f64>()
    };
    let inverse = |d: f64| if d != 0.0 { 1.0 / d } else { 0.0 };
    // Gershgorin bound of D_F⁻¹A_F
    let lambda = (0..a.n_rows)
        .into_par_iter()
        .with_min_len(CHUNK)
        .map(|i| {
            let off: f64 = (a.row_ptr[i]..a.row_ptr[i + 1])
                .filter(|&e| is_strong(i, e) && a.col[e] as usize != i)
                .map(|e| a.val[e].abs())
                .sum();
            let d = filtered_diag(i);
            (off + d.abs()) * inverse(d).abs()
        })
        .reduce(|| 0.0, f64::max);
    let omega = if lambda > 0.0 {
        4.0 / (3.0 * lambda)
    } else {
        0.0
    };
    Csr::from_rows(
        a.n_rows,
        n_agg,
        || Accumulator::new(n_agg),
        |acc, i, cols, vals| {
            let d = filtered_diag(i);
            let scale = omega * inverse(d);
            acc.add(agg[i], 1.0);
            for e in a.row_ptr[i]..a.row_ptr[i + 1] {
                let j = a.col[e] as usize;
                if j == i {
                    acc.add(agg[i], -scale * d);
                } else if is_strong(i, e) {
                    acc.add(agg[j], -scale * a.val[e]);
                }
            }
            let start = cols.len();
            acc.drain_sorted(cols, vals);
            // drop exact zeros (a row whose smoothing cancels its own aggregate's weight)
            let mut keep = start;
            for k in start..cols.len() {
                if vals[k] != 0.0 {
                    cols[keep] = cols[k];
                    vals[keep] = vals[k];
                    keep += 1;
                }
            }
            cols.truncate(keep);
            vals.truncate(keep);
        },
    )
}

fn cholesky(a: &Csr) -> Vec<f64> {
    let n = a.n_rows;
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for e in a.row_ptr[i]..a.row_ptr[i + 1] {
            l[i * n + a.col[e] as usize] = a.val[e];
        }
    }
    let scale = (0..n)
        .map(|i| l[i * n + i].abs())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    for j in 0..n {
        let mut d = l[j * n + j];
        for k in 0..j {
            d -= l[j * n + k] * l[j * n + k];
        }
        // A singular coarse operator (pure Neumann problem) gets a tiny shift: the preconditioner
        // then stays usable and the Krylov method handles the null space.
        let d = if d > 1e-12 * scale {
            d
        } else {
            1e-12 * scale + d.abs()
        };
        let d = d.sqrt();
        l[j * n + j] = d;
        for i in j + 1..n {
            let mut s = l[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            l[i * n + j] = s / d;
        }
    }
    l
}

impl Amg {
    /// Build the hierarchy for a symmetric positive (semi-)definite matrix.
    pub fn new(a: &Csr, settings: AmgSettings) -> Amg {
        let mut amg = Self::shared(Arc::new(a.clone()), settings);
        // the copy is the hierarchy's own: with a single-precision finest level it is unused
        if let Some(level) = amg.levels.first_mut() {
            if level.a32.is_some() {
                level.a = None;
            }
        }
        amg
    }

    /// [`Amg::new`] without a copy of the fine-level matrix: the hierarchy keeps a reference.
    /// A caller that changes its matrix later (`Arc::make_mut`) gets a copy then, so the
    /// hierarchy never sees the change.
    pub fn shared(a: Arc<Csr>, settings: AmgSettings) -> Amg {
        let mut levels = Vec::new();
        let mut tp = std::time::Instant::now();
        let mut current = a;
        while current.n_rows > settings.coarse_size && levels.len() + 1 < settings.max_levels {
            let diag = current.diagonal();
            let inv_d = inv_diag(&current);
            let lambda = gershgorin(&current, &inv_d);
            crate::ptime("diag+gersh", &mut tp);
            // A coarse operator whose couplings are all weak under θ would leave every node its
            // own aggregate: halve θ for this level until it coarsens (θ = 0 takes every
            // neighbour), rather than stop with a large dense coarsest level.
            let mut theta =
                settings.strength_threshold * settings.strength_decay.powi(levels.len() as i32);
            let (agg, n_agg, strong) = loop {
                let strong = strength(&current, theta, &diag);
                let (agg, n_agg) = aggregate(&current, &strong);
                if theta == 0.0 || (n_agg > 0 && n_agg as f64 <= 0.8 * current.n_rows as f64) {
                    break (agg, n_agg, strong);
                }
                theta = if theta > 1e-3 { 0.5 * theta } else { 0.0 };
            };
            crate::ptime("aggregate", &mut tp);
            if n_agg == 0 || n_agg as f64 > 0.8 * current.n_rows as f64 {
                break; // coarsening stalled
            }
            let p = prolongator(&current, &strong, &diag, &agg, n_agg);
            drop(strong);
            crate::ptime("prolongator", &mut tp);
            let r = p.transpose();
            crate::ptime("transpose", &mut tp);
            let coarse = current.galerkin(&p, &r);
            crate::ptime("RAP", &mut tp);
            let finest = levels.is_empty();
            levels.push(Level {
                a32: (!finest || settings.single_precision_finest)
                    .then(|| Csr32::rounded(&current)),
                a: finest.then_some(current),
                inv_diag: inv_d,
                lambda_max: lambda,
                p: Csr32::rounded(&p),
                r: Csr32::rounded(&r),
            });
            current = Arc::new(coarse);
        }
        let current = Arc::try_unwrap(current).unwrap_or_else(|shared| (*shared).clone());
        let coarse_factor = cholesky(&current);
        crate::ptime("cholesky", &mut tp);
        let coarse_n = current.n_rows;
        Amg {
            levels,
            coarse: current,
            coarse_factor,
            coarse_n,
            degree: settings.smoother_degree,
            work: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Let go of the fine-level matrix, so that its owner can change it in place (no copy);
    /// [`Amg::refresh_fine`] must hand it back before the next apply.
    pub fn release_fine(&mut self) {
        if let Some(level) = self.levels.first_mut() {
            level.a = None;
        }
    }

    /// Smooth on the finest level with `a`, the matrix the hierarchy was built from since
    /// changed (the pressure equation of an outer iteration): its diagonal and spectral bound
    /// are recomputed; the interpolation and the coarse levels stay those of the original,
    /// which a slowly changing matrix can reuse for many solves.
    pub fn refresh_fine(&mut self, a: Arc<Csr>) {
        if let Some(level) = self.levels.first_mut() {
            // inverse diagonal and Gershgorin bound in one pass, into the level's own array
            level.lambda_max = level
                .inv_diag
                .par_iter_mut()
                .enumerate()
                .with_min_len(CHUNK)
                .map(|(i, w)| {
                    let (mut d, mut row) = (0.0, 0.0);
                    for e in a.row_ptr[i]..a.row_ptr[i + 1] {
                        if a.col[e] as usize == i {
                            d = a.val[e];
                        }
                        row += a.val[e].abs();
                    }
                    *w = if d != 0.0 { 1.0 / d } else { 0.0 };
                    row * w.abs()
                })
                .reduce(|| 0.0, f64::max);
            if level.a32.is_some() {
                level.a32 = Some(Csr32::rounded(&a));
            }
            level.a = Some(a);
        }
    }

    /// Sizes and operator complexity.
    pub fn stats(&self) -> AmgStats {
        let mut sizes: Vec<usize> = self.levels.iter().map(|l| l.n_rows()).collect();
        sizes.push(self.coarse_n);
        let nnz0 = self.levels.first().map_or(self.coarse.nnz(), |l| l.nnz()) as f64;
        let total: usize = self.levels.iter().map(|l| l.nnz()).sum::<usize>() + self.coarse.nnz();
        AmgStats {
            sizes,
            operator_complexity: total as f64 / nnz0,
        }
    }

    fn coarse_solve(&self, b: &[f64], x: &mut [f64]) {
        let n = self.coarse_n;
        let l = &self.coarse_factor;
        let mut y = b.to_vec();
        for i in 0..n {
            let mut s = y[i];
            for k in 0..i {
                s -= l[i * n + k] * y[k];
            }
            y[i] = s / l[i * n + i];
        }
        for i in (0..n).rev() {
            let mut s = y[i];
            for k in i + 1..n {
                s -= l[k * n + i] * x[k];
            }
            x[i] = s / l[i * n + i];
        }
    }

    /// Chebyshev smoothing of `A x = b` on `[λ_max/30, λ_max]` of D⁻¹A (Saad, Alg. 12.1).
    /// `x_is_zero`: x holds zeros on entry, so the first residual is `b` (one product saved).
    fn smooth(
        &self,
        level: &Level,
        b: &[f64],
        x: &mut [f64],
        r: &mut [f64],
        d: &mut [f64],
        x_is_zero: bool,
    ) {
        let upper = level.lambda_max;
        let lower = upper / 30.0;
        let theta = 0.5 * (upper + lower);
        let delta = 0.5 * (upper - lower);
        let sigma = theta / delta;
        let mut rho = 1.0 / sigma;
        if x_is_zero {
            r.par_iter_mut().zip(b).for_each(|(r, b)| *r = *b);
        } else {
            level.residual(b, x, r);
        }
        d.par_iter_mut()
            .zip(&*r)
            .zip(&level.inv_diag)
            .for_each(|((d, r), w)| *d = r * w / theta);
        for _ in 1..self.degree {
            x.par_iter_mut().zip(&*d).for_each(|(x, d)| *x += d);
            level.residual(b, x, r);
            let rho_new = 1.0 / (2.0 * sigma - rho);
            let (c1, c2) = (rho_new * rho, 2.0 * rho_new / delta);
            d.par_iter_mut()
                .zip(&*r)
                .zip(&level.inv_diag)
                .for_each(|((d, r), w)| *d = c1 * *d + c2 * r * w);
            rho = rho_new;
        }
        x.par_iter_mut().zip(&*d).for_each(|(x, d)| *x += d);
    }

    /// Degree-1 Chebyshev smoothing (damped Jacobi, `x += D⁻¹(b − A x)/θ`) in two passes:
    /// `d` from the residual row by row, then `x`. From `x = 0` (`x_is_zero`) one pass, `x`
    /// from `b` alone. The same operations as [`Amg::smooth`] of degree 1.
    fn jacobi(&self, level: &Level, b: &[f64], x: &mut [f64], d: &mut [f64], x_is_zero: bool) {
        let upper = level.lambda_max;
        let lower = upper / 30.0;
        let theta = 0.5 * (upper + lower);
        let w = &level.inv_diag;
        if x_is_zero {
            // what zeroing x, r = b, d = r w / θ and x += d give
            x.par_chunks_mut(CHUNK)
                .zip(b.par_chunks(CHUNK))
                .zip(w.par_chunks(CHUNK))
                .for_each(|((x, b), w)| {
                    for ((x, b), w) in x.iter_mut().zip(b).zip(w) {
                        *x = 0.0 + b * w / theta;
                    }
                });
        } else {
            level.residual_then(b, x, d, |i, r| r * w[i] / theta);
            x.par_iter_mut().zip(&*d).for_each(|(x, d)| *x += d);
        }
    }

    fn cycle(&self, k: usize, b: &[f64], x: &mut [f64], work: &mut [LevelWork]) {
        if k == self.levels.len() {
            self.coarse_solve(b, x);
            return;
        }
        let level = &self.levels[k];
        let n = level.n_rows();
        let nc = level.p.n_cols;
        let Some((w, coarser)) = work.split_first_mut() else {
            unreachable!("one work entry per level");
        };
        // sized on first use; every entry is written before it is read
        for (v, len) in [
            (&mut w.r, n),
            (&mut w.d, n),
            (&mut w.coarse_b, nc),
            (&mut w.coarse_x, nc),
        ] {
            if v.len() != len {
                *v = filled(len, 0.0);
            }
        }
        if self.degree == 1 {
            self.jacobi(level, b, x, &mut w.d, true);
        } else {
            x.par_iter_mut().with_min_len(CHUNK).for_each(|v| *v = 0.0);
            self.smooth(level, b, x, &mut w.r, &mut w.d, true);
        }
        level.residual(b, x, &mut w.r);
        level.r.mul_vec(&w.r, &mut w.coarse_b);
        self.cycle(k + 1, &w.coarse_b, &mut w.coarse_x, coarser);
        level.p.add_mul_vec(&w.coarse_x, x);
        if self.degree == 1 {
            self.jacobi(level, b, x, &mut w.d, false);
        } else {
            self.smooth(level, b, x, &mut w.r, &mut w.d, false);
        }
    }
}

impl Preconditioner for Amg {
    fn apply(&self, r: &[f64], z: &mut [f64]) {
        let levels = self.levels.len();
        match self.work.try_lock() {
            Ok(mut work) => {
                work.resize_with(levels, LevelWork::default);
                self.cycle(0, r, z, &mut work);
            }
            // in use by another application (or poisoned): work vectors of its own
            Err(_) => {
                let mut work: Vec<LevelWork> = (0..levels).map(|_| LevelWork::default()).collect();
                self.cycle(0, r, z, &mut work);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1D Laplacian with a Dirichlet end, `n` unknowns.
    fn line(n: usize) -> Csr {
        Csr::from_rows(
            n,
            n,
            || (),
            |_, i, cols: &mut Vec<u32>, vals: &mut Vec<f64>| {
                if i > 0 {
                    cols.push(i as u32 - 1);
                    vals.push(-1.0);
                }
                cols.push(i as u32);
                vals.push(if i == 0 {
                    3.0
                } else {
                    2.0 + 1e-3 * (i % 5) as f64
                });
                if i + 1 < n {
                    cols.push(i as u32 + 1);
                    vals.push(-1.0);
                }
            },
        )
    }

    /// The fused degree-1 smoothing gives what the general Chebyshev smoother of degree 1 gives,
    /// bit for bit, from zero and from a given `x`; and an application that reuses the kept
    /// work vectors gives what the first one gave.
    #[test]
    fn fused_jacobi_smoothing_and_kept_work_vectors_change_nothing() {
        let n = 3000;
        let a = line(n);
        let amg = Amg::new(
            &a,
            AmgSettings {
                smoother_degree: 1,
                coarse_size: 50,
                ..AmgSettings::default()
            },
        );
        assert!(amg.levels.len() >= 2);
        let level = &amg.levels[0];
        let b: Vec<f64> = (0..n).map(|i| (0.01 * i as f64).sin() - 0.3).collect();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let (mut r, mut d) = (vec![0.0; n], vec![0.0; n]);
        // from zero
        let mut general = vec![0.0; n];
        amg.smooth(level, &b, &mut general, &mut r, &mut d, true);
        let mut fused = vec![7.0; n];
        amg.jacobi(level, &b, &mut fused, &mut d, true);
        assert_eq!(bits(&fused), bits(&general));
        // from a given x
        let start: Vec<f64> = (0..n).map(|i| (0.02 * i as f64).cos()).collect();
        let mut general = start.clone();
        amg.smooth(level, &b, &mut general, &mut r, &mut d, false);
        let mut fused = start;
        amg.jacobi(level, &b, &mut fused, &mut d, false);
        assert_eq!(bits(&fused), bits(&general));
        // the work vectors kept from one application to the next
        let mut first = vec![0.0; n];
        amg.apply(&b, &mut first);
        let mut second = vec![1.0; n];
        amg.apply(&b, &mut second);
        assert_eq!(bits(&first), bits(&second));
    }
}
