"""The app in a real browser: Streamlit on localhost, driven by Playwright in Chromium.

The test starts ``streamlit run app.py`` on a free local port, opens it in Debian's
headless Chromium (``/usr/bin/chromium``; Playwright's own browser downloads are never
used) with every request that is not to this machine aborted, plans the default scenario,
waits for the trips on the map, reads the trip table and the unserved list, then closes a
road that a trip drove (through the blockade form), re-plans, and checks from the
downloaded ``plan.json`` that no leg passes within the blockade.

It does all that in Spanish, the app's default, as a junta delegate would: the visible
text of the page never shows one of the app's old English labels (``tests/ui/labels.py``).
Switching to English at the end shows the same plans, in English.

``SENKATA_SAVE_SCREENSHOT=docs/app-screenshot.png`` also saves the planned map there.
Without Chromium the test is skipped, except in CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import io
import math
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from logistics.model import load_scenario
from logistics.ops import diff_plans
from logistics.plan import Plan
from logistics.roads import load_network
from logistics.routing import build_problem
from logistics.ui import deck, map_base, map_plan
from tests.ui.labels import ENGLISH_LABELS, ENGLISH_PHRASES
from tests.ui.offline import local_only
from tests.ui.test_app import road_with_detour

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
#: Flags that keep Chromium off the network and GPU-free.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    "--no-pings",
]
BLOCK_RADIUS_M = 40.0
SCREENSHOT_MAX_BYTES = 500_000


def _need_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    msg = f"{CHROMIUM} is missing (apt-get install -y chromium; scripts/system-deps.sh does it)"
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``streamlit run app.py`` on 127.0.0.1:<free port>; always terminated."""
    _need_chromium()
    pytest.importorskip("playwright.sync_api")
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--browser.serverAddress",
        "localhost",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start:\n{log.read_text(errors='replace')}")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


@pytest.fixture(scope="module")
def chromium_browser():
    """One Playwright and one Chromium for the module (a second sync Playwright cannot start
    while the first runs in the same thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def browser_page(server, chromium_browser):
    outside: list[str] = []

    def only_local(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    ctx = chromium_browser.new_context(
        viewport={"width": 1500, "height": 1000}, accept_downloads=True
    )
    try:
        page = ctx.new_page()
        page.set_default_timeout(90_000)
        page.route("**/*", only_local)
        yield page, outside, server
    finally:
        ctx.close()


def _frames(page, n: int = 3) -> None:
    """Let deck.gl draw a few frames (software WebGL is slow on a busy machine)."""
    page.evaluate(
        "n => new Promise(r => { let k = 0; const f = () => (++k >= n ? r() : "
        "requestAnimationFrame(f)); requestAnimationFrame(f); })",
        n,
    )
    time.sleep(1.0)


def _map_png(page) -> bytes:
    chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
    chart.scroll_into_view_if_needed()
    _frames(page)
    return chart.screenshot(timeout=120_000)


def _changed_fraction(a: bytes, b: bytes) -> float:
    from PIL import Image, ImageChops

    ia, ib = Image.open(io.BytesIO(a)).convert("RGB"), Image.open(io.BytesIO(b)).convert("RGB")
    if ia.size != ib.size:
        ib = ib.resize(ia.size)
    diff = ImageChops.difference(ia, ib).convert("L").point(lambda v: 255 if v > 40 else 0)
    return diff.histogram()[255] / (ia.size[0] * ia.size[1])


def _save_small_png(png: bytes, dest: Path) -> None:
    """Save a screenshot under ``SCREENSHOT_MAX_BYTES`` (palette PNG, 256 colours)."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    dest.parent.mkdir(parents=True, exist_ok=True)
    for width in (img.width, 1300, 1100):
        im = img if width == img.width else img.resize((width, img.height * width // img.width))
        im.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(dest, optimize=True)
        if dest.stat().st_size < SCREENSHOT_MAX_BYTES:
            return


def _pixel(view, box, lon: float, lat: float) -> tuple[float, float]:
    """Where (lon, lat) is drawn on a chart at ``box`` showing ``view`` (Web Mercator)."""
    scale = 512 * 2**view.zoom  # Web Mercator pixels across the world at this zoom

    def merc(la: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(la) / 2))

    x = box["x"] + box["width"] / 2 + (lon - view.longitude) / 360 * scale
    y = box["y"] + box["height"] / 2 - (merc(lat) - merc(view.latitude)) / (2 * math.pi) * scale
    return x, y


def _click_map(page, view, lon: float, lat: float) -> None:
    """Click the map at (lon, lat): hover first, as a person would (deck.gl picks on hover),
    and click only once deck.gl shows the hovered object's tooltip: a condition, not a
    pause, so a slow software-WebGL frame on a loaded machine cannot make the click miss."""
    chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
    chart.scroll_into_view_if_needed()
    _frames(page, 2)
    x, y = _pixel(view, chart.bounding_box(), lon, lat)
    page.mouse.move(x - 25, y)
    page.mouse.move(x, y, steps=6)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.deck-tooltip')].some("
        "t => t.textContent.trim() && getComputedStyle(t).display !== 'none')",
        timeout=20_000,
    )
    _frames(page, 2)  # the hover's highlight drawn
    page.mouse.click(x, y, delay=80)


