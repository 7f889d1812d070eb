"""The editors' pages under ``/redactie``: the review queue, reviewing one advice (diff, privacy
and reading aids), editing with optimistic locking, and the history of every revision.

Editors and admins only. Drafts stay private to their writer and answer 404 here. Every change
goes through :mod:`kb.workflow`; each form carries the revision it was made for, so a second
click or a colleague who was quicker gets a clear 409 instead of a surprise.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.orm import selectinload
from sqlmodel import select

from kb import consent, workflow
from kb.advice import content_of
from kb.auth import current_user, require_role
from kb.db import get_session
from kb.diffs import content_changes, summary
from kb.forms import AdviceForm, clean_note
from kb.models import MAX_ID, Advice, AdviceStatus, Revision, Role
from kb.review import compare_base, earlier_privacy_hints, feedback, review_queue
from kb.web import autosave, kept_text
from kb.web.context import advice_url, page_of, paging_links
from kb.web.kept_text import keeps_text
from kb.web.redact_page import redact_page
from kb.web.workspace import (
    aids_context,
    expected_revision,
    form_context,
    person_name,
    preview_context,
    run,
    setup_blueprint,
)
from kb.workflow import Conflict, InvalidInput

bp = Blueprint("editorial", __name__, url_prefix="/redactie")
setup_blueprint(bp)

LIST_LIMIT = 50


@bp.get("")
@require_role(Role.EDITOR)
def queue():
    """Submitted advice (longest waiting first), advice waiting for its writer, and the rest."""
    session = get_session()
    query = request.args.get("q", "").strip()[:200]

    def matching(statement):
        if query:
            statement = statement.where(Advice.title.icontains(query, autoescape=True))
        return statement

    def listed(status: str, order, *load):
        statement = matching(select(Advice).where(Advice.status == status))
        return session.exec(statement.order_by(order).limit(LIST_LIMIT).options(*load)).all()

    # Published advice grow without end: counted by an aggregate and shown a page at a time.
    published_total = session.exec(matching(
        select(func.count()).select_from(Advice).where(Advice.status == AdviceStatus.PUBLISHED))
    ).one()
    paging = page_of(published_total)
    published = session.exec(matching(
        select(Advice).where(Advice.status == AdviceStatus.PUBLISHED))
        .order_by(Advice.updated_at.desc(), Advice.id.desc())
        .offset(paging["offset"]).limit(paging["size"])).all()

    waiting = []
    for item in review_queue(session):
        base = compare_base(item)
        changes = content_changes(base.content, item.revisions[-1].content) if base else None
        waiting.append({"advice": item, "base": base, "changes": changes,
                        "summary": summary(changes) if changes is not None else None})
    return render_template(
        "editorial/queue.html",
        waiting=waiting,
        with_writer=listed(AdviceStatus.CHANGES_REQUESTED, Advice.updated_at.desc()),
        published=published,
        published_total=published_total,
        paging=paging_links(paging, **({"q": query} if query else {})),
        withdrawn=[{"advice": a, "by_writer": workflow.withdrawn_by_writer(a)}
                   for a in listed(AdviceStatus.WITHDRAWN, Advice.updated_at.desc(),
                                   selectinload(Advice.revisions))],
        query=query,
    )


@bp.get("/advies/<int:advice_id>")
@require_role(Role.EDITOR)
def review(advice_id: int):
    return _review_page(_advice_or_404(advice_id))


@bp.post("/advies/<int:advice_id>/publiceren")
@require_role(Role.EDITOR)
def publish(advice_id: int):
    item = _advice_or_404(advice_id)
    if request.form.get("step") == "check":  # the review page's button: ask first
        return _confirm_page(item, "publish")
    run(workflow.publish, current_user(), item, expected_revision())
    flash(_("Het advies staat nu op de website en is te vinden met zoeken."))
    return _back(item)


@bp.post("/advies/<int:advice_id>/wijzigingen-vragen")
@require_role(Role.EDITOR)
def request_changes(advice_id: int):
    item = _advice_or_404(advice_id)
    note = request.form.get("note", "")
    try:
        run(workflow.request_changes, current_user(), item, note, expected_revision())
    except InvalidInput as error:
        return _review_page(item, errors=error.errors, values={"note": clean_note(note)[0]},
                            status=error.status_code)
    flash(_("Je vraag is naar de schrijver gestuurd. Het advies staat nu bij de schrijver."))
    return _back(item)


@bp.post("/advies/<int:advice_id>/intrekken")
@require_role(Role.EDITOR)
def withdraw(advice_id: int):
    item = _advice_or_404(advice_id)
    reason = request.form.get("reason", "")
    if request.form.get("step") == "check":  # the review page's button: ask first
        cleaned, problem = clean_note(reason)
        if problem:
            return _review_page(item, errors={"reason": problem}, values={"reason": cleaned},
                                status=400)
        return _confirm_page(item, "withdraw", reason=cleaned)
    try:
        run(workflow.withdraw, current_user(), item, reason, expected_revision())
    except InvalidInput as error:
        return _review_page(item, errors=error.errors, values={"reason": clean_note(reason)[0]},
                            status=error.status_code)
    flash(_("Het advies is ingetrokken. De link blijft bestaan en meldt dat het is ingetrokken."))
    return _back(item)


@bp.post("/advies/<int:advice_id>/terugzetten")
@require_role(Role.EDITOR)
def restore(advice_id: int):
    item = _advice_or_404(advice_id)
    run(workflow.restore, current_user(), item, expected_revision())
    flash(_("Het advies staat weer op de website, onder dezelfde link."))
    return _back(item)


@bp.post("/advies/<int:advice_id>/webadres")
@require_role(Role.EDITOR)
def rename(advice_id: int):
    item = _advice_or_404(advice_id)
    slug = request.form.get("slug", "")
    try:
        run(workflow.rename_slug, current_user(), item, slug, expected_revision())
    except InvalidInput as error:
        return _review_page(item, errors=error.errors, values={"slug": slug[:200]},
                            status=error.status_code)
    flash(_("Het webadres is aangepast. Oude links sturen door naar het nieuwe adres."))
    return _back(item)


@bp.route("/advies/<int:advice_id>/bewerken", methods=["GET", "POST"])
@keeps_text
@require_role(Role.EDITOR)
def edit(advice_id: int):
    """Edit the text; a colleague's save in between gives a side-by-side conflict page."""
    item = _advice_or_404(advice_id)
    session = get_session()
    names = workflow.names_for(session, item)
    if not workflow.may(current_user(), "edit", item):
        raise workflow.StateError(item, "status")
    if request.method == "GET":
        kept = kept_text.taken(current_user())
        if kept is not None:  # back after a new login: the text as it was sent
            return _edit_page(AdviceForm.from_request(kept), names, item, notice="login",
                              revision=kept_text.revision_of(kept, item),
                              note=kept.get("note", ""))
        return _edit_page(AdviceForm.from_content(content_of(item)), names, item)
    form = AdviceForm.from_request(request.form)
    if kept_text.form_refused():
        if autosave.wanted():
            return autosave.refused("csrf", 400)
        return _edit_page(form, names, item, notice="csrf", status=400,
                          revision=kept_text.revision_of(request.form, item),
                          note=request.form.get("note", ""))
    expected = expected_revision()
    note = request.form.get("note", "")
    change_note = request.form.get("change_note", "")
    if request.form.get("action") != "save":
        errors = workflow.check_form(session, form, names, complete=True)
        if errors.get("body") == "too_large":
            return _edit_page(form, names, item, revision=expected, note=note,
                              change_note=change_note, status=413)
        content = form.content(names, slug=item.slug, published=item.published,
                               language=item.language)
        return _edit_page(form, names, item, revision=expected, note=note,
                          change_note=change_note,
                          preview=preview_context(session, content, item),
                          aids=aids_context(content, consent.writes_under_16(session, item)))
    if autosave.wanted() and item.status == AdviceStatus.PUBLISHED:
        return autosave.refused("published", 409)  # a public text changes only by hand
    try:
        run(workflow.edit, current_user(), item, form, expected, note, change_note)
    except Conflict as conflict:
        if autosave.wanted():
            return autosave.refused("conflict", 409)
        return render_template("conflict.html", **form_context(
            session, form, names, advice=item, revision=conflict.revision, note=note,
            theirs=conflict.theirs, theirs_by=person_name(session, conflict.theirs_by),
            changes=content_changes(conflict.theirs.as_json(), conflict.mine.as_json()),
            action_url=url_for(".edit", advice_id=item.id), editor=True,
            own=conflict.theirs_by == current_user().id)), 409
    except InvalidInput as error:
        if autosave.wanted():
            return autosave.refused("invalid", error.status_code)
        if "note" in error.errors or "change_note" in error.errors:
            form.errors = {**form.errors, **error.errors}
        return _edit_page(form, names, item, revision=expected, note=note,
                          change_note=change_note, status=error.status_code)
    if autosave.wanted():
        return autosave.saved(item, url_for(".edit", advice_id=item.id))
    flash(_("Je wijzigingen zijn bewaard."))
    return _back(item)


