//! Lid-driven cavity without Python: `cargo run --release --example cavity -- 64 100`.
use rackflow_core::mesh::structured::{BoxArrays, BoxCells};
use rackflow_core::physics::flow::{Flow, FlowBc, FlowSettings};
use rackflow_core::Monitor;

struct Print;
impl Monitor for Print {
    fn progress(&self, it: usize, r: &[(&str, f64)]) {
        if it % 250 == 0 || it < 5 {
            eprintln!("{it} {r:?}");
        }
    }
}
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(32);
    let re: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100.0);
    let second: bool = args.get(3).is_none_or(|s| s != "upwind");
    let mesh = BoxArrays::new([n, n, 1], [1.0, 1.0, 1.0 / n as f64], BoxCells::Hexa)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let nc = mesh.n_cells();
    let bc = vec![
        FlowBc::Wall([0.0; 3]),
        FlowBc::Wall([0.0; 3]),
        FlowBc::Wall([0.0; 3]),
        FlowBc::Wall([1.0, 0.0, 0.0]),
        FlowBc::Symmetry,
        FlowBc::Symmetry,
    ];
    let flow = Flow::new(&mesh, vec![1.0; nc], vec![1.0 / re; nc], bc);
    let t = Instant::now();
    let settings = FlowSettings {
        second_order: second,
        max_iterations: 5000,
        ..Default::default()
    };
    match flow.solve(&settings, &Print, None) {
        Ok(s) => {
            eprintln!(
                "converged in {} iterations, {:.2}s",
                s.iterations,
                t.elapsed().as_secs_f64()
            );
            // u on the vertical centreline
            let mut line: Vec<(f64, f64)> = (0..nc)
                .filter(|&c| (mesh.cell_centre[c][0] - 0.5).abs() < 0.6 / n as f64)
                .map(|c| (mesh.cell_centre[c][1], s.velocity[c][0]))
                .collect();
            line.sort_by(|a, b| a.0.total_cmp(&b.0));
            for (y, u) in line.iter().step_by((n / 16).max(1)) {
                eprintln!("y {y:.4} u {u:.5}");
            }
        }
        Err(e) => eprintln!("{e}"),
    }
}
