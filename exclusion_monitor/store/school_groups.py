"""Schools that are one school for de-duplication: a predecessor and its successors, followed
along chains (A became B became C). Which link types count is `school_links.succession_edges`,
the one list the mobility rules use too (docs/rules.md, "Schools, conversions and successor
chains")."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from exclusion_monitor.school_links import StoredLink, succession_edges
from exclusion_monitor.store import schema as t


def group_of_edges(edges: Iterable[tuple[int, int]]) -> dict[int, int]:
    """School id -> the smallest school id joined to it by any chain of edges (schools in no
    edge are left out: each is its own group)."""
    parent: dict[int, int] = {}

    def find(school: int) -> int:
        root = school
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(school, school) != root:  # path halving keeps chains short
            parent[school], school = root, parent[school]
        return root

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
        parent.setdefault(a, a)
        parent.setdefault(b, b)
    return {school: find(school) for school in parent}


def school_groups(conn: sa.Connection) -> dict[int, int]:
    """School id -> its group's id (look up with `.get(school, school)`), from the stored links
    and the schools' close dates (for link types that are ordered by them)."""
    link = t.school_links.c
    links = [
        StoredLink(int(a), int(b), str(kind))
        for a, b, kind in conn.execute(
            sa.select(link.school_id, link.linked_school_id, link.link_type)
        )
    ]
    if not links:
        return {}
    closed = {
        int(school): day
        for school, day in conn.execute(sa.select(t.schools.c.id, t.schools.c.close_date))
    }
    return group_of_edges(succession_edges(links, closed))
