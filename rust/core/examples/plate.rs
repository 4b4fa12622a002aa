//! The conduction benchmark plate without Python: `cargo run --release --example plate -- 160 2`.
use rackflow_core::case::{solve, Boundary, Case, Material, Solid};
use rackflow_core::mesh::structured::{BoxArrays, BoxCells};
use rackflow_core::physics::Property;
use rackflow_core::Silent;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(40);
    let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let t0 = Instant::now();
    let arrays = BoxArrays::new([n, n, n / 4], [0.1, 0.1, 0.01], BoxCells::Hexa);
    let mesh = match arrays.build() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return;
        }
    };
    let build = t0.elapsed().as_secs_f64();
    let case = Case {
        solids: vec![Solid {
            region: "box".into(),
            material: Material {
                name: "cu".into(),
                conductivity_w_mk: Property::Constant(400.0),
                density_kg_m3: None,
                specific_heat_j_kgk: None,
            },
            power_w: None,
            power_density_w_m3: None,
        }],
        boundaries: vec![
            Boundary::HeatFlux {
                patch: "zmin".into(),
                flux_w_m2: Some(1e5),
                power_w: None,
            },
            Boundary::Convective {
                patch: "zmax".into(),
                htc_w_m2k: 1e4,
                ambient_k: 300.0,
            },
        ],
        settings: rackflow_core::case::Settings {
            tolerance: 1e-8,
            threads: Some(threads),
            ..Default::default()
        },
        ..Default::default()
    };
    let t1 = Instant::now();
    match solve(&mesh, &case, &Silent) {
        Ok(s) => eprintln!(
            "cells {} build {build:.2}s solve {:.2}s setup {:.2}s iterations {:?} levels {:?} balance {:e}",
            mesh.n_cells(),
            t1.elapsed().as_secs_f64(),
            s.report.setup_time_s,
            s.report.linear_iterations,
            s.report.multigrid_levels,
            s.energy_balance_error
        ),
        Err(e) => eprintln!("{e}"),
    }
}
