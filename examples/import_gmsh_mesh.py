"""Import a Gmsh mesh: physical groups become regions and patches.

What it demonstrates: building a small geometry with the gmsh Python API (a copper plate with a
heater footprint patch on its bottom face), naming physical groups, writing a ``.msh`` file with
gmsh itself (meshio's msh 4.1 writer is broken), loading it with ``rackflow.load_mesh`` and
solving on it. The names of the physical groups are the names the case uses.

Run time: about 3 s (about 1 s with ``RACKFLOW_EXAMPLE_SMALL=1``). Needs ``pip install gmsh``.

How to run::

    python examples/import_gmsh_mesh.py                  # writes into ./rackflow-output
"""

# %%
import os
import sys
from pathlib import Path

import rackflow as rf

SMALL = os.environ.get("RACKFLOW_EXAMPLE_SMALL") == "1"
OUT = Path(os.environ.get("RACKFLOW_EXAMPLE_OUT", "rackflow-output"))
OUT.mkdir(parents=True, exist_ok=True)

try:
    import gmsh
except ImportError:
    sys.exit("this example needs gmsh: pip install gmsh")

# %% [markdown]
# ## Geometry with named physical groups
# A 60 × 40 × 5 mm plate; a 20 × 20 mm heater footprint splits its bottom face. `fragment`
# keeps the patch conformal with the volume mesh.

# %%
L, W, H = 0.06, 0.04, 0.005
gmsh.initialize(readConfigFiles=False, interruptible=False)
gmsh.option.setNumber("General.Terminal", 0)
occ = gmsh.model.occ
plate = occ.addBox(0, 0, 0, L, W, H)
heater = occ.addRectangle(0.02, 0.01, 0, 0.02, 0.02)
occ.fragment([(3, plate)], [(2, heater)])
occ.synchronize()


def surfaces_in(x0: float, y0: float, z0: float, x1: float, y1: float, z1: float) -> list[int]:
    e = 1e-6  # OCC bounding boxes are padded; a tolerance of 1e-9 finds nothing
    return [
        t for _, t in gmsh.model.getEntitiesInBoundingBox(x0 - e, y0 - e, z0 - e, x1 + e, y1 + e, z1 + e, 2)
    ]


for dim, tags, name in [
    (3, [t for _, t in gmsh.model.getEntities(3)], "plate"),
    (2, surfaces_in(0.02, 0.01, 0, 0.04, 0.03, 0), "heater"),
    (2, surfaces_in(0, 0, H, L, W, H), "top"),
]:
    gmsh.model.setPhysicalName(dim, gmsh.model.addPhysicalGroup(dim, tags), name)
gmsh.option.setNumber("Mesh.MeshSizeMax", 0.006 if SMALL else 0.002)
gmsh.model.mesh.generate(3)
gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
mesh_file = OUT / "heater_plate.msh"
gmsh.write(str(mesh_file))
gmsh.finalize()

# %% [markdown]
# ## Load and solve
# Faces outside every physical group form the patch `untagged` (adiabatic unless told otherwise).

# %%
mesh = rf.load_mesh(mesh_file)
print(mesh)
case = rf.Case(mesh)
case.solid("plate", material="copper")
case.heat_flux("heater", power_w=150.0)
case.convective("top", htc_w_m2k=8_000.0, ambient_c=30.0)
result = case.solve()
print(result.summary())
print(f"heater footprint max temperature: {result.max_temperature_c('plate'):.2f} °C")
