"""The transactional outbox: mail that is never lost and never sent twice by us.

A step that causes a mail (a publication, a reset request, a subscription) calls
:func:`enqueue` in its own transaction: the mail exists exactly when the change does, and a
rollback takes it away too. After the commit a sender (:func:`send_due`: ``kb mail send`` from
cron, or the background thread of :mod:`kb.mail_sender` woken after the request) sends it.

**Claiming.** Several senders may run at once (every gunicorn worker, every node, a cron job).
A sender claims a batch with one ``UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING id``: the
rows get a lease (``claimed_until``) and other senders leave them alone until it ends. On
PostgreSQL the inner SELECT takes ``FOR UPDATE SKIP LOCKED``, so two senders never wait for or
take each other's rows (without it the second would block on the row lock, then re-check the
WHERE and find the row leased). SQLite has no row locks and needs none: one statement holds the
database's write lock from the SELECT to the UPDATE, so two senders cannot both claim a row. The
lease also means a sender that dies mid-batch (a ``kill -9``) does not keep its rows: another
sender takes them once the lease has ended.

**Retrying.** A server that does not answer, or answers 4xx, leaves the row queued with a later
``next_attempt_at`` (:data:`BACKOFF`, growing to every 6 hours) and the reason in
``last_error``; a 5xx refusal of the address fails it at once. After :data:`MAX_ATTEMPTS`, or
once the mail is past its ``expires_at`` (a reset link of an hour is useless later), it stops.

**Never twice.** A row is marked sent in its own commit right after the server accepted it. The
one window left is a crash between the server's "250 OK" and that commit: the lease ends and
the mail goes again, with the same Message-ID (made from the row's id), so mail programs can
tell it is the same mail. No protocol can close that window on SMTP's side.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kb import mail
from kb.models import MailStatus, OutboxMail, utcnow

log = logging.getLogger(__name__)

#: Wait before attempt n+1 after n failed attempts (the last value repeats).
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15),
           timedelta(hours=1), timedelta(hours=3), timedelta(hours=6))
MAX_ATTEMPTS = 12
#: How long a sender holds a claimed row; far longer than a batch takes (SMTP_TIMEOUT each).
LEASE = timedelta(minutes=5)
BATCH = 20
#: Mail that was not sent within this time after it was queued is not sent at all.
DEFAULT_TTL = timedelta(days=3)
#: Sent, failed and expired rows are kept this long (admins see them), then removed.
KEEP = timedelta(days=30)


#: Whether mail is on, per engine (so per app): set at start from the settings. With mail off
#: nothing is queued, so no stale mail goes out on the day mail is switched on.
_enabled: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def set_enabled(engine: Engine, on: bool) -> None:
    _enabled[engine] = on


def enabled(session: Session) -> bool:
    """Whether mail queued in this session will be sent (mail is configured)."""
    bind = session.get_bind()
    return bool(_enabled.get(bind.engine if hasattr(bind, "engine") else bind, False))


def enqueue(session: Session, kind: str, to: str | None, params: dict,
            ttl: timedelta = DEFAULT_TTL) -> OutboxMail | None:
    """Queue one mail in the caller's transaction (nothing is sent before it commits).

    Queues nothing (None) without an address or while mail is off."""
    if not to or not enabled(session):
        return None
    now = utcnow()
    row = OutboxMail(kind=kind, to_addr=to.strip()[:254], params=params,
                     subject=mail.subject_of(kind, params), created_at=now,
                     next_attempt_at=now, expires_at=now + ttl)
    session.add(row)
    session.info["kb.mail_queued"] = True
    return row


def backoff(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed attempts."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def claim(session: Session, now: datetime, limit: int = BATCH) -> tuple[list[int], datetime]:
    """Lease up to ``limit`` due rows for this sender and commit; returns their ids and the
    lease's end (which marks them as this sender's)."""
    until = now + LEASE
    free = or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now)
    due = (select(OutboxMail.id)
           .where(OutboxMail.status == MailStatus.QUEUED, OutboxMail.next_attempt_at <= now,
                  free)
           .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = session.execute(
        update(OutboxMail)
        .where(OutboxMail.id.in_(due.scalar_subquery()),
               OutboxMail.status == MailStatus.QUEUED, free)
        .values(claimed_until=until, attempts=OutboxMail.attempts + 1)
        .returning(OutboxMail.id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    session.commit()
    return sorted(claimed), until


def expire(session: Session, now: datetime) -> int:
    """Stop mail that is past its time, and forget old finished rows; commits."""
    expired = session.execute(
        update(OutboxMail)
        .where(OutboxMail.status == MailStatus.QUEUED, OutboxMail.expires_at < now,
               or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now))
        .values(status=MailStatus.EXPIRED, claimed_until=None,
                last_error="niet verstuurd voor het verliep")
        .execution_options(synchronize_session=False)).rowcount
    session.execute(delete(OutboxMail).where(OutboxMail.status != MailStatus.QUEUED,
                                             OutboxMail.created_at < now - KEEP))
    session.commit()
    return expired


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    expired: int = 0
    errors: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return (f"{self.sent} sent, {self.retried} to try again later, {self.failed} failed, "
                f"{self.expired} expired")


def send_due(engine: Engine, settings: mail.MailSettings, links: mail.Links,
             now: datetime | None = None,
             deliver: Callable = mail.deliver) -> SendReport:
    """Send every mail that is due, batch by batch, until none is left (or the server fails:
    then the rest waits for the next round, so an outage costs one timeout, not one per mail)."""
    report = SendReport()
    if not settings.enabled:
        return report
    with Session(engine, expire_on_commit=False) as session:
        report.expired = expire(session, now or utcnow())
        while True:
            moment = now or utcnow()
            ids, until = claim(session, moment)
            if not ids:
                return report
            for position, mail_id in enumerate(ids):
                outcome = _send_one(session, settings, links, mail_id, until, moment, deliver)
                if outcome == "sent":
                    report.sent += 1
                    continue
                if outcome == "failed":
                    report.failed += 1
                    continue
                report.retried += 1
                # The server is down: give the rest of the batch back for the next round.
                _release(session, ids[position + 1:], until, moment)
                return report


def _send_one(session: Session, settings: mail.MailSettings, links: mail.Links, mail_id: int,
              until: datetime, now: datetime, deliver: Callable) -> str:
    row = session.get(OutboxMail, mail_id, populate_existing=True)
    if row is None or row.claimed_until != until:
        return "sent"  # gone or taken over meanwhile: not ours to send
    try:
        rendered = mail.render(row.kind, row.params, links)
        message = mail.compose(settings, row.to_addr, rendered,
                               mail.message_id(row.id, row.created_at.strftime("%Y%m%d%H%M%S"),
                                               links.site_url))
        deliver(settings, message)
    except mail.DeliveryError as error:
        if error.permanent or row.attempts >= MAX_ATTEMPTS:
            _finish(session, row, until, MailStatus.FAILED, str(error))
            log.warning("Mail %d to %s failed for good: %s", row.id, _masked(row.to_addr), error)
            return "failed"
        _finish(session, row, until, MailStatus.QUEUED, str(error),
                next_attempt_at=now + backoff(row.attempts))
        log.warning("Mail %d could not be sent (attempt %d, trying again later): %s", row.id,
                    row.attempts, error)
        return "retry"
    _finish(session, row, until, MailStatus.SENT, "", sent_at=utcnow())
    return "sent"


def _finish(session: Session, row: OutboxMail, until: datetime, status: str, error: str,
            **values) -> None:
    """Record the outcome, only while the lease is still ours; commit at once."""
    session.execute(update(OutboxMail)
                    .where(OutboxMail.id == row.id, OutboxMail.claimed_until == until)
                    .values(status=status, last_error=error[:500], claimed_until=None, **values)
                    .execution_options(synchronize_session=False))
    session.commit()


def _release(session: Session, ids: list[int], until: datetime, now: datetime) -> None:
    if ids:
        session.execute(update(OutboxMail)
                        .where(OutboxMail.id.in_(ids), OutboxMail.claimed_until == until)
                        .values(claimed_until=None, attempts=OutboxMail.attempts - 1,
                                next_attempt_at=now + BACKOFF[0])
                        .execution_options(synchronize_session=False))
        session.commit()


def _masked(address: str) -> str:
    """An address for the log: enough to recognise, not enough to harvest."""
    name, _, domain = address.partition("@")
    return f"{name[:2]}…@{domain}"


def counts(session: Session) -> dict[str, int]:
    """How many rows per status (one aggregate query)."""
    rows = session.exec(select(OutboxMail.status, func.count()).group_by(OutboxMail.status))
    return {status: number for status, number in rows.all()}


def listing(session: Session, status: str | None, page: int, size: int) -> list[OutboxMail]:
    """One page of the outbox, newest first, for the admins' page."""
    query = select(OutboxMail)
    if status:
        query = query.where(OutboxMail.status == status)
    return list(session.exec(query.order_by(OutboxMail.id.desc())
                             .offset((page - 1) * size).limit(size)).all())


def retry(session: Session, mail_id: int) -> bool:
    """Queue a failed or expired mail once more (an admin's choice); the caller commits."""
    now = utcnow()
    session.info["kb.mail_queued"] = True
    return session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id,
               OutboxMail.status.in_((MailStatus.FAILED, MailStatus.EXPIRED)))
        .values(status=MailStatus.QUEUED, attempts=0, next_attempt_at=now,
                expires_at=now + DEFAULT_TTL, claimed_until=None)
        .execution_options(synchronize_session=False)).rowcount == 1
