"""Marking Dutch UI text for translation in code that knows nothing of Flask.

Domain modules (``kb/*.py``) import no Flask (``tests/test_layers.py``), yet some of what they
return is read by people: error messages, privacy hints, readability aids. They mark such text
with :func:`N_`, which returns it unchanged; ``pybabel extract`` (``-k N_``) puts it in the
catalog, and the web layer translates it where it is shown (``_(message)`` in a template,
``gettext(message)`` in a view). Parameters stay apart until then:
``N_("Nog %(n)s tekens")`` in the domain, ``_(text, n=5)`` in the template.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate"
    """Mark ``message`` for the catalog; the web layer translates it when it is shown."""
    return message
