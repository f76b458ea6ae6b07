#!/usr/bin/env bash
# Virtualenvs for the load test and the scanners (tools/):
#   .venv-tools  the app's requirements + locust, sqlmap (bandit and pip-audit: .venv, requirements-test.txt)
#   .venv-wapiti wapiti3 alone (it pins SQLAlchemy, MarkupSafe, ... to versions the app cannot use)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv-tools/bin/python ] || /usr/bin/python3 -m venv .venv-tools
.venv-tools/bin/pip install -q -r requirements.txt -r requirements-tools.txt
[ -x .venv-wapiti/bin/python ] || /usr/bin/python3 -m venv .venv-wapiti
.venv-wapiti/bin/pip install -q -r tools/requirements-wapiti.txt
.venv-tools/bin/pip check
.venv-wapiti/bin/pip check
echo "tools ready: .venv-tools/bin/python tools/load.py | tools/scan.py"
