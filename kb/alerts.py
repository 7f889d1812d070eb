"""E-mail alerts for readers: follow a theme, an audience or a search, and get the new and
changed advice by mail, at once, daily or weekly.

**Double opt-in.** :func:`subscribe` stores the address and an unconfirmed subscription and
queues a mail with a confirmation link; nothing else is ever sent to an address until its owner
confirms that subscription. Unconfirmed subscriptions go after :data:`UNCONFIRMED_DAYS`, and an
address goes the moment it has no subscription left (:func:`purge`, :func:`unsubscribe`). No
address is ever shown anywhere public: only the person with a link from a mail sees theirs.

**Links.** Every mail carries a one-click unsubscribe link (also as ``List-Unsubscribe`` with
``List-Unsubscribe-Post``, RFC 8058) and a link to manage or end all of the address's alerts.
Their tokens are derived from stored salts and the secret key when the mail is sent
(:mod:`kb.tokens`); the database holds only hashes.

**Digests.** :func:`make_digests` looks at the published advice that changed since an alert's
last digest (a look-back of :data:`LOOKBACK` catches a change that committed late, and
``seen`` remembers what was already mailed, so nothing is mailed twice), keeps what matches the
alert, and queues one mail with their titles, summaries and links — nothing when nothing
matches. Its cost grows with the advice that changed, not with all advice. A search alert asks
the search index through a ``matcher`` the caller passes in (this module knows no Flask).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from kb import outbox, tokens, vocabulary
from kb.accounts import email_problem
from kb.models import (
    Advice,
    AdviceStatus,
    AlertSubscriber,
    AlertSubscription,
    Theme,
    utcnow,
)

KINDS = ("theme", "audience", "search")
FREQUENCIES = ("immediately", "daily", "weekly")
PERIOD = {"immediately": timedelta(0), "daily": timedelta(days=1), "weekly": timedelta(days=7)}
#: A daily digest made at 07:02 after one made at 07:00 yesterday is on time.
SLACK = timedelta(minutes=10)
UNCONFIRMED_DAYS = 7
LOOKBACK = timedelta(days=2)
MAX_QUERY = 200
#: At most this many subscriptions per address (a brake on abuse, not a quota people meet).
MAX_PER_ADDRESS = 20
#: At most this many advice in one digest; the mail says there is more on the site.
MAX_ITEMS = 30
#: Mail of alerts is useless when late: a digest not sent within this time expires.
DIGEST_TTL = timedelta(days=2)


class AlertError(ValueError):
    """The subscription form has errors: ``errors`` maps a field to a code."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _values(value) -> list[str]:
    """A filter's chosen values, sorted (a filter takes several: ``theme=a&theme=b``)."""
    values = value if isinstance(value, list | tuple) else [value]
    return sorted({str(v)[:100] for v in values if v})[:20]


def clean_criteria(session: Session, kind: str, criteria: dict) -> dict:
    """The criteria as stored, or AlertError: a known theme, a known audience, or a search."""
    if kind == "theme":
        slug = str(criteria.get("theme") or "")
        if session.exec(select(Theme.id).where(Theme.slug == slug)).first() is None:
            raise AlertError({"criteria": "unknown"})
        return {"theme": slug}
    if kind == "audience":
        audience = str(criteria.get("audience") or "")
        if audience not in vocabulary.audience_map(session):
            raise AlertError({"criteria": "unknown"})
        return {"audience": audience}
    if kind == "search":
        query = str(criteria.get("q") or "").strip()
        filters = {str(name)[:20]: _values(value)
                   for name, value in (criteria.get("filters") or {}).items() if _values(value)}
        if not query:
            raise AlertError({"criteria": "empty"})
        if len(query) > MAX_QUERY:
            raise AlertError({"criteria": "long"})
        return {"q": query, "filters": dict(sorted(filters.items()))}
    raise AlertError({"criteria": "unknown"})


