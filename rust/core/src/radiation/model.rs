//! The radiation of a case on a mesh: the entry point of the energy equation.
//!
//! ```text
//! let spec = case.radiation_spec();                   // RadiationSpec: sinks, enclosures, symmetry
//! let mut radiation = RadiationModel::new(&mesh, &spec, &RadiationParams::default(), monitor)?;
//! loop {                                              // outer (Picard) iterations
//!     let t_boundary = …;                             // temperature of every boundary face, K
//!     for (face, lin) in radiation.linearise(&t_boundary)? {
//!         // add lin (a convective equivalent, `lin.with_convection(h, t_a)` when the patch is
//!         // also convective) to the face's boundary coefficients, then solve the energy equation
//!     }
//! }
//! radiation.patch_heat_loss_w()                       // W per radiating patch, for the report
//! ```
//!
//! [`RadiationModel::new`] checks every radiation condition and enclosure against the mesh and
//! the spec at once (unknown or interior patches, emissivities outside (0, 1], sinks at or
//! below absolute zero, patches claimed twice, symmetry planes), and computes (or loads from
//! the cache directory) each enclosure's view factors.

use super::radiosity::{solve_radiosity, FaceState, RadiosityParams};
use super::sink::sink_linearisation;
use super::spec::RadiationSpec;
use super::surface::{norm, Surfaces, Zones};
use super::view_factor::{estimate_memory_bytes, view_factors, ViewFactorParams, ViewFactors};
use super::FaceLinearisation;
use crate::error::{check_memory, name_list, problem_list};
use crate::mesh::Mesh;
use crate::{Error, Monitor, Result};
use std::path::PathBuf;

/// Up to this many faces an enclosure has one radiation zone per face; above it faces are
/// agglomerated into about this many zones (see [`Zones::agglomerate`]).
pub const MAX_ZONES: usize = 2000;

/// Largest angle between the normals of one zone's faces, degrees.
pub const ZONE_FEATURE_ANGLE_DEG: f64 = 30.0;

/// Settings of the radiation model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RadiationParams {
    /// Where view factors are cached by geometry key (`None`: not cached).
    pub cache_dir: Option<PathBuf>,
    /// The radiosity solve.
    pub radiosity: RadiosityParams,
    /// Memory the view factors may use, bytes (`None`: no limit); beyond it an enclosure is
    /// refused with [`Error::Resource`].
    pub memory_limit_bytes: Option<f64>,
}

#[derive(Debug, Clone)]
struct SinkPatch {
    patch: usize,
    emissivity: f64,
    sink_k: f64,
    absorbed_w_m2: f64,
}

/// One enclosure, ready to solve.
#[derive(Debug, Clone)]
pub struct EnclosureModel {
    /// Its faces (with their mesh face indices).
    pub surfaces: Surfaces,
    /// Its radiation zones.
    pub zones: Zones,
    /// Zone view factors.
    pub view_factors: ViewFactors,
    /// Emissivity of each face.
    pub emissivity: Vec<f64>,
    /// Sink temperature of an open enclosure, K.
    pub sink_k: Option<f64>,
    /// Mesh patch index of each of its groups.
    pub patches: Vec<usize>,
    /// Whether the view factors came from the cache.
    pub from_cache: bool,
    radiosity: Option<Vec<f64>>,
}

/// The radiation conditions and enclosures of a case on a mesh.
#[derive(Debug, Clone)]
pub struct RadiationModel {
    sinks: Vec<SinkPatch>,
    /// The enclosures, in case order.
    pub enclosures: Vec<EnclosureModel>,
    /// Net heat leaving each radiating patch at the last [`RadiationModel::linearise`], W.
    loss_w: Vec<(usize, f64)>,
    n_internal: usize,
    n_boundary: usize,
    patch_names: Vec<String>,
    radiosity_params: RadiosityParams,
}

