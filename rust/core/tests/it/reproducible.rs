//! The same input gives the same bits in every run and at any thread count (issue 16, stop 35):
//! the reductions (dot products, norms, residual measures) and the solves built on them, run in
//! rayon pools of 1, 2 and 4 threads, several times each. Before stop 35 rayon's `sum`/`reduce`
//! added the partials in a tree that work stealing shaped, so their last bits — and a solve's
//! iterations and answer — varied from run to run with two threads.

use super::common::{case, fixed, solid};
use rackflow_core::case::solve;
use rackflow_core::discretisation::pattern::CellPattern;
use rackflow_core::linalg::residual::{
    mean3, residual_and_normalisation, residual_measures, residual_measures3, round_off_scale,
};
use rackflow_core::linalg::{
    bicgstab, bicgstab3, cg, dot, gmres, norm, Amg, AmgSettings, Csr, GmresSettings, SolveSettings,
    SymmetricGaussSeidel,
};
use rackflow_core::mesh::structured::{BoxArrays, BoxCells};
use rackflow_core::Silent;

const THREADS: [usize; 3] = [1, 2, 4];
const RUNS: usize = 4;

/// Deterministic values of mixed sign and magnitude (sixteen decades), so that the order of
/// addition shows in the last bits.
fn awkward(n: usize, seed: u64) -> Vec<f64> {
    (0..n as u64)
        .map(|i| {
            let h = (i ^ seed).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let u = (h >> 11) as f64 / (1u64 << 53) as f64;
            (u - 0.45) * 10f64.powi((h % 17) as i32 - 8)
        })
        .collect()
}

