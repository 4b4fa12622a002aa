//! The boundary-condition vocabulary of the scalar (temperature) equation, below the case layer:
//! the case resolves its named patch conditions into these, and the `fvm` operators and the
//! energy equation read them. Adding a kind means one variant here and its terms in the
//! operators that read it.

/// The condition on a boundary patch of the temperature equation (SI units, kelvin).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PatchCondition {
    /// No heat flow (adiabatic, symmetry).
    Adiabatic,
    /// Fixed temperature, K.
    Fixed(f64),
    /// Heat flux into the domain, W/m².
    Flux(f64),
    /// Convection: film coefficient h (W/m²K), ambient (K).
    Convective(f64, f64),
}
