"""A 64-GPU rack on PG25 (Colossus-style: 8 servers × 8 H100-class GPUs).

What it demonstrates: the rack template (in-rack CDU on W32 facility water, 3 K approach,
vertical rear manifolds, per-server hoses with quick disconnects), the solved flow split and
every GPU's temperature; then the same rack with one quick disconnect partly blocked, and which
GPUs overheat.

Run time: about a second.

How to run: ``python examples/rack_64gpu.py [output_dir]`` (default ``./rackflow-output``, or set
``RACKFLOW_EXAMPLE_OUT``).

The cold plate is rackflow's generic illustrative model (ΔP ≈ 8 kPa and R ≈ 0.035 K/W at
1 L/min); replace it with ``ColdPlateModel.from_points(...)`` from a datasheet.
"""

# %%
from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

import rackflow as rf
from rackflow.errors import RackflowWarning

out = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("RACKFLOW_EXAMPLE_OUT", "rackflow-output"))
out.mkdir(parents=True, exist_ok=True)
LIMIT_C = 65.0  # illustrative design limit for the generic plate (GPU case temperature)

# %% The healthy rack
net = rf.Network.rack(
    servers=8, plates_per_server=8, power_w=700.0, coolant="PG25", supply_c=32.0, approach_k=3.0
)
t0 = time.perf_counter()
healthy = net.solve()
print(f"solved {len(net.edges)} edges in {time.perf_counter() - t0:.3f} s\n")
print(healthy.summary())
healthy.plot_gpu_temperatures(out / "gpu_temperatures.png", limit_c=LIMIT_C)
healthy.render(out / "rack_temperature.png", by="temperature")

# %% [markdown]
# ## One quick disconnect partly blocked
# Debris in server 3's supply QD raises its loss coefficient from 2 to 400 (≈ 90 % of the
# flow area gone). That server's eight plates are starved; the others barely notice.

# %%
net.edge("qd_in3").params["k"] = 400.0
with warnings.catch_warnings():
    # The starved plates run below the characterised flow range; extrapolate, but say so.
    warnings.simplefilter("ignore", RackflowWarning)
    blocked = net.solve(allow_extrapolation=True)
for w in blocked.warnings[:2]:
    print("warning:", w)
plates = blocked.cold_plates().set_index("name")
base = healthy.cold_plates().set_index("name")
plates["change_k"] = plates["gpu_temperature_c"] - base["gpu_temperature_c"]
hot = plates[plates["gpu_temperature_c"] > LIMIT_C]
print(f"\nblocked qd_in3: {len(hot)} GPUs above {LIMIT_C} °C")
print(hot[["flow_lpm", "inlet_c", "gpu_temperature_c", "change_k"]].round(2).to_string())
print(f"\nworst elsewhere: {plates.drop(hot.index)['gpu_temperature_c'].max():.2f} °C")
blocked.plot_gpu_temperatures(out / "gpu_temperatures_blocked.png", limit_c=LIMIT_C)
blocked.render(out / "rack_flow_blocked.png", by="flow")
print(f"\nfigures in {out}/")
