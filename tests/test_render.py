"""Tests for kb.render: untrusted Markdown must become safe, predictable HTML and text."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from work_count import calls_to

from kb.render import Heading, Rendered, plain_text, render_markdown

# --------------------------------------------------------------------- helpers

BAD_SCHEMES = ("javascript", "vbscript", "data", "file")
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "style", "svg", "math", "form", "base"}


class _Elements(HTMLParser):
    """Collects every start tag with its (entity-decoded) attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(markup: str) -> _Elements:
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return parser


def tags(markup: str) -> list[str]:
    return [tag for tag, _attrs in parse_html(markup).elements]


def visible_text(markup: str) -> str:
    return "".join(parse_html(markup).text)


def _scheme_of(url: str) -> str | None:
    """Independent, deliberately paranoid scheme detection for the test oracle."""
    cleaned = unicodedata.normalize("NFKC", unquote(unquote(url)))
    cleaned = re.sub(r"[\x00-\x20\x7f-\x9f\s\u200b-\u200f\u2060\ufeff]", "", cleaned)
    match = re.match(r"([^:/?#]*):", cleaned)
    return match.group(1).lower() if match else None


def assert_safe_html(markup: str) -> None:
    """No event handlers, no dangerous elements, no href/src with a bad scheme."""
    for tag, attrs in parse_html(markup).elements:
        assert tag not in DANGEROUS_TAGS, markup
        for name, value in attrs.items():
            assert not name.lower().startswith("on"), markup
            if name in {"href", "src"}:
                assert _scheme_of(value) not in BAD_SCHEMES, markup
                assert _scheme_of(value) in {None, "http", "https", "mailto"}, markup
            if name == "src":
                assert _scheme_of(value) is None, markup
                assert not value.startswith(("//", "\\")), markup


# ------------------------------------------------------------- raw HTML is text


@pytest.mark.parametrize(
    ("source", "escaped"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("Dit is <b>vet</b> bedoeld.", "Dit is &lt;b&gt;vet&lt;/b&gt; bedoeld."),
        ('<div onclick="steel()">\nblok\n</div>', "&lt;div onclick=&quot;steel()&quot;&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("tekst <img src=x onerror=alert(1)> tekst", "&lt;img src=x onerror=alert(1)&gt;"),
        ("<!-- verborgen -->", "&lt;!-- verborgen --&gt;"),
        ('<iframe src="https://evil.example"></iframe>', "&lt;iframe src="),
        (
            '<a href="javascript:alert(1)">klik</a>',
            "&lt;a href=&quot;javascript:alert(1)&quot;&gt;",
        ),
        ("<style>body{display:none}</style>", "&lt;style&gt;"),
        ("<svg onload=alert(1)>", "&lt;svg onload=alert(1)&gt;"),
    ],
)
def test_raw_html_in_the_input_is_shown_as_escaped_text(source: str, escaped: str) -> None:
    result = render_markdown(source)
    assert escaped in result.html
    assert set(tags(result.html)) <= {"p"}
    assert_safe_html(result.html)


@pytest.mark.parametrize(
    "source", ["<script>alert(1)</script>", "Dit is <b>vet</b>.", "<img src=x onerror=alert(1)>"]
)
def test_raw_html_stays_readable_for_the_reader(source: str) -> None:
    assert visible_text(render_markdown(source).html).strip() == source


# ------------------------------------------------------------- dangerous links

DANGEROUS_DESTINATIONS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    'javascript:alert(1) "titel"',
    " javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/png;base64,iVBORw0KGgo=",
    "file:///etc/passwd",
    "javascript&#58;alert(1)",
    "javascript&colon;alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;vascript:alert(1)",
    "javascript%3Aalert(1)",
    "java&#x09;script:alert(1)",
    "java&#10;script:alert(1)",
    "<java\tscript:alert(1)>",
    "<java script:alert(1)>",
    "\u200bjavascript:alert(1)",
    "\ufeffjavascript:alert(1)",
    "\u200b//evil.example/pad",
    "ｊａｖａｓｃｒｉｐｔ：alert(1)",
    "//evil.example/pad",
    "/\\evil.example/pad",
    "<//evil.example>",
]

