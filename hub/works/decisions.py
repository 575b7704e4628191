"""Splitting a wrong work and joining two works, by hub staff or member administrators.

A decision names records on two sides (``left``, ``right``); it is stored (``work_decision``) and
then the records concerned are regrouped. Grouping honours every decision from then on, across
re-harvests (records keep their ids) and full regrouping: a split keeps the two sides apart
whatever the evidence, a join keeps them together. The latest decision about a pair wins.

Who may decide: hub administrators (and the command line) always. A member administrator alone
only when every record the decision touches (both sides) belongs to their institution
(:func:`may_decide`). A decision touching several members' records is stored as a
:class:`~hub.models.works.DecisionRequest` with the asking member's consent
(:class:`ConsentNeeded` is raised); it is applied once an administrator of each member concerned
consented (:func:`consent`), or a hub administrator did; any of them may decline it. So no member
administrator can bind another member's records, alone or by a series of decisions. Viewers never
decide. Every step is written to the audit log.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.audit import log_action
from hub.models import DecisionKind, Record, Repository, Role, User, WorkDecision, WorkMember, utcnow
from hub.models.works import DecisionConsent, DecisionRequest, RequestState
from hub.works.cluster import DEFAULT_BUCKET_CAP
from hub.works.grouping import GroupReport, regroup


class DecisionError(ValueError):
    """A split or join that cannot be done (unknown work, records not in it, nothing to split)."""


def members_of(session: Session, work_id: int) -> list[int]:
    """Record ids of a work; DecisionError when it has none."""
    ids = sorted(session.scalars(select(WorkMember.record_id).where(WorkMember.work_id == work_id)))
    if not ids:
        raise DecisionError(f"no work {work_id}")
    return ids


class ConsentNeeded(Exception):  # noqa: N818 - not an error: the decision waits
    """The decision touches other members' records: it was stored as a request waiting for them."""

    def __init__(self, request: DecisionRequest, waiting: list[int]) -> None:
        super().__init__(f"decision request {request.id} waits for the consent of members {waiting}")
        self.request = request
        self.waiting = waiting


def institutions_of(session: Session, record_ids: list[int]) -> set[int]:
    """The institutions holding these records."""
    found: set[int] = set()
    for start in range(0, len(record_ids), 500):
        found.update(session.scalars(select(Repository.institution_id).join(
            Record, Record.repository_id == Repository.id).where(Record.id.in_(record_ids[start:start + 500]))))
    return found


def _is_hub_admin(user: User | None) -> bool:
    return user is None or (user.active and user.role == Role.HUB_ADMIN)


def _member_admin_of(user: User | None) -> int | None:
    """The institution a user administers (None: not an active member administrator)."""
    if user is None or not user.active or user.role != Role.MEMBER_ADMIN:
        return None
    return user.institution_id


def may_view(session: Session, user: User | None, record_ids: list[int]) -> bool:
    """Whether a member administrator sees the work of these records (one of them is their member's)."""
    own = _member_admin_of(user)
    return _is_hub_admin(user) or (own is not None and own in institutions_of(session, record_ids))


def may_decide(session: Session, user: User | None, record_ids: list[int]) -> bool:
    """Whether ``user`` may split or join, alone, works holding these records (None: the command line):
    hub administrators always, a member administrator only when every record is their member's."""
    if _is_hub_admin(user):
        return True
    own = _member_admin_of(user)
    return own is not None and institutions_of(session, record_ids) == {own}


def may_request(session: Session, user: User | None, record_ids: list[int]) -> bool:
    """Whether ``user`` may ask for a decision on these records: one of them is their member's."""
    own = _member_admin_of(user)
    return own is not None and own in institutions_of(session, record_ids)


def _require_reach(session: Session, user: User | None, record_ids: list[int]) -> None:
    """PermissionError unless ``user`` may decide on, or ask about, a work holding these records."""
    if not (may_decide(session, user, record_ids) or may_request(session, user, record_ids)):
        raise PermissionError("only hub administrators and the member administrators of these records may do this")


def _apply(session: Session, kind: DecisionKind, left: list[int], right: list[int], username: str,
           user: User | None, note: str, cap: int) -> tuple[WorkDecision, GroupReport]:
    decision = WorkDecision(kind=kind, left=sorted(left), right=sorted(right), username=username[:64],
                            note=note[:2000])
    session.add(decision)
    session.flush()
    log_action(session, user, f"work.{kind.value}", target_type="work-decision", target_id=decision.id,
               after={"left": decision.left, "right": decision.right, "note": note[:500]})
    return decision, regroup(session, left + right, cap)


def _decide(session: Session, kind: DecisionKind, work_id: int, left: list[int], right: list[int],
            user: User | None, note: str, cap: int) -> GroupReport:
    records = left + right
    if may_decide(session, user, records):
        return _apply(session, kind, left, right, user.username if user else "(cli)", user, note, cap)[1]
    if not may_request(session, user, records):
        raise PermissionError("only hub administrators and the member administrators of these records may do this")
    own = _member_admin_of(user)
    involved = sorted(institutions_of(session, records))
    request = DecisionRequest(kind=kind, work_id=work_id, left=sorted(left), right=sorted(right),
                              institutions=involved, username=user.username, note=note[:2000],
                              state=RequestState.PENDING, closed_by="")
    session.add(request)
    session.flush()
    session.add(DecisionConsent(request_id=request.id, institution_id=own, username=user.username))
    log_action(session, user, f"work.{kind.value}-requested", target_type="work-decision-request",
               target_id=request.id, institution_id=own,
               after={"left": request.left, "right": request.right, "institutions": involved, "note": note[:500]})
    session.flush()
    raise ConsentNeeded(request, [i for i in involved if i != own])


