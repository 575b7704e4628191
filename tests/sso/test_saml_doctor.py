"""``chair doctor``'s sign-in lines: xmlsec1 and the SP certificate, each identity provider's reachability
(a local HTTP server answers, a closed port does not) and each federation's metadata expiry."""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.accounts import federation_metadata as fm
from hub.cli import cli
from hub.doctor import run_checks
from hub.models import utcnow
from hub.models.federation import FederationSource, IdentityProvider, Protocol
from tests.sso.saml_support import IDP_ENTITY_ID, idp_metadata

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            self.send_response(400 if "sso" in self.path else 200)  # a bare GET at an SSO service: 400
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def lines(hub, name):
    return [r for r in run_checks(hub.settings) if r.name == name]


def test_the_saml_line_names_xmlsec1_and_the_sp_certificate(hub):
    (line,) = lines(hub, "saml")
    assert line.ok and line.url.endswith("xmlsec1") and "certificate valid until" in line.detail


def test_a_missing_xmlsec1_is_a_note_without_saml_providers_and_a_failure_with_them(hub):
    hub.configure(SAML_XMLSEC_BINARY="/nonexistent/xmlsec1")
    (line,) = lines(hub, "saml")
    assert line.ok and "apt-get install xmlsec1" in line.detail and "needed only for SAML" in line.detail
    with hub.db.session() as db:
        db.add(IdentityProvider(slug="univ-a", protocol=Protocol.SAML, key=IDP_ENTITY_ID,
                                config={"metadata_xml": idp_metadata()}))
    (line,) = lines(hub, "saml")
    assert not line.ok and "apt-get install xmlsec1" in line.detail
    result = CliRunner().invoke(cli, ["doctor"], obj={"hub": hub, "instance": hub.settings["INSTANCE_PATH"]})
    assert result.exit_code == 1 and "FAIL saml" in result.output


def test_each_identity_provider_is_asked_whether_it_answers(hub, server):
    up = idp_metadata().replace("https://idp.univ-a.edu.cn/idp/sso", f"{server}/idp/sso")
    down = idp_metadata("https://idp.univ-c.edu.cn/idp").replace("https://idp.univ-a.edu.cn/idp/sso",
                                                                 "http://127.0.0.1:1/idp/sso")
    with hub.db.session() as db:
        db.add(IdentityProvider(slug="univ-a", protocol=Protocol.SAML, key=IDP_ENTITY_ID, config={"metadata_xml": up}))
        db.add(IdentityProvider(slug="univ-c", protocol=Protocol.SAML, key="https://idp.univ-c.edu.cn/idp",
                                config={"metadata_xml": down}))
        db.add(IdentityProvider(slug="univ-b", protocol=Protocol.OIDC, key=f"{server}/realms/univ-b", config={}))
        db.add(IdentityProvider(slug="off", protocol=Protocol.OIDC, key="http://127.0.0.1:1/off", enabled=False))
    found = {line.detail.split(" ")[0]: line for line in lines(hub, "idp")}
    assert set(found) == {"univ-a", "univ-b", "univ-c"}  # a disabled provider is not asked
    assert found["univ-a"].ok and found["univ-a"].url == f"{server}/idp/sso"
    assert found["univ-b"].ok and found["univ-b"].url.endswith("/realms/univ-b/.well-known/openid-configuration")
    assert not found["univ-c"].ok and "unreachable" in found["univ-c"].detail


def test_a_federation_line_tells_its_metadata_expiry(hub):
    with hub.db.session() as db:
        source = fm.add_source(db, "carsi", str(DATA / "aggregate-good.xml"), (DATA / "federation.crt").read_text(), 6)
    (line,) = lines(hub, "federation")
    assert not line.ok and "never refreshed" in line.detail
    with hub.db.session() as db:
        fm.refresh_source(hub, db, db.get(FederationSource, source.id))
    (line,) = lines(hub, "federation")
    assert line.ok and "metadata valid until 2100-01-01" in line.detail
    assert "0 of 0 identity providers of members answer" in line.detail  # unassigned IdPs are not asked
    with hub.db.session() as db:
        db.get(FederationSource, source.id).valid_until = utcnow() - timedelta(hours=1)
    (line,) = lines(hub, "federation")
    assert not line.ok and "metadata expired" in line.detail
