"""The browser tests' rule that the app works with no internet: only localhost is reached."""

from __future__ import annotations

from urllib.parse import urlparse


def local_only(page) -> None:
    """Abort every request of ``page`` that leaves this machine (data: and blob: stay)."""
    page.route(
        "**/*",
        lambda r: (
            r.continue_()
            if urlparse(r.request.url).hostname in ("127.0.0.1", "localhost")
            or r.request.url.startswith(("data:", "blob:"))
            else r.abort()
        ),
    )
