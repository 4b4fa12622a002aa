//! The grey-diffuse net-radiation (radiosity) method between zones.
//!
//! Every zone `z` (area `A_z`, emissivity `ε_z`, reflectivity `ρ_z = 1 − ε_z`) has a uniform
//! radiosity `J_z` (W/m² leaving it) and irradiation `G_z` (W/m² arriving), with
//! (Incropera et al., 7th ed., §13.3; Modest, *Radiative Heat Transfer*, 3rd ed., §5.3)
//!
//! ```text
//! J_z = e_z + ρ_z G_z,    G_z = Σ_w F_zw J_w + F_z,sink σ T_sink⁴,
//! e_z = (1/A_z) Σ_{f ∈ z} A_f ε_f σ T_f⁴          (emission; = ε σ T⁴ for an isothermal zone)
//! ```
//!
//! Multiplying zone `z`'s equation by `A_z/ρ_z` gives a symmetric (reciprocity,
//! `A_z F_zw = A_w F_wz`), strictly diagonally dominant, hence positive definite system for
//! the grey zones (`Σ_w A_z F_zw ≤ A_z < A_z/ρ_z`); black zones (`ρ = 0`) have `J = e` and move
//! to the right-hand side:
//!
//! ```text
//! (A_z/ρ_z) J_z − Σ_{w grey} A_z F_zw J_w = (A_z/ρ_z) e_z + Σ_{w black} A_z F_zw e_w + A_z F_z,sink σ T_sink⁴
//! ```
//!
//! solved by Jacobi-preconditioned conjugate gradients (condition number at most
//! `(1 + ρ_max)/(1 − ρ_max)`). The net flux leaving each **face** is
//! `q_f = ε_f (σ T_f⁴ − G_z)` (grey: absorptivity = emissivity); summed over a closed
//! enclosure, `Σ_f A_f q_f = Σ_z A_z (J_z − G_z) = 0`.
//!
//! **Linearisation for the energy equation.** With the irradiation held at its current value
//! (Picard), `q_f(T_f) = ε_f σ T_f⁴ − ε_f G_z` has the tangent `h_f = 4 ε_f σ T_f*³`
//! ([`Exchange::linearisation`]). The exact self-derivative is smaller (`∂q_f/∂T_f =
//! 4 ε_f σ T_f³ (1 − ε_f A_f ∂G_z/∂(A_f e_f))`, part of a face's emission comes back to it),
//! so the lagged form over-estimates the diagonal and an outer loop over it converges without
//! relaxation; [`jacobian`] gives the full `∂q_f/∂T_g` for small enclosures (Newton).

use super::surface::Zones;
use super::view_factor::{ViewFactorInfo, ViewFactors};
use super::{FaceLinearisation, STEFAN_BOLTZMANN};
use crate::linalg::{cg, Csr, Jacobi, SolveSettings};
use crate::{Error, Result};
use std::sync::Arc;

/// Settings of a radiosity solve.
#[derive(Debug, Clone, PartialEq)]
pub struct RadiosityParams {
    /// Relative residual of the radiosity system at which the solve stops.
    pub tolerance: f64,
    /// Most conjugate-gradient iterations.
    pub max_iterations: usize,
}

impl Default for RadiosityParams {
    fn default() -> Self {
        Self {
            tolerance: 1e-14,
            max_iterations: 10_000,
        }
    }
}

/// The solved exchange: zone radiosities and irradiations, face net fluxes.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// Radiosity of each zone, W/m².
    pub radiosity_w_m2: Vec<f64>,
    /// Irradiation of each zone, W/m².
    pub irradiation_w_m2: Vec<f64>,
    /// Net flux leaving each face, W/m² (positive: the face loses heat).
    pub net_flux_w_m2: Vec<f64>,
    /// Conjugate-gradient iterations.
    pub iterations: usize,
}

