"""An orbital compute module: GPUs on cold plates, a pumped loop, and the radiators that reject a megawatt.

What it demonstrates: the whole chain of rackflow's radiation tools on the seed system of the
radiation issue.

1. A radiator-panel segment (one 4 mm tube in a 1 mm aluminium sheet, 0.1 m × 2 m) meshed by
   ``rackflow.meshing.radiator_panel`` and characterised by 3D conjugate solves with radiation
   (``rf.characterise_radiator``) in the hot case: orbit noon at 550 km, white paint
   (α 0.2, ε 0.9), the zenith face in the Sun, the nadir face seeing the Earth.
2. N racks of 1 kW GPUs on cold plates (rackflow's generic illustrative plate) in a pumped
   single-phase PG50 loop (water–propylene glycol, 50 % by mass: freezes at −33 °C) with the
   panels in radiator wings (``net.radiator``), solved as a network; the radiator area is sized
   so that the hottest junction (the plate's GPU temperature) sits at the design limit.
3. The same network held in eclipse (``net.radiator(..., absorbed_flux_w_m2=...)``: the
   panels in another environment), the cold steady state.
4. The same network through four 95.5-minute low Earth orbits with 35.6 minutes of eclipse
   (``Network.simulate``): the absorbed flux an ``rf.Profile``, the heat capacities of the
   radiator wings, the GPUs and plates and the coolant in the pipes, the junction
   temperatures from the network.

It prints the radiator area per MW, the loop flow and pump power, and the junction temperature
margin over the orbit. Illustrative numbers: a generic cold plate, a simple tube-and-sheet
panel, no louvres or heaters.

Run time: about 20 s (``--racks 2``: about 10 s).

How to run: ``python examples/orbital_module.py [output_dir] [--racks N]`` (default
``./rackflow-output``, or set ``RACKFLOW_EXAMPLE_OUT``; ``RACKFLOW_EXAMPLE_SMALL=1`` runs 2
racks); writes ``orbital_module.csv``.
"""

# %%
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import rackflow as rf
from rackflow.meshing import radiator_panel
from rackflow.network import default_cold_plate_model

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("out", nargs="?", default=os.environ.get("RACKFLOW_EXAMPLE_OUT", "rackflow-output"))
parser.add_argument("--racks", type=int, default=2 if os.environ.get("RACKFLOW_EXAMPLE_SMALL") else 8)
args = parser.parse_args()
out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)
started = time.perf_counter()

RACKS, SERVERS, GPUS = args.racks, 16, 8  # 8 racks × 128 GPUs × 1 kW ≈ 1 MW
GPU_W = 1000.0
JUNCTION_LIMIT_C = 85.0  # design limit of the (generic) plate's GPU temperature
FLOW_PER_GPU_LPM = 1.5
COOLANT = "PG50"
ALPHA, EPSILON, ALTITUDE_M = 0.2, 0.9, 550e3
SEGMENT_PITCH_M, SEGMENT_LENGTH_M = 0.1, 2.0

# %% [markdown]
# ## The orbit's absorbed flux on the two faces of a horizontal panel
# The zenith face sees the Sun (not the Earth); the nadir face sees the Earth's infrared and
# albedo. Orbit noon is the hot case the radiator is sized for.

# %%
orbit = rf.orbit
zenith = orbit.orbit_absorbed_flux(absorptivity=ALPHA, emissivity=EPSILON, altitude_m=ALTITUDE_M)
nadir = orbit.orbit_absorbed_flux(
    absorptivity=ALPHA, emissivity=EPSILON, altitude_m=ALTITUDE_M, normal="nadir"
)
print(
    f"orbit {zenith.period_s / 60:.1f} min, eclipse {orbit.eclipse_duration_s(ALTITUDE_M) / 60:.1f} min; "
    f"absorbed at noon: zenith face {zenith.value[0]:.0f} W/m², nadir face {nadir.value[0]:.0f} W/m²"
)

# %% [markdown]
# ## One panel segment, characterised in 3D
# Heat rejected and pressure drop against flow and inlet temperature, in the hot case.

