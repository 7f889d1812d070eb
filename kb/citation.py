"""How to cite an advice: APA 7 for people, RIS, BibTeX and CSL-JSON for reference managers.

One :class:`Citation` holds the facts (names, title, the version's date and URL) and every
format is written from it, so the APA line and a Zotero import never disagree. The date is
that of the cited *version*, not of the first publication: a professional who cites an advice
cites the text they read.

Names are display names (a group such as "ExpEx Flevoland", or a pseudonym): they are cited as
they are, never split into family name and initials. "Anoniem" is never a co-author: APA cites
a work as anonymous only when nobody else is named.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

#: The APA date in each interface language (CLDR month names, through Babel): APA's Dutch
#: "(2025, 14 maart)" and its English "(2025, March 14)"; "z.d."/"n.d." when there is none.
APA_DATES = {"nl": ("nl_NL", "d MMMM", "z.d."), "en": ("en_GB", "MMMM d", "n.d.")}
#: How APA names a work whose only author is anonymous, per language.
APA_ANONYMOUS = {"nl": "Anoniem", "en": "Anonymous"}
ANONYMOUS = "anoniem"
#: The author when an advice names nobody: the organisation that publishes it.
DEFAULT_AUTHOR = "ExpEx"


@dataclass(frozen=True)
class Citation:
    """The facts of one cited version of an advice."""

    advice_id: int
    version: int
    title: str
    summary: str
    authors: tuple[str, ...]
    date: date | None
    url: str
    site_name: str
    language: str = "nl"

    @property
    def key(self) -> str:
        """A citation key that is the same every time: ``expex-22-v3``."""
        return f"expex-{self.advice_id}-v{self.version}"

    @property
    def cited_authors(self) -> tuple[str, ...]:
        """The names as cited: "anoniem" only when it is the sole name, else left out."""
        names = tuple(dict.fromkeys(a.strip() for a in self.authors if a.strip()))
        named = tuple(a for a in names if a.lower() != ANONYMOUS)
        if named:
            return named
        return ("Anoniem",) if names else (DEFAULT_AUTHOR,)


def apa_parts(citation: Citation, language: str = "nl") -> tuple[str, str, str]:
    """APA 7 as (before the title, the title (set in italics), after the title), in the
    reader's ``language`` (the date and "Anoniem"; names and title stay as written)."""
    names = citation.cited_authors
    if names == ("Anoniem",):
        names = (APA_ANONYMOUS.get(language, "Anoniem"),)
    if len(names) == 1:
        authors = names[0]
    elif len(names) == 2:
        authors = f"{names[0]} & {names[1]}"
    elif len(names) <= 20:
        authors = ", ".join(names[:-1]) + f", & {names[-1]}"
    else:  # APA 7: the first nineteen, an ellipsis, the last
        authors = ", ".join(names[:19]) + f", … {names[-1]}"
    if not authors.endswith("."):
        authors += "."
    locale, pattern, no_date = APA_DATES.get(language, APA_DATES["nl"])
    when = (f"({citation.date.year}, {format_date(citation.date, pattern, locale=locale)})"
            if citation.date else f"({no_date})")
    return f"{authors} {when}. ", citation.title, f". {citation.site_name}. {citation.url}"


def apa(citation: Citation, language: str = "nl") -> str:
    """The APA 7 reference as plain text."""
    return "".join(apa_parts(citation, language))


def ris(citation: Citation) -> str:
    """A RIS record (type ELEC, a web page), as EndNote, Zotero and Mendeley import it."""
    lines = ["TY  - ELEC", f"TI  - {_one_line(citation.title)}"]
    lines += [f"AU  - {_one_line(name)}" for name in citation.cited_authors]
    if citation.date:
        lines += [f"PY  - {citation.date.year}",
                  f"DA  - {citation.date.strftime('%Y/%m/%d')}"]
    lines += [f"AB  - {_one_line(citation.summary)}", f"PB  - {_one_line(citation.site_name)}",
              f"T2  - {_one_line(citation.site_name)}", f"UR  - {citation.url}",
              f"LA  - {citation.language}", f"ET  - {citation.version}",
              f"ID  - {citation.key}", "ER  - "]
    return "\r\n".join(lines) + "\r\n"


def bibtex(citation: Citation) -> str:
    """A BibTeX ``@misc`` entry (biblatex's ``@online`` is unknown to classic BibTeX styles).

    Every name is wrapped in braces: "ExpEx Flevoland" is one name, not a first and last.
    """
    fields = [("title", "{" + _tex(citation.title) + "}"),
              ("author", " and ".join("{" + _tex(n) + "}" for n in citation.cited_authors))]
    if citation.date:
        fields += [("year", str(citation.date.year)), ("date", citation.date.isoformat()),
                   ("month", str(citation.date.month))]
    fields += [("url", citation.url),
               ("publisher", _tex(citation.site_name)),
               ("note", _tex(f"{citation.site_name}, versie {citation.version}")),
               ("abstract", _tex(citation.summary)), ("language", citation.language)]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{citation.key},\n{body}\n}}\n"


def csl_json(citation: Citation) -> str:
    """CSL-JSON (a list with one item), as Zotero and pandoc read it."""
    item = {
        "id": citation.key,
        "type": "webpage",
        "title": citation.title,
        "author": [{"literal": name} for name in citation.cited_authors],
        "container-title": citation.site_name,
        "publisher": citation.site_name,
        "abstract": citation.summary,
        "URL": citation.url,
        "language": citation.language,
        "version": str(citation.version),
    }
    if citation.date:
        item["issued"] = {"date-parts": [[citation.date.year, citation.date.month,
                                          citation.date.day]]}
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


#: Each download: (URL suffix, MIME type, writer).
FORMATS = {
    "ris": ("application/x-research-info-systems", ris),
    "bib": ("application/x-bibtex", bibtex),
    "csl.json": ("application/vnd.citationstyles.csl+json", csl_json),
}


def _one_line(text: str) -> str:
    return " ".join(text.split())


_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
                "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
                "^": r"\textasciicircum{}"}


def _tex(text: str) -> str:
    return re.sub(r"[\\{}&%$#_~^]", lambda m: _TEX_SPECIAL[m.group()], _one_line(text))
