//! Steady incompressible laminar Navier–Stokes on a (fluid) mesh: collocated cell-centred
//! velocity and pressure, SIMPLEC pressure–velocity coupling with Rhie–Chow face fluxes
//! (OpenFOAM's simpleFoam with `consistent yes`), bounded second-order (limited linear-upwind)
//! or first-order upwind convection, two-point diffusion with non-orthogonal correction.
//!
//! Per outer iteration: assemble momentum linearised on the current mass fluxes (every face
//! loop is a per-cell gather, parallel over blocks of cells), solve the three components side
//! by side (BiCGStab with block symmetric Gauss–Seidel), form HbyA, solve the pressure equation
//! (CG with multigrid), correct face fluxes (conservative to the linear-solver tolerance) and
//! cell velocities.

use crate::discretisation::fused::{
    self, ScalarCondition, System, Term, VectorCondition, VectorConvection,
};
use crate::discretisation::fvc;
use crate::discretisation::gradient::LeastSquares;
use crate::discretisation::pattern::CellPattern;
use crate::discretisation::FaceGeometry;
use crate::linalg::{
    bicgstab, bicgstab3, cg_measured, Amg, AmgSettings, Csr, SolveSettings, SymmetricGaussSeidel,
    CHUNK,
};
use crate::mesh::{dot, norm, CellFaces, Mesh, Vec3};
use crate::{Error, Monitor, Result};
use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::Arc;

mod stationary;
mod turbulence;
pub use crate::linalg::residual::{
    mean3, residual_measures, residual_measures3, residual_measures_of,
};
pub use turbulence::{
    inlet_k_omega, spalding_wall, wall_cell_pin_weight, wall_face_omega, y_plus_laminar, KOmegaSst,
    WallTreatment, TURBULENT_PRANDTL,
};
pub(crate) use turbulence::{E_LOG, KAPPA};

/// AMG strength threshold of the pressure equation. Stretched cells (the duct benchmark's are
/// 4× longer than wide, so their axial couplings are 16× weaker) need the weak direction
/// ignored when aggregating: θ = 0 takes 19–28 CG iterations per 100× reduction there, θ = 0.08
/// 6–7 (rust/core/examples/amg_duct.rs), at a similar cost per iteration since the prolongator
/// is smoothed with the filtered operator.
const PRESSURE_STRENGTH_THRESHOLD: f64 = 0.08;

/// Chebyshev degree of the pressure AMG's smoother. Degree 1 (damped Jacobi) needs more CG
/// iterations than 2 (6.4 against 5.2 per outer iteration on the duct benchmark) but each costs
/// two fine-level matrix products fewer: 13 % less pressure time.
const PRESSURE_SMOOTHER_DEGREE: usize = 1;

/// Residual reduction asked of each pressure solve per outer iteration (OpenFOAM's `relTol`
/// 0.1 of its SIMPLE tutorials). The outer iteration count of the duct benchmark is the same
/// (114) for 0.003, 0.01, 0.05 and 0.1; 0.1 takes 3.9 CG iterations per solve against 6.4 for
/// 0.01.
const PRESSURE_REDUCTION: f64 = 0.1;

/// Residual reduction asked of each momentum solve per outer iteration (OpenFOAM's `relTol`
/// 0.1 for U in SIMPLE): the outer iteration re-linearises long before a tighter solve would
/// pay. On the duct benchmark 0.01 took 105 outer iterations and 10.5 BiCGStab iterations per
/// outer, 0.1 114 and 6.7, 6 % less time overall.
const MOMENTUM_REDUCTION: f64 = 0.1;

/// BiCGStab iterations allowed per momentum solve.
const MOMENTUM_MAX_ITERATIONS: usize = 200;

/// A flow boundary condition on one patch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FlowBc {
    /// Uniform inflow normal to the faces at this speed, m/s.
    Inlet(f64),
    /// Fixed static pressure, Pa; zero-gradient velocity.
    Outlet(f64),
    /// No-slip wall moving with this velocity, m/s.
    Wall(Vec3),
    /// Symmetry plane.
    Symmetry,
}

/// Numerical settings of the flow solve.
#[derive(Debug, Clone, Copy)]
pub struct FlowSettings {
    /// Bounded second-order (limited linear-upwind) convection; otherwise first-order upwind.
    pub second_order: bool,
    /// Momentum under-relaxation.
    pub velocity_relaxation: f64,
    /// Converged when every normalised momentum residual is below this …
    pub velocity_tolerance: f64,
    /// … the normalised pressure residual below this …
    pub pressure_tolerance: f64,
    /// … and the mass imbalance below this fraction of the inflow.
    pub mass_tolerance: f64,
    /// Maximum outer iterations; at least a third of this more after the last local
    /// first-order round, and at most twice this in all.
    pub max_iterations: usize,
    /// Extra pressure solves per outer iteration that update the explicit non-orthogonal
    /// correction (OpenFOAM's `nNonOrthogonalCorrectors`); unused on orthogonal meshes.
    pub non_orthogonal_correctors: usize,
    /// Bound each face's deferred non-orthogonal correction (momentum and pressure) to this
    /// fraction of its orthogonal flux (OpenFOAM's `limited corrected ψ`); `None`: unbounded.
    pub non_orthogonal_limit: Option<f64>,
    /// A stalled second-order solve may make the convection first order (and relax harder) in
    /// the cells whose velocity keeps swinging (the default `auto` convection); otherwise it
    /// stalls.
    pub local_first_order: bool,
    /// Largest variation of the monitored outputs over the stationarity window for a stalled
    /// solve to be accepted as statistically stationary (`Flow::judge_stationary`; default
    /// `stationary::STATIONARY_TOLERANCE`).
    pub stationary_tolerance: f64,
}

impl FlowSettings {
    /// Whether one iteration's residuals (u, v, w, p, continuity) meet these tolerances.
    pub fn converged(&self, residuals: &[f64; 5]) -> bool {
        residuals[..3].iter().all(|&r| r <= self.velocity_tolerance)
            && residuals[3] <= self.pressure_tolerance
            && residuals[4] <= self.mass_tolerance
    }
}

impl Default for FlowSettings {
    fn default() -> Self {
        Self {
            second_order: true,
            velocity_relaxation: 0.9,
            velocity_tolerance: 1e-7,
            pressure_tolerance: 1e-6,
            mass_tolerance: 1e-6,
            max_iterations: 3000,
            non_orthogonal_correctors: 0,
            non_orthogonal_limit: None,
            local_first_order: false,
            stationary_tolerance: stationary::STATIONARY_TOLERANCE,
        }
    }
}

/// A converged flow field.
#[derive(Debug, Clone, Default)]
pub struct FlowSolution {
    /// Cell velocities, m/s.
    pub velocity: Vec<Vec3>,
    /// Cell static pressure, Pa.
    pub pressure: Vec<f64>,
    /// Face mass flux, kg/s, along the face normal (owner → neighbour; out of the domain on boundaries).
    pub mass_flux: Vec<f64>,
    /// Boundary face pressure, Pa (indexed by face − n_internal_faces).
    pub boundary_pressure: Vec<f64>,
    /// Outer iterations taken.
    pub iterations: usize,
    /// Per iteration: (u, v, w, p) normalised residuals and mass imbalance.
    pub history: Vec<[f64; 5]>,
    /// Turbulent kinetic energy per cell, m²/s² (empty for laminar flow).
    pub k: Vec<f64>,
    /// Specific dissipation rate per cell, 1/s (empty for laminar flow).
    pub omega: Vec<f64>,
    /// Turbulent viscosity per cell, Pa·s (empty for laminar flow).
    pub turbulent_viscosity: Vec<f64>,
    /// y⁺ of each boundary face (zero off walls; empty for laminar flow).
    pub wall_y_plus: Vec<f64>,
    /// Cells whose momentum convection a stalled second-order solve made first order (and
    /// relaxed harder); a solve started from this solution keeps them so (empty: none).
    pub first_order_cells: Vec<u32>,
    /// The Barth–Jespersen limiter of the momentum convection per cell and component that a
    /// second-order solve's converged iteration used (held or not; empty for first order). The
    /// converged field is a fixed point of that discretisation only, so a solve started from
    /// this solution holds the same limiter from its first iteration: recomputed from the
    /// converged field it differs where the solve had held it, and it switches in cells where a
    /// velocity component is at a local extremum within round-off (the ratio of two round-off
    /// differences).
    pub held_limiter: Vec<Vec3>,
    /// The momentum relaxation the solve converged with, first or second order; a first-order
    /// solve accepted as statistically stationary records its own, a second-order one keeps its
    /// start's (`stationary_relaxation`; `None`: none of these, or a start).
    /// The fixed point no longer depends on it (the face fluxes carry the unrelaxed diagonal's
    /// Rhie–Chow dissipation), but the path does: a warm start relaxes first as this solve did
    /// (`case::driver::solve_flow_retrying`; the default solve of the corpus tetrahedra
    /// converges in its retry, and a start from it at 0.9 may not converge at all). With the cells, the limiter and the pressure's
    /// non-orthogonal flux, a 6,699-tetrahedron channel's start from its own result began at
    /// momentum residuals 9.7e-8 and converged in 1 iteration (8.2e-3 and 1,322 without them).
    pub relaxation: Option<f64>,
    /// Whether this start is a converged first-order result at the same inflow (a warm start
    /// that carries the first-order fallback): its pressure's non-orthogonal offsets apply from
    /// the first iteration, as for a start that carries its limiter (a 6,699-tetrahedron
    /// channel's upwind start took 172 iterations without them).
    pub converged_first_order_start: bool,
    /// Per boundary face, whether the k-ω wall treatment is held on its log-layer branch
    /// (false: viscous sublayer) since a turbulent solve stalled; empty: each iteration chooses
    /// by y⁺ (see `Flow::wall_branches`).
    pub wall_log_layer: Vec<bool>,
    /// The Barth–Jespersen factors of the k-ω SST's velocity gradient (per cell and component)
    /// that a turbulent solve's last iteration used (recorded when it returns, converged or
    /// stationary, as `held_limiter` for the momentum); a solve started from this solution
    /// holds them from its first iteration (empty: each step recomputes them).
    pub held_turbulence_limiter: Vec<Vec3>,
    /// A turbulent solve whose residuals stalled but whose monitored outputs were statistically
    /// stationary, and by how much they varied; `None`: converged to the tolerances.
    pub stationary: Option<Stationary>,
}

/// How a stalled turbulent solve's monitored outputs varied over its last iterations (see
/// `Flow::judge_stationary`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Stationary {
    /// Iterations of the window.
    pub iterations: usize,
    /// Largest range of an inlet-to-outlet static pressure drop, relative to its mean.
    pub pressure_drop_variation: f64,
    /// Largest range of an open patch's share of the inflow.
    pub split_variation: f64,
    /// Whether the stalled residuals repeat every second iteration (a period-2 mode of the
    /// SIMPLEC iteration, `stationary::period_two`): a state that a lower relaxation may let
    /// decay, unlike wakes that keep moving.
    pub period_two: bool,
}

/// The flow problem on a mesh whose every cell is fluid.
pub struct Flow<'m> {
    mesh: &'m Mesh,
    /// Offsets only (areas and distances are per-face closed forms of the mesh), none at all on
    /// an orthogonal mesh.
    geometry: FaceGeometry,
    cell_faces: CellFaces,
    pattern: CellPattern,
    least_squares: LeastSquares,
    density: Vec<f64>,
    bc: Vec<FlowBc>,
    /// Owner interpolation weight of each internal face.
    weight: Vec<f64>,
    /// Viscous conductance of each face, `A / (d_P/μ_P + d_N/μ_N)` (boundary: `μ_P A / d_P`).
    diffusion: Vec<f64>,
    /// `A / (d_P + d_N)` of each face (boundary: `A / d_P`): the pressure equation's geometric
    /// factor.
    pressure_geometry: Vec<f64>,
    /// Patch of each boundary face (indexed by face − n_internal_faces): the mesh's lookup is a
    /// binary search, and the outer iteration asks it several times per boundary face.
    boundary_patch: Vec<u32>,
    /// The velocity condition of each boundary face (indexed by face − n_internal_faces), as
    /// [`Flow::velocity_condition`] makes it: its unit normals and inflow velocities are read
    /// by every gradient and momentum assembly.
    velocity_conditions: Vec<VectorCondition>,
    /// Per boundary face (indexed by face − n_internal_faces), the offset along which its
    /// pressure is extrapolated from its cell (see [`Flow::extrapolated_boundary_pressure`];
    /// unused on outlets).
    pressure_extrapolation: Vec<Vec3>,
    /// Per internal face of a non-orthogonal mesh (empty otherwise), the offset from the linear
    /// interpolation's point on the line between the cell centres to the face centre (the
    /// skewness correction of the HbyA face fluxes).
    skewness_offset: Vec<Vec3>,
    /// The k-ω SST model, `None` for laminar flow.
    turbulence: Option<KOmegaSst>,
}

