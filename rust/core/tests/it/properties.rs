//! Properties of the discrete conduction operator for random meshes and coefficients.

use proptest::prelude::*;
use rackflow_core::case::PatchCondition;
use rackflow_core::linalg::{Csr, Probing};
use rackflow_core::mesh::structured::{BoxArrays, BoxCells};
use rackflow_core::physics::energy::{Conduction, Convection};
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

/// `A(T) v − (b(v) − b(0))` with the linearisation held at `T` (the energy Newton–Krylov's
/// Jacobian) against finite differences of the residual `F(T) = b(T) − A(T) T` on a jittered
/// two-region tetrahedral box (non-orthogonal corrections, interface face points): exact for
/// constant conductivities, and off by no more than the conductivity's slope for k(T).
#[test]
fn held_linearisation_is_the_residuals_jacobian_less_the_slope_of_k() {
    let n = 4;
    let mut arrays = jittered(n, BoxCells::Tetra, 0.3, 7);
    let per_cell = 6;
    arrays.region_names = vec!["left".into(), "right".into()];
    for c in 0..arrays.cell_region.len() {
        arrays.cell_region[c] = i64::from((c / per_cell) % n >= n / 2);
    }
    let mesh = arrays.build().unwrap();
    let cells = mesh.n_cells();
    let patches = vec![
        PatchCondition::Fixed(300.0),
        PatchCondition::Convective(500.0, 290.0),
        PatchCondition::Adiabatic,
        PatchCondition::Flux(1e3),
        PatchCondition::Adiabatic,
        PatchCondition::Adiabatic,
    ];
    let residual = |eq: &mut Conduction, t: &[f64]| -> Vec<f64> {
        let mut a = eq.new_matrix();
        let mut b = vec![0.0; cells];
        eq.reset_gradient();
        eq.assemble(t, &mut a, &mut b);
        let mut at = vec![0.0; cells];
        a.mul_vec(t, &mut at);
        b.iter().zip(&at).map(|(b, at)| b - at).collect()
    };
    let temperature: Vec<f64> = (0..cells)
        .map(|c| 300.0 + 40.0 * mesh.cell_centre[c][0] + 5.0 * mesh.cell_centre[c][1])
        .collect();
    let direction: Vec<f64> = (0..cells)
        .map(|c| (0.37 * c as f64).sin() + mesh.cell_centre[c][2])
        .collect();
    for (k, slope) in [
        (Property::Constant(20.0), 0.0),
        (
            Property::Table {
                temperature_k: vec![250.0, 400.0],
                value: vec![20.0, 17.0],
            },
            0.02 / 150.0 * 50.0, // the relative change of k over the temperatures here
        ),
    ] {
        let mut eq = Conduction::new(
            &mesh,
            vec![Property::Constant(5.0), k],
            vec![1e5, 0.0],
            patches.clone(),
            &[],
            vec![None; 6],
            None,
        );
        let base = residual(&mut eq, &temperature);
        let eps = 1e-3;
        let moved: Vec<f64> = temperature
            .iter()
            .zip(&direction)
            .map(|(t, v)| t + eps * v)
            .collect();
        let finite_difference: Vec<f64> = residual(&mut eq, &moved)
            .iter()
            .zip(&base)
            .map(|(r, r0)| -(r - r0) / eps)
            .collect();
        // the held linearisation at T
        let mut a = eq.new_matrix();
        let mut b = vec![0.0; cells];
        eq.reset_gradient();
        eq.assemble(&temperature, &mut a, &mut b);
        eq.lag_linearisation(&temperature);
        let mut b0 = vec![0.0; cells];
        eq.reset_gradient();
        eq.assemble_source(&vec![0.0; cells], &mut b0);
        let mut bv = vec![0.0; cells];
        eq.reset_gradient();
        eq.assemble_source(&direction, &mut bv);
        eq.release_linearisation();
        let mut jv = vec![0.0; cells];
        a.mul_vec(&direction, &mut jv);
        for i in 0..cells {
            jv[i] -= bv[i] - b0[i];
        }
        let norm = |x: &[f64]| x.iter().map(|v| v * v).sum::<f64>().sqrt();
        let difference: Vec<f64> = jv
            .iter()
            .zip(&finite_difference)
            .map(|(a, b)| a - b)
            .collect();
        let relative = norm(&difference) / norm(&finite_difference);
        assert!(
            relative <= 1e-6 + 2.0 * slope,
            "{relative:e} with slope {slope}"
        );
        if slope > 0.0 {
            // and the slope is really there: the held Jacobian is not the exact one
            assert!(relative > 1e-6, "{relative:e}");
        }
    }
}

