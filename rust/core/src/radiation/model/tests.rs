//! The case-level radiation model on meshes: checks, sinks, enclosures, the cache.

use super::*;
use crate::mesh::structured::{BoxArrays, BoxCells};
use crate::radiation::sink::sink_net_flux;
use crate::radiation::{Enclosure, Radiation};
use crate::Silent;
use std::collections::BTreeMap;

/// Two unit squares of 4 × 4 hexahedra, 0.1 thick, the second 0.5 above the first: patches
/// `a_*` and `b_*`; `a_zmax` and `b_zmin` face each other. A patch `inner` tags faces between
/// cells of the first block.
fn two_blocks() -> Mesh {
    let n = [4, 4, 1];
    let a = BoxArrays::new(n, [1.0, 1.0, 0.1], BoxCells::Hexa);
    let mut m = a.clone();
    let offset = (a.points.len() / 3) as i64;
    for k in 0..a.points.len() / 3 {
        m.points.extend([
            a.points[3 * k],
            a.points[3 * k + 1],
            a.points[3 * k + 2] + 0.6,
        ]);
    }
    let shift = *m
        .cell_connectivity
        .last()
        .map(|_| &m.cell_offsets)
        .unwrap()
        .last()
        .unwrap();
    for &o in &a.cell_offsets[1..] {
        m.cell_offsets.push(o + shift);
    }
    m.cell_connectivity
        .extend(a.cell_connectivity.iter().map(|v| v + offset));
    m.cell_types.extend_from_slice(&a.cell_types);
    m.cell_region.extend_from_slice(&a.cell_region);
    let pshift = *m.patch_face_offsets.last().unwrap();
    for &o in &a.patch_face_offsets[1..] {
        m.patch_face_offsets.push(o + pshift);
    }
    m.patch_face_connectivity
        .extend(a.patch_face_connectivity.iter().map(|v| v + offset));
    let np = a.patch_names.len() as i64;
    m.patch_face_patch
        .extend(a.patch_face_patch.iter().map(|p| p + np));
    m.patch_names = a
        .patch_names
        .iter()
        .map(|p| format!("a_{p}"))
        .chain(a.patch_names.iter().map(|p| format!("b_{p}")))
        .collect();
    // an interior patch: the face between cells (0,0,0) and (1,0,0) of the first block
    let pid = |i: i64, j: i64, k: i64| i + 5 * (j + 5 * k);
    m.patch_face_connectivity
        .extend([pid(1, 0, 0), pid(1, 1, 0), pid(1, 1, 1), pid(1, 0, 1)]);
    m.patch_face_offsets
        .push(m.patch_face_connectivity.len() as i64);
    m.patch_face_patch.push(2 * np);
    m.patch_names.push("inner".into());
    m.build().unwrap()
}

fn sink(patch: &str, emissivity: f64) -> Radiation {
    Radiation {
        patch: patch.into(),
        emissivity,
        sink_k: 3.0,
        absorbed_flux_w_m2: 100.0,
    }
}

fn enclosure(patches: &[&str], eps: f64, sink_k: Option<f64>) -> Enclosure {
    Enclosure {
        patches: patches.iter().map(|p| p.to_string()).collect(),
        emissivity: patches
            .iter()
            .map(|p| (p.to_string(), eps))
            .collect::<BTreeMap<_, _>>(),
        sink_k,
        rays_per_zone: Some(1 << 12),
        max_zone_faces: None,
    }
}

#[test]
fn radiation_model_reports_every_problem_at_once() {
    let mesh = two_blocks();
    let sinks = [
        sink("nowhere", 0.9),
        sink("a_xmin", 1.5),
        sink("inner", 0.9),
        sink("a_xmin", 0.5),
    ];
    let enclosures = [Enclosure {
        emissivity: [("b_zmin".to_string(), 0.0), ("ghost".to_string(), 0.5)]
            .into_iter()
            .collect(),
        ..enclosure(&["a_zmax", "b_zmin", "a_ymin"], 0.5, Some(-1.0))
    }];
    let spec = RadiationSpec {
        sinks: &sinks,
        enclosures: &enclosures,
        symmetry_patches: vec!["a_ymin"],
    };
    let err = RadiationModel::new(&mesh, &spec, &RadiationParams::default(), &Silent)
        .unwrap_err()
        .to_string();
    for expected in [
        "unknown patch 'nowhere'",
        "emissivity must lie in (0, 1], got 1.5",
        "patch 'inner' has no boundary faces",
        "patch 'a_xmin' already radiates in radiation on 'a_xmin'",
        "no emissivity for patch 'a_zmax'",
        "emissivity of 'b_zmin' must lie in (0, 1], got 0",
        "patch 'a_ymin' is a symmetry plane",
        "not in the enclosure: ['ghost']",
        "sink temperature must be finite and above absolute zero, got -1 K",
    ] {
        assert!(err.contains(expected), "missing «{expected}» in:\n{err}");
    }
}

