"""complete_sign_in, whatever the protocol: scope ownership, role rules, just-in-time accounts, approval,
deactivated accounts, roles changed at sign-in, and the audit log. No identity provider needed: the
identities are what a protocol's checks would hand over."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.accounts.federated import (
    NO_PASSWORD,
    Outcome,
    approve_account,
    complete_sign_in,
    pending_accounts,
    reject_account,
)
from hub.accounts.identity import FederatedIdentity
from hub.accounts.providers import add_oidc_provider, add_rule, set_enabled
from hub.accounts.sessions import open_session, open_sessions
from hub.accounts.users import create_user
from hub.members import add_institution
from hub.models import AuditEntry, Role, User
from hub.models.accounts import SignInMethod
from hub.models.federation import ExternalIdentity, IdentityProvider, Provisioning, RoleRule, RuleSource

ISSUER_A = "https://idp.univ-a.edu.cn/realms/univ-a"
ISSUER_B = "https://idp.univ-b.edu.cn/realms/univ-b"
HUB_WIDE = "https://carsi.example/idp"


@pytest.fixture
def members(hub):
    """Members univ-a and univ-b, one OIDC provider each (univ-a's makes active accounts, univ-b's pending
    ones), and univ-a's rules: the repository managers' group, library staff (scoped affiliation) and the
    library's e-mail domain make member admins."""
    with hub.db.session() as db:
        add_institution(db, "univ-a", "University A", "甲大学")
        add_institution(db, "univ-b", "University B", "乙大学")
        add_oidc_provider(db, slug="univ-a", issuer=ISSUER_A, client_id="hub", client_secret="s", member="univ-a",
                          scopes=["univ-a.edu.cn"], provisioning=Provisioning.ACTIVE)
        add_oidc_provider(db, slug="univ-b", issuer=ISSUER_B, client_id="hub", client_secret="s", member="univ-b",
                          scopes=["univ-b.edu.cn"], provisioning=Provisioning.PENDING)
        add_rule(db, member="univ-a", source=RuleSource.GROUP, value="repository-managers", role=Role.MEMBER_ADMIN)
        add_rule(db, member="univ-a", source=RuleSource.SCOPED_AFFILIATION, value="library-staff@univ-a.edu.cn",
                 role=Role.MEMBER_ADMIN)
        add_rule(db, member="univ-a", source=RuleSource.EMAIL_DOMAIN, value="lib.univ-a.edu.cn",
                 role=Role.MEMBER_ADMIN)
        add_rule(db, member="univ-b", source=RuleSource.SCOPED_AFFILIATION, value="staff@univ-b.edu.cn",
                 role=Role.MEMBER_ADMIN)
    return hub


def person(subject: str, issuer: str = ISSUER_A, **fields) -> FederatedIdentity:
    return FederatedIdentity(method=SignInMethod.OIDC, provider_key=issuer, subject=subject, **fields)


ALICE = person("sub-alice", email="alice@univ-a.edu.cn", username_hint="alice", groups=("repository-managers",),
               scoped_affiliations=("staff@univ-a.edu.cn",))


def sign_in(hub, identity: FederatedIdentity, slug: str = "univ-a"):
    with hub.db.session() as db:
        provider = db.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug))
        result = complete_sign_in(db, hub.settings, provider, identity)
        user = result.user
        summary = (result.outcome, user.username if user else None, result.role, result.institution_id,
                   result.created)
    return summary


def institution_id(hub, slug: str) -> int:
    from hub.members import get_institution

    with hub.db.session() as db:
        return get_institution(db, slug).id


def audit(hub, action: str) -> list[AuditEntry]:
    with hub.db.session() as db:
        entries = db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()
        db.expunge_all()
        return list(entries)


