"""The README and docs name files a newcomer can open: each project path they give exists."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOP = "app|flows|webhooks|storage|media|richmenu|linesim|bench|tests|scripts|docs"
PATH = re.compile(rf"`((?:{TOP})/[A-Za-z0-9_/.-]+\.(?:py|md|html|txt|toml|po|json|yaml))`")


def named_paths() -> dict[str, list[str]]:
    """Each project path quoted in the README or docs, with the documents that name it."""
    found: dict[str, list[str]] = {}
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for path in PATH.findall(doc.read_text(encoding="utf-8")):
            found.setdefault(path, []).append(doc.name)
    return found


def test_the_docs_name_many_files() -> None:
    # The pattern must keep matching what the documents quote, or the next test proves nothing.
    assert len(named_paths()) > 30


def test_every_file_the_readme_and_docs_name_exists() -> None:
    missing = {path: docs for path, docs in named_paths().items() if not (REPO / path).exists()}
    assert missing == {}
