"""`case UPN`: a child's case (docs/rules.md#cases), with its notes and history; with --status,
--assign, --unassign or --note, change it (one change, audited; closing needs a --note)."""

from __future__ import annotations

import argparse
from typing import Any

from exclusion_monitor.display import review_status_word, uk_time
from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.store.cases import UNSET, case_status
from operations.cases import CaseFile, change_case, read_case
from operations.viewing import look_up_child
from ui.cli.common import current_account, open_db
from ui.cli.output import print_json

STATUSES = "new, under review, referred, no further action or closed"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "case", help="a child's case: status, officer, notes and history; change it"
    )
    parser.add_argument("upn", metavar="UPN", help="the child's UPN (current, former or temporary)")
    parser.add_argument("--status", help=f"set the case's status: {STATUSES}")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--assign", metavar="ACCOUNT", help="assign the case to this user")
    who.add_argument("--unassign", action="store_true", help="assign the case to nobody")
    parser.add_argument("--note", help="add a dated note (needed to close a case)")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.status is not None:
        case_status(args.status)  # a mistyped status is refused before anything is read
    if args.note is not None and not args.note.strip():
        raise InvalidInputError("--note is empty: write what was done, or leave it out.")
    officer: object = None if args.unassign else (args.assign if args.assign else UNSET)
    changing = args.status is not None or officer is not UNSET or args.note is not None
    account = current_account()
    with open_db(args) as db:
        profile = look_up_child(db, account, args.upn).value
        child_id, upn = profile.child.id, profile.child.upn
        said = ""
        if changing:
            change = change_case(
                db, account, child_id, status=args.status, officer=officer, note=args.note
            ).value
            said = (
                "Changed " + ", ".join(change.changed) + "."
                if change.changed
                else "Nothing to change: the case is already so."
            )
        found = read_case(db, account, child_id).value
    if args.format == "json":
        print_json({"upn": upn, **case_json(found), **({"said": said} if said else {})})
        return 0
    if said:
        print(said)
    print(case_text(upn, profile.child.forename, profile.child.surname, profile, found), end="")
    return 0


def case_json(found: CaseFile) -> dict[str, Any]:
    case = found.case
    return {
        "status": case.status,
        "officer": case.assigned_to,
        "opened_at": case.opened_at.isoformat() if case.opened_at else None,
        "last_action_at": case.last_action_at.isoformat() if case.last_action_at else None,
        "last_action_by": case.last_action_by,
        "notes": [
            {
                "written_at": n.written_at.isoformat(),
                "author": n.author,
                "text": n.text,
                "flag": n.flag_rule,
            }
            for n in found.notes
        ],
        "history": [
            {
                "at": e.at.isoformat(),
                "account": e.account,
                "what": e.what,
                "from": e.old_value,
                "to": e.new_value,
                "flag": e.flag_rule,
            }
            for e in found.history
        ],
    }


def case_text(upn: str, forename: str, surname: str, profile: Any, found: CaseFile) -> str:
    from exclusion_monitor.rules.registry import rule_label

    case = found.case
    lines = [f"{forename} {surname}  (UPN {upn})"]
    lines.append(
        f"Case: {review_status_word(case.status)}; officer: {case.assigned_to or 'nobody'}."
    )
    if case.last_action_at:
        lines.append(f"Last action {uk_time(case.last_action_at)} by {case.last_action_by}.")
    else:
        lines.append("Nobody has acted on this case yet.")
    flags = [f for f in profile.flags if f.cleared_on is None]
    lines.append("")
    lines.append("Flags" if flags else "Flags: none holding")
    for f in flags:
        seen = f" (reviewed by {f.reviewed_by})" if f.reviewed_by else ""
        lines.append(f"  {rule_label(f.rule)}{seen}: {f.reason}")
    lines.append("")
    lines.append("Notes" if found.notes else "Notes: none")
    for n in found.notes:
        on = f" [{rule_label(n.flag_rule)}]" if n.flag_rule else ""
        lines.append(f"  {uk_time(n.written_at)}  {n.author}{on}: {n.text}")
    lines.append("")
    lines.append("History" if found.history else "History: none")
    for e in found.history:
        if e.what == "status":
            what = (
                f"status {review_status_word(e.old_value or 'new')} -> "
                f"{review_status_word(e.new_value or 'new')}"
            )
        elif e.what == "officer":
            what = f"assigned to {e.new_value or 'nobody'}"
        elif e.what == "reviewed":
            what = f"reviewed the {rule_label(e.flag_rule or '')} flag"
        else:
            what = "wrote a note"
        lines.append(f"  {uk_time(e.at)}  {e.account}: {what}")
    return "\n".join(lines) + "\n"
