//! Steady incompressible laminar Navier–Stokes on a (fluid) mesh: collocated cell-centred
//! velocity and pressure, SIMPLEC pressure–velocity coupling with Rhie–Chow face fluxes
//! (OpenFOAM's simpleFoam with `consistent yes`), bounded second-order (limited linear-upwind)
//! or first-order upwind convection, two-point diffusion with non-orthogonal correction.
//!
//! Per outer iteration: assemble momentum linearised on the current mass fluxes, solve each
//! component (BiCGStab, Jacobi), form HbyA, solve the pressure equation (CG with multigrid),
//! correct face fluxes (conservative to the linear-solver tolerance) and cell velocities.

use crate::discretisation::gradient::LeastSquares;
use crate::discretisation::pattern::CellPattern;
use crate::discretisation::FaceGeometry;
use crate::linalg::{bicgstab, cg, Amg, AmgSettings, Csr, SolveSettings, SymmetricGaussSeidel};
use crate::mesh::{dot, Mesh, Vec3};
use crate::{Error, Monitor, Result};
use rayon::prelude::*;

/// AMG strength threshold of the pressure equation. Stretched cells (the duct benchmark's are
/// 4× longer than wide, so their axial couplings are 16× weaker) need the weak direction
/// ignored when aggregating: θ = 0 takes 19–28 CG iterations per 100× reduction there, θ = 0.08
/// 6–7 (rust/core/examples/amg_duct.rs), at a similar cost per iteration since the prolongator
/// is smoothed with the filtered operator.
const PRESSURE_STRENGTH_THRESHOLD: f64 = 0.08;

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
    /// Maximum outer iterations.
    pub max_iterations: usize,
    /// Extra pressure solves per outer iteration that update the explicit non-orthogonal
    /// correction (OpenFOAM's `nNonOrthogonalCorrectors`); unused on orthogonal meshes.
    pub non_orthogonal_correctors: usize,
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
}

/// The flow problem on a mesh whose every cell is fluid.
pub struct Flow<'m> {
    mesh: &'m Mesh,
    geometry: FaceGeometry,
    pattern: CellPattern,
    least_squares: LeastSquares,
    density: Vec<f64>,
    viscosity: Vec<f64>,
    bc: Vec<FlowBc>,
    /// Owner interpolation weight of each internal face.
    weight: Vec<f64>,
}

impl<'m> Flow<'m> {
    /// Set up; `density` and `viscosity` per cell, `bc` per patch.
    pub fn new(mesh: &'m Mesh, density: Vec<f64>, viscosity: Vec<f64>, bc: Vec<FlowBc>) -> Self {
        let geometry = FaceGeometry::new(mesh);
        let weight = (0..mesh.n_internal_faces)
            .map(|f| geometry.d_neighbour[f] / (geometry.d_owner[f] + geometry.d_neighbour[f]))
            .collect();
        Flow {
            pattern: CellPattern::new(mesh),
            least_squares: LeastSquares::new(mesh, vec![false; mesh.n_internal_faces]),
            geometry,
            mesh,
            density,
            viscosity,
            bc,
            weight,
        }
    }

    fn bc_of(&self, f: usize) -> FlowBc {
        self.bc[self.mesh.patch_of_face(f)]
    }