/// A diagonally dominant matrix on an `n`³ box of hexahedra: the Laplacian, with `convection`
/// more on the diagonal and on one side of every x coupling (non-symmetric), fixed value on
/// patch 0.
fn box_matrix(n: usize, convection: f64) -> Csr {
    let mesh = BoxArrays::new([n, n, n], [1.0, 1.0, 1.0], BoxCells::Hexa)
        .build()
        .unwrap();
    let p = CellPattern::new(&mesh);
    let mut a = p.matrix.clone();
    for f in 0..mesh.n_internal_faces {
        let (o, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
        let along_x = (mesh.cell_centre[q][0] - mesh.cell_centre[o][0]).abs() > 0.5 / n as f64;
        let up = if along_x { convection } else { 0.0 };
        a.val[p.diag[o]] += 1.0 + up;
        a.val[p.diag[q]] += 1.0 + up;
        a.val[p.upper[f]] -= 1.0;
        a.val[p.lower[f]] -= 1.0 + up;
    }
    for f in mesh.patch_faces(0) {
        a.val[p.diag[mesh.owner[f] as usize]] += 2.0;
    }
    a
}

/// `run()` in pools of 1, 2 and 4 threads, [`RUNS`] times each: every result's bits equal the
/// first one's.
fn same_bits_everywhere(what: &str, run: impl Fn() -> Vec<f64> + Sync) {
    let mut first: Option<(usize, Vec<u64>)> = None;
    for threads in THREADS {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for k in 0..RUNS {
            let bits: Vec<u64> = pool.install(&run).iter().map(|v| v.to_bits()).collect();
            match &first {
                None => first = Some((threads, bits)),
                Some((t0, b0)) => {
                    let differ = b0.iter().zip(&bits).filter(|(p, q)| p != q).count();
                    assert!(
                        differ == 0 && b0.len() == bits.len(),
                        "{what}: run {k} with {threads} threads differs from the first ({t0} \
                         threads) in {differ} of {} values",
                        bits.len()
                    );
                }
            }
        }
    }
}

#[test]
fn reductions_give_the_same_bits_at_any_thread_count() {
    let n = 1_000_003;
    let (x, y) = (awkward(n, 1), awkward(n, 2));
    same_bits_everywhere("dot and norm", || vec![dot(&x, &y), norm(&x)]);

    let a = box_matrix(60, 3.0);
    let m = a.n_rows;
    let (t, b) = (awkward(m, 3), awkward(m, 4));
    same_bits_everywhere("residual measures", || {
        let (num, den, two) = residual_measures(&a, &b, &t);
        let mut r = vec![0.0; m];
        let (rn, scale) = residual_and_normalisation(&a, &b, &t, &mut r);
        vec![num, den, two, rn, scale, round_off_scale(&a, &t)]
    });
    let v: Vec<[f64; 3]> = (0..m).map(|i| [t[i], b[i], t[i] * b[i]]).collect();
    let w: Vec<[f64; 3]> = (0..m).map(|i| [b[i], t[i], -t[i]]).collect();
    same_bits_everywhere("three-component measures", || {
        let mean = mean3(&v);
        let mut out = mean.to_vec();
        for (p, q, r) in residual_measures3(&a, &v, mean, &w) {
            out.extend([p, q, r]);
        }
        out
    });
}

#[test]
fn linear_solves_give_the_same_bits_at_any_thread_count() {
    let a = box_matrix(44, 0.0); // symmetric: conjugate gradients with AMG
    let b = awkward(a.n_rows, 5);
    let settings = SolveSettings {
        relative_tolerance: 1e-9,
        ..Default::default()
    };
    let amg = Amg::new(&a, AmgSettings::default());
    same_bits_everywhere("AMG-CG", || {
        let mut x = vec![0.0; a.n_rows];
        let info = cg(&a, &b, &mut x, &amg, settings, &|| false).unwrap();
        x.push(info.final_residual);
        x
    });

    let c = box_matrix(44, 4.0); // convection: BiCGStab with symmetric Gauss–Seidel, and GMRES
    let sgs = SymmetricGaussSeidel::new(&c);
    same_bits_everywhere("BiCGStab", || {
        let mut x = vec![0.0; c.n_rows];
        let info = bicgstab(&c, &b, &mut x, &sgs, settings, &|| false).unwrap();
        x.push(info.final_residual);
        x
    });
    same_bits_everywhere("GMRES", || {
        let mut x = vec![0.0; c.n_rows];
        let gmres_settings = GmresSettings {
            restart: 20,
            max_iterations: 60,
            tolerance: 1e-9 * norm(&b),
        };
        let mut apply = |v: &[f64], out: &mut [f64]| c.mul_vec(v, out);
        let info = gmres(&mut apply, &b, &mut x, &sgs, gmres_settings, &|| false).unwrap();
        x.push(info.final_residual);
        x
    });
    let b3: Vec<[f64; 3]> = (0..c.n_rows).map(|i| [b[i], -b[i], 1.0]).collect();
    same_bits_everywhere("BiCGStab, three components", || {
        let mut x = vec![[0.0; 3]; c.n_rows];
        bicgstab3(&c, &b3, &mut x, &sgs, |_| [settings; 3], &|| false).unwrap();
        x.into_iter().flatten().collect()
    });
}

#[test]
fn a_conduction_case_gives_the_same_temperatures_at_any_thread_count() {
    // two materials on 40³ hexahedra: the energy solve's linear solver, residual normalisation
    // and outer iterations over 64,000 cells
    let n = [40, 40, 40];
    let mesh = super::common::two_regions(
        BoxArrays::new(n, [0.04, 0.04, 0.04], BoxCells::Hexa),
        n,
        [0.04, 0.04, 0.04],
        0.015,
    )
    .build()
    .unwrap();
    let mut hot = solid("left", 20.0);
    hot.power_w = Some(50.0);
    let base = case(vec![hot, solid("right", 390.0)], vec![fixed("xmax", 300.0)]);
    // the solve runs in a pool of its own, as many threads as the one it is called from
    same_bits_everywhere("conduction", || {
        let mut c = base.clone();
        c.settings.threads = Some(rayon::current_num_threads());
        solve(&mesh, &c, &Silent).unwrap().temperature_k
    });
}
