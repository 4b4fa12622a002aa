"""Meshes: loading with meshio and the read-only :class:`Mesh` the solver works on."""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rackflow import _core
from rackflow.errors import MeshError, MeshQualityWarning, did_you_mean
from rackflow.io import meshio_reader
from rackflow.io.meshio_reader import FlatMesh

#: Name of the patch that collects boundary faces no physical group tagged (adiabatic by default).
UNTAGGED = "untagged"


@dataclass(frozen=True)
class MeshFinding:
    """One problem :meth:`Mesh.check` found; branch on ``kind``, never on ``message``.

    ``kind`` is one of ``"outlet_unreachable"``, ``"inlet_on_solid"``, ``"thin_passage"``,
    ``"non_conforming_interface"``, ``"degenerate_cells"``. ``fatal`` findings stop a solve
    (:class:`~rackflow.errors.MeshError` or :class:`~rackflow.errors.CaseError` before it
    starts); the others are warnings. ``positions`` are up to five example cell or face centres
    (m, worst first where ranked); ``area_m2`` is the area involved (inlet faces on solid
    cells, overlapping faces), else 0; ``worst`` the check's worst value (degrees of
    non-orthogonality, relative volume, passage thickness in m, coolant volume in m³).
    """

    kind: str
    fatal: bool
    regions: tuple[str, ...]
    patch: str | None
    count: int
    area_m2: float
    positions: tuple[tuple[float, float, float], ...]
    worst: float | None
    message: str

    def __str__(self) -> str:
        return self.message


