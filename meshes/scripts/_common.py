"""Make ``rackflow.meshing`` importable from a source checkout and time a generator."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

MESHES = Path(__file__).resolve().parents[1]
# Always use the rackflow of this checkout (an installed one may be another branch);
# the meshing package needs no compiled core.
sys.path.insert(0, str(MESHES.parent / "python"))


def run(generator: Callable[..., Any], name: str, **params: Any) -> Path:
    """Write ``meshes/<name>.msh`` and print the elapsed time."""
    t0 = time.perf_counter()
    path = generator(MESHES / f"{name}.msh", **params)
    print(f"{path}: {time.perf_counter() - t0:.2f} s")
    return path
