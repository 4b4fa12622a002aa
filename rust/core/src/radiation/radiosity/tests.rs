//! Radiosity against the two-surface closed form and the energy balance.
//!
//! Two-surface grey diffuse enclosure (Incropera et al., 7th ed., eq. 13.18 and Table 13.3):
//! `q_12 = σ (T_1⁴ − T_2⁴) / [(1 − ε_1)/(ε_1 A_1) + 1/(A_1 F_12) + (1 − ε_2)/(ε_2 A_2)]`.
//! With exact view factors the radiosity solution equals it to rounding (1e-12 allows for
//! the conjugate-gradient tolerance of 1e-14 and the conditioning of the 2 × 2 system).

use super::*;
use crate::mesh::Vec3;
use crate::radiation::surface::Surfaces;
use crate::radiation::view_factor::{view_factors, ViewFactorParams};
use crate::Silent;
use std::f64::consts::PI;

const SIGMA: f64 = STEFAN_BOLTZMANN;

fn two_surface(t1: f64, t2: f64, e1: f64, e2: f64, a1: f64, a2: f64, f12: f64) -> f64 {
    SIGMA * (t1.powi(4) - t2.powi(4))
        / ((1.0 - e1) / (e1 * a1) + 1.0 / (a1 * f12) + (1.0 - e2) / (e2 * a2))
}

/// Two zones of one face each, with exact factors.
fn pair(a: [f64; 2], f: [f64; 4]) -> (ViewFactors, Zones) {
    let vf = ViewFactors::from_dense(a.to_vec(), &f, Some(vec![0.0, 0.0])).unwrap();
    let zones = Zones {
        of_face: vec![0, 1],
        start: vec![0, 1, 2],
        faces: vec![0, 1],
        area: a.to_vec(),
        group: vec![0, 1],
    };
    (vf, zones)
}

const EMISSIVITIES: [(f64, f64); 5] = [(0.8, 0.8), (0.1, 0.9), (1.0, 0.3), (0.05, 1.0), (1.0, 1.0)];

fn check_pair(name: &str, a: [f64; 2], f: [f64; 4]) {
    let (vf, zones) = pair(a, f);
    for (e1, e2) in EMISSIVITIES {
        for (t1, t2) in [(400.0, 300.0), (290.0, 350.0)] {
            let ex = solve_radiosity(
                &vf,
                &zones,
                &FaceState {
                    area: &a,
                    emissivity: &[e1, e2],
                    temperature_k: &[t1, t2],
                    sink_k: None,
                },
                None,
                &RadiosityParams::default(),
            )
            .unwrap();
            let exact = two_surface(t1, t2, e1, e2, a[0], a[1], f[1]);
            let q1 = ex.net_flux_w_m2[0] * a[0];
            let q2 = ex.net_flux_w_m2[1] * a[1];
            assert!(
                (q1 - exact).abs() < 1e-12 * exact.abs(),
                "{name} ε {e1}/{e2}: {q1} vs {exact}"
            );
            assert!(
                (q2 + exact).abs() < 1e-12 * exact.abs(),
                "{name}: {q2} vs {}",
                -exact
            );
        }
    }
}

#[test]
fn radiation_radiosity_infinite_parallel_plates() {
    // q'' = σ (T1⁴ − T2⁴) / (1/ε1 + 1/ε2 − 1)
    check_pair("plates", [1.0, 1.0], [0.0, 1.0, 1.0, 0.0]);
    let (vf, zones) = pair([1.0, 1.0], [0.0, 1.0, 1.0, 0.0]);
    let ex = solve_radiosity(
        &vf,
        &zones,
        &FaceState {
            area: &[1.0, 1.0],
            emissivity: &[0.5, 0.25],
            temperature_k: &[500.0, 300.0],
            sink_k: None,
        },
        None,
        &RadiosityParams::default(),
    )
    .unwrap();
    let exact = SIGMA * (500f64.powi(4) - 300f64.powi(4)) / (1.0 / 0.5 + 1.0 / 0.25 - 1.0);
    assert!((ex.net_flux_w_m2[0] - exact).abs() < 1e-12 * exact);
}

#[test]
fn radiation_radiosity_long_concentric_cylinders() {
    // per unit length: A = 2πr; F_12 = 1, F_21 = r1/r2, F_22 = 1 − r1/r2
    for (r1, r2) in [(0.5, 1.0), (0.9, 1.0), (0.1, 2.0)] {
        let ratio: f64 = r1 / r2;
        check_pair(
            "cylinders",
            [2.0 * PI * r1, 2.0 * PI * r2],
            [0.0, 1.0, ratio, 1.0 - ratio],
        );
    }
}

#[test]
fn radiation_radiosity_concentric_spheres() {
    for (r1, r2) in [(0.6_f64, 1.0_f64), (0.2, 1.0)] {
        let ratio = (r1 / r2).powi(2);
        check_pair(
            "spheres",
            [4.0 * PI * r1 * r1, 4.0 * PI * r2 * r2],
            [0.0, 1.0, ratio, 1.0 - ratio],
        );
    }
}

