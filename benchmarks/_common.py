"""Shared helpers for the benchmarks: timed subprocesses, machine info, tables, caching.

Every "whole process" number in these benchmarks comes from ``/usr/bin/time -v`` so rackflow and
OpenFOAM are measured by the same external tool: wall time includes interpreter / MPI start-up, mesh
input and result output, and the peak RSS is what the kernel accounted for the process tree's
largest member (GNU time reports the max over the waited-for child, see ``_parse_time_v``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import functools
import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache"
TIME_BIN = "/usr/bin/time"


def cache_dir(*parts: str) -> Path:
    """A directory under benchmarks/.cache (gitignored); created on demand."""
    d = CACHE_DIR.joinpath(*parts)
    d.mkdir(parents=True, exist_ok=True)
    return d


@dataclass
class TimedRun:
    """Outcome of one command run under ``/usr/bin/time -v``."""

    cmd: list[str]
    returncode: int
    wall_s: float
    max_rss_mb: float
    user_s: float
    sys_s: float
    stdout: str
    stderr: str
    extra: dict[str, float] = field(default_factory=dict)

    def check(self, what: str) -> TimedRun:
        if self.returncode != 0:
            tail = "\n".join((self.stdout + "\n" + self.stderr).splitlines()[-40:])
            raise RuntimeError(f"{what} failed (exit {self.returncode}): {' '.join(self.cmd)}\n{tail}")
        return self


def _parse_time_v(text: str) -> dict[str, float]:
    """Pull wall, user, sys and max RSS out of GNU time's ``-v`` report."""
    out: dict[str, float] = {}
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    if m:
        parts = [float(p) for p in m.group(1).split(":")]
        secs = 0.0
        for p in parts:
            secs = secs * 60.0 + p
        out["wall_s"] = secs
    for key, pat in (
        ("user_s", r"User time \(seconds\): (\S+)"),
        ("sys_s", r"System time \(seconds\): (\S+)"),
        ("max_rss_kb", r"Maximum resident set size \(kbytes\): (\d+)"),
    ):
        m = re.search(pat, text)
        if m:
            out[key] = float(m.group(1))
    return out


def run_timed(
    cmd: Sequence[str],
    *,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    sample_tree: bool = True,
) -> TimedRun:
    """Run ``cmd`` under ``/usr/bin/time -v``; wall time is also measured here as a fallback.

    ``sample_tree`` samples the summed RSS of the process tree every 50 ms (for MPI runs); the scan
    of /proc costs a few % of a core, so single-process runs switch it off.

    GNU time writes its report to stderr after the child's own stderr; ``-o`` puts it in a file
    instead so the child's output is not mixed with it.
    """
    if not Path(TIME_BIN).exists():
        raise RuntimeError(f"{TIME_BIN} not found: apt-get install -y time")
    report = Path(cwd or ".").resolve() / f".time-v-{os.getpid()}-{time.monotonic_ns()}.txt"
    full = [TIME_BIN, "-v", "-o", str(report), *cmd]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        full,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # its own process group, so a timeout kills the measured command too, not only GNU time
        # (whose orphaned child would hold the pipes open and communicate() would wait for it)
        start_new_session=True,
    )
    sampler = _TreeRssSampler(proc.pid)
    if sample_tree:
        sampler.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
    except BaseException:
        # in its own session the command does not get the terminal's Ctrl-C: it stops with us
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    finally:
        if sample_tree:
            sampler.stop()
    wall = time.perf_counter() - t0
    parsed = _parse_time_v(report.read_text() if report.exists() else "")
    report.unlink(missing_ok=True)
    return TimedRun(
        cmd=list(cmd),
        returncode=proc.returncode,
        wall_s=parsed.get("wall_s", wall),
        max_rss_mb=parsed.get("max_rss_kb", float("nan")) / 1024.0,
        user_s=parsed.get("user_s", float("nan")),
        sys_s=parsed.get("sys_s", float("nan")),
        stdout=stdout,
        stderr=stderr,
        extra={"tree_rss_mb": sampler.peak_kb / 1024.0},
    )


