//! Finite-volume operators on a [`Mesh`](crate::mesh::Mesh).
//!
//! Face fluxes use two-point conductances between the points `P' = C_f − d_P n` and
//! `N' = C_f + d_N n` on the face normal through the face centre, so that
//! `G = A / (d_P/k_P + d_N/k_N + R_c)` is exact for a 1D composite wall with contact resistance.
//! The values at `P'` and `N'` are extrapolated from the cell centres with the cell gradients;
//! that extrapolation is the non-orthogonal (and skewness) correction, applied as a deferred
//! explicit term. On orthogonal meshes it vanishes and no gradient is needed.

pub mod boundary;
pub mod fused;
pub mod fv_matrix;
pub mod fvc;
pub mod fvm;
pub mod gradient;
pub mod pattern;

pub use boundary::PatchCondition;
pub use fv_matrix::FvMatrix;

use crate::mesh::{dot, sub, Mesh, Vec3};
use rayon::prelude::*;

/// Offsets `P' − C_P` (or `N' − C_N`) per face: none at all when no operator will read them
/// (an orthogonal mesh's offsets are round-off, which only a gradient-using operator multiplies),
/// one per face otherwise, exactly as computed. Indexing gives the zero vector when none are
/// stored, so the discretisation reads `offset[f]` whatever the storage. (At 1e6 hexahedra the
/// two arrays were 150 MB of round-off.)
#[derive(Debug, Clone)]
pub enum FaceOffsets {
    /// Every offset is taken as zero.
    Zero,
    /// One offset per face.
    Dense(Vec<Vec3>),
}

const ZERO_OFFSET: Vec3 = [0.0; 3];

impl std::ops::Index<usize> for FaceOffsets {
    type Output = Vec3;
    fn index(&self, f: usize) -> &Vec3 {
        match self {
            FaceOffsets::Zero => &ZERO_OFFSET,
            FaceOffsets::Dense(values) => &values[f],
        }
    }
}

/// Area and normal distances of one face's two-point flux.
#[derive(Debug, Clone, Copy)]
pub struct TwoPoint {
    /// Face area, m².
    pub area: f64,
    /// Normal distance from the owner centre to the face, m.
    pub d_owner: f64,
    /// Normal distance from the face to the neighbour centre, m (zero on boundary faces).
    pub d_neighbour: f64,
}

impl TwoPoint {
    /// The face's diffusive conductance `A / (d_P/Γ_P + d_N/Γ_N + R)`, W/K for heat: the two
    /// half-cells and a contact resistance `R` (m²K/W) in series, exact for a 1D composite wall.
    /// The one home of the harmonic two-point conductance.
    #[inline]
    pub fn conductance(&self, gamma_owner: f64, gamma_neighbour: f64, resistance: f64) -> f64 {
        self.area / (self.d_owner / gamma_owner + self.d_neighbour / gamma_neighbour + resistance)
    }

    /// The face's conductance with the diffusivity interpolated linearly between the cell
    /// centres, `A (w Γ_P + (1 − w) Γ_N) / (d_P + d_N)` with `w = d_N / (d_P + d_N)` (OpenFOAM's
    /// `Gauss linear` of `ν_eff` or `α_eff`): the harmonic mean of [`TwoPoint::conductance`]
    /// underestimates the flux of an eddy diffusivity that changes by a large factor from cell
    /// to cell across a wall layer.
    #[inline]
    pub fn linear_conductance(&self, gamma_owner: f64, gamma_neighbour: f64) -> f64 {
        let d = self.d_owner + self.d_neighbour;
        let w = self.d_neighbour / d;
        self.area * (w * gamma_owner + (1.0 - w) * gamma_neighbour) / d
    }

    /// A boundary face's conductance from the owner centre to the wall, `A Γ_P / d_P`.
    #[inline]
    pub fn wall_conductance(&self, gamma_owner: f64) -> f64 {
        self.area * gamma_owner / self.d_owner
    }

