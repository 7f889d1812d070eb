"""The writers' pages: write an advice, preview it, keep it as a draft, send it to the editors,
follow it on "Mijn adviezen", revise it, and withdraw it.

A writer sees only their own advice: anyone else's answers 404, so an id never tells whether
someone wrote it. Every change goes through :mod:`kb.workflow`.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kb import advice_writers, consent, cowriting, review, workflow
from kb.advice import content_of
from kb.auth import current_user, require_role
from kb.db import get_session
from kb.diffs import content_changes
from kb.forms import BODY_TEMPLATE, AdviceForm, clean_note, name_choices
from kb.groups import group_names
from kb.models import Advice, AdviceStatus, Role
from kb.slugs import slugify
from kb.web import autosave, kept_text
from kb.web.kept_text import keeps_text
from kb.web.redact_page import redact_page
from kb.web.workspace import (
    aids_context,
    expected_revision,
    form_context,
    person_name,
    preview_context,
    render_state_error,
    run,
    setup_blueprint,
)
from kb.workflow import Conflict, InvalidInput, StateError

bp = Blueprint("contribute", __name__)
setup_blueprint(bp)

#: Statuses in which the writer holds the pen.
EDITABLE = (AdviceStatus.DRAFT, AdviceStatus.CHANGES_REQUESTED)


@bp.route("/schrijven", methods=["GET", "POST"])
@keeps_text
@require_role(Role.CONTRIBUTOR)
def write():
    """A new advice: preview, keep as a draft, or send to the editors straight away."""
    user = current_user()
    names = name_choices(user.display_names, groups=group_names(get_session(), user))
    if request.method == "GET":
        kept = kept_text.taken(user)
        if kept is not None:
            return _write_page(AdviceForm.from_request(kept), names, notice="login",
                               form_id=kept.get("form_id", "")[:64] or secrets.token_urlsafe(16))
        form = AdviceForm(body=BODY_TEMPLATE, display_name=next(iter(names)))
        return _write_page(form, names, form_id=secrets.token_urlsafe(16))
    form = AdviceForm.from_request(request.form)
    form_id = request.form.get("form_id", "")[:64]
    if kept_text.form_refused():
        if autosave.wanted():
            return autosave.refused("csrf", 400)
        return _write_page(form, names, form_id=form_id, notice="csrf", status=400)
    action = _kept_as_draft_without_consent(request.form.get("action"), user)
    if action not in ("save", "submit"):
        return _preview(form, names, None, form_id=form_id)
    try:
        advice = run(workflow.create_draft, user, form, form_id=form_id,
                     submit=action == "submit")
    except InvalidInput as error:
        if autosave.wanted():
            return autosave.refused("invalid", error.status_code)
        return _write_page(form, names, form_id=form_id, status=error.status_code)
    except StateError as error:
        if autosave.wanted():
            return autosave.refused("status", 409)
        return render_state_error(error, url_for(".advice", advice_id=error.advice_id))
    if autosave.wanted() and action == "save":
        return autosave.saved(advice, url_for(".advice", advice_id=advice.id))
    return _after_save(advice, action)


@bp.get("/mijn-adviezen")
@require_role(Role.CONTRIBUTOR)
def my_advice():
    """Everything this writer wrote, with its status and the editors' feedback."""
    user = current_user()
    items = advice_writers.advice_of(get_session(), user)  # started, or joined (co-writing)
    return render_template("contribute/my_advice.html", items=[
        {"advice": item, **_status_note(item)} for item in items],
        invitations=[{"advice": item, "by": person_name(get_session(), row.invited_by_id)}
                     for row, item in advice_writers.invitations(get_session(), user)])


