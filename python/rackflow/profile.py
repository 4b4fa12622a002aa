"""Time-varying inputs: a power, flow, inlet or ambient temperature as a function of time.

A :class:`Profile` is a table of breakpoints ``(time_s, value)`` read either linearly between
breakpoints or as steps (each value held until the next breakpoint). Before the first and after
the last breakpoint the end values hold, so a profile is defined for every time and a one-point
profile is a constant. Values carry the unit of the argument they are given to (``power_w=``
takes watts, ``supply_c=`` °C); the profile itself stores numbers.

>>> import rackflow as rf
>>> power = rf.Profile(time_s=[0.0, 1.0, 1.2, 31.2, 31.4], value=[140, 140, 700, 700, 140])
>>> round(power(1.1), 9)
420.0
>>> power.at([0.0, 10.0, 60.0]).tolist()
[140.0, 700.0, 140.0]

``Profile.from_csv`` reads logs such as ``nvidia-smi --query-gpu=timestamp,power.draw
--format=csv -lms 100``: timestamps as seconds or dates (both measured from the first row),
values with units (``"350.12 W"``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rackflow.errors import ProfileError

_INTERPOLATIONS = ("linear", "step")
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*?)?\s*$")
_DICT_KEYS = {"type", "time_s", "value", "interpolation", "name", "unit"}


class Profile:
    """A value against time, from breakpoints.

    Parameters
    ----------
    time_s
        Breakpoint times [s], strictly increasing, finite; at least one.
    value
        Values at the breakpoints (the unit of the argument the profile is given to), finite.
    interpolation
        ``"linear"`` between breakpoints, or ``"step"``: ``value[i]`` holds on
        ``[time_s[i], time_s[i+1])`` (a zero-order hold, as a logged set-point).
    name
        Names the profile in error messages (``"profile 'gpu power'"``).
    unit
        Informative unit string (``"W"``), as read from a CSV file; never used to convert.

    Outside ``[time_s[0], time_s[-1]]`` the end values hold.
    """

    __slots__ = ("_t", "_v", "interpolation", "name", "unit")

    def __init__(
        self,
        time_s: ArrayLike,
        value: ArrayLike,
        interpolation: str = "linear",
        *,
        name: str | None = None,
        unit: str | None = None,
    ) -> None:
        self.name = None if name is None else str(name)
        self.unit = None if unit is None else str(unit)
        who = self._who()
        if interpolation not in _INTERPOLATIONS:
            raise ProfileError(
                f"{who}: interpolation must be one of {list(_INTERPOLATIONS)}, got {interpolation!r}"
            )
        self.interpolation = interpolation
        t = _vector(time_s, who, "time_s")
        v = _vector(value, who, "value")
        if t.size == 0:
            raise ProfileError(f"{who}: time_s is empty; a profile needs at least one breakpoint")
        if t.size != v.size:
            raise ProfileError(
                f"{who}: time_s has {t.size} entries and value {v.size}; expecting as many values as times"
            )
        bad = np.flatnonzero(~np.isfinite(t))
        if bad.size:
            i = int(bad[0])
            raise ProfileError(
                f"{who}: time_s[{i}] is {float(t[i])!r}; times must be finite ({bad.size} bad in all)"
            )
        bad = np.flatnonzero(~np.isfinite(v))
        if bad.size:
            i = int(bad[0])
            raise ProfileError(
                f"{who}: value[{i}] (at t = {t[i]:g} s) is {float(v[i])!r}; values must be finite ({bad.size} bad in all)"
            )
        steps = np.flatnonzero(np.diff(t) <= 0.0)
        if steps.size:
            i = int(steps[0]) + 1
            raise ProfileError(
                f"{who}: time_s[{i}] = {t[i]:g} s does not follow time_s[{i - 1}] = {t[i - 1]:g} s; "
                f"times must increase strictly ({steps.size} such places)"
            )
        t.flags.writeable = False
        v.flags.writeable = False
        self._t = t
        self._v = v

    # ------------------------------------------------------------------ construction
    @classmethod
    def constant(cls, value: float, *, name: str | None = None, unit: str | None = None) -> Profile:
        """The same value at every time."""
        return cls([0.0], [value], name=name, unit=unit)

    @classmethod
    def from_csv(
        cls,
        path: str | Path,
        time_column: str = "timestamp",
        value_column: str = "power.draw [W]",
        *,
        interpolation: str = "linear",
        where: Mapping[str, Any] | None = None,
        relative: bool = True,
        name: str | None = None,
    ) -> Profile:
        """Reads a profile from a CSV log (nvidia-smi's ``--format=csv`` or any table).

        Parameters
        ----------
        path
            The CSV file; a header row names the columns (spaces after commas are ignored).
        time_column
            Seconds (plain numbers, or with an ``s`` / ``ms`` unit) or date-times (ISO 8601,
            nvidia-smi's ``2024/05/01 12:00:00.123``). Times are measured from the first row
            unless ``relative=False`` (seconds only).
        value_column
            Numbers, optionally followed by a unit (``"350.12 W"``); the unit is kept as
            :attr:`unit` (all rows must share it) and never converted. A column may be named
            without its bracketed unit: ``"power.draw"`` finds ``"power.draw [W]"``.
        where
            Keeps the rows whose columns equal the given values, e.g. ``{"index": 0}`` for one
            GPU of a multi-GPU log.
        relative
            Measure times from the first row (default). Date-times are always relative.
        name
            Names the profile in messages (default: ``"<file>:<value column>"``).

        Raises :class:`~rackflow.errors.ProfileError` naming the file, column and row (the
        file's line number) of a problem; a missing column lists the columns the file has.
        """
        import pandas as pd

        p = Path(path)
        label = name or f"{p.name}:{value_column}"
        if not p.is_file():
            raise FileNotFoundError(f"profile CSV {str(p)!r} does not exist")
        try:
            frame = pd.read_csv(p, skipinitialspace=True, dtype=str, keep_default_na=False)
        except pd.errors.EmptyDataError:
            raise ProfileError(f"profile CSV '{p}': the file is empty") from None
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise ProfileError(f"profile CSV '{p}': not a readable CSV table: {exc}") from None
        frame.columns = [str(c).strip() for c in frame.columns]
        tcol = _find_column(frame.columns, time_column, p, "time_column")
        vcol = _find_column(frame.columns, value_column, p, "value_column")
        lines = np.arange(len(frame)) + 2  # file line numbers: the header is line 1
        if where:
            keep = np.ones(len(frame), dtype=bool)
            for key, wanted in where.items():
                col = _find_column(frame.columns, str(key), p, "where")
                cells = frame[col].str.strip()
                keep &= (cells == str(wanted)).to_numpy() | _numbers_equal(cells, wanted)
            frame, lines = frame[keep], lines[keep]
        if len(frame) == 0:
            condition = f" matching {dict(where)}" if where else ""
            raise ProfileError(f"profile CSV '{p}': no data rows{condition}")
        values, unit = _parse_numbers(frame[vcol].to_numpy(), lines, p, vcol)
        times = _parse_times(frame[tcol].to_numpy(), lines, p, tcol, relative)
        steps = np.flatnonzero(np.diff(times) <= 0.0)
        if steps.size:
            i = int(steps[0]) + 1
            hint = (
                "; a multi-GPU log repeats each time once per GPU: pick one with where={'index': 0}"
                if np.diff(times)[steps[0]] == 0.0
                else ""
            )
            raise ProfileError(
                f"profile CSV '{p}': column {tcol!r} does not increase at line {lines[i]} "
                f"({times[i]:g} s after {times[i - 1]:g} s on line {lines[i - 1]}){hint}"
            )
        return cls(times, values, interpolation, name=label, unit=unit)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Profile:
        """The inverse of :meth:`to_dict` (case files); unknown keys are refused."""
        if not isinstance(data, Mapping):
            raise ProfileError(f"profile: expected a table with time_s and value, got {type(data).__name__}")
        who = f"profile {data['name']!r}" if isinstance(data.get("name"), str) else "profile"
        unknown = sorted(set(data) - _DICT_KEYS)
        if unknown:
            raise ProfileError(f"{who}: unknown key {unknown[0]!r}; allowed: {sorted(_DICT_KEYS)}")
        if data.get("type", "profile") != "profile":
            raise ProfileError(f"{who}: type must be 'profile', got {data['type']!r}")
        missing = [k for k in ("time_s", "value") if k not in data]
        if missing:
            raise ProfileError(f"{who}: missing key {missing[0]!r}")
        return cls(
            data["time_s"],
            data["value"],
            data.get("interpolation", "linear"),
            name=data.get("name"),
            unit=data.get("unit"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (lists, strings) for JSON and TOML case files."""
        d: dict[str, Any] = {
            "type": "profile",
            "time_s": self._t.tolist(),
            "value": self._v.tolist(),
            "interpolation": self.interpolation,
        }
        if self.name is not None:
            d["name"] = self.name
        if self.unit is not None:
            d["unit"] = self.unit
        return d

    # ------------------------------------------------------------------ evaluation
    def at(self, time_s: ArrayLike) -> Any:
        """Value at ``time_s`` (a number or an array of any shape; the result has its shape)."""
        t = np.asarray(time_s, dtype=float)
        if not np.all(np.isfinite(t)):
            raise ProfileError(f"{self._who()}: evaluated at a non-finite time {time_s!r}")
        if self.interpolation == "linear":
            out = np.interp(t, self._t, self._v)
        else:
            i = np.searchsorted(self._t, t, side="right") - 1
            out = self._v[np.clip(i, 0, self._v.size - 1)]
        return float(out) if out.ndim == 0 else out

    __call__ = at

    @property
    def time_s(self) -> NDArray[np.float64]:
        """Breakpoint times [s] (read-only)."""
        return self._t

    @property
    def value(self) -> NDArray[np.float64]:
        """Breakpoint values (read-only)."""
        return self._v

    @property
    def breakpoints_s(self) -> NDArray[np.float64]:
        """Times where the profile changes slope or value [s]: a time stepper lands on these."""
        return self._t

    @property
    def start_s(self) -> float:
        """First breakpoint [s]."""
        return float(self._t[0])

    @property
    def end_s(self) -> float:
        """Last breakpoint [s]; the value holds after it."""
        return float(self._t[-1])

    def max(self) -> float:
        """Largest value at any time."""
        return float(self._v.max())

    def min(self) -> float:
        """Smallest value at any time."""
        return float(self._v.min())

    def is_constant(self) -> bool:
        """True when the value is the same at every time."""
        return bool(np.all(self._v == self._v[0]))

    def mean(self, start_s: float, end_s: float) -> float:
        """Time average over ``[start_s, end_s]`` (exact for both interpolations)."""
        if not (math.isfinite(start_s) and math.isfinite(end_s) and end_s > start_s):
            raise ProfileError(
                f"{self._who()}: mean needs finite start_s < end_s, got {start_s!r}, {end_s!r}"
            )
        return self.integral(start_s, end_s) / (end_s - start_s)

    def integral(self, start_s: float, end_s: float) -> float:
        """∫ value dt over ``[start_s, end_s]`` (exact; e.g. J from a power in W)."""
        if not (math.isfinite(start_s) and math.isfinite(end_s)):
            raise ProfileError(f"{self._who()}: integral needs finite limits, got {start_s!r}, {end_s!r}")
        if end_s < start_s:
            return -self.integral(end_s, start_s)
        inner = self._t[(self._t > start_s) & (self._t < end_s)]
        knots = np.concatenate(([start_s], inner, [end_s]))
        if self.interpolation == "linear":
            vals = self.at(knots)
            return float(np.sum(0.5 * (vals[1:] + vals[:-1]) * np.diff(knots)))
        return float(np.sum(self.at(knots[:-1]) * np.diff(knots)))

    # ------------------------------------------------------------------ transformation
    def scaled(self, factor: float) -> Profile:
        """Values multiplied by ``factor`` (a per-GPU share of a rack power, a unit change)."""
        _finite_number(factor, self._who(), "factor")
        return Profile(self._t, self._v * float(factor), self.interpolation, name=self.name, unit=self.unit)

    def shifted(self, time_s: float = 0.0, value: float = 0.0) -> Profile:
        """Delayed by ``time_s`` (later when positive) and offset by ``value``."""
        _finite_number(time_s, self._who(), "time_s")
        _finite_number(value, self._who(), "value")
        return Profile(
            self._t + float(time_s),
            self._v + float(value),
            self.interpolation,
            name=self.name,
            unit=self.unit,
        )

    # ------------------------------------------------------------------ protocol
    def __len__(self) -> int:
        return int(self._t.size)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Profile):
            return NotImplemented
        return (
            self.interpolation == other.interpolation
            and np.array_equal(self._t, other._t)
            and np.array_equal(self._v, other._v)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        unit = f" {self.unit}" if self.unit else ""
        return (
            f"Profile{label}({len(self)} points, {self.interpolation}, "
            f"t {self.start_s:g}..{self.end_s:g} s, value {self.min():g}..{self.max():g}{unit})"
        )

    def __getstate__(self) -> dict[str, Any]:
        return self.to_dict()

    def __setstate__(self, state: dict[str, Any]) -> None:
        other = Profile.from_dict(state)
        for slot in self.__slots__:
            object.__setattr__(self, slot, getattr(other, slot))

    def _who(self) -> str:
        return "profile" if self.name is None else f"profile {self.name!r}"


def as_profile(value: Any, owner: str) -> Profile | None:
    """``value`` as a Profile (numbers become constants; ``None`` stays ``None``); a dict is
    read with :meth:`Profile.from_dict`. ``owner`` names the argument in errors."""
    if value is None or isinstance(value, Profile):
        return value
    if isinstance(value, Mapping):
        return Profile.from_dict(value)
    _finite_number(value, owner, "value")
    return Profile.constant(float(value), name=owner)


def _finite_number(v: Any, who: str, key: str) -> None:
    try:
        ok = math.isfinite(float(v))
    except (TypeError, ValueError):
        raise ProfileError(f"{who}: {key} must be a number, got {v!r}") from None
    if not ok:
        raise ProfileError(f"{who}: {key} must be finite, got {v!r}")


def _vector(x: ArrayLike, who: str, key: str) -> NDArray[np.float64]:
    if isinstance(x, (str, bytes)):
        raise ProfileError(f"{who}: {key} must be a sequence of numbers, got a string")
    try:
        a = np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise ProfileError(f"{who}: {key} must be a sequence of numbers, got {x!r:.80}") from None
    if a.ndim == 0:
        raise ProfileError(f"{who}: {key} must be a sequence of numbers, got the single number {float(a)!r}")
    if a.ndim != 1:
        raise ProfileError(f"{who}: {key} must be one-dimensional, got shape {a.shape}")
    return a


def _find_column(columns: Sequence[str], wanted: str, path: Path, key: str) -> str:
    if wanted in columns:
        return wanted
    bare = [c for c in columns if c.split(" [")[0].strip() == wanted.strip()]
    if len(bare) == 1:
        return bare[0]
    raise ProfileError(
        f"profile CSV '{path}': {key} {wanted!r} is not a column; the file has {list(columns)}"
    )


def _numbers_equal(cells: Any, wanted: Any) -> NDArray[np.bool_]:
    try:
        w = float(wanted)
    except (TypeError, ValueError):
        return np.zeros(len(cells), dtype=bool)
    import pandas as pd

    return (pd.to_numeric(cells, errors="coerce") == w).to_numpy()


def _parse_numbers(
    cells: NDArray[Any], lines: NDArray[np.int64], path: Path, column: str
) -> tuple[NDArray[np.float64], str | None]:
    out = np.empty(len(cells))
    unit: str | None = None
    unit_line = 0
    for i, (cell, line) in enumerate(zip(cells, lines, strict=True)):
        m = _NUMBER.match(str(cell))
        if m is None:
            raise ProfileError(
                f"profile CSV '{path}': column {column!r}, line {line}: {str(cell)!r} is not a number "
                "(optionally followed by a unit, as '350.12 W')"
            )
        out[i] = float(m.group(1))
        u = m.group(2)
        if u is not None:
            if unit is None:
                unit, unit_line = u, int(line)
            elif u != unit:
                raise ProfileError(
                    f"profile CSV '{path}': column {column!r} mixes units: {unit!r} on line {unit_line}, "
                    f"{u!r} on line {line}"
                )
    if not np.all(np.isfinite(out)):
        i = int(np.flatnonzero(~np.isfinite(out))[0])
        raise ProfileError(
            f"profile CSV '{path}': column {column!r}, line {lines[i]}: value {cells[i]!r} is not finite"
        )
    return out, unit


def _parse_times(
    cells: NDArray[Any], lines: NDArray[np.int64], path: Path, column: str, relative: bool
) -> NDArray[np.float64]:
    first = _NUMBER.match(str(cells[0]))
    if first is not None and (first.group(2) in (None, "s", "ms")):
        seconds, unit = _parse_numbers(cells, lines, path, column)
        if unit == "ms":
            seconds = seconds / 1000.0
        elif unit not in (None, "s"):
            raise ProfileError(
                f"profile CSV '{path}': column {column!r} has times in {unit!r}; expecting s or ms"
            )
        return seconds - seconds[0] if relative else seconds
    import pandas as pd

    # utc=True: offsets are honoured and naive times read as UTC; only differences matter
    stamps = pd.to_datetime(pd.Series(cells), errors="coerce", format="mixed", utc=True)
    bad = np.flatnonzero(stamps.isna().to_numpy())
    if bad.size:
        i = int(bad[0])
        raise ProfileError(
            f"profile CSV '{path}': column {column!r}, line {lines[i]}: {cells[i]!r} is neither seconds nor a date-time"
        )
    ns = stamps.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return (ns - ns[0]) / 1e9


__all__ = ["Profile", "as_profile"]
