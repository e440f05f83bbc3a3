"""The flag rule registry: each rule's id, label, version and parameters (with their defaults,
read from settings "rules.<rule_id>.<param>"), and the function that evaluates it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from exclusion_monitor.history import Authority, ChildHistory
from exclusion_monitor.records import Flag

SETTINGS_PREFIX = "rules."


@dataclass(frozen=True, slots=True)
class Param:
    """One threshold of a rule, for the settings page: name, label, default and lowest value."""

    name: str
    label: str
    default: int
    minimum: int = 0


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule found: a plain-English reason and the evidence it cites."""

    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)


Evaluate = Callable[[ChildHistory, Authority, Mapping[str, int]], Finding | None]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    label: str
    version: int
    description: str
    params: tuple[Param, ...]
    evaluate: Evaluate

    def defaults(self) -> dict[str, int]:
        return {p.name: p.default for p in self.params}


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str, label: str, description: str, *params: Param, version: int = 1
) -> Callable[[Evaluate], Evaluate]:
    """Register the decorated function as the rule `rule_id`."""

    def register(function: Evaluate) -> Evaluate:
        RULES[rule_id] = Rule(rule_id, label, version, description, tuple(params), function)
        return function

    return register


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """The parameters in force for each enabled rule."""

    params: Mapping[str, Mapping[str, int]]

    @property
    def enabled(self) -> list[str]:
        return list(self.params)


def rule_settings(stored: Mapping[str, Any]) -> RuleSettings:
    """Each rule's parameters: the stored value ("<rule_id>.<param>") else the default. A rule
    whose "<rule_id>.enabled" is false is left out."""
    params: dict[str, dict[str, int]] = {}
    for rule_id, found in RULES.items():
        if stored.get(f"{rule_id}.enabled", True) is False:
            continue
        values = found.defaults()
        for name in values:
            value = stored.get(f"{rule_id}.{name}")
            if isinstance(value, int | float) and not isinstance(value, bool):
                values[name] = int(value)
        params[rule_id] = values
    return RuleSettings(params)


def evaluate_child(
    history: ChildHistory, authority: Authority, settings: RuleSettings
) -> list[Flag]:
    """Every flag that holds for one child as of the history's date, in registry order."""
    flags = []
    for rule_id, params in settings.params.items():
        found = RULES[rule_id]
        finding = found.evaluate(history, authority, params)
        if finding is not None:
            flags.append(
                Flag(
                    history.child_id,
                    rule_id,
                    found.version,
                    history.as_of,
                    finding.reason,
                    finding.evidence,
                )
            )
    return flags


def rule_label(rule_id: str) -> str:
    found = RULES.get(rule_id)
    return found.label if found else rule_id


def rule_ids() -> Iterable[str]:
    return RULES.keys()


def iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
