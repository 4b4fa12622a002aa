"""Case → TOML-shaped dictionary → TOML text: :func:`case_to_dict`, :func:`dumps` and
:func:`to_toml`. The inverse is :mod:`rackflow.casefile.load`."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rackflow.casefile.digest import array_digest
from rackflow.casefile.schema import COOLANT_PROPERTIES, SCHEMA_VERSION, CaseFile
from rackflow.errors import CaseFileError
from rackflow.materials import LIBRARY, Material
from rackflow.settings import ThermalWallFunction, TurbulenceModel, WallTreatment

if TYPE_CHECKING:
    from rackflow.case import Case


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
        if ("power_density_w_m3", region) in case.profiles:
            entry["power_density_w_m3"] = _profile_entry(case.profiles[("power_density_w_m3", region)])
        solids[region] = entry
    if materials:
        out["materials"] = materials
    out["solids"] = solids
    fluids: dict[str, dict[str, Any]] = {}
    for region, f in case.fluids.items():
        fluids[region] = {"coolant": _coolant_entry(f.coolant, region)}
        if f.turbulence != TurbulenceModel.AUTO:
            fluids[region]["turbulence"] = TurbulenceModel(f.turbulence).value
        if f.thermal_wall_function != ThermalWallFunction.KADER:
            fluids[region]["thermal_wall_function"] = ThermalWallFunction(f.thermal_wall_function).value
        if f.wall_treatment != WallTreatment.BLENDED:
            fluids[region]["wall_treatment"] = WallTreatment(f.wall_treatment).value
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
            if target != patch or kind in ("power_w", "power_density_w_m3"):
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
