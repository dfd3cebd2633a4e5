"""The property-based tests' harness: a sandboxed reader, the property, the profiles.

Every reader of a user's file is run by :class:`Sandbox` in a forked child process (it
inherits the loaded map and plans), with its address space capped (``RLIMIT_AS``): a
reader that allocates without bound gets a ``MemoryError`` in the child instead of taking
the machine down. The parent waits at most ``timeout_s`` per example: a reader that hangs
is killed and reported. For each example the child reports what happened, the CPU time it
took (``time.process_time``: the bound is on the reader's work, so that a machine shared with
other jobs does not fail it; a reader stuck waiting is caught by ``timeout_s`` in wall time)
and its peak resident memory (``ru_maxrss``).

The property (:meth:`Sandbox.check`): the reader either returns a result, or raises the
project's error (:class:`~logistics.model.SenkataError`) whose message is one line of at
most :data:`MAX_LINE` characters; never any other exception, never over the time bound,
never over :data:`MAX_RSS` of memory.

Profiles (``hypothesis.settings``): :data:`FAST` (a few hundred examples per reader, every
test run) and :data:`SAMPLED` (fewer, for the costly properties that also validate a plan or
record a sheet). ``tests/test_hostile_profile.py`` (slow, run by ``make test``) runs the
same properties with 10,000 examples per reader, split over two processes with fixed seeds
(one per core). Without ``SENKATA_FUZZ_SEED`` the runs are derandomised: the same examples
every time.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import resource
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

#: Longest error line accepted ("one clear line").
MAX_LINE = 200
#: Peak resident memory of the reader's process accepted (the whole process, map included).
MAX_RSS = 2 * 1024**3
#: Address space the child may add on top of what it has when forked.
EXTRA_ADDRESS_SPACE = 3 * 1024**3

_SEED = os.environ.get("SENKATA_FUZZ_SEED", "")
_COMMON: dict[str, Any] = {
    "deadline": None,  # the sandbox bounds the time (and counts it per example)
    "database": None,  # failing examples are kept as regular tests, not in .hypothesis/
    "derandomize": _SEED == "",
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
    "print_blob": True,
}
#: Every test run: a few hundred examples per reader (``$SENKATA_FUZZ_FAST`` to change).
FAST = settings(max_examples=int(os.environ.get("SENKATA_FUZZ_FAST", "200")), **_COMMON)
#: The costly properties (validate the plan read, record the sheet read).
SAMPLED = settings(max_examples=int(os.environ.get("SENKATA_FUZZ_SAMPLED", "50")), **_COMMON)


@dataclass(frozen=True)
class Outcome:
    """What one example did in the sandbox."""

    kind: str  # "ok", "user" (the project's error), "crash", "memory", "hang"
    detail: str
    seconds: float  # CPU seconds of the reader (wall seconds for a hang)
    peak_rss: int


_WORKDIR: Path | None = None


def workfile(name: str, data: bytes) -> Path:
    """Write ``data`` to a file ``name`` in this process's scratch folder (a short path)."""
    global _WORKDIR  # noqa: PLW0603 - one scratch folder per sandbox child
    if _WORKDIR is None or not _WORKDIR.is_dir():
        _WORKDIR = Path(tempfile.mkdtemp(prefix="fz-", dir="/tmp"))
    path = _WORKDIR / name
    path.write_bytes(data)
    return path


def _vsz() -> int:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[0]) * resource.getpagesize()


def _child(conn: Any, extra: int) -> None:
    from logistics.model import SenkataError

    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (_vsz() + extra, hard))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        fn, args = job
        t0 = time.process_time()
        try:
            result = fn(*args)
            out = ("ok", "" if result is None else str(result)[:500])
        except SenkataError as exc:
            out = ("user", str(exc))
        except MemoryError:
            out = ("memory", traceback.format_exc()[-3000:])
        except BaseException:  # the property: nothing else may escape a reader
            out = ("crash", traceback.format_exc()[-3000:])
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        conn.send((*out, time.process_time() - t0, peak))


