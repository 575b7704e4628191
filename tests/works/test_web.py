"""Admin pages of works and quality: permissions, split and join forms, downloads."""

from __future__ import annotations

import json

from sqlalchemy import select

from hub.accounts.users import create_user
from hub.models import Record, Role, WorkMember
from hub.search import search_backend
from hub.works.grouping import group_all
from tests.works.conftest import load_crafted

PASSWORD = "correct-horse-battery-9"


def _sign_in(client, hub, username: str) -> None:
    from hub.accounts.sessions import open_session
    from hub.models import User

    with hub.db.session() as session:  # sessions live on the server: open one, as the sign-in form does
        user = session.scalar(select(User).where(User.username == username))
        token = open_session(session, hub.settings, user)
    with client.session_transaction() as s:
        s.update(sid=token, csrf="token")


def _works(hub) -> dict[int, int]:
    with hub.db.session() as session:
        return dict(session.execute(select(WorkMember.record_id, WorkMember.work_id)).all())


def _setup(hub):
    load_crafted(hub)
    with hub.db.session() as session:
        group_all(session)
        create_user(session, "staff", PASSWORD, Role.HUB_ADMIN)
        create_user(session, "m5admin", PASSWORD, Role.MEMBER_ADMIN, member="member5")
        create_user(session, "viewer", PASSWORD, Role.VIEWER)


def test_anonymous_visitors_are_sent_to_sign_in(app, hub, client):
    _setup(hub)
    works = _works(hub)
    assert client.get(f"/admin/works/{works[13]}").status_code == 302
    assert client.get("/admin/quality/1.json").status_code == 401


def test_staff_split_and_join_through_the_forms(app, hub, client):
    _setup(hub)
    works = _works(hub)
    _sign_in(client, hub, "staff")
    page = client.get(f"/admin/works/{works[13]}")
    assert page.status_code == 200 and "Lithium battery" in page.get_data(as_text=True)
    assert client.post(f"/admin/works/{works[13]}/split", data={"record_id": "15"}).status_code == 400  # no CSRF
    response = client.post(f"/admin/works/{works[13]}/split?lang=zh", data={"record_id": "15", "csrf_token": "token"})
    assert response.status_code == 302
    chinese = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已拆分，重新收割后仍然有效。" in chinese and "Split saved" not in chinese
    assert _works(hub)[15] != _works(hub)[13]
    backend = search_backend(hub)  # both sides indexed again with their work
    assert [backend.get(r)["work_id"] for r in (13, 15)] == [f"w{_works(hub)[13]}", f"w{_works(hub)[15]}"]
    works = _works(hub)
    joined = client.post(f"/admin/works/{works[28]}/join?lang=en", data={"other": str(works[29]), "csrf_token": "token"},
                         follow_redirects=True).get_data(as_text=True)
    assert "Joined; kept across re-harvests." in joined and "已合并" not in joined
    assert _works(hub)[28] == _works(hub)[29]


def test_member_admins_decide_only_on_works_holding_their_records(app, hub, client):
    _setup(hub)
    works = _works(hub)
    _sign_in(client, hub, "m5admin")
    # record 10 (member5) and 9 (member1) are one work: allowed
    assert client.get(f"/admin/works/{works[10]}").status_code == 200
    # records 13-15 belong to members 1-3: neither visible nor changeable
    assert client.get(f"/admin/works/{works[13]}").status_code == 403
    denied = client.post(f"/admin/works/{works[13]}/split", data={"record_id": "15", "csrf_token": "token"})
    assert denied.status_code == 403
    assert _works(hub)[15] == _works(hub)[13]


def test_quality_report_pages_and_downloads(app, hub, client):
    _setup(hub)
    with hub.db.session() as session:
        repo_15 = session.get(Record, 15).repository_id
    _sign_in(client, hub, "viewer")
    page = client.get(f"/admin/quality/{repo_15}")
    assert page.status_code == 200 and "10.1109/icc.2016.7511234" in page.get_data(as_text=True)
    data = json.loads(client.get(f"/admin/quality/{repo_15}.json").get_data(as_text=True))
    assert data["repository_id"] == repo_15
    csv_text = client.get(f"/admin/quality/{repo_15}.csv").get_data(as_text=True)
    assert csv_text.lstrip("\ufeff").startswith("record_id,")
    assert client.get("/admin/quality/9999").status_code == 404
    _sign_in(client, hub, "m5admin")
    assert client.get(f"/admin/quality/{repo_15}").status_code == 403
