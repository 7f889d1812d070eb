"""Ids in URLs: a number too large for the database is an ordinary Dutch 404, never a 500.

PostgreSQL's integer holds up to 2,147,483,647 and SQLite's up to 9,223,372,036,854,775,807; a
larger number in a URL used to reach the database and end as a 500.
"""

from __future__ import annotations

import re

import pytest

from kb.models import Role

#: The largest id a URL may carry: PostgreSQL's integer, what every id column is.
MAX_ID = 2**31 - 1
TOO_LARGE = ["2147483648", "9223372036854775808", "1" + "0" * 40]


def int_routes(app) -> list[tuple[str, set[str], list[str]]]:
    """Every route with a number in it: (rule, methods, names of its number arguments)."""
    found = []
    for rule in app.url_map.iter_rules():
        numbers = re.findall(r"<int:(\w+)>", rule.rule)
        if numbers:
            found.append((rule.rule, set(rule.methods) - {"HEAD", "OPTIONS"}, numbers))
    return found


def fill(rule: str, numbers: list[str], value: str) -> str:
    url = rule
    for name in numbers:
        url = url.replace(f"<int:{name}>", value)
    return url.replace("<slug>", "iets").replace("<token>", "iets")


def test_every_route_with_a_number_is_covered(app):
    rules = {rule for rule, _, _ in int_routes(app)}
    assert {"/advies/<int:advice_id>", "/api/advies/<int:advice_id>",
            "/redactie/advies/<int:advice_id>", "/mijn-adviezen/<int:advice_id>",
            "/beheer/accounts/<int:user_id>/uitzetten"} <= rules


@pytest.mark.parametrize("value", TOO_LARGE)
def test_a_too_large_id_is_a_404_on_every_route(app, client, post, login_as, value):
    login_as(Role.ADMIN)
    for rule, methods, numbers in int_routes(app):
        url = fill(rule, numbers, value)
        for method in methods:
            response = client.get(url) if method == "GET" else post(url, {"revision": "1"})
            assert response.status_code == 404, (method, url, response.status_code)
            if url.startswith("/api/"):
                assert response.get_json() == {"error": "Not Found", "status": 404,
                                                     "message": "Pagina niet gevonden"}
            else:
                assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_the_issue_s_urls_answer_the_dutch_404(client):
    for url in ("/advies/2147483648", "/advies/9223372036854775808",
                "/advies/9223372036854775808/iets", "/api/advies/9223372036854775808"):
        response = client.get(url)
        assert response.status_code == 404, url


def test_the_largest_id_itself_is_an_ordinary_unknown_advice(client):
    assert client.get(f"/advies/{MAX_ID}").status_code == 404
    assert client.get(f"/api/advies/{MAX_ID}").status_code == 404


def test_ordinary_ids_still_work(client, make_advice):
    advice = make_advice()
    assert client.get(f"/advies/{advice.id}").status_code == 301
    assert client.get(f"/api/advies/{advice.id}").status_code == 200
