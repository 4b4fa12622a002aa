//! Sparse LDLᵀ factorisation of the nodal (weighted graph-Laplacian) matrix of a network.
//!
//! The matrix of a hydraulic Newton step is `Aᵀ diag(1/r) A` with one reference pressure per
//! component removed: symmetric positive definite, with weights spanning many decades (a
//! quick disconnect against a 2" manifold). Iterative solvers struggle with that contrast; a
//! direct factorisation does not, and networks are nearly trees, so with a minimum-degree
//! ordering the fill stays tiny. The ordering and the fill pattern are computed once per
//! topology; each Newton step only refills values and factorises.

use crate::error::{Error, Result};

/// Symbolic factorisation: ordering, pattern of `L`, and scatter maps.
#[derive(Debug, Clone)]
pub struct Symbolic {
    n: usize,
    /// `pos[node]` = elimination step of `node`.
    pos: Vec<usize>,
    /// Column pointers of strictly-lower `L` in elimination order.
    col_ptr: Vec<usize>,
    /// Row (elimination position) of each stored entry, ascending per column.
    row: Vec<usize>,
    /// Slot of each input off-diagonal pair in `L`.
    pair_slot: Vec<usize>,
    /// Per column `k`: slots updated by the outer product of column `k`, for pairs a < b.
    update_ptr: Vec<usize>,
    update_slot: Vec<usize>,
}

impl Symbolic {
    /// Orders `n` unknowns coupled by `pairs` (i ≠ j; duplicates allowed) with greedy minimum
    /// degree and builds the fill pattern.
    pub fn new(n: usize, pairs: &[(usize, usize)]) -> Self {
        // Adjacency as short vectors: network nodes have a handful of neighbours, and the
        // elimination of leaves and series nodes keeps it so; linear scans beat hashing here.
        let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
        for &(i, j) in pairs {
            if !adj[i].contains(&j) {
                adj[i].push(j);
                adj[j].push(i);
            }
        }
        // Minimum degree by a bucket queue (degrees are small integers) with lazy deletion:
        // an entry is stale when its node is gone or its degree has changed since.
        let mut buckets: Vec<Vec<usize>> = Vec::new();
        let push = |buckets: &mut Vec<Vec<usize>>, deg: usize, node: usize| {
            if buckets.len() <= deg {
                buckets.resize_with(deg + 1, Vec::new);
            }
            buckets[deg].push(node);
        };
        for (i, a) in adj.iter().enumerate() {
            push(&mut buckets, a.len(), i);
        }
        let mut eliminated = vec![false; n];
        let mut order = Vec::with_capacity(n);
        let mut columns: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut lowest = 0;
        loop {
            while lowest < buckets.len() && buckets[lowest].is_empty() {
                lowest += 1;
            }
            if lowest == buckets.len() {
                break;
            }
            let Some(k) = buckets[lowest].pop() else {
                continue;
            };
            if eliminated[k] || adj[k].len() != lowest {
                continue;
            }
            eliminated[k] = true;
            order.push(k);
            let nbrs = std::mem::take(&mut adj[k]);
            for &u in &nbrs {
                let list = &mut adj[u];
                if let Some(at) = list.iter().position(|&x| x == k) {
                    list.swap_remove(at);
                }
                for &v in &nbrs {
                    if v != u && !list.contains(&v) {
                        list.push(v);
                    }
                }
                let deg = list.len();
                push(&mut buckets, deg, u);
                lowest = lowest.min(deg);
            }
            columns[k] = nbrs;
        }
        let mut pos = vec![0; n];
        for (p, &node) in order.iter().enumerate() {
            pos[node] = p;
        }
        let mut col_ptr = vec![0; n + 1];
        let mut row = Vec::new();
        for (p, &node) in order.iter().enumerate() {
            let mut rows: Vec<usize> = columns[node].iter().map(|&u| pos[u]).collect();
            rows.sort_unstable();
            row.extend_from_slice(&rows);
            col_ptr[p + 1] = row.len();
        }
        let find = |col: usize, r: usize, row: &[usize], col_ptr: &[usize]| -> usize {
            let s = &row[col_ptr[col]..col_ptr[col + 1]];
            // The elimination graph guarantees presence; fall back to the first slot otherwise.
            col_ptr[col] + s.binary_search(&r).unwrap_or(0)
        };
        let pair_slot = pairs
            .iter()
            .map(|&(i, j)| {
                let (a, b) = (pos[i].min(pos[j]), pos[i].max(pos[j]));
                find(a, b, &row, &col_ptr)
            })
            .collect();
        let mut update_ptr = vec![0; n + 1];
        let mut update_slot = Vec::new();
        for k in 0..n {
            let rows = &row[col_ptr[k]..col_ptr[k + 1]];
            for (ia, &ra) in rows.iter().enumerate() {
                for &rb in &rows[ia + 1..] {
                    update_slot.push(find(ra, rb, &row, &col_ptr));
                }
            }
            update_ptr[k + 1] = update_slot.len();
        }
        Self {
            n,
            pos,
            col_ptr,
            row,
            pair_slot,
            update_ptr,
            update_slot,
        }
    }

    /// Number of stored off-diagonal entries of `L` (fill included).
    pub fn nnz(&self) -> usize {
        self.row.len()
    }

