"""Block-structured Cartesian hexahedral meshing in NumPy.

Every geometry in this package that is made of axis-aligned boxes (GPU stack,
straight microchannel plate, channel unit, duct) is meshed here rather than
with gmsh transfinite volumes: a tensor-product grid whose lines pass through
every geometric break gives perfectly orthogonal hexahedra, node-conformal
interfaces between regions by construction, exact volumes, exact cell-count
estimates without meshing, and identical output for identical input. gmsh is
still the writer (see ``_gmsh.write_discrete_mesh``).
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# Breaks closer than this are the same break (coincident faces of two boxes
# computed through different sums of floats).
MERGE_TOL_M = 1e-10

# Guards ceil() against float noise: 0.003 / 0.0003 is 10.000000000000002.
_CEIL_SLACK = 1e-6

_SIDES = {
    "-x": (0, -1),
    "+x": (0, 1),
    "-y": (1, -1),
    "+y": (1, 1),
    "-z": (2, -1),
    "+z": (2, 1),
}


def _ceil(x: float) -> int:
    return max(1, math.ceil(x - _CEIL_SLACK))


@dataclass(frozen=True)
class Axis:
    """Grid along one axis: interval ``edges`` and the number of cells in each interval."""

    edges: np.ndarray
    counts: np.ndarray

    @property
    def n_cells(self) -> int:
        return int(self.counts.sum())

    def coords(self) -> np.ndarray:
        """Node coordinates; the interval edges are reproduced exactly."""
        parts = [np.array([self.edges[0]])]
        for a, b, n in zip(self.edges[:-1], self.edges[1:], self.counts, strict=True):
            pts = np.linspace(a, b, int(n) + 1)[1:]
            pts[-1] = b
            parts.append(pts)
        return np.concatenate(parts)

    def cell_block(self) -> np.ndarray:
        """Interval index of every cell."""
        return np.repeat(np.arange(len(self.counts)), self.counts)


def make_axis(
    segments: Sequence[tuple[float, float, float]],
    breaks: Iterable[float] = (),
    refine: float = 1.0,
) -> Axis:
    """Build an axis from sized segments plus extra break points.

    Parameters
    ----------
    segments
        Contiguous ``(start_m, end_m, cell_size_m)`` triples in increasing order;
        they set the target cell size of everything between start and end.
    breaks
        Further coordinates (m) where a grid line must pass (edges of boxes in
        other layers); a segment cut by a break keeps its cell size.
    refine
        Multiplies every interval's cell count (rounded up), so refine=2 halves
        the cell size everywhere, including intervals that had a single cell.
    """
    seg_edges = [segments[0][0]] + [s[1] for s in segments]
    lo, hi = seg_edges[0], seg_edges[-1]
    cand = sorted(seg_edges + [b for b in breaks if lo - MERGE_TOL_M <= b <= hi + MERGE_TOL_M])
    edges: list[float] = []
    for c in cand:
        if edges and c - edges[-1] <= MERGE_TOL_M:
            continue
        edges.append(c)
    # Snap the ends so that merged near-duplicates never move the domain boundary.
    edges[0], edges[-1] = lo, hi
    counts = []
    for a, b in itertools.pairwise(edges):
        mid = 0.5 * (a + b)
        size = next(s[2] for s in segments if s[0] - MERGE_TOL_M <= mid <= s[1] + MERGE_TOL_M)
        n0 = _ceil((b - a) / size)
        counts.append(_ceil(n0 * refine))
    return Axis(np.asarray(edges, float), np.asarray(counts, np.int64))


@dataclass
class _PatchRule:
    name: str
    sides: tuple[str, ...]
    regions: tuple[str, ...] | None
    lo: tuple[float, float, float] | None
    hi: tuple[float, float, float] | None


@dataclass
class BlockGrid:
    """Tensor-product grid of blocks; each block is void or belongs to one region."""

    x: Axis
    y: Axis
    z: Axis
    names: list[str] = field(default_factory=list)
    _rules: list[_PatchRule] = field(default_factory=list)

    def __post_init__(self) -> None:
        shape = (len(self.x.counts), len(self.y.counts), len(self.z.counts))
        self.block_region = np.full(shape, -1, dtype=np.int32)

    def paint(self, name: str, lo: Sequence[float], hi: Sequence[float]) -> None:
        """Assign every block whose centre lies in the box [lo, hi] to region ``name``.

        Later paints overwrite earlier ones, so carve fluid after painting solid.
        """
        if name not in self.names:
            self.names.append(name)
        rid = self.names.index(name)
        masks = []
        for ax, axis in enumerate((self.x, self.y, self.z)):
            mid = 0.5 * (axis.edges[:-1] + axis.edges[1:])
            masks.append((mid > lo[ax]) & (mid < hi[ax]))
        sel = masks[0][:, None, None] & masks[1][None, :, None] & masks[2][None, None, :]
        self.block_region[sel] = rid

    def add_patch(
        self,
        name: str,
        sides: str | Sequence[str] = "any",
        *,
        regions: Sequence[str] | None = None,
        lo: Sequence[float] | None = None,
        hi: Sequence[float] | None = None,
    ) -> None:
        """Tag boundary faces (cell next to void or outside) as patch ``name``.

        A face matches if its outward normal is one of ``sides`` ("-x" ... "+z"
        or "any"), its cell is in one of ``regions`` and its centre is inside
        [lo, hi]. Rules are applied in order and a face keeps its first match,
        so patches are disjoint (gmsh keeps only one physical tag per element).
        """
        s = tuple(_SIDES) if sides == "any" else ((sides,) if isinstance(sides, str) else tuple(sides))
        for side in s:
            if side not in _SIDES:
                raise ValueError(f"unknown side {side!r}")
        self._rules.append(
            _PatchRule(
                name,
                s,
                None if regions is None else tuple(regions),
                None if lo is None else tuple(float(v) for v in lo),
                None if hi is None else tuple(float(v) for v in hi),
            )
        )

    def n_cells_by_region(self) -> dict[str, int]:
        """Exact cell count per region, without building the mesh."""
        w = self.x.counts[:, None, None] * self.y.counts[None, :, None] * self.z.counts[None, None, :]
        return {n: int(w[self.block_region == i].sum()) for i, n in enumerate(self.names)}

    def n_cells(self) -> int:
        return sum(self.n_cells_by_region().values())

    def build(self) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Return points (n, 3), hexahedra per region and quadrilaterals per patch."""
        bx, by, bz = self.x.cell_block(), self.y.cell_block(), self.z.cell_block()
        cell_region = self.block_region[np.ix_(bx, by, bz)]
        nx, ny, nz = cell_region.shape
        xs, ys, zs = self.x.coords(), self.y.coords(), self.z.coords()

        def node_index(i: np.ndarray, j: np.ndarray, k: np.ndarray) -> np.ndarray:
            return (i * (ny + 1) + j) * (nz + 1) + k

        corner = (
            (0, 0, 0),
            (1, 0, 0),
            (1, 1, 0),
            (0, 1, 0),
            (0, 0, 1),
            (1, 0, 1),
            (1, 1, 1),
            (0, 1, 1),
        )
        region_hex: dict[str, np.ndarray] = {}
        for rid, name in enumerate(self.names):
            i, j, k = np.nonzero(cell_region == rid)
            if len(i) == 0:
                raise ValueError(f"region {name!r} has no cells: geometry does not fit")
            region_hex[name] = np.stack([node_index(i + a, j + b, k + c) for a, b, c in corner], axis=1)

        patch_quads: dict[str, list[np.ndarray]] = {r.name: [] for r in self._rules}
        for side, (ax, sign) in _SIDES.items():
            pad = [(0, 0)] * 3
            pad[ax] = (1, 0) if sign < 0 else (0, 1)
            padded = np.pad(cell_region, pad, constant_values=-1)
            sl = [slice(None)] * 3
            sl[ax] = slice(0, -1) if sign < 0 else slice(1, None)
            neighbour = padded[tuple(sl)]
            ijk = np.nonzero((cell_region >= 0) & (neighbour < 0))
            rid = cell_region[ijk]
            # Cyclic (b, c) after the normal axis so that e_b x e_c = e_ax (outward for +).
            b_ax, c_ax = (ax + 1) % 3, (ax + 2) % 3
            offs = [(0, 0), (1, 0), (1, 1), (0, 1)]
            if sign < 0:
                offs = offs[::-1]
            quad = []
            for ob, oc in offs:
                d = [0, 0, 0]
                d[ax] = 1 if sign > 0 else 0
                d[b_ax], d[c_ax] = ob, oc
                quad.append(node_index(ijk[0] + d[0], ijk[1] + d[1], ijk[2] + d[2]))
            quads = np.stack(quad, axis=1)
            # Face centres for the bounding-box filters.
            cen = np.empty((len(rid), 3))
            for a, coords, idx in ((0, xs, ijk[0]), (1, ys, ijk[1]), (2, zs, ijk[2])):
                if a == ax:
                    cen[:, a] = coords[idx + (1 if sign > 0 else 0)]
                else:
                    cen[:, a] = 0.5 * (coords[idx] + coords[idx + 1])
            free = np.ones(len(rid), bool)
            for rule in self._rules:
                if side not in rule.sides:
                    continue
                m = free.copy()
                if rule.regions is not None:
                    ids = [self.names.index(r) for r in rule.regions]
                    m &= np.isin(rid, ids)
                if rule.lo is not None:
                    m &= np.all(cen >= np.asarray(rule.lo) - MERGE_TOL_M, axis=1)
                if rule.hi is not None:
                    m &= np.all(cen <= np.asarray(rule.hi) + MERGE_TOL_M, axis=1)
                patch_quads[rule.name].append(quads[m])
                free &= ~m
        patches = {}
        for name, parts in patch_quads.items():
            q = np.concatenate(parts) if parts else np.empty((0, 4), np.int64)
            if len(q) == 0:
                raise ValueError(f"patch {name!r} has no faces: geometry does not fit")
            patches[name] = q

        # Keep only nodes used by cells, renumbered in grid order (deterministic).
        used = np.unique(np.concatenate([h.ravel() for h in region_hex.values()]))
        remap = np.full((nx + 1) * (ny + 1) * (nz + 1), -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        ii, rem = np.divmod(used, (ny + 1) * (nz + 1))
        jj, kk = np.divmod(rem, nz + 1)
        points = np.stack([xs[ii], ys[jj], zs[kk]], axis=1)
        region_hex = {n: remap[h] for n, h in region_hex.items()}
        patches = {n: remap[q] for n, q in patches.items()}
        return points, region_hex, patches

    def write(self, path: str | os.PathLike[str], *, model_name: str, binary: bool = False) -> Path:
        """Build the mesh and write it as msh 4.1 through gmsh."""
        from ._gmsh import write_discrete_mesh

        points, regions, patches = self.build()
        return write_discrete_mesh(path, points, regions, patches, model_name=model_name, binary=binary)
