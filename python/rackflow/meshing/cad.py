"""From CAD to a tagged conjugate-heat-transfer mesh: :func:`from_cad`.

A STEP, BREP or IGES file (or the OpenCASCADE model already open in the caller's gmsh
session) becomes a msh 4.1 file rackflow loads: every volume is fragmented against every other
so metal and coolant share conformal faces, volumes are assigned to regions (coolant and solid)
by name, tag, a point inside, or a callback, boundary faces become patches (``inlet``,
``outlet`` and any others) by name, tag, a plane with optional bounds, or a callback, and the
assembly is meshed in tetrahedra: coolant at ``size_m``, metal coarser.

Selectors (the ``fluid=``, ``solid=``, ``inlet=``, ... arguments) take:

* a name: a CAD label (STEP product or entity name; any ``/``-separated part of gmsh's label
  path matches, and ``*``/``?`` wildcards work), or the name of a physical group of the open
  model;
* an ``int``: an entity tag (volumes in the order the file lists them);
* a string of conditions joined by commas, for surfaces: ``"x=0"`` (lies in the plane x = 0),
  ``"z=0.006,x<0.02"`` (in the plane z = 6 mm with its centre at x < 20 mm); for volumes:
  ``"@0.001,0.012,0.003"`` (the volume piece containing that point after fragment: for a
  channel box drawn inside a plate box, the channel, never the plate it was cut from; a point
  in no volume or on a face is an error) or bounds on the centre of mass;
* a callable receiving a :class:`CadEntity` (tag, name, bounding box, centre, size) and
  returning ``True`` for the entities wanted;
* a list of any of these (their union).

``fluid`` and ``solid`` may also be a mapping ``{region name: selector}``; a plain selector
makes the region ``"fluid"`` (``"solid"``). With ``solid=None`` every volume not selected as
coolant is region ``"solid"``. A volume piece that fragment cut from a coolant volume and a
solid one (coolant channels drawn as boxes inside a plate box, the way most users draw them)
is coolant. Names, tags, conditions and callbacks see the volumes as drawn, before fragment; a
coolant selector matching a drawn volume and another drawn inside it (a plate and its channel)
is an error, since it would make the whole plate coolant. A point selection takes precedence
over the drawn volumes' regions for its piece.
"""

from __future__ import annotations

import fnmatch
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CAD_SUFFIXES = (".step", ".stp", ".brep", ".brp", ".iges", ".igs")
_AXES = {"x": 0, "y": 1, "z": 2}
_CONDITION = re.compile(r"^\s*([xyz])\s*(=|==|<=|>=|<|>)\s*([-+0-9.eE]+)\s*$")


@dataclass(frozen=True)
class CadEntity:
    """A CAD volume (dim 3) or boundary surface (dim 2) as selectors see it. Lengths in m."""

    dim: int
    tag: int
    name: str
    bbox: tuple[float, float, float, float, float, float]
    center: tuple[float, float, float]
    size: float
    groups: tuple[str, ...] = ()

    def within(self, lo: Sequence[float], hi: Sequence[float], tol: float = 1e-9) -> bool:
        """Whether the bounding box lies inside the box [lo, hi] (padded by ``tol``)."""
        b = self.bbox
        return all(b[k] >= lo[k] - tol and b[k + 3] <= hi[k] + tol for k in range(3))


Selector = str | int | Callable[[CadEntity], bool] | Sequence[Any]


def _entity(gmsh: Any, dim: int, tag: int, groups: Mapping[tuple[int, int], tuple[str, ...]]) -> CadEntity:
    occ = gmsh.model.occ
    bbox = tuple(gmsh.model.getBoundingBox(dim, tag))
    try:
        center = tuple(occ.getCenterOfMass(dim, tag))
        size = occ.getMass(dim, tag)
    except Exception:  # a degenerate entity: its box centre will do
        center = tuple((bbox[k] + bbox[k + 3]) / 2 for k in range(3))
        size = 0.0
    return CadEntity(
        dim=dim,
        tag=tag,
        name=gmsh.model.getEntityName(dim, tag),
        bbox=bbox,  # type: ignore[arg-type]
        center=center,  # type: ignore[arg-type]
        size=size,
        groups=groups.get((dim, tag), ()),
    )


def _name_matches(pattern: str, entity: CadEntity) -> bool:
    names = [entity.name, *entity.name.split("/"), *entity.groups]
    return any(n and fnmatch.fnmatchcase(n, pattern) for n in names)


def _conditions(text: str) -> list[tuple[int, str, float]] | None:
    """``"z=0.006,x<0.02"`` -> [(2, '=', 0.006), (0, '<', 0.02)]; None when not conditions."""
    parts = [p for p in re.split(r",|\band\b", text) if p.strip()]
    out = []
    for p in parts:
        m = _CONDITION.match(p)
        if not m:
            return None
        try:
            value = float(m.group(3))
        except ValueError:
            return None
        out.append((_AXES[m.group(1)], m.group(2), value))
    return out or None


def _point(text: str) -> tuple[float, float, float] | None:
    if not text.startswith("@"):
        return None
    try:
        x, y, z = (float(v) for v in text[1:].split(","))
    except ValueError:
        return None
    return (x, y, z)


def is_selector(text: str) -> bool:
    """Whether ``text`` is a geometric selector (conditions or an ``@`` point) rather than a name."""
    return _point(text.strip()) is not None or _conditions(text) is not None


