"""Keep meshio's console output out of rackflow's: its warnings (rich-coloured text on stderr,
not Python warnings) and the blank line it prints on stdout when a ``.msh`` file is not an ANSYS
file. They go to the ``rackflow.io`` logger at debug level instead."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator

LOG = logging.getLogger("rackflow.io")


@contextlib.contextmanager
def quiet_meshio() -> Iterator[None]:
    """Run meshio calls with their console output captured and logged at debug level."""
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured), contextlib.redirect_stdout(captured):
            yield
    finally:
        text = captured.getvalue().strip()
        if text:
            LOG.debug("meshio: %s", text)