def _quiet_road(net, problem, view, box, names) -> dict:
    """A road piece 3-8 km from the plant with no point, blockade or plant within 400 m,
    well inside the chart, so a click there can only hit the road."""
    others = [(p.lon, p.lat) for p in problem.points]
    others += [(b.lon, b.lat) for b in problem.scenario.blockades if b.lon is not None]
    plant = [(problem.scenario.plant.lon, problem.scenario.plant.lat)]
    for c in names:
        x, y = _pixel(view, box, c["lon"], c["lat"])
        if not (box["x"] + 40 < x < box["x"] + box["width"] - 40):
            continue
        if not (box["y"] + 40 < y < box["y"] + box["height"] - 40):
            continue
        if not 3000 < deck.min_distance_m(plant, c["lon"], c["lat"]) < 8000:
            continue
        if min(deck.min_distance_m([o], c["lon"], c["lat"]) for o in others) > 400:
            return c
    raise AssertionError("no quiet road piece")


def _spanish_roads(net) -> list[dict]:
    """The map's road pieces as the Spanish page names them (with their areas)."""
    from logistics.demand import load_areas
    from logistics.i18n import use_language

    with use_language("es"):
        areas = map_base.area_shapes(load_areas().frame)
        return map_base.road_chunks(net, areas=areas)


def _plan_and_wait(page, n_plans: int) -> None:
    page.get_by_role("button", name="Planificar", exact=True).click()
    # a live progress indicator while the solver runs: the page is never frozen
    page.get_by_text(
        re.compile(r"Planificando: buscando rutas|buscando rutas\.\.\.")
    ).first.wait_for(timeout=30_000)
    page.get_by_text(re.compile(r"Plan listo en")).first.wait_for(timeout=180_000)
    page.get_by_text("cumple todas las reglas").first.wait_for(timeout=60_000)
    if n_plans > 1:
        page.get_by_text(re.compile(r"^Paradas: ")).first.wait_for(timeout=60_000)


def _download_plan(page) -> Plan:
    from playwright.sync_api import Error as PlaywrightError

    button = page.get_by_role("button", name="plan.json")
    for attempt in range(3):  # a click during a rerun of a busy page may be lost, or the
        try:  # button replaced by the rerun while it is scrolled to (a timeout is an Error)
            button.scroll_into_view_if_needed()
            with page.expect_download(timeout=60_000) as info:
                button.click()
            break
        except PlaywrightError:
            if attempt == 2:
                raise
    path = info.value.path()
    return Plan.model_validate_json(Path(path).read_text(encoding="utf-8"))


#: Streamlit's own words (its frontend has no Spanish; the app cannot translate them):
#: the upload button and hint, the map's "Clear selection", the screen-reader skip link.
STREAMLIT_WORDS = re.compile(
    r"Skip to main content|Drag and drop file here|Browse files|\bupload\b|\bUpload\b"
    r"|[\d.]+ ?[KM]B per file.*|Clear selection|Running\.\.\.|\bStop\b|Choose an option"
)


def _english_on_page(page) -> list[str]:
    """The app's old English labels in the page's visible text, one entry per hit."""
    lines = [
        STREAMLIT_WORDS.sub("", ln).strip() for ln in page.locator("body").inner_text().splitlines()
    ]
    lines = [ln for ln in lines if ln]
    hits = {f"{w!r} in {ln[:80]!r}" for ln in lines for w in ENGLISH_PHRASES if w in ln}
    hits |= {repr(ln) for ln in lines if ln in ENGLISH_LABELS}
    return sorted(hits)


