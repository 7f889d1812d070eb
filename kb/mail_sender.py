"""The background sender: one thread per serving process that sends queued mail soon after
the request that queued it, and retries what is due every minute.

Why a thread of its own and not the index follower (:mod:`kb.follower`): an SMTP server that
does not answer makes an attempt wait up to ``SMTP_TIMEOUT`` seconds, and the follower's work
(a publish searchable at once, a backlog applied) must never wait behind a mail server. Why not
in the request: the writer's click must not wait for a mail server either, and the mail must
go only after the commit. A request that queued mail wakes the thread after it ends
(:mod:`kb.web.mail`); every worker of every node runs one, and the outbox's claim makes sure
each mail goes once. ``kb mail send`` from cron does the same work where no app serves (or as
a safety net); both may run together.

Like the follower, the thread is a daemon holding only a weak reference, so a process exits
without waiting for it and an app that is gone takes its thread along.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable

from sqlalchemy.engine import Engine

from kb import db, outbox
from kb.mail import Links, MailSettings
from kb.throttledlog import ThrottledLog

log = logging.getLogger(__name__)
_throttled = ThrottledLog(log)

#: How often an idle sender looks for mail whose retry is due.
POLL_SECONDS = 60.0


class MailSender:
    def __init__(self, engine: Engine, settings: MailSettings, links: Links) -> None:
        self.engine = engine
        self.settings = settings
        self.links = links
        #: Called before each round (the web layer makes the reader alerts that are due).
        self.prepare: Callable[[], None] | None = None
        self.stopped = False
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the thread (again after a fork), to look for due mail every minute."""
        with self._lock:
            if not (self._thread is not None and self._thread.is_alive()
                    and self._pid == os.getpid()):
                self._pid = os.getpid()
                self._thread = threading.Thread(target=_run, args=(weakref.ref(self), self._wake),
                                                name="kb-mail-sender", daemon=True)
                self._thread.start()

    def wake(self) -> None:
        """Send now (a request queued mail); starts the thread on first use or after a fork."""
        self.start()
        self._wake.set()

    def stop(self) -> None:
        """End the thread after its current round (an app that is shut down, e.g. in tests)."""
        self.stopped = True
        self._wake.set()

    def round(self) -> None:
        try:
            if self.prepare is not None:
                self.prepare()
            report = outbox.send_due(self.engine, self.settings, self.links)
        except Exception as error:  # noqa: BLE001 - the thread must live on and say why
            fault = db.fault_of(error)
            if fault is not None:
                db.report_fault(fault, error)
            else:
                _throttled.log(logging.ERROR, type(error).__name__,
                               "Mail sender: %s: %s (trying again in a minute).",
                               type(error).__name__, error)
            return
        if report.sent or report.failed or report.retried:
            log.info("Mail: %s.", report.describe())


def _run(ref: weakref.ref, wake: threading.Event) -> None:
    while True:
        wake.wait(POLL_SECONDS)
        wake.clear()
        sender = ref()
        if sender is None or sender.stopped:
            return
        sender.round()
        del sender