def subscribe(session: Session, email: str, kind: str, criteria: dict, frequency: str,
              secret: str) -> AlertSubscription:
    """Store an unconfirmed subscription and queue its confirmation mail; the caller commits.

    The same alert asked again gets its confirmation mail again (whether or not it was
    confirmed), so the page can answer the same in every case.
    """
    email = normalise_email(email)
    problem = email_problem(email) or (None if email else "missing")
    errors = {"email": problem} if problem else {}
    if frequency not in FREQUENCIES:
        errors["frequency"] = "unknown"
    try:
        criteria = clean_criteria(session, kind, criteria)
    except AlertError as error:
        errors.update(error.errors)
    if errors:
        raise AlertError(errors)
    subscriber = session.exec(select(AlertSubscriber)
                              .where(AlertSubscriber.email == email)).first()
    if subscriber is None:
        salt = tokens.new_salt()
        subscriber = AlertSubscriber(email=email, salt=salt,
                                     manage_hash=tokens.derived_hash(secret, "manage", salt))
        session.add(subscriber)
        session.flush()
    existing = [s for s in session.exec(select(AlertSubscription).where(
        AlertSubscription.subscriber_id == subscriber.id)).all()]
    same = next((s for s in existing if s.kind == kind and s.criteria == criteria), None)
    if same is None:
        if len(existing) >= MAX_PER_ADDRESS:
            raise AlertError({"email": "too_many"})
        salt = tokens.new_salt()
        same = AlertSubscription(
            subscriber_id=subscriber.id, kind=kind, criteria=criteria, frequency=frequency,
            salt=salt, confirm_hash=tokens.derived_hash(secret, "confirm", salt),
            unsubscribe_hash=tokens.derived_hash(secret, "unsubscribe", salt))
        session.add(same)
        session.flush()
    elif same.confirmed_at is None:
        same.frequency = frequency
    outbox.enqueue(session, "alert_confirm", email,
                   {**_mail_params(session, subscriber, same),
                    "confirm_salt": same.salt, "confirmed": same.confirmed_at is not None},
                   ttl=timedelta(days=UNCONFIRMED_DAYS))
    return same


def _mail_params(session: Session, subscriber: AlertSubscriber,
                 subscription: AlertSubscription) -> dict:
    """What every alert mail needs: what is followed, and the two links' salts."""
    theme_name = ""
    if subscription.kind == "theme":
        theme_name = session.exec(select(Theme.name).where(
            Theme.slug == subscription.criteria["theme"])).first() or ""
    audience_name = ""
    if subscription.kind == "audience":
        found = vocabulary.audience_map(session).get(subscription.criteria["audience"])
        audience_name = found.name if found is not None else subscription.criteria["audience"]
    return {"kind": subscription.kind, "criteria": subscription.criteria,
            "theme_name": theme_name, "audience_name": audience_name,
            "frequency": subscription.frequency,
            "manage_salt": subscriber.salt, "unsubscribe_salt": subscription.salt}


def by_token(session: Session, column, token: str):
    """The row whose hashed token this is (a subscription or a subscriber), or None."""
    if not tokens.well_formed(token):
        return None
    model = AlertSubscriber if column is AlertSubscriber.manage_hash else AlertSubscription
    return session.exec(select(model).where(column == tokens.hash_token(token))).first()


def confirm(session: Session, token: str) -> AlertSubscription | None:
    """Confirm a subscription by the token of its confirmation link; its digests start now."""
    found = by_token(session, AlertSubscription.confirm_hash, token)
    if found is not None and found.confirmed_at is None:
        now = utcnow()
        found.confirmed_at = found.last_digest_at = now
        # What is already there is not news: the look-back window must not mail it.
        found.seen = {str(advice_id): revision for advice_id, revision in session.exec(
            select(Advice.id, Advice.revision).where(
                Advice.status == AdviceStatus.PUBLISHED,
                Advice.updated_at > now - LOOKBACK)).all()}
    return found


def unsubscribe(session: Session, token: str) -> bool:
    """End one subscription by its unsubscribe token; the address goes with its last one."""
    found = by_token(session, AlertSubscription.unsubscribe_hash, token)
    if found is None:
        return False
    end(session, found)
    return True


def end(session: Session, subscription: AlertSubscription) -> None:
    subscriber_id = subscription.subscriber_id
    session.delete(subscription)
    session.flush()
    _forget_if_empty(session, [subscriber_id])


def end_all(session: Session, subscriber: AlertSubscriber) -> None:
    """End every subscription of this address, and forget the address."""
    session.execute(delete(AlertSubscription)
                    .where(AlertSubscription.subscriber_id == subscriber.id))
    session.delete(subscriber)
    session.flush()


def subscriptions_of(session: Session, subscriber: AlertSubscriber) -> list[AlertSubscription]:
    return list(session.exec(select(AlertSubscription)
                             .where(AlertSubscription.subscriber_id == subscriber.id)
                             .order_by(AlertSubscription.id)).all())


def _forget_if_empty(session: Session, subscriber_ids: Iterable[int]) -> None:
    for subscriber_id in set(subscriber_ids):
        left = session.exec(select(func.count()).select_from(AlertSubscription).where(
            AlertSubscription.subscriber_id == subscriber_id)).one()
        if not left:
            session.execute(delete(AlertSubscriber).where(AlertSubscriber.id == subscriber_id))


