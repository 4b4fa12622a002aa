//! Mesh construction from NumPy arrays and read-only views of the built mesh.

use crate::interrupt;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rackflow_core::mesh::{Mesh as CoreMesh, MeshInput};
use std::sync::Arc;

/// A built finite-volume mesh (faces matched, geometry computed, checks passed).
#[pyclass(frozen, module = "rackflow._core")]
pub struct Mesh {
    pub inner: Arc<CoreMesh>,
    /// The input index of each cell, when the build renumbered them for locality.
    input_cell: Option<Vec<u32>>,
}

fn contiguous<'a, T: numpy::Element>(
    a: &'a PyReadonlyArray1<'_, T>,
    name: &str,
) -> PyResult<&'a [T]> {
    a.as_slice()
        .map_err(|_| PyValueError::new_err(format!("{name} must be a contiguous 1D array")))
}

/// An index array from Python: int64 is borrowed as it is, int32 (what mesh files and meshio
/// hold, half the memory on the Python side) is widened for the build, which reads `i64`.
enum Indices<'py> {
    Wide(PyReadonlyArray1<'py, i64>),
    Narrow(Vec<i64>),
}

impl<'py> Indices<'py> {
    fn extract(a: &Bound<'py, PyAny>, name: &str) -> PyResult<Self> {
        if let Ok(wide) = a.extract::<PyReadonlyArray1<'py, i64>>() {
            return Ok(Indices::Wide(wide));
        }
        if let Ok(narrow) = a.extract::<PyReadonlyArray1<'py, i32>>() {
            let values = contiguous(&narrow, name)?;
            return Ok(Indices::Narrow(
                values.iter().map(|&v| i64::from(v)).collect(),
            ));
        }
        Err(PyValueError::new_err(format!(
            "{name} must be a 1D int32 or int64 array"
        )))
    }

    fn slice(&self, name: &str) -> PyResult<&[i64]> {
        match self {
            Indices::Wide(a) => contiguous(a, name),
            Indices::Narrow(v) => Ok(v),
        }
    }
}

fn vec3_array<'py>(py: Python<'py>, v: &[[f64; 3]]) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let flat: Vec<f64> = v.iter().flatten().copied().collect();
    flat.into_pyarray(py).reshape([v.len(), 3])
}

/// Build a mesh from flat arrays; see `rackflow.mesh` for their meaning. Releases the GIL.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn build_mesh(
    py: Python<'_>,
    points: PyReadonlyArray2<'_, f64>,
    cell_types: PyReadonlyArray1<'_, u8>,
    cell_offsets: &Bound<'_, PyAny>,
    cell_connectivity: &Bound<'_, PyAny>,
    cell_region: &Bound<'_, PyAny>,
    region_names: Vec<String>,
    patch_face_offsets: &Bound<'_, PyAny>,
    patch_face_connectivity: &Bound<'_, PyAny>,
    patch_face_patch: &Bound<'_, PyAny>,
    patch_names: Vec<String>,
) -> PyResult<Mesh> {
    let cell_offsets = Indices::extract(cell_offsets, "cell_offsets")?;
    let cell_connectivity = Indices::extract(cell_connectivity, "cell_connectivity")?;
    let cell_region = Indices::extract(cell_region, "cell_region")?;
    let patch_face_offsets = Indices::extract(patch_face_offsets, "patch_face_offsets")?;
    let patch_face_connectivity =
        Indices::extract(patch_face_connectivity, "patch_face_connectivity")?;
    let patch_face_patch = Indices::extract(patch_face_patch, "patch_face_patch")?;
    let shape = points.as_array().shape().to_vec();
    if shape[1] != 3 {
        return Err(PyValueError::new_err(format!(
            "points must have shape (n, 3), got {shape:?}"
        )));
    }
    let pts = points
        .as_slice()
        .map_err(|_| PyValueError::new_err("points must be C-contiguous"))?;
    let input = MeshInput {
        points: pts,
        cell_types: contiguous(&cell_types, "cell_types")?,
        cell_offsets: cell_offsets.slice("cell_offsets")?,
        cell_connectivity: cell_connectivity.slice("cell_connectivity")?,
        cell_region: cell_region.slice("cell_region")?,
        region_names: &region_names,
        patch_face_offsets: patch_face_offsets.slice("patch_face_offsets")?,
        patch_face_connectivity: patch_face_connectivity.slice("patch_face_connectivity")?,
        patch_face_patch: patch_face_patch.slice("patch_face_patch")?,
        patch_names: &patch_names,
    };
    rackflow_core::case::memory::check(
        "the mesh build",
        rackflow_core::case::memory::mesh_build_bytes(
            input.cell_types.len(),
            input.cell_connectivity.len(),
        ),
        crate::memory::available_bytes(),
    )
    .map_err(|e| crate::errors::to_py_err(py, e))?;
    let mesh = interrupt::run(py, None, |_| CoreMesh::build_local(&input));
    // the widened index copies, and whatever the reader freed, back to the operating system
    drop((cell_offsets, cell_connectivity, cell_region));
    drop((
        patch_face_offsets,
        patch_face_connectivity,
        patch_face_patch,
    ));
    rackflow_core::release_free_memory();
    let (mesh, input_cell) = mesh?;
    Ok(Mesh {
        inner: Arc::new(mesh),
        input_cell,
    })
}

