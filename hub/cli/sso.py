"""``chair sso``: federated sign-in (统一认证). Identity providers (``add-oidc``, ``list``, ``enable``,
``disable``) and members' role rules (``rule add|list|delete``); the SAML commands (``add-saml``,
``federation``) join the same group.

A value the hub refuses (a slug's form, an issuer that is not an https URL, a member that does not exist,
a scope another member owns) is one line on stderr and exit status 2, like click's own usage errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from hub.cli.common import emit_json, json_option, pass_hub, table

if TYPE_CHECKING:
    from hub.context import Hub

PROVISIONING = click.Choice(["active", "pending"])
SOURCES = click.Choice(["group", "email-domain", "affiliation", "entitlement"])
RULE_ROLES = click.Choice(["member-admin", "viewer"])


@contextmanager
def refused_as_usage() -> Iterator[None]:
    """Turn a value the hub refuses (ValueError, LookupError) into a usage error: one line, exit status 2."""
    try:
        yield
    except (ValueError, LookupError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        raise click.UsageError(str(message)) from exc


def register(cli: click.Group) -> None:
    @cli.group()
    def sso() -> None:
        """Federated sign-in: identity providers and the role rules of members."""

    @sso.command("add-oidc")
    @click.option("--slug", required=True, help="Short name of the provider (lower-case letters, digits, -).")
    @click.option("--issuer", required=True, help="The provider's issuer URL (https).")
    @click.option("--client-id", required=True)
    @click.option("--client-secret", required=True)
    @click.option("--member", default=None, help="The member (institution slug) the provider signs people into; "
                                                 "none: a provider of the whole hub.")
    @click.option("--scope", "scopes", multiple=True, help="A security domain the provider owns (univ-a.edu.cn); "
                                                           "repeat for several.")
    @click.option("--provisioning", type=PROVISIONING, default="pending", show_default=True,
                  help="What a first sign-in makes: an active account, or one waiting for approval.")
    @click.option("--name-zh", default="", help="Name shown on the sign-in page in Chinese.")
    @click.option("--name-en", default="", help="Name shown on the sign-in page in English.")
    @click.option("--request-scope", "request_scopes", multiple=True,
                  help="An OAuth scope to request (default: openid profile email).")
    @click.option("--userinfo", is_flag=True, help="Also read the userinfo endpoint at sign-in.")
    @pass_hub
    def add_oidc(hub: Hub, slug, issuer, client_id, client_secret, member, scopes, provisioning, name_zh, name_en,
                 request_scopes, userinfo):
        """Register an OpenID Connect identity provider."""
        from hub.accounts.providers import DEFAULT_REQUEST_SCOPES, add_oidc_provider, parse_provisioning

        with refused_as_usage(), hub.db.session() as session:
            provider = add_oidc_provider(
                session, slug=slug, issuer=issuer, client_id=client_id, client_secret=client_secret, member=member,
                scopes=scopes, provisioning=parse_provisioning(provisioning), name_zh=name_zh, name_en=name_en,
                request_scopes=request_scopes or DEFAULT_REQUEST_SCOPES,
                allow_http=hub.settings.ALLOW_PRIVATE_ADDRESSES)
            if userinfo:
                provider.config = {**provider.config, "userinfo": True}
            owned = ", ".join(provider.scopes) or "no scope"
        click.echo(f"identity provider {slug} added (OpenID Connect, {member or 'whole hub'}, {owned}, "
                   f"{provisioning})")

    @sso.command("list")
    @json_option
    @pass_hub
    def list_cmd(hub: Hub, as_json: bool):
        """Identity providers, enabled or not (secrets never shown)."""
        from hub.accounts.providers import list_providers, public_view

        with hub.db.session() as session:
            views = [public_view(p) for p in list_providers(session)]
        if as_json:
            emit_json(views)
            return
        if not views:
            click.echo("no identity providers")
            return
        click.echo(table([[v["slug"], v["protocol"], v["member"] or "-", ",".join(v["scopes"]) or "-",
                           v["provisioning"], "yes" if v["enabled"] else "no", v["name_zh"] or v["name_en"], v["key"]]
                          for v in views],
                         ["slug", "protocol", "member", "scopes", "provisioning", "enabled", "name", "issuer/entity"]))

    def _set_enabled(hub: Hub, slug: str, enabled: bool) -> None:
        from hub.accounts.providers import set_enabled

        with refused_as_usage(), hub.db.session() as session:
            set_enabled(session, slug, enabled)
        click.echo(f"identity provider {slug} {'enabled' if enabled else 'disabled'}")

    @sso.command("enable")
    @click.argument("slug")
    @pass_hub
    def enable(hub: Hub, slug: str):
        """Let a provider sign people in again."""
        _set_enabled(hub, slug, True)

    @sso.command("disable")
    @click.argument("slug")
    @pass_hub
    def disable(hub: Hub, slug: str):
        """Stop a provider signing anyone in (it leaves the sign-in page; sessions already open stay)."""
        _set_enabled(hub, slug, False)

    @sso.group()
    def rule() -> None:
        """Role rules of members: an attribute or claim value gives a role in that member."""

    @rule.command("add")
    @click.option("--member", required=True, help="The member (institution slug) whose rule this is.")
    @click.option("--source", type=SOURCES, required=True,
                  help="What the rule looks at: an OIDC group, the e-mail's domain, eduPersonScopedAffiliation "
                       "or eduPersonEntitlement.")
    @click.option("--value", required=True, help="The value that must be there (staff@univ-a.edu.cn, a group...).")
    @click.option("--role", type=RULE_ROLES, required=True)
    @pass_hub
    def rule_add(hub: Hub, member, source, value, role):
        """Add a role rule to a member."""
        from hub.accounts.providers import add_rule, parse_source
        from hub.accounts.users import parse_role

        with refused_as_usage(), hub.db.session() as session:
            made = add_rule(session, member=member, source=parse_source(source), value=value, role=parse_role(role))
            rule_id = made.id
        click.echo(f"rule {rule_id} added: {member} {source} {value!r} -> {role}")

    @rule.command("list")
    @click.option("--member", default=None, help="Only this member's rules.")
    @json_option
    @pass_hub
    def rule_list(hub: Hub, member, as_json: bool):
        """Role rules, by member."""
        from hub.accounts.providers import list_rules, rule_view

        with refused_as_usage(), hub.db.session() as session:
            views = [rule_view(r) for r in list_rules(session, member)]
        if as_json:
            emit_json(views)
            return
        if not views:
            click.echo("no role rules")
            return
        click.echo(table([[v["id"], v["member"], v["source"], v["value"], v["role"]] for v in views],
                         ["id", "member", "source", "value", "role"]))

    @rule.command("delete")
    @click.argument("rule_id", type=int)
    @pass_hub
    def rule_delete(hub: Hub, rule_id: int):
        """Delete a role rule."""
        from hub.accounts.providers import delete_rule

        with refused_as_usage(), hub.db.session() as session:
            delete_rule(session, rule_id)
        click.echo(f"rule {rule_id} deleted")

    # The SAML service provider's commands (add-saml, federation) are added to ``sso`` here.
