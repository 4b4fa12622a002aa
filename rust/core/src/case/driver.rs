//! The solve driver: outer iterations (non-linear conductivity, non-orthogonal correction),
//! linear solves, convergence and divergence detection, and the result's balances.

use super::spec::Case;
use super::validate::Resolved;
use crate::linalg::{cg, Amg, AmgSettings, Anderson, Jacobi, Preconditioner, SolveSettings};
use crate::mesh::Mesh;
use crate::physics::energy::Conduction;
use crate::{Error, Monitor, Result};
use std::time::Instant;

/// What the solve did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SolveReport {
    /// Outer iterations (assemblies).
    pub outer_iterations: usize,
    /// Linear-solver iterations of each outer iteration.
    pub linear_iterations: Vec<usize>,
    /// Normalised energy residual at each outer iteration.
    pub residual_history: Vec<f64>,
    /// Wall time of set-up (operators, multigrid), s.
    pub setup_time_s: f64,
    /// Wall time of the whole solve, s.
    pub solve_time_s: f64,
    /// Threads used.
    pub threads: usize,
    /// Multigrid levels (unknowns per level), when used.
    pub multigrid_levels: Vec<usize>,
}

/// A converged solution with its balances.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Cell temperatures, K.
    pub temperature_k: Vec<f64>,
    /// Heat flow into the domain through each patch, W.
    pub patch_heat_flow_w: Vec<f64>,
    /// Heat generated in each region, W.
    pub region_source_w: Vec<f64>,
    /// Heat flow across each contact, from region a to region b, W.
    pub contact_heat_flow_w: Vec<f64>,
    /// (Σ heat in through boundaries + Σ sources) / (heat throughput).
    pub energy_balance_error: f64,
    /// Solver statistics.
    pub report: SolveReport,
}

fn norm(v: &[f64]) -> f64 {
    crate::linalg::dot(v, v).sqrt()
}

/// OpenFOAM's residual normalisation in the 2-norm: ‖A T − A T̄‖ + ‖b − A T̄‖ with T̄ the mean field,
/// so that an absolute temperature offset does not make residuals look small.
fn normalisation(a: &crate::linalg::Csr, b: &[f64], t: &[f64]) -> f64 {
    let n = t.len();
    let mean = t.iter().sum::<f64>() / n as f64;
    let mut at = vec![0.0; n];
    a.mul_vec(t, &mut at);
    let mut abar = vec![0.0; n];
    a.mul_vec(&vec![mean; n], &mut abar);
    let d1: Vec<f64> = at.iter().zip(&abar).map(|(x, y)| x - y).collect();
    let d2: Vec<f64> = b.iter().zip(&abar).map(|(x, y)| x - y).collect();
    (norm(&d1) + norm(&d2)).max(f64::MIN_POSITIVE)
}

/// Solve a conduction case on a mesh. Runs on a rayon pool of `case.settings.threads` threads.
pub fn solve(mesh: &Mesh, case: &Case, monitor: &dyn Monitor) -> Result<Solution> {
    let resolved = Resolved::new(case, mesh)?;
    let threads = case
        .settings
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Case(format!("cannot start {threads} threads: {e}")))?;
    pool.install(|| run(mesh, case, resolved, monitor, threads))
}

