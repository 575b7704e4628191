"""``chair db``: schema migrations."""

from __future__ import annotations

import click

from hub.cli.common import get_hub


def register(cli: click.Group) -> None:
    @cli.group()
    def db() -> None:
        """Database schema."""

    @db.command("upgrade")
    @click.option("--revision", default="heads", show_default=True)
    @click.pass_context
    def upgrade(ctx: click.Context, revision: str) -> None:
        """Apply migrations up to REVISION."""
        from hub.db import Database

        settings = get_hub(ctx).settings
        database = Database(settings["DATABASE_URL"])
        database.upgrade(revision)
        click.echo(f"database at revision {database.current_revision()}")

    @db.command("current")
    @click.pass_context
    def current(ctx: click.Context) -> None:
        """Print the schema revision of the database."""
        from hub.db import Database

        database = Database(get_hub(ctx).settings["DATABASE_URL"])
        click.echo(database.current_revision() or "empty")
