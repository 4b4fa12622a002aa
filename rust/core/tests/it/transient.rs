//! Transient conduction against closed forms: lumped capacitance after a power step, observed
//! temporal order of the fixed-step scheme, discrete energy conservation, step profiles.

use super::common::{case, copper, fixed};
use rackflow_core::case::{solve_transient, Boundary, Case, ProfileTarget, TimeProfile, Transient};
use rackflow_core::mesh::structured::{BoxArrays, BoxCells};
use rackflow_core::Silent as NoMonitor;

fn convective_everywhere(h: f64, ambient: f64) -> Vec<Boundary> {
    ["xmin", "xmax", "ymin", "ymax", "zmin", "zmax"]
        .iter()
        .map(|p| Boundary::Convective {
            patch: (*p).into(),
            htc_w_m2k: h,
            ambient_k: ambient,
        })
        .collect()
}

/// A 10 mm copper cube of `n`³ hexahedra at 300 K with `power_w` in it, h = 10 W/m²K to 300 K
/// on every face.
fn cooled_copper_cube(n: usize, power_w: f64) -> (rackflow_core::mesh::Mesh, Case) {
    let mesh = BoxArrays::new([n; 3], [0.01; 3], BoxCells::Hexa)
        .build()
        .unwrap();
    let mut c = case(
        vec![copper("box", Some(power_w))],
        convective_everywhere(10.0, 300.0),
    );
    c.settings.initial_temperature_k = Some(300.0);
    (mesh, c)
}

/// A 10 mm copper cube, h = 10 W/m²K on every face (Bi = hL/k = 2.5e-4), 1 W from t = 0:
/// T = T∞ + P/(hA) (1 − e^(−t/τ)), τ = ρcV/(hA) ≈ 573 s. Adaptive steps; the rise at every
/// output time within 0.5 % of the final rise.
#[test]
fn lumped_capacitance_after_a_power_step() {
    let (mesh, c) = cooled_copper_cube(4, 1.0);
    let (h, area, volume) = (10.0, 6e-4, 1e-6);
    let tau = 8933.0 * 385.0 * volume / (h * area);
    let rise = 1.0 / (h * area);
    let spec = Transient {
        start_time_s: 0.0,
        end_time_s: 3.0 * tau,
        time_step_s: None,
        output_times_s: None,
        step_tolerance_k: 0.01,
        max_steps: 100_000,
        flow_update_fraction: 0.01,
        profiles: Vec::new(),
    };
    let run = solve_transient(&mesh, &c, &spec, None, &NoMonitor).unwrap();
    for (time, field) in run.output_times_s.iter().zip(&run.temperature_k) {
        let exact = 300.0 + rise * (1.0 - (-time / tau).exp());
        let mean = field.iter().sum::<f64>() / field.len() as f64;
        assert!(
            (mean - exact).abs() < 5e-3 * rise,
            "t = {time:.1} s: {mean:.4} K vs {exact:.4} K"
        );
    }
    assert!(run.steps_accepted < 400, "{} steps", run.steps_accepted);
    // the scheme's own energy statement holds to solver tolerance; the plain ΔE to its accuracy
    assert!((run.discrete_stored_change_j - run.heat_in_j).abs() < 1e-6 * run.heat_in_j);
    assert!(
        (run.stored_change_j - run.heat_in_trapezoid_j).abs() < 5e-3 * run.heat_in_trapezoid_j,
        "stored {} J, heat in {} J, discrete {} J, {} steps",
        run.stored_change_j,
        run.heat_in_trapezoid_j,
        run.discrete_stored_change_j,
        run.steps_accepted
    );
}

