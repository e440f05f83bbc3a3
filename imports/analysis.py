"""Looking at an opened file: which sheet, header row and kind, and which column is which field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from exclusion_monitor.store.database import Database
from imports.errors import FileRefusedError
from imports.headers import (
    HEADER_SCAN_ROWS,
    HeaderGuess,
    detect_kind,
    find_header,
    header_key,
    header_signature,
    kind_score,
    nearest_headers,
    read_headers,
)
from imports.kinds import SPECS, Kind, field_label, missing_required
from imports.reading import Book

KIND_NAMES = ", ".join(k.value.replace("_", " ") for k in Kind)


@dataclass(slots=True)
class Analysis:
    """What the intake understood of a file before reading its data rows."""

    sheet: str
    header_index: int  # 0-based row index of the header in the sheet
    headers: list[str]
    kind: Kind
    columns: dict[str, int]  # field -> column index
    signature: str
    profile_name: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Column index -> field: headers that may name a field no column has, to be confirmed.
    proposed: dict[int, str] = field(default_factory=dict)

    def mapping(self) -> dict[str, str]:
        """Column header -> field, for the columns the intake will read."""
        return {
            self.headers[i]: name for name, i in sorted(self.columns.items(), key=lambda p: p[1])
        }

    def unmapped(self) -> list[str]:
        used = set(self.columns.values())
        return [h for i, h in enumerate(self.headers) if h and i not in used]

    def proposals(self) -> dict[str, str]:
        """Column header -> field, for the doubtful matches still unused (a person chose the
        column's use, or another column has the field, and the proposal goes)."""
        used = set(self.columns.values())
        have = set(self.columns)
        return {
            self.headers[i]: name
            for i, name in self.proposed.items()
            if i not in used and name not in have
        }


def _choose_sheet(book: Book, kind: Kind | None) -> tuple[str, HeaderGuess] | None:
    best: tuple[float, str, HeaderGuess] | None = None
    for name in book.sheet_names:
        guess = find_header(book.head(name, HEADER_SCAN_ROWS))
        if guess is None:
            continue
        if kind is not None:
            score = kind_score(guess.headers, kind)
        else:
            detected = detect_kind(guess.headers)
            score = kind_score(guess.headers, detected) if detected else guess.score / 10
        if best is None or score > best[0]:
            best = (score, name, guess)
    return None if best is None else (best[1], best[2])


def apply_mapping(
    headers: list[str], automatic: dict[int, str], override: dict[str, str] | None, kind: Kind
) -> dict[str, int]:
    """field -> column index: the override (header -> field, "" to ignore) over the automatic."""
    by_index = dict(automatic)
    if override:
        allowed = SPECS[kind].weights
        index_of: dict[str, int] = {}
        for i, h in enumerate(headers):
            index_of.setdefault(h, i)
            index_of.setdefault(header_key(h), i)
        for header, target in override.items():
            i = index_of.get(header, index_of.get(header_key(header), -1))
            if i < 0:
                continue
            if target and target not in allowed:
                raise FileRefusedError(
                    f"the mapping names '{target}', which is not a field of a {kind.value} file."
                )
            for other, name in list(by_index.items()):
                if target and name == target and other != i:
                    del by_index[other]
            if target:
                by_index[i] = target
            else:
                by_index.pop(i, None)
    return {name: i for i, name in sorted(by_index.items())}


def analyse(
    book: Book,
    *,
    kind: Kind | None,
    mapping: dict[str, str] | None,
    db: Database | None,
    census_date: dt.date | None,
    strict: bool,
) -> Analysis:
    """Pick the sheet and header, detect the kind, map the columns; with `strict`, refuse a file
    that lacks a required column (an import), else report it (a preview)."""
    name = book.path.name
    if book.file_format == "ctf":
        # A Common Transfer File is read as the schools each pupil attended.
        if kind not in (None, Kind.ENROLMENTS):
            raise FileRefusedError(
                f"{name}: a Common Transfer File is read as enrolments (each pupil's schools), "
                f"not as a {kind.value.replace('_', ' ')} file."
            )
        kind = Kind.ENROLMENTS
    chosen = _choose_sheet(book, kind)
    if chosen is None:
        raise FileRefusedError(
            f"{name}: no recognisable header: none of the first {HEADER_SCAN_ROWS} rows names "
            "the columns of a census, exclusions, enrolments, schools or school links file "
            "(for example UPN, Surname, Date of birth)."
        )
    sheet, guess = chosen
    headers = guess.headers
    signature = header_signature(headers)
    profile_name = None
    if db is not None:
        # A mapping saved for files of this shape (in the app) is used on the command line too;
        # what the person said for this import (--map, or the app's edited mapping) goes over it.
        from exclusion_monitor.store.mapping_profiles import mapping_profile_for

        profile = mapping_profile_for(db, signature)
        if profile is not None and (kind is None or profile.kind == kind.value):
            mapping, profile_name = {**profile.mapping, **(mapping or {})}, profile.name
            kind = Kind(profile.kind)
    if kind is None:
        kind = detect_kind(headers) if not mapping else _detect_with(headers, mapping)
        if kind is None:
            likeliest = max(Kind, key=lambda k: kind_score(headers, k))
            raise FileRefusedError(
                f"{name}: the header row (row {guess.row_index + 1} of sheet '{sheet}') does not "
                f"look like any kind of file the intake knows ({KIND_NAMES}); choose the kind "
                f"(it is most like a {likeliest.value.replace('_', ' ')} file: on the command "
                f"line, --kind {likeliest.value})."
            )
    read = read_headers(headers, kind)
    try:
        columns = apply_mapping(headers, read.mapped, mapping, kind)
    except FileRefusedError as exc:
        raise FileRefusedError(f"{name}: {exc}") from None
    chosen_by_person = {header_key(h) for h in mapping or {}}
    proposed = {
        i: f for i, f in read.proposed.items() if header_key(headers[i]) not in chosen_by_person
    }
    analysis = Analysis(
        sheet, guess.row_index, headers, kind, columns, signature, profile_name, [], proposed
    )
    if strict:
        missing = missing_required(kind, set(columns))
        if (
            kind is Kind.CENSUS
            and census_date is None
            and not {"census_date", "term"} & set(columns)
        ):
            missing.append(
                f"{field_label('census_date')} (or give the census date"
                f"{_census_date_hint(book, sheet, guess.row_index)})"
            )
        if missing:
            raise FileRefusedError(
                f"{name}: the {kind.value.replace('_', ' ')} file has no column for "
                f"{_join(missing)} (header row {guess.row_index + 1} of sheet '{sheet}')."
                f"{_closest(analysis, kind)}"
            )
    return analysis


def _census_date_hint(book: Book, sheet: str, header_index: int) -> str:
    """How to give a census file its date on the command line, with the date its title rows
    write out or the term its name, sheet or title rows name, when they do."""
    from imports.rows.terms import suggested_census_date

    titles = [str(c) for row in book.head(sheet, header_index) for c in row if isinstance(c, str)]
    found = suggested_census_date([book.path.stem, sheet, *titles], None)
    if found is None:
        return ": --census-date YYYY-MM-DD"
    return f": the file's own title suggests --census-date {found.isoformat()}"


def _detect_with(headers: list[str], mapping: dict[str, str]) -> Kind | None:
    """The kind the headers name best once the person's mapping (--map) is counted too."""
    scored: list[tuple[float, Kind]] = []
    for kind in Kind:
        weights = SPECS[kind].weights
        own = {h: f for h, f in mapping.items() if not f or f in weights}
        mapped = set(apply_mapping(headers, read_headers(headers, kind).mapped, own, kind))
        score = sum(weights[f] for f in mapped)
        scored.append((score + (5 if not missing_required(kind, mapped) else 0), kind))
    score, kind = max(scored, key=lambda pair: pair[0])
    return kind if score >= 6 else None


def _closest(analysis: Analysis, kind: Kind) -> str:
    """The file's headers that came closest to each missing required field (for a group of
    alternatives, to the likeliest of them), and the exact --map to try: a way forward."""
    mapped = set(analysis.columns)
    spec = SPECS[kind]
    wanted: list[tuple[str, ...]] = [
        (f,) for f in spec.required if f not in mapped and f in spec.weights
    ]
    wanted += [group for group in spec.required_any if not mapped & set(group)]
    free = [h for h in analysis.unmapped() if h]
    proposals = analysis.proposals()
    suggestions: list[tuple[str, str]] = []
    for group in wanted:
        found = [(1.0, h, f) for h, f in proposals.items() if f in group]
        found += [(score, h, f) for f in group for score, h in nearest_headers(free, f)]
        taken = {h for h, _ in suggestions}
        found = [c for c in found if c[1] not in taken]
        if found:
            _, header, field_name = max(found, key=lambda c: c[0])
            suggestions.append((header, field_name))
    if not suggestions:
        if not free:
            return ""
        shown = ", ".join(f"'{h}'" for h in free[:8])
        return f' Its unused headers: {shown}; map one with --map "HEADER=field".'
    nearest = ", ".join(f"'{h}'" for h, _ in suggestions)
    tries = " ".join(f'--map "{h}={f}"' for h, f in suggestions)
    return f" The closest: {nearest}. If that is what it holds, import with {tries}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
