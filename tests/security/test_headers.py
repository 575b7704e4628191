"""Security headers and cookie flags (issue 14, item 2).

Every portal, API, OAI-PMH, static and admin response carries a Content-Security-Policy without
``'unsafe-inline'`` (the record page's JSON-LD by nonce), ``X-Content-Type-Options: nosniff`` and a
Referrer-Policy; the admin area is never framed (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``),
the portal only by the hub itself by default; HSTS only when the base URL is https. Each is tuned by
its setting. The rendered pages and the theme's templates hold no inline script, handler or style
the policy would block, and Chromium logs no violation on them. The session cookie is HttpOnly and
SameSite=Lax, Secure on https. The file downloads keep their stricter sandbox policy.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from lxml import etree, html

from hub.accounts.users import create_user
from hub.app import create_app
from hub.models import Role
from hub.pipeline.index import index_records
from tests.browser import chromium_page
from tests.search.conftest import add_member, add_record, attach_text

THEME = Path(__file__).resolve().parents[2] / "themes" / "default"
PASSWORD = "quartz-lantern-meadow-7413"
OAI = "{http://www.openarchives.org/OAI/2.0/}"


def policy(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as {directive: sources}."""
    header = response.headers.get("Content-Security-Policy", "")
    assert header, f"no Content-Security-Policy on {response.request.path}"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.fixture
def site(hub):
    """Two members, records (one with a stored PDF), indexed; and a hub administrator."""
    _, pku = add_member(hub, "pku", "Peking University", "北京大学")
    _, fdu = add_member(hub, "fdu", "Fudan University", "复旦大学")
    ids = [add_record(hub, pku, 1, title="机器学习在医学影像中的应用", title_lang="zho", year=2016),
           add_record(hub, fdu, 2, title="Deep learning <script>alert(1)</script>", year=2012, doi="10.1234/x")]
    attach_text(hub, ids[1], "Chapter one.", data=b"%PDF-1.4\n% paper\n")
    index_records(hub, ids)
    with hub.db.session() as session:
        create_user(session, "root", PASSWORD, Role.HUB_ADMIN)
    return {"records": ids, "pku": pku}


def signed_in(client):
    page = client.get("/admin/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/admin/sign-in", data={"username": "root", "password": PASSWORD, "csrf_token": csrf})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def portal_paths(site) -> list[str]:
    record = site["records"][1]
    return ["/", "/search?q=learning", f"/records/{record}", f"/records/{record}?lang=en", "/institutions/",
            "/institutions/pku", "/browse/", "/statistics", "/no/such/page", "/feeds/atom", "/sitemap.xml",
            "/robots.txt", "/static/css/portal.css", "/api/v1/records", "/api/v1/openapi.json",
            f"/api/v1/records/{record}", "/api/v1/records/999999", "/oai?verb=Identify",
            "/oai?verb=ListRecords&metadataPrefix=oai_dc", "/healthz"]


ADMIN_PATHS = ["/admin/", "/admin/institutions", "/admin/audit", "/admin/users", "/admin/static/admin.css",
               "/admin/static/admin.js", "/admin/no-such-page"]


def test_every_portal_api_and_oai_response_carries_the_headers(client, site):
    for path in portal_paths(site):
        response = client.get(path)
        response.get_data()  # streamed answers (OAI-PMH) read to their end
        assert response.status_code < 500, path
        csp = policy(response)
        assert csp["frame-ancestors"] == ["'self'"] and response.headers["X-Frame-Options"] == "SAMEORIGIN", path
        assert "'unsafe-inline'" not in csp["script-src"] + csp["style-src"], path
        assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"], path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        assert "Strict-Transport-Security" not in response.headers, "http base URL: no HSTS"


def test_the_admin_area_is_never_framed(app, site):
    client = app.test_client()
    for response in (client.get("/admin/sign-in"), client.get("/admin/"), signed_in(client)):
        assert policy(response)["frame-ancestors"] == ["'none'"]
        assert response.headers["X-Frame-Options"] == "DENY"
    for path in ADMIN_PATHS:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert policy(response)["frame-ancestors"] == ["'none'"], path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path


def assert_no_inline_code(response) -> None:
    """Nothing in the page the policy blocks: scripts by src or this response's nonce, no handler, no style."""
    nonce = next((s[7:-1] for s in policy(response)["script-src"] if s.startswith("'nonce-")), None)
    doc = html.fromstring(response.get_data(as_text=True))
    path = response.request.path
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag != "style", f"<style> block in {path}"
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"{name}= handler in {path}"
            assert name.lower() != "style", f"style= attribute on <{element.tag}> in {path}"
            if name.lower() in ("href", "src", "action", "formaction"):
                assert not value.strip().lower().startswith("javascript:"), f"javascript: URL in {path}"
        if element.tag == "script" and not element.get("src"):
            assert nonce and element.get("nonce") == nonce, f"inline script without this response's nonce in {path}"


