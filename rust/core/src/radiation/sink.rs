//! A grey surface radiating to a black sink, with an absorbed external flux.
//!
//! Net flux leaving the surface, W/m² (Incropera et al., *Fundamentals of Heat and Mass
//! Transfer*, 7th ed., eq. 1.7 for a small surface in large surroundings, plus an absorbed
//! external load as in spacecraft radiator balances, Gilmore, *Spacecraft Thermal Control
//! Handbook*, 2nd ed., ch. 2):
//!
//! ```text
//! q(T) = ε σ (T⁴ − T_sink⁴) − q_abs,     q_abs = α · (incident solar + albedo + planet IR)
//! ```
//!
//! `q_abs` is the flux already absorbed (absorptivity times incident flux, see
//! `rackflow.orbit.absorbed_flux_w_m2` on the Python side). Linearised about `T*`
//! (Newton's tangent; exact for the local condition, so a Picard loop over it converges
//! quadratically in the boundary condition):
//!
//! ```text
//! q(T) ≈ q(T*) + 4 ε σ T*³ (T − T*)  =  h_rad (T − T_eff),
//! h_rad = 4 ε σ T*³,   T_eff = T* − q(T*)/h_rad = ¾ T* + (ε σ T_sink⁴ + q_abs) / (4 ε σ T*³)
//! ```

use super::{FaceLinearisation, STEFAN_BOLTZMANN};

/// Net radiative flux leaving a grey surface at `t_k` to a black sink at `sink_k`, minus the
/// absorbed external flux `absorbed_w_m2`, W/m² (positive: the surface loses heat).
pub fn sink_net_flux(emissivity: f64, t_k: f64, sink_k: f64, absorbed_w_m2: f64) -> f64 {
    emissivity * STEFAN_BOLTZMANN * (t_k.powi(4) - sink_k.powi(4)) - absorbed_w_m2
}

/// [`sink_net_flux`] linearised about `t_star_k` as a convective equivalent
/// (`h = 4 ε σ T*³`, `T_eff = T* − q(T*)/h`).
pub fn sink_linearisation(
    emissivity: f64,
    t_star_k: f64,
    sink_k: f64,
    absorbed_w_m2: f64,
) -> FaceLinearisation {
    let q = sink_net_flux(emissivity, t_star_k, sink_k, absorbed_w_m2);
    let h = 4.0 * emissivity * STEFAN_BOLTZMANN * t_star_k.powi(3);
    FaceLinearisation::new(t_star_k, q, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radiation_sink_flux_matches_reference_table() {
        // domain.md §6a (computed there): ε = 0.90, T = 60 °C, T_sink = 3 K: 629 W/m² per side;
        // ε = 0.85, 20 °C: 356 W/m²; rounded to 1 W/m² in the table.
        let q = sink_net_flux(0.90, 333.15, 3.0, 0.0);
        assert!((q - 629.0).abs() < 0.5, "{q}");
        let q = sink_net_flux(0.85, 293.15, 3.0, 0.0);
        assert!((q - 356.0).abs() < 0.5, "{q}");
        // a blackbody at 20 °C emits 419 W/m² (domain.md §6a)
        assert!((sink_net_flux(1.0, 293.15, 0.0, 0.0) - 419.0).abs() < 0.5);
        // the absorbed flux is subtracted as given
        assert_eq!(
            sink_net_flux(0.9, 300.0, 3.0, 100.0),
            sink_net_flux(0.9, 300.0, 3.0, 0.0) - 100.0
        );
    }

    #[test]
    fn radiation_sink_linearisation_is_the_tangent() {
        let (eps, ts, qa) = (0.85, 3.0, 250.0);
        for t_star in [200.0, 300.0, 450.0] {
            let lin = sink_linearisation(eps, t_star, ts, qa);
            // value: heat in = −q at T*
            let q = sink_net_flux(eps, t_star, ts, qa);
            assert!((lin.flux_in(t_star) + q).abs() < 1e-9 * q.abs().max(1.0));
            // slope: central difference of q (its error ~ q''' δ²/6, far below 1e-6 relative)
            let d = 1e-3;
            let slope = (sink_net_flux(eps, t_star + d, ts, qa)
                - sink_net_flux(eps, t_star - d, ts, qa))
                / (2.0 * d);
            assert!((lin.htc_w_m2k - slope).abs() < 1e-6 * slope);
            // closed form of the equivalent ambient
            let expected = 0.75 * t_star
                + (eps * STEFAN_BOLTZMANN * ts.powi(4) + qa)
                    / (4.0 * eps * STEFAN_BOLTZMANN * t_star.powi(3));
            assert!((lin.ambient_k - expected).abs() < 1e-9 * expected);
        }
    }

    #[test]
    fn radiation_sink_newton_converges_to_equilibrium() {
        // a plate with 1 kW/m² dissipated: q(T) = P, solved by the linearisation as a fixed
        // point; the exact root is ((P + q_abs)/(εσ) + T_s⁴)^¼
        let (eps, ts, qa, p): (f64, f64, f64, f64) = (0.9, 3.0, 200.0, 1000.0);
        let exact = ((p + qa) / (eps * STEFAN_BOLTZMANN) + ts.powi(4)).powf(0.25);
        let mut t = 300.0;
        for _ in 0..8 {
            let lin = sink_linearisation(eps, t, ts, qa);
            // heat in = h (T_eff − T) = −P  →  T = T_eff + P/h
            t = lin.ambient_k + p / lin.htc_w_m2k;
        }
        assert!((t - exact).abs() < 1e-10 * exact, "{t} vs {exact}");
    }
}
