//! Statistically stationary solves: a flow whose residuals stall while its outputs (static
//! pressure drops and flow shares) no longer move is accepted, laminar or turbulent, as simpleFoam
//! users judge a stalled run by its monitored outputs.

use super::{Flow, FlowBc, FlowSolution, Stationary};
use crate::mesh::norm;

/// Iterations over which a stalled solve's outputs must be stationary to be accepted (the stall
/// is declared after as many without progress: `super::STALL_ITERATIONS`). Laminar and turbulent
/// solves use the same window and tolerance (`Flow::solve`'s stalled arm).
pub(super) const STATIONARY_WINDOW: usize = 400;

/// Largest variation over [`STATIONARY_WINDOW`] iterations of every inlet-to-outlet static
/// pressure drop (relative to its mean) and of every open patch's share of the inflow
/// (absolute) for a stalled solve, turbulent or laminar, to be accepted as statistically
/// stationary. On the rack manifold's 40k tetrahedra (SST, first-order momentum, wall branches
/// held) they varied by 1.4e-4 and 1.8e-4 over 400 iterations at residuals stalled near 3e-4;
/// simpleFoam's inlet pressure swings by ±5e-4 over 1,000 iterations on the same mesh. The
/// bundled pin-fin plate's laminar wakes (pin Re ≈ 870) vary ΔP by about 1e-4 (stop 28).
pub(super) const STATIONARY_TOLERANCE: f64 = 1e-3;

impl Flow<'_> {
    /// What a statistically stationary solve is judged by, in this order: the area-mean static
    /// pressure of every open (inlet or outlet) patch, Pa, then its mass flow, kg/s (out of
    /// the domain positive).
    pub(super) fn monitored_outputs(&self, s: &FlowSolution, out: &mut Vec<f64>) {
        let mesh = self.mesh;
        let ni = mesh.n_internal_faces;
        let open = |b: &FlowBc| matches!(b, FlowBc::Inlet(_) | FlowBc::Outlet(_));
        let patches: Vec<usize> = (0..self.bc.len()).filter(|&p| open(&self.bc[p])).collect();
        let (mut pressure, mut area, mut flow) = (
            vec![0.0; self.bc.len()],
            vec![0.0; self.bc.len()],
            vec![0.0; self.bc.len()],
        );
        for f in ni..mesh.n_faces() {
            let p = mesh.patch_of_face(f);
            if open(&self.bc[p]) {
                let a = norm(mesh.face_area[f]);
                pressure[p] += a * s.boundary_pressure[f - ni];
                area[p] += a;
                flow[p] += s.mass_flux[f];
            }
        }
        out.clear();
        out.extend(patches.iter().map(|&p| pressure[p] / area[p].max(1e-300)));
        out.extend(patches.iter().map(|&p| flow[p]));
    }

    /// Whether the monitored outputs (`monitored_outputs`, one entry per iteration) are
    /// statistically stationary: over the whole window every inlet-to-outlet static pressure
    /// drop stays within [`STATIONARY_TOLERANCE`] of its mean (relative) and every open patch's
    /// share of the inflow within [`STATIONARY_TOLERANCE`] (absolute). `Err` holds the
    /// measured variations when they are not.
    pub(super) fn judge_stationary(
        &self,
        window: &std::collections::VecDeque<Vec<f64>>,
    ) -> std::result::Result<Stationary, Stationary> {
        let open: Vec<FlowBc> = self
            .bc
            .iter()
            .copied()
            .filter(|b| matches!(b, FlowBc::Inlet(_) | FlowBc::Outlet(_)))
            .collect();
        let m = open.len();
        let range = |values: &mut dyn Iterator<Item = f64>| {
            let (lo, hi, sum, count) = values.fold(
                (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0usize),
                |(lo, hi, sum, count), v| (lo.min(v), hi.max(v), sum + v, count + 1),
            );
            (hi - lo, sum / count.max(1) as f64)
        };
        let mut pressure_drop = 0.0f64;
        for i in 0..m {
            for j in 0..m {
                if matches!(open[i], FlowBc::Inlet(_)) && matches!(open[j], FlowBc::Outlet(_)) {
                    let (spread, mean) = range(&mut window.iter().map(|o| o[i] - o[j]));
                    pressure_drop = pressure_drop.max(spread / mean.abs().max(1e-300));
                }
            }
        }
        let mut split = 0.0f64;
        for i in 0..m {
            let share = |o: &Vec<f64>| {
                let inflow: f64 = o[m..].iter().map(|q| (-q).max(0.0)).sum();
                o[m + i].abs() / inflow.max(1e-300)
            };
            split = split.max(range(&mut window.iter().map(share)).0);
        }
        let measured = Stationary {
            iterations: window.len(),
            pressure_drop_variation: pressure_drop,
            split_variation: split,
        };
        let ok = window.len() >= STATIONARY_WINDOW
            && pressure_drop <= STATIONARY_TOLERANCE
            && split <= STATIONARY_TOLERANCE;
        if ok {
            Ok(measured)
        } else {
            Err(measured)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::structured::{BoxArrays, BoxCells};

    #[test]
    fn stationary_outputs_are_judged_by_pressure_drop_and_flow_share() {
        let mesh = BoxArrays::new([4, 2, 1], [0.04, 0.01, 0.001], BoxCells::Hexa)
            .build()
            .unwrap();
        let n = mesh.n_cells();
        let bc = vec![
            FlowBc::Inlet(1.0),
            FlowBc::Outlet(0.0),
            FlowBc::Wall([0.0; 3]),
            FlowBc::Wall([0.0; 3]),
            FlowBc::Symmetry,
            FlowBc::Symmetry,
        ];
        let flow = Flow::new(&mesh, vec![1000.0; n], vec![1e-3; n], bc).with_turbulence(
            vec![Some((1e-3, 10.0)), None, None, None, None, None],
            vec![1e-3; n],
        );
        // (inlet p, outlet p, inlet flow, outlet flow) per iteration
        let window = |wobble: f64, len: usize| -> std::collections::VecDeque<Vec<f64>> {
            (0..len)
                .map(|i| {
                    let x = if i % 2 == 0 { wobble } else { -wobble };
                    vec![1000.0 * (1.0 + x), 0.0, -1.0, 1.0]
                })
                .collect()
        };
        let calm = flow
            .judge_stationary(&window(4e-4, STATIONARY_WINDOW))
            .unwrap();
        assert!((calm.pressure_drop_variation - 8e-4).abs() < 1e-9);
        assert_eq!(calm.split_variation, 0.0);
        // drifting by more than the tolerance, or too short a window: not stationary
        let drifting = flow
            .judge_stationary(&window(6e-4, STATIONARY_WINDOW))
            .unwrap_err();
        assert!(drifting.pressure_drop_variation > STATIONARY_TOLERANCE);
        assert!(flow
            .judge_stationary(&window(0.0, STATIONARY_WINDOW - 1))
            .is_err());
    }
}
