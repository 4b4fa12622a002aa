//! Checking a case against a mesh and resolving names to indices. Every problem is collected,
//! so a user fixes a case in one round.

use super::spec::{Boundary, Case};
use crate::error::name_list;
use crate::mesh::Mesh;
use crate::physics::Property;
use crate::{Error, Result};

pub use crate::discretisation::PatchCondition;

/// The case with names resolved against a mesh.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Conductivity of each region.
    pub conductivity: Vec<Property>,
    /// Power density of each region, W/m³.
    pub power_density: Vec<f64>,
    /// Condition on each mesh patch.
    pub patch: Vec<PatchCondition>,
    /// Contacts as (region a, region b, resistance m²K/W).
    pub contacts: Vec<(usize, usize, f64)>,
    /// Per-face fixed temperatures of each patch, K, where given.
    pub face_temperature: Vec<Option<Vec<f64>>>,
    /// Extra power density per cell, W/m³.
    pub cell_source: Option<Vec<f64>>,
    /// Whether each patch is a coolant inlet (its fixed temperature applies to coolant faces only).
    pub inlet_patch: Vec<bool>,
}

fn finite(x: f64) -> bool {
    x.is_finite()
}

fn temperature_ok(t: f64) -> bool {
    t.is_finite() && t > 0.0
}

