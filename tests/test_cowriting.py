"""Writing an advice together: nobody is named or edits without saying yes, the public surfaces
list the writers who agreed as they chose, each takes their own name off (a new revision), and
a co-writer's withdrawal of their name or of the advice is theirs alone to undo."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import event
from sqlmodel import select

from kb import account_data, cowriting, groups, redaction, workflow
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Advice, AdviceWriter, AuditEntry, Notification, Revision, Role, User
from tests.conftest import TEST_PASSWORD
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, S

GROUP = "ExpEx Gelderland"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def group(app, people):
    """Sam (people.writer) and Kim (people.other) are in one group."""
    with app.app_context(), session_scope() as session:
        made = groups.create_group(session, people.editor, GROUP)
        groups.add_member(session, people.editor, made, people.writer.login)
        groups.add_member(session, people.editor, made, people.other.login)
        return made.id


@pytest.fixture
def co_written(app, people, group, advice_by):
    """An advice by Sam that Kim joined (as "Kim"), brought to ``status``."""

    def make(status: str = S.DRAFT, kim_as: str = "Kim") -> Advice:
        advice = advice_by(S.DRAFT)
        with app.app_context(), session_scope() as session:
            item = session.get(Advice, advice.id)
            cowriting.invite(session, people.writer, item, people.other.id)
        with app.app_context(), session_scope() as session:
            item = session.get(Advice, advice.id)
            cowriting.accept(session, session.get(User, people.other.id), item, kim_as)
        steps = {
            S.SUBMITTED: ["submit"], S.PUBLISHED: ["submit", "publish"],
        }.get(status, [])
        for step in steps:
            with app.app_context(), session_scope() as session:
                item = session.get(Advice, advice.id)
                if step == "submit":
                    workflow.submit(session, people.writer, item, item.revision)
                else:
                    workflow.publish(session, people.editor, item, item.revision)
        with app.app_context(), session_scope() as session:
            item = session.get(Advice, advice.id)
            _ = item.revisions, item.themes
            return item

    return make


def authors(app, advice_id: int) -> list[str]:
    with app.app_context(), session_scope() as session:
        return list(session.get(Advice, advice_id).authors)


def revision_count(app, advice_id: int) -> int:
    with app.app_context(), session_scope() as session:
        return len(session.exec(select(Revision).where(Revision.advice_id == advice_id)).all())


# --------------------------------------------------------------------------- consent first


def test_an_invited_writer_is_named_nowhere_and_cannot_edit_before_saying_yes(
        app, client, post, people, log_in, group, advice_by):
    advice = advice_by(S.DRAFT)
    log_in(people.writer)
    page = text(client.get(f"/mijn-adviezen/{advice.id}"))
    assert f"/mijn-adviezen/{advice.id}/schrijvers" in page
    writers_page = text(client.get(f"/mijn-adviezen/{advice.id}/schrijvers"))
    assert f'<option value="{people.other.id}">Kim ({GROUP})</option>' in writers_page
    sent = post(f"/mijn-adviezen/{advice.id}/schrijvers",
                {"step": "invite", "writer": str(people.other.id)})
    assert sent.status_code == 303
    assert authors(app, advice.id) == ["Sam"]
    with app.app_context(), session_scope() as session:
        notice = session.exec(select(Notification).where(
            Notification.user_id == people.other.id)).one()
        assert (notice.kind, notice.advice_id) == ("cowrite_invite", advice.id)

    log_in(people.other)
    mine = text(client.get("/mijn-adviezen"))
    assert "Uitnodigingen om mee te schrijven" in mine and FORM["title"] in mine
    assert "Je bent uitgenodigd om mee te schrijven" in text(client.get("/meldingen"))
    # Not a writer yet: the advice's own page leads to the invitation, and nothing is saved.
    assert client.get(f"/mijn-adviezen/{advice.id}").headers["Location"].endswith(
        f"/mijn-adviezen/{advice.id}/schrijvers")
    before = revision_count(app, advice.id)
    refused = post(f"/mijn-adviezen/{advice.id}",
                   {**FORM, "title": "Overgenomen", "action": "save", "revision": "1"})
    assert refused.status_code == 303 and "schrijvers" in refused.headers["Location"]
    assert revision_count(app, advice.id) == before
    invitation = text(client.get(f"/mijn-adviezen/{advice.id}/schrijvers"))
    assert "Wil je meeschrijven?" in invitation and "Sam vraagt" in invitation

    answer = post(f"/mijn-adviezen/{advice.id}/schrijvers",
                  {"step": "accept", "display_name": "Kim"})
    assert answer.status_code == 303
    assert authors(app, advice.id) == ["Sam", "Kim"]
    assert revision_count(app, advice.id) == before + 1
    # Now a writer: Kim edits the draft, and Sam's name stays as Sam chose it.
    form = text(client.get(f"/mijn-adviezen/{advice.id}"))
    assert '<option value="Kim" selected' in form
    saved = post(f"/mijn-adviezen/{advice.id}", {**FORM, "title": "Samen beter",
                                                 "display_name": "Kim", "action": "save",
                                                 "revision": str(before + 1)})
    assert saved.status_code == 303
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        assert (item.title, item.authors) == ("Samen beter", ["Sam", "Kim"])
        assert item.revisions[-1].author_id == people.other.id


def test_an_answer_needs_a_name_choice_and_keeps_it_on_failure(app, client, post, people,
                                                               log_in, group, advice_by):
    advice = advice_by(S.DRAFT)
    with app.app_context(), session_scope() as session:
        cowriting.invite(session, people.writer, session.get(Advice, advice.id),
                         people.other.id)
    log_in(people.other)
    missing = post(f"/mijn-adviezen/{advice.id}/schrijvers", {"step": "accept"})
    assert missing.status_code == 400
    assert "Kies hoe je naam bij het advies komt te staan." in text(missing)
    wrong = post(f"/mijn-adviezen/{advice.id}/schrijvers",
                 {"step": "accept", "display_name": "Sam"})
    assert wrong.status_code == 400 and "Kies een naam uit de lijst." in text(wrong)
    assert authors(app, advice.id) == ["Sam"]
    # A stale form token: the page again with the choice kept, nothing done.
    with client.session_transaction() as sess:
        sess["csrf_token"] = "a-newer-token"
    stale = client.post(f"/mijn-adviezen/{advice.id}/schrijvers", data={
        "csrf_token": "an-old-token", "step": "accept", "display_name": GROUP})
    assert stale.status_code == 400
    body = text(stale)
    assert "Je keuze is nog niet verstuurd." in body
    assert f'<option value="{GROUP}" selected>' in body
    assert authors(app, advice.id) == ["Sam"]


def test_saying_no_leaves_no_trace_on_the_advice(app, client, post, people, log_in, group,
                                                 advice_by):
    advice = advice_by(S.DRAFT)
    with app.app_context(), session_scope() as session:
        cowriting.invite(session, people.writer, session.get(Advice, advice.id),
                         people.other.id)
    before = revision_count(app, advice.id)
    log_in(people.other)
    assert post(f"/mijn-adviezen/{advice.id}/schrijvers", {"step": "decline"}).status_code == 303
    assert authors(app, advice.id) == ["Sam"] and revision_count(app, advice.id) == before
    assert client.get(f"/mijn-adviezen/{advice.id}/schrijvers").status_code == 404
    assert "Uitnodigingen om mee te schrijven" not in text(client.get("/mijn-adviezen"))


def test_only_members_of_the_writers_groups_can_be_invited(app, client, post, people, log_in,
                                                           group, advice_by, make_user):
    stranger = make_user(Role.CONTRIBUTOR, display_names=["Noor"])
    advice = advice_by(S.DRAFT)
    log_in(people.writer)
    page = text(client.get(f"/mijn-adviezen/{advice.id}/schrijvers"))
    assert "Noor" not in page
    refused = post(f"/mijn-adviezen/{advice.id}/schrijvers",
                   {"step": "invite", "writer": str(stranger.id)})
    assert refused.status_code == 400
    assert "Je kunt alleen iemand uit je eigen groep uitnodigen." in text(refused)
    empty = post(f"/mijn-adviezen/{advice.id}/schrijvers", {"step": "invite", "writer": ""})
    assert empty.status_code == 400 and "Kies wie je wilt uitnodigen." in text(empty)
    with app.app_context(), session_scope() as session:
        assert session.exec(select(AdviceWriter).where(
            AdviceWriter.user_id == stranger.id)).first() is None
    # A writer in no group is told how to get there.
    log_in(stranger)
    own = advice_by(S.DRAFT)  # people.writer's again; the stranger writes one of their own
    with app.app_context(), session_scope() as session:
        theirs = workflow.create_draft(session, session.get(User, stranger.id),
                                       AdviceForm(**{**FORM, "display_name": "Noor"}))
    assert own.id != theirs.id
    alone = text(client.get(f"/mijn-adviezen/{theirs.id}/schrijvers"))
    assert "Zit je nog niet in een groep? Vraag het de redactie." in alone
    # And nobody sees the writers' page of an advice they do not write.
    assert client.get(f"/mijn-adviezen/{advice.id}/schrijvers").status_code == 404


# --------------------------------------------------------------------------- public surfaces


def test_the_public_page_twin_feed_and_citations_list_the_writers_who_agreed(
        app, client, people, co_written, log_in, post):
    advice = co_written(S.PUBLISHED, kim_as=GROUP)
    url = f"/advies/{advice.id}/{advice.slug}"
    surfaces = {
        "page": lambda: text(client.get(url)),
        "json": lambda: str(client.get(f"/api/advies/{advice.id}").get_json()["advice"]["authors"]),
        "feed": lambda: text(client.get("/feed.xml")),
        "ris": lambda: text(client.get(f"/advies/{advice.id}/citeer.ris")),
        "bib": lambda: text(client.get(f"/advies/{advice.id}/citeer.bib")),
        "csl": lambda: text(client.get(f"/advies/{advice.id}/citeer.csl.json")),
    }
    for name, read in surfaces.items():
        found = read()
        assert "Sam" in found and GROUP in found, name
    assert "AU  - Sam" in surfaces["ris"]() and f"AU  - {GROUP}" in surfaces["ris"]()

    # Sam takes their name off: a new revision, and every surface follows.
    before = revision_count(app, advice.id)
    log_in(people.writer)
    done = post(f"/mijn-adviezen/{advice.id}/schrijvers",
                {"step": "name_off", "writer": str(people.writer.id)})
    assert done.status_code == 303
    assert revision_count(app, advice.id) == before + 1
    assert authors(app, advice.id) == [GROUP]
    for name, read in surfaces.items():
        found = read()
        assert GROUP in found and "Sam" not in found, name
    with app.app_context(), session_scope() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "name_off")).one()
        assert (entry.actor_id, entry.advice_id) == (people.writer.id, advice.id)
    log_in(people.admin)
    assert "heeft de eigen naam van het advies gehaald" in text(client.get("/beheer/audit"))


def test_anonymous_co_writers_are_not_listed_and_nobody_named_reads_anoniem(app, people,
                                                                            co_written):
    advice = co_written(S.DRAFT, kim_as="anoniem")
    assert authors(app, advice.id) == ["Sam"]
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        cowriting.take_name_off(session, session.get(User, people.writer.id), item,
                                people.writer.id)
        assert item.authors == ["Anoniem"]


def test_the_advice_page_costs_the_same_queries_with_two_writers(app, client, people,
                                                                 advice_by, co_written):
    alone, together = advice_by(S.PUBLISHED), co_written(S.PUBLISHED)
    engine = app.extensions["kb.engine"]

    def queries(url: str) -> int:
        seen: list[str] = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    for template in ("/advies/{id}/{slug}", "/api/advies/{id}"):
        one = queries(template.format(id=alone.id, slug=alone.slug))
        two = queries(template.format(id=together.id, slug=together.slug))
        assert one == two, template


# --------------------------------------------------------------------------- names: theirs alone


NAMERS = ("writer", "other")
RESTORERS = ("writer", "other", "editor", "admin")


@pytest.mark.parametrize("restorer", RESTORERS)
@pytest.mark.parametrize("taken_by", NAMERS)
def test_only_the_writer_who_took_their_name_off_can_put_it_back(app, people, co_written,
                                                                  taken_by, restorer):
    advice = co_written(S.PUBLISHED)
    owner = getattr(people, taken_by)
    with app.app_context(), session_scope() as session:
        cowriting.take_name_off(session, session.get(User, owner.id),
                                session.get(Advice, advice.id), owner.id)
    left = {"writer": ["Kim"], "other": ["Sam"]}[taken_by]
    assert authors(app, advice.id) == left
    with app.app_context(), session_scope() as session:
        actor = session.get(User, getattr(people, restorer).id)
        item = session.get(Advice, advice.id)
        if restorer == taken_by:
            cowriting.put_name_back(session, actor, item, owner.id)
            assert item.authors == ["Sam", "Kim"]
            return
        with pytest.raises(workflow.NotAllowed) as refused:
            cowriting.put_name_back(session, actor, item, owner.id)
        assert refused.value.reason == "name_withdrawn"
        session.rollback()
    assert authors(app, advice.id) == left


def test_a_co_writer_cannot_put_back_anothers_name_through_the_page(app, client, post, people,
                                                                     log_in, co_written):
    advice = co_written(S.DRAFT)
    with app.app_context(), session_scope() as session:
        cowriting.take_name_off(session, session.get(User, people.other.id),
                                session.get(Advice, advice.id), people.other.id)
    log_in(people.writer)
    page = text(client.get(f"/mijn-adviezen/{advice.id}/schrijvers"))
    assert "De naam staat niet bij het advies." in page
    assert 'value="name_on"' not in page  # only Kim is offered the button
    refused = post(f"/mijn-adviezen/{advice.id}/schrijvers",
                   {"step": "name_on", "writer": str(people.other.id)})
    assert refused.status_code == 403
    assert "Alleen die schrijver kan de naam terugzetten" in text(refused)
    off = post(f"/mijn-adviezen/{advice.id}/schrijvers",
               {"step": "name_off", "writer": str(people.other.id)})
    assert off.status_code == 403 and "Dit is niet jouw naam" in text(off)
    assert authors(app, advice.id) == ["Sam"]
    log_in(people.other)
    page = text(client.get(f"/mijn-adviezen/{advice.id}/schrijvers"))
    assert 'value="name_on"' in page
    assert post(f"/mijn-adviezen/{advice.id}/schrijvers",
                {"step": "name_on", "writer": str(people.other.id)}).status_code == 303
    assert authors(app, advice.id) == ["Sam", "Kim"]


def test_editors_cannot_bring_a_name_back_by_editing_or_restoring_a_version(app, people,
                                                                           co_written):
    advice = co_written(S.PUBLISHED)
    with app.app_context(), session_scope() as session:
        cowriting.take_name_off(session, session.get(User, people.other.id),
                                session.get(Advice, advice.id), people.other.id)
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        older = next(r.number for r in item.revisions if r.content["authors"] == ["Sam", "Kim"])
        workflow.edit(session, people.editor, item,
                      AdviceForm(**{**FORM, "title": "Nagekeken", "display_name": "Sam"}),
                      item.revision)
        assert item.authors == ["Sam"]
        workflow.restore_revision(session, people.editor, item, older, item.revision)
        assert item.authors == ["Sam"]
    assert authors(app, advice.id) == ["Sam"]


# --------------------------------------------------------------------------- withdrawal


#: Who may put a withdrawn co-written advice back, per who withdrew it. "writer" started it,
#: "other" joined it; "editor" and "admin" are two different editors.
MAY_RESTORE = {
    "writer": {"writer"},
    "other": {"other"},
    "editor": {"editor", "admin"},
}
REASON = {  # (withdrawer, restorer) → the refusal's reason
    ("writer", "other"): "cowriter_withdrew", ("other", "writer"): "cowriter_withdrew",
    ("writer", "editor"): "writer_withdrew", ("writer", "admin"): "writer_withdrew",
    ("other", "editor"): "writer_withdrew", ("other", "admin"): "writer_withdrew",
    ("editor", "writer"): "editor_withdrew", ("editor", "other"): "editor_withdrew",
}


@pytest.mark.parametrize("restorer", RESTORERS)
@pytest.mark.parametrize("withdrawer", sorted(MAY_RESTORE))
def test_a_co_writers_withdrawal_is_theirs_alone_to_undo(app, people, co_written, withdrawer,
                                                         restorer):
    advice = co_written(S.PUBLISHED)
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        who = session.get(User, getattr(people, withdrawer).id)
        if withdrawer in ("writer", "other"):
            workflow.request_withdrawal(session, who, item, "Niet meer.", item.revision)
        else:
            workflow.withdraw(session, who, item, "Verouderd.", item.revision)
    allowed = restorer in MAY_RESTORE[withdrawer]
    step = workflow.restore_own if restorer in ("writer", "other") else workflow.restore
    action = "restore_own" if restorer in ("writer", "other") else "restore"
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        actor = session.get(User, getattr(people, restorer).id)
        assert workflow.may(actor, action, item) is allowed
        if allowed:
            step(session, actor, item, item.revision)
            assert item.status == S.PUBLISHED
            return
        with pytest.raises(workflow.NotAllowed) as refused:
            step(session, actor, item, item.revision)
        assert refused.value.reason == REASON[(withdrawer, restorer)]
        session.rollback()
    with app.app_context(), session_scope() as session:
        assert session.get(Advice, advice.id).status == S.WITHDRAWN


def test_the_pages_refuse_a_co_writers_restore_in_dutch(app, client, post, people, log_in,
                                                        co_written):
    advice = co_written(S.PUBLISHED)
    log_in(people.other)
    page = text(client.get(f"/mijn-adviezen/{advice.id}"))
    assert "Haal mijn advies van de website" in page  # a co-writer may withdraw it
    assert post(f"/mijn-adviezen/{advice.id}/intrekken",
                {"revision": str(advice.revision), "reason": "Weg ermee."}).status_code == 303
    with app.app_context(), session_scope() as session:
        revision = session.get(Advice, advice.id).revision
    log_in(people.writer)
    page = text(client.get(f"/mijn-adviezen/{advice.id}"))
    assert "Zet mijn advies terug op de website" not in page
    assert "Een andere schrijver van dit advies heeft het van de website gehaald." in page
    assert "Reden van de redactie" not in page
    listed = text(client.get("/mijn-adviezen"))  # Kim's reason was for the editors
    assert "Reden van de redactie" not in listed and "Weg ermee." not in listed
    with app.app_context(), session_scope() as session:
        told = session.exec(select(Notification).where(
            Notification.kind == "cowriter_withdrew")).all()
        assert [(n.user_id, n.note) for n in told] == [(people.writer.id, "")]
    assert "Iemand die meeschrijft heeft jullie advies van de website gehaald" in text(
        client.get("/meldingen"))
    refused = post(f"/mijn-adviezen/{advice.id}/terugzetten", {"revision": str(revision)})
    assert refused.status_code == 403
    assert "Alleen wie het advies van de website haalde, kan het terugzetten" in text(refused)
    log_in(people.editor)
    refused = post(f"/redactie/advies/{advice.id}/terugzetten", {"revision": str(revision)})
    assert refused.status_code == 403
    log_in(people.other)
    assert "Zet mijn advies terug op de website" in text(client.get(f"/mijn-adviezen/{advice.id}"))
    assert post(f"/mijn-adviezen/{advice.id}/terugzetten",
                {"revision": str(revision)}).status_code == 303
    with app.app_context(), session_scope() as session:
        assert session.get(Advice, advice.id).status == S.PUBLISHED


# --------------------------------------------------------------------------- the rest


def test_every_writer_hears_what_the_editors_do(app, people, co_written):
    advice = co_written(S.SUBMITTED)
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        workflow.publish(session, people.editor, item, item.revision)
    with app.app_context(), session_scope() as session:
        told = session.exec(select(Notification.user_id).where(
            Notification.kind == "published", Notification.advice_id == advice.id)).all()
        assert sorted(told) == sorted([people.writer.id, people.other.id])


def test_a_co_writer_under_16_without_consent_holds_the_sending(app, client, post, people,
                                                                log_in, co_written):
    from kb import consent

    advice = co_written(S.DRAFT)
    with app.app_context(), session_scope() as session:
        consent.mark_under_16(session, session.get(User, people.other.id))
    log_in(people.writer)
    sent = post(f"/mijn-adviezen/{advice.id}", {**FORM, "title": "Toch bewaard",
                                                "action": "submit",
                                                "revision": str(advice.revision)})
    assert sent.status_code == 303
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        assert (item.status, item.title) == (S.DRAFT, "Toch bewaard")
        with pytest.raises(workflow.NotAllowed) as refused:
            workflow.submit(session, session.get(User, people.writer.id), item, item.revision)
        assert refused.value.reason == "cowriter_guardian_consent"


def test_deleting_a_co_writers_account_takes_their_name_off(app, people, co_written):
    advice = co_written(S.PUBLISHED)
    with app.app_context(), session_scope() as session:
        account_data.delete_account(session, session.get(User, people.other.id))
    assert authors(app, advice.id) == ["Sam"]
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        workflow.edit(session, people.editor, item,
                      AdviceForm(**{**FORM, "display_name": "Sam"}), item.revision)
        assert item.authors == ["Sam"]


def test_a_redacted_name_is_wiped_from_the_writers_choice_too(app, people, co_written):
    advice = co_written(S.PUBLISHED)
    with app.app_context(), session_scope() as session:
        redaction.redact(session, people.editor, session.get(Advice, advice.id), "Kim")
    with app.app_context(), session_scope() as session:
        item = session.get(Advice, advice.id)
        assert "Kim" not in item.authors
        workflow.edit(session, people.editor, item,
                      AdviceForm(**{**FORM, "title": "Daarna", "display_name": "Sam"}),
                      item.revision)
        assert "Kim" not in item.authors
        assert session.get(AdviceWriter, (item.id, people.other.id)).names == ["[verwijderd]"]


def test_the_editors_check_every_place_name_when_a_co_writer_is_under_16(app, client, people,
                                                                       log_in, co_written):
    from kb import consent

    advice = co_written(S.SUBMITTED)
    log_in(people.editor)
    assert "De schrijver is jonger dan 16" not in text(client.get(f"/redactie/advies/{advice.id}"))
    with app.app_context(), session_scope() as session:
        consent.mark_under_16(session, session.get(User, people.other.id))
    assert "De schrijver is jonger dan 16" in text(client.get(f"/redactie/advies/{advice.id}"))


def test_an_ended_login_carries_the_choice_back_to_the_writers_page(app, client, people,
                                                                    group, advice_by):
    """Cookies expired: the login page carries the step and the choice, and after the new
    login the writers' page shows them again, not yet sent."""
    advice = advice_by(S.DRAFT)
    url = f"/mijn-adviezen/{advice.id}/schrijvers"
    response = client.post(url, data={"step": "invite", "writer": str(people.other.id),
                                      "csrf_token": "uit-een-verlopen-cookie"})
    assert response.status_code == 401
    assert f'name="bewaard_url" value="{url}"' in text(response)
    login_page = text(client.get("/inloggen"))
    token = login_page.split('name="csrf_token" value="')[1].split('"')[0]
    back = client.post("/inloggen", data={
        "csrf_token": token, "login": people.writer.login, "password": TEST_PASSWORD,
        "bewaard_url": url, "bewaard:step": "invite", "bewaard:writer": str(people.other.id)})
    assert back.status_code == 303 and back.headers["Location"].startswith(url + "?bewaard=")
    page = text(client.get(back.headers["Location"]))
    assert "Je bent weer ingelogd." in page
    assert f'<option value="{people.other.id}" selected>' in page
    with app.app_context(), session_scope() as session:
        assert session.get(AdviceWriter, (advice.id, people.other.id)) is None


