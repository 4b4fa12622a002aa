//! The preconditioner of the conjugate (coolant + solids) energy system: ILU(0) of the whole
//! matrix followed by one algebraic-multigrid V-cycle on the solid block.
//!
//! ILU(0) handles the advection-dominated coolant rows well, but in the conducting solids
//! (copper at 400 W/m·K against 0.5 W/m·K in the coolant) it only smooths locally: the
//! long-wavelength temperature errors of a large copper body take O(1/h) Krylov iterations to
//! spread. The rows and columns of the solid cells alone form a symmetric M-matrix (conduction,
//! with the conductances to the coolant on the diagonal) on which smoothed aggregation works, so
//! a multigrid correction there removes exactly what ILU leaves. On the bundled cold plate at
//! 2e5 cells this cuts ILU(0)-BiCGStab from 135 iterations to 18 for a 1e4 residual reduction.
//! Smoothed aggregation on the whole, non-symmetric system does not converge (advection).

use super::ilu::IluFactors;
use super::krylov::Preconditioner;
use super::{Amg, AmgSettings, Csr};
use rayon::prelude::*;

/// ILU(0) on the whole system, then an AMG correction on the solid (non-advected) rows.
/// The matrix itself is not stored: bind the current one with [`SolidCorrectedIlu::with_matrix`].
pub struct SolidCorrectedIlu {
    /// ILU(0) of the whole system, on the pattern of the matrix bound at each solve, or on that
    /// of its rows and columns in flow order ([`FlowOrder`]).
    ilu: IluFactors,
    /// The order the ILU factors its rows in, when advection gives one.
    order: Option<FlowOrder>,
    /// Multigrid on the solid block; `None` when there are no solid cells (plain ILU(0)).
    amg: Option<Amg>,
    /// Indices of the solid cells, ascending.
    solid: Vec<u32>,
}

impl SolidCorrectedIlu {
    /// Factor `a` and build the multigrid of its rows and columns where `advected` is false.
    pub fn new(a: &Csr, advected: &[bool]) -> Self {
        let solid: Vec<u32> = (0..a.n_rows)
            .filter(|&c| !advected[c])
            .map(|c| c as u32)
            .collect();
        // Half the conduction threshold: a solid row next to the coolant keeps its coupling to
        // the coolant on the diagonal, which makes its solid couplings look weaker. With 0.15 the
        // 1.2e5-cell channel unit took 27 % longer than with 0.08 (5.35 against 4.25 s, one
        // thread); θ = 0 made the 1e6-cell cold plate's energy solve 37 % slower (28.7 against
        // 21.0 s) and 0.08 keeps both at their best.
        let settings = AmgSettings {
            strength_threshold: 0.08,
            ..AmgSettings::conduction()
        };
        let amg = (!solid.is_empty()).then(|| Amg::new(&principal_submatrix(a, &solid), settings));
        let order = FlowOrder::new(a);
        let ilu = match &order {
            Some(order) => IluFactors::new(&order.matrix),
            None => IluFactors::new(a),
        };
        SolidCorrectedIlu {
            ilu,
            order,
            amg,
            solid,
        }
    }

    /// Unknowns per multigrid level (empty without solids).
    pub fn multigrid_levels(&self) -> Vec<usize> {
        self.amg.as_ref().map_or(Vec::new(), |m| m.stats().sizes)
    }

    /// The preconditioner for the system `a`: the matrix factored, or a later one with the same
    /// pattern (the factors are stored without it; the correction uses the residual of `a`).
    pub fn with_matrix<'a>(&'a self, a: &'a Csr) -> BoundSolidCorrectedIlu<'a> {
        BoundSolidCorrectedIlu { parts: self, a }
    }
}

/// [`SolidCorrectedIlu`] with the matrix whose residuals it corrects.
pub struct BoundSolidCorrectedIlu<'a> {
    parts: &'a SolidCorrectedIlu,
    a: &'a Csr,
}

