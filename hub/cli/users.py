"""``chair user add|passwd|role|list``: admin-area accounts. Passwords are read with a hidden prompt
or from standard input (``--password-stdin``), never from the command line, and must pass the password
policy (``PASSWORD_MIN_LENGTH``, no common, repeated or sequential password, not the user's name or
e-mail): a refused one exits non-zero with the reason."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from hub.cli.common import emit_json, json_option, pass_hub, table

if TYPE_CHECKING:
    from hub.context import Hub

ROLE_CHOICE = click.Choice(["hub-admin", "member-admin", "viewer"])


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise click.ClickException("no password on standard input")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def register(cli: click.Group) -> None:
    @cli.group()
    def user() -> None:
        """Accounts of the admin area."""

    @user.command("add")
    @click.argument("username")
    @click.option("--role", type=ROLE_CHOICE, required=True, help="hub-admin, member-admin or viewer.")
    @click.option("--member", default=None, help="Institution slug (required for member-admin).")
    @click.option("--email", default="")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    @click.option("--must-change", is_flag=True, help="The user must choose a new password at the first sign-in.")
    @pass_hub
    def user_add(hub: Hub, username, role, member, email, password_stdin, must_change):
        """Create a user (the password is prompted for, hidden; --password-stdin reads it from standard input)."""
        from hub.accounts.users import check_new_user, create_user, parse_role

        with hub.db.session() as session:  # what can be refused is refused before the password is asked for
            check_new_user(session, username, parse_role(role), member)
        password = _read_password(password_stdin)
        with hub.db.session() as session:
            created = create_user(session, username, password, parse_role(role), member=member, email=email,
                                  min_length=hub.settings["PASSWORD_MIN_LENGTH"], must_change_password=must_change)
            user_id = created.id
        click.echo(f"user {username} added (id {user_id}, {role})")

    @user.command("passwd")
    @click.argument("username")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    @click.option("--must-change", is_flag=True, help="The user must choose a new password at the next sign-in.")
    @pass_hub
    def user_passwd(hub: Hub, username, password_stdin, must_change):
        """Set a user's password; their sessions end."""
        from hub.accounts.users import get_user, set_password

        with hub.db.session() as session:  # an unknown user is refused before the password is asked for
            get_user(session, username)
        password = _read_password(password_stdin)
        with hub.db.session() as session:
            set_password(session, username, password, min_length=hub.settings["PASSWORD_MIN_LENGTH"],
                         must_change_password=must_change)
        click.echo(f"password of {username} changed; every session of {username} ended"
                   + ("; a new one is required at the next sign-in" if must_change else ""))

    @user.command("role")
    @click.argument("username")
    @click.argument("role", type=ROLE_CHOICE)
    @click.option("--member", default=None, help="Institution slug (required for member-admin).")
    @pass_hub
    def user_role(hub: Hub, username, role, member):
        """Change a user's role; their sessions end."""
        from hub.accounts.users import parse_role, set_role

        with hub.db.session() as session:
            set_role(session, username, parse_role(role), member)
        click.echo(f"{username} is now {role}")

    @user.command("list")
    @json_option
    @pass_hub
    def user_list(hub: Hub, as_json):
        """List users and their roles."""
        from hub.models import User

        with hub.db.session() as session:
            rows = [{"id": u.id, "username": u.username, "role": u.role.value, "email": u.email,
                     "member": u.institution.slug if u.institution else "", "active": u.active}
                    for u in session.scalars(select(User).order_by(User.username))]
        if as_json:
            return emit_json(rows)
        click.echo(table([[r["id"], r["username"], r["role"], r["member"], r["email"]] for r in rows],
                         ["id", "user", "role", "member", "email"]))
