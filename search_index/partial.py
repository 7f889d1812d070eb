"""When no advice holds every content word: the advice that hold most of them, most first.

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

from search_index.scoring import Evaluator, Scores


def most_words(evaluator: Evaluator, items: Sequence[q.Query],
               allowed: Container[int] | None) -> tuple[Scores, list[set[int]]]:
    """``(scores, tiers)`` of the advice holding most of ``items``; tiers hold the advice
    with the most words first."""
    counts: dict[int, int] = {}
    total: Scores = {}
    for item in items:
        for docnum, score in evaluator.scores(item).items():
            if allowed is None or docnum in allowed:
                counts[docnum] = counts.get(docnum, 0) + 1
                total[docnum] = total.get(docnum, 0.0) + score
    if not counts:
        return {}, []
    best = max(counts.values())
    needed = min(best, len(items) // 2 + 1)
    kept = {d: s for d, s in total.items() if counts[d] >= needed}
    tiers = [{d for d in kept if counts[d] == n} for n in range(best, needed - 1, -1)]
    return kept, [tier for tier in tiers if tier]