@bp.route("/mijn-adviezen/<int:advice_id>", methods=["GET", "POST"])
@keeps_text
@require_role(Role.CONTRIBUTOR)
def advice(advice_id: int):
    """The writer's own advice: the form while they hold the pen, else a read-only view."""
    user = current_user()
    item = _own_advice_or_404(advice_id)
    names = workflow.names_for(get_session(), item, user)
    if item.status not in EDITABLE:
        if request.method == "POST":
            raise StateError(item, "status")
        return _view_page(item)
    if request.method == "GET":
        kept = kept_text.taken(user)
        if kept is not None:  # back after a new login: the text as it was sent
            return _write_page(AdviceForm.from_request(kept), names, advice=item,
                               revision=kept_text.revision_of(kept, item), notice="login")
        form = AdviceForm.from_content(content_of(item))
        form.display_name = advice_writers.own_choice(  # this writer's own name choice
            advice_writers.row_of(get_session(), item.id, user.id), tuple(item.authors))
        return _write_page(form, names, advice=item)
    form = AdviceForm.from_request(request.form)
    if kept_text.form_refused():
        if autosave.wanted():
            return autosave.refused("csrf", 400)
        return _write_page(form, names, advice=item, notice="csrf", status=400,
                           revision=kept_text.revision_of(request.form, item))
    expected = expected_revision()
    action = _kept_as_draft_without_consent(request.form.get("action"), user, item)
    if action not in ("save", "submit"):
        return _preview(form, names, item, revision=expected)
    try:
        if action == "submit":
            run(workflow.submit, user, item, expected, form)
        else:
            run(workflow.save_draft, user, item, form, expected)
    except Conflict as conflict:
        if autosave.wanted():
            return autosave.refused("conflict", 409)
        return render_template("conflict.html", **_conflict_context(conflict, form, names,
                                                                    item)), 409
    except InvalidInput as error:
        if autosave.wanted():
            return autosave.refused("invalid", error.status_code)
        return _write_page(form, names, advice=item, revision=expected,
                           status=error.status_code)
    if autosave.wanted() and action == "save":
        return autosave.saved(item, url_for(".advice", advice_id=item.id))
    return _after_save(item, action)


@bp.post("/mijn-adviezen/<int:advice_id>/intrekken")
@require_role(Role.CONTRIBUTOR)
def withdraw(advice_id: int):
    """One click: the writer takes their published advice offline (a reason is optional)."""
    item = _own_advice_or_404(advice_id)
    reason = request.form.get("reason", "")
    public_reason = request.form.get("public_reason", "")
    try:
        run(workflow.request_withdrawal, current_user(), item, reason, expected_revision(),
            public_reason)
    except InvalidInput as error:
        return _view_page(item, errors=error.errors, reason=clean_note(reason)[0],
                          public_reason=clean_note(public_reason)[0], status=error.status_code)
    flash(_("Je advies is ingetrokken. Het staat niet meer op de website. De redactie ziet dat "
            "je het hebt ingetrokken."))
    return redirect(url_for(".my_advice"), code=303)


@bp.post("/mijn-adviezen/<int:advice_id>/terugzetten")
@require_role(Role.CONTRIBUTOR)
def restore(advice_id: int):
    """The writer puts back the advice they withdrew; only they can (see kb.workflow)."""
    item = _own_advice_or_404(advice_id)
    run(workflow.restore_own, current_user(), item, expected_revision())
    flash(_("Je advies staat weer op de website, onder dezelfde link."))
    return redirect(url_for(".advice", advice_id=item.id), code=303)


@bp.route("/mijn-adviezen/<int:advice_id>/wissen", methods=["GET", "POST"])
@require_role(Role.CONTRIBUTOR)
def redact(advice_id: int):
    """Wis uit de geschiedenis: the writer wipes a passage from every version of their advice."""
    item = _own_advice_or_404(advice_id)
    return redact_page(item, url_for(".redact", advice_id=item.id),
                       url_for(".advice", advice_id=item.id))


# --------------------------------------------------------------------------- helpers


def _kept_as_draft_without_consent(action: str | None, user, item: Advice | None = None
                                   ) -> str | None:
    """A writer under 16 without a guardian's consent who presses "send": their text is kept
    as a draft (never lost), and they are told why it did not go (kb.consent)."""
    if (action == "submit" and item is not None and workflow.waits_for_guardian(user, item)
            and not consent.needs_consent(get_session(), user)):
        flash(_("Je advies is bewaard als concept. Iemand die meeschrijft is jonger dan 16: je "
                "kunt het insturen zodra de redactie de toestemming van hun ouder of voogd "
                "heeft vastgelegd."))
        return "save"
    if action == "submit" and consent.needs_consent(get_session(), user):
        flash(_("Je advies is bewaard als concept. Je bent jonger dan 16: je kunt het naar de "
                "redactie sturen zodra de redactie de toestemming van je ouder of voogd heeft "
                "vastgelegd."))
        return "save"
    return action


