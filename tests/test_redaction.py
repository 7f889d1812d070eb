"""History that can forget: "Wis uit de geschiedenis" wipes a passage from an advice and every
revision that holds it; search, feed, API, backups and exports made afterwards follow; the
audit log says that it happened, never what; the editor's review points at old versions that
still hold a detail."""

from __future__ import annotations

import gzip
import html
import json
import re
import tarfile
from pathlib import Path

import pytest
from sqlmodel import select

from kb import backup, redaction, search, workflow
from kb.content import export_all
from kb.db import session_scope
from kb.forms import AdviceForm
from kb.models import Advice, AuditEntry, OldSlug, Revision
from tests.workflow_fixtures import *  # noqa: F403  (the shared fixtures)
from tests.workflow_fixtures import FORM, S, hidden, search_ids

PHONE = "06-12345678"
NAME = "Sanne Verbeek"
WITH_DETAILS = {
    **FORM,
    "body": f"## Wat we zien\n\nMijn voogd {NAME} belde me nooit terug op {PHONE}.\n\n"
            "## Wat we adviseren\n\nBel jongeren terug.\n\n## Waarom\n\nZe wachten erop.\n",
}
WITHOUT_DETAILS = {
    **FORM,
    "body": "## Wat we zien\n\nMijn voogd belde me nooit terug.\n\n"
            "## Wat we adviseren\n\nBel jongeren terug.\n\n## Waarom\n\nZe wachten erop.\n",
}


def everything_stored(app, advice_id: int) -> str:
    """Every text the database keeps about this advice, as one string."""
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice_id)
        parts = [advice.title, advice.summary, advice.body, advice.body_html,
                 json.dumps(advice.toc), json.dumps(advice.authors), advice.slug]
        for revision in session.exec(select(Revision).where(Revision.advice_id == advice_id)):
            parts += [json.dumps(revision.content, ensure_ascii=False), revision.note]
        for entry in session.exec(select(AuditEntry).where(AuditEntry.advice_id == advice_id)):
            parts.append(json.dumps(entry.detail, ensure_ascii=False))
        parts += session.exec(select(OldSlug.slug).where(OldSlug.advice_id == advice_id)).all()
    return "\n".join(parts)


@pytest.fixture
def taken_out(app, people, advice_by):
    """The finding: a phone number and a name written, then taken out before it was sent; the
    advice published without them. They stay in revision 1."""
    advice = advice_by(S.DRAFT, **WITH_DETAILS)
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        workflow.save_draft(session, people.writer, advice, AdviceForm(**WITHOUT_DETAILS),
                            advice.revision)
        workflow.submit(session, people.writer, advice, advice.revision)
        workflow.publish(session, people.editor, advice, advice.revision)
    return advice


def test_the_writer_wipes_a_phone_number_from_every_version(app, client, post, people, log_in,
                                                            taken_out):
    advice = taken_out
    assert PHONE in everything_stored(app, advice.id)  # the history kept it
    log_in(people.writer)
    page = client.get(f"/mijn-adviezen/{advice.id}/wissen")
    assert page.status_code == 200
    # First step: where is it? Nothing changes yet.
    found = post(f"/mijn-adviezen/{advice.id}/wissen", {"passage": PHONE, "step": "check"})
    text = html.unescape(found.get_data(as_text=True))
    assert found.status_code == 200
    assert f"“{PHONE}” staat in 1 versie: 1." in text
    assert "Ja, wis het overal" in text
    assert PHONE in everything_stored(app, advice.id)
    # Second step: wipe it.
    done = post(f"/mijn-adviezen/{advice.id}/wissen", {"passage": PHONE, "step": "confirm"})
    assert done.status_code == 303
    stored = everything_stored(app, advice.id)
    assert PHONE not in stored
    assert redaction.REDACTED in stored
    with app.app_context(), session_scope() as session:
        first = session.exec(select(Revision).where(Revision.advice_id == advice.id,
                                                    Revision.number == 1)).one()
        assert f"terug op {redaction.REDACTED}." in first.content["body"]
        assert NAME in first.content["body"]  # only what was asked for is wiped
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "redact")).one()
        assert entry.actor_id == people.writer.id and entry.advice_id == advice.id
        assert entry.detail == {"revisions": 1, "current": False}
        # Restoring the old version no longer brings it back.
        advice = session.get(Advice, advice.id)
        workflow.restore_revision(session, people.editor, advice, 1, advice.revision)
        assert PHONE not in advice.body and redaction.REDACTED in advice.body


def test_the_editors_review_points_at_old_versions_that_still_hold_a_detail(
        app, client, post, people, log_in, advice_by):
    advice = advice_by(S.DRAFT, **WITH_DETAILS)
    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        workflow.submit(session, people.writer, advice, advice.revision,
                        AdviceForm(**WITHOUT_DETAILS))
    log_in(people.editor)
    page = html.unescape(re.sub(r"<[^>]+>", "", client.get(
        f"/redactie/advies/{advice.id}").get_data(as_text=True)))
    assert "Versie 1 bevat nog een naam, een telefoonnummer — wis het uit de geschiedenis." in \
        page
    for passage in (PHONE, NAME):
        assert post(f"/redactie/advies/{advice.id}/wissen",
                    {"passage": passage, "step": "confirm"}).status_code == 303
    page = client.get(f"/redactie/advies/{advice.id}").get_data(as_text=True)
    assert "bevat nog" not in page
    assert PHONE not in everything_stored(app, advice.id)
    assert NAME not in everything_stored(app, advice.id)


