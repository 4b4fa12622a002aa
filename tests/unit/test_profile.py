"""rackflow.Profile: time-varying inputs from breakpoints or CSV logs (nvidia-smi)."""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import numpy as np
import pytest
import rackflow as rf
from hypothesis import given
from hypothesis import strategies as st
from rackflow.errors import CaseError, ProfileError

NVIDIA_SMI = """\
timestamp, index, power.draw [W], temperature.gpu
2024/05/01 12:00:00.000, 0, 350.12 W, 45
2024/05/01 12:00:00.000, 1, 120.00 W, 40
2024/05/01 12:00:00.250, 0, 690.50 W, 52
2024/05/01 12:00:00.250, 1, 130.00 W, 41
2024/05/01 12:00:01.250, 0, 700.00 W, 60
2024/05/01 12:00:01.250, 1, 140.00 W, 42
"""


@given(
    st.lists(st.floats(0.01, 10.0), min_size=2, max_size=12),
    st.floats(-5.0, 5.0),
    st.floats(-3.0, 3.0),
)
def test_linear_profile_reproduces_a_linear_function(gaps: list[float], a: float, b: float) -> None:
    """Breakpoints sampled from f(t) = a + b·t give f exactly between them (to round-off)."""
    t = np.cumsum(gaps)
    profile = rf.Profile(time_s=t, value=a + b * t)
    probe = np.linspace(t[0], t[-1], 57)
    np.testing.assert_allclose(
        profile(probe), a + b * probe, rtol=0, atol=1e-12 * (1 + abs(b) * t[-1] + abs(a))
    )
    # its integral is the integral of f
    exact = a * (t[-1] - t[0]) + 0.5 * b * (t[-1] ** 2 - t[0] ** 2)
    assert profile.integral(t[0], t[-1]) == pytest.approx(exact, rel=1e-12, abs=1e-10)


def test_step_profile_holds_each_value_until_the_next_breakpoint() -> None:
    p = rf.Profile(time_s=[0.0, 1.0, 3.0], value=[10.0, 20.0, 5.0], interpolation="step")
    t = np.array([-1.0, 0.0, 0.5, 0.999, 1.0, 2.0, 3.0, 100.0])
    assert p.at(t).tolist() == [10.0, 10.0, 10.0, 10.0, 20.0, 20.0, 5.0, 5.0]
    assert p.integral(0.0, 4.0) == pytest.approx(10.0 * 1 + 20.0 * 2 + 5.0 * 1)
    assert p.mean(0.5, 1.5) == pytest.approx(15.0)


def test_ends_hold_and_shapes_follow_the_input() -> None:
    p = rf.Profile(time_s=[1.0, 2.0], value=[100.0, 300.0])
    assert p(0.0) == 100.0
    assert p(50.0) == 300.0
    assert isinstance(p(1.5), float)
    assert p(1.5) == 200.0
    grid = np.full((3, 4), 1.25)
    assert p.at(grid).shape == (3, 4)
    assert np.all(p.at(grid) == 150.0)


def test_one_point_profile_is_a_constant() -> None:
    c = rf.Profile.constant(42.0)
    assert c.is_constant()
    assert c(-1e9) == c(0.0) == c(1e9) == 42.0
    assert rf.Profile(time_s=[5.0], value=[7.0], interpolation="step")(0.0) == 7.0


def test_breakpoints_max_min_and_transformations() -> None:
    p = rf.Profile(time_s=[0.0, 1.0, 1.2, 31.2, 31.4], value=[140, 140, 700, 700, 140], name="gpu")
    assert p.breakpoints_s.tolist() == [0.0, 1.0, 1.2, 31.2, 31.4]
    assert (p.max(), p.min()) == (700.0, 140.0)
    assert (p.start_s, p.end_s) == (0.0, 31.4)
    s = p.scaled(0.5)
    assert s(10.0) == 350.0 and s.max() == 350.0
    d = p.shifted(time_s=2.0, value=-40.0)
    assert d(1.2 + 2.0) == 660.0 and d(1.0) == 100.0
    assert d.name == "gpu"
    with pytest.raises(rf.errors.ProfileError, match="profile 'gpu': time_s must be finite"):
        p.shifted(time_s=math.inf)
    with pytest.raises(rf.errors.ProfileError, match="profile 'gpu': evaluated at a non-finite time"):
        p(math.nan)
    # read-only breakpoints: a profile cannot be changed behind a solver's back
    with pytest.raises(ValueError, match="read-only"):
        p.value[0] = 0.0


