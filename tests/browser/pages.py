"""Every page type the browser suite checks, as data: who looks, where, what status, and for a
page that only a form leads to, the steps that lead there.

Steps find forms by their ``action`` and fields by ``name``, never by their words, so they work
in every interface language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: A body that makes the writer's preview show its privacy hints (a name, a school, a place).
PRIVATE_BODY = ("## Wat we zien\n\nMijn mentor Jan de Vries van het Da Vinci College in "
                "Amersfoort belde mij op 06-12345678.\n\n## Wat we adviseren\n\nBel jongeren "
                "zelf op.\n\n## Waarom\n\nDan weten ze waar ze aan toe zijn.\n")


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # formatted with the site's ids and tokens
    role: str | None = None
    status: int = 200
    then: Callable | None = None  # steps in the page that lead to the page to check
    then_status: int | None = None  # the status the steps end on, when they submit a form
    expect: str = ""  # a CSS selector the page must hold (so it is the page it claims to be)
    fresh: bool = False  # a browser context of its own: the steps log in as someone new

    def url(self, site) -> str:
        return self.path.format(**site.ids, **site.tokens)


def submit(selector: str) -> Callable:
    """Click the submit button of the form matching ``selector`` and wait for the new page."""

    def step(page, site):
        with page.expect_navigation() as navigation:
            page.locator(f"{selector} [type=submit]").first.click()
        return navigation.value

    return step


def preview_with_privacy_hints(page, site):
    page.fill("[name=title]", "Bel jongeren zelf als er iets verandert")
    page.fill("[name=summary]", "Een brief is niet genoeg. Bel de jongere zelf op.")
    page.fill("[name=body]", PRIVATE_BODY)
    with page.expect_navigation() as navigation:
        page.locator("button[name=action][value=preview]").click()
    return navigation.value


def empty_login(page, site):
    with page.expect_navigation() as navigation:
        page.locator("form.form [type=submit]").click()
    return navigation.value


def bad_token(selector: str) -> Callable:
    """Submit a form whose CSRF token no longer matches (as after a very long pause): 400."""

    def step(page, site):
        page.locator(f"{selector} input[name=csrf_token]").evaluate("e => e.value = 'verlopen'")
        return submit(selector)(page, site)

    return step


def conflict(page, site):
    """Two tabs on one draft: the second saves first, so the first one's save is a conflict."""
    other = page.context.new_page()
    try:
        other.goto(page.url)
        other.fill("[name=summary]", f"Ander tabblad {other.evaluate('Date.now()')}")
        with other.expect_navigation():
            other.locator("button[name=action][value=save]").click()
    finally:
        other.close()
    page.fill("[name=summary]", "Dit tabblad was eerst open.")
    with page.expect_navigation() as navigation:
        page.locator("button[name=action][value=save]").click()
    return navigation.value


def too_large(page, site):
    """An advice body over 100 KB: a 413 that gives the writer's text back in the form."""
    page.fill("[name=title]", "Een heel lang advies")
    page.locator("[name=body]").evaluate(
        "e => e.value = '## Wat we zien\\n\\n' + 'Heel veel woorden. '.repeat(6000)")
    with page.expect_navigation() as navigation:
        page.locator("button[name=action][value=save]").click()
    return navigation.value


def publish_race(page, site):
    """Two editors confirm the same publish; the second gets the friendly 409."""
    advice_id = site.take("race")
    review = f"{site.url}/redactie/advies/{advice_id}"
    page.goto(review)
    submit("form[action$='/publiceren']")(page, site)
    other = page.context.new_page()
    try:
        other.goto(review)
        submit("form[action$='/publiceren']")(other, site)
        submit("form[action$='/publiceren']")(other, site)
    finally:
        other.close()
    return submit("form[action$='/publiceren']")(page, site)


