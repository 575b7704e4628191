"""Registering a repository that is one: the source is asked before anything is saved.

:func:`register_repository` is how people register (``chair repo add``, the admin form, the demo):
the checks that need no request (:func:`hub.members.draft_repository`), then the platform's
:meth:`~hub.platform.Platform.probe` (one Identify for OAI-PMH platforms), bounded to
:data:`PROBE_DEADLINE` seconds and :data:`PROBE_RETRIES` retry, so a registration never waits
through a harvest's retries. A source that does not answer as a repository is refused with the
probe's reason (:class:`NotARepository`) unless the caller asks to save it paused anyway; a
repository registered without a name takes the name the source gives itself (Identify's
``repositoryName``). The full check (:mod:`hub.checking`) runs after the save, as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from hub.http import HarvestError
from hub.members import Draft, draft_repository, save_repository
from hub.models import Repository
from hub.platform import Probe
from hub.plugins import crosswalks, platforms
from hub.states import RepositoryState

if TYPE_CHECKING:
    from hub.context import Hub

log = logging.getLogger(__name__)

PROBE_DEADLINE = 20.0  # seconds the source's answer may take in all, at registration
PROBE_RETRIES = 1  # a registration does not wait through a harvest's retries and back-off


class NotARepository(ValueError):
    """The source does not answer as a repository of the chosen platform (``probe`` says why)."""

    def __init__(self, probe: Probe) -> None:
        super().__init__(f"not registered: {probe.detail}")
        self.probe = probe


@dataclass
class Registration:
    """A saved repository and what its source answered when it was registered."""

    repository: Repository
    probe: Probe

    @property
    def paused_unchecked(self) -> bool:
        """Saved paused although the source did not answer as a repository."""
        return not self.probe.answers


def probe_source(hub: Hub, draft: Draft) -> Probe:
    """Ask the draft's source, through its platform, whether it answers (never raises)."""
    http = hub.http()
    http.max_retries = min(http.max_retries, PROBE_RETRIES)
    http.deadline = min(http.deadline, PROBE_DEADLINE) if http.deadline else PROBE_DEADLINE
    http.authenticate(draft.base_url, draft.credentials)
    platform = platforms(hub.pm)[draft.platform](draft.source(), http, crosswalks(hub.pm))
    try:
        return platform.probe()
    except HarvestError as exc:
        return Probe(False, str(exc))
    except Exception as exc:  # a plugin's probe that fails is a refusal with its reason, not a crash
        log.exception("probing %s with the %s platform failed", draft.base_url, draft.platform)
        return Probe(False, f"the {draft.platform} platform could not ask the source: {type(exc).__name__}: {exc}")
    finally:
        http.close()


def register_repository(session: Session, hub: Hub, *, member: str, platform: str, base_url: str,
                        name: str = "", paused: bool = False, **fields: Any) -> Registration:
    """Check, ask the source, then save a repository (the caller commits).

    ``fields`` are :func:`~hub.members.draft_repository`'s (``metadata_prefix``, ``sets``,
    ``exclude_sets``, ``options``, ``schedule``). A source that does not answer raises
    :class:`NotARepository` and nothing is saved, unless ``paused``: then it is saved paused (as it is
    whenever ``paused`` is given), to be fixed and resumed later.
    """
    draft = draft_repository(session, hub.pm, hub.settings, member=member, platform=platform, base_url=base_url,
                             **fields)
    probe = probe_source(hub, draft)
    if not probe.answers and not paused:
        raise NotARepository(probe)
    state = RepositoryState.PAUSED if paused else RepositoryState.ACTIVE
    repo = save_repository(session, draft, name=name.strip() or probe.name[:255], state=state)
    return Registration(repo, probe)
