#!/usr/bin/env bash
# README command #1: install everything the board needs on Debian 12, create
# the database with the demo township, and serve the board with gunicorn on
# http://127.0.0.1:8000 (in the foreground; Ctrl-C stops it).
#
#   bash scripts/setup.sh              install, migrate, load demo, serve
#   bash scripts/setup.sh --no-serve   the same, without serving
#   bash scripts/setup.sh --deps-only  Debian packages and .venv only (scripts/test.sh uses this)
#   bash scripts/setup.sh --no-demo    do not load the demo township (a real deployment)
#
# Run as root on a fresh machine (it installs Debian packages). A second run
# skips every step that is already done. Environment: BOARD_HOST (127.0.0.1),
# BOARD_PORT (8000), BOARD_WORKERS (2), BOARD_THREADS (4), BOARD_INSTANCE
# (instance/), and the app's own DATABASE_URL, SECRET_KEY, FINGERPRINT_KEYS, PUBLIC_BASE_URL
# (README.md; the board generates instance/secret_key and instance/fingerprint_keys
# on first start). Sized for a 1 GB box: 2 web workers, one renderer process for
# PDFs (README, "Memory on a small box") and the job worker.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

serve=1 demo=1 deps_only=0
for arg in "$@"; do
    case "$arg" in
        --no-serve) serve=0 ;;
        --no-demo) demo=0 ;;
        --deps-only) deps_only=1 serve=0 demo=0 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "setup.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    esac
done

HOST=${BOARD_HOST:-127.0.0.1}
PORT=${BOARD_PORT:-8000}
WORKERS=${BOARD_WORKERS:-2}
THREADS=${BOARD_THREADS:-4}
INSTANCE=${BOARD_INSTANCE:-$ROOT/instance}
VENV="$ROOT/.venv"
# gunicorn for a small box: the app loaded once before forking (--preload), and
# each worker replaced after about 1000 requests (jittered, so not both at once).
GUNICORN_ARGS=(--workers "$WORKERS" --threads "$THREADS" --preload --max-requests 1000 --max-requests-jitter 100)
# Debian's own interpreter, by absolute path: never a pyenv/conda shim on PATH.
PYTHON=/usr/bin/python3

say() { printf '\n==> %s\n' "$*"; }

# 1. Debian packages -----------------------------------------------------------
# python3-venv: the virtualenv; Pango/HarfBuzz (and hb-subset, without which font
# subsetting falls back to fontTools, ~40x slower): WeasyPrint; Noto CJK and WenQuanYi:
# Chinese glyphs in PDFs and on the kiosk; poppler-utils: the kiosk's 打印版 page
# images (pdftoppm) and the PDF tests; zbar-tools: the QR tests; chromium: browser tests and the kiosk screen itself;
# postgresql: the test suite's second database (scripts/test.sh starts its own server);
# libatomic1: the Node.js runtime inside the playwright package (browser tests);
# redis-server: shared rate-limit counters and page cache when REDIS_URL is set (a county's
# several workers or hosts), and the test suite's Redis (scripts/test.sh starts its own).
PACKAGES=(
    python3 python3-venv
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0
    fonts-noto-cjk fonts-wqy-microhei fontconfig
    poppler-utils zbar-tools chromium libatomic1
    postgresql redis-server
    git ca-certificates
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "setup.sh: missing Debian packages: ${missing[*]}" >&2
        echo "run this script as root (or: apt-get install ${missing[*]})" >&2
        exit 1
    fi
    say "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
else
    say "Debian packages already installed"
fi

# 2. Python virtualenv with the pinned packages --------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
    say "Creating $VENV with $PYTHON ($($PYTHON --version))"
    "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
wanted=$(cat requirements.txt requirements-test.txt | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || $(cat "$stamp") != "$wanted" ]]; then
    say "Installing pinned Python packages (requirements-test.txt)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-test.txt
    echo "$wanted" > "$stamp"
else
    say "Python packages already installed"
fi

if ((deps_only)); then
    exit 0
fi

# 3. Database: create or upgrade, then the demo township (idempotent) ----------
export PATH="$VENV/bin:$PATH"
say "Creating or upgrading the database"
flask --app wsgi db upgrade
flask --app wsgi library render-pages  # page pictures of library PDFs entered before they existed
if ((demo)); then
    say "Loading the demo township (does nothing if it is there)"
    flask --app wsgi demo load
fi

if ((!serve)); then
    echo
    echo "Set up. Serve with: .venv/bin/gunicorn ${GUNICORN_ARGS[*]} --bind $HOST:$PORT wsgi:app"
    echo "and run the job worker (batch printing) beside it: .venv/bin/flask --app wsgi jobs worker"
    exit 0
fi

# 4. Serve ---------------------------------------------------------------------
if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
    echo "setup.sh: something already answers on $HOST:$PORT; stop it or set BOARD_PORT" >&2
    exit 1
fi
cat <<EOF

====================================================================
 村务公开 board: http://$HOST:$PORT/
   Kiosk (village screen):   http://$HOST:$PORT/kiosk/
   Staff side (admin):       http://$HOST:$PORT/admin/
   Health check:             http://$HOST:$PORT/healthz
 Demo logins are listed above (demo only). Ctrl-C stops the board.
====================================================================

EOF
# PDFs are made by a renderer process the web workers start when one is needed
# (disclosure/render.py); one started now makes whatever was queued before a restart.
python -m disclosure.render "$INSTANCE/jobs/pdf-cache" &
# The job worker does the queued long work (the township's batch print) beside
# gunicorn; it stops with the board (README, "How a county deploys it", runs it
# under systemd instead).
flask --app wsgi jobs worker &
worker_pid=$!
trap 'kill "$worker_pid" 2>/dev/null || true; wait "$worker_pid" 2>/dev/null || true' EXIT
gunicorn "${GUNICORN_ARGS[@]}" --bind "$HOST:$PORT" \
    --access-logfile - --forwarded-allow-ips 127.0.0.1 wsgi:app
