"""The admin side of federated sign-in: hub administrators add, disable and enable identity providers; member
admins edit their own member's sign-in rules (and only theirs) and approve the accounts waiting for them; the
account page says how the session was signed in; local sign-in for member staff can be switched off; the
sign-in page links to the institutions' sign-in."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hub.accounts.federated import complete_sign_in
from hub.accounts.identity import FederatedIdentity
from hub.accounts.providers import add_oidc_provider, add_rule, get_provider
from hub.accounts.sessions import open_session
from hub.accounts.users import create_user
from hub.context import Hub
from hub.members import add_institution
from hub.models import AuditEntry, Role, User
from hub.models.accounts import SignInMethod
from hub.models.federation import IdentityProvider, Provisioning, RoleRule, RuleSource

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def site(hub):
    with hub.db.session() as db:
        add_institution(db, "univ-a", "University A", "甲大学")
        add_institution(db, "univ-b", "University B", "乙大学")
        create_user(db, "root", PASSWORD, Role.HUB_ADMIN)
        create_user(db, "a-admin", PASSWORD, Role.MEMBER_ADMIN, member="univ-a")
        create_user(db, "b-admin", PASSWORD, Role.MEMBER_ADMIN, member="univ-b")
        create_user(db, "staff", PASSWORD, Role.VIEWER)
        add_oidc_provider(db, slug="univ-a", issuer="https://idp.univ-a.edu.cn", client_id="c", client_secret="s",
                          member="univ-a", scopes=["univ-a.edu.cn"], provisioning=Provisioning.PENDING)
        add_rule(db, member="univ-a", source=RuleSource.GROUP, value="repository-managers", role=Role.MEMBER_ADMIN)
        add_rule(db, member="univ-b", source=RuleSource.GROUP, value="b-staff", role=Role.MEMBER_ADMIN)
    return hub


def signed_in(client, username: str) -> str:
    """Sign ``username`` in with the local form; returns the session's CSRF token."""
    token = CSRF.search(client.get("/admin/sign-in").get_data(as_text=True)).group(1)
    answer = client.post("/admin/sign-in", data={"csrf_token": token, "username": username, "password": PASSWORD})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return CSRF.search(client.get("/admin/password").get_data(as_text=True)).group(1)


def rules_of(hub, slug: str) -> list[str]:
    from hub.members import get_institution

    with hub.db.session() as db:
        member = get_institution(db, slug).id
        return [r.value for r in db.scalars(select(RoleRule).where(RoleRule.institution_id == member)
                                            .order_by(RoleRule.id))]


def test_hub_admins_add_disable_and_enable_providers(site, client):
    token = signed_in(client, "root")
    page = client.get("/admin/identity-providers?lang=en").get_data(as_text=True)
    assert 'data-slug="univ-a"' in page and "univ-a.edu.cn" in page and "Waits for approval" in page
    added = client.post("/admin/identity-providers", data={
        "csrf_token": token, "slug": "univ-b", "issuer": "https://sso.univ-b.edu.cn/oidc", "client_id": "hub",
        "client_secret": "secret", "member": "univ-b", "scopes": "univ-b.edu.cn, lib.univ-b.edu.cn",
        "provisioning": "active", "name_zh": "乙大学统一认证", "name_en": "University B SSO"})
    assert added.status_code == 302
    with site.db.session() as db:
        provider = get_provider(db, "univ-b")
        assert provider.scopes == ["univ-b.edu.cn", "lib.univ-b.edu.cn"] and provider.institution.slug == "univ-b"
        assert provider.provisioning == Provisioning.ACTIVE and provider.config["client_secret"] == "secret"
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "sso.provider-add",
                                                   AuditEntry.target_id == "univ-b"))
        assert entry.username == "root" and "secret" not in str(entry.after)
    assert client.post("/admin/identity-providers/state", data={"csrf_token": token, "slug": "univ-b",
                                                                "enabled": "0"}).status_code == 302
    with site.db.session() as db:
        assert get_provider(db, "univ-b").enabled is False
    client.post("/admin/identity-providers/state", data={"csrf_token": token, "slug": "univ-b", "enabled": "1"})
    with site.db.session() as db:
        assert get_provider(db, "univ-b").enabled is True
    assert client.post("/admin/identity-providers/state", data={"csrf_token": token, "slug": "nope",
                                                                "enabled": "1"}).status_code == 404
    assert client.post("/admin/identity-providers/state", data={"csrf_token": token}).status_code == 422