class _TreeRssSampler(threading.Thread):
    """Peak of the summed RSS of a process tree, sampled every 50 ms.

    GNU time's "Maximum resident set size" is the peak of the single largest process, so for
    ``mpirun -np 2`` it is one rank; the memory a user needs is the sum over the ranks. Sampling
    can miss a short spike, so it is a lower bound on the true peak of the sum.
    """

    def __init__(self, root: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.peak_kb = 0.0
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self.peak_kb = max(self.peak_kb, float(self._tree_rss_kb()))
            except OSError:
                pass
            self._stop_event.wait(self.interval)

    def _tree_rss_kb(self) -> int:
        children: dict[int, list[int]] = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(d))
        total = 0
        stack = [self.root]
        while stack:
            pid = stack.pop()
            stack.extend(children.get(pid, []))
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            except OSError:
                continue
        return total


@functools.lru_cache(maxsize=1)
def machine_info() -> dict[str, str]:
    """nproc, CPU model, memory, load and date: timings on a shared 2-core box need this context."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024**2:.1f} GB"
                break
    except OSError:
        pass
    return {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": platform.node(),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def load_average() -> str:
    """1/5/15-minute load: a load above the core count means other jobs shared the cores."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def markdown_table(rows: Sequence[Mapping[str, object]], columns: Sequence[str] | None = None) -> str:
    """Render dict rows as a GitHub markdown table (floats with 4 significant digits)."""
    if not rows:
        return "(no rows)"
    cols = list(columns) if columns else list(dict.fromkeys(k for r in rows for k in r))

    def fmt(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, float):
            if math.isnan(v):
                return "n/a"
            if v == 0.0 or 1e-3 <= abs(v) < 1e6:
                return f"{v:.4g}"
            return f"{v:.3e}"
        return str(v)

    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(fmt(r.get(c)) for c in cols) + " |")
    return "\n".join(lines)


