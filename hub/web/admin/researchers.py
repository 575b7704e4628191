"""Admin pages of researchers (/admin/researchers...): the list, one researcher's authorships with the
evidence linking them, and the forms that split a wrong researcher or join two.

- ``GET /admin/researchers`` — researchers by their main member (a member administrator's own
  member; every member for hub staff), searched by name, paginated;
- ``GET /admin/researchers/<id>`` — the researcher's authorships, each with its evidence; a split
  form (choose the authorships to move out) and a join form (another researcher's id);
- ``POST /admin/researchers/<id>/split`` (``ref`` repeated: ``"<record id>:<name>"``) and
  ``POST /admin/researchers/<id>/join`` (``other``) — a decision stored by
  :func:`hub.people.decisions.decide`, kept across re-harvests and re-linking, written to the audit
  log (``researcher.split`` / ``researcher.join``), then the follow-up stages run or are queued
  (:func:`hub.pipeline.stages.relinked` then :func:`hub.pipeline.dispatch.follow`) so the showcase
  figures follow.

Who may decide (simpler than works' consent flow): hub administrators always; a member administrator
only when every authorship the decision names, on both sides, belongs to their own member; a decision
touching another member's authorships is refused for them (a hub administrator makes it). Viewers see
the pages (hub staff read everything) and decide nothing.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from hub.accounts.audit import log_action
from hub.accounts.permissions import Action, can, visible_institutions
from hub.models import DecisionKind, Institution, Role, User
from hub.models.people import ResearcherDecision
from hub.people import profiles
from hub.web.admin import bp, hub
from hub.web.admin.auth import current_user, login_required, require
from hub.web.admin.labels import member_options
from hub.web.admin.paging import PER_PAGE, Page, int_arg, page_number, query_without_page
from hub.web.ids import MAX_ID, form_id

MAX_NOTE = 2000


def may_decide(user: User | None, institutions: set[int]) -> bool:
    """Whether ``user`` may split or join researchers whose authorships belong to ``institutions``:
    hub administrators always, a member administrator only when every one is their own member."""
    if user is None or not user.active:
        return False
    if user.role == Role.HUB_ADMIN:
        return True
    return (user.role == Role.MEMBER_ADMIN and user.institution_id is not None and bool(institutions)
            and all(can(user, Action.MANAGE_INSTITUTION, i) for i in institutions))


def _may_view(user: User, members: set[int]) -> bool:
    visible = visible_institutions(user)
    return visible is None or bool(visible & members)


def _profile_or_404(researcher_id: int) -> profiles.Profile:
    if researcher_id > MAX_ID:
        abort(404)
    found = profiles.profile(g.db, researcher_id)
    if found is None:
        abort(404)
    if not _may_view(current_user(), {m.id for m in found.members}):
        require(Action.VIEW_NETWORK)
    return found


@bp.get("/researchers", endpoint="researchers")
@login_required
def researchers():
    """Researchers of the members the user sees, most records first, searched by name."""
    user = current_user()
    visible = visible_institutions(user)
    member = int_arg("institution_id")
    if visible is not None:
        member = member if member in visible else next(iter(sorted(visible)), -1)
    q = request.args.get("q", "").strip()[:profiles.MAX_QUERY]
    number = page_number()
    found = profiles.researcher_list(g.db, q=q, institution_id=member, page=number, per_page=PER_PAGE)
    if found.items == [] and number > found.pages:
        found = profiles.researcher_list(g.db, q=q, institution_id=member, page=found.pages, per_page=PER_PAGE)
    members_query = select(Institution).where(Institution.removed_at.is_(None)).order_by(Institution.slug)
    if visible is not None:
        members_query = members_query.where(Institution.id.in_(visible or {-1}))
    return render_template("admin/researchers.html", page=Page(found.items, found.page, PER_PAGE, found.total),
                           q=q, chosen={"institution_id": member},
                           options={"members": member_options(g.db.scalars(members_query).all())},
                           query=query_without_page())


@bp.get("/researchers/<int:researcher_id>", endpoint="researcher")
@login_required
def researcher(researcher_id: int):
    """A researcher's authorships with their evidence, and the split and join forms."""
    found = _profile_or_404(researcher_id)
    institutions = {m.id for m in found.members}
    links: dict[str, list[profiles.Link]] = {}
    for link in found.links:
        links.setdefault(f"{link.record_id}:{link.name}", []).append(link)
    from hub.web.portal.researchers import evidence_text

    return render_template("admin/researchers_detail.html", p=found, r=found.researcher, links=links,
                           can_decide=may_decide(current_user(), institutions), evidence_text=evidence_text)


