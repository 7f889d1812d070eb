"""The reader: public, server-rendered pages for policymakers, professionals and young people."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request

from kb import localtime
from kb.db import get_session
from kb.models import Advice, AdviceStatus
from kb.web.context import (
    advice_context,
    advice_url,
    home_context,
    theme_context,
    themes_context,
)
from kb.web.search_context import search_context

bp = Blueprint("reader", __name__)


@bp.get("/")
def home():
    return render_template("home.html", **home_context(get_session()))


@bp.get("/themas")
def themes():
    return render_template("themes.html", **themes_context(get_session()))


@bp.get("/thema/<slug>")
def theme(slug: str):
    return render_template("theme.html", **theme_context(get_session(), slug))


@bp.get("/advies/<int:advice_id>")
@bp.get("/advies/<int:advice_id>/", endpoint="advice_slash")
@bp.get("/advies/<int:advice_id>/<slug>")
def advice(advice_id: int, slug: str | None = None):
    """The canonical page; any other slug (old, wrong or none) redirects permanently to it."""
    item = public_advice_or_abort(advice_id)
    if slug != item.slug:
        return redirect(advice_url(item), code=301)
    context = advice_context(get_session(), item)
    return render_template("advice.html", **context, today=localtime.today().isoformat())


@bp.get("/zoeken")
def search():
    return render_template("search.html", **search_context(request.args))


@bp.get("/hulp")
def help_page():
    return render_template("help.html")


def public_advice_or_abort(advice_id: int) -> Advice:
    """The published advice with this id; 410 when withdrawn, 404 when unknown or unpublished."""
    item = get_session().get(Advice, advice_id)
    if item is None or item.status in (AdviceStatus.DRAFT, AdviceStatus.SUBMITTED,
                                       AdviceStatus.CHANGES_REQUESTED):
        abort(404)
    if item.status == AdviceStatus.WITHDRAWN:
        abort(410)
    return item
