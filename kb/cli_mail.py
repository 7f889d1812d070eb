"""``kb mail send`` (for cron) and ``kb mail test ADDRESS``: thin commands over kb.outbox."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from kb import outbox
from kb.db import engine
from kb.mail import DeliveryError, deliver, test_message
from kb.web.alerts import make_due_digests
from kb.web.mail import links, settings

mail_cli = AppGroup("mail", help="Send the mail that is due, or check the mail settings.")


def _settings():
    found = settings()
    if not found.enabled:
        raise click.ClickException(found.describe())
    return found


@mail_cli.command("send")
def send_command() -> None:
    """Make the reader alerts that are due, then send every queued mail that is due; exit 1
    when the server did not take some."""
    settings = _settings()
    digests = make_due_digests()
    report = outbox.send_due(engine(), settings, links())
    click.echo(f"Alerts: {digests} digests queued. Mail: {report.describe()}.")
    if report.retried:
        raise SystemExit(1)


@mail_cli.command("test")
@click.argument("address")
def test_command(address: str) -> None:
    """Send a test message to ADDRESS straight away (not through the outbox)."""
    settings = _settings()
    if "@" not in address:
        raise click.ClickException(f"{address!r} is not an e-mail address.")
    try:
        deliver(settings, test_message(settings, address, links().site_url))
    except DeliveryError as error:
        raise click.ClickException(f"the mail server did not take the message: {error}") \
            from error
    click.echo(f"Sent a test message to {address} through {settings.host}:{settings.port} "
               f"({settings.tls}). {current_app.config.get('SITE_URL') or ''}".rstrip())
