"""What an advice page shows to cite it and to follow its changes, shared by the page, its
versions, its JSON twin and the download files (``.ris``, ``.bib``, ``.csl.json``).

The facts come from :mod:`kb.citation` and :mod:`kb.versions`; this module only adds the URLs.
"""

from __future__ import annotations

from flask import current_app, url_for

from kb.citation import FORMATS, Citation, apa, apa_parts
from kb.models import Advice
from kb.versions import Version
from kb.web.i18n import current_language

#: The label of each download link in the citation block.
FORMAT_LABELS = {"ris": "RIS (EndNote, Zotero, Mendeley)", "bib": "BibTeX",
                 "csl.json": "CSL-JSON"}


def version_url(advice: Advice, number: int, external: bool = False) -> str:
    """The stable URL of one version of an advice."""
    return url_for("reader.version", advice_id=advice.id, number=number, _external=external)


def make_citation(advice: Advice, version: Version | None, url: str, title: str,
                  summary: str) -> Citation:
    """The citation of ``version`` of an advice (its current names: see :mod:`kb.versions`)."""
    return Citation(advice_id=advice.id or 0, version=version.number if version else 1,
                    title=title, summary=summary, authors=tuple(advice.authors),
                    date=version.date if version else advice.published, url=url,
                    site_name=current_app.config["SITE_NAME"], language=advice.language)


def citation_block(citation: Citation, downloads: dict[str, str] | None = None) -> dict:
    """The citation as the page shows it: APA in three parts (the title is in italics), the
    same as one line, and the download links; in the interface language (month names)."""
    language = current_language()
    before, title, after = apa_parts(citation, language)
    return {
        "apa": {"before": before, "title": title, "after": after},
        "text": apa(citation, language),
        "url": citation.url,
        "downloads": [{"format": name, "label": FORMAT_LABELS[name], "url": url,
                       "type": FORMATS[name][0]}
                      for name, url in (downloads or {}).items()],
    }


def download_urls(advice: Advice, number: int | None) -> dict[str, str]:
    """Each citation file of the current page (``number`` None) or of one version."""
    if number is None:
        return {name: url_for("reader.citation_file", advice_id=advice.id, fmt=name)
                for name in FORMATS}
    return {name: url_for("reader.version_citation_file", advice_id=advice.id, number=number,
                          fmt=name) for name in FORMATS}


def highwire(citation: Citation) -> list[tuple[str, str]]:
    """The ``citation_*`` meta tags Google Scholar and Zotero read (Highwire Press)."""
    tags = [("citation_title", citation.title)]
    tags += [("citation_author", name) for name in citation.cited_authors]
    if citation.date:
        tags += [("citation_publication_date", citation.date.strftime("%Y/%m/%d")),
                 ("citation_date", citation.date.strftime("%Y/%m/%d"))]
    tags += [("citation_publisher", citation.site_name),
             ("citation_public_url", citation.url),
             ("citation_abstract_html_url", citation.url),
             ("citation_language", citation.language)]
    return tags


def changes(advice: Advice, versions: list[Version]) -> list[dict]:
    """"Wijzigingen": every version, newest first, each linking to its own page."""
    return [{"version": v.number, "date": v.date.isoformat(), "note": v.change_note,
             "url": version_url(advice, v.number)}
            for v in reversed(versions)]