#[test]
fn radiation_model_sink_faces_follow_the_sink_formula() {
    let mesh = two_blocks();
    let sinks = [sink("a_zmin", 0.8)];
    let spec = RadiationSpec {
        sinks: &sinks,
        ..Default::default()
    };
    let mut model =
        RadiationModel::new(&mesh, &spec, &RadiationParams::default(), &Silent).unwrap();
    let nb = mesh.n_faces() - mesh.n_internal_faces;
    let t: Vec<f64> = (0..nb).map(|b| 300.0 + b as f64).collect();
    let lin = model.linearise(&mesh, &t).unwrap();
    let faces: Vec<usize> = mesh
        .patch_faces(mesh.patch_index("a_zmin").unwrap())
        .collect();
    assert_eq!(lin.iter().map(|x| x.0).collect::<Vec<_>>(), faces);
    let mut loss = 0.0;
    for (f, l) in &lin {
        let tf = t[f - mesh.n_internal_faces];
        let q = sink_net_flux(0.8, tf, 3.0, 100.0);
        assert!((l.flux_in(tf) + q).abs() < 1e-9 * q.abs());
        loss += q * mesh.face_normal(*f).1;
    }
    let report = model.patch_heat_loss_w();
    assert_eq!(report[0].0, "a_zmin");
    assert!((report[0].1 - loss).abs() < 1e-9 * loss.abs());
}

#[test]
fn radiation_model_absorbed_flux_can_change_in_time() {
    let mesh = two_blocks();
    let sinks = [sink("a_zmin", 0.8)];
    let spec = RadiationSpec {
        sinks: &sinks,
        ..Default::default()
    };
    let mut model =
        RadiationModel::new(&mesh, &spec, &RadiationParams::default(), &Silent).unwrap();
    let radiating = mesh.patch_index("a_zmin").unwrap();
    assert!(model.set_absorbed_flux(radiating, 400.0));
    assert!(!model.set_absorbed_flux(mesh.patch_index("a_zmax").unwrap(), 1.0));
    let nb = mesh.n_faces() - mesh.n_internal_faces;
    let t = vec![320.0; nb];
    for (f, l) in model.linearise(&mesh, &t).unwrap() {
        let q = sink_net_flux(0.8, t[f - mesh.n_internal_faces], 3.0, 400.0);
        assert!((l.flux_in(320.0) + q).abs() < 1e-9 * q.abs());
    }
}