    /// A boundary face's conductance from the owner centre through the wall to an ambient with a
    /// film coefficient `h`: `A / (1/h + d_P/Γ_P)`.
    #[inline]
    pub fn film_conductance(&self, gamma_owner: f64, h: f64) -> f64 {
        self.area / (1.0 / h + self.d_owner / gamma_owner)
    }
}

/// Geometry of the two-point flux across each face.
#[derive(Debug, Clone)]
pub struct FaceGeometry {
    /// Face area, m²; empty when built by [`FaceGeometry::offsets_only`].
    pub area: Vec<f64>,
    /// Unit normal (owner → neighbour, or outward on the boundary); empty when built by
    /// [`FaceGeometry::offsets_only`].
    pub normal: Vec<Vec3>,
    /// Normal distance from the owner centre to the face, m; empty when built by
    /// [`FaceGeometry::offsets_only`].
    pub d_owner: Vec<f64>,
    /// Normal distance from the face to the neighbour centre, m (internal faces only); empty
    /// when built by [`FaceGeometry::offsets_only`].
    pub d_neighbour: Vec<f64>,
    /// `P' − C_P`: offset from the owner centre to its point on the face normal.
    pub owner_offset: FaceOffsets,
    /// `N' − C_N` (internal faces only).
    pub neighbour_offset: FaceOffsets,
    /// True when every offset is negligible: no correction, no gradients needed.
    pub orthogonal: bool,
}

