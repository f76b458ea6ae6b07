"""The read side has one home (disclosure/public/): the faces read from it,
and it imports the services, never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path, package: str) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved)."""
    found: set[str] = set()
    parts = package.split(".")
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(parts[: len(parts) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _modules(folder: str) -> dict[Path, set[str]]:
    package = folder.replace("/", ".")
    return {path: _imports(path, package) for path in sorted((ROOT / folder).glob("*.py"))}


def test_the_kiosk_and_phone_pages_never_touch_the_models() -> None:
    for path, names in _modules("kiosk").items():
        assert not any(n == "disclosure.models" or n.startswith("disclosure.models.") for n in names), path


def test_services_never_import_the_read_side() -> None:
    """public/ imports services; a service importing public/ would close an import circle."""
    for path, names in _modules("disclosure/services").items():
        assert not any(n == "disclosure.public" or n.startswith("disclosure.public.") for n in names), path


def test_the_read_side_imports_no_face() -> None:
    for path, names in _modules("disclosure/public").items():
        assert not any(n.split(".")[0] in ("kiosk", "admin") or n.startswith("disclosure.printing")
                       for n in names), path


def test_printing_only_lays_out_and_renders() -> None:
    """What a paper says is built in disclosure/public/documents.py; printing.py
    loads no model, service or read-side module (its render processes stay small)."""
    import subprocess
    import sys

    code = ("import sys, disclosure.printing; print(sorted(m for m in sys.modules if m.startswith("
            "('disclosure.models', 'disclosure.services', 'disclosure.public'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out
