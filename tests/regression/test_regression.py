"""Behaviour preserved: every golden case's summary numbers agree with ``golden.json`` to 1e-9
relative (balances: 1e-9 absolute).

A number that moves fails the test with the case, the key, both values and the commit that
produced the stored one. Keys that appear or vanish fail too (a summary that loses an entry is a
change of behaviour).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import CASES  # noqa: E402

GOLDEN = json.loads((HERE / "golden.json").read_text())["cases"]
RELATIVE = 1e-9
#: Balances and imbalances are round-off sized and change with the order of parallel sums; they
#: are compared as absolute fractions (of the heat in / mass flow) instead.
ABSOLUTE_KEYS = ("energy_balance_error", "coolant_energy_balance_error", "mass_imbalance")
ABSOLUTE = 1e-9


def _params() -> list:
    out = []
    for name, (_, slow) in CASES.items():
        marks = [pytest.mark.validation] if slow else []
        out.append(pytest.param(name, marks=marks, id=name))
    return out


@pytest.mark.parametrize("name", _params())
def test_summary_numbers_are_preserved(name: str) -> None:
    stored = GOLDEN[name]
    builder, _ = CASES[name]
    now = builder()
    expected = stored["numbers"]
    assert sorted(now) == sorted(expected), f"{name}: summary keys changed"
    moved = []
    for key, value in expected.items():
        allowed = ABSOLUTE if key in ABSOLUTE_KEYS else RELATIVE * abs(value)
        if not (math.isfinite(now[key]) and abs(now[key] - value) <= allowed):
            moved.append(f"{key}: {now[key]!r} (stored {value!r})")
    assert not moved, f"{name} differs from commit {stored['commit'][:10]}:\n" + "\n".join(moved)
