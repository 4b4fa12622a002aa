//! Cell renumbering for memory locality. Mesh generators often number tetrahedra in the order
//! their refinement created them, so that consecutive cells lie several cell sizes apart and
//! every per-cell gather, matrix product and multigrid sweep misses the cache. Sorting cells
//! along a Morton (Z-order) curve of their vertex averages puts neighbours near each other in
//! memory (OpenFOAM's `renumberMesh` does the same job with other orderings).
//!
//! The input's cells are reordered before the mesh is built, so faces come out matched and
//! sorted for the new numbering at no extra cost. Cells move only within runs of consecutive
//! input cells of one shape and one region (one block of a mesh file), so a writer can rebuild
//! each block by permuting its rows. Meshes with polyhedra keep their order.

use super::{MeshInput, Vec3};
use rayon::prelude::*;

/// Renumber when more than this fraction of consecutive cells cannot be neighbours (their
/// bounding spheres around the vertex averages do not touch). Measured: Gmsh's 3D Delaunay
/// tetrahedra of the benchmark plate 0.65; structured hexahedra 0.006; the bundled cold plates
/// and channel units, extruded from 2D meshes, 0.05–0.13.
const APART_THRESHOLD: f64 = 1.0 / 3.0;

/// Below this many cells the whole mesh fits in cache anyway.
const MIN_CELLS: usize = 1024;

/// Vertex average and extent (largest vertex distance from it) of each cell, or `None` when the
/// input has polyhedra or indices the build will reject (it reports them).
fn cell_points(input: &MeshInput) -> Option<(Vec<Vec3>, Vec<f64>)> {
    let n = input.cell_types.len();
    let n_points = input.points.len() / 3;
    if input.cell_offsets.len() != n + 1 || input.cell_region.len() != n {
        return None;
    }
    let valid = (0..n).into_par_iter().all(|c| {
        let (a, b) = (input.cell_offsets[c], input.cell_offsets[c + 1]);
        input.cell_types[c] != 42
            && 0 <= a
            && a < b
            && b as usize <= input.cell_connectivity.len()
            && input
                .cell(c)
                .iter()
                .all(|&v| 0 <= v && (v as usize) < n_points)
    });
    if !valid {
        return None;
    }
    Some(
        (0..n)
            .into_par_iter()
            .map(|c| {
                let centre = input.vertex_average(c);
                let extent = input
                    .cell(c)
                    .iter()
                    .map(|&v| super::norm(super::sub(input.point(v), centre)))
                    .fold(0.0, f64::max);
                (centre, extent)
            })
            .unzip(),
    )
}

/// The fraction of consecutive cells whose distance exceeds the sum of their extents: those
/// cannot share a face, so a local numbering has few of them.
fn apart_fraction(centre: &[Vec3], extent: &[f64]) -> f64 {
    let apart = (0..centre.len().saturating_sub(1))
        .into_par_iter()
        .filter(|&c| super::norm(super::sub(centre[c + 1], centre[c])) > extent[c] + extent[c + 1])
        .count();
    apart as f64 / centre.len().saturating_sub(1).max(1) as f64
}

/// Interleave the low 21 bits of three coordinates (a Morton code).
fn morton(q: [u64; 3]) -> u64 {
    fn spread(mut x: u64) -> u64 {
        x &= 0x1f_ffff;
        x = (x | x << 32) & 0x1f_0000_0000_ffff;
        x = (x | x << 16) & 0x1f_0000_ff00_00ff;
        x = (x | x << 8) & 0x100f_00f0_0f00_f00f;
        x = (x | x << 4) & 0x10c3_0c30_c30c_30c3;
        x = (x | x << 2) & 0x1249_2492_4924_9249;
        x
    }
    spread(q[0]) | spread(q[1]) << 1 | spread(q[2]) << 2
}

/// The new cell order (new index → input index) when the input numbering is scattered, or
/// `None` when it is local enough already (or the input is one the build will reject).
pub fn locality_order(input: &MeshInput) -> Option<Vec<u32>> {
    let n = input.cell_types.len();
    if n < MIN_CELLS || n > u32::MAX as usize {
        return None;
    }
    let (centre, extent) = cell_points(input)?;
    if apart_fraction(&centre, &extent) <= APART_THRESHOLD {
        return None;
    }
    let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
    for c in &centre {
        for k in 0..3 {
            lo[k] = lo[k].min(c[k]);
            hi[k] = hi[k].max(c[k]);
        }
    }
    let span = (0..3).map(|k| hi[k] - lo[k]).fold(0.0, f64::max);
    if !(span > 0.0 && span.is_finite()) {
        return None;
    }
    let levels = ((1u64 << 21) - 1) as f64;
    let mut keyed: Vec<(u64, u32)> = centre
        .par_iter()
        .enumerate()
        .map(|(c, x)| {
            let q = [0, 1, 2].map(|k| (((x[k] - lo[k]) / span) * levels).clamp(0.0, levels) as u64);
            (morton(q), c as u32)
        })
        .collect();
    let mut start = 0;
    while start < n {
        let run = (input.cell_types[start], input.cell_region[start]);
        let mut end = start + 1;
        while end < n && (input.cell_types[end], input.cell_region[end]) == run {
            end += 1;
        }
        keyed[start..end].par_sort_unstable();
        start = end;
    }
    Some(keyed.into_iter().map(|(_, c)| c).collect())
}

