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

/// Iterations over which a stalled solve's residuals are compared for a period-2 mode.
const PERIOD_TWO_WINDOW: usize = 20;

/// Largest relative change of every residual over two iterations, within
/// [`PERIOD_TWO_WINDOW`], for a stall to be a period-2 mode; some residual must change by
/// [`PERIOD_TWO_SWING`] times more from one iteration to the next.
const PERIOD_TWO_REPEAT: f64 = 1e-4;

/// See [`PERIOD_TWO_REPEAT`].
const PERIOD_TWO_SWING: f64 = 100.0;

/// How a residual history repeats over its last [`PERIOD_TWO_WINDOW`] iterations: the largest
/// relative change of any residual over two iterations, and the largest (over the residuals) of
/// a residual's smallest relative change from one iteration to the next. `None`: too short a
/// history or a residual not finite.
fn period_two_measure(history: &[[f64; 5]]) -> Option<(f64, f64)> {
    let n = history.len();
    if n < PERIOD_TWO_WINDOW + 2 {
        return None;
    }
    let relative = |a: f64, b: f64| (a - b).abs() / a.abs().max(b.abs()).max(1e-300);
    let mut repeat = 0.0f64;
    let mut swing = 0.0f64;
    for c in 0..5 {
        let mut smallest = f64::INFINITY;
        for i in n - PERIOD_TWO_WINDOW..n {
            let (r, one, two) = (history[i][c], history[i - 1][c], history[i - 2][c]);
            if !(r.is_finite() && one.is_finite() && two.is_finite()) {
                return None;
            }
            repeat = repeat.max(relative(r, two));
            smallest = smallest.min(relative(r, one));
        }
        swing = swing.max(smallest);
    }
    Some((repeat, swing))
}

/// Whether a stalled solve's residuals are a period-2 mode of the SIMPLEC iteration: over the
/// last [`PERIOD_TWO_WINDOW`] iterations every residual repeats every second iteration to
/// [`PERIOD_TWO_REPEAT`] while some residual alternates by [`PERIOD_TWO_SWING`] times more at
/// every step. A user's pin-fin cavity (Gmsh OCC, 36,443 tetrahedra, PG25 laminar) held one at
/// first order and α_U 0.5 (continuity 7.07e-5 / 7.17e-5 to seven digits) that decays at 0.3;
/// the bundled pin-fin plate's wakes move from iteration to iteration and are no such mode.
pub(super) fn period_two(history: &[[f64; 5]]) -> bool {
    period_two_measure(history).is_some_and(|(repeat, swing)| {
        repeat <= PERIOD_TWO_REPEAT && swing >= PERIOD_TWO_SWING * repeat && swing > 0.0
    })
}

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
    /// drop stays within `tolerance` of its mean (relative) and every open patch's share of the
    /// inflow within `tolerance` (absolute; [`STATIONARY_TOLERANCE`] unless the driver's last
    /// turbulent attempts loosen it). `Err` holds the
    /// measured variations when they are not.
    pub(super) fn judge_stationary(
        &self,
        window: &std::collections::VecDeque<Vec<f64>>,
        tolerance: f64,
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
            period_two: false,
        };
        let ok =
            window.len() >= STATIONARY_WINDOW && pressure_drop <= tolerance && split <= tolerance;
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
        let bc = crate::physics::flow::plate_channel_bc(1.0);
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
            .judge_stationary(&window(4e-4, STATIONARY_WINDOW), STATIONARY_TOLERANCE)
            .unwrap();
        assert!((calm.pressure_drop_variation - 8e-4).abs() < 1e-9);
        assert_eq!(calm.split_variation, 0.0);
        // drifting by more than the tolerance, or too short a window: not stationary
        let drifting = flow
            .judge_stationary(&window(6e-4, STATIONARY_WINDOW), STATIONARY_TOLERANCE)
            .unwrap_err();
        assert!(drifting.pressure_drop_variation > STATIONARY_TOLERANCE);
        assert!(flow
            .judge_stationary(&window(0.0, STATIONARY_WINDOW - 1), STATIONARY_TOLERANCE)
            .is_err());
        // the driver's last turbulent attempts accept ten times the variation, not more
        let loose = 10.0 * STATIONARY_TOLERANCE;
        let wide = flow
            .judge_stationary(&window(3e-3, STATIONARY_WINDOW), loose)
            .unwrap();
        assert!((wide.pressure_drop_variation - 6e-3).abs() < 1e-9);
        assert!(flow
            .judge_stationary(&window(6e-3, STATIONARY_WINDOW), loose)
            .is_err());
    }

    #[test]
    fn a_period_two_mode_is_residuals_that_repeat_every_second_iteration() {
        // continuity alternating by 1.4 % and repeating to seven digits, as the user pin-fin
        // cavity's first-order SIMPLEC at α 0.5
        let alternating = |i: usize, drift: f64| {
            let c = if i % 2 == 0 { 7.07e-5 } else { 7.17e-5 };
            let d = 1.0 + drift * i as f64;
            [3e-6 * d, 2e-6 * d, 1e-6 * d, 4e-6 * d, c * d]
        };
        let history: Vec<[f64; 5]> = (0..40).map(|i| alternating(i, 1e-7)).collect();
        assert!(period_two(&history));
        // the same drifting by 1e-3 an iteration (wakes that move), too short a history, or
        // residuals that do not alternate at all: no such mode
        let drifting: Vec<[f64; 5]> = (0..40).map(|i| alternating(i, 1e-3)).collect();
        assert!(!period_two(&drifting));
        assert!(!period_two(&history[..PERIOD_TWO_WINDOW + 1]));
        assert!(!period_two(&vec![[1e-5; 5]; 40]));
    }
}
