"""``flask --app app kb i18n …``: keep the English catalog in step with the Dutch source.

``extract`` collects every marked string (``_()``/``gettext``/``ngettext`` in templates and web
code, ``N_`` in domain code) and merges it into ``kb/translations/en/LC_MESSAGES/messages.po``:
new strings arrive empty, changed ones fuzzy, so ``tests/test_translations.py`` fails until a
person has translated them. ``compile`` writes the ``.mo`` file the app reads; both files are in
the repository, so a fresh clone needs no build step.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from flask.cli import AppGroup

from kb.config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "kb" / "translations"
#: Marker functions whose first argument is a UI string.
KEYWORDS = ("_", "gettext", "ngettext:1,2", "lazy_gettext", "N_")

i18n_cli = AppGroup("i18n", help="Update and compile the English catalog of the interface.")


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract_catalog(pot: Path) -> None:
    """Write every marked UI string of the sources to ``pot`` (sorted: stable diffs)."""
    keywords = [arg for word in KEYWORDS for arg in ("-k", word)]
    _pybabel("extract", "-F", str(PROJECT_ROOT / "babel.cfg"), *keywords, "--no-default-keywords",
             "--sort-output", "--no-location", "--no-wrap", "--project", "ExpEx Kennisbank",
             "-o", str(pot), str(PROJECT_ROOT))


@i18n_cli.command("extract")
def extract_command() -> None:
    """Bring the English catalog up to date with the strings in the code and templates."""
    with tempfile.TemporaryDirectory() as folder:
        pot = Path(folder) / "messages.pot"
        extract_catalog(pot)
        po = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _pybabel("update", "-i", str(pot), "-d", str(TRANSLATIONS), "-l", "en",
                     "--no-wrap", "--ignore-obsolete", "--ignore-pot-creation-date")
        else:
            _pybabel("init", "-i", str(pot), "-d", str(TRANSLATIONS), "-l", "en", "--no-wrap")
    click.echo(f"Updated {po.relative_to(PROJECT_ROOT)}; translate the empty and fuzzy entries, "
               "then run `kb i18n compile`.")


@i18n_cli.command("compile")
def compile_command() -> None:
    """Write the .mo file the app reads from the translated .po file."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "-l", "en", "--statistics")
