"""Sizing an orbital datacenter's radiator, and its temperature over a low Earth orbit.

What it demonstrates: ``rackflow.orbit`` — radiator area per megawatt against radiator
temperature (two-sided, ε = 0.9, 3 K sink; the table of the project's domain notes), the
absorbed solar, albedo and Earth-infrared flux over a 550 km orbit (95.5 min, 35.6 min of
eclipse) on a zenith-facing white-painted panel, and the temperature of a lumped panel carrying
a steady heat load through several orbits until its cycle repeats.

Run time: under a second.

How to run: ``python examples/orbital_radiator_panel.py [output_dir]`` (default
``./rackflow-output``, or set ``RACKFLOW_EXAMPLE_OUT``); writes ``orbital_radiator.csv``.
"""

# %%
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import rackflow as rf

out = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("RACKFLOW_EXAMPLE_OUT", "rackflow-output"))
out.mkdir(parents=True, exist_ok=True)
orbit = rf.orbit

# %% [markdown]
# ## Area per megawatt, no absorbed load
# A two-sided panel at temperature T rejects 2 ε σ (T⁴ − T_sink⁴) per m² of panel.

# %%
print("radiator temperature | two-sided W/m² | m² per MW")
for t_c in (20.0, 40.0, 60.0, 80.0, 100.0):
    panel = orbit.RadiatorPanel(radiating_area_m2=2.0, emissivity=0.9, heat_capacity_j_k=1.0)
    flux = -panel.net_heat_w(t_c, power_w=0.0) / 1.0  # W per m² of panel (two sides)
    print(f"{t_c:8.0f} °C           | {flux:10.0f}     | {1e6 / flux:8.0f}")

# %% [markdown]
# ## The orbit's absorbed flux on a zenith-facing panel (white paint: α 0.2, ε 0.9)

# %%
profile = orbit.orbit_absorbed_flux(absorptivity=0.2, emissivity=0.9, altitude_m=550e3, beta_deg=0.0)
print(
    f"orbit {profile.period_s / 60:.1f} min, eclipse {orbit.eclipse_duration_s(550e3) / 60:.1f} min; "
    f"absorbed flux mean {profile.mean():.0f} W/m², peak {profile.value.max():.0f} W/m²"
)

# %% [markdown]
# ## A 1 m² two-sided panel carrying 1 kW through six orbits
# Aluminium honeycomb panel of 5 kg/m² (c = 900 J/kg K); only its sunward side absorbs.

# %%
panel = orbit.RadiatorPanel(
    radiating_area_m2=2.0, emissivity=0.9, heat_capacity_j_k=5.0 * 900.0, absorbing_area_m2=1.0
)
orbits = 3 if os.environ.get("RACKFLOW_EXAMPLE_SMALL") else 6
times = np.linspace(0.0, orbits * profile.period_s, orbits * 120 + 1)
run = panel.simulate(
    power_w=1000.0, absorbed_w_m2=profile, end_time_s=times[-1], initial_c=20.0, output_times_s=times
)
last = run.temperature_c[-121:]
print(
    f"last orbit: {last.min():.1f} to {last.max():.1f} °C "
    f"(steady without sunlight {panel.equilibrium_temperature_c(1000.0):.1f} °C, "
    f"at orbit noon {panel.equilibrium_temperature_c(1000.0, profile.value.max()):.1f} °C)"
)
np.savetxt(
    out / "orbital_radiator.csv",
    np.c_[run.time_s, profile(run.time_s), run.temperature_c],
    delimiter=",",
    header="time_s,absorbed_w_m2,temperature_c",
    comments="",
)
print(f"wrote {out / 'orbital_radiator.csv'}")