/// The held Jacobian `A v − (b(v) − b(0))` made explicit by coloured probing on
/// [`Conduction::jacobian_pattern`] gives the matrix-free products on a jittered two-region
/// tetrahedral box: conduction with k(T), and a coolant region with held second-order
/// convection. Probed on the compact two-point pattern alone, it does not (the corrections
/// reach further, and their entries fold onto same-coloured ones).
#[test]
fn probed_held_jacobian_is_the_matrix_free_product() {
    let n = 4;
    let mut arrays = jittered(n, BoxCells::Tetra, 0.3, 11);
    let per_cell = 6;
    arrays.region_names = vec!["left".into(), "right".into()];
    for c in 0..arrays.cell_region.len() {
        arrays.cell_region[c] = i64::from((c / per_cell) % n >= n / 2);
    }
    let mesh = arrays.build().unwrap();
    let cells = mesh.n_cells();
    let patches = vec![
        PatchCondition::Fixed(300.0),
        PatchCondition::Convective(500.0, 290.0),
        PatchCondition::Adiabatic,
        PatchCondition::Flux(1e3),
        PatchCondition::Adiabatic,
        PatchCondition::Adiabatic,
    ];
    let temperature: Vec<f64> = (0..cells)
        .map(|c| 300.0 + 40.0 * mesh.cell_centre[c][0] + 5.0 * mesh.cell_centre[c][1])
        .collect();
    let direction: Vec<f64> = (0..cells)
        .map(|c| (0.37 * c as f64).sin() + mesh.cell_centre[c][2])
        .collect();
    // a uniform velocity through the left region's faces (solid faces carry none)
    let left = |c: u32| mesh.cell_region[c as usize] == 0;
    let mass_flux: Vec<f64> = (0..mesh.n_faces())
        .map(|f| {
            let coolant =
                left(mesh.owner[f]) && (f >= mesh.n_internal_faces || left(mesh.neighbour[f]));
            let s = mesh.face_area[f];
            if coolant {
                0.3 * s[0] + 0.1 * s[1] - 0.05 * s[2]
            } else {
                0.0
            }
        })
        .collect();
    let k_of_t = Property::Table {
        temperature_k: vec![250.0, 400.0],
        value: vec![20.0, 17.0],
    };
    for coolant in [false, true] {
        let mut eq = Conduction::new(
            &mesh,
            vec![Property::Constant(5.0), k_of_t.clone()],
            vec![1e5, 0.0],
            patches.clone(),
            &[],
            vec![None; 6],
            None,
        );
        if coolant {
            eq = eq.with_convection(Convection {
                mass_flux: mass_flux.clone(),
                specific_heat: vec![Some(Property::Constant(3800.0)), None],
                reference_k: 290.0,
                second_order: true,
                turbulent_viscosity: Vec::new(),
                thermal_walls: Vec::new(),
            });
        }
        let mut a = eq.new_matrix();
        let mut b = vec![0.0; cells];
        eq.reset_gradient();
        eq.assemble(&temperature, &mut a, &mut b);
        eq.lag_linearisation(&temperature);
        let mut b0 = vec![0.0; cells];
        eq.reset_gradient();
        eq.assemble_source(&vec![0.0; cells], &mut b0);
        let pattern = eq.jacobian_pattern(&a);
        let compact = a.clone();
        let mut held = |v: &[f64], out: &mut [f64]| {
            let mut bv = vec![0.0; cells];
            eq.reset_gradient();
            eq.assemble_source(v, &mut bv);
            a.mul_vec(v, out);
            for i in 0..cells {
                out[i] -= bv[i] - b0[i];
            }
        };
        let mut matrix_free = vec![0.0; cells];
        held(&direction, &mut matrix_free);
        let norm = |x: &[f64]| x.iter().map(|v| v * v).sum::<f64>().sqrt();
        let miss = |pattern: &Csr, held: &mut dyn FnMut(&[f64], &mut [f64])| {
            let probing = Probing::new(pattern);
            let jacobian = probing.matrix(held);
            let mut explicit = vec![0.0; cells];
            jacobian.mul_vec(&direction, &mut explicit);
            let difference: Vec<f64> = explicit
                .iter()
                .zip(&matrix_free)
                .map(|(e, m)| e - m)
                .collect();
            (norm(&difference) / norm(&matrix_free), probing.n_colours())
        };
        let (relative, colours) = miss(&pattern, &mut held);
        assert!(relative <= 1e-12, "coolant {coolant}: {relative:e}");
        assert!(colours < cells / 2, "coolant {coolant}: {colours} colours");
        let (compact, _) = miss(&compact, &mut held);
        assert!(compact > 1e-3, "coolant {coolant}: {compact:e}");
    }
}
