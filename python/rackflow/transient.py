"""Results of transient solves: temperatures against time, the engineering numbers over time, and
ParaView time series and animations.

:meth:`Case.solve_transient <rackflow.case.Case.solve_transient>` returns a
:class:`TransientResult`; ``run.at(t)`` is a :class:`~rackflow.result.Result` at any time of the
run (fields interpolated linearly in time between stored outputs), so everything a steady result
offers (``outlet_temperature_c``, ``render``, ``save``) works at an instant.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rackflow import units
from rackflow.errors import CaseError
from rackflow.materials import ABSOLUTE_ZERO_C

if TYPE_CHECKING:
    import pandas as pd

    from rackflow.case import Case
    from rackflow.result import Result


def profiles_to_core(case: Case) -> list[dict[str, Any]]:
    """The case's time profiles in the core's form (SI, kelvin), with their targets."""
    out: list[dict[str, Any]] = []
    for (kind, target), profile in case.profiles.items():
        values = np.asarray(profile.value, dtype=np.float64)
        if kind == "power_w":
            entry = {"kind": "power_w", "region": target}
        elif kind == "power_density_w_m3":
            # uniform over the region: the core's power profile, W/m³ times the region's volume
            entry = {"kind": "power_w", "region": target}
            volume = float(case.mesh.cell_volumes[case.mesh.cells_of(target)].sum())
            values = values * volume
        elif kind == "heat_flux":
            entry = {"kind": "heat_flux", "patch": target}
        elif kind == "absorbed_flux":
            entry = {"kind": "absorbed_flux", "patch": target}
        elif kind in ("flow_lpm", "mass_flow_kg_s", "velocity_m_s"):
            # the core's inlet rate: m³/s for a volume flow, else as given
            entry = {"kind": "inflow", "patch": target}
            if kind == "flow_lpm":
                values = np.asarray(units.m3_s(values), dtype=np.float64)
        else:
            entry = {"kind": "temperature_k", "patch": target}
            values = values - ABSOLUTE_ZERO_C
        out.append(
            {
                "target": entry,
                "time_s": [float(t) for t in profile.time_s],
                "value": [float(v) for v in values],
                "step": profile.interpolation == "step",
            }
        )
    return out


def run_transient(
    case: Case,
    transient: Mapping[str, Any],
    settings: Mapping[str, Any] | None = None,
    progress: Any = None,
    initial: Any = None,
) -> TransientResult:
    """Solve ``case`` in time as a case file's ``[transient]`` table says.

    The run starts from the steady solution at the start time (profiles at t = 0) unless the
    table gives ``initial_temperature_c`` (a uniform start). ``settings`` are the ``[solver]``
    keywords, used for the steady start and every step; ``initial`` warm-starts the steady start
    (as ``Case.solve(initial=...)``).
    """
    from rackflow import casefile

    settings = dict(settings or {})
    keywords = casefile.transient_keywords(transient)
    if "initial_temperature_c" in transient:
        settings["initial_temperature_c"] = transient["initial_temperature_c"]
        return case.solve_transient(**keywords, progress=progress, **settings)
    if initial is not None:
        settings.pop("initial_temperature_c", None)  # a warm start replaces a uniform first guess
    steady = case.solve(initial=initial, **settings)
    settings.pop("initial_temperature_c", None)  # the steady start replaces a uniform one
    return case.solve_transient(**keywords, initial=steady, progress=progress, **settings)


def transient_metrics(run: TransientResult) -> dict[str, Any]:
    """The largest value over the run of every summary metric (the columns of
    :meth:`TransientResult.to_frame`), plus the hottest temperature overall and the step counts:
    one flat row, as a sweep stores it. Region temperatures are taken at every accepted step (not
    only at the output times), so a peak between outputs is not missed."""
    frame = run.to_frame()
    row: dict[str, Any] = {c: float(frame[c].max()) for c in frame.columns if c != "time_s"}
    peaks = []
    for region in run.mesh.regions:
        peak = float(run.step_max_temperature_c(region).max())
        row[f"max_temperature_c.{region}"] = max(peak, row.get(f"max_temperature_c.{region}", peak))
        peaks.append(row[f"max_temperature_c.{region}"])
    row["max_temperature_c"] = max(peaks)
    row["end_time_s"] = float(run.times_s[-1])
    for key in ("steps_accepted", "steps_rejected", "flow_updates"):
        row[key] = int(run.report.get(key, 0))
    return row


class TransientResult:
    """A transient run: fields at the output times, traces at every accepted step.

    ``times_s`` are the output times; per-region and per-patch numbers are arrays over them.
    With fixed steps the steps land on every output time; adaptive steps do not (closely spaced
    outputs would cap the step): an output between two steps is the quadratic through the last
    three levels, of the scheme's own order, with the inputs' values at the output time.
    ``step_times_s`` and :meth:`step_max_temperature_c` follow every accepted time step (the
    junction temperature at full time resolution). A failed run's completed steps
    (``err.partial_result``) are one too, with ``partial`` True: its outputs are those reached
    by ``completed_to_s``, possibly none.
    """

    def __init__(
        self, case: Case, raw: dict[str, Any], initial: Result | None = None, *, partial: bool = False
    ) -> None:
        self.case = case
        self.mesh = case.mesh
        self.times_s: np.ndarray = np.asarray(raw["output_times_s"])
        # in place: the fields at the output times are most of a run's memory (0.7 MB each on
        # the bundled plate), and a converted copy would hold them twice
        self._temperature_c: np.ndarray = raw["temperature_k"]
        self._temperature_c += ABSOLUTE_ZERO_C
        self._temperature_c.flags.writeable = False
        self._patch_heat: np.ndarray = raw["patch_heat_flow_w"]
        self._region_source: np.ndarray = raw["region_source_w"]
        self.step_times_s: np.ndarray = np.asarray(raw["step_times_s"])
        self._step_max_c: np.ndarray = raw["step_max_temperature_k"] + ABSOLUTE_ZERO_C
        self.report: dict[str, Any] = json.loads(raw["report_json"])
        for key in ("step_max_temperature_k", "patch_heat_flow_w", "region_source_w", "step_times_s"):
            self.report.pop(key, None)
        self._flow = {k: raw[k] for k in raw if k in _FLOW_KEYS}
        # per output time (the flow may follow a profile): inflow per patch, outflow temperature
        self._patch_mass_flow: np.ndarray | None = raw.get("output_patch_mass_flow_kg_s")
        outflow = raw.get("output_outflow_temperature_k")
        self._outflow_c: np.ndarray | None = None if outflow is None else outflow + ABSOLUTE_ZERO_C
        self._initial = initial
        self._cells = {r: self.mesh.cells_of(r) for r in self.mesh.regions}
        #: True for the steps a failed run completed (``err.partial_result``): the run stopped
        #: after ``completed_to_s``, before its end time
        self.partial: bool = partial
        #: the last accepted step's time, s (the end time for a complete run)
        self.completed_to_s: float = float(self.step_times_s[-1])

    # ----- fields ----------------------------------------------------------------------------
    @property
    def temperature_c(self) -> np.ndarray:
        """Cell temperatures at every output time, shape (n_times, n_cells), °C (read-only)."""
        return self._temperature_c

    def _weights(self, time_s: float) -> tuple[int, int, float]:
        t = float(time_s)
        if not len(self.times_s):
            raise CaseError(
                f"this partial run stopped at {self.completed_to_s} s before its first output time"
            )
        if not (math.isfinite(t) and self.times_s[0] - 1e-12 <= t <= self.times_s[-1] + 1e-12):
            raise CaseError(
                f"time {time_s} s is outside the stored output times [{self.times_s[0]}, {self.times_s[-1]}] s"
            )
        j = (
            int(np.clip(np.searchsorted(self.times_s, t), 1, len(self.times_s) - 1))
            if len(self.times_s) > 1
            else 0
        )
        if len(self.times_s) == 1:
            return 0, 0, 0.0
        i = j - 1
        w = (t - self.times_s[i]) / (self.times_s[j] - self.times_s[i])
        return i, j, float(np.clip(w, 0.0, 1.0))

    def at(self, time_s: float) -> Result:
        """The state at ``time_s`` as a :class:`~rackflow.result.Result` (fields interpolated
        linearly between the stored output times; balances are instantaneous, so the steady
        energy balance is NaN). Its velocity, pressure and mass fluxes are those of the run's
        last flow solve: the frozen flow, or the flow at the end when it follows a profile
        (:meth:`mass_flow_kg_s` and :meth:`outlet_temperature_c` follow it at every output)."""
        from rackflow.result import Result

        i, j, w = self._weights(time_s)
        blend = lambda a: (1.0 - w) * a[i] + w * a[j]  # noqa: E731
        n_patches = len(self.mesh.patches)
        raw: dict[str, Any] = {
            "temperature_k": blend(self._temperature_c) - ABSOLUTE_ZERO_C,
            "velocity_m_s": self._flow.get("velocity_m_s", np.empty((0, 3))),
            "pressure_pa": self._flow.get("pressure_pa", np.empty(0)),
            "mass_flux_kg_s": self._flow.get("mass_flux_kg_s", np.empty(0)),
            "patch_mass_flow_kg_s": self._flow.get("patch_mass_flow_kg_s", [0.0] * n_patches),
            "patch_total_pressure_pa": self._flow.get("patch_total_pressure_pa", [math.nan] * n_patches),
            "patch_static_pressure_pa": self._flow.get("patch_static_pressure_pa", [math.nan] * n_patches),
            "mass_imbalance": self._flow.get("mass_imbalance", 0.0),
            "patch_heat_flow_w": list(blend(self._patch_heat)),
            "region_source_w": list(blend(self._region_source)),
            "contact_heat_flow_w": [],
            "energy_balance_error": math.nan,
            "report_json": json.dumps(
                {"outer_iterations": 0, "linear_iterations": [], "flow_iterations": 0, "solve_time_s": 0.0}
            ),
        }
        result = Result(self.case, raw)
        result._inlet_temperature_c = self.case._single_inlet_temperature_c()
        return result

    # ----- numbers over time -------------------------------------------------------------------
    def _region(self, region: str | None) -> np.ndarray:
        if region is None:
            return self._temperature_c
        if region not in self._cells:
            raise CaseError(f"unknown region '{region}'; the mesh has regions {self.mesh.regions}")
        return self._temperature_c[:, self._cells[region]]

    def max_temperature_c(self, region: str | None = None) -> np.ndarray:
        """Hottest temperature of a region (or the part) at each output time, °C."""
        return self._region(region).max(axis=1)

    def mean_temperature_c(self, region: str | None = None) -> np.ndarray:
        """Volume-mean temperature of a region (or the part) at each output time, °C."""
        cells = np.arange(self.mesh.n_cells) if region is None else self._cells.get(region)
        if cells is None:
            self._region(region)
        volumes = self.mesh.cell_volumes[cells]
        return self._temperature_c[:, cells] @ volumes / volumes.sum()

    def step_max_temperature_c(self, region: str) -> np.ndarray:
        """Hottest temperature of a region after every accepted step (``step_times_s``), °C."""
        if region not in self._cells:
            raise CaseError(f"unknown region '{region}'; the mesh has regions {self.mesh.regions}")
        return self._step_max_c[:, self.mesh.regions.index(region)]

    def heat_flow_w(self, patch: str) -> np.ndarray:
        """Heat flow into the domain through a patch at each output time, W."""
        if patch not in self.mesh.patches:
            raise CaseError(f"unknown patch '{patch}'; the mesh has patches {self.mesh.patches}")
        return self._patch_heat[:, self.mesh.patches.index(patch)]

    def power_w(self, region: str) -> np.ndarray:
        """Heat generated in a region at each output time, W."""
        if region not in self._cells:
            raise CaseError(f"unknown region '{region}'; the mesh has regions {self.mesh.regions}")
        return self._region_source[:, self.mesh.regions.index(region)]

    def mass_flow_kg_s(self, patch: str) -> np.ndarray:
        """Coolant mass flow into the domain through a patch at each output time, kg/s (negative
        where it leaves); it follows a flow-rate profile in steps of the quasi-steady flow."""
        if self._patch_mass_flow is None:
            raise CaseError("this case has no coolant flow")
        if patch not in self.mesh.patches:
            raise CaseError(f"unknown patch '{patch}'; the mesh has patches {self.mesh.patches}")
        return self._patch_mass_flow[:, self.mesh.patches.index(patch)]

    def outlet_temperature_c(self, patch: str) -> np.ndarray:
        """Mixed-mean coolant temperature leaving through a patch at each output time, °C (weighted
        by the mass flux of the flow at that time)."""
        if "mass_flux_kg_s" not in self._flow:
            raise CaseError("this case has no coolant flow")
        if self._outflow_c is not None:
            if patch not in self.mesh.patches:
                raise CaseError(f"unknown patch '{patch}'; the mesh has patches {self.mesh.patches}")
            values = self._outflow_c[:, self.mesh.patches.index(patch)]
            if np.isnan(values).all():
                raise CaseError(f"no coolant leaves through patch '{patch}'")
            return values
        flux = self._flow["mass_flux_kg_s"]
        start, end = self.mesh.patch_face_range(patch)
        out = np.clip(flux[start:end], 0.0, None)
        if out.sum() <= 0:
            raise CaseError(f"no coolant leaves through patch '{patch}'")
        cells = self.mesh.patch_face_cells(patch)
        return self._temperature_c[:, cells] @ out / out.sum()

    def time_constant_s(self, region: str, after_s: float | None = None) -> float:
        """Thermal time constant of a region after a step: the time its hottest temperature takes
        to cover 63.2 % (1 − 1/e) of the way from its value at the step to the extreme it reaches
        afterwards, s, interpolated between accepted steps. The step is at ``after_s``, by default
        the first breakpoint of the case's profiles where the input jumps or starts to change
        (the start of the run without profiles)."""
        times, values = self.step_times_s, self.step_max_temperature_c(region)
        if after_s is None:
            after_s = self._first_change_s()
        start = int(np.searchsorted(times, after_s - 1e-12))
        if start >= len(times) - 1:
            raise CaseError(f"no accepted steps after {after_s} s to measure a time constant on")
        times, values = times[start:], values[start:]
        excursion = values - values[0]
        extreme = int(np.argmax(np.abs(excursion)))
        change = excursion[extreme]
        if not abs(change) > 0:
            raise CaseError(f"region '{region}' does not change temperature after {after_s} s")
        target = (1.0 - math.exp(-1.0)) * change
        k = int(np.nonzero(excursion * np.sign(change) >= abs(target))[0][0])
        w = (target - excursion[k - 1]) / (excursion[k] - excursion[k - 1])
        return float(times[k - 1] + w * (times[k] - times[k - 1]) - times[0])

    def _first_change_s(self) -> float:
        """The first time any profile of the case changes value, or the start of the run."""
        start = float(self.times_s[0])
        changes = []
        for profile in self.case.profiles.values():
            t, v = np.asarray(profile.time_s), np.asarray(profile.value)
            for i in range(len(t) - 1):
                if v[i + 1] != v[i] and t[i] >= start:
                    # a step profile jumps at the next breakpoint; a linear one starts to move here
                    changes.append(t[i + 1] if profile.interpolation == "step" else t[i])
                    break
        return min(changes, default=start)

    def to_frame(self) -> pd.DataFrame:
        """Every summary metric at every output time, one row per time (``time_s`` first)."""
        import pandas as pd

        data: dict[str, Any] = {"time_s": self.times_s}
        for region in self.mesh.regions:
            data[f"max_temperature_c.{region}"] = self.max_temperature_c(region)
            data[f"mean_temperature_c.{region}"] = self.mean_temperature_c(region)
            if np.any(self.power_w(region) != 0):
                data[f"power_w.{region}"] = self.power_w(region)
        for patch in self.mesh.patches:
            data[f"heat_flow_w.{patch}"] = self.heat_flow_w(patch)
        for patch, b in self.case.boundaries.items():
            if b.kind == "outlet" and "mass_flux_kg_s" in self._flow:
                data[f"outlet_temperature_c.{patch}"] = self.outlet_temperature_c(patch)
            if b.kind == "inlet" and self._patch_mass_flow is not None:
                data[f"mass_flow_kg_s.{patch}"] = self.mass_flow_kg_s(patch)
        return pd.DataFrame(data)

    # ----- files and pictures --------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """A ParaView time series: one ``.vtu`` per output time beside a ``.pvd`` index."""
        path = Path(path)
        if path.suffix != ".pvd":
            raise CaseError(f"a transient run saves as a .pvd time series, got '{path.name}'")
        folder = path.with_suffix("")
        folder.mkdir(parents=True, exist_ok=True)
        entries = []
        for k, t in enumerate(self.times_s):
            vtu = self.at(float(t)).save(folder / f"{path.stem}_{k:05d}.vtu")
            entries.append(f'    <DataSet timestep="{t!r}" file="{folder.name}/{vtu.name}"/>')
        path.write_text(
            '<?xml version="1.0"?>\n<VTKFile type="Collection" version="0.1">\n  <Collection>\n'
            + "\n".join(entries)
            + "\n  </Collection>\n</VTKFile>\n"
        )
        return path

    def animate(self, path: str | Path, field: str = "temperature", fps: int = 10, **kwargs: Any) -> Path:
        """An animation (``.gif`` or ``.mp4``) of a field over the output times, rendered headless
        through PyVista with one colour range for every frame."""
        from rackflow.viz import animate_frames

        return animate_frames(
            [self.at(float(t)) for t in self.times_s], self.times_s, Path(path), field, fps, **kwargs
        )

    def plot(self, region: str, path: str | Path | None = None, power_region: str | None = None) -> Any:
        """T_max(t) of a region at full step resolution, with a region's power on a second axis."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 4))
        ax.plot(self.step_times_s, self.step_max_temperature_c(region), color="tab:red")
        ax.set_xlabel("time [s]")
        ax.set_ylabel(f"max temperature of {region} [°C]", color="tab:red")
        source = power_region or region
        if np.any(self.power_w(source) != 0):
            ax2 = ax.twinx()
            ax2.plot(self.times_s, self.power_w(source), color="tab:blue", alpha=0.6)
            ax2.set_ylabel(f"power of {source} [W]", color="tab:blue")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
            plt.close(fig)
        return fig

    def __repr__(self) -> str:
        over = f" over {self.times_s[0]:g}–{self.times_s[-1]:g} s" if len(self.times_s) else ""
        partial = f", partial: completed to {self.completed_to_s:g} s" if self.partial else ""
        return f"TransientResult({len(self.times_s)} outputs{over}, {self.report.get('steps_accepted')} steps{partial})"


_FLOW_KEYS = {
    "velocity_m_s",
    "pressure_pa",
    "mass_flux_kg_s",
    "patch_mass_flow_kg_s",
    "patch_total_pressure_pa",
    "patch_static_pressure_pa",
    "mass_imbalance",
}
