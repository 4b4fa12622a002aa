"""Stable digests: of arrays (in place of large arrays in descriptions), of meshes and of
JSON-able case descriptions (sweep hashing, generated-mesh cache names)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from rackflow.mesh import Mesh


def array_digest(a: np.ndarray) -> str:
    """Stable digest of an array's values (used in place of large arrays in descriptions)."""
    a = np.ascontiguousarray(a, dtype=np.float64)
    return hashlib.sha256(a.tobytes()).hexdigest()[:24]


def mesh_digest(mesh: Mesh) -> str:
    """Stable digest of a mesh's geometry, cells, regions and patches (cached on the mesh)."""
    cached = getattr(mesh, "_rackflow_digest", None)
    if cached is not None:
        return str(cached)
    flat = mesh._flat
    h = hashlib.sha256()
    for arr in (
        flat.points,
        flat.cell_types,
        flat.cell_offsets,
        flat.cell_connectivity,
        flat.cell_region,
        flat.patch_face_offsets,
        flat.patch_face_connectivity,
        flat.patch_face_patch,
    ):
        a = np.ascontiguousarray(arr)
        if a.dtype.kind == "i" and a.dtype != np.int64:
            # meshes keep int32 indices to save memory; they hash as the int64 arrays they
            # replaced (same digests), converted in slices to bound the copy
            h.update(b"int64")
            step = 1 << 20
            for start in range(0, a.size, step):
                h.update(a.ravel()[start : start + step].astype(np.int64).tobytes())
        else:
            h.update(str(a.dtype).encode())
            h.update(a.tobytes())
    h.update(json.dumps([list(flat.region_names), list(flat.patch_names)]).encode())
    digest = h.hexdigest()[:24]
    mesh._rackflow_digest = digest  # type: ignore[attr-defined]
    return digest


def description_digest(description: Mapping[str, Any]) -> str:
    """Stable hash of a JSON-able description (sorted keys, repr-exact floats)."""
    text = json.dumps(description, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()
