"""A Former UPN that joins two children already held (docs/rules.md, "Identity: UPNs, Former UPNs
and near matches"): explicit evidence, so the two are merged, audited and undone with the batch,
unless they disagree (date of birth, sex, or both on one roll in one census) or an officer kept
them apart; then the pair waits for an officer with the Former UPN's reason."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store import intake as store
from exclusion_monitor.store.merges import merge_children, merge_conflict
from imports.rows.common import Record, Warnings

Join = tuple[int, Record, int, int]  # row, record, the UPN's child, the Former UPN's child


def apply_joins(
    conn: sa.Connection, batch_id: int, joins: Sequence[Join], warnings: Warnings
) -> list[dict[str, Any]]:
    """Merge (or queue) each pair in row order, following merges made earlier in the file.
    Returns what was merged, for the audit trail."""
    into: dict[int, int] = {}

    def find(child: int) -> int:
        while child in into:
            child = into[child]
        return child

    merged: list[dict[str, Any]] = []
    for row, record, a, b in sorted(joins, key=lambda j: j[0]):
        upn, former = record["upn"], record["former_upn"]
        a, b = find(a), find(b)
        if a == b:
            continue
        pair = f"UPN {upn} and its Former UPN {former} are held as two children"
        decided = store.pair_decision(conn, a, b)
        if decided == "kept_apart":
            warnings.add(f"{pair} that an officer decided are different children: not merged", row)
            continue
        conflict = merge_conflict(conn, a, b, stated=(record["date_of_birth"], record["sex"]))
        if conflict is not None:
            reason = (
                f"Former UPN: row {row} gives UPN {upn} with Former UPN {former}, but "
                f"{conflict.text}"
            )
            store.queue_former_upn_review(conn, batch_id, a, b, reason)
            warnings.add(
                f"{pair}, but {conflict.text}: not merged; the pair waits for an officer in the "
                "identity reviews",
                row,
            )
            continue
        keep, gone = min(a, b), max(a, b)
        merge_children(
            conn,
            keep=keep,
            gone=gone,
            reason=f"row {row} gives UPN {upn} with Former UPN {former}",
            batch_id=batch_id,
            row_number=row,
        )
        into[gone] = keep
        warnings.add(
            f"{pair}: merged into one child on this Former UPN (undoing this import separates "
            "them again)",
            row,
        )
        merged.append(
            {"kept_child": keep, "merged_child": gone, "upn": upn, "former_upn": former, "row": row}
        )
    return merged
