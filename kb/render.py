"""Render advice-piece Markdown into safe HTML, a table of contents and plain text.

The knowledge base shows text written by many contributors, so the renderer is the
place where untrusted input becomes HTML. It therefore:

* parses CommonMark plus tables with raw HTML, typographer and linkify switched off,
  so any ``<tag>`` in the input is shown as visible, escaped text;
* lets markdown-it parse every link form (its own ``validateLink`` is told to accept
  everything) and then filters the resulting tokens with one strict allow-list:
  ``http``, ``https``, ``mailto`` and relative targets.  A rejected link keeps only
  its link text, which reads better than markdown-it's default of leaving the raw
  ``[text](url)`` source in the page;
* renders only relative images (no remote images, for readers' privacy);
* gives every heading a stable, ASCII, de-duplicated ``id`` for ``#anchor`` links.

The module is pure (no Flask) and deterministic: equal input gives equal output.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

__all__ = ["Heading", "Rendered", "plain_text", "render_markdown"]


@dataclass(frozen=True)
class Heading:
    """One h2/h3 heading of a document, as listed in its table of contents."""

    level: int  # 2 or 3
    id: str  # stable anchor id
    text: str  # plain text of the heading


@dataclass(frozen=True)
class Rendered:
    """Everything a page needs from one Markdown body."""

    html: str  # safe HTML of the body
    toc: tuple[Heading, ...]  # the h2/h3 headings in order
    text: str  # plain text of the body (no markup), for search indexing and snippets


# --------------------------------------------------------------------------- URLs

_ALLOWED_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_EXTERNAL_SCHEMES = frozenset({"http", "https"})
_TOC_LEVELS = frozenset({2, 3})

# Anything a browser may silently drop or ignore inside a URL: C0/C1 controls,
# spaces and other whitespace.  Format characters (zero-width joiners etc.) are
# handled separately via their Unicode category.
_INVISIBLE_RE = re.compile(r"[\x00-\x20\x7f-\x9f\s]+")
_SCHEME_RE = re.compile(r"^([^:/?#]*):")
_MAX_DECODE_ROUNDS = 5


def _clean_url(url: str) -> str:
    """Undo every encoding layer and drop invisible characters, so tricks show."""
    value = url
    for _ in range(_MAX_DECODE_ROUNDS):
        decoded = html.unescape(unquote(value))
        if decoded == value:
            break
        value = decoded
    value = unicodedata.normalize("NFKC", value)
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Cf")
    return _INVISIBLE_RE.sub("", value)


def _url_scheme(url: str) -> str | None:
    """Return the lower-cased scheme of ``url`` (after cleaning), or None if relative.

    Anything before a ``:`` that comes ahead of the first ``/``, ``?`` or ``#`` counts
    as a scheme, even if it is not a syntactically valid one: the check must err on
    the strict side.
    """
    match = _SCHEME_RE.match(_clean_url(url))
    return match.group(1).lower() if match else None


def _is_protocol_relative(url: str) -> bool:
    """True for ``//host`` style targets (browsers also treat ``\\`` as ``/``)."""
    return _clean_url(url)[:2] in {"//", "\\\\", "/\\", "\\/"}


def _is_safe_link(url: str) -> bool:
    """True when a link target may be rendered as ``<a href>``."""
    if _is_protocol_relative(url):
        return False
    scheme = _url_scheme(url)
    return scheme is None or scheme in _ALLOWED_LINK_SCHEMES


def _is_safe_image(url: str) -> bool:
    """True when an image source is a relative path on our own site."""
    return not _is_protocol_relative(url) and _url_scheme(url) is None


def _is_external(url: str) -> bool:
    """True for http(s) links, which leave the site and get ``rel=noopener``."""
    return _url_scheme(url) in _EXTERNAL_SCHEMES


# ----------------------------------------------------------------------- headings

_SLUG_TRANSLATE = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "þ": "th",
        "Þ": "th",
        "ð": "d",
        "Ð": "d",
    }
)
_SLUG_SEPARATOR_RE = re.compile(r"[^a-z0-9]+")
_SLUG_MAX_LENGTH = 80
_SLUG_FALLBACK = "sectie"


def _slugify(text: str) -> str:
    """Turn heading text into an ASCII anchor: lowercase, diacritics folded, dashes."""
    folded = unicodedata.normalize("NFKD", text.translate(_SLUG_TRANSLATE))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = _SLUG_SEPARATOR_RE.sub("-", ascii_text).strip("-")
    return slug[:_SLUG_MAX_LENGTH].rstrip("-")


def _unique_id(base: str, used: set[str], counters: dict[str, int]) -> str:
    """De-duplicate an anchor within one document with ``-2``, ``-3``, ...

    ``counters`` remembers the last suffix per base, so many equal headings stay linear.
    """
    base = base or _SLUG_FALLBACK
    candidate, number = base, counters.get(base, 1)
    if number > 1:
        candidate = f"{base}-{number}"
    while candidate in used:
        number += 1
        candidate = f"{base}-{number}"
    counters[base] = number
    used.add(candidate)
    return candidate


# --------------------------------------------------------------------- plain text

_SPACE_RUN_RE = re.compile(r"[ \t]+")


def _inline_text(children: Sequence[Token] | None) -> str:
    """Plain text of an inline token's children (links keep text, images keep alt)."""
    parts: list[str] = []
    for child in children or ():
        if child.type in {"text", "code_inline", "text_special"}:
            parts.append(child.content)
        elif child.type == "image":
            parts.append(_inline_text(child.children))
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return "".join(parts)