impl<'m> Flow<'m> {
    /// Set up; `density` and `viscosity` per cell, `bc` per patch.
    pub fn new(mesh: &'m Mesh, density: Vec<f64>, viscosity: Vec<f64>, bc: Vec<FlowBc>) -> Self {
        let geometry = FaceGeometry::offsets_only(mesh, false);
        let ni = mesh.n_internal_faces;
        let mut weight = vec![0.0; ni];
        let mut diffusion = vec![0.0; mesh.n_faces()];
        let mut pressure_geometry = vec![0.0; mesh.n_faces()];
        diffusion
            .par_iter_mut()
            .zip(pressure_geometry.par_iter_mut())
            .enumerate()
            .for_each(|(f, (d, pg))| {
                let t = geometry.two_point(mesh, f);
                let p = mesh.owner[f] as usize;
                if f < ni {
                    let q = mesh.neighbour[f] as usize;
                    *d = t.conductance(viscosity[p], viscosity[q], 0.0);
                    *pg = t.area / (t.d_owner + t.d_neighbour);
                } else {
                    *d = t.wall_conductance(viscosity[p]);
                    *pg = t.area / t.d_owner;
                }
            });
        weight.par_iter_mut().enumerate().for_each(|(f, w)| {
            let t = geometry.two_point(mesh, f);
            *w = t.d_neighbour / (t.d_owner + t.d_neighbour);
        });
        let mut pattern = CellPattern::new(mesh);
        // the solve keeps its own value arrays; the pattern's would be 8 bytes per entry unused
        pattern.matrix.val = Vec::new();
        let boundary_patch = (ni..mesh.n_faces())
            .into_par_iter()
            .map(|f| mesh.patch_of_face(f) as u32)
            .collect();
        let skewness_offset = if geometry.orthogonal {
            Vec::new()
        } else {
            (0..ni)
                .into_par_iter()
                .map(|f| {
                    let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
                    let on_line = fvc::linear(weight[f], mesh.cell_centre[p], mesh.cell_centre[q]);
                    crate::mesh::sub(mesh.face_centre[f], on_line)
                })
                .collect()
        };
        let mut flow = Flow {
            cell_faces: CellFaces::new(mesh),
            pattern,
            least_squares: LeastSquares::new(mesh, vec![false; ni]),
            geometry,
            mesh,
            density,
            bc,
            weight,
            diffusion,
            pressure_geometry,
            boundary_patch,
            velocity_conditions: Vec::new(),
            pressure_extrapolation: Vec::new(),
            skewness_offset,
            turbulence: None,
        };
        let faces = ni..mesh.n_faces();
        flow.velocity_conditions = faces
            .clone()
            .into_par_iter()
            .map(|f| flow.velocity_condition(f))
            .collect();
        flow.pressure_extrapolation = faces
            .into_par_iter()
            .map(|f| flow.pressure_extrapolation_offset(f))
            .collect();
        flow
    }

    /// Turbulent flow with the k-ω SST model: `inlet` holds each patch's inlet (k, ω), and
    /// `viscosity` the molecular viscosity per cell, Pa·s. The wall distance is computed here.
    pub fn with_turbulence(mut self, inlet: Vec<Option<(f64, f64)>>, viscosity: Vec<f64>) -> Self {
        let wall_distance = crate::mesh::wall_distance::wall_distance(self.mesh, |f| {
            matches!(self.bc_of(f), FlowBc::Wall(_))
        });
        self.turbulence = Some(KOmegaSst {
            inlet,
            viscosity,
            wall_distance,
            wall_treatment: Vec::new(),
        });
        self
    }

    /// Whether the flow is turbulent (k-ω SST).
    pub fn is_turbulent(&self) -> bool {
        self.turbulence.is_some()
    }

    fn bc_of(&self, f: usize) -> FlowBc {
        self.bc[self.boundary_patch[f - self.mesh.n_internal_faces] as usize]
    }

    /// Velocity on boundary face `f` given the adjacent cell velocity (from the stored
    /// condition; the same values as [`Flow::boundary_velocity_of`]).
    #[inline]
    fn boundary_velocity(&self, f: usize, up: Vec3) -> Vec3 {
        match self.velocity_conditions[f - self.mesh.n_internal_faces] {
            VectorCondition::Fixed(value) => value,
            VectorCondition::ZeroGradient => up,
            VectorCondition::Symmetry(n) => {
                let un = dot(up, n);
                [up[0] - un * n[0], up[1] - un * n[1], up[2] - un * n[2]]
            }
        }
    }

    /// Velocity on boundary face `f` given the adjacent cell velocity, from the patch's
    /// condition and the face's geometry.
    fn boundary_velocity_of(&self, f: usize, up: Vec3) -> Vec3 {
        match self.bc_of(f) {
            FlowBc::Inlet(speed) => {
                let (n, _) = self.mesh.face_normal(f);
                [-speed * n[0], -speed * n[1], -speed * n[2]]
            }
            FlowBc::Wall(v) => v,
            FlowBc::Outlet(_) => up,
            FlowBc::Symmetry => {
                let (n, _) = self.mesh.face_normal(f);
                let un = dot(up, n);
                [up[0] - un * n[0], up[1] - un * n[1], up[2] - un * n[2]]
            }
        }
    }

    /// Mass inflow through inlets, kg/s (positive).
    pub fn inflow(&self) -> f64 {
        let mut total = 0.0;
        for p in 0..self.mesh.n_patches() {
            if let FlowBc::Inlet(speed) = self.bc[p] {
                for f in self.mesh.patch_faces(p) {
                    total += self.density[self.mesh.owner[f] as usize]
                        * speed
                        * norm(self.mesh.face_area[f]);
                }
            }
        }
        total
    }

    /// The pressure gradient of the momentum source and the velocity correction: Green–Gauss,
    /// as OpenFOAM's `Gauss linear`, so that the pressure force summed over the cells is the
    /// boundary integral of p n dA. On Delaunay tetrahedra it converged the outer iteration in
    /// a third of the iterations of the least-squares gradient, with smaller f·Re errors.
    fn pressure_gradient(&self, p: &[f64], boundary_p: &[f64], out: &mut [Vec3]) {
        let ni = self.mesh.n_internal_faces;
        crate::discretisation::gradient::gauss(
            self.mesh,
            &self.cell_faces,
            &self.weight,
            p,
            |f| boundary_p[f - ni],
            out,
        );
    }

    /// The explicit (deferred) non-orthogonal part of each face's pressure flux:
    /// `g_f (∇p)_f · k` with `k = (n·d) n − d` and the linearly interpolated face gradient, as
    /// OpenFOAM's `corrected` scheme. Extrapolating each side with its own cell gradient (as
    /// the conduction fluxes do, to correct skewness too) amplifies least-squares gradient noise
    /// on tetrahedra until SIMPLE diverges; on the boundary only outlets carry a correction.
    fn pressure_non_orthogonal_flux(
        &self,
        grad: &[Vec3],
        pressure: &[f64],
        limit: Option<f64>,
        gp: impl Fn(usize) -> f64 + Sync,
        out: &mut [f64],
    ) {
        out.par_iter_mut()
            .enumerate()
            .for_each(|(f, o)| *o = self.non_orthogonal_flux_of(f, grad, pressure, limit, &gp));
    }

    /// Face `f`'s term of [`Flow::pressure_non_orthogonal_flux`].
    #[inline]
    fn non_orthogonal_flux_of(
        &self,
        f: usize,
        grad: &[Vec3],
        pressure: &[f64],
        limit: Option<f64>,
        gp: &impl Fn(usize) -> f64,
    ) -> f64 {
        let mesh = self.mesh;
        let g = &self.geometry;
        let p = mesh.owner[f] as usize;
        if f < mesh.n_internal_faces {
            let q = mesh.neighbour[f] as usize;
            let w = self.weight[f];
            let face_grad = fvc::linear(w, grad[p], grad[q]);
            let k = crate::mesh::sub(g.neighbour_offset[f], g.owner_offset[f]);
            let coefficient = gp(f);
            bounded(
                coefficient * dot(face_grad, k),
                coefficient * (pressure[q] - pressure[p]),
                limit,
            )
        } else if let FlowBc::Outlet(pb) = self.bc_of(f) {
            let coefficient = gp(f);
            bounded(
                -coefficient * dot(grad[p], g.owner_offset[f]),
                coefficient * (pb - pressure[p]),
                limit,
            )
        } else {
            0.0
        }
    }

    /// The pressure on boundary face `f` from its cell (`None` on outlets, which fix it). Walls
    /// and symmetry planes: zero normal gradient, extrapolated along the face only; that also
    /// pins the normal component of the gradient of a cell with few interior neighbours (a
    /// tetrahedron with two wall faces), which a full extrapolation with the lagged gradient
    /// would leave free to drift. Inlets: extrapolated with the whole gradient.
    fn extrapolated_boundary_pressure(
        &self,
        f: usize,
        pressure: &[f64],
        grad: &[Vec3],
    ) -> Option<f64> {
        if let FlowBc::Outlet(_) = self.bc_of(f) {
            return None;
        }
        let p = self.mesh.owner[f] as usize;
        let along = self.pressure_extrapolation[f - self.mesh.n_internal_faces];
        Some(pressure[p] + dot(grad[p], along))
    }

    /// The offset of [`Flow::extrapolated_boundary_pressure`] on boundary face `f` (zero on
    /// outlets): the whole offset from the cell centre to the face centre on inlets, its part
    /// along the face on walls and symmetry planes.
    fn pressure_extrapolation_offset(&self, f: usize) -> Vec3 {
        let p = self.mesh.owner[f] as usize;
        let r = crate::mesh::sub(self.mesh.face_centre[f], self.mesh.cell_centre[p]);
        match self.bc_of(f) {
            FlowBc::Outlet(_) => [0.0; 3],
            FlowBc::Inlet(_) => r,
            FlowBc::Wall(_) | FlowBc::Symmetry => {
                let (nrm, _) = self.mesh.face_normal(f);
                let rn = dot(r, nrm);
                [r[0] - rn * nrm[0], r[1] - rn * nrm[1], r[2] - rn * nrm[2]]
            }
        }
    }

    /// Boundary-face pressures consistent with the cell pressures, as the solver extrapolates them
    /// (see [`Flow::extrapolated_boundary_pressure`]; outlets keep theirs): the fixed point of
    /// the extrapolation with `∇p` the gradient from cells and boundary values. For a warm start
    /// from cell pressures alone.
    pub fn extrapolate_boundary_pressure(&self, s: &mut FlowSolution) {
        let mesh = self.mesh;
        let ni = mesh.n_internal_faces;
        let scale = s
            .pressure
            .iter()
            .fold(0.0f64, |m, p| m.max(p.abs()))
            .max(f64::MIN_POSITIVE);
        let mut grad = vec![[0.0; 3]; mesh.n_cells()];
        for _ in 0..100 {
            self.pressure_gradient(&s.pressure, &s.boundary_pressure, &mut grad);
            let mut change = 0.0f64;
            for f in ni..mesh.n_faces() {
                if let Some(value) = self.extrapolated_boundary_pressure(f, &s.pressure, &grad) {
                    change = change.max((value - s.boundary_pressure[f - ni]).abs());
                    s.boundary_pressure[f - ni] = value;
                }
            }
            if change <= 1e-12 * scale {
                break;
            }
        }
    }

