//! Building a [`Mesh`] from flat arrays: face matching, patch assignment, geometry and checks.

use super::geometry::{self, add, average, dot, fan_volume_range, norm, polygon, sub};
use super::{CellFaces, Mesh, Vec3, UNTAGGED_PATCH};
use crate::{Error, Result};
use rayon::prelude::*;
use std::collections::HashMap;

/// Cell shapes, by their VTK type codes (meshio uses the same vertex orderings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellShape {
    /// 4 vertices.
    Tetra,
    /// 8 vertices.
    Hexa,
    /// 6 vertices (triangular prism).
    Wedge,
    /// 5 vertices.
    Pyramid,
    /// General polyhedron given as a face stream `[n_faces, n_v, v.., n_v, v..]`.
    Polyhedron,
}

impl CellShape {
    /// The shape of a VTK cell type code.
    pub fn from_vtk(code: u8) -> Option<Self> {
        match code {
            10 => Some(Self::Tetra),
            12 => Some(Self::Hexa),
            13 => Some(Self::Wedge),
            14 => Some(Self::Pyramid),
            42 => Some(Self::Polyhedron),
            _ => None,
        }
    }
    fn n_vertices(self) -> Option<usize> {
        match self {
            Self::Tetra => Some(4),
            Self::Hexa => Some(8),
            Self::Wedge => Some(6),
            Self::Pyramid => Some(5),
            Self::Polyhedron => None,
        }
    }
    /// Each corner with its three edge neighbours, ordered so that the edges' triple product has
    /// one sign at every corner of a valid cell (positive for VTK's ordering, negative for its
    /// mirror image, which the loader also accepts). Tetrahedra are covered by their volume and
    /// polyhedra have no template; the pyramid's apex has four edges and is left out.
    fn corners(self) -> &'static [[usize; 4]] {
        match self {
            Self::Hexa => &[
                [0, 1, 3, 4],
                [1, 2, 0, 5],
                [2, 3, 1, 6],
                [3, 0, 2, 7],
                [4, 7, 5, 0],
                [5, 4, 6, 1],
                [6, 5, 7, 2],
                [7, 6, 4, 3],
            ],
            Self::Wedge => &[
                [0, 2, 1, 3],
                [1, 0, 2, 4],
                [2, 1, 0, 5],
                [3, 4, 5, 0],
                [4, 5, 3, 1],
                [5, 3, 4, 2],
            ],
            Self::Pyramid => &[[0, 1, 3, 4], [1, 2, 0, 4], [2, 3, 1, 4], [3, 0, 2, 4]],
            Self::Tetra | Self::Polyhedron => &[],
        }
    }
    fn local_faces(self) -> &'static [&'static [usize]] {
        match self {
            Self::Tetra => &[&[0, 2, 1], &[0, 1, 3], &[1, 2, 3], &[0, 3, 2]],
            Self::Hexa => &[
                &[0, 3, 2, 1],
                &[4, 5, 6, 7],
                &[0, 1, 5, 4],
                &[1, 2, 6, 5],
                &[2, 3, 7, 6],
                &[3, 0, 4, 7],
            ],
            Self::Wedge => &[
                &[0, 1, 2],
                &[3, 5, 4],
                &[0, 3, 4, 1],
                &[1, 4, 5, 2],
                &[2, 5, 3, 0],
            ],
            Self::Pyramid => &[
                &[0, 3, 2, 1],
                &[0, 1, 4],
                &[1, 2, 4],
                &[2, 3, 4],
                &[3, 0, 4],
            ],
            Self::Polyhedron => &[],
        }
    }
}

/// Flat description of a mesh, as it crosses from Python or a file reader.
#[derive(Debug, Clone, Copy)]
pub struct MeshInput<'a> {
    /// Coordinates, `3 × n_points`, m.
    pub points: &'a [f64],
    /// VTK cell type per cell (10 tetra, 12 hexa, 13 wedge, 14 pyramid, 42 polyhedron).
    pub cell_types: &'a [u8],
    /// `n_cells + 1` offsets into `cell_connectivity`.
    pub cell_offsets: &'a [i64],
    /// Vertex indices of all cells (face streams for polyhedra).
    pub cell_connectivity: &'a [i64],
    /// Region index of each cell.
    pub cell_region: &'a [i64],
    /// Region names by index.
    pub region_names: &'a [String],
    /// `n_patch_faces + 1` offsets into `patch_face_connectivity`.
    pub patch_face_offsets: &'a [i64],
    /// Vertex indices of the tagged boundary faces.
    pub patch_face_connectivity: &'a [i64],
    /// Patch index of each tagged boundary face.
    pub patch_face_patch: &'a [i64],
    /// Patch names by index.
    pub patch_names: &'a [String],
}

