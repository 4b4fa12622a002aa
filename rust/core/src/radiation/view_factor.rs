//! View factors between radiation zones by quasi-Monte Carlo ray casting.
//!
//! **Estimator.** The view factor from zone `i` to zone `j` is the fraction of the diffuse
//! (cosine-distributed) radiation leaving `i` that first strikes the front of a face of `j`
//! (Howell, Mengüç, Daun, Siegel, *Thermal Radiation Heat Transfer*, 7th ed., §4.4 and ch. 7:
//! the Monte Carlo view factor). Each face of a zone emits rays in proportion to its area
//! (at least `min_rays_per_face`); a ray starts at a point uniformly distributed over the face
//! and leaves in a cosine-weighted direction (Malley's method: a uniform point on the unit
//! disc projected onto the hemisphere), so the fraction of hits is an unbiased estimate of
//! `F_ij`. The four sample coordinates (two for the point, two for the direction) come from a
//! four-dimensional Sobol sequence (direction numbers of S. Joe, F. Y. Kuo, "Constructing
//! Sobol sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30, 2008)
//! with a random digital shift per face: still unbiased, and far less noisy than independent
//! random samples (jointly stratified points and directions). The first visible face along
//! each ray is found in a bounding-volume hierarchy of all faces ([`super::bvh`]), so
//! occlusion by third surfaces and self-shadowing of concave zones are exact.
//!
//! **Reciprocity and summation.** The estimated exchange areas `S_ij = A_i F_ij` are made
//! symmetric by averaging, `S_ij ← (S_ij + S_ji)/2` (reciprocity then holds to rounding), and,
//! for a closed enclosure, scaled symmetrically, `S_ij ← d_i S_ij d_j`, with the `d_i` chosen so
//! that every row sums to its area (`Σ_j F_ij = 1`) — the multiplicative correction that keeps
//! every factor non-negative and the sparsity pattern unchanged (the iteration
//! `d_i ← (d_i A_i / Σ_j S_ij d_j)^½`, symmetric Sinkhorn–Knopp balancing: P. A. Knight, "The
//! Sinkhorn–Knopp algorithm: convergence and applications", SIAM J. Matrix Anal. Appl. 30(1),
//! 2008). It plays the role of the least-squares smoothing of Monte Carlo exchange areas
//! (D. A. Lawson, "An improved method for smoothing approximate exchange areas", Int. J. Heat
//! Mass Transfer 38(16), 1995; M. E. Larsen, J. R. Howell, "Least-squares smoothing of direct
//! exchange areas in zonal analysis", J. Heat Transfer 108, 1986), whose additive correction
//! can turn small factors negative. For an open enclosure only rows summing above one are
//! scaled down (`d_i ≤ 1`); the rest of each row sees the sink.
//!
//! **Memory.** Rows are stored sparse (CSR, 12 bytes an entry): a zone has at most as many
//! entries as rays it casts, so memory is at most `zones × min(zones, rays_per_zone)` entries,
//! about three times that while the correction holds the transpose and the union (dense for a
//! few thousand zones: 1e4 per-face zones took 41 M entries and 1.9 GB, see
//! `benchmarks/RESULTS.md`). Large meshes are agglomerated into zones first
//! ([`super::surface::Zones::agglomerate`]; the case model does it above 2,000 faces): a million
//! faces in 3,072 zones of ~325 faces need the zone matrix only (6.5 M entries) and the ray
//! casting structures (~0.3 KB a face): 0.67 GB in all; each face casts
//! `max(min_rays_per_face, rays_per_zone × A_face / A_zone)` rays.
//!
//! **Default ray count.** A budget of [`DEFAULT_TOTAL_RAYS`] = 2²¹ rays per enclosure, shared
//! by its zones, and at least [`MIN_DEFAULT_RAYS_PER_ZONE`] = 4,096 per zone. With it the
//! analytic cases of the tests (coaxial discs, opposed and perpendicular rectangles, the closed
//! cube, each surface a single face or a patch-level zone) are within 0.3 % of the exact
//! factors for every seed tried (1 % asked). The quasi-random error falls roughly as
//! `N^-0.6`: at 2¹⁵ rays a zone the worst of those cases (a factor of 0.05) missed by 1.2 %.
//! Per-face zones of a large enclosure get the 4,096-ray floor: their individual factors are
//! good to a few per cent, the patch-level sums (what the exchange depends on) far better.

