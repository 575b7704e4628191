"""``chair doctor``: one line per configured backend; exits non-zero when one fails."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from hub.cli.common import emit_json, json_option, pass_hub
from hub.doctor import run_checks

if TYPE_CHECKING:
    from hub.context import Hub


def register(cli: click.Group) -> None:
    @cli.command()
    @json_option
    @pass_hub
    def doctor(hub: Hub, as_json):
        """Check every configured backend: reachable, version, what is wrong and how to fix it."""
        results = run_checks(hub.settings)
        if as_json:
            emit_json([r.__dict__ for r in results])
        else:
            for r in results:
                click.echo(f"{'ok  ' if r.ok else 'FAIL'} {r.name:<9} {r.url}  {r.detail}")
        if not all(r.ok for r in results):
            raise SystemExit(1)
