//! Memory a mesh build and a solve will need, estimated before allocating, so that a case too
//! large for the machine is refused with a typed error instead of aborting the process when an
//! allocation fails. Figures are lower bounds measured on the bundled meshes (peak resident
//! memory added by each phase, one thread): a refusal means the work could not have fit.

use super::spec::Case;
use crate::mesh::Mesh;

/// Mesh build: faces, geometry and the cell–face tables per input connectivity entry …
const BUILD_BYTES_PER_CONNECTIVITY: f64 = 50.0;
/// … and per cell (measured 555–876 B per cell for reading and building together; 423 MB peak
/// for 1e6 hexahedra, 8e6 connectivity entries).
const BUILD_BYTES_PER_CELL: f64 = 100.0;
/// Energy solve per cell: matrix, multigrid hierarchy, gradients (measured 321 B).
const ENERGY_BYTES_PER_CELL: f64 = 250.0;
/// Flow solve per coolant cell: momentum and pressure systems, their hierarchy, face fluxes
/// (measured about 1.2 kB).
const FLOW_BYTES_PER_FLUID_CELL: f64 = 1000.0;

/// Bytes a mesh build from `n_cells` cells with `connectivity` vertex entries will need.
pub fn mesh_build_bytes(n_cells: usize, connectivity: usize) -> f64 {
    BUILD_BYTES_PER_CONNECTIVITY * connectivity as f64 + BUILD_BYTES_PER_CELL * n_cells as f64
}

/// Bytes a solve of `case` on `mesh` will need beyond the mesh itself.
pub fn solve_bytes(mesh: &Mesh, case: &Case) -> f64 {
    let fluid_regions: Vec<usize> = case
        .fluids
        .iter()
        .filter_map(|f| mesh.region_index(&f.region))
        .collect();
    let fluid_cells = mesh
        .cell_region
        .iter()
        .filter(|&&r| fluid_regions.contains(&(r as usize)))
        .count();
    ENERGY_BYTES_PER_CELL * mesh.n_cells() as f64 + FLOW_BYTES_PER_FLUID_CELL * fluid_cells as f64
}

/// `Err(Error::Resource)` when `needed` bytes exceed `available`; it lives in
/// [`crate::error`] so that lower layers (radiation's view factors) can use it.
pub use crate::error::check_memory as check;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_need_above_what_is_available_is_a_resource_error() {
        assert!(check("the solve", 2e9, Some(1e9)).is_err());
        assert!(check("the solve", 5e8, Some(1e9)).is_ok());
        assert!(check("the solve", 5e12, None).is_ok());
        let crate::Error::Resource {
            needed_mb,
            available_mb,
            ..
        } = check("the mesh build", 3e9, Some(2e9)).unwrap_err()
        else {
            panic!("not a resource error")
        };
        assert_eq!((needed_mb, available_mb), (3000.0, 2000.0));
        assert!(mesh_build_bytes(1_000_000, 8_000_000) > 423e6);
    }

    #[test]
    fn three_million_hexahedra_need_more_than_a_gigabyte_to_build() {
        assert!(mesh_build_bytes(3_000_000, 24_000_000) > 1e9);
    }
}