    /// Boundary face `f`'s velocity condition (the condition vocabulary of the momentum
    /// operators), from the patch's condition and the face's geometry; the solve reads the
    /// stored ones (`velocity_conditions`).
    fn velocity_condition(&self, f: usize) -> VectorCondition {
        match self.bc_of(f) {
            FlowBc::Inlet(_) | FlowBc::Wall(_) => {
                VectorCondition::Fixed(self.boundary_velocity_of(f, [0.0; 3]))
            }
            FlowBc::Outlet(_) => VectorCondition::ZeroGradient,
            FlowBc::Symmetry => VectorCondition::Symmetry(self.mesh.face_normal(f).0),
        }
    }

    /// The momentum predictor's equation, `∇·(φ U) − ∇·(μ ∇U) = −∇p`, without the pressure
    /// gradient (the solve adds it; SIMPLEC's `H` leaves it out), assembled into `u_eqn` and
    /// under-relaxed by `alpha`: the bounded convection (limited linear upwind when `limits`
    /// are given, else upwind) less the viscous diffusion, both with their deferred corrections.
    #[allow(clippy::too_many_arguments)]
    fn momentum_equation(
        &self,
        u_eqn: &mut System<Vec3>,
        diffusion: &[f64],
        s: &FlowSolution,
        grads: &[[Vec3; 3]],
        limits: Option<&[Vec3]>,
        alpha: f64,
        limit: Option<f64>,
        grad_p: &[Vec3],
        momentum_rhs: &mut [Vec3],
        deferred: &mut Vec<Vec3>,
        skewness_correction: &mut Vec<Vec3>,
    ) {
        let mesh = self.mesh;
        let scheme = match limits {
            Some(limiter) => VectorConvection::LimitedLinearUpwind {
                gradient: grads,
                limiter,
            },
            None => VectorConvection::Upwind,
        };
        let ni = mesh.n_internal_faces;
        let bc = |f: usize| self.velocity_conditions[f - ni];
        let term = fused::div(mesh, &s.mass_flux, scheme, bc)
            - fused::laplacian(
                mesh,
                &self.geometry,
                diffusion,
                &s.velocity,
                Some(grads),
                bc,
            )
            .limited(limit);
        // one pass over the internal faces: each face's deferred flux (the assembly's gather
        // visits it from both cells) and, on a non-orthogonal mesh, the skewness correction of
        // its HbyA flux, which reads the same two cells' gradients
        let skewed = !self.geometry.orthogonal;
        let face = |f: usize| -> (Vec3, Vec3) {
            let correction = if skewed {
                let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
                let (w, delta) = (self.weight[f], self.skewness_offset[f]);
                let mut c = [0.0; 3];
                for (k, ck) in c.iter_mut().enumerate() {
                    *ck = dot(fvc::linear(w, grads[p][k], grads[q][k]), delta);
                }
                c
            } else {
                [0.0; 3]
            };
            (term.deferred(f), correction)
        };
        match (term.is_deferred(), skewed) {
            (true, true) => {
                deferred.resize(ni, [0.0; 3]);
                skewness_correction.resize(ni, [0.0; 3]);
                deferred
                    .par_iter_mut()
                    .zip(skewness_correction.par_iter_mut())
                    .enumerate()
                    .with_min_len(CHUNK)
                    .for_each(|(f, (d, c))| (*d, *c) = face(f));
            }
            (true, false) => {
                deferred.resize(ni, [0.0; 3]);
                deferred
                    .par_iter_mut()
                    .enumerate()
                    .with_min_len(CHUNK)
                    .for_each(|(f, d)| *d = term.deferred(f));
            }
            (false, true) => {
                skewness_correction.resize(ni, [0.0; 3]);
                skewness_correction
                    .par_iter_mut()
                    .enumerate()
                    .with_min_len(CHUNK)
                    .for_each(|(f, c)| *c = face(f).1);
            }
            (false, false) => {}
        }
        let term = term.with_deferred_values(deferred);
        // relaxed, and the solve's right-hand side b − ∇p V, in the assembly's pass
        u_eqn.assemble_relaxed(
            &term,
            mesh,
            &self.cell_faces,
            &self.pattern,
            alpha,
            &s.velocity,
            momentum_rhs,
            |c| {
                let v = mesh.cell_volume[c];
                [
                    -(grad_p[c][0] * v),
                    -(grad_p[c][1] * v),
                    -(grad_p[c][2] * v),
                ]
            },
        );
    }

    /// The momentum predictor's solve, `A U = b − ∇p V` (`momentum_rhs`; relaxed `A`, from the current
    /// velocity): the three components side by side on one matrix, or one at a time where
    /// symmetry planes give them diagonals of their own. Returns the normalised residual of each
    /// component and the linear iterations taken; a solve that stops short of its reduction
    /// leaves the outer iteration to go on.
    fn solve_momentum(
        &self,
        u_eqn: &mut System<Vec3>,
        momentum_rhs: &[Vec3],
        velocity: &mut [Vec3],
        diagonal_positions: &[usize],
        stop: &dyn Fn() -> bool,
    ) -> Result<([f64; 3], usize)> {
        let pat = &self.pattern;
        let mut residuals = [0.0f64; 3];
        let tolerance = |initial: f64| SolveSettings {
            relative_tolerance: 0.0,
            absolute_tolerance: (MOMENTUM_REDUCTION * initial).max(1e-300),
            max_iterations: MOMENTUM_MAX_ITERATIONS,
        };
        // (normalised residual numerator, denominator, iterations) per component; a solve
        // that stops short of its reduction leaves the outer iteration to go on
        let mut parts = [(0.0f64, 0.0f64, 0usize); 3];
        if u_eqn.has_component_diagonals() {
            // symmetry planes add to one component's diagonal only: three matrices
            for (k, part) in parts.iter_mut().enumerate() {
                u_eqn.set_component(k, pat);
                let a = &u_eqn.matrix;
                let pre = SymmetricGaussSeidel::new(a);
                let rhs: Vec<f64> = momentum_rhs.iter().map(|r| r[k]).collect();
                let mut x: Vec<f64> = velocity.iter().map(|v| v[k]).collect();
                let (num, den, initial) = residual_measures(a, &rhs, &x);
                let iterations = match bicgstab(a, &rhs, &mut x, &pre, tolerance(initial), stop) {
                    Ok(info) => info.iterations,
                    Err(Error::LinearSolver { .. }) => MOMENTUM_MAX_ITERATIONS,
                    Err(e) => return Err(e),
                };
                *part = (num, den, iterations);
                velocity.par_iter_mut().zip(&x).for_each(|(v, x)| v[k] = *x);
            }
        } else {
            // one matrix: the three components side by side, one pass over it for all
            let a = &u_eqn.matrix;
            let pre = SymmetricGaussSeidel::with_diagonal_positions(
                a,
                std::borrow::Cow::Borrowed(diagonal_positions),
            );
            let mean = mean3(velocity);
            let mut measures = [(0.0, 0.0, 0.0); 3];
            let iterations = match bicgstab3(
                a,
                momentum_rhs,
                velocity,
                &pre,
                |r| {
                    measures = residual_measures3(a, momentum_rhs, mean, r);
                    measures.map(|m| tolerance(m.2))
                },
                stop,
            ) {
                Ok(info) => info.map(|i| i.iterations),
                Err(Error::LinearSolver { .. }) => [MOMENTUM_MAX_ITERATIONS; 3],
                Err(e) => return Err(e),
            };
            for k in 0..3 {
                parts[k] = (measures[k].0, measures[k].1, iterations[k]);
            }
        }
        // a component that is zero everywhere (a symmetry-plane normal) would normalise its
        // round-off by round-off: floor each normalisation at a fraction of the largest
        let largest = parts.iter().map(|p| p.1).fold(0.0f64, f64::max);
        for k in 0..3 {
            let (num, den, _) = parts[k];
            residuals[k] = num / den.max(1e-3 * largest).max(1e-300);
        }
        Ok((residuals, parts.iter().map(|p| p.2).sum()))
    }

    /// The face fluxes of HbyA (Rhie–Chow), in place of the old mass fluxes `mass_flux` (only
    /// each face's own old flux enters its new one): `ρ_f HbyA_f · S_f` plus Majumdar's
    /// correction, which takes the relaxation part of HbyA, `(1 − α) u_old`, into the face flux
    /// as `(1 − α) φ_old` instead of its interpolation, so that the converged fluxes (and the
    /// solution) do not depend on the relaxation factors (`alpha` per cell).
    fn hby_a_flux(
        &self,
        hby_a: &[Vec3],
        velocity_old: &[Vec3],
        skewness_correction: &[Vec3],
        alpha: impl Fn(usize) -> f64 + Sync,
        mass_flux: &mut [f64],
    ) {
        let mesh = self.mesh;
        let ni = mesh.n_internal_faces;
        let orthogonal = self.geometry.orthogonal;
        mass_flux.par_iter_mut().enumerate().for_each(|(f, flux)| {
            let p = mesh.owner[f] as usize;
            if f >= ni {
                *flux = match self.bc_of(f) {
                    FlowBc::Inlet(_) => *flux,
                    FlowBc::Wall(_) | FlowBc::Symmetry => 0.0,
                    FlowBc::Outlet(_) => {
                        let rho = self.density[p];
                        rho * dot(hby_a[p], mesh.face_area[f])
                            + (1.0 - alpha(p))
                                * (*flux - rho * dot(velocity_old[p], mesh.face_area[f]))
                    }
                };
                return;
            }
            let q = mesh.neighbour[f] as usize;
            let w = self.weight[f];
            let rho = fvc::linear(w, self.density[p], self.density[q]);
            // the relaxation part of each cell's HbyA, and of the face's
            let (relaxed_p, relaxed_q) = (1.0 - alpha(p), 1.0 - alpha(q));
            let relaxed_f = fvc::linear(w, relaxed_p, relaxed_q);
            let mut hf = fvc::linear(w, hby_a[p], hby_a[q]);
            let mut old_f = fvc::linear(
                w,
                crate::mesh::scale(velocity_old[p], relaxed_p),
                crate::mesh::scale(velocity_old[q], relaxed_q),
            );
            // skewness: move both interpolations from the point on the line between the cell
            // centres to the face centre with the velocity gradient (of u_old, which HbyA
            // approaches). Without it the face fluxes of a fully developed duct flow on Delaunay
            // tetrahedra carry an O(1) interpolation error that continuity turns into a spurious
            // cross-flow (1.3 % of U) and f·Re 4 % high
            // (`skewness_correction[f]`: the interpolated gradients · the offset from the line
            // to the face centre, from the momentum assembly's face pass)
            if !orthogonal {
                for k in 0..3 {
                    let c = skewness_correction[f][k];
                    hf[k] += c;
                    old_f[k] += relaxed_f * c;
                }
            }
            *flux = rho * dot(hf, mesh.face_area[f])
                + (relaxed_f * *flux - rho * dot(old_f, mesh.face_area[f]));
        });
    }

