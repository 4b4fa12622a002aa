"""Impinging round jet with k-ω SST (issue 17): an exploration, not yet a validation test.

The issue's case (Baughn & Shimizu 1989; Cooper et al. 1993): a jet from a long pipe of diameter
D hits a flat plate at H/D = 2, Re_D 23,000, Pr 0.71, uniform heat flux on the plate; the local
Nusselt number Nu(r/D) = q D / (k (T_w − T_jet)). Here as a 5° wedge one hexahedron thick
(symmetry sides, a symmetry inner cylinder at r = 0.01 D instead of the axis), a pipe 40 D long
with a uniform inlet (5 %, 0.07 D) so that the jet leaves developed, the jet region 6 D in radius,
the radial outlet at r = 6 D. The plane of the pipe exit (x = 0, r > D/2) is a wall: a confined
jet, not the experiments' free jet. An outlet there (entrainment through a pressure boundary)
is refused: rackflow's outlets may not take in net flow ("outlet 'top' takes in 1.263e-2 kg/s of
coolant overall"), and there is no opening (total-pressure inflow) condition yet. Cells graded to y⁺ < 0.3 on the plate (low-Re); the
wall temperature is the plate cell's plus q y / k (conduction over the half cell, valid at such
y⁺). Solved as the dynamically similar liquid flow (ρ 1000, μ 1e-3, k from Pr 0.71).

Not compared with the references yet: the experiment's Nu(r/D) and published SST results
(SST over-predicts the stagnation Nusselt number) still need to be taken from the papers, and
the mesh and the confinement's influence measured. Numbers in benchmarks/RESULTS.md.

    python -m benchmarks.impinging_jet
    python -m benchmarks.impinging_jet --refine 1.5
"""

from __future__ import annotations

import argparse
import time

import meshio
import numpy as np
import rackflow as rf
from rackflow.testing.fluids import ConstantFluid
from rackflow.testing.meshes import box, graded_nodes

D = 0.02
H_D = 2.0
RE, RHO, MU, CP, PR = 23_000.0, 1000.0, 1e-3, 4000.0, 0.71
SPEED = RE * MU / (RHO * D)
PIPE_D, OUTER_D, INNER_D = 40.0, 6.0, 0.01
FLUX = 1000.0
T_JET = 20.0
STATIONS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0)


