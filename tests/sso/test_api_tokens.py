"""Members' personal API tokens (issue 17 item 6): made and shown once, stored as SHA-256, scoped to one
member, revocable, expiring; the JSON API's write actions they open (harvest, pause, resume, the quality
report) with Bearer only; the admin page and ``chair token``. No identity provider is needed here."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from hub.accounts.tokens import LAST_USED_EVERY, Refusal, TokenRefused, create_token
from hub.accounts.users import create_user
from hub.cli import cli
from hub.members import add_institution, add_repository, get_institution
from hub.models import ApiToken, AuditEntry, HarvestRun, Repository, Role, User, utcnow
from hub.states import RepositoryState
from tests.admin.conftest import PASSWORD, csrf_of, sign_in, start_site

TOKEN = re.compile(r"chair_[A-Za-z0-9_-]{43}")


@pytest.fixture
def site() -> Iterator[object]:
    server, made = start_site(records=12)
    yield made
    server.shutdown()
    server.server_close()


@dataclass
class Members:
    """Two members with one repository each, and users of every role."""

    donghai_repo: int
    xiling_repo: int


@pytest.fixture
def members(hub, site) -> Members:
    with hub.db.session() as session:
        add_institution(session, "donghai", "Donghai University", "东海大学")
        add_institution(session, "xiling", "Xiling University", "西岭大学")
        ra = add_repository(session, hub.pm, hub.settings, member="donghai", platform="oai",
                            base_url=site.base_url("donghai"), name="Donghai IR")
        rb = add_repository(session, hub.pm, hub.settings, member="xiling", platform="oai",
                            base_url=site.base_url("xiling"), name="Xiling ePrints")
        create_user(session, "root", PASSWORD, Role.HUB_ADMIN)
        create_user(session, "staff", PASSWORD, Role.VIEWER)
        create_user(session, "dh-admin", PASSWORD, Role.MEMBER_ADMIN, member="donghai")
        create_user(session, "xl-admin", PASSWORD, Role.MEMBER_ADMIN, member="xiling")
        return Members(ra.id, rb.id)


def make_token(hub, username: str = "dh-admin", member: str = "donghai", name: str = "harvest script") -> str:
    """A token's secret, made in the core as the admin page and the CLI make it."""
    with hub.db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        return create_token(session, hub.settings, user, get_institution(session, member), name, actor=user).secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def token_row(hub, secret: str) -> ApiToken:
    with hub.db.session() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hashlib.sha256(secret.encode()).hexdigest()))
        session.expunge(row)
        return row


def quality(client, repository_id: int, secret: str):
    return client.get(f"/api/v1/repositories/{repository_id}/quality", headers=bearer(secret))


def audit(hub, action: str) -> list[AuditEntry]:
    with hub.db.session() as session:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))
        session.expunge_all()
        return rows


# --- tokens at rest ---------------------------------------------------------------------------------------

def test_a_token_is_shown_once_and_stored_as_its_sha256_only(hub, members):
    secret = make_token(hub)
    assert TOKEN.fullmatch(secret)
    row = token_row(hub, secret)
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.prefix == secret[:12] and row.prefix.startswith("chair_")
    assert row.expires_at is not None and row.expires_at - row.created_at == timedelta(days=365)
    with hub.db.engine.connect() as conn:  # no column of any token or audit row holds the secret
        stored = [repr(tuple(r)) for table in ("api_token", "audit_entry")
                  for r in conn.execute(text(f"SELECT * FROM {table}"))]
    assert stored and not any(secret in r or secret[12:] in r for r in stored)
    created = audit(hub, "api-token.create")
    assert len(created) == 1 and created[0].username == "dh-admin" and row.prefix in created[0].note
    assert "token_hash" not in (created[0].after or {})


def test_no_expiry_when_api_token_days_is_zero(hub, members):
    with hub.db.session() as session:
        user = session.scalar(select(User).where(User.username == "dh-admin"))
        made = create_token(session, {"API_TOKEN_DAYS": 0}, user, get_institution(session, "donghai"), "forever")
        assert made.row.expires_at is None