def _predicate(gmsh: Any, selector: Any, what: str, tol: float) -> Callable[[CadEntity], bool]:
    """One selector (not a list) as a predicate on entities."""
    if callable(selector):
        return lambda e: bool(selector(e))
    if isinstance(selector, bool):
        raise ValueError(f"{what}: expecting a name, tag, condition string or callable, got {selector!r}")
    if isinstance(selector, int):
        return lambda e: e.tag == selector
    if isinstance(selector, str):
        point = _point(selector.strip())
        if point is not None:

            def inside(e: CadEntity) -> bool:
                if e.dim != 3:
                    return False
                return bool(gmsh.model.isInside(3, e.tag, list(point)))

            return inside
        conds = _conditions(selector)
        if conds is not None:

            def meets(e: CadEntity) -> bool:
                for axis, op, value in conds:
                    lo, hi, c = e.bbox[axis], e.bbox[axis + 3], e.center[axis]
                    if op in ("=", "=="):
                        # in the plane: flat along the axis (OCC pads boxes by about 1e-7 m)
                        # with the centre on it
                        if not (abs(c - value) <= tol and hi - lo <= 2 * tol + 1e-6):
                            return False
                    elif op == "<" and not c < value:
                        return False
                    elif op == "<=" and not c <= value:
                        return False
                    elif op == ">" and not c > value:
                        return False
                    elif op == ">=" and not c >= value:
                        return False
                return True

            return meets
        return lambda e: _name_matches(selector, e)
    raise ValueError(f"{what}: expecting a name, tag, condition string or callable, got {selector!r}")


def _items(selector: Selector) -> list[Any]:
    return list(selector) if isinstance(selector, list | tuple | set | frozenset) else [selector]


def _select(gmsh: Any, selector: Selector, entities: Sequence[CadEntity], what: str, tol: float) -> list[int]:
    items = _items(selector)
    if not items:
        raise ValueError(f"{what}: the selector is empty")
    preds = [_predicate(gmsh, s, what, tol) for s in items]
    return [e.tag for e in entities if any(p(e) for p in preds)]


def _split_points(
    selector: Selector, what: str
) -> tuple[list[Any], list[tuple[str, tuple[float, float, float]]]]:
    """A volume selector's items as (name/tag/condition/callback items, ``@`` points).

    Names, tags, conditions and callbacks describe the volumes as drawn (names and tags do not
    survive fragment); a point describes the piece of space it is in, so it is resolved after
    fragment against the pieces, never against a drawn volume that fragment replaced."""
    items = _items(selector)
    if not items:
        raise ValueError(f"{what}: the selector is empty")
    drawn: list[Any] = []
    points: list[tuple[str, tuple[float, float, float]]] = []
    for s in items:
        pt = _point(s.strip()) if isinstance(s, str) else None
        if pt is None:
            drawn.append(s)
        else:
            points.append((s, pt))
    return drawn, points


def _distance_to_boundary(gmsh: Any, tag: int, point: Sequence[float]) -> float:
    """Distance from ``point`` to the boundary surfaces of volume ``tag`` (OCC's exact shape
    distance: ``getClosestPoint`` projects on the unbounded surface and may land off the face)."""
    occ = gmsh.model.occ
    if not hasattr(occ, "getDistance"):
        # an older gmsh: the projection on each face's surface, which may fall off the face and
        # so under-estimate (a point near a face's plane may be refused as on the boundary)
        return min(
            (
                math.dist(point, gmsh.model.getClosestPoint(2, abs(s), list(point))[0])
                for _, s in gmsh.model.getBoundary([(3, tag)], oriented=False)
            ),
            default=math.inf,
        )
    p = occ.addPoint(*point)  # OCC-side only: never synchronised, removed below
    try:
        best = math.inf
        for _, s in gmsh.model.getBoundary([(3, tag)], oriented=False):
            d = occ.getDistance(0, p, 2, abs(s))[0]
            if d >= 0:
                best = min(best, d)
        return best
    finally:
        occ.remove([(0, p)])


def _piece_at(
    gmsh: Any, pieces: Sequence[int], point: Sequence[float], what: str, text: str, tol: float, label: str
) -> int:
    """The volume piece strictly containing ``point``; a MeshError when none does or the point
    is on a boundary (within ``tol``), naming the selector and the nearest pieces."""
    from rackflow.errors import MeshError

    dist = {t: _distance_to_boundary(gmsh, t, point) for t in pieces}
    inside = [t for t in pieces if gmsh.model.isInside(3, t, list(point))]
    mm = ", ".join(f"{v * 1e3:.3f}" for v in point)
    if not inside:
        near = sorted(pieces, key=lambda t: dist[t])[:2]
        raise MeshError(
            f"{label}: {what}: the point {text!r} ({mm}) mm is in no volume; the nearest pieces are "
            f"{_describe([_entity(gmsh, 3, t, {}) for t in near])} "
            f"({', '.join(f'{dist[t] * 1e3:.3f}' for t in near)} mm away)"
        )
    on_face = [t for t in inside if dist[t] <= tol]
    if len(inside) > 1 or on_face:
        touching = sorted(set(inside) | set(on_face))
        raise MeshError(
            f"{label}: {what}: the point {text!r} ({mm}) mm lies on the boundary of the pieces "
            f"{_describe([_entity(gmsh, 3, t, {}) for t in touching])}; give a point strictly inside "
            "the wanted volume"
        )
    return inside[0]


def _is_open(patch: str) -> bool:
    """Whether a patch is an inlet or outlet (coolant faces the flow crosses)."""
    return patch in ("inlet", "outlet") or patch.startswith(("inlet_", "outlet_"))


