//! Coolant properties against temperature, from the table Python's coolant library sends.
//!
//! Properties are linear between table points and held constant beyond the ends (the caller
//! is warned). The energy pass works in specific enthalpy `h(T) = ∫ c_p dT` so that mixing at
//! junctions and the loop energy balance are exact even when `c_p` varies with temperature.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Coolant property table, temperatures in kelvin, SI properties.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FluidTable {
    /// Coolant name, for messages.
    #[serde(default)]
    pub name: String,
    /// Strictly increasing temperatures [K].
    pub temperature_k: Vec<f64>,
    /// Density [kg/m³].
    pub density_kg_m3: Vec<f64>,
    /// Dynamic viscosity [Pa·s].
    pub viscosity_pa_s: Vec<f64>,
    /// Isobaric specific heat [J/(kg·K)].
    pub specific_heat_j_kgk: Vec<f64>,
    /// Thermal conductivity [W/(m·K)].
    pub conductivity_w_mk: Vec<f64>,
}

/// Properties at one temperature.
#[derive(Debug, Clone, Copy)]
pub struct Props {
    /// Density [kg/m³].
    pub rho: f64,
    /// Dynamic viscosity [Pa·s].
    pub mu: f64,
    /// Specific heat [J/(kg·K)].
    pub cp: f64,
}

/// A validated [`FluidTable`] with the enthalpy integral precomputed.
#[derive(Debug, Clone)]
pub struct Fluid {
    name: String,
    t: Vec<f64>,
    rho: Vec<f64>,
    mu: Vec<f64>,
    cp: Vec<f64>,
    /// Enthalpy at each table temperature, zero at the first one [J/kg].
    h: Vec<f64>,
    /// First temperature and inverse spacing of an evenly spaced table (the tables Python
    /// sends are): the segment of a temperature is then found by arithmetic, not by search.
    even: Option<(f64, f64)>,
    /// Segments per unit enthalpy over the whole table, `(n − 1) / h[n − 1]`: the first guess
    /// of the segment of an enthalpy in [`Fluid::temperature`] (`None` for fewer than 3 rows).
    even_h: Option<f64>,
}

