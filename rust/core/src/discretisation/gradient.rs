//! Cell gradients: weighted least squares (exact for linear fields on any mesh), Green–Gauss
//! (conservative, for pressure forces), and the Barth–Jespersen limiter of bounded schemes.
//!
//! Least squares: each cell fits a linear field to values at neighbouring points. The points are neighbour
//! centres, or, where the caller supplies them, face points (region interfaces, where the
//! temperature gradient jumps, and boundary faces).

use crate::linalg::CHUNK;
use crate::mesh::{CellFaces, Mesh, Vec3};
use rayon::prelude::*;

/// Per-cell inverse of the least-squares normal matrix `Σ w d dᵀ` (symmetric: its upper triangle
/// `xx, xy, xz, yy, yz, zz`), precomputed once. The stencil
/// offsets `d` are recomputed from the cell and face centres when needed (storing them took
/// 56 bytes per face).
#[derive(Debug, Clone)]
pub struct LeastSquares {
    inverse: Vec<[f64; 6]>,
    /// Per internal face: whether the stencil uses the face point instead of the other cell's centre.
    use_face: Vec<bool>,
    /// Per face, the stencil offsets seen from the owner and the neighbour, once
    /// [`LeastSquares::store_offsets`] kept them.
    offsets: Vec<[Vec3; 2]>,
}

fn weight(d: Vec3) -> f64 {
    1.0 / (d[0] * d[0] + d[1] * d[1] + d[2] * d[2])
}

/// The inverse of a symmetric 3 × 3 matrix, as its upper triangle (cofactors: the two halves
/// of a symmetric inverse come out bitwise equal, so nothing is lost).
fn invert(m: [f64; 9]) -> [f64; 6] {
    let det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6])
        + m[2] * (m[3] * m[7] - m[4] * m[6]);
    if det.abs() < 1e-300 {
        return [0.0; 6];
    }
    let i = 1.0 / det;
    [
        (m[4] * m[8] - m[5] * m[7]) * i,
        (m[2] * m[7] - m[1] * m[8]) * i,
        (m[1] * m[5] - m[2] * m[4]) * i,
        (m[0] * m[8] - m[2] * m[6]) * i,
        (m[2] * m[3] - m[0] * m[5]) * i,
        (m[0] * m[4] - m[1] * m[3]) * i,
    ]
}

/// The full 3 × 3 matrix of an upper triangle.
fn expand(u: &[f64; 6]) -> [f64; 9] {
    [u[0], u[1], u[2], u[1], u[3], u[4], u[2], u[4], u[5]]
}

/// `k x = r` by Cramer's rule for `k` = I − (a coupling), or `None` when the coupling cancels
/// most of the identity (|det k| ≤ 0.1): such a cell drops the dependence (see the caller).
fn solve_near_identity(k: &[f64; 9], r: Vec3) -> Option<Vec3> {
    let det3 = |a: &[f64; 9]| {
        a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6])
            + a[2] * (a[3] * a[7] - a[4] * a[6])
    };
    let det = det3(k);
    if !(det.abs() > 0.1) {
        return None;
    }
    let mut x = [0.0; 3];
    for (col, xc) in x.iter_mut().enumerate() {
        let mut a = *k;
        for row in 0..3 {
            a[3 * row + col] = r[row];
        }
        *xc = det3(&a) / det;
    }
    Some(x)
}

#[inline]
fn solve3(m: &[f64; 6], r: Vec3) -> Vec3 {
    [
        m[0] * r[0] + m[1] * r[1] + m[2] * r[2],
        m[1] * r[0] + m[3] * r[1] + m[4] * r[2],
        m[2] * r[0] + m[4] * r[1] + m[5] * r[2],
    ]
}

impl LeastSquares {
    /// `use_face[f]` (internal faces) selects face points instead of neighbour centres.
    /// Boundary faces always contribute their face point.
    pub fn new(mesh: &Mesh, use_face: Vec<bool>) -> Self {
        let n = mesh.n_cells();
        let ni = mesh.n_internal_faces;
        let mut ls = LeastSquares {
            inverse: Vec::new(),
            use_face,
            offsets: Vec::new(),
        };
        let mut m = vec![[0.0; 9]; n];
        let mut add = |c: usize, d: Vec3| {
            let w = weight(d);
            for a in 0..3 {
                for b in 0..3 {
                    m[c][3 * a + b] += w * d[a] * d[b];
                }
            }
        };
        for f in 0..mesh.n_faces() {
            add(mesh.owner[f] as usize, ls.delta(mesh, f, true));
            if f < ni {
                add(mesh.neighbour[f] as usize, ls.delta(mesh, f, false));
            }
        }
        ls.inverse = m.into_par_iter().map(invert).collect();
        ls
    }