# %%
# two cells across the 4 mm bore: at 0.6 L/min (k-ω SST) that puts the first cell centres past
# the buffer layer, where wall functions hold; the default 1 mm cells leave them at y⁺ 10–18
# (the buffer layer, which the default blended wall treatment covers; with
# `wall_treatment="switching"` a `WallTreatmentWarning`). Radiation, not the coolant film, limits
# the panel.
mesh = rf.load_mesh(
    radiator_panel(
        out / "radiator_segment.msh", length_m=SEGMENT_LENGTH_M, tube_pitch_m=SEGMENT_PITCH_M, bore_cells=2
    )
)
segment = rf.Case(mesh)
segment.solid("sheet", "aluminium_6061")
segment.solid("tube", "aluminium_6061")
segment.fluid("coolant", COOLANT)
segment.inlet("inlet", flow_lpm=0.3, temperature_c=60.0)
segment.outlet("outlet")
segment.radiation("front", emissivity=EPSILON, absorbed_flux_w_m2=float(zenith.value[0]))
segment.radiation("back", emissivity=EPSILON, absorbed_flux_w_m2=float(nadir.value[0]))
t0 = time.perf_counter()
panel = rf.characterise_radiator(segment, flow_lpm=[0.1, 0.25, 0.6], inlet_temperature_c=[30.0, 55.0, 80.0])
print(f"\n{mesh.n_cells:,}-cell segment characterised in {time.perf_counter() - t0:.1f} s: {panel}")
panel_area_m2 = SEGMENT_PITCH_M * SEGMENT_LENGTH_M  # one side

# %% [markdown]
# ## The loop, and the radiator area that holds the junctions at the limit
# A flow-controlled pump, one pipe pair per rack, the racks' plates in parallel, and the
# radiator in `WINGS` wings in parallel. The number of segments (the area) is found by the
# secant method on the hottest junction.

# %%
WINGS = max(2, RACKS)
plate = default_cold_plate_model()
total_flow = FLOW_PER_GPU_LPM * RACKS * SERVERS * GPUS


def loop(segments: float, absorbed_w_m2: float | None = None) -> rf.Network:
    """The module's loop with ``segments`` panel segments; ``absorbed_w_m2`` another environment
    for the panels (mean over their radiating area; default the characterised hot case)."""
    net = rf.Network(coolant=COOLANT, name=f"orbital module, {RACKS} racks")
    net.flow_source("radiator_out", "supply", flow_lpm=total_flow, name="pump")
    for r in range(RACKS):
        net.pipe("supply", f"r{r}_in", diameter_m=0.05, length_m=6.0, name=f"rack{r}_supply")
        for g in range(SERVERS * GPUS):
            net.cold_plate(f"r{r}_in", f"r{r}_out", model=plate, power_w=GPU_W, name=f"gpu{r}_{g}")
        net.pipe(f"r{r}_out", "return", diameter_m=0.05, length_m=6.0, name=f"rack{r}_return")
    wing = panel.in_parallel(segments / WINGS)
    for w in range(WINGS):
        net.pipe("return", f"w{w}_in", diameter_m=0.05, length_m=15.0, name=f"wing{w}_supply")
        net.radiator(f"w{w}_in", f"w{w}_out", model=wing, absorbed_flux_w_m2=absorbed_w_m2, name=f"wing{w}")
        net.pipe(f"w{w}_out", "radiator_out", diameter_m=0.05, length_m=15.0, name=f"wing{w}_return")
    return net


def hottest_junction(segments: float) -> tuple[float, rf.NetworkResult]:
    result = loop(segments).solve()
    return float(result.cold_plates()["gpu_temperature_c"].max()), result


power_w = GPU_W * RACKS * SERVERS * GPUS
guess = power_w / 700.0 / panel_area_m2  # ~700 W per m² of panel
a, (ja, _) = guess, hottest_junction(guess)
b, (jb, design) = 1.3 * guess, hottest_junction(1.3 * guess)
for _ in range(20):  # secant on the junction against the number of segments
    c = b + (JUNCTION_LIMIT_C - jb) * (b - a) / (jb - ja)
    a, ja = b, jb
    b, (jb, design) = c, hottest_junction(c)
    if abs(jb - JUNCTION_LIMIT_C) < 1e-3:
        break
segments = b
area_m2 = segments * panel_area_m2
summary = design.summary()
wings = design.radiators()
hydraulic_w = summary["pumping_power_w"]
print(
    f"\n{power_w / 1e6:.3f} MW of GPUs ({RACKS} racks × {SERVERS * GPUS} GPUs × {GPU_W:.0f} W), "
    f"hottest junction {jb:.2f} °C (limit {JUNCTION_LIMIT_C:.0f} °C)"
)
print(
    f"radiator: {segments:,.0f} segments, {area_m2:,.0f} m² of panel ({2 * area_m2:,.0f} m² radiating), "
    f"{area_m2 / (power_w / 1e6):,.0f} m² per MW"
)
print(
    f"loop: {total_flow:,.0f} L/min of {COOLANT}, radiator inlet {wings['inlet_c'].mean():.1f} °C, "
    f"outlet {wings['outlet_c'].mean():.1f} °C; pump {hydraulic_w / 1e3:.2f} kW hydraulic "
    f"({hydraulic_w / 0.5 / 1e3:.2f} kW at 50 % efficiency), {hydraulic_w / power_w * 100:.2f} % of the load"
)

