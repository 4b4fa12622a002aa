"""TOML text → checked dictionary → :class:`~rackflow.case.Case`: :func:`loads`, :func:`load`,
:func:`case_from_dict` and :func:`from_toml`, with the mesh loading (a file or a generator) and
every problem collected into one :class:`~rackflow.errors.CaseFileError`."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rackflow.casefile.digest import description_digest
from rackflow.casefile.schema import (
    BOUNDARY_KEYS,
    COOLANT_KEYS,
    COOLANT_PROPERTIES,
    INLET_RATES,
    MATERIAL_KEYS,
    PROFILE_BOUNDARY_KEYS,
    PROFILE_CSV_KEYS,
    PROFILE_KEYS,
    SOLVER_CHOICES,
    SOLVER_KEYS,
    TOP_KEYS,
    CaseFile,
    _check_sweep,
    _check_transient,
    _is_number,
    _Problems,
    _raise,
    _table,
)
from rackflow.errors import CaseError, CaseFileError, MaterialError, MeshError, RackflowError
from rackflow.materials import LIBRARY, Material
from rackflow.profile import Profile

if TYPE_CHECKING:
    from rackflow.case import Case
    from rackflow.mesh import Mesh


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
        density = spec.get("power_density_w_m3")
        if isinstance(density, dict):
            density = _profile(problems, density, f"{path}.power_density_w_m3", Path(base_dir))
            bad_power |= density is None
        elif "power_density_w_m3" in spec and not _is_number(density):
            problems.add(
                f"{path}.power_density_w_m3", f"must be a number or a profile table, got {density!r}"
            )
            bad_power = True
        if "material" not in spec:
            problems.add(path, "missing 'material'")
            continue
        mat = _material(problems, spec["material"], f"{path}.material", materials)
        if mat is None or bad_power:
            continue
        try:
            # the file's names are checked here, where a problem can name its key and line
            case._region(region)
            case.solid(
                region,
                material=mat,
                power_w=power,
                power_density_w_m3=density,
            )
        except (CaseError, MaterialError) as e:
            problems.add(path, str(e))

    for region, spec in _table(problems, data, "fluids", "fluids").items():
        path = f"fluids.{region}"
        if not isinstance(spec, dict):
            problems.add(path, "must be a table")
            continue
        unknown = sorted(set(spec) - {"coolant", "turbulence", "thermal_wall_function", "wall_treatment"})
        if unknown:
            problems.add(
                f"{path}.{unknown[0]}",
                f"unknown key(s) {unknown}; known: coolant, turbulence, thermal_wall_function, wall_treatment",
            )
        if "coolant" not in spec:
            problems.add(path, "missing 'coolant' (a library name or an inline table)")
            continue
        coolant = _coolant(problems, spec["coolant"], f"{path}.coolant", region)
        if coolant is None:
            continue
        try:
            case._region(region)
            case.fluid(
                region,
                coolant=coolant,
                turbulence=spec.get("turbulence", "auto"),
                thermal_wall_function=spec.get("thermal_wall_function", "kader"),
                wall_treatment=spec.get("wall_treatment", "blended"),
            )
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
            case._region(between[0])
            case._region(between[1])
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
            case._patch(patch)
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


def from_toml(source: str | Path, *, mesh: Mesh | None = None) -> Case:
    """A case from a file path or TOML text (text is recognised by containing a newline or '=')."""
    if isinstance(source, Path) or ("\n" not in source and "=" not in source):
        return load(source, mesh=mesh).case
    return loads(source, mesh=mesh).case


def _normpath(path: Path) -> str:
    import os

    return os.path.normpath(path)