    /// Whether any internal face uses its face point (region interfaces): those couple a cell's
    /// gradient to its neighbour's, which [`LeastSquares::gradient_implicit`] still lags.
    pub fn uses_interface_points(&self) -> bool {
        self.use_face.iter().any(|&u| u)
    }

    /// The stencil offset of face `f` seen from its owner (`owner_side`) or neighbour: to the
    /// other cell's centre, or to the face centre on boundary faces and `use_face` faces.
    #[inline]
    fn delta(&self, mesh: &Mesh, f: usize, owner_side: bool) -> Vec3 {
        if let Some(stored) = self.offsets.get(f) {
            return stored[usize::from(!owner_side)];
        }
        self.computed_delta(mesh, f, owner_side)
    }

    /// Keep every face's stencil offsets (48 bytes a face) for a gradient evaluated many times:
    /// computed per visit from two scattered centres they were 16 % of an energy Newton–Krylov
    /// solve on the corpus microchannel plate.
    pub fn store_offsets(&mut self, mesh: &Mesh) {
        if !self.offsets.is_empty() {
            return;
        }
        let ni = mesh.n_internal_faces;
        self.offsets = (0..mesh.n_faces())
            .into_par_iter()
            .map(|f| {
                let neighbour_side = if f < ni {
                    self.computed_delta(mesh, f, false)
                } else {
                    [0.0; 3]
                };
                [self.computed_delta(mesh, f, true), neighbour_side]
            })
            .collect();
    }

    fn computed_delta(&self, mesh: &Mesh, f: usize, owner_side: bool) -> Vec3 {
        let p = mesh.owner[f] as usize;
        let (from, to) = if f >= mesh.n_internal_faces {
            (p, None)
        } else {
            let q = mesh.neighbour[f] as usize;
            let (c, other) = if owner_side { (p, q) } else { (q, p) };
            (c, (!self.use_face[f]).then_some(other))
        };
        let target = match to {
            Some(other) => mesh.cell_centre[other],
            None => mesh.face_centre[f],
        };
        crate::mesh::sub(target, mesh.cell_centre[from])
    }

    /// Gradients of a cell field. `face_value(f, is_owner_side)` gives the value at a face point
    /// (every boundary face, and internal faces flagged `use_face`). Gathered per cell in
    /// parallel, each cell's faces in increasing order.
    pub fn gradient(
        &self,
        mesh: &Mesh,
        cell_faces: &CellFaces,
        phi: &[f64],
        face_value: impl Fn(usize, bool) -> f64 + Sync,
    ) -> Vec<Vec3> {
        self.gradient_implicit(mesh, cell_faces, phi, None, |f, owner_side| {
            (face_value(f, owner_side), [0.0; 3])
        })
    }

