"""No input answers 500: a bounded fuzz run over every public and admin route.

- the JSON API: schemathesis generates requests from /api/v1/openapi.json (in-process, WSGI) and
  checks that none answers a server error;
- every other route of ``app.url_map``: hostile path segments (ids past any database integer,
  negative, non-ASCII, control characters, traversal, very long) and query and form values (CR/LF,
  NUL, open redirects, huge numbers, markup), GET and POST, anonymous and as a signed-in hub
  administrator with a valid CSRF token;
- the OAI-PMH provider: resumption tokens correctly signed (the test hub's key) but carrying forged
  fields, and the admin repository form with a host that does not resolve.

The run is deterministic (a seeded generator, a fixed number of examples per route) and bounded.
"""

from __future__ import annotations

import random
import re
from urllib.parse import quote

import pytest

# schemathesis (a test dependency) loads most of itself lazily, and pytest rewrites its modules as those of a
# plugin; CPython 3.11.7 can fail to compile them deep inside a test's stack ("AST constructor recursion
# depth mismatch"), so they are loaded here, at collection, where the stack is shallow.
import schemathesis
import schemathesis.generation.jsonschema.strategy  # noqa: F401
import schemathesis.specs.openapi.adapter.v2  # noqa: F401
from sqlalchemy import insert

from hub.accounts.users import create_user
from hub.models import CompletenessReport, HarvestRun, Record, Role, utcnow
from hub.states import RunKind, RunState
from tests.search.conftest import add_member, add_record

PASSWORD = "quartz-lantern-meadow-7413"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SEED = 14
CASES_PER_ROUTE = 6  # per route, method and visitor
API_EXAMPLES = 40  # per API operation

HUGE = ["99999999999999999999999", str(10**30), "2147483648", "9223372036854775808", "-1",
        "18446744073709551616"]
HOSTILE = ["", " ", "0", "-1", "1e309", "nan", "NaN", "inf", "0x10", "１２", "\r\nX-Injected: 1", "%0d%0a",
           "\x00", "%00", "a\tb", "<script>alert(1)</script>", "'\"", "../../etc/passwd", "..", "//evil.example/",
           "https://evil.example/", "javascript:alert(1)", "\\\\evil.example", "é", "\ufffe", "%",
           "%ff", "a" * 5000, "[]", "{}", "null", "true", "*", "?", "#", "&", "=", ";", "@", "+", "1,2", "1 OR 1=1",
           *HUGE]
# Path segments sent as they are: percent-encoded NUL, CR/LF, invalid UTF-8 (a lone surrogate).
RAW_SEGMENTS = ["%00", "%0d%0a", "%ff", "%ed%a0%bd", "%2e%2e", "%2f", "%c0%af", "%25"]
QUERY_KEYS = ["q", "page", "size", "sort", "facets", "lang", "next", "after", "limit", "institution", "deleted",
              "type", "year", "subject", "discipline", "language", "access", "mode", "month", "verb",
              "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken", "institution_id",
              "full", "confirm", "record_id", "other", "note", "base_url", "platform", "options", "schedule"]
FORM_KEYS = ["csrf_token", "username", "password", "next", "confirm", "record_id", "other", "note", "mode",
             "full", "institution_id", "base_url", "platform", "metadata_prefix", "sets", "exclude_sets",
             "schedule", "options", "notify_webhook", "name", "slug", "name_en", "name_zh", "website",
             "contact_email", "region", "role", "new_password"]
# Routes the signed-in walk leaves alone: they end the session it needs.
KEEP_SESSION = ("sign_out", "password", "sign_in")


