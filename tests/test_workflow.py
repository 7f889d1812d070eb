"""The workflow: every step allowed or refused per role and status, the revisions and audit rows
it writes, optimistic locking, restoring revisions, renames, withdrawal and search."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import g
from sqlmodel import Session, select

from kb import review, workflow
from kb.forms import MAX_BODY_BYTES, AdviceForm
from kb.models import Advice, AdviceStatus, AuditEntry, OldSlug, Revision, Role
from kb.web.workspace import run
from kb.workflow import Conflict, InvalidInput, NotAllowed, StateError, TooLarge

S = AdviceStatus


def advice_form(**overrides) -> AdviceForm:
    fields = {
        "title": "Luister naar jongeren",
        "summary": "Vraag jongeren wat ze nodig hebben.",
        "themes": ["pleegzorg"],
        "region": "Utrecht",
        "audience": ["gemeenten"],
        "display_name": "Sam",
        "body": "## Wat we zien\n\nJongeren worden niet gehoord.\n",
    }
    return AdviceForm(**{**fields, **overrides})


@pytest.fixture
def session(app):
    with app.app_context(), Session(app.extensions["kb.engine"], expire_on_commit=False) as s:
        yield s


@pytest.fixture
def people(make_user):
    return SimpleNamespace(
        writer=make_user(Role.CONTRIBUTOR, display_names=["Sam"]),
        other=make_user(Role.CONTRIBUTOR, display_names=["Kim"]),
        editor=make_user(Role.EDITOR, display_names=["Eva van de redactie"]),
        admin=make_user(Role.ADMIN, display_names=["Beheer"]),
    )


@pytest.fixture
def advice_in(session, people):
    """An advice written by ``people.writer``, brought to ``status`` through the workflow."""

    def make(status: str = S.DRAFT, **overrides) -> Advice:
        advice = workflow.create_draft(session, people.writer, advice_form(**overrides))
        session.commit()
        if status != S.DRAFT:
            workflow.submit(session, people.writer, advice, advice.revision)
            session.commit()
        if status == S.CHANGES_REQUESTED:
            workflow.request_changes(session, people.editor, advice, "Graag korter.")
            session.commit()
        if status in (S.PUBLISHED, S.WITHDRAWN):
            workflow.publish(session, people.editor, advice, advice.revision)
            session.commit()
        if status == S.WITHDRAWN:
            workflow.withdraw(session, people.editor, advice, "Verouderd.")
            session.commit()
        assert advice.status == status
        return advice

    return make


def audit_actions(session, advice_id: int) -> list[str]:
    return list(session.exec(select(AuditEntry.action).where(AuditEntry.advice_id == advice_id)
                             .order_by(AuditEntry.id)).all())


# --------------------------------------------------------------------------- the matrix

EVERYONE = ("writer", "other", "editor", "admin")
EDITORS = {"editor", "admin"}
ALL_STATUSES = (S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.PUBLISHED, S.WITHDRAWN)

#: Written out by hand (not derived from workflow.STEPS): who may do what, from which status.
EXPECTED = {
    "save": ({S.DRAFT, S.CHANGES_REQUESTED}, {"writer"}),
    "submit": ({S.DRAFT, S.CHANGES_REQUESTED}, {"writer"}),
    "request_withdrawal": ({S.PUBLISHED}, {"writer"}),
    "request_changes": ({S.SUBMITTED}, EDITORS),
    "publish": ({S.SUBMITTED}, EDITORS),
    "edit": ({S.SUBMITTED, S.PUBLISHED, S.WITHDRAWN}, EDITORS),
    "withdraw": ({S.PUBLISHED}, EDITORS),
    "restore": ({S.WITHDRAWN}, EDITORS),
    "restore_own": ({S.WITHDRAWN}, {"writer"}),
    "rename_slug": ({S.SUBMITTED, S.CHANGES_REQUESTED, S.PUBLISHED, S.WITHDRAWN}, EDITORS),
    "restore_revision": ({S.SUBMITTED, S.PUBLISHED, S.WITHDRAWN}, EDITORS),
    "set_replacement": ({S.WITHDRAWN}, EDITORS),
}

CALLS = {
    "save": lambda s, who, a: workflow.save_draft(s, who, a, advice_form(title="Nieuw"),
                                                  a.revision),
    "submit": lambda s, who, a: workflow.submit(s, who, a, a.revision),
    "request_withdrawal": lambda s, who, a: workflow.request_withdrawal(s, who, a, ""),
    "request_changes": lambda s, who, a: workflow.request_changes(s, who, a, "Korter graag.",
                                                                  a.revision),
    "publish": lambda s, who, a: workflow.publish(s, who, a, a.revision),
    "edit": lambda s, who, a: workflow.edit(s, who, a, advice_form(title="Bewerkt"),
                                            a.revision),
    "withdraw": lambda s, who, a: workflow.withdraw(s, who, a, "", a.revision),
    "restore": lambda s, who, a: workflow.restore(s, who, a, a.revision),
    "restore_own": lambda s, who, a: workflow.restore_own(s, who, a, a.revision),
    "rename_slug": lambda s, who, a: workflow.rename_slug(s, who, a, "nieuw-adres", a.revision),
    "restore_revision": lambda s, who, a: workflow.restore_revision(s, who, a, 1, a.revision),
    "set_replacement": lambda s, who, a: workflow.set_replacement(s, who, a, None),
}

#: The matrix's withdrawn advice was withdrawn by an editor, so it is not the writer's to put
#: back (every combination of who withdrew and who restores: tests/test_consent.py).
NOT_THEIRS = {("restore_own", S.WITHDRAWN): {"writer"}}


def test_the_matrix_covers_every_step():
    assert set(EXPECTED) == set(workflow.STEPS) == set(CALLS)


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_every_step_is_allowed_or_refused_per_role_and_status(session, people, advice_in,
                                                              action, status):
    advice = advice_in(status)
    statuses, roles = EXPECTED[action]
    roles = roles - NOT_THEIRS.get((action, status), set())
    for who in EVERYONE:
        actor = getattr(people, who)
        assert workflow.may(actor, action, advice) == (who in roles and status in statuses)
        try:
            if who not in roles:
                with pytest.raises(NotAllowed):
                    CALLS[action](session, actor, advice)
            elif status not in statuses:
                with pytest.raises(StateError) as refused:
                    CALLS[action](session, actor, advice)
                assert refused.value.status_code == 409
            else:
                CALLS[action](session, actor, advice)
                target = workflow.STEPS[action].target
                assert advice.status == (target or status)
        finally:
            session.rollback()  # each actor tries on the same, unchanged advice


def test_anonymous_may_do_nothing(advice_in):
    advice = advice_in(S.SUBMITTED)
    assert not any(workflow.may(None, action, advice) for action in workflow.STEPS)


def test_an_editor_cannot_create_for_someone_without_an_account_role(session, make_user):
    nobody = make_user(role="nobody")
    with pytest.raises(NotAllowed):
        workflow.create_draft(session, nobody, advice_form())


# --------------------------------------------------------------------------- revisions & audit


def test_create_draft_owns_the_advice_and_writes_revision_and_audit(session, people):
    advice = workflow.create_draft(session, people.writer, advice_form(), form_id="abc")
    session.commit()
    assert advice.status == S.DRAFT
    assert advice.owner_id == people.writer.id
    assert advice.authors == ["Sam"]
    assert advice.slug == "luister-naar-jongeren"
    assert advice.published is None
    revision = advice.revisions[0]
    assert (revision.number, revision.author_id, revision.status) == (1, people.writer.id,
                                                                       S.DRAFT)
    entry = session.exec(select(AuditEntry).where(AuditEntry.advice_id == advice.id)).one()
    assert (entry.action, entry.actor_id, entry.detail["form"]) == ("create", people.writer.id,
                                                                    "abc")


def test_the_same_create_form_sent_twice_creates_one_advice(session, people):
    workflow.create_draft(session, people.writer, advice_form(), form_id="eenmalig")
    session.commit()
    with pytest.raises(StateError) as second:
        workflow.create_draft(session, people.writer, advice_form(), form_id="eenmalig")
    assert second.value.reason == "done"
    session.rollback()
    assert len(session.exec(select(Advice)).all()) == 1
    # Another writer's form id does not count for this one.
    workflow.create_draft(session, people.other, advice_form(display_name="Kim"),
                          form_id="eenmalig")
    session.commit()
    assert len(session.exec(select(Advice)).all()) == 2


def test_every_step_writes_a_revision_by_its_author_and_an_audit_row(session, people,
                                                                     advice_in):
    advice = advice_in(S.WITHDRAWN)
    workflow.restore(session, people.admin, advice, advice.revision)
    session.commit()
    revisions = session.exec(select(Revision).where(Revision.advice_id == advice.id)
                             .order_by(Revision.number)).all()
    assert [(r.status, r.author_id) for r in revisions] == [
        (S.DRAFT, people.writer.id),
        (S.SUBMITTED, people.writer.id),
        (S.PUBLISHED, people.editor.id),
        (S.WITHDRAWN, people.editor.id),
        (S.PUBLISHED, people.admin.id),
    ]
    assert revisions[3].note == "Verouderd."
    assert audit_actions(session, advice.id) == ["create", "submit", "publish", "withdraw",
                                                 "restore"]
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "withdraw")).one()
    assert entry.detail == {"from_status": "published", "to_status": "withdrawn",
                            "revision": 4, "note": "Verouderd."}


def test_a_step_that_changes_nothing_writes_nothing(session, people, advice_in):
    advice = advice_in(S.DRAFT)
    workflow.save_draft(session, people.writer, advice, advice_form(), advice.revision)
    session.commit()
    assert advice.revision == 1
    assert audit_actions(session, advice.id) == ["create"]


def test_submitting_needs_a_summary_a_theme_and_some_writing(session, people):
    advice = workflow.create_draft(session, people.writer, advice_form(
        summary="", themes=[], body="## Wat we zien\n\n## Waarom\n"))
    session.commit()
    with pytest.raises(InvalidInput) as refused:
        workflow.submit(session, people.writer, advice, advice.revision)
    assert refused.value.errors == {"summary": "required", "themes": "required",
                                    "body": "required"}
    assert refused.value.status_code == 400
    session.rollback()
    assert session.get(Advice, advice.id).status == S.DRAFT


@pytest.mark.parametrize(("field", "value", "code"), [
    ("title", "", "required"),
    ("title", "x" * 161, "too_long"),
    ("summary", "x" * 301, "too_long"),
    ("themes", ["pleegzorg", "bestaat-niet"], "unknown"),
    ("region", "x" * 81, "too_long"),
    ("audience", ["iedereen"], "unknown"),
    ("display_name", "Iemand anders", "unknown"),
    ("display_name", "", "required"),
])
def test_bad_input_is_refused_with_a_code_per_field_and_nothing_stored(session, people, field,
                                                                       value, code):
    with pytest.raises(InvalidInput) as refused:
        workflow.create_draft(session, people.writer, advice_form(**{field: value}))
    assert refused.value.errors == {field: code}
    session.rollback()
    assert session.exec(select(Advice)).first() is None
    assert session.exec(select(AuditEntry)).first() is None


def test_a_body_over_100_kb_is_too_large(session, people):
    body = "a" * (MAX_BODY_BYTES + 1)
    with pytest.raises(TooLarge) as refused:
        workflow.create_draft(session, people.writer, advice_form(body=body))
    assert refused.value.status_code == 413
    assert refused.value.errors == {"body": "too_large"}
    workflow.create_draft(session, people.writer, advice_form(body="a" * MAX_BODY_BYTES))


def test_a_writer_may_stay_anonymous(session, people):
    advice = workflow.create_draft(session, people.writer, advice_form(display_name="anoniem"))
    assert advice.authors == ["Anoniem"]


def test_new_slugs_avoid_current_and_old_slugs(session, people, make_advice):
    make_advice(slug="luister-naar-jongeren")
    renamed = make_advice(slug="luister-naar-jongeren-2")
    session.add(OldSlug(advice_id=renamed.id, slug="luister-naar-jongeren-3"))
    session.commit()
    advice = workflow.create_draft(session, people.writer, advice_form())
    assert advice.slug == "luister-naar-jongeren-4"


def test_the_slug_follows_the_final_title_at_first_publication(session, people, advice_in):
    advice = advice_in(S.SUBMITTED)
    workflow.edit(session, people.editor, advice, advice_form(title="Vraag het jongeren zelf"),
                  advice.revision)
    workflow.publish(session, people.editor, advice, advice.revision)
    session.commit()
    assert advice.slug == "vraag-het-jongeren-zelf"
    assert advice.published is not None


# --------------------------------------------------------------------------- feedback


def test_changes_requested_is_the_writers_feedback_until_resubmitted(session, people,
                                                                     advice_in):
    advice = advice_in(S.SUBMITTED)
    with pytest.raises(InvalidInput) as refused:
        workflow.request_changes(session, people.editor, advice, "   ")
    assert refused.value.errors == {"note": "required"}
    with pytest.raises(InvalidInput):
        workflow.request_changes(session, people.editor, advice, "x" * 501)
    workflow.request_changes(session, people.editor, advice, "Noem geen school.")
    session.commit()
    assert review.feedback(advice).note == "Noem geen school."
    workflow.save_draft(session, people.writer, advice, advice_form(title="Zonder school"),
                        advice.revision)
    session.commit()
    assert advice.status == S.CHANGES_REQUESTED
    assert review.feedback(advice).note == "Noem geen school."
    workflow.submit(session, people.writer, advice, advice.revision)
    session.commit()
    assert review.feedback(advice) is None


def test_the_editor_compares_a_resubmission_with_what_they_last_saw(session, people,
                                                                    advice_in):
    advice = advice_in(S.SUBMITTED)
    assert review.compare_base(advice) is None  # a first submission
    workflow.request_changes(session, people.editor, advice, "Korter.")
    workflow.save_draft(session, people.writer, advice, advice_form(title="Korter"),
                        advice.revision)
    workflow.submit(session, people.writer, advice, advice.revision,
                    advice_form(title="Korter", summary="Kort."))
    session.commit()
    base = review.compare_base(advice)
    assert base.status == S.CHANGES_REQUESTED
    assert base.content["title"] == "Luister naar jongeren"


def test_the_review_queue_is_oldest_first(session, people, advice_in):
    first = advice_in(S.SUBMITTED, title="Eerste")
    second = advice_in(S.SUBMITTED, title="Tweede")
    advice_in(S.DRAFT, title="Concept")
    assert [a.id for a in review.review_queue(session)] == [first.id, second.id]


# --------------------------------------------------------------------------- optimistic locking


def test_a_stale_edit_raises_a_conflict_that_carries_both_versions(session, people, make_user,
                                                                   advice_in):
    advice = advice_in(S.PUBLISHED)
    loaded = advice.revision
    colleague = make_user(Role.EDITOR, display_names=["Noor"])
    workflow.edit(session, colleague, advice, advice_form(body="Versie van Noor.\n"), loaded)
    session.commit()
    with pytest.raises(Conflict) as conflict:
        workflow.edit(session, people.editor, advice, advice_form(body="Mijn versie.\n"), loaded)
    assert conflict.value.status_code == 409
    assert conflict.value.mine.body == "Mijn versie.\n"
    assert conflict.value.theirs.body == "Versie van Noor.\n"
    assert conflict.value.theirs_by == colleague.id
    assert conflict.value.revision == loaded + 1
    session.rollback()
    assert session.get(Advice, advice.id).body == "Versie van Noor.\n"


def test_the_same_text_sent_twice_is_no_conflict_and_no_second_revision(session, people,
                                                                        advice_in):
    advice = advice_in(S.DRAFT)
    loaded = advice.revision
    workflow.save_draft(session, people.writer, advice, advice_form(title="Nieuw"), loaded)
    session.commit()
    workflow.save_draft(session, people.writer, advice, advice_form(title="Nieuw"), loaded)
    session.commit()
    assert advice.revision == loaded + 1


def test_a_stale_action_is_refused_as_changed(session, people, advice_in):
    advice = advice_in(S.SUBMITTED)
    with pytest.raises(StateError) as refused:
        workflow.publish(session, people.editor, advice, advice.revision - 1)
    assert refused.value.reason == "changed"


def test_two_saves_at_the_same_moment_end_in_a_conflict_not_an_error(app, people, advice_in,
                                                                     session):
    """Both sessions read revision N before either commits; the database decides."""
    advice = advice_in(S.PUBLISHED)
    engine = app.extensions["kb.engine"]
    with Session(engine, expire_on_commit=False) as first, \
            Session(engine, expire_on_commit=False) as second:
        mine, theirs = first.get(Advice, advice.id), second.get(Advice, advice.id)
        _ = mine.revisions, theirs.revisions, mine.themes, theirs.themes
        workflow.edit(first, people.editor, mine, advice_form(body="Eerst.\n"), advice.revision)
        first.commit()
        with app.test_request_context():
            g.db_session = second
            with pytest.raises(Conflict) as conflict:
                run(workflow.edit, people.admin, theirs, advice_form(body="Tegelijk.\n"),
                    advice.revision)
            g.pop("db_session")
        assert conflict.value.theirs.body == "Eerst.\n"
        assert conflict.value.mine.body == "Tegelijk.\n"


# --------------------------------------------------------------------------- history, slugs


def test_restoring_a_revision_adds_a_new_revision_with_the_old_text(session, people,
                                                                    advice_in):
    advice = advice_in(S.PUBLISHED)
    workflow.edit(session, people.editor, advice, advice_form(title="Nieuwe titel"),
                  advice.revision)
    session.commit()
    before = advice.revision
    workflow.restore_revision(session, people.editor, advice, 1, advice.revision)
    session.commit()
    assert advice.revision == before + 1
    assert advice.title == "Luister naar jongeren"
    assert advice.status == S.PUBLISHED
    assert advice.revisions[-1].note == "Versie 1 teruggezet"
    assert [r.number for r in advice.revisions] == list(range(1, before + 2))
    with pytest.raises(InvalidInput):
        workflow.restore_revision(session, people.editor, advice, 99, advice.revision)


@pytest.mark.parametrize(("slug", "code"), [("Geen Spaties", "invalid"), ("", "invalid"),
                                            ("x" * 81, "invalid"), ("bezet", "taken"),
                                            ("vroeger-bezet", "taken")])
def test_a_rename_needs_a_valid_free_slug(session, people, advice_in, make_advice, slug, code):
    make_advice(slug="bezet")
    other = make_advice(slug="nu-anders")
    session.add(OldSlug(advice_id=other.id, slug="vroeger-bezet"))
    session.commit()
    advice = advice_in(S.PUBLISHED)
    with pytest.raises(InvalidInput) as refused:
        workflow.rename_slug(session, people.editor, advice, slug, advice.revision)
    assert refused.value.errors == {"slug": code}


def test_a_rename_keeps_the_old_slug_for_redirects(session, people, advice_in, client):
    advice = advice_in(S.PUBLISHED)
    workflow.rename_slug(session, people.editor, advice, "nieuw-adres", advice.revision)
    session.commit()
    response = client.get(f"/advies/{advice.id}/luister-naar-jongeren")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/advies/{advice.id}/nieuw-adres")
    assert audit_actions(session, advice.id)[-1] == "rename_slug"


# --------------------------------------------------------------------------- withdraw & search


def search_ids(client, query: str) -> list[int]:
    return [hit["id"] for hit in client.get(f"/api/search?q={query}").get_json()["results"]]


def test_withdraw_answers_410_and_leaves_search_and_restore_brings_it_back(
        app, session, people, advice_in, client):
    advice = advice_in(S.SUBMITTED, title="Pleegouders verdienen steun")
    with app.test_request_context():
        g.db_session = session
        run(workflow.publish, people.editor, advice, advice.revision)
        assert search_ids(client, "pleegouders") == [advice.id]
        run(workflow.withdraw, people.editor, advice, "Niet meer actueel.", advice.revision)
        assert client.get(f"/advies/{advice.id}/{advice.slug}").status_code == 410
        assert client.get(f"/api/advies/{advice.id}").status_code == 410
        assert search_ids(client, "pleegouders") == []
        run(workflow.restore, people.editor, advice, advice.revision)
        assert client.get(f"/advies/{advice.id}/{advice.slug}").status_code == 200
        assert search_ids(client, "pleegouders") == [advice.id]
        g.pop("db_session")


def test_the_writer_withdraws_their_own_published_advice_at_once(session, people, advice_in):
    advice = advice_in(S.PUBLISHED)
    workflow.request_withdrawal(session, people.writer, advice, "Ik wil dit niet meer.")
    session.commit()
    assert advice.status == S.WITHDRAWN
    assert advice.revisions[-1].author_id == people.writer.id
    assert audit_actions(session, advice.id)[-1] == "request_withdrawal"
    assert review.feedback(advice) is None  # the writer's own reason is no feedback
