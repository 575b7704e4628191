"""Registering, checking, harvesting, pausing and deleting repositories through the admin forms,
against sample repositories served on loopback (one with a broken record on its second page)."""

from __future__ import annotations

import re
import threading
import time

import pytest
from sqlalchemy import func, select

from hub.models import AuditEntry, ItemError, Record, Repository, StoredFile
from tests.admin.conftest import start_site


@pytest.fixture
def faulty_site():
    server, made = start_site(records=30, faults=("repo=donghai:page=2:broken-record",), page_size=10)
    yield made
    server.shutdown()
    server.server_close()


def wait_for_run(client, repository_id: int) -> dict:
    """Poll the progress endpoint (as admin.js does) until the latest run has ended."""
    for _ in range(600):
        run = client.get(f"/admin/repositories/{repository_id}/progress.json").get_json()["run"]
        if run and run["state"] not in ("running", "queued"):
            return run
        time.sleep(0.05)
    raise AssertionError("the harvest did not end")


def wait_for_check(client, repository_id: int) -> dict:
    """Poll the check's endpoint (as admin.js does) until the check, run as a task, has ended."""
    for _ in range(600):
        progress = client.get(f"/admin/repositories/{repository_id}/check.json").get_json()
        if progress["state"] != "running":
            return progress
        time.sleep(0.05)
    raise AssertionError("the check did not end")


def register(client, institution_id: int, base_url: str, **fields) -> object:
    data = {"csrf_token": client.csrf, "institution_id": institution_id, "platform": "oai", "base_url": base_url,
            "metadata_prefix": "oai_dc", "name": "Test repository", **fields}
    return client.post("/admin/repositories/new", data=data)


def test_register_check_harvest_and_explain_errors(app, hub, network, faulty_site, signed_in):
    client = signed_in("dh-admin")
    response = register(client, network.donghai, faulty_site.base_url("donghai"), schedule="6h")
    assert response.status_code == 302, response.get_data(as_text=True)
    repo_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert wait_for_check(client, repo_id)["state"] == "done"
    page = client.get(f"/admin/repositories/{repo_id}").get_data(as_text=True)
    assert "Repository check" in page and "deleted_record" in page
    with hub.db.session() as session:
        repo = session.get(Repository, repo_id)
        assert repo.check_report["reachable"] is True and repo.schedule == "6h"
    response = client.post(f"/admin/repositories/{repo_id}/harvest", data={"csrf_token": client.csrf})
    assert response.status_code == 302
    run = wait_for_run(client, repo_id)
    assert run["state"] == "partial" and run["failed"] >= 1 and run["pages"] == 3
    page = client.get(f"/admin/runs/{run['id']}?lang=en").get_data(as_text=True)
    assert "unreadable-record" in page
    assert re.search(r" · \d+\.\d{2,3} s · ", page), "the run's duration as chair runs shows it (0.042 s)"
    assert re.search(r"<td>\d+\.\d{2,3} s</td>", client.get(f"/admin/repositories/{repo_id}").get_data(as_text=True))
    assert "an element is unclosed or mis-nested" in page and "元素未闭合或嵌套错误" not in page
    chinese = client.get(f"/admin/runs/{run['id']}?lang=zh").get_data(as_text=True)  # one language at a time
    assert "元素未闭合或嵌套错误" in chinese and "an element is unclosed or mis-nested" not in chinese
    with hub.db.session() as session:
        error = session.scalars(select(ItemError).where(ItemError.run_id == run["id"])).first()
        assert error.source_identifier and error.source_identifier in page
        assert session.scalar(select(func.count(Record.id)).where(Record.repository_id == repo_id)) == 29
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "Test repository" in dashboard and "Donghai IR" in dashboard and "Xiling" not in dashboard


def test_bad_input_gives_form_errors_not_crashes(app, hub, network, site, signed_in):
    client = signed_in("dh-admin")
    cases = [
        ({"base_url": "ftp://example.org/oai"}, "full http"),
        ({"schedule": "every tuesday"}, "cron line"),
        ({"schedule": "61 * * * *"}, "outside 0-59"),
        ({"schedule": "1m"}, "at least 5 minutes"),
        ({"platform": "gopher"}, "choose one of"),
        ({"sets": "<script>"}, "not a set spec"),
        ({"options": "[1, 2"}, "JSON object"),
        ({"base_url": site.base_url("donghai")}, "already registered"),
    ]
    for fields, message in cases:
        data = {"base_url": "http://127.0.0.1:1/oai", **fields}
        response = register(client, network.donghai, data.pop("base_url"), **data)
        assert response.status_code == 422, fields
        body = response.get_data(as_text=True)
        assert message in body, (fields, body[:2000])
        assert "<script>" not in body
    with hub.db.session() as session:
        assert session.scalar(select(func.count(Repository.id))) == 2


def test_private_address_refused_when_not_allowed(app, hub, network, signed_in):
    hub.configure(ALLOW_PRIVATE_ADDRESSES=False)
    client = signed_in("dh-admin")
    response = register(client, network.donghai, "http://127.0.0.1:8080/oai")
    assert response.status_code == 422
    assert "private" in response.get_data(as_text=True) or "loopback" in response.get_data(as_text=True)


