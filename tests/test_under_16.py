"""Writers younger than 16: they say so at invite redemption (only the band is stored), write
drafts at once, and send advice only after an editor recorded a guardian's consent."""

from __future__ import annotations

import pytest
from sqlmodel import select

from kb import consent, workflow
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Advice, AuditEntry, GuardianConsent, User
from tests.conftest import TEST_PASSWORD
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, S


@pytest.fixture
def young(app, client, post, make_invite):
    """A writer who ticked "Ik ben jonger dan 16 jaar" on the invite page (and is logged in)."""
    token = make_invite()
    page = client.get(f"/uitnodiging/{token}").get_data(as_text=True)
    assert "Ik ben jonger dan 16 jaar" in page
    response = post(f"/uitnodiging/{token}", {
        "login": "jonge.schrijver", "password": TEST_PASSWORD, "password_repeat": TEST_PASSWORD,
        "name_choice": "own", "display_name": "Noa", "email": "", "under_16": "ja"})
    assert response.status_code == 303
    with app.app_context(), session_scope() as session:
        return session.exec(select(User).where(User.login == "jonge.schrijver")).one()


def test_only_the_age_band_is_stored(app, young):
    with app.app_context(), session_scope() as session:
        row = session.get(GuardianConsent, young.id)
        assert row is not None and row.given_at is None
        assert set(GuardianConsent.model_fields) == {"user_id", "given_at", "recorded_by_id"}


def test_a_young_writer_keeps_drafts_but_sends_only_after_consent(app, client, post, people,
                                                                  log_in, young):
    # "Stuur naar de redactie": kept as a draft, and told why.
    response = post("/schrijven", {**FORM, "display_name": "Noa", "action": "submit"})
    assert response.status_code == 303
    with app.app_context(), session_scope() as session:
        advice = session.exec(select(Advice).where(Advice.owner_id == young.id)).one()
        assert advice.status == S.DRAFT
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Je bent jonger dan 16" in page
    # The workflow itself refuses, with a Dutch explanation.
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        writer = session.get(User, young.id)
        assert not workflow.may(writer, "submit", advice)
        with pytest.raises(workflow.NotAllowed) as refused:
            workflow.submit(session, writer, advice, advice.revision)
        assert refused.value.reason == "guardian_consent"
        with pytest.raises(workflow.NotAllowed):
            workflow.create_draft(session, writer, AdviceForm(**{**FORM, "display_name": "Noa"}),
                                  submit=True)
    # An editor records the consent.
    log_in(people.writer)
    assert post(f"/beheer/toestemming/{young.id}").status_code == 403
    log_in(people.editor)
    assert "jonge.schrijver" in client.get("/beheer/toestemming").get_data(as_text=True)
    assert post(f"/beheer/toestemming/{young.id}").status_code == 303
    assert "jonge.schrijver" not in client.get("/beheer/toestemming").get_data(as_text=True)
    assert post(f"/beheer/toestemming/{young.id}").status_code == 409  # already recorded
    with app.app_context(), session_scope() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "consent.record")).one()
        assert entry.actor_id == people.editor.id and entry.detail == {"target_id": young.id}
        advice = session.get(Advice, advice.id)
        writer = session.get(User, young.id)
        assert not consent.needs_consent(session, writer)
        workflow.submit(session, writer, advice, advice.revision)
        assert advice.status == S.SUBMITTED


def test_a_writer_of_16_or_older_stores_nothing_and_sends_at_once(app, post, make_invite):
    token = make_invite()
    response = post(f"/uitnodiging/{token}", {
        "login": "oudere.schrijver", "password": TEST_PASSWORD,
        "password_repeat": TEST_PASSWORD, "name_choice": "own", "display_name": "Mo",
        "email": ""})
    assert response.status_code == 303
    with app.app_context(), session_scope() as session:
        assert session.exec(select(GuardianConsent)).all() == []
    assert post("/schrijven", {**FORM, "display_name": "Mo", "action": "submit"}) \
        .status_code == 303
    with app.app_context(), session_scope() as session:
        assert session.exec(select(Advice.status)).one() == S.SUBMITTED