@pytest.mark.parametrize(("username", "member", "name", "kind"), [
    ("dh-admin", "xiling", "x", Refusal.NOT_ALLOWED),  # a member admin makes tokens for their own member only
    ("dh-admin", "donghai", "   ", Refusal.BAD_NAME),
    ("dh-admin", "donghai", "n" * 129, Refusal.BAD_NAME),
])
def test_a_token_is_refused_to_whom_may_not_act_for_the_member(hub, members, username, member, name, kind):
    with pytest.raises(TokenRefused) as caught:
        make_token(hub, username, member, name)
    assert caught.value.kind is kind
    with hub.db.session() as session:
        assert session.scalar(select(ApiToken.id)) is None


def test_hub_staff_make_tokens_for_any_member(hub, members):
    assert token_row(hub, make_token(hub, "root", "xiling")).institution_id is not None
    assert token_row(hub, make_token(hub, "staff", "donghai")).institution_id is not None


# --- the write actions ------------------------------------------------------------------------------------

def wait_for_run(hub, repository_id: int, seconds: float = 120) -> HarvestRun:
    """The repository's last run, once the dispatcher's background harvest (and its follow-ups) ended."""
    for thread in threading.enumerate():
        if thread.name == f"chair-harvest-{repository_id}":
            thread.join(seconds)
            assert not thread.is_alive(), f"the harvest of repository {repository_id} still runs after {seconds} s"
    with hub.db.session() as session:
        run = session.scalar(select(HarvestRun).where(HarvestRun.repository_id == repository_id)
                             .order_by(HarvestRun.id.desc()))
        assert run is not None and run.finished_at is not None, "no finished run"
        session.expunge(run)
        return run


def test_a_token_starts_a_harvest_of_its_members_repository(hub, client, members):
    secret = make_token(hub)
    response = client.post(f"/api/v1/repositories/{members.donghai_repo}/harvest", headers=bearer(secret))
    assert response.status_code == 202, response.get_data(as_text=True)
    body = response.get_json()
    assert body["repository"] == members.donghai_repo and body["full"] is False
    assert body["job"] is None and body["queued"] is False  # no broker: the hub's background ran it
    run = wait_for_run(hub, members.donghai_repo)
    assert run.state.finished, run.state
    with hub.db.session() as session:
        assert session.scalar(text("SELECT count(*) FROM record WHERE repository_id = :r"),
                              {"r": members.donghai_repo}) == 12
    entry, = audit(hub, "repository.harvest")
    assert entry.username == "dh-admin" and entry.institution_id is not None
    assert entry.target_id == str(members.donghai_repo) and f"API token {secret[:12]}" in entry.note


def test_a_full_harvest_is_asked_in_the_body(hub, client, members):
    secret = make_token(hub)
    response = client.post(f"/api/v1/repositories/{members.donghai_repo}/harvest", headers=bearer(secret),
                           json={"full": True})
    assert response.status_code == 202 and response.get_json()["full"] is True
    wait_for_run(hub, members.donghai_repo)
    assert len(audit(hub, "repository.full-harvest")) == 1


@pytest.mark.parametrize(("body", "content_type"), [("[1, 2]", "application/json"), ("{not json", "application/json"),
                                                    ('{"full": "yes"}', "application/json")])
def test_a_bad_body_is_a_400_in_the_apis_error_format(hub, client, members, body, content_type):
    response = client.post(f"/api/v1/repositories/{members.donghai_repo}/harvest", headers=bearer(make_token(hub)),
                           data=body, content_type=content_type)
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request" and response.get_json()["message"]
    assert audit(hub, "repository.harvest") == []


