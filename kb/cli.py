"""``flask --app app kb …``: thin commands that call the library and print one clear line."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo
from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from kb import bootstrap, db, indexing, migrate, search, vocabulary
from kb.cli_accounts import invite_cli, user_cli
from kb.cli_backup import backup_command, restore_command
from kb.cli_db import db_cli
from kb.cli_i18n import i18n_cli
from kb.cli_mail import mail_cli
from kb.cli_vocabulary import regions_command
from kb.content import export_all, import_paths
from kb.db import session_scope
from kb.models import Advice, AdviceStatus, IndexChange
from kb.themes import ThemeFileError, sync_themes
from search_index import IndexUnavailable, WriterDied

#: An import that creates or changes this many advice rebuilds the index instead of applying
#: each change (what a rebuild of that many documents in parallel beats).
REBUILD_AFTER_IMPORT = 2_000

#: Commands that must work on an empty, new or out-of-date database, so the app's start-up
#: (migrate or refuse, load themes and demo, build the index) does not run before them.
WITHOUT_STARTUP = frozenset({"db", "backup", "restore", "check", "i18n"})


class KbGroup(AppGroup):
    """The ``kb`` group: a database that does not answer, is busy or cannot be written, or an
    index that cannot be used, ends any of its commands with one clear line (exit 1), not a
    traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except IndexUnavailable as error:
            # What the database committed stands; the index catches up once it can be written.
            raise click.ClickException(f"the search index cannot be used: {error}") from error
        except Exception as error:
            fault = db.fault_of(error)
            if fault is None or isinstance(error, click.ClickException):
                raise
            raise click.ClickException(
                f"the database is {fault.value}: {db.describe(error)}. Nothing more was done; "
                "what was committed before stays. Try again when the database answers."
            ) from error


@click.group("kb", cls=KbGroup)
@click.pass_context
def kb_cli(ctx: click.Context) -> None:
    """Manage the ExpEx Kennisbank: the database, themes, content, the index, accounts."""
    app = ctx.ensure_object(ScriptInfo).load_app()
    say_which_database(app)
    if ctx.invoked_subcommand in WITHOUT_STARTUP:
        return
    try:
        # A command needs the index when it returns: no background build here.
        bootstrap.start(app, background_index=False)
    except (migrate.MigrationError, indexing.IndexOfAnotherDatabase) as error:
        raise click.ClickException(str(error)) from error


def say_which_database(app: Flask) -> None:
    """Without ``KB_DATABASE_URL`` a command quietly uses the default SQLite file (or what
    ``instance/config.py`` says): say which, on stderr. A ``kb import`` run in a shell without
    the node's settings once made a new database that way and rebuilt the node's index from it.
    """
    if os.environ.get("KB_DATABASE_URL"):
        return
    url = make_url(app.config["DATABASE_URL"]).render_as_string(hide_password=True)
    click.echo(f"KB_DATABASE_URL is not set: using the database {url}.", err=True)


def init_app(app: Flask) -> None:
    app.cli.add_command(kb_cli)


kb_cli.add_command(db_cli)
kb_cli.add_command(user_cli)
kb_cli.add_command(invite_cli)
kb_cli.add_command(backup_command)
kb_cli.add_command(restore_command)
kb_cli.add_command(regions_command)
kb_cli.add_command(mail_cli)
kb_cli.add_command(i18n_cli)


