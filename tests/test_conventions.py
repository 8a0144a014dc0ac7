"""Conventions that a reviewer would otherwise have to remember (CONVENTIONS.md §3, §4)."""

import ast
from pathlib import Path

import mercato

SOURCE = Path(mercato.__file__).parent
STATUS_WRITERS = {"services.py", "states.py"}


def python_modules():
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(), filename=str(path))


def test_nothing_outside_services_assigns_a_status():
    offenders = []
    for path, tree in python_modules():
        if path.name in STATUS_WRITERS or path.parent.name == "services":
            continue
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            offenders += [
                f"{path.relative_to(SOURCE)}:{node.lineno}"
                for target in targets
                if isinstance(target, ast.Attribute) and target.attr == "status"
            ]
            is_update = isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "update"
            if is_update and any(keyword.arg == "status" for keyword in node.keywords):
                offenders.append(f"{path.relative_to(SOURCE)}:{node.lineno} (update)")
    assert offenders == []


def test_no_signals_and_no_on_commit_lambdas():
    offenders = []
    for path, tree in python_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.db.models.signals":
                offenders.append(f"{path.relative_to(SOURCE)}:{node.lineno} signals")
            if (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "on_commit"
                    and any(isinstance(arg, ast.Lambda) for arg in node.args)):
                offenders.append(f"{path.relative_to(SOURCE)}:{node.lineno} on_commit(lambda)")
    assert offenders == []


def test_no_floats_for_money():
    offenders = []
    for path, tree in python_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "float":
                offenders.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr == "FloatField":
                offenders.append(f"{path.relative_to(SOURCE)}:{node.lineno} FloatField")
    # settings.py reads durations (seconds), which are not money.
    assert [o for o in offenders if not o.startswith("settings.py")] == []
