"""Regenerate ``golden.json`` from the current build: ``python tests/regression/update.py [case ...]``.

Commit the new file on its own, saying why the numbers changed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import CASES  # noqa: E402

GOLDEN = HERE / "golden.json"


def main(names: list[str]) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=HERE, check=True
    ).stdout.strip()
    golden = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {"cases": {}}
    for name in names or list(CASES):
        builder, _ = CASES[name]
        print(f"{name} ...", flush=True)
        golden["cases"][name] = {"commit": commit, "numbers": builder()}
    GOLDEN.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main(sys.argv[1:])