use super::bvh::Bvh;
use super::surface::{cross, dot, norm, Surfaces, Zones};
use crate::mesh::Vec3;
use crate::{Error, Monitor, Result};
use rayon::prelude::*;
use std::time::Instant;

/// Rays an enclosure casts by default, shared by its zones (see the module documentation).
pub const DEFAULT_TOTAL_RAYS: usize = 1 << 21;
/// Rays each zone casts at least by default.
pub const MIN_DEFAULT_RAYS_PER_ZONE: usize = 4096;

/// Settings of a view-factor computation.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewFactorParams {
    /// Rays cast from each zone, spread over its faces by area; `None`: the default,
    /// `max(DEFAULT_TOTAL_RAYS / zones, MIN_DEFAULT_RAYS_PER_ZONE)`.
    pub rays_per_zone: Option<usize>,
    /// Rays cast from every face at least.
    pub min_rays_per_face: usize,
    /// Seed of the random digital shifts (results are reproducible for a seed).
    pub seed: u64,
    /// A closed enclosure: every row is made to sum to one. Otherwise the rest of each row is
    /// the view factor to the sink (the surroundings).
    pub closed: bool,
    /// Closed enclosures only: the largest fraction of a group's radiation allowed to escape
    /// (or strike the back of a face) before the enclosure is declared open, an error.
    pub leak_tolerance: f64,
}

impl ViewFactorParams {
    /// Rays cast from each of `zones` zones.
    pub fn rays_for(&self, zones: usize) -> usize {
        self.rays_per_zone
            .unwrap_or_else(|| (DEFAULT_TOTAL_RAYS / zones.max(1)).max(MIN_DEFAULT_RAYS_PER_ZONE))
    }
}

impl Default for ViewFactorParams {
    fn default() -> Self {
        Self {
            rays_per_zone: None,
            min_rays_per_face: 16,
            seed: 0x005e_ed0f_1ea5,
            closed: true,
            leak_tolerance: 1e-3,
        }
    }
}

/// What a view-factor computation did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ViewFactorInfo {
    /// Rays cast.
    pub rays: u64,
    /// Per group: fraction of its emitted radiation that struck no face.
    pub escaped_fraction: Vec<f64>,
    /// Per group: fraction that struck the back of a face.
    pub back_fraction: Vec<f64>,
    /// Largest relative reciprocity error of the raw estimate, `|S_ij − S_ji| / max(S_ij, S_ji)`,
    /// over pairs with both directions sampled.
    pub raw_reciprocity_error: f64,
    /// Largest `|Σ_j F_ij − 1|` of the raw estimate (rays that hit some front face).
    pub raw_row_sum_error: f64,
    /// Iterations of the symmetric scaling.
    pub scaling_iterations: usize,
    /// Largest change the scaling made to a factor, `max |d_i d_j − 1|`.
    pub max_scaling: f64,
    /// Wall time, s.
    pub seconds: f64,
    /// Heap memory of the result and the ray-casting structures at their peak, bytes (estimate).
    pub memory_bytes: usize,
}

/// View factors between zones: sparse rows `F_ij`, with reciprocity and (closed) summation enforced.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewFactors {
    /// Zone areas, m².
    pub area: Vec<f64>,
    /// Row `i` holds entries `row_ptr[i]..row_ptr[i + 1]`.
    pub row_ptr: Vec<usize>,
    /// Column (zone) of each entry, sorted within a row.
    pub col: Vec<u32>,
    /// `F_ij` of each entry.
    pub value: Vec<f64>,
    /// View factor of each zone to the sink, `1 − Σ_j F_ij` (zero for closed enclosures).
    pub sink: Vec<f64>,
    /// The geometry and settings key these factors belong to (see [`cache_key`]).
    pub key: String,
    /// Diagnostics.
    pub info: ViewFactorInfo,
}

impl ViewFactors {
    /// Number of zones.
    pub fn len(&self) -> usize {
        self.area.len()
    }

    /// Whether there are no zones.
    pub fn is_empty(&self) -> bool {
        self.area.is_empty()
    }

