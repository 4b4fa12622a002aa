"""Two cold plates on a manifold: the network (plates characterised by 3D solves) against a full 3D
solve of the same geometry. Prints the flow split both ways; no assertion (see RESULTS.md).

Geometry: a 12 × 6 × 0.5 mm water passage; inlet and outlet plenums 2 mm long over the full
width; channel A 1.0 mm wide, channel B 0.5 mm wide, both 8 mm long. The plates are
characterised as straight 8 mm channels of the same sections with a uniform inlet.
Run: ``python benchmarks/network_vs_3d.py``.
"""

import time

import numpy as np
import rackflow as rf
from rackflow.testing.meshes import box

mm = 1e-3
L, W, H = 12 * mm, 6 * mm, 0.5 * mm
A = (0.5 * mm, 1.5 * mm)
B = (4.0 * mm, 4.5 * mm)


def fluid(c):
    x, y = c[:, 0], c[:, 1]
    plen = (x < 2 * mm) | (x > 10 * mm)
    a = (y > A[0]) & (y < A[1])
    b = (y > B[0]) & (y < B[1])
    return plen | a | b


regions = {"coolant": fluid, "blocked": lambda c: ~fluid(c)}
m = box((48, 24, 4), (L, W, H), regions=regions)
mesh = rf.Mesh.from_meshio(m)
Q = 0.06  # L/min
case = rf.Case(mesh)
case.fluid("coolant", "water")
case.inlet("xmin", flow_lpm=Q)
case.outlet("xmax")
t = time.time()
r = case.solve()
print("3D", time.time() - t, r.pressure_drop_pa("xmin", "xmax"))
c = mesh.cell_centers
cells = mesh.cells_of("coolant")
x0 = c[np.argmin(np.abs(c[:, 0] - 6 * mm)), 0]
sl = np.abs(c[:, 0] - x0) < 1e-9
rho = 997.0
vol = mesh.cell_volumes
dx = L / 48


def flow(rng):
    s = sl & (c[:, 1] > rng[0]) & (c[:, 1] < rng[1])
    return np.sum(rho * r.velocity_m_s[s, 0] * vol[s] / dx)


qa, qb = flow(A), flow(B)
print("split A", qa / (qa + qb), qa, qb, r.mass_flow_kg_s("xmin"))


# characterise straight channels
def channel(width):
    mesh = rf.Mesh.from_meshio(box((32, round(width / (0.25 * mm)), 4), (8 * mm, width, H)))

    def points(qs):
        out = []
        for q in qs:
            cs = rf.Case(mesh)
            cs.fluid("box", "water")
            cs.inlet("xmin", flow_lpm=q)
            cs.outlet("xmax")
            out.append(cs.solve().pressure_drop_pa("xmin", "xmax"))
        return out

    return points


qs = [0.005, 0.01, 0.02, 0.04, 0.06]
dpa = channel(1.0 * mm)(qs)
dpb = channel(0.5 * mm)(qs)
print(dpa, dpb)
ma = rf.ColdPlateModel.from_points(
    flow_lpm=qs, pressure_drop_pa=dpa, thermal_resistance_k_w=[0.1] * 5, coolant="water", temperature_c=20.0
)
mb = rf.ColdPlateModel.from_points(
    flow_lpm=qs, pressure_drop_pa=dpb, thermal_resistance_k_w=[0.1] * 5, coolant="water", temperature_c=20.0
)
net = rf.Network(coolant="water")
net.flow_source("cold", "in", flow_lpm=Q, name="src")
net.cdu("out", "cold", supply_c=20.0, approach_k=0.0, name="cdu")
net.cold_plate("in", "out", model=ma, power_w=0.001, name="A")
net.cold_plate("in", "out", model=mb, power_w=0.001, name="B")
net.cdu("out", "in2", supply_c=20.0, approach_k=0.0) if False else None
res = net.solve()
share_net = res.flow_lpm("A") / Q
share_3d = qa / (qa + qb)
print("| model | share of flow in A | share in B |")
print("|---|---:|---:|")
print(f"| 3D conjugate solver (manifold + both channels) | {share_3d:.4f} | {1 - share_3d:.4f} |")
print(f"| network with 3D-characterised plates | {share_net:.4f} | {1 - share_net:.4f} |")
print(
    f"difference in A's share: {share_net / share_3d - 1:+.2%}; fit errors: A {ma.fit_error}, B {mb.fit_error}"
)
