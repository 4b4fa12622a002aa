//! Validation of the coolant-network solver against closed-form hydraulics and conservation.
//! Tests live in `mod network` so `cargo test network` selects them.

mod network {

    use rackflow_core::network::{solve, NetworkResult, NetworkSpec};
    use rackflow_core::Error;
    use serde_json::{json, Value};

    const RHO: f64 = 1012.5;
    const MU: f64 = 1.542e-3;
    const CP: f64 = 3957.0;

    fn constant_fluid() -> Value {
        json!({"name": "pg25-const", "temperature_k": [300.0], "density_kg_m3": [RHO],
           "viscosity_pa_s": [MU], "specific_heat_j_kgk": [CP], "conductivity_w_mk": [0.48]})
    }

    /// PG25 at 101 kPa (validation.md §8, CoolProp/Melinder), temperature dependent.
    fn pg25() -> Value {
        json!({"name": "PG25",
        "temperature_k": [293.15, 303.15, 313.15, 323.15, 333.15],
        "density_kg_m3": [1019.28, 1014.90, 1009.91, 1004.38, 998.40],
        "viscosity_pa_s": [2.4452e-3, 1.7761e-3, 1.3530e-3, 1.0726e-3, 0.8780e-3],
        "specific_heat_j_kgk": [3920.5, 3944.6, 3968.6, 3992.4, 4015.7],
        "conductivity_w_mk": [0.4679, 0.4769, 0.4858, 0.4946, 0.5032]})
    }

    fn spec(fluid: Value, edges: Value) -> NetworkSpec {
        serde_json::from_value(json!({"fluid": fluid, "edges": edges})).expect("valid spec")
    }