def _regions(spec: Any, default: str) -> dict[str, Any]:
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        if not spec:
            raise ValueError(f"{default}: the mapping of regions is empty")
        return {str(k): v for k, v in spec.items()}
    return {default: spec}


def _describe(entities: Sequence[CadEntity]) -> str:
    def one(e: CadEntity) -> str:
        name = f" '{e.name}'" if e.name else ""
        c = ", ".join(f"{v * 1e3:.3f}" for v in e.center)
        return f"{e.tag}{name} (centre ({c}) mm)"

    shown = ", ".join(one(e) for e in entities[:12])
    return shown + (f", … ({len(entities)} in all)" if len(entities) > 12 else "")


# Boundary layers on the coolant's walls (``from_cad(boundary_layers=...)``): prisms grown
# from the wall triangles along the mesh normals (gmsh's 3D boundary-layer extrusion), tetrahedra
# in the core. The stack must stay thinner than the wall cells: at a concave corner (a channel's
# floor meeting its side) the offset walls fold once it is about as thick as the wall spacing
# there, and gmsh's node normals (the mean of the touching triangles' normals, so skewed towards
# the wall with more triangles at a corner node) make that less than h: on the straight channel's
# 90° corners two layers of 0.44 h in all mesh at h = 0.6 and 0.4 mm, 0.55 h folds at 0.6 mm
# (and on the serpentine plate at 1 mm), 0.91 h at 0.4 mm. So the layers refine with the mesh
# (like ``_layered.wall_layers``, whose first layer is h / 4, growth at most 1.2) but stay thin.
# Curved walls fold sooner, without an error from gmsh: on the serpentine plate's bends two layers
# from h / 6 (0.37 h) leave 16 prisms inside out at 1 mm and 11 at 0.8 mm, two from h / 10
# (0.22 h) none; :meth:`_Grown.check_layers` refuses folded prisms. By default: two layers from
# h / 10 growing by 1.2 (0.22 h in all); at most 0.5 h.
LAYER_KEYS = ("first_layer_m", "layers", "growth")
AUTO_FIRST_LAYER = 1 / 10  # of the coolant cell size
AUTO_LAYER_STACK = 0.25  # the default layers fill at most this much of the coolant cell size
MAX_LAYER_STACK = 0.5  # of the coolant cell size


def layer_heights(spec: Mapping[str, Any] | str, size_m: float) -> list[float]:
    """Cumulative heights (m) of the prism layers a ``boundary_layers`` mapping asks for at the
    coolant cell size ``size_m``.

    Keys (each optional, ``"auto"`` the same as leaving it out):

    ``first_layer_m``
        Height of the layer on the wall; auto: ``size_m / 10`` (the first coolant centre at
        ``size_m / 20``).
    ``growth``
        Ratio of each layer's height to the one below, 1 to 2; auto 1.2.
    ``layers``
        Number of layers; auto: as many as fit in ``0.25 * size_m`` (2 with the other keys auto:
        0.22 ``size_m`` in all).

    The stack may not be thicker than ``0.5 * size_m``: thicker, the offset walls fold over at
    concave corners (ValueError naming the keys; measured in the module's comment).
    """
    from . import _checks as ck

    if isinstance(spec, str):
        if spec != "auto":
            raise ValueError(f"boundary_layers: expecting a mapping of {LAYER_KEYS} or 'auto', got {spec!r}")
        spec = {}
    if not isinstance(spec, Mapping):
        raise ValueError(f"boundary_layers: expecting a mapping of {LAYER_KEYS}, got {spec!r}")
    unknown = sorted(str(k) for k in spec if k not in LAYER_KEYS)
    if unknown:
        raise ValueError(f"boundary_layers: unknown key(s) {unknown}; the keys are {list(LAYER_KEYS)}")

    def given(key: str) -> Any:
        v = spec.get(key, "auto")
        return None if v is None or (isinstance(v, str) and v == "auto") else v

    first = given("first_layer_m")
    first = (
        AUTO_FIRST_LAYER * size_m if first is None else ck.positive("boundary_layers['first_layer_m']", first)
    )
    growth = given("growth")
    growth = 1.2 if growth is None else ck.positive("boundary_layers['growth']", growth)
    if not 1.0 <= growth <= 2.0:
        raise ValueError(f"boundary_layers['growth'] must be between 1 and 2, got {growth!r}")
    n = given("layers")
    if n is None:
        n, total = 0, 0.0
        while n == 0 or total + first * growth**n <= AUTO_LAYER_STACK * size_m:
            total += first * growth**n
            n += 1
    else:
        n = ck.positive_int("boundary_layers['layers']", n)
    heights, acc = [], 0.0
    for k in range(n):
        acc += first * growth**k
        heights.append(acc)
    if heights[-1] > MAX_LAYER_STACK * size_m * (1 + 1e-9):
        raise ValueError(
            f"boundary_layers: {n} layers from first_layer_m {first * 1e3:.4g} mm growing by {growth:g} "
            f"stack {heights[-1] * 1e3:.4g} mm, more than {MAX_LAYER_STACK:g} x size_m "
            f"({MAX_LAYER_STACK * size_m * 1e3:.4g} mm): thicker layers fold over at concave corners "
            "of the walls; use fewer layers, a thinner first_layer_m or a larger size_m"
        )
    return heights