class Sandbox:
    """A forked child that runs readers on examples, bounded in memory and time."""

    def __init__(self, *, timeout_s: float = 30.0) -> None:
        self.timeout_s = timeout_s
        self._proc: Any = None
        self._conn: Any = None
        self.examples = 0
        self.kinds: dict[str, int] = {}
        self.max_seconds = 0.0
        self.max_rss = 0
        self.total_seconds = 0.0

    def _start(self) -> None:
        ctx = mp.get_context("fork")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_child, args=(child, EXTRA_ADDRESS_SPACE), daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent

    def __enter__(self) -> Sandbox:
        self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._proc is None:
            return
        with contextlib.suppress(BrokenPipeError, OSError):
            self._conn.send(None)
        self._proc.join(5)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(5)
        self._proc = None

    def run(self, fn: Callable[..., Any], *args: Any) -> Outcome:
        """Run ``fn(*args)`` in the child; a child that dies or hangs is restarted."""
        if self._proc is None or not self._proc.is_alive():
            self._start()
        t0 = time.perf_counter()
        self._conn.send((fn, args))
        if not self._conn.poll(self.timeout_s):
            self._proc.kill()
            self._proc.join(5)
            self._proc = None
            out = Outcome("hang", f"no answer in {self.timeout_s:g} s", self.timeout_s, 0)
        else:
            try:
                kind, detail, seconds, peak = self._conn.recv()
                out = Outcome(kind, detail, seconds, peak)
            except EOFError:  # the child died (killed by the kernel, a crash in C code)
                code = self._proc.exitcode if self._proc is not None else None
                self._proc = None
                out = Outcome("crash", f"the reader's process died (exit {code})", 0.0, 0)
        self.examples += 1
        self.kinds[out.kind] = self.kinds.get(out.kind, 0) + 1
        self.max_seconds = max(self.max_seconds, out.seconds)
        self.total_seconds += time.perf_counter() - t0
        self.max_rss = max(self.max_rss, out.peak_rss)
        return out

    def check(self, fn: Callable[..., Any], *args: Any, max_seconds: float = 10.0) -> Outcome:
        """Run ``fn(*args)`` and assert the property (see the module docstring)."""
        out = self.run(fn, *args)
        assert out.kind in ("ok", "user"), f"{out.kind}: {out.detail}"
        if out.kind == "user":
            assert "\n" not in out.detail and "\r" not in out.detail, out.detail
            assert len(out.detail) <= MAX_LINE, f"{len(out.detail)} chars: {out.detail}"
        assert out.seconds <= max_seconds, f"{out.seconds:.1f} s: {out.detail}"
        assert out.peak_rss <= MAX_RSS, f"peak RSS {out.peak_rss / 2**20:.0f} MB"
        return out

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.kinds.items()))
        return (
            f"{self.examples} examples ({kinds}); slowest {self.max_seconds:.2f} s; "
            f"peak RSS {self.max_rss / 2**20:.0f} MB; {self.total_seconds:.1f} s in all"
        )


def report(name: str, box: Sandbox) -> None:
    """Append the sandbox's figures to ``bench/results/fuzz.md``-style lines on stdout and,
    when ``$SENKATA_FUZZ_REPORT`` names a file, to that file."""
    line = f"{name}: {box.summary()}"
    print(line)
    target = os.environ.get("SENKATA_FUZZ_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


# ------------------------------------------------------------------------ strategies
#: Numbers that break naive code: huge, tiny, negative, non-finite, just over bounds.
EXTREME_NUMBERS = st.one_of(
    st.sampled_from(
        [0, -1, 1, 2**31, 2**63, -(2**63), 10**400, 10**4000, 1e308, -1e308, 5e-324, -0.0]
    ),
    st.sampled_from([float("nan"), float("inf"), float("-inf")]),
    st.integers(),
    st.floats(),
)

#: Strings that break naive code: empty, long, control characters, bidi, surrogates.
NASTY_TEXT = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\n",
            "a\nb",
            "\x00",
            "\u202e",
            "²",
            "٣",
            "\uff10\uff17:\uff10\uff10",
            "x" * 5000,
            "\ud800",
            "null",
            "~",
            "NaN",
            "1e999",
            "-0",
            "0x1F",
            "1_000",
        ]
    ),
    st.text(max_size=50),
)

#: Times of day, good and bad.
TIMES = st.one_of(
    st.sampled_from(["07:00", "19:00", "23:59", "00:00", "24:00", "25:00", "7:5", "07:60"]),
    st.sampled_from(
        ["", "7", "07:00:00", "-01:00", "\uff10\uff17:\uff10\uff10", "noon", "19:00\n", "9999:00"]
    ),
    st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 30), st.integers(0, 70)),
)