    /// SIMPLEC's share of the Rhie–Chow dissipation, from the pressure before each pressure
    /// solve: the face's pressure flux (`gp (p_N − p_P)` plus its non-orthogonal offset) times
    /// `1 − rAU_f/rAtU_f`, less the interpolated `ρ (rAtU − rAU) ∇p · S` that HbyA carries.
    /// With it the converged face flux has the dissipation of the unrelaxed momentum diagonal,
    /// `V/a_P` (OpenFOAM's SIMPLE at α_U → 1), whatever the relaxation. SIMPLEC alone converges
    /// to `V/(a_P − α Σa_N)`, about ten times larger at α 0.9: the corpus serpentine's ΔP was
    /// 2,852 / 2,651 / 2,586 Pa at α 0.9 / 0.7 / 0.5 (now 2,522.7 for all) and its bends lost
    /// 7–14 % more than simpleFoam's. The price: a pressure checkerboard now decays by about
    /// `1 − rAU/rAtU` ≈ 1 − α per iteration (twice the outer iterations on the hex ducts).
    #[allow(clippy::too_many_arguments)]
    fn consistent_dissipation_flux(
        &self,
        gp: &[f64],
        pressure: &[f64],
        grad_p: &[Vec3],
        offsets: &[f64],
        r_atu: &[f64],
        r_au: &[f64],
        width: usize,
        mass_flux: &mut [f64],
    ) {
        let mesh = self.mesh;
        let ni = mesh.n_internal_faces;
        // the two inverse diagonals of cell c along face f's normal, and ρ(rAtU − rAU)∇p
        let along = |r: &[f64], c: usize, f: usize| {
            if width == 1 {
                r[c]
            } else {
                let (nrm, _) = mesh.face_normal(f);
                (0..3).map(|k| r[3 * c + k] * nrm[k] * nrm[k]).sum::<f64>()
            }
        };
        let excess_gradient = |c: usize| -> Vec3 {
            let mut out = [0.0; 3];
            for (k, o) in out.iter_mut().enumerate() {
                let j = k.min(width - 1);
                *o = (r_atu[width * c + j] - r_au[width * c + j]) * grad_p[c][k];
            }
            out
        };
        mass_flux.par_iter_mut().enumerate().for_each(|(f, flux)| {
            *flux = 0.0;
            let p = mesh.owner[f] as usize;
            let offset = offsets.get(f).copied().unwrap_or(0.0);
            let area = mesh.face_area[f];
            if f < ni {
                let q = mesh.neighbour[f] as usize;
                let w = self.weight[f];
                let rho = fvc::linear(w, self.density[p], self.density[q]);
                let atu = fvc::linear(w, along(r_atu, p, f), along(r_atu, q, f));
                let au = fvc::linear(w, along(r_au, p, f), along(r_au, q, f));
                if atu <= 0.0 {
                    return;
                }
                // `gp` is ρ_f rAtU_f A/(d_P + d_N), as the pressure matrix's coefficient
                let pressure_flux = gp[f] * (pressure[q] - pressure[p]) + offset;
                let carried = fvc::linear(w, excess_gradient(p), excess_gradient(q));
                *flux = pressure_flux * (1.0 - au / atu) - rho * dot(carried, area);
            } else if let FlowBc::Outlet(pb) = self.bc_of(f) {
                let rho = self.density[p];
                let (atu, au) = (along(r_atu, p, f), along(r_au, p, f));
                if atu <= 0.0 {
                    return;
                }
                let pressure_flux = gp[f] * (pb - pressure[p]) + offset;
                *flux = pressure_flux * (1.0 - au / atu) - rho * dot(excess_gradient(p), area);
            }
        });
    }

    /// ε² of the laminar momentum's Venkatakrishnan limiter per cell (see [`VENKATAKRISHNAN_K`]),
    /// `u_ref` the boundary conditions' speed.
    fn venkatakrishnan_smoothing(&self, u_ref: f64) -> Vec<f64> {
        let mesh = self.mesh;
        let ni = mesh.n_internal_faces;
        let volume: f64 = mesh.cell_volume.iter().sum();
        let wall: f64 = (ni..mesh.n_faces())
            .filter(|&f| matches!(self.bc_of(f), FlowBc::Wall(_)))
            .map(|f| norm(mesh.face_area[f]))
            .sum();
        // a domain without walls: its own size
        let length = if wall > 0.0 {
            4.0 * volume / wall
        } else {
            volume.cbrt()
        };
        mesh.cell_volume
            .par_iter()
            .map(|&v| u_ref * u_ref * (VENKATAKRISHNAN_K * v.cbrt() / length).powi(3))
            .collect()
    }

    /// The momentum's local pseudo-time step as per-cell relaxation factors (see
    /// [`PSEUDO_TIME_CFL`]), from the last assembly's unrelaxed diagonals: at most `alpha`, and
    /// [`LOCAL_RELAXATION`] in the cells local rounds made first order (`first_order`).
    fn pseudo_time_relaxation(
        &self,
        u_eqn: &mut System<Vec3>,
        mass_flux: &[f64],
        alpha: f64,
        first_order: &[bool],
    ) {
        let mut relaxation = std::mem::take(&mut u_eqn.cell_relaxation);
        relaxation.resize(u_eqn.n_cells(), alpha);
        let diag = &u_eqn.diag;
        relaxation
            .par_iter_mut()
            .enumerate()
            .with_min_len(CHUNK)
            .for_each(|(c, r)| {
                let throughput: f64 = self
                    .cell_faces
                    .of(c)
                    .iter()
                    .map(|&f| mass_flux[f as usize].abs())
                    .sum();
                let cap = if first_order.get(c).copied().unwrap_or(false) {
                    alpha.min(LOCAL_RELAXATION)
                } else {
                    alpha
                };
                let a = diag[c];
                // ρ V / Δτ = Σ|F| / CFL beside the row's own diagonal
                let pseudo = throughput / PSEUDO_TIME_CFL;
                *r = if a > 0.0 {
                    cap.min(a / (a + pseudo))
                } else {
                    cap
                };
            });
        u_eqn.cell_relaxation = relaxation;
    }

