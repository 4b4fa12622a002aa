//! The steady energy equation in solids: `∇·(k ∇T) + q''' = 0`, all regions in one system.
//!
//! Face conductances are two-point series resistances (see [`crate::discretisation`]), so region
//! interfaces use the conductivity of each side and contact resistance adds in series. The
//! matrix is symmetric with non-negative row sums (an M-matrix); the non-orthogonal correction
//! is an explicit source updated each outer iteration.

use crate::discretisation::fused::{self, ScalarCondition};
use crate::discretisation::gradient::LeastSquares;
use crate::discretisation::pattern::CellPattern;
use crate::discretisation::{FaceGeometry, PatchCondition};
use crate::linalg::{Csr, CHUNK};
use crate::mesh::{dot, CellFaces, Mesh, Vec3};
pub use crate::physics::thermal_wall::ThermalWallFunction;
use crate::physics::Property;
use rayon::prelude::*;

/// The discrete energy equation of a conduction case.
pub struct Conduction<'m> {
    mesh: &'m Mesh,
    geometry: FaceGeometry,
    pattern: CellPattern,
    /// The faces of each cell, for assembly and gradients gathered per cell; kept between
    /// assemblies only when there will be more than one.
    cell_faces: Option<CellFaces>,
    least_squares: Option<LeastSquares>,
    /// Conductivity per region.
    conductivity: Vec<Property>,
    /// Power density per region, W/m³.
    power_density: Vec<f64>,
    /// Boundary condition per patch.
    patch: Vec<PatchCondition>,
    /// Fixed face temperatures per patch where given, K.
    face_temperature: Vec<Option<Vec<f64>>>,
    /// Extra power density per cell, W/m³.
    cell_source: Option<Vec<f64>>,
    /// Contact resistance per internal face, m²K/W (empty when there is none).
    contact: Vec<f64>,
    /// Whether any conductivity depends on temperature.
    pub nonlinear: bool,
    /// Whether boundary terms outside this operator depend on temperature (radiation): every
    /// outer iteration then re-assembles the whole system.
    nonlinear_boundaries: bool,
    /// Cell conductivities at the last assembly.
    k_cell: Vec<f64>,
    /// Face conductances at the last assembly, W/K (boundary faces: to the wall or ambient).
    conductance: Vec<f64>,
    /// Per internal face, the cell whose gradient corrects both sides' points at a solid–coolant
    /// interface (see [`Conduction::interface_gradient_cell`]; `u32::MAX` elsewhere), computed
    /// with the conductances: every assembly asks for it several times per face.
    shared_gradient: Vec<u32>,
    /// Per face, the coolant side's thermal-wall-function conductivity at the last assembly,
    /// W/(m·K) (zero off turbulent walls; empty for laminar flow).
    wall_k: Vec<f64>,
    /// Cell gradients used by the last assembly.
    gradient: Vec<Vec3>,
    /// The cells that need a gradient, when not all do: on an orthogonal mesh only advection
    /// uses it (the conduction corrections multiply round-off offsets), so only the coolant.
    gradient_cells: Option<Vec<bool>>,
    /// Coolant advection, when the case has coolant flow.
    convection: Option<Convection>,
    /// Inlet patches: their temperature holds on coolant faces only; solid faces there are adiabatic.
    inlet_patch: Vec<bool>,
    /// The convection limiter held fixed (see [`Conduction::freeze_limiter`]), when frozen.
    frozen_limit: Option<Vec<f64>>,
    /// Per internal face, the factor on its non-orthogonal correction once limited (see
    /// [`Conduction::limit_non_orthogonal`]).
    non_orthogonal_scale: Option<Vec<f64>>,
    /// Per cell, the specific heat held by [`Conduction::lag_linearisation`], J/(kg·K).
    lagged_specific_heat: Option<Vec<f64>>,
    /// Whether [`Conduction::lag_linearisation`] froze the limiter (and its release unfreezes it).
    lag_froze_limit: bool,
}

/// Largest non-orthogonal correction of a face's temperature difference, as a multiple of the
/// two-point difference (OpenFOAM's `limited 0.5`).
const NON_ORTHOGONAL_LIMIT: f64 = 1.0;

/// The corrections an energy solve held fixed to converge (see [`Conduction::freeze_limiter`]
/// and [`Conduction::limit_non_orthogonal`]), to be held by the next solve of the same problem
/// (a flow–temperature coupling pass), so that every pass solves the same discrete equations.
#[derive(Debug, Clone, Default)]
pub struct FrozenCorrections {
    limit: Option<Vec<f64>>,
    non_orthogonal_scale: Option<Vec<f64>>,
    tighten: bool,
    /// Held from a converged result (a warm start), not from a coupling pass.
    from_result: bool,
    /// Coolant cells the held limiter keeps first order (see [`Conduction::first_order_in`]),
    /// counted by the solves that made them so.
    pub first_order_cells: usize,
}

impl FrozenCorrections {
    /// Corrections held by a solve of the same problem that converged with them (a warm start
    /// from its result): `limit` per cell, `non_orthogonal_scale` per internal face (longer
    /// inputs are cut to the internal faces).
    pub fn held(
        limit: Option<&[f64]>,
        non_orthogonal_scale: Option<&[f64]>,
        n_internal_faces: usize,
    ) -> Self {
        FrozenCorrections {
            limit: limit.map(<[f64]>::to_vec),
            non_orthogonal_scale: non_orthogonal_scale
                .map(|s| s[..n_internal_faces.min(s.len())].to_vec()),
            tighten: false,
            from_result: true,
            // the cells that solve made first order are among the limiter's zeros, but not told
            // apart from the cells the limiter itself makes first order: not counted again
            first_order_cells: 0,
        }
    }

    /// The held convection limiter per cell, if any.
    pub fn limit(&self) -> Option<&[f64]> {
        self.limit.as_deref()
    }

    /// The held non-orthogonal factors per internal face, if any.
    pub fn non_orthogonal_scale(&self) -> Option<&[f64]> {
        self.non_orthogonal_scale.as_deref()
    }

    /// Whether these are a converged result's non-orthogonal bounds (a warm start): a solve
    /// that holds them and stalls goes to Newton–Krylov on the same system instead of bounding
    /// the corrections further, which would solve another one (a power sweep's neighbour at the
    /// same flow rate has the same bounds: they are scale-free).
    pub fn holds_result_bounds(&self) -> bool {
        self.from_result && self.non_orthogonal_scale.is_some()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.limit.is_none() && self.non_orthogonal_scale.is_none()
    }

    /// Ask the next solve that holds these to lower them first where its start temperatures
    /// need tighter ones ([`Conduction::tighten_held_corrections`]).
    pub fn tighten_next(&mut self) {
        self.tighten = true;
    }

    /// Whether the next solve is to tighten what it holds before solving.
    pub fn wants_tightening(&self) -> bool {
        self.tighten && !self.is_empty()
    }
}

/// What the energy equation needs from a solved flow.
#[derive(Debug, Clone)]
pub struct Convection {
    /// Mass flux through each face along its normal, kg/s.
    pub mass_flux: Vec<f64>,
    /// Specific heat of each region's material (fluids only), J/(kg·K).
    pub specific_heat: Vec<Option<Property>>,
    /// Reference temperature of the advected sensible enthalpy cp (T − T_ref), K (the inlet).
    pub reference_k: f64,
    /// Bounded second-order (limited linear-upwind) convection; otherwise upwind.
    pub second_order: bool,
    /// Turbulent viscosity per cell, Pa·s (empty for laminar flow): the coolant's eddy
    /// conductivity `c_p μ_t / Pr_t` adds to its conductivity.
    pub turbulent_viscosity: Vec<f64>,
    /// The walls of a turbulent coolant (empty for laminar flow): the coolant side of each of
    /// these faces conducts with the thermal wall function (see [`ThermalWall`]).
    pub thermal_walls: Vec<ThermalWall>,
}