impl ViewFactors {
    /// View factors given as a dense row-major matrix `f` (zones × zones) with zone areas and
    /// the sink factors (`None`: `1 − Σ_j F_ij`, clipped at zero). Used for configurations with
    /// known factors (infinite plates, long cylinders) and tests; nothing is enforced.
    pub fn from_dense(area: Vec<f64>, f: &[f64], sink: Option<Vec<f64>>) -> Result<ViewFactors> {
        let n = area.len();
        if f.len() != n * n {
            return Err(Error::Case(format!(
                "radiation: a dense view-factor matrix for {n} zones needs {} entries, got {}",
                n * n,
                f.len()
            )));
        }
        let mut row_ptr = vec![0];
        let mut col = Vec::new();
        let mut value = Vec::new();
        for i in 0..n {
            for j in 0..n {
                if f[i * n + j] != 0.0 {
                    col.push(j as u32);
                    value.push(f[i * n + j]);
                }
            }
            row_ptr.push(col.len());
        }
        let sink = sink.unwrap_or_else(|| {
            (0..n)
                .map(|i| (1.0 - f[i * n..(i + 1) * n].iter().sum::<f64>()).max(0.0))
                .collect()
        });
        Ok(ViewFactors {
            area,
            row_ptr,
            col,
            value,
            sink,
            key: String::new(),
            info: ViewFactorInfo::default(),
        })
    }
}

/// Zone emissivities and emissions `(ε_z, e_z)` from face values.
fn zone_emission(
    zones: &Zones,
    area: &[f64],
    emissivity: &[f64],
    temperature_k: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let n = zones.len();
    let mut eps = vec![0.0; n];
    let mut e = vec![0.0; n];
    for z in 0..n {
        for &f in zones.faces_of(z) {
            let f = f as usize;
            eps[z] += area[f] * emissivity[f];
            e[z] += area[f] * emissivity[f] * STEFAN_BOLTZMANN * temperature_k[f].powi(4);
        }
        eps[z] /= zones.area[z];
        e[z] /= zones.area[z];
    }
    (eps, e)
}

fn check_inputs(
    vf: &ViewFactors,
    zones: &Zones,
    face_area: &[f64],
    emissivity: &[f64],
    temperature_k: &[f64],
    sink_k: Option<f64>,
) -> Result<()> {
    let n_faces = zones.of_face.len();
    if vf.len() != zones.len() {
        return Err(Error::Case(format!(
            "radiation: view factors for {} zones, but {} zones given",
            vf.len(),
            zones.len()
        )));
    }
    for (what, len) in [
        ("face areas", face_area.len()),
        ("emissivities", emissivity.len()),
        ("temperatures", temperature_k.len()),
    ] {
        if len != n_faces {
            return Err(Error::Case(format!(
                "radiation: {n_faces} faces but {len} {what}"
            )));
        }
    }
    if let Some(f) = (0..n_faces).find(|&f| !(emissivity[f] > 0.0 && emissivity[f] <= 1.0)) {
        return Err(Error::Case(format!(
            "radiation: face {f} has emissivity {}; it must lie in (0, 1]",
            emissivity[f]
        )));
    }
    if let Some(f) =
        (0..n_faces).find(|&f| !(temperature_k[f].is_finite() && temperature_k[f] > 0.0))
    {
        return Err(Error::Case(format!(
            "radiation: face {f} has temperature {} K; it must be finite and above absolute zero",
            temperature_k[f]
        )));
    }
    let open = vf.sink.iter().any(|&s| s > 0.0);
    match sink_k {
        Some(t) if !(t.is_finite() && t > 0.0) => Err(Error::Case(format!(
            "radiation: sink temperature {t} K must be finite and above absolute zero"
        ))),
        None if open => Err(Error::Case(
            "radiation: the enclosure is open (part of the radiation reaches the surroundings) \
             but no sink temperature was given"
                .into(),
        )),
        _ => Ok(()),
    }
}

/// The faces of an enclosure in a radiosity solve, in the order of the faces the zones were
/// made from.
#[derive(Debug, Clone, Copy)]
pub struct FaceState<'a> {
    /// Face areas, m².
    pub area: &'a [f64],
    /// Face emissivities (= absorptivities), in (0, 1].
    pub emissivity: &'a [f64],
    /// Face temperatures, K.
    pub temperature_k: &'a [f64],
    /// Sink temperature of an open enclosure, K.
    pub sink_k: Option<f64>,
}