def open_request(session: Session, request_id: int) -> DecisionRequest:
    """A pending decision request; DecisionError when there is none (unknown, applied or declined)."""
    request = session.get(DecisionRequest, request_id)
    if request is None or request.state != RequestState.PENDING:
        raise DecisionError(f"no pending decision request {request_id}")
    return request


def consented(session: Session, request: DecisionRequest) -> set[int]:
    """The institutions that consented to a request."""
    return set(session.scalars(select(DecisionConsent.institution_id)
                               .where(DecisionConsent.request_id == request.id)))


def waiting_for(session: Session, request: DecisionRequest) -> list[int]:
    """The institutions whose consent a request still needs (its records' members, as of now)."""
    needed = set(request.institutions) | institutions_of(session, request.left + request.right)
    return sorted(needed - consented(session, request))


def may_answer(session: Session, user: User | None, request: DecisionRequest) -> bool:
    """Whether ``user`` may consent to or decline a request: a hub administrator, or an administrator of
    one of the members it touches."""
    own = _member_admin_of(user)
    return _is_hub_admin(user) or (own is not None and own in set(request.institutions)
                                   | institutions_of(session, request.left + request.right))


def consent(session: Session, request_id: int, user: User | None, cap: int = DEFAULT_BUCKET_CAP
            ) -> GroupReport | None:
    """Consent to a pending request as ``user``'s member (a hub administrator's consent stands for
    everyone's). Returns the regrouping when this made the decision, None while others are awaited."""
    request = open_request(session, request_id)
    if not may_answer(session, user, request):
        raise PermissionError("only hub administrators and the administrators of the members concerned may consent")
    own = _member_admin_of(user)
    if own is not None and own not in consented(session, request):
        session.add(DecisionConsent(request_id=request.id, institution_id=own, username=user.username))
        session.flush()
    log_action(session, user, f"work.{request.kind.value}-consent", target_type="work-decision-request",
               target_id=request.id, institution_id=own)
    if not _is_hub_admin(user) and waiting_for(session, request):
        return None
    names = sorted(set(session.scalars(select(DecisionConsent.username)
                                       .where(DecisionConsent.request_id == request.id))))
    if _is_hub_admin(user):
        names.append(user.username if user else "(cli)")
    decision, report = _apply(session, request.kind, request.left, request.right, ", ".join(names), user,
                              request.note, cap)
    request.state, request.decision_id = RequestState.APPLIED, decision.id
    request.closed_by, request.closed_at = (user.username if user else "(cli)"), utcnow()
    return report


def decline(session: Session, request_id: int, user: User | None) -> None:
    """Decline a pending request (an administrator of a member concerned, or a hub administrator)."""
    request = open_request(session, request_id)
    if not may_answer(session, user, request):
        raise PermissionError("only hub administrators and the administrators of the members concerned may decline")
    request.state, request.closed_by, request.closed_at = (RequestState.DECLINED,
                                                           user.username if user else "(cli)", utcnow())
    log_action(session, user, f"work.{request.kind.value}-declined", target_type="work-decision-request",
               target_id=request.id, institution_id=_member_admin_of(user))


def pending_requests(session: Session, record_ids: list[int]) -> list[DecisionRequest]:
    """The pending requests touching any of these records, oldest first."""
    wanted = set(record_ids)
    rows = session.scalars(select(DecisionRequest).where(DecisionRequest.state == RequestState.PENDING)
                           .order_by(DecisionRequest.id))
    return [r for r in rows if wanted & (set(r.left) | set(r.right))]


def requests_for(session: Session, user: User | None) -> list[DecisionRequest]:
    """The pending requests a user may answer (every one for hub staff), oldest first."""
    rows = list(session.scalars(select(DecisionRequest).where(DecisionRequest.state == RequestState.PENDING)
                                .order_by(DecisionRequest.id)))
    if _is_hub_admin(user) or (user is not None and user.active and user.role == Role.VIEWER):
        return rows
    return [r for r in rows if may_answer(session, user, r)]


def split(session: Session, work_id: int, record_ids: list[int], user: User | None = None, note: str = "",
          cap: int = DEFAULT_BUCKET_CAP) -> GroupReport:
    """Take ``record_ids`` out of a work: they and the rest are different works from now on.
    Raises :class:`ConsentNeeded` when the work holds other members' records (see the module)."""
    members = members_of(session, work_id)
    _require_reach(session, user, members)
    moving = sorted(set(record_ids))
    if not moving or set(moving) - set(members):
        raise DecisionError(f"records {sorted(set(moving) - set(members)) or moving} are not in work {work_id}")
    staying = [m for m in members if m not in moving]
    if not staying:
        raise DecisionError("a split must leave at least one record in the work")
    return _decide(session, DecisionKind.SPLIT, work_id, moving, staying, user, note, cap)


def join(session: Session, work_a: int, work_b: int, user: User | None = None, note: str = "",
         cap: int = DEFAULT_BUCKET_CAP) -> GroupReport:
    """Make two works one: their records stay together from now on. Raises :class:`ConsentNeeded`
    when the works hold other members' records (see the module)."""
    if work_a == work_b:
        raise DecisionError("a work cannot be joined with itself")
    left = members_of(session, work_a)
    _require_reach(session, user, left)
    return _decide(session, DecisionKind.JOIN, work_a, left, members_of(session, work_b), user, note, cap)