def _status_note(item: Advice) -> dict:
    """The note of the latest change of status, and who wrote it (you, or an editor's name)."""
    note = review.status_note(item)
    by_me = note is not None and note.author_id == current_user().id
    if (note is not None and not by_me and advice_writers.is_writer(item, note.author_id)):
        note = None  # another writer's reason was written for the editors, not for us
    return {"note": note, "note_by_me": by_me,
            "note_by": None if note is None or by_me
            else person_name(get_session(), note.author_id)}


def _own_advice_or_404(advice_id: int) -> Advice:
    item = get_session().get(Advice, advice_id)
    user = current_user()
    if item is None or not advice_writers.is_writer(item, user.id):
        if item is not None and cowriting.invitation(get_session(), user, item) is not None:
            # Invited, not yet a writer: the invitation first (nothing to edit before a yes).
            abort(redirect(url_for("cowriting.writers", advice_id=item.id), code=303))
        abort(404)
    return item


def _after_save(item: Advice, action: str):
    if action == "submit":
        flash(_("Je advies is naar de redactie gestuurd. Je ziet hier wanneer er iets verandert."))
        return redirect(url_for(".my_advice"), code=303)
    flash(_("Je concept is bewaard. Alleen jij kunt het zien."))
    return redirect(url_for(".advice", advice_id=item.id), code=303)


def _write_page(form: AdviceForm, names: dict, advice: Advice | None = None,
                status: int = 200, **extra):
    session = get_session()
    context = form_context(session, form, names, advice=advice, **extra)
    # Under 16 without a recorded consent: told before sending, and no send button (kb.consent).
    context["awaiting_consent"] = consent.needs_consent(session, current_user())
    if advice is not None:
        context.setdefault("revision", advice.revision)
        context["feedback"] = review.feedback(advice)
    return render_template("contribute/write.html", **context), status


def _preview(form: AdviceForm, names: dict, advice: Advice | None, **extra):
    """Show the form with the advice as it will look, and the reading and privacy aids.

    Nothing is stored. Problems that would stop sending it are listed, but do not stop the
    preview; only a body over the limit does (413).
    """
    errors = workflow.check_form(get_session(), form, names, complete=True)
    if errors.get("body") == "too_large":
        return _write_page(form, names, advice=advice, status=413, **extra)
    slug = advice.slug if advice else (slugify(form.title) or "advies")
    fixed = {"slug": slug, "published": advice.published if advice else None,
             "language": advice.language if advice else "nl"}
    content = form.content(names, **fixed)
    if advice is not None:  # with co-writers: every writer's name, as it will be shown
        content = replace(content, authors=advice_writers.preview_authors(
            get_session(), advice, current_user(), content.authors))
    strict = consent.under_16(get_session(), current_user().id)  # under 16: every place
    return _write_page(form, names, advice=advice, preview=preview_context(
        get_session(), content, advice), aids=aids_context(content, strict), **extra)


def _view_page(item: Advice, errors: dict | None = None, reason: str = "",
               public_reason: str = "", status: int = 200):
    content = content_of(item)
    return render_template(
        "contribute/view.html", advice=item, feedback=review.feedback(item),
        preview=preview_context(get_session(), content, item), errors=errors or {},
        reason=reason, public_reason=public_reason,
        can_withdraw=workflow.may(current_user(), "request_withdrawal", item),
        can_restore=workflow.may(current_user(), "restore_own", item),
        withdrawn_by_me=workflow.withdrawer(item) == current_user().id,
        withdrawn_by_cowriter=workflow.withdrawer(item) not in (None, current_user().id),
    ), status


def _conflict_context(conflict: Conflict, form: AdviceForm, names: dict, item: Advice) -> dict:
    session = get_session()
    return {
        **form_context(session, form, names, advice=item, revision=conflict.revision),
        "theirs": conflict.theirs,
        "theirs_by": person_name(session, conflict.theirs_by),
        "changes": content_changes(conflict.theirs.as_json(), conflict.mine.as_json()),
        "action_url": url_for(".advice", advice_id=item.id),
        "own": conflict.theirs_by == current_user().id,
    }
