"""Text is never lost: a writing form refused for its form token or its login comes back with
everything typed (kb.web.kept_text); a conflict and a database fault keep it too."""

from __future__ import annotations

import html

import pytest
from sqlmodel import select

from kb.db import session_scope
from kb.models import Advice, KeptText, Revision
from tests.conftest import TEST_PASSWORD
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, S, hidden

#: A text worth keeping: what a writer would never want to type twice.
STORY = ("Ik woonde drie jaar in een leefgroep. Niemand vroeg wat ik wilde. "
         "Vraag jongeren zelf wat ze nodig hebben, en luister echt.")
TYPED = {**FORM, "title": "Luister voordat je beslist", "body": STORY}


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def advice_count(app) -> tuple[int, int]:
    with app.app_context(), session_scope() as session:
        return (len(session.exec(select(Advice)).all()),
                len(session.exec(select(Revision)).all()))


def log_in_by_form(client, login: str, password: str = TEST_PASSWORD, **extra):
    """Log in through the real login form (its own CSRF token), as a person would."""
    page = client.get("/inloggen").get_data(as_text=True)
    return client.post("/inloggen", data={"csrf_token": hidden(page, "csrf_token"),
                                          "login": login, "password": password, **extra})


def assert_form_kept(response, typed: dict) -> None:
    page = text_of(response)
    assert f'value="{typed["title"]}"' in page
    assert typed["body"] in page  # in the textarea
    main, *others = typed["themes"]
    assert f'<option value="{main}" selected>' in page  # the Hoofdthema
    for theme in others:
        assert f'value="{theme}" checked' in page


# --------------------------------------------------------------------------- a stale form token


def test_bewaar_als_concept_with_an_invalid_token_shows_the_form_with_the_text(app, client,
                                                                              people, log_in):
    """The finding: "Bewaar als concept" with a token that was no longer valid answered a
    generic 400 ("Misschien is de link niet helemaal goed overgenomen"); the text was gone."""
    log_in(people.writer)
    page = client.get("/schrijven").get_data(as_text=True)
    sent = {**TYPED, "form_id": hidden(page, "form_id"), "action": "save",
            "csrf_token": "een-oud-token"}
    before = advice_count(app)
    response = client.post("/schrijven", data=sent)
    assert response.status_code == 400
    text = text_of(response)
    assert "Misschien is de link niet helemaal goed overgenomen" not in text
    assert "Je tekst is nog niet bewaard, maar hij is niet weg." in text
    assert "Dit formulier was verlopen" in text
    assert_form_kept(response, TYPED)
    assert advice_count(app) == before  # refused: nothing stored

    # The page carries a valid token and the same one-time form id: pressing again saves it.
    again = client.post("/schrijven", data={**sent, "csrf_token": hidden(text, "csrf_token"),
                                            "form_id": hidden(text, "form_id")})
    assert again.status_code == 303
    with app.app_context(), session_scope() as session:
        body = session.exec(select(Advice.body).where(Advice.title == TYPED["title"])).one()
        assert body.strip() == STORY


@pytest.mark.parametrize("action", ["save", "submit"])
@pytest.mark.parametrize("token", [None, "een-oud-token"])
def test_a_draft_sent_with_a_missing_or_stale_token_comes_back_with_the_text(
        app, client, people, log_in, advice_by, action, token):
    advice = advice_by(S.DRAFT)
    log_in(people.writer)
    sent = {**TYPED, "revision": str(advice.revision), "action": action}
    if token:
        sent["csrf_token"] = token
    before = advice_count(app)
    response = client.post(f"/mijn-adviezen/{advice.id}", data=sent)
    assert response.status_code == 400
    assert "Dit formulier was verlopen" in text_of(response)
    assert_form_kept(response, TYPED)
    assert hidden(text_of(response), "revision") == str(advice.revision)
    assert advice_count(app) == before


