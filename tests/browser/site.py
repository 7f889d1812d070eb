"""The site the browser suite visits: a throwaway instance, seeded, served by a real gunicorn.

The instance holds the demo content plus what every logged-in page needs to show itself with
content rather than empty: a writer with drafts, a submitted advice, one sent back and one
resubmitted (so the review shows a diff), a withdrawn advice (the 410 tombstone), an editor, an
admin, an invite, a password-reset link, a reader's alert, a writer under 16 waiting for consent,
a writer group and queued mail. It is seeded in this process through the domain functions, then
served by gunicorn (one worker, four threads) on a free loopback port, configured only through
the environment as in production.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlmodel import select

from app import create_app
from kb import alerts, consent, groups, invites, password_reset, search, tokens, workflow
from kb.accounts import create_account
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Advice, AlertSubscriber, User
from tests.conftest import POSTGRES_URL, TEST_SCRYPT_N

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "een lang wachtwoord 123"
SECRET_KEY = "browser-suite-" + "s" * 40
START_SECONDS = 60
#: Advice for the publish race: one per width and language, and spares for a rerun.
RACES = 8

#: The accounts the suite logs in with (login name → role and public name).
ACCOUNTS = {
    "schrijver": ("contributor", "Sam"),
    "redacteur": ("editor", "Eva"),
    "beheerder": ("admin", "Beheer"),
    "jonge-schrijver": ("contributor", "Noor"),
}

#: A complete advice as a writer would write it (original text for these tests).
FORM = {
    "title": "Vraag jongeren wat ze nodig hebben bij een verhuizing",
    "summary": "Een verhuizing naar een nieuwe groep is groot. Praat er vooraf over.",
    "themes": ["pleegzorg", "participatie"],
    "region": "utrecht",
    "audience": ["gemeenten", "jeugdhulpaanbieders"],
    "display_name": "Sam",
    "body": "## Wat we zien\n\nJongeren horen vaak pas op de dag zelf dat ze verhuizen.\n\n"
            "## Wat we adviseren\n\nVertel het ruim van tevoren en vraag wat ze willen meenemen."
            "\n\n## Waarom\n\nZo houden ze grip op hun eigen leven.\n",
}


@dataclass
class Site:
    """The running site and what the seeding made: ids and one-time tokens, by name."""

    url: str
    folder: Path
    database_url: str
    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    pools: dict[str, list] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    def take(self, pool: str):
        """An advice or token for a test that uses it up: never the same one twice."""
        assert self.pools.get(pool), f"the seeded pool {pool!r} is used up"
        return self.pools[pool].pop()

    def log(self) -> str:
        path = self.folder / "gunicorn.log"
        return path.read_text(errors="replace") if path.exists() else ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(folder: Path) -> str:
    """SQLite in the folder, or (when the suite runs on PostgreSQL) a database of its own beside
    the worker's test database, emptied: other tests reset theirs while this server runs."""
    if not POSTGRES_URL:
        return f"sqlite:///{folder / 'site.db'}"
    base = make_url(POSTGRES_URL)
    name = f"{base.database}_browser"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)).first():
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return url


def environment(folder: Path, url: str, port: int, db_url: str) -> dict[str, str]:
    """The server's settings; mail goes to a closed loopback port, so it queues and retries."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update({
        "KB_INSTANCE_PATH": str(folder / "instance"),
        "KB_DATABASE_URL": db_url,
        "KB_INDEX_DIR": str(folder / "index"),
        "KB_LOAD_DEMO": "1",
        "KB_SECRET_KEY": SECRET_KEY,
        "KB_SITE_URL": url,
        "KB_SMTP_HOST": "127.0.0.1",
        "KB_SMTP_PORT": str(free_port()),
        "KB_SMTP_TLS": "off",
        "KB_MAIL_FROM": "kennisbank@example.org",
        "KB_BIND": f"127.0.0.1:{port}",
        # Every test comes from 127.0.0.1: the unknown invite and reset links the suite visits
        # count as failures and must not lock its own logins out.
        "KB_LOGIN_LIMIT": "1000",
        "WEB_CONCURRENCY": "1",
        "PYTHONPATH": str(ROOT),
    })
    return env


def seed(env: dict[str, str]) -> tuple[dict[str, int], dict[str, str]]:
    """Make the instance (demo content, by the normal first start) and everything the logged-in
    pages show; returns the ids and tokens the tests visit."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update({k: v for k, v in env.items() if k.startswith("KB_")})
    try:
        app = create_app()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    ids: dict[str, int] = {}
    found: dict[str, str] = {}
    try:
        with app.app_context():
            _seed(app, ids, found)
    finally:
        app.extensions["kb.engine"].dispose()
    return ids, found