def _open_tabs_and_expanders(page) -> None:
    """Open every tab of the results and every expander, so their words are on the page."""

    def open_visible() -> None:
        for summary in page.locator('[data-testid="stExpander"] summary').all():
            if summary.is_visible() and not summary.evaluate("s => s.parentElement.open"):
                summary.click()
                page.wait_for_timeout(300)

    open_visible()
    for tab in page.get_by_role("tab").all():  # expanders inside a tab show with their tab
        tab.click()
        page.wait_for_timeout(300)
        open_visible()


def _tables_in_spanish(page) -> None:
    """The trucks table and the unserved list, their reasons as Spanish sentences."""
    # trip table: one row per truck that drives, with commission, trips, stops, cylinders
    trucks = (
        page.locator('[data-testid="stTable"] table').filter(has_text="comisión de control").first
    )
    rows = trucks.locator("tbody tr")
    assert rows.count() > 0
    first = rows.first.inner_text()
    assert re.search(r"T\d+", first) and "PW" in first
    # the unserved list, with its reasons as sentences
    page.get_by_role("tab", name=re.compile(r"^Sin atender \(\d+\)")).click()
    unserved = page.locator('[data-testid="stTable"] table').filter(has_text="faltan").first
    unserved.wait_for()
    assert unserved.locator("tbody tr").count() > 0
    reasons = unserved.inner_text()
    assert "sin garrafas suficientes" in reasons
    assert not re.search(r"stock-short|no-time|excluded-zone|no-guard|unreachable", reasons)


def _same_plans_in_english(page, plan_id: str) -> None:
    """Switch the page to English: the same plans and numbers, now in English words."""
    page.get_by_text("English", exact=True).click()
    page.get_by_role("button", name="Plan", exact=True).wait_for()
    page.get_by_text(f"Plan {plan_id}").first.wait_for()
    page.get_by_text("passes every rule").first.wait_for()
    page.get_by_text("Compare plans").first.wait_for()
    assert _download_plan(page).plan_id() == plan_id
    page.get_by_role("tab", name=re.compile(r"^Not served \(\d+\)")).click()
    table = page.locator('[data-testid="stTable"] table').filter(has_text="missing").first
    assert "not enough cylinders" in table.inner_text()
    assert _english_on_page(page) != []  # the check finds English when there is some


# Known flaky, being investigated: passes alone (77 s on a quiet machine), but after the other
# ui tests in the same run the deck.gl hover tooltip never shows in software WebGL, on four
# tries over two page loads. Not strict, so a pass still reports as XPASS.
@pytest.mark.xfail(
    strict=False, reason="deck.gl hover/click in software WebGL misses after other ui tests"
)
def test_click_a_road_on_the_map_to_block_it_then_lift_it(browser_page):
    """A click on a road names it and offers a blockade there (the pick panel, in Spanish);
    after each action the earlier banner is gone and the map is not left dimmed."""
    page, outside, url = browser_page
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("button", name="Planificar", exact=True).wait_for()
    page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(state="attached")
    assert _english_on_page(page) == []
    net = load_network()
    problem = build_problem(load_scenario(ROOT / "scenarios" / "senkata-2005-06.yaml"), net=net)
    view = map_plan.initial_view(problem)
    chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
    chart.scroll_into_view_if_needed()
    road = _quiet_road(net, problem, view, chart.bounding_box(), _spanish_roads(net))
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    add_here = page.get_by_role("button", name="Agregar un bloqueo aquí")
    # A hover that found nothing is tried again; software WebGL on a shared machine has also
    # missed every click of a page load, so the second half of the tries loads the page anew.
    for attempt in range(4):
        try:
            _click_map(page, view, road["lon"], road["lat"])
            add_here.wait_for(timeout=30_000)
            break
        except PlaywrightTimeout:
            if attempt == 3:
                raise
            if attempt == 1:
                page.reload(wait_until="domcontentloaded")
                page.get_by_role("button", name="Planificar", exact=True).wait_for()
                chart.locator("canvas").first.wait_for(state="attached")
                chart.scroll_into_view_if_needed()
    # the pick reads the road's name (or the nearest named road), never a bare OSM id
    assert not road["name"].startswith("vía OSM")
    page.get_by_text(road["name"], exact=True).first.wait_for()
    assert _english_on_page(page) == []  # the pick panel, in Spanish
    add_here.click()
    page.get_by_text(re.compile(r"Se agregó el bloqueo cerrado map-1")).wait_for()
    blockade_row = page.get_by_text(re.compile(r"^map-1 " + re.escape(road["name"])))
    blockade_row.first.wait_for()  # the blockade is named after the road
    page.locator('[data-testid="stButton"]').filter(has_text="Levantar").last.click()
    page.get_by_text(re.compile(r"Se levantó el bloqueo map-1")).wait_for()
    # no stale banner: the "added" line went when the next action ran
    assert page.get_by_text(re.compile(r"Se agregó el bloqueo")).count() == 0
    # the map is not left dimmed: no selection remains (nothing to clear)
    page.get_by_text(re.compile(r"^Haga clic en una calle, un punto de distribución")).wait_for()
    chart.hover()
    assert page.get_by_role("button", name="Clear selection").count() == 0
    assert not outside, f"the page tried to reach the network: {outside[:3]}"


