"""A theme as one document for the meeting table: ``/thema/<slug>/dossier`` and its PDF.

A cover with the theme's description and the date it was made, a table of contents, and every
published advice of the theme in full, each with its permanent link and its APA citation;
``?voor=<doelgroep>`` keeps the advice for one audience. The page has a print stylesheet that
starts each advice on a new page; ``dossier.pdf`` is the same page printed by WeasyPrint.

WeasyPrint fetches nothing from outside (:mod:`kb.web.pdf`). Heading ids of the advice texts
are prefixed per advice (``a12-wat-we-zien``): every advice has a "Wat we zien", and one page
must not hold the same id twice.

Its cost grows with the theme (it prints every advice of it, one query for them all); the PDF
takes WeasyPrint about a tenth of a second per advice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import Blueprint, Response, abort, render_template, request, url_for
from sqlalchemy import func
from sqlalchemy.orm import selectinload
from sqlmodel import select

from kb import vocabulary
from kb.db import get_session
from kb.models import Advice, AdviceStatus, AdviceTheme, Revision
from kb.themes import theme_map
from kb.web import citing
from kb.web.context import advice_card, advice_url
from kb.web.i18n import current_language

bp = Blueprint("dossier", __name__)


@bp.get("/thema/<slug>/dossier")
def page(slug: str):
    return render_template("dossier.html", **dossier_context(slug, request.args.get("voor")))


@bp.get("/thema/<slug>/dossier.pdf")
def pdf(slug: str):
    """The same page, printed (WeasyPrint uses the print stylesheet)."""
    from kb.web.pdf import html_to_pdf  # heavy to import: only for those who ask (kb.web.pdf)

    context = dossier_context(slug, request.args.get("voor"))
    html = render_template("dossier.html", **context, for_pdf=True)
    name = f"dossier-{slug}" + (f"-{context['audience']}" if context["audience"] else "")
    return Response(html_to_pdf(html, request.url_root), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})


def dossier_context(slug: str, audience: str | None) -> dict:
    """The cover, the table of contents and every advice of the theme in full."""
    session = get_session()
    theme = theme_map(session).get(slug) or abort(404)
    audiences = vocabulary.audience_map(session)
    if audience is not None and audience not in audiences:
        abort(404)
    where = [Advice.status == AdviceStatus.PUBLISHED,
             Advice.id.in_(select(AdviceTheme.advice_id).where(AdviceTheme.theme_id == theme.id))]
    items = list(session.exec(
        select(Advice).where(*where).options(selectinload(Advice.themes))
        .order_by(Advice.published.desc(), Advice.id.desc())).all())
    if audience is not None:  # a JSON list: filtered here, the same on every database
        items = [a for a in items if audience in a.audience]
    numbers = dict(session.exec(
        select(Revision.advice_id, func.max(Revision.version))
        .where(Revision.advice_id.in_([a.id for a in items]))
        .group_by(Revision.advice_id)).all()) if items else {}
    return {
        "theme": {"slug": theme.slug, "name": theme.name, "name_en": theme.name_en,
                  "description": theme.description,
                  "url": url_for("reader.theme", slug=theme.slug, _external=True)},
        "audience": _audience_name(audiences[audience]) if audience else None,
        "made": date.today().isoformat(),
        "advice": [_full(a, numbers.get(a.id), audiences) for a in items],
        "pdf_url": url_for(".pdf", slug=theme.slug, **({"voor": audience} if audience else {})),
    }


def _full(item: Advice, version: int | None, audiences: dict) -> dict:
    """One advice as the dossier prints it, cited at its current version."""
    changed = item.changed_at.date() if item.changed_at else item.published
    permalink = advice_url(item, external=True)
    citation = replace(citing.make_citation(item, None, permalink, item.title, item.summary),
                       version=version or 1, date=changed)
    names = [_audience_name(audiences[slug]) if slug in audiences else slug
             for slug in item.audience]
    return {**advice_card(item), "permalink": permalink, "audience": names,
            "body_html": _own_ids(item.body_html, f"a{item.id}-"),
            "anchor": f"advies-{item.id}",
            "updated": changed.isoformat() if changed and (version or 1) > 1 else None,
            "citation": citing.citation_block(citation)}


def _audience_name(audience) -> str:
    """An audience's name in the interface language (its English name in English, if any)."""
    return (current_language() == "en" and audience.name_en) or audience.name


def _own_ids(body_html: str, prefix: str) -> str:
    """The advice's HTML with its heading ids (and the links to them) prefixed. The HTML is our
    own renderer's (kb.render): user text in it is escaped, so ``id="`` is always markup."""
    return body_html.replace(' id="', f' id="{prefix}').replace(' href="#', f' href="#{prefix}')