    /// [`LeastSquares::gradient`] with face points that depend on the cell's own gradient:
    /// `face_value(f, owner_side)` returns `(v, a)` for the face point `v + a · ∇φ_c` seen from
    /// cell `c` (a boundary value extrapolated along the cell's non-orthogonal offset, say). The
    /// cell's 3 × 3 system then takes that dependence implicitly, `(M − Σ w d aᵀ) ∇φ = Σ w d
    /// (v − φ_c)`, so the gradient is consistent with its own face points in one pass rather
    /// than after many passes that each lag it (a contraction that took the tetrahedral plate
    /// ~38 deferred-correction passes). A cell whose system would be near singular (|det| of
    /// `I − M⁻¹B` at most 0.1: extreme skew) drops the dependence instead, its face points
    /// taken as `v` alone (stable, but no longer exact for linear fields at those faces). With
    /// `cells`, only the cells flagged get a gradient (the others zero).
    pub fn gradient_implicit(
        &self,
        mesh: &Mesh,
        cell_faces: &CellFaces,
        phi: &[f64],
        cells: Option<&[bool]>,
        face_value: impl Fn(usize, bool) -> (f64, Vec3) + Sync,
    ) -> Vec<Vec3> {
        let ni = mesh.n_internal_faces;
        (0..mesh.n_cells())
            .into_par_iter()
            .with_min_len(1024)
            .map(|c| {
                if cells.is_some_and(|wanted| !wanted[c]) {
                    return [0.0; 3];
                }
                let mut rhs = [0.0; 3];
                let mut coupling = [0.0; 9];
                let mut implicit = false;
                for &f in cell_faces.of(c) {
                    let f = f as usize;
                    let owner_side = mesh.owner[f] as usize == c;
                    let d = self.delta(mesh, f, owner_side);
                    let value = if f < ni && !self.use_face[f] {
                        phi[if owner_side {
                            mesh.neighbour[f] as usize
                        } else {
                            mesh.owner[f] as usize
                        }]
                    } else {
                        let (value, a) = face_value(f, owner_side);
                        if a != [0.0; 3] {
                            implicit = true;
                            let w = weight(d);
                            for i in 0..3 {
                                for j in 0..3 {
                                    coupling[3 * i + j] += w * d[i] * a[j];
                                }
                            }
                        }
                        value
                    };
                    let w = weight(d) * (value - phi[c]);
                    for k in 0..3 {
                        rhs[k] += w * d[k];
                    }
                }
                let lagged = solve3(&self.inverse[c], rhs);
                if !implicit {
                    return lagged;
                }
                // (M − B) ∇φ = rhs as (I − M⁻¹B) ∇φ = M⁻¹ rhs, with the stored inverse
                let inverse = expand(&self.inverse[c]);
                let mut k = [0.0; 9];
                for i in 0..3 {
                    for j in 0..3 {
                        let mb: f64 = (0..3)
                            .map(|l| inverse[3 * i + l] * coupling[3 * l + j])
                            .sum();
                        k[3 * i + j] = if i == j { 1.0 - mb } else { -mb };
                    }
                }
                solve_near_identity(&k, lagged).unwrap_or(lagged)
            })
            .collect()
    }

