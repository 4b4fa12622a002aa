//! Compressed sparse row matrix with a fixed pattern whose values can be refilled.

use super::CHUNK;
use rayon::prelude::*;
use std::sync::Arc;

/// Square or rectangular sparse matrix in CSR form. Column indices in each row are sorted.
/// The pattern (`row_ptr`, `col`) is shared between clones: matrices of one pattern with
/// different values (momentum and pressure of a flow, a preconditioner's copy) store it once.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    /// Number of rows.
    pub n_rows: usize,
    /// Number of columns.
    pub n_cols: usize,
    /// Row `i` holds entries `row_ptr[i]..row_ptr[i + 1]`.
    pub row_ptr: Arc<Vec<usize>>,
    /// Column index of each entry.
    pub col: Arc<Vec<u32>>,
    /// Value of each entry.
    pub val: Vec<f64>,
}

/// A [`Csr`]'s pattern with single-precision values: the multigrid hierarchy's operators, which
/// only need to approximate (the Krylov method's own products stay in double precision).
#[derive(Debug, Clone, Default)]
pub struct Csr32 {
    /// Number of rows.
    pub n_rows: usize,
    /// Number of columns.
    pub n_cols: usize,
    row_ptr: Arc<Vec<usize>>,
    col: Arc<Vec<u32>>,
    val: Vec<f32>,
}

impl Csr32 {
    /// The pattern of `a` (shared) with its values rounded to single precision.
    pub fn rounded(a: &Csr) -> Self {
        Self {
            n_rows: a.n_rows,
            n_cols: a.n_cols,
            row_ptr: Arc::clone(&a.row_ptr),
            col: Arc::clone(&a.col),
            val: a.val.par_iter().map(|&v| v as f32).collect(),
        }
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.col.len()
    }

    /// `y = A x`.
    pub fn mul_vec(&self, x: &[f64], y: &mut [f64]) {
        products(&self.row_ptr, &self.col, &self.val, x, y, None);
    }

    /// `r = b − A x`.
    pub fn residual(&self, b: &[f64], x: &[f64], r: &mut [f64]) {
        products(&self.row_ptr, &self.col, &self.val, x, r, Some(b));
    }

    /// `out[i] = finish(i, r_i)` with `r = b − A x`, in one pass over the rows.
    pub fn residual_then(
        &self,
        b: &[f64],
        x: &[f64],
        out: &mut [f64],
        finish: impl Fn(usize, f64) -> f64 + Sync,
    ) {
        residual_then(&self.row_ptr, &self.col, &self.val, b, x, out, finish);
    }

    /// `y += A x`, in one pass over the rows.
    pub fn add_mul_vec(&self, x: &[f64], y: &mut [f64]) {
        add_products(&self.row_ptr, &self.col, &self.val, x, y);
    }
}

/// `data` (one item per stored entry) in blocks of [`CHUNK`] rows: per block its first row, the
/// position of its first entry and its part of `data`.
fn row_blocks<'d, T>(
    n_rows: usize,
    row_ptr: &[usize],
    data: &'d mut [T],
) -> Vec<(usize, usize, &'d mut [T])> {
    let mut blocks = Vec::with_capacity(n_rows.div_ceil(CHUNK));
    let mut rest = data;
    let mut start = 0;
    while start < n_rows {
        let end = (start + CHUNK).min(n_rows);
        let (block, tail) = std::mem::take(&mut rest).split_at_mut(row_ptr[end] - row_ptr[start]);
        blocks.push((start, row_ptr[start], block));
        rest = tail;
        start = end;
    }
    blocks
}

/// `out = A x`, or `out = b − A x` with `b`, in parallel over rows, for values of either
/// precision (accumulated in double).
fn products<V: Copy + Into<f64> + Sync>(
    row_ptr: &[usize],
    col: &[u32],
    val: &[V],
    x: &[f64],
    out: &mut [f64],
    b: Option<&[f64]>,
) {
    out.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(chunk, outs)| {
            let start = chunk * CHUNK;
            for (k, o) in outs.iter_mut().enumerate() {
                let i = start + k;
                let row = row_ptr[i]..row_ptr[i + 1];
                let entries = col[row.clone()].iter().zip(&val[row]);
                *o = match b {
                    Some(b) => entries.fold(b[i], |s, (&j, &a)| s - a.into() * x[j as usize]),
                    None => entries.map(|(&j, &a)| a.into() * x[j as usize]).sum(),
                };
            }
        });
}