    /// Solve from an initial state (zero velocity, zero pressure if `None`).
    pub fn solve(
        &self,
        settings: &FlowSettings,
        monitor: &dyn Monitor,
        initial: Option<FlowSolution>,
    ) -> Result<FlowSolution> {
        let mesh = self.mesh;
        let g = &self.geometry;
        let n = mesh.n_cells();
        let ni = mesh.n_internal_faces;
        let nb = mesh.n_faces() - ni;
        let pat = &self.pattern;
        let cell_faces = &self.cell_faces;
        let stop = || monitor.should_stop();
        // a start from a converged result (which carries its limiter; a coupling pass's start
        // does not): with the offsets of its pressure on the first iteration, the corpus
        // serpentine's coupling passes with temperature-dependent PG25 stopped settling
        let warm = initial.as_ref().is_some_and(|start| {
            !start.held_limiter.is_empty() || start.converged_first_order_start
        });

        let started_with_flow = initial.is_some();
        let mut s = initial.unwrap_or_else(|| FlowSolution {
            velocity: vec![[0.0; 3]; n],
            pressure: vec![0.0; n],
            mass_flux: vec![0.0; mesh.n_faces()],
            boundary_pressure: vec![0.0; nb],
            ..Default::default()
        });
        // a stationary verdict belongs to the solve that made it
        s.stationary = None;
        // fixed inflow fluxes and outlet pressures hold from the start
        for f in ni..mesh.n_faces() {
            match self.bc_of(f) {
                FlowBc::Inlet(speed) => {
                    s.mass_flux[f] =
                        -self.density[mesh.owner[f] as usize] * speed * norm(mesh.face_area[f])
                }
                FlowBc::Outlet(p) => s.boundary_pressure[f - ni] = p,
                _ => {}
            }
        }
        let has_outlet = self.bc.iter().any(|b| matches!(b, FlowBc::Outlet(_)));
        let has_symmetry = self.bc.iter().any(|b| matches!(b, FlowBc::Symmetry));
        let inflow = self.inflow();
        let mass_scale = if inflow > 0.0 {
            inflow
        } else {
            // closed cavity: a flux scale from the wall speeds
            let mut m = 0.0f64;
            for f in ni..mesh.n_faces() {
                if let FlowBc::Wall(v) = self.bc_of(f) {
                    m = m.max(
                        self.density[mesh.owner[f] as usize]
                            * dot(v, v).sqrt()
                            * norm(mesh.face_area[f]).sqrt()
                            * mesh.cell_volume[mesh.owner[f] as usize].cbrt(),
                    );
                }
            }
            m.max(f64::MIN_POSITIVE) * (n as f64)
        };
        let alpha = settings.velocity_relaxation;
        // velocity scale of the boundary conditions, for divergence detection
        let u_ref = self
            .bc
            .iter()
            .map(|b| match b {
                FlowBc::Inlet(v) => v.abs(),
                FlowBc::Wall(v) => dot(*v, *v).sqrt(),
                _ => 0.0,
            })
            .fold(1e-3f64, f64::max);

        // every work array once, reused by all iterations
        let fresh_matrix = || Csr {
            val: vec![0.0; pat.matrix.col.len()],
            ..pat.matrix.clone()
        };
        // the momentum equation, assembled afresh every outer iteration
        let mut u_eqn = System::<Vec3>::new(pat, has_symmetry);
        let diagonal_positions: Vec<usize> = pat.diag.iter().map(|p| p.get()).collect();
        // shared with the pressure AMG's finest level (no copy; see `release_fine`)
        let mut p_matrix = Arc::new(fresh_matrix());
        let mut grads = vec![[[0.0f64; 3]; 3]; n];
        let mut limits = vec![[1.0f64; 3]; n];
        // b − ∇p V of the momentum solve; then H(U) of the pressure corrector
        let mut momentum_rhs = vec![[0.0f64; 3]; n];
        // each internal face's deferred momentum flux (convection and diffusion corrections),
        // evaluated once per face rather than from each side (24 bytes a face)
        let mut momentum_deferred = Vec::new();
        // each internal face's skewness correction of its HbyA flux (non-orthogonal meshes, 24
        // bytes a face), from the momentum assembly's pass over the faces
        let mut skewness_correction = Vec::new();
        let mut hby_a = vec![[0.0f64; 3]; n];
        // rAtU per cell: one value, or one per component where symmetry planes make the
        // components' diagonals differ
        let r_atu_width = if has_symmetry { 3 } else { 1 };
        let mut r_atu = vec![0.0f64; n * r_atu_width];
        let mut r_au = vec![0.0f64; n * r_atu_width];
        let mut dissipation = vec![0.0f64; mesh.n_faces()];
        let mut pressure_coefficient = vec![0.0f64; mesh.n_faces()];
        let mut velocity_old = vec![[0.0f64; 3]; n];
        let mut rhs_p = vec![0.0; n];
        let mut rhs_bc = vec![0.0; n];
        let mut grad_p = vec![[0.0f64; 3]; n];
        self.pressure_gradient(&s.pressure, &s.boundary_pressure, &mut grad_p);
        let mut pressure_correction_offsets = if g.orthogonal {
            Vec::new()
        } else {
            vec![0.0; mesh.n_faces()]
        };
        let mut amg: Option<Amg> = None;
        // the hierarchy is rebuilt only when the CG iterations of a solve exceed twice (plus
        // two) those of the first solve after the last build, or a solve falls short: with the
        // finest level refreshed every outer iteration, one built at the first iteration kept
        // 4.6 CG iterations per solve for all 114 outer iterations of the duct benchmark
        let mut rebuild_amg = true;
        let mut iterations_after_build: Option<usize> = None;
        // developer profile (RACKFLOW_PROFILE): time per phase, linear iteration counts
        let mut solve_profile = LinearSolveProfile::default();
        let mut outer = OuterIterations::new(settings, self.turbulence.is_some());
        crate::report_phase(
            &format!(
                "flow attempt: {} at α {} (non-orthogonal limit {:?}, stationary tolerance {:e})",
                if settings.second_order {
                    "second order"
                } else {
                    "first order"
                },
                settings.velocity_relaxation,
                settings.non_orthogonal_limit,
                settings.stationary_tolerance
            ),
            0.0,
        );
        let mut swing = if settings.second_order {
            vec![0.0f64; n]
        } else {
            Vec::new()
        };
        let mut limiter_was_frozen = false;
        let mut monitored = std::collections::VecDeque::<Vec<f64>>::new();
        // laminar flow: Venkatakrishnan's smooth limiter and a local pseudo-time step;
        // turbulent flow keeps Barth–Jespersen (its k-ω coupling and wall branches were
        // validated so). Either is held on a stall: the corpus serpentine's 5e4 tetrahedra
        // converge with the smooth one held in 834 iterations and no cell first order, while
        // recomputed it kept swinging and local rounds made 1,571 cells first order (stop 30)
        let smooth_limiter = self.turbulence.is_none();
        let limiter_smoothing = if smooth_limiter && settings.second_order {
            self.venkatakrishnan_smoothing(u_ref)
        } else {
            Vec::new()
        };
        let limiter_kind = if smooth_limiter {
            crate::discretisation::gradient::VectorLimiter::Venkatakrishnan(&limiter_smoothing)
        } else {
            crate::discretisation::gradient::VectorLimiter::BarthJespersen
        };
        if settings.second_order && s.held_limiter.len() == n {
            // a warm start holds the limiter its initial state converged with
            limits.copy_from_slice(&s.held_limiter);
            outer.limiter_frozen = true;
            limiter_was_frozen = true;
        }
        let mut first_order_mask = vec![false; if settings.second_order { n } else { 0 }];
        if settings.second_order && !s.first_order_cells.is_empty() {
            // the cells an earlier solve (a previous coupling pass) made first order
            u_eqn.cell_relaxation = vec![alpha; n];
            for &c in &s.first_order_cells {
                first_order_mask[c as usize] = true;
                let a = &mut u_eqn.cell_relaxation[c as usize];
                *a = a.min(LOCAL_RELAXATION);
            }
        }
        // the momentum's face viscous conductances: the laminar ones as set up, or μ + μ_t
        // refreshed after every turbulence update
        let mut diffusion: Cow<[f64]> = Cow::Borrowed(&self.diffusion);
        let mut turbulence_matrix = None;
        let mut turbulence_residuals = [0.0f64; 2];
        let mut turbulence_work = turbulence::TurbulenceWork::holding(&s.held_turbulence_limiter);
        if let Some(sst) = &self.turbulence {
            self.turbulence_start(sst, &mut s);
            self.turbulent_diffusion(sst, &s, None, diffusion.to_mut());
            turbulence_matrix = Some(fresh_matrix());
        }

        // a local round changes the discretisation, so the solve gets at least a third of
        // `max_iterations` after the last round, up to twice `max_iterations` in all: the
        // microchannel-manifold plate's 5e4 tetrahedra took rounds at iterations 2,000, 2,350
        // and 2,750, re-converging within 300–400 iterations after each, and reached the limit at
        // residuals 3–5 times their tolerances, falling back to first order everywhere (a third,
        // not all of it: a retry that stays flat after its rounds costs at most 1,000 more)
        let mut last_iteration = settings.max_iterations;
        let mut iteration = 0;
        loop {
            if iteration >= last_iteration {
                // a solve still converging at its budget's end goes on, up to twice
                // `max_iterations`, if its pace gets it there: the microchannel-manifold
                // plate's bounded second-order retry had its worst residual at 5–7 times the
                // tolerances at 3,000 iterations, falling threefold per 900
                match outer.projected_remaining() {
                    Some(r)
                        if (r as usize)
                            < (2 * settings.max_iterations).saturating_sub(iteration) =>
                    {
                        last_iteration = (iteration + (1.25 * r).ceil() as usize + 1)
                            .min(2 * settings.max_iterations);
                    }
                    _ => break,
                }
            }
            iteration += 1;
            // ---------- momentum ----------
            let phase = std::time::Instant::now();
            let recompute_limiter = settings.second_order && !outer.limiter_frozen;
            if turbulence_work.current && !(recompute_limiter && turbulence_work.holds_limits()) {
                // the turbulence step's gradient of this velocity and its Barth–Jespersen
                // factors, the limiter a turbulent flow's momentum uses (`limiter_kind`): the
                // same numbers, computed once an iteration instead of twice (not the factors
                // the step holds while the momentum's are still recomputed)
                std::mem::swap(&mut grads, &mut turbulence_work.gradient);
                if recompute_limiter {
                    std::mem::swap(&mut limits, &mut turbulence_work.limits);
                }
                turbulence_work.current = false;
            } else {
                turbulence_work.current = false;
                self.least_squares.gradient_vec3(
                    mesh,
                    cell_faces,
                    &s.velocity,
                    |f| self.boundary_velocity(f, s.velocity[mesh.owner[f] as usize]),
                    &mut grads,
                    recompute_limiter.then_some((limits.as_mut_slice(), limiter_kind)),
                );
            }
            solve_profile.gradient_seconds += phase.elapsed().as_secs_f64();
            if recompute_limiter {
                for &c in &s.first_order_cells {
                    limits[c as usize] = [0.0; 3];
                }
            }
            let pseudo_time = smooth_limiter && settings.second_order;
            // a start with a flow field (a warm start, a coupling pass) assembles once more on
            // its first iteration for the diagonals of its pseudo-time step: the converged
            // fluxes depend on the per-cell relaxation where it differs between neighbours
            // (Majumdar's correction and rAU interpolate α-weighted values), so a first
            // iteration at the uniform α left the start's own fixed point (stop 30: a channel's
            // start from its own result jumped from momentum residuals 1.5e-7 to 1e-4, 23
            // iterations against 15 on main)
            let assemble = |u_eqn: &mut System<Vec3>,
                            momentum_rhs: &mut [Vec3],
                            momentum_deferred: &mut Vec<Vec3>,
                            skewness_correction: &mut Vec<Vec3>| {
                self.momentum_equation(
                    u_eqn,
                    &diffusion,
                    &s,
                    &grads,
                    settings.second_order.then_some(limits.as_slice()),
                    alpha,
                    settings.non_orthogonal_limit,
                    &grad_p,
                    momentum_rhs,
                    momentum_deferred,
                    skewness_correction,
                )
            };
            if pseudo_time && iteration == 1 && started_with_flow {
                assemble(
                    &mut u_eqn,
                    &mut momentum_rhs,
                    &mut momentum_deferred,
                    &mut skewness_correction,
                );
            }
            if pseudo_time && (iteration > 1 || started_with_flow) {
                self.pseudo_time_relaxation(&mut u_eqn, &s.mass_flux, alpha, &first_order_mask);
            }
            assemble(
                &mut u_eqn,
                &mut momentum_rhs,
                &mut momentum_deferred,
                &mut skewness_correction,
            );
            solve_profile.assembly_seconds += phase.elapsed().as_secs_f64();
            let phase = std::time::Instant::now();
            let mut residuals = [0.0f64; 5];
            velocity_old
                .par_chunks_mut(CHUNK)
                .zip(s.velocity.par_chunks(CHUNK))
                .for_each(|(old, new)| old.copy_from_slice(new));
            let (momentum_residuals, momentum_iterations) = self.solve_momentum(
                &mut u_eqn,
                &momentum_rhs,
                &mut s.velocity,
                &diagonal_positions,
                &stop,
            )?;
            residuals[..3].copy_from_slice(&momentum_residuals);
            solve_profile.momentum_iterations += momentum_iterations;
            solve_profile.momentum_seconds += phase.elapsed().as_secs_f64();

            // ---------- pressure (SIMPLEC) ----------
            let phase = std::time::Instant::now();
            let mut lap = std::time::Instant::now();
            // HbyA = H/A − (rAU − rAtU) ∇p with per-volume inverse diagonals (OpenFOAM's rAU,
            // rAtU = 1/(A − H1)), per component: symmetry planes add to one component's diagonal
            // only, and a shared value would break the fixed point. H1 = −Σ a_N (off-diagonals
            // only: any diagonal will do)
            u_eqn.for_each_h(
                &s.velocity,
                &mut hby_a,
                &mut r_atu,
                r_atu_width,
                |c, h, h1, hby_a, r_atu| {
                    let v = mesh.cell_volume[c];
                    for k in 0..3 {
                        let d = u_eqn.diagonal(c, k) / u_eqn.relaxation_of(c);
                        let r_au = v / d;
                        let r_atu_k = v / (d - h1).max(1e-12 * d);
                        hby_a[k] = h[k] / d - (r_au - r_atu_k) * grad_p[c][k];
                        if k < r_atu_width {
                            r_atu[k] = r_atu_k;
                        }
                    }
                },
            );
            // rAtU of cell c along face f's normal: the component the face-flux correction acts on
            let along = |c: usize, f: usize| {
                if r_atu_width == 1 {
                    r_atu[c]
                } else {
                    let (nrm, _) = mesh.face_normal(f);
                    (0..3)
                        .map(|k| r_atu[3 * c + k] * nrm[k] * nrm[k])
                        .sum::<f64>()
                }
            };
            // the pressure equation's coefficient of face f
            let coefficient = |f: usize| {
                let p = mesh.owner[f] as usize;
                if f < ni {
                    let q = mesh.neighbour[f] as usize;
                    let w = self.weight[f];
                    let rho = fvc::linear(w, self.density[p], self.density[q]);
                    rho * fvc::linear(w, along(p, f), along(q, f)) * self.pressure_geometry[f]
                } else if let FlowBc::Outlet(_) = self.bc_of(f) {
                    self.density[p] * along(p, f) * self.pressure_geometry[f]
                } else {
                    0.0
                }
            };
            {
                let relaxation = |c: usize| u_eqn.relaxation_of(c);
                self.hby_a_flux(
                    &hby_a,
                    &velocity_old,
                    &skewness_correction,
                    relaxation,
                    &mut s.mass_flux,
                );
            }
            // rAU per cell (as rAtU): the dissipation the converged face fluxes carry
            r_au.par_chunks_mut(r_atu_width)
                .enumerate()
                .for_each(|(c, r)| {
                    let v = mesh.cell_volume[c];
                    for (k, rk) in r.iter_mut().enumerate() {
                        *rk = v * u_eqn.relaxation_of(c) / u_eqn.diagonal(c, k);
                    }
                });
            solve_profile.hby_a_seconds += lap.elapsed().as_secs_f64();
            lap = std::time::Instant::now();
            // the pressure equation −∇·(ρ rAtU ∇p) = −∇·φ_HbyA: its matrix, and the outlets'
            // fixed pressures in its right-hand side
            if let Some(amg) = amg.as_mut() {
                amg.release_fine();
            }
            // once per face (8 bytes a face): the matrix reads it twice, the dissipation, the
            // flux correction and the non-orthogonal fluxes once each
            pressure_coefficient
                .par_iter_mut()
                .enumerate()
                .with_min_len(CHUNK)
                .for_each(|(f, g)| *g = coefficient(f));
            let pressure_coefficient = &pressure_coefficient;
            let gp = |f: usize| pressure_coefficient[f];
            let pressure_condition = |f: usize| match self.bc_of(f) {
                FlowBc::Outlet(pb) => ScalarCondition::Fixed(pb),
                _ => ScalarCondition::ZeroGradient,
            };
            fused::assemble(
                &-fused::laplacian_scalar(gp, pressure_condition, fused::NO_CORRECTION),
                mesh,
                cell_faces,
                pat,
                Arc::make_mut(&mut p_matrix),
                None,
                None,
                &mut rhs_bc,
            );
            if !has_outlet {
                // pressure level fixed at cell 0 (symmetric: diagonal only)
                Arc::make_mut(&mut p_matrix).val[pat.diag[0]] *= 2.0;
            }
            solve_profile.pressure_assembly_seconds += lap.elapsed().as_secs_f64();
            lap = std::time::Instant::now();
            match amg.as_mut() {
                Some(hierarchy) if !rebuild_amg => hierarchy.refresh_fine(p_matrix.clone()),
                _ => {
                    solve_profile.builds += 1;
                    drop(amg.take()); // the old hierarchy goes before the new one is built
                    rebuild_amg = false;
                    iterations_after_build = None;
                    amg = Some(Amg::shared(
                        p_matrix.clone(),
                        AmgSettings {
                            strength_threshold: PRESSURE_STRENGTH_THRESHOLD,
                            smoother_degree: PRESSURE_SMOOTHER_DEGREE,
                            ..AmgSettings::default()
                        },
                    ));
                }
            }
            solve_profile.amg_seconds += lap.elapsed().as_secs_f64();
            if warm && iteration == 1 && !g.orthogonal {
                // a warm start's pressure flux carries its non-orthogonal part from the first
                // solve on, as the iteration that converged it did (zero offsets would move the
                // pressure by the whole correction and undo the start)
                self.pressure_non_orthogonal_flux(
                    &grad_p,
                    &s.pressure,
                    settings.non_orthogonal_limit,
                    gp,
                    &mut pressure_correction_offsets,
                );
            }
            let correctors = if g.orthogonal {
                0
            } else {
                settings.non_orthogonal_correctors
            };
            for corrector in 0..=correctors {
                self.consistent_dissipation_flux(
                    pressure_coefficient,
                    &s.pressure,
                    &grad_p,
                    &pressure_correction_offsets,
                    &r_atu,
                    &r_au,
                    r_atu_width,
                    &mut dissipation,
                );
                // the divergence of the HbyA fluxes less the explicit non-orthogonal part of the
                // face pressure flux from the previous corrector (or outer iteration)
                let (offsets, phi_hbya, dissipation) =
                    (&pressure_correction_offsets, &s.mass_flux, &dissipation);
                let net = |f: usize| {
                    phi_hbya[f] + dissipation[f] - offsets.get(f).copied().unwrap_or(0.0)
                };
                rhs_p.par_iter_mut().enumerate().for_each(|(c, r)| {
                    let mut sum = rhs_bc[c];
                    for &f in cell_faces.of(c) {
                        let f = f as usize;
                        if f < ni && mesh.owner[f] as usize != c {
                            sum += net(f);
                        } else {
                            sum -= net(f);
                        }
                    }
                    *r = sum;
                });
                lap = std::time::Instant::now();
                let pre = amg
                    .as_ref()
                    .ok_or_else(|| Error::Case("no pressure preconditioner".into()))?;
                let mean = s.pressure.par_iter().sum::<f64>() / n as f64;
                let mut measures = (0.0, 0.0, 0.0);
                let solved = cg_measured(
                    &p_matrix,
                    &rhs_p,
                    &mut s.pressure,
                    pre,
                    |r| {
                        measures = residual_measures_of(&p_matrix, &rhs_p, mean, r);
                        SolveSettings {
                            relative_tolerance: 0.0,
                            absolute_tolerance: (PRESSURE_REDUCTION * measures.2).max(1e-300),
                            max_iterations: 500,
                        }
                    },
                    &stop,
                );
                if corrector == 0 {
                    residuals[3] = measures.0 / (measures.1 + 1e-20);
                }
                solve_profile.cg_seconds += lap.elapsed().as_secs_f64();
                solve_profile.pressure_solves += 1;
                match solved {
                    Ok(info) => {
                        solve_profile.cg_iterations += info.iterations;
                        let reference = *iterations_after_build.get_or_insert(info.iterations);
                        rebuild_amg |= info.iterations > 2 * reference + 2;
                    }
                    // not reduced as far as asked: the outer iteration goes on; a fresh
                    // hierarchy next time
                    Err(Error::LinearSolver { .. }) => rebuild_amg = true,
                    Err(e) => return Err(e),
                }
                // boundary pressures (extrapolated with the previous gradient) and the new
                // gradient
                {
                    let (pressure, grad_p) = (&s.pressure, &grad_p);
                    s.boundary_pressure
                        .par_iter_mut()
                        .enumerate()
                        .for_each(|(i, bp)| {
                            if let Some(value) =
                                self.extrapolated_boundary_pressure(ni + i, pressure, grad_p)
                            {
                                *bp = value;
                            }
                        });
                }
                self.pressure_gradient(&s.pressure, &s.boundary_pressure, &mut grad_p);
                // conservative face fluxes: the offsets of this last solve's right-hand side
                let conservative = |f: usize, m: &mut f64, offset: f64| {
                    let p = mesh.owner[f] as usize;
                    let pressure = &s.pressure;
                    // m holds the HbyA flux
                    *m += dissipation[f];
                    if f < ni {
                        let q = mesh.neighbour[f] as usize;
                        *m -= gp(f) * (pressure[q] - pressure[p]) + offset;
                    } else if let FlowBc::Outlet(pb) = self.bc_of(f) {
                        *m -= gp(f) * (pb - pressure[p]) + offset;
                    }
                };
                if corrector == correctors && !g.orthogonal {
                    // and the next offsets, in the same pass over the faces (each face reads its
                    // old offset before writing its new one)
                    let (pressure, limit) = (&s.pressure, settings.non_orthogonal_limit);
                    s.mass_flux
                        .par_iter_mut()
                        .zip(pressure_correction_offsets.par_iter_mut())
                        .enumerate()
                        .with_min_len(CHUNK)
                        .for_each(|(f, (m, offset))| {
                            conservative(f, m, *offset);
                            *offset = self.non_orthogonal_flux_of(f, &grad_p, pressure, limit, &gp);
                        });
                    continue;
                }
                if corrector == correctors {
                    s.mass_flux
                        .par_iter_mut()
                        .enumerate()
                        .for_each(|(f, m)| conservative(f, m, 0.0));
                }
                if !g.orthogonal {
                    self.pressure_non_orthogonal_flux(
                        &grad_p,
                        &s.pressure,
                        settings.non_orthogonal_limit,
                        gp,
                        &mut pressure_correction_offsets,
                    );
                }
            }
            s.velocity
                .par_iter_mut()
                .zip(hby_a.par_iter().zip(r_atu.par_chunks(r_atu_width)))
                .zip(&grad_p)
                .for_each(|((v, (h, r)), gr)| {
                    for k in 0..3 {
                        v[k] = h[k] - r[k.min(r_atu_width - 1)] * gr[k];
                    }
                });
            solve_profile.pressure_seconds += phase.elapsed().as_secs_f64();
            if settings.second_order {
                // how far each cell's velocity moved this iteration, summed since the last
                // local round: a stalled second-order solve swings in a few cells
                swing
                    .par_iter_mut()
                    .zip(s.velocity.par_iter().zip(&velocity_old))
                    .for_each(|(w, (u, o))| *w += norm(crate::mesh::sub(*u, *o)));
            }

            // ---------- turbulence (k-ω SST) ----------
            if let (Some(sst), Some(matrix)) = (&self.turbulence, turbulence_matrix.as_mut()) {
                let phase = std::time::Instant::now();
                turbulence_residuals =
                    self.turbulence_step(sst, &mut s, matrix, &mut turbulence_work, &stop)?;
                self.turbulent_diffusion(sst, &s, Some(&turbulence_work), diffusion.to_mut());
                solve_profile.turbulence_seconds += phase.elapsed().as_secs_f64();
            }

            // ---------- convergence ----------
            let imbalance = |c: usize| {
                let mut sum = 0.0;
                for &f in cell_faces.of(c) {
                    let f = f as usize;
                    if f < ni && mesh.owner[f] as usize != c {
                        sum -= s.mass_flux[f];
                    } else {
                        sum += s.mass_flux[f];
                    }
                }
                sum
            };
            residuals[4] = (0..n)
                .into_par_iter()
                .with_min_len(CHUNK)
                .map(|c| imbalance(c).abs())
                .sum::<f64>()
                / mass_scale;
            s.history.push(residuals);
            // the outputs a stalled solve is judged by, over its last iterations
            let mut outputs = if monitored.len() >= stationary::STATIONARY_WINDOW {
                monitored.pop_front().unwrap_or_default()
            } else {
                Vec::new()
            };
            self.monitored_outputs(&s, &mut outputs);
            monitored.push_back(outputs);
            s.iterations = iteration;
            let reported = [
                ("Ux", residuals[0]),
                ("Uy", residuals[1]),
                ("Uz", residuals[2]),
                ("p", residuals[3]),
                ("continuity", residuals[4]),
                ("k", turbulence_residuals[0]),
                ("omega", turbulence_residuals[1]),
            ];
            let shown = if self.turbulence.is_some() { 7 } else { 5 };
            monitor.progress(iteration, &reported[..shown]);
            let u_max = s
                .velocity
                .par_iter()
                .map(|v| dot(*v, *v))
                .reduce(|| 0.0f64, f64::max)
                .sqrt();
            // k and ω to ten times the velocity tolerance
            let turbulence_converged = turbulence_residuals
                .iter()
                .all(|&r| r <= 10.0 * settings.velocity_tolerance);
            let verdict = outer.judge(iteration, &residuals, turbulence_converged, u_max / u_ref);
            if outer.limiter_frozen && !limiter_was_frozen {
                // the swing counts from the held limiter on
                limiter_was_frozen = true;
                swing.fill(0.0);
                // the k-ω wall treatment's branch is held with it (`Flow::wall_branches`)
                if let Some(sst) = &self.turbulence {
                    s.wall_log_layer = self.wall_branches(sst, &s.k);
                    // (not the SST's own velocity-gradient limiter, though its Barth–Jespersen
                    // factors moved by more than 0.1 in 700–800 of 13,859 coolant cells at every
                    // iteration of a stalling attempt on a user's U-channel plate at 0.57 mm:
                    // held with the others, that plate's first pass took 1,514 + 1,010
                    // iterations against 1,283 + 944, and at 0.4 mm its second attempt, which
                    // converged in 1,817, still stood at continuity 3e-3 after 2,200; stop 34)
                }
            }
            match verdict {
                Verdict::Continue => {}
                Verdict::LocalFirstOrder => {
                    last_iteration = last_iteration
                        .max(iteration + settings.max_iterations / 3)
                        .min(2 * settings.max_iterations);
                    let largest = swing.iter().fold(0.0f64, |m, &x| m.max(x));
                    let swinging: Vec<usize> = (0..n)
                        .filter(|&c| largest > 0.0 && swing[c] >= SWINGING_FRACTION * largest)
                        .collect();
                    if u_eqn.cell_relaxation.is_empty() {
                        u_eqn.cell_relaxation = vec![alpha; n];
                    }
                    let mut make_first_order = |c: usize| {
                        limits[c] = [0.0; 3];
                        if !first_order_mask[c] {
                            first_order_mask[c] = true;
                            s.first_order_cells.push(c as u32);
                        }
                        let a = &mut u_eqn.cell_relaxation[c];
                        *a = a.min(LOCAL_RELAXATION);
                    };
                    for &c in &swinging {
                        make_first_order(c);
                        // the neighbours' extrapolations feed the cell's inflow faces
                        for &f in cell_faces.of(c) {
                            let f = f as usize;
                            if f < ni {
                                let p = mesh.owner[f] as usize;
                                make_first_order(if p == c {
                                    mesh.neighbour[f] as usize
                                } else {
                                    p
                                });
                            }
                        }
                    }
                    swing.fill(0.0);
                }
                Verdict::Converged => {
                    solve_profile.print(iteration);
                    s.held_limiter = if settings.second_order {
                        std::mem::take(&mut limits)
                    } else {
                        Vec::new()
                    };
                    s.relaxation = Some(alpha);
                    if let Some(sst) = &self.turbulence {
                        s.wall_y_plus = self.shear_y_plus(sst, &s);
                        self.keep_switches(sst, &mut s, &turbulence_work);
                    }
                    return Ok(s);
                }
                Verdict::Diverged { equation } => {
                    solve_profile.print(iteration);
                    let worst = (0..n)
                        .max_by(|&i, &j| imbalance(i).abs().total_cmp(&imbalance(j).abs()))
                        .unwrap_or(0);
                    let names = ["Ux", "Uy", "Uz", "p", "continuity"];
                    return Err(Error::convergence(
                        crate::error::Status::Diverged,
                        crate::error::Equation::Flow,
                        format!(
                            "flow diverged at iteration {iteration} in the {} equation (residuals {residuals:?}); worst cell {worst} at {:?} m; try smaller velocity_relaxation{}",
                            names[equation],
                            mesh.cell_centre[worst],
                            // advice for the settings in use: a first-order solve is there already
                            if settings.second_order { " or first-order convection" } else { "" }
                        ),
                        s.history.iter().map(|r| r[3]).collect(),
                    )
                    .at_position(mesh.cell_centre[worst])
                    .with_partial(|p| last_iterate(p, mesh, &s)));
                }
                Verdict::Stalled => {
                    solve_profile.print(iteration);
                    // a turbulent solve that stalled with its switches held (the limiter and the
                    // wall treatment's branches) is accepted when its outputs are stationary:
                    // the k-ω SST coupling of the rack manifold's 40k tetrahedra oscillates
                    // (periods of 60–130 iterations in the header's dead end) at every
                    // relaxation tried, while with ν_t frozen its momentum converges
                    // A laminar solve is judged the same way (its only switch, the limiter,
                    // held; first order has none), but the driver keeps such a state only when
                    // no other attempt converges (`case::driver::solve_flow_retrying`): the
                    // bundled pin-fin plate's upwind solves stall with ΔP steady (Re_d 390–770
                    // past its pins)
                    let held = outer.limiter_frozen
                        || (!settings.second_order && self.turbulence.is_none());
                    let stationarity = match self.judge_stationary(&monitored, settings.stationary_tolerance) {
                        Ok(stationary) if held => {
                            crate::report_phase(
                                &format!(
                                    "flow attempt stalled stationary at iteration {iteration}: ΔP variation {:.2e}, shares {:.2e}",
                                    stationary.pressure_drop_variation, stationary.split_variation
                                ),
                                0.0,
                            );
                            s.stationary = Some(Stationary {
                                period_two: stationary::period_two(&s.history),
                                ..stationary
                            });
                            s.relaxation = stationary_relaxation(settings, s.relaxation);
                            if let Some(sst) = &self.turbulence {
                                s.wall_y_plus = self.shear_y_plus(sst, &s);
                                self.keep_switches(sst, &mut s, &turbulence_work);
                            }
                            return Ok(s);
                        }
                        Ok(measured) | Err(measured) => format!(
                            "; not statistically stationary either: over the last {} iterations the static pressure drops varied by {:.1e} of their means and the flow shares by {:.1e} (at most {:.0e} accepted)",
                            measured.iterations,
                            measured.pressure_drop_variation,
                            measured.split_variation,
                            settings.stationary_tolerance
                        ),
                    };
                    return Err(Error::convergence(
                        crate::error::Status::Stalled,
                        crate::error::Equation::Flow,
                        format!(
                            "flow stalled: {} (at iteration {iteration}, residuals Ux {:.2e}, Uy {:.2e}, Uz {:.2e}, p {:.2e}, continuity {:.2e}){stationarity}; try smaller velocity_relaxation",
                            if outer.crept {
                                format!("at the pace of the last {PACE_WINDOW} iterations it would not converge within {} iterations", 2 * settings.max_iterations)
                            } else {
                                format!("no 10 % progress in {STALL_ITERATIONS} iterations")
                            },
                            residuals[0], residuals[1], residuals[2], residuals[3], residuals[4]
                        ),
                        s.history.iter().map(|r| r[3]).collect(),
                    )
                    .with_partial(|p| last_iterate(p, mesh, &s)));
                }
            }
            if stop() {
                return Err(Error::Interrupted);
            }
        }
        solve_profile.print(last_iteration);
        // a turbulent solve that crept to its limit is judged as one that stalled: a user's
        // U-channel plate (Re 8,300, 12,000 Gmsh tetrahedra) ended a coupling pass's flow at
        // 3,000 iterations with residuals 1–5 times their tolerances
        let held = outer.limiter_frozen || !settings.second_order;
        if held && self.turbulence.is_some() {
            if let Ok(stationary) = self.judge_stationary(&monitored, settings.stationary_tolerance)
            {
                s.stationary = Some(stationary);
                s.relaxation = stationary_relaxation(settings, s.relaxation);
                if let Some(sst) = &self.turbulence {
                    s.wall_y_plus = self.shear_y_plus(sst, &s);
                    self.keep_switches(sst, &mut s, &turbulence_work);
                }
                return Ok(s);
            }
        }
        let last = s.history.last().copied().unwrap_or([f64::NAN; 5]);
        Err(Error::convergence(
            crate::error::Status::MaxIterations,
            crate::error::Equation::Flow,
            format!(
                "flow did not converge in {} iterations (last residuals Ux {:.2e}, Uy {:.2e}, Uz {:.2e}, p {:.2e}, continuity {:.2e})",
                last_iteration, last[0], last[1], last[2], last[3], last[4]
            ),
            s.history.iter().map(|r| r[3]).collect(),
        )
        .with_partial(|p| last_iterate(p, mesh, &s)))
    }
}

