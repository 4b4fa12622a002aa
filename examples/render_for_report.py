"""Render for a report: views, slices and clips of one result, headless.

What it demonstrates: ``result.render`` with the automatic camera (looking at the hot spot),
fixed views, a slice through the hottest cell, a clip at a chosen position, one region alone, a
shared colour range across images, a bundled mesh from ``rackflow.datasets`` clipped where it
shows the part, and ``rackflow.viz.to_pyvista(result, multiblock=True)`` for custom PyVista work. Works on a server without a display (rackflow picks EGL or OSMesa).

Run time: about 5 s (about 3.5 s with ``RACKFLOW_EXAMPLE_SMALL=1``).

How to run::

    python examples/render_for_report.py                 # writes into ./rackflow-output/report
"""

# %%
import os
from pathlib import Path

import rackflow as rf
import rackflow.viz
from rackflow.testing.meshes import box

SMALL = os.environ.get("RACKFLOW_EXAMPLE_SMALL") == "1"
OUT = Path(os.environ.get("RACKFLOW_EXAMPLE_OUT", "rackflow-output")) / "report"
OUT.mkdir(parents=True, exist_ok=True)
SIZE = (640, 420) if SMALL else (1600, 1000)

# %% [markdown]
# ## A result worth looking at
# Two chips on one lid, different powers, a cold plate under the lid's bottom face.

# %%
n = 10 if SMALL else 30
regions = {
    "chip_a": lambda c: (c[:, 2] > 0.004) & (c[:, 0] < 0.02) & (c[:, 1] > 0.01) & (c[:, 1] < 0.03),
    "chip_b": lambda c: (c[:, 2] > 0.004) & (c[:, 0] > 0.03) & (c[:, 1] > 0.01) & (c[:, 1] < 0.03),
    "lid": lambda c: c[:, 2] > -1.0,
}
# a mesh built in memory has no file name: `source` names it in the summary and the titles
mesh = rf.Mesh.from_meshio(box((n, n, 5), (0.05, 0.04, 0.005), regions=regions), source="two chips on a lid")
case = rf.Case(mesh)
case.solid("chip_a", "silicon", power_w=250.0)
case.solid("chip_b", "silicon", power_w=120.0)
case.solid("lid", "copper")
case.convective("zmin", htc_w_m2k=10_000.0, ambient_c=35.0)
result = case.solve()
print(result.summary())

# %%
clim = (result.min_temperature_c(), result.max_temperature_c())  # one colour scale for every figure
views = {
    "overview": {},  # automatic camera: isometric from the side of the hottest cell
    "top": {"camera": "xy"},
    "slice_through_hot_spot": {"slice": "y", "camera": "xz"},
    "clip_at_x_25mm": {"clip": ("x", 0.025)},
    "chip_a_only": {"regions": ["chip_a"]},
}
for name, options in views.items():
    print(
        "wrote",
        result.render("temperature", path=OUT / f"{name}.png", window_size=SIZE, clim=clim, **options),
    )

# %% [markdown]
# ## A bundled mesh
# `rackflow.datasets` gives the meshes rackflow ships (here the H100-class package stack, 43,111
# cells) from any installation. A clip given only its axis cuts where it shows the part: through
# the hottest cell, or the middle of the part when that would leave a sliver; the picture says
# where.

# %%
stack = rf.Case(rf.load_mesh(rf.datasets.gpu_stack()))
stack.solid("die", "silicon", power_w=700.0)
stack.solid("tim", "tim")
stack.solid("lid", "copper")
stack.solid("base", "copper")
stack.convective("coolant_side", htc_w_m2k=15_000.0, ambient_c=35.0)
print("wrote", stack.solve().render(clip="y", path=OUT / "gpu_stack_clip.png", window_size=SIZE))

# %% [markdown]
# ## Custom PyVista work
# One block per region, with `temperature_c` cell data, for anything `render` does not do.

# %%
blocks = rf.viz.to_pyvista(result, multiblock=True)
for name in blocks.keys():
    print(
        f"{name}: {blocks[name].n_cells} cells, T max {blocks[name].cell_data['temperature_c'].max():.1f} °C"
    )
