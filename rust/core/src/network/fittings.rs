//! Loss coefficients of fittings whose K depends on the Reynolds number.
//!
//! Sharp-edged sudden contraction (entry from a plenum or wider duct into a channel), K on the
//! channel's mean velocity, a total-pressure loss:
//!
//! * Re ≥ 10⁴ (turbulent): `K = 0.5·(1 − σ)^0.75`, σ = channel / upstream area (I. E. Idelchik,
//!   *Handbook of Hydraulic Resistance*, 3rd ed. 1994, 4th ed. 2007; diagram 4-9).
//! * 10 ≤ Re ≤ 10⁴ (laminar and transition): Idelchik's diagram 4-10, ζ tabulated against
//!   Re = w₀·D_h/ν of the narrow (channel) section for F₀/F₁ = σ = 0.1 … 0.6. The loss grows as Re falls (5 at Re = 10 against 0.4–0.5 turbulent) and
//!   dips below the turbulent value at Re ≈ 2000 before the transition bump at 4000–5000.
//!   It is the local loss of the contraction: the channel's own friction (developing or
//!   developed) is not in it and belongs to the channel's element.
//!
//! Between the table's points K is interpolated linearly in ln Re and in σ (the diagram's Re axis
//! is logarithmic). Outside the table, stated extensions (not Idelchik's data):
//! * Re < 10: `K = K(10)·10/Re`, a ΔP linear in the flow as in creeping flow;
//! * 10⁴ < Re < 2·10⁴: linear in ln Re from the table at 10⁴ to the turbulent formula (the
//!   two differ by up to 0.05 at 10⁴), the turbulent formula from 2·10⁴ on;
//! * σ < 0.1: the σ = 0.1 row (the rows barely differ there, the entry is from a plenum);
//! * σ > 0.6: the σ = 0.6 row scaled by the turbulent formula's `((1 − σ)/0.4)^0.75`, so
//!   K → 0 as σ → 1.

/// Area ratios (channel / upstream) of the rows of Idelchik's diagram 4-10.
pub const CONTRACTION_AREA_RATIOS: [f64; 6] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
/// Reynolds numbers (channel velocity and hydraulic diameter) of its columns.
pub const CONTRACTION_REYNOLDS: [f64; 13] = [
    10.0, 20.0, 30.0, 40.0, 50.0, 100.0, 200.0, 500.0, 1e3, 2e3, 4e3, 5e3, 1e4,
];
/// ζ of Idelchik's diagram 4-10, one row per area ratio.
pub const CONTRACTION_K: [[f64; 13]; 6] = [
    [
        5.00, 3.20, 2.40, 2.00, 1.80, 1.30, 1.04, 0.82, 0.64, 0.50, 0.80, 0.75, 0.50,
    ],
    [
        5.00, 3.10, 2.30, 1.84, 1.62, 1.20, 0.95, 0.70, 0.50, 0.40, 0.60, 0.60, 0.40,
    ],
    [
        5.00, 2.95, 2.15, 1.70, 1.50, 1.10, 0.85, 0.60, 0.44, 0.30, 0.55, 0.55, 0.35,
    ],
    [
        5.00, 2.80, 2.00, 1.60, 1.40, 1.00, 0.78, 0.50, 0.35, 0.25, 0.45, 0.50, 0.30,
    ],
    [
        5.00, 2.70, 1.80, 1.46, 1.30, 0.90, 0.65, 0.42, 0.30, 0.20, 0.40, 0.42, 0.25,
    ],
    [
        5.00, 2.60, 1.70, 1.35, 1.20, 0.80, 0.56, 0.35, 0.24, 0.15, 0.35, 0.35, 0.20,
    ],
];
/// Reynolds number from which the turbulent formula holds alone.
const RE_TURBULENT_CONTRACTION: f64 = 2e4;

/// Turbulent loss coefficient of a sharp-edged sudden contraction, `0.5·(1 − σ)^0.75`.
pub fn sudden_contraction_k_turbulent(area_ratio: f64) -> f64 {
    0.5 * (1.0 - area_ratio.clamp(0.0, 1.0)).powf(0.75)
}

/// Interpolation weight and index of `x` in ascending `xs`, clamped to the ends (NaN to the
/// first interval, so that no input can index out of range).
fn bracket(xs: &[f64], x: f64) -> (usize, f64) {
    if x.is_nan() || x <= xs[0] {
        return (0, 0.0);
    }
    let last = xs.len() - 1;
    if x >= xs[last] {
        return (last - 1, 1.0);
    }
    let i = xs.partition_point(|&v| v <= x) - 1;
    (i, (x - xs[i]) / (xs[i + 1] - xs[i]))
}