@pytest.fixture
def fuzz_site(hub):
    """One member with a repository (on a closed loopback port), a record, a run, a report, a hub admin."""
    inst_id, repo_id = add_member(hub, "pku", "Peking University", "北京大学")
    record_id = add_record(hub, repo_id, 1, title="Graphene", abstract="Measured.", doi="10.1234/x")
    now = utcnow()
    with hub.db.session() as session:
        from hub.models import Repository

        session.get(Repository, repo_id).base_url = "http://127.0.0.1:9/oai"
        run = HarvestRun(repository_id=repo_id, kind=RunKind.FULL, state=RunState.FAILED, started_at=now,
                         finished_at=now, checkpoint={}, message="")
        report = CompletenessReport(repository_id=repo_id, missing=[], extra=[], stale=[], error="",
                                    repair_note="")
        session.add_all([run, report])
        session.execute(insert(Record), [{"id": 2, "repository_id": repo_id, "source_identifier": "oai:x:2",
                                          "meta": {}, "deleted": True, "hub_datestamp": now, "created_at": now}])
        create_user(session, "root", PASSWORD, Role.HUB_ADMIN)
        session.flush()
        return {"institution_id": inst_id, "repository_id": repo_id, "record_id": record_id, "run_id": run.id,
                "report_id": report.id}


def signed_in(app):
    client = app.test_client()
    token = CSRF.search(client.get("/admin/sign-in").get_data(as_text=True)).group(1)
    response = client.post("/admin/sign-in", data={"username": "root", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.csrf = CSRF.search(client.get("/admin/").get_data(as_text=True)).group(1)
    return client


def path_value(rng: random.Random, converter: str, real: int | None) -> str:
    """A hostile value for a path argument of this converter kind (sometimes a real id)."""
    if converter == "IdConverter" or converter == "IntegerConverter":
        return rng.choice([*HUGE, "0", str(real or 1), str(real or 1), "2147483647"])
    if rng.random() < 0.25:
        return rng.choice(RAW_SEGMENTS)
    value = rng.choice(HOSTILE) or "x"
    return quote(value, safe="/" if converter == "PathConverter" else "")


def build_paths(rule, rng: random.Random, site: dict[str, int]) -> str:
    path = rule.rule
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", lambda _m, n=name, c=converter: path_value(rng, c, site.get(n)),
                      path)
    return path


def hostile_query(rng: random.Random) -> dict[str, str]:
    return {key: rng.choice(HOSTILE) for key in rng.sample(QUERY_KEYS, rng.randint(1, 4))}


def hostile_form(rng: random.Random, csrf: str) -> dict[str, str]:
    form = {key: rng.choice(HOSTILE) for key in rng.sample(FORM_KEYS, rng.randint(2, 8))}
    form["csrf_token"] = csrf
    return form


def walk(app, client, rng: random.Random, site: dict[str, int], csrf: str, skip: tuple[str, ...] = ()) -> list:
    """Every route with hostile values; returns the requests answered 500 or more."""
    failures = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.endswith("static") or any(word in rule.endpoint for word in skip):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for _ in range(CASES_PER_ROUTE):
                path = build_paths(rule, rng, site)
                query = hostile_query(rng)
                data = hostile_form(rng, csrf) if method != "GET" else None
                response = client.open(path, method=method, query_string=query, data=data)
                response.close()  # a streamed body (OAI-PMH lists, files) releases its request context
                if response.status_code >= 500:
                    failures.append((method, path, query, data, response.status_code))
    return failures


def test_every_route_survives_hostile_input_anonymously(app, fuzz_site):
    client = app.test_client()
    csrf = CSRF.search(client.get("/admin/sign-in").get_data(as_text=True)).group(1)
    assert walk(app, client, random.Random(SEED), fuzz_site, csrf) == []


def test_every_route_survives_hostile_input_from_a_signed_in_admin(app, fuzz_site):
    client = signed_in(app)
    assert walk(app, client, random.Random(SEED + 1), fuzz_site, client.csrf, skip=KEEP_SESSION) == []


def test_the_api_survives_schemathesis(app, fuzz_site):
    """schemathesis generates requests from the OpenAPI document; no response is a server error."""
    from hypothesis import HealthCheck, Phase, given, settings

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/records/{id}", "/records", "/search", "/institutions/{slug}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=API_EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def check(case) -> None:
            response = case.call()
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, case.query, response.status_code))

        check()
    assert failures == []


