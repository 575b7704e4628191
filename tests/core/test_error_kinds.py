"""One vocabulary of error kinds: ErrorKind holds every kind the hub stores and explains."""

from __future__ import annotations

from hub.health.explanations import ALIASES, EXPLANATIONS
from hub.states import WARNING_KINDS, ErrorKind, NoticeKind
from oai.xml import RecordFault
from plugins.resourcesync.records import ResourceFault
from storage.extract.base import ExtractErrorKind

KINDS = {kind.value for kind in ErrorKind}


def test_the_kinds_of_the_layers_below_are_error_kinds():
    # storage, the OAI client and plugins cannot import core: their enums carry ErrorKind's values
    for enum in (ExtractErrorKind, RecordFault, ResourceFault):
        assert {member.value for member in enum} <= KINDS, enum.__name__


def test_every_explained_kind_is_an_error_kind():
    assert set(EXPLANATIONS) <= KINDS | set(ALIASES.values())
    # explained by their stage's general explanation (hub.health.explanations.STAGE_FALLBACK, GENERAL)
    general = {"storage", "missing-object", "failed", "swept", "sweep-held", "set-left", "http-429", "http-500",
               "http-502", "http-503", "http-504", "hash-mismatch", "resource-unavailable", "unreadable-resource"}
    assert {ALIASES.get(kind, kind) for kind in KINDS} <= set(EXPLANATIONS) | general


def test_notices_are_error_kinds_and_stored_values_are_unchanged():
    assert NoticeKind is ErrorKind
    assert WARNING_KINDS <= set(ErrorKind)
    # stored strings (ItemError.kind rows of existing databases): never renamed
    assert ErrorKind.TOKEN_FALLBACK == "token_fallback" and ErrorKind.LIST_RESTART_FAILED == "list-restart-failed"
    assert ErrorKind.UNREADABLE_RECORD == "unreadable-record" and ErrorKind.RESOURCE_LIMIT == "resource-limit"