class Mesh:
    """A finite-volume mesh with named regions (cell zones) and patches (boundary face sets).

    Build one with :func:`load_mesh` or :meth:`Mesh.from_meshio`. Faces between two regions are
    interfaces; boundary faces outside every patch form the patch ``"untagged"``.
    """

    def __init__(self, flat: FlatMesh, source: str = "<arrays>") -> None:
        self._flat = flat
        self.source = source
        self._core = _core.build_mesh(
            flat.points,
            flat.cell_types,
            flat.cell_offsets,
            flat.cell_connectivity,
            flat.cell_region,
            flat.region_names,
            flat.patch_face_offsets,
            flat.patch_face_connectivity,
            flat.patch_face_patch,
            flat.patch_names,
        )
        # the points as a read-only view of the core's copy: one copy of them, not two
        flat.points = self._core.points
        # a scattered input numbering (Gmsh's tetrahedra) was renumbered for memory locality:
        # every per-cell array of this mesh and its results follows the new numbering, and the
        # writers' blocks follow it too
        order = self._core.input_cell_order
        if order is not None:
            flat.blocks = meshio_reader.blocks_in_core_order(flat.blocks, order)
        self._quality: dict[str, float] | None = None

    @classmethod
    def from_meshio(cls, m: Any, source: str = "<meshio.Mesh>") -> Mesh:
        """Build from a ``meshio.Mesh`` (regions from physical groups or cell sets)."""
        return cls(meshio_reader.from_meshio(m, source), source)

    @property
    def regions(self) -> list[str]:
        """Region names."""
        return list(self._core.region_names)

    @property
    def patches(self) -> list[str]:
        """Patch names, including ``"untagged"`` when some boundary faces have no patch."""
        return list(self._core.patch_names)

    @property
    def n_cells(self) -> int:
        """Number of cells."""
        return int(self._core.n_cells)

    @property
    def n_faces(self) -> int:
        """Number of faces."""
        return int(self._core.n_faces)

    @property
    def input_cell_order(self) -> np.ndarray | None:
        """Where each cell came from: cell ``i`` of this mesh is 3D cell ``input_cell_order[i]`` of
        the file (counting the 3D cells in file order), or ``None`` when the cells kept the file's
        order. Meshes whose numbering scatters neighbours across memory (Gmsh's tetrahedra) are
        renumbered along a space-filling curve, within each block, which makes solving them about
        twice as fast; ``result.temperature_c[np.argsort(mesh.input_cell_order)]`` puts a result
        back in file order. Written files (``result.save``) hold the cells in this mesh's order."""
        return self._core.input_cell_order

    @property
    def cell_centers(self) -> np.ndarray:
        """Cell centroids, shape (n_cells, 3), m."""
        return self._core.cell_centers

    @property
    def cell_volumes(self) -> np.ndarray:
        """Cell volumes, m³."""
        return self._core.cell_volumes

    @property
    def region_of_cell(self) -> np.ndarray:
        """Region index of each cell (into :attr:`regions`)."""
        return self._core.cell_region.astype(np.int64)

    @property
    def points(self) -> np.ndarray:
        """Vertex coordinates, m (read-only: a view of the core's array)."""
        return self._flat.points

    @property
    def has_untagged(self) -> bool:
        """Whether some boundary faces belong to no patch (they are adiabatic unless told otherwise)."""
        return UNTAGGED in self.patches

    def region_index(self, name: str) -> int:
        """Index of a region; raises :class:`MeshError` listing the known ones."""
        try:
            return self.regions.index(name)
        except ValueError:
            raise MeshError(
                f"unknown region '{name}'{did_you_mean(name, self.regions)}; the mesh has regions {self.regions}"
            ) from None

    def patch_index(self, name: str) -> int:
        """Index of a patch; raises :class:`MeshError` listing the known ones."""
        try:
            return self.patches.index(name)
        except ValueError:
            raise MeshError(
                f"unknown patch '{name}'{did_you_mean(name, self.patches)}; the mesh has patches {self.patches}"
            ) from None

    def cells_of(self, region: str) -> np.ndarray:
        """Indices of the cells of a region."""
        return np.flatnonzero(self._core.cell_region == self.region_index(region))

    def region_volume(self, region: str) -> float:
        """Volume of a region, m³."""
        return float(self._core.region_volumes()[self.region_index(region)])

    def patch_area(self, patch: str) -> float:
        """Area of a patch, m²."""
        return float(self._core.patch_areas()[self.patch_index(patch)])

    def patch_face_centers(self, patch: str) -> np.ndarray:
        """Face centres of a patch, m."""
        return self._core.patch_face_centers(self.patch_index(patch))

    def patch_face_cells(self, patch: str) -> np.ndarray:
        """Cell next to each face of a patch."""
        return self._core.patch_face_cells(self.patch_index(patch)).astype(np.int64)

    def patch_face_areas(self, patch: str) -> np.ndarray:
        """Face areas of a patch, m² (ordered as ``patch_face_range``)."""
        return self._core.patch_face_areas(self.patch_index(patch))

    def patch_face_range(self, patch: str) -> tuple[int, int]:
        """Global face indices ``start, end`` of a patch (for face arrays such as mass fluxes)."""
        start, end = self._core.patch_face_range(self.patch_index(patch))
        return int(start), int(end)

    def patch_perimeter(self, patch: str) -> float:
        """Length of the patch's outline (edges used by one face only), m; for hydraulic diameters."""
        flat = self._flat
        index = flat.patch_names.index(patch) if patch in flat.patch_names else -1
        if index < 0:
            raise MeshError(f"patch '{patch}' has no tagged faces to measure")
        edges: dict[tuple[int, int], int] = {}
        for k in np.flatnonzero(flat.patch_face_patch == index):
            face = flat.patch_face_connectivity[flat.patch_face_offsets[k] : flat.patch_face_offsets[k + 1]]
            for a, b in zip(face, np.roll(face, -1), strict=True):
                key = (int(min(a, b)), int(max(a, b)))
                edges[key] = edges.get(key, 0) + 1
        outline = [e for e, count in edges.items() if count == 1]
        p = flat.points
        return float(sum(np.linalg.norm(p[a] - p[b]) for a, b in outline))

    def wall_cells(self, region: str) -> dict[str, dict[str, np.ndarray]]:
        """The walls of ``region`` and the cells against them: per boundary patch of its cells,
        and per ``"interface:<other region>"`` for the faces it shares with another region, the
        faces' ``centers`` (k × 3, m) and ``areas`` (m²), the region's ``cells`` on them and
        those cells' ``heights`` along the wall normal (how far the cell reaches from the face,
        m: four times its centroid's distance for a tetrahedron standing on the face, twice for
        a prism or a hexahedron)."""
        labels, centers, areas, cells, heights = self._core.wall_cells(self.region_index(region))
        patches, regions = self.patches, self.regions
        out: dict[str, dict[str, np.ndarray]] = {}
        for label in np.unique(labels):
            name = patches[label] if label < len(patches) else f"interface:{regions[label - len(patches)]}"
            mask = labels == label
            out[name] = {
                "centers": centers[mask],
                "areas": areas[mask],
                "cells": cells[mask].astype(np.int64),
                "heights": heights[mask],
            }
        return out

    def interfaces(self) -> list[tuple[str, str, float]]:
        """Pairs of regions sharing faces, with the shared area (m²)."""
        return list(self._core.interfaces())

    def quality(self) -> dict[str, float]:
        """Quality report: non-orthogonality (degrees), skewness, neighbour volume ratio, volumes."""
        if self._quality is None:
            self._quality = dict(self._core.quality())
        return dict(self._quality)

    def check_quality(self, max_non_orthogonality_deg: float = 70.0, max_skewness: float = 4.0) -> None:
        """Warn (:class:`MeshQualityWarning`) when the mesh is valid but poor."""
        q = self.quality()
        if q["max_non_orthogonality_deg"] > max_non_orthogonality_deg:
            warnings.warn(
                f"mesh non-orthogonality reaches {q['max_non_orthogonality_deg']:.1f}° "
                f"(limit {max_non_orthogonality_deg}°); expect slower convergence and larger errors",
                MeshQualityWarning,
                stacklevel=2,
            )
        if q["max_skewness"] > max_skewness:
            warnings.warn(f"mesh skewness reaches {q['max_skewness']:.2f}", MeshQualityWarning, stacklevel=2)

    def check(
        self,
        fluid: str | Sequence[str] = (),
        inlets: str | Sequence[str] = (),
        outlets: str | Sequence[str] = (),
        *,
        max_non_orthogonality_deg: float = 88.0,
        min_relative_volume: float = 1e-3,
        thin_passage_fatal_fraction: float = 0.25,
    ) -> list[MeshFinding]:
        """The pre-solve checks a solve runs, without solving: every finding, fatal or not.

        Always: boundary faces of two regions (or one) that overlap without being shared
        (volumes meshed without ``fragment``), and cells no setting converges on
        (non-orthogonality at or above ``max_non_orthogonality_deg``, slivers below
        ``min_relative_volume``). With coolant regions ``fluid``: passages one cell thick
        (fatal when ``thin_passage_fatal_fraction`` of a region spans wall to wall, or a
        passage has zero thickness), ``inlets`` with faces on solid cells, coolant with no path
        to any of the ``outlets``. Unknown names raise :class:`MeshError` listing the known
        ones. The defaults are the limits a solve uses.
        """

        def names(value: str | Sequence[str]) -> list[str]:
            return [value] if isinstance(value, str) else list(value)

        raw = self._core.checks(
            [self.region_index(r) for r in names(fluid)],
            [self.patch_index(p) for p in names(inlets)],
            [self.patch_index(p) for p in names(outlets)],
            (
                float(max_non_orthogonality_deg),
                float(min_relative_volume),
                float(thin_passage_fatal_fraction),
            ),
        )
        return [
            MeshFinding(
                kind=f["kind"],
                fatal=bool(f["fatal"]),
                regions=tuple(f["regions"]),
                patch=f["patch"],
                count=int(f["count"]),
                area_m2=float(f["area_m2"]),
                positions=tuple(tuple(float(x) for x in p) for p in f["positions"]),
                worst=None if f["worst"] is None else float(f["worst"]),
                message=f["message"],
            )
            for f in json.loads(raw)
        ]

    def __repr__(self) -> str:
        return f"Mesh({self.source!r}: {self.n_cells} cells, regions {self.regions}, patches {self.patches})"


def load_mesh(path: str | Path) -> Mesh:
    """Read a mesh in any format meshio reads (Gmsh ``.msh`` 2.2/4.1, ``.vtu``, ...).

    Gmsh physical volumes (or meshio cell sets) become regions, physical surfaces become patches.
    Raises :class:`~rackflow.errors.MeshError` naming the file and the problem.
    """
    return Mesh(meshio_reader.read(path), str(path))
