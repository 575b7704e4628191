"""Search errors in the visitor's language.

The query parser and the search backends (hub.search, no Flask there) raise ``SearchError`` with
an English message meant for the person who typed the query. The portal shows that message in the
visitor's language: each known message shape is matched here and rewritten through the catalog,
with the values it quotes (the field, the year, the limit) carried over. A message of an unknown
shape is shown under a translated lead-in, so a Chinese page never shows an English sentence alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import get_locale, gettext

_Translate = Callable[[re.Match[str]], str]

# (pattern over the English message, its translation with the matched values)
KNOWN: tuple[tuple[re.Pattern[str], _Translate], ...] = tuple((re.compile(p, re.S), t) for p, t in (
    (r"^'(?P<field>[^']*):' needs a value right after the colon",
     lambda m: gettext("'%(field)s:' needs a value right after the colon, e.g. %(field)s:word", field=m["field"])),
    (r'^unbalanced quote', lambda m: gettext('Unbalanced quote: close the phrase with a second ".')),
    (r'^empty phrase', lambda m: gettext('Empty phrase "": put words between the quotes.')),
    (r"^unbalanced parenthesis: a '\)' has no matching",
     lambda m: gettext("Unbalanced parenthesis: a ')' has no matching '('.")),
    (r"^unbalanced parenthesis: a '\(' is never closed",
     lambda m: gettext("Unbalanced parenthesis: a '(' is never closed.")),
    (r"^OR needs a word on both sides", lambda m: gettext("OR needs a word on both sides, e.g. climate OR 气候.")),
    (r"^NOT \(or -\) needs a word after it", lambda m: gettext("NOT (or -) needs a word after it, e.g. -retracted.")),
    (r"^too many words: a query may hold at most (?P<n>\d+)",
     lambda m: gettext("Too many words: a query may hold at most %(n)s.", n=m["n"])),
    (r"^'(?P<term>.*)' holds no letters or digits",
     lambda m: gettext("'%(term)s' holds no letters or digits to search for.", term=m["term"])),
    (r"^year:(?P<value>.*) is not a year",
     lambda m: gettext("year:%(value)s is not a year: write year:2016 or year:2010-2015.", value=m["value"])),
    (r"^year:(?P<value>.*): the first year of a range must not be after the second",
     lambda m: gettext("year:%(value)s: the first year of a range must not be after the second.", value=m["value"])),
    (r"^year:(?P<value>.*) is out of range \((?P<low>\d+)-(?P<high>\d+)\)",
     lambda m: gettext("year:%(value)s is out of range (%(low)s-%(high)s).", value=m["value"], low=m["low"],
                       high=m["high"])),
    (r"^an exclusion \(-word or NOT word\) cannot be one side of OR",
     lambda m: gettext("An exclusion (-word or NOT word) cannot be one side of OR: put it outside, "
                       "e.g. (climate OR 气候) -model.")),
    (r"^a double exclusion", lambda m: gettext("A double exclusion (NOT NOT, - -) means nothing: remove both.")),
    (r"^the query is too long: at most (?P<n>\d+)",
     lambda m: gettext("The query is too long: at most %(n)s characters.", n=m["n"])),
    (r"^a query cannot only exclude",
     lambda m: gettext("A query cannot only exclude: add a word to look for, e.g. climate -model.")),
    (r"^fulltext=(?P<value>.*): use fulltext=true",
     lambda m: gettext("fulltext=%(value)s: use fulltext=true or fulltext=false.", value=m["value"])),
    (r"^the (?P<name>\w+) filter value is too long",
     lambda m: gettext("The %(name)s filter value is too long.", name=m["name"])),
    (r"^unknown filter '(?P<name>[^']*)'",
     lambda m: gettext("Unknown filter %(name)s.", name=m["name"])),
    (r"^unknown sort '(?P<name>[^']*)'", lambda m: gettext("Unknown sort order %(name)s.", name=m["name"])),
    (r"^page numbers start at 1", lambda m: gettext("Page numbers start at 1.")),
    (r"^page size must be between 1 and (?P<n>\d+)",
     lambda m: gettext("The page size must be between 1 and %(n)s.", n=m["n"])),
    (r"^only the first (?P<n>[\d,]+) results can be browsed",
     lambda m: gettext("Only the first %(n)s results can be browsed: refine the query to see the others.",
                       n=m["n"])),
    (r"^page must be a number", lambda m: gettext("The page must be a number.")),
    (r"^size must be a number", lambda m: gettext("The page size must be a number.")),
))


def search_error_text(exc: Exception) -> str:
    """The message of a search error in the visitor's language."""
    message = str(exc)
    for pattern, translate in KNOWN:
        match = pattern.search(message)
        if match:
            return translate(match)
    if str(get_locale() or "en")[:2] != "zh" or re.search(r"[\u4e00-\u9fff]", message):
        return message  # English already, or translated where it was raised (the web layer's own errors)
    return gettext("The query could not be read (%(detail)s).", detail=message)
