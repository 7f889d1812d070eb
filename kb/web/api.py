"""The JSON twin of every reader page, served from the same context functions."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, request

from kb.db import get_session
from kb.web.context import advice_context, home_context, theme_context, themes_context
from kb.web.reader import public_advice_or_abort
from kb.web.search_context import PageOutOfRange, search_context

bp = Blueprint("api", __name__, url_prefix="/api")
bp.register_error_handler(PageOutOfRange, lambda error: redirect(error.url))


@bp.get("/")
def home():
    return jsonify(home_context(get_session()))


@bp.get("/themas")
def themes():
    return jsonify(themes_context(get_session()))


@bp.get("/thema/<slug>")
def theme(slug: str):
    return jsonify(theme_context(get_session(), slug))


@bp.get("/advies/<int:advice_id>")
def advice(advice_id: int):
    return jsonify(advice_context(get_session(), public_advice_or_abort(advice_id)))


@bp.get("/search")
def search():
    return jsonify(search_context(request.args, endpoint="api.search"))
