//! Radiator panels in a network's time loop: a characterised panel (the Python
//! `RadiatorModel`) with a heat capacity, in a time-varying environment.
//!
//! The panel model is the one of `rackflow.radiator_model`: coolant of heat-capacity rate
//! `C = ρ c_p V̇` (the model coolant's `ρ c_p` at the inlet) entering at `T_in` cools along the
//! panel as `C dT/dx = −(A_eff/L) ε σ (T⁴ − T_e⁴)`, `T_e⁴ = T_sink⁴ + q_abs/(εσ)`, so that
//! `G(T_in) − G(T_out) = εσA_eff/C` with `G' = 1/(T⁴ − T_e⁴)` in closed form. `A_eff` is
//! interpolated linearly in ln(flow) and in inlet temperature, held at the ends.
//!
//! In time the panel's heat capacity (metal and the coolant it holds) is a well-mixed volume
//! at the panel's inlet, `C_r dT_r/dt = ṁ (h_in − h(T_r))`, feeding the quasi-steady panel at
//! `T_r`: the panel's own transit (seconds) is short against its environment's changes (an
//! orbit). In a steady state `T_r` is the inlet temperature and the heat is the model's.

use serde::{Deserialize, Serialize};

use super::transient::ProfileSpec;
use crate::radiation::STEFAN_BOLTZMANN;

/// One radiator panel (or wing of panels) of a network, for its time loop.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RadiatorSpec {
    /// The edge carrying the panel (a set-point CDU in the steady specification).
    pub edge: u32,
    /// Characterised volume flows [m³/s], increasing.
    pub flow_m3_s: Vec<f64>,
    /// Characterised inlet temperatures [K], increasing.
    pub inlet_k: Vec<f64>,
    /// Effective radiating area [m²], row-major: one row per inlet temperature, one column
    /// per flow.
    pub effective_area_m2: Vec<f64>,
    /// Emissivity of the radiating faces.
    pub emissivity: f64,
    /// Sink temperature [K].
    pub sink_k: f64,
    /// Absorbed flux [W/m² of radiating area] against time.
    pub absorbed_flux_w_m2: ProfileSpec,
    /// Heat capacity of the panel and the coolant in it [J/K]; 0: quasi-steady.
    pub heat_capacity_j_k: f64,
    /// Temperatures [K] of the model coolant's `ρ c_p` table.
    pub rho_cp_temperature_k: Vec<f64>,
    /// `ρ c_p` of the model coolant [J/(m³·K)] (linear between, held outside).
    pub rho_cp_j_m3_k: Vec<f64>,
}

/// Linear interpolation in a table, held at its ends (NumPy's `interp`).
fn interp(x: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len();
    if n == 1 || x <= xs[0] {
        return ys[0];
    }
    if x >= xs[n - 1] {
        return ys[n - 1];
    }
    let i = xs.partition_point(|&v| v <= x) - 1;
    let s = (x - xs[i]) / (xs[i + 1] - xs[i]);
    ys[i] + s * (ys[i + 1] - ys[i])
}