def wrong_type() -> st.SearchStrategy[Any]:
    """A value of any JSON/YAML type, to put where another type belongs."""
    return st.one_of(
        st.none(),
        st.booleans(),
        EXTREME_NUMBERS,
        NASTY_TEXT,
        st.just([]),
        st.just({}),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    )


def cleanup() -> None:
    """Remove this process's scratch folder."""
    if _WORKDIR is not None:
        shutil.rmtree(_WORKDIR, ignore_errors=True)


# -------------------------------------------------------------- documents and mutations
def node_paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON/YAML-like tree, as a path of keys and indices (root first)."""
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += node_paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += node_paths(v, (*prefix, i))
    return out


def _parent(doc: Any, path: tuple) -> tuple[Any, Any]:
    node = doc
    for key in path[:-1]:
        node = node[key]
    return node, path[-1]


MUTATIONS = ("replace", "extreme", "text", "delete", "extra", "duplicate", "nest", "empty")


@st.composite
def mutated(draw: Any, doc: Any, *, max_mutations: int = 3, leaf: Any = None) -> Any:
    """``doc`` with up to ``max_mutations`` changes at random places: a value of the wrong
    type, an extreme number, nasty text, a key removed or added, a list entry repeated, a
    value nested deeper, an emptied collection. ``leaf`` (a strategy) adds values of the
    caller's own (e.g. times of day)."""
    import copy

    doc = copy.deepcopy(doc)
    # half the documents keep their shape: the valid path is exercised too
    for _ in range(draw(st.sampled_from([0, 0, 0, *range(1, max_mutations + 1)]))):
        paths = node_paths(doc)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(MUTATIONS))
        if not path:  # the root itself
            if op in ("replace", "extreme", "text"):
                doc = draw(wrong_type())
            continue
        parent, key = _parent(doc, path)
        if op == "replace":
            parent[key] = draw(wrong_type() if leaf is None else st.one_of(wrong_type(), leaf))
        elif op == "extreme":
            parent[key] = draw(EXTREME_NUMBERS)
        elif op == "text":
            parent[key] = draw(NASTY_TEXT if leaf is None else st.one_of(NASTY_TEXT, leaf))
        elif op == "delete":
            del parent[key]
        elif op == "extra" and isinstance(parent, dict):
            parent[draw(NASTY_TEXT)] = draw(wrong_type())
        elif op == "duplicate" and isinstance(parent, list):
            parent.extend([parent[key]] * draw(st.integers(1, 50)))
        elif op == "nest":
            for _ in range(draw(st.integers(1, 40))):
                parent[key] = [parent[key]]
        elif op == "empty":
            parent[key] = draw(st.sampled_from([[], {}, "", None]))
    return doc


@st.composite
def mangled_bytes(draw: Any, data: bytes) -> bytes:
    """``data`` as a file might arrive: truncated, with bytes flipped, re-encoded, with a
    byte-order mark, Windows line ends, NULs or random bytes spliced in."""
    ops = draw(st.lists(st.sampled_from(BYTE_OPS), max_size=2))
    for op in ops:
        if op == "truncate" and data:
            data = data[: draw(st.integers(0, len(data) - 1))]
        elif op == "flip" and data:
            i = draw(st.integers(0, len(data) - 1))
            data = data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1 :]
        elif op == "splice":
            i = draw(st.integers(0, len(data)))
            data = data[:i] + draw(st.binary(min_size=1, max_size=64)) + data[i:]
        elif op == "latin1":
            data = data.decode("utf-8", "replace").encode("latin-1", "replace") + b"\xe9\xb2"
        elif op == "utf16":
            data = data.decode("utf-8", "replace").encode("utf-16")
        elif op == "bom":
            data = b"\xef\xbb\xbf" + data
        elif op == "crlf":
            data = data.replace(b"\n", b"\r\n")
        elif op == "nul":
            i = draw(st.integers(0, len(data)))
            data = data[:i] + b"\x00" + data[i:]
        elif op == "empty":
            data = b""
        elif op == "garbage":
            data = draw(st.binary(max_size=2000))
    return data


BYTE_OPS = (
    "truncate",
    "flip",
    "splice",
    "latin1",
    "utf16",
    "bom",
    "crlf",
    "nul",
    "empty",
    "garbage",
)