def test_first_sign_in_makes_the_account_with_its_role(members):
    outcome, username, role, member, created = sign_in(members, ALICE)
    assert (outcome, username, role, created) == (Outcome.SIGNED_IN, "alice", Role.MEMBER_ADMIN, True)
    assert member == institution_id(members, "univ-a")
    with members.db.session() as db:
        user = db.scalar(select(User).where(User.username == "alice"))
        assert user.password_hash == NO_PASSWORD and not user.has_password and user.active
        assert user.email == "alice@univ-a.edu.cn" and user.institution_id == member
        link = db.scalar(select(ExternalIdentity).where(ExternalIdentity.subject == "sub-alice"))
        assert link.user_id == user.id and link.attributes["groups"] == ["repository-managers"]
    entry = audit(members, "sso.sign-in")[-1]
    assert entry.target_id == "univ-a" and entry.after["subject"] == "sub-alice"
    assert entry.after["provider"] == "univ-a" and entry.after["role"] == "member-admin" and entry.username == "alice"


def test_a_later_sign_in_finds_the_same_account_and_refreshes_the_attributes(members):
    sign_in(members, ALICE)
    again = person("sub-alice", email="alice@univ-a.edu.cn", username_hint="alice-renamed",
                   groups=("repository-managers", "readers"))
    outcome, username, _role, _member, created = sign_in(members, again)
    assert (outcome, username, created) == (Outcome.SIGNED_IN, "alice", False)
    with members.db.session() as db:
        assert db.scalar(select(ExternalIdentity.attributes)
                         .where(ExternalIdentity.subject == "sub-alice"))["groups"] == ["repository-managers",
                                                                                       "readers"]
        assert len(db.scalars(select(User)).all()) == 1


def test_a_provider_asserting_another_members_scope_is_refused(members):
    mallory = person("sub-mallory", email="mallory@univ-a.edu.cn", username_hint="mallory",
                     scoped_affiliations=("staff@univ-b.edu.cn",), groups=("repository-managers",))
    outcome, username, *_ = sign_in(members, mallory)
    assert outcome == Outcome.REFUSED_SCOPE and username is None
    with members.db.session() as db:
        assert db.scalar(select(User).where(User.username == "mallory")) is None
    entry = audit(members, "sso.refused")[-1]
    assert entry.after["scope"] == "univ-b.edu.cn" and entry.after["subject"] == "sub-mallory"
    assert entry.target_id == "univ-a" and "other-member" in entry.note


def test_a_scope_no_provider_of_the_member_owns_is_refused(members):
    stranger = person("sub-x", scoped_affiliations=("staff@elsewhere.org",), groups=("repository-managers",))
    assert sign_in(members, stranger)[0] == Outcome.REFUSED_SCOPE
    assert "not-owned" in audit(members, "sso.refused")[-1].note


def test_a_scoped_user_name_counts_as_a_scope(members):
    other = person("sub-y", username_hint="eve@univ-b.edu.cn", groups=("repository-managers",))
    assert sign_in(members, other)[0] == Outcome.REFUSED_SCOPE


def test_a_subdomain_of_an_owned_scope_is_owned(members):
    library = person("sub-lib", scoped_affiliations=("staff@lib.univ-a.edu.cn",), groups=("repository-managers",))
    assert sign_in(members, library)[0] == Outcome.SIGNED_IN


def test_an_email_of_another_members_domain_is_refused(members):
    spoof = person("sub-spoof", email="boss@univ-b.edu.cn", groups=("repository-managers",))
    assert sign_in(members, spoof)[0] == Outcome.REFUSED_SCOPE


def test_an_email_domain_nobody_owns_matches_no_email_rule_but_refuses_nothing_else(members):
    with members.db.session() as db:  # a careless rule: univ-a's provider does not own gmail.com
        add_rule(db, member="univ-a", source=RuleSource.EMAIL_DOMAIN, value="gmail.com", role=Role.MEMBER_ADMIN)
    someone = person("sub-gmail", email="someone@gmail.com")
    assert sign_in(members, someone)[0] == Outcome.REFUSED_NO_ROLE  # the email-domain rule does not match
    manager = person("sub-gmail-2", email="manager@gmail.com", groups=("repository-managers",))
    assert sign_in(members, manager)[:3] == (Outcome.SIGNED_IN, "manager@gmail.com", Role.MEMBER_ADMIN)