@kb_cli.command("themes")
@click.option("--folder", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of theme YAML files (default: the THEMES_DIR setting).")
def themes_command(folder: Path | None) -> None:
    """Sync themes/ into the database: add and update; never delete a theme with advice."""
    folder = folder or Path(current_app.config["THEMES_DIR"])
    try:
        with session_scope() as session:
            report = sync_themes(session, folder)
            # The audiences and regions beside them (themes/audiences, themes/regions).
            lists = {"Audiences": vocabulary.sync_audiences(session, folder),
                     "Regions": vocabulary.sync_regions(session, folder)}
            if report.changed or any(found.changed for found in lists.values()):
                # Other workers and nodes reload the query vocabulary when they see this row,
                # and drop their kept pages (which show these names).
                session.add(IndexChange(advice_id=None))
    except (ThemeFileError, vocabulary.VocabularyFileError) as exc:
        raise click.ClickException(f"theme files have problems, nothing changed:\n{exc}") from exc
    click.echo(f"Themes: {len(report.added)} added, {len(report.updated)} updated, "
               f"{len(report.unchanged)} unchanged, {len(report.deleted)} deleted.")
    for label, found in lists.items():
        click.echo(f"{label}: {len(found.added)} added, {len(found.updated)} updated, "
                   f"{len(found.unchanged)} unchanged, {len(found.deleted)} deleted.")
        report.kept_in_use += found.kept_in_use
    if report.updated or report.added:
        with session_scope() as session:
            search.rebuild(session)
    if not report.ok:
        raise click.ClickException(
            "not deleted because advice still uses them: " + ", ".join(report.kept_in_use))


@kb_cli.command("import")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
def import_command(paths: tuple[Path, ...]) -> None:
    """Import advice files (folders are searched for *.md); all files or none."""
    with session_scope() as session:
        try:
            report = import_paths(session, paths)
            if report.problems:
                session.rollback()
                for problem in report.problems:
                    click.echo(str(problem), err=True)
                raise click.exceptions.Exit(1)
            session.commit()
        except IntegrityError as error:
            # Another import (or an editor) saved the same slug or id between this run's checks
            # and its writes. The transaction rolled back whole, so nothing is half-imported;
            # a second run sees their advice and updates it or reports a clear problem.
            session.rollback()
            reason = str(error.orig).splitlines()[0] if error.orig else "a unique value"
            raise click.ClickException(
                "nothing imported: another process saved the same advice at the same moment "
                f"({reason}). Run the import again.") from error
        # The index follows the database: only committed changes go in. Many changes at once
        # are faster as a rebuild (in parallel, one commit) than through the change log.
        if len(report.created) + len(report.updated) >= REBUILD_AFTER_IMPORT:
            search.rebuild(session)
        else:
            search.catch_up(session, wait=True)
    click.echo(f"Imported: {len(report.created)} created, {len(report.updated)} updated, "
               f"{len(report.unchanged)} unchanged.")


@kb_cli.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def export_command(folder: Path) -> None:
    """Write every published advice to FOLDER in the import format."""
    with session_scope() as session:
        written = export_all(session, folder)
    click.echo(f"Exported {len(written)} advice to {folder}.")


@kb_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the database, beside the live one, and switch atomically."""
    with session_scope() as session:
        total = session.exec(select(func.count()).select_from(Advice)
                             .where(Advice.status == AdviceStatus.PUBLISHED)).one()
        try:
            with click.progressbar(length=total, label="Indexing") as bar:
                count = search.rebuild(session, progress=lambda n: bar.update(1))
        except (WriterDied, IndexUnavailable) as error:
            raise click.ClickException(f"the rebuild failed and the live index is unchanged: "
                                       f"{error}") from error
    click.echo(f"Indexed {count} advice.")


@kb_cli.command("check")
@click.option("--fix", is_flag=True, help="Repair what was found (rebuild a damaged index).")
def check_command(fix: bool) -> None:
    """Check the search index's files, then compare it with the database: missing, stale and
    extra documents.

    It skips the app's start-up, which would rebuild a damaged or missing index before it could
    be reported: without ``--fix`` nothing is changed.
    """
    state = migrate.state(current_app.config["DATABASE_URL"])
    if not state.up_to_date:
        raise click.ClickException(f"the database schema is not up to date ({state.describe()});"
                                   " run `flask --app app kb db upgrade` first")
    with session_scope() as session:
        index = search.search_index()
        try:
            indexing.refuse_another_database(session, index)
        except indexing.IndexOfAnotherDatabase as error:
            raise click.ClickException(str(error)) from error
        problems = index.verify()
        for problem in problems:
            click.echo(f"index: {problem}")
        if problems:
            if not fix:
                raise click.ClickException(
                    "the search index cannot be used; run with --fix to rebuild it")
            click.echo(f"Rebuilt the search index: {search.rebuild(session)} advice.")
        report = indexing.check(session, index)
        for label, ids in (("missing", report.missing), ("stale", report.stale),
                           ("extra", report.extra)):
            if ids:
                click.echo(f"{label}: " + ", ".join(str(i) for i in ids))
        unmapped = len(vocabulary.unmapped(session))
        if unmapped:
            click.echo(f"unmapped: {unmapped} old region/audience value(s) fit no list "
                       "(see `kb regions`)")
        if report.ok:
            click.echo("Index and database agree.")
            return
        if not fix:
            raise click.ClickException("index and database differ; run with --fix to repair")
        indexing.fix(session, index, report, search.to_document)
        if not indexing.check(session, index).ok:
            raise click.ClickException("repair did not succeed; run `kb reindex`")
        click.echo("Repaired.")