    fn edge<'a>(r: &'a NetworkResult, name: &str) -> &'a rackflow_core::network::EdgeResult {
        r.edges.iter().find(|e| e.name == name).expect("edge")
    }

    fn pipe(name: &str, a: &str, b: &str, d: f64, l: f64, eps: f64) -> Value {
        json!({"name": name, "from": a, "to": b,
           "component": {"type": "pipe", "diameter_m": d, "length_m": l, "roughness_m": eps}})
    }

    fn kloss(name: &str, a: &str, b: &str, k: f64, d: f64) -> Value {
        json!({"name": name, "from": a, "to": b, "component": {"type": "loss", "k": k, "diameter_m": d}})
    }

    fn source(name: &str, a: &str, b: &str, q: f64) -> Value {
        json!({"name": name, "from": a, "to": b, "component": {"type": "flow_source", "flow_m3_s": q}})
    }

    /// Colebrook by plain fixed-point iteration (independent of the solver's Newton).
    fn colebrook_fixed_point(re: f64, rr: f64) -> f64 {
        let mut x: f64 = 8.0;
        for _ in 0..500 {
            x = -2.0 * (rr / 3.7 + 2.51 * x / re).log10();
        }
        1.0 / (x * x)
    }

    #[test]
    fn single_pipe_turbulent_matches_darcy_weisbach_colebrook() {
        let (d, l, eps, q) = (0.035, 12.0, 1.5e-6, 96.0 / 60_000.0);
        let r = solve(&spec(
            constant_fluid(),
            json!([source("src", "a", "b", q), pipe("p", "b", "a", d, l, eps)]),
        ))
        .unwrap();
        let area = std::f64::consts::PI * d * d / 4.0;
        let v = q / area;
        let re = RHO * v * d / MU;
        assert!(re > 30_000.0, "Re {re}");
        let f = colebrook_fixed_point(re, eps / d);
        let expected = f * l / d * 0.5 * RHO * v * v;
        let got = edge(&r, "p").pressure_drop_pa;
        assert!(
            (got - expected).abs() < 1e-9 * expected,
            "{got} vs {expected}"
        );
        assert!((edge(&r, "p").flow_m3_s - q).abs() < 1e-12 * q);
    }

    #[test]
    fn single_pipe_laminar_matches_64_over_re() {
        let (d, l, q) = (0.004, 0.5, 0.2 / 60_000.0);
        let r = solve(&spec(
            constant_fluid(),
            json!([source("src", "a", "b", q), pipe("p", "b", "a", d, l, 0.0)]),
        ))
        .unwrap();
        let area = std::f64::consts::PI * d * d / 4.0;
        let v = q / area;
        let re = RHO * v * d / MU;
        assert!(re < 2300.0, "Re {re}");
        let expected = 64.0 / re * l / d * 0.5 * RHO * v * v;
        let got = edge(&r, "p").pressure_drop_pa;
        assert!(
            (got - expected).abs() < 1e-10 * expected,
            "{got} vs {expected}"
        );
    }

    #[test]
    fn transition_band_is_between_laminar_and_turbulent() {
        let (d, l) = (0.006, 1.0);
        let area = std::f64::consts::PI * d * d / 4.0;
        let q = 3000.0 * MU / (RHO * d) * area;
        let r = solve(&spec(
            constant_fluid(),
            json!([source("src", "a", "b", q), pipe("p", "b", "a", d, l, 0.0)]),
        ))
        .unwrap();
        let v = q / area;
        let dyn_p = l / d * 0.5 * RHO * v * v;
        let f = edge(&r, "p").pressure_drop_pa / dyn_p;
        let (lam, turb): (f64, f64) = (64.0 / 3000.0, colebrook_fixed_point(3000.0, 0.0));
        assert!(
            f > lam.min(turb) && f < lam.max(turb),
            "{f} not between {lam} and {turb}"
        );
    }

    #[test]
    fn n_identical_parallel_branches_split_evenly() {
        for n in [2usize, 7] {
            let q = 0.002;
            let mut edges = vec![source("src", "ret", "sup", q)];
            for i in 0..n {
                edges.push(kloss(&format!("qd{i}"), "sup", &format!("m{i}"), 1.8, 0.01));
                edges.push(pipe(
                    &format!("h{i}"),
                    &format!("m{i}"),
                    "ret",
                    0.01,
                    0.8,
                    1e-5,
                ));
            }
            let r = solve(&spec(constant_fluid(), Value::Array(edges))).unwrap();
            for i in 0..n {
                let qi = edge(&r, &format!("h{i}")).flow_m3_s;
                assert!((qi - q / n as f64).abs() < 1e-12 * q, "branch {i}: {qi}");
            }
            assert!(r.max_mass_imbalance < 1e-12);
        }
    }

    #[test]
    fn two_unequal_turbulent_branches_follow_square_root_law() {
        let (q, k1, k2) = (0.003, 2.0, 9.0);
        let r = solve(&spec(
            constant_fluid(),
            json!([
                source("src", "ret", "sup", q),
                kloss("b1", "sup", "ret", k1, 0.012),
                kloss("b2", "sup", "ret", k2, 0.012)
            ]),
        ))
        .unwrap();
        let (q1, q2) = (edge(&r, "b1").flow_m3_s, edge(&r, "b2").flow_m3_s);
        assert!(((q1 / q2) - (k2 / k1).sqrt()).abs() < 1e-10, "{}", q1 / q2);
        assert!((q1 + q2 - q).abs() < 1e-13);
    }

    #[test]
    fn pump_against_system_curve_lands_on_intersection() {
        // Pump: ΔP = P0 (1 − Q/Qmax) (two points, so the monotone cubic is that line).
        // System: one K-loss, ΔP = c Q² with c = K ρ / (2 A²). Intersection: c Q² + (P0/Qmax) Q − P0 = 0.
        let (p0, qmax, k, d) = (150_000.0, 0.004, 40.0, 0.02);
        let r = solve(&spec(
        constant_fluid(),
        json!([{"name": "pump", "from": "a", "to": "b",
                "component": {"type": "pump", "flow_m3_s": [0.0, qmax], "pressure_rise_pa": [p0, 0.0]}},
               kloss("sys", "b", "a", k, d)]),
    ))
    .unwrap();
        let area = std::f64::consts::PI * d * d / 4.0;
        let c = k * RHO / (2.0 * area * area);
        let b = p0 / qmax;
        let q = (-b + (b * b + 4.0 * c * p0).sqrt()) / (2.0 * c);
        let got = edge(&r, "pump").flow_m3_s;
        assert!((got - q).abs() < 1e-10 * q, "{got} vs {q}");
        let hp = edge(&r, "pump").hydraulic_power_w;
        assert!((hp - q * p0 * (1.0 - q / qmax)).abs() < 1e-8 * hp);
    }

    fn plate_model() -> Value {
        // ΔP = 4 kPa·x + 8 kPa·x² and R = 0.012 + 0.010·x^-0.8 at x = Q / (1 L/min).
        json!({"type": "fit", "reference_flow_m3_s": 1.0 / 60_000.0, "pressure_linear_pa": 4000.0,
           "pressure_quadratic_pa": 8000.0, "resistance_base_k_w": 0.012,
           "resistance_coefficient_k_w": 0.010, "resistance_exponent": 0.8,
           "flow_min_m3_s": 0.3 / 60_000.0, "flow_max_m3_s": 3.0 / 60_000.0})
    }

    /// A small rack: pump + CDU, supply/return manifolds, `n` servers with `m` plates each.
    fn rack(n: usize, m: usize, reverse: bool, fluid: Value) -> Value {
        let mut e = vec![
            json!({"name": "pump", "from": "cdu_out", "to": "s0", "component": {"type": "pump",
               "flow_m3_s": [0.0, 0.0005, 0.001, 0.0015], "pressure_rise_pa": [90000.0, 80000.0, 60000.0, 20000.0]}}),
            json!({"name": "cdu", "from": "rtop", "to": "cdu_out",
               "component": {"type": "cdu", "supply_k": 305.15, "approach_k": 3.0}}),
        ];
        for s in 0..n {
            if s > 0 {
                e.push(pipe(
                    &format!("sm{s}"),
                    &format!("s{}", s - 1),
                    &format!("s{s}"),
                    0.035,
                    0.2,
                    1e-6,
                ));
                e.push(pipe(
                    &format!("rm{s}"),
                    &format!("r{}", s - 1),
                    &format!("r{s}"),
                    0.035,
                    0.2,
                    1e-6,
                ));
            }
            e.push(kloss(
                &format!("qd_in{s}"),
                &format!("s{s}"),
                &format!("in{s}"),
                2.5,
                0.01,
            ));
            e.push(kloss(
                &format!("qd_out{s}"),
                &format!("out{s}"),
                &format!("r{s}"),
                2.5,
                0.01,
            ));
            for p in 0..m {
                e.push(pipe(
                    &format!("h{s}_{p}"),
                    &format!("in{s}"),
                    &format!("a{s}_{p}"),
                    0.006,
                    0.4,
                    1e-6,
                ));
                e.push(json!({"name": format!("gpu{s}_{p}"), "from": format!("a{s}_{p}"), "to": format!("out{s}"),
                          "component": {"type": "cold_plate", "model": plate_model(), "power_w": 700.0}}));
            }
        }
        let top = if reverse {
            format!("r{}", n - 1)
        } else {
            "r0".to_string()
        };
        e.push(pipe("ret", &top, "rtop", 0.035, 2.0, 1e-6));
        json!({"fluid": fluid, "edges": e})
    }

    #[test]
    fn rack_conserves_mass_and_energy_with_temperature_dependent_properties() {
        for reverse in [false, true] {
            let s: NetworkSpec = serde_json::from_value(rack(4, 4, reverse, pg25())).unwrap();
            let r = solve(&s).unwrap();
            assert!(
                r.max_mass_imbalance <= 1e-12,
                "mass {}",
                r.max_mass_imbalance
            );
            for n in &r.nodes {
                assert!(
                    n.mass_imbalance <= 1e-12,
                    "node {} {}",
                    n.name,
                    n.mass_imbalance
                );
            }
            let eb = &r.energy_balance;
            assert!((eb.heat_in_w - 16.0 * 700.0).abs() < 1e-9);
            assert!(eb.relative_error <= 1e-9, "energy {:?}", eb);
            assert!(
                r.iterations.coupling >= 2,
                "properties should have been updated"
            );
            // The CDU outlet is at supply + approach and every GPU is hotter than its inlet.
            let cdu = edge(&r, "cdu");
            assert!((cdu.outlet_temperature_k - 308.15).abs() < 1e-9);
            for p in &r.cold_plates {
                assert!(p.gpu_temperature_k > p.inlet_temperature_k);
                let rise = p.outlet_temperature_k - p.inlet_temperature_k;
                let mdot = p.flow_m3_s * 1010.0;
                assert!((rise - 700.0 / (mdot * 3960.0)).abs() < 0.02 * rise);
            }
        }
    }

    #[test]
    fn effectiveness_cdu_removes_all_heat() {
        let mut v = rack(2, 3, false, pg25());
        v["edges"][1]["component"] = json!({"type": "cdu", "ua_w_k": 4000.0, "supply_k": 305.15,
        "facility_flow_m3_s": 0.0015});
        let s: NetworkSpec = serde_json::from_value(v).unwrap();
        let r = solve(&s).unwrap();
        assert!(
            r.energy_balance.relative_error <= 1e-9,
            "{:?}",
            r.energy_balance
        );
        assert!(r.nodes.iter().all(|n| n.temperature_k > 305.15));
    }

    fn err(v: Value) -> String {
        let s: NetworkSpec = match serde_json::from_value(v) {
            Ok(s) => s,
            Err(e) => return e.to_string(),
        };
        match solve(&s) {
            Err(Error::Network(m)) => m,
            other => panic!("expected a network error, got {other:?}"),
        }
    }

    #[test]
    fn bad_inputs_are_named() {
        let m = err(
            json!({"fluid": constant_fluid(), "edges": [source("src", "a", "b", 0.001),
        pipe("p", "b", "a", 0.01, 1.0, 0.0), pipe("island", "x", "y", 0.01, 1.0, 0.0)]}),
        );
        assert!(
            m.contains("disconnected") && (m.contains("'x'") || m.contains("'y'")),
            "{m}"
        );

        let m = err(
            json!({"fluid": constant_fluid(), "edges": [pipe("p1", "a", "b", 0.01, 1.0, 0.0),
        pipe("p2", "b", "a", 0.01, 1.0, 0.0)]}),
        );
        assert!(m.contains("no pump or flow source"), "{m}");

        let m = err(
            json!({"fluid": constant_fluid(), "edges": [source("src", "a", "b", 0.001),
        {"name": "gpu7", "from": "b", "to": "a", "component": {"type": "cold_plate", "power_w": 700.0}}]}),
        );
        assert!(m.contains("gpu7") && m.contains("no model"), "{m}");

        for (d, l) in [(0.0, 1.0), (-0.01, 1.0), (0.01, f64::NAN), (0.01, 0.0)] {
            let v = json!({"fluid": constant_fluid(), "edges": [source("src", "a", "b", 0.001),
            {"name": "hose3", "from": "b", "to": "a", "component": {"type": "pipe", "diameter_m": d, "length_m": if l.is_nan() { Value::Null } else { json!(l) }}}]});
            let m = err(v);
            assert!(
                m.contains("hose3") || m.contains("invalid type: null"),
                "{m}"
            );
        }
        let m = err(
            json!({"fluid": constant_fluid(), "edges": [source("src", "a", "b", 0.001),
        kloss("qd", "b", "a", -1.0, 0.01)]}),
        );
        assert!(m.contains("'qd'") && m.contains(" k "), "{m}");

        let m = err(
            json!({"fluid": constant_fluid(), "edges": [source("src", "a", "b", 0.001),
        pipe("p", "b", "a", 0.01, 1.0, 0.0), pipe("p", "b", "a", 0.02, 1.0, 0.0)]}),
        );
        assert!(m.contains("edge name 'p' is used twice"), "{m}");
    }

    #[test]
    fn pump_that_never_meets_the_system_curve_is_an_error() {
        // Static head of 30 m of PG25 (~300 kPa) against a pump whose shut-off is 100 kPa.
        let v = json!({"fluid": constant_fluid(),
        "nodes": [{"name": "low", "elevation_m": 0.0}, {"name": "high", "elevation_m": 30.0}],
        "edges": [{"name": "weak_pump", "from": "low", "to": "high", "component": {"type": "pump",
            "flow_m3_s": [0.0, 0.002], "pressure_rise_pa": [100000.0, 0.0]}},
            {"name": "up", "from": "high", "to": "low", "component": {"type": "pipe", "diameter_m": 0.02, "length_m": 40.0, "elevation_m": -30.0}},
            {"name": "tank_leg", "from": "high", "to": "low", "component": {"type": "pipe", "diameter_m": 0.02, "length_m": 40.0, "elevation_m": 30.0}}]});
        let m = err(v);
        assert!(m.contains("weak_pump") && m.contains("never meets"), "{m}");

        // A curve that stops before the system curve: tiny loop resistance.
        let v = json!({"fluid": constant_fluid(), "edges": [{"name": "big_pump", "from": "a", "to": "b",
        "component": {"type": "pump", "flow_m3_s": [0.0, 0.001], "pressure_rise_pa": [200000.0, 150000.0]}},
        kloss("k", "b", "a", 0.1, 0.05)]});
        let m = err(v);
        assert!(m.contains("big_pump") && m.contains("never meets"), "{m}");
    }

    #[test]
    fn flow_outside_characterised_range_errors_unless_extrapolation_is_allowed() {
        let edges = json!([source("src", "a", "b", 5.0 / 60_000.0),
        {"name": "gpu0", "from": "b", "to": "c", "component": {"type": "cold_plate", "model": plate_model(), "power_w": 500.0}},
        {"name": "cdu", "from": "c", "to": "a", "component": {"type": "cdu", "supply_k": 305.0, "approach_k": 3.0}}]);
        let m = err(json!({"fluid": constant_fluid(), "edges": edges.clone()}));
        assert!(
            m.contains("gpu0") && m.contains("characterised range"),
            "{m}"
        );
        let s: NetworkSpec =
            serde_json::from_value(json!({"fluid": constant_fluid(), "edges": edges,
        "settings": {"allow_extrapolation": true}}))
            .unwrap();
        match solve(&s) {
            Ok(r) => assert!(
                r.warnings.iter().any(|w| w.contains("gpu0")),
                "{:?}",
                r.warnings
            ),
            Err(e) => panic!("{e}"),
        }
    }
}
