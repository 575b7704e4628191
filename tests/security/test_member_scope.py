"""A member administrator reaches their own member's records only, alone or by a series of decisions.

Three members (alpha, beta, gamma), each with one repository; alpha holds records 1 and 2, beta 11
and 12, gamma 21, all different works to start with. Users sign in through the form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import insert, select

from hub.accounts.users import create_user
from hub.members import add_institution
from hub.models import (
    CompletenessReport,
    HarvestRun,
    Institution,
    Record,
    Repository,
    Role,
    User,
    WorkDecision,
    WorkMember,
    utcnow,
)
from hub.models.works import DecisionRequest, RequestState
from hub.states import RunKind, RunState
from hub.works.decisions import ConsentNeeded, join
from hub.works.grouping import group_all
from hub.works.store import decision_pairs

PASSWORD = "quartz-lantern-meadow-7413"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TITLES = {1: "Lithium plating in fast-charged graphite anodes", 2: "Soil carbon under bamboo plantations",
          11: "Glacier retreat on the eastern Tibetan plateau", 12: "Quantum dots for deep-tissue imaging",
          21: "Tone sandhi in the Wu dialects of Zhejiang"}
MEMBERS = {1: "alpha", 2: "alpha", 11: "beta", 12: "beta", 21: "gamma"}


@dataclass
class Scope:
    """Ids of the three members' objects."""

    institutions: dict[str, int]
    repositories: dict[str, int]
    beta_run: int
    beta_report: int


@pytest.fixture
def scope(hub) -> Scope:
    with hub.db.session() as session:
        institutions, repositories = {}, {}
        for slug in ("alpha", "beta", "gamma"):
            inst = add_institution(session, slug, f"{slug.title()} University", f"{slug}大学", "")
            repo = Repository(institution_id=inst.id, platform="oai", name=f"{slug.title()} IR",
                              base_url=f"https://{slug}.example.edu.cn/oai")
            session.add(repo)
            session.flush()
            institutions[slug], repositories[slug] = inst.id, repo.id
        now = utcnow()
        session.execute(insert(Record), [
            {"id": rid, "repository_id": repositories[MEMBERS[rid]], "source_identifier": f"oai:{MEMBERS[rid]}:{rid}",
             "meta": {"titles": [{"value": title, "lang": "eng"}], "creators": [{"name": f"Author {rid}"}],
              "year": 2000 + rid}, "hub_datestamp": now, "created_at": now}
            for rid, title in TITLES.items()])
        run = HarvestRun(repository_id=repositories["beta"], kind=RunKind.FULL, state=RunState.FAILED,
                         started_at=now, finished_at=now, checkpoint={}, message="Beta secret run")
        report = CompletenessReport(repository_id=repositories["beta"], missing=["oai:beta:99"], extra=[],
                                    stale=[], error="", repair_note="")
        session.add_all([run, report])
        group_all(session)
        create_user(session, "root", PASSWORD, Role.HUB_ADMIN)
        for slug in ("alpha", "beta", "gamma"):
            create_user(session, f"{slug}-admin", PASSWORD, Role.MEMBER_ADMIN, member=slug)
        session.flush()
        return Scope(institutions, repositories, run.id, report.id)


def works(hub) -> dict[int, int]:
    """Record id -> work id."""
    with hub.db.session() as session:
        return dict(session.execute(select(WorkMember.record_id, WorkMember.work_id)).all())


