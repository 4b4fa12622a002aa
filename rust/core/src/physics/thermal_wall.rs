//! Thermal wall functions: the temperature law of the wall `T⁺(y⁺, Pr)` that sets the coolant
//! side's conductance of a turbulent wall face, `k_w = k Pr y⁺ / T⁺` (molecular conduction
//! across the wall cell's half-width when `T⁺ = Pr y⁺`, the log law's when the cell sits in the
//! log layer). `y⁺ = ρ u* d / μ` with `d` the wall cell centre's distance to the face and `u*`
//! the friction velocity of the region's wall treatment: the wall shear's `u_τ` (Spalding's law
//! at the wall cell's speed) with the blended treatment, the default, so that the heat flux
//! blends through the buffer layer as the shear does; `C_μ^¼ √k` of the wall cell with the
//! switching one, the y⁺ its branches switch on.
//!
//! Two laws, chosen per coolant region (`case.fluid(..., thermal_wall_function=...)`):
//!
//! - [`ThermalWallFunction::Kader`] (the default): Kader's (1981) single formula blended across
//!   the viscous sublayer and the log layer. With the blended treatment it is the closer of the
//!   two on the developed pipe with wall functions, to Gnielinski's correlation and to the
//!   wall-resolved model alike, at Pr 0.7, 7 and 12.7 (within 3.6 %; Jayatilleke's up to 7.9 %
//!   off); on the developing turbulent-heat duct at Pr 12.7 Jayatilleke's is the closer to the
//!   wall-resolved model (+1 to +13 % against Kader's +8 to +19 %): benchmarks/RESULTS.md,
//!   "Stop 28: which thermal wall law for the blended treatment".
//! - [`ThermalWallFunction::Jayatilleke`]: Jayatilleke's (1969) P-function law as OpenFOAM's
//!   `compressible::alphatJayatillekeWallFunction` applies it: `T⁺ = Pr y⁺` below the thermal
//!   sublayer's edge `y⁺_T` and `T⁺ = Pr_t (ln(E y⁺)/κ + P)` above it, with
//!   `P = 9.24 ((Pr/Pr_t)^¾ − 1)(1 + 0.28 e^(−0.007 Pr/Pr_t))` and `y⁺_T` where the two meet.
//!   For a like-for-like comparison with an OpenFOAM case that uses it.

use serde::{Deserialize, Serialize};

use crate::physics::flow::{E_LOG, KAPPA, TURBULENT_PRANDTL};

/// The temperature law of the wall a turbulent coolant region's walls conduct with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThermalWallFunction {
    /// Kader's (1981) blended law.
    #[default]
    #[serde(rename = "kader")]
    Kader,
    /// Jayatilleke's (1969) P-function law, switched at the thermal sublayer's edge (OpenFOAM's
    /// `alphatJayatillekeWallFunction`).
    #[serde(rename = "jayatilleke")]
    Jayatilleke,
}

impl ThermalWallFunction {
    /// `T⁺(y⁺, Pr)` of this law.
    pub fn t_plus(self, y_plus: f64, prandtl: f64) -> f64 {
        match self {
            ThermalWallFunction::Kader => kader_t_plus(y_plus, prandtl),
            ThermalWallFunction::Jayatilleke => jayatilleke_t_plus(y_plus, prandtl),
        }
    }

    /// The factor `Pr y⁺ / T⁺` on the coolant's conductivity at a wall (1 in the viscous
    /// sublayer, and where y⁺ or Pr is not usable).
    pub fn conductivity_factor(self, y_plus: f64, prandtl: f64) -> f64 {
        if y_plus < 1e-6 || !(prandtl > 0.0) {
            return 1.0;
        }
        let factor = prandtl * y_plus / self.t_plus(y_plus, prandtl);
        // both laws have T⁺ ≤ Pr y⁺ wherever they are defined; a non-finite factor (an
        // unconverged sublayer edge) falls back to molecular conduction
        if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            1.0
        }
    }
}

