//! Darcy friction factor of a circular pipe: 64/Re laminar, Colebrook–White turbulent, and a
//! smooth (C¹) blend across the 2300–4000 transition band so Newton sees no jump.

/// Reynolds number below which the flow is laminar.
pub const RE_LAMINAR: f64 = 2300.0;
/// Reynolds number above which the flow is fully turbulent.
pub const RE_TURBULENT: f64 = 4000.0;

/// Colebrook–White friction factor solved to machine precision.
///
/// Newton on `x = 1/√f`: `x + 2 log10(ε/(3.7 D) + 2.51 x / Re) = 0`, started from the
/// Swamee–Jain explicit estimate; converges in 3–4 steps over the practical range.
pub fn colebrook(re: f64, relative_roughness: f64) -> f64 {
    let x = colebrook_x(re, relative_roughness, 0.0);
    1.0 / (x * x)
}

/// `x = 1/√f` of Colebrook–White by Newton from `x0` (a previous solution at a nearby Re: one
/// or two steps), or from Swamee–Jain when `x0` is not positive.
pub fn colebrook_x(re: f64, relative_roughness: f64, x0: f64) -> f64 {
    let a = relative_roughness / 3.7;
    let b = 2.51 / re;
    let mut x = if x0 > 0.0 {
        x0
    } else {
        1.0 / swamee_jain(re, relative_roughness).sqrt()
    };
    for _ in 0..50 {
        let arg = a + b * x;
        let g = x + 2.0 * arg.log10();
        let dg = 1.0 + 2.0 * b / (arg * std::f64::consts::LN_10);
        let step = g / dg;
        x -= step;
        // Newton converges quadratically (g is nearly linear in x): after a step of relative
        // size 1e-8 the error is of order 1e-16, so no verifying step is needed.
        if step.abs() <= 1e-8 * x.abs() {
            break;
        }
    }
    x
}

/// Colebrook friction factor and its derivative with respect to Re (implicit differentiation),
/// the iteration started from `x` (`1/√f` of a previous call, 0 for none), which receives
/// this call's `1/√f`.
pub fn colebrook_with_slope_from(re: f64, relative_roughness: f64, x: &mut f64) -> (f64, f64) {
    *x = colebrook_x(re, relative_roughness, *x);
    let x = *x;
    let f = 1.0 / (x * x);
    let a = relative_roughness / 3.7;
    let b = 2.51 / re;
    let arg = a + b * x;
    let ln10 = std::f64::consts::LN_10;
    let dg_dx = 1.0 + 2.0 * b / (arg * ln10);
    let dg_dre = 2.0 / (arg * ln10) * x * (-2.51 / (re * re));
    let dx_dre = -dg_dre / dg_dx;
    (f, -2.0 / (x * x * x) * dx_dre)
}

/// Laminar Poiseuille number f·Re of a rectangular duct of aspect ratio `α` = short / long side
/// (Shah & London 1978, eq. 341; 96 for parallel plates, 56.91 for a square, within 0.05 %).
pub fn rectangular_f_re(aspect: f64) -> f64 {
    let a = aspect.min(1.0 / aspect);
    96.0 * (1.0 - 1.3553 * a + 1.9467 * a.powi(2) - 1.7012 * a.powi(3) + 0.9564 * a.powi(4)
        - 0.2537 * a.powi(5))
}

/// Darcy friction factor and d f / d Re with laminar `f = f_re / Re` (64 for a circular pipe;
/// a duct's own value from [`rectangular_f_re`]); turbulent Colebrook on the hydraulic diameter.
#[cfg(test)]
pub fn darcy_with_slope_laminar(re: f64, relative_roughness: f64, f_re: f64) -> (f64, f64) {
    let mut x = 0.0;
    darcy_with_slope_laminar_from(re, relative_roughness, f_re, &mut x)
}

/// Darcy friction factor and d f / d Re (as [`darcy_laminar`]) with the Colebrook iteration
/// started from `x` (see [`colebrook_with_slope_from`]).
pub fn darcy_with_slope_laminar_from(
    re: f64,
    relative_roughness: f64,
    f_re: f64,
    x: &mut f64,
) -> (f64, f64) {
    if re <= RE_LAMINAR {
        (f_re / re, -f_re / (re * re))
    } else if re >= RE_TURBULENT {
        colebrook_with_slope_from(re, relative_roughness, x)
    } else {
        let width = RE_TURBULENT - RE_LAMINAR;
        let s = (re - RE_LAMINAR) / width;
        let w = s * s * (3.0 - 2.0 * s);
        let dw = 6.0 * s * (1.0 - s) / width;
        let (ft, dft) = colebrook_with_slope_from(re, relative_roughness, x);
        let (fl, dfl) = (f_re / re, -f_re / (re * re));
        (
            (1.0 - w) * fl + w * ft,
            (1.0 - w) * dfl + w * dft + dw * (ft - fl),
        )
    }
}

