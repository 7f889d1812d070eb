"""Mail outbox, notifications, password reset, reader alerts.

Reserved for issue 14; this placeholder changes nothing until that work fills it in.
(Placeholders were laid before the issues were built in parallel, so that each branch
owns one revision of a single linear chain.)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 02:30:00
"""

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