/// A wall face of a turbulent coolant: boundary or interface to a solid. Its coolant side
/// conducts with its region's temperature law of the wall ([`ThermalWallFunction`]),
/// `k_w = k Pr y⁺ / T⁺(y⁺, Pr)` with `y⁺ = ρ u* d / μ`, `u* = C_μ^¼ √k` of the wall cell and
/// `d` its centre's distance to the face: the laminar conductivity where y⁺ is small (a mesh
/// resolving the viscous sublayer), the log law's where it is large (wall functions).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThermalWall {
    /// The face.
    pub face: usize,
    /// Its coolant cell.
    pub cell: usize,
    /// The cell's friction velocity, m/s: from its turbulence kinetic energy, `C_μ^¼ √k`, with
    /// the switching wall treatment; the wall shear's `u_τ` (Spalding's law) with the blended one.
    pub u_star: f64,
    /// The coolant's density in the cell, kg/m³.
    pub density: f64,
    /// The coolant's molecular viscosity in the cell, Pa·s.
    pub viscosity: f64,
    /// The temperature law of the wall of the cell's region.
    pub law: ThermalWallFunction,
    /// Whether the region's wall treatment resolves the viscous sublayer
    /// ([`crate::physics::flow::WallTreatment::BlendedSublayer`]: its wall cells there take the
    /// wall layer's eddy conductivity on their faces outwards,
    /// [`crate::physics::thermal_wall::wall_layer_conductivity`]).
    pub resolves_sublayer: bool,
}

/// C_μ (= β* of k-ω SST), the constant of the wall functions' friction velocity `C_μ^¼ √k`.
pub const C_MU: f64 = 0.09;

impl<'m> Conduction<'m> {
    /// Set up the operator.
    pub fn new(
        mesh: &'m Mesh,
        conductivity: Vec<Property>,
        power_density: Vec<f64>,
        patch: Vec<PatchCondition>,
        contacts: &[(usize, usize, f64)],
        face_temperature: Vec<Option<Vec<f64>>>,
        cell_source: Option<Vec<f64>>,
    ) -> Self {
        let geometry = FaceGeometry::offsets_only(mesh, false);
        let pattern = CellPattern::new(mesh);
        let ni = mesh.n_internal_faces;
        let mut contact = Vec::new();
        if !contacts.is_empty() {
            contact = vec![0.0; ni];
            for f in 0..ni {
                let a = mesh.cell_region[mesh.owner[f] as usize] as usize;
                let b = mesh.cell_region[mesh.neighbour[f] as usize] as usize;
                if a == b {
                    continue;
                }
                for &(x, y, r) in contacts {
                    if (x == a && y == b) || (x == b && y == a) {
                        contact[f] = r;
                    }
                }
            }
        }
        let least_squares = (!geometry.orthogonal).then(|| {
            let use_face: Vec<bool> = (0..ni)
                .map(|f| {
                    mesh.cell_region[mesh.owner[f] as usize]
                        != mesh.cell_region[mesh.neighbour[f] as usize]
                })
                .collect();
            LeastSquares::new(mesh, use_face)
        });
        let nonlinear = conductivity.iter().any(|k| !k.is_constant());
        let n = mesh.n_cells();
        Conduction {
            mesh,
            geometry,
            pattern,
            cell_faces: None,
            least_squares,
            conductivity,
            power_density,
            patch,
            face_temperature,
            cell_source,
            contact,
            nonlinear,
            nonlinear_boundaries: false,
            k_cell: vec![0.0; n],
            wall_k: Vec::new(),
            shared_gradient: Vec::new(),
            conductance: vec![0.0; mesh.n_faces()],
            gradient: Vec::new(),
            gradient_cells: None,
            convection: None,
            inlet_patch: Vec::new(),
            frozen_limit: None,
            non_orthogonal_scale: None,
            lagged_specific_heat: None,
            lag_froze_limit: false,
        }
    }

    /// New sources and boundary values (a transient input at a new time); the boundary kinds must
    /// stay those the operator was built with (their conductances are recomputed at the next
    /// assembly).
    pub fn set_conditions(
        &mut self,
        power_density: Vec<f64>,
        patch: Vec<PatchCondition>,
        face_temperature: Vec<Option<Vec<f64>>>,
    ) {
        self.power_density = power_density;
        self.patch = patch;
        self.face_temperature = face_temperature;
    }

    /// Mark coolant inlet patches.
    pub fn with_inlets(mut self, inlet_patch: Vec<bool>) -> Self {
        self.inlet_patch = inlet_patch;
        self
    }

    /// Whether cell `c` is coolant.
    fn is_fluid(&self, c: usize) -> bool {
        self.convection
            .as_ref()
            .is_some_and(|cv| cv.specific_heat[self.mesh.cell_region[c] as usize].is_some())
    }

    /// The condition on boundary face `f` of patch `p`.
    fn condition(&self, f: usize, p: usize) -> PatchCondition {
        if self.inlet_patch.get(p).copied().unwrap_or(false)
            && !self.is_fluid(self.mesh.owner[f] as usize)
        {
            return PatchCondition::Adiabatic;
        }
        self.patch[p]
    }

    /// Add coolant advection with the mass fluxes of a solved flow.
    pub fn with_convection(mut self, convection: Convection) -> Self {
        if self.least_squares.is_none() && convection.second_order {
            let ni = self.mesh.n_internal_faces;
            let use_face: Vec<bool> = (0..ni)
                .map(|f| {
                    self.mesh.cell_region[self.mesh.owner[f] as usize]
                        != self.mesh.cell_region[self.mesh.neighbour[f] as usize]
                })
                .collect();
            self.least_squares = Some(LeastSquares::new(self.mesh, use_face));
            // An orthogonal mesh keeps no face offsets (they are round-off: the conduction
            // corrections vanish), and only advection reads gradients: the coolant cells' alone
            // (measured on the bundled cold plate: a quarter of the energy assembly time, and
            // 140 MB of offsets at 1e6 cells).
            let region = &self.mesh.cell_region;
            self.gradient_cells = Some(
                region
                    .iter()
                    .map(|&r| convection.specific_heat[r as usize].is_some())
                    .collect(),
            );
        }
        self.convection = Some(convection);
        self.shared_gradient = Vec::new(); // coolant cells now: recomputed with the conductances
        self
    }

    /// Whether the matrix is non-symmetric (advection present).
    pub fn is_convective(&self) -> bool {
        self.convection.is_some()
    }

    /// Whether the coolant's advection is second order (false: first-order upwind, or no
    /// advection): what a failure's advice may suggest instead.
    pub fn second_order_convection(&self) -> bool {
        self.convection.as_ref().is_some_and(|cv| cv.second_order)
    }

    /// Whether cell `c` is coolant (advected).
    pub fn fluid_cell(&self, c: usize) -> bool {
        self.is_fluid(c)
    }

