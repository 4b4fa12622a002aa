//! Structured box meshes for tests and benchmarks: hexahedra, or each hexahedron split into
//! six tetrahedra (a conforming Kuhn split), with the six sides as patches.

use super::{Mesh, MeshInput};
use crate::Result;

/// Which cells fill a structured box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxCells {
    /// One hexahedron per box cell.
    Hexa,
    /// Six tetrahedra per box cell.
    Tetra,
}

/// Flat arrays of a structured box mesh `[0,lx]×[0,ly]×[0,lz]` with `n` cells per direction.
/// Patches: `xmin, xmax, ymin, ymax, zmin, zmax`. One region, `box`.
#[derive(Debug, Clone)]
pub struct BoxArrays {
    /// Point coordinates, flat.
    pub points: Vec<f64>,
    /// VTK cell types.
    pub cell_types: Vec<u8>,
    /// Cell offsets.
    pub cell_offsets: Vec<i64>,
    /// Cell connectivity.
    pub cell_connectivity: Vec<i64>,
    /// Cell regions (all zero).
    pub cell_region: Vec<i64>,
    /// Region names.
    pub region_names: Vec<String>,
    /// Patch face offsets.
    pub patch_face_offsets: Vec<i64>,
    /// Patch face connectivity.
    pub patch_face_connectivity: Vec<i64>,
    /// Patch face patch ids.
    pub patch_face_patch: Vec<i64>,
    /// Patch names.
    pub patch_names: Vec<String>,
}

impl BoxArrays {
    /// A box of `n = [nx, ny, nz]` cells with lengths `l`, m.
    pub fn new(n: [usize; 3], l: [f64; 3], cells: BoxCells) -> Self {
        let [nx, ny, nz] = n;
        let pid = |i: usize, j: usize, k: usize| (i + (nx + 1) * (j + (ny + 1) * k)) as i64;
        let mut points = Vec::with_capacity(3 * (nx + 1) * (ny + 1) * (nz + 1));
        for k in 0..=nz {
            for j in 0..=ny {
                for i in 0..=nx {
                    points.extend([
                        l[0] * i as f64 / nx as f64,
                        l[1] * j as f64 / ny as f64,
                        l[2] * k as f64 / nz as f64,
                    ]);
                }
            }
        }
        let mut a = BoxArrays {
            points,
            cell_types: Vec::new(),
            cell_offsets: vec![0],
            cell_connectivity: Vec::new(),
            cell_region: Vec::new(),
            region_names: vec!["box".into()],
            patch_face_offsets: vec![0],
            patch_face_connectivity: Vec::new(),
            patch_face_patch: Vec::new(),
            patch_names: ["xmin", "xmax", "ymin", "ymax", "zmin", "zmax"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        for k in 0..nz {
            for j in 0..ny {
                for i in 0..nx {
                    let v = [
                        pid(i, j, k),
                        pid(i + 1, j, k),
                        pid(i + 1, j + 1, k),
                        pid(i, j + 1, k),
                        pid(i, j, k + 1),
                        pid(i + 1, j, k + 1),
                        pid(i + 1, j + 1, k + 1),
                        pid(i, j + 1, k + 1),
                    ];
                    match cells {
                        BoxCells::Hexa => a.push_cell(12, &v),
                        BoxCells::Tetra => {
                            // Kuhn split along the 0–6 diagonal: conforming between neighbouring boxes
                            for t in [
                                [0, 1, 2, 6],
                                [0, 2, 3, 6],
                                [0, 3, 7, 6],
                                [0, 7, 4, 6],
                                [0, 4, 5, 6],
                                [0, 5, 1, 6],
                            ] {
                                a.push_cell(10, &t.map(|x| v[x]));
                            }
                        }
                    }
                }
            }
        }
        // boundary faces: quads for hexa, the two triangles of the Kuhn split for tetra
        let side = |p: i64, q: [i64; 4], a: &mut BoxArrays| match cells {
            BoxCells::Hexa => a.push_face(p, &q),
            BoxCells::Tetra => {
                // the split diagonal of each box face runs through its lowest-index corner of the hex diagonal
                let (d0, d1) = diagonal(q);
                let others: Vec<i64> = q.iter().copied().filter(|&x| x != d0 && x != d1).collect();
                a.push_face(p, &[d0, others[0], d1]);
                a.push_face(p, &[d0, others[1], d1]);
            }
        };
        for k in 0..nz {
            for j in 0..ny {
                side(
                    0,
                    [
                        pid(0, j, k),
                        pid(0, j + 1, k),
                        pid(0, j + 1, k + 1),
                        pid(0, j, k + 1),
                    ],
                    &mut a,
                );
                side(
                    1,
                    [
                        pid(nx, j, k),
                        pid(nx, j + 1, k),
                        pid(nx, j + 1, k + 1),
                        pid(nx, j, k + 1),
                    ],
                    &mut a,
                );
            }
        }
        for k in 0..nz {
            for i in 0..nx {
                side(
                    2,
                    [
                        pid(i, 0, k),
                        pid(i + 1, 0, k),
                        pid(i + 1, 0, k + 1),
                        pid(i, 0, k + 1),
                    ],
                    &mut a,
                );
                side(
                    3,
                    [
                        pid(i, ny, k),
                        pid(i + 1, ny, k),
                        pid(i + 1, ny, k + 1),
                        pid(i, ny, k + 1),
                    ],
                    &mut a,
                );
            }
        }
        for j in 0..ny {
            for i in 0..nx {
                side(
                    4,
                    [
                        pid(i, j, 0),
                        pid(i + 1, j, 0),
                        pid(i + 1, j + 1, 0),
                        pid(i, j + 1, 0),
                    ],
                    &mut a,
                );
                side(
                    5,
                    [
                        pid(i, j, nz),
                        pid(i + 1, j, nz),
                        pid(i + 1, j + 1, nz),
                        pid(i, j + 1, nz),
                    ],
                    &mut a,
                );
            }
        }
        a
    }

    fn push_cell(&mut self, t: u8, v: &[i64]) {
        self.cell_types.push(t);
        self.cell_connectivity.extend_from_slice(v);
        self.cell_offsets.push(self.cell_connectivity.len() as i64);
        self.cell_region.push(0);
    }

    fn push_face(&mut self, patch: i64, v: &[i64]) {
        self.patch_face_connectivity.extend_from_slice(v);
        self.patch_face_offsets
            .push(self.patch_face_connectivity.len() as i64);
        self.patch_face_patch.push(patch);
    }

    /// The flat input view of these arrays.
    pub fn input(&self) -> MeshInput<'_> {
        MeshInput {
            points: &self.points,
            cell_types: &self.cell_types,
            cell_offsets: &self.cell_offsets,
            cell_connectivity: &self.cell_connectivity,
            cell_region: &self.cell_region,
            region_names: &self.region_names,
            patch_face_offsets: &self.patch_face_offsets,
            patch_face_connectivity: &self.patch_face_connectivity,
            patch_face_patch: &self.patch_face_patch,
            patch_names: &self.patch_names,
        }
    }

    /// Build the mesh.
    pub fn build(&self) -> Result<Mesh> {
        Mesh::build(&self.input())
    }
}

/// In the Kuhn split every box face is cut along the diagonal through its smallest and largest
/// point index (both lie on the 0–6 chain of the adjacent hexahedra).
fn diagonal(q: [i64; 4]) -> (i64, i64) {
    let lo = *q.iter().min().unwrap_or(&q[0]);
    let hi = *q.iter().max().unwrap_or(&q[0]);
    (lo, hi)
}
