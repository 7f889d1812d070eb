"""The index's write lock: one writer per node, and never stuck behind a dead one.

The lock is an exclusive ``flock`` on ``write.lock`` in the index folder. The kernel releases it
when the last descriptor of that open file is closed, so a writer killed with ``kill -9`` frees
it at once, with one exception that used to stop a node for good: a process that inherited the
descriptor keeps the lock after the writer died (Whoosh's index-writer children are forked while
the lock is held). So:

- every descriptor this module holds is listed in :data:`HELD`, and a forked writer child closes
  them before anything else (:mod:`search_index.workers`);
- the holder writes its pid and command line into the file, and a process waiting for the lock
  says in the log, after :data:`LOG_AFTER` seconds and then every :data:`LOG_EVERY`, who holds it;
- a held lock whose owner (the process that took it, as ``/proc/locks`` tells) no longer exists
  is stale: only inherited descriptors keep it. It is broken by removing the file, and the next
  writer makes a new one. A short guard lock around taking and breaking makes that safe: a lock
  is only broken while it is still held by a dead owner, and nobody takes it meanwhile.

Waiting polls instead of blocking in ``flock``, so that a waiter can notice staleness and log.
One index folder belongs to one node: its processes share one process-id namespace.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_FILE = "write.lock"
GUARD_FILE = "write.lock.guard"
#: Seconds of waiting for the lock before the first log line naming its holder, and between lines.
LOG_AFTER = 5.0
LOG_EVERY = 30.0
POLL_SECONDS = 0.05

#: Descriptors of the locks this process holds: a forked child closes them (see module doc).
HELD: set[int] = set()


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: the owner's pid from ``/proc/locks`` (None when unknown), whether that
    process still exists (None when unknown), its command line and since when it holds it."""

    pid: int | None
    alive: bool | None
    command: str = ""
    since: str = ""

    def describe(self) -> str:
        """For a log line: ``pid 1234 (flask --app app kb reindex, since 12:00:03)``."""
        if self.pid is None:
            return "an unknown process"
        details = ", ".join(part for part in (self.command, self.since and f"since {self.since}")
                            if part)
        state = "" if self.alive is not False else " (no longer running)"
        return f"pid {self.pid}{state}" + (f" ({details})" if details else "")


def acquire(root: Path, blocking: bool) -> int | None:
    """Take the write lock of the index folder ``root``; return its descriptor for
    :func:`release`, or None when ``blocking`` is false and another process holds it.

    Raises ``OSError`` when the lock file cannot be created or opened for writing (a read-only
    folder, a full disk): then this process cannot write the index anyway.
    """
    root.mkdir(parents=True, exist_ok=True)
    path = root / LOCK_FILE
    began = time.monotonic()
    next_log = began + LOG_AFTER
    while True:
        with _guard(root):
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            if _try_flock(fd):
                HELD.add(fd)
                _write_record(fd)
                if time.monotonic() - began > LOG_AFTER:
                    log.info("Got the search index's write lock after %.0f s.",
                             time.monotonic() - began)
                return fd
            holder = holder_of(fd)
            if holder.alive is False:
                # Held, but its owner is gone: only an inherited descriptor keeps it (see the
                # module doc). Under the guard nobody takes this file meanwhile.
                os.unlink(path)
                os.close(fd)
                log.warning("Broke a stale write lock on the search index (%s): its owner, %s, "
                            "died while a process it had started kept the lock.", path,
                            holder.describe())
                continue
        os.close(fd)
        if not blocking:
            return None
        now = time.monotonic()
        if now >= next_log:
            log.warning("Waiting %.0f s for the search index's write lock (%s), held by %s.",
                        now - began, path, holder.describe())
            next_log = now + LOG_EVERY
        time.sleep(POLL_SECONDS)


def release(fd: int) -> None:
    """Let go of a lock taken by :func:`acquire` (its record is cleared first)."""
    HELD.discard(fd)
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def write_lock(root: Path, blocking: bool) -> Iterator[bool]:
    """Hold the index's write lock; yields False at once when not blocking and it is taken."""
    fd = acquire(root, blocking)
    if fd is None:
        yield False
        return
    try:
        yield True
    finally:
        release(fd)


def holder_of(fd: int) -> Holder:
    """Who holds the lock on the file open as ``fd``, from ``/proc/locks`` and the file's record.

    ``/proc/locks`` names the process that called ``flock``, even after it died; a descriptor it
    passed on to a child does not change that. Without ``/proc`` nothing is known.
    """
    info = os.fstat(fd)
    wanted = (os.major(info.st_dev), os.minor(info.st_dev), info.st_ino)
    pid = None
    try:
        with open("/proc/locks") as locks:
            for line in locks:
                fields = line.split()
                # "1: FLOCK  ADVISORY  WRITE 1234 fe:00:2146749 0 EOF"; waiters have "->".
                if len(fields) < 6 or fields[1] != "FLOCK" or fields[4].startswith("-"):
                    continue
                device = fields[5].split(":")
                if len(device) == 3 and tuple(int(x, 16) for x in device[:2]) + (
                        int(device[2]),) == wanted:
                    pid = int(fields[4])
                    break
    except (OSError, ValueError):
        return Holder(None, None, *_record(fd, None))
    if pid is None or pid <= 0:  # released meanwhile, or in another pid namespace
        return Holder(None, None, *_record(fd, None))
    return Holder(pid, process_exists(pid), *_record(fd, pid))


def process_exists(pid: int) -> bool:
    """Whether a process with this id runs (a zombie, dead but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _record(fd: int, pid: int | None) -> tuple[str, str]:
    """The holder's command line and start time: from ``/proc`` while it runs, else from the
    record it wrote into the lock file (when that record is about the same process)."""
    try:
        record = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        record = {}
    if not isinstance(record, dict) or (pid is not None and record.get("pid") != pid):
        record = {}
    command = _command_line(pid) if pid is not None else ""
    return command or str(record.get("command", "")), str(record.get("since", ""))


def _command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            raw = cmdline.read()
    except OSError:
        return ""
    words = [os.path.basename(w) if i == 0 else w
             for i, w in enumerate(raw.decode(errors="replace").split("\0")) if w]
    return " ".join(" ".join(words).split())[:200]  # a ``python -c`` script has line breaks


def _write_record(fd: int) -> None:
    """Say in the lock file who holds it; best effort (a full disk must not stop a writer)."""
    record = {"pid": os.getpid(), "command": _command_line(os.getpid()),
              "since": time.strftime("%Y-%m-%d %H:%M:%S")}
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


@contextlib.contextmanager
def _guard(root: Path) -> Iterator[None]:
    """The short lock around taking or breaking the write lock (held for microseconds, never
    while forking a writer; listed in :data:`HELD` all the same)."""
    fd = os.open(root / GUARD_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        began = time.monotonic()
        told = False
        while not _try_flock(fd):
            if not told and time.monotonic() - began > LOG_AFTER:
                log.warning("Waiting for the search index's guard lock (%s), held by %s.",
                            root / GUARD_FILE, holder_of(fd).describe())
                told = True
            time.sleep(0.001)
        HELD.add(fd)
        try:
            yield
        finally:
            HELD.discard(fd)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
