"""Tokens for links in mail, derived from a stored salt and the secret key.

A mail is written (queued) in one transaction and sent later, by another process; its link
must hold a token, yet the database should hold no usable token (a copy of it, or of a backup,
must not reset a password or end someone's alerts). So a row stores a random *salt* and the
*hash* of the token; the token itself is ``HMAC(secret key, purpose:salt)``, made again by the
sender when it writes the mail, and looked up by its hash when it comes back. Changing the
secret key makes every such link stop working, which is what a leaked key calls for anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_salt() -> str:
    """A random salt for one row."""
    return secrets.token_hex(16)


def derive(secret: str, purpose: str, salt: str) -> str:
    """The token of this row for this purpose (URL-safe hex)."""
    return hmac.new(secret.encode(), f"{purpose}:{salt}".encode(), hashlib.sha256).hexdigest()


def hash_token(token: str) -> str:
    """What is stored and looked up: the token's SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def derived_hash(secret: str, purpose: str, salt: str) -> str:
    """The stored hash of the token this row's link will carry."""
    return hash_token(derive(secret, purpose, salt))


def well_formed(token: object) -> bool:
    """Whether a token from a URL can be one of ours (cheap check before a lookup)."""
    return isinstance(token, str) and 16 <= len(token) <= 100 and token.isascii()
