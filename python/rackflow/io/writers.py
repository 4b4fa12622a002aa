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


def write_result(result: Result, path: Path, compress: bool = False) -> Path:
    """Write cells with region ids (the array ``region_id:<names>``), ``temperature_c`` and, for
    coolant flow, ``velocity_m_s`` and ``pressure_pa``. ``compress``: zlib-compress the arrays of
    an XML VTK file (``.vtu``); raw binary otherwise."""
    import meshio

    mesh = result.mesh
    blocks = mesh._flat.blocks
    cells = [meshio.CellBlock(t, d) for t, d in blocks]
    sizes = np.cumsum([0] + [len(d) for _, d in blocks])
    region = mesh.region_of_cell

    def split(array: np.ndarray) -> list[np.ndarray]:
        return [array[a:b] for a, b in itertools.pairwise(sizes)]

    cell_data: dict[str, list[np.ndarray]] = {
        # the array name carries the region names: VTU keeps no string field data
        region_key(mesh.regions): split(region.astype(np.int32)),
    }
    if result.has_temperature:
        cell_data["temperature_c"] = split(np.asarray(result.temperature_c))
    if result.has_flow:
        cell_data["velocity_m_s"] = split(np.asarray(result.velocity_m_s))
        cell_data["pressure_pa"] = split(np.asarray(result.pressure_pa))
    out = meshio.Mesh(mesh.points, cells, cell_data=cell_data)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.suffix.lower() == ".vtu":
            meshio.write(path, out, compression="zlib" if compress else None)
        else:
            meshio.write(path, out)
    except Exception as e:  # meshio's errors vary by format; name the file and the reason
        raise RackflowError(f"cannot write '{path}': {type(e).__name__}: {e}") from e
    return path