LINK_FORMS = {
    "inline": "Lees [klik]({url}) verder.",
    "reference": "Lees [klik][r] verder.\n\n[r]: {url}",
    "collapsed reference": "Lees [klik][] verder.\n\n[klik]: {url}",
    "shortcut reference": "Lees [klik] verder.\n\n[klik]: {url}",
    "image": "Lees ![klik]({url}) verder.",
    "reference image": "Lees ![klik][r] verder.\n\n[r]: {url}",
    "image inside a link": "Lees [![klik]({url})]({url}) verder.",
    "link in a heading": "## Lees [klik]({url}) verder",
    "link in a table": "| a |\n|---|\n| [klik]({url}) |",
    "link in a list": "- Lees [klik]({url}) verder.",
}


@pytest.mark.parametrize("url", DANGEROUS_DESTINATIONS)
@pytest.mark.parametrize("form", LINK_FORMS.values(), ids=LINK_FORMS.keys())
def test_dangerous_links_never_become_elements_in_any_markdown_form(form: str, url: str) -> None:
    result = render_markdown(form.format(url=url))
    assert "<a" not in result.html
    assert "<img" not in result.html
    assert "href=" not in result.html
    assert "src=" not in result.html
    assert_safe_html(result.html)
    assert "klik" in result.text


@pytest.mark.parametrize(
    "url",
    [*DANGEROUS_DESTINATIONS, "<javascript:alert(1)>"],
)
@pytest.mark.parametrize(
    "form",
    [LINK_FORMS["inline"], LINK_FORMS["reference"], LINK_FORMS["shortcut reference"]],
    ids=["inline", "reference", "shortcut reference"],
)
def test_a_rejected_link_degrades_to_its_link_text_only(form: str, url: str) -> None:
    source = form.format(url=url)
    assert render_markdown(source).html == "<p>Lees klik verder.</p>\n"


@pytest.mark.parametrize(
    ("source", "expected_html"),
    [
        ("<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n"),
        ("<JAVASCRIPT:alert(1)>", "<p>JAVASCRIPT:alert(1)</p>\n"),
        ("<vbscript:msgbox(1)>", "<p>vbscript:msgbox(1)</p>\n"),
        ("<data:text/html,hoi>", "<p>data:text/html,hoi</p>\n"),
        ("<file:///etc/passwd>", "<p>file:///etc/passwd</p>\n"),
    ],
)
def test_dangerous_autolinks_render_as_plain_text(source: str, expected_html: str) -> None:
    result = render_markdown(source)
    assert result.html == expected_html
    assert_safe_html(result.html)


def test_a_rejected_reference_definition_does_not_leak_into_the_page() -> None:
    result = render_markdown("[klik][r]\n\n[r]: javascript:alert(1)")
    assert result.html == "<p>klik</p>\n"
    assert "javascript" not in result.text


# --------------------------------------------------------------- allowed links


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "[site](https://voorbeeld.nl/pad?q=1#x)",
            '<a href="https://voorbeeld.nl/pad?q=1#x" rel="noopener noreferrer">site</a>',
        ),
        ("[site](http://voorbeeld.nl)", '<a href="http://voorbeeld.nl" rel="noopener noreferrer">'),
        ("[site](HTTPS://VOORBEELD.NL)", 'rel="noopener noreferrer">site</a>'),
        (
            "[site][r]\n\n[r]: https://voorbeeld.nl",
            '<a href="https://voorbeeld.nl" rel="noopener noreferrer">site</a>',
        ),
        (
            "<https://voorbeeld.nl/a>",
            '<a href="https://voorbeeld.nl/a" rel="noopener noreferrer">https://voorbeeld.nl/a</a>',
        ),
        ("[mail ons](mailto:hulp@expex.nl)", '<a href="mailto:hulp@expex.nl">mail ons</a>'),
        ("<mailto:hulp@expex.nl>", '<a href="mailto:hulp@expex.nl">mailto:hulp@expex.nl</a>'),
        ("<hulp@expex.nl>", '<a href="mailto:hulp@expex.nl">hulp@expex.nl</a>'),
        ("[school](/advies/school)", '<a href="/advies/school">school</a>'),
        ("[school](school)", '<a href="school">school</a>'),
        ("[school](../school.html)", '<a href="../school.html">school</a>'),
        ("[naar boven](#wat-we-zien)", '<a href="#wat-we-zien">naar boven</a>'),
        ("[zoek](?q=school)", '<a href="?q=school">zoek</a>'),
        ("[pad](/a/b:c)", '<a href="/a/b:c">pad</a>'),
        ('[titel](/a "Over ons")', '<a href="/a" title="Over ons">titel</a>'),
        ("[spatie](</met spatie>)", '<a href="/met%20spatie">spatie</a>'),
        ("[café](https://café.nl)", '<a href="https://xn--caf-dma.nl" rel="noopener noreferrer">'),
    ],
)
def test_allowed_links_render_as_anchors(source: str, expected: str) -> None:
    result = render_markdown(source)
    assert expected in result.html
    assert_safe_html(result.html)


