"""Dutch local time: the one place where a stored time becomes the date and time people read.

Times are stored as naive UTC (:func:`kb.models.utcnow`); people in the Netherlands read
Europe/Amsterdam. A publication date is a *local* date too: an advice published at 00:30 on
26 November (23:30 UTC on the 25th) is published on 26 November, the day its page says it
changed. The zone data comes from the ``tzdata`` package (a dependency), so there is no
fallback to UTC on a system without zone files: a wrong date would be worse than none.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Amsterdam")


def local(value: datetime) -> datetime:
    """A stored (naive UTC) or aware time as Amsterdam time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZONE)


def local_date(value: datetime) -> date:
    """The Amsterdam calendar day of a stored time."""
    return local(value).date()


def today(now: datetime | None = None) -> date:
    """Today in Amsterdam (``now``: any aware or naive-UTC time, for a given moment)."""
    return local(now or datetime.now(UTC)).date()


def utc_start_of(day: date) -> datetime:
    """The stored (naive UTC) time at which this Amsterdam day begins, to filter on days."""
    return datetime.combine(day, time(), ZONE).astimezone(UTC).replace(tzinfo=None)
