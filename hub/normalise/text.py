"""Clean text out of harvested free-text values: HTML markup and entities, MARC trailing punctuation.

Markup (:func:`clean_markup`). Repositories put HTML in titles and abstracts, and often escape it
once more: Zenodo's oai_dc sends ``&lt;p&gt;O trabalho culin&amp;aacute;rio...`` so that, once
the XML is parsed, the text is ``<p>O trabalho culin&aacute;rio...</p>``; some send it escaped
twice. A value is read as markup only when it shows real HTML: a closing tag of a known HTML (or
MathML) element, ``<br>``/``<hr>``, a bare block opening (``<p>``, ``<li>``, ``<div>``...) or a
known tag with a quoted attribute. Plain text holding ``<`` or ``&`` (``a < b``, ``x<y and y>z``,
``AT&T``, ``R&D``) is kept exactly. When a value is markup:

- paragraphs (``p``, ``div``, headings, lists, tables, ``blockquote``...) become paragraphs
  separated by one blank line; ``<br>`` a line break (two in a row a paragraph break); list
  items and table rows one line each; cells are separated by a space;
- ``script``, ``style``, ``head`` and MathML ``annotation`` elements are dropped with their content,
  comments too; every other known tag (inline ``i``, ``sub``, ``a``..., MathML, Word's ``o:p``)
  is removed and its text kept, so ``CO<sub>2</sub>`` reads ``CO2``;
- whitespace is collapsed as a browser would, and entities are decoded.

Entities are decoded only when complete and known: ``&aacute;`` ``&nbsp;`` (to U+00A0) ``&#233;``
``&#xE9;``; ``&foo;`` and ``AT&T`` stay as written; character references to characters illegal
in XML give nothing. A value without markup but with escaped markup or entities is decoded level
by level (at most :data:`MAX_ESCAPE_LEVELS`) until it shows markup or nothing is left to decode.

MARC trailing punctuation (:func:`trim_marc_punctuation`). Catalogue records end each subfield
with the ISBD punctuation that precedes the next one: ``Wang, Wei,`` ``Title /`` ``Publisher :``
``Subject.``. Trimmed: a trailing comma, a trailing `` /`` `` :`` `` ;`` `` =`` `` .`` (with the
space ISBD puts before them), and, when asked, a final period after a word, except the period of
an initial (``Smith, J.``), of a dotted abbreviation (``U.S.A.``, ``Ph.D.``), of a known
abbreviation (``Inc.``, ``Ltd.``, ``Jr.``, ``et al.``, ``ed.``...) and of an ellipsis.
"""

from __future__ import annotations

import html
import re
from html.entities import html5

MAX_ESCAPE_LEVELS = 4  # a value escaped more often than this is left as it is after that

_BLOCK_TAGS = frozenset(
    "p div blockquote h1 h2 h3 h4 h5 h6 ul ol dl table thead tbody tfoot caption section article header "
    "footer aside nav main figure figcaption address center pre hr details summary form fieldset".split()
)
_LINE_TAGS = frozenset("br li tr dt dd".split())
_CELL_TAGS = frozenset({"td", "th"})
_DROPPED_TAGS = ("script", "style", "head", "annotation-xml", "annotation", "noscript", "template")  # longest first
_INLINE_TAGS = frozenset(
    "a abbr acronym b bdi bdo big cite code del dfn em font i img ins kbd mark q s samp small span strike "
    "strong sub sup tt u var wbr time label html body meta link col colgroup "
    "math mi mn mo ms mtext mrow msub msup msubsup mfrac msqrt mroot mstyle mover munder munderover "
    "mtable mtr mtd mspace menclose mpadded mphantom semantics".split()
)
_KNOWN_TAGS = _BLOCK_TAGS | _LINE_TAGS | _CELL_TAGS | _INLINE_TAGS | frozenset(_DROPPED_TAGS)
_BARE_OPENINGS = frozenset("p li div ul ol table tr td blockquote".split())

_EVIDENCE_RE = re.compile(
    r"</([A-Za-z][A-Za-z0-9]*)\s*>"  # a closing tag
    r"|<(br|hr)\s*/?>"  # a line break or rule
    r"|<([A-Za-z][A-Za-z0-9]*)\s*>"  # a bare opening (only block elements count)
    r"|<([A-Za-z][A-Za-z0-9]*)\s+[A-Za-z][\w:-]*\s*=\s*[\"']",  # a tag with a quoted attribute
    re.IGNORECASE,
)
_TAG_RE = re.compile(r"<(/?)([A-Za-z][\w.-]*(?::[A-Za-z][\w.-]*)?)(\s[^<>]*)?/?>")
_DROPPED_RE = re.compile(
    r"<!--.*?(?:-->|$)|<(" + "|".join(_DROPPED_TAGS) + r")\b[^>]*>.*?(?:</\1\s*>|$)",
    re.IGNORECASE | re.DOTALL,
)
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_HTML_SPACE_RE = re.compile(r"[ \t\n\r\f]+")
_SYNTAX = frozenset("<>&\"'")

