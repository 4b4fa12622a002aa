//! Properties of the discrete conduction operator for random meshes and coefficients.

use proptest::prelude::*;
use rackflow_core::case::PatchCondition;
use rackflow_core::mesh::structured::{BoxArrays, BoxCells};
use rackflow_core::physics::energy::Conduction;
use rackflow_core::physics::Property;

fn jittered(n: usize, cells: BoxCells, jitter: f64, seed: u64) -> BoxArrays {
    let mut a = BoxArrays::new([n, n, n], [1.0, 1.0, 1.0], cells);
    let h = 1.0 / n as f64;
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    for p in 0..a.points.len() / 3 {
        let interior =
            (0..3).all(|d| a.points[3 * p + d] > 1e-12 && a.points[3 * p + d] < 1.0 - 1e-12);
        for d in 0..3 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            if interior {
                a.points[3 * p + d] += jitter * h * u;
            }
        }
    }
    a
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn matrix_is_symmetric_with_non_negative_row_sums(
        tet in any::<bool>(),
        jitter in 0.0..0.3f64,
        seed in any::<u64>(),
        k in 0.1..500.0f64,
        h in 1.0..1e4f64,
    ) {
        let cells = if tet { BoxCells::Tetra } else { BoxCells::Hexa };
        let mesh = jittered(3, cells, jitter, seed).build().unwrap();
        let patches = vec![
            PatchCondition::Fixed(300.0),
            PatchCondition::Convective(h, 290.0),
            PatchCondition::Adiabatic,
            PatchCondition::Flux(1e3),
            PatchCondition::Adiabatic,
            PatchCondition::Adiabatic,
        ];
        let mut eq = Conduction::new(&mesh, vec![Property::Constant(k)], vec![0.0], patches, &[], vec![None; 6], None);
        let mut a = eq.new_matrix();
        let mut b = vec![0.0; mesh.n_cells()];
        eq.assemble(&vec![300.0; mesh.n_cells()], &mut a, &mut b);
        for i in 0..a.n_rows {
            let mut sum = 0.0;
            let mut diag = 0.0;
            for e in a.row_ptr[i]..a.row_ptr[i + 1] {
                let j = a.col[e] as usize;
                sum += a.val[e];
                if j == i {
                    diag = a.val[e];
                } else {
                    prop_assert!(a.val[e] <= 0.0);
                    let back = a.find(j, i).unwrap();
                    prop_assert!((a.val[back] - a.val[e]).abs() <= 1e-12 * diag.abs().max(a.val[e].abs()));
                }
            }
            prop_assert!(sum >= -1e-12 * diag);
            prop_assert!(diag > 0.0);
        }
    }
}
