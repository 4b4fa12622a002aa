"""Type stubs of the compiled core (``rust/bindings``)."""

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

__version__: str

class RackflowError(Exception): ...
class MeshError(RackflowError): ...
class CaseError(RackflowError): ...
class MaterialError(CaseError): ...

class ConvergenceError(RackflowError):
    history: list[float]
    #: "diverged" | "stalled" | "max_iterations" | "non_physical"
    status: str
    #: "flow" | "energy" | "coupling" | "network"
    equation: str
    partial_fields: dict[str, npt.NDArray[np.float64]]
    #: set by ``rackflow``: a steady solve's last iterate (a Result with converged = False), a
    #: transient solve's completed steps (a TransientResult with partial = True), or None
    partial_result: Any
    #: a failed transient run's completed steps as the core returns a run (``solve_transient_case``)
    partial_run: dict[str, Any]
    #: where it failed, m: the worst cell's centre (diverged, non-physical), or None
    position_m: tuple[float, float, float] | None

class ResourceError(RackflowError, MemoryError):
    phase: str
    needed_mb: float
    available_mb: float

class LinearSolverError(ConvergenceError): ...
class NetworkError(CaseError): ...

class Mesh:
    @property
    def input_cell_order(self) -> npt.NDArray[np.uint32] | None:
        """Input index of each cell when the build renumbered the cells for locality, else None."""
        ...
    @property
    def n_cells(self) -> int: ...
    @property
    def n_faces(self) -> int: ...
    @property
    def n_internal_faces(self) -> int: ...
    @property
    def region_names(self) -> list[str]: ...
    @property
    def patch_names(self) -> list[str]: ...
    @property
    def points(self) -> npt.NDArray[np.float64]:
        """Vertex coordinates (n × 3): a read-only view of the core's array."""
        ...
    @property
    def cell_centers(self) -> npt.NDArray[np.float64]: ...
    @property
    def cell_volumes(self) -> npt.NDArray[np.float64]: ...
    @property
    def cell_region(self) -> npt.NDArray[np.uint32]: ...
    def region_volumes(self) -> list[float]: ...
    def patch_areas(self) -> list[float]: ...
    def patch_sizes(self) -> list[int]: ...
    def patch_face_centers(self, patch: int) -> npt.NDArray[np.float64]: ...
    def patch_face_areas(self, patch: int) -> npt.NDArray[np.float64]: ...
    def patch_face_range(self, patch: int) -> tuple[int, int]: ...
    def patch_face_cells(self, patch: int) -> npt.NDArray[np.uint32]: ...
    def interfaces(self) -> list[tuple[str, str, float]]: ...
    #: each wall and interface face of a region: label (patch, or n_patches + r for the interface
    #: to region r), centre, area, the region's cell on it, that cell's height along the inward normal, m
    def wall_cells(
        self, region: int
    ) -> tuple[
        npt.NDArray[np.uint32],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.uint32],
        npt.NDArray[np.float64],
    ]: ...
    def quality(self) -> dict[str, float]: ...
    def checks(
        self,
        fluid_regions: list[int],
        inlets: list[int],
        outlets: list[int],
        limits: tuple[float, float, float],
    ) -> str: ...

def build_mesh(
    points: npt.NDArray[np.float64],
    cell_types: npt.NDArray[np.uint8],
    cell_offsets: npt.NDArray[np.int32] | npt.NDArray[np.int64],
    cell_connectivity: npt.NDArray[np.int32] | npt.NDArray[np.int64],
    cell_region: npt.NDArray[np.int32] | npt.NDArray[np.int64],
    region_names: list[str],
    patch_face_offsets: npt.NDArray[np.int32] | npt.NDArray[np.int64],
    patch_face_connectivity: npt.NDArray[np.int32] | npt.NDArray[np.int64],
    patch_face_patch: npt.NDArray[np.int32] | npt.NDArray[np.int64],
    patch_names: list[str],
) -> Mesh:
    """Build a mesh; index arrays may be int32 or int64 (int32 is widened for the build)."""
    ...

def validate_case(mesh: Mesh, case_json: str) -> None:
    """Check a case without solving: every thermal, flow, radiation and settings problem in one
    ``CaseError`` (``MaterialError`` when only material properties are wrong)."""
    ...

