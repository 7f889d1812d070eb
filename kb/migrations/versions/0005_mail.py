"""Mail outbox, notifications, password reset, reader alerts (issue 14).

- ``mail_outbox``: every mail is a row written with the change that causes it, sent after the
  commit, retried with back-off; ids never reused (the Message-ID is made from the id).
- ``notification`` and ``notification_optout``: "Meldingen" in the app, and the kinds a person
  does not want by e-mail.
- ``password_reset``: single-use links to choose a new password (only hashes stored).
- ``alert_subscriber`` and ``alert_subscription``: readers' e-mail alerts (double opt-in).

Only new tables: a node on the previous version keeps working against this schema.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("to_addr", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_mail_outbox_next_attempt_at", "mail_outbox", ["next_attempt_at"])
    op.create_index("ix_mail_outbox_status", "mail_outbox", ["status"])

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("advice_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["advice_id"], ["advice.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notification_user_id", "notification", ["user_id"])

    op.create_table(
        "notification_optout",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("user_id", "kind"),
    )

    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_password_reset_token_hash", "password_reset", ["token_hash"],
                    unique=True)
    op.create_index("ix_password_reset_user_id", "password_reset", ["user_id"])

    op.create_table(
        "alert_subscriber",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("manage_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_subscriber_email", "alert_subscriber", ["email"], unique=True)
    op.create_index("ix_alert_subscriber_manage_hash", "alert_subscriber", ["manage_hash"],
                    unique=True)

    op.create_table(
        "alert_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("frequency", sa.String(length=12), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("confirm_hash", sa.String(length=64), nullable=False),
        sa.Column("unsubscribe_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("last_digest_at", sa.DateTime(), nullable=True),
        sa.Column("seen", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["subscriber_id"], ["alert_subscriber.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_subscription_subscriber_id", "alert_subscription",
                    ["subscriber_id"])
    op.create_index("ix_alert_subscription_created_at", "alert_subscription", ["created_at"])
    op.create_index("ix_alert_subscription_confirm_hash", "alert_subscription",
                    ["confirm_hash"], unique=True)
    op.create_index("ix_alert_subscription_unsubscribe_hash", "alert_subscription",
                    ["unsubscribe_hash"], unique=True)


def downgrade() -> None:
    op.drop_table("alert_subscription")
    op.drop_table("alert_subscriber")
    op.drop_table("password_reset")
    op.drop_table("notification_optout")
    op.drop_table("notification")
    op.drop_table("mail_outbox")
