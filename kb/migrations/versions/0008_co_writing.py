"""Co-writing: an advice can have several writers, each named only after saying yes.

- ``advice_writer``: one row per writer of an advice, or per invitation to become one
  (``status`` "invited" or "writer"), with the names that writer chose to be shown under,
  their place in the list, and when they took their name off (``name_off_at``).
- Every advice with an owner gets the owner's row, as a writer who said yes when the advice was
  made, with the advice's current names (a display name, a pseudonym, "Anoniem" or a group's
  name), so that every advice is shown exactly as before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    writers = op.create_table(
        "advice_writer",
        sa.Column("advice_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("name_off_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["advice_id"], ["advice.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["invited_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("advice_id", "user_id"),
    )
    op.create_index("ix_advice_writer_user_id", "advice_writer", ["user_id"], unique=False)

    # The owner of every advice becomes its first writer, named as the advice is named now.
    advice = sa.table("advice", sa.column("id", sa.Integer()),
                      sa.column("owner_id", sa.Integer()), sa.column("authors", sa.JSON()),
                      sa.column("created_at", sa.DateTime()))
    connection = op.get_bind()
    rows = [{"advice_id": row.id, "user_id": row.owner_id, "status": "writer",
             "names": list(row.authors or []), "position": 0, "invited_by_id": None,
             "invited_at": row.created_at, "accepted_at": row.created_at,
             "name_off_at": None}
            for row in connection.execute(
                sa.select(advice.c.id, advice.c.owner_id, advice.c.authors,
                          advice.c.created_at)
                .where(advice.c.owner_id.is_not(None)).order_by(advice.c.id))]
    if rows:
        op.bulk_insert(writers, rows)


def downgrade() -> None:
    # The names stay on the advice (``advice.authors``); only who wrote it together is lost.
    op.drop_index("ix_advice_writer_user_id", table_name="advice_writer")
    op.drop_table("advice_writer")
