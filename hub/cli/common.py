"""Shared CLI plumbing: the lazily built Hub, JSON output and user errors."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import click

from hub.context import Hub


class UserError(click.ClickException):
    """An error the user can fix: printed as one line, exit status 1."""


class HubGroup(click.Group):
    """A group whose commands turn expected failures into one clear line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (LookupError, ValueError, RuntimeError) as exc:
            # click's own control flow passes through: --help and a finished command raise Exit (a
            # RuntimeError since click 8.2), Ctrl-C raises Abort; usage errors are ClickExceptions.
            if isinstance(exc, (click.ClickException, click.exceptions.Exit, click.Abort)):
                raise
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            raise UserError(str(message)) from exc


def get_hub(ctx: click.Context) -> Hub:
    """The Hub for this invocation, built on first use."""
    root = ctx.find_root()
    if "hub" not in root.obj:
        root.obj["hub"] = Hub.create(instance_path=root.obj.get("instance"))
    return root.obj["hub"]


def pass_hub(func: Callable) -> Callable:
    """Decorator: call the command with the Hub as its first argument."""

    @click.pass_context
    @functools.wraps(func)
    def wrapper(ctx: click.Context, *args, **kwargs):
        return func(get_hub(ctx), *args, **kwargs)

    return wrapper


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON (UTF-8, not ASCII-escaped)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


def table(rows: list[list[Any]], headers: list[str]) -> str:
    """A plain text table, column widths from the content."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        lines.append("  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
