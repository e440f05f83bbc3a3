"""The nine flag rules of docs/rules.md#the-rules, one small pure function each, in a registry."""

from exclusion_monitor.rules import exclusion_rules, mobility_rules
from exclusion_monitor.rules.registry import (
    RULES,
    Finding,
    Param,
    Rule,
    RuleSettings,
    evaluate_child,
    rule_label,
    rule_settings,
)

__all__ = [
    "RULES",
    "Finding",
    "Param",
    "Rule",
    "RuleSettings",
    "evaluate_child",
    "exclusion_rules",
    "mobility_rules",
    "rule_label",
    "rule_settings",
]
