//! The cells against a region's walls and how tall they are in the wall-normal direction: what
//! a wall layer (a laminar thermal entry layer, a viscous sublayer) has to be resolved by. A
//! tetrahedron standing on a wall face reaches four times its centroid's distance from it, a
//! prism or hexahedron twice: the height is the farthest of the cell's vertices along the
//! face's inward normal, whatever the cell's shape.

use super::{dot, sub, Mesh};
use std::collections::HashMap;

/// One wall face of a region and the region's cell against it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WallCell {
    /// Global face index.
    pub face: usize,
    /// The region's cell on the face.
    pub cell: u32,
    /// The patch index of a boundary face; `n_patches() + r` for an interface to region `r`.
    pub label: u32,
    /// How far the cell reaches from the face along the face's inward unit normal, m.
    pub height: f64,
}

/// The walls of region `region` — its cells' boundary faces and its interface faces with other
/// regions — with the height of the cell against each, in face order.
pub fn wall_cells(mesh: &Mesh, region: u32) -> Vec<WallCell> {
    let n_patches = mesh.n_patches() as u32;
    let mut walls = Vec::new();
    for f in 0..mesh.n_internal_faces {
        let (o, n) = (mesh.owner[f], mesh.neighbour[f]);
        let (ro, rn) = (mesh.cell_region[o as usize], mesh.cell_region[n as usize]);
        if ro == region && rn != region {
            walls.push((f, o, n_patches + rn));
        } else if rn == region && ro != region {
            walls.push((f, n, n_patches + ro));
        }
    }
    for f in mesh.n_internal_faces..mesh.n_faces() {
        let o = mesh.owner[f];
        if mesh.cell_region[o as usize] == region {
            walls.push((f, o, mesh.patch_of_face(f) as u32));
        }
    }
    // the wall faces of each wall cell (usually one; two or three in a corner)
    let mut of_cell: HashMap<u32, Vec<usize>> = HashMap::with_capacity(walls.len());
    for (i, &(_, c, _)) in walls.iter().enumerate() {
        of_cell.entry(c).or_default().push(i);
    }
    // inward unit normals: the area vector points from owner to neighbour (out of the domain
    // on a boundary face)
    let inward: Vec<_> = walls
        .iter()
        .map(|&(f, c, _)| {
            let (n, _) = mesh.face_normal(f);
            if mesh.owner[f] == c {
                n.map(|x| -x)
            } else {
                n
            }
        })
        .collect();
    let mut height = vec![0.0_f64; walls.len()];
    // every face of a wall cell holds some of its vertices; each face is seen from both its cells
    for f in 0..mesh.n_faces() {
        let cells = [
            Some(mesh.owner[f]),
            (f < mesh.n_internal_faces).then(|| mesh.neighbour[f]),
        ];
        for c in cells.into_iter().flatten() {
            let Some(list) = of_cell.get(&c) else {
                continue;
            };
            for &i in list {
                let base = mesh.face_centre[walls[i].0];
                for &v in mesh.face(f) {
                    let d = dot(sub(mesh.points[v as usize], base), inward[i]);
                    height[i] = height[i].max(d);
                }
            }
        }
    }
    walls
        .into_iter()
        .zip(height)
        .map(|((face, cell, label), height)| WallCell {
            face,
            cell,
            label,
            height,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::structured::{BoxArrays, BoxCells};

    #[test]
    fn hexahedra_and_tetrahedra_of_a_box() {
        // 4 × 5 × 8 cells of 0.25 × 0.2 × 0.125: a wall cell is as tall as the cells across it
        for cells in [BoxCells::Hexa, BoxCells::Tetra] {
            let mesh = BoxArrays::new([4, 5, 8], [1.0, 1.0, 1.0], cells)
                .build()
                .unwrap();
            let walls = wall_cells(&mesh, 0);
            assert_eq!(walls.len(), mesh.n_faces() - mesh.n_internal_faces);
            for (name, h) in [("xmin", 0.25), ("ymax", 0.2), ("zmin", 0.125)] {
                let p = mesh.patch_index(name).unwrap() as u32;
                let on: Vec<_> = walls.iter().filter(|w| w.label == p).collect();
                assert!(!on.is_empty());
                for w in on {
                    assert!(
                        (w.height - h).abs() < 1e-12,
                        "{cells:?} {name}: {}",
                        w.height
                    );
                    assert_eq!(mesh.owner[w.face], w.cell);
                }
            }
        }
    }

    #[test]
    fn interfaces_are_walls_of_both_regions() {
        let mut arrays = BoxArrays::new([2, 2, 4], [1.0, 1.0, 1.0], BoxCells::Tetra);
        // the lower half (z < 0.5) is region 1
        let n_cells = arrays.cell_region.len();
        let centre_z = |c: usize| {
            let (a, b) = (
                arrays.cell_offsets[c] as usize,
                arrays.cell_offsets[c + 1] as usize,
            );
            arrays.cell_connectivity[a..b]
                .iter()
                .map(|&p| arrays.points[3 * p as usize + 2])
                .sum::<f64>()
                / (b - a) as f64
        };
        let lower: Vec<bool> = (0..n_cells).map(|c| centre_z(c) < 0.5).collect();
        for (c, low) in lower.into_iter().enumerate() {
            arrays.cell_region[c] = i64::from(low);
        }
        arrays.region_names.push("lower".into());
        let mesh = arrays.build().unwrap();
        let n_patches = mesh.n_patches() as u32;
        for (region, other) in [(0, 1), (1, 0)] {
            let walls = wall_cells(&mesh, region);
            let at_interface: Vec<_> = walls
                .iter()
                .filter(|w| w.label == n_patches + other)
                .collect();
            // 2 × 2 squares, two triangles each
            assert_eq!(at_interface.len(), 8);
            for w in at_interface {
                assert_eq!(mesh.cell_region[w.cell as usize], region);
                assert!((w.height - 0.25).abs() < 1e-12, "{}", w.height);
            }
        }
    }
}
