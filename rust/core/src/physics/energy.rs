//! The steady energy equation in solids: `∇·(k ∇T) + q''' = 0`, all regions in one system.
//!
//! Face conductances are two-point series resistances (see [`crate::discretisation`]), so region
//! interfaces use the conductivity of each side and contact resistance adds in series. The
//! matrix is symmetric with non-negative row sums (an M-matrix); the non-orthogonal correction
//! is an explicit source updated each outer iteration.

use crate::case::PatchCondition;
use crate::discretisation::gradient::LeastSquares;
use crate::discretisation::pattern::CellPattern;
use crate::discretisation::FaceGeometry;
use crate::linalg::Csr;
use crate::mesh::{dot, Mesh, Vec3};
use crate::physics::Property;
use rayon::prelude::*;

/// The discrete energy equation of a conduction case.
pub struct Conduction<'m> {
    mesh: &'m Mesh,
    geometry: FaceGeometry,
    pattern: CellPattern,
    least_squares: Option<LeastSquares>,
    /// Conductivity per region.
    conductivity: Vec<Property>,
    /// Power density per region, W/m³.
    power_density: Vec<f64>,
    /// Boundary condition per patch.
    patch: Vec<PatchCondition>,
    /// Contact resistance per internal face, m²K/W (empty when there is none).
    contact: Vec<f64>,
    /// Whether any conductivity depends on temperature.
    pub nonlinear: bool,
    /// Cell conductivities at the last assembly.
    k_cell: Vec<f64>,
    /// Face conductances at the last assembly, W/K (boundary faces: to the wall or ambient).
    conductance: Vec<f64>,
    /// Cell gradients used by the last assembly.
    gradient: Vec<Vec3>,
}

