"""Networks from TOML case files (data only; reading never executes code)."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rackflow.coldplate_model import ColdPlateModel
from rackflow.coolants import Coolant
from rackflow.errors import CaseFileError

if TYPE_CHECKING:
    from rackflow.network.builder import Network

EDGE_KINDS = (
    "pipe",
    "duct",
    "loss",
    "contraction",
    "expansion",
    "cold_plate",
    "pump",
    "flow_source",
    "cdu",
)


def _lookup_model(models: dict[str, ColdPlateModel], key: Any, where: str) -> ColdPlateModel:
    if key not in models:
        raise CaseFileError(f"{where}: unknown model {key!r}; defined models: {sorted(models)}")
    return models[key]


def check_keys(method: Any, args: dict[str, Any], where: str, error: type[Exception] = CaseFileError) -> None:
    sig = inspect.signature(method)
    allowed = {
        n
        for n, prm in sig.parameters.items()
        if prm.kind in (prm.KEYWORD_ONLY, prm.POSITIONAL_OR_KEYWORD) and n not in ("cls", "a", "b", "coolant")
    }
    for key in args:
        if key not in allowed:
            raise error(f"{where}: unknown key {key!r}; allowed: {sorted(allowed)}")
    missing = [
        n
        for n, prm in sig.parameters.items()
        if prm.kind == prm.KEYWORD_ONLY and prm.default is inspect.Parameter.empty and n not in args
    ]
    if missing:
        raise error(f"{where}: missing key {missing[0]!r}")


def from_toml(cls: type[Network], path: str | Path) -> Network:
    """Reads a network from TOML (data only; never executes code). See ``docs`` in tests for
    the layout: ``coolant``, ``[models.NAME]`` (points or ``file``), ``[[nodes]]``,
    ``[[pipe]]``, ``[[loss]]``, ``[[cold_plate]]``, ``[[pump]]``, ``[[flow_source]]``,
    ``[[cdu]]``, a ``[rack]`` table for the template, or a ``[line_mesh]`` table (``file``,
    ``length_scale``, ``[line_mesh.components.GROUP]`` as in :meth:`from_line_mesh`, models
    by name). Errors name the key."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise CaseFileError(f"{p}: not valid TOML: {exc}") from None
    known = {"coolant", "name", "models", "nodes", "rack", "line_mesh", *EDGE_KINDS}
    for key in data:
        if key not in known:
            raise CaseFileError(f"{p}: unknown key {key!r}; expected one of {sorted(known)}")
    coolant = data.get("coolant", "PG25")
    if isinstance(coolant, dict):
        try:
            coolant = Coolant(**coolant)
        except TypeError as exc:
            raise CaseFileError(f"{p}: [coolant]: {exc}") from None
    models: dict[str, ColdPlateModel] = {}
    for mname, mdata in data.get("models", {}).items():
        where = f"{p}: models.{mname}"
        if not isinstance(mdata, dict):
            raise CaseFileError(f"{where}: expected a table")
        if "file" in mdata:
            models[mname] = ColdPlateModel.load(p.parent / str(mdata["file"]))
        else:
            try:
                models[mname] = ColdPlateModel.from_points(**mdata)
            except TypeError as exc:
                raise CaseFileError(f"{where}: {exc}") from None
    if "line_mesh" in data:
        lm = data["line_mesh"]
        where = f"{p}: line_mesh"
        if not isinstance(lm, dict) or "file" not in lm:
            raise CaseFileError(f"{where}: expected a table with 'file' (and 'components')")
        extra = sorted(set(lm) - {"file", "components", "length_scale"})
        if extra:
            raise CaseFileError(f"{where}: unknown key {extra[0]!r}; allowed: components, file, length_scale")
        return cls.from_line_mesh(
            p.parent / str(lm["file"]),
            lm.get("components", {}),
            coolant=coolant,
            models=models,
            length_scale=float(lm.get("length_scale", 1.0)),
            name=str(data.get("name", p.stem)),
        )
    if "rack" in data:
        args = dict(data["rack"])
        if "model" in args:
            args["model"] = _lookup_model(models, args["model"], f"{p}: rack.model")
        check_keys(cls.rack, args, f"{p}: rack")
        return cls.rack(coolant=coolant, **args)
    net = cls(coolant, name=str(data.get("name", p.stem)))
    for i, nd in enumerate(data.get("nodes", [])):
        if "name" not in nd:
            raise CaseFileError(f"{p}: nodes[{i}]: missing key 'name'")
        args = {k: v for k, v in nd.items() if k != "name"}
        check_keys(net.node, args, f"{p}: nodes[{i}]")
        net.node(nd["name"], **args)
    for kind in EDGE_KINDS:
        for i, entry in enumerate(data.get(kind, [])):
            where = f"{p}: {kind}[{i}]"
            if not isinstance(entry, dict):
                raise CaseFileError(f"{where}: expected a table")
            args = dict(entry)
            for key in ("from", "to"):
                if key not in args:
                    raise CaseFileError(f"{where}: missing key {key!r}")
            a, b = str(args.pop("from")), str(args.pop("to"))
            if kind == "cold_plate" and "model" in args:
                args["model"] = _lookup_model(models, args["model"], f"{where}.model")
            method = getattr(net, kind)
            check_keys(method, args, where)
            method(a, b, **args)
    return net


__all__ = ["EDGE_KINDS", "check_keys", "from_toml"]
