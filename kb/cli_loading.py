"""Whether the Flask CLI is only loading the app to find a command.

Its own module because both ends need it: ``app.py`` defers the start-up while the CLI looks up
the ``kb`` group (the group runs the start-up itself, or skips it for ``kb db``), and
``kb.web.mail`` starts no sender thread then. Kept apart from ``kb.cli``, which imports the
commands and through them the web modules, so that those can ask without an import cycle.
"""

from __future__ import annotations

import click


def loading_for_a_command_group() -> bool:
    """Whether the Flask CLI is loading the app to look up a command group (``kb``), as opposed
    to a command that serves or uses the app (``run``, ``shell``), which starts it at once."""
    context = click.get_current_context(silent=True)
    return context is not None and isinstance(context.command, click.Group)