impl Resolved {
    /// Validate `case` on `mesh`.
    pub fn new(case: &Case, mesh: &Mesh) -> Result<Resolved> {
        let mut problems: Vec<String> = Vec::new();
        let mut material_problems = 0;
        let n_regions = mesh.region_names.len();
        let regions = || name_list(&mesh.region_names);
        let patches = || name_list(&mesh.patch_names);

        let mut conductivity: Vec<Option<Property>> = vec![None; n_regions];
        let mut power_density = vec![0.0; n_regions];
        let volumes = mesh.region_volumes();
        for s in &case.solids {
            let Some(r) = mesh.region_index(&s.region) else {
                problems.push(format!(
                    "unknown region '{}'; the mesh has regions {}",
                    s.region,
                    regions()
                ));
                continue;
            };
            if conductivity[r].is_some() {
                problems.push(format!("region '{}' is given a material twice", s.region));
            }
            if let Err(e) = s.material.conductivity_w_mk.validate(&format!(
                "conductivity of material '{}' (region '{}')",
                s.material.name, s.region
            )) {
                problems.push(e.to_string());
                material_problems += 1;
            }
            conductivity[r] = Some(s.material.conductivity_w_mk.clone());
            match (s.power_w, s.power_density_w_m3) {
                (Some(_), Some(_)) => problems.push(format!(
                    "region '{}': give power_w or power_density_w_m3, not both",
                    s.region
                )),
                (Some(p), None) => {
                    if !finite(p) || p < 0.0 {
                        problems.push(format!(
                            "region '{}': power_w must be finite and non-negative, got {p}",
                            s.region
                        ));
                    } else {
                        power_density[r] = p / volumes[r];
                    }
                }
                (None, Some(q)) => {
                    if !finite(q) || q < 0.0 {
                        problems.push(format!(
                            "region '{}': power_density_w_m3 must be finite and non-negative, got {q}",
                            s.region
                        ));
                    } else {
                        power_density[r] = q;
                    }
                }
                (None, None) => {}
            }
        }
        let fluid_regions: Vec<usize> = case
            .fluids
            .iter()
            .filter_map(|f| mesh.region_index(&f.region))
            .collect();
        let missing: Vec<&str> = (0..n_regions)
            .filter(|&r| conductivity[r].is_none() && !fluid_regions.contains(&r))
            .map(|r| mesh.region_names[r].as_str())
            .collect();
        if !missing.is_empty() {
            problems.push(format!(
                "regions without a material: {}; give each a case.solid(...)",
                name_list(&missing)
            ));
        }

        let mut patch = vec![PatchCondition::Adiabatic; mesh.n_patches()];
        let mut seen = vec![false; mesh.n_patches()];
        let mut face_temperature: Vec<Option<Vec<f64>>> = vec![None; mesh.n_patches()];
        let mut inlet_patch = vec![false; mesh.n_patches()];
        let areas = mesh.patch_areas();
        for b in &case.boundaries {
            let name = b.patch();
            let Some(p) = mesh.patch_index(name) else {
                problems.push(format!(
                    "unknown patch '{name}'; the mesh has patches {}",
                    patches()
                ));
                continue;
            };
            if seen[p] {
                problems.push(format!("patch '{name}' has two boundary conditions"));
            }
            seen[p] = true;
            patch[p] = match *b {
                Boundary::Adiabatic { .. }
                | Boundary::Outlet { .. }
                | Boundary::Wall { .. }
                | Boundary::Symmetry { .. } => PatchCondition::Adiabatic,
                Boundary::Inlet { temperature_k, .. } => {
                    match temperature_k.inspect(|_| inlet_patch[p] = true) {
                        Some(t) => PatchCondition::Fixed(t),
                        None => {
                            problems.push(format!(
                            "inlet '{name}': the energy equation needs an inlet temperature (temperature_c)"
                        ));
                            PatchCondition::Adiabatic
                        }
                    }
                }
                Boundary::FixedTemperature {
                    temperature_k,
                    ref face_temperature_k,
                    ..
                } => {
                    if let Some(values) = face_temperature_k {
                        let n = mesh.patch_faces(p).len();
                        if values.len() != n {
                            problems.push(format!(
                                "patch '{name}': {} face temperatures given for {n} faces",
                                values.len()
                            ));
                        } else if let Some(bad) = values.iter().find(|t| !temperature_ok(**t)) {
                            problems.push(format!(
                                "patch '{name}': face temperature {bad} K is not physical"
                            ));
                        } else {
                            face_temperature[p] = Some(values.clone());
                        }
                    }
                    if !temperature_ok(temperature_k) {
                        problems.push(format!(
                            "patch '{name}': temperature must be finite and above absolute zero, got {temperature_k} K"
                        ));
                    }
                    PatchCondition::Fixed(temperature_k)
                }
                Boundary::HeatFlux {
                    flux_w_m2, power_w, ..
                } => match (flux_w_m2, power_w) {
                    (Some(q), None) if finite(q) => PatchCondition::Flux(q),
                    (None, Some(w)) if finite(w) => PatchCondition::Flux(w / areas[p]),
                    (Some(_), Some(_)) => {
                        problems.push(format!(
                            "patch '{name}': give flux_w_m2 or power_w, not both"
                        ));
                        PatchCondition::Adiabatic
                    }
                    (None, None) => {
                        problems.push(format!(
                            "patch '{name}': a heat flux needs flux_w_m2 or power_w"
                        ));
                        PatchCondition::Adiabatic
                    }
                    (q, w) => {
                        problems.push(format!(
                            "patch '{name}': heat flux must be finite, got {:?}",
                            q.or(w)
                        ));
                        PatchCondition::Adiabatic
                    }
                },
                Boundary::Convective {
                    htc_w_m2k,
                    ambient_k,
                    ..
                } => {
                    if !(finite(htc_w_m2k) && htc_w_m2k > 0.0) {
                        problems.push(format!(
                            "patch '{name}': htc_w_m2k must be finite and positive, got {htc_w_m2k}"
                        ));
                    }
                    if !temperature_ok(ambient_k) {
                        problems.push(format!(
                            "patch '{name}': ambient temperature must be finite and above absolute zero, got {ambient_k} K"
                        ));
                    }
                    PatchCondition::Convective(htc_w_m2k, ambient_k)
                }
            };
        }
        let radiates_to_a_sink =
            !case.radiation.is_empty() || case.enclosures.iter().any(|e| e.sink_k.is_some());
        if !radiates_to_a_sink
            && !patch
                .iter()
                .any(|c| matches!(c, PatchCondition::Fixed(_) | PatchCondition::Convective(..)))
        {
            problems.push(
                "no temperature reference: every boundary is adiabatic or a heat flux, so the temperature is not unique; \
                 add a fixed_temperature, convective or radiation boundary"
                    .into(),
            );
        }

        let mut contacts = Vec::new();
        if !case.contacts.is_empty() {
            let interfaces = mesh.interface_faces();
            for c in &case.contacts {
                let a = mesh.region_index(&c.region_a);
                let b = mesh.region_index(&c.region_b);
                for (name, idx) in [(&c.region_a, a), (&c.region_b, b)] {
                    if idx.is_none() {
                        problems.push(format!(
                            "contact: unknown region '{name}'; the mesh has regions {}",
                            regions()
                        ));
                    }
                }
                if !(finite(c.resistance_m2k_w) && c.resistance_m2k_w >= 0.0) {
                    problems.push(format!(
                        "contact '{}'–'{}': resistance_m2k_w must be finite and non-negative, got {}",
                        c.region_a, c.region_b, c.resistance_m2k_w
                    ));
                }
                if let (Some(a), Some(b)) = (a, b) {
                    if a == b {
                        problems.push(format!(
                            "contact: '{}' with itself; name two different regions",
                            c.region_a
                        ));
                        continue;
                    }
                    let (lo, hi) = (a.min(b) as u32, a.max(b) as u32);
                    if !interfaces.iter().any(|&(_, x, y)| x == lo && y == hi) {
                        problems.push(format!(
                            "contact: regions '{}' and '{}' share no faces",
                            c.region_a, c.region_b
                        ));
                    }
                    contacts.push((a, b, c.resistance_m2k_w));
                }
            }
        }

        let cell_source = case.cell_power_density_w_m3.clone();
        if let Some(q) = &cell_source {
            if q.len() != mesh.n_cells() {
                problems.push(format!(
                    "cell_power_density_w_m3 has {} values for {} cells",
                    q.len(),
                    mesh.n_cells()
                ));
            } else if let Some(c) = q.iter().position(|v| !v.is_finite()) {
                problems.push(format!("cell_power_density_w_m3 is not finite in cell {c}"));
            }
        }
        let s = &case.settings;
        if !(s.tolerance > 0.0 && s.tolerance < 1.0) {
            problems.push(format!(
                "settings.tolerance must lie in (0, 1), got {}",
                s.tolerance
            ));
        }
        if let Some(t) = s.linear_tolerance {
            if !(t > 0.0 && t < 1.0) {
                problems.push(format!(
                    "settings.linear_tolerance must lie in (0, 1), got {t}"
                ));
            }
        }
        if s.max_iterations == 0 || s.linear_max_iterations == 0 {
            problems.push("settings: iteration limits must be at least 1".into());
        }
        if s.threads == Some(0) {
            problems.push("settings.threads must be at least 1".into());
        }
        if let Some(t) = s.initial_temperature_k {
            if !temperature_ok(t) {
                problems.push(format!(
                    "settings.initial_temperature_k must be above absolute zero, got {t}"
                ));
            }
        }

        if !problems.is_empty() {
            let only_materials = material_problems == problems.len();
            let text = crate::error::problem_list(problems);
            return Err(if only_materials {
                Error::Material(text)
            } else {
                Error::Case(text)
            });
        }
        // radiation to a sink (on its own or from an open enclosure) is a heat path too
        let radiating: Vec<usize> = case
            .radiation
            .iter()
            .map(|r| r.patch.as_str())
            .chain(
                case.enclosures
                    .iter()
                    .filter(|e| e.sink_k.is_some())
                    .flat_map(|e| e.patches.iter().map(String::as_str)),
            )
            .filter_map(|name| mesh.patch_index(name))
            .collect();
        if let Some(problem) = floating_body(mesh, &patch, &radiating) {
            return Err(Error::Case(problem));
        }
        // coolant regions conduct with their coolant's conductivity
        for f in &case.fluids {
            if let Some(r) = mesh.region_index(&f.region) {
                conductivity[r] = Some(f.coolant.conductivity_w_mk.clone());
            }
        }
        Ok(Resolved {
            conductivity: conductivity
                .into_iter()
                .map(|c| c.unwrap_or(Property::Constant(1.0)))
                .collect(),
            power_density,
            patch,
            contacts,
            face_temperature,
            cell_source,
            inlet_patch,
        })
    }
}

