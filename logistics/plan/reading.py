"""Reading a plan.json from anywhere: it is checked as a file and as a schema first.

The validator re-checks the rules of the mission; before it runs, :func:`read_plan` makes
sure the plan is a plan at all: a regular file of at most :data:`MAX_PLAN_BYTES` (never
``/dev/zero``), UTF-8 JSON, every field in the schema of :mod:`logistics.plan.model` (no
unknown field, no NaN or infinite number, every quantity within its bounds) and trip
numbers that can exist (1, 2, ... rising for each truck). Anything else is one
:class:`~logistics.model.InputError` line naming the file and the field path
(``trucks[3].trips[0].depart``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from logistics.i18n import _, fmt_int
from logistics.model import InputError
from logistics.model.errors import one_line
from logistics.model.files import label_of, read_bytes
from logistics.model.loading import describe_error
from logistics.plan.model import Plan

#: Largest plan.json read (the June 2005 plan is 1 MB; a 1,000-point, 100-truck plan ~10 MB).
MAX_PLAN_BYTES = 50_000_000


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = one_line(str(part), 40)
            out += f".{key}" if out else key
    return out


def _describe(err: Mapping[str, Any]) -> str:
    if err.get("type") == "json_invalid":
        detail = one_line(str((err.get("ctx") or {}).get("error", "")), 100)
        return _(
            "not valid JSON ({detail}); expected a plan.json written by `senkata plan`"
        ).format(detail=detail)
    if err.get("type") == "extra_forbidden":
        return _("unknown field; expected only the fields of a plan.json")
    return describe_error(err)


def check_trip_numbers(plan: Plan, *, where: str = "plan") -> None:
    """Trip numbers of each truck must rise from 1 (0, repeats or a fall are impossible).

    Raises
    ------
    InputError
        Naming the truck and the trip.
    """
    for k, truck in enumerate(plan.trucks):
        prev = 0
        for j, trip in enumerate(truck.trips):
            if trip.trip_no <= prev:
                msg = _("trip number {no} after trip {prev} of truck {truck}; expected 1, 2, 3 ...")
                raise InputError(
                    f"{label_of(where)}: trucks[{k}].trips[{j}].trip_no",
                    msg.format(no=trip.trip_no, prev=prev, truck=one_line(truck.truck_id, 40)),
                )
            prev = trip.trip_no


def plan_from_json(data: bytes | str, *, where: str = "plan") -> Plan:
    """Parse and check the JSON text of a plan (an upload, or a file's bytes).

    Raises
    ------
    InputError
        Invalid JSON, a field outside the schema or its bounds, a non-finite number, an
        impossible trip number.
    """
    if len(data) > MAX_PLAN_BYTES:
        msg = _("plan is larger than {limit} bytes").format(limit=fmt_int(MAX_PLAN_BYTES))
        raise InputError(label_of(where), msg)
    try:
        plan = Plan.model_validate_json(data)
    except ValidationError as exc:
        errs = exc.errors(include_url=False)
        err = next((e for e in errs if e.get("type") == "extra_forbidden"), errs[0])
        path = _path(tuple(err.get("loc", ())))
        place = f"{label_of(where)}: {path}" if path else label_of(where)
        raise InputError(place, _describe(err)) from None
    check_trip_numbers(plan, where=where)
    return plan


def read_plan(path: str | Path) -> Plan:
    """Read and check a plan.json file (see the module docstring).

    Raises
    ------
    InputError
        A missing, unreadable, oversized or special file, or a plan that fails
        :func:`plan_from_json`.
    """
    expected = _("a plan.json written by `senkata plan`")
    data = read_bytes(path, expected=expected, max_bytes=MAX_PLAN_BYTES)
    return plan_from_json(data, where=str(path))
