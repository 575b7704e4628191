"""Every admin route, walked from the app's url_map: anonymous visitors are sent to sign in and a
member administrator of another institution gets 403 - never a 200 with the other member's data.
An API token of another member is hidden from them: revoking it is a 404, as for no token at all
(hub.accounts.tokens.revoke_token), and the token stays active. Every API route that changes data refuses
anonymous callers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.accounts.tokens import create_token
from hub.models import (
    ApiToken,
    Authorship,
    CompletenessReport,
    HarvestRun,
    Institution,
    Record,
    Repository,
    Researcher,
    User,
    utcnow,
)
from hub.models.webhooks import WebhookSubscription
from hub.states import RunKind, RunState
from tests.admin.conftest import csrf_of

PUBLIC = {"admin.sign_in", "admin.sign_out", "admin.static"}
WRITE = {"POST", "PUT", "PATCH", "DELETE"}
# Routes whose object another member may not even see: 404, never 403 (which would say it exists).
HIDDEN = {"admin.api_token_revoke"}


@pytest.fixture
def targets(hub, network) -> dict[str, int]:
    """Objects of the donghai member, one per URL parameter kind."""
    with hub.db.session() as session:
        run = HarvestRun(repository_id=network.donghai_repo, kind=RunKind.FULL, state=RunState.FAILED,
                         started_at=utcnow(), finished_at=utcnow(), checkpoint={}, message="Donghai secret run")
        report = CompletenessReport(repository_id=network.donghai_repo, missing=[], extra=[], stale=[],
                                    error="", repair_note="")
        subscription = WebhookSubscription(url="http://127.0.0.1:9/hook", secret="s", institution_id=network.donghai,
                                           events=["records.changed"], description="Donghai secret hook")
        researcher = Researcher(name="王伟", institution_id=network.donghai, institutions=[network.donghai], records=1)
        record = Record(repository_id=network.donghai_repo, source_identifier="oai:donghai:secret",
                        meta={"titles": [{"value": "Donghai secret record"}], "creators": [{"name": "王伟"}]})
        session.add_all([run, report, subscription, researcher, record])
        session.flush()
        session.add(Authorship(record_id=record.id, position=0, researcher_id=researcher.id,
                               repository_id=network.donghai_repo, institution_id=network.donghai, name="王伟",
                               key="wang w"))
        session.flush()
        donghai_admin = session.scalar(select(User).where(User.username == "dh-admin"))
        token = create_token(session, hub.settings, donghai_admin, session.get(Institution, network.donghai),
                             "Donghai secret token").row
        return {"institution_id": network.donghai, "repository_id": network.donghai_repo, "run_id": run.id,
                "report_id": report.id, "user_id": donghai_admin.id, "subscription_id": subscription.id,
                "token_id": token.id, "researcher_id": researcher.id}


def admin_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("admin.", "webhooks_admin.")) and rule.endpoint not in PUBLIC:
            yield rule


def build(rule, targets) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<int:{name}>", str(targets[name]))
    return path


def test_every_admin_route_is_walked(app):
    endpoints = {rule.endpoint for rule in admin_rules(app)}
    # The walk is only worth something if it covers the admin area.
    assert {"admin.dashboard", "admin.repository", "admin.repository_delete", "admin.run_progress",
            "admin.institution_report", "admin.completeness_repair", "admin.repositories", "admin.quality_problems",
            "admin.works", "admin.users", "admin.audit"} <= endpoints


def test_anonymous_visitors_are_sent_to_sign_in(app, targets):
    client = app.test_client()
    token = csrf_of(client)
    for rule in admin_rules(app):
        path = build(rule, targets)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={"csrf_token": token, "confirm": str(targets["repository_id"])})
            assert response.status_code in (302, 401), (method, path, response.status_code)
            if response.status_code == 302:
                assert "/admin/sign-in" in response.headers["Location"], (method, path)


def test_member_admin_of_another_institution_is_refused(app, hub, targets, signed_in):
    client = signed_in("xl-admin")
    for rule in admin_rules(app):
        if rule.endpoint == "admin.sign_out_all":  # the user's own sessions: walked last, below
            continue
        path = build(rule, targets)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": client.csrf, "confirm": str(targets["repository_id"]),
                    "institution_id": targets["institution_id"], "base_url": "http://127.0.0.1:9/oai",
                    "platform": "oai", "slug": "intruder", "name_en": "Intruder", "name": "Intruder",
                    "member": targets["institution_id"]}
            response = client.open(path, method=method, data=data,
                                   query_string={"institution_id": targets["institution_id"]})
            body = response.get_data(as_text=True)
            assert "Donghai" not in body and "东海" not in body, (method, path)
            if rule.endpoint in HIDDEN:
                assert response.status_code == 404, (method, path, response.status_code)
            elif rule.arguments:
                assert response.status_code == 403, (method, path, response.status_code)
            else:  # 422: a form of the user's own (their password) refused
                assert response.status_code in (200, 403, 422), (method, path, response.status_code)
    with hub.db.session() as session:
        repo = session.get(Repository, targets["repository_id"])
        assert repo is not None and repo.state.value == "active"
        assert session.scalar(select(HarvestRun).where(HarvestRun.id == targets["run_id"])) is not None
        assert session.get(ApiToken, targets["token_id"]).revoked_at is None
        assert session.scalars(select(ApiToken.id)).all() == [targets["token_id"]]  # none made for donghai
    assert client.post("/admin/sign-out-everywhere", data={"csrf_token": client.csrf}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_viewer_reads_everything_and_changes_nothing(app, hub, targets, signed_in):
    client = signed_in("staff")
    assert client.get(f"/admin/repositories/{targets['repository_id']}").status_code == 200
    assert "Donghai" in client.get("/admin/").get_data(as_text=True)
    for rule in admin_rules(app):
        if rule.methods & WRITE and rule.arguments and rule.endpoint != "admin.sign_out_all":
            response = client.post(build(rule, targets), data={"csrf_token": client.csrf,
                                                               "confirm": str(targets["repository_id"])})
            assert response.status_code == 403, rule.rule
    assert client.get("/admin/audit").status_code == 403
    with hub.db.session() as session:
        assert session.get(ApiToken, targets["token_id"]).revoked_at is None


def test_api_routes_that_change_data_refuse_anonymous_callers(app):
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.methods & WRITE:
            path = rule.rule
            for name in rule.arguments:
                path = path.replace(f"<{name}>", "1").replace(f"<int:{name}>", "1")
            for method in sorted(rule.methods & WRITE):
                assert client.open(path, method=method).status_code in (400, 401, 403, 405), (method, path)
