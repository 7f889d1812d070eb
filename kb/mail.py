"""Writing and sending one mail: the SMTP settings, the Dutch text from a template, the
message with its plain text and simple HTML, and the SMTP conversation.

Queueing, retrying and never sending twice are :mod:`kb.outbox`'s work; this module turns one
outbox row into a message and hands it to the server. No Flask: the sender runs in a command
(``kb mail send``) or a background thread just as well as after a request.

Messages are plain Dutch (B1). Each kind has one template, ``templates/mail/<kind>.txt``: the
first line is the subject, the rest the body. The HTML alternative is made from that text
(paragraphs, links), so the two never differ; it loads nothing from elsewhere (no images, no
tracking pixels, no styles from a server) and every link goes to ``KB_SITE_URL``.
"""

from __future__ import annotations

import html
import logging
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from kb import tokens

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates" / "mail"
#: Seconds the SMTP conversation may take before the attempt counts as failed (and is retried).
SMTP_TIMEOUT = 10
TLS_MODES = ("starttls", "ssl", "off")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "off": 25}

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False,
                          keep_trailing_newline=True, undefined=jinja2.StrictUndefined)


class MailSettingsError(ValueError):
    """A mail setting that cannot work; raised at start with the setting's name."""


@dataclass(frozen=True)
class MailSettings:
    """How to reach the SMTP server; ``enabled`` is False while host or sender is unset."""

    host: str | None
    port: int
    user: str | None
    password: str | None
    tls: str
    sender: str | None

    @property
    def enabled(self) -> bool:
        return bool(self.host and self.sender)

    @classmethod
    def from_config(cls, config: Any) -> MailSettings:
        """Read the ``SMTP_*`` and ``MAIL_FROM`` settings; a value that cannot work is refused."""
        tls = config.get("SMTP_TLS")
        # ``KB_SMTP_TLS=false`` arrives as the boolean False (Flask parses JSON in variables).
        tls = "off" if tls is False else str(tls or "starttls").strip().lower()
        if tls not in TLS_MODES:
            raise MailSettingsError(f"KB_SMTP_TLS must be starttls, ssl or off; got {tls!r}.")
        port = config.get("SMTP_PORT")
        try:
            port = int(port) if port not in (None, "") else DEFAULT_PORTS[tls]
        except (TypeError, ValueError) as error:
            raise MailSettingsError(f"KB_SMTP_PORT must be a port number; got {port!r}.") \
                from error

        def text(name: str) -> str | None:
            value = config.get(name)
            return None if value in (None, "") else str(value).strip() or None

        sender = text("MAIL_FROM")
        if sender and "@" not in sender:
            raise MailSettingsError(f"KB_MAIL_FROM must be an e-mail address; got {sender!r}.")
        return cls(host=text("SMTP_HOST"), port=port, user=text("SMTP_USER"),
                   password=text("SMTP_PASSWORD"), tls=tls, sender=sender)

    def describe(self) -> str:
        """One line for the start-up log (never the password)."""
        if not self.enabled:
            missing = [name for name, value in (("KB_SMTP_HOST", self.host),
                                                ("KB_MAIL_FROM", self.sender)) if not value]
            return (f"Mail is off ({' and '.join(missing)} not set): no mail is sent; "
                    "notifications still appear in the app.")
        login = f" as {self.user}" if self.user else ""
        return (f"Mail is sent through {self.host}:{self.port} ({self.tls}){login} "
                f"from {self.sender}.")


@dataclass(frozen=True)
class Links:
    """What a mail needs to make its links: the site's address and the key tokens come from."""

    site_url: str
    secret: str

    def token(self, purpose: str, salt: str) -> str:
        return tokens.derive(self.secret, purpose, salt)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    unsubscribe_url: str | None = None


def subject_of(kind: str, params: dict) -> str:
    """Only the subject (what the outbox stores and admins see); it never holds a link."""
    source = _env.loader.get_source(_env, f"{kind}.txt")[0]  # type: ignore[union-attr]
    return _env.from_string(source.split("\n", 1)[0]).render(**params).strip()[:300]


