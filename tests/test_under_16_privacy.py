"""Issue 12, under 16: a stricter privacy check (every place name is a hint) for the writer's
draft and the editor's review, and the write page says before sending that a guardian's
consent must be recorded first (no send button until then)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from kb import privacy
from kb.db import session_scope
from kb.models import Advice, User
from tests.conftest import TEST_PASSWORD
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM

PLACES = "Ik woonde eerst in Amsterdam en daarna in Zwolle. Nu woon ik in Gelderland."
SEND = 'value="submit"'
WAIT = "Eerst toestemming van je ouder of voogd"


def _places(text: str, strict: bool) -> list[str]:
    return [h.text for h in privacy.check(text, strict=strict) if h.kind == "place"]


def test_strict_check_flags_every_dutch_place_the_normal_one_lets_through():
    assert _places(PLACES, strict=False) == []
    assert _places(PLACES, strict=True) == ["Amsterdam", "Zwolle"]  # a province is no town
    # Anywhere, not only after "in": listed municipalities, compound names, districts.
    text = "Bergen op Zoom is mijn stad. Rotterdam vond ik groot. Ik zat in Amsterdam-Noord."
    assert _places(text, strict=True) == ["Bergen op Zoom", "Rotterdam", "Amsterdam-Noord"]
    assert _places(text, strict=False) == []
    # A name that is also a Dutch word counts only capitalised mid-sentence.
    assert _places("Best is dat je luistert. Ik woonde in Best.", strict=True) == ["Best"]


def test_every_municipality_line_is_found_in_strict_mode():
    listed = privacy._words("dutch_municipalities")
    assert len(listed.plain | listed.ambiguous) >= 340
    lead = "Ik kom uit de buurt van "
    for name in sorted(listed.plain):
        text = f"{lead}{name}, echt waar."
        # Flagged (a place, or a first name in "Hendrik-Ido-Ambacht", which is still a hint).
        assert [h.start for h in privacy.check(text, strict=True)] == [len(lead)], name


@pytest.fixture
def young(app, client, post, make_invite):
    """A logged-in writer who ticked "Ik ben jonger dan 16 jaar" on the invite page."""
    token = make_invite()
    response = post(f"/uitnodiging/{token}", {
        "login": "jonge.schrijver", "password": TEST_PASSWORD, "password_repeat": TEST_PASSWORD,
        "name_choice": "own", "display_name": "Noa", "email": "", "under_16": "ja"})
    assert response.status_code == 303
    with app.app_context(), session_scope() as session:
        return session.exec(select(User).where(User.login == "jonge.schrijver")).one()


def _write_form(name: str) -> dict:
    return {**FORM, "display_name": name,
            "body": FORM["body"] + "\nIk woonde in Amsterdam, bij een pleeggezin.\n"}


def test_the_young_writers_preview_flags_a_big_city_an_older_writers_does_not(
        client, post, people, log_in, young):
    page = post("/schrijven", {**_write_form("Noa"), "action": "preview"}).get_data(as_text=True)
    assert "<mark>Amsterdam</mark>" in page
    assert "Je bent jonger dan 16. Daarom noemt de check elke plaatsnaam" in page
    log_in(people.writer)
    page = post("/schrijven", {**_write_form("Sam"), "action": "preview"}
                ).get_data(as_text=True)
    assert "Privacycheck" in page and "<mark>Amsterdam</mark>" not in page
    assert "jonger dan 16" not in page


def test_the_editors_review_of_a_young_writers_advice_is_strict(
        app, client, post, people, log_in, young):
    # Consent recorded, then sent: the stricter check stays for the editor's review.
    log_in(people.editor)
    assert post(f"/beheer/toestemming/{young.id}").status_code == 303
    log_in(young)
    assert post("/schrijven", {**_write_form("Noa"), "action": "submit"}).status_code == 303
    with app.app_context(), session_scope() as session:
        advice_id = session.exec(select(Advice.id).where(Advice.owner_id == young.id)).one()
    log_in(people.editor)
    page = client.get(f"/redactie/advies/{advice_id}").get_data(as_text=True)
    assert "<mark>Amsterdam</mark>" in page
    assert "De schrijver is jonger dan 16" in page
    edit = post(f"/redactie/advies/{advice_id}/bewerken",
                {**_write_form("Noa"), "action": "preview", "revision": "1"})
    assert "<mark>Amsterdam</mark>" in edit.get_data(as_text=True)


def test_an_older_writers_advice_is_reviewed_with_the_normal_check(
        app, client, post, people, log_in):
    log_in(people.writer)
    assert post("/schrijven", {**_write_form("Sam"), "action": "submit"}
                ).status_code == 303
    with app.app_context(), session_scope() as session:
        advice_id = session.exec(select(Advice.id)).one()
    log_in(people.editor)
    page = client.get(f"/redactie/advies/{advice_id}").get_data(as_text=True)
    assert "Privacycheck" in page and "<mark>Amsterdam</mark>" not in page


def test_the_write_page_says_consent_comes_first_and_offers_no_send_button(
        app, client, post, people, log_in, young):
    page = client.get("/schrijven").get_data(as_text=True)
    assert WAIT in page and SEND not in page and 'value="save"' in page
    # Saving as a draft still works; the draft's own page says it too.
    response = post("/schrijven", {**_write_form("Noa"), "action": "save"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    if 'name="revision"' in page:  # the writer's own advice page shows the form
        assert WAIT in page and SEND not in page
    with app.app_context(), session_scope() as session:
        advice_id = session.exec(select(Advice.id).where(Advice.owner_id == young.id)).one()
    page = client.get(f"/mijn-adviezen/{advice_id}").get_data(as_text=True)
    assert WAIT in page and SEND not in page
    # Once an editor recorded the consent, the button is there and the notice is gone.
    log_in(people.editor)
    assert post(f"/beheer/toestemming/{young.id}").status_code == 303
    log_in(young)
    page = client.get("/schrijven").get_data(as_text=True)
    assert WAIT not in page and SEND in page


def test_an_older_writer_sees_the_send_button_and_no_consent_notice(client, people, log_in):
    log_in(people.writer)
    page = client.get("/schrijven").get_data(as_text=True)
    assert SEND in page and WAIT not in page
