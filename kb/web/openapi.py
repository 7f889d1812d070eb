"""The OpenAPI 3.1 description of every ``/api/`` route, served at ``/api/openapi.json``.

Written by hand, next to the routes it describes (:mod:`kb.web.api`), and held to them by the
tests: ``openapi-spec-validator`` checks the document, and schemathesis calls every route with
generated input and checks each answer against it. A route without a description here fails
``tests/test_api_openapi.py``.
"""

from __future__ import annotations

from flask import current_app, url_for

NULLABLE_STRING = {"type": ["string", "null"]}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required: dict, **optional) -> dict:
    """An object schema whose listed properties are all required (the answers always hold
    them); more properties may come later without breaking clients."""
    return {"type": "object", "required": sorted(required),
            "properties": {**required, **optional}}


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


STRING, INTEGER = {"type": "string"}, {"type": "integer"}
STRINGS = _array(STRING)

SCHEMAS: dict = {
    "Error": _object({"error": STRING, "status": INTEGER},
                     message=STRING, withdrawn=_ref("Tombstone")),
    "Tombstone": _object({
        "id": INTEGER, "title": STRING, "withdrawn": NULLABLE_STRING,
        "reason": NULLABLE_STRING,
        "instead": {"oneOf": [{"type": "null"},
                              _object({"id": INTEGER, "title": STRING, "url": STRING},
                                      language=STRING)]},
    }, language=STRING),
    "ThemeRef": _object({"slug": STRING, "name": STRING, "url": STRING}, name_en=STRING),
    "ThemeSummary": _object({"slug": STRING, "name": STRING, "url": STRING,
                             "description": STRING, "advice_count": INTEGER},
                            name_en=STRING),
    "AdviceCard": _object({
        "id": INTEGER, "slug": STRING, "title": STRING, "summary": STRING, "url": STRING,
        "themes": _array(_ref("ThemeRef")), "authors": STRINGS,
        "region": NULLABLE_STRING, "published": NULLABLE_STRING,
    }, language=STRING),
    "Home": _object({"themes": _array(_ref("ThemeSummary")),
                     "newest": _array(_ref("AdviceCard")), "advice_total": INTEGER}),
    "Themes": _object({"themes": _array(_ref("ThemeSummary"))}),
    "Theme": _object({
        "theme": _object({"slug": STRING, "name": STRING, "url": STRING, "name_en": STRING,
                          "description": STRING, "synonyms": STRINGS,
                          "advice_count": INTEGER}),
        "advice": _array(_ref("AdviceCard")), "related": _array(_ref("ThemeRef")),
    }),
    "Citation": _object({
        "apa": _object({"before": STRING, "title": STRING, "after": STRING}),
        "text": STRING, "url": STRING,
        "downloads": _array(_object({"format": STRING, "label": STRING, "url": STRING,
                                     "type": STRING})),
    }),
    "Change": _object({"version": INTEGER, "date": STRING, "note": STRING, "url": STRING}),
    "AdviceFull": {"allOf": [_ref("AdviceCard"), _object({
        "permalink": STRING, "updated": NULLABLE_STRING, "audience": STRINGS,
        "language": STRING,
        "toc": _array(_object({"level": INTEGER, "id": STRING, "text": STRING})),
        "body_html": STRING, "version": {"type": ["integer", "null"]},
        "changes": _array(_ref("Change")), "citation": _ref("Citation"),
        "highwire": _array({"type": "array", "items": STRING, "minItems": 2, "maxItems": 2}),
    })]},
    "AdvicePage": _object({"advice": _ref("AdviceFull"),
                           "related": _array(_ref("AdviceCard"))}),
    "VersionPage": _object({
        "advice": _ref("AdviceFull"),
        "version": _object({"number": INTEGER, "date": STRING, "change_note": STRING,
                            "url": STRING, "is_current": {"type": "boolean"}}),
    }),
    "Versions": _object({
        "id": INTEGER, "permalink": STRING,
        "versions": _array(_object({"version": INTEGER, "date": STRING,
                                    "change_note": STRING, "url": STRING,
                                    "api_url": STRING})),
    }),
    "Links": _object({"previous": NULLABLE_STRING, "next": NULLABLE_STRING}),
    "AdviceList": _object({
        "advice": _array({"allOf": [_ref("AdviceCard"), _object({
            "permalink": STRING, "changed": NULLABLE_STRING, "api_url": STRING})]}),
        "total": INTEGER, "page": INTEGER, "pages": INTEGER, "since": NULLABLE_STRING,
        "links": _ref("Links"),
    }),
    "Search": _object({
        "interface_language": {"enum": ["nl", "en"]},
        "query": STRING, "sort": {"enum": ["relevance", "date"]},
        "browse": {"type": "boolean"},
        "filters": {"type": "object", "additionalProperties": STRINGS},
        "total": INTEGER, "page": INTEGER, "pages": INTEGER,
        "message": NULLABLE_STRING, "suggestion": NULLABLE_STRING,
        "results": _array(_object({
            "id": INTEGER, "slug": STRING, "title": STRING, "url": STRING, "summary": STRING,
            "themes": STRINGS, "published": NULLABLE_STRING, "highlight": NULLABLE_STRING},
            language=STRING)),
        "facets": {"type": "object"},
        "facet_groups": _array(_object({"name": STRING, "values": _array(_object({
            "value": STRING, "label": STRING, "count": INTEGER,
            "chosen": {"type": "boolean"}}))})),
        "chips": _array(_object({"name": STRING, "value": STRING, "label": STRING,
                                 "remove": STRING})),
        "clear_filters": STRING,
        "theme_names": {"type": "object", "additionalProperties": STRING},
        "links": _ref("Links"),
    }),
    "Audiences": _object({"audiences": _array(_object({
        "slug": STRING, "name": STRING, "name_en": STRING, "description": STRING,
        "url": STRING, "advice_count": INTEGER}))}),
    "AudiencePage": {"allOf": [_ref("Search"), _object({"audience": _object({
        "slug": STRING, "name": STRING, "name_en": STRING, "description": STRING,
        "synonyms": STRINGS, "url": STRING, "feed_url": STRING, "search_url": STRING})})]},
    "Regions": _object({"groups": _array(_object({
        "kind": STRING, "label": STRING, "regions": _array(_object({
            "slug": STRING, "name": STRING, "province": NULLABLE_STRING, "url": STRING,
            "advice_count": INTEGER}))}))}),
    "RegionPage": {"allOf": [_ref("Search"), _object({"region": _object({
        "slug": STRING, "name": STRING, "kind": STRING, "kind_label": STRING,
        "province": {"oneOf": [{"type": "null"}, {"type": "object"}, STRING]},
        "jeugdregios": _array(_object({"slug": STRING, "name": STRING, "url": STRING})),
        "url": STRING, "feed_url": STRING, "search_url": STRING})})]},
    "Help": _object({
        "emergency": _object({"number": STRING, "tel": STRING, "text": STRING}),
        "helplines": _array(_object({
            "id": STRING, "name": STRING, "text": STRING,
            "phones": _array(_object({"number": STRING, "tel": STRING},
                                     free={"type": "boolean"})),
            "phone_note": STRING, "chat": NULLABLE_STRING,
            "website": _object({"url": STRING, "label": STRING})})),
    }),
    "Accessibility": _object({
        "standard": STRING, "norm": STRING, "status": STRING, "status_text": STRING,
        "reviewed": STRING,
        "tested_with": _object({"tool": STRING, "version": STRING, "rules": STRINGS,
                                "browser": STRING, "widths": _array(INTEGER), "when": STRING}),
        "checks": _array(_object({"id": STRING, "text": STRING})),
        "exceptions": _array(_object({"id": STRING, "text": STRING, "criteria": STRINGS})),
        "contact": _object({"address": NULLABLE_STRING, "answer_days": INTEGER}),
    }),
}