def test_pause_resume_and_harvest_of_paused(app, hub, network, signed_in):
    client = signed_in("dh-admin")
    repo = network.donghai_repo
    client.post(f"/admin/repositories/{repo}/pause", data={"csrf_token": client.csrf})
    response = client.post(f"/admin/repositories/{repo}/harvest?lang=en", data={"csrf_token": client.csrf},
                           follow_redirects=True)
    english = response.get_data(as_text=True)
    assert "The repository is paused: resume it first." in english and "机构库已暂停" not in english
    response = client.post(f"/admin/repositories/{repo}/harvest?lang=zh", data={"csrf_token": client.csrf},
                           follow_redirects=True)
    chinese = response.get_data(as_text=True)  # one language at a time, the flash message too
    assert "机构库已暂停，请先恢复。" in chinese and "resume it first" not in chinese
    client.post(f"/admin/repositories/{repo}/resume", data={"csrf_token": client.csrf})
    with hub.db.session() as session:
        assert session.get(Repository, repo).state.value == "active"


def wait_for_followups() -> None:
    """Join the background harvest threads: their follow-up stages (files, works, index) run after the run ends."""
    for thread in threading.enumerate():
        if thread.name.startswith("chair-harvest-"):
            thread.join(timeout=120)


def test_delete_needs_confirmation_and_removes_records(app, hub, network, signed_in):
    client = signed_in("dh-admin")
    repo = network.donghai_repo
    client.post(f"/admin/repositories/{repo}/harvest", data={"csrf_token": client.csrf})
    wait_for_run(client, repo)
    wait_for_followups()
    from hub.search import search_backend

    with hub.db.session() as session:
        assert session.scalar(select(func.count(Record.id)).where(Record.repository_id == repo)) > 0
    from hub.pipeline.index import index_records

    with hub.db.session() as session:  # indexed now, whether or not the harvest's follow-ups are done yet
        index_records(hub, list(session.scalars(select(Record.id).where(Record.repository_id == repo))))
    assert search_backend(hub).count() > 0
    with hub.db.session() as session:
        stored_before = session.scalar(select(func.count()).select_from(StoredFile))
    page = client.get(f"/admin/repositories/{repo}/delete").get_data(as_text=True)
    assert "cannot be undone" in page
    response = client.post(f"/admin/repositories/{repo}/delete", data={"csrf_token": client.csrf, "confirm": "999"})
    assert response.status_code == 422
    response = client.post(f"/admin/repositories/{repo}/delete", data={"csrf_token": client.csrf, "confirm": str(repo)})
    assert response.status_code == 302
    with hub.db.session() as session:  # kept as removed, its records as tombstones (OAI-PMH deletedRecord=persistent)
        assert session.get(Repository, repo).removed
        assert session.scalar(select(func.count(Record.id)).where(Record.repository_id == repo,
                                                                  Record.deleted.is_(False))) == 0
        assert session.scalar(select(func.count(Record.id)).where(Record.repository_id == repo)) > 0
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "repository.delete")).one()
        assert entry.before["id"] == repo and "records deleted" in entry.note
    assert search_backend(hub).count() == 0, "deleted records leave the search index too"
    with hub.db.session() as session:
        assert stored_before > 0
        assert session.scalar(select(func.count()).select_from(StoredFile)) == 0, "files no record holds are freed"
    assert client.get(f"/admin/repositories/{repo}").status_code == 404


