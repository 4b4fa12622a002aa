//! Compressed sparse row matrix with a fixed pattern whose values can be refilled.

use super::CHUNK;
use rayon::prelude::*;

/// Square or rectangular sparse matrix in CSR form. Column indices in each row are sorted.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    /// Number of rows.
    pub n_rows: usize,
    /// Number of columns.
    pub n_cols: usize,
    /// Row `i` holds entries `row_ptr[i]..row_ptr[i + 1]`.
    pub row_ptr: Vec<usize>,
    /// Column index of each entry.
    pub col: Vec<u32>,
    /// Value of each entry.
    pub val: Vec<f64>,
}

impl Csr {
    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.col.len()
    }

    /// `y = A x`, in parallel over rows.
    pub fn mul_vec(&self, x: &[f64], y: &mut [f64]) {
        y.par_chunks_mut(CHUNK).enumerate().for_each(|(chunk, ys)| {
            let start = chunk * CHUNK;
            for (k, yi) in ys.iter_mut().enumerate() {
                let i = start + k;
                let mut s = 0.0;
                for e in self.row_ptr[i]..self.row_ptr[i + 1] {
                    s += self.val[e] * x[self.col[e] as usize];
                }
                *yi = s;
            }
        });
    }

    /// `r = b − A x`, in parallel over rows.
    pub fn residual(&self, b: &[f64], x: &[f64], r: &mut [f64]) {
        r.par_chunks_mut(CHUNK).enumerate().for_each(|(chunk, rs)| {
            let start = chunk * CHUNK;
            for (k, ri) in rs.iter_mut().enumerate() {
                let i = start + k;
                let mut s = b[i];
                for e in self.row_ptr[i]..self.row_ptr[i + 1] {
                    s -= self.val[e] * x[self.col[e] as usize];
                }
                *ri = s;
            }
        });
    }

    /// Diagonal entries (zero where absent).
    pub fn diagonal(&self) -> Vec<f64> {
        (0..self.n_rows)
            .into_par_iter()
            .map(|i| {
                (self.row_ptr[i]..self.row_ptr[i + 1])
                    .find(|&e| self.col[e] as usize == i)
                    .map_or(0.0, |e| self.val[e])
            })
            .collect()
    }

    /// Position of entry `(i, j)` in `col`/`val`, if stored.
    pub fn find(&self, i: usize, j: usize) -> Option<usize> {
        let row = &self.col[self.row_ptr[i]..self.row_ptr[i + 1]];
        row.binary_search(&(j as u32))
            .ok()
            .map(|k| self.row_ptr[i] + k)
    }

    /// The transpose.
    pub fn transpose(&self) -> Csr {
        let mut count = vec![0usize; self.n_cols + 1];
        for &c in &self.col {
            count[c as usize + 1] += 1;
        }
        for i in 0..self.n_cols {
            count[i + 1] += count[i];
        }
        let row_ptr = count.clone();
        let mut next = count;
        let mut col = vec![0u32; self.nnz()];
        let mut val = vec![0.0; self.nnz()];
        for i in 0..self.n_rows {
            for e in self.row_ptr[i]..self.row_ptr[i + 1] {
                let c = self.col[e] as usize;
                col[next[c]] = i as u32;
                val[next[c]] = self.val[e];
                next[c] += 1;
            }
        }
        Csr {
            n_rows: self.n_cols,
            n_cols: self.n_rows,
            row_ptr,
            col,
            val,
        }
    }

    /// Sparse product `self · other`, rows computed in parallel with a dense accumulator per task.
    pub fn mul(&self, other: &Csr) -> Csr {
        let n = other.n_cols;
        let rows: Vec<(Vec<u32>, Vec<f64>)> = (0..self.n_rows)
            .into_par_iter()
            .with_min_len(1024)
            .map_init(
                || (vec![usize::MAX; n], Vec::<u32>::new(), Vec::<f64>::new()),
                |(marker, cols, vals), i| {
                    cols.clear();
                    vals.clear();
                    for e in self.row_ptr[i]..self.row_ptr[i + 1] {
                        let k = self.col[e] as usize;
                        let a = self.val[e];
                        for g in other.row_ptr[k]..other.row_ptr[k + 1] {
                            let j = other.col[g] as usize;
                            if marker[j] == usize::MAX {
                                marker[j] = cols.len();
                                cols.push(j as u32);
                                vals.push(a * other.val[g]);
                            } else {
                                vals[marker[j]] += a * other.val[g];
                            }
                        }
                    }
                    let mut idx: Vec<usize> = (0..cols.len()).collect();
                    idx.sort_unstable_by_key(|&k| cols[k]);
                    let c: Vec<u32> = idx.iter().map(|&k| cols[k]).collect();
                    let v: Vec<f64> = idx.iter().map(|&k| vals[k]).collect();
                    for &j in cols.iter() {
                        marker[j as usize] = usize::MAX;
                    }
                    (c, v)
                },
            )
            .collect();
        let mut row_ptr = Vec::with_capacity(self.n_rows + 1);
        row_ptr.push(0);
        let mut total = 0;
        for r in &rows {
            total += r.0.len();
            row_ptr.push(total);
        }
        let mut col = Vec::with_capacity(total);
        let mut val = Vec::with_capacity(total);
        for (c, v) in rows {
            col.extend(c);
            val.extend(v);
        }
        Csr {
            n_rows: self.n_rows,
            n_cols: n,
            row_ptr,
            col,
            val,
        }
    }
}
