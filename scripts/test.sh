#!/usr/bin/env bash
# README command #2: run the whole test suite twice, and the static checks.
#   0. a throw-away redis-server on a free loopback port (TEST_REDIS_URL) for
#      the shared-state tests of both runs, stopped at exit;
#   1. on SQLite, every test including the real-browser ones (marker "browser");
#   2. on a PostgreSQL 15 server this script starts itself on 127.0.0.1
#      (a throw-away cluster in /tmp, stopped at exit), every test but "browser";
#   alongside run 1: bandit against its reviewed baseline and pip-audit over
#   requirements.txt (tools/static_checks.py; skipped with a line when offline).
# Exits non-zero if any of them fails (pytest's "no tests collected" counts as
# a failure). Extra arguments go to both pytest runs, e.g. -x or -k money.
#
# Run as root on a fresh machine (scripts/setup.sh --deps-only installs the
# Debian packages and .venv first; that step is skipped when already done).
# BOARD_SKIP_SETUP=1 skips it altogether.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [[ "${BOARD_SKIP_SETUP:-0}" != 1 ]]; then
    bash scripts/setup.sh --deps-only
fi
PY="$ROOT/.venv/bin/python"
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

# -- static checks, in the background (mostly waiting on the network) ----------
static_log=$(mktemp /tmp/board-static.XXXXXX)
"$PY" tools/static_checks.py >"$static_log" 2>&1 &
static_pid=$!

# -- Redis for the shared-state tests (rate limits across workers, cache) ------
cleanups=()
cleanup() { local c; for c in "${cleanups[@]}"; do "$c"; done; }
trap cleanup EXIT
free_port() {  # the first port from $1 to $2 that nothing answers on
    local candidate
    for candidate in $(seq "$1" "$2"); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then echo "$candidate"; return 0; fi
    done
    return 1
}
if ! command -v redis-server >/dev/null; then
    echo "test.sh: redis-server is not installed (apt-get install redis-server)" >&2
    exit 1
fi
redis_dir=$(mktemp -d /tmp/board-test-redis.XXXXXX)
redis_port=$(free_port "${BOARD_TEST_REDIS_PORT:-63790}" 63899)
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize yes \
    --dir "$redis_dir" --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log"
stop_redis() {
    if [[ -f "$redis_dir/redis.pid" ]]; then kill "$(cat "$redis_dir/redis.pid")" 2>/dev/null || true; fi
    rm -rf "$redis_dir"
}
cleanups+=(stop_redis)
for _ in $(seq 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null; then break; fi
    sleep 0.1
done
export TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
echo "Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) on 127.0.0.1:$redis_port"

# -- run 1: SQLite -------------------------------------------------------------
echo
echo "==> Run 1 of 2: SQLite (all tests, including the browser tests)"
sqlite_rc=0
env -u TEST_DATABASE_URL -u DATABASE_URL "$PY" -m pytest -q -p no:cacheprovider "$@" || sqlite_rc=$?

# -- run 2: PostgreSQL ---------------------------------------------------------
echo
echo "==> Run 2 of 2: PostgreSQL (all tests but the browser tests)"
pg_bin=""
for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [[ -x "$dir/pg_ctl" ]]; then pg_bin=$dir; break; fi
done
pg_rc=0
if [[ -z "$pg_bin" ]]; then
    echo "test.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
    pg_rc=1
else
    pg_dir=$(mktemp -d /tmp/board-test-pg.XXXXXX)
    as_pg() {  # run a command as the cluster's owner (from a folder it may enter)
        if [[ $(id -u) -eq 0 ]]; then
            (cd "$pg_dir" && runuser -u postgres -- "$@")
        else
            "$@"
        fi
    }
    [[ $(id -u) -eq 0 ]] && chown postgres: "$pg_dir"
    stop_pg() {
        if [[ -f "$pg_dir/data/postmaster.pid" ]]; then
            as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
        fi
        rm -rf "$pg_dir"
    }
    cleanups+=(stop_pg)
    # 54329 unless taken (another run, another engineer): then the next free one.
    port=$(free_port "${BOARD_TEST_PG_PORT:-54329}" 54399)
    as_pg "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 \
        || { cat "$pg_dir/initdb.log" >&2; exit 1; }
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
        -o "-k $pg_dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
        || { cat "$pg_dir/server.log" >&2; exit 1; }
    echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $pg_dir)"
    TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres" \
        env -u DATABASE_URL "$PY" -m pytest -q -p no:cacheprovider -m "not browser" "$@" || pg_rc=$?
fi

# -- static checks: their result ----------------------------------------------
echo
echo "==> bandit and pip-audit (tools/static_checks.py)"
static_rc=0
wait "$static_pid" || static_rc=$?
cat "$static_log"
rm -f "$static_log"

# -- summary -------------------------------------------------------------------
verdict() {
    case "$1" in
        0) echo "passed" ;;
        5) echo "FAILED (no tests collected)" ;;
        *) echo "FAILED (pytest exit $1)" ;;
    esac
}
echo
static_verdict=passed
if [[ $static_rc -ne 0 ]]; then static_verdict="FAILED (exit $static_rc)"; fi
echo "==> SQLite: $(verdict "$sqlite_rc"); PostgreSQL: $(verdict "$pg_rc"); bandit and pip-audit: $static_verdict"
if [[ $sqlite_rc -ne 0 || $pg_rc -ne 0 || $static_rc -ne 0 ]]; then
    exit 1
fi
