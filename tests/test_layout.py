"""The house stays in order: no room too large, a thin ``app.py``, tests beside their rooms.

Import circles and the data-flow order of the rooms are checked by ``lint-imports``
(``make lint``; contracts in ``pyproject.toml``).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "logistics"


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_over_600_lines_and_a_thin_app():
    big = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if "migrations" not in p.parts and (n := _lines(p)) > 600
    }
    assert big == {}
    assert _lines(ROOT / "app.py") < 300


def test_ui_pieces_stay_under_400_lines():
    big = {p.name: n for p in (PACKAGE / "ui").glob("*.py") if (n := _lines(p)) > 400}
    assert big == {}


def test_every_room_has_a_docstring_and_its_tests_beside_it():
    rooms = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert rooms == sorted(
        [
            "model",
            "roads",
            "demand",
            "routing",
            "plan",
            "paper",
            "ledger",
            "ops",
            "batch",
            "cli",
            "ui",
            "i18n",
        ]
    )
    for room in rooms:
        doc = (PACKAGE / room / "__init__.py").read_text(encoding="utf-8")
        assert doc.startswith('"""'), room
        assert list((ROOT / "tests" / room).glob("test_*.py")), f"no tests/{room}/test_*.py"