/// `out[i] = finish(i, b[i] − (A x)_i)` in parallel over rows: a residual and what is done
/// with each of its entries in the same pass (the same sums as [`Csr::residual`]).
fn residual_then<V: Copy + Into<f64> + Sync>(
    row_ptr: &[usize],
    col: &[u32],
    val: &[V],
    b: &[f64],
    x: &[f64],
    out: &mut [f64],
    finish: impl Fn(usize, f64) -> f64 + Sync,
) {
    out.par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(chunk, outs)| {
            let start = chunk * CHUNK;
            for (k, o) in outs.iter_mut().enumerate() {
                let i = start + k;
                let row = row_ptr[i]..row_ptr[i + 1];
                let entries = col[row.clone()].iter().zip(&val[row]);
                let r = entries.fold(b[i], |s, (&j, &a)| s - a.into() * x[j as usize]);
                *o = finish(i, r);
            }
        });
}

/// `y += A x` in parallel over rows (each row's product summed as [`Csr::mul_vec`] does, then
/// added).
fn add_products<V: Copy + Into<f64> + Sync>(
    row_ptr: &[usize],
    col: &[u32],
    val: &[V],
    x: &[f64],
    y: &mut [f64],
) {
    y.par_chunks_mut(CHUNK).enumerate().for_each(|(chunk, ys)| {
        let start = chunk * CHUNK;
        for (k, o) in ys.iter_mut().enumerate() {
            let i = start + k;
            let row = row_ptr[i]..row_ptr[i + 1];
            let entries = col[row.clone()].iter().zip(&val[row]);
            let product: f64 = entries.map(|(&j, &a)| a.into() * x[j as usize]).sum();
            *o += product;
        }
    });
}

impl Csr {
    /// `out[i] = finish(i, r_i)` with `r = b − A x`, in one pass over the rows.
    pub fn residual_then(
        &self,
        b: &[f64],
        x: &[f64],
        out: &mut [f64],
        finish: impl Fn(usize, f64) -> f64 + Sync,
    ) {
        residual_then(&self.row_ptr, &self.col, &self.val, b, x, out, finish);
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.col.len()
    }

    /// `y = A x`, in parallel over rows.
    pub fn mul_vec(&self, x: &[f64], y: &mut [f64]) {
        products(&self.row_ptr, &self.col, &self.val, x, y, None);
    }

    /// `r = b − A x`, in parallel over rows.
    pub fn residual(&self, b: &[f64], x: &[f64], r: &mut [f64]) {
        products(&self.row_ptr, &self.col, &self.val, x, r, Some(b));
    }

    /// The values in blocks of [`CHUNK`] rows, to fill rows in parallel: per block its first
    /// row, the position of its first value, and its values (the blocks of
    /// `par_chunks_mut(CHUNK)` over a per-row vector, so the two zip).
    pub fn row_blocks_mut(&mut self) -> Vec<(usize, usize, &mut [f64])> {
        row_blocks(self.n_rows, &self.row_ptr, &mut self.val)
    }