impl Fluid {
    /// Validates the table: at least one row, equal lengths, finite positive values.
    pub fn new(table: &FluidTable) -> Result<Self> {
        let n = table.temperature_k.len();
        let name = if table.name.is_empty() {
            "coolant".to_string()
        } else {
            table.name.clone()
        };
        if n == 0 {
            return Err(Error::Network(format!(
                "fluid '{name}': the property table is empty"
            )));
        }
        let columns = [
            ("density_kg_m3", &table.density_kg_m3),
            ("viscosity_pa_s", &table.viscosity_pa_s),
            ("specific_heat_j_kgk", &table.specific_heat_j_kgk),
            ("conductivity_w_mk", &table.conductivity_w_mk),
            ("temperature_k", &table.temperature_k),
        ];
        for (what, col) in columns {
            if col.len() != n {
                return Err(Error::Network(format!(
                    "fluid '{name}': expecting {n} values of {what}, got {}",
                    col.len()
                )));
            }
            if let Some(v) = col.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
                return Err(Error::Network(format!(
                    "fluid '{name}': {what} must be finite and positive, got {v}"
                )));
            }
        }
        if table.temperature_k.windows(2).any(|w| w[1] <= w[0]) {
            return Err(Error::Network(format!(
                "fluid '{name}': temperature_k must increase strictly"
            )));
        }
        let t = table.temperature_k.clone();
        let cp = table.specific_heat_j_kgk.clone();
        let mut h = vec![0.0; n];
        for i in 1..n {
            h[i] = h[i - 1] + 0.5 * (cp[i] + cp[i - 1]) * (t[i] - t[i - 1]);
        }
        let even = (n > 2)
            .then(|| (t[n - 1] - t[0]) / (n - 1) as f64)
            .and_then(|step| {
                t.windows(2)
                    .all(|w| ((w[1] - w[0]) - step).abs() <= 1e-9 * step)
                    .then_some((t[0], 1.0 / step))
            });
        let even_h = (n > 2 && h[n - 1] > 0.0).then(|| (n - 1) as f64 / h[n - 1]);
        Ok(Self {
            name,
            even,
            even_h,
            t,
            rho: table.density_kg_m3.clone(),
            mu: table.viscosity_pa_s.clone(),
            cp,
            h,
        })
    }

    /// Coolant name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Temperature range of the table [K].
    pub fn range(&self) -> (f64, f64) {
        (self.t[0], self.t[self.t.len() - 1])
    }

    /// Segment index and fraction for `t`, clamped to the table.
    fn locate(&self, t: f64) -> (usize, f64) {
        let n = self.t.len();
        if n == 1 || t <= self.t[0] {
            return (0, 0.0);
        }
        if t >= self.t[n - 1] {
            return (n - 2, 1.0);
        }
        let k = match self.even {
            // the arithmetic index, corrected by one where rounding put it across a knot
            Some((t0, inv)) => {
                let mut k = (((t - t0) * inv) as usize).min(n - 2);
                if t < self.t[k] {
                    k -= 1;
                } else if k + 2 < n && t >= self.t[k + 1] {
                    k += 1;
                }
                k
            }
            None => self.t.partition_point(|&v| v <= t).clamp(1, n - 1) - 1,
        };
        (k, (t - self.t[k]) / (self.t[k + 1] - self.t[k]))
    }

    /// Properties at temperature `t` [K] (one segment lookup for the three columns).
    pub fn props(&self, t: f64) -> Props {
        if self.t.len() == 1 {
            return Props {
                rho: self.rho[0],
                mu: self.mu[0],
                cp: self.cp[0],
            };
        }
        let (k, s) = self.locate(t);
        let at = |col: &[f64]| col[k] + s * (col[k + 1] - col[k]);
        Props {
            rho: at(&self.rho),
            mu: at(&self.mu),
            cp: at(&self.cp),
        }
    }

    /// Specific enthalpy [J/kg] relative to the first table temperature.
    pub fn enthalpy(&self, t: f64) -> f64 {
        let n = self.t.len();
        if n == 1 {
            return self.cp[0] * (t - self.t[0]);
        }
        if t <= self.t[0] {
            return self.cp[0] * (t - self.t[0]);
        }
        if t >= self.t[n - 1] {
            return self.h[n - 1] + self.cp[n - 1] * (t - self.t[n - 1]);
        }
        let (k, _) = self.locate(t);
        let dt = t - self.t[k];
        let slope = (self.cp[k + 1] - self.cp[k]) / (self.t[k + 1] - self.t[k]);
        self.h[k] + self.cp[k] * dt + 0.5 * slope * dt * dt
    }

    /// Inverse of [`Fluid::enthalpy`]: temperature [K] at enthalpy `h` [J/kg].
    pub fn temperature(&self, h: f64) -> f64 {
        let n = self.t.len();
        if n == 1 || h <= 0.0 {
            return self.t[0] + h / self.cp[0];
        }
        if h >= self.h[n - 1] {
            return self.t[n - 1] + (h - self.h[n - 1]) / self.cp[n - 1];
        }
        let k = match self.even_h {
            // the segment an even spacing in enthalpy would give, walked to the true one (cp
            // varies by some per cent along a table, so this is a step or two, not a search)
            Some(inv) => {
                let mut k = ((h * inv) as usize).min(n - 2);
                while k > 0 && self.h[k] > h {
                    k -= 1;
                }
                while k + 2 < n && self.h[k + 1] <= h {
                    k += 1;
                }
                k
            }
            None => self.h.partition_point(|&v| v <= h).clamp(1, n - 1) - 1,
        };
        let slope = (self.cp[k + 1] - self.cp[k]) / (self.t[k + 1] - self.t[k]);
        let dh = h - self.h[k];
        // Solve cp_k·x + slope·x²/2 = dh for x ≥ 0 in the cancellation-free form.
        let disc = (self.cp[k] * self.cp[k] + 2.0 * slope * dh).max(0.0);
        let x = 2.0 * dh / (self.cp[k] + disc.sqrt());
        self.t[k] + x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> FluidTable {
        FluidTable {
            name: "test".into(),
            temperature_k: vec![280.0, 300.0, 350.0],
            density_kg_m3: vec![1000.0, 995.0, 970.0],
            viscosity_pa_s: vec![1.4e-3, 0.85e-3, 0.37e-3],
            specific_heat_j_kgk: vec![4200.0, 4180.0, 4195.0],
            conductivity_w_mk: vec![0.58, 0.61, 0.66],
        }
    }

    #[test]
    fn the_segment_guess_finds_the_searched_segment() {
        // cp rising 3× along an uneven table: the arithmetic first guess is several segments
        // off, and the walk must still land on the segment a binary search finds
        let t: Vec<f64> = (0..40)
            .map(|i| 250.0 + 2.0 * f64::from(i) + 0.01 * f64::from(i * i))
            .collect();
        let cp: Vec<f64> = (0..40).map(|i| 1500.0 + 100.0 * f64::from(i)).collect();
        let f = Fluid::new(&FluidTable {
            name: "steep".into(),
            temperature_k: t.clone(),
            density_kg_m3: vec![1000.0; 40],
            viscosity_pa_s: vec![1e-3; 40],
            specific_heat_j_kgk: cp,
            conductivity_w_mk: vec![0.6; 40],
        })
        .unwrap();
        let top = f.h[39];
        for j in 0..=20_000 {
            let h = top * f64::from(j) / 20_000.0 * 1.01;
            let k = f.h.partition_point(|&v| v <= h).clamp(1, 39) - 1;
            let back = f.temperature(h);
            if h > 0.0 && h < top {
                assert!(
                    back >= t[k] && back <= t[k + 1],
                    "h {h}: {back} outside segment {k}"
                );
            }
            assert!(
                (f.enthalpy(back) - h).abs() <= 1e-9 * top,
                "h {h} -> {back}"
            );
        }
    }

    #[test]
    fn enthalpy_inverts() {
        let f = Fluid::new(&table()).unwrap();
        for t in [270.0, 280.0, 291.3, 300.0, 333.3, 350.0, 360.0] {
            let back = f.temperature(f.enthalpy(t));
            assert!((back - t).abs() < 1e-9, "{t} -> {back}");
        }
    }

    #[test]
    fn even_tables_locate_as_the_search_does() {
        let n = 141;
        let t: Vec<f64> = (0..n).map(|i| 253.15 + i as f64).collect();
        let col = |f: fn(f64) -> f64| t.iter().map(|&x| f(x)).collect::<Vec<_>>();
        let table = FluidTable {
            name: "even".into(),
            temperature_k: t.clone(),
            density_kg_m3: col(|x| 1100.0 - 0.3 * (x - 253.15)),
            viscosity_pa_s: col(|x| 1e-3 * (1.0 + 0.02 * (393.15 - x))),
            specific_heat_j_kgk: col(|x| 3800.0 + 2.0 * (x - 253.15)),
            conductivity_w_mk: col(|_| 0.5),
        };
        let f = Fluid::new(&table).unwrap();
        assert!(f.even.is_some());
        for i in 0..=20_000 {
            let x = 253.0 + i as f64 * 0.00707;
            let (k, s) = f.locate(x);
            let k_search = if x <= t[0] || x >= t[n - 1] {
                k
            } else {
                t.partition_point(|&v| v <= x).clamp(1, n - 1) - 1
            };
            assert_eq!(k, k_search, "{x}");
            assert!((0.0..=1.0).contains(&s), "{x}: {s}");
        }
        for &knot in &t[1..n - 1] {
            let (k, s) = f.locate(knot);
            assert_eq!(t[k], knot);
            assert_eq!(s, 0.0);
        }
    }

    #[test]
    fn rejects_bad_tables() {
        let mut t = table();
        t.viscosity_pa_s[1] = -1.0;
        let e = Fluid::new(&t).unwrap_err().to_string();
        assert!(e.contains("viscosity_pa_s"), "{e}");
        let mut t = table();
        t.density_kg_m3.pop();
        assert!(Fluid::new(&t).is_err());
    }
}
