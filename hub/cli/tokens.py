"""``chair token create|list|revoke``: members' personal API tokens (:mod:`hub.accounts.tokens`).

``create`` prints the new token once (the database keeps only its SHA-256); ``list`` shows every token
without it (``--json`` too); ``revoke`` ends one. A user, member or token that does not exist, or a user
who may not act for that member, is a usage error: one line, exit status 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from hub.cli.common import emit_json, json_option, pass_hub, table

if TYPE_CHECKING:
    from hub.context import Hub
    from hub.models import ApiToken


def _row(token: ApiToken) -> dict[str, Any]:
    from hub.accounts.tokens import state_of

    def when(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {"id": token.id, "name": token.name, "prefix": token.prefix, "user": token.user.username,
            "member": token.institution.slug, "created_at": when(token.created_at),
            "last_used_at": when(token.last_used_at), "expires_at": when(token.expires_at),
            "state": state_of(token).value}


def register(cli: click.Group) -> None:
    @cli.group()
    def token() -> None:
        """Members' personal API tokens (for the JSON API's write actions)."""

    @token.command("create")
    @click.option("--user", "username", required=True, help="The user the token acts as.")
    @click.option("--member", required=True, help="Slug of the member the token acts for.")
    @click.option("--name", required=True, help="What the token is for.")
    @pass_hub
    def token_create(hub: Hub, username: str, member: str, name: str) -> None:
        """Make a token and print it, once."""
        from sqlalchemy import select

        from hub.accounts.tokens import Refusal, TokenRefused, create_token
        from hub.members import get_institution
        from hub.models import User

        with hub.db.session() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise click.BadParameter(f"no user {username!r}", param_hint="--user")
            try:
                institution = get_institution(session, member)
            except LookupError as exc:
                raise click.BadParameter(str(exc), param_hint="--member") from None
            try:
                made = create_token(session, hub.settings, user, institution, name)
            except TokenRefused as exc:
                hint = "--name" if exc.kind is Refusal.BAD_NAME else "--member"
                raise click.BadParameter(str(exc), param_hint=hint) from None
            expires = made.row.expires_at.isoformat() if made.row.expires_at else "never"
            line = f"token {made.row.id} ({made.row.prefix}...) of {username} for {member}, expires {expires}"
            secret = made.secret
        click.echo(line, err=True)
        click.echo(secret)
        click.echo("Copy it now: it is not shown again.", err=True)

    @token.command("list")
    @json_option
    @pass_hub
    def token_list(hub: Hub, as_json: bool) -> None:
        """Every token (never the token itself): name, prefix, user, member, dates and state."""
        from hub.accounts.tokens import all_tokens

        with hub.db.session() as session:
            rows = [_row(t) for t in all_tokens(session)]
        if as_json:
            return emit_json(rows)
        click.echo(table([[r["id"], r["name"], r["prefix"] + "...", r["user"], r["member"], r["created_at"][:16],
                           (r["last_used_at"] or "never")[:16], (r["expires_at"] or "never")[:16], r["state"]]
                          for r in rows],
                         ["id", "name", "prefix", "user", "member", "created", "last used", "expires", "state"]))
        return None

    @token.command("revoke")
    @click.argument("token_id", metavar="ID")
    @pass_hub
    def token_revoke(hub: Hub, token_id: str) -> None:
        """Revoke the token ID (see chair token list): it opens nothing from now on."""
        from hub.accounts.tokens import revoke_token

        if not token_id.isdigit():
            raise click.BadParameter(f"{token_id!r} is not a token id (a number: see chair token list)",
                                     param_hint="ID")
        with hub.db.session() as session:
            try:
                found = revoke_token(session, int(token_id))
            except LookupError as exc:
                raise click.BadParameter(str(exc), param_hint="ID") from None
            prefix = found.prefix
        click.echo(f"token {token_id} ({prefix}...) revoked")