impl<'m> Conduction<'m> {
    /// Set up the operator.
    pub fn new(
        mesh: &'m Mesh,
        conductivity: Vec<Property>,
        power_density: Vec<f64>,
        patch: Vec<PatchCondition>,
        contacts: &[(usize, usize, f64)],
    ) -> Self {
        let geometry = FaceGeometry::new(mesh);
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
            least_squares,
            conductivity,
            power_density,
            patch,
            contact,
            nonlinear,
            k_cell: vec![0.0; n],
            conductance: vec![0.0; mesh.n_faces()],
            gradient: Vec::new(),
        }
    }

    /// Whether outer iterations are needed beyond one linear solve.
    pub fn needs_outer_iterations(&self) -> bool {
        self.nonlinear || self.least_squares.is_some()
    }

    /// Heat sources per cell, W.
    pub fn cell_source(&self, c: usize) -> f64 {
        self.power_density[self.mesh.cell_region[c] as usize] * self.mesh.cell_volume[c]
    }

    fn corrections(&self, f: usize) -> (f64, f64) {
        if self.gradient.is_empty() {
            return (0.0, 0.0);
        }
        let g = &self.geometry;
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

    /// Heat flow into the domain through boundary face `f` for the field `t` (W), consistent with the last assembly.
    pub fn boundary_heat_in(&self, f: usize, t: &[f64]) -> f64 {
        let p = self.mesh.owner[f] as usize;
        let (cp, _) = self.corrections(f);
        let tp = t[p] + cp;
        match self.patch[self.mesh.patch_of_face(f)] {
            PatchCondition::Adiabatic => 0.0,
            PatchCondition::Flux(q) => q * self.geometry.area[f],
            PatchCondition::Fixed(tb) => self.conductance[f] * (tb - tp),
            PatchCondition::Convective(_, ta) => self.conductance[f] * (ta - tp),
        }
    }

    /// Heat flow from owner to neighbour through internal face `f` (W), consistent with the last assembly.
    pub fn internal_heat_flow(&self, f: usize, t: &[f64]) -> f64 {
        let (cp, cn) = self.corrections(f);
        let (p, q) = (self.mesh.owner[f] as usize, self.mesh.neighbour[f] as usize);
        self.conductance[f] * ((t[p] + cp) - (t[q] + cn))
    }

    /// Assemble `A T = b` linearised at `t`. Updates conductivities (k(T)) and, on non-orthogonal
    /// meshes, the gradients of the correction.
    pub fn assemble(&mut self, t: &[f64], matrix: &mut Csr, rhs: &mut [f64]) {
        let mesh = self.mesh;
        let n = mesh.n_cells();
        let ni = mesh.n_internal_faces;
        let conductivity = &self.conductivity;
        self.k_cell
            .par_iter_mut()
            .enumerate()
            .for_each(|(c, k)| *k = conductivity[mesh.cell_region[c] as usize].at(t[c]));
        // gradients with the previous conductances (face points need a flux estimate)
        if let Some(ls) = &self.least_squares {
            if self.gradient.is_empty() {
                self.gradient = vec![[0.0; 3]; n];
            }
            // two passes: the face points of interfaces need the corrected flux, which needs the gradient
            for _ in 0..2 {
                let grad = ls.gradient(mesh, t, |f, owner_side| {
                    self.face_point_value(f, owner_side, t)
                });
                self.gradient = grad;
            }
        }
        let g = &self.geometry;
        let k = &self.k_cell;
        let contact = &self.contact;
        for f in 0..ni {
            let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
            let r = g.d_owner[f] / k[p]
                + g.d_neighbour[f] / k[q]
                + if contact.is_empty() { 0.0 } else { contact[f] };
            self.conductance[f] = g.area[f] / r;
        }
        for p_idx in 0..mesh.n_patches() {
            for f in mesh.patch_faces(p_idx) {
                let kp = k[mesh.owner[f] as usize];
                self.conductance[f] = match self.patch[p_idx] {
                    PatchCondition::Fixed(_) => g.area[f] * kp / g.d_owner[f],
                    PatchCondition::Convective(h, _) => g.area[f] / (1.0 / h + g.d_owner[f] / kp),
                    _ => 0.0,
                };
            }
        }
        matrix.val.iter_mut().for_each(|v| *v = 0.0);
        rhs.par_iter_mut()
            .enumerate()
            .for_each(|(c, b)| *b = self.cell_source(c));
        let pat = &self.pattern;
        for f in 0..ni {
            let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
            let gf = self.conductance[f];
            matrix.val[pat.diag[p]] += gf;
            matrix.val[pat.diag[q]] += gf;
            matrix.val[pat.upper[f]] -= gf;
            matrix.val[pat.lower[f]] -= gf;
            let (cp, cn) = self.corrections(f);
            let explicit = gf * (cn - cp);
            rhs[p] += explicit;
            rhs[q] -= explicit;
        }
        for p_idx in 0..mesh.n_patches() {
            let condition = self.patch[p_idx];
            for f in mesh.patch_faces(p_idx) {
                let p = mesh.owner[f] as usize;
                let (cp, _) = self.corrections(f);
                let gf = self.conductance[f];
                match condition {
                    PatchCondition::Adiabatic => {}
                    PatchCondition::Flux(q) => rhs[p] += q * g.area[f],
                    PatchCondition::Fixed(tb) | PatchCondition::Convective(_, tb) => {
                        matrix.val[pat.diag[p]] += gf;
                        rhs[p] += gf * (tb - cp);
                    }
                }
            }
        }
    }

    /// Temperature at the point a face contributes to the gradient stencil, from the previous state.
    fn face_point_value(&self, f: usize, owner_side: bool, t: &[f64]) -> f64 {
        let mesh = self.mesh;
        let g = &self.geometry;
        let p = mesh.owner[f] as usize;
        let (cp, cn) = self.corrections(f);
        let kp = self.k_cell[p].max(f64::MIN_POSITIVE);
        if f >= mesh.n_internal_faces {
            let tp = t[p] + cp;
            let heat_in = self.boundary_heat_in(f, t);
            return tp + heat_in * g.d_owner[f] / (kp * g.area[f]);
        }
        let q = mesh.neighbour[f] as usize;
        let flow = self.conductance[f] * ((t[p] + cp) - (t[q] + cn));
        if owner_side {
            t[p] + cp - flow * g.d_owner[f] / (kp * g.area[f])
        } else {
            let kq = self.k_cell[q].max(f64::MIN_POSITIVE);
            t[q] + cn + flow * g.d_neighbour[f] / (kq * g.area[f])
        }
    }

    /// A fresh matrix with this operator's pattern.
    pub fn new_matrix(&self) -> Csr {
        self.pattern.matrix.clone()
    }
}
