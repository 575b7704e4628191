"""Splitting a wrong work and joining two works, by hub staff or a member administrator.

A decision names records on two sides (``left``, ``right``); it is stored (``work_decision``) and
then the records concerned are regrouped. Grouping honours every decision from then on, across
re-harvests (records keep their ids) and full regrouping: a split keeps the two sides apart
whatever the evidence, a join keeps them together. The latest decision about a pair wins.

Who may decide (:func:`may_decide`): hub administrators always; member administrators when one of
the records concerned belongs to their institution; viewers never. Every decision is written to
the audit log.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts.audit import log_action
from hub.models import DecisionKind, Record, Repository, Role, User, WorkDecision, WorkMember
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


def may_decide(session: Session, user: User | None, record_ids: list[int]) -> bool:
    """Whether ``user`` may split or join works holding these records (None: the command line)."""
    if user is None:
        return True
    if not user.active:
        return False
    if user.role == Role.HUB_ADMIN:
        return True
    if user.role != Role.MEMBER_ADMIN or user.institution_id is None:
        return False
    institutions = set(session.scalars(select(Repository.institution_id).join(
        Record, Record.repository_id == Repository.id).where(Record.id.in_(record_ids))))
    return user.institution_id in institutions


def _decide(session: Session, kind: DecisionKind, left: list[int], right: list[int], user: User | None,
            note: str, cap: int) -> GroupReport:
    if not may_decide(session, user, left + right):
        raise PermissionError("only hub administrators and the member administrators of these records may do this")
    decision = WorkDecision(kind=kind, left=sorted(left), right=sorted(right),
                            username=user.username if user else "(cli)", note=note[:2000])
    session.add(decision)
    session.flush()
    log_action(session, user, f"work.{kind.value}", target_type="work-decision", target_id=decision.id,
               after={"left": decision.left, "right": decision.right, "note": note[:500]})
    return regroup(session, left + right, cap)


def split(session: Session, work_id: int, record_ids: list[int], user: User | None = None, note: str = "",
          cap: int = DEFAULT_BUCKET_CAP) -> GroupReport:
    """Take ``record_ids`` out of a work: they and the rest are different works from now on."""
    members = members_of(session, work_id)
    moving = sorted(set(record_ids))
    if not moving or set(moving) - set(members):
        raise DecisionError(f"records {sorted(set(moving) - set(members)) or moving} are not in work {work_id}")
    staying = [m for m in members if m not in moving]
    if not staying:
        raise DecisionError("a split must leave at least one record in the work")
    return _decide(session, DecisionKind.SPLIT, moving, staying, user, note, cap)


def join(session: Session, work_a: int, work_b: int, user: User | None = None, note: str = "",
         cap: int = DEFAULT_BUCKET_CAP) -> GroupReport:
    """Make two works one: their records stay together from now on."""
    if work_a == work_b:
        raise DecisionError("a work cannot be joined with itself")
    return _decide(session, DecisionKind.JOIN, members_of(session, work_a), members_of(session, work_b), user,
                   note, cap)