impl RadiationModel {
    /// Resolve and check a case's radiation on `mesh`, computing (or loading) view factors.
    pub fn new(
        mesh: &Mesh,
        spec: &RadiationSpec,
        params: &RadiationParams,
        monitor: &dyn Monitor,
    ) -> Result<RadiationModel> {
        let (sinks, resolved) =
            resolve(mesh, spec).map_err(|problems| Error::Case(problem_list(problems)))?;

        let mut enclosures = Vec::new();
        for (e, (patches, patch_eps)) in spec.enclosures.iter().zip(resolved) {
            let mut surfaces = Surfaces::from_mesh_patches(mesh, &patches)?;
            // the energy equation's face areas and outward normals
            for k in 0..surfaces.len() {
                let (n, a) = mesh.face_normal(surfaces.mesh_face[k]);
                surfaces.normal[k] = n;
                surfaces.area[k] = a;
            }
            let n_faces = surfaces.len();
            let zone_faces = e
                .max_zone_faces
                .unwrap_or_else(|| n_faces.div_ceil(MAX_ZONES).max(1));
            let zones = if zone_faces <= 1 {
                Zones::per_face(&surfaces)
            } else {
                Zones::agglomerate(&surfaces, zone_faces, ZONE_FEATURE_ANGLE_DEG)
            };
            let vf_params = ViewFactorParams {
                rays_per_zone: e.rays_per_zone,
                closed: e.sink_k.is_none(),
                ..Default::default()
            };
            let key = super::view_factor::cache_key(&surfaces, &zones, &vf_params);
            let cached = params
                .cache_dir
                .as_deref()
                .and_then(|dir| super::cache::load(dir, &key))
                .filter(|vf| vf.len() == zones.len());
            let from_cache = cached.is_some();
            let vf = match cached {
                Some(vf) => vf,
                None => {
                    if let Some(limit) = params.memory_limit_bytes {
                        check_memory(
                            "the view factors",
                            estimate_memory_bytes(&surfaces, &zones, &vf_params),
                            Some(limit),
                        )?;
                    }
                    let vf =
                        view_factors(&surfaces, &zones, &vf_params, monitor).map_err(|err| {
                            match err {
                                Error::Case(m) => {
                                    Error::Case(format!("enclosure {}: {m}", name_list(&e.patches)))
                                }
                                other => other,
                            }
                        })?;
                    if let Some(dir) = &params.cache_dir {
                        // a cache that cannot be written only costs time
                        let _ = super::cache::save(dir, &vf);
                    }
                    vf
                }
            };
            let emissivity = surfaces
                .group
                .iter()
                .map(|&g| patch_eps[g as usize])
                .collect();
            enclosures.push(EnclosureModel {
                surfaces,
                zones,
                view_factors: vf,
                emissivity,
                sink_k: e.sink_k,
                patches,
                from_cache,
                radiosity: None,
            });
        }
        Ok(RadiationModel {
            sinks,
            enclosures,
            loss_w: Vec::new(),
            n_internal: mesh.n_internal_faces,
            n_boundary: mesh.n_faces() - mesh.n_internal_faces,
            patch_names: mesh.patch_names.clone(),
            radiosity_params: params.radiosity.clone(),
        })
    }

    /// Sets the absorbed flux (W/m²) of the sink patch with mesh patch index `patch` (a
    /// time-varying input of a transient); `false` when that patch radiates to no sink.
    pub fn set_absorbed_flux(&mut self, patch: usize, absorbed_w_m2: f64) -> bool {
        let mut found = false;
        for s in self.sinks.iter_mut().filter(|s| s.patch == patch) {
            s.absorbed_w_m2 = absorbed_w_m2;
            found = true;
        }
        found
    }

    /// Whether the case has no radiation at all.
    pub fn is_empty(&self) -> bool {
        self.sinks.is_empty() && self.enclosures.is_empty()
    }