/// A 1D slab (20 cells) at 300 K whose x = 0 face steps to 400 K: the error at t = 2 s against
/// a run with 64 times smaller steps falls at second order with fixed steps.
#[test]
fn fixed_steps_converge_at_second_order_in_time() {
    let mesh = BoxArrays::new([20, 1, 1], [0.02, 0.001, 0.001], BoxCells::Hexa)
        .build()
        .unwrap();
    let mut c = case(vec![copper("box", None)], vec![fixed("xmin", 400.0)]);
    c.settings.initial_temperature_k = Some(300.0);
    c.settings.tolerance = 1e-13;
    let run = |dt: f64| {
        let spec = Transient {
            start_time_s: 0.0,
            end_time_s: 2.0,
            time_step_s: Some(dt),
            output_times_s: Some(vec![2.0]),
            step_tolerance_k: 0.01,
            max_steps: 1_000_000,
            flow_update_fraction: 0.01,
            profiles: Vec::new(),
        };
        solve_transient(&mesh, &c, &spec, None, &NoMonitor)
            .unwrap()
            .temperature_k
            .pop()
            .unwrap()
    };
    let reference = run(0.2 / 64.0);
    let error = |dt: f64| {
        run(dt)
            .iter()
            .zip(&reference)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    };
    let (e1, e2, e3) = (error(0.2), error(0.1), error(0.05));
    let order = ((e1 / e2).log2() + (e2 / e3).log2()) / 2.0;
    assert!(
        order >= 1.9,
        "observed order {order:.3} ({e1:.3e}, {e2:.3e}, {e3:.3e})"
    );
}

/// A step profile of the power (0 W, then 2 W at 100 s, back to 0 at 400 s): the solve lands on
/// both jumps, and the energy put in is the profile's integral (600 J).
#[test]
fn a_step_profile_is_landed_on_and_its_energy_goes_in() {
    let (mesh, c) = cooled_copper_cube(3, 0.0);
    let spec = Transient {
        start_time_s: 0.0,
        end_time_s: 600.0,
        time_step_s: None,
        output_times_s: Some(vec![0.0, 100.0, 400.0, 600.0]),
        step_tolerance_k: 0.005,
        max_steps: 100_000,
        flow_update_fraction: 0.01,
        profiles: vec![TimeProfile {
            target: ProfileTarget::PowerW {
                region: "box".into(),
            },
            time_s: vec![0.0, 100.0, 400.0],
            value: vec![0.0, 2.0, 0.0],
            step: true,
        }],
    };
    let run = solve_transient(&mesh, &c, &spec, None, &NoMonitor).unwrap();
    for tb in [100.0, 400.0] {
        assert!(run.step_times_s.iter().any(|t| (t - tb).abs() < 1e-9));
    }
    let sources: f64 = run
        .step_times_s
        .windows(2)
        .map(|w| {
            if w[0] >= 100.0 - 1e-9 && w[1] <= 400.0 + 1e-9 {
                2.0 * (w[1] - w[0])
            } else {
                0.0
            }
        })
        .sum();
    assert!((sources - 600.0).abs() < 1e-6);
    // at 100 s nothing has heated yet; at 400 s the block is warm
    let mean = |f: &Vec<f64>| f.iter().sum::<f64>() / f.len() as f64;
    assert!((mean(&run.temperature_k[1]) - 300.0).abs() < 1e-6);
    assert!(mean(&run.temperature_k[2]) > 350.0);
}