impl RadiatorSpec {
    /// Every problem of this panel's data, named.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        let what = format!("radiator on edge {}", self.edge);
        let (nq, nt) = (self.flow_m3_s.len(), self.inlet_k.len());
        if nq == 0 || self.flow_m3_s.iter().any(|&q| !(q.is_finite() && q > 0.0)) {
            p.push(format!(
                "{what}: flows must be finite and > 0, at least one"
            ));
        }
        if self.flow_m3_s.windows(2).any(|w| w[1] <= w[0]) {
            p.push(format!("{what}: flows must increase"));
        }
        if nt == 0 || self.inlet_k.iter().any(|&t| !(t.is_finite() && t > 0.0)) {
            p.push(format!(
                "{what}: inlet temperatures must be finite and > 0 K, at least one"
            ));
        }
        if self.inlet_k.windows(2).any(|w| w[1] <= w[0]) {
            p.push(format!("{what}: inlet temperatures must increase"));
        }
        if self.effective_area_m2.len() != nq * nt
            || self
                .effective_area_m2
                .iter()
                .any(|&a| !(a.is_finite() && a >= 0.0))
        {
            p.push(format!(
                "{what}: effective_area_m2 needs {nt} × {nq} finite values ≥ 0, got {}",
                self.effective_area_m2.len()
            ));
        }
        if !(self.emissivity > 0.0 && self.emissivity <= 1.0) {
            p.push(format!(
                "{what}: emissivity must lie in (0, 1], got {}",
                self.emissivity
            ));
        }
        if !(self.sink_k.is_finite() && self.sink_k > 0.0) {
            p.push(format!(
                "{what}: sink_k must be above absolute zero, got {}",
                self.sink_k
            ));
        }
        if !(self.heat_capacity_j_k.is_finite() && self.heat_capacity_j_k >= 0.0) {
            p.push(format!(
                "{what}: heat_capacity_j_k must be finite and ≥ 0, got {}",
                self.heat_capacity_j_k
            ));
        }
        let nr = self.rho_cp_temperature_k.len();
        if nr == 0
            || nr != self.rho_cp_j_m3_k.len()
            || self.rho_cp_temperature_k.windows(2).any(|w| w[1] <= w[0])
            || self
                .rho_cp_j_m3_k
                .iter()
                .any(|&v| !(v.is_finite() && v > 0.0))
        {
            p.push(format!(
                "{what}: the coolant's ρ·c_p table needs increasing temperatures and as many positive values"
            ));
        }
        if let Err(e) = self
            .absorbed_flux_w_m2
            .check(&format!("{what}: absorbed_flux_w_m2"))
        {
            p.push(e.to_string());
        }
        p
    }

    /// `A_eff` [m²] at volume flow `q` [m³/s] and inlet `t_in` [K].
    pub fn effective_area_m2_at(&self, q: f64, t_in: f64) -> f64 {
        let lq: Vec<f64> = self.flow_m3_s.iter().map(|v| v.ln()).collect();
        let x = q.max(1e-300).ln();
        let nq = lq.len();
        let rows: Vec<f64> = self
            .effective_area_m2
            .chunks(nq)
            .map(|row| interp(x, &lq, row))
            .collect();
        interp(t_in, &self.inlet_k, &rows)
    }

    /// The effective sink `T_e` [K] under absorbed flux `q_abs` [W/m²].
    pub fn effective_sink_k(&self, q_abs: f64) -> f64 {
        (self.sink_k.powi(4) + q_abs.max(0.0) / (self.emissivity * STEFAN_BOLTZMANN)).powf(0.25)
    }

    /// Heat [W] the panel takes from volume flow `q` [m³/s] entering at `t_in` [K] under
    /// absorbed flux `q_abs` [W/m²] (negative when it absorbs more than it emits).
    pub fn heat_w(&self, q: f64, t_in: f64, q_abs: f64) -> f64 {
        if q <= 0.0 {
            return 0.0;
        }
        let te = self.effective_sink_k(q_abs);
        let c = interp(t_in, &self.rho_cp_temperature_k, &self.rho_cp_j_m3_k) * q;
        let ntu = self.emissivity * STEFAN_BOLTZMANN * self.effective_area_m2_at(q, t_in) / c;
        c * (t_in - outlet_k(t_in, te, ntu))
    }
}

/// An antiderivative of `1/(T⁴ − a⁴)` (`T ≠ a`, both > 0); the series
/// `−T⁻³ Σ u^{4j}/(4j + 3)` (`u = a/T`) for `T ≫ a`, free of the closed form's cancellation.
pub fn g(t: f64, a: f64) -> f64 {
    let u = a / t;
    if u < 0.5 {
        let u4 = u.powi(4);
        let (mut s, mut term, mut j) = (0.0, 1.0, 0);
        loop {
            let add = term / f64::from(4 * j + 3);
            s += add;
            if add < 1e-17 * s || j > 200 {
                break;
            }
            term *= u4;
            j += 1;
        }
        return -s / t.powi(3);
    }
    (((t - a) / (t + a)).abs().ln() + 2.0 * u.atan()) / (4.0 * a.powi(3))
}