#[pymethods]
impl Mesh {
    /// The input index of each cell (cell `i` of this mesh is cell `input_cell_order[i]` of the
    /// arrays it was built from), or `None` when the cells kept the input's order.
    #[getter]
    fn input_cell_order<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<u32>>> {
        self.input_cell
            .as_ref()
            .map(|order| PyArray1::from_slice(py, order))
    }
    /// Number of cells.
    #[getter]
    fn n_cells(&self) -> usize {
        self.inner.n_cells()
    }
    /// Number of faces.
    #[getter]
    fn n_faces(&self) -> usize {
        self.inner.n_faces()
    }
    /// Number of internal faces.
    #[getter]
    fn n_internal_faces(&self) -> usize {
        self.inner.n_internal_faces
    }
    /// Region names by index.
    #[getter]
    fn region_names(&self) -> Vec<String> {
        self.inner.region_names.clone()
    }
    /// Patch names by index (the last is `untagged` when some boundary faces carry no patch).
    #[getter]
    fn patch_names(&self) -> Vec<String> {
        self.inner.patch_names.clone()
    }
    /// Vertex coordinates, n × 3, m: a read-only view of the core's array (no copy; the view
    /// keeps this mesh alive), so Python need not hold a second copy of the points.
    #[getter]
    fn points<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let points = &slf.get().inner.points;
        let view = numpy::ndarray::ArrayView2::from_shape((points.len(), 3), points.as_flattened())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        // SAFETY: the data belongs to the Arc'd core mesh, which is never mutated after the
        // build and lives as long as `slf`, the array's base object; the array is read-only.
        let array = unsafe { PyArray2::borrow_from_array(&view, slf.clone().into_any()) };
        let flags = PyDict::new(slf.py());
        flags.set_item("write", false)?;
        array.call_method("setflags", (), Some(&flags))?;
        Ok(array)
    }
    /// Cell centroids, n × 3, m.
    #[getter]
    fn cell_centers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        vec3_array(py, &self.inner.cell_centre)
    }
    /// Cell volumes, m³.
    #[getter]
    fn cell_volumes<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.inner.cell_volume)
    }
    /// Region index of each cell.
    #[getter]
    fn cell_region<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
        PyArray1::from_slice(py, &self.inner.cell_region)
    }
    /// Region volumes, m³.
    fn region_volumes(&self) -> Vec<f64> {
        self.inner.region_volumes()
    }
    /// Patch areas, m².
    fn patch_areas(&self) -> Vec<f64> {
        self.inner.patch_areas()
    }
    /// Number of faces of each patch.
    fn patch_sizes(&self) -> Vec<usize> {
        (0..self.inner.n_patches())
            .map(|p| self.inner.patch_faces(p).len())
            .collect()
    }
    /// Face centres of a patch, k × 3, m.
    fn patch_face_centers<'py>(
        &self,
        py: Python<'py>,
        patch: usize,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        if patch >= self.inner.n_patches() {
            return Err(PyValueError::new_err(format!(
                "patch index {patch} out of range"
            )));
        }
        let r = self.inner.patch_faces(patch);
        vec3_array(py, &self.inner.face_centre[r])
    }
    /// Face areas of a patch, m² (in the order of `patch_face_range`).
    fn patch_face_areas<'py>(
        &self,
        py: Python<'py>,
        patch: usize,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        if patch >= self.inner.n_patches() {
            return Err(PyValueError::new_err(format!(
                "patch index {patch} out of range"
            )));
        }
        let areas: Vec<f64> = self.inner.face_area[self.inner.patch_faces(patch)]
            .iter()
            .map(|a| rackflow_core::mesh::norm(*a))
            .collect();
        Ok(PyArray1::from_vec(py, areas))
    }
    /// Global face indices `start..end` of a patch (index into face arrays such as mass fluxes).
    fn patch_face_range(&self, patch: usize) -> PyResult<(usize, usize)> {
        if patch >= self.inner.n_patches() {
            return Err(PyValueError::new_err(format!(
                "patch index {patch} out of range"
            )));
        }
        let r = self.inner.patch_faces(patch);
        Ok((r.start, r.end))
    }
    /// Owner cells of a patch's faces.
    fn patch_face_cells<'py>(
        &self,
        py: Python<'py>,
        patch: usize,
    ) -> PyResult<Bound<'py, PyArray1<u32>>> {
        if patch >= self.inner.n_patches() {
            return Err(PyValueError::new_err(format!(
                "patch index {patch} out of range"
            )));
        }
        let r = self.inner.patch_faces(patch);
        Ok(PyArray1::from_slice(py, &self.inner.owner[r]))
    }
    /// The walls of region `region` (`rackflow_core::mesh::wall_cells`): per wall face its label
    /// (patch index, or `n_patches + r` for an interface to region `r`), centre (k × 3), area,
    /// the region's cell on it, and that cell's height along the face's inward normal, m.
    #[allow(clippy::type_complexity)]
    fn wall_cells<'py>(
        &self,
        py: Python<'py>,
        region: usize,
    ) -> PyResult<(
        Bound<'py, PyArray1<u32>>,
        Bound<'py, PyArray2<f64>>,
        Bound<'py, PyArray1<f64>>,
        Bound<'py, PyArray1<u32>>,
        Bound<'py, PyArray1<f64>>,
    )> {
        if region >= self.inner.region_names.len() {
            return Err(PyValueError::new_err(format!(
                "region index {region} out of range"
            )));
        }
        let walls = rackflow_core::mesh::wall_cells::wall_cells(&self.inner, region as u32);
        let centres: Vec<[f64; 3]> = walls
            .iter()
            .map(|w| self.inner.face_centre[w.face])
            .collect();
        Ok((
            walls
                .iter()
                .map(|w| w.label)
                .collect::<Vec<_>>()
                .into_pyarray(py),
            vec3_array(py, &centres)?,
            walls
                .iter()
                .map(|w| rackflow_core::mesh::norm(self.inner.face_area[w.face]))
                .collect::<Vec<_>>()
                .into_pyarray(py),
            walls
                .iter()
                .map(|w| w.cell)
                .collect::<Vec<_>>()
                .into_pyarray(py),
            walls
                .iter()
                .map(|w| w.height)
                .collect::<Vec<_>>()
                .into_pyarray(py),
        ))
    }
    /// Pairs of regions that share faces, with the shared area, m².
    fn interfaces(&self) -> Vec<(String, String, f64)> {
        let mut out: Vec<(u32, u32, f64)> = Vec::new();
        for (f, a, b) in self.inner.interface_faces() {
            let area = rackflow_core::mesh::norm(self.inner.face_area[f]);
            match out.iter_mut().find(|e| e.0 == a && e.1 == b) {
                Some(e) => e.2 += area,
                None => out.push((a, b, area)),
            }
        }
        let names = &self.inner.region_names;
        out.into_iter()
            .map(|(a, b, s)| (names[a as usize].clone(), names[b as usize].clone(), s))
            .collect()
    }
    /// The pre-solve checks of `rackflow_core::mesh::checks` as a JSON list of findings.
    /// `fluid_regions`, `inlets` and `outlets` are region and patch indices; `limits` is
    /// (max non-orthogonality in degrees, min relative volume, thin-passage fatal fraction).
    fn checks(
        &self,
        py: Python<'_>,
        fluid_regions: Vec<usize>,
        inlets: Vec<usize>,
        outlets: Vec<usize>,
        limits: (f64, f64, f64),
    ) -> PyResult<String> {
        use rackflow_core::mesh::checks;
        let mesh = &*self.inner;
        let n_regions = mesh.region_names.len();
        if let Some(r) = fluid_regions.iter().find(|&&r| r >= n_regions) {
            return Err(PyValueError::new_err(format!(
                "fluid_regions: expecting region indices below {n_regions}, got {r}"
            )));
        }
        if let Some(p) = inlets
            .iter()
            .chain(&outlets)
            .find(|&&p| p >= mesh.n_patches())
        {
            return Err(PyValueError::new_err(format!(
                "inlets/outlets: expecting patch indices below {}, got {p}",
                mesh.n_patches()
            )));
        }
        let setup = checks::Checks {
            fluid_regions,
            inlets,
            outlets,
            limits: checks::QualityLimits {
                max_non_orthogonality_deg: limits.0,
                min_relative_volume: limits.1,
            },
            thin_passage_fatal_fraction: limits.2,
        };
        let found = py.detach(|| setup.run(mesh));
        serde_json::to_string(&found).map_err(|e| PyValueError::new_err(e.to_string()))
    }
    /// Quality measures (non-orthogonality, skewness, volume ratio) as a dict.
    fn quality<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let q = py.detach(|| self.inner.quality());
        let d = PyDict::new(py);
        d.set_item("max_non_orthogonality_deg", q.max_non_orthogonality_deg)?;
        d.set_item("mean_non_orthogonality_deg", q.mean_non_orthogonality_deg)?;
        d.set_item("max_skewness", q.max_skewness)?;
        d.set_item("max_volume_ratio", q.max_volume_ratio)?;
        d.set_item("min_volume_m3", q.min_volume_m3)?;
        d.set_item("max_volume_m3", q.max_volume_m3)?;
        Ok(d)
    }
}
