//! Finite-volume operators on a [`Mesh`](crate::mesh::Mesh).
//!
//! Face fluxes use two-point conductances between the points `P' = C_f − d_P n` and
//! `N' = C_f + d_N n` on the face normal through the face centre, so that
//! `G = A / (d_P/k_P + d_N/k_N + R_c)` is exact for a 1D composite wall with contact resistance.
//! The values at `P'` and `N'` are extrapolated from the cell centres with the cell gradients;
//! that extrapolation is the non-orthogonal (and skewness) correction, applied as a deferred
//! explicit term. On orthogonal meshes it vanishes and no gradient is needed.

pub mod gradient;
pub mod pattern;

use crate::mesh::{dot, sub, Mesh, Vec3};
use rayon::prelude::*;

/// Geometry of the two-point flux across each face.
#[derive(Debug, Clone)]
pub struct FaceGeometry {
    /// Face area, m².
    pub area: Vec<f64>,
    /// Unit normal (owner → neighbour, or outward on the boundary).
    pub normal: Vec<Vec3>,
    /// Normal distance from the owner centre to the face, m.
    pub d_owner: Vec<f64>,
    /// Normal distance from the face to the neighbour centre, m (internal faces only).
    pub d_neighbour: Vec<f64>,
    /// `P' − C_P`: offset from the owner centre to its point on the face normal.
    pub owner_offset: Vec<Vec3>,
    /// `N' − C_N` (internal faces only).
    pub neighbour_offset: Vec<Vec3>,
    /// True when every offset is negligible: no correction, no gradients needed.
    pub orthogonal: bool,
}

impl FaceGeometry {
    /// Compute the face geometry of a mesh.
    pub fn new(mesh: &Mesh) -> Self {
        let nf = mesh.n_faces();
        let ni = mesh.n_internal_faces;
        let per_face: Vec<(f64, Vec3, f64, f64, Vec3, Vec3, bool)> = (0..nf)
            .into_par_iter()
            .map(|f| {
                let (n, a) = mesh.face_normal(f);
                let cf = mesh.face_centre[f];
                let cp = mesh.cell_centre[mesh.owner[f] as usize];
                let to_face = sub(cf, cp);
                let reach = dot(to_face, to_face).sqrt();
                // a badly skewed cell may put its centre almost in the face plane: keep a floor
                let dp = dot(n, to_face).max(0.05 * reach);
                let op = sub(
                    [cf[0] - dp * n[0], cf[1] - dp * n[1], cf[2] - dp * n[2]],
                    cp,
                );
                let (dn, on) = if f < ni {
                    let cn = mesh.cell_centre[mesh.neighbour[f] as usize];
                    let from_face = sub(cn, cf);
                    let reach_n = dot(from_face, from_face).sqrt();
                    let dn = dot(n, from_face).max(0.05 * reach_n);
                    (
                        dn,
                        sub(
                            [cf[0] + dn * n[0], cf[1] + dn * n[1], cf[2] + dn * n[2]],
                            cn,
                        ),
                    )
                } else {
                    (0.0, [0.0; 3])
                };
                let scale = dp + dn;
                let tol = 1e-9 * scale;
                let orth = dot(op, op).sqrt() <= tol && dot(on, on).sqrt() <= tol;
                (a, n, dp, dn, op, on, orth)
            })
            .collect();
        let orthogonal = per_face.iter().all(|p| p.6);
        let mut g = FaceGeometry {
            area: Vec::with_capacity(nf),
            normal: Vec::with_capacity(nf),
            d_owner: Vec::with_capacity(nf),
            d_neighbour: Vec::with_capacity(ni),
            owner_offset: Vec::with_capacity(nf),
            neighbour_offset: Vec::with_capacity(ni),
            orthogonal,
        };
        for (f, (a, n, dp, dn, op, on, _)) in per_face.into_iter().enumerate() {
            g.area.push(a);
            g.normal.push(n);
            g.d_owner.push(dp);
            g.owner_offset.push(op);
            if f < ni {
                g.d_neighbour.push(dn);
                g.neighbour_offset.push(on);
            }
        }
        g
    }
}
