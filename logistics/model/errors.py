"""Errors that reach the user as one clear line.

Every error the planner raises for bad input names *where* the problem is (a field path
such as ``blockades[2].radius_m`` or a file name) and *what was expected*, so the CLI can
print it on one line and exit with code 2, and the app can show it next to the field.

Whatever a user's file holds, the line stays one line of at most :data:`MAX_LINE_CHARS`
characters: control characters and line breaks become spaces, the place is cut in the middle
to :data:`MAX_WHERE_CHARS` (a long path keeps its file name and field), the message at its
end, and a bad value is shown with at most :data:`VALUE_CHARS` characters
(:func:`show_value`).
"""

from __future__ import annotations

import re

#: Longest error line (``where: message``).
MAX_LINE_CHARS = 200
#: Longest place (file name, field path) kept in an error line.
MAX_WHERE_CHARS = 100
#: Longest message kept in an error line (less when the place is long).
MAX_MESSAGE_CHARS = 160
#: Longest bad value quoted in a message.
VALUE_CHARS = 60

_SPACES = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def _flat(text: object) -> str:
    flat = _SPACES.sub(" ", str(text)).strip()
    # a lone surrogate (from a YAML escape such as "\ud800") cannot be printed or encoded
    return flat.encode("utf-8", "backslashreplace").decode("utf-8")


def one_line(text: object, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` on one line (any run of white space or control characters is one space),
    cut to ``limit`` characters with an ellipsis."""
    flat = _flat(text)
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def cut_middle(text: object, limit: int = MAX_WHERE_CHARS) -> str:
    """``text`` on one line, cut in the middle: the start and the end (a file name, a field
    path) stay readable."""
    flat = _flat(text)
    if len(flat) <= limit:
        return flat
    head = (limit - 1) // 2
    return flat[:head] + "…" + flat[len(flat) - (limit - 1 - head) :]


def show_value(value: object, limit: int = VALUE_CHARS) -> str:
    """A bad value as a message quotes it: ``repr`` on one line, at most ``limit`` chars.

    Mappings and lists are named, not printed; a huge integer is described by its number of
    digits (printing it may itself fail: Python limits int-to-text conversion).
    """
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() > 200:
            return f"<{int(value.bit_length() * 0.30103) + 1} digits>"
        text = repr(value)
    elif isinstance(value, dict):
        return "{…}"
    elif isinstance(value, list | tuple | set | frozenset):
        return "[…]"
    elif isinstance(value, str | bytes | float):
        text = repr(value[: limit + 1] if isinstance(value, str | bytes) else value)
    else:
        text = f"<{type(value).__name__}>"
    return one_line(text, limit)


class SenkataError(Exception):
    """Base class of all errors meant for the user (not for programming bugs).

    The message is kept on one line of at most :data:`MAX_LINE_CHARS` characters.
    """

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            args = (one_line(args[0], MAX_LINE_CHARS), *args[1:])
        super().__init__(*args)


class InputError(SenkataError):
    """Bad input: a scenario field, a file, an option.

    Parameters
    ----------
    where
        Field path (``fleet[0].capacity``) or file name the problem is in.
    message
        What is wrong and what was expected.
    """

    def __init__(self, where: str, message: str) -> None:
        self.where = cut_middle(where)
        room = MAX_LINE_CHARS - len(self.where) - 2 if self.where else MAX_LINE_CHARS
        self.message = one_line(message, min(MAX_MESSAGE_CHARS, room))
        super().__init__(f"{self.where}: {self.message}" if self.where else self.message)


class MapSourceError(SenkataError):
    """A road map could not be read or downloaded (missing file, bad format, offline)."""


class PlanInfeasibleError(SenkataError):
    """The scenario is valid but no plan can exist (e.g. the plant is sealed in)."""