    /// `F_ij` (zero when not stored).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        let r = self.row_ptr[i]..self.row_ptr[i + 1];
        match self.col[r.clone()].binary_search(&(j as u32)) {
            Ok(k) => self.value[r.start + k],
            Err(_) => 0.0,
        }
    }

    /// The dense matrix, row-major (small enclosures and tests).
    pub fn dense(&self) -> Vec<f64> {
        let n = self.len();
        let mut m = vec![0.0; n * n];
        for i in 0..n {
            for k in self.row_ptr[i]..self.row_ptr[i + 1] {
                m[i * n + self.col[k] as usize] = self.value[k];
            }
        }
        m
    }

    /// Largest `|A_i F_ij − A_j F_ji|` relative to the largest exchange area `A_i F_ij`.
    pub fn reciprocity_error(&self) -> f64 {
        let mut worst = 0.0f64;
        let mut largest = 0.0f64;
        for i in 0..self.len() {
            for k in self.row_ptr[i]..self.row_ptr[i + 1] {
                let j = self.col[k] as usize;
                let s_ij = self.area[i] * self.value[k];
                let s_ji = self.area[j] * self.get(j, i);
                worst = worst.max((s_ij - s_ji).abs());
                largest = largest.max(s_ij);
            }
        }
        if largest > 0.0 {
            worst / largest
        } else {
            0.0
        }
    }

    /// Largest `|Σ_j F_ij + F_i,sink − 1|`.
    pub fn row_sum_error(&self) -> f64 {
        (0..self.len())
            .map(|i| {
                let s: f64 = self.value[self.row_ptr[i]..self.row_ptr[i + 1]]
                    .iter()
                    .sum();
                (s + self.sink[i] - 1.0).abs()
            })
            .fold(0.0, f64::max)
    }

    /// Sum of each row, `Σ_j F_ij` (without the sink).
    pub fn row_sums(&self) -> Vec<f64> {
        (0..self.len())
            .map(|i| {
                self.value[self.row_ptr[i]..self.row_ptr[i + 1]]
                    .iter()
                    .sum()
            })
            .collect()
    }

    /// Heap memory of the factors, bytes.
    pub fn memory_bytes(&self) -> usize {
        self.area.capacity() * 8
            + self.row_ptr.capacity() * 8
            + self.col.capacity() * 4
            + self.value.capacity() * 8
            + self.sink.capacity() * 8
    }
}

