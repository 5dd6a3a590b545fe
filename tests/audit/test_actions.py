"""The audit page's list of actions names every action the code records."""

from __future__ import annotations

import ast
from pathlib import Path

import tracker
from tracker.audit.forms import ACTIONS

#: the functions that write an entry, and the position of their `action` argument
WRITERS = {"record": 3, "record_attempt": 3, "apply": None}


def _strings(node: ast.AST) -> set[str]:
    """The literal text of an argument (both branches of `"a" if x else "b"`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def recorded_actions() -> dict[str, set[str]]:
    """Each literal action passed to a writer in the package, with the files passing it."""
    found: dict[str, set[str]] = {}
    root = Path(tracker.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name not in WRITERS:
                continue
            position = WRITERS[name]
            actions = set()
            if position is not None and len(node.args) > position:
                actions |= _strings(node.args[position])
            for keyword in node.keywords:
                if keyword.arg == "action":
                    actions |= _strings(keyword.value)
            for action in actions:
                found.setdefault(action, set()).add(str(path.relative_to(root)))
    return found


def test_the_scan_finds_the_actions_recorded_today():
    assert {"create", "postpone", "outcome", "activate", "deactivate"} <= set(recorded_actions())


def test_every_action_recorded_is_offered_by_the_filter():
    missing = {a: sorted(files) for a, files in recorded_actions().items() if a not in ACTIONS}

    assert missing == {}


def test_the_actions_of_accounts_are_offered_before_anyone_records_them():
    accounts = {
        "sign_in",
        "sign_in_failed",
        "second_factor_failed",
        "sign_out",
        "sessions_ended",
        "factor_enrolled",
        "factor_removed",
        "recovery_code_used",
        "recovery_codes_generated",
        "revoke",
    }

    assert accounts <= set(ACTIONS)
