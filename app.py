"""The Flask entry point: ``flask --app app run``. It only builds the app."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from kb import bootstrap, cli, db, search, web
from kb.cli_loading import loading_for_a_command_group
from kb.config import PROJECT_ROOT, apply_defaults


def create_app(test_config: Mapping | None = None) -> Flask:
    """Build the app: defaults, instance/config.py, KB_* variables, then the test mapping."""
    instance_path = ((test_config or {}).get("INSTANCE_PATH")
                     or os.environ.get("KB_INSTANCE_PATH") or PROJECT_ROOT / "instance")
    app = Flask("kb", instance_path=str(instance_path), instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("KB")
    if test_config:
        app.config.update(test_config)
    apply_defaults(app.config, Path(app.instance_path))
    bootstrap.configure_logging()

    db.init_app(app)
    search.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    if loading_for_a_command_group():
        # ``flask --app app kb …``: the kb group starts the app itself, except for the commands
        # that must work on an empty or out-of-date database (``kb.cli.WITHOUT_STARTUP``).
        return app
    bootstrap.start(app)
    return app

