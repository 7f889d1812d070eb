"""The account, administration, alert and notification pages in English (issue 15).

Each page is rendered as a visitor with ``kb_lang=en`` sees it: no Dutch UI text may be left
(``tests.english_pages.dutch_left``; content such as advice titles, theme names and the editors'
messages carries ``lang="nl"`` and is skipped), and what the page says after a step (an error,
"saved", "too many attempts") is English. The Dutch pages are covered, unchanged, by the tests
of each area (test_accounts.py, test_admin.py, test_alerts.py, …).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from kb import audit, outbox
from kb.db import session_scope
from kb.models import (
    MailStatus,
    Notification,
    OutboxMail,
    Role,
    User,
    utcnow,
)
from tests.account_helpers import log_in
from tests.conftest import TEST_PASSWORD, _make_app
from tests.english_pages import dutch_left
from tests.mail_helpers import SITE, smtp, text_of  # noqa: F401  (smtp: a fixture)


@pytest.fixture
def app(tmp_path, smtp):  # noqa: F811
    """An app that can send mail (to the test's SMTP server), so every page shows its mail
    parts; mail is sent by hand below, never in the background."""
    application = _make_app(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port,
                            SMTP_TLS="off", MAIL_FROM="kennisbank@expex.test", SITE_URL=SITE)
    application.extensions.pop("kb.mail_sender").stop()
    yield application
    application.extensions["kb.engine"].dispose()


@pytest.fixture
def en(client):
    """The client as a visitor who chose English (the switch's cookie)."""
    client.set_cookie("kb_lang", "en", domain="kennisbank.test")
    return client


#: Words of ``tests.english_pages.DUTCH_WORDS`` that are English words too, so they cannot show
#: that Dutch was left: "account" is what English calls an account (base.html's own "My account").
ENGLISH_TOO = {"account"}


def english(response, status: int = 200) -> str:
    """The page's HTML, after checking it is an English page with no Dutch UI text left."""
    html = response.get_data(as_text=True)
    assert response.status_code == status, html[:2000]
    assert '<html lang="en">' in html
    assert response.headers["Content-Language"] == "en"
    left = [word for word in dutch_left(html) if word.lower() not in ENGLISH_TOO]
    assert left == [], left
    return html


def send(app):
    from kb.web.mail import links

    with app.app_context():
        return outbox.send_due(app.extensions["kb.engine"], app.extensions["kb.mail"], links())


def mailed_path(smtp, address: str, path: str) -> str:  # noqa: F811
    message = smtp.inbox.to(address)[-1]
    match = re.search(rf"{re.escape(SITE)}(/{path}/\S+)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


# ------------------------------------------------------------------ logging in


def test_the_login_page_and_its_failures_are_english(en, post, make_user):
    make_user(login="eva")
    html = english(en.get("/inloggen"))
    assert "For writers and the ExpEx editors." in html and ">Log in</button>" in html

    wrong = english(log_in(post, "eva", "verkeerd verkeerd"), 400)
    assert "Logging in did not work" in wrong
    assert "The username or password is wrong." in wrong

    empty = english(log_in(post, "", ""), 400)
    assert "Fill in your username." in empty and "Fill in your password." in empty
    assert "Error:" in empty


def test_too_many_attempts_is_said_in_english(en, post, make_user):
    make_user(login="eva")
    for _ in range(5):
        log_in(post, "eva", "fout fout fout")
    html = english(log_in(post, "eva"), 429)
    assert "Too many attempts. Try again in 15 minutes." in html


def test_an_expired_login_carries_the_text_with_an_english_notice(app, en, make_user):
    make_user(login="sam")
    response = en.post("/schrijven", data={"title": "Luister naar ons", "body": "Een tekst.",
                                          "action": "save", "csrf_token": "verlopen"})
    html = english(response, 401)
    assert "You are no longer logged in. Your text is not lost." in html
    assert 'name="bewaard:title" value="Luister naar ons"' in html


# ------------------------------------------------------------------ joining by invite


def test_the_invite_page_asks_the_under_16_question_in_english(app, en, post, make_invite):
    token = make_invite(Role.CONTRIBUTOR)
    html = english(en.get(f"/uitnodiging/{token}"))
    assert "You have been invited as writer." in html
    assert "I am under 16" in html and "permission from your parent or guardian" in html

    refused = english(post(f"/uitnodiging/{token}", {"login": "A B", "password": "kort",
                                                    "password_repeat": "anders",
                                                    "name_choice": "own",
                                                    "display_name": ""}), 400)
    assert "Your account has not been created yet" in refused
    assert "A username has 3 to 40 characters" in refused
    assert "Your password is too short. Use at least 10 characters." in refused


@pytest.mark.parametrize("problem, status, words", [
    ("unknown", 404, "We do not know this invitation"),
    ("used", 409, "This invitation has already been used"),
    ("expired", 410, "This invitation has expired"),
    ("revoked", 410, "This invitation has been revoked"),
])
def test_an_unusable_invite_is_explained_in_english(app, en, make_invite, make_user, problem,
                                                    status, words):
    fields = {"used": {"used_at": utcnow()},
              "expired": {"expires_at": utcnow() - timedelta(days=1)},
              "revoked": {"revoked_at": utcnow()}}.get(problem, {})
    token = make_invite(Role.CONTRIBUTOR, **fields) if problem != "unknown" else "onbekend"
    html = english(en.get(f"/uitnodiging/{token}"), status)
    assert words in html


# ------------------------------------------------------------------ my account


def test_my_account_and_its_saved_notices_are_english(app, en, post, login_as):
    login_as(Role.CONTRIBUTOR, email="sam@example.org")
    html = english(en.get("/account"))
    assert "Names you write under" in html and "Notifications by e-mail" in html
    assert "Download all your data" in html

    added = en.get(post("/account/namen", {"display_name": "Zonnebloem"}).headers["Location"])
    assert "Your names have been saved." in english(added)
    refused = english(post("/account/namen", {"display_name": "sam@example.org"}), 400)
    assert "A writer&#39;s name cannot be an e-mail address" in refused or \
        "A writer's name cannot be an e-mail address" in refused
    wrong = english(post("/account/wachtwoord", {"old_password": "niet goed genoeg",
                                                 "new_password": "een nieuw wachtwoord",
                                                 "new_password_repeat": "een nieuw wachtwoord"}),
                    400)
    assert "Your current password is wrong." in wrong
    chosen = en.get(post("/account/meldingen", {"kind": ["published"]}).headers["Location"])
    assert "Your choice of e-mails has been saved." in english(chosen)


def test_deleting_an_account_is_explained_in_english(app, en, post, login_as, make_user):
    make_user(Role.ADMIN)  # so the writer is not the last admin of anything
    login_as(Role.CONTRIBUTOR)
    html = english(en.get("/account/verwijderen"))
    assert "First read what happens. Deleting cannot be undone." in html
    wrong = english(post("/account/verwijderen", {"password": "niet mijn wachtwoord"}), 400)
    assert "Your password is wrong. Your account has not been deleted." in wrong
    done = english(post("/account/verwijderen", {"password": TEST_PASSWORD}))
    assert "Your account has been deleted" in done


def test_the_only_admin_is_told_in_english_why_deleting_waits(en, login_as):
    login_as(Role.ADMIN)
    html = english(en.get("/account/verwijderen"))
    assert "You are the only administrator." in html


# ------------------------------------------------------------------ a forgotten password


def test_a_forgotten_password_in_english_from_request_to_new_password(app, smtp, en, post,  # noqa: F811
                                                                      make_user):
    make_user(login="sam", email="sam@example.org")
    html = english(en.get("/wachtwoord-vergeten"))
    assert "Forgotten your password?" in html
    missing = english(post("/wachtwoord-vergeten", {"name": ""}), 400)
    assert "Fill in your username or your e-mail address." in missing
    sent = english(post("/wachtwoord-vergeten", {"name": "sam"}))
    assert "Check your e-mail" in sent
    send(app)
    path = mailed_path(smtp, "sam@example.org", "wachtwoord-nieuw")
    form = english(en.get(path))
    assert "Choose a new password" in form
    short = english(post(path, {"new_password": "kort", "new_password_repeat": "kort"}), 400)
    assert "Your new password is too short." in short
    assert post(path, {"new_password": "een nieuw lang wachtwoord",
                       "new_password_repeat": "een nieuw lang wachtwoord"}).status_code == 303
    used = english(en.get(path), 409)
    assert "This link has already been used" in used
    unknown = english(en.get("/wachtwoord-nieuw/onbekend"), 404)
    assert "We do not know this link" in unknown


# ------------------------------------------------------------------ alerts


def test_alerts_from_subscribing_to_unsubscribing_are_english(app, smtp, en, post):  # noqa: F811
    html = english(en.get("/attenderingen?thema=pleegzorg"))
    assert "Get an e-mail about new advice on the theme" in html
    assert '<strong lang="nl">Pleegzorg</strong>' in html
    assert "How often do you want an e-mail?" in html and "Once a week" in html
    refused = english(post("/attenderingen", {"email": "not an address", "frequency": "weekly",
                                              "thema": "pleegzorg"}), 400)
    assert "This does not look like an e-mail address." in refused
    english(en.get("/attenderingen"))  # nothing to follow: says so

    done = english(post("/attenderingen", {"email": "lezer@example.org", "frequency": "weekly",
                                           "thema": "pleegzorg"}))
    assert "Check your e-mail" in done
    search = english(post("/attenderingen", {"email": "lezer@example.org",
                                             "frequency": "daily", "q": "pleegouders",
                                             "region": "utrecht"}))
    assert "Check your e-mail" in search
    send(app)
    confirm = mailed_path(smtp, "lezer@example.org", "attenderingen/bevestigen")
    asked = english(en.get(confirm))
    assert "Yes, confirm my sign-up" in asked
    confirmed = english(post(confirm))
    assert "You have signed up" in confirmed and "(every day)" in confirmed

    text = text_of(smtp.inbox.to("lezer@example.org")[-1])
    manage = re.search(rf"{re.escape(SITE)}(/attenderingen/beheren/\S+)", text)
    unsubscribe = re.search(rf"{re.escape(SITE)}(/attenderingen/afmelden/\S+)", text)
    assert manage and unsubscribe, text
    page = english(en.get(manage.group(1)))
    assert "Your e-mails about new advice" in page and "(not confirmed yet)" in page
    one = english(en.get(unsubscribe.group(1)))
    assert "Yes, unsubscribe me" in one
    gone = english(post(unsubscribe.group(1), {"List-Unsubscribe": "One-Click"}))
    assert "You have been unsubscribed" in gone
    stopped = english(post(manage.group(1) + "/alles-stoppen"))
    assert "We have deleted your e-mail address." in stopped
    problem = english(en.get(manage.group(1)), 404)
    assert "This sign-up no longer exists" in problem
    unknown = english(en.get("/attenderingen/bevestigen/onbekend"), 404)
    assert "We do not know this link" in unknown


# ------------------------------------------------------------------ notifications


def test_the_notifications_are_listed_in_english(app, en, post, login_as, make_advice):
    writer = login_as(Role.CONTRIBUTOR)
    advice = make_advice(title="Luister naar pleegkinderen")
    with app.app_context(), session_scope() as session:
        session.add(Notification(user_id=writer.id, kind="published", advice_id=advice.id,
                                 title=advice.title))
        session.add(Notification(user_id=writer.id, kind="changes_requested",
                                 advice_id=advice.id, title=advice.title,
                                 note="Maak de samenvatting korter."))
    html = english(en.get("/meldingen"))
    assert "You have 2 new notifications." in html
    assert "Your advice is online" in html and "Message from the editors" in html
    assert '<strong lang="nl">Luister naar pleegkinderen</strong>' in html
    after = en.get(post("/meldingen/gelezen").headers["Location"])
    assert "You have no new notifications." in english(after)
    assert "Notifications" in english(en.get("/meldingen?pagina=2"))


# ------------------------------------------------------------------ administration


def test_every_admin_page_is_english(app, en, post, login_as, make_user, make_invite):
    admin = login_as(Role.ADMIN)
    writer = make_user(Role.CONTRIBUTOR, login="schrijver1", display_names=["Sam"])
    make_invite(Role.EDITOR, note="groep Arnhem")
    make_invite(Role.CONTRIBUTOR, used_at=utcnow(), used_by_id=writer.id)
    make_invite(Role.CONTRIBUTOR, revoked_at=utcnow())

    assert "Invitations" in english(en.get("/beheer/"))
    invites = english(en.get("/beheer/uitnodigingen"))
    assert "New invitation" in invites and "until" in invites
    assert ">Used</span>" in invites and " by Sam</span>" in invites
    assert ">Revoked</span>" in invites
    made = english(post("/beheer/uitnodigingen", {"role": "contributor", "note": ""}), 201)
    assert "You only see this link once." in made
    too_long = english(post("/beheer/uitnodigingen", {"role": "contributor",
                                                      "note": "x" * 201}), 400)
    assert "The note is too long." in too_long

    accounts = english(en.get("/beheer/accounts"))
    assert "Switch off" in accounts and "(you)" in accounts
    own = english(post(f"/beheer/accounts/{admin.id}/uitzetten"), 403)
    assert "You cannot switch off your own account here" in own

    groups = english(en.get("/beheer/groepen"))
    assert "There are no groups yet." in groups
    en.get(post("/beheer/groepen", {"name": "ExpEx Gelderland"}).headers["Location"])
    taken = english(post("/beheer/groepen", {"name": "ExpEx Gelderland"}), 400)
    assert "There is already a group with this name." in taken
    assert "This group has no members yet." in taken

    consent = english(en.get("/beheer/toestemming"))
    assert "Nobody is waiting for permission." in consent

    mail = english(en.get("/beheer/mail"))
    assert "The knowledge base sends e-mail through" in mail

    link = english(en.get("/beheer/wachtwoordlink"))
    assert "Link for a new password" in link
    unknown = english(post("/beheer/wachtwoordlink", {"login": "niemand"}), 400)
    assert "There is no account with this username." in unknown
    link_made = english(post("/beheer/wachtwoordlink", {"login": writer.login}), 201)
    assert "Give this link to schrijver1." in link_made


def test_the_consent_list_and_its_done_notice_are_english(app, en, post, login_as, make_invite,
                                                          client):
    token = make_invite(Role.CONTRIBUTOR)
    joined = post(f"/uitnodiging/{token}", {"login": "jonge.schrijver", "password": TEST_PASSWORD,
                                            "password_repeat": TEST_PASSWORD,
                                            "name_choice": "anoniem", "under_16": "ja"})
    assert joined.status_code == 303
    login_as(Role.EDITOR)
    with client.application.app_context(), session_scope() as session:
        young = session.exec(select(User).where(User.login == "jonge.schrijver")).one()
    waiting = english(en.get("/beheer/toestemming"))
    assert "Permission has been given" in waiting and "account created" in waiting
    done = en.get(post(f"/beheer/toestemming/{young.id}").headers["Location"])
    assert "The permission has been recorded." in english(done)


def test_the_mail_page_lists_failed_mail_in_english(app, en, login_as):
    login_as(Role.ADMIN)
    with app.app_context(), session_scope() as session:
        session.add(OutboxMail(kind="alert_confirm", to_addr="lezer@example.org",
                               subject="Bevestig je aanmelding", status=MailStatus.FAILED,
                               attempts=3, last_error="550 no such mailbox",
                               expires_at=utcnow() + timedelta(days=1)))
        session.add(OutboxMail(kind="alert_confirm", to_addr="ander@example.org",
                               subject="Bevestig je aanmelding", status=MailStatus.QUEUED,
                               attempts=1, expires_at=utcnow() + timedelta(days=1)))
    html = english(en.get("/beheer/mail"))
    assert "Try again" in html and "failed" in html and "next attempt" in html
    assert '<td lang="nl">Bevestig je aanmelding</td>' in html
    assert "Failed (1)" in english(en.get("/beheer/mail?status=failed"))


def test_the_audit_log_with_its_filters_is_english(app, en, login_as, make_user, make_advice):
    admin = login_as(Role.ADMIN)
    someone = make_user(login="doener")
    advice = make_advice(title="Vraag het de jongeren zelf")
    with app.app_context(), session_scope() as session:
        actor = session.get(User, someone.id)
        for n in range(55):
            entry = audit.record(session, actor, "invite.create", invite_id=n)
            entry.created_at = utcnow() - timedelta(minutes=100 - n)
        audit.record(session, actor, "account.role", target_id=admin.id, old="contributor",
                     new="editor")
        audit.record(session, None, "publish", advice_id=advice.id, from_status="submitted",
                     to_status="published", revision=3)
        audit.record(session, actor, "request_changes", advice_id=advice.id,
                     note="Maak de titel korter.")
        audit.record(session, actor, "rename_slug", advice_id=advice.id, old_slug="oud-adres",
                     new_slug="nieuw-adres")
        audit.record(session, actor, "account.delete", anonymised=2, withdrawn=1)
        audit.record(session, actor, "redact", advice_id=advice.id, revisions=2)
        audit.record(session, actor, "group.create", group_id=4)
    html = english(en.get("/beheer/audit"))
    assert "62 entries, page 1 of 2" in html
    assert "role changed" in html and "from writer to editor" in html
    assert "system (command line)" in html and "from submitted to published" in html
    assert "now version 3" in html and "in 2 versions" in html
    assert 'message: <span lang="nl">Maak de titel korter.</span>' in html
    assert "web address changed from oud-adres to nieuw-adres" in html
    assert "2 made anonymous; 1 withdrawn" in html and "group no. 4" in html
    assert '<span lang="nl">Vraag het de jongeren zelf</span>' in html
    assert "Kind of action" in html and "Up to and including" in html
    assert "invitation no. 0<" in english(en.get("/beheer/audit?pagina=2"))
    filtered = english(en.get("/beheer/audit?actie=account.role"))
    assert "1 entry" in filtered and "invitation made</td>" not in filtered
    nobody = english(en.get("/beheer/audit?wie=niemand"))
    assert "There is no account with the username “niemand”." in nobody
    dated = english(en.get("/beheer/audit?van=2000-01-01&tot=2000-01-02"))
    assert "There is nothing in the audit log yet that matches this choice." in dated
