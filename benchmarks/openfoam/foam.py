"""Running OpenFOAM v1912 (Debian package ``openfoam``) from Python: environment, case files,
timed runs (serial and ``mpirun -np N -parallel``), log and ASCII field parsing.

Every OpenFOAM program needs the environment of ``etc/bashrc``; it is sourced once in a bash
subprocess and its environment reused, instead of sourcing per command (that prints pages of
harmless ``foamEtcFile`` warnings and costs ~0.5 s each time).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks._common import TimedRun, run_timed

FOAM_BASHRC_CANDIDATES = ("/usr/share/openfoam/etc/bashrc", "/usr/lib/openfoam/openfoam/etc/bashrc")


class FoamUnavailable(RuntimeError):
    """OpenFOAM is not installed (``apt-get install -y openfoam time``)."""


def _find_bashrc() -> str:
    for c in FOAM_BASHRC_CANDIDATES:
        if Path(c).exists():
            return c
    try:
        out = subprocess.run(["dpkg", "-L", "openfoam"], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        out = ""
    for line in out.splitlines():
        if line.endswith("etc/bashrc"):
            return line
    raise FoamUnavailable("OpenFOAM not found: apt-get install -y openfoam time")


@functools.lru_cache(maxsize=1)
def foam_env() -> dict[str, str]:
    """Environment after sourcing OpenFOAM's bashrc, plus what mpirun needs to run as root."""
    bashrc = _find_bashrc()
    out = subprocess.run(
        ["bash", "-c", f"source {bashrc} >/dev/null 2>&1; env -0"], capture_output=True, check=True
    ).stdout
    env = dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)
    env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    # A shared 2-core box: oversubscription must not abort, and no binding so the kernel can move
    # ranks away from cores other jobs are using.
    env["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
    env["OMPI_MCA_hwloc_base_binding_policy"] = "none"
    env.setdefault("FOAM_SIGFPE", "false")
    return env


def foam_version() -> str:
    return foam_env().get("WM_PROJECT_VERSION", "unknown")


def available() -> bool:
    try:
        foam_env()
    except (FoamUnavailable, subprocess.CalledProcessError):
        return False
    return shutil.which("laplacianFoam", path=foam_env().get("PATH")) is not None


# ----- case files ---------------------------------------------------------------------------------


def header(cls: str, obj: str, location: str | None = None) -> str:
    loc = f'    location    "{location}";\n' if location else ""
    return (
        "FoamFile\n{\n    version     2.0;\n    format      ascii;\n"
        f"    class       {cls};\n{loc}    object      {obj};\n}}\n\n"
    )


def write_file(case: Path, rel: str, cls: str, body: str) -> None:
    p = case / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    obj = p.name
    p.write_text(header(cls, obj, str(Path(rel).parent)) + body.strip() + "\n")


# the schemes of the laminar simpleFoam comparisons: second-order bounded upwinding of U
LAMINAR_SIMPLEFOAM_SCHEMES = """
ddtSchemes { default steadyState; }
gradSchemes { default Gauss linear; }
divSchemes
{
    default         none;
    div(phi,U)      bounded Gauss linearUpwind grad(U);
    div((nuEff*dev2(T(grad(U))))) Gauss linear;
}
laplacianSchemes { default Gauss linear corrected; }
interpolationSchemes { default linear; }
snGradSchemes { default corrected; }
"""


def write_laminar_simplefoam_setup(case: Path, nu: float) -> None:
    """fvSchemes, a Newtonian ``nu`` (m²/s) and laminar flow, for a simpleFoam case."""
    write_file(case, "system/fvSchemes", "dictionary", LAMINAR_SIMPLEFOAM_SCHEMES)
    write_file(case, "constant/transportProperties", "dictionary", f"transportModel Newtonian;\nnu {nu:g};\n")
    write_file(case, "constant/turbulenceProperties", "dictionary", "simulationType laminar;\n")


def write_decompose_dict(case: Path, nprocs: int) -> None:
    # scotch is a dummy in the Debian build; 'simple' splits along x, which on these meshes
    # gives equal halves with a single interface plane.
    write_file(
        case,
        "system/decomposeParDict",
        "dictionary",
        f"numberOfSubdomains {nprocs};\nmethod simple;\ncoeffs\n{{\n    n ({nprocs} 1 1);\n}}\n",
    )


def write_control_dict(
    case: Path, app: str, end_time: int, write_interval: int | None = None, functions: str = ""
) -> None:
    """A steady controlDict: ``end_time`` iterations of ``app``, fields written every
    ``write_interval`` (default: only at the end), profiling on, ``functions`` (entries of the
    ``functions`` dictionary) as given."""
    foam_interval = end_time if write_interval is None else write_interval
    write_file(
        case,
        "system/controlDict",
        "dictionary",
        f"""
application     {app};
startFrom       startTime;
startTime       0;
stopAt          endTime;
endTime         {end_time};
deltaT          1;
writeControl    timeStep;
writeInterval   {foam_interval};
purgeWrite      0;
writeFormat     ascii;
writePrecision  12;
writeCompression off;
timeFormat      general;
timePrecision   6;
runTimeModifiable false;
profiling {{ active true; cpuInfo false; memInfo false; sysInfo false; }}
functions
{{
{functions}
}}
""",
    )


def write_boundary_field(
    case: Path, name: str, cls: str, dimensions: str, internal: str, patches: Mapping[str, str]
) -> None:
    """``0/<name>``: ``patches`` maps each patch name to its ``{ type ...; }`` entry, in order."""
    body = "\n".join(f"    {patch} {entry}" for patch, entry in patches.items())
    write_file(
        case,
        f"0/{name}",
        cls,
        f"dimensions {dimensions};\ninternalField {internal};\nboundaryField\n{{\n{body}\n}}\n",
    )


def write_msh22(msh: Path, out: Path) -> None:
    """``msh`` rewritten as ASCII msh 2.2, the only Gmsh format gmshToFoam (v1912) reads."""
    import gmsh

    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.open(str(msh))
        gmsh.option.setNumber("Mesh.MshFileVersion", 2.2)
        gmsh.option.setNumber("Mesh.Binary", 0)
        gmsh.write(str(out))
    finally:
        gmsh.finalize()


def gmsh_to_foam(msh: Path, case: Path, msh22: Path) -> str:
    """Convert ``msh`` through ``msh22`` (kept; the caller decides) into ``case/constant/polyMesh``;
    returns gmshToFoam's log. The case needs its system dictionaries already."""
    write_msh22(msh, msh22)
    return run_util(case, ["gmshToFoam", str(msh22)])


def retype_patches(case: Path, kinds: Mapping[str, str], drop_physical_type: bool = False) -> None:
    """Set the ``type`` of each patch in ``kinds`` (name → ``wall``, ``symmetry``, ``wedge`` ...) in
    ``case/constant/polyMesh/boundary``; gmshToFoam writes every patch as ``patch``.
    ``drop_physical_type`` also removes gmshToFoam's informative ``physicalType patch;`` lines."""
    boundary = case / "constant" / "polyMesh" / "boundary"
    text = boundary.read_text()
    for name, kind in kinds.items():
        text = re.sub(
            rf"(^\s+{re.escape(name)}\s*\n\s*\{{[^}}]*?type\s+)\w+;", rf"\g<1>{kind};", text, flags=re.M
        )
    if drop_physical_type:
        text = text.replace("physicalType    patch;\n", "")
    boundary.write_text(text)


def retype_walls(case: Path, names: Sequence[str], drop_physical_type: bool = False) -> None:
    """:func:`retype_patches` with every patch of ``names`` a wall."""
    retype_patches(case, dict.fromkeys(names, "wall"), drop_physical_type)


# ----- running ------------------------------------------------------------------------------------


def run_util(
    case: Path, args: Sequence[str], log_name: str | None = None, timeout: float | None = None
) -> str:
    """Run a (pre/post-processing) utility untimed; raises with the log tail on failure."""
    proc = subprocess.run(
        list(args), cwd=case, env=foam_env(), capture_output=True, text=True, timeout=timeout, check=False
    )
    log = proc.stdout + proc.stderr
    (case / f"log.{log_name or args[0]}").write_text(log)
    if proc.returncode != 0 or "FOAM FATAL" in log:
        tail = "\n".join(log.splitlines()[-30:])
        raise RuntimeError(f"{' '.join(args)} failed in {case}:\n{tail}")
    return log


def run_solver(
    case: Path,
    app: str,
    nprocs: int = 1,
    extra_args: Sequence[str] = (),
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[TimedRun, str]:
    """Run ``app`` under /usr/bin/time -v (serial, or mpirun -np nprocs -parallel on a decomposed case).

    For the parallel run the reported peak RSS is mpirun's largest child as GNU time sees it: the
    maximum over the process tree is not available, so ``rank_rss_mb`` (per-rank VmHWM summed) is
    reported separately by the callers that need total memory.
    """
    if nprocs > 1:
        cmd = ["mpirun", "-np", str(nprocs), app, "-parallel", *extra_args]
    else:
        cmd = [app, *extra_args]
    run = run_timed(cmd, cwd=case, env=env or foam_env(), timeout=timeout)
    log = run.stdout + run.stderr
    (case / f"log.{app}.np{nprocs}").write_text(log)
    if "FOAM FATAL" in log:
        run.returncode = run.returncode or 1
    return run.check(f"{app} (np {nprocs})"), log


# ----- logs ---------------------------------------------------------------------------------------

_SOLVE_RE = re.compile(
    r"^(\w+):\s+Solving for (\w+), Initial residual = (\S+), Final residual = (\S+), No Iterations (\d+)",
    re.M,
)


@dataclass
class SolveLine:
    solver: str
    field: str
    initial: float
    final: float
    iterations: int


def solve_lines(log: str) -> list[SolveLine]:
    return [
        SolveLine(
            m.group(1),
            m.group(2),
            float(m.group(3).rstrip(",")),
            float(m.group(4).rstrip(",")),
            int(m.group(5)),
        )
        for m in _SOLVE_RE.finditer(log)
    ]


def execution_times(log: str) -> tuple[float, float]:
    """Last ``ExecutionTime = a s  ClockTime = b s`` of a log (CPU seconds, wall seconds)."""
    ms = re.findall(r"ExecutionTime = (\S+) s\s+ClockTime = (\S+) s", log)
    if not ms:
        return float("nan"), float("nan")
    return float(ms[-1][0]), float(ms[-1][1])


def time_dirs(case: Path) -> list[str]:
    out = []
    for p in case.iterdir():
        try:
            float(p.name)
        except ValueError:
            continue
        if p.is_dir():
            out.append(p.name)
    return sorted(out, key=float)


def profiling_totals(case: Path, time_name: str) -> dict[str, float]:
    """``totalTime`` per profiled description from ``<time>/uniform/profiling`` (``profiling { active true; }``)."""
    p = case / time_name / "uniform" / "profiling"
    if not p.exists():
        return {}
    text = p.read_text()
    out: dict[str, float] = {}
    for m in re.finditer(r"description\s+\"([^\"]*)\";.*?totalTime\s+(\S+);", text, re.S):
        out.setdefault(m.group(1), float(m.group(2)))
    return out


# ----- ASCII fields -------------------------------------------------------------------------------


def _parse_values(text: str, pos: int) -> tuple[np.ndarray | float | None, int]:
    """Parse a field value starting at ``pos`` (after the keyword): ``uniform v`` or
    ``nonuniform List<type> n ( ... )`` (scalars or vectors); returns (values, end position)."""
    m = re.compile(r"\s*(uniform|nonuniform)\s+").match(text, pos)
    if not m:
        return None, pos
    pos = m.end()
    if m.group(1) == "uniform":
        m2 = re.compile(r"(\([^)]*\)|[^;\s]+)\s*;").match(text, pos)
        assert m2 is not None
        tok = m2.group(1)
        if tok.startswith("("):
            return np.array(tok.strip("()").split(), dtype=float), m2.end()
        return float(tok), m2.end()
    empty = re.compile(r"(?:List<\w+>\s*)?0\s*\(\s*\)\s*;").match(text, pos)
    if empty:  # a patch with no faces on this processor is written as "nonuniform 0()"
        return np.zeros(0), empty.end()
    m2 = re.compile(r"List<(\w+)>\s*(\d+)\s*").match(text, pos)
    assert m2 is not None, text[pos : pos + 80]
    kind, n = m2.group(1), int(m2.group(2))
    pos = m2.end()
    if text[pos] == "{":  # n{value}: all equal
        end = text.index("}", pos)
        return np.full(n, float(text[pos + 1 : end])), end + 1
    start = text.index("(", pos)
    # the list ends at the first ")" followed by a line break and ";" (vectors contain ")" too)
    end = re.compile(r"\)\s*;").search(text, start)
    assert end is not None
    body = text[start + 1 : end.start()]
    if kind == "vector":
        vals = np.array(body.replace("(", " ").replace(")", " ").split(), dtype=float).reshape(n, 3)
    else:
        vals = np.array(body.split(), dtype=float)
    assert len(vals) == n, (len(vals), n)
    return vals, end.end()


def read_field(path: Path) -> tuple[np.ndarray | float, dict[str, dict[str, np.ndarray | float | str]]]:
    """Read an ASCII volScalarField/volVectorField: (internal values, {patch: {entry: values}})."""
    text = path.read_text()
    i = text.index("internalField")
    internal, pos = _parse_values(text, i + len("internalField"))
    assert internal is not None
    patches: dict[str, dict[str, np.ndarray | float | str]] = {}
    b = text.index("boundaryField", pos)
    pos = text.index("{", b) + 1
    name_re = re.compile(r"\s*(\"[^\"]*\"|[\w.:\-]+)\s*\{")
    while True:
        m = name_re.match(text, pos)
        if not m:
            break
        name = m.group(1).strip('"')
        pos = m.end()
        entries: dict[str, np.ndarray | float | str] = {}
        while True:
            ws = re.compile(r"\s*").match(text, pos)
            pos = ws.end() if ws else pos
            if text[pos] == "}":
                pos += 1
                break
            km = re.compile(r"([\w:]+)").match(text, pos)
            assert km is not None, text[pos : pos + 80]
            key = km.group(1)
            vals, p2 = _parse_values(text, km.end())
            if vals is not None:
                entries[key] = vals
                pos = p2
            else:
                end = text.index(";", km.end())
                entries[key] = text[km.end() : end].strip()
                pos = end + 1
        patches[name] = entries
    return internal, patches


def read_field_parallel(case: Path, time_name: str, field: str) -> tuple[np.ndarray, dict[str, list[dict]]]:
    """Read a field from the serial case or from every ``processor*`` directory of a decomposed run."""
    procs = sorted(case.glob("processor*"), key=lambda p: int(p.name[len("processor") :]))
    if not procs:
        internal, patches = read_field(case / time_name / field)
        return np.atleast_1d(np.asarray(internal, dtype=float)), {k: [v] for k, v in patches.items()}
    internals = []
    merged: dict[str, list[dict]] = {}
    for p in procs:
        internal, patches = read_field(p / time_name / field)
        internals.append(np.atleast_1d(np.asarray(internal, dtype=float)))
        for k, v in patches.items():
            merged.setdefault(k, []).append(v)
    return np.concatenate(internals), merged


def clean_case(case: Path) -> None:
    if case.exists():
        shutil.rmtree(case)
    case.mkdir(parents=True)


def rank_count_default() -> int:
    return min(2, os.cpu_count() or 1)
