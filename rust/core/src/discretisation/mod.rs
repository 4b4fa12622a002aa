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

/// Offsets `P' − C_P` (or `N' − C_N`) per face, stored only where they are not negligible: none
/// on an orthogonal mesh, a slot per face plus the non-zero values when few faces need them,
/// every value otherwise. Indexing gives the zero vector for faces without an offset, so the
/// discretisation reads `offset[f]` whatever the storage. (At 1e6 hexahedra the two dense
/// arrays were 150 MB of zeros.)
#[derive(Debug, Clone)]
pub enum FaceOffsets {
    /// Every offset is zero.
    Zero,
    /// `slot[f]` indexes `values`, or is `u32::MAX` for a zero offset.
    Sparse {
        /// Index into `values` per face.
        slot: Vec<u32>,
        /// The non-zero offsets.
        values: Vec<Vec3>,
    },
    /// One offset per face.
    Dense(Vec<Vec3>),
}

const ZERO_OFFSET: Vec3 = [0.0; 3];

impl FaceOffsets {
    /// The offsets `offset(f)` of the faces `0..n`: none when no face is `kept`, only the kept
    /// ones when that takes less memory, else all of them (exactly as computed).
    fn store(n: usize, kept: &[bool], offset: impl Fn(usize) -> Vec3 + Sync) -> Self {
        let n_kept = kept[..n].iter().filter(|&&k| k).count();
        let slot_bytes = std::mem::size_of::<u32>();
        let value_bytes = std::mem::size_of::<Vec3>();
        if n_kept == 0 {
            FaceOffsets::Zero
        } else if n * slot_bytes + n_kept * value_bytes < n * value_bytes {
            let mut slot = vec![u32::MAX; n];
            let mut values = Vec::with_capacity(n_kept);
            for f in (0..n).filter(|&f| kept[f]) {
                slot[f] = values.len() as u32;
                values.push(offset(f));
            }
            FaceOffsets::Sparse { slot, values }
        } else {
            FaceOffsets::Dense((0..n).into_par_iter().map(&offset).collect())
        }
    }
}

impl std::ops::Index<usize> for FaceOffsets {
    type Output = Vec3;
    fn index(&self, f: usize) -> &Vec3 {
        match self {
            FaceOffsets::Zero => &ZERO_OFFSET,
            FaceOffsets::Sparse { slot, values } => values
                .get(slot[f] as usize)
                .unwrap_or(&ZERO_OFFSET),
            FaceOffsets::Dense(values) => &values[f],
        }
    }
}

/// Geometry of the two-point flux across each face.
#[derive(Debug, Clone)]
pub struct FaceGeometry {
    /// Face area, m².
    pub area: Vec<f64>,
    /// Unit normal (owner → neighbour, or outward on the boundary); empty when built by
    /// [`FaceGeometry::without_normals`].
    pub normal: Vec<Vec3>,
    /// Normal distance from the owner centre to the face, m.
    pub d_owner: Vec<f64>,
    /// Normal distance from the face to the neighbour centre, m (internal faces only).
    pub d_neighbour: Vec<f64>,
    /// `P' − C_P`: offset from the owner centre to its point on the face normal.
    pub owner_offset: FaceOffsets,
    /// `N' − C_N` (internal faces only).
    pub neighbour_offset: FaceOffsets,
    /// True when every offset is negligible: no correction, no gradients needed.
    pub orthogonal: bool,
}

impl FaceGeometry {
    /// Compute the face geometry of a mesh.
    pub fn new(mesh: &Mesh) -> Self {
        Self::build(mesh, true)
    }

    /// The face geometry without the unit normals, for operators that only need areas and
    /// distances (conduction): 24 bytes less per face.
    pub fn without_normals(mesh: &Mesh) -> Self {
        Self::build(mesh, false)
    }

    fn build(mesh: &Mesh, with_normals: bool) -> Self {
        let nf = mesh.n_faces();
        let ni = mesh.n_internal_faces;
        // (normal, area, d_P, P' − C_P, d_N, N' − C_N) of face f
        let two_point = |f: usize| {
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
            (n, a, dp, op, dn, on)
        };
        // Filled in place, in parallel; the offsets are computed again, for the faces that need
        // them, when they are stored (no dense temporaries: this runs on 1e6-cell meshes).
        let mut area = vec![0.0; nf];
        let mut d_owner = vec![0.0; nf];
        let kept: Vec<bool> = area
            .par_iter_mut()
            .zip(d_owner.par_iter_mut())
            .enumerate()
            .map(|(f, (area, d_owner))| {
                let (_, a, dp, op, dn, on) = two_point(f);
                *area = a;
                *d_owner = dp;
                // an offset below 1e-9 of the cell-to-cell distance is round-off
                let tol = 1e-9 * (dp + dn);
                dot(op, op).sqrt() > tol || dot(on, on).sqrt() > tol
            })
            .collect();
        let d_neighbour: Vec<f64> = (0..ni).into_par_iter().map(|f| two_point(f).4).collect();
        let normal: Vec<Vec3> = if with_normals {
            (0..nf)
                .into_par_iter()
                .map(|f| mesh.face_normal(f).0)
                .collect()
        } else {
            Vec::new()
        };
        FaceGeometry {
            area,
            normal,
            d_owner,
            d_neighbour,
            owner_offset: FaceOffsets::store(nf, &kept, |f| two_point(f).3),
            neighbour_offset: FaceOffsets::store(ni, &kept, |f| two_point(f).5),
            orthogonal: !kept.iter().any(|&k| k),
        }
    }
}
