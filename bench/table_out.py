"""One way for the benchmarks to emit a markdown table: print it, and write it if asked."""

from __future__ import annotations

from pathlib import Path


def emit_table(head: str, rows: list[str], out: Path | None) -> str:
    """Join ``head`` and ``rows`` into markdown, write it to ``out`` if given, print it."""
    text = head + "\n" + "\n".join(rows) + "\n"
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    print(text)
    return text
