"""The one boundary for files a user hands the planner.

Every file read from a user (scenario YAML, plan JSON, progress CSV, filled sheets, map
files, uploads in the app) comes through here first:

* :func:`regular_file` — the name is not absurdly long, the file exists, and it is a
  regular file of an accepted type: never a directory, device (``/dev/zero``), FIFO or
  socket, so reading it can neither hang nor run forever;
* :func:`read_bytes` / :func:`read_text` — at most ``max_bytes`` are read (one byte more
  tells the file is too large), text must be UTF-8;
* :func:`load_yaml` — a safe YAML loader with limits on nesting depth, aliases, the size a
  document expands to through its aliases and the length of one scalar; every PyYAML error
  and every error of its constructors (``!!bool maybe``, month 13, a 5,000-digit integer,
  ``!!float x``) becomes an :class:`InputError` with line and column.

Every ``OSError`` and decoding error becomes one :class:`InputError` line naming the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from logistics.i18n import _, fmt_int
from logistics.model.errors import InputError, cut_middle, one_line, show_value

#: Longest file name (whole path) accepted.
MAX_PATH_CHARS = 1024
#: Nesting of YAML collections deeper than this is refused (a scenario needs about 6).
MAX_YAML_DEPTH = 32
#: YAML aliases (``*name``) allowed in one document.
MAX_YAML_ALIASES = 100
#: Values (scalars and collections) a YAML document may expand to, aliases followed.
MAX_YAML_NODES = 200_000
#: Longest single YAML scalar (characters).
MAX_YAML_SCALAR = 10_000


def label_of(path: str | Path) -> str:
    """A file name as error lines show it (one line, cut in the middle when long)."""
    return cut_middle(str(path))


def _reason(exc: OSError) -> str:
    return one_line(exc.strerror or type(exc).__name__, 60)


def regular_file(
    path: str | Path, *, expected: str, suffixes: tuple[str, ...] | None = None
) -> Path:
    """``path`` if it names an existing regular file of an accepted type.

    Parameters
    ----------
    expected
        What the file should be, as a phrase for the message (``_("a scenario YAML file")``).
    suffixes
        Accepted endings of the file name (lower case, ``(".csv", ".xlsx")``); any when None.

    Raises
    ------
    InputError
        A name longer than :data:`MAX_PATH_CHARS`, a missing or unreadable file, a
        directory, a device, FIFO or socket, or an unaccepted type.
    """
    text = str(path)
    where = label_of(text)
    if len(text) > MAX_PATH_CHARS:
        msg = _("file name is {n} characters long; expected at most {limit}")
        raise InputError(where, msg.format(n=fmt_int(len(text)), limit=fmt_int(MAX_PATH_CHARS)))
    if "\x00" in text:
        raise InputError(
            where,
            _("file name contains a NUL character; expected {expected}").format(expected=expected),
        )
    p = Path(text)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError(
            where, _("file not found; expected {expected}").format(expected=expected)
        ) from None
    except OSError as exc:
        msg = _("cannot read the file ({reason}); expected {expected}")
        raise InputError(where, msg.format(reason=_reason(exc), expected=expected)) from None
    if stat.S_ISDIR(st.st_mode):
        msg = _("is a directory; expected {expected}")
        raise InputError(where, msg.format(expected=expected))
    if not stat.S_ISREG(st.st_mode):
        msg = _("is not a regular file (a device, pipe or socket); expected {expected}")
        raise InputError(where, msg.format(expected=expected))
    if suffixes is not None and not p.name.lower().endswith(suffixes):
        msg = _("unsupported file type {suffix}; expected {expected}")
        raise InputError(where, msg.format(suffix=show_value(p.suffix), expected=expected))
    return p


def read_bytes(
    path: str | Path,
    *,
    expected: str,
    max_bytes: int,
    suffixes: tuple[str, ...] | None = None,
) -> bytes:
    """The bytes of a user's file, at most ``max_bytes`` of them.

    Raises
    ------
    InputError
        As :func:`regular_file`, or a file larger than ``max_bytes``.
    """
    p = regular_file(path, expected=expected, suffixes=suffixes)
    where = label_of(path)
    try:
        # O_NONBLOCK: should the file have been swapped for a FIFO since the check, opening
        # it does not wait for a writer; fstat below refuses it.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                msg = _("is not a regular file (a device, pipe or socket); expected {expected}")
                raise InputError(where, msg.format(expected=expected))
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        msg = _("cannot read the file ({reason}); expected {expected}")
        raise InputError(where, msg.format(reason=_reason(exc), expected=expected)) from None
    if len(data) > max_bytes:
        msg = _("file is larger than {limit} bytes; expected {expected}")
        raise InputError(where, msg.format(limit=fmt_int(max_bytes), expected=expected))
    return data


def decode_text(data: bytes, *, where: str, expected: str) -> str:
    """UTF-8 text (a leading byte-order mark is dropped).

    Raises
    ------
    InputError
        Bytes that are not UTF-8, naming the first bad byte and its position.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = _("not UTF-8 text (byte 0x{byte} at position {pos}); expected {expected}")
        byte = f"{data[exc.start]:02x}"
        raise InputError(
            label_of(where), msg.format(byte=byte, pos=fmt_int(exc.start), expected=expected)
        ) from None


