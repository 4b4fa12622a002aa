"""Case files: a TOML description that says everything the Python API says.

A case file is data. Loading one never executes code: it is parsed with :mod:`tomllib`,
checked against the schema below, and turned into :class:`~rackflow.case.Case` calls. Every
problem is collected and reported at once as a :class:`~rackflow.errors.CaseFileError` whose
message names each offending key (and its line when it can be found cheaply).

Layout
------
.. code-block:: toml

    [mesh]
    path = "gpu_stack.msh"          # relative to the case file
    # or: generator = "coldplate" with [mesh.params] channels = 40, ...

    [materials.my_copper]           # optional user materials, referred to by name
    conductivity_w_mk = [[20.0, 398.0], [100.0, 393.0]]   # a number or (°C, W/m·K) pairs

    [solids.die]
    material = "silicon"            # library name, a [materials] name, or an inline table
    power_w = 700.0

    [[contacts]]
    between = ["lid", "base"]
    resistance_m2k_w = 5e-6

    [boundaries.coolant_side]
    kind = "convective"             # fixed_temperature | heat_flux | convective | adiabatic
    htc_w_m2k = 15000.0
    ambient_c = 35.0

    [fluids.channels]               # coolant regions (conjugate heat transfer)
    coolant = "PG25"                # a library name (rackflow.coolants.known_coolants())
    turbulence = "auto"             # auto | laminar | k-omega-sst
    # or an inline constant-property table:
    # coolant = { name = "oil", density_kg_m3 = 850.0, viscosity_pa_s = 0.01,
    #             conductivity_w_mk = 0.13, specific_heat_j_kgk = 2000.0 }

    [boundaries.inlet]
    kind = "inlet"                  # inlet | outlet | wall | symmetry (flow patches)
    flow_lpm = 1.5                  # or mass_flow_kg_s, or velocity_m_s
    temperature_c = 35.0
    turbulence_intensity = 0.05     # k-omega-sst inflow; length_scale_m defaults to 0.07 D_h

    [boundaries.outlet]
    kind = "outlet"
    pressure_pa = 0.0

    [boundaries.lid_top]
    kind = "wall"
    velocity_m_s = [0.1, 0.0, 0.0]  # optional: a moving wall

    [solver]
    tolerance = 1e-10
    convection = "auto"             # flow settings: convection, velocity_relaxation,
                                    # velocity/pressure/mass_tolerance, flow_max_iterations

    [sweep]
    mode = "grid"                   # grid | points | latin_hypercube
    [sweep.axes]
    "htc_w_m2k.coolant_side" = [5000.0, 10000.0, 20000.0]

Time-varying inputs
-------------------
Any power, heat flux, flow rate, inlet, fixed or ambient temperature may be a profile instead of a
number (:class:`~rackflow.profile.Profile`): breakpoints inline, or a CSV log read with
:meth:`Profile.from_csv <rackflow.profile.Profile.from_csv>` (the path relative to the case
file). A ``[transient]`` table makes ``rackflow run`` solve in time
(:meth:`Case.solve_transient <rackflow.case.Case.solve_transient>`).

.. code-block:: toml

    [solids.die]
    material = "silicon"
    power_w = { time_s = [0.0, 1.0, 1.2], value = [140.0, 140.0, 700.0] }   # interpolation = "step"
    # or: power_w = { csv = "gpu0.csv", time_column = "timestamp", value_column = "power.draw [W]",
    #                 where = { index = 0 } }

    [transient]
    end_time_s = 60.0               # required
    time_step_s = 0.1               # optional: fixed steps (default adaptive)
    step_tolerance_k = 0.01         # adaptive steps' error allowance
    output_times_s = [0.0, 30.0, 60.0]   # or output_interval_s = 1.0 (default: 101 times)
    initial_temperature_c = 35.0    # optional: a uniform start (default: the steady solution at t = 0)

The same dictionary form (:func:`case_to_dict`) describes a case for sweep hashing and for
shipping cases to worker processes as JSON.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rackflow.errors import CaseError, CaseFileError, MaterialError, MeshError, RackflowError
from rackflow.materials import LIBRARY, Material
from rackflow.profile import Profile

if TYPE_CHECKING:
    from rackflow.case import Case
    from rackflow.mesh import Mesh

#: Settings ``[solver]`` accepts (the keywords of :meth:`Case.solve`).
SOLVER_KEYS = {
    "tolerance": (int, float),
    "max_iterations": (int,),
    "linear_tolerance": (int, float),
    "linear_max_iterations": (int,),
    "threads": (int,),
    "initial_temperature_c": (int, float),
    "preconditioner": (str,),
    "convection": (str,),
    "velocity_relaxation": (int, float),
    "velocity_tolerance": (int, float),
    "pressure_tolerance": (int, float),
    "mass_tolerance": (int, float),
    "flow_max_iterations": (int,),
    "non_orthogonal_correctors": (int,),
}
#: Allowed values of string solver settings.
SOLVER_CHOICES = {"convection": ("auto", "linear_upwind", "upwind"), "preconditioner": ("amg", "jacobi")}
BOUNDARY_KEYS = {
    "fixed_temperature": ({"temperature_c"}, set()),
    "heat_flux": (set(), {"flux_w_m2", "power_w"}),
    "convective": ({"htc_w_m2k", "ambient_c"}, set()),
    "adiabatic": (set(), set()),
    "inlet": (
        set(),
        {
            "flow_lpm",
            "mass_flow_kg_s",
            "velocity_m_s",
            "temperature_c",
            "turbulence_intensity",
            "length_scale_m",
        },
    ),
    "outlet": (set(), {"pressure_pa"}),
    "wall": (set(), {"velocity_m_s"}),
    "symmetry": (set(), set()),
}
#: The inflow quantities of an inlet: exactly one is given.
INLET_RATES = ("flow_lpm", "mass_flow_kg_s", "velocity_m_s")
#: Keys of an inline constant-property coolant table.
COOLANT_PROPERTIES = ("density_kg_m3", "viscosity_pa_s", "conductivity_w_mk", "specific_heat_j_kgk")
COOLANT_KEYS = {"name", *COOLANT_PROPERTIES, "freezing_point_c", "max_temperature_c"}
MATERIAL_KEYS = {"name", "conductivity_w_mk", "density_kg_m3", "specific_heat_j_kgk", "source"}
SWEEP_MODES = ("grid", "points", "latin_hypercube")
TOP_KEYS = {
    "mesh",
    "materials",
    "solids",
    "fluids",
    "contacts",
    "boundaries",
    "solver",
    "sweep",
    "transient",
    "rackflow",
}
#: Keys of a ``[transient]`` table and their types (``end_time_s`` is required).
TRANSIENT_KEYS = {
    "end_time_s": (int, float),
    "start_time_s": (int, float),
    "time_step_s": (int, float),
    "step_tolerance_k": (int, float),
    "flow_update_fraction": (int, float),
    "output_times_s": (list,),
    "output_interval_s": (int, float),
    "initial_temperature_c": (int, float),
}
#: Keys of an inline profile table (breakpoints, or a CSV file).
PROFILE_KEYS = {"time_s", "value", "interpolation", "name", "unit", "type"}
PROFILE_CSV_KEYS = {"csv", "time_column", "value_column", "where", "interpolation", "relative", "name"}
#: Which boundary values may be profiles (solids' power_w may be too).
PROFILE_BOUNDARY_KEYS = {
    "temperature_c",
    "flux_w_m2",
    "power_w",
    "ambient_c",
    "flow_lpm",
    "mass_flow_kg_s",
    "velocity_m_s",
}
#: Version of the case-file schema written by :func:`dumps`.
SCHEMA_VERSION = 1


@dataclass
class CaseFile:
    """A loaded case file: the case plus what the file says about solving and sweeping it."""

    case: Case
    solver: dict[str, Any] = field(default_factory=dict)
    sweep: dict[str, Any] | None = None
    mesh: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    #: the ``[transient]`` table (keywords of :meth:`Case.solve_transient`), or None: steady
    transient: dict[str, Any] | None = None


# ----------------------------------------------------------------------------------------------
# Case -> dict
# ----------------------------------------------------------------------------------------------
def array_digest(a: np.ndarray) -> str:
    """Stable digest of an array's values (used in place of large arrays in descriptions)."""
    a = np.ascontiguousarray(a, dtype=np.float64)
    return hashlib.sha256(a.tobytes()).hexdigest()[:24]


