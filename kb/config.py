"""Settings, declared once with their defaults and a line of help each.

Order of precedence (later wins): these defaults, ``instance/config.py``, ``KB_*`` environment
variables, and the mapping a test passes to ``create_app``. The README lists every setting.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The checkout the app runs from: themes/ and content/ live beside the packages.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("INSTANCE_PATH", None,
            "Folder of the runtime data (database, index, secret key, config.py); default "
            "instance/ in the checkout. Read from the environment only, before config.py."),
    Setting("DATABASE_URL", None,
            "SQLAlchemy URL of the database; default SQLite at instance/kennisbank.db."),
    Setting("INDEX_DIR", None, "Folder of the Whoosh search index; default instance/search_index."),
    Setting("SECRET_KEY", None,
            "Signs sessions and CSRF tokens; generated into instance/secret_key when absent."),
    Setting("AUTO_UPGRADE", True,
            "Upgrade the database schema at start. Production sets 0: an out-of-date database "
            "is then refused at start until `flask --app app kb db upgrade` has run."),
    Setting("LOAD_DEMO", True,
            "On first start with an empty database, import the demo advice from content/demo/."),
    Setting("THEMES_DIR", str(PROJECT_ROOT / "themes"), "Folder of the theme YAML files."),
    Setting("DEMO_DIR", str(PROJECT_ROOT / "content" / "demo"), "Folder of the demo advice."),
    Setting("SITE_NAME", "ExpEx Kennisbank", "Name shown in titles and citations."),
    Setting("SITE_URL", None,
            "The public address, e.g. https://kennisbank.expex.nl (no path): every absolute "
            "link (canonical, citation, feed, API permalinks, invites) uses it and requests "
            "for another host get a 400. Unset: links follow each request's host (development)."),
    Setting("PAGE_SIZE", 10, "Search results per page."),
    Setting("PAGE_CACHE_SIZE", 1000,
            "Public responses each serving process keeps (per URL), dropped when anything public "
            "changes; 0 keeps none (ETag and 304 still work)."),
    Setting("PAGE_CACHE_CHECK_SECONDS", 0.0,
            "How long one look at the change log stays good for kept pages; 0 looks before every "
            "kept page is served (a change shows at once on every worker and node)."),
    Setting("PUBLIC_MAX_AGE", 10,
            "Seconds a browser or reverse proxy may keep a public page (Cache-Control max-age)."),
    Setting("STALE_WHILE_REVALIDATE", 30,
            "Seconds after max-age a proxy may still serve a public page while it fetches a new "
            "one (Cache-Control stale-while-revalidate)."),
    Setting("LIST_PAGE_SIZE", 20,
            "Advice per page on a theme page, its JSON twin and the editors' published list."),
    Setting("INDEX_CHECK_SECONDS", 300,
            "How often each serving process compares the search index with the database and "
            "repairs (and logs) any difference; 0 switches the check off."),
    Setting("PROXY_FIX", 0,
            "Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust."),
    Setting("HSTS_SECONDS", 0,
            "Strict-Transport-Security max-age sent on HTTPS responses (e.g. 31536000 behind "
            "HTTPS); 0 sends no header. Only once every visitor reaches the site over HTTPS."),
    Setting("SESSION_HOURS", 12, "How long a login lasts, in hours."),
    Setting("LOGIN_LIMIT", 5,
            "Failed logins (per account and per address) before a wait; also for invite links."),
    Setting("LOGIN_WINDOW_MINUTES", 15, "The period over which failed logins are counted."),
    Setting("INVITE_DAYS", 14, "How many days an invite link stays valid."),
    Setting("MAX_CONTENT_LENGTH", 1_048_576,
            "Largest request in bytes; larger gets a 413. Generous on purpose: an advice body "
            "over 100 KB gets its own 413 that keeps the writer's text in the form."),
    # Mail (issue 14): unset host or sender means mail is off; everything else still works.
    Setting("SMTP_HOST", None, "SMTP server that sends mail; unset: no mail is sent."),
    Setting("SMTP_PORT", None, "SMTP port; default 587 (starttls), 465 (ssl) or 25 (off)."),
    Setting("SMTP_USER", None, "SMTP login, if the server asks for one."),
    Setting("SMTP_PASSWORD", None, "SMTP password, with SMTP_USER."),
    Setting("SMTP_TLS", "starttls", "starttls, ssl or off (off only for a server on this host)."),
    Setting("MAIL_FROM", None,
            "Sender address of every mail, e.g. kennisbank@expex.nl; unset: no mail is sent."),
    # Issue 15: where a reader reports a problem (the accessibility statement).
    Setting("CONTACT_EMAIL", None,
            "Address where readers report a problem with the site (shown on /toegankelijkheid);"
            " unset: KB_MAIL_FROM."),
)


def apply_defaults(config: dict, instance_path: Path) -> None:
    """Fill every setting that is still unset, deriving paths from the instance folder."""
    for setting in SETTINGS:
        # Flask itself pre-sets some names (MAX_CONTENT_LENGTH) to None: None counts as unset.
        if config.get(setting.name) is None:
            config[setting.name] = setting.default
    config["INSTANCE_PATH"] = str(instance_path)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'kennisbank.db'}"
    if not config.get("INDEX_DIR"):
        config["INDEX_DIR"] = str(instance_path / "search_index")
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _stored_secret_key(instance_path)
    config["LOAD_DEMO"] = _as_bool(config["LOAD_DEMO"])
    config["AUTO_UPGRADE"] = _as_bool(config["AUTO_UPGRADE"])


def _stored_secret_key(instance_path: Path) -> str:
    """Read the instance's secret key, creating it once, so sessions survive restarts."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in {"0", "false", "no", "off", ""}
    return bool(value)