def test_logged_out_and_in_again_in_another_tab_keeps_the_text(app, client, people, log_in,
                                                              advice_by):
    """The other half of the finding: the session changed under an open form."""
    advice = advice_by(S.DRAFT)
    assert log_in_by_form(client, "schrijverlogin").status_code == 303
    form_page = client.get(f"/mijn-adviezen/{advice.id}").get_data(as_text=True)
    old_token = hidden(form_page, "csrf_token")
    # In another tab: log out, and log in again (a new session with a new token).
    client.post("/uitloggen", data={"csrf_token": old_token})
    assert log_in_by_form(client, "schrijverlogin").status_code == 303
    response = client.post(f"/mijn-adviezen/{advice.id}",
                           data={**TYPED, "revision": hidden(form_page, "revision"),
                                 "action": "save", "csrf_token": old_token})
    assert response.status_code == 400
    assert_form_kept(response, TYPED)
    again = client.post(f"/mijn-adviezen/{advice.id}",
                        data={**TYPED, "revision": hidden(form_page, "revision"),
                              "action": "save",
                              "csrf_token": hidden(text_of(response), "csrf_token")})
    assert again.status_code == 303
    with app.app_context(), session_scope() as session:
        assert session.get(Advice, advice.id).body.strip() == STORY


def test_an_editors_edit_with_a_stale_token_comes_back_with_text_and_note(app, client, people,
                                                                         log_in, advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    response = client.post(f"/redactie/advies/{advice.id}/bewerken",
                           data={**TYPED, "revision": str(advice.revision), "action": "save",
                                 "note": "Naam van de leefgroep eruit.",
                                 "csrf_token": "een-oud-token"})
    assert response.status_code == 400
    assert_form_kept(response, TYPED)
    assert "Naam van de leefgroep eruit." in text_of(response)
    with app.app_context(), session_scope() as session:
        assert session.get(Advice, advice.id).revision == advice.revision


# --------------------------------------------------------------------------- an ended login


def test_an_expired_login_carries_the_text_through_a_new_login_back_to_the_form(app, client,
                                                                                people):
    """Cookies expired (a fresh client has none): the login page carries the text, a wrong
    password keeps carrying it, and after the login the form comes back with it."""
    before = advice_count(app)
    response = client.post("/schrijven", data={**TYPED, "action": "save",
                                               "form_id": "formulier-1",
                                               "csrf_token": "uit-een-verlopen-cookie"})
    assert response.status_code == 401
    page = text_of(response)
    assert "Je bent niet meer ingelogd. Je tekst is niet weg." in page
    assert 'name="bewaard_url" value="/schrijven"' in page
    assert f'name="bewaard:body" value="{STORY}"' in page
    assert "uit-een-verlopen-cookie" not in page  # the old token is never carried
    carried = {"bewaard_url": "/schrijven",
               **{f"bewaard:{k}": v for k, v in TYPED.items()},
               "bewaard:action": "save", "bewaard:form_id": "formulier-1"}

    wrong = log_in_by_form(client, "schrijverlogin", "niet het wachtwoord", **carried)
    assert wrong.status_code == 400
    assert f'name="bewaard:body" value="{STORY}"' in text_of(wrong)

    response = log_in_by_form(client, "schrijverlogin", **carried)
    assert response.status_code == 303
    back = response.headers["Location"]
    assert back.startswith("/schrijven?bewaard=")
    form_page = client.get(back)
    assert form_page.status_code == 200
    assert "Je bent weer ingelogd. Hier is je tekst." in text_of(form_page)
    assert_form_kept(form_page, TYPED)
    assert hidden(text_of(form_page), "form_id") == "formulier-1"
    assert advice_count(app) == before  # shown again, not saved behind the writer's back

    saved = client.post("/schrijven", data={**TYPED, "action": "save", "form_id": "formulier-1",
                                            "csrf_token": hidden(text_of(form_page),
                                                                 "csrf_token")})
    assert saved.status_code == 303
    assert advice_count(app)[0] == before[0] + 1


def test_the_kept_text_is_only_for_the_account_that_logged_in(app, client, people, log_in,
                                                             advice_by):
    advice = advice_by(S.DRAFT)
    response = client.post(f"/mijn-adviezen/{advice.id}",
                           data={**TYPED, "revision": str(advice.revision), "action": "save"})
    assert response.status_code == 401
    carried = {"bewaard_url": f"/mijn-adviezen/{advice.id}",
               "bewaard:revision": str(advice.revision),
               **{f"bewaard:{k}": v for k, v in TYPED.items()}}
    back = log_in_by_form(client, "schrijverlogin", **carried).headers["Location"]
    assert back.startswith(f"/mijn-adviezen/{advice.id}?bewaard=")
    assert_form_kept(client.get(back), TYPED)
    # Another account in this browser gets nothing of it, not even on its own write page.
    kept_id = back.rsplit("=", 1)[1]
    log_in(people.other)
    assert client.get(back).status_code == 404  # not their advice
    assert STORY not in text_of(client.get(f"/schrijven?bewaard={kept_id}"))


@pytest.mark.parametrize("url", ["//elders.example/schrijven", "https://elders.example/",
                                 "/inloggen", "/schrijven?x=1", "/redactie"])
def test_a_carried_address_is_only_ever_a_writing_form_of_this_site(app, client, people, url):
    response = log_in_by_form(client, "schrijverlogin", bewaard_url=url,
                              **{"bewaard:body": STORY})
    assert response.status_code == 303
    assert "bewaard=" not in response.headers["Location"]
    with app.app_context(), session_scope() as session:
        assert session.exec(select(KeptText)).all() == []


def test_a_deleted_account_leaves_no_kept_text(app, client, people):
    client.post("/schrijven", data={**TYPED, "action": "save"})
    log_in_by_form(client, "schrijverlogin", bewaard_url="/schrijven",
                   **{f"bewaard:{k}": v for k, v in TYPED.items()})
    with app.app_context(), session_scope() as session:
        assert len(session.exec(select(KeptText)).all()) == 1
    page = client.get("/account/verwijderen").get_data(as_text=True)
    response = client.post("/account/verwijderen",
                           data={"csrf_token": hidden(page, "csrf_token"),
                                 "password": TEST_PASSWORD, "confirm": "ja"})
    assert response.status_code in (200, 303)
    with app.app_context(), session_scope() as session:
        assert session.exec(select(KeptText)).all() == []


# --------------------------------------------------------------------------- conflict


def test_a_conflict_keeps_the_text_and_shows_both_versions(app, client, post, people, log_in,
                                                           advice_by):
    advice = advice_by(S.DRAFT)
    log_in(people.writer)
    first = post(f"/mijn-adviezen/{advice.id}", {**FORM, "title": "Eerst zo",
                                                 "revision": str(advice.revision),
                                                 "action": "save"})
    assert first.status_code == 303
    response = post(f"/mijn-adviezen/{advice.id}", {**TYPED, "revision": str(advice.revision),
                                                    "action": "save"})
    assert response.status_code == 409
    page = text_of(response)
    assert STORY in page and "Eerst zo" in page


# --------------------------------------------------------------------------- a server error


def test_a_bug_while_saving_a_text_gives_the_text_back_to_send_again(app, client, post, caplog):
    """Not a database fault (those answer 503 and keep the form: tests/test_outages.py) but a
    plain bug: the 500 page still carries the text, to copy and to send again."""

    @app.post("/test-kapot")
    def broken():  # a view with a bug, standing in for any we have not found yet
        raise RuntimeError("a bug")

    response = post("/test-kapot", {"title": TYPED["title"], "body": STORY + "\n"})
    assert response.status_code == 500
    page = text_of(response)
    assert "Er ging iets mis bij het opslaan" in page and "Foutcode 500" in page
    assert f'name="body" value="{STORY}' in page and "Probeer opnieuw" in page
    assert "Traceback" not in page and "RuntimeError" not in page
    assert "Unhandled error on /test-kapot" in caplog.text  # still logged as the bug it is
