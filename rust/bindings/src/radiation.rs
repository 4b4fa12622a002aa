//! View factors from Python: of a case's enclosures on a mesh, or of bare polygons (benchmarks,
//! checks). Thin: arrays checked and converted, the GIL released, the core called.

use crate::interrupt;
use crate::mesh::Mesh;
use numpy::{IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rackflow_core::case::Case;
use rackflow_core::radiation::view_factor::{estimate_memory_bytes, ViewFactors};
use rackflow_core::radiation::{
    view_factors, RadiationModel, RadiationParams, Surfaces, ViewFactorParams, Zones,
};

fn pool(threads: Option<usize>) -> PyResult<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            return Err(PyValueError::new_err("threads must be positive"));
        }
        b = b.num_threads(n);
    }
    b.build()
        .map_err(|e| PyValueError::new_err(format!("cannot start {threads:?} threads: {e}")))
}

fn factors_dict<'py>(
    py: Python<'py>,
    vf: ViewFactors,
    zones: &Zones,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("reciprocity_error", vf.reciprocity_error())?;
    d.set_item("row_sum_error", vf.row_sum_error())?;
    d.set_item("memory_bytes", vf.info.memory_bytes)?;
    d.set_item("rays", vf.info.rays)?;
    d.set_item("seconds", vf.info.seconds)?;
    d.set_item("raw_row_sum_error", vf.info.raw_row_sum_error)?;
    d.set_item("raw_reciprocity_error", vf.info.raw_reciprocity_error)?;
    d.set_item("scaling_iterations", vf.info.scaling_iterations)?;
    d.set_item("max_scaling", vf.info.max_scaling)?;
    d.set_item("escaped_fraction", vf.info.escaped_fraction.clone())?;
    d.set_item("back_fraction", vf.info.back_fraction.clone())?;
    d.set_item("key", vf.key.clone())?;
    d.set_item(
        "row_ptr",
        vf.row_ptr
            .iter()
            .map(|&p| p as i64)
            .collect::<Vec<_>>()
            .into_pyarray(py),
    )?;
    d.set_item("col", vf.col.into_pyarray(py))?;
    d.set_item("value", vf.value.into_pyarray(py))?;
    d.set_item("sink", vf.sink.into_pyarray(py))?;
    d.set_item("area", vf.area.into_pyarray(py))?;
    d.set_item("zone_of_face", zones.of_face.clone().into_pyarray(py))?;
    Ok(d)
}