def test_pause_and_resume_with_a_token(hub, client, members):
    secret = make_token(hub)
    paused = client.post(f"/api/v1/repositories/{members.donghai_repo}/pause", headers=bearer(secret))
    assert paused.status_code == 200 and paused.get_json()["state"] == "paused"
    with hub.db.session() as session:
        assert session.get(Repository, members.donghai_repo).state == RepositoryState.PAUSED
    refused = client.post(f"/api/v1/repositories/{members.donghai_repo}/harvest", headers=bearer(secret))
    assert refused.status_code == 409 and refused.get_json()["error"] == "conflict"
    resumed = client.post(f"/api/v1/repositories/{members.donghai_repo}/resume", headers=bearer(secret))
    assert resumed.status_code == 200 and resumed.get_json()["state"] == "active"
    with hub.db.session() as session:
        assert session.get(Repository, members.donghai_repo).state == RepositoryState.ACTIVE
    entry, = audit(hub, "repository.pause")
    assert entry.before == {"state": "active"} and entry.after == {"state": "paused"}
    assert secret[:12] in entry.note and entry.username == "dh-admin"
    assert audit(hub, "repository.resume")[0].after == {"state": "active"}


def test_the_quality_report_with_a_token(hub, client, members):
    from hub.pipeline.harvest import harvest

    harvest(hub, members.donghai_repo)
    response = client.get(f"/api/v1/repositories/{members.donghai_repo}/quality",
                          headers=bearer(make_token(hub, "staff")))  # a viewer's token reads
    assert response.status_code == 200
    report = response.get_json()
    assert report["repository_id"] == members.donghai_repo and report["records"] == 12
    assert {f["field"] for f in report["fields"]} >= {"title", "creator"}


# --- refusals ---------------------------------------------------------------------------------------------

def test_without_a_token_nothing_opens_not_even_with_a_signed_in_session(hub, app, members):
    client = app.test_client()
    assert sign_in(client, "root").status_code == 302  # an admin's session cookie counts for nothing here
    for method, path in [("post", "harvest"), ("post", "pause"), ("post", "resume"), ("get", "quality")]:
        response = getattr(client, method)(f"/api/v1/repositories/{members.donghai_repo}/{path}",
                                           headers={"X-CSRF-Token": csrf_of(client, "/admin/")})
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"].startswith("Bearer ")
        assert response.get_json()["error"] == "unauthorized"
    with hub.db.session() as session:
        assert session.get(Repository, members.donghai_repo).state == RepositoryState.ACTIVE


def _expire(hub, secret: str) -> None:
    with hub.db.session() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.prefix == secret[:12]))
        row.expires_at = utcnow() - timedelta(seconds=1)


def _revoke(hub, secret: str) -> None:
    result = CliRunner().invoke(cli, ["token", "revoke", str(token_row(hub, secret).id)], obj={"hub": hub})
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("case", ["basic", "not-ours", "unknown", "expired", "revoked", "too-long"])
def test_a_bad_expired_or_revoked_token_is_401_invalid_token(hub, client, members, case):
    secret = make_token(hub)
    header = {"basic": "Basic ZGg6cGFzcw==", "not-ours": "Bearer abc.def.ghi", "unknown": "Bearer chair_" + "A" * 43,
              "too-long": "Bearer chair_" + "A" * 200}.get(case, f"Bearer {secret}")
    if case == "expired":
        _expire(hub, secret)
    if case == "revoked":
        _revoke(hub, secret)
    response = client.post(f"/api/v1/repositories/{members.donghai_repo}/pause", headers={"Authorization": header})
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    if case == "basic":  # no Bearer token was sent at all
        assert challenge == 'Bearer realm="CHAIR Hub API"' and response.get_json()["error"] == "unauthorized"
    else:
        assert 'error="invalid_token"' in challenge and response.get_json()["error"] == "invalid_token"
    assert {"expired": "expired", "revoked": "revoked"}.get(case, "") in response.get_json()["message"]
    assert audit(hub, "repository.pause") == []