def test_a_co_writers_data_download_holds_the_advice_they_joined_and_their_choices(
        app, client, people, log_in, co_written):
    advice = co_written(S.DRAFT, kim_as=GROUP)
    log_in(people.other)
    data = client.get("/account/gegevens").get_json(force=True)
    assert [a["id"] for a in data["advice"]] == [advice.id]
    assert [(r["advice_id"], r["status"], r["names"]) for r in data["co_writing"]] == [
        (advice.id, "writer", [GROUP])]


def test_a_writer_can_take_back_an_unanswered_invitation(app, client, post, people, log_in,
                                                         group, advice_by):
    advice = advice_by(S.DRAFT)
    with app.app_context(), session_scope() as session:
        cowriting.invite(session, people.writer, session.get(Advice, advice.id),
                         people.other.id)
    log_in(people.writer)
    page = text(client.get(f"/mijn-adviezen/{advice.id}/schrijvers"))
    assert "Uitgenodigd. Nog geen antwoord: de naam staat nergens." in page
    assert post(f"/mijn-adviezen/{advice.id}/schrijvers",
                {"step": "cancel", "writer": str(people.other.id)}).status_code == 303
    log_in(people.other)
    assert client.get(f"/mijn-adviezen/{advice.id}/schrijvers").status_code == 404
    assert post(f"/mijn-adviezen/{advice.id}/schrijvers",
                {"step": "accept", "display_name": "Kim"}).status_code == 404
    assert authors(app, advice.id) == ["Sam"]