def test_rendered_pages_hold_no_inline_code_but_the_nonced_json_ld(app, site):
    client = app.test_client()
    signed_in(client)
    record = site["records"][1]
    pages = [p for p in portal_paths(site) if not p.startswith(("/api", "/oai", "/feeds", "/static", "/robots",
                                                                "/sitemap", "/healthz"))]
    pages += [p for p in ADMIN_PATHS if "/static/" not in p] + [f"/admin/institutions/{site['pku']}"]
    for path in pages:
        response = client.get(path)
        if "text/html" in response.content_type:
            assert_no_inline_code(response)
    record_page = client.get(f"/records/{record}")
    scripts = html.fromstring(record_page.get_data(as_text=True)).xpath("//script[@type='application/ld+json']")
    assert len(scripts) == 1 and f"'nonce-{scripts[0].get('nonce')}'" in policy(record_page)["script-src"]
    assert client.get(f"/records/{record}").headers["Content-Security-Policy"] != \
        record_page.headers["Content-Security-Policy"], "a fresh nonce on every response"


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\bnonce=\"\{\{ csp_nonce\(\) \}\}\")[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"<style\b|<[a-z][^>]*\sstyle\s*=", re.I)


def test_the_themes_templates_hold_no_inline_script_handler_or_style():
    """Every template of the default theme, not only those the tests render."""
    templates = sorted((THEME / "templates").rglob("*.html"))
    assert len(templates) > 10
    for template in templates:
        source = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER, STYLE):
            assert not pattern.search(source), f"{template.relative_to(THEME)}: {pattern.search(source).group(0)}"


def test_downloads_keep_their_sandbox_and_the_oai_xml_is_unchanged(client, site):
    download = client.get(f"/records/{site['records'][1]}/files/0")
    assert download.status_code == 200 and download.get_data().startswith(b"%PDF")
    assert download.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    oai = client.get("/oai?verb=Identify")
    oai.get_data()
    assert oai.content_type.startswith("text/xml")
    assert etree.fromstring(oai.get_data()).find(f"{OAI}Identify") is not None


def app_with(hub, **settings):
    hub.configure(**settings)
    application = create_app(hub=hub)
    application.config["TESTING"] = True
    return application


def test_https_base_url_sends_hsts_and_secure_cookies(hub, site):
    client = app_with(hub, BASE_URL="https://hub.example.org").test_client()
    response = client.get("/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    cookie = signed_in(client).headers["Set-Cookie"]
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "; SameSite=Lax" in cookie
    assert "; Secure" in client.get("/?lang=en").headers["Set-Cookie"], "the language cookie too"


def test_hsts_can_be_turned_off(hub, site):
    client = app_with(hub, BASE_URL="https://hub.example.org", HSTS_SECONDS=0).test_client()
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_the_session_cookie_is_httponly_and_samesite_lax_on_http(app, site):
    cookie = signed_in(app.test_client()).headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "; HttpOnly" in cookie and "; SameSite=Lax" in cookie and "; Secure" not in cookie


def test_each_header_is_tuned_by_its_setting(hub, site):
    client = app_with(hub, CSP_EXTRA="img-src https://cdn.example.org; report-uri /csp-report",
                      PORTAL_FRAME_ANCESTORS="'self' https://library.example.edu",
                      REFERRER_POLICY="no-referrer").test_client()
    portal = client.get("/")
    csp = policy(portal)
    assert csp["img-src"] == ["'self'", "data:", "https://cdn.example.org"]
    assert csp["report-uri"] == ["/csp-report"]
    assert csp["frame-ancestors"] == ["'self'", "https://library.example.edu"]
    assert "X-Frame-Options" not in portal.headers, "X-Frame-Options cannot name another site"
    assert portal.headers["Referrer-Policy"] == "no-referrer"
    admin = client.get("/admin/sign-in")
    assert policy(admin)["frame-ancestors"] == ["'none'"] and admin.headers["X-Frame-Options"] == "DENY"


@pytest.fixture
def served(app, site):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_chromium_reports_a_violation_and_none_on_the_hubs_pages(app, site, served):
    """The shared launcher's watch sees a real violation (a control page with an inline script and style
    under the hub's policy), and none on the portal's and the admin's own pages."""

    @app.get("/test-only/inline")
    def _inline():
        return "<!doctype html><title>x</title><style>p{}</style><script>document.title='ran'</script><p>x</p>"

    with chromium_page(allow_csp_violations=True) as page:
        page.goto(served + "/test-only/inline")
        assert page.title() == "x", "the inline script was blocked"
        assert any("script" in v for v in page.csp_violations) and any("style" in v for v in page.csp_violations)

    with chromium_page() as page:  # fails at the end on any violation
        for path in ["/", "/search?q=learning", f"/records/{site['records'][1]}", "/institutions/pku",
                     "/statistics", "/no/such/page", "/admin/sign-in"]:
            page.goto(served + path)
        page.fill("input[name=username]", "root")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/")
        page.goto(served + f"/admin/institutions/{site['pku']}")
        assert page.csp_violations == []
