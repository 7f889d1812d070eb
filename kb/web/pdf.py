"""Printing a page of the site to PDF with WeasyPrint, fetching nothing from outside.

:class:`StaticOnly` hands WeasyPrint the site's own files from ``kb/static`` (the stylesheets)
and refuses every other address: an image in an advice, a link, another host. So making a PDF
never makes a request, to this site or to anyone else.

Imported only by the views that make a PDF: WeasyPrint takes half a second to import, which
every worker would otherwise pay at start for a page few people ask for.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# WeasyPrint warns about every screen-only rule of site.css (media queries, properties it does
# not know) on each PDF; what it cannot print it leaves out, which is what we want.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class StaticOnly(URLFetcher):
    """WeasyPrint's URL fetcher: the site's own static files, nothing else."""

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = urlsplit(url).path
        prefix = current_app.static_url_path.rstrip("/") + "/"
        static = Path(current_app.static_folder).resolve()
        if path.startswith(prefix):
            target = (static / path[len(prefix):]).resolve()
            if target.is_file() and target.is_relative_to(static):
                mime = {".css": "text/css", ".svg": "image/svg+xml"}.get(
                    target.suffix, "application/octet-stream")
                return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": mime})
        raise ValueError(f"not fetched for a PDF: {url}")


def html_to_pdf(html: str, base_url: str) -> bytes:
    """The page as a PDF, as its print stylesheet lays it out."""
    return HTML(string=html, base_url=base_url, url_fetcher=StaticOnly()).write_pdf()