def sign_in(app, username: str):
    """A test client signed in through the form, with its CSRF token."""
    client = app.test_client()
    token = CSRF.search(client.get("/admin/sign-in").get_data(as_text=True)).group(1)
    response = client.post("/admin/sign-in", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.csrf = CSRF.search(client.get("/admin/").get_data(as_text=True)).group(1)
    return client


def post(client, path: str, **data):
    return client.post(path, data={"csrf_token": client.csrf, **data})


def pending(hub) -> list[DecisionRequest]:
    with hub.db.session() as session:
        return list(session.scalars(select(DecisionRequest).where(DecisionRequest.state == RequestState.PENDING)))


def test_join_then_split_leaves_no_decision_on_another_members_records(app, hub, scope):
    """The attack of the issue: join alpha's work with beta's two works, then split alpha's record
    off. Before, beta's 11 and 12 stayed joined under alpha's decision; now nothing of beta's moves
    and no stored decision pairs two of beta's records."""
    client = sign_in(app, "alpha-admin")
    before = works(hub)
    post(client, f"/admin/works/{before[1]}/join", other=str(before[11]))
    post(client, f"/admin/works/{works(hub)[1]}/join", other=str(works(hub)[12]))
    post(client, f"/admin/works/{works(hub)[1]}/split", record_id="1")
    after = works(hub)
    assert after[11] != after[12] and after[1] not in (after[11], after[12])
    with hub.db.session() as session:
        must, cannot = decision_pairs(session)
        assert session.scalar(select(WorkDecision.id)) is None
    assert (11, 12) not in must | cannot
    assert len(pending(hub)) == 2  # the two joins wait for beta; the split had nothing to split


def test_member_admin_decides_alone_on_works_of_their_member_only(app, hub, scope):
    client = sign_in(app, "alpha-admin")
    before = works(hub)
    post(client, f"/admin/works/{before[1]}/join", other=str(before[2]))
    assert works(hub)[1] == works(hub)[2]  # all alpha's: applied at once
    assert pending(hub) == []
    post(client, f"/admin/works/{works(hub)[1]}/split", record_id="2")
    assert works(hub)[1] != works(hub)[2]


def test_the_library_refuses_a_member_admin_of_neither_member(hub, scope):
    before = works(hub)
    with hub.db.session() as session:
        alpha = session.scalar(select(User).where(User.username == "alpha-admin"))
        with pytest.raises(PermissionError):
            join(session, before[11], before[21], user=alpha)
        beta = session.scalar(select(User).where(User.username == "beta-admin"))
        with pytest.raises(ConsentNeeded) as waiting:
            join(session, before[11], before[21], user=beta)
        assert waiting.value.waiting == [scope.institutions["gamma"]]


def test_consent_of_every_member_concerned_applies_the_decision(app, hub, scope):
    alpha, beta, gamma = (sign_in(app, f"{s}-admin") for s in ("alpha", "beta", "gamma"))
    before = works(hub)
    asked = post(alpha, f"/admin/works/{before[1]}/join", other=str(before[11]))
    assert asked.status_code == 302
    chinese = alpha.get(asked.headers["Location"] + "?lang=zh").get_data(as_text=True)  # one language, names too
    assert "须待 beta大学 同意后生效" in chinese and "Beta University" not in chinese
    english = alpha.get("/admin/works/requests?lang=en").get_data(as_text=True)
    assert "Beta University" in english and "beta大学" not in english
    assert works(hub) == before
    [request] = pending(hub)
    assert request.institutions == sorted([scope.institutions["alpha"], scope.institutions["beta"]])
    assert post(gamma, f"/admin/works/requests/{request.id}/consent").status_code == 403  # not concerned
    assert post(gamma, f"/admin/works/requests/{request.id}/decline").status_code == 403
    assert "Alpha" not in gamma.get("/admin/works/requests").get_data(as_text=True)
    assert post(alpha, f"/admin/works/requests/{request.id}/consent").status_code == 302  # again: still waits
    assert works(hub) == before
    listing = beta.get("/admin/works/requests").get_data(as_text=True)
    assert f"/admin/works/requests/{request.id}/consent" in listing
    assert post(beta, f"/admin/works/requests/{request.id}/consent").status_code == 302
    assert works(hub)[1] == works(hub)[11]
    with hub.db.session() as session:
        done = session.get(DecisionRequest, request.id)
        decision = session.get(WorkDecision, done.decision_id)
        assert done.state == RequestState.APPLIED and done.closed_by == "beta-admin"
        assert decision.username == "alpha-admin, beta-admin" and (decision.left, decision.right) == ([1], [11])
    assert post(beta, f"/admin/works/requests/{request.id}/consent").status_code == 302  # answered: refused
    assert pending(hub) == []


def test_a_declined_request_changes_nothing(app, hub, scope):
    alpha, beta = sign_in(app, "alpha-admin"), sign_in(app, "beta-admin")
    before = works(hub)
    post(alpha, f"/admin/works/{before[1]}/join", other=str(before[11]))
    [request] = pending(hub)
    assert post(beta, f"/admin/works/requests/{request.id}/decline").status_code == 302
    assert post(alpha, f"/admin/works/requests/{request.id}/consent").status_code == 302
    assert works(hub) == before and pending(hub) == []
    with hub.db.session() as session:
        assert session.get(DecisionRequest, request.id).state == RequestState.DECLINED


def test_a_hub_admin_decides_for_every_member(app, hub, scope):
    alpha, root = sign_in(app, "alpha-admin"), sign_in(app, "root")
    before = works(hub)
    post(alpha, f"/admin/works/{before[1]}/join", other=str(before[11]))
    [request] = pending(hub)
    assert post(root, f"/admin/works/requests/{request.id}/consent").status_code == 302
    assert works(hub)[1] == works(hub)[11]
    post(root, f"/admin/works/{works(hub)[11]}/join", other=str(before[21]))  # directly, no request
    assert works(hub)[21] == works(hub)[11] and pending(hub) == []
    # a split of the three-member work by alpha's administrator waits for beta and gamma
    post(alpha, f"/admin/works/{works(hub)[1]}/split", record_id="1")
    [split_request] = pending(hub)
    with hub.db.session() as session:
        from hub.works.decisions import waiting_for

        assert waiting_for(session, session.get(DecisionRequest, split_request.id)) == sorted(
            [scope.institutions["beta"], scope.institutions["gamma"]])
    assert works(hub)[1] == works(hub)[11]


def test_every_admin_route_refuses_alpha_on_beta_objects(app, hub, scope):
    """Each admin route (the admin area and the works and quality pages), filled with beta's objects,
    answers alpha's administrator 403 or 404, shows nothing of beta, and changes nothing."""
    before = works(hub)
    with hub.db.session() as session:
        beta_user = session.scalar(select(User).where(User.username == "beta-admin"))
        with pytest.raises(ConsentNeeded) as waiting:
            join(session, before[11], before[21], user=beta_user)  # a request alpha has no part in
        request_id, beta_user_id = waiting.value.request.id, beta_user.id
        session.commit()
    targets = {"user_id": beta_user_id, "institution_id": scope.institutions["beta"], "repository_id": scope.repositories["beta"],
               "run_id": scope.beta_run, "report_id": scope.beta_report, "work_id": before[11],
               "request_id": request_id}
    client = sign_in(app, "alpha-admin")
    walked = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin/") or not rule.arguments or rule.endpoint.endswith(".static"):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{name}>", str(targets.get(name, 1)), path)  # other kinds: none of alpha's
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={
                "csrf_token": client.csrf, "confirm": str(scope.repositories["beta"]), "record_id": "11",
                "other": str(before[1]), "institution_id": scope.institutions["beta"], "mode": "getrecord",
                "base_url": "https://alpha.example.edu.cn/oai2", "platform": "oai", "name_en": "Taken"})
            assert response.status_code in (403, 404), (method, path, response.status_code)
            body = response.get_data(as_text=True)
            assert "Beta" not in body and "beta大学" not in body, (method, path)
            walked.add(rule.endpoint)
    assert {"works_admin.work", "works_admin.split_work", "works_admin.join_work", "works_admin.consent_request",
            "works_admin.decline_request", "works_admin.quality_csv", "admin.repository_edit",
            "admin.completeness_repair", "admin.run_resume", "admin.institution_report"} <= walked
    # registering a repository for beta, or moving one there, is refused too
    refused = post(client, "/admin/repositories/new", institution_id=str(scope.institutions["beta"]),
                   base_url="https://beta.example.edu.cn/oai2", platform="oai", metadata_prefix="oai_dc")
    assert refused.status_code == 403
    assert works(hub) == before
    with hub.db.session() as session:
        assert session.get(DecisionRequest, request_id).state == RequestState.PENDING
        assert session.get(Repository, scope.repositories["beta"]).base_url == "https://beta.example.edu.cn/oai"
        assert session.get(Repository, scope.repositories["beta"]).state.value == "active"
        assert session.scalar(select(WorkDecision.id)) is None
        assert {r.institution_id for r in session.scalars(select(Repository))} == set(scope.institutions.values())
        assert session.scalar(select(Institution).where(Institution.slug == "taken")) is None
