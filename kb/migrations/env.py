"""Alembic's environment: every run goes through :func:`kb.migrate.run_migrations`.

The app never loads this file (it calls the same function directly); it is here so that the
migrations folder is a complete Alembic environment that Alembic's own tooling understands.
"""

from alembic import context

from kb.migrate import run_migrations

run_migrations(context)
