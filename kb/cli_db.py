"""``flask --app app kb db …``: where the schema stands and bringing it up to date.

These commands run without the app's start-up (see ``kb.cli.WITHOUT_STARTUP``), so they work on
an empty database and on one that a production start (``KB_AUTO_UPGRADE=0``) refuses.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from kb import migrate
from kb.startlock import start_lock

db_cli = AppGroup("db", help="The database schema: upgrade it, see where it stands.")


def _url() -> str:
    return current_app.config["DATABASE_URL"]


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Bring the database to REVISION (default: the newest), keeping every row."""
    if revision != "head" and not migrate.known(revision):
        raise click.ClickException(f"unknown revision {revision!r}; see `kb db history`")
    try:
        with start_lock(_url(), Path(current_app.instance_path)):
            before = migrate.state(_url())
            applied = migrate.upgrade(_url(), revision)
    except migrate.MigrationError as error:
        raise click.ClickException(f"nothing changed: {error}") from error
    if before.legacy:
        click.echo(f"Recognised a database made before migrations: stamped as "
                   f"{migrate.BASELINE}.")
    if applied:
        click.echo(f"Upgraded the database from {before.current or 'nothing'} to "
                   f"{applied[-1]}: applied {', '.join(applied)}.")
    else:
        click.echo(f"The database is at revision {migrate.state(_url()).current}; "
                   "nothing to apply.")


@db_cli.command("current")
def current_command() -> None:
    """Say which schema revision the database is at, and whether that is the newest."""
    state = migrate.state(_url())
    if state.up_to_date:
        click.echo(f"{state.current} (the newest)")
    elif state.current and not migrate.known(state.current):
        click.echo(f"{state.current} (unknown to this version: made by a newer one)")
    else:
        click.echo(f"{state.describe()}; the newest is {state.head}: run `kb db upgrade`")


@db_cli.command("history")
def history_command() -> None:
    """List every migration, oldest first, marking where the database stands."""
    current = migrate.state(_url()).current
    for revision, _before, doc in migrate.history():
        marks = [m for m, on in (("current", revision == current),
                                 ("newest", revision == migrate.head())) if on]
        click.echo(f"{revision}  {doc}" + (f"  ({', '.join(marks)})" if marks else ""))


@db_cli.command("check")
def check_command() -> None:
    """Exit 1 unless the database is at the newest revision and matches the models."""
    state = migrate.state(_url())
    if not state.up_to_date:
        raise click.ClickException(f"the database is {state.describe()}, not at {state.head}")
    found = migrate.differences(_url())
    if found:
        raise click.ClickException("the database differs from the models:\n"
                                   + "\n".join(f"  {d}" for d in found))
    click.echo(f"The database is at {state.head} and matches the models.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@click.option("--into", type=click.Path(file_okay=False, path_type=Path),
              default=migrate.MIGRATIONS_DIR / "versions", show_default=True,
              help="Folder to write the migration to.")
def revision_command(message: str, into: Path) -> None:
    """For developers: write a new migration from what the models add to the newest schema.

    Compares the models with a scratch SQLite database at the newest revision (never with
    yours); review the file it writes: autogenerate misses renames and data moves.
    """
    from alembic import command

    number = f"{int(migrate.head()) + 1:04d}"
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'scratch.db'}"
        migrate.upgrade(url)
        engine = migrate.migration_engine(url)
        with engine.begin() as connection:
            config = migrate.alembic_config(connection)
            config.set_main_option("version_locations", os.pathsep.join(
                [str(migrate.MIGRATIONS_DIR / "versions"), str(into)]))
            script = command.revision(config, message=message, autogenerate=True,
                                      rev_id=number, version_path=str(into))
        engine.dispose()
    click.echo(f"Wrote {script.path}; read it before you commit it.")