#[test]
fn bad_time_control_is_reported_all_at_once() {
    let mesh = BoxArrays::new([2, 2, 2], [0.01; 3], BoxCells::Hexa)
        .build()
        .unwrap();
    let mut c = case(vec![copper("box", Some(1.0))], vec![fixed("xmin", 300.0)]);
    c.settings.initial_temperature_k = Some(300.0);
    let spec = Transient {
        start_time_s: 0.0,
        end_time_s: -1.0,
        time_step_s: Some(0.0),
        output_times_s: Some(vec![5.0]),
        step_tolerance_k: 0.01,
        max_steps: 10,
        flow_update_fraction: 0.01,
        profiles: vec![TimeProfile {
            target: ProfileTarget::PowerW {
                region: "nowhere".into(),
            },
            time_s: vec![1.0, 0.5],
            value: vec![1.0, 2.0],
            step: false,
        }],
    };
    let err = solve_transient(&mesh, &c, &spec, None, &NoMonitor)
        .unwrap_err()
        .to_string();
    for expected in [
        "end_time_s",
        "time_step_s",
        "output time 5",
        "'nowhere'",
        "increasing",
    ] {
        assert!(err.contains(expected), "{expected} missing from: {err}");
    }
    // a solid without density or specific heat is named
    let mut no_cp = c.clone();
    no_cp.solids[0].material.density_kg_m3 = None;
    let ok = Transient {
        end_time_s: 1.0,
        time_step_s: None,
        output_times_s: None,
        profiles: Vec::new(),
        ..spec
    };
    let err = solve_transient(&mesh, &no_cp, &ok, None, &NoMonitor)
        .unwrap_err()
        .to_string();
    assert!(err.contains("'box'") && err.contains("density"), "{err}");
}

/// Profile values the physics cannot take are refused before any step, all at once: a negative
/// power, a temperature at or below absolute zero, a flow-rate profile on a patch that is no inlet
/// and a negative flow-update fraction.
#[test]
fn bad_profile_values_are_reported_all_at_once() {
    let mesh = BoxArrays::new([2, 2, 2], [0.01; 3], BoxCells::Hexa)
        .build()
        .unwrap();
    let mut c = case(vec![copper("box", Some(1.0))], vec![fixed("xmin", 300.0)]);
    c.settings.initial_temperature_k = Some(300.0);
    let profile = |target: ProfileTarget, value: Vec<f64>| TimeProfile {
        target,
        time_s: vec![0.0, 1.0],
        value,
        step: false,
    };
    let spec = Transient {
        start_time_s: 0.0,
        end_time_s: 1.0,
        time_step_s: None,
        output_times_s: None,
        step_tolerance_k: 0.01,
        max_steps: 10,
        flow_update_fraction: -0.5,
        profiles: vec![
            profile(
                ProfileTarget::PowerW {
                    region: "box".into(),
                },
                vec![1.0, -2.0],
            ),
            profile(
                ProfileTarget::TemperatureK {
                    patch: "xmin".into(),
                },
                vec![300.0, 0.0],
            ),
            profile(
                ProfileTarget::Inflow {
                    patch: "xmax".into(),
                },
                vec![1e-6, 2e-6],
            ),
        ],
    };
    let err = solve_transient(&mesh, &c, &spec, None, &NoMonitor)
        .unwrap_err()
        .to_string();
    for expected in [
        "powers must be non-negative, got -2 W",
        "above absolute zero, got 0 K",
        "patch 'xmax', which is no coolant inlet",
        "flow_update_fraction",
    ] {
        assert!(err.contains(expected), "{expected} missing from: {err}");
    }
}

