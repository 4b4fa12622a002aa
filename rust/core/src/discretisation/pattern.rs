//! The sparsity pattern of cell-to-cell operators and the positions faces write to.

use crate::linalg::Csr;
use crate::mesh::Mesh;

/// A CSR pattern for one unknown per cell plus, for every internal face, where its owner–neighbour
/// couplings live, so that assembly is a scatter without searches.
#[derive(Debug, Clone)]
pub struct CellPattern {
    /// The matrix, values zero.
    pub matrix: Csr,
    /// Position of each diagonal entry.
    pub diag: Vec<usize>,
    /// Position of `(owner, neighbour)` per internal face.
    pub upper: Vec<usize>,
    /// Position of `(neighbour, owner)` per internal face.
    pub lower: Vec<usize>,
}

impl CellPattern {
    /// Build from the mesh's face addressing.
    pub fn new(mesh: &Mesh) -> Self {
        let n = mesh.n_cells();
        let ni = mesh.n_internal_faces;
        let mut count = vec![1usize; n];
        for f in 0..ni {
            count[mesh.owner[f] as usize] += 1;
            count[mesh.neighbour[f] as usize] += 1;
        }
        let mut row_ptr = vec![0usize; n + 1];
        for i in 0..n {
            row_ptr[i + 1] = row_ptr[i] + count[i];
        }
        let mut cols: Vec<Vec<u32>> = (0..n).map(|i| vec![i as u32]).collect();
        for f in 0..ni {
            let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
            cols[p].push(q as u32);
            cols[q].push(p as u32);
        }
        let mut col = Vec::with_capacity(row_ptr[n]);
        for c in cols.iter_mut() {
            c.sort_unstable();
            col.extend_from_slice(c);
        }
        drop(cols);
        let matrix = Csr {
            n_rows: n,
            n_cols: n,
            row_ptr,
            col,
            val: vec![0.0; 0],
        };
        let find = |i: usize, j: usize| {
            let row = &matrix.col[matrix.row_ptr[i]..matrix.row_ptr[i + 1]];
            matrix.row_ptr[i] + row.binary_search(&(j as u32)).unwrap_or(0)
        };
        let diag: Vec<usize> = (0..n).map(|i| find(i, i)).collect();
        let upper: Vec<usize> = (0..ni)
            .map(|f| find(mesh.owner[f] as usize, mesh.neighbour[f] as usize))
            .collect();
        let lower: Vec<usize> = (0..ni)
            .map(|f| find(mesh.neighbour[f] as usize, mesh.owner[f] as usize))
            .collect();
        let mut matrix = matrix;
        matrix.val = vec![0.0; matrix.col.len()];
        CellPattern {
            matrix,
            diag,
            upper,
            lower,
        }
    }
}
