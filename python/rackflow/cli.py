"""The ``rackflow`` command line: demo, run, sweep, render, mesh.

Exit codes: 0 success; 1 bad input or a failed solve (one line on stderr, the traceback only
with ``--debug``); 2 bad command-line usage (argparse); 130 interrupted.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rackflow.errors import CaseError, RackflowError

#: the demo sweep: effective coolant-side heat-transfer coefficients, W/m²·K
DEMO_SWEEP_HTC = [5_000.0, 10_000.0, 15_000.0, 20_000.0, 30_000.0]
#: the demo flow sweep: coolant volume flow on the microchannel cold plate, L/min
DEMO_SWEEP_FLOW_LPM = [0.5, 1.0, 1.5, 2.0, 3.0]
#: where ``rackflow demo`` writes (the examples write under rackflow-output/ too)
DEMO_OUT = "rackflow-output/demo"


def _version() -> str:
    from rackflow import __version__

    return str(__version__)


# ----- demo ---------------------------------------------------------------------------------------
def _structured_demo_mesh() -> Any:
    """A structured stand-in for the GPU stack when neither the bundled mesh nor gmsh is there."""
    import numpy as np

    from rackflow.mesh import Mesh
    from rackflow.testing.meshes import box

    z = {"base": 0.003, "lid": 0.005, "tim": 0.0052}
    regions = {
        "base": lambda c: c[:, 2] < z["base"],
        "lid": lambda c: (c[:, 2] >= z["base"]) & (c[:, 2] < z["lid"]),
        "tim": lambda c: (c[:, 2] >= z["lid"]) & (c[:, 2] < z["tim"]),
        "die": lambda c: c[:, 2] >= z["tim"],
    }
    m = box((12, 12, 30), (0.04, 0.04, 0.006), regions=regions)
    m.field_data["coolant_side"] = m.field_data.pop("zmin")
    m.field_data = {k: np.asarray(v) for k, v in m.field_data.items()}
    return Mesh.from_meshio(m, source="structured GPU stack (stand-in)")


def _stack_mesh() -> Any:
    """The bundled GPU stack (rackflow.datasets), or a structured stand-in without it."""
    from rackflow import datasets
    from rackflow.mesh import load_mesh

    if datasets.available("gpu_stack.msh"):
        return load_mesh(datasets.gpu_stack())
    print("note: no bundled GPU-stack mesh and no gmsh to generate it; using a structured stand-in stack")
    return _structured_demo_mesh()


def _demo(args: argparse.Namespace) -> int:
    from rackflow import datasets, demo

    out = Path(args.out)
    if args.sweep and args.flow_sweep:
        raise RackflowError("give --sweep or --flow-sweep, not both")
    out.mkdir(parents=True, exist_ok=True)
    if datasets.available(demo.MESH_NAME):
        demo.run(out, render=not args.no_render, threads=args.threads)
    else:  # a bare installation without gmsh: the conduction stack on a stand-in mesh
        print(
            f"note: the cold-plate mesh {demo.MESH_NAME} is not here and gmsh is not installed to "
            "generate it (pip install 'rackflow[mesh]'); solving the conduction-only GPU stack instead"
        )
        result = demo.conduction_case(_structured_demo_mesh()).solve(threads=args.threads)
        print(result.summary())
        print(f"\nwrote {result.save(out / 'demo.vtu')}")
        if not args.no_render:
            print(f"wrote {result.render('temperature', clip='y', path=out / 'demo.png')}")
    if args.sweep:
        print()
        _demo_sweep(args, out)
    if args.flow_sweep:
        print()
        _demo_flow_sweep(args, out)
    return 0


def _demo_sweep(args: argparse.Namespace, out: Path) -> int:
    """Sweep the coolant-side h of the conduction-only GPU stack: R_th against h."""
    from rackflow import demo
    from rackflow.plots import plot_curves
    from rackflow.sweep import Sweep

    case = demo.conduction_case(_stack_mesh())
    sweep = Sweep(case, **{"htc_w_m2k.coolant_side": DEMO_SWEEP_HTC})
    table = sweep.run(store=out / "demo-sweep.parquet", workers=args.workers, progress=not args.quiet)
    _print_table(table, sweep.axes)
    png = plot_curves(
        table,
        x="htc_w_m2k.coolant_side",
        y="thermal_resistance_k_w.die",
        path=out / "demo-sweep.png",
        title="GPU stack: junction-to-coolant resistance vs coolant-side h",
    )
    csv = out / "demo-sweep.csv"
    table.to_csv(csv, index=False)
    print(f"\nwrote {png}\nwrote {csv}")
    return 0


def _demo_flow_sweep(args: argparse.Namespace, out: Path) -> int:
    """Sweep the coolant flow on the microchannel cold plate: R_th and ΔP against L/min."""
    from rackflow import demo
    from rackflow.mesh import load_mesh
    from rackflow.plots import plot_curves
    from rackflow.sweep import Sweep

    out.mkdir(parents=True, exist_ok=True)
    case = demo.build_case(load_mesh(demo.find_mesh(name=demo.MESH_NAME)))
    settings = {"threads": args.threads} if args.threads else None
    sweep = Sweep(case, flow_lpm=DEMO_SWEEP_FLOW_LPM, solver_settings=settings)
    table = sweep.run(store=out / "demo-flow-sweep.parquet", workers=args.workers, progress=not args.quiet)
    _print_table(table, sweep.axes)
    if not (table["status"] == "ok").any():
        raise RackflowError("no point of the flow sweep solved; see the error column above")
    rth = plot_curves(
        table,
        x="flow_lpm",
        y="thermal_resistance_k_w.die",
        path=out / "demo-flow-sweep-rth.png",
        title=f"Microchannel cold plate ({demo.COOLANT}, {demo.INLET_C:g} °C): die-to-inlet resistance vs flow",
    )
    dp = plot_curves(
        table,
        x="flow_lpm",
        y="pressure_drop_pa",
        path=out / "demo-flow-sweep-dp.png",
        title=f"Microchannel cold plate ({demo.COOLANT}): pressure drop vs flow",
    )
    csv = out / "demo-flow-sweep.csv"
    table.to_csv(csv, index=False)
    print(f"\nwrote {rth}\nwrote {dp}\nwrote {csv}")
    return 0


def _print_table(table: Any, axes: Sequence[str]) -> None:
    wanted = [
        c
        for c in table.columns
        if c in axes
        or c in ("status", "max_temperature_c", "pressure_drop_pa", "outer_iterations", "wall_time_s")
        or c.startswith("thermal_resistance_k_w.")
    ]
    with_errors = table[wanted + (["error"] if (table["status"] != "ok").any() else [])]
    print(with_errors.to_string(index=False, float_format=lambda v: f"{v:.6g}"))


# ----- run ----------------------------------------------------------------------------------------
def _run(args: argparse.Namespace) -> int:
    from rackflow import casefile

    loaded = casefile.load(args.case)
    settings = dict(loaded.solver)
    if args.threads is not None:
        settings["threads"] = args.threads
    if args.check:
        loaded.case.validate(**settings)
        print(f"{args.case}: no problems found (mesh {loaded.case.mesh.n_cells} cells)")
        return 0
    if loaded.transient is not None:
        return _run_transient(args, loaded, settings)
    result = loaded.case.solve(**settings)
    print(result.summary())
    out = Path(args.out) if args.out else Path(args.case).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    stem = Path(args.case).stem
    vtu = result.save(out / f"{stem}.vtu")
    summary = {
        "case": str(args.case),
        "mesh": loaded.case.mesh.source,
        "n_cells": loaded.case.mesh.n_cells,
        "solver": settings,
        "summary": result.summary().to_dict(),
    }
    js = out / f"{stem}.json"
    js.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {vtu}\nwrote {js}")
    if not args.no_render:
        print(f"wrote {result.render('temperature', path=out / f'{stem}.png')}")
    return 0


def _run_transient(args: argparse.Namespace, loaded: Any, settings: dict[str, Any]) -> int:
    """``rackflow run`` of a case file with a ``[transient]`` table."""
    from rackflow.transient import run_transient, transient_metrics

    out = Path(args.out) if args.out else Path(args.case).resolve().parent
    stem = Path(args.case).stem
    try:
        run = run_transient(loaded.case, loaded.transient, settings)
    except (RackflowError, KeyboardInterrupt) as err:
        # a run that fails or is interrupted part-way keeps the steps it completed
        _write_partial_transient(getattr(err, "partial_result", None), out, stem)
        raise
    peaks = transient_metrics(run)
    report = run.report
    print(
        f"transient: {report['steps_accepted']} steps ({report['steps_rejected']} rejected) over "
        f"{run.times_s[0]:g}–{run.times_s[-1]:g} s, {report['solve_time_s']:.1f} s wall"
    )
    print("largest over the run:")
    width = max(len(k) for k in peaks)
    for key, value in peaks.items():
        print(f"  {key:<{width}}  {value:.6g}")
    out.mkdir(parents=True, exist_ok=True)
    csv = out / f"{stem}.csv"
    run.to_frame().to_csv(csv, index=False)
    pvd = run.save(out / f"{stem}.pvd")
    summary = {
        "case": str(args.case),
        "mesh": loaded.case.mesh.source,
        "n_cells": loaded.case.mesh.n_cells,
        "solver": settings,
        "transient": loaded.transient,
        "peaks": peaks,
        "report": {k: v for k, v in report.items() if not isinstance(v, list)},
    }
    js = out / f"{stem}.json"
    js.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {csv}\nwrote {pvd}\nwrote {js}")
    if not args.no_render:
        hottest = max(run.mesh.regions, key=lambda r: peaks[f"max_temperature_c.{r}"])
        run.plot(hottest, path=out / f"{stem}.png")
        print(f"wrote {out / f'{stem}.png'}")
    return 0


def _write_partial_transient(partial: Any, out: Path, stem: str) -> None:
    """The completed steps of a failed or interrupted transient run, as ``{stem}.partial.csv``
    (the output times reached); nothing when the run stopped before its first output."""
    if partial is None or len(partial.times_s) == 0:
        return
    out.mkdir(parents=True, exist_ok=True)
    csv = out / f"{stem}.partial.csv"
    partial.to_frame().to_csv(csv, index=False)
    print(
        f"rackflow: the run completed {partial.report['steps_accepted']} steps to "
        f"{partial.completed_to_s:g} s before it stopped; wrote {csv}",
        file=sys.stderr,
    )


# ----- sweep --------------------------------------------------------------------------------------
def _sweep(args: argparse.Namespace) -> int:
    from rackflow import casefile
    from rackflow.sweep import Sweep

    loaded = casefile.load(args.case)
    sweep = Sweep.from_casefile(loaded)
    store = Path(args.store) if args.store else Path(args.case).with_suffix(".sweep.parquet")
    client = args.scheduler
    table = sweep.run(
        store=store,
        workers=args.workers,
        client=client,
        progress=not args.quiet,
        retry_failed=args.retry_failed,
    )
    _print_table(table, sweep.axes)
    csv = Path(args.csv) if args.csv else store.with_suffix(".csv")
    table.to_csv(csv, index=False)
    run = sweep.last_run
    print(
        f"\n{len(table)} points: {run['solved']} solved ({run['failed']} failed), {run['skipped']} from the store; "
        f"store {store}, table {csv}"
    )
    return 0 if (table["status"] == "ok").all() or not args.strict else 1


# ----- render -------------------------------------------------------------------------------------
def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1200x800, got {text!r}") from None
    if w < 16 or h < 16 or w > 8192 or h > 8192:
        raise argparse.ArgumentTypeError(f"size {w}x{h} is out of range (16…8192)")
    return w, h


def _cut(text: str | None) -> Any:
    if text is None:
        return None
    axis, _, position = text.partition("=")
    if not position:
        return axis
    try:
        return (axis, float(position))
    except ValueError:
        raise RackflowError(f"cut position must be a number in metres, got {text!r} (e.g. z=0.003)") from None


def _render(args: argparse.Namespace) -> int:
    from rackflow import viz

    out = Path(args.out) if args.out else Path(args.result).with_suffix(".png")
    path = viz.render_file(
        args.result,
        path=out,
        slice=_cut(args.slice),
        clip=_cut(args.clip),
        camera=args.camera,
        window_size=args.size,
        cmap=args.cmap,
        regions=args.regions.split(",") if args.regions else None,
        show_edges=args.edges,
    )
    print(f"wrote {path}")
    return 0


# ----- mesh ---------------------------------------------------------------------------------------
def _mesh_generator(args: argparse.Namespace) -> int:
    params = {
        k.removeprefix("param_"): None if v is _AUTO else v
        for k, v in vars(args).items()
        if k.startswith("param_") and v is not None
    }
    out = Path(args.out or f"{args.generator}.msh")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        args.generator_function(out, **params)
    except (ValueError, TypeError, OverflowError) as e:
        # the generators check their parameters and name them: one line, not a traceback
        raise CaseError(f"rackflow mesh {args.generator}: {e}") from None
    from rackflow.mesh import load_mesh

    print(load_mesh(out))
    print(f"wrote {out}")
    return 0


def _region_selectors(items: Sequence[str] | None, default: str) -> dict[str, Any]:
    """``--fluid`` / ``--solid`` values: ``SELECTOR`` (region ``default``) or ``REGION=SELECTOR``;
    repeated values of one region are their union."""
    from rackflow.meshing.cad import is_selector

    out: dict[str, list[Any]] = {}
    for item in items or []:
        region, sep, rest = item.partition("=")
        if sep and not is_selector(item) and region.replace("_", "").replace("-", "").isalnum() and rest:
            out.setdefault(region, []).append(_selector(rest))
        else:
            out.setdefault(default, []).append(_selector(item))
    return out


def _selector(text: str) -> Any:
    """A command-line selector: an integer tag, else the text (name, conditions, @point)."""
    return int(text) if text.strip().lstrip("-").isdigit() else text


def _boundary_layers(text: str | None) -> dict[str, Any] | None:
    """``--boundary-layers``: ``auto`` or ``KEY=VALUE[,KEY=VALUE]`` (keys of ``from_cad``'s
    ``boundary_layers``: first_layer_m, layers, growth; a value may be ``auto``)."""
    if text is None:
        return None
    if text.strip() == "auto":
        return {}
    out: dict[str, Any] = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise RackflowError(
                f"--boundary-layers expects 'auto' or KEY=VALUE[,KEY=VALUE] (e.g. layers=2,growth=1.2), got {text!r}"
            )
        v = value.strip()
        if v == "auto":
            out[key.strip()] = v
            continue
        try:
            out[key.strip()] = int(v) if v.lstrip("-").isdigit() else float(v)
        except ValueError:
            raise RackflowError(f"--boundary-layers: {key.strip()}={v!r} is not a number") from None
    return out


def _mesh_step(args: argparse.Namespace) -> int:
    from rackflow.mesh import load_mesh
    from rackflow.meshing import from_cad

    fluid = _region_selectors(args.fluid, "fluid")
    if not fluid:
        raise RackflowError("rackflow mesh step: give the coolant volumes with --fluid")
    solid = _region_selectors(args.solid, "solid") or None
    patches: dict[str, Any] = {}
    for item in args.patch or []:
        name, sep, sel = item.partition("=")
        if not sep or not name or not sel:
            raise RackflowError(f"--patch expects NAME=SELECTOR (e.g. heated=z=0), got {item!r}")
        patches.setdefault(name, []).append(_selector(sel))
    out = Path(args.out) if args.out else Path(args.cad).with_suffix(".msh")
    layers = _boundary_layers(args.boundary_layers)
    if layers is not None:
        from rackflow.meshing.cad import layer_heights

        try:  # bad keys say so on one line, before gmsh runs
            layer_heights(layers, args.size_m if args.size_m and args.size_m > 0 else 1.0)
        except ValueError as e:
            raise RackflowError(f"--boundary-layers: {e}") from None
    path = from_cad(
        args.cad,
        fluid=fluid,
        solid=solid,
        inlet=[_selector(s) for s in args.inlet] if args.inlet else None,
        outlet=[_selector(s) for s in args.outlet] if args.outlet else None,
        patches=patches or None,
        out=out,
        size_m=args.size_m,
        solid_size_m=args.solid_size_m,
        boundary_layers=layers,
        binary=args.binary,
    )
    mesh = load_mesh(path)
    print(mesh)
    inlets = [p for p in mesh.patches if p == "inlet" or p.startswith("inlet_")]
    outlets = [p for p in mesh.patches if p == "outlet" or p.startswith("outlet_")]
    findings = mesh.check(list(fluid), inlets, outlets)
    for f in findings:
        print(f"{'error' if f.fatal else 'warning'}: {f.message}")
    print(f"wrote {path}")
    fatal = [f for f in findings if f.fatal]
    if fatal:
        from rackflow.errors import MeshError

        raise MeshError(f"{len(fatal)} problem(s) no solver setting overcomes: {fatal[0].message}")
    return 0


def _add_step_parser(gen_sub: Any) -> None:
    step = gen_sub.add_parser(
        "step",
        help="Mesh a CAD assembly (STEP, BREP, IGES) as a tagged coolant/metal mesh.",
        description="Mesh a CAD assembly as a conjugate-heat-transfer mesh: every volume fragmented "
        "against the others (conformal metal/coolant faces), regions and patches tagged by selectors, "
        "tetrahedra (coolant at --size-m, metal twice as coarse; --boundary-layers adds prism layers on "
        "the coolant's walls), then the pre-solve checks. "
        "Selectors: a CAD name (wildcards * ?), an integer tag, '@X,Y,Z' (the volume containing that "
        "point, m), or conditions on a surface's plane and centre: 'x=0', 'z=0.006,x<0.02'.",
        epilog="Example: rackflow mesh step plate.step --fluid @0.0005,0.006,0.00325 --solid base=z<0.004 "
        "--solid lid=z>0.004 --inlet x=0 --outlet x=0.06 --patch heated=z=0 --size-m 0.0008",
    )
    step.add_argument("cad", help="CAD file (.step, .stp, .brep, .iges)")
    step.add_argument(
        "--fluid",
        action="append",
        metavar="[REGION=]SELECTOR",
        help="coolant volumes (region 'fluid' unless REGION= is given); repeat for more",
    )
    step.add_argument(
        "--solid",
        action="append",
        metavar="[REGION=]SELECTOR",
        help="metal volumes (region 'solid' unless REGION= is given); default: every other volume is 'solid'",
    )
    step.add_argument("--inlet", action="append", metavar="SELECTOR", help="coolant faces of the inlet patch")
    step.add_argument(
        "--outlet", action="append", metavar="SELECTOR", help="coolant faces of the outlet patch"
    )
    step.add_argument(
        "--patch",
        action="append",
        metavar="NAME=SELECTOR",
        help="another patch, e.g. inlet_2=x=0.06 or heated=z=0",
    )
    step.add_argument(
        "--size-m", type=float, help="coolant cell size, m (default: 1/50 of the largest extent)"
    )
    step.add_argument("--solid-size-m", type=float, help="metal cell size, m (default: twice --size-m)")
    step.add_argument(
        "--boundary-layers",
        metavar="auto|KEY=VALUE,...",
        help="prism layers on the coolant's walls, tetrahedra in its core: 'auto' (two layers from "
        "size/10 growing by 1.2) or first_layer_m=M,layers=N,growth=G (stack at most half the size)",
    )
    step.add_argument("--out", help="mesh file to write (default: the CAD file's name with .msh)")
    step.add_argument("--binary", action="store_true", help="write binary msh 4.1")
    step.set_defaults(handler=_mesh_step)


def _mesh_unavailable(args: argparse.Namespace) -> int:
    raise RackflowError(
        "mesh generators need the rackflow.meshing package (gmsh), which this installation does not have: "
        "pip install 'rackflow[mesh]'"
    )


def _numpy_doc(function: Any) -> tuple[str, dict[str, str]]:
    """A numpy-style docstring's text before its sections, and each parameter's description."""
    doc = inspect.getdoc(function) or ""
    lines = doc.splitlines()
    sections = [
        i for i in range(len(lines) - 1) if lines[i + 1].strip().startswith("---") and lines[i].strip()
    ]
    summary = "\n".join(lines[: sections[0]] if sections else lines).strip()
    params: dict[str, str] = {}
    start = next((i for i in sections if lines[i].strip() == "Parameters"), None)
    if start is not None:
        end = next((i for i in sections if i > start), len(lines))
        name = None
        for line in lines[start + 2 : end]:
            if line and not line[0].isspace():
                name = line.split(":")[0].strip()
                params[name] = ""
            elif name is not None and line.strip():
                params[name] = (params[name] + " " + line.strip()).strip()
    return summary, params


def _sequence_of(kind: type, n: int | None) -> Any:
    """An argparse type for comma-separated numbers: ``0.05,0.04`` → ``(0.05, 0.04)``."""

    def parse(text: str) -> tuple[Any, ...]:
        try:
            values = tuple(kind(v) for v in text.split(","))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated {kind.__name__} values, got {text!r}"
            ) from None
        if n is not None and len(values) != n:
            raise argparse.ArgumentTypeError(f"expected {n} comma-separated values, got {text!r}")
        return values

    parse.__name__ = f"{kind.__name__} list"
    return parse


_SCALARS = {"int": int, "float": float, "str": str, "bool": bool}


class _Auto:
    """A generator option given as ``auto`` on the command line: the generator's ``None``
    (e.g. ``--prism-layers auto``: layers refined with the cell size)."""


_AUTO = _Auto()


def _or_auto(kind: type) -> Any:
    """``kind``, or ``auto`` for an option whose annotation allows ``None``."""

    def parse(text: str) -> Any:
        return _AUTO if text.strip().lower() == "auto" else kind(text)

    parse.__name__ = kind.__name__
    return parse


def _add_generator_options(parser: argparse.ArgumentParser, function: Any) -> None:
    """Options from the generator's signature: ``channels: int = 40`` becomes ``--channels INT``,
    ``footprint_m: Sequence[float] = (0.05, 0.05)`` becomes ``--footprint-m X,Y``; the help of each
    is its description in the docstring's Parameters section."""
    _, described = _numpy_doc(function)
    for i, (name, p) in enumerate(inspect.signature(function).parameters.items()):
        if i == 0 or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue  # the first parameter is the output path
        annotation = p.annotation if isinstance(p.annotation, str) else getattr(p.annotation, "__name__", "")
        first = str(annotation).split("|")[0].strip()
        kind: Any = _SCALARS.get(first)
        metavar = None
        if first.startswith(("Sequence[", "tuple[", "list[")):
            item = _SCALARS.get(first[first.index("[") + 1 :].split(",")[0].strip("] "), float)
            n = len(p.default) if isinstance(p.default, tuple | list) else None
            kind = _sequence_of(item, n)
            metavar = ",".join("XYZ"[:n]) if n and n <= 3 else "V1,V2,..."
        elif kind is None and p.default is not inspect.Parameter.empty and p.default is not None:
            kind = type(p.default)
        kind = kind or str
        helptext = described.get(name, "")
        if "None" in str(annotation) and kind in (int, float):
            kind = _or_auto(kind)  # None is the generator's "automatic" choice: spell it auto
            helptext = f"{helptext} (on the command line: auto)".strip()
        if p.default is not inspect.Parameter.empty:
            default = (
                ",".join(f"{v:g}" for v in p.default) if isinstance(p.default, tuple | list) else p.default
            )
            helptext = f"{helptext} (default: {default})".strip()
        helptext = helptext.replace("%", "%%")
        flag = "--" + name.replace("_", "-")
        if kind is bool:
            parser.add_argument(
                flag, dest=f"param_{name}", action=argparse.BooleanOptionalAction, help=helptext
            )
        else:
            parser.add_argument(
                flag,
                dest=f"param_{name}",
                type=kind,
                required=p.default is inspect.Parameter.empty,
                metavar=metavar or kind.__name__.upper(),
                help=helptext,
            )