/// The relaxation a solve accepted as statistically stationary records
/// ([`FlowSolution::relaxation`]): a first-order solve's own, which the next coupling pass of
/// `upwind` asked for starts at, as the default's first-order fallback carries its attempt's
/// (a user's U-channel plate, SST on 117,222 tetrahedra, reached a stationary state only at
/// 0.3, after 0.9, 0.675 and 0.5 stalled); a second-order one keeps what its start carried (the
/// default's second-order passes carry only converged relaxations, as before).
fn stationary_relaxation(settings: &FlowSettings, carried: Option<f64>) -> Option<f64> {
    if settings.second_order {
        carried
    } else {
        Some(settings.velocity_relaxation)
    }
}

/// A failed flow solve's last iterate on the fluid mesh, the continuity error (net mass outflow,
/// kg/s) per cell as its residual (the driver maps it to the parent mesh).
fn last_iterate(partial: &mut crate::error::PartialFields, mesh: &Mesh, s: &FlowSolution) {
    partial.velocity_m_s = s.velocity.clone();
    partial.pressure_pa = s.pressure.clone();
    let mut outflow = vec![0.0; mesh.n_cells()];
    for (f, &m) in s.mass_flux.iter().enumerate() {
        outflow[mesh.owner[f] as usize] += m;
        if f < mesh.n_internal_faces {
            outflow[mesh.neighbour[f] as usize] -= m;
        }
    }
    partial.residual = outflow;
}

