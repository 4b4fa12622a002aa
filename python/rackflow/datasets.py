"""The bundled meshes, reachable from any installation (like ``pyvista.examples``).

>>> import rackflow as rf
>>> mesh = rf.load_mesh(rf.datasets.coldplate_microchannel())       # doctest: +SKIP

Every function returns the path of a Gmsh ``.msh`` file (msh 4.1, metres; physical groups name
the regions and patches). Where it comes from, first match wins:

1. the repository's ``meshes/`` folder, when rackflow runs from a source checkout (an editable
   install): the checked-in files;
2. the user cache, ``$RACKFLOW_CACHE_DIR`` or ``$XDG_CACHE_HOME/rackflow`` (default
   ``~/.cache/rackflow``), under ``meshes/<rackflow version>/``;
3. otherwise the mesh is generated there on first use by the same ``rackflow.meshing`` generator
   call that made the bundled file (the hexahedral meshes come out byte for byte identical). This
   needs gmsh (``pip install 'rackflow[mesh]'``) and takes 0.1 s for the hexahedral meshes and
   about 6 s for the pin-fin plate.

``MESHES`` describes each mesh; :func:`path` fetches one by file name; :func:`cache_dir` is the
cache folder. See ``meshes/README.md`` for the geometries.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rackflow.errors import RackflowError

__all__ = [
    "MESHES",
    "available",
    "cache_dir",
    "channel_unit_coarse",
    "coldplate_microchannel",
    "coldplate_pinfin",
    "duct_hex",
    "gpu_stack",
    "path",
]


@dataclass(frozen=True)
class BundledMesh:
    """One bundled mesh: its file name, the generator call that writes it, and what it is."""

    name: str
    generator: str
    params: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def generate(self, out: Path) -> Path:
        """Write the mesh to ``out`` with its rackflow.meshing generator (needs gmsh)."""
        try:
            import gmsh  # noqa: F401  (the generators import it when they run)
        except (ImportError, OSError):  # no gmsh, or gmsh without its shared libraries
            raise RackflowError(
                f"the bundled mesh {self.name} is not in this installation and generating it needs gmsh: "
                "pip install 'rackflow[mesh]' (or work from a source checkout, which has meshes/)"
            ) from None
        from rackflow import meshing

        params = dict(self.params)
        if self.generator == "channel_unit":
            params.update(meshing.CHANNEL_UNIT_LEVELS["coarse"])
        getattr(meshing, self.generator)(out, **params)
        return out


#: the bundled meshes by file name (see meshes/README.md); the generator calls of meshes/scripts
MESHES: dict[str, BundledMesh] = {
    m.name: m
    for m in (
        BundledMesh(
            "coldplate_microchannel.msh",
            "microchannel_coldplate",
            {"binary": True},
            "20-channel copper microchannel cold plate on an H100-class package (die, tim, lid, base, "
            "channels; patches inlet, outlet); 89,506 hexahedra",
        ),
        BundledMesh(
            "gpu_stack.msh",
            "gpu_stack",
            {},
            "H100-class package stack (die, tim, lid, base; patches coolant_side, board); 43,111 hexahedra",
        ),
        BundledMesh(
            "coldplate_pinfin.msh",
            "pinfin_coldplate",
            {"binary": True},
            "staggered round pin-fin cold plate (die, tim, lid, base, channels; inlet, outlet); "
            "about 122,000 tetrahedra",
        ),
        BundledMesh(
            "channel_unit_coarse.msh",
            "channel_unit",
            {"binary": True},
            "benchmark channel unit, coarse level (solid, fluid; inlet, outlet, heated, symmetry_sides, "
            "top); 15,360 hexahedra",
        ),
        BundledMesh(
            "duct_hex.msh",
            "duct",
            {"binary": True},
            "50 x 2 x 1 mm rectangular duct (fluid; inlet, outlet, walls); 20,000 hexahedra",
        ),
    )
}


def cache_dir() -> Path:
    """rackflow's cache folder: ``$RACKFLOW_CACHE_DIR``, else ``$XDG_CACHE_HOME/rackflow``, else
    ``~/.cache/rackflow`` (``%LOCALAPPDATA%\\rackflow\\Cache`` on Windows,
    ``~/Library/Caches/rackflow`` on macOS)."""
    explicit = os.environ.get("RACKFLOW_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg).expanduser() / "rackflow"
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA")
        if base:
            return Path(base) / "rackflow" / "Cache"
    elif os.uname().sysname == "Darwin":
        return Path.home() / "Library" / "Caches" / "rackflow"
    return Path.home() / ".cache" / "rackflow"


def _checkout_meshes() -> Path | None:
    """``meshes/`` of the source checkout this package is imported from, if any."""
    root = Path(__file__).resolve().parents[2]  # <root>/python/rackflow/datasets.py
    folder = root / "meshes"
    if (folder / "README.md").is_file() and (root / "pyproject.toml").is_file():
        return folder
    return None


def _version() -> str:
    from rackflow import __version__

    return str(__version__)


def available(name: str) -> bool:
    """Whether :func:`path` can give the mesh ``name`` here: a copy exists (checkout or cache) or
    gmsh is installed to generate it."""
    import importlib.util

    key = name if name.endswith(".msh") else f"{name}.msh"
    if key not in MESHES:
        return False
    checkout = _checkout_meshes()
    if checkout is not None and (checkout / key).is_file():
        return True
    if (cache_dir() / "meshes" / _version() / key).is_file():
        return True
    return importlib.util.find_spec("gmsh") is not None


def path(name: str) -> Path:
    """The path of the bundled mesh ``name`` (a key of :data:`MESHES`, ``.msh`` optional),
    generated into the cache on first use when this installation has no copy."""
    key = name if name.endswith(".msh") else f"{name}.msh"
    if key not in MESHES:
        raise RackflowError(f"no bundled mesh '{name}'; available: {sorted(MESHES)}")
    checkout = _checkout_meshes()
    if checkout is not None and (checkout / key).is_file():
        return checkout / key
    folder = cache_dir() / "meshes" / _version()
    cached = folder / key
    if cached.is_file():
        return cached
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RackflowError(f"cannot create the cache folder '{folder}': {e}") from None
    # generate beside the final file and rename: a concurrent or interrupted run never leaves
    # a half-written mesh under the final name
    handle, tmp = tempfile.mkstemp(prefix=f".{cached.stem}.", suffix=".msh", dir=folder)
    os.close(handle)
    try:
        MESHES[key].generate(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a cache file is an ordinary file
        os.replace(tmp, cached)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return cached


def coldplate_microchannel() -> Path:
    """The microchannel cold plate of the demo and the README: 20 copper channels (1.0 × 3.0 mm,
    0.5 mm fins, 50 × 50 mm plate) on an H100-class package. Regions ``die``, ``tim``, ``lid``,
    ``base``, ``channels``; patches ``inlet`` (x = 0), ``outlet`` (x = 50 mm); 89,506 hexahedra."""
    return path("coldplate_microchannel.msh")


def gpu_stack() -> Path:
    """The H100-class package stack for conduction: regions ``die``, ``tim``, ``lid``, ``base``;
    patches ``coolant_side`` (top of the base) and ``board``; 43,111 hexahedra."""
    return path("gpu_stack.msh")


def coldplate_pinfin() -> Path:
    """The staggered round pin-fin cold plate (tetrahedra): regions ``die``, ``tim``, ``lid``,
    ``base``, ``channels``; patches ``inlet``, ``outlet``; about 122,000 cells. Generating it
    takes about 6 s and depends on the gmsh version."""
    return path("coldplate_pinfin.msh")


def channel_unit_coarse() -> Path:
    """The benchmark channel unit at its coarse level: regions ``solid``, ``fluid``; patches
    ``inlet``, ``outlet``, ``heated``, ``symmetry_sides``, ``top``; 15,360 hexahedra."""
    return path("channel_unit_coarse.msh")


def duct_hex() -> Path:
    """A 50 × 2 × 1 mm rectangular duct for laminar-flow validation: region ``fluid``; patches
    ``inlet``, ``outlet``, ``walls``; 20,000 hexahedra."""
    return path("duct_hex.msh")
