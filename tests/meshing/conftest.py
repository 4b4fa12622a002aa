"""Register the ``slow`` marker here too, so these tests run clean before main's config lands."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes more than ~5 s")