    /// Gradients of the three components of a vector field at once, gathered per cell in
    /// parallel: `grads[c][k]` is the gradient of component `k`. `boundary_value(f)` gives the
    /// vector at boundary face `f`; internal faces must not use face points. With `limits`, also
    /// the limiter factor of each component (Barth–Jespersen as [`limiter`], or
    /// Venkatakrishnan's smooth one; the boundary values take part), from the same pass over
    /// the neighbours.
    pub fn gradient_vec3(
        &self,
        mesh: &Mesh,
        cell_faces: &CellFaces,
        phi: &[Vec3],
        boundary_value: impl Fn(usize) -> Vec3 + Sync,
        grads: &mut [[Vec3; 3]],
        limits: Option<(&mut [Vec3], VectorLimiter<'_>)>,
    ) {
        let ni = mesh.n_internal_faces;
        debug_assert!(!self.use_face.iter().any(|&u| u));
        let with_limits = limits.is_some();
        let kind = limits.as_ref().map(|l| l.1);
        let limits = limits.map(|l| l.0);
        let cell = |c: usize| -> ([Vec3; 3], Vec3) {
            let mut rhs = [[0.0f64; 3]; 3];
            let (mut lo, mut hi) = (phi[c], phi[c]);
            let faces = cell_faces.of(c);
            for &f in faces {
                let f = f as usize;
                let (d, value) = if f < ni {
                    let p = mesh.owner[f] as usize;
                    let other = if p == c {
                        mesh.neighbour[f] as usize
                    } else {
                        p
                    };
                    (
                        crate::mesh::sub(mesh.cell_centre[other], mesh.cell_centre[c]),
                        phi[other],
                    )
                } else {
                    (
                        crate::mesh::sub(mesh.face_centre[f], mesh.cell_centre[c]),
                        boundary_value(f),
                    )
                };
                let w = weight(d);
                for k in 0..3 {
                    let wd = w * (value[k] - phi[c][k]);
                    for j in 0..3 {
                        rhs[k][j] += wd * d[j];
                    }
                    lo[k] = lo[k].min(value[k]);
                    hi[k] = hi[k].max(value[k]);
                }
            }
            let m = &self.inverse[c];
            let grad = [solve3(m, rhs[0]), solve3(m, rhs[1]), solve3(m, rhs[2])];
            let mut limit = [1.0f64; 3];
            if with_limits {
                // the smallest bound/delta over the faces comes from the largest increase and
                // the largest decrease (division is monotone): two divisions per component
                let (mut rise, mut fall) = ([1e-300f64; 3], [-1e-300f64; 3]);
                for &f in faces {
                    let r = crate::mesh::sub(mesh.face_centre[f as usize], mesh.cell_centre[c]);
                    for k in 0..3 {
                        let delta = crate::mesh::dot(grad[k], r);
                        rise[k] = rise[k].max(delta);
                        fall[k] = fall[k].min(delta);
                    }
                }
                // Venkatakrishnan's factor below 1 falls as the face's extrapolation grows, so
                // it too is smallest at the largest increase or decrease
                let factor = |bound: f64, delta: f64| match kind {
                    Some(VectorLimiter::Venkatakrishnan(epsilon2)) => {
                        venkatakrishnan(bound, delta, epsilon2[c])
                    }
                    _ => bound / delta,
                };
                for k in 0..3 {
                    if rise[k] > 1e-300 {
                        let f = factor(hi[k] - phi[c][k], rise[k]);
                        limit[k] = limit[k].min(f.clamp(0.0, 1.0));
                    }
                    if fall[k] < -1e-300 {
                        let f = factor(lo[k] - phi[c][k], fall[k]);
                        limit[k] = limit[k].min(f.clamp(0.0, 1.0));
                    }
                }
            }
            (grad, limit)
        };
        match limits {
            Some(limits) => grads
                .par_chunks_mut(CHUNK)
                .zip(limits.par_chunks_mut(CHUNK))
                .enumerate()
                .for_each(|(block, (g, l))| {
                    for i in 0..g.len() {
                        (g[i], l[i]) = cell(block * CHUNK + i);
                    }
                }),
            None => grads
                .par_chunks_mut(CHUNK)
                .enumerate()
                .for_each(|(block, g)| {
                    for (i, g) in g.iter_mut().enumerate() {
                        *g = cell(block * CHUNK + i).0;
                    }
                }),
        }
    }
}

/// Green–Gauss cell gradients with linearly interpolated face values (`owner_weight[f]` is
/// the owner's share at internal face `f`; `boundary(f)` gives boundary-face values), gathered
/// per cell in parallel. Unlike the least-squares gradient it is conservative: `Σ V ∇φ`
/// telescopes to the boundary integral of `φ n dA`, which is what a pressure force in a
/// momentum balance must do.
pub fn gauss(
    mesh: &Mesh,
    cell_faces: &CellFaces,
    owner_weight: &[f64],
    phi: &[f64],
    boundary: impl Fn(usize) -> f64 + Sync,
    grad: &mut [Vec3],
) {
    let ni = mesh.n_internal_faces;
    grad.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(block, out)| {
            for (i, g) in out.iter_mut().enumerate() {
                let c = block * CHUNK + i;
                let mut sum = [0.0f64; 3];
                for &f in cell_faces.of(c) {
                    let f = f as usize;
                    let p = mesh.owner[f] as usize;
                    let s = mesh.face_area[f];
                    let (value, sign) = if f < ni {
                        let q = mesh.neighbour[f] as usize;
                        let w = owner_weight[f];
                        (
                            super::fvc::linear(w, phi[p], phi[q]),
                            if p == c { 1.0 } else { -1.0 },
                        )
                    } else {
                        (boundary(f), 1.0)
                    };
                    for k in 0..3 {
                        sum[k] += sign * value * s[k];
                    }
                }
                let v = mesh.cell_volume[c];
                *g = [sum[0] / v, sum[1] / v, sum[2] / v];
            }
        });
}

/// The limiter of a bounded vector reconstruction ([`LeastSquares::gradient_vec3`]).
#[derive(Debug, Clone, Copy)]
pub enum VectorLimiter<'a> {
    /// Barth–Jespersen: the reconstruction at every face stays within the neighbourhood's
    /// extremes (see [`limiter`]). Its factor is a minimum over faces of a ratio, so it switches
    /// from one iteration to the next where a face's extrapolation crosses a bound.
    BarthJespersen,
    /// Venkatakrishnan's smooth version (AIAA 93-0880), ε² per cell: differences in the
    /// neighbourhood below about ε are not limited, and the factor varies smoothly with the
    /// field where they are (a small overshoot of the bounds is allowed in exchange).
    Venkatakrishnan(&'a [f64]),
}