/// A deferred correction bounded to `limit` times the orthogonal flux it corrects (OpenFOAM's
/// `limited corrected ψ`); unbounded with `None`.
#[inline]
fn bounded(correction: f64, orthogonal: f64, limit: Option<f64>) -> f64 {
    match limit {
        Some(psi) => {
            let most = psi * orthogonal.abs();
            correction.clamp(-most, most)
        }
        None => correction,
    }
}

/// What an outer iteration's residuals say about the solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Go on.
    Continue,
    /// Every residual meets its tolerance.
    Converged,
    /// Non-finite residuals or velocities, velocities 1000× the boundary conditions', or a
    /// residual 1e4× above its best; `equation` indexes (Ux, Uy, Uz, p, continuity).
    Diverged { equation: usize },
    /// No 10 % progress of the worst residual (relative to its tolerance) for
    /// [`STALL_ITERATIONS`] iterations, with the convection limiter already held.
    Stalled,
    /// Stalled with the limiter held: make the convection first order in the cells whose
    /// velocity keeps swinging (see [`LOCAL_FIRST_ORDER_ROUNDS`]) and go on.
    LocalFirstOrder,
}

/// The outer iterations' record: best residuals (divergence), progress of the worst residual
/// relative to its tolerance (stall), and whether the convection limiter is held fixed.
struct OuterIterations {
    settings: FlowSettings,
    best: [f64; 5],
    best_progress: f64,
    improved_at: usize,
    /// The Barth–Jespersen limiter is no longer recomputed.
    limiter_frozen: bool,
    /// Rounds of local first-order convection taken.
    local_rounds: usize,
    /// k-ω SST: the wall treatment's branches are held with the limiter, first order too.
    turbulent: bool,
    /// ln of the worst residual relative to its tolerance, per iteration since the last change
    /// of the discretisation (the start, a held limiter, a local round): the pace projected.
    log_progress: Vec<f64>,
    /// The stall was called on the projected pace, not on a lack of progress.
    crept: bool,
}

impl OuterIterations {
    fn new(settings: &FlowSettings, turbulent: bool) -> Self {
        OuterIterations {
            settings: *settings,
            best: [f64::INFINITY; 5],
            best_progress: f64::INFINITY,
            improved_at: 0,
            limiter_frozen: false,
            local_rounds: 0,
            turbulent,
            log_progress: Vec::new(),
            crept: false,
        }
    }

    /// Iterations still needed at the pace of the last [`PACE_WINDOW`] iterations: the best
    /// worst-residual ratio of its second half against that of its first half, extrapolated to
    /// the tolerances (`None`: too few iterations since the discretisation last changed;
    /// infinite: no progress).
    fn projected_remaining(&self) -> Option<f64> {
        let h = &self.log_progress;
        if h.len() < PACE_WINDOW {
            return None;
        }
        let best = |w: &[f64]| w.iter().copied().fold(f64::INFINITY, f64::min);
        let recent = best(&h[h.len() - PACE_WINDOW / 2..]);
        let before = best(&h[h.len() - PACE_WINDOW..h.len() - PACE_WINDOW / 2]);
        let pace = (before - recent) / (PACE_WINDOW / 2) as f64;
        Some(if recent <= 0.0 {
            0.0
        } else if pace > 0.0 {
            recent / pace
        } else {
            f64::INFINITY
        })
    }

    /// Iterations without progress after which the convection limiter is held: sooner when
    /// local first-order rounds may follow (they need it held), else as before local rounds
    /// existed (the turbulent manifold's explicit second-order solve converges with 400 and
    /// stalls with 100).
    fn hold_limiter_after(&self) -> usize {
        if self.settings.local_first_order {
            LOCAL_STALL_ITERATIONS
        } else {
            STALL_ITERATIONS
        }
    }

    /// Judge iteration `iteration`'s residuals (u, v, w, p, continuity), whether the turbulence
    /// equations converged, and the largest speed relative to the boundary conditions' speed.
    fn judge(
        &mut self,
        iteration: usize,
        residuals: &[f64; 5],
        turbulence_converged: bool,
        relative_speed: f64,
    ) -> Verdict {
        let best = &mut self.best;
        for (k, r) in residuals.iter().enumerate() {
            best[k] = best[k].min(*r);
        }
        let diverged = residuals.iter().any(|r| !r.is_finite())
            || !relative_speed.is_finite()
            || relative_speed > 1e3
            || (iteration > 20
                && (0..4).any(|k| residuals[k] > 0.5 && residuals[k] > 1e4 * best[k].max(1e-8)));
        if diverged {
            let equation = (0..5)
                .max_by(|&i, &j| {
                    (residuals[i] / best[i].max(1e-300))
                        .total_cmp(&(residuals[j] / best[j].max(1e-300)))
                })
                .unwrap_or(0);
            return Verdict::Diverged { equation };
        }
        let settings = &self.settings;
        if settings.converged(residuals) && turbulence_converged {
            return Verdict::Converged;
        }
        let tolerances = [
            settings.velocity_tolerance,
            settings.velocity_tolerance,
            settings.velocity_tolerance,
            settings.pressure_tolerance,
            settings.mass_tolerance,
        ];
        let progress = (0..5)
            .map(|k| residuals[k] / tolerances[k])
            .fold(0.0f64, f64::max);
        self.log_progress.push(progress.max(f64::MIN_POSITIVE).ln());
        // the probe attempt (second order at the settings' relaxation, no local rounds) that
        // creeps too slowly to converge within twice its budget counts as stalled early: on the
        // corpus tetrahedra it used to crawl 1,200–1,800 iterations before stalling
        let creeping = settings.second_order
            && !settings.local_first_order
            && !self.turbulent
            && self.projected_remaining().is_some_and(|r| {
                r > (2 * settings.max_iterations).saturating_sub(iteration) as f64
            });
        let improved = progress < 0.9 * self.best_progress;
        if improved {
            self.best_progress = progress;
            self.improved_at = iteration;
        }
        let idle = iteration - self.improved_at;
        if (creeping || idle > self.hold_limiter_after())
            && (settings.second_order || self.turbulent)
            && !self.limiter_frozen
        {
            // hold the convection limiter fixed and go on: a Barth–Jespersen limiter that
            // switches every iteration is one cause of a stall (a serpentine plate of Gmsh
            // tetrahedra at Re 340 converged only with it frozen); as SU2's `LIMITER_ITER`.
            // A turbulent solve, first order too, holds its k-ω wall branches at this point
            // (`Flow::wall_branches`)
            self.limiter_frozen = true;
            self.improved_at = iteration;
            self.best_progress = f64::INFINITY;
            self.log_progress.clear();
        } else if idle > LOCAL_STALL_ITERATIONS
            && settings.second_order
            && self.limiter_frozen
            && settings.local_first_order
            && progress > LOCAL_FIRST_ORDER_ABOVE
            && self.local_rounds < LOCAL_FIRST_ORDER_ROUNDS
        {
            self.local_rounds += 1;
            self.improved_at = iteration;
            self.best_progress = f64::INFINITY;
            self.log_progress.clear();
            return Verdict::LocalFirstOrder;
        } else if idle > STALL_ITERATIONS || creeping {
            self.crept = idle <= STALL_ITERATIONS;
            // at that pace a decade takes over 9,000 iterations: it is oscillating, not
            // converging
            return Verdict::Stalled;
        }
        Verdict::Continue
    }
}

/// Iterations without 10 % progress of the worst residual (relative to its tolerance) after which
/// a flow solve counts as stalled.
const STALL_ITERATIONS: usize = 400;

/// Iterations over which the pace of convergence is measured (`OuterIterations::projected_remaining`).
const PACE_WINDOW: usize = 400;

/// Iterations without progress, with the limiter held, after which the second-order convection
/// is made first order where the velocity keeps swinging.
const LOCAL_STALL_ITERATIONS: usize = 100;

/// Rounds of local first-order convection one flow solve may take before it counts as stalled.
const LOCAL_FIRST_ORDER_ROUNDS: usize = 8;