def test_a_provider_the_registry_refuses_is_told_on_the_form(site, client):
    token = signed_in(client, "root")
    answer = client.post("/admin/identity-providers?lang=en", data={
        "csrf_token": token, "slug": "evil", "issuer": "https://evil.example", "client_id": "c",
        "client_secret": "s", "member": "univ-b", "scopes": "univ-a.edu.cn"})
    assert answer.status_code == 422
    assert "owned by provider univ-a of another member" in answer.get_data(as_text=True)
    assert 'value="s"' not in answer.get_data(as_text=True)  # the secret is not sent back
    bad = client.post("/admin/identity-providers", data={"csrf_token": token, "slug": "x y", "issuer": "nope",
                                                          "client_id": "c", "client_secret": "s"})
    assert bad.status_code == 422
    with site.db.session() as db:
        assert [p.slug for p in db.scalars(select(IdentityProvider))] == ["univ-a"]
    assert client.post("/admin/identity-providers", data={"slug": "x"}).status_code == 400  # no CSRF token


def test_member_staff_may_not_manage_providers(site, client):
    signed_in(client, "a-admin")
    assert client.get("/admin/identity-providers").status_code == 403
    other = client.application.test_client()
    signed_in(other, "staff")
    assert other.get("/admin/identity-providers").status_code == 403
    assert other.get("/admin/role-rules").status_code == 403  # a viewer edits no rules


def test_a_member_admin_edits_their_own_members_rules_only(site, client):
    token = signed_in(client, "a-admin")
    page = client.get("/admin/role-rules?lang=en").get_data(as_text=True)
    assert "repository-managers" in page and "b-staff" not in page and "University A" in page
    assert "Sign-in rules" in client.get("/admin/").get_data(as_text=True)  # in the navigation
    # the member in the form is ignored: a member admin's rules are their own member's
    from hub.members import get_institution

    with site.db.session() as db:
        b_id = get_institution(db, "univ-b").id
        b_rule = db.scalar(select(RoleRule.id).where(RoleRule.value == "b-staff"))
    assert client.get(f"/admin/role-rules?institution_id={b_id}").get_data(as_text=True).count("b-staff") == 0
    client.post("/admin/role-rules", data={"csrf_token": token, "institution_id": b_id, "source": "affiliation",
                                           "value": "staff@univ-a.edu.cn", "role": "member-admin"})
    assert rules_of(site, "univ-a") == ["repository-managers", "staff@univ-a.edu.cn"]
    assert rules_of(site, "univ-b") == ["b-staff"]
    assert client.post("/admin/role-rules/delete", data={"csrf_token": token, "rule_id": b_rule}).status_code == 404
    assert client.post("/admin/role-rules/delete", data={"csrf_token": token, "rule_id": "x"}).status_code == 422
    assert rules_of(site, "univ-b") == ["b-staff"]
    refused = client.post("/admin/role-rules?lang=en", data={"csrf_token": token, "source": "affiliation",
                                                              "value": "no-scope", "role": "member-admin"})
    assert refused.status_code == 422 and "role@scope" in refused.get_data(as_text=True)
    for staff_role in ("hub-admin", "viewer"):  # hub staff roles: never from a member's rule
        refused = client.post("/admin/role-rules", data={"csrf_token": token, "source": "group", "value": "x",
                                                          "role": staff_role})
        assert refused.status_code == 422 and rules_of(site, "univ-a")[-1] == "staff@univ-a.edu.cn"
    with site.db.session() as db:
        own = db.scalar(select(RoleRule.id).where(RoleRule.value == "repository-managers"))
    assert client.post("/admin/role-rules/delete", data={"csrf_token": token, "rule_id": own}).status_code == 302
    assert rules_of(site, "univ-a") == ["staff@univ-a.edu.cn"]


def test_a_hub_admin_chooses_the_member(site, client):
    token = signed_in(client, "root")
    from hub.members import get_institution

    with site.db.session() as db:
        b_id = get_institution(db, "univ-b").id
    assert "b-staff" in client.get(f"/admin/role-rules?institution_id={b_id}").get_data(as_text=True)
    client.post("/admin/role-rules", data={"csrf_token": token, "institution_id": b_id, "source": "email-domain",
                                           "value": "univ-b.edu.cn", "role": "member-admin"})
    assert rules_of(site, "univ-b") == ["b-staff", "univ-b.edu.cn"]
    assert client.get("/admin/role-rules?institution_id=999").status_code == 404
    assert client.get("/admin/role-rules?institution_id=x").status_code == 404


