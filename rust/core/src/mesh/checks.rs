//! Pre-solve checks: mesh defects no solver setting can overcome, found before any solve and
//! reported with what is wrong, where (regions, patch, cell positions) and what to change.
//!
//! Pure analysis of a built [`Mesh`] plus plain inputs (which cells are coolant, which patches
//! are inlets and outlets); the case layer decides which findings stop a solve. Each finding is a
//! [`Finding`] with a [`CheckKind`] callers branch on, never its message text.
//!
//! * [`unreachable_cells`]: cells no path of faces joins to a patch (coolant that cannot reach
//!   an outlet, or be reached from an inlet);
//! * [`patch_on_solid`]: faces of a (coolant inlet) patch whose cell is not coolant;
//! * [`thin_passages`]: coolant cells with every vertex on a wall, spanning two facing walls
//!   (a passage one cell thick, or of zero thickness);
//! * [`non_conforming_interfaces`]: boundary faces of one region lying on boundary faces of
//!   another (or the same) region without being shared: volumes meshed without `fragment`;
//! * [`hopeless_cells`]: cells whose faces are nearly tangent to the line between cell centres
//!   (non-orthogonality near 90°) or whose volume is nearly zero for their size (slivers).

use super::geometry::{cross, dot, norm, scale, sub};
use super::{Mesh, Vec3};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

/// How many example positions a finding keeps.
const EXAMPLES: usize = 5;

/// Which check found a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CheckKind {
    /// Coolant cells with no path of faces to any outlet.
    OutletUnreachable,
    /// An inlet patch with faces on cells that are not coolant.
    InletOnSolid,
    /// Coolant passages one cell thick (every vertex on a wall) or of zero thickness.
    ThinPassage,
    /// Boundary faces of two regions (or of one region) that overlap without being shared.
    NonConformingInterface,
    /// Cells of a quality no setting converges on: non-orthogonality near 90°, slivers.
    DegenerateCells,
}

/// One problem a check found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Which check.
    pub kind: CheckKind,
    /// Whether a solve cannot succeed with it (otherwise a warning).
    pub fatal: bool,
    /// Regions involved (two for an interface, possibly the same one twice).
    pub regions: Vec<String>,
    /// The patch involved, if any.
    pub patch: Option<String>,
    /// Number of offending cells or faces.
    pub count: usize,
    /// Area involved, m² (faces on solid cells, overlapping faces); 0 where not meaningful.
    pub area_m2: f64,
    /// Up to five example positions (cell or face centres), m, worst first where ranked.
    pub positions: Vec<Vec3>,
    /// The worst value of the check's measure (degrees of non-orthogonality, relative volume,
    /// passage thickness in m, fraction of the region), where there is one.
    pub worst: Option<f64>,
    /// Human-readable diagnosis with what to change.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A position in millimetres, as engineers read a cold plate.
fn fmt_pos(p: &Vec3) -> String {
    format!(
        "({:.3}, {:.3}, {:.3}) mm",
        p[0] * 1e3,
        p[1] * 1e3,
        p[2] * 1e3
    )
}

