"""The repository check: declared vs observed behaviour, resumption, samples, bilingual advice."""

from __future__ import annotations

from tests.platforms.conftest import check, register
from tests.platforms.fake_dspace import FakeDSpace
from tests.platforms.fake_oai import FakeOAI, OAIItem


def _findings(report):
    return {f["key"]: f for f in report["findings"]}


def test_check_of_a_responsive_dspace_repository(hub, served):
    fake = FakeDSpace("d7", 7, served.url)
    served.site.mount("d7", fake)
    report = check(hub, register(hub, "dspace", fake.base_url))
    facts, findings = report["facts"], _findings(report)
    assert report["reachable"] and facts["granularity"] == "YYYY-MM-DDThh:mm:ssZ"
    assert facts["granularity_observed"] == "seconds" and findings["granularity"]["ok"]
    assert facts["metadata_formats"] == ["dim", "mods", "oai_dc", "qdc"] and facts["sets"] == 3
    assert facts["page_size"] == fake.oai.page_size and facts["complete_list_size"] == len(fake.items)
    assert findings["resumption"]["ok"] and facts["deleted_seen"] == 1
    assert findings["mandatory_fields"]["ok"] and facts["field_fill"]["titles"] == f"{facts['sample']}/{facts['sample']}"
    two_pages = fake.items[:2 * fake.oai.page_size]
    assert facts["sample"] == sum(not i.deleted for i in two_pages)  # the sample is the first two pages
    first_live = [i for i in two_pages if not i.deleted][:5]
    assert facts["fulltext_sample"]["with_reachable_pdf"] == sum(
        any(b.bundle == "ORIGINAL" and b.access == "open" for b in i.bits) for i in first_live)
    assert facts["robots_txt"] == "absent" and {"identify", "list_records_page1", "list_records_page2"} <= set(
        facts["response_ms"])
    assert "dim" in facts["strategy"] and "resumption tokens" in facts["strategy"]
    for finding in report["findings"]:
        if not finding["ok"]:
            assert finding["advice_en"] and finding["advice_zh"], finding["key"]


