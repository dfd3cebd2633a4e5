"""Two desks in a real browser: the work survives a reload, saved plans are shared and
unsaved edits are not (Streamlit on localhost, Playwright driving Debian's Chromium).

The server is the one ``test_app_browser.py`` starts (its drafts and plans in the test
session's throw-away database, ``tests/ui/conftest.py``); each desk is its own browser
context (its own cookies and storage), as two laptops would be.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from logistics.ledger import PlanStore
from tests.ui.offline import local_only
from tests.ui.test_app_browser import (  # noqa: F401 - server is a fixture
    CHROMIUM,
    CHROMIUM_ARGS,
    _plan_and_wait,
    server,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: the sidebar's "Filled cylinders at the plant" (by its widget key: the label is hidden
#: from the accessibility tree while a run of the script is still drawing the page)
STOCK = ".st-key-w-stock input"


@pytest.fixture(scope="module")
def chromium(request):
    from playwright.sync_api import sync_playwright

    url = request.getfixturevalue("server")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser, url
        finally:
            browser.close()


def _desk(browser, url: str):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(90_000)
    local_only(page)
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("button", name="Planificar", exact=True).wait_for()
    page.wait_for_function("() => location.search.includes('desk=')")
    return ctx, page


def _desk_id(page) -> str:
    return parse_qs(urlparse(page.url).query)["desk"][0]


def _set_number(page, label: str, value: str, echo: re.Pattern[str] | None = None) -> None:
    box = page.locator(label) if label.startswith(".") else page.get_by_label(label)
    box.fill(value)
    box.press("Enter")
    if echo is not None:
        page.get_by_text(echo).first.wait_for()


def _metric(page, value: str):
    """The headline 'cylinders at the plant' showing ``value`` (the edit was applied)."""
    return (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text="Garrafas en planta")
        .filter(has_text=value)
        .first
    )


def test_reload_restores_the_work_and_two_desks_share_only_saved_plans(chromium):
    from playwright.sync_api import expect

    browser, url = chromium
    ctx1, one = _desk(browser, url)
    desk = _desk_id(one)
    _set_number(one, "Segundos para buscar rutas", "3", re.compile(r"Busca rutas durante 3 s"))
    _set_number(one, STOCK, "7000")
    _metric(one, "7.000").wait_for()
    _plan_and_wait(one, 1)
    plan_heading = one.get_by_role("heading", name=re.compile(r"^Plan [0-9a-f]{10}$")).first
    plan_id = plan_heading.inner_text().split()[-1]

    # a reload (a dropped connection, F5): the same desk, its edits and its plan
    one.reload(wait_until="domcontentloaded")
    one.get_by_text("Se recuperó el trabajo de esta mesa después de recargar (1 plan).").wait_for()
    assert _desk_id(one) == desk
    one.get_by_role("heading", name=f"Plan {plan_id}").wait_for()
    one.get_by_text("cumple todas las reglas").first.wait_for()
    _metric(one, "7.000").wait_for()
    expect(one.locator(STOCK)).to_have_value("7000", timeout=90_000)

    # save it under a name, then make an edit that is not saved
    one.get_by_label("Su nombre (queda con los planes que guarde)").fill("Delegada D8")
    name_box = one.get_by_label("Nombre del plan a guardar")
    name_box.fill("Turno mañana (navegador)")
    name_box.press("Enter")
    one.get_by_role("button", name="Guardar el plan").click()
    one.get_by_text(re.compile(r"Guardado como plan #\d+ en la biblioteca")).wait_for()
    _set_number(one, STOCK, "5000")
    _metric(one, "5.000").wait_for()

    # another desk: the saved plan is listed, the unsaved edit is not here
    ctx2, two = _desk(browser, url)
    assert _desk_id(two) != desk
    two.get_by_role("heading", name="Biblioteca de planes").scroll_into_view_if_needed()
    # the library's choice of plan (newest first) names it; the table is a canvas
    pick = two.get_by_role("combobox", name="Plan guardado")
    pick.wait_for()
    assert "Turno mañana (navegador)" in two.locator(".st-key-lib-pick").aria_snapshot()
    with PlanStore() as store:  # the server's database (the session's, from the environment)
        assert [p.plan_id for p in store.plans() if p.name == "Turno mañana (navegador)"] == [
            plan_id
        ]
    expect(two.locator(STOCK)).to_have_value("24000", timeout=90_000)
    expect(one.locator(STOCK)).to_have_value("5000", timeout=90_000)
    # a reload of desk one still has its own unsaved edit
    one.reload(wait_until="domcontentloaded")
    one.get_by_text(re.compile(r"Se recuperó el trabajo de esta mesa")).wait_for()
    expect(one.locator(STOCK)).to_have_value("5000", timeout=90_000)
    ctx1.close()
    ctx2.close()