impl MeshInput<'_> {
    /// The vertices of cell `c` (a face stream for a polyhedron).
    pub(crate) fn cell(&self, c: usize) -> &[i64] {
        &self.cell_connectivity[self.cell_offsets[c] as usize..self.cell_offsets[c + 1] as usize]
    }

    /// Point `v`.
    pub(crate) fn point(&self, v: i64) -> Vec3 {
        let i = 3 * v as usize;
        [self.points[i], self.points[i + 1], self.points[i + 2]]
    }

    /// The vertex average of standard (not polyhedral) cell `c`, whose indices must be valid.
    pub(crate) fn vertex_average(&self, c: usize) -> Vec3 {
        let ids = self.cell(c);
        let sum = ids.iter().fold([0.0; 3], |s, &v| add(s, self.point(v)));
        geometry::scale(sum, 1.0 / ids.len() as f64)
    }

    /// Whether standard cell `c` is folded: its corners' scaled Jacobians (edge triple products
    /// over the edge lengths) change sign, so part of the cell is inside out although its volume
    /// and face pyramids may be positive — a boundary-layer prism pushed through its neighbour at
    /// a concave corner. A corner with a zero-length edge (a collapsed hexahedron) does not count.
    pub(crate) fn is_folded(&self, c: usize) -> bool {
        let Some(shape) = CellShape::from_vtk(self.cell_types[c]) else {
            return false;
        };
        let ids = self.cell(c);
        let (mut positive, mut negative) = (false, false);
        for &[corner, a, b, d] in shape.corners() {
            let origin = self.point(ids[corner]);
            let [ea, eb, ed] = [a, b, d].map(|k| sub(self.point(ids[k]), origin));
            let lengths = norm(ea) * norm(eb) * norm(ed);
            if lengths == 0.0 {
                continue;
            }
            let jacobian = dot(geometry::cross(ea, eb), ed) / lengths;
            // round-off on a flat corner is neither sign
            positive |= jacobian > 1e-9;
            negative |= jacobian < -1e-9;
        }
        positive && negative
    }
}

/// Up to this many offending items are listed in an error message.
const LISTED: usize = 8;

fn listing<T: std::fmt::Debug>(items: &[T]) -> String {
    let shown: Vec<String> = items
        .iter()
        .take(LISTED)
        .map(|i| format!("{i:?}"))
        .collect();
    if items.len() > LISTED {
        format!("{} … ({} in all)", shown.join(", "), items.len())
    } else {
        shown.join(", ")
    }
}

/// A face key: the sorted vertex list (padded, truncated to the four smallest) and the vertex count.
type Key = ([u32; 4], u32);

fn key_of(ids: &[u32]) -> Key {
    let mut k = [u32::MAX; 4];
    if ids.len() <= 4 {
        k[..ids.len()].copy_from_slice(ids);
        k.sort_unstable();
    } else {
        let mut s = ids.to_vec();
        s.sort_unstable();
        k.copy_from_slice(&s[..4]);
    }
    (k, ids.len() as u32)
}

fn sorted(ids: &[u32]) -> Vec<u32> {
    let mut s = ids.to_vec();
    s.sort_unstable();
    s
}

struct HalfFaces {
    offsets: Vec<usize>,
    vertices: Vec<u32>,
    cell: Vec<u32>,
}

impl HalfFaces {
    fn get(&self, h: usize) -> &[u32] {
        &self.vertices[self.offsets[h]..self.offsets[h + 1]]
    }
}

/// `value` as an index below `bound`; `what` names it in the error (built only on failure).
fn index(value: i64, bound: usize, what: impl FnOnce() -> String) -> Result<u32> {
    if value < 0 || value as usize >= bound {
        return Err(Error::Mesh(format!(
            "{} {value} is out of range 0..{bound}",
            what()
        )));
    }
    Ok(value as u32)
}

/// A counting sort of `0..keys.len()` by key (each key below `n_keys`): the start of each key's
/// run in the order, and the order (stable: equal keys keep their index order).
fn counting_order(keys: &[u32], n_keys: usize) -> (Vec<usize>, Vec<u32>) {
    let mut start = vec![0usize; n_keys + 1];
    for &k in keys {
        start[k as usize + 1] += 1;
    }
    for k in 0..n_keys {
        start[k + 1] += start[k];
    }
    let mut order = vec![0u32; keys.len()];
    let mut next = start.clone();
    for (i, &k) in keys.iter().enumerate() {
        order[next[k as usize]] = i as u32;
        next[k as usize] += 1;
    }
    (start, order)
}