/// Swamee–Jain explicit approximation of Colebrook (within ~1 % for 5e3 < Re < 1e8).
pub fn swamee_jain(re: f64, relative_roughness: f64) -> f64 {
    let l = (relative_roughness / 3.7 + 5.74 / re.powf(0.9)).log10();
    0.25 / (l * l)
}

/// Darcy friction factor at any Reynolds number > 0.
pub fn darcy(re: f64, relative_roughness: f64) -> f64 {
    darcy_laminar(re, relative_roughness, 64.0)
}

/// Darcy friction factor with laminar `f = f_re / Re` (see [`darcy_with_slope_laminar`]).
pub fn darcy_laminar(re: f64, relative_roughness: f64, f_re: f64) -> f64 {
    if re <= RE_LAMINAR {
        f_re / re
    } else if re >= RE_TURBULENT {
        colebrook(re, relative_roughness)
    } else {
        let s = (re - RE_LAMINAR) / (RE_TURBULENT - RE_LAMINAR);
        let w = s * s * (3.0 - 2.0 * s);
        (1.0 - w) * f_re / re + w * colebrook(re, relative_roughness)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colebrook_satisfies_its_equation() {
        for re in [4e3, 1e4, 1e5, 1e6, 1e8] {
            for rr in [0.0, 1e-6, 1e-4, 1e-2] {
                let f: f64 = colebrook(re, rr);
                let lhs = 1.0 / f.sqrt();
                let rhs = -2.0 * (rr / 3.7 + 2.51 / (re * f.sqrt())).log10();
                assert!((lhs - rhs).abs() < 1e-12 * lhs, "re {re} rr {rr}");
            }
        }
    }

    #[test]
    fn known_values() {
        // Smooth pipe at Re = 1e5: Colebrook gives f = 0.01799 (Moody chart, White 7th ed.).
        assert!((colebrook(1e5, 0.0) - 0.017_99).abs() < 5e-5);
        assert_eq!(darcy(1000.0, 1e-3), 0.064);
    }

    #[test]
    fn slope_matches_finite_difference() {
        for re in [1000.0, 2500.0, 3300.0, 5000.0, 1e5] {
            let (_, d) = darcy_with_slope_laminar(re, 1e-4, 64.0);
            let h = re * 1e-6;
            let fd = (darcy(re + h, 1e-4) - darcy(re - h, 1e-4)) / (2.0 * h);
            assert!((d - fd).abs() < 1e-5 * fd.abs(), "{re}: {d} vs {fd}");
        }
    }

    #[test]
    fn rectangular_poiseuille_numbers() {
        // Shah & London, table 44: square 56.91, α = 0.5 62.19, α = 0.25 72.93, plates 96.
        for (a, f) in [(1.0, 56.91), (0.5, 62.19), (0.25, 72.93), (0.0, 96.0)] {
            assert!(
                (rectangular_f_re(a) - f).abs() < 0.05 * f / 100.0 + 0.02,
                "{a}"
            );
        }
        assert_eq!(rectangular_f_re(2.0), rectangular_f_re(0.5));
        let (_, d) = darcy_with_slope_laminar(3000.0, 1e-4, 62.19);
        let h = 3e-3;
        let fd = (darcy_laminar(3000.0 + h, 1e-4, 62.19) - darcy_laminar(3000.0 - h, 1e-4, 62.19))
            / (2.0 * h);
        assert!((d - fd).abs() < 1e-5 * fd.abs());
    }

    #[test]
    fn blend_is_continuous() {
        let rr = 1e-4;
        let below = darcy(RE_LAMINAR * (1.0 - 1e-12), rr);
        let above = darcy(RE_LAMINAR * (1.0 + 1e-12), rr);
        assert!((below - above).abs() < 1e-9);
        let below = darcy(RE_TURBULENT * (1.0 - 1e-12), rr);
        let above = darcy(RE_TURBULENT * (1.0 + 1e-12), rr);
        assert!((below - above).abs() < 1e-9);
    }
}
