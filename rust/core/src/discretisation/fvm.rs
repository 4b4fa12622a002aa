//! Implicit finite-volume operators: each returns the [`FvMatrix`] of a volume-integrated term
//! (see [`fv_matrix`](super::fv_matrix) for the sign convention, `E(x) ≈ A x − b`), so an
//! equation reads like its differential form:
//!
//! ```text
//! ρc ∂T/∂t + ∇·(ṁ c T) − ∇·(k ∇T) = q        →   ddt(ρc) + div(ṁc) − laplacian(G) − su(q)
//! ```
//!
//! Boundary conditions enter through [`PatchCondition`]s per boundary face; face conductances
//! come from [`TwoPoint::conductance`](super::TwoPoint::conductance) (interfaces and contact
//! resistances are properties of the conductance, written once there).

use super::fv_matrix::FvMatrix;
use super::PatchCondition;
use crate::mesh::Mesh;

/// The explicit part of a non-orthogonal correction of a laplacian: the extra diffusive flux
/// through each face (W for heat), owner → neighbour on internal faces, out of the domain on
/// boundary faces. Computed by the caller from gradients (deferred correction).
pub enum Correction<'a> {
    /// Orthogonal mesh, or no correction wanted.
    None,
    /// Per-face explicit flux.
    Flux(&'a [f64]),
}

/// `∫ ∇·(Γ ∇x) dV` with face conductances `conductance[f]` (internal faces: owner–neighbour,
/// `A/(d_P/Γ_P + d_N/Γ_N + R)`; boundary faces: owner–wall or owner–ambient, as
/// [`TwoPoint::wall_conductance`](super::TwoPoint::wall_conductance) and
/// [`TwoPoint::film_conductance`](super::TwoPoint::film_conductance) give), boundary conditions
/// `bc(f)` and face areas `area(f)` for flux conditions. Symmetric; rows sum to minus the
/// boundary conductances.
pub fn laplacian(
    mesh: &Mesh,
    conductance: &[f64],
    bc: impl Fn(usize) -> PatchCondition,
    area: impl Fn(usize) -> f64,
    correction: Correction<'_>,
) -> FvMatrix {
    let ni = mesh.n_internal_faces;
    let mut m = FvMatrix::zeros(mesh);
    for f in 0..ni {
        let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
        let g = conductance[f];
        m.diag[p] -= g;
        m.diag[q] -= g;
        m.upper[f] = g;
        m.lower[f] = g;
    }
    for f in ni..mesh.n_faces() {
        let p = mesh.owner[f] as usize;
        match bc(f) {
            PatchCondition::Adiabatic => {}
            PatchCondition::Flux(q) => m.source[p] -= q * area(f),
            PatchCondition::Fixed(wall) | PatchCondition::Convective(_, wall) => {
                m.diag[p] -= conductance[f];
                m.source[p] -= conductance[f] * wall;
            }
        }
    }
    if let Correction::Flux(extra) = correction {
        // the explicit flux leaves the owner and enters the neighbour: ∫∇·(Γ∇x) loses it at P
        for f in 0..mesh.n_faces() {
            let p = mesh.owner[f] as usize;
            m.source[p] += extra[f];
            if f < ni {
                m.source[mesh.neighbour[f] as usize] -= extra[f];
            }
        }
    }
    m
}

/// How a convected face value is formed.
pub enum Convection<'a> {
    /// First-order upwind.
    Upwind,
    /// Upwind plus a limited linear extrapolation from the upwind cell, `ψ ∇x · (x_f − x_C)`,
    /// deferred into the source (bounded second order): cell gradients and limiter factors.
    LimitedLinearUpwind {
        /// Cell gradients of the convected field.
        gradient: &'a [crate::mesh::Vec3],
        /// Limiter factor per cell, in [0, 1].
        limiter: &'a [f64],
        /// The field the correction is evaluated at.
        field: &'a [f64],
    },
}