def mesh_digest(mesh: Mesh) -> str:
    """Stable digest of a mesh's geometry, cells, regions and patches (cached on the mesh)."""
    cached = getattr(mesh, "_rackflow_digest", None)
    if cached is not None:
        return str(cached)
    flat = mesh._flat
    h = hashlib.sha256()
    for arr in (
        flat.points,
        flat.cell_types,
        flat.cell_offsets,
        flat.cell_connectivity,
        flat.cell_region,
        flat.patch_face_offsets,
        flat.patch_face_connectivity,
        flat.patch_face_patch,
    ):
        a = np.ascontiguousarray(arr)
        if a.dtype.kind == "i" and a.dtype != np.int64:
            # meshes keep int32 indices to save memory; they hash as the int64 arrays they
            # replaced (same digests), converted in slices to bound the copy
            h.update(b"int64")
            step = 1 << 20
            for start in range(0, a.size, step):
                h.update(a.ravel()[start : start + step].astype(np.int64).tobytes())
        else:
            h.update(str(a.dtype).encode())
            h.update(a.tobytes())
    h.update(json.dumps([list(flat.region_names), list(flat.patch_names)]).encode())
    digest = h.hexdigest()[:24]
    mesh._rackflow_digest = digest  # type: ignore[attr-defined]
    return digest


def _material_entry(material: Material, materials: dict[str, Any]) -> str | dict[str, Any]:
    lib = LIBRARY.get(material.name.lower())
    if lib is not None and lib == material:
        return material.name
    k = material.conductivity_w_mk
    entry: dict[str, Any] = {
        "conductivity_w_mk": float(k) if isinstance(k, int | float) else [[t, v] for t, v in k]
    }
    for prop in ("density_kg_m3", "specific_heat_j_kgk"):
        if getattr(material, prop) is not None:
            entry[prop] = float(getattr(material, prop))
    if material.source != "user":
        entry["source"] = material.source
    if material.name in materials and materials[material.name] != entry:
        raise CaseFileError(f"two different materials are both named '{material.name}'; rename one")
    materials[material.name] = entry
    return material.name


