"""The editorial desk, mended: where people land after logging in, confirmation before publish
and withdraw, and the audit log in Dutch words."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
from sqlmodel import select

from kb import workflow
from kb.db import session_scope
from kb.models import Advice, AuditEntry, Role
from tests.conftest import TEST_PASSWORD
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import S, hidden


@pytest.mark.parametrize(("role", "start"), [
    (Role.CONTRIBUTOR, "/mijn-adviezen"),
    (Role.EDITOR, "/redactie"),
    (Role.ADMIN, "/redactie"),
])
def test_editors_and_admins_land_on_the_queue_after_login(client, make_user, role, start):
    """The finding: editors landed on "Mijn adviezen" after logging in."""
    make_user(role, login="iemand")
    page = client.get("/inloggen").get_data(as_text=True)
    response = client.post("/inloggen", data={"csrf_token": hidden(page, "csrf_token"),
                                              "login": "iemand", "password": TEST_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == start
    # Once logged in, the login page sends them there too.
    assert client.get("/inloggen").headers["Location"] == start


def form_fields(page: str, action: str) -> dict:
    """The hidden fields of the form that posts to ``action``."""
    start = page.index(f'action="{action}"')
    form = page[start:page.index("</form>", start)]
    return {name: html.unescape(value) for name, value in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)}


def test_publish_asks_for_confirmation_first_without_javascript(app, client, post, people,
                                                                log_in, advice_by):
    """The finding: publish happened at once, without a confirmation."""
    advice = advice_by(S.SUBMITTED)
    log_in(people.editor)
    url = f"/redactie/advies/{advice.id}/publiceren"
    review = client.get(f"/redactie/advies/{advice.id}").get_data(as_text=True)
    sent = form_fields(review, url)
    assert sent["step"] == "check"
    confirm = client.post(url, data=sent)
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert "Wil je dit advies publiceren?" in page and "Ja, publiceer het" in page
    assert "<script" not in page
    assert status_of(app, advice.id) == S.SUBMITTED  # nothing happened yet
    done = client.post(url, data=form_fields(page, url))
    assert done.status_code == 303
    assert status_of(app, advice.id) == S.PUBLISHED


def test_withdraw_asks_for_confirmation_and_keeps_the_reason(app, client, people, log_in,
                                                            advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    url = f"/redactie/advies/{advice.id}/intrekken"
    review = client.get(f"/redactie/advies/{advice.id}").get_data(as_text=True)
    confirm = client.post(url, data={**form_fields(review, url),
                                      "reason": "Er staat een school in."})
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "Wil je dit advies intrekken?" in page and "Reden: Er staat een school in." in page
    assert status_of(app, advice.id) == S.PUBLISHED
    too_long = client.post(url, data={**form_fields(review, url), "reason": "x" * 501})
    assert too_long.status_code == 400 and status_of(app, advice.id) == S.PUBLISHED
    assert client.post(url, data=form_fields(page, url)).status_code == 303
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        assert advice.status == S.WITHDRAWN
        assert advice.revisions[-1].note == "Er staat een school in."


def test_the_confirmation_is_refused_as_the_step_would_be(app, client, post, people, log_in,
                                                          advice_by):
    advice = advice_by(S.PUBLISHED)
    log_in(people.editor)
    response = post(f"/redactie/advies/{advice.id}/publiceren",
                    {"revision": str(advice.revision), "step": "check"})
    assert response.status_code == 409  # already published
    log_in(people.writer)
    response = post(f"/redactie/advies/{advice.id}/intrekken",
                    {"revision": str(advice.revision), "step": "check"})
    assert response.status_code == 403


def status_of(app, advice_id: int) -> str:
    with app.app_context(), session_scope() as session:
        return session.get(Advice, advice_id).status


# --------------------------------------------------------------------------- the audit log


def test_the_audit_log_speaks_dutch_not_code(app, client, people, log_in, advice_by):
    """The finding: the log showed `rename_slug` and `from_status: withdrawn; …`."""
    advice = advice_by(S.WITHDRAWN)
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        workflow.rename_slug(session, people.editor, item, "nieuw-adres", item.revision)
    log_in(people.admin)
    page = html.unescape(re.sub(r"<[^>]+>", "", client.get("/beheer/audit").get_data(
        as_text=True)))
    assert "heeft het webadres veranderd" in page
    assert f"webadres veranderd van {advice.slug} naar nieuw-adres" in page
    assert "van gepubliceerd naar ingetrokken" in page and "bericht: Verouderd." in page
    assert "heeft gepubliceerd" in page and "van ingediend naar gepubliceerd" in page
    for code in ("rename_slug", "from_status", "to_status", "old_slug", "revision:",
                 "request_changes", "withdrawn"):
        assert code not in page, code


def test_the_audit_log_filters_by_person_action_and_period(app, client, people, log_in,
                                                           advice_by):
    advice_by(S.PUBLISHED)  # create + submit by the writer, publish by the editor
    with app.app_context(), session_scope() as session:
        for entry in session.exec(select(AuditEntry)).all():
            entry.created_at = datetime(2025, 11, 25, 23, 30)  # 26 November in Amsterdam
        session.add(AuditEntry(actor_id=people.editor.id, action="edit",
                               created_at=datetime(2025, 12, 3, 9, 0), detail={}))
    log_in(people.admin)

    def rows(**query) -> int:
        page = client.get("/beheer/audit", query_string=query).get_data(as_text=True)
        return max(0, page.count("<tr>") - 1)  # minus the header row (no table: no rows)

    assert rows() == 4
    assert rows(wie="SCHRIJVERLOGIN") == 2  # create, submit
    assert rows(wie="redacteurlogin") == 2  # publish, edit
    assert rows(wie="redacteurlogin", actie="publish") == 1
    assert rows(van="2025-11-26", tot="2025-11-26") == 3  # local days, both ends included
    assert rows(van="2025-11-27") == 1
    assert rows(tot="2025-11-25") == 0
    assert rows(van="geen datum") == 4  # a date that is none is no filter
    page = client.get("/beheer/audit?wie=niemand").get_data(as_text=True)
    assert "Er is geen account met de inlognaam “niemand”." in page and rows(wie="niemand") == 0
    # Paging keeps the filters.
    with app.app_context(), session_scope() as session:
        for _ in range(60):
            session.add(AuditEntry(actor_id=people.editor.id, action="edit", detail={}))
    page = client.get("/beheer/audit?wie=redacteurlogin&actie=edit").get_data(as_text=True)
    assert "pagina 1 van 2" in page
    assert "/beheer/audit?pagina=2&amp;wie=redacteurlogin&amp;actie=edit" in page


# --------------------------------------------------------------------------- admin tables


@pytest.mark.parametrize("url", ["/beheer/accounts", "/beheer/uitnodigingen", "/beheer/audit"])
def test_admin_tables_name_their_columns_per_cell_and_their_region_is_focusable(
        client, people, log_in, url, make_invite):
    """At 390 px the rows become cards (site.css) whose cells say their column; the measured
    check (no sideways scroll, axe clean) is scripts/axe-narrow.js, which needs a browser."""
    make_invite(note="voor iemand met een heel lange naam zonder spaties" + "x" * 60)
    log_in(people.admin)
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'<div class="table-wrap" role="region" tabindex="0" aria-label="[^"]+">',
                     page)
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    cells = re.findall(r"<td( [^>]*)?>", body)
    assert cells and all('data-label="' in c or "data-table__actions" in c for c in cells)
