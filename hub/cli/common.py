"""Shared CLI plumbing: the root group that turns failures into one line, the lazily built Hub,
JSON output and tables."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import click

from hub.cli.errors import UserError, explain, is_control_flow
from hub.context import Hub
from hub.redaction import redact_url

__all__ = ["HubGroup", "UserError", "emit_json", "get_hub", "json_option", "pass_hub", "table"]


class HubGroup(click.Group):
    """The root group: whatever leaves a command is one clear line on stderr and exit status 1
    (see :mod:`hub.cli.errors`), unless ``chair --traceback`` asked for the traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if is_control_flow(exc) or (ctx.obj or {}).get("traceback"):
                raise
            raise explain(exc, _database_url(ctx)) from exc


def _database_url(ctx: click.Context) -> str:
    """The configured database URL, once the hub's settings were loaded ('' before)."""
    hub = (ctx.find_root().obj or {}).get("hub")
    return redact_url(str(hub.settings.get("DATABASE_URL") or "")) if hub is not None else ""


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
