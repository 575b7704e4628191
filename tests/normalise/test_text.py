"""Text cleaning of harvested values: HTML markup and entities, MARC trailing punctuation."""

from __future__ import annotations

import pytest

from hub.normalise.text import clean_markup, decode_entities, is_markup, trim_marc_punctuation

# --- markup --------------------------------------------------------------------------------


def test_zenodo_abstract_gives_paragraphs_of_clean_text() -> None:
    # what lxml gives for Zenodo's <dc:description>&lt;p&gt;O trabalho culin&amp;aacute;rio...
    text = ("<p>O trabalho culin&aacute;rio &eacute; uma pr&aacute;tica social.</p>\n"
            "<p>Este artigo discute a cozinha&nbsp;brasileira (s&#233;culo XX).</p>")
    assert clean_markup(text) == ("O trabalho culinário é uma prática social.\n\n"
                                  "Este artigo discute a cozinha\u00a0brasileira (século XX).")


@pytest.mark.parametrize("escaped", [
    "&lt;p&gt;O trabalho culin&amp;aacute;rio&lt;/p&gt;&lt;p&gt;Segundo&lt;/p&gt;",  # escaped once more
    "&amp;lt;p&amp;gt;O trabalho culin&amp;amp;aacute;rio&amp;lt;/p&amp;gt;"
    "&amp;lt;p&amp;gt;Segundo&amp;lt;/p&amp;gt;",  # twice more
    "<p>O trabalho culin&amp;aacute;rio</p><p>Segundo</p>",  # entities escaped once more than the tags
])
def test_double_escaping_is_peeled(escaped: str) -> None:
    assert clean_markup(escaped) == "O trabalho culinário\n\nSegundo"


def test_nested_tags_lines_and_lists() -> None:
    text = ("<div><p>Results for <b>CO<sub>2</sub> <i>in situ</i></b> uptake:</p>"
            "<ul><li>first <em>point</em></li>\n  <li>second</li></ul>"
            "Line one<br>line two<br/><br />after a blank line</div>")
    assert clean_markup(text) == ("Results for CO2 in situ uptake:\n\nfirst point\nsecond\n\n"
                                  "Line one\nline two\n\nafter a blank line")


def test_scripts_styles_and_comments_are_dropped() -> None:
    text = ('<style>p { color: red }</style><p class="abstract">Kept <a href="https://x.org/">text</a></p>'
            '<script type="text/javascript">alert("x < y")</script><!-- a note -->')
    assert clean_markup(text) == "Kept text"


def test_tables_read_row_by_row() -> None:
    assert clean_markup("<table><tr><th>n</th><th>mean</th></tr><tr><td>12</td><td>3.4</td></tr></table>") \
        == "n mean\n12 3.4"


@pytest.mark.parametrize("plain", [
    "a < b", "x<y and y>z", "x<b and b>y", "AT&T", "R&D; Q&A", "if (a<b) { c>d }", "Tom & Jerry <3",
    "Strain <i>", "H2O & CO2: 5 < 6 > 4", "&foo; is not an entity", "p<0.05 and n>30",
    "  spaced\n\n  as   written  ",
])
def test_plain_text_is_kept_exactly(plain: str) -> None:
    assert not is_markup(plain)
    assert clean_markup(plain) == plain


def test_entities_without_markup_are_decoded_and_text_kept() -> None:
    assert clean_markup("Culin&aacute;ria &amp; sociedade") == "Culinária & sociedade"
    assert clean_markup("R&amp;D &#x4E2D;&#25991; caf&#233;") == "R&D 中文 café"
    assert clean_markup("a &lt; b") == "a < b"  # escaped plain text, not markup


def test_markup_spelled_as_text_inside_markup_stays_text() -> None:
    assert clean_markup("<p>Use &lt;br&gt; tags, and x<y holds.</p>") == "Use <br> tags, and x<y holds."


def test_character_references_to_illegal_characters_give_nothing() -> None:
    assert decode_entities("a&#1;b&#x0B;c") == "abc"


def test_cleaning_its_own_output_changes_nothing() -> None:
    once = clean_markup("&lt;p&gt;Um &amp;amp; dois&lt;/p&gt;&lt;p&gt;tr&amp;ecirc;s&lt;/p&gt;")
    assert once == "Um & dois\n\ntrês"
    assert clean_markup(once) == once


# --- MARC trailing punctuation -----------------------------------------------------------------


@pytest.mark.parametrize(("raw", "trimmed"), [
    ("Wang, Wei,", "Wang, Wei"),
    ("Title /", "Title"),
    ("Title : subtitle /", "Title : subtitle"),
    ("Publisher :", "Publisher"),
    ("Parallel title =", "Parallel title"),
    ("Series ;", "Series"),
    ("Statement .", "Statement"),
    ("Mathematics.", "Mathematics"),
    ("2001.", "2001"),
    ("Smith, J.", "Smith, J."),
    ("Smith, J.,", "Smith, J."),
    ("Acme Inc.", "Acme Inc."),
    ("Smith, John, Jr.", "Smith, John, Jr."),
    ("Washington, D.C.", "Washington, D.C."),
    ("Papers / ed. by A. Smith et al.", "Papers / ed. by A. Smith et al."),
    ("Wait...", "Wait..."),
    ("Smith, John, 1950-", "Smith, John, 1950-"),
    ("a;b", "a;b"),
    ("长江流域的鱼类 /", "长江流域的鱼类"),
])
def test_marc_trailing_punctuation(raw: str, trimmed: str) -> None:
    assert trim_marc_punctuation(raw) == trimmed


def test_periods_are_kept_when_asked() -> None:
    assert trim_marc_punctuation("A sentence ends here.", periods=False) == "A sentence ends here."
    assert trim_marc_punctuation("Title /", periods=False) == "Title"
