//! Parallel sums that give the same bits whatever the pool: every floating-point reduction of
//! the solver (dot products, norms, residual measures, field means) goes through here.
//!
//! rayon's own `sum` and `reduce` add the partial results in the tree its adaptive splitter
//! made, and that tree depends on which thread stole which half: floating-point addition is not
//! associative, so the same sum differs in its last bits from run to run with more than one
//! thread, and between thread counts. A Krylov solver's iterates inherit the difference, an
//! outer iteration's convergence test can flip on it, and a case then takes another path (stop 34
//! measured the bundled pin-fin plate taking 128 / 131 / 128 outer iterations in three runs of one
//! build). Here the partials are per fixed block of [`CHUNK`] items, written in block order
//! (an indexed collect), and added in that order on the calling thread: the association is
//! fixed by the length of the vector alone, so the result is the same for any thread count and
//! any scheduling. The partial vector has one entry per 8,192 items; adding it sequentially costs
//! nothing measurable.

use super::CHUNK;
use rayon::prelude::*;

/// A value that can be summed: `f64`, or a fixed-size array of them summed per entry.
pub trait Summable: Copy + Send + Sync {
    /// The additive identity.
    const ZERO: Self;
    /// `self + other` (per entry for arrays).
    fn plus(self, other: Self) -> Self;
}

impl Summable for f64 {
    const ZERO: Self = 0.0;
    #[inline]
    fn plus(self, other: Self) -> Self {
        self + other
    }
}

impl<const N: usize> Summable for [f64; N] {
    const ZERO: Self = [0.0; N];
    #[inline]
    fn plus(mut self, other: Self) -> Self {
        for (a, b) in self.iter_mut().zip(other) {
            *a += b;
        }
        self
    }
}

/// The sum of `partials` in their order, added on the calling thread: the partials of a parallel
/// pass over fixed blocks (e.g. `x.par_chunks(CHUNK).map(…)`), whose number and boundaries must
/// not depend on the pool (no `with_min_len`/adaptive splits inside one partial).
pub fn ordered_sum<T: Summable>(partials: impl IndexedParallelIterator<Item = T>) -> T {
    let mut v = Vec::with_capacity(partials.len());
    partials.collect_into_vec(&mut v);
    v.into_iter().fold(T::ZERO, T::plus)
}

/// `Σ_{i < n} item(i)`, in blocks of [`CHUNK`] consecutive items summed in order, the blocks in
/// parallel and their sums added in order: the same bits for any thread count.
pub fn sum_rows<T: Summable>(n: usize, item: impl Fn(usize) -> T + Sync) -> T {
    ordered_sum((0..n.div_ceil(CHUNK)).into_par_iter().map(|block| {
        let rows = block * CHUNK..((block + 1) * CHUNK).min(n);
        rows.fold(T::ZERO, |s, i| s.plus(item(i)))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values whose sum depends strongly on the order of addition.
    fn awkward(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let x = ((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64
                    / (1u64 << 53) as f64;
                (x - 0.5) * 10f64.powi((i % 17) as i32 - 8)
            })
            .collect()
    }

    #[test]
    fn the_sum_is_the_blocks_in_order_for_any_pool() {
        let x = awkward(10 * CHUNK + 123);
        // the definition: each block summed left to right, then the blocks left to right
        let expected = x
            .chunks(CHUNK)
            .map(|c| c.iter().fold(0.0, |s, v| s + v))
            .fold(0.0, |s, v| s + v);
        for threads in [1, 2, 3, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for _ in 0..20 {
                let s = pool.install(|| sum_rows(x.len(), |i| x[i]));
                assert_eq!(s.to_bits(), expected.to_bits(), "{threads} threads");
                let a = pool.install(|| sum_rows(x.len(), |i| [x[i], -x[i], x[i] * x[i]]));
                assert_eq!(a[0].to_bits(), expected.to_bits());
                assert_eq!(a[1].to_bits(), (-expected).to_bits());
                let c = pool.install(|| {
                    ordered_sum(
                        x.par_chunks(CHUNK)
                            .map(|c| c.iter().fold(0.0, |s, v| s + v)),
                    )
                });
                assert_eq!(c.to_bits(), expected.to_bits());
            }
        }
        assert_eq!(sum_rows(0, |_| 1.0), 0.0);
    }
}
