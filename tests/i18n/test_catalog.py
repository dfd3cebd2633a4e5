"""The catalogs are complete and the language layer formats as each language writes.

Every message the code wraps in ``_()``, ``N_()`` or ``ngettext()`` must be in the Spanish
catalog with a translation (not fuzzy), and keep the same ``{placeholders}``; a message
added to the code without a translation fails here (``make catalog`` merges new ones).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from logistics import i18n
from logistics.i18n import _, fmt_date, fmt_int, fmt_num, use_language

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("logistics/**.py", "python"), ("app.py", "python")]
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*(?:![rsa])?(?::[^}]*)?\}")


def _extracted() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for fname, _lineno, message, _comments, _ctx in extract_from_dir(str(ROOT), METHODS):
        if "/.venv/" in f"/{fname}" or fname.startswith(("tests", "bench", ".")):
            continue
        ids = message if isinstance(message, tuple) else (message,)
        out[ids[0]] = tuple(i for i in ids if i)
    return out


def _catalog(lang: str):
    path = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def test_every_message_of_the_code_has_a_spanish_translation():
    code = _extracted()
    cat = _catalog("es")
    missing, untranslated, fuzzy, placeholders = [], [], [], []
    for msgid, forms in code.items():
        m = cat.get(msgid)
        if m is None:
            missing.append(msgid)
            continue
        strs = m.string if isinstance(m.string, tuple) else (m.string,)
        if not all(strs):
            untranslated.append(msgid)
        if m.fuzzy:
            fuzzy.append(msgid)
        want = {p for f in forms for p in PLACEHOLDER.findall(f)}
        for s in strs:
            if s and {p for p in PLACEHOLDER.findall(s)} != want:
                placeholders.append((msgid, s))
    assert missing == [], "run `make catalog` and translate"
    assert untranslated == []
    assert fuzzy == []
    assert placeholders == []


def test_the_catalog_holds_only_messages_of_the_code():
    code = _extracted()
    stale = [
        m.id
        for m in _catalog("es")
        if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id) not in code
    ]
    assert stale == []


def test_numbers_and_dates_as_each_language_writes_them():
    with use_language("es"):
        assert fmt_int(24000) == "24.000"
        assert fmt_num(2675.34, 1) == "2.675,3"
        assert fmt_date(dt.date(2005, 6, 8)) == "8 de junio de 2005"
    with use_language("en"):
        assert fmt_int(24000) == "24,000"
        assert fmt_date(dt.date(2005, 6, 8)) == "June 8, 2005"


def test_language_is_per_context_and_follows_a_worker_thread():
    seen: dict[str, str] = {}
    with use_language("es"):
        work = i18n.in_this_language(lambda: seen.setdefault("worker", i18n.current_language()))
    with use_language("en"):
        t = threading.Thread(target=work)
        t.start()
        t.join()
        assert i18n.current_language() == "en"
    assert seen["worker"] == "es"


def test_language_resolution_option_then_env_then_locale(monkeypatch):
    for var in ("SENKATA_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "es_BO.UTF-8")
    assert i18n.resolve_language() == "es"
    monkeypatch.setenv("SENKATA_LANG", "en")
    assert i18n.resolve_language() == "en"
    assert i18n.resolve_language("es-BO") == "es"
    monkeypatch.setenv("LANG", "ay_BO.UTF-8")  # no Aymara catalog: the default, no guess
    monkeypatch.delenv("SENKATA_LANG")
    assert i18n.resolve_language(default="en") == "en"
    with pytest.raises(i18n.UnknownLanguageError, match="expected one of es, en, got 'ay'"):
        i18n.resolve_language("ay")


def test_unknown_message_passes_through_untranslated():
    with use_language("es"):
        assert _("a message nobody wrote") == "a message nobody wrote"


#: What is code, not words, in a message: options, quoted or backticked names, YAML key
#: paths, column lists (``truck,trip,point_id``), environment variables, Rich markup.
CODE = re.compile(r"--[a-z-]+|'[^']*'|`[^`]*`|\$[A-Z_]+|\b[a-z_]+(?:[.,][a-z_]+)+\b|\[/?[a-z ]+\]")


def _words(text: str) -> str:
    """A message's words: without ``{placeholders}`` and code, lower case."""
    return CODE.sub(" ", PLACEHOLDER.sub(" ", text)).lower()


def _glossary_problems(messages) -> tuple[list, list]:
    """(msgids whose translation lacks the glossary's term, translations using an avoided
    word) among ``messages`` (Babel catalog messages)."""
    wrong, avoided = [], []
    for row in i18n.glossary():
        term = re.compile(rf"\b{re.escape(row['term_en'])}(?:s|es)?\b", re.IGNORECASE)
        accepted = [row["term_es"], *filter(None, row["forms_es"].split("|"))]
        avoid = [w for w in row["avoid_es"].split("|") if w]
        for m in messages:
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            strs = m.string if isinstance(m.string, tuple) else (m.string,)
            if any(term.search(_words(i)) for i in ids):
                wrong += [
                    (row["term_en"], ids[0], s)
                    for s in strs
                    if not any(a.lower() in _words(s) for a in accepted)
                ]
            avoided += [
                (w, s) for s in strs for w in avoid if re.search(rf"\b{re.escape(w)}\b", _words(s))
            ]
    return wrong, avoided


def test_the_spanish_uses_the_glossary_wherever_the_english_uses_its_term():
    """Every msgid with a glossary term (``cylinder``) has the Spanish term in its
    translation (``garrafa``), and no translation uses a word the glossary avoids
    (``cilindro``)."""
    assert {r["term_es"] for r in i18n.glossary()} >= {
        "garrafa", "punto de distribución", "comisión de control", "delegado de junta vecinal",
        "trabajador de planta", "bloqueo cerrado", "bloqueo con paso controlado", "viaje", "cupo",
    }  # fmt: skip
    wrong, avoided = _glossary_problems([m for m in _catalog("es") if m.id])
    assert wrong == []
    assert avoided == []


def test_the_glossary_check_catches_a_wrong_word():
    """ "cilindro" for "cylinder", and a delegate without the junta, are both caught."""
    from babel.messages.catalog import Message

    bad = [
        Message("{n} cylinders delivered", "{n} cilindros entregados"),
        Message("junta delegate", "delegado"),
        Message("Show trips", "Mostrar los viajes"),  # right: not reported
    ]
    wrong, avoided = _glossary_problems(bad)
    assert [(t, i) for t, i, _s in wrong] == [
        ("cylinder", "{n} cylinders delivered"),
        ("junta delegate", "junta delegate"),
    ]
    assert avoided == [("cilindros", "{n} cilindros entregados")]