#[test]
fn radiation_model_enclosure_between_blocks() {
    // the facing sides of the two blocks, open to a 3 K sink, black: the loss of the lower
    // one is A σ T_a⁴ − A F_ab σ T_b⁴ − A F_a,sink σ T_s⁴ with its own view factor F_ab
    let mesh = two_blocks();
    let enclosures = [enclosure(&["a_zmax", "b_zmin"], 1.0, Some(3.0))];
    let spec = RadiationSpec {
        enclosures: &enclosures,
        ..Default::default()
    };
    let dir = std::env::temp_dir().join(format!("rackflow-vf-model-{}", std::process::id()));
    let params = RadiationParams {
        cache_dir: Some(dir.clone()),
        ..Default::default()
    };
    let mut model = RadiationModel::new(&mesh, &spec, &params, &Silent).unwrap();
    assert!(!model.enclosures[0].from_cache);
    let nb = mesh.n_faces() - mesh.n_internal_faces;
    let pa = mesh.patch_index("a_zmax").unwrap();
    let t: Vec<f64> = (0..nb)
        .map(|b| {
            if mesh.patch_of_face(b + mesh.n_internal_faces) == pa {
                400.0
            } else {
                300.0
            }
        })
        .collect();
    model.linearise(&mesh, &t).unwrap();
    let e = &model.enclosures[0];
    // 16 faces a side: one zone per face; the patch-level factor from the face factors
    assert_eq!(e.zones.len(), 32);
    let f_ab: f64 = (0..16)
        .flat_map(|i| (16..32).map(move |j| (i, j)))
        .map(|(i, j)| e.view_factors.area[i] * e.view_factors.get(i, j))
        .sum();
    let sigma = crate::radiation::STEFAN_BOLTZMANN;
    let expected =
        sigma * 400f64.powi(4) - f_ab * sigma * 300f64.powi(4) - (1.0 - f_ab) * sigma * 81.0;
    let loss = model.patch_heat_loss_w();
    assert_eq!(loss[0].0, "a_zmax");
    assert!(
        (loss[0].1 - expected).abs() < 1e-10 * expected,
        "{loss:?} vs {expected}"
    );
    // 0.5 apart: the opposed-squares factor (C-11), within 1 % for these 4,096 rays per face
    // (65,536 from the patch)
    let exact = 0.415_253; // C-11 at X = Y = 2
    assert!((f_ab - exact).abs() < 0.01 * exact, "{f_ab}");
    // the second model loads the factors from the cache
    let again = RadiationModel::new(&mesh, &spec, &params, &Silent).unwrap();
    assert!(again.enclosures[0].from_cache);
    assert_eq!(again.enclosures[0].view_factors.value, e.view_factors.value);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn radiation_model_spec_json_round_trip() {
    // the form `Case.to_core()` writes for a case's `radiation` and `enclosures`
    let sinks =
        r#"[{"patch": "a_zmin", "emissivity": 0.9, "sink_k": 3.0, "absorbed_flux_w_m2": 120.0}]"#;
    let enclosures = r#"[{"patches": ["a_zmax", "b_zmin"], "emissivity": {"a_zmax": 0.8, "b_zmin": 0.7},
                          "sink_k": null, "rays_per_zone": 1000}]"#;
    let sinks: Vec<Radiation> = serde_json::from_str(sinks).unwrap();
    let enclosures: Vec<Enclosure> = serde_json::from_str(enclosures).unwrap();
    assert_eq!(sinks[0].absorbed_flux_w_m2, 120.0);
    assert_eq!(enclosures[0].rays_per_zone, Some(1000));
    assert_eq!(enclosures[0].max_zone_faces, None);
    let back: Vec<Enclosure> =
        serde_json::from_str(&serde_json::to_string(&enclosures).unwrap()).unwrap();
    assert_eq!(back, enclosures);
    assert!(serde_json::from_str::<Radiation>(r#"{"patch": "p", "emissivity": 0.5}"#).is_err());
}

#[test]
fn radiation_model_picard_loop_balances_heat() {
    // The lead's outer loop in miniature: the lower block's top gets P = 500 W/m², the upper
    // block's bottom is adiabatic, both black, open to a 3 K sink. Each face's "energy equation"
    // is its own balance, heat in = P: with the convective equivalent h (T_eff − T) = −P, so
    // T = T_eff + P/h. At convergence the net fluxes are P and 0, and for black faces
    // σT_b⁴ = Σ F_ba σT_a⁴ (+ sink), which the loop reproduces.
    let mesh = two_blocks();
    let enclosures = [enclosure(&["a_zmax", "b_zmin"], 1.0, Some(3.0))];
    let spec = RadiationSpec {
        enclosures: &enclosures,
        ..Default::default()
    };
    let mut model =
        RadiationModel::new(&mesh, &spec, &RadiationParams::default(), &Silent).unwrap();
    let ni = mesh.n_internal_faces;
    let nb = mesh.n_faces() - ni;
    let pa = mesh.patch_index("a_zmax").unwrap();
    let power = |f: usize| {
        if mesh.patch_of_face(f) == pa {
            500.0
        } else {
            0.0
        }
    };
    let mut t = vec![300.0; nb];
    let mut iterations = 0;
    loop {
        iterations += 1;
        let lin = model.linearise(&mesh, &t).unwrap();
        let mut change: f64 = 0.0;
        for (f, l) in lin {
            let new = l.ambient_k + power(f) / l.htc_w_m2k;
            change = change.max((new - t[f - ni]).abs());
            t[f - ni] = new;
        }
        if change < 1e-10 || iterations > 200 {
            break;
        }
    }
    eprintln!("Picard iterations to 1e-10 K: {iterations}");
    assert!(iterations < 60, "{iterations} Picard iterations");
    let loss = model.patch_heat_loss_w();
    let area_a = mesh.patch_areas()[pa];
    assert!(
        (loss[0].1 - 500.0 * area_a).abs() < 1e-6 * 500.0 * area_a,
        "{loss:?}"
    );
    assert!(loss[1].1.abs() < 1e-6 * 500.0 * area_a, "{loss:?}");
    // the upper (adiabatic) plate is colder than the heated one and warmer than the sink
    let pb = mesh.patch_index("b_zmin").unwrap();
    let tb: Vec<f64> = mesh.patch_faces(pb).map(|f| t[f - ni]).collect();
    let ta: Vec<f64> = mesh.patch_faces(pa).map(|f| t[f - ni]).collect();
    assert!(
        tb.iter().all(|&x| x > 3.0)
            && tb.iter().cloned().fold(0.0, f64::max)
                < ta.iter().cloned().fold(f64::INFINITY, f64::min)
    );
}
