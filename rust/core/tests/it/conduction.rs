use super::common::*;
use rackflow_core::case::{solve, Boundary, Contact};
use rackflow_core::mesh::structured::BoxCells;
use rackflow_core::Silent;

/// Plane wall of thickness 2L with uniform generation and convective faces (Incropera §3.5):
/// T(x) = q L²/(2k)(1 − x²/L²) + T∞ + q L/h, x measured from the mid-plane.
#[test]
fn slab_with_generation_and_convection() {
    let (l_half, k, q, h, t_inf) = (0.01, 20.0, 1e6, 500.0, 300.0);
    let nx = 40;
    let mesh = boxed([nx, 2, 2], [2.0 * l_half, 0.01, 0.01], BoxCells::Hexa)
        .build()
        .unwrap();
    let mut s = solid("box", k);
    s.power_density_w_m3 = Some(q);
    let conv = |p: &str| Boundary::Convective {
        patch: p.into(),
        htc_w_m2k: h,
        ambient_k: t_inf,
    };
    let sol = solve(
        &mesh,
        &case(vec![s], vec![conv("xmin"), conv("xmax")]),
        &Silent,
    )
    .unwrap();
    let mut max_err: f64 = 0.0;
    for c in 0..mesh.n_cells() {
        let x = mesh.cell_centre[c][0] - l_half;
        let exact = q * l_half * l_half / (2.0 * k) * (1.0 - x * x / (l_half * l_half))
            + t_inf
            + q * l_half / h;
        max_err = max_err.max((sol.temperature_k[c] - exact).abs());
    }
    // the exact solution is quadratic: the two-point flux is exact for it up to the boundary half-cell
    let rise = q * l_half * l_half / (2.0 * k);
    assert!(
        max_err < 1e-3 * rise,
        "max error {max_err} K vs rise {rise} K"
    );
    assert!(
        sol.energy_balance_error.abs() < 1e-8,
        "balance {}",
        sol.energy_balance_error
    );
}

/// Composite wall, two materials and a contact resistance: linear in each layer, so exact.
#[test]
fn composite_wall_with_contact_resistance_is_exact() {
    let n = [20, 3, 3];
    let l = [0.02, 0.01, 0.01];
    for cells in [BoxCells::Hexa, BoxCells::Tetra] {
        let mesh = two_regions(boxed(n, l, cells), n, l, 0.01).build().unwrap();
        let (k1, k2, rc, t1, t2) = (400.0, 5.0, 2e-4, 350.0, 300.0);
        let mut c = case(
            vec![solid("left", k1), solid("right", k2)],
            vec![fixed("xmin", t1), fixed("xmax", t2)],
        );
        c.contacts.push(Contact {
            region_a: "left".into(),
            region_b: "right".into(),
            resistance_m2k_w: rc,
        });
        let sol = solve(&mesh, &c, &Silent).unwrap();
        let r_total = 0.01 / k1 + rc + 0.01 / k2;
        let q = (t1 - t2) / r_total;
        let mut max_err: f64 = 0.0;
        for cell in 0..mesh.n_cells() {
            let x = mesh.cell_centre[cell][0];
            let exact = if x < 0.01 {
                t1 - q * x / k1
            } else {
                t1 - q * (0.01 / k1 + rc) - q * (x - 0.01) / k2
            };
            max_err = max_err.max((sol.temperature_k[cell] - exact).abs());
        }
        assert!(
            max_err < 1e-7 * (t1 - t2),
            "{cells:?}: max error {max_err} K"
        );
        let area = l[1] * l[2];
        assert!((sol.patch_heat_flow_w[0] - q * area).abs() < 1e-7 * q * area);
        assert!((sol.contact_heat_flow_w[0] - q * area).abs() < 1e-7 * q * area);
    }
}
