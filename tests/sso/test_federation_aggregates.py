"""Federation metadata aggregates (hub.accounts.federation_metadata) with the signed samples of tests/sso/data
(made by make_samples.py): a good aggregate makes one identity provider per IdP, names and scopes from its
metadata; expired, unsigned, wrongly signed, tampered and unreadable aggregates are refused with the reason
kept on the source and the stored providers untouched; a later aggregate disables the IdPs it no longer
lists (never deletes them); the scheduler's refresh runs when a source is due; an aggregate over HTTP is
read through the hub's HTTP client."""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.accounts import federation_metadata as fm
from hub.members import add_institution
from hub.models import AuditEntry, User, utcnow
from hub.models.federation import ExternalIdentity, FederationSource, IdentityProvider, Protocol

DATA = Path(__file__).resolve().parent / "data"
CERT = (DATA / "federation.crt").read_text()
UNIV_A = "https://idp.univ-a.edu.cn/idp/shibboleth"
UNIV_C = "https://idp.univ-c.edu.cn/idp/shibboleth"
UNIV_D = "https://idp.univ-d.edu.cn/idp/shibboleth"


def sample(name: str) -> str:
    return str(DATA / f"aggregate-{name}.xml")


@pytest.fixture
def source(hub):
    with hub.db.session() as db:
        add_institution(db, "univ-a", "University A", "甲大学", website="https://www.univ-a.edu.cn/")
        return fm.add_source(db, "carsi", sample("good"), CERT, 6).id


def refresh(hub, source_id, location=None, **kwargs) -> fm.RefreshResult:
    with hub.db.session() as db:
        row = db.get(FederationSource, source_id)
        if location:
            row.location = location
        return fm.refresh_source(hub, db, row, **kwargs)


def providers(hub) -> dict[str, IdentityProvider]:
    with hub.db.session() as db:
        rows = db.scalars(select(IdentityProvider)).all()
        for row in rows:
            db.expunge(row)
        return {row.key: row for row in rows}


def test_a_good_aggregate_makes_one_provider_per_idp(hub, source):
    result = refresh(hub, source)
    assert result.error == "" and sorted(result.added) == [UNIV_A, UNIV_C]
    found = providers(hub)
    assert set(found) == {UNIV_A, UNIV_C}  # the SP entity is not an identity provider
    a = found[UNIV_A]
    assert a.protocol == Protocol.SAML and a.enabled and a.source_id == source
    assert (a.name_zh, a.name_en, a.scopes) == ("甲大学", "University A", ["univ-a.edu.cn"])
    assert a.slug == "univ-a-edu-cn"
    assert 'entityID="https://idp.univ-a.edu.cn/idp/shibboleth"' in a.config["metadata_xml"]
    assert a.institution_id is not None  # the member whose website is in its scope
    assert found[UNIV_C].institution_id is None  # no member has univ-c.edu.cn: hub-wide until assigned
    with hub.db.session() as db:
        row = db.get(FederationSource, source)
        assert row.provider_count == 2 and row.last_error == "" and row.valid_until.year == 2100
        assert fm.expiry_problem(row) == ""


def test_the_stored_metadata_of_a_federation_idp_is_usable_by_the_sp(hub, source):
    from hub.accounts.saml import login_redirect

    refresh(hub, source)
    with hub.db.session() as db:
        row = db.scalar(select(IdentityProvider).where(IdentityProvider.key == UNIV_A))
        started = login_redirect(hub.settings, row)
    assert started.url.startswith("https://idp.univ-a.edu.cn/idp/sso?SAMLRequest=")


@pytest.mark.parametrize("name, kind", [("expired", fm.AggregateProblem.EXPIRED),
                                        ("unsigned", fm.AggregateProblem.UNSIGNED),
                                        ("wrong-key", fm.AggregateProblem.BAD_SIGNATURE),
                                        ("tampered", fm.AggregateProblem.BAD_SIGNATURE)])
def test_a_bad_aggregate_is_refused_and_changes_no_provider(hub, source, name, kind):
    refresh(hub, source)
    before = {key: (p.enabled, p.name_en, p.config) for key, p in providers(hub).items()}
    result = refresh(hub, source, sample(name))
    assert result.error.startswith(kind.value)
    assert "stored providers unchanged" in result.summary()
    assert {key: (p.enabled, p.name_en, p.config) for key, p in providers(hub).items()} == before
    with hub.db.session() as db:
        row = db.get(FederationSource, source)
        assert row.last_error.startswith(kind.value) and row.provider_count == 2
        assert fm.expiry_problem(row).startswith("last refresh refused")
        refused = db.scalars(select(AuditEntry).where(AuditEntry.action == "federation.refused")).all()
        assert refused and kind.value in refused[-1].note


def test_a_first_refresh_of_a_bad_aggregate_makes_nothing(hub, source):
    result = refresh(hub, source, sample("unsigned"))
    assert result.error and providers(hub) == {}