/// Kader's (1981) temperature law of the wall `T⁺(y⁺, Pr)`, blended across the viscous sublayer
/// (`Pr y⁺`) and the log layer (`2.12 ln(1 + y⁺) + β(Pr)`), near-wall form.
pub fn kader_t_plus(y_plus: f64, prandtl: f64) -> f64 {
    let pr = prandtl;
    let gamma = 0.01 * (pr * y_plus).powi(4) / (1.0 + 5.0 * pr.powi(3) * y_plus);
    let beta = (3.85 * pr.cbrt() - 1.3).powi(2) + 2.12 * pr.ln();
    let log = if gamma > 0.0 {
        (2.12 * (1.0 + y_plus).ln() + beta) * (-1.0 / gamma).exp()
    } else {
        0.0
    };
    pr * y_plus * (-gamma).exp() + log
}

/// Jayatilleke's (1969) sublayer resistance `P(Pr/Pr_t) = 9.24 ((Pr/Pr_t)^¾ − 1)(1 + 0.28
/// e^(−0.007 Pr/Pr_t))`: the extra `T⁺/Pr_t` of the thermal sublayer over the velocity's.
pub fn jayatilleke_p(prandtl_ratio: f64) -> f64 {
    9.24 * (prandtl_ratio.powf(0.75) - 1.0) * (1.0 + 0.28 * (-0.007 * prandtl_ratio).exp())
}

/// The edge of the thermal sublayer, `y⁺_T`: where the linear law `Pr y⁺` meets the log law
/// `Pr_t (ln(E y⁺)/κ + P)`, i.e. the root of `y − (ln(E y)/κ + P)/(Pr/Pr_t)`.
///
/// The function is convex with its minimum at `1/(κ Pr/Pr_t)`; Newton's method from the right
/// of that minimum converges monotonically to the larger root (the one OpenFOAM's iteration from
/// y⁺ = 11 finds), here to round-off rather than OpenFOAM's 0.01: the two laws meet there, so the
/// branch switch is continuous and the edge's precision moves no wall conductance by more than
/// the slope change over 0.01 in y⁺. Returns 0 (the log law everywhere, as OpenFOAM does) if
/// the two laws do not meet.
pub fn jayatilleke_y_plus_thermal(prandtl: f64) -> f64 {
    let ratio = prandtl / TURBULENT_PRANDTL;
    let p = jayatilleke_p(ratio);
    let f = |y: f64| y - ((E_LOG * y).ln() / KAPPA + p) / ratio;
    let minimum = 1.0 / (KAPPA * ratio);
    if !(f(minimum) < 0.0) {
        return 0.0;
    }
    let mut y = (2.0 * minimum).max(11.0);
    for _ in 0..100 {
        let step = f(y) / (1.0 - 1.0 / (y * KAPPA * ratio));
        // a step from the left of the root overshoots to its right (convexity), never below
        // the minimum
        let next = (y - step).max(minimum * (1.0 + 1e-12));
        if (next - y).abs() <= 1e-12 * y {
            return next;
        }
        y = next;
    }
    y
}

/// Jayatilleke's temperature law of the wall: `Pr y⁺` below the thermal sublayer's edge
/// ([`jayatilleke_y_plus_thermal`]), `Pr_t (ln(E y⁺)/κ + P)` above, with OpenFOAM's κ = 0.41,
/// E = 9.8 and `Pr_t` = 0.85 (the energy equation's turbulent Prandtl number).
///
/// OpenFOAM's `alphatJayatillekeWallFunction` adds to the denominators the wall cell's kinetic
/// energy (`Pr ρ u* |U|²/2`, and `(Pr − Pr_t) |U_c|²` in the log branch): that is viscous
/// heating in its enthalpy equation, which rackflow's temperature equation does not have, and it
/// is `|U|²/(2 c_p ΔT)` ≈ 1e-5 of the heat term for a coolant at 0.3 m/s and a 10 K wall excess.
pub fn jayatilleke_t_plus(y_plus: f64, prandtl: f64) -> f64 {
    let y_thermal = jayatilleke_y_plus_thermal(prandtl);
    if y_plus < y_thermal {
        prandtl * y_plus
    } else {
        let ratio = prandtl / TURBULENT_PRANDTL;
        TURBULENT_PRANDTL * ((E_LOG * y_plus).ln() / KAPPA + jayatilleke_p(ratio))
    }
}

