"""A real SMTP server for the mail tests (aiosmtpd, in this process), and an app that uses it.

Star-import this module into a test module to get the fixtures (``__all__`` lists them).
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import _make_app

__all__ = ["smtp", "mail_app", "mail_client"]

SITE = "https://kennisbank.test"


class Inbox:
    """What the server received, parsed; ``refuse`` makes it answer 550 to an address."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 Deze brievenbus bestaat niet"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, count: int, seconds: float = 5.0) -> list[EmailMessage]:
        """Wait until at least ``count`` messages arrived (the background sender is a thread)."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.messages)


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


class SMTPServer:
    """An aiosmtpd server on a fixed port that a test can stop and start again."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(tmp_path: Path, smtp):
    """An app that sends its mail to the test's SMTP server, with a site URL."""
    application = _make_app(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port,
                            SMTP_TLS="off", MAIL_FROM="kennisbank@expex.test",
                            SITE_URL=SITE, SERVER_NAME=None)
    yield application
    for name in ("kb.mail_sender", "kb.test_sender"):
        sender = application.extensions.get(name)
        if sender is not None:
            sender.stop()  # never let it send the next test's mail
    application.extensions["kb.engine"].dispose()


@pytest.fixture
def mail_client(mail_app):
    return mail_app.test_client()
