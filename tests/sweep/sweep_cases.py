"""Small cases for sweep tests, importable by name from spawned workers and Dask."""

from __future__ import annotations

import os
import signal

import rackflow as rf
from rackflow.testing.meshes import box

DIE_HEIGHT_M = 0.002


def mesh(n: int = 6) -> rf.Mesh:
    """A 40 × 40 × 8 mm block: a die layer under a copper base."""
    regions = {"die": lambda c: c[:, 2] < DIE_HEIGHT_M, "base": lambda c: c[:, 2] >= DIE_HEIGHT_M}
    return rf.Mesh.from_meshio(box((n, n, 4), (0.04, 0.04, 0.008), regions=regions))


def case(m: rf.Mesh | None = None, power_w: float = 100.0, htc_w_m2k: float = 5000.0) -> rf.Case:
    """Die heated, contact to the base, convection on top."""
    c = rf.Case(m if m is not None else mesh())
    c.solid("die", "silicon", power_w=power_w)
    c.solid("base", "copper")
    c.contact("die", "base", resistance_m2k_w=1e-5)
    c.convective("zmax", htc_w_m2k=htc_w_m2k, ambient_c=30.0)
    return c


def build(cells: int = 4, power_w: float = 100.0) -> rf.Case:
    """A builder: the mesh resolution is a parameter (as a channel count would be)."""
    return case(mesh(cells), power_w=power_w)


def slow_build(cells: int = 4, delay_s: float = 0.0) -> rf.Case:
    """A builder that takes a while, so a test can kill a sweep mid-way."""
    import time

    time.sleep(delay_s)
    return case(mesh(cells))


def dying_build(cells: int = 4, die: bool = False) -> rf.Case:
    """A builder whose process is killed (SIGKILL, as by the out-of-memory killer) when ``die``."""
    if die:
        os.kill(os.getpid(), signal.SIGKILL)
    return case(mesh(cells))
