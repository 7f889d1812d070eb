"""gunicorn settings for the ExpEx Kennisbank: ``gunicorn -c gunicorn.conf.py 'app:create_app()'``.

Every value can be changed without editing this file: gunicorn's command-line flags win over it,
and the environment variables below are read here.

- ``WEB_CONCURRENCY``: the number of workers (default: 2 per core + 1; requests mostly wait on
  the database or the index, so more workers than cores keep the CPUs busy).
- ``KB_BIND``: where to listen (default ``127.0.0.1:8000``: only the reverse proxy on this
  machine reaches it; ``0.0.0.0:8000`` for a load balancer elsewhere, or ``unix:/run/kb.sock``).
- ``FORWARDED_ALLOW_IPS``: see ``forwarded_allow_ips`` below.

The app is not preloaded: each worker runs ``create_app()`` itself, so a worker that dies is
replaced by a clean one and a ``kill -HUP`` loads new code. The start-up lock
(:mod:`kb.startlock`) lets exactly one process migrate, load the themes and build the index
while the others wait.

A worker that starts while the database does not answer waits for it (``post_fork`` below)
instead of failing: gunicorn shuts the whole node down when a worker fails to boot.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("KB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
preload_app = False

# A worker silent for this long is stuck and gets replaced. Requests take milliseconds (imports
# and backups are commands), but the clock also runs while a worker starts: the first start of a
# node builds its search index from the database (tens of seconds at 50,000 advice) while the
# other workers wait for the start-up lock, and a worker killed then would start over.
timeout = 120
# On SIGTERM or a reload, requests in flight get this long to finish before workers are killed.
graceful_timeout = 20
# Seconds to keep an idle connection from the proxy open; above nginx's upstream keepalive use.
keepalive = 5

# Logs go to the process manager (systemd's journal, docker logs), not to files of our own.
accesslog = "-"
errorlog = "-"
loglevel = "info"

# Which peers gunicorn believes when they say the request came over HTTPS (X-Forwarded-Proto).
# The app itself reads X-Forwarded-For/-Proto/-Host from exactly KB_PROXY_FIX proxies (werkzeug's
# ProxyFix), wherever those proxies are, so it does not depend on this list; the default trusts
# only a proxy on this machine, and nobody else can make gunicorn call a request secure.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn 25.1+ opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl), which two
# instances on one machine would fight over; workers are managed with signals (HUP, TERM) instead.
# Older gunicorn versions ignore this name.
control_socket_disable = True


def post_fork(server, worker):
    """In each new worker, before it loads the app: let a start that waits for the database (or
    the start-up lock) keep telling the arbiter it is alive, so that it is not killed after
    ``timeout`` seconds, and let it stop when gunicorn stops the worker (``worker.alive``)."""
    from kb import startlock

    def keep_alive() -> bool:
        worker.notify()
        return worker.alive

    startlock.supervise(keep_alive)
