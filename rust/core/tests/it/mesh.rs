use rackflow_core::mesh::structured::{BoxArrays, BoxCells};
use rackflow_core::mesh::Mesh;
use rackflow_core::Error;

#[test]
fn closed_cells_and_total_volume() {
    for cells in [BoxCells::Hexa, BoxCells::Tetra] {
        let mesh = BoxArrays::new([4, 3, 2], [1.0, 2.0, 3.0], cells)
            .build()
            .unwrap();
        let total: f64 = mesh.cell_volume.iter().sum();
        assert!((total - 6.0).abs() < 1e-12);
        let mut sum = vec![[0.0; 3]; mesh.n_cells()];
        for f in 0..mesh.n_faces() {
            for d in 0..3 {
                sum[mesh.owner[f] as usize][d] += mesh.face_area[f][d];
                if f < mesh.n_internal_faces {
                    sum[mesh.neighbour[f] as usize][d] -= mesh.face_area[f][d];
                }
            }
        }
        for s in sum {
            assert!(s.iter().all(|x| x.abs() < 1e-12));
        }
        assert!(mesh.patch_names.iter().all(|p| p != "untagged"));
        let areas = mesh.patch_areas();
        assert!((areas[0] - 6.0).abs() < 1e-12 && (areas[4] - 2.0).abs() < 1e-12);
    }
}

#[test]
fn duplicated_cell_is_rejected() {
    let mut a = BoxArrays::new([2, 1, 1], [2.0, 1.0, 1.0], BoxCells::Hexa);
    let first: Vec<i64> = a.cell_connectivity[..8].to_vec();
    a.cell_connectivity.extend(first);
    a.cell_offsets.push(a.cell_connectivity.len() as i64);
    a.cell_types.push(12);
    a.cell_region.push(0);
    let err = Mesh::build(&a.input()).unwrap_err();
    assert!(
        matches!(&err, Error::Mesh(m) if m.contains("duplicate")),
        "{err}"
    );
}

#[test]
fn tangled_and_flat_cells_are_named() {
    let mut a = BoxArrays::new([1, 1, 1], [1.0, 1.0, 1.0], BoxCells::Hexa);
    // swap the coordinates of two bottom vertices: the bottom face becomes a bow-tie
    let (p2, p3) = (
        a.cell_connectivity[2] as usize,
        a.cell_connectivity[3] as usize,
    );
    for d in 0..3 {
        a.points.swap(3 * p2 + d, 3 * p3 + d);
    }
    let err = Mesh::build(&a.input()).unwrap_err();
    assert!(
        matches!(&err, Error::Mesh(m) if m.contains("inverted") && m.contains('0')),
        "{err}"
    );

    let mut b = BoxArrays::new([1, 1, 1], [1.0, 1.0, 1.0], BoxCells::Hexa);
    for k in 0..4 {
        // put the top face on the bottom one
        let p = b.cell_connectivity[4 + k] as usize;
        b.points[3 * p + 2] = 0.0;
    }
    let err = Mesh::build(&b.input()).unwrap_err();
    assert!(
        matches!(&err, Error::Mesh(m) if m.contains("zero-volume")),
        "{err}"
    );
}

/// One triangular prism with the given top triangle over the bottom (0,0,0), (1,0,0), (0,1,0).
fn single_wedge(top: [[f64; 3]; 3]) -> BoxArrays {
    let mut a = BoxArrays::new([1, 1, 1], [1.0, 1.0, 1.0], BoxCells::Hexa);
    a.points = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
        .into_iter()
        .chain(top)
        .flatten()
        .collect();
    a.cell_types = vec![13];
    a.cell_offsets = vec![0, 6];
    a.cell_connectivity = (0..6).collect();
    a.cell_region = vec![0];
    a.patch_face_offsets = vec![0];
    a.patch_face_connectivity.clear();
    a.patch_face_patch.clear();
    a
}

#[test]
fn folded_prism_is_named_and_a_sheared_one_is_not() {
    // the top vertex over (0,0,0) pulled down inside the prism: volume and face pyramids stay
    // positive, but that corner's edges turn inside out (a boundary-layer prism folded at a
    // concave corner)
    let folded = single_wedge([[0.2, 0.2, 0.2], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]);
    let err = Mesh::build(&folded.input()).unwrap_err();
    assert!(
        matches!(&err, Error::Mesh(m) if m.contains("folded") && m.contains("region 'box'")),
        "{err}"
    );
    // a sheared prism, and the same with its vertex order mirrored, are valid
    let sheared = [[0.5, 0.5, 1.0], [1.5, 0.5, 1.0], [0.5, 1.5, 1.0]];
    assert!(Mesh::build(&single_wedge(sheared).input()).is_ok());
    let mut mirrored = single_wedge(sheared);
    mirrored.cell_connectivity = vec![0, 2, 1, 3, 5, 4];
    assert!(Mesh::build(&mirrored.input()).is_ok());
}

#[test]
fn unmatched_patch_face_is_non_conforming() {
    let mut a = BoxArrays::new([2, 1, 1], [2.0, 1.0, 1.0], BoxCells::Hexa);
    a.points.extend([5.0, 5.0, 5.0]);
    let extra = (a.points.len() / 3 - 1) as i64;
    a.patch_face_connectivity.extend([0, 1, extra]);
    a.patch_face_offsets
        .push(a.patch_face_connectivity.len() as i64);
    a.patch_face_patch.push(0);
    let err = Mesh::build(&a.input()).unwrap_err();
    assert!(
        matches!(&err, Error::Mesh(m) if m.contains("non-conforming")),
        "{err}"
    );
}

#[test]
fn duplicated_nodes_at_an_interface_are_non_conforming() {
    // two unit cubes side by side that do not share their four interface vertices
    let mut pts = Vec::new();
    let mut conn = Vec::new();
    for (c, x0) in [0.0, 1.0].iter().enumerate() {
        let base = (c * 8) as i64;
        for &(x, y, z) in &[
            (0., 0., 0.),
            (1., 0., 0.),
            (1., 1., 0.),
            (0., 1., 0.),
            (0., 0., 1.),
            (1., 0., 1.),
            (1., 1., 1.),
            (0., 1., 1.),
        ] {
            pts.extend([x + x0, y, z]);
        }
        conn.extend((0..8).map(|k| base + k));
    }
    let names = vec!["a".to_string()];
    let none: Vec<String> = vec![];
    let input = rackflow_core::mesh::MeshInput {
        points: &pts,
        cell_types: &[12, 12],
        cell_offsets: &[0, 8, 16],
        cell_connectivity: &conn,
        cell_region: &[0, 0],
        region_names: &names,
        patch_face_offsets: &[0],
        patch_face_connectivity: &[],
        patch_face_patch: &[],
        patch_names: &none,
    };
    let err = Mesh::build(&input).unwrap_err();
    assert!(
        matches!(&err, Error::Mesh(m) if m.contains("non-conforming")),
        "{err}"
    );
}
