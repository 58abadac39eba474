"""Every citation of docs/ in the code names a section that exists (docs/README.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SEARCHED = ("app", "tests", "bench", "migrations")
# `docs/domain.md, "Month close"` or `docs/domain.md, "Stalled and not started", "Overdue"`.
CITATION = re.compile(r'docs/(\w+\.md),\s*((?:"[^"]+"(?:\s*,\s*|\s+and\s+)?)+)')
QUOTED = re.compile(r'"([^"]+)"')
LINE_BREAK = re.compile(r"\s*\n\s*(?:#\s*)?")  # a citation may wrap, inside a comment too
SELF = Path(__file__).resolve()


def headings(name: str) -> set[str]:
    """The section titles of one docs/ file."""
    lines = (DOCS / name).read_text(encoding="utf-8").splitlines()
    return {line.lstrip("#").strip() for line in lines if line.startswith("#")}


def citations() -> list[tuple[str, str, str]]:
    """(where, file, section) for every citation of a docs/ section in the code."""
    found = []
    for folder in SEARCHED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == SELF:
                continue
            text = LINE_BREAK.sub(" ", path.read_text(encoding="utf-8"))
            for match in CITATION.finditer(text):
                where = str(path.relative_to(ROOT))
                found += [(where, match[1], s) for s in QUOTED.findall(match[2])]
    return found


def test_the_code_cites_the_docs():
    cited = citations()
    assert len(cited) >= 20
    assert ("app/reports/closing.py", "domain.md", "Month close") in cited


@pytest.mark.parametrize(("where", "name", "section"), citations())
def test_every_cited_section_exists(where, name, section):
    assert (DOCS / name).exists(), f"{where} cites docs/{name}, which does not exist"
    assert section in headings(name), f'{where} cites docs/{name}, "{section}": no such section'


def test_nothing_cites_the_specification_outside_the_repository():
    stale = [
        str(path.relative_to(ROOT))
        for folder in SEARCHED
        for path in (ROOT / folder).rglob("*.py")
        if path != SELF
        and re.search(r"\b(?:DOMAIN|PITFALLS)(?:\.md)?\b", path.read_text(encoding="utf-8"))
    ]
    assert stale == []
