"""The ``rackflow`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rackflow.errors import RackflowError


def _demo(args: argparse.Namespace) -> int:
    from rackflow import demo

    demo.run(Path(args.out), render=not args.no_render, threads=args.threads)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rackflow",
        description="Liquid-cooling thermal solver for cold plates, servers and racks.",
    )
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="solve the bundled GPU package stack, print the summary, write .vtu and .png",
        description="Solve the bundled GPU package stack (700 W die, TIM, lid, cold-plate base with a "
        "convective coolant side), print the engineering summary and write demo.vtu and demo.png.",
    )
    demo.add_argument("--out", default="rackflow-demo", help="output folder (default: rackflow-demo)")
    demo.add_argument("--no-render", action="store_true", help="skip the PNG rendering")
    demo.add_argument("--threads", type=int, default=None, help="solver threads (default: all cores)")
    demo.set_defaults(handler=_demo)
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
        print(f"rackflow: error: {type(e).__name__}: {str(e).splitlines()[0]}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rackflow: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