def test_an_unreadable_or_malformed_aggregate_is_refused(hub, source, tmp_path):
    assert refresh(hub, source, str(tmp_path / "missing.xml")).error.startswith("unreadable")
    (tmp_path / "junk.xml").write_text("<html>not metadata")
    assert refresh(hub, source, str(tmp_path / "junk.xml")).error.startswith("malformed")
    (tmp_path / "entity.xml").write_text('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
                                         'entityID="https://x.test/idp"/>')
    assert refresh(hub, source, str(tmp_path / "entity.xml")).error.startswith("malformed")


def test_an_idp_no_longer_listed_is_disabled_not_deleted(hub, source):
    refresh(hub, source)
    with hub.db.session() as db:
        univ_c = db.scalar(select(IdentityProvider).where(IdentityProvider.key == UNIV_C))
        user = User(username="carol", email="carol@univ-c.edu.cn", password_hash="!", role="viewer",
                    session_epoch=0, active=True)
        db.add(user)
        db.flush()
        db.add(ExternalIdentity(provider_id=univ_c.id, subject="carol-1", user_id=user.id, attributes={}))
    result = refresh(hub, source, sample("next"))
    assert result.added == [UNIV_D] and result.disabled == [UNIV_C] and result.updated == [UNIV_A]
    found = providers(hub)
    assert not found[UNIV_C].enabled and found[UNIV_A].enabled and found[UNIV_D].enabled
    with hub.db.session() as db:
        assert db.scalar(select(ExternalIdentity).where(ExternalIdentity.subject == "carol-1")) is not None
    refresh(hub, source, sample("good"))  # listed again: enabled again
    assert providers(hub)[UNIV_C].enabled


def test_an_explicit_member_mapping_wins_and_an_assignment_is_kept(hub, source):
    with hub.db.session() as db:
        add_institution(db, "univ-c", "University C")
    refresh(hub, source, mapping={"univ-c.edu.cn": "univ-c"})
    with hub.db.session() as db:
        univ_c = db.scalar(select(IdentityProvider).where(IdentityProvider.key == UNIV_C))
        assert univ_c.institution.slug == "univ-c"
    refresh(hub, source)  # the scheduled refresh has no mapping: the assignment stays
    with hub.db.session() as db:
        assert db.scalar(select(IdentityProvider).where(IdentityProvider.key == UNIV_C)).institution.slug == "univ-c"
    with pytest.raises(LookupError, match="no member 'nobody'"):
        refresh(hub, source, mapping={"univ-c.edu.cn": "nobody"})


def test_a_source_needs_a_pem_certificate(hub):
    with hub.db.session() as db, pytest.raises(fm.AggregateError) as caught:
        fm.add_source(db, "carsi", sample("good"), "not a certificate", 6)
    assert caught.value.kind == fm.AggregateProblem.BAD_CERTIFICATE


def test_the_scheduler_refreshes_a_source_when_it_is_due(hub, source):
    now = utcnow()
    assert fm.refresh_due(hub, now) == ["federation carsi: 2 added, 0 updated, 0 disabled, 1 without a member"]
    assert fm.refresh_due(hub, now + timedelta(hours=5)) == []
    assert fm.refresh_due(hub, now + timedelta(hours=6, minutes=1))[0].startswith("federation carsi: 0 added")


def test_the_scheduler_tick_runs_the_refresh(hub, source):
    from hub.scheduling.runner import tick

    lines = tick(hub)
    assert any(line.startswith("federation carsi: 2 added") for line in lines)


def test_an_aggregate_over_http_is_read_through_the_hub_client(hub, source):
    body = Path(sample("good")).read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            self.send_response(200)
            self.send_header("Content-Type", "application/samlmetadata+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/carsi-metadata.xml"
        assert refresh(hub, source, url).error == ""
        hub.configure(ALLOW_PRIVATE_ADDRESSES=False)  # the hub's address rules apply to aggregates too
        assert refresh(hub, source, url).error.startswith("unreadable")
    finally:
        server.shutdown()
    assert set(providers(hub)) == {UNIV_A, UNIV_C}


def test_expiry_problems_are_told(hub, source):
    with hub.db.session() as db:
        row = db.get(FederationSource, source)
        assert fm.expiry_problem(row).startswith("never refreshed")
        row.fetched_at, row.provider_count = utcnow(), 2
        row.valid_until = utcnow() + timedelta(hours=3)
        assert fm.expiry_problem(row).startswith("metadata expires soon")
        row.valid_until = utcnow() - timedelta(hours=1)
        assert fm.expiry_problem(row).startswith("metadata expired")


def test_a_provider_added_by_hand_is_left_as_it_is(hub, source):
    with hub.db.session() as db:
        db.add(IdentityProvider(slug="univ-a", protocol=Protocol.SAML, key=UNIV_A, name_en="Hand-made",
                                scopes=["univ-a.edu.cn"], config={"metadata_xml": "<kept/>"}))
    result = refresh(hub, source)
    assert result.added == [UNIV_C] and result.updated == []
    kept = providers(hub)[UNIV_A]
    assert (kept.slug, kept.name_en, kept.source_id, kept.config) == ("univ-a", "Hand-made", None,
                                                                      {"metadata_xml": "<kept/>"})
