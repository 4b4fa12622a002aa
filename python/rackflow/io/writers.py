"""Writing results: uncompressed ``.vtu`` directly (arrays streamed to the file), the rest
through meshio."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import numpy as np

from rackflow.errors import RackflowError
from rackflow.io.meshio_reader import VOLUME_TYPES

if TYPE_CHECKING:
    from rackflow.result import Result


REGION_PREFIX = "region_id:"


def region_key(names: list[str]) -> str:
    """Cell-data name that stores region ids and, after the colon, their names."""
    return REGION_PREFIX + "|".join(names)


def _cell_fields(result: Result) -> dict[str, np.ndarray]:
    """The cell arrays a result file holds, by name, in core cell order."""
    mesh = result.mesh
    # the array name carries the region names: VTU keeps no string field data
    fields = {region_key(mesh.regions): mesh.region_of_cell.astype(np.int32)}
    if result.has_temperature:
        fields["temperature_c"] = np.asarray(result.temperature_c)
    if result.has_flow:
        fields["velocity_m_s"] = np.asarray(result.velocity_m_s)
        fields["pressure_pa"] = np.asarray(result.pressure_pa)
        if result.is_turbulent:
            # k-ω SST: where the eddy viscosity is and which wall treatment each wall cell got
            fields["turbulent_viscosity_ratio"] = np.asarray(result.turbulent_viscosity_ratio)
            fields["y_plus"] = np.asarray(result.y_plus)
    if result.residual is not None:
        # a failed solve's last iterate: where the equation did not balance
        fields["residual"] = np.asarray(result.residual)
    return fields


#: VTK XML type names of the NumPy dtypes the raw writer emits.
_VTK_TYPES = {"f8": "Float64", "f4": "Float32", "i4": "Int32", "i8": "Int64", "u1": "UInt8"}

#: meshio keeps the Gmsh wedge vertex order; VTK's (0, 1, 2) triangle faces the other way.
_WEDGE_TO_VTK = [0, 2, 1, 3, 5, 4]


def _write_raw_vtu(result: Result, path: Path) -> None:
    """An XML ``.vtu`` with the arrays appended as raw binary, written straight from the mesh's
    and result's arrays: no base64 text or concatenated copies (meshio's writer holds several
    copies of the connectivity at once, ~200 MB at 1e6 cells)."""
    mesh = result.mesh
    blocks = mesh._flat.blocks
    points = np.ascontiguousarray(mesh.points, dtype="<f8")
    n_cells = sum(len(d) for _, d in blocks)
    total = sum(int(np.prod(np.shape(d))) for _, d in blocks)
    index = "<i4" if max(total, len(points)) < np.iinfo(np.int32).max else "<i8"
    offsets = np.empty(n_cells, dtype=index)
    types = np.empty(n_cells, dtype=np.uint8)
    start = end = 0
    for kind, data in blocks:
        n, k = np.shape(data)
        np.cumsum(np.full(n, k, dtype=index), out=offsets[start : start + n])
        offsets[start : start + n] += end
        types[start : start + n] = VOLUME_TYPES[kind]
        start, end = start + n, end + n * k

    def connectivity() -> Iterator[np.ndarray]:
        for kind, data in blocks:
            d = np.asarray(data)
            yield np.ascontiguousarray(d[:, _WEDGE_TO_VTK] if kind == "wedge" else d, dtype=index)

    fields = _cell_fields(result)
    header = np.dtype("<u8")
    # (section, name, vtk type, components, byte count, chunks): written in this order
    arrays: list[tuple[str, str, str, int, int, Callable[[], Iterator[np.ndarray]]]] = [
        ("Points", "Points", "Float64", 3, points.nbytes, lambda: iter([points])),
        ("Cells", "connectivity", _VTK_TYPES[index[1:]], 1, total * np.dtype(index).itemsize, connectivity),
        ("Cells", "offsets", _VTK_TYPES[index[1:]], 1, offsets.nbytes, lambda: iter([offsets])),
        ("Cells", "types", "UInt8", 1, types.nbytes, lambda: iter([types])),
    ]
    for name, values in fields.items():
        v = np.ascontiguousarray(values, dtype=values.dtype.newbyteorder("<"))
        kind = _VTK_TYPES[v.dtype.str[1:]]
        components = 1 if v.ndim == 1 else v.shape[1]
        arrays.append(
            ("CellData", escape(name, {'"': "&quot;"}), kind, components, v.nbytes, lambda v=v: iter([v]))
        )
    xml = [
        '<?xml version="1.0"?>',
        '<VTKFile type="UnstructuredGrid" version="1.0" byte_order="LittleEndian" header_type="UInt64">',
        "<UnstructuredGrid>",
        f'<Piece NumberOfPoints="{len(points)}" NumberOfCells="{n_cells}">',
    ]
    offset = 0
    section = ""
    for where, name, kind, components, nbytes, _ in arrays:
        if where != section:
            if section:
                xml.append(f"</{section}>")
            xml.append(f"<{where}>")
            section = where
        # scalars carry no NumberOfComponents (meshio would read them back as n × 1)
        shape = f' NumberOfComponents="{components}"' if components > 1 else ""
        xml.append(f'<DataArray type="{kind}" Name="{name}"{shape} format="appended" offset="{offset}"/>')
        offset += header.itemsize + nbytes
    xml += [f"</{section}>", "</Piece>", "</UnstructuredGrid>", '<AppendedData encoding="raw">', "_"]
    with open(path, "wb") as f:
        f.write("\n".join(xml).encode())
        for *_, nbytes, chunks in arrays:
            f.write(np.array(nbytes, dtype=header).tobytes())
            for chunk in chunks():
                f.write(memoryview(chunk).cast("B"))
        f.write(b"\n</AppendedData>\n</VTKFile>\n")


def write_result(result: Result, path: Path, compress: bool = False) -> Path:
    """Write cells with region ids (the array ``region_id:<names>``), ``temperature_c`` and, for
    coolant flow, ``velocity_m_s`` and ``pressure_pa`` (turbulent flow: also
    ``turbulent_viscosity_ratio`` and ``y_plus``, the largest wall y⁺ of each wall cell). ``compress``: zlib-compress the arrays of
    an XML VTK file (``.vtu``); raw binary otherwise."""
    import meshio

    mesh = result.mesh
    blocks = mesh._flat.blocks
    if path.suffix.lower() == ".vtu" and not compress and all(t in VOLUME_TYPES for t, _ in blocks):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            _write_raw_vtu(result, path)
        except OSError as e:
            raise RackflowError(f"cannot write '{path}': {type(e).__name__}: {e}") from e
        return path
    cells = [meshio.CellBlock(t, d) for t, d in blocks]
    sizes = np.cumsum([0] + [len(d) for _, d in blocks])

    def split(array: np.ndarray) -> list[np.ndarray]:
        return [array[a:b] for a, b in itertools.pairwise(sizes)]

    cell_data = {name: split(values) for name, values in _cell_fields(result).items()}
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
