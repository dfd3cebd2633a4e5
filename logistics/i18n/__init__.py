"""Languages: everything a person reads goes through gettext catalogs, Spanish first.

The people who plan, carry and sign for the gas read Spanish. Messages are written in
English in the code, wrapped in :func:`_` (or :func:`ngettext` for plurals, :func:`N_` to
mark a constant that is translated where it is shown), extracted with Babel into
``logistics/i18n/senkata.pot`` and translated in ``locale/<lang>/LC_MESSAGES/senkata.po``
(``make catalog`` re-extracts and merges). The ``.po`` files are compiled in memory when a
language is first used; nothing compiled is kept in the repository.

The language is a :class:`contextvars.ContextVar`, set per command (``--lang``,
``$SENKATA_LANG``, then the locale) and per app session (the Streamlit script sets it at
the start of each run, in that session's thread), so two desks in two languages on one
server never mix. Work handed to another thread runs in a copy of the caller's context
(:func:`in_this_language`).

Numbers and dates are formatted by Babel for the language (``24.000 garrafas``,
``8 de junio de 2005``). The words are the dispatch desk's, one glossary for every room
(``glossary.csv``: :func:`glossary`; ``tests/i18n`` checks the Spanish catalog against
it). Only ``es`` and ``en`` ship: no Aymara catalog exists that we could check, and a
machine-guessed one would not be a translation.
"""

from __future__ import annotations

import contextvars
import gettext
import io
import locale
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

#: Languages with a catalog (``en`` is the language of the messages themselves).
LANGUAGES: tuple[str, ...] = ("es", "en")
#: The language of the sheets and the app when none is chosen.
DEFAULT_LANGUAGE = "es"
#: Each language named in itself, for a language switch.
LANGUAGE_NAMES: dict[str, str] = {"es": "Español", "en": "English"}
#: The gettext domain.
DOMAIN = "senkata"
#: Where the catalogs live.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The Babel locale used for numbers and dates of each language (Bolivian Spanish).
_FORMAT_LOCALE = {"es": "es_BO", "en": "en"}
#: The one glossary of the dispatch words, English and Spanish (see :func:`glossary`).
GLOSSARY = Path(__file__).resolve().parent / "glossary.csv"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("senkata_lang", default="en")

T = TypeVar("T")


class UnknownLanguageError(ValueError):
    """A language without a catalog was asked for (the CLI names the option it came from)."""


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (the identity for ``en`` or an unknown language)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == "en" or not po.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def current_language() -> str:
    """The language of this command, app session or worker."""
    return _current.get()


def set_language(lang: str) -> None:
    """Make ``lang`` the language of the current context (a command, an app run)."""
    _current.set(check_language(lang))


@contextmanager
def use_language(lang: str) -> Iterator[None]:
    """Run a block in ``lang`` and restore the previous language after it."""
    token = _current.set(check_language(lang))
    try:
        yield
    finally:
        _current.reset(token)


def in_this_language(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` bound to a copy of the caller's context, for a worker thread."""
    ctx = contextvars.copy_context()

    def run(*args: object, **kwargs: object) -> T:
        return ctx.run(fn, *args, **kwargs)

    return run


def check_language(lang: str) -> str:
    """``lang`` if a catalog exists for it (``es_BO`` and ``es-BO`` are ``es``)."""
    short = lang.replace("-", "_").split("_")[0].split(".")[0].lower()
    if short not in LANGUAGES:
        msg = _("expected one of {languages}, got {value}").format(
            languages=", ".join(LANGUAGES), value=repr(lang[:60])
        )
        raise UnknownLanguageError(msg)
    return short


def resolve_language(option: str | None = None, *, default: str = "en") -> str:
    """The language asked for: an option, else ``$SENKATA_LANG``, else the locale, else
    ``default``. Only the option and ``$SENKATA_LANG`` are errors when unknown; a locale
    without a catalog falls back to ``default``."""
    if option:
        return check_language(option)
    env = os.environ.get("SENKATA_LANG")
    if env:
        return check_language(env)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            short = value.split("_")[0].split(".")[0].lower()
            return short if short in LANGUAGES else default
    try:
        loc = locale.getlocale()[0]
    except ValueError:
        loc = None
    if loc:
        short = loc.split("_")[0].lower()
        if short in LANGUAGES:
            return short
    return default


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    return translations(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a constant for extraction; it is translated with :func:`_` where it is shown."""
    return message


def fmt_int(n: int | float) -> str:
    """A whole number with the language's grouping: ``24.000`` (es), ``24,000`` (en)."""
    from babel.numbers import format_decimal

    return str(format_decimal(round(n), locale=_FORMAT_LOCALE[_current.get()]))


def fmt_num(x: float, decimals: int = 1) -> str:
    """A number with ``decimals`` decimals: ``2.675,3`` (es), ``2,675.3`` (en)."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return str(format_decimal(x, format=pattern, locale=_FORMAT_LOCALE[_current.get()]))


def fmt_pct(share: float, decimals: int = 0) -> str:
    """A share (0..1) as a percentage: ``68%`` (as La Paz papers write it, and in en)."""
    from babel.numbers import format_percent

    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    return str(format_percent(share, format=pattern, locale=_FORMAT_LOCALE[_current.get()]))


def glossary() -> list[dict[str, str]]:
    """The glossary rows: ``term_en``, ``term_es``, ``forms_es`` (other accepted Spanish
    forms, ``|``-separated), ``avoid_es`` (words the Spanish must not use),
    ``definition_en`` and ``definition_es``. Every translation uses these words
    (``tests/i18n`` checks it)."""
    import csv

    with GLOSSARY.open(encoding="utf-8", newline="") as fh:
        return [
            {k: (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(line for line in fh if not line.startswith("#"))
        ]


def fmt_date(d: date) -> str:
    """A date in words: ``8 de junio de 2005`` (es), ``June 8, 2005`` (en)."""
    from babel.dates import format_date

    return str(format_date(d, format="long", locale=_FORMAT_LOCALE[_current.get()]))


__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "GLOSSARY",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LOCALE_DIR",
    "N_",
    "UnknownLanguageError",
    "_",
    "check_language",
    "current_language",
    "fmt_date",
    "fmt_int",
    "fmt_num",
    "fmt_pct",
    "glossary",
    "in_this_language",
    "ngettext",
    "resolve_language",
    "set_language",
    "translations",
    "use_language",
]
