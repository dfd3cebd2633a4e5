"""Plans and edits kept in the ledger's database: scenario versions, plans, desk drafts.

The same database as the ledger (:class:`~logistics.ledger.store.Ledger` opens it: the
same URL rules, ``--db`` typo protection and Alembic migrations), three more tables:

* ``scenario_versions``: an edited scenario's YAML text, kept once per text (its sha256),
  with the digest a plan.json records (``scenario_sha256``), who saved it first and when;
* ``plans``: a plan.json as text, the scenario version it was made from, a name (which may
  be changed later), who saved it and when, and its totals for a listing that never reads
  the plan itself;
* ``drafts``: per desk (the app's ``?desk=`` id), the JSON of the desk's unsaved work,
  overwritten after each action, so a reload or a dropped connection loses nothing.

Unlike the ledger's entries these rows are not evidence: a plan can be renamed and a draft
is overwritten. Every read is bounded: a plan row larger than
:data:`~logistics.plan.reading.MAX_PLAN_BYTES` (or a draft larger than
:data:`MAX_DRAFT_CHARS`) is refused with one line before its text is fetched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, Session, mapped_column

from logistics.i18n import _, fmt_int
from logistics.ledger.health import as_user_error
from logistics.ledger.store import Base, Ledger, _safe
from logistics.model import InputError, scenario_digest, scenario_from_text
from logistics.model.errors import one_line
from logistics.plan import Plan
from logistics.plan.reading import MAX_PLAN_BYTES, plan_from_json

#: Largest draft read back (a desk keeps a few plans of at most a few MB each).
MAX_DRAFT_CHARS = 4 * MAX_PLAN_BYTES
#: Longest plan name kept (one line).
MAX_NAME_CHARS = 120
#: A desk id: what the app puts in ``?desk=`` (letters, digits, ``-`` and ``_``).
DESK_RE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")


class ScenarioVersion(Base):
    """One edited scenario, kept once per YAML text."""

    __tablename__ = "scenario_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: :func:`~logistics.model.scenario_digest` of the parsed scenario (as in plan.json)
    digest: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(500))
    yaml: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))
    author: Mapped[str] = mapped_column(String(200))


class SavedPlan(Base):
    """One saved plan (plan.json text) and the scenario version it came from."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(32), index=True)
    scenario_version: Mapped[int] = mapped_column(
        ForeignKey("scenario_versions.id", name="fk_plans_scenario_version")
    )
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(40))
    author: Mapped[str] = mapped_column(String(200))
    delivered: Mapped[int] = mapped_column(Integer)
    km: Mapped[float] = mapped_column(Float)
    trips: Mapped[int] = mapped_column(Integer)
    plan_json: Mapped[str] = mapped_column(Text)


class Draft(Base):
    """A desk's unsaved work (JSON), overwritten after each action."""

    __tablename__ = "drafts"

    desk: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[str] = mapped_column(String(40))


@dataclass(frozen=True)
class PlanRecord:
    """A saved plan as the library lists it (without the plan itself)."""

    id: int
    plan_id: str
    name: str
    created_at: str
    author: str
    scenario_version: int
    scenario_name: str
    delivered: int
    km: float
    trips: int


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def clean_name(name: str, *, where: str = "--name") -> str:
    """A plan name on one line; empty is refused (callers supply a default first)."""
    out = one_line(name, MAX_NAME_CHARS).strip()
    if not out:
        raise InputError(where, _("expected a name for the plan, got an empty one"))
    return out


def yaml_sha256(yaml_text: str) -> str:
    """sha256 of a scenario's YAML text (UTF-8), the key of its version."""
    return hashlib.sha256(yaml_text.encode("utf-8")).hexdigest()


def plan_number(value: str | int, *, where: str = "ID") -> int:
    """A library id as typed by a person (``7`` or ``#7``).

    Raises
    ------
    InputError
        Not a whole number >= 1.
    """
    text = str(value).strip().lstrip("#")
    if not text.isdigit() or not 0 < int(text) < 2**31:
        msg = _("expected a plan number from `senkata plans list`, got {value}")
        raise InputError(where, msg.format(value=repr(one_line(str(value), 40))))
    return int(text)


