"""Static analysis and dependency audit, run by scripts/test.sh.

    .venv/bin/python tools/static_checks.py [bandit] [deps]

bandit: over the board's code (disclosure, kiosk, admin, wsgi.py). Every
finding must be in the reviewed baseline tools/bandit-baseline.toml, with the
reason it was accepted; a finding not in it fails. A baseline entry is matched
by file, test id and the flagged line's text (not its number, so edits above
it do not matter); an entry nothing matches any more is reported so it can be
removed.

deps: pip-audit over requirements.txt (every package pinned, so no resolver:
--no-deps --disable-pip). A known vulnerability in a pinned version fails, and
names the fixed versions. Without the vulnerability service (no network) the
check is skipped with a clear line. A pin pip-audit finds no per-release data
for (a mirror may serve none) is checked against the project's own PyPI page,
which lists the vulnerabilities of its latest release, when the pin is that
release; any other pin is named as not audited.

Both come from .venv (requirements-test.txt pins them).
"""

from __future__ import annotations

import concurrent.futures
import json
import re
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGETS = ["disclosure", "kiosk", "admin", "wsgi.py"]
BASELINE = ROOT / "tools" / "bandit-baseline.toml"
AUDIT_SERVICE = "https://pypi.org/pypi/pip/json"


def bandit() -> bool:
    run = subprocess.run([str(BIN / "bandit"), "-q", "-r", *TARGETS, "-f", "json"], cwd=ROOT, capture_output=True,
                         text=True, check=False)
    try:
        report = json.loads(run.stdout)
    except ValueError:
        print(f"bandit: could not run (exit {run.returncode}): {run.stderr.strip()[-500:]}")
        return False
    accepted = tomllib.loads(BASELINE.read_text(encoding="utf-8")).get("accepted", [])
    unexplained = [a for a in accepted if not str(a.get("reason", "")).strip()]
    used: set[int] = set()
    new: list[str] = []
    for result in report["results"]:
        path = result["filename"].removeprefix("./")
        line = (ROOT / path).read_text(encoding="utf-8").splitlines()[result["line_number"] - 1].strip()
        for index, entry in enumerate(accepted):
            if (entry.get("file"), entry.get("test"), entry.get("code", "").strip()) == (path, result["test_id"], line):
                used.add(index)
                break
        else:
            new.append(f"  {path}:{result['line_number']}: {result['test_id']} "
                       f"({result['issue_severity'].lower()}) {result['issue_text']}\n      {line}")
    stale = [f"  {a.get('file')}: {a.get('test')} {a.get('code')}" for i, a in enumerate(accepted) if i not in used]
    lines = report["metrics"]["_totals"]["loc"]
    print(f"bandit: {len(report['results'])} findings in {lines} lines of {', '.join(TARGETS)}; "
          f"{len(used)} accepted in tools/{BASELINE.name}, {len(new)} new")
    if new:
        print("bandit: new findings (fix them, or add them to the baseline with the reason they are safe):")
        print("\n".join(new))
    if unexplained:
        print(f"bandit: {len(unexplained)} baseline entries without a reason")
    if stale:
        print("bandit: baseline entries that match nothing here (remove them once their code is gone):")
        print("\n".join(stale))
    return not new and not unexplained


def service_reachable() -> bool:
    try:
        with urllib.request.urlopen(AUDIT_SERVICE, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def pins() -> dict[str, str]:
    """requirements.txt as {normalised name: version}."""
    found = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==([^\s#;]+)", line.strip())
        if match:
            found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return found


def latest_release_vulns(name: str, version: str) -> list[dict] | None:
    """PyPI's project page lists the known vulnerabilities of the project's latest
    release: an answer for a pin that is that release, None for any other."""
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=10) as response:
            data = json.load(response)
    except (OSError, ValueError):
        return None
    if data.get("info", {}).get("version") != version:
        return None
    return [v for v in data.get("vulnerabilities") or [] if not v.get("withdrawn")]


def deps() -> bool:
    if not service_reachable():
        print("pip-audit: SKIPPED, the vulnerability service (PyPI) is not reachable from here; "
              "requirements.txt was not audited")
        return True
    run = subprocess.run([str(BIN / "pip-audit"), "-r", "requirements.txt", "--no-deps", "--disable-pip",
                          "--progress-spinner", "off", "-f", "json", "--timeout", "20"],
                         cwd=ROOT, capture_output=True, text=True, check=False)
    try:
        report = json.loads(run.stdout)
    except ValueError:
        print(f"pip-audit: could not run (exit {run.returncode}): {run.stderr.strip()[-500:]}")
        return False
    pinned = pins()
    vulnerable = {d["name"]: (d["version"], d["vulns"]) for d in report["dependencies"] if d.get("vulns")}
    audited = [d["name"] for d in report["dependencies"] if "skip_reason" not in d]
    skipped = [d["name"] for d in report["dependencies"] if "skip_reason" in d]
    # Pins pip-audit had no per-release data for (a mirror may serve none): the
    # project's own page still answers for a pin that is its latest release.
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = pool.map(lambda name: latest_release_vulns(name, pinned.get(name, "")), skipped)
        latest = dict(zip(skipped, answers, strict=True))
    by_latest = [name for name, vulns in latest.items() if vulns is not None]
    unaudited = [name for name, vulns in latest.items() if vulns is None]
    vulnerable |= {name: (pinned[name], [{"id": v.get("id"), "fix_versions": v.get("fixed_in", [])} for v in vulns])
                   for name, vulns in latest.items() if vulns}
    if not audited and not by_latest:
        print(f"pip-audit: SKIPPED, the vulnerability service had no data for any of the {len(skipped)} pins; "
              "requirements.txt was not audited")
        return True
    print(f"pip-audit: {len(audited) + len(by_latest)} of {len(pinned)} pins audited"
          + (f" ({len(by_latest)} through the project's latest-release data)" if by_latest else "")
          + f", {len(vulnerable)} with a known vulnerability"
          + (f"; not audited (no data for the pinned release): {', '.join(unaudited)}" if unaudited else ""))
    for name, (version, vulns) in sorted(vulnerable.items()):
        for vuln in vulns:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            print(f"  {name}=={version}: {vuln['id']} (fixed in {fixed}): upgrade the pin in requirements.txt")
    return not vulnerable


def main(argv: list[str]) -> int:
    checks = {"bandit": bandit, "deps": deps}
    wanted = argv or list(checks)
    unknown = [name for name in wanted if name not in checks]
    if unknown:
        raise SystemExit(f"unknown check {unknown}; choose from {list(checks)}")
    results = [checks[name]() for name in wanted]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