/// Normal, area, `d_P`, `P' − C_P`, `d_N`, `N' − C_N` of face `f`.
fn two_point_geometry(mesh: &Mesh, f: usize) -> (Vec3, f64, f64, Vec3, f64, Vec3) {
    let (n, a) = mesh.face_normal(f);
    let cf = mesh.face_centre[f];
    let cp = mesh.cell_centre[mesh.owner[f] as usize];
    let to_face = sub(cf, cp);
    // a badly skewed cell may put its centre almost in the face plane: keep a floor of 0.05 ×
    // the centre-to-face distance (its square root only taken when the floor may apply)
    let floored = |d: f64, to: Vec3| {
        let reach2 = dot(to, to);
        if d < 0.0 || d * d < 0.0025 * reach2 {
            d.max(0.05 * reach2.sqrt())
        } else {
            d
        }
    };
    let dp = floored(dot(n, to_face), to_face);
    let op = sub(
        [cf[0] - dp * n[0], cf[1] - dp * n[1], cf[2] - dp * n[2]],
        cp,
    );
    let (dn, on) = if f < mesh.n_internal_faces {
        let cn = mesh.cell_centre[mesh.neighbour[f] as usize];
        let from_face = sub(cn, cf);
        let dn = floored(dot(n, from_face), from_face);
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
}

/// The normal distance from the owner centre of face `f` to the face, m: the `d_owner` of
/// [`FaceGeometry::two_point`], for a caller that keeps no geometry.
pub fn owner_distance(mesh: &Mesh, f: usize) -> f64 {
    two_point_geometry(mesh, f).2
}

impl FaceGeometry {
    /// Compute the face geometry of a mesh.
    pub fn new(mesh: &Mesh) -> Self {
        Self::build(mesh, true, true)
    }

    /// Only the offsets: areas and distances are computed per face by
    /// [`FaceGeometry::two_point`] when needed, no normals. For operators assembled once or a
    /// few times (conduction), where 32 bytes per face (~100 MB at 1e6 cells) matter more than
    /// a few flops per face and assembly. On an orthogonal mesh the offsets are stored only with
    /// `keep_round_off` (an operator that computes gradients there anyway multiplies them).
    pub fn offsets_only(mesh: &Mesh, keep_round_off: bool) -> Self {
        Self::build(mesh, false, keep_round_off)
    }

    /// Store the areas and distances that [`FaceGeometry::offsets_only`] left out, for an
    /// operator that turns out to be assembled many times (an energy solve that goes to
    /// Newton–Krylov assembles a right-hand side per Krylov vector; recomputing them there was 7 %
    /// of its time on the corpus microchannel plate).
    pub fn store_distances(&mut self, mesh: &Mesh) {
        if !self.area.is_empty() {
            return;
        }
        let ni = mesh.n_internal_faces;
        let nf = mesh.n_faces();
        let two_point = |f: usize| two_point_geometry(mesh, f);
        self.area = (0..nf).into_par_iter().map(|f| two_point(f).1).collect();
        self.d_owner = (0..nf).into_par_iter().map(|f| two_point(f).2).collect();
        self.d_neighbour = (0..ni).into_par_iter().map(|f| two_point(f).4).collect();
    }

    /// Area and distances of face `f`: the stored ones, or computed (identically) from the mesh
    /// when this geometry keeps none.
    #[inline]
    pub fn two_point(&self, mesh: &Mesh, f: usize) -> TwoPoint {
        if self.area.is_empty() {
            let (_, area, d_owner, _, d_neighbour, _) = two_point_geometry(mesh, f);
            return TwoPoint {
                area,
                d_owner,
                d_neighbour,
            };
        }
        TwoPoint {
            area: self.area[f],
            d_owner: self.d_owner[f],
            d_neighbour: self.d_neighbour.get(f).copied().unwrap_or(0.0),
        }
    }

    fn build(mesh: &Mesh, stored: bool, keep_round_off: bool) -> Self {
        let nf = mesh.n_faces();
        let ni = mesh.n_internal_faces;
        let two_point = |f: usize| two_point_geometry(mesh, f);
        // an offset below 1e-9 of the cell-to-cell distance is round-off
        let skewed = |dp: f64, op: Vec3, dn: f64, on: Vec3| {
            let tol = 1e-9 * (dp + dn);
            dot(op, op) > tol * tol || dot(on, on) > tol * tol
        };
        if stored {
            // everything in one pass (the flow reads the offsets on orthogonal meshes too)
            let mut area = vec![0.0; nf];
            let mut normal = vec![[0.0; 3]; nf];
            let mut d_owner = vec![0.0; nf];
            let mut d_neighbour = vec![0.0; nf];
            let mut owner_offset = vec![[0.0; 3]; nf];
            let mut neighbour_offset = vec![[0.0; 3]; nf];
            let any_skewed = area
                .par_iter_mut()
                .zip(normal.par_iter_mut())
                .zip(d_owner.par_iter_mut())
                .zip(d_neighbour.par_iter_mut())
                .zip(owner_offset.par_iter_mut())
                .zip(neighbour_offset.par_iter_mut())
                .enumerate()
                .map(|(f, (((((area, normal), d_owner), d_nb), op), on))| {
                    let (n, a, dp, o, dn, o_n) = two_point(f);
                    (*area, *normal, *d_owner, *d_nb, *op, *on) = (a, n, dp, dn, o, o_n);
                    skewed(dp, o, dn, o_n)
                })
                .reduce(|| false, |x, y| x || y);
            d_neighbour.truncate(ni);
            neighbour_offset.truncate(ni);
            return FaceGeometry {
                area,
                normal,
                d_owner,
                d_neighbour,
                owner_offset: FaceOffsets::Dense(owner_offset),
                neighbour_offset: FaceOffsets::Dense(neighbour_offset),
                orthogonal: !any_skewed,
            };
        }
        let orthogonal = !(0..nf).into_par_iter().any(|f| {
            let (_, _, dp, op, dn, on) = two_point(f);
            skewed(dp, op, dn, on)
        });
        let (owner_offset, neighbour_offset) = if orthogonal && !keep_round_off {
            (FaceOffsets::Zero, FaceOffsets::Zero)
        } else {
            (
                FaceOffsets::Dense((0..nf).into_par_iter().map(|f| two_point(f).3).collect()),
                FaceOffsets::Dense((0..ni).into_par_iter().map(|f| two_point(f).5).collect()),
            )
        };
        FaceGeometry {
            area: Vec::new(),
            normal: Vec::new(),
            d_owner: Vec::new(),
            d_neighbour: Vec::new(),
            owner_offset,
            neighbour_offset,
            orthogonal,
        }
    }
}
