"""The audit log: every admin action with who, what, when and the object before and after."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from hub.models import AuditEntry, User

# Never copied into the log.
SECRET_FIELDS = {"password_hash", "credentials"}  # never written to the audit log


def snapshot(obj: Any) -> dict[str, Any] | None:
    """A JSON-able dict of a model's column values (secrets left out)."""
    if obj is None:
        return None
    data: dict[str, Any] = {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key in SECRET_FIELDS:
            continue
        value = getattr(obj, attr.key)
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, bytes):
            value = f"<{len(value)} bytes>"
        data[attr.key] = value
    return data


def log_action(session: Session, user: User | None, action: str, *, target_type: str = "", target_id: Any = "",
               institution_id: int | None = None, before: dict[str, Any] | None = None,
               after: dict[str, Any] | None = None, ip: str = "", note: str = "") -> AuditEntry:
    """Add one audit entry to the session (committed with the action itself)."""
    entry = AuditEntry(user_id=user.id if user else None, username=user.username if user else "(cli)",
                       action=action[:64], target_type=target_type[:32], target_id=str(target_id)[:64],
                       institution_id=institution_id, before=before, after=after, ip=ip[:64], note=note)
    session.add(entry)
    return entry