class PlanStore:
    """The plan library and the desks' drafts in a ledger database.

    Parameters
    ----------
    url
        As for :class:`~logistics.ledger.store.Ledger` (``--db``, ``$SENKATA_LEDGER_URL``,
        else ``ledger.sqlite`` here).
    create
        Make the database when there is none (a ``--db`` typo is an error otherwise).
    """

    def __init__(self, url: str | None = None, *, create: bool = False) -> None:
        self.ledger = Ledger(url, create=create)
        self.url = self.ledger.url
        self.engine = self.ledger.engine

    def close(self) -> None:
        self.ledger.close()

    def __enter__(self) -> PlanStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _session(self, *, read: bool = False) -> Iterator[Session]:
        bind = self.engine.execution_options(senkata_read=True) if read else self.engine
        try:
            with Session(bind, expire_on_commit=False) as session, session.begin():
                yield session
        except DBAPIError as exc:
            raise as_user_error(exc, _safe(self.url)) from None

    def _insert(self, table: Any) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    # ------------------------------------------------------------------ scenarios
    def save_scenario(self, yaml_text: str, *, author: str) -> int:
        """Keep a scenario's YAML text (once per text); its version number.

        Raises
        ------
        InputError
            Not a valid scenario.
        """
        with self._session() as s:
            return self._scenario_row(s, yaml_text, author)

    def _scenario_row(self, s: Session, yaml_text: str, author: str) -> int:
        sc = scenario_from_text(yaml_text, where="scenario")
        sha = yaml_sha256(yaml_text)
        row = {
            "sha256": sha,
            "digest": scenario_digest(sc),
            "name": one_line(sc.name, 500),
            "yaml": yaml_text,
            "created_at": _now(),
            "author": one_line(author, 200),
        }
        s.execute(self._insert(ScenarioVersion).values(**row).on_conflict_do_nothing())
        found = select(ScenarioVersion.id).where(ScenarioVersion.sha256 == sha)
        return int(s.scalars(found).one())

    def scenario_yaml(self, version: int) -> str:
        """The YAML text of a scenario version."""
        with self._session(read=True) as s:
            text = s.scalars(
                select(ScenarioVersion.yaml).where(ScenarioVersion.id == version)
            ).first()
        if text is None:
            msg = _("no scenario version #{n} in the library")
            raise InputError("scenario", msg.format(n=version))
        return text

    def scenario_for(self, digest: str) -> str | None:
        """The newest kept scenario whose digest is ``digest`` (what a plan.json records)."""
        with self._session(read=True) as s:
            return s.scalars(
                select(ScenarioVersion.yaml)
                .where(ScenarioVersion.digest == digest)
                .order_by(ScenarioVersion.id.desc())
                .limit(1)
            ).first()

    # ---------------------------------------------------------------------- plans
    def save_plan(self, plan: Plan, yaml_text: str, *, name: str | None, author: str) -> PlanRecord:
        """Keep a plan and the scenario it was made from (both in one transaction).

        ``name`` defaults to the scenario's name. The caller has run the validator.

        Raises
        ------
        InputError
            An empty name, a plan larger than the plan-file limit, an invalid scenario.
        """
        text = plan.model_dump_json(indent=1)
        if len(text) > MAX_PLAN_BYTES:
            msg = _("plan is larger than {limit} bytes").format(limit=fmt_int(MAX_PLAN_BYTES))
            raise InputError("plan", msg)
        label = clean_name(plan.scenario if name is None else name)
        scenario_from_text(yaml_text, where="scenario")  # before a transaction starts
        row = SavedPlan(
            plan_id=plan.plan_id(),
            name=label,
            created_at=_now(),
            author=one_line(author, 200),
            delivered=int(plan.delivered),
            km=round(float(plan.km), 3),
            trips=len(plan.trips()),
            plan_json=text,
        )
        with self._session() as s:
            row.scenario_version = self._scenario_row(s, yaml_text, author)
            s.add(row)
            s.flush()
            number = row.id
        return self.get(number)

    def _listing(self) -> Any:
        return select(
            SavedPlan.id,
            SavedPlan.plan_id,
            SavedPlan.name,
            SavedPlan.created_at,
            SavedPlan.author,
            SavedPlan.scenario_version,
            ScenarioVersion.name,
            SavedPlan.delivered,
            SavedPlan.km,
            SavedPlan.trips,
        ).join(ScenarioVersion, ScenarioVersion.id == SavedPlan.scenario_version)

    def plans(self) -> list[PlanRecord]:
        """Every saved plan, newest first (no plan text is read)."""
        with self._session(read=True) as s:
            rows = s.execute(self._listing().order_by(SavedPlan.id.desc())).all()
        return [PlanRecord(*r) for r in rows]

    def get(self, number: int) -> PlanRecord:
        """One saved plan's listing.

        Raises
        ------
        InputError
            No such plan.
        """
        with self._session(read=True) as s:
            row = s.execute(self._listing().where(SavedPlan.id == number)).first()
        if row is None:
            raise InputError("ID", _("no plan #{n} in the library").format(n=number))
        return PlanRecord(*row)

    def plan_text(self, number: int) -> str:
        """The plan.json text of a saved plan, refused unread when over the limit."""
        with self._session(read=True) as s:
            size = s.scalars(
                select(func.length(SavedPlan.plan_json)).where(SavedPlan.id == number)
            ).first()
            if size is None:
                raise InputError("ID", _("no plan #{n} in the library").format(n=number))
            if size > MAX_PLAN_BYTES:
                msg = _("plan #{n} is larger than {limit} bytes; it is not read")
                raise InputError("ID", msg.format(n=number, limit=fmt_int(MAX_PLAN_BYTES)))
            return str(s.scalars(select(SavedPlan.plan_json).where(SavedPlan.id == number)).one())

    def plan(self, number: int) -> Plan:
        """A saved plan, checked against the plan.json schema as any plan file is."""
        return plan_from_json(self.plan_text(number), where=f"plan #{number}")

    def rename(self, number: int, name: str) -> PlanRecord:
        """Give a saved plan a new name."""
        label = clean_name(name)
        with self._session() as s:
            row = s.get(SavedPlan, number)
            if row is None:
                raise InputError("ID", _("no plan #{n} in the library").format(n=number))
            row.name = label
        return self.get(number)

    # --------------------------------------------------------------------- drafts
    def save_draft(self, desk: str, data: dict[str, Any]) -> None:
        """Overwrite the desk's draft with ``data`` (JSON)."""
        check_desk(desk)
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if len(text) > MAX_DRAFT_CHARS:
            msg = _("the desk's work is larger than {limit} characters; it is not kept")
            raise InputError("draft", msg.format(limit=fmt_int(MAX_DRAFT_CHARS)))
        ins = self._insert(Draft).values(desk=desk, data=text, updated_at=_now())
        ins = ins.on_conflict_do_update(
            index_elements=["desk"], set_={"data": ins.excluded.data, "updated_at": _now()}
        )
        with self._session() as s:
            s.execute(ins)

    def draft(self, desk: str) -> dict[str, Any] | None:
        """The desk's draft, or None when it has none (or it is not a JSON object)."""
        check_desk(desk)
        with self._session(read=True) as s:
            size = s.scalars(select(func.length(Draft.data)).where(Draft.desk == desk)).first()
            if size is None:
                return None
            if size > MAX_DRAFT_CHARS:
                msg = _("the desk's saved work is larger than {limit} characters; it is not read")
                raise InputError("draft", msg.format(limit=fmt_int(MAX_DRAFT_CHARS)))
            text = s.scalars(select(Draft.data).where(Draft.desk == desk)).one()
        try:
            data = json.loads(text)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None


def check_desk(desk: str) -> str:
    """A desk id as the app makes them.

    Raises
    ------
    InputError
        Anything else (it names a row: no free text).
    """
    if not DESK_RE.match(desk):
        msg = _("expected a desk id of 6 to 64 letters, digits, '-' or '_', got {value}")
        raise InputError("desk", msg.format(value=repr(one_line(desk, 40))))
    return desk