    /// Specific heat of cell `c` at temperature `t` (zero in solids).
    fn cp(&self, c: usize, t: f64) -> f64 {
        if let Some(lagged) = &self.lagged_specific_heat {
            return lagged[c];
        }
        self.convection
            .as_ref()
            .and_then(|cv| cv.specific_heat[self.mesh.cell_region[c] as usize].as_ref())
            .map_or(0.0, |p| p.at(t))
    }

    /// Advected sensible enthalpy flux out of the domain through boundary face `f`, W.
    pub fn boundary_advection_out(&self, f: usize, t: &[f64]) -> f64 {
        let Some(cv) = &self.convection else {
            return 0.0;
        };
        let phi = cv.mass_flux[f];
        let p = self.mesh.owner[f] as usize;
        if phi > 0.0 {
            phi * self.cp(p, t[p]) * (t[p] - cv.reference_k)
        } else if phi < 0.0 {
            let tb = match self.condition(f, self.mesh.patch_of_face(f)) {
                PatchCondition::Fixed(tb) => {
                    self.boundary_temperature(f, self.mesh.patch_of_face(f), tb)
                }
                _ => t[p],
            };
            phi * self.cp(p, tb) * (tb - cv.reference_k)
        } else {
            0.0
        }
    }

    /// Σ of the boundary faces' conductances to their walls or ambients, W/K (zero for flux and
    /// adiabatic faces): times a temperature, the scale of heat that round-off can fake.
    pub fn boundary_conductance_sum(&self) -> f64 {
        self.conductance[self.mesh.n_internal_faces..].iter().sum()
    }

    /// Declare temperature-dependent boundary terms added to the system after assembly
    /// (radiation), so that outer iterations re-assemble and re-linearise them.
    pub fn with_nonlinear_boundaries(mut self) -> Self {
        self.nonlinear_boundaries = true;
        self
    }

    /// The operator's sparsity pattern (for terms added to its assembled system).
    pub fn pattern(&self) -> &CellPattern {
        &self.pattern
    }

    /// Whether outer iterations are needed beyond one linear solve.
    pub fn needs_outer_iterations(&self) -> bool {
        self.nonlinear
            || self.nonlinear_boundaries
            || self.least_squares.is_some()
            || self
                .convection
                .as_ref()
                .is_some_and(|c| c.specific_heat.iter().flatten().any(|p| !p.is_constant()))
    }

    /// Heat sources per cell, W.
    pub fn cell_source(&self, c: usize) -> f64 {
        let extra = self.cell_source.as_ref().map_or(0.0, |q| q[c]);
        (self.power_density[self.mesh.cell_region[c] as usize] + extra) * self.mesh.cell_volume[c]
    }

    /// Wall or ambient temperature of boundary face `f` (K) for fixed and convective patches.
    fn boundary_temperature(&self, f: usize, patch: usize, default: f64) -> f64 {
        match &self.face_temperature[patch] {
            Some(values) => values[f - self.mesh.patch_start[patch]],
            None => default,
        }
    }

    fn corrections(&self, f: usize) -> (f64, f64) {
        if self.gradient.is_empty() || self.geometry.orthogonal {
            return (0.0, 0.0);
        }
        let g = &self.geometry;
        if let Some(c) = self.interface_gradient_cell(f) {
            let grad = self.gradient[c];
            return (
                dot(grad, g.owner_offset[f]),
                dot(grad, g.neighbour_offset[f]),
            );
        }
        let cp = dot(
            self.gradient[self.mesh.owner[f] as usize],
            g.owner_offset[f],
        );
        let cn = if f < self.mesh.n_internal_faces {
            dot(
                self.gradient[self.mesh.neighbour[f] as usize],
                g.neighbour_offset[f],
            )
        } else {
            0.0
        };
        (cp, cn)
    }

    /// At a solid–coolant interface, the cell whose gradient corrects both sides' points on the
    /// face normal: the better conductor's (`None` elsewhere, where each side uses its own).
    /// The offsets `P' − C_P` and `N' − C_N` lie in the face plane and the tangential gradient is
    /// continuous across an interface, so one gradient serves both sides and piecewise-linear
    /// fields stay exact. The better conductor's is the smooth one: a coolant cell's
    /// least-squares gradient in its steep wall layer leaks into the tangential direction, and
    /// with each side's own gradient the corpus serpentine's R_th on 5e4 tetrahedra was 4.0 %
    /// above chtMultiRegionSimpleFoam on the identical mesh (1.2 % now), further from the
    /// mesh-converged value (`benchmarks/RESULTS.md`, stop 20).
    fn interface_gradient_cell(&self, f: usize) -> Option<usize> {
        if f >= self.mesh.n_internal_faces || self.k_cell.is_empty() {
            return None;
        }
        match self.shared_gradient.get(f) {
            Some(&c) => (c != u32::MAX).then_some(c as usize),
            None => self.shared_gradient_cell(f),
        }
    }

    /// [`Conduction::interface_gradient_cell`] of internal face `f` from the conductivities.
    fn shared_gradient_cell(&self, f: usize) -> Option<usize> {
        let mesh = self.mesh;
        let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
        // solid–coolant faces only: between solids both gradients are smooth, and there the
        // shared gradient stalled the energy of the bundled pin-fin plate (41 outer iterations)
        if self.is_fluid(p) == self.is_fluid(q) {
            return None;
        }
        Some(
            if self.side_conductivity(f, q) > self.side_conductivity(f, p) {
                q
            } else {
                p
            },
        )
    }

    /// Heat flow into the domain through boundary face `f` (W): conduction plus advected
    /// sensible enthalpy, consistent with the last assembly.
    pub fn boundary_heat_in(&self, f: usize, t: &[f64]) -> f64 {
        self.boundary_conduction_in(f, t) - self.boundary_advection_out(f, t)
    }

    /// Conductive heat flow into the domain through boundary face `f` (W).
    pub fn boundary_conduction_in(&self, f: usize, t: &[f64]) -> f64 {
        let (cp, _) = self.corrections(f);
        self.boundary_conduction_at(f, t[self.mesh.owner[f] as usize] + cp)
    }

    /// Conductive heat flow into the domain through boundary face `f` (W) when the owner side's
    /// temperature at the face normal is `tp`.
    fn boundary_conduction_at(&self, f: usize, tp: f64) -> f64 {
        let patch = self.mesh.patch_of_face(f);
        match self.condition(f, patch) {
            PatchCondition::Adiabatic => 0.0,
            PatchCondition::Flux(q) => q * self.geometry.two_point(self.mesh, f).area,
            PatchCondition::Fixed(tb) => {
                self.conductance[f] * (self.boundary_temperature(f, patch, tb) - tp)
            }
            PatchCondition::Convective(_, ta) => self.conductance[f] * (ta - tp),
        }
    }

    /// Temperature of boundary face `f` where a heat flux into the coolant holds it (`None` on
    /// every other face, and before the first assembly): the owner's value at its point on the
    /// face normal plus the rise the flux needs across the distance to the wall, with the
    /// conductivity of the last assembly. The hottest a heated wall can make the coolant.
    pub fn heated_coolant_wall_temperature(&self, f: usize, t: &[f64]) -> Option<f64> {
        let p = self.mesh.owner[f] as usize;
        if self.k_cell.is_empty() || !self.is_fluid(p) {
            return None;
        }
        match self.condition(f, self.mesh.patch_of_face(f)) {
            PatchCondition::Flux(q) if q > 0.0 => {
                let (cp, _) = self.corrections(f);
                let d = self.geometry.two_point(self.mesh, f).d_owner;
                Some(t[p] + cp + q * d / self.side_conductivity(f, p))
            }
            _ => None,
        }
    }