impl Preconditioner for BoundSolidCorrectedIlu<'_> {
    fn apply(&self, r: &[f64], z: &mut [f64]) {
        let p = self.parts;
        match &p.order {
            Some(order) => order.solve(&p.ilu, r, z),
            None => p.ilu.solve(self.a, r, z),
        }
        let Some(amg) = &p.amg else { return };
        let a = self.a;
        // residual of the ILU step on the solid rows only
        let residual: Vec<f64> = p
            .solid
            .par_iter()
            .map(|&c| {
                let c = c as usize;
                let mut s = r[c];
                for e in a.row_ptr[c]..a.row_ptr[c + 1] {
                    s -= a.val[e] * z[a.col[e] as usize];
                }
                s
            })
            .collect();
        let mut correction = vec![0.0; residual.len()];
        amg.apply(&residual, &mut correction);
        for (&c, dz) in p.solid.iter().zip(&correction) {
            z[c as usize] += dz;
        }
    }
}

/// The rows and columns of an advected system renumbered downstream, for its ILU(0): with
/// upwind advection a coolant row couples strongly to its upstream neighbours only, and
/// eliminating cells in flow order makes the incomplete factors nearly the exact ones along
/// each streamline (the Morton cell order of [`crate::mesh`] cuts across the streamlines of a
/// serpentine channel at every pass). Measured on the corpus serpentine's energy (2e5 Gmsh
/// tetrahedra, `benchmarks/tet_plate_profile.py`), see `benchmarks/RESULTS.md`.
struct FlowOrder {
    /// `old[k]`: the original row factored `k`-th.
    old: Vec<u32>,
    /// The matrix (values of the one factored) with rows and columns in that order.
    matrix: Csr,
}

impl FlowOrder {
    /// Kahn's topological order of the upstream graph (entry `(i, j)` with `a_ij < a_ji`: `j`
    /// is upstream of `i`, an asymmetry only advection makes), rows without upstream
    /// neighbours first in their own order; where recirculation closes a cycle, the first row
    /// not yet placed goes next. `None` for a symmetric matrix (nothing to order by).
    fn new(a: &Csr) -> Option<FlowOrder> {
        let n = a.n_rows;
        // per entry: whether its column is upstream of its row
        let upstream: Vec<bool> = (0..n)
            .into_par_iter()
            .flat_map_iter(|i| {
                (a.row_ptr[i]..a.row_ptr[i + 1]).map(move |e| {
                    let j = a.col[e] as usize;
                    j != i && a.find(j, i).is_some_and(|m| a.val[e] < a.val[m])
                })
            })
            .collect();
        if !upstream.iter().any(|&u| u) {
            return None;
        }
        let mut waiting: Vec<u32> = (0..n)
            .map(|i| {
                (a.row_ptr[i]..a.row_ptr[i + 1])
                    .filter(|&e| upstream[e])
                    .count() as u32
            })
            .collect();
        let mut placed = vec![false; n];
        let mut old = Vec::with_capacity(n);
        let mut queue = std::collections::VecDeque::new();
        queue.extend((0..n).filter(|&i| waiting[i] == 0));
        let mut next_unplaced = 0;
        while old.len() < n {
            let i = match queue.pop_front() {
                Some(i) if !placed[i] => i,
                Some(_) => continue,
                None => {
                    // a cycle: break it at the first row not yet placed
                    while placed[next_unplaced] {
                        next_unplaced += 1;
                    }
                    next_unplaced
                }
            };
            placed[i] = true;
            old.push(i as u32);
            // rows downstream of i: entries (i, j) whose mirror (j, i) has i upstream of j
            for e in a.row_ptr[i]..a.row_ptr[i + 1] {
                let j = a.col[e] as usize;
                if placed[j] || j == i {
                    continue;
                }
                if a.find(j, i).is_some_and(|m| upstream[m]) {
                    waiting[j] -= 1;
                    if waiting[j] == 0 {
                        queue.push_back(j);
                    }
                }
            }
        }
        let mut new_of = vec![0u32; n];
        for (k, &i) in old.iter().enumerate() {
            new_of[i as usize] = k as u32;
        }
        let mut row_ptr = Vec::with_capacity(n + 1);
        row_ptr.push(0);
        let mut col = Vec::with_capacity(a.nnz());
        let mut val = Vec::with_capacity(a.nnz());
        let mut row: Vec<(u32, f64)> = Vec::new();
        for &i in &old {
            let i = i as usize;
            row.clear();
            row.extend(
                (a.row_ptr[i]..a.row_ptr[i + 1]).map(|e| (new_of[a.col[e] as usize], a.val[e])),
            );
            row.sort_unstable_by_key(|&(c, _)| c);
            col.extend(row.iter().map(|&(c, _)| c));
            val.extend(row.iter().map(|&(_, v)| v));
            row_ptr.push(col.len());
        }
        Some(FlowOrder {
            old,
            matrix: Csr {
                n_rows: n,
                n_cols: n,
                row_ptr: row_ptr.into(),
                col: col.into(),
                val,
            },
        })
    }

