use rackflow_core::case::{Boundary, Case, Material, Solid};
use rackflow_core::mesh::structured::{BoxArrays, BoxCells};
use rackflow_core::physics::Property;

pub fn solid(region: &str, k: f64) -> Solid {
    Solid {
        region: region.into(),
        material: Material {
            name: format!("k{k}"),
            conductivity_w_mk: Property::Constant(k),
            density_kg_m3: None,
            specific_heat_j_kgk: None,
        },
        power_w: None,
        power_density_w_m3: None,
    }
}

pub fn fixed(patch: &str, t: f64) -> Boundary {
    Boundary::FixedTemperature {
        patch: patch.into(),
        temperature_k: t,
        face_temperature_k: None,
    }
}

pub fn case(solids: Vec<Solid>, boundaries: Vec<Boundary>) -> Case {
    Case {
        solids,
        boundaries,
        ..Default::default()
    }
}

/// Split a box into two regions at x = x_split.
pub fn two_regions(mut a: BoxArrays, n: [usize; 3], l: [f64; 3], x_split: f64) -> BoxArrays {
    let per_cell = if a.cell_types[0] == 12 { 1 } else { 6 };
    a.region_names = vec!["left".into(), "right".into()];
    for c in 0..a.cell_region.len() {
        let box_index = c / per_cell;
        let i = box_index % n[0];
        let xc = (i as f64 + 0.5) * l[0] / n[0] as f64;
        a.cell_region[c] = if xc < x_split { 0 } else { 1 };
    }
    a
}

pub fn boxed(n: [usize; 3], l: [f64; 3], cells: BoxCells) -> BoxArrays {
    BoxArrays::new(n, l, cells)
}

/// Copper with its density and specific heat (transient solves), optionally heated.
pub fn copper(region: &str, power_w: Option<f64>) -> Solid {
    Solid {
        region: region.into(),
        material: Material {
            name: "copper".into(),
            conductivity_w_mk: Property::Constant(400.0),
            density_kg_m3: Some(8933.0),
            specific_heat_j_kgk: Some(385.0),
        },
        power_w,
        power_density_w_m3: None,
    }
}
