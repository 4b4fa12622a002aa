use rackflow_core::discretisation::pattern::CellPattern;
use rackflow_core::linalg::{cg, Amg, AmgSettings, Jacobi, SolveSettings};
use rackflow_core::mesh::structured::{BoxArrays, BoxCells};

fn laplacian(n: usize) -> rackflow_core::linalg::Csr {
    let mesh = BoxArrays::new([n, n, n], [1.0, 1.0, 1.0], BoxCells::Hexa)
        .build()
        .unwrap();
    let p = CellPattern::new(&mesh);
    let mut a = p.matrix.clone();
    for f in 0..mesh.n_internal_faces {
        a.val[p.diag[mesh.owner[f] as usize]] += 1.0;
        a.val[p.diag[mesh.neighbour[f] as usize]] += 1.0;
        a.val[p.upper[f]] -= 1.0;
        a.val[p.lower[f]] -= 1.0;
    }
    for f in mesh.patch_faces(0) {
        a.val[p.diag[mesh.owner[f] as usize]] += 2.0;
    }
    a
}

#[test]
fn amg_iterations_grow_slowly() {
    let mut its = Vec::new();
    for n in [10, 20, 40] {
        let a = laplacian(n);
        let b = vec![1.0; a.n_rows];
        let mut x = vec![0.0; a.n_rows];
        let amg = Amg::new(&a, AmgSettings::default());
        let info = cg(
            &a,
            &b,
            &mut x,
            &amg,
            SolveSettings {
                relative_tolerance: 1e-8,
                ..Default::default()
            },
            &|| false,
        )
        .unwrap();
        let mut r = vec![0.0; a.n_rows];
        a.residual(&b, &x, &mut r);
        let rn = r.iter().map(|v| v * v).sum::<f64>().sqrt() / (a.n_rows as f64).sqrt();
        assert!(rn <= 1.01e-8);
        its.push(info.iterations);
    }
    // 64× more unknowns: iterations may not even double
    assert!(its[2] <= 2 * its[0] + 2, "AMG-CG iterations {its:?}");
    // and the plain Jacobi-CG needs many more at the finest size
    let a = laplacian(40);
    let b = vec![1.0; a.n_rows];
    let mut x = vec![0.0; a.n_rows];
    let jac = cg(
        &a,
        &b,
        &mut x,
        &Jacobi::new(&a),
        SolveSettings {
            relative_tolerance: 1e-8,
            ..Default::default()
        },
        &|| false,
    )
    .unwrap();
    assert!(
        jac.iterations > 3 * its[2],
        "Jacobi {} vs AMG {}",
        jac.iterations,
        its[2]
    );
}
