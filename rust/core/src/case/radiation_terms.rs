//! Radiation in the energy equation: each outer iteration linearises every radiating face about
//! its cell's temperature (an exact tangent for sinks; irradiation held for enclosures) and adds
//! the result as a boundary source, `fvm::boundary_source`, to the assembled system.

use super::spec::Case;
use crate::discretisation::fvm;
use crate::linalg::Csr;
use crate::mesh::{norm, Mesh};
use crate::physics::energy::Conduction;
use crate::radiation::{RadiationModel, RadiationParams};
use crate::{Monitor, Result};

/// The case's radiation, ready to add to energy systems.
pub(super) struct RadiationTerms {
    model: RadiationModel,
}

impl RadiationTerms {
    /// `None` when the case has no radiation.
    pub(super) fn new(mesh: &Mesh, case: &Case, monitor: &dyn Monitor) -> Result<Option<Self>> {
        let spec = case.radiation_spec();
        if spec.is_empty() {
            return Ok(None);
        }
        let model = RadiationModel::new(mesh, &spec, &RadiationParams::default(), monitor)?;
        Ok((!model.is_empty()).then_some(RadiationTerms { model }))
    }

    /// Takes the absorbed fluxes of `case`'s sink patches (a transient's inputs at a new time).
    pub(super) fn update_absorbed(&mut self, mesh: &Mesh, case: &Case) {
        for r in &case.radiation {
            if let Some(p) = mesh.patch_names.iter().position(|n| n == &r.patch) {
                self.model.set_absorbed_flux(p, r.absorbed_flux_w_m2);
            }
        }
    }

    /// The boundary faces' temperatures: their cells' (the half-cell conduction resistance is
    /// negligible against a radiative film: h_rad d/k ≈ 1e-5 for copper at 1 mm).
    fn boundary_temperatures(mesh: &Mesh, t: &[f64]) -> Vec<f64> {
        (mesh.n_internal_faces..mesh.n_faces())
            .map(|f| t[mesh.owner[f] as usize])
            .collect()
    }

    /// Linearise at `t` and add `−(heat in by radiation)` to the system `a T = b` (the energy
    /// system's expression is minus the net heat in).
    pub(super) fn add(
        &mut self,
        mesh: &Mesh,
        eq: &Conduction,
        t: &[f64],
        a: &mut Csr,
        b: &mut [f64],
    ) -> Result<()> {
        let faces = self
            .model
            .linearise(mesh, &Self::boundary_temperatures(mesh, t))?;
        let heat_in = fvm::boundary_source(
            mesh,
            faces.iter().map(|&(f, lin)| {
                let (s_p, s_u) = lin.sources(norm(mesh.face_area[f]));
                (f, -s_p, -s_u)
            }),
        );
        (-heat_in).add_to_system(mesh, eq.pattern(), a, b);
        Ok(())
    }

    /// Heat into the domain by radiation through each patch at `t`, W (negative: lost).
    pub(super) fn patch_heat_in(&mut self, mesh: &Mesh, t: &[f64]) -> Result<Vec<f64>> {
        let faces = self
            .model
            .linearise(mesh, &Self::boundary_temperatures(mesh, t))?;
        let mut out = vec![0.0; mesh.n_patches()];
        for (f, lin) in faces {
            out[mesh.patch_of_face(f)] +=
                lin.flux_in(t[mesh.owner[f] as usize]) * norm(mesh.face_area[f]);
        }
        Ok(out)
    }
}
