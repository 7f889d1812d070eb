"""The content model: themes, advice, their revisions and the slugs they were known by.

(No ``from __future__ import annotations`` here: SQLModel resolves relationship
annotations at class creation.)

Ids of advice are never reused (SQLite ``AUTOINCREMENT``, a sequence on PostgreSQL): the id in
``/advies/<id>/<slug>`` is what keeps a shared link working forever.
"""

import enum
from datetime import UTC, date, datetime

from pydantic import NaiveDatetime
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    FetchedValue,
    Text,
    UniqueConstraint,
    false,
)
from sqlmodel import Field, Relationship, SQLModel

#: The largest id any table can hold: PostgreSQL's ``integer`` (SQLite's goes higher). A larger
#: number in a URL or an import file can name nothing, and would make PostgreSQL fail.
MAX_ID = 2**31 - 1

def utcnow() -> datetime:
    """Naive UTC now: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


class Role(enum.StrEnum):
    CONTRIBUTOR = "contributor"
    EDITOR = "editor"
    ADMIN = "admin"


class AdviceStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class AdviceTheme(SQLModel, table=True):
    __tablename__ = "advice_theme"

    advice_id: int | None = Field(default=None, foreign_key="advice.id", primary_key=True)
    theme_id: int | None = Field(default=None, foreign_key="theme.id", primary_key=True)
    #: The writer's order of themes; the first is the main theme.
    position: int = 0


class Theme(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=80)
    name: str = Field(max_length=120)
    name_en: str = Field(default="", max_length=120)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    synonyms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    related: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))

    advice: list["Advice"] = Relationship(
        link_model=AdviceTheme, sa_relationship_kwargs={"viewonly": True}
    )


class Advice(SQLModel, table=True):
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=200)
    title: str = Field(max_length=160)
    summary: str = Field(max_length=300)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    body_html: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    toc: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    authors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    audience: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    region: str | None = Field(default=None, max_length=80)
    language: str = Field(default="nl", max_length=8)
    published: date | None = None
    status: str = Field(default=AdviceStatus.DRAFT, index=True, max_length=20)
    revision: int = 0
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    updated_at: NaiveDatetime = Field(default_factory=utcnow)
    #: The account that wrote it (None for imported advice). Never shown publicly.
    owner_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    # --- issue 13 (citing): what the 410 tombstone of a withdrawn advice shows.
    #: When it was last withdrawn (None while it is public).
    withdrawn_at: NaiveDatetime | None = None
    #: The writer's public reason for withdrawing it ("" when none was given).
    withdrawal_reason: str = Field(default="", max_length=500)
    #: Set by an editor: the advice to read instead ("Lees in plaats daarvan …").
    replaced_by_id: int | None = Field(default=None, foreign_key="advice.id")
    #: When the public text last changed (its newest version, kb.versions.version_time): what
    #: feeds, the sitemap and ``/api/advies?since=`` order and filter by. None until published.
    changed_at: NaiveDatetime | None = Field(default=None, index=True)
    # --- end issue 13

    # Written through AdviceTheme rows (kb.advice.save_advice) so that the order is kept.
    themes: list[Theme] = Relationship(
        link_model=AdviceTheme,
        sa_relationship_kwargs={"viewonly": True, "order_by": "AdviceTheme.position"},
    )
    revisions: list["Revision"] = Relationship(
        back_populates="advice",
        sa_relationship_kwargs={"order_by": "Revision.number", "cascade": "all"},
    )

    @property
    def is_public(self) -> bool:
        return self.status == AdviceStatus.PUBLISHED

    @property
    def theme_slugs(self) -> list[str]:
        return [theme.slug for theme in self.themes]


class Revision(SQLModel, table=True):
    """An immutable snapshot of an advice's whole content after one change."""

    __table_args__ = (UniqueConstraint("advice_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    advice_id: int = Field(foreign_key="advice.id", index=True)
    number: int
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    note: str = Field(default="", max_length=500)
    status: str = Field(max_length=20)
    #: Who made this change (None for imports and the CLI). Never shown publicly.
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    content: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # --- issue 13 (citing): the public versions readers can cite.
    #: The public version this revision made (1, 2, …): set when a published revision changes
    #: the text (title, summary, body) of the last version; None for every other revision
    #: (drafts, a slug rename, a withdrawal, a change of themes or names).
    version: int | None = Field(default=None)
    #: The editor's one line for readers about what changed ("Cijfers bijgewerkt"); public.
    change_note: str = Field(default="", max_length=200)
    # --- end issue 13

    advice: Advice = Relationship(back_populates="revisions")


class OldSlug(SQLModel, table=True):
    """A slug an advice had before a rename, so links that used it still redirect."""

    __tablename__ = "old_slug"
    __table_args__ = (UniqueConstraint("advice_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    advice_id: int = Field(foreign_key="advice.id", index=True)
    slug: str = Field(max_length=200, index=True)
    retired_at: NaiveDatetime = Field(default_factory=utcnow)


class IndexChange(SQLModel, table=True):
    """One change of what is public, logged in the same transaction as the change itself.

    Every node's search index follows this log (``kb.indexing``); ``advice_id`` None means the
    themes changed, which affects how queries are expanded rather than any one document.
    """

    __tablename__ = "index_change"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    advice_id: int | None = Field(default=None, index=True)
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    #: PostgreSQL: the id of the transaction that wrote the row, so that a reader can tell
    #: which transactions have finished (ids are handed out before commit, in no commit order).
    #: The server fills it (migration 0002 gives the column a default of ``txid_current()`` on
    #: PostgreSQL only, which a model cannot say per dialect): ``FetchedValue`` makes the ORM
    #: leave the column out of its INSERT so that the default applies. None on SQLite, where
    #: one writer at a time commits ids in order.
    txid: int | None = Field(default=None, sa_column=Column(
        BigInteger, nullable=True, index=True, server_default=FetchedValue()))
    #: A redaction (kb.redaction): the index must also forget the old text, which a plain
    #: replace leaves in its files until segments merge; applying this row merges them all.
    purge: bool = Field(default=False, sa_column=Column(Boolean, nullable=False,
                                                        server_default=false()))


class User(SQLModel, table=True):
    """An account. Only ``display_names`` are ever public; login and e-mail never are."""

    __tablename__ = "user_account"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(index=True, unique=True, max_length=40)
    password_hash: str = Field(max_length=200)
    role: str = Field(default=Role.CONTRIBUTOR, max_length=20)
    #: The public names this person writes under (pseudonyms, group names); "anoniem" always.
    display_names: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    email: str | None = Field(default=None, max_length=200)
    active: bool = True
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    last_login_at: NaiveDatetime | None = None


class Invite(SQLModel, table=True):
    """A single-use invitation link; only a hash of its token is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    role: str = Field(default=Role.CONTRIBUTOR, max_length=20)
    note: str = Field(default="", max_length=200)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    expires_at: NaiveDatetime
    used_at: NaiveDatetime | None = None
    used_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    #: Set when an editor withdrew the link before it was used.
    revoked_at: NaiveDatetime | None = None


class LoginAttempt(SQLModel, table=True):
    """A failed login or invite redemption, counted per account and per address.

    Kept in the database so that every worker and node counts the same attempts.
    """

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, max_length=200)
    created_at: NaiveDatetime = Field(default_factory=utcnow, index=True)


class AuditEntry(SQLModel, table=True):
    """One workflow or account action: who did what, when. Visible to admins only."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    created_at: NaiveDatetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    action: str = Field(max_length=40)
    advice_id: int | None = Field(default=None, foreign_key="advice.id", index=True)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DatabaseMeta(SQLModel, table=True):
    """Facts about the database itself, such as ``database_id``: a random id made when the
    database was created, which a search index records so that it is never written from (or
    served for) another database."""

    __tablename__ = "database_meta"

    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)


class LoginSession(SQLModel, table=True):
    """One login: the cookie holds a random token whose hash is here, so that logging out (or
    an admin, or a password change) ends the session on the server, not only in the browser."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    ended_at: NaiveDatetime | None = None


# --------------------------------------------------------------------------- audiences, regions
# Controlled lists beside the themes (issue 11), synced from ``themes/audiences/*.yaml`` and
# ``themes/regions/regions.yaml`` by :mod:`kb.vocabulary`. An advice refers to them by slug
# (``Advice.audience`` holds audience slugs, ``Advice.region`` one region slug), so that facet
# values can never split by spelling.


class Audience(SQLModel, table=True):
    """Who an advice speaks to ("Voor gemeenten"); policymakers filter and browse on it."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=80)
    name: str = Field(max_length=120)
    name_en: str = Field(default="", max_length=120)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    synonyms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Region(SQLModel, table=True):
    """"Landelijk", a province or a jeugdregio; ``province`` is a jeugdregio's province slug."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=80)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=20)
    province: str | None = Field(default=None, max_length=80)
    #: Other spellings an import (or the migration of old free text) maps to this region.
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: The order of the list file: landelijk, the provinces, the jeugdregio's.
    position: int = 0


class UnmappedValue(SQLModel, table=True):
    """A free-text value from before the controlled lists that matched none of their entries.

    Migration 0006 keeps it here instead of dropping it; ``kb regions`` lists what is left, and
    an editor who sets the advice's region or audiences resolves it.
    """

    __tablename__ = "unmapped_value"

    id: int | None = Field(default=None, primary_key=True)
    advice_id: int = Field(foreign_key="advice.id", index=True)
    field: str = Field(max_length=20)
    value: str = Field(max_length=200)
    found_at: NaiveDatetime = Field(default_factory=utcnow)


# --------------------------------------------------------------------------- issue 14: mail,
# notifications, password reset and reader alerts (migration 0005)


class MailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    #: Given up after every attempt failed; ``last_error`` says why.
    FAILED = "failed"
    #: Not sent before it stopped being useful (a reset link of an hour, mail while mail was off).
    EXPIRED = "expired"


class OutboxMail(SQLModel, table=True):
    """One mail to send, written in the same transaction as the change that causes it.

    The text is made when it is sent (``kb.mail``), from ``kind`` and ``params``: links need
    the site's address and tokens the secret key, which the step that queues it does not hold.
    Ids are never reused, so the Message-ID made from the id names one mail for ever.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    kind: str = Field(max_length=40)
    to_addr: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=MailStatus.QUEUED, max_length=10, index=True)
    attempts: int = 0
    next_attempt_at: NaiveDatetime = Field(default_factory=utcnow, index=True)
    #: While a sender holds the row: others leave it alone until then (a lease, so a sender
    #: that died does not keep it for ever).
    claimed_until: NaiveDatetime | None = None
    sent_at: NaiveDatetime | None = None
    last_error: str = Field(default="", max_length=500)
    expires_at: NaiveDatetime


class Notification(SQLModel, table=True):
    """Something that happened to a person's advice or work, shown under "Meldingen"."""

    __tablename__ = "notification"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    kind: str = Field(max_length=40)
    advice_id: int | None = Field(default=None, foreign_key="advice.id")
    #: The advice's title when it happened (the advice may change or go).
    title: str = Field(default="", max_length=160)
    note: str = Field(default="", max_length=500)
    read_at: NaiveDatetime | None = None


class NotificationOptOut(SQLModel, table=True):
    """A kind of notification this person does not want by e-mail (all are on by default)."""

    __tablename__ = "notification_optout"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    kind: str = Field(max_length=40, primary_key=True)


class PasswordReset(SQLModel, table=True):
    """A single-use link to choose a new password; only a hash of its token is stored.

    A mailed link's token is derived from ``salt`` and the secret key when the mail is sent,
    so neither the database nor the outbox ever holds a usable token. A link an editor makes
    (for an account without e-mail) is random, shown once, and has no salt.
    """

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    salt: str = Field(default="", max_length=64)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    expires_at: NaiveDatetime
    used_at: NaiveDatetime | None = None


class AlertSubscriber(SQLModel, table=True):
    """A reader's e-mail address, kept only while it has a subscription. Never public."""

    __tablename__ = "alert_subscriber"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    salt: str = Field(max_length=64)
    #: The hash of the token of the "manage my alerts" link (derived from salt + secret key).
    manage_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class AlertSubscription(SQLModel, table=True):
    """One alert: a theme, an audience or a search, mailed at a frequency once confirmed."""

    __tablename__ = "alert_subscription"

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="alert_subscriber.id", index=True)
    kind: str = Field(max_length=20)
    #: What it follows: ``{"theme": slug}``, ``{"audience": name}`` or ``{"q": …, "filters": …}``.
    criteria: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    frequency: str = Field(max_length=12)
    salt: str = Field(max_length=64)
    confirm_hash: str = Field(max_length=64, unique=True, index=True)
    unsubscribe_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: NaiveDatetime = Field(default_factory=utcnow, index=True)
    confirmed_at: NaiveDatetime | None = None
    #: Until when the advice has been looked at for this alert.
    last_digest_at: NaiveDatetime | None = None
    #: ``{advice id: revision}`` already mailed within the look-back window, so a change that
    #: committed late is mailed once and a change already mailed is not mailed again.
    seen: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
# --------------------------------------------------------------------------- issue 12: writers


class KeptText(SQLModel, table=True):
    """A form a writer sent while their login had ended, kept for a day after they log in again.

    Without it the text was lost: the login page carries the typed fields, and after the new
    login they wait here, for that account only, until the form page takes them back
    (:mod:`kb.web.kept_text`). Rows older than :data:`kb.web.kept_text.KEPT_FOR` are deleted.
    """

    __tablename__ = "kept_text"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    url: str = Field(max_length=300)
    fields: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: NaiveDatetime = Field(default_factory=utcnow, index=True)


class WriterGroup(SQLModel, table=True):
    """A group of writers ("ExpEx Gelderland") that editors create: only its members may
    publish under its name, and no account may take its name as a display name."""

    __tablename__ = "writer_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class GroupMember(SQLModel, table=True):
    """One writer in one group."""

    __tablename__ = "group_member"

    group_id: int = Field(foreign_key="writer_group.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)
    added_at: NaiveDatetime = Field(default_factory=utcnow)


class GuardianConsent(SQLModel, table=True):
    """A writer younger than 16 (they said so at invite redemption), and when an editor
    recorded that a parent or guardian consented (AVG art. 8, UAVG art. 5). Only the age band
    is stored: a row means "under 16"; no row means 16 or older. Until ``given_at`` is set the
    writer can write drafts but not send them (:mod:`kb.consent`)."""

    __tablename__ = "guardian_consent"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    given_at: NaiveDatetime | None = None
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")


# --------------------------------------------------------------------------- issue 12: co-writing
# (migration 0008)


class AdviceWriter(SQLModel, table=True):
    """One writer of one advice, or one invitation to become one (:mod:`kb.advice_writers`).

    Nobody is named without saying yes: an invited writer (``status`` "invited") is listed
    nowhere and cannot edit until they accept. ``names`` is how this writer chose to be shown
    (a display name, a group's name, or "Anoniem"); the advice's public ``authors`` are made
    from the rows of those who accepted and did not take their name off (``name_off_at``).
    """

    __tablename__ = "advice_writer"

    advice_id: int = Field(foreign_key="advice.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)
    #: "invited" until they say yes, then "writer".
    status: str = Field(default="invited", max_length=10)
    names: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: The order in which the names are listed (the first writer first).
    position: int = 0
    invited_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    invited_at: NaiveDatetime = Field(default_factory=utcnow)
    accepted_at: NaiveDatetime | None = None
    #: Set while this writer has taken their own name off the advice; only they undo it.
    name_off_at: NaiveDatetime | None = None