    /// The one call per outer iteration: every radiating face's exchange linearised about the
    /// boundary-face temperatures `boundary_temperature_k` (K, one per boundary face, indexed by
    /// mesh face index minus the number of internal faces), as `(mesh face, linearisation)`,
    /// sorted by face. Solves each enclosure's radiosity (warm-started from the previous call).
    pub fn linearise(
        &mut self,
        mesh: &Mesh,
        boundary_temperature_k: &[f64],
    ) -> Result<Vec<(usize, FaceLinearisation)>> {
        if boundary_temperature_k.len() != self.n_boundary {
            return Err(Error::Case(format!(
                "radiation: {} boundary faces but {} temperatures",
                self.n_boundary,
                boundary_temperature_k.len()
            )));
        }
        let t_of = |f: usize| boundary_temperature_k[f - self.n_internal];
        let mut out = Vec::new();
        self.loss_w.clear();
        for s in &self.sinks {
            let mut loss = 0.0;
            for f in mesh.patch_faces(s.patch) {
                let t = t_of(f);
                if !(t.is_finite() && t > 0.0) {
                    return Err(non_physical(&self.patch_names[s.patch], f, t));
                }
                let lin = sink_linearisation(s.emissivity, t, s.sink_k, s.absorbed_w_m2);
                loss -= norm(mesh.face_area[f]) * lin.flux_in(t);
                out.push((f, lin));
            }
            self.loss_w.push((s.patch, loss));
        }
        for e in &mut self.enclosures {
            let t: Vec<f64> = e.surfaces.mesh_face.iter().map(|&f| t_of(f)).collect();
            if let Some(k) = t.iter().position(|&x| !(x.is_finite() && x > 0.0)) {
                let g = e.surfaces.group[k] as usize;
                return Err(non_physical(
                    &e.surfaces.group_names[g],
                    e.surfaces.mesh_face[k],
                    t[k],
                ));
            }
            let faces = FaceState {
                area: &e.surfaces.area,
                emissivity: &e.emissivity,
                temperature_k: &t,
                sink_k: e.sink_k,
            };
            let ex = solve_radiosity(
                &e.view_factors,
                &e.zones,
                &faces,
                e.radiosity.as_deref(),
                &self.radiosity_params,
            )?;
            let lin = ex.linearisation(&e.emissivity, &t);
            let mut loss = vec![0.0; e.patches.len()];
            for k in 0..t.len() {
                loss[e.surfaces.group[k] as usize] += e.surfaces.area[k] * ex.net_flux_w_m2[k];
                out.push((e.surfaces.mesh_face[k], lin[k]));
            }
            self.loss_w.extend(e.patches.iter().copied().zip(loss));
            e.radiosity = Some(ex.radiosity_w_m2);
        }
        out.sort_unstable_by_key(|x| x.0);
        Ok(out)
    }

    /// Net radiative heat leaving each radiating patch at the last [`RadiationModel::linearise`]
    /// (W, positive: the patch loses heat), by patch name.
    pub fn patch_heat_loss_w(&self) -> Vec<(String, f64)> {
        self.loss_w
            .iter()
            .map(|&(p, w)| (self.patch_names[p].clone(), w))
            .collect()
    }
}

/// Every problem of `spec` on `mesh` (unknown or interior patches, emissivities outside (0, 1],
/// sinks at or below absolute zero, patches claimed twice, symmetry planes), without computing
/// anything: empty when [`RadiationModel::new`] would accept it. The case layer lists these
/// with the case's other problems before any solve.
pub fn problems(mesh: &Mesh, spec: &RadiationSpec) -> Vec<String> {
    resolve(mesh, spec).err().unwrap_or_default()
}