/// The effective conductivity of a face between a turbulent wall cell (centre at wall distance
/// `y_wall`) and its neighbour further out (at `y_next`): the series (harmonic) mean
/// `(y_next − y_wall) / ∫ dy / (k + e(y))` of the molecular conductivity `k` plus an eddy
/// conductivity `e(y) = e_wall (y/y_wall)^n` that passes through both centres' values (`n =
/// ln(e_next/e_wall) / ln(y_next/y_wall)`), W/(m·K).
///
/// Near a wall the eddy conductivity grows like y³–y⁴ (the SST's ν_t ∝ k/ω with k ∝ y², ω ∝
/// 1/y²), and the linear interpolation of `k + c_p μ_t/Pr_t` between the two centres
/// (OpenFOAM's `alphaEff`) puts on the face the mean of the two values, far more than the
/// profile between them conducts in series: with the first centre at y⁺ 2.2 and the second at
/// 6.7 (ν_t/ν 0.0062 and 0.29, Pr 7) the linear face value is 2.2× molecular and this one 1.6×
/// (benchmarks/RESULTS.md, stop 32). Where the profile does not rise outwards (`e_next ≤
/// e_wall`, `y_next ≤ y_wall`, not finite) the linear value of the two ends is returned
/// (`linear`).
pub fn wall_layer_conductivity(
    k: f64,
    e_wall: f64,
    e_next: f64,
    y_wall: f64,
    y_next: f64,
    linear: f64,
) -> f64 {
    let floor = 1e-12 * k;
    if !(y_next > y_wall * (1.0 + 1e-9) && y_wall > 0.0 && e_next > e_wall && k > 0.0) {
        return linear;
    }
    let e_wall = e_wall.max(floor);
    let span = (y_next / y_wall).ln();
    let n = (e_next / e_wall).ln() / span;
    // ∫ dy/(k + e) in t = ln(y/y_wall): y_wall ∫₀^span e^t dt / (k + e_wall e^{n t}),
    // Simpson's rule on 64 intervals (the integrand is smooth and positive)
    let integral = y_wall * simpson(|t| t.exp() / (k + e_wall * (n * t).exp()), span);
    let value = (y_next - y_wall) / integral;
    if value.is_finite() && value > 0.0 {
        value
    } else {
        linear
    }
}

/// The effective conductivity of a turbulent wall cell's half-width, from the wall to its
/// centre: `y / ∫₀^y dy' / (k + e (y'/y)^n)` for the centre's eddy conductivity `e` on the power
/// law of exponent `n` that [`wall_layer_conductivity`] takes outwards, W/(m·K). Molecular
/// where `e` vanishes; Simpson's rule on 64 intervals in `u = (y'/y)`.
pub fn wall_cell_conductivity(k: f64, e: f64, n: f64) -> f64 {
    if !(e > 0.0 && n > 0.0 && k > 0.0) {
        return k;
    }
    let integral = simpson(|u| 1.0 / (k + e * u.powf(n)), 1.0);
    let value = 1.0 / integral;
    if value.is_finite() && value > 0.0 {
        value
    } else {
        k
    }
}