def _answer(description: str, schema: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": _ref(schema)}}}


ERRORS = {
    "302": {"description": "Een pagina voorbij de laatste: een verwijzing naar de laatste."},
    "400": _answer("Een ongeldige parameter.", "Error"),
    "404": _answer("Niet gevonden.", "Error"),
    "410": _answer("Het advies is ingetrokken: wat er nog van te zeggen is.", "Error"),
    "503": _answer("De database of de zoekindex kan even niet antwoorden.", "Error"),
}


def _get(summary: str, schema: str, *errors: str, parameters: list | None = None) -> dict:
    responses = {"200": _answer(summary, schema), **{c: ERRORS[c] for c in errors}}
    # Every route can meet a database outage (503, kb.web.errors).
    responses.setdefault("503", ERRORS["503"])
    operation = {"summary": summary, "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


def _path(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema,
            "description": description}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


#: A filter may repeat (``theme=a&theme=b``): OR within a filter, AND between filters.
LISTING_PARAMETERS = [
    _query("q", STRING, "De zoekvraag; leeg: alle adviezen die de filters toelaten."),
    *(dict(_query(name, STRINGS, text), style="form", explode=True) for name, text in (
        ("theme", "Alleen deze thema's (slugs)."),
        ("audience", "Alleen voor deze doelgroepen (slugs)."),
        ("region", "Alleen deze regio's (slugs)."),
        ("year", "Alleen deze jaren."))),
    _query("sort", STRING, "relevance (standaard) of date."),
    _query("page", STRING, "De pagina; voorbij de laatste: een verwijzing naar de laatste."),
]
ADVICE_ID = _path("advice_id", {"type": "integer"}, "Het nummer van het advies.")
PATHS: dict = {
    "/api/": _get("De homepage: thema's, de nieuwste adviezen, het aantal.", "Home"),
    "/api/themas": _get("Alle thema's met hun aantal adviezen.", "Themes"),
    "/api/thema/{slug}": _get(
        "Eén thema met zijn adviezen.", "Theme", "404",
        parameters=[_path("slug", STRING, "De slug van het thema, bijv. pleegzorg.")]),
    "/api/advies": _get(
        "Alle gepubliceerde adviezen, de laatst gewijzigde eerst, per pagina van 50.",
        "AdviceList", "400", parameters=[
            _query("page", {"type": "integer", "minimum": 1, "maximum": 10_000},
                   "De pagina (1 of meer)."),
            _query("since", {"anyOf": [{"type": "string", "format": "date"},
                                       {"type": "string", "format": "date-time"}]},
                   "Alleen adviezen waarvan de tekst op of na dit moment "
                                    "veranderde: een ISO 8601-datum of -tijd (UTC)."),
        ]),
    "/api/advies/{advice_id}": _get("Eén advies, zoals de pagina het toont.", "AdvicePage",
                                    "404", "410", parameters=[ADVICE_ID]),
    "/api/advies/{advice_id}/versies": _get(
        "De openbare versies van één advies, de oudste eerst.", "Versions", "404", "410",
        parameters=[ADVICE_ID]),
    "/api/advies/{advice_id}/versie/{number}": _get(
        "Eén versie van een advies.", "VersionPage", "404", "410",
        parameters=[ADVICE_ID, _path("number", {"type": "integer"}, "Het versienummer.")]),
    "/api/search": _get(
        "Zoeken in de adviezen; zonder woorden: alle adviezen die de filters toelaten, de "
        "nieuwste eerst.", "Search", "302", "404", "503", parameters=LISTING_PARAMETERS),
    "/api/voor": _get("Voor wie de adviezen zijn (doelgroepen), met hun aantal.", "Audiences"),
    "/api/voor/{slug}": _get(
        "Eén doelgroep met haar adviezen, te verfijnen als de zoekpagina.", "AudiencePage",
        "302", "404", parameters=[
            _path("slug", STRING, "De slug van de doelgroep, bijv. gemeenten."),
            *LISTING_PARAMETERS]),
    "/api/regios": _get("Landelijk, de provincies en de jeugdregio's, met hun aantal.",
                        "Regions"),
    "/api/regio/{slug}": _get(
        "Eén regio met haar adviezen, te verfijnen als de zoekpagina.", "RegionPage", "302", "404",
        parameters=[_path("slug", STRING, "De slug van de regio, bijv. gelderland."),
                    *LISTING_PARAMETERS]),
    "/api/hulp": _get("Hulp nodig? De hulplijnen.", "Help"),
    "/api/toegankelijkheid": _get("De toegankelijkheidsverklaring.", "Accessibility"),
    "/api/openapi.json": {"get": {
        "summary": "Deze beschrijving.",
        "responses": {"200": {"description": "Het OpenAPI-document.",
                              "content": {"application/json": {
                                  "schema": {"type": "object"}}}},
                      "503": ERRORS["503"]}}},
}


def openapi_document() -> dict:
    """The whole document; the server is this site's own address."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{current_app.config['SITE_NAME']} API",
            "version": "1",
            "description": "De JSON-kant van de kennisbank: alles wat de pagina's tonen, en "
                           "alle adviezen per pagina om wijzigingen te volgen. Alleen lezen, "
                           "zonder account.",
        },
        "servers": [{"url": url_for("reader.home", _external=True).rstrip("/")}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
