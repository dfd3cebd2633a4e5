"""What every `senkata` command shares: the consoles and the user-error wrapper."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from logistics.i18n import N_, _
from logistics.model import InputError, SenkataError

#: ``--data-dir`` as every command takes it
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help=N_("Shared data directory (default ../shared/data or $SENKATA_DATA_DIR)."),
    ),
]

console = Console()
err_console = Console(stderr=True)


def error_line(exc: BaseException) -> str:
    """A user error as the one line the CLI prints after ``error:``.

    The planner's own errors are one line already; an ``OSError`` (a file that cannot be
    read or written) names its file and the system's reason; any other ``ValueError`` (a
    value a file or option held) is squeezed onto one short line.
    """
    from pydantic import ValidationError

    from logistics.i18n import _
    from logistics.model.errors import cut_middle, one_line
    from logistics.model.loading import describe_error

    if isinstance(exc, SenkataError):
        return str(exc)
    if isinstance(exc, OSError):
        name = exc.filename if exc.filename is not None else ""
        msg = _("{file}: cannot read or write the file ({reason})")
        return msg.format(
            file=cut_middle(str(name)), reason=one_line(exc.strerror or type(exc).__name__, 60)
        )
    if isinstance(exc, ValidationError) and exc.errors():
        err = exc.errors(include_url=False)[0]
        path = ".".join(str(p) for p in err.get("loc", ()))
        return one_line(f"{cut_middle(path, 60)}: {describe_error(err)}", 220)
    return one_line(_("invalid value: {detail}").format(detail=str(exc)), 220)


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn user errors into one line on stderr and exit code 2 (no traceback).

    User errors are the planner's own (:class:`~logistics.model.SenkataError`) and the
    ``OSError`` and ``ValueError`` that reading or writing a user's files can raise.
    """

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (SenkataError, OSError, ValueError) as exc:
            line = error_line(exc)
            err_console.print(f"error: {line}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=N_(
            "Ledger URL (sqlite:///file.sqlite, postgresql://user@host/db) or SQLite path; "
            "default $SENKATA_LEDGER_URL, else ledger.sqlite here."
        ),
    ),
]


By = Annotated[
    str | None,
    typer.Option("--by", help=N_("Who records (default $SENKATA_USER or login name).")),
]


Price = Annotated[
    float,
    typer.Option(
        "--price",
        help=N_(
            "Official price per cylinder in Bs (default 22.50: the regulated 2005 price of a "
            "10 kg cylinder, to our knowledge)."
        ),
    ),
]


DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date", help=N_("Date on the delivery sheets, YYYY-MM-DD (default: the scenario's).")
    ),
]


ScenarioOpt = Annotated[
    Path,
    typer.Option("--scenario", "-s", help=N_("The scenario YAML the plan was made from.")),
]


def date_option(value: str | None, scenario: Any) -> str:
    import datetime as dt

    if value is None:
        return scenario.date.isoformat() if scenario.date else ""
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(
            "--date", _("expected YYYY-MM-DD, got {value}").format(value=repr(value))
        ) from None


def plan_and_scenario(plan_file: Path, scenario_file: Path, data: Path | None, *, points: bool):
    """Load the plan, its scenario, the map (and the points); check they belong together
    and that the plan passes the validator (no sheet or dispatch of a broken plan)."""
    from logistics.model import load_scenario, scenario_digest
    from logistics.plan import read_plan, validate_plan

    plan = read_plan(plan_file)
    sc = load_scenario(scenario_file)
    # `senkata plan --time-limit/--seed` change the scenario's solver settings before hashing
    solver = sc.solver.model_copy(
        update={"time_limit_s": plan.solver.time_limit_s, "seed": plan.solver.seed}
    )
    as_planned = sc.model_copy(update={"solver": solver})
    if scenario_digest(as_planned) != plan.scenario_sha256:
        # An edited scenario, or one read by a newer planner: not fatal by itself, since the
        # plan is re-validated against this scenario below, but worth saying.
        console.print(
            _(
                "[yellow]note:[/yellow] {file} differs from the scenario plan {plan_id} was "
                "made from; the plan is re-checked against it"
            ).format(file=scenario_file, plan_id=plan.plan_id())
        )
    with console.status(_("loading the map and checking the plan...")):
        if points:
            from logistics.routing import build_problem

            problem = build_problem(sc, scenario_dir=scenario_file.parent, data=data)
            net, pts = problem.net, problem.points
        else:
            from logistics.roads import load_network

            src = sc.map.source
            path = None if src == "embedded" else Path(src)
            if path is not None and not path.is_absolute():
                path = scenario_file.parent / path
            net, pts = load_network(path, data=data), []
        report = validate_plan(plan, sc, net, data=data)
    if not report.ok:
        for e in report.errors[:20]:
            err_console.print(_("  violation: {rule}").format(rule=e), markup=False, soft_wrap=True)
        err_console.print(
            _("error: {file}: the plan fails validation").format(file=plan_file),
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)
    return plan, sc, net, pts
