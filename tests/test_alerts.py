"""Alerts for readers: subscribe to a theme, an audience or a search with double opt-in, get
digests of new and changed advice at a real SMTP server, unsubscribe in one click (RFC 8058),
manage or end everything from a link, and leave no address behind."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from kb import alerts, outbox
from kb.db import session_scope
from kb.models import AlertSubscriber, AlertSubscription, OutboxMail, utcnow
from tests.mail_helpers import *  # noqa: F403
from tests.mail_helpers import SITE, html_of, text_of


@pytest.fixture
def app(mail_app):
    # Sent by hand below, to count; kept aside for the test of the background sender.
    mail_app.extensions["kb.test_sender"] = mail_app.extensions.pop("kb.mail_sender")
    return mail_app


def send(app, now=None):
    from kb.web.alerts import make_due_digests
    from kb.web.mail import links

    with app.app_context():
        if now is None:
            make_due_digests()
        else:
            with session_scope() as session:
                alerts.make_digests(session, lambda q, f: set(), now=now)
        return outbox.send_due(app.extensions["kb.engine"], app.extensions["kb.mail"], links())


def link(message, path: str) -> str:
    match = re.search(rf"{re.escape(SITE)}(/attenderingen/{path}/\S+)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


def subscribe(post, email="beleid@gemeente.example", frequency="immediately", **what):
    return post("/attenderingen", {"email": email, "frequency": frequency, **what})


def confirm(app, smtp, client, post, email="beleid@gemeente.example"):
    send(app)
    message = smtp.inbox.to(email)[-1]
    path = link(message, "bevestigen")
    page = client.get(path)
    assert page.status_code == 200 and "bevestig" in page.get_data(as_text=True).lower()
    assert post(path).status_code == 200
    return message


def subscribers(app) -> list[AlertSubscriber]:
    with app.app_context(), session_scope() as session:
        return list(session.exec(select(AlertSubscriber)).all())


def test_a_reader_subscribes_to_a_theme_confirms_and_gets_the_digest_of_a_publication(
        app, smtp, client, post, make_advice):
    make_advice(themes=("pleegzorg",), title="Oud advies")  # before: never in a digest
    page = client.get("/thema/pleegzorg").get_data(as_text=True)
    assert 'href="/attenderingen?thema=pleegzorg"' in page
    form = client.get("/attenderingen?thema=pleegzorg")
    assert form.status_code == 200 and "Pleegzorg" in form.get_data(as_text=True)
    done = subscribe(post, thema="pleegzorg")
    assert done.status_code == 200 and "Kijk in je e-mail" in done.get_data(as_text=True)
    send(app)
    (confirmation,) = smtp.inbox.messages
    assert confirmation["Subject"] == "Bevestig je aanmelding bij de ExpEx Kennisbank"
    assert confirmation["List-Unsubscribe"].startswith(f"<{SITE}/attenderingen/afmelden/")
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Nothing but the confirmation before it is confirmed.
    make_advice(themes=("pleegzorg",), title="Voor de bevestiging")
    send(app)
    assert len(smtp.inbox.messages) == 1
    path = link(confirmation, "bevestigen")
    assert client.get(path).status_code == 200  # a mail scanner opening the link: no change
    with app.app_context(), session_scope() as session:
        assert session.exec(select(AlertSubscription)).one().confirmed_at is None
    assert post(path).status_code == 200
    send(app)
    assert len(smtp.inbox.messages) == 1, "nothing new since the confirmation: no mail"

    make_advice(themes=("pleegzorg", "onderwijs"), title="Vraag pleegkinderen zelf",
                summary="Wie beslist, vraagt het eerst aan het kind.")
    make_advice(themes=("onderwijs",), title="Niet over pleegzorg")
    send(app)
    digest = smtp.inbox.messages[-1]
    assert len(smtp.inbox.messages) == 2
    assert digest["Subject"] == "ExpEx Kennisbank: nieuwe adviezen over het thema Pleegzorg"
    text = text_of(digest)
    assert "Vraag pleegkinderen zelf" in text and "Wie beslist, vraagt het eerst" in text
    assert "Niet over pleegzorg" not in text and "Oud advies" not in text
    assert re.search(rf"{re.escape(SITE)}/advies/\d+/testadvies-\d+\s", text)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/attenderingen/beheren/" in text
    assert "<img" not in html_of(digest)
    send(app)
    assert len(smtp.inbox.messages) == 2, "the same advice is never mailed twice"


def test_one_click_unsubscribe_works_without_a_cookie_and_forgets_the_address(
        app, smtp, client, post):
    subscribe(post, thema="pleegzorg")
    confirmation = confirm(app, smtp, client, post)
    url = confirmation["List-Unsubscribe"].strip("<>")
    mail_client = app.test_client()  # a mail program: no cookie, no form token
    response = mail_client.post(url.replace(SITE, ""), data="List-Unsubscribe=One-Click",
                                content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert subscribers(app) == []
    # Other forms still need their token.
    assert mail_client.post("/attenderingen", data={"email": "x@example.org",
                                                    "thema": "pleegzorg"}).status_code == 400


def test_the_manage_page_lists_and_ends_all_subscriptions(app, smtp, client, post):
    subscribe(post, thema="pleegzorg")
    subscribe(post, doelgroep="gemeenten", frequency="weekly")
    subscribe(post, q="pleegouders", frequency="daily")
    send(app)
    assert len(smtp.inbox.messages) == 3
    path = link(smtp.inbox.messages[0], "beheren")
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert "beleid@gemeente.example" in text
    assert "pleegouders" in text and "gemeenten" in text and text.count("nog niet bevestigd") == 3
    stop_all = re.search(r'action="([^"]+/alles-stoppen)"', text).group(1)
    assert post(stop_all).status_code == 200
    assert subscribers(app) == []
    assert client.get(path).status_code == 404


def test_a_digest_holds_new_and_changed_advice_and_nothing_when_nothing(app, smtp, client,
                                                                       post, make_advice):
    subscribe(post, doelgroep="rechtspraak")
    confirm(app, smtp, client, post)
    count = len(smtp.inbox.messages)
    make_advice(audience=("gemeenten",), title="Voor gemeenten")
    send(app)
    assert len(smtp.inbox.messages) == count, "nothing for this audience: no mail"
    advice = make_advice(audience=("rechtspraak",),
                         title="Luister naar de jongere in de rechtszaal")
    send(app)
    assert "Luister naar de jongere" in text_of(smtp.inbox.messages[-1])
    # An editor changes it: a new revision is mailed once more, as changed.
    from kb.advice import content_of, save_advice
    from kb.models import Advice
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        from dataclasses import replace
        save_advice(session, item, replace(content_of(item), summary="Nu korter gezegd."),
                    status=item.status, note="korter")
    send(app)
    assert "Nu korter gezegd." in text_of(smtp.inbox.messages[-1])
    assert len(smtp.inbox.messages) == count + 2


def test_a_weekly_digest_waits_a_week(app, smtp, client, post, make_advice):
    subscribe(post, thema="pleegzorg", frequency="weekly")
    confirm(app, smtp, client, post)
    count = len(smtp.inbox.messages)
    make_advice(themes=("pleegzorg",), title="Een week later te lezen")
    send(app)
    assert len(smtp.inbox.messages) == count
    send(app, now=utcnow() + timedelta(days=7))
    assert "Een week later te lezen" in text_of(smtp.inbox.messages[-1])


def test_a_search_alert_mails_what_the_search_finds(app, smtp, client, post, make_advice):
    page = client.get("/zoeken?q=pleegzorg").get_data(as_text=True)  # empty index: no link
    assert "E-mail bij nieuwe adviezen" not in page or "/attenderingen?" in page
    subscribe(post, q="rechtszaal")
    confirm(app, smtp, client, post)
    count = len(smtp.inbox.messages)
    make_advice(title="Spreek de jongere in de rechtszaal aan",
                body="## Wat we zien\n\nIn de rechtszaal praat niemand met ons.\n")
    make_advice(title="Iets over school", body="## Wat we zien\n\nDe school luistert niet.\n")
    send(app)
    assert len(smtp.inbox.messages) == count + 1
    text = text_of(smtp.inbox.messages[-1])
    assert "rechtszaal" in text and "Iets over school" not in text


def test_unconfirmed_subscriptions_and_their_addresses_go_after_seven_days(app, smtp, post):
    subscribe(post, thema="pleegzorg")
    with app.app_context(), session_scope() as session:
        assert alerts.purge(session, now=utcnow() + timedelta(days=6)) == 0
    assert len(subscribers(app)) == 1
    with app.app_context(), session_scope() as session:
        assert alerts.purge(session, now=utcnow() + timedelta(days=7, minutes=1)) == 1
    assert subscribers(app) == []


def test_subscribing_is_rate_limited_per_address_and_per_visitor(app, smtp, post, client):
    for _n in range(5):
        assert subscribe(post, email="veel@example.org", thema="pleegzorg").status_code == 200
    assert subscribe(post, email="veel@example.org", thema="pleegzorg").status_code == 429
    other = app.test_client()
    with other.session_transaction() as sess:
        sess["csrf_token"] = "t"
    refused = other.post("/attenderingen", data={"csrf_token": "t", "email": "ander@example.org",
                                                 "thema": "pleegzorg",
                                                 "frequency": "daily"},
                         environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert refused.status_code == 429  # the same visitor address


def test_a_bad_address_or_unknown_theme_is_refused_with_the_form_kept(app, post):
    bad = subscribe(post, email="geen-adres", thema="pleegzorg")
    assert bad.status_code == 400 and "Dit lijkt geen e-mailadres" in bad.get_data(as_text=True)
    assert 'value="geen-adres"' in bad.get_data(as_text=True)
    assert subscribe(post, thema="bestaat-niet").status_code == 400
    with app.app_context(), session_scope() as session:
        assert session.exec(select(OutboxMail)).all() == []


def test_no_subscriber_is_listed_anywhere_public(app, smtp, client, post, make_advice):
    subscribe(post, email="geheim@example.org", thema="pleegzorg")
    for url in ("/", "/thema/pleegzorg", "/themas", "/api/", "/feed.xml", "/zoeken?q=geheim",
                "/attenderingen?thema=pleegzorg"):
        assert "geheim@example.org" not in client.get(url).get_data(as_text=True), url


def test_the_background_sender_makes_and_sends_an_immediate_digest_by_itself(
        app, smtp, client, post, make_advice):
    subscribe(post, thema="pleegzorg")
    confirm(app, smtp, client, post)
    count = len(smtp.inbox.messages)
    make_advice(themes=("pleegzorg",), title="Zonder cron verstuurd")
    app.extensions["kb.test_sender"].wake()  # what a request that queued mail does
    messages = smtp.inbox.wait_for(count + 1)
    assert "Zonder cron verstuurd" in text_of(messages[-1])


def test_two_processes_making_digests_at_once_queue_each_digest_once(app, smtp, client, post,
                                                                     make_advice):
    import threading

    subscribe(post, thema="pleegzorg")
    confirm(app, smtp, client, post)
    make_advice(themes=("pleegzorg",), title="Eén keer graag")
    barrier = threading.Barrier(2)
    errors = []

    def digest():
        try:
            with app.app_context():
                barrier.wait()
                with session_scope() as session:
                    alerts.make_digests(session, lambda q, f: set())
        except Exception as error:  # noqa: BLE001 - SQLite may say "locked": that is no duplicate
            errors.append(error)

    threads = [threading.Thread(target=digest) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with app.app_context(), session_scope() as session:
        digests = session.exec(select(OutboxMail).where(OutboxMail.kind == "alert_digest")).all()
    assert len(digests) == 1, errors


def test_a_search_alert_keeps_every_value_of_a_filter(app, smtp, client, post, make_advice):
    """Filters take several values (issue 11): ``theme=a&theme=b`` is kept whole, and the
    digest holds what that search finds (either theme), not only the first value's."""
    form = client.get("/attenderingen?q=luisteren&theme=pleegzorg&theme=onderwijs")
    assert form.get_data(as_text=True).count('type="hidden" name="theme"') == 2
    subscribe(post, q="luisteren", theme=["pleegzorg", "onderwijs"])
    with app.app_context(), session_scope() as session:
        stored = session.exec(select(AlertSubscription)).one().criteria
    assert stored == {"q": "luisteren", "filters": {"theme": ["onderwijs", "pleegzorg"]}}
    confirm(app, smtp, client, post)
    count = len(smtp.inbox.messages)
    body = "## Wat we zien\n\nNiemand blijft luisteren naar ons.\n"
    make_advice(themes=("pleegzorg",), title="Luisteren in het pleeggezin", body=body)
    make_advice(themes=("onderwijs",), title="Luisteren op school", body=body)
    make_advice(themes=("wonen",), title="Luisteren bij het wonen", body=body)
    send(app)
    assert len(smtp.inbox.messages) == count + 1
    text = text_of(smtp.inbox.messages[-1])
    assert "Luisteren in het pleeggezin" in text and "Luisteren op school" in text
    assert "Luisteren bij het wonen" not in text
