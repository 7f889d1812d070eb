"""Fixtures and helpers shared by the writers' and editors' page tests.

Star-import this module into a test module to get the fixtures (``__all__`` lists only them,
so the shared helpers are imported by name); pytest then finds them there.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from kb import search, workflow
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Advice, AdviceStatus, Role

__all__ = ["advice_by", "log_in", "people"]

S = AdviceStatus

#: A complete, valid advice form as a browser sends it.
FORM = {
    "title": "Luister naar jongeren in de pleegzorg",
    "summary": "Vraag pleegkinderen wat ze nodig hebben, voordat je beslist.",
    "themes": ["pleegzorg", "participatie"],
    "region": "Utrecht",
    "audience": ["gemeenten", "hulpverleners"],
    "display_name": "Sam",
    "body": "## Wat we zien\n\nPleegkinderen worden vaak niet gehoord.\n\n"
            "## Wat we adviseren\n\nVraag het ze zelf.\n\n## Waarom\n\nZij weten het best.\n",
}


def hidden(html: str, name: str) -> str:
    """The value of a hidden field in a page."""
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def article(html: str) -> str:
    """The advice article of a page, as the reader and the preview render it."""
    start = html.index('<article class="advice')
    return html[start:html.index("</article>", start) + len("</article>")]


@pytest.fixture
def people(make_user):
    """A writer (with a pseudonym), another writer, an editor and an admin."""
    return SimpleNamespace(
        writer=make_user(Role.CONTRIBUTOR, login="schrijverlogin",
                         display_names=["Sam", "anoniem"]),
        other=make_user(Role.CONTRIBUTOR, display_names=["Kim"]),
        editor=make_user(Role.EDITOR, login="redacteurlogin", display_names=["Eva"]),
        admin=make_user(Role.ADMIN, display_names=["Beheer"]),
    )


@pytest.fixture
def log_in(log_in_as):
    """Log the client in as an existing account (None: anonymous); see conftest.log_in_as."""
    return log_in_as


@pytest.fixture
def advice_by(app, people):
    """An advice written by ``people.writer`` and brought to ``status`` through the workflow."""

    def make(status: str = S.DRAFT, **overrides) -> Advice:
        fields = {**FORM, **overrides}
        with app.app_context():
            with session_scope() as session:
                advice = workflow.create_draft(session, people.writer,
                                               AdviceForm(**fields))
            steps = {
                S.SUBMITTED: [lambda s, a: workflow.submit(s, people.writer, a, a.revision)],
                S.CHANGES_REQUESTED: [
                    lambda s, a: workflow.submit(s, people.writer, a, a.revision),
                    lambda s, a: workflow.request_changes(s, people.editor, a, "Korter graag."),
                ],
                S.PUBLISHED: [
                    lambda s, a: workflow.submit(s, people.writer, a, a.revision),
                    lambda s, a: workflow.publish(s, people.editor, a, a.revision),
                ],
                S.WITHDRAWN: [
                    lambda s, a: workflow.submit(s, people.writer, a, a.revision),
                    lambda s, a: workflow.publish(s, people.editor, a, a.revision),
                    lambda s, a: workflow.withdraw(s, people.editor, a, "Verouderd."),
                ],
            }.get(status, [])
            for step in steps:
                with session_scope() as session:
                    step(session, session.get(Advice, advice.id))
            with session_scope() as session:
                search.catch_up(session, wait=True)
                advice = session.get(Advice, advice.id)
                _ = advice.revisions, advice.themes
        assert advice.status == status
        return advice

    return make


def search_ids(client, query: str) -> list[int]:
    """The ids /api/search finds for a query."""
    return [hit["id"] for hit in client.get(f"/api/search?q={query}").get_json()["results"]]
