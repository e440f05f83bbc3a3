"""Every `docs/...` file and section the code, tests and documents cite exists, every link between
the documents and every picture they show is there, and nothing cites notes from outside the
repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("exclusion_monitor", "imports", "ui", "tests", "benchmarks", "build", "tools")
TOP_FILES = ("README.md", "tasks.py", "pyproject.toml")

# "docs/rules.md#the-rules" or "docs/regional.md", as code and tests cite them.
CITATION = re.compile(r"docs/([A-Za-z0-9_./-]+\.md)(?:#([A-Za-z0-9_-]+))?")
# Markdown links and images inside the documents: [text](target) or ![alt](target).
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
# The briefing notes the project began from live outside the repository; docs/domain.md is the
# project's own statement and may be cited (as "docs/domain.md", or "domain.md" inside docs/).
OUTSIDE_NOTES = re.compile(r"(?<!docs/)\b(?:domain|design|house-style)\.md\b")
OUTSIDE_NOTES_IN_DOCS = re.compile(r"\b(?:design|house-style)\.md\b")


def _repository_files() -> list[Path]:
    files = [ROOT / name for name in TOP_FILES if (ROOT / name).exists()]
    for folder in SOURCES:
        base = ROOT / folder
        if base.is_dir():
            files += [
                p
                for p in base.rglob("*")
                if p.suffix in {".py", ".md", ".ps1", ".spec", ".toml", ".txt", ".csv"}
                and "__pycache__" not in p.parts
            ]
    files += sorted((ROOT / "docs").rglob("*.md"))
    return files


def slug(heading: str) -> str:
    """The anchor a Markdown renderer gives a heading (GitHub's rule: lower case, punctuation
    dropped, spaces to hyphens)."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(document: Path) -> set[str]:
    found: set[str] = set()
    counts: dict[str, int] = {}
    in_code = False
    for line in document.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if in_code:
            continue
        match = re.match(r"#{1,6}\s+(.*)", line)
        if match:
            base = slug(match.group(1))
            n = counts.get(base, 0)
            counts[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
    return found


def _broken_citations() -> list[str]:
    broken = []
    own = Path(__file__).resolve()
    for path in _repository_files():
        if path.resolve() == own:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in CITATION.finditer(text):
            name, anchor = match.groups()
            target = ROOT / "docs" / name
            where = f"{path.relative_to(ROOT)}: {match.group(0)}"
            if not target.is_file():
                broken.append(f"{where} (no such file)")
            elif anchor and anchor not in anchors(target):
                broken.append(f"{where} (no such section)")
    return broken


def test_every_cited_docs_file_and_section_exists() -> None:
    assert _broken_citations() == []


def test_links_and_pictures_in_the_documents_resolve() -> None:
    broken = []
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for document in documents:
        for match in LINK.finditer(document.read_text(encoding="utf-8")):
            target = match.group(1)
            if re.match(r"[a-z]+:", target):  # a web address
                continue
            file_part, _, anchor = target.partition("#")
            resolved = (document.parent / file_part).resolve() if file_part else document
            where = f"{document.relative_to(ROOT)}: {target}"
            if not resolved.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                broken.append(f"{where} (no such section)")
    assert broken == []


def test_nothing_cites_notes_kept_outside_the_repository() -> None:
    own = Path(__file__).resolve()
    docs = ROOT / "docs"
    found = []
    for path in _repository_files():
        if path.resolve() == own:
            continue
        pattern = OUTSIDE_NOTES_IN_DOCS if path.is_relative_to(docs) else OUTSIDE_NOTES
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [
            f"{path.relative_to(ROOT)}:{n}"
            for n, line in enumerate(text.splitlines(), 1)
            if pattern.search(line) or "../shared" in line
        ]
    assert found == []


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Exclusions: categories, sessions, terms and review outcomes",
         "exclusions-categories-sessions-terms-and-review-outcomes"),
        ("permanent_exclusion", "permanent_exclusion"),
        ("The team database on PostgreSQL", "the-team-database-on-postgresql"),
    ],
)  # fmt: skip
def test_slugs_follow_the_renderers_rule(heading: str, expected: str) -> None:
    assert slug(heading) == expected


def test_a_missing_section_is_found(tmp_path: Path) -> None:
    document = tmp_path / "doc.md"
    document.write_text("# Title\n\n## A section\n\n```\n# not a heading\n```\n", encoding="utf-8")
    assert anchors(document) == {"title", "a-section"}
