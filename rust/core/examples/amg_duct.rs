//! AMG on the duct benchmark's pressure-like operator without the flow solver:
//! `cargo run --release --example amg_duct -- N THETA [THREADS [DEGREE]]` (10N × 2N × N cells on
//! 40 × 2 × 1 mm, 7-point Laplacian with face coefficients area / distance, fixed value at the
//! outlet). Prints (to stderr) the hierarchy, set-up time and CG iterations and time to 1e-2 and 1e-6.
use rackflow_core::linalg::{cg, Amg, AmgSettings, Csr, SolveSettings};
use std::time::Instant;

fn duct_operator(n: usize) -> Csr {
    let (nx, ny, nz) = (10 * n, 2 * n, n);
    let (dx, dy, dz) = (0.04 / nx as f64, 0.002 / ny as f64, 0.001 / nz as f64);
    let (cx, cy, cz) = (dy * dz / dx, dx * dz / dy, dx * dy / dz);
    let id = |i: usize, j: usize, k: usize| (i + nx * (j + ny * k)) as u32;
    Csr::from_rows(
        nx * ny * nz,
        nx * ny * nz,
        || (),
        |_, c, cols, vals| {
            let (i, j, k) = (c % nx, (c / nx) % ny, c / (nx * ny));
            let mut entries: Vec<(u32, f64)> = Vec::with_capacity(7);
            let mut diag = 0.0;
            let mut link = |ok: bool, other: u32, coef: f64, entries: &mut Vec<(u32, f64)>| {
                if ok {
                    entries.push((other, -coef));
                    diag += coef;
                }
            };
            link(k > 0, id(i, j, k.wrapping_sub(1)), cz, &mut entries);
            link(j > 0, id(i, j.wrapping_sub(1), k), cy, &mut entries);
            link(i > 0, id(i.wrapping_sub(1), j, k), cx, &mut entries);
            link(i + 1 < nx, id(i + 1, j, k), cx, &mut entries);
            link(j + 1 < ny, id(i, j + 1, k), cy, &mut entries);
            link(k + 1 < nz, id(i, j, k + 1), cz, &mut entries);
            if i + 1 == nx {
                diag += 2.0 * cx; // outlet: fixed pressure half a cell away
            }
            entries.push((c as u32, diag));
            entries.sort_by_key(|e| e.0);
            for (j, v) in entries {
                cols.push(j);
                vals.push(v);
            }
        },
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(12);
    let theta: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let threads: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let degree: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(2);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    pool.install(|| {
        let a = duct_operator(n);
        let settings = AmgSettings {
            strength_threshold: theta,
            smoother_degree: degree,
            ..AmgSettings::default()
        };
        let t = Instant::now();
        let amg = Amg::new(&a, settings);
        let setup = t.elapsed().as_secs_f64();
        let stats = amg.stats();
        eprintln!(
            "cells {} levels {:?} complexity {:.2} set-up {setup:.3} s",
            a.n_rows, stats.sizes, stats.operator_complexity
        );
        // a smooth-plus-rough right-hand side like a pressure equation's mass imbalance
        let b: Vec<f64> = (0..a.n_rows)
            .map(|i| ((i * 7919) % 1000) as f64 / 1000.0 - 0.5 + 1e-3 * (i % 97) as f64)
            .collect();
        for reduction in [1e-2, 1e-6] {
            let mut x = vec![0.0; a.n_rows];
            let t = Instant::now();
            let info = cg(
                &a,
                &b,
                &mut x,
                &amg,
                SolveSettings {
                    relative_tolerance: reduction,
                    absolute_tolerance: 0.0,
                    max_iterations: 500,
                },
                &|| false,
            );
            let its = info.map(|i| i.iterations).unwrap_or(usize::MAX);
            eprintln!(
                "  to {reduction:e}: {its} CG iterations, {:.3} s",
                t.elapsed().as_secs_f64()
            );
        }
    });
}
