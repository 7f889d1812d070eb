"""``flask --app app kb backup FILE`` and ``kb restore FILE``: thin commands over
:mod:`kb.backup` and :mod:`kb.restore`.

Both run without the app's start-up (see ``kb.cli``), so they work on an empty, new or
out-of-date database by themselves. A refusal prints why on stderr and exits 1.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from kb import backup, restore, search
from kb.backup import BackupError
from kb.db import session_scope
from kb.indexing import IndexOfAnotherDatabase


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write every table of the database to FILE (a tar with a manifest; see the README)."""
    try:
        report = backup.backup(current_app.config["DATABASE_URL"], file)
    except (BackupError, OperationalError) as exc:
        raise click.ClickException(_message(exc)) from exc
    manifest = report.manifest
    click.echo(f"Backup written to {file}: {len(manifest.tables)} tables, {manifest.rows:,} "
               f"rows, {human_size(report.size)} (schema revision "
               f"{manifest.schema_revision}).")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Load the backup FILE into an empty database, keeping every id; rebuild the index."""
    url = current_app.config["DATABASE_URL"]
    try:
        report = restore.restore(url, file, Path(current_app.instance_path))
    except (BackupError, OperationalError) as exc:
        raise click.ClickException(_message(exc)) from exc
    with session_scope() as session:
        try:
            indexed = f"search index rebuilt with {search.rebuild(session):,} advice"
        except IndexOfAnotherDatabase as exc:
            # The restored database is a new one. An index folder that holds another database's
            # index (this node's live one, during a restore drill) is left alone.
            click.echo(f"The search index was not rebuilt. {exc}", err=True)
            indexed = "search index not rebuilt (see above)"
    manifest = report.manifest
    upgraded = f", upgraded to {report.upgraded[-1]}" if report.upgraded else ""
    click.echo(f"Restored {file} into {make_url(url).render_as_string(hide_password=True)}: "
               f"{len(manifest.tables)} tables, {manifest.rows:,} rows (schema revision "
               f"{manifest.schema_revision}{upgraded}); {indexed}.")


def human_size(size: float) -> str:
    """Bytes as a person reads them: 812 B, 3.4 MB."""
    if size < 1000:
        return f"{size:.0f} B"
    for unit in ("KB", "MB"):
        size /= 1000
        if size < 1000:
            return f"{size:.1f} {unit}"
    return f"{size / 1000:.1f} GB"


def _message(exc: Exception) -> str:
    if isinstance(exc, OperationalError):
        return f"cannot use the database ({exc.orig or exc})"
    return str(exc)
