//! Radiating faces and radiation zones.
//!
//! [`Surfaces`] holds planar polygonal faces (triangles, quads, any convex polygon) with their
//! centroid, area, unit normal and a fan triangulation for sampling and ray intersection. The
//! normal points to the side that radiates: for faces taken from a mesh's boundary patches
//! that is out of the meshed domain (a solid's surface facing an unmeshed cavity or space).
//! Every face belongs to a group (a patch); zones never mix groups, so one zone has one
//! emissivity.
//!
//! [`Zones`] groups faces into radiation zones, the unknowns of the radiosity system. One zone
//! per face is exact and fine up to some thousands of faces; above that
//! [`Zones::agglomerate`] merges neighbouring faces of one group whose normals stay within a
//! feature angle into zones of at most a given number of faces (recursive coordinate
//! bisection), the idea of OpenFOAM's `faceAgglomerate` (pairwise agglomeration with a
//! feature angle, `applications/utilities/preProcessing/faceAgglomerate`): view factors and
//! radiosities are computed between zones, every face keeps its own temperature and
//! emission and receives its zone's irradiation.

use crate::error::name_list;
use crate::mesh::{Mesh, Vec3};
use crate::{Error, Result};

pub(crate) fn sub(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
pub(crate) fn add(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}
pub(crate) fn scale(a: Vec3, s: f64) -> Vec3 {
    [a[0] * s, a[1] * s, a[2] * s]
}
pub(crate) fn dot(a: Vec3, b: Vec3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
pub(crate) fn cross(a: Vec3, b: Vec3) -> Vec3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
pub(crate) fn norm(a: Vec3) -> f64 {
    dot(a, a).sqrt()
}

/// Radiating faces: planar polygons with their geometry.
#[derive(Debug, Clone, Default)]
pub struct Surfaces {
    /// Polygon vertices, face after face: face `k` is `vertices[offsets[k]..offsets[k + 1]]`, m.
    pub vertices: Vec<Vec3>,
    /// See [`Surfaces::vertices`].
    pub offsets: Vec<usize>,
    /// Face centroids, m.
    pub centroid: Vec<Vec3>,
    /// Unit normals, pointing to the radiating side.
    pub normal: Vec<Vec3>,
    /// Face areas, m².
    pub area: Vec<f64>,
    /// Group (patch) of each face, an index into [`Surfaces::group_names`].
    pub group: Vec<u32>,
    /// Group names, for messages (patch names).
    pub group_names: Vec<String>,
    /// Mesh face index of each face, when the faces come from a mesh.
    pub mesh_face: Vec<usize>,
}

impl Surfaces {
    /// Number of faces.
    pub fn len(&self) -> usize {
        self.area.len()
    }

    /// Whether there are no faces.
    pub fn is_empty(&self) -> bool {
        self.area.is_empty()
    }

    /// Vertices of face `k`.
    pub fn face(&self, k: usize) -> &[Vec3] {
        &self.vertices[self.offsets[k]..self.offsets[k + 1]]
    }

    /// Faces from polygons (vertex lists, each ordered counter-clockwise seen from the radiating
    /// side) with the group of each and the group names. Errors name every degenerate face.
    pub fn from_polygons(
        polygons: &[Vec<Vec3>],
        group: Vec<u32>,
        group_names: Vec<String>,
    ) -> Result<Surfaces> {
        if group.len() != polygons.len() {
            return Err(Error::Case(format!(
                "radiation: {} faces but {} group indices",
                polygons.len(),
                group.len()
            )));
        }
        let mut s = Surfaces {
            offsets: vec![0],
            group_names,
            ..Default::default()
        };
        let mut bad: Vec<String> = Vec::new();
        for (k, poly) in polygons.iter().enumerate() {
            let g = group[k] as usize;
            if g >= s.group_names.len() {
                return Err(Error::Case(format!(
                    "radiation: face {k} has group {g}, but there are {} groups",
                    s.group_names.len()
                )));
            }
            match polygon_geometry(poly) {
                Some((c, n, a)) => {
                    s.vertices.extend_from_slice(poly);
                    s.offsets.push(s.vertices.len());
                    s.centroid.push(c);
                    s.normal.push(n);
                    s.area.push(a);
                    s.group.push(group[k]);
                }
                None => bad.push(format!("{k} (group '{}')", s.group_names[g])),
            }
        }
        if !bad.is_empty() {
            bad.truncate(10);
            return Err(Error::Mesh(format!(
                "radiation: degenerate faces (fewer than 3 vertices, zero area or non-finite coordinates): {}",
                bad.join(", ")
            )));
        }
        Ok(s)
    }

    /// The boundary faces of the given mesh patches (by index), radiating out of the domain.
    /// Refuses unknown patch indices and patches without boundary faces (a patch tagging only
    /// faces between cells lies inside the domain and cannot radiate).
    pub fn from_mesh_patches(mesh: &Mesh, patches: &[usize]) -> Result<Surfaces> {
        let mut problems = Vec::new();
        for &p in patches {
            if p >= mesh.n_patches() {
                problems.push(format!(
                    "radiation: patch index {p} out of range; the mesh has patches {}",
                    name_list(&mesh.patch_names)
                ));
            } else if mesh.patch_faces(p).is_empty() {
                problems.push(format!(
                    "radiation: patch '{}' has no boundary faces (it lies inside the domain); \
                     only boundary patches radiate",
                    mesh.patch_names[p]
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::Case(crate::error::problem_list(problems)));
        }
        let n: usize = patches.iter().map(|&p| mesh.patch_faces(p).len()).sum();
        let mut polygons = Vec::with_capacity(n);
        let mut group = Vec::with_capacity(n);
        let mut mesh_face = Vec::with_capacity(n);
        for (g, &p) in patches.iter().enumerate() {
            for f in mesh.patch_faces(p) {
                polygons.push(
                    mesh.face(f)
                        .iter()
                        .map(|&v| mesh.points[v as usize])
                        .collect::<Vec<_>>(),
                );
                group.push(g as u32);
                mesh_face.push(f);
            }
        }
        let names = patches
            .iter()
            .map(|&p| mesh.patch_names[p].clone())
            .collect();
        let mut s = Surfaces::from_polygons(&polygons, group, names)?;
        s.mesh_face = mesh_face;
        Ok(s)
    }

    /// The fan triangles `(a, b, c)` of face `k` (from its first vertex).
    pub fn triangles(&self, k: usize) -> impl Iterator<Item = [Vec3; 3]> + '_ {
        let v = self.face(k);
        (1..v.len() - 1).map(move |i| [v[0], v[i], v[i + 1]])
    }

    /// Length of the diagonal of the faces' bounding box, m.
    pub fn extent(&self) -> f64 {
        let mut lo = [f64::INFINITY; 3];
        let mut hi = [f64::NEG_INFINITY; 3];
        for v in &self.vertices {
            for d in 0..3 {
                lo[d] = lo[d].min(v[d]);
                hi[d] = hi[d].max(v[d]);
            }
        }
        if self.vertices.is_empty() {
            0.0
        } else {
            norm(sub(hi, lo))
        }
    }
}

/// Centroid, unit normal and area of a polygon (Newell's area vector, exact for planar
/// polygons; centroid as the area-weighted mean of the fan triangles' centroids).
fn polygon_geometry(poly: &[Vec3]) -> Option<(Vec3, Vec3, f64)> {
    if poly.len() < 3 || poly.iter().any(|v| v.iter().any(|x| !x.is_finite())) {
        return None;
    }
    let mut s = [0.0; 3];
    let mut c = [0.0; 3];
    let mut w = 0.0;
    for i in 1..poly.len() - 1 {
        let t = cross(sub(poly[i], poly[0]), sub(poly[i + 1], poly[0]));
        s = add(s, t);
        let a = norm(t);
        let centre = scale(add(add(poly[0], poly[i]), poly[i + 1]), 1.0 / 3.0);
        c = add(c, scale(centre, a));
        w += a;
    }
    let area2 = norm(s);
    if !(area2 > 0.0) || !(w > 0.0) {
        return None;
    }
    Some((scale(c, 1.0 / w), scale(s, 1.0 / area2), 0.5 * area2))
}

/// Radiation zones: groups of faces sharing one radiosity and irradiation.
#[derive(Debug, Clone, PartialEq)]
pub struct Zones {
    /// Zone of each face.
    pub of_face: Vec<u32>,
    /// Faces of zone `z` are `faces[start[z]..start[z + 1]]`.
    pub start: Vec<usize>,
    /// See [`Zones::start`].
    pub faces: Vec<u32>,
    /// Zone areas, m².
    pub area: Vec<f64>,
    /// Group (patch) of each zone.
    pub group: Vec<u32>,
}

impl Zones {
    /// Number of zones.
    pub fn len(&self) -> usize {
        self.area.len()
    }

    /// Whether there are no zones.
    pub fn is_empty(&self) -> bool {
        self.area.is_empty()
    }

    /// Faces of zone `z`.
    pub fn faces_of(&self, z: usize) -> &[u32] {
        &self.faces[self.start[z]..self.start[z + 1]]
    }

    /// One zone per face (exact; memory and work grow with the square of the face count).
    pub fn per_face(s: &Surfaces) -> Zones {
        let n = s.len();
        Zones {
            of_face: (0..n as u32).collect(),
            start: (0..=n).collect(),
            faces: (0..n as u32).collect(),
            area: s.area.clone(),
            group: s.group.clone(),
        }
    }

    /// Zones of at most `max_faces` faces of one group each, whose normals stay within
    /// `max_angle_deg` of their mean normal: recursive bisection of each group's faces, split
    /// at the median of the centroids along the widest extent, or, when the normals spread
    /// wider than the angle, at the median along the normals' widest spread.
    pub fn agglomerate(s: &Surfaces, max_faces: usize, max_angle_deg: f64) -> Zones {
        let max_faces = max_faces.max(1);
        let cos_limit = max_angle_deg.to_radians().cos();
        let mut lists: Vec<Vec<u32>> = Vec::new();
        let n_groups = s
            .group_names
            .len()
            .max(s.group.iter().map(|&g| g as usize + 1).max().unwrap_or(0));
        let mut by_group: Vec<Vec<u32>> = vec![Vec::new(); n_groups];
        for (k, &g) in s.group.iter().enumerate() {
            by_group[g as usize].push(k as u32);
        }
        let mut stack: Vec<Vec<u32>> = by_group.into_iter().filter(|l| !l.is_empty()).collect();
        stack.reverse();
        while let Some(mut list) = stack.pop() {
            let spread = normal_spread(s, &list);
            let wide = spread < cos_limit;
            if list.len() <= max_faces && !wide {
                lists.push(list);
                continue;
            }
            if list.len() == 1 {
                lists.push(list);
                continue;
            }
            let key: Box<dyn Fn(u32) -> Vec3> = if wide {
                Box::new(|k| s.normal[k as usize])
            } else {
                Box::new(|k| s.centroid[k as usize])
            };
            let mut lo = [f64::INFINITY; 3];
            let mut hi = [f64::NEG_INFINITY; 3];
            for &k in &list {
                let p = key(k);
                for d in 0..3 {
                    lo[d] = lo[d].min(p[d]);
                    hi[d] = hi[d].max(p[d]);
                }
            }
            let axis = (0..3)
                .max_by(|&a, &b| (hi[a] - lo[a]).total_cmp(&(hi[b] - lo[b])))
                .unwrap_or(0);
            let mid = list.len() / 2;
            list.select_nth_unstable_by(mid, |&a, &b| key(a)[axis].total_cmp(&key(b)[axis]));
            let right = list.split_off(mid);
            // depth first, left part first: zones of one region stay close in numbering
            stack.push(right);
            stack.push(list);
        }
        let mut of_face = vec![0u32; s.len()];
        let mut start = vec![0usize];
        let mut faces = Vec::with_capacity(s.len());
        let mut area = Vec::with_capacity(lists.len());
        let mut group = Vec::with_capacity(lists.len());
        for (z, mut list) in lists.into_iter().enumerate() {
            list.sort_unstable();
            area.push(list.iter().map(|&k| s.area[k as usize]).sum());
            group.push(s.group[list[0] as usize]);
            for &k in &list {
                of_face[k as usize] = z as u32;
            }
            faces.extend_from_slice(&list);
            start.push(faces.len());
        }
        Zones {
            of_face,
            start,
            faces,
            area,
            group,
        }
    }
}

/// The smallest cosine between a face normal and the faces' area-weighted mean normal.
fn normal_spread(s: &Surfaces, list: &[u32]) -> f64 {
    let mut m = [0.0; 3];
    for &k in list {
        m = add(m, scale(s.normal[k as usize], s.area[k as usize]));
    }
    let l = norm(m);
    if !(l > 0.0) {
        return -1.0;
    }
    let m = scale(m, 1.0 / l);
    list.iter()
        .map(|&k| dot(s.normal[k as usize], m))
        .fold(1.0, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radiation_polygon_geometry_of_a_quad() {
        let quad = vec![
            [0.0, 0.0, 1.0],
            [2.0, 0.0, 1.0],
            [2.0, 1.0, 1.0],
            [0.0, 1.0, 1.0],
        ];
        let s = Surfaces::from_polygons(&[quad], vec![0], vec!["lid".into()]).unwrap();
        assert!((s.area[0] - 2.0).abs() < 1e-15);
        assert_eq!(s.normal[0], [0.0, 0.0, 1.0]);
        assert!((s.centroid[0][0] - 1.0).abs() < 1e-15 && (s.centroid[0][1] - 0.5).abs() < 1e-15);
        let bad = Surfaces::from_polygons(
            &[vec![[0.0; 3], [1.0, 0.0, 0.0], [2.0, 0.0, 0.0]]],
            vec![0],
            vec!["edge".into()],
        );
        let msg = bad.unwrap_err().to_string();
        assert!(
            msg.contains("degenerate") && msg.contains("'edge'"),
            "{msg}"
        );
    }

    #[test]
    fn radiation_agglomeration_keeps_groups_and_feature_angles() {
        // two groups: a 8×8 plate and a 4×4 plate at right angles
        let mut polys = Vec::new();
        let mut group = Vec::new();
        for i in 0..8 {
            for j in 0..8 {
                let (x, y) = (i as f64, j as f64);
                polys.push(vec![
                    [x, y, 0.0],
                    [x + 1.0, y, 0.0],
                    [x + 1.0, y + 1.0, 0.0],
                    [x, y + 1.0, 0.0],
                ]);
                group.push(0);
            }
        }
        for i in 0..4 {
            for j in 0..4 {
                let (x, z) = (i as f64, j as f64);
                polys.push(vec![
                    [x, 0.0, z],
                    [x, 0.0, z + 1.0],
                    [x + 1.0, 0.0, z + 1.0],
                    [x + 1.0, 0.0, z],
                ]);
                group.push(1);
            }
        }
        let s = Surfaces::from_polygons(&polys, group, vec!["a".into(), "b".into()]).unwrap();
        let z = Zones::agglomerate(&s, 8, 30.0);
        assert_eq!(z.len(), 8 + 2);
        for zone in 0..z.len() {
            let faces = z.faces_of(zone);
            assert!(faces.len() <= 8);
            assert!(faces.iter().all(|&k| s.group[k as usize] == z.group[zone]));
            let a: f64 = faces.iter().map(|&k| s.area[k as usize]).sum();
            assert_eq!(a, z.area[zone]);
        }
        let total: f64 = z.area.iter().sum();
        assert_eq!(total, 80.0);
    }
}