/// Momentum relaxation of the cells a local round makes first order.
const LOCAL_RELAXATION: f64 = 0.3;

/// Courant number of the local pseudo-time step of a laminar second-order momentum solve: each
/// cell's relaxation is at most `a_P / (a_P + Σ_f |F_f| / CFL)`, an implicit `ρ V / Δτ` with
/// `Δτ = CFL ρ V / Σ_f |F_f|` (the transient solver's `fvm::ddt` diagonal, lagged on the
/// previous iterate). In the convection-dominated core of the straight conjugate channel's
/// 0.4 mm tetrahedra (cell Péclet 1e2–1e3) the uniform 0.9 ran into a limit cycle at residuals
/// 2e-5 with the Venkatakrishnan limiter (a uniform 0.675 converged in 480 iterations); with
/// CFL 5 (≈ 0.7 in such cells, 0.9 where diffusion dominates, by the walls) it converged in 300
/// (benchmarks/RESULTS.md, stop 30).
const PSEUDO_TIME_CFL: f64 = 5.0;

/// Venkatakrishnan's K of the laminar momentum limiter: ε² = (K h / D_h)³ U² per cell, with h
/// the cell's size (∛V), D_h = 4 V_fluid / A_wall the flow domain's mean hydraulic diameter
/// and U the boundary conditions' speed. On the straight conjugate channel's 0.4 mm
/// tetrahedra (stop 30) Barth–Jespersen recomputed each iteration stalled at residuals 1e-3 (the
/// factor switching, pseudo-time step or not); held, the residuals fell to 4e-6 and then grew
/// 70-fold per 100 iterations; unlimited (ψ = 1) the flow diverged within 100 iterations. This
/// limiter converged at K 0.5 and 1.6 (the latter more slowly, without the pseudo-time step);
/// larger K limits less.
const VENKATAKRISHNAN_K: f64 = 0.5;

/// Local rounds only while the worst residual is this many times its tolerance: near
/// convergence the swing is spread thin and would pick cells at random (measured: 7,888 cells at
/// a continuity 1.7 times its tolerance).
const LOCAL_FIRST_ORDER_ABOVE: f64 = 100.0;

/// A cell whose accumulated velocity swing is at least this fraction of the largest is made
/// first order in a local round.
const SWINGING_FRACTION: f64 = 0.1;

/// Developer counters of the outer iterations, reported through the profiling hook.
#[derive(Default)]
struct LinearSolveProfile {
    builds: usize,
    cg_iterations: usize,
    /// Pressure solves (one per non-orthogonal corrector and outer iteration).
    pressure_solves: usize,
    /// Velocity gradients and limiter (part of `assembly_seconds`), s.
    gradient_seconds: f64,
    /// HbyA, rAtU and the Rhie–Chow face fluxes (part of `pressure_seconds`), s.
    hby_a_seconds: f64,
    /// The pressure matrix (part of `pressure_seconds`), s.
    pressure_assembly_seconds: f64,
    /// AMG builds and fine-level refreshes (part of `pressure_seconds`), s.
    amg_seconds: f64,
    /// Pressure right-hand sides and CG solves (part of `pressure_seconds`), s.
    cg_seconds: f64,
    /// BiCGStab iterations of the three momentum components together.
    momentum_iterations: usize,
    /// Velocity gradients, limiter and momentum assembly, s.
    assembly_seconds: f64,
    /// Momentum solves, s.
    momentum_seconds: f64,
    /// HbyA, face fluxes, pressure assembly, AMG set-up, solves, gradients and corrections, s.
    pressure_seconds: f64,
    /// The k-ω SST step and the viscous conductances after it, s.
    turbulence_seconds: f64,
}

impl LinearSolveProfile {
    /// Report the totals of a solve's outer iterations as phases (developer profiling hook).
    fn print(&self, outer_iterations: usize) {
        crate::report_phase(
            &format!("flow: momentum assembly ({outer_iterations} outer iterations)"),
            self.assembly_seconds,
        );
        crate::report_phase(
            &format!(
                "flow: momentum solves ({} BiCGStab iterations, 3 components)",
                self.momentum_iterations
            ),
            self.momentum_seconds,
        );
        crate::report_phase(
            &format!(
                "flow: pressure ({} CG iterations, {} AMG builds)",
                self.cg_iterations, self.builds
            ),
            self.pressure_seconds,
        );
        if self.turbulence_seconds > 0.0 {
            crate::report_phase("flow: turbulence (k-ω SST)", self.turbulence_seconds);
        }
        // the parts (developer detail: they are inside the phases above)
        crate::report_phase(
            "flow:   of which velocity gradients and limiter",
            self.gradient_seconds,
        );
        crate::report_phase("flow:   of which HbyA and face fluxes", self.hby_a_seconds);
        crate::report_phase(
            "flow:   of which pressure matrix",
            self.pressure_assembly_seconds,
        );
        crate::report_phase("flow:   of which AMG build/refresh", self.amg_seconds);
        crate::report_phase(
            &format!(
                "flow:   of which pressure CG ({} solves)",
                self.pressure_solves
            ),
            self.cg_seconds,
        );
        crate::report_phase(
            "flow:   of which pressure gradient, fluxes, velocity",
            self.pressure_seconds
                - self.hby_a_seconds
                - self.pressure_assembly_seconds
                - self.amg_seconds
                - self.cg_seconds,
        );
    }
}

/// Test fixture: the conditions on a [`crate::mesh::structured::BoxArrays`] channel's patches
/// (x−, x+, y−, y+, z−, z+): a uniform inlet at `speed` (m/s) on x−, the outlet at 0 Pa on x+,
/// no-slip walls on y±, symmetry on z± (flow between parallel plates).
#[cfg(test)]
pub(crate) fn plate_channel_bc(speed: f64) -> Vec<FlowBc> {
    vec![
        FlowBc::Inlet(speed),
        FlowBc::Outlet(0.0),
        FlowBc::Wall([0.0; 3]),
        FlowBc::Wall([0.0; 3]),
        FlowBc::Symmetry,
        FlowBc::Symmetry,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outer_iterations_freeze_the_limiter_before_calling_a_stall() {
        let settings = FlowSettings::default();
        let mut outer = OuterIterations::new(&settings, false);
        let flat = [1e-3; 5];
        let mut frozen_at = None;
        let mut verdict = Verdict::Continue;
        for iteration in 1..=2000 {
            verdict = outer.judge(iteration, &flat, true, 1.0);
            if outer.limiter_frozen && frozen_at.is_none() {
                frozen_at = Some(iteration);
            }
            if verdict != Verdict::Continue {
                break;
            }
        }
        // a probe attempt without progress is projected never to converge: held after
        // PACE_WINDOW iterations, stalled as many after
        assert_eq!(frozen_at, Some(PACE_WINDOW));
        assert_eq!(verdict, Verdict::Stalled);
    }

    #[test]
    fn a_turbulent_first_order_stall_holds_its_switches_first_and_a_laminar_one_does_not() {
        let settings = FlowSettings {
            second_order: false,
            ..Default::default()
        };
        let flat = [1e-3; 5];
        for turbulent in [false, true] {
            let mut outer = OuterIterations::new(&settings, turbulent);
            let mut verdict = Verdict::Continue;
            let mut iteration = 0;
            while verdict == Verdict::Continue {
                iteration += 1;
                verdict = outer.judge(iteration, &flat, true, 1.0);
            }
            assert_eq!(verdict, Verdict::Stalled);
            assert_eq!(outer.limiter_frozen, turbulent);
            // held at STALL_ITERATIONS + 2, then as many again without progress after the
            // next iteration's fresh best
            let expected = if turbulent {
                2 * STALL_ITERATIONS + 4
            } else {
                STALL_ITERATIONS + 2
            };
            assert_eq!(iteration, expected);
        }
    }

    #[test]
    fn a_stall_far_from_convergence_takes_local_first_order_rounds_when_allowed() {
        let far = [1e-3; 5];
        let near = [50.0 * 1e-7, 1e-7, 1e-7, 1e-6, 1e-6];
        let run = |local_first_order: bool, residuals: [f64; 5]| {
            let settings = FlowSettings {
                local_first_order,
                ..Default::default()
            };
            let mut outer = OuterIterations::new(&settings, false);
            let mut rounds = Vec::new();
            for iteration in 1..=5000 {
                match outer.judge(iteration, &residuals, true, 1.0) {
                    Verdict::Continue => {}
                    Verdict::LocalFirstOrder => rounds.push(iteration),
                    other => return (rounds, other, iteration),
                }
            }
            (rounds, Verdict::Continue, 5000)
        };
        let (rounds, last, _) = run(true, far);
        assert_eq!(rounds.len(), LOCAL_FIRST_ORDER_ROUNDS);
        // the limiter is held first, then a round every LOCAL_STALL_ITERATIONS without progress
        assert_eq!(rounds[0], 2 * (LOCAL_STALL_ITERATIONS + 2));
        assert_eq!(last, Verdict::Stalled);
        // not asked for (an explicit scheme), or near convergence: no rounds
        assert!(run(false, far).0.is_empty());
        assert!(run(true, near).0.is_empty());
    }

    #[test]
    fn a_probe_attempt_that_creeps_stalls_early_and_a_steady_one_is_projected_to_converge() {
        // the worst residual 1e4 times its tolerance, falling tenfold per 10,000 iterations: at
        // that pace it needs 40,000 more, far beyond twice the budget
        let creep = |i: usize| 1e-3 * 10f64.powf(-(i as f64) / 10_000.0);
        let settings = FlowSettings::default();
        let mut outer = OuterIterations::new(&settings, false);
        let mut verdict = Verdict::Continue;
        let mut iteration = 0;
        while verdict == Verdict::Continue && iteration < 5000 {
            iteration += 1;
            let r = creep(iteration);
            verdict = outer.judge(iteration, &[r, r, r, 10.0 * r, 10.0 * r], true, 1.0);
        }
        assert_eq!(verdict, Verdict::Stalled);
        assert!(outer.crept);
        // the limiter held at PACE_WINDOW, the pace measured afresh after it
        assert_eq!(iteration, 2 * PACE_WINDOW);
        // the retries (local rounds allowed) are not cut on their pace
        let retry = FlowSettings {
            local_first_order: true,
            ..Default::default()
        };
        let mut outer = OuterIterations::new(&retry, false);
        for iteration in 1..=1000 {
            let r = creep(iteration);
            let verdict = outer.judge(iteration, &[r, r, r, 10.0 * r, 10.0 * r], true, 1.0);
            assert_ne!(verdict, Verdict::Stalled);
        }
        assert!(!outer.crept);
        // tenfold per 500 iterations from 100 times the tolerances: about 1,000 to go
        let mut outer = OuterIterations::new(&settings, false);
        for iteration in 1..=PACE_WINDOW {
            let r = 1e-5 * 10f64.powf(-(iteration as f64) / 500.0);
            assert_eq!(
                outer.judge(iteration, &[r, r, r, 10.0 * r, 10.0 * r], true, 1.0),
                Verdict::Continue
            );
        }
        let remaining = outer.projected_remaining().unwrap();
        let expected = 500.0 * (100.0f64 * 10f64.powf(-0.8)).log10();
        assert!(
            (remaining - expected).abs() < 1.0,
            "{remaining} vs {expected}"
        );
    }

    #[test]
    fn outer_iterations_name_the_diverging_equation_and_accept_convergence() {
        let settings = FlowSettings::default();
        let mut outer = OuterIterations::new(&settings, false);
        for iteration in 1..=30 {
            assert_eq!(
                outer.judge(iteration, &[1e-4; 5], true, 1.0),
                Verdict::Continue
            );
        }
        let mut blown = [1e-4; 5];
        blown[3] = 2.0;
        assert_eq!(
            outer.judge(31, &blown, true, 1.0),
            Verdict::Diverged { equation: 3 }
        );
        assert!(matches!(
            outer.judge(32, &[1e-4; 5], true, f64::NAN),
            Verdict::Diverged { .. }
        ));
        let mut outer = OuterIterations::new(&settings, false);
        assert_eq!(outer.judge(1, &[1e-9; 5], true, 1.0), Verdict::Converged);
        assert_eq!(outer.judge(2, &[1e-9; 5], false, 1.0), Verdict::Continue);
    }
}