def _require_decider() -> None:
    """403 before any form is read for a user who never decides (a viewer): only administrators do."""
    if current_user().role not in (Role.HUB_ADMIN, Role.MEMBER_ADMIN):
        require(Action.MANAGE_MEMBERS)


def _decide(kind: DecisionKind, researcher_id: int, left: list[str], right: list[str]):
    """Check the user may decide, store the decision with an audit entry, commit and dispatch what follows;
    None (flashed) when refused or impossible."""
    from hub.people.decisions import DecisionError, decide, institutions_of
    from hub.pipeline.dispatch import follow
    from hub.pipeline.stages import relinked

    user = current_user()
    involved = institutions_of(g.db, left + right)
    if not may_decide(user, involved):
        if user.role == Role.MEMBER_ADMIN:
            flash(gettext("This touches another member's researchers: only a hub administrator may decide it."))
            return None
        require(Action.MANAGE_MEMBERS)  # a viewer: 403
    note = request.form.get("note", "")[:MAX_NOTE]
    try:
        result = decide(g.db, kind, left, right, username=user.username, note=note,
                        cap=int(hub().settings["PEOPLE_BUCKET_CAP"]))
    except DecisionError as exc:
        g.db.rollback()
        flash(f"{exc}")
        return None
    decision = g.db.scalar(select(ResearcherDecision).order_by(ResearcherDecision.id.desc()).limit(1))
    log_action(g.db, user, f"researcher.{kind.value}", target_type="researcher-decision",
               target_id=decision.id if decision else "", institution_id=user.institution_id,
               after={"researcher": researcher_id, "left": sorted(left), "right": sorted(right),
                      "institutions": sorted(involved), "note": note[:500]})
    g.db.commit()
    follow(hub(), relinked(result))
    return result


def _refs(name: str) -> list[str]:
    refs = [r for r in request.form.getlist(name) if r]
    if any(profiles.parse_ref(r)[0] is None for r in refs):
        abort(400)
    return refs


@bp.post("/researchers/<int:researcher_id>/split", endpoint="split_researcher")
@login_required
def split_researcher(researcher_id: int):
    """Move the chosen authorships (``ref``) out of the researcher: they are another person."""
    found = _profile_or_404(researcher_id)
    _require_decider()
    chosen = _refs("ref")
    everything = profiles.refs_of(g.db, researcher_id)
    if not chosen or not set(chosen) <= set(everything) or set(chosen) == set(everything):
        flash(gettext("Choose some of this researcher's records, not none and not all, to split off."))
        return redirect(url_for("admin.researcher", researcher_id=researcher_id))
    rest = [r for r in everything if r not in set(chosen)]
    if _decide(DecisionKind.SPLIT, found.researcher.id, chosen, rest) is None:
        return redirect(url_for("admin.researcher", researcher_id=researcher_id))
    flash(gettext("Split saved; it is kept across re-harvests."))
    kept = profiles.researcher_of_ref(g.db, rest[0]) if rest else None
    return redirect(url_for("admin.researcher", researcher_id=kept or researcher_id))


@bp.post("/researchers/<int:researcher_id>/join", endpoint="join_researcher")
@login_required
def join_researcher(researcher_id: int):
    """Make this researcher and another one (``other``) one person."""
    _profile_or_404(researcher_id)
    _require_decider()
    try:
        other = form_id(request.form.get("other", ""))
    except ValueError:
        abort(400)
    left, right = profiles.refs_of(g.db, researcher_id), profiles.refs_of(g.db, other)
    if other == researcher_id or not right:
        flash(gettext("There is no other researcher %(id)s to join with.", id=other))
        return redirect(url_for("admin.researcher", researcher_id=researcher_id))
    if _decide(DecisionKind.JOIN, researcher_id, left, right) is None:
        return redirect(url_for("admin.researcher", researcher_id=researcher_id))
    flash(gettext("Joined; kept across re-harvests."))
    joined = profiles.researcher_of_ref(g.db, left[0])
    return redirect(url_for("admin.researcher", researcher_id=joined or researcher_id))
