"""The case-file schema: the keys each table accepts, the loaded :class:`CaseFile`, and the
problem list every check adds to (each problem names its key and, when it can be found, its
line). Checks of the ``[sweep]`` and ``[transient]`` tables live here too; nothing here reads
files or builds cases."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rackflow.errors import CaseFileError
from rackflow.settings import CHOICE_SETTINGS, names

if TYPE_CHECKING:
    from rackflow.case import Case


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
SOLVER_CHOICES = {key: names(choice) for key, choice in CHOICE_SETTINGS.items()}

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