def plain_table(rows: Sequence[Mapping[str, object]], columns: Sequence[str] | None = None) -> str:
    """Fixed-width text table for terminals."""
    md = markdown_table(rows, columns).splitlines()
    cells = [[c.strip() for c in line.strip("|").split("|")] for i, line in enumerate(md) if i != 1]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    out = []
    for j, r in enumerate(cells):
        out.append("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def which_or_none(name: str) -> str | None:
    return shutil.which(name)


def print_header(title: str) -> None:
    info = machine_info()
    print(f"# {title}")
    print(
        f"machine: {info['cpu']}, {info['nproc']} cores, {info['memory']}; python {info['python']}; "
        f"{info['date']}; load {load_average()}"
    )


# ----- rackflow worker processes ------------------------------------------------------------------
# A benchmark runs each rackflow case in a fresh ``python -m benchmarks.<script> --worker SPEC``
# process under ``/usr/bin/time -v`` (wall time and peak RSS of the whole process, as for
# OpenFOAM); the worker prints one line ``RESULT {json}`` as its last word.
WORKER_PREFIX = "RESULT "
REPO_ROOT = BENCH_DIR.parent


def emit_worker_result(result: Mapping[str, object]) -> None:
    """Print a worker's result for :func:`run_worker` (the last line of its stdout)."""
    import json

    print(WORKER_PREFIX + json.dumps(result), flush=True)


def add_output_arguments(ap: argparse.ArgumentParser) -> None:
    """The options every benchmark script shares: table format, JSON rows and the hidden
    ``--worker SPEC`` through which :func:`run_worker` re-invokes the script in a timed process."""
    ap.add_argument("--markdown", action="store_true", help="print markdown tables")
    ap.add_argument("--json", help="write all rows to this JSON file")
    ap.add_argument("--worker", help=argparse.SUPPRESS)


def served_as_worker(args: argparse.Namespace, worker: Callable[[dict[str, Any]], None]) -> bool:
    """Run ``worker`` on the ``--worker`` spec if this process is a worker; True if it was."""
    if not args.worker:
        return False
    worker(json.loads(args.worker))
    return True


def run_worker(module: str, spec: Mapping[str, object], *, timeout: float | None = None) -> dict[str, object]:
    """Run ``python -m module --worker SPEC`` timed; its RESULT plus process wall time and peak RSS.

    A worker that fails to print a result (crash, kill, timeout) gives ``{"error": ...}`` with the
    tail of its output, so one failed case never hides the others.
    """
    import json
    import sys

    run = run_timed(
        [sys.executable, "-m", module, "--worker", json.dumps(spec)],
        cwd=REPO_ROOT,
        timeout=timeout,
        sample_tree=False,  # one process: GNU time's peak RSS is the whole story
    )
    lines = [s for s in run.stdout.splitlines() if s.startswith(WORKER_PREFIX)]
    if lines:
        out: dict[str, object] = json.loads(lines[-1][len(WORKER_PREFIX) :])
    else:
        tail = "\n".join((run.stdout + "\n" + run.stderr).splitlines()[-15:])
        out = {"error": f"worker exit {run.returncode} without a result:\n{tail}"}
    out["process_wall_s"] = run.wall_s
    out["process_cpu_s"] = run.user_s + run.sys_s
    out["peak_rss_mb"] = run.max_rss_mb
    out["returncode"] = run.returncode
    return out


class ProgressLog:
    """A ``case.solve(progress=...)`` callback that records the wall time of every iteration.

    ``entries`` holds ``(seconds since start, iteration, {name: residual})``; flow iterations carry
    ``Ux``/``p``/... and energy iterations ``energy``, in the order the solver reports them.
    """

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.entries: list[tuple[float, int, dict[str, float]]] = []

    def __call__(self, iteration: int, residuals: Mapping[str, float]) -> None:
        self.entries.append((time.perf_counter() - self.start, iteration, dict(residuals)))

    def flow(self) -> list[tuple[float, int, dict[str, float]]]:
        return [e for e in self.entries if "p" in e[2]]

    def energy(self) -> list[tuple[float, int, dict[str, float]]]:
        return [e for e in self.entries if "energy" in e[2]]


@dataclass
class GridConvergence:
    """Celik et al. (2008, J. Fluids Eng. 130, 078001) from three meshes: observed order, the
    Richardson extrapolation, the relative errors and the fine mesh's GCI (safety factor 1.25).

    ``oscillatory`` when the two changes have opposite signs (the order is then of the magnitudes
    only); ``order`` is NaN when a change is zero or the fixed point for p did not converge.
    """

    order: float
    extrapolated: float
    approximate_error: float  # e_a^21 = |(phi1 - phi2) / phi1|
    extrapolated_error: float  # e_ext^21 = |(phi_ext - phi1) / phi_ext|
    gci_fine: float
    oscillatory: bool


def grid_convergence(
    coarse: float, medium: float, fine: float, r21: float, r32: float | None = None
) -> GridConvergence:
    """Celik's procedure for refinement ratios ``r21`` = h_medium / h_fine and ``r32`` =
    h_coarse / h_medium (the same when ``r32`` is None); for unstructured meshes h = (V / N)^(1/3),
    so r = (N_fine / N_coarse)^(1/3). With unequal ratios p solves
    p = |ln|e32 / e21| + q(p)| / ln r21, q(p) = ln((r21^p - s) / (r32^p - s)), s = sign(e32 / e21)
    by fixed-point iteration from q = 0, but without the outer absolute value of Celik's eq. (3a):
    a sequence whose changes grow (|e21| > |e32| at equal ratios) gets a negative order, not a
    positive one and a small GCI."""
    r32 = r21 if r32 is None else r32
    e21, e32 = medium - fine, coarse - medium
    nan = float("nan")
    ea = abs(e21 / fine) if fine else nan
    if e21 == 0 or e32 == 0:
        return GridConvergence(nan, nan, ea, nan, nan, False)
    s = math.copysign(1.0, e32 / e21)
    p, q = nan, 0.0
    for _ in range(200):
        p_new = (math.log(abs(e32 / e21)) + q) / math.log(r21)
        if r21 == r32:  # q = 0: no iteration
            p = p_new
            break
        if p == p_new or (p == p and abs(p_new - p) < 1e-10):
            p = p_new
            break
        p = p_new
        a, b = r21**p - s, r32**p - s
        if a <= 0 or b <= 0:
            return GridConvergence(nan, nan, ea, nan, nan, s < 0)
        q = math.log(a / b)
    else:
        return GridConvergence(nan, nan, ea, nan, nan, s < 0)
    extrapolated = (r21**p * fine - medium) / (r21**p - 1)
    eext = abs((extrapolated - fine) / extrapolated) if extrapolated else nan
    return GridConvergence(p, extrapolated, ea, eext, 1.25 * ea / (r21**p - 1), s < 0)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