def test_the_email_domain_and_affiliation_rules_give_their_role(members):
    outcome, _name, role, *_ = sign_in(members, person("sub-carol", email="carol@lib.univ-a.edu.cn"))
    assert (outcome, role) == (Outcome.SIGNED_IN, Role.MEMBER_ADMIN)
    outcome, _name, role, *_ = sign_in(members, person("sub-dan", scoped_affiliations=("Library-Staff@univ-a.edu.cn",)))
    assert (outcome, role) == (Outcome.SIGNED_IN, Role.MEMBER_ADMIN)
    assert sign_in(members, person("sub-erin", email="erin@univ-a.edu.cn"))[0] == Outcome.REFUSED_NO_ROLE


def test_no_matching_rule_no_access_and_no_account(members):
    nobody = person("sub-n", scoped_affiliations=("student@univ-a.edu.cn",), username_hint="student")
    assert sign_in(members, nobody)[0] == Outcome.REFUSED_NO_ROLE
    with members.db.session() as db:
        assert db.scalars(select(User)).all() == []
        assert db.scalars(select(ExternalIdentity)).all() == []
    assert audit(members, "sso.refused")[-1].after["outcome"] == "refused-no-role"


@pytest.mark.parametrize("role", [Role.HUB_ADMIN, Role.VIEWER])
def test_a_rule_never_grants_a_hub_staff_role(members, role):
    with members.db.session() as db:
        with pytest.raises(ValueError, match=f"cannot grant {role.value}"):
            add_rule(db, member="univ-a", source=RuleSource.GROUP, value="root", role=role)
        # even one written into the table by hand is ignored
        db.add(RoleRule(institution_id=institution_id(members, "univ-a"), source=RuleSource.GROUP, value="root",
                        role=role))
    assert sign_in(members, person("sub-root", groups=("root",)))[0] == Outcome.REFUSED_NO_ROLE
    outcome, _n, role, *_ = sign_in(members, person("sub-root2", groups=("root", "repository-managers")))
    assert (outcome, role) == (Outcome.SIGNED_IN, Role.MEMBER_ADMIN)


def test_pending_provisioning_waits_for_a_member_admins_approval(members):
    bob = FederatedIdentity(method=SignInMethod.SAML, provider_key=ISSUER_B, subject="bob-nameid",
                            username_hint="bob@univ-b.edu.cn", scoped_affiliations=("staff@univ-b.edu.cn",))
    outcome, username, role, member, created = sign_in(members, bob, "univ-b")
    assert (outcome, username, role, created) == (Outcome.PENDING_APPROVAL, "bob@univ-b.edu.cn", Role.MEMBER_ADMIN,
                                                  True)
    with members.db.session() as db:
        user = db.scalar(select(User).where(User.username == username))
        assert user.approval_pending and not user.active
        assert [u.username for u in pending_accounts(db, member)] == [username]
        assert pending_accounts(db, institution_id(members, "univ-a")) == []
    assert sign_in(members, bob, "univ-b")[:2] == (Outcome.PENDING_APPROVAL, username)  # still waiting
    with members.db.session() as db:
        approver = create_user(db, "b-admin", "correct horse battery", Role.MEMBER_ADMIN, member="univ-b")
        approve_account(db, db.scalar(select(User).where(User.username == username)), approver)
    assert sign_in(members, bob, "univ-b")[:2] == (Outcome.SIGNED_IN, username)
    assert audit(members, "user.approve")[-1].username == "b-admin"
    with members.db.session() as db, pytest.raises(ValueError, match="not waiting"):
        approve_account(db, db.scalar(select(User).where(User.username == username)), None)


