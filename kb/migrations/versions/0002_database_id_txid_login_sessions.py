"""Database id, transaction ids in the change log, server-side login sessions.

- ``database_meta`` with a random ``database_id``: a search index records it and refuses to be
  written from another database.
- ``index_change.txid``: on PostgreSQL the writing transaction's id, so that the index can tell
  finished transactions from running ones (no more guessing with a grace period). The server
  fills it (a default of ``txid_current()``), so every writer records it, also a node still
  running the previous version during an upgrade; rows written before this migration keep
  NULL (they are older than any index that follows the log by transaction). Indexed: readers
  ask for the changes at or above a transaction horizon before every search.
- ``login_session``: logging out ends the session on the server.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 23:45:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    meta = op.create_table(
        "database_meta",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.bulk_insert(meta, [{"key": "database_id", "value": uuid.uuid4().hex}])

    with op.batch_alter_table("index_change") as batch:
        batch.add_column(sa.Column("txid", sa.BigInteger(), nullable=True))
        batch.create_index("ix_index_change_txid", ["txid"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # Set after adding the column, so that the rows already there keep NULL instead of
        # all getting this migration's transaction id.
        op.alter_column("index_change", "txid", server_default=sa.text("txid_current()"))

    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_session_user_id", "login_session", ["user_id"], unique=False)
    op.create_index("ix_login_session_token_hash", "login_session", ["token_hash"], unique=True)


def downgrade() -> None:
    op.drop_table("login_session")
    with op.batch_alter_table("index_change") as batch:
        batch.drop_index("ix_index_change_txid")
        batch.drop_column("txid")
    op.drop_table("database_meta")
