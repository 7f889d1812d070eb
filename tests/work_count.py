"""Counting work instead of seconds: how many Python function calls a piece of code makes.

Timing never decides a test (a loaded machine fails a sound limit; a fast one passes a
quadratic slowdown). Call counts are the same on every machine for the same input, so tests
compare them: a quarter of the input should take about a quarter of the calls.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def calls_to(function: Callable[..., T], *args, **kwargs) -> tuple[int, T]:
    """The number of Python function calls ``function(*args, **kwargs)`` makes, and its result."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        if event == "call":
            calls += 1

    previous = sys.getprofile()
    sys.setprofile(count)
    try:
        result = function(*args, **kwargs)
    finally:
        sys.setprofile(previous)
    return calls, result