/// Diagram 4-10 at `area_ratio` in [0.1, 0.6] (clamped) and `re` in [10, 10⁴]:
/// K and dK/d(ln Re).
fn table(area_ratio: f64, re: f64) -> (f64, f64) {
    let (i, s) = bracket(&CONTRACTION_AREA_RATIOS, area_ratio);
    let ln_re: Vec<f64> = CONTRACTION_REYNOLDS.iter().map(|r| r.ln()).collect();
    let (j, t) = bracket(&ln_re, re.ln());
    let row = |r: usize| {
        let (a, b) = (CONTRACTION_K[r][j], CONTRACTION_K[r][j + 1]);
        (a + t * (b - a), (b - a) / (ln_re[j + 1] - ln_re[j]))
    };
    let (k0, d0) = row(i);
    let (k1, d1) = row(i + 1);
    (k0 + s * (k1 - k0), d0 + s * (d1 - d0))
}

/// Loss coefficient of a sharp-edged sudden contraction at channel Reynolds number `re`
/// (see the module notes) and its derivative dK/dRe. `area_ratio` σ in [0, 1), `re` > 0.
pub fn sudden_contraction_k(area_ratio: f64, re: f64) -> (f64, f64) {
    let sigma = area_ratio.clamp(0.0, 1.0);
    let (re_min, re_max) = (CONTRACTION_REYNOLDS[0], CONTRACTION_REYNOLDS[12]);
    // rows beyond σ = 0.6 follow the turbulent formula's dependence on σ
    let scale = if sigma > 0.6 {
        sudden_contraction_k_turbulent(sigma) / sudden_contraction_k_turbulent(0.6)
    } else {
        1.0
    };
    if re < re_min {
        let k10 = table(sigma, re_min).0 * scale;
        let k = k10 * re_min / re;
        return (k, -k / re);
    }
    if re <= re_max {
        let (k, dk_dln) = table(sigma, re);
        return (k * scale, dk_dln * scale / re);
    }
    let k_turbulent = sudden_contraction_k_turbulent(sigma);
    if re >= RE_TURBULENT_CONTRACTION {
        return (k_turbulent, 0.0);
    }
    let k_table = table(sigma, re_max).0 * scale;
    let span = (RE_TURBULENT_CONTRACTION / re_max).ln();
    let t = (re / re_max).ln() / span;
    (
        k_table + t * (k_turbulent - k_table),
        (k_turbulent - k_table) / (span * re),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_the_tabulated_points() {
        for (i, &sigma) in CONTRACTION_AREA_RATIOS.iter().enumerate() {
            for (j, &re) in CONTRACTION_REYNOLDS.iter().enumerate() {
                let k = sudden_contraction_k(sigma, re).0;
                assert!(
                    (k - CONTRACTION_K[i][j]).abs() < 1e-12,
                    "σ {sigma} Re {re}: {k} vs {}",
                    CONTRACTION_K[i][j]
                );
            }
        }
    }

    #[test]
    fn turbulent_formula_from_2e4_and_continuous_at_the_joins() {
        for sigma in [0.0, 0.25, 0.5, 0.8] {
            let k_t = sudden_contraction_k_turbulent(sigma);
            assert_eq!(sudden_contraction_k(sigma, 2e4).0, k_t);
            assert_eq!(sudden_contraction_k(sigma, 1e6).0, k_t);
            for re in [10.0, 1e4, 2e4] {
                let below = sudden_contraction_k(sigma, re * (1.0 - 1e-9)).0;
                let above = sudden_contraction_k(sigma, re * (1.0 + 1e-9)).0;
                assert!((below - above).abs() < 1e-6, "σ {sigma} Re {re}");
            }
        }
        assert!(sudden_contraction_k(0.999_999, 100.0).0 < 1e-3);
    }

    #[test]
    fn non_finite_input_does_not_panic() {
        for (sigma, re) in [
            (f64::NAN, 100.0),
            (0.3, f64::NAN),
            (0.3, f64::INFINITY),
            (-1.0, 0.0),
        ] {
            let _ = sudden_contraction_k(sigma, re);
        }
    }

    #[test]
    fn slope_matches_finite_differences() {
        for sigma in [0.05, 0.25, 0.55, 0.7] {
            for re in [3.0, 15.0, 350.0, 900.0, 3000.0, 1.4e4, 5e4] {
                let h = re * 1e-6;
                let fd = (sudden_contraction_k(sigma, re + h).0
                    - sudden_contraction_k(sigma, re - h).0)
                    / (2.0 * h);
                let slope = sudden_contraction_k(sigma, re).1;
                assert!(
                    (fd - slope).abs() <= 1e-5 * (1.0 + slope.abs()),
                    "σ {sigma} Re {re}: {slope} vs {fd}"
                );
            }
        }
    }
}
