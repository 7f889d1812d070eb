"""The interchange format: validation of every error kind, all-or-nothing import, round trip."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from kb.content import dump_advice, import_paths, parse_file
from kb.models import Advice, AdviceStatus, OldSlug, Revision

VALID = """---
title: "Luister eerst, plaats daarna"
themes: [uithuisplaatsing, toegang]
summary: "Vraag jongeren wat zij nodig hebben voordat je een plek kiest."
authors: [ExpEx Flevoland]
region: Flevoland
audience: [gemeenten, jeugdhulpaanbieders]
published: 2025-03-14
slug: luister-eerst-plaats-daarna
language: nl
---
## Wat we zien

Jongeren worden uit huis geplaatst zonder dat iemand vraagt wat zij willen.
"""


def import_files(app, paths):
    from kb.db import session_scope

    with app.app_context(), session_scope() as session:
        report = import_paths(session, paths)
        if report.problems:
            session.rollback()
        return report


def advice_rows(app):
    from kb.db import session_scope

    with app.app_context(), session_scope() as session:
        return session.exec(select(Advice)).all()


def test_a_valid_file_imports_as_published_advice(app, write_file):
    report = import_files(app, [write_file("a.md", VALID)])
    assert not report.problems
    [advice] = advice_rows(app)
    assert advice.title == "Luister eerst, plaats daarna"
    assert advice.status == AdviceStatus.PUBLISHED
    assert advice.authors == ["ExpEx Flevoland"]
    assert advice.audience == ["gemeenten", "jeugdhulpaanbieders"]
    assert str(advice.published) == "2025-03-14"
    assert '<h2 id="wat-we-zien">' in advice.body_html


def test_defaults_fill_in_optional_fields(app, write_file):
    text = '---\ntitle: "Een titel met Ë"\nthemes: pleegzorg\nsummary: "Kort."\n---\nTekst.\n'
    import_files(app, [write_file("b.md", text)])
    [advice] = advice_rows(app)
    assert advice.slug == "een-titel-met-e"
    assert advice.authors == ["ExpEx"]
    assert advice.language == "nl"
    assert advice.published is not None


def _replace(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new)


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (_replace('title: "Luister eerst, plaats daarna"', "title: [oops"), 3,
         "malformed YAML"),
        (_replace('title: "Luister eerst, plaats daarna"\n', ""), 1,
         "missing required field 'title'"),
        (_replace('summary: "Vraag jongeren wat zij nodig hebben voordat je een plek kiest."\n',
                  ""), 1, "missing required field 'summary'"),
        (_replace("themes: [uithuisplaatsing, toegang]\n", ""), 1,
         "missing required field 'themes'"),
        (_replace("Luister eerst, plaats daarna", "x" * 161), 2, "longer than 160"),
        (_replace("Vraag jongeren wat zij nodig hebben voordat je een plek kiest.", "y" * 301), 4,
         "longer than 300"),
        (_replace("[uithuisplaatsing, toegang]", "[uithuisplaatsing, ruimtevaart]"), 3,
         "unknown theme 'ruimtevaart'"),
        (_replace("published: 2025-03-14", "published: 2025-02-30"), 8, "bad date"),
        (_replace("published: 2025-03-14", "published: gisteren"), 8, "bad date"),
        (_replace("[gemeenten, jeugdhulpaanbieders]", "[gemeenten, iedereen]"), 7,
         "unknown audience 'iedereen'"),
        (_replace("slug: luister-eerst-plaats-daarna", "slug: Luister Eerst!"), 9, "bad slug"),
        (_replace("language: nl", "language: nederlands"), 10, "bad language code"),
        (_replace("language: nl", "language: nl\ncolor: red"), 11, "unknown field 'color'"),
        (_replace("language: nl", "language: nl\nid: abc"), 11, "bad id 'abc'"),
        (_replace("language: nl", "language: nl\nid: 0"), 11, "bad id '0'"),
        (_replace("language: nl", "language: nl\nid: 2147483648"), 11, "bad id '2147483648'"),
        (_replace("published: 2025-03-14", "published: 9999-12-31"), 8,
         "published date 9999-12-31 is in the future"),
        (_replace("published: 2025-03-14", "published: 1989-12-31"), 8,
         "published date 1989-12-31 is before 1990"),
        (_replace("Vraag jongeren", "Vraag\x00jongeren"), 4, "a NUL character"),
        (_replace("language: nl", "language: nl\nold_slugs: [Oud Adres]"), 11,
         "bad old slug 'Oud Adres'"),
        (_replace("language: nl", "language: nl\nold_slugs: [luister-eerst-plaats-daarna]"), 11,
         "old slug 'luister-eerst-plaats-daarna' is the advice's own slug"),
        (VALID.split("---\n## Wat")[0] + "---\n", 11, "no body text"),
        ("Geen front matter\n", 1, "must start with front matter"),
        ("---\ntitle: x\n", 1, "not closed"),
        ("---\n- a\n- b\n---\nTekst\n", 2, "front matter must be"),
    ],
)
def test_every_problem_is_reported_with_path_and_line(app, write_file, content, line, message):
    path = write_file("bad.md", content)
    report = import_files(app, [path])
    assert report.problems, "expected a problem"
    rendered = [str(p) for p in report.problems]
    assert any(p.startswith(f"{path}:{line}: ") and message in p for p in rendered), rendered
    assert advice_rows(app) == []


def test_a_file_that_is_not_utf8_is_reported_at_its_line(app, write_file):
    data = VALID.encode("utf-8").replace(b"Jongeren worden", b"Jongeren \xff worden")
    path = write_file("latin.md", data)
    [problem] = import_files(app, [path]).problems
    assert str(problem) == f"{path}:14: file is not valid UTF-8"


def test_a_nul_byte_is_reported_at_its_line_and_nothing_is_imported(app, write_file):
    """PostgreSQL refuses a NUL in text: it used to end the import with a raw traceback."""
    path = write_file("nul.md", VALID.replace("Jongeren worden", "Jongeren\x00 worden"))
    good = write_file("good.md", VALID.replace("slug: luister-eerst-plaats-daarna",
                                               "slug: een-ander-advies"))
    [problem] = import_files(app, [good, path]).problems
    assert str(problem) == (f"{path}:14: the file contains a NUL character (a zero byte), "
                            "which text may not hold; remove it")
    assert advice_rows(app) == []


def test_a_published_date_may_be_at_most_tomorrow(app, write_file):
    today = date.today()
    for day, ok in ((today + timedelta(days=1), True), (today + timedelta(days=2), False),
                    (date(1990, 1, 1), True)):
        text = VALID.replace("published: 2025-03-14", f"published: {day.isoformat()}")
        report = import_files(app, [write_file(f"{day}.md", text)])
        assert (not report.problems) is ok, (day, report.problems)


def test_a_file_over_one_megabyte_is_refused(app, write_file):
    path = write_file("big.md", VALID + "woord " * 200_000)
    [problem] = import_files(app, [path]).problems
    assert str(problem).startswith(f"{path}:1: file is larger than 1 MB")


def test_a_duplicate_slug_within_a_run_imports_nothing(app, write_file):
    first = write_file("one.md", VALID)
    second = write_file("two.md", VALID.replace("Luister eerst,", "Luister altijd,"))
    report = import_files(app, [first, second])
    assert any("duplicate slug 'luister-eerst-plaats-daarna'" in str(p) for p in report.problems)
    assert advice_rows(app) == []


def test_one_bad_file_means_nothing_from_the_run_is_imported(app, write_file):
    good = write_file("good.md", VALID)
    bad = write_file("bad.md", VALID.replace("slug: luister-eerst-plaats-daarna", "slug: b")
                     .replace("themes: [uithuisplaatsing, toegang]", "themes: [onbekend]"))
    report = import_files(app, [good, bad])
    assert len(report.problems) == 1
    assert advice_rows(app) == []


def test_folders_are_searched_recursively_for_markdown(app, write_file):
    write_file("deep/er/a.md", VALID)
    write_file("deep/notes.txt", "not advice")
    report = import_files(app, [write_file("deep/er/a.md", VALID).parent.parent])
    assert len(report.created) == 1


def test_a_big_import_writes_in_chunks_and_reports_every_file(app, write_file, monkeypatch):
    monkeypatch.setattr("kb.content.IMPORT_CHUNK", 2)
    paths = [write_file(f"many/{i}.md", VALID.replace("slug: luister-eerst-plaats-daarna",
                                                      f"slug: advies-{i}")) for i in range(5)]
    report = import_files(app, [paths[0].parent])
    assert sorted(report.created) == [f"advies-{i}" for i in range(5)]
    assert len(advice_rows(app)) == 5


@pytest.mark.parametrize("change", ["breaks", "renames"])
def test_a_file_that_changes_during_the_import_stops_it(app, write_file, monkeypatch, change):
    """The second pass parses each file again; if it no longer is what the first pass checked,
    the run reports it and (as for any problem) imports nothing."""
    monkeypatch.setattr("kb.content.IMPORT_CHUNK", 1)
    first = write_file("run/a.md", VALID)
    second = write_file("run/b.md", VALID.replace("slug: luister-eerst-plaats-daarna",
                                                  "slug: tweede"))
    import kb.content

    real_parse, calls = kb.content.parse_file, []

    def parse_then_change(path, known, today):
        calls.append(path)
        if len(calls) == 3:  # the second pass has written a.md and now reads b.md
            new = ("slug: derde" if change == "renames" else "themes: [onbekend]")
            old = "slug: tweede" if change == "renames" else "themes: [uithuisplaatsing, toegang]"
            second.write_text(second.read_text().replace(old, new))
        return real_parse(path, known, today)

    monkeypatch.setattr("kb.content.parse_file", parse_then_change)
    report = import_files(app, [first.parent])
    assert [p.path.name for p in report.problems] == ["b.md"]
    if change == "renames":
        assert "changed during the import" in report.problems[0].message
    assert advice_rows(app) == []


def test_a_file_named_twice_in_one_run_is_imported_once(app, write_file):
    path = write_file("twice/a.md", VALID)
    report = import_files(app, [path, path.parent])
    assert not report.problems
    assert report.created == ["luister-eerst-plaats-daarna"]
    assert len(advice_rows(app)) == 1


def test_reimporting_an_unchanged_file_changes_nothing(app, write_file):
    path = write_file("a.md", VALID)
    import_files(app, [path])
    report = import_files(app, [path])
    assert (len(report.created), len(report.updated), len(report.unchanged)) == (0, 0, 1)
    [advice] = advice_rows(app)
    assert advice.revision == 1


def test_a_changed_file_updates_its_advice_through_a_new_revision(app, write_file):
    path = write_file("a.md", VALID)
    import_files(app, [path])
    path.write_text(VALID.replace("zonder dat iemand vraagt", "terwijl niemand vraagt"))
    report = import_files(app, [path])
    assert len(report.updated) == 1
    [advice] = advice_rows(app)
    assert advice.revision == 2
    assert "terwijl niemand vraagt" in advice.body
    from kb.db import session_scope

    with app.app_context(), session_scope() as session:
        revisions = session.exec(select(Revision).order_by(Revision.number)).all()
        assert [r.number for r in revisions] == [1, 2]
        assert "zonder dat iemand vraagt" in revisions[0].content["body"]
        assert "terwijl niemand vraagt" in revisions[1].content["body"]


def test_a_draft_cannot_be_overwritten_by_an_import(app, write_file, make_advice):
    make_advice(status=AdviceStatus.DRAFT, slug="luister-eerst-plaats-daarna")
    report = import_files(app, [write_file("a.md", VALID)])
    assert any("import only updates published advice" in str(p) for p in report.problems)


def test_export_then_import_into_an_empty_instance_then_export_gives_identical_files(
        demo_app, tmp_path):
    from app import create_app
    from kb.advice import content_of, save_advice
    from kb.db import session_scope

    with demo_app.app_context(), session_scope() as session:  # a rename, and a gap in the ids
        renamed = session.exec(select(Advice).order_by(Advice.id)).first()
        old_slug = renamed.slug
        save_advice(session, renamed, replace(content_of(renamed), slug="zz-nieuw-adres"),
                    status=AdviceStatus.PUBLISHED)
        withdrawn = session.exec(select(Advice).order_by(Advice.id).offset(5)).first()
        save_advice(session, withdrawn, content_of(withdrawn), status=AdviceStatus.WITHDRAWN)
        ids = {a.slug: a.id for a in session.exec(select(Advice)).all() if a.is_public}
    first, second = tmp_path / "first", tmp_path / "second"
    result = demo_app.test_cli_runner().invoke(args=["kb", "export", str(first)])
    assert result.exit_code == 0, result.output

    other = create_app({"INSTANCE_PATH": tmp_path / "other", "LOAD_DEMO": False,
                        "DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}",
                        "INDEX_DIR": str(tmp_path / "other-index")})
    runner = other.test_cli_runner()
    assert runner.invoke(args=["kb", "import", str(first)]).exit_code == 0
    assert runner.invoke(args=["kb", "export", str(second)]).exit_code == 0
    first_files = {p.name: p.read_bytes() for p in first.glob("*.md")}
    second_files = {p.name: p.read_bytes() for p in second.glob("*.md")}
    assert len(first_files) >= 24
    assert first_files == second_files
    with other.app_context(), session_scope() as session:
        assert {a.slug: a.id for a in session.exec(select(Advice)).all()} == ids
        assert session.exec(select(OldSlug.advice_id, OldSlug.slug)).all() == [
            (renamed.id, old_slug)]
    response = other.test_client().get(f"/advies/{renamed.id}/{old_slug}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/advies/{renamed.id}/zz-nieuw-adres")
    other.extensions["kb.engine"].dispose()


def test_an_imported_id_is_kept_and_new_advice_get_higher_ids(app, write_file, make_advice):
    text = VALID.replace("language: nl", "language: nl\nid: 40\nold_slugs: [luister-eerst]")
    report = import_files(app, [write_file("a.md", text)])
    assert not report.problems
    [advice] = advice_rows(app)
    assert advice.id == 40
    assert make_advice().id > 40  # on PostgreSQL: the sequence was moved past 40
    from kb.db import session_scope
    from kb.workflow import slug_taken

    with app.app_context(), session_scope() as session:
        assert slug_taken(session, "luister-eerst")  # never handed to another advice
    assert app.test_client().get("/advies/40/luister-eerst").status_code == 301


def test_an_id_that_belongs_to_another_advice_is_a_problem(app, write_file, make_advice):
    other = make_advice(slug="een-ander-advies")
    text = VALID.replace("language: nl", f"language: nl\nid: {other.id}")
    path = write_file("a.md", text)
    [problem] = import_files(app, [path]).problems
    assert str(problem) == (f"{path}:11: id {other.id} already belongs to another advice "
                            "('een-ander-advies')")
    assert [a.slug for a in advice_rows(app)] == ["een-ander-advies"]


@pytest.mark.parametrize("second_extra, message", [
    ("id: 7", "duplicate id 7 (also in"),
    ("old_slugs: [oud]", "old slug 'oud' is also used in"),
])
def test_an_id_or_old_slug_named_twice_in_one_run_is_a_problem(app, write_file, second_extra,
                                                                message):
    first = write_file("one.md", VALID.replace("language: nl", "language: nl\nid: 7\n"
                                               "old_slugs: [oud]"))
    second = write_file("two.md", VALID.replace("luister-eerst-plaats-daarna", "tweede")
                        .replace("language: nl", f"language: nl\n{second_extra}"))
    report = import_files(app, [first, second])
    assert any(str(p).startswith(f"{second}:11: {message}") for p in report.problems), \
        report.problems
    assert advice_rows(app) == []


def test_an_old_slug_of_another_advice_is_a_problem(app, write_file, make_advice):
    make_advice(slug="al-in-gebruik")
    path = write_file("a.md", VALID.replace("language: nl",
                                            "language: nl\nold_slugs: [al-in-gebruik]"))
    [problem] = import_files(app, [path]).problems
    assert str(problem) == f"{path}:11: old slug 'al-in-gebruik' belongs to another advice"


def test_export_writes_the_id_and_old_slugs_in_the_front_matter(app, write_file, tmp_path):
    text = VALID.replace("language: nl", "language: nl\nid: 12\nold_slugs: [eerder, ooit]")
    import_files(app, [write_file("a.md", text)])
    from kb.content import export_all
    from kb.db import session_scope

    with app.app_context(), session_scope() as session:
        [path] = export_all(session, tmp_path / "out")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1] == "id: 12"
    assert lines[lines.index("slug: luister-eerst-plaats-daarna") + 1] == (
        'old_slugs: ["eerder", "ooit"]')


def test_dumped_advice_parses_back_to_the_same_content(app, write_file):
    path = write_file("a.md", VALID)
    parsed = parse_file(path, {"uithuisplaatsing", "toegang"}, today=None)
    again = write_file("again.md", dump_advice(parsed.content))
    assert parse_file(again, {"uithuisplaatsing", "toegang"}, today=None).content == parsed.content


def test_the_demo_content_is_complete_and_valid():
    from datetime import date

    folder = Path(__file__).resolve().parent.parent / "content" / "demo"
    themes = {p.stem for p in (folder.parent.parent / "themes").glob("*.yaml")}
    parsed = [parse_file(p, themes, date.today()) for p in sorted(folder.glob("*.md"))]
    assert len(parsed) >= 24
    assert [str(p) for item in parsed for p in item.problems] == []
    covered = {t for item in parsed for t in item.content.themes}
    assert covered == themes
    for item in parsed:
        words = len(item.content.body.split())
        assert 200 <= words <= 500, (item.path.name, words)
        assert "## " in item.content.body


def test_cli_import_prints_problems_and_exits_1(runner, write_file):
    path = write_file("bad.md", VALID.replace("published: 2025-03-14", "published: 14-03-2025"))
    result = runner.invoke(args=["kb", "import", str(path)])
    assert result.exit_code == 1
    assert f"{path}:8: bad date '14-03-2025'" in result.output


def test_cli_import_reports_a_nul_byte_and_a_future_date_and_exits_1(app, runner, write_file):
    path = write_file("bad.md", VALID.replace("published: 2025-03-14", "published: 9999-12-31")
                      .replace("Jongeren worden", "Jongeren\x00 worden"))
    result = runner.invoke(args=["kb", "import", str(path)])
    assert result.exit_code == 1
    assert f"{path}:8: published date 9999-12-31 is in the future" in result.output
    assert f"{path}:14: the file contains a NUL character" in result.output
    assert advice_rows(app) == []


def test_cli_import_prints_a_summary_and_makes_advice_searchable(app, runner, write_file):
    result = runner.invoke(args=["kb", "import", str(write_file("a.md", VALID))])
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 unchanged" in result.output
    response = app.test_client().get("/api/search?q=geplaatst")
    assert [r["slug"] for r in response.get_json()["results"]] == ["luister-eerst-plaats-daarna"]


def test_a_big_cli_import_rebuilds_the_index_and_is_searchable(app, runner, write_file,
                                                               monkeypatch):
    monkeypatch.setattr("kb.cli.REBUILD_AFTER_IMPORT", 2)
    folder = write_file("many/a.md", VALID).parent
    write_file("many/b.md", VALID.replace("slug: luister-eerst-plaats-daarna", "slug: tweede"))
    with app.app_context():
        from kb.search import search_index

        before = search_index().applied()
    result = runner.invoke(args=["kb", "import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged" in result.output
    response = app.test_client().get("/api/search?q=geplaatst")
    assert sorted(r["slug"] for r in response.get_json()["results"]) == [
        "luister-eerst-plaats-daarna", "tweede"]
    with app.app_context():
        generations = sorted(p.name for p in search_index().root.glob("gen-*"))
        # The rebuilt index has applied the import's changes. (Its horizon need not move: on
        # PostgreSQL it is the server's oldest running transaction, which may belong to
        # another database on the same server, e.g. a parallel test holding one open.)
        assert search_index().applied() != before
        from kb import indexing
        from kb.db import get_session

        assert not indexing.is_behind(get_session(), search_index())
    assert len(generations) == 1 and generations != ["gen-1"]  # a new generation: rebuilt
