"""The JSON twin of every reader page, served from the same context functions, plus what a
harvester needs: every published advice page by page (``/api/advies?page=&since=``), the
versions of one advice, and the OpenAPI description of it all (``/api/openapi.json``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import Blueprint, abort, jsonify, redirect, request, url_for
from sqlalchemy import func
from sqlalchemy.orm import selectinload
from sqlmodel import select
from werkzeug.exceptions import BadRequest

from kb import versions
from kb.db import get_session
from kb.helplines import help_context
from kb.models import Advice, AdviceStatus
from kb.web import citing
from kb.web.context import (
    advice_card,
    advice_context,
    advice_url,
    home_context,
    theme_context,
    themes_context,
    version_context,
)
from kb.web.openapi import openapi_document
from kb.web.reader import accessibility_context, public_advice_or_abort
from kb.web.search_context import PageOutOfRange, search_context

bp = Blueprint("api", __name__, url_prefix="/api")
bp.register_error_handler(PageOutOfRange, lambda error: redirect(error.url))

#: Advice per page of ``/api/advies``.
LIST_PAGE_SIZE = 50
#: The highest page number asked for: past it a harvester should narrow ``since`` instead.
MAX_LIST_PAGE = 10_000


@bp.get("/")
def home():
    return jsonify(home_context(get_session()))


@bp.get("/themas")
def themes():
    return jsonify(themes_context(get_session()))


@bp.get("/thema/<slug>")
def theme(slug: str):
    return jsonify(theme_context(get_session(), slug))


@bp.get("/advies")
def advice_list():
    """Every published advice, the newest change first, page by page; ``since`` (an ISO date
    or time, UTC) keeps only advice whose text changed at or after it, for harvesting."""
    page = _int_arg("page", 1, MAX_LIST_PAGE)
    since = _since_arg()
    session = get_session()
    where = [Advice.status == AdviceStatus.PUBLISHED]
    if since is not None:
        where.append(Advice.changed_at >= since)
    total = session.exec(select(func.count()).select_from(Advice).where(*where)).one()
    items = session.exec(
        select(Advice).where(*where).options(selectinload(Advice.themes))
        .order_by(Advice.changed_at.desc(), Advice.id.desc())
        .offset((page - 1) * LIST_PAGE_SIZE).limit(LIST_PAGE_SIZE)
    ).all()
    pages = max(1, -(-total // LIST_PAGE_SIZE))
    query = {"since": request.args["since"]} if since is not None else {}
    return jsonify({
        "advice": [{**advice_card(a), "permalink": advice_url(a, external=True),
                    "changed": _stamp(a.changed_at),
                    "api_url": url_for(".advice", advice_id=a.id)} for a in items],
        "total": total,
        "page": page,
        "pages": pages,
        "since": _stamp(since),
        "links": {
            "previous": url_for(".advice_list", page=page - 1, **query) if page > 1 else None,
            "next": url_for(".advice_list", page=page + 1, **query) if page < pages else None,
        },
    })


@bp.get("/advies/<int:advice_id>")
def advice(advice_id: int):
    return jsonify(advice_context(get_session(), public_advice_or_abort(advice_id)))


@bp.get("/advies/<int:advice_id>/versies")
def advice_versions(advice_id: int):
    """Every public version of one advice, oldest first."""
    item = public_advice_or_abort(advice_id)
    return jsonify({"id": item.id, "permalink": advice_url(item, external=True), "versions": [
        {"version": v.number, "date": v.date.isoformat(), "change_note": v.change_note,
         "url": citing.version_url(item, v.number, external=True),
         "api_url": url_for(".advice_version", advice_id=item.id, number=v.number)}
        for v in versions.versions(get_session(), item)]})


@bp.get("/advies/<int:advice_id>/versie/<int:number>")
def advice_version(advice_id: int, number: int):
    """The JSON twin of one version's page."""
    item = public_advice_or_abort(advice_id)
    revision = versions.find_version(get_session(), item.id, number) or abort(404)
    return jsonify(version_context(get_session(), item, revision))


@bp.get("/search")
def search():
    return jsonify(search_context(request.args, endpoint="api.search"))


@bp.get("/hulp")
def help_page():
    return jsonify(help_context())


@bp.get("/toegankelijkheid")
def accessibility():
    return jsonify(accessibility_context())


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


def _int_arg(name: str, default: int, highest: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= highest:
        raise BadRequest(f"{name} must be a whole number from 1 to {highest}")
    return int(raw)


#: RFC 3339 (what OpenAPI's ``date-time`` means) or a plain date.
SINCE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
                   r"([Zz]|[+-]\d{2}:\d{2})?)?")


def _since_arg() -> datetime | None:
    """``since`` as naive UTC: a date (``2025-03-14``) or a time (``2025-03-14T10:00:00Z``)."""
    raw = request.args.get("since")
    if raw is None:
        return None
    found = SINCE.fullmatch(raw)
    if found is None:
        raise BadRequest("since must be an ISO 8601 date or time")
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    try:
        value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                         min(int(second or 0), 59),  # a leap second counts as the one before
                         int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError:
        raise BadRequest("since must be an ISO 8601 date or time") from None
    if zone and zone.upper() != "Z":
        sign = 1 if zone[0] == "+" else -1
        offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        try:
            value = value - offset
        except OverflowError:  # past either end of the calendar: the end itself
            value = datetime.min if offset > timedelta(0) else datetime.max
    return value


def _stamp(value: datetime | None) -> str | None:
    return value.replace(microsecond=0).isoformat() + "Z" if value else None
