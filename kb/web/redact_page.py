"""The "Wis uit de geschiedenis" page that the writers' and the editors' pages share.

Three steps, all without JavaScript: give the passage; see in which versions it is (nothing
changes yet); confirm. Wiping cannot be undone, so the confirmation is its own page.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_babel import ngettext
from markupsafe import Markup

from kb import redaction
from kb.auth import current_user
from kb.db import get_session
from kb.models import Advice
from kb.web.i18n import current_language
from kb.web.workspace import run


def redact_page(item: Advice, action_url: str, back_url: str):
    """Answer a GET or POST of the page for this advice; ``back_url`` is where a wipe returns."""
    if not redaction.may_redact(current_user(), item):
        abort(403)
    passage = " ".join(request.form.get("passage", "").split())[:redaction.MAX_PASSAGE + 1]
    step = request.form.get("step") if request.method == "POST" else None
    context = {"advice": item, "action_url": action_url, "back_url": back_url,
               "passage": passage, "errors": {}, "found": None}
    if step not in ("check", "confirm"):
        return render_template("redact.html", **context)
    try:
        if step == "check":
            context["found"] = redaction.redact(get_session(), current_user(), item, passage,
                                                dry_run=True)
            return render_template("redact.html", **context)
        result = run(redaction.redact, current_user(), item, passage)
    except redaction.RedactionError as error:
        get_session().rollback()
        context["errors"] = {"passage": error.code}
        return render_template("redact.html", **context), 400
    flash(_wiped(len(result.revisions)))
    return redirect(back_url, code=303)


def _wiped(count: int) -> Markup:
    """"Wiped from N versions; it now says [verwijderd]": the mark is the Dutch text that is in
    the advice now, so on an English page it carries ``lang="nl"`` (Markup survives the session)."""
    mark = (Markup(redaction.REDACTED) if current_language() == "nl"
            else Markup('<span lang="nl">%s</span>') % redaction.REDACTED)
    message = ngettext("De tekst is gewist uit %(num)d versie. Overal staat nu %(mark)s.",
                       "De tekst is gewist uit %(num)d versies. Overal staat nu %(mark)s.",
                       count, mark="%(mark)s")
    return Markup.escape(message) % {"mark": mark}