fn offsets_ok(offsets: &[i64], len: usize, what: &str) -> Result<()> {
    if offsets.first() != Some(&0)
        || offsets.last().map(|&l| l as usize) != Some(len)
        || offsets.windows(2).any(|w| w[1] < w[0])
    {
        return Err(Error::Mesh(format!(
            "{what} offsets must start at 0, never decrease and end at the connectivity length {len}"
        )));
    }
    Ok(())
}

fn half_faces(input: &MeshInput, n_points: usize) -> Result<HalfFaces> {
    let n_cells = input.cell_types.len();
    let mut hf = HalfFaces {
        offsets: vec![0],
        vertices: Vec::with_capacity(n_cells * 24),
        cell: Vec::with_capacity(n_cells * 6),
    };
    let mut bad_types = Vec::new();
    let mut bad_counts = Vec::new();
    for c in 0..n_cells {
        let conn = input.cell(c);
        let Some(shape) = CellShape::from_vtk(input.cell_types[c]) else {
            bad_types.push((c, input.cell_types[c]));
            continue;
        };
        if shape == CellShape::Polyhedron {
            let mut ok = !conn.is_empty();
            let n_faces = conn.first().copied().unwrap_or(0);
            let mut pos = 1usize;
            let mut faces_read = 0;
            while ok && faces_read < n_faces {
                let Some(&nv) = conn.get(pos) else {
                    ok = false;
                    break;
                };
                let end = pos + 1 + nv.max(0) as usize;
                if nv < 3 || end > conn.len() {
                    ok = false;
                    break;
                }
                for &v in &conn[pos + 1..end] {
                    hf.vertices
                        .push(index(v, n_points, || format!("cell {c}: vertex"))?);
                }
                hf.offsets.push(hf.vertices.len());
                hf.cell.push(c as u32);
                pos = end;
                faces_read += 1;
            }
            if !ok || n_faces < 4 || pos != conn.len() {
                bad_counts.push(c);
            }
            continue;
        }
        if Some(conn.len()) != shape.n_vertices() {
            bad_counts.push(c);
            continue;
        }
        let mut ids = [0u32; 8];
        for (k, &v) in conn.iter().enumerate() {
            ids[k] = index(v, n_points, || format!("cell {c}: vertex"))?;
        }
        for lf in shape.local_faces() {
            hf.vertices.extend(lf.iter().map(|&k| ids[k]));
            hf.offsets.push(hf.vertices.len());
            hf.cell.push(c as u32);
        }
    }
    if !bad_types.is_empty() {
        return Err(Error::Mesh(format!(
            "unsupported cell types (cell, VTK type) {}: rackflow needs 3D cells (tetra, hexahedron, wedge, pyramid, polyhedron)",
            listing(&bad_types)
        )));
    }
    if !bad_counts.is_empty() {
        return Err(Error::Mesh(format!(
            "cells with a vertex count that does not match their type: {}",
            listing(&bad_counts)
        )));
    }
    Ok(hf)
}

impl Mesh {
    /// Build and check a mesh. Every problem found is reported in the error, with cell or face indices.
    pub fn build(input: &MeshInput) -> Result<Mesh> {
        let mesh = Self::build_unreleased(input);
        crate::release_free_memory(); // the face-matching temporaries (~250 MB at 1e6 cells)
        mesh
    }

    /// [`Mesh::build`] with the cells renumbered along a space-filling curve (within each run of
    /// one shape and region) when the input numbers them far from their neighbours, as Gmsh's
    /// tetrahedra ([`renumber`](super::renumber)). Returns the input index of each cell of the
    /// built mesh when it renumbered. Errors name the input's cell indices.
    pub fn build_local(input: &MeshInput) -> Result<(Mesh, Option<Vec<u32>>)> {
        let Some(order) = super::renumber::locality_order(input) else {
            return Ok((Self::build(input)?, None));
        };
        let cells = super::renumber::ReorderedCells::new(input, &order);
        match Self::build(&cells.input(input)) {
            Ok(mesh) => Ok((mesh, Some(order))),
            // the same mesh in the input's numbering, for an error that names its cells
            Err(_) => {
                drop(cells);
                Ok((Self::build(input)?, None))
            }
        }
    }