/// `x` in scientific notation as Python prints it: `8.000e-06`.
fn sci(x: f64) -> String {
    let s = format!("{x:.3e}");
    match s.split_once('e') {
        Some((mantissa, exp)) => {
            let (sign, digits) = exp.strip_prefix('-').map_or(("+", exp), |d| ("-", d));
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

fn fmt_positions(ps: &[Vec3]) -> String {
    ps.iter().map(fmt_pos).collect::<Vec<_>>().join(", ")
}

fn quoted(names: &[String]) -> String {
    crate::error::name_list(names)
}

/// Cells (restricted to `mask` when given) that no path of internal faces between masked cells
/// joins to a face of one of `patches`.
pub fn unreachable_cells(mesh: &Mesh, mask: Option<&[bool]>, patches: &[usize]) -> Vec<usize> {
    let n = mesh.n_cells();
    let inside = |c: usize| mask.is_none_or(|m| m[c]);
    let mut adjacency: Vec<Vec<u32>> = vec![Vec::new(); n];
    for f in 0..mesh.n_internal_faces {
        let (a, b) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
        if inside(a) && inside(b) {
            adjacency[a].push(b as u32);
            adjacency[b].push(a as u32);
        }
    }
    let mut seen = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    for &p in patches {
        for f in mesh.patch_faces(p) {
            let c = mesh.owner[f] as usize;
            if inside(c) && !seen[c] {
                seen[c] = true;
                stack.push(c);
            }
        }
    }
    while let Some(c) = stack.pop() {
        for &q in &adjacency[c] {
            if !seen[q as usize] {
                seen[q as usize] = true;
                stack.push(q as usize);
            }
        }
    }
    (0..n).filter(|&c| inside(c) && !seen[c]).collect()
}

fn region_names_of(mesh: &Mesh, cells: impl Iterator<Item = usize>) -> Vec<String> {
    let mut seen = vec![false; mesh.region_names.len()];
    for c in cells {
        seen[mesh.cell_region[c] as usize] = true;
    }
    (0..seen.len())
        .filter(|&r| seen[r])
        .map(|r| mesh.region_names[r].clone())
        .collect()
}

/// Coolant cells (`is_fluid`) with no path to any of the `outlets` patches: flow that enters
/// there has nowhere to go, so the pressure there is undetermined.
pub fn outlet_unreachable(mesh: &Mesh, is_fluid: &[bool], outlets: &[usize]) -> Option<Finding> {
    if outlets.is_empty() {
        return None;
    }
    let cells = unreachable_cells(mesh, Some(is_fluid), outlets);
    if cells.is_empty() {
        return None;
    }
    let regions = region_names_of(mesh, cells.iter().copied());
    let positions: Vec<Vec3> = cells
        .iter()
        .take(EXAMPLES)
        .map(|&c| mesh.cell_centre[c])
        .collect();
    let volume: f64 = cells.iter().map(|&c| mesh.cell_volume[c]).sum();
    let outlet_names: Vec<String> = outlets
        .iter()
        .map(|&p| mesh.patch_names[p].clone())
        .collect();
    Some(Finding {
        kind: CheckKind::OutletUnreachable,
        fatal: true,
        message: format!(
            "{} coolant cells (in regions {}, {} m³) are not connected to any outlet {}; e.g. the cells at {}. \
             Join that coolant to an outlet (a passage missing from the geometry, or volumes not fragmented) or give it its own outlet",
            cells.len(),
            quoted(&regions),
            sci(volume),
            quoted(&outlet_names),
            fmt_positions(&positions)
        ),
        regions,
        patch: None,
        count: cells.len(),
        area_m2: 0.0,
        positions,
        worst: Some(volume),
    })
}

/// Faces of `patch` whose cell is not coolant (an inlet drawn on the metal around a port, or a
/// patch tagged on the wrong side). Fatal when no face of the patch is coolant; a patch with
/// coolant faces too is a warning: the flow enters through its coolant faces and its solid faces
/// stay adiabatic walls (meshes that tag a whole side as the inlet rely on that).
pub fn patch_on_solid(mesh: &Mesh, is_fluid: &[bool], patch: usize) -> Option<Finding> {
    let faces: Vec<usize> = mesh
        .patch_faces(patch)
        .filter(|&f| !is_fluid[mesh.owner[f] as usize])
        .collect();
    if faces.is_empty() {
        return None;
    }
    let total = mesh.patch_faces(patch).len();
    let area: f64 = faces.iter().map(|&f| norm(mesh.face_area[f])).sum();
    let regions = region_names_of(mesh, faces.iter().map(|&f| mesh.owner[f] as usize));
    let positions: Vec<Vec3> = faces
        .iter()
        .take(EXAMPLES)
        .map(|&f| mesh.face_centre[f])
        .collect();
    let name = &mesh.patch_names[patch];
    let fatal = faces.len() == total;
    Some(Finding {
        kind: CheckKind::InletOnSolid,
        fatal,
        message: format!(
            "inlet '{name}': {} of its {total} faces ({} m²) lie on cells of solid regions {}, not coolant; e.g. at {}. {}\
             Tag only the coolant's faces as the inlet (in Gmsh, the port's face of the fluid volume after fragment)",
            faces.len(),
            sci(area),
            quoted(&regions),
            fmt_positions(&positions),
            if fatal {
                "No coolant enters there. "
            } else {
                "The coolant enters through the patch's coolant faces only; the others are adiabatic walls. "
            }
        ),
        regions,
        patch: Some(name.clone()),
        count: faces.len(),
        area_m2: area,
        positions,
        worst: None,
    })
}

/// Faces of every cell (internal and boundary), as a CSR list.
fn cell_faces(mesh: &Mesh) -> (Vec<u32>, Vec<u32>) {
    let n = mesh.n_cells();
    let mut count = vec![0u32; n + 1];
    for f in 0..mesh.n_faces() {
        count[mesh.owner[f] as usize + 1] += 1;
        if f < mesh.n_internal_faces {
            count[mesh.neighbour[f] as usize + 1] += 1;
        }
    }
    for c in 0..n {
        count[c + 1] += count[c];
    }
    let mut next = count.clone();
    let mut faces = vec![0u32; count[n] as usize];
    for f in 0..mesh.n_faces() {
        let o = mesh.owner[f] as usize;
        faces[next[o] as usize] = f as u32;
        next[o] += 1;
        if f < mesh.n_internal_faces {
            let nb = mesh.neighbour[f] as usize;
            faces[next[nb] as usize] = f as u32;
            next[nb] += 1;
        }
    }
    (count, faces)
}

/// Coolant cells that span a passage from wall to wall with no vertex inside it: every vertex
/// lies on a wall (a coolant face that is neither an inlet nor an outlet: a solid interface or a
/// wall patch) and two of the walls it touches face each other (inward normals at more than
/// 120°). Such cells carry no velocity profile across the passage; when they make up a
/// noticeable part of a region (`fatal_fraction`), or a passage has (nearly) zero thickness, the
/// finding is fatal.
///
/// `open_patches` are the inlets and outlets (not walls).
pub fn thin_passages(
    mesh: &Mesh,
    is_fluid: &[bool],
    open_patches: &[usize],
    fatal_fraction: f64,
) -> Vec<Finding> {
    let n_points = mesh.points.len();
    let mut open = vec![false; mesh.n_patches()];
    for &p in open_patches {
        open[p] = true;
    }
    // wall faces of the coolant, each with its normal pointing into the coolant
    let mut wall_faces: Vec<(usize, Vec3)> = Vec::new();
    for f in 0..mesh.n_faces() {
        let (n, _) = mesh.face_normal(f);
        if f < mesh.n_internal_faces {
            let (o, nb) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
            if is_fluid[o] != is_fluid[nb] {
                // the normal points from owner to neighbour: into the coolant when the owner is solid
                wall_faces.push((f, if is_fluid[nb] { n } else { scale(n, -1.0) }));
            }
        } else if is_fluid[mesh.owner[f] as usize] && !open[mesh.patch_of_face(f)] {
            wall_faces.push((f, scale(n, -1.0)));
        }
    }
    // wall faces at each point (CSR)
    let mut start = vec![0usize; n_points + 1];
    for &(f, _) in &wall_faces {
        for &v in mesh.face(f) {
            start[v as usize + 1] += 1;
        }
    }
    for i in 0..n_points {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    let mut at_point = vec![0u32; start[n_points]];
    for (k, &(f, _)) in wall_faces.iter().enumerate() {
        for &v in mesh.face(f) {
            at_point[next[v as usize]] = k as u32;
            next[v as usize] += 1;
        }
    }
    let (cf_start, cf) = cell_faces(mesh);
    let cos_facing = -0.5;
    let mut by_region: HashMap<u32, Vec<(usize, f64)>> = HashMap::new();
    let mut region_cells = vec![0usize; mesh.region_names.len()];
    for c in 0..mesh.n_cells() {
        if !is_fluid[c] {
            continue;
        }
        region_cells[mesh.cell_region[c] as usize] += 1;
        let faces = &cf[cf_start[c] as usize..cf_start[c + 1] as usize];
        let mut vertices: Vec<u32> = faces
            .iter()
            .flat_map(|&f| mesh.face(f as usize).iter().copied())
            .collect();
        vertices.sort_unstable();
        vertices.dedup();
        if vertices
            .iter()
            .any(|&v| start[v as usize] == start[v as usize + 1])
        {
            continue; // a vertex inside the coolant: the cell does not span the passage
        }
        // the walls touched by the cell; a facing pair means it spans the passage
        let touched: Vec<u32> = {
            let mut t: Vec<u32> = vertices
                .iter()
                .flat_map(|&v| {
                    at_point[start[v as usize]..start[v as usize + 1]]
                        .iter()
                        .copied()
                })
                .collect();
            t.sort_unstable();
            t.dedup();
            t
        };
        let mut thickness = f64::INFINITY;
        for (i, &a) in touched.iter().enumerate() {
            let (fa, na) = wall_faces[a as usize];
            for &b in &touched[i + 1..] {
                let (fb, nb) = wall_faces[b as usize];
                if dot(na, nb) < cos_facing {
                    let gap = dot(sub(mesh.face_centre[fb], mesh.face_centre[fa]), na).abs();
                    thickness = thickness.min(gap);
                }
            }
        }
        if thickness.is_finite() {
            by_region
                .entry(mesh.cell_region[c])
                .or_default()
                .push((c, thickness));
        }
    }
    let mut regions: Vec<u32> = by_region.keys().copied().collect();
    regions.sort_unstable();
    regions
        .into_iter()
        .map(|r| {
            let mut cells = by_region.remove(&r).unwrap_or_default();
            cells.sort_by(|a, b| a.1.total_cmp(&b.1));
            let name = mesh.region_names[r as usize].clone();
            let fraction = cells.len() as f64 / region_cells[r as usize].max(1) as f64;
            let thinnest = cells[0].1;
            let size = mesh.cell_volume[cells[0].0].cbrt();
            let zero = thinnest < 1e-3 * size;
            let positions: Vec<Vec3> = cells
                .iter()
                .take(EXAMPLES)
                .map(|&(c, _)| mesh.cell_centre[c])
                .collect();
            let fatal = zero || fraction >= fatal_fraction;
            let what = if zero {
                format!("a passage of zero thickness ({} m)", sci(thinnest))
            } else {
                format!("passages one cell thick (thinnest {} m)", sci(thinnest))
            };
            Finding {
                kind: CheckKind::ThinPassage,
                fatal,
                message: format!(
                    "fluid region '{name}' has {what}: {} coolant cells ({:.1} % of the region) span from wall to wall with no vertex inside the passage; e.g. at {}. \
                     Mesh the coolant with at least two cells across its passages (a smaller size there, or prism layers), or remove gaps the geometry does not mean to have",
                    cells.len(),
                    100.0 * fraction,
                    fmt_positions(&positions)
                ),
                regions: vec![name],
                patch: None,
                count: cells.len(),
                area_m2: 0.0,
                positions,
                worst: Some(thinnest),
            }
        })
        .collect()
}

/// A boundary face flattened into its own plane for overlap tests.
struct FlatFace {
    face: usize,
    region: u32,
    normal: Vec3,
    centre: Vec3,
    lo: Vec3,
    hi: Vec3,
}

/// Area of the intersection of two convex polygons given in 2D (Sutherland–Hodgman clipping).
fn convex_overlap(subject: &[[f64; 2]], clip: &[[f64; 2]]) -> f64 {
    let orient = |p: &[[f64; 2]]| -> f64 { signed_area(p).signum() };
    let s_clip = orient(clip);
    let mut out: Vec<[f64; 2]> = subject.to_vec();
    for i in 0..clip.len() {
        if out.is_empty() {
            return 0.0;
        }
        let a = clip[i];
        let b = clip[(i + 1) % clip.len()];
        let side =
            |p: [f64; 2]| s_clip * ((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]));
        let input = std::mem::take(&mut out);
        for j in 0..input.len() {
            let p = input[j];
            let q = input[(j + 1) % input.len()];
            let (sp, sq) = (side(p), side(q));
            if sp >= 0.0 {
                out.push(p);
            }
            if (sp >= 0.0) != (sq >= 0.0) {
                let t = sp / (sp - sq);
                out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
            }
        }
    }
    signed_area(&out).abs()
}

fn signed_area(p: &[[f64; 2]]) -> f64 {
    let mut s = 0.0;
    for i in 0..p.len() {
        let (a, b) = (p[i], p[(i + 1) % p.len()]);
        s += a[0] * b[1] - a[1] * b[0];
    }
    0.5 * s
}

/// Boundary faces (any patch, including untagged) of one region that lie on boundary faces of
/// another region, or of the same region, with opposite normals and overlapping area, without
/// being one shared face: volumes meshed separately (no `fragment`), which the solver sees as
/// two walls with nothing between them. One finding per pair of regions, with the overlapping
/// area; overlaps below `1e-9` of the pair's boundary area are round-off and ignored.
pub fn non_conforming_interfaces(mesh: &Mesh) -> Vec<Finding> {
    let nb = mesh.n_faces() - mesh.n_internal_faces;
    if nb == 0 {
        return Vec::new();
    }
    let mut faces: Vec<FlatFace> = Vec::with_capacity(nb);
    let mut mean_size = 0.0;
    for f in mesh.n_internal_faces..mesh.n_faces() {
        let (normal, area) = mesh.face_normal(f);
        let mut lo = [f64::INFINITY; 3];
        let mut hi = [f64::NEG_INFINITY; 3];
        for &v in mesh.face(f) {
            let p = mesh.points[v as usize];
            for k in 0..3 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        mean_size += area.sqrt();
        faces.push(FlatFace {
            face: f,
            region: mesh.cell_region[mesh.owner[f] as usize],
            normal,
            centre: mesh.face_centre[f],
            lo,
            hi,
        });
    }
    mean_size /= nb as f64;
    // bucket faces by their bounding boxes on a grid of twice the mean face size
    let cell = 2.0 * mean_size;
    let key = |x: f64| (x / cell).floor() as i64;
    let mut grid: HashMap<[i64; 3], Vec<u32>> = HashMap::new();
    for (i, ff) in faces.iter().enumerate() {
        let (a, b) = (
            [key(ff.lo[0]), key(ff.lo[1]), key(ff.lo[2])],
            [key(ff.hi[0]), key(ff.hi[1]), key(ff.hi[2])],
        );
        // a face larger than 64 buckets a side goes in its centre's bucket only; its partners are
        // found from their side, whose boxes overlap the centre's neighbourhood
        let spread = (0..3).map(|k| b[k] - a[k]).max().unwrap_or(0);
        if spread > 64 {
            let c = [key(ff.centre[0]), key(ff.centre[1]), key(ff.centre[2])];
            grid.entry(c).or_default().push(i as u32);
            continue;
        }
        for x in a[0]..=b[0] {
            for y in a[1]..=b[1] {
                for z in a[2]..=b[2] {
                    grid.entry([x, y, z]).or_default().push(i as u32);
                }
            }
        }
    }
    let mut pairs: HashMap<(u32, u32), (f64, usize, Vec<Vec3>)> = HashMap::new();
    let mut tested: std::collections::HashSet<(u32, u32)> = std::collections::HashSet::new();
    // buckets in the order of their keys, not the map's (random per process): the areas are
    // summed and the examples picked in that order, so a report is the same in every run
    let mut buckets: Vec<([i64; 3], Vec<u32>)> = grid.into_iter().collect();
    buckets.sort_unstable_by_key(|b| b.0);
    for (_, bucket) in &buckets {
        for (k, &i) in bucket.iter().enumerate() {
            for &j in &bucket[k + 1..] {
                let (a, b) = (&faces[i as usize], &faces[j as usize]);
                if dot(a.normal, b.normal) > -0.999 {
                    continue;
                }
                if (0..3).any(|d| a.lo[d] > b.hi[d] || b.lo[d] > a.hi[d]) {
                    continue;
                }
                let size = norm(sub(a.hi, a.lo)).max(norm(sub(b.hi, b.lo)));
                if dot(sub(b.centre, a.centre), a.normal).abs() > 1e-6 * size {
                    continue;
                }
                if !tested.insert((i.min(j), i.max(j))) {
                    continue;
                }
                let area = overlap_area(mesh, a, b);
                if area > 0.0 {
                    let key = (a.region.min(b.region), a.region.max(b.region));
                    let e = pairs.entry(key).or_insert((0.0, 0, Vec::new()));
                    e.0 += area;
                    e.1 += 1;
                    if e.2.len() < EXAMPLES {
                        e.2.push(a.centre);
                    }
                }
            }
        }
    }
    let boundary_area: f64 = faces.iter().map(|f| norm(mesh.face_area[f.face])).sum();
    let mut keys: Vec<(u32, u32)> = pairs.keys().copied().collect();
    keys.sort_unstable();
    keys.into_iter()
        .filter_map(|k| {
            let (area, count, positions) = pairs.remove(&k)?;
            if area < 1e-9 * boundary_area {
                return None;
            }
            let (a, b) = (
                mesh.region_names[k.0 as usize].clone(),
                mesh.region_names[k.1 as usize].clone(),
            );
            let between = if k.0 == k.1 {
                format!("region '{a}' touches itself")
            } else {
                format!("regions '{a}' and '{b}' touch")
            };
            Some(Finding {
                kind: CheckKind::NonConformingInterface,
                fatal: true,
                message: format!(
                    "{between} over {} m² ({count} face pairs) without sharing mesh faces: the solver sees two walls with nothing between them, so no heat or coolant crosses; e.g. at {}. \
                     The volumes were meshed separately: in Gmsh, gmsh.model.occ.fragment all volumes before meshing (Coherence in .geo files) so touching volumes share faces",
                    sci(area),
                    fmt_positions(&positions)
                ),
                regions: vec![a, b],
                patch: None,
                count,
                area_m2: area,
                positions,
                worst: None,
            })
        })
        .collect()
}

fn overlap_area(mesh: &Mesh, a: &FlatFace, b: &FlatFace) -> f64 {
    // a 2D frame in a's plane
    let n = a.normal;
    let helper = if n[0].abs() < 0.9 {
        [1.0, 0.0, 0.0]
    } else {
        [0.0, 1.0, 0.0]
    };
    let u = cross(n, helper);
    let u = scale(u, 1.0 / norm(u));
    let v = cross(n, u);
    let flat = |f: usize| -> Vec<[f64; 2]> {
        mesh.face(f)
            .iter()
            .map(|&p| {
                let d = sub(mesh.points[p as usize], a.centre);
                [dot(d, u), dot(d, v)]
            })
            .collect()
    };
    let (pa, pb) = (flat(a.face), flat(b.face));
    // faces are triangles or (nearly planar) convex quadrilaterals; clip triangle fans so a
    // slightly non-convex polygon still gives its area
    let fan = |p: &[[f64; 2]]| -> Vec<[[f64; 2]; 3]> {
        (1..p.len().saturating_sub(1))
            .map(|k| [p[0], p[k], p[k + 1]])
            .collect()
    };
    let mut area = 0.0;
    for ta in fan(&pa) {
        for tb in fan(&pb) {
            area += convex_overlap(&ta, &tb);
        }
    }
    area
}

/// Limits of [`hopeless_cells`].
#[derive(Debug, Clone, Copy)]
pub struct QualityLimits {
    /// Non-orthogonality at or above which a face makes its cells hopeless, degrees.
    pub max_non_orthogonality_deg: f64,
    /// Relative volume below which a cell is a sliver: `V / (A^1.5)` over the regular
    /// tetrahedron's value (1 for a regular tetrahedron, 1.32 for a cube).
    pub min_relative_volume: f64,
}

impl Default for QualityLimits {
    /// 88°: the explicit non-orthogonal correction of a face grows as tan θ relative to its
    /// orthogonal part (2.7 at 70°, 11 at 85°, 29 at 88°); past about 85° the deferred
    /// correction's gain exceeds what under-relaxation can tame. A relative volume of 1e-3 is a
    /// tetrahedron whose height is about a thousandth of its edges: its centroid sits on its
    /// base, and its faces' non-orthogonality is arbitrary.
    fn default() -> Self {
        QualityLimits {
            max_non_orthogonality_deg: 88.0,
            min_relative_volume: 1e-3,
        }
    }
}

/// A fluid region in which at least this fraction of the cells spans its passages wall to wall
/// makes [`thin_passages`] fatal in a solve: a few thin gaps are a local inaccuracy, but when a
/// quarter of the coolant has no vertex inside its passages the velocity profile is not resolved
/// over the plate (the serpentine plate meshed at its channel depth: 33 %; at 1.7 cells across:
/// 19 %; at 2.5 cells across: none).
pub const THIN_PASSAGE_FATAL_FRACTION: f64 = 0.25;

/// Everything [`Checks::run`] checks a mesh for: which regions are coolant, which patches are
/// inlets and outlets, and the limits.
#[derive(Debug, Clone)]
pub struct Checks {
    /// Region indices of the coolant (no coolant: the mesh-only checks).
    pub fluid_regions: Vec<usize>,
    /// Patch indices of the inlets.
    pub inlets: Vec<usize>,
    /// Patch indices of the outlets.
    pub outlets: Vec<usize>,
    /// Limits of [`hopeless_cells`].
    pub limits: QualityLimits,
    /// Fraction of a fluid region spanning its passages from which [`thin_passages`] is fatal.
    pub thin_passage_fatal_fraction: f64,
}

impl Default for Checks {
    fn default() -> Self {
        Checks {
            fluid_regions: Vec::new(),
            inlets: Vec::new(),
            outlets: Vec::new(),
            limits: QualityLimits::default(),
            thin_passage_fatal_fraction: THIN_PASSAGE_FATAL_FRACTION,
        }
    }
}

impl Checks {
    /// Every check, every finding (fatal or not): non-conforming interfaces, degenerate cells
    /// and, with coolant, thin passages, inlet faces on solid cells, coolant cut off from the
    /// outlets.
    pub fn run(&self, mesh: &Mesh) -> Vec<Finding> {
        let mut out = non_conforming_interfaces(mesh);
        out.extend(hopeless_cells(mesh, self.limits));
        if self.fluid_regions.is_empty() {
            return out;
        }
        let is_fluid: Vec<bool> = mesh
            .cell_region
            .iter()
            .map(|r| self.fluid_regions.contains(&(*r as usize)))
            .collect();
        let open: Vec<usize> = self.inlets.iter().chain(&self.outlets).copied().collect();
        out.extend(thin_passages(
            mesh,
            &is_fluid,
            &open,
            self.thin_passage_fatal_fraction,
        ));
        for &p in &self.inlets {
            out.extend(patch_on_solid(mesh, &is_fluid, p));
        }
        out.extend(outlet_unreachable(mesh, &is_fluid, &self.outlets));
        out
    }
}

/// `V / A^1.5` of a regular tetrahedron (A the total face area).
const REGULAR_TET_RELATIVE: f64 = 0.051_700_269;

/// Cells no solver setting converges on, by region: faces with non-orthogonality at or above the
/// limit (the line between the cell centres nearly in the face's plane, or crossing it the wrong
/// way), and slivers (nearly zero volume for their surface). Reports count, worst value and
/// positions of the worst cells, and what to change in Gmsh.
pub fn hopeless_cells(mesh: &Mesh, limits: QualityLimits) -> Vec<Finding> {
    let n = mesh.n_cells();
    let cos_limit = limits.max_non_orthogonality_deg.to_radians().cos();
    let mut angle = vec![0.0f64; n];
    for f in 0..mesh.n_internal_faces {
        let (p, q) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
        let d = sub(mesh.cell_centre[q], mesh.cell_centre[p]);
        let s = mesh.face_area[f];
        let c = dot(d, s) / (norm(d) * norm(s));
        if c < cos_limit {
            let deg = c.clamp(-1.0, 1.0).acos().to_degrees();
            angle[p] = angle[p].max(deg);
            angle[q] = angle[q].max(deg);
        }
    }
    for f in mesh.n_internal_faces..mesh.n_faces() {
        let p = mesh.owner[f] as usize;
        let d = sub(mesh.face_centre[f], mesh.cell_centre[p]);
        let s = mesh.face_area[f];
        let c = dot(d, s) / (norm(d) * norm(s));
        if c < cos_limit {
            angle[p] = angle[p].max(c.clamp(-1.0, 1.0).acos().to_degrees());
        }
    }
    let mut surface = vec![0.0f64; n];
    for f in 0..mesh.n_faces() {
        let a = norm(mesh.face_area[f]);
        surface[mesh.owner[f] as usize] += a;
        if f < mesh.n_internal_faces {
            surface[mesh.neighbour[f] as usize] += a;
        }
    }
    // per region: (cells, worst angle, smallest relative volume, cells with their badness)
    let mut by_region: HashMap<u32, Vec<(usize, f64, f64)>> = HashMap::new();
    for c in 0..n {
        let relative = mesh.cell_volume[c] / surface[c].powf(1.5) / REGULAR_TET_RELATIVE;
        if angle[c] > 0.0 || relative < limits.min_relative_volume {
            by_region
                .entry(mesh.cell_region[c])
                .or_default()
                .push((c, angle[c], relative));
        }
    }
    let mut regions: Vec<u32> = by_region.keys().copied().collect();
    regions.sort_unstable();
    regions
        .into_iter()
        .map(|r| {
            let mut cells = by_region.remove(&r).unwrap_or_default();
            // worst first: the largest angle, then the flattest
            cells.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.total_cmp(&b.2)));
            let name = mesh.region_names[r as usize].clone();
            let worst_angle = cells.iter().map(|c| c.1).fold(0.0, f64::max);
            let flattest = cells.iter().map(|c| c.2).fold(f64::INFINITY, f64::min);
            let slivers = cells.iter().filter(|c| c.2 < limits.min_relative_volume).count();
            let positions: Vec<Vec3> = cells
                .iter()
                .take(EXAMPLES)
                .map(|&(c, _, _)| mesh.cell_centre[c])
                .collect();
            let mut what = Vec::new();
            if worst_angle > 0.0 {
                what.push(format!(
                    "non-orthogonality up to {worst_angle:.1}° (limit {:.0}°)",
                    limits.max_non_orthogonality_deg
                ));
            }
            if slivers > 0 {
                what.push(format!(
                    "{slivers} slivers (volume down to {} of a regular cell's for its surface)",
                    sci(flattest)
                ));
            }
            Finding {
                kind: CheckKind::DegenerateCells,
                fatal: true,
                message: format!(
                    "region '{name}': {} cells of a quality no solver setting converges on: {}; worst at {}. \
                     Remesh: in Gmsh set Mesh.Optimize = 1 and Mesh.OptimizeNetgen = 1, use a smaller size near the region's interfaces \
                     (Mesh.MeshSizeMax or a size field), and look for sliver faces or tiny gaps in the geometry there",
                    cells.len(),
                    what.join(" and "),
                    fmt_positions(&positions)
                ),
                regions: vec![name],
                patch: None,
                count: cells.len(),
                area_m2: 0.0,
                positions,
                worst: Some(if worst_angle > 0.0 { worst_angle } else { flattest }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_of_two_squares_and_of_disjoint_ones() {
        let a = [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]];
        let b = [[1.0, 1.0], [3.0, 1.0], [3.0, 3.0], [1.0, 3.0]];
        assert!((convex_overlap(&a, &b) - 1.0).abs() < 1e-12);
        // clockwise clip polygon: same answer
        let b_cw = [[1.0, 1.0], [1.0, 3.0], [3.0, 3.0], [3.0, 1.0]];
        assert!((convex_overlap(&a, &b_cw) - 1.0).abs() < 1e-12);
        let far = [[5.0, 5.0], [6.0, 5.0], [6.0, 6.0]];
        assert_eq!(convex_overlap(&a, &far), 0.0);
    }

    #[test]
    fn scientific_notation_as_python_prints_it() {
        assert_eq!(sci(8e-6), "8.000e-06");
        assert_eq!(sci(1234.5), "1.234e+03");
        assert_eq!(sci(0.0), "0.000e+00");
    }
}
