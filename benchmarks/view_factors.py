"""View factors at scale: time, memory and accuracy for 1e4, 1e5 and 1e6 surface faces.

The geometry is the closed unit cube, each side split into k × k quads (6k² faces, normals
inwards), for which the side-to-side factors are known exactly (Howell C-11 and C-14: 0.199825
opposite, 0.200044 adjacent), so every row of the table also says how accurate the factors are
at that size. Each configuration runs in its own process (peak memory is that process's maximum
resident set, Python and NumPy included).

Columns: faces; zones (one per face, or agglomerated into the core's default of about 2,000
zones); rays cast; wall time of the view-factor call; peak RSS of the process and the core's
own estimate of its heap at the peak; the largest row-sum error of the raw estimate (rays that
escaped through the cube's edges) and after the correction (``|Σ_j F_ij − 1|``); the largest
reciprocity error after it; the largest error of the 30 side-to-side factors, relative.

    python -m benchmarks.view_factors                    # 1e4 (per face and zoned), 1e5, 1e6
    python -m benchmarks.view_factors --sizes 41 --markdown
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np

OPPOSITE = 0.199825  # C-11, unit squares at unit distance
ADJACENT = 0.200044  # C-14, unit squares at right angles


def cube(k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points, face offsets, connectivity and side (group) of the unit cube split k × k a side,
    each quad counter-clockwise seen from inside."""
    g = np.linspace(0.0, 1.0, k + 1)
    points = []
    quads = []
    groups = []
    base = 0
    for side in range(6):
        axis, at_max = side // 2, side % 2 == 1
        u, v = (axis + 1) % 3, (axis + 2) % 3
        a, b = np.meshgrid(g, g, indexing="ij")
        p = np.zeros(((k + 1) ** 2, 3))
        p[:, axis] = 1.0 if at_max else 0.0
        p[:, u] = a.ravel()
        p[:, v] = b.ravel()
        points.append(p)
        i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
        i, j = i.ravel(), j.ravel()
        idx = base + i * (k + 1) + j
        q = np.c_[idx, idx + (k + 1), idx + (k + 1) + 1, idx + 1]  # counter-clockwise in (u, v): faces +axis
        quads.append(q[:, ::-1] if at_max else q)
        groups.append(np.full(k * k, side))
        base += (k + 1) ** 2
    conn = np.concatenate(quads).ravel().astype(np.int64)
    offsets = np.arange(0, len(conn) + 1, 4, dtype=np.int64)
    return np.concatenate(points), offsets, conn, np.concatenate(groups).astype(np.int64)


def run_one(k: int, zoned: bool, threads: int | None) -> dict[str, float]:
    from rackflow.radiation import polygon_view_factors

    points, offsets, conn, groups = cube(k)
    n = len(groups)
    zone_faces = max(1, -(-n // 2000)) if zoned else None
    start = time.perf_counter()
    vf = polygon_view_factors(
        points,
        (offsets, conn),
        groups=groups,
        group_names=["x0", "x1", "y0", "y1", "z0", "z1"],
        max_zone_faces=zone_faces,
        threads=threads,
    )
    wall = time.perf_counter() - start
    # side-to-side factors from the zone factors
    zone_side = np.zeros(vf.n_zones, dtype=np.int64)
    zone_side[vf.zone_of_face] = groups
    rows = np.repeat(np.arange(vf.n_zones), np.diff(vf.row_ptr))
    exchange = np.zeros((6, 6))
    np.add.at(exchange, (zone_side[rows], zone_side[vf.col]), vf.area[rows] * vf.value)
    side_f = exchange / np.bincount(zone_side, weights=vf.area)[:, None]
    worst = 0.0
    for i in range(6):
        for j in range(6):
            if i != j:
                exact = OPPOSITE if i // 2 == j // 2 else ADJACENT
                worst = max(worst, abs(side_f[i, j] - exact) / exact)
    return {
        "k": k,
        "faces": n,
        "zones": vf.n_zones,
        "rays": vf.info["rays"],
        "wall_s": wall,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "core_mb": vf.info["memory_bytes"] / 1e6,
        "entries": int(vf.row_ptr[-1]),
        "raw_row_sum_error": vf.info["raw_row_sum_error"],
        "row_sum_error": vf.info["row_sum_error"],
        "reciprocity_error": vf.info["reciprocity_error"],
        "side_factor_error": worst,
        "escaped": max(vf.info["escaped_fraction"]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[41, 129, 408], help="k (6k² faces)")
    ap.add_argument(
        "--per-face-up-to", type=int, default=20_000, help="also run one zone per face up to this many faces"
    )
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--one", nargs=2, metavar=("K", "ZONED"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(int(args.one[0]), args.one[1] == "1", args.threads)))
        return
    jobs = []
    for k in args.sizes:
        n = 6 * k * k
        if n <= args.per_face_up_to or n <= 2000:
            jobs.append((k, False))
        if n > 2000:
            jobs.append((k, True))
    print(
        f"# view factors, unit cube; {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{_dt.datetime.now(_dt.UTC):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    results = []
    for k, zoned in jobs:
        cmd = [sys.executable, "-m", "benchmarks.view_factors", "--one", str(k), "1" if zoned else "0"]
        if args.threads:
            cmd += ["--threads", str(args.threads)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(f"k = {k} ({'zoned' if zoned else 'per face'}) failed:\n{out.stderr[-2000:]}", flush=True)
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        r["load"] = os.getloadavg()[0]
        results.append(r)
        print(json.dumps(r), flush=True)
    header = (
        "| faces | zones | rays | time s | peak RSS MB | core MB | entries | raw row-sum err | row-sum err "
        "| reciprocity err | side-factor err | load |"
    )
    print()
    print(header)
    print("|" + "---:|" * 12)
    for r in results:
        print(
            f"| {r['faces']:,} | {r['zones']:,} | {r['rays'] / 1e6:.1f} M | {r['wall_s']:.1f} | {r['peak_rss_mb']:.0f} | "
            f"{r['core_mb']:.0f} | {r['entries']:,} | {r['raw_row_sum_error']:.1e} | {r['row_sum_error']:.1e} | "
            f"{r['reciprocity_error']:.1e} | {100 * r['side_factor_error']:.2f} % | {r['load']:.1f} |"
        )


if __name__ == "__main__":
    main()