    fn build_unreleased(input: &MeshInput) -> Result<Mesh> {
        let mut tp = std::time::Instant::now();
        if input.points.len() % 3 != 0 {
            return Err(Error::Mesh("points must be an n × 3 array".into()));
        }
        let points: Vec<Vec3> = input
            .points
            .chunks_exact(3)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        if let Some(i) = points.iter().position(|p| p.iter().any(|x| !x.is_finite())) {
            return Err(Error::Mesh(format!(
                "point {i} has a non-finite coordinate {:?}",
                points[i]
            )));
        }
        let n_cells = input.cell_types.len();
        if n_cells == 0 {
            return Err(Error::Mesh(
                "the mesh has no 3D cells (a 2D or line-only mesh cannot be solved)".into(),
            ));
        }
        if input.cell_offsets.len() != n_cells + 1 || input.cell_region.len() != n_cells {
            return Err(Error::Mesh(format!(
                "expected {} cell offsets and {n_cells} region ids, got {} and {}",
                n_cells + 1,
                input.cell_offsets.len(),
                input.cell_region.len()
            )));
        }
        offsets_ok(input.cell_offsets, input.cell_connectivity.len(), "cell")?;
        let n_regions = input.region_names.len();
        let cell_region = input
            .cell_region
            .iter()
            .enumerate()
            .map(|(c, &r)| index(r, n_regions, || format!("cell {c}: region")))
            .collect::<Result<Vec<u32>>>()?;

        crate::ptime("input checks", &mut tp);
        let hf = half_faces(input, points.len())?;
        crate::ptime("half_faces", &mut tp);
        let n_half = hf.cell.len();
        // Group equal faces: a counting sort on the smallest vertex, then a sort of each (small)
        // bucket by the full key. Same order as sorting (key, half-face), without the big sort.
        // (the full keys are formed per bucket: a stored key per half-face would take 20 bytes
        // each, 120 MB at 1e6 hexahedra)
        let smallest: Vec<u32> = (0..n_half)
            .into_par_iter()
            .map(|h| hf.get(h).iter().copied().min().unwrap_or(0))
            .collect();
        let (bucket_start, mut order) = counting_order(&smallest, points.len());
        drop(smallest);
        crate::ptime("half faces+key+sort", &mut tp);

        // Sort each bucket by the full key and classify its runs of equal keys, in parallel over
        // ranges of buckets (each range's faces while they are in cache); the ranges' results
        // are concatenated in order, as a single sweep over all sorted half-faces would give.
        #[derive(Default)]
        struct Matched {
            internal: Vec<(u32, u32, u32)>, // (owner, neighbour, half-face)
            boundary: Vec<u32>,
            duplicated: Vec<Vec<u32>>,
            self_shared: Vec<u32>,
        }
        let classify = |m: &mut Matched, g: &[u32]| match g.len() {
            1 => m.boundary.push(g[0]),
            2 => {
                let (a, b) = (hf.cell[g[0] as usize], hf.cell[g[1] as usize]);
                if a == b {
                    m.self_shared.push(a);
                } else if a < b {
                    m.internal.push((a, b, g[0]));
                } else {
                    m.internal.push((b, a, g[1]));
                }
            }
            _ => m
                .duplicated
                .push(g.iter().map(|&h| hf.cell[h as usize]).collect()),
        };
        let n_points = points.len();
        let ranges = (rayon::current_num_threads() * 16).clamp(1, n_points.max(1));
        let mut order_rest: &mut [u32] = &mut order;
        let mut parts: Vec<(usize, &mut [u32])> = Vec::with_capacity(ranges);
        for r in 0..ranges {
            let (lo, hi) = (r * n_points / ranges, (r + 1) * n_points / ranges);
            let (part, tail) =
                std::mem::take(&mut order_rest).split_at_mut(bucket_start[hi] - bucket_start[lo]);
            parts.push((lo, part));
            order_rest = tail;
        }
        let matched: Vec<Matched> = parts
            .into_par_iter()
            .enumerate()
            .map(|(r, (lo, part))| {
                let hi = (r + 1) * n_points / ranges;
                let base = bucket_start[lo];
                let mut m = Matched {
                    internal: Vec::with_capacity(part.len() / 2),
                    ..Default::default()
                };
                let mut keyed: Vec<(Key, u32)> = Vec::new();
                for b in lo..hi {
                    let bucket = &mut part[bucket_start[b] - base..bucket_start[b + 1] - base];
                    keyed.clear();
                    keyed.extend(bucket.iter().map(|&h| (key_of(hf.get(h as usize)), h)));
                    if keyed.len() > 1 {
                        keyed.sort_unstable();
                    }
                    for (slot, &(_, h)) in bucket.iter_mut().zip(&keyed) {
                        *slot = h;
                    }
                    let mut i = 0;
                    while i < bucket.len() {
                        let key = keyed[i].0;
                        let mut j = i + 1;
                        while j < bucket.len() && keyed[j].0 == key {
                            j += 1;
                        }
                        if key.1 > 4 && j - i > 1 {
                            // faces with more than four vertices may share a key yet differ:
                            // split by the full list
                            let mut groups: Vec<(Vec<u32>, Vec<u32>)> = Vec::new();
                            for &h in &bucket[i..j] {
                                let s = sorted(hf.get(h as usize));
                                match groups.iter_mut().find(|g| g.0 == s) {
                                    Some(g) => g.1.push(h),
                                    None => groups.push((s, vec![h])),
                                }
                            }
                            for (_, g) in groups {
                                classify(&mut m, &g);
                            }
                        } else {
                            classify(&mut m, &bucket[i..j]);
                        }
                        i = j;
                    }
                }
                m
            })
            .collect();
        drop(bucket_start);
        let mut internal: Vec<(u32, u32, u32)> =
            Vec::with_capacity(matched.iter().map(|m| m.internal.len()).sum());
        let mut boundary: Vec<u32> = Vec::new();
        let mut duplicated = Vec::new();
        let mut self_shared = Vec::new();
        for m in matched {
            internal.extend_from_slice(&m.internal);
            boundary.extend_from_slice(&m.boundary);
            duplicated.extend(m.duplicated);
            self_shared.extend(m.self_shared);
        }
        drop(order);
        if !duplicated.is_empty() {
            return Err(Error::Mesh(format!(
                "duplicate faces: faces shared by more than two cells (cells per face: {}); the mesh has duplicated cells or overlapping elements",
                listing(&duplicated)
            )));
        }
        if !self_shared.is_empty() {
            return Err(Error::Mesh(format!(
                "degenerate cells that use the same face twice: {}",
                listing(&self_shared)
            )));
        }
        // Order internal faces by (owner, neighbour): a counting sort on the owner, then a sort
        // of each owner's few faces (a comparison sort of 3e6 faces took 0.1 s on one core).
        let internal = {
            let owners: Vec<u32> = internal.iter().map(|t| t.0).collect();
            let (start, order) = counting_order(&owners, n_cells);
            drop(owners);
            let mut by_owner: Vec<(u32, u32, u32)> =
                order.iter().map(|&i| internal[i as usize]).collect();
            drop(order);
            drop(internal);
            let mut groups: Vec<&mut [(u32, u32, u32)]> = Vec::with_capacity(n_cells);
            let mut rest: &mut [(u32, u32, u32)] = &mut by_owner;
            for c in 0..n_cells {
                let (group, tail) = std::mem::take(&mut rest).split_at_mut(start[c + 1] - start[c]);
                if group.len() > 1 {
                    groups.push(group);
                }
                rest = tail;
            }
            groups
                .into_par_iter()
                .with_min_len(4096)
                .for_each(|g| g.sort_unstable());
            by_owner
        };
        crate::ptime("match", &mut tp);

        // Tagged boundary faces: match each input patch face to a boundary half-face.
        let n_patch_faces = input.patch_face_patch.len();
        if input.patch_face_offsets.len() != n_patch_faces + 1 {
            return Err(Error::Mesh(format!(
                "expected {} patch face offsets, got {}",
                n_patch_faces + 1,
                input.patch_face_offsets.len()
            )));
        }
        offsets_ok(
            input.patch_face_offsets,
            input.patch_face_connectivity.len(),
            "patch face",
        )?;
        let n_input_patches = input.patch_names.len();
        let mut tag_of: HashMap<Vec<u32>, (u32, usize)> = HashMap::with_capacity(n_patch_faces);
        let mut double_tagged = Vec::new();
        for k in 0..n_patch_faces {
            let p = index(input.patch_face_patch[k], n_input_patches, || {
                format!("patch face {k}: patch")
            })?;
            let conn = &input.patch_face_connectivity
                [input.patch_face_offsets[k] as usize..input.patch_face_offsets[k + 1] as usize];
            if conn.len() < 3 {
                return Err(Error::Mesh(format!(
                    "patch '{}' face {k} has {} vertices; boundary faces need at least 3",
                    input.patch_names[p as usize],
                    conn.len()
                )));
            }
            let ids = conn
                .iter()
                .map(|&v| index(v, points.len(), || format!("patch face {k}: vertex")))
                .collect::<Result<Vec<u32>>>()?;
            if let Some(&(q, _)) = tag_of.get(&sorted(&ids)) {
                if q != p {
                    double_tagged.push((
                        input.patch_names[q as usize].clone(),
                        input.patch_names[p as usize].clone(),
                    ));
                }
                continue;
            }
            tag_of.insert(sorted(&ids), (p, k));
        }
        if !double_tagged.is_empty() {
            return Err(Error::Mesh(format!(
                "boundary faces tagged by two patches (first, second): {}; keep physical groups disjoint",
                listing(&double_tagged)
            )));
        }
        let untagged = n_input_patches as u32;
        let mut boundary_tagged: Vec<(u32, u32, u32)> = boundary
            .iter()
            .map(|&h| {
                let tag = tag_of
                    .remove(&sorted(hf.get(h as usize)))
                    .map_or(untagged, |t| t.0);
                (tag, hf.cell[h as usize], h)
            })
            .collect();
        if !tag_of.is_empty() {
            // Patch faces that are not boundary faces: fine when they lie between two cells
            // (Gmsh tags region interfaces as surfaces); an error when they match no face at all.
            let internal_keys: std::collections::HashSet<Vec<u32>> =
                if tag_of.len() < internal.len() {
                    internal
                        .iter()
                        .map(|&(_, _, h)| sorted(hf.get(h as usize)))
                        .filter(|s| tag_of.contains_key(s))
                        .collect()
                } else {
                    Default::default()
                };
            let mut orphans: Vec<(String, usize)> = tag_of
                .iter()
                .filter(|(s, _)| !internal_keys.contains(*s))
                .map(|(_, &(p, k))| (input.patch_names[p as usize].clone(), k))
                .collect();
            orphans.sort();
            if !orphans.is_empty() {
                return Err(Error::Mesh(format!(
                    "non-conforming faces: tagged boundary faces (patch, face index) {} are not faces of any cell",
                    listing(&orphans)
                )));
            }
        }
        boundary_tagged.par_sort_unstable();
        crate::ptime("patches", &mut tp);
        let has_untagged = boundary_tagged.last().is_some_and(|b| b.0 == untagged);
        let mut patch_names: Vec<String> = input.patch_names.to_vec();
        if has_untagged {
            patch_names.push(UNTAGGED_PATCH.to_string());
        }
        let n_internal_faces = internal.len();
        let mut patch_start = vec![n_internal_faces; patch_names.len() + 1];
        for p in 0..patch_names.len() {
            patch_start[p + 1] =
                n_internal_faces + boundary_tagged.partition_point(|b| (b.0 as usize) <= p);
        }

        // Face arrays.
        let n_faces = n_internal_faces + boundary_tagged.len();
        let order: Vec<u32> = internal
            .iter()
            .map(|t| t.2)
            .chain(boundary_tagged.iter().map(|t| t.2))
            .collect();
        let owner: Vec<u32> = internal
            .iter()
            .map(|t| t.0)
            .chain(boundary_tagged.iter().map(|t| t.1))
            .collect();
        let neighbour: Vec<u32> = internal.iter().map(|t| t.1).collect();
        drop(internal);
        drop(boundary_tagged);
        let mut face_offsets = Vec::with_capacity(n_faces + 1);
        face_offsets.push(0usize);
        let mut face_vertices = Vec::with_capacity(n_faces * 4);
        for &h in &order {
            face_vertices.extend_from_slice(hf.get(h as usize));
            face_offsets.push(face_vertices.len());
        }
        drop(hf);
        if u32::try_from(face_vertices.len()).is_err() {
            return Err(Error::Mesh(format!(
                "the faces have {} vertices in all; at most {} are supported",
                face_vertices.len(),
                u32::MAX
            )));
        }
        crate::ptime("face arrays", &mut tp);

        // Approximate cell centres (vertex averages) orient faces and serve as pyramid apexes.
        let cell_apex: Vec<Vec3> = (0..n_cells)
            .into_par_iter()
            .map(|c| {
                if input.cell_types[c] == 42 {
                    average(&points, &polyhedron_vertices(input.cell(c)))
                } else {
                    input.vertex_average(c)
                }
            })
            .collect();

        // Orient each face away from its owner's apex: reversing the vertex order negates the
        // area vector and keeps the centroid, so the geometry is computed once. The same pass
        // checks each side's fan pyramids (a negative one, in the final orientation, means a
        // tangled cell): bit 1 of `fold` for the owner, bit 2 for the neighbour.
        const FLIPPED: u8 = 4;
        #[allow(clippy::type_complexity)]
        let ((face_area, face_centre), fold): ((Vec<Vec3>, Vec<Vec3>), Vec<u8>) = (0..n_faces)
            .into_par_iter()
            .map(|f| {
                let ids = &face_vertices[face_offsets[f]..face_offsets[f + 1]];
                let (s, c) = polygon(&points, ids);
                let apex_o = cell_apex[owner[f] as usize];
                let flip = dot(s, sub(c, apex_o)) < 0.0;
                // a side is tangled when a pyramid points the wrong way beyond round-off
                let wrong = |(min, max): (f64, f64), apex: Vec3, outward: bool| {
                    let h = norm(sub(c, apex));
                    let tol = 1e-9 * h * h * h;
                    if outward {
                        min < -tol
                    } else {
                        max > tol
                    }
                };
                let mut bits = if flip { FLIPPED } else { 0 };
                if f < n_internal_faces {
                    let apex_n = cell_apex[neighbour[f] as usize];
                    let [o, n] = fan_volume_range(&points, ids, [apex_o, apex_n]);
                    bits |= u8::from(wrong(o, apex_o, !flip));
                    bits |= u8::from(wrong(n, apex_n, flip)) << 1;
                } else {
                    let [o] = fan_volume_range(&points, ids, [apex_o]);
                    bits |= u8::from(wrong(o, apex_o, !flip));
                }
                let s = if flip { [-s[0], -s[1], -s[2]] } else { s };
                ((s, c), bits)
            })
            .unzip();
        for (f, &bits) in fold.iter().enumerate() {
            if bits & FLIPPED != 0 {
                face_vertices[face_offsets[f]..face_offsets[f + 1]].reverse();
            }
        }
        crate::ptime("apex+flip", &mut tp);

        // Cell volumes and centroids from pyramids on the faces; negative pyramids mean a tangled
        // cell. Gathered per cell (in parallel), each cell's faces in increasing face order.
        let cell_faces = CellFaces::from_addressing(n_cells, &owner, &neighbour);
        struct CellSums {
            volume: f64,
            moment: Vec3,
            tangled: bool,
            size: f64,
        }
        let sums: Vec<CellSums> = (0..n_cells)
            .into_par_iter()
            .with_min_len(1024)
            .map(|c| {
                let apex = cell_apex[c];
                let mut sums = CellSums {
                    volume: 0.0,
                    moment: [0.0; 3],
                    tangled: false,
                    size: 0.0,
                };
                for &f in cell_faces.of(c) {
                    let f = f as usize;
                    let sign = if owner[f] as usize == c { 1.0 } else { -1.0 };
                    let v = sign * dot(face_area[f], sub(face_centre[f], apex)) / 3.0;
                    sums.volume += v;
                    // pyramid centroid: 3/4 of the way from apex to base centroid
                    for d in 0..3 {
                        sums.moment[d] += v * (0.25 * apex[d] + 0.75 * face_centre[f][d]);
                    }
                    let h = norm(sub(face_centre[f], apex));
                    sums.size = sums.size.max(h);
                    let side = if sign > 0.0 { 1 } else { 2 };
                    sums.tangled |= fold[f] & side != 0;
                }
                sums
            })
            .collect();
        drop(cell_faces);
        drop(fold);
        let cell_volume: Vec<f64> = sums.par_iter().map(|s| s.volume).collect();
        let size = |c: usize| sums[c].size;
        crate::ptime("area+volumes", &mut tp);
        let degenerate: Vec<usize> = (0..n_cells)
            .filter(|&c| cell_volume[c] <= 1e-9 * size(c).powi(3) || !cell_volume[c].is_finite())
            .collect();
        if !degenerate.is_empty() {
            return Err(Error::Mesh(format!(
                "zero-volume or inverted cells (cell ids): {}",
                listing(&degenerate)
            )));
        }
        let tangled: Vec<usize> = (0..n_cells).filter(|&c| sums[c].tangled).collect();
        if !tangled.is_empty() {
            return Err(Error::Mesh(format!(
                "inverted (tangled) cells whose faces fold through the cell (cell ids): {}; check the vertex order",
                listing(&tangled)
            )));
        }
        let folded_cells: Vec<usize> = (0..n_cells)
            .into_par_iter()
            .filter(|&c| input.is_folded(c))
            .collect();
        if let Some(&first) = folded_cells.first() {
            let at = input.vertex_average(first);
            return Err(Error::Mesh(format!(
                "folded cells whose corners turn inside out (cell ids): {}; the first, in region \
                 '{}', at ({:.4e}, {:.4e}, {:.4e}) m — boundary-layer prisms folded at a concave \
                 corner: in Gmsh make the layer stack thinner or its growth smaller there",
                listing(&folded_cells),
                input.region_names[cell_region[first] as usize],
                at[0],
                at[1],
                at[2],
            )));
        }
        let cell_centre: Vec<Vec3> = (0..n_cells)
            .into_par_iter()
            .map(|c| geometry::scale(sums[c].moment, 1.0 / cell_volume[c]))
            .collect();
        drop(sums);
        let folded: Vec<(u32, u32)> = (0..n_internal_faces)
            .filter(|&f| {
                dot(
                    face_area[f],
                    sub(
                        cell_centre[neighbour[f] as usize],
                        cell_centre[owner[f] as usize],
                    ),
                ) <= 0.0
            })
            .map(|f| (owner[f], neighbour[f]))
            .collect();
        if !folded.is_empty() {
            return Err(Error::Mesh(format!(
                "inverted cells: neighbouring cells (pairs) {} lie on the same side of their shared face",
                listing(&folded)
            )));
        }

        crate::ptime("checks", &mut tp);
        let mesh = Mesh {
            points,
            face_offsets: face_offsets.iter().map(|&o| o as u32).collect(),
            face_vertices,
            owner,
            neighbour,
            n_internal_faces,
            face_area,
            face_centre,
            cell_centre,
            cell_volume,
            cell_region,
            region_names: input.region_names.to_vec(),
            patch_names,
            patch_start,
        };
        mesh.check_coincident_boundary_faces()?;
        crate::ptime("coincident", &mut tp);
        Ok(mesh)
    }

