"""A logger that says each kind of trouble once a minute instead of once per request.

When the database stops, every request fails in the same way. A traceback per request grew a
node's log by 28 MB in a 20-second PostgreSQL stop (issue 9) and buried the one line an operator
needed. :class:`ThrottledLog` writes the first line of a kind at once, keeps quiet about that
kind for ``interval`` seconds, and then says how many it left out, so the log stays small and
still shows how much went wrong.

It counts per process: with four gunicorn workers an outage gives at most four lines a minute
per kind. It is thread-safe, so a background thread may share it with the request handlers.
"""

from __future__ import annotations

import logging
import threading
import time

#: Seconds between two lines of one kind.
INTERVAL = 60.0


class ThrottledLog:
    """At most one line per kind per ``interval`` seconds, with a count of what was left out."""

    def __init__(self, logger: logging.Logger, interval: float = INTERVAL) -> None:
        self.logger = logger
        self.interval = interval
        self._lock = threading.Lock()
        #: kind -> (monotonic time of its last line, lines left out since then)
        self._last: dict[str, tuple[float, int]] = {}

    def log(self, level: int, kind: str, message: str, *args: object) -> bool:
        """Log ``message % args`` unless ``kind`` had a line within the interval.

        Returns whether the line was written. A line after a quiet spell ends with how many
        lines of that kind were left out.
        """
        now = time.monotonic()
        with self._lock:
            last, left_out = self._last.get(kind, (None, 0))
            if last is not None and now - last < self.interval:
                self._last[kind] = (last, left_out + 1)
                return False
            self._last[kind] = (now, 0)
        if left_out:
            message += " (%d more like this in the last %.0f s)"
            args = (*args, left_out, now - last)
        self.logger.log(level, message, *args)
        return True

    def warning(self, kind: str, message: str, *args: object) -> bool:
        """:meth:`log` at WARNING."""
        return self.log(logging.WARNING, kind, message, *args)

    def error(self, kind: str, message: str, *args: object) -> bool:
        """:meth:`log` at ERROR."""
        return self.log(logging.ERROR, kind, message, *args)

    def forget(self, kind: str) -> int:
        """Start ``kind`` afresh (its trouble is over); returns how many lines were left out."""
        with self._lock:
            _, left_out = self._last.pop(kind, (None, 0))
        return left_out
