"""Two channels on common plenums: a network of separately characterised parts against a full 3D
solve of the same geometry (geometry and models in ``rackflow.testing.manifold``; the validation
test ``tests/validation/test_network_vs_3d.py`` checks the coarse mesh).

Prints, per mesh, the flow share of the wide channel and the overall pressure drop as the
network gains its manifold elements one by one. Run: ``python benchmarks/network_vs_3d.py
[--fine]`` (``--fine`` adds the 0.125 mm mesh, about a minute).
"""

from __future__ import annotations

import argparse
import os
import time

from rackflow.testing import manifold as m

TURBULENT_ENTRY = {"laminar_entry": False}
VARIANTS = [
    ("channels only", {"fittings": False, "plenum": False}),
    (
        "+ entry contraction (turbulent K), exit Borda–Carnot at σ = 0.25",
        {"exit_area_ratio": 0.25, "plenum": False, **TURBULENT_ENTRY},
    ),
    ("+ entry contraction (turbulent K), exit free discharge (σ = 0)", {"plenum": False, **TURBULENT_ENTRY}),
    ("+ inlet plenum as a lateral duct manifold", TURBULENT_ENTRY),
    ("+ entry K(Re), Idelchik's laminar diagram (final)", {}),
]


def run(cell_m: float, nz: int, flow_lpm: float = 0.06) -> None:
    t = time.perf_counter()
    share_3d, dp_3d, cells = m.full_solve(flow_lpm, cell_m, nz)
    t_3d = time.perf_counter() - t
    models, betas = {}, {}
    t = time.perf_counter()
    for k in m.CHANNELS:
        models[k], b = m.characterise_channel(m._span(k), m.FLOWS_LPM, cell_m, nz)
        betas[k] = (list(m.FLOWS_LPM), b)
    t_char = time.perf_counter() - t
    fit = ", ".join(f"{k} {v.fit_error['pressure_drop_max_rel']:.1%}" for k, v in models.items())
    print(
        f"\n### {cell_m * 1e3:g} mm cells ({cells} cells in 3D, {t_3d:.1f} s; characterisation {t_char:.1f} s)"
    )
    print(f"ΔP fit errors: {fit}; load average {os.getloadavg()[0]:.2f}\n")
    print("| model | share of flow in A | vs 3D | overall ΔP Pa | vs 3D |")
    print("|---|---:|---:|---:|---:|")
    print(f"| full 3D solve | {share_3d['A']:.4f} | | {dp_3d:.0f} | |")
    for label, options in VARIANTS:
        t = time.perf_counter()
        share, dp, beta, parts = m.network_solve(flow_lpm, models, betas, **options)
        t_net = time.perf_counter() - t
        print(
            f"| {label} | {share['A']:.4f} | {share['A'] / share_3d['A'] - 1:+.2%} | {dp:.0f} "
            f"| {dp / dp_3d - 1:+.1%} |"
        )
    shown = {k: round(v) for k, v in parts.items() if not k.startswith("plenum")}
    print(f"\nfinal network: part ΔP Pa {shown}; exit β {beta}; network solves {t_net * 1e3:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fine", action="store_true", help="also the 0.125 mm mesh")
    args = parser.parse_args()
    run(0.25e-3, 4)
    if args.fine:
        run(0.125e-3, 8)


if __name__ == "__main__":
    main()