def _tidy(text: str) -> str:
    """Collapse runs of spaces and trim each line, keeping the line structure."""
    lines = (_SPACE_RUN_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _tokens_text(tokens: Sequence[Token]) -> str:
    """Plain text of a token stream: a block per paragraph, heading, code or table."""
    blocks: list[str] = []
    rows: list[str] = []
    row: list[str] = []
    in_row = False
    for token in tokens:
        if token.type == "tr_open":
            in_row, row = True, []
        elif token.type == "tr_close":
            in_row = False
            line = _tidy(" ".join(cell for cell in row if cell))
            if line:
                rows.append(line)
        elif token.type == "table_close":
            if rows:
                blocks.append("\n".join(rows))
            rows = []
        elif token.type == "inline":
            text = _tidy(_inline_text(token.children))
            if in_row:
                row.append(text)
            elif text:
                blocks.append(text)
        elif token.type in {"code_block", "fence"}:
            text = token.content.strip("\n")
            if text.strip():
                blocks.append(text)
    return "\n\n".join(blocks)


# --------------------------------------------------------------------- core rule


def _sanitize_inline(children: list[Token]) -> list[Token]:
    """Drop links with a disallowed target (keep their text) and remote images (keep alt)."""
    result: list[Token] = []
    dropping_link = False
    for child in children:
        if child.type == "link_open":
            dropping_link = not _is_safe_link(str(child.attrGet("href") or ""))
            if dropping_link:
                continue
        elif child.type == "link_close":
            if dropping_link:
                dropping_link = False
                continue
        elif child.type == "image":
            if not _is_safe_image(str(child.attrGet("src") or "")):
                alt = Token("text", "", 0)
                alt.content = _inline_text(child.children)
                result.append(alt)
                continue
            if child.children:
                child.children = _sanitize_inline(child.children)
        result.append(child)
    return result


def _kb_core_rule(state: StateCore) -> None:
    """Filter links/images and assign heading ids; toc goes into ``state.env``."""
    used_ids: set[str] = set()
    id_counters: dict[str, int] = {}
    toc: list[Heading] = []
    tokens = state.tokens
    for token in tokens:
        if token.type == "inline" and token.children:
            token.children = _sanitize_inline(token.children)
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1] if index + 1 < len(tokens) else None
        children = inline.children if inline is not None and inline.type == "inline" else None
        text = " ".join(_tidy(_inline_text(children)).split())
        anchor = _unique_id(_slugify(text), used_ids, id_counters)
        token.attrSet("id", anchor)
        level = int(token.tag[1:])
        if level in _TOC_LEVELS:
            toc.append(Heading(level=level, id=anchor, text=text))
    state.env["kb_toc"] = tuple(toc)


# ---------------------------------------------------------------------- renderer


def _render_link_open(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Render ``<a>``; external links get rel, and unsafe hrefs never reach the output."""
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if not _is_safe_link(href):  # belt and braces: the core rule already removed these
        token.attrs.pop("href", None)
    elif _is_external(href):
        token.attrSet("rel", "noopener noreferrer")
    return str(self.renderToken(tokens, idx, options, env))


def _render_image(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Render a relative image lazily; anything else (never expected here) as alt text."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = _inline_text(token.children)
    if not _is_safe_image(src):
        return escapeHtml(alt)
    attrs = f' src="{escapeHtml(src)}" alt="{escapeHtml(alt)}"'
    title = token.attrGet("title")
    if title:
        attrs += f' title="{escapeHtml(str(title))}"'
    return f'<img{attrs} loading="lazy">'


class _KbMarkdownIt(MarkdownIt):
    """markdown-it that accepts every link while parsing; ``_kb_core_rule`` filters them.

    Accepting everything first means a rejected link degrades to its text in every
    Markdown form (inline, reference, autolink, image) instead of to raw source.
    """

    def validateLink(self, url: str) -> bool:
        """Accept all targets at parse time; the allow-list is applied afterwards."""
        return True


def _build_parser() -> MarkdownIt:
    """Build the single, shared parser (parsing keeps no state between calls)."""
    md = _KbMarkdownIt(
        "commonmark",
        {"html": False, "linkify": False, "typographer": False, "xhtmlOut": False},
    )
    md.enable("table")
    md.core.ruler.push("kb_sanitize", _kb_core_rule)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image)
    return md


_MD = _build_parser()


_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _parse(text: str) -> tuple[list[Token], dict[str, Any]]:
    """Parse with a fresh env, so nothing leaks between documents.

    Lone surrogates (possible in a Python ``str``, never in valid UTF-8) become U+FFFD,
    so the output can always be encoded; markdown-it itself already replaces NUL.
    """
    env: dict[str, Any] = {}
    source = _LONE_SURROGATE_RE.sub("\ufffd", text or "")
    return _MD.parse(source, env), env


# ------------------------------------------------------------------------ public


def render_markdown(text: str) -> Rendered:
    """Turn untrusted Markdown into safe HTML plus toc and plain text, in one parse."""
    tokens, env = _parse(text)
    body = _MD.renderer.render(tokens, _MD.options, env)
    return Rendered(html=body, toc=env.get("kb_toc", ()), text=_tokens_text(tokens))


def plain_text(text: str) -> str:
    """Give the reader-visible text of Markdown, for summaries and the search index."""
    tokens, _env = _parse(text)
    return _tokens_text(tokens)
