//! What summing in a fixed order costs: `linalg::dot` (fixed blocks of `CHUNK` rows added in
//! order, the same bits at any thread count) against rayon's own `sum` of the same block partials
//! (the tree work stealing makes; stop 34's dot), and `linalg::residual::residual_measures`
//! against the same per-row measures summed by rayon's `reduce`.
//! `cargo run --release --example reductions -- N REPS THREADS...`; prints the fastest of REPS
//! timings per kernel (to stderr), ns per element, and whether the results agree bit for bit across runs.
use rackflow_core::linalg::residual::residual_measures;
use rackflow_core::linalg::{dot, Csr};
use rayon::prelude::*;
use std::time::Instant;

const CHUNK: usize = 8192;

/// Stop 34's dot: the block partials summed by rayon.
fn rayon_dot(a: &[f64], b: &[f64]) -> f64 {
    a.par_chunks(CHUNK)
        .zip(b.par_chunks(CHUNK))
        .map(|(x, y)| x.iter().zip(y).map(|(p, q)| p * q).sum::<f64>())
        .sum()
}

/// Stop 34's residual measures (numerator, denominator, 2-norm) with rayon's `reduce`.
fn rayon_measures(a: &Csr, b: &[f64], x: &[f64]) -> (f64, f64, f64) {
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    let mut r = vec![0.0; x.len()];
    a.residual(b, x, &mut r);
    let (num, den, sq) = (0..b.len())
        .into_par_iter()
        .with_min_len(CHUNK)
        .map(|i| {
            let row_sum: f64 = a.val[a.row_ptr[i]..a.row_ptr[i + 1]].iter().sum();
            let axbar = row_sum * mean;
            let ax = b[i] - r[i];
            (
                r[i].abs(),
                (ax - axbar).abs() + (b[i] - axbar).abs(),
                r[i] * r[i],
            )
        })
        .reduce(|| (0.0, 0.0, 0.0), |p, q| (p.0 + q.0, p.1 + q.1, p.2 + q.2));
    (num, den, sq.sqrt())
}

fn values(n: usize, seed: u64) -> Vec<f64> {
    (0..n as u64)
        .map(|i| {
            let h = (i ^ seed).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            ((h >> 11) as f64 / (1u64 << 53) as f64 - 0.45) * 10f64.powi((h % 17) as i32 - 8)
        })
        .collect()
}

/// A 7-point Laplacian on an m × m × m grid.
fn laplacian(m: usize) -> Csr {
    let id = |i: usize, j: usize, k: usize| (i + m * (j + m * k)) as u32;
    Csr::from_rows(
        m * m * m,
        m * m * m,
        || (),
        |_, c, cols, vals| {
            let (i, j, k) = (c % m, (c / m) % m, c / (m * m));
            let mut e: Vec<(u32, f64)> = Vec::with_capacity(7);
            if k > 0 {
                e.push((id(i, j, k - 1), -1.0));
            }
            if j > 0 {
                e.push((id(i, j - 1, k), -1.0));
            }
            if i > 0 {
                e.push((id(i - 1, j, k), -1.0));
            }
            e.push((c as u32, 6.5));
            if i + 1 < m {
                e.push((id(i + 1, j, k), -1.0));
            }
            if j + 1 < m {
                e.push((id(i, j + 1, k), -1.0));
            }
            if k + 1 < m {
                e.push((id(i, j, k + 1), -1.0));
            }
            for (j, v) in e {
                cols.push(j);
                vals.push(v);
            }
        },
    )
}

/// The fastest of `reps` timings of `f`, seconds, and whether every result had the same bits.
fn time<T: PartialEq + std::fmt::Debug>(reps: usize, mut f: impl FnMut() -> T) -> (f64, bool) {
    let first = f();
    let (mut best, mut same) = (f64::INFINITY, true);
    for _ in 0..reps {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        same &= v == first;
    }
    (best, same)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let threads: Vec<usize> = args
        .get(3..)
        .map(|t| t.iter().filter_map(|s| s.parse().ok()).collect())
        .filter(|t: &Vec<usize>| !t.is_empty())
        .unwrap_or_else(|| vec![1, 2]);
    let (a, b) = (values(n, 1), values(n, 2));
    let m = (n as f64).cbrt().round() as usize;
    let lap = laplacian(m);
    let (x, rhs) = (values(lap.n_rows, 3), values(lap.n_rows, 4));
    eprintln!("| kernel | n | threads | rayon sum, ns/elem | ordered, ns/elem | ordered/rayon | rayon bits stable | ordered bits stable |");
    eprintln!("|---|---:|---:|---:|---:|---:|---|---|");
    for &t in &threads {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .expect("pool");
        pool.install(|| {
            let (old, old_same) = time(reps, || rayon_dot(&a, &b).to_bits());
            let (new, new_same) = time(reps, || dot(&a, &b).to_bits());
            eprintln!(
                "| dot | {n} | {t} | {:.3} | {:.3} | {:.3} | {old_same} | {new_same} |",
                1e9 * old / n as f64,
                1e9 * new / n as f64,
                new / old
            );
            let bits = |v: (f64, f64, f64)| (v.0.to_bits(), v.1.to_bits(), v.2.to_bits());
            let k = lap.n_rows;
            let (old, old_same) = time(reps / 4, || bits(rayon_measures(&lap, &rhs, &x)));
            let (new, new_same) = time(reps / 4, || bits(residual_measures(&lap, &rhs, &x)));
            eprintln!(
                "| residual measures | {k} | {t} | {:.3} | {:.3} | {:.3} | {old_same} | {new_same} |",
                1e9 * old / k as f64,
                1e9 * new / k as f64,
                new / old
            );
        });
    }
}
