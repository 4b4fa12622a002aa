"""First sweep: die power × cold-plate coefficient, resumable, with a design curve.

What it demonstrates: ``rackflow.Sweep`` over dotted case parameters (``power_w.die``,
``htc_w_m2k.zmax``), running on local worker processes with a resumable Parquet store (run it
twice: the second run solves nothing), warm starts, and ``rackflow.plot_curves`` for the design
curve. Sweeps use worker processes, so the script keeps its work under ``if __name__ ==
"__main__":``.

Run time: about 10 s (about 3 s with ``RACKFLOW_EXAMPLE_SMALL=1``).

How to run::

    python examples/first_sweep.py                       # writes into ./rackflow-output
"""

# %%
import os
from pathlib import Path

import rackflow as rf
from rackflow.testing.meshes import box

SMALL = os.environ.get("RACKFLOW_EXAMPLE_SMALL") == "1"
OUT = Path(os.environ.get("RACKFLOW_EXAMPLE_OUT", "rackflow-output"))


def base_case() -> rf.Case:
    """The die-on-spreader case of first_conduction_case.py."""
    n = 6 if SMALL else 20
    regions = {"die": lambda c: c[:, 2] < 0.001, "spreader": lambda c: c[:, 2] >= 0.001}
    block = box((n, n, 7), (0.03, 0.03, 0.007), regions=regions)
    case = rf.Case(rf.Mesh.from_meshio(block, source="die on spreader (first_sweep.py)"))
    case.solid("die", material="silicon", power_w=300.0)
    case.solid("spreader", material="copper")
    case.contact("die", "spreader", resistance_m2k_w=8e-6)
    case.convective("zmax", htc_w_m2k=12_000.0, ambient_c=35.0)
    return case


# %% [markdown]
# ## The grid
# Every combination of the axes is a point: here 3 powers × 4 coefficients = 12 points.
# Axis names are `<quantity>.<region or patch>`; see `rackflow.sweep.AXES` for the list.


# %%
def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    sweep = rf.Sweep(
        base_case(),
        **{"power_w.die": [200.0, 300.0, 400.0], "htc_w_m2k.zmax": [4e3, 8e3, 12e3, 20e3]},
    )
    table = sweep.run(store=OUT / "first_sweep.parquet", workers=2 if SMALL else None)
    print(
        table[
            ["power_w.die", "htc_w_m2k.zmax", "status", "max_temperature_c.die", "thermal_resistance_k_w.die"]
        ]
    )
    print(sweep.last_run)

    # %% [markdown]
    # ## The design curve
    # Thermal resistance depends on the coefficient, not on the power (conduction is linear
    # here apart from silicon's conductivity falling with temperature), so the curves nearly overlap.

    # %%
    png = rf.plot_curves(
        table,
        x="htc_w_m2k.zmax",
        y="thermal_resistance_k_w.die",
        hue="power_w.die",
        path=OUT / "first_sweep.png",
    )
    print("wrote", png)
    table.to_csv(OUT / "first_sweep.csv", index=False)


if __name__ == "__main__":
    main()
