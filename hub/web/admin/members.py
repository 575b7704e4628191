"""Admin views of member institutions: list, create, edit, delete (after confirmation) and the
monthly usage report download."""

from __future__ import annotations

import re

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import func, select

from hub.accounts.audit import log_action, snapshot
from hub.accounts.permissions import Action, visible_institutions
from hub.app import current_hub
from hub.members import add_institution, forget_records, remove_institution
from hub.models import Institution, Record, Repository, utcnow
from hub.web.admin import bp
from hub.web.admin.auth import client_ip, current_user, login_required, require
from hub.web.admin.forms import institution_form

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def get_institution_or_404(institution_id: int) -> Institution:
    institution = g.db.get(Institution, institution_id)
    if institution is None or institution.removed:  # a removed member lives on in the OAI-PMH provider only
        abort(404)
    return institution


@bp.get("/institutions")
@login_required
def institutions():
    """Institutions the user may see, with their repository and record counts."""
    visible = visible_institutions(current_user())
    query = select(Institution).where(Institution.removed_at.is_(None)).order_by(Institution.slug)
    if visible is not None:
        query = query.where(Institution.id.in_(visible or {-1}))
    rows = g.db.scalars(query).all()
    counts = dict(g.db.execute(select(Repository.institution_id, func.count(Record.id))
                               .join(Record, Record.repository_id == Repository.id)
                               .where(Record.deleted.is_(False)).group_by(Repository.institution_id)).all())
    return render_template("admin/institutions.html", institutions=rows, counts=counts)


@bp.route("/institutions/new", methods=["GET", "POST"])
@login_required
def institution_new():
    require(Action.MANAGE_MEMBERS)
    form = institution_form(request.form) if request.method == "POST" else institution_form({})
    if request.method == "POST" and form.ok:
        try:
            inst = add_institution(g.db, form.get("slug"), form.get("name_en"), form.get("name_zh"),
                                   form.get("region"), form.get("website"), form.get("contact_email"))
        except (ValueError, LookupError) as exc:
            form.errors["slug"] = str(exc)
        else:
            log_action(g.db, current_user(), "institution.add", target_type="institution", target_id=inst.id,
                       institution_id=inst.id, after=snapshot(inst), ip=client_ip())
            g.db.commit()
            flash(gettext("Member %(slug)s added.", slug=inst.slug))
            return redirect(url_for("admin.institution", institution_id=inst.id))
    if request.method == "GET":
        form.errors.clear()
    return render_template("admin/institution_form.html", form=form, institution=None), 200 if form.ok else 422


@bp.get("/institutions/<int:institution_id>")
@login_required
def institution(institution_id: int):
    """An institution's repositories and its monthly report download."""
    require(Action.VIEW_INSTITUTION, institution_id)
    inst = get_institution_or_404(institution_id)
    repos = g.db.scalars(select(Repository).where(Repository.institution_id == inst.id, Repository.removed_at.is_(None))
                         .order_by(Repository.id)).all()
    return render_template("admin/institution.html", institution=inst, repositories=repos,
                           this_month=utcnow().strftime("%Y-%m"))


@bp.route("/institutions/<int:institution_id>/edit", methods=["GET", "POST"])
@login_required
def institution_edit(institution_id: int):
    require(Action.MANAGE_MEMBERS, institution_id)
    inst = get_institution_or_404(institution_id)
    if request.method == "GET":
        form = institution_form(snapshot(inst))
        form.errors.clear()
        return render_template("admin/institution_form.html", form=form, institution=inst)
    form = institution_form(request.form)
    form.values["slug"] = inst.slug  # the slug is permanent
    if not form.ok:
        return render_template("admin/institution_form.html", form=form, institution=inst), 422
    before = snapshot(inst)
    for name in ("name_en", "name_zh", "region", "website", "contact_email"):
        setattr(inst, name, form.get(name))
    inst.name_en = inst.name_en or inst.name_zh
    log_action(g.db, current_user(), "institution.edit", target_type="institution", target_id=inst.id,
               institution_id=inst.id, before=before, after=snapshot(inst), ip=client_ip())
    g.db.commit()
    flash(gettext("Saved."))
    return redirect(url_for("admin.institution", institution_id=inst.id))


@bp.route("/institutions/<int:institution_id>/delete", methods=["GET", "POST"])
@login_required
def institution_delete(institution_id: int):
    """Delete an institution with its repositories and records, after typing its slug: its records
    leave the portal, the API and search, and stay in OAI-PMH as deleted records; its slug is never
    given to another member (see :func:`hub.members.remove_institution`)."""
    require(Action.MANAGE_MEMBERS, institution_id)
    inst = get_institution_or_404(institution_id)
    records = g.db.scalar(select(func.count(Record.id)).join(Repository, Repository.id == Record.repository_id)
                          .where(Repository.institution_id == inst.id, Record.deleted.is_(False))) or 0
    if request.method == "POST":
        if request.form.get("confirm", "").strip() != inst.slug:
            return render_template("admin/confirm_delete.html", what="institution", name=inst.slug, records=records,
                                   error=gettext("Type the slug exactly to confirm.")), 422
        before = snapshot(inst)
        removal = remove_institution(g.db, inst.slug)
        log_action(g.db, current_user(), "institution.delete", target_type="institution", target_id=institution_id,
                   institution_id=institution_id, before=before, ip=client_ip(), note=f"{records} records deleted")
        g.db.commit()
        forget_records(current_hub(), removal.record_ids, removal.shas)
        flash(gettext("Member %(slug)s and %(records)s records deleted.", slug=before["slug"], records=records))
        return redirect(url_for("admin.institutions"))
    return render_template("admin/confirm_delete.html", what="institution", name=inst.slug, records=records, error="")


@bp.get("/institutions/<int:institution_id>/report.csv")
@login_required
def institution_report(institution_id: int):
    """The institution's usage report of one month (``?month=YYYY-MM``) as CSV."""
    from hub.stats.reports import monthly_csv
    from hub.web.usage_hooks import usage_counter

    require(Action.VIEW_INSTITUTION, institution_id)
    inst = get_institution_or_404(institution_id)
    month = request.args.get("month", "") or utcnow().strftime("%Y-%m")
    if not MONTH.match(month):
        abort(400, description="month must be YYYY-MM")
    usage_counter().flush()
    body = monthly_csv(g.db, inst, month)
    return Response(body.encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="chair-usage-{inst.slug}-{month}.csv"'})
