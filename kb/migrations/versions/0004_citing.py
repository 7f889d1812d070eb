"""Cite, link and find: public versions, change notes, tombstones.

- ``revision.version``: the public version a published revision made (1, 2, …), so that
  ``/advies/<id>/versie/<n>`` is stable; ``revision.change_note``: the editor's public line
  about what changed. Existing rows are numbered here by the rule of
  :func:`kb.versions.text_of` (a published revision whose title, summary or body differs from
  the last version's makes the next one), so old advice gets its versions too.
- ``advice.withdrawn_at``, ``advice.withdrawal_reason`` (public) and ``advice.replaced_by_id``:
  what the 410 tombstone of a withdrawn advice shows. A withdrawn advice gets ``withdrawn_at``
  from the revision that withdrew it.
- ``advice.changed_at`` (indexed): when the public text last changed, by the rule of
  :func:`kb.versions.version_time`; feeds, the sitemap and the API's ``since`` use it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 02:30:00
"""

from collections.abc import Sequence
from datetime import datetime, time

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Kept here rather than imported: a migration must not change when the code does.
TEXT_FIELDS = ("title", "summary", "body")

_advice = sa.table("advice", sa.column("id", sa.Integer), sa.column("status", sa.String),
                   sa.column("published", sa.Date), sa.column("withdrawn_at", sa.DateTime),
                   sa.column("changed_at", sa.DateTime))
_revision = sa.table("revision", sa.column("id", sa.Integer), sa.column("advice_id", sa.Integer),
                     sa.column("number", sa.Integer), sa.column("status", sa.String),
                     sa.column("created_at", sa.DateTime), sa.column("content", sa.JSON),
                     sa.column("version", sa.Integer))


def upgrade() -> None:
    with op.batch_alter_table("revision") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("change_note", sa.String(length=200), nullable=False,
                                   server_default=""))
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    # SQLite rebuilds the table to add the foreign key: it must stay AUTOINCREMENT, and keep
    # the highest id ever handed out (not just the highest left), or a deleted advice's id
    # could be given again.
    last_id = bind.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = 'advice'").scalar() if sqlite else None
    with op.batch_alter_table("advice", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("withdrawal_reason", sa.String(length=500), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("replaced_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("changed_at", sa.DateTime(), nullable=True))
        batch.create_index("ix_advice_changed_at", ["changed_at"], unique=False)
        batch.create_foreign_key("fk_advice_replaced_by_id_advice", "advice",
                                 ["replaced_by_id"], ["id"])
    # The models declare no server defaults: the defaults only filled the rows already there.
    with op.batch_alter_table("revision") as batch:
        batch.alter_column("change_note", server_default=None)
    with op.batch_alter_table("advice", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.alter_column("withdrawal_reason", server_default=None)
    if last_id is not None:
        _keep_sequence(last_id)
    _number_versions()


def _keep_sequence(last_id: int) -> None:
    """SQLite: never hand out an id at or below ``last_id`` again."""
    op.get_bind().exec_driver_sql(
        "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'advice'", (last_id,))


def _number_versions() -> None:
    """Give every existing published text its version number, one advice at a time (memory
    stays flat however many advice), and each withdrawn advice the time it was withdrawn."""
    bind = op.get_bind()
    advice_rows = bind.execute(sa.select(_advice.c.id, _advice.c.status, _advice.c.published)
                               .order_by(_advice.c.id)).all()
    for advice_id, status, published in advice_rows:
        rows = bind.execute(
            sa.select(_revision.c.id, _revision.c.status, _revision.c.created_at,
                      _revision.c.content)
            .where(_revision.c.advice_id == advice_id).order_by(_revision.c.number)).all()
        last_text, version, withdrawn_at, changed_at = None, 0, None, None
        for revision_id, revision_status, created_at, content in rows:
            if revision_status == "withdrawn":
                withdrawn_at = created_at
            if revision_status != "published":
                continue
            text = tuple((content or {}).get(name) or "" for name in TEXT_FIELDS)
            if text != last_text:
                version += 1
                last_text = text
                changed_at = created_at
                if version == 1 and published is not None and published < created_at.date():
                    changed_at = datetime.combine(published, time())
                bind.execute(sa.update(_revision).where(_revision.c.id == revision_id)
                             .values(version=version))
        values = {"changed_at": changed_at}
        if status == "withdrawn" and withdrawn_at is not None:
            values["withdrawn_at"] = withdrawn_at
        bind.execute(sa.update(_advice).where(_advice.c.id == advice_id).values(**values))


def downgrade() -> None:
    bind = op.get_bind()
    last_id = bind.exec_driver_sql(
        "SELECT seq FROM sqlite_sequence WHERE name = 'advice'").scalar() \
        if bind.dialect.name == "sqlite" else None
    with op.batch_alter_table("advice", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint("fk_advice_replaced_by_id_advice", type_="foreignkey")
        batch.drop_column("replaced_by_id")
        batch.drop_index("ix_advice_changed_at")
        batch.drop_column("changed_at")
        batch.drop_column("withdrawal_reason")
        batch.drop_column("withdrawn_at")
    with op.batch_alter_table("revision") as batch:
        batch.drop_column("change_note")
        batch.drop_column("version")
    if last_id is not None:
        _keep_sequence(last_id)