def test_another_members_repository_is_403_and_an_unknown_one_404(hub, client, members):
    secret = make_token(hub)
    for path in ("harvest", "pause", "resume", "quality"):
        method = client.get if path == "quality" else client.post
        other = method(f"/api/v1/repositories/{members.xiling_repo}/{path}", headers=bearer(secret))
        assert other.status_code == 403, path
        assert other.get_json()["error"] == "forbidden"
        assert method(f"/api/v1/repositories/999999/{path}", headers=bearer(secret)).status_code == 404
    hub_admins = make_token(hub, "root", "donghai")  # a hub admin's token too acts for its one member
    assert client.post(f"/api/v1/repositories/{members.xiling_repo}/pause", headers=bearer(hub_admins)).status_code == 403
    assert client.post(f"/api/v1/repositories/{members.donghai_repo}/pause", headers=bearer(hub_admins)).status_code == 200


def test_a_viewers_token_reads_but_never_writes(hub, client, members):
    secret = make_token(hub, "staff", "donghai")
    for path in ("harvest", "pause", "resume"):
        response = client.post(f"/api/v1/repositories/{members.donghai_repo}/{path}", headers=bearer(secret))
        assert response.status_code == 403, path
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert client.get(f"/api/v1/repositories/{members.donghai_repo}/quality", headers=bearer(secret)).status_code == 200
    with hub.db.session() as session:
        assert session.scalar(select(HarvestRun.id)) is None


def test_a_deactivated_users_token_stops_working(hub, client, members):
    secret = make_token(hub)
    assert quality(client, members.donghai_repo, secret).status_code == 200
    with hub.db.session() as session:
        session.scalar(select(User).where(User.username == "dh-admin")).active = False
    response = client.post(f"/api/v1/repositories/{members.donghai_repo}/pause", headers=bearer(secret))
    assert response.status_code == 401 and "deactivated" in response.get_json()["message"]


def test_a_token_stops_working_when_its_users_member_changes(hub, client, members):
    from hub.accounts.users import set_role

    secret = make_token(hub)
    with hub.db.session() as session:
        set_role(session, "dh-admin", Role.MEMBER_ADMIN, "xiling")
    response = client.get(f"/api/v1/repositories/{members.donghai_repo}/quality", headers=bearer(secret))
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_token"
    # and a member admin made a viewer keeps reading, but writes no more
    secret = make_token(hub, "xl-admin", "xiling")
    with hub.db.session() as session:
        set_role(session, "xl-admin", Role.VIEWER)
    assert client.post(f"/api/v1/repositories/{members.xiling_repo}/pause", headers=bearer(secret)).status_code == 403
    assert client.get(f"/api/v1/repositories/{members.xiling_repo}/quality", headers=bearer(secret)).status_code == 200


def test_last_used_is_written_at_most_once_a_minute(hub, client, members):
    secret = make_token(hub)
    assert token_row(hub, secret).last_used_at is None
    quality(client, members.donghai_repo, secret)
    first = token_row(hub, secret).last_used_at
    assert first is not None
    earlier = first - LAST_USED_EVERY + timedelta(seconds=30)  # used 30 s ago: not written again
    with hub.db.session() as session:
        session.scalar(select(ApiToken)).last_used_at = earlier
    quality(client, members.donghai_repo, secret)
    assert token_row(hub, secret).last_used_at == earlier
    with hub.db.session() as session:  # used over a minute ago: written
        session.scalar(select(ApiToken)).last_used_at = first - timedelta(minutes=2)
    quality(client, members.donghai_repo, secret)
    assert token_row(hub, secret).last_used_at >= first


