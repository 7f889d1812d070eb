"""Helpers for tests of the index following the database (``test_change_log``, ``test_indexing``,
``test_health``): waiting for the background follower, and publishing the way another node does.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], timeout: float = 60.0,
               every: float = 0.1) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` seconds have passed; its last answer.

    The background follower works on its own time: a test waits for what it must do, with a
    generous timeout for a loaded machine, rather than sleeping a fixed time.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() >= deadline:
            return bool(result)
        time.sleep(every)