def _seed(app, ids: dict[str, int], found: dict[str, str]) -> None:
    with session_scope() as session:
        demo = session.exec(select(Advice).order_by(Advice.id)).first()
        ids["demo"], found["demo_slug"] = demo.id, demo.slug
        for login, (role, name) in ACCOUNTS.items():
            create_account(session, login=login, password=PASSWORD, display_name=name,
                           role=role, email=f"{login}@example.org", cost=TEST_SCRYPT_N)
    with session_scope() as session:
        users = {u.login: u for u in session.exec(select(User)).all()}
        consent.mark_under_16(session, users["jonge-schrijver"])
        group = groups.create_group(session, users["redacteur"], "Jongerenraad Utrecht")
        groups.add_member(session, users["redacteur"], group, "schrijver")
        _, found["invite"] = invites.create_invite(session, users["beheerder"], "contributor",
                                                   note="Voor de nieuwe schrijver")
        found["reset"] = password_reset.make_link(session, users["redacteur"],
                                                  users["schrijver"])
        subscription = alerts.subscribe(session, "lezer@example.org", "theme",
                                        {"theme": "pleegzorg"}, "weekly", app.secret_key)
        session.flush()
        subscriber = session.get(AlertSubscriber, subscription.subscriber_id)
        found["alert_confirm"] = tokens.derive(app.secret_key, "confirm", subscription.salt)
        found["alert_unsubscribe"] = tokens.derive(app.secret_key, "unsubscribe",
                                                   subscription.salt)
        found["alert_manage"] = tokens.derive(app.secret_key, "manage", subscriber.salt)
        for n in range(RACES):  # invites and one-click unsubscribes are used up
            _, found[f"invite-{n}"] = invites.create_invite(session, users["beheerder"],
                                                            "contributor")
            extra = alerts.subscribe(session, f"lezer{n}@example.org", "theme",
                                     {"theme": "pleegzorg"}, "weekly", app.secret_key)
            found[f"unsubscribe-{n}"] = tokens.derive(app.secret_key, "unsubscribe", extra.salt)

    def advice(name: str, steps: tuple[str, ...], **overrides) -> None:
        with session_scope() as session:
            writer = session.exec(select(User).where(User.login == "schrijver")).one()
            item = workflow.create_draft(session, writer, AdviceForm(**{**FORM, **overrides}))
            ids[name] = item.id
        for step in steps:
            with session_scope() as session:
                users = {u.login: u for u in session.exec(select(User)).all()}
                item = session.get(Advice, ids[name])
                writer, editor = users["schrijver"], users["redacteur"]
                if step == "submit":
                    workflow.submit(session, writer, item, item.revision)
                elif step == "changes":
                    workflow.request_changes(session, editor, item,
                                             "Kun je een voorbeeld geven?")
                elif step == "rewrite":
                    form = AdviceForm(**{**FORM, **overrides, "summary":
                                         "Een verhuizing is groot. Praat er ruim vooraf over."})
                    workflow.save_draft(session, writer, item, form, item.revision)
                elif step == "publish":
                    workflow.publish(session, editor, item, item.revision)
                elif step == "withdraw":
                    workflow.withdraw(session, editor, item, "Dit advies is verouderd.")
        with session_scope() as session:
            search.catch_up(session, wait=True)

    advice("draft", (), title="Een concept over de eerste dag op de groep")
    advice("submitted", ("submit",), title="Laat jongeren meepraten over hun eigen plan")
    advice("with_writer", ("submit", "changes"), title="Geef jongeren een vaste contactpersoon")
    advice("resubmitted", ("submit", "changes", "rewrite", "submit"),
           title="Vertel een verhuizing ruim van tevoren")
    advice("published", ("submit", "publish"), title="Neem de tijd voor een kennismaking")
    advice("withdrawn", ("submit", "publish", "withdraw"),
           title="Een oud advies over de wachtlijst")
    # The keyboard walks each get an advice of their own, so they never depend on the order of
    # the tests: one to review and publish, one to conflict over.
    advice("to_publish", ("submit",), title="Zorg voor een warme overdracht bij 18 jaar")
    advice("to_publish_nojs", ("submit",), title="Houd de hulp vast tot het nieuwe plan er is")
    advice("conflict", (), title="Een concept waar twee tabbladen aan werken")
    # Pages that use an advice up (a publish race) take one each from a pool.
    for n in range(RACES):
        advice(f"race-{n}", ("submit",), title=f"Twee redacteuren tegelijk ({n + 1})")


def start(folder: Path) -> Site:
    """Seed a new instance in ``folder`` and serve it; the caller stops it with :func:`stop`."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    db_url = database_url(folder)
    env = environment(folder, url, port, db_url)
    ids, found = seed(env)
    site = Site(url=url, folder=folder, database_url=db_url, ids=ids, tokens=found,
                pools={"race": [ids.pop(f"race-{n}") for n in range(RACES)],
                       "unsubscribe": [found.pop(f"unsubscribe-{n}") for n in range(RACES)],
                       "invite": [found.pop(f"invite-{n}") for n in range(RACES)]})
    with open(folder / "gunicorn.log", "wb") as log:
        # Its own session: the server is stopped by its process group, never by name.
        site.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
             "--threads", "4", "app:create_app()"],
            cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if site.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {site.process.returncode}:\n{site.log()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return site
        except OSError:
            pass
        time.sleep(0.2)
    stop(site)
    raise RuntimeError(f"gunicorn did not get ready in {START_SECONDS} s:\n{site.log()}")


def stop(site: Site) -> None:
    """SIGTERM to the server's process group; SIGKILL if it does not go."""
    process = site.process
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