def test_check_names_problems_with_advice(hub, served):
    items = [OAIItem(f"oai:x:{n}", f"2024-01-0{n}", sets=[]) for n in range(1, 6)]
    fake = FakeOAI(f"{served.url}/bad/oai", items, {"oai_dc": lambda i: (
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Only a title</dc:title></oai_dc:dc>')},
        {"oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/"}, style="dspace", page_size=2,
        deleted_record="no", earliest="0001-01-01T00:00:00Z")
    served.site.mount("bad", lambda request, parts: fake(request))
    report = check(hub, register(hub, "oai", fake.base_url))
    findings = _findings(report)
    assert not report["ok"]
    assert not findings["granularity"]["ok"] and report["facts"]["granularity_observed"] == "day"
    assert not findings["deleted_record"]["ok"] and not findings["earliest_datestamp"]["ok"]
    missing = findings["mandatory_fields"]
    assert not missing["ok"] and "creators missing in 4 of 4" in missing["detail"]
    assert "creators" in missing["advice_en"] and "creators" in missing["advice_zh"]
    assert not findings["fulltext"]["ok"]
    for finding in report["findings"]:
        if not finding["ok"]:
            assert finding["advice_en"] and finding["advice_zh"], finding["key"]


def test_check_of_an_unreachable_repository(hub):
    report = check(hub, register(hub, "dspace", "http://127.0.0.1:9/oai/request"))
    assert report["reachable"] is False and report["findings"][0]["key"] == "reachable"
    assert report["findings"][0]["advice_zh"]


def test_feed_check(hub, served):
    from werkzeug.wrappers import Response

    body = '{"id": "a", "updated": "2024-01-01", "title": "T"}\n{"id": "b", "updated": "soon"}\n'
    served.site.mount("f", lambda request, parts: Response(body))
    options = {"format": "jsonl", "columns": {"identifier": "id", "datestamp": "updated", "titles": "title"}}
    report = check(hub, register(hub, "feed", f"{served.url}/f/x.jsonl", options=options))
    assert report["facts"]["rows"] == 2 and report["facts"]["unreadable"] == 1
    assert not _findings(report)["rows"]["ok"]


DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"


def _dc(item: OAIItem) -> str:
    return (f'<oai_dc:dc xmlns:oai_dc="{DC}" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>Record {item.identifier}</dc:title><dc:creator>Wang, Li</dc:creator>"
            "<dc:date>2020</dc:date><dc:type>Article</dc:type></oai_dc:dc>")


def _serve(served, slug: str, items: list[OAIItem], render=None, formats=None, sets=None) -> FakeOAI:
    fake = FakeOAI(f"{served.url}/{slug}/oai", items, render or {"oai_dc": _dc}, formats or {"oai_dc": DC},
                   style="dspace", page_size=3, sets=sets or [])
    served.site.mount(slug, lambda request, parts: fake(request))
    return fake


def _repository_row(hub, base_url: str, prefix: str, sets: tuple[str, ...] = ()) -> int:
    """A repository row as stored before registration refused unreadable formats (no add_repository checks)."""
    from hub.members import add_institution
    from hub.models import Repository

    with hub.db.session() as session:
        inst = add_institution(session, "legacy", "Legacy University")
        repo = Repository(institution=inst, platform="oai", base_url=base_url, metadata_prefix=prefix,
                          sets_include=list(sets), sets_exclude=[], options={})
        session.add(repo)
        session.commit()
        return repo.id


def _not_verified(report, *keys: str) -> None:
    findings = _findings(report)
    assert not report["ok"]
    for key in keys:
        assert not findings[key]["ok"], key
        assert findings[key]["advice_en"] and findings[key]["advice_zh"], key


def test_check_of_an_empty_list_verifies_nothing(hub, served):
    fake = _serve(served, "empty", [])
    report = check(hub, register(hub, "oai", fake.base_url))
    _not_verified(report, "records_read", "mandatory_fields", "fulltext", "granularity")
    findings = _findings(report)
    assert "noRecordsMatch" in findings["records_read"]["detail"]
    assert "not verified" in findings["mandatory_fields"]["detail"] and report["facts"]["sample_read"] == 0


def test_check_of_only_deleted_records_verifies_no_metadata(hub, served):
    items = [OAIItem(f"oai:x:{n}", f"2024-01-0{n}T00:00:00Z", deleted=True) for n in range(1, 5)]
    fake = _serve(served, "gone", items)
    report = check(hub, register(hub, "oai", fake.base_url))
    _not_verified(report, "records_read", "mandatory_fields", "fulltext")
    assert "all 4 sampled records are deleted" in _findings(report)["records_read"]["detail"]
    assert _findings(report)["granularity"]["ok"]  # the deleted headers' datestamps were read


def test_check_of_a_prefix_without_crosswalk_reads_no_record(hub, served):
    arxiv = "http://arxiv.org/OAI/arXiv/"
    fake = _serve(served, "arxiv", [OAIItem(f"oai:arXiv.org:2401.0000{n}", "2024-01-02T00:00:00Z")
                                    for n in range(1, 5)],
                  render={"arXiv": lambda i: f'<arXiv xmlns="{arxiv}"><title>T</title></arXiv>'},
                  formats={"arXiv": arxiv})
    report = check(hub, _repository_row(hub, fake.base_url, "arXiv"))
    _not_verified(report, "crosswalk", "records_read", "mandatory_fields", "fulltext")
    findings = _findings(report)
    assert findings["metadata_format"]["ok"]  # offered, but unreadable
    assert "no crosswalk for 'arXiv'" in findings["records_read"]["detail"]
    assert "oai-mapped" in findings["crosswalk"]["advice_en"] and "oai_dc" in findings["crosswalk"]["advice_en"]


def test_check_of_records_that_all_fail_normalisation(hub, served):
    items = [OAIItem(f"oai:x:{n}", "2024-01-02T00:00:00Z") for n in range(1, 5)]
    fake = _serve(served, "odd", items, render={"oai_dc": lambda i: '<other xmlns="urn:local:schema"/>'})
    report = check(hub, register(hub, "oai", fake.base_url))
    _not_verified(report, "records_read", "mandatory_fields", "normalise", "fulltext")
    assert "empty record" in _findings(report)["normalise"]["detail"]


def test_check_samples_the_registered_sets(hub, served):
    sets = [("A", "Set A"), ("B", "Set B"), ("C", "Set C")]
    items = [OAIItem(f"oai:x:{n}", "2024-01-02T00:00:00Z", sets=["A"]) for n in range(1, 8)]
    items += [OAIItem(f"oai:x:b{n}", "2024-01-02T00:00:00Z", sets=["B"]) for n in range(1, 3)]
    fake = _serve(served, "sets", items, sets=sets)
    from hub.members import add_institution, add_repository

    with hub.db.session() as session:
        add_institution(session, "member", "Member University")
        repo_id = add_repository(session, hub.pm, hub.settings, member="member", platform="oai",
                                 base_url=fake.base_url, sets=("A", "B")).id
        session.commit()
    report = check(hub, repo_id)
    findings, facts = _findings(report), report["facts"]
    assert facts["sample_sets"] == {"A": 6, "B": 2}  # A: its first two pages; B: its first page
    assert findings["set:A"]["ok"] and findings["set:B"]["ok"]
    assert served.site.count("set=A") == 1 and served.site.count("set=B") == 1
    assert served.site.count("verb=ListRecords&metadataPrefix=oai_dc&") == 2  # never the whole repository
    assert facts["sample"] == 8 and findings["records_read"]["ok"]

    again = _serve(served, "sets2", items, sets=sets)
    with hub.db.session() as session:  # a set the source does not have, and one without records
        other = add_repository(session, hub.pm, hub.settings, member="member", platform="oai",
                               base_url=again.base_url, sets=("A", "nosuch", "C")).id
        session.commit()
    report = check(hub, other)
    findings = _findings(report)
    assert findings["set:A"]["ok"] and not report["ok"]
    assert not findings["set:nosuch"]["ok"] and "does not exist" in findings["set:nosuch"]["detail"]
    assert not findings["set:C"]["ok"] and "no records" in findings["set:C"]["detail"]
    assert findings["set:nosuch"]["advice_zh"]
