"""First-load transfer of the app: the bytes a phone downloads before it can plan.

Starts ``streamlit run app.py`` on a free local port, puts a byte-counting TCP proxy in
front of it, and opens the page in Debian's headless Chromium (Playwright, no internet) at
390 x 844, then at 1366 x 768, each in a fresh browser context (empty cache). When the map's
canvas and the Plan button are on the page and the network has been quiet for 3 s, it
records:

* ``wire``: every byte the server sent through the proxy (HTTP and WebSocket, after any
  compression): what the connection really carried;
* ``http``: the sum of HTTP response sizes as Playwright reports them (headers + body);
* ``ws``: the WebSocket messages' payloads after decompression (the page's elements; the
  map's layers are most of it).

Run it from the checkout, one benchmark at a time on the shared machine::

    flock /work/bench.lock nice .venv/bin/python bench/first_load_bench.py
    flock /work/bench.lock nice .venv/bin/python bench/first_load_bench.py --root /tmp/old \\
        --label before --no-ws-compression

``--root`` measures another checkout (e.g. an older commit unpacked with ``git archive``);
``--no-ws-compression`` turns off the WebSocket compression ``.streamlit/config.toml``
turns on. Results are appended to ``bench/results/first_load.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
VIEWPORTS = ((390, 844), (1366, 768))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CountingProxy:
    """A TCP proxy on 127.0.0.1 that counts the bytes the upstream server sends."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.port = _free_port()
        self.down = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self._ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def pipe(r: asyncio.StreamReader, w: asyncio.StreamWriter, count: bool) -> None:
            try:
                while data := await r.read(65536):
                    if count:
                        self.down += len(data)
                    w.write(data)
                    await w.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                w.close()

        async def handle(cr: asyncio.StreamReader, cw: asyncio.StreamWriter) -> None:
            sr, sw = await asyncio.open_connection("127.0.0.1", self.upstream)
            await asyncio.gather(pipe(cr, sw, False), pipe(sr, cw, True))

        async def main() -> None:
            server = await asyncio.start_server(handle, "127.0.0.1", self.port)
            self._ready.set()
            async with server:
                await server.serve_forever()

        self._loop.run_until_complete(main())


def _start_app(root: Path, port: int, ws_compression: bool) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(root))
    env.setdefault("SENKATA_DATA_DIR", str(HERE.parent / "shared" / "data"))
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.enableWebsocketCompression", "true" if ws_compression else "false",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("streamlit did not start")


def measure(root: Path, ws_compression: bool) -> list[dict]:
    """One fresh first load per viewport; bytes as the module docstring says."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    proc = _start_app(root, port, ws_compression)
    proxy = CountingProxy(port)
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            for w, h in VIEWPORTS:
                ctx = browser.new_context(viewport={"width": w, "height": h})
                page = ctx.new_page()
                page.set_default_timeout(180_000)
                http: list[int] = []
                ws: list[int] = []
                last = [time.monotonic()]

                def done(req, http=http, last=last) -> None:
                    sizes = req.sizes()
                    http.append(sizes["responseBodySize"] + sizes["responseHeadersSize"])
                    last[0] = time.monotonic()

                def frame(payload, ws=ws, last=last) -> None:
                    ws.append(len(payload))
                    last[0] = time.monotonic()

                page.on("requestfinished", done)
                page.on("websocket", lambda sock, frame=frame: sock.on("framereceived", frame))
                start = proxy.down
                t0 = time.monotonic()
                page.goto(f"http://127.0.0.1:{proxy.port}/")
                page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(
                    state="attached"
                )
                page.get_by_role("button", name="Planificar", exact=True).wait_for()
                while time.monotonic() - last[0] < 3.0:
                    page.wait_for_timeout(250)
                rows.append(
                    {
                        "viewport": f"{w}x{h}",
                        "wire": proxy.down - start,
                        "http": sum(http),
                        "responses": len(http),
                        "ws": sum(ws),
                        "seconds": last[0] - t0,
                    }
                )
                ctx.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(30)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=HERE, help="checkout to measure")
    ap.add_argument("--label", default="this checkout")
    ap.add_argument("--no-ws-compression", action="store_true")
    args = ap.parse_args()
    rows = measure(args.root.resolve(), not args.no_ws_compression)
    mb = 1_000_000
    lines = [
        f"\n## {args.label} ({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, websocket "
        f"compression {'off' if args.no_ws_compression else 'on'})\n",
        "| viewport | wire (MB) | HTTP responses (MB, n) | WebSocket payload (MB) |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r['viewport']} | {r['wire'] / mb:.2f} | {r['http'] / mb:.2f} ({r['responses']}) "
        f"| {r['ws'] / mb:.3f} |"
        for r in rows
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = HERE / "bench" / "results" / "first_load.md"
    if not out.exists():
        out.write_text("# First-load transfer of the app (bench/first_load_bench.py)\n")
    with out.open("a", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