# %% [markdown]
# ## The same loop held in eclipse (the cold steady state)
# The panels then absorb only the Earth's infrared on their nadir face; a long eclipse would
# bring the loop down to this.

# %%
eclipse_w_m2 = 0.5 * float(nadir(0.5 * zenith.period_s) + zenith(0.5 * zenith.period_s))
cold = loop(segments, absorbed_w_m2=eclipse_w_m2).solve()
cold_wings = cold.radiators()
print(
    f"\nsteady in eclipse ({eclipse_w_m2:.0f} W/m² absorbed): radiator inlet {cold_wings['inlet_c'].mean():.1f} °C, "
    f"outlet {cold_wings['outlet_c'].mean():.1f} °C, hottest junction "
    f"{cold.cold_plates()['gpu_temperature_c'].max():.1f} °C"
)

# %% [markdown]
# ## Through the orbit, as a network in time
# Sized for orbit noon, the radiator runs colder when the Sun leaves its zenith face, most of
# all in eclipse. `Network.simulate` carries the coolant through the pipes, holds each GPU
# and plate's heat capacity (308 J/K) and each radiator wing's (the characterised panel's,
# well mixed at the wing's inlet), and feeds the wings the absorbed flux of the moment.

# %%
# W/m² over the radiating area (the mean of the two faces), as an rf.Profile over the orbits
mean_flux = orbit.OrbitProfile(
    time_s=zenith.time_s,
    value=0.5 * (zenith.value + nadir.value),
    period_s=zenith.period_s,
    events_s=zenith.events_s,
)
orbits = 4
tiled = mean_flux.to_profile(orbits)
t0 = time.perf_counter()
run = loop(segments, absorbed_w_m2=tiled).simulate(
    end_time_s=orbits * zenith.period_s, time_step_s=10.0, output_interval_s=60.0, plates=["gpu0_0"]
)
wall = time.perf_counter() - t0
period_steps = round(zenith.period_s / 10.0)
last = slice(-period_steps - 1, None)
inlet = run.radiator_inlet_c.mean(axis=1)
outlet = run.radiator_outlet_c.mean(axis=1)
junction = run.worst_gpu_temperature_c
capacity = float(panel.in_parallel(segments).heat_capacity_j_k or 0.0)
print(
    f"\n{orbits} orbits in {wall:.1f} s ({len(run.times_s) - 1:,} steps of 10 s, "
    f"{run.info['hydraulic_solves']} hydraulic solves; radiator heat capacity {capacity / 1e6:.1f} MJ/K, "
    f"energy balance {run.energy_balance_error():.1e}); the last orbit:"
)
print(f"  radiator inlet  {inlet[last].min():6.1f} .. {inlet[last].max():6.1f} °C")
print(f"  radiator outlet {outlet[last].min():6.1f} .. {outlet[last].max():6.1f} °C")
print(
    f"  hottest junction {junction[last].min():5.1f} .. {junction[last].max():5.1f} °C: margin "
    f"{JUNCTION_LIMIT_C - junction[last].max():.1f} K to {JUNCTION_LIMIT_C:.0f} °C; coldest coolant "
    f"{outlet[last].min():.1f} °C (PG50 freezes at {rf.get_coolant(COOLANT).valid_range_c[0]:.0f} °C)"
)
heat = run.radiator_heat_w.sum(axis=1)
print(
    f"  radiators reject {heat[last].min() / 1e3:,.0f} .. {heat[last].max() / 1e3:,.0f} kW of {power_w / 1e3:,.0f} kW"
)
np.savetxt(
    out / "orbital_module.csv",
    np.c_[run.times_s, run.radiator_absorbed_flux_w_m2[:, 0], inlet, outlet, junction, heat],
    delimiter=",",
    header="time_s,absorbed_w_m2,radiator_inlet_c,radiator_outlet_c,hottest_junction_c,radiator_heat_w",
    comments="",
)
print(f"\nwrote {out / 'orbital_module.csv'}; {time.perf_counter() - started:.1f} s in all")
