"""Layered cold plates: an OpenCASCADE plan partition swept through z layers.

Most cold plates are "2.5D": a machined channel pattern of constant depth between a floor
and a lid, ports through the lid, a nozzle plate with round holes. Such a part is exactly a
plan drawing (OCC faces: booleans of rectangles, discs, rounded rectangles) swept through a
stack of layers, where each layer says which plan faces are coolant and which are metal.
That is how :mod:`rackflow.meshing.corpus` builds its plates:

1. the generator draws named plan *features* as OCC faces (booleans and fillets in the
   plan), inside a rectangular *outline*;
2. :meth:`LayeredPlate.build` fragments the outline with all features (every plan face
   then knows which features contain it), extrudes the whole partition layer by layer
   (a multi-face OCC extrude shares the lateral faces, so neighbouring volumes are
   conformal), and assigns each volume to a region by its layer's rule;
3. in ``tetra`` mode the volumes are fragmented once more (``occ.fragment``; a no-op for
   this construction, kept because it is what makes any OCC assembly conformal) and meshed
   with gmsh's default tetrahedra; in ``prism`` mode the coolant layers are swept as
   layers of prisms graded towards their floor and ceiling (the thermal and viscous
   boundary layers), the other layers are tetrahedra, and the two meet on shared
   triangles.

gmsh is imported lazily by the caller (``gmsh_session``); nothing here imports it at
module level.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Tetrahedra per unit volume of a gmsh Delaunay mesh of size h is K / h^3. Measured in the
# coolant of the corpus plates with gmsh 4.15.2 (default Algorithm3D, Optimize): 5.2-6.9 (a
# regular tetrahedron would give 8.5; gmsh's are larger than h on average).
TETS_PER_H3 = 6.0
# Triangles per unit area of a gmsh 2D mesh of size h: K / h^2 (equilateral: 2.31).
TRIANGLES_PER_H2 = 2.3
# Solid size over coolant size: the metal needs fewer cells than the coolant's profiles.
SOLID_SIZE_RATIO = 2.0
# ... and at most this much, when the narrowest passage caps the coolant size below the target's.
MAX_SOLID_SIZE_RATIO = 4.0

CELL_KINDS = ("tetra", "prism")

# Wall layers that refine with the mesh (:func:`wall_layers`): first layer a quarter of the
# coolant cell size, growing by at most 1.2. On the straight serpentine channel (RESULTS.md,
# stop 29) this puts the first centre at h / 8, where the hexahedra's Nu converges.
WALL_FIRST_FRACTION = 0.25
WALL_GROWTH = 1.2


@dataclass
class Layer:
    """One slab of the plate between two z levels.

    ``region`` maps the set of feature names containing a plan face to the region of the
    volume swept from it in this layer. ``coolant`` marks layers that hold the coolant's
    main passages (graded prism layers in ``prism`` mode).
    """

    name: str
    thickness_m: float
    region: Callable[[frozenset[str]], str]
    coolant: bool = False


@dataclass
class Built:
    """What :meth:`LayeredPlate.build` made: OCC tags by layer and plan face."""

    z: list[float]
    plan_faces: list[int]
    features_of: dict[int, frozenset[str]]
    volume: list[dict[int, int]]
    bottom: list[dict[int, int]]
    top: list[dict[int, int]]
    region_of_volume: dict[int, str]
    fluid_regions: set[str]
    h_fluid_m: float = 0.0
    h_solid_m: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def volumes_of(self, region: str) -> list[int]:
        """Volume tags of a region."""
        return sorted(v for v, r in self.region_of_volume.items() if r == region)

    def fluid_volumes(self) -> list[int]:
        """Volume tags of every coolant region."""
        return sorted(v for v, r in self.region_of_volume.items() if r in self.fluid_regions)

    def top_faces(self, layer: int, feature: str) -> list[int]:
        """Faces on the top of ``layer`` swept from plan faces inside ``feature``."""
        return sorted(t for f, t in self.top[layer].items() if feature in self.features_of[f])

    def bottom_faces(self, layer: int, feature: str) -> list[int]:
        """Faces on the bottom of ``layer`` swept from plan faces inside ``feature``."""
        return sorted(t for f, t in self.bottom[layer].items() if feature in self.features_of[f])


def _cumulative(sizes: Sequence[float]) -> list[float]:
    """Normalised cumulative sum of layer ``sizes``: heights (0, 1], the last exactly 1."""
    total = sum(sizes)
    out, acc = [], 0.0
    for s in sizes:
        acc += s / total
        out.append(acc)
    out[-1] = 1.0
    return out


def grading(n: int, ratio: float) -> list[float]:
    """Cumulative heights (0, 1] of ``n`` layers growing by ``ratio`` from both walls."""
    half = [ratio**k for k in range((n + 1) // 2)]
    sizes = half + half[::-1][(n % 2) :] if n > 1 else [1.0]
    return _cumulative(sizes)


def wall_layers(
    depth_m: float, size_m: float, *, first_fraction: float = WALL_FIRST_FRACTION, growth: float = WALL_GROWTH
) -> list[float]:
    """Cumulative heights (0, 1] of prism layers across a passage of ``depth_m`` that refine
    with the mesh: the first layer at each wall is ``first_fraction * size_m`` thick, the layers
    grow by at most ``growth`` towards the middle and are never thicker than ``size_m``.

    A fixed layer count keeps the first cell's distance from the wall constant while the plan
    refines, and the wall heat flux then stops converging (RESULTS.md, stop 29): with this rule
    every layer thickness scales with the cell size, so the sweep refines with ``target_cells``.
    The count is the smallest that fills the depth at ``growth``; the actual growth (1 to
    ``growth``) is solved so the layers fill it exactly.
    """
    half = depth_m / 2.0
    first = min(first_fraction * size_m, half)

    def fill(m: int, g: float) -> float:
        return sum(min(first * g**k, size_m) for k in range(m))

    m = 1
    while fill(m, growth) < half * (1 - 1e-12):
        m += 1
    lo, hi = 1.0, growth
    if fill(m, lo) >= half:
        g = 1.0
        first = half / m  # uniform layers: the count alone fills the depth
    else:
        for _ in range(100):
            g = 0.5 * (lo + hi)
            if fill(m, g) < half:
                lo = g
            else:
                hi = g
        g = hi
    sizes = [min(first * g**k, size_m) for k in range(m)]
    return _cumulative(sizes + sizes[::-1])


def sweep_counts(layers: Sequence[Layer], size_m: float) -> dict[int, int]:
    """Prism layers of each coolant layer (by index) swept by :func:`wall_layers` at ``size_m``."""
    return {k: len(wall_layers(layer.thickness_m, size_m)) for k, layer in enumerate(layers) if layer.coolant}


@dataclass
class LayeredPlate:
    """A plate as a plan partition swept through layers (see the module docstring)."""

    outline: int
    features: dict[str, list[int]]
    layers: Sequence[Layer]
    fluid_regions: set[str]
    z0: float = 0.0

    def build(
        self,
        gmsh: Any,
        *,
        cells: str = "tetra",
        prism_layers: int | None = 8,
        prism_growth: float = 1.25,
        layer_size_m: float | None = None,
    ) -> Built:
        """Fragment the plan, sweep it through the layers, fragment the volumes.

        ``cells="prism"`` sweeps the coolant layers as ``prism_layers`` layers of prisms whose
        heights grow by ``prism_growth`` from the floor and the ceiling to the middle; with
        ``layer_size_m`` (the coolant cell size) the layers instead refine with the mesh
        (:func:`wall_layers`: first layer a quarter of it, growth at most 1.2).
        """
        occ = gmsh.model.occ
        names = list(self.features)
        tools = [(2, t) for n in names for t in self.features[n]]
        owners = [n for n in names for _ in self.features[n]]
        out, omap = occ.fragment([(2, self.outline)], tools)
        plan = sorted(t for d, t in out if d == 2)
        members: dict[int, set[str]] = {f: set() for f in plan}
        for owner, children in zip(owners, omap[1:], strict=True):
            for d, t in children:
                if d == 2:
                    members[t].add(owner)
        features_of = {f: frozenset(s) for f, s in members.items()}
        if self.z0:
            occ.translate([(2, f) for f in plan], 0.0, 0.0, self.z0)

        z = [self.z0]
        volume: list[dict[int, int]] = []
        bottom: list[dict[int, int]] = []
        top: list[dict[int, int]] = []
        current = {f: f for f in plan}  # plan face -> face at the current level
        sweep_layers: dict[int, int] = {}
        for k, layer in enumerate(self.layers):
            order = list(plan)
            sweep: dict[str, Any] = {}
            if cells == "prism" and layer.coolant:
                if layer_size_m is None:
                    if prism_layers is None:
                        raise ValueError(
                            "prism_layers=None needs layer_size_m (layers refined with the mesh)"
                        )
                    heights = grading(prism_layers, prism_growth)
                else:
                    heights = wall_layers(layer.thickness_m, layer_size_m)
                sweep = {"numElements": [1] * len(heights), "heights": heights, "recombine": True}
                sweep_layers[k] = len(heights)
            ext = occ.extrude([(2, current[f]) for f in order], 0.0, 0.0, layer.thickness_m, **sweep)
            vols, tops = [], []
            for j, (d, t) in enumerate(ext):
                if d == 3:
                    vols.append(t)
                    tops.append(ext[j - 1][1])
            if len(vols) != len(order):
                raise RuntimeError(
                    "layered plate: OCC extrude returned an unexpected entity list (gmsh bug?)"
                )
            bottom.append({f: current[f] for f in order})
            volume.append(dict(zip(order, vols, strict=True)))
            top.append(dict(zip(order, tops, strict=True)))
            current = dict(zip(order, tops, strict=True))
            z.append(z[-1] + layer.thickness_m)
        region_of_volume: dict[int, str] = {}
        for k, layer in enumerate(self.layers):
            for f, v in volume[k].items():
                region_of_volume[v] = layer.region(features_of[f])
        occ.synchronize()
        if cells == "tetra":
            # Conformal already (one multi-face extrude per layer shares the lateral faces);
            # fragment is what makes any OCC assembly conformal, and checks that it is.
            before = len(gmsh.model.getEntities(2))
            occ.fragment([(3, v) for v in region_of_volume], [])
            occ.synchronize()
            if len(gmsh.model.getEntities(2)) != before or len(gmsh.model.getEntities(3)) != len(
                region_of_volume
            ):
                raise RuntimeError("layered plate: fragment changed a conformal sweep (generator bug)")
        built = Built(
            z=z,
            plan_faces=plan,
            features_of=features_of,
            volume=volume,
            bottom=bottom,
            top=top,
            region_of_volume=region_of_volume,
            fluid_regions=set(self.fluid_regions),
        )
        built.extra["sweep_layers"] = sweep_layers
        return built


def plan_areas(gmsh: Any, built: Built) -> dict[int, float]:
    """Area of every plan face, m²."""
    return {f: gmsh.model.occ.getMass(2, f) for f in built.plan_faces}


def estimate_cells(
    gmsh: Any,
    built: Built,
    layers: Sequence[Layer],
    h_fluid: float,
    cells: str,
    prism_layers: int | dict[int, int] | None,
    solid_ratio: float = SOLID_SIZE_RATIO,
) -> float:
    """Expected number of cells at coolant size ``h_fluid`` (metal ``solid_ratio`` times it);
    ``prism_layers=None``: the layers refined with ``h_fluid`` (:func:`wall_layers`); a dict:
    the layers of each coolant layer by index (as drawn)."""
    area = plan_areas(gmsh, built)
    h_solid = solid_ratio * h_fluid
    n = 0.0
    if isinstance(prism_layers, dict):
        counts = prism_layers
    elif prism_layers is None:
        counts = sweep_counts(layers, h_fluid)
    else:
        counts = {k: prism_layers for k, layer in enumerate(layers) if layer.coolant}
    for k, layer in enumerate(layers):
        if cells == "prism" and layer.coolant:
            count = counts[k]
            # every plan face of a coolant layer is swept into prism_layers prisms per triangle
            for f in built.plan_faces:
                fluid = layer.region(built.features_of[f]) in built.fluid_regions
                # metal faces of a coolant layer take the coolant's size from their walls
                h = h_fluid if fluid else h_fluid * 1.4
                n += TRIANGLES_PER_H2 * area[f] / h**2 * count
            continue
        for f in built.plan_faces:
            fluid = layer.region(built.features_of[f]) in built.fluid_regions
            h = h_fluid if fluid else h_solid
            # a layer thinner than the cell size still gets about one cell across
            eff = max(layer.thickness_m, h / 1.5)
            n += TETS_PER_H3 * area[f] * eff / h**3
    return n


def size_for(estimate: Callable[[float], float], target_cells: float) -> float:
    """The cell size at which a decreasing ``estimate(h)`` of the cell count meets the target."""
    lo, hi = 1e-6, 1.0
    for _ in range(80):
        mid = math.sqrt(lo * hi)
        if estimate(mid) > target_cells:
            lo = mid
        else:
            hi = mid
    return hi


def count_cells(gmsh: Any) -> int:
    """Number of 3D elements of the current mesh."""
    _, tags, _ = gmsh.model.mesh.getElements(3)
    return sum(len(t) for t in tags)


def mesh_to_target(
    gmsh: Any,
    built: Built,
    layers: Sequence[Layer],
    *,
    target_cells: float,
    cells: str,
    prism_layers: int | None,
    h_max: float,
    generate: bool = True,
) -> float:
    """Mesh with about ``target_cells`` cells; return the coolant cell size used.

    The volume estimate (:func:`estimate_cells`) misses by up to a factor of three on thin
    metal layers, which take the coolant's size from the walls they share with it, and the
    count does not scale as h^-3 while cells are as large as the layers. So two trial meshes at
    2 and 1.4 times the estimated size (an eighth and a third of the cells) measure the plate's
    own count law n = a h^-p, and the real mesh is made at the size that law gives. ``h_max``
    (half the narrowest passage) caps the size; where it does, the metal is made coarser (up
    to ``MAX_SOLID_SIZE_RATIO``) towards the target, and a small target may still give more
    cells than asked. ``generate=False`` only finds the size (and the metal ratio, in
    ``built.extra``): with ``prism_layers=None`` the caller redraws the sweep for it first.

    With ``prism_layers=None`` the trial meshes are swept with the layers already drawn, so
    the count law they measure is scaled by the estimate's ratio of the layers at the target
    size to the layers drawn.
    """

    def estimate(h: float, ratio: float = SOLID_SIZE_RATIO) -> float:
        return estimate_cells(gmsh, built, layers, h, cells, prism_layers, ratio)

    h0 = min(size_for(estimate, target_cells), h_max)
    counts = []
    for scale in (2.0, 1.4):
        mesh_layered(gmsh, built, h_fluid=scale * h0)
        counts.append((scale * h0, count_cells(gmsh)))
        gmsh.model.mesh.clear()
    (h1, n1), (h2, n2) = counts
    p = min(max(math.log(n2 / n1) / math.log(h1 / h2), 1.5), 3.5) if n2 > n1 else 3.0
    h = h2 * (n2 / target_cells) ** (1.0 / p)
    if prism_layers is None:
        # the trials are swept with the drawn layers, the plate will be swept with those of h:
        # correct the law by the estimate's ratio (a few fixed-point steps: both depend on h)
        drawn = built.extra["sweep_layers"]
        for _ in range(5):
            fixed = estimate_cells(gmsh, built, layers, h, cells, drawn, SOLID_SIZE_RATIO)
            scale = estimate(h) / fixed if drawn else 1.0
            h = h2 * (n2 * scale / target_cells) ** (1.0 / p)
    ratio = SOLID_SIZE_RATIO
    if h >= h_max:
        h = h_max
        # capped by the narrowest passage: coarser metal (up to MAX_SOLID_SIZE_RATIO) towards the target
        factor = n2 / estimate(h2)
        while ratio < MAX_SOLID_SIZE_RATIO and factor * estimate(h, ratio) > 1.25 * target_cells:
            ratio = min(ratio + 0.25, MAX_SOLID_SIZE_RATIO)
    built.extra["solid_ratio"] = ratio
    if generate:
        mesh_layered(gmsh, built, h_fluid=h, solid_ratio=ratio)
    return h


def mesh_layered(
    gmsh: Any,
    built: Built,
    *,
    h_fluid: float,
    solid_ratio: float = SOLID_SIZE_RATIO,
) -> None:
    """Set the sizes (coolant ``h_fluid``, metal ``solid_ratio`` times it) and mesh in 3D."""
    h_solid = solid_ratio * h_fluid
    built.h_fluid_m, built.h_solid_m = h_fluid, h_solid
    field = gmsh.model.mesh.field
    f = field.add("Constant")
    field.setNumbers(f, "VolumesList", built.fluid_volumes())
    field.setNumber(f, "VIn", h_fluid)
    field.setNumber(f, "VOut", h_solid)
    field.setNumber(f, "IncludeBoundary", 1)
    field.setAsBackgroundMesh(f)
    # sizes come from the field alone: not from points, curvature or the boundary
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
    gmsh.option.setNumber("Mesh.MeshSizeMax", h_solid)
    gmsh.model.mesh.generate(3)
