"""``chair sso``: add an OpenID Connect provider, list providers (text and JSON, secrets never shown), disable
and enable one, add, list and delete role rules; wrong input is one line and exit status 2, never a
traceback, and saves nothing."""

from __future__ import annotations

import json
import traceback

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hub.cli import cli
from hub.members import add_institution
from hub.models import AuditEntry
from hub.models.federation import IdentityProvider, RoleRule

ISSUER = "https://idp.univ-a.edu.cn/realms/univ-a"


@pytest.fixture
def chair(hub):
    with hub.db.session() as db:
        add_institution(db, "univ-a", "University A", "甲大学")
        add_institution(db, "univ-b", "University B", "乙大学")
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args), obj={"hub": hub, "instance": hub.settings["INSTANCE_PATH"]})
        if result.exc_info and not isinstance(result.exception, SystemExit):
            traceback.print_exception(*result.exc_info)
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.output

    return run


def add_univ_a(chair, *extra: str) -> str:
    return chair("sso", "add-oidc", "--slug", "univ-a", "--issuer", ISSUER, "--client-id", "chair-hub",
                 "--client-secret", "top-secret", "--member", "univ-a", "--scope", "univ-a.edu.cn",
                 "--name-zh", "甲大学统一认证", "--name-en", "University A SSO", *extra)


def test_add_and_list_providers(chair, hub):
    assert "identity provider univ-a added (OpenID Connect, univ-a, univ-a.edu.cn, pending)" in add_univ_a(chair)
    chair("sso", "add-oidc", "--slug", "carsi-oidc", "--issuer", "https://oidc.carsi.example", "--client-id", "h",
          "--client-secret", "s2", "--provisioning", "active", "--request-scope", "profile", "--userinfo")
    text = chair("sso", "list")
    assert "univ-a" in text and "甲大学统一认证" in text and "carsi-oidc" in text and "top-secret" not in text
    listed = json.loads(chair("sso", "list", "--json"))
    assert [p["slug"] for p in listed] == ["carsi-oidc", "univ-a"]
    univ_a = listed[1]
    assert univ_a == {"slug": "univ-a", "protocol": "oidc", "key": ISSUER, "name_en": "University A SSO",
                      "name_zh": "甲大学统一认证", "member": "univ-a", "scopes": ["univ-a.edu.cn"],
                      "provisioning": "pending", "enabled": True,
                      "config": {"client_id": "chair-hub", "request_scopes": ["openid", "profile", "email"]}}
    assert listed[0]["member"] is None and listed[0]["config"]["request_scopes"] == ["openid", "profile"]
    assert listed[0]["config"]["userinfo"] is True
    with hub.db.session() as db:
        assert db.scalar(select(IdentityProvider).where(IdentityProvider.slug == "univ-a")) \
            .config["client_secret"] == "top-secret"
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "sso.provider-add"))
        assert entry.username == "(cli)" and "top-secret" not in json.dumps(entry.after)


def test_disable_and_enable(chair):
    add_univ_a(chair)
    assert chair("sso", "disable", "univ-a").strip() == "identity provider univ-a disabled"
    assert json.loads(chair("sso", "list", "--json"))[0]["enabled"] is False
    chair("sso", "enable", "univ-a")
    assert json.loads(chair("sso", "list", "--json"))[0]["enabled"] is True
    assert "no identity provider 'nope'" in chair("sso", "enable", "nope", code=2)


@pytest.mark.parametrize(("args", "message"), [
    (("--slug", "Bad Slug"), "invalid provider slug 'Bad Slug'"),
    (("--issuer", "ftp://idp.example"), "invalid issuer 'ftp://idp.example'"),
    (("--issuer", "https://idp.example/?realm=a"), "without query or fragment"),
    (("--member", "nope"), "no member 'nope'"),
    (("--scope", "not a domain"), "invalid scope 'not a domain'"),
    (("--client-id", " "), "a client id is required"),
    (("--provisioning", "sometimes"), "Invalid value for '--provisioning'"),
])
def test_wrong_input_is_one_line_and_exit_status_2(chair, hub, args, message):
    base = {"--slug": "univ-x", "--issuer": "https://idp.x.example", "--client-id": "c", "--client-secret": "s"}
    options = dict(base)
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    output = chair("sso", "add-oidc", *[part for pair in options.items() for part in pair], code=2)
    assert message in output
    with hub.db.session() as db:
        assert db.scalars(select(IdentityProvider)).all() == []