def test_plan_then_block_a_used_road_and_replan_in_spanish_then_english(browser_page, tmp_path):
    """The whole shift in Spanish (a new session: the page is loaded again), then the same
    plans in English."""
    page, outside, url = browser_page
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("button", name="Planificar", exact=True).wait_for()
    page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(state="attached")
    before = _map_png(page)
    net = load_network()

    # a short search keeps the test quick; the caption echoes the committed value
    limit = page.get_by_label("Segundos para buscar rutas")
    limit.fill("3")
    limit.press("Enter")
    page.get_by_text(re.compile(r"Busca rutas durante 3 s")).wait_for()

    _plan_and_wait(page, 1)
    layers = page.get_by_text(re.compile(r"capas del mapa: .*\broutes\b"))
    layers.wait_for(state="attached")  # in the folded "Detalles del mapa"
    page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(state="attached")
    after = _map_png(page)
    assert _changed_fraction(before, after) > 0.01, "the trips are not drawn on the map"

    page.get_by_role(
        "heading", name=re.compile(r"^Plan [0-9a-f]{10}$")
    ).scroll_into_view_if_needed()
    shot = page.screenshot()
    (tmp_path / "planned.png").write_bytes(shot)
    page.locator('[data-testid="stMain"]').first.evaluate("el => el.scrollTo(0, 0)")
    page.locator('[data-testid="stSidebarContent"]').first.evaluate("el => el.scrollTo(0, 0)")
    _frames(page)
    top = page.screenshot()
    (tmp_path / "planned-map.png").write_bytes(top)
    dest = os.environ.get("SENKATA_SAVE_SCREENSHOT")
    if dest:
        _save_small_png(top, ROOT / dest if not Path(dest).is_absolute() else Path(dest))

    _tables_in_spanish(page)
    _open_tabs_and_expanders(page)
    assert _english_on_page(page) == []

    first_plan = _download_plan(page)
    assert first_plan.trips()

    # close a road that a trip drove, through the blockade form
    lon, lat = road_with_detour(first_plan, net, BLOCK_RADIUS_M)
    form = page.locator('[data-testid="stForm"]').filter(has_text="Agregar un bloqueo").first
    form.scroll_into_view_if_needed()
    form.get_by_label("Latitud").fill(f"{lat:.6f}")
    form.get_by_label("Longitud").fill(f"{lon:.6f}")
    form.get_by_label("Radio (m)").fill(f"{BLOCK_RADIUS_M:g}")
    form.get_by_role("button", name="Agregar bloqueo").click()
    page.get_by_text(re.compile(r"Se agregó el bloqueo cerrado map-1")).wait_for()

    _plan_and_wait(page, 2)
    second = _download_plan(page)
    assert second.plan_id() != first_plan.plan_id()
    for _, trip in second.trips():
        for leg in trip.legs:
            d = deck.min_distance_m(net.path_coords(leg.nodes), lon, lat)
            assert d > BLOCK_RADIUS_M, f"a leg passes {d:.0f} m from the closed blockade"
    # the compare map shows the blocked road among those driven only before
    gone = diff_plans(first_plan, second).roads_only_a
    assert any(deck.min_distance_m(net.path_coords(pr), lon, lat) <= BLOCK_RADIUS_M for pr in gone)
    page.get_by_text("Comparar planes").first.wait_for()
    (tmp_path / "replanned.png").write_bytes(page.screenshot())
    _open_tabs_and_expanders(page)
    assert _english_on_page(page) == []

    _same_plans_in_english(page, second.plan_id())
    assert not outside, f"the page tried to reach the network: {outside[:3]}"


