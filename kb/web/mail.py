"""Mail in the web app: the settings read at start, the sender woken after a request that
queued mail, and the admins' view of the outbox at ``/beheer/mail``.

With ``KB_SMTP_HOST`` or ``KB_MAIL_FROM`` unset mail is off: the start-up log says so once,
nothing is queued, and everything else (notifications in the app included) works as before.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from kb import outbox
from kb.auth import require_role
from kb.cli_loading import loading_for_a_command_group
from kb.db import get_session
from kb.mail import Links, MailSettings
from kb.mail_sender import MailSender
from kb.models import MailStatus, Role

log = logging.getLogger(__name__)

bp = Blueprint("mail", __name__, url_prefix="/beheer/mail")
PAGE_SIZE = 50
#: Where links in mail point when KB_SITE_URL is unset (a laptop); the start-up log says so.
FALLBACK_SITE_URL = "http://127.0.0.1:5000"


def init_app(app: Flask) -> None:
    """Read the mail settings (a bad value stops the start), say once whether mail is on, and
    start the background sender when it is."""
    settings = MailSettings.from_config(app.config)
    app.extensions["kb.mail"] = settings
    engine = app.extensions["kb.engine"]
    outbox.set_enabled(engine, settings.enabled)
    log.info(settings.describe())
    app.register_blueprint(bp)
    app.teardown_request(_wake_sender)
    if settings.enabled:
        if not app.config.get("SITE_URL"):
            log.warning("KB_SITE_URL is not set: links in mail point to %s.", FALLBACK_SITE_URL)
        sender = MailSender(engine, settings, links(app))
        app.extensions["kb.mail_sender"] = sender
        if not loading_for_a_command_group():
            # A serving process retries due mail (and makes due alerts) every minute, also
            # when no request of its own queues anything.
            sender.start()


def links(app: Flask | None = None) -> Links:
    """The site address and key that links in mail are made from."""
    config = (app or current_app).config
    return Links(config.get("SITE_URL") or FALLBACK_SITE_URL, config["SECRET_KEY"])


def settings() -> MailSettings:
    return current_app.extensions["kb.mail"]


def _wake_sender(_exc: BaseException | None) -> None:
    """After a request whose transaction queued mail: send it now, in the background."""
    session = g.get("db_session")
    if session is None or not session.info.pop("kb.mail_queued", False):
        return
    sender = current_app.extensions.get("kb.mail_sender")
    if sender is not None:
        sender.wake()


@bp.after_request
def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("")
@require_role(Role.ADMIN)
def overview():
    session = get_session()
    status = request.args.get("status", "")
    status = status if status in set(MailStatus) else ""
    page = request.args.get("pagina", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    rows = outbox.listing(session, status or None, page, PAGE_SIZE + 1)
    return render_template("admin/mail.html", rows=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE,
                           counts=outbox.counts(session), status=status, page=page,
                           settings=settings(), statuses=list(MailStatus))


@bp.post("/<int:mail_id>/opnieuw")
@require_role(Role.ADMIN)
def retry(mail_id: int):
    session = get_session()
    outbox.retry(session, mail_id)
    session.commit()
    return redirect(url_for(".overview"), code=303)
