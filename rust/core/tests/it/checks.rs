//! Pre-solve checks on deliberately broken structured meshes, and the solve refusing them.

use super::common::{case, fixed, solid};
use rackflow_core::case::solve;
use rackflow_core::mesh::checks::{self, CheckKind, QualityLimits};
use rackflow_core::mesh::structured::{BoxArrays, BoxCells};
use rackflow_core::{Error, Silent};

/// Hexahedra sheared along x by `shear` per unit height.
fn sheared(shear: f64) -> rackflow_core::mesh::Mesh {
    let mut a = BoxArrays::new([3, 3, 3], [1.0, 1.0, 1.0], BoxCells::Hexa);
    for p in a.points.chunks_mut(3) {
        p[0] += shear * p[2];
    }
    a.build().unwrap()
}

#[test]
fn near_90_degrees_is_hopeless_and_refused_before_solving() {
    let mesh = sheared(60.0);
    let found = checks::hopeless_cells(&mesh, QualityLimits::default());
    assert_eq!(found.len(), 1);
    let f = &found[0];
    assert_eq!(f.kind, CheckKind::DegenerateCells);
    assert_eq!(f.regions, vec!["box".to_string()]);
    assert!((f.worst.unwrap() - 60f64.atan().to_degrees()).abs() < 1e-9);
    assert!(
        checks::hopeless_cells(&sheared(85f64.to_radians().tan()), QualityLimits::default())
            .is_empty()
    );
    let c = case(vec![solid("box", 400.0)], vec![fixed("zmin", 300.0)]);
    match solve(&mesh, &c, &Silent) {
        Err(Error::Mesh(m)) => assert!(m.starts_with("region 'box': "), "{m}"),
        other => panic!("expected a mesh error, got {other:?}"),
    }
}

#[test]
fn one_cell_between_two_walls_is_a_thin_passage() {
    // coolant everywhere, flow in x: walls at y and z; one cell across z
    let thin = BoxArrays::new([6, 3, 1], [6.0, 3.0, 1.0], BoxCells::Hexa)
        .build()
        .unwrap();
    let is_fluid = vec![true; thin.n_cells()];
    let open = [
        thin.patch_index("xmin").unwrap(),
        thin.patch_index("xmax").unwrap(),
    ];
    let found = checks::thin_passages(&thin, &is_fluid, &open, checks::THIN_PASSAGE_FATAL_FRACTION);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].count, 18);
    assert!(found[0].fatal);
    assert!((found[0].worst.unwrap() - 1.0).abs() < 1e-12); // the passage's thickness
    let deep = BoxArrays::new([6, 3, 3], [6.0, 3.0, 1.0], BoxCells::Hexa)
        .build()
        .unwrap();
    let is_fluid = vec![true; deep.n_cells()];
    assert!(checks::thin_passages(&deep, &is_fluid, &open, 0.25).is_empty());
}

#[test]
fn coolant_behind_metal_reaches_no_outlet() {
    // columns i = 0 and 3 coolant, 1 and 2 metal; the outlet is at x = 4
    let mesh = BoxArrays::new([4, 2, 2], [4.0, 2.0, 2.0], BoxCells::Hexa)
        .build()
        .unwrap();
    let is_fluid: Vec<bool> = mesh
        .cell_centre
        .iter()
        .map(|c| c[0] < 1.0 || c[0] > 3.0)
        .collect();
    let xmax = mesh.patch_index("xmax").unwrap();
    let f = checks::outlet_unreachable(&mesh, &is_fluid, &[xmax]).unwrap();
    assert_eq!(f.count, 4);
    assert!(f.positions.iter().all(|p| p[0] < 1.0));
    // an inlet across the whole y = 0 side: half of it metal (a warning), a metal-only one fatal
    let ymin = mesh.patch_index("ymin").unwrap();
    let g = checks::patch_on_solid(&mesh, &is_fluid, ymin).unwrap();
    assert!(!g.fatal);
    assert_eq!(g.count, 4);
    assert!((g.area_m2 - 4.0).abs() < 1e-12);
    let xmin = mesh.patch_index("xmin").unwrap();
    assert!(checks::patch_on_solid(&mesh, &is_fluid, xmin).is_none());
}

#[test]
fn sound_meshes_have_no_findings() {
    for cells in [BoxCells::Hexa, BoxCells::Tetra] {
        let mesh = BoxArrays::new([4, 3, 3], [1.0, 1.0, 1.0], cells)
            .build()
            .unwrap();
        let setup = checks::Checks {
            fluid_regions: vec![0],
            inlets: vec![mesh.patch_index("xmin").unwrap()],
            outlets: vec![mesh.patch_index("xmax").unwrap()],
            ..Default::default()
        };
        assert!(setup.run(&mesh).is_empty(), "{cells:?}");
    }
}