_ISBD_TAIL_RE = re.compile(r"(?:\s+[/:;=.]|\s*,)+\s*$")
_ABBREVIATIONS = frozenset(
    "inc ltd co corp llc plc bros jr sr dr prof mr mrs ms st ste etc al ed eds ca cf vol vols no nos pp "
    "univ dept assoc inst natl intl govt esq rev trans comp illus fig figs approx ibid publ repr hrsg aufl "
    "bd jg nr cie soc acad".split()
)


def _entity(match: re.Match[str], keep_syntax: bool = False) -> str:
    body = match[1]
    if body[0] == "#":
        value = html.unescape(match[0])
    else:
        value = html5.get(body + ";")
        if value is None:
            return match[0]
    if keep_syntax and value in _SYNTAX:
        return match[0]
    return value


def decode_entities(text: str) -> str:
    """``text`` with its complete, known HTML entities and character references decoded (one level)."""
    if "&" not in text:
        return text
    return _ENTITY_RE.sub(_entity, text)


def is_markup(text: str) -> bool:
    """True when ``text`` holds real HTML (see the module docstring), not merely a ``<`` or ``&``."""
    if "<" not in text:
        return False
    for match in _EVIDENCE_RE.finditer(text):
        closing, rule, bare, attributed = match.groups()
        if rule or (closing and closing.lower() in _KNOWN_TAGS):
            return True
        if bare and bare.lower() in _BARE_OPENINGS:
            return True
        if attributed and attributed.lower() in _KNOWN_TAGS:
            return True
    return False


class _Paragraphs:
    """Text of a markup value gathered as paragraphs of lines."""

    def __init__(self) -> None:
        self.paragraphs: list[list[str]] = [[""]]

    def text(self, segment: str) -> None:
        self.paragraphs[-1][-1] += _HTML_SPACE_RE.sub(" ", decode_entities(segment))

    def line_break(self) -> None:
        lines = self.paragraphs[-1]
        if lines[-1].strip():
            lines.append("")
        elif any(line.strip() for line in lines):  # an empty line: <br><br> separates paragraphs
            self.paragraph_break()

    def paragraph_break(self) -> None:
        if any(line.strip() for line in self.paragraphs[-1]):
            self.paragraphs.append([""])

    def result(self) -> str:
        out = []
        for lines in self.paragraphs:
            kept = [line for line in (_HTML_SPACE_RE.sub(" ", line).strip() for line in lines) if line]
            if kept:
                out.append("\n".join(kept))
        return "\n\n".join(out)


def markup_to_text(text: str) -> str:
    """The clean text of an HTML fragment: paragraphs, lines and words kept, tags and scripts gone."""
    text = _DROPPED_RE.sub(" ", text)
    found = _Paragraphs()
    position = 0
    for match in _TAG_RE.finditer(text):
        name = match[2].lower()
        if name not in _KNOWN_TAGS and ":" not in name:
            continue  # not a tag of HTML: its text stays (``x<y and y>z`` inside real markup)
        found.text(text[position:match.start()])
        position = match.end()
        if name in _BLOCK_TAGS:
            found.paragraph_break()
        elif name in _LINE_TAGS:
            if name == "br" or match[1] != "/":
                found.line_break()
        elif name in _CELL_TAGS:
            found.text(" ")
    found.text(text[position:])
    # entities escaped once more than the tags (``<p>culin&amp;aacute;rio</p>``), but never
    # the ones that spell markup, which the source meant as text (``Use &lt;br&gt;``)
    return _ENTITY_RE.sub(lambda m: _entity(m, keep_syntax=True), found.result())


def clean_markup(text: str) -> str:
    """The clean text of a harvested free-text value: markup reduced to text, entities decoded.

    Values without markup or entities are returned unchanged (whitespace included). Idempotent on
    its results except for text that spells markup on purpose (``Use <br> tags``).
    """
    if "&" not in text and "<" not in text:
        return text
    current = text
    for _ in range(MAX_ESCAPE_LEVELS):
        if is_markup(current):
            return markup_to_text(current)
        decoded = decode_entities(current)
        if decoded == current:
            break
        current = decoded
    return current


def _keeps_final_period(text: str) -> bool:
    if text.endswith(".."):  # an ellipsis
        return True
    word = text[:-1].rsplit(None, 1)[-1] if text[:-1].strip() else ""
    word = word.lstrip("([\"'")
    if not word:
        return True
    if len(word) == 1 and word.isalpha():  # an initial: "Smith, J."
        return True
    if "." in word:  # a dotted abbreviation: "U.S.A.", "Ph.D.", "J.-P."
        return True
    return word.lower() in _ABBREVIATIONS


def trim_marc_punctuation(text: str, periods: bool = True) -> str:
    """``text`` without MARC/ISBD trailing punctuation (see the module docstring).

    ``periods``: also drop a final period directly after a word, when it is not the period of an
    initial or an abbreviation (off for values where a period ends a sentence).
    """
    trimmed = _ISBD_TAIL_RE.sub("", text) if text[-1:] in ",/:;=. \t\n" else text
    if periods and trimmed.endswith(".") and not _keeps_final_period(trimmed):
        trimmed = _ISBD_TAIL_RE.sub("", trimmed[:-1].rstrip())
    return trimmed or text
