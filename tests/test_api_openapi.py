"""The API other systems can build on (issue 13, part 6): "there is no OpenAPI description and
no way to list all advice through the API".

``/api/openapi.json`` is validated with openapi-spec-validator, and schemathesis calls every
route with generated input against the demo knowledge base: no 5xx, and every answer (status,
content type, body) matches the description.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

from kb.advice import content_of, save_advice
from kb.db import session_scope
from kb.models import Advice
from kb.web.openapi import PATHS

SITE = "http://kennisbank.test"


def test_the_description_is_valid_openapi_3_1(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_api_route_is_described(app, client):
    described = set(client.get("/api/openapi.json").get_json()["paths"])
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and "GET" in rule.methods:
            routes.add(rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}"))
    assert routes == described


@pytest.mark.parametrize("path", sorted(PATHS))
def test_every_route_answers_as_described_whatever_it_is_given(demo_app, path):
    """Schemathesis' generated calls, a few per route (``max_examples``) so that the whole run
    takes seconds; the checks are its defaults: no 5xx, and status code, content type and body
    as described. (Driven through hypothesis directly: schemathesis' own pytest plugin does not
    run under pytest 9.)"""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", demo_app)
    operation = schema[path]["GET"]

    @given(case=operation.as_strategy())
    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate()

    call()


# --------------------------------------------------------------------------- the advice list


def test_the_list_holds_every_published_advice_newest_change_first(app, client, make_advice,
                                                                   monkeypatch):
    from kb.web import api

    monkeypatch.setattr(api, "LIST_PAGE_SIZE", 2)
    made = [make_advice() for _ in range(3)]
    make_advice(status="withdrawn")
    with app.app_context(), session_scope() as session:
        stored = session.get(Advice, made[0].id)
        save_advice(session, stored, replace(content_of(stored), body="Veranderd."),
                    status="published")
    first = client.get("/api/advies").get_json()
    assert first["total"] == 3 and first["pages"] == 2 and first["links"]["previous"] is None
    second = client.get(first["links"]["next"]).get_json()
    ids = [a["id"] for a in first["advice"] + second["advice"]]
    assert ids[0] == made[0].id  # changed last
    assert sorted(ids) == sorted(a.id for a in made)
    assert second["links"]["next"] is None
    assert first["advice"][0]["api_url"] == f"/api/advies/{made[0].id}"


def test_since_keeps_only_what_changed_for_harvesting(app, client, make_advice):
    old = make_advice()
    changed = make_advice()
    with app.app_context(), session_scope() as session:
        stored = session.get(Advice, changed.id)
        save_advice(session, stored, replace(content_of(stored), title="Nieuwe titel"),
                    status="published")
    since = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = client.get(f"/api/advies?since={since}").get_json()
    assert [a["id"] for a in body["advice"]] == [changed.id]
    assert old.id not in [a["id"] for a in body["advice"]]
    assert client.get("/api/advies?since=2000-01-01").get_json()["total"] == 2
    # Before the calendar begins (year 1 in a zone east of UTC): earlier than any change.
    early = client.get("/api/advies?since=0001-01-01T00:00:00%2B01:00")
    assert early.status_code == 200 and early.get_json()["total"] == 2


@pytest.mark.parametrize("query", ["page=0", "page=x", "page=10001", "since=gisteren",
                                   "since=2025-13-01", "since=2025-03-14T25:00:00Z"])
def test_a_malformed_page_or_since_is_a_json_400(client, query):
    response = client.get(f"/api/advies?{query}")
    assert response.status_code == 400
    assert response.get_json()["status"] == 400


def test_the_versions_of_one_advice(app, client, make_advice):
    advice = make_advice()
    with app.app_context(), session_scope() as session:
        stored = session.get(Advice, advice.id)
        save_advice(session, stored, replace(content_of(stored), body="Nieuw."),
                    status="published", change_note="Tekst ingekort")
    body = client.get(f"/api/advies/{advice.id}/versies").get_json()
    assert [v["version"] for v in body["versions"]] == [1, 2]
    assert body["versions"][1]["change_note"] == "Tekst ingekort"
    assert body["versions"][0]["url"] == f"{SITE}/advies/{advice.id}/versie/1"
    old = client.get(body["versions"][0]["api_url"]).get_json()
    assert old["version"]["is_current"] is False
    assert "Nieuw." not in old["advice"]["body_html"]


def test_help_has_a_json_twin_linked_from_the_page(client):
    html = client.get("/hulp").get_data(as_text=True)
    assert 'href="/api/hulp"' in html
    body = client.get("/api/hulp").get_json()
    assert body["emergency"]["number"] == "112"
    for line in body["helplines"]:
        assert line["name"] in html
        for phone in line["phones"]:
            assert f'href="tel:{phone["tel"]}"' in html