/// The sink patches and each enclosure's (patch indices, emissivities), or every problem.
#[allow(clippy::type_complexity)]
fn resolve(
    mesh: &Mesh,
    spec: &RadiationSpec,
) -> std::result::Result<(Vec<SinkPatch>, Vec<(Vec<usize>, Vec<f64>)>), Vec<String>> {
    let mut problems: Vec<String> = Vec::new();
    let mut claimed: Vec<Option<String>> = vec![None; mesh.n_patches()];
    let mut patch = |name: &str, owner: String, problems: &mut Vec<String>| -> Option<usize> {
        let Some(p) = mesh.patch_index(name) else {
            problems.push(format!(
                "{owner}: unknown patch '{name}'; the mesh has patches {}",
                name_list(&mesh.patch_names)
            ));
            return None;
        };
        if mesh.patch_faces(p).is_empty() {
            problems.push(format!(
                "{owner}: patch '{name}' has no boundary faces (it lies inside the domain, \
                 between regions); only boundary patches radiate"
            ));
            return None;
        }
        if spec.symmetry_patches.contains(&name) {
            problems.push(format!(
                "{owner}: patch '{name}' is a symmetry plane; radiation through symmetry \
                 planes (specular reflection) is not modelled"
            ));
            return None;
        }
        if let Some(first) = &claimed[p] {
            problems.push(format!(
                "{owner}: patch '{name}' already radiates in {first}; a patch radiates in \
                 one condition or enclosure only"
            ));
            return None;
        }
        claimed[p] = Some(owner);
        Some(p)
    };
    let emissivity_ok = |e: f64| e > 0.0 && e <= 1.0;
    let temperature_ok = |t: f64| t.is_finite() && t > 0.0;

    let mut sinks = Vec::new();
    for r in spec.sinks {
        let owner = format!("radiation on '{}'", r.patch);
        if !emissivity_ok(r.emissivity) {
            problems.push(format!(
                "{owner}: emissivity must lie in (0, 1], got {}",
                r.emissivity
            ));
        }
        if !temperature_ok(r.sink_k) {
            problems.push(format!(
                "{owner}: sink temperature must be finite and above absolute zero, got {} K",
                r.sink_k
            ));
        }
        if !r.absorbed_flux_w_m2.is_finite() {
            problems.push(format!(
                "{owner}: absorbed flux must be finite, got {}",
                r.absorbed_flux_w_m2
            ));
        }
        if let Some(p) = patch(&r.patch, owner, &mut problems) {
            sinks.push(SinkPatch {
                patch: p,
                emissivity: r.emissivity,
                sink_k: r.sink_k,
                absorbed_w_m2: r.absorbed_flux_w_m2,
            });
        }
    }
    let mut resolved = Vec::new();
    for (k, e) in spec.enclosures.iter().enumerate() {
        let owner = format!("enclosure {} {}", k + 1, name_list(&e.patches));
        if e.patches.is_empty() {
            problems.push(format!("{owner}: no patches"));
        }
        let mut indices = Vec::new();
        let mut eps = Vec::new();
        for name in &e.patches {
            match e.emissivity.get(name) {
                Some(&x) if emissivity_ok(x) => eps.push(x),
                Some(&x) => problems.push(format!(
                    "{owner}: emissivity of '{name}' must lie in (0, 1], got {x}"
                )),
                None => problems.push(format!("{owner}: no emissivity for patch '{name}'")),
            }
            if let Some(p) = patch(name, owner.clone(), &mut problems) {
                indices.push(p);
            }
        }
        let extra: Vec<&String> = e
            .emissivity
            .keys()
            .filter(|k| !e.patches.contains(k))
            .collect();
        if !extra.is_empty() {
            problems.push(format!(
                "{owner}: emissivities given for patches not in the enclosure: {}",
                name_list(&extra)
            ));
        }
        if let Some(t) = e.sink_k {
            if !temperature_ok(t) {
                problems.push(format!(
                    "{owner}: sink temperature must be finite and above absolute zero, got {t} K"
                ));
            }
        }
        if e.rays_per_zone == Some(0) || e.max_zone_faces == Some(0) {
            problems.push(format!(
                "{owner}: rays_per_zone and max_zone_faces must be positive"
            ));
        }
        resolved.push((indices, eps));
    }
    if problems.is_empty() {
        Ok((sinks, resolved))
    } else {
        Err(problems)
    }
}

fn non_physical(patch: &str, face: usize, t: f64) -> Error {
    Error::Case(format!(
        "radiation on patch '{patch}': face {face} is at {t} K; radiation needs temperatures above absolute zero"
    ))
}

#[cfg(test)]
mod tests;
