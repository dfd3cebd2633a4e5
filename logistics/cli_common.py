"""What every `senkata` command shares: the consoles and the user-error wrapper."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from logistics.errors import SenkataError

#: ``--data-dir`` as every command takes it
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Shared data directory (default ../shared/data or $SENKATA_DATA_DIR)."
    ),
]

console = Console()
err_console = Console(stderr=True)


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn user errors into one line on stderr and exit code 2 (no traceback)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SenkataError as exc:
            err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper
