"""The helplines of "Hulp nodig?" (``/hulp``), as data: the page and its JSON twin
(``/api/hulp``) show the same list, and another site can show it too.

Kept in code rather than the database: it changes rarely, and only after checking each number.
The texts are Dutch (the JSON twin gives them as they are); they are marked with ``N_`` so that
the English page can translate them where it shows them (``help.html``).
"""

from __future__ import annotations

from kb.l10n import N_

EMERGENCY = {"number": "112", "tel": "112",
             "text": N_("Is er nu gevaar voor jou of voor iemand anders? Bel meteen 112.")}

HELPLINES: list[dict] = [
    {
        "id": "kindertelefoon",
        "name": "De Kindertelefoon",
        "text": N_("Voor kinderen en jongeren tot 18 jaar. Je kunt er praten over alles wat je "
                   "dwarszit: thuis, school, je pleeggezin of de groep, of iets wat je nog aan "
                   "niemand durft te vertellen. Het is gratis en anoniem: je hoeft je naam niet te "
                   "zeggen."),
        "phones": [{"number": "0800-0432", "tel": "08000432"}],
        "phone_note": N_("gratis"),
        "chat": N_("via de website"),
        "website": {"url": "https://www.kindertelefoon.nl", "label": "kindertelefoon.nl"},
    },
    {
        "id": "veilig-thuis",
        "name": "Veilig Thuis",
        "text": N_("Bij huiselijk geweld of kindermishandeling. Voor als het thuis niet veilig "
                   "is, of voor als je je zorgen maakt om iemand anders. Je kunt ook eerst "
                   "bellen om advies te vragen."),
        "phones": [{"number": "0800-2000", "tel": "08002000"}],
        "phone_note": N_("gratis, dag en nacht"),
        "chat": None,
        "website": {"url": "https://www.veiligthuis.nl", "label": "veiligthuis.nl"},
    },
    {
        "id": "zelfmoordpreventie",
        "name": "113 Zelfmoordpreventie",
        "text": N_("Denk je aan zelfmoord, of maak je je zorgen om iemand? Praat erover met "
                   "113. Dat kan op elk moment, dag en nacht, met je stem of via de chat."),
        "phones": [{"number": "113", "tel": "113"},
                   {"number": "0800-0113", "tel": "08000113", "free": True}],
        "phone_note": N_("dag en nacht"),
        "chat": N_("via de website"),
        "website": {"url": "https://www.113.nl", "label": "113.nl"},
    },
]


def help_context() -> dict:
    """What ``/hulp`` shows, for the page and its JSON twin."""
    return {"emergency": dict(EMERGENCY), "helplines": [dict(line) for line in HELPLINES]}
