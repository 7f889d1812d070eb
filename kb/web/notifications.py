""""Meldingen": what happened to a person's advice or work, in the app, with an unread count in
the navigation; and the person's choice of which kinds also come by mail (on ``/account``).

Personal pages: logged in only, ``Cache-Control: private, no-store`` (via
:func:`kb.web.workspace.setup_blueprint`), never indexed.
"""

from __future__ import annotations

import contextlib
import logging

from flask import Blueprint, Flask, g, redirect, render_template, request, url_for

from kb import notifications
from kb.auth import current_user, require_role
from kb.db import get_session
from kb.models import Role
from kb.web.workspace import setup_blueprint

log = logging.getLogger(__name__)

bp = Blueprint("notifications", __name__)
setup_blueprint(bp)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(unread_notifications)
    app.add_template_global(mail_choices)


def unread_notifications() -> int:
    """The logged-in person's unread count for the navigation; 0 when anything fails (the
    layout renders error pages too)."""
    if "unread_notifications" not in g:
        count = 0
        try:
            user = current_user()
            if user is not None:
                count = notifications.unread_count(get_session(), user)
        except Exception:  # noqa: BLE001 - the layout must render whatever broke
            log.warning("Could not count the unread notifications for the page header.")
            with contextlib.suppress(Exception):
                get_session().rollback()
        g.unread_notifications = count
    return g.unread_notifications


def mail_choices() -> dict[str, bool]:
    """For the account page: ``{kind: on}`` of the logged-in person."""
    user = current_user()
    return notifications.mail_choices(get_session(), user) if user else {}


@bp.get("/meldingen")
@require_role(Role.CONTRIBUTOR)
def index():
    page = request.args.get("pagina", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    rows = notifications.page_of(get_session(), current_user(), page)
    size = notifications.PAGE_SIZE
    return render_template("notifications/index.html", notices=rows[:size],
                           more=len(rows) > size, page=page, unread=unread_notifications())


@bp.post("/meldingen/gelezen")
@require_role(Role.CONTRIBUTOR)
def mark_all_read():
    session = get_session()
    notifications.mark_read(session, current_user())
    session.commit()
    return redirect(url_for(".index"), code=303)


@bp.post("/meldingen/<int:notice_id>/gelezen")
@require_role(Role.CONTRIBUTOR)
def mark_read(notice_id: int):
    session = get_session()
    notifications.mark_read(session, current_user(), notice_id)
    session.commit()
    return redirect(url_for(".index") + f"#melding-{notice_id}", code=303)


@bp.post("/account/meldingen")
@require_role(Role.CONTRIBUTOR)
def choose_mail():
    session = get_session()
    notifications.set_mail_choices(session, current_user(), set(request.form.getlist("kind")))
    session.commit()
    return redirect(url_for("account.home", klaar="meldingen") + "#meldingen", code=303)
