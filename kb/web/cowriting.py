"""The writers' page of an advice (``/mijn-adviezen/<id>/schrijvers``): who writes it, invite
someone from your group, answer an invitation, take your own name off or put it back.

One page and one form address for every step (``step`` in the form), so that a refused form
token or an ended login brings the person back to this page with what they chose
(:mod:`kb.web.kept_text`), and no typed advice text is lost: the advice form is on another page.
The rules are :mod:`kb.cowriting`'s; a refusal that needs explaining is a 403 with a Dutch page.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from kb import advice_writers, consent, cowriting
from kb.advice import content_of
from kb.auth import current_user, require_role
from kb.db import get_session
from kb.models import Advice, Role
from kb.web import kept_text
from kb.web.kept_text import keeps_text
from kb.web.workspace import person_name, preview_context, run, setup_blueprint
from kb.workflow import InvalidInput

bp = Blueprint("cowriting", __name__)
setup_blueprint(bp)

STEPS = ("invite", "cancel", "accept", "decline", "name_off", "name_on")


@bp.route("/mijn-adviezen/<int:advice_id>/schrijvers", methods=["GET", "POST"])
@keeps_text
@require_role(Role.CONTRIBUTOR)
def writers(advice_id: int):
    """The page, and every step taken on it."""
    user = current_user()
    item = _writer_or_invited_or_404(advice_id)
    if request.method == "GET":
        kept = kept_text.taken(user)
        if kept is not None:
            return _page(item, chosen=kept, notice="login")
        return _page(item)
    form = request.form
    if kept_text.form_refused():
        return _page(item, chosen=form, notice="csrf", status=400)
    step = form.get("step", "")
    if step not in STEPS:
        return _page(item, chosen=form, errors={"step": "unknown"}, status=400)
    try:
        if step == "invite":
            run(cowriting.invite, user, item, _int(form.get("writer")))
            flash(_("Je uitnodiging is verstuurd. De ander ziet hem bij Mijn adviezen. Pas als "
                    "die ja zegt, komt de naam bij het advies."))
        elif step == "cancel":
            run(cowriting.cancel, user, item, _int(form.get("writer")))
            flash(_("De uitnodiging is ingetrokken."))
        elif step == "accept":
            run(cowriting.accept, user, item, form.get("display_name", ""))
            flash(_("Je schrijft nu mee aan dit advies. Je naam staat erbij zoals je koos."))
            return redirect(url_for("contribute.advice", advice_id=item.id), code=303)
        elif step == "decline":
            run(cowriting.decline, user, item)
            flash(_("Je hebt nee gezegd. Je naam komt niet bij dit advies."))
            return redirect(url_for("contribute.my_advice"), code=303)
        elif step == "name_off":
            run(cowriting.take_name_off, user, item, _int(form.get("writer")))
            flash(_("Je naam staat niet meer bij dit advies. Alleen jij kunt hem terugzetten."))
        else:
            run(cowriting.put_name_back, user, item, _int(form.get("writer")))
            flash(_("Je naam staat weer bij dit advies."))
    except InvalidInput as error:
        return _page(item, chosen=form, errors=error.errors, status=error.status_code)
    return redirect(url_for(".writers", advice_id=item.id), code=303)


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _writer_or_invited_or_404(advice_id: int) -> Advice:
    """The advice, for its writers and for whoever has an open invitation; else 404, so an id
    never tells whether someone wrote it."""
    item = get_session().get(Advice, advice_id)
    user = current_user()
    if item is None or not (advice_writers.is_writer(item, user.id)
                            or cowriting.invitation(get_session(), user, item)):
        abort(404)
    return item


def _page(item: Advice, chosen: MultiDict | None = None, errors: dict | None = None,
          notice: str = "", status: int = 200):
    session = get_session()
    user = current_user()
    invitation = cowriting.invitation(session, user, item)
    context = {
        "advice": item, "errors": errors or {}, "notice": notice,
        "chosen": chosen or MultiDict(), "invitation": invitation,
        "writers": [{**entry, "name": person_name(session, entry["row"].user_id)}
                    for entry in cowriting.writers_view(session, item)],
        "is_writer": advice_writers.is_writer(item, user.id),
    }
    if invitation is not None:
        context["invited_by"] = person_name(session, invitation.invited_by_id)
        context["names"] = list(cowriting.names_to_choose(session, user))
        context["young"] = consent.needs_consent(session, user)
        context["preview"] = preview_context(session, content_of(item), item)
    else:
        context["candidates"] = [
            {"id": person.id, "name": person_name(session, person.id), "group": group}
            for person, group in cowriting.candidates(session, user, item)]
    return render_template("contribute/writers.html", **context), status
