//! A bounding-volume hierarchy over triangles for nearest-hit ray casting.
//!
//! Built by recursive object-median splits along the widest extent of the triangle centroids
//! (O(n log n), balanced: depth ⌈log₂(n/4)⌉); leaves hold up to four triangles. Traversal is
//! stack-based, nearer child first, with the slab test for boxes and the Möller–Trumbore test
//! for triangles (T. Möller, B. Trumbore, "Fast, minimum storage ray-triangle intersection",
//! J. Graphics Tools 2(1), 1997), edges inclusive so that a ray through a shared edge does not
//! slip between two triangles.

use super::surface::{cross, dot, sub, Surfaces};
use crate::mesh::Vec3;

const LEAF_SIZE: usize = 4;

#[derive(Debug, Clone, Copy)]
struct Node {
    lo: Vec3,
    hi: Vec3,
    /// Leaves: first triangle; internal nodes: index of the right child (the left one follows).
    index: u32,
    /// Leaves: number of triangles; internal nodes: 0.
    count: u32,
}

#[derive(Debug, Clone, Copy)]
struct Triangle {
    v0: Vec3,
    e1: Vec3,
    e2: Vec3,
    face: u32,
}

/// Triangles of a set of faces in a bounding-volume hierarchy.
#[derive(Debug, Clone)]
pub struct Bvh {
    nodes: Vec<Node>,
    triangles: Vec<Triangle>,
}

impl Bvh {
    /// The hierarchy of the fan triangles of every face of `s`.
    pub fn new(s: &Surfaces) -> Bvh {
        let mut triangles = Vec::with_capacity(s.vertices.len().saturating_sub(2 * s.len()));
        for k in 0..s.len() {
            for [a, b, c] in s.triangles(k) {
                triangles.push(Triangle {
                    v0: a,
                    e1: sub(b, a),
                    e2: sub(c, a),
                    face: k as u32,
                });
            }
        }
        let centroid = |t: &Triangle| -> Vec3 {
            [
                t.v0[0] + (t.e1[0] + t.e2[0]) / 3.0,
                t.v0[1] + (t.e1[1] + t.e2[1]) / 3.0,
                t.v0[2] + (t.e1[2] + t.e2[2]) / 3.0,
            ]
        };
        let mut nodes = Vec::with_capacity(2 * triangles.len() / LEAF_SIZE + 1);
        if !triangles.is_empty() {
            build(&mut nodes, &mut triangles[..], 0, &centroid);
        }
        Bvh { nodes, triangles }
    }

    /// Approximate heap memory, bytes.
    pub fn memory_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.triangles.capacity() * std::mem::size_of::<Triangle>()
    }

    /// The nearest triangle hit by the ray `origin + t dir` with `t > t_min`, ignoring the
    /// triangles of face `skip`: `(face, t)`.
    pub fn nearest(&self, origin: Vec3, dir: Vec3, t_min: f64, skip: u32) -> Option<(u32, f64)> {
        if self.nodes.is_empty() {
            return None;
        }
        let inv = [1.0 / dir[0], 1.0 / dir[1], 1.0 / dir[2]];
        let mut best_t = f64::INFINITY;
        let mut best = None;
        let mut stack = [0u32; 96];
        let mut top = 1;
        stack[0] = 0;
        while top > 0 {
            top -= 1;
            let node = &self.nodes[stack[top] as usize];
            if node.count > 0 {
                let first = node.index as usize;
                for tri in &self.triangles[first..first + node.count as usize] {
                    if tri.face == skip {
                        continue;
                    }
                    if let Some(t) = intersect(tri, origin, dir) {
                        if t > t_min && t < best_t {
                            best_t = t;
                            best = Some(tri.face);
                        }
                    }
                }
                continue;
            }
            let left = stack[top] + 1;
            let right = node.index;
            let tl = self.box_entry(left, origin, inv, best_t);
            let tr = self.box_entry(right, origin, inv, best_t);
            match (tl, tr) {
                (Some(a), Some(b)) => {
                    // push the farther first so the nearer is visited first
                    let (near, far) = if a <= b { (left, right) } else { (right, left) };
                    stack[top] = far;
                    stack[top + 1] = near;
                    top += 2;
                }
                (Some(_), None) => {
                    stack[top] = left;
                    top += 1;
                }
                (None, Some(_)) => {
                    stack[top] = right;
                    top += 1;
                }
                (None, None) => {}
            }
        }
        best.map(|f| (f, best_t))
    }

    /// Entry distance of the ray into node `n`'s box, if it enters before `t_max`.
    #[inline]
    fn box_entry(&self, n: u32, o: Vec3, inv: Vec3, t_max: f64) -> Option<f64> {
        let b = &self.nodes[n as usize];
        let mut t0 = 0.0f64;
        let mut t1 = t_max;
        for d in 0..3 {
            let a = (b.lo[d] - o[d]) * inv[d];
            let c = (b.hi[d] - o[d]) * inv[d];
            // NaN (a zero direction component on a box face) is ignored by min/max
            let (near, far) = if a <= c { (a, c) } else { (c, a) };
            t0 = t0.max(near);
            t1 = t1.min(far);
        }
        (t0 <= t1).then_some(t0)
    }
}

