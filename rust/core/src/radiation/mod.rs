//! Thermal radiation between grey diffuse surfaces, and to a sink.
//!
//! * [`surface`]: the radiating faces (planar polygons from mesh boundary patches or given
//!   directly) and their grouping into radiation zones (one face each, or agglomerated).
//! * [`bvh`]: a bounding-volume hierarchy over the faces' triangles for ray casting.
//! * [`view_factor`]: zone-to-zone view factors by quasi-Monte Carlo ray casting, with
//!   reciprocity and (closed enclosures) the summation rule enforced; a geometry cache key.
//! * [`radiosity`]: the grey-diffuse net-radiation (radiosity) system, the net flux of every
//!   face and its linearisation for the energy equation.
//! * [`sink`]: a surface radiating to a black sink (deep space, a large room) with an absorbed
//!   external flux, and its linearisation.
//! * [`spec`]: the serde types a case uses to ask for radiation ([`Radiation`] to a sink,
//!   [`Enclosure`]) and [`RadiationSpec`], what the model resolves; the case layer re-exports them
//!   (radiation depends on no layer above it).
//! * [`model`]: the case-level entry point — the radiation conditions and enclosures of a
//!   case resolved on a mesh, giving each outer iteration per-face convective equivalents.
//!
//! Sign convention: a net radiative flux `q` is positive when it **leaves** the surface (the
//! body loses heat). For the energy equation every radiating face is linearised about the
//! current face temperature `T*` as an equivalent convective condition
//! `heat into the domain = h (T_eff − T)` ([`FaceLinearisation`]); the energy equation adds
//! it to (or combines it with) the convective condition of the face, so radiation needs no
//! new boundary-condition machinery there. SI units, kelvin.

pub mod bvh;
pub mod cache;
pub mod model;
pub mod radiosity;
pub mod sink;
pub mod spec;
pub mod surface;
pub mod view_factor;

pub use model::{problems as radiation_problems, RadiationModel, RadiationParams};
pub use radiosity::{jacobian, solve_radiosity, Exchange, FaceState, RadiosityParams};
pub use sink::{sink_linearisation, sink_net_flux};
pub use spec::{Enclosure, Radiation, RadiationSpec};
pub use surface::{Surfaces, Zones};
pub use view_factor::{view_factors, ViewFactorParams, ViewFactors};

/// Stefan–Boltzmann constant σ, W/(m²·K⁴) (CODATA 2018; exact in the 2019 SI).
pub const STEFAN_BOLTZMANN: f64 = 5.670_374_419e-8;

/// A face's radiative exchange linearised about its current temperature `T*`, written as an
/// equivalent convective condition: heat into the domain through the face is
/// `h (T_eff − T)` per unit area, W/m², which equals the radiative loss `−q(T*)` at `T = T*`
/// and has the slope `−∂q/∂T` there (with the other surfaces' radiation held fixed).
///
/// In finite-volume source form for the face's cell (fvm::Sp / fvc::Su, heat into the cell
/// `S = S_u + S_p T`, W): `S_p = −A h`, `S_u = A h T_eff`, where `T` is the face temperature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceLinearisation {
    /// Equivalent heat-transfer coefficient `∂q/∂T`, W/(m²·K); positive.
    pub htc_w_m2k: f64,
    /// Equivalent ambient temperature, K: `T* − q(T*)/h`.
    pub ambient_k: f64,
}

impl FaceLinearisation {
    /// The linearisation of net outgoing flux `q_star` (W/m²) with slope `h` (W/m²K) at `t_star` (K).
    pub fn new(t_star: f64, q_star: f64, h: f64) -> Self {
        Self {
            htc_w_m2k: h,
            ambient_k: t_star - q_star / h,
        }
    }

    /// Heat into the domain per area, W/m², at face temperature `t` (K).
    pub fn flux_in(&self, t: f64) -> f64 {
        self.htc_w_m2k * (self.ambient_k - t)
    }

    /// Implicit (`S_p`, W/K) and explicit (`S_u`, W) source parts for a face of area `area` (m²):
    /// heat into the cell `S_u + S_p T`.
    pub fn sources(&self, area: f64) -> (f64, f64) {
        (
            -area * self.htc_w_m2k,
            area * self.htc_w_m2k * self.ambient_k,
        )
    }

    /// This radiative condition and a convective one (`htc`, `ambient`) on the same face, as one
    /// convective condition: `h = h_c + h_r`, `T_eff = (h_c T_a + h_r T_r) / h`.
    pub fn with_convection(&self, htc_w_m2k: f64, ambient_k: f64) -> Self {
        let h = htc_w_m2k + self.htc_w_m2k;
        Self {
            htc_w_m2k: h,
            ambient_k: (htc_w_m2k * ambient_k + self.htc_w_m2k * self.ambient_k) / h,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radiation_linearisation_combines_with_convection() {
        let lin = FaceLinearisation::new(400.0, 500.0, 10.0);
        assert_eq!(lin.ambient_k, 350.0);
        assert!((lin.flux_in(400.0) + 500.0).abs() < 1e-12);
        let both = lin.with_convection(5.0, 300.0);
        // heat in = h_c (T_a − T) + h_r (T_r − T) for every T
        for t in [250.0, 400.0, 600.0] {
            let expected = 5.0 * (300.0 - t) + lin.flux_in(t);
            assert!((both.flux_in(t) - expected).abs() < 1e-9);
        }
        let (sp, su) = lin.sources(2.0);
        assert!((su + sp * 400.0 + 1000.0).abs() < 1e-9);
    }
}