def _coolant_entry(coolant: Any, region: str) -> str | dict[str, Any]:
    """A library coolant by name; a constant-property coolant as an inline table."""
    from rackflow.coolants import Coolant, get_coolant, known_coolants

    if isinstance(coolant, Coolant) and not coolant.is_constant:
        if coolant.name in known_coolants() and get_coolant(coolant.name) is coolant:
            return coolant.name
        library = get_coolant(coolant.name) if coolant.name in known_coolants() else None
        if library is not None and all(
            np.array_equal(library._tables[p], coolant._tables[p]) for p in COOLANT_PROPERTIES
        ):
            return coolant.name
        raise CaseFileError(
            f"fluids.{region}: coolant {coolant.name!r} is a property table that is not in the library; "
            f"case files name library coolants ({known_coolants()}) or give constant properties"
        )
    entry: dict[str, Any] = {"name": str(getattr(coolant, "name", "coolant"))}
    for p in COOLANT_PROPERTIES:
        if isinstance(coolant, Coolant):
            entry[p] = float(coolant._tables[p][0])
        else:
            entry[p] = float(getattr(coolant, p))
    if isinstance(coolant, Coolant):
        if math.isfinite(coolant.freezing_point_c):
            entry["freezing_point_c"] = float(coolant.freezing_point_c)
        if math.isfinite(coolant.max_temperature_c):
            entry["max_temperature_c"] = float(coolant.max_temperature_c)
    return entry


