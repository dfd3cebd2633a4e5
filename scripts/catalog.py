"""Re-extract the planner's messages and merge them into every catalog (``make catalog``).

Babel's own ``pybabel update`` rewrites the catalog header from its locale data (for
Spanish, CLDR's three plural forms) and stamps dates into it, so two people who run it get
conflicting headers. This keeps each catalog's header as written (two plural forms for
Spanish, as gettext has them), sorts entries by message, and writes no locations and no
dates: a new message is one new entry, nothing else moves.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "logistics" / "i18n" / "locale"
METHODS = [("logistics/**.py", "python"), ("app.py", "python")]


def template() -> Catalog:
    """Every ``_()``, ``N_()`` and ``ngettext()`` message of the planner and the app."""
    pot = Catalog(project="senkata")
    for fname, lineno, message, comments, context in extract_from_dir(str(ROOT), METHODS):
        if fname.startswith((".venv", "tests", "bench")):
            continue
        pot.add(message, None, [(fname, lineno)], auto_comments=comments, context=context)
    return pot


def merge(po_path: Path, pot: Catalog) -> tuple[int, int]:
    """Merge ``pot`` into one catalog in place; returns (new entries, removed entries)."""
    raw = po_path.read_bytes()
    with po_path.open("rb") as fh:
        cat = read_po(fh)
    before = {m.id for m in cat if m.id}
    cat.update(pot, no_fuzzy_matching=True, update_creation_date=False)
    after = {m.id for m in cat if m.id}
    buf = io.BytesIO()
    write_po(buf, cat, no_location=True, sort_output=True, ignore_obsolete=True, width=76)
    body = buf.getvalue()
    # the header entry as it was (plural forms, language), then the sorted messages
    head = raw.split(b"\n\n", 1)[0].rstrip(b"\n")
    rest = body.split(b"\n\n", 1)[1] if b"\n\n" in body else b""
    po_path.write_bytes(head + b"\n\n" + rest if rest else head + b"\n")
    return len(after - before), len(before - after)


def main() -> int:
    pot = template()
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/senkata.po")):
        new, removed = merge(po, pot)
        print(f"{po.relative_to(ROOT)}: {new} new, {removed} removed, {len(pot)} in the code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