def test_a_refused_account_is_deleted_and_asked_for_again(members):
    bob = FederatedIdentity(method=SignInMethod.SAML, provider_key=ISSUER_B, subject="bob-nameid",
                            scoped_affiliations=("staff@univ-b.edu.cn",))
    sign_in(members, bob, "univ-b")
    with members.db.session() as db:
        reject_account(db, pending_accounts(db)[0], None)
    with members.db.session() as db:
        assert db.scalars(select(ExternalIdentity)).all() == []
    assert sign_in(members, bob, "univ-b")[4] is True  # made again, waiting again


def test_an_account_an_admin_deactivated_stays_refused(members):
    sign_in(members, ALICE)
    with members.db.session() as db:
        db.scalar(select(User).where(User.username == "alice")).active = False
    assert sign_in(members, ALICE)[0] == Outcome.REFUSED_DISABLED
    with members.db.session() as db:
        assert db.scalar(select(User.active).where(User.username == "alice")) is False


def test_the_rules_role_is_applied_again_at_sign_in_and_ends_other_sessions(members):
    sign_in(members, ALICE)
    with members.db.session() as db:
        user = db.scalar(select(User).where(User.username == "alice"))
        user.role, user.institution_id = Role.VIEWER, None  # changed by hand since
        open_session(db, members.settings, user)
    outcome, _n, role, member, _c = sign_in(members, ALICE)
    assert (outcome, role, member) == (Outcome.SIGNED_IN, Role.MEMBER_ADMIN, institution_id(members, "univ-a"))
    with members.db.session() as db:
        user = db.scalar(select(User).where(User.username == "alice"))
        assert user.role == Role.MEMBER_ADMIN and open_sessions(db, user) == 0
    entry = audit(members, "user.role")[-1]
    assert entry.before["role"] == "viewer" and entry.after["role"] == "member-admin"
    gone = person("sub-alice", email="alice@univ-a.edu.cn", username_hint="alice")  # left the group: no rule
    assert sign_in(members, gone)[0] == Outcome.REFUSED_NO_ROLE


def test_a_federated_identity_never_opens_a_local_account_of_the_same_name(members):
    with members.db.session() as db:
        create_user(db, "alice", "correct horse battery", Role.HUB_ADMIN)
    outcome, username, role, *_ = sign_in(members, ALICE)
    assert (outcome, username, role) == (Outcome.SIGNED_IN, "alice-2", Role.MEMBER_ADMIN)
    with members.db.session() as db:
        local = db.scalar(select(User).where(User.username == "alice"))
        assert local.role == Role.HUB_ADMIN and local.has_password


def test_a_disabled_provider_or_another_providers_identity_is_refused(members):
    assert sign_in(members, person("sub-alice", issuer=ISSUER_B, groups=("repository-managers",)))[0] == \
        Outcome.REFUSED_PROVIDER
    with members.db.session() as db:
        set_enabled(db, "univ-a", False)
    assert sign_in(members, ALICE)[0] == Outcome.REFUSED_PROVIDER
    assert audit(members, "sso.refused")[-1].note == "the provider is disabled"


def test_a_hub_wide_provider_signs_into_the_member_owning_the_scope(members):
    with members.db.session() as db:
        add_oidc_provider(db, slug="carsi", issuer=HUB_WIDE, client_id="hub", client_secret="s",
                          scopes=["univ-a.edu.cn"], provisioning=Provisioning.ACTIVE)
    through = person("sub-fed", issuer=HUB_WIDE, scoped_affiliations=("library-staff@univ-a.edu.cn",))
    outcome, _n, role, member, _c = sign_in(members, through, "carsi")
    assert (outcome, role, member) == (Outcome.SIGNED_IN, Role.MEMBER_ADMIN, institution_id(members, "univ-a"))
    # a scope the hub-wide provider does not list, or no scope at all: no member to sign into
    assert sign_in(members, person("sub-f2", issuer=HUB_WIDE, scoped_affiliations=("staff@univ-b.edu.cn",)),
                   "carsi")[0] == Outcome.REFUSED_SCOPE
    assert sign_in(members, person("sub-f3", issuer=HUB_WIDE, groups=("repository-managers",)), "carsi")[0] == \
        Outcome.REFUSED_SCOPE
