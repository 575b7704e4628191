"""chair doctor: one line per backend; a stopped service is explained in that line. With no identity
provider or federation registered there is no ``idp`` or ``federation`` line (tests/sso/test_saml_doctor.py
has them), and the ``saml`` line names xmlsec1 (scripts/test requires it) and the instance's SP certificate."""

from __future__ import annotations

import os
import re

import pytest
from click.testing import CliRunner

from hub.cli import cli
from hub.context import Hub


def doctor(tmp_path, **overrides):
    overrides.setdefault("SECRET_KEY", "doctor-test-key")  # the development key fails (tests/security)
    hub = Hub.create(overrides=overrides, instance_path=tmp_path)
    if "DATABASE_URL" not in overrides:
        hub.db  # noqa: B018 - migrate the embedded database, as every command but doctor does
    result = CliRunner().invoke(cli, ["doctor"], obj={"hub": hub, "instance": str(tmp_path)})
    return result.exit_code, result.output.splitlines()


def test_embedded_defaults_are_all_ok(tmp_path):
    code, lines = doctor(tmp_path)
    assert code == 0, lines
    assert [line.split()[1] for line in lines] == ["database", "broker", "storage", "extraction", "search",
                                                   "signing", "saml"]
    assert all(line.startswith("ok") for line in lines)
    assert SAML_OK.fullmatch(lines[-1]), lines[-1]
    assert (tmp_path / "saml" / "sp.key").is_file()  # the instance's SP key pair, made on first use


SAML_OK = re.compile(r"ok   saml      \S*xmlsec1  SP http://127\.0\.0\.1:5000/auth/saml/metadata, "
                     r"certificate valid until \d{4}-\d\d-\d\d")


def test_a_missing_xmlsec1_is_a_note_while_no_saml_provider_is_registered(tmp_path):
    code, lines = doctor(tmp_path, SAML_XMLSEC_BINARY="/nonexistent/xmlsec1")
    assert code == 0, lines
    assert lines[-1].startswith("ok   saml      /nonexistent/xmlsec1  "), lines
    assert "apt-get install xmlsec1" in lines[-1] and "(needed only for SAML sign-in)" in lines[-1]


@pytest.mark.parametrize("setting, value, name", [
    ("DATABASE_URL", "postgresql+psycopg://chair:secret@127.0.0.1:9/chair", "database"),
    ("BROKER_URL", "redis://127.0.0.1:9/0", "broker"),
    ("STORAGE_URL", "s3://key:secret@127.0.0.1:9/bucket", "storage"),
    ("TIKA_URL", "http://127.0.0.1:9", "tika"),
    ("SEARCH_URL", "elasticsearch+http://127.0.0.1:9/chair", "search"),
    ("SEARCH_URL", "opensearch+http://127.0.0.1:9/chair", "search"),
])
def test_a_stopped_service_fails_with_one_explaining_line(tmp_path, setting, value, name):
    code, lines = doctor(tmp_path, **{setting: value})
    assert len(lines) == 7, lines
    assert code == 1
    failed = [line for line in lines if line.startswith("FAIL")]
    assert len(failed) == 1 and failed[0].split()[1] == name, lines
    assert SAML_OK.fullmatch(lines[-1]), lines  # no provider registered (or none readable): saml is fine
    assert "127.0.0.1:9" in failed[0]
    assert "secret" not in failed[0], "passwords are never printed"


SERVICES = {k: os.environ.get(f"CHAIR_TEST_{k}", "") for k in
            ("DATABASE_URL", "BROKER_URL", "STORAGE_URL", "TIKA_URL", "ES_URL")}
# Generated only when scripts/test has started the services and set CHAIR_TEST_* (never skipped).
REAL = [pytest.param("real", marks=pytest.mark.services)] if all(SERVICES.values()) else []


@pytest.mark.parametrize("backends", REAL)
def test_real_services_are_all_ok(tmp_path, backends):
    from hub.db import Database

    Database(SERVICES["DATABASE_URL"]).upgrade()
    code, lines = doctor(tmp_path, DATABASE_URL=SERVICES["DATABASE_URL"], BROKER_URL=SERVICES["BROKER_URL"],
                         STORAGE_URL=SERVICES["STORAGE_URL"], TIKA_URL=SERVICES["TIKA_URL"],
                         SEARCH_URL=SERVICES["ES_URL"])
    assert code == 0, lines
    assert "postgresql" in lines[0] and "redis" in lines[1]