def test_a_second_provider_may_not_take_another_members_scope_or_a_used_slug(chair):
    add_univ_a(chair)
    assert "scope univ-a.edu.cn is owned by provider univ-a of another member" in chair(
        "sso", "add-oidc", "--slug", "univ-b", "--issuer", "https://idp.univ-b.edu.cn", "--client-id", "c",
        "--client-secret", "s", "--member", "univ-b", "--scope", "univ-a.edu.cn", code=2)
    assert "identity provider 'univ-a' already exists" in chair(
        "sso", "add-oidc", "--slug", "univ-a", "--issuer", "https://other.example",
        "--client-id", "c", "--client-secret", "s", code=2)
    assert f"a provider with issuer {ISSUER} already exists" in chair("sso", "add-oidc", "--slug", "univ-a2", "--issuer", ISSUER, "--client-id", "c",
                             "--client-secret", "s", code=2)


def test_rules_add_list_delete(chair, hub):
    made = chair("sso", "rule", "add", "--member", "univ-a", "--source", "group", "--value", "repository-managers",
                 "--role", "member-admin")
    assert "-> member-admin" in made
    chair("sso", "rule", "add", "--member", "univ-a", "--source", "email-domain", "--value", "Univ-A.edu.cn")
    chair("sso", "rule", "add", "--member", "univ-b", "--source", "affiliation", "--value", "staff@univ-b.edu.cn",
          "--role", "member-admin")
    rules = json.loads(chair("sso", "rule", "list", "--json"))
    assert [(r["member"], r["source"], r["value"], r["role"]) for r in rules] == [
        ("univ-a", "group", "repository-managers", "member-admin"), ("univ-a", "email-domain", "univ-a.edu.cn", "member-admin"),
        ("univ-b", "eduPersonScopedAffiliation", "staff@univ-b.edu.cn", "member-admin")]
    assert [r["value"] for r in json.loads(chair("sso", "rule", "list", "--member", "univ-b", "--json"))] == \
        ["staff@univ-b.edu.cn"]
    assert "repository-managers" in chair("sso", "rule", "list")
    chair("sso", "rule", "delete", str(rules[0]["id"]))
    with hub.db.session() as db:
        assert len(db.scalars(select(RoleRule)).all()) == 2
    assert f"no role rule {rules[0]['id']}" in chair("sso", "rule", "delete", str(rules[0]["id"]), code=2)


@pytest.mark.parametrize(("args", "message"), [
    (("--member", "nope", "--source", "group", "--value", "x"), "no member 'nope'"),
    (("--member", "univ-a", "--source", "group", "--value", "x", "--role", "hub-admin"), "Invalid value for '--role'"),
    (("--member", "univ-a", "--source", "group", "--value", "x", "--role", "viewer"), "Invalid value for '--role'"),
    (("--member", "univ-a", "--source", "colour", "--value", "x"), "Invalid value for '--source'"),
    (("--member", "univ-a", "--source", "affiliation", "--value", "staff"), "role@scope"),
    (("--member", "univ-a", "--source", "group", "--value", " "), "a rule needs a value"),
])
def test_wrong_rules_are_refused_with_exit_status_2(chair, hub, args, message):
    assert message in chair("sso", "rule", "add", *args, code=2)
    with hub.db.session() as db:
        assert db.scalars(select(RoleRule)).all() == []


def test_a_duplicate_rule_is_refused(chair):
    args = ("sso", "rule", "add", "--member", "univ-a", "--source", "group", "--value", "x")
    chair(*args)
    assert "already has a rule" in chair(*args, code=2)