/// Solve the radiosity system for the faces' state; `initial` is a radiosity guess per zone
/// (e.g. the previous outer iteration's).
pub fn solve_radiosity(
    vf: &ViewFactors,
    zones: &Zones,
    faces: &FaceState<'_>,
    initial: Option<&[f64]>,
    params: &RadiosityParams,
) -> Result<Exchange> {
    let FaceState {
        area: face_area,
        emissivity,
        temperature_k,
        sink_k,
    } = *faces;
    check_inputs(vf, zones, face_area, emissivity, temperature_k, sink_k)?;
    let n = zones.len();
    let (eps, e) = zone_emission(zones, face_area, emissivity, temperature_k);
    let e_sink = sink_k.map_or(0.0, |t| STEFAN_BOLTZMANN * t.powi(4));
    // grey zones are the unknowns
    let mut index = vec![u32::MAX; n];
    let mut grey = Vec::new();
    for z in 0..n {
        if eps[z] < 1.0 {
            index[z] = grey.len() as u32;
            grey.push(z);
        }
    }
    let mut j = vec![0.0; n];
    for z in 0..n {
        if eps[z] >= 1.0 {
            j[z] = e[z];
        }
    }
    let mut iterations = 0;
    if !grey.is_empty() {
        let m = grey.len();
        let mut row_ptr = Vec::with_capacity(m + 1);
        row_ptr.push(0usize);
        let mut col = Vec::new();
        let mut val = Vec::new();
        let mut b = vec![0.0; m];
        for (r, &z) in grey.iter().enumerate() {
            let a = vf.area[z];
            let rho = 1.0 - eps[z];
            let mut diag_done = false;
            b[r] = a / rho * e[z] + a * vf.sink[z] * e_sink;
            let push_diag = |col: &mut Vec<u32>, val: &mut Vec<f64>, extra: f64| {
                col.push(r as u32);
                val.push(a / rho - extra);
            };
            for k in vf.row_ptr[z]..vf.row_ptr[z + 1] {
                let w = vf.col[k] as usize;
                let s = a * vf.value[k];
                if eps[w] >= 1.0 {
                    b[r] += s * e[w];
                    continue;
                }
                let c = index[w];
                if c as usize == r {
                    push_diag(&mut col, &mut val, s);
                    diag_done = true;
                } else {
                    if !diag_done && c as usize > r {
                        push_diag(&mut col, &mut val, 0.0);
                        diag_done = true;
                    }
                    col.push(c);
                    val.push(-s);
                }
            }
            if !diag_done {
                push_diag(&mut col, &mut val, 0.0);
            }
            row_ptr.push(col.len());
        }
        let matrix = Csr {
            n_rows: m,
            n_cols: m,
            row_ptr: Arc::new(row_ptr),
            col: Arc::new(col),
            val,
        };
        let mut x: Vec<f64> = grey
            .iter()
            .map(|&z| match initial {
                Some(g) if g.len() == n && g[z].is_finite() => g[z],
                _ => e[z] / eps[z],
            })
            .collect();
        let info = cg(
            &matrix,
            &b,
            &mut x,
            &Jacobi::new(&matrix),
            SolveSettings {
                relative_tolerance: params.tolerance,
                absolute_tolerance: 0.0,
                max_iterations: params.max_iterations,
            },
            &|| false,
        )
        .map_err(|err| match err {
            Error::LinearSolver { message, history } => Error::LinearSolver {
                message: format!("radiosity solve: {message}"),
                history,
            },
            other => other,
        })?;
        iterations = info.iterations;
        for (r, &z) in grey.iter().enumerate() {
            j[z] = x[r];
        }
    }
    // irradiation and face fluxes
    let g: Vec<f64> = (0..n)
        .map(|z| {
            (vf.row_ptr[z]..vf.row_ptr[z + 1])
                .map(|k| vf.value[k] * j[vf.col[k] as usize])
                .sum::<f64>()
                + vf.sink[z] * e_sink
        })
        .collect();
    let net_flux_w_m2 = (0..zones.of_face.len())
        .map(|f| {
            let z = zones.of_face[f] as usize;
            emissivity[f] * (STEFAN_BOLTZMANN * temperature_k[f].powi(4) - g[z])
        })
        .collect();
    Ok(Exchange {
        radiosity_w_m2: j,
        irradiation_w_m2: g,
        net_flux_w_m2,
        iterations,
    })
}

impl Exchange {
    /// Per face, the net flux linearised about `temperature_k` (the temperatures of the solve)
    /// with the irradiation held fixed: `h = 4 ε σ T*³`, `T_eff = T* − q/h`.
    pub fn linearisation(
        &self,
        emissivity: &[f64],
        temperature_k: &[f64],
    ) -> Vec<FaceLinearisation> {
        (0..self.net_flux_w_m2.len())
            .map(|f| {
                let t = temperature_k[f];
                let h = 4.0 * emissivity[f] * STEFAN_BOLTZMANN * t.powi(3);
                FaceLinearisation::new(t, self.net_flux_w_m2[f], h)
            })
            .collect()
    }