/// View factors between polygons: `points` (n × 3, m), faces as `offsets` (k + 1) into
/// `connectivity`, `groups` (k, index into `group_names`; `None`: one group). Zones: one per face
/// unless `max_zone_faces` > 1 (agglomerated within groups, 30° feature angle). Returns a dict
/// of the sparse rows and diagnostics. Releases the GIL; Ctrl-C stops it.
#[pyfunction]
#[pyo3(signature = (points, offsets, connectivity, groups=None, group_names=None, rays_per_zone=None, max_zone_faces=None, closed=true, seed=None, threads=None))]
#[allow(clippy::too_many_arguments)]
pub fn view_factors_polygons<'py>(
    py: Python<'py>,
    points: PyReadonlyArray2<'py, f64>,
    offsets: PyReadonlyArray1<'py, i64>,
    connectivity: PyReadonlyArray1<'py, i64>,
    groups: Option<PyReadonlyArray1<'py, i64>>,
    group_names: Option<Vec<String>>,
    rays_per_zone: Option<usize>,
    max_zone_faces: Option<usize>,
    closed: bool,
    seed: Option<u64>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let shape = points.as_array().shape().to_vec();
    if shape.len() != 2 || shape[1] != 3 {
        return Err(PyValueError::new_err(format!(
            "points must have shape (n, 3), got {shape:?}"
        )));
    }
    let pts = points
        .as_slice()
        .map_err(|_| PyValueError::new_err("points must be C-contiguous"))?;
    let off = offsets
        .as_slice()
        .map_err(|_| PyValueError::new_err("offsets must be a contiguous int64 array"))?;
    let conn = connectivity
        .as_slice()
        .map_err(|_| PyValueError::new_err("connectivity must be a contiguous int64 array"))?;
    let n_points = shape[0];
    if off.is_empty() || off[0] != 0 || off.windows(2).any(|w| w[1] < w[0]) {
        return Err(PyValueError::new_err(
            "offsets must start at 0 and never decrease",
        ));
    }
    let n_faces = off.len() - 1;
    if off[n_faces] as usize != conn.len() {
        return Err(PyValueError::new_err(format!(
            "offsets end at {} but connectivity has {} entries",
            off[n_faces],
            conn.len()
        )));
    }
    if let Some(v) = conn.iter().find(|&&v| v < 0 || v as usize >= n_points) {
        return Err(PyValueError::new_err(format!(
            "connectivity refers to point {v}; there are {n_points} points"
        )));
    }
    let group: Vec<u32> = match &groups {
        None => vec![0; n_faces],
        Some(g) => {
            let g = g
                .as_slice()
                .map_err(|_| PyValueError::new_err("groups must be a contiguous int64 array"))?;
            if g.len() != n_faces || g.iter().any(|&x| x < 0 || x > i64::from(u32::MAX)) {
                return Err(PyValueError::new_err(format!(
                    "groups must hold one non-negative index per face ({n_faces})"
                )));
            }
            g.iter().map(|&x| x as u32).collect()
        }
    };
    let n_groups = group.iter().map(|&g| g as usize + 1).max().unwrap_or(1);
    let names =
        group_names.unwrap_or_else(|| (0..n_groups).map(|g| format!("group {g}")).collect());
    if names.len() < n_groups {
        return Err(PyValueError::new_err(format!(
            "{} group names for {n_groups} groups",
            names.len()
        )));
    }
    let polygons: Vec<Vec<[f64; 3]>> = (0..n_faces)
        .map(|k| {
            conn[off[k] as usize..off[k + 1] as usize]
                .iter()
                .map(|&v| {
                    let v = v as usize;
                    [pts[3 * v], pts[3 * v + 1], pts[3 * v + 2]]
                })
                .collect()
        })
        .collect();
    let mut params = ViewFactorParams {
        rays_per_zone,
        closed,
        ..Default::default()
    };
    if let Some(s) = seed {
        params.seed = s;
    }
    let pool = pool(threads)?;
    let (vf, zones) = interrupt::run(py, None, move |monitor| {
        pool.install(|| {
            let s = Surfaces::from_polygons(&polygons, group, names)?;
            drop(polygons);
            let zones = match max_zone_faces {
                Some(m) if m > 1 => Zones::agglomerate(&s, m, 30.0),
                _ => Zones::per_face(&s),
            };
            rackflow_core::error::check_memory(
                "the view factors",
                estimate_memory_bytes(&s, &zones, &params),
                crate::memory::available_bytes(),
            )?;
            let vf = view_factors(&s, &zones, &params, monitor)?;
            Ok((vf, zones))
        })
    })?;
    let d = factors_dict(py, vf, &zones)?;
    d.set_item("zones", zones.len())?;
    Ok(d)
}

/// The view factors of every enclosure of a case (JSON, the core's form) on `mesh`, loaded from
/// or saved to `cache_dir`: a list of dicts (patches, mesh faces, zones, sparse rows, diagnostics,
/// `from_cache`). Checks the case's radiation like the solver will. Releases the GIL.
#[pyfunction]
#[pyo3(signature = (mesh, case_json, cache_dir=None, threads=None))]
pub fn enclosure_view_factors<'py>(
    py: Python<'py>,
    mesh: &Mesh,
    case_json: &str,
    cache_dir: Option<std::path::PathBuf>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyList>> {
    let case: Case = serde_json::from_str(case_json).map_err(|e| {
        crate::errors::CaseError::new_err(format!("malformed case description: {e}"))
    })?;
    let inner = mesh.inner.clone();
    let params = RadiationParams {
        cache_dir,
        memory_limit_bytes: crate::memory::available_bytes(),
        ..Default::default()
    };
    let pool = pool(threads)?;
    let model = interrupt::run(py, None, move |monitor| {
        pool.install(|| RadiationModel::new(&inner, &case.radiation_spec(), &params, monitor))
    })?;
    let out = PyList::empty(py);
    for e in model.enclosures {
        let patches: Vec<String> = e
            .patches
            .iter()
            .map(|&p| mesh.inner.patch_names[p].clone())
            .collect();
        let faces: Vec<i64> = e.surfaces.mesh_face.iter().map(|&f| f as i64).collect();
        let areas = e.surfaces.area.clone();
        let d = factors_dict(py, e.view_factors, &e.zones)?;
        d.set_item("patches", patches)?;
        d.set_item("mesh_face", faces.into_pyarray(py))?;
        d.set_item("face_area", areas.into_pyarray(py))?;
        d.set_item("zones", e.zones.len())?;
        d.set_item("from_cache", e.from_cache)?;
        out.append(d)?;
    }
    Ok(out)
}