    /// Heat flow from owner to neighbour through internal face `f` (W), consistent with the last assembly.
    pub fn internal_heat_flow(&self, f: usize, t: &[f64]) -> f64 {
        let (p, q) = (self.mesh.owner[f] as usize, self.mesh.neighbour[f] as usize);
        self.conductance[f] * (t[p] - t[q] + self.limited_correction(f))
    }

    /// The non-orthogonal correction of internal face `f`'s temperature difference,
    /// `(∇T_P·r_P − ∇T_N·r_N)`, limited to `NON_ORTHOGONAL_LIMIT` times the difference of the
    /// cell values (OpenFOAM's `limited` scheme): a correction larger than the two-point
    /// difference is what makes the deferred-correction passes cycle on tetrahedra.
    fn limited_correction(&self, f: usize) -> f64 {
        let (cp, cn) = self.corrections(f);
        self.non_orthogonal_scale
            .as_ref()
            .map_or(cp - cn, |scale| scale[f] * (cp - cn))
    }

    /// Limit the non-orthogonal corrections from now on (see
    /// [`Conduction::limited_correction`]), with factors for the current temperatures (held
    /// factors from an earlier solve are only lowered); false when the mesh has none.
    /// A recovery, not the default: on the bundled pin-fin plate the limit moves R_th by 1 %
    /// and doubles the passes of a solve that converges without it.
    /// The factors are those of the current temperatures and then held, as the convection
    /// limiter is (a bound that follows T switches and cycles the same way).
    pub fn limit_non_orthogonal(&mut self, t: &[f64]) -> bool {
        if self.geometry.orthogonal || self.least_squares.is_none() || self.gradient.is_empty() {
            return false;
        }
        let mesh = self.mesh;
        let scale: Vec<f64> = (0..mesh.n_internal_faces)
            .map(|f| {
                let (cp, cn) = self.corrections(f);
                let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
                let bound = NON_ORTHOGONAL_LIMIT * (t[p] - t[q]).abs();
                let correction = (cp - cn).abs();
                if correction > bound {
                    bound / correction
                } else {
                    1.0
                }
            })
            .collect();
        // held factors only tighten: re-limited afresh from each coupling pass's temperatures,
        // every pass solved a slightly different problem and the corpus serpentine's passes
        // hovered at 0.03–0.1 K instead of settling
        match &mut self.non_orthogonal_scale {
            Some(held) => held.iter_mut().zip(scale).for_each(|(h, s)| *h = h.min(s)),
            None => self.non_orthogonal_scale = Some(scale),
        }
        true
    }

    /// Whether the discrete system is affine in T: conductivities do not depend on T, and any
    /// advection has constant specific heats and a fixed scheme (first-order upwind, or a held
    /// limiter: a limiter recomputed from T is what makes second order nonlinear). The matrix
    /// is then that of the first assembly, and later passes (the non-orthogonal corrections
    /// and the deferred upwind corrections, linear in the gradients) need only the right-hand
    /// side ([`Conduction::assemble_source`]); Newton–Krylov's Jacobian is exact and needs no
    /// re-assembly (on the corpus serpentine with constant PG25 properties, 5e4 tetrahedra,
    /// each of its steps re-assembled the matrix and rebuilt the preconditioner otherwise).
    pub fn is_affine(&self) -> bool {
        !self.nonlinear
            && !self.nonlinear_boundaries
            && self.convection.as_ref().is_none_or(|cv| {
                cv.specific_heat.iter().flatten().all(Property::is_constant)
                    && (!cv.second_order || self.frozen_limit.is_some())
            })
    }

    /// Whether [`Conduction::lag_linearisation`] makes the system affine: every nonlinearity is
    /// in this operator (conductivities, specific heats, the limiter), none in terms added after
    /// assembly (radiation).
    pub fn can_lag(&self) -> bool {
        !self.nonlinear_boundaries
    }

    /// Hold the linearisation of the last assembly at `t` (its conductances, the specific heats
    /// at `t`, and the convection limiter of its gradients) until
    /// [`Conduction::release_linearisation`]: [`Conduction::assemble_source`] is then affine, and
    /// `A v − (b(v) − b(0))` is the Picard Jacobian, the exact one less the derivatives of k(T),
    /// c_p(T) and the limiter. Copper's k(T) falls 2 % over 100 K, so a Newton iteration on it
    /// contracts by about that each step; the finite-difference Jacobian it replaces re-assembled
    /// the whole matrix for every Krylov vector (the corpus microchannel plate's first
    /// Newton–Krylov steps took 10 s each, 5e4 tetrahedra).
    pub fn lag_linearisation(&mut self, t: &[f64]) {
        self.geometry.store_distances(self.mesh);
        if let Some(ls) = self.least_squares.as_mut() {
            ls.store_offsets(self.mesh);
        }
        if let Some(cv) = &self.convection {
            let mesh = self.mesh;
            let specific_heat = &cv.specific_heat;
            let held: Vec<f64> = (0..t.len())
                .map(|c| {
                    specific_heat[mesh.cell_region[c] as usize]
                        .as_ref()
                        .map_or(0.0, |p| p.at(t[c]))
                })
                .collect();
            self.lag_froze_limit = self.freeze_limiter(t);
            self.lagged_specific_heat = Some(held);
        }
    }

    /// Let go of what [`Conduction::lag_linearisation`] held.
    pub fn release_linearisation(&mut self) {
        self.lagged_specific_heat = None;
        if std::mem::take(&mut self.lag_froze_limit) {
            self.frozen_limit = None;
        }
    }

    /// The pattern of the residual's (held) Jacobian `A − N`, `a` the compact (two-point)
    /// pattern of `A`: a face's corrections read the gradients of its two cells, whose
    /// least-squares stencils are their face neighbours, so a cell's row reaches two faces away;
    /// at a region interface a gradient's second pass reads the first of the cell across (the
    /// face point of [`Conduction::face_point_affine`]), one face further.
    pub fn jacobian_pattern(&self, a: &Csr) -> Csr {
        let ones = Csr {
            val: vec![1.0; a.nnz()],
            ..a.clone()
        };
        if self.least_squares.is_none() {
            return Csr {
                val: Vec::new(),
                ..ones
            };
        }
        let region = &self.mesh.cell_region;
        // each cell's gradient stencil: its face neighbours, and theirs across an interface
        let gradient = Csr::from_rows(
            a.n_rows,
            a.n_cols,
            || crate::linalg::Accumulator::new(a.n_cols),
            |acc, d, cols, vals| {
                for &q in &a.col[a.row_ptr[d]..a.row_ptr[d + 1]] {
                    let q = q as usize;
                    if region[q] == region[d] {
                        acc.add(q as u32, 1.0);
                    } else {
                        for &e in &a.col[a.row_ptr[q]..a.row_ptr[q + 1]] {
                            acc.add(e, 1.0);
                        }
                    }
                }
                acc.drain_sorted(cols, vals);
            },
        );
        // the pattern alone: its values would double a large mesh's peak
        Csr {
            val: Vec::new(),
            ..ones.mul(&gradient)
        }
    }

    /// Forget the gradients of the last assembly, so that the next one is a function of its
    /// temperatures alone (its interface face points then start from no correction on the other
    /// side rather than from the previous assembly's).
    pub fn reset_gradient(&mut self) {
        self.gradient.clear();
    }

