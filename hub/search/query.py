"""The one query language of every search backend: parse the user's query into a neutral AST.

Syntax (AND by default)::

    机器学习 deep learning         all of these words (a CJK word matches as a phrase of bigrams)
    "neural networks"              a phrase
    title:graphene author:"Li Wei" subject:物理   a word or phrase in one field (a subject of the
                                                  bilingual vocabulary in either language finds both)
    abstract:sensor identifier:10.1000/x         (creator: is author:)
    year:2016  year:2010-2015      a publication year or an inclusive range
    climate OR 气候                either side
    -retracted  NOT retracted      exclude
    (a OR b) c                     grouping

Malformed input (an unbalanced quote or parenthesis, a field without a value, a bad
year, only exclusions) raises :class:`QuerySyntaxError` with a message meant for the
person who typed the query. Each backend compiles the AST (``Term``, ``YearRange``,
``And``, ``Or``, ``Not``, ``MatchAll``) into its own query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.normalise.subjects import subject_variants
from hub.search.analysis import query_tokens

FIELDS = ("title", "author", "subject", "abstract", "identifier", "year")
# Other names of a field prefix (Dublin Core's word for author).
FIELD_ALIASES = {"creator": "author"}
MAX_QUERY_LENGTH = 500
MAX_CLAUSES = 32
YEAR_MIN, YEAR_MAX = 1000, 2999


class SearchError(ValueError):
    """A search the user asked for cannot be run; ``str(exc)`` is the message to show."""


class QuerySyntaxError(SearchError):
    """The query text is malformed."""


@dataclass(frozen=True)
class MatchAll:
    """The empty query: every document."""


@dataclass(frozen=True)
class Term:
    """A word or phrase, in every text field (field None) or one field (title, author, subject,
    abstract, identifier).

    ``tokens`` is its analysed form (query_tokens); backends that analyse text themselves use ``text``.
    """

    text: str
    field: str | None = None
    phrase: bool = False

    @property
    def tokens(self) -> list[str]:
        return query_tokens(self.text)


@dataclass(frozen=True)
class YearRange:
    """Publication year between ``start`` and ``end`` inclusive."""

    start: int
    end: int


@dataclass(frozen=True)
class Not:
    """Documents not matching ``child``."""

    child: Node


@dataclass(frozen=True)
class And:
    """Documents matching every child."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Documents matching at least one child."""

    children: tuple[Node, ...]


Node = MatchAll | Term | YearRange | Not | And | Or

_TOKEN = re.compile(r'\s+|"|\(|\)|[^\s"()]+')
_FIELD = re.compile(r"^(?P<field>[A-Za-z]+):(?P<rest>.*)$", re.S)
_YEAR = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


@dataclass
class _Tok:
    kind: str  # word, phrase, field, lparen, rparen, or, not
    value: str = ""
    field: str = ""


