"""``kb regions``: the region and audience lists, and the old values that fit neither."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from kb import vocabulary
from kb.db import session_scope


@click.command("regions")
@click.option("--list", "show_list", is_flag=True, help="Also print every region, by kind.")
@with_appcontext
def regions_command(show_list: bool) -> None:
    """Report old free-text regions and audiences that fit none of the lists.

    Migration 0006 kept them instead of dropping them; each stays here until an editor
    chooses a region (or audiences) for the advice. Exits 0 either way: it is a report.
    """
    with session_scope() as session:
        regions = vocabulary.region_map(session)
        audiences = vocabulary.audience_map(session)
        click.echo(f"{len(regions)} regions, {len(audiences)} audiences.")
        if show_list:
            for kind, group in vocabulary.region_groups(regions.values()):
                click.echo(f"{kind}: " + ", ".join(f"{r.name} ({r.slug})" for r in group))
        rows = vocabulary.unmapped(session)
        if not rows:
            click.echo("Every advice's region and audiences are on the lists.")
            return
        click.echo(f"{len(rows)} old value(s) fit no list; choose one for the advice at "
                   "/redactie/advies/<id>/bewerken:")
        for row, advice in rows:
            click.echo(f"advice {advice.id} ({advice.title}): {row.field} {row.value!r}")
