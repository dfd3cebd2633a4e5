"""The ``senkata`` command in the reader's language: ``--lang`` on every command.

The language is chosen once per run, before anything is parsed or printed: ``--lang``
(anywhere on the command line), else ``$SENKATA_LANG``, else the locale, else English. An
unknown value is one line naming where it came from, exit 2. Help texts are English msgids
marked with :func:`~logistics.i18n.N_` and translated when the help is shown (Typer builds
the commands at import, before the language is known); Typer's own words (``Usage:``,
``Options``, ``[default: ...]``) and its usage errors are given in the same language, the
errors as the house's one line ``error: <where>: <what was expected>``.

Every command group uses :class:`Typer` (a :class:`typer.Typer` whose commands and groups
take ``--lang``). Option names, argument names and values (``--out``, ``max-min``) stay
English: they are the command's interface, like the scenario's YAML keys.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from typing import Annotated, Any

import typer
from typer import rich_utils
from typer.core import TyperCommand, TyperGroup

from logistics import i18n
from logistics.cli.common import err_console
from logistics.i18n import N_, _

try:  # Typer >= 0.2x vendors Click and does not re-export its usage errors
    from typer._click import exceptions as click_exc
except ImportError:  # pragma: no cover - older Typer on the real Click
    import click.exceptions as click_exc  # type: ignore[no-redef]

LANG_HELP = N_(
    "Language of what is printed: es or en (default: $SENKATA_LANG, then the system "
    "locale, then en)."
)

#: ``--lang`` as every command takes it (the value was already read before parsing).
LangOpt = Annotated[str | None, typer.Option("--lang", metavar="es|en", help=LANG_HELP)]

# Typer's own words in the help and errors (translated where shown).
_HELP_OPTION = N_("Show this message and exit.")
_USAGE = N_("Usage:")
_OPTIONS_METAVAR = N_("[OPTIONS]")
_COMMAND_METAVAR = N_("COMMAND [ARGS]...")
_TYPER_WORDS: dict[str, str] = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "ABORTED_TEXT": N_("Aborted."),
}
_DEFAULT_STRING = N_("[default: {value}]")


def _lang_in(args: Sequence[str]) -> str | None:
    """The value of ``--lang`` anywhere before ``--`` (``""`` when it has none)."""
    for k, arg in enumerate(args):
        if arg == "--":
            return None
        if arg == "--lang":
            return args[k + 1] if k + 1 < len(args) else ""
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def choose_language(args: Sequence[str]) -> str:
    """Set the run's language from ``args``, ``$SENKATA_LANG`` and the locale.

    Raises
    ------
    typer.Exit
        Code 2 after one line naming ``--lang`` (or ``SENKATA_LANG``) and the languages.
    """
    option = _lang_in(args) or None
    try:
        lang = i18n.resolve_language(option, default="en")
    except i18n.UnknownLanguageError:
        where = "--lang" if option else "SENKATA_LANG"
        bad = option or os.environ.get("SENKATA_LANG", "")
        try:  # say it in the language the rest of the environment asks for
            i18n.set_language(i18n.resolve_language(None, default="en") if option else "en")
        except i18n.UnknownLanguageError:
            i18n.set_language("en")
        try:
            i18n.check_language(bad)
        except i18n.UnknownLanguageError as exc:
            _print_error(f"{where}: {exc}")
        raise typer.Exit(2) from None
    i18n.set_language(lang)
    return lang


def _print_error(line: str) -> None:
    err_console.print(f"error: {line}", markup=False, highlight=False, soft_wrap=True)


# ------------------------------------------------------------------- help texts
@contextmanager
def _translated(cmd: Any, ctx: Any) -> Iterator[None]:
    """Show ``cmd``'s help (and its subcommands' short help) in the current language."""
    saved: list[tuple[Any, str, Any]] = []

    def put(obj: Any, attr: str, value: Any) -> None:
        saved.append((obj, attr, getattr(obj, attr)))
        setattr(obj, attr, value)

    def tr(text: str | None) -> str | None:
        return _(inspect.cleandoc(text)) if text else text

    for obj in [cmd, *getattr(cmd, "commands", {}).values()]:
        put(obj, "help", tr(obj.help))
        put(obj, "short_help", tr(obj.short_help))
    for param in cmd.get_params(ctx):
        if getattr(param, "help", None):
            put(param, "help", tr(param.help))
    if cmd.options_metavar:
        put(cmd, "options_metavar", _(_OPTIONS_METAVAR))
    if getattr(cmd, "subcommand_metavar", None):
        put(cmd, "subcommand_metavar", _(_COMMAND_METAVAR))
    for name, msgid in _TYPER_WORDS.items():
        put(rich_utils, name, _(msgid))
    put(rich_utils, "DEFAULT_STRING", _(_DEFAULT_STRING).replace("{value}", "{}"))
    try:
        yield
    finally:
        for obj, attr, value in reversed(saved):
            setattr(obj, attr, value)


# ------------------------------------------------------------------ usage errors
#: Typer's (Pydantic's) words for a bad option value -> ours.
_BAD_VALUE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"valid integer"), N_("expected a whole number")),
    (re.compile(r"valid number"), N_("expected a number")),
    (re.compile(r"valid boolean"), N_("expected yes or no (true/false)")),
    (re.compile(r"greater than or equal to (?P<n>\S+)"), N_("expected a number >= {n}")),
    (re.compile(r"greater than (?P<n>\S+)"), N_("expected a number > {n}")),
    (re.compile(r"less than or equal to (?P<n>\S+)"), N_("expected a number <= {n}")),
]


def _hint(exc: Any) -> str:
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint is None and param is not None:
        opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
        hint = opts[0] if opts else param.name
    if isinstance(hint, (list, tuple)):
        hint = hint[0] if hint else ""
    return str(hint or "").strip("'\"")


def _param_error(exc: Any) -> str | None:
    """``<where>: <what>`` of an error about one option or argument, else None."""
    msg = str(getattr(exc, "message", exc))
    if isinstance(exc, click_exc.NoSuchOption):
        what = _("no such option; expected one of the options in --help")
        if exc.possibilities:
            what = _("no such option; did you mean {options}?").format(
                options=", ".join(sorted(exc.possibilities))
            )
        return f"{exc.option_name}: {what}"
    if isinstance(exc, click_exc.MissingParameter):
        return f"{_hint(exc)}: " + _("missing; expected a value (see --help)")
    if isinstance(exc, click_exc.BadOptionUsage):
        return f"{exc.option_name}: " + _("expected a value after the option")
    if isinstance(exc, click_exc.BadParameter):
        what = msg
        for pattern, msgid in _BAD_VALUE:
            m = pattern.search(msg)
            if m:
                what = _(msgid).format(**m.groupdict())
                break
        return f"{_hint(exc)}: {what}"
    return None


def usage_error_line(exc: Any) -> str:
    """``<where>: <what was expected>`` for one of Typer's usage errors."""
    line = _param_error(exc)
    if line is not None:
        return line
    msg = str(getattr(exc, "message", exc))
    if m := re.match(r"No such command '(?P<name>.*)'\.", msg):
        ctx = getattr(exc, "ctx", None)
        names = ", ".join(ctx.command.commands) if ctx is not None else ""
        what = _("no such command; expected one of {commands}").format(commands=names)
        return f"{m['name']}: {what}"
    if m := re.match(r"Got unexpected extra arguments? \((?P<extra>.*)\)", msg):
        return f"{m['extra']}: " + _("one argument too many; expected the options in --help")
    if msg.startswith("Missing command"):
        return _("missing command; expected one of the commands in --help")
    return msg