    /// Net power leaving the faces, `Σ A_f q_f`, W.
    pub fn net_power_w(&self, face_area: &[f64]) -> f64 {
        self.net_flux_w_m2
            .iter()
            .zip(face_area)
            .map(|(q, a)| q * a)
            .sum()
    }
}

/// The full linearisation `∂q_f/∂T_g` (W/m²K, faces × faces, row-major) at `temperature_k`:
/// `∂q_f/∂T_g = δ_fg 4 ε_f σ T_f³ − ε_f Σ_w [F (I − ρF)⁻¹]_{z(f) w} ∂e_w/∂T_g`, by dense LU of
/// the zone system (small enclosures: zones ≲ 2,000).
pub fn jacobian(vf: &ViewFactors, zones: &Zones, faces: &FaceState<'_>) -> Result<Vec<f64>> {
    let FaceState {
        area: face_area,
        emissivity,
        temperature_k,
        ..
    } = *faces;
    check_inputs(vf, zones, face_area, emissivity, temperature_k, Some(1.0))?;
    let n = zones.len();
    let nf = zones.of_face.len();
    let (eps, _) = zone_emission(zones, face_area, emissivity, temperature_k);
    let f = vf.dense();
    // M = I − diag(ρ) F, then X = M⁻¹ (LU with partial pivoting)
    let mut m = vec![0.0; n * n];
    for z in 0..n {
        for w in 0..n {
            m[z * n + w] = if z == w { 1.0 } else { 0.0 } - (1.0 - eps[z]) * f[z * n + w];
        }
    }
    let inv = dense_inverse(m, n)?;
    // K = F M⁻¹ (zones × zones): ∂G/∂e
    let mut k = vec![0.0; n * n];
    for z in 0..n {
        for w in 0..n {
            let fzw = f[z * n + w];
            if fzw != 0.0 {
                for c in 0..n {
                    k[z * n + c] += fzw * inv[w * n + c];
                }
            }
        }
    }
    let mut jac = vec![0.0; nf * nf];
    for fi in 0..nf {
        let z = zones.of_face[fi] as usize;
        for g in 0..nf {
            let w = zones.of_face[g] as usize;
            // ∂e_w/∂T_g = A_g ε_g 4σT_g³ / A_w
            let de =
                face_area[g] * emissivity[g] * 4.0 * STEFAN_BOLTZMANN * temperature_k[g].powi(3)
                    / zones.area[w];
            jac[fi * nf + g] = -emissivity[fi] * k[z * n + w] * de;
        }
        jac[fi * nf + fi] += 4.0 * emissivity[fi] * STEFAN_BOLTZMANN * temperature_k[fi].powi(3);
    }
    Ok(jac)
}

/// Inverse of a dense `n × n` matrix by Gauss–Jordan elimination with partial pivoting.
fn dense_inverse(mut a: Vec<f64>, n: usize) -> Result<Vec<f64>> {
    let mut inv = vec![0.0; n * n];
    for i in 0..n {
        inv[i * n + i] = 1.0;
    }
    for c in 0..n {
        let p = (c..n)
            .max_by(|&x, &y| a[x * n + c].abs().total_cmp(&a[y * n + c].abs()))
            .unwrap_or(c);
        if a[p * n + c] == 0.0 {
            return Err(Error::Case("radiation: singular radiosity matrix".into()));
        }
        if p != c {
            for k in 0..n {
                a.swap(p * n + k, c * n + k);
                inv.swap(p * n + k, c * n + k);
            }
        }
        let d = 1.0 / a[c * n + c];
        for k in 0..n {
            a[c * n + k] *= d;
            inv[c * n + k] *= d;
        }
        for r in 0..n {
            if r != c {
                let factor = a[r * n + c];
                if factor != 0.0 {
                    for k in 0..n {
                        a[r * n + k] -= factor * a[c * n + k];
                        inv[r * n + k] -= factor * inv[c * n + k];
                    }
                }
            }
        }
    }
    Ok(inv)
}

#[cfg(test)]
mod tests;
