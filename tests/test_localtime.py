"""Europe/Amsterdam everywhere: one local-time filter, local publication dates, and the same
date for the same moment on every page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kb import localtime, workflow
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Advice
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, S

#: 00:43 on 26 November in Amsterdam (winter time, UTC+1).
LATE = datetime(2025, 11, 25, 23, 43)


@pytest.mark.parametrize(("utc", "expected"), [
    (datetime(2025, 11, 25, 23, 43, tzinfo=UTC), date(2025, 11, 26)),  # winter: UTC+1
    (datetime(2025, 7, 1, 22, 30, tzinfo=UTC), date(2025, 7, 2)),  # summer: UTC+2
    (datetime(2025, 7, 1, 21, 59, tzinfo=UTC), date(2025, 7, 1)),
    (datetime(2025, 11, 25, 22, 59), date(2025, 11, 25)),  # a stored naive UTC time
])
def test_today_is_the_amsterdam_day(utc, expected):
    assert localtime.today(utc) == expected


def test_the_zone_comes_from_tzdata_not_from_a_fallback():
    assert localtime.ZONE.key == "Europe/Amsterdam"
    assert localtime.local(LATE).utcoffset().total_seconds() == 3600


def test_a_change_just_after_midnight_has_the_same_date_on_every_page(app, client, people,
                                                                      log_in, advice_by):
    """The finding: "published 25 november" on the public page against "changed 26 november,
    00:43" on the editors' pages, for changes made in the same minute."""
    advice = advice_by(S.PUBLISHED)
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        workflow.edit(session, people.editor, advice,
                      AdviceForm(**{**FORM, "title": "Later bewerkt"}), advice.revision)
        advice.published = date(2025, 11, 1)
        advice.updated_at = advice.changed_at = LATE
        # The public "Bijgewerkt op" is the date of the version (issue 13): its revision's time.
        advice.revisions[-1].created_at = LATE
    data = client.get(f"/api/advies/{advice.id}").get_json()
    assert data["advice"]["updated"] == "2025-11-26"
    public = client.get(f"/advies/{advice.id}/{advice.slug}").get_data(as_text=True)
    assert "26 november 2025" in public and "25 november 2025" not in public
    log_in(people.editor)
    review = client.get(f"/redactie/advies/{advice.id}").get_data(as_text=True)
    assert "26 november 2025, 00:43" in review
    log_in(people.writer)
    listing = client.get("/mijn-adviezen").get_data(as_text=True)
    assert "26 november 2025, 00:43" in listing


def test_the_beheer_pages_use_the_same_local_time(app, client, make_user, log_in):
    admin = make_user("admin", display_names=["Beheer"])
    with app.app_context(), session_scope() as session:
        session.get(type(admin), admin.id).created_at = LATE
    log_in(admin)
    page = client.get("/beheer/accounts").get_data(as_text=True)
    assert "26 november 2025, 00:43" in page
