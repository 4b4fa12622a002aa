//! Mesh quality measures in OpenFOAM's sense (checkMesh), so users can compare numbers.

use super::geometry::{dot, norm, sub};
use super::Mesh;
use rayon::prelude::*;
use serde::Serialize;

/// Summary of mesh quality.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QualityReport {
    /// Largest angle between a face normal and the line joining the cell centres, degrees.
    pub max_non_orthogonality_deg: f64,
    /// Area-weighted mean of the same angle, degrees.
    pub mean_non_orthogonality_deg: f64,
    /// Largest skewness: distance from the face centre to where the centre-to-centre line crosses the face, over that line's length.
    pub max_skewness: f64,
    /// Largest volume ratio between neighbouring cells.
    pub max_volume_ratio: f64,
    /// Smallest and largest cell volume, m³.
    pub min_volume_m3: f64,
    /// Largest cell volume, m³.
    pub max_volume_m3: f64,
    /// Face with the largest non-orthogonality.
    pub worst_non_orthogonal_face: usize,
}

pub(super) fn report(mesh: &Mesh) -> QualityReport {
    let per_face: Vec<(f64, f64, f64, f64)> = (0..mesh.n_internal_faces)
        .into_par_iter()
        .map(|f| {
            let (p, n) = (mesh.owner[f] as usize, mesh.neighbour[f] as usize);
            let d = sub(mesh.cell_centre[n], mesh.cell_centre[p]);
            let s = mesh.face_area[f];
            let cos = (dot(d, s) / (norm(d) * norm(s))).clamp(-1.0, 1.0);
            let angle = cos.acos().to_degrees();
            // intersection of the centre line with the face plane
            let t = dot(sub(mesh.face_centre[f], mesh.cell_centre[p]), s) / dot(d, s);
            let x = [
                mesh.cell_centre[p][0] + t * d[0],
                mesh.cell_centre[p][1] + t * d[1],
                mesh.cell_centre[p][2] + t * d[2],
            ];
            let skew = norm(sub(mesh.face_centre[f], x)) / norm(d);
            let (vp, vn) = (mesh.cell_volume[p], mesh.cell_volume[n]);
            (angle, norm(s), skew, vp.max(vn) / vp.min(vn))
        })
        .collect();
    let mut worst = 0;
    let (mut max_no, mut sum_no, mut area, mut max_skew, mut max_ratio) =
        (0.0f64, 0.0, 0.0, 0.0f64, 1.0f64);
    for (f, &(angle, a, skew, ratio)) in per_face.iter().enumerate() {
        if angle > max_no {
            max_no = angle;
            worst = f;
        }
        sum_no += angle * a;
        area += a;
        max_skew = max_skew.max(skew);
        max_ratio = max_ratio.max(ratio);
    }
    let min_v = mesh
        .cell_volume
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let max_v = mesh.cell_volume.iter().copied().fold(0.0, f64::max);
    QualityReport {
        max_non_orthogonality_deg: max_no,
        mean_non_orthogonality_deg: if area > 0.0 { sum_no / area } else { 0.0 },
        max_skewness: max_skew,
        max_volume_ratio: max_ratio,
        min_volume_m3: min_v,
        max_volume_m3: max_v,
        worst_non_orthogonal_face: worst,
    }
}
