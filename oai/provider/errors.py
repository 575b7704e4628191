"""OAI-PMH error codes and the exception the verbs raise to answer with ``<error>``.

Every protocol error is answered with HTTP 200 and an ``<error code="...">`` element
(section 3.6 of the protocol); never with an HTTP error status.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """The eight error codes of OAI-PMH 2.0."""

    BAD_ARGUMENT = "badArgument"
    BAD_RESUMPTION_TOKEN = "badResumptionToken"
    BAD_VERB = "badVerb"
    CANNOT_DISSEMINATE_FORMAT = "cannotDisseminateFormat"
    ID_DOES_NOT_EXIST = "idDoesNotExist"
    NO_RECORDS_MATCH = "noRecordsMatch"
    NO_METADATA_FORMATS = "noMetadataFormats"
    NO_SET_HIERARCHY = "noSetHierarchy"

    @property
    def echoes_arguments(self) -> bool:
        """Whether ``<request>`` may echo the arguments (not for badVerb and badArgument, 3.2)."""
        return self not in {ErrorCode.BAD_VERB, ErrorCode.BAD_ARGUMENT}


class OAIError(Exception):
    """A protocol error: one code and a message for the harvester's operator."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
