//! Resolving the coolant part of a case: fluid cells, the fluid sub-mesh, flow boundary
//! conditions per sub-mesh patch, properties, and the checks of bad flow input.

use super::spec::{Boundary, Case, TurbulenceModel};
use crate::error::name_list;
use crate::mesh::{checks, Mesh, SubsetMap};
use crate::physics::flow::FlowBc;
use crate::physics::Property;
use crate::{Error, Result};
use std::borrow::Cow;

/// The resolved flow problem.
pub struct FlowSetup<'m> {
    /// Fluid cells of the parent mesh.
    pub is_fluid: Vec<bool>,
    /// The fluid mesh: the parent itself when every cell is fluid (no copy), else a sub-mesh.
    pub mesh: Cow<'m, Mesh>,
    /// Sub-mesh → parent maps.
    pub map: SubsetMap,
    /// Flow condition per sub-mesh patch.
    pub bc: Vec<FlowBc>,
    /// Density per sub-mesh cell, kg/m³.
    pub density: Vec<f64>,
    /// Viscosity per sub-mesh cell, Pa·s.
    pub viscosity: Vec<f64>,
    /// Coolant index per sub-mesh cell (into `case.fluids`).
    pub coolant_of_cell: Vec<usize>,
    /// Temperature at which properties were evaluated, K.
    pub reference_temperature_k: f64,
    /// The pressure level the solver works about, Pa: the highest outlet pressure. Incompressible
    /// flow depends on pressure differences only, so the solver sees gauge pressures (outlets at
    /// `p - datum`) and results add the datum back; an outlet at 101,325 Pa then solves exactly as
    /// one at 0 Pa instead of burying the pressure correction under the absolute level's round-off.
    pub pressure_datum_pa: f64,
    /// The k-ω SST model's inlet (k, ω) per sub-mesh patch when a coolant region is turbulent
    /// (the whole coolant is then solved with the model); `None` for laminar flow.
    pub turbulence_inlet: Option<Vec<Option<(f64, f64)>>>,
}

impl FlowSetup<'_> {
    /// Coolant density and viscosity at the given (parent-mesh) cell temperatures, K.
    pub fn set_properties(&mut self, case: &Case, t: &[f64]) {
        for (i, c) in self.map.cells().enumerate() {
            let coolant = &case.fluids[self.coolant_of_cell[i]].coolant;
            self.density[i] = coolant.density_kg_m3.at(t[c]);
            self.viscosity[i] = coolant.viscosity_pa_s.at(t[c]);
        }
    }
}

