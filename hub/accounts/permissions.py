"""Who may do what: hub administrators everything, member administrators their own institution,
viewers (hub staff) read everything and change nothing."""

from __future__ import annotations

from enum import StrEnum

from hub.models import Role, User


class Action(StrEnum):
    """Things a user does in the admin area."""

    VIEW_NETWORK = "view-network"  # the network dashboard, every member
    VIEW_INSTITUTION = "view-institution"  # one institution's repositories, runs and statistics
    MANAGE_INSTITUTION = "manage-institution"  # its repositories: add, edit, harvest, pause, delete
    MANAGE_MEMBERS = "manage-members"  # create, edit or delete institutions
    MANAGE_USERS = "manage-users"
    VIEW_AUDIT = "view-audit"
    MANAGE_PROVIDERS = "manage-providers"  # identity providers: add, enable, disable (hub administrators)
    MANAGE_ROLE_RULES = "manage-role-rules"  # a member's role rules and the accounts waiting for its approval


class AccessDenied(Exception):
    """The signed-in user may not do this (HTTP 403)."""


_NETWORK_WIDE = {
    Role.HUB_ADMIN: set(Action),
    Role.VIEWER: {Action.VIEW_NETWORK, Action.VIEW_INSTITUTION},
    Role.MEMBER_ADMIN: set(),
}
_OWN_INSTITUTION = {Action.VIEW_INSTITUTION, Action.MANAGE_INSTITUTION, Action.MANAGE_ROLE_RULES}


def can(user: User | None, action: Action, institution_id: int | None = None) -> bool:
    """Whether ``user`` may do ``action`` (on ``institution_id`` when the action concerns one)."""
    if user is None or not user.active:
        return False
    if action in _NETWORK_WIDE[user.role]:
        return True
    return (user.role == Role.MEMBER_ADMIN and action in _OWN_INSTITUTION and institution_id is not None
            and user.institution_id is not None and institution_id == user.institution_id)


def require(user: User | None, action: Action, institution_id: int | None = None) -> None:
    """Raise :class:`AccessDenied` unless ``user`` may do ``action``."""
    if not can(user, action, institution_id):
        raise AccessDenied(f"{action.value} is not allowed")


def visible_institutions(user: User) -> set[int] | None:
    """Institution ids the user may see; None means all of them."""
    if can(user, Action.VIEW_NETWORK):
        return None
    return {user.institution_id} if user.institution_id is not None else set()