    /// [`Csr::row_blocks_mut`] for other data with one item per stored entry (`data` has
    /// [`Csr::nnz`] items).
    pub fn entry_blocks<'d, T>(&self, data: &'d mut [T]) -> Vec<(usize, usize, &'d mut [T])> {
        row_blocks(self.n_rows, &self.row_ptr, data)
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
        for &c in self.col.iter() {
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
            row_ptr: Arc::new(row_ptr),
            col: Arc::new(col),
            val,
        }
    }

    /// Build a matrix row by row in parallel: `row(scratch, i, cols, vals)` appends row `i`'s
    /// entries (columns sorted). Rows are produced in contiguous blocks, each into one buffer,
    /// so there is no allocation per row; `init` makes one scratch value per task.
    pub fn from_rows<S, I, F>(n_rows: usize, n_cols: usize, init: I, row: F) -> Csr
    where
        I: Fn() -> S + Sync + Send,
        F: Fn(&mut S, usize, &mut Vec<u32>, &mut Vec<f64>) + Sync + Send,
    {
        let block = (n_rows / (8 * rayon::current_num_threads().max(1)))
            .clamp(1024, 65536)
            .max(1);
        let blocks: Vec<(Vec<usize>, Vec<u32>, Vec<f64>)> = (0..n_rows.div_ceil(block))
            .into_par_iter()
            .map_init(&init, |scratch, b| {
                let rows = b * block..((b + 1) * block).min(n_rows);
                let mut ends = Vec::with_capacity(rows.len());
                let mut cols = Vec::new();
                let mut vals = Vec::new();
                for i in rows {
                    row(scratch, i, &mut cols, &mut vals);
                    ends.push(cols.len());
                }
                (ends, cols, vals)
            })
            .collect();
        let mut row_ptr = Vec::with_capacity(n_rows + 1);
        row_ptr.push(0);
        for (ends, _, _) in &blocks {
            let base = *row_ptr.last().unwrap_or(&0);
            row_ptr.extend(ends.iter().map(|e| base + e));
        }
        let nnz = *row_ptr.last().unwrap_or(&0);
        // Concatenate block by block, handing each block's memory back as soon as it is copied:
        // glibc would keep the freed blocks, and blocks plus result would double the matrix's
        // memory at its peak (~80 MB for the first coarse level at 1e6 cells).
        let has_values = blocks.iter().all(|(_, c, v)| v.len() == c.len());
        let mut col = Vec::with_capacity(nnz);
        let mut val = if has_values {
            Vec::with_capacity(nnz)
        } else {
            vec![0.0; nnz]
        };
        for (_, c, v) in blocks {
            col.extend_from_slice(&c);
            if has_values {
                val.extend_from_slice(&v);
            }
            drop((c, v));
            crate::release_free_memory();
        }
        Csr {
            n_rows,
            n_cols,
            row_ptr: Arc::new(row_ptr),
            col: Arc::new(col),
            val,
        }
    }

    /// Sparse product `self · other`, rows computed in parallel with a dense accumulator per task.
    pub fn mul(&self, other: &Csr) -> Csr {
        let n = other.n_cols;
        Csr::from_rows(
            self.n_rows,
            n,
            || Accumulator::new(n),
            |acc, i, cols, vals| {
                acc.add_product_row(self, other, i, 1.0);
                acc.drain_sorted(cols, vals);
            },
        )
    }

    /// The Galerkin product `R · self · P` with `R = Pᵀ` given, computed row by row without
    /// forming `self · P` (which would cost its own memory): where its rows are expensive, each
    /// task keeps the rows it has computed in a bounded cache, because consecutive coarse rows
    /// share most of their fine rows (a fine row of a smoothed prolongator belongs to several
    /// aggregates' rows of `R`), and recomputing them would repeat each one about as often as
    /// `P` has entries per row.
    pub fn galerkin(&self, p: &Csr, r: &Csr) -> Csr {
        let n = p.n_cols;
        // A row of `self · P` costs about (entries per row of self) × (entries per row of P) to
        // recompute; a short one (a 7-point stencil times a 3–4-entry prolongator: the finest
        // level) is cheaper to recompute than to fetch from a cache spanning several planes of
        // cells (measured at 1e6 cells: 0.44 s recomputed, 0.56 s cached), a long one (27-point
        // coarse stencils) is not (0.23 s against 0.13–0.15 s).
        let per_row = |m: &Csr| m.nnz() as f64 / m.n_rows.max(1) as f64;
        if per_row(self) * per_row(p) < 64.0 {
            return self.galerkin_recomputed(p, r);
        }
        Csr::from_rows(
            r.n_rows,
            n,
            || (Accumulator::new(n), ProductRows::new(self.n_rows, n)),
            |(acc, cache), ci, cols, vals| {
                let rr = r.row_ptr[ci]..r.row_ptr[ci + 1];
                for (&i, &ri) in r.col[rr.clone()].iter().zip(&r.val[rr]) {
                    let (ap_cols, ap_vals) = cache.row(self, p, i as usize);
                    for (&j, &v) in ap_cols.iter().zip(ap_vals) {
                        acc.add(j, ri * v);
                    }
                }
                acc.drain_sorted(cols, vals);
            },
        )
    }

    /// [`Csr::galerkin`] recomputing each row of `self · P` wherever `R` needs it.
    fn galerkin_recomputed(&self, p: &Csr, r: &Csr) -> Csr {
        let n = p.n_cols;
        Csr::from_rows(
            r.n_rows,
            n,
            || Accumulator::new(n),
            |acc, ci, cols, vals| {
                let rr = r.row_ptr[ci]..r.row_ptr[ci + 1];
                for (&i, &ri) in r.col[rr.clone()].iter().zip(&r.val[rr]) {
                    acc.add_product_row(self, p, i as usize, ri);
                }
                acc.drain_sorted(cols, vals);
            },
        )
    }
}

