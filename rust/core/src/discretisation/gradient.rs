//! Cell gradients: weighted least squares (exact for linear fields on any mesh), Green–Gauss
//! (conservative, for pressure forces), and the Barth–Jespersen limiter of bounded schemes.
//!
//! Least squares: each cell fits a linear field to values at neighbouring points. The points are neighbour
//! centres, or, where the caller supplies them, face points (region interfaces, where the
//! temperature gradient jumps, and boundary faces).

use crate::mesh::{Mesh, Vec3};
use rayon::prelude::*;

/// Per-cell inverse of the least-squares normal matrix `Σ w d dᵀ`, precomputed once.
#[derive(Debug, Clone)]
pub struct LeastSquares {
    inverse: Vec<[f64; 9]>,
    /// Per face: the owner's stencil point (neighbour centre or face centre) offset from the owner centre.
    owner_delta: Vec<Vec3>,
    /// Per internal face: the neighbour's stencil point offset from the neighbour centre.
    neighbour_delta: Vec<Vec3>,
    /// Per internal face: whether the stencil uses the face point instead of the other cell's centre.
    use_face: Vec<bool>,
}

fn weight(d: Vec3) -> f64 {
    1.0 / (d[0] * d[0] + d[1] * d[1] + d[2] * d[2])
}

fn invert(m: [f64; 9]) -> [f64; 9] {
    let det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6])
        + m[2] * (m[3] * m[7] - m[4] * m[6]);
    if det.abs() < 1e-300 {
        return [0.0; 9];
    }
    let i = 1.0 / det;
    [
        (m[4] * m[8] - m[5] * m[7]) * i,
        (m[2] * m[7] - m[1] * m[8]) * i,
        (m[1] * m[5] - m[2] * m[4]) * i,
        (m[5] * m[6] - m[3] * m[8]) * i,
        (m[0] * m[8] - m[2] * m[6]) * i,
        (m[2] * m[3] - m[0] * m[5]) * i,
        (m[3] * m[7] - m[4] * m[6]) * i,
        (m[1] * m[6] - m[0] * m[7]) * i,
        (m[0] * m[4] - m[1] * m[3]) * i,
    ]
}

impl LeastSquares {
    /// `use_face[f]` (internal faces) selects face points instead of neighbour centres.
    /// Boundary faces always contribute their face point.
    pub fn new(mesh: &Mesh, use_face: Vec<bool>) -> Self {
        let n = mesh.n_cells();
        let ni = mesh.n_internal_faces;
        let mut owner_delta = Vec::with_capacity(mesh.n_faces());
        let mut neighbour_delta = Vec::with_capacity(ni);
        for f in 0..mesh.n_faces() {
            let cp = mesh.cell_centre[mesh.owner[f] as usize];
            let cf = mesh.face_centre[f];
            if f < ni {
                let cn = mesh.cell_centre[mesh.neighbour[f] as usize];
                if use_face[f] {
                    owner_delta.push(crate::mesh::sub(cf, cp));
                    neighbour_delta.push(crate::mesh::sub(cf, cn));
                } else {
                    owner_delta.push(crate::mesh::sub(cn, cp));
                    neighbour_delta.push(crate::mesh::sub(cp, cn));
                }
            } else {
                owner_delta.push(crate::mesh::sub(cf, cp));
            }
        }
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
            add(mesh.owner[f] as usize, owner_delta[f]);
            if f < ni {
                add(mesh.neighbour[f] as usize, neighbour_delta[f]);
            }
        }
        let inverse = m.into_par_iter().map(invert).collect();
        LeastSquares {
            inverse,
            owner_delta,
            neighbour_delta,
            use_face,
        }
    }

    /// Gradients of a cell field. `face_value(f, is_owner_side)` gives the value at a face point
    /// (every boundary face, and internal faces flagged `use_face`).
    pub fn gradient(
        &self,
        mesh: &Mesh,
        phi: &[f64],
        face_value: impl Fn(usize, bool) -> f64,
    ) -> Vec<Vec3> {
        let n = mesh.n_cells();
        let ni = mesh.n_internal_faces;
        let mut rhs = vec![[0.0; 3]; n];
        for f in 0..mesh.n_faces() {
            let p = mesh.owner[f] as usize;
            if f < ni {
                let q = mesh.neighbour[f] as usize;
                let (dp, dq) = if self.use_face[f] {
                    (face_value(f, true) - phi[p], face_value(f, false) - phi[q])
                } else {
                    (phi[q] - phi[p], phi[p] - phi[q])
                };
                let (a, b) = (self.owner_delta[f], self.neighbour_delta[f]);
                let (wa, wb) = (weight(a) * dp, weight(b) * dq);
                for k in 0..3 {
                    rhs[p][k] += wa * a[k];
                    rhs[q][k] += wb * b[k];
                }
            } else {
                let a = self.owner_delta[f];
                let wa = weight(a) * (face_value(f, true) - phi[p]);
                for k in 0..3 {
                    rhs[p][k] += wa * a[k];
                }
            }
        }
        rhs.par_iter()
            .zip(&self.inverse)
            .map(|(r, m)| {
                [
                    m[0] * r[0] + m[1] * r[1] + m[2] * r[2],
                    m[3] * r[0] + m[4] * r[1] + m[5] * r[2],
                    m[6] * r[0] + m[7] * r[1] + m[8] * r[2],
                ]
            })
            .collect()
    }
}

