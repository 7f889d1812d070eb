"""When no advice holds every content word: the advice that hold most of them, most first.

Also the order in which a query's matches are tried (:func:`find`): the words themselves before
the themes they belong to.

A query such as ``hoe lang mag een jongere in de crisisopvang blijven`` may have no advice with
all its content words. Showing every advice with any one of them (the old fallback listed all 26
demo advice for ``wonen na je 18e``) buries the right one. Instead each advice counts how many
of the query's content words (:attr:`~search_index.expand.Built.items`) it holds; only those
holding most of them are shown (more than half, or the best any advice reaches when none does),
in tiers by that count, each tier by score. The search page says so (``Results.message ==
"partial"``; the Dutch notice is in the template).
"""

from __future__ import annotations

from collections.abc import Container, Sequence

from whoosh import query as q
from whoosh.reading import IndexReader

from search_index.expand import Built
from search_index.scoring import Evaluator, Postings, Scores

#: Advice found only through a theme are added below the advice with the words themselves
#: when those are fewer than this (they would only show from page 6 on, and finding them
#: means evaluating the query a second time).
THEME_TIER_MAX = 50


def find(reader: IndexReader, postings: Postings, built: Built,
         allowed: Container[int] | None, unfiltered: list | None = None,
         ) -> tuple[Scores, list[set[int]], bool]:
    """``(scores, tiers, partial)``: the advice a query finds, tried in this order:

    1. advice holding every content word (literally or through an equivalent), the theme only
       adding to their score; then, in a tier below them, advice where a theme stands in for a
       word (found, but never above advice with the words themselves);
    2. else advice holding more than half of the words that way (``partial``);
    3. else advice where a theme stands in for a word (``jongvolwassenen``, only a synonym of
       the theme 18-/18+, finds that theme's advice);
    4. else advice holding most of the words, themes included (``partial``).

    ``tiers`` orders the advice: each tier before the next, each by score.

    With ``unfiltered`` (an empty list) and filters, what the same words find without the
    filters is appended to it when this costs nothing extra (the facet counts need it): when
    step 1 finds advice at all, both come from the same evaluation. Otherwise it stays empty
    and the caller asks again without filters.
    """
    count = len(built.items)
    # A query of several words is new as a whole; its words are what the next query shares.
    whole = count <= 1
    text_only = Evaluator(reader, postings, themes_match=False)
    themed = Evaluator(reader, postings, themes_match=True)
    every = text_only.scores(built.query, keep=whole)
    if unfiltered is not None and every and allowed is not None:
        # What step 1 finds without the filters (as a call with allowed=None would).
        if built.themes and len(every) < THEME_TIER_MAX:
            unfiltered.append(set(every).union(themed.docs(built.query, keep=whole)))
        else:
            unfiltered.append(set(every))
    scores = _allowed(every, allowed)
    if scores:
        if not built.themes or len(scores) >= THEME_TIER_MAX:
            return scores, [], False
        more = _allowed(themed.scores(built.query, keep=whole), allowed)
        rest = set(more) - set(scores)
        return {**more, **scores}, [set(scores), rest] if rest else [], False
    if count > 1:
        scores, tiers = most_words(text_only, built.items, allowed, count // 2 + 1)
        if scores:
            return scores, tiers, True
    if built.themes:
        scores = _allowed(themed.scores(built.query, keep=whole), allowed)
        if scores:
            return scores, [], False
    if count > 1:
        scores, tiers = most_words(themed, built.items, allowed)
        if scores:
            return scores, tiers, True
    return {}, [], False


def most_words(evaluator: Evaluator, items: Sequence[q.Query],
               allowed: Container[int] | None, at_least: int = 1,
               ) -> tuple[Scores, list[set[int]]]:
    """``(scores, tiers)`` of the advice holding most of ``items`` (and at least
    ``at_least``); tiers hold the advice with the most words first."""
    counts: dict[int, int] = {}
    total: Scores = {}
    for item in items:
        for docnum, score in evaluator.scores(item).items():
            if allowed is None or docnum in allowed:
                counts[docnum] = counts.get(docnum, 0) + 1
                total[docnum] = total.get(docnum, 0.0) + score
    best = max(counts.values(), default=0)
    needed = max(at_least, min(best, len(items) // 2 + 1))
    if best < needed:
        return {}, []
    kept = {d: s for d, s in total.items() if counts[d] >= needed}
    tiers = [{d for d in kept if counts[d] == n} for n in range(best, needed - 1, -1)]
    return kept, [tier for tier in tiers if tier]


def _allowed(scores: Scores, allowed: Container[int] | None) -> Scores:
    if allowed is None:
        return scores
    return {d: s for d, s in scores.items() if d in allowed}