def solve_case(
    mesh: Mesh,
    case_json: str,
    progress: Callable[[int, dict[str, float]], Any] | None = None,
    initial: dict[str, npt.NDArray[np.float64]] | None = None,
    scale_initial_flow: bool = True,
) -> dict[str, Any]:
    """Solve a case; ``initial`` holds float64 C-order arrays to warm-start from (borrowed, not
    copied): ``temperature_k`` (n_cells, K), ``velocity_m_s`` (n_cells × 3), ``pressure_pa``
    (n_cells), ``mass_flux_kg_s`` (n_faces), ``turbulence_k_m2_s2`` and ``turbulence_omega_1_s``
    (n_cells, together, for a turbulent coolant) and ``turbulent_viscosity_pa_s`` (n_cells, with
    them), ``momentum_first_order`` (n_cells, nonzero where local rounds made the momentum
    convection first order) and ``momentum_limiter`` (n_cells × 3, the held convection limiter,
    used at the same inflow only) and ``momentum_relaxation`` (one value: the first attempt
    relaxes so), ``momentum_first_order_fallback`` and ``momentum_non_orthogonal_limit`` (one
    value each: the scheme the flow converged with, used at the same inflow only),
    ``turbulence_limiter`` (n_cells × 3) and ``wall_log_layer`` (n_faces): a turbulent flow's SST
    velocity-gradient limiter and wall-treatment branches, used at the same inflow only,
    ``energy_limiter`` (n_cells) and ``energy_non_orthogonal_scale`` (n_faces), in
    [0, 1], with ``temperature_k``: the energy corrections a stalled second-order energy solve
    held, held again at the same inflow. ``scale_initial_flow`` scales the initial flow by the ratio of the case's inflow to the
    initial state's (k by its square, μ_t as the speed). A turbulent result
    also holds ``turbulent_viscosity_pa_s``, ``y_plus``, ``turbulence_k_m2_s2`` and
    ``turbulence_omega_1_s``; its report ``y_plus_by_patch`` ({patch: [min, mean, max]}). A
    second-order flow that took local first-order rounds also gives ``momentum_first_order``, and
    a second-order one ``momentum_limiter`` (the limiter of its converged iteration); every
    converged flow and a first-order stationary one ``momentum_relaxation`` (float; the
    fallback's when it took it), ``momentum_first_order_fallback``
    (True when set) and ``momentum_non_orthogonal_limit`` (float when bounded); a turbulent one
    ``turbulence_limiter`` (n_cells × 3) and ``wall_log_layer`` (n_faces); an energy solve that held its convection limiter gives
    ``energy_limiter`` (n_cells) and one that bounded its non-orthogonal corrections
    ``energy_non_orthogonal_scale`` (n_faces)."""
    ...

def solve_transient_case(
    mesh: Mesh,
    case_json: str,
    transient_json: str,
    progress: Callable[[int, dict[str, float]], Any] | None = None,
    initial_temperature_k: npt.NDArray[np.float64] | None = None,
    initial_flow: dict[str, npt.NDArray[np.float64]] | None = None,
) -> dict[str, Any]:
    """Solve a case in time (``initial_flow``: ``velocity_m_s``, ``pressure_pa``,
    ``mass_flux_kg_s`` (and ``turbulence_k_m2_s2``, ``turbulence_omega_1_s``, ``turbulent_viscosity_pa_s``) of the steady start, warm-starting the first flow solve) (``transient_json``: the core's ``Transient``: times, profiles with
    targets ``power_w``, ``heat_flux``, ``temperature_k`` or ``inflow``, ``flow_update_fraction``).
    Returns ``output_times_s``, ``temperature_k`` (n_outputs × n_cells), ``patch_heat_flow_w``,
    ``region_source_w``, ``step_times_s``, ``step_max_temperature_k`` (n_steps × n_regions),
    ``report_json``, and with coolant the last flow's fields plus ``output_patch_mass_flow_kg_s``
    and ``output_outflow_temperature_k`` (n_outputs × n_patches). A run that fails after its
    start (a step error, Ctrl-C, a ``progress`` callback that raised) raises with
    ``partial_run`` set on the exception: this dict for the steps it completed (the flow of the
    last completed step; work counters include the failed step's)."""
    ...

def solve_network(spec_json: str) -> str: ...
def solve_network_table(
    spec_json: str,
    node_names: list[str],
    node_elevation_m: npt.NDArray[np.float64],
    edge_names: list[str],
    edge_from: npt.NDArray[np.uint32],
    edge_to: npt.NDArray[np.uint32],
    edge_component: npt.NDArray[np.uint32],
) -> tuple[dict[str, npt.NDArray[Any]], str]: ...
def simulate_network_table(
    spec_json: str,
    transient_json: str,
    node_names: list[str],
    node_elevation_m: npt.NDArray[np.float64],
    edge_names: list[str],
    edge_from: npt.NDArray[np.uint32],
    edge_to: npt.NDArray[np.uint32],
    edge_component: npt.NDArray[np.uint32],
    progress: Callable[[int, dict[str, float]], Any] | None = None,
) -> tuple[dict[str, npt.NDArray[Any]], str]: ...
def sudden_contraction_k(area_ratio: float, reynolds_number: float | None = None) -> float: ...
def view_factors_polygons(
    points: npt.NDArray[np.float64],
    offsets: npt.NDArray[np.int64],
    connectivity: npt.NDArray[np.int64],
    groups: npt.NDArray[np.int64] | None = None,
    group_names: list[str] | None = None,
    rays_per_zone: int | None = None,
    max_zone_faces: int | None = None,
    closed: bool = True,
    seed: int | None = None,
    threads: int | None = None,
) -> dict[str, Any]:
    """View factors between polygons: sparse rows (``row_ptr``, ``col``, ``value``), ``sink``,
    ``area``, ``zone_of_face``, ``key`` and diagnostics. Releases the GIL."""
    ...

def enclosure_view_factors(
    mesh: Mesh, case_json: str, cache_dir: str | None = None, threads: int | None = None
) -> list[dict[str, Any]]:
    """The view factors of each enclosure of a case (core JSON), from or into ``cache_dir``."""
    ...
