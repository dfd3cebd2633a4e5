"""Reading and writing scenario YAML: one bounded, safe parse and field-path errors.

:func:`load_scenario` (a file) and :func:`scenario_from_text` (an upload) read through
:mod:`logistics.model.files` (size limit, UTF-8, the bounded safe YAML loader) and validate
with the models of :mod:`logistics.model.scenario`; any problem becomes an
:class:`~logistics.model.errors.InputError` naming the field path (``fleet[0].capacity``),
what was expected (with the bound, ``expected a number <= 5,000``) and the bad value, cut
short. :func:`scenario_to_yaml` writes YAML that :func:`load_scenario` accepts unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from logistics.i18n import _, fmt_int, fmt_num
from logistics.model.errors import InputError, one_line, show_value
from logistics.model.files import decode_text, label_of, load_yaml, read_bytes
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
            key = one_line(str(part), 40) or repr(part)
            out += f".{key}" if out else key
    return out or "scenario"


def _kind(value: object) -> str:
    """What a value is, in words (for "expected a list, got a number")."""
    kinds: tuple[tuple[type | tuple[type, ...], str], ...] = (
        (bool, _("true/false")),
        ((int, float), _("a number")),
        (str, _("text")),
        (dict, _("a mapping")),
        ((list, tuple), _("a list")),
        (type(None), _("nothing")),
    )
    for types, words in kinds:
        if isinstance(value, types):
            return words
    return _("a value of type {name}").format(name=type(value).__name__)


def _bound(ctx: Mapping[str, Any], key: str) -> str:
    """A bound of a field as the language writes numbers (``10.000.000`` in Spanish)."""
    v = ctx.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float):
        return show_value(v, 30)
    if isinstance(v, int) or v.is_integer():
        return fmt_int(v)
    decimals = min(6, len(repr(v).split(".")[-1]))
    return fmt_num(v, decimals)


def _not_a_number(v: object) -> str:
    if isinstance(v, int) and not isinstance(v, bool):  # an integer too large for a float
        return _("expected a number of a sensible size, got {value}").format(value=show_value(v))
    return _("expected a number, got {kind}").format(kind=_kind(v))


#: pydantic error type -> the message, from the error's ``ctx`` and the bad value.
_MESSAGES: dict[str, Callable[[Mapping[str, Any], object], str]] = {
    "greater_than_equal": lambda c, v: _("expected a number >= {bound}, got {value}").format(
        bound=_bound(c, "ge"), value=show_value(v)
    ),
    "greater_than": lambda c, v: _("expected a number > {bound}, got {value}").format(
        bound=_bound(c, "gt"), value=show_value(v)
    ),
    "less_than_equal": lambda c, v: _("expected a number <= {bound}, got {value}").format(
        bound=_bound(c, "le"), value=show_value(v)
    ),
    "less_than": lambda c, v: _("expected a number < {bound}, got {value}").format(
        bound=_bound(c, "lt"), value=show_value(v)
    ),
    "finite_number": lambda c, v: _("expected a finite number, got {value}").format(
        value=show_value(v)
    ),
    "int_parsing": lambda c, v: _("expected a whole number, got {value}").format(
        value=show_value(v)
    ),
    "int_parsing_size": lambda c, v: _not_a_number(10**400),
    "int_from_float": lambda c, v: _("expected a whole number, got {value}").format(
        value=show_value(v)
    ),
    "int_type": lambda c, v: _("expected a whole number, got {kind}").format(kind=_kind(v)),
    "float_parsing": lambda c, v: _("expected a number, got {value}").format(value=show_value(v)),
    "float_type": lambda c, v: _not_a_number(v),
    "bool_parsing": lambda c, v: _("expected true or false, got {value}").format(
        value=show_value(v)
    ),
    "bool_type": lambda c, v: _("expected true or false, got {kind}").format(kind=_kind(v)),
    "string_type": lambda c, v: _("expected text, got {kind}").format(kind=_kind(v)),
    "string_unicode": lambda c, v: _("expected text, got bytes that are not UTF-8"),
    "string_pattern_mismatch": lambda c, v: _(
        "expected one line of text (no line breaks or control characters), got {value}"
    ).format(value=show_value(v)),
    "string_too_short": lambda c, v: _("expected at least {n} characters").format(
        n=_bound(c, "min_length")
    ),
    "string_too_long": lambda c, v: _("expected at most {n} characters, got {value}").format(
        n=_bound(c, "max_length"), value=show_value(v, 30)
    ),
    "too_short": lambda c, v: _("expected at least {n} entries, got {got}").format(
        n=_bound(c, "min_length"), got=_bound(c, "actual_length")
    ),
    "too_long": lambda c, v: _("expected at most {n} entries, got more").format(
        n=_bound(c, "max_length")
    ),
    "literal_error": lambda c, v: _("expected one of {choices}, got {value}").format(
        choices=one_line(str(c.get("expected", "")), 80), value=show_value(v)
    ),
    "list_type": lambda c, v: _("expected a list, got {kind}").format(kind=_kind(v)),
    "tuple_type": lambda c, v: _("expected a list, got {kind}").format(kind=_kind(v)),
    "dict_type": lambda c, v: _("expected a mapping of fields, got {kind}").format(kind=_kind(v)),
    "model_type": lambda c, v: _("expected a mapping of fields, got {kind}").format(kind=_kind(v)),
    "model_attributes_type": lambda c, v: _("expected a mapping of fields, got {kind}").format(
        kind=_kind(v)
    ),
    "date_type": lambda c, v: _("expected a date as YYYY-MM-DD, got {value}").format(
        value=show_value(v)
    ),
    "date_parsing": lambda c, v: _("expected a date as YYYY-MM-DD, got {value}").format(
        value=show_value(v)
    ),
    "date_from_datetime_parsing": lambda c, v: _(
        "expected a date as YYYY-MM-DD, got {value}"
    ).format(value=show_value(v)),
    "date_from_datetime_inexact": lambda c, v: _(
        "expected a date as YYYY-MM-DD, got {value}"
    ).format(value=show_value(v)),
    "missing": lambda c, v: _("required field is missing"),
    "extra_forbidden": lambda c, v: _(
        "unknown field (check the spelling; see scenarios/senkata-2005-06.yaml)"
    ),
}


def describe_error(err: Mapping[str, Any]) -> str:
    """One pydantic error as the planner says it: what was expected, and the bad value."""
    kind = str(err.get("type", ""))
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind](ctx, err.get("input"))
    if kind in {"value_error", "assertion_error"}:
        # our own validators' messages (already translated where they were raised)
        return one_line(str(ctx.get("error", err.get("msg", ""))))
    msg = one_line(str(err.get("msg", "")), 100)
    return _("not accepted ({code}): {detail}").format(code=kind, detail=msg)


def scenario_from_dict(data: object, *, where: str = "scenario") -> Scenario:
    """Validate a parsed scenario mapping; errors name the field path.

    Raises
    ------
    InputError
        With ``where`` = ``<file>: <field path>``.
    """
    if not isinstance(data, dict):
        msg = _("expected a mapping of sections (name, plants, fleet, ...), got {kind}")
        raise InputError(where, msg.format(kind=_kind(data)))
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        # A misspelt key shows up as "unknown" plus "missing"; the unknown one is the cause.
        errs = exc.errors(include_url=False)
        err = next((e for e in errs if e.get("type") == "extra_forbidden"), errs[0])
        path = _loc(err.get("loc", ()))
        raise InputError(f"{label_of(where)}: {path}", describe_error(err)) from None
    except RecursionError:  # pragma: no cover - the YAML depth limit comes first
        raise InputError(where, _("nested too deeply; expected a plain scenario")) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file.

    Raises
    ------
    InputError
        On a missing, unreadable, oversized or non-UTF-8 file (a device or a directory
        too), malformed YAML or any invalid field; the message is one line naming the file,
        the field path and what was expected.
    """
    expected = _("a scenario YAML file")
    data = read_bytes(path, expected=expected, max_bytes=MAX_SCENARIO_BYTES)
    return scenario_from_text(
        decode_text(data, where=str(path), expected=expected), where=str(path)
    )


def scenario_from_text(text: str, *, where: str = "scenario") -> Scenario:
    """Parse YAML text (safely, within the loader's limits) and validate it as a scenario."""
    if len(text) > MAX_SCENARIO_BYTES or len(text.encode("utf-8", "surrogatepass")) > (
        MAX_SCENARIO_BYTES
    ):
        msg = _("scenario is larger than {limit} bytes").format(limit=fmt_int(MAX_SCENARIO_BYTES))
        raise InputError(where, msg)
    return scenario_from_dict(load_yaml(text, where=where), where=where)


def scenario_to_yaml(scenario: Scenario) -> str:
    """Serialise a scenario back to YAML that :func:`load_scenario` accepts unchanged."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def scenario_digest(scenario: Scenario) -> str:
    """sha256 of the scenario's canonical JSON: the plan records which scenario it implements."""
    data = scenario.model_dump(mode="json")
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