/// Venkatakrishnan's limiter of one face: `bound` the neighbourhood's extreme less the cell's
/// value, `delta` the face's extrapolation (same sign), `epsilon2` the smoothing ε²; 1 for a
/// vanishing extrapolation, `bound/delta` for ε → 0 and large ratios, and above 1 for some
/// (clamped by the caller).
#[inline]
pub fn venkatakrishnan(bound: f64, delta: f64, epsilon2: f64) -> f64 {
    let (b2, d2) = (bound * bound, delta * delta);
    (b2 + epsilon2 + 2.0 * delta * bound) / (b2 + 2.0 * d2 + bound * delta + epsilon2)
}

/// Barth–Jespersen limiter factor per cell: the linear reconstruction at every face centre stays
/// within the extremes of the cell, its face neighbours and its boundary-face values where
/// `boundary(f)` knows them (bounded convection schemes). Without the boundary values a cell
/// next to a no-slip wall is usually the minimum of its neighbourhood and loses its gradient
/// entirely, which on unstructured cells turns the scheme first order across the flow.
///
/// Gathered per cell in parallel. The smallest bound/delta over a cell's faces comes from its
/// largest increase and its largest decrease (division is monotone), so two divisions per
/// cell give the factor a division per face would (as in [`LeastSquares::gradient_vec3`]).
/// With `cells`, only the cells flagged get a factor (the others 0: no correction).
pub fn limiter(
    mesh: &Mesh,
    cell_faces: &CellFaces,
    phi: &[f64],
    grad: &[Vec3],
    cells: Option<&[bool]>,
    boundary: impl Fn(usize) -> Option<f64> + Sync,
) -> Vec<f64> {
    let ni = mesh.n_internal_faces;
    (0..mesh.n_cells())
        .into_par_iter()
        .with_min_len(1024)
        .map(|c| {
            if cells.is_some_and(|wanted| !wanted[c]) {
                return 0.0;
            }
            let (mut lo, mut hi) = (phi[c], phi[c]);
            let (mut rise, mut fall) = (1e-300f64, -1e-300f64);
            for &f in cell_faces.of(c) {
                let f = f as usize;
                let value = if f < ni {
                    let p = mesh.owner[f] as usize;
                    Some(
                        phi[if p == c {
                            mesh.neighbour[f] as usize
                        } else {
                            p
                        }],
                    )
                } else {
                    boundary(f)
                };
                if let Some(v) = value {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
                let r = crate::mesh::sub(mesh.face_centre[f], mesh.cell_centre[c]);
                let delta = crate::mesh::dot(grad[c], r);
                rise = rise.max(delta);
                fall = fall.min(delta);
            }
            let mut limit = 1.0f64;
            if rise > 1e-300 {
                limit = limit.min(((hi - phi[c]) / rise).clamp(0.0, 1.0));
            }
            if fall < -1e-300 {
                limit = limit.min(((lo - phi[c]) / fall).clamp(0.0, 1.0));
            }
            limit
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::dot;
    use crate::mesh::structured::{BoxArrays, BoxCells};

    /// A cell selection computes the selected cells' gradients and limiter factors as the full
    /// computation does, and leaves the others zero.
    #[test]
    fn selected_cells_match_the_full_computation() {
        let mesh = BoxArrays::new([4, 3, 3], [1.0, 0.7, 0.5], BoxCells::Tetra)
            .build()
            .unwrap();
        let ls = LeastSquares::new(&mesh, vec![false; mesh.n_internal_faces]);
        let cf = CellFaces::new(&mesh);
        let phi: Vec<f64> = mesh
            .cell_centre
            .iter()
            .map(|x| (3.0 * x[0]).sin() + x[1] * x[2])
            .collect();
        let face = |f: usize, _: bool| (0.3 * mesh.face_centre[f][0], [0.0; 3]);
        let wanted: Vec<bool> = (0..mesh.n_cells()).map(|c| c % 3 == 0).collect();
        let all = ls.gradient_implicit(&mesh, &cf, &phi, None, face);
        let some = ls.gradient_implicit(&mesh, &cf, &phi, Some(&wanted), face);
        let all_limits = limiter(&mesh, &cf, &phi, &all, None, |_| None);
        let some_limits = limiter(&mesh, &cf, &phi, &some, Some(&wanted), |_| None);
        for c in 0..mesh.n_cells() {
            if wanted[c] {
                assert_eq!(some[c], all[c]);
                assert_eq!(some_limits[c], all_limits[c]);
            } else {
                assert_eq!(some[c], [0.0; 3]);
                assert_eq!(some_limits[c], 0.0);
            }
        }
        assert!(all.iter().any(|g| g != &[0.0; 3]));
    }

    /// Face points that depend on the cell's own gradient: the implicit gradient is the fixed
    /// point that lagging the dependence converges to, and it is exact for a linear field whose
    /// face points extrapolate it (`v + a · ∇φ` with `v` the value at the face minus `a · ∇φ`).
    #[test]
    fn implicit_face_points_give_the_lagged_fixed_point() {
        let mesh = BoxArrays::new([4, 3, 3], [1.0, 0.7, 0.5], BoxCells::Tetra)
            .build()
            .unwrap();
        let ls = LeastSquares::new(&mesh, vec![false; mesh.n_internal_faces]);
        let cf = CellFaces::new(&mesh);
        let exact = [2.0, -1.0, 0.5];
        let field = |x: Vec3| 1.0 + dot(exact, x);
        let phi: Vec<f64> = mesh.cell_centre.iter().map(|&x| field(x)).collect();
        // a skewed extrapolation: the face point reads the gradient along this vector, a
        // fraction of the cell size as a non-orthogonal offset is
        let a_of = |f: usize| {
            let d = crate::mesh::sub(
                mesh.face_centre[f],
                mesh.cell_centre[mesh.owner[f] as usize],
            );
            [0.3 * d[1], -0.25 * d[2], 0.2 * d[0]]
        };
        let implicit = ls.gradient_implicit(&mesh, &cf, &phi, None, |f, _| {
            let a = a_of(f);
            (field(mesh.face_centre[f]) - dot(a, exact), a)
        });
        for g in &implicit {
            for j in 0..3 {
                assert!((g[j] - exact[j]).abs() < 1e-10, "{g:?}");
            }
        }
        // an arbitrary (non-linear) field: lag the dependence until it settles
        let phi: Vec<f64> = mesh
            .cell_centre
            .iter()
            .map(|x| (3.0 * x[0]).sin() + x[1] * x[2])
            .collect();
        let value = |f: usize| 0.3 * mesh.face_centre[f][0];
        let implicit = ls.gradient_implicit(&mesh, &cf, &phi, None, |f, _| (value(f), a_of(f)));
        let mut lagged = vec![[0.0; 3]; mesh.n_cells()];
        for _ in 0..200 {
            let previous = lagged.clone();
            lagged = ls.gradient(&mesh, &cf, &phi, |f, _| {
                value(f) + dot(a_of(f), previous[mesh.owner[f] as usize])
            });
        }
        for (g, l) in implicit.iter().zip(&lagged) {
            for j in 0..3 {
                assert!(
                    (g[j] - l[j]).abs() < 1e-9 * (1.0 + l[j].abs()),
                    "{g:?} {l:?}"
                );
            }
        }
    }

    /// Venkatakrishnan's factor: 1 for a vanishing extrapolation, near Barth–Jespersen's at
    /// ε = 0 (a few per cent below it for moderate ratios), rising towards 1 with ε; the vector
    /// limiter with it stays within [0.75 BJ, 1] (ε = 0 gives 3/4 at a ratio 1) per cell and component and limits less somewhere.
    #[test]
    fn venkatakrishnan_is_a_smooth_barth_jespersen() {
        assert!((venkatakrishnan(0.3, 1e-12, 1e-6) - 1.0).abs() < 1e-6);
        for (bound, delta) in [(0.3, 1.0), (1.0, 4.0), (-0.2, -0.5)] {
            let bj = f64::min(bound / delta, 1.0);
            assert!((venkatakrishnan(bound, delta, 0.0) - bj).abs() < 0.15 * bj + 1e-12);
            assert!(venkatakrishnan(bound, delta, 1e-3) > venkatakrishnan(bound, delta, 0.0));
        }
        // ε → 0 and a large ratio delta/bound: bound/delta
        let r = venkatakrishnan(1e-3, 1.0, 0.0);
        assert!((r / 1e-3 - 1.0).abs() < 1e-2, "{r}");
        let mesh = BoxArrays::new([4, 3, 3], [1.0, 0.7, 0.5], BoxCells::Tetra)
            .build()
            .unwrap();
        let n = mesh.n_cells();
        let ls = LeastSquares::new(&mesh, vec![false; mesh.n_internal_faces]);
        let cf = CellFaces::new(&mesh);
        let field = |x: Vec3| [x[0] * x[0], (3.0 * x[1]).sin(), x[0] * x[1] + x[2] * x[2]];
        let phi: Vec<Vec3> = mesh.cell_centre.iter().map(|&x| field(x)).collect();
        let boundary = |f: usize| field(mesh.face_centre[f]);
        let mut grads = vec![[[0.0; 3]; 3]; n];
        let (mut bj, mut smooth) = (vec![[0.0; 3]; n], vec![[0.0; 3]; n]);
        ls.gradient_vec3(
            &mesh,
            &cf,
            &phi,
            boundary,
            &mut grads,
            Some((&mut bj, VectorLimiter::BarthJespersen)),
        );
        let epsilon2 = vec![1e-4; n];
        ls.gradient_vec3(
            &mesh,
            &cf,
            &phi,
            boundary,
            &mut grads,
            Some((&mut smooth, VectorLimiter::Venkatakrishnan(&epsilon2))),
        );
        for c in 0..n {
            for k in 0..3 {
                assert!(smooth[c][k] >= 0.75 * bj[c][k] - 1e-12 && smooth[c][k] <= 1.0);
            }
        }
        assert!(bj.iter().zip(&smooth).any(|(b, s)| s[0] > b[0]));
    }

    /// The vector gradient is exact for a linear field on tetrahedra, and its limiter factors
    /// are the scalar limiter's, component by component.
    #[test]
    fn vector_gradient_and_limiter_match_the_scalar_ones() {
        let mesh = BoxArrays::new([4, 3, 3], [1.0, 0.7, 0.5], BoxCells::Tetra)
            .build()
            .unwrap();
        let n = mesh.n_cells();
        let ls = LeastSquares::new(&mesh, vec![false; mesh.n_internal_faces]);
        let cf = CellFaces::new(&mesh);
        let field = |x: Vec3| [2.0 * x[0] - x[1], 0.5 + x[2], x[0] * x[1] + x[2] * x[2]];
        let phi: Vec<Vec3> = mesh.cell_centre.iter().map(|&x| field(x)).collect();
        let boundary = |f: usize| field(mesh.face_centre[f]);
        let mut grads = vec![[[0.0; 3]; 3]; n];
        let mut limits = vec![[0.0; 3]; n];
        ls.gradient_vec3(
            &mesh,
            &cf,
            &phi,
            boundary,
            &mut grads,
            Some((&mut limits, VectorLimiter::BarthJespersen)),
        );
        for c in 0..n {
            for (k, exact) in [[2.0, -1.0, 0.0], [0.0, 0.0, 1.0]].iter().enumerate() {
                for j in 0..3 {
                    assert!((grads[c][k][j] - exact[j]).abs() < 1e-10, "cell {c}");
                }
            }
        }
        for k in 0..3 {
            let comp: Vec<f64> = phi.iter().map(|v| v[k]).collect();
            let grad = ls.gradient(&mesh, &cf, &comp, |f, _| boundary(f)[k]);
            let scalar = limiter(&mesh, &cf, &comp, &grad, None, |f| Some(boundary(f)[k]));
            for c in 0..n {
                for j in 0..3 {
                    assert!((grad[c][j] - grads[c][k][j]).abs() < 1e-12);
                }
                assert!(
                    (scalar[c] - limits[c][k]).abs() < 1e-12,
                    "cell {c}, component {k}: {} against {}",
                    scalar[c],
                    limits[c][k]
                );
            }
        }
        // and the limiter does act on the quadratic component somewhere
        assert!(limits.iter().any(|l| l[2] < 1.0));
    }
}
