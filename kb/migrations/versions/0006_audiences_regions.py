"""Audiences and regions as data.

Reserved for issue 11; this placeholder changes nothing until that work fills it in.
(Placeholders were laid before the issues were built in parallel, so that each branch
owns one revision of a single linear chain.)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 02:30:00
"""

from collections.abc import Sequence

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
