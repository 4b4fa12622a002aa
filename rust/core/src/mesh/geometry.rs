//! Small vector helpers and polygon geometry. Faces are split into triangles about their vertex
//! average, so warped quadrilaterals and general polygons get a consistent centre and area vector.

use super::Vec3;

#[inline]
pub fn sub(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
#[inline]
pub fn add(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}
#[inline]
pub fn scale(a: Vec3, s: f64) -> Vec3 {
    [a[0] * s, a[1] * s, a[2] * s]
}
#[inline]
pub fn dot(a: Vec3, b: Vec3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
#[inline]
pub fn cross(a: Vec3, b: Vec3) -> Vec3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
#[inline]
pub fn norm(a: Vec3) -> f64 {
    dot(a, a).sqrt()
}

/// Vertex average of a list of points.
pub fn average(points: &[Vec3], ids: &[u32]) -> Vec3 {
    let mut c = [0.0; 3];
    for &i in ids {
        c = add(c, points[i as usize]);
    }
    scale(c, 1.0 / ids.len() as f64)
}

/// Area vector (right-hand rule over the vertex order) and area-weighted centroid of a polygon.
pub fn polygon(points: &[Vec3], ids: &[u32]) -> (Vec3, Vec3) {
    if ids.len() == 3 {
        let (a, b, c) = (
            points[ids[0] as usize],
            points[ids[1] as usize],
            points[ids[2] as usize],
        );
        let s = scale(cross(sub(b, a), sub(c, a)), 0.5);
        return (s, scale(add(add(a, b), c), 1.0 / 3.0));
    }
    let m = average(points, ids);
    let mut s = [0.0; 3];
    let mut weighted = [0.0; 3];
    let mut total = 0.0;
    for k in 0..ids.len() {
        let a = points[ids[k] as usize];
        let b = points[ids[(k + 1) % ids.len()] as usize];
        let t = scale(cross(sub(a, m), sub(b, m)), 0.5);
        s = add(s, t);
        let c = scale(add(add(a, b), m), 1.0 / 3.0);
        // weight by the projection onto the face normal so warped faces stay consistent
        let w = norm(t);
        weighted = add(weighted, scale(c, w));
        total += w;
    }
    let centre = if total > 0.0 {
        scale(weighted, 1.0 / total)
    } else {
        m
    };
    (s, centre)
}

/// The smallest and largest signed volume of the pyramids from each of `apexes` to the fan
/// triangles of a face (about its vertex average, as [`polygon`] splits it); a volume is
/// positive when the face's vertex order points away from the apex. One pass over the face.
pub fn fan_volume_range<const N: usize>(
    points: &[Vec3],
    ids: &[u32],
    apexes: [Vec3; N],
) -> [(f64, f64); N] {
    let mut range = [(f64::INFINITY, f64::NEG_INFINITY); N];
    let mut visit = |normal: Vec3, base: Vec3| {
        for (r, apex) in range.iter_mut().zip(&apexes) {
            let v = dot(normal, sub(base, *apex)) / 6.0;
            r.0 = r.0.min(v);
            r.1 = r.1.max(v);
        }
    };
    if ids.len() == 3 {
        let (a, b, c) = (
            points[ids[0] as usize],
            points[ids[1] as usize],
            points[ids[2] as usize],
        );
        visit(cross(sub(b, a), sub(c, a)), a);
        return range;
    }
    let m = average(points, ids);
    for k in 0..ids.len() {
        let a = points[ids[k] as usize];
        let b = points[ids[(k + 1) % ids.len()] as usize];
        visit(cross(sub(a, m), sub(b, m)), m);
    }
    range
}