@pytest.mark.parametrize(
    "source",
    [
        "[school](/advies/school)",
        "[school](school)",
        "[boven](#top)",
        "[zoek](?q=x)",
        "[mail](mailto:hulp@expex.nl)",
        "<hulp@expex.nl>",
    ],
)
def test_internal_and_mailto_links_get_no_rel(source: str) -> None:
    result = render_markdown(source)
    assert "<a href=" in result.html
    assert "rel=" not in result.html


def test_every_external_link_gets_noopener_noreferrer() -> None:
    source = "[a](https://a.nl) [b](http://b.nl) <https://c.nl> [d][d]\n\n[d]: https://d.nl"
    elements = parse_html(render_markdown(source).html).elements
    anchors = [attrs for tag, attrs in elements if tag == "a"]
    assert len(anchors) == 4
    assert all(attrs["rel"] == "noopener noreferrer" for attrs in anchors)


# ---------------------------------------------------------------------- images


@pytest.mark.parametrize(
    ("source", "expected_html"),
    [
        ("![Logo](https://cdn.example/logo.png)", "<p>Logo</p>\n"),
        ("![Logo](http://cdn.example/logo.png)", "<p>Logo</p>\n"),
        ("![Logo](HTTPS://cdn.example/logo.png)", "<p>Logo</p>\n"),
        ("![Logo](//cdn.example/logo.png)", "<p>Logo</p>\n"),
        ("![Logo](data:image/png;base64,iVBORw0KGgo=)", "<p>Logo</p>\n"),
        ("![Logo](mailto:x@y.nl)", "<p>Logo</p>\n"),
        ("![Logo](javascript:alert(1))", "<p>Logo</p>\n"),
        ("![Logo met **nadruk**](https://cdn.example/a.png)", "<p>Logo met nadruk</p>\n"),
        ("![Logo][r]\n\n[r]: https://cdn.example/logo.png", "<p>Logo</p>\n"),
        ("![<b>x</b>](https://cdn.example/a.png)", "<p>&lt;b&gt;x&lt;/b&gt;</p>\n"),
        ("![](https://cdn.example/tracker.gif)", "<p></p>\n"),
    ],
)
def test_remote_images_are_dropped_but_their_alt_text_is_kept(
    source: str, expected_html: str
) -> None:
    result = render_markdown(source)
    assert result.html == expected_html
    assert "<img" not in result.html


def test_a_remote_image_inside_a_link_keeps_the_link_and_the_alt_text() -> None:
    result = render_markdown("[![Foto](https://cdn.example/f.png)](/advies)")
    assert result.html == '<p><a href="/advies">Foto</a></p>\n'


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "![Een foto](/static/img/foto.jpg)",
            '<img src="/static/img/foto.jpg" alt="Een foto" loading="lazy">',
        ),
        ("![Schema](img/schema.png)", '<img src="img/schema.png" alt="Schema" loading="lazy">'),
        (
            '![Schema](img/schema.png "Het schema")',
            '<img src="img/schema.png" alt="Schema" title="Het schema" loading="lazy">',
        ),
        (
            "![Een *mooie* foto](foto.jpg)",
            '<img src="foto.jpg" alt="Een mooie foto" loading="lazy">',
        ),
        ('![a"b<c](foto.jpg)', '<img src="foto.jpg" alt="a&quot;b&lt;c" loading="lazy">'),
    ],
)
def test_relative_images_are_rendered_lazily_with_alt_text(source: str, expected: str) -> None:
    result = render_markdown(source)
    assert expected in result.html
    assert_safe_html(result.html)


