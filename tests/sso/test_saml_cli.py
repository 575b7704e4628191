"""``chair sso add-saml`` and ``chair sso federation``: one IdP from its metadata file, a federation's signed
aggregate added and refreshed, and every wrong input as one line with a non-zero exit (no traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hub.cli import cli
from hub.members import add_institution
from hub.models.federation import FederationSource, IdentityProvider, Provisioning
from tests.sso.saml_support import IDP_ENTITY_ID, idp_metadata

DATA = Path(__file__).resolve().parent / "data"


def run(hub, *args: str):
    return CliRunner().invoke(cli, list(args), obj={"hub": hub})


@pytest.fixture
def member(hub):
    with hub.db.session() as db:
        add_institution(db, "univ-a", "University A", "甲大学")
    return "univ-a"


@pytest.fixture
def metadata_file(tmp_path):
    path = tmp_path / "idp.xml"
    path.write_text(idp_metadata(), encoding="utf-8")
    return str(path)


def test_add_saml_registers_one_idp_from_its_metadata(hub, member, metadata_file):
    result = run(hub, "sso", "add-saml", "--slug", "univ-a", "--metadata", metadata_file, "--member", "univ-a",
                 "--provisioning", "active", "--name-zh", "甲大学")
    assert result.exit_code == 0, result.output
    assert f"identity provider univ-a added (SAML {IDP_ENTITY_ID}, univ-a, univ-a.edu.cn, active)" in result.output
    with hub.db.session() as db:
        row = db.scalar(select(IdentityProvider))
        assert (row.key, row.name_zh, row.scopes, row.provisioning) == (IDP_ENTITY_ID, "甲大学", ["univ-a.edu.cn"],
                                                                         Provisioning.ACTIVE)
        assert row.institution.slug == "univ-a" and "IDPSSODescriptor" in row.config["metadata_xml"]
    listed = run(hub, "sso", "list", "--json")
    assert json.loads(listed.output)[0]["config"] == {}  # the metadata stays out of lists


@pytest.mark.parametrize("args, message", [
    (["--slug", "Bad Slug"], "invalid provider slug"),
    (["--member", "nobody"], "nobody"),
    (["--metadata", "/nonexistent/idp.xml"], "unreadable"),
    (["--metadata", str(DATA / "aggregate-good.xml")], "lists 2 identity providers"),
])
def test_add_saml_refuses_wrong_input_in_one_line(hub, member, metadata_file, args, message):
    base = {"--slug": "univ-a", "--metadata": metadata_file}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = run(hub, "sso", "add-saml", *[x for pair in base.items() for x in pair])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_add_saml_refuses_the_same_entity_twice(hub, member, metadata_file):
    assert run(hub, "sso", "add-saml", "--slug", "univ-a", "--metadata", metadata_file).exit_code == 0
    again = run(hub, "sso", "add-saml", "--slug", "univ-a-2", "--metadata", metadata_file)
    assert again.exit_code == 2 and "already exists" in again.output


def test_federation_adds_and_refreshes_an_aggregate(hub, member, monkeypatch):
    monkeypatch.chdir(DATA.parent)  # a relative path is stored absolute (the scheduler runs elsewhere)
    result = run(hub, "sso", "federation", "data/aggregate-good.xml", "--name", "carsi",
                 "--cert", str(DATA / "federation.crt"), "--member", "univ-a.edu.cn=univ-a")
    assert result.exit_code == 0, result.output
    assert "federation carsi: 2 added, 0 updated, 0 disabled, 1 without a member" in result.output
    assert "without a member: https://idp.univ-c.edu.cn/idp/shibboleth" in result.output
    result = run(hub, "sso", "federation", "data/aggregate-next.xml", "--name", "carsi",
                 "--cert", str(DATA / "federation.crt"), "--refresh-hours", "12", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["added"] == ["https://idp.univ-d.edu.cn/idp/shibboleth"]
    assert report["disabled"] == ["https://idp.univ-c.edu.cn/idp/shibboleth"]
    with hub.db.session() as db:
        source = db.scalar(select(FederationSource))
        assert source.refresh_hours == 12 and source.location == str(DATA / "aggregate-next.xml")
        univ_a = db.scalar(select(IdentityProvider).where(IdentityProvider.slug == "univ-a-edu-cn"))
        assert univ_a.institution.slug == "univ-a"


def test_federation_with_a_bad_aggregate_says_why_and_fails(hub, member):
    result = run(hub, "sso", "federation", str(DATA / "aggregate-wrong-key.xml"), "--name", "carsi",
                 "--cert", str(DATA / "federation.crt"))
    assert result.exit_code == 1
    assert "refused, bad-signature" in result.output and "stored providers unchanged" in result.output
    with hub.db.session() as db:
        assert db.scalar(select(FederationSource)).last_error.startswith("bad-signature")
        assert db.scalar(select(IdentityProvider)) is None


@pytest.mark.parametrize("args, message", [
    (["--cert", "/nonexistent.pem"], "--cert /nonexistent.pem"),
    (["--cert", str(DATA / "make_samples.py")], "not a PEM certificate"),
    (["--member", "univ-a.edu.cn"], "SCOPE=MEMBER"),
    (["--refresh-hours", "0"], "at least 1"),
])
def test_federation_refuses_wrong_input_in_one_line(hub, member, args, message):
    base = {"--name": "carsi", "--cert": str(DATA / "federation.crt")}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = run(hub, "sso", "federation", str(DATA / "aggregate-good.xml"),
                 *[x for pair in base.items() for x in pair])
    assert result.exit_code == 2 and message in result.output