/// Outlet temperature [K] of coolant entering at `t_in` [K] with `εσA_eff/C = ntu` [K⁻³]
/// against the effective sink `a` [K]: `G(T_out) = G(T_in) − ntu` on `t_in`'s side of `a`
/// (Newton kept inside a bisection bracket).
pub fn outlet_k(t_in: f64, a: f64, ntu: f64) -> f64 {
    if ntu <= 0.0 || t_in == a {
        return t_in;
    }
    let target = g(t_in, a) - ntu;
    let (mut lo, mut hi) = if t_in > a { (a, t_in) } else { (t_in, a) };
    let mut t = t_in;
    for _ in 0..200 {
        let gt = g(t, a);
        let cand0 = t - (gt - target) * (t.powi(4) - a.powi(4));
        if (t_in > a) == (gt > target) {
            hi = t;
        } else {
            lo = t;
        }
        let cand = if lo < cand0 && cand0 < hi {
            cand0
        } else {
            0.5 * (lo + hi)
        };
        if (cand - t).abs() <= 1e-13 * t {
            return cand;
        }
        t = cand;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tube ODE `C dT/dx = −εσ(A/L)(T⁴ − a⁴)` by RK4 on a fine grid.
    fn ode(t_in: f64, a: f64, ntu: f64) -> f64 {
        let n = 20_000;
        let h = ntu / f64::from(n);
        let f = |t: f64| -(t.powi(4) - a.powi(4));
        let mut t = t_in;
        for _ in 0..n {
            let k1 = f(t);
            let k2 = f(t + 0.5 * h * k1);
            let k3 = f(t + 0.5 * h * k2);
            let k4 = f(t + h * k3);
            t += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
        }
        t
    }

    #[test]
    fn closed_form_outlet_is_the_tube_ode() {
        for (t_in, a, ntu) in [
            (350.0, 3.0, 1e-9),
            (350.0, 250.0, 3e-9),
            (330.0, 300.0, 5e-8),
            (200.0, 260.0, 2e-8),
        ] {
            let closed = outlet_k(t_in, a, ntu);
            let num = ode(t_in, a, ntu);
            assert!(
                (closed - num).abs() < 1e-8,
                "{t_in} {a} {ntu}: {closed} {num}"
            );
        }
    }

    #[test]
    fn the_two_branches_of_g_agree() {
        let a = 100.0;
        let (lo, hi) = (g(199.999_999, a), g(200.000_001, a));
        let d = 1.0 / (200.0_f64.powi(4) - a.powi(4));
        assert!(((hi - lo) / 2e-6 - d).abs() < 1e-6 * d);
    }

    #[test]
    fn area_interpolates_in_log_flow_and_holds_at_the_ends() {
        let r = RadiatorSpec {
            edge: 0,
            flow_m3_s: vec![1e-5, 4e-5],
            inlet_k: vec![300.0, 340.0],
            effective_area_m2: vec![1.0, 2.0, 3.0, 4.0],
            emissivity: 0.9,
            sink_k: 3.0,
            absorbed_flux_w_m2: ProfileSpec {
                time_s: vec![0.0],
                value: vec![0.0],
                interpolation: super::super::transient::Interpolation::Linear,
            },
            heat_capacity_j_k: 0.0,
            rho_cp_temperature_k: vec![300.0],
            rho_cp_j_m3_k: vec![4e6],
        };
        assert!(r.problems().is_empty());
        assert!((r.effective_area_m2_at(2e-5, 300.0) - 1.5).abs() < 1e-12);
        assert!((r.effective_area_m2_at(2e-5, 320.0) - 2.5).abs() < 1e-12);
        assert!((r.effective_area_m2_at(1e-3, 400.0) - 4.0).abs() < 1e-12);
        assert!((r.effective_area_m2_at(1e-9, 200.0) - 1.0).abs() < 1e-12);
    }
}
