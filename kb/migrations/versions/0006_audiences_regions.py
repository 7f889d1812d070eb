"""Audiences and regions as controlled lists; old values moved onto them.

- ``audience`` and ``region``: the lists, filled from ``themes/audiences/*.yaml`` and
  ``themes/regions/regions.yaml`` by the first start or ``kb themes`` (:mod:`kb.vocabulary`),
  not here: a migration must not freeze data that editors change.
- ``unmapped_value``: an old value that matches no entry, kept instead of dropped.
- ``advice.region`` held free text ("Noord Brabant", "Friesland"); it now holds a region slug.
  Each value is mapped by the region list's names and aliases (case, accents, hyphens and a
  leading "provincie" do not matter). A value that matches nothing is set to NULL, recorded in
  ``unmapped_value`` and logged; ``kb regions`` lists it until an editor chooses a region.
- ``advice.audience`` (a JSON list) keeps only slugs of the audience files; anything else (the
  old code allowed none, but a row edited by hand may hold one) goes the same way.

Revision snapshots are history and keep the words they were written with. The list is read from
the project's ``themes/`` (or ``KB_THEMES_DIR``) when the migration runs; the downgrade puts
every original value back.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 02:30:00
"""

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
import yaml
from alembic import op

from kb.vocabulary import match_region, region_lookup

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("kb.migrate")

advice = sa.table("advice", sa.column("id", sa.Integer), sa.column("title", sa.String),
                  sa.column("region", sa.String), sa.column("audience", sa.JSON))
unmapped_table = sa.table("unmapped_value", sa.column("advice_id", sa.Integer),
                          sa.column("field", sa.String), sa.column("value", sa.String),
                          sa.column("found_at", sa.DateTime))


def _themes_dir() -> Path:
    return Path(os.environ.get("KB_THEMES_DIR")
                or Path(__file__).resolve().parents[3] / "themes")


def _regions() -> list[dict]:
    path = _themes_dir() / "regions" / "regions.yaml"
    if not path.exists():
        return []
    return list((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("regions") or [])


def _audiences() -> set[str]:
    return {p.stem for p in (_themes_dir() / "audiences").glob("*.yaml")}


def _as_list(value) -> list:
    if isinstance(value, str):  # a JSON column read back as text by some drivers
        value = json.loads(value)
    return list(value or [])


def upgrade() -> None:
    op.create_table(
        "audience",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("synonyms", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audience_slug", "audience", ["slug"], unique=True)
    op.create_table(
        "region",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("province", sa.String(length=80), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_region_slug", "region", ["slug"], unique=True)
    op.create_table(
        "unmapped_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("advice_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["advice_id"], ["advice.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_unmapped_value_advice_id", "unmapped_value", ["advice_id"],
                    unique=False)
    _move_values()


def _move_values() -> None:
    """Map every advice's region and audiences onto the lists; keep what does not fit."""
    from kb.models import utcnow

    bind = op.get_bind()
    lookup = region_lookup(_regions())
    audiences = _audiences()
    rows = bind.execute(sa.select(advice.c.id, advice.c.title, advice.c.region,
                                  advice.c.audience).order_by(advice.c.id)).all()
    now = utcnow()
    kept: list[dict] = []
    for advice_id, title, region, audience in rows:
        changes: dict = {}
        if region is not None:
            slug = match_region(region, lookup)
            if slug != region:
                changes["region"] = slug
            if slug is None and region.strip():
                kept.append({"advice_id": advice_id, "field": "region", "value": region,
                             "found_at": now})
                log.warning("Advice %s (%s): region %r is not in the region list; kept for an "
                            "editor (kb regions lists it).", advice_id, title, region)
        values = _as_list(audience)
        known = [v for v in values if v in audiences]
        if audiences and known != values:
            changes["audience"] = known
            for value in values:
                if value not in audiences:
                    kept.append({"advice_id": advice_id, "field": "audience",
                                 "value": str(value)[:200], "found_at": now})
                    log.warning("Advice %s (%s): audience %r is not in the audience list; kept "
                                "for an editor (kb regions lists it).", advice_id, title, value)
        if changes:
            bind.execute(advice.update().where(advice.c.id == advice_id).values(**changes))
    if kept:
        op.bulk_insert(unmapped_table, kept)
    if rows:
        log.info("Regions and audiences of %d advice mapped onto the lists; %d value(s) kept "
                 "as unmapped.", len(rows), len(kept))


def downgrade() -> None:
    """Put the original free text back: region names for slugs, unmapped values restored."""
    bind = op.get_bind()
    names = {r["slug"]: r["name"] for r in _regions()}
    kept: dict[int, list[tuple[str, str]]] = {}
    for advice_id, name, value in bind.execute(sa.select(
            unmapped_table.c.advice_id, unmapped_table.c.field, unmapped_table.c.value)).all():
        kept.setdefault(advice_id, []).append((name, value))
    for advice_id, region, audience in bind.execute(
            sa.select(advice.c.id, advice.c.region, advice.c.audience)).all():
        changes: dict = {}
        if region in names:
            changes["region"] = names[region]
        extra = kept.get(advice_id, [])
        for name, value in extra:
            if name == "region" and region is None:
                changes["region"] = value
        lost = [value for name, value in extra if name == "audience"]
        if lost:
            changes["audience"] = _as_list(audience) + lost
        if changes:
            bind.execute(advice.update().where(advice.c.id == advice_id).values(**changes))
    op.drop_index("ix_unmapped_value_advice_id", table_name="unmapped_value")
    op.drop_table("unmapped_value")
    op.drop_index("ix_region_slug", table_name="region")
    op.drop_table("region")
    op.drop_index("ix_audience_slug", table_name="audience")
    op.drop_table("audience")
