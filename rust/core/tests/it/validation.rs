//! Case validation: every problem at once, before any solve.

use super::common::{case, copper, fixed};
use rackflow_core::case::{Material, Solid};
use rackflow_core::mesh::structured::{BoxArrays, BoxCells};
use rackflow_core::physics::Property;
use rackflow_core::Silent as NoMonitor;

/// Every problem of a case at once, thermal, flow and settings together, before any solve: an
/// unknown patch, a negative conductivity, a tolerance of 2 and a flow relaxation of 3.
#[test]
fn a_case_with_several_problems_lists_them_all_before_solving() {
    use rackflow_core::case::{solve, Coolant, Fluid};
    let mesh = BoxArrays::new([4, 2, 2], [0.01, 0.002, 0.002], BoxCells::Hexa)
        .build()
        .unwrap();
    let mut c = case(
        vec![Solid {
            material: Material {
                conductivity_w_mk: Property::Constant(-5.0),
                ..copper("box", None).material
            },
            ..copper("box", None)
        }],
        vec![fixed("nowhere", 300.0), fixed("xmin", 300.0)],
    );
    c.settings.tolerance = 2.0;
    c.settings.velocity_relaxation = 3.0;
    c.fluids.push(Fluid {
        region: "box".into(),
        coolant: Coolant {
            name: "w".into(),
            density_kg_m3: Property::Constant(1000.0),
            viscosity_pa_s: Property::Constant(1e-3),
            conductivity_w_mk: Property::Constant(0.6),
            specific_heat_j_kgk: Property::Constant(4180.0),
        },
        turbulence: Default::default(),
        thermal_wall_function: Default::default(),
        wall_treatment: Default::default(),
    });
    let err = solve(&mesh, &c, &NoMonitor).unwrap_err().to_string();
    for expected in [
        "'nowhere'",
        "conductivity",
        "settings.tolerance",
        "velocity_relaxation",
    ] {
        assert!(err.contains(expected), "{expected} missing from: {err}");
    }
}

/// `case::validate` checks without solving and lists radiation problems with the thermal and
/// settings ones (before, radiation was checked only after the flow solve); a good case passes.
#[test]
fn validate_lists_radiation_problems_with_the_others_without_solving() {
    use rackflow_core::case::{validate, Radiation};
    let mesh = BoxArrays::new([4, 2, 2], [0.01, 0.002, 0.002], BoxCells::Hexa)
        .build()
        .unwrap();
    let mut c = case(
        vec![copper("box", None)],
        vec![fixed("nowhere", 300.0), fixed("xmin", 300.0)],
    );
    c.settings.tolerance = 2.0;
    c.radiation.push(Radiation {
        patch: "xmax".into(),
        emissivity: 1.5,
        sink_k: 3.0,
        absorbed_flux_w_m2: 0.0,
    });
    let err = validate(&mesh, &c).unwrap_err().to_string();
    for expected in [
        "3 problems in the case",
        "unknown patch 'nowhere'",
        "settings.tolerance",
        "radiation on 'xmax': emissivity must lie in (0, 1], got 1.5",
    ] {
        assert!(err.contains(expected), "{expected} missing from: {err}");
    }
    c.boundaries.remove(0);
    c.settings.tolerance = 1e-8;
    c.radiation[0].emissivity = 0.9;
    validate(&mesh, &c).unwrap();
}

/// A radiation problem alone still brings the flow set-up's checks into the same list before
/// any flow iteration (an inlet with no outlet here).
#[test]
fn a_radiation_problem_and_a_flow_problem_are_listed_together_before_solving() {
    use rackflow_core::case::{solve, Boundary, Coolant, Fluid, Radiation};
    let mesh = BoxArrays::new([4, 2, 2], [0.01, 0.002, 0.002], BoxCells::Hexa)
        .build()
        .unwrap();
    let mut c = case(
        vec![],
        vec![Boundary::Inlet {
            patch: "xmin".into(),
            velocity_m_s: Some(0.01),
            volume_flow_m3_s: None,
            mass_flow_kg_s: None,
            temperature_k: Some(300.0),
            turbulence_intensity: None,
            length_scale_m: None,
        }],
    );
    c.fluids.push(Fluid {
        region: "box".into(),
        coolant: Coolant {
            name: "w".into(),
            density_kg_m3: Property::Constant(1000.0),
            viscosity_pa_s: Property::Constant(1e-3),
            conductivity_w_mk: Property::Constant(0.6),
            specific_heat_j_kgk: Property::Constant(4180.0),
        },
        turbulence: Default::default(),
        thermal_wall_function: Default::default(),
        wall_treatment: Default::default(),
    });
    c.radiation.push(Radiation {
        patch: "ymin".into(),
        emissivity: 1.5,
        sink_k: 3.0,
        absorbed_flux_w_m2: 0.0,
    });
    let err = solve(&mesh, &c, &NoMonitor).unwrap_err().to_string();
    for expected in ["emissivity must lie in (0, 1]", "no outlet"] {
        assert!(err.contains(expected), "{expected} missing from: {err}");
    }
}
