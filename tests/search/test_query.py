"""The query language and the shared analyzer (backend-independent)."""

from __future__ import annotations

import pytest

from hub.search.analysis import index_tokens, query_tokens
from hub.search.highlight import highlight, render
from hub.search.query import And, MatchAll, Not, Or, QuerySyntaxError, Term, YearRange, parse_query
from hub.search.stemmer import stem


def test_terms_phrases_fields_and_years():
    assert parse_query("") == MatchAll()
    assert parse_query('机器学习 "deep learning" title:graphene author:"Li Wei" year:2010-2015') == And((
        Term("机器学习"), Term("deep learning", phrase=True), Term("graphene", "title"),
        Term("Li Wei", "author", phrase=True), YearRange(2010, 2015)))
    assert parse_query("year:2016") == YearRange(2016, 2016)
    assert parse_query("a OR b c -d") == And((Or((Term("a"), Term("b"))), Term("c"), Not(Term("d"))))
    assert parse_query("foo:bar") == Term("foo:bar")  # unknown prefixes are plain words


@pytest.mark.parametrize(("q", "message"), [
    ('"deep learning', "unbalanced quote"), ("title:", "needs a value"), ("title: x", "needs a value"),
    ("year:16", "not a year"), ("year:2015-2010", "must not be after"), ("a OR", "OR needs a word"),
    ("(a b", "never closed"), ("a)", "no matching"), ("-a", "cannot only exclude"),
    ("-a OR b", "cannot be one side of OR"), ("x" * 501, "too long"), ('""', "empty phrase"),
])
def test_malformed_queries_name_the_problem(q, message):
    with pytest.raises(QuerySyntaxError, match=message):
        parse_query(q)


def test_analyzer_bigrams_unigrams_and_stems():
    assert query_tokens("机器学习") == ["机器", "器学", "学习"]
    assert query_tokens("学") == ["学"]
    assert index_tokens("机器学习 Networks") == ["机器", "器学", "学习", "network", "机", "器", "学", "习"]
    assert query_tokens("ＡＩ芯片 Café") == ["ai", "芯片", "cafe"]
    assert [stem(w) for w in ("learning", "studies", "relational", "hopping")] == ["learn", "studi", "relat", "hop"]


def test_highlight_escapes_then_marks():
    fragments = highlight("<b>Graphene</b> & graphite", [Term("graphene")], whole=True)
    assert str(render(fragments[0])) == "&lt;b&gt;<mark>Graphene</mark>&lt;/b&gt; &amp; graphite"
    long = "前言。" * 100 + "本文使用机器学习方法。" + "结论。" * 100
    snippet = str(render(highlight(long, [Term("机器学习")])[0]))
    assert "<mark>机器学习</mark>" in snippet and len(snippet) < 220


def test_abstract_identifier_and_creator_prefixes():
    assert parse_query("abstract:sensor identifier:10.1000/x creator:Wang") == And((
        Term("sensor", "abstract"), Term("10.1000/x", "identifier"), Term("Wang", "author")))
    assert parse_query('Creator:"Li, Wei"') == Term("Li, Wei", "author", phrase=True)
    with pytest.raises(QuerySyntaxError, match="needs a value"):
        parse_query("abstract: x")


def test_a_vocabulary_subject_finds_its_names_in_both_languages():
    assert parse_query('subject:"computer science"') == Or((
        Term("computer science", "subject", phrase=True), Term("计算机科学", "subject", phrase=True)))
    # "Computing Science" is a name of the concept too, but analyses as "computer science" does
    assert parse_query("subject:graphene") == Term("graphene", "subject")  # outside the vocabulary