def test_dict_json_and_pickle_round_trips() -> None:
    p = rf.Profile(time_s=[0.0, 0.5, 2.0], value=[1.0, 3.0, 2.0], interpolation="step", name="x", unit="W")
    d = p.to_dict()
    assert d == {
        "type": "profile",
        "time_s": [0.0, 0.5, 2.0],
        "value": [1.0, 3.0, 2.0],
        "interpolation": "step",
        "name": "x",
        "unit": "W",
    }
    q = rf.Profile.from_dict(json.loads(json.dumps(d)))
    assert q == p and q.name == "x" and q.unit == "W"
    r = pickle.loads(pickle.dumps(p))
    assert r == p and r.interpolation == "step"
    assert p != rf.Profile(time_s=[0.0, 0.5, 2.0], value=[1.0, 3.0, 2.0])  # same points, linear


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"time_s": [], "value": []}, r"profile 'p': time_s is empty"),
        ({"time_s": [0.0, 1.0], "value": [1.0]}, r"time_s has 2 entries and value 1"),
        (
            {"time_s": [0.0, 1.0, 1.0], "value": [1, 2, 3]},
            r"time_s\[2\] = 1 s does not follow time_s\[1\] = 1 s",
        ),
        (
            {"time_s": [0.0, 2.0, 1.0], "value": [1, 2, 3]},
            r"time_s\[2\] = 1 s does not follow.*increase strictly",
        ),
        ({"time_s": [0.0, math.nan], "value": [1, 2]}, r"time_s\[1\] is nan; times must be finite"),
        ({"time_s": [0.0, 1.0], "value": [1.0, math.nan]}, r"value\[1\] \(at t = 1 s\) is nan"),
        ({"time_s": [0.0, 1.0], "value": [1.0, math.inf]}, r"value\[1\] .* is inf"),
        ({"time_s": [0.0, 1.0], "value": [1, 2], "interpolation": "cubic"}, r"interpolation must be one of"),
        ({"time_s": 3.0, "value": 1.0}, r"time_s must be a sequence of numbers"),
        ({"time_s": [[0.0, 1.0]], "value": [[1, 2]]}, r"time_s must be one-dimensional"),
        ({"time_s": ["a", "b"], "value": [1, 2]}, r"time_s must be a sequence of numbers"),
    ],
)
def test_bad_breakpoints_raise_a_case_error_naming_the_profile(kwargs: dict, match: str) -> None:
    with pytest.raises(ProfileError, match=match) as info:
        rf.Profile(**kwargs, name="p")
    assert isinstance(info.value, CaseError)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"time_s": [0], "value": [1], "scale": 2}, r"unknown key 'scale'"),
        ({"time_s": [0]}, r"missing key 'value'"),
        ({"type": "table", "time_s": [0], "value": [1]}, r"type must be 'profile'"),
        ([1, 2], r"expected a table"),
    ],
)
def test_bad_dicts_are_refused(data: object, match: str) -> None:
    with pytest.raises(ProfileError, match=match):
        rf.Profile.from_dict(data)  # type: ignore[arg-type]


def test_nvidia_smi_csv_with_dates_units_and_one_gpu(tmp_path: Path) -> None:
    f = tmp_path / "smi.csv"
    f.write_text(NVIDIA_SMI)
    p = rf.Profile.from_csv(f, "timestamp", "power.draw [W]", where={"index": 0})
    assert p.time_s.tolist() == pytest.approx([0.0, 0.25, 1.25], abs=1e-12)
    assert p.value.tolist() == [350.12, 690.50, 700.0]
    assert p.unit == "W"
    assert p.name == "smi.csv:power.draw [W]"
    # the bare column name finds the bracketed one; another GPU by its index
    q = rf.Profile.from_csv(f, value_column="power.draw", where={"index": "1"})
    assert q.value.tolist() == [120.0, 130.0, 140.0]
    # plain numbers without a unit
    t = rf.Profile.from_csv(f, value_column="temperature.gpu", where={"index": 0})
    assert t.value.tolist() == [45.0, 52.0, 60.0] and t.unit is None


