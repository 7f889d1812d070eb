"""Groups and co-writing: several writers per advice.

Reserved for issue 12; this placeholder changes nothing until that work fills it in.
(Placeholders are laid before issues are built in parallel, so that each branch
owns one revision of a single linear chain.)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 05:30:00
"""

from collections.abc import Sequence

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