/// A closed faceted cylinder of radius `r`, height `h`, `n` sides; normals out of it (`out`)
/// or into it.
fn closed_cylinder(r: f64, h: f64, n: usize, out: bool) -> Vec<Vec<Vec3>> {
    let p = |k: usize, z: f64| -> Vec3 {
        let a = 2.0 * PI * k as f64 / n as f64;
        [r * a.cos(), r * a.sin(), z]
    };
    let mut polys: Vec<Vec<Vec3>> = Vec::new();
    for k in 0..n {
        // counter-clockwise seen from outside
        polys.push(vec![p(k, 0.0), p(k + 1, 0.0), p(k + 1, h), p(k, h)]);
    }
    let top: Vec<Vec3> = (0..n).map(|k| p(k, h)).collect();
    let mut bottom: Vec<Vec3> = (0..n).map(|k| p(k, 0.0)).collect();
    bottom.reverse();
    polys.push(top);
    polys.push(bottom);
    if !out {
        for poly in &mut polys {
            poly.reverse();
        }
    }
    polys
}

#[test]
fn radiation_radiosity_concentric_closed_cylinders_ray_traced() {
    // inner closed cylinder (convex: F_12 = 1 exactly, every ray reaches the outer one) in a
    // closed outer cylinder; one zone per surface. After enforcement F_21 = A_1/A_2 and
    // F_22 = 1 − F_21 exactly, so the zonal solution is the two-surface formula to rounding.
    let inner = closed_cylinder(0.5, 1.0, 48, true);
    let mut outer = closed_cylinder(1.0, 2.0, 48, false);
    for poly in &mut outer {
        for v in poly.iter_mut() {
            v[2] -= 0.5;
        }
    }
    let (n1, n2) = (inner.len(), outer.len());
    let polys: Vec<Vec<Vec3>> = inner.into_iter().chain(outer).collect();
    let group: Vec<u32> = (0..n1 + n2).map(|k| u32::from(k >= n1)).collect();
    let s = Surfaces::from_polygons(&polys, group, vec!["inner".into(), "outer".into()]).unwrap();
    let zones = Zones::agglomerate(&s, usize::MAX, 180.0);
    assert_eq!(zones.len(), 2);
    let vf = view_factors(&s, &zones, &ViewFactorParams::default(), &Silent).unwrap();
    let (a1, a2) = (zones.area[0], zones.area[1]);
    assert!((vf.get(0, 1) - 1.0).abs() < 1e-14);
    assert!((vf.get(1, 0) - a1 / a2).abs() < 1e-14);
    for (e1, e2) in EMISSIVITIES {
        let eps: Vec<f64> = (0..s.len()).map(|f| if f < n1 { e1 } else { e2 }).collect();
        let t: Vec<f64> = (0..s.len())
            .map(|f| if f < n1 { 450.0 } else { 300.0 })
            .collect();
        let ex = solve_radiosity(
            &vf,
            &zones,
            &FaceState {
                area: &s.area,
                emissivity: &eps,
                temperature_k: &t,
                sink_k: None,
            },
            None,
            &RadiosityParams::default(),
        )
        .unwrap();
        let q1: f64 = (0..n1).map(|f| s.area[f] * ex.net_flux_w_m2[f]).sum();
        let exact = two_surface(450.0, 300.0, e1, e2, a1, a2, 1.0);
        assert!(
            (q1 - exact).abs() < 1e-10 * exact,
            "ε {e1}/{e2}: {q1} vs {exact}"
        );
    }
}

fn pseudo_random(seed: &mut u64) -> f64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 11) as f64 / (1u64 << 53) as f64
}

#[test]
fn radiation_radiosity_energy_balance_closed_cube() {
    // one zone per face, 3 × 3 quads a side, mixed emissivities (some black), scattered
    // temperatures: Σ A q = 0 to 1e-10 of the emitted power
    let s = crate::radiation::view_factor::tests::cube(1.0, 3);
    let zones = Zones::per_face(&s);
    let params = ViewFactorParams {
        rays_per_zone: Some(4096),
        ..Default::default()
    };
    let vf = view_factors(&s, &zones, &params, &Silent).unwrap();
    let mut seed = 3;
    let eps: Vec<f64> = (0..s.len())
        .map(|f| {
            if f % 7 == 0 {
                1.0
            } else {
                0.05 + 0.9 * pseudo_random(&mut seed)
            }
        })
        .collect();
    let t: Vec<f64> = (0..s.len())
        .map(|_| 250.0 + 350.0 * pseudo_random(&mut seed))
        .collect();
    let ex = solve_radiosity(
        &vf,
        &zones,
        &FaceState {
            area: &s.area,
            emissivity: &eps,
            temperature_k: &t,
            sink_k: None,
        },
        None,
        &RadiosityParams::default(),
    )
    .unwrap();
    let emitted: f64 = (0..s.len())
        .map(|f| s.area[f] * eps[f] * SIGMA * t[f].powi(4))
        .sum();
    let balance = ex.net_power_w(&s.area);
    assert!(
        balance.abs() < 1e-10 * emitted,
        "Σ A q = {balance} W of {emitted} W emitted"
    );
    // hotter faces lose heat on balance, and the zone equation holds: J = e + ρ G
    let hottest = (0..s.len()).max_by(|&a, &b| t[a].total_cmp(&t[b])).unwrap();
    assert!(ex.net_flux_w_m2[hottest] > 0.0);
    for f in 0..s.len() {
        let j = eps[f] * SIGMA * t[f].powi(4) + (1.0 - eps[f]) * ex.irradiation_w_m2[f];
        assert!((ex.radiosity_w_m2[f] - j).abs() < 1e-9 * j);
    }
}