/// A body (cells joined by faces) with no boundary face of fixed temperature or convection: its
/// temperature level is undetermined (heat in with no way out, or no reference at all), and the
/// linear solver would fail without saying where. Names the regions and a position.
fn floating_body(mesh: &Mesh, patch: &[PatchCondition], radiating: &[usize]) -> Option<String> {
    let n = mesh.n_cells();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn root(parent: &mut [u32], mut c: u32) -> u32 {
        while parent[c as usize] != c {
            let up = parent[parent[c as usize] as usize];
            parent[c as usize] = up;
            c = up;
        }
        c
    }
    for f in 0..mesh.n_internal_faces {
        let (a, b) = (
            root(&mut parent, mesh.owner[f]),
            root(&mut parent, mesh.neighbour[f]),
        );
        if a != b {
            parent[a.max(b) as usize] = a.min(b);
        }
    }
    let mut anchored = vec![false; n];
    for (p, condition) in patch.iter().enumerate() {
        if matches!(
            condition,
            PatchCondition::Fixed(_) | PatchCondition::Convective(..)
        ) || radiating.contains(&p)
        {
            for f in mesh.patch_faces(p) {
                let r = root(&mut parent, mesh.owner[f]);
                anchored[r as usize] = true;
            }
        }
    }
    let mut floating_regions = std::collections::BTreeSet::new();
    let mut example: Option<usize> = None;
    let mut floating_cells = 0usize;
    for c in 0..n {
        let r = root(&mut parent, c as u32) as usize;
        if !anchored[r] {
            floating_cells += 1;
            floating_regions.insert(mesh.region_names[mesh.cell_region[c] as usize].as_str());
            example.get_or_insert(c);
        }
    }
    let c = example?;
    let regions: Vec<&str> = floating_regions.into_iter().collect();
    Some(format!(
        "regions {} ({floating_cells} cells, e.g. at {:?} m) form a body with no heat path to a fixed temperature, a convective boundary or a coolant inlet: its temperature is undetermined. Give it such a boundary condition, or join it to the rest of the part (a body touching another without shared mesh faces is not connected)",
        name_list(&regions),
        mesh.cell_centre[c]
    ))
}