/// A logged trace repeats values (a row every 0.5 s): rows where a step profile does not jump,
/// or a linear one does not change slope, are no breakpoints. The run takes the same steps and
/// gives the same temperatures as the trace reduced to its jumps (before, every row restarted the
/// stepper with a short Euler step).
#[test]
fn repeated_values_of_a_logged_trace_are_not_breakpoints() {
    let (mesh, c) = cooled_copper_cube(3, 0.0);
    let run = |time_s: Vec<f64>, value: Vec<f64>, step: bool| {
        let spec = Transient {
            start_time_s: 0.0,
            end_time_s: 600.0,
            time_step_s: None,
            output_times_s: Some(vec![0.0, 300.0, 600.0]),
            step_tolerance_k: 0.005,
            max_steps: 100_000,
            flow_update_fraction: 0.01,
            profiles: vec![TimeProfile {
                target: ProfileTarget::PowerW {
                    region: "box".into(),
                },
                time_s,
                value,
                step,
            }],
        };
        solve_transient(&mesh, &c, &spec, None, &NoMonitor).unwrap()
    };
    let logged_t: Vec<f64> = (0..1200).map(|i| 0.5 * f64::from(i)).collect();
    let power = |t: f64| {
        if (100.0..400.0).contains(&t) {
            2.0
        } else {
            0.0
        }
    };
    // step: jumps at 100 and 400 s only
    let logged = run(
        logged_t.clone(),
        logged_t.iter().map(|&t| power(t)).collect(),
        true,
    );
    let reduced = run(vec![0.0, 100.0, 400.0], vec![0.0, 2.0, 0.0], true);
    assert_eq!(logged.step_times_s, reduced.step_times_s);
    assert!(
        logged.steps_accepted < 200,
        "{} steps",
        logged.steps_accepted
    );
    assert_eq!(logged.temperature_k, reduced.temperature_k);
    // linear: a ramp logged on collinear rows has kinks at its ends only
    let ramp = |t: f64| (t.clamp(100.0, 200.0) - 100.0) / 50.0;
    let logged = run(
        logged_t.clone(),
        logged_t.iter().map(|&t| ramp(t)).collect(),
        false,
    );
    let reduced = run(vec![0.0, 100.0, 200.0], vec![0.0, 0.0, 2.0], false);
    assert_eq!(logged.step_times_s.len(), reduced.step_times_s.len());
    for (a, b) in logged.temperature_k.iter().zip(&reduced.temperature_k) {
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-9, "{x} vs {y}");
        }
    }
}

/// A run stopped by its step limit keeps the steps it completed (`solve_transient_keeping`):
/// equal, bit for bit, to the run of the same spec ending at the last of them.
#[test]
fn a_failed_run_keeps_its_completed_steps() {
    use rackflow_core::case::{solve_transient_keeping, InitialState};
    let (mesh, mut c) = cooled_copper_cube(4, 1.0);
    c.settings.threads = Some(1);
    let outputs: Vec<f64> = (0..=20).map(|i| 5.0 * i as f64).collect();
    let spec = Transient {
        start_time_s: 0.0,
        end_time_s: 100.0,
        time_step_s: Some(1.0),
        output_times_s: Some(outputs.clone()),
        step_tolerance_k: 0.01,
        max_steps: 12,
        flow_update_fraction: 0.01,
        profiles: Vec::new(),
    };
    let failure = solve_transient_keeping(&mesh, &c, &spec, &InitialState::default(), &NoMonitor)
        .unwrap_err();
    assert!(
        failure.error.to_string().contains("more than 12 steps"),
        "{}",
        failure.error
    );
    let kept = failure.completed.expect("the completed steps");
    assert_eq!(kept.steps_accepted, 12);
    assert_eq!(kept.step_times_s.last(), Some(&12.0));
    let prefix = Transient {
        end_time_s: 12.0,
        output_times_s: Some(outputs[..3].to_vec()),
        max_steps: 100,
        ..spec
    };
    let run = solve_transient(&mesh, &c, &prefix, None, &NoMonitor).unwrap();
    assert_eq!(kept.output_times_s, run.output_times_s);
    assert_eq!(kept.temperature_k, run.temperature_k);
    assert_eq!(kept.patch_heat_flow_w, run.patch_heat_flow_w);
    assert_eq!(kept.region_source_w, run.region_source_w);
    assert_eq!(kept.step_times_s, run.step_times_s);
    assert_eq!(kept.step_max_temperature_k, run.step_max_temperature_k);
    assert_eq!(kept.heat_in_j, run.heat_in_j);
    assert_eq!(kept.stored_change_j, run.stored_change_j);
    assert_eq!(kept.discrete_stored_change_j, run.discrete_stored_change_j);
    // nothing completed before a failure at the start (validation)
    let bad = Transient {
        end_time_s: -1.0,
        ..prefix
    };
    let failure =
        solve_transient_keeping(&mesh, &c, &bad, &InitialState::default(), &NoMonitor).unwrap_err();
    assert!(failure.completed.is_none());
}