    /// Boundary faces of different cells that lie on top of each other with opposite normals mean
    /// the mesh is not conforming there (duplicated nodes at a region interface, hanging nodes).
    fn check_coincident_boundary_faces(&self) -> Result<()> {
        let faces: Vec<usize> = (self.n_internal_faces..self.n_faces()).collect();
        if faces.is_empty() {
            return Ok(());
        }
        let bbox = |f: usize| {
            let mut lo = [f64::INFINITY; 3];
            let mut hi = [f64::NEG_INFINITY; 3];
            for &v in self.face(f) {
                let p = self.points[v as usize];
                for d in 0..3 {
                    lo[d] = lo[d].min(p[d]);
                    hi[d] = hi[d].max(p[d]);
                }
            }
            (lo, hi)
        };
        let mut h = 0.0;
        for &f in &faces {
            h += norm(self.face_area[f]).sqrt();
        }
        let h = (h / faces.len() as f64).max(f64::MIN_POSITIVE);
        let cell_of = |x: f64| (x / h).floor() as i64;
        let mut grid: HashMap<[i64; 3], Vec<u32>> = HashMap::new();
        for &f in &faces {
            let (lo, hi) = bbox(f);
            let (a, b) = (
                [cell_of(lo[0]), cell_of(lo[1]), cell_of(lo[2])],
                [cell_of(hi[0]), cell_of(hi[1]), cell_of(hi[2])],
            );
            if (b[0] - a[0] + 1) * (b[1] - a[1] + 1) * (b[2] - a[2] + 1) > 4096 {
                continue; // a face spanning thousands of grid cells: too large to be a hanging face's partner
            }
            for i in a[0]..=b[0] {
                for j in a[1]..=b[1] {
                    for k in a[2]..=b[2] {
                        grid.entry([i, j, k]).or_default().push(f as u32);
                    }
                }
            }
        }
        let mut bad = Vec::new();
        for &f in &faces {
            let c = self.face_centre[f];
            let (nf, af) = self.face_normal(f);
            let Some(cands) = grid.get(&[cell_of(c[0]), cell_of(c[1]), cell_of(c[2])]) else {
                continue;
            };
            for &g in cands {
                let g = g as usize;
                if g == f || self.owner[g] == self.owner[f] {
                    continue;
                }
                let (ng, ag) = self.face_normal(g);
                if dot(nf, ng) > -0.999 {
                    continue;
                }
                let scale = af.sqrt().min(ag.sqrt());
                if dot(ng, sub(c, self.face_centre[g])).abs() > 1e-6 * scale {
                    continue;
                }
                let (lo, hi) = bbox(g);
                let eps = 1e-9 * scale;
                if (0..3).all(|d| c[d] > lo[d] - eps && c[d] < hi[d] + eps) {
                    bad.push((self.owner[f], self.owner[g]));
                    break;
                }
            }
        }
        if !bad.is_empty() {
            let pairs: Vec<String> = bad
                .iter()
                .take(LISTED)
                .map(|&(a, b)| {
                    format!(
                        "cells {a} ({}) and {b} ({})",
                        self.region_names[self.cell_region[a as usize] as usize],
                        self.region_names[self.cell_region[b as usize] as usize]
                    )
                })
                .collect();
            // which regions, over what area, where, and what to do (mesh::checks), then the cells
            let overlaps: Vec<String> = super::checks::non_conforming_interfaces(self)
                .into_iter()
                .map(|f| f.message)
                .collect();
            return Err(Error::Mesh(format!(
                "{}non-conforming faces: {} boundary faces lie on top of another cell's boundary face ({}{}); the cells do not share vertices there (duplicated nodes or hanging nodes; mesh the regions conformally, e.g. gmsh occ.fragment)",
                overlaps.iter().map(|m| format!("{m}. ")).collect::<String>(),
                bad.len(),
                pairs.join("; "),
                if bad.len() > LISTED { "; …" } else { "" }
            )));
        }
        Ok(())
    }
}

fn polyhedron_vertices(conn: &[i64]) -> Vec<u32> {
    let mut ids = Vec::new();
    let n_faces = conn.first().copied().unwrap_or(0);
    let mut pos = 1;
    for _ in 0..n_faces {
        let nv = conn[pos] as usize;
        ids.extend(conn[pos + 1..pos + 1 + nv].iter().map(|&v| v as u32));
        pos += 1 + nv;
    }
    ids.sort_unstable();
    ids.dedup();
    ids
}