def waiting_account(hub) -> int:
    identity = FederatedIdentity(method=SignInMethod.OIDC, provider_key="https://idp.univ-a.edu.cn",
                                 subject="sub-new", email="new@univ-a.edu.cn", username_hint="newcomer",
                                 groups=("repository-managers",))
    with hub.db.session() as db:
        result = complete_sign_in(db, hub.settings, get_provider(db, "univ-a"), identity)
        return result.user.id


def test_member_admins_approve_the_accounts_waiting_for_their_member(site, client):
    user_id = waiting_account(site)
    other = client.application.test_client()
    other_token = signed_in(other, "b-admin")
    assert "newcomer" not in other.get("/admin/pending-accounts").get_data(as_text=True)
    assert other.post("/admin/pending-accounts/decide",
                      data={"csrf_token": other_token, "user_id": user_id, "decision": "approve"}).status_code == 403
    token = signed_in(client, "a-admin")
    assert 'data-user="newcomer"' in client.get("/admin/pending-accounts").get_data(as_text=True)
    decide = {"csrf_token": token, "user_id": user_id, "decision": "approve"}
    assert client.post("/admin/pending-accounts/decide", data={**decide, "decision": "maybe"}).status_code == 422
    assert client.post("/admin/pending-accounts/decide", data=decide).status_code == 302
    with site.db.session() as db:
        user = db.get(User, user_id)
        assert user.active and not user.approval_pending
    assert client.post("/admin/pending-accounts/decide", data=decide).status_code == 404


def test_a_refused_account_is_gone(site, client):
    user_id = waiting_account(site)
    token = signed_in(client, "root")
    assert 'data-user="newcomer"' in client.get("/admin/pending-accounts").get_data(as_text=True)
    client.post("/admin/pending-accounts/decide", data={"csrf_token": token, "user_id": user_id, "decision": "refuse"})
    with site.db.session() as db:
        assert db.get(User, user_id) is None
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "user.reject")).username == "root"


def test_the_account_page_says_how_the_session_was_signed_in(site, client):
    signed_in(client, "a-admin")
    assert "Signed in with a local password." in client.get("/admin/password?lang=en").get_data(as_text=True)
    federated = client.application.test_client()
    with site.db.session() as db:
        user = create_user(db, "fed", PASSWORD, Role.MEMBER_ADMIN, member="univ-a")
        user.password_hash = "!"
        provider = get_provider(db, "univ-a")
        provider.name_en = "University A SSO"
        token = open_session(db, site.settings, user, method=SignInMethod.OIDC, provider_id=provider.id,
                             subject="sub-fed-1")
    with federated.session_transaction() as kept:
        kept["sid"] = token
    page = federated.get("/admin/password?lang=en").get_data(as_text=True)
    assert "Signed in through University A SSO (OpenID Connect) as sub-fed-1." in page
    assert "no local password" in page and 'name="current_password"' not in page


def test_the_sign_in_page_links_to_the_institutions_sign_in(site, client):
    page = client.get("/admin/sign-in?next=/admin/runs").get_data(as_text=True)
    assert 'href="/auth/login?next=/admin/runs"' in page


def test_local_sign_in_can_be_kept_for_hub_administrators_only(site, overrides, tmp_path):
    from hub.app import create_app

    instance = tmp_path / "strict"
    instance.mkdir()
    strict = Hub.create(overrides={**overrides, "LOCAL_SIGN_IN_MEMBER_STAFF": False}, instance_path=instance)
    app = create_app(hub=strict)
    client = app.test_client()
    token = CSRF.search(client.get("/admin/sign-in").get_data(as_text=True)).group(1)
    refused = client.post("/admin/sign-in?lang=en", data={"csrf_token": token, "username": "a-admin",
                                                           "password": PASSWORD})
    assert refused.status_code == 403 and "Member staff sign in with their institution" in refused.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    root = client.post("/admin/sign-in", data={"csrf_token": token, "username": "root", "password": PASSWORD})
    assert root.status_code == 302 and client.get("/admin/").status_code == 200
    with strict.db.session() as db:
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "user.sign-in-local-refused")).username == \
            "a-admin"
    strict.db.dispose()