    /// Assemble `A T = b` linearised at `t`. Updates conductivities (k(T)) and, on non-orthogonal
    /// meshes, the gradients of the correction.
    pub fn assemble(&mut self, t: &[f64], matrix: &mut Csr, rhs: &mut [f64]) {
        self.fill(t, Some(matrix), rhs);
    }

    /// Only the right-hand side `b(t)` of an affine system ([`Conduction::is_affine`]), after a
    /// first [`Conduction::assemble`]: the matrix and the conductances do not change, the
    /// corrections do (gradients of `t`, starting from the current gradient state).
    pub fn assemble_source(&mut self, t: &[f64], rhs: &mut [f64]) {
        debug_assert!(self.is_affine() || self.can_lag());
        self.fill(t, None, rhs);
    }

    fn fill(&mut self, t: &[f64], matrix: Option<&mut Csr>, rhs: &mut [f64]) {
        let mesh = self.mesh;
        if matrix.is_some() {
            self.update_conductances(t);
        }
        let cell_faces = self
            .cell_faces
            .take()
            .unwrap_or_else(|| CellFaces::new(mesh));
        // gradients (face points need a flux estimate: the current conductances, the previous
        // gradient's corrections)
        if let Some(ls) = &self.least_squares {
            // A cell's own gradient enters its face points implicitly; the other side's, at a
            // region interface, from the previous pass: interfaces take a second pass. Without
            // interfaces, or on an orthogonal mesh (least squares for second-order advection
            // only, corrections at round-off), one pass is consistent.
            let passes = if self.geometry.orthogonal || !ls.uses_interface_points() {
                1
            } else {
                2
            };
            for _ in 0..passes {
                let cells = self.gradient_cells.as_deref();
                let grad = ls.gradient_implicit(mesh, &cell_faces, t, cells, |f, owner_side| {
                    self.face_point_affine(f, owner_side, t)
                });
                self.gradient = grad;
            }
        }
        // each internal face's non-orthogonal correction once: the per-cell gather below
        // visits every face from both of its cells
        let correction: Vec<f64> = if !self.geometry.orthogonal && !self.gradient.is_empty() {
            (0..mesh.n_internal_faces)
                .into_par_iter()
                .with_min_len(CHUNK)
                .map(|f| self.limited_correction(f))
                .collect()
        } else {
            Vec::new()
        };
        // ∇·(ṁ c_p (T − T_ref)) − ∇·(k ∇T) = q, gathered per cell in one parallel pass
        let this = &*self;
        let conduction = fused::laplacian_scalar(
            |f: usize| this.conductance[f],
            |f: usize| {
                let patch = mesh.patch_of_face(f);
                match this.condition(f, patch) {
                    PatchCondition::Adiabatic => ScalarCondition::ZeroGradient,
                    PatchCondition::Flux(q) => {
                        ScalarCondition::Flux(q * this.geometry.two_point(mesh, f).area)
                    }
                    PatchCondition::Fixed(tb) | PatchCondition::Convective(_, tb) => {
                        // the wall value less the cell's extrapolation to its point on the
                        // face normal: the flux from P' (non-orthogonal correction)
                        let tb = this.boundary_temperature(f, patch, tb);
                        let (cp, _) = this.corrections(f);
                        ScalarCondition::Fixed(tb - cp)
                    }
                }
            },
            (!correction.is_empty()).then_some(|f: usize| correction[f]),
        );
        let heat = fused::su(|c: usize| this.cell_source(c));
        let pat = &this.pattern;
        match (matrix, &this.convection) {
            (None, None) => fused::assemble_source(&(-conduction - heat), mesh, &cell_faces, rhs),
            (Some(matrix), None) => fused::assemble(
                &(-conduction - heat),
                mesh,
                &cell_faces,
                pat,
                matrix,
                None,
                None,
                rhs,
            ),
            (matrix, Some(cv)) => {
                let capacity_flux = this.capacity_flux(t);
                let limit = if let Some(frozen) = &this.frozen_limit {
                    std::borrow::Cow::Borrowed(frozen.as_slice())
                } else if cv.second_order && !this.gradient.is_empty() {
                    std::borrow::Cow::Owned(this.convection_limit(&cell_faces, t))
                } else {
                    std::borrow::Cow::Owned(Vec::new())
                };
                let upwind_correction = |f: usize| {
                    let up = if cv.mass_flux[f] > 0.0 {
                        mesh.owner[f] as usize
                    } else {
                        mesh.neighbour[f] as usize
                    };
                    let r = crate::mesh::sub(mesh.face_centre[f], mesh.cell_centre[up]);
                    limit[up] * dot(this.gradient[up], r)
                };
                let convection = fused::div_scalar(
                    |f: usize| capacity_flux[f],
                    cv.reference_k,
                    (!limit.is_empty()).then_some(upwind_correction),
                    |f: usize| -this.boundary_advection_out(f, t),
                );
                let equation = convection - conduction - heat;
                match matrix {
                    Some(matrix) => {
                        fused::assemble(&equation, mesh, &cell_faces, pat, matrix, None, None, rhs)
                    }
                    None => fused::assemble_source(&equation, mesh, &cell_faces, rhs),
                }
            }
        }
        if self.needs_outer_iterations() {
            self.cell_faces = Some(cell_faces);
        }
    }

    /// Cell conductivities at `t` and the face conductances from them.
    fn update_conductances(&mut self, t: &[f64]) {
        let mesh = self.mesh;
        let ni = mesh.n_internal_faces;
        let conductivity = &self.conductivity;
        self.k_cell
            .par_iter_mut()
            .enumerate()
            .for_each(|(c, k)| *k = conductivity[mesh.cell_region[c] as usize].at(t[c]));
        if let Some(cv) = self
            .convection
            .as_ref()
            .filter(|cv| !cv.turbulent_viscosity.is_empty())
        {
            let prandtl = crate::physics::flow::TURBULENT_PRANDTL;
            self.k_cell.par_iter_mut().enumerate().for_each(|(c, k)| {
                if let Some(cp) = &cv.specific_heat[mesh.cell_region[c] as usize] {
                    *k += cp.at(t[c]) * cv.turbulent_viscosity[c] / prandtl;
                }
            });
        }
        // conductances first: they depend on the conductivities only, and the face points of
        // the gradient below need them (a new operator has none yet: its first gradients would
        // see no interface flux and every coupling pass would start from a large residual)
        let g = &self.geometry;
        let k = &self.k_cell;
        let contact = &self.contact;
        // inside a turbulent coolant the effective conductivity k + c_p μ_t/Pr_t is interpolated
        // linearly (OpenFOAM's `alphaEff`), as the momentum's μ_eff: its harmonic mean across
        // the steep μ_t of a wall layer starved the wall heat flux (a PG25 duct at Re 6,062
        // took 45 % less heat than buoyantSimpleFoam on the identical mesh)
        let turbulent_coolant = |p: usize, q: usize| {
            self.convection.as_ref().is_some_and(|cv| {
                let region = mesh.cell_region[p];
                !cv.turbulent_viscosity.is_empty()
                    && region == mesh.cell_region[q]
                    && cv.specific_heat[region as usize].is_some()
            })
        };
        self.conductance[..ni]
            .par_iter_mut()
            .enumerate()
            .for_each(|(f, conductance)| {
                let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
                let s = g.two_point(mesh, f);
                let resistance = if contact.is_empty() { 0.0 } else { contact[f] };
                *conductance = if resistance == 0.0 && turbulent_coolant(p, q) {
                    s.linear_conductance(k[p], k[q])
                } else {
                    s.conductance(k[p], k[q], resistance)
                };
            });
        for p_idx in 0..mesh.n_patches() {
            for f in mesh.patch_faces(p_idx) {
                let kp = k[mesh.owner[f] as usize];
                let s = g.two_point(mesh, f);
                self.conductance[f] = match self.condition(f, p_idx) {
                    PatchCondition::Fixed(_) => s.wall_conductance(kp),
                    PatchCondition::Convective(h, _) => s.film_conductance(kp, h),
                    _ => 0.0,
                };
            }
        }
        self.thermal_wall_conductances(t);
        self.wall_layer_conductances(t);
        self.shared_gradient = Vec::new();
        let shared: Vec<u32> = (0..ni)
            .into_par_iter()
            .with_min_len(CHUNK)
            .map(|f| self.shared_gradient_cell(f).map_or(u32::MAX, |c| c as u32))
            .collect();
        self.shared_gradient = shared;
    }