def _lex(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    pending_field = ""
    while pos < len(text):
        ch = text[pos]
        if ch.isspace():
            if pending_field:
                raise QuerySyntaxError(f"'{pending_field}:' needs a value right after the colon, e.g. {pending_field}:word")
            pos += 1
            continue
        if ch == '"':
            end = text.find('"', pos + 1)
            if end < 0:
                raise QuerySyntaxError('unbalanced quote: close the phrase with a second "')
            phrase = text[pos + 1:end].strip()
            if not phrase:
                raise QuerySyntaxError('empty phrase "": put words between the quotes')
            toks.append(_Tok("phrase", phrase, pending_field))
            pending_field = ""
            pos = end + 1
            continue
        if pending_field:
            if ch in "()":
                raise QuerySyntaxError(f"'{pending_field}:' needs a value right after the colon, e.g. {pending_field}:word")
        if ch == "(":
            toks.append(_Tok("lparen"))
            pos += 1
            continue
        if ch == ")":
            toks.append(_Tok("rparen"))
            pos += 1
            continue
        m = re.compile(r'[^\s"()]+').match(text, pos)
        word = m.group()
        pos = m.end()
        if pending_field:
            toks.append(_Tok("word", word, pending_field))
            pending_field = ""
            continue
        if word in ("OR", "|", "||"):
            toks.append(_Tok("or"))
            continue
        if word in ("AND", "&&", "&"):
            continue
        if word == "NOT":
            toks.append(_Tok("not"))
            continue
        if word.startswith("-") and len(word) > 1:
            toks.append(_Tok("not"))
            word = word[1:]
        fm = _FIELD.match(word)
        fname = fm.group("field").lower() if fm else ""
        fname = FIELD_ALIASES.get(fname, fname)
        if fm and fname in FIELDS:
            field = fname
            if fm.group("rest"):
                toks.append(_Tok("word", fm.group("rest"), field))
            else:
                pending_field = field
            continue
        toks.append(_Tok("word", word))
    if pending_field:
        raise QuerySyntaxError(f"'{pending_field}:' needs a value right after the colon, e.g. {pending_field}:word")
    return toks


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.pos = 0
        self.clauses = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def parse(self) -> Node:
        node = self.and_expr()
        if self.peek() is not None:
            raise QuerySyntaxError("unbalanced parenthesis: a ')' has no matching '('")
        return node

    def and_expr(self) -> Node:
        """Implicit AND of OR-groups (OR binds tighter: ``a OR b c`` is ``(a OR b) AND c``)."""
        children: list[Node] = []
        while (tok := self.peek()) is not None and tok.kind != "rparen":
            if tok.kind == "or":
                raise QuerySyntaxError("OR needs a word on both sides, e.g. climate OR 气候")
            node = self.or_expr()
            if node is not None:
                children.append(node)
        if not children:
            return MatchAll()
        return children[0] if len(children) == 1 else And(tuple(children))

    def or_expr(self) -> Node | None:
        children = [self.unary()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.pos += 1
            nxt = self.peek()
            if nxt is None or nxt.kind in ("or", "rparen"):
                raise QuerySyntaxError("OR needs a word on both sides, e.g. climate OR 气候")
            children.append(self.unary())
        kept = [c for c in children if c is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))

    def unary(self) -> Node | None:
        tok = self.peek()
        if tok.kind == "not":
            self.pos += 1
            nxt = self.peek()
            if nxt is None or nxt.kind in ("or", "rparen"):
                raise QuerySyntaxError("NOT (or -) needs a word after it, e.g. -retracted")
            child = self.unary()
            return Not(child) if child is not None else None
        if tok.kind == "lparen":
            self.pos += 1
            node = self.and_expr()
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise QuerySyntaxError("unbalanced parenthesis: a '(' is never closed")
            self.pos += 1
            return None if isinstance(node, MatchAll) else node
        if tok.kind == "rparen":
            raise QuerySyntaxError("unbalanced parenthesis: a ')' has no matching '('")
        self.pos += 1
        return self.leaf(tok)

    def leaf(self, tok: _Tok) -> Node | None:
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QuerySyntaxError(f"too many words: a query may hold at most {MAX_CLAUSES}")
        if tok.field == "year":
            return _year(tok.value)
        if not query_tokens(tok.value):
            if tok.field:
                raise QuerySyntaxError(f"'{tok.field}:{tok.value}' holds no letters or digits to search for")
            return None  # punctuation alone: nothing to match
        term = Term(tok.value, tok.field or None, tok.kind == "phrase")
        return _subject_spellings(term) if tok.field == "subject" else term


def _subject_spellings(term: Term) -> Node:
    """``subject:`` a subject of the bilingual vocabulary finds each of its names (计算机科学 and
    "Computer Science"), as the subject filter does (hub.normalise.subjects)."""
    names = {tuple(term.tokens): term}
    for name in subject_variants(term.text):
        names.setdefault(tuple(query_tokens(name)), Term(name, "subject", True))
    return term if len(names) == 1 else Or(tuple(names.values()))


def _year(value: str) -> YearRange:
    m = _YEAR.match(value.strip())
    if not m:
        raise QuerySyntaxError(f"year:{value} is not a year: write year:2016 or year:2010-2015")
    start = int(m.group(1))
    end = int(m.group(2) or start)
    if start > end:
        raise QuerySyntaxError(f"year:{value}: the first year of a range must not be after the second")
    if not (YEAR_MIN <= start <= YEAR_MAX and YEAR_MIN <= end <= YEAR_MAX):
        raise QuerySyntaxError(f"year:{value} is out of range ({YEAR_MIN}-{YEAR_MAX})")
    return YearRange(start, end)


def _only_negative(node: Node) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(_only_negative(c) for c in node.children)
    return False


def _check_negations(node: Node) -> None:
    """Exclusions only make sense ANDed with something to look for."""
    if isinstance(node, Or):
        for child in node.children:
            if _only_negative(child):
                raise QuerySyntaxError("an exclusion (-word or NOT word) cannot be one side of OR: "
                                       "put it outside, e.g. (climate OR 气候) -model")
            _check_negations(child)
    elif isinstance(node, And):
        for child in node.children:
            _check_negations(child)
    elif isinstance(node, Not):
        if isinstance(node.child, Not):
            raise QuerySyntaxError("a double exclusion (NOT NOT, - -) means nothing: remove both")
        _check_negations(node.child)


def parse_query(text: str) -> Node:
    """Parse the user's query into an AST; raises QuerySyntaxError with a clear message."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"the query is too long: at most {MAX_QUERY_LENGTH} characters")
    if not text:
        return MatchAll()
    node = _Parser(_lex(text)).parse()
    _check_negations(node)
    if _only_negative(node):
        raise QuerySyntaxError("a query cannot only exclude: add a word to look for, e.g. climate -model")
    return node


def positive_terms(node: Node) -> list[Term]:
    """The terms a document is found by (for highlighting), excluding negated ones."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, And | Or):
        return [t for child in node.children for t in positive_terms(child)]
    return []


def has_text(node: Node) -> bool:
    """True when the query holds at least one text term (so relevance means something)."""
    return bool(positive_terms(node))