@dataclass
class _Grown:
    """What :func:`_grow_layers` made: the coolant's new volumes by region, and the open faces
    (inlets, outlets) it replaced, to find their new pieces once meshed."""

    volumes: dict[str, list[int]]
    open_faces: dict[int, tuple[str, tuple[float, ...], tuple[float, ...], tuple[float, ...]]]
    rims: set[int]
    caps: set[int]
    stack_m: float
    old_surfaces: set[int]
    layer_volumes: list[int]

    def open_patches(self, gmsh: Any, tol: float, label: str) -> dict[str, list[int]]:
        """The surfaces now covering each open face: the caps, and the layers' side faces grown
        from the open faces' rims (not those grown from a seam, inside a layer), each given to
        the face whose plane holds its mesh nodes and whose bounding box its centre.

        A curved wall's triangles are chords, so their normals lean out of the inlet's plane at
        its rim (on a 4 mm port at 0.8 mm cells the layers' edge ends 0.012 mm off the plane):
        nodes up to ``0.3 * stack_m`` off are projected back onto the plane, so the patch is the
        CAD face exactly; further off is an error (a wall meeting the face at an angle)."""
        import numpy as np

        from rackflow.errors import MeshError

        snap = max(tol, 0.3 * self.stack_m)
        out: dict[str, list[int]] = {}
        for _, s in gmsh.model.getEntities(2):
            sides = {abs(c) for _, c in gmsh.model.getBoundary([(2, s)], oriented=False)}
            if s not in self.caps and (
                s in self.old_surfaces
                or len(gmsh.model.getAdjacencies(2, s)[0]) != 1
                or not sides & self.rims
            ):
                continue
            nodes, xyz, _ = gmsh.model.mesh.getNodes(2, s, includeBoundary=True)
            x = np.asarray(xyz).reshape(-1, 3)
            hits, worst = [], math.inf
            for face, (name, p0, normal, bbox) in self.open_faces.items():
                off = float(np.abs((x - np.asarray(p0)) @ np.asarray(normal)).max())
                worst = min(worst, off)
                c = x.mean(axis=0)
                inside = all(bbox[k] - snap <= c[k] <= bbox[k + 3] + snap for k in range(3))
                if off <= snap and inside:
                    hits.append((face, name))
            if len(hits) != 1:
                raise MeshError(
                    f"{label}: boundary_layers: the open coolant surface {s} (centre "
                    f"{', '.join(f'{v * 1e3:.3f}' for v in x.mean(axis=0))} mm) lies on "
                    f"{'no' if not hits else 'more than one'} inlet/outlet face"
                    + (
                        f" (nearest plane {worst * 1e3:.4g} mm away): the layers left the face's plane, "
                        "which happens where a wall meets an inlet or outlet face at an angle other than "
                        "90°; mesh without boundary_layers there"
                        if not hits
                        else ""
                    )
                )
            face, name = hits[0]
            _, p0, normal, _ = self.open_faces[face]
            n = np.asarray(normal) / np.linalg.norm(normal)
            d = (x - np.asarray(p0)) @ n
            for tag, xi, di in zip(nodes, x, d, strict=True):
                if di != 0.0:
                    gmsh.model.mesh.setNode(int(tag), list(xi - di * n), [])
            out.setdefault(name, []).append(s)
        return out

    def check_layers(self, gmsh: Any, label: str) -> None:
        """Refuse prisms turned inside out: where walls crowd each other (a concave corner, a
        narrow gap) gmsh's extrusion can fold a layer without an error of its own."""
        import numpy as np

        from rackflow.errors import MeshError

        bad, total, where = 0, 0, []
        for v in self.layer_volumes:
            _, tags, nodes = gmsh.model.mesh.getElements(3, v)
            for el, nd in zip(tags, nodes, strict=True):
                if len(el) == 0:
                    continue
                q = np.asarray(gmsh.model.mesh.getElementQualities(el, "minSJ"))
                total += len(el)
                folded = np.flatnonzero(q <= 0.0)
                bad += len(folded)
                per = len(nd) // len(el)
                for k in folded[: max(0, 3 - len(where))]:
                    xyz = [gmsh.model.mesh.getNode(int(n))[0] for n in nd[k * per : (k + 1) * per]]
                    where.append(np.mean(xyz, axis=0))
        if bad:
            at = "; ".join(", ".join(f"{c * 1e3:.3f}" for c in x) for x in where)
            raise MeshError(
                f"{label}: boundary_layers: {bad} of the {total} layer prisms are folded (inside out), e.g. at "
                f"({at}) mm: the layers of {self.stack_m * 1e3:.4g} mm crowd there (a concave corner or a "
                "narrow gap); use fewer or thinner layers (keys 'layers', 'first_layer_m') or a smaller size_m"
            )


def _face_point(gmsh: Any, s: int) -> tuple[list[float], list[float]] | None:
    """A point on face ``s`` (inside its trim) and the face's normal there."""
    lo, hi = gmsh.model.getParametrizationBounds(2, s)
    for k in range(1, 64):
        # a low-discrepancy walk over the parameter box: the middle first
        a, b = (0.5 + k * 0.618034) % 1.0 if k > 1 else 0.5, (0.5 + k * 0.754878) % 1.0 if k > 1 else 0.5
        uv = [lo[0] + a * (hi[0] - lo[0]), lo[1] + b * (hi[1] - lo[1])]
        if gmsh.model.isInside(2, s, uv, parametric=True):
            return list(gmsh.model.getValue(2, s, uv)), list(gmsh.model.getNormal(s, uv))
    return None