def test_the_openapi_document_describes_the_write_actions(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, method in [("/repositories/{id}/harvest", "post"), ("/repositories/{id}/pause", "post"),
                         ("/repositories/{id}/resume", "post"), ("/repositories/{id}/quality", "get")]:
        operation = paths[path][method]
        assert operation["security"] == [{"apiToken": []}], path
        assert {"401", "403"} <= set(operation["responses"]), path
    schemes = client.get("/api/v1/openapi.json").get_json()["components"]["securitySchemes"]
    assert schemes["apiToken"] == {"type": "http", "scheme": "bearer",
                                   "description": schemes["apiToken"]["description"]}


# --- the command line -------------------------------------------------------------------------------------

def run(hub, *args: str):
    return CliRunner().invoke(cli, list(args), obj={"hub": hub})


def test_chair_token_create_list_revoke(hub, client, members):
    made = run(hub, "token", "create", "--user", "dh-admin", "--member", "donghai", "--name", "nightly")
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert TOKEN.fullmatch(secret) and "not shown again" in made.stderr
    listed = run(hub, "token", "list", "--json")
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["user"], r["member"], r["state"], r["prefix"]) for r in rows] == [
        ("nightly", "dh-admin", "donghai", "active", secret[:12])]
    assert secret not in listed.output and secret not in run(hub, "token", "list").output
    assert quality(client, members.donghai_repo, secret).status_code == 200
    revoked = run(hub, "token", "revoke", str(rows[0]["id"]))
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert json.loads(run(hub, "token", "list", "--json").stdout)[0]["state"] == "revoked"
    assert quality(client, members.donghai_repo, secret).status_code == 401
    entry, = audit(hub, "api-token.revoke")
    assert entry.username == "(cli)" and secret[:12] in entry.note


@pytest.mark.parametrize(("args", "says"), [
    (["create", "--user", "nobody", "--member", "donghai", "--name", "n"], "no user 'nobody'"),
    (["create", "--user", "dh-admin", "--member", "nowhere", "--name", "n"], "no member 'nowhere'"),
    (["create", "--user", "dh-admin", "--member", "xiling", "--name", "n"], "may not make tokens"),
    (["create", "--user", "dh-admin", "--member", "donghai", "--name", " "], "needs a name"),
    (["create", "--user", "dh-admin", "--member", "donghai"], "--name"),
    (["revoke", "12345"], "no API token with id 12345"),
    (["revoke", "abc"], "not a token id"),
])
def test_chair_token_wrong_input_is_one_line_and_exit_2(hub, members, args, says):
    result = run(hub, "token", *args)
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output
    assert not TOKEN.search(result.output)
    with hub.db.session() as session:
        assert session.scalar(select(ApiToken.id)) is None


# --- the admin page ---------------------------------------------------------------------------------------

def signed_in(app, username: str, lang: str = "en"):
    client = app.test_client()
    client.set_cookie("lang", lang)
    assert sign_in(client, username).status_code == 302
    return client


def test_the_admin_page_makes_shows_once_lists_and_revokes(hub, app, members):
    client = signed_in(app, "dh-admin")
    page = client.get("/admin/api-tokens")
    assert page.status_code == 200 and "No token yet." in page.get_data(as_text=True)
    assert 'href="/admin/api-tokens"' in client.get("/admin/").get_data(as_text=True)  # linked from every page
    assert "<select" not in page.get_data(as_text=True)  # a member admin's tokens are for their member
    csrf = csrf_of(client, "/admin/api-tokens")
    assert client.post("/admin/api-tokens", data={"name": "no csrf"}).status_code == 400
    made = client.post("/admin/api-tokens", data={"name": "nightly harvest", "csrf_token": csrf})
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    secret = TOKEN.search(made.get_data(as_text=True)).group(0)
    assert "shown this once" in made.get_data(as_text=True)
    listed = client.get("/admin/api-tokens").get_data(as_text=True)
    assert secret not in listed and secret[:12] in listed and "nightly harvest" in listed
    assert 'data-state="active"' in listed and "never" in listed  # never used yet
    row = token_row(hub, secret)
    assert row.institution_id == get_institution_id(hub, "donghai")
    # another member's admin neither sees nor revokes it
    other = signed_in(app, "xl-admin")
    assert secret[:12] not in other.get("/admin/api-tokens").get_data(as_text=True)
    assert other.post(f"/admin/api-tokens/{row.id}/revoke",
                      data={"csrf_token": csrf_of(other, "/admin/api-tokens")}).status_code == 404
    # revoking needs the CSRF token, then works
    assert client.post(f"/admin/api-tokens/{row.id}/revoke").status_code == 400
    assert token_row(hub, secret).revoked_at is None
    done = client.post(f"/admin/api-tokens/{row.id}/revoke", data={"csrf_token": csrf}, follow_redirects=True)
    assert done.status_code == 200 and f"Token {secret[:12]}… revoked." in done.get_data(as_text=True)
    assert 'data-state="revoked"' in done.get_data(as_text=True)
    assert quality(app.test_client(), members.donghai_repo, secret).status_code == 401
    assert [e.username for e in audit(hub, "api-token.create") + audit(hub, "api-token.revoke")] == ["dh-admin"] * 2