# ----- parser -------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser (generator options come from rackflow.meshing when it is installed)."""
    from rackflow import demo as demo_case
    from rackflow.casefile import available_generators

    parser = argparse.ArgumentParser(
        prog="rackflow",
        description="Liquid-cooling thermal solver for cold plates, servers and racks.",
        epilog="Exit codes: 0 success, 1 bad input or failed solve, 2 usage error, 130 interrupted.",
    )
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"rackflow {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="solve the bundled GPU cold plate (coolant flow and heat together; optional sweeps)",
        description="Solve the bundled GPU cold plate: a 700 W H100-class die, TIM and copper lid on a "
        f"20-channel copper microchannel plate, {demo_case.COOLANT} entering at {demo_case.INLET_C:g} °C "
        f"and {demo_case.FLOW_LPM:g} L/min; coolant "
        "flow and temperature solved together (conjugate heat transfer, about 90,000 cells). Prints the "
        "engineering summary and writes demo.vtu (fields, for ParaView), demo.png (the picture in the "
        "README) and demo.json (summary numbers and how the picture was drawn). --flow-sweep or --sweep "
        "add a five-point sweep with its design curve after the demo.",
    )
    demo.add_argument("--out", default=DEMO_OUT, help=f"output folder (default: {DEMO_OUT})")
    demo.add_argument("--no-render", action="store_true", help="skip the PNG rendering")
    demo.add_argument("--threads", type=int, default=None, help="solver threads (default: all cores)")
    demo.add_argument(
        "--sweep",
        action="store_true",
        help="also sweep the conduction-only GPU stack's coolant-side h over "
        f"{[int(h) for h in DEMO_SWEEP_HTC]} W/m²K: writes demo-sweep.png, demo-sweep.csv",
    )
    demo.add_argument(
        "--flow-sweep",
        action="store_true",
        help=f"also sweep the cold plate's coolant flow over {DEMO_SWEEP_FLOW_LPM} L/min (conjugate, ~20 s a "
        "point): writes demo-flow-sweep-rth.png, demo-flow-sweep-dp.png and demo-flow-sweep.csv",
    )
    demo.add_argument("--workers", type=int, default=None, help="sweep worker processes (default: cores)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(handler=_demo)

    run = sub.add_parser(
        "run",
        help="solve a case file; write .vtu, .png and a JSON summary",
        description="Solve the case a TOML case file describes, print the summary, and write "
        "<case>.vtu (fields), <case>.json (the summary as JSON) and <case>.png next to the "
        "case file (or into --out). A case file with a [transient] table is solved in time "
        "instead: it prints the largest value of each summary metric over the run and writes "
        "<case>.csv (every metric at every output time), <case>.pvd (a ParaView time series), "
        "<case>.json and <case>.png (the hottest region's temperature against time); a run that "
        "fails or is interrupted part-way writes the output times it reached to <case>.partial.csv.",
    )
    run.add_argument("case", help="case file (.toml)")
    run.add_argument("--out", help="output folder (default: the case file's folder)")
    run.add_argument("--threads", type=int, help="solver threads (default: [solver] threads or all cores)")
    run.add_argument("--no-render", action="store_true", help="skip the PNG rendering")
    run.add_argument(
        "--check",
        action="store_true",
        help="check the case (every problem at once, as Case.validate) without solving",
    )
    run.set_defaults(handler=_run)

    sweep = sub.add_parser(
        "sweep",
        help="run the [sweep] of a case file into a resumable Parquet store",
        description="Run the sweep in a case file's [sweep] table. Finished points go to the store "
        "as they complete; running again skips them. Prints the table and writes it as CSV.",
    )
    sweep.add_argument("case", help="case file (.toml) with a [sweep] table")
    sweep.add_argument("--store", help="store folder (default: <case>.sweep.parquet)")
    sweep.add_argument("--workers", type=int, help="local worker processes (default: cores; 0 = in process)")
    sweep.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on a Dask scheduler, e.g. tcp://10.0.0.5:8786"
    )
    sweep.add_argument("--csv", help="table file (default: next to the store)")
    sweep.add_argument(
        "--retry-failed", action="store_true", help="solve points the store records as failed again"
    )
    sweep.add_argument("--strict", action="store_true", help="exit 1 when any point failed")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(handler=_sweep)

    render = sub.add_parser(
        "render",
        help="render a saved result (.vtu) to a PNG",
        description="Render the temperature of a saved result (Result.save / rackflow run) headlessly.",
    )
    render.add_argument("result", help="result file (.vtu from rackflow run or Result.save)")
    render.add_argument("--out", help="PNG file (default: the result's name with .png)")
    render.add_argument(
        "--slice", help="slice normal to x, y or z through the hottest cell, or at a position: z=0.003"
    )
    render.add_argument("--clip", help="clip away the half above a plane: x, y, z or y=0.02")
    render.add_argument(
        "--camera", default="auto", help="auto, iso, xy, xz, yz, -xy, -xz, -yz (default: auto)"
    )
    render.add_argument("--size", type=_size, default=(1200, 800), help="image size WxH (default: 1200x800)")
    render.add_argument("--cmap", default="inferno", help="matplotlib colormap name (default: inferno)")
    render.add_argument("--regions", help="comma-separated regions to show (default: all)")
    render.add_argument("--edges", action="store_true", help="draw cell edges")
    render.set_defaults(handler=_render)

    generators = available_generators()
    mesh = sub.add_parser(
        "mesh",
        help="build a mesh with a parametric generator, or from a CAD file (rackflow mesh step)",
        description="Build a mesh with one of rackflow.meshing's generators; the options of each "
        "generator come from its parameters ('rackflow mesh GENERATOR --help'). 'rackflow mesh step "
        "plate.step ...' meshes a CAD assembly instead.",
    )
    if generators is None:
        mesh.add_argument(
            "generator", help="generator name (needs rackflow.meshing: pip install 'rackflow[mesh]')"
        )
        mesh.add_argument("options", nargs=argparse.REMAINDER, help="generator options")
        mesh.set_defaults(handler=_mesh_unavailable)
    else:
        gen_sub = mesh.add_subparsers(dest="generator", required=True, metavar="GENERATOR")
        for name, function in sorted(generators.items()):
            summary, _ = _numpy_doc(function)
            g = gen_sub.add_parser(
                name,
                help=summary.splitlines()[0] if summary else name,
                description=summary,
                epilog="Lengths are in metres; pairs and triples are comma-separated, e.g. --footprint-m 0.06,0.05.",
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
            g.add_argument("--out", help=f"mesh file to write (default: {name}.msh)")
            _add_generator_options(g, function)
            g.set_defaults(handler=_mesh_generator, generator_function=function)
        _add_step_parser(gen_sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (0 success, 1 bad input or failed solve)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except RackflowError as e:
        if args.debug:
            raise
        problems = getattr(e, "problems", None)
        # one line: a case error's problems joined, like a case file's
        text = (
            f"{len(problems)} problems: " + " | ".join(problems) if problems and len(problems) > 1 else None
        )
        print(f"rackflow: error: {type(e).__name__}: {text or str(e).splitlines()[0]}", file=sys.stderr)
        return 1
    except OSError as e:  # unwritable output folders and the like: say which file
        if args.debug:
            raise
        print(f"rackflow: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rackflow: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