@contextmanager
def _one_line_usage_errors() -> Iterator[None]:
    try:
        yield
    except click_exc.NoArgsIsHelpError:
        raise
    except click_exc.UsageError as exc:
        _print_error(usage_error_line(exc))
        raise typer.Exit(2) from None


class _ReadsLang:
    """Mixin: the top-level context reads ``--lang`` first; usage errors are one line."""

    def make_context(self, info_name: Any, args: Any, parent: Any = None, **extra: Any) -> Any:
        if parent is None:
            choose_language(args)
        with _one_line_usage_errors():
            return super().make_context(info_name, args, parent=parent, **extra)  # type: ignore[misc]


class LangCommand(_ReadsLang, TyperCommand):
    """A command that reads ``--lang`` first, shows its help translated and gives usage
    errors as one translated line."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), _(_USAGE) + " ")

    def format_help(self, ctx: Any, formatter: Any) -> None:
        with _translated(self, ctx):
            super().format_help(ctx, formatter)


class LangGroup(_ReadsLang, TyperGroup):
    """A command group with the same language handling as :class:`LangCommand`."""

    def resolve_command(self, ctx: Any, args: Any) -> Any:
        with _one_line_usage_errors():
            return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        with _one_line_usage_errors():
            return super().invoke(ctx)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), _(_USAGE) + " ")

    def format_help(self, ctx: Any, formatter: Any) -> None:
        with _translated(self, ctx):
            super().format_help(ctx, formatter)


def _with_lang(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with a ``--lang`` option added to what Typer reads (the value is dropped:
    :func:`choose_language` read it before parsing). A command that declares its own
    ``lang`` parameter (the sheets' language, default ``es``) keeps it."""
    sig = inspect.signature(fn, eval_str=True)
    if "lang" in sig.parameters:
        return fn

    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        kwargs.pop("lang", None)
        return fn(*args, **kwargs)

    lang = inspect.Parameter(
        "lang", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=LangOpt
    )
    params = [p for p in sig.parameters.values() if p.name != "lang"]
    run.__signature__ = sig.replace(parameters=[*params, lang])  # type: ignore[attr-defined]
    run.__annotations__ = {**{p.name: p.annotation for p in params}, "lang": LangOpt}
    return run


def _group_callback(lang: LangOpt = None) -> None:
    # A group's own option is only --lang (no docstring: Typer would show it as help).
    return None


class Typer(typer.Typer):
    """:class:`typer.Typer` whose commands and groups take ``--lang`` and speak it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", LangGroup)
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("pretty_exceptions_enable", False)
        kwargs.setdefault("callback", _group_callback)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", LangCommand)
        register = super().command(name, **kwargs)

        def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
            register(_with_lang(fn))
            return fn

        return decorator


__all__ = [
    "LANG_HELP",
    "LangCommand",
    "LangGroup",
    "LangOpt",
    "Typer",
    "choose_language",
    "usage_error_line",
]