def test_hub_admin_manages_institutions(app, hub, network, signed_in):
    client = signed_in("root")
    response = client.post("/admin/institutions/new", data={"csrf_token": client.csrf, "slug": "Bad Slug",
                                                             "name_en": "X"})
    assert response.status_code == 422 and "invalid slug" in response.get_data(as_text=True)
    response = client.post("/admin/institutions/new", data={"csrf_token": client.csrf, "slug": "nanhu",
                                                             "name_en": "Nanhu", "contact_email": "not-mail"})
    assert response.status_code == 422 and "not an e-mail address" in response.get_data(as_text=True)
    response = client.post("/admin/institutions/new?lang=zh", data={"csrf_token": client.csrf, "slug": "nanhu",
                                                                     "name_en": "Nanhu <b>Normal</b>"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nanhu &lt;b&gt;Normal&lt;/b&gt;" in page
    assert "已添加成员 nanhu。" in page and "Member nanhu added" not in page  # the flash in the page's language
    client.post(f"/admin/institutions/{network.xiling}/edit",
                data={"csrf_token": client.csrf, "name_en": "Xiling Tech", "contact_email": "a@b.example"})
    response = client.post(f"/admin/institutions/{network.xiling}/delete?lang=en",
                           data={"csrf_token": client.csrf, "confirm": "xiling"})
    assert response.status_code == 302
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Member xiling and " in listing and "已删除成员" not in listing
    with hub.db.session() as session:
        assert session.get(Repository, network.xiling_repo).removed
    assert client.get(f"/admin/institutions/{network.xiling}").status_code == 404
    assert f'/admin/institutions/{network.xiling}"' not in client.get("/admin/institutions").get_data(as_text=True)


def test_a_prefix_without_crosswalk_is_refused_before_anything_is_saved(app, hub, network, site, signed_in):
    client = signed_in("dh-admin")
    with hub.db.session() as session:
        before = session.scalar(select(func.count(Repository.id)))
    response = register(client, network.donghai, "http://127.0.0.1:1/oai", metadata_prefix="arXiv")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "no crosswalk for &#39;arXiv&#39;" in page and "oai-mapped" in page and "oai_dc" in page
    assert "转换规则" in page
    with hub.db.session() as session:
        assert session.scalar(select(func.count(Repository.id))) == before
    # the same prefix with the platform that maps any format is accepted
    mapping = '{"fields": {"titles": "*[local-name()=\'title\']"}}'
    response = register(client, network.donghai, "http://127.0.0.1:1/oai", metadata_prefix="arXiv",
                        platform="oai-mapped", options=mapping, save_paused="1")  # nothing answers there
    assert response.status_code == 302, response.get_data(as_text=True)
    # editing an existing repository to an unreadable prefix is refused too, and changes nothing
    repo = network.donghai_repo
    response = client.post(f"/admin/repositories/{repo}/edit", data={
        "csrf_token": client.csrf, "platform": "oai", "base_url": site.base_url("donghai"),
        "metadata_prefix": "marc21", "name": "Donghai IR"})
    assert response.status_code == 422 and "no crosswalk for &#39;marc21&#39;" in response.get_data(as_text=True)
    with hub.db.session() as session:
        assert session.get(Repository, repo).metadata_prefix == "oai_dc"


def test_an_address_that_is_no_repository_shows_the_failed_check(app, hub, network, site, signed_in):
    """Issue 15, item 5: the form shows the failed check (no banner, nothing saved) and offers to save it paused."""
    client = signed_in("dh-admin")
    response = register(client, network.donghai, f"{site.url}/no-such-repository/oai")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="check-failed"' in body and "does not answer OAI-PMH Identify" in body and "404" in body
    assert 'name="save_paused"' in body and 'class="flash' not in body
    with hub.db.session() as session:
        assert session.scalar(select(func.count(Repository.id))) == 2  # the network's two
    response = register(client, network.donghai, f"{site.url}/no-such-repository/oai", save_paused="1")
    assert response.status_code == 302
    repo_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    wait_for_check(client, repo_id)
    page = client.get(f"/admin/repositories/{repo_id}").get_data(as_text=True)
    assert 'class="flash warning"' in page and "does not answer OAI-PMH Identify" in page
    with hub.db.session() as session:
        repo = session.get(Repository, repo_id)
        assert repo.state.value == "paused" and repo.check_report["reachable"] is False


def test_a_repository_registered_without_a_name_takes_its_identify_name(app, hub, network, faulty_site, signed_in):
    client = signed_in("dh-admin")
    response = register(client, network.donghai, faulty_site.base_url("donghai"), name="")
    assert response.status_code == 302
    repo_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    wait_for_check(client, repo_id)
    sample = next(r for r in faulty_site.repos if r.slug == "donghai")
    with hub.db.session() as session:
        repo = session.get(Repository, repo_id)
        assert repo.name == sample.display_name and repo.state.value == "active"
        assert repo.name != repo.base_url


def test_an_edit_onto_an_address_that_is_no_repository_is_refused_unless_paused(app, hub, network, site, signed_in):
    client = signed_in("dh-admin")
    repo_id = network.donghai_repo
    form = client.get(f"/admin/repositories/{repo_id}/edit").get_data(as_text=True)
    assert 'name="save_paused"' not in form
    data = {"csrf_token": client.csrf, "platform": "oai", "base_url": f"{site.url}/gone/oai",
            "metadata_prefix": "oai_dc", "name": "Moved"}
    response = client.post(f"/admin/repositories/{repo_id}/edit", data=data)
    assert response.status_code == 422 and 'id="check-failed"' in response.get_data(as_text=True)
    with hub.db.session() as session:
        assert session.get(Repository, repo_id).base_url == site.base_url("donghai")
    response = client.post(f"/admin/repositories/{repo_id}/edit", data={**data, "save_paused": "1"})
    assert response.status_code == 302
    wait_for_check(client, repo_id)
    with hub.db.session() as session:
        repo = session.get(Repository, repo_id)
        assert repo.base_url == f"{site.url}/gone/oai" and repo.state.value == "paused"


def test_the_registration_form_names_members_in_the_page_language(app, hub, network, signed_in):
    client = signed_in("root")
    english = client.get("/admin/repositories/new?lang=en").get_data(as_text=True)
    assert "donghai – Donghai University" in english and "东海大学" not in english
    chinese = client.get("/admin/repositories/new?lang=zh").get_data(as_text=True)
    assert "donghai – 东海大学" in chinese and "Donghai University" not in chinese
