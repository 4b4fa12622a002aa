//! Mesh defects no solver setting overcomes, checked once before any solve: degenerate cells and
//! coolant passages one cell thick. (Volumes meshed without `fragment` are refused by the mesh
//! build already, with the same check's message.) The analysis is [`crate::mesh::checks`]; this
//! resolves the case's coolant regions, inlets and outlets for it.

use super::spec::{Boundary, Case};
use crate::mesh::checks::{self, QualityLimits, THIN_PASSAGE_FATAL_FRACTION};
use crate::mesh::Mesh;
use crate::{Error, Result};

/// Names resolve leniently here (unknown names are the validators' to report).
fn coolant_and_open_patches(mesh: &Mesh, case: &Case) -> (Vec<bool>, Vec<usize>) {
    let mut fluid_region = vec![false; mesh.region_names.len()];
    for f in &case.fluids {
        if let Some(r) = mesh.region_index(&f.region) {
            fluid_region[r] = true;
        }
    }
    let is_fluid = mesh
        .cell_region
        .iter()
        .map(|&r| fluid_region[r as usize])
        .collect();
    let open = case
        .boundaries
        .iter()
        // symmetry planes are not walls: one cell between two of them is a 2D set-up, not a gap
        .filter(|b| {
            matches!(
                b,
                Boundary::Inlet { .. } | Boundary::Outlet { .. } | Boundary::Symmetry { .. }
            )
        })
        .filter_map(|b| mesh.patch_index(b.patch()))
        .collect();
    (is_fluid, open)
}

/// Every finding of the mesh checks for this case (fatal or not).
pub fn findings(mesh: &Mesh, case: &Case) -> Vec<checks::Finding> {
    let mut out = checks::hopeless_cells(mesh, QualityLimits::default());
    if !case.fluids.is_empty() {
        let (is_fluid, open) = coolant_and_open_patches(mesh, case);
        out.extend(checks::thin_passages(
            mesh,
            &is_fluid,
            &open,
            THIN_PASSAGE_FATAL_FRACTION,
        ));
    }
    out
}

/// `Err(Error::Mesh)` listing every fatal finding.
pub(super) fn mesh_defects(mesh: &Mesh, case: &Case) -> Result<()> {
    let fatal: Vec<String> = findings(mesh, case)
        .into_iter()
        .filter(|f| f.fatal)
        .map(|f| f.to_string())
        .collect();
    if fatal.is_empty() {
        Ok(())
    } else {
        Err(Error::Mesh(crate::error::problem_list(fatal)))
    }
}