fn run(
    mesh: &Mesh,
    case: &Case,
    resolved: Resolved,
    monitor: &dyn Monitor,
    threads: usize,
) -> Result<Solution> {
    let start = Instant::now();
    let settings = &case.settings;
    let n = mesh.n_cells();
    let initial = settings.initial_temperature_k.unwrap_or_else(|| {
        let refs: Vec<f64> = resolved
            .patch
            .iter()
            .filter_map(|c| match *c {
                super::PatchCondition::Fixed(t) | super::PatchCondition::Convective(_, t) => {
                    Some(t)
                }
                _ => None,
            })
            .collect();
        refs.iter().sum::<f64>() / refs.len().max(1) as f64
    });
    let mut eq = Conduction::new(
        mesh,
        resolved.conductivity.clone(),
        resolved.power_density.clone(),
        resolved.patch.clone(),
        &resolved.contacts,
    );
    let mut t = vec![initial; n];
    let mut a = eq.new_matrix();
    let mut b = vec![0.0; n];
    let mut r = vec![0.0; n];
    let mut report = SolveReport {
        threads,
        ..Default::default()
    };
    let linear = SolveSettings {
        relative_tolerance: settings
            .linear_tolerance
            .unwrap_or(0.1 * settings.tolerance),
        absolute_tolerance: 0.0,
        max_iterations: settings.linear_max_iterations,
    };
    let stop = || monitor.should_stop();
    let mut preconditioner: Option<Box<dyn Preconditioner>> = None;
    let mut first_iterations = 0usize;
    let mut best = f64::INFINITY;
    let mut converged = false;
    let mut anderson = Anderson::new(5);
    for outer in 0..=settings.max_iterations {
        eq.assemble(&t, &mut a, &mut b);
        a.residual(&b, &t, &mut r);
        let scale = normalisation(&a, &b, &t);
        let res = norm(&r) / scale;
        report.residual_history.push(res);
        report.outer_iterations = outer;
        monitor.progress(outer, &[("energy", res)]);
        if !res.is_finite() || (outer > 3 && res > 1e8 * best) {
            let worst = (0..n)
                .max_by(|&i, &j| r[i].abs().total_cmp(&r[j].abs()))
                .unwrap_or(0);
            return Err(Error::Convergence {
                message: format!(
                    "energy equation diverged at outer iteration {outer} (residual {res:e}); worst cell {worst} in region '{}' at {:?} m",
                    mesh.region_names[mesh.cell_region[worst] as usize],
                    mesh.cell_centre[worst]
                ),
                history: report.residual_history.clone(),
            });
        }
        best = best.min(res);
        if outer > 0
            && (res <= settings.tolerance
                || !eq.needs_outer_iterations() && res <= 10.0 * linear.relative_tolerance)
        {
            converged = true;
            break;
        }
        if outer == settings.max_iterations {
            break;
        }
        if monitor.should_stop() {
            return Err(Error::Interrupted);
        }
        // a new hierarchy when the conductivities moved enough to slow the solver down
        let rebuild = preconditioner.is_none()
            || (eq.nonlinear
                && report
                    .linear_iterations
                    .last()
                    .is_some_and(|&it| it > 2 * first_iterations.max(5)));
        if rebuild {
            let t0 = Instant::now();
            preconditioner = Some(if settings.preconditioner == "jacobi" {
                Box::new(Jacobi::new(&a))
            } else {
                let amg = Amg::new(&a, AmgSettings::default());
                report.multigrid_levels = amg.stats().sizes;
                Box::new(amg)
            });
            report.setup_time_s += t0.elapsed().as_secs_f64();
        }
        let m = preconditioner
            .as_deref()
            .ok_or_else(|| Error::Case("no preconditioner".into()))?;
        let previous = eq.needs_outer_iterations().then(|| t.clone());
        let info = cg(
            &a,
            &b,
            &mut t,
            m,
            SolveSettings {
                relative_tolerance: 0.0,
                absolute_tolerance: linear.relative_tolerance * scale,
                ..linear
            },
            &stop,
        )?;
        if let Some(previous) = previous {
            t = anderson.next(&previous, &t);
        }
        if report.linear_iterations.is_empty() || rebuild {
            first_iterations = info.iterations;
        }
        report.linear_iterations.push(info.iterations);
    }
    if !converged {
        return Err(Error::Convergence {
            message: format!(
                "energy equation did not converge in {} outer iterations (residual {:e}, tolerance {:e})",
                settings.max_iterations,
                report.residual_history.last().copied().unwrap_or(f64::NAN),
                settings.tolerance
            ),
            history: report.residual_history.clone(),
        });
    }
    if let Some(bad) = t.iter().position(|x| !x.is_finite()) {
        return Err(Error::Convergence {
            message: format!("temperature is not finite in cell {bad}"),
            history: report.residual_history.clone(),
        });
    }

    let patch_heat_flow_w: Vec<f64> = (0..mesh.n_patches())
        .map(|p| {
            mesh.patch_faces(p)
                .map(|f| eq.boundary_heat_in(f, &t))
                .sum()
        })
        .collect();
    let mut region_source_w = vec![0.0; mesh.region_names.len()];
    for c in 0..n {
        region_source_w[mesh.cell_region[c] as usize] += eq.cell_source(c);
    }
    let mut contact_heat_flow_w = vec![0.0; resolved.contacts.len()];
    if !resolved.contacts.is_empty() {
        for f in 0..mesh.n_internal_faces {
            let ra = mesh.cell_region[mesh.owner[f] as usize] as usize;
            let rb = mesh.cell_region[mesh.neighbour[f] as usize] as usize;
            for (k, &(a, b, _)) in resolved.contacts.iter().enumerate() {
                if ra == a && rb == b {
                    contact_heat_flow_w[k] += eq.internal_heat_flow(f, &t);
                } else if ra == b && rb == a {
                    contact_heat_flow_w[k] -= eq.internal_heat_flow(f, &t);
                }
            }
        }
    }
    let sources: f64 = region_source_w.iter().sum();
    let boundary: f64 = patch_heat_flow_w.iter().sum();
    let throughput = sources
        .abs()
        .max(0.5 * patch_heat_flow_w.iter().map(|q| q.abs()).sum::<f64>());
    let energy_balance_error = if throughput > 0.0 {
        (boundary + sources) / throughput
    } else {
        0.0
    };
    report.solve_time_s = start.elapsed().as_secs_f64();
    Ok(Solution {
        temperature_k: t,
        patch_heat_flow_w,
        region_source_w,
        contact_heat_flow_w,
        energy_balance_error,
        report,
    })
}