@pytest.mark.parametrize("path", [
    "/records/99999999999999999999999", "/records/2147483648/cite.bib", "/api/v1/records/9223372036854775808",
    f"/records/1/files/{10**30}", f"/sitemaps/records-{10**30}.xml", f"/admin/runs/{10**30}",
    f"/admin/works/{10**30}", f"/admin/repositories/{10**30}/progress.json",
    f"/admin/repositories/new?institution_id={2**63}"])
def test_ids_past_any_database_integer_are_not_found(app, fuzz_site, path):
    client = signed_in(app)
    assert client.get(path).status_code == 404


def test_cr_lf_in_next_stays_a_plain_redirect(app, fuzz_site):
    client = app.test_client()
    csrf = CSRF.search(client.get("/admin/sign-in").get_data(as_text=True)).group(1)
    response = client.post("/admin/sign-in", query_string={"next": "/admin/\r\nSet-Cookie: evil=1"},
                           data={"username": "root", "password": PASSWORD, "csrf_token": csrf,
                                 "next": "/admin/\r\nSet-Cookie: evil=1"})
    assert response.status_code == 302
    assert "evil" not in response.headers.get("Location", "") and "evil" not in response.headers.get(
        "Set-Cookie", "")


@pytest.fixture
def public_addresses_only(overrides):
    """Addresses checked as in production (listed before ``hub`` so the hub is made with it)."""
    overrides["ALLOW_PRIVATE_ADDRESSES"] = False


def test_an_unresolvable_host_in_the_repository_form_is_a_field_error(public_addresses_only, app, fuzz_site):
    client = signed_in(app)
    form = {"csrf_token": client.csrf, "institution_id": str(fuzz_site["institution_id"]), "platform": "oai",
            "base_url": "https://no-such-host.invalid/oai", "metadata_prefix": "oai_dc", "name": "Nowhere"}
    for path in ("/admin/repositories/new", f"/admin/repositories/{fuzz_site['repository_id']}/edit"):
        response = client.post(path, data=form)
        assert response.status_code == 422, path
        assert "no-such-host.invalid cannot be resolved" in response.get_data(as_text=True), path


def _forged(hub, **fields) -> str:
    from oai.provider.tokens import ResumptionToken, encode

    now = int(utcnow().timestamp())
    values = {"verb": "ListRecords", "prefix": "oai_dc", "set": "", "start": None, "until": None,
              "last_datestamp": now, "last_id": 1, "last_spec": "", "sent": 1, "total": 2, "issued": now}
    values.update(fields)
    return encode(ResumptionToken(**values), hub.settings["SECRET_KEY"])


@pytest.mark.parametrize("fields", [
    {"last_id": 10**30}, {"last_id": -(10**30)}, {"last_datestamp": 10**30}, {"last_datestamp": -(10**30)},
    {"last_datestamp": 253402300800 * 10**6}, {"issued": 253402300800}, {"last_id": 2**31},
    {"start": 10**30}, {"until": 10**30}, {"until": -(10**30)}, {"issued": 10**30}, {"sent": 10**30},
    {"total": 10**30}, {"verb": "ListSets", "last_spec": "\x00" * 3}, {"verb": "GetRecord"},
    {"verb": "ListIdentifiers", "prefix": "no-such-format"}, {"set": "\ufffe"}, {"verb": "ListSets", "last_id": 10**30},
])
def test_forged_token_fields_are_a_bad_resumption_token_not_a_500(app, hub, fuzz_site, fields):
    client = app.test_client()
    token = _forged(hub, **fields)
    for verb in ("ListRecords", "ListIdentifiers", "ListSets"):
        response = client.get("/oai", query_string={"verb": verb, "resumptionToken": token})
        body = response.get_data(as_text=True)
        assert response.status_code == 200, (verb, fields, response.status_code)
        assert "<error" in body or "<resumptionToken" in body or "<ListSets" in body, (verb, fields)