#[inline]
fn intersect(tri: &Triangle, o: Vec3, d: Vec3) -> Option<f64> {
    let p = cross(d, tri.e2);
    let det = dot(tri.e1, p);
    if det == 0.0 {
        return None;
    }
    let inv = 1.0 / det;
    let s = sub(o, tri.v0);
    let u = dot(s, p) * inv;
    if !(0.0..=1.0).contains(&u) {
        return None;
    }
    let q = cross(s, tri.e1);
    let v = dot(d, q) * inv;
    if v < 0.0 || u + v > 1.0 {
        return None;
    }
    Some(dot(tri.e2, q) * inv)
}

fn build(
    nodes: &mut Vec<Node>,
    tris: &mut [Triangle],
    first: usize,
    centroid: &dyn Fn(&Triangle) -> Vec3,
) -> u32 {
    let mut lo = [f64::INFINITY; 3];
    let mut hi = [f64::NEG_INFINITY; 3];
    let mut clo = [f64::INFINITY; 3];
    let mut chi = [f64::NEG_INFINITY; 3];
    for t in tris.iter() {
        for v in [t.v0, add3(t.v0, t.e1), add3(t.v0, t.e2)] {
            for d in 0..3 {
                lo[d] = lo[d].min(v[d]);
                hi[d] = hi[d].max(v[d]);
            }
        }
        let c = centroid(t);
        for d in 0..3 {
            clo[d] = clo[d].min(c[d]);
            chi[d] = chi[d].max(c[d]);
        }
    }
    let me = nodes.len() as u32;
    nodes.push(Node {
        lo,
        hi,
        index: first as u32,
        count: tris.len() as u32,
    });
    if tris.len() <= LEAF_SIZE {
        return me;
    }
    let axis = (0..3)
        .max_by(|&a, &b| (chi[a] - clo[a]).total_cmp(&(chi[b] - clo[b])))
        .unwrap_or(0);
    let mid = tris.len() / 2;
    tris.select_nth_unstable_by(mid, |a, b| centroid(a)[axis].total_cmp(&centroid(b)[axis]));
    let (left, right) = tris.split_at_mut(mid);
    build(nodes, left, first, centroid);
    let r = build(nodes, right, first + mid, centroid);
    nodes[me as usize].index = r;
    nodes[me as usize].count = 0;
    me
}

fn add3(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radiation_bvh_nearest_hit_matches_brute_force() {
        // a stack of parallel unit squares at z = 1..=20, slightly shifted; rays from below
        let mut polys = Vec::new();
        for k in 0..20 {
            let (z, s) = ((k + 1) as f64, 0.05 * k as f64);
            polys.push(vec![
                [s, s, z],
                [1.0 + s, s, z],
                [1.0 + s, 1.0 + s, z],
                [s, 1.0 + s, z],
            ]);
        }
        let n = polys.len();
        let s = Surfaces::from_polygons(&polys, vec![0; n], vec!["p".into()]).unwrap();
        let bvh = Bvh::new(&s);
        let mut state = 12345u64;
        let mut rnd = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..2000 {
            let o = [rnd() * 2.0 - 0.5, rnd() * 2.0 - 0.5, 0.0];
            let d = [rnd() - 0.5, rnd() - 0.5, 1.0];
            let got = bvh.nearest(o, d, 1e-12, u32::MAX);
            // brute force over all triangles
            let mut best: Option<(u32, f64)> = None;
            for t in &bvh.triangles {
                if let Some(tt) = intersect(t, o, d) {
                    if tt > 1e-12 && best.is_none_or(|b| tt < b.1) {
                        best = Some((t.face, tt));
                    }
                }
            }
            assert_eq!(got.map(|g| g.0), best.map(|b| b.0));
        }
    }
}
