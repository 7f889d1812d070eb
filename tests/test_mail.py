"""Mail that is never lost: the outbox, its sender and its settings, against a real SMTP
server (aiosmtpd) that the tests stop and start again."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from app import create_app
from kb import outbox
from kb.db import session_scope
from kb.mail import Links, MailSettings, MailSettingsError
from kb.models import MailStatus, OutboxMail, Role, utcnow
from tests.conftest import _make_app
from tests.mail_helpers import *  # noqa: F403
from tests.mail_helpers import SITE, html_of, text_of


@pytest.fixture
def app(mail_app):
    return mail_app


def queue(app, to: str = "sam@example.org", kind: str = "test", **params) -> int:
    with app.app_context(), session_scope() as session:
        row = outbox.enqueue(session, kind, to, {"address": to, **params})
        session.flush()
        return row.id


def send(app, now=None) -> outbox.SendReport:
    from kb.web.mail import links

    with app.app_context():
        return outbox.send_due(app.extensions["kb.engine"], app.extensions["kb.mail"], links(),
                               now=now)


def row(app, mail_id: int) -> OutboxMail:
    with app.app_context(), session_scope() as session:
        return session.get(OutboxMail, mail_id)


def stop_background_sender(app) -> None:
    """Tests that count attempts send by hand; the thread would only make them race."""
    sender = app.extensions.pop("kb.mail_sender", None)
    if sender is not None:
        sender.stop()


def test_a_queued_mail_arrives_once_with_text_html_and_a_message_id_from_its_row(app, smtp):
    stop_background_sender(app)
    mail_id = queue(app)
    assert send(app).sent == 1
    assert send(app).sent == 0
    (message,) = smtp.inbox.messages
    assert message["Subject"] == "Testbericht van de ExpEx Kennisbank"
    assert message["From"] == "kennisbank@expex.test"
    assert message["Message-ID"].startswith(f"<kb-mail-{mail_id}.")
    assert message["Message-ID"].endswith("@kennisbank.test>")
    assert "Dan werkt het versturen van e-mail." in text_of(message)
    html = html_of(message)
    assert f'<a href="{SITE}/">{SITE}/</a>' in html
    assert "<img" not in html and "http://" not in html and "style" not in html
    assert row(app, mail_id).status == MailStatus.SENT


def test_a_mail_queued_in_a_transaction_that_rolls_back_is_never_sent(app, smtp):
    stop_background_sender(app)
    with app.app_context(), pytest.raises(RuntimeError), session_scope() as session:
        outbox.enqueue(session, "test", "sam@example.org", {"address": "sam@example.org"})
        raise RuntimeError("the change failed")
    assert send(app).sent == 0 and smtp.inbox.messages == []


def test_nothing_is_lost_while_the_smtp_server_is_down_for_a_while(app, smtp):
    stop_background_sender(app)
    smtp.stop()
    ids = [queue(app, f"lezer{n}@example.org") for n in range(3)]
    report = send(app)
    assert report.sent == 0 and report.retried == 1
    first = row(app, ids[0])
    assert first.status == MailStatus.QUEUED and first.attempts == 1
    assert "Connection refused" in first.last_error or "Error" in first.last_error
    assert first.next_attempt_at > utcnow()
    # The rest of the batch was given back without an attempt of its own.
    assert row(app, ids[1]).attempts == 0
    # Later, still down: a second attempt, a longer wait.
    send(app, now=utcnow() + timedelta(minutes=2))
    assert row(app, ids[0]).attempts == 2
    smtp.start()
    assert send(app).sent == 0, "not due yet: the back-off is respected"
    report = send(app, now=utcnow() + timedelta(hours=1))
    assert report.sent == 3
    assert sorted(m["To"] for m in smtp.inbox.messages) == [f"lezer{n}@example.org"
                                                           for n in range(3)]
    assert send(app, now=utcnow() + timedelta(days=1)).sent == 0


def test_two_senders_at_once_send_each_mail_once(app, smtp):
    stop_background_sender(app)
    ids = [queue(app, f"lezer{n}@example.org") for n in range(30)]
    barrier = threading.Barrier(3)
    reports = []

    def sender():
        barrier.wait()
        reports.append(send(app))

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(r.sent for r in reports) == 30
    received = sorted(m["To"] for m in smtp.inbox.messages)
    assert received == sorted(f"lezer{n}@example.org" for n in range(30))
    assert all(row(app, i).status == MailStatus.SENT for i in ids)


def test_a_sender_that_died_mid_batch_leaves_its_rows_to_another_after_the_lease(app, smtp):
    stop_background_sender(app)
    mail_id = queue(app)
    with app.app_context(), session_scope() as session:
        claimed, _ = outbox.claim(session, utcnow())  # and then it is killed
    assert claimed == [mail_id]
    assert send(app).sent == 0, "leased to the dead sender"
    assert send(app, now=utcnow() + outbox.LEASE + timedelta(seconds=1)).sent == 1
    assert len(smtp.inbox.messages) == 1


def test_an_address_the_server_refuses_fails_at_once_with_the_reason(app, smtp):
    stop_background_sender(app)
    smtp.inbox.refuse.add("weg@example.org")
    mail_id = queue(app, "weg@example.org")
    report = send(app)
    assert report.failed == 1
    failed = row(app, mail_id)
    assert failed.status == MailStatus.FAILED and "550" in failed.last_error


def test_mail_past_its_time_is_not_sent(app, smtp):
    stop_background_sender(app)
    mail_id = queue(app)
    assert send(app, now=utcnow() + outbox.DEFAULT_TTL + timedelta(minutes=1)).expired == 1
    assert row(app, mail_id).status == MailStatus.EXPIRED and smtp.inbox.messages == []


def test_the_background_sender_sends_soon_after_the_request_that_queued_it(app, smtp,
                                                                          login_as, post):
    admin = login_as(Role.ADMIN)
    queue(app)  # outside a request: the thread finds it when woken
    with app.app_context(), session_scope() as session:
        failed = OutboxMail(kind="test", to_addr="x@example.org", subject="s",
                            params={"address": "x@example.org"}, status=MailStatus.FAILED,
                            expires_at=utcnow() + timedelta(days=1))
        session.add(failed)
        session.flush()
        failed_id = failed.id
    assert admin is not None
    response = post(f"/beheer/mail/{failed_id}/opnieuw")
    assert response.status_code == 303
    messages = smtp.inbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["sam@example.org", "x@example.org"]


def test_admins_see_queued_sent_and_failed_mail_with_the_reason(app, smtp, client, login_as):
    stop_background_sender(app)
    smtp.inbox.refuse.add("weg@example.org")
    queue(app, "weg@example.org")
    send(app)
    queue(app, "later@example.org")
    login_as(Role.EDITOR)
    assert client.get("/beheer/mail").status_code == 403
    login_as(Role.ADMIN)
    response = client.get("/beheer/mail")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "private" in response.headers["Cache-Control"]
    assert "weg@example.org" in page and "550" in page and "mislukt" in page
    assert "later@example.org" in page and "wacht" in page
    assert "Mislukt (1)" in page and "Wacht (1)" in page


def test_kb_mail_send_and_kb_mail_test_use_the_settings(app, smtp):
    stop_background_sender(app)
    queue(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["kb", "mail", "send"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    result = runner.invoke(args=["kb", "mail", "test", "beheer@example.org"])
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in smtp.inbox.messages] == ["sam@example.org", "beheer@example.org"]


def test_kb_mail_send_says_why_nothing_is_sent_while_the_server_is_down(app, smtp):
    stop_background_sender(app)
    smtp.stop()
    queue(app)
    result = app.test_cli_runner().invoke(args=["kb", "mail", "send"])
    assert result.exit_code == 1 and "1 to try again later" in result.output


def test_without_smtp_settings_mail_is_off_said_at_start_and_nothing_is_queued(tmp_path,
                                                                              caplog):
    with caplog.at_level(logging.INFO, logger="kb.web.mail"):
        off = _make_app(tmp_path)
    assert "Mail is off (KB_SMTP_HOST and KB_MAIL_FROM not set)" in caplog.text
    with off.app_context(), session_scope() as session:
        assert outbox.enqueue(session, "test", "sam@example.org", {"address": "x"}) is None
        assert session.exec(select(OutboxMail)).all() == []
    result = off.test_cli_runner().invoke(args=["kb", "mail", "test", "a@example.org"])
    assert result.exit_code == 1 and "Mail is off" in result.output
    off.extensions["kb.engine"].dispose()


@pytest.mark.parametrize("setting, value, message", [
    ("SMTP_TLS", "soms", "KB_SMTP_TLS must be starttls, ssl or off"),
    ("SMTP_PORT", "vijf", "KB_SMTP_PORT must be a port number"),
    ("MAIL_FROM", "kennisbank", "KB_MAIL_FROM must be an e-mail address"),
])
def test_a_mail_setting_that_cannot_work_stops_the_start_with_its_name(tmp_path, setting, value,
                                                                       message):
    with pytest.raises(MailSettingsError, match=message):
        create_app({"INSTANCE_PATH": tmp_path, "LOAD_DEMO": False, "SMTP_HOST": "localhost",
                    "MAIL_FROM": "a@b.nl", setting: value})


def test_settings_from_the_environment_keep_a_numeric_password_a_string():
    settings = MailSettings.from_config({"SMTP_HOST": "mail", "SMTP_PASSWORD": 123456,
                                         "SMTP_TLS": False, "MAIL_FROM": "a@b.nl"})
    assert settings.password == "123456" and settings.tls == "off" and settings.port == 25
    assert "123456" not in settings.describe()


def test_links_are_derived_tokens_not_stored_ones():
    links = Links(SITE, "geheim")
    assert links.token("reset", "zout") == Links(SITE, "geheim").token("reset", "zout")
    assert links.token("reset", "zout") != Links(SITE, "anders").token("reset", "zout")


def test_a_serving_process_sends_due_mail_by_itself_every_poll(tmp_path, smtp, monkeypatch):
    from kb import mail_sender

    monkeypatch.setattr(mail_sender, "POLL_SECONDS", 0.2)
    serving = _make_app(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_TLS="off",
                        MAIL_FROM="kennisbank@expex.test", SITE_URL=SITE, SERVER_NAME=None)
    queue(serving, "cron-loos@example.org")  # no request wakes the sender
    assert [m["To"] for m in smtp.inbox.wait_for(1)] == ["cron-loos@example.org"]
    serving.extensions["kb.mail_sender"].stop()
    serving.extensions["kb.engine"].dispose()