/// Rows of a product `A · P` computed on demand and kept until the store is full.
struct ProductRows {
    /// Position of row i's range in `ranges` + 1, or 0 when not stored.
    slot: Vec<u32>,
    stored: Vec<u32>,
    ranges: Vec<(usize, usize)>,
    cols: Vec<u32>,
    vals: Vec<f64>,
    acc: Accumulator,
}

impl ProductRows {
    /// Stored entries before the cache starts afresh (12 bytes each, per task).
    const CAPACITY: usize = 1 << 21;

    fn new(n_rows: usize, n_cols: usize) -> Self {
        ProductRows {
            slot: vec![0; n_rows],
            stored: Vec::new(),
            ranges: Vec::new(),
            cols: Vec::new(),
            vals: Vec::new(),
            acc: Accumulator::new(n_cols),
        }
    }

    fn row(&mut self, a: &Csr, p: &Csr, i: usize) -> (&[u32], &[f64]) {
        if self.slot[i] == 0 {
            if self.cols.len() >= Self::CAPACITY {
                for &k in &self.stored {
                    self.slot[k as usize] = 0;
                }
                self.stored.clear();
                self.ranges.clear();
                self.cols.clear();
                self.vals.clear();
            }
            self.acc.add_product_row(a, p, i, 1.0);
            let start = self.cols.len();
            self.acc.drain(&mut self.cols, &mut self.vals);
            self.ranges.push((start, self.cols.len()));
            self.stored.push(i as u32);
            self.slot[i] = self.ranges.len() as u32;
        }
        let (start, end) = self.ranges[self.slot[i] as usize - 1];
        (&self.cols[start..end], &self.vals[start..end])
    }
}

/// A sparse row accumulator: a dense position table over the columns plus the touched list.
pub struct Accumulator {
    position: Vec<u32>,
    cols: Vec<u32>,
    vals: Vec<f64>,
}

impl Accumulator {
    const EMPTY: u32 = u32::MAX;

    /// An accumulator for rows of `n_cols` columns.
    pub fn new(n_cols: usize) -> Self {
        Accumulator {
            position: vec![Self::EMPTY; n_cols],
            cols: Vec::new(),
            vals: Vec::new(),
        }
    }

    /// Add `v` to column `j`.
    #[inline]
    pub fn add(&mut self, j: u32, v: f64) {
        let slot = &mut self.position[j as usize];
        if *slot == Self::EMPTY {
            *slot = self.cols.len() as u32;
            self.cols.push(j);
            self.vals.push(v);
        } else {
            self.vals[*slot as usize] += v;
        }
    }

    /// Add `weight` × (row `i` of `a`) · `b`.
    #[inline]
    pub fn add_product_row(&mut self, a: &Csr, b: &Csr, i: usize, weight: f64) {
        let ar = a.row_ptr[i]..a.row_ptr[i + 1];
        for (&k, &av) in a.col[ar.clone()].iter().zip(&a.val[ar]) {
            let w = weight * av;
            let br = b.row_ptr[k as usize]..b.row_ptr[k as usize + 1];
            for (&j, &bv) in b.col[br.clone()].iter().zip(&b.val[br]) {
                self.add(j, w * bv);
            }
        }
    }

    /// Append the accumulated row to `cols`/`vals` in no particular order and reset.
    pub fn drain(&mut self, cols: &mut Vec<u32>, vals: &mut Vec<f64>) {
        for &j in &self.cols {
            self.position[j as usize] = Self::EMPTY;
        }
        cols.extend_from_slice(&self.cols);
        vals.extend_from_slice(&self.vals);
        self.cols.clear();
        self.vals.clear();
    }

