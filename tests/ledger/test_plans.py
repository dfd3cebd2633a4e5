"""The plan library and the desks' drafts, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from logistics.ledger import Ledger, PlanStore, dispatch
from logistics.ledger import plans as plans_mod
from logistics.model import InputError, scenario_digest, scenario_to_yaml
from tests.helpers import plan_for, small_scenario


@pytest.fixture(scope="module")
def small(net):
    sc, problem, plan = plan_for(small_scenario(net), net)
    return SimpleNamespace(sc=sc, problem=problem, plan=plan, yaml=scenario_to_yaml(sc))


def test_plan_and_scenario_round_trip(db_url, small):
    with PlanStore(db_url, create=True) as store:
        rec = store.save_plan(small.plan, small.yaml, name="morning plan", author="desk 1")
        again = store.save_plan(small.plan, small.yaml, name=None, author="desk 2")
        assert (rec.id, again.id) == (1, 2)
        # the same YAML text is one scenario version
        assert rec.scenario_version == again.scenario_version == 1
        assert again.name == small.sc.name
        assert [p.id for p in store.plans()] == [2, 1]
        assert (rec.plan_id, rec.author, rec.delivered, rec.trips) == (
            small.plan.plan_id(),
            "desk 1",
            120,
            3,
        )
        back = store.plan(rec.id)
        assert back.model_dump() == small.plan.model_dump()
        assert store.scenario_yaml(rec.scenario_version) == small.yaml
        # a plan.json names its scenario by digest: the library finds it
        assert store.scenario_for(small.plan.scenario_sha256) == small.yaml
        assert small.plan.scenario_sha256 == scenario_digest(small.sc)
        assert store.scenario_for("0" * 64) is None
        assert store.rename(rec.id, "  morning\nplan, checked ").name == "morning plan, checked"
    # another connection (another desk) sees the same library
    with PlanStore(db_url) as other:
        assert [(p.id, p.name) for p in other.plans()] == [
            (2, small.sc.name),
            (1, "morning plan, checked"),
        ]


def test_bad_id_and_empty_name_are_one_line(db_url, small):
    with PlanStore(db_url, create=True) as store:
        with pytest.raises(InputError, match=r"^ID: no plan #7 in the library$"):
            store.get(7)
        with pytest.raises(InputError, match=r"^ID: no plan #7 in the library$"):
            store.plan(7)
        with pytest.raises(InputError, match=r"^--name: expected a name for the plan"):
            store.save_plan(small.plan, small.yaml, name=" \n ", author="x")
        assert store.plans() == []  # nothing half-written
    with pytest.raises(InputError, match=r"^ID: expected a plan number .*got 'seven'$"):
        plans_mod.plan_number("seven")
    assert plans_mod.plan_number("#12") == 12


def test_plan_row_over_the_plan_file_limit_is_refused_unread(db_url, small, monkeypatch):
    with PlanStore(db_url, create=True) as store:
        rec = store.save_plan(small.plan, small.yaml, name="p", author="x")
        size = len(store.plan_text(rec.id))
        monkeypatch.setattr(plans_mod, "MAX_PLAN_BYTES", size - 1)
        with pytest.raises(InputError, match=r"^ID: plan #1 is larger than .* bytes; it is not"):
            store.plan(rec.id)
        with pytest.raises(InputError, match=r"^plan: plan is larger than"):
            store.save_plan(small.plan, small.yaml, name="p", author="x")


def test_drafts_are_per_desk_and_overwritten(db_url):
    with PlanStore(db_url, create=True) as store:
        assert store.draft("desk-aaaa") is None
        store.save_draft("desk-aaaa", {"yaml": "a", "plans": []})
        store.save_draft("desk-bbbb", {"yaml": "b"})
        store.save_draft("desk-aaaa", {"yaml": "a2", "plans": [1]})
        assert store.draft("desk-aaaa") == {"yaml": "a2", "plans": [1]}
        assert store.draft("desk-bbbb") == {"yaml": "b"}
        with pytest.raises(InputError, match=r"^desk: expected a desk id"):
            store.draft("../etc")


def test_a_ledger_of_revision_0001_is_upgraded_and_keeps_its_entries(db_url, small):
    from alembic import command

    from logistics.ledger.store import _alembic_config, _engine

    engine = _engine(db_url, create=True)
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    engine.dispose()
    with Ledger(db_url) as ledger:
        dispatch(ledger, small.plan, small.problem.points, price_bs=22.5, by="desk 1")
    with PlanStore(db_url) as store:
        store.save_plan(small.plan, small.yaml, name="kept", author="x")
        assert [e.kind for e in store.ledger.entries()] == ["dispatch"]
        assert store.ledger.verify().ok


def test_a_typo_in_the_url_is_not_a_new_library(tmp_path):
    with pytest.raises(InputError, match=r"^--db: no ledger at .*nope.sqlite; expected an"):
        PlanStore(str(tmp_path / "nope.sqlite"))
