//! Monotone piecewise-cubic interpolation (Fritsch–Carlson PCHIP) of tabulated curves.
//!
//! Pump curves, loss tables and cold-plate tables are measured points. A plain cubic spline
//! overshoots between them and can make a falling pump curve rise locally, which gives Newton
//! two operating points; PCHIP keeps every monotone segment monotone.

use crate::error::{Error, Result};

/// A monotone cubic through `(x_i, y_i)` with strictly increasing `x`.
#[derive(Debug, Clone)]
pub struct Pchip {
    x: Vec<f64>,
    y: Vec<f64>,
    /// Derivative at each knot.
    d: Vec<f64>,
}

impl Pchip {
    /// Builds the interpolant; `what` names the curve in error messages.
    pub fn new(x: &[f64], y: &[f64], what: &str) -> Result<Self> {
        if x.len() != y.len() {
            return Err(Error::Network(format!(
                "{what}: expecting as many values as flows, got {} flows and {} values",
                x.len(),
                y.len()
            )));
        }
        if x.len() < 2 {
            return Err(Error::Network(format!(
                "{what}: expecting at least 2 points, got {}",
                x.len()
            )));
        }
        if let Some(i) = x.iter().chain(y).position(|v| !v.is_finite()) {
            return Err(Error::Network(format!(
                "{what}: value number {i} is not finite"
            )));
        }
        if let Some(i) = x.windows(2).position(|w| w[1] <= w[0]) {
            return Err(Error::Network(format!(
                "{what}: flows must increase strictly, but point {} ({}) is not above point {} ({})",
                i + 1,
                x[i + 1],
                i,
                x[i]
            )));
        }
        let n = x.len();
        let h: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
        let delta: Vec<f64> = (0..n - 1).map(|i| (y[i + 1] - y[i]) / h[i]).collect();
        let mut d = vec![0.0; n];
        if n == 2 {
            d[0] = delta[0];
            d[1] = delta[0];
        } else {
            for i in 1..n - 1 {
                if delta[i - 1] * delta[i] > 0.0 {
                    // Weighted harmonic mean (Fritsch & Butland 1984): monotone and C1.
                    let w1 = 2.0 * h[i] + h[i - 1];
                    let w2 = h[i] + 2.0 * h[i - 1];
                    d[i] = (w1 + w2) / (w1 / delta[i - 1] + w2 / delta[i]);
                }
            }
            d[0] = end_slope(h[0], h[1], delta[0], delta[1]);
            d[n - 1] = end_slope(h[n - 2], h[n - 3], delta[n - 2], delta[n - 3]);
        }
        Ok(Self {
            x: x.to_vec(),
            y: y.to_vec(),
            d,
        })
    }

    /// Smallest abscissa.
    pub fn x_min(&self) -> f64 {
        self.x[0]
    }

    /// Largest abscissa.
    pub fn x_max(&self) -> f64 {
        self.x[self.x.len() - 1]
    }

    /// Value and derivative at `x`; outside the table the end tangent is continued linearly.
    pub fn eval(&self, x: f64) -> (f64, f64) {
        let n = self.x.len();
        if x <= self.x[0] {
            return (self.y[0] + self.d[0] * (x - self.x[0]), self.d[0]);
        }
        if x >= self.x[n - 1] {
            return (
                self.y[n - 1] + self.d[n - 1] * (x - self.x[n - 1]),
                self.d[n - 1],
            );
        }
        let i = match self.x.partition_point(|&v| v <= x) {
            0 => 0,
            k => (k - 1).min(n - 2),
        };
        let h = self.x[i + 1] - self.x[i];
        let t = (x - self.x[i]) / h;
        let (t2, t3) = (t * t, t * t * t);
        let h00 = 2.0 * t3 - 3.0 * t2 + 1.0;
        let h10 = t3 - 2.0 * t2 + t;
        let h01 = -2.0 * t3 + 3.0 * t2;
        let h11 = t3 - t2;
        let value =
            h00 * self.y[i] + h10 * h * self.d[i] + h01 * self.y[i + 1] + h11 * h * self.d[i + 1];
        let dh00 = (6.0 * t2 - 6.0 * t) / h;
        let dh10 = 3.0 * t2 - 4.0 * t + 1.0;
        let dh01 = (-6.0 * t2 + 6.0 * t) / h;
        let dh11 = 3.0 * t2 - 2.0 * t;
        let slope =
            dh00 * self.y[i] + dh10 * self.d[i] + dh01 * self.y[i + 1] + dh11 * self.d[i + 1];
        (value, slope)
    }
}

/// One-sided three-point end slope, limited to keep monotonicity (Moler, NCM `pchip`).
fn end_slope(h0: f64, h1: f64, del0: f64, del1: f64) -> f64 {
    let d = ((2.0 * h0 + h1) * del0 - h0 * del1) / (h0 + h1);
    if d.signum() != del0.signum() {
        0.0
    } else if del0.signum() != del1.signum() && d.abs() > (3.0 * del0).abs() {
        3.0 * del0
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_knots_and_lines() {
        let x = [0.0, 1.0, 2.5, 4.0];
        let y: Vec<f64> = x.iter().map(|v| 3.0 - 2.0 * v).collect();
        let p = Pchip::new(&x, &y, "t").unwrap();
        for v in [0.0, 0.3, 1.0, 2.0, 3.9, 4.0] {
            let (f, s) = p.eval(v);
            assert!((f - (3.0 - 2.0 * v)).abs() < 1e-12);
            assert!((s + 2.0).abs() < 1e-12);
        }
    }

    #[test]
    fn stays_monotone_on_a_falling_pump_curve() {
        let x = [0.0, 10.0, 20.0, 30.0, 40.0];
        let y = [100.0, 99.0, 90.0, 50.0, 0.0];
        let p = Pchip::new(&x, &y, "pump").unwrap();
        let mut prev = f64::INFINITY;
        for i in 0..=400 {
            let (f, s) = p.eval(i as f64 * 0.1);
            assert!(f <= prev + 1e-12 && s <= 1e-12);
            prev = f;
        }
    }

    #[test]
    fn rejects_unsorted_flows() {
        assert!(Pchip::new(&[0.0, 2.0, 1.0], &[1.0, 2.0, 3.0], "t").is_err());
        assert!(Pchip::new(&[0.0], &[1.0], "t").is_err());
        assert!(Pchip::new(&[0.0, f64::NAN], &[1.0, 2.0], "t").is_err());
    }
}