# -------------------------------------------------------------------- headings


@pytest.mark.parametrize(
    ("source", "anchor"),
    [
        ("## Wat we zien", "wat-we-zien"),
        ("## Waarom dit belangrijk is?", "waarom-dit-belangrijk-is"),
        ("## Cliënten", "clienten"),
        ("## Één café, één crème", "een-cafe-een-creme"),
        ("## Straße en Ærø", "strasse-en-aero"),
        ("## Wat **wij** zien", "wat-wij-zien"),
        ("## `code` en _meer_", "code-en-meer"),
        ("## 10 tips voor je eerste gesprek", "10-tips-voor-je-eerste-gesprek"),
        ("##   Veel    ruimte   ", "veel-ruimte"),
        ("## Jij &amp; je mentor", "jij-je-mentor"),
        ("## [Link](https://x.nl) tekst", "link-tekst"),
        ("## ???", "sectie"),
        ("## 日本語", "sectie"),
        ("## 🙂", "sectie"),
        ("##", "sectie"),
        ("Setext kop\n----------", "setext-kop"),
    ],
)
def test_headings_get_folded_lowercase_ascii_ids(source: str, anchor: str) -> None:
    result = render_markdown(source)
    assert f'<h2 id="{anchor}">' in result.html
    assert result.toc[0].id == anchor


@pytest.mark.parametrize(
    ("source", "anchors"),
    [
        ("## Doel\n\n## Doel\n\n## Doel", ["doel", "doel-2", "doel-3"]),
        ("## Doel\n\n### doel!\n\n## DOEL", ["doel", "doel-2", "doel-3"]),
        ("## ?\n\n## !\n\n## …", ["sectie", "sectie-2", "sectie-3"]),
        ("## Doel\n\n## Doel 2\n\n## Doel", ["doel", "doel-2", "doel-3"]),
        ("## Sectie\n\n## ???", ["sectie", "sectie-2"]),
    ],
)
def test_heading_ids_are_unique_within_a_document(source: str, anchors: list[str]) -> None:
    assert [heading.id for heading in render_markdown(source).toc] == anchors


def test_heading_ids_do_not_depend_on_earlier_documents() -> None:
    render_markdown("## Doel\n\n## Doel")
    assert render_markdown("## Doel").toc[0].id == "doel"


def test_all_heading_levels_get_ids_but_the_toc_holds_only_h2_and_h3() -> None:
    source = "# Titel\n\n## Wat we zien\n\n### Op school\n\n#### Detail\n\n##### Dieper\n\n"
    source += "###### Diepst\n\n## Wat **wij** doen"
    result = render_markdown(source)
    for tag, anchor in [
        ("h1", "titel"),
        ("h2", "wat-we-zien"),
        ("h3", "op-school"),
        ("h4", "detail"),
        ("h5", "dieper"),
        ("h6", "diepst"),
        ("h2", "wat-wij-doen"),
    ]:
        assert f'<{tag} id="{anchor}">' in result.html
    assert result.toc == (
        Heading(level=2, id="wat-we-zien", text="Wat we zien"),
        Heading(level=3, id="op-school", text="Op school"),
        Heading(level=2, id="wat-wij-doen", text="Wat wij doen"),
    )


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("## Wat **wij** zien", "Wat wij zien"),
        ("## *Jij* en `ik`", "Jij en ik"),
        ("## Lees [dit](https://x.nl)", "Lees dit"),
        ("## Lees [dit](javascript:alert(1))", "Lees dit"),
        ("## Kijk ![plaatje](foto.png)", "Kijk plaatje"),
        ("## Jij &amp; ik", "Jij & ik"),
        ("## Tab\there", "Tab here"),
    ],
)
def test_toc_text_is_plain_text(source: str, text: str) -> None:
    assert render_markdown(source).toc[0].text == text