def unsubscribe(page, site):
    page.goto(f"{site.url}/attenderingen/afmelden/{site.take('unsubscribe')}")
    return submit("form[action*='/afmelden/']")(page, site)


def join_and_delete(page, site):
    """Redeem an invite (the new account is logged in), then delete the account again."""
    page.goto(f"{site.url}/uitnodiging/{site.take('invite')}")
    login = f"nieuw{page.evaluate('Date.now()')}"
    page.fill("[name=login]", login)
    page.fill("[name=password]", "een nieuw wachtwoord 456")
    page.fill("[name=password_repeat]", "een nieuw wachtwoord 456")
    page.locator("#name_choice_anoniem").check()
    response = submit("form.form")(page, site)
    assert response.ok, f"invite redemption answered {response.status}"
    page.goto(f"{site.url}/account/verwijderen")
    page.fill("[name=password]", "een nieuw wachtwoord 456")
    return submit("form[action$='/account/verwijderen']")(page, site)


def subscribe(page, site):
    page.fill("[name=email]", "nieuwe.lezer@example.org")
    return submit("form[action$='/attenderingen']")(page, site)


def forgot(page, site):
    page.fill("form.form input:not([type=hidden])", "schrijver")
    return submit("form.form")(page, site)


def make_invite(page, site):
    return submit("form[action$='/beheer/uitnodigingen']")(page, site)


def make_reset_link(page, site):
    page.fill("form.form input:not([type=hidden])", "schrijver")
    return submit("form.form")(page, site)


PUBLIC = [
    Page("home", "/"),
    Page("themes", "/themas"),
    Page("theme", "/thema/pleegzorg"),
    Page("advice", "/advies/{demo}/{demo_slug}"),
    Page("version", "/advies/{demo}/versie/1"),
    Page("tombstone", "/advies/{withdrawn}", status=410),
    Page("search-results", "/zoeken?q=pleegouders"),
    Page("search-none", "/zoeken?q=xyzzyqq"),
    Page("search-filters", "/zoeken?q=jongeren&theme=pleegzorg&audience=gemeenten&region=utrecht"),
    Page("search-suggestion", "/zoeken?q=pleegouers", expect=".suggestion"),
    Page("search-partial", "/zoeken?q=pleegzorg+ruimtevaart+vulkaan", expect="p.notice"),
    Page("search-browse", "/zoeken"),
    Page("audiences", "/voor"),
    Page("audience", "/voor/gemeenten"),
    Page("regions", "/regios"),
    Page("region", "/regio/utrecht"),
    Page("dossier", "/thema/pleegzorg/dossier"),
    Page("help", "/hulp"),
    Page("statement", "/toegankelijkheid"),
    Page("alerts-form", "/attenderingen?theme=pleegzorg"),
    Page("alerts-check-mail", "/attenderingen?theme=pleegzorg", then=subscribe),
    Page("alerts-confirm", "/attenderingen/bevestigen/{alert_confirm}"),
    Page("alerts-confirmed", "/attenderingen/bevestigen/{alert_confirm}",
         then=submit("form[method=post]")),
    Page("alerts-manage", "/attenderingen/beheren/{alert_manage}"),
    Page("alerts-unsubscribe", "/attenderingen/afmelden/{alert_unsubscribe}"),
    Page("alerts-unsubscribed", "/attenderingen", then=unsubscribe),
    Page("alerts-problem", "/attenderingen/bevestigen/onbekend", status=404),
    Page("login", "/inloggen"),
    Page("login-errors", "/inloggen", then=empty_login, then_status=400),
    Page("forgot", "/wachtwoord-vergeten"),
    Page("forgot-sent", "/wachtwoord-vergeten", then=forgot),
    Page("reset", "/wachtwoord-nieuw/{reset}"),
    Page("reset-problem", "/wachtwoord-nieuw/onbekend", status=404),
    Page("invite", "/uitnodiging/{invite}"),
    Page("invite-problem", "/uitnodiging/onbekend", status=404),
    Page("account-deleted", "/", then=join_and_delete, fresh=True),
    Page("error-404", "/bestaat-niet", status=404),
    Page("error-404-advice", "/advies/999999", status=404),
    Page("error-405", "/uitloggen", status=405),
    Page("error-400", "/attenderingen?theme=pleegzorg",
         then=bad_token("form[action$='/attenderingen']"), then_status=400),
    Page("login-required", "/redactie"),
]

