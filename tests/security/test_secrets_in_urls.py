"""Issue 14, item 3: a user name and password inside a URL are never shown.

A sample repository served on loopback requires HTTP basic authentication. It is registered
through the admin form with ``user:password@`` inside its base URL: the hub stores the base URL
without them and the credentials apart, the check and the harvest authenticate, and the password
appears nowhere a person or a log can read it: the API, the portal, OAI-PMH provenance, the admin
pages (repository, edit form, audit log), ``chair doctor``, a logged error and a run's error messages.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from werkzeug.serving import make_server

from hub.cli import cli
from hub.doctor import run_checks
from hub.health.notify import notify_failing
from hub.http import HarvestError, HttpClient
from hub.models import HarvestRun, ItemError, Record, Repository
from hub.redaction import redact_url, split_credentials
from hub.samples.catalog import demo_repositories
from hub.samples.server import QuietRequestHandler, make_app
from tests.admin.conftest import network, signed_in, site  # noqa: F401  (fixtures)
from tests.admin.test_repositories import register, wait_for_check, wait_for_followups, wait_for_run

USER, PASSWORD = "harvester", "s3cr3t-Pa55word"


class BasicAuth:
    """WSGI middleware answering 401 to any request without the right basic credentials."""

    def __init__(self, app) -> None:
        self.app, self.refused, self.accepted = app, 0, 0
        self.expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    def __call__(self, environ, start_response):
        if environ.get("HTTP_AUTHORIZATION") != self.expected:
            self.refused += 1
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="ir"'),
                                                ("Content-Type", "text/plain")])
            return [b"authentication required"]
        self.accepted += 1
        return self.app(environ, start_response)


@pytest.fixture
def protected() -> Iterator[tuple[str, BasicAuth]]:
    """The donghai sample repository behind basic authentication; yields its base URL (no credentials)."""
    repos = [r for r in demo_repositories(12) if r.slug == "donghai"]
    guard = BasicAuth(make_app(repos))
    server = make_server("127.0.0.1", 0, guard, threaded=True, request_handler=QuietRequestHandler)
    guard.app.server_url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield repos[0].base_url(guard.app.server_url), guard
    server.shutdown()
    server.server_close()


def with_credentials(url: str) -> str:
    return url.replace("http://", f"http://{USER}:{PASSWORD}@", 1)


def test_the_helpers_hide_and_split_user_information():
    url = f"https://{USER}:{PASSWORD}@repo.example.org:8443/oai?verb=Identify"
    assert PASSWORD not in redact_url(url) and USER not in redact_url(url)
    assert redact_url(url) == "https://***@repo.example.org:8443/oai?verb=Identify"
    assert redact_url("redis://:pw@127.0.0.1:6379/0") == "redis://***@127.0.0.1:6379/0"
    clean, credentials = split_credentials(url)
    assert clean == "https://repo.example.org:8443/oai?verb=Identify"
    assert (credentials.username, credentials.password) == (USER, PASSWORD) and PASSWORD not in repr(credentials)
    assert split_credentials("http://repo.example.org/oai") == ("http://repo.example.org/oai", None)


def test_a_protected_repository_is_harvested_and_its_password_never_shown(app, hub, network, signed_in,  # noqa: F811
                                                                           protected, caplog):
    base_url, guard = protected
    client = signed_in("dh-admin")
    response = register(client, network.donghai, with_credentials(base_url), name="Protected IR")
    assert response.status_code == 302, response.get_data(as_text=True)
    repo_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert wait_for_check(client, repo_id)["ok"] is not None
    with hub.db.session() as session:
        repo = session.get(Repository, repo_id)
        assert repo.base_url == base_url and PASSWORD in repo.credentials  # stored apart
        assert repo.check_report["reachable"] is True  # the check authenticated
    client.post(f"/admin/repositories/{repo_id}/harvest", data={"csrf_token": client.csrf})
    run = wait_for_run(client, repo_id)
    wait_for_followups()
    assert run["state"] in ("succeeded", "partial") and run["new"] > 0, run
    assert guard.accepted > 0
    with hub.db.session() as session:
        assert session.scalar(select(Record.id).where(Record.repository_id == repo_id)) is not None
        record_id = session.scalar(select(Record.id).where(Record.repository_id == repo_id))

    shown = {
        "API": app.test_client().get("/api/v1/repositories").get_data(as_text=True),
        "API record": app.test_client().get(f"/api/v1/records/{record_id}").get_data(as_text=True),
        "portal institution": app.test_client().get("/institutions/donghai").get_data(as_text=True),
        "portal record": app.test_client().get(f"/records/{record_id}").get_data(as_text=True),
        "OAI-PMH": app.test_client().get("/oai?verb=ListRecords&metadataPrefix=oai_dc").get_data(as_text=True),
        "admin repository": client.get(f"/admin/repositories/{repo_id}").get_data(as_text=True),
        "admin edit form": client.get(f"/admin/repositories/{repo_id}/edit").get_data(as_text=True),
        "admin audit": client.get("/admin/audit").get_data(as_text=True),
    }
    assert "provenance" in shown["OAI-PMH"] and base_url in shown["OAI-PMH"]
    assert base_url in shown["admin repository"]
    for where, text in shown.items():
        assert PASSWORD not in text, where

    # The repository now refuses the hub: the run's error messages name its URL, never its password.
    guard.expected = "Basic bm8tb25lOm5vdGhpbmc="
    client.post(f"/admin/repositories/{repo_id}/harvest", data={"csrf_token": client.csrf, "full": "1"})
    wait_for_followups()
    failed = wait_for_run(client, repo_id)
    assert failed["id"] != run["id"]
    with hub.db.session() as session:
        messages = [r.message for r in session.scalars(select(HarvestRun).where(HarvestRun.repository_id == repo_id))]
        messages += [e.message for e in session.scalars(select(ItemError).where(ItemError.repository_id == repo_id))]
    assert failed["state"] != "succeeded" and any("127.0.0.1" in (m or "") for m in messages), messages
    assert not [m for m in messages if PASSWORD in (m or "")]
    assert PASSWORD not in client.get(f"/admin/runs/{failed['id']}").get_data(as_text=True)
    assert PASSWORD not in caplog.text


def test_errors_and_logs_of_urls_with_credentials_hide_them(hub, caplog):
    closed = f"http://{USER}:{PASSWORD}@127.0.0.1:1/oai"
    client = HttpClient({"ALLOW_PRIVATE_ADDRESSES": True, "HTTP_MAX_RETRIES": 0})
    with pytest.raises(HarvestError) as info:
        client.get(closed)
    assert "127.0.0.1:1" in str(info.value) and PASSWORD not in str(info.value)

    class Institution:
        slug, name_en, name_zh, contact_email = "donghai", "Donghai", "东海", ""

    class Repo:
        id, label, base_url, institution, options = 1, "IR", "http://127.0.0.1:1/oai", Institution(), {
            "notify_webhook": f"http://hook:{PASSWORD}@127.0.0.1:1/notify"}

    settings = dict(hub.settings, NOTIFY_ENABLED=True, SMTP_URL="")
    with caplog.at_level(logging.WARNING):
        lines = notify_failing(settings, Repo(), None)
    assert lines and "failed" in lines[0] and PASSWORD not in " ".join(lines)
    assert "127.0.0.1:1/notify" in caplog.text and PASSWORD not in caplog.text


def test_doctor_shows_no_password_of_any_url(hub):
    settings = dict(hub.settings, TIKA_URL=f"http://tika:{PASSWORD}@127.0.0.1:1",
                    BROKER_URL=f"redis://:{PASSWORD}@127.0.0.1:1/0",
                    SEARCH_URL=f"http://elastic:{PASSWORD}@127.0.0.1:1")
    results = run_checks(settings)
    tika = next(r for r in results if r.name == "tika")
    assert not tika.ok and tika.url == "http://***@127.0.0.1:1"
    for result in results:
        assert PASSWORD not in result.url and PASSWORD not in result.detail, result
    hub.configure(TIKA_URL=f"http://tika:{PASSWORD}@127.0.0.1:1")
    output = CliRunner().invoke(cli, ["doctor"], obj={"hub": hub, "instance": hub.settings["INSTANCE_PATH"]}).output
    assert "tika" in output and PASSWORD not in output
