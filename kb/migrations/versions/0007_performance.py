"""Pages as fast as the framework allows.

Reserved for issue 10; this placeholder changes nothing until that work fills it in.
(Placeholders were laid before the issues were built in parallel, so that each branch
owns one revision of a single linear chain.)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 02:30:00
"""

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