WRITER = [
    Page("my-advice", "/mijn-adviezen", "schrijver"),
    Page("write", "/schrijven", "schrijver"),
    Page("write-preview", "/schrijven", "schrijver", then=preview_with_privacy_hints,
         expect=".privacy__hints li"),
    Page("write-under-16", "/schrijven", "jonge-schrijver", expect="#toestemming-nodig"),
    Page("write-too-large", "/schrijven", "schrijver", then=too_large, then_status=413),
    Page("draft", "/mijn-adviezen/{draft}", "schrijver"),
    Page("draft-with-feedback", "/mijn-adviezen/{with_writer}", "schrijver"),
    Page("submitted-own", "/mijn-adviezen/{submitted}", "schrijver"),
    Page("published-own", "/mijn-adviezen/{published}", "schrijver"),
    Page("redact-own", "/mijn-adviezen/{published}/wissen", "schrijver"),
    Page("conflict", "/mijn-adviezen/{conflict}", "schrijver", then=conflict,
         then_status=409, expect=".conflict"),
    Page("notifications", "/meldingen", "schrijver"),
    Page("account", "/account", "schrijver"),
    Page("account-delete", "/account/verwijderen", "schrijver"),
    Page("error-403-writer", "/beheer/accounts", "schrijver", status=403),
]

EDITOR = [
    Page("queue", "/redactie", "redacteur"),
    Page("review", "/redactie/advies/{submitted}", "redacteur"),
    Page("review-diff", "/redactie/advies/{resubmitted}", "redacteur", expect="ins, del"),
    Page("review-published", "/redactie/advies/{published}", "redacteur"),
    Page("review-withdrawn", "/redactie/advies/{withdrawn}", "redacteur"),
    Page("confirm-publish", "/redactie/advies/{submitted}", "redacteur",
         then=submit("form[action$='/publiceren']")),
    Page("confirm-withdraw", "/redactie/advies/{published}", "redacteur",
         then=submit("form[action$='/intrekken']")),
    Page("state-error", "/redactie", "redacteur", then=publish_race, then_status=409),
    Page("edit", "/redactie/advies/{published}/bewerken", "redacteur"),
    Page("history", "/redactie/advies/{published}/geschiedenis", "redacteur"),
    Page("redact", "/redactie/advies/{published}/wissen", "redacteur"),
    Page("admin-index", "/beheer/", "redacteur"),
    Page("invites", "/beheer/uitnodigingen", "redacteur"),
    Page("invite-created", "/beheer/uitnodigingen", "redacteur", then=make_invite,
         then_status=201),
    Page("groups", "/beheer/groepen", "redacteur"),
    Page("consent", "/beheer/toestemming", "redacteur", expect="form[action*='/toestemming/']"),
    Page("reset-link", "/beheer/wachtwoordlink", "redacteur"),
    Page("reset-link-made", "/beheer/wachtwoordlink", "redacteur", then=make_reset_link,
         then_status=201),
    Page("notifications-editor", "/meldingen", "redacteur"),
]

ADMIN = [
    Page("accounts", "/beheer/accounts", "beheerder"),
    Page("audit", "/beheer/audit", "beheerder"),
    Page("audit-filtered", "/beheer/audit?login=redacteur", "beheerder"),
    Page("mail", "/beheer/mail", "beheerder", expect="table"),
    Page("account-admin", "/account", "beheerder"),
]

ALL = PUBLIC + WRITER + EDITOR + ADMIN
