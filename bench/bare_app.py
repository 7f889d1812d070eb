"""The reference for ``http_bench.py``: a bare Flask app that returns fixed bytes.

It serves, at ``/bare/<name>``, the exact bytes (and content type) the real app gave for each
page the benchmark drives, read from the JSON file named by ``KB_BENCH_PAGES``. Run under the
same gunicorn settings as the real app, it is what Flask itself costs for a response that size:
``gunicorn -c gunicorn.conf.py 'bench.bare_app:create_app()'``.
"""

from __future__ import annotations

import base64
import json
import os

from flask import Flask, Response, abort


def create_app() -> Flask:
    """One route; the pages are read once, at start."""
    with open(os.environ["KB_BENCH_PAGES"], encoding="utf-8") as handle:
        pages = {name: (kind, base64.b64decode(body))
                 for name, (kind, body) in json.load(handle).items()}
    app = Flask(__name__)

    @app.get("/bare/<name>")
    def page(name: str) -> Response:
        found = pages.get(name) or abort(404)
        return Response(found[1], content_type=found[0])

    return app
