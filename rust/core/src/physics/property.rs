//! Temperature-dependent material properties. The material and coolant libraries live in the
//! Python package (with their sources); they reach the core as constants or tables in kelvin.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// A property: a constant or a piecewise-linear table over temperature, clamped at its ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Property {
    /// The same value at every temperature.
    Constant(f64),
    /// `value[i]` at `temperature_k[i]`; linear in between, constant beyond the ends.
    Table {
        /// Strictly increasing temperatures, K.
        temperature_k: Vec<f64>,
        /// Values at those temperatures.
        value: Vec<f64>,
    },
}

impl Property {
    /// Evaluate at temperature `t` (K).
    pub fn at(&self, t: f64) -> f64 {
        match self {
            Property::Constant(v) => *v,
            Property::Table {
                temperature_k: ts,
                value: vs,
            } => {
                if t <= ts[0] {
                    return vs[0];
                }
                let last = ts.len() - 1;
                if t >= ts[last] {
                    return vs[last];
                }
                let i = ts.partition_point(|&x| x <= t) - 1;
                let w = (t - ts[i]) / (ts[i + 1] - ts[i]);
                vs[i] + w * (vs[i + 1] - vs[i])
            }
        }
    }

    /// True for a constant.
    pub fn is_constant(&self) -> bool {
        matches!(self, Property::Constant(_))
    }

    /// Check that every value is finite and positive and the table well formed; `what` names the property.
    pub fn validate(&self, what: &str) -> Result<()> {
        match self {
            Property::Constant(v) => {
                if !(v.is_finite() && *v > 0.0) {
                    return Err(Error::Material(format!(
                        "{what} must be finite and positive, got {v}"
                    )));
                }
            }
            Property::Table {
                temperature_k,
                value,
            } => {
                if temperature_k.is_empty() || temperature_k.len() != value.len() {
                    return Err(Error::Material(format!(
                        "{what}: a table needs as many values as temperatures, at least one (got {} and {})",
                        temperature_k.len(),
                        value.len()
                    )));
                }
                if let Some(v) = value.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
                    return Err(Error::Material(format!(
                        "{what} must be finite and positive, table holds {v}"
                    )));
                }
                if temperature_k.iter().any(|t| !t.is_finite() || *t <= 0.0)
                    || temperature_k.windows(2).any(|w| w[1] <= w[0])
                {
                    return Err(Error::Material(format!(
                        "{what}: table temperatures must be finite, above absolute zero and strictly increasing"
                    )));
                }
            }
        }
        Ok(())
    }
}