def get_institution_id(hub, slug: str) -> int:
    with hub.db.session() as session:
        return get_institution(session, slug).id


def test_the_admin_page_refuses_bad_input_with_a_message(hub, app, members):
    client = signed_in(app, "root")
    csrf = csrf_of(client, "/admin/api-tokens")
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "<select" in page and "xiling" in page  # hub staff choose the member
    nameless = client.post("/admin/api-tokens", data={"name": "  ", "member": str(get_institution_id(hub, "xiling")),
                                                      "csrf_token": csrf})
    assert nameless.status_code == 422 and "Give the token a name" in nameless.get_data(as_text=True)
    nowhere = client.post("/admin/api-tokens", data={"name": "x", "member": "424242", "csrf_token": csrf})
    assert nowhere.status_code == 422 and "Choose a member" in nowhere.get_data(as_text=True)
    assert not TOKEN.search(nowhere.get_data(as_text=True))
    with hub.db.session() as session:
        assert session.scalar(select(ApiToken.id)) is None


def test_a_members_admins_see_and_revoke_its_tokens_viewers_only_their_own(hub, app, members):
    with hub.db.session() as session:
        create_user(session, "dh-second", PASSWORD, Role.MEMBER_ADMIN, member="donghai")
    colleague = make_token(hub, "dh-second", "donghai")
    viewers = make_token(hub, "staff", "donghai")
    client = signed_in(app, "dh-admin")
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    assert colleague[:12] in page and viewers[:12] in page and "dh-second" in page  # tokens for their member
    staff = signed_in(app, "staff")
    staff_page = staff.get("/admin/api-tokens").get_data(as_text=True)
    assert viewers[:12] in staff_page and colleague[:12] not in staff_page
    denied = staff.post(f"/admin/api-tokens/{token_row(hub, colleague).id}/revoke",
                        data={"csrf_token": csrf_of(staff, "/admin/api-tokens")})
    assert denied.status_code == 403 and token_row(hub, colleague).revoked_at is None
    revoked = client.post(f"/admin/api-tokens/{token_row(hub, colleague).id}/revoke",
                          data={"csrf_token": csrf_of(client, "/admin/api-tokens")})
    assert revoked.status_code == 302 and token_row(hub, colleague).revoked_at is not None


def test_hub_admins_see_and_revoke_every_token(hub, app, members):
    secret = make_token(hub, "xl-admin", "xiling")
    client = signed_in(app, "root")
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    assert secret[:12] in page and "xl-admin" in page
    response = client.post(f"/admin/api-tokens/{token_row(hub, secret).id}/revoke",
                           data={"csrf_token": csrf_of(client, "/admin/api-tokens")})
    assert response.status_code == 302 and token_row(hub, secret).revoked_at is not None
    assert audit(hub, "api-token.revoke")[0].username == "root"


def test_the_admin_page_reads_in_chinese(hub, app, members):
    client = signed_in(app, "dh-admin", "zh")
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "API 令牌" in page and "生成令牌" in page and "Make a token" not in page
    made = client.post("/admin/api-tokens", data={"name": "脚本", "csrf_token": csrf_of(client, "/admin/api-tokens")})
    assert "只显示这一次" in made.get_data(as_text=True) and "启用" in made.get_data(as_text=True)