    /// The coolant side of turbulent walls conducts with the thermal wall function.
    fn thermal_wall_conductances(&mut self, t: &[f64]) {
        let Some(cv) = self
            .convection
            .as_ref()
            .filter(|cv| !cv.thermal_walls.is_empty())
        else {
            return;
        };
        let mesh = self.mesh;
        if self.wall_k.len() != mesh.n_faces() {
            self.wall_k = vec![0.0; mesh.n_faces()];
        }
        for w in &cv.thermal_walls {
            let (f, c) = (w.face, w.cell);
            let region = mesh.cell_region[c] as usize;
            let Some(cp) = &cv.specific_heat[region] else {
                continue;
            };
            let k_lam = self.conductivity[region].at(t[c]);
            let s = self.geometry.two_point(mesh, f);
            let owner = mesh.owner[f] as usize == c;
            let d = if owner { s.d_owner } else { s.d_neighbour };
            let prandtl = cp.at(t[c]) * w.viscosity / k_lam;
            let y_plus = w.density * w.u_star * d / w.viscosity;
            let kw = k_lam * w.law.conductivity_factor(y_plus, prandtl);
            self.wall_k[f] = kw;
            self.conductance[f] = self.wall_face_conductance(f, owner, kw);
        }
    }

    /// The conductance of turbulent wall face `f` whose coolant side (the owner if `owner`)
    /// conducts with `kw`.
    fn wall_face_conductance(&self, f: usize, owner: bool, kw: f64) -> f64 {
        let mesh = self.mesh;
        let s = self.geometry.two_point(mesh, f);
        if f < mesh.n_internal_faces {
            let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
            let resistance = if self.contact.is_empty() {
                0.0
            } else {
                self.contact[f]
            };
            if owner {
                s.conductance(kw, self.k_cell[q], resistance)
            } else {
                s.conductance(self.k_cell[p], kw, resistance)
            }
        } else {
            match self.condition(f, mesh.patch_of_face(f)) {
                PatchCondition::Fixed(_) => s.wall_conductance(kw),
                PatchCondition::Convective(h, _) => s.film_conductance(kw, h),
                _ => 0.0,
            }
        }
    }

    /// The wall cells in the viscous sublayer (below y⁺ ≈ 6) of the regions whose wall treatment
    /// resolves it ([`ThermalWall::resolves_sublayer`]): every face leading away from the
    /// wall, from the wall cell outwards through the region, conducts with the wall layer's
    /// eddy conductivity in series between the two centres
    /// ([`crate::physics::thermal_wall::wall_layer_conductivity`], a power law in the wall
    /// distance through the two centres' values) instead of its linear interpolation, and the
    /// wall face with the same power law from the wall to the wall cell's centre
    /// ([`crate::physics::thermal_wall::wall_cell_conductivity`]) instead of the thermal law of
    /// the wall; each blended with the linear / law value by the wall cell's
    /// [`crate::physics::flow::wall_cell_pin_weight`] at its shear y⁺ (all the old values from
    /// y⁺ ≈ 6, so wall functions are unchanged). Only turbulent faces of the coolant change.
    fn wall_layer_conductances(&mut self, t: &[f64]) {
        let Some(cv) = self.convection.as_ref().filter(|cv| {
            cv.thermal_walls.iter().any(|w| w.resolves_sublayer)
                && !cv.turbulent_viscosity.is_empty()
        }) else {
            return;
        };
        let mesh = self.mesh;
        let ni = mesh.n_internal_faces;
        let prandtl_t = crate::physics::flow::TURBULENT_PRANDTL;
        // per cell: (wall distance of its centre, the wall's inward unit normal, weight of the
        // linear value): the resolved sublayer's wall cells below y⁺ ≈ 6, then outwards from them, layer by
        // layer, every cell of the region reached through a face that leads away from the wall
        let mut wall: Vec<Option<(f64, crate::mesh::Vec3, f64)>> = vec![None; mesh.n_cells()];
        let mut front = Vec::new();
        let mut seeds = Vec::new(); // (wall face, cell, owner side)
        for w in cv.thermal_walls.iter().filter(|w| w.resolves_sublayer) {
            let (f, c) = (w.face, w.cell);
            let s = self.geometry.two_point(mesh, f);
            let owner = mesh.owner[f] as usize == c;
            let d = if owner { s.d_owner } else { s.d_neighbour };
            let (nrm, _) = mesh.face_normal(f);
            let inward = if owner {
                crate::mesh::scale(nrm, -1.0)
            } else {
                nrm
            };
            let y_plus = w.density * w.u_star * d / w.viscosity;
            let weight = crate::physics::flow::wall_cell_pin_weight(y_plus);
            seeds.push((f, c, owner));
            match wall[c] {
                None => {
                    wall[c] = Some((d, inward, weight));
                    front.push(c);
                }
                // a cell on two walls (a corner) keeps the linear value
                Some((y, n, _)) => wall[c] = Some((y, n, 1.0)),
            }
        }
        let mut faces_of: Vec<Vec<usize>> = vec![Vec::new(); mesh.n_cells()];
        for f in 0..ni {
            let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
            if mesh.cell_region[p] == mesh.cell_region[q] {
                faces_of[p].push(f);
                faces_of[q].push(f);
            }
        }
        let mut outward: Vec<(usize, usize, usize)> = Vec::new(); // (face, inner, outer)
        while !front.is_empty() {
            let mut next = Vec::new();
            for &a in &front {
                let Some((y_a, inward, weight)) = wall[a] else {
                    continue;
                };
                if weight >= 1.0 {
                    continue;
                }
                for &f in &faces_of[a] {
                    let b = if mesh.owner[f] as usize == a {
                        mesh.neighbour[f] as usize
                    } else {
                        mesh.owner[f] as usize
                    };
                    let offset = crate::mesh::sub(mesh.cell_centre[b], mesh.cell_centre[a]);
                    let rise = crate::mesh::dot(offset, inward);
                    // outwards: most of the centres' offset is along the wall normal
                    if rise <= 0.5 * crate::mesh::dot(offset, offset).sqrt() {
                        continue;
                    }
                    outward.push((f, a, b));
                    if wall[b].is_none() {
                        wall[b] = Some((y_a + rise, inward, weight));
                        next.push(b);
                    }
                }
            }
            front = next;
        }
        // per wall cell: the exponent of its eddy conductivity's power law outwards
        let mut exponent: Vec<Option<f64>> = vec![None; mesh.n_cells()];
        for (f, a, b) in outward {
            let (Some((y_a, n_a, weight)), Some((y_b, n_b, _))) = (wall[a], wall[b]) else {
                continue;
            };
            // both distances from the same wall
            if crate::mesh::dot(n_a, n_b) < 0.9 || y_b <= y_a {
                continue;
            }
            let region = mesh.cell_region[a] as usize;
            let Some(cp) = &cv.specific_heat[region] else {
                continue;
            };
            let k = self.conductivity[region].at(0.5 * (t[a] + t[b]));
            let e_a = cp.at(t[a]) * cv.turbulent_viscosity[a] / prandtl_t;
            let e_b = cp.at(t[b]) * cv.turbulent_viscosity[b] / prandtl_t;
            let s = self.geometry.two_point(mesh, f);
            let linear = self.conductance[f];
            let span = s.d_owner + s.d_neighbour;
            let layer = s.area / span
                * crate::physics::thermal_wall::wall_layer_conductivity(
                    k,
                    e_a,
                    e_b,
                    y_a,
                    y_b,
                    linear * span / s.area,
                );
            self.conductance[f] = weight * linear + (1.0 - weight) * layer;
            if e_b > e_a && e_a > 0.0 && exponent[a].is_none() {
                exponent[a] = Some((e_b / e_a).ln() / (y_b / y_a).ln());
            }
        }
        // the wall face: the same power law from the wall to the wall cell's centre in series,
        // `k_w = y / ∫₀^y dy'/(k + e (y'/y)^n)`, in place of the thermal law of the wall's
        for (f, c, owner) in seeds {
            let (Some((_, _, weight)), Some(n)) = (wall[c], exponent[c]) else {
                continue;
            };
            if weight >= 1.0 || self.wall_k.get(f).is_none_or(|&kw| kw <= 0.0) {
                continue;
            }
            let region = mesh.cell_region[c] as usize;
            let Some(cp) = &cv.specific_heat[region] else {
                continue;
            };
            let k = self.conductivity[region].at(t[c]);
            let e = cp.at(t[c]) * cv.turbulent_viscosity[c] / prandtl_t;
            let layer = crate::physics::thermal_wall::wall_cell_conductivity(k, e, n);
            let kw = weight * self.wall_k[f] + (1.0 - weight) * layer;
            self.wall_k[f] = kw;
            self.conductance[f] = self.wall_face_conductance(f, owner, kw);
        }
    }