/// Green–Gauss cell gradients with linearly interpolated face values (`owner_weight[f]` is
/// the owner's share at internal face `f`; `boundary(f)` gives boundary-face values). Unlike the
/// least-squares gradient it is conservative: `Σ V ∇φ` telescopes to the boundary integral of
/// `φ n dA`, which is what a pressure force in a momentum balance must do.
pub fn gauss(
    mesh: &Mesh,
    owner_weight: &[f64],
    phi: &[f64],
    boundary: impl Fn(usize) -> f64,
) -> Vec<Vec3> {
    let mut grad = vec![[0.0f64; 3]; mesh.n_cells()];
    for f in 0..mesh.n_faces() {
        let p = mesh.owner[f] as usize;
        let s = mesh.face_area[f];
        let value = if f < mesh.n_internal_faces {
            let q = mesh.neighbour[f] as usize;
            let w = owner_weight[f];
            let v = w * phi[p] + (1.0 - w) * phi[q];
            for k in 0..3 {
                grad[q][k] -= v * s[k];
            }
            v
        } else {
            boundary(f)
        };
        for k in 0..3 {
            grad[p][k] += value * s[k];
        }
    }
    grad.par_iter_mut().enumerate().for_each(|(c, g)| {
        let v = mesh.cell_volume[c];
        for x in g.iter_mut() {
            *x /= v;
        }
    });
    grad
}

/// Barth–Jespersen limiter factor per cell: the linear reconstruction at every face centre stays
/// within the extremes of the cell, its face neighbours and its boundary-face values where
/// `boundary(f)` knows them (bounded convection schemes). Without the boundary values a cell
/// next to a no-slip wall is usually the minimum of its neighbourhood and loses its gradient
/// entirely, which on unstructured cells turns the scheme first order across the flow.
pub fn limiter(
    mesh: &Mesh,
    phi: &[f64],
    grad: &[Vec3],
    boundary: impl Fn(usize) -> Option<f64>,
) -> Vec<f64> {
    let n = mesh.n_cells();
    let mut lo = phi.to_vec();
    let mut hi = phi.to_vec();
    for f in 0..mesh.n_internal_faces {
        let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
        lo[p] = lo[p].min(phi[q]);
        hi[p] = hi[p].max(phi[q]);
        lo[q] = lo[q].min(phi[p]);
        hi[q] = hi[q].max(phi[p]);
    }
    for f in mesh.n_internal_faces..mesh.n_faces() {
        if let Some(value) = boundary(f) {
            let p = mesh.owner[f] as usize;
            lo[p] = lo[p].min(value);
            hi[p] = hi[p].max(value);
        }
    }
    let mut limit = vec![1.0f64; n];
    let mut visit = |c: usize, f: usize| {
        let r = crate::mesh::sub(mesh.face_centre[f], mesh.cell_centre[c]);
        let delta = crate::mesh::dot(grad[c], r);
        let bound = if delta > 0.0 {
            hi[c] - phi[c]
        } else {
            lo[c] - phi[c]
        };
        if delta.abs() > 1e-300 {
            limit[c] = limit[c].min((bound / delta).clamp(0.0, 1.0));
        }
    };
    for f in 0..mesh.n_faces() {
        visit(mesh.owner[f] as usize, f);
        if f < mesh.n_internal_faces {
            visit(mesh.neighbour[f] as usize, f);
        }
    }
    limit
}
