"""The `senkata` command in Spanish: the summary, the help and every kind of error line.

The language comes from ``--lang`` (anywhere on the line), else ``$SENKATA_LANG``, else the
locale, else English. These tests plan a small scenario on the real map whose points fail
for three reasons (an excluded district, a district without a delegate on the roster, too
few cylinders) and read the summary a dispatcher would read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from logistics.cli import app
from logistics.plan import Plan
from tests.helpers import D1, D2, D8, node_point, roster, scenario_dict

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "senkata-2005-06.yaml"
#: Wide enough that no table cell of the summary wraps.
runner = CliRunner(env={"COLUMNS": "200"})

#: Words of the English summary that must not be left in the Spanish one.
ENGLISH_SUMMARY = [
    "delivered",
    "cylinders",
    "Trucks",
    "truck",
    "commission",
    "trips",
    "Points not fully served",
    "not fully served",
    "by reason",
    "ration",
    "shift",
    "validator",
    "passes every rule",
    "solver:",
    "drops offered",
    "excluded-zone",
    "no-guard",
    "stock-short",
    "wrote ",
]


@pytest.fixture(scope="module")
def small(tmp_path_factory, net) -> Path:
    """Three points of Distrito 8 (delegates on the roster), one of Distrito 2 (no
    delegate: own-district scope) and one of the excluded Distrito 1; 150 cylinders at
    the plant for an eligible ration of 240 (200 of it in Distrito 8)."""
    pts = [
        node_point(net, D8[0], "a", households=80),
        node_point(net, D8[1], "b", households=70),
        node_point(net, D8[2], "c", households=50),
        node_point(net, D2[0], "d2", households=40),
        node_point(net, D1[0], "d1", households=40),
    ]
    data = scenario_dict(
        pts,
        stock=150,
        scope="own-district",
        guards=roster(1, (("Distrito 8", 1),)),
        eligibility={"excluded": ["Distrito 1"]},
    )
    path = tmp_path_factory.mktemp("lang") / "small.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _english_left(text: str) -> list[str]:
    return [w for w in ENGLISH_SUMMARY if re.search(rf"(?<![\w-]){re.escape(w)}", text)]


def test_plan_summary_in_spanish_from_senkata_lang(small, tmp_path, monkeypatch):
    monkeypatch.setenv("SENKATA_LANG", "es")
    out = tmp_path / "out"
    r = runner.invoke(app, ["plan", str(small), "--out", str(out)])
    assert r.exit_code == 0, r.output
    text = r.stdout
    assert "se entregan 150 de 240 garrafas del cupo habilitado (150 en planta)" in text
    for heading in ("Camiones", "Garrafas por distrito / macrodistrito", "Puntos sin cupo"):
        assert heading in text
    # each reason as a sentence, the district named where the sentence needs it
    assert "sin delegado de Distrito 2 en la lista" in text
    assert "fuera de las zonas habilitadas" in text
    assert "sin garrafas suficientes" in text
    assert "revisión: el plan cumple todas las reglas" in text
    assert "se escribió" in text
    assert _english_left(text) == []
    # the file format stays English: plan.json keeps the reason codes
    plan = Plan.load(out / "plan.json")
    assert {u.reason for u in plan.unserved} == {"no-guard", "excluded-zone", "stock-short"}
    # the internal ids are on the one details line, not in the tables
    (details,) = [ln for ln in text.splitlines() if ln.startswith("detalles:")]
    assert "búsqueda: resuelto" in details and plan.map_sha256[:12] in details
    assert plan.plan_id() in text.splitlines()[0]


def test_the_same_summary_in_english(small, tmp_path):
    r = runner.invoke(app, ["plan", str(small), "--out", str(tmp_path / "o"), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "delivered 150 of 240 cylinders of the eligible ration (150 at the plant)" in r.stdout
    assert "no Distrito 2 delegate on the roster" in r.stdout
    assert "outside the eligible areas" in r.stdout
    assert "not enough cylinders" in r.stdout
    assert "validator: plan passes every rule" in r.stdout


def _one_line(r) -> str:
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.output
    return lines[0]


def test_bad_input_errors_in_spanish_with_lang_option(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        DEFAULT.read_text(encoding="utf-8").replace("- Sopocachi ", "- Sopocachy "),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    r = runner.invoke(app, ["plan", str(bad), "--out", str(out), "--lang", "es"])
    line = _one_line(r)
    assert line.startswith(f"error: {bad}: eligibility.excluded[2]: área desconocida 'Sopocachy'")
    assert "se esperaba un distrito de El Alto (Distrito 1 .. Distrito 14)" in line
    assert not out.exists()
    # the option may come before the command, or after its value
    r = runner.invoke(app, ["--lang", "es", "plan", str(DEFAULT), "--time-limit", "0"])
    assert _one_line(r) == "error: --time-limit: se esperaban segundos > 0, se recibió 0"
    # Typer's own usage errors become the same one translated line
    r = runner.invoke(app, ["plan", str(DEFAULT), "--seed", "abc", "--lang", "es"])
    assert _one_line(r) == "error: --seed: se esperaba un número entero"
    r = runner.invoke(app, ["replan", "plan.json", "--lang", "es"])
    assert _one_line(r) == "error: --scenario: falta; se esperaba un valor (vea --help)"
    r = runner.invoke(app, ["planear", "--lang", "es"])
    assert _one_line(r).startswith("error: planear: no existe ese comando; se esperaba uno de plan")


def test_lang_option_beats_the_environment_which_beats_the_locale(monkeypatch):
    monkeypatch.delenv("SENKATA_LANG")
    monkeypatch.setenv("LANG", "es_BO.UTF-8")
    r = runner.invoke(app, ["validate", str(DEFAULT)])
    assert (
        "el escenario Senkata, paro general de junio de 2005 - turno de día es válido" in r.stdout
    )
    monkeypatch.setenv("SENKATA_LANG", "en")
    r = runner.invoke(app, ["validate", str(DEFAULT)])
    assert "is valid" in r.stdout
    r = runner.invoke(app, ["validate", str(DEFAULT), "--lang", "es"])
    assert "es válido" in r.stdout
    assert re.search(r"  \d+ puntos: fuera de las zonas habilitadas\n", r.stdout)


def test_unknown_language_is_one_line_naming_where_it_came_from(monkeypatch):
    r = runner.invoke(app, ["validate", str(DEFAULT), "--lang", "ay"])
    assert _one_line(r) == "error: --lang: expected one of es, en, got 'ay'"
    monkeypatch.setenv("SENKATA_LANG", "fr_FR")
    r = runner.invoke(app, ["maps", "info"])
    assert _one_line(r) == "error: SENKATA_LANG: expected one of es, en, got 'fr_FR'"


def test_help_in_spanish_even_when_lang_comes_after_help():
    r = runner.invoke(app, ["plan", "--help", "--lang", "es"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.stdout.split())
    assert re.search(r"^Uso: \S+ plan \[OPCIONES\]", text)
    for words in ("Planificar un turno", "Opciones",
                  "Archivo YAML del escenario.", "[obligatorio]", "[por defecto: out]",
                  "Mostrar esta ayuda y salir.", "Idioma de lo que se muestra"):  # fmt: skip
        assert words in text, words
    for words in ("Usage", "Options", "Show this message", "Scenario YAML file", "required"):
        assert words not in text, words
    r = runner.invoke(app, ["--help"], env={"SENKATA_LANG": "es"})
    text = " ".join(r.stdout.split())
    assert "Comandos" in text and "El libro de registro de entregas" in text
    assert "The delivery ledger" not in text