    /// The conductivity of cell `c` seen from face `f`: the thermal wall function's on the
    /// coolant side of a turbulent wall, else the cell's.
    fn side_conductivity(&self, f: usize, c: usize) -> f64 {
        let k = self.k_cell[c];
        match self.wall_k.get(f) {
            Some(&kw) if kw > 0.0 => {
                if self.is_fluid(c) {
                    kw
                } else {
                    k
                }
            }
            _ => k,
        }
    }

    /// The corrections this operator holds fixed.
    pub fn frozen_corrections(&self) -> FrozenCorrections {
        FrozenCorrections {
            limit: self.frozen_limit.clone(),
            non_orthogonal_scale: self.non_orthogonal_scale.clone(),
            tighten: false,
            from_result: false,
            first_order_cells: 0,
        }
    }

    /// Hold the corrections an earlier solve of the same problem held.
    pub fn hold_corrections(&mut self, frozen: &FrozenCorrections) {
        if frozen.limit.is_some() {
            self.frozen_limit = frozen.limit.clone();
        }
        if frozen.non_orthogonal_scale.is_some() {
            self.non_orthogonal_scale = frozen.non_orthogonal_scale.clone();
        }
    }

    /// Lower held limiter and non-orthogonal factors where the current temperatures (those of
    /// the last assembly) need tighter ones; true if any factor fell. Factors held from an
    /// earlier coupling pass were computed for other temperatures: on the corpus serpentine
    /// with temperature-dependent PG25 a limiter frozen 20 K earlier let one coolant cell
    /// converge at 3.8 °C with the inlet at 35 °C.
    pub fn tighten_held_corrections(&mut self, t: &[f64]) -> bool {
        let mut lowered = false;
        if self.frozen_limit.is_some() && !self.gradient.is_empty() {
            let cell_faces = self
                .cell_faces
                .take()
                .unwrap_or_else(|| CellFaces::new(self.mesh));
            let current = self.convection_limit(&cell_faces, t);
            self.cell_faces = Some(cell_faces);
            if let Some(held) = self.frozen_limit.as_mut() {
                for (h, c) in held.iter_mut().zip(current) {
                    if c < *h {
                        *h = c;
                        lowered = true;
                    }
                }
            }
        }
        if let Some(before) = self.non_orthogonal_scale.clone() {
            self.limit_non_orthogonal(t);
            lowered |= self
                .non_orthogonal_scale
                .as_ref()
                .is_some_and(|after| after.iter().zip(&before).any(|(a, b)| a < b));
        }
        lowered
    }

    /// Hold the second-order convection's limiter at its value for the current gradients, so
    /// that later passes solve one fixed (affine) system. A Barth–Jespersen limiter recomputed
    /// every pass is not differentiable and on tetrahedra makes the deferred-correction passes
    /// cycle at a residual of 1e-2 (the corpus plates of `benchmarks/corpus.py`); SU2 freezes
    /// its limiter the same way (`LIMITER_ITER`). Returns false when there is nothing to freeze
    /// (first-order convection, no gradients yet, or already frozen).
    pub fn freeze_limiter(&mut self, t: &[f64]) -> bool {
        let Some(cv) = &self.convection else {
            return false;
        };
        if !cv.second_order || self.gradient.is_empty() || self.frozen_limit.is_some() {
            return false;
        }
        let cell_faces = self
            .cell_faces
            .take()
            .unwrap_or_else(|| CellFaces::new(self.mesh));
        let limit = self.convection_limit(&cell_faces, t);
        self.cell_faces = Some(cell_faces);
        self.frozen_limit = Some(limit);
        true
    }

    /// Make the held convection limiter first order (factor 0) in `cells`, and with
    /// `neighbours` in their face neighbours too (whose extrapolations feed a cell's inflow
    /// faces); the number of cells changed (0 without a held limiter).
    pub fn first_order_in(&mut self, cells: &[usize], neighbours: bool) -> usize {
        let mesh = self.mesh;
        let Some(limit) = self.frozen_limit.as_mut().filter(|_| !cells.is_empty()) else {
            return 0;
        };
        let cell_faces = self
            .cell_faces
            .take()
            .unwrap_or_else(|| CellFaces::new(mesh));
        let mut changed = 0;
        for &c in cells {
            let mut zero = |x: usize| {
                if limit[x] > 0.0 {
                    limit[x] = 0.0;
                    changed += 1;
                }
            };
            zero(c);
            if !neighbours {
                continue;
            }
            for n in cell_faces.neighbours(mesh, c) {
                zero(n);
            }
        }
        self.cell_faces = Some(cell_faces);
        changed
    }

