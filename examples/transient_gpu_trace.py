"""A GPU power trace through a die-on-spreader stack: a case file in time, and a sweep of it.

What it demonstrates: a case file (TOML) whose die power is an nvidia-smi-style CSV log
(``power_w = { csv = "gpu0.csv", ... }``) and whose ``[transient]`` table makes it a transient
case; ``rackflow.transient.run_transient`` (what ``rackflow run case.toml`` does) from the steady
idle state; the junction temperature at every time step with the power on a second axis
(``run.plot``); every metric over time (``run.to_frame``); and ``rackflow.Sweep`` over the
cooling coefficient with the same ``[transient]`` table: one row of peaks per point, the time
series in the store (``rackflow.read_sweep_series``).

Run time: about 11 s (about 5 s with ``RACKFLOW_EXAMPLE_SMALL=1``).

How to run::

    python examples/transient_gpu_trace.py               # writes into ./rackflow-output
    rackflow run rackflow-output/gpu_trace.toml          # the same case from the shell
"""

# %%
import os
from pathlib import Path

import meshio
import numpy as np
import rackflow as rf
from rackflow import casefile
from rackflow.testing.meshes import box
from rackflow.transient import run_transient

SMALL = os.environ.get("RACKFLOW_EXAMPLE_SMALL") == "1"
OUT = Path(os.environ.get("RACKFLOW_EXAMPLE_OUT", "rackflow-output"))


# %% [markdown]
# ## A measured-style trace
# A training step: idle at 150 W, 0.2 s rises to 700 W, a checkpoint stall every 8 s, logged
# every 100 ms in nvidia-smi's CSV form (dates, values with units, one row per GPU).


# %%
def write_trace(path: Path) -> None:
    times = np.arange(0.0, 20.0, 0.1)
    busy = (times > 1.0) & ((times % 8.0) < 6.0)
    power = np.where(busy, 700.0, 150.0)
    lines = ["timestamp, index, power.draw [W]"]
    for t, p in zip(times, power, strict=True):
        stamp = f"2024/05/01 12:00:{t:06.3f}"
        lines += [f"{stamp}, 0, {p:.2f} W", f"{stamp}, 1, 90.00 W"]
    path.write_text("\n".join(lines) + "\n")


# %%
def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    n = 6 if SMALL else 16
    regions = {"die": lambda c: c[:, 2] < 0.001, "spreader": lambda c: c[:, 2] >= 0.001}
    block = box((n, n, 7), (0.03, 0.03, 0.007), regions=regions)
    block.cell_data["gmsh:geometrical"] = block.cell_data["gmsh:physical"]  # gmsh files carry both
    meshio.write(OUT / "stack.msh", block, file_format="gmsh22")
    write_trace(OUT / "gpu0.csv")
    (OUT / "gpu_trace.toml").write_text(
        """
[mesh]
path = "stack.msh"

[solids.die]
material = "silicon"
power_w = { csv = "gpu0.csv", value_column = "power.draw", where = { index = 0 }, interpolation = "step" }

[solids.spreader]
material = "copper"

[[contacts]]
between = ["die", "spreader"]
resistance_m2k_w = 8e-6

[boundaries.zmax]
kind = "convective"
htc_w_m2k = 12000.0
ambient_c = 35.0

[transient]
end_time_s = 20.0
output_interval_s = 0.5
"""
    )
    loaded = casefile.load(OUT / "gpu_trace.toml")
    run = run_transient(loaded.case, loaded.transient, loaded.solver)
    print(run)
    print(
        f"junction peak {run.step_max_temperature_c('die').max():.2f} °C, "
        f"time constant {run.time_constant_s('die'):.2f} s after the first rise"
    )
    run.plot("die", path=OUT / "gpu_trace.png")
    run.to_frame().to_csv(OUT / "gpu_trace.csv", index=False)

    # the same transient case over the cooling coefficient: peaks per point, series in the store
    sweep = rf.Sweep(loaded.case, transient=loaded.transient, **{"htc_w_m2k.zmax": [6e3, 12e3, 24e3]})
    table = sweep.run(store=OUT / "gpu_trace_sweep.parquet", workers=0 if SMALL else None, progress=False)
    print(table[["htc_w_m2k.zmax", "status", "max_temperature_c.die", "steps_accepted"]])
    table.to_csv(OUT / "gpu_trace_sweep.csv", index=False)
    series = rf.read_sweep_series(OUT / "gpu_trace_sweep.parquet")
    print(f"{len(series)} rows of time series for {series['point_id'].nunique()} points")


if __name__ == "__main__":
    main()
