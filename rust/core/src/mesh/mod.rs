//! Polyhedral finite-volume mesh.
//!
//! A [`Mesh`] is built once from flat cell/point arrays ([`MeshInput`]) by [`Mesh::build`]:
//! faces are matched between cells (owner/neighbour addressing, internal faces first,
//! owner index below neighbour index), boundary faces are sorted by patch, and geometry
//! (face area vectors, centres, cell volumes and centroids) is computed. Building checks
//! the mesh and reports every malformed cell or face it finds, by index.
//! [`Mesh::build_local`] first renumbers a scattered cell numbering for memory locality
//! ([`renumber`]); its errors still name the input's cells.
//!
//! Invariants of a built mesh:
//! * every internal face's area vector points from owner to neighbour, every boundary face's out of the domain;
//! * the area vectors of each closed cell sum to zero;
//! * cell volumes are positive.

mod build;
mod cell_faces;
pub mod checks;
mod geometry;
mod quality;
pub mod renumber;
pub mod structured;
mod subset;
pub mod wall_cells;
pub mod wall_distance;

pub use build::{CellShape, MeshInput};
pub use cell_faces::CellFaces;
pub use quality::QualityReport;
pub use subset::SubsetMap;

/// Three-component vector of `f64`.
pub type Vec3 = [f64; 3];

/// The built mesh. Fields are public for the discretisation; they are never mutated after build.
#[derive(Debug, Clone)]
pub struct Mesh {
    /// Vertex coordinates, m.
    pub points: Vec<Vec3>,
    /// Face vertex lists in compressed form: face `f` has `face_vertices[face_offsets[f]..face_offsets[f + 1]]`
    /// (`u32`: half the memory of `usize`; a mesh has fewer than 2³² face vertices).
    pub face_offsets: Vec<u32>,
    /// See [`Mesh::face_offsets`].
    pub face_vertices: Vec<u32>,
    /// Cell on the side the face normal points away from.
    pub owner: Vec<u32>,
    /// Cell on the side the normal points to; internal faces only (length `n_internal_faces`).
    pub neighbour: Vec<u32>,
    /// Faces `0..n_internal_faces` are internal, the rest are boundary faces grouped by patch.
    pub n_internal_faces: usize,
    /// Face area vectors (|S| = area), m².
    pub face_area: Vec<Vec3>,
    /// Face centroids, m.
    pub face_centre: Vec<Vec3>,
    /// Cell centroids, m.
    pub cell_centre: Vec<Vec3>,
    /// Cell volumes, m³.
    pub cell_volume: Vec<f64>,
    /// Region index of each cell.
    pub cell_region: Vec<u32>,
    /// Region names, by index.
    pub region_names: Vec<String>,
    /// Patch names, by index. The last one is the patch of untagged boundary faces, if any.
    pub patch_names: Vec<String>,
    /// Boundary faces of patch `p` are `patch_start[p]..patch_start[p + 1]` (global face indices).
    pub patch_start: Vec<usize>,
}

/// Name of the patch that collects boundary faces no input patch tagged.
pub const UNTAGGED_PATCH: &str = "untagged";

impl Mesh {
    /// Number of cells.
    pub fn n_cells(&self) -> usize {
        self.cell_volume.len()
    }
    /// Number of faces, internal and boundary.
    pub fn n_faces(&self) -> usize {
        self.owner.len()
    }
    /// Number of patches (including the untagged one when present).
    pub fn n_patches(&self) -> usize {
        self.patch_names.len()
    }
    /// Global face indices of patch `p`.
    pub fn patch_faces(&self, p: usize) -> std::ops::Range<usize> {
        self.patch_start[p]..self.patch_start[p + 1]
    }
    /// Patch index of boundary face `f`.
    pub fn patch_of_face(&self, f: usize) -> usize {
        debug_assert!(f >= self.n_internal_faces);
        self.patch_start.partition_point(|&s| s <= f) - 1
    }
    /// Index of a region by name.
    pub fn region_index(&self, name: &str) -> Option<usize> {
        self.region_names.iter().position(|n| n == name)
    }
    /// Index of a patch by name.
    pub fn patch_index(&self, name: &str) -> Option<usize> {
        self.patch_names.iter().position(|n| n == name)
    }
    /// Vertices of face `f`.
    pub fn face(&self, f: usize) -> &[u32] {
        &self.face_vertices[self.face_offsets[f] as usize..self.face_offsets[f + 1] as usize]
    }
    /// Unit normal and area of face `f`.
    pub fn face_normal(&self, f: usize) -> (Vec3, f64) {
        let s = self.face_area[f];
        let a = geometry::norm(s);
        ([s[0] / a, s[1] / a, s[2] / a], a)
    }
    /// Internal faces whose two cells lie in different regions, with the (lower, higher) region pair.
    pub fn interface_faces(&self) -> Vec<(usize, u32, u32)> {
        (0..self.n_internal_faces)
            .filter_map(|f| {
                let a = self.cell_region[self.owner[f] as usize];
                let b = self.cell_region[self.neighbour[f] as usize];
                (a != b).then_some((f, a.min(b), a.max(b)))
            })
            .collect()
    }
    /// Total volume of each region, m³.
    pub fn region_volumes(&self) -> Vec<f64> {
        let mut v = vec![0.0; self.region_names.len()];
        for (c, &r) in self.cell_region.iter().enumerate() {
            v[r as usize] += self.cell_volume[c];
        }
        v
    }
    /// Total area of each patch, m².
    pub fn patch_areas(&self) -> Vec<f64> {
        (0..self.n_patches())
            .map(|p| {
                self.patch_faces(p)
                    .map(|f| geometry::norm(self.face_area[f]))
                    .sum()
            })
            .collect()
    }
    /// Mesh quality measures.
    pub fn quality(&self) -> QualityReport {
        quality::report(self)
    }
}

pub use geometry::{add, dot, norm, scale, sub};
