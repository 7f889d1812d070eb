"""The "Wis uit de geschiedenis" page that the writers' and the editors' pages share.

Three steps, all without JavaScript: give the passage; see in which versions it is (nothing
changes yet); confirm. Wiping cannot be undone, so the confirmation is its own page.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request

from kb import redaction
from kb.auth import current_user
from kb.db import get_session
from kb.models import Advice
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
    flash(f"De tekst is gewist uit {len(result.revisions)} "
          f"{'versie' if len(result.revisions) == 1 else 'versies'}. Overal staat nu "
          f"{redaction.REDACTED}.")
    return redirect(back_url, code=303)
