"""Baseline: the schema of the last version without migrations.

A database made by that version (no alembic_version table) is stamped with this revision
instead of running it (see kb.migrate).

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-04 23:26:02.859975
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "index_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("advice_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_index_change_advice_id", "index_change", ["advice_id"], unique=False)

    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_attempt_created_at", "login_attempt", ["created_at"], unique=False)
    op.create_index("ix_login_attempt_key", "login_attempt", ["key"], unique=False)

    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("synonyms", sa.JSON(), nullable=False),
        sa.Column("related", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_theme_slug", "theme", ["slug"], unique=True)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=40), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("display_names", sa.JSON(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_user_account_login", "user_account", ["login"], unique=True)

    op.create_table(
        "advice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("toc", sa.JSON(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("region", sa.String(length=80), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_advice_owner_id", "advice", ["owner_id"], unique=False)
    op.create_index("ix_advice_slug", "advice", ["slug"], unique=True)
    op.create_index("ix_advice_status", "advice", ["status"], unique=False)

    op.create_table(
        "invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["used_by_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_invite_token_hash", "invite", ["token_hash"], unique=True)

    op.create_table(
        "advice_theme",
        sa.Column("advice_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["advice_id"],
            ["advice.id"],
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["theme.id"],
        ),
        sa.PrimaryKeyConstraint("advice_id", "theme_id"),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("advice_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["advice_id"],
            ["advice.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_entry_actor_id", "audit_entry", ["actor_id"], unique=False)
    op.create_index("ix_audit_entry_advice_id", "audit_entry", ["advice_id"], unique=False)
    op.create_index("ix_audit_entry_created_at", "audit_entry", ["created_at"], unique=False)

    op.create_table(
        "old_slug",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("advice_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["advice_id"],
            ["advice.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("advice_id", "slug"),
    )
    op.create_index("ix_old_slug_advice_id", "old_slug", ["advice_id"], unique=False)
    op.create_index("ix_old_slug_slug", "old_slug", ["slug"], unique=False)

    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("advice_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["advice_id"],
            ["advice.id"],
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("advice_id", "number"),
    )
    op.create_index("ix_revision_advice_id", "revision", ["advice_id"], unique=False)


def downgrade() -> None:
    op.drop_table("revision")
    op.drop_table("old_slug")
    op.drop_table("audit_entry")
    op.drop_table("advice_theme")
    op.drop_table("invite")
    op.drop_table("advice")
    op.drop_table("user_account")
    op.drop_table("theme")
    op.drop_table("login_attempt")
    op.drop_table("index_change")