/// The cell arrays of an input, reordered.
pub struct ReorderedCells {
    cell_types: Vec<u8>,
    cell_offsets: Vec<i64>,
    cell_connectivity: Vec<i64>,
    cell_region: Vec<i64>,
}

impl ReorderedCells {
    /// `input`'s cells in `order` (new index → input index; from [`locality_order`], which
    /// checked the offsets).
    pub fn new(input: &MeshInput, order: &[u32]) -> Self {
        let mut cell_offsets = Vec::with_capacity(order.len() + 1);
        cell_offsets.push(0i64);
        let mut end = 0i64;
        for &c in order {
            end += input.cell(c as usize).len() as i64;
            cell_offsets.push(end);
        }
        let mut cell_connectivity = Vec::with_capacity(end as usize);
        for &c in order {
            cell_connectivity.extend_from_slice(input.cell(c as usize));
        }
        ReorderedCells {
            cell_types: order
                .par_iter()
                .map(|&c| input.cell_types[c as usize])
                .collect(),
            cell_offsets,
            cell_connectivity,
            cell_region: order
                .par_iter()
                .map(|&c| input.cell_region[c as usize])
                .collect(),
        }
    }

    /// `input` with these cells.
    pub fn input<'a>(&'a self, input: &MeshInput<'a>) -> MeshInput<'a> {
        MeshInput {
            cell_types: &self.cell_types,
            cell_offsets: &self.cell_offsets,
            cell_connectivity: &self.cell_connectivity,
            cell_region: &self.cell_region,
            ..*input
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::structured::{BoxArrays, BoxCells};
    use crate::mesh::Mesh;

    /// A box of tetrahedra whose cells are shuffled is renumbered; the built mesh has the
    /// shuffled input's cells in the new order, closed cells, and no more scatter.
    #[test]
    fn a_shuffled_input_is_renumbered_consistently() {
        let arrays = BoxArrays::new([12, 10, 9], [1.2, 1.0, 0.9], BoxCells::Tetra);
        let natural = arrays.input();
        let shuffled_cells = shuffled(&natural);
        let shuffled = shuffled_cells.input(&natural);
        assert!(
            locality_order(&natural).is_none(),
            "the structured numbering is local"
        );
        let plain = Mesh::build(&shuffled).unwrap();
        let (local, order) = Mesh::build_local(&shuffled).unwrap();
        let order = order.expect("a shuffled numbering is scattered");
        let (centre, extent) =
            cell_points(&ReorderedCells::new(&shuffled, &order).input(&shuffled)).unwrap();
        assert!(apart_fraction(&centre, &extent) < 0.1);
        assert_eq!(local.n_faces(), plain.n_faces());
        assert_eq!(local.patch_start, plain.patch_start);
        // the same cells (to round-off: a cell's faces are summed in another order)
        for (new, &old) in order.iter().enumerate() {
            let d = crate::mesh::sub(local.cell_centre[new], plain.cell_centre[old as usize]);
            assert!(crate::mesh::norm(d) < 1e-12);
            assert!((local.cell_volume[new] - plain.cell_volume[old as usize]).abs() < 1e-15);
        }
        // the divergence theorem still closes every cell: Σ outward areas = 0
        let mut sum = vec![[0.0f64; 3]; local.n_cells()];
        for f in 0..local.n_faces() {
            for k in 0..3 {
                sum[local.owner[f] as usize][k] += local.face_area[f][k];
                if f < local.n_internal_faces {
                    sum[local.neighbour[f] as usize][k] -= local.face_area[f][k];
                }
            }
        }
        assert!(sum.iter().flatten().all(|s| s.abs() < 1e-12));
    }

    /// Errors from a renumbered build name the input's cells: a cell with a repeated vertex is
    /// reported with its input index, as without renumbering.
    #[test]
    fn errors_name_input_cells() {
        let arrays = BoxArrays::new([12, 10, 9], [1.2, 1.0, 0.9], BoxCells::Tetra);
        let natural = arrays.input();
        let mut cells = shuffled(&natural);
        // input cell 7 gets its first vertex twice (a flat tetrahedron)
        let a = cells.cell_offsets[7] as usize;
        cells.cell_connectivity[a + 3] = cells.cell_connectivity[a];
        let input = cells.input(&natural);
        let Err(error) = Mesh::build_local(&input) else {
            panic!("a flattened cell was accepted");
        };
        // the error of a build in the input's numbering, word for word
        let plain = Mesh::build(&input).unwrap_err().to_string();
        assert_eq!(error.to_string(), plain);
        assert!(plain.contains("[7, 7"), "{plain}");
    }

    /// The input's cells in a deterministic scattered order: a stride coprime with the count.
    fn shuffled(input: &MeshInput) -> ReorderedCells {
        let n = input.cell_types.len();
        let stride = (n / 3..n).find(|s| gcd(*s, n) == 1).unwrap();
        let order: Vec<u32> = (0..n).map(|i| ((i * stride) % n) as u32).collect();
        ReorderedCells::new(input, &order)
    }

    fn gcd(a: usize, b: usize) -> usize {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
}