    /// Factorises the matrix with diagonal `diag` (indexed by node) and off-diagonal values
    /// `offdiag[p]` for `pairs[p]` (summed over duplicates). `names` labels a zero pivot.
    #[cfg(test)]
    pub fn factor(
        &self,
        diag: &[f64],
        offdiag: &[f64],
        names: &dyn Fn(usize) -> String,
    ) -> Result<Factor> {
        let mut f = Factor {
            d: Vec::new(),
            l: Vec::new(),
        };
        self.factor_into(diag, offdiag, names, &mut f)?;
        Ok(f)
    }

    /// [`Symbolic::factor`] into the storage of an earlier factor (no allocation).
    pub fn factor_into(
        &self,
        diag: &[f64],
        offdiag: &[f64],
        names: &dyn Fn(usize) -> String,
        f: &mut Factor,
    ) -> Result<()> {
        let n = self.n;
        let Factor { d, l } = f;
        d.clear();
        d.resize(n, 0.0);
        for (node, &v) in diag.iter().enumerate() {
            d[self.pos[node]] += v;
        }
        l.clear();
        l.resize(self.row.len(), 0.0);
        for (p, &v) in offdiag.iter().enumerate() {
            l[self.pair_slot[p]] += v;
        }
        let scale = d.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        for k in 0..n {
            let dk = d[k];
            if !(dk > 1e-300 && dk > 1e-15 * scale && dk.is_finite()) {
                let node = self.pos.iter().position(|&p| p == k).unwrap_or(0);
                return Err(Error::Network(format!(
                    "the hydraulic system is singular at node '{}' (no path for flow to reach it)",
                    names(node)
                )));
            }
            let (s, e) = (self.col_ptr[k], self.col_ptr[k + 1]);
            let mut u = self.update_ptr[k];
            for a in s..e {
                let va = l[a];
                d[self.row[a]] -= va * va / dk;
                for b in a + 1..e {
                    l[self.update_slot[u]] -= va * l[b] / dk;
                    u += 1;
                }
            }
            for v in &mut l[s..e] {
                *v /= dk;
            }
        }
        Ok(())
    }

    /// Solves `M x = b` (both indexed by node) with a factor of this pattern.
    #[cfg(test)]
    pub fn solve(&self, f: &Factor, b: &[f64]) -> Vec<f64> {
        let mut y = Vec::new();
        let mut x = vec![0.0; self.n];
        self.solve_into(f, b, &mut y, &mut x);
        x
    }

    /// [`Symbolic::solve`] into `x`, with `y` as work space (no allocation once sized).
    pub fn solve_into(&self, f: &Factor, b: &[f64], y: &mut Vec<f64>, x: &mut [f64]) {
        let n = self.n;
        y.clear();
        y.resize(n, 0.0);
        for (node, &v) in b.iter().enumerate() {
            y[self.pos[node]] = v;
        }
        for k in 0..n {
            let yk = y[k];
            for a in self.col_ptr[k]..self.col_ptr[k + 1] {
                y[self.row[a]] -= f.l[a] * yk;
            }
        }
        for (yk, dk) in y.iter_mut().zip(&f.d) {
            *yk /= dk;
        }
        for k in (0..n).rev() {
            let mut acc = y[k];
            for a in self.col_ptr[k]..self.col_ptr[k + 1] {
                acc -= f.l[a] * y[self.row[a]];
            }
            y[k] = acc;
        }
        for (node, xn) in x.iter_mut().enumerate() {
            *xn = y[self.pos[node]];
        }
    }
}

/// Numeric LDLᵀ factor.
#[derive(Debug, Clone, Default)]
pub struct Factor {
    d: Vec<f64>,
    l: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_weighted_laplacian_with_grounding() {
        // A ring of 6 nodes with a chord, grounded at node 0 through an extra diagonal term.
        let pairs = vec![
            (0, 1),
            (1, 2),
            (2, 3),
            (3, 4),
            (4, 5),
            (5, 0),
            (1, 4),
            (1, 4),
        ];
        let w = [1.0, 1e6, 3.0, 1e-3, 2.0, 5.0, 0.5, 0.25];
        let n = 6;
        let mut diag = vec![0.0; n];
        let mut off = vec![0.0; pairs.len()];
        for (p, &(i, j)) in pairs.iter().enumerate() {
            diag[i] += w[p];
            diag[j] += w[p];
            off[p] = -w[p];
        }
        diag[0] += 1.0;
        let sym = Symbolic::new(n, &pairs);
        let f = sym.factor(&diag, &off, &|i| i.to_string()).unwrap();
        let x_true: Vec<f64> = (0..n).map(|i| (i as f64).sin() + 2.0).collect();
        let mut b = vec![0.0; n];
        for i in 0..n {
            b[i] += diag[i] * x_true[i];
        }
        for (p, &(i, j)) in pairs.iter().enumerate() {
            b[i] += off[p] * x_true[j];
            b[j] += off[p] * x_true[i];
        }
        let x = sym.solve(&f, &b);
        for i in 0..n {
            assert!(
                (x[i] - x_true[i]).abs() < 1e-8,
                "{i}: {} vs {}",
                x[i],
                x_true[i]
            );
        }
    }

    #[test]
    fn singular_matrix_is_an_error() {
        let pairs = vec![(0, 1)];
        let sym = Symbolic::new(2, &pairs);
        assert!(sym
            .factor(&[1.0, 1.0], &[-1.0], &|i| i.to_string())
            .is_err());
    }
}
