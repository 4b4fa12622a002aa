"""A Colossus-class hall in time: 200,000 GPUs at 700 W, a training job starting and stopping.

What it demonstrates: the hall template at the seed system's size (3,125 racks × 64 H100-class
GPUs, 140 MW: racks in rows of 25, pods of 10 rows, headers sized for 2.5 m/s, reverse return,
each rack's CDU holding 35 °C under a PI controller on W32 facility water); its steady design
check at full load; then ``Network.simulate``: every GPU of the hall steps from 20 % to 100 %
power in 0.2 s, runs 30 s and steps back. Printed and written: the worst junction temperature
over time, the CDUs' supply overshoot and undershoot, how long the worst GPU takes to settle,
and the energy balance.

Run time: about a minute at 3,125 racks on two cores (build ~10 s, steady solve ~3 s, 600
steps ~30 s); a second with ``--racks 8``.

How to run: ``python examples/colossus_hall.py [--racks N] [--end-time-s 60] [--time-step-s 0.1]
[output_dir]`` (default ``./rackflow-output``, or set ``RACKFLOW_EXAMPLE_OUT``;
``RACKFLOW_EXAMPLE_SMALL=1`` runs 8 racks).

The cold plate is rackflow's generic illustrative model (R ≈ 0.035 K/W at 1 L/min) with the
default GPU-and-plate heat capacity (308 J/K, 0.8 kg of copper): a time constant of about 11 s.
The CDU's exchanger volume (100 kJ/K) and PI gains are illustrative, not a product's.
"""

# %%
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import rackflow as rf

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("output_dir", nargs="?", default=None)
parser.add_argument("--racks", type=int, default=8 if os.environ.get("RACKFLOW_EXAMPLE_SMALL") else 3125)
parser.add_argument("--end-time-s", type=float, default=60.0)
parser.add_argument("--time-step-s", type=float, default=0.1)
args = parser.parse_args()
out = Path(args.output_dir or os.environ.get("RACKFLOW_EXAMPLE_OUT", "rackflow-output"))
out.mkdir(parents=True, exist_ok=True)

GPU_W, IDLE = 700.0, 0.2
SETPOINT_C = 35.0
# The job: 20 % until 1 s, full power 0.2 s later, back to 20 % after 30 s at full power.
job = rf.Profile(
    time_s=[0.0, 1.0, 1.2, 31.2, 31.4],
    value=[IDLE * GPU_W, IDLE * GPU_W, GPU_W, GPU_W, IDLE * GPU_W],
    name="training job",
    unit="W",
)
cdu_pi = {"control": "pi", "kp_w_k": 25e3, "ki_w_k_s": 4e3, "heat_capacity_j_k": 1e5}

# %% The hall, and its steady design check at full load
t0 = time.perf_counter()
design = rf.Network.hall(args.racks, power_w=GPU_W, rack_supply_c=SETPOINT_C, cdu_control=cdu_pi)
t1 = time.perf_counter()
steady = design.solve()
t2 = time.perf_counter()
s = steady.summary()
print(f"{args.racks} racks, {s['cold_plates']:,} GPUs, {len(design.edges):,} edges")
print(f"built in {t1 - t0:.2f} s, steady solve {t2 - t1:.2f} s")
print(
    f"full load: {s['heat_in_w'] / 1e6:.1f} MW, worst GPU {s['worst_gpu_temperature_c']:.2f} °C, "
    f"plate flows {s['plate_flow_min_lpm']:.3f}-{s['plate_flow_max_lpm']:.3f} L/min, "
    f"pumping {s['pumping_power_w'] / 1e3:.0f} kW"
)
d = design.design
print(
    f"headers: rows Ø {d['row_header_diameter_m']:.3f} m, pods Ø {d['pod_header_diameter_m']:.3f} m, "
    f"mains Ø {d['main_header_diameter_m']:.2f} m; {d['facility_flow_per_rack_lpm']:.1f} L/min of facility "
    f"water per rack, loop head {d['loop_head_pa'] / 1e3:.0f} kPa"
)

# %% [markdown]
# ## The job in time
# The same hall with every GPU following the job's power profile, from the steady state at
# 20 %. Per-GPU temperatures are kept once a second; the worst GPU and every CDU every step.

# %%
hall = rf.Network.hall(args.racks, power_w=job, rack_supply_c=SETPOINT_C, cdu_control=cdu_pi)
t3 = time.perf_counter()
run = hall.simulate(end_time_s=args.end_time_s, time_step_s=args.time_step_s, output_interval_s=1.0)
t4 = time.perf_counter()
racks = [i for i, name in enumerate(run.cdu_names) if name != "plant"]
supply = run.cdu_supply_c[:, racks]
worst = run.worst_gpu_temperature_c
peak = int(np.argmax(worst))
settle_up = run.settling_time_s(worst, after_s=1.0, until_s=31.2)
settle_down = run.settling_time_s(worst, after_s=31.2)
print(f"\nsimulated {run.times_s[-1]:.0f} s in {len(run.times_s) - 1} steps: {t4 - t3:.1f} s wall")
print(f"worst junction: {worst[0]:.2f} °C at 20 %, peak {worst[peak]:.2f} °C at {run.times_s[peak]:.1f} s")
print(
    f"  within 0.5 K of its level {settle_up:.1f} s after the step up (of the 30 s at full power), "
    f"{settle_down:.1f} s after the step down"
)
print(
    f"CDU supply: set-point {SETPOINT_C:.1f} °C, overshoot +{supply.max() - SETPOINT_C:.3f} K, "
    f"undershoot -{SETPOINT_C - supply.min():.3f} K"
)
print(f"energy balance: largest step error {run.energy_balance_error():.1e} of the step's heat")

summary = run.to_frame("summary")
summary["cdu_supply_max_c"] = supply.max(axis=1)
summary["cdu_supply_min_c"] = supply.min(axis=1)
summary.to_csv(out / "colossus_hall_summary.csv", index=False)
run.plot(out / "colossus_hall.png", cdus=[run.cdu_names[racks[0]], run.cdu_names[racks[-1]]])
print(f"wrote {out / 'colossus_hall.png'} and {out / 'colossus_hall_summary.csv'}")
