"""Writers first: text kept through a new login, redactions the index follows, writer groups.

- ``kept_text``: a form sent while the writer's login had ended, carried through the login page
  and kept for that account for a day, so that the form comes back with the text.
- ``writer_group`` and ``group_member``: groups editors create; only members write under a
  group's name, and no display name may claim it.
- ``guardian_consent``: a writer under 16 (only the age band) and when an editor recorded a
  parent's or guardian's consent; until then they cannot send advice to the editors.
- ``index_change.purge``: a change from a redaction; every node's index then merges its
  segments, so that the wiped text leaves its files too (existing rows: false).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kept_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_kept_text_user_id", "kept_text", ["user_id"], unique=False)
    op.create_index("ix_kept_text_created_at", "kept_text", ["created_at"], unique=False)
    op.create_table(
        "writer_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_writer_group_name", "writer_group", ["name"], unique=True)
    op.create_table(
        "group_member",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["writer_group.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("group_id", "user_id"),
    )
    op.create_index("ix_group_member_user_id", "group_member", ["user_id"], unique=False)
    op.create_table(
        "guardian_consent",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("index_change") as batch:
        batch.add_column(sa.Column("purge", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    op.drop_table("guardian_consent")
    op.drop_table("group_member")
    op.drop_table("writer_group")
    with op.batch_alter_table("index_change") as batch:
        batch.drop_column("purge")
    op.drop_table("kept_text")
