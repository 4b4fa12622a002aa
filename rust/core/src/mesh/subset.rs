//! A mesh made of a subset of another mesh's cells (a fluid region inside a conjugate case).
//! Faces to cells outside the subset become boundary faces of a patch named after the
//! neighbouring region (`interface:<region>`); maps lead back to the parent's cells and faces.

use super::{geometry, Mesh};

/// Maps from a subset mesh to its parent.
#[derive(Debug, Clone)]
pub struct SubsetMap {
    /// Parent cell of each subset cell (empty for the identity).
    cell: Vec<usize>,
    /// Parent face of each subset face (empty for the identity).
    face: Vec<usize>,
    /// Whether the subset face's orientation is the parent's reversed (empty for the identity).
    flipped: Vec<bool>,
    /// `Some((cells, faces))`: the subset is the parent itself, and the maps store nothing.
    identity: Option<(usize, usize)>,
}

impl SubsetMap {
    /// The maps of a mesh to itself (the subset of every cell, when no patch is empty: a
    /// subset drops empty patches), storing nothing.
    pub fn identity(mesh: &Mesh) -> Self {
        SubsetMap {
            cell: Vec::new(),
            face: Vec::new(),
            flipped: Vec::new(),
            identity: Some((mesh.n_cells(), mesh.n_faces())),
        }
    }

    /// The parent cell of each subset cell, in subset order.
    pub fn cells(&self) -> impl Iterator<Item = usize> + '_ {
        let identity = self.identity.map_or(0, |(cells, _)| cells);
        self.cell.iter().copied().chain(0..identity)
    }

    /// The parent face of each subset face and whether its orientation is reversed, in subset
    /// order.
    pub fn faces(&self) -> impl Iterator<Item = (usize, bool)> + '_ {
        let identity = self.identity.map_or(0, |(_, faces)| faces);
        self.face
            .iter()
            .copied()
            .zip(self.flipped.iter().copied())
            .chain((0..identity).map(|f| (f, false)))
    }
}

impl Mesh {
    /// The mesh of the cells for which `keep[c]` holds.
    pub fn subset(&self, keep: &[bool]) -> (Mesh, SubsetMap) {
        let mut new_index = vec![u32::MAX; self.n_cells()];
        let mut cell_map = Vec::new();
        for (c, &k) in keep.iter().enumerate() {
            if k {
                new_index[c] = cell_map.len() as u32;
                cell_map.push(c);
            }
        }
        // internal faces of the subset keep their order; then boundary faces grouped by patch
        let mut internal = Vec::new();
        // (patch key, parent face, flipped); patch key: existing patch index, or n_patches + region
        let mut boundary: Vec<(usize, usize, bool)> = Vec::new();
        let n_patches = self.n_patches();
        for f in 0..self.n_internal_faces {
            let (p, q) = (self.owner[f] as usize, self.neighbour[f] as usize);
            match (keep[p], keep[q]) {
                (true, true) => internal.push(f),
                (true, false) => {
                    boundary.push((n_patches + self.cell_region[q] as usize, f, false))
                }
                (false, true) => boundary.push((n_patches + self.cell_region[p] as usize, f, true)),
                (false, false) => {}
            }
        }
        for p in 0..n_patches {
            for f in self.patch_faces(p) {
                if keep[self.owner[f] as usize] {
                    boundary.push((p, f, false));
                }
            }
        }
        boundary.sort_by_key(|b| (b.0, b.1));
        let mut keys: Vec<usize> = boundary.iter().map(|b| b.0).collect();
        keys.dedup();
        let patch_names: Vec<String> = keys
            .iter()
            .map(|&k| {
                if k < n_patches {
                    self.patch_names[k].clone()
                } else {
                    format!("interface:{}", self.region_names[k - n_patches])
                }
            })
            .collect();
        let n_internal_faces = internal.len();
        let mut patch_start = vec![n_internal_faces];
        for (i, &k) in keys.iter().enumerate() {
            let count = boundary.iter().filter(|b| b.0 == k).count();
            patch_start.push(patch_start[i] + count);
        }
        let mut sub = Mesh {
            points: self.points.clone(),
            face_offsets: vec![0],
            face_vertices: Vec::new(),
            owner: Vec::new(),
            neighbour: Vec::new(),
            n_internal_faces,
            face_area: Vec::new(),
            face_centre: Vec::new(),
            cell_centre: cell_map.iter().map(|&c| self.cell_centre[c]).collect(),
            cell_volume: cell_map.iter().map(|&c| self.cell_volume[c]).collect(),
            cell_region: cell_map.iter().map(|&c| self.cell_region[c]).collect(),
            region_names: self.region_names.clone(),
            patch_names,
            patch_start,
        };
        let mut map = SubsetMap {
            cell: cell_map,
            face: Vec::new(),
            flipped: Vec::new(),
            identity: None,
        };
        let faces = internal
            .iter()
            .map(|&f| (f, false))
            .chain(boundary.iter().map(|b| (b.1, b.2)));
        for (i, (f, flip)) in faces.enumerate() {
            let mut verts = self.face(f).to_vec();
            let (owner, area) = if flip {
                verts.reverse();
                (self.neighbour[f], geometry::scale(self.face_area[f], -1.0))
            } else {
                (self.owner[f], self.face_area[f])
            };
            sub.face_vertices.extend(verts);
            sub.face_offsets.push(sub.face_vertices.len() as u32);
            sub.owner.push(new_index[owner as usize]);
            if i < n_internal_faces {
                sub.neighbour.push(new_index[self.neighbour[f] as usize]);
            }
            sub.face_area.push(area);
            sub.face_centre.push(self.face_centre[f]);
            map.face.push(f);
            map.flipped.push(flip);
        }
        (sub, map)
    }
}