/// `∫₀^end f`, Simpson's rule on 64 intervals (the wall-layer integrands are smooth and positive).
fn simpson(f: impl Fn(f64) -> f64, end: f64) -> f64 {
    let m = 64;
    let h = end / f64::from(m);
    let sum: f64 = (0..=m)
        .map(|i| {
            let w = if i == 0 || i == m {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            w * f(h * f64::from(i))
        })
        .sum();
    sum * h / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wall layer's series conductivity: the linear value where the eddy conductivity does
    /// not rise outwards, the logarithmic mean of a profile linear in y (n = 1, no molecular
    /// part to speak of), and on stop 31's first interior face (centres at y⁺ 2.15 and 6.7,
    /// ν_t/ν 0.0062 and 0.29, Pr 7) 1.59× molecular where the linear interpolation gives 2.22×.
    #[test]
    fn wall_layer_conductivity_is_the_power_law_in_series() {
        assert_eq!(wall_layer_conductivity(1.0, 2.0, 2.0, 1.0, 3.0, 5.0), 5.0);
        assert_eq!(wall_layer_conductivity(1.0, 2.0, 1.0, 1.0, 3.0, 5.0), 5.0);
        assert_eq!(wall_layer_conductivity(1.0, 1.0, 2.0, 1.0, 1.0, 5.0), 5.0);
        let (k, e_a, e_b) = (1e-9, 1.0f64, 3.0f64);
        let log_mean = (e_b - e_a) / (e_b / e_a).ln();
        let v = wall_layer_conductivity(k, e_a, e_b, 1.0, 3.0, 0.0);
        assert!((v / log_mean - 1.0).abs() < 1e-5, "{v} vs {log_mean}");
        let r = 7.0 / TURBULENT_PRANDTL;
        let v = wall_layer_conductivity(1.0, r * 0.0062, r * 0.29, 2.15, 6.7, 0.0);
        assert!((v - 1.587).abs() < 0.005, "{v}");
        assert!(1.0 + r * (0.0062 + 0.29) / 2.0 > 2.2);
    }

    /// The wall cell's half-width in series: molecular without eddy conductivity, and
    /// `e / ln(1 + e/k)` for a profile linear in y (n = 1).
    #[test]
    fn wall_cell_conductivity_is_the_power_law_from_the_wall() {
        assert_eq!(wall_cell_conductivity(2.0, 0.0, 3.0), 2.0);
        let (k, e) = (1.0f64, 4.0f64);
        let exact = e / (1.0 + e / k).ln();
        let v = wall_cell_conductivity(k, e, 1.0);
        assert!((v / exact - 1.0).abs() < 1e-6, "{v} vs {exact}");
        // steep near-wall profiles add little: y⁴ from e/k = 0.05 at the centre, +1 %
        let v = wall_cell_conductivity(1.0, 0.05, 4.0);
        assert!(v > 1.0 && v < 1.011, "{v}");
    }

    /// Kader's law is `Pr y⁺` in the viscous sublayer and `2.12 ln(1 + y⁺) + β(Pr)` in the log
    /// layer, so the wall conductivity factor is 1 at a resolved wall and the log law's above.
    #[test]
    fn kader_law_meets_both_layers() {
        let kader = ThermalWallFunction::Kader;
        for pr in [0.7f64, 7.0] {
            let y = 0.1;
            assert!(
                (kader_t_plus(y, pr) / (pr * y) - 1.0).abs() < 1e-3,
                "Pr {pr}"
            );
            assert!((kader.conductivity_factor(y, pr) - 1.0).abs() < 1e-3);
            let y: f64 = 500.0;
            let beta = (3.85 * pr.cbrt() - 1.3).powi(2) + 2.12 * pr.ln();
            let log = 2.12 * (1.0 + y).ln() + beta;
            assert!((kader_t_plus(y, pr) / log - 1.0).abs() < 1e-4, "Pr {pr}");
            // T⁺ rises with y⁺, and the wall conducts more than molecular conduction above the
            // sublayer
            let mut last = 0.0;
            for i in 1..400 {
                let t = kader_t_plus(0.25 * f64::from(i), pr);
                assert!(t > last);
                last = t;
            }
            assert!(kader.conductivity_factor(50.0, pr) > 2.0);
        }
        assert_eq!(kader.conductivity_factor(0.0, 0.7), 1.0);
        assert_eq!(kader.conductivity_factor(30.0, f64::NAN), 1.0);
    }

    /// The Kader branch of the selectable law is the formula itself, bit for bit (the default's
    /// results must not move).
    #[test]
    fn kader_factor_is_the_formula() {
        for (y, pr) in [
            (0.3, 0.7),
            (8.0, 12.7),
            (13.0, 12.7),
            (40.0, 7.0),
            (300.0, 0.7),
        ] {
            let f = ThermalWallFunction::Kader.conductivity_factor(y, pr);
            assert_eq!(f.to_bits(), (pr * y / kader_t_plus(y, pr)).to_bits());
        }
    }

    /// Jayatilleke's law against values worked by hand from the published formula (κ 0.41,
    /// E 9.8, Pr_t 0.85). Pr 7: Pr/Pr_t = 8.235294, (8.235294)^¾ = 4.861377,
    /// P = 9.24 × 3.861377 × (1 + 0.28 e^(−0.057647)) = 9.24 × 3.861377 × 1.264315 = 45.1097;
    /// T⁺(30) = 0.85 (ln 294 / 0.41 + P) = 0.85 (13.86239 + 45.1097) = 50.1262,
    /// T⁺(100) = 0.85 (ln 980 / 0.41 + P) = 0.85 (16.79891 + 45.1097) = 52.6223.
    #[test]
    fn jayatilleke_law_matches_the_published_formula() {
        let p = jayatilleke_p(7.0 / 0.85);
        assert!((p - 45.1097).abs() < 2e-3, "P(Pr 7) = {p}");
        let t30 = jayatilleke_t_plus(30.0, 7.0);
        let t100 = jayatilleke_t_plus(100.0, 7.0);
        assert!((t30 - 50.1262).abs() < 2e-3, "T⁺(30) = {t30}");
        assert!((t100 - 52.6223).abs() < 2e-3, "T⁺(100) = {t100}");
        // P(1) = 0: a fluid with Pr = Pr_t has no extra sublayer resistance
        assert!(jayatilleke_p(1.0).abs() < 1e-12);
        // the thermal sublayer at Pr 7 ends at y⁺ 6.718, where both laws give the same T⁺
        let edge = jayatilleke_y_plus_thermal(7.0);
        assert!((edge - 6.718).abs() < 1e-3, "y⁺_T(Pr 7) = {edge}");
        let log = 0.85 * ((E_LOG * edge).ln() / KAPPA + p);
        assert!((log - 7.0 * edge).abs() < 1e-9 * log);
        // below the edge the law is molecular conduction, above it the log law
        assert_eq!(jayatilleke_t_plus(0.5 * edge, 7.0), 3.5 * edge);
        let j = ThermalWallFunction::Jayatilleke;
        assert!((j.conductivity_factor(0.5 * edge, 7.0) - 1.0).abs() < 1e-12);
        assert!((j.conductivity_factor(100.0, 7.0) - 700.0 / 52.6223).abs() < 1e-3);
    }

    /// The branch switch is continuous, T⁺ rises with y⁺, and the edge exists over the Prandtl
    /// numbers of gases, water, glycols and oils.
    #[test]
    fn jayatilleke_law_is_continuous_and_rising() {
        for pr in [0.01, 0.7, 2.0, 7.0, 12.7, 50.0, 200.0] {
            let edge = jayatilleke_y_plus_thermal(pr);
            assert!(edge > 0.0 && edge.is_finite(), "Pr {pr}: y⁺_T {edge}");
            let below = jayatilleke_t_plus(edge * (1.0 - 1e-9), pr);
            let above = jayatilleke_t_plus(edge * (1.0 + 1e-9), pr);
            assert!((above / below - 1.0).abs() < 1e-6, "Pr {pr}");
            let mut last = 0.0;
            for i in 1..2000 {
                let t = jayatilleke_t_plus(0.25 * f64::from(i), pr);
                assert!(t > last, "Pr {pr}, y⁺ {}", 0.25 * f64::from(i));
                last = t;
            }
        }
        // Pr 12.7 (PG25 at 35 °C): the wall cells of the turbulent-heat duct at y⁺ 13 see
        // T⁺ ≈ 75, Kader's ≈ 69 (the +10 % of the strict xfail against OpenFOAM)
        let j = jayatilleke_t_plus(13.0, 12.7);
        let k = kader_t_plus(13.0, 12.7);
        assert!((j - 75.0).abs() < 0.5 && (k - 68.7).abs() < 0.5, "{j} {k}");
    }
}
