//! A linear operator known only through its products, made an explicit matrix by coloured
//! probing (Curtis, Powell & Reid 1974): columns that share no row of the operator's pattern take
//! one colour, one product with the sum of a colour's unit vectors gives all their columns, and
//! the matrix costs as many products as there are colours rather than one per column.

use super::Csr;

/// A column colouring of a sparsity pattern for [`Probing::matrix`].
pub struct Probing {
    /// The pattern probed (values unused).
    pattern: Csr,
    /// Colour of each column.
    colour: Vec<u32>,
    /// Number of colours, hence of products per matrix.
    n_colours: usize,
}

impl Probing {
    /// Colour the columns of `pattern` (its values unused; square, each row's columns sorted) greedily in their
    /// natural order, so that no row holds two columns of one colour (a distance-2 colouring of
    /// the column graph). The operator must have no entry outside `pattern`: one there would be
    /// added to an entry of its row that shares its colour.
    pub fn new(pattern: &Csr) -> Probing {
        let n = pattern.n_cols;
        // the rows of each column (the transpose's pattern, without values)
        let mut start = vec![0usize; n + 1];
        for &j in pattern.col.iter() {
            start[j as usize + 1] += 1;
        }
        for j in 0..n {
            start[j + 1] += start[j];
        }
        let mut next = start[..n].to_vec();
        let mut rows = vec![0u32; pattern.nnz()];
        for i in 0..pattern.n_rows {
            for &j in &pattern.col[pattern.row_ptr[i]..pattern.row_ptr[i + 1]] {
                rows[next[j as usize]] = i as u32;
                next[j as usize] += 1;
            }
        }
        drop(next);
        let mut colour = vec![u32::MAX; n];
        // `taken[k] == j`: colour k is used by a column sharing a row with column j
        let mut taken: Vec<usize> = Vec::new();
        let mut n_colours = 0usize;
        for j in 0..n {
            for &i in &rows[start[j]..start[j + 1]] {
                let i = i as usize;
                for g in pattern.row_ptr[i]..pattern.row_ptr[i + 1] {
                    let k = colour[pattern.col[g] as usize];
                    if k != u32::MAX {
                        taken[k as usize] = j;
                    }
                }
            }
            let free = (0..n_colours).find(|&k| taken[k] != j).unwrap_or_else(|| {
                taken.push(usize::MAX);
                n_colours += 1;
                n_colours - 1
            });
            colour[j] = free as u32;
        }
        Probing {
            pattern: Csr {
                n_rows: pattern.n_rows,
                n_cols: n,
                row_ptr: pattern.row_ptr.clone(),
                col: pattern.col.clone(),
                val: Vec::new(),
            },
            colour,
            n_colours,
        }
    }

    /// Products one explicit matrix costs.
    pub fn n_colours(&self) -> usize {
        self.n_colours
    }

    /// Entries of the pattern (of the matrix [`Probing::matrix`] returns).
    pub fn nnz(&self) -> usize {
        self.pattern.col.len()
    }

    /// The operator `apply(v, out)` (`out = A v`) as a matrix on the pattern: one product per
    /// colour, each entry `A[i][j]` read from row `i` of the product with `j`'s colour.
    pub fn matrix(&self, apply: &mut dyn FnMut(&[f64], &mut [f64])) -> Csr {
        let p = &self.pattern;
        let mut val = vec![0.0; p.col.len()];
        let mut probe = vec![0.0; p.n_cols];
        let mut product = vec![0.0; p.n_rows];
        for k in 0..self.n_colours as u32 {
            for (v, &c) in probe.iter_mut().zip(&self.colour) {
                *v = if c == k { 1.0 } else { 0.0 };
            }
            apply(&probe, &mut product);
            for i in 0..p.n_rows {
                for e in p.row_ptr[i]..p.row_ptr[i + 1] {
                    if self.colour[p.col[e] as usize] == k {
                        val[e] = product[i];
                    }
                }
            }
        }
        Csr { val, ..p.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pentadiagonal matrix, its pattern, and a product closure.
    fn banded(n: usize) -> Csr {
        let mut row_ptr = vec![0];
        let mut col = Vec::new();
        let mut val = Vec::new();
        for i in 0..n {
            for j in i.saturating_sub(2)..(i + 3).min(n) {
                col.push(j as u32);
                val.push(1.0 + (3 * i + 7 * j) as f64 * 0.01);
            }
            row_ptr.push(col.len());
        }
        Csr {
            n_rows: n,
            n_cols: n,
            row_ptr: row_ptr.into(),
            col: col.into(),
            val,
        }
    }

    #[test]
    fn probing_recovers_a_banded_matrix_in_five_products() {
        let a = banded(40);
        let probing = Probing::new(&a);
        // a pentadiagonal pattern's columns conflict within four of each other
        assert_eq!(probing.n_colours(), 5);
        let mut products = 0;
        let m = probing.matrix(&mut |v, out| {
            products += 1;
            a.mul_vec(v, out);
        });
        assert_eq!(products, 5);
        assert_eq!(m.val, a.val);
    }
}
