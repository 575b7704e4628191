"""Admin split and join of researchers (/admin/researchers...): who may decide (a member administrator
on their own member's researchers only, hub administrators on any, viewers never), the stored
decision and its audit entry, the follow-up stages (the showcase facts follow) and bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.accounts.users import create_user
from hub.models import AuditEntry, Role
from hub.models.people import Authorship, ResearcherDecision
from hub.models.showcase import RecordFacts
from hub.people.linking import relink
from tests.search.conftest import add_member, add_record

PASSWORD = "correct-horse-battery-9"


def _sign_in(client, hub, username: str) -> None:
    from hub.accounts.sessions import open_session
    from hub.models import User

    with hub.db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        token = open_session(session, hub.settings, user)
    with client.session_transaction() as s:
        s.update(sid=token, csrf="token")
    client.set_cookie("lang", "en")


@pytest.fixture
def linked(hub):
    """王伟 at pku on three records (linked by H1's rules: pinyin, member, co-authors, subjects) and a
    Wang, Wei at fudan; users of every role. Returns {ref: researcher id} after linking."""
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fudan = add_member(hub, "fudan", "Fudan University", "复旦大学")
    ids = [add_record(hub, pku, 1, title="图神经网络", creators=("王伟", "李娜", "赵六"),
                      subjects=("graph neural networks",), year=2019),
           add_record(hub, pku, 2, title="Graph learning", creators=("Wang, Wei", "Li, Na", "Zhao, Liu"),
                      subjects=("graph neural networks",), year=2020),
           add_record(hub, pku, 3, title="More graphs", creators=("王伟", "李娜"),
                      subjects=("graph neural networks",), year=2021),
           add_record(hub, fudan, 4, title="Fudan paper", creators=("Wang, Wei", "张三"), year=2021)]
    with hub.db.session() as session:
        relink(session, ids, 400)
        create_user(session, "root", PASSWORD, Role.HUB_ADMIN)
        create_user(session, "viewer", PASSWORD, Role.VIEWER)
        create_user(session, "pku-admin", PASSWORD, Role.MEMBER_ADMIN, member="pku")
        create_user(session, "fudan-admin", PASSWORD, Role.MEMBER_ADMIN, member="fudan")
    return ids


def _researchers(hub) -> dict[str, int | None]:
    with hub.db.session() as session:
        return {f"{rid}:{name}": res for rid, name, res in session.execute(
            select(Authorship.record_id, Authorship.name, Authorship.researcher_id))}


def _decisions(hub) -> list[ResearcherDecision]:
    with hub.db.session() as session:
        return list(session.scalars(select(ResearcherDecision)))


def test_member_admin_splits_their_own_researcher(app, hub, client, linked):
    r1, _r2, r3, _r4 = linked
    before = _researchers(hub)
    wang = before[f"{r1}:王伟"]
    assert before[f"{r3}:王伟"] == wang  # one person before
    _sign_in(client, hub, "pku-admin")
    page = client.get(f"/admin/researchers/{wang}").get_data(as_text=True)
    assert 'name="ref"' in page and "the same member" in page and "More graphs" in page
    assert client.post(f"/admin/researchers/{wang}/split", data={"ref": f"{r3}:王伟"}).status_code == 400  # no CSRF
    resp = client.post(f"/admin/researchers/{wang}/split",
                       data={"ref": f"{r3}:王伟", "note": "two people", "csrf_token": "token"})
    assert resp.status_code == 302
    assert "Split saved" in client.get(resp.headers["Location"]).get_data(as_text=True)
    after = _researchers(hub)
    assert after[f"{r3}:王伟"] not in (None, wang) and after[f"{r1}:王伟"] == after[f"{r1 + 1}:Wang, Wei"]
    (decision,) = _decisions(hub)
    assert decision.kind.value == "split" and decision.left == [f"{r3}:王伟"] and decision.username == "pku-admin"
    with hub.db.session() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "researcher.split"))
        assert entry is not None and entry.username == "pku-admin" and entry.after["note"] == "two people"
        facts = session.get(RecordFacts, r3)  # the follow-up: the showcase stage refreshed the moved record
        assert facts is not None and after[f"{r3}:王伟"] in facts.researchers


def test_member_admin_may_not_join_across_members_but_a_hub_admin_may(app, hub, client, linked):
    r1, _r2, _r3, r4 = linked
    before = _researchers(hub)
    wang, namesake = before[f"{r1}:王伟"], before[f"{r4}:Wang, Wei"]
    assert wang != namesake
    _sign_in(client, hub, "pku-admin")
    resp = client.post(f"/admin/researchers/{wang}/join", data={"other": str(namesake), "csrf_token": "token"})
    assert resp.status_code == 302
    assert "only a hub administrator" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert _decisions(hub) == [] and _researchers(hub) == before
    _sign_in(client, hub, "root")
    resp = client.post(f"/admin/researchers/{wang}/join", data={"other": str(namesake), "csrf_token": "token"})
    assert resp.status_code == 302
    after = _researchers(hub)
    assert after[f"{r4}:Wang, Wei"] == after[f"{r1}:王伟"]
    assert [d.kind.value for d in _decisions(hub)] == ["join"]
    with hub.db.session() as session:
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "researcher.join")).username == "root"


def test_viewers_see_but_never_decide_and_other_members_see_nothing(app, hub, client, linked):
    r1, *_rest = linked
    wang = _researchers(hub)[f"{r1}:王伟"]
    _sign_in(client, hub, "viewer")
    page = client.get(f"/admin/researchers/{wang}")
    assert page.status_code == 200 and 'name="ref"' not in page.get_data(as_text=True)
    resp = client.post(f"/admin/researchers/{wang}/split", data={"ref": f"{r1}:王伟", "csrf_token": "token"})
    assert resp.status_code == 403 and _decisions(hub) == []
    _sign_in(client, hub, "fudan-admin")
    assert client.get(f"/admin/researchers/{wang}").status_code == 403
    assert client.post(f"/admin/researchers/{wang}/split",
                       data={"ref": f"{r1}:王伟", "csrf_token": "token"}).status_code == 403
    listing = client.get("/admin/researchers").get_data(as_text=True)  # their own member's only
    assert "张三" in listing and "王伟" not in listing


def test_bad_input(app, hub, client, linked):
    r1, *_rest = linked
    wang = _researchers(hub)[f"{r1}:王伟"]
    assert client.get(f"/admin/researchers/{wang}").status_code == 302  # sign in first
    _sign_in(client, hub, "root")
    assert client.get("/admin/researchers/999999").status_code == 404
    assert client.post(f"/admin/researchers/{wang}/join", data={"other": "abc", "csrf_token": "token"}).status_code == 400
    assert client.post(f"/admin/researchers/{wang}/split", data={"ref": "nonsense", "csrf_token": "token"}).status_code == 400
    resp = client.post(f"/admin/researchers/{wang}/join", data={"other": str(wang), "csrf_token": "token"})
    assert resp.status_code == 302 and "no other researcher" in client.get(resp.headers["Location"]).get_data(as_text=True)
    everything = [f"{r1}:王伟", f"{r1 + 1}:Wang, Wei", f"{r1 + 2}:王伟"]
    resp = client.post(f"/admin/researchers/{wang}/split", data={"ref": everything, "csrf_token": "token"})
    assert "not none and not all" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert _decisions(hub) == []
    assert client.get("/admin/researchers?q=王伟&page=abc").status_code == 200
