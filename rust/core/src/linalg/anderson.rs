//! Anderson acceleration of a fixed-point iteration `x ← G(x)` (Walker & Ni 2011), used to speed
//! up the outer iterations (deferred non-orthogonal correction, temperature-dependent properties).

use super::dot;

/// Anderson mixing with a memory of `depth` previous iterates.
pub struct Anderson {
    depth: usize,
    last_x: Option<Vec<f64>>,
    last_f: Option<Vec<f64>>,
    dx: Vec<Vec<f64>>,
    df: Vec<Vec<f64>>,
}

impl Anderson {
    /// A new accelerator remembering `depth` steps.
    pub fn new(depth: usize) -> Self {
        Self {
            depth,
            last_x: None,
            last_f: None,
            dx: Vec::new(),
            df: Vec::new(),
        }
    }

    /// Given the iterate `x` and the map's output `gx = G(x)`, return the next iterate.
    pub fn next(&mut self, x: &[f64], gx: &[f64]) -> Vec<f64> {
        let f: Vec<f64> = gx.iter().zip(x).map(|(g, x)| g - x).collect();
        if let (Some(lx), Some(lf)) = (&self.last_x, &self.last_f) {
            // forget the oldest step first: never hold depth + 1 pairs of n-vectors at once
            if self.dx.len() >= self.depth {
                self.dx.remove(0);
                self.df.remove(0);
            }
            self.dx.push(x.iter().zip(lx).map(|(a, b)| a - b).collect());
            self.df.push(f.iter().zip(lf).map(|(a, b)| a - b).collect());
        }
        self.last_x = Some(x.to_vec());
        self.last_f = Some(f.clone());
        let m = self.df.len();
        if m == 0 {
            return gx.to_vec();
        }
        // least squares min ‖f − ΔF γ‖ through regularised normal equations
        let mut h = vec![0.0; m * m];
        let mut rhs = vec![0.0; m];
        for i in 0..m {
            rhs[i] = dot(&self.df[i], &f);
            for j in 0..=i {
                let v = dot(&self.df[i], &self.df[j]);
                h[i * m + j] = v;
                h[j * m + i] = v;
            }
        }
        let trace: f64 = (0..m).map(|i| h[i * m + i]).sum();
        for i in 0..m {
            h[i * m + i] += 1e-10 * trace.max(f64::MIN_POSITIVE);
        }
        let Some(gamma) = solve_small(&mut h, &mut rhs, m) else {
            self.dx.clear();
            self.df.clear();
            return gx.to_vec();
        };
        let mut out = gx.to_vec();
        for (k, g) in gamma.iter().enumerate() {
            for i in 0..out.len() {
                out[i] -= g * (self.dx[k][i] + self.df[k][i]);
            }
        }
        out
    }
}

fn solve_small(a: &mut [f64], b: &mut [f64], n: usize) -> Option<Vec<f64>> {
    for col in 0..n {
        let piv =
            (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))?;
        if a[piv * n + col].abs() < 1e-300 {
            return None;
        }
        if piv != col {
            for k in 0..n {
                a.swap(piv * n + k, col * n + k);
            }
            b.swap(piv, col);
        }
        for row in col + 1..n {
            let factor = a[row * n + col] / a[col * n + col];
            for k in col..n {
                a[row * n + k] -= factor * a[col * n + k];
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= a[i * n + k] * x[k];
        }
        x[i] = s / a[i * n + i];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}
