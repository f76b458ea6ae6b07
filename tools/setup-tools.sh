#!/usr/bin/env bash
# A separate virtualenv for the load test and the scanners (tools/).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv-tools/bin/python ] || /usr/bin/python3 -m venv .venv-tools
.venv-tools/bin/pip install -q -r requirements.txt -r requirements-tools.txt
echo "tools ready: .venv-tools/bin/python tools/load.py | tools/scan.py"