fn positive(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

/// Resolve; collects every problem into one error.
pub fn resolve<'m>(case: &Case, mesh: &'m Mesh) -> Result<FlowSetup<'m>> {
    let mut problems: Vec<String> = Vec::new();
    let n_regions = mesh.region_names.len();
    let mut fluid_of_region: Vec<Option<usize>> = vec![None; n_regions];
    for (i, f) in case.fluids.iter().enumerate() {
        match mesh.region_index(&f.region) {
            None => problems.push(format!(
                "unknown fluid region '{}'; the mesh has regions {}",
                f.region,
                name_list(&mesh.region_names)
            )),
            Some(r) => {
                if fluid_of_region[r].is_some() {
                    problems.push(format!("region '{}' is given a coolant twice", f.region));
                }
                if case.solids.iter().any(|s| s.region == f.region) {
                    problems.push(if f.turbulence == TurbulenceModel::Laminar {
                        format!("region '{}' is declared both solid and fluid", f.region)
                    } else {
                        format!(
                            "turbulence is requested on region '{}', which is declared solid",
                            f.region
                        )
                    });
                }
                fluid_of_region[r] = Some(i);
            }
        }
        let c = &f.coolant;
        for (what, prop) in [
            ("density_kg_m3", &c.density_kg_m3),
            ("viscosity_pa_s", &c.viscosity_pa_s),
            ("conductivity_w_mk", &c.conductivity_w_mk),
            ("specific_heat_j_kgk", &c.specific_heat_j_kgk),
        ] {
            if let Err(e) = prop.validate(&format!(
                "coolant '{}' (region '{}'): {what}",
                c.name, f.region
            )) {
                problems.push(e.to_string());
            }
        }
    }
    let is_fluid: Vec<bool> = mesh
        .cell_region
        .iter()
        .map(|&r| fluid_of_region[r as usize].is_some())
        .collect();
    // inlet temperature sets the property reference (one for now; properties follow T in CHT)
    let inlet_temperatures: Vec<f64> = case
        .boundaries
        .iter()
        .filter_map(|b| match b {
            Boundary::Inlet {
                temperature_k: Some(t),
                ..
            } => Some(*t),
            _ => None,
        })
        .collect();
    let reference_temperature_k = if inlet_temperatures.is_empty() {
        293.15
    } else {
        inlet_temperatures.iter().sum::<f64>() / inlet_temperatures.len() as f64
    };
    let every_patch_used = (0..mesh.n_patches()).all(|p| !mesh.patch_faces(p).is_empty());
    let (sub, map) = if every_patch_used && is_fluid.iter().all(|&f| f) {
        (Cow::Borrowed(mesh), SubsetMap::identity(mesh))
    } else {
        let (sub, map) = mesh.subset(&is_fluid);
        (Cow::Owned(sub), map)
    };
    let coolant_of_cell: Vec<usize> = map
        .cells()
        .map(|c| fluid_of_region[mesh.cell_region[c] as usize].unwrap_or(0))
        .collect();
    let at = |p: &Property| p.at(reference_temperature_k);
    let density: Vec<f64> = coolant_of_cell
        .iter()
        .map(|&i| at(&case.fluids[i].coolant.density_kg_m3))
        .collect();
    let viscosity: Vec<f64> = coolant_of_cell
        .iter()
        .map(|&i| at(&case.fluids[i].coolant.viscosity_pa_s))
        .collect();

    let pressure_datum_pa = case
        .boundaries
        .iter()
        .filter_map(|b| match b {
            Boundary::Outlet { pressure_pa, .. } if pressure_pa.is_finite() => Some(*pressure_pa),
            _ => None,
        })
        .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))))
        .unwrap_or(0.0);
    let mut bc = vec![FlowBc::Wall([0.0; 3]); sub.n_patches()];
    let area = sub.patch_areas();
    let mut n_inlets = 0;
    let mut n_outlets = 0;
    let mut moving_walls = 0;
    // (patch, speed, intensity, mixing length) of each inlet
    let mut inlet_turbulence: Vec<(usize, f64, f64, Option<f64>)> = Vec::new();
    for b in &case.boundaries {
        let name = b.patch();
        let flow_kind = matches!(
            b,
            Boundary::Inlet { .. } | Boundary::Outlet { .. } | Boundary::Wall { .. }
        );
        let Some(p) = sub.patch_index(name) else {
            if flow_kind && mesh.patch_index(name).is_some() {
                problems.push(format!(
                    "patch '{name}' has a flow condition but touches no fluid region"
                ));
            } else if flow_kind {
                problems.push(format!(
                    "unknown patch '{name}'; the mesh has patches {}",
                    name_list(&mesh.patch_names)
                ));
            }
            continue;
        };
        let faces = sub.patch_faces(p);
        let rho = faces
            .clone()
            .map(|f| density[sub.owner[f] as usize])
            .sum::<f64>()
            / faces.len().max(1) as f64;
        bc[p] = match *b {
            Boundary::Inlet {
                velocity_m_s,
                volume_flow_m3_s,
                mass_flow_kg_s,
                temperature_k,
                turbulence_intensity,
                length_scale_m,
                ..
            } => {
                n_inlets += 1;
                let intensity = turbulence_intensity.unwrap_or(0.05);
                if !(intensity.is_finite() && intensity >= 0.0) {
                    problems.push(format!(
                        "inlet '{name}': turbulence_intensity must be a finite fraction ≥ 0 (0.05 is 5 %), got {intensity}"
                    ));
                }
                if let Some(l) = length_scale_m {
                    if !positive(l) {
                        problems.push(format!(
                            "inlet '{name}': length_scale_m must be finite and positive, got {l}"
                        ));
                    }
                }
                if let Some(t) = temperature_k {
                    if !positive(t) {
                        problems.push(format!("inlet '{name}': temperature {t} K is not physical"));
                    }
                }
                let given = [velocity_m_s, volume_flow_m3_s, mass_flow_kg_s]
                    .iter()
                    .filter(|v| v.is_some())
                    .count();
                if given != 1 {
                    problems.push(format!(
                        "inlet '{name}': give exactly one of a velocity, a volume flow or a mass flow (got {given})"
                    ));
                    FlowBc::Inlet(0.0)
                } else {
                    let speed = velocity_m_s
                        .or(volume_flow_m3_s.map(|q| q / area[p]))
                        .or(mass_flow_kg_s.map(|m| m / (rho * area[p])))
                        .unwrap_or(0.0);
                    if !positive(speed) {
                        problems.push(format!(
                            "inlet '{name}': the flow must be finite and positive (got {:?}); to draw coolant out, use an outlet",
                            velocity_m_s.or(volume_flow_m3_s).or(mass_flow_kg_s)
                        ));
                    }
                    inlet_turbulence.push((p, speed, intensity, length_scale_m));
                    FlowBc::Inlet(speed)
                }
            }
            Boundary::Outlet { pressure_pa, .. } => {
                n_outlets += 1;
                if !pressure_pa.is_finite() {
                    problems.push(format!(
                        "outlet '{name}': pressure must be finite, got {pressure_pa}"
                    ));
                }
                FlowBc::Outlet(pressure_pa - pressure_datum_pa)
            }
            Boundary::Wall { velocity_m_s, .. } => {
                let v = velocity_m_s.unwrap_or([0.0; 3]);
                if !v.iter().all(|x| x.is_finite()) {
                    problems.push(format!("wall '{name}': velocity must be finite, got {v:?}"));
                }
                if v.iter().any(|x| *x != 0.0) {
                    moving_walls += 1;
                }
                FlowBc::Wall(v)
            }
            Boundary::Symmetry { .. } => FlowBc::Symmetry,
            // a thermal condition on a patch that bounds coolant makes it a (heated) no-slip wall
            _ => FlowBc::Wall([0.0; 3]),
        };
    }
    // untagged fluid boundary faces keep the default: no-slip walls
    if !case.fluids.is_empty() && problems.is_empty() {
        if n_inlets == 0 && n_outlets == 0 && moving_walls == 0 {
            problems.push(format!(
                "fluid regions {} have no inlet and no outlet: add case.inlet(...) and case.outlet(...)",
                name_list(&case.fluids.iter().map(|f| f.region.as_str()).collect::<Vec<_>>())
            ));
        } else if n_inlets > 0 && n_outlets == 0 {
            problems.push("the coolant has an inlet but no outlet: add case.outlet(...)".into());
        } else if n_outlets > 0 && n_inlets == 0 {
            problems.push("the coolant has an outlet but no inlet: add case.inlet(...)".into());
        }
        if n_inlets > 0 {
            let unreachable = unreachable_cells(&sub, &bc);
            if !unreachable.is_empty() {
                let regions: std::collections::BTreeSet<&str> = unreachable
                    .iter()
                    .map(|&c| mesh.region_names[sub.cell_region[c] as usize].as_str())
                    .collect();
                problems.push(format!(
                    "{} fluid cells (in regions {}) are not connected to any inlet; e.g. the cell at {:?} m",
                    unreachable.len(),
                    name_list(&regions.into_iter().collect::<Vec<_>>()),
                    sub.cell_centre[unreachable[0]]
                ));
            }
            // mesh::checks: every coolant cell reaches an outlet
            let outlets: Vec<usize> = (0..sub.n_patches())
                .filter(|&p| matches!(bc[p], FlowBc::Outlet(_)))
                .collect();
            let all = vec![true; sub.n_cells()];
            problems
                .extend(checks::outlet_unreachable(&sub, &all, &outlets).map(|f| f.to_string()));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Case(crate::error::problem_list(problems)));
    }
    let turbulent = case
        .fluids
        .iter()
        .any(|f| f.turbulence == TurbulenceModel::KOmegaSst);
    let turbulence_inlet = turbulent.then(|| {
        let mut inlet = vec![None; sub.n_patches()];
        for &(p, speed, intensity, length) in &inlet_turbulence {
            // default mixing length 0.07 D_h; without the patch perimeter here, D_h of the
            // circle of the patch's area (the Python layer passes 0.07 D_h of the patch itself)
            let length = length.unwrap_or(0.07 * (4.0 * area[p] / std::f64::consts::PI).sqrt());
            inlet[p] = Some(crate::physics::flow::inlet_k_omega(
                intensity, speed, length,
            ));
        }
        inlet
    });
    Ok(FlowSetup {
        turbulence_inlet,
        is_fluid,
        mesh: sub,
        map,
        bc,
        density,
        viscosity,
        coolant_of_cell,
        reference_temperature_k,
        pressure_datum_pa,
    })
}

/// Fluid cells that no path of internal faces joins to an inlet face.
fn unreachable_cells(sub: &Mesh, bc: &[FlowBc]) -> Vec<usize> {
    let n = sub.n_cells();
    let mut adjacency: Vec<Vec<u32>> = vec![Vec::new(); n];
    for f in 0..sub.n_internal_faces {
        adjacency[sub.owner[f] as usize].push(sub.neighbour[f]);
        adjacency[sub.neighbour[f] as usize].push(sub.owner[f]);
    }
    let mut seen = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    for p in 0..sub.n_patches() {
        if matches!(bc[p], FlowBc::Inlet(_)) {
            for f in sub.patch_faces(p) {
                let c = sub.owner[f] as usize;
                if !seen[c] {
                    seen[c] = true;
                    stack.push(c);
                }
            }
        }
    }
    while let Some(c) = stack.pop() {
        for &q in &adjacency[c] {
            if !seen[q as usize] {
                seen[q as usize] = true;
                stack.push(q as usize);
            }
        }
    }
    (0..n).filter(|&c| !seen[c]).collect()
}
