"""View factors of radiation enclosures, computed once per geometry.

:func:`enclosure_view_factors` gives the view factors of every ``case.radiation_enclosure``
(computed by the core's ray caster, see ``rust/core/src/radiation/view_factor.rs``), stored in
the user cache (``rackflow.datasets.cache_dir() / "view_factors"``) under a key that hashes the
enclosure's face geometry, zones and ray settings: a second case on the same mesh loads them.
:func:`polygon_view_factors` does the same for bare polygons (checks, benchmarks).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rackflow import _core
from rackflow.errors import CaseError

if TYPE_CHECKING:
    from rackflow.case import Case


def view_factor_cache_dir() -> Path:
    """Where view factors are cached: ``<rackflow cache>/view_factors``."""
    from rackflow.datasets import cache_dir

    return cache_dir() / "view_factors"


@dataclass(frozen=True)
class ViewFactorMatrix:
    """Zone-to-zone view factors in sparse rows, with the zone of each face and diagnostics.

    ``F_ij`` of row ``i`` are ``value[row_ptr[i]:row_ptr[i + 1]]`` in columns
    ``col[row_ptr[i]:row_ptr[i + 1]]``; ``sink[i]`` is zone ``i``'s view factor to the sink
    (zero for a closed enclosure); ``area`` are the zone areas (m²).
    """

    key: str
    area: np.ndarray
    row_ptr: np.ndarray
    col: np.ndarray
    value: np.ndarray
    sink: np.ndarray
    zone_of_face: np.ndarray
    #: diagnostics: reciprocity_error, row_sum_error, rays, seconds, memory_bytes, ...
    info: dict[str, Any] = field(default_factory=dict)
    #: enclosures of a case: their patches, mesh face indices and face areas
    patches: list[str] = field(default_factory=list)
    mesh_face: np.ndarray | None = None
    from_cache: bool = False

    @property
    def n_zones(self) -> int:
        """Number of radiation zones."""
        return len(self.area)

    def get(self, i: int, j: int) -> float:
        """``F_ij``."""
        lo, hi = int(self.row_ptr[i]), int(self.row_ptr[i + 1])
        k = int(np.searchsorted(self.col[lo:hi], j))
        return float(self.value[lo + k]) if k < hi - lo and self.col[lo + k] == j else 0.0

    def dense(self) -> np.ndarray:
        """The full matrix (small enclosures)."""
        n = self.n_zones
        m = np.zeros((n, n))
        rows = np.repeat(np.arange(n), np.diff(self.row_ptr))
        m[rows, self.col] = self.value
        return m

    @classmethod
    def _from_core(cls, d: dict[str, Any]) -> ViewFactorMatrix:
        arrays = {"key", "area", "row_ptr", "col", "value", "sink", "zone_of_face"}
        extra = {"patches", "mesh_face", "from_cache", "face_area"}
        info = {k: v for k, v in d.items() if k not in arrays | extra}
        return cls(
            key=d["key"],
            area=d["area"],
            row_ptr=d["row_ptr"],
            col=d["col"],
            value=d["value"],
            sink=d["sink"],
            zone_of_face=d["zone_of_face"],
            info=info,
            patches=list(d.get("patches", [])),
            mesh_face=d.get("mesh_face"),
            from_cache=bool(d.get("from_cache", False)),
        )


def enclosure_view_factors(
    case: Case, *, cache: bool | str | Path = True, threads: int | None = None
) -> list[ViewFactorMatrix]:
    """The view factors of each of the case's enclosures (in order). ``cache``: ``True`` uses
    :func:`view_factor_cache_dir`, a path another folder, ``False`` none. Raises
    :class:`~rackflow.errors.CaseError` for an enclosure that leaks (naming the patches), for
    radiation on unknown or interior patches, and the like."""
    if not case.enclosures:
        return []
    description = case._radiation_to_core()
    core = {"radiation": [], "enclosures": description["enclosures"]}
    if cache is True:
        folder: str | None = str(view_factor_cache_dir())
    elif cache is False or cache is None:
        folder = None
    else:
        folder = str(cache)
    raw = _core.enclosure_view_factors(case.mesh._core, json.dumps(core), folder, threads)
    return [ViewFactorMatrix._from_core(d) for d in raw]


def polygon_view_factors(
    points: Any,
    faces: Sequence[Sequence[int]] | tuple[np.ndarray, np.ndarray],
    *,
    groups: Any = None,
    group_names: Sequence[str] | None = None,
    rays_per_zone: int | None = None,
    max_zone_faces: int | None = None,
    closed: bool = True,
    seed: int | None = None,
    threads: int | None = None,
) -> ViewFactorMatrix:
    """View factors between planar polygons: ``points`` (n × 3, m) and ``faces`` (vertex index
    lists ordered counter-clockwise seen from the radiating side, or ``(offsets, connectivity)``
    arrays). ``groups`` assigns faces to groups (zones never mix groups; messages name them by
    ``group_names``); ``max_zone_faces`` > 1 agglomerates faces into zones. A closed enclosure's
    rows are made to sum to one; an open one's rest is the view factor to the sink."""
    pts = np.ascontiguousarray(points, dtype=np.float64)
    if isinstance(faces, tuple) and len(faces) == 2 and isinstance(faces[0], np.ndarray):
        offsets = np.ascontiguousarray(faces[0], dtype=np.int64)
        connectivity = np.ascontiguousarray(faces[1], dtype=np.int64)
    else:
        lists = [list(f) for f in faces]
        offsets = np.zeros(len(lists) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(f) for f in lists])
        connectivity = np.fromiter((v for f in lists for v in f), dtype=np.int64, count=int(offsets[-1]))
    g = None if groups is None else np.ascontiguousarray(groups, dtype=np.int64)
    for name, value in (("rays_per_zone", rays_per_zone), ("max_zone_faces", max_zone_faces)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise CaseError(f"{name} must be a positive integer, got {value!r}")
    d = _core.view_factors_polygons(
        pts,
        offsets,
        connectivity,
        g,
        None if group_names is None else list(group_names),
        rays_per_zone,
        max_zone_faces,
        bool(closed),
        seed,
        threads,
    )
    return ViewFactorMatrix._from_core(d)


__all__ = ["ViewFactorMatrix", "enclosure_view_factors", "polygon_view_factors", "view_factor_cache_dir"]
