//! Physical models: temperature-dependent properties and the energy equation.

pub mod energy;
pub mod flow;
pub mod property;
pub mod thermal_wall;

pub use property::Property;
