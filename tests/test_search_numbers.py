"""Numbers and ordinals: every written form of one number is one index term (issue 11: `18e`,
`15-jarigen`, `twintigste`, `12-plussers` and `na je 27e` found nothing)."""

from __future__ import annotations

import pytest

from search_index.analysis import analyze, index_term
from search_index.snippets import highlight


@pytest.mark.parametrize(("forms", "term"), [
    (("18e", "18ste", "18de", "achttiende", "Achttiende", "18", "achttien", "18+", "18-",
      "18min", "18plus", "18-/18+"), "achttien"),
    (("20e", "20ste", "twintigste", "twintig", "20"), "twintig"),
    (("27e", "zevenentwintigste", "zevenentwintig", "27"), "zevenentwintig"),
    (("23e", "drieëntwintigste", "drieentwintigste", "drieëntwintig", "23"), "drieentwintig"),
    (("12", "twaalf", "12-min", "12min", "12-plus", "twaalfde", "12e"), "twaalf"),
    (("17", "zeventien", "17e", "zeventiende"), "zeventien"),
])
def test_every_form_of_a_number_is_one_term(forms, term):
    assert {index_term(form) for form in forms} == {term}


@pytest.mark.parametrize(("text", "terms"), [
    ("15-jarigen", ["vijftien", "jarig"]),
    ("15jarigen", ["vijftien", "jarig"]),
    ("vijftienjarigen", ["vijftien", "jarig"]),
    ("Vijftienjarige", ["vijftien", "jarig"]),
    ("12-plussers", ["twaalf", "plusser"]),
    ("twaalfplussers", ["twaalf", "plusser"]),
    ("na je 27e", ["na", "je", "zevenentwintig"]),
])
def test_a_number_glued_to_a_word_is_the_number_and_the_word(text, terms):
    assert analyze(text) == terms


def test_small_ordinals_stay_apart_from_their_cardinal_but_meet_their_digits():
    """`tweede kans` is no `twee`; `2e` is `tweede`; `1` is never the article `een`."""
    assert index_term("2e") == index_term("tweede") != index_term("twee")
    assert index_term("1e") == index_term("eerste")
    assert index_term("1") != index_term("een")
    assert index_term("2021") == "2021"  # a year is no number word


def test_words_that_only_look_like_numbers_are_left_alone():
    assert index_term("meerjarig") == "meerjar"
    assert analyze("tienminutengesprek") == [index_term("tienminutengesprek")]


def test_the_snippet_marks_the_number_in_digits_and_in_words():
    text = "Kinderen onder de 12 jaar horen in een gezin. Twaalfplussers mogen meebeslissen."
    marked = highlight(text, {"twaalf": 10})
    assert "<mark>12</mark>" in marked and "<mark>Twaalf</mark>" in marked
