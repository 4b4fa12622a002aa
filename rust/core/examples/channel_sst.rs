//! Turbulent plane channel with k-ω SST, without Python:
//! `cargo run --release --example channel_sst -- NX NY RE_DH L_OVER_H GRADING`
//! (walls at y = 0 and y = H, inlet at x = 0, outlet at x = L, symmetry on the z sides).
//! Prints the Darcy friction factor of the last third against Dean's correlation.
use rackflow_core::mesh::structured::{BoxArrays, BoxCells};
use rackflow_core::physics::flow::{inlet_k_omega, Flow, FlowBc, FlowSettings};
use rackflow_core::Monitor;
use std::time::Instant;

struct Print;
impl Monitor for Print {
    fn progress(&self, it: usize, r: &[(&str, f64)]) {
        if it % 100 == 0 || it < 3 {
            eprintln!("{it} {r:?}");
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: f64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (nx, ny) = (arg(1, 100.0) as usize, arg(2, 40.0) as usize);
    let re = arg(3, 1e4);
    let l_over_h = arg(4, 100.0);
    let grading = arg(5, 2.0);
    let (h, rho, mu) = (0.01, 1000.0, 1e-3);
    let u = re * mu / (rho * 2.0 * h);
    let half = arg(8, 0.0) > 0.0;
    let height = if half { 0.5 * h } else { h };
    let mut a = BoxArrays::new(
        [nx, ny, 1],
        [l_over_h * h, height, h / 10.0],
        BoxCells::Hexa,
    );
    if half && grading > 0.0 {
        // tanh clustering towards the wall at y = 0 (symmetry plane at y = H/2)
        for p in a.points.chunks_mut(3) {
            let eta = p[1] / height - 1.0;
            p[1] = height * (1.0 + (grading * eta).tanh() / grading.tanh());
        }
    } else if grading > 0.0 {
        // tanh clustering towards both walls
        for p in a.points.chunks_mut(3) {
            let eta = 2.0 * p[1] / h - 1.0;
            p[1] = 0.5 * h * (1.0 + (grading * eta).tanh() / grading.tanh());
        }
    }
    let mesh = a.build().unwrap();
    let n = mesh.n_cells();
    let bc = vec![
        FlowBc::Inlet(u),
        FlowBc::Outlet(0.0),
        FlowBc::Wall([0.0; 3]),
        if half {
            FlowBc::Symmetry
        } else {
            FlowBc::Wall([0.0; 3])
        },
        FlowBc::Symmetry,
        FlowBc::Symmetry,
    ];
    let inlet = inlet_k_omega(0.05, u, 0.07 * 2.0 * h);
    let flow = Flow::new(&mesh, vec![rho; n], vec![mu; n], bc)
        .with_turbulence(vec![Some(inlet), None, None, None, None, None], vec![mu; n]);
    let settings = FlowSettings {
        max_iterations: arg(6, 3000.0) as usize,
        velocity_relaxation: arg(7, 0.7),
        velocity_tolerance: 1e-6,
        pressure_tolerance: 1e-5,
        mass_tolerance: 1e-6,
        ..Default::default()
    };
    let t = Instant::now();
    let s = match flow.solve(&settings, &Print, None) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return;
        }
    };
    let (x0, x1) = (l_over_h * h * 2.0 / 3.0, l_over_h * h * 0.95);
    // mean pressure at the columns nearest x0 and x1
    let column = |x: f64| {
        let (mut sum, mut vol, mut xc) = (0.0, 0.0, 0.0);
        let dx = l_over_h * h / nx as f64;
        for c in 0..n {
            if (mesh.cell_centre[c][0] - x).abs() < 0.5 * dx {
                sum += s.pressure[c] * mesh.cell_volume[c];
                vol += mesh.cell_volume[c];
                xc = mesh.cell_centre[c][0];
            }
        }
        (sum / vol, xc)
    };
    let ((p0, xa), (p1, xb)) = (column(x0), column(x1));
    let dpdx = (p0 - p1) / (xb - xa);
    let f = dpdx * 2.0 * h / (0.5 * rho * u * u);
    let re_m = re / 2.0;
    let dean = 4.0 * 0.073 * re_m.powf(-0.25);
    let petukhov = (0.790 * re.ln() - 1.64).powi(-2);
    let yp = s.wall_y_plus.iter().copied().fold(0.0, f64::max);
    let ratio = s.turbulent_viscosity.iter().copied().fold(0.0, f64::max) / mu;
    eprintln!(
        "cells {n} iterations {} time {:.1} s  f {f:.5}  Dean {dean:.5} ({:+.1} %)  Petukhov(D_h) {petukhov:.5} ({:+.1} %)  y+ max {yp:.2}  mu_t/mu max {ratio:.1}",
        s.iterations,
        t.elapsed().as_secs_f64(),
        100.0 * (f / dean - 1.0),
        100.0 * (f / petukhov - 1.0)
    );
}
