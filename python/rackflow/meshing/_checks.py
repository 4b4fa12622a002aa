"""Input validation shared by the generators: every error names the parameter."""

from __future__ import annotations

import math
from collections.abc import Sequence


def positive(name: str, value: float) -> float:
    """Return ``value`` as float, or raise ValueError if it is not a finite number > 0."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v) or v <= 0.0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return v


def non_negative(name: str, value: float) -> float:
    """Return ``value`` as float, or raise ValueError if it is negative or not finite."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v) or v < 0.0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return v


def positive_int(name: str, value: int, minimum: int = 1) -> int:
    """Return ``value`` as int, or raise ValueError if it is not an integer >= minimum."""
    try:
        whole = not isinstance(value, bool) and int(value) == value
    except (TypeError, ValueError, OverflowError):
        whole = False
    if not whole:
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def pair(name: str, value: Sequence[float]) -> tuple[float, float]:
    """Return a validated (x, y) pair of positive sizes."""
    try:
        a, b = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (x, y), got {value!r}") from None
    return positive(f"{name}[0]", a), positive(f"{name}[1]", b)


def point2(name: str, value: Sequence[float]) -> tuple[float, float]:
    """Return a validated (x, y) coordinate pair (any finite numbers)."""
    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (x, y), got {value!r}") from None
    if not (math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return a, b


def inside(
    name: str,
    center: tuple[float, float],
    size: tuple[float, float],
    outer_lo: tuple[float, float],
    outer_hi: tuple[float, float],
    what: str,
) -> None:
    """Raise ValueError naming ``name`` if a centred rectangle leaves ``what``."""
    tol = 1e-12
    for ax in range(2):
        lo = center[ax] - size[ax] / 2
        hi = center[ax] + size[ax] / 2
        if lo < outer_lo[ax] - tol or hi > outer_hi[ax] + tol:
            raise ValueError(f"{name}: does not fit inside {what}")
