"""Slugs: the readable part of an advice URL, ASCII so that links survive e-mail and print."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG_LENGTH = 80
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def fold_diacritics(text: str) -> str:
    """Drop accents (``cliënt`` → ``client``) so Dutch words compare and link as plain ASCII."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(text: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """Turn a title into a URL slug: lowercase ASCII words joined by hyphens, cut at a word."""
    ascii_text = fold_diacritics(text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or (words[0][:max_length] if words else "")


def is_valid_slug(slug: str) -> bool:
    """A slug we would have made ourselves: safe to use in a URL as it is."""
    return bool(SLUG_PATTERN.match(slug)) and len(slug) <= MAX_SLUG_LENGTH