def case_to_dict(
    case: Case,
    *,
    mesh: Mapping[str, Any] | None = None,
    solver: Mapping[str, Any] | None = None,
    sweep: Mapping[str, Any] | None = None,
    arrays: dict[str, np.ndarray] | None = None,
    transient: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The case as a TOML-shaped dictionary; time profiles become inline breakpoint tables.

    Parameters
    ----------
    case
        The case to describe.
    mesh
        The ``[mesh]`` table (``{"path": ...}`` or ``{"generator": ..., "params": {...}}``).
        Defaults to the mesh's source path when it was loaded from a file.
    solver, sweep, transient
        Optional ``[solver]``, ``[sweep]`` and ``[transient]`` tables.
    arrays
        When given, spatially varying inputs (power maps, per-face temperatures) are replaced
        by ``{"array": digest}`` references and the arrays are stored in this dict. Without it
        such cases cannot be described and a :class:`CaseFileError` says so.
    """
    out: dict[str, Any] = {}
    if mesh is None:
        source = Path(case.mesh.source)
        if case.mesh.source.startswith("<") or not source.exists():
            raise CaseFileError(
                f"the case's mesh was not loaded from a file ({case.mesh.source!r}); save it and "
                "load it with rackflow.load_mesh, or pass mesh_path= to to_toml"
            )
        mesh = {"path": str(source)}
    out["mesh"] = dict(mesh)
    materials: dict[str, Any] = {}
    solids: dict[str, Any] = {}
    for region, s in case.solids.items():
        entry: dict[str, Any] = {"material": _material_entry(s.material, materials)}
        if s.power_w is not None:
            entry["power_w"] = s.power_w
        if ("power_w", region) in case.profiles:
            entry["power_w"] = _profile_entry(case.profiles[("power_w", region)])
        if s.power_density_w_m3 is not None:
            entry["power_density_w_m3"] = s.power_density_w_m3
        solids[region] = entry
    if materials:
        out["materials"] = materials
    out["solids"] = solids
    fluids: dict[str, dict[str, Any]] = {}
    for region, f in case.fluids.items():
        fluids[region] = {"coolant": _coolant_entry(f.coolant, region)}
        if f.turbulence != "auto":
            fluids[region]["turbulence"] = f.turbulence
    if fluids:
        out["fluids"] = fluids
    if case.cell_power_density_w_m3 is not None:
        if arrays is None:
            raise CaseFileError(
                "the case has a power map from a function (power_density_w_m3=callable); case files "
                "hold data, not code: give the regions' power as numbers"
            )
        digest = array_digest(case.cell_power_density_w_m3)
        arrays[digest] = np.asarray(case.cell_power_density_w_m3)
        out["cell_power_density_w_m3"] = {"array": digest}
    if case.contacts:
        out["contacts"] = [
            {"between": [c.region_a, c.region_b], "resistance_m2k_w": c.resistance_m2k_w}
            for c in case.contacts
        ]
    boundaries: dict[str, Any] = {}
    for patch, b in case.boundaries.items():
        entry = {"kind": b.kind, **{k: float(v) for k, v in b.values.items()}}
        for key, values in b.face_values.items():
            if b.kind == "wall" and key == "velocity_m_s":
                entry["velocity_m_s"] = [float(x) for x in np.asarray(values).ravel()]
                continue
            if arrays is None:
                raise CaseFileError(
                    f"boundary '{patch}' has a {key} from a function; case files hold data, not code"
                )
            digest = array_digest(values)
            arrays[digest] = np.asarray(values)
            entry["face_" + key] = {"array": digest}
        for (kind, target), profile in case.profiles.items():
            if target != patch or kind == "power_w":
                continue
            if kind == "temperature":
                key = "ambient_c" if b.kind == "convective" else "temperature_c"
            elif kind == "heat_flux":
                key = "power_w" if "power_w" in b.values else "flux_w_m2"
            else:
                key = kind
            if key in entry:
                entry[key] = _profile_entry(profile)
        boundaries[patch] = entry
    out["boundaries"] = boundaries
    if solver:
        out["solver"] = dict(solver)
    if sweep:
        out["sweep"] = dict(sweep)
    if transient:
        out["transient"] = dict(transient)
    return out


def _profile_entry(profile: Any) -> dict[str, Any]:
    """A profile as an inline table (breakpoints; a CSV source is written out as its data)."""
    entry = profile.to_dict()
    entry.pop("type", None)
    return entry


def _profile(problems: _Problems, spec: Any, path: str, base_dir: Path) -> Any:
    """A :class:`Profile` from an inline table (breakpoints or a CSV file), or None (a problem)."""
    from rackflow.errors import ProfileError

    try:
        if "csv" in spec:
            unknown = sorted(set(spec) - PROFILE_CSV_KEYS)
            if unknown:
                problems.add(
                    f"{path}.{unknown[0]}", f"unknown key(s) {unknown}; known: {sorted(PROFILE_CSV_KEYS)}"
                )
                return None
            if not isinstance(spec["csv"], str):
                problems.add(f"{path}.csv", f"must be a file path, got {spec['csv']!r}")
                return None
            if "where" in spec and not isinstance(spec["where"], dict):
                problems.add(f"{path}.where", "must be a table of column = value")
                return None
            file = Path(spec["csv"])
            if not file.is_absolute():
                file = base_dir / file
            kwargs = {
                k: spec[k]
                for k in ("time_column", "value_column", "where", "interpolation", "relative", "name")
                if k in spec
            }
            return Profile.from_csv(file, **kwargs)
        unknown = sorted(set(spec) - PROFILE_KEYS)
        if unknown:
            problems.add(
                f"{path}.{unknown[0]}",
                f'unknown key(s) {unknown}; a profile is {{ time_s = [...], value = [...] }} or {{ csv = "file.csv", ... }}',
            )
            return None
        return Profile.from_dict(spec)
    except (ProfileError, FileNotFoundError, TypeError) as e:
        problems.add(path, str(e))
        return None


def description_digest(description: Mapping[str, Any]) -> str:
    """Stable hash of a JSON-able description (sorted keys, repr-exact floats)."""
    text = json.dumps(description, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


# ----------------------------------------------------------------------------------------------
# dict -> Case, with every problem collected
# ----------------------------------------------------------------------------------------------
class _Problems:
    def __init__(self, text: str | None) -> None:
        self.items: list[str] = []
        self._lines = text.splitlines() if text else []

    def line_of(self, keypath: str) -> int | None:
        """Best-effort line of a key: the table header, then the first ``key =`` after it."""
        if not self._lines:
            return None
        parts = keypath.split(".")
        for cut in range(len(parts), 0, -1):
            header = ".".join(parts[:cut])
            leaf = parts[cut] if cut < len(parts) else None
            pattern = re.compile(r"^\s*\[\[?\s*" + re.escape(header) + r"\s*\]\]?\s*(#.*)?$")
            for i, line in enumerate(self._lines):
                if pattern.match(line):
                    if leaf is None:
                        return i + 1
                    key = re.compile(r'^\s*"?' + re.escape(leaf) + r'"?\s*=')
                    for j in range(i + 1, len(self._lines)):
                        if self._lines[j].lstrip().startswith("["):
                            break
                        if key.match(self._lines[j]):
                            return j + 1
                    return i + 1
        top = re.compile(r"^\s*" + re.escape(parts[0]) + r"\s*=")
        for i, line in enumerate(self._lines):
            if top.match(line):
                return i + 1
        return None

    def _array_line(self, keypath: str) -> int | None:
        match = re.match(r"^(\w+)\[(\d+)\]", keypath)
        if not match:
            return None
        header = re.compile(r"^\s*\[\[\s*" + re.escape(match.group(1)) + r"\s*\]\]")
        hits = [i + 1 for i, line in enumerate(self._lines) if header.match(line)]
        n = int(match.group(2))
        return hits[n] if n < len(hits) else None

    def add(self, keypath: str, message: str) -> None:
        line = self._array_line(keypath) or self.line_of(keypath)
        where = f"{keypath} (line {line})" if line else keypath
        self.items.append(f"{where}: {message}")


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _table(problems: _Problems, data: Mapping[str, Any], key: str, path: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        problems.add(path, f"must be a table, got {type(value).__name__}")
        return {}
    return value


def _material(
    problems: _Problems, spec: Any, path: str, materials: Mapping[str, Material]
) -> str | Material | None:
    if isinstance(spec, str):
        if spec in materials:
            return materials[spec]
        if spec.lower() in LIBRARY:
            return spec
        problems.add(
            path,
            f"unknown material '{spec}'; known: {sorted(set(LIBRARY) | set(materials))} (or an inline table)",
        )
        return None
    if isinstance(spec, dict):
        name = spec.get("name", path.split(".")[-2] if "." in path else "material")
        return _build_material(problems, str(name), spec, path)
    problems.add(path, f"must be a material name or a table, got {type(spec).__name__}")
    return None


def _coolant(problems: _Problems, spec: Any, path: str, region: str) -> Any:
    """A library coolant name, or an inline constant-property table, as a Coolant."""
    from rackflow.coolants import Coolant, get_coolant, known_coolants

    if isinstance(spec, str):
        try:
            return get_coolant(spec)
        except CaseError:
            problems.add(
                path, f"unknown coolant '{spec}'; known coolants: {known_coolants()} (or an inline table)"
            )
            return None
    if not isinstance(spec, dict):
        problems.add(path, f"must be a coolant name or a table, got {type(spec).__name__}")
        return None
    ok = True
    unknown = sorted(set(spec) - COOLANT_KEYS)
    if unknown:
        problems.add(f"{path}.{unknown[0]}", f"unknown key(s) {unknown}; known: {sorted(COOLANT_KEYS)}")
        ok = False
    missing = [p for p in COOLANT_PROPERTIES if p not in spec]
    if missing:
        problems.add(path, f"an inline coolant needs {missing}")
        ok = False
    for key in sorted(set(spec) & (COOLANT_KEYS - {"name"})):
        if not _is_number(spec[key]):
            problems.add(f"{path}.{key}", f"must be a number, got {spec[key]!r}")
            ok = False
    if "name" in spec and not isinstance(spec["name"], str):
        problems.add(f"{path}.name", f"must be a string, got {spec['name']!r}")
        ok = False
    if not ok:
        return None
    try:
        return Coolant(
            str(spec.get("name", region)),
            **{p: float(spec[p]) for p in COOLANT_PROPERTIES},
            freezing_point_c=spec.get("freezing_point_c"),
            max_temperature_c=spec.get("max_temperature_c"),
        )
    except (MaterialError, CaseError) as e:
        problems.add(path, str(e))
        return None


def _build_material(problems: _Problems, name: str, spec: Mapping[str, Any], path: str) -> Material | None:
    unknown = sorted(set(spec) - MATERIAL_KEYS)
    if unknown:
        problems.add(f"{path}.{unknown[0]}", f"unknown key(s) {unknown}; known: {sorted(MATERIAL_KEYS)}")
    if "conductivity_w_mk" not in spec:
        problems.add(path, "missing conductivity_w_mk")
        return None
    k = spec["conductivity_w_mk"]
    if isinstance(k, list):
        if not all(isinstance(p, list) and len(p) == 2 and all(_is_number(x) for x in p) for p in k):
            problems.add(
                f"{path}.conductivity_w_mk", "a table must be a list of [temperature_c, value] pairs"
            )
            return None
        k = [(float(t), float(v)) for t, v in k]
    try:
        return Material(
            name,
            conductivity_w_mk=k,
            density_kg_m3=spec.get("density_kg_m3"),
            specific_heat_j_kgk=spec.get("specific_heat_j_kgk"),
            source=str(spec.get("source", "user")),
        )
    except (MaterialError, CaseError) as e:
        problems.add(path, str(e))
        return None


def _load_mesh(
    problems: _Problems, spec: Mapping[str, Any], base_dir: Path, cache_dir: Path | None
) -> Mesh | None:
    from rackflow.mesh import load_mesh

    has_path, has_gen = "path" in spec, "generator" in spec
    if has_path == has_gen:
        problems.add("mesh", "give exactly one of 'path' or 'generator'")
        return None
    unknown = sorted(set(spec) - {"path", "generator", "params"})
    if unknown:
        problems.add(
            f"mesh.{unknown[0]}", f"unknown key(s) {unknown}; known: ['generator', 'params', 'path']"
        )
    if has_path:
        if not isinstance(spec["path"], str):
            problems.add("mesh.path", "must be a string")
            return None
        path = Path(spec["path"])
        path = path if path.is_absolute() else Path(_normpath(base_dir / path))
    else:
        name, params = spec["generator"], spec.get("params", {})
        if not isinstance(name, str):
            problems.add("mesh.generator", "must be a string")
            return None
        if not isinstance(params, dict):
            problems.add("mesh.params", "must be a table")
            return None
        generators = available_generators()
        if generators is None:
            problems.add(
                "mesh.generator",
                "mesh generators need the rackflow.meshing package (pip install 'rackflow[mesh]')",
            )
            return None
        if name not in generators:
            problems.add("mesh.generator", f"unknown generator '{name}'; known: {sorted(generators)}")
            return None
        digest = description_digest({"generator": name, "params": params})[:16]
        folder = cache_dir or base_dir / ".rackflow-cache"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}-{digest}.msh"
        if not path.exists():
            try:
                generators[name](path, **params)
            except (TypeError, ValueError, OverflowError, MemoryError) as e:
                # wrong parameter names, types or values: say which
                problems.add("mesh.params", f"generator '{name}': {type(e).__name__}: {e}")
                return None
            except RackflowError as e:
                problems.add("mesh.params", f"generator '{name}': {e}")
                return None
    try:
        return load_mesh(path)
    except MeshError as e:
        problems.add("mesh.path" if has_path else "mesh.generator", str(e))
        return None


def available_generators() -> dict[str, Any] | None:
    """``rackflow.meshing.GENERATORS`` when that package is installed, else ``None``."""
    try:
        from rackflow import meshing  # type: ignore[attr-defined]
    except ImportError:
        return None
    generators = getattr(meshing, "GENERATORS", None)
    return dict(generators) if isinstance(generators, Mapping) else None


def case_from_dict(
    data: Mapping[str, Any],
    *,
    base_dir: str | Path = ".",
    mesh: Mesh | None = None,
    arrays: Mapping[str, np.ndarray] | None = None,
    text: str | None = None,
    source: str = "<case>",
    cache_dir: Path | None = None,
) -> CaseFile:
    """Build a case from its dictionary form, reporting every problem at once.

    ``mesh`` skips loading the ``[mesh]`` table (sweeps reuse one mesh); ``arrays`` resolves
    ``{"array": digest}`` references written by :func:`case_to_dict`.
    """
    from rackflow.case import Case

    problems = _Problems(text)
    if not isinstance(data, Mapping):
        raise CaseFileError(f"{source}: a case description must be a table")
    for key in sorted(set(data) - TOP_KEYS - {"cell_power_density_w_m3"}):
        problems.add(key, f"unknown section; known: {sorted(TOP_KEYS)}")
    mesh_spec = _table(problems, data, "mesh", "mesh")
    if mesh is None:
        if "mesh" not in data:
            problems.add("mesh", "missing [mesh] table (path = ... or generator = ...)")
        else:
            mesh = _load_mesh(problems, mesh_spec, Path(base_dir), cache_dir)
    if mesh is None:
        _raise(problems, source)
    assert mesh is not None
    case = Case(mesh)

    materials: dict[str, Material] = {}
    for name, spec in _table(problems, data, "materials", "materials").items():
        if not isinstance(spec, dict):
            problems.add(f"materials.{name}", "must be a table")
            continue
        built = _build_material(problems, str(spec.get("name", name)), spec, f"materials.{name}")
        if built is not None:
            materials[name] = built

    for region, spec in _table(problems, data, "solids", "solids").items():
        path = f"solids.{region}"
        if not isinstance(spec, dict):
            problems.add(path, "must be a table")
            continue
        unknown = sorted(set(spec) - {"material", "power_w", "power_density_w_m3"})
        if unknown:
            problems.add(
                f"{path}.{unknown[0]}",
                f"unknown key(s) {unknown}; known: material, power_w, power_density_w_m3",
            )
        bad_power = False
        power = spec.get("power_w")
        if isinstance(power, dict):
            power = _profile(problems, power, f"{path}.power_w", Path(base_dir))
            bad_power = power is None
        elif "power_w" in spec and not _is_number(power):
            problems.add(f"{path}.power_w", f"must be a number or a profile table, got {power!r}")
            bad_power = True
        if "power_density_w_m3" in spec and not _is_number(spec["power_density_w_m3"]):
            problems.add(
                f"{path}.power_density_w_m3", f"must be a number, got {spec['power_density_w_m3']!r}"
            )
            bad_power = True
        if "material" not in spec:
            problems.add(path, "missing 'material'")
            continue
        mat = _material(problems, spec["material"], f"{path}.material", materials)
        if mat is None or bad_power:
            continue
        try:
            case.solid(
                region,
                material=mat,
                power_w=power,
                power_density_w_m3=spec.get("power_density_w_m3"),
            )
        except (CaseError, MaterialError) as e:
            problems.add(path, str(e))

    for region, spec in _table(problems, data, "fluids", "fluids").items():
        path = f"fluids.{region}"
        if not isinstance(spec, dict):
            problems.add(path, "must be a table")
            continue
        unknown = sorted(set(spec) - {"coolant", "turbulence"})
        if unknown:
            problems.add(f"{path}.{unknown[0]}", f"unknown key(s) {unknown}; known: coolant, turbulence")
        if "coolant" not in spec:
            problems.add(path, "missing 'coolant' (a library name or an inline table)")
            continue
        coolant = _coolant(problems, spec["coolant"], f"{path}.coolant", region)
        if coolant is None:
            continue
        try:
            case.fluid(region, coolant=coolant, turbulence=spec.get("turbulence", "auto"))
        except (CaseError, MaterialError) as e:
            problems.add(path, str(e))

    ref = data.get("cell_power_density_w_m3")
    if ref is not None:
        array = _array(problems, ref, arrays, "cell_power_density_w_m3")
        if array is not None:
            case.cell_power_density_w_m3 = np.array(array, dtype=np.float64)

    contacts = data.get("contacts", [])
    if not isinstance(contacts, list):
        problems.add("contacts", "must be an array of tables ([[contacts]])")
        contacts = []
    for i, spec in enumerate(contacts):
        path = f"contacts[{i}]"
        if not isinstance(spec, dict):
            problems.add(path, "must be a table")
            continue
        between = spec.get("between")
        if not (isinstance(between, list) and len(between) == 2 and all(isinstance(r, str) for r in between)):
            problems.add(f"{path}.between", "must be a list of two region names")
            continue
        if "resistance_m2k_w" not in spec:
            problems.add(path, "missing resistance_m2k_w")
            continue
        unknown = sorted(set(spec) - {"between", "resistance_m2k_w"})
        if unknown:
            problems.add(f"{path}.{unknown[0]}", f"unknown key(s) {unknown}")
        try:
            case.contact(between[0], between[1], resistance_m2k_w=spec["resistance_m2k_w"])
        except CaseError as e:
            problems.add(path, str(e))

    for patch, spec in _table(problems, data, "boundaries", "boundaries").items():
        path = f"boundaries.{patch}"
        if not isinstance(spec, dict):
            problems.add(path, "must be a table")
            continue
        kind = spec.get("kind")
        if kind not in BOUNDARY_KEYS:
            problems.add(f"{path}.kind", f"must be one of {sorted(BOUNDARY_KEYS)}, got {kind!r}")
            continue
        required, optional = BOUNDARY_KEYS[kind]
        faces = {k for k in spec if k.startswith("face_")}
        unknown = sorted(set(spec) - required - optional - faces - {"kind"})
        if unknown:
            problems.add(f"{path}.{unknown[0]}", f"unknown key(s) {unknown} for kind '{kind}'")
        missing = sorted(required - set(spec))
        if missing:
            problems.add(path, f"kind '{kind}' needs {missing}")
            continue
        values = {k: spec[k] for k in (required | optional) if k in spec}
        if kind == "inlet":
            rates = [k for k in INLET_RATES if k in spec]
            if len(rates) != 1:
                problems.add(
                    path,
                    f"an inlet needs exactly one of {list(INLET_RATES)}, got {rates or 'none'}",
                )
                continue
        if kind == "wall" and "velocity_m_s" in values:
            v = values["velocity_m_s"]
            if not (isinstance(v, list) and len(v) == 3 and all(_is_number(x) for x in v)):
                problems.add(f"{path}.velocity_m_s", f"must be a list of three numbers [u, v, w], got {v!r}")
                continue
            values["velocity_m_s"] = tuple(float(x) for x in v)
        bad_profile = False
        for k, v in list(values.items()):
            if isinstance(v, dict) and k in PROFILE_BOUNDARY_KEYS:
                values[k] = _profile(problems, v, f"{path}.{k}", Path(base_dir))
                bad_profile |= values[k] is None
        if bad_profile:
            continue
        bad = [k for k, v in values.items() if not (_is_number(v) or isinstance(v, tuple | Profile))]
        for k in bad:
            problems.add(f"{path}.{k}", f"must be a number, got {values[k]!r}")
        if bad:
            continue
        try:
            built = getattr(case, kind)(patch, **values)
        except CaseError as e:
            problems.add(path, str(e))
            continue
        for key in sorted(faces):
            array = _array(problems, spec[key], arrays, f"{path}.{key}")
            if array is not None:
                built.face_values[key.removeprefix("face_")] = np.array(array, dtype=np.float64)

    solver = dict(_table(problems, data, "solver", "solver"))
    for key, value in solver.items():
        if key not in SOLVER_KEYS:
            problems.add(f"solver.{key}", f"unknown setting; known: {sorted(SOLVER_KEYS)}")
        elif isinstance(value, bool) or not isinstance(value, SOLVER_KEYS[key]):
            problems.add(
                f"solver.{key}", f"must be {' or '.join(t.__name__ for t in SOLVER_KEYS[key])}, got {value!r}"
            )
        elif key in SOLVER_CHOICES and value not in SOLVER_CHOICES[key]:
            problems.add(f"solver.{key}", f"must be one of {list(SOLVER_CHOICES[key])}, got {value!r}")

    sweep = data.get("sweep")
    if sweep is not None:
        if not isinstance(sweep, dict):
            problems.add("sweep", "must be a table")
            sweep = None
        else:
            _check_sweep(problems, sweep)
    transient = data.get("transient")
    if transient is not None:
        if not isinstance(transient, dict):
            problems.add("transient", "must be a table")
            transient = None
        else:
            _check_transient(problems, transient)
    _raise(problems, source)
    loaded = CaseFile(case=case, solver=solver, sweep=sweep, mesh=dict(mesh_spec), transient=transient)
    case._casefile = loaded  # type: ignore[attr-defined]
    return loaded


def _array(
    problems: _Problems, ref: Any, arrays: Mapping[str, np.ndarray] | None, path: str
) -> np.ndarray | None:
    if isinstance(ref, dict) and set(ref) == {"array"} and arrays is not None and ref["array"] in arrays:
        return arrays[ref["array"]]
    problems.add(path, "per-cell or per-face arrays cannot be given in a case file")
    return None


def _check_sweep(problems: _Problems, sweep: Mapping[str, Any]) -> None:
    mode = sweep.get("mode", "grid")
    if mode not in SWEEP_MODES:
        problems.add("sweep.mode", f"must be one of {list(SWEEP_MODES)}, got {mode!r}")
        return
    unknown = sorted(set(sweep) - {"mode", "axes", "points", "n", "seed"})
    if unknown:
        problems.add(f"sweep.{unknown[0]}", f"unknown key(s) {unknown}; known: axes, mode, n, points, seed")
    if mode == "points":
        points = sweep.get("points")
        if not (isinstance(points, list) and points and all(isinstance(p, dict) for p in points)):
            problems.add("sweep.points", "mode 'points' needs points = [{...}, ...]")
        return
    axes = sweep.get("axes")
    if not isinstance(axes, dict) or not axes:
        problems.add("sweep.axes", "needs a table of axis = [values]")
        return
    for name, values in axes.items():
        if not isinstance(values, list) or not values:
            problems.add(f"sweep.axes.{name}", "must be a non-empty list")
        elif mode == "latin_hypercube" and not (len(values) == 2 and all(_is_number(v) for v in values)):
            if not all(isinstance(v, str) for v in values):
                problems.add(f"sweep.axes.{name}", "latin_hypercube needs [low, high] or a list of names")
    if mode == "latin_hypercube":
        n = sweep.get("n")
        if not (isinstance(n, int) and not isinstance(n, bool) and n > 0):
            problems.add("sweep.n", "latin_hypercube needs a positive integer n")


def _check_transient(problems: _Problems, transient: Mapping[str, Any]) -> None:
    for key, value in transient.items():
        if key not in TRANSIENT_KEYS:
            problems.add(f"transient.{key}", f"unknown key; known: {sorted(TRANSIENT_KEYS)}")
        elif isinstance(value, bool) or not isinstance(value, TRANSIENT_KEYS[key]):
            problems.add(
                f"transient.{key}",
                f"must be a {'list of numbers' if key == 'output_times_s' else 'number'}, got {value!r}",
            )
        elif key == "output_times_s" and not all(_is_number(v) for v in value):
            problems.add(f"transient.{key}", "must be a list of numbers")
        elif key in ("time_step_s", "step_tolerance_k", "output_interval_s") and not value > 0:
            problems.add(f"transient.{key}", f"must be positive, got {value!r}")
    if "end_time_s" not in transient:
        problems.add("transient", "missing end_time_s")
    elif _is_number(transient["end_time_s"]) and _is_number(transient.get("start_time_s", 0.0)):
        if not transient["end_time_s"] > transient.get("start_time_s", 0.0):
            problems.add(
                "transient.end_time_s",
                f"must be after start_time_s ({transient.get('start_time_s', 0.0)}), got {transient['end_time_s']}",
            )
    if "output_times_s" in transient and "output_interval_s" in transient:
        problems.add("transient", "give output_times_s or output_interval_s, not both")


def transient_keywords(transient: Mapping[str, Any]) -> dict[str, Any]:
    """A ``[transient]`` table as keywords of :meth:`Case.solve_transient` (without ``initial``:
    see :func:`rackflow.transient.run_transient`)."""
    out = {k: v for k, v in transient.items() if k not in ("output_interval_s", "initial_temperature_c")}
    if "output_interval_s" in transient:
        start = float(transient.get("start_time_s", 0.0))
        end = float(transient["end_time_s"])
        step = float(transient["output_interval_s"])
        n = max(1, math.floor((end - start) / step + 1e-9))
        times = [start + i * step for i in range(n + 1)]
        if end - times[-1] > 1e-9 * max(1.0, abs(end)):
            times.append(end)
        out["output_times_s"] = times
    return out


def _raise(problems: _Problems, source: str) -> None:
    if problems.items:
        count = len(problems.items)
        raise CaseFileError(
            f"{source}: {count} problem{'s' if count > 1 else ''}: " + " | ".join(problems.items)
        )


# ----------------------------------------------------------------------------------------------
# TOML text
# ----------------------------------------------------------------------------------------------
def loads(
    text: str, *, base_dir: str | Path = ".", source: str = "<text>", mesh: Mesh | None = None
) -> CaseFile:
    """Load a case from TOML text; relative mesh paths resolve against ``base_dir``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise CaseFileError(f"{source}: not valid TOML: {e}") from None
    except RecursionError:
        raise CaseFileError(f"{source}: arrays or tables nested too deeply to be a case file") from None
    return case_from_dict(data, base_dir=base_dir, mesh=mesh, text=text, source=source)


def load(path: str | Path, *, mesh: Mesh | None = None) -> CaseFile:
    """Load a case file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CaseFileError(f"cannot read case file '{path}': {e.strerror or e}") from None
    if len(raw) > 16 * 1024 * 1024:  # a case file is small; refuse to parse a huge hostile one
        raise CaseFileError(f"case file '{path}' is {len(raw)} bytes; case files are small text files")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CaseFileError(f"case file '{path}' is not UTF-8 text") from None
    loaded = loads(text, base_dir=path.resolve().parent, source=str(path), mesh=mesh)
    loaded.path = path
    return loaded


_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k, ensure_ascii=False)


def _value(v: Any, where: str) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise CaseFileError(f"{where}: cannot write non-finite number {v}")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x, where) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{_key(str(k))} = {_value(x, where)}" for k, x in v.items()) + " }"
    if isinstance(v, np.generic):
        return _value(v.item(), where)
    raise CaseFileError(f"{where}: cannot write a {type(v).__name__} to a case file")


def dumps(data: Mapping[str, Any]) -> str:
    """TOML text for a case dictionary (a small writer; no dependency)."""
    lines = [f"# rackflow case file (schema {SCHEMA_VERSION})"]

    def table(prefix: str, body: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in body.items() if not isinstance(v, Mapping)}
        subtables = {k: v for k, v in body.items() if isinstance(v, Mapping)}
        if scalars or not subtables:
            lines.append("")
            lines.append(f"[{prefix}]")
            for k, v in scalars.items():
                lines.append(f"{_key(str(k))} = {_value(v, f'{prefix}.{k}')}")
        for k, v in subtables.items():
            table(f"{prefix}.{_key(str(k))}", v)

    for section, body in data.items():
        if section == "contacts":
            for item in body:
                lines.append("")
                lines.append("[[contacts]]")
                for k, v in item.items():
                    lines.append(f"{_key(k)} = {_value(v, f'contacts.{k}')}")
        elif isinstance(body, Mapping):
            if section in ("solids", "fluids", "boundaries", "materials"):
                for name, sub in body.items():
                    table(f"{section}.{_key(str(name))}", sub)
            else:
                table(_key(section), body)
        else:
            lines.insert(1, f"{_key(section)} = {_value(body, section)}")
    return "\n".join(lines) + "\n"


def to_toml(
    case: Case,
    path: str | Path | None = None,
    *,
    mesh_path: str | Path | None = None,
    solver: Mapping[str, Any] | None = None,
    sweep: Mapping[str, Any] | None = None,
    transient: Mapping[str, Any] | None = None,
) -> str:
    """TOML text for a case; also written to ``path`` when given.

    The mesh path is written relative to the case file's folder when possible. Solver settings
    and sweep axes default to those of the case file the case was loaded from, if any.
    """
    loaded: CaseFile | None = getattr(case, "_casefile", None)
    mesh_spec: dict[str, Any] | None = None
    if mesh_path is not None:
        mesh_spec = {"path": str(mesh_path)}
    elif loaded is not None and "generator" in loaded.mesh:
        mesh_spec = dict(loaded.mesh)
    else:
        source = Path(case.mesh.source)
        if not case.mesh.source.startswith("<") and source.exists():
            mesh_spec = {"path": str(source.resolve())}
    if mesh_spec is not None and "path" in mesh_spec and path is not None:
        target = Path(mesh_spec["path"])
        if target.is_absolute():
            try:
                mesh_spec["path"] = Path(_relpath(target, Path(path).resolve().parent)).as_posix()
            except ValueError:  # different drive on Windows: keep it absolute
                pass
    if solver is None and loaded is not None:
        solver = loaded.solver
    if sweep is None and loaded is not None:
        sweep = loaded.sweep
    if transient is None and loaded is not None:
        transient = loaded.transient
    data = case_to_dict(case, mesh=mesh_spec, solver=solver, sweep=sweep, transient=transient)
    text = dumps(data)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _relpath(target: Path, start: Path) -> str:
    import os

    return os.path.relpath(target, start)


def _normpath(path: Path) -> str:
    import os

    return os.path.normpath(path)


def from_toml(source: str | Path, *, mesh: Mesh | None = None) -> Case:
    """A case from a file path or TOML text (text is recognised by containing a newline or '=')."""
    if isinstance(source, Path) or ("\n" not in source and "=" not in source):
        return load(source, mesh=mesh).case
    return loads(source, mesh=mesh).case
