"""The JSON twins: the same context as the pages, one error shape, no account data."""

from __future__ import annotations

import pytest

from kb.models import AdviceStatus


def test_the_home_twin_lists_themes_and_newest_advice(demo_client):
    data = demo_client.get("/api/").get_json()
    assert len(data["themes"]) == 14
    assert data["advice_total"] >= 24
    assert {"id", "slug", "title", "summary", "url", "themes", "authors", "published"} <= set(
        data["newest"][0])


def test_the_theme_twin_has_synonyms_and_advice(demo_client):
    data = demo_client.get("/api/thema/jeugdbescherming").get_json()
    assert data["theme"]["slug"] == "jeugdbescherming"
    assert "OTS" in data["theme"]["synonyms"]
    assert data["advice"] and all(a["url"].startswith("/advies/") for a in data["advice"])
    published = [a["published"] for a in data["advice"]]
    assert published == sorted(published, reverse=True)


def test_the_advice_twin_matches_the_page(client, make_advice):
    advice = make_advice(title="Zelfde inhoud")
    data = client.get(f"/api/advies/{advice.id}").get_json()
    assert data["advice"]["title"] == "Zelfde inhoud"
    assert data["advice"]["url"] == f"/advies/{advice.id}/{advice.slug}"
    assert data["advice"]["permalink"] == f"http://kennisbank.test/advies/{advice.id}/{advice.slug}"
    page = client.get(data["advice"]["url"]).get_data(as_text=True)
    assert data["advice"]["body_html"] in page


def test_the_search_twin_has_the_documented_shape(demo_client):
    data = demo_client.get("/api/search?q=jongeren&theme=pleegzorg").get_json()
    assert {"query", "total", "page", "results", "facets", "suggestion"} <= set(data)
    assert data["total"] >= 1
    assert set(data["facets"]) == {"theme", "audience", "region", "year"}
    assert data["facets"]["theme"]["pleegzorg"] == data["total"]
    for result in data["results"]:
        assert {"id", "slug", "title", "url", "summary", "themes", "published",
                "highlight"} <= set(result)
        assert "pleegzorg" in result["themes"]


@pytest.mark.parametrize("url", ["/api/advies/424242", "/api/thema/niets", "/api/niets"])
def test_api_errors_have_one_json_shape(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.get_json() == {"error": "Not Found", "status": 404,
                                     "message": "Pagina niet gevonden"}


def test_withdrawn_advice_answers_410_in_the_api(client, make_advice):
    advice = make_advice(status=AdviceStatus.WITHDRAWN)
    response = client.get(f"/api/advies/{advice.id}")
    assert response.status_code == 410
    assert response.get_json()["status"] == 410
