//! Weighted least-squares cell gradients, exact for linear fields on any mesh.
//!
//! Each cell fits a linear field to values at neighbouring points. The points are neighbour
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