@pytest.mark.parametrize(
    ("source", "escaped", "toc_text", "anchor"),
    [
        (
            "## Over <script>alert(1)</script>",
            "Over &lt;script&gt;alert(1)&lt;/script&gt;",
            "Over <script>alert(1)</script>",
            "over-script-alert-1-script",
        ),
        (
            "## <b>Vet</b> kopje",
            "&lt;b&gt;Vet&lt;/b&gt; kopje",
            "<b>Vet</b> kopje",
            "b-vet-b-kopje",
        ),
        (
            '## <img src=x onerror="alert(1)">',
            "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;",
            '<img src=x onerror="alert(1)">',
            "img-src-x-onerror-alert-1",
        ),
    ],
)
def test_html_in_headings_is_escaped_in_the_page_and_plain_in_the_toc(
    source: str, escaped: str, toc_text: str, anchor: str
) -> None:
    result = render_markdown(source)
    assert f'<h2 id="{anchor}">{escaped}</h2>' in result.html
    assert tags(result.html) == ["h2"]
    # The toc carries plain text; the template's autoescaping turns it into &lt;...&gt;.
    assert result.toc == (Heading(level=2, id=anchor, text=toc_text),)


# ---------------------------------------------------------------------- tables


def test_tables_render_as_plain_html_tables() -> None:
    source = "| Wie | Wat |\n|-----|----:|\n| Jij | **Jij** beslist |\n| <b>x</b> | 2 |"
    result = render_markdown(source)
    assert result.html.startswith("<table>\n<thead>\n<tr>\n<th>Wie</th>")
    assert '<td style="text-align:right"><strong>Jij</strong> beslist</td>' in result.html
    assert "<td>&lt;b&gt;x&lt;/b&gt;</td>" in result.html
    assert result.html.rstrip().endswith("</table>")
    assert result.text == "Wie Wat\nJij Jij beslist\n<b>x</b> 2"


# ------------------------------------------------------------------ plain text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Dit is **vet** en *schuin*.", "Dit is vet en schuin."),
        ("Zie [de site](https://x.nl) of [mail](mailto:a@b.nl).", "Zie de site of mail."),
        ("Zie [gevaar](javascript:alert(1)).", "Zie gevaar."),
        ("Een.\n\nTwee.", "Een.\n\nTwee."),
        ("Een\nregel verder", "Een regel verder"),
        ("Harde  \nbreuk", "Harde\nbreuk"),
        ("## Kop\n\nTekst", "Kop\n\nTekst"),
        ("- een\n- twee", "een\n\ntwee"),
        ("1. een\n2. twee", "een\n\ntwee"),
        ("> Citaat met **nadruk**", "Citaat met nadruk"),
        ("Gebruik `pip install`", "Gebruik pip install"),
        ("```\nregel 1\nregel 2\n```", "regel 1\nregel 2"),
        ("    ingesprongen code", "ingesprongen code"),
        ("&amp; &lt; &gt; &copy; &#233; &quot;", '& < > © é "'),
        ("\\*geen nadruk\\*", "*geen nadruk*"),
        ("![Alt tekst](foto.png) en ![weg](https://x.nl/a.png)", "Alt tekst en weg"),
        ("Tekst\n\n---\n\nMeer", "Tekst\n\nMeer"),
        ("", ""),
    ],
)
def test_plain_text_keeps_words_and_drops_markup(source: str, expected: str) -> None:
    assert render_markdown(source).text == expected
    assert plain_text(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "# Titel\n\n## Kop\n\nTekst met **vet**, _schuin_ en [link](https://x.nl).",
        "- [ ] taak\n- ![foto](a.png)\n\n> citaat\n\n| a | b |\n|---|---|\n| c | d |",
        "Regel  \nregel\n\n***\n\n1. een\n2. [twee][r]\n\n[r]: /twee",
    ],
)
def test_plain_text_has_no_tags_and_no_markdown_punctuation(source: str) -> None:
    text = plain_text(source)
    for marker in ("<", ">", "**", "_", "#", "](", "|", "***", "&amp;"):
        assert marker not in text
    assert parse_html(text).elements == []


