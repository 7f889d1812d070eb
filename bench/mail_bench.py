"""Mail: how fast the outbox sends to a local SMTP server (aiosmtpd, in this process), and how
long making the reader alerts' digests takes with many subscriptions. Measures and prints; it
never asserts.

    .venv/bin/python -m bench.mail_bench --mails 500 --subscriptions 1000 --advice 100
    scripts/with-postgres.sh sh -c \
        '.venv/bin/python -m bench.mail_bench --url "$KB_TEST_DATABASE_URL"'
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import time
from datetime import date
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from app import create_app
from kb import alerts, outbox, tokens
from kb.advice import AdviceContent, save_advice
from kb.db import session_scope
from kb.models import AlertSubscriber, AlertSubscription, utcnow


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=500)
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--advice", type=int, default=100)
    parser.add_argument("--url", default="", help="an empty database (default: new SQLite)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="kb-mail-bench-"))
    url = args.url or f"sqlite:///{folder / 'bench.db'}"
    if args.url:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    app = create_app({"INSTANCE_PATH": folder, "DATABASE_URL": url, "LOAD_DEMO": False,
                      "INDEX_DIR": str(folder / "index"), "SMTP_HOST": "127.0.0.1",
                      "SMTP_PORT": port, "SMTP_TLS": "off", "MAIL_FROM": "bench@expex.test",
                      "SITE_URL": "https://kennisbank.test"})
    app.extensions.pop("kb.mail_sender").stop()
    from kb.web.mail import links

    print(f"database: {'PostgreSQL' if args.url else 'SQLite'}")
    with app.app_context():
        with session_scope() as session:
            for n in range(args.mails):
                outbox.enqueue(session, "test", f"lezer{n}@example.org", {"address": "x"})
        began = time.perf_counter()
        report = outbox.send_due(app.extensions["kb.engine"], app.extensions["kb.mail"], links())
        took = time.perf_counter() - began
        print(f"send_due: {report.sent} mails in {took:.2f} s "
              f"({report.sent / took:.0f} mails/s, one SMTP connection per mail)")

        with session_scope() as session:
            secret = app.config["SECRET_KEY"]
            for n in range(args.subscriptions):
                salt = tokens.new_salt()
                subscriber = AlertSubscriber(email=f"abonnee{n}@example.org", salt=salt,
                                             manage_hash=tokens.derived_hash(secret, "m", salt))
                session.add(subscriber)
                session.flush()
                session.add(AlertSubscription(
                    subscriber_id=subscriber.id, kind="theme",
                    criteria={"theme": ("pleegzorg", "onderwijs")[n % 2]},
                    frequency="immediately", salt=salt,
                    confirm_hash=tokens.derived_hash(secret, "c", salt),
                    unsubscribe_hash=tokens.derived_hash(secret, "u", salt),
                    confirmed_at=utcnow(), last_digest_at=utcnow()))
        with session_scope() as session:
            for n in range(args.advice):
                save_advice(session, None, AdviceContent(
                    title=f"Benchadvies {n}", summary="Een korte samenvatting.",
                    body="## Wat we zien\n\nTekst.\n", themes=("pleegzorg",),
                    slug=f"benchadvies-{n}", authors=("Bench",), region=None,
                    audience=("gemeenten",), published=date.today()), status="published")
        with session_scope() as session:
            began = time.perf_counter()
            queued = alerts.make_digests(session, lambda q, f: set())
            took = time.perf_counter() - began
        print(f"make_digests: {queued} digests of {args.advice} changed advice for "
              f"{args.subscriptions} subscriptions in {took:.2f} s")
    controller.stop()
    app.extensions["kb.engine"].dispose()


if __name__ == "__main__":
    main()
