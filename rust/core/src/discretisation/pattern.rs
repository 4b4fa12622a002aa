//! The sparsity pattern of cell-to-cell operators and the positions faces write to.

use crate::linalg::Csr;
use crate::mesh::Mesh;
use rayon::prelude::*;

/// Where an entry lives in a matrix's value array: a `u32` (half the memory of a `usize`; at
/// 1e6 cells the three position arrays drop from 56 to 28 MB), used directly as an index:
/// `matrix.val[pattern.upper[f]]`. A cell matrix has about 7 entries per cell, so 2³² entries
/// would take a mesh far beyond memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position(u32);

impl Position {
    /// The position as an index.
    #[inline]
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

impl std::ops::Index<Position> for Vec<f64> {
    type Output = f64;
    #[inline]
    fn index(&self, p: Position) -> &f64 {
        &self[p.get()]
    }
}

impl std::ops::IndexMut<Position> for Vec<f64> {
    #[inline]
    fn index_mut(&mut self, p: Position) -> &mut f64 {
        &mut self[p.get()]
    }
}

/// A CSR pattern for one unknown per cell plus, for every internal face, where its owner–neighbour
/// couplings live, so that assembly is a scatter without searches.
#[derive(Debug, Clone)]
pub struct CellPattern {
    /// The matrix, values zero.
    pub matrix: Csr,
    /// Position of each diagonal entry.
    pub diag: Vec<Position>,
    /// Position of `(owner, neighbour)` per internal face.
    pub upper: Vec<Position>,
    /// Position of `(neighbour, owner)` per internal face.
    pub lower: Vec<Position>,
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
        // scatter the columns straight into place, then sort each row (no per-row vectors)
        let mut col = vec![0u32; row_ptr[n]];
        let mut next: Vec<usize> = row_ptr[..n].to_vec();
        for (i, c) in next.iter_mut().enumerate() {
            col[*c] = i as u32;
            *c += 1;
        }
        for f in 0..ni {
            let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
            col[next[p]] = q as u32;
            next[p] += 1;
            col[next[q]] = p as u32;
            next[q] += 1;
        }
        drop(next);
        {
            let mut rows: Vec<&mut [u32]> = Vec::with_capacity(n);
            let mut rest: &mut [u32] = &mut col;
            for i in 0..n {
                let (row, tail) = rest.split_at_mut(row_ptr[i + 1] - row_ptr[i]);
                rows.push(row);
                rest = tail;
            }
            rows.into_par_iter().for_each(|r| r.sort_unstable());
        }
        let matrix = Csr {
            n_rows: n,
            n_cols: n,
            row_ptr: row_ptr.into(),
            col: col.into(),
            val: vec![0.0; 0],
        };
        let find = |i: usize, j: usize| {
            let row = &matrix.col[matrix.row_ptr[i]..matrix.row_ptr[i + 1]];
            Position((matrix.row_ptr[i] + row.binary_search(&(j as u32)).unwrap_or(0)) as u32)
        };
        let diag: Vec<Position> = (0..n).into_par_iter().map(|i| find(i, i)).collect();
        let upper: Vec<Position> = (0..ni)
            .into_par_iter()
            .map(|f| find(mesh.owner[f] as usize, mesh.neighbour[f] as usize))
            .collect();
        let lower: Vec<Position> = (0..ni)
            .into_par_iter()
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
