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


def grading(n: int, ratio: float) -> list[float]:
    """Cumulative heights (0, 1] of ``n`` layers growing by ``ratio`` from both walls."""
    half = [ratio**k for k in range((n + 1) // 2)]
    sizes = half + half[::-1][(n % 2) :] if n > 1 else [1.0]
    total = sum(sizes)
    out, acc = [], 0.0
    for s in sizes:
        acc += s / total
        out.append(acc)
    out[-1] = 1.0
    return out


@dataclass
class LayeredPlate:
    """A plate as a plan partition swept through layers (see the module docstring)."""

    outline: int
    features: dict[str, list[int]]
    layers: Sequence[Layer]
    fluid_regions: set[str]
    z0: float = 0.0

    def build(
        self, gmsh: Any, *, cells: str = "tetra", prism_layers: int = 8, prism_growth: float = 1.25
    ) -> Built:
        """Fragment the plan, sweep it through the layers, fragment the volumes.

        ``cells="prism"`` sweeps the coolant layers as ``prism_layers`` layers of prisms whose
        heights grow by ``prism_growth`` from the floor and the ceiling to the middle.
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
        for layer in self.layers:
            order = list(plan)
            sweep: dict[str, Any] = {}
            if cells == "prism" and layer.coolant:
                sweep = {
                    "numElements": [1] * prism_layers,
                    "heights": grading(prism_layers, prism_growth),
                    "recombine": True,
                }
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
        return Built(
            z=z,
            plan_faces=plan,
            features_of=features_of,
            volume=volume,
            bottom=bottom,
            top=top,
            region_of_volume=region_of_volume,
            fluid_regions=set(self.fluid_regions),
        )


def plan_areas(gmsh: Any, built: Built) -> dict[int, float]:
    """Area of every plan face, m²."""
    return {f: gmsh.model.occ.getMass(2, f) for f in built.plan_faces}


def estimate_cells(
    gmsh: Any,
    built: Built,
    layers: Sequence[Layer],
    h_fluid: float,
    cells: str,
    prism_layers: int,
    solid_ratio: float = SOLID_SIZE_RATIO,
) -> float:
    """Expected number of cells at coolant size ``h_fluid`` (metal ``solid_ratio`` times it)."""
    area = plan_areas(gmsh, built)
    h_solid = solid_ratio * h_fluid
    n = 0.0
    for layer in layers:
        if cells == "prism" and layer.coolant:
            # every plan face of a coolant layer is swept into prism_layers prisms per triangle
            for f in built.plan_faces:
                fluid = layer.region(built.features_of[f]) in built.fluid_regions
                # metal faces of a coolant layer take the coolant's size from their walls
                h = h_fluid if fluid else h_fluid * 1.4
                n += TRIANGLES_PER_H2 * area[f] / h**2 * prism_layers
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
    prism_layers: int,
    h_max: float,
) -> float:
    """Mesh with about ``target_cells`` cells; return the coolant cell size used.

    The volume estimate (:func:`estimate_cells`) misses by up to a factor of three on thin
    metal layers, which take the coolant's size from the walls they share with it, and the
    count does not scale as h^-3 while cells are as large as the layers. So two trial meshes at
    2 and 1.4 times the estimated size (an eighth and a third of the cells) measure the plate's
    own count law n = a h^-p, and the real mesh is made at the size that law gives. ``h_max``
    (half the narrowest passage) caps the size; where it does, the metal is made coarser (up
    to ``MAX_SOLID_SIZE_RATIO``) towards the target, and a small target may still give more
    cells than asked.
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
    ratio = SOLID_SIZE_RATIO
    if h >= h_max:
        h = h_max
        # capped by the narrowest passage: coarser metal (up to MAX_SOLID_SIZE_RATIO) towards the target
        factor = n2 / estimate(h2)
        while ratio < MAX_SOLID_SIZE_RATIO and factor * estimate(h, ratio) > 1.25 * target_cells:
            ratio = min(ratio + 0.25, MAX_SOLID_SIZE_RATIO)
    built.extra["solid_ratio"] = ratio
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
