"""The layers of the code base, checked rather than hoped for (house style 14).

- ``search_index`` is search and only search: it imports nothing of ``kb`` and nothing of Flask,
  so that it stays a projection anybody can rebuild and test on its own.
- The domain (``kb/*.py`` outside ``kb/web/``) imports no Flask and nothing of ``kb.web``.
  The ``flask kb`` commands (``cli.py``, ``cli_*.py``) are an interface like the web and may use
  both. The exceptions to "no Flask" are the modules whose job is to wire the domain into a
  Flask app — the per-request database session, the per-app search index, the signed-in person
  of this request, the start-up. They are listed by name below, so that a new module that reaches
  for ``flask`` fails here and has to be argued for.

Imports are read from the source with :mod:`ast` (every ``import`` anywhere in the module, also
inside functions), so a lazy import cannot dodge the check.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Domain modules that exist to glue the domain to Flask (and why).
FLASK_GLUE = {
    "kb/auth.py",  # the signed-in person of this request (flask.g, the session cookie)
    "kb/bootstrap.py",  # start-up of an app: migrations, themes, index, logging
    "kb/db.py",  # the engine per app and the session per request
    "kb/search.py",  # the search index per app
}


def imported_modules(path: Path) -> set[str]:
    """Every module name an import statement in ``path`` names (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def domain_modules() -> list[Path]:
    return sorted(
        path for path in (ROOT / "kb").rglob("*.py")
        if path.relative_to(ROOT).parts[1] not in ("web", "migrations")
    )


@pytest.mark.parametrize(
    "path", sorted((ROOT / "search_index").rglob("*.py")), ids=lambda p: p.name)
def test_search_index_imports_nothing_of_kb_or_flask(path):
    crossing = {name for name in imported_modules(path)
                if is_within(name, "kb") or is_within(name, "flask")}
    assert not crossing, f"{path.relative_to(ROOT)} imports {sorted(crossing)}"


@pytest.mark.parametrize("path", domain_modules(), ids=lambda p: str(p.relative_to(ROOT / "kb")))
def test_domain_imports_no_web_layer(path):
    relative = str(path.relative_to(ROOT))
    names = imported_modules(path)
    if path.name == "cli.py" or path.name.startswith("cli_"):
        return  # the commands are an interface like the web: they may use both
    assert not {n for n in names if is_within(n, "kb.web")}, f"{relative} imports kb.web"
    if relative in FLASK_GLUE:
        return
    flask_imports = {n for n in names if is_within(n, "flask") or is_within(n, "werkzeug")}
    assert not flask_imports, (
        f"{relative} imports {sorted(flask_imports)}: domain code takes plain arguments; "
        "Flask belongs in kb/web/ (or, for app wiring, in a module listed in FLASK_GLUE)")


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    """The reader of imports itself: a lazy import is found (else the tests above prove nothing)."""
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from flask import g\n    import kb.web.reader\n")
    assert imported_modules(module) == {"flask", "kb.web.reader"}


def test_the_glue_list_names_only_modules_that_exist():
    missing = sorted(name for name in FLASK_GLUE if not (ROOT / name).exists())
    assert not missing
