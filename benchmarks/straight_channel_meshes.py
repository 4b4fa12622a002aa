"""Which mesh kind converges with refinement: the serpentine's channel, straight, meshed five ways.

The straight conjugate channel of RESULTS.md "Stop 28, end" (helper ``geo``): the corpus
serpentine's channel, 4 x 2.5 mm (D_h 3.08 mm) and 20 mm long, in copper (0.5 mm half-fin each
side, 1 mm floor, 0.5 mm lid); PG25 held at 35 °C, uniform inlet 0.667 m/s (0.4 L/min, Re 1,347,
Pr 12.7), 1.67e5 W/m² on the floor (150 W / 30 x 30 mm, as the corpus heater), outlet 0 Pa,
every other face adiabatic. Hexahedra converge there (Nu_m 26.3, ΔP_static 227 Pa ≈ Shah),
Gmsh tetrahedra do not. This benchmark asks the same of the mesh kinds a user can make:

``tet``
    Gmsh default tetrahedra (OCC boxes fragmented, ``Mesh.MeshSizeMax`` h).
``zsweep8``
    The corpus ``cells="prism"`` route (:class:`rackflow.meshing._layered.LayeredPlate`): plan
    triangles of size h swept through the channel depth as 8 prism layers graded 1.25 from the
    floor and the lid (fixed count: the wall spacing does not refine), tetrahedra in floor and lid.
``zsweep``
    The same with the layers refined with the mesh: first layer h / 4, growth at most 1.2
    (:func:`rackflow.meshing._layered.wall_layers`).
``zsweep_quad``
    ``zsweep`` with the plan in quadrilaterals (gmsh's Frontal-Delaunay for quads, recombined):
    the sweep makes hexahedra (prisms where a triangle is left), aligned with the side walls
    where the quads follow them; pyramids where they meet the floor's and lid's tetrahedra
    (at h 0.2 and 0.15 mm gmsh leaves tangled cells there, which rackflow refuses).
``xsweep``
    Fully extruded along the flow: the cross-section (y-z) triangulated at h and extruded along x
    in layers of h (prisms whose faces are all aligned with the flow): what Gmsh ``extrude``
    gives a user for a straight section.

Not here: tetrahedra with boundary-layer prisms on the wetted walls. gmsh's ``BoundaryLayer``
field is 2D only and refuses a curve shared by two surfaces, and the coolant's walls are always
shared with the metal in a conjugate mesh; gmsh's 3D extrusion (``geo.extrudeBoundaryLayer``)
does it, and ``from_cad(boundary_layers=...)`` uses it: ``benchmarks.straight_channel_cht --tetbl``
measures that kind (RESULTS.md, stop 30).

Reported per size: cells, the first coolant centre's mean distance from the floor (y1), R_th
(hottest solid cell over the inlet per watt, as the corpus), Nu_m = q / (A_wet (T̄_solid −
(T_in + T_out)/2)) · D_h / k, ΔP_static (area-mean static pressures), flow iterations, CPU
seconds. Each row is meshed and solved in its own process (``run_worker``).

    python -m benchmarks.straight_channel_meshes --kinds tet,xsweep --sizes 0.6,0.4,0.27,0.2 \\
        --convection upwind --rows rows.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._common import (
    add_output_arguments,
    emit_worker_result,
    grid_convergence,
    load_average,
    markdown_table,
    run_worker,
    served_as_worker,
)
from benchmarks.straight_channel_cht import D_H as DH
from benchmarks.straight_channel_cht import FIN, FLOOR, LID, U_IN, L, W, channel_case, channel_outputs
from benchmarks.straight_channel_cht import H as D

KINDS = ("tet", "zsweep8", "zsweep", "zsweep_quad", "xsweep")


def _physicals(gmsh: Any, solid: list[int], fluid: list[int]) -> None:
    """Regions ``solid``/``fluid``; patches ``inlet``/``outlet`` (coolant faces at x = 0, L)
    and ``heated`` (the whole bottom, z = 0)."""
    from rackflow.meshing._gmsh import add_physical, entities_in_box

    add_physical(3, solid, "solid")
    add_physical(3, fluid, "fluid")
    y0, y1, z0, z1 = FIN, FIN + W, FLOOR, FLOOR + D
    add_physical(2, entities_in_box(2, (0, y0, z0), (0, y1, z1)), "inlet")
    add_physical(2, entities_in_box(2, (L, y0, z0), (L, y1, z1)), "outlet")
    add_physical(2, entities_in_box(2, (0, 0, 0), (L, 2 * FIN + W, 0)), "heated")


def build_mesh(kind: str, h: float, path: Path) -> None:
    from rackflow.meshing._gmsh import gmsh_session, write_msh

    with gmsh_session(f"straight_{kind}") as gmsh:
        occ = gmsh.model.occ
        width, height = 2 * FIN + W, FLOOR + D + LID
        if kind == "tet":
            outer = occ.addBox(0, 0, 0, L, width, height)
            chan = occ.addBox(0, FIN, FLOOR, L, W, D)
            out, omap = occ.fragment([(3, outer)], [(3, chan)])
            occ.synchronize()
            fluid = [t for _, t in omap[1]]
            solid = [t for d, t in out if d == 3 and t not in fluid]
            _physicals(gmsh, solid, fluid)
            gmsh.option.setNumber("Mesh.MeshSizeMax", h)
            gmsh.model.mesh.generate(3)
        elif kind.startswith("zsweep"):
            from rackflow.meshing._layered import Layer, LayeredPlate, mesh_layered

            outline = occ.addRectangle(0, 0, 0, L, width)
            channel = occ.addRectangle(0, FIN, 0, L, W)
            layers = [
                Layer("floor", FLOOR, lambda f: "solid"),
                Layer("channel", D, lambda f: "fluid" if "channel" in f else "solid", coolant=True),
                Layer("lid", LID, lambda f: "solid"),
            ]
            plate = LayeredPlate(outline, {"channel": [channel]}, layers, {"fluid"})
            if kind == "zsweep8":
                built = plate.build(gmsh, cells="prism", prism_layers=8)
            else:
                built = plate.build(gmsh, cells="prism", layer_size_m=h)
            regions: dict[str, list[int]] = {}
            for v, r in built.region_of_volume.items():
                regions.setdefault(r, []).append(v)
            _physicals(gmsh, regions["solid"], regions["fluid"])
            if kind == "zsweep_quad":
                # the plan faces the coolant layer is swept from (the floor's top) meshed in
                # quadrilaterals: the sweep makes hexahedra, the floor's tetrahedra meet them
                # through pyramids
                for s in built.bottom[1].values():
                    gmsh.model.mesh.setRecombine(2, s)
                    gmsh.model.mesh.setAlgorithm(2, s, 8)
            mesh_layered(gmsh, built, h_fluid=h)
        elif kind.startswith("xsweep"):
            # cross-section built in the x-y plane as (z, y), rotated to the y-z plane at x = 0
            cols = [(0, FIN), (FIN, FIN + W), (FIN + W, width)]
            rows = [(0, FLOOR), (FLOOR, FLOOR + D), (FLOOR + D, height)]
            rects = {}
            for i, (y0, y1) in enumerate(cols):
                for j, (z0, z1) in enumerate(rows):
                    rects[i, j] = occ.addRectangle(z0, y0, 0, z1 - z0, y1 - y0)
            out, omap = occ.fragment([(2, rects[1, 1])], [(2, t) for k, t in rects.items() if k != (1, 1)])
            faces = [(2, t) for d, t in out if d == 2]
            occ.rotate(faces, 0, 0, 0, 0, 1, 0, -math.pi / 2)
            fluid_face = omap[0][0][1]
            occ.synchronize()
            n_along = max(1, round(L / h))
            ext = occ.extrude(faces, L, 0, 0, numElements=[n_along], recombine=True)
            occ.synchronize()
            vols = {}
            for j, (d, t) in enumerate(ext):
                if d == 3:
                    vols[ext[j - 1][1]] = t
            # extrude returns (top, volume, laterals...) per source face, in the order given
            vol_list = [t for d, t in ext if d == 3]
            src = [t for _, t in faces]
            fluid = [vol_list[src.index(fluid_face)]]
            solid = [v for v in vol_list if v not in fluid]
            _physicals(gmsh, solid, fluid)
            gmsh.option.setNumber("Mesh.MeshSizeMax", h)
            gmsh.model.mesh.generate(3)
        else:
            raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
        write_msh(path, binary=True)


def first_centre_mm(mesh: Any, fluid: Any) -> float:
    """Mean distance from the floor (z = FLOOR) of the lowest band of coolant centres (those
    below 2.5 times the 2nd percentile of the heights), mm: the first layer's centre on
    swept prisms, an estimate on tetrahedra."""
    import numpy as np

    c = np.asarray(mesh.cell_centers)[fluid]
    z = c[:, 2] - FLOOR
    near = z < np.quantile(z, 0.02) * 2.5 + 1e-12
    return float(z[near].mean() * 1e3)


def worker(spec: dict[str, Any]) -> None:
    emit_worker_result(solve_row(spec))


def solve_row(spec: dict[str, Any]) -> dict[str, Any]:
    """Mesh and solve one row (``{"kind", "h_mm", "convection"}``) in this process."""
    import rackflow as rf
    from rackflow.errors import RackflowError
    from rackflow.testing.analytic import shah_apparent_friction_re

    from benchmarks.corpus import cell_types

    kind, h = spec["kind"], float(spec["h_mm"]) * 1e-3
    row: dict[str, Any] = {"kind": kind, "h_mm": spec["h_mm"], "convection": spec["convection"]}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "channel.msh"
        t0 = time.perf_counter()
        build_mesh(kind, h, path)
        row["mesh_s"] = round(time.perf_counter() - t0, 1)
        row["types"] = cell_types(path)
        mesh = rf.load_mesh(path)
    row["cells"] = mesh.n_cells
    case, props = channel_case(mesh)
    settings: dict[str, Any] = {"threads": 1}
    if spec["convection"] != "default":
        settings["convection"] = spec["convection"]
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    try:
        result = case.solve(progress=False, **settings)
    except RackflowError as err:
        row["error"] = str(err).splitlines()[0][:140]
        row["cpu_s"] = round(time.process_time() - cpu0, 1)
        return row
    row["cpu_s"] = round(time.process_time() - cpu0, 1)
    row["wall_s"] = round(time.perf_counter() - t0, 1)
    row["flow_it"] = int(result.report.get("flow_iterations", 0))
    fluid = result._region_cells("fluid")
    row["coolant_cells"] = len(fluid)
    row["y1_mm"] = round(first_centre_mm(mesh, fluid), 4)
    outputs = channel_outputs(result, props)
    row["rth_k_w"] = outputs["Rth_K_W"]
    row["nu_m"] = outputs["Nu_m"]
    row["dp_static_pa"] = outputs["dP_static_Pa"]
    row["dp_total_pa"] = outputs["dP_total_Pa"]
    row["balance"] = outputs["balance"]
    row["flow_first_order_cells"] = result.report.get("flow_first_order_cells")
    row["energy_first_order_cells"] = result.report.get("energy_first_order_cells")
    re = float(props["density_kg_m3"]) * U_IN * DH / float(props["viscosity_pa_s"])
    row["dp_shah_pa"] = (
        shah_apparent_friction_re(L / (DH * re)) / re * 2 * float(props["density_kg_m3"]) * U_IN**2 * L / DH
    )
    row["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    row["load"] = load_average()
    return row


COLS = [
    "kind",
    "convection",
    "h_mm",
    "cells",
    "coolant_cells",
    "types",
    "y1_mm",
    "rth_k_w",
    "nu_m",
    "dp_static_pa",
    "flow_it",
    "cpu_s",
    "error",
]


def _fmt(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for k, f in (("rth_k_w", "{:.4f}"), ("nu_m", "{:.1f}"), ("dp_static_pa", "{:.1f}")):
        if isinstance(out.get(k), float):
            out[k] = f.format(out[k])
    return out


def convergence_lines(rows: list[dict[str, Any]]) -> list[str]:
    """Per (kind, convection): the last three sizes' observed order and GCI of Nu_m and ΔP."""
    lines = []
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        if "nu_m" in r:
            groups.setdefault((r["kind"], r["convection"]), []).append(r)
    for (kind, conv), rs in groups.items():
        rs = sorted(rs, key=lambda r: r["cells"])
        if len(rs) < 3:
            continue
        c, m, f = rs[-3:]
        r21 = (f["coolant_cells"] / m["coolant_cells"]) ** (1 / 3)
        r32 = (m["coolant_cells"] / c["coolant_cells"]) ** (1 / 3)
        for q in ("nu_m", "dp_static_pa", "rth_k_w"):
            g = grid_convergence(c[q], m[q], f[q], r21, r32)
            lines.append(
                f"{kind:10s} {conv:8s} {q:13s} last step {100 * (f[q] / m[q] - 1):+6.1f} %  "
                f"order {g.order:5.2f}  extrapolated {g.extrapolated:9.4g}  GCI {100 * g.gci_fine:6.1f} %"
            )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--sizes", default="0.6,0.4,0.27,0.2", help="coolant cell sizes h, mm")
    ap.add_argument("--convection", default="upwind", help="upwind, default, or both")
    ap.add_argument("--rows", type=Path, help="append rows here (JSON lines) and reuse rows already in it")
    add_output_arguments(ap)
    args = ap.parse_args()
    if served_as_worker(args, worker):
        return
    done: list[dict[str, Any]] = []
    if args.rows and args.rows.exists():
        done = [json.loads(line) for line in args.rows.read_text().splitlines() if line.strip()]
    convs = ["upwind", "default"] if args.convection == "both" else [args.convection]
    rows = []
    for conv in convs:
        for kind in args.kinds.split(","):
            for size in args.sizes.split(","):
                spec = {"kind": kind, "h_mm": float(size), "convection": conv}
                old = [r for r in done if all(r.get(k) == v for k, v in spec.items())]
                if old:
                    row = old[-1]
                else:
                    row = dict(run_worker("benchmarks.straight_channel_meshes", spec))
                    row.setdefault("kind", kind)
                    if args.rows:
                        with args.rows.open("a") as fh:
                            fh.write(json.dumps(row) + "\n")
                rows.append(row)
                print(markdown_table([_fmt(row)], COLS).splitlines()[-1], flush=True)
    print(markdown_table([_fmt(r) for r in rows], COLS))
    print("\n".join(convergence_lines(rows)))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