def render(kind: str, params: dict, links: Links) -> Rendered:
    """The whole mail of this kind, with links on the site's address."""
    context = {**params, "site_url": links.site_url, "token": links.token}
    unsubscribe = None
    if params.get("unsubscribe_salt"):
        unsubscribe = (f"{links.site_url}/attenderingen/afmelden/"
                       f"{links.token('unsubscribe', params['unsubscribe_salt'])}")
        context["unsubscribe_url"] = unsubscribe
    full = _env.get_template(f"{kind}.txt").render(**context)
    subject, _, body = full.partition("\n")
    body = re.sub(r"\n{3,}", "\n\n", body.strip("\n")) + "\n"
    return Rendered(subject.strip()[:300], body, to_html(subject.strip(), body), unsubscribe)


_URL = re.compile(r"https?://[^\s<>\"]+")


def to_html(subject: str, text: str) -> str:
    """A simple HTML version of the text: paragraphs, line breaks, links. Nothing remote."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block)
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append(f"<p>{linked.replace(chr(10), '<br>' + chr(10))}</p>")
    return ("<!doctype html>\n<html lang=\"nl\">\n<head><meta charset=\"utf-8\">"
            f"<title>{html.escape(subject)}</title></head>\n<body>\n"
            + "\n".join(paragraphs) + "\n</body>\n</html>\n")


def message_id(mail_id: int, created_stamp: str, site_url: str) -> str:
    """The Message-ID of an outbox row: the same for every attempt, so that a mail that is sent
    again after a crash (see :mod:`kb.outbox`) is recognised as the same mail."""
    host = urlsplit(site_url).hostname or "kennisbank.invalid"
    return f"<kb-mail-{mail_id}.{created_stamp}@{host}>"


def compose(settings: MailSettings, to: str, rendered: Rendered, msgid: str) -> EmailMessage:
    """The message as it goes out: text plus HTML, and the one-click unsubscribe headers
    (RFC 8058) when the mail is an alert."""
    message = EmailMessage()
    message["From"] = settings.sender or "kennisbank@localhost"
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = msgid
    message["Auto-Submitted"] = "auto-generated"
    if rendered.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{rendered.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


class DeliveryError(Exception):
    """The server did not take the mail. ``permanent``: trying again cannot help (the address
    was refused with a 5xx); otherwise it is retried later."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


def deliver(settings: MailSettings, message: EmailMessage) -> None:
    """Hand one message to the SMTP server; :class:`DeliveryError` says why it failed."""
    try:
        with _connect(settings) as smtp:
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        reason = "; ".join(f"{code} {_text(text)}" for code, text in error.recipients.values())
        raise DeliveryError(f"address refused: {reason}"[:500],
                            permanent=all(500 <= code < 600 for code in codes)) from error
    except smtplib.SMTPResponseException as error:
        raise DeliveryError(f"{error.smtp_code} {_text(error.smtp_error)}"[:500],
                            permanent=500 <= error.smtp_code < 600
                            and not isinstance(error, smtplib.SMTPAuthenticationError)) from error
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(f"{type(error).__name__}: {error}"[:500]) from error


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _connect(settings: MailSettings) -> smtplib.SMTP:
    if settings.tls == "ssl":
        return smtplib.SMTP_SSL(settings.host or "", settings.port, timeout=SMTP_TIMEOUT,
                                context=ssl.create_default_context())
    smtp = smtplib.SMTP(settings.host or "", settings.port, timeout=SMTP_TIMEOUT)
    if settings.tls == "starttls":
        try:
            smtp.starttls(context=ssl.create_default_context())
        except BaseException:
            smtp.close()
            raise
    return smtp


def test_message(settings: MailSettings, to: str, site_url: str) -> EmailMessage:
    """The message of ``kb mail test``: proof that the settings reach a mailbox."""
    rendered = render("test", {"address": to}, Links(site_url, "test"))
    return compose(settings, to, rendered, make_msgid("kb-test"))
