"""Checksums of an index generation's files: damage is found when a generation is opened.

A truncated or altered segment file made every search fail, also after a restart, and nothing
said why. Now each commit records the size and CRC-32 of every file of the generation in
``CHECKSUMS``, and opening a generation compares the files its table of contents uses.

Whoosh never changes a file once written: a commit writes new segment files and a new table of
contents (``_MAIN_<n>.toc``), and deletions live in the table of contents. So a commit only needs
to hash the files it does not know yet, and an entry is never rewritten (a file damaged later
keeps the checksum of what was written). CRC-32 and the size find truncation and changed bytes,
which is what disks and people do to files; it is not meant to resist tampering, and it reads at
some 2 GB/s (the cost at open is in ``docs/performance.md``).

Files that change in place or belong to no commit (``APPLIED``, Whoosh's lock, temporary files)
are not checksummed. A file written by a commit whose checksums were not yet recorded (the writer
crashed in between, or another process is committing right now) is not judged until they are.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable
from pathlib import Path

CHECKSUM_FILE = "CHECKSUMS"
ALGORITHM = "crc32"
#: Files of a generation that are never checksummed (they change in place or are temporary).
UNCHECKED = frozenset({CHECKSUM_FILE, "APPLIED", "MAIN_WRITELOCK"})
CHUNK = 1 << 20


def checksum(path: Path) -> int:
    """The CRC-32 of a file, read in chunks."""
    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def read(folder: Path) -> dict[str, tuple[int, int]] | None:
    """The recorded ``{file name: (size, crc32)}`` of a generation, or None without a record."""
    try:
        data = json.loads((folder / CHECKSUM_FILE).read_text())
        if data.get("algorithm") != ALGORITHM:
            return None
        return {name: (int(size), int(crc)) for name, (size, crc) in data["files"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def record(folder: Path) -> None:
    """After a commit: add the new files of the generation, drop the removed ones, atomically."""
    known = read(folder) or {}
    files: dict[str, tuple[int, int]] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            if not _checked(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            files[entry.name] = known.get(entry.name) or (entry.stat().st_size,
                                                          checksum(Path(entry.path)))
    tmp = folder / f"{CHECKSUM_FILE}.tmp"
    # No fsync: after a power cut a lost record means a rebuild, which is what the segment
    # files (Whoosh does not fsync them either) may need then anyway.
    tmp.write_text(json.dumps({"algorithm": ALGORITHM, "files": files}, sort_keys=True))
    os.replace(tmp, folder / CHECKSUM_FILE)


def verify(folder: Path, names: Iterable[str]) -> list[str]:
    """What is wrong with the files ``names`` of a generation (empty when nothing is)."""
    known = read(folder)
    if known is None:
        return [f"{CHECKSUM_FILE} is missing or unreadable (an index made by an older version?)"]
    problems = []
    for name in sorted(names):
        expected = known.get(name)
        if expected is None:
            continue  # committed after the checksums were recorded: judged next time
        size, crc = expected
        path = folder / name
        try:
            found = path.stat().st_size
            if found != size:
                problems.append(f"{name} has {found} bytes instead of {size}")
            elif checksum(path) != crc:
                problems.append(f"{name} has changed (its checksum differs)")
        except FileNotFoundError:
            problems.append(f"{name} is missing")
        except OSError as error:
            problems.append(f"{name} cannot be read ({error.strerror or error})")
    return problems


def _checked(name: str) -> bool:
    return not (name in UNCHECKED or name.endswith(".tmp") or name.startswith("."))