def _grow_layers(
    gmsh: Any,
    *,
    coolant: set[int],
    region_of: Mapping[int, str],
    open_faces: Mapping[int, str],
    heights: Sequence[float],
    size_m: float,
    label: str,
) -> _Grown:
    """Replace the coolant volumes by prism layers grown from their walls and a core volume.

    Walls are every boundary face of the coolant except the open faces (inlets, outlets) and
    faces between two coolant pieces; they keep their tags, so the metal's side and the wall
    patches are untouched. Each wall is extruded into the coolant along the smoothed mesh
    normals (gmsh's ``extrudeBoundaryLayer``, one call so the layers of neighbouring walls share
    their side faces); the holes the layers leave at the open faces are closed by plane caps,
    and the caps with the layers' tops bound the core, meshed in tetrahedra."""
    from rackflow.errors import MeshError

    model, occ, geo = gmsh.model, gmsh.model.occ, gmsh.model.geo
    # coolant pieces touching through a face form one passage
    parent = {p: p for p in coolant}

    def root(p: int) -> int:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    faces_of = {p: sorted({abs(t) for _, t in model.getBoundary([(3, p)], oriented=False)}) for p in coolant}
    internal: set[int] = set()
    for p in coolant:
        for s in faces_of[p]:
            up = [int(v) for v in model.getAdjacencies(2, s)[0]]
            if len(up) == 2 and all(v in coolant for v in up):
                internal.add(s)
                parent[root(up[0])] = root(up[1])
    passages: dict[int, list[int]] = {}
    for p in coolant:
        passages.setdefault(root(p), []).append(p)
    for pieces in passages.values():
        regions = sorted({region_of[p] for p in pieces})
        if len(regions) > 1:
            raise NotImplementedError(
                f"{label}: boundary_layers: coolant regions {regions} touch; layers are grown for "
                "coolant regions that do not share a face (make them one region, or mesh without "
                "boundary_layers)"
            )
    record: dict[int, tuple[str, tuple[float, ...], tuple[float, ...], tuple[float, ...]]] = {}
    for s, name in open_faces.items():
        if model.getType(2, s) != "Plane":
            raise NotImplementedError(
                f"{label}: boundary_layers: patch '{name}' face {s} is a {model.getType(2, s)} surface; "
                "layers are grown up to plane inlet and outlet faces only"
            )
        loops, _ = occ.getCurveLoops(s)
        if len(loops) != 1:
            raise NotImplementedError(
                f"{label}: boundary_layers: patch '{name}' face {s} has {len(loops) - 1} hole(s); layers "
                "are grown up to inlet and outlet faces bounded by one loop only"
            )
        at = _face_point(gmsh, s)
        if at is None:
            raise MeshError(f"{label}: boundary_layers: no point found on patch '{name}' face {s}")
        record[s] = (name, tuple(at[0]), tuple(at[1]), tuple(model.getBoundingBox(2, s)))
    eps = 1e-3 * size_m
    walls: list[tuple[int, int, int]] = []  # (signed face for the extrusion, piece, passage)
    for p in sorted(coolant):
        for s in faces_of[p]:
            if s in internal or s in open_faces:
                continue
            at = _face_point(gmsh, s)
            if at is None:
                raise MeshError(f"{label}: boundary_layers: no point found on coolant wall {s}")
            x, n = at
            ahead = model.isInside(3, p, [x[k] + eps * n[k] for k in range(3)])
            behind = model.isInside(3, p, [x[k] - eps * n[k] for k in range(3)])
            if bool(ahead) == bool(behind):
                raise MeshError(
                    f"{label}: boundary_layers: cannot tell which side of wall {s} is coolant "
                    f"(at {', '.join(f'{v * 1e3:.3f}' for v in x)} mm)"
                )
            # gmsh extrudes along the face's normal, the opposite for a negative tag
            walls.append((s if ahead else -s, p, root(p)))
    if not walls:
        raise MeshError(f"{label}: boundary_layers: the coolant has no walls")

    # the open faces' rims: the layers' side faces grown from them make up the inlets and outlets
    rims = {abs(c) for s in open_faces for _, c in model.getBoundary([(2, s)], oriented=False)}
    all_caps: set[int] = set()
    occ.remove([(3, p) for p in sorted(coolant)])
    occ.remove([(2, s) for s in sorted(set(open_faces) | internal)], recursive=True)
    occ.synchronize()
    old_surfaces = {t for _, t in model.getEntities(2)}  # the metal's faces among them share the rims
    lateral = gmsh.option.getNumber("Geometry.ExtrudeReturnLateralEntities")
    gmsh.option.setNumber("Geometry.ExtrudeReturnLateralEntities", 0)
    try:
        made = geo.extrudeBoundaryLayer(
            [(2, s) for s, _, _ in walls], [1] * len(heights), list(heights), True
        )
    finally:
        gmsh.option.setNumber("Geometry.ExtrudeReturnLateralEntities", lateral)
    tops = [t for d, t in made if d == 2]
    layer_vols = [t for d, t in made if d == 3]
    if len(tops) != len(walls) or len(layer_vols) != len(walls):
        raise MeshError(
            f"{label}: boundary_layers: gmsh extruded {len(walls)} walls into {len(tops)} tops and "
            f"{len(layer_vols)} volumes"
        )
    geo.synchronize()
    volumes: dict[str, list[int]] = {}
    for (_, p, _), v in zip(walls, layer_vols, strict=True):
        volumes.setdefault(region_of[p], []).append(v)
    for passage, pieces in sorted(passages.items()):
        mine = [t for (_, _, q), t in zip(walls, tops, strict=True) if q == passage]
        rim = [c for _, c in model.getBoundary([(2, t) for t in mine])]
        caps = [geo.addPlaneSurface([loop]) for loop in (geo.addCurveLoops(rim) if rim else [])]
        all_caps.update(caps)
        expected = sum(1 for s in open_faces if any(s in faces_of[p] for p in pieces))
        if len(caps) != expected:
            raise MeshError(
                f"{label}: boundary_layers: the layers of the coolant passage with piece(s) {sorted(pieces)} "
                f"leave {len(caps)} openings for its {expected} inlet/outlet faces"
            )
        core = geo.addVolume([geo.addSurfaceLoop(mine + caps)])
        volumes.setdefault(region_of[pieces[0]], []).append(core)
    geo.synchronize()
    return _Grown(
        volumes=volumes,
        open_faces=record,
        rims=rims,
        caps=all_caps,
        stack_m=heights[-1],
        old_surfaces=old_surfaces,
        layer_volumes=layer_vols,
    )