# ------------------------------------------------------------ documents from a model
#: Text for the model's string fields (short words, some of them not ASCII).
_TEXT = st.sampled_from(
    ["a", "T", "PW", "JD-", "p1", "Senkata", "Río Seco", "Ñuñoa", "Distrito 8", "Sur", "x y",
     "ceja", "07:00", "12", "-", "_", "Villa Adela", "Max Paredes", "Zona 16 de Julio", "ü"]
)  # fmt: skip


def _bounds(metadata: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in metadata:
        if hasattr(m, "metadata"):  # a pydantic FieldInfo inside Annotated[...]
            out.update(_bounds(list(m.metadata)))
        for name in ("ge", "gt", "le", "lt", "min_length", "max_length"):
            value = getattr(m, name, None)
            if value is not None:
                out[name] = value
    return out


def _number(kind: type, b: dict[str, Any]) -> st.SearchStrategy[Any]:
    lo = b.get("ge", b.get("gt"))
    hi = b.get("le", b.get("lt"))
    if kind is int:
        lo = -(10**6) if lo is None else int(lo) + (1 if "gt" in b else 0)
        hi = 10**6 if hi is None else int(hi) - (1 if "lt" in b else 0)
        inside = st.integers(lo, max(lo, min(hi, lo + 10**6)))
    else:
        lo = -1e6 if lo is None else float(lo)
        hi = 1e6 if hi is None else float(hi)
        inside = st.floats(lo, hi, exclude_min="gt" in b, exclude_max="lt" in b)
    edges = [v for v in (lo, hi) if v is not None]
    return st.one_of(inside, st.sampled_from(edges))


def model_documents(
    model: Any, *, strings: dict[str, st.SearchStrategy[Any]] | None = None
) -> st.SearchStrategy[dict]:
    """Mappings shaped like pydantic ``model``: every required field, some optional ones,
    values drawn within the field's own bounds (``ge``/``le``, lengths, ``Literal``
    choices), nested models and lists of them built the same way.

    ``strings`` gives strategies for text fields by name (``start``: times of day,
    ``district``: area names); other text is short words.
    """
    required, optional = _field_strategies(model, strings or {}, 0)
    return st.fixed_dictionaries(required, optional=optional)


def model_sections(
    model: Any, *, strings: dict[str, st.SearchStrategy[Any]] | None = None
) -> dict[str, st.SearchStrategy[Any]]:
    """One strategy per field of ``model``, drawn as :func:`model_documents` draws it: to
    replace one section of a good document by one built from the model, cheaply."""
    required, optional = _field_strategies(model, strings or {}, 0)
    return {**required, **optional}


def _field_strategies(
    model: Any, strings: dict[str, st.SearchStrategy[Any]], depth: int
) -> tuple[dict[str, st.SearchStrategy[Any]], dict[str, st.SearchStrategy[Any]]]:
    import datetime as dt
    import types
    import typing

    from pydantic import BaseModel

    def for_type(tp: Any, metadata: list[Any], name: str) -> st.SearchStrategy[Any]:  # noqa: PLR0911 - one per kind of type
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            inner, *meta = typing.get_args(tp)
            return for_type(inner, [*metadata, *meta], name)
        if origin in (typing.Union, types.UnionType):
            arms = [a for a in typing.get_args(tp) if a is not type(None)]
            return st.one_of(*(for_type(a, metadata, name) for a in arms))
        if origin is typing.Literal:
            return st.sampled_from(typing.get_args(tp))
        b = _bounds(metadata)
        if origin is list:
            (item,) = typing.get_args(tp)
            low = min(b.get("min_length", 0), 3)
            return st.lists(
                for_type(item, [], name),
                min_size=low,
                max_size=max(low, min(b.get("max_length", 3), 3 if depth < 2 else 1)),
            )
        if origin is tuple:
            return st.tuples(*(for_type(a, [], name) for a in typing.get_args(tp))).map(list)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            req, opt = _field_strategies(tp, strings, depth + 1)
            return st.fixed_dictionaries(req, optional=opt)
        if tp is bool:
            return st.booleans()
        if tp in (int, float):
            return _number(tp, b)
        if tp is str:
            return strings.get(name, _TEXT)
        if tp is dt.date:
            return st.dates().map(dt.date.isoformat)
        return st.none()

    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, field in model.model_fields.items():
        strat = for_type(field.annotation, list(field.metadata), name)
        (required if field.is_required() else optional)[name] = strat
    return required, optional
