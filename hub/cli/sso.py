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
RULE_ROLES = click.Choice(["member-admin"])  # hub staff roles (hub-admin, viewer) never come from a member


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
    @click.option("--role", type=RULE_ROLES, default="member-admin", show_default=True,
                  help="The role in the member (a member's rules grant member-admin only).")
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

    register_saml(sso)  # the SAML service provider's commands (add-saml, federation)


def register_saml(sso: click.Group) -> None:
    """``chair sso add-saml`` (one identity provider from its metadata) and ``chair sso federation`` (a
    federation's signed metadata aggregate: added, or refreshed now)."""

    @sso.command("add-saml")
    @click.option("--slug", required=True, help="Short name of the provider (lower-case letters, digits, -).")
    @click.option("--metadata", "location", required=True,
                  help="The IdP's SAML metadata: an http(s) URL or a file.")
    @click.option("--member", default=None, help="The member (institution slug) the provider signs people into; "
                                                 "none: a provider of the whole hub.")
    @click.option("--scope", "scopes", multiple=True,
                  help="A security domain the provider owns (default: the metadata's shibmd:Scope); repeatable.")
    @click.option("--provisioning", type=PROVISIONING, default="pending", show_default=True,
                  help="What a first sign-in makes: an active account, or one waiting for approval.")
    @click.option("--name-zh", default="", help="Name on the sign-in page in Chinese (default: mdui:DisplayName).")
    @click.option("--name-en", default="", help="Name on the sign-in page in English (default: mdui:DisplayName).")
    @pass_hub
    def add_saml(hub: Hub, slug, location, member, scopes, provisioning, name_zh, name_en):
        """Register a SAML 2.0 identity provider from its metadata."""
        from hub.accounts.federation_metadata import AggregateError, add_saml_provider, read_idp_metadata
        from hub.accounts.providers import parse_provisioning

        with refused_as_usage():
            try:
                entry = read_idp_metadata(hub, location)
            except AggregateError as exc:
                raise ValueError(f"metadata {location}: {exc}") from exc
            with hub.db.session() as session:
                provider = add_saml_provider(session, entry, slug=slug, member=member, scopes=scopes,
                                             provisioning=parse_provisioning(provisioning), name_zh=name_zh,
                                             name_en=name_en)
                owned = ", ".join(provider.scopes) or "no scope"
        click.echo(f"identity provider {slug} added (SAML {entry.entity_id}, {member or 'whole hub'}, {owned}, "
                   f"{provisioning})")

    @sso.command("federation")
    @click.argument("location")
    @click.option("--name", required=True, help="The federation's name (CARSI); an existing one is updated.")
    @click.option("--cert", "cert_file", required=True, type=click.Path(dir_okay=False),
                  help="PEM file of the certificate the aggregate must be signed with.")
    @click.option("--refresh-hours", type=int, default=None,
                  help="Hours between scheduled refreshes (default: CHAIR_FEDERATION_REFRESH_HOURS).")
    @click.option("--member", "members", multiple=True, metavar="SCOPE=MEMBER",
                  help="Assign the IdP of a scope to a member (univ-a.edu.cn=univ-a); repeatable. Without it an "
                       "IdP goes to the member whose website or contact domain is its scope, if exactly one.")
    @json_option
    @pass_hub
    def federation(hub: Hub, location, name, cert_file, refresh_hours, members, as_json):
        """Add or refresh a federation's signed metadata aggregate (URL or file) now."""
        from pathlib import Path

        from hub.accounts.federation_metadata import AggregateError, add_source, parse_mapping, refresh_source

        with refused_as_usage():
            try:
                certificate = Path(cert_file).read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                raise ValueError(f"--cert {cert_file}: {getattr(exc, 'strerror', None) or exc}") from exc
            mapping = parse_mapping(members)
            with hub.db.session() as session:
                try:
                    source = add_source(session, name, location, certificate,
                                        hub.settings.FEDERATION_REFRESH_HOURS if refresh_hours is None
                                        else refresh_hours)
                except AggregateError as exc:
                    raise ValueError(f"--cert {cert_file}: {exc}") from exc
                result = refresh_source(hub, session, source, mapping=mapping)
                valid_until = source.valid_until.isoformat() if source.valid_until else None
        if as_json:
            emit_json({"federation": name, "error": result.error, "added": result.added, "updated": result.updated,
                       "disabled": result.disabled, "unassigned": result.unassigned, "valid_until": valid_until})
        else:
            click.echo(result.summary())
            for entity_id in result.unassigned:
                click.echo(f"  without a member: {entity_id} (assign with --member SCOPE=MEMBER)")
        if result.error:
            raise SystemExit(1)
