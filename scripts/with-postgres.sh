#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Starts a throwaway PostgreSQL server (prefers version 15), runs CMD with
#   KB_TEST_DATABASE_URL=postgresql+psycopg://kb@127.0.0.1:PORT/kb_test
# exported, then stops the server and deletes its data directory whatever the
# outcome (normal exit, failure, Ctrl-C, SIGTERM). Exits with CMD's exit code.
#
# The cluster lives in its own `mktemp -d` directory (never inside the repo),
# listens only on 127.0.0.1 on a free port, uses trust authentication and has
# durability switched off (fsync/full_page_writes/synchronous_commit) for speed.
#
# As root, server commands run as the `postgres` OS user (initdb refuses to run
# as root); as any other user they run directly as that user. CMD itself always
# runs as the invoking user, in the invoking directory.
#
# Optional environment:
#   KB_PG_VERSION   preferred major version (default 15)
set -euo pipefail

log() { printf 'with-postgres: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

PREFERRED_VERSION="${KB_PG_VERSION:-15}"
PG_USER=kb
PG_DB=kb_test

# --------------------------------------------------------------------------
# Locate the PostgreSQL server binaries.
# --------------------------------------------------------------------------
find_bindir() {
    local d
    if [[ -x "/usr/lib/postgresql/${PREFERRED_VERSION}/bin/initdb" ]]; then
        echo "/usr/lib/postgresql/${PREFERRED_VERSION}/bin"
        return 0
    fi
    # Any other installed major version, newest first.
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -rn); do
        if [[ -x "$d/initdb" ]]; then
            echo "$d"
            return 0
        fi
    done
    if command -v pg_config >/dev/null 2>&1; then
        d="$(pg_config --bindir 2>/dev/null || true)"
        if [[ -n "$d" && -x "$d/initdb" ]]; then
            echo "$d"
            return 0
        fi
    fi
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

if ! PGBIN="$(find_bindir)"; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "no PostgreSQL server binaries found; installing with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >&2
        apt-get install -y -q postgresql >&2
        PGBIN="$(find_bindir)" || die "PostgreSQL still not found after apt-get install"
    else
        die "no PostgreSQL server binaries found (looked in /usr/lib/postgresql/*/bin," \
            "pg_config --bindir and PATH); install PostgreSQL (Debian: apt-get install postgresql)"
    fi
fi
for tool in initdb pg_ctl createdb; do
    [[ -x "$PGBIN/$tool" ]] || die "$PGBIN/$tool not found or not executable"
done

# --------------------------------------------------------------------------
# Decide which OS user runs the server.
# --------------------------------------------------------------------------
AS_ROOT=0
if [[ "$(id -u)" -eq 0 ]]; then
    AS_ROOT=1
    id postgres >/dev/null 2>&1 \
        || die "running as root but the 'postgres' OS user does not exist (initdb refuses to run as root)"
    command -v runuser >/dev/null 2>&1 || die "running as root but 'runuser' is not available"
fi

# Run a server-side command as the server user, from inside the temp dir (the
# postgres user may not be able to enter the caller's working directory).
as_server_user() {
    if [[ "$AS_ROOT" -eq 1 ]]; then
        (cd "$PGTMP" && runuser -u postgres -- env LC_ALL=C LANG=C "$@")
    else
        (cd "$PGTMP" && env LC_ALL=C LANG=C "$@")
    fi
}

# --------------------------------------------------------------------------
# Cleanup: stop the server and delete the temp dir, whatever happens.
# --------------------------------------------------------------------------
PGTMP=""
PGDATA_DIR=""
SERVER_STARTED=0

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if [[ -n "$PGDATA_DIR" && -f "$PGDATA_DIR/postmaster.pid" ]]; then
        as_server_user "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || as_server_user "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m immediate -w -t 30 stop >/dev/null 2>&1
        # Last resort: kill the postmaster directly if it is somehow still there.
        if [[ -f "$PGDATA_DIR/postmaster.pid" ]]; then
            local pid
            pid="$(head -n1 "$PGDATA_DIR/postmaster.pid" 2>/dev/null)"
            if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
                kill -KILL "$pid" 2>/dev/null
                sleep 1
            fi
        fi
        [[ "$SERVER_STARTED" -eq 1 ]] && log "PostgreSQL stopped"
    fi
    if [[ -n "$PGTMP" && -d "$PGTMP" ]]; then
        rm -rf -- "$PGTMP"
    fi
    exit "$rc"
}
CMD_PID=""

