"""Whoosh's parallel index writer, made safe to kill.

A large rebuild runs Whoosh's ``MpWriter``: worker processes forked from the rebuilding process,
fed batches of documents through a queue. As Whoosh ships it, killing the parent (``kill -9``,
``kill -TERM``, the OOM killer) leaves the workers waiting on the queue for ever, holding a copy
of every descriptor the parent had, the index's write lock among them; and a worker that dies
leaves the parent waiting for ever, or committing an index without that worker's documents.
:class:`ParallelWriter` fixes both ends:

- a worker first closes the parent's lock descriptors (:data:`search_index.locking.HELD`) and asks
  the kernel to kill it when its parent dies (``prctl(PR_SET_PDEATHSIG)``; Linux only). The
  signal comes when the *thread* that forked it ends, which is the thread running the rebuild:
  it outlives its workers, since it waits for them before it returns;
- the parent never blocks on the queues without checking its workers, and refuses to commit
  when one of them did not finish (:class:`WriterDied`); cancelling kills the workers.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import queue
import signal

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name
from whoosh.writing import SegmentWriter

from search_index import locking

PR_SET_PDEATHSIG = 1
#: Seconds between checks of the workers while waiting on a queue.
CHECK_SECONDS = 1.0


class WriterDied(RuntimeError):
    """A worker process of a parallel rebuild died (killed, out of memory, an error)."""


def die_with_parent(parent: int) -> None:
    """In a forked worker: let go of the parent's locks and die when the parent dies."""
    for fd in tuple(locking.HELD):
        with contextlib.suppress(OSError):
            os.close(fd)
    locking.HELD.clear()
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the locks are let go at least
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


class _Worker(SubWriterTask):
    """Whoosh's worker process, which first makes sure it cannot outlive its parent."""

    def __init__(self, *args, parent: int) -> None:
        super().__init__(*args)
        self.parent = parent

    def run(self) -> None:
        die_with_parent(self.parent)
        super().run()


class ParallelWriter(MpWriter):
    """``MpWriter`` with ``multisegment=True`` whose workers die with it and whose death it
    notices (see the module doc)."""

    def __init__(self, ix, procs: int, **kwargs) -> None:
        super().__init__(ix, procs=procs, multisegment=True, **kwargs)

    def _new_task(self) -> _Worker:
        task = _Worker(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                       self.subargs, self.multisegment, parent=os.getpid())
        self.tasks.append(task)
        task.start()
        return task

    def _check_workers(self) -> None:
        failed = [task for task in self.tasks if task.exitcode not in (None, 0)]
        if failed:
            raise WriterDied("index writer process " + ", ".join(
                f"{task.pid} {_how(task.exitcode)}" for task in failed))

    def _put(self, item) -> None:
        while True:
            try:
                self.jobqueue.put(item, timeout=CHECK_SECONDS)
                return
            except queue.Full:
                self._check_workers()

    def _result(self):
        while True:
            try:
                return self.resultqueue.get(timeout=CHECK_SECONDS)
            except queue.Empty:
                self._check_workers()
                if all(task.exitcode is not None for task in self.tasks):
                    raise WriterDied("an index writer process ended without its result") from None

    def _enqueue(self) -> None:
        # As MpWriter._enqueue, with a put that notices dead workers.
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as f:
            for item in self.docbuffer:
                pickle.dump(item, f, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._put((filename, len(self.docbuffer)))
        self.docbuffer = []

    def _commit(self, mergetype, optimize, merge) -> None:
        # As MpWriter._commit for multisegment=True; results are read before joining (a worker
        # cannot exit before its result is read from the pipe) and every worker must succeed.
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self._put(None)
        final = self._merge_segments(mergetype, optimize, merge)
        results = [self._result() for _ in self.tasks]
        for task in self.tasks:
            task.join()
        self._check_workers()
        final += [segment for _run, _fields, segment in results]
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(final)
        self._finish()

    def cancel(self) -> None:
        """Stop the workers for good (Whoosh only flags its own copy of them), then the writer."""
        try:
            for task in self.tasks:
                if task.exitcode is None:
                    task.kill()
            for task in self.tasks:
                task.join(timeout=10)
        finally:
            SegmentWriter.cancel(self)


def _how(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        return f"was killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
    return f"exited with {exitcode}"