def read_text(
    path: str | Path,
    *,
    expected: str,
    max_bytes: int,
    suffixes: tuple[str, ...] | None = None,
) -> str:
    """The UTF-8 text of a user's file (see :func:`read_bytes`, :func:`decode_text`)."""
    data = read_bytes(path, expected=expected, max_bytes=max_bytes, suffixes=suffixes)
    return decode_text(data, where=str(path), expected=expected)


# ------------------------------------------------------------------------------ YAML
class _Limit(yaml.MarkedYAMLError):
    """A document over one of the loader's limits (reported like a syntax error)."""


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with limits on depth, aliases, expansion and scalar length,
    and with every constructor failure reported at its node's line and column."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def _peek(self) -> Any:
        return self.peek_event()  # type: ignore[no-untyped-call]

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                problem = _("more than {limit} aliases (*name)").format(
                    limit=fmt_int(MAX_YAML_ALIASES)
                )
                raise _Limit(problem=problem, problem_mark=self._peek().start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                problem = _("nested deeper than {limit} levels").format(limit=MAX_YAML_DEPTH)
                raise _Limit(problem=problem, problem_mark=self._peek().start_mark)
            if self.check_event(yaml.ScalarEvent):
                event = self._peek()
                if len(event.value) > MAX_YAML_SCALAR:
                    problem = _("a value of {n} characters; expected at most {limit}").format(
                        n=fmt_int(len(event.value)), limit=fmt_int(MAX_YAML_SCALAR)
                    )
                    raise _Limit(problem=problem, problem_mark=event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, KeyError, TypeError, OverflowError, AttributeError):
            # PyYAML's own constructors: !!bool maybe (KeyError), month 13, !!float x, a
            # 5,000-digit integer (ValueError) ...
            tag = str(node.tag).rsplit(":", 1)[-1]
            value = node.value if isinstance(node.value, str) else ""
            problem = _("{value} is not a valid {tag}").format(value=show_value(value), tag=tag)
            raise _Limit(problem=problem, problem_mark=node.start_mark) from None


def _expanded_size(root: yaml.Node) -> int:
    """How many values the document holds with every alias expanded (a DAG walk; the
    depth is already bounded by the composer)."""
    memo: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key not in memo:
            memo[key] = 1  # a cycle (an alias to an enclosing node) counts once, then stops
            total = 1
            if isinstance(node, yaml.SequenceNode):
                total += sum(size(n) for n in node.value)
            elif isinstance(node, yaml.MappingNode):
                total += sum(size(k) + size(v) for k, v in node.value)
            memo[key] = min(total, MAX_YAML_NODES + 1)
        return memo[key]

    return size(root)


def load_yaml(text: str, *, where: str) -> Any:
    """Parse one YAML document safely and within the limits above.

    Raises
    ------
    InputError
        Malformed YAML, a document over a limit, or a value PyYAML cannot construct,
        with its line and column.
    """
    loader: BoundedLoader | None = None
    try:
        loader = BoundedLoader(text)  # the reader checks every character here
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node) > MAX_YAML_NODES:
            msg = _(
                "the document expands to more than {limit} values through its aliases; "
                "expected a plain scenario"
            )
            raise InputError(label_of(where), msg.format(limit=fmt_int(MAX_YAML_NODES)))
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = one_line(exc.problem or exc.context or type(exc).__name__, 80)
        if mark is None:
            raise InputError(
                label_of(where), _("malformed YAML: {problem}").format(problem=problem)
            ) from None
        msg = _("malformed YAML at line {line}, column {column}: {problem}")
        raise InputError(
            label_of(where), msg.format(line=mark.line + 1, column=mark.column + 1, problem=problem)
        ) from None
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        position = getattr(exc, "position", None)
        character = getattr(exc, "character", None)
        if position is not None:
            code = ord(character) if isinstance(character, str) else int(character or 0)
            msg = _("malformed YAML: character {char} at position {pos} is not allowed")
            raise InputError(
                label_of(where), msg.format(char=f"#x{code:04x}", pos=fmt_int(int(position)))
            ) from None
        problem = one_line(str(exc), 80)
        raise InputError(
            label_of(where), _("malformed YAML: {problem}").format(problem=problem)
        ) from None
    except RecursionError:  # pragma: no cover - the depth limit comes first
        msg = _("nested deeper than {limit} levels").format(limit=MAX_YAML_DEPTH)
        raise InputError(label_of(where), msg) from None
    finally:
        if loader is not None:
            loader.dispose()