    /// Lower the held convection limiter in `cells` and their face neighbours (the upwind cells
    /// whose extrapolations feed their inflow faces) to the Barth–Jespersen factors of `t`
    /// where those are lower; the number of cells lowered (0 without a held limiter). The
    /// scheme stays the limited second order asked for: a held factor computed for other
    /// temperatures is replaced by the one the scheme gives the field it converged to, so those
    /// cells' extrapolated face values stay within their neighbours' range as a recomputed
    /// limiter keeps them. The corpus serpentine with `linear_upwind` (5e4 tetrahedra) converged
    /// with a coolant cell 1.61 K below the inlet: a local minimum of the converged field whose
    /// factor, frozen 75 outer iterations earlier, was 1 where the field's own is 0, so its
    /// outflow faces carried the enthalpy of 34.59 °C out of a cell at 33.39 °C.
    pub fn tighten_limiter_in(&mut self, cells: &[usize], t: &[f64]) -> usize {
        let mesh = self.mesh;
        if self.frozen_limit.is_none() || cells.is_empty() || self.gradient.is_empty() {
            return 0;
        }
        let cell_faces = self
            .cell_faces
            .take()
            .unwrap_or_else(|| CellFaces::new(mesh));
        let current = self.convection_limit(&cell_faces, t);
        let mut changed = 0;
        if let Some(limit) = self.frozen_limit.as_mut() {
            let mut lower = |x: usize| {
                if current[x] < limit[x] {
                    limit[x] = current[x];
                    changed += 1;
                }
            };
            for &c in cells {
                lower(c);
                for n in cell_faces.neighbours(mesh, c) {
                    lower(n);
                }
            }
        }
        self.cell_faces = Some(cell_faces);
        changed
    }

    /// Drop the non-orthogonal corrections on every internal face of `cells` (two-point
    /// conductances only there, from now on); returns how many faces changed. With first-order
    /// convection this makes each such cell's equation a weighted mean of its neighbours and the
    /// faces' heat flows, so it cannot leave their bounds: the bounds repair's second half (a
    /// turbulent U-channel plate on default tetrahedra kept a first-order wall cell 3 K below the
    /// inlet through the corrections of its turbulent conductivity).
    pub fn two_point_in(&mut self, cells: &[usize]) -> usize {
        let mesh = self.mesh;
        if cells.is_empty() || self.geometry.orthogonal || self.gradient.is_empty() {
            return 0;
        }
        let cell_faces = self
            .cell_faces
            .take()
            .unwrap_or_else(|| CellFaces::new(mesh));
        let scale = self
            .non_orthogonal_scale
            .get_or_insert_with(|| vec![1.0; mesh.n_internal_faces]);
        let mut changed = 0;
        for &c in cells {
            for &f in cell_faces.of(c) {
                let f = f as usize;
                if f < mesh.n_internal_faces && scale[f] > 0.0 {
                    scale[f] = 0.0;
                    changed += 1;
                }
            }
        }
        self.cell_faces = Some(cell_faces);
        changed
    }

    /// The Barth–Jespersen factor of each cell for the current gradients.
    fn convection_limit(&self, cell_faces: &CellFaces, t: &[f64]) -> Vec<f64> {
        crate::discretisation::gradient::limiter(
            self.mesh,
            cell_faces,
            t,
            &self.gradient,
            self.gradient_cells.as_deref(),
            |_| None,
        )
    }

    /// The capacity flux `ṁ c_p` of every face (W/K), signed as the mass flux, with `c_p` of
    /// the upwind cell at its temperature (boundary faces: of the owner).
    fn capacity_flux(&self, t: &[f64]) -> Vec<f64> {
        let Some(cv) = &self.convection else {
            return Vec::new();
        };
        let mesh = self.mesh;
        let ni = mesh.n_internal_faces;
        (0..mesh.n_faces())
            .into_par_iter()
            .with_min_len(CHUNK)
            .map(|f| {
                let phi = cv.mass_flux[f];
                let up = if f >= ni || phi > 0.0 {
                    mesh.owner[f] as usize
                } else {
                    mesh.neighbour[f] as usize
                };
                if phi == 0.0 {
                    0.0
                } else {
                    phi * self.cp(up, t[up])
                }
            })
            .collect()
    }

    /// The temperature at the centre of face `f` that the gradient of the cell it is seen from
    /// (owner or neighbour) uses, from the corrected flux through the face, as `(v, a)`: the face
    /// point is `v + a · ∇T_c`, that cell's own correction taken out of `v`, the other cell's
    /// (interfaces) at the current gradient.
    fn face_point_affine(&self, f: usize, owner_side: bool, t: &[f64]) -> (f64, Vec3) {
        let mesh = self.mesh;
        let g = &self.geometry;
        let p = mesh.owner[f] as usize;
        let (_, cn) = self.corrections(f);
        let kp = self.side_conductivity(f, p).max(f64::MIN_POSITIVE);
        let s = g.two_point(mesh, f);
        let scaled = crate::mesh::scale;
        if f >= mesh.n_internal_faces {
            // T_f = T_p + c_p + q_in d / (k A) with q_in = q_in(c_p = 0) − G c_p (G the face's
            // conductance to the wall or ambient, zero on flux and adiabatic faces)
            let heat_in = self.boundary_conduction_at(f, t[p]);
            let gamma = self.conductance[f] * s.d_owner / (kp * s.area);
            let value = t[p] + heat_in * s.d_owner / (kp * s.area);
            return (value, scaled(g.owner_offset[f], 1.0 - gamma));
        }
        let q = mesh.neighbour[f] as usize;
        let gf = self.conductance[f];
        // at an interface one side's gradient corrects both points on the normal: implicit
        // when it is this cell's, lagged (the previous pass's) when it is the other side's
        let shared = self.interface_gradient_cell(f);
        if owner_side {
            let gamma = gf * s.d_owner / (kp * s.area);
            if shared == Some(q) {
                let (cp, _) = self.corrections(f);
                let tp = t[p] + cp;
                return (tp - gamma * (tp - (t[q] + cn)), [0.0; 3]);
            }
            if shared == Some(p) {
                let own = crate::mesh::add(
                    scaled(g.owner_offset[f], 1.0 - gamma),
                    scaled(g.neighbour_offset[f], gamma),
                );
                return (t[p] - gamma * (t[p] - t[q]), own);
            }
            let value = t[p] - gamma * (t[p] - (t[q] + cn));
            (value, scaled(g.owner_offset[f], 1.0 - gamma))
        } else {
            let (cp, _) = self.corrections(f);
            let kq = self.side_conductivity(f, q).max(f64::MIN_POSITIVE);
            let gamma = gf * s.d_neighbour / (kq * s.area);
            if shared == Some(p) {
                let tq = t[q] + cn;
                return (tq + gamma * ((t[p] + cp) - tq), [0.0; 3]);
            }
            if shared == Some(q) {
                let own = crate::mesh::add(
                    scaled(g.neighbour_offset[f], 1.0 - gamma),
                    scaled(g.owner_offset[f], gamma),
                );
                return (t[q] + gamma * (t[p] - t[q]), own);
            }
            let value = t[q] + gamma * ((t[p] + cp) - t[q]);
            (value, scaled(g.neighbour_offset[f], 1.0 - gamma))
        }
    }

    /// A matrix with this operator's pattern. The first call hands over the pattern's own matrix
    /// (assembly needs only the index maps, and a million-cell matrix is ~90 MB); later calls
    /// build a new one.
    pub fn new_matrix(&mut self) -> Csr {
        if self.pattern.matrix.n_rows == self.mesh.n_cells() {
            std::mem::take(&mut self.pattern.matrix)
        } else {
            CellPattern::new(self.mesh).matrix
        }
    }
}
