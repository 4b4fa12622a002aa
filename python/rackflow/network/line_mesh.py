"""Networks from line meshes: every line cell of a physical group is one edge of the kind
the group is given (Gmsh ``.msh`` or any file meshio reads)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rackflow.coldplate_model import ColdPlateModel
from rackflow.coolants import Coolant
from rackflow.errors import NetworkError
from rackflow.network.casefile import EDGE_KINDS, check_keys
from rackflow.network.edges import _finite

if TYPE_CHECKING:
    from rackflow.network.builder import Network


def from_line_mesh(
    cls: type[Network],
    mesh: str | Path | Any,
    components: Mapping[str, Mapping[str, Any]],
    *,
    coolant: str | Coolant = "PG25",
    models: Mapping[str, ColdPlateModel] | None = None,
    length_scale: float = 1.0,
    name: str | None = None,
) -> Network:
    """A network from a line mesh (a file meshio reads, e.g. Gmsh ``.msh``, or a
    ``meshio.Mesh``) whose physical groups name the components.

    Every line cell is one edge from its first to its second point, of the kind given for its
    group in ``components``: ``{"riser": {"kind": "pipe", "diameter_m": 0.035}, "qd":
    {"kind": "loss", "k": 2.0, "diameter_m": 0.0127}, "gpu": {"kind": "cold_plate",
    "model": "plate", "power_w": 700.0}}`` (``model`` names an entry of ``models`` or is a
    :class:`ColdPlateModel`). Pipes and ducts take their length and elevation change from the
    geometry (coordinates × ``length_scale`` in m, z up); other kinds ignore the length.
    Edges are named after their group (``riser[0]``, ``riser[1]``, ... when it has several
    cells). Nodes are the points ``p<index>``, or the name of a vertex physical group holding
    that one point; their elevation and drawing position come from the coordinates.
    """
    import meshio

    from rackflow.errors import MeshError

    where = str(mesh) if isinstance(mesh, (str, Path)) else "line mesh"
    if isinstance(mesh, (str, Path)):
        try:
            mesh = meshio.read(mesh)
        except Exception as exc:  # meshio raises many types
            raise MeshError(f"{where}: could not read the line mesh: {exc}") from None
    _finite(where, length_scale=length_scale)
    if not length_scale > 0:
        raise NetworkError(f"{where}: length_scale must be > 0, got {length_scale!r}")
    points = np.asarray(mesh.points, dtype=float) * float(length_scale)
    if points.shape[1] == 2:
        points = np.c_[points, np.zeros(len(points))]
    physical = mesh.cell_data.get("gmsh:physical")
    if physical is None:
        raise MeshError(f"{where}: no physical groups (cell data 'gmsh:physical')")
    names = {(int(v[1]), int(v[0])): k for k, v in mesh.field_data.items()}  # (dim, tag) -> name
    lines: list[tuple[str, int, int]] = []
    node_name: dict[int, str] = {}
    for block, tags in zip(mesh.cells, physical, strict=True):
        dim = {"vertex": 0, "line": 1}.get(block.type)
        if dim is None:
            continue  # surfaces and volumes of the same file are not part of the network
        for cell, tag in zip(block.data, tags, strict=True):
            group = names.get((dim, int(tag)))
            if group is None:
                raise MeshError(f"{where}: a {block.type} cell has physical tag {tag} without a name")
            if dim == 0:
                node_name[int(cell[0])] = group
            else:
                lines.append((group, int(cell[0]), int(cell[1])))
    if not lines:
        raise MeshError(f"{where}: no line cells in a physical group")
    groups = {g for g, _, _ in lines}
    unknown = sorted(groups - set(components))
    if unknown:
        raise NetworkError(f"{where}: physical groups {unknown} have no entry in components")
    unused = sorted(set(components) - groups)
    if unused:
        raise NetworkError(f"{where}: components {unused} name no physical group of line cells")
    net = cls(coolant, name=name or (Path(where).stem if where != "line mesh" else where))
    used = sorted({i for _, a, b in lines for i in (a, b)})
    for i in used:
        node = node_name.get(i, f"p{i}")
        net.node(node, elevation_m=float(points[i, 2]), position_m=tuple(points[i]))
    count = {g: sum(1 for h, _, _ in lines if h == g) for g in groups}
    seen: dict[str, int] = {}
    for group, i, j in lines:
        k = seen.get(group, 0)
        seen[group] = k + 1
        spec = dict(components[group])
        kind = spec.pop("kind", None)
        owner = f"{where}: components[{group!r}]"
        if kind not in EDGE_KINDS:
            raise NetworkError(f"{owner}: kind must be one of {list(EDGE_KINDS)}, got {kind!r}")
        if kind in ("pipe", "duct"):
            spec.setdefault("length_m", float(np.linalg.norm(points[j] - points[i])))
            spec.setdefault("elevation_m", float(points[j, 2] - points[i, 2]))
        if kind == "cold_plate" and isinstance(spec.get("model"), str):
            key = spec["model"]
            if models is None or key not in models:
                raise NetworkError(f"{owner}: unknown model {key!r}; models: {sorted(models or {})}")
            spec["model"] = models[key]
        method = getattr(net, kind)
        if "name" in spec:
            raise NetworkError(f"{owner}: edges are named after their group; drop 'name'")
        check_keys(method, spec, owner, NetworkError)
        edge_name = group if count[group] == 1 else f"{group}[{k}]"
        method(node_name.get(i, f"p{i}"), node_name.get(j, f"p{j}"), name=edge_name, **spec)
    return net


__all__ = ["from_line_mesh"]