#[test]
fn radiation_radiosity_open_enclosure_loses_to_the_sink() {
    // two facing plates open to a 3 K sink: what leaves the faces reaches the sink
    let a = 1.0;
    let lower = vec![[0.0, 0.0, 0.0], [a, 0.0, 0.0], [a, a, 0.0], [0.0, a, 0.0]];
    let upper = vec![[0.0, 0.0, 0.5], [0.0, a, 0.5], [a, a, 0.5], [a, 0.0, 0.5]];
    let s =
        Surfaces::from_polygons(&[lower, upper], vec![0, 1], vec!["a".into(), "b".into()]).unwrap();
    let zones = Zones::per_face(&s);
    let params = ViewFactorParams {
        closed: false,
        ..Default::default()
    };
    let vf = view_factors(&s, &zones, &params, &Silent).unwrap();
    assert!(vf.sink[0] > 0.4 && vf.sink[0] < 0.7);
    let (eps, t, ts) = ([0.9, 0.3], [350.0, 300.0], 3.0);
    let err = solve_radiosity(
        &vf,
        &zones,
        &FaceState {
            area: &s.area,
            emissivity: &eps,
            temperature_k: &t,
            sink_k: None,
        },
        None,
        &RadiosityParams::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("no sink temperature"), "{err}");
    let ex = solve_radiosity(
        &vf,
        &zones,
        &FaceState {
            area: &s.area,
            emissivity: &eps,
            temperature_k: &t,
            sink_k: Some(ts),
        },
        None,
        &RadiosityParams::default(),
    )
    .unwrap();
    let to_sink: f64 = (0..2)
        .map(|z| vf.area[z] * vf.sink[z] * (ex.radiosity_w_m2[z] - SIGMA * ts.powi(4)))
        .sum();
    let balance = ex.net_power_w(&s.area);
    assert!(
        (balance - to_sink).abs() < 1e-10 * to_sink,
        "{balance} vs {to_sink}"
    );
}

#[test]
fn radiation_radiosity_jacobian_matches_differences() {
    // 2 × 2 quads a side, one zone per side (zones of several faces): the analytic Jacobian
    // against central differences (error ~ q''' δ²: far below 1e-6 relative at δ = 0.01 K)
    let s = crate::radiation::view_factor::tests::cube(1.0, 2);
    let zones = Zones::agglomerate(&s, usize::MAX, 180.0);
    let vf = view_factors(&s, &zones, &ViewFactorParams::default(), &Silent).unwrap();
    let mut seed = 11;
    let eps: Vec<f64> = (0..s.len())
        .map(|_| 0.2 + 0.8 * pseudo_random(&mut seed))
        .collect();
    let t: Vec<f64> = (0..s.len())
        .map(|_| 300.0 + 100.0 * pseudo_random(&mut seed))
        .collect();
    let solve = |t: &[f64]| {
        solve_radiosity(
            &vf,
            &zones,
            &FaceState {
                area: &s.area,
                emissivity: &eps,
                temperature_k: t,
                sink_k: None,
            },
            None,
            &RadiosityParams::default(),
        )
        .unwrap()
        .net_flux_w_m2
    };
    let jac = jacobian(
        &vf,
        &zones,
        &FaceState {
            area: &s.area,
            emissivity: &eps,
            temperature_k: &t,
            sink_k: None,
        },
    )
    .unwrap();
    let n = s.len();
    let d = 1e-2;
    let scale = jac.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    for g in [0, 5, 13, 23] {
        let (mut tp, mut tm) = (t.clone(), t.clone());
        tp[g] += d;
        tm[g] -= d;
        let (qp, qm) = (solve(&tp), solve(&tm));
        for f in 0..n {
            let fd = (qp[f] - qm[f]) / (2.0 * d);
            assert!(
                (jac[f * n + g] - fd).abs() < 1e-6 * scale,
                "∂q_{f}/∂T_{g}: {} vs {fd}",
                jac[f * n + g]
            );
        }
    }
    // the lagged (Picard) slope bounds the exact diagonal from above
    let ex = solve(&t);
    let _ = ex;
    for f in 0..n {
        let lagged = 4.0 * eps[f] * SIGMA * t[f].powi(3);
        assert!(jac[f * n + f] <= lagged && jac[f * n + f] > 0.0);
    }
}