def test_csv_with_seconds_iso_dates_and_milliseconds(tmp_path: Path) -> None:
    f = tmp_path / "s.csv"
    f.write_text("time_s,power\n10.0,100\n10.5,200\n12,300\n")
    p = rf.Profile.from_csv(f, "time_s", "power")
    assert p.time_s.tolist() == [0.0, 0.5, 2.0]
    assert rf.Profile.from_csv(f, "time_s", "power", relative=False).time_s.tolist() == [10.0, 10.5, 12.0]
    g = tmp_path / "iso.csv"
    g.write_text(
        "t,v\n2025-01-01T23:59:59.5Z,1\n2025-01-02T00:00:00.5+00:00,2\n2025-01-02T01:00:01.5+01:00,3\n"
    )
    assert rf.Profile.from_csv(g, "t", "v").time_s.tolist() == pytest.approx([0.0, 1.0, 2.0])
    h = tmp_path / "ms.csv"
    h.write_text("t,v\n0 ms,1 kW\n250 ms,2 kW\n")
    p = rf.Profile.from_csv(h, "t", "v", interpolation="step")
    assert p.time_s.tolist() == [0.0, 0.25] and p.unit == "kW" and p.interpolation == "step"


def test_csv_errors_name_file_column_and_line(tmp_path: Path) -> None:
    f = tmp_path / "smi.csv"
    f.write_text(NVIDIA_SMI)
    with pytest.raises(
        ProfileError,
        match=r"value_column 'power' is not a column; the file has \['timestamp', 'index', 'power.draw \[W\]', 'temperature.gpu'\]",
    ):
        rf.Profile.from_csv(f, value_column="power")
    with pytest.raises(ProfileError, match=r"time_column 'time' is not a column"):
        rf.Profile.from_csv(f, time_column="time")
    with pytest.raises(ProfileError, match=r"does not increase at line 3.*where=\{'index': 0\}"):
        rf.Profile.from_csv(f)
    with pytest.raises(ProfileError, match=r"no data rows matching \{'index': 7\}"):
        rf.Profile.from_csv(f, where={"index": 7})
    bad = tmp_path / "na.csv"
    bad.write_text("timestamp, power.draw [W]\n2024/05/01 12:00:00, 300 W\n2024/05/01 12:00:01, [N/A]\n")
    with pytest.raises(ProfileError, match=r"column 'power.draw \[W\]', line 3: '\[N/A\]' is not a number"):
        rf.Profile.from_csv(bad)
    nan = tmp_path / "nan.csv"
    nan.write_text("t,v\n0,1\n1,nan\n")
    with pytest.raises(ProfileError, match=r"line 3: 'nan' is not a number"):
        rf.Profile.from_csv(nan, "t", "v")
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("t,v\n0,1 W\n1,2 kW\n")
    with pytest.raises(ProfileError, match=r"mixes units: 'W' on line 2, 'kW' on line 3"):
        rf.Profile.from_csv(mixed, "t", "v")
    dates = tmp_path / "dates.csv"
    dates.write_text("t,v\n2024/05/01 12:00:00,1\nyesterday-ish,2\n")
    with pytest.raises(
        ProfileError, match=r"column 't', line 3: 'yesterday-ish' is neither seconds nor a date-time"
    ):
        rf.Profile.from_csv(dates, "t", "v")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ProfileError, match=r"the file is empty"):
        rf.Profile.from_csv(empty, "t", "v")
    header = tmp_path / "header.csv"
    header.write_text("t,v\n")
    with pytest.raises(ProfileError, match=r"no data rows"):
        rf.Profile.from_csv(header, "t", "v")
    with pytest.raises(FileNotFoundError, match=r"nothere\.csv"):
        rf.Profile.from_csv(tmp_path / "nothere.csv", "t", "v")


def test_as_profile_turns_numbers_and_dicts_into_profiles() -> None:
    from rackflow.profile import as_profile

    assert as_profile(None, "power_w") is None
    c = as_profile(700.0, "plate 'gpu0' power_w")
    assert c is not None and c(12.0) == 700.0 and c.is_constant()
    p = rf.Profile(time_s=[0, 1], value=[0, 1])
    assert as_profile(p, "x") is p
    assert as_profile(p.to_dict(), "x") == p
    with pytest.raises(ProfileError, match=r"plate 'gpu0' power_w: value must be finite"):
        as_profile(math.nan, "plate 'gpu0' power_w")
    with pytest.raises(ProfileError, match=r"supply_c: value must be a number, got 'hot'"):
        as_profile("hot", "supply_c")