def test_raw_html_in_the_input_stays_literal_in_plain_text_as_readers_see_it() -> None:
    assert plain_text("Dit is <b>vet</b>") == "Dit is <b>vet</b>"


# ------------------------------------------------------------ robustness


@pytest.mark.parametrize("source", ["", " ", "\n\n\n", "\t", "   \n  \n"])
def test_empty_input_renders_to_nothing(source: str) -> None:
    assert render_markdown(source) == Rendered(html="", toc=(), text="")
    assert plain_text(source) == ""


@pytest.mark.parametrize(
    "source",
    [
        "a\x00b",
        "\x00" * 1000,
        "## \x00",
        "[a](\x00javascript:alert(1))",
        "a\ud800b\udfff",
        "\u202eGEVAAR\u202c",
        "e\u0301\u0301\u0301 zalgo",
        "\ufeff## BOM-kop",
        "🙂👩‍👩‍👧 emoji",
        "\x1b[31mkleur\x1b[0m",
        "\r\n\r\n## Windows\r\nregels",
        "[" * 500 + "]" * 500,
        ">" * 500 + " diep",
        "- " * 500 + "lijst",
        "*" * 1000,
    ],
)
def test_odd_input_never_raises_and_stays_safe(source: str) -> None:
    result = render_markdown(source)
    assert_safe_html(result.html)
    assert "\x00" not in result.html
    assert "\x00" not in result.text
    result.html.encode("utf-8")
    result.text.encode("utf-8")


@pytest.mark.parametrize(
    "source",
    [
        ("## Kop\n\nEen zin met [een link](https://x.nl), **nadruk** en `code`.\n\n" * 2000),
        "## a\n\n" * 17000,
        "| a | b |\n|---|---|\n" + "| x | y |\n" * 8000,
        "[a](javascript:alert(1)) ![b](https://x.nl/c.png) " * 2500,
    ],
    ids=["prose", "repeated headings", "long table", "many rejected links"],
)
def test_a_hundred_kilobytes_render_in_linear_work(source: str) -> None:
    """A quarter of the text takes about a quarter of the work: nothing grows quadratically.

    Counting calls instead of timing keeps the test honest on a loaded machine (a 5-second
    limit once failed under load and would miss a quadratic slowdown on a fast one). Four
    times the text may cost at most five times the calls; a quadratic step would cost ~16.
    """
    quarter, _ = calls_to(render_markdown, source[:25_000])
    whole, result = calls_to(render_markdown, source[:100_000])
    assert whole <= 5 * quarter, f"{whole} calls for 100 kB against {quarter} for 25 kB"
    assert result.html
    assert_safe_html(result.html)
    anchors = [heading.id for heading in result.toc]
    assert len(anchors) == len(set(anchors))


# ------------------------------------------------------------ determinism & API

SAMPLE = (
    "# Titel\n\n## Wat we zien\n\nTekst met [link](https://x.nl) en ![foto](a.png).\n\n"
    "## Wat we zien\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>x</script>"
)


def test_the_same_input_always_gives_the_same_output() -> None:
    first = render_markdown(SAMPLE)
    render_markdown("## Iets anders\n\n## Wat we zien")
    assert render_markdown(SAMPLE) == first
    assert plain_text(SAMPLE) == first.text


def test_rendered_results_are_immutable_values() -> None:
    result = render_markdown(SAMPLE)
    assert isinstance(result.toc, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.html = "<script>"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.toc[0].id = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "source",
    [
        SAMPLE,
        "[x](javascript:alert(1))",
        '[x](https://a.nl "\\" onmouseover=alert(1) x=\\"")',
        '![x" onerror="alert(1)](a.png)',
        '![x](a.png "t\\" onerror=\\"alert(1)")',
        '[x](https://a.nl/"onmouseover=alert(1))',
        '```js" onclick="alert(1)\ncode\n```',
        "<a href='javascript:alert(1)'>x</a>",
        "[x](&#x6A;avascript:alert(1))",
        "![x](/a.png)[y](//evil.example)",
    ],
)
def test_no_output_element_has_an_event_handler_or_a_bad_url(source: str) -> None:
    assert_safe_html(render_markdown(source).html)
