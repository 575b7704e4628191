"""The SAML forms of /admin/identity-providers (hub administrators): a SAML identity provider from its metadata
(a URL or the XML pasted) and a federation's signed aggregate (the samples of tests/sso/data, served on
loopback), the list of federations and "Refresh now". Every refusal (unreadable metadata; an aggregate unsigned,
expired, tampered or signed with another key; a taken slug; an unknown member) is the form again, HTTP 422,
in the page's language, with nothing stored; a member admin gets 403; each change is an audit entry naming
the administrator."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.accounts.users import create_user
from hub.members import add_institution
from hub.models import AuditEntry, Role
from hub.models.federation import FederationSource, IdentityProvider, Provisioning
from tests.sso.saml_support import IDP_ENTITY_ID, idp_metadata

DATA = Path(__file__).resolve().parent / "data"
CERT = (DATA / "federation.crt").read_text()
OTHER_CERT = (DATA / "other.crt").read_text()
UNIV_A = "https://idp.univ-a.edu.cn/idp/shibboleth"
UNIV_C = "https://idp.univ-c.edu.cn/idp/shibboleth"
UNIV_D = "https://idp.univ-d.edu.cn/idp/shibboleth"
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def served():
    """tests/sso/data's aggregates and the test IdP's metadata over HTTP on loopback: ``url(name)``."""
    files = {f"/aggregate-{name}.xml": (DATA / f"aggregate-{name}.xml").read_bytes()
             for name in ("good", "next", "expired", "unsigned", "wrong-key", "tampered")}
    files["/idp.xml"] = idp_metadata().encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            body = files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/samlmetadata+xml")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield lambda name: f"{base}/{name}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(hub):
    with hub.db.session() as db:
        add_institution(db, "univ-a", "University A", "甲大学", website="https://www.univ-a.edu.cn/")
        add_institution(db, "univ-b", "University B", "乙大学")
        add_institution(db, "univ-c", "University C", "丙大学")
        create_user(db, "root", PASSWORD, Role.HUB_ADMIN)
        create_user(db, "a-admin", PASSWORD, Role.MEMBER_ADMIN, member="univ-a")
    return hub


def signed_in(client, username: str = "root") -> str:
    token = CSRF.search(client.get("/admin/sign-in").get_data(as_text=True)).group(1)
    answer = client.post("/admin/sign-in", data={"csrf_token": token, "username": username, "password": PASSWORD})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return CSRF.search(client.get("/admin/password").get_data(as_text=True)).group(1)


def stored(hub) -> dict:
    """Everything the forms could change: providers, federations, audit entries."""
    with hub.db.session() as db:
        return {
            "providers": sorted((p.slug, p.key, p.enabled, p.institution_id, tuple(p.scopes or []))
                                for p in db.scalars(select(IdentityProvider))),
            "federations": sorted((s.name, s.location, s.certificate, s.refresh_hours, s.provider_count,
                                   s.last_error) for s in db.scalars(select(FederationSource))),
            "audit": db.scalar(select(func.count()).select_from(AuditEntry)),
        }


def audit(hub, action: str) -> list[AuditEntry]:
    with hub.db.session() as db:
        rows = db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()
        for row in rows:
            db.expunge(row)
        return list(rows)


def saml_form(token: str, **values: str) -> dict[str, str]:
    return {"csrf_token": token, "slug": "univ-a", "metadata_url": "", "metadata_xml": "", "member": "univ-a",
            "scopes": "", "provisioning": "active", "name_zh": "", "name_en": "", **values}


def federation_form(token: str, url: str, **values: str) -> dict[str, str]:
    return {"csrf_token": token, "name": "CARSI", "url": url, "certificate": CERT, "refresh_hours": "6",
            "mapping": "", **values}


def test_the_page_offers_both_forms_and_the_federations(site, client):
    signed_in(client)
    page = client.get("/admin/identity-providers?lang=en").get_data(as_text=True)
    assert "Add a SAML identity provider" in page and "Add or refresh a federation" in page
    assert 'action="/admin/identity-providers/saml#add-saml"' in page \
        and 'action="/admin/identity-providers/federations#add-federation"' in page
    assert "No federation yet." in page
    assert page.count('name="csrf_token"') >= 3
    switched = client.get("/admin/identity-providers/saml?lang=zh")  # the language switch of a refused form
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/admin/identity-providers?lang=zh")


def test_a_saml_provider_from_a_metadata_url(site, client, served):
    token = signed_in(client)
    answer = client.post("/admin/identity-providers/saml?lang=en",
                         data=saml_form(token, metadata_url=served("idp.xml"), name_zh="甲大学统一认证"))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    with site.db.session() as db:
        row = db.scalar(select(IdentityProvider).where(IdentityProvider.slug == "univ-a"))
        assert (row.key, row.name_zh, row.scopes, row.provisioning) == (IDP_ENTITY_ID, "甲大学统一认证",
                                                                         ["univ-a.edu.cn"], Provisioning.ACTIVE)
        assert row.institution.slug == "univ-a" and "IDPSSODescriptor" in row.config["metadata_xml"]
    [entry] = audit(site, "sso.provider-add")
    assert entry.username == "root" and entry.target_id == "univ-a" and entry.after["key"] == IDP_ENTITY_ID
    page = client.get("/admin/identity-providers?lang=en").get_data(as_text=True)
    assert "SAML identity provider univ-a added" in page and 'data-slug="univ-a"' in page


def test_a_saml_provider_from_pasted_metadata(site, client):
    token = signed_in(client)
    answer = client.post("/admin/identity-providers/saml",
                         data=saml_form(token, slug="univ-b-idp", member="univ-b", scopes="univ-b.edu.cn",
                                        metadata_xml=idp_metadata(), provisioning="pending", name_en="B SSO"))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    with site.db.session() as db:
        row = db.scalar(select(IdentityProvider).where(IdentityProvider.slug == "univ-b-idp"))
        assert (row.scopes, row.name_en, row.provisioning, row.institution.slug) == (
            ["univ-b.edu.cn"], "B SSO", Provisioning.PENDING, "univ-b")
    assert audit(site, "sso.provider-add")[0].username == "root"


@pytest.mark.parametrize("values, english, chinese", [
    ({"metadata_xml": "<html>not metadata"}, "This is not usable SAML metadata.", "这不是可用的 SAML 元数据。"),
    ({"metadata_url": "unreachable"}, "The metadata could not be read from this address.",
     "无法从该地址读取元数据。"),
    ({"member": "nobody", "metadata_xml": "x"}, "There is no member nobody.", "没有成员 nobody。"),
    ({"slug": "Bad Slug", "metadata_xml": "x"}, "The slug must be 2 to 63", "简称须为"),
    ({}, "URL or paste the metadata, one of the two", "请填写元数据的网址或粘贴元数据"),
    ({"metadata_url": "file:///etc/passwd"}, "must be an http or https URL", "必须是 http 或 https 网址"),
    ({"scopes": "not a domain!", "metadata_xml": "x"}, "is not a domain such as", "不是域名"),
])
def test_bad_saml_input_is_told_on_the_form_and_stores_nothing(site, client, served, values, english, chinese):
    token = signed_in(client)
    if values.get("metadata_url") == "unreachable":
        values = {"metadata_url": served("missing.xml")}
    before = stored(site)
    for lang, text in (("en", english), ("zh", chinese)):
        answer = client.post(f"/admin/identity-providers/saml?lang={lang}", data=saml_form(token, **values))
        body = answer.get_data(as_text=True)
        assert answer.status_code == 422 and text in body, body
        assert "Traceback" not in body and 'role="alert"' in body
    assert stored(site) == before


def test_a_taken_slug_or_entity_id_and_another_members_scope_are_refused(site, client, served):
    token = signed_in(client)
    assert client.post("/admin/identity-providers/saml",
                       data=saml_form(token, metadata_url=served("idp.xml"))).status_code == 302
    before = stored(site)
    again = client.post("/admin/identity-providers/saml?lang=zh", data=saml_form(token, metadata_xml=idp_metadata()))
    assert again.status_code == 422 and "已有身份提供者 univ-a" in again.get_data(as_text=True)
    same_idp = client.post("/admin/identity-providers/saml?lang=en",
                           data=saml_form(token, slug="other", member="univ-b", metadata_xml=idp_metadata()))
    assert same_idp.status_code == 422 and f"the entity ID {IDP_ENTITY_ID} is registered already" in \
        same_idp.get_data(as_text=True)
    other = idp_metadata(entity_id="https://idp.evil.example/idp")
    scope = client.post("/admin/identity-providers/saml?lang=en",
                        data=saml_form(token, slug="evil", member="univ-b", metadata_xml=other))
    assert scope.status_code == 422
    assert "The scope univ-a.edu.cn is owned by the provider univ-a of another member." in scope.get_data(as_text=True)
    assert stored(site) == before


def test_a_federation_is_added_listed_and_refreshed(site, client, served):
    token = signed_in(client)
    answer = client.post("/admin/identity-providers/federations?lang=en",
                         data=federation_form(token, served("aggregate-good.xml"), mapping="univ-c.edu.cn=univ-c\n"))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    with site.db.session() as db:
        source = db.scalar(select(FederationSource))
        assert (source.name, source.provider_count, source.last_error) == ("CARSI", 2, "")
        assert source.location == served("aggregate-good.xml") and source.valid_until.year == 2100
        found = {p.key: p for p in db.scalars(select(IdentityProvider))}
        assert set(found) == {UNIV_A, UNIV_C}
        assert found[UNIV_A].institution.slug == "univ-a" and found[UNIV_C].institution.slug == "univ-c"
        source_id = source.id
    [added] = audit(site, "sso.federation-add")
    assert added.username == "root" and added.after["name"] == "CARSI" and "2 added" in added.note
    assert audit(site, "federation.refreshed")[0].username == "root"
    page = client.get("/admin/identity-providers?lang=en").get_data(as_text=True)
    assert "Federation CARSI refreshed: 2 added, 0 updated, 0 disabled, 0 without a member." in page
    row = re.search(r'<tr data-federation="CARSI">.*?</tr>', page, re.S).group(0)
    assert "2100-" in row and "<td>2</td>" in row and "Refresh now" in row

    # the same name again, a later aggregate, the certificate left empty: kept
    client.post("/admin/identity-providers/federations",
                data=federation_form(token, served("aggregate-next.xml"), certificate="", refresh_hours="12"))
    with site.db.session() as db:
        source = db.get(FederationSource, source_id)
        assert (source.refresh_hours, source.certificate.strip()) == (12, CERT.strip())
        assert {p.key for p in db.scalars(select(IdentityProvider).where(IdentityProvider.enabled.is_(True)))} == \
            {UNIV_A, UNIV_D}
    changed = audit(site, "sso.federation-change")
    assert changed[0].before["refresh_hours"] == 6 and changed[0].after["refresh_hours"] == 12

    # Refresh now: reads the stored address again
    refreshed = client.post("/admin/identity-providers/federations/refresh",
                            data={"csrf_token": token, "source": source_id})
    assert refreshed.status_code == 302
    assert len(audit(site, "federation.refreshed")) == 3
    assert client.post("/admin/identity-providers/federations/refresh",
                       data={"csrf_token": token, "source": 999}).status_code == 404
    assert client.post("/admin/identity-providers/federations/refresh",
                       data={"csrf_token": token, "source": "x"}).status_code == 422


@pytest.mark.parametrize("sample, kind, english, chinese", [
    ("unsigned", "unsigned", "The aggregate is not signed", "元数据聚合未签名"),
    ("expired", "expired", "The metadata has expired", "元数据已过期"),
    ("wrong-key", "bad-signature", "does not verify with the signing certificate", "签名无法用所给的签名证书验证"),
    ("tampered", "bad-signature", "does not verify with the signing certificate", "签名无法用所给的签名证书验证"),
])
def test_a_refused_aggregate_stores_nothing(site, client, served, sample, kind, english, chinese):
    token = signed_in(client)
    assert client.post("/admin/identity-providers/federations",
                       data=federation_form(token, served("aggregate-good.xml"))).status_code == 302
    before = stored(site)
    for lang, text in (("en", english), ("zh", chinese)):
        answer = client.post(f"/admin/identity-providers/federations?lang={lang}",
                             data=federation_form(token, served(f"aggregate-{sample}.xml")))
        body = answer.get_data(as_text=True)
        assert answer.status_code == 422 and text in body and kind in body, body
        assert "Traceback" not in body
    assert stored(site) == before  # not even the location: the stored federation is as it was


def test_a_new_federation_with_a_refused_aggregate_or_bad_fields_is_not_made(site, client, served):
    token = signed_in(client)
    good = served("aggregate-good.xml")
    cases = [
        (federation_form(token, good, certificate=OTHER_CERT), "does not verify with the signing certificate"),
        (federation_form(token, good, certificate="not a certificate"), "is not a PEM certificate"),
        (federation_form(token, served("missing.xml")), "could not be read"),
        (federation_form(token, good, mapping="univ-c.edu.cn=nobody"), "There is no member nobody (line 1"),
        (federation_form(token, good, mapping="univ-c.edu.cn"), "Line 1 of the member mappings is not SCOPE=MEMBER"),
        (federation_form(token, good, refresh_hours="0"), "at least 1"),
        (federation_form(token, good, name=""), "Give the federation a name"),
        (federation_form(token, "/etc/passwd"), "must be an http or https URL"),
        (federation_form(token, ""), "Give the address (URL)"),
        (federation_form(token, good, certificate=""), "Paste the certificate"),
    ]
    for data, text in cases:
        answer = client.post("/admin/identity-providers/federations?lang=en", data=data)
        body = answer.get_data(as_text=True)
        assert answer.status_code == 422 and text in body, (text, body)
    assert stored(site) == {"providers": [], "federations": [], "audit": stored(site)["audit"]}
    assert audit(site, "federation.refused") == [] and audit(site, "sso.federation-add") == []
    zh = client.post("/admin/identity-providers/federations?lang=zh",
                     data=federation_form(token, good, mapping="univ-c.edu.cn=nobody"))
    assert zh.status_code == 422 and "没有成员 nobody（成员对应第 1 行）" in zh.get_data(as_text=True)


def test_refresh_now_of_a_refused_aggregate_keeps_the_providers_and_tells_the_error(site, client, served):
    token = signed_in(client)
    client.post("/admin/identity-providers/federations", data=federation_form(token, served("aggregate-good.xml")))
    with site.db.session() as db:
        source = db.scalar(select(FederationSource))
        source.location = served("aggregate-unsigned.xml")  # the federation published a bad one
        source_id = source.id
    providers = stored(site)["providers"]
    answer = client.post("/admin/identity-providers/federations/refresh?lang=en",
                         data={"csrf_token": token, "source": source_id})
    assert answer.status_code == 302
    assert stored(site)["providers"] == providers
    page = client.get("/admin/identity-providers?lang=en").get_data(as_text=True)
    assert "Federation CARSI was not refreshed" in page and "unsigned: the aggregate carries no signature" in page
    row = re.search(r'<tr data-federation="CARSI">.*?</tr>', page, re.S).group(0)
    assert "Refused" in row and "unsigned" in row
    assert audit(site, "federation.refused")[0].username == "root"


def test_a_member_admin_is_refused(site, client, served):
    token = signed_in(client, "a-admin")
    before = stored(site)
    assert client.get("/admin/identity-providers").status_code == 403
    assert client.post("/admin/identity-providers/saml",
                       data=saml_form(token, metadata_xml=idp_metadata())).status_code == 403
    assert client.post("/admin/identity-providers/federations",
                       data=federation_form(token, served("aggregate-good.xml"))).status_code == 403
    assert client.post("/admin/identity-providers/federations/refresh",
                       data={"csrf_token": token, "source": "1"}).status_code == 403
    assert stored(site) == before


def test_every_post_needs_the_csrf_token(site, client, served):
    signed_in(client)
    for path, data in (("/admin/identity-providers/saml", saml_form("", metadata_xml=idp_metadata())),
                       ("/admin/identity-providers/federations", federation_form("", served("aggregate-good.xml"))),
                       ("/admin/identity-providers/federations/refresh", {"source": "1"})):
        data.pop("csrf_token", None)
        assert client.post(path, data=data).status_code == 400
    assert stored(site)["providers"] == [] and stored(site)["federations"] == []


def test_the_chinese_page(site, client, served):
    token = signed_in(client)
    client.post("/admin/identity-providers/federations", data=federation_form(token, served("aggregate-good.xml")))
    page = client.get("/admin/identity-providers?lang=zh").get_data(as_text=True)
    for text in ("添加 SAML 身份提供者", "添加或刷新联盟", "元数据网址", "签名证书（PEM）", "成员对应", "立即刷新",
                 "上次刷新", "有效期至"):
        assert text in page, text
    assert "Add a SAML identity provider" not in page and "Refresh now" not in page