/// `∫ ∇·(F x) dV = Σ_f F_f x_f` with face fluxes `flux[f]` (owner → neighbour, outward on the
/// boundary; e.g. the mass flux times a specific heat) and the boundary value `inflow(f)` where
/// the flux enters the domain (an inlet's value; outflow takes the owner's). Implicit in the
/// upwind value.
pub fn div(
    mesh: &Mesh,
    flux: &[f64],
    scheme: Convection<'_>,
    inflow: impl Fn(usize) -> f64,
) -> FvMatrix {
    let ni = mesh.n_internal_faces;
    let mut m = FvMatrix::zeros(mesh);
    for f in 0..ni {
        let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
        let phi = flux[f];
        if phi >= 0.0 {
            // out of P at x_P, into Q at x_P
            m.diag[p] += phi;
            m.lower[f] -= phi;
        } else {
            m.diag[q] -= phi;
            m.upper[f] += phi;
        }
        if let Convection::LimitedLinearUpwind {
            gradient,
            limiter,
            field: _,
        } = &scheme
        {
            let up = if phi >= 0.0 { p } else { q };
            let r = crate::mesh::sub(mesh.face_centre[f], mesh.cell_centre[up]);
            let extra = phi * limiter[up] * crate::mesh::dot(gradient[up], r);
            m.source[p] -= extra;
            m.source[q] += extra;
        }
    }
    for f in ni..mesh.n_faces() {
        let p = mesh.owner[f] as usize;
        let phi = flux[f];
        if phi > 0.0 {
            m.diag[p] += phi;
        } else if phi < 0.0 {
            m.source[p] -= phi * inflow(f);
        }
    }
    m
}

/// `∫ ρc ∂x/∂t dV` by backward differences: Euler `(x − x⁰)/Δt` with one old level, BDF2
/// `(3x − 4x⁰ + x⁻¹)/(2Δt)` with two (constant step). `capacity[c]` is ρc (J/m³K for heat).
pub fn ddt(mesh: &Mesh, capacity: &[f64], dt: f64, old: &[f64], older: Option<&[f64]>) -> FvMatrix {
    let mut m = FvMatrix::zeros(mesh);
    for c in 0..mesh.n_cells() {
        let cv = capacity[c] * mesh.cell_volume[c] / dt;
        match older {
            None => {
                m.diag[c] = cv;
                m.source[c] = cv * old[c];
            }
            Some(older) => {
                m.diag[c] = 1.5 * cv;
                m.source[c] = cv * (2.0 * old[c] - 0.5 * older[c]);
            }
        }
    }
    m
}

/// [`ddt`] for variable steps: BDF2 with the last step `dt` and the one before `dt_old`
/// (`ω = dt/dt_old`): `((1+2ω)/(1+ω) x − (1+ω) x⁰ + ω²/(1+ω) x⁻¹)/Δt`.
pub fn ddt_variable(
    mesh: &Mesh,
    capacity: &[f64],
    dt: f64,
    dt_old: f64,
    old: &[f64],
    older: &[f64],
) -> FvMatrix {
    let w = dt / dt_old;
    let (a0, a1, a2) = ((1.0 + 2.0 * w) / (1.0 + w), 1.0 + w, w * w / (1.0 + w));
    let mut m = FvMatrix::zeros(mesh);
    for c in 0..mesh.n_cells() {
        let cv = capacity[c] * mesh.cell_volume[c] / dt;
        m.diag[c] = a0 * cv;
        m.source[c] = cv * (a1 * old[c] - a2 * older[c]);
    }
    m
}

/// `∫ s x dV`: a linearised implicit source with coefficient `coefficient[c]` per unit volume.
pub fn sp(mesh: &Mesh, coefficient: &[f64]) -> FvMatrix {
    let mut m = FvMatrix::zeros(mesh);
    for c in 0..mesh.n_cells() {
        m.diag[c] = coefficient[c] * mesh.cell_volume[c];
    }
    m
}

/// `∫ q dV`: an explicit source `q[c]` per unit volume (W/m³ for heat).
pub fn su(mesh: &Mesh, q: &[f64]) -> FvMatrix {
    let mut m = FvMatrix::zeros(mesh);
    for c in 0..mesh.n_cells() {
        m.source[c] = -q[c] * mesh.cell_volume[c];
    }
    m
}