# On INT/TERM: make sure CMD ends (forwarding the signal if needed), then exit
# 128+N, which runs the EXIT trap (cleanup).
on_signal() {
    local sig="$1" code="$2" i
    trap - INT TERM
    if [[ -n "$CMD_PID" ]] && kill -0 "$CMD_PID" 2>/dev/null; then
        if [[ "$sig" == INT ]]; then
            # A Ctrl-C at the terminal already reached CMD (same process group):
            # give it a moment to finish its own KeyboardInterrupt handling.
            for ((i = 0; i < 50; i++)); do
                kill -0 "$CMD_PID" 2>/dev/null || break
                sleep 0.1
            done
        fi
        if kill -0 "$CMD_PID" 2>/dev/null; then
            log "received SIG$sig; forwarding it to the command (pid $CMD_PID)"
            kill -s "$sig" "$CMD_PID" 2>/dev/null || true
            for ((i = 0; i < 300; i++)); do
                kill -0 "$CMD_PID" 2>/dev/null || break
                sleep 0.1
            done
            if kill -0 "$CMD_PID" 2>/dev/null; then
                log "command still running after 30s; killing it"
                kill -KILL "$CMD_PID" 2>/dev/null || true
            fi
        fi
        wait "$CMD_PID" 2>/dev/null || true
    fi
    exit "$code"
}
trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

# --------------------------------------------------------------------------
# Temp directory, reachable by the server user.
# --------------------------------------------------------------------------
make_tmp() {
    local base="$1" dir
    dir="$(mktemp -d "${base%/}/kb-pg.XXXXXXXX")" || return 1
    chmod 0755 "$dir"
    if [[ "$AS_ROOT" -eq 1 ]]; then
        chown postgres: "$dir"
        # Every parent must be traversable by postgres (TMPDIR may be a 0700 dir).
        if ! runuser -u postgres -- test -w "$dir"; then
            rm -rf -- "$dir"
            return 1
        fi
    fi
    echo "$dir"
}

PGTMP="$(make_tmp "${TMPDIR:-/tmp}")" || PGTMP="$(make_tmp /tmp)" \
    || die "could not create a temp directory the server user can write to"
PGDATA_DIR="$PGTMP/data"
PGSOCK_DIR="$PGTMP/sock"
PGLOG="$PGTMP/postgres.log"
as_server_user mkdir -m 0700 "$PGSOCK_DIR"

# --------------------------------------------------------------------------
# initdb
# --------------------------------------------------------------------------
if ! as_server_user "$PGBIN/initdb" -D "$PGDATA_DIR" -A trust -U "$PG_USER" \
        --encoding=UTF8 --locale=C --no-sync >"$PGTMP/initdb.log" 2>&1; then
    cat "$PGTMP/initdb.log" >&2
    die "initdb failed"
fi

# --------------------------------------------------------------------------
# Start the server on a free port (retry a few times in case of a port race).
# --------------------------------------------------------------------------
free_port() {
    local py
    for py in python3 python; do
        if command -v "$py" >/dev/null 2>&1 && "$py" - <<'PY' 2>/dev/null; then
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
            return 0
        fi
    done
    # No Python: a random high port (start is retried on a clash).
    echo $((20000 + RANDOM % 40000))
}

PGPORT_CHOSEN=""
for attempt in 1 2 3; do
    port="$(free_port)"
    if as_server_user "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGLOG" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $PGSOCK_DIR -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
            start >"$PGTMP/pg_ctl.log" 2>&1; then
        PGPORT_CHOSEN="$port"
        SERVER_STARTED=1
        break
    fi
    log "server failed to start on port $port (attempt $attempt)"
    # Make sure a half-started postmaster does not linger before retrying.
    as_server_user "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m immediate -w stop >/dev/null 2>&1 || true
done

if [[ -z "$PGPORT_CHOSEN" ]]; then
    log "pg_ctl output:"
    cat "$PGTMP/pg_ctl.log" >&2 || true
    log "server log ($PGLOG):"
    cat "$PGLOG" >&2 || true
    die "could not start PostgreSQL"
fi

# --------------------------------------------------------------------------
# Create the test database.
# --------------------------------------------------------------------------
if ! env -u PGSERVICE -u PGSERVICEFILE "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT_CHOSEN" \
        -U "$PG_USER" -w "$PG_DB"; then
    log "server log ($PGLOG):"
    cat "$PGLOG" >&2 || true
    die "createdb failed"
fi

export KB_TEST_DATABASE_URL="postgresql+psycopg://${PG_USER}@127.0.0.1:${PGPORT_CHOSEN}/${PG_DB}"
PG_VERSION_STR="$("$PGBIN/postgres" --version 2>/dev/null || echo "PostgreSQL")"
log "${PG_VERSION_STR} listening on 127.0.0.1:${PGPORT_CHOSEN} (data: ${PGDATA_DIR});" \
    "KB_TEST_DATABASE_URL=${KB_TEST_DATABASE_URL}"

# --------------------------------------------------------------------------
# Run the command; the EXIT trap stops the server and removes the temp dir.
# --------------------------------------------------------------------------
# CMD runs as a background job so that a SIGTERM/SIGINT sent to this script is
# handled at once (bash defers traps while a foreground child runs). The job
# keeps this script's stdin and gets default SIGINT/SIGQUIT handling back, so
# Ctrl-C and interactive debuggers (pytest --pdb) behave as in the foreground.
if { true <&0; } 2>/dev/null; then
    ( trap - INT QUIT TERM; exec "$@" ) <&0 &
else
    ( trap - INT QUIT TERM; exec "$@" ) </dev/null &
fi
CMD_PID=$!
cmd_rc=0
wait "$CMD_PID" || cmd_rc=$?
CMD_PID=""
exit "$cmd_rc"