    /// `z = (LU)⁻¹ r` with factors of the reordered matrix, `r` and `z` in the original order.
    fn solve(&self, ilu: &IluFactors, r: &[f64], z: &mut [f64]) {
        let r_new: Vec<f64> = self.old.iter().map(|&i| r[i as usize]).collect();
        let mut z_new = vec![0.0; r_new.len()];
        ilu.solve(&self.matrix, &r_new, &mut z_new);
        for (&i, &v) in self.old.iter().zip(&z_new) {
            z[i as usize] = v;
        }
    }
}

/// The rows and columns `keep` (ascending) of `a`, renumbered 0..keep.len().
fn principal_submatrix(a: &Csr, keep: &[u32]) -> Csr {
    let mut index = vec![u32::MAX; a.n_rows];
    for (k, &c) in keep.iter().enumerate() {
        index[c as usize] = k as u32;
    }
    let mut row_ptr = Vec::with_capacity(keep.len() + 1);
    row_ptr.push(0);
    let mut col = Vec::new();
    let mut val = Vec::new();
    for &c in keep {
        let c = c as usize;
        for e in a.row_ptr[c]..a.row_ptr[c + 1] {
            let j = index[a.col[e] as usize];
            if j != u32::MAX {
                col.push(j);
                val.push(a.val[e]);
            }
        }
        row_ptr.push(col.len());
    }
    Csr {
        n_rows: keep.len(),
        n_cols: keep.len(),
        row_ptr: row_ptr.into(),
        col: col.into(),
        val,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::{bicgstab, Ilu0, SolveSettings};

    /// A 2-D plate of `nx` × `ny` cells: the lower `ny_solid` rows conduct with conductance `k`,
    /// the rows above are coolant (conductance 0.5) advected along +x with flow rate × cp `m`,
    /// entering at 0 on the left; unit heat into each cell of the bottom row.
    fn plate(nx: usize, ny: usize, ny_solid: usize, k: f64, m: f64) -> (Csr, Vec<f64>, Vec<bool>) {
        let n = nx * ny;
        let id = |i: usize, j: usize| j * nx + i;
        let advected: Vec<bool> = (0..n).map(|c| c / nx >= ny_solid).collect();
        let conductivity = |c: usize| if advected[c] { 0.5 } else { k };
        let mut triplets: Vec<(usize, usize, f64)> = Vec::new();
        let mut link = |p: usize, q: usize| {
            let g = 2.0 / (1.0 / conductivity(p) + 1.0 / conductivity(q));
            triplets.extend([(p, p, g), (q, q, g), (p, q, -g), (q, p, -g)]);
        };
        for j in 0..ny {
            for i in 0..nx {
                if i + 1 < nx {
                    link(id(i, j), id(i + 1, j));
                }
                if j + 1 < ny {
                    link(id(i, j), id(i, j + 1));
                }
            }
        }
        for j in ny_solid..ny {
            for i in 0..nx {
                // upwind: the flux m T leaves cell (i, j) and enters its downstream neighbour
                triplets.push((id(i, j), id(i, j), m));
                if i + 1 < nx {
                    triplets.push((id(i + 1, j), id(i, j), -m));
                }
            }
        }
        triplets.sort_by_key(|&(p, q, _)| (p, q));
        let mut row_ptr = vec![0; n + 1];
        let (mut col, mut val): (Vec<u32>, Vec<f64>) = (Vec::new(), Vec::new());
        let mut last = (usize::MAX, usize::MAX);
        for (p, q, v) in triplets {
            if (p, q) == last {
                *val.last_mut().expect("an entry") += v;
            } else {
                col.push(q as u32);
                val.push(v);
                last = (p, q);
                row_ptr[p + 1] = col.len();
            }
        }
        for r in 1..=n {
            row_ptr[r] = row_ptr[r].max(row_ptr[r - 1]);
        }
        let b = (0..n).map(|c| if c < nx { 1.0 } else { 0.0 }).collect();
        let a = Csr {
            n_rows: n,
            n_cols: n,
            row_ptr: row_ptr.into(),
            col: col.into(),
            val,
        };
        (a, b, advected)
    }

    #[test]
    fn solves_the_conjugate_rod_and_beats_plain_ilu() {
        let (a, b, advected) = plate(120, 60, 40, 400.0, 2.0);
        let settings = SolveSettings {
            relative_tolerance: 1e-10,
            absolute_tolerance: 0.0,
            max_iterations: 5000,
        };
        let pre = SolidCorrectedIlu::new(&a, &advected);
        assert!(pre.multigrid_levels().len() > 1);
        let mut x = vec![0.0; b.len()];
        let corrected =
            bicgstab(&a, &b, &mut x, &pre.with_matrix(&a), settings, &|| false).expect("converges");
        let mut r = vec![0.0; b.len()];
        a.residual(&b, &x, &mut r);
        let rn = r.iter().map(|v| v * v).sum::<f64>().sqrt();
        let bn = b.iter().map(|v| v * v).sum::<f64>().sqrt();
        assert!(rn <= 1e-9 * bn, "true residual {rn:e}");
        let mut y = vec![0.0; b.len()];
        let plain = bicgstab(&a, &b, &mut y, &Ilu0::new(&a), settings, &|| false);
        let plain_iterations = plain.map_or(settings.max_iterations, |i| i.iterations);
        assert!(
            corrected.iterations * 3 < plain_iterations,
            "corrected {} against plain ILU {plain_iterations}",
            corrected.iterations
        );
    }

    #[test]
    fn without_solids_it_is_plain_ilu_in_flow_order() {
        let (a, b, _) = plate(30, 10, 0, 400.0, 2.0);
        let advected = vec![true; b.len()];
        let pre = SolidCorrectedIlu::new(&a, &advected);
        assert!(pre.multigrid_levels().is_empty());
        let (mut z1, mut z2) = (vec![0.0; b.len()], vec![0.0; b.len()]);
        pre.with_matrix(&a).apply(&b, &mut z1);
        let order = FlowOrder::new(&a).expect("advection orders the rows");
        order.solve(&IluFactors::new(&order.matrix), &b, &mut z2);
        assert_eq!(z1, z2);
    }

    #[test]
    fn flow_order_puts_every_row_after_its_upstream_neighbours() {
        // coolant rows advected along +x above copper rows
        let (a, _, _) = plate(40, 20, 8, 400.0, 2.0);
        let order = FlowOrder::new(&a).expect("advection orders the rows");
        let mut position = vec![0usize; a.n_rows];
        for (k, &i) in order.old.iter().enumerate() {
            position[i as usize] = k;
        }
        let mut edges = 0;
        for i in 0..a.n_rows {
            for e in a.row_ptr[i]..a.row_ptr[i + 1] {
                let j = a.col[e] as usize;
                let mirror = a.find(j, i).expect("a symmetric pattern");
                if j != i && a.val[e] < a.val[mirror] {
                    edges += 1;
                    assert!(position[j] < position[i], "{j} is upstream of {i}");
                }
            }
        }
        assert_eq!(edges, 39 * 12); // every coolant face along x
                                    // the reordered matrix holds the same entries
        let mut sorted: Vec<f64> = order.matrix.val.clone();
        let mut original = a.val.clone();
        sorted.sort_by(f64::total_cmp);
        original.sort_by(f64::total_cmp);
        assert_eq!(sorted, original);
        // conduction alone gives nothing to order by
        let (still, _, _) = plate(20, 10, 10, 400.0, 0.0);
        assert!(FlowOrder::new(&still).is_none());
    }

    #[test]
    fn flow_order_beats_the_natural_order_across_the_streamlines() {
        // convection-dominated coolant (cell Péclet 100) numbered red–black along the flow (even
        // x first, then odd), so that the numbering turns back at every cell of a streamline as
        // a Morton order often does: ILU(0) in that order drops the fill along the streamline;
        // in flow order its factors are nearly exact there
        let (a, b, advected) = plate(120, 60, 40, 400.0, 50.0);
        let old: Vec<usize> = (0..a.n_rows)
            .filter(|i| i % 2 == 0)
            .chain((0..a.n_rows).filter(|i| i % 2 == 1))
            .collect();
        let mut new_of = vec![0usize; a.n_rows];
        for (k, &i) in old.iter().enumerate() {
            new_of[i] = k;
        }
        let mut triplets: Vec<(usize, usize, f64)> = Vec::new();
        for i in 0..a.n_rows {
            for e in a.row_ptr[i]..a.row_ptr[i + 1] {
                triplets.push((new_of[i], new_of[a.col[e] as usize], a.val[e]));
            }
        }
        triplets.sort_by_key(|&(p, q, _)| (p, q));
        let mut row_ptr = vec![0usize; a.n_rows + 1];
        for &(p, _, _) in &triplets {
            row_ptr[p + 1] += 1;
        }
        for r in 0..a.n_rows {
            row_ptr[r + 1] += row_ptr[r];
        }
        let reversed = Csr {
            n_rows: a.n_rows,
            n_cols: a.n_cols,
            row_ptr: row_ptr.into(),
            col: triplets
                .iter()
                .map(|&(_, q, _)| q as u32)
                .collect::<Vec<_>>()
                .into(),
            val: triplets.iter().map(|&(_, _, v)| v).collect(),
        };
        let rb: Vec<f64> = old.iter().map(|&i| b[i]).collect();
        let radvected: Vec<bool> = old.iter().map(|&i| advected[i]).collect();
        let settings = SolveSettings {
            relative_tolerance: 1e-10,
            absolute_tolerance: 0.0,
            max_iterations: 5000,
        };
        let ordered = SolidCorrectedIlu::new(&reversed, &radvected);
        let mut x = vec![0.0; rb.len()];
        let flow = bicgstab(
            &reversed,
            &rb,
            &mut x,
            &ordered.with_matrix(&reversed),
            settings,
            &|| false,
        )
        .expect("converges");
        let natural = SolidCorrectedIlu {
            ilu: IluFactors::new(&reversed),
            order: None,
            ..SolidCorrectedIlu::new(&reversed, &radvected)
        };
        let mut y = vec![0.0; rb.len()];
        let across = bicgstab(
            &reversed,
            &rb,
            &mut y,
            &natural.with_matrix(&reversed),
            settings,
            &|| false,
        )
        .expect("converges");
        assert!(
            2 * flow.iterations < across.iterations,
            "flow order {} against {} iterations",
            flow.iterations,
            across.iterations
        );
    }
}