def _inside(box, width: int, height: int) -> bool:
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width + 0.5
        and box["y"] + box["height"] <= height + 0.5
    )


def _symbol_pixels(png: bytes, box, view, lon: float, lat: float) -> dict[str, int]:
    """Black, white and signal-yellow pixels in a 24 px square round (lon, lat)."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    x, y = _pixel(view, box, lon, lat)  # the screenshot is the viewport
    crop = img.crop((int(x) - 12, int(y) - 12, int(x) + 12, int(y) + 12))
    px = list(crop.getdata())
    return {
        "black": sum(1 for r, g, b in px if max(r, g, b) < 50),
        "yellow": sum(1 for r, g, b in px if r > 220 and g > 180 and b < 90),
    }


def test_phone_shows_plan_and_the_whole_map_without_scrolling(server, chromium_browser, tmp_path):
    """At 390 x 844 (a phone) the Plan button and the whole map are on the first screen,
    before and after planning; the sidebar's button says what it opens; the closed and
    the permit blockade are different symbols; wide tables scroll inside their box."""
    w, h = 390, 844
    net = load_network()
    problem = build_problem(load_scenario(ROOT / "scenarios" / "senkata-2005-06.yaml"), net=net)
    # the module's browser, in a phone-sized context
    ctx = chromium_browser.new_context(
        viewport={"width": w, "height": h}, is_mobile=True, has_touch=True
    )
    try:
        page = ctx.new_page()
        page.set_default_timeout(90_000)
        local_only(page)
        page.goto(server, wait_until="domcontentloaded")
        plan = page.get_by_role("button", name="Planificar", exact=True)
        plan.wait_for()
        chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
        chart.locator("canvas").first.wait_for(state="attached")
        # the sidebar's button says what it opens (CSS text after its "»" icon)
        words = page.locator('[data-testid="stExpandSidebarButton"]').evaluate(
            "el => getComputedStyle(el, '::after').content"
        )
        assert words == '"Turno y escenario"'
        _frames(page)
        assert _inside(plan.bounding_box(), w, h), plan.bounding_box()
        assert _inside(chart.bounding_box(), w, h), chart.bounding_box()
        shot = page.screenshot()
        (tmp_path / "phone.png").write_bytes(shot)

        # the two blockades of the scenario: a closed one and a permit, told apart
        view = map_plan.initial_view(problem)
        box = chart.bounding_box()
        by_id = {b.id: b for b in problem.scenario.blockades}
        closed = _symbol_pixels(shot, box, view, by_id["ceja"].lon, by_id["ceja"].lat)
        permit = _symbol_pixels(
            shot,
            box,
            view,
            by_id["rio-seco-checkpoint"].lon,
            by_id["rio-seco-checkpoint"].lat,
        )
        assert closed["black"] > 60 and closed["yellow"] == 0, closed
        assert permit["yellow"] > 60 and permit["black"] < closed["black"], permit

        plan.click()
        page.get_by_text(re.compile(r"Plan listo en")).first.wait_for(timeout=180_000)
        page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(state="attached")
        _frames(page)
        main = page.locator('[data-testid="stMain"]').first
        assert main.evaluate("el => el.scrollTop") == 0  # nothing scrolled
        assert _inside(plan.bounding_box(), w, h), plan.bounding_box()
        assert _inside(chart.bounding_box(), w, h), chart.bounding_box()
        (tmp_path / "phone-planned.png").write_bytes(page.screenshot())

        # the trucks table: its own sideways scroll, nothing cut off the page
        table = page.locator('[data-testid="stTable"]').first
        table.scroll_into_view_if_needed()
        assert table.evaluate("el => getComputedStyle(el).overflowX") == "auto"
        page_width = page.evaluate("() => document.documentElement.scrollWidth")
        assert page_width <= w
    finally:
        ctx.close()
