"""Reading and writing scenario YAML: one bounded, safe parse and field-path errors.

:func:`load_scenario` (a file) and :func:`scenario_from_text` (an upload) parse with
``yaml.safe_load`` and validate with the models of :mod:`logistics.model.scenario`; any
problem becomes an :class:`~logistics.model.errors.InputError` naming the field path
(``fleet[0].capacity``) and what was expected. :func:`scenario_to_yaml` writes YAML that
:func:`load_scenario` accepts unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    ValidationError,
)

from logistics.model.errors import InputError
from logistics.model.scenario import Scenario

#: Largest scenario file we read (the app takes uploads; keep parsing bounded).
MAX_SCENARIO_BYTES = 1_000_000


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # keys come from the user's file: keep the message on one line whatever they hold
            key = " ".join(str(part).split()) or repr(part)
            out += f".{key}" if out else key
    return out or "scenario"


def _describe(err: Mapping[str, Any]) -> str:
    kind = str(err.get("type", ""))
    msg = str(err.get("msg", ""))
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see scenarios/senkata-2005-06.yaml)"
    if kind == "missing":
        return "required field is missing"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    inp = err.get("input")
    if kind in {
        "int_parsing",
        "float_parsing",
        "int_from_float",
        "greater_than_equal",
        "greater_than",
        "less_than_equal",
        "less_than",
        "bool_parsing",
    } and not isinstance(inp, dict | list):
        return f"{msg[0].lower()}{msg[1:]}, got {inp!r}"
    return msg[0].lower() + msg[1:] if msg else kind


def scenario_from_dict(data: object, *, where: str = "scenario") -> Scenario:
    """Validate a parsed scenario mapping; errors name the field path.

    Raises
    ------
    InputError
        With ``where`` = ``<file>: <field path>``.
    """
    if not isinstance(data, dict):
        msg = (
            f"expected a mapping of sections (name, plants, fleet, ...), got {type(data).__name__}"
        )
        raise InputError(where, msg)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        # A misspelt key shows up as "unknown" plus "missing"; the unknown one is the cause.
        errs = sorted(exc.errors(), key=lambda e: e.get("type") != "extra_forbidden")
        err = errs[0]
        path = _loc(err.get("loc", ()))
        raise InputError(f"{where}: {path}", _describe(err)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file.

    Raises
    ------
    InputError
        On a missing/oversized file, malformed YAML or any invalid field; the message is one
        line naming the file, the field path and what was expected.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(str(p), "scenario file not found")
    if p.stat().st_size > MAX_SCENARIO_BYTES:
        raise InputError(str(p), f"file is larger than {MAX_SCENARIO_BYTES} bytes")
    return scenario_from_text(p.read_text(encoding="utf-8"), where=str(p))


def scenario_from_text(text: str, *, where: str = "scenario") -> Scenario:
    """Parse YAML text (safely) and validate it as a scenario."""
    if len(text.encode("utf-8")) > MAX_SCENARIO_BYTES:
        raise InputError(where, f"scenario is larger than {MAX_SCENARIO_BYTES} bytes")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        pos = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(where, f"malformed YAML at {pos}{problem}") from None
    return scenario_from_dict(data, where=where)


def scenario_to_yaml(scenario: Scenario) -> str:
    """Serialise a scenario back to YAML that :func:`load_scenario` accepts unchanged."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def scenario_digest(scenario: Scenario) -> str:
    """sha256 of the scenario's canonical JSON: the plan records which scenario it implements."""
    data = scenario.model_dump(mode="json")
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