/// A key identifying view factors: a 128-bit hash (hex) of the faces' vertex coordinates
/// (bit for bit), their groups, the zones and the settings. Equal keys mean equal inputs (up to
/// hash collisions, about 2⁻¹²⁸), so factors can be cached under it and reused for another
/// solve on the same mesh.
pub fn cache_key(s: &Surfaces, zones: &Zones, params: &ViewFactorParams) -> String {
    // two FNV-1a-style streams with different bases and primes, mixed at the end
    let mut h1: u64 = 0xcbf2_9ce4_8422_2325;
    let mut h2: u64 = 0x6c62_272e_07bb_0142;
    let mut eat = |x: u64| {
        for b in x.to_le_bytes() {
            h1 = (h1 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            h2 = (h2 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_0193 | (1 << 40));
        }
    };
    eat(1); // key format version
    eat(s.len() as u64);
    for v in &s.vertices {
        for x in v {
            eat(x.to_bits());
        }
    }
    for &o in &s.offsets {
        eat(o as u64);
    }
    for &g in &s.group {
        eat(u64::from(g));
    }
    for &z in &zones.of_face {
        eat(u64::from(z));
    }
    eat(params.rays_for(zones.len()) as u64);
    eat(params.min_rays_per_face as u64);
    eat(params.seed);
    eat(u64::from(params.closed));
    eat(params.leak_tolerance.to_bits());
    format!(
        "{:016x}{:016x}",
        splitmix(h1),
        splitmix(h2 ^ h1.rotate_left(17))
    )
}

/// SplitMix64's finaliser: a well-mixed 64-bit hash of `x`.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Sobol direction numbers of the first four dimensions (Joe–Kuo, `new-joe-kuo-6.21201`:
/// dimension 1 is van der Corput's; then s = 1, a = 0, m = 1; s = 2, a = 1, m = 1 3;
/// s = 3, a = 1, m = 1 3 1), 32 bits.
fn sobol_directions() -> [[u32; 32]; 4] {
    let mut v = [[0u32; 32]; 4];
    for i in 0..32 {
        v[0][i] = 1 << (31 - i);
    }
    let polys: [(usize, u32, &[u32]); 3] = [(1, 0, &[1]), (2, 1, &[1, 3]), (3, 1, &[1, 3, 1])];
    for (d, &(s, a, m)) in polys.iter().enumerate() {
        let dim = &mut v[d + 1];
        for i in 0..s {
            dim[i] = m[i] << (31 - i);
        }
        for i in s..32 {
            let mut x = dim[i - s] ^ (dim[i - s] >> s);
            for k in 1..s {
                if (a >> (s - 1 - k)) & 1 == 1 {
                    x ^= dim[i - k];
                }
            }
            dim[i] = x;
        }
    }
    v
}

/// The first `n` points of the four-dimensional Sobol sequence (Gray-code order).
fn sobol_points(n: usize) -> Vec<[u32; 4]> {
    let v = sobol_directions();
    let mut out = Vec::with_capacity(n);
    let mut x = [0u32; 4];
    for i in 0..n {
        out.push(x);
        // the next point flips the direction number of the lowest zero bit of i
        let c = (!i).trailing_zeros() as usize;
        for d in 0..4 {
            x[d] ^= v[d][c.min(31)];
        }
    }
    out
}

/// An orthonormal basis `(t1, t2)` completing the unit vector `n` (Duff et al., "Building an
/// orthonormal basis, revisited", J. Computer Graphics Techniques 6(1), 2017).
fn basis(n: Vec3) -> (Vec3, Vec3) {
    let sign = 1.0f64.copysign(n[2]);
    let a = -1.0 / (sign + n[2]);
    let b = n[0] * n[1] * a;
    (
        [1.0 + sign * n[0] * n[0] * a, sign * b, -sign * n[0]],
        [b, sign + n[1] * n[1] * a, -n[1]],
    )
}

/// Estimated peak heap memory of [`view_factors`], bytes.
pub fn estimate_memory_bytes(s: &Surfaces, zones: &Zones, params: &ViewFactorParams) -> f64 {
    let n_tri = s.vertices.len().saturating_sub(2 * s.len()) as f64;
    let n = zones.len() as f64;
    let per_row = (params.rays_for(zones.len()) as f64).min(n);
    // BVH (triangles 80 B, nodes ~ n_tri/2 × 64 B), raw rows, transpose and union (12 B each)
    n_tri * 80.0 + n_tri * 32.0 + 3.0 * 12.0 * n * per_row + 64.0 * n
}

/// View factors between the zones of `s` (see the module documentation). Errors: a closed
/// enclosure that leaks (naming the group and the fraction), a zone that sees nothing, an
/// interruption through `monitor`.
pub fn view_factors(
    s: &Surfaces,
    zones: &Zones,
    params: &ViewFactorParams,
    monitor: &dyn Monitor,
) -> Result<ViewFactors> {
    let started = Instant::now();
    if s.is_empty() {
        return Err(Error::Case(
            "radiation: no faces to compute view factors for".into(),
        ));
    }
    let n = zones.len();
    let rays_per_zone = params.rays_for(n);
    if !(rays_per_zone > 0 && params.min_rays_per_face > 0) {
        return Err(Error::Case(format!(
            "radiation: rays per zone and per face must be positive, got {rays_per_zone} and {}",
            params.min_rays_per_face
        )));
    }
    let bvh = Bvh::new(s);
    let t_min = 1e-10 * s.extent();
    let rays_of = |f: usize, z: usize| -> usize {
        let share = rays_per_zone as f64 * s.area[f] / zones.area[z];
        (share.ceil() as usize).max(params.min_rays_per_face)
    };
    let max_rays = (0..s.len())
        .map(|f| rays_of(f, zones.of_face[f] as usize))
        .max()
        .unwrap_or(0);
    let points = sobol_points(max_rays);
    let stop = std::sync::atomic::AtomicBool::new(false);

    // one raw row per zone: (targets with weights, escaped weight, back-hit weight, rays)
    let rows: Vec<RawRow> = (0..n)
        .into_par_iter()
        .with_max_len(4)
        .map(|z| {
            if stop.load(std::sync::atomic::Ordering::Relaxed) || monitor.should_stop() {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                return RawRow::default();
            }
            let mut hits: Vec<(u32, f64)> = Vec::new();
            let (mut escaped, mut back, mut cast) = (0.0, 0.0, 0u64);
            for &f in zones.faces_of(z) {
                let f = f as usize;
                let n_f = rays_of(f, z);
                let w = s.area[f] / (zones.area[z] * n_f as f64);
                let h = splitmix(params.seed ^ splitmix(f as u64));
                let h2 = splitmix(h);
                let shift = [h as u32, (h >> 32) as u32, h2 as u32, (h2 >> 32) as u32];
                let normal = s.normal[f];
                let (t1, t2) = basis(normal);
                // fan triangles and their cumulative area fractions
                let tris: Vec<[Vec3; 3]> = s.triangles(f).collect();
                let mut cum: Vec<f64> = Vec::with_capacity(tris.len());
                let mut total = 0.0;
                for t in &tris {
                    total += 0.5
                        * norm(cross(
                            super::surface::sub(t[1], t[0]),
                            super::surface::sub(t[2], t[0]),
                        ));
                    cum.push(total);
                }
                for p in &points[..n_f] {
                    let u = |d: usize| (f64::from(p[d] ^ shift[d]) + 0.5) * (1.0 / 4_294_967_296.0);
                    // point: the triangle by the first coordinate, then uniform inside it
                    let a = u(0) * total;
                    let ti = cum.partition_point(|&c| c <= a).min(tris.len() - 1);
                    let lo = if ti == 0 { 0.0 } else { cum[ti - 1] };
                    let r1 = ((a - lo) / (cum[ti] - lo)).clamp(0.0, 1.0);
                    let r2 = u(1);
                    let sq = r1.sqrt();
                    let [va, vb, vc] = tris[ti];
                    let (ca, cb, cc) = (1.0 - sq, sq * (1.0 - r2), sq * r2);
                    let origin = [
                        ca * va[0] + cb * vb[0] + cc * vc[0],
                        ca * va[1] + cb * vb[1] + cc * vc[1],
                        ca * va[2] + cb * vb[2] + cc * vc[2],
                    ];
                    // direction: cosine-weighted (Malley)
                    let (r3, r4) = (u(2), u(3));
                    let rad = r3.sqrt();
                    let phi = std::f64::consts::TAU * r4;
                    let (x, y, zc) = (rad * phi.cos(), rad * phi.sin(), (1.0 - r3).sqrt());
                    let dir = [
                        x * t1[0] + y * t2[0] + zc * normal[0],
                        x * t1[1] + y * t2[1] + zc * normal[1],
                        x * t1[2] + y * t2[2] + zc * normal[2],
                    ];
                    cast += 1;
                    match bvh.nearest(origin, dir, t_min, f as u32) {
                        Some((g, _)) if dot(dir, s.normal[g as usize]) < 0.0 => {
                            hits.push((zones.of_face[g as usize], w));
                        }
                        Some(_) => back += w,
                        None => escaped += w,
                    }
                }
            }
            hits.sort_unstable_by_key(|h| h.0);
            let mut row: Vec<(u32, f64)> = Vec::new();
            for (j, w) in hits {
                match row.last_mut() {
                    Some(last) if last.0 == j => last.1 += w,
                    _ => row.push((j, w)),
                }
            }
            row.shrink_to_fit();
            RawRow {
                hits: row,
                escaped,
                back,
                rays: cast,
            }
        })
        .collect();
    if stop.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    let bvh_bytes = bvh.memory_bytes();
    drop(bvh);

    // leaks per group
    let n_groups = s.group_names.len();
    let mut group_area = vec![0.0; n_groups];
    let mut escaped = vec![0.0; n_groups];
    let mut back = vec![0.0; n_groups];
    let mut rays = 0u64;
    for (z, row) in rows.iter().enumerate() {
        let g = zones.group[z] as usize;
        group_area[g] += zones.area[z];
        escaped[g] += zones.area[z] * row.escaped;
        back[g] += zones.area[z] * row.back;
        rays += row.rays;
    }
    for g in 0..n_groups {
        if group_area[g] > 0.0 {
            escaped[g] /= group_area[g];
            back[g] /= group_area[g];
        }
    }
    // back hits: radiation reaching the inside of a body (normals facing away from the
    // enclosure, or a one-sided sheet); an error in open and closed enclosures alike
    let backwards: Vec<String> = (0..n_groups)
        .filter(|&g| back[g] > params.leak_tolerance)
        .map(|g| format!("'{}' ({:.2} %)", s.group_names[g], 100.0 * back[g]))
        .collect();
    if !backwards.is_empty() {
        return Err(Error::Case(format!(
            "radiation: part of the radiation leaving {} strikes the back of a face; the faces' \
             normals must point out of the bodies into the enclosure (a thin sheet needs a face on \
             each side)",
            backwards.join(", ")
        )));
    }
    if params.closed {
        let leaking: Vec<String> = (0..n_groups)
            .filter(|&g| escaped[g] + back[g] > params.leak_tolerance)
            .map(|g| {
                format!(
                    "'{}' ({:.2} % escapes{})",
                    s.group_names[g],
                    100.0 * escaped[g],
                    if back[g] > 0.0 {
                        format!(", {:.2} % strikes the back of a face", 100.0 * back[g])
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        if !leaking.is_empty() {
            return Err(Error::Case(format!(
                "radiation enclosure is not closed: of the radiation leaving {}, more than {} % finds no \
                 surface of the enclosure; add the missing patches, check that the normals face the \
                 enclosure, or give the enclosure a sink temperature (an open enclosure)",
                leaking.join(", "),
                100.0 * params.leak_tolerance
            )));
        }
    }

    // raw exchange areas S_ij = A_i F_ij in CSR
    let mut row_ptr = Vec::with_capacity(n + 1);
    row_ptr.push(0usize);
    let nnz: usize = rows.iter().map(|r| r.hits.len()).sum();
    let mut col = Vec::with_capacity(nnz);
    let mut val = Vec::with_capacity(nnz);
    let mut raw_row_sum_error = 0.0f64;
    for (i, raw) in rows.into_iter().enumerate() {
        let (row, esc, bk) = (raw.hits, raw.escaped, raw.back);
        let mut sum = 0.0;
        for (j, f) in row {
            col.push(j);
            val.push(zones.area[i] * f);
            sum += f;
        }
        raw_row_sum_error =
            raw_row_sum_error.max((sum + esc + bk - 1.0).abs().max(if params.closed {
                (sum - 1.0).abs()
            } else {
                0.0
            }));
        row_ptr.push(col.len());
    }
    let raw_bytes = nnz * 12;
    let (sym_ptr, sym_col, mut sym_val, raw_reciprocity_error) =
        symmetrised(n, &row_ptr, &col, &val);
    drop((row_ptr, col, val));
    let sym_bytes = sym_col.len() * 12 + raw_bytes;

    // symmetric scaling to the row targets
    let (d, iterations) = balance(&zones.area, &sym_ptr, &sym_col, &sym_val, params.closed)?;
    let mut max_scaling = 0.0f64;
    for i in 0..n {
        for k in sym_ptr[i]..sym_ptr[i + 1] {
            let j = sym_col[k] as usize;
            let f = d[i] * d[j];
            max_scaling = max_scaling.max((f - 1.0).abs());
            sym_val[k] *= f;
        }
    }
    // F_ij = S_ij / A_i
    let mut sink = vec![0.0; n];
    for i in 0..n {
        let mut sum = 0.0;
        for k in sym_ptr[i]..sym_ptr[i + 1] {
            sym_val[k] /= zones.area[i];
            sum += sym_val[k];
        }
        sink[i] = if params.closed {
            0.0
        } else {
            (1.0 - sum).max(0.0)
        };
    }
    let key = cache_key(s, zones, params);
    let mut vf = ViewFactors {
        area: zones.area.clone(),
        row_ptr: sym_ptr,
        col: sym_col,
        value: sym_val,
        sink,
        key,
        info: ViewFactorInfo {
            rays,
            escaped_fraction: escaped,
            back_fraction: back,
            raw_reciprocity_error,
            raw_row_sum_error,
            scaling_iterations: iterations,
            max_scaling,
            seconds: 0.0,
            memory_bytes: 0,
        },
    };
    vf.info.memory_bytes = bvh_bytes.max(sym_bytes) + vf.memory_bytes();
    vf.info.seconds = started.elapsed().as_secs_f64();
    Ok(vf)
}

/// The rays of one zone: the zones hit with their weights (sorted), the weight that escaped,
/// the weight that struck the back of a face, the rays cast.
#[derive(Default)]
struct RawRow {
    hits: Vec<(u32, f64)>,
    escaped: f64,
    back: f64,
    rays: u64,
}

/// `(S + Sᵀ)/2` on the union of the patterns, and the largest relative asymmetry of `S` over
/// pairs sampled both ways.
fn symmetrised(
    n: usize,
    ptr: &[usize],
    col: &[u32],
    val: &[f64],
) -> (Vec<usize>, Vec<u32>, Vec<f64>, f64) {
    // transpose
    let mut t_ptr = vec![0usize; n + 1];
    for &j in col {
        t_ptr[j as usize + 1] += 1;
    }
    for i in 0..n {
        t_ptr[i + 1] += t_ptr[i];
    }
    let mut next = t_ptr.clone();
    let mut t_col = vec![0u32; col.len()];
    let mut t_val = vec![0.0; col.len()];
    for i in 0..n {
        for k in ptr[i]..ptr[i + 1] {
            let j = col[k] as usize;
            t_col[next[j]] = i as u32;
            t_val[next[j]] = val[k];
            next[j] += 1;
        }
    }
    drop(next);
    let mut out_ptr = Vec::with_capacity(n + 1);
    out_ptr.push(0);
    let mut out_col = Vec::with_capacity(col.len());
    let mut out_val = Vec::with_capacity(col.len());
    let mut asym = 0.0f64;
    for i in 0..n {
        let (mut a, mut b) = (ptr[i], t_ptr[i]);
        let (ea, eb) = (ptr[i + 1], t_ptr[i + 1]);
        while a < ea || b < eb {
            let ca = if a < ea { col[a] } else { u32::MAX };
            let cb = if b < eb { t_col[b] } else { u32::MAX };
            let (c, s_ij, s_ji) = if ca == cb {
                a += 1;
                b += 1;
                (ca, val[a - 1], t_val[b - 1])
            } else if ca < cb {
                a += 1;
                (ca, val[a - 1], 0.0)
            } else {
                b += 1;
                (cb, 0.0, t_val[b - 1])
            };
            if s_ij > 0.0 && s_ji > 0.0 {
                asym = asym.max((s_ij - s_ji).abs() / s_ij.max(s_ji));
            }
            out_col.push(c);
            // the sum is commutative in floating point: entries (i, j) and (j, i) are equal bit for bit
            out_val.push(0.5 * (s_ij + s_ji));
        }
        out_ptr.push(out_col.len());
    }
    (out_ptr, out_col, out_val, asym)
}

/// Symmetric Sinkhorn–Knopp balancing: `d` with `Σ_j d_i S_ij d_j = A_i` (closed), or
/// `≤ A_i` with `d_i ≤ 1` (open). Returns `d` and the iterations used.
fn balance(
    area: &[f64],
    ptr: &[usize],
    col: &[u32],
    val: &[f64],
    closed: bool,
) -> Result<(Vec<f64>, usize)> {
    let n = area.len();
    let mut d = vec![1.0; n];
    let row = |d: &[f64], i: usize| -> f64 {
        (ptr[i]..ptr[i + 1])
            .map(|k| val[k] * d[col[k] as usize])
            .sum::<f64>()
    };
    if closed {
        if let Some(i) = (0..n).find(|&i| ptr[i] == ptr[i + 1]) {
            return Err(Error::Case(format!(
                "radiation: zone {i} sees no surface of the closed enclosure (no ray from it \
                 struck a face, none struck it); is it hidden behind another surface?"
            )));
        }
    }
    const TOLERANCE: f64 = 1e-14;
    const MAX_ITERATIONS: usize = 10_000;
    for iteration in 0..MAX_ITERATIONS {
        let sums: Vec<f64> = (0..n)
            .into_par_iter()
            .with_min_len(1024)
            .map(|i| d[i] * row(&d, i))
            .collect();
        let err = (0..n)
            .map(|i| {
                let e = (sums[i] - area[i]) / area[i];
                if closed || d[i] < 1.0 {
                    e.abs()
                } else {
                    e.max(0.0)
                }
            })
            .fold(0.0, f64::max);
        if err <= TOLERANCE {
            return Ok((d, iteration));
        }
        for i in 0..n {
            // Knight's x_i ← (x_i a_i / (S x)_i)^½ with (S x)_i = sums_i / d_i
            let target = d[i] * (area[i] / sums[i].max(f64::MIN_POSITIVE)).sqrt();
            d[i] = if closed { target } else { target.min(1.0) };
        }
    }
    Err(Error::Case(format!(
        "radiation: the view-factor correction did not converge in {MAX_ITERATIONS} iterations"
    )))
}

#[cfg(test)]
pub(crate) mod tests;