    /// Append the accumulated row to `cols`/`vals` in column order and reset.
    pub fn drain_sorted(&mut self, cols: &mut Vec<u32>, vals: &mut Vec<f64>) {
        self.cols.sort_unstable();
        for &j in &self.cols {
            let k = self.position[j as usize] as usize;
            cols.push(j);
            vals.push(self.vals[k]);
            self.position[j as usize] = Self::EMPTY;
        }
        self.cols.clear();
        self.vals.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A banded matrix with `width` entries per row and a prolongator with three entries per
    /// row onto `n / 4` coarse unknowns, values varying so that no sum is accidental.
    fn operators(n: usize, width: usize) -> (Csr, Csr) {
        let a = Csr::from_rows(
            n,
            n,
            || (),
            |_, i, cols, vals| {
                let first = i.saturating_sub(width / 2).min(n - width);
                for j in first..first + width {
                    cols.push(j as u32);
                    vals.push(if i == j {
                        width as f64
                    } else {
                        -1.0 / (1 + (i + j) % 5) as f64
                    });
                }
            },
        );
        let m = n / 4;
        let p = Csr::from_rows(
            n,
            m,
            || (),
            |_, i, cols, vals| {
                let mut row: Vec<u32> = [i / 4, (i / 4 + 1) % m, (i * 7 + 3) % m]
                    .iter()
                    .map(|&c| c as u32)
                    .collect();
                row.sort_unstable();
                row.dedup();
                for c in row {
                    cols.push(c);
                    vals.push(0.25 + (i % 3) as f64 * 0.1 + c as f64 * 1e-3);
                }
            },
        );
        (a, p)
    }

    /// The single-precision copy multiplies like the matrix it rounds (to single-precision
    /// round-off of the values, accumulated in double), and its residual is b minus its product.
    #[test]
    fn single_precision_products_follow_the_double_ones() {
        let (a, _) = operators(2000, 7);
        let a32 = Csr32::rounded(&a);
        assert_eq!(
            (a32.n_rows, a32.n_cols, a32.nnz()),
            (a.n_rows, a.n_cols, a.nnz())
        );
        let x: Vec<f64> = (0..a.n_cols).map(|i| (i as f64 * 0.37).sin()).collect();
        let b: Vec<f64> = (0..a.n_rows).map(|i| 1.0 + (i % 11) as f64).collect();
        let (mut y, mut y32, mut r32) = (
            vec![0.0; a.n_rows],
            vec![0.0; a.n_rows],
            vec![0.0; a.n_rows],
        );
        a.mul_vec(&x, &mut y);
        a32.mul_vec(&x, &mut y32);
        a32.residual(&b, &x, &mut r32);
        let scale: f64 = a.val.iter().map(|v| v.abs()).fold(0.0, f64::max) * 7.0;
        for i in 0..a.n_rows {
            assert!(
                (y[i] - y32[i]).abs() <= 1e-6 * scale,
                "row {i}: {} against {}",
                y32[i],
                y[i]
            );
            assert!((r32[i] - (b[i] - y32[i])).abs() <= 1e-12 * (1.0 + b[i].abs()));
        }
        // the values really were rounded: some products differ from the double ones
        assert!(y.iter().zip(&y32).any(|(p, q)| p != q));
    }

    /// Both Galerkin paths (rows of A·P cached, for long rows; recomputed, for short ones) give
    /// R·(A·P) formed explicitly; the long-row case stores about 5 million entries of A·P, so
    /// the cache (2 million per task) fills up and starts afresh several times.
    #[test]
    fn galerkin_products_equal_the_explicit_product() {
        for (n, width) in [(4000, 5), (120_000, 31)] {
            let (a, p) = operators(n, width);
            let r = p.transpose();
            let fast = a.galerkin(&p, &r);
            let explicit = r.mul(&a.mul(&p));
            assert_eq!(fast.row_ptr, explicit.row_ptr, "width {width}");
            assert_eq!(fast.col, explicit.col, "width {width}");
            for (x, y) in fast.val.iter().zip(&explicit.val) {
                assert!(
                    (x - y).abs() <= 1e-12 * (1.0 + y.abs()),
                    "width {width}: {x} against {y}"
                );
            }
        }
    }
}