def jet_wedge(refine: float = 1.0) -> meshio.Mesh:
    """The wedge mesh (lengths in metres); patches ``inlet``, ``plate``, ``top``, ``outlet``,
    ``pipe_wall``, ``axis``, ``side0``, ``side1``; region ``coolant``."""
    r = 1.0 / refine
    xs = np.concatenate(
        [
            graded_nodes(-PIPE_D, 0, None, 0.05 * r, 1.15, 1.0 * r)[:-1],
            graded_nodes(0, H_D, 0.02 * r, 2e-4 * r, 1.15, 0.08 * r),
        ]
    )
    rs = np.concatenate(
        [
            graded_nodes(INNER_D, 0.5, None, 0.005 * r, 1.15, 0.04 * r)[:-1],
            graded_nodes(0.5, OUTER_D, 0.005 * r, None, 1.08, 0.15 * r),
        ]
    )
    nx, nr = len(xs) - 1, len(rs) - 1
    m = box((nx, nr, 1), (1.0, 1.0, 1.0))
    i = np.rint(m.points[:, 0] * nx).astype(int)
    j = np.rint(m.points[:, 1] * nr).astype(int)
    t = m.points[:, 2]
    theta = np.radians(5.0) * (0.5 - t)
    x, rad = xs[i] * D, rs[j] * D
    points = np.c_[x, rad * np.cos(theta), rad * np.sin(theta)]
    hexes = m.cells_dict["hexahedron"]
    keep = ~((xs[i][hexes].mean(axis=1) < 0) & (rs[j][hexes].mean(axis=1) > 0.5))
    hexes = hexes[keep]
    local = [(0, 3, 2, 1), (4, 5, 6, 7), (0, 1, 5, 4), (1, 2, 6, 5), (2, 3, 7, 6), (3, 0, 4, 7)]
    faces = np.concatenate([hexes[:, list(f)] for f in local])
    _, inverse, counts = np.unique(np.sort(faces, axis=1), axis=0, return_inverse=True, return_counts=True)
    faces = faces[counts[inverse.ravel()] == 1]
    fx, fr, ft = xs[i][faces], rs[j][faces], t[faces]
    const_x, const_r, const_t = (np.ptp(a, axis=1) < 1e-12 for a in (fx, fr, ft))
    cx, cr, ct = fx.mean(axis=1), fr.mean(axis=1), ft.mean(axis=1)
    names = ["inlet", "plate", "top", "outlet", "pipe_wall", "axis", "side0", "side1"]
    rules = [
        const_x & np.isclose(cx, -PIPE_D),
        const_x & np.isclose(cx, H_D),
        const_x & np.isclose(cx, 0.0),
        const_r & np.isclose(cr, OUTER_D),
        const_r & np.isclose(cr, 0.5),
        const_r & np.isclose(cr, INNER_D),
        const_t & (ct < 0.5),
        const_t & (ct > 0.5),
    ]
    tag = np.zeros(len(faces), dtype=int)
    for k, rule in enumerate(rules, start=1):
        tag[(tag == 0) & rule] = k
    if (tag == 0).any():
        raise ValueError("some boundary faces fall in no patch")
    field_data = {"coolant": np.array([100, 3])}
    field_data.update({name: np.array([k, 2]) for k, name in enumerate(names, start=1)})
    return meshio.Mesh(
        points,
        [("hexahedron", hexes), ("quad", faces)],
        cell_data={"gmsh:physical": [np.full(len(hexes), 100), tag]},
        field_data=field_data,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--refine", type=float, default=1.0)
    args = ap.parse_args()
    mesh = rf.Mesh.from_meshio(jet_wedge(args.refine))
    conductivity = CP * MU / PR
    fluid = ConstantFluid(
        density_kg_m3=RHO, viscosity_pa_s=MU, specific_heat_j_kgk=CP, conductivity_w_mk=conductivity
    )
    case = rf.Case(mesh)
    case.fluid("coolant", fluid, turbulence="k-omega-sst")
    case.inlet(
        "inlet", velocity_m_s=SPEED, temperature_c=T_JET, turbulence_intensity=0.05, length_scale_m=0.07 * D
    )
    case.outlet("outlet")
    case.wall("top")
    case.heat_flux("plate", flux_w_m2=FLUX)
    for patch in ("axis", "side0", "side1"):
        case.symmetry(patch)
    start = time.perf_counter()
    result = case.solve(
        velocity_tolerance=1e-5, pressure_tolerance=1e-4, mass_tolerance=1e-5, flow_max_iterations=6000
    )
    seconds = time.perf_counter() - start
    centres = mesh.cell_centers
    radius = np.hypot(centres[:, 1], centres[:, 2]) / D
    row = np.isclose(centres[:, 0], centres[:, 0].max())
    order = np.argsort(radius[row])
    r_d = radius[row][order]
    wall_gap = H_D * D - centres[row, 0][order]
    t_wall = result.temperature_c[row][order] + FLUX * wall_gap / conductivity
    nusselt = FLUX * D / (conductivity * (t_wall - T_JET))
    print(
        f"impinging jet (confined), refine {args.refine:g}: {mesh.n_cells} cells, "
        f"{result.report['flow_iterations']} iterations, {seconds:.0f} s; plate y+ "
        f"{'/'.join(f'{v:.2g}' for v in result.y_plus_by_patch['plate'])}"
    )
    print("r/D  " + "  ".join(f"{s:5g}" for s in STATIONS))
    print("Nu   " + "  ".join(f"{np.interp(s, r_d, nusselt):5.1f}" for s in STATIONS))


if __name__ == "__main__":
    main()