def from_cad(
    cad: str | os.PathLike[str] | None,
    *,
    fluid: Selector | Mapping[str, Selector],
    solid: Selector | Mapping[str, Selector] | None = None,
    inlet: Selector | None = None,
    outlet: Selector | None = None,
    patches: Mapping[str, Selector] | None = None,
    out: str | os.PathLike[str] | None = None,
    size_m: float | None = None,
    solid_size_m: float | None = None,
    boundary_layers: Mapping[str, Any] | None = None,
    binary: bool = False,
) -> Path:
    """Mesh a CAD assembly as a tagged conjugate-heat-transfer mesh (msh 4.1).

    Parameters
    ----------
    cad
        A ``.step``/``.stp``, ``.brep`` or ``.iges`` file, or ``None`` for the OpenCASCADE model
        open in the caller's gmsh session (the model is fragmented and meshed in place; the
        session stays open).
    fluid
        The coolant volumes: a selector (region ``"fluid"``) or ``{region: selector}``.
    solid
        The metal volumes, likewise (region ``"solid"``); ``None``: every other volume is
        ``"solid"``. Volumes left over when ``solid`` is given are an error.
    inlet, outlet
        Coolant boundary faces of the ``inlet`` and ``outlet`` patches.
    patches
        More patches ``{name: selector}`` (e.g. ``{"inlet_2": ..., "heated": "z=0"}``); any
        boundary faces of the assembly. A face may belong to one patch only.
    out
        The ``.msh`` file to write; default: ``cad`` with the suffix ``.msh``.
    size_m
        Coolant cell size, m; default a fiftieth of the assembly's largest extent.
    solid_size_m
        Metal cell size, m; default twice ``size_m``.
    boundary_layers
        Prism layers on the coolant's walls, tetrahedra in its core: ``{}`` or ``"auto"`` for
        the defaults, or a mapping with the keys ``first_layer_m`` (default ``size_m / 10``),
        ``growth`` (1 to 2, default 1.2) and ``layers`` (default: as many as fit in
        ``0.25 * size_m``, 2 with the other defaults); see :func:`layer_heights`. Every coolant
        face that is not an inlet or outlet (``inlet``, ``outlet``, ``inlet_*``, ``outlet_*``)
        grows layers into the coolant along the smoothed wall normals (gmsh's 3D boundary-layer
        extrusion); the wall triangles stay shared with the metal, the layers' side faces and a
        remeshed cap make up each inlet and outlet. The stack refines with ``size_m`` and may be
        at most ``0.5 * size_m`` thick (thicker layers fold over at concave corners). Supported:
        plane inlet and outlet faces bounded by one loop, met by the walls at right angles (the
        layers must stay in the face's plane), and coolant regions that do not touch each other;
        anything else raises ``NotImplementedError`` or ``MeshError`` saying which face.
    binary
        Write binary msh 4.1.

    Returns
    -------
    pathlib.Path
        The written mesh: regions from ``fluid`` and ``solid``, patches from ``inlet``,
        ``outlet`` and ``patches``; other boundary faces are untagged (adiabatic walls).

    Raises
    ------
    rackflow.errors.MeshError
        The file has no volumes; a selector matches nothing (listing the volumes or surfaces
        there are, with tags, names and centres); an ``@`` point is in no volume or on a face
        (naming the nearest volumes); a coolant selector matches a volume and another drawn
        inside it; a drawn volume is selected by two regions, a volume piece belongs to two
        fluid or two solid regions, or two regions' points select one piece (each naming both
        regions); a region is left with no volume;
        volumes are left without a region; a patch selects faces that are not on the boundary
        of the assembly or of the coolant (inlets and outlets).
    ValueError
        Bad arguments (selector types, sizes).
    FileNotFoundError
        ``cad`` does not exist.
    """
    from rackflow.errors import MeshError

    from . import _checks as ck
    from ._gmsh import gmsh_session, quiet_stdout, require_gmsh, write_msh

    h = None if size_m is None else ck.positive("size_m", size_m)
    hs = None if solid_size_m is None else ck.positive("solid_size_m", solid_size_m)
    if boundary_layers is not None:
        layer_heights(boundary_layers, h if h is not None else 1.0)  # bad keys fail before gmsh runs
    fluid_regions = _regions(fluid, "fluid")
    if not fluid_regions:
        raise ValueError("fluid: give the coolant volumes (a selector or {region: selector})")
    solid_regions = _regions(solid, "solid")
    clash = set(fluid_regions) & set(solid_regions)
    if clash:
        raise ValueError(f"regions {sorted(clash)} are named both fluid and solid")
    patch_specs: dict[str, Any] = {}
    if inlet is not None:
        patch_specs["inlet"] = inlet
    if outlet is not None:
        patch_specs["outlet"] = outlet
    for name, sel in (patches or {}).items():
        if name in patch_specs:
            raise ValueError(f"patches: '{name}' is given twice")
        patch_specs[str(name)] = sel

    if cad is not None:
        source = Path(cad)
        if not source.is_file():
            raise FileNotFoundError(f"CAD file not found: {source}")
        if source.suffix.lower() not in CAD_SUFFIXES:
            raise ValueError(f"cad: expecting one of {CAD_SUFFIXES}, got {source.name!r}")
        target = Path(out) if out is not None else source.with_suffix(".msh")
        label = str(source)
    else:
        if out is None:
            raise ValueError("out: give the .msh file to write when meshing the open gmsh model")
        target = Path(out)
        label = "the open gmsh model"
    if target.suffix != ".msh":
        raise ValueError(f"out: expected a .msh file name, got {str(target)!r}")

    gmsh = require_gmsh()
    if cad is None and not gmsh.isInitialized():
        raise MeshError("from_cad(None, ...) meshes the open gmsh model, but gmsh is not initialised")
    with gmsh_session("from_cad") if cad is not None else _open_model(gmsh) as g:
        occ = g.model.occ
        if cad is not None:
            g.option.setNumber("Geometry.OCCImportLabels", 1)
            with quiet_stdout():
                occ.importShapes(str(source), highestDimOnly=True)
        occ.synchronize()
        groups: dict[tuple[int, int], list[str]] = {}
        for d, ptag in g.model.getPhysicalGroups():
            pname = g.model.getPhysicalName(d, ptag)
            for t in g.model.getEntitiesForPhysicalGroup(d, ptag):
                groups.setdefault((d, int(t)), []).append(pname)
        group_names = {k: tuple(v) for k, v in groups.items()}
        volumes = [_entity(g, 3, t, group_names) for _, t in g.model.getEntities(3)]
        if not volumes:
            raise MeshError(f"{label}: no volumes (solids) found; from_cad needs a solid model, not surfaces")
        lo = [min(v.bbox[k] for v in volumes) for k in range(3)]
        hi = [max(v.bbox[k + 3] for v in volumes) for k in range(3)]
        extent = max(hi[k] - lo[k] for k in range(3))
        tol = 1e-6 * extent

        # regions of the drawn volumes, by name, tag, condition or callback; @points wait for the pieces
        chosen: dict[int, list[tuple[str, bool]]] = {v.tag: [] for v in volumes}
        drawn_by: dict[str, list[int]] = {}
        point_specs: list[tuple[str, bool, str, tuple[float, float, float], Any]] = []
        for is_fluid, specs in ((True, fluid_regions), (False, solid_regions)):
            for region, sel in specs.items():
                what = f"{'fluid' if is_fluid else 'solid'} region '{region}'"
                drawn, points = _split_points(sel, what)
                tags = _select(g, drawn, volumes, what, tol) if drawn else []
                if drawn and not tags:
                    raise MeshError(
                        f"{label}: {what} selects no volume "
                        f"(selector {sel!r}); the volumes are: {_describe(volumes)}"
                    )
                drawn_by[region] = tags
                for t in tags:
                    for other, _ in chosen[t]:
                        raise MeshError(
                            f"{label}: volume {_describe([next(v for v in volumes if v.tag == t)])} is "
                            f"selected by regions '{other}' and '{region}'; select each volume for one "
                            "region only"
                        )
                    chosen[t].append((region, is_fluid))
                point_specs += [(region, is_fluid, text, pt, what) for text, pt in points]

        # group names do not survive fragment: drop the physical groups, we make our own
        g.model.removePhysicalGroups()
        old = [(3, v.tag) for v in volumes]
        _, children = occ.fragment(old, [])
        occ.synchronize()
        piece_regions: dict[int, set[tuple[str, bool]]] = {}
        pieces_of: dict[int, set[int]] = {}
        for (_, parent), kids in zip(old, children, strict=True):
            pieces_of[parent] = {t for d, t in kids if d == 3}
            for t in pieces_of[parent]:
                piece_regions.setdefault(t, set()).update(chosen[parent])
        by_tag = {v.tag: v for v in volumes}
        for region in fluid_regions:
            # a coolant selector that matches a drawn volume and another drawn inside it (a
            # condition or callback matching the plate as well as its channel) would make the
            # whole outer volume coolant: say so rather than mesh it
            tags = drawn_by.get(region, [])
            for a in tags:
                for b in tags:
                    if a != b and pieces_of[b] < pieces_of[a]:
                        raise MeshError(
                            f"{label}: fluid region '{region}' (selector {fluid_regions[region]!r}) selects "
                            f"volume {_describe([by_tag[a]])} and volume {_describe([by_tag[b]])} drawn "
                            f"inside it, so all of volume {a} would be coolant; select only the coolant "
                            "volume (by name, tag or a point inside it)"
                        )
        # @points: the piece containing the point, which takes precedence over the drawn volumes'
        # regions (a point in a channel drawn inside a plate is in the channel's piece only)
        direct: dict[int, dict[str, bool]] = {}
        pieces = sorted(piece_regions)
        for region, is_fluid, text, pt, what in point_specs:
            t = _piece_at(g, pieces, pt, what, text, tol, label)
            direct.setdefault(t, {})[region] = is_fluid
        for t, regs in direct.items():
            if len(regs) > 1:
                raise MeshError(
                    f"{label}: the volume piece {_describe([_entity(g, 3, t, {})])} is selected by regions "
                    f"{sorted(regs)}; select each volume for one region only"
                )
            piece_regions[t] = set(regs.items())
        region_of: dict[int, str] = {}
        left: list[int] = []
        for piece, regs in sorted(piece_regions.items()):
            fl = sorted(r for r, f in regs if f)
            so = sorted(r for r, f in regs if not f)
            if len(fl) > 1 or (not fl and len(so) > 1):
                both = fl if len(fl) > 1 else so
                e = _entity(g, 3, piece, {})
                raise MeshError(
                    f"{label}: the volume piece {_describe([e])} lies in regions {both}; "
                    "select each volume for one region only"
                )
            if fl:
                region_of[piece] = fl[0]
            elif so:
                region_of[piece] = so[0]
            elif solid is None:
                region_of[piece] = "solid"
            else:
                left.append(piece)
        if left:
            raise MeshError(
                f"{label}: volumes {_describe([_entity(g, 3, t, {}) for t in left])} are in no region; "
                "add them to solid= (or fluid=), or pass solid=None to make every other volume 'solid'"
            )
        for region in [*fluid_regions, *solid_regions]:
            if region not in region_of.values():
                spec = fluid_regions.get(region, solid_regions.get(region))
                raise MeshError(
                    f"{label}: region '{region}' (selector {spec!r}) is left with no volume: every piece "
                    "it selects went to another region (coolant takes a piece drawn in both, a point "
                    "its piece)"
                )
        coolant = {t for t, r in region_of.items() if r in fluid_regions}

        # boundary faces of the assembly (one volume on one side), with their volume
        outer: dict[int, int] = {}
        for _, s in g.model.getEntities(2):
            up, _ = g.model.getAdjacencies(2, s)
            if len(up) == 1:
                outer[s] = int(up[0])
        surfaces = [_entity(g, 2, s, group_names) for s in sorted(outer)]
        patch_faces: dict[str, list[int]] = {}
        owner: dict[int, str] = {}
        for name, sel in patch_specs.items():
            tags = _select(g, sel, surfaces, f"patch '{name}'", tol)
            if _is_open(name):
                tags = [t for t in tags if outer[t] in coolant]
                pool = [s for s in surfaces if outer[s.tag] in coolant]
            else:
                pool = surfaces
            if not tags:
                raise MeshError(
                    f"{label}: patch '{name}' selects no {'coolant ' if pool is not surfaces else ''}boundary face "
                    f"(selector {sel!r}); the candidates are: {_describe(pool)}"
                )
            for t in tags:
                if t in owner:
                    raise MeshError(
                        f"{label}: boundary face {t} is selected by patches '{owner[t]}' and '{name}'"
                    )
                owner[t] = name
            patch_faces[name] = tags

        from ._gmsh import add_physical

        h_fluid = h if h is not None else extent / 50
        h_solid = hs if hs is not None else 2 * h_fluid
        if not math.isfinite(h_fluid) or h_fluid <= 0:
            raise MeshError(f"{label}: the assembly has no extent")
        grown = None
        volumes_of = {r: sorted(t for t, q in region_of.items() if q == r) for r in set(region_of.values())}
        if boundary_layers is not None:
            open_faces = {t: n for n, tags in patch_faces.items() if _is_open(n) for t in tags}
            grown = _grow_layers(
                g,
                coolant=coolant,
                region_of=region_of,
                open_faces=open_faces,
                heights=layer_heights(boundary_layers, h_fluid),
                size_m=h_fluid,
                label=label,
            )
            volumes_of.update({r: sorted(v) for r, v in grown.volumes.items()})
            coolant = {t for r in fluid_regions for t in volumes_of.get(r, [])}
            patch_faces = {n: tags for n, tags in patch_faces.items() if not _is_open(n)}
        for region in [*fluid_regions, *solid_regions, *(["solid"] if solid is None else [])]:
            if volumes_of.get(region):
                add_physical(3, volumes_of[region], region)
        for name, tags in patch_faces.items():
            add_physical(2, tags, name)

        field = g.model.mesh.field
        f = field.add("Constant")
        field.setNumbers(f, "VolumesList", sorted(coolant))
        field.setNumber(f, "VIn", h_fluid)
        field.setNumber(f, "VOut", h_solid)
        field.setNumber(f, "IncludeBoundary", 1)
        field.setAsBackgroundMesh(f)
        g.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
        g.option.setNumber("Mesh.MeshSizeFromPoints", 0)
        g.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
        g.option.setNumber("Mesh.MeshSizeMax", max(h_fluid, h_solid))
        if grown is None:
            g.model.mesh.generate(3)
            return write_msh(target, binary=binary)
        try:
            with quiet_stdout():
                g.model.mesh.generate(3)
        except Exception as err:
            raise MeshError(
                f"{label}: boundary_layers: gmsh could not mesh the coolant with layers of "
                f"{layer_heights(boundary_layers, h_fluid)[-1] * 1e3:.4g} mm in all ({err}); the layers "
                "may cross where walls are closer than twice that or at a sharp concave corner: use "
                "fewer or thinner layers (boundary_layers keys 'layers', 'first_layer_m') or a smaller size_m"
            ) from None
        for name, tags in grown.open_patches(g, tol, label).items():
            add_physical(2, tags, name)
        grown.check_layers(g, label)
        return write_msh(target, binary=binary)


class _open_model:
    """Context manager for the caller's open gmsh session: use it, never finalise it."""

    def __init__(self, gmsh: Any) -> None:
        self.gmsh = gmsh

    def __enter__(self) -> Any:
        return self.gmsh

    def __exit__(self, *exc: object) -> None:
        return None