@bp.post("/advies/<int:advice_id>/lees-in-plaats-daarvan")
@require_role(Role.EDITOR)
def set_replacement(advice_id: int):
    """Point a withdrawn advice's 410 page to another advice ("Lees in plaats daarvan …")."""
    item = _advice_or_404(advice_id)
    given = request.form.get("replaced_by", "").strip()[:300]
    try:
        run(workflow.set_replacement, current_user(), item, advice_id_in(given))
    except InvalidInput as error:
        return _review_page(item, errors=error.errors, values={"replaced_by": given},
                            status=error.status_code)
    flash(_("De pagina van het ingetrokken advies wijst nu naar het andere advies.")
          if item.replaced_by_id else _("De pagina van het ingetrokken advies wijst nergens "
                                        "meer naar."))
    return _back(item)


@bp.get("/advies/<int:advice_id>/geschiedenis")
@require_role(Role.EDITOR)
def history(advice_id: int):
    """Every revision: who, when, the note, and what changed compared to the one before."""
    item = _advice_or_404(advice_id)
    session = get_session()
    revisions = list(item.revisions)
    rows = []
    for index, revision in enumerate(revisions):
        previous = revisions[index - 1].content if index else None
        rows.append({"revision": revision, "who": person_name(session, revision.author_id),
                     "by_owner": revision.author_id is not None
                     and revision.author_id == item.owner_id,
                     "changes": content_changes(previous, revision.content)})
    rows.reverse()
    return render_template(
        "editorial/history.html", advice=item, rows=rows,
        can_restore=workflow.may(current_user(), "restore_revision", item))


