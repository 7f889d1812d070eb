"""The reader: public, server-rendered pages for policymakers, professionals and young people."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request

from kb import localtime, versions
from kb.accessibility import page_texts, statement_context
from kb.citation import FORMATS, Citation
from kb.db import get_session
from kb.helplines import help_context
from kb.models import Advice, AdviceStatus
from kb.web import citing, structured
from kb.web.context import (
    advice_context,
    advice_url,
    home_context,
    theme_context,
    themes_context,
    version_context,
)
from kb.web.search_context import PageOutOfRange, search_context
from kb.web.tombstone import Withdrawn, tombstone_context

bp = Blueprint("reader", __name__)
bp.register_error_handler(PageOutOfRange, lambda error: redirect(error.url))


@bp.get("/")
def home():
    return render_template("home.html", **home_context(get_session()))


@bp.get("/themas")
def themes():
    return render_template("themes.html", **themes_context(get_session()))


@bp.get("/thema/<slug>")
def theme(slug: str):
    context = theme_context(get_session(), slug)
    return render_template("theme.html", **context, meta=structured.theme_meta(context))


@bp.get("/advies/<int:advice_id>")
@bp.get("/advies/<int:advice_id>/", endpoint="advice_slash")
@bp.get("/advies/<int:advice_id>/<slug>")
def advice(advice_id: int, slug: str | None = None):
    """The canonical page; any other slug (old, wrong or none) redirects permanently to it."""
    item = public_advice_or_abort(advice_id)
    if slug != item.slug:
        return redirect(advice_url(item), code=301)
    context = advice_context(get_session(), item)
    return render_template("advice.html", **context, today=localtime.today().isoformat(),
                           meta=structured.advice_meta(context["advice"]))


@bp.get("/zoeken")
def search():
    return render_template("search.html", **search_context(request.args))


@bp.get("/hulp")
def help_page():
    return render_template("help.html", **help_context())


@bp.get("/toegankelijkheid")
def accessibility():
    return render_template("accessibility.html", **accessibility_context(), texts=page_texts())


def accessibility_context() -> dict:
    """The statement, with where to report a problem: the contact address, else the sender's."""
    config = current_app.config
    return statement_context(config.get("CONTACT_EMAIL") or config.get("MAIL_FROM"))


@bp.get("/advies/<int:advice_id>/versie/<int:number>")
def version(advice_id: int, number: int):
    """One public version at its own, stable URL; its canonical link is the current page."""
    item = public_advice_or_abort(advice_id)
    revision = versions.find_version(get_session(), item.id, number) or abort(404)
    context = version_context(get_session(), item, revision)
    return render_template("advice.html", **context, today=date.today().isoformat(),
                           meta=structured.advice_meta(context["advice"]))


@bp.get("/advies/<int:advice_id>/citeer.<any(ris, bib, 'csl.json'):fmt>")
def citation_file(advice_id: int, fmt: str):
    """The citation of the current version, for a reference manager."""
    item = public_advice_or_abort(advice_id)
    found = versions.versions(get_session(), item)
    citation = citing.make_citation(item, found[-1] if found else None,
                                    advice_url(item, external=True), item.title, item.summary)
    return _citation_response(citation, fmt)


@bp.get("/advies/<int:advice_id>/versie/<int:number>.<any(ris, bib, 'csl.json'):fmt>")
def version_citation_file(advice_id: int, number: int, fmt: str):
    """The citation of one version, for a reference manager."""
    item = public_advice_or_abort(advice_id)
    revision = versions.find_version(get_session(), item.id, number) or abort(404)
    this = next(v for v in versions.versions(get_session(), item) if v.number == number)
    citation = citing.make_citation(item, this, citing.version_url(item, number, external=True),
                                    revision.content.get("title") or item.title,
                                    revision.content.get("summary") or "")
    return _citation_response(citation, fmt)


def _citation_response(citation: Citation, fmt: str) -> Response:
    mimetype, write = FORMATS[fmt]
    response = Response(write(citation), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{citation.key}.{fmt}"'
    return response


def public_advice_or_abort(advice_id: int) -> Advice:
    """The published advice with this id; 410 when withdrawn, 404 when unknown or unpublished."""
    item = get_session().get(Advice, advice_id)
    if item is None or item.status in (AdviceStatus.DRAFT, AdviceStatus.SUBMITTED,
                                       AdviceStatus.CHANGES_REQUESTED):
        abort(404)
    if item.status == AdviceStatus.WITHDRAWN:
        raise Withdrawn(tombstone_context(get_session(), item))
    return item