    /// Velocity on boundary face `f` given the adjacent cell velocity.
    fn boundary_velocity(&self, f: usize, up: Vec3) -> Vec3 {
        let n = self.geometry.normal[f];
        match self.bc_of(f) {
            FlowBc::Inlet(speed) => [-speed * n[0], -speed * n[1], -speed * n[2]],
            FlowBc::Wall(v) => v,
            FlowBc::Outlet(_) => up,
            FlowBc::Symmetry => {
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
                    total +=
                        self.density[self.mesh.owner[f] as usize] * speed * self.geometry.area[f];
                }
            }
        }
        total
    }

    fn velocity_gradients(&self, u: &[Vec3]) -> [Vec<Vec3>; 3] {
        let mesh = self.mesh;
        let grads: Vec<Vec<Vec3>> = (0..3)
            .into_par_iter()
            .map(|d| {
                let comp: Vec<f64> = u.iter().map(|v| v[d]).collect();
                self.least_squares.gradient(mesh, &comp, |f, _| {
                    self.boundary_velocity(f, u[mesh.owner[f] as usize])[d]
                })
            })
            .collect();
        let mut it = grads.into_iter();
        [
            it.next().unwrap_or_default(),
            it.next().unwrap_or_default(),
            it.next().unwrap_or_default(),
        ]
    }

    /// The pressure gradient of the momentum source and the velocity correction: Green–Gauss,
    /// as OpenFOAM's `Gauss linear`, so that the pressure force summed over the cells is the
    /// boundary integral of p n dA. On Delaunay tetrahedra it converged the outer iteration in
    /// a third of the iterations of the least-squares gradient, with smaller f·Re errors.
    fn pressure_gradient(&self, p: &[f64], boundary_p: &[f64]) -> Vec<Vec3> {
        let ni = self.mesh.n_internal_faces;
        crate::discretisation::gradient::gauss(self.mesh, &self.weight, p, |f| boundary_p[f - ni])
    }

    /// The explicit (deferred) non-orthogonal part of each face's pressure flux:
    /// `g_f (∇p)_f · k` with `k = (n·d) n − d` and the linearly interpolated face gradient, as
    /// OpenFOAM's `corrected` scheme. Extrapolating each side with its own cell gradient (as
    /// the conduction fluxes do, to correct skewness too) amplifies least-squares gradient noise
    /// on tetrahedra until SIMPLE diverges; on the boundary only outlets carry a correction.
    fn pressure_non_orthogonal_flux(&self, grad: &[Vec3], gp: &[f64], out: &mut [f64]) {
        let mesh = self.mesh;
        let g = &self.geometry;
        let ni = mesh.n_internal_faces;
        out.par_iter_mut().enumerate().for_each(|(f, o)| {
            let p = mesh.owner[f] as usize;
            *o = if f < ni {
                let q = mesh.neighbour[f] as usize;
                let w = self.weight[f];
                let face_grad = [
                    w * grad[p][0] + (1.0 - w) * grad[q][0],
                    w * grad[p][1] + (1.0 - w) * grad[q][1],
                    w * grad[p][2] + (1.0 - w) * grad[q][2],
                ];
                let k = crate::mesh::sub(g.neighbour_offset[f], g.owner_offset[f]);
                gp[f] * dot(face_grad, k)
            } else if matches!(self.bc_of(f), FlowBc::Outlet(_)) {
                -gp[f] * dot(grad[p], g.owner_offset[f])
            } else {
                0.0
            };
        });
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
        let p = self.mesh.owner[f] as usize;
        let r = crate::mesh::sub(self.mesh.face_centre[f], self.mesh.cell_centre[p]);
        let along = match self.bc_of(f) {
            FlowBc::Outlet(_) => return None,
            FlowBc::Inlet(_) => r,
            FlowBc::Wall(_) | FlowBc::Symmetry => {
                let nrm = self.geometry.normal[f];
                let rn = dot(r, nrm);
                [r[0] - rn * nrm[0], r[1] - rn * nrm[1], r[2] - rn * nrm[2]]
            }
        };
        Some(pressure[p] + dot(grad[p], along))
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
        for _ in 0..100 {
            let grad = self.pressure_gradient(&s.pressure, &s.boundary_pressure);
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
        let stop = || monitor.should_stop();

        let mut s = initial.unwrap_or_else(|| FlowSolution {
            velocity: vec![[0.0; 3]; n],
            pressure: vec![0.0; n],
            mass_flux: vec![0.0; mesh.n_faces()],
            boundary_pressure: vec![0.0; nb],
            ..Default::default()
        });
        // fixed inflow fluxes and outlet pressures hold from the start
        for f in ni..mesh.n_faces() {
            match self.bc_of(f) {
                FlowBc::Inlet(speed) => {
                    s.mass_flux[f] = -self.density[mesh.owner[f] as usize] * speed * g.area[f]
                }
                FlowBc::Outlet(p) => s.boundary_pressure[f - ni] = p,
                _ => {}
            }
        }
        let has_outlet = self.bc.iter().any(|b| matches!(b, FlowBc::Outlet(_)));
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
                            * g.area[f].sqrt()
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

        let mut a = pat.matrix.clone();
        let mut p_matrix = pat.matrix.clone();
        let mut b = vec![[0.0f64; 3]; n];
        let mut diag_extra = vec![[0.0f64; 3]; n]; // component-specific diagonal (symmetry planes)
        let mut amg: Option<Amg> = None;
        let mut amg_age = 0usize;
        // developer profile (RACKFLOW_PROFILE): pressure-solve time, linear iteration counts
        let mut solve_profile = LinearSolveProfile::default();
        let mut best = [f64::INFINITY; 5];
        // stall detection: the worst residual relative to its tolerance, its best value so far
        // and when that last improved by 10 %
        let mut best_progress = f64::INFINITY;
        let mut improved_at = 0usize;
        let mut rhs_p = vec![0.0; n];
        let mut grad_p = self.pressure_gradient(&s.pressure, &s.boundary_pressure);
        let mut pressure_correction_offsets = vec![0.0; mesh.n_faces()];
        let mut r_atu_k = vec![[0.0f64; 3]; n];

        for iteration in 1..=settings.max_iterations {
            // ---------- momentum ----------
            let grads = self.velocity_gradients(&s.velocity);
            let limits: Vec<Vec<f64>> = if settings.second_order {
                (0..3)
                    .map(|d| {
                        let comp: Vec<f64> = s.velocity.iter().map(|v| v[d]).collect();
                        crate::discretisation::gradient::limiter(mesh, &comp, &grads[d], |f| {
                            Some(self.boundary_velocity(f, s.velocity[mesh.owner[f] as usize])[d])
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            a.val.iter_mut().for_each(|v| *v = 0.0);
            b.iter_mut().for_each(|v| *v = [0.0; 3]);
            diag_extra.iter_mut().for_each(|v| *v = [0.0; 3]);
            for f in 0..ni {
                let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
                let phi = s.mass_flux[f];
                let d = g.area[f]
                    / (g.d_owner[f] / self.viscosity[p] + g.d_neighbour[f] / self.viscosity[q]);
                a.val[pat.diag[p]] += d + phi.max(0.0);
                a.val[pat.diag[q]] += d + (-phi).max(0.0);
                a.val[pat.upper[f]] -= d + (-phi).max(0.0);
                a.val[pat.lower[f]] -= d + phi.max(0.0);
                for k in 0..3 {
                    // diffusion non-orthogonal correction
                    let corr = d
                        * (dot(grads[k][q], g.neighbour_offset[f])
                            - dot(grads[k][p], g.owner_offset[f]));
                    // limited linear-upwind deferred correction
                    let ho = if settings.second_order {
                        let up = if phi >= 0.0 { p } else { q };
                        let r = crate::mesh::sub(mesh.face_centre[f], mesh.cell_centre[up]);
                        phi * limits[k][up] * dot(grads[k][up], r)
                    } else {
                        0.0
                    };
                    b[p][k] += corr - ho;
                    b[q][k] += -corr + ho;
                }
            }
            for f in ni..mesh.n_faces() {
                let p = mesh.owner[f] as usize;
                let phi = s.mass_flux[f];
                let dwall = self.viscosity[p] * g.area[f] / g.d_owner[f];
                let nrm = g.normal[f];
                match self.bc_of(f) {
                    FlowBc::Inlet(_) | FlowBc::Wall(_) => {
                        let ub = self.boundary_velocity(f, s.velocity[p]);
                        a.val[pat.diag[p]] += dwall + phi.max(0.0);
                        for k in 0..3 {
                            // the wall shear from the value at P' (on the face normal through
                            // the face centre), as the conduction fluxes do
                            let correction = dwall * dot(grads[k][p], g.owner_offset[f]);
                            b[p][k] += (dwall + (-phi).max(0.0)) * ub[k] - correction;
                        }
                    }
                    FlowBc::Outlet(_) => {
                        a.val[pat.diag[p]] += phi.max(0.0);
                    }
                    FlowBc::Symmetry => {
                        // the normal component is pulled to zero implicitly, per component
                        // (n_k²); SIMPLEC's A and H below account for the per-component diagonal
                        // the way OpenFOAM's cmptAv(internalCoeffs) does
                        let up = s.velocity[p];
                        for k in 0..3 {
                            diag_extra[p][k] += dwall * nrm[k] * nrm[k];
                            let others: f64 =
                                (0..3).filter(|&j| j != k).map(|j| nrm[j] * up[j]).sum();
                            b[p][k] -= dwall * nrm[k] * others;
                        }
                    }
                }
            }
            // bounded convection (OpenFOAM's `bounded Gauss`): subtract the cell's net outflow
            // from the diagonal, so that a continuity error of the lagged fluxes can neither
            // weaken the diagonal below the neighbours' sum nor drive SIMPLEC's 1/(A − H1) to
            // infinity
            let mut net_outflow = vec![0.0; n];
            for f in 0..mesh.n_faces() {
                net_outflow[mesh.owner[f] as usize] += s.mass_flux[f];
                if f < ni {
                    net_outflow[mesh.neighbour[f] as usize] -= s.mass_flux[f];
                }
            }
            for c in 0..n {
                a.val[pat.diag[c]] -= net_outflow[c];
            }
            // relaxation (Patankar) and the pressure-gradient source
            let diag_plain: Vec<f64> = pat.diag.iter().map(|&e| a.val[e]).collect();
            let mut residuals = [0.0f64; 5];
            let mut b_no_p = b.clone();
            for c in 0..n {
                for k in 0..3 {
                    let dk = (diag_plain[c] + diag_extra[c][k]) / alpha;
                    b_no_p[c][k] += (dk - diag_plain[c] - diag_extra[c][k]) * s.velocity[c][k];
                    b[c][k] = b_no_p[c][k] - grad_p[c][k] * mesh.cell_volume[c];
                }
            }
            let mut velocity_new = s.velocity.clone();
            let mut residual_parts_uvw = [(0.0f64, 0.0f64); 3];
            for k in 0..3 {
                for c in 0..n {
                    a.val[pat.diag[c]] = (diag_plain[c] + diag_extra[c][k]) / alpha;
                }
                let rhs: Vec<f64> = b.iter().map(|v| v[k]).collect();
                let mut x: Vec<f64> = s.velocity.iter().map(|v| v[k]).collect();
                let (num, den, initial) = residual_measures(&a, &rhs, &x);
                residual_parts_uvw[k] = (num, den);
                let tol = SolveSettings {
                    relative_tolerance: 0.0,
                    absolute_tolerance: (0.01 * initial).max(1e-300),
                    max_iterations: 200,
                };
                let info = bicgstab(&a, &rhs, &mut x, &SymmetricGaussSeidel::new(&a), tol, &stop);
                match info {
                    Ok(info) => solve_profile.momentum_iterations += info.iterations,
                    Err(Error::LinearSolver { .. }) => {}
                    Err(e) => return Err(e),
                }
                for c in 0..n {
                    velocity_new[c][k] = x[c];
                }
            }
            // a component that is zero everywhere (a symmetry-plane normal) would normalise its
            // round-off by round-off: floor each normalisation at a fraction of the largest
            let largest = residual_parts_uvw
                .iter()
                .map(|p| p.1)
                .fold(0.0f64, f64::max);
            for k in 0..3 {
                let (num, den) = residual_parts_uvw[k];
                residuals[k] = num / den.max(1e-3 * largest).max(1e-300);
            }
            // restore the shared (relaxed) diagonal for H and rAU
            for c in 0..n {
                a.val[pat.diag[c]] = diag_plain[c] / alpha;
            }
            let velocity_old = std::mem::replace(&mut s.velocity, velocity_new);

            // ---------- pressure (SIMPLEC) ----------
            // per-volume inverse diagonals (OpenFOAM's rAU, rAtU), per component: symmetry planes
            // add to one component's diagonal only, and a shared value would break the fixed point
            // H = b_no_p − Σ a_N U_N; H1 = −Σ a_N
            let mut h = b_no_p.clone();
            let mut h1 = vec![0.0; n];
            for c in 0..n {
                for e in a.row_ptr[c]..a.row_ptr[c + 1] {
                    let j = a.col[e] as usize;
                    if j != c {
                        h1[c] -= a.val[e];
                        for k in 0..3 {
                            h[c][k] -= a.val[e] * s.velocity[j][k];
                        }
                    }
                }
            }
            let diag_k = |c: usize, k: usize| (diag_plain[c] + diag_extra[c][k]) / alpha;
            let hby_a: Vec<Vec3> = (0..n)
                .map(|c| {
                    let v = mesh.cell_volume[c];
                    let mut out = [0.0; 3];
                    for k in 0..3 {
                        let d = diag_k(c, k);
                        let r_au = v / d;
                        let r_atu = v / (d - h1[c]).max(1e-12 * d);
                        out[k] = h[c][k] / d - (r_au - r_atu) * grad_p[c][k];
                        r_atu_k[c][k] = r_atu;
                    }
                    out
                })
                .collect();
            // face fluxes of HbyA and pressure-equation coefficients
            let mut phi_hbya = vec![0.0; mesh.n_faces()];
            let mut gp = vec![0.0; mesh.n_faces()];
            p_matrix.val.iter_mut().for_each(|v| *v = 0.0);
            for f in 0..ni {
                let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
                let w = self.weight[f];
                let rho = w * self.density[p] + (1.0 - w) * self.density[q];
                let hf = [
                    w * hby_a[p][0] + (1.0 - w) * hby_a[q][0],
                    w * hby_a[p][1] + (1.0 - w) * hby_a[q][1],
                    w * hby_a[p][2] + (1.0 - w) * hby_a[q][2],
                ];
                // Majumdar's correction: the relaxation part of HbyA, (1 − α) u_old, enters the
                // face flux as (1 − α) φ_old instead of its interpolation, so the converged
                // fluxes (and the solution) do not depend on the relaxation factor
                let mut old_f = [
                    w * velocity_old[p][0] + (1.0 - w) * velocity_old[q][0],
                    w * velocity_old[p][1] + (1.0 - w) * velocity_old[q][1],
                    w * velocity_old[p][2] + (1.0 - w) * velocity_old[q][2],
                ];
                // skewness: move both interpolations from the point on the line between the
                // cell centres to the face centre with the velocity gradient (of u_old, which
                // HbyA approaches). Without it the face fluxes of a fully developed duct flow
                // on Delaunay tetrahedra carry an O(1) interpolation error that continuity
                // turns into a spurious cross-flow (1.3 % of U) and f·Re 4 % high
                let mut hf = hf;
                if !self.geometry.orthogonal {
                    let (cp, cq) = (mesh.cell_centre[p], mesh.cell_centre[q]);
                    let xf = mesh.face_centre[f];
                    let delta = [
                        xf[0] - (w * cp[0] + (1.0 - w) * cq[0]),
                        xf[1] - (w * cp[1] + (1.0 - w) * cq[1]),
                        xf[2] - (w * cp[2] + (1.0 - w) * cq[2]),
                    ];
                    for k in 0..3 {
                        let gk = [
                            w * grads[k][p][0] + (1.0 - w) * grads[k][q][0],
                            w * grads[k][p][1] + (1.0 - w) * grads[k][q][1],
                            w * grads[k][p][2] + (1.0 - w) * grads[k][q][2],
                        ];
                        let c = dot(gk, delta);
                        hf[k] += c;
                        old_f[k] += c;
                    }
                }
                phi_hbya[f] = rho * dot(hf, mesh.face_area[f])
                    + (1.0 - alpha) * (s.mass_flux[f] - rho * dot(old_f, mesh.face_area[f]));
                let nrm = g.normal[f];
                let along = |c: usize| (0..3).map(|k| r_atu_k[c][k] * nrm[k] * nrm[k]).sum::<f64>();
                // rAtU along the face normal: the component the face-flux correction acts on
                let r_f = w * along(p) + (1.0 - w) * along(q);
                gp[f] = rho * r_f * g.area[f] / (g.d_owner[f] + g.d_neighbour[f]);
                p_matrix.val[pat.diag[p]] += gp[f];
                p_matrix.val[pat.diag[q]] += gp[f];
                p_matrix.val[pat.upper[f]] -= gp[f];
                p_matrix.val[pat.lower[f]] -= gp[f];
            }
            rhs_p.iter_mut().for_each(|v| *v = 0.0);
            for f in ni..mesh.n_faces() {
                let p = mesh.owner[f] as usize;
                match self.bc_of(f) {
                    FlowBc::Inlet(_) => phi_hbya[f] = s.mass_flux[f],
                    FlowBc::Wall(_) | FlowBc::Symmetry => phi_hbya[f] = 0.0,
                    FlowBc::Outlet(pb) => {
                        let rho = self.density[p];
                        phi_hbya[f] = rho * dot(hby_a[p], mesh.face_area[f])
                            + (1.0 - alpha)
                                * (s.mass_flux[f] - rho * dot(velocity_old[p], mesh.face_area[f]));
                        let nrm = g.normal[f];
                        let along: f64 = (0..3).map(|k| r_atu_k[p][k] * nrm[k] * nrm[k]).sum();
                        gp[f] = self.density[p] * along * g.area[f] / g.d_owner[f];
                        p_matrix.val[pat.diag[p]] += gp[f];
                        rhs_p[p] += gp[f] * pb;
                    }
                }
            }
            if !has_outlet {
                // pressure level fixed at cell 0 (symmetric: diagonal only)
                let d0 = p_matrix.val[pat.diag[0]];
                p_matrix.val[pat.diag[0]] += d0;
            }
            let pressure_start = std::time::Instant::now();
            if amg.is_none() || amg_age >= 20 {
                solve_profile.builds += 1;
                amg = Some(Amg::new(
                    &p_matrix,
                    AmgSettings {
                        strength_threshold: PRESSURE_STRENGTH_THRESHOLD,
                        ..AmgSettings::default()
                    },
                ));
                amg_age = 0;
            }
            amg_age += 1;
            // the boundary-condition part of the right-hand side, before the HbyA divergence
            let rhs_bc = rhs_p.clone();
            let correctors = if self.geometry.orthogonal {
                0
            } else {
                settings.non_orthogonal_correctors
            };
            let mut new_grad = Vec::new();
            for corrector in 0..=correctors {
                rhs_p.copy_from_slice(&rhs_bc);
                for f in 0..mesh.n_faces() {
                    let p = mesh.owner[f] as usize;
                    // the explicit non-orthogonal part of the face pressure flux, from the
                    // previous corrector (or outer iteration)
                    let net = phi_hbya[f] - pressure_correction_offsets[f];
                    rhs_p[p] -= net;
                    if f < ni {
                        rhs_p[mesh.neighbour[f] as usize] += net;
                    }
                }
                let (num, den, initial) = residual_measures(&p_matrix, &rhs_p, &s.pressure);
                if corrector == 0 {
                    residuals[3] = num / (den + 1e-20);
                }
                let pre = amg
                    .as_ref()
                    .ok_or_else(|| Error::Case("no pressure preconditioner".into()))?;
                let tol = SolveSettings {
                    relative_tolerance: 0.0,
                    absolute_tolerance: (0.01 * initial).max(1e-300),
                    max_iterations: 500,
                };
                match cg(&p_matrix, &rhs_p, &mut s.pressure, pre, tol, &stop) {
                    Ok(info) => solve_profile.cg_iterations += info.iterations,
                    // not reduced as far as asked: the outer iteration goes on; a fresh
                    // hierarchy next time
                    Err(Error::LinearSolver { .. }) => amg_age = usize::MAX,
                    Err(e) => return Err(e),
                }
                // boundary pressures and the new gradient
                for f in ni..mesh.n_faces() {
                    if let Some(value) =
                        self.extrapolated_boundary_pressure(f, &s.pressure, &grad_p)
                    {
                        s.boundary_pressure[f - ni] = value;
                    }
                }
                new_grad = self.pressure_gradient(&s.pressure, &s.boundary_pressure);
                if corrector == correctors {
                    // conservative face fluxes: the offsets of this last solve's right-hand side
                    for f in 0..ni {
                        let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
                        s.mass_flux[f] = phi_hbya[f]
                            - gp[f] * (s.pressure[q] - s.pressure[p])
                            - pressure_correction_offsets[f];
                    }
                    for f in ni..mesh.n_faces() {
                        let p = mesh.owner[f] as usize;
                        if let FlowBc::Outlet(pb) = self.bc_of(f) {
                            s.mass_flux[f] = phi_hbya[f]
                                - gp[f] * (pb - s.pressure[p])
                                - pressure_correction_offsets[f];
                        }
                    }
                }
                if !self.geometry.orthogonal {
                    self.pressure_non_orthogonal_flux(
                        &new_grad,
                        &gp,
                        &mut pressure_correction_offsets,
                    );
                }
            }
            solve_profile.seconds += pressure_start.elapsed().as_secs_f64();
            for c in 0..n {
                for k in 0..3 {
                    s.velocity[c][k] = hby_a[c][k] - r_atu_k[c][k] * new_grad[c][k];
                }
            }
            grad_p = new_grad;

            // ---------- convergence ----------
            let mut imbalance = vec![0.0; n];
            for f in 0..mesh.n_faces() {
                imbalance[mesh.owner[f] as usize] += s.mass_flux[f];
                if f < ni {
                    imbalance[mesh.neighbour[f] as usize] -= s.mass_flux[f];
                }
            }
            residuals[4] = imbalance.iter().map(|x| x.abs()).sum::<f64>() / mass_scale;
            s.history.push(residuals);
            s.iterations = iteration;
            monitor.progress(
                iteration,
                &[
                    ("Ux", residuals[0]),
                    ("Uy", residuals[1]),
                    ("Uz", residuals[2]),
                    ("p", residuals[3]),
                    ("continuity", residuals[4]),
                ],
            );
            for (k, r) in residuals.iter().enumerate() {
                best[k] = best[k].min(*r);
            }
            let u_max = s
                .velocity
                .iter()
                .map(|v| dot(*v, *v))
                .fold(0.0f64, f64::max)
                .sqrt();
            let diverged = residuals.iter().any(|r| !r.is_finite())
                || !u_max.is_finite()
                || u_max > 1e3 * u_ref
                || (iteration > 20
                    && (0..4)
                        .any(|k| residuals[k] > 0.5 && residuals[k] > 1e4 * best[k].max(1e-8)));
            if diverged {
                let worst = (0..n)
                    .max_by(|&i, &j| imbalance[i].abs().total_cmp(&imbalance[j].abs()))
                    .unwrap_or(0);
                let names = ["Ux", "Uy", "Uz", "p", "continuity"];
                let eq = (0..5)
                    .max_by(|&i, &j| {
                        (residuals[i] / best[i].max(1e-300))
                            .total_cmp(&(residuals[j] / best[j].max(1e-300)))
                    })
                    .unwrap_or(0);
                return Err(Error::Convergence {
                    message: format!(
                        "flow diverged at iteration {iteration} in the {} equation (residuals {residuals:?}); worst cell {worst} at {:?} m; try smaller velocity_relaxation or first-order convection",
                        names[eq], mesh.cell_centre[worst]
                    ),
                    history: s.history.iter().map(|r| r[3]).collect(),
                });
            }
            if settings.converged(&residuals) {
                solve_profile.print(iteration);
                return Ok(s);
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
            if progress < 0.9 * best_progress {
                best_progress = progress;
                improved_at = iteration;
            } else if iteration - improved_at > STALL_ITERATIONS {
                // at that pace a decade takes over 9,000 iterations: it is oscillating, not
                // converging
                return Err(Error::Convergence {
                    message: format!(
                        "flow stalled: no 10 % progress in {STALL_ITERATIONS} iterations (at iteration {iteration}, residuals Ux {:.2e}, Uy {:.2e}, Uz {:.2e}, p {:.2e}, continuity {:.2e}); try smaller velocity_relaxation",
                        residuals[0], residuals[1], residuals[2], residuals[3], residuals[4]
                    ),
                    history: s.history.iter().map(|r| r[3]).collect(),
                });
            }
            if stop() {
                return Err(Error::Interrupted);
            }
        }
        let last = s.history.last().copied().unwrap_or([f64::NAN; 5]);
        Err(Error::Convergence {
            message: format!(
                "flow did not converge in {} iterations (last residuals Ux {:.2e}, Uy {:.2e}, Uz {:.2e}, p {:.2e}, continuity {:.2e})",
                settings.max_iterations, last[0], last[1], last[2], last[3], last[4]
            ),
            history: s.history.iter().map(|r| r[3]).collect(),
        })
    }
}

/// Iterations without 10 % progress of the worst residual (relative to its tolerance) after which
/// a flow solve counts as stalled.
const STALL_ITERATIONS: usize = 400;

/// OpenFOAM's normalised residual: Σ|b − Ax| / (Σ|Ax − Ax̄| + Σ|b − Ax̄|).
pub fn normalised_residual(a: &Csr, b: &[f64], x: &[f64]) -> f64 {
    let (num, den) = residual_parts(a, b, x);
    num / (den + 1e-20)
}

/// Numerator and denominator of [`normalised_residual`].
pub fn residual_parts(a: &Csr, b: &[f64], x: &[f64]) -> (f64, f64) {
    let (num, den, _) = residual_measures(a, b, x);
    (num, den)
}

/// [`residual_parts`] and the 2-norm ‖b − Ax‖ (the reference of a linear solve's reduction),
/// from one pass over the matrix for `b − Ax` and one for its row sums.
pub fn residual_measures(a: &Csr, b: &[f64], x: &[f64]) -> (f64, f64, f64) {
    let n = x.len();
    let mean = x.iter().sum::<f64>() / n as f64;
    let mut r = vec![0.0; n];
    a.residual(b, x, &mut r);
    let (num, den, squares) = (0..n)
        .into_par_iter()
        .with_min_len(8192)
        .map(|i| {
            let row_sum: f64 = a.val[a.row_ptr[i]..a.row_ptr[i + 1]].iter().sum();
            let axbar = row_sum * mean;
            let ax = b[i] - r[i];
            (
                r[i].abs(),
                (ax - axbar).abs() + (b[i] - axbar).abs(),
                r[i] * r[i],
            )
        })
        .reduce(|| (0.0, 0.0, 0.0), |p, q| (p.0 + q.0, p.1 + q.1, p.2 + q.2));
    (num, den, squares.sqrt())
}

/// Developer counters of the linear solves, printed with `RACKFLOW_PROFILE` set.
#[derive(Default)]
struct LinearSolveProfile {
    builds: usize,
    cg_iterations: usize,
    /// BiCGStab iterations of the three momentum components together.
    momentum_iterations: usize,
    seconds: f64,
}

impl LinearSolveProfile {
    fn print(&self, outer_iterations: usize) {
        if std::env::var_os("RACKFLOW_PROFILE").is_some() {
            eprintln!(
                "  [prof] pressure: {} AMG builds, {} CG iterations in {outer_iterations} outer \
                 ({:.1} per outer), {:.2} s wall (set-up, solves, gradients)",
                self.builds,
                self.cg_iterations,
                self.cg_iterations as f64 / outer_iterations.max(1) as f64,
                self.seconds
            );
            eprintln!(
                "  [prof] momentum: {:.1} BiCGStab iterations per outer (3 components)",
                self.momentum_iterations as f64 / outer_iterations.max(1) as f64
            );
        }
    }
}