@bp.post("/advies/<int:advice_id>/geschiedenis/<int:number>/terugzetten")
@require_role(Role.EDITOR)
def restore_revision(advice_id: int, number: int):
    item = _advice_or_404(advice_id)
    exists = get_session().exec(select(Revision.id).where(
        Revision.advice_id == item.id, Revision.number == number)).first()
    if exists is None:
        abort(404)
    before = item.revision
    try:
        run(workflow.restore_revision, current_user(), item, number, expected_revision())
    except InvalidInput:
        flash(_("Deze versie kan niet terug: een van de thema’s bestaat niet meer."))
        return redirect(url_for(".history", advice_id=item.id), code=303)
    if item.revision == before:
        flash(_("Versie %(number)s is gelijk aan de huidige versie. Er is niets veranderd.",
                number=number))
    else:
        flash(_("Versie %(number)s is teruggezet als nieuwe versie %(new)s.", number=number,
                new=item.revision))
    return redirect(url_for(".history", advice_id=item.id), code=303)


@bp.route("/advies/<int:advice_id>/wissen", methods=["GET", "POST"])
@require_role(Role.EDITOR)
def redact(advice_id: int):
    """Wis uit de geschiedenis: an editor wipes a passage from every version of an advice."""
    item = _advice_or_404(advice_id)
    return redact_page(item, url_for(".redact", advice_id=item.id),
                       url_for(".history", advice_id=item.id))


# --------------------------------------------------------------------------- helpers


def advice_id_in(given: str) -> int | None:
    """The advice an editor means: a number, or a link to it (``…/advies/12/titel``); empty is
    none. Anything else is an id that names no advice, so the step refuses it."""
    if not given:
        return None
    found = re.search(r"(?:^|/advies/)(\d{1,10})(?:$|[/?#])", given)
    number = int(found.group(1)) if found else -1
    return number if number <= MAX_ID else -1


def _advice_or_404(advice_id: int) -> Advice:
    item = get_session().get(Advice, advice_id)
    if item is None or item.status not in workflow.EDITOR_VISIBLE:
        abort(404)
    return item


def _back(item: Advice):
    return redirect(url_for(".review", advice_id=item.id), code=303)


def _review_page(item: Advice, errors: dict | None = None, values: dict | None = None,
                 status: int = 200):
    session = get_session()
    user = current_user()
    content = content_of(item)
    base = compare_base(item)
    strict = consent.writes_under_16(session, item)  # stricter privacy check under 16
    actions = {name: workflow.may(user, name, item)
               for name in ("publish", "request_changes", "edit", "withdraw", "restore",
                            "rename_slug", "set_replacement")}
    return render_template(
        "editorial/review.html",
        advice=item,
        preview=preview_context(session, content, item),
        aids=aids_context(content, strict),
        base=base,
        changes=content_changes(base.content, item.revisions[-1].content) if base else None,
        feedback=feedback(item),
        writer=person_name(session, item.owner_id),
        withdrawal=workflow.withdrawal(item),
        earlier_hints=earlier_privacy_hints(item, strict),
        withdrawn_by_writer=workflow.withdrawn_by_writer(item),
        public_url=advice_url(item) if item.status == AdviceStatus.PUBLISHED else None,
        replacement=get_session().get(Advice, item.replaced_by_id)
        if item.replaced_by_id else None,
        actions=actions,
        errors=errors or {},
        values=values or {},
    ), status


def _confirm_page(item: Advice, action: str, reason: str = ""):
    """"Weet je het zeker?" for a step that puts an advice online or takes it off; nothing
    changes until its own form is sent. Refused as the step would be, if it is not possible."""
    if not workflow.may(current_user(), action, item, check_status=False):
        raise workflow.NotAllowed(action)
    if not workflow.may(current_user(), action, item):
        raise workflow.StateError(item, "status")
    return render_template("editorial/confirm.html", advice=item, action=action, reason=reason,
                           revision=expected_revision())


def _edit_page(form: AdviceForm, names: dict, item: Advice, status: int = 200, **extra):
    context = form_context(get_session(), form, names, advice=item, **extra)
    context.setdefault("revision", item.revision)
    return render_template("editorial/edit.html", **context), status