def test_a_passage_in_the_public_text_leaves_page_search_feed_api_exports_and_backups(
        app, client, post, people, log_in, advice_by, tmp_path: Path):
    advice = advice_by(S.PUBLISHED, **{**WITH_DETAILS, "title": f"Bel terug, {NAME}"})
    assert search_ids(client, "Verbeek") == [advice.id]
    old_url = f"/advies/{advice.id}/{advice.slug}"
    assert "sanne-verbeek" in advice.slug
    log_in(people.editor)
    # Another line break and other capitals: still found.
    response = post(f"/redactie/advies/{advice.id}/wissen",
                    {"passage": "sanne\n verbeek", "step": "confirm"})
    assert response.status_code == 303

    with app.app_context(), session_scope() as session:
        advice = session.get(Advice, advice.id)
        assert advice.status == S.PUBLISHED
        assert advice.title == f"Bel terug, {redaction.REDACTED}"
        assert "sanne" not in advice.slug
        assert advice.revisions[-1].note == "Tekst gewist uit de geschiedenis"
    assert NAME not in everything_stored(app, advice.id)
    public = client.get(f"/advies/{advice.id}/{advice.slug}")
    assert public.status_code == 200 and NAME not in public.get_data(as_text=True)
    # The old link spelled the name: it is no longer kept as an old slug (everything_stored);
    # like any wrong slug it still leads to the advice, under its new address.
    assert client.get(old_url).headers["Location"].endswith(advice.slug)
    assert search_ids(client, "Verbeek") == []
    assert search_ids(client, "voogd") == [advice.id]
    assert "Verbeek" not in client.get("/feed.xml").get_data(as_text=True)
    assert "Verbeek" not in client.get(f"/api/advies/{advice.id}").get_data(as_text=True)
    for path in Path(app.config["INDEX_DIR"]).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"Verbeek" not in data and b"verbeek" not in data, path

    with app.app_context(), session_scope() as session:
        files = export_all(session, tmp_path / "export")
    assert files and not any("Verbeek" in f.read_text(encoding="utf-8") for f in files)
    archive = tmp_path / "backup.tar"
    backup.backup(app.config["DATABASE_URL"], archive)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            data = tar.extractfile(member).read() if member.isfile() else b""
            if member.name.endswith(".gz"):
                data = gzip.decompress(data)
            assert b"Verbeek" not in data, member.name


@pytest.mark.parametrize(("passage", "code", "text"), [
    ("06", "too_short", "Schrijf minstens 3 tekens"),
    ("x" * 501, "too_long", "Dat is te veel tekst in één keer"),
    ("Amsterdam-Noord", "not_found", "Deze tekst staat in geen enkele versie"),
])
def test_an_unusable_passage_is_explained_and_nothing_changes(app, client, post, people, log_in,
                                                              taken_out, passage, code, text):
    before = everything_stored(app, taken_out.id)
    log_in(people.writer)
    for step in ("check", "confirm"):
        response = post(f"/mijn-adviezen/{taken_out.id}/wissen",
                        {"passage": passage, "step": step})
        assert response.status_code == 400
        assert text in html.unescape(response.get_data(as_text=True))
    assert everything_stored(app, taken_out.id) == before


def test_only_the_writer_and_editors_may_wipe(app, client, post, people, log_in, advice_by,
                                              taken_out):
    draft = advice_by(S.DRAFT, **WITH_DETAILS)
    cases = [
        (people.other, f"/mijn-adviezen/{taken_out.id}/wissen", 404),
        (people.writer, f"/redactie/advies/{taken_out.id}/wissen", 403),
        (people.editor, f"/redactie/advies/{draft.id}/wissen", 404),  # drafts are private
        (None, f"/mijn-adviezen/{taken_out.id}/wissen", 403),
    ]
    for who, url, status in cases:
        log_in(who)
        assert post(url, {"passage": PHONE, "step": "confirm"}).status_code == status, url
    assert PHONE in everything_stored(app, taken_out.id)
    assert PHONE in everything_stored(app, draft.id)
    # The writer may wipe their own draft.
    log_in(people.writer)
    page = client.get(f"/mijn-adviezen/{draft.id}").get_data(as_text=True)
    assert f"/mijn-adviezen/{draft.id}/wissen" in page
    assert post(f"/mijn-adviezen/{draft.id}/wissen",
                {"passage": PHONE, "step": "confirm",
                 "csrf_token": hidden(page, "csrf_token")}).status_code == 303
    assert PHONE not in everything_stored(app, draft.id)


def test_the_search_index_files_forget_a_wiped_word_among_many_advice(app, people, advice_by):
    """A replaced document stays in its old segment (its words in the term list) until the
    segment merges; the redaction's purge merges them, on every node that follows the log."""
    target = advice_by(S.PUBLISHED, **{**FORM, "body": FORM["body"] + "\nBel Verbeekhuis.\n"})
    for number in range(30):  # enough documents that the first segment is not merged anyway
        advice_by(S.PUBLISHED, title=f"Een ander advies, nummer {number}")
    index_files = [p for p in Path(app.config["INDEX_DIR"]).rglob("*") if p.is_file()]
    assert any(b"verbeekhuis" in p.read_bytes() for p in index_files)
    with app.app_context(), session_scope() as session:
        redaction.redact(session, people.editor, session.get(Advice, target.id), "Verbeekhuis")
    with app.app_context(), session_scope() as session:
        search.catch_up(session, wait=True)
    left = [p for p in Path(app.config["INDEX_DIR"]).rglob("*")
            if p.is_file() and b"erbeekhuis" in p.read_bytes()]
    assert left == []