/// A linearised source on boundary faces, per face (not per volume): `Σ_f (a_f x_P + s_f)`,
/// the heat into the domain through each face written as `−a_f x_P − s_f` (radiation to a sink
/// linearised about the last iterate, say). `faces` yields `(face, a_f, s_f)`; the expression
/// is the heat *into* the domain, so it enters an equation like `su`.
pub fn boundary_source(
    mesh: &Mesh,
    faces: impl IntoIterator<Item = (usize, f64, f64)>,
) -> FvMatrix {
    let mut m = FvMatrix::zeros(mesh);
    for (f, a, s) in faces {
        let p = mesh.owner[f] as usize;
        m.diag[p] -= a;
        m.source[p] += s;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discretisation::FaceGeometry;
    use crate::mesh::structured::{BoxArrays, BoxCells};

    /// Equal to round-off (geometry from point coordinates).
    fn close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() <= 1e-12 * y.abs().max(1.0), "{a:?} vs {b:?}");
        }
    }

    fn chain(n: usize) -> Mesh {
        BoxArrays::new([n, 1, 1], [n as f64, 1.0, 1.0], BoxCells::Hexa)
            .build()
            .unwrap()
    }

    fn conductances(mesh: &Mesh, k: f64, bc: impl Fn(usize) -> PatchCondition) -> Vec<f64> {
        let g = FaceGeometry::new(mesh);
        (0..mesh.n_faces())
            .map(|f| {
                let s = g.two_point(mesh, f);
                if f < mesh.n_internal_faces {
                    s.conductance(k, k, 0.0)
                } else {
                    match bc(f) {
                        PatchCondition::Fixed(_) => s.wall_conductance(k),
                        PatchCondition::Convective(h, _) => s.film_conductance(k, h),
                        _ => 0.0,
                    }
                }
            })
            .collect()
    }

    fn patch_bc<'m>(
        mesh: &'m Mesh,
        by_name: &[(&str, PatchCondition)],
    ) -> impl Fn(usize) -> PatchCondition + 'm {
        let table: Vec<PatchCondition> = (0..mesh.n_patches())
            .map(|p| {
                by_name
                    .iter()
                    .find(|(n, _)| *n == mesh.patch_names[p])
                    .map_or(PatchCondition::Adiabatic, |(_, c)| *c)
            })
            .collect();
        move |f| table[mesh.patch_of_face(f)]
    }

    /// Three unit cubes in a row, k = 2, T = 10 K at x = 0, 40 K at x = 3: by hand,
    /// internal conductances 2, wall conductances 2·1/0.5 = 4.
    #[test]
    fn laplacian_of_three_cells_by_hand() {
        let mesh = chain(3);
        let bc = patch_bc(
            &mesh,
            &[
                ("xmin", PatchCondition::Fixed(10.0)),
                ("xmax", PatchCondition::Fixed(40.0)),
            ],
        );
        let g = conductances(&mesh, 2.0, &bc);
        let m = laplacian(&mesh, &g, &bc, |_| 1.0, Correction::None);
        close(&m.diag, &[-6.0, -4.0, -6.0]);
        close(&m.upper, &[2.0, 2.0]);
        close(&m.lower, &[2.0, 2.0]);
        close(&m.source, &[-40.0, 0.0, -160.0]);
        // −∇·(k∇T) = 0 solved: linear profile through the walls, 15, 25, 35 K
        let neg = -m;
        let mut t = vec![0.0; 3];
        let pattern = crate::discretisation::pattern::CellPattern::new(&mesh);
        neg.solve(
            &mesh,
            &pattern,
            &mut t,
            crate::linalg::SolveSettings {
                relative_tolerance: 1e-14,
                absolute_tolerance: 0.0,
                max_iterations: 50,
            },
        )
        .unwrap();
        for (got, want) in t.iter().zip([15.0, 25.0, 35.0]) {
            assert!((got - want).abs() < 1e-10, "{t:?}");
        }
    }

    #[test]
    fn upwind_div_of_three_cells_by_hand() {
        let mesh = chain(3);
        // 2 kg/s·(J/kgK) along +x: inflow at x = 0 carries the inlet value 5
        let mut flux = vec![0.0; mesh.n_faces()];
        for f in 0..mesh.n_faces() {
            let n = mesh.face_normal(f).0;
            flux[f] = 2.0 * n[0];
        }
        let m = div(&mesh, &flux, Convection::Upwind, |_| 5.0);
        close(&m.diag, &[2.0, 2.0, 2.0]);
        close(&m.lower, &[-2.0, -2.0]);
        close(&m.upper, &[0.0, 0.0]);
        close(&m.source, &[10.0, 0.0, 0.0]);
        // conservative: uniform x leaves the first cell (its inflow is explicit) and balances elsewhere
        close(&m.row_sums(&mesh), &[2.0, 0.0, 0.0]);
    }

    #[test]
    fn sources_added_in_place_are_the_composed_operators_bit_for_bit() {
        let mesh = BoxArrays::new([3, 2, 1], [0.3, 0.2, 0.05], BoxCells::Hexa)
            .build()
            .unwrap();
        let n = mesh.n_cells();
        let coefficient: Vec<f64> = (0..n).map(|c| 0.37 + 1.3 * c as f64).collect();
        let q: Vec<f64> = (0..n).map(|c| -2.9 + 0.71 * c as f64).collect();
        let mut base = sp(&mesh, &vec![0.11; n]);
        base.source
            .iter_mut()
            .enumerate()
            .for_each(|(c, b)| *b = 0.3 * c as f64 - 0.5);
        let composed = base.clone() + sp(&mesh, &coefficient) - su(&mesh, &q);
        let in_place = base.plus_sp(&mesh, &coefficient).minus_su(&mesh, &q);
        assert_eq!(composed.diag, in_place.diag);
        assert_eq!(composed.source, in_place.source);
        assert_eq!(composed.upper, in_place.upper);
    }

    #[test]
    fn ddt_euler_and_bdf2_by_hand() {
        let mesh = chain(2);
        let euler = ddt(&mesh, &[3.0, 3.0], 0.5, &[1.0, 2.0], None);
        close(&euler.diag, &[6.0, 6.0]);
        close(&euler.source, &[6.0, 12.0]);
        let bdf2 = ddt(&mesh, &[3.0, 3.0], 0.5, &[1.0, 2.0], Some(&[0.0, 0.0]));
        close(&bdf2.diag, &[9.0, 9.0]);
        close(&bdf2.source, &[12.0, 24.0]);
        // variable steps with equal steps are BDF2
        let same = ddt_variable(&mesh, &[3.0, 3.0], 0.5, 0.5, &[1.0, 2.0], &[0.0, 0.0]);
        close(&same.diag, &bdf2.diag);
        close(&same.source, &bdf2.source);
    }

    /// Manufactured solution: −∇·(k∇T) = q between walls at 1 K has T = 1 + x(L − x) q/(2k);
    /// the half-cell wall flux makes the discrete profile second-order accurate (observed
    /// order from three meshes), and the solved equation's residual vanishes.
    #[test]
    fn laplacian_with_source_converges_at_second_order() {
        let error = |n: usize| {
            let (k, q, l) = (4.0, 16.0, 1.0);
            let mesh = BoxArrays::new([n, 1, 1], [l, 0.1, 0.1], BoxCells::Hexa)
                .build()
                .unwrap();
            let bc = patch_bc(
                &mesh,
                &[
                    ("xmin", PatchCondition::Fixed(1.0)),
                    ("xmax", PatchCondition::Fixed(1.0)),
                ],
            );
            let g = conductances(&mesh, k, &bc);
            let areas = FaceGeometry::new(&mesh);
            let eq = -laplacian(&mesh, &g, &bc, |f| areas.area[f], Correction::None)
                - su(&mesh, &vec![q; n]);
            let pattern = crate::discretisation::pattern::CellPattern::new(&mesh);
            let mut t = vec![0.0; n];
            eq.solve(
                &mesh,
                &pattern,
                &mut t,
                crate::linalg::SolveSettings {
                    relative_tolerance: 1e-14,
                    absolute_tolerance: 0.0,
                    max_iterations: 200,
                },
            )
            .unwrap();
            assert!(eq.residual(&mesh, &t).iter().all(|v| v.abs() < 1e-9));
            (0..n)
                .map(|c| {
                    let x = mesh.cell_centre[c][0];
                    (t[c] - (1.0 + x * (l - x) * q / (2.0 * k))).abs()
                })
                .fold(0.0, f64::max)
        };
        let (e1, e2, e3) = (error(8), error(16), error(32));
        let order = ((e1 / e2).log2() + (e2 / e3).log2()) / 2.0;
        assert!(
            order > 1.9,
            "observed order {order} ({e1:e}, {e2:e}, {e3:e})"
        );
    }

    #[test]
    fn relaxation_keeps_the_fixed_point() {
        let mesh = chain(3);
        let bc = patch_bc(&mesh, &[("xmin", PatchCondition::Fixed(10.0))]);
        let g = conductances(&mesh, 1.0, &bc);
        let eq =
            -laplacian(&mesh, &g, &bc, |_| 1.0, Correction::None) - su(&mesh, &[1.0, 1.0, 1.0]);
        let pattern = crate::discretisation::pattern::CellPattern::new(&mesh);
        let mut t = vec![0.0; 3];
        let settings = crate::linalg::SolveSettings {
            relative_tolerance: 1e-14,
            absolute_tolerance: 0.0,
            max_iterations: 100,
        };
        eq.solve(&mesh, &pattern, &mut t, settings).unwrap();
        let mut relaxed = eq.clone();
        relaxed.relax(0.7, &t);
        assert!(relaxed.residual(&mesh, &t).iter().all(|v| v.abs() < 1e-9));
        // H/A reproduces the solution
        let h = eq.h(&mesh, &t);
        for c in 0..3 {
            assert!((h[c] / eq.diag[c] - t[c]).abs() < 1e-9);
        }
    }

    #[test]
    fn boundary_source_is_the_heat_into_the_domain() {
        let mesh = chain(2);
        let face = mesh.n_internal_faces; // a boundary face of cell 0 or 1
        let p = mesh.owner[face] as usize;
        // heat in = −a T_P − s with a = 2, s = −6: at T_P = 1 that is 4 W in
        let m = boundary_source(&mesh, [(face, 2.0, -6.0)]);
        let mut t = vec![0.0; 2];
        t[p] = 1.0;
        let e = m.apply(&mesh, &t);
        close(&[e[p] - m.source[p]], &[-2.0 + 6.0]);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(24))]

            /// On any mesh (jittered tetrahedra) with any positive conductances the laplacian is
            /// symmetric, and with adiabatic walls every row sums to zero.
            #[test]
            fn laplacian_is_symmetric_with_zero_row_sums(seed in 0u64..1000, k in 0.1f64..500.0) {
                let mesh = BoxArrays::new([3, 2, 2], [1.0, 0.7, 0.4], BoxCells::Tetra).build().unwrap();
                let g: Vec<f64> = (0..mesh.n_faces()).map(|f| k * (1.0 + ((f as u64 * 2654435761 + seed) % 97) as f64 / 97.0)).collect();
                let m = laplacian(&mesh, &g, |_| PatchCondition::Adiabatic, |_| 1.0, Correction::None);
                prop_assert!(m.is_symmetric());
                for s in m.row_sums(&mesh) {
                    prop_assert!(s.abs() <= 1e-12 * k * 10.0);
                }
            }

            /// fvc::div of any face flux is conservative: the cell sums telescope to the net
            /// boundary outflow.
            #[test]
            fn divergence_is_conservative(seed in 0u64..1000) {
                let mesh = BoxArrays::new([3, 3, 2], [1.0, 1.0, 0.5], BoxCells::Tetra).build().unwrap();
                let flux: Vec<f64> = (0..mesh.n_faces()).map(|f| (((f as u64 * 40503 + seed) % 1000) as f64 - 500.0) / 100.0).collect();
                let d = crate::discretisation::fvc::div(&mesh, &flux);
                let total: f64 = d.iter().sum();
                let boundary: f64 = flux[mesh.n_internal_faces..].iter().sum();
                prop_assert!((total - boundary).abs() < 1e-9);
            }
        }
    }
}
