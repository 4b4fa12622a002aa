"""Writing results through meshio."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rackflow.errors import RackflowError

if TYPE_CHECKING:
    from rackflow.result import Result


REGION_PREFIX = "region_id:"


def region_key(names: list[str]) -> str:
    """Cell-data name that stores region ids and, after the colon, their names."""
    return REGION_PREFIX + "|".join(names)


def write_result(result: Result, path: Path) -> Path:
    """Write cells with ``temperature_c`` and region ids (the array ``region_id:<names>``)."""
    import meshio

    mesh = result.mesh
    blocks = mesh._flat.blocks
    cells = [meshio.CellBlock(t, d) for t, d in blocks]
    sizes = np.cumsum([0] + [len(d) for _, d in blocks])
    region = mesh.region_of_cell
    temperature = np.asarray(result.temperature_c)
    cell_data = {
        "temperature_c": [temperature[a:b] for a, b in itertools.pairwise(sizes)],
        # the array name carries the region names: VTU keeps no string field data
        region_key(mesh.regions): [region[a:b].astype(np.int32) for a, b in itertools.pairwise(sizes)],
    }
    out = meshio.Mesh(mesh.points, cells, cell_data=cell_data)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        meshio.write(path, out)
    except Exception as e:  # meshio's errors vary by format; name the file and the reason
        raise RackflowError(f"cannot write '{path}': {type(e).__name__}: {e}") from e
    return path