def purge(session: Session, now: datetime | None = None) -> int:
    """Remove subscriptions unconfirmed for :data:`UNCONFIRMED_DAYS`, and addresses left
    without any; returns how many subscriptions went. The caller commits."""
    cutoff = (now or utcnow()) - timedelta(days=UNCONFIRMED_DAYS)
    stale = session.exec(select(AlertSubscription).where(
        AlertSubscription.confirmed_at.is_(None), AlertSubscription.created_at < cutoff)).all()
    owners = [s.subscriber_id for s in stale]
    for subscription in stale:
        session.delete(subscription)
    session.flush()
    _forget_if_empty(session, owners)
    orphans = session.exec(select(AlertSubscriber.id).where(~AlertSubscriber.id.in_(
        select(AlertSubscription.subscriber_id)))).all()
    _forget_if_empty(session, orphans)
    return len(stale)


def is_due(subscription: AlertSubscription, now: datetime) -> bool:
    last = subscription.last_digest_at
    if subscription.confirmed_at is None:
        return False
    return last is None or now - last >= PERIOD[subscription.frequency] - SLACK


Matcher = Callable[[str, dict], set[int]]


def make_digests(session: Session, matcher: Matcher, now: datetime | None = None) -> int:
    """Queue the digest of every confirmed alert that is due; returns how many were queued.

    The caller commits. Each alert's ``last_digest_at`` moves to ``now`` even when nothing
    matched (then no mail goes).
    """
    now = now or utcnow()
    due = [s for s in session.exec(select(AlertSubscription).where(
        AlertSubscription.confirmed_at.is_not(None))).all() if is_due(s, now)]
    if not due:
        return 0
    since = min(s.last_digest_at or now for s in due) - LOOKBACK
    changed = list(session.exec(select(Advice).where(
        Advice.status == AdviceStatus.PUBLISHED, Advice.updated_at > since)
        .order_by(Advice.updated_at.desc(), Advice.id.desc())).all())
    search_hits: dict[str, set[int]] = {}
    queued = 0
    for subscription in due:
        if not _claim(session, subscription, now):
            continue  # another process (a worker, a node, cron) makes this one
        previous = subscription.last_digest_at or now
        window = previous - LOOKBACK
        seen = {str(k): v for k, v in (subscription.seen or {}).items()}
        recent = [a for a in changed if a.updated_at > window]
        fresh = [a for a in recent if seen.get(str(a.id)) != a.revision
                 and _matches(subscription, a, matcher, search_hits)]
        # Forget what left the window; remember what is mailed now.
        seen = {k: v for k, v in seen.items() if any(str(a.id) == k for a in recent)}
        seen.update({str(a.id): a.revision for a in fresh})
        subscription.seen = seen
        subscription.last_digest_at = now
        if not fresh:
            continue
        subscriber = session.get(AlertSubscriber, subscription.subscriber_id)
        items = [{"title": a.title, "summary": a.summary, "path": f"/advies/{a.id}/{a.slug}",
                  "new": bool(a.published and a.published >= previous.date())}
                 for a in fresh[:MAX_ITEMS]]
        outbox.enqueue(session, "alert_digest", subscriber.email,
                       {**_mail_params(session, subscriber, subscription), "items": items,
                        "more": max(0, len(fresh) - MAX_ITEMS)}, ttl=DIGEST_TTL)
        queued += 1
    return queued


def _claim(session: Session, subscription: AlertSubscription, now: datetime) -> bool:
    """Take this alert's digest for this run: one conditional UPDATE of ``last_digest_at``, so
    that two processes making digests at once cannot both queue it (on PostgreSQL the second
    waits for the first's commit, then finds the row changed; SQLite has one writer)."""
    last = subscription.last_digest_at
    same = (AlertSubscription.last_digest_at.is_(None) if last is None
            else AlertSubscription.last_digest_at == last)
    return session.execute(update(AlertSubscription)
                           .where(AlertSubscription.id == subscription.id, same)
                           .values(last_digest_at=now)
                           .execution_options(synchronize_session=False)).rowcount == 1


def _matches(subscription: AlertSubscription, advice: Advice, matcher: Matcher,
             cache: dict[str, set[int]]) -> bool:
    criteria = subscription.criteria
    if subscription.kind == "theme":
        return criteria.get("theme") in advice.theme_slugs
    if subscription.kind == "audience":
        return criteria.get("audience") in (advice.audience or [])
    key = repr(sorted(criteria.items()))
    if key not in cache:
        cache[key] = matcher(criteria.get("q", ""), criteria.get("filters") or {})
    return advice.id in cache[key]
